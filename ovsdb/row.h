/* ovsdb/row: a row of a table (one datum per column, _uuid and _version
 * first) and the UUID-keyed hash map that tables and transactions keep
 * rows in.  A row owns its datums; a rowmap owns nothing (rows are linked
 * into at most one map through 'hnext'). */
#ifndef SLUICE_OVSDB_ROW_H
#define SLUICE_OVSDB_ROW_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ovsdb/datum.h"
#include "ovsdb/schema.h"

struct ovsdb_table;
struct ovsdb_txn_row;

struct ovsdb_row {
    struct ovsdb_row *hnext;        /* In a rowmap. */
    struct ovsdb_table *table;
    struct ovsdb_txn_row *txn_row;  /* Set while a transaction holds it. */
    size_t n_refs;                  /* Strong references from rows. */
    long ref_delta;                 /* Pending change while committing. */
    struct ovsdb_datum fields[];    /* One per column of the table. */
};

/* A row of 'table' with every column at its default and the given
 * _uuid; _version is all zeros until committed. */
struct ovsdb_row *ovsdb_row_create(struct ovsdb_table *,
                                   const struct ovsdb_uuid *);
struct ovsdb_row *ovsdb_row_clone(const struct ovsdb_row *);
void ovsdb_row_destroy(struct ovsdb_row *);

const struct ovsdb_table_schema *ovsdb_row_schema(const struct ovsdb_row *);

static inline const struct ovsdb_uuid *
ovsdb_row_uuid(const struct ovsdb_row *row)
{
    return &row->fields[0].keys[0].uuid;
}

static inline const struct ovsdb_uuid *
ovsdb_row_version(const struct ovsdb_row *row)
{
    return &row->fields[1].keys[0].uuid;
}

/* The value of column 'name', or NULL if the table has no such column. */
const struct ovsdb_datum *ovsdb_row_get(const struct ovsdb_row *,
                                        const char *name);

/* {column: value} for 'n' columns (indexes in 'cols'), or for all
 * columns (including _uuid and _version) if 'cols' is NULL. */
json_t *ovsdb_row_to_json(const struct ovsdb_row *, const unsigned int *cols,
                          size_t n);

/* ---- Rows by UUID ----------------------------------------------------- */
struct ovsdb_rowmap {
    struct ovsdb_row **buckets;
    size_t mask;                    /* Number of buckets - 1. */
    size_t n;
};

void ovsdb_rowmap_init(struct ovsdb_rowmap *);
void ovsdb_rowmap_destroy(struct ovsdb_rowmap *);  /* Not the rows. */
void ovsdb_rowmap_insert(struct ovsdb_rowmap *, struct ovsdb_row *);
void ovsdb_rowmap_remove(struct ovsdb_rowmap *, struct ovsdb_row *);
struct ovsdb_row *ovsdb_rowmap_find(const struct ovsdb_rowmap *,
                                    const struct ovsdb_uuid *);
/* Iteration: 'pos' is private state.  The current row may be removed
 * before calling next only if 'next' was fetched first. */
struct ovsdb_row *ovsdb_rowmap_first(const struct ovsdb_rowmap *,
                                     size_t *pos);
struct ovsdb_row *ovsdb_rowmap_next(const struct ovsdb_rowmap *,
                                    const struct ovsdb_row *, size_t *pos);

#endif
