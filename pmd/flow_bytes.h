/* flow_bytes: byte-order and unaligned-load helpers for composing key
 * words from frame bytes, shared by the key extraction (flow.c) and its
 * inline fast path (flow_fast.h).  Not for other modules: the short names
 * would clash. */
#ifndef SLUICE_FLOW_BYTES_H
#define SLUICE_FLOW_BYTES_H

#include <stdint.h>
#include <string.h>

/* Byte-order helpers that fold constants at compile time. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BE16(X) ((uint16_t) __builtin_bswap16((uint16_t) (X)))
#define BE32(X) ((uint32_t) __builtin_bswap32((uint32_t) (X)))
/* Shift that puts a SIZE-byte value at byte OFS of a word in memory. */
#define W_SHIFT(OFS, SIZE) ((OFS) * 8)
#define W_LOW6 (UINT64_MAX >> 16)   /* Bytes 0-5 of a word in memory. */
#else
#define BE16(X) ((uint16_t) (X))
#define BE32(X) ((uint32_t) (X))
#define W_SHIFT(OFS, SIZE) ((8 - (OFS) - (SIZE)) * 8)
#define W_LOW6 (UINT64_MAX << 16)
#endif

/* A field's bytes placed at byte OFS of a key word.  V is a value whose
 * in-memory representation is the field's bytes (e.g. loaded with ld16()
 * from the packet, or converted with BE16()). */
#define W8(V, OFS)  ((uint64_t) (uint8_t) (V) << W_SHIFT(OFS, 1))
#define W16(V, OFS) ((uint64_t) (uint16_t) (V) << W_SHIFT(OFS, 2))
#define W32(V, OFS) ((uint64_t) (uint32_t) (V) << W_SHIFT(OFS, 4))

#define ETH_HLEN 14
#define IPV4_HLEN 20

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
static inline uint16_t
ld16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint32_t
ld32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint64_t
ld64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

#endif
