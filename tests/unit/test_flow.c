/* Unit tests for flow key extraction, miniflow helpers and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "pmd/flow.h"
#include "pmd/flow_fast.h"
#include "src/util/dstr.h"
#include "tests/unit/packet_builder.h"

#define W(FIELD) (UINT64_C(1) << FLOW_WORD(FIELD))

static void
putz(struct pkt *p, size_t n)
{
    while (n--) {
        put8(p, 0);
    }
}

static const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac_nd[6] = { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };

static void
eth(struct pkt *p, uint16_t type)
{
    p->len = 0;
    put(p, mac_dst, 6);
    put(p, mac_src, 6);
    put16(p, type);
}

static void
vlan(struct pkt *p, uint16_t tci, uint16_t type)
{
    put16(p, tci);
    put16(p, type);
}

/* IPv4 header with 'n_opt' 4-byte option words; returns its offset.
 * ipv4_done() sets the total length. */
static size_t
ipv4(struct pkt *p, uint8_t proto, uint16_t frag, int n_opt)
{
    size_t ofs = p->len;
    put8(p, 0x40 | (5 + n_opt));
    put8(p, 0x2e);              /* tos */
    put16(p, 0);                /* total length, later */
    put16(p, 0x1234);
    put16(p, frag);
    put8(p, 64);
    put8(p, proto);
    put16(p, 0);
    put32(p, 0x0a000001);
    put32(p, 0x0a000002);
    for (int i = 0; i < n_opt; i++) {
        put32(p, 0x01010101);   /* NOPs */
    }
    return ofs;
}

static const uint8_t ip6_src[16] = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
};
static const uint8_t ip6_dst[16] = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
};

static size_t
ipv6(struct pkt *p, uint8_t next)
{
    size_t ofs = p->len;
    put32(p, 0x60000000 | (0xb8 << 20) | 0x12345);
    put16(p, 0);                /* payload length, later */
    put8(p, next);
    put8(p, 255);
    put(p, ip6_src, 16);
    put(p, ip6_dst, 16);
    return ofs;
}

static void
udp(struct pkt *p, uint16_t src, uint16_t dst)
{
    put16(p, src);
    put16(p, dst);
    put16(p, 8 + 4);
    put16(p, 0);
    put32(p, 0xdeadbeef);       /* payload */
}

static void
tcp(struct pkt *p, uint16_t src, uint16_t dst, uint16_t flags, int n_opt)
{
    put16(p, src);
    put16(p, dst);
    put32(p, 1);
    put32(p, 0);
    put16(p, (uint16_t) (((5 + n_opt) << 12) | flags));
    put16(p, 1024);
    put32(p, 0);
    for (int i = 0; i < n_opt; i++) {
        put32(p, 0x01010101);
    }
}

/* Ethernet/IPv4/UDP 10.0.0.1:1000 -> 10.0.0.2:53. */
static void
pkt_udp4(struct pkt *p)
{
    eth(p, 0x0800);
    size_t ip = ipv4(p, 17, 0, 0);
    udp(p, 1000, 53);
    ipv4_done(p, ip);
}

typedef void extract_func(const void *data, size_t len, uint32_t in_port,
                          uint32_t recirc_id, struct miniflow *,
                          struct flow_offsets *);

/* Extracts with 'fn' from an exactly-sized copy of 'p', so that ASan
 * catches any over-read. */
static void
extract_by(extract_func *fn, const struct pkt *p, uint32_t in_port,
           struct miniflow *mf, struct flow_offsets *ofs)
{
    uint8_t *buf = malloc(p->len ? p->len : 1);
    assert_non_null(buf);
    memcpy(buf, p->b, p->len);
    memset(mf, 0xa5, sizeof *mf);
    fn(buf, p->len, in_port, 0, mf, ofs);
    free(buf);
}

static void
extract(const struct pkt *p, uint32_t in_port, struct flow *f,
        struct miniflow *mf, struct flow_offsets *ofs)
{
    extract_by(flow_extract, p, in_port, mf, ofs);
    if (f) {
        miniflow_expand(mf, f);
    }
}

static void
test_udp_ipv4(void **state)
{
    (void) state;
    struct pkt p;
    struct flow f;
    struct miniflow mf;
    struct flow_offsets ofs;
    pkt_udp4(&p);
    extract(&p, 7, &f, &mf, &ofs);

    assert_int_equal(mf.map, W(in_port) | W(dl_dst) | W(dl_src)
                     | W(nw_src) | W(nw_dst) | W(nw_proto));
    assert_int_equal(f.in_port, 7);
    assert_int_equal(f.recirc_id, 0);
    assert_memory_equal(f.dl_dst, mac_dst, 6);
    assert_memory_equal(f.dl_src, mac_src, 6);
    assert_int_equal(f.dl_type, htons(0x0800));
    assert_int_equal(f.vlans[0].tpid, 0);
    assert_int_equal(f.nw_src, htonl(0x0a000001));
    assert_int_equal(f.nw_dst, htonl(0x0a000002));
    assert_int_equal(f.nw_proto, 17);
    assert_int_equal(f.nw_tos, 0x2e);
    assert_int_equal(f.nw_ttl, 64);
    assert_int_equal(f.nw_frag, 0);
    assert_int_equal(f.tp_src, htons(1000));
    assert_int_equal(f.tp_dst, htons(53));
    assert_int_equal(f.tcp_flags, 0);
    assert_int_equal(ofs.l2_5, FLOW_OFS_NONE);
    assert_int_equal(ofs.l3, 14);
    assert_int_equal(ofs.l4, 34);

    /* Ethernet padding after the IP datagram is ignored. */
    struct pkt padded = p;
    putz(&padded, 18);
    struct miniflow mf2;
    extract(&padded, 7, NULL, &mf2, NULL);
    assert_true(miniflow_equal(&mf, &mf2));

    /* Metadata. */
    flow_extract(p.b, p.len, 3, 9, &mf2, NULL);
    miniflow_expand(&mf2, &f);
    assert_int_equal(f.in_port, 3);
    assert_int_equal(f.recirc_id, 9);
}

static void
test_tcp_flags(void **state)
{
    (void) state;
    struct pkt p;
    struct flow f;
    struct miniflow mf;
    struct flow_offsets ofs;
    eth(&p, 0x0800);
    size_t ip = ipv4(&p, 6, 0, 0);
    /* NS + SYN + ACK, two option words. */
    tcp(&p, 40000, 80, 0x100 | 0x12, 2);
    ipv4_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_true(mf.map & W(tcp_flags));
    assert_int_equal(f.nw_proto, 6);
    assert_int_equal(f.tp_src, htons(40000));
    assert_int_equal(f.tp_dst, htons(80));
    assert_int_equal(f.tcp_flags, htons(0x112));
    assert_int_equal(ofs.l4, 34);

    /* Data offset below 5: bad TCP header, no L4 fields. */
    p.b[34 + 12] = 0x40;
    extract(&p, 1, &f, &mf, &ofs);
    assert_false(mf.map & W(tcp_flags));
    assert_int_equal(f.nw_proto, 6);
    assert_int_equal(f.tp_src, 0);
    assert_int_equal(ofs.l4, FLOW_OFS_NONE);

    /* Data offset past the end of the datagram. */
    p.b[34 + 12] = 0xf0;
    extract(&p, 1, &f, &mf, &ofs);
    assert_false(mf.map & W(tcp_flags));
    assert_int_equal(f.tp_dst, 0);
}

static void
test_two_vlans(void **state)
{
    (void) state;
    struct pkt p;
    struct flow f;
    struct miniflow mf;
    struct flow_offsets ofs;
    eth(&p, 0x88a8);
    vlan(&p, 0x2064, 0x8100);   /* pcp 1, vid 100 */
    vlan(&p, 0xe00a, 0x0800);   /* pcp 7, vid 10 */
    size_t ip = ipv4(&p, 17, 0, 0);
    udp(&p, 1, 2);
    ipv4_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_true(mf.map & W(vlans));
    assert_int_equal(f.vlans[0].tpid, htons(0x88a8));
    assert_int_equal(f.vlans[0].tci, htons(0x2064));
    assert_int_equal(f.vlans[1].tpid, htons(0x8100));
    assert_int_equal(f.vlans[1].tci, htons(0xe00a));
    assert_int_equal(f.dl_type, htons(0x0800));
    assert_int_equal(f.tp_dst, htons(2));
    assert_int_equal(ofs.l3, 22);
    assert_int_equal(ofs.l4, 42);

    /* One tag with VID 0 still counts as a tag. */
    eth(&p, 0x8100);
    vlan(&p, 0x0000, 0x0806);
    putz(&p, 28);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.vlans[0].tpid, htons(0x8100));
    assert_int_equal(f.vlans[0].tci, 0);
    assert_int_equal(f.vlans[1].tpid, 0);
    assert_int_equal(f.dl_type, htons(0x0806));

    /* A third tag stops parsing: dl_type is its TPID. */
    eth(&p, 0x88a8);
    vlan(&p, 1, 0x8100);
    vlan(&p, 2, 0x8100);
    vlan(&p, 3, 0x0800);
    ip = ipv4(&p, 17, 0, 0);
    udp(&p, 1, 2);
    ipv4_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.vlans[0].tci, htons(1));
    assert_int_equal(f.vlans[1].tci, htons(2));
    assert_int_equal(f.dl_type, htons(0x8100));
    assert_int_equal(f.nw_proto, 0);
    assert_false(mf.map & W(nw_proto));
    assert_int_equal(ofs.l3, FLOW_OFS_NONE);
}

static void
test_ipv4_options(void **state)
{
    (void) state;
    struct pkt p;
    struct flow f;
    struct miniflow mf;
    struct flow_offsets ofs;
    eth(&p, 0x0800);
    size_t ip = ipv4(&p, 17, 0, 3);
    udp(&p, 5000, 6000);
    ipv4_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.nw_proto, 17);
    assert_int_equal(f.tp_src, htons(5000));
    assert_int_equal(f.tp_dst, htons(6000));
    assert_int_equal(ofs.l4, 14 + 32);

    /* IHL below 5, wrong version, total length too big or too small:
     * malformed, nothing past Ethernet. */
    static const struct { size_t ofs; uint8_t val; } bad[] = {
        { 14, 0x44 }, { 14, 0x65 }, { 16, 0xff }, { 17, 10 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct pkt q = p;
        q.b[bad[i].ofs] = bad[i].val;
        if (bad[i].ofs == 17) {
            q.b[16] = 0;
        }
        extract(&q, 1, &f, &mf, &ofs);
        assert_int_equal(mf.map, W(in_port) | W(dl_dst) | W(dl_src));
        assert_int_equal(f.dl_type, htons(0x0800));
        assert_int_equal(ofs.l3, FLOW_OFS_NONE);
        assert_int_equal(ofs.l4, FLOW_OFS_NONE);
    }
}

static void
test_ipv4_fragments(void **state)
{
    (void) state;
    struct pkt p;
    struct flow f;
    struct miniflow mf;
    struct flow_offsets ofs;

    /* First fragment: MF, offset 0, ports present. */
    eth(&p, 0x0800);
    size_t ip = ipv4(&p, 17, 0x2000, 0);
    udp(&p, 7, 8);
    ipv4_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.nw_frag, FLOW_FRAG_ANY);
    assert_int_equal(f.tp_src, htons(7));
    assert_int_equal(ofs.l4, 34);

    /* Later fragments (with and without MF): no L4 fields. */
    static const uint16_t later[] = { 0x2000 | 185, 185, 0x4000 | 1 };
    for (size_t i = 0; i < 3; i++) {
        eth(&p, 0x0800);
        ip = ipv4(&p, 17, later[i], 0);
        udp(&p, 7, 8);
        ipv4_done(&p, ip);
        extract(&p, 1, &f, &mf, &ofs);
        assert_int_equal(f.nw_frag, FLOW_FRAG_ANY | FLOW_FRAG_LATER);
        assert_int_equal(f.nw_proto, 17);
        assert_int_equal(f.tp_src, 0);
        assert_int_equal(f.tp_dst, 0);
        assert_int_equal(ofs.l3, 14);
        assert_int_equal(ofs.l4, FLOW_OFS_NONE);
    }

    /* DF alone is not a fragment. */
    eth(&p, 0x0800);
    ip = ipv4(&p, 17, 0x4000, 0);
    udp(&p, 7, 8);
    ipv4_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.nw_frag, 0);
    assert_int_equal(f.tp_dst, htons(8));
}

/* IPv6 + hop-by-hop (8 bytes) + fragment + UDP. */
static void
pkt_ipv6_frag(struct pkt *p, uint16_t frag)
{
    eth(p, 0x86dd);
    size_t ip = ipv6(p, 0);
    put8(p, 44);                /* HBH: next = fragment */
    put8(p, 0);
    putz(p, 6);                 /* PadN-ish */
    put8(p, 17);                /* fragment: next = UDP */
    put8(p, 0);
    put16(p, frag);
    put32(p, 0xabcd);
    udp(p, 546, 547);
    ipv6_done(p, ip);
}

static void
test_ipv6_ext_headers(void **state)
{
    (void) state;
    struct pkt p;
    struct flow f;
    struct miniflow mf;
    struct flow_offsets ofs;

    pkt_ipv6_frag(&p, 0x0001);          /* first fragment, M=1 */
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.dl_type, htons(0x86dd));
    assert_memory_equal(f.ipv6_src, ip6_src, 16);
    assert_memory_equal(f.ipv6_dst, ip6_dst, 16);
    assert_int_equal(f.ipv6_label, htonl(0x12345));
    assert_int_equal(f.nw_tos, 0xb8);
    assert_int_equal(f.nw_ttl, 255);
    assert_int_equal(f.nw_proto, 17);
    assert_int_equal(f.nw_frag, FLOW_FRAG_ANY);
    assert_int_equal(f.tp_src, htons(546));
    assert_int_equal(f.tp_dst, htons(547));
    assert_int_equal(f.nw_src, 0);
    assert_int_equal(ofs.l3, 14);
    assert_int_equal(ofs.l4, 14 + 40 + 16);

    pkt_ipv6_frag(&p, 0x0100);          /* later fragment, last */
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.nw_proto, 17);
    assert_int_equal(f.nw_frag, FLOW_FRAG_ANY | FLOW_FRAG_LATER);
    assert_int_equal(f.tp_src, 0);
    assert_int_equal(ofs.l4, FLOW_OFS_NONE);

    pkt_ipv6_frag(&p, 0x0000);          /* atomic fragment */
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.nw_frag, 0);
    assert_int_equal(f.tp_src, htons(546));

    /* Routing + destination options + AH + TCP. */
    eth(&p, 0x86dd);
    size_t ip = ipv6(&p, 43);
    put8(&p, 60); put8(&p, 1); putz(&p, 14);        /* routing, 16 bytes */
    put8(&p, 51); put8(&p, 0); putz(&p, 6);         /* dstopts, 8 */
    put8(&p, 6); put8(&p, 4); putz(&p, 22);         /* AH, 24 bytes */
    tcp(&p, 22, 33000, 0x18, 0);
    ipv6_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.nw_proto, 6);
    assert_int_equal(f.tp_src, htons(22));
    assert_int_equal(f.tcp_flags, htons(0x18));
    assert_int_equal(ofs.l4, 14 + 40 + 16 + 8 + 24);

    /* ESP stops the walk. */
    eth(&p, 0x86dd);
    ip = ipv6(&p, 50);
    putz(&p, 16);
    ipv6_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.nw_proto, 50);
    assert_int_equal(f.tp_src, 0);
    assert_int_equal(ofs.l4, FLOW_OFS_NONE);

    /* A hop-by-hop header longer than the payload: proto stays 0. */
    eth(&p, 0x86dd);
    ip = ipv6(&p, 0);
    put8(&p, 17); put8(&p, 3); putz(&p, 14);
    ipv6_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_true(mf.map & W(nw_proto));
    assert_int_equal(f.nw_proto, 0);
    assert_int_equal(f.nw_ttl, 255);
    assert_int_equal(ofs.l4, FLOW_OFS_NONE);

    /* Payload length beyond the frame: malformed. */
    eth(&p, 0x86dd);
    ip = ipv6(&p, 17);
    udp(&p, 1, 2);
    ipv6_done(&p, ip);
    set16(&p, ip + 4, 100);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(mf.map, W(in_port) | W(dl_dst) | W(dl_src));
}

static void
test_icmp(void **state)
{
    (void) state;
    struct pkt p;
    struct flow f;
    struct miniflow mf;
    struct flow_offsets ofs;

    eth(&p, 0x0800);
    size_t ip = ipv4(&p, 1, 0, 0);
    put8(&p, 3);                /* destination unreachable */
    put8(&p, 4);                /* fragmentation needed */
    putz(&p, 6);
    ipv4_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.nw_proto, 1);
    assert_int_equal(f.tp_src, htons(3));
    assert_int_equal(f.tp_dst, htons(4));
    assert_int_equal(ofs.l4, 34);

    /* ICMPv6 echo request. */
    eth(&p, 0x86dd);
    ip = ipv6(&p, 58);
    put8(&p, 128);
    put8(&p, 0);
    putz(&p, 6);
    ipv6_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.nw_proto, 58);
    assert_int_equal(f.tp_src, htons(128));
    assert_int_equal(f.tp_dst, 0);
    assert_false(mf.map & W(nd_target));
    assert_int_equal(ofs.l4, 54);

    /* Protocol 1 inside IPv6 is not ICMPv4. */
    eth(&p, 0x86dd);
    ip = ipv6(&p, 1);
    put8(&p, 8);
    putz(&p, 7);
    ipv6_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.nw_proto, 1);
    assert_int_equal(f.tp_src, 0);
}

static const uint8_t nd_target[16] = {
    0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99,
};

static void
pkt_nd(struct pkt *p, uint8_t type, uint8_t opt)
{
    eth(p, 0x86dd);
    size_t ip = ipv6(p, 58);
    put8(p, type);
    put8(p, 0);
    put16(p, 0);
    put32(p, type == 136 ? 0x60000000 : 0);
    put(p, nd_target, 16);
    /* An unknown option first (nonce, 8 bytes), then the link layer
     * address option. */
    put8(p, 14);
    put8(p, 1);
    putz(p, 6);
    put8(p, opt);
    put8(p, 1);
    put(p, mac_nd, 6);
    ipv6_done(p, ip);
}

static void
test_nd(void **state)
{
    (void) state;
    struct pkt p;
    struct flow f;
    struct miniflow mf;
    struct flow_offsets ofs;
    static const uint8_t zero[6];

    pkt_nd(&p, 135, 1);         /* NS with SLL */
    extract(&p, 1, &f, &mf, &ofs);
    assert_true(mf.map & W(nd_target));
    assert_int_equal(f.tp_src, htons(135));
    assert_memory_equal(f.nd_target, nd_target, 16);
    assert_memory_equal(f.arp_sha, mac_nd, 6);
    assert_memory_equal(f.arp_tha, zero, 6);
    assert_int_equal(ofs.l4, 54);

    pkt_nd(&p, 136, 2);         /* NA with TLL */
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.tp_src, htons(136));
    assert_memory_equal(f.nd_target, nd_target, 16);
    assert_memory_equal(f.arp_sha, zero, 6);
    assert_memory_equal(f.arp_tha, mac_nd, 6);

    /* A zero-length option ends option parsing; the target stays. */
    pkt_nd(&p, 135, 1);
    p.b[54 + 24 + 1] = 0;
    extract(&p, 1, &f, &mf, &ofs);
    assert_memory_equal(f.nd_target, nd_target, 16);
    assert_memory_equal(f.arp_sha, zero, 6);

    /* Nonzero code: plain ICMPv6, no ND fields. */
    pkt_nd(&p, 135, 1);
    p.b[55] = 1;
    extract(&p, 1, &f, &mf, &ofs);
    assert_false(mf.map & W(nd_target));
    assert_int_equal(f.tp_dst, htons(1));
}

static void
pkt_arp(struct pkt *p, uint16_t op)
{
    static const uint8_t tha[6] = { 0x02, 0, 0, 0, 0, 0x07 };
    eth(p, 0x0806);
    put16(p, 1);
    put16(p, 0x0800);
    put8(p, 6);
    put8(p, 4);
    put16(p, op);
    put(p, mac_src, 6);
    put32(p, 0xc0a80001);
    put(p, op == 2 ? tha : (const uint8_t[6]) { 0 }, 6);
    put32(p, 0xc0a80002);
}

static void
test_arp(void **state)
{
    (void) state;
    struct pkt p;
    struct flow f;
    struct miniflow mf;
    struct flow_offsets ofs;
    static const uint8_t zero[6];
    static const uint8_t tha[6] = { 0x02, 0, 0, 0, 0, 0x07 };

    pkt_arp(&p, 1);
    putz(&p, 18);               /* padding to 60 bytes */
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(mf.map, W(in_port) | W(dl_dst) | W(dl_src)
                     | W(nw_src) | W(nw_dst) | W(nw_proto) | W(arp_sha)
                     | W(arp_tha));
    assert_int_equal(f.dl_type, htons(0x0806));
    assert_int_equal(f.nw_proto, 1);
    assert_int_equal(f.nw_src, htonl(0xc0a80001));
    assert_int_equal(f.nw_dst, htonl(0xc0a80002));
    assert_memory_equal(f.arp_sha, mac_src, 6);
    assert_memory_equal(f.arp_tha, zero, 6);
    assert_int_equal(ofs.l3, 14);
    assert_int_equal(ofs.l4, FLOW_OFS_NONE);

    pkt_arp(&p, 2);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.nw_proto, 2);
    assert_memory_equal(f.arp_tha, tha, 6);

    /* Not Ethernet/IPv4: no ARP fields. */
    pkt_arp(&p, 1);
    p.b[18] = 16;
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(mf.map, W(in_port) | W(dl_dst) | W(dl_src));
}

static void
test_mpls(void **state)
{
    (void) state;
    struct pkt p;
    struct flow f;
    struct miniflow mf;
    struct flow_offsets ofs;

    eth(&p, 0x8847);
    put32(&p, (1000 << 12) | (5 << 9) | 63);           /* not BoS */
    put32(&p, (2000 << 12) | (1 << 8) | 62);           /* BoS */
    size_t ip = ipv4(&p, 17, 0, 0);
    udp(&p, 1, 2);
    ipv4_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(mf.map, W(in_port) | W(dl_dst) | W(dl_src)
                     | W(mpls_lse));
    assert_int_equal(f.dl_type, htons(0x8847));
    assert_int_equal(f.mpls_lse, htonl((1000 << 12) | (5 << 9) | 63));
    assert_int_equal(f.nw_src, 0);
    assert_int_equal(ofs.l2_5, 14);
    assert_int_equal(ofs.l3, FLOW_OFS_NONE);

    /* Multicast MPLS after a VLAN tag. */
    eth(&p, 0x8100);
    vlan(&p, 5, 0x8848);
    put32(&p, (16 << 12) | (1 << 8) | 1);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.mpls_lse, htonl((16 << 12) | (1 << 8) | 1));
    assert_int_equal(ofs.l2_5, 18);
}

static void
test_sctp_and_llc(void **state)
{
    (void) state;
    struct pkt p;
    struct flow f;
    struct miniflow mf;
    struct flow_offsets ofs;

    eth(&p, 0x0800);
    size_t ip = ipv4(&p, 132, 0, 0);
    put16(&p, 2905);
    put16(&p, 3868);
    put32(&p, 0x11223344);
    put32(&p, 0);
    ipv4_done(&p, ip);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.nw_proto, 132);
    assert_int_equal(f.tp_src, htons(2905));
    assert_int_equal(f.tp_dst, htons(3868));
    assert_int_equal(ofs.l4, 34);

    /* 802.3 with LLC (STP): dl_type 0x05ff. */
    eth(&p, 38);
    put8(&p, 0x42);
    put8(&p, 0x42);
    put8(&p, 0x03);
    putz(&p, 35);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.dl_type, htons(0x05ff));
    assert_int_equal(ofs.l3, FLOW_OFS_NONE);

    /* 802.3 with SNAP carrying IPv4. */
    eth(&p, 0);
    static const uint8_t snap[] = { 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0 };
    put(&p, snap, sizeof snap);
    ip = ipv4(&p, 17, 0, 0);
    udp(&p, 9, 10);
    ipv4_done(&p, ip);
    set16(&p, 12, (uint16_t) (p.len - 14));
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.dl_type, htons(0x0800));
    assert_int_equal(f.tp_dst, htons(10));
    assert_int_equal(ofs.l3, 22);

    /* Runt: metadata only. */
    p.len = 13;
    extract(&p, 4, &f, &mf, &ofs);
    assert_int_equal(mf.map, W(in_port));
    assert_int_equal(f.in_port, 4);
    assert_int_equal(ofs.l3, FLOW_OFS_NONE);
}

/* Packets for the truncation test. */
static void
build_all(struct pkt *out, size_t *n)
{
    size_t i = 0, ip;

    pkt_udp4(&out[i++]);

    eth(&out[i], 0x88a8);
    vlan(&out[i], 0x2064, 0x8100);
    vlan(&out[i], 0xe00a, 0x0800);
    ip = ipv4(&out[i], 6, 0, 2);
    tcp(&out[i], 1, 2, 0x2, 3);
    ipv4_done(&out[i++], ip);

    pkt_ipv6_frag(&out[i++], 0x0001);
    pkt_nd(&out[i++], 135, 1);
    pkt_nd(&out[i++], 136, 2);
    pkt_arp(&out[i++], 2);

    eth(&out[i], 0x8847);
    put32(&out[i], (1000 << 12) | (1 << 8) | 63);
    putz(&out[i++], 20);

    eth(&out[i], 0x0800);
    ip = ipv4(&out[i], 1, 0, 1);
    put8(&out[i], 8);
    putz(&out[i], 7);
    ipv4_done(&out[i++], ip);

    eth(&out[i], 0x86dd);
    ip = ipv6(&out[i], 132);
    putz(&out[i], 12);
    ipv6_done(&out[i++], ip);
    *n = i;
}

/* Every nonzero byte of 'part' equals that of 'full', except dl_type and
 * nw_proto, which name the header where parsing stopped. */
static void
check_no_invented_fields(const struct flow *part, const struct flow *full,
                         const struct flow_offsets *pofs,
                         const struct flow_offsets *fofs)
{
    const uint8_t *a = (const void *) part, *b = (const void *) full;
    for (size_t i = 0; i < sizeof *part; i++) {
        if (i == offsetof(struct flow, dl_type)
            || i == offsetof(struct flow, dl_type) + 1
            || i == offsetof(struct flow, nw_proto)) {
            continue;
        }
        if (a[i] && a[i] != b[i]) {
            fail_msg("byte %zu: 0x%02x, full packet 0x%02x", i, a[i], b[i]);
        }
    }
    if (pofs->l2_5 != FLOW_OFS_NONE) {
        assert_int_equal(pofs->l2_5, fofs->l2_5);
    }
    if (pofs->l3 != FLOW_OFS_NONE) {
        assert_int_equal(pofs->l3, fofs->l3);
    }
    if (pofs->l4 != FLOW_OFS_NONE) {
        assert_int_equal(pofs->l4, fofs->l4);
    }
}

static void
test_truncation(void **state)
{
    (void) state;
    static struct pkt pkts[16];
    size_t n;
    unsigned int runs = 0;
    build_all(pkts, &n);
    for (size_t k = 0; k < n; k++) {
        struct flow full, part;
        struct miniflow mf, pmf;
        struct flow_offsets fofs, pofs;
        extract(&pkts[k], 2, &full, &mf, &fofs);

        for (int fix = 0; fix < 2; fix++) {
            for (size_t len = 0; len <= pkts[k].len; len++) {
                struct pkt q = pkts[k];
                q.len = len;
                if (fix) {
                    /* Make the IP length fields agree with the cut so the
                     * L4 and extension header checks are exercised. */
                    size_t l3 = fofs.l3;
                    uint16_t type = ntohs(full.dl_type);
                    if (type == 0x0800 && len >= l3 + 4) {
                        set16(&q, l3 + 2, (uint16_t) (len - l3));
                    } else if (type == 0x86dd && len >= l3 + 40) {
                        set16(&q, l3 + 4, (uint16_t) (len - l3 - 40));
                    }
                }
                extract(&q, 2, &part, &pmf, &pofs);
                assert_int_equal(pmf.map & ~mf.map, 0);
                check_no_invented_fields(&part, &full, &pofs, &fofs);
                if (len == pkts[k].len) {
                    assert_true(miniflow_equal(&pmf, &mf));
                }
                runs++;
            }
        }
    }
    assert_true(runs > 1000);
}

static void
test_truncation_examples(void **state)
{
    (void) state;
    struct pkt p;
    struct flow f;
    struct miniflow mf;
    struct flow_offsets ofs;

    /* Cut inside the second VLAN tag: one tag, dl_type its TPID. */
    eth(&p, 0x88a8);
    vlan(&p, 7, 0x8100);
    vlan(&p, 8, 0x0800);
    p.len = 20;
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.vlans[0].tci, htons(7));
    assert_int_equal(f.vlans[1].tpid, 0);
    assert_int_equal(f.dl_type, htons(0x8100));

    /* Cut inside the UDP header, IP length consistent: IPv4 fields but
     * no ports. */
    pkt_udp4(&p);
    p.len = 14 + 20 + 6;
    set16(&p, 16, 26);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.nw_proto, 17);
    assert_int_equal(f.nw_dst, htonl(0x0a000002));
    assert_int_equal(f.tp_src, 0);
    assert_int_equal(ofs.l3, 14);
    assert_int_equal(ofs.l4, FLOW_OFS_NONE);

    /* ND cut inside the target: type and code only. */
    pkt_nd(&p, 135, 1);
    p.len = 54 + 20;
    set16(&p, 18, 20);
    extract(&p, 1, &f, &mf, &ofs);
    assert_int_equal(f.tp_src, htons(135));
    assert_false(mf.map & W(nd_target));
}

/* flow_tcp_flags() of a frame in an exactly-sized copy. */
static uint16_t
quick_flags(const struct pkt *p)
{
    uint8_t *buf = malloc(p->len ? p->len : 1);
    assert_non_null(buf);
    memcpy(buf, p->b, p->len);
    uint16_t flags = flow_tcp_flags(buf, p->len);
    free(buf);
    return flags;
}

/* TCP frames of every shape flow_tcp_flags() tells apart. */
static size_t
build_tcp(struct pkt *out)
{
    size_t i = 0, ip;

    eth(&out[i], 0x0800);                   /* Plain, with options. */
    ip = ipv4(&out[i], 6, 0, 1);
    tcp(&out[i], 1, 2, 0x018, 2);
    ipv4_done(&out[i++], ip);

    eth(&out[i], 0x0800);                   /* A later fragment: no L4. */
    ip = ipv4(&out[i], 6, 0, 0);
    tcp(&out[i], 1, 2, 0x011, 0);
    ipv4_done(&out[i], ip);
    set16(&out[i++], 14 + 6, 0x0010);

    eth(&out[i], 0x0800);                   /* A first fragment: L4. */
    ip = ipv4(&out[i], 6, 0, 0);
    tcp(&out[i], 1, 2, 0x004, 0);
    ipv4_done(&out[i], ip);
    set16(&out[i++], 14 + 6, 0x2000);

    eth(&out[i], 0x8100);                   /* Tagged. */
    vlan(&out[i], 5, 0x0800);
    ip = ipv4(&out[i], 6, 0, 0);
    tcp(&out[i], 1, 2, 0x0c2, 0);
    ipv4_done(&out[i++], ip);

    eth(&out[i], 0x86dd);                   /* IPv6. */
    ip = ipv6(&out[i], 6);
    tcp(&out[i], 1, 2, 0xe01, 1);
    ipv6_done(&out[i++], ip);

    eth(&out[i], 0x86dd);                   /* IPv6 behind a HBH header. */
    ip = ipv6(&out[i], 0);
    put8(&out[i], 6);
    put8(&out[i], 0);
    putz(&out[i], 6);
    tcp(&out[i], 1, 2, 0x020, 0);
    ipv6_done(&out[i++], ip);
    return i;
}

static void
test_tcp_flags_quick(void **state)
{
    (void) state;
    static struct pkt pkts[32];
    size_t n;
    build_all(pkts, &n);
    n += build_tcp(&pkts[n]);

    /* The values themselves. */
    static const uint16_t want[] = { 0x018, 0, 0x004, 0x0c2, 0xe01, 0x020 };
    size_t first_tcp = n - sizeof want / sizeof want[0];
    for (size_t k = first_tcp; k < n; k++) {
        assert_int_equal(quick_flags(&pkts[k]), want[k - first_tcp]);
    }
    assert_int_equal(quick_flags(&pkts[0]), 0);     /* UDP */
    assert_int_equal(quick_flags(&pkts[1]), 0x002); /* QinQ, SYN */

    /* Always what extraction gives: every frame, cut anywhere (with IP
     * lengths that agree with the cut or not), and with bytes of its
     * headers changed at random. */
    uint32_t rnd = 12345;
    unsigned int runs = 0;
    for (size_t k = 0; k < n; k++) {
        for (size_t len = 0; len <= pkts[k].len; len++) {
            for (int fix = 0; fix < 2; fix++) {
                struct pkt q = pkts[k];
                struct miniflow mf;
                q.len = len;
                if (fix && len >= 18) {
                    set16(&q, 16, (uint16_t) (len - 14));   /* IPv4 */
                    if (len >= 20) {
                        set16(&q, 18, (uint16_t) (len - 54));   /* IPv6 */
                    }
                }
                extract(&q, 1, NULL, &mf, NULL);
                assert_int_equal(quick_flags(&q), miniflow_tcp_flags(&mf));
                runs++;
            }
        }
        for (int m = 0; m < 2000; m++) {
            struct pkt q = pkts[k];
            struct miniflow mf;
            for (int c = 0; c < 1 + m % 3; c++) {
                rnd = rnd * 1103515245 + 12345;
                size_t at = 12 + (rnd >> 16) % 50;
                rnd = rnd * 1103515245 + 12345;
                if (at < q.len) {
                    q.b[at] = (uint8_t) (rnd >> 16);
                }
            }
            extract(&q, 1, NULL, &mf, NULL);
            assert_int_equal(quick_flags(&q), miniflow_tcp_flags(&mf));
            runs++;
        }
    }
    assert_true(runs > 20000);
}

/* Removes word 'word' from 'mf'. */
static void
drop_word(struct miniflow *mf, unsigned int word)
{
    uint64_t bit = UINT64_C(1) << word;
    if (!(mf->map & bit)) {
        return;
    }
    unsigned int at = (unsigned int) __builtin_popcountll(mf->map
                                                          & (bit - 1));
    unsigned int n = miniflow_n_values(mf);
    memmove(&mf->values[at], &mf->values[at + 1],
            (n - at - 1) * sizeof mf->values[0]);
    mf->map &= ~bit;
}

/* Untagged IPv4 with UDP or TCP has a quick path: its key must be what the
 * full parse gives, which a VLAN tag forces (the key then differs by the
 * tag's word and offsets by 4).  Frames of every length, with header bytes
 * changed at random. */
static void
test_ipv4_quick_path(void **state)
{
    (void) state;
    struct pkt base[4];
    size_t ip;
    eth(&base[0], 0x0800);
    ip = ipv4(&base[0], 17, 0, 0);
    udp(&base[0], 1000, 53);
    ipv4_done(&base[0], ip);
    eth(&base[1], 0x0800);
    ip = ipv4(&base[1], 6, 0, 0);
    tcp(&base[1], 1000, 80, 0x018, 0);
    ipv4_done(&base[1], ip);
    eth(&base[2], 0x0800);
    ip = ipv4(&base[2], 6, 0, 0);
    tcp(&base[2], 1000, 80, 0x002, 3);
    ipv4_done(&base[2], ip);
    eth(&base[3], 0x0800);
    ip = ipv4(&base[3], 17, 0, 1);
    udp(&base[3], 1000, 53);
    ipv4_done(&base[3], ip);

    uint32_t rnd = 777;
    unsigned int quick = 0;
    for (size_t k = 0; k < 4; k++) {
        for (int m = 0; m < 4000; m++) {
            struct pkt q = base[k];
            if (m % 4) {
                for (int c = 0; c < 1 + m % 3; c++) {
                    rnd = rnd * 1103515245 + 12345;
                    size_t at = 14 + (rnd >> 16) % 50;
                    rnd = rnd * 1103515245 + 12345;
                    if (at < q.len) {
                        q.b[at] = (uint8_t) (rnd >> 16);
                    }
                }
            }
            rnd = rnd * 1103515245 + 12345;
            if (m % 2) {
                q.len = (rnd >> 16) % (q.len + 1);
            }
            /* The same frame with a tag. */
            struct pkt t;
            t.len = 0;
            if (q.len >= 12) {
                put(&t, q.b, 12);
                put16(&t, 0x8100);
                put16(&t, 7);
                put(&t, q.b + 12, q.len - 12);
            } else {
                put(&t, q.b, q.len);
            }
            struct miniflow mq, mt;
            struct flow_offsets oq, ot;
            extract(&q, 3, NULL, &mq, &oq);
            extract(&t, 3, NULL, &mt, &ot);
            /* The inline entry point the PMD uses gives the same. */
            struct miniflow mf;
            struct flow_offsets of;
            extract_by(flow_extract_fast, &q, 3, &mf, &of);
            assert_true(miniflow_equal(&mq, &mf));
            assert_memory_equal(&oq, &of, sizeof oq);
            if (q.len < 14) {
                continue;
            }
            drop_word(&mt, 5);
            assert_true(miniflow_equal(&mq, &mt));
            assert_int_equal(oq.l2_5, ot.l2_5);
            if (oq.l3 != FLOW_OFS_NONE) {
                assert_int_equal(oq.l3 + 4, ot.l3);
            } else {
                assert_int_equal(ot.l3, FLOW_OFS_NONE);
            }
            if (oq.l4 != FLOW_OFS_NONE) {
                assert_int_equal(oq.l4 + 4, ot.l4);
                quick += oq.l4 == 34;
            } else {
                assert_int_equal(ot.l4, FLOW_OFS_NONE);
            }
        }
    }
    assert_true(quick > 2000);
}

static void
test_format_tcp_flags(void **state)
{
    (void) state;
    static const struct {
        uint16_t flags;
        const char *text;
    } cases[] = {
        { 0, "none" },
        { 0x002, "S" },
        { 0x012, "S." },
        { 0x019, "FP." },
        { 0x01f, "SFPR." },
        { 0x0ff, "SFPRU.EC" },
        { 0x100, "N" },
        { 0xe00, "[200][400][800]" },
        { 0xfff, "SFPRU.ECN[200][400][800]" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dstr d;
        dstr_init(&d);
        flow_format_tcp_flags(cases[i].flags, &d);
        assert_string_equal(dstr_cstr(&d), cases[i].text);
        dstr_free(&d);
    }
}

static void
test_determinism(void **state)
{
    (void) state;
    static struct pkt pkts[16];
    size_t n;
    build_all(pkts, &n);
    for (size_t k = 0; k < n; k++) {
        struct miniflow a, b;
        memset(&a, 0x00, sizeof a);
        memset(&b, 0xff, sizeof b);
        flow_extract(pkts[k].b, pkts[k].len, 5, 1, &a, NULL);
        flow_extract(pkts[k].b, pkts[k].len, 5, 1, &b, NULL);
        assert_int_equal(a.map, b.map);
        assert_memory_equal(a.values, b.values,
                            miniflow_n_values(&a) * sizeof a.values[0]);
        assert_true(miniflow_equal(&a, &b));
        assert_int_equal(miniflow_hash(&a, 0), miniflow_hash(&b, 0));
        assert_int_equal(miniflow_hash(&a, 77), miniflow_hash(&b, 77));
    }
}

static void
test_expand_compress(void **state)
{
    (void) state;
    static struct pkt pkts[16];
    size_t n;
    build_all(pkts, &n);
    for (size_t k = 0; k < n; k++) {
        struct miniflow mf, c;
        struct flow f, g;
        flow_extract(pkts[k].b, pkts[k].len, 5, 0, &mf, NULL);
        miniflow_expand(&mf, &f);
        miniflow_compress(&f, &c);
        /* Compress keeps exactly the nonzero words. */
        assert_int_equal(c.map & ~mf.map, 0);
        for (unsigned int i = 0; i < FLOW_N_WORDS; i++) {
            assert_int_equal(!!(c.map & (UINT64_C(1) << i)),
                             flow_get_word(&f, i) != 0);
        }
        miniflow_expand(&c, &g);
        assert_memory_equal(&f, &g, sizeof f);
    }

    /* All words set, and none. */
    struct flow f, g;
    struct miniflow c;
    memset(&f, 0x5a, sizeof f);
    miniflow_compress(&f, &c);
    assert_int_equal(c.map, (UINT64_C(1) << FLOW_N_WORDS) - 1);
    miniflow_expand(&c, &g);
    assert_memory_equal(&f, &g, sizeof f);
    memset(&f, 0, sizeof f);
    miniflow_compress(&f, &c);
    assert_int_equal(c.map, 0);
    assert_int_equal(miniflow_n_values(&c), 0);
}

static void
test_hash_equal(void **state)
{
    (void) state;
    struct pkt p;
    struct miniflow a, b;
    pkt_udp4(&p);
    flow_extract(p.b, p.len, 1, 0, &a, NULL);
    flow_extract(p.b, p.len, 1, 0, &b, NULL);
    assert_true(miniflow_equal(&a, &b));
    assert_int_equal(miniflow_hash(&a, 0), miniflow_hash(&b, 0));
    assert_int_not_equal(miniflow_hash(&a, 0), miniflow_hash(&a, 1));

    /* A different in_port or port number: not equal, hash differs. */
    flow_extract(p.b, p.len, 2, 0, &b, NULL);
    assert_false(miniflow_equal(&a, &b));
    assert_int_not_equal(miniflow_hash(&a, 0), miniflow_hash(&b, 0));
    p.b[37] ^= 1;
    flow_extract(p.b, p.len, 1, 0, &b, NULL);
    assert_false(miniflow_equal(&a, &b));
    assert_int_not_equal(miniflow_hash(&a, 0), miniflow_hash(&b, 0));

    /* Same values under a different map are different flows. */
    struct miniflow c = a;
    c.map ^= W(tun_id) | W(dl_dst);
    assert_false(miniflow_equal(&a, &c));

    /* Rough spread: 4096 source ports into 4096 buckets. */
    static uint8_t seen[4096];
    unsigned int used = 0;
    pkt_udp4(&p);
    for (unsigned int i = 0; i < 4096; i++) {
        set16(&p, 34, (uint16_t) i);
        flow_extract(p.b, p.len, 1, 0, &a, NULL);
        uint32_t h = miniflow_hash(&a, 0) & 4095;
        used += !seen[h];
        seen[h] = 1;
    }
    assert_true(used > 2400);       /* ~2589 expected for a random hash. */
}

static void
test_format(void **state)
{
    (void) state;
    struct pkt p;
    struct miniflow mf;
    struct flow f, m;
    struct dstr ds = DSTR_INIT;

    pkt_udp4(&p);
    flow_extract(p.b, p.len, 1, 0, &mf, NULL);
    miniflow_expand(&mf, &f);
    flow_format(&f, NULL, &ds);
    assert_string_equal(dstr_cstr(&ds),
        "in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),"
        "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,"
        "tos=46,ttl=64,frag=no),udp(src=1000,dst=53)");

    /* Megaflow: exact in_port, dl_type, proto, frag and UDP destination,
     * IPv4 destination /24, UDP source partial, the rest wildcarded. */
    memset(&m, 0, sizeof m);
    m.in_port = UINT32_MAX;
    m.recirc_id = UINT32_MAX;
    m.dl_type = 0xffff;
    m.nw_dst = htonl(0xffffff00);
    m.nw_proto = 0xff;
    m.nw_frag = 0xff & (FLOW_FRAG_ANY | FLOW_FRAG_LATER);
    m.tp_src = htons(0xff00);
    m.tp_dst = 0xffff;
    dstr_clear(&ds);
    flow_format(&f, &m, &ds);
    assert_string_equal(dstr_cstr(&ds),
        "recirc_id(0),in_port(1),eth_type(0x0800),"
        "ipv4(dst=10.0.0.0/255.255.255.0,proto=17,frag=no),"
        "udp(src=768/0xff00,dst=53)");

    /* Appending keeps what was there. */
    dstr_clear(&ds);
    dstr_put(&ds, "flow: ");
    memset(&m, 0, sizeof m);
    m.dl_type = 0xffff;
    flow_format(&f, &m, &ds);
    assert_string_equal(dstr_cstr(&ds), "flow: eth_type(0x0800)");

    /* TCP, VLAN and ND forms. */
    eth(&p, 0x8100);
    vlan(&p, 0x200a, 0x0800);
    size_t ip = ipv4(&p, 6, 0, 0);
    tcp(&p, 1, 2, 0x12, 0);
    ipv4_done(&p, ip);
    flow_extract(p.b, p.len, 1, 0, &mf, NULL);
    miniflow_expand(&mf, &f);
    dstr_clear(&ds);
    flow_format(&f, NULL, &ds);
    assert_non_null(strstr(dstr_cstr(&ds),
                           "vlan(tpid=0x8100,vid=10,pcp=1),eth_type(0x0800)"));
    assert_non_null(strstr(dstr_cstr(&ds),
                           "tcp(src=1,dst=2),tcp_flags(syn|ack)"));

    pkt_nd(&p, 135, 1);
    flow_extract(p.b, p.len, 1, 0, &mf, NULL);
    miniflow_expand(&mf, &f);
    dstr_clear(&ds);
    flow_format(&f, NULL, &ds);
    assert_non_null(strstr(dstr_cstr(&ds),
        "icmpv6(type=135,code=0),nd(target=fe80::99,"
        "sll=0a:0b:0c:0d:0e:0f,tll=00:00:00:00:00:00)"));
    dstr_free(&ds);
}

/* The word helpers see the flow's bytes in their place (word i is bytes
 * 8i..8i+7), whatever the field. */
static void
test_flow_words(void **state)
{
    (void) state;
    struct flow a, b, m, d;
    memset(&a, 0, sizeof a);
    memset(&m, 0, sizeof m);
    a.nd_target[15] = 0x81;             /* Last byte of the last word. */
    a.in_port = 0x12345678;             /* First word. */
    a.tp_dst = 0xffff;
    m.nd_target[15] = 0x01;
    m.in_port = 0xff;
    assert_true(flow_get_word(&a, FLOW_N_WORDS - 1) != 0);
    assert_true(flow_get_word(&a, FLOW_WORD(tp_dst)) != 0);

    flow_and(&d, &a, &m);
    assert_int_equal(d.nd_target[15], 0x01);
    assert_int_equal(d.in_port, 0x78);
    assert_int_equal(d.tp_dst, 0);
    assert_true(flow_matches(&a, &m, &d));
    b = a;
    b.nd_target[15] = 0x80;             /* Bit 0, under the mask, differs. */
    assert_false(flow_matches(&b, &m, &d));
    b = a;
    b.tp_dst = 0;                       /* Wildcarded. */
    assert_true(flow_matches(&b, &m, &d));

    assert_true(flow_mask_within(&d, &m));
    assert_true(flow_mask_within(&m, &m));
    assert_false(flow_mask_within(&a, &m));
    flow_or(&d, &a);
    assert_memory_equal(&d, &a, sizeof a);
    flow_set_word(&d, 0, 0);
    assert_int_equal(d.in_port, 0);
    assert_int_equal(d.recirc_id, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_udp_ipv4),
        cmocka_unit_test(test_tcp_flags),
        cmocka_unit_test(test_two_vlans),
        cmocka_unit_test(test_ipv4_options),
        cmocka_unit_test(test_ipv4_fragments),
        cmocka_unit_test(test_ipv6_ext_headers),
        cmocka_unit_test(test_icmp),
        cmocka_unit_test(test_nd),
        cmocka_unit_test(test_arp),
        cmocka_unit_test(test_mpls),
        cmocka_unit_test(test_sctp_and_llc),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_truncation_examples),
        cmocka_unit_test(test_tcp_flags_quick),
        cmocka_unit_test(test_ipv4_quick_path),
        cmocka_unit_test(test_format_tcp_flags),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_expand_compress),
        cmocka_unit_test(test_hash_equal),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_flow_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
