/* ovsdb/datum: OVSDB atoms and datums (RFC 7047 section 5.1). */
#include "ovsdb/datum.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/error.h"
#include "src/util/dstr.h"
#include "src/util/json_text.h"

/* ---- Symbol table ----------------------------------------------------- */

void
ovsdb_symtab_init(struct ovsdb_symtab *st)
{
    memset(st, 0, sizeof *st);
}

void
ovsdb_symtab_destroy(struct ovsdb_symtab *st)
{
    for (size_t i = 0; i < st->n; i++) {
        free(st->syms[i].name);
    }
    free(st->syms);
    memset(st, 0, sizeof *st);
}

struct ovsdb_symbol *
ovsdb_symtab_find(const struct ovsdb_symtab *st, const char *name)
{
    for (size_t i = 0; i < st->n; i++) {
        if (!strcmp(st->syms[i].name, name)) {
            return &st->syms[i];
        }
    }
    return NULL;
}

struct ovsdb_symbol *
ovsdb_symtab_get(struct ovsdb_symtab *st, const char *name)
{
    struct ovsdb_symbol *s = ovsdb_symtab_find(st, name);
    if (s) {
        return s;
    }
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 8;
        st->syms = realloc(st->syms, st->cap * sizeof *st->syms);
        if (!st->syms) {
            abort();
        }
    }
    s = &st->syms[st->n++];
    memset(s, 0, sizeof *s);
    s->name = strdup(name);
    ovsdb_uuid_generate(&s->uuid);
    return s;
}

/* ---- Atoms ------------------------------------------------------------ */

void
ovsdb_atom_init_default(union ovsdb_atom *a, enum ovsdb_atomic_type t)
{
    memset(a, 0, sizeof *a);
    if (t == OVSDB_TYPE_STRING) {
        a->string = strdup("");
    }
}

bool
ovsdb_atom_is_default(const union ovsdb_atom *a, enum ovsdb_atomic_type t)
{
    switch (t) {
    case OVSDB_TYPE_INTEGER:
        return a->integer == 0;
    case OVSDB_TYPE_REAL:
        return a->real == 0.0;
    case OVSDB_TYPE_BOOLEAN:
        return !a->boolean;
    case OVSDB_TYPE_STRING:
        return a->string[0] == '\0';
    case OVSDB_TYPE_UUID:
        return ovsdb_uuid_is_zero(&a->uuid);
    default:
        return true;
    }
}

void
ovsdb_atom_clone(union ovsdb_atom *dst, const union ovsdb_atom *src,
                 enum ovsdb_atomic_type t)
{
    *dst = *src;
    if (t == OVSDB_TYPE_STRING) {
        dst->string = strdup(src->string);
        if (!dst->string) {
            abort();
        }
    }
}

void
ovsdb_atom_destroy(union ovsdb_atom *a, enum ovsdb_atomic_type t)
{
    if (t == OVSDB_TYPE_STRING) {
        free(a->string);
        a->string = NULL;
    }
}

int
ovsdb_atom_compare(const union ovsdb_atom *a, const union ovsdb_atom *b,
                   enum ovsdb_atomic_type t)
{
    switch (t) {
    case OVSDB_TYPE_INTEGER:
        return a->integer < b->integer ? -1 : a->integer > b->integer;
    case OVSDB_TYPE_REAL:
        return a->real < b->real ? -1 : a->real > b->real;
    case OVSDB_TYPE_BOOLEAN:
        return (int) a->boolean - (int) b->boolean;
    case OVSDB_TYPE_STRING:
        return strcmp(a->string, b->string);
    case OVSDB_TYPE_UUID:
        return ovsdb_uuid_compare(&a->uuid, &b->uuid);
    default:
        return 0;
    }
}

static uint32_t
hash_bytes(const void *p, size_t n, uint32_t h)
{
    const uint8_t *b = p;
    h ^= 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 16777619u;
    }
    return h;
}

uint32_t
ovsdb_atom_hash(const union ovsdb_atom *a, enum ovsdb_atomic_type t,
                uint32_t basis)
{
    switch (t) {
    case OVSDB_TYPE_INTEGER:
        return hash_bytes(&a->integer, sizeof a->integer, basis);
    case OVSDB_TYPE_REAL: {
        double d = a->real == 0.0 ? 0.0 : a->real;
        return hash_bytes(&d, sizeof d, basis);
    }
    case OVSDB_TYPE_BOOLEAN:
        return hash_bytes(&a->boolean, sizeof a->boolean, basis);
    case OVSDB_TYPE_STRING:
        return hash_bytes(a->string, strlen(a->string), basis);
    case OVSDB_TYPE_UUID:
        return ovsdb_uuid_hash(&a->uuid) ^ (basis * 0x9e3779b1u);
    default:
        return basis;
    }
}

static json_t *
syntax_error(const json_t *j, const char *text)
{
    return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "%s", text), j);
}

static json_t *
parse_uuid_json(struct ovsdb_uuid *u, const json_t *j,
                struct ovsdb_symtab *st)
{
    const char *tag = json_string_value(json_array_get(j, 0));
    const char *s = json_string_value(json_array_get(j, 1));
    if (json_array_size(j) == 2 && tag && s) {
        if (!strcmp(tag, "uuid")) {
            if (!ovsdb_uuid_from_string(u, s)) {
                return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX,
                                                      "\"%s\" is not a valid "
                                                      "UUID", s), j);
            }
            return NULL;
        }
        if (!strcmp(tag, "named-uuid") && st) {
            if (!ovsdb_is_id(s)) {
                return syntax_error(j, "named-uuid string is not a valid "
                                    "<id>");
            }
            struct ovsdb_symbol *sym = ovsdb_symtab_get(st, s);
            sym->referenced = true;
            *u = sym->uuid;
            return NULL;
        }
    }
    return syntax_error(j, "expected [\"uuid\", <string>]");
}

json_t *
ovsdb_atom_from_json(union ovsdb_atom *a, const struct ovsdb_base_type *base,
                     const json_t *j, struct ovsdb_symtab *st)
{
    memset(a, 0, sizeof *a);
    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        if (json_is_integer(j)) {
            a->integer = json_integer_value(j);
            return NULL;
        }
        break;
    case OVSDB_TYPE_REAL:
        if (json_is_number(j)) {
            a->real = json_number_value(j);
            return NULL;
        }
        break;
    case OVSDB_TYPE_BOOLEAN:
        if (json_is_boolean(j)) {
            a->boolean = json_is_true(j);
            return NULL;
        }
        break;
    case OVSDB_TYPE_STRING:
        if (json_is_string(j)) {
            /* May be invalid UTF-8 (JSON-RPC keeps it, as Open vSwitch
             * does): ovsdb_atom_check_constraints() refuses it. */
            a->string = strdup(json_string_value(j));
            return NULL;
        }
        break;
    case OVSDB_TYPE_UUID:
        if (json_is_array(j)) {
            return parse_uuid_json(&a->uuid, j, st);
        }
        break;
    default:
        break;
    }
    if (base->type == OVSDB_TYPE_UUID) {
        return syntax_error(j, "expected [\"uuid\", <string>]");
    }
    json_t *err = ovsdb_error(OVSDB_E_SYNTAX, "expected %s",
                              ovsdb_atomic_type_name(base->type));
    return ovsdb_error_syntax(err, j);
}

json_t *
ovsdb_atom_to_json(const union ovsdb_atom *a, enum ovsdb_atomic_type t)
{
    char buf[OVSDB_UUID_LEN + 1];

    switch (t) {
    case OVSDB_TYPE_INTEGER:
        return json_integer(a->integer);
    case OVSDB_TYPE_REAL: {
        /* As ovsdb-server writes them: 15 significant digits ("%.15g":
         * 0.3 for 0.30000000000000004), and 3, not 3.0. */
        char buf[64];
        snprintf(buf, sizeof buf, "%.15g", a->real);
        double d = strtod(buf, NULL);
        if (d == floor(d) && fabs(d) < 9007199254740992.0) {
            return json_integer((json_int_t) d);
        }
        return json_real(d);
    }
    case OVSDB_TYPE_BOOLEAN:
        return json_boolean(a->boolean);
    case OVSDB_TYPE_STRING:
        return json_string_nocheck(a->string);
    case OVSDB_TYPE_UUID:
        ovsdb_uuid_format(&a->uuid, buf);
        return json_pack("[ss]", "uuid", buf);
    default:
        return json_null();
    }
}

/* Whether ovsdb-server writes string 's' in quotes in its messages. */
static bool
string_needs_quotes(const char *s)
{
    struct ovsdb_uuid u;
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
          || *s == '_')) {
        return true;
    }
    for (const char *p = s + 1; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'
              || *p == '.')) {
            return true;
        }
    }
    return !strcmp(s, "true") || !strcmp(s, "false")
           || ovsdb_uuid_from_string(&u, s);
}

static char *
quoted(const char *s)
{
    /* Bytes as they are (ovsdb-server quotes invalid UTF-8 too). */
    struct dstr out = DSTR_INIT;
    json_text_write_string(&out, s, strlen(s));
    return dstr_steal(&out);
}

char *
ovsdb_atom_to_string(const union ovsdb_atom *a, enum ovsdb_atomic_type t)
{
    char *s = NULL;
    char buf[OVSDB_UUID_LEN + 1];
    int r;

    switch (t) {
    case OVSDB_TYPE_INTEGER:
        r = asprintf(&s, "%" PRId64, a->integer);
        break;
    case OVSDB_TYPE_REAL:
        r = asprintf(&s, "%.15g", a->real);
        break;
    case OVSDB_TYPE_BOOLEAN:
        r = asprintf(&s, "%s", a->boolean ? "true" : "false");
        break;
    case OVSDB_TYPE_STRING:
        if (string_needs_quotes(a->string)) {
            return quoted(a->string);
        }
        r = asprintf(&s, "%s", a->string);
        break;
    case OVSDB_TYPE_UUID:
        ovsdb_uuid_format(&a->uuid, buf);
        r = asprintf(&s, "%s", buf);
        break;
    default:
        r = asprintf(&s, "?");
        break;
    }
    return r < 0 ? NULL : s;
}

/* Number of UTF-8 characters of valid UTF-8 's'. */
static size_t
utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char) *s & 0xc0) != 0x80;
    }
    return n;
}

/* "[a, b, c]": the values of a set, as ovsdb-server lists them. */
static char *
set_to_string(const struct ovsdb_datum *d, enum ovsdb_atomic_type t)
{
    struct dstr out = DSTR_INIT;
    dstr_put(&out, "[");
    for (size_t i = 0; i < d->n; i++) {
        char *s = ovsdb_atom_to_string(&d->keys[i], t);
        dstr_printf(&out, "%s%s", i ? ", " : "", s ? s : "?");
        free(s);
    }
    dstr_put(&out, "]");
    char *text = strdup(dstr_cstr(&out));
    dstr_free(&out);
    return text;
}

char *
ovsdb_datum_to_string(const struct ovsdb_datum *d, const struct ovsdb_type *t)
{
    bool map = ovsdb_type_is_map(t);
    if (!map && t->n_max == 1 && d->n == 1) {
        return ovsdb_atom_to_string(&d->keys[0], t->key.type);
    }
    struct dstr out = DSTR_INIT;
    dstr_put(&out, map ? "{" : "[");
    for (size_t i = 0; i < d->n; i++) {
        char *k = ovsdb_atom_to_string(&d->keys[i], t->key.type);
        dstr_printf(&out, "%s%s", i ? ", " : "", k ? k : "?");
        free(k);
        if (map) {
            char *v = ovsdb_atom_to_string(&d->values[i], t->value.type);
            dstr_printf(&out, "=%s", v ? v : "?");
            free(v);
        }
    }
    dstr_put(&out, map ? "}" : "]");
    char *text = strdup(dstr_cstr(&out));
    dstr_free(&out);
    return text;
}

static json_t *
string_length_error(const char *s, size_t n, const char *what, unsigned lim)
{
    char *q = quoted(s);
    json_t *err = ovsdb_error(OVSDB_E_CONSTRAINT, "%s length %zu is %s "
                              "allowed length %u", q ? q : "string", n, what,
                              lim);
    free(q);
    return err;
}

json_t *
ovsdb_atom_check_constraints(const union ovsdb_atom *a,
                             const struct ovsdb_base_type *b)
{
    if (b->enum_
        && ovsdb_datum_find_key(b->enum_, a, b->type) == SIZE_MAX) {
        char *s = ovsdb_atom_to_string(a, b->type);
        char *all = set_to_string(b->enum_, b->type);
        json_t *err = ovsdb_error(OVSDB_E_CONSTRAINT, "%s is not one of the "
                                  "allowed values (%s)", s ? s : "value",
                                  all ? all : "?");
        free(s);
        free(all);
        return err;
    }
    switch (b->type) {
    case OVSDB_TYPE_INTEGER:
        if (a->integer >= b->min_int && a->integer <= b->max_int) {
            break;
        } else if (b->min_int != INT64_MIN && b->max_int != INT64_MAX) {
            return ovsdb_error(OVSDB_E_CONSTRAINT, "%" PRId64 " is not in "
                               "the valid range %" PRId64 " to %" PRId64
                               " (inclusive)", a->integer, b->min_int,
                               b->max_int);
        } else if (b->min_int != INT64_MIN) {
            return ovsdb_error(OVSDB_E_CONSTRAINT, "%" PRId64 " is less than "
                               "minimum allowed value %" PRId64, a->integer,
                               b->min_int);
        }
        return ovsdb_error(OVSDB_E_CONSTRAINT, "%" PRId64 " is greater than "
                           "maximum allowed value %" PRId64, a->integer,
                           b->max_int);
    case OVSDB_TYPE_REAL:
        if (a->real >= b->min_real && a->real <= b->max_real) {
            break;
        } else if (b->min_real != -DBL_MAX && b->max_real != DBL_MAX) {
            return ovsdb_error(OVSDB_E_CONSTRAINT, "%.15g is not in the "
                               "valid range %.15g to %.15g (inclusive)",
                               a->real, b->min_real, b->max_real);
        } else if (b->min_real != -DBL_MAX) {
            return ovsdb_error(OVSDB_E_CONSTRAINT, "%.15g is less than "
                               "minimum allowed value %.15g", a->real,
                               b->min_real);
        }
        return ovsdb_error(OVSDB_E_CONSTRAINT, "%.15g is greater than "
                           "maximum allowed value %.15g", a->real,
                           b->max_real);
    case OVSDB_TYPE_STRING: {
        char buf[80];
        const char *bad = json_text_utf8_error(a->string, strlen(a->string),
                                               buf, sizeof buf);
        if (bad) {
            return ovsdb_error(OVSDB_E_CONSTRAINT, "not a valid UTF-8 "
                               "string: %s", bad);
        }
        size_t n = utf8_len(a->string);
        if (n < b->min_len) {
            return string_length_error(a->string, n, "less than minimum",
                                       b->min_len);
        }
        if (b->max_len != OVSDB_UNLIMITED && n > b->max_len) {
            return string_length_error(a->string, n, "greater than maximum",
                                       b->max_len);
        }
        break;
    }
    default:
        break;
    }
    return NULL;
}

/* ---- Datums ----------------------------------------------------------- */

void
ovsdb_datum_init_empty(struct ovsdb_datum *d)
{
    d->n = 0;
    d->keys = NULL;
    d->values = NULL;
}

static void
datum_reserve(struct ovsdb_datum *d, size_t n, bool map)
{
    d->keys = realloc(d->keys, (n ? n : 1) * sizeof *d->keys);
    if (!d->keys) {
        abort();
    }
    if (map) {
        d->values = realloc(d->values, (n ? n : 1) * sizeof *d->values);
        if (!d->values) {
            abort();
        }
    }
}

void
ovsdb_datum_init_default(struct ovsdb_datum *d, const struct ovsdb_type *t)
{
    ovsdb_datum_init_empty(d);
    if (t->n_min == 0) {
        return;
    }
    datum_reserve(d, 1, ovsdb_type_is_map(t));
    ovsdb_atom_init_default(&d->keys[0], t->key.type);
    if (ovsdb_type_is_map(t)) {
        ovsdb_atom_init_default(&d->values[0], t->value.type);
    }
    d->n = 1;
}

bool
ovsdb_datum_is_default(const struct ovsdb_datum *d,
                       const struct ovsdb_type *t)
{
    if (t->n_min == 0) {
        return d->n == 0;
    }
    return d->n == 1 && ovsdb_atom_is_default(&d->keys[0], t->key.type)
           && (!ovsdb_type_is_map(t)
               || ovsdb_atom_is_default(&d->values[0], t->value.type));
}

void
ovsdb_datum_clone(struct ovsdb_datum *dst, const struct ovsdb_datum *src,
                  const struct ovsdb_type *t)
{
    bool map = ovsdb_type_is_map(t);
    ovsdb_datum_init_empty(dst);
    if (!src->n) {
        return;
    }
    datum_reserve(dst, src->n, map);
    for (size_t i = 0; i < src->n; i++) {
        ovsdb_atom_clone(&dst->keys[i], &src->keys[i], t->key.type);
        if (map) {
            ovsdb_atom_clone(&dst->values[i], &src->values[i],
                             t->value.type);
        }
    }
    dst->n = src->n;
}

void
ovsdb_datum_destroy(struct ovsdb_datum *d, const struct ovsdb_type *t)
{
    for (size_t i = 0; i < d->n; i++) {
        ovsdb_atom_destroy(&d->keys[i], t->key.type);
        if (d->values) {
            ovsdb_atom_destroy(&d->values[i], t->value.type);
        }
    }
    free(d->keys);
    free(d->values);
    ovsdb_datum_init_empty(d);
}

void
ovsdb_datum_swap(struct ovsdb_datum *a, struct ovsdb_datum *b)
{
    struct ovsdb_datum tmp = *a;
    *a = *b;
    *b = tmp;
}

void
ovsdb_datum_append(struct ovsdb_datum *d, const union ovsdb_atom *key,
                   const union ovsdb_atom *value, const struct ovsdb_type *t)
{
    bool map = ovsdb_type_is_map(t);
    datum_reserve(d, d->n + 1, map);
    d->keys[d->n] = *key;
    if (map) {
        d->values[d->n] = *value;
    }
    d->n++;
}

void
ovsdb_datum_remove(struct ovsdb_datum *d, size_t idx,
                   const struct ovsdb_type *t)
{
    ovsdb_atom_destroy(&d->keys[idx], t->key.type);
    memmove(&d->keys[idx], &d->keys[idx + 1],
            (d->n - idx - 1) * sizeof *d->keys);
    if (d->values) {
        ovsdb_atom_destroy(&d->values[idx], t->value.type);
        memmove(&d->values[idx], &d->values[idx + 1],
                (d->n - idx - 1) * sizeof *d->values);
    }
    d->n--;
}

struct pair {
    union ovsdb_atom key, value;
    size_t idx;                 /* Position before the sort. */
};

/* By key, then by position: equal keys keep their order, so a
 * deduplicating sort keeps the first of each. */
static int
pair_cmp(const void *a_, const void *b_, void *type_)
{
    const struct pair *a = a_, *b = b_;
    const enum ovsdb_atomic_type *t = type_;
    int c = ovsdb_atom_compare(&a->key, &b->key, *t);
    return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

size_t
ovsdb_datum_sort(struct ovsdb_datum *d, const struct ovsdb_type *t,
                 bool dedup)
{
    bool map = ovsdb_type_is_map(t);
    enum ovsdb_atomic_type kt = t->key.type;
    size_t dups = 0;

    if (d->n < 2) {
        return 0;
    }
    struct pair *p = malloc(d->n * sizeof *p);
    if (!p) {
        abort();
    }
    for (size_t i = 0; i < d->n; i++) {
        p[i].key = d->keys[i];
        p[i].idx = i;
        if (map) {
            p[i].value = d->values[i];
        }
    }
    qsort_r(p, d->n, sizeof *p, pair_cmp, &kt);
    size_t out = 0;
    for (size_t i = 0; i < d->n; i++) {
        /* Compare with the last element kept: p[out - 1] may be an
         * element already destroyed as a duplicate. */
        if (out && !ovsdb_atom_compare(&p[i].key, &d->keys[out - 1], kt)) {
            dups++;
            if (dedup) {
                ovsdb_atom_destroy(&p[i].key, kt);
                if (map) {
                    ovsdb_atom_destroy(&p[i].value, t->value.type);
                }
                continue;
            }
        }
        d->keys[out] = p[i].key;
        if (map) {
            d->values[out] = p[i].value;
        }
        out++;
    }
    d->n = out;
    free(p);
    return dups;
}

/* One atom; with 'strict', checked against the base type's
 * constraints as well. */
static json_t *
atom_parse(union ovsdb_atom *a, const struct ovsdb_base_type *base,
           const json_t *j, struct ovsdb_symtab *st, bool strict)
{
    json_t *err = ovsdb_atom_from_json(a, base, j, st);
    if (!err && strict) {
        err = ovsdb_atom_check_constraints(a, base);
        if (err) {
            ovsdb_atom_destroy(a, base->type);
        }
    }
    return err;
}

static json_t *
size_error(const json_t *j, const struct ovsdb_type *t, size_t n)
{
    const char *what = ovsdb_type_is_map(t) ? "map" : "set";
    json_t *err;
    if (t->n_min == 1 && t->n_max == 1) {
        err = ovsdb_error(OVSDB_E_SYNTAX, "%s must have exactly one member "
                          "but %zu are present", what, n);
    } else {
        err = ovsdb_error(OVSDB_E_SYNTAX, "%s must have %u to %u members but "
                          "%zu are present", what, t->n_min, t->n_max, n);
    }
    return ovsdb_error_syntax(err, j);
}

static json_t *
datum_parse(struct ovsdb_datum *d, const struct ovsdb_type *t,
            const json_t *j, struct ovsdb_symtab *st, bool strict)
{
    bool map = ovsdb_type_is_map(t);
    const char *tag = json_is_array(j) && json_array_size(j) > 0
                      ? json_string_value(json_array_get(j, 0)) : NULL;
    json_t *err = NULL;

    ovsdb_datum_init_empty(d);
    if (!map && !(tag && !strcmp(tag, "set"))) {
        union ovsdb_atom a;
        err = atom_parse(&a, &t->key, j, st, strict);
        if (!err) {
            ovsdb_datum_append(d, &a, NULL, t);
        }
        return err;
    }

    const json_t *elems = json_array_get(j, 1);
    if (!tag || strcmp(tag, map ? "map" : "set") || json_array_size(j) != 2
        || !json_is_array(elems)) {
        return syntax_error(j, map ? "expected [\"map\", <array>]"
                                   : "expected [\"set\", <array>]");
    }
    size_t n = json_array_size(elems);
    if (strict && (n < t->n_min || n > t->n_max)) {
        return size_error(j, t, n);
    }

    size_t i;
    const json_t *e;
    datum_reserve(d, n, map);
    json_array_foreach(elems, i, e) {
        union ovsdb_atom k, v;
        if (map) {
            if (!json_is_array(e) || json_array_size(e) != 2) {
                err = syntax_error(e, "expected 2-element array");
                break;
            }
            err = atom_parse(&k, &t->key, json_array_get(e, 0), st, strict);
            if (err) {
                break;
            }
            err = atom_parse(&v, &t->value, json_array_get(e, 1), st,
                             strict);
            if (err) {
                ovsdb_atom_destroy(&k, t->key.type);
                break;
            }
        } else {
            err = atom_parse(&k, &t->key, e, st, strict);
            if (err) {
                break;
            }
        }
        ovsdb_datum_append(d, &k, map ? &v : NULL, t);
    }
    if (!err && ovsdb_datum_sort(d, t, false)) {
        /* As ovsdb-server, for column values and arguments alike. */
        err = ovsdb_error(OVSDB_E_GENERIC, map ? "map contains duplicate key"
                                               : "set contains duplicate");
    }
    if (err) {
        ovsdb_datum_destroy(d, t);
    }
    return err;
}

json_t *
ovsdb_datum_from_json(struct ovsdb_datum *d, const struct ovsdb_type *t,
                      const json_t *j, struct ovsdb_symtab *st)
{
    return datum_parse(d, t, j, st, true);
}

json_t *
ovsdb_datum_from_json_loose(struct ovsdb_datum *d, const struct ovsdb_type *t,
                            const json_t *j, struct ovsdb_symtab *st)
{
    return datum_parse(d, t, j, st, false);
}

json_t *
ovsdb_datum_to_json(const struct ovsdb_datum *d, const struct ovsdb_type *t)
{
    if (ovsdb_type_is_map(t)) {
        json_t *a = json_array();
        for (size_t i = 0; i < d->n; i++) {
            json_array_append_new(a, json_pack("[oo]",
                ovsdb_atom_to_json(&d->keys[i], t->key.type),
                ovsdb_atom_to_json(&d->values[i], t->value.type)));
        }
        return json_pack("[so]", "map", a);
    }
    if (d->n == 1) {
        return ovsdb_atom_to_json(&d->keys[0], t->key.type);
    }
    json_t *a = json_array();
    for (size_t i = 0; i < d->n; i++) {
        json_array_append_new(a, ovsdb_atom_to_json(&d->keys[i],
                                                    t->key.type));
    }
    return json_pack("[so]", "set", a);
}

json_t *
ovsdb_datum_check_atoms(const struct ovsdb_datum *d,
                        const struct ovsdb_type *t)
{
    for (size_t i = 0; i < d->n; i++) {
        json_t *err = ovsdb_atom_check_constraints(&d->keys[i], &t->key);
        if (!err && ovsdb_type_is_map(t)) {
            err = ovsdb_atom_check_constraints(&d->values[i], &t->value);
        }
        if (err) {
            return err;
        }
    }
    return NULL;
}

json_t *
ovsdb_datum_check_constraints(const struct ovsdb_datum *d,
                              const struct ovsdb_type *t)
{
    if (d->n < t->n_min) {
        return ovsdb_error(OVSDB_E_CONSTRAINT, "%zu values when type "
                           "requires at least %u", d->n, t->n_min);
    }
    if (t->n_max != OVSDB_UNLIMITED && d->n > t->n_max) {
        return ovsdb_error(OVSDB_E_CONSTRAINT, "%zu values when type "
                           "allows at most %u", d->n, t->n_max);
    }
    return ovsdb_datum_check_atoms(d, t);
}

int
ovsdb_datum_compare(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
                    const struct ovsdb_type *t)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        int c = ovsdb_atom_compare(&a->keys[i], &b->keys[i], t->key.type);
        if (!c && ovsdb_type_is_map(t)) {
            c = ovsdb_atom_compare(&a->values[i], &b->values[i],
                                   t->value.type);
        }
        if (c) {
            return c;
        }
    }
    return a->n < b->n ? -1 : a->n > b->n;
}

bool
ovsdb_datum_equals(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
                   const struct ovsdb_type *t)
{
    return a->n == b->n && !ovsdb_datum_compare(a, b, t);
}

uint32_t
ovsdb_datum_hash(const struct ovsdb_datum *d, const struct ovsdb_type *t,
                 uint32_t basis)
{
    uint32_t h = basis ^ (uint32_t) d->n;
    for (size_t i = 0; i < d->n; i++) {
        h = ovsdb_atom_hash(&d->keys[i], t->key.type, h);
        if (ovsdb_type_is_map(t)) {
            h = ovsdb_atom_hash(&d->values[i], t->value.type, h);
        }
    }
    return h;
}

size_t
ovsdb_datum_find_key(const struct ovsdb_datum *d, const union ovsdb_atom *key,
                     enum ovsdb_atomic_type kt)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = ovsdb_atom_compare(key, &d->keys[mid], kt);
        if (!c) {
            return mid;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return SIZE_MAX;
}

/* Whether element 'i' of 'b' is in 'a'. */
static bool
has_elem(const struct ovsdb_datum *a, const struct ovsdb_datum *b, size_t i,
         const struct ovsdb_type *t)
{
    size_t j = ovsdb_datum_find_key(a, &b->keys[i], t->key.type);
    if (j == SIZE_MAX) {
        return false;
    }
    return !ovsdb_type_is_map(t)
           || !ovsdb_atom_compare(&a->values[j], &b->values[i],
                                  t->value.type);
}

bool
ovsdb_datum_includes_all(const struct ovsdb_datum *a,
                         const struct ovsdb_datum *b,
                         const struct ovsdb_type *t)
{
    for (size_t i = 0; i < b->n; i++) {
        if (!has_elem(a, b, i, t)) {
            return false;
        }
    }
    return true;
}

bool
ovsdb_datum_excludes_all(const struct ovsdb_datum *a,
                         const struct ovsdb_datum *b,
                         const struct ovsdb_type *t)
{
    for (size_t i = 0; i < b->n; i++) {
        if (has_elem(a, b, i, t)) {
            return false;
        }
    }
    return true;
}

void
ovsdb_datum_union(struct ovsdb_datum *a, const struct ovsdb_datum *b,
                  const struct ovsdb_type *t)
{
    bool map = ovsdb_type_is_map(t);
    size_t n0 = a->n;
    bool added = false;

    for (size_t i = 0; i < b->n; i++) {
        struct ovsdb_datum head = { n0, a->keys, a->values };
        if (ovsdb_datum_find_key(&head, &b->keys[i], t->key.type)
            != SIZE_MAX) {
            continue;
        }
        union ovsdb_atom k, v;
        ovsdb_atom_clone(&k, &b->keys[i], t->key.type);
        if (map) {
            ovsdb_atom_clone(&v, &b->values[i], t->value.type);
        }
        ovsdb_datum_append(a, &k, map ? &v : NULL, t);
        added = true;
    }
    if (added) {
        ovsdb_datum_sort(a, t, true);
    }
}

void
ovsdb_datum_subtract(struct ovsdb_datum *a, const struct ovsdb_type *a_type,
                     const struct ovsdb_datum *b,
                     const struct ovsdb_type *b_type)
{
    bool pairs = ovsdb_type_is_map(a_type) && ovsdb_type_is_map(b_type);
    for (size_t i = 0; i < b->n; i++) {
        size_t j = ovsdb_datum_find_key(a, &b->keys[i], a_type->key.type);
        if (j == SIZE_MAX) {
            continue;
        }
        if (pairs && ovsdb_atom_compare(&a->values[j], &b->values[i],
                                        a_type->value.type)) {
            continue;
        }
        ovsdb_datum_remove(a, j, a_type);
    }
}

/* Appends copies of 'key' and, for a map, 'value' to 'd'. */
static void
append_clone(struct ovsdb_datum *d, const union ovsdb_atom *key,
             const union ovsdb_atom *value, const struct ovsdb_type *t)
{
    union ovsdb_atom k, v;
    ovsdb_atom_clone(&k, key, t->key.type);
    if (value) {
        ovsdb_atom_clone(&v, value, t->value.type);
    }
    ovsdb_datum_append(d, &k, value ? &v : NULL, t);
}

json_t *
ovsdb_datum_apply_diff(struct ovsdb_datum *new, const struct ovsdb_datum *old,
                       const struct ovsdb_datum *diff,
                       const struct ovsdb_type *t)
{
    bool map = ovsdb_type_is_map(t);
    enum ovsdb_atomic_type kt = t->key.type;

    if (t->n_max <= 1) {
        ovsdb_datum_clone(new, diff, t);
    } else {
        /* Both are sorted by key: merge them. */
        size_t i = 0, j = 0;
        ovsdb_datum_init_empty(new);
        while (i < old->n || j < diff->n) {
            int c = i == old->n ? 1
                    : j == diff->n ? -1
                    : ovsdb_atom_compare(&old->keys[i], &diff->keys[j], kt);
            if (c < 0) {                /* Unchanged. */
                append_clone(new, &old->keys[i],
                             map ? &old->values[i] : NULL, t);
                i++;
            } else if (c > 0) {         /* Added. */
                append_clone(new, &diff->keys[j],
                             map ? &diff->values[j] : NULL, t);
                j++;
            } else {                    /* Removed, or a new value. */
                if (map && ovsdb_atom_compare(&old->values[i],
                                              &diff->values[j],
                                              t->value.type)) {
                    append_clone(new, &old->keys[i], &diff->values[j], t);
                }
                i++;
                j++;
            }
        }
    }
    if (new->n < t->n_min || new->n > t->n_max) {
        size_t n = new->n;
        ovsdb_datum_destroy(new, t);
        if (t->n_max == OVSDB_UNLIMITED) {
            return ovsdb_error(OVSDB_E_CONSTRAINT, "the difference leaves "
                               "%zu elements, not at least %u", n, t->n_min);
        }
        return ovsdb_error(OVSDB_E_CONSTRAINT, "the difference leaves %zu "
                           "elements, not %u to %u", n, t->n_min, t->n_max);
    }
    return NULL;
}
