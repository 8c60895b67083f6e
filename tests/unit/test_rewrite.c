/* Unit tests for rewrite: masked header sets and checksum updates.
 *
 * The random tests build packets with valid checksums (Ethernet, optional
 * VLAN tag, IPv4 with options and fragments or IPv6 with extension
 * headers, TCP/UDP/SCTP/ICMP/other), apply a random masked set, and
 * compare the result byte for byte with the packet edited field by field
 * here and then checksummed from scratch by a reference implementation
 * that shares no code with the module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <arpa/inet.h>

#include <cmocka.h>

#include "pmd/rewrite.h"

/* Deterministic pseudo-random numbers (xorshift64*). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t) ((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static void
rnd_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t) rnd();
    }
}

/* A mask byte: none, all, or random bits. */
static void
rnd_mask(uint8_t *p, size_t n)
{
    int kind = (int) (rnd() % 4);
    for (size_t i = 0; i < n; i++) {
        p[i] = kind == 0 ? 0 : kind == 1 ? 0xff : (uint8_t) rnd();
    }
}

/* ---- Reference checksums (big-endian words, written from scratch). */

static uint32_t
ref_sum(uint32_t acc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        acc += (uint32_t) p[i] << 8 | p[i + 1];
    }
    if (n & 1) {
        acc += (uint32_t) p[n - 1] << 8;
    }
    return acc;
}

static uint16_t
ref_finish(uint32_t acc)
{
    while (acc >> 16) {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    return (uint16_t) ~acc;
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static uint32_t
ref_crc32c(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffff;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
        }
    }
    return ~c;
}

/* ---- Test packets. */

struct tpkt {
    uint8_t b[600];
    size_t len;                 /* Bytes in b[], trailer included. */
    struct flow_offsets ofs;
    int v;                      /* 4, 6 or 0 (ARP). */
    uint8_t proto;
    bool has_l4;
    bool rh_segs;
    bool udp_nocsum;
    uint32_t sctp_err;          /* XORed into a correct SCTP CRC. */
    uint8_t final_dst[16];      /* Pseudo-header destination if rh_segs. */
    size_t l4_end;              /* End of the IP payload. */
};

static void
ipv4_csum(struct tpkt *t, uint8_t *b)
{
    uint8_t *h = b + t->ofs.l3;
    size_t ihl = (size_t) (h[0] & 0xf) * 4;
    put16(h + 10, 0);
    put16(h + 10, ref_finish(ref_sum(0, h, ihl)));
}

/* Sets the L4 checksum of 'b' (laid out as 't') from scratch. */
static void
l4_csum(const struct tpkt *t, uint8_t *b)
{
    if (!t->has_l4) {
        return;
    }
    uint8_t *l4 = b + t->ofs.l4;
    const uint8_t *h = b + t->ofs.l3;
    size_t n = t->l4_end - t->ofs.l4;
    size_t off;
    uint32_t acc = 0;

    switch (t->proto) {
    case 6:
        off = 16;
        break;
    case 17:
        if (t->udp_nocsum) {
            return;
        }
        off = 6;
        break;
    case 1:
    case 58:
        off = 2;
        break;
    case 132:
        memset(l4 + 8, 0, 4);
        uint32_t crc = ref_crc32c(l4, n) ^ t->sctp_err;
        for (int i = 0; i < 4; i++) {
            l4[8 + i] = (uint8_t) (crc >> (8 * i));
        }
        return;
    default:
        return;
    }
    if (t->proto != 1) {
        uint8_t ph[40];
        size_t phlen;
        if (t->v == 4) {
            memcpy(ph, h + 12, 8);
            ph[8] = 0;
            ph[9] = t->proto;
            put16(ph + 10, (uint16_t) n);
            phlen = 12;
        } else {
            memcpy(ph, h + 8, 16);
            memcpy(ph + 16, t->rh_segs ? t->final_dst : h + 24, 16);
            put16(ph + 32, 0);
            put16(ph + 34, (uint16_t) n);
            memset(ph + 36, 0, 3);
            ph[39] = t->proto;
            phlen = 40;
        }
        acc = ref_sum(0, ph, phlen);
    }
    put16(l4 + off, 0);
    uint16_t c = ref_finish(ref_sum(acc, l4, n));
    if (t->proto == 17 && !c) {
        c = 0xffff;
    }
    put16(l4 + off, c);
}

static size_t
build_l4(struct tpkt *t, size_t off)
{
    uint8_t *l4 = t->b + off;
    size_t hlen;
    static const uint8_t protos[] = { 6, 6, 17, 17, 132, 1, 47 };

    t->proto = protos[rnd() % sizeof protos];
    if (t->proto == 1 && t->v == 6) {
        t->proto = 58;
    }
    switch (t->proto) {
    case 6:
        hlen = 20 + 4 * (rnd() % 3);
        rnd_bytes(l4, hlen);
        l4[12] = (uint8_t) (hlen / 4) << 4;
        break;
    case 17:
        hlen = 8;
        rnd_bytes(l4, hlen);
        t->udp_nocsum = rnd() % 4 == 0;
        put16(l4 + 6, 0);
        break;
    case 132:
        hlen = 16;
        rnd_bytes(l4, hlen);
        t->sctp_err = rnd() % 8 == 0 ? rnd() | 1 : 0;
        break;
    default:
        hlen = 8;
        rnd_bytes(l4, hlen);
        break;
    }
    size_t payload = rnd() % 65;
    rnd_bytes(l4 + hlen, payload);
    if (t->proto == 17) {
        put16(l4 + 4, (uint16_t) (hlen + payload));
    }
    return hlen + payload;
}

/* Builds a random packet with correct checksums. */
static void
build(struct tpkt *t)
{
    memset(t, 0, sizeof *t);
    uint8_t *b = t->b;
    size_t off = 12;
    rnd_bytes(b, 12);
    if (rnd() % 3 == 0) {
        put16(b + 12, 0x8100);
        put16(b + 14, (uint16_t) rnd());
        off += 4;
    }
    int r = (int) (rnd() % 16);
    t->v = r < 7 ? 4 : r < 15 ? 6 : 0;
    put16(b + off, t->v == 4 ? 0x0800 : t->v == 6 ? 0x86dd : 0x0806);
    off += 2;
    t->ofs.l2_5 = FLOW_OFS_NONE;
    t->ofs.l3 = (uint16_t) off;
    t->ofs.l4 = FLOW_OFS_NONE;
    uint8_t *h = b + off;

    if (t->v == 0) {
        rnd_bytes(h, 28);
        put16(h, 1);
        t->len = off + 28;
        return;
    }
    if (t->v == 4) {
        size_t ihl = 20 + 4 * (rnd() % 4);
        rnd_bytes(h, ihl);
        h[0] = (uint8_t) (0x40 | ihl / 4);
        int fr = (int) (rnd() % 8);
        uint16_t frag = fr == 0 ? (uint16_t) (1 + rnd() % 0x1fff)
                        : fr == 1 ? 0x2000 : (rnd() % 2 ? 0x4000 : 0);
        if (fr == 0 && rnd() % 2) {
            frag |= 0x2000;
        }
        put16(h + 6, frag);
        if (rnd() % 8 == 0) {
            h[8] = (uint8_t) (rnd() % 3);       /* TTL 0..2 for dec_ttl. */
        }
        size_t l4len;
        if (fr == 0) {
            h[9] = (uint8_t) rnd();
            l4len = rnd() % 40;
            rnd_bytes(h + ihl, l4len);
        } else {
            t->ofs.l4 = (uint16_t) (off + ihl);
            t->has_l4 = true;
            l4len = build_l4(t, off + ihl);
            h[9] = t->proto;
        }
        put16(h + 2, (uint16_t) (ihl + l4len));
        t->len = off + ihl + l4len;
    } else {
        rnd_bytes(h, 40);
        h[0] = (uint8_t) (0x60 | (h[0] & 0x0f));
        if (rnd() % 8 == 0) {
            h[7] = (uint8_t) (rnd() % 3);
        }
        uint8_t *nhp = h + 6;
        size_t e = off + 40;
        bool later = false;
        int n_ext = rnd() % 2 ? 0 : (int) (rnd() % 4);
        for (int i = 0; i < n_ext && !later; i++) {
            static const uint8_t types[] = { 0, 60, 43, 44, 51 };
            uint8_t type = types[rnd() % sizeof types];
            uint8_t *x = b + e;
            size_t xlen;
            *nhp = type;
            switch (type) {
            case 43:
                xlen = 24;
                rnd_bytes(x, xlen);
                x[1] = 2;
                x[2] = 0;
                x[3] = (uint8_t) (rnd() % 2 ? 1 + rnd() % 3 : 0);
                if (x[3]) {
                    t->rh_segs = true;
                    memcpy(t->final_dst, x + 8, 16);
                }
                break;
            case 44:
                xlen = 8;
                rnd_bytes(x, xlen);
                later = rnd() % 2;
                put16(x + 2, later ? (uint16_t) ((1 + rnd() % 100) << 3)
                                   : 1);
                break;
            case 51:
                xlen = 24;
                rnd_bytes(x, xlen);
                x[1] = 4;
                break;
            default:
                xlen = 8 * (1 + rnd() % 2);
                rnd_bytes(x, xlen);
                x[1] = (uint8_t) (xlen / 8 - 1);
                break;
            }
            nhp = x;
            e += xlen;
        }
        size_t l4len;
        if (later) {
            *nhp = (uint8_t) rnd();
            l4len = rnd() % 40;
            rnd_bytes(b + e, l4len);
        } else {
            t->ofs.l4 = (uint16_t) e;
            t->has_l4 = true;
            l4len = build_l4(t, e);
            *nhp = t->proto;
        }
        put16(h + 4, (uint16_t) (e + l4len - off - 40));
        t->len = e + l4len;
    }
    t->l4_end = t->len;
    l4_csum(t, b);
    if (t->v == 4) {
        ipv4_csum(t, b);
    }
    if (rnd() % 4 == 0) {                   /* Ethernet padding. */
        size_t pad = 1 + rnd() % 8;
        rnd_bytes(b + t->len, pad);
        t->len += pad;
    }
}

static void
ref_set(uint8_t *p, const uint8_t *key, const uint8_t *mask, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t) ((p[i] & ~mask[i]) | (key[i] & mask[i]));
    }
}

enum op { OP_ETH, OP_IPV4, OP_IPV6, OP_TCP, OP_UDP, OP_SCTP, OP_TTL,
          N_OPS };

/* Runs one random operation on a packet and checks it. */
static void
check_one(struct tpkt *t)
{
    enum op op = (enum op) (rnd() % N_OPS);
    if (rnd() % 4) {
        /* Mostly pick an operation that fits the packet. */
        if (t->v == 4 && op == OP_IPV6) {
            op = OP_IPV4;
        } else if (t->v == 6 && op == OP_IPV4) {
            op = OP_IPV6;
        }
        if (op >= OP_TCP && op <= OP_SCTP) {
            op = t->proto == 17 ? OP_UDP : t->proto == 132 ? OP_SCTP
                                                           : OP_TCP;
        }
    }
    uint8_t *pkt = malloc(t->len);      /* Exact size: ASan sees overruns. */
    uint8_t *exp = malloc(t->len);
    assert_non_null(pkt);
    assert_non_null(exp);
    memcpy(pkt, t->b, t->len);
    memcpy(exp, t->b, t->len);
    uint8_t *h = exp + (t->ofs.l3 == FLOW_OFS_NONE ? 0 : t->ofs.l3);
    int want = 0, got;

    switch (op) {
    case OP_ETH: {
        struct rewrite_eth key, mask;
        rnd_bytes((uint8_t *) &key, sizeof key);
        rnd_mask(mask.src, 6);
        rnd_mask(mask.dst, 6);
        got = rewrite_set_eth(pkt, t->len, &key, &mask);
        ref_set(exp, key.dst, mask.dst, 6);
        ref_set(exp + 6, key.src, mask.src, 6);
        break;
    }
    case OP_IPV4: {
        struct rewrite_ipv4 key, mask;
        rnd_bytes((uint8_t *) &key, sizeof key);
        rnd_mask((uint8_t *) &mask.src, 4);
        rnd_mask((uint8_t *) &mask.dst, 4);
        rnd_mask(&mask.tos, 1);
        rnd_mask(&mask.ttl, 1);
        got = rewrite_set_ipv4(pkt, t->len, &t->ofs, &key, &mask);
        if (t->v != 4) {
            want = -EINVAL;
            break;
        }
        ref_set(h + 12, (uint8_t *) &key.src, (uint8_t *) &mask.src, 4);
        ref_set(h + 16, (uint8_t *) &key.dst, (uint8_t *) &mask.dst, 4);
        ref_set(h + 1, &key.tos, &mask.tos, 1);
        ref_set(h + 8, &key.ttl, &mask.ttl, 1);
        break;
    }
    case OP_IPV6: {
        struct rewrite_ipv6 key, mask;
        rnd_bytes((uint8_t *) &key, sizeof key);
        rnd_mask(mask.src, 16);
        rnd_mask(mask.dst, 16);
        rnd_mask((uint8_t *) &mask.label, 4);
        mask.label &= htonl(0xfffff);
        rnd_mask(&mask.tclass, 1);
        rnd_mask(&mask.hlimit, 1);
        got = rewrite_set_ipv6(pkt, t->len, &t->ofs, &key, &mask);
        if (t->v != 6) {
            want = -EINVAL;
            break;
        }
        ref_set(h + 8, key.src, mask.src, 16);
        ref_set(h + 24, key.dst, mask.dst, 16);
        ref_set(h + 7, &key.hlimit, &mask.hlimit, 1);
        uint8_t tc = (uint8_t) ((h[0] & 0x0f) << 4 | h[1] >> 4);
        ref_set(&tc, &key.tclass, &mask.tclass, 1);
        h[0] = (uint8_t) ((h[0] & 0xf0) | tc >> 4);
        h[1] = (uint8_t) ((h[1] & 0x0f) | (tc & 0x0f) << 4);
        uint32_t k = ntohl(key.label), m = ntohl(mask.label);
        uint32_t l = (uint32_t) (h[1] & 0x0f) << 16 | get16(h + 2);
        l = (l & ~m) | (k & m);
        h[1] = (uint8_t) ((h[1] & 0xf0) | l >> 16);
        put16(h + 2, (uint16_t) l);
        break;
    }
    case OP_TCP:
    case OP_UDP:
    case OP_SCTP: {
        uint8_t proto = op == OP_TCP ? 6 : op == OP_UDP ? 17 : 132;
        struct rewrite_ports key, mask;
        rnd_bytes((uint8_t *) &key, sizeof key);
        rnd_mask((uint8_t *) &mask.src, 2);
        rnd_mask((uint8_t *) &mask.dst, 2);
        got = rewrite_set_ports(pkt, t->len, &t->ofs, proto, &key, &mask);
        if (!t->has_l4 || t->proto != proto) {
            want = -EINVAL;
            break;
        }
        uint8_t *l4 = exp + t->ofs.l4;
        ref_set(l4, (uint8_t *) &key.src, (uint8_t *) &mask.src, 2);
        ref_set(l4 + 2, (uint8_t *) &key.dst, (uint8_t *) &mask.dst, 2);
        break;
    }
    case OP_TTL:
    default:
        got = rewrite_dec_ttl(pkt, t->len, &t->ofs);
        if (!t->v) {
            want = -EINVAL;
        } else if (h[t->v == 4 ? 8 : 7] <= 1) {
            want = -ETIME;
        } else {
            h[t->v == 4 ? 8 : 7]--;
        }
        break;
    }
    if (!want) {
        l4_csum(t, exp);
        if (t->v == 4) {
            ipv4_csum(t, exp);
        }
    } else {
        memcpy(exp, t->b, t->len);
    }
    assert_int_equal(got, want);
    if (memcmp(pkt, exp, t->len)) {
        print_message("op %d v%d proto %u has_l4 %d len %zu\n", op, t->v,
                      t->proto, t->has_l4, t->len);
        for (size_t i = 0; i < t->len; i++) {
            if (pkt[i] != exp[i]) {
                print_message("  byte %zu: got %02x want %02x\n", i,
                              pkt[i], exp[i]);
            }
        }
        fail();
    }
    free(pkt);
    free(exp);
}

static void
test_random_sets(void **state)
{
    (void) state;
    struct tpkt t;
    int n_v4 = 0, n_v6 = 0, n_l4 = 0;
    for (int i = 0; i < 50000; i++) {
        build(&t);
        n_v4 += t.v == 4;
        n_v6 += t.v == 6;
        n_l4 += t.has_l4;
        check_one(&t);
    }
    assert_true(n_v4 > 15000 && n_v6 > 15000 && n_l4 > 25000);
}

/* Several sets in a row on the same packet keep every checksum right. */
static void
test_random_chains(void **state)
{
    (void) state;
    struct tpkt t;
    for (int i = 0; i < 5000; i++) {
        build(&t);
        for (int k = 0; k < 8; k++) {
            check_one(&t);
            /* Carry on from a rewritten packet: apply a full set to t. */
            if (t.v == 4) {
                struct rewrite_ipv4 key, mask;
                rnd_bytes((uint8_t *) &key, sizeof key);
                memset(&mask, 0xff, sizeof mask);
                assert_int_equal(rewrite_set_ipv4(t.b, t.len, &t.ofs, &key,
                                                  &mask), 0);
            } else if (t.v == 6) {
                struct rewrite_ipv6 key, mask;
                rnd_bytes((uint8_t *) &key, sizeof key);
                memset(&mask, 0xff, sizeof mask);
                mask.label = htonl(0xfffff);
                assert_int_equal(rewrite_set_ipv6(t.b, t.len, &t.ofs, &key,
                                                  &mask), 0);
            }
        }
    }
}

/* Truncated packets: never touched past 'len' (ASan checks the reads). */
static void
test_truncated(void **state)
{
    (void) state;
    struct tpkt t;
    for (int i = 0; i < 20000; i++) {
        build(&t);
        size_t len = rnd() % (t.len + 1);
        uint8_t *pkt = malloc(len ? len : 1);
        assert_non_null(pkt);
        memcpy(pkt, t.b, len);
        struct rewrite_ipv4 k4, m4;
        struct rewrite_ipv6 k6, m6;
        struct rewrite_ports kp, mp;
        rnd_bytes((uint8_t *) &k4, sizeof k4);
        rnd_bytes((uint8_t *) &k6, sizeof k6);
        rnd_bytes((uint8_t *) &kp, sizeof kp);
        memset(&m4, 0xff, sizeof m4);
        memset(&m6, 0xff, sizeof m6);
        memset(&mp, 0xff, sizeof mp);
        int r4 = rewrite_set_ipv4(pkt, len, &t.ofs, &k4, &m4);
        int r6 = rewrite_set_ipv6(pkt, len, &t.ofs, &k6, &m6);
        int rp = rewrite_set_ports(pkt, len, &t.ofs, t.proto, &kp, &mp);
        rewrite_dec_ttl(pkt, len, &t.ofs);
        if (t.ofs.l3 != FLOW_OFS_NONE && len < (size_t) t.ofs.l3 + 20) {
            assert_int_equal(r4, -EINVAL);
        }
        if (t.ofs.l3 != FLOW_OFS_NONE && len < (size_t) t.ofs.l3 + 40) {
            assert_int_equal(r6, -EINVAL);
        }
        if (!t.has_l4 || len < (size_t) t.ofs.l4 + 8) {
            assert_int_equal(rp, -EINVAL);
        }
        free(pkt);
    }
}

static void
test_crc32c_vectors(void **state)
{
    (void) state;
    uint8_t zeros[32] = { 0 };
    assert_int_equal(rewrite_crc32c(0, "123456789", 9), 0xe3069283);
    assert_int_equal(ref_crc32c((const uint8_t *) "123456789", 9),
                     0xe3069283);
    /* RFC 3720 B.4: 32 zero bytes, stored as aa 36 91 8a. */
    assert_int_equal(rewrite_crc32c(0, zeros, 32), 0x8a9136aa);
    /* Continuation. */
    uint32_t c = rewrite_crc32c(0, "1234", 4);
    assert_int_equal(rewrite_crc32c(c, "56789", 5), 0xe3069283);
}

static void
test_ipv4_header_reference(void **state)
{
    (void) state;
    /* A well-known example header; its checksum is 0xb861. */
    static const uint8_t hdr[20] = {
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
        0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
    };
    assert_int_equal(ref_finish(ref_sum(0, hdr, 20)), 0xb861);

    /* Set the TTL to 63 and the source to 10.0.0.1 by hand. */
    uint8_t pkt[14 + 20];
    memset(pkt, 0, 14);
    pkt[12] = 0x08;
    memcpy(pkt + 14, hdr, 20);
    put16(pkt + 24, 0xb861);
    struct flow_offsets ofs = { FLOW_OFS_NONE, 14, FLOW_OFS_NONE };
    struct rewrite_ipv4 key = { .src = htonl(0x0a000001), .ttl = 63 };
    struct rewrite_ipv4 mask = { .src = 0xffffffff, .ttl = 0xff };
    assert_int_equal(rewrite_set_ipv4(pkt, sizeof pkt, &ofs, &key, &mask),
                     0);
    assert_int_equal(pkt[22], 63);
    assert_memory_equal(pkt + 26, "\x0a\x00\x00\x01", 4);
    uint16_t stored = get16(pkt + 24);
    put16(pkt + 24, 0);
    assert_int_equal(stored, ref_finish(ref_sum(0, pkt + 14, 20)));

    /* A zero mask changes nothing. */
    uint8_t before[sizeof pkt];
    put16(pkt + 24, stored);
    memcpy(before, pkt, sizeof pkt);
    struct rewrite_ipv4 none = { 0 };
    assert_int_equal(rewrite_set_ipv4(pkt, sizeof pkt, &ofs, &key, &none),
                     0);
    assert_memory_equal(pkt, before, sizeof pkt);

    /* DSCP only: ECN bits stay. */
    pkt[15] = 0x03;
    ipv4_csum(&(struct tpkt) { .ofs = ofs }, pkt);
    struct rewrite_ipv4 dscp = { .tos = 46 << 2 }, dmask = { .tos = 0xfc };
    assert_int_equal(rewrite_set_ipv4(pkt, sizeof pkt, &ofs, &dscp, &dmask),
                     0);
    assert_int_equal(pkt[15], 46 << 2 | 3);
    stored = get16(pkt + 24);
    put16(pkt + 24, 0);
    assert_int_equal(stored, ref_finish(ref_sum(0, pkt + 14, 20)));
}

/* A UDP port change whose checksum comes out as 0 is sent as 0xffff. */
static void
test_udp_zero_becomes_ffff(void **state)
{
    (void) state;
    struct tpkt t;
    int done = 0;
    for (int i = 0; i < 100000 && done < 20; i++) {
        build(&t);
        if (!t.has_l4 || t.proto != 17 || t.udp_nocsum) {
            continue;
        }
        uint8_t *l4 = t.b + t.ofs.l4;
        /* The new source port that brings the sum to zero: old checksum
         * plus old port, one's complement (RFC 1624 arithmetic). */
        uint32_t c = get16(l4 + 6), m = get16(l4);
        uint32_t s = c + m;
        s = (s & 0xffff) + (s >> 16);
        if (s == 0xffff || s == m) {
            continue;
        }
        struct rewrite_ports key = { .src = htons((uint16_t) s) };
        struct rewrite_ports mask = { .src = 0xffff };
        assert_int_equal(rewrite_set_ports(t.b, t.len, &t.ofs, 17, &key,
                                           &mask), 0);
        assert_int_equal(get16(l4 + 6), 0xffff);
        uint8_t exp[600];
        memcpy(exp, t.b, t.len);
        l4_csum(&t, exp);
        assert_memory_equal(exp, t.b, t.len);
        done++;
    }
    assert_int_equal(done, 20);
}

/* Zero UDP checksum: no checksum, stays zero. */
static void
test_udp_no_checksum(void **state)
{
    (void) state;
    struct tpkt t;
    for (;;) {
        build(&t);
        if (t.has_l4 && t.proto == 17 && t.udp_nocsum && t.v == 4) {
            break;
        }
    }
    struct rewrite_ipv4 key = { .src = 0x01020304, .dst = 0x05060708 };
    struct rewrite_ipv4 mask = { .src = 0xffffffff, .dst = 0xffffffff };
    struct rewrite_ports pk = { .src = 1234, .dst = 4321 };
    struct rewrite_ports pm = { .src = 0xffff, .dst = 0xffff };
    assert_int_equal(rewrite_set_ipv4(t.b, t.len, &t.ofs, &key, &mask), 0);
    assert_int_equal(rewrite_set_ports(t.b, t.len, &t.ofs, 17, &pk, &pm),
                     0);
    assert_int_equal(get16(t.b + t.ofs.l4 + 6), 0);
}

/* SCTP with a bad CRC keeps it bad by the same error. */
static void
test_sctp_keeps_error(void **state)
{
    (void) state;
    struct tpkt t;
    for (;;) {
        build(&t);
        if (t.has_l4 && t.proto == 132) {
            break;
        }
    }
    t.sctp_err = 0x1234567;
    l4_csum(&t, t.b);
    struct rewrite_ports key = { .dst = htons(9) }, mask = { .dst = 0xffff };
    assert_int_equal(rewrite_set_ports(t.b, t.len, &t.ofs, 132, &key, &mask),
                     0);
    uint8_t exp[600];
    memcpy(exp, t.b, t.len);
    l4_csum(&t, exp);
    assert_memory_equal(exp, t.b, t.len);
    assert_int_equal(get16(t.b + t.ofs.l4 + 2), 9);
    /* Wrong protocol for the action. */
    assert_int_equal(rewrite_set_ports(t.b, t.len, &t.ofs, 6, &key, &mask),
                     -EINVAL);
    assert_int_equal(rewrite_set_ports(t.b, t.len, &t.ofs, 99, &key, &mask),
                     -EINVAL);
}

static void
test_dec_ttl(void **state)
{
    (void) state;
    struct tpkt t;
    int v4 = 0, v6 = 0;
    while (v4 < 50 || v6 < 50) {
        build(&t);
        if (!t.v) {
            continue;
        }
        uint8_t *ttl = t.b + t.ofs.l3 + (t.v == 4 ? 8 : 7);
        *ttl = (uint8_t) (2 + rnd() % 254);
        if (t.v == 4) {
            ipv4_csum(&t, t.b);
        }
        uint8_t before = *ttl;
        assert_int_equal(rewrite_dec_ttl(t.b, t.len, &t.ofs), 0);
        assert_int_equal(*ttl, before - 1);
        if (t.v == 4) {
            uint8_t exp[600];
            memcpy(exp, t.b, t.len);
            ipv4_csum(&t, exp);
            assert_memory_equal(exp, t.b, t.len);
            v4++;
        } else {
            v6++;
        }
        *ttl = 1;
        assert_int_equal(rewrite_dec_ttl(t.b, t.len, &t.ofs), -ETIME);
        assert_int_equal(*ttl, 1);
    }
}

static void
test_l4_proto(void **state)
{
    (void) state;
    struct tpkt t;
    for (int i = 0; i < 5000; i++) {
        build(&t);
        int p = rewrite_l4_proto(t.b, t.len, &t.ofs);
        assert_int_equal(p, t.has_l4 ? t.proto : -1);
    }
    struct flow_offsets none = { FLOW_OFS_NONE, FLOW_OFS_NONE,
                                 FLOW_OFS_NONE };
    assert_int_equal(rewrite_l4_proto(t.b, t.len, &none), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c_vectors),
        cmocka_unit_test(test_ipv4_header_reference),
        cmocka_unit_test(test_random_sets),
        cmocka_unit_test(test_random_chains),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_udp_zero_becomes_ffff),
        cmocka_unit_test(test_udp_no_checksum),
        cmocka_unit_test(test_sctp_keeps_error),
        cmocka_unit_test(test_dec_ttl),
        cmocka_unit_test(test_l4_proto),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
