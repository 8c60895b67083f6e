/* flow: key extraction straight into a miniflow, and the key's helpers.
 *
 * flow_extract() is on the per-packet path: it reads the frame with
 * unaligned-safe loads, composes each 64-bit word of the key in registers
 * and appends it to the miniflow in word order, so no struct flow is ever
 * built or cleared.  Which words it emits depends only on the headers that
 * are present, never on their values, so equal packets give equal
 * miniflows.  values[] past miniflow_n_values() is left unspecified:
 * compare with miniflow_equal(), not memcmp() of the whole struct.
 *
 * Words emitted: 0 always; 3 and 4 with a complete Ethernet header; 5 with
 * at least one VLAN tag; 6 for MPLS; 6 and 7 for IPv4 and ARP; 7 to 11 for
 * IPv6; 12 for IPv4, IPv6 and ARP; 13 for TCP with a complete header; 14
 * and 15 for ARP and for ND solicitations/advertisements with a complete
 * target; 16 and 17 for the latter.  Offsets in struct flow_offsets are set
 * only for headers that were complete and valid (an IPv4 header whose
 * total length exceeds the frame is malformed and contributes nothing, as
 * in Open vSwitch). */
#include "pmd/flow.h"

#include <arpa/inet.h>
#include <endian.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pmd/flow_bytes.h"
#include "pmd/flow_fast.h"
#include "src/util/dstr.h"

#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#define likely(X)   __builtin_expect(!!(X), 1)
#define unlikely(X) __builtin_expect(!!(X), 0)

#define VLAN_HLEN 4
#define IPV6_HLEN 40
#define ARP_ETH_IPV4_LEN 28

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_ 1
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_SCTP_ 132

#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define ND_OPT_SLL 1
#define ND_OPT_TLL 2

/* Ethertype for frames with an 802.3 length field and no SNAP header
 * (OpenFlow's OFP_DL_TYPE_NOT_ETH_TYPE). */
#define DL_TYPE_NONE 0x05ff

static inline bool
is_vlan_tpid(uint16_t type)
{
    return type == BE16(0x8100) || type == BE16(0x88a8);
}

/* Key words of the L4 header, filled by parse_l4(). */
struct l4_words {
    uint64_t ports;         /* tp_src and tp_dst, already in place. */
    uint64_t tcp;           /* Word 13. */
    uint64_t nd[4];         /* Words 14-17. */
    bool has_tcp;
    bool has_nd;
    bool ok;                /* A complete L4 header was parsed. */
};

/* Neighbour discovery: target (words 16-17) and the first SLL and TLL
 * options (words 14-15).  'p' points at the ICMPv6 header, 'len' >= 24. */
static __attribute__((noinline, cold)) void
parse_nd(const uint8_t *p, size_t len, struct l4_words *w)
{
    w->has_nd = true;
    w->nd[0] = 0;
    w->nd[1] = 0;
    w->nd[2] = ld64(p + 8);
    w->nd[3] = ld64(p + 16);
    bool sll = false, tll = false;
    p += 24;
    len -= 24;
    while (len >= 8) {
        size_t olen = (size_t) p[1] * 8;
        if (olen == 0 || olen > len) {
            break;              /* Malformed: keep what came before. */
        }
        if (olen == 8) {
            uint64_t mac = W16(ld16(p + 2), 0) | W32(ld32(p + 4), 2);
            if (p[0] == ND_OPT_SLL && !sll) {
                w->nd[0] = mac;
                sll = true;
            } else if (p[0] == ND_OPT_TLL && !tll) {
                w->nd[1] = mac;
                tll = true;
            }
        }
        p += olen;
        len -= olen;
    }
}

/* Parses the L4 header of protocol 'proto' at 'p' ('len' bytes up to the
 * end of the IP payload).  'v6' selects ICMPv6 over ICMPv4. */
static inline __attribute__((always_inline)) void
parse_l4(uint8_t proto, const uint8_t *p, size_t len, bool v6,
         struct l4_words *w)
{
    if (likely(proto == IPPROTO_UDP_)) {
        if (likely(len >= 8)) {
            w->ports = W32(ld32(p), 4);
            w->ok = true;
        }
    } else if (proto == IPPROTO_TCP_) {
        if (likely(len >= 20)) {
            size_t doff = (size_t) (p[12] >> 4) * 4;
            if (likely(doff >= 20 && doff <= len)) {
                w->ports = W32(ld32(p), 4);
                w->tcp = W16(ld16(p + 12) & BE16(0x0fff), 0);
                w->has_tcp = true;
                w->ok = true;
            }
        }
    } else if (proto == IPPROTO_SCTP_) {
        if (len >= 12) {
            w->ports = W32(ld32(p), 4);
            w->ok = true;
        }
    } else if (!v6 && proto == IPPROTO_ICMP_) {
        if (len >= 8) {
            w->ports = W16(BE16(p[0]), 4) | W16(BE16(p[1]), 6);
            w->ok = true;
        }
    } else if (v6 && proto == IPPROTO_ICMPV6_) {
        if (len >= 8) {
            w->ports = W16(BE16(p[0]), 4) | W16(BE16(p[1]), 6);
            w->ok = true;
            if ((p[0] == ND_NEIGHBOR_SOLICIT || p[0] == ND_NEIGHBOR_ADVERT)
                && p[1] == 0 && len >= 24) {
                parse_nd(p, len, w);
            }
        }
    }
}

/* 802.3 frame at 'off' (after the length field): SNAP with OUI 0 gives an
 * Ethertype, anything else DL_TYPE_NONE. */
static uint16_t
parse_llc(const uint8_t *p, size_t len, size_t *off)
{
    if (len - *off >= 8) {
        const uint8_t *l = p + *off;
        if (l[0] == 0xaa && l[1] == 0xaa && l[2] == 0x03
            && l[3] == 0 && l[4] == 0 && l[5] == 0) {
            uint16_t type = ld16(l + 6);
            if (ntohs(type) >= 0x600) {
                *off += 8;
                return type;
            }
        }
    }
    return BE16(DL_TYPE_NONE);
}

void
flow_extract(const void *data, size_t len, uint32_t in_port,
             uint32_t recirc_id, struct miniflow *mf,
             struct flow_offsets *ofs)
{
    const uint8_t *p = data;
    uint64_t *v = mf->values;
    uint64_t map = 1;
    unsigned int n = 1;
    uint16_t l2_5 = FLOW_OFS_NONE, l3 = FLOW_OFS_NONE, l4 = FLOW_OFS_NONE;

#define PUSH(WORD, VAL) do {                    \
        map |= UINT64_C(1) << (WORD);           \
        v[n++] = (VAL);                         \
    } while (0)

    v[0] = W32(in_port, 0) | W32(recirc_id, 4);
    if (likely(flow_extract_ipv4_l4(p, len, mf, ofs))) {
        return;
    }
    if (unlikely(len < ETH_HLEN)) {
        goto out;
    }

    /* L2: addresses, up to two VLAN tags, the Ethertype. */
    size_t off = ETH_HLEN;
    uint16_t type = ld16(p + 12);
    uint64_t vlans = 0;
    if (unlikely(is_vlan_tpid(type)) && len >= ETH_HLEN + VLAN_HLEN) {
        vlans = W32(ld32(p + 12), 0);
        type = ld16(p + 16);
        off += VLAN_HLEN;
        if (is_vlan_tpid(type) && len >= ETH_HLEN + 2 * VLAN_HLEN) {
            vlans |= W32(ld32(p + 16), 4);
            type = ld16(p + 20);
            off += VLAN_HLEN;
        }
    }
    if (unlikely(ntohs(type) < 0x600)) {
        type = parse_llc(p, len, &off);
    }
    PUSH(3, (ld64(p) & W_LOW6) | W16(type, 6));
    PUSH(4, ld64(p + 6) & W_LOW6);
    if (unlikely(vlans)) {
        PUSH(5, vlans);
    }

    const uint8_t *nh = p + off;
    size_t rem = len - off;
    struct l4_words w;
    w.ports = 0;
    w.has_tcp = false;
    w.has_nd = false;
    w.ok = false;
    uint64_t w12;
    const uint8_t *l4p;

    if (likely(type == BE16(0x0800))) {
        if (unlikely(rem < IPV4_HLEN)) {
            goto out;
        }
        uint8_t vihl = nh[0];
        size_t ihl = (size_t) (vihl & 0x0f) * 4;
        size_t tot = ntohs(ld16(nh + 2));
        if (unlikely((vihl >> 4) != 4 || ihl < IPV4_HLEN || tot < ihl
                     || tot > rem)) {
            goto out;
        }
        uint16_t frag_off = ld16(nh + 6);
        uint8_t frag = 0;
        if (unlikely(frag_off & BE16(0x3fff))) {
            frag = FLOW_FRAG_ANY;
            if (frag_off & BE16(0x1fff)) {
                frag |= FLOW_FRAG_LATER;
            }
        }
        uint8_t proto = nh[9];
        PUSH(6, W32(ld32(nh + 12), 4));
        PUSH(7, W32(ld32(nh + 16), 0));
        l3 = (uint16_t) off;
        w12 = W8(proto, 0) | W8(nh[1], 1) | W8(nh[8], 2) | W8(frag, 3);
        l4p = nh + ihl;
        if (likely(!(frag & FLOW_FRAG_LATER))) {
            parse_l4(proto, l4p, tot - ihl, false, &w);
        }
    } else if (type == BE16(0x86dd)) {
        if (unlikely(rem < IPV6_HLEN)) {
            goto out;
        }
        uint32_t vtc = ntohl(ld32(nh));
        size_t plen = ntohs(ld16(nh + 4));
        if (unlikely((vtc >> 28) != 6 || plen > rem - IPV6_HLEN)) {
            goto out;
        }
        PUSH(7, W32(htonl(vtc & 0xfffff), 4));
        PUSH(8, ld64(nh + 8));
        PUSH(9, ld64(nh + 16));
        PUSH(10, ld64(nh + 24));
        PUSH(11, ld64(nh + 32));
        l3 = (uint16_t) off;

        /* Extension headers.  On a truncated one, nw_proto stays its
         * type and there is no L4. */
        uint8_t proto = nh[6];
        uint8_t frag = 0;
        l4p = nh + IPV6_HLEN;
        size_t l4len = plen;
        for (;;) {
            size_t hlen;
            if (proto == IPPROTO_HOPOPTS_ || proto == IPPROTO_ROUTING_
                || proto == IPPROTO_DSTOPTS_) {
                if (l4len < 8) {
                    break;
                }
                hlen = ((size_t) l4p[1] + 1) * 8;
            } else if (proto == IPPROTO_AH_) {
                if (l4len < 8) {
                    break;
                }
                hlen = ((size_t) l4p[1] + 2) * 4;
            } else if (proto == IPPROTO_FRAGMENT_) {
                if (l4len < 8) {
                    break;
                }
                hlen = 8;
                uint16_t fo = ld16(l4p + 2);
                if (fo & BE16(0xfff9)) {
                    frag = FLOW_FRAG_ANY;
                    if (fo & BE16(0xfff8)) {
                        frag |= FLOW_FRAG_LATER;
                        proto = l4p[0];
                        break;
                    }
                }
            } else {
                /* L4, ESP, no next header or unknown. */
                if (likely(!(frag & FLOW_FRAG_LATER))) {
                    parse_l4(proto, l4p, l4len, true, &w);
                }
                break;
            }
            if (hlen > l4len) {
                break;
            }
            proto = l4p[0];
            l4p += hlen;
            l4len -= hlen;
        }
        w12 = W8(proto, 0) | W8(vtc >> 20, 1) | W8(nh[7], 2)
              | W8(frag, 3);
    } else if (type == BE16(0x0806)) {
        if (rem < ARP_ETH_IPV4_LEN || ld16(nh) != BE16(1)
            || ld16(nh + 2) != BE16(0x0800) || nh[4] != 6 || nh[5] != 4) {
            goto out;
        }
        PUSH(6, W32(ld32(nh + 14), 4));
        PUSH(7, W32(ld32(nh + 24), 0));
        PUSH(12, W8(nh[7], 0));
        PUSH(14, ld64(nh + 8) & W_LOW6);
        PUSH(15, ld64(nh + 18) & W_LOW6);
        l3 = (uint16_t) off;
        goto out;
    } else if (type == BE16(0x8847) || type == BE16(0x8848)) {
        if (rem >= 4) {
            PUSH(6, W32(ld32(nh), 0));
            l2_5 = (uint16_t) off;
        }
        goto out;
    } else {
        goto out;
    }

    /* Common L3/L4 words of IPv4 and IPv6. */
    PUSH(12, w12 | w.ports);
    if (w.ok) {
        l4 = (uint16_t) (l4p - p);
        if (w.has_tcp) {
            PUSH(13, w.tcp);
        } else if (unlikely(w.has_nd)) {
            PUSH(14, w.nd[0]);
            PUSH(15, w.nd[1]);
            PUSH(16, w.nd[2]);
            PUSH(17, w.nd[3]);
        }
    }
#undef PUSH

out:
    mf->map = map;
    if (ofs) {
        ofs->l2_5 = l2_5;
        ofs->l3 = l3;
        ofs->l4 = l4;
    }
}

uint16_t
flow_tcp_flags__(const void *data, size_t len)
{
    const uint8_t *p = data;
    if (likely(len >= ETH_HLEN + IPV4_HLEN)) {
        uint16_t type = ld16(p + 12);
        const uint8_t *nh = p + ETH_HLEN;
        size_t rem = len - ETH_HLEN;
        if (type == BE16(0x0800)) {
            size_t ihl = (size_t) (nh[0] & 0x0f) * 4;
            size_t tot = ntohs(ld16(nh + 2));
            if (nh[9] != IPPROTO_TCP_ || (nh[0] >> 4) != 4
                || ihl < IPV4_HLEN || tot < ihl || tot > rem
                || (ld16(nh + 6) & BE16(0x1fff))) {
                return 0;           /* Not TCP, malformed, or no L4. */
            }
            const uint8_t *th = nh + ihl;
            size_t l4len = tot - ihl;
            size_t doff = l4len >= 20 ? (size_t) (th[12] >> 4) * 4 : 0;
            if (doff < 20 || doff > l4len) {
                return 0;
            }
            return (uint16_t) (ntohs(ld16(th + 12)) & 0x0fff);
        }
        if (type == BE16(0x86dd) && rem >= IPV6_HLEN) {
            uint8_t next = nh[6];
            if (next == IPPROTO_UDP_ || next == IPPROTO_ICMPV6_) {
                return 0;
            }
        } else if (!is_vlan_tpid(type) && ntohs(type) >= 0x600) {
            return 0;               /* Neither IP nor tagged nor 802.3. */
        }
    }
    /* The rare cases (IPv6 extension headers, VLAN tags, LLC/SNAP, short
     * frames): the full extraction decides. */
    struct miniflow scratch;
    flow_extract(data, len, 0, 0, &scratch, NULL);
    return miniflow_tcp_flags(&scratch);
}

void
flow_format_tcp_flags(uint16_t tcp_flags, struct dstr *s)
{
    static const struct {
        uint16_t bit;
        const char *name;
    } names[] = {
        { 0x002, "S" }, { 0x001, "F" }, { 0x008, "P" }, { 0x004, "R" },
        { 0x020, "U" }, { 0x010, "." }, { 0x040, "E" }, { 0x080, "C" },
        { 0x100, "N" }, { 0x200, "[200]" }, { 0x400, "[400]" },
        { 0x800, "[800]" },
    };
    if (!tcp_flags) {
        dstr_put(s, "none");
        return;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (tcp_flags & names[i].bit) {
            dstr_put(s, names[i].name);
        }
    }
}

void
flow_offsets_resolve(const void *data, size_t len, struct flow_offsets *ofs)
{
    if (ofs->l2_5 == FLOW_OFS_UNPARSED) {
        struct miniflow scratch;
        flow_extract(data, len, 0, 0, &scratch, ofs);
    }
}

void
miniflow_expand(const struct miniflow *mf, struct flow *flow)
{
    uint8_t *dst = (uint8_t *) flow;
    memset(flow, 0, sizeof *flow);
    const uint64_t *v = mf->values;
    for (uint64_t m = mf->map; m; m &= m - 1) {
        memcpy(dst + 8 * __builtin_ctzll(m), v++, 8);
    }
}

void
miniflow_compress(const struct flow *flow, struct miniflow *mf)
{
    const uint8_t *src = (const uint8_t *) flow;
    uint64_t map = 0;
    unsigned int n = 0;
    for (unsigned int i = 0; i < FLOW_N_WORDS; i++) {
        uint64_t w = ld64(src + 8 * i);
        if (w) {
            map |= UINT64_C(1) << i;
            mf->values[n++] = w;
        }
    }
    mf->map = map;
}

static inline uint32_t
hash_finish32(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 29;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 32;
    return (uint32_t) h;
}

#ifndef __SSE4_2__
static inline uint64_t
rotl64(uint64_t x, unsigned int r)
{
    return (x << r) | (x >> (64 - r));
}

/* One multiply-rotate step of a lane. */
static inline uint64_t
hash_step(uint64_t h, uint64_t w)
{
    w *= UINT64_C(0x9e3779b97f4a7c15);
    w = rotl64(w, 31);
    h ^= w;
    return rotl64(h, 27) * 5 + 0x52dce729;
}
#endif

uint32_t
miniflow_hash(const struct miniflow *mf, uint32_t basis)
{
    const uint64_t *v = mf->values;
    unsigned int n = miniflow_n_values(mf);
    unsigned int i;
#ifdef __SSE4_2__
    /* Two independent CRC32 chains hide the instruction's latency. */
    uint64_t a = _mm_crc32_u64(basis, mf->map);
    uint64_t b = ~(uint64_t) basis;
    for (i = 0; i + 1 < n; i += 2) {
        a = _mm_crc32_u64(a, v[i]);
        b = _mm_crc32_u64(b, v[i + 1]);
    }
    if (i < n) {
        a = _mm_crc32_u64(a, v[i]);
    }
    return hash_finish32((a << 32) ^ b);
#else
    uint64_t a = hash_step(basis, mf->map);
    uint64_t b = ~(uint64_t) basis;
    for (i = 0; i + 1 < n; i += 2) {
        a = hash_step(a, v[i]);
        b = hash_step(b, v[i + 1]);
    }
    if (i < n) {
        a = hash_step(a, v[i]);
    }
    return hash_finish32(a ^ rotl64(b, 32) ^ n);
#endif
}

int
miniflow_equal(const struct miniflow *a, const struct miniflow *b)
{
    if (a->map != b->map) {
        return 0;
    }
    unsigned int n = miniflow_n_values(a);
    uint64_t diff = 0;
    for (unsigned int i = 0; i < n; i++) {
        diff |= a->values[i] ^ b->values[i];
    }
    return diff == 0;
}

/* Formatting (control thread only). */

struct fmt {
    struct dstr *ds;
    bool masked;            /* A mask was given. */
    unsigned int n_in_group;
};

static void
fmt_sep(struct fmt *f)
{
    if (f->n_in_group++) {
        dstr_put(f->ds, ",");
    }
}

static void
fmt_begin(struct fmt *f, const char *name)
{
    if (f->ds->len && f->ds->s[f->ds->len - 1] != ',') {
        dstr_put(f->ds, ",");
    }
    dstr_printf(f->ds, "%s(", name);
    f->n_in_group = 0;
}

static void
fmt_end(struct fmt *f)
{
    dstr_put(f->ds, ")");
}

/* Unsigned subfield: printed when 'mask' is nonzero, with "/0x.." when it
 * is not 'full'. */
static void
fmt_uint(struct fmt *f, const char *name, unsigned long val,
         unsigned long mask, unsigned long full, bool hex)
{
    if (!mask) {
        return;
    }
    fmt_sep(f);
    dstr_printf(f->ds, hex ? "%s=0x%lx" : "%s=%lu", name, val & mask);
    if (mask != full) {
        dstr_printf(f->ds, "/0x%lx", mask);
    }
}

static bool
nonzero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i]) {
            return true;
        }
    }
    return false;
}

static bool
all_ones(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0xff) {
            return false;
        }
    }
    return true;
}

static void
fmt_mac(struct fmt *f, const char *name, const uint8_t v[6],
        const uint8_t m[6])
{
    if (!nonzero(m, 6)) {
        return;
    }
    fmt_sep(f);
    dstr_printf(f->ds, "%s=%02x:%02x:%02x:%02x:%02x:%02x", name,
                v[0] & m[0], v[1] & m[1], v[2] & m[2],
                v[3] & m[3], v[4] & m[4], v[5] & m[5]);
    if (!all_ones(m, 6)) {
        dstr_printf(f->ds, "/%02x:%02x:%02x:%02x:%02x:%02x",
                    m[0], m[1], m[2], m[3], m[4], m[5]);
    }
}

static void
fmt_ip4(struct fmt *f, const char *name, uint32_t v, uint32_t m)
{
    char buf[INET_ADDRSTRLEN];
    if (!m) {
        return;
    }
    fmt_sep(f);
    uint32_t a = v & m;
    inet_ntop(AF_INET, &a, buf, sizeof buf);
    dstr_printf(f->ds, "%s=%s", name, buf);
    if (m != UINT32_MAX) {
        inet_ntop(AF_INET, &m, buf, sizeof buf);
        dstr_printf(f->ds, "/%s", buf);
    }
}

static void
fmt_ip6(struct fmt *f, const char *name, const uint8_t v[16],
        const uint8_t m[16])
{
    char buf[INET6_ADDRSTRLEN];
    uint8_t a[16];
    if (!nonzero(m, 16)) {
        return;
    }
    fmt_sep(f);
    for (int i = 0; i < 16; i++) {
        a[i] = v[i] & m[i];
    }
    inet_ntop(AF_INET6, a, buf, sizeof buf);
    dstr_printf(f->ds, "%s=%s", name, buf);
    if (!all_ones(m, 16)) {
        inet_ntop(AF_INET6, m, buf, sizeof buf);
        dstr_printf(f->ds, "/%s", buf);
    }
}

static void
fmt_frag(struct fmt *f, uint8_t v, uint8_t m)
{
    static const char *const names[4] = { "no", "first", NULL, "later" };
    if (!m) {
        return;
    }
    fmt_sep(f);
    if (m == (FLOW_FRAG_ANY | FLOW_FRAG_LATER) && names[v & m]) {
        dstr_printf(f->ds, "frag=%s", names[v & m]);
    } else {
        dstr_printf(f->ds, "frag=0x%x/0x%x", v & m, m);
    }
}

static void
fmt_tcp_flags(struct fmt *f, uint16_t v, uint16_t m)
{
    static const char *const names[] = {
        "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns",
    };
    if (!m) {
        return;
    }
    if (f->ds->len) {
        dstr_put(f->ds, ",");
    }
    if (m != 0x0fff) {
        dstr_printf(f->ds, "tcp_flags(0x%03x/0x%03x)", v & m, m);
        return;
    }
    dstr_put(f->ds, "tcp_flags(");
    bool any = false;
    for (unsigned int i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (v & (1u << i)) {
            dstr_printf(f->ds, "%s%s", any ? "|" : "", names[i]);
            any = true;
        }
    }
    if (v & 0x0e00) {
        dstr_printf(f->ds, "%s0x%03x", any ? "|" : "", v & 0x0e00);
        any = true;
    }
    dstr_put(f->ds, any ? ")" : "0)");
}

static void
fmt_vlan(struct fmt *f, const struct flow_vlan *v, const struct flow_vlan *m)
{
    uint16_t tpid = ntohs(v->tpid), tpid_m = ntohs(m->tpid);
    uint16_t tci = ntohs(v->tci), tci_m = ntohs(m->tci);
    if (!(tpid & tpid_m)) {
        return;                 /* No tag (or tag absence matched). */
    }
    fmt_begin(f, "vlan");
    fmt_uint(f, "tpid", tpid, tpid_m, 0xffff, true);
    fmt_uint(f, "vid", tci & 0x0fff, tci_m & 0x0fff, 0x0fff, false);
    fmt_uint(f, "pcp", tci >> 13, tci_m >> 13, 7, false);
    if ((tci & 0x1000) || (f->masked && (tci_m & 0x1000))) {
        fmt_uint(f, "dei", (tci >> 12) & 1, (tci_m >> 12) & 1, 1, false);
    }
    fmt_end(f);
}

static const struct flow flow_exact_mask = {
    .in_port = UINT32_MAX, .recirc_id = UINT32_MAX, .tun_id = UINT64_MAX,
    .tun_src = UINT32_MAX, .tun_dst = UINT32_MAX,
    .dl_dst = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, .dl_type = 0xffff,
    .dl_src = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
    .vlans = { { 0xffff, 0xffff }, { 0xffff, 0xffff } },
    .mpls_lse = UINT32_MAX, .nw_src = UINT32_MAX, .nw_dst = UINT32_MAX,
    .ipv6_label = UINT32_MAX,
    .ipv6_src = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
    .ipv6_dst = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
    .nw_proto = 0xff, .nw_tos = 0xff, .nw_ttl = 0xff,
    .nw_frag = FLOW_FRAG_ANY | FLOW_FRAG_LATER,
    .tp_src = 0xffff, .tp_dst = 0xffff, .tcp_flags = BE16(0x0fff),
    .arp_sha = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
    .arp_tha = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
    .nd_target = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
};

static void
fmt_l4(struct fmt *f, const struct flow *fl, const struct flow *m,
       bool v6)
{
    uint16_t src = ntohs(fl->tp_src), src_m = ntohs(m->tp_src);
    uint16_t dst = ntohs(fl->tp_dst), dst_m = ntohs(m->tp_dst);
    const char *name;
    bool ports = true;

    switch (fl->nw_proto & m->nw_proto) {
    case IPPROTO_TCP_: name = "tcp"; break;
    case IPPROTO_UDP_: name = "udp"; break;
    case IPPROTO_SCTP_: name = "sctp"; break;
    case IPPROTO_ICMP_: name = v6 ? NULL : "icmp"; ports = false; break;
    case IPPROTO_ICMPV6_: name = v6 ? "icmpv6" : NULL; ports = false; break;
    default: name = NULL; break;
    }
    if (!name || m->nw_proto != 0xff) {
        return;
    }
    if (!f->masked && (fl->nw_frag & FLOW_FRAG_LATER)) {
        return;
    }
    if (src_m || dst_m) {
        fmt_begin(f, name);
        fmt_uint(f, ports ? "src" : "type", src, src_m, 0xffff, false);
        fmt_uint(f, ports ? "dst" : "code", dst, dst_m, 0xffff, false);
        fmt_end(f);
    }
    if (fl->nw_proto == IPPROTO_TCP_) {
        fmt_tcp_flags(f, ntohs(fl->tcp_flags) & 0x0fff,
                      ntohs(m->tcp_flags) & 0x0fff);
    }
    if (v6 && fl->nw_proto == IPPROTO_ICMPV6_ && src_m == 0xffff
        && (src == ND_NEIGHBOR_SOLICIT || src == ND_NEIGHBOR_ADVERT)
        && (nonzero(m->nd_target, 16) || nonzero(m->arp_sha, 6)
            || nonzero(m->arp_tha, 6))) {
        fmt_begin(f, "nd");
        fmt_ip6(f, "target", fl->nd_target, m->nd_target);
        fmt_mac(f, "sll", fl->arp_sha, m->arp_sha);
        fmt_mac(f, "tll", fl->arp_tha, m->arp_tha);
        fmt_end(f);
    }
}

void
flow_format(const struct flow *fl, const struct flow *mask, struct dstr *ds)
{
    struct fmt f = { .ds = ds, .masked = mask != NULL };
    const struct flow *m = mask ? mask : &flow_exact_mask;
    /* Built apart so that separators depend only on what this call
     * writes, not on what 'ds' already holds. */
    struct dstr *out = ds;
    struct dstr tmp = DSTR_INIT;
    f.ds = &tmp;

    if (m->recirc_id && (f.masked || fl->recirc_id)) {
        dstr_printf(&tmp, "recirc_id(%lu",
                    (unsigned long) (fl->recirc_id & m->recirc_id));
        if (m->recirc_id != UINT32_MAX) {
            dstr_printf(&tmp, "/0x%lx", (unsigned long) m->recirc_id);
        }
        dstr_put(&tmp, ")");
    }
    if (m->in_port) {
        fmt_begin(&f, "in_port");
        dstr_printf(&tmp, "%lu", (unsigned long) (fl->in_port & m->in_port));
        if (m->in_port != UINT32_MAX) {
            dstr_printf(&tmp, "/0x%lx", (unsigned long) m->in_port);
        }
        fmt_end(&f);
    }
    if (f.masked ? (m->tun_id || m->tun_src || m->tun_dst)
                 : (fl->tun_id || fl->tun_src || fl->tun_dst)) {
        fmt_begin(&f, "tunnel");
        fmt_uint(&f, "tun_id", (unsigned long) be64toh(fl->tun_id),
                 (unsigned long) be64toh(m->tun_id), ULONG_MAX,
                 true);
        fmt_ip4(&f, "src", fl->tun_src, m->tun_src);
        fmt_ip4(&f, "dst", fl->tun_dst, m->tun_dst);
        fmt_end(&f);
    }
    if (nonzero(m->dl_src, 6) || nonzero(m->dl_dst, 6)) {
        fmt_begin(&f, "eth");
        fmt_mac(&f, "src", fl->dl_src, m->dl_src);
        fmt_mac(&f, "dst", fl->dl_dst, m->dl_dst);
        fmt_end(&f);
    }
    fmt_vlan(&f, &fl->vlans[0], &m->vlans[0]);
    fmt_vlan(&f, &fl->vlans[1], &m->vlans[1]);
    if (m->dl_type) {
        fmt_begin(&f, "eth_type");
        dstr_printf(&tmp, "0x%04x", ntohs(fl->dl_type & m->dl_type));
        if (m->dl_type != 0xffff) {
            dstr_printf(&tmp, "/0x%04x", ntohs(m->dl_type));
        }
        fmt_end(&f);
    }

    uint16_t type = m->dl_type == 0xffff ? ntohs(fl->dl_type) : 0;
    if (type == 0x8847 || type == 0x8848) {
        uint32_t lse = ntohl(fl->mpls_lse), lm = ntohl(m->mpls_lse);
        if (lm) {
            fmt_begin(&f, "mpls");
            fmt_uint(&f, "label", lse >> 12, lm >> 12, 0xfffff, false);
            fmt_uint(&f, "tc", (lse >> 9) & 7, (lm >> 9) & 7, 7, false);
            fmt_uint(&f, "ttl", lse & 0xff, lm & 0xff, 0xff, false);
            fmt_uint(&f, "bos", (lse >> 8) & 1, (lm >> 8) & 1, 1, false);
            fmt_end(&f);
        }
    } else if (type == 0x0800) {
        if (m->nw_src || m->nw_dst || m->nw_proto || m->nw_tos
            || m->nw_ttl || m->nw_frag) {
            fmt_begin(&f, "ipv4");
            fmt_ip4(&f, "src", fl->nw_src, m->nw_src);
            fmt_ip4(&f, "dst", fl->nw_dst, m->nw_dst);
            fmt_uint(&f, "proto", fl->nw_proto, m->nw_proto, 0xff, false);
            fmt_uint(&f, "tos", fl->nw_tos, m->nw_tos, 0xff, false);
            fmt_uint(&f, "ttl", fl->nw_ttl, m->nw_ttl, 0xff, false);
            fmt_frag(&f, fl->nw_frag, m->nw_frag);
            fmt_end(&f);
        }
        fmt_l4(&f, fl, m, false);
    } else if (type == 0x86dd) {
        if (nonzero(m->ipv6_src, 16) || nonzero(m->ipv6_dst, 16)
            || m->ipv6_label || m->nw_proto || m->nw_tos || m->nw_ttl
            || m->nw_frag) {
            fmt_begin(&f, "ipv6");
            fmt_ip6(&f, "src", fl->ipv6_src, m->ipv6_src);
            fmt_ip6(&f, "dst", fl->ipv6_dst, m->ipv6_dst);
            fmt_uint(&f, "label", ntohl(fl->ipv6_label),
                     ntohl(m->ipv6_label) & 0xfffff, 0xfffff, true);
            fmt_uint(&f, "proto", fl->nw_proto, m->nw_proto, 0xff, false);
            fmt_uint(&f, "tclass", fl->nw_tos, m->nw_tos, 0xff, true);
            fmt_uint(&f, "hlimit", fl->nw_ttl, m->nw_ttl, 0xff, false);
            fmt_frag(&f, fl->nw_frag, m->nw_frag);
            fmt_end(&f);
        }
        fmt_l4(&f, fl, m, true);
    } else if (type == 0x0806) {
        if (m->nw_src || m->nw_dst || m->nw_proto || nonzero(m->arp_sha, 6)
            || nonzero(m->arp_tha, 6)) {
            fmt_begin(&f, "arp");
            fmt_ip4(&f, "sip", fl->nw_src, m->nw_src);
            fmt_ip4(&f, "tip", fl->nw_dst, m->nw_dst);
            fmt_uint(&f, "op", fl->nw_proto, m->nw_proto, 0xff, false);
            fmt_mac(&f, "sha", fl->arp_sha, m->arp_sha);
            fmt_mac(&f, "tha", fl->arp_tha, m->arp_tha);
            fmt_end(&f);
        }
    }

    dstr_put(out, dstr_cstr(&tmp));
    dstr_free(&tmp);
}
