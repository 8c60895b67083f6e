/* ofp_field: OXM/NXM match fields and their place in 'struct ofp_match'. */
#include "ofproto/ofp_field.h"

#include <string.h>

#include "ofproto/ofp_buf.h"

/* Where a field lives in a match. */
enum mf_where { IN_FLOW, IN_META, SPECIAL };

struct mf_store {
    enum mf_where where;
    uint16_t ofs;           /* In 'struct flow' or 'struct ofp_match_meta'. */
    uint8_t size;           /* Bytes: network order in flow, host in meta. */
    uint8_t shift;          /* Wire value << shift = stored bits. */
};

#define FL(F) IN_FLOW, offsetof(struct flow, F), \
              sizeof ((struct flow *) 0)->F
#define ME(F) IN_META, offsetof(struct ofp_match_meta, F), \
              sizeof ((struct ofp_match_meta *) 0)->F

#define NX0 OFPXMC_NXM_0
#define NX1 OFPXMC_NXM_1
#define OXB OFPXMC_OPENFLOW_BASIC

/* name, id, n_bytes, maskable, writable, prereq, valid, NXM, OXM, exp. */
#define F(NAME, ID, NB, MASK, W, PRE, VALID, NC, NF, OC, OF) \
    [ID] = { NAME, ID, NB, MASK, W, PRE, VALID, NC, NF, OC, OF, 0 }
#define REG(N) \
    F("reg" #N, MF_REG0 + N, 4, 1, 1, MFP_NONE, 0xffffffff, NX1, N, -1, 0)

static const struct mf_field fields[MF_N_IDS] = {
    F("in_port_oxm", MF_IN_PORT, 4, 0, 1, MFP_NONE, 0xffffffff,
      -1, 0, OXB, 0),
    F("in_port", MF_IN_PORT_NXM, 2, 0, 1, MFP_NONE, 0xffff, NX0, 0, -1, 0),
    F("metadata", MF_METADATA, 8, 1, 1, MFP_NONE, UINT64_MAX, -1, 0, OXB, 2),
    REG(0), REG(1), REG(2), REG(3), REG(4), REG(5), REG(6), REG(7),
    REG(8), REG(9), REG(10), REG(11), REG(12), REG(13), REG(14), REG(15),
    F("tun_id", MF_TUN_ID, 8, 1, 1, MFP_NONE, UINT64_MAX, NX1, 16, OXB, 38),
    F("tun_src", MF_TUN_SRC, 4, 1, 1, MFP_NONE, 0xffffffff, NX1, 31, -1, 0),
    F("tun_dst", MF_TUN_DST, 4, 1, 1, MFP_NONE, 0xffffffff, NX1, 32, -1, 0),
    F("eth_dst", MF_ETH_DST, 6, 1, 1, MFP_NONE, 0xffffffffffff,
      NX0, 1, OXB, 3),
    F("eth_src", MF_ETH_SRC, 6, 1, 1, MFP_NONE, 0xffffffffffff,
      NX0, 2, OXB, 4),
    F("eth_type", MF_ETH_TYPE, 2, 0, 0, MFP_NONE, 0xffff, NX0, 3, OXB, 5),
    F("vlan_tci", MF_VLAN_TCI, 2, 1, 1, MFP_NONE, 0xffff, NX0, 4, -1, 0),
    F("vlan_vid", MF_VLAN_VID, 2, 1, 1, MFP_NONE, 0x1fff, -1, 0, OXB, 6),
    F("vlan_pcp", MF_VLAN_PCP, 1, 0, 1, MFP_VLAN, 0x7, -1, 0, OXB, 7),
    F("mpls_label", MF_MPLS_LABEL, 4, 0, 1, MFP_MPLS, 0xfffff,
      -1, 0, OXB, 34),
    F("mpls_tc", MF_MPLS_TC, 1, 0, 1, MFP_MPLS, 0x7, -1, 0, OXB, 35),
    F("mpls_bos", MF_MPLS_BOS, 1, 0, 0, MFP_MPLS, 0x1, -1, 0, OXB, 36),
    F("mpls_ttl", MF_MPLS_TTL, 1, 0, 1, MFP_MPLS, 0xff, NX1, 30, -1, 0),
    F("ip_src", MF_IPV4_SRC, 4, 1, 1, MFP_IPV4, 0xffffffff, NX0, 7, OXB, 11),
    F("ip_dst", MF_IPV4_DST, 4, 1, 1, MFP_IPV4, 0xffffffff, NX0, 8, OXB, 12),
    F("ipv6_src", MF_IPV6_SRC, 16, 1, 1, MFP_IPV6, 0, NX1, 19, OXB, 26),
    F("ipv6_dst", MF_IPV6_DST, 16, 1, 1, MFP_IPV6, 0, NX1, 20, OXB, 27),
    F("ipv6_label", MF_IPV6_LABEL, 4, 1, 1, MFP_IPV6, 0xfffff,
      NX1, 27, OXB, 28),
    F("nw_proto", MF_IP_PROTO, 1, 0, 0, MFP_IP, 0xff, NX0, 6, OXB, 10),
    F("ip_dscp", MF_IP_DSCP, 1, 0, 1, MFP_IP, 0x3f, -1, 0, OXB, 8),
    F("nw_tos", MF_NW_TOS, 1, 0, 1, MFP_IP, 0xfc, NX0, 5, -1, 0),
    F("nw_ecn", MF_IP_ECN, 1, 0, 1, MFP_IP, 0x3, NX1, 28, OXB, 9),
    F("nw_ttl", MF_IP_TTL, 1, 0, 1, MFP_IP, 0xff, NX1, 29, -1, 0),
    F("ip_frag", MF_IP_FRAG, 1, 1, 0, MFP_IP, 0x3, NX1, 26, -1, 0),
    F("arp_op", MF_ARP_OP, 2, 0, 1, MFP_ARP, 0xff, NX0, 15, OXB, 21),
    F("arp_spa", MF_ARP_SPA, 4, 1, 1, MFP_ARP, 0xffffffff, NX0, 16, OXB, 22),
    F("arp_tpa", MF_ARP_TPA, 4, 1, 1, MFP_ARP, 0xffffffff, NX0, 17, OXB, 23),
    F("arp_sha", MF_ARP_SHA, 6, 1, 1, MFP_ARP, 0xffffffffffff,
      NX1, 17, OXB, 24),
    F("arp_tha", MF_ARP_THA, 6, 1, 1, MFP_ARP, 0xffffffffffff,
      NX1, 18, OXB, 25),
    F("tcp_src", MF_TCP_SRC, 2, 1, 1, MFP_TCP, 0xffff, NX0, 9, OXB, 13),
    F("tcp_dst", MF_TCP_DST, 2, 1, 1, MFP_TCP, 0xffff, NX0, 10, OXB, 14),
    [MF_TCP_FLAGS] = { "tcp_flags", MF_TCP_FLAGS, 2, 1, 0, MFP_TCP, 0x0fff,
                       NX1, 34, OFPXMC_EXPERIMENTER, 42, OFP_ONF_VENDOR },
    F("udp_src", MF_UDP_SRC, 2, 1, 1, MFP_UDP, 0xffff, NX0, 11, OXB, 15),
    F("udp_dst", MF_UDP_DST, 2, 1, 1, MFP_UDP, 0xffff, NX0, 12, OXB, 16),
    F("sctp_src", MF_SCTP_SRC, 2, 1, 1, MFP_SCTP, 0xffff, -1, 0, OXB, 17),
    F("sctp_dst", MF_SCTP_DST, 2, 1, 1, MFP_SCTP, 0xffff, -1, 0, OXB, 18),
    F("icmp_type", MF_ICMPV4_TYPE, 1, 0, 1, MFP_ICMPV4, 0xff,
      NX0, 13, OXB, 19),
    F("icmp_code", MF_ICMPV4_CODE, 1, 0, 1, MFP_ICMPV4, 0xff,
      NX0, 14, OXB, 20),
    F("icmpv6_type", MF_ICMPV6_TYPE, 1, 0, 1, MFP_ICMPV6, 0xff,
      NX1, 21, OXB, 29),
    F("icmpv6_code", MF_ICMPV6_CODE, 1, 0, 1, MFP_ICMPV6, 0xff,
      NX1, 22, OXB, 30),
    F("nd_target", MF_ND_TARGET, 16, 1, 1, MFP_ND, 0, NX1, 23, OXB, 31),
    F("nd_sll", MF_ND_SLL, 6, 1, 1, MFP_ND_SOLICIT, 0xffffffffffff,
      NX1, 24, OXB, 32),
    F("nd_tll", MF_ND_TLL, 6, 1, 1, MFP_ND_ADVERT, 0xffffffffffff,
      NX1, 25, OXB, 33),
};

#define ST(ID, ...) [ID] = { __VA_ARGS__ }
#define STREG(N) ST(MF_REG0 + N, ME(regs[N]), 0)

static const struct mf_store stores[MF_N_IDS] = {
    ST(MF_IN_PORT, ME(in_port), 0),
    ST(MF_IN_PORT_NXM, SPECIAL, 0, 0, 0),
    ST(MF_METADATA, ME(metadata), 0),
    STREG(0), STREG(1), STREG(2), STREG(3), STREG(4), STREG(5), STREG(6),
    STREG(7), STREG(8), STREG(9), STREG(10), STREG(11), STREG(12),
    STREG(13), STREG(14), STREG(15),
    ST(MF_TUN_ID, FL(tun_id), 0),
    ST(MF_TUN_SRC, FL(tun_src), 0),
    ST(MF_TUN_DST, FL(tun_dst), 0),
    ST(MF_ETH_DST, FL(dl_dst), 0),
    ST(MF_ETH_SRC, FL(dl_src), 0),
    ST(MF_ETH_TYPE, FL(dl_type), 0),
    ST(MF_VLAN_TCI, SPECIAL, 0, 0, 0),
    ST(MF_VLAN_VID, SPECIAL, 0, 0, 0),
    ST(MF_VLAN_PCP, FL(vlans[0].tci), 13),
    ST(MF_MPLS_LABEL, FL(mpls_lse), 12),
    ST(MF_MPLS_TC, FL(mpls_lse), 9),
    ST(MF_MPLS_BOS, FL(mpls_lse), 8),
    ST(MF_MPLS_TTL, FL(mpls_lse), 0),
    ST(MF_IPV4_SRC, FL(nw_src), 0),
    ST(MF_IPV4_DST, FL(nw_dst), 0),
    ST(MF_IPV6_SRC, FL(ipv6_src), 0),
    ST(MF_IPV6_DST, FL(ipv6_dst), 0),
    ST(MF_IPV6_LABEL, FL(ipv6_label), 0),
    ST(MF_IP_PROTO, FL(nw_proto), 0),
    ST(MF_IP_DSCP, FL(nw_tos), 2),
    ST(MF_NW_TOS, FL(nw_tos), 0),
    ST(MF_IP_ECN, FL(nw_tos), 0),
    ST(MF_IP_TTL, FL(nw_ttl), 0),
    ST(MF_IP_FRAG, FL(nw_frag), 0),
    ST(MF_ARP_OP, FL(nw_proto), 0),
    ST(MF_ARP_SPA, FL(nw_src), 0),
    ST(MF_ARP_TPA, FL(nw_dst), 0),
    ST(MF_ARP_SHA, FL(arp_sha), 0),
    ST(MF_ARP_THA, FL(arp_tha), 0),
    ST(MF_TCP_SRC, FL(tp_src), 0),
    ST(MF_TCP_DST, FL(tp_dst), 0),
    ST(MF_TCP_FLAGS, FL(tcp_flags), 0),
    ST(MF_UDP_SRC, FL(tp_src), 0),
    ST(MF_UDP_DST, FL(tp_dst), 0),
    ST(MF_SCTP_SRC, FL(tp_src), 0),
    ST(MF_SCTP_DST, FL(tp_dst), 0),
    ST(MF_ICMPV4_TYPE, FL(tp_src), 0),
    ST(MF_ICMPV4_CODE, FL(tp_dst), 0),
    ST(MF_ICMPV6_TYPE, FL(tp_src), 0),
    ST(MF_ICMPV6_CODE, FL(tp_dst), 0),
    ST(MF_ND_TARGET, FL(nd_target), 0),
    ST(MF_ND_SLL, FL(arp_sha), 0),
    ST(MF_ND_TLL, FL(arp_tha), 0),
};

uint32_t
ofp_port_from_16(uint16_t port)
{
    return port >= 0xff00 ? 0xffff0000u | port : port;
}

int32_t
ofp_port_to_16(uint32_t port)
{
    if (port < 0xff00) {
        return (int32_t) port;
    }
    if (port >= 0xffffff00u) {
        return (int32_t) (port & 0xffff);
    }
    return -1;
}

const struct mf_field *
mf_from_id(enum mf_id id)
{
    return (unsigned) id < MF_N_IDS ? &fields[id] : NULL;
}

/* Fields by class and field number, for the three classes that need no
 * experimenter id (NXM_0, NXM_1, OpenFlow basic), filled once before
 * main() runs. */
static const struct mf_field *by_class[3][128];

static int
class_index(uint16_t cls)
{
    switch (cls) {
    case OFPXMC_NXM_0: return 0;
    case OFPXMC_NXM_1: return 1;
    case OFPXMC_OPENFLOW_BASIC: return 2;
    default: return -1;
    }
}

__attribute__((constructor)) static void
mf_index_init(void)
{
    for (int i = 0; i < MF_N_IDS; i++) {
        const struct mf_field *f = &fields[i];
        int n = f->nxm_class >= 0 ? class_index((uint16_t) f->nxm_class) : -1;
        if (n >= 0) {
            by_class[n][f->nxm_field] = f;
        }
        n = f->oxm_class >= 0 ? class_index((uint16_t) f->oxm_class) : -1;
        if (n >= 0) {
            by_class[n][f->oxm_field] = f;
        }
    }
}

const struct mf_field *
mf_from_class(uint16_t cls, uint8_t field, uint32_t experimenter)
{
    int n = class_index(cls);
    if (n >= 0) {
        return field < 128 ? by_class[n][field] : NULL;
    }
    for (int i = 0; i < MF_N_IDS; i++) {
        const struct mf_field *f = &fields[i];
        if (cls == OFPXMC_EXPERIMENTER && f->oxm_class == cls
            && f->oxm_field == field
            && f->oxm_experimenter == experimenter) {
            return f;
        }
    }
    return NULL;
}

const struct mf_field *
mf_from_name(const char *name)
{
    for (int i = 0; i < MF_N_IDS; i++) {
        if (!strcmp(fields[i].name, name)) {
            return &fields[i];
        }
    }
    return NULL;
}

static uint8_t *
store_ptr(struct ofp_match *m, const struct mf_store *s, bool mask)
{
    if (s->where == IN_META) {
        return (uint8_t *) (mask ? &m->meta_wc : &m->meta) + s->ofs;
    }
    return (uint8_t *) (mask ? &m->wc : &m->flow) + s->ofs;
}

static uint64_t
store_get(const struct mf_store *s, const uint8_t *p)
{
    if (s->where == IN_META) {
        if (s->size == 8) {
            uint64_t v;
            memcpy(&v, p, 8);
            return v;
        }
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    return ofp_get_be(p, s->size);
}

static void
store_put(const struct mf_store *s, uint8_t *p, uint64_t v)
{
    if (s->where == IN_META) {
        if (s->size == 8) {
            memcpy(p, &v, 8);
        } else {
            uint32_t w = (uint32_t) v;
            memcpy(p, &w, 4);
        }
        return;
    }
    ofp_set_be(p, s->size, v);
}

#define TPID_PRESENT 0x8000
#define TCI_VID      0x0fff
#define TCI_PCP      0xe000
#define TCI_CFI      0x1000     /* NXM vlan_tci: a tag is present. */
#define OFPVID_PRESENT 0x1000

static uint16_t
get16(const void *p)
{
    return ofp_get_u16(p);
}

static void
vlan_get(const struct ofp_match *m, bool mask, uint16_t *tpid,
         uint16_t *tci)
{
    const struct flow *f = mask ? &m->wc : &m->flow;
    *tpid = get16(&f->vlans[0].tpid);
    *tci = get16(&f->vlans[0].tci);
}

static void
vlan_put(struct ofp_match *m, bool mask, uint16_t tpid_bit,
         uint16_t tci_bits, uint16_t tci_field)
{
    struct flow *f = mask ? &m->wc : &m->flow;
    uint16_t tpid = get16(&f->vlans[0].tpid);
    uint16_t tci = get16(&f->vlans[0].tci);
    tpid = (uint16_t) ((tpid & ~TPID_PRESENT) | tpid_bit);
    tci = (uint16_t) ((tci & ~tci_field) | tci_bits);
    ofp_set_u16((uint8_t *) &f->vlans[0].tpid, tpid);
    ofp_set_u16((uint8_t *) &f->vlans[0].tci, tci);
}

/* Wire value <-> vlan storage for the two VLAN fields that are not plain
 * bit ranges. */
static void
special_set(struct ofp_match *m, const struct mf_field *mf, uint64_t v,
            bool mask)
{
    switch (mf->id) {
    case MF_VLAN_VID:
        vlan_put(m, mask, v & OFPVID_PRESENT ? TPID_PRESENT : 0,
                 (uint16_t) (v & TCI_VID), TCI_VID);
        break;
    case MF_VLAN_TCI:
        vlan_put(m, mask, v & TCI_CFI ? TPID_PRESENT : 0,
                 (uint16_t) (v & (TCI_VID | TCI_PCP)), TCI_VID | TCI_PCP);
        break;
    case MF_IN_PORT_NXM:
        if (mask) {
            m->meta_wc.in_port = v ? UINT32_MAX : 0;
        } else {
            m->meta.in_port = ofp_port_from_16((uint16_t) v);
        }
        break;
    default:
        break;
    }
}

/* Whether 'm' matches frames without a VLAN tag. */
static bool
vlan_none(const struct ofp_match *m)
{
    return get16(&m->wc.vlans[0].tpid) & TPID_PRESENT
           && !(get16(&m->flow.vlans[0].tpid) & TPID_PRESENT);
}

/* Canonical form: a match on "no tag" matches no TCI bits (an untagged
 * frame's TCI is zero); the wire forms read it back as vlan_vid=0 and
 * vlan_tci=0, exactly. */
static void
vlan_normalize(struct ofp_match *m)
{
    if (vlan_none(m)) {
        m->wc.vlans[0].tci = 0;
        m->flow.vlans[0].tci = 0;
    }
}

static uint64_t
special_get(const struct ofp_match *m, const struct mf_field *mf, bool mask)
{
    uint16_t tpid, tci;
    switch (mf->id) {
    case MF_VLAN_VID:
        if (vlan_none(m)) {
            return mask ? 0x1fff : 0;
        }
        vlan_get(m, mask, &tpid, &tci);
        return (tpid & TPID_PRESENT ? OFPVID_PRESENT : 0) | (tci & TCI_VID);
    case MF_VLAN_TCI:
        if (vlan_none(m)) {
            return mask ? 0xffff : 0;
        }
        vlan_get(m, mask, &tpid, &tci);
        return (tpid & TPID_PRESENT ? TCI_CFI : 0)
               | (tci & (TCI_VID | TCI_PCP));
    case MF_IN_PORT_NXM: {
        const struct ofp_match_meta *mm = mask ? &m->meta_wc : &m->meta;
        if (mask) {
            return mm->in_port ? 0xffff : 0;
        }
        int32_t p = ofp_port_to_16(mm->in_port);
        return p < 0 ? 0 : (uint64_t) p;
    }
    default:
        return 0;
    }
}

bool
mf_value_ok(const struct mf_field *mf, const uint8_t *value)
{
    if (mf->n_bytes > 8) {
        return true;
    }
    return !(ofp_get_be(value, mf->n_bytes) & ~mf->valid);
}

enum ofp_err
mf_set(struct ofp_match *m, const struct mf_field *mf, const uint8_t *value,
       const uint8_t *mask)
{
    const struct mf_store *s = &stores[mf->id];
    if (mf->n_bytes > 8) {
        uint8_t *v = store_ptr(m, s, false), *w = store_ptr(m, s, true);
        for (int i = 0; i < mf->n_bytes; i++) {
            if (mask && value[i] & ~mask[i]) {
                return OFPERR_OFPBMC_BAD_WILDCARDS;
            }
        }
        memcpy(v, value, mf->n_bytes);
        if (mask) {
            memcpy(w, mask, mf->n_bytes);
        } else {
            memset(w, 0xff, mf->n_bytes);
        }
        return OFPERR_NONE;
    }

    uint64_t v = ofp_get_be(value, mf->n_bytes);
    uint64_t w = mask ? ofp_get_be(mask, mf->n_bytes) : mf->valid;
    if (v & ~mf->valid
        || (mf->id == MF_IN_PORT && ofp_port_to_16((uint32_t) v) < 0)) {
        /* Ports are 16-bit or reserved, as in Open vSwitch. */
        return OFPERR_OFPBMC_BAD_VALUE;
    }
    if (w & ~mf->valid) {
        return OFPERR_OFPBMC_BAD_MASK;
    }
    if (v & ~w) {
        return OFPERR_OFPBMC_BAD_WILDCARDS;
    }
    if (s->where == SPECIAL) {
        special_set(m, mf, v, false);
        special_set(m, mf, w, true);
    } else {
        uint8_t *pv = store_ptr(m, s, false), *pw = store_ptr(m, s, true);
        uint64_t bits = mf->valid << s->shift;
        store_put(s, pv, (store_get(s, pv) & ~bits) | v << s->shift);
        store_put(s, pw, (store_get(s, pw) & ~bits) | w << s->shift);
    }
    vlan_normalize(m);
    return OFPERR_NONE;
}

enum ofp_err
mf_set_int(struct ofp_match *m, enum mf_id id, uint64_t value)
{
    const struct mf_field *mf = &fields[id];
    uint8_t v[8];
    ofp_set_be(v, mf->n_bytes, value);
    return mf_set(m, mf, v, NULL);
}

bool
mf_read(const struct ofp_match *m, const struct mf_field *mf,
        uint8_t *value, uint8_t *mask)
{
    const struct mf_store *s = &stores[mf->id];
    struct ofp_match *mm = (struct ofp_match *) m;     /* Read only. */
    if (mf->n_bytes > 8) {
        memcpy(value, store_ptr(mm, s, false), mf->n_bytes);
        memcpy(mask, store_ptr(mm, s, true), mf->n_bytes);
        return !ofp_is_zeros(mask, mf->n_bytes);
    }
    uint64_t v, w;
    if (s->where == SPECIAL) {
        v = special_get(m, mf, false);
        w = special_get(m, mf, true);
    } else {
        v = store_get(s, store_ptr(mm, s, false)) >> s->shift & mf->valid;
        w = store_get(s, store_ptr(mm, s, true)) >> s->shift & mf->valid;
    }
    ofp_set_be(value, mf->n_bytes, v);
    ofp_set_be(mask, mf->n_bytes, w);
    return w != 0;
}

/* Whether the Ethertype is matched exactly and is 'type'. */
static bool
eth_is(const struct ofp_match *m, uint16_t type)
{
    return get16(&m->wc.dl_type) == 0xffff && get16(&m->flow.dl_type) == type;
}

static bool
proto_is(const struct ofp_match *m, uint8_t proto)
{
    return m->wc.nw_proto == 0xff && m->flow.nw_proto == proto;
}

static bool
ip_any(const struct ofp_match *m)
{
    return eth_is(m, 0x0800) || eth_is(m, 0x86dd);
}

static bool
icmp6_type_is(const struct ofp_match *m, uint8_t type)
{
    return (get16(&m->wc.tp_src) & 0xff) == 0xff
           && (get16(&m->flow.tp_src) & 0xff) == type;
}

bool
mf_prereqs_ok(const struct ofp_match *m, const struct mf_field *mf)
{
    uint16_t tpid, tpid_w, tci;
    switch (mf->prereq) {
    case MFP_NONE:
        return true;
    case MFP_VLAN:
        vlan_get(m, false, &tpid, &tci);
        vlan_get(m, true, &tpid_w, &tci);
        return tpid & tpid_w & TPID_PRESENT;
    case MFP_MPLS:
        return eth_is(m, 0x8847) || eth_is(m, 0x8848);
    case MFP_IPV4:
        return eth_is(m, 0x0800);
    case MFP_IPV6:
        return eth_is(m, 0x86dd);
    case MFP_IP:
        return ip_any(m);
    case MFP_ARP:
        return eth_is(m, 0x0806) || eth_is(m, 0x8035);
    case MFP_TCP:
        return ip_any(m) && proto_is(m, 6);
    case MFP_UDP:
        return ip_any(m) && proto_is(m, 17);
    case MFP_SCTP:
        return ip_any(m) && proto_is(m, 132);
    case MFP_ICMPV4:
        return eth_is(m, 0x0800) && proto_is(m, 1);
    case MFP_ICMPV6:
        return eth_is(m, 0x86dd) && proto_is(m, 58);
    case MFP_ND:
        return eth_is(m, 0x86dd) && proto_is(m, 58)
               && (icmp6_type_is(m, 135) || icmp6_type_is(m, 136));
    case MFP_ND_SOLICIT:
        return eth_is(m, 0x86dd) && proto_is(m, 58) && icmp6_type_is(m, 135);
    case MFP_ND_ADVERT:
        return eth_is(m, 0x86dd) && proto_is(m, 58) && icmp6_type_is(m, 136);
    }
    return false;
}

bool
mf_bits_ok(const struct ofp_match *m, const struct mf_field *mf)
{
    uint8_t v[16], w[16];
    if (mf->prereq == MFP_NONE || mf->id == MF_VLAN_PCP
        || !mf_read(m, mf, v, w)) {
        return true;
    }
    const struct mf_store *s = &stores[mf->id];
    for (int i = 0; i < MF_N_IDS; i++) {
        const struct mf_store *t = &stores[i];
        if (t->where == s->where && t->ofs == s->ofs && t->shift == s->shift
            && mf_prereqs_ok(m, &fields[i])) {
            return true;
        }
    }
    return false;
}

enum ofp_err
ofp_tlv_pull(const uint8_t *p, size_t len, struct ofp_tlv *t)
{
    if (len < 4) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    uint16_t cls = ofp_get_u16(p);
    uint8_t field = p[2] >> 1;
    bool hasmask = p[2] & 1;
    size_t plen = p[3], hlen = 4;
    uint32_t exp = 0;
    if (4 + plen > len) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    if (cls == OFPXMC_EXPERIMENTER) {
        if (plen < 4) {
            return OFPERR_OFPBMC_BAD_LEN;
        }
        exp = ofp_get_u32(p + 4);
        hlen = 8;
        plen -= 4;
    }
    const struct mf_field *mf = mf_from_class(cls, field, exp);
    if (!mf) {
        return OFPERR_OFPBMC_BAD_FIELD;
    }
    if (hasmask && !mf->maskable) {
        return OFPERR_OFPBMC_BAD_MASK;
    }
    if (plen != (size_t) mf->n_bytes * (hasmask ? 2 : 1)) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    t->mf = mf;
    t->hasmask = hasmask;
    t->value = p + hlen;
    t->mask = hasmask ? p + hlen + mf->n_bytes : NULL;
    t->len = hlen + plen;
    return OFPERR_NONE;
}

static void
tlv_class(const struct mf_field *mf, enum ofp_tlv_format fmt, int *cls,
          int *field)
{
    bool oxm = fmt == OFP_TLV_OXM ? mf->oxm_class >= 0 : mf->nxm_class < 0;
    *cls = oxm ? mf->oxm_class : mf->nxm_class;
    *field = oxm ? mf->oxm_field : mf->nxm_field;
}

uint32_t
mf_nxm_header(const struct mf_field *mf, enum ofp_tlv_format fmt)
{
    int cls, field;
    tlv_class(mf, fmt, &cls, &field);
    if (cls == OFPXMC_EXPERIMENTER) {
        return 0;
    }
    return (uint32_t) cls << 16 | (uint32_t) field << 9 | mf->n_bytes;
}

void
mf_put_header(struct ofp_buf *b, enum ofp_tlv_format fmt,
              const struct mf_field *mf, bool masked)
{
    int cls, field;
    tlv_class(mf, fmt, &cls, &field);
    size_t n = (size_t) mf->n_bytes * (masked ? 2 : 1);
    bool exp = cls == OFPXMC_EXPERIMENTER;
    ofp_buf_put_u16(b, (uint16_t) cls);
    ofp_buf_put_u8(b, (uint8_t) (field << 1 | masked));
    ofp_buf_put_u8(b, (uint8_t) (n + (exp ? 4 : 0)));
    if (exp) {
        ofp_buf_put_u32(b, mf->oxm_experimenter);
    }
}

void
ofp_tlv_put(struct ofp_buf *b, enum ofp_tlv_format fmt,
            const struct mf_field *mf, const uint8_t *value,
            const uint8_t *mask)
{
    mf_put_header(b, fmt, mf, mask != NULL);
    ofp_buf_put(b, value, mf->n_bytes);
    if (mask) {
        ofp_buf_put(b, mask, mf->n_bytes);
    }
}
