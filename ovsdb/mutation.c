/* ovsdb/mutation: mutate's mutators. */
#include "ovsdb/mutation.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/condition.h"
#include "ovsdb/error.h"

static const char *const mutator_names[] = {
    [OVSDB_M_ADD] = "+=", [OVSDB_M_SUB] = "-=", [OVSDB_M_MUL] = "*=",
    [OVSDB_M_DIV] = "/=", [OVSDB_M_MOD] = "%=",
    [OVSDB_M_INSERT] = "insert", [OVSDB_M_DELETE] = "delete",
};

void
ovsdb_mutation_set_destroy(struct ovsdb_mutation_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        ovsdb_datum_destroy(&s->muts[i].arg, &s->muts[i].type);
        ovsdb_type_destroy(&s->muts[i].type);
    }
    free(s->muts);
    s->muts = NULL;
    s->n = 0;
}

static json_t *
mutation_from_json(struct ovsdb_mutation *m,
                   const struct ovsdb_table_schema *ts, const json_t *j,
                   struct ovsdb_symtab *st)
{
    if (!json_is_array(j) || json_array_size(j) != 3
        || !json_is_string(json_array_get(j, 0))
        || !json_is_string(json_array_get(j, 1))) {
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "Parse error "
                                              "in mutation."), j);
    }
    const char *cname = json_string_value(json_array_get(j, 0));
    const char *mname = json_string_value(json_array_get(j, 1));
    const json_t *arg = json_array_get(j, 2);
    size_t i;

    m->column = ovsdb_table_schema_find_column(ts, cname);
    if (!m->column) {
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_UNKNOWN_COLUMN,
                                              "No column %s in table %s.",
                                              cname, ts->name), j);
    }
    if (!m->column->mutable_ || m->column->idx < OVSDB_N_RESERVED_COLUMNS) {
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_CONSTRAINT, "Cannot "
                                              "mutate immutable column %s "
                                              "in table %s.", cname,
                                              ts->name), j);
    }
    for (i = 0; i < sizeof mutator_names / sizeof *mutator_names; i++) {
        if (!strcmp(mname, mutator_names[i])) {
            break;
        }
    }
    if (i == sizeof mutator_names / sizeof *mutator_names) {
        return ovsdb_error(OVSDB_E_UNKNOWN_MUTATOR, "No mutator named %s.",
                           mname);
    }
    m->mutator = (enum ovsdb_mutator) i;

    const struct ovsdb_type *ct = &m->column->type;
    json_t *err;
    if (m->mutator <= OVSDB_M_MOD) {
        enum ovsdb_atomic_type kt = ct->key.type;
        if (ovsdb_type_is_map(ct)
            || (kt != OVSDB_TYPE_INTEGER && kt != OVSDB_TYPE_REAL)
            || (m->mutator == OVSDB_M_MOD && kt != OVSDB_TYPE_INTEGER)) {
            return ovsdb_type_mismatch_error(j, mname, cname, ct);
        }
        ovsdb_type_init_scalar(&m->type, kt);
        err = ovsdb_datum_from_json(&m->arg, &m->type, arg, st);
    } else {
        if (ovsdb_type_is_scalar(ct)) {
            return ovsdb_type_mismatch_error(j, mname, cname, ct);
        }
        ovsdb_type_clone(&m->type, ct);
        m->type.n_min = 0;
        if (m->mutator == OVSDB_M_DELETE) {
            m->type.n_max = OVSDB_UNLIMITED;
        }
        if (ovsdb_type_is_map(ct) && m->mutator == OVSDB_M_DELETE
            && !(json_is_array(arg) && json_array_size(arg) == 2
                 && json_is_string(json_array_get(arg, 0))
                 && !strcmp(json_string_value(json_array_get(arg, 0)),
                            "map"))) {
            /* Deleting keys from a map: the argument is a set of keys. */
            ovsdb_base_type_destroy(&m->type.value);
            ovsdb_base_type_init(&m->type.value, OVSDB_TYPE_VOID);
        }
        err = ovsdb_datum_from_json(&m->arg, &m->type, arg, st);
    }
    if (err) {
        ovsdb_type_destroy(&m->type);
        return err;
    }
    return NULL;
}

json_t *
ovsdb_mutation_set_from_json(struct ovsdb_mutation_set *s,
                             const struct ovsdb_table_schema *ts,
                             const json_t *j, struct ovsdb_symtab *st)
{
    size_t i;
    const json_t *e;

    s->muts = NULL;
    s->n = 0;
    if (!json_is_array(j)) {
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "Parse error "
                                              "in mutation."), j);
    }
    s->muts = calloc(json_array_size(j) + 1, sizeof *s->muts);
    json_array_foreach(j, i, e) {
        json_t *err = mutation_from_json(&s->muts[s->n], ts, e, st);
        if (err) {
            ovsdb_mutation_set_destroy(s);
            return err;
        }
        s->n++;
    }
    return NULL;
}

static json_t *
mutate_integer(int64_t *x, int64_t y, enum ovsdb_mutator m)
{
    int64_t r;
    bool ovf = false;

    switch (m) {
    case OVSDB_M_ADD:
        ovf = __builtin_add_overflow(*x, y, &r);
        break;
    case OVSDB_M_SUB:
        ovf = __builtin_sub_overflow(*x, y, &r);
        break;
    case OVSDB_M_MUL:
        ovf = __builtin_mul_overflow(*x, y, &r);
        break;
    case OVSDB_M_DIV:
    case OVSDB_M_MOD:
        if (!y) {
            return ovsdb_error(OVSDB_E_DOMAIN, "Division by zero.");
        }
        if (*x == INT64_MIN && y == -1) {
            ovf = m == OVSDB_M_DIV;
            r = 0;
        } else {
            r = m == OVSDB_M_DIV ? *x / y : *x % y;
        }
        break;
    default:
        return NULL;
    }
    if (ovf) {
        return ovsdb_error(OVSDB_E_RANGE, "Result of \"%s\" operation is "
                           "out of range.", mutator_names[m]);
    }
    *x = r;
    return NULL;
}

static json_t *
mutate_real(double *x, double y, enum ovsdb_mutator m)
{
    double r;
    switch (m) {
    case OVSDB_M_ADD:
        r = *x + y;
        break;
    case OVSDB_M_SUB:
        r = *x - y;
        break;
    case OVSDB_M_MUL:
        r = *x * y;
        break;
    case OVSDB_M_DIV:
        if (y == 0.0) {
            return ovsdb_error(OVSDB_E_DOMAIN, "Division by zero.");
        }
        r = *x / y;
        break;
    default:
        return NULL;
    }
    if (!isfinite(r)) {
        return ovsdb_error(OVSDB_E_RANGE, "Result of \"%s\" operation is "
                           "out of range.", mutator_names[m]);
    }
    *x = r;
    return NULL;
}

static json_t *
apply_one(const struct ovsdb_mutation *m, struct ovsdb_datum *v)
{
    const struct ovsdb_type *ct = &m->column->type;
    json_t *err = NULL;

    switch (m->mutator) {
    case OVSDB_M_ADD:
    case OVSDB_M_SUB:
    case OVSDB_M_MUL:
    case OVSDB_M_DIV:
    case OVSDB_M_MOD:
        for (size_t i = 0; i < v->n && !err; i++) {
            if (ct->key.type == OVSDB_TYPE_INTEGER) {
                err = mutate_integer(&v->keys[i].integer,
                                     m->arg.keys[0].integer, m->mutator);
            } else {
                err = mutate_real(&v->keys[i].real, m->arg.keys[0].real,
                                  m->mutator);
            }
        }
        if (!err && ovsdb_datum_sort(v, ct, false)) {
            err = ovsdb_error(OVSDB_E_CONSTRAINT, "%s made the set contain "
                              "duplicate values", mutator_names[m->mutator]);
        }
        break;
    case OVSDB_M_INSERT:
        ovsdb_datum_union(v, &m->arg, ct);
        break;
    case OVSDB_M_DELETE:
        ovsdb_datum_subtract(v, ct, &m->arg, &m->type);
        break;
    }
    if (!err && (v->n < ct->n_min || v->n > ct->n_max)) {
        char *english = ovsdb_type_to_english(ct);
        err = ovsdb_error(OVSDB_E_CONSTRAINT, "Attempted to store %zu "
                          "elements in %s.", v->n, english ? english : "?");
        free(english);
    }
    if (!err) {
        err = ovsdb_datum_check_atoms(v, ct);
    }
    return err;
}

json_t *
ovsdb_mutation_set_apply(const struct ovsdb_mutation_set *s,
                         struct ovsdb_datum *fields)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct ovsdb_mutation *m = &s->muts[i];
        json_t *err = apply_one(m, &fields[m->column->idx]);
        if (err) {
            return err;
        }
    }
    return NULL;
}
