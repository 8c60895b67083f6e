/* dstr: growable string buffer. */
#include "src/util/dstr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
dstr_init(struct dstr *d)
{
    d->s = NULL;
    d->len = 0;
    d->cap = 0;
}

void
dstr_free(struct dstr *d)
{
    free(d->s);
    dstr_init(d);
}

void
dstr_clear(struct dstr *d)
{
    d->len = 0;
    if (d->s) {
        d->s[0] = '\0';
    }
}

static void
dstr_reserve(struct dstr *d, size_t extra)
{
    size_t need = d->len + extra + 1;
    if (need <= d->cap) {
        return;
    }
    size_t cap = d->cap ? d->cap : 64;
    while (cap < need) {
        cap *= 2;
    }
    char *s = realloc(d->s, cap);
    if (!s) {
        abort();
    }
    if (!d->s) {
        s[0] = '\0';   /* A fresh buffer must read as "". */
    }
    d->s = s;
    d->cap = cap;
}

void
dstr_putn(struct dstr *d, const char *p, size_t n)
{
    dstr_reserve(d, n);
    memcpy(d->s + d->len, p, n);
    d->len += n;
    d->s[d->len] = '\0';
}

void
dstr_put(struct dstr *d, const char *p)
{
    dstr_putn(d, p, strlen(p));
}

void
dstr_vprintf(struct dstr *d, const char *fmt, va_list args)
{
    if (!fmt) {
        return;     /* Also keeps gcc -fsanitize=undefined from warning. */
    }
    va_list copy;
    va_copy(copy, args);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        return;
    }
    dstr_reserve(d, (size_t) n);
    vsnprintf(d->s + d->len, (size_t) n + 1, fmt, args);
    d->len += (size_t) n;
}

void
dstr_printf(struct dstr *d, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    dstr_vprintf(d, fmt, args);
    va_end(args);
}

const char *
dstr_cstr(struct dstr *d)
{
    dstr_reserve(d, 0);
    return d->s;
}

char *
dstr_steal(struct dstr *d)
{
    dstr_reserve(d, 0);
    char *s = d->s;
    dstr_init(d);
    return s;
}

char *
xasprintf(const char *fmt, ...)
{
    va_list args;
    char *s;

    va_start(args, fmt);
    int n = vasprintf(&s, fmt, args);
    va_end(args);
    if (n < 0) {
        abort();
    }
    return s;
}
