/* rewrite: masked header rewrites with incremental checksum updates. */
#include "pmd/rewrite.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <arpa/inet.h>

#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_SCTP_ 132

/* What the IP header says about the rest of the packet. */
struct l3_info {
    uint8_t version;        /* 4 or 6. */
    uint8_t proto;          /* L4 protocol, if 'has_l4'. */
    bool has_l4;            /* L4 header at ofs->l4 (not a later frag). */
    bool rh_segs;           /* IPv6 routing header with segments left. */
    size_t l4_end;          /* End of the IP payload, at most 'len'. */
};

static inline uint16_t
ld16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static inline void
st16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static inline uint16_t
ld16_be(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

/* One's complement checksums work on 16-bit words in either byte order,
 * so words are read in host order and the checksum field likewise. */

/* Adds to 'acc' the change from 'old' to 'new' ('n' even bytes at an even
 * offset from the start of what the checksum covers). */
static uint32_t
csum_delta(uint32_t acc, const uint8_t *old, const uint8_t *new, size_t n)
{
    for (size_t i = 0; i < n; i += 2) {
        acc += (uint16_t) ~ld16(old + i);
        acc += ld16(new + i);
    }
    return acc;
}

static uint16_t
csum_fold(uint32_t acc)
{
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t) acc;
}

/* RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m'). */
static void
csum_apply(uint8_t *field, uint32_t delta)
{
    uint32_t acc = (uint16_t) ~ld16(field);
    st16(field, (uint16_t) ~csum_fold(acc + delta));
}

/* UDP: 0 means no checksum, and a computed 0 is sent as 0xffff. */
static void
csum_apply_udp(uint8_t *field, uint32_t delta)
{
    if (ld16(field)) {
        csum_apply(field, delta);
        if (!ld16(field)) {
            st16(field, 0xffff);
        }
    }
}

/* new = (old & ~mask) | (key & mask), bytewise.  Returns true if any byte
 * changed. */
static bool
set_masked(uint8_t *dst, const void *key_, const void *mask_, size_t n)
{
    const uint8_t *key = key_, *mask = mask_;
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t v = (uint8_t) ((dst[i] & ~mask[i]) | (key[i] & mask[i]));
        diff |= v ^ dst[i];
        dst[i] = v;
    }
    return diff != 0;
}

static int
parse_ipv4(const uint8_t *p, size_t len, const struct flow_offsets *ofs,
           struct l3_info *info)
{
    size_t l3 = ofs->l3;
    if (l3 == FLOW_OFS_NONE || len < l3 + 20 || p[l3] >> 4 != 4) {
        return -EINVAL;
    }
    const uint8_t *h = p + l3;
    size_t ihl = (size_t) (h[0] & 0x0f) * 4;
    size_t tot = ld16_be(h + 2);
    info->version = 4;
    info->proto = h[9];
    info->rh_segs = false;
    info->has_l4 = ihl >= 20 && ofs->l4 == l3 + ihl
                   && !(ld16_be(h + 6) & 0x1fff) && tot >= ihl;
    info->l4_end = l3 + tot < len ? l3 + tot : len;
    return 0;
}

static int
parse_ipv6(const uint8_t *p, size_t len, const struct flow_offsets *ofs,
           struct l3_info *info)
{
    size_t l3 = ofs->l3;
    if (l3 == FLOW_OFS_NONE || len < l3 + 40 || p[l3] >> 4 != 6) {
        return -EINVAL;
    }
    size_t plen = ld16_be(p + l3 + 4);
    size_t end = plen ? l3 + 40 + plen : len;
    info->version = 6;
    info->has_l4 = false;
    info->rh_segs = false;
    info->l4_end = end < len ? end : len;

    size_t l4 = ofs->l4;
    if (l4 == FLOW_OFS_NONE) {
        return 0;
    }
    /* Walk the extension headers up to L4 for the last next-header. */
    uint8_t nh = p[l3 + 6];
    size_t off = l3 + 40;
    while (off < l4) {
        size_t hlen;
        if (off + 8 > len) {
            return 0;
        }
        switch (nh) {
        case 0:         /* Hop-by-hop options. */
        case 43:        /* Routing. */
        case 60:        /* Destination options. */
        case 135:       /* Mobility. */
        case 139:       /* HIP. */
        case 140:       /* Shim6. */
            if (nh == 43 && p[off + 3]) {
                info->rh_segs = true;
            }
            hlen = ((size_t) p[off + 1] + 1) * 8;
            break;
        case 44:        /* Fragment. */
            if (ld16_be(p + off + 2) & 0xfff8) {
                return 0;               /* Later fragment: no L4. */
            }
            hlen = 8;
            break;
        case 51:        /* Authentication header. */
            hlen = ((size_t) p[off + 1] + 2) * 4;
            break;
        default:
            return 0;
        }
        nh = p[off];
        off += hlen;
    }
    if (off == l4) {
        info->has_l4 = true;
        info->proto = nh;
    }
    return 0;
}

static int
parse_ip(const uint8_t *p, size_t len, const struct flow_offsets *ofs,
         struct l3_info *info)
{
    if (ofs->l3 == FLOW_OFS_NONE || len <= ofs->l3) {
        return -EINVAL;
    }
    return p[ofs->l3] >> 4 == 4 ? parse_ipv4(p, len, ofs, info)
                                : parse_ipv6(p, len, ofs, info);
}

/* Folds a pseudo-header change into the L4 checksum. */
static void
l4_pseudo_update(uint8_t *p, size_t len, const struct flow_offsets *ofs,
                 const struct l3_info *info, uint32_t delta)
{
    if (!info->has_l4) {
        return;
    }
    size_t l4 = ofs->l4;
    switch (info->proto) {
    case IPPROTO_TCP_:
        if (l4 + 18 <= len) {
            csum_apply(p + l4 + 16, delta);
        }
        break;
    case IPPROTO_UDP_:
        if (l4 + 8 <= len) {
            csum_apply_udp(p + l4 + 6, delta);
        }
        break;
    case IPPROTO_ICMPV6_:
        if (info->version == 6 && l4 + 4 <= len) {
            csum_apply(p + l4 + 2, delta);
        }
        break;
    default:
        break;
    }
}

int
rewrite_set_eth(uint8_t *pkt, size_t len, const struct rewrite_eth *key,
                const struct rewrite_eth *mask)
{
    if (len < 12) {
        return -EINVAL;
    }
    set_masked(pkt, key->dst, mask->dst, 6);
    set_masked(pkt + 6, key->src, mask->src, 6);
    return 0;
}

int
rewrite_set_ipv4(uint8_t *pkt, size_t len, const struct flow_offsets *ofs,
                 const struct rewrite_ipv4 *key,
                 const struct rewrite_ipv4 *mask)
{
    struct l3_info info;
    if (parse_ipv4(pkt, len, ofs, &info)) {
        return -EINVAL;
    }
    uint8_t *h = pkt + ofs->l3;
    uint8_t old[20];
    memcpy(old, h, sizeof old);

    bool addr = set_masked(h + 12, &key->src, &mask->src, 4);
    addr |= set_masked(h + 16, &key->dst, &mask->dst, 4);
    bool other = set_masked(h + 1, &key->tos, &mask->tos, 1);
    other |= set_masked(h + 8, &key->ttl, &mask->ttl, 1);
    if (!addr && !other) {
        return 0;
    }
    uint32_t addr_delta = csum_delta(0, old + 12, h + 12, 8);
    uint32_t delta = csum_delta(addr_delta, old, h, 2);
    delta = csum_delta(delta, old + 8, h + 8, 2);
    csum_apply(h + 10, delta);
    if (addr) {
        l4_pseudo_update(pkt, len, ofs, &info, addr_delta);
    }
    return 0;
}

int
rewrite_set_ipv6(uint8_t *pkt, size_t len, const struct flow_offsets *ofs,
                 const struct rewrite_ipv6 *key,
                 const struct rewrite_ipv6 *mask)
{
    struct l3_info info;
    if (parse_ipv6(pkt, len, ofs, &info)) {
        return -EINVAL;
    }
    uint8_t *h = pkt + ofs->l3;
    uint8_t old[40];
    memcpy(old, h, sizeof old);

    /* Version (4 bits), traffic class (8), flow label (20). */
    uint32_t w0, tc_mask = (uint32_t) mask->tclass << 20;
    uint32_t label_mask = ntohl(mask->label) & 0xfffff;
    uint32_t want = (uint32_t) key->tclass << 20
                    | (ntohl(key->label) & 0xfffff);
    memcpy(&w0, h, 4);
    w0 = ntohl(w0);
    w0 = (w0 & ~(tc_mask | label_mask)) | (want & (tc_mask | label_mask));
    w0 = htonl(w0);
    memcpy(h, &w0, 4);
    set_masked(h + 7, &key->hlimit, &mask->hlimit, 1);

    bool src = set_masked(h + 8, key->src, mask->src, 16);
    bool dst = set_masked(h + 24, key->dst, mask->dst, 16);
    uint32_t delta = 0;
    if (src) {
        delta = csum_delta(delta, old + 8, h + 8, 16);
    }
    if (dst && !info.rh_segs) {
        delta = csum_delta(delta, old + 24, h + 24, 16);
    }
    if (delta) {
        l4_pseudo_update(pkt, len, ofs, &info, delta);
    }
    return 0;
}

#ifdef __SSE4_2__
uint32_t
rewrite_crc32c(uint32_t crc, const void *data, size_t n)
{
    const uint8_t *p = data;
    uint64_t c = ~crc;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
    }
    uint32_t c32 = (uint32_t) c;
    for (; n; n--, p++) {
        c32 = _mm_crc32_u8(c32, *p);
    }
    return ~c32;
}
#else
static uint32_t crc32c_table[256];

__attribute__((constructor)) static void
crc32c_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        }
        crc32c_table[i] = c;
    }
}

uint32_t
rewrite_crc32c(uint32_t crc, const void *data, size_t n)
{
    const uint8_t *p = data;
    uint32_t c = ~crc;
    while (n--) {
        c = crc32c_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    }
    return ~c;
}
#endif

static void
st32_le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
    p[2] = (uint8_t) (v >> 16);
    p[3] = (uint8_t) (v >> 24);
}

int
rewrite_set_ports(uint8_t *pkt, size_t len, const struct flow_offsets *ofs,
                  uint8_t proto, const struct rewrite_ports *key,
                  const struct rewrite_ports *mask)
{
    static const uint8_t min_len[3] = { 18, 8, 12 };    /* TCP UDP SCTP */
    struct l3_info info;
    int kind = proto == IPPROTO_TCP_ ? 0 : proto == IPPROTO_UDP_ ? 1
               : proto == IPPROTO_SCTP_ ? 2 : -1;

    if (kind < 0 || parse_ip(pkt, len, ofs, &info) || !info.has_l4
        || info.proto != proto || ofs->l4 + min_len[kind] > len) {
        return -EINVAL;
    }
    uint8_t *l4 = pkt + ofs->l4;
    uint8_t old[4];
    memcpy(old, l4, 4);

    if (kind == 2) {
        /* SCTP: CRC32c over the SCTP packet with the checksum zeroed.
         * Keep the old error: stored ^ old_correct ^ new_correct. */
        size_t l4o = ofs->l4;
        size_t n = info.l4_end > l4o + 12 ? info.l4_end - l4o : 12;
        uint8_t stored[4];
        memcpy(stored, l4 + 8, 4);
        memset(l4 + 8, 0, 4);
        uint32_t before = rewrite_crc32c(0, l4, n);
        bool changed = set_masked(l4, &key->src, &mask->src, 2);
        changed |= set_masked(l4 + 2, &key->dst, &mask->dst, 2);
        uint32_t after = changed ? rewrite_crc32c(0, l4, n) : before;
        st32_le(l4 + 8, before ^ after);
        for (int i = 0; i < 4; i++) {
            l4[8 + i] ^= stored[i];
        }
        return 0;
    }

    bool changed = set_masked(l4, &key->src, &mask->src, 2);
    changed |= set_masked(l4 + 2, &key->dst, &mask->dst, 2);
    if (changed) {
        uint32_t delta = csum_delta(0, old, l4, 4);
        if (kind == 0) {
            csum_apply(l4 + 16, delta);
        } else {
            csum_apply_udp(l4 + 6, delta);
        }
    }
    return 0;
}

int
rewrite_dec_ttl(uint8_t *pkt, size_t len, const struct flow_offsets *ofs)
{
    struct l3_info info;
    if (parse_ip(pkt, len, ofs, &info)) {
        return -EINVAL;
    }
    uint8_t *h = pkt + ofs->l3;
    if (info.version == 4) {
        if (h[8] <= 1) {
            return -ETIME;
        }
        uint8_t old[2] = { h[8], h[9] };
        h[8]--;
        csum_apply(h + 10, csum_delta(0, old, h + 8, 2));
    } else {
        if (h[7] <= 1) {
            return -ETIME;
        }
        h[7]--;
    }
    return 0;
}

int
rewrite_l4_proto(const uint8_t *pkt, size_t len,
                 const struct flow_offsets *ofs)
{
    struct l3_info info;
    if (parse_ip(pkt, len, ofs, &info) || !info.has_l4) {
        return -1;
    }
    return info.proto;
}
