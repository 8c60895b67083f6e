/* ovsdb/error: RFC 7047 error objects. */
#include "ovsdb/error.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

json_t *
ovsdb_error(const char *tag, const char *fmt, ...)
{
    json_t *e = json_object();
    json_object_set_new(e, "error", json_string(tag));
    if (fmt) {
        va_list ap;
        char *s = NULL;
        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0) {
            s = NULL;
        }
        va_end(ap);
        if (s) {
            json_object_set_new(e, "details", json_string(s));
            free(s);
        }
    }
    return e;
}

const char *
ovsdb_error_tag(const json_t *err)
{
    if (!json_is_object(err)) {
        return NULL;
    }
    return json_string_value(json_object_get(err, "error"));
}

const char *
ovsdb_error_details(const json_t *err)
{
    const char *s = json_string_value(json_object_get(err, "details"));
    return s ? s : "";
}

/* 'j' with integral reals as integers: ovsdb-server writes 2.0 as 2. */
static json_t *
integral_reals(const json_t *j)
{
    if (json_is_real(j)) {
        double d = json_real_value(j);
        if (d == floor(d) && fabs(d) < 9007199254740992.0) {
            return json_integer((json_int_t) d);
        }
    } else if (json_is_array(j)) {
        json_t *a = json_array();
        size_t i;
        json_t *e;
        json_array_foreach((json_t *) j, i, e) {
            json_array_append_new(a, integral_reals(e));
        }
        return a;
    } else if (json_is_object(j)) {
        json_t *o = json_object();
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) j, k, v) {
            json_object_set_new(o, k, integral_reals(v));
        }
        return o;
    }
    return json_incref((json_t *) j);
}

json_t *
ovsdb_error_syntax(json_t *err, const json_t *json)
{
    json_t *copy = json ? integral_reals(json) : NULL;
    char *text = copy ? json_dumps(copy, JSON_ENCODE_ANY | JSON_COMPACT
                                         | JSON_SORT_KEYS) : NULL;
    json_decref(copy);
    if (text && json_is_object(err)) {
        json_object_set_new(err, "syntax", json_string(text));
    }
    free(text);
    return err;
}

json_t *
ovsdb_error_wrap(json_t *err, const char *fmt, ...)
{
    char *prefix = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&prefix, fmt, ap) < 0) {
        prefix = NULL;
    }
    va_end(ap);
    if (prefix && json_is_object(err)) {
        const char *d = ovsdb_error_details(err);
        char *s = NULL;
        if (asprintf(&s, "%s: %s", prefix, d) >= 0) {
            json_object_set_new(err, "details", json_string(s));
            free(s);
        }
    }
    free(prefix);
    return err;
}
