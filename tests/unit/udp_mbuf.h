/* udp_mbuf: Ethernet/IPv4/UDP (and TCP) packets in mbufs for the unit
 * tests that feed the datapath (test_pipeline.c, test_tx.c,
 * test_upcall.c): the IPv4 source tells flows apart, a 32-bit sequence
 * number tells packets apart.  Test code only (uses cmocka's assertions). */
#ifndef SLUICE_TEST_UDP_MBUF_H
#define SLUICE_TEST_UDP_MBUF_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_mempool.h>

#include "pmd/packet.h"

#define UDP_MBUF_LEN 46         /* 14 + 20 + 8 + 4 bytes of sequence. */
#define UDP_MBUF_SEQ_OFS 42

/* A packet from 'nw_src' (host order) to 10.9.9.9 carrying 'seq'. */
static inline struct rte_mbuf *
udp_mbuf(struct rte_mempool *pool, uint32_t nw_src, uint32_t seq)
{
    struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
    assert_non_null(m);
    uint8_t p[UDP_MBUF_LEN];
    memset(p, 0, sizeof p);
    static const uint8_t macs[12] = {
        0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02,
    };
    memcpy(p, macs, sizeof macs);
    p[12] = 0x08;                       /* IPv4 */
    p[14] = 0x45;
    p[16] = 0;
    p[17] = 32;                         /* Total length. */
    p[22] = 64;                         /* TTL. */
    p[23] = 17;                         /* UDP. */
    uint32_t src = htonl(nw_src), dst = htonl(0x0a090909);
    memcpy(p + 26, &src, 4);
    memcpy(p + 30, &dst, 4);
    p[34] = 0x30;                       /* Ports 12345 -> 53. */
    p[35] = 0x39;
    p[37] = 53;
    p[39] = 12;                         /* UDP length. */
    uint32_t s = htonl(seq);
    memcpy(p + UDP_MBUF_SEQ_OFS, &s, 4);
    char *data = rte_pktmbuf_append(m, UDP_MBUF_LEN);
    assert_non_null(data);
    rte_memcpy(data, p, sizeof p);
    memset(packet_meta(m), 0, sizeof(struct packet_meta));
    return m;
}

/* The same as a TCP packet with 'flags' (the low 12 bits of the TCP
 * header's flags word), the sequence number in the acknowledgement
 * number's place (at the same offset as in udp_mbuf()). */
static inline struct rte_mbuf *
tcp_mbuf(struct rte_mempool *pool, uint32_t nw_src, uint32_t seq,
         uint16_t flags)
{
    struct rte_mbuf *m = udp_mbuf(pool, nw_src, seq);
    uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
    char *more = rte_pktmbuf_append(m, 54 - UDP_MBUF_LEN);
    assert_non_null(more);
    p[17] = 40;                         /* Total length. */
    p[23] = 6;                          /* TCP. */
    p[38] = p[39] = p[40] = p[41] = 0;  /* Sequence number, zeroed UDP
                                         * length and checksum. */
    p[46] = (uint8_t) (5 << 4 | (flags >> 8 & 0x0f));
    p[47] = (uint8_t) flags;
    p[48] = 0xff;                       /* Window. */
    p[49] = p[50] = p[51] = p[52] = p[53] = 0;
    return m;
}

static inline uint32_t
udp_mbuf_seq(const struct rte_mbuf *m)
{
    uint32_t s;
    memcpy(&s, rte_pktmbuf_mtod_offset(m, const uint8_t *,
                                       UDP_MBUF_SEQ_OFS), 4);
    return ntohl(s);
}

static inline uint32_t
udp_mbuf_src(const struct rte_mbuf *m)
{
    uint32_t s;
    memcpy(&s, rte_pktmbuf_mtod_offset(m, const uint8_t *, 26), 4);
    return ntohl(s);
}

/* The last byte of the Ethernet destination. */
static inline uint8_t
udp_mbuf_dst_tag(const struct rte_mbuf *m)
{
    return *rte_pktmbuf_mtod_offset(m, const uint8_t *, 5);
}

#endif
