/* ofp_buf: growable byte buffer for OpenFlow messages. */
#include "ofproto/ofp_buf.h"

#include <stdlib.h>
#include <string.h>

void
ofp_buf_free(struct ofp_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void
ofp_buf_clear(struct ofp_buf *b)
{
    b->len = 0;
}

static uint8_t *
ofp_buf_grow(struct ofp_buf *b, size_t n)
{
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap - b->len < n) {
            cap *= 2;
        }
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            abort();
        }
        b->data = d;
        b->cap = cap;
    }
    uint8_t *p = b->data + b->len;
    b->len += n;
    return p;
}

size_t
ofp_buf_put_zeros(struct ofp_buf *b, size_t n)
{
    size_t ofs = b->len;
    if (n) {
        memset(ofp_buf_grow(b, n), 0, n);
    }
    return ofs;
}

void
ofp_buf_put(struct ofp_buf *b, const void *p, size_t n)
{
    if (n) {
        memcpy(ofp_buf_grow(b, n), p, n);
    }
}

void
ofp_buf_put_u8(struct ofp_buf *b, uint8_t v)
{
    *ofp_buf_grow(b, 1) = v;
}

void
ofp_buf_put_u16(struct ofp_buf *b, uint16_t v)
{
    ofp_set_u16(ofp_buf_grow(b, 2), v);
}

void
ofp_buf_put_u32(struct ofp_buf *b, uint32_t v)
{
    ofp_set_u32(ofp_buf_grow(b, 4), v);
}

void
ofp_buf_put_u64(struct ofp_buf *b, uint64_t v)
{
    ofp_set_u64(ofp_buf_grow(b, 8), v);
}

void
ofp_buf_pad8(struct ofp_buf *b, size_t start)
{
    size_t n = (b->len - start) % 8;
    if (n) {
        ofp_buf_put_zeros(b, 8 - n);
    }
}

void
ofp_buf_set_u16(struct ofp_buf *b, size_t ofs, uint16_t v)
{
    ofp_set_u16(b->data + ofs, v);
}

int
ofp_is_zeros(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return 0;
        }
    }
    return 1;
}
