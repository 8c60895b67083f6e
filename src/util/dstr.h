/* dstr: a growable, always NUL-terminated string buffer.
 * Used to build control-socket replies and log lines; never on the packet
 * path. Allocation failure aborts (the control thread cannot go on without
 * memory for a reply). */
#ifndef SLUICE_DSTR_H
#define SLUICE_DSTR_H

#include <stdarg.h>
#include <stddef.h>

struct dstr {
    char *s;        /* Always NUL-terminated once initialised. */
    size_t len;     /* Bytes before the NUL. */
    size_t cap;     /* Bytes allocated. */
};

#define DSTR_INIT { NULL, 0, 0 }

void dstr_init(struct dstr *);
void dstr_free(struct dstr *);
void dstr_clear(struct dstr *);
void dstr_put(struct dstr *, const char *);
void dstr_putn(struct dstr *, const char *, size_t);
void dstr_printf(struct dstr *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void dstr_vprintf(struct dstr *, const char *fmt, va_list);
const char *dstr_cstr(struct dstr *);
char *dstr_steal(struct dstr *);    /* Caller frees; the dstr is reset. */

/* A malloc'd formatted string; aborts when out of memory. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
