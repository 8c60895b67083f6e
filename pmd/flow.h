/* flow: the flow key - what the datapath matches packets on.
 *
 * 'struct flow' is the full key in a fixed layout of FLOW_N_WORDS 64-bit
 * words, network byte order for packet fields.  A 'struct miniflow' is its
 * compact form: a bitmap of the words that are present followed by their
 * values, in word order; absent words are zero.  Key extraction writes
 * miniflows straight from packet bytes; the EMC compares them whole and
 * the megaflow classifier masks them word by word.
 *
 * Field conventions (as Open vSwitch's): for ARP, nw_proto holds the
 * opcode's low byte and nw_src/nw_dst the sender/target protocol
 * addresses, arp_sha/arp_tha the hardware addresses; for ICMPv4/v6,
 * tp_src holds the type and tp_dst the code; for neighbour discovery,
 * nd_target is the target and arp_sha/arp_tha the SLL/TLL options.
 * vlans[0] is the outer 802.1Q/802.1ad tag and vlans[1] the inner one;
 * a tag is present when its TPID is nonzero, so VID 0 differs from no
 * tag. */
#ifndef SLUICE_FLOW_H
#define SLUICE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FLOW_N_WORDS 18

/* nw_frag bits. */
#define FLOW_FRAG_ANY   0x01    /* Part of a fragmented packet. */
#define FLOW_FRAG_LATER 0x02    /* Not the first fragment. */

struct flow_vlan {
    uint16_t tpid;          /* Network order; 0 = no tag. */
    uint16_t tci;           /* Network order. */
};

struct flow {
    /* Metadata (words 0-2). */
    uint32_t in_port;       /* Datapath port number. */
    uint32_t recirc_id;
    uint64_t tun_id;        /* Tunnel metadata: matched and printed;
                             * key extraction leaves words 1-2 zero. */
    uint32_t tun_src;
    uint32_t tun_dst;

    /* L2 (words 3-5). */
    uint8_t dl_dst[6];
    uint16_t dl_type;       /* Innermost Ethertype after VLAN tags. */
    uint8_t dl_src[6];
    uint8_t pad1[2];
    struct flow_vlan vlans[2];

    /* MPLS and IPv4 (words 6-7). */
    uint32_t mpls_lse;      /* Top label stack entry. */
    uint32_t nw_src;        /* IPv4 or ARP SPA. */
    uint32_t nw_dst;        /* IPv4 or ARP TPA. */
    uint32_t ipv6_label;    /* Flow label (low 20 bits). */

    /* IPv6 (words 8-11). */
    uint8_t ipv6_src[16];
    uint8_t ipv6_dst[16];

    /* Common L3 and L4 (words 12-13). */
    uint8_t nw_proto;       /* IP protocol, or ARP opcode low byte. */
    uint8_t nw_tos;         /* DSCP and ECN. */
    uint8_t nw_ttl;         /* TTL or hop limit. */
    uint8_t nw_frag;        /* FLOW_FRAG_*. */
    uint16_t tp_src;        /* L4 source port, or ICMP type. */
    uint16_t tp_dst;        /* L4 destination port, or ICMP code. */
    uint16_t tcp_flags;     /* Network order, low 12 bits. */
    uint8_t pad2[6];

    /* ARP and neighbour discovery (words 14-17). */
    uint8_t arp_sha[6];
    uint8_t pad3[2];
    uint8_t arp_tha[6];
    uint8_t pad4[2];
    uint8_t nd_target[16];
};

_Static_assert(sizeof(struct flow) == FLOW_N_WORDS * 8,
               "struct flow must be FLOW_N_WORDS words");

/* Word index of a field. */
#define FLOW_WORD(FIELD) (offsetof(struct flow, FIELD) / 8)

/* ---- struct flow as FLOW_N_WORDS 64-bit words: the only way code walks
 * a flow word by word (no casts to uint64_t *).  memcpy() compiles to
 * plain loads and stores. */

static inline uint64_t
flow_get_word(const struct flow *f, size_t i)
{
    uint64_t w;
    memcpy(&w, (const char *) f + 8 * i, 8);
    return w;
}

static inline void
flow_set_word(struct flow *f, size_t i, uint64_t w)
{
    memcpy((char *) f + 8 * i, &w, 8);
}

/* dst = a & b, word by word ('dst' may be 'a' or 'b'). */
static inline void
flow_and(struct flow *dst, const struct flow *a, const struct flow *b)
{
    for (size_t i = 0; i < FLOW_N_WORDS; i++) {
        flow_set_word(dst, i, flow_get_word(a, i) & flow_get_word(b, i));
    }
}

/* dst |= src. */
static inline void
flow_or(struct flow *dst, const struct flow *src)
{
    for (size_t i = 0; i < FLOW_N_WORDS; i++) {
        flow_set_word(dst, i, flow_get_word(dst, i) | flow_get_word(src, i));
    }
}

/* Whether 'f' under 'mask' equals 'match' (itself already masked). */
static inline bool
flow_matches(const struct flow *f, const struct flow *mask,
             const struct flow *match)
{
    for (size_t i = 0; i < FLOW_N_WORDS; i++) {
        if ((flow_get_word(f, i) & flow_get_word(mask, i))
            != flow_get_word(match, i)) {
            return false;
        }
    }
    return true;
}

/* Whether every bit set in mask 'a' is also set in mask 'b'. */
static inline bool
flow_mask_within(const struct flow *a, const struct flow *b)
{
    for (size_t i = 0; i < FLOW_N_WORDS; i++) {
        if (flow_get_word(a, i) & ~flow_get_word(b, i)) {
            return false;
        }
    }
    return true;
}

struct miniflow {
    uint64_t map;                   /* Bit i: word i is in values[]. */
    uint64_t values[FLOW_N_WORDS];  /* Present words, in word order. */
};

static inline unsigned int
miniflow_n_values(const struct miniflow *mf)
{
    return (unsigned int) __builtin_popcountll(mf->map);
}

/* Where the headers of a packet start (offsets from the Ethernet header),
 * for actions that rewrite them.  0xffff: absent. */
struct flow_offsets {
    uint16_t l2_5;          /* MPLS label stack. */
    uint16_t l3;            /* IPv4/IPv6/ARP header. */
    uint16_t l4;            /* TCP/UDP/SCTP/ICMP header. */
};
#define FLOW_OFS_NONE 0xffff
/* In l2_5: the packet was classified on metadata only and its headers not
 * parsed yet; flow_offsets_resolve() parses them when an action needs
 * them. */
#define FLOW_OFS_UNPARSED 0xfffe

/* Extracts the key of the Ethernet frame 'data' ('len' bytes) received on
 * 'in_port' with 'recirc_id' into 'mf', and header offsets into 'ofs' (may
 * be NULL).  Never reads past 'len': a truncated or malformed header
 * contributes the fields that were complete before it and nothing after. */
void flow_extract(const void *data, size_t len, uint32_t in_port,
                  uint32_t recirc_id, struct miniflow *mf,
                  struct flow_offsets *ofs);

/* Sets 'ofs' from the frame if it is FLOW_OFS_UNPARSED (see above). */
void flow_offsets_resolve(const void *data, size_t len,
                          struct flow_offsets *ofs);

/* The TCP flags (host order, low 12 bits) of the key 'mf' extracted by
 * flow_extract(): 0 unless the packet is TCP with a complete header. */
static inline uint16_t
miniflow_tcp_flags(const struct miniflow *mf)
{
    const uint64_t bit = UINT64_C(1) << FLOW_WORD(tcp_flags);
    if (!(mf->map & bit)) {
        return 0;
    }
    const uint8_t *w = (const uint8_t *) (const void *)
                       &mf->values[__builtin_popcountll(mf->map & (bit - 1))];
    return (uint16_t) ((w[0] << 8 | w[1]) & 0x0fff);
}

/* The same for the Ethernet frame 'data' ('len' bytes) without extracting
 * its whole key: what miniflow_tcp_flags() gives for the key that
 * flow_extract() would extract from it.  Untagged IPv4 that is not TCP is
 * told inline. */
uint16_t flow_tcp_flags__(const void *data, size_t len);

static inline uint16_t
flow_tcp_flags(const void *data, size_t len)
{
    const uint8_t *p = data;
    if (len >= 14 + 20 && p[12] == 0x08 && p[13] == 0x00 && p[23] != 6) {
        return 0;
    }
    return flow_tcp_flags__(data, len);
}

/* Appends 'tcp_flags' in Open vSwitch's dump-flows form: a letter per flag
 * in the order S F P R U . (ACK) E C N, then "[200]", "[400]", "[800]" for
 * the reserved bits; "none" for 0. */
struct dstr;
void flow_format_tcp_flags(uint16_t tcp_flags, struct dstr *);

/* Conversions. */
void miniflow_expand(const struct miniflow *, struct flow *);
void miniflow_compress(const struct flow *, struct miniflow *);

/* Hash of a miniflow's map and values (any good 32-bit hash). */
uint32_t miniflow_hash(const struct miniflow *, uint32_t basis);

/* Exact equality: same map and same values. */
int miniflow_equal(const struct miniflow *, const struct miniflow *);

/* Appends a readable form "recirc_id(0),in_port(1),eth(src=..,dst=..),
 * eth_type(0x0800),ipv4(src=..,dst=..,proto=17,tos=0,ttl=64,frag=no),
 * udp(src=..,dst=..)" of the fields of 'flow' (and, if 'mask' is not
 * NULL, only those it does not wildcard, with "/mask" where partial), in
 * the style of ovs-dpctl dump-flows.  Without a mask, recirc_id is shown
 * only when nonzero.  flow_parse() reads this form back: parsing what
 * this prints for a flow and a mask gives the same masked flow and mask,
 * except for what is not shown: fields whose prerequisites the mask
 * leaves inexact (e.g. ports under a wildcarded IP protocol) and a
 * matched absence of a VLAN tag. */
struct dstr;
void flow_format(const struct flow *, const struct flow *mask,
                 struct dstr *);

#endif
