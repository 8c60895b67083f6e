/* json_text: a recursive-descent JSON reader building Jansson values, and
 * a compact writer; see json_text.h for how both follow Open vSwitch. */
#include "src/util/json_text.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util/dstr.h"

struct reader {
    const char *p, *end;
    unsigned int depth, max_depth;
    char *err;
    size_t err_size;
    bool failed;
};

static json_t *read_value(struct reader *);

static json_t *
fail(struct reader *r, const char *fmt, ...)
{
    if (!r->failed) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(r->err, r->err_size, fmt, args);
        va_end(args);
        r->failed = true;
    }
    return NULL;
}

static void
skip_space(struct reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n'
                             || *r->p == '\r')) {
        r->p++;
    }
}

static int
hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v |= c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v |= c - 'A' + 10;
        } else {
            return -1;
        }
    }
    return v;
}

static void
put_utf8(struct dstr *s, unsigned int c)
{
    char b[4];
    size_t n;
    if (c < 0x80) {
        b[0] = (char) c;
        n = 1;
    } else if (c < 0x800) {
        b[0] = (char) (0xc0 | (c >> 6));
        b[1] = (char) (0x80 | (c & 0x3f));
        n = 2;
    } else if (c < 0x10000) {
        b[0] = (char) (0xe0 | (c >> 12));
        b[1] = (char) (0x80 | ((c >> 6) & 0x3f));
        b[2] = (char) (0x80 | (c & 0x3f));
        n = 3;
    } else {
        b[0] = (char) (0xf0 | (c >> 18));
        b[1] = (char) (0x80 | ((c >> 12) & 0x3f));
        b[2] = (char) (0x80 | ((c >> 6) & 0x3f));
        b[3] = (char) (0x80 | (c & 0x3f));
        n = 4;
    }
    dstr_putn(s, b, n);
}

/* A string at r->p (its opening quote) into 's'. */
static bool
read_string(struct reader *r, struct dstr *s)
{
    r->p++;
    for (;;) {
        const char *start = r->p;
        while (r->p < r->end && *r->p != '"' && *r->p != '\\'
               && (unsigned char) *r->p >= 0x20) {
            r->p++;
        }
        dstr_putn(s, start, (size_t) (r->p - start));
        if (r->p >= r->end) {
            fail(r, "unexpected end of input in quoted string");
            return false;
        }
        char c = *r->p++;
        if (c == '"') {
            return true;
        } else if (c != '\\') {
            fail(r, "U+%04X must be escaped in quoted string",
                 (unsigned char) c);
            return false;
        }
        if (r->p >= r->end) {
            fail(r, "unexpected end of input in quoted string");
            return false;
        }
        c = *r->p++;
        static const char plain[] = "\"\\/bfnrt";
        static const char value[] = "\"\\/\b\f\n\r\t";
        const char *q = strchr(plain, c);
        if (q && c) {
            dstr_putn(s, &value[q - plain], 1);
            continue;
        }
        int u = c == 'u' && r->end - r->p >= 4 ? hex4(r->p) : -1;
        if (u < 0) {
            fail(r, "bad escape \\%c", c);
            return false;
        }
        r->p += 4;
        if (!u) {
            fail(r, "null bytes not supported in quoted strings");
            return false;
        }
        if (u >= 0xd800 && u <= 0xdbff) {
            int lo = r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u'
                     ? hex4(r->p + 2) : -1;
            if (lo < 0xdc00 || lo > 0xdfff) {
                fail(r, "malformed escaped surrogate pair");
                return false;
            }
            r->p += 6;
            u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        }
        put_utf8(s, (unsigned int) u);  /* A lone low surrogate too. */
    }
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A number, as Open vSwitch's lexer reads it. */
static json_t *
read_number(struct reader *r)
{
    const char *start = r->p;
    bool negative = false;
    uint64_t significand = 0;
    long long pow10 = 0;
    bool imprecise = false;

    if (*r->p == '-') {
        negative = true;
        r->p++;
    }
    if (r->p >= r->end || !is_digit(*r->p)) {
        return fail(r, "'-' must be followed by digit");
    }
    if (*r->p == '0' && r->p + 1 < r->end && is_digit(r->p[1])) {
        return fail(r, "leading zeros not allowed");
    }
    for (int part = 0; part < 2; part++) {
        for (; r->p < r->end && is_digit(*r->p); r->p++) {
            unsigned int d = (unsigned int) (*r->p - '0');
            if (significand <= (UINT64_MAX - d) / 10) {
                significand = significand * 10 + d;
                pow10 -= part;
            } else {
                imprecise = true;
                pow10 += !part;
            }
        }
        if (part || r->p >= r->end || *r->p != '.') {
            break;
        }
        r->p++;
        if (r->p >= r->end || !is_digit(*r->p)) {
            return fail(r, "decimal point must be followed by digit");
        }
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        bool neg_exp = false;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-')) {
            neg_exp = *r->p++ == '-';
        }
        if (r->p >= r->end || !is_digit(*r->p)) {
            return fail(r, "exponent must contain at least one digit");
        }
        long long e = 0;
        for (; r->p < r->end && is_digit(*r->p); r->p++) {
            if (e < 1000000000) {
                e = e * 10 + (*r->p - '0');
            }
        }
        pow10 += neg_exp ? -e : e;
    }
    /* An integral value in range is an integer. */
    while (!imprecise && pow10 < 0 && significand && !(significand % 10)) {
        significand /= 10;
        pow10++;
    }
    if (!imprecise && (pow10 >= 0 || !significand)) {
        uint64_t v = significand;
        bool fits = true;
        for (long long i = 0; significand && i < pow10 && fits; i++) {
            fits = v <= UINT64_MAX / 10;
            v *= 10;
        }
        uint64_t limit = negative ? (uint64_t) INT64_MAX + 1 : INT64_MAX;
        if (fits && v <= limit) {
            return json_integer(negative ? (json_int_t) (0 - v)
                                         : (json_int_t) v);
        }
    }
    char buf[128];
    size_t len = (size_t) (r->p - start);
    char *text = len < sizeof buf ? buf : malloc(len + 1);
    if (!text) {
        return fail(r, "out of memory");
    }
    memcpy(text, start, len);
    text[len] = '\0';
    double d = strtod(text, NULL);
    if (text != buf) {
        free(text);
    }
    if (isinf(d) || isnan(d)) {
        return fail(r, "number outside valid range");
    }
    return json_real(d);
}

static bool
keyword(struct reader *r, const char *word)
{
    size_t n = strlen(word);
    if ((size_t) (r->end - r->p) >= n && !memcmp(r->p, word, n)) {
        r->p += n;
        return true;
    }
    return false;
}

static json_t *
read_container(struct reader *r, bool object)
{
    if (++r->depth > r->max_depth) {
        return fail(r, "input exceeds maximum nesting depth %u",
                    r->max_depth);
    }
    r->p++;
    json_t *c = object ? json_object() : json_array();
    struct dstr key = DSTR_INIT;
    char close = object ? '}' : ']';
    skip_space(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
        r->depth--;
        return c;
    }
    for (;;) {
        skip_space(r);
        if (object) {
            if (r->p >= r->end || *r->p != '"') {
                fail(r, "syntax error parsing object expecting string");
                break;
            }
            dstr_clear(&key);
            if (!read_string(r, &key)) {
                break;
            }
            skip_space(r);
            if (r->p >= r->end || *r->p != ':') {
                fail(r, "syntax error parsing object expecting ':'");
                break;
            }
            r->p++;
        }
        json_t *v = read_value(r);
        if (!v) {
            break;
        }
        if (object) {
            json_object_setn_new_nocheck(c, dstr_cstr(&key), key.len, v);
        } else {
            json_array_append_new(c, v);
        }
        skip_space(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == close) {
            r->p++;
            r->depth--;
            dstr_free(&key);
            return c;
        }
        fail(r, "syntax error expecting '%c' or ','", close);
        break;
    }
    dstr_free(&key);
    json_decref(c);
    return NULL;
}

static json_t *
read_value(struct reader *r)
{
    skip_space(r);
    if (r->p >= r->end) {
        return fail(r, "unexpected end of input");
    }
    char c = *r->p;
    if (c == '{' || c == '[') {
        return read_container(r, c == '{');
    } else if (c == '"') {
        struct dstr s = DSTR_INIT;
        json_t *j = NULL;
        if (read_string(r, &s)) {
            j = json_stringn_nocheck(dstr_cstr(&s), s.len);
        }
        dstr_free(&s);
        return j;
    } else if (c == '-' || is_digit(c)) {
        return read_number(r);
    } else if (keyword(r, "true")) {
        return json_true();
    } else if (keyword(r, "false")) {
        return json_false();
    } else if (keyword(r, "null")) {
        return json_null();
    }
    return fail(r, "syntax error at byte 0x%02x", (unsigned char) c);
}

json_t *
json_text_parse(const char *text, size_t n, unsigned int max_depth,
                char *err, size_t err_size)
{
    struct reader r = {
        .p = text, .end = text + n, .max_depth = max_depth,
        .err = err, .err_size = err_size,
    };
    json_t *j = read_value(&r);
    if (j) {
        skip_space(&r);
        if (r.p != r.end) {
            json_decref(j);
            j = fail(&r, "trailing garbage at end of input");
        }
    }
    return j;
}

/* ---- Writing ---- */

void
json_text_write_string(struct dstr *out, const char *s, size_t n)
{
    dstr_putn(out, "\"", 1);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) s[i];
        const char *esc = NULL;
        char buf[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c < 0x20) {
                snprintf(buf, sizeof buf, "\\u%04x", c);
                esc = buf;
            }
            break;
        }
        if (esc) {
            dstr_putn(out, s + start, i - start);
            dstr_put(out, esc);
            start = i + 1;
        }
    }
    dstr_putn(out, s + start, n - start);
    dstr_putn(out, "\"", 1);
}

void
json_text_write(struct dstr *out, const json_t *j)
{
    size_t i;
    const char *key;
    json_t *v;
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        dstr_putn(out, "{", 1);
        i = 0;
        json_object_foreach((json_t *) j, key, v) {
            if (i++) {
                dstr_putn(out, ",", 1);
            }
            json_text_write_string(out, key, strlen(key));
            dstr_putn(out, ":", 1);
            json_text_write(out, v);
        }
        dstr_putn(out, "}", 1);
        break;
    case JSON_ARRAY:
        dstr_putn(out, "[", 1);
        json_array_foreach((json_t *) j, i, v) {
            if (i) {
                dstr_putn(out, ",", 1);
            }
            json_text_write(out, v);
        }
        dstr_putn(out, "]", 1);
        break;
    case JSON_STRING:
        json_text_write_string(out, json_string_value(j),
                               json_string_length(j));
        break;
    case JSON_INTEGER:
        dstr_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        break;
    case JSON_REAL:
        dstr_printf(out, "%.15g", json_real_value(j));
        break;
    case JSON_TRUE:
        dstr_put(out, "true");
        break;
    case JSON_FALSE:
        dstr_put(out, "false");
        break;
    case JSON_NULL:
    default:
        dstr_put(out, "null");
        break;
    }
}

/* ---- UTF-8 ---- */

const char *
json_text_utf8_error(const char *s_, size_t n, char *buf, size_t size)
{
    const unsigned char *s = (const unsigned char *) s_;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        /* Length and the range of the second byte (Unicode table 3-7). */
        size_t len;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            lo = c == 0xe0 ? 0xa0 : 0x80;
            hi = c == 0xed ? 0x9f : 0xbf;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            lo = c == 0xf0 ? 0x90 : 0x80;
            hi = c == 0xf4 ? 0x8f : 0xbf;
        } else {
            snprintf(buf, size, "invalid UTF-8 sequence 0x%02x", c);
            return buf;
        }
        for (size_t k = 1; k < len; k++) {
            unsigned char b = i + k < n ? s[i + k] : 0;
            bool ok = k == 1 ? b >= lo && b <= hi : b >= 0x80 && b <= 0xbf;
            if (!ok) {
                int w = snprintf(buf, size, "invalid UTF-8 sequence");
                for (size_t x = 0; x <= k && w > 0 && (size_t) w < size;
                     x++) {
                    w += snprintf(buf + w, size - (size_t) w, " 0x%02x",
                                  i + x < n ? s[i + x] : 0);
                }
                return buf;
            }
        }
        i += len;
    }
    return NULL;
}
