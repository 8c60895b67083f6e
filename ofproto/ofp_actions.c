/* ofp_actions: OpenFlow 1.0/1.3 and Nicira actions. */
#include "ofproto/ofp_actions.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_match.h"
#include "ofproto/ofp_msg.h"

/* OpenFlow 1.0 action types. */
enum {
    OFPAT10_OUTPUT, OFPAT10_SET_VLAN_VID, OFPAT10_SET_VLAN_PCP,
    OFPAT10_STRIP_VLAN, OFPAT10_SET_DL_SRC, OFPAT10_SET_DL_DST,
    OFPAT10_SET_NW_SRC, OFPAT10_SET_NW_DST, OFPAT10_SET_NW_TOS,
    OFPAT10_SET_TP_SRC, OFPAT10_SET_TP_DST, OFPAT10_ENQUEUE,
};

/* OpenFlow 1.3 action types. */
enum {
    OFPAT13_OUTPUT = 0, OFPAT13_COPY_TTL_OUT = 11, OFPAT13_COPY_TTL_IN = 12,
    OFPAT13_SET_MPLS_TTL = 15, OFPAT13_DEC_MPLS_TTL = 16,
    OFPAT13_PUSH_VLAN = 17, OFPAT13_POP_VLAN = 18, OFPAT13_PUSH_MPLS = 19,
    OFPAT13_POP_MPLS = 20, OFPAT13_SET_QUEUE = 21, OFPAT13_GROUP = 22,
    OFPAT13_SET_NW_TTL = 23, OFPAT13_DEC_NW_TTL = 24,
    OFPAT13_SET_FIELD = 25,
};

#define OFPAT_VENDOR 0xffff

/* Nicira action subtypes. */
enum {
    NXAST_RESUBMIT = 1, NXAST_SET_TUNNEL = 2, NXAST_SET_QUEUE = 4,
    NXAST_POP_QUEUE = 5, NXAST_REG_MOVE = 6, NXAST_REG_LOAD = 7,
    NXAST_NOTE = 8, NXAST_SET_TUNNEL64 = 9, NXAST_RESUBMIT_TABLE = 14,
    NXAST_DEC_TTL = 18, NXAST_PUSH_MPLS = 23, NXAST_POP_MPLS = 24,
    NXAST_WRITE_METADATA = 22, NXAST_SET_MPLS_TTL = 25,
    NXAST_DEC_MPLS_TTL = 26, NXAST_GROUP = 40,
};

#define OFPG_MAX 0xffffff00u

static const char *const type_names[] = {
    [OFPACT_OUTPUT] = "output", [OFPACT_ENQUEUE] = "enqueue",
    [OFPACT_SET_FIELD] = "set_field", [OFPACT_SET_VLAN_VID] = "mod_vlan_vid",
    [OFPACT_SET_VLAN_PCP] = "mod_vlan_pcp", [OFPACT_SET_L4_SRC] = "mod_tp_src",
    [OFPACT_SET_L4_DST] = "mod_tp_dst", [OFPACT_PUSH_VLAN] = "push_vlan",
    [OFPACT_POP_VLAN] = "pop_vlan", [OFPACT_PUSH_MPLS] = "push_mpls",
    [OFPACT_POP_MPLS] = "pop_mpls", [OFPACT_DEC_TTL] = "dec_ttl",
    [OFPACT_SET_NW_TTL] = "mod_nw_ttl", [OFPACT_DEC_MPLS_TTL] = "dec_mpls_ttl",
    [OFPACT_SET_MPLS_TTL] = "set_mpls_ttl",
    [OFPACT_COPY_TTL_OUT] = "copy_ttl_out",
    [OFPACT_COPY_TTL_IN] = "copy_ttl_in", [OFPACT_SET_QUEUE] = "set_queue",
    [OFPACT_POP_QUEUE] = "pop_queue", [OFPACT_GROUP] = "group",
    [OFPACT_RESUBMIT] = "resubmit", [OFPACT_REG_LOAD] = "load",
    [OFPACT_REG_MOVE] = "move", [OFPACT_NOTE] = "note",
};

const char *
ofp_act_type_name(enum ofp_act_type type)
{
    return (unsigned) type < sizeof type_names / sizeof type_names[0]
           ? type_names[type] : "unknown";
}

void
ofp_actions_free(struct ofp_actions *a)
{
    for (size_t i = 0; i < a->n; i++) {
        if (a->acts[i].type == OFPACT_NOTE) {
            free(a->acts[i].note.data);
        }
    }
    free(a->acts);
    a->acts = NULL;
    a->n = a->cap = 0;
}

struct ofp_action *
ofp_actions_put(struct ofp_actions *a, enum ofp_act_type type)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 8;
        struct ofp_action *p = realloc(a->acts, cap * sizeof *p);
        if (!p) {
            abort();
        }
        a->acts = p;
        a->cap = cap;
    }
    struct ofp_action *act = &a->acts[a->n++];
    memset(act, 0, sizeof *act);
    act->type = type;
    return act;
}

bool
ofp_actions_equal(const struct ofp_actions *a, const struct ofp_actions *b)
{
    if (a->n != b->n) {
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        const struct ofp_action *x = &a->acts[i], *y = &b->acts[i];
        if (x->type != y->type) {
            return false;
        }
        if (x->type == OFPACT_NOTE) {
            if (x->note.len != y->note.len
                || memcmp(x->note.data, y->note.data, x->note.len)) {
                return false;
            }
        } else if (memcmp(x, y, sizeof *x)) {
            return false;
        }
    }
    return true;
}

/* Output ports: a real port or a reserved one an action may name.  Real
 * ports are 0-0xfeff, as in Open vSwitch (and so OpenFlow 1.0 can name
 * every port; output to port 0, which no port has, drops, as in OVS). */
static enum ofp_err
check_out_port(uint32_t port, unsigned int flags)
{
    if (port < 0xff00) {
        return OFPERR_NONE;
    }
    switch (port) {
    case OFPP_IN_PORT:
    case OFPP_NORMAL:
    case OFPP_FLOOD:
    case OFPP_ALL:
    case OFPP_CONTROLLER:
    case OFPP_LOCAL:
        return OFPERR_NONE;
    case OFPP_TABLE:
        return flags & OFP_ACTS_PACKET_OUT ? OFPERR_NONE
                                           : OFPERR_OFPBAC_BAD_OUT_PORT;
    default:
        return OFPERR_OFPBAC_BAD_OUT_PORT;
    }
}

/* A field named by its NXM header in a Nicira action. */
static const struct mf_field *
nxm_field(uint32_t header)
{
    uint16_t cls = (uint16_t) (header >> 16);
    if (cls == OFPXMC_EXPERIMENTER || header & 0x100) {
        return NULL;
    }
    const struct mf_field *mf = mf_from_class(cls, (header >> 9) & 0x7f, 0);
    return mf && mf->n_bytes == (header & 0xff) ? mf : NULL;
}

/* Places 'n_bits' of 'value' at bit 'ofs' of the wire form of 'mf'. */
static void
put_bits(const struct mf_field *mf, uint8_t *wire, unsigned int ofs,
         unsigned int n_bits, uint64_t value)
{
    for (unsigned int i = 0; i < n_bits; i++) {
        unsigned int bit = ofs + i;
        uint8_t *byte = &wire[mf->n_bytes - 1 - bit / 8];
        if (value >> i & 1) {
            *byte |= (uint8_t) (1u << bit % 8);
        }
    }
}

static enum ofp_err
decode_load(const uint8_t *p, struct ofp_actions *out)
{
    uint16_t ofs_nbits = ofp_get_u16(p + 10);
    const struct mf_field *mf = nxm_field(ofp_get_u32(p + 12));
    uint64_t value = ofp_get_u64(p + 16);
    unsigned int ofs = ofs_nbits >> 6, n_bits = (ofs_nbits & 63) + 1;
    if (!mf) {
        return OFPERR_OFPBAC_BAD_SET_TYPE;
    }
    if (ofs + n_bits > mf->n_bytes * 8u) {
        return OFPERR_OFPBAC_BAD_SET_LEN;
    }
    if (n_bits < 64 && value >> n_bits) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;      /* As OVS. */
    }
    if (!mf->writable) {
        return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
    }
    uint8_t wire[16] = { 0 };
    put_bits(mf, wire, ofs, n_bits, value);
    if (!mf_value_ok(mf, wire)) {
        return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
    }
    /* A load of the whole field is a set_field that remembers it came as
     * a load (OVS's set_field, raw NXAST_RAW_REG_LOAD: sent back as a
     * load in every version), and one form keeps decode -> encode ->
     * decode stable.  Not for the VLAN fields, whose OF1.0 set_field form
     * is mod_vlan_*. */
    if (!ofs && mf->n_bytes <= 8 && mf->id != MF_VLAN_VID
        && mf->id != MF_VLAN_PCP
        && n_bits == 64u - (unsigned) __builtin_clzll(mf->valid)) {
        struct ofp_action *a = ofp_actions_put(out, OFPACT_SET_FIELD);
        a->raw = OFPACT_RAW_NX_LOAD;
        a->set_field.field = mf->id;
        memcpy(a->set_field.value, wire, mf->n_bytes);
        return OFPERR_NONE;
    }
    struct ofp_action *a = ofp_actions_put(out, OFPACT_REG_LOAD);
    a->load.field = mf->id;
    a->load.ofs = (uint16_t) ofs;
    a->load.n_bits = (uint16_t) n_bits;
    a->load.value = value;
    return OFPERR_NONE;
}

static enum ofp_err
decode_move(const uint8_t *p, struct ofp_actions *out)
{
    uint16_t n_bits = ofp_get_u16(p + 10);
    uint16_t src_ofs = ofp_get_u16(p + 12), dst_ofs = ofp_get_u16(p + 14);
    const struct mf_field *src = nxm_field(ofp_get_u32(p + 16));
    const struct mf_field *dst = nxm_field(ofp_get_u32(p + 20));
    if (!src || !dst) {
        return OFPERR_OFPBAC_BAD_SET_TYPE;
    }
    if (!n_bits || src_ofs + n_bits > src->n_bytes * 8
        || dst_ofs + n_bits > dst->n_bytes * 8) {
        return OFPERR_OFPBAC_BAD_SET_LEN;
    }
    if (!dst->writable) {
        return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
    }
    struct ofp_action *a = ofp_actions_put(out, OFPACT_REG_MOVE);
    a->move.src = src->id;
    a->move.dst = dst->id;
    a->move.src_ofs = src_ofs;
    a->move.dst_ofs = dst_ofs;
    a->move.n_bits = n_bits;
    return OFPERR_NONE;
}

static struct ofp_action *
put_set_field_int(struct ofp_actions *out, enum mf_id id, uint64_t v)
{
    struct ofp_action *a = ofp_actions_put(out, OFPACT_SET_FIELD);
    const struct mf_field *mf = mf_from_id(id);
    a->set_field.field = id;
    for (int i = mf->n_bytes; i-- > 0;) {
        a->set_field.value[i] = (uint8_t) v;
        v >>= 8;
    }
    return a;
}

/* The length of each Nicira subtype: 1 for NOTE (at least 16, a
 * multiple of 8), 0 for subtypes Sluice does not know. */
static size_t
nx_len(uint16_t subtype)
{
    switch (subtype) {
    case NXAST_REG_MOVE: case NXAST_REG_LOAD: case NXAST_SET_TUNNEL64:
        return 24;
    case NXAST_NOTE:
        return 1;
    case NXAST_RESUBMIT: case NXAST_SET_TUNNEL: case NXAST_SET_QUEUE:
    case NXAST_POP_QUEUE: case NXAST_RESUBMIT_TABLE: case NXAST_DEC_TTL:
    case NXAST_PUSH_MPLS: case NXAST_POP_MPLS: case NXAST_SET_MPLS_TTL:
    case NXAST_DEC_MPLS_TTL: case NXAST_GROUP:
        return 16;
    default:
        return 0;
    }
}

/* A Nicira action of 'version'. */
static enum ofp_err
decode_nx(uint8_t version, const uint8_t *p, size_t len,
          struct ofp_actions *out)
{
    if (len < 16) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    if (ofp_get_u32(p + 4) != OFP_NX_VENDOR) {
        return OFPERR_OFPBAC_BAD_VENDOR;
    }
    uint16_t subtype = ofp_get_u16(p + 8);
    size_t want = nx_len(subtype);
    if (!want) {
        return OFPERR_OFPBAC_BAD_VENDOR_TYPE;
    }
    if (want > 1 && len != want) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    struct ofp_action *a;
    uint16_t eth;
    switch (subtype) {
    case NXAST_RESUBMIT:
    case NXAST_RESUBMIT_TABLE:
        if (subtype == NXAST_RESUBMIT_TABLE && !ofp_is_zeros(p + 13, 3)) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;      /* As OVS. */
        }
        a = ofp_actions_put(out, OFPACT_RESUBMIT);
        a->resubmit.in_port = ofp_port_from_16(ofp_get_u16(p + 10));
        a->resubmit.table = subtype == NXAST_RESUBMIT ? 255 : p[12];
        return OFPERR_NONE;
    /* set_tunnel keeps its form in OF1.0 only: OF1.3 sends a set_field
     * of tun_id (as OVS does), so one form keeps decode -> encode ->
     * decode stable there. */
    case NXAST_SET_TUNNEL:
        a = put_set_field_int(out, MF_TUN_ID, ofp_get_u32(p + 12));
        if (version == OFP10_VERSION) {
            a->raw = OFPACT_RAW_NX_SET_TUNNEL;
        }
        return OFPERR_NONE;
    case NXAST_SET_TUNNEL64:
        a = put_set_field_int(out, MF_TUN_ID, ofp_get_u64(p + 16));
        if (version == OFP10_VERSION) {
            a->raw = OFPACT_RAW_NX_SET_TUNNEL64;
        }
        return OFPERR_NONE;
    case NXAST_SET_QUEUE:
        ofp_actions_put(out, OFPACT_SET_QUEUE)->u32 = ofp_get_u32(p + 12);
        return OFPERR_NONE;
    case NXAST_POP_QUEUE:
        ofp_actions_put(out, OFPACT_POP_QUEUE);
        return OFPERR_NONE;
    case NXAST_REG_MOVE:
        return decode_move(p, out);
    case NXAST_REG_LOAD:
        return decode_load(p, out);
    case NXAST_NOTE:
        if (len % 8) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        a = ofp_actions_put(out, OFPACT_NOTE);
        a->note.len = len - 10;
        a->note.data = malloc(a->note.len);
        if (!a->note.data) {
            abort();
        }
        memcpy(a->note.data, p + 10, a->note.len);
        return OFPERR_NONE;
    case NXAST_DEC_TTL:
        ofp_actions_put(out, OFPACT_DEC_TTL);
        return OFPERR_NONE;
    case NXAST_PUSH_MPLS:
        eth = ofp_get_u16(p + 10);
        if (eth != 0x8847 && eth != 0x8848) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        ofp_actions_put(out, OFPACT_PUSH_MPLS)->u16 = eth;
        return OFPERR_NONE;
    case NXAST_POP_MPLS:
        ofp_actions_put(out, OFPACT_POP_MPLS)->u16 = ofp_get_u16(p + 10);
        return OFPERR_NONE;
    case NXAST_SET_MPLS_TTL:
        ofp_actions_put(out, OFPACT_SET_MPLS_TTL)->u8 = p[10];
        return OFPERR_NONE;
    case NXAST_DEC_MPLS_TTL:
        ofp_actions_put(out, OFPACT_DEC_MPLS_TTL);
        return OFPERR_NONE;
    case NXAST_GROUP:
        if (ofp_get_u32(p + 12) > OFPG_MAX) {
            return OFPERR_OFPBAC_BAD_OUT_GROUP;
        }
        ofp_actions_put(out, OFPACT_GROUP)->u32 = ofp_get_u32(p + 12);
        return OFPERR_NONE;
    default:
        return OFPERR_OFPBAC_BAD_VENDOR_TYPE;
    }
}

static enum ofp_err
decode_of10(const uint8_t *p, size_t len, unsigned int flags,
            struct ofp_actions *out)
{
    uint16_t type = ofp_get_u16(p);
    static const uint8_t lens[] = {
        [OFPAT10_OUTPUT] = 8, [OFPAT10_SET_VLAN_VID] = 8,
        [OFPAT10_SET_VLAN_PCP] = 8, [OFPAT10_STRIP_VLAN] = 8,
        [OFPAT10_SET_DL_SRC] = 16, [OFPAT10_SET_DL_DST] = 16,
        [OFPAT10_SET_NW_SRC] = 8, [OFPAT10_SET_NW_DST] = 8,
        [OFPAT10_SET_NW_TOS] = 8, [OFPAT10_SET_TP_SRC] = 8,
        [OFPAT10_SET_TP_DST] = 8, [OFPAT10_ENQUEUE] = 16,
    };
    if (type == OFPAT_VENDOR) {
        return decode_nx(OFP10_VERSION, p, len, out);
    }
    if (type >= sizeof lens) {
        return OFPERR_OFPBAC_BAD_TYPE;
    }
    if (len != lens[type]) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    struct ofp_action *a;
    uint32_t port;
    enum ofp_err err;
    switch (type) {
    case OFPAT10_OUTPUT:
        port = ofp_port_from_16(ofp_get_u16(p + 4));
        if ((err = check_out_port(port, flags))) {
            return err;
        }
        a = ofp_actions_put(out, OFPACT_OUTPUT);
        a->output.port = port;
        a->output.max_len = ofp_get_u16(p + 6);
        return OFPERR_NONE;
    case OFPAT10_SET_VLAN_VID:
        if (ofp_get_u16(p + 4) > 0xfff) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        ofp_actions_put(out, OFPACT_SET_VLAN_VID)->u16 = ofp_get_u16(p + 4);
        return OFPERR_NONE;
    case OFPAT10_SET_VLAN_PCP:
        if (p[4] > 7) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        ofp_actions_put(out, OFPACT_SET_VLAN_PCP)->u8 = p[4];
        return OFPERR_NONE;
    case OFPAT10_STRIP_VLAN:
        ofp_actions_put(out, OFPACT_POP_VLAN);
        return OFPERR_NONE;
    case OFPAT10_SET_DL_SRC:
    case OFPAT10_SET_DL_DST:
        a = ofp_actions_put(out, OFPACT_SET_FIELD);
        a->set_field.field = type == OFPAT10_SET_DL_SRC ? MF_ETH_SRC
                                                        : MF_ETH_DST;
        memcpy(a->set_field.value, p + 4, 6);
        return OFPERR_NONE;
    case OFPAT10_SET_NW_SRC:
    case OFPAT10_SET_NW_DST:
        put_set_field_int(out, type == OFPAT10_SET_NW_SRC ? MF_IPV4_SRC
                                                         : MF_IPV4_DST,
                          ofp_get_u32(p + 4));
        return OFPERR_NONE;
    case OFPAT10_SET_NW_TOS:
        if (p[4] & 3) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        /* The DSCP bits, as OVS reads it (set_field:N->ip_dscp in
         * OF1.3). */
        put_set_field_int(out, MF_IP_DSCP, p[4] >> 2);
        return OFPERR_NONE;
    case OFPAT10_SET_TP_SRC:
    case OFPAT10_SET_TP_DST:
        a = ofp_actions_put(out, type == OFPAT10_SET_TP_SRC
                                 ? OFPACT_SET_L4_SRC : OFPACT_SET_L4_DST);
        a->u16 = ofp_get_u16(p + 4);
        return OFPERR_NONE;
    case OFPAT10_ENQUEUE:
        port = ofp_port_from_16(ofp_get_u16(p + 4));
        if (port != OFPP_IN_PORT && (port < 1 || port >= 0xff00)) {
            return OFPERR_OFPBAC_BAD_OUT_PORT;
        }
        a = ofp_actions_put(out, OFPACT_ENQUEUE);
        a->enqueue.port = port;
        a->enqueue.queue = ofp_get_u32(p + 12);
        return OFPERR_NONE;
    default:
        return OFPERR_OFPBAC_BAD_TYPE;
    }
}

static enum ofp_err
decode_set_field(const uint8_t *p, size_t len, struct ofp_actions *out)
{
    struct ofp_tlv t;
    enum ofp_err err = ofp_tlv_pull(p + 4, len - 4, &t);
    switch (err) {
    case OFPERR_NONE:
        break;
    case OFPERR_OFPBMC_BAD_FIELD:
        return OFPERR_OFPBAC_BAD_SET_TYPE;
    case OFPERR_OFPBMC_BAD_MASK:
        return OFPERR_OFPBAC_BAD_SET_MASK;
    default:
        return OFPERR_OFPBAC_BAD_SET_LEN;
    }
    if (t.hasmask) {
        return OFPERR_OFPBAC_BAD_SET_MASK;
    }
    if (((4 + t.len + 7) & ~(size_t) 7) != len) {
        return OFPERR_OFPBAC_BAD_SET_LEN;
    }
    if (!ofp_is_zeros(p + 4 + t.len, len - 4 - t.len)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    if (!t.mf->writable || !mf_value_ok(t.mf, t.value)) {
        return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
    }
    if (t.mf->id == MF_NW_TOS) {
        /* NXM_OF_IP_TOS: its DSCP bits, as OVS reads it (and OF1.3 sends
         * them back). */
        put_set_field_int(out, MF_IP_DSCP, t.value[0] >> 2);
        return OFPERR_NONE;
    }
    struct ofp_action *a = ofp_actions_put(out, OFPACT_SET_FIELD);
    a->set_field.field = t.mf->id;
    memcpy(a->set_field.value, t.value, t.mf->n_bytes);
    return OFPERR_NONE;
}

static enum ofp_err
decode_of13(const uint8_t *p, size_t len, unsigned int flags,
            struct ofp_actions *out)
{
    uint16_t type = ofp_get_u16(p);
    if (type == OFPAT_VENDOR) {
        return decode_nx(OFP13_VERSION, p, len, out);
    }
    if (type == OFPAT13_SET_FIELD) {
        return decode_set_field(p, len, out);
    }
    size_t want = type == OFPAT13_OUTPUT ? 16 : 8;
    switch (type) {
    case OFPAT13_OUTPUT: case OFPAT13_COPY_TTL_OUT: case OFPAT13_COPY_TTL_IN:
    case OFPAT13_SET_MPLS_TTL: case OFPAT13_DEC_MPLS_TTL:
    case OFPAT13_PUSH_VLAN: case OFPAT13_POP_VLAN: case OFPAT13_PUSH_MPLS:
    case OFPAT13_POP_MPLS: case OFPAT13_SET_QUEUE: case OFPAT13_GROUP:
    case OFPAT13_SET_NW_TTL: case OFPAT13_DEC_NW_TTL:
        if (len != want) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        break;
    default:
        return OFPERR_OFPBAC_BAD_TYPE;
    }
    struct ofp_action *a;
    enum ofp_err err;
    uint16_t eth = ofp_get_u16(p + 4);
    uint32_t u32 = ofp_get_u32(p + 4);
    switch (type) {
    case OFPAT13_OUTPUT:
        if ((err = check_out_port(u32, flags))) {
            return err;
        }
        a = ofp_actions_put(out, OFPACT_OUTPUT);
        a->output.port = u32;
        a->output.max_len = ofp_get_u16(p + 8);
        return OFPERR_NONE;
    case OFPAT13_COPY_TTL_OUT:
        ofp_actions_put(out, OFPACT_COPY_TTL_OUT);
        return OFPERR_NONE;
    case OFPAT13_COPY_TTL_IN:
        ofp_actions_put(out, OFPACT_COPY_TTL_IN);
        return OFPERR_NONE;
    case OFPAT13_SET_MPLS_TTL:
        ofp_actions_put(out, OFPACT_SET_MPLS_TTL)->u8 = p[4];
        return OFPERR_NONE;
    case OFPAT13_DEC_MPLS_TTL:
        ofp_actions_put(out, OFPACT_DEC_MPLS_TTL);
        return OFPERR_NONE;
    case OFPAT13_PUSH_VLAN:
        if (eth != 0x8100 && eth != 0x88a8) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        ofp_actions_put(out, OFPACT_PUSH_VLAN)->u16 = eth;
        return OFPERR_NONE;
    case OFPAT13_POP_VLAN:
        ofp_actions_put(out, OFPACT_POP_VLAN);
        return OFPERR_NONE;
    case OFPAT13_PUSH_MPLS:
        if (eth != 0x8847 && eth != 0x8848) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        ofp_actions_put(out, OFPACT_PUSH_MPLS)->u16 = eth;
        return OFPERR_NONE;
    case OFPAT13_POP_MPLS:
        ofp_actions_put(out, OFPACT_POP_MPLS)->u16 = eth;
        return OFPERR_NONE;
    case OFPAT13_SET_QUEUE:
        ofp_actions_put(out, OFPACT_SET_QUEUE)->u32 = u32;
        return OFPERR_NONE;
    case OFPAT13_GROUP:
        if (u32 > OFPG_MAX) {
            return OFPERR_OFPBAC_BAD_OUT_GROUP;
        }
        ofp_actions_put(out, OFPACT_GROUP)->u32 = u32;
        return OFPERR_NONE;
    case OFPAT13_SET_NW_TTL:
        ofp_actions_put(out, OFPACT_SET_NW_TTL)->u8 = p[4];
        return OFPERR_NONE;
    default:
        ofp_actions_put(out, OFPACT_DEC_TTL);
        return OFPERR_NONE;
    }
}

/* NXAST_WRITE_METADATA at 'p' ('len' bytes) into 'md' (NULL: not
 * allowed here). */
static enum ofp_err
decode_write_metadata(const uint8_t *p, size_t len,
                      struct ofp_nx_metadata *md)
{
    if (!md) {
        return OFPERR_OFPBIC_UNSUP_INST;
    }
    if (len != 32) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    if (!ofp_is_zeros(p + 10, 6)) {
        return OFPERR_NXBRC_MUST_BE_ZERO;
    }
    md->present = true;
    md->value = ofp_get_u64(p + 16);
    md->mask = ofp_get_u64(p + 24);
    return OFPERR_NONE;
}

static bool
is_nx(const uint8_t *p, size_t len, uint16_t subtype)
{
    return len >= 16 && ofp_get_u16(p) == OFPAT_VENDOR
           && ofp_get_u32(p + 4) == OFP_NX_VENDOR
           && ofp_get_u16(p + 8) == subtype;
}

/* The actions 'p' ('len' bytes) of 'version'; 'md' as
 * ofp10_flow_actions_decode() has it (NULL: write_metadata is not
 * allowed). */
static enum ofp_err
decode_list(uint8_t version, const uint8_t *p, size_t len,
            unsigned int flags, struct ofp_actions *out,
            struct ofp_nx_metadata *md)
{
    size_t ofs = 0;
    while (ofs < len) {
        if (len - ofs < 8) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        size_t alen = ofp_get_u16(p + ofs + 2);
        if (alen < 8 || alen % 8 || alen > len - ofs) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        if (out->n >= OFP_MAX_ACTIONS) {
            return OFPERR_OFPBAC_TOO_MANY;
        }
        if (md && md->present) {
            return OFPERR_OFPBAC_UNSUPPORTED_ORDER;
        }
        enum ofp_err err;
        if (is_nx(p + ofs, alen, NXAST_WRITE_METADATA)) {
            err = decode_write_metadata(p + ofs, alen, md);
        } else {
            err = version == OFP10_VERSION
                  ? decode_of10(p + ofs, alen, flags, out)
                  : decode_of13(p + ofs, alen, flags, out);
        }
        if (err) {
            return err;
        }
        ofs += alen;
    }
    return OFPERR_NONE;
}

enum ofp_err
ofp_actions_decode(uint8_t version, const uint8_t *p, size_t len,
                   unsigned int flags, struct ofp_actions *out)
{
    return decode_list(version, p, len, flags, out, NULL);
}

enum ofp_err
ofp10_flow_actions_decode(const uint8_t *p, size_t len,
                          struct ofp_actions *out, struct ofp_nx_metadata *md)
{
    memset(md, 0, sizeof *md);
    return decode_list(OFP10_VERSION, p, len, 0, out, md);
}

/* Encoding. */

static size_t
put_act(struct ofp_buf *b, uint16_t type, uint16_t len)
{
    size_t start = b->len;
    ofp_buf_put_u16(b, type);
    ofp_buf_put_u16(b, len);
    ofp_buf_put_zeros(b, len - 4u);
    return start;
}

static uint8_t *
put_nx(struct ofp_buf *b, uint16_t subtype, uint16_t len)
{
    size_t start = put_act(b, OFPAT_VENDOR, len);
    ofp_set_u32(b->data + start + 4, OFP_NX_VENDOR);
    ofp_set_u16(b->data + start + 8, subtype);
    return b->data + start;
}

void
ofp_nx_write_metadata_put(struct ofp_buf *b, uint64_t value, uint64_t mask)
{
    size_t s = put_nx(b, NXAST_WRITE_METADATA, 32) - b->data;
    ofp_set_u64(b->data + s + 16, value);
    ofp_set_u64(b->data + s + 24, mask);
}

static uint64_t
field_int(const struct mf_field *mf, const uint8_t *v)
{
    uint64_t x = 0;
    for (int i = 0; i < mf->n_bytes && i < 8; i++) {
        x = x << 8 | v[i];
    }
    return x;
}

/* Nicira and shared encodings; -ENOTSUP if 'a' has none. */
static int
encode_nx(struct ofp_buf *b, uint8_t version, const struct ofp_action *a)
{
    uint8_t *p;
    const struct mf_field *mf;
    /* load and move name fields by NXM header in every version (OXM's
     * where a field has no NXM form), as OVS does. */
    enum ofp_tlv_format fmt = OFP_TLV_NXM;
    (void) version;
    switch (a->type) {
    case OFPACT_RESUBMIT: {
        int32_t port = ofp_port_to_16(a->resubmit.in_port);
        if (port < 0) {
            return -ENOTSUP;
        }
        /* Always the form with a table, as OVS 3.1 sends it. */
        p = put_nx(b, NXAST_RESUBMIT_TABLE, 16);
        ofp_set_u16(p + 10, (uint16_t) port);
        p[12] = a->resubmit.table;
        return 0;
    }
    case OFPACT_SET_QUEUE:
        ofp_set_u32(put_nx(b, NXAST_SET_QUEUE, 16) + 12, a->u32);
        return 0;
    case OFPACT_POP_QUEUE:
        put_nx(b, NXAST_POP_QUEUE, 16);
        return 0;
    case OFPACT_REG_LOAD: {
        mf = mf_from_id(a->load.field);
        uint32_t h = mf_nxm_header(mf, fmt);
        if (!h) {
            return -ENOTSUP;
        }
        p = put_nx(b, NXAST_REG_LOAD, 24);
        ofp_set_u16(p + 10, (uint16_t) (a->load.ofs << 6
                                        | (a->load.n_bits - 1)));
        ofp_set_u32(p + 12, h);
        ofp_set_u64(p + 16, a->load.value);
        return 0;
    }
    case OFPACT_REG_MOVE: {
        uint32_t hs = mf_nxm_header(mf_from_id(a->move.src), fmt);
        uint32_t hd = mf_nxm_header(mf_from_id(a->move.dst), fmt);
        if (!hs || !hd) {
            return -ENOTSUP;
        }
        p = put_nx(b, NXAST_REG_MOVE, 24);
        ofp_set_u16(p + 10, a->move.n_bits);
        ofp_set_u16(p + 12, a->move.src_ofs);
        ofp_set_u16(p + 14, a->move.dst_ofs);
        ofp_set_u32(p + 16, hs);
        ofp_set_u32(p + 20, hd);
        return 0;
    }
    case OFPACT_NOTE: {
        size_t len = (10 + a->note.len + 7) & ~(size_t) 7;
        if (len < 16) {
            len = 16;
        }
        if (len > 0xfff8) {
            return -ENOTSUP;
        }
        p = put_nx(b, NXAST_NOTE, (uint16_t) len);
        memcpy(p + 10, a->note.data, a->note.len);
        return 0;
    }
    case OFPACT_DEC_TTL:
        put_nx(b, NXAST_DEC_TTL, 16);
        return 0;
    case OFPACT_PUSH_MPLS:
        ofp_set_u16(put_nx(b, NXAST_PUSH_MPLS, 16) + 10, a->u16);
        return 0;
    case OFPACT_POP_MPLS:
        ofp_set_u16(put_nx(b, NXAST_POP_MPLS, 16) + 10, a->u16);
        return 0;
    case OFPACT_SET_MPLS_TTL:
        put_nx(b, NXAST_SET_MPLS_TTL, 16)[10] = a->u8;
        return 0;
    case OFPACT_DEC_MPLS_TTL:
        put_nx(b, NXAST_DEC_MPLS_TTL, 16);
        return 0;
    case OFPACT_GROUP:
        ofp_set_u32(put_nx(b, NXAST_GROUP, 16) + 12, a->u32);
        return 0;
    default:
        return -ENOTSUP;
    }
}

/* A load of all of 'mf' (at most 64 bits) with 'value'. */
static int
put_whole_load(struct ofp_buf *b, const struct mf_field *mf, uint64_t value)
{
    if (mf->n_bytes > 8) {
        return -ENOTSUP;
    }
    struct ofp_action load = { .type = OFPACT_REG_LOAD };
    load.load.field = mf->id;
    load.load.n_bits = (uint16_t) (64 - __builtin_clzll(mf->valid));
    load.load.value = value;
    return encode_nx(b, OFP10_VERSION, &load);
}

/* An action of 'type' and 'len' bytes with the 'n' bytes of 'v' after its
 * type and length; returns 0. */
static int
put_value_act(struct ofp_buf *b, uint16_t type, uint16_t len,
              const uint8_t *v, size_t n)
{
    size_t s = put_act(b, type, len);
    memcpy(b->data + s + 4, v, n);
    return 0;
}

/* set_field in OF1.0, as OVS sends it: a load if it came as one,
 * set_tunnel in the form it came in (the 32-bit one while the value
 * fits), else the OF1.0 action for the field where there is one, else a
 * whole-field load. */
static int
encode_set_field10(struct ofp_buf *b, const struct ofp_action *a)
{
    const struct mf_field *mf = mf_from_id(a->set_field.field);
    const uint8_t *v = a->set_field.value;
    uint64_t x = field_int(mf, v);
    size_t s;
    if (a->raw == OFPACT_RAW_NX_LOAD) {
        return put_whole_load(b, mf, x);
    }
    switch (mf->id) {
    case MF_ETH_SRC:
        return put_value_act(b, OFPAT10_SET_DL_SRC, 16, v, 6);
    case MF_ETH_DST:
        return put_value_act(b, OFPAT10_SET_DL_DST, 16, v, 6);
    case MF_IPV4_SRC:
        return put_value_act(b, OFPAT10_SET_NW_SRC, 8, v, 4);
    case MF_IPV4_DST:
        return put_value_act(b, OFPAT10_SET_NW_DST, 8, v, 4);
    case MF_NW_TOS:
    case MF_IP_DSCP:
        s = put_act(b, OFPAT10_SET_NW_TOS, 8);
        b->data[s + 4] = mf->id == MF_NW_TOS ? v[0] : (uint8_t) (v[0] << 2);
        return 0;
    case MF_TCP_SRC:
    case MF_UDP_SRC:
        return put_value_act(b, OFPAT10_SET_TP_SRC, 8, v, 2);
    case MF_TCP_DST:
    case MF_UDP_DST:
        return put_value_act(b, OFPAT10_SET_TP_DST, 8, v, 2);
    case MF_TUN_ID:
        if (a->raw == OFPACT_RAW_NX_SET_TUNNEL && x <= UINT32_MAX) {
            ofp_set_u32(put_nx(b, NXAST_SET_TUNNEL, 16) + 12, (uint32_t) x);
            return 0;
        }
        if (a->raw != OFPACT_RAW_NATIVE) {
            ofp_set_u64(put_nx(b, NXAST_SET_TUNNEL64, 24) + 16, x);
            return 0;
        }
        break;
    case MF_VLAN_VID:
        /* With its prerequisite (a tag) met, mod_vlan_vid is the same as
         * set_field. */
        s = put_act(b, OFPAT10_SET_VLAN_VID, 8);
        ofp_set_u16(b->data + s + 4, ofp_get_u16(v) & 0xfff);
        return 0;
    case MF_VLAN_PCP:
        s = put_act(b, OFPAT10_SET_VLAN_PCP, 8);
        b->data[s + 4] = v[0];
        return 0;
    default:
        break;
    }
    return put_whole_load(b, mf, x);
}

static int
encode_of10(struct ofp_buf *b, const struct ofp_action *a)
{
    size_t s;
    int32_t port;
    switch (a->type) {
    case OFPACT_OUTPUT:
        if ((port = ofp_port_to_16(a->output.port)) < 0) {
            return -ENOTSUP;
        }
        s = put_act(b, OFPAT10_OUTPUT, 8);
        ofp_set_u16(b->data + s + 4, (uint16_t) port);
        ofp_set_u16(b->data + s + 6, a->output.max_len);
        return 0;
    case OFPACT_ENQUEUE:
        if ((port = ofp_port_to_16(a->enqueue.port)) < 0) {
            return -ENOTSUP;
        }
        s = put_act(b, OFPAT10_ENQUEUE, 16);
        ofp_set_u16(b->data + s + 4, (uint16_t) port);
        ofp_set_u32(b->data + s + 12, a->enqueue.queue);
        return 0;
    case OFPACT_SET_VLAN_VID:
        s = put_act(b, OFPAT10_SET_VLAN_VID, 8);
        ofp_set_u16(b->data + s + 4, a->u16);
        return 0;
    case OFPACT_SET_VLAN_PCP:
        s = put_act(b, OFPAT10_SET_VLAN_PCP, 8);
        b->data[s + 4] = a->u8;
        return 0;
    case OFPACT_POP_VLAN:
        put_act(b, OFPAT10_STRIP_VLAN, 8);
        return 0;
    case OFPACT_SET_L4_SRC:
    case OFPACT_SET_L4_DST:
        s = put_act(b, a->type == OFPACT_SET_L4_SRC ? OFPAT10_SET_TP_SRC
                                                    : OFPAT10_SET_TP_DST, 8);
        ofp_set_u16(b->data + s + 4, a->u16);
        return 0;
    case OFPACT_SET_FIELD:
        return encode_set_field10(b, a);
    case OFPACT_SET_NW_TTL:
        /* OF1.0 has no mod_nw_ttl: a load, as OVS sends it. */
        return put_whole_load(b, mf_from_id(MF_IP_TTL), a->u8);
    case OFPACT_PUSH_VLAN:
        /* Left out, as OVS does: OF1.0's mod_vlan_vid/pcp push a tag
         * where there is none. */
        return 0;
    default:
        return encode_nx(b, OFP10_VERSION, a);
    }
}

static void
put_u16_act(struct ofp_buf *b, uint16_t type, uint16_t v)
{
    size_t s = put_act(b, type, 8);     /* May move b->data. */
    ofp_set_u16(b->data + s + 4, v);
}

static void
put_u32_act(struct ofp_buf *b, uint16_t type, uint32_t v)
{
    size_t s = put_act(b, type, 8);
    ofp_set_u32(b->data + s + 4, v);
}

static void
put_set_field(struct ofp_buf *b, const struct mf_field *mf,
              const uint8_t *value)
{
    size_t start = b->len;
    ofp_buf_put_u16(b, OFPAT13_SET_FIELD);
    ofp_buf_put_u16(b, 0);
    ofp_tlv_put(b, OFP_TLV_OXM, mf, value, NULL);
    ofp_buf_pad8(b, start);
    ofp_buf_set_u16(b, start + 2, (uint16_t) (b->len - start));
}

/* Whether 'm' says the frame has a VLAN tag. */
static bool
has_tag(const struct ofp_match *m)
{
    uint8_t v[2], w[2];
    mf_read(m, mf_from_id(MF_VLAN_VID), v, w);
    return w[0] & 0x10 && v[0] & 0x10;
}

/* The OF1.3 field an OF1.0 mod_tp_src/dst sets, from the L4 protocol
 * 'cur' matches; -1 if it does not say. */
static int
l4_field(const struct ofp_match *cur, bool src)
{
    if (!cur || cur->wc.nw_proto != 0xff) {
        return -1;
    }
    switch (cur->flow.nw_proto) {
    case 6: return src ? MF_TCP_SRC : MF_TCP_DST;
    case 17: return src ? MF_UDP_SRC : MF_UDP_DST;
    case 132: return src ? MF_SCTP_SRC : MF_SCTP_DST;
    default: return -1;
    }
}

/* 'cur' (may be NULL): what the rule's match says of the frame when 'a'
 * runs, for the OF1.0 actions whose OF1.3 form depends on it. */
static int
encode_of13(struct ofp_buf *b, const struct ofp_action *a,
            const struct ofp_match *cur)
{
    size_t s;
    uint8_t v[2];
    int f;
    const struct mf_field *mf;
    switch (a->type) {
    case OFPACT_OUTPUT:
        s = put_act(b, OFPAT13_OUTPUT, 16);
        ofp_set_u32(b->data + s + 4, a->output.port);
        ofp_set_u16(b->data + s + 8, a->output.max_len);
        return 0;
    case OFPACT_ENQUEUE:
        /* As OVS sends it: the queue holds for this output only. */
        put_u32_act(b, OFPAT13_SET_QUEUE, a->enqueue.queue);
        s = put_act(b, OFPAT13_OUTPUT, 16);
        ofp_set_u32(b->data + s + 4, a->enqueue.port);
        ofp_set_u16(b->data + s + 8, 0xffff);
        put_nx(b, NXAST_POP_QUEUE, 16);
        return 0;
    case OFPACT_SET_FIELD:
        mf = mf_from_id(a->set_field.field);
        if (a->raw == OFPACT_RAW_NX_LOAD) {
            return put_whole_load(b, mf, field_int(mf, a->set_field.value));
        }
        if (mf->id == MF_NW_TOS && a->raw == OFPACT_RAW_NATIVE) {
            /* OF1.3 has no nw_tos: its DSCP bits, as OVS sends them. */
            v[0] = a->set_field.value[0] >> 2;
            put_set_field(b, mf_from_id(MF_IP_DSCP), v);
            return 0;
        }
        put_set_field(b, mf, a->set_field.value);
        return 0;
    case OFPACT_SET_VLAN_VID:
    case OFPACT_SET_VLAN_PCP:
        /* OF1.0's mod_vlan_vid/pcp add a tag to a frame without one: OVS
         * writes the push unless the match (or an action before) says
         * there is a tag. */
        if (!cur || !has_tag(cur)) {
            put_u16_act(b, OFPAT13_PUSH_VLAN, 0x8100);
        }
        if (a->type == OFPACT_SET_VLAN_PCP) {
            put_set_field(b, mf_from_id(MF_VLAN_PCP), &a->u8);
            return 0;
        }
        ofp_set_u16(v, (uint16_t) (0x1000 | a->u16));
        put_set_field(b, mf_from_id(MF_VLAN_VID), v);
        return 0;
    case OFPACT_PUSH_VLAN:
        put_u16_act(b, OFPAT13_PUSH_VLAN, a->u16);
        return 0;
    case OFPACT_POP_VLAN:
        put_act(b, OFPAT13_POP_VLAN, 8);
        return 0;
    case OFPACT_PUSH_MPLS:
        put_u16_act(b, OFPAT13_PUSH_MPLS, a->u16);
        return 0;
    case OFPACT_POP_MPLS:
        put_u16_act(b, OFPAT13_POP_MPLS, a->u16);
        return 0;
    case OFPACT_DEC_TTL:
        put_act(b, OFPAT13_DEC_NW_TTL, 8);
        return 0;
    case OFPACT_SET_NW_TTL:
        s = put_act(b, OFPAT13_SET_NW_TTL, 8);
        b->data[s + 4] = a->u8;
        return 0;
    case OFPACT_DEC_MPLS_TTL:
        put_act(b, OFPAT13_DEC_MPLS_TTL, 8);
        return 0;
    case OFPACT_SET_MPLS_TTL:
        s = put_act(b, OFPAT13_SET_MPLS_TTL, 8);
        b->data[s + 4] = a->u8;
        return 0;
    case OFPACT_COPY_TTL_OUT:
        put_act(b, OFPAT13_COPY_TTL_OUT, 8);
        return 0;
    case OFPACT_COPY_TTL_IN:
        put_act(b, OFPAT13_COPY_TTL_IN, 8);
        return 0;
    case OFPACT_SET_QUEUE:
        put_u32_act(b, OFPAT13_SET_QUEUE, a->u32);
        return 0;
    case OFPACT_GROUP:
        put_u32_act(b, OFPAT13_GROUP, a->u32);
        return 0;
    case OFPACT_SET_L4_SRC:
    case OFPACT_SET_L4_DST:
        /* OF1.3 names the protocol: the match must say it. */
        f = l4_field(cur, a->type == OFPACT_SET_L4_SRC);
        if (f < 0) {
            return -ENOTSUP;
        }
        ofp_set_u16(v, a->u16);
        put_set_field(b, mf_from_id((enum mf_id) f), v);
        return 0;
    default:
        return encode_nx(b, OFP13_VERSION, a);
    }
}

static void track(struct ofp_match *, const struct ofp_action *);

int
ofp_actions_encode_for(struct ofp_buf *b, uint8_t version,
                       const struct ofp_actions *acts,
                       const struct ofp_match *match)
{
    size_t start = b->len;
    struct ofp_match cur;
    if (match) {
        cur = *match;
    }
    for (size_t i = 0; i < acts->n; i++) {
        int error = version == OFP10_VERSION
                    ? encode_of10(b, &acts->acts[i])
                    : encode_of13(b, &acts->acts[i], match ? &cur : NULL);
        if (error) {
            b->len = start;
            return error;
        }
        if (match) {
            track(&cur, &acts->acts[i]);
        }
    }
    return 0;
}

int
ofp_actions_encode(struct ofp_buf *b, uint8_t version,
                   const struct ofp_actions *acts)
{
    return ofp_actions_encode_for(b, version, acts, NULL);
}

/* What the packet is known to be when an action runs: the rule's match,
 * updated by the pushes and pops before it. */
static void
track(struct ofp_match *cur, const struct ofp_action *a)
{
    uint8_t v[2] = { 0x10, 0x00 }, w[2] = { 0x10, 0x00 };
    switch (a->type) {
    case OFPACT_PUSH_VLAN:
    case OFPACT_SET_VLAN_VID:           /* OF1.0's push if need be. */
    case OFPACT_SET_VLAN_PCP:
        mf_set(cur, mf_from_id(MF_VLAN_VID), v, w);     /* Any tag. */
        break;
    case OFPACT_POP_VLAN:
        v[0] = 0;                       /* Perhaps an inner tag: unknown. */
        w[0] = 0;
        mf_set(cur, mf_from_id(MF_VLAN_VID), v, w);
        break;
    case OFPACT_PUSH_MPLS:
    case OFPACT_POP_MPLS:
        mf_set_int(cur, MF_ETH_TYPE, a->u16);
        if (a->type == OFPACT_PUSH_MPLS) {
            cur->wc.nw_proto = cur->flow.nw_proto = 0;
        }
        break;
    default:
        break;
    }
}

static bool
needs_ok(const struct ofp_match *cur, enum mf_id id)
{
    return mf_prereqs_ok(cur, mf_from_id(id));
}

enum ofp_err
ofp_actions_check(const struct ofp_actions *acts,
                  const struct ofp_match *match, uint8_t version)
{
    struct ofp_match cur = *match;
    bool of13 = version != OFP10_VERSION;
    for (size_t i = 0; i < acts->n; i++) {
        const struct ofp_action *a = &acts->acts[i];
        bool ok = true;
        switch (a->type) {
        case OFPACT_SET_FIELD:
            /* vlan_tci may be written to any frame (it pushes or pops);
             * OF1.0's set_* actions apply where they can, its loads
             * (mod_nw_ttl and mod_nw_ecn among them) do not. */
            ok = (!of13 && a->raw != OFPACT_RAW_NX_LOAD)
                 || a->set_field.field == MF_VLAN_TCI
                 || needs_ok(&cur, a->set_field.field);
            break;
        case OFPACT_REG_LOAD:
            ok = a->load.field == MF_VLAN_TCI
                 || needs_ok(&cur, a->load.field);
            break;
        case OFPACT_REG_MOVE:
            ok = needs_ok(&cur, a->move.src)
                 && (a->move.dst == MF_VLAN_TCI
                     || needs_ok(&cur, a->move.dst));
            break;
        case OFPACT_POP_VLAN:
            ok = !of13 || needs_ok(&cur, MF_VLAN_PCP);
            break;
        case OFPACT_POP_MPLS:
        case OFPACT_DEC_MPLS_TTL:
        case OFPACT_SET_MPLS_TTL:
            ok = !of13 || needs_ok(&cur, MF_MPLS_TTL);
            break;
        case OFPACT_DEC_TTL:
        case OFPACT_SET_NW_TTL:
            ok = !of13 || needs_ok(&cur, MF_IP_TTL);
            break;
        default:
            break;
        }
        if (!ok) {
            return OFPERR_OFPBAC_MATCH_INCONSISTENT;
        }
        track(&cur, a);
    }
    return OFPERR_NONE;
}
