/* ofp_buf: a growable byte buffer for building OpenFlow messages, and
 * big-endian accessors for reading them.
 *
 * The OpenFlow encoders append to an 'ofp_buf'; offsets (not pointers)
 * name earlier parts because appending may move the data.  Allocation
 * failure aborts, as dstr does: the control thread cannot answer a peer
 * without memory.  The readers take a pointer that the caller has already
 * checked to have enough bytes. */
#ifndef SLUICE_OFP_BUF_H
#define SLUICE_OFP_BUF_H

#include <stddef.h>
#include <stdint.h>

struct ofp_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

#define OFP_BUF_INIT { NULL, 0, 0 }

void ofp_buf_free(struct ofp_buf *);
void ofp_buf_clear(struct ofp_buf *);

/* Appends 'n' zero bytes; returns their offset. */
size_t ofp_buf_put_zeros(struct ofp_buf *, size_t n);
void ofp_buf_put(struct ofp_buf *, const void *, size_t);
void ofp_buf_put_u8(struct ofp_buf *, uint8_t);
void ofp_buf_put_u16(struct ofp_buf *, uint16_t);
void ofp_buf_put_u32(struct ofp_buf *, uint32_t);
void ofp_buf_put_u64(struct ofp_buf *, uint64_t);
/* Appends zeros until (len - start) is a multiple of 8. */
void ofp_buf_pad8(struct ofp_buf *, size_t start);
/* Writes 'v' big-endian at offset 'ofs' (already inside the buffer). */
void ofp_buf_set_u16(struct ofp_buf *, size_t ofs, uint16_t v);

static inline uint16_t
ofp_get_u16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static inline uint32_t
ofp_get_u32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}

static inline uint64_t
ofp_get_u64(const uint8_t *p)
{
    return (uint64_t) ofp_get_u32(p) << 32 | ofp_get_u32(p + 4);
}

static inline void
ofp_set_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}

static inline void
ofp_set_u32(uint8_t *p, uint32_t v)
{
    ofp_set_u16(p, (uint16_t) (v >> 16));
    ofp_set_u16(p + 2, (uint16_t) v);
}

static inline void
ofp_set_u64(uint8_t *p, uint64_t v)
{
    ofp_set_u32(p, (uint32_t) (v >> 32));
    ofp_set_u32(p + 4, (uint32_t) v);
}

/* Big-endian integers of 1-8 bytes. */
static inline uint64_t
ofp_get_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static inline void
ofp_set_be(uint8_t *p, size_t n, uint64_t v)
{
    for (size_t i = n; i-- > 0;) {
        p[i] = (uint8_t) v;
        v >>= 8;
    }
}

/* True if the 'n' bytes at 'p' are all zero. */
int ofp_is_zeros(const uint8_t *p, size_t n);

#endif
