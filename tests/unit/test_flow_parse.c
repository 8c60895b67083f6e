/* Unit tests for flow_parse: it reads back what flow_format prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "pmd/flow.h"
#include "pmd/flow_parse.h"
#include "src/util/dstr.h"
#include "tests/unit/packet_builder.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t mac_c[6] = { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
static const uint8_t ip6_a[16] = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
};
static const uint8_t ip6_b[16] = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
};
static const uint8_t ip6_t[16] = {
    0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99,
};

static void
eth(struct pkt *p, uint16_t type)
{
    p->len = 0;
    put(p, mac_b, 6);
    put(p, mac_a, 6);
    put16(p, type);
}

static size_t
ipv4(struct pkt *p, uint8_t proto, uint16_t frag)
{
    size_t ofs = p->len;
    put8(p, 0x45);
    put8(p, 0x2e);
    put16(p, 0);
    put16(p, 0x1234);
    put16(p, frag);
    put8(p, 64);
    put8(p, proto);
    put16(p, 0);
    put32(p, 0x0a000001);
    put32(p, 0xc0a80102);
    return ofs;
}

static size_t
ipv6(struct pkt *p, uint8_t next)
{
    size_t ofs = p->len;
    put32(p, 0x60000000 | (0xb8 << 20) | 0x12345);
    put16(p, 0);
    put8(p, next);
    put8(p, 255);
    put(p, ip6_a, 16);
    put(p, ip6_b, 16);
    return ofs;
}

static void
l4_ports(struct pkt *p, uint8_t proto, uint16_t src, uint16_t dst)
{
    put16(p, src);
    put16(p, dst);
    if (proto == 6) {
        put32(p, 1);
        put32(p, 0);
        put16(p, (5 << 12) | 0x112);       /* NS, SYN, ACK. */
        put16(p, 1024);
        put32(p, 0);
    } else {
        put32(p, 0x0008abcd);
        put32(p, 0);
    }
}

static void
icmp(struct pkt *p, uint8_t type, uint8_t code)
{
    put8(p, type);
    put8(p, code);
    put16(p, 0);
    put32(p, 0x00010002);
}

/* The hand-made packets of the round trips. */
enum {
    P_UDP4, P_TCP4, P_SCTP4, P_ICMP4, P_FRAG_FIRST, P_FRAG_LATER, P_UDP6,
    P_TCP6, P_ICMP6, P_NS, P_NA, P_ARP, P_VLAN, P_QINQ, P_MPLS, P_LLC,
    P_OTHER, N_PKTS
};

static void
build(struct pkt *p, int which)
{
    size_t ip;
    switch (which) {
    case P_UDP4:
    case P_TCP4:
    case P_SCTP4:
        eth(p, 0x0800);
        ip = ipv4(p, which == P_UDP4 ? 17 : which == P_TCP4 ? 6 : 132, 0);
        l4_ports(p, p->b[ip + 9], 1000, 53);
        ipv4_done(p, ip);
        break;
    case P_ICMP4:
        eth(p, 0x0800);
        ip = ipv4(p, 1, 0);
        icmp(p, 8, 0);
        ipv4_done(p, ip);
        break;
    case P_FRAG_FIRST:
    case P_FRAG_LATER:
        eth(p, 0x0800);
        ip = ipv4(p, 17, which == P_FRAG_FIRST ? 0x2000 : 0x0010);
        l4_ports(p, 17, 5, 6);
        ipv4_done(p, ip);
        break;
    case P_UDP6:
    case P_TCP6:
        eth(p, 0x86dd);
        ip = ipv6(p, which == P_UDP6 ? 17 : 6);
        l4_ports(p, which == P_UDP6 ? 17 : 6, 546, 547);
        ipv6_done(p, ip);
        break;
    case P_ICMP6:
        eth(p, 0x86dd);
        ip = ipv6(p, 58);
        icmp(p, 128, 0);
        ipv6_done(p, ip);
        break;
    case P_NS:
    case P_NA:
        eth(p, 0x86dd);
        ip = ipv6(p, 58);
        put8(p, which == P_NS ? 135 : 136);
        put8(p, 0);
        put16(p, 0);
        put32(p, 0);
        put(p, ip6_t, 16);
        put8(p, which == P_NS ? 1 : 2);     /* SLL or TLL. */
        put8(p, 1);
        put(p, mac_c, 6);
        ipv6_done(p, ip);
        break;
    case P_ARP:
        eth(p, 0x0806);
        put16(p, 1);
        put16(p, 0x0800);
        put8(p, 6);
        put8(p, 4);
        put16(p, 2);
        put(p, mac_a, 6);
        put32(p, 0x0a000001);
        put(p, mac_c, 6);
        put32(p, 0x0a0000fe);
        break;
    case P_VLAN:
        eth(p, 0x8100);
        put16(p, 0xb00a);           /* pcp 5, dei 1, vid 10 */
        put16(p, 0x0800);
        ip = ipv4(p, 17, 0);
        l4_ports(p, 17, 1, 2);
        ipv4_done(p, ip);
        break;
    case P_QINQ:
        eth(p, 0x88a8);
        put16(p, 0x0064);           /* vid 100 */
        put16(p, 0x8100);
        put16(p, 0x2fff);           /* pcp 1, vid 4095 */
        put16(p, 0x86dd);
        ip = ipv6(p, 6);
        l4_ports(p, 6, 22, 40000);
        ipv6_done(p, ip);
        break;
    case P_MPLS:
        eth(p, 0x8847);
        put32(p, (1000u << 12) | (5 << 9) | (1 << 8) | 64);
        put32(p, 0x45000000);
        break;
    case P_LLC:
        eth(p, 0x0030);
        put32(p, 0x424203aa);
        break;
    case P_OTHER:
        eth(p, 0x88cc);
        put32(p, 0x02070400);
        break;
    }
}

static void
extract(int which, uint32_t in_port, uint32_t recirc_id, struct flow *f)
{
    struct pkt p;
    struct miniflow mf;
    build(&p, which);
    flow_extract(p.b, p.len, in_port, recirc_id, &mf, NULL);
    miniflow_expand(&mf, f);
}

/* The mask that keeps every field flow_format shows for 'f'. */
static void
full_mask(const struct flow *f, struct flow *m)
{
    memset(m, 0, sizeof *m);
    m->in_port = UINT32_MAX;
    m->recirc_id = UINT32_MAX;
    m->tun_id = UINT64_MAX;
    m->tun_src = UINT32_MAX;
    m->tun_dst = UINT32_MAX;
    memset(m->dl_src, 0xff, 6);
    memset(m->dl_dst, 0xff, 6);
    m->dl_type = 0xffff;
    for (int i = 0; i < 2; i++) {
        if (f->vlans[i].tpid) {
            m->vlans[i].tpid = 0xffff;
            m->vlans[i].tci = 0xffff;
        }
    }
    uint16_t type = ntohs(f->dl_type);
    bool v6 = type == 0x86dd;
    if (type == 0x8847 || type == 0x8848) {
        m->mpls_lse = UINT32_MAX;
    } else if (type == 0x0806) {
        m->nw_src = m->nw_dst = UINT32_MAX;
        m->nw_proto = 0xff;
        memset(m->arp_sha, 0xff, 6);
        memset(m->arp_tha, 0xff, 6);
    } else if (type == 0x0800 || v6) {
        if (v6) {
            memset(m->ipv6_src, 0xff, 16);
            memset(m->ipv6_dst, 0xff, 16);
            m->ipv6_label = htonl(0xfffff);
        } else {
            m->nw_src = m->nw_dst = UINT32_MAX;
        }
        m->nw_proto = m->nw_tos = m->nw_ttl = 0xff;
        m->nw_frag = FLOW_FRAG_ANY | FLOW_FRAG_LATER;
        uint8_t proto = f->nw_proto;
        if (proto == 6 || proto == 17 || proto == 132
            || proto == (v6 ? 58 : 1)) {
            m->tp_src = m->tp_dst = 0xffff;
        }
        if (proto == 6) {
            m->tcp_flags = htons(0x0fff);
        }
        uint16_t t = ntohs(f->tp_src);
        if (v6 && proto == 58 && (t == 135 || t == 136)) {
            memset(m->nd_target, 0xff, 16);
            memset(m->arp_sha, 0xff, 6);
            memset(m->arp_tha, 0xff, 6);
        }
    }
}

static uint64_t rng_state = 0x9e3779b97f4a7c15;

static uint64_t
rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* Each byte of 'p' kept, cleared, or randomised, or the whole field. */
static void
rnd_bytes(void *p_, size_t n)
{
    uint8_t *p = p_;
    switch (rnd() % 4) {
    case 0:
        return;                 /* Exact, if it was. */
    case 1:
        memset(p, 0, n);
        return;
    case 2:                     /* A prefix. */
        {
            size_t bits = rnd() % (n * 8 + 1);
            for (size_t i = 0; i < n; i++) {
                size_t b = bits > 8 ? 8 : bits;
                p[i] &= (uint8_t) (b ? 0xff << (8 - b) : 0);
                bits -= b;
            }
        }
        return;
    default:
        for (size_t i = 0; i < n; i++) {
            p[i] &= (uint8_t) rnd();
        }
        return;
    }
}

#define RND(FIELD) rnd_bytes(&(FIELD), sizeof (FIELD))

/* A random partial mask under full_mask(f) that flow_format can show in
 * full: prerequisites stay exact where dependent fields are kept. */
static void
random_mask(const struct flow *f, struct flow *m)
{
    full_mask(f, m);
    RND(m->in_port);
    RND(m->recirc_id);
    RND(m->tun_id);
    RND(m->tun_src);
    RND(m->tun_dst);
    RND(m->dl_src);
    RND(m->dl_dst);
    for (int i = 0; i < 2; i++) {
        if (m->vlans[i].tpid) {
            RND(m->vlans[i].tci);
            if (rnd() % 4 == 0) {
                /* Partial TPID mask that still matches the tag. */
                uint16_t t;
                do {
                    t = (uint16_t) rnd();
                } while (!(t & f->vlans[i].tpid));
                m->vlans[i].tpid = t;
            }
        }
    }
    RND(m->mpls_lse);
    RND(m->nw_src);
    RND(m->nw_dst);
    RND(m->ipv6_label);
    RND(m->ipv6_src);
    RND(m->ipv6_dst);
    RND(m->nw_tos);
    RND(m->nw_ttl);
    RND(m->nw_frag);
    RND(m->tp_src);
    RND(m->tp_dst);
    RND(m->tcp_flags);
    RND(m->arp_sha);
    RND(m->arp_tha);
    RND(m->nd_target);

    uint16_t type = ntohs(f->dl_type);
    if (type == 0x0806) {
        RND(m->nw_proto);
    } else if (rnd() % 8 == 0) {
        /* Protocol wildcarded: nothing that needs it. */
        RND(m->nw_proto);
        if (m->nw_proto != 0xff) {
            m->tp_src = m->tp_dst = m->tcp_flags = 0;
        }
    }
    if (type == 0x86dd && m->tp_src != 0xffff) {
        memset(m->nd_target, 0, 16);
        memset(m->arp_sha, 0, 6);
        memset(m->arp_tha, 0, 6);
    }
    if (rnd() % 10 == 0) {
        /* Ethertype wildcarded: no L2.5 to L4 either. */
        RND(m->dl_type);
        if (m->dl_type != 0xffff) {
            memset(&m->mpls_lse, 0, sizeof *m - offsetof(struct flow,
                                                         mpls_lse));
        }
    }
}

static void
print_diff(const struct flow *a, const struct flow *b)
{
    const uint8_t *x = (const uint8_t *) a, *y = (const uint8_t *) b;
    for (size_t i = 0; i < sizeof *a; i++) {
        if (x[i] != y[i]) {
            print_error("byte %zu (word %zu): %02x != %02x\n", i, i / 8,
                        x[i], y[i]);
        }
    }
}

/* parse(format(f, m)) == (f & m, m) and format(parse(text)) == text. */
static void
check_round_trip(const struct flow *f, const struct flow *m)
{
    struct dstr text = DSTR_INIT, again = DSTR_INIT, err = DSTR_INIT;
    struct flow pf, pm, want;

    flow_format(f, m, &text);
    int error = flow_parse(dstr_cstr(&text), &pf, &pm, NULL, NULL, &err);
    if (error) {
        print_error("\"%s\": %s\n", dstr_cstr(&text), dstr_cstr(&err));
    }
    assert_int_equal(error, 0);
    flow_and(&want, f, m);
    if (memcmp(&pm, m, sizeof pm) || memcmp(&pf, &want, sizeof pf)) {
        print_error("\"%s\"\nmask:\n", dstr_cstr(&text));
        print_diff(&pm, m);
        print_error("flow:\n");
        print_diff(&pf, &want);
    }
    assert_memory_equal(&pm, m, sizeof pm);
    assert_memory_equal(&pf, &want, sizeof pf);
    flow_format(&pf, &pm, &again);
    assert_string_equal(dstr_cstr(&again), dstr_cstr(&text));
    dstr_free(&text);
    dstr_free(&again);
    dstr_free(&err);
}

static void
with_tunnel(struct flow *f, int i)
{
    if (i % 3 == 1) {
        f->tun_id = htobe64(UINT64_C(0x1234567890abcdef) + (uint64_t) i);
        f->tun_src = htonl(0xac100001);
        f->tun_dst = htonl(0xac100000 + (uint32_t) i);
    }
}

static void
test_round_trip_exact(void **state)
{
    (void) state;
    for (int i = 0; i < N_PKTS; i++) {
        struct flow f, m;
        extract(i, (uint32_t) i + 1, (uint32_t) i % 3, &f);
        with_tunnel(&f, i);
        full_mask(&f, &m);
        check_round_trip(&f, &m);
    }
}

static void
test_round_trip_random(void **state)
{
    (void) state;
    for (int n = 0; n < 20000; n++) {
        struct flow f, m;
        int i = n % N_PKTS;
        extract(i, (uint32_t) rnd(), (uint32_t) rnd(), &f);
        with_tunnel(&f, n);
        random_mask(&f, &m);
        check_round_trip(&f, &m);
    }
}

/* Canonical texts come back unchanged. */
static void
test_texts(void **state)
{
    (void) state;
    static const char *const texts[] = {
        "",
        "recirc_id(0),in_port(1)",
        "recirc_id(5/0xff),in_port(16/0xfffffff0)",
        "tunnel(tun_id=0x2a,src=10.0.0.1,dst=10.0.0.0/255.255.255.0)",
        "tunnel(tun_id=0x100/0xff00)",
        "eth(src=02:00:00:00:00:01,dst=01:00:00:00:00:00/01:00:00:00:00:00)",
        "vlan(tpid=0x8100,vid=10,pcp=3,dei=0)",
        "vlan(tpid=0x88a8,vid=100),vlan(tpid=0x8100,vid=5/0xff)",
        "vlan(tpid=0x8100/0xff00,dei=1)",
        "eth_type(0x0800/0xff00)",
        "eth_type(0x8847),mpls(label=1000,tc=5,ttl=64,bos=1)",
        "eth_type(0x8848),mpls(label=16/0xfff0)",
        "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.0/255.0.0.0,"
        "proto=17,tos=46,ttl=64,frag=no),udp(src=1000,dst=53)",
        "eth_type(0x0800),ipv4(tos=4/0xfc,frag=first)",
        "eth_type(0x0800),ipv4(frag=later)",
        "eth_type(0x0800),ipv4(frag=0x1/0x1)",
        "eth_type(0x0800),ipv4(frag=0x2/0x3)",
        "eth_type(0x0800),ipv4(proto=6),tcp(dst=80),tcp_flags(syn|ack)",
        "eth_type(0x0800),ipv4(proto=6),tcp_flags(0x002/0x012)",
        "eth_type(0x0800),ipv4(proto=6),tcp_flags(fin|ns|0xe00)",
        "eth_type(0x0800),ipv4(proto=6),tcp_flags(0)",
        "eth_type(0x0800),ipv4(proto=132),sctp(src=1/0xf)",
        "eth_type(0x0800),ipv4(proto=1),icmp(type=8,code=0)",
        "eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::/ffff:ffff::,"
        "label=0x12345,proto=58,tclass=0xb8,hlimit=255,frag=no),"
        "icmpv6(type=135,code=0),nd(target=fe80::99,"
        "sll=0a:0b:0c:0d:0e:0f,tll=00:00:00:00:00:00)",
        "eth_type(0x86dd),ipv6(proto=58),icmpv6(type=136),"
        "nd(tll=0a:0b:0c:0d:0e:0f)",
        "eth_type(0x86dd),ipv6(label=0x1/0xf,proto=17),udp(dst=547)",
        "eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.254,op=1,"
        "sha=02:00:00:00:00:01,tha=00:00:00:00:00:00)",
        "recirc_id(0),in_port(2),eth(src=02:00:00:00:00:01,"
        "dst=02:00:00:00:00:02),vlan(tpid=0x88a8,vid=100,pcp=0,dei=0),"
        "vlan(tpid=0x8100,vid=4095,pcp=1,dei=0),eth_type(0x86dd),"
        "ipv6(proto=6),tcp(src=22)",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct dstr out = DSTR_INIT, err = DSTR_INIT;
        struct flow f, m;
        int error = flow_parse(texts[i], &f, &m, NULL, NULL, &err);
        if (error) {
            print_error("\"%s\": %s\n", texts[i], dstr_cstr(&err));
        }
        assert_int_equal(error, 0);
        flow_format(&f, &m, &out);
        assert_string_equal(dstr_cstr(&out), texts[i]);
        dstr_free(&out);
        dstr_free(&err);
    }
}

static void
parse_ok(const char *s, struct flow *f, struct flow *m)
{
    struct dstr err = DSTR_INIT;
    int error = flow_parse(s, f, m, NULL, NULL, &err);
    if (error) {
        print_error("\"%s\": %s\n", s, dstr_cstr(&err));
    }
    assert_int_equal(error, 0);
    dstr_free(&err);
}

/* Other spellings: they parse to the same as the canonical text. */
static void
test_equivalents(void **state)
{
    (void) state;
    static const char *const pairs[][2] = {
        { "in_port=1,recirc_id=0", "recirc_id(0),in_port(1)" },
        { "in_port=1/0xff", "in_port(1/0xff)" },
        { "recirc_id=0x10, in_port=0x2", "recirc_id(16),in_port(2)" },
        { " in_port(1), eth_type(0x0800) ,ipv4( src=10.0.0.1 , ttl=64 )",
          "in_port(1),eth_type(0x0800),ipv4(src=10.0.0.1,ttl=64)" },
        { "ipv4(src=10.0.0.0/8)",
          "eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0)" },
        { "ipv4(dst=10.1.2.3/0)", "eth_type(0x0800)" },
        { "ipv4(src=10.1.2.3/255.255.0.0)",
          "eth_type(0x0800),ipv4(src=10.1.0.0/255.255.0.0)" },
        { "ipv6(src=2001:db8::1/32)",
          "eth_type(0x86dd),ipv6(src=2001:db8::/ffff:ffff::)" },
        { "ipv6(dst=::1/128)", "eth_type(0x86dd),ipv6(dst=::1)" },
        { "ipv4(),udp(dst=0x35)",
          "eth_type(0x0800),ipv4(proto=17),udp(dst=53)" },
        { "ipv6(),tcp(src=1)", "eth_type(0x86dd),ipv6(proto=6),tcp(src=1)" },
        { "ipv4(),tcp_flags(syn)",
          "eth_type(0x0800),ipv4(proto=6),tcp_flags(syn)" },
        { "ipv4(),tcp_flags(0x012)",
          "eth_type(0x0800),ipv4(proto=6),tcp_flags(syn|ack)" },
        { "ipv4(),tcp_flags(syn|0x010|0x800)",
          "eth_type(0x0800),ipv4(proto=6),tcp_flags(syn|ack|0x800)" },
        { "icmp(type=3)", "eth_type(0x0800),ipv4(proto=1),icmp(type=3)" },
        { "icmpv6(type=135),nd(target=fe80::1)",
          "eth_type(0x86dd),ipv6(proto=58),icmpv6(type=135),"
          "nd(target=fe80::1)" },
        { "arp(op=2)", "eth_type(0x0806),arp(op=2)" },
        { "mpls(label=3)", "eth_type(0x8847),mpls(label=3)" },
        { "vlan()", "vlan(tpid=0x8100)" },
        { "vlan(vid=5),vlan(vid=6)",
          "vlan(tpid=0x8100,vid=5),vlan(tpid=0x8100,vid=6)" },
        { "eth(dst=2:0:0:0:0:A)", "eth(dst=02:00:00:00:00:0a)" },
        { "eth(src=02:00:00:00:00:01/ff:ff:ff:00:00:00)",
          "eth(src=02:00:00:00:00:00/ff:ff:ff:00:00:00)" },
        { "eth_type(0x0800),ipv4(frag=0x3)",
          "eth_type(0x0800),ipv4(frag=later)" },
        { "udp(dst=53),ipv4(proto=17),eth_type(0x0800)",
          "eth_type(0x0800),ipv4(proto=17),udp(dst=53)" },
        { "tunnel(tun_id=0xffffffffffffffff)",
          "tunnel(tun_id=0xffffffffffffffff)" },
        { ",,in_port(1),,", "in_port(1)" },
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        struct flow f1, m1, f2, m2;
        parse_ok(pairs[i][0], &f1, &m1);
        parse_ok(pairs[i][1], &f2, &m2);
        assert_memory_equal(&m1, &m2, sizeof m1);
        assert_memory_equal(&f1, &f2, sizeof f1);
    }

    /* Values land where flow_extract puts them. */
    struct flow f, m, x;
    extract(P_VLAN, 9, 0, &x);
    parse_ok("in_port(9),vlan(vid=10,pcp=5,dei=1),ipv4(src=10.0.0.1,"
             "dst=192.168.1.2,proto=17,tos=46,ttl=64,frag=no),"
             "udp(src=1,dst=2)", &f, &m);
    struct flow want;
    flow_and(&want, &x, &m);
    assert_memory_equal(&f, &want, sizeof f);
    assert_int_equal(m.vlans[0].tci, 0xffff);
    assert_int_equal(f.vlans[0].tpid, htons(0x8100));
    assert_int_equal(m.vlans[1].tpid, 0);
    assert_int_equal(f.in_port, 9);
    assert_int_equal(m.in_port, UINT32_MAX);
    assert_int_equal(m.recirc_id, 0);

    parse_ok("eth_type(0x8847),mpls(label=1000,tc=5,ttl=64,bos=1)", &f, &m);
    assert_int_equal(f.mpls_lse,
                     htonl((1000u << 12) | (5 << 9) | (1 << 8) | 64));
    assert_int_equal(m.mpls_lse, UINT32_MAX);
    parse_ok("tunnel(tun_id=0x1122334455667788,src=1.2.3.4)", &f, &m);
    assert_true(f.tun_id == htobe64(UINT64_C(0x1122334455667788)));
    assert_int_equal(f.tun_src, htonl(0x01020304));
    assert_int_equal(m.tun_dst, 0);
    parse_ok("ipv6(label=0xfffff)", &f, &m);
    assert_int_equal(f.ipv6_label, htonl(0xfffff));
    assert_int_equal(m.ipv6_label, htonl(0xfffff));
    parse_ok("ipv4(),tcp_flags(0x010/0x0f0)", &f, &m);
    assert_int_equal(f.tcp_flags, htons(0x010));
    assert_int_equal(m.tcp_flags, htons(0x0f0));
}

static int
lookup(const char *name, uint32_t *port_no, void *aux)
{
    int *calls = aux;
    ++*calls;
    if (!strcmp(name, "br0")) {
        *port_no = 7;
        return 0;
    } else if (!strcmp(name, "vhost-user.1")) {
        *port_no = 65534;
        return 0;
    }
    return -ENOENT;
}

static void
test_port_names(void **state)
{
    (void) state;
    struct dstr err = DSTR_INIT;
    struct flow f, m;
    int calls = 0;

    assert_int_equal(flow_parse("in_port(br0)", &f, &m, lookup, &calls,
                                &err), 0);
    assert_int_equal(f.in_port, 7);
    assert_int_equal(m.in_port, UINT32_MAX);
    assert_int_equal(flow_parse("in_port=vhost-user.1,eth_type(0x0806)", &f,
                                &m, lookup, &calls, &err), 0);
    assert_int_equal(f.in_port, 65534);
    assert_int_equal(flow_parse("in_port(br0/0xfff0)", &f, &m, lookup,
                                &calls, &err), 0);
    assert_int_equal(f.in_port, 0);
    assert_int_equal(m.in_port, 0xfff0);
    /* Numbers never go to the lookup. */
    int before = calls;
    assert_int_equal(flow_parse("in_port(12)", &f, &m, lookup, &calls,
                                &err), 0);
    assert_int_equal(calls, before);
    assert_int_equal(f.in_port, 12);

    assert_int_equal(flow_parse("in_port(eth9)", &f, &m, lookup, &calls,
                                &err), -EINVAL);
    assert_non_null(strstr(dstr_cstr(&err), "eth9"));
    dstr_clear(&err);
    assert_int_equal(flow_parse("in_port(br0)", &f, &m, NULL, NULL, &err),
                     -EINVAL);
    assert_non_null(strstr(dstr_cstr(&err), "br0"));
    dstr_free(&err);
}

/* Bad input: -EINVAL, with a message that names the bad token. */
static void
test_errors(void **state)
{
    (void) state;
    static const char *const cases[][2] = {
        { "foo(1)", "foo" },
        { "ipv4(bar=1)", "bar" },
        { "eth(src=02:00:00:00:00)", "02:00:00:00:00" },
        { "eth(src=02:00:00:00:00:01:03)", "02:00:00:00:00:01:03" },
        { "eth(src=g2:00:00:00:00:01)", "g2:00:00:00:00:01" },
        { "eth(dst=02:00:00:00:00:01/ff:ff)", "ff:ff" },
        { "eth(src=002:00:00:00:00:01)", "002:00:00:00:00:01" },
        { "ipv4(src=10.0.0.256)", "10.0.0.256" },
        { "ipv4(src=10.0.0)", "10.0.0" },
        { "ipv4(src=10.0.0.1/33)", "10.0.0.1/33" },
        { "ipv4(dst=10.0.0.1/255.0.0.x)", "255.0.0.x" },
        { "ipv6(src=2001:db8:::1)", "2001:db8:::1" },
        { "ipv6(src=::1/129)", "::1/129" },
        { "ipv4(ttl=256)", "256" },
        { "ipv4(proto=0x100)", "0x100" },
        { "in_port(4294967296)", "4294967296" },
        { "recirc_id(99999999999999999999999)", "99999999999999999999999" },
        { "vlan(vid=4096)", "4096" },
        { "vlan(pcp=8)", "8" },
        { "vlan(dei=2)", "2" },
        { "mpls(label=0x100000)", "0x100000" },
        { "ipv6(label=0x100000)", "0x100000" },
        { "eth_type(0x10000)", "0x10000" },
        { "udp(dst=65536)", "65536" },
        { "ipv4(),tcp_flags(0x1000)", "0x1000" },
        { "ipv4(),tcp_flags(syn|foo)", "foo" },
        { "ipv4(),tcp_flags(syn|)", "tcp_flags" },
        { "ipv4(ttl=-1)", "-1" },
        { "ipv4(ttl=1x)", "1x" },
        { "ipv4(ttl=0x)", "0x" },
        { "ipv4(ttl= )", "ipv4(ttl)" },
        { "ipv4(frag=maybe)", "maybe" },
        { "ipv4(frag=no/0x1)", "no" },
        { "ipv4(src=10.0.0.1", "ipv4" },
        { "in_port(1", "in_port" },
        { "in_port(1,2)", "in_port" },
        { "eth_type", "eth_type" },
        { "ipv4(src)", "src" },
        { "ipv4(src=)", "ipv4(src)" },
        { "ipv4(src=/8)", "ipv4(src)" },
        { "ipv4(src=10.0.0.1/)", "ipv4(src)" },
        { "in_port()", "in_port" },
        { "in_port=", "in_port" },
        { "in_port(1))", ")" },
        { "@#$", "@#$" },
        { "ipv4(src=1.2.3.4)garbage", "garbage" },
        { "(", "(" },
        { "eth_type=0x0800", "eth_type" },
        { "ipv4(src=1.1.1.1,src=2.2.2.2)", "ipv4(src)" },
        { "in_port=1,in_port(2)", "in_port" },
        { "vlan(),vlan(),vlan()", "vlan" },
        { "vlan(tpid=0x8100/0x00ff)", "vlan(tpid)" },
        { "vlan(tpid=0)", "vlan(tpid)" },
        { "eth_type(0x0806),ipv4(src=1.1.1.1)", "ipv4" },
        { "eth_type(0x0800/0xff00),ipv4()", "ipv4" },
        { "ipv4(),ipv6()", "ipv6" },
        { "udp(dst=53)", "udp" },
        { "ipv4(proto=6),udp(dst=53)", "udp" },
        { "ipv4(),tcp(src=1),udp(dst=2)", "udp" },
        { "ipv6(),icmp(type=1)", "icmp" },
        { "ipv4(),icmpv6(type=1)", "icmpv6" },
        { "ipv6(),nd(target=::1)", "nd" },
        { "icmpv6(type=128),nd(target=::1)", "nd" },
        { "eth_type(0x0800),mpls(label=1)", "mpls" },
        { "arp(op=1),ipv4()", "arp" },
        { "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,"
          "frag=no,xyz=1)", "xyz" },
        { "eth(src=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaa)", "too long" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dstr err = DSTR_INIT;
        struct flow f, m;
        int error = flow_parse(cases[i][0], &f, &m, NULL, NULL, &err);
        if (error != -EINVAL || !strstr(dstr_cstr(&err), cases[i][1])) {
            print_error("\"%s\" gave %d \"%s\", expected -EINVAL naming "
                        "\"%s\"\n", cases[i][0], error, dstr_cstr(&err),
                        cases[i][1]);
        }
        assert_int_equal(error, -EINVAL);
        assert_non_null(strstr(dstr_cstr(&err), cases[i][1]));
        dstr_free(&err);
    }
}

/* Parses the 'n' bytes at 's' from an exactly-sized copy, so that the
 * sanitizer sees any read past the NUL.  Whatever it accepts must show in
 * full: parsing what format prints for it gives it back. */
static void
fuzz_one(const char *s, size_t n)
{
    char *copy = malloc(n + 1);
    assert_non_null(copy);
    memcpy(copy, s, n);
    copy[n] = '\0';

    struct dstr err = DSTR_INIT, text = DSTR_INIT;
    struct flow f, m, f2, m2;
    int calls = 0;
    int error = flow_parse(copy, &f, &m, lookup, &calls, &err);
    if (!error) {
        flow_format(&f, &m, &text);
        error = flow_parse(dstr_cstr(&text), &f2, &m2, NULL, NULL, &err);
        if (error || memcmp(&f, &f2, sizeof f) || memcmp(&m, &m2, sizeof m)) {
            print_error("\"%s\" -> \"%s\": %s\n", copy, dstr_cstr(&text),
                        dstr_cstr(&err));
        }
        assert_int_equal(error, 0);
        assert_memory_equal(&f, &f2, sizeof f);
        assert_memory_equal(&m, &m2, sizeof m);
    } else {
        assert_int_equal(error, -EINVAL);
        assert_true(err.len > 0);
    }
    dstr_free(&err);
    dstr_free(&text);
    free(copy);
}

static void
test_fuzz(void **state)
{
    (void) state;
    static const char *const seeds[] = {
        "recirc_id(0),in_port(1),eth(src=02:00:00:00:00:01,"
        "dst=02:00:00:00:00:02),vlan(tpid=0x88a8,vid=100,pcp=0,dei=0),"
        "vlan(vid=4095,pcp=1),eth_type(0x86dd),ipv6(src=2001:db8::1,"
        "dst=2001:db8::/32,label=0x12345,proto=58,tclass=0xb8,"
        "hlimit=255,frag=no),icmpv6(type=135,code=0),nd(target=fe80::99,"
        "sll=0a:0b:0c:0d:0e:0f,tll=00:00:00:00:00:00)",
        "in_port=br0,tunnel(tun_id=0x2a/0xff,src=10.0.0.1,dst=10.0.0.2/8),"
        "eth_type(0x0800),ipv4(src=10.0.0.1/255.0.0.0,proto=6,tos=0x2e/0xfc,"
        "ttl=64,frag=first),tcp(src=1000/0xff00,dst=80),"
        "tcp_flags(syn|ack|0x800)",
        "eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.0/24,op=1,"
        "sha=02:00:00:00:00:01/ff:ff:ff:00:00:00,tha=00:00:00:00:00:00)",
        "eth_type(0x8847),mpls(label=1000,tc=5,ttl=64,bos=1),"
        "recirc_id=3",
        "ipv4(frag=0x1/0x3),icmp(type=8,code=0/0xf)",
    };
    static const char alphabet[] =
        "(),=/:.| x0123456789abcdefABCDEFipvethnpordsclagfkuy_-\t";
    static const char *const words[] = {
        "in_port", "recirc_id", "tunnel", "eth", "vlan", "eth_type",
        "mpls", "ipv4", "ipv6", "arp", "tcp", "udp", "sctp", "tcp_flags",
        "icmp", "icmpv6", "nd", "src=", "dst=", "0x", "(", ")", ",", "/",
        "=", "::", "255.255.255.0", "ff:ff:ff:ff:ff:ff", "frag=", "no",
        "later", "syn|", "tpid=", "vid=", "label=", "type=135", "br0",
    };

    /* Every prefix of the seeds. */
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        size_t len = strlen(seeds[i]);
        for (size_t n = 0; n <= len; n++) {
            fuzz_one(seeds[i], n);
        }
    }

    char buf[512];
    for (int iter = 0; iter < 100000; iter++) {
        size_t n = 0;
        if (iter % 3 == 0) {
            /* Random characters. */
            size_t len = rnd() % 64;
            for (; n < len; n++) {
                buf[n] = alphabet[rnd() % (sizeof alphabet - 1)];
            }
        } else if (iter % 3 == 1) {
            /* Random words. */
            size_t k = rnd() % 16;
            for (size_t j = 0; j < k; j++) {
                const char *w = words[rnd() % (sizeof words / sizeof *words)];
                size_t wl = strlen(w);
                if (n + wl >= sizeof buf) {
                    break;
                }
                memcpy(buf + n, w, wl);
                n += wl;
            }
        } else {
            /* A seed with a few characters changed, dropped or added. */
            const char *s = seeds[rnd() % (sizeof seeds / sizeof *seeds)];
            n = strlen(s);
            memcpy(buf, s, n);
            for (int k = (int) (rnd() % 4) + 1; k > 0; k--) {
                size_t at = n ? rnd() % n : 0;
                int op = (int) (rnd() % 3);
                if (op == 0 && n) {
                    buf[at] = alphabet[rnd() % (sizeof alphabet - 1)];
                } else if (op == 1 && n) {
                    memmove(buf + at, buf + at + 1, n - at - 1);
                    n--;
                } else if (n + 1 < sizeof buf) {
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = alphabet[rnd() % (sizeof alphabet - 1)];
                    n++;
                }
            }
            if (rnd() % 2) {
                n = n ? rnd() % n : 0;      /* Truncated too. */
            }
        }
        fuzz_one(buf, n);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_exact),
        cmocka_unit_test(test_round_trip_random),
        cmocka_unit_test(test_texts),
        cmocka_unit_test(test_equivalents),
        cmocka_unit_test(test_port_names),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
