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
#define N_FUNCTION_NAMES (OVSDB_F_EXCLUDES + 1)

const char *
ovsdb_function_name(enum ovsdb_function f)
{
    return f == OVSDB_F_TRUE ? "true"
           : f == OVSDB_F_FALSE ? "false" : function_names[f];
}

static bool
function_from_string(const char *s, enum ovsdb_function *f)
{
    for (size_t i = 0; i < N_FUNCTION_NAMES; i++) {
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
        if (c->clauses[i].column) {
            ovsdb_datum_destroy(&c->clauses[i].arg, &c->clauses[i].type);
            ovsdb_type_destroy(&c->clauses[i].type);
        }
    }
    free(c->clauses);
    c->clauses = NULL;
    c->n = 0;
}

static json_t *
type_mismatch(const json_t *j, const char *op, const char *column,
              const struct ovsdb_type *t)
{
    char *english = ovsdb_type_to_english(t);
    json_t *err = ovsdb_error(OVSDB_E_SYNTAX, "Type mismatch: \"%s\" "
                              "operator may not be applied to column %s of "
                              "type %s.", op, column, english ? english : "?");
    free(english);
    return ovsdb_error_syntax(err, j);
}

json_t *
ovsdb_type_mismatch_error(const json_t *j, const char *op,
                          const char *column, const struct ovsdb_type *t)
{
    return type_mismatch(j, op, column, t);
}

static json_t *
clause_from_json(struct ovsdb_clause *cl, const struct ovsdb_table_schema *ts,
                 const json_t *j, struct ovsdb_symtab *st)
{
    memset(cl, 0, sizeof *cl);
    if (json_is_boolean(j)) {
        /* Open vSwitch: true matches every row, false none. */
        cl->function = json_is_true(j) ? OVSDB_F_TRUE : OVSDB_F_FALSE;
        return NULL;
    }
    if (!json_is_array(j) || json_array_size(j) != 3
        || !json_is_string(json_array_get(j, 0))
        || !json_is_string(json_array_get(j, 1))) {
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "Parse error "
                                              "in condition."), j);
    }
    const char *cname = json_string_value(json_array_get(j, 0));
    const char *fname = json_string_value(json_array_get(j, 1));
    cl->column = ovsdb_table_schema_find_column(ts, cname);
    if (!cl->column) {
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_UNKNOWN_COLUMN,
                                              "No column %s in table %s.",
                                              cname, ts->name), j);
    }
    if (!function_from_string(fname, &cl->function)) {
        return ovsdb_error(OVSDB_E_UNKNOWN_FUNC, "No function named %s.",
                           fname);
    }
    const struct ovsdb_type *ct = &cl->column->type;
    ovsdb_type_clone(&cl->type, ct);
    switch (cl->function) {
    case OVSDB_F_LT:
    case OVSDB_F_LE:
    case OVSDB_F_GT:
    case OVSDB_F_GE:
        if (!ovsdb_type_is_scalar(ct)
            || (ct->key.type != OVSDB_TYPE_INTEGER
                && ct->key.type != OVSDB_TYPE_REAL)) {
            ovsdb_type_destroy(&cl->type);
            return type_mismatch(j, fname, cname, ct);
        }
        break;
    case OVSDB_F_INCLUDES:
        if (!ovsdb_type_is_scalar(ct)) {
            cl->type.n_min = 0;
        }
        break;
    case OVSDB_F_EXCLUDES:
        if (!ovsdb_type_is_scalar(ct)) {
            cl->type.n_min = 0;
            cl->type.n_max = OVSDB_UNLIMITED;
        }
        break;
    default:
        break;
    }
    json_t *err = ovsdb_datum_from_json(&cl->arg, &cl->type,
                                        json_array_get(j, 2), st);
    if (err) {
        ovsdb_type_destroy(&cl->type);
        return err;
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
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "Parse error "
                                              "in condition."), j);
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
    if (!cl->column) {
        return cl->function == OVSDB_F_TRUE;
    }
    const struct ovsdb_datum *v = &row->fields[cl->column->idx];
    const struct ovsdb_type *t = &cl->type;
    int c;

    switch (cl->function) {
    case OVSDB_F_TRUE:
        return true;
    case OVSDB_F_FALSE:
        return false;
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
        if (cl->function == OVSDB_F_EQ && cl->column
            && cl->column->idx == OVSDB_COL_UUID
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
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "array of "
                                              "distinct column names "
                                              "expected"), j);
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
            return ovsdb_error_syntax(
                name ? ovsdb_error(OVSDB_E_SYNTAX, "%s is not a valid column "
                                   "name", name)
                     : ovsdb_error(OVSDB_E_SYNTAX, "array of distinct "
                                   "column names expected"), j);
        }
        for (size_t k = 0; k < *n; k++) {
            if ((*cols)[k] == c->idx) {
                free(*cols);
                *cols = NULL;
                *n = 0;
                return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX,
                                                      "array of distinct "
                                                      "column names "
                                                      "expected"), j);
            }
        }
        (*cols)[(*n)++] = c->idx;
    }
    return NULL;
}
