/* ovsdb/condition: the "where" conditions of RFC 7047 (section 5.1):
 * a list of [column, function, value] clauses, all of which must hold,
 * with the functions < <= == != >= > includes excludes.  Also the
 * "columns" lists of select and wait.  A condition owns its argument
 * datums; it points into the table schema. */
#ifndef SLUICE_OVSDB_CONDITION_H
#define SLUICE_OVSDB_CONDITION_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ovsdb/datum.h"
#include "ovsdb/row.h"
#include "ovsdb/schema.h"

enum ovsdb_function {
    OVSDB_F_LT,
    OVSDB_F_LE,
    OVSDB_F_EQ,
    OVSDB_F_NE,
    OVSDB_F_GE,
    OVSDB_F_GT,
    OVSDB_F_INCLUDES,
    OVSDB_F_EXCLUDES,
    OVSDB_F_TRUE,           /* A clause that is the boolean true. */
    OVSDB_F_FALSE,          /* ...or false ('column' is then NULL). */
};

struct ovsdb_clause {
    enum ovsdb_function function;
    const struct ovsdb_column_schema *column;
    struct ovsdb_type type;         /* Of 'arg' (counts relaxed). */
    struct ovsdb_datum arg;
};

struct ovsdb_condition {
    struct ovsdb_clause *clauses;
    size_t n;
};

const char *ovsdb_function_name(enum ovsdb_function);

/* ovsdb-server's "Type mismatch: "OP" operator may not be applied to
 * column COLUMN of type TYPE." with 'j' as its "syntax". */
json_t *ovsdb_type_mismatch_error(const json_t *j, const char *op,
                                  const char *column,
                                  const struct ovsdb_type *);

/* Parses a JSON array of clauses for table 'ts'.  Errors: "unknown
 * column", "syntax error" (bad shape, function not allowed for the
 * column's type, bad value). */
json_t *ovsdb_condition_from_json(struct ovsdb_condition *,
                                  const struct ovsdb_table_schema *ts,
                                  const json_t *, struct ovsdb_symtab *);
void ovsdb_condition_destroy(struct ovsdb_condition *);
bool ovsdb_condition_match(const struct ovsdb_condition *,
                           const struct ovsdb_row *);
/* If some clause is [_uuid, ==, U], returns U (the only row that can
 * match), else NULL. */
const struct ovsdb_uuid *ovsdb_condition_get_uuid(
    const struct ovsdb_condition *);

/* Parses a "columns" array into column indexes (caller frees '*cols').
 * A NULL 'json' means every column. */
json_t *ovsdb_columns_from_json(unsigned int **cols, size_t *n,
                                const struct ovsdb_table_schema *ts,
                                const json_t *json);

#endif
