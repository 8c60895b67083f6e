/* ofp_field: the match fields of OpenFlow (OXM) and of Open vSwitch's
 * Nicira extension (NXM), and 'struct ofp_match', the one form every
 * decoded match takes.
 *
 * A match is Sluice's flow key and mask (pmd/flow.h) plus, in 'meta', what
 * 'struct flow' cannot hold: the OpenFlow in_port (flow.in_port is a
 * datapath port; the bridge maps one to the other), the pipeline metadata
 * and the registers reg0-reg15.  Values are zero wherever the mask is.
 * Field conventions are flow.h's; besides, a VLAN tag's presence is bit
 * 0x8000 of vlans[0].tpid (every real TPID has it), so "any tag" is
 * tpid 0x8000/0x8000 and "no tag" tpid 0/0x8000 (with no TCI bits: an
 * untagged frame's TCI is zero); the DEI bit is never matched.  tun_id is
 * kept in network order like the packet fields.
 *
 * Each field has a wire form: a value (and, where ovs-fields(7) says the
 * field is maskable, a mask) of 'n_bytes', of which 'valid' says which
 * bits may be nonzero.  mf_set()/mf_read() move that wire form into and
 * out of a match; ofp_tlv_pull()/ofp_tlv_put() read and write one OXM or
 * NXM TLV (the same format, other classes).  Fields Sluice's key cannot
 * hold (pkt_mark, conntrack, xreg, Geneve, ...) are unknown here
 * (OFPBMC_BAD_FIELD). */
#ifndef SLUICE_OFP_FIELD_H
#define SLUICE_OFP_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofproto/ofp_err.h"
#include "pmd/flow.h"

struct ofp_buf;

#define OFP_N_REGS 16

struct ofp_match_meta {
    uint32_t in_port;               /* OpenFlow port (OF1.3 numbering). */
    uint32_t regs[OFP_N_REGS];
    uint32_t pad;                   /* Always zero (the classifier hashes
                                     * whole words). */
    uint64_t metadata;
};

struct ofp_match {
    struct flow flow;               /* Values. */
    struct flow wc;                 /* Mask: 1-bits are matched. */
    struct ofp_match_meta meta;
    struct ofp_match_meta meta_wc;
};

/* OpenFlow 1.3 reserved ports; OpenFlow 1.0's are the low 16 bits (and
 * OFPP_MAX 0xff00).  Sluice keeps every port in the 32-bit numbering and,
 * as Open vSwitch, allows real ports 1-0xfeff only, so that OpenFlow 1.0
 * can name every port: matches on other in_ports are OFPBMC_BAD_VALUE,
 * outputs to them OFPBAC_BAD_OUT_PORT. */
#define OFPP_MAX        0xffffff00u
#define OFPP_IN_PORT    0xfffffff8u
#define OFPP_TABLE      0xfffffff9u
#define OFPP_NORMAL     0xfffffffau
#define OFPP_FLOOD      0xfffffffbu
#define OFPP_ALL        0xfffffffcu
#define OFPP_CONTROLLER 0xfffffffdu
#define OFPP_LOCAL      0xfffffffeu
#define OFPP_ANY        0xffffffffu     /* OF1.0: OFPP_NONE. */

/* OpenFlow 1.0 port number to the 32-bit numbering and back (-1: an
 * OpenFlow 1.3 port that OpenFlow 1.0 cannot name). */
uint32_t ofp_port_from_16(uint16_t);
int32_t ofp_port_to_16(uint32_t);

enum mf_id {
    MF_IN_PORT, MF_IN_PORT_NXM, MF_METADATA,
    MF_REG0, MF_REG15 = MF_REG0 + OFP_N_REGS - 1,
    MF_TUN_ID, MF_TUN_SRC, MF_TUN_DST,
    MF_ETH_DST, MF_ETH_SRC, MF_ETH_TYPE,
    MF_VLAN_TCI, MF_VLAN_VID, MF_VLAN_PCP,
    MF_MPLS_LABEL, MF_MPLS_TC, MF_MPLS_BOS, MF_MPLS_TTL,
    MF_IPV4_SRC, MF_IPV4_DST, MF_IPV6_SRC, MF_IPV6_DST, MF_IPV6_LABEL,
    MF_IP_PROTO, MF_IP_DSCP, MF_NW_TOS, MF_IP_ECN, MF_IP_TTL, MF_IP_FRAG,
    MF_ARP_OP, MF_ARP_SPA, MF_ARP_TPA, MF_ARP_SHA, MF_ARP_THA,
    MF_TCP_SRC, MF_TCP_DST, MF_TCP_FLAGS, MF_UDP_SRC, MF_UDP_DST,
    MF_SCTP_SRC, MF_SCTP_DST,
    MF_ICMPV4_TYPE, MF_ICMPV4_CODE, MF_ICMPV6_TYPE, MF_ICMPV6_CODE,
    MF_ND_TARGET, MF_ND_SLL, MF_ND_TLL,
    MF_N_IDS
};

enum mf_prereq {
    MFP_NONE, MFP_VLAN, MFP_MPLS, MFP_IPV4, MFP_IPV6, MFP_IP, MFP_ARP,
    MFP_TCP, MFP_UDP, MFP_SCTP, MFP_ICMPV4, MFP_ICMPV6, MFP_ND,
    MFP_ND_SOLICIT, MFP_ND_ADVERT,
};

struct mf_field {
    const char *name;           /* As ovs-fields(7). */
    enum mf_id id;
    uint8_t n_bytes;            /* Wire width of value (and of mask). */
    bool maskable;
    bool writable;              /* May be set by set_field/load/move. */
    enum mf_prereq prereq;
    uint64_t valid;             /* Bits that may be 1, for n_bytes <= 8. */
    int nxm_class, nxm_field;   /* -1: no NXM form. */
    int oxm_class, oxm_field;   /* -1: no OXM form. */
    uint32_t oxm_experimenter;  /* oxm_class 0xffff. */
};

#define OFPXMC_NXM_0          0x0000
#define OFPXMC_NXM_1          0x0001
#define OFPXMC_OPENFLOW_BASIC 0x8000
#define OFPXMC_EXPERIMENTER   0xffff

const struct mf_field *mf_from_id(enum mf_id);
/* The field with this TLV class and field number (hasmask and length
 * are not looked at), or NULL. */
const struct mf_field *mf_from_class(uint16_t cls, uint8_t field,
                                     uint32_t experimenter);
const struct mf_field *mf_from_name(const char *name);

/* Whether 'match' meets the prerequisites of 'mf' (its Ethertype, IP
 * protocol, ICMPv6 type or VLAN presence matched exactly as needed). */
bool mf_prereqs_ok(const struct ofp_match *, const struct mf_field *);

/* Whether the bits of 'mf' that 'match' matches may be matched: the
 * prerequisites of 'mf' or of a field that shares its bits are met
 * (tcp_src and icmp_type share tp_src; vlan_tci can always carry
 * vlan_pcp). */
bool mf_bits_ok(const struct ofp_match *, const struct mf_field *);

/* Matches 'mf' against the wire-form 'value' under 'mask' (NULL: exact),
 * replacing what the match had for it.  Errors: OFPBMC_BAD_VALUE (bits
 * beyond the field's), OFPBMC_BAD_MASK, OFPBMC_BAD_WILDCARDS (a value bit
 * the mask leaves out).  Prerequisites are not checked here. */
enum ofp_err mf_set(struct ofp_match *, const struct mf_field *,
                    const uint8_t *value, const uint8_t *mask);
/* mf_set() exactly, from the host-order integer 'value' (fields of up to
 * 8 bytes). */
enum ofp_err mf_set_int(struct ofp_match *, enum mf_id, uint64_t value);
/* Reads the wire form of 'mf' from 'match' into 'value' and 'mask' (each
 * 'mf->n_bytes'); returns true if any mask bit is set. */
bool mf_read(const struct ofp_match *, const struct mf_field *,
             uint8_t *value, uint8_t *mask);
/* Whether 'value' ('mf->n_bytes') has only the field's valid bits. */
bool mf_value_ok(const struct mf_field *, const uint8_t *value);

/* One OXM/NXM TLV. */
struct ofp_tlv {
    const struct mf_field *mf;
    bool hasmask;
    const uint8_t *value;
    const uint8_t *mask;        /* NULL unless 'hasmask'. */
    size_t len;                 /* Whole TLV, header included. */
};

/* Reads the TLV at 'p' ('len' bytes available).  Errors: OFPBMC_BAD_LEN
 * (truncated, or a length that does not fit the field), OFPBMC_BAD_FIELD
 * (unknown class or field), OFPBMC_BAD_MASK (a mask on a field that takes
 * none). */
enum ofp_err ofp_tlv_pull(const uint8_t *p, size_t len, struct ofp_tlv *);

enum ofp_tlv_format { OFP_TLV_NXM, OFP_TLV_OXM };

/* Appends a TLV for 'mf' in the preferred class of 'fmt' (NXM: its NXM
 * form if it has one; OXM: its OXM form if it has one), with 'mask'
 * unless it is NULL. */
void ofp_tlv_put(struct ofp_buf *, enum ofp_tlv_format,
                 const struct mf_field *, const uint8_t *value,
                 const uint8_t *mask);

/* Appends just the TLV header (4 bytes, or 8 with an experimenter id)
 * that ofp_tlv_put() would write, as table features list fields. */
void mf_put_header(struct ofp_buf *, enum ofp_tlv_format,
                   const struct mf_field *, bool masked);

/* The 32-bit NXM/OXM header of 'mf' as ofp_tlv_put() writes it for
 * 'fmt' without a mask (for NXAST_REG_LOAD/MOVE, which name fields by
 * their NXM header); 0 for an experimenter field. */
uint32_t mf_nxm_header(const struct mf_field *, enum ofp_tlv_format);

#endif
