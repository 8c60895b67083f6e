/* packet_builder: hand-made packets for the unit tests of key extraction
 * and flow text (test_flow.c, test_flow_parse.c): a byte buffer with
 * big-endian puts and helpers that finish IPv4/IPv6 headers.  Test code
 * only (uses cmocka's assertions). */
#ifndef SLUICE_TEST_PACKET_BUILDER_H
#define SLUICE_TEST_PACKET_BUILDER_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Packet builder: every put is big-endian. */
struct pkt {
    uint8_t b[512];
    size_t len;
};

static inline void
put(struct pkt *p, const void *d, size_t n)
{
    assert_true(p->len + n <= sizeof p->b);
    memcpy(p->b + p->len, d, n);
    p->len += n;
}

static inline void
put8(struct pkt *p, uint8_t v)
{
    put(p, &v, 1);
}

static inline void
put16(struct pkt *p, uint16_t v)
{
    uint16_t n = htons(v);
    put(p, &n, 2);
}

static inline void
put32(struct pkt *p, uint32_t v)
{
    uint32_t n = htonl(v);
    put(p, &n, 4);
}

static inline void
set16(struct pkt *p, size_t ofs, uint16_t v)
{
    p->b[ofs] = v >> 8;
    p->b[ofs + 1] = v & 0xff;
}

static inline void
ipv4_done(struct pkt *p, size_t ofs)
{
    set16(p, ofs + 2, (uint16_t) (p->len - ofs));
}

static inline void
ipv6_done(struct pkt *p, size_t ofs)
{
    set16(p, ofs + 4, (uint16_t) (p->len - ofs - 40));
}

#endif
