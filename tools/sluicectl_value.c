/* sluicectl_value: ovs-vsctl's value syntax. */
#include "tools/sluicectl_value.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ovsdb/error.h"
#include "src/util/dstr.h"

#define MAX_RANGE 4096          /* Elements of one integer range. */

/* ---- Parsing ---------------------------------------------------------- */

static struct ovsdb_symtab *symtab;

void
sctl_value_set_symtab(struct ovsdb_symtab *st)
{
    symtab = st;
}

/* Is 's' valid UTF-8 (as OVSDB strings must be)? */
static bool
utf8_ok(const char *s)
{
    json_t *j = json_string(s);     /* NULL if it is not. */
    json_decref(j);
    return j != NULL;
}

/* Decodes the JSON string literal 's' (with its quotes). */
static char *
unquote(const char *s, char **out)
{
    json_error_t jerr;
    json_t *j = json_loads(s, JSON_DECODE_ANY, &jerr);
    if (!json_is_string(j)) {
        json_decref(j);
        return xasprintf("%s: invalid quoted string", s);
    }
    *out = strdup(json_string_value(j));
    json_decref(j);
    if (!*out) {
        abort();
    }
    return NULL;
}

char *
sctl_atom_from_string(union ovsdb_atom *atom,
                      const struct ovsdb_base_type *base, const char *s,
                      bool check)
{
    char *end;
    memset(atom, 0, sizeof *atom);
    switch (base->type) {
    case OVSDB_TYPE_INTEGER: {
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || end == s || *end || isspace((unsigned char) *s)) {
            return xasprintf("\"%s\" is not a valid integer", s);
        }
        atom->integer = v;
        break;
    }
    case OVSDB_TYPE_REAL: {
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || *end || !isfinite(v)
            || isspace((unsigned char) *s)) {
            return xasprintf("\"%s\" is not a valid real number", s);
        }
        atom->real = v;
        break;
    }
    case OVSDB_TYPE_BOOLEAN:
        if (!strcmp(s, "true")) {
            atom->boolean = true;
        } else if (!strcmp(s, "false")) {
            atom->boolean = false;
        } else {
            return xasprintf("\"%s\" is not a valid boolean (use \"true\" "
                             "or \"false\")", s);
        }
        break;
    case OVSDB_TYPE_STRING:
        if (*s == '"') {
            char *err = unquote(s, &atom->string);
            if (err) {
                return err;
            }
        } else if (!*s) {
            return xasprintf("an empty string must be written \"\"");
        } else if (!utf8_ok(s)) {
            return xasprintf("a string is not valid UTF-8");
        } else {
            atom->string = strdup(s);
            if (!atom->string) {
                abort();
            }
        }
        break;
    case OVSDB_TYPE_UUID:
        if (symtab && s[0] == '@' && s[1]) {
            struct ovsdb_symbol *sym = ovsdb_symtab_get(symtab, s);
            sym->referenced = true;
            atom->uuid = sym->uuid;
        } else if (!ovsdb_uuid_from_string(&atom->uuid, s)) {
            return xasprintf("\"%s\" is not a valid UUID", s);
        }
        break;
    case OVSDB_TYPE_VOID:
    default:
        return xasprintf("\"%s\": column type has no value", s);
    }
    if (check) {
        json_t *err = ovsdb_atom_check_constraints(atom, base);
        if (err) {
            char *msg = xasprintf("%s: %s", ovsdb_error_tag(err),
                                  ovsdb_error_details(err));
            json_decref(err);
            ovsdb_atom_destroy(atom, base->type);
            return msg;
        }
    }
    return NULL;
}

/* Cuts the next token off '*pp': a JSON string literal with its quotes,
 * or a run of characters up to whitespace, ',' or one of 'stops'. */
static char *
next_token(const char **pp, const char *stops, char **tokp)
{
    const char *p = *pp, *start = p;
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1]) {
                p++;
            }
        }
        if (*p != '"') {
            return xasprintf("%s: missing closing quote", start);
        }
        p++;
    } else {
        while (*p && !isspace((unsigned char) *p) && *p != ','
               && !strchr(stops, *p)) {
            p++;
        }
    }
    if (p == start) {
        return *p ? xasprintf("unexpected \"%c\" in \"%s\"", *p, start)
                  : xasprintf("missing value");
    }
    *tokp = strndup(start, p - start);
    if (!*tokp) {
        abort();
    }
    *pp = p;
    return NULL;
}

static const char *
skip_space(const char *p)
{
    while (isspace((unsigned char) *p)) {
        p++;
    }
    return p;
}

/* An integer range "A-B" in 'tok' (A <= B, at most MAX_RANGE values)? */
static bool
parse_range(const char *tok, int64_t *a, int64_t *b)
{
    const char *dash = strchr(tok + 1, '-');
    if (!dash) {
        return false;
    }
    char *end;
    errno = 0;
    long long x = strtoll(tok, &end, 10);
    if (errno || end != dash) {
        return false;
    }
    long long y = strtoll(dash + 1, &end, 10);
    if (errno || end == dash + 1 || *end) {
        return false;
    }
    *a = x;
    *b = y;
    return true;
}

/* Parses one element (an atom, a range, or key=value for maps) at '*pp'
 * and appends it to 'd'. */
static char *
parse_element(const char **pp, struct ovsdb_datum *d,
              const struct ovsdb_type *t, bool check)
{
    bool map = ovsdb_type_is_map(t);
    char *tok, *err = next_token(pp, map ? "=[]{}" : "[]{}", &tok);
    if (err) {
        return err;
    }
    union ovsdb_atom key, value;
    int64_t a, b;
    if (!map && t->key.type == OVSDB_TYPE_INTEGER && t->n_max > 1
        && parse_range(tok, &a, &b)) {
        free(tok);
        if (a > b) {
            return xasprintf("%" PRId64 "-%" PRId64 ": the range's end is "
                             "below its start", a, b);
        }
        if ((uint64_t) b - (uint64_t) a >= MAX_RANGE) {
            return xasprintf("%" PRId64 "-%" PRId64 ": a range has at most "
                             "%d values", a, b, MAX_RANGE);
        }
        for (int64_t i = a;; i++) {
            key.integer = i;
            if (check) {
                json_t *e = ovsdb_atom_check_constraints(&key, &t->key);
                if (e) {
                    err = xasprintf("%s: %s", ovsdb_error_tag(e),
                                    ovsdb_error_details(e));
                    json_decref(e);
                    return err;
                }
            }
            ovsdb_datum_append(d, &key, NULL, t);
            if (i == b) {
                break;
            }
        }
        return NULL;
    }
    err = sctl_atom_from_string(&key, &t->key, tok, check);
    free(tok);
    if (err) {
        return err;
    }
    if (map) {
        if (**pp != '=') {
            ovsdb_atom_destroy(&key, t->key.type);
            return xasprintf("missing \"=\" after a map key%s%s",
                             **pp ? " at " : "", *pp);
        }
        (*pp)++;
        err = next_token(pp, "[]{}", &tok);
        if (!err) {
            err = sctl_atom_from_string(&value, &t->value, tok, check);
            free(tok);
        }
        if (err) {
            ovsdb_atom_destroy(&key, t->key.type);
            return err;
        }
    }
    ovsdb_datum_append(d, &key, map ? &value : NULL, t);
    return NULL;
}

char *
sctl_datum_from_string(struct ovsdb_datum *d, const struct ovsdb_type *t,
                       const char *s, bool check)
{
    bool map = ovsdb_type_is_map(t);
    char open = map ? '{' : '[', close = map ? '}' : ']';
    const char *p = skip_space(s);
    bool bracket = *p == open;
    char *err = NULL;

    ovsdb_datum_init_empty(d);
    if (bracket) {
        p++;
    }
    for (bool first = true;; first = false) {
        bool comma = false;
        p = skip_space(p);
        if (!first && *p == ',') {
            p = skip_space(p + 1);
            comma = true;
        }
        if (!*p || (bracket && *p == close)) {
            if (comma) {
                err = xasprintf("\"%s\": a value is missing after \",\"", s);
            }
            break;
        }
        err = parse_element(&p, d, t, check);
        if (err) {
            break;
        }
    }
    if (!err && bracket) {
        if (*p != close) {
            err = xasprintf("\"%s\": missing \"%c\"", s, close);
        } else if (*skip_space(p + 1)) {
            err = xasprintf("\"%s\": garbage after \"%c\"", s, close);
        }
    }
    if (!err) {
        size_t dups = ovsdb_datum_sort(d, t, !check);
        if (dups && check) {
            err = xasprintf("\"%s\": duplicate %s", s,
                            map ? "keys" : "values");
        }
    }
    if (!err && check) {
        json_t *e = ovsdb_datum_check_constraints(d, t);
        if (e) {
            err = xasprintf("%s: %s", ovsdb_error_tag(e),
                            ovsdb_error_details(e));
            json_decref(e);
        }
    }
    if (err) {
        ovsdb_datum_destroy(d, t);
        ovsdb_datum_init_empty(d);
    }
    return err;
}

/* ---- Formatting ------------------------------------------------------- */

bool
sctl_string_needs_quotes(const char *s)
{
    if (!isalpha((unsigned char) *s) && *s != '_') {
        return true;
    }
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char) *p) && *p != '_' && *p != '-'
            && *p != '.') {
            return true;
        }
    }
    struct ovsdb_uuid u;
    return !strcmp(s, "true") || !strcmp(s, "false")
           || ovsdb_uuid_from_string(&u, s);
}

static void
put_real(double v, struct dstr *out)
{
    char buf[64];
    /* The shortest form that reads back as the same number. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) {
            break;
        }
    }
    dstr_put(out, buf);
}

void
sctl_atom_to_string(const union ovsdb_atom *a, enum ovsdb_atomic_type type,
                    bool bare, struct dstr *out)
{
    char buf[OVSDB_UUID_LEN + 1];
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        dstr_printf(out, "%" PRId64, a->integer);
        break;
    case OVSDB_TYPE_REAL:
        put_real(a->real, out);
        break;
    case OVSDB_TYPE_BOOLEAN:
        dstr_put(out, a->boolean ? "true" : "false");
        break;
    case OVSDB_TYPE_STRING:
        if (bare || !sctl_string_needs_quotes(a->string)) {
            dstr_put(out, a->string);
        } else {
            json_t *j = json_stringn_nocheck(a->string, strlen(a->string));
            char *q = json_dumps(j, JSON_ENCODE_ANY);
            dstr_put(out, q ? q : "\"?\"");
            free(q);
            json_decref(j);
        }
        break;
    case OVSDB_TYPE_UUID:
        ovsdb_uuid_format(&a->uuid, buf);
        dstr_put(out, buf);
        break;
    case OVSDB_TYPE_VOID:
    default:
        break;
    }
}

void
sctl_datum_to_string(const struct ovsdb_datum *d, const struct ovsdb_type *t,
                     bool bare, struct dstr *out)
{
    bool map = ovsdb_type_is_map(t);
    bool brackets = !bare && (t->n_max > 1 || !d->n);
    if (brackets) {
        dstr_put(out, map ? "{" : "[");
    }
    for (size_t i = 0; i < d->n; i++) {
        if (i) {
            dstr_put(out, bare ? " " : ", ");
        }
        sctl_atom_to_string(&d->keys[i], t->key.type, bare, out);
        if (map) {
            dstr_put(out, "=");
            sctl_atom_to_string(&d->values[i], t->value.type, bare, out);
        }
    }
    if (brackets) {
        dstr_put(out, map ? "}" : "]");
    }
}
