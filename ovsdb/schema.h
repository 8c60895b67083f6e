/* ovsdb/schema: a database schema (RFC 7047 section 3.2): its name,
 * version and optional cksum, and its tables, each with columns (type,
 * ephemeral, mutable), isRoot, maxRows and indexes.  Parsed from a
 * .ovsschema file or JSON, with errors that name the bad table and
 * column, and written back to JSON (what get_schema returns).  Every
 * table gets the reserved columns _uuid (index 0) and _version (index 1)
 * ahead of its own.  The schema owns everything it points to. */
#ifndef SLUICE_OVSDB_SCHEMA_H
#define SLUICE_OVSDB_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ovsdb/types.h"

#define OVSDB_COL_UUID 0
#define OVSDB_COL_VERSION 1
#define OVSDB_N_RESERVED_COLUMNS 2

struct ovsdb_column_schema {
    char *name;
    unsigned int idx;           /* Position in its table's columns. */
    struct ovsdb_type type;
    bool ephemeral;
    bool mutable_;              /* false: set only by insert. */
};

struct ovsdb_index_schema {
    size_t n;
    unsigned int *cols;         /* Column indexes. */
};

struct ovsdb_table_schema {
    char *name;
    unsigned int idx;           /* Position in the schema's tables. */
    struct ovsdb_column_schema *columns;
    size_t n_columns;           /* Including _uuid and _version. */
    bool is_root;               /* In the root set (not garbage
                                 * collected). */
    bool is_root_json;          /* "isRoot" as written in the schema. */
    unsigned int max_rows;      /* OVSDB_UNLIMITED if none. */
    struct ovsdb_index_schema *indexes;
    size_t n_indexes;
};

struct ovsdb_schema {
    char *name;
    char *version;              /* NULL if the schema has none. */
    char *cksum;                /* NULL if absent. */
    struct ovsdb_table_schema *tables;
    size_t n_tables;
};

/* Parses 'json'.  Returns NULL and stores a new schema in '*out', or an
 * error object ("syntax error") whose details name the table/column. */
json_t *ovsdb_schema_from_json(struct ovsdb_schema **out, const json_t *json);
json_t *ovsdb_schema_from_file(struct ovsdb_schema **out, const char *path);
json_t *ovsdb_schema_to_json(const struct ovsdb_schema *);
void ovsdb_schema_destroy(struct ovsdb_schema *);

const struct ovsdb_table_schema *ovsdb_schema_find_table(
    const struct ovsdb_schema *, const char *name);
const struct ovsdb_column_schema *ovsdb_table_schema_find_column(
    const struct ovsdb_table_schema *, const char *name);

#endif
