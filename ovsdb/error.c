/* ovsdb/error: RFC 7047 error objects. */
#include "ovsdb/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util/dstr.h"
#include "src/util/json_text.h"

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
            json_object_set_new(e, "details", json_string_nocheck(s));
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

/* A real as ovsdb-server writes it: %.15g (2 for 2.0, 1e+300, 1e-07). */
static void
put_real(struct dstr *out, double d)
{
    dstr_printf(out, "%.15g", d);
}

static int
compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* 'j' as compact JSON text with sorted object members. */
static void
put_json(struct dstr *out, const json_t *j)
{
    if (json_is_real(j)) {
        put_real(out, json_real_value(j));
    } else if (json_is_array(j)) {
        size_t i;
        json_t *e;
        dstr_put(out, "[");
        json_array_foreach((json_t *) j, i, e) {
            dstr_put(out, i ? "," : "");
            put_json(out, e);
        }
        dstr_put(out, "]");
    } else if (json_is_object(j)) {
        size_t n = json_object_size(j), i = 0;
        const char **keys = calloc(n + 1, sizeof *keys);
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) j, k, v) {
            if (keys) {
                keys[i++] = k;
            }
        }
        qsort(keys, i, sizeof *keys, compare_keys);
        dstr_put(out, "{");
        for (size_t x = 0; x < i; x++) {
            dstr_put(out, x ? "," : "");
            json_text_write_string(out, keys[x], strlen(keys[x]));
            dstr_put(out, ":");
            put_json(out, json_object_get(j, keys[x]));
        }
        dstr_put(out, "}");
        free(keys);
    } else {
        /* Strings as they came (invalid UTF-8 too), as ovsdb-server. */
        json_text_write(out, j);
    }
}

json_t *
ovsdb_error_syntax(json_t *err, const json_t *json)
{
    if (json && json_is_object(err)) {
        struct dstr text = DSTR_INIT;
        put_json(&text, json);
        json_object_set_new(err, "syntax",
                            json_string_nocheck(dstr_cstr(&text)));
        dstr_free(&text);
    }
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
            json_object_set_new(err, "details", json_string_nocheck(s));
            free(s);
        }
    }
    free(prefix);
    return err;
}
