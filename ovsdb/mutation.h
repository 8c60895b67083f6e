/* ovsdb/mutation: the "mutations" of RFC 7047's mutate operation
 * (section 5.1): [column, mutator, value] with the mutators += -= *= /= %=
 * (integer and real columns and sets of them) and insert / delete (sets
 * and maps).  A mutation set is parsed once per operation and applied to
 * each matching row's values.  It owns its argument datums. */
#ifndef SLUICE_OVSDB_MUTATION_H
#define SLUICE_OVSDB_MUTATION_H

#include <stddef.h>

#include <jansson.h>

#include "ovsdb/datum.h"
#include "ovsdb/schema.h"

enum ovsdb_mutator {
    OVSDB_M_ADD,
    OVSDB_M_SUB,
    OVSDB_M_MUL,
    OVSDB_M_DIV,
    OVSDB_M_MOD,
    OVSDB_M_INSERT,
    OVSDB_M_DELETE,
};

struct ovsdb_mutation {
    enum ovsdb_mutator mutator;
    const struct ovsdb_column_schema *column;
    struct ovsdb_type type;         /* Of 'arg'. */
    struct ovsdb_datum arg;
};

struct ovsdb_mutation_set {
    struct ovsdb_mutation *muts;
    size_t n;
};

/* Errors: "unknown column", "constraint violation" (_uuid, _version or an
 * immutable column), "syntax error" (mutator not valid for the column's
 * type, bad value). */
json_t *ovsdb_mutation_set_from_json(struct ovsdb_mutation_set *,
                                     const struct ovsdb_table_schema *,
                                     const json_t *, struct ovsdb_symtab *);
void ovsdb_mutation_set_destroy(struct ovsdb_mutation_set *);

/* Applies every mutation to 'fields' (a row's datums, one per column).
 * On error ("domain error": division by zero; "range error": integer
 * overflow or a non-finite real; "constraint violation": the result
 * breaks the column's type) 'fields' may be partly changed: callers
 * apply to a transaction's copy of the row. */
json_t *ovsdb_mutation_set_apply(const struct ovsdb_mutation_set *,
                                 struct ovsdb_datum *fields);

#endif
