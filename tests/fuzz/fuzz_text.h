/* fuzz_text: what the text fuzzers share: the input as a string, and
 * port names (p0..p9 stand for datapath ports 0..9, both ways). */
#ifndef SLUICE_FUZZ_TEXT_H
#define SLUICE_FUZZ_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The 'size' bytes at 'data' with a NUL after them (free() it). */
static inline char *
fuzz_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) {
        abort();
    }
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

static inline int
fuzz_port_lookup(const char *name, uint32_t *port_no, void *aux)
{
    (void) aux;
    if (name[0] == 'p' && name[1] >= '0' && name[1] <= '9' && !name[2]) {
        *port_no = (uint32_t) (name[1] - '0');
        return 0;
    }
    return -2;      /* -ENOENT */
}

static inline const char *
fuzz_port_name(uint32_t port_no, void *aux)
{
    static const char *const names[] = {
        "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9",
    };
    (void) aux;
    return port_no < 10 ? names[port_no] : NULL;
}

#endif
