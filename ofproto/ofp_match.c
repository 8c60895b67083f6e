/* ofp_match: OpenFlow 1.0, OXM and NXM matches. */
#include "ofproto/ofp_match.h"

#include <errno.h>
#include <string.h>

#include "ofproto/ofp_buf.h"

void
ofp_match_init(struct ofp_match *m)
{
    memset(m, 0, sizeof *m);
}

bool
ofp_match_equal(const struct ofp_match *a, const struct ofp_match *b)
{
    return !memcmp(a, b, sizeof *a);
}

bool
ofp_match_is_catchall(const struct ofp_match *m)
{
    struct ofp_match all;
    ofp_match_init(&all);
    return ofp_match_equal(m, &all);
}

void
ofp_match_from_key(struct ofp_match *m, const struct flow *flow,
                   const struct ofp_match_meta *meta)
{
    ofp_match_init(m);
    m->flow = *flow;
    memset(&m->wc, 0xff, sizeof m->wc);
    m->flow.in_port = m->wc.in_port = 0;
    m->flow.recirc_id = m->wc.recirc_id = 0;
    if (!flow->tun_id) {
        m->wc.tun_id = 0;
    }
    if (!flow->tun_src) {
        m->wc.tun_src = 0;
    }
    if (!flow->tun_dst) {
        m->wc.tun_dst = 0;
    }
    m->meta = *meta;
    m->meta_wc.in_port = UINT32_MAX;
    for (int i = 0; i < OFP_N_REGS; i++) {
        m->meta_wc.regs[i] = meta->regs[i] ? UINT32_MAX : 0;
    }
    m->meta_wc.metadata = meta->metadata ? UINT64_MAX : 0;
}

enum ofp_err
ofp_match_check(const struct ofp_match *m)
{
    for (int id = 0; id < MF_N_IDS; id++) {
        if (!mf_bits_ok(m, mf_from_id((enum mf_id) id))) {
            return OFPERR_OFPBMC_BAD_PREREQ;
        }
    }
    return OFPERR_NONE;
}

/* Fields that are two wire forms of the same bits. */
static bool
conflicts(enum mf_id id, const uint64_t seen[2])
{
#define SEEN(ID) (seen[(ID) / 64] >> ((ID) % 64) & 1)
    switch (id) {
    case MF_VLAN_TCI:
        return SEEN(MF_VLAN_VID) || SEEN(MF_VLAN_PCP);
    case MF_VLAN_VID:
    case MF_VLAN_PCP:
        return SEEN(MF_VLAN_TCI);
    case MF_IP_DSCP:
        return SEEN(MF_NW_TOS);
    case MF_NW_TOS:
        return SEEN(MF_IP_DSCP);
    case MF_IN_PORT:
        return SEEN(MF_IN_PORT_NXM);
    case MF_IN_PORT_NXM:
        return SEEN(MF_IN_PORT);
    default:
        return SEEN(id);
    }
#undef SEEN
}

#define NXM_NX_COOKIE   0x00013c08u
#define NXM_NX_COOKIE_W 0x00013d10u

/* Reads an NXM cookie TLV at 'p' if there is one: its length, or 0. */
static size_t
pull_cookie(const uint8_t *p, size_t len, uint64_t *cookie,
            uint64_t *mask)
{
    if (len < 4) {
        return 0;
    }
    uint32_t h = ofp_get_u32(p);
    if (h == NXM_NX_COOKIE && len >= 12) {
        *cookie = ofp_get_u64(p + 4);
        *mask = UINT64_MAX;
        return 12;
    }
    if (h == NXM_NX_COOKIE_W && len >= 20) {
        *cookie = ofp_get_u64(p + 4);
        *mask = ofp_get_u64(p + 12);
        return 20;
    }
    return 0;
}

enum ofp_err
ofp_tlvs_decode(const uint8_t *p, size_t len, struct ofp_match *m)
{
    return ofp_tlvs_decode_nx(p, len, m, NULL, NULL);
}

enum ofp_err
ofp_tlvs_decode_nx(const uint8_t *p, size_t len, struct ofp_match *m,
                   uint64_t *cookie, uint64_t *cookie_mask)
{
    uint64_t seen[2] = { 0, 0 };
    bool have_cookie = false;
    ofp_match_init(m);
    if (cookie) {
        *cookie = *cookie_mask = 0;
    }
    for (size_t ofs = 0; ofs < len;) {
        uint64_t c, cm;
        size_t n = cookie ? pull_cookie(p + ofs, len - ofs, &c, &cm) : 0;
        if (n) {
            if (have_cookie) {
                return OFPERR_OFPBMC_DUP_FIELD;
            }
            if (c & ~cm) {
                return OFPERR_OFPBMC_BAD_WILDCARDS;
            }
            have_cookie = true;
            *cookie = c;
            *cookie_mask = cm;
            ofs += n;
            continue;
        }
        struct ofp_tlv t;
        enum ofp_err err = ofp_tlv_pull(p + ofs, len - ofs, &t);
        if (err) {
            return err;
        }
        enum mf_id id = t.mf->id;
        if (conflicts(id, seen)) {
            return OFPERR_OFPBMC_DUP_FIELD;
        }
        seen[id / 64] |= UINT64_C(1) << (id % 64);
        err = mf_set(m, t.mf, t.value, t.mask);
        if (err) {
            return err;
        }
        ofs += t.len;
    }
    /* Prerequisites once all fields are in: their order is free. */
    for (int id = 0; id < MF_N_IDS; id++) {
        if (seen[id / 64] >> (id % 64) & 1
            && !mf_prereqs_ok(m, mf_from_id((enum mf_id) id))) {
            return OFPERR_OFPBMC_BAD_PREREQ;
        }
    }
    return OFPERR_NONE;
}

static bool
is_exact(const struct mf_field *mf, const uint8_t *w)
{
    if (mf->n_bytes > 8) {
        for (int i = 0; i < mf->n_bytes; i++) {
            if (w[i] != 0xff) {
                return false;
            }
        }
        return true;
    }
    uint64_t v = 0;
    for (int i = 0; i < mf->n_bytes; i++) {
        v = v << 8 | w[i];
    }
    return v == mf->valid;
}

/* Whether this id is the one 'fmt' uses for its bits in 'm'. */
static bool
encodes(const struct ofp_match *m, enum ofp_tlv_format fmt, enum mf_id id)
{
    uint8_t v[16], w[16];
    bool pcp_odd;
    switch (id) {
    case MF_IN_PORT_NXM:
        return fmt == OFP_TLV_NXM && m->meta_wc.in_port
               && ofp_port_to_16(m->meta.in_port) >= 0;
    case MF_IN_PORT:
        return fmt == OFP_TLV_OXM
               || ofp_port_to_16(m->meta.in_port) < 0;
    case MF_NW_TOS:
        return fmt == OFP_TLV_NXM;
    case MF_IP_DSCP:
        return fmt == OFP_TLV_OXM;
    case MF_VLAN_TCI:
    case MF_VLAN_VID:
    case MF_VLAN_PCP:
        /* OXM's vlan_pcp needs a tag matched present, exactly. */
        mf_read(m, mf_from_id(MF_VLAN_PCP), v, w);
        pcp_odd = w[0] && (w[0] != 7
                           || !mf_prereqs_ok(m, mf_from_id(MF_VLAN_PCP)));
        if (fmt == OFP_TLV_NXM || pcp_odd) {
            return id == MF_VLAN_TCI;
        }
        return id != MF_VLAN_TCI;
    default:
        return mf_prereqs_ok(m, mf_from_id(id));
    }
}

/* The order Open vSwitch writes fields in, so that the same match gives
 * the same bytes: metadata, L2, VLAN, MPLS, L3 and L4 (or ARP), tunnel,
 * registers, pipeline metadata. */
#define R(N) MF_REG0 + N
static const enum mf_id encode_order[] = {
    MF_IN_PORT_NXM, MF_IN_PORT, MF_ETH_SRC, MF_ETH_DST, MF_ETH_TYPE,
    MF_VLAN_TCI, MF_VLAN_VID, MF_VLAN_PCP,
    MF_MPLS_TC, MF_MPLS_BOS, MF_MPLS_LABEL, MF_MPLS_TTL,
    MF_IPV4_SRC, MF_IPV4_DST, MF_IPV6_SRC, MF_IPV6_DST, MF_IP_FRAG,
    MF_IP_DSCP, MF_NW_TOS, MF_IP_ECN, MF_IP_TTL, MF_IPV6_LABEL, MF_IP_PROTO,
    MF_TCP_SRC, MF_TCP_DST, MF_TCP_FLAGS, MF_UDP_SRC, MF_UDP_DST,
    MF_SCTP_SRC, MF_SCTP_DST, MF_ICMPV4_TYPE, MF_ICMPV4_CODE,
    MF_ICMPV6_TYPE, MF_ICMPV6_CODE, MF_ND_TARGET, MF_ND_SLL, MF_ND_TLL,
    MF_ARP_OP, MF_ARP_SPA, MF_ARP_TPA, MF_ARP_SHA, MF_ARP_THA,
    MF_TUN_ID, MF_TUN_SRC, MF_TUN_DST,
    R(0), R(1), R(2), R(3), R(4), R(5), R(6), R(7), R(8), R(9), R(10),
    R(11), R(12), R(13), R(14), R(15),
    MF_METADATA,
};
#undef R
_Static_assert(sizeof encode_order / sizeof encode_order[0] == MF_N_IDS,
               "encode_order must list every field once");

size_t
ofp_tlvs_encode(struct ofp_buf *b, enum ofp_tlv_format fmt,
                const struct ofp_match *m)
{
    size_t start = b->len;
    for (size_t i = 0; i < MF_N_IDS; i++) {
        const struct mf_field *mf = mf_from_id(encode_order[i]);
        uint8_t v[16], w[16];
        if (!mf_read(m, mf, v, w) || !encodes(m, fmt, mf->id)) {
            continue;
        }
        ofp_tlv_put(b, fmt, mf, v, is_exact(mf, w) ? NULL : w);
    }
    return b->len - start;
}

size_t
ofp_tlvs_encode_nx(struct ofp_buf *b, const struct ofp_match *m,
                   uint64_t cookie, uint64_t cookie_mask)
{
    size_t n = ofp_tlvs_encode(b, OFP_TLV_NXM, m);
    if (cookie_mask == UINT64_MAX) {
        ofp_buf_put_u32(b, NXM_NX_COOKIE);
        ofp_buf_put_u64(b, cookie);
        n += 12;
    } else if (cookie_mask) {
        ofp_buf_put_u32(b, NXM_NX_COOKIE_W);
        ofp_buf_put_u64(b, cookie & cookie_mask);
        ofp_buf_put_u64(b, cookie_mask);
        n += 20;
    }
    return n;
}

#define OFPMT_OXM 1

enum ofp_err
ofp13_match_decode(const uint8_t *p, size_t len, struct ofp_match *m,
                   size_t *consumed)
{
    if (len < 4) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    uint16_t type = ofp_get_u16(p), mlen = ofp_get_u16(p + 2);
    if (type != OFPMT_OXM) {
        return OFPERR_OFPBMC_BAD_TYPE;
    }
    size_t padded = (mlen + 7u) & ~7u;
    if (mlen < 4 || padded > len) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    if (!ofp_is_zeros(p + mlen, padded - mlen)) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    *consumed = padded;
    return ofp_tlvs_decode(p + 4, mlen - 4u, m);
}

void
ofp13_match_encode(struct ofp_buf *b, const struct ofp_match *m)
{
    size_t start = b->len;
    ofp_buf_put_u16(b, OFPMT_OXM);
    ofp_buf_put_u16(b, 0);
    size_t n = ofp_tlvs_encode(b, OFP_TLV_OXM, m);
    ofp_buf_set_u16(b, start + 2, (uint16_t) (4 + n));
    ofp_buf_pad8(b, start);
}

/* OpenFlow 1.0 wildcards. */
#define OFPFW10_IN_PORT     (1u << 0)
#define OFPFW10_DL_VLAN     (1u << 1)
#define OFPFW10_DL_SRC      (1u << 2)
#define OFPFW10_DL_DST      (1u << 3)
#define OFPFW10_DL_TYPE     (1u << 4)
#define OFPFW10_NW_PROTO    (1u << 5)
#define OFPFW10_TP_SRC      (1u << 6)
#define OFPFW10_TP_DST      (1u << 7)
#define OFPFW10_NW_SRC_SHIFT 8
#define OFPFW10_NW_DST_SHIFT 14
#define OFPFW10_DL_VLAN_PCP (1u << 20)
#define OFPFW10_NW_TOS      (1u << 21)
#define OFPFW10_ALL         ((1u << 22) - 1)
#define OFP10_VLAN_NONE     0xffff

static void
set_int(struct ofp_match *m, enum mf_id id, uint64_t v)
{
    mf_set_int(m, id, v);       /* Values are in range: no error. */
}

static void
set_cidr(struct ofp_match *m, enum mf_id id, const uint8_t *addr,
         unsigned int wild_bits)
{
    if (wild_bits >= 32) {
        return;
    }
    uint32_t mask = wild_bits ? ~UINT32_C(0) << wild_bits : ~UINT32_C(0);
    uint8_t v[4], w[4];
    ofp_set_u32(w, mask);
    ofp_set_u32(v, ofp_get_u32(addr) & mask);
    mf_set(m, mf_from_id(id), v, w);
}

enum ofp_err
ofp10_match_decode(const uint8_t *p, struct ofp_match *m)
{
    uint32_t wc = ofp_get_u32(p) & OFPFW10_ALL;
    uint16_t in_port = ofp_get_u16(p + 4);
    const uint8_t *dl_src = p + 6, *dl_dst = p + 12;
    uint16_t dl_vlan = ofp_get_u16(p + 18);
    uint8_t pcp = p[20];
    uint16_t dl_type = ofp_get_u16(p + 22);
    uint8_t nw_tos = p[24], nw_proto = p[25];
    const uint8_t *nw_src = p + 28, *nw_dst = p + 32;
    uint16_t tp_src = ofp_get_u16(p + 36), tp_dst = ofp_get_u16(p + 38);

    ofp_match_init(m);
    if (!(wc & OFPFW10_IN_PORT)) {
        set_int(m, MF_IN_PORT, ofp_port_from_16(in_port));
    }
    if (!(wc & OFPFW10_DL_SRC)) {
        mf_set(m, mf_from_id(MF_ETH_SRC), dl_src, NULL);
    }
    if (!(wc & OFPFW10_DL_DST)) {
        mf_set(m, mf_from_id(MF_ETH_DST), dl_dst, NULL);
    }
    bool no_tag = !(wc & OFPFW10_DL_VLAN) && dl_vlan == OFP10_VLAN_NONE;
    if (no_tag) {
        uint8_t v[2] = { 0, 0 }, w[2] = { 0x10, 0 };
        mf_set(m, mf_from_id(MF_VLAN_VID), v, w);
    } else {
        if (!(wc & OFPFW10_DL_VLAN)) {
            if (dl_vlan > 0xfff) {
                return OFPERR_OFPBMC_BAD_VALUE;
            }
            set_int(m, MF_VLAN_VID, 0x1000u | dl_vlan);
        }
        if (!(wc & OFPFW10_DL_VLAN_PCP)) {
            if (pcp > 7) {
                return OFPERR_OFPBMC_BAD_VALUE;
            }
            if (wc & OFPFW10_DL_VLAN) {
                uint8_t v[2] = { 0x10, 0 }, w[2] = { 0x10, 0 };
                mf_set(m, mf_from_id(MF_VLAN_VID), v, w);
            }
            set_int(m, MF_VLAN_PCP, pcp);
        }
    }
    if (wc & OFPFW10_DL_TYPE) {
        return OFPERR_NONE;
    }
    set_int(m, MF_ETH_TYPE, dl_type);
    if (dl_type == 0x0806 || dl_type == 0x8035) {     /* ARP, RARP. */
        if (!(wc & OFPFW10_NW_PROTO)) {
            set_int(m, MF_ARP_OP, nw_proto);
        }
        set_cidr(m, MF_ARP_SPA, nw_src, wc >> OFPFW10_NW_SRC_SHIFT & 63);
        set_cidr(m, MF_ARP_TPA, nw_dst, wc >> OFPFW10_NW_DST_SHIFT & 63);
        return OFPERR_NONE;
    }
    if (dl_type != 0x0800) {
        return OFPERR_NONE;
    }
    if (!(wc & OFPFW10_NW_TOS)) {
        set_int(m, MF_NW_TOS, nw_tos & 0xfc);
    }
    set_cidr(m, MF_IPV4_SRC, nw_src, wc >> OFPFW10_NW_SRC_SHIFT & 63);
    set_cidr(m, MF_IPV4_DST, nw_dst, wc >> OFPFW10_NW_DST_SHIFT & 63);
    if (wc & OFPFW10_NW_PROTO) {
        return OFPERR_NONE;
    }
    set_int(m, MF_IP_PROTO, nw_proto);
    enum mf_id src, dst;
    switch (nw_proto) {
    case 6: src = MF_TCP_SRC; dst = MF_TCP_DST; break;
    case 17: src = MF_UDP_SRC; dst = MF_UDP_DST; break;
    case 132: src = MF_SCTP_SRC; dst = MF_SCTP_DST; break;
    case 1: src = MF_ICMPV4_TYPE; dst = MF_ICMPV4_CODE; break;
    default: return OFPERR_NONE;
    }
    uint16_t lim = nw_proto == 1 ? 0xff : 0xffff;
    if (!(wc & OFPFW10_TP_SRC)) {
        if (tp_src > lim) {
            return OFPERR_OFPBMC_BAD_VALUE;
        }
        set_int(m, src, tp_src);
    }
    if (!(wc & OFPFW10_TP_DST)) {
        if (tp_dst > lim) {
            return OFPERR_OFPBMC_BAD_VALUE;
        }
        set_int(m, dst, tp_dst);
    }
    return OFPERR_NONE;
}

/* Wildcard bits for an IPv4 mask, or 64 if it is not a prefix. */
static unsigned int
cidr_wild_bits(uint32_t mask)
{
    unsigned int n = mask ? (unsigned int) __builtin_ctz(mask) : 32;
    uint32_t prefix = n >= 32 ? 0 : ~UINT32_C(0) << n;
    return prefix == mask ? n : 64;
}

int
ofp10_match_encode(const struct ofp_match *m, uint8_t *p)
{
    const struct flow *f = &m->flow, *w = &m->wc;
    uint32_t wc = OFPFW10_ALL;
    memset(p, 0, OFP10_MATCH_LEN);

    if (m->meta_wc.in_port) {
        int32_t port = ofp_port_to_16(m->meta.in_port);
        if (port < 0) {
            return -ENOTSUP;
        }
        wc &= ~OFPFW10_IN_PORT;
        ofp_set_u16(p + 4, (uint16_t) port);
    }
    if (!ofp_is_zeros(w->dl_src, 6)) {
        wc &= ~OFPFW10_DL_SRC;
        memcpy(p + 6, f->dl_src, 6);
    }
    if (!ofp_is_zeros(w->dl_dst, 6)) {
        wc &= ~OFPFW10_DL_DST;
        memcpy(p + 12, f->dl_dst, 6);
    }
    uint8_t vv[2], vw[2];
    mf_read(m, mf_from_id(MF_VLAN_VID), vv, vw);
    uint16_t vid = ofp_get_u16(vv), vid_w = ofp_get_u16(vw);
    if (vid_w & 0x1000 && !(vid & 0x1000)) {
        /* No tag; the PCP exact at 0 as OVS writes it (read: ignored). */
        wc &= ~(OFPFW10_DL_VLAN | OFPFW10_DL_VLAN_PCP);
        ofp_set_u16(p + 18, OFP10_VLAN_NONE);
    } else if (vid_w & 0xfff) {
        wc &= ~OFPFW10_DL_VLAN;
        ofp_set_u16(p + 18, vid & 0xfff);
    }
    mf_read(m, mf_from_id(MF_VLAN_PCP), vv, vw);
    if (vw[0]) {
        wc &= ~OFPFW10_DL_VLAN_PCP;
        p[20] = vv[0];
    }
    if (w->dl_type) {
        wc &= ~OFPFW10_DL_TYPE;
        memcpy(p + 22, &f->dl_type, 2);
    }
    if (w->nw_tos) {
        wc &= ~OFPFW10_NW_TOS;
        p[24] = f->nw_tos;
    }
    if (w->nw_proto) {
        wc &= ~OFPFW10_NW_PROTO;
        p[25] = f->nw_proto;
    }
    unsigned int src_bits = cidr_wild_bits(ofp_get_u32((void *) &w->nw_src));
    unsigned int dst_bits = cidr_wild_bits(ofp_get_u32((void *) &w->nw_dst));
    if (src_bits > 32 || dst_bits > 32) {
        return -ENOTSUP;
    }
    wc = (wc & ~(63u << OFPFW10_NW_SRC_SHIFT & OFPFW10_ALL))
         | src_bits << OFPFW10_NW_SRC_SHIFT;
    wc = (wc & ~(63u << OFPFW10_NW_DST_SHIFT & OFPFW10_ALL))
         | dst_bits << OFPFW10_NW_DST_SHIFT;
    memcpy(p + 28, &f->nw_src, 4);
    memcpy(p + 32, &f->nw_dst, 4);
    if (w->tp_src) {
        wc &= ~OFPFW10_TP_SRC;
        memcpy(p + 36, &f->tp_src, 2);
    }
    if (w->tp_dst) {
        wc &= ~OFPFW10_TP_DST;
        memcpy(p + 38, &f->tp_dst, 2);
    }
    ofp_set_u32(p, wc);

    /* Whatever OpenFlow 1.0 lacks shows as a difference. */
    struct ofp_match back;
    if (ofp10_match_decode(p, &back) || !ofp_match_equal(&back, m)) {
        return -ENOTSUP;
    }
    return 0;
}
