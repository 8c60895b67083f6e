/* ovsdb/types: the OVSDB type system (RFC 7047 section 3.2). */
#include "ovsdb/types.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/datum.h"
#include "ovsdb/error.h"

static const char *const atomic_names[] = {
    [OVSDB_TYPE_VOID] = "void",
    [OVSDB_TYPE_INTEGER] = "integer",
    [OVSDB_TYPE_REAL] = "real",
    [OVSDB_TYPE_BOOLEAN] = "boolean",
    [OVSDB_TYPE_STRING] = "string",
    [OVSDB_TYPE_UUID] = "uuid",
};

const char *
ovsdb_atomic_type_name(enum ovsdb_atomic_type t)
{
    return (unsigned) t <= OVSDB_TYPE_UUID ? atomic_names[t] : "?";
}

bool
ovsdb_atomic_type_from_string(const char *s, enum ovsdb_atomic_type *t)
{
    for (int i = OVSDB_TYPE_INTEGER; i <= OVSDB_TYPE_UUID; i++) {
        if (s && !strcmp(s, atomic_names[i])) {
            *t = (enum ovsdb_atomic_type) i;
            return true;
        }
    }
    return false;
}

void
ovsdb_base_type_init(struct ovsdb_base_type *b, enum ovsdb_atomic_type type)
{
    memset(b, 0, sizeof *b);
    b->type = type;
    b->min_int = INT64_MIN;
    b->max_int = INT64_MAX;
    b->min_real = -DBL_MAX;
    b->max_real = DBL_MAX;
    b->min_len = 0;
    b->max_len = OVSDB_UNLIMITED;
    b->ref_type = OVSDB_REF_STRONG;
}

/* The type of a base type's enum: a set of any size of the same atomic
 * type with no constraints. */
static void
enum_type(struct ovsdb_type *t, enum ovsdb_atomic_type at)
{
    ovsdb_type_init_scalar(t, at);
    t->n_min = 0;
    t->n_max = OVSDB_UNLIMITED;
}

void
ovsdb_base_type_destroy(struct ovsdb_base_type *b)
{
    if (b->enum_) {
        struct ovsdb_type et;
        enum_type(&et, b->type);
        ovsdb_datum_destroy(b->enum_, &et);
        free(b->enum_);
        b->enum_ = NULL;
    }
    free(b->ref_table_name);
    b->ref_table_name = NULL;
}

void
ovsdb_base_type_clone(struct ovsdb_base_type *dst,
                      const struct ovsdb_base_type *src)
{
    *dst = *src;
    if (src->enum_) {
        struct ovsdb_type et;
        enum_type(&et, src->type);
        dst->enum_ = malloc(sizeof *dst->enum_);
        ovsdb_datum_clone(dst->enum_, src->enum_, &et);
    }
    if (src->ref_table_name) {
        dst->ref_table_name = strdup(src->ref_table_name);
    }
}

bool
ovsdb_base_type_has_constraints(const struct ovsdb_base_type *b)
{
    if (b->enum_) {
        return true;
    }
    switch (b->type) {
    case OVSDB_TYPE_INTEGER:
        return b->min_int != INT64_MIN || b->max_int != INT64_MAX;
    case OVSDB_TYPE_REAL:
        return b->min_real != -DBL_MAX || b->max_real != DBL_MAX;
    case OVSDB_TYPE_STRING:
        return b->min_len != 0 || b->max_len != OVSDB_UNLIMITED;
    case OVSDB_TYPE_UUID:
        return b->ref_table_name != NULL;
    default:
        return false;
    }
}

bool
ovsdb_base_type_is_ref(const struct ovsdb_base_type *b)
{
    return b->type == OVSDB_TYPE_UUID && b->ref_table_name;
}

bool
ovsdb_base_type_is_strong_ref(const struct ovsdb_base_type *b)
{
    return ovsdb_base_type_is_ref(b) && b->ref_type == OVSDB_REF_STRONG;
}

bool
ovsdb_base_type_is_weak_ref(const struct ovsdb_base_type *b)
{
    return ovsdb_base_type_is_ref(b) && b->ref_type == OVSDB_REF_WEAK;
}

void
ovsdb_type_init_scalar(struct ovsdb_type *t, enum ovsdb_atomic_type at)
{
    ovsdb_base_type_init(&t->key, at);
    ovsdb_base_type_init(&t->value, OVSDB_TYPE_VOID);
    t->n_min = 1;
    t->n_max = 1;
}

void
ovsdb_type_destroy(struct ovsdb_type *t)
{
    ovsdb_base_type_destroy(&t->key);
    ovsdb_base_type_destroy(&t->value);
}

void
ovsdb_type_clone(struct ovsdb_type *dst, const struct ovsdb_type *src)
{
    ovsdb_base_type_clone(&dst->key, &src->key);
    ovsdb_base_type_clone(&dst->value, &src->value);
    dst->n_min = src->n_min;
    dst->n_max = src->n_max;
}

/* ---- Parsing ---------------------------------------------------------- */

static json_t *
syntax(const char *fmt, const char *arg)
{
    return ovsdb_error(OVSDB_E_SYNTAX, fmt, arg);
}

static bool
json_is_int(const json_t *j)
{
    return json_is_integer(j);
}

static json_t *
parse_uint(const json_t *j, const char *name, unsigned int *out)
{
    if (!j) {
        return NULL;
    }
    if (!json_is_int(j) || json_integer_value(j) < 0
        || json_integer_value(j) > (json_int_t) UINT_MAX - 1) {
        return syntax("\"%s\" must be a non-negative integer", name);
    }
    *out = (unsigned int) json_integer_value(j);
    return NULL;
}

static json_t *
parse_base_constraints(struct ovsdb_base_type *b, const json_t *j)
{
    const json_t *min_i = json_object_get(j, "minInteger");
    const json_t *max_i = json_object_get(j, "maxInteger");
    const json_t *min_r = json_object_get(j, "minReal");
    const json_t *max_r = json_object_get(j, "maxReal");
    const json_t *min_l = json_object_get(j, "minLength");
    const json_t *max_l = json_object_get(j, "maxLength");
    const json_t *ref_t = json_object_get(j, "refTable");
    const json_t *ref_ty = json_object_get(j, "refType");
    json_t *err;

    if ((min_i || max_i) && b->type != OVSDB_TYPE_INTEGER) {
        return syntax("minInteger and maxInteger apply only to %s",
                      "integer");
    }
    if ((min_r || max_r) && b->type != OVSDB_TYPE_REAL) {
        return syntax("minReal and maxReal apply only to %s", "real");
    }
    if ((min_l || max_l) && b->type != OVSDB_TYPE_STRING) {
        return syntax("minLength and maxLength apply only to %s", "string");
    }
    if ((ref_t || ref_ty) && b->type != OVSDB_TYPE_UUID) {
        return syntax("refTable and refType apply only to %s", "uuid");
    }
    if (min_i) {
        if (!json_is_int(min_i)) {
            return syntax("\"%s\" must be an integer", "minInteger");
        }
        b->min_int = json_integer_value(min_i);
    }
    if (max_i) {
        if (!json_is_int(max_i)) {
            return syntax("\"%s\" must be an integer", "maxInteger");
        }
        b->max_int = json_integer_value(max_i);
    }
    if (b->min_int > b->max_int) {
        return syntax("%s", "minInteger exceeds maxInteger");
    }
    if (min_r) {
        if (!json_is_number(min_r)) {
            return syntax("\"%s\" must be a number", "minReal");
        }
        b->min_real = json_number_value(min_r);
    }
    if (max_r) {
        if (!json_is_number(max_r)) {
            return syntax("\"%s\" must be a number", "maxReal");
        }
        b->max_real = json_number_value(max_r);
    }
    if (b->min_real > b->max_real) {
        return syntax("%s", "minReal exceeds maxReal");
    }
    if ((err = parse_uint(min_l, "minLength", &b->min_len))
        || (err = parse_uint(max_l, "maxLength", &b->max_len))) {
        return err;
    }
    if (b->min_len > b->max_len) {
        return syntax("%s", "minLength exceeds maxLength");
    }
    if (ref_t) {
        const char *s = json_string_value(ref_t);
        if (!s || !*s) {
            return syntax("\"%s\" must be a table name", "refTable");
        }
        b->ref_table_name = strdup(s);
    }
    if (ref_ty) {
        const char *s = json_string_value(ref_ty);
        if (!ref_t) {
            return syntax("%s", "refType requires refTable");
        }
        if (s && !strcmp(s, "strong")) {
            b->ref_type = OVSDB_REF_STRONG;
        } else if (s && !strcmp(s, "weak")) {
            b->ref_type = OVSDB_REF_WEAK;
        } else {
            return syntax("refType must be \"strong\" or \"weak\"%s", "");
        }
    }
    return NULL;
}

json_t *
ovsdb_base_type_from_json(struct ovsdb_base_type *b, const json_t *j)
{
    enum ovsdb_atomic_type at;

    if (json_is_string(j)) {
        if (!ovsdb_atomic_type_from_string(json_string_value(j), &at)) {
            return syntax("unknown atomic type \"%s\"",
                          json_string_value(j));
        }
        ovsdb_base_type_init(b, at);
        return NULL;
    }
    if (!json_is_object(j)) {
        return syntax("%s", "base type must be a string or an object");
    }
    const json_t *tj = json_object_get(j, "type");
    if (!json_is_string(tj)) {
        return syntax("%s", "base type object needs a \"type\" string");
    }
    if (!ovsdb_atomic_type_from_string(json_string_value(tj), &at)) {
        return syntax("unknown atomic type \"%s\"", json_string_value(tj));
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) j, key, v) {
        static const char *const known[] = {
            "type", "enum", "minInteger", "maxInteger", "minReal",
            "maxReal", "minLength", "maxLength", "refTable", "refType",
        };
        bool ok = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
            ok |= !strcmp(key, known[i]);
        }
        if (!ok) {
            return syntax("unknown member \"%s\" in base type", key);
        }
    }
    ovsdb_base_type_init(b, at);
    json_t *err = parse_base_constraints(b, j);
    if (!err && json_object_get(j, "enum")) {
        struct ovsdb_type et;
        enum_type(&et, at);
        b->enum_ = malloc(sizeof *b->enum_);
        err = ovsdb_datum_from_json(b->enum_, &et, json_object_get(j, "enum"),
                                    NULL);
        if (err) {
            free(b->enum_);
            b->enum_ = NULL;
            json_t *syn = ovsdb_error(OVSDB_E_SYNTAX, "enum: %s",
                                      ovsdb_error_details(err));
            json_decref(err);
            err = syn;
        }
    }
    if (err) {
        ovsdb_base_type_destroy(b);
    }
    return err;
}

json_t *
ovsdb_type_from_json(struct ovsdb_type *t, const json_t *j)
{
    json_t *err;

    memset(t, 0, sizeof *t);
    ovsdb_base_type_init(&t->value, OVSDB_TYPE_VOID);
    t->n_min = t->n_max = 1;
    if (json_is_string(j)) {
        return ovsdb_base_type_from_json(&t->key, j);
    }
    if (!json_is_object(j)) {
        return syntax("%s", "type must be a string or an object");
    }
    const char *name;
    json_t *v;
    json_object_foreach((json_t *) j, name, v) {
        if (strcmp(name, "key") && strcmp(name, "value")
            && strcmp(name, "min") && strcmp(name, "max")) {
            return syntax("unknown member \"%s\" in type", name);
        }
    }
    const json_t *kj = json_object_get(j, "key");
    const json_t *vj = json_object_get(j, "value");
    const json_t *minj = json_object_get(j, "min");
    const json_t *maxj = json_object_get(j, "max");
    if (!kj) {
        return syntax("%s", "type object needs a \"key\"");
    }
    if (minj) {
        if (!json_is_int(minj) || json_integer_value(minj) < 0
            || json_integer_value(minj) > 1) {
            return syntax("%s", "\"min\" must be 0 or 1");
        }
        t->n_min = (unsigned) json_integer_value(minj);
    }
    if (maxj) {
        if (json_is_string(maxj)
            && !strcmp(json_string_value(maxj), "unlimited")) {
            t->n_max = OVSDB_UNLIMITED;
        } else if (json_is_int(maxj) && json_integer_value(maxj) >= 1
                   && json_integer_value(maxj) < (json_int_t) UINT_MAX) {
            t->n_max = (unsigned) json_integer_value(maxj);
        } else {
            return syntax("%s", "\"max\" must be a positive integer or "
                          "\"unlimited\"");
        }
    }
    if (t->n_min > t->n_max) {
        return syntax("%s", "\"min\" exceeds \"max\"");
    }
    err = ovsdb_base_type_from_json(&t->key, kj);
    if (err) {
        return ovsdb_error_wrap(err, "key");
    }
    if (vj) {
        err = ovsdb_base_type_from_json(&t->value, vj);
        if (err) {
            ovsdb_base_type_destroy(&t->key);
            return ovsdb_error_wrap(err, "value");
        }
    }
    return NULL;
}

/* ---- Writing ---------------------------------------------------------- */

json_t *
ovsdb_base_type_to_json(const struct ovsdb_base_type *b)
{
    json_t *name = json_string(ovsdb_atomic_type_name(b->type));
    if (!ovsdb_base_type_has_constraints(b)) {
        return name;
    }
    json_t *o = json_object();
    json_object_set_new(o, "type", name);
    if (b->enum_) {
        struct ovsdb_type et;
        enum_type(&et, b->type);
        json_t *e;
        /* An enum is always written as a set, even with one element. */
        json_t *elems = json_array();
        for (size_t i = 0; i < b->enum_->n; i++) {
            json_array_append_new(elems,
                ovsdb_atom_to_json(&b->enum_->keys[i], b->type));
        }
        e = json_pack("[so]", "set", elems);
        json_object_set_new(o, "enum", e);
    }
    switch (b->type) {
    case OVSDB_TYPE_INTEGER:
        if (b->min_int != INT64_MIN) {
            json_object_set_new(o, "minInteger", json_integer(b->min_int));
        }
        if (b->max_int != INT64_MAX) {
            json_object_set_new(o, "maxInteger", json_integer(b->max_int));
        }
        break;
    case OVSDB_TYPE_REAL:
        if (b->min_real != -DBL_MAX) {
            json_object_set_new(o, "minReal", json_real(b->min_real));
        }
        if (b->max_real != DBL_MAX) {
            json_object_set_new(o, "maxReal", json_real(b->max_real));
        }
        break;
    case OVSDB_TYPE_STRING:
        if (b->min_len != 0) {
            json_object_set_new(o, "minLength", json_integer(b->min_len));
        }
        if (b->max_len != OVSDB_UNLIMITED) {
            json_object_set_new(o, "maxLength", json_integer(b->max_len));
        }
        break;
    case OVSDB_TYPE_UUID:
        if (b->ref_table_name) {
            json_object_set_new(o, "refTable",
                                json_string(b->ref_table_name));
            if (b->ref_type == OVSDB_REF_WEAK) {
                json_object_set_new(o, "refType", json_string("weak"));
            }
        }
        break;
    default:
        break;
    }
    return o;
}

json_t *
ovsdb_type_to_json(const struct ovsdb_type *t)
{
    if (ovsdb_type_is_scalar(t)
        && !ovsdb_base_type_has_constraints(&t->key)) {
        return json_string(ovsdb_atomic_type_name(t->key.type));
    }
    json_t *o = json_object();
    json_object_set_new(o, "key", ovsdb_base_type_to_json(&t->key));
    if (ovsdb_type_is_map(t)) {
        json_object_set_new(o, "value", ovsdb_base_type_to_json(&t->value));
    }
    if (t->n_min != 1) {
        json_object_set_new(o, "min", json_integer(t->n_min));
    }
    if (t->n_max == OVSDB_UNLIMITED) {
        json_object_set_new(o, "max", json_string("unlimited"));
    } else if (t->n_max != 1) {
        json_object_set_new(o, "max", json_integer(t->n_max));
    }
    return o;
}

char *
ovsdb_type_to_english(const struct ovsdb_type *t)
{
    const char *k = ovsdb_atomic_type_name(t->key.type);
    const char *v = ovsdb_atomic_type_name(t->value.type);
    char *s = NULL;
    char pl[64];
    int r;

    if (ovsdb_type_is_map(t)) {
        snprintf(pl, sizeof pl, "(%s, %s) pairs", k, v);
    } else {
        snprintf(pl, sizeof pl, "%ss", k);
    }
    const char *what = ovsdb_type_is_map(t) ? "map" : "set";
    if (!ovsdb_type_is_map(t) && t->n_min == 1 && t->n_max == 1) {
        r = asprintf(&s, "%s", k);
    } else if (t->n_min == 0 && t->n_max == OVSDB_UNLIMITED) {
        r = asprintf(&s, "%s of %s", what, pl);
    } else if (t->n_min == 0) {
        r = asprintf(&s, "%s of up to %u %s", what, t->n_max, pl);
    } else if (t->n_max == OVSDB_UNLIMITED) {
        r = asprintf(&s, "%s of %u or more %s", what, t->n_min, pl);
    } else {
        r = asprintf(&s, "%s of %u to %u %s", what, t->n_min, t->n_max, pl);
    }
    return r < 0 ? NULL : s;
}

bool
ovsdb_is_id(const char *s)
{
    if (!s || !(isalpha((unsigned char) *s) || *s == '_')) {
        return false;
    }
    for (s++; *s; s++) {
        if (!isalnum((unsigned char) *s) && *s != '_') {
            return false;
        }
    }
    return true;
}
