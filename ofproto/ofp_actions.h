/* ofp_actions: OpenFlow 1.0 and 1.3 actions and the Nicira actions
 * ovs-ofctl users rely on, decoded into one internal action list.
 *
 * 'struct ofp_actions' is an ordered array of 'struct ofp_action' (a type
 * and its arguments, host order, ports in the 32-bit numbering of
 * ofproto/ofp_field.h) that owns its note bytes.  Decoding checks every
 * action on its own: length (OFPBAC_BAD_LEN), type (OFPBAC_BAD_TYPE),
 * vendor and subtype (OFPBAC_BAD_VENDOR, OFPBAC_BAD_VENDOR_TYPE), ports
 * (OFPBAC_BAD_OUT_PORT), groups (OFPBAC_BAD_OUT_GROUP), arguments
 * (OFPBAC_BAD_ARGUMENT), and set_field/load/move fields, widths and values
 * (OFPBAC_BAD_SET_TYPE/LEN/ARGUMENT/MASK).  What depends on the match
 * (a set_field whose prerequisites the rule does not match) is
 * ofp_actions_check()'s.
 *
 * Encoding writes each action in the form the version has, else in the
 * Nicira form OVS uses (dec_ttl, push/pop_mpls, set_queue, mod_nw_ttl as a
 * load in OF1.0; load, move, resubmit, note everywhere), a set_field in
 * the form it came in where OVS does so ('raw'), leaves out what OVS
 * leaves out (push_vlan in OF1.0), and fails with -ENOTSUP for what the
 * version cannot carry.  For each version V, what decoding V gives,
 * encoded in V and decoded again, is the same list. */
#ifndef SLUICE_OFP_ACTIONS_H
#define SLUICE_OFP_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofproto/ofp_err.h"
#include "ofproto/ofp_field.h"

struct ofp_buf;

enum ofp_act_type {
    OFPACT_OUTPUT,          /* output: port, max_len (CONTROLLER). */
    OFPACT_ENQUEUE,         /* OF1.0 enqueue: port, queue. */
    OFPACT_SET_FIELD,       /* set_field: field, value (exact). */
    OFPACT_SET_VLAN_VID,    /* OF1.0 mod_vlan_vid: u16 (pushes a tag if
                             * there is none). */
    OFPACT_SET_VLAN_PCP,    /* OF1.0 mod_vlan_pcp: u8. */
    OFPACT_SET_L4_SRC,      /* OF1.0 mod_tp_src: u16, whatever L4. */
    OFPACT_SET_L4_DST,
    OFPACT_PUSH_VLAN,       /* u16: Ethertype. */
    OFPACT_POP_VLAN,        /* Also OF1.0 strip_vlan. */
    OFPACT_PUSH_MPLS,       /* u16: Ethertype. */
    OFPACT_POP_MPLS,        /* u16: Ethertype of what is below. */
    OFPACT_DEC_TTL,
    OFPACT_SET_NW_TTL,      /* u8. */
    OFPACT_DEC_MPLS_TTL,
    OFPACT_SET_MPLS_TTL,    /* u8. */
    OFPACT_COPY_TTL_OUT,
    OFPACT_COPY_TTL_IN,
    OFPACT_SET_QUEUE,       /* u32. */
    OFPACT_POP_QUEUE,
    OFPACT_GROUP,           /* u32. */
    OFPACT_RESUBMIT,        /* resubmit: in_port, table (255: this one). */
    OFPACT_REG_LOAD,        /* load: field, ofs, n_bits, value. */
    OFPACT_REG_MOVE,        /* move: src, dst, offsets, n_bits. */
    OFPACT_NOTE,            /* note: bytes. */
};

/* The wire form a set_field came in, where Open vSwitch sends it back in
 * that form rather than in the version's own (its 'raw'): a whole-field
 * NXAST_REG_LOAD stays a load in OpenFlow 1.3 too, and set_tunnel keeps
 * its 32-bit form in OpenFlow 1.0 while the value fits. */
enum ofp_act_raw {
    OFPACT_RAW_NATIVE,          /* The version's own form. */
    OFPACT_RAW_NX_LOAD,         /* NXAST_REG_LOAD. */
    OFPACT_RAW_NX_SET_TUNNEL,   /* NXAST_SET_TUNNEL. */
    OFPACT_RAW_NX_SET_TUNNEL64, /* NXAST_SET_TUNNEL64. */
};

struct ofp_action {
    enum ofp_act_type type;
    uint8_t raw;                /* enum ofp_act_raw (set_field only). */
    union {
        struct {
            uint32_t port;
            uint16_t max_len;
        } output;
        struct {
            uint32_t port;
            uint32_t queue;
        } enqueue;
        struct {
            enum mf_id field;
            uint8_t value[16];      /* Wire form, n_bytes of the field. */
        } set_field;
        struct {
            uint32_t in_port;       /* OFPP_IN_PORT: the packet's. */
            uint8_t table;
        } resubmit;
        struct {
            enum mf_id field;
            uint16_t ofs, n_bits;
            uint64_t value;
        } load;
        struct {
            enum mf_id src, dst;
            uint16_t src_ofs, dst_ofs, n_bits;
        } move;
        struct {
            uint8_t *data;
            size_t len;
        } note;
        uint8_t u8;
        uint16_t u16;
        uint32_t u32;
    };
};

struct ofp_actions {
    struct ofp_action *acts;
    size_t n;
    size_t cap;
};

#define OFP_ACTIONS_INIT { NULL, 0, 0 }
#define OFP_MAX_ACTIONS 1024

void ofp_actions_free(struct ofp_actions *);
/* Appends a zeroed action of 'type'; returns it. */
struct ofp_action *ofp_actions_put(struct ofp_actions *,
                                   enum ofp_act_type type);
bool ofp_actions_equal(const struct ofp_actions *,
                       const struct ofp_actions *);

/* Decode flags. */
#define OFP_ACTS_PACKET_OUT 1   /* Output to OFPP_TABLE is allowed. */

/* Appends the actions 'p' ('len' bytes) of 'version' to 'out'.  On error
 * 'out' may hold part of them (free it). */
enum ofp_err ofp_actions_decode(uint8_t version, const uint8_t *p,
                                size_t len, unsigned int flags,
                                struct ofp_actions *out);
/* write_metadata in OpenFlow 1.0 and NXM flow_mods (and their flow
 * statistics): the Nicira action NXAST_WRITE_METADATA after the others,
 * as Open vSwitch sends it. */
struct ofp_nx_metadata {
    bool present;
    uint64_t value, mask;
};

/* ofp_actions_decode() for the actions of an OpenFlow 1.0 or NXM flow_mod,
 * which may end with NXAST_WRITE_METADATA: '*md' says whether they do, and
 * what it writes.  It must be the last (else OFPBAC_UNSUPPORTED_ORDER, as
 * OVS checks instructions' order), its padding zeros (NXBRC_MUST_BE_ZERO).
 * Elsewhere (packet-out, OF1.3 action lists) it is OFPBIC_UNSUP_INST. */
enum ofp_err ofp10_flow_actions_decode(const uint8_t *p, size_t len,
                                       struct ofp_actions *out,
                                       struct ofp_nx_metadata *md);
/* Appends NXAST_WRITE_METADATA. */
void ofp_nx_write_metadata_put(struct ofp_buf *, uint64_t value,
                               uint64_t mask);

/* Appends the actions in 'version''s wire form: 0 or -ENOTSUP. */
int ofp_actions_encode(struct ofp_buf *, uint8_t version,
                       const struct ofp_actions *);
/* The same for the actions of a rule with 'match' (may be NULL: nothing
 * known), which OF1.0's actions need to become OF1.3's: mod_vlan_vid/pcp
 * become push_vlan + set_field unless the match (or an action before)
 * says the frame is tagged (as OVS writes them), mod_tp_src/dst the
 * set_field of the matched L4 protocol (-ENOTSUP without one). */
int ofp_actions_encode_for(struct ofp_buf *, uint8_t version,
                           const struct ofp_actions *,
                           const struct ofp_match *match);

/* Checks the actions of 'version' against the rule's 'match' (as updated
 * by the pushes and pops before each action), as Open vSwitch does:
 * OFPBAC_MATCH_INCONSISTENT for a field loaded or moved whose
 * prerequisites are not met, and in OpenFlow 1.3 also for set_field,
 * pop_vlan without a tag, MPLS actions on what is not MPLS, and TTL
 * actions on what is not IP.  (OpenFlow 1.0's own set_* and strip_vlan
 * apply where they can.) */
enum ofp_err ofp_actions_check(const struct ofp_actions *,
                               const struct ofp_match *match,
                               uint8_t version);

/* "output", "set_field", ... */
const char *ofp_act_type_name(enum ofp_act_type);

#endif
