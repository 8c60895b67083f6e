/* ovsdb/condition: "where" conditions and column lists. */
#include "ovsdb/condition.h"

#include <stdlib.h>
#include <string.h>

#include "ovsdb/error.h"

static const char *const function_names[] = {
    [OVSDB_F_LT] = "<", [OVSDB_F_LE] = "<=", [OVSDB_F_EQ] = "==",
    [OVSDB_F_NE] = "!=", [OVSDB_F_GE] = ">=", [OVSDB_F_GT] = ">",
    [OVSDB_F_INCLUDES] = "includes", [OVSDB_F_EXCLUDES] = "excludes",
};

const char *
ovsdb_function_name(enum ovsdb_function f)
{
    return function_names[f];
}

static bool
function_from_string(const char *s, enum ovsdb_function *f)
{
    for (size_t i = 0; i < sizeof function_names / sizeof *function_names;
         i++) {
        if (s && !strcmp(s, function_names[i])) {
            *f = (enum ovsdb_function) i;
            return true;
        }
    }
    return false;
}

void
ovsdb_condition_destroy(struct ovsdb_condition *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ovsdb_datum_destroy(&c->clauses[i].arg, &c->clauses[i].type);
        ovsdb_type_destroy(&c->clauses[i].type);
    }
    free(c->clauses);
    c->clauses = NULL;
    c->n = 0;
}

static json_t *
clause_from_json(struct ovsdb_clause *cl, const struct ovsdb_table_schema *ts,
                 const json_t *j, struct ovsdb_symtab *st)
{
    if (!json_is_array(j) || json_array_size(j) != 3
        || !json_is_string(json_array_get(j, 0))
        || !json_is_string(json_array_get(j, 1))) {
        return ovsdb_error(OVSDB_E_SYNTAX, "condition must be [<column>, "
                           "<function>, <value>]");
    }
    const char *cname = json_string_value(json_array_get(j, 0));
    const char *fname = json_string_value(json_array_get(j, 1));
    cl->column = ovsdb_table_schema_find_column(ts, cname);
    if (!cl->column) {
        return ovsdb_error(OVSDB_E_UNKNOWN_COLUMN, "No column %s in table %s",
                           cname, ts->name);
    }
    if (!function_from_string(fname, &cl->function)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "unknown function \"%s\"", fname);
    }
    const struct ovsdb_type *ct = &cl->column->type;
    if (cl->function <= OVSDB_F_GT && cl->function != OVSDB_F_EQ
        && cl->function != OVSDB_F_NE) {
        if ((!ovsdb_type_is_scalar(ct) && !ovsdb_type_is_optional_scalar(ct))
            || (ct->key.type != OVSDB_TYPE_INTEGER
                && ct->key.type != OVSDB_TYPE_REAL)) {
            return ovsdb_error(OVSDB_E_SYNTAX, "function %s is not allowed on "
                               "column %s of type %s", fname, cname,
                               ovsdb_atomic_type_name(ct->key.type));
        }
    }
    ovsdb_type_clone(&cl->type, ct);
    cl->type.n_min = 0;
    cl->type.n_max = OVSDB_UNLIMITED;
    json_t *err = ovsdb_datum_from_json_loose(&cl->arg, &cl->type,
                                              json_array_get(j, 2), st);
    if (!err && cl->function <= OVSDB_F_GT && cl->function != OVSDB_F_EQ
        && cl->function != OVSDB_F_NE && cl->arg.n != 1) {
        ovsdb_datum_destroy(&cl->arg, &cl->type);
        err = ovsdb_error(OVSDB_E_SYNTAX, "function %s needs exactly one "
                          "value", fname);
    }
    if (err) {
        ovsdb_type_destroy(&cl->type);
        return ovsdb_error_wrap(err, "column %s", cname);
    }
    return NULL;
}

json_t *
ovsdb_condition_from_json(struct ovsdb_condition *c,
                          const struct ovsdb_table_schema *ts,
                          const json_t *j, struct ovsdb_symtab *st)
{
    size_t i;
    const json_t *e;

    c->clauses = NULL;
    c->n = 0;
    if (!json_is_array(j)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"where\" must be an array of "
                           "conditions");
    }
    c->clauses = calloc(json_array_size(j) + 1, sizeof *c->clauses);
    json_array_foreach(j, i, e) {
        json_t *err = clause_from_json(&c->clauses[c->n], ts, e, st);
        if (err) {
            ovsdb_condition_destroy(c);
            return err;
        }
        c->n++;
    }
    return NULL;
}

static bool
clause_match(const struct ovsdb_clause *cl, const struct ovsdb_row *row)
{
    const struct ovsdb_datum *v = &row->fields[cl->column->idx];
    const struct ovsdb_type *t = &cl->type;
    int c;

    switch (cl->function) {
    case OVSDB_F_EQ:
        return ovsdb_datum_equals(v, &cl->arg, t);
    case OVSDB_F_NE:
        return !ovsdb_datum_equals(v, &cl->arg, t);
    case OVSDB_F_INCLUDES:
        return ovsdb_datum_includes_all(v, &cl->arg, t);
    case OVSDB_F_EXCLUDES:
        return ovsdb_datum_excludes_all(v, &cl->arg, t);
    default:
        if (v->n != 1) {
            return false;
        }
        c = ovsdb_atom_compare(&v->keys[0], &cl->arg.keys[0], t->key.type);
        switch (cl->function) {
        case OVSDB_F_LT:
            return c < 0;
        case OVSDB_F_LE:
            return c <= 0;
        case OVSDB_F_GE:
            return c >= 0;
        case OVSDB_F_GT:
            return c > 0;
        default:
            return false;
        }
    }
}

bool
ovsdb_condition_match(const struct ovsdb_condition *c,
                      const struct ovsdb_row *row)
{
    for (size_t i = 0; i < c->n; i++) {
        if (!clause_match(&c->clauses[i], row)) {
            return false;
        }
    }
    return true;
}

const struct ovsdb_uuid *
ovsdb_condition_get_uuid(const struct ovsdb_condition *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const struct ovsdb_clause *cl = &c->clauses[i];
        if (cl->function == OVSDB_F_EQ && cl->column->idx == OVSDB_COL_UUID
            && cl->arg.n == 1) {
            return &cl->arg.keys[0].uuid;
        }
    }
    return NULL;
}

json_t *
ovsdb_columns_from_json(unsigned int **cols, size_t *n,
                        const struct ovsdb_table_schema *ts, const json_t *j)
{
    size_t i;
    const json_t *e;

    *n = 0;
    if (!j) {
        *cols = malloc(ts->n_columns * sizeof **cols);
        for (i = 0; i < ts->n_columns; i++) {
            (*cols)[(*n)++] = (unsigned) i;
        }
        return NULL;
    }
    if (!json_is_array(j)) {
        *cols = NULL;
        return ovsdb_error(OVSDB_E_SYNTAX, "\"columns\" must be an array of "
                           "column names");
    }
    *cols = malloc((json_array_size(j) + 1) * sizeof **cols);
    json_array_foreach(j, i, e) {
        const char *name = json_string_value(e);
        const struct ovsdb_column_schema *c =
            name ? ovsdb_table_schema_find_column(ts, name) : NULL;
        if (!c) {
            free(*cols);
            *cols = NULL;
            *n = 0;
            return ovsdb_error(OVSDB_E_UNKNOWN_COLUMN, "No column %s in "
                               "table %s", name ? name : "(not a string)",
                               ts->name);
        }
        bool dup = false;
        for (size_t k = 0; k < *n; k++) {
            dup |= (*cols)[k] == c->idx;
        }
        if (!dup) {
            (*cols)[(*n)++] = c->idx;
        }
    }
    return NULL;
}
