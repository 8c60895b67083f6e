/* ofp_flow_mod: OpenFlow 1.3 instructions and flow_mod messages. */
#include "ofproto/ofp_flow_mod.h"

#include <errno.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_msg.h"

#define OFPIT_EXPERIMENTER 0xffff

void
ofp_insts_init(struct ofp_insts *in)
{
    memset(in, 0, sizeof *in);
}

void
ofp_insts_free(struct ofp_insts *in)
{
    ofp_actions_free(&in->apply);
    ofp_actions_free(&in->write);
}

#define HAS(IN, T) ((IN)->present & (1u << (T)))

bool
ofp_insts_equal(const struct ofp_insts *a, const struct ofp_insts *b)
{
    return a->present == b->present
           && (!HAS(a, OFPIT_GOTO_TABLE) || a->goto_table == b->goto_table)
           && (!HAS(a, OFPIT_WRITE_METADATA)
               || (a->metadata == b->metadata
                   && a->metadata_mask == b->metadata_mask))
           && (!HAS(a, OFPIT_METER) || a->meter_id == b->meter_id)
           && ofp_actions_equal(&a->apply, &b->apply)
           && ofp_actions_equal(&a->write, &b->write);
}

static enum ofp_err
decode_inst(const uint8_t *p, size_t len, uint8_t table_id,
            unsigned int act_flags, struct ofp_insts *out)
{
    uint16_t type = ofp_get_u16(p);
    size_t want;
    switch (type) {
    case OFPIT_GOTO_TABLE: case OFPIT_CLEAR_ACTIONS: case OFPIT_METER:
        want = 8;
        break;
    case OFPIT_WRITE_METADATA:
        want = 24;
        break;
    case OFPIT_WRITE_ACTIONS: case OFPIT_APPLY_ACTIONS:
        want = 0;
        break;
    case OFPIT_EXPERIMENTER:
        return OFPERR_OFPBIC_BAD_EXPERIMENTER;
    default:
        return OFPERR_OFPBIC_UNKNOWN_INST;
    }
    if (want && len != want) {
        return OFPERR_OFPBIC_BAD_LEN;
    }
    if (HAS(out, type)) {
        return OFPERR_OFPBIC_DUP_INST;
    }
    out->present |= 1u << type;
    switch (type) {
    case OFPIT_GOTO_TABLE:
        out->goto_table = p[4];
        if (p[4] > OFPTT_MAX || (table_id != OFPTT_ALL && p[4] <= table_id)) {
            return OFPERR_OFPBIC_BAD_TABLE_ID;
        }
        return OFPERR_NONE;
    case OFPIT_METER:
        out->meter_id = ofp_get_u32(p + 4);
        return OFPERR_NONE;
    case OFPIT_WRITE_METADATA:
        out->metadata = ofp_get_u64(p + 8);
        out->metadata_mask = ofp_get_u64(p + 16);
        if (out->metadata & ~out->metadata_mask) {
            return OFPERR_OFPBIC_UNSUP_METADATA;
        }
        return OFPERR_NONE;
    case OFPIT_CLEAR_ACTIONS:
        return OFPERR_NONE;
    default:
        return ofp_actions_decode(OFP13_VERSION, p + 8, len - 8, act_flags,
                                  type == OFPIT_APPLY_ACTIONS ? &out->apply
                                                              : &out->write);
    }
}

enum ofp_err
ofp13_insts_decode(const uint8_t *p, size_t len, uint8_t table_id,
                   unsigned int act_flags, struct ofp_insts *out)
{
    for (size_t ofs = 0; ofs < len;) {
        if (len - ofs < 8) {
            return OFPERR_OFPBIC_BAD_LEN;
        }
        size_t ilen = ofp_get_u16(p + ofs + 2);
        if (ilen < 8 || ilen % 8 || ilen > len - ofs) {
            return OFPERR_OFPBIC_BAD_LEN;
        }
        enum ofp_err err = decode_inst(p + ofs, ilen, table_id, act_flags,
                                       out);
        if (err) {
            return err;
        }
        ofs += ilen;
    }
    return OFPERR_NONE;
}

static int
put_actions_inst(struct ofp_buf *b, uint16_t type,
                 const struct ofp_actions *acts, const struct ofp_match *m)
{
    size_t start = b->len;
    ofp_buf_put_u16(b, type);
    ofp_buf_put_u16(b, 0);
    ofp_buf_put_zeros(b, 4);
    int error = ofp_actions_encode_for(b, OFP13_VERSION, acts, m);
    if (error || b->len - start > 0xffff) {
        b->len = start;
        return error ? error : -ENOTSUP;
    }
    ofp_buf_set_u16(b, start + 2, (uint16_t) (b->len - start));
    return 0;
}

int
ofp13_insts_encode(struct ofp_buf *b, const struct ofp_insts *in,
                   const struct ofp_match *match)
{
    size_t start = b->len;
    int error = 0;
    if (HAS(in, OFPIT_METER)) {
        ofp_buf_put_u16(b, OFPIT_METER);
        ofp_buf_put_u16(b, 8);
        ofp_buf_put_u32(b, in->meter_id);
    }
    if (HAS(in, OFPIT_APPLY_ACTIONS)) {
        error = put_actions_inst(b, OFPIT_APPLY_ACTIONS, &in->apply, match);
    }
    if (!error && HAS(in, OFPIT_CLEAR_ACTIONS)) {
        ofp_buf_put_u16(b, OFPIT_CLEAR_ACTIONS);
        ofp_buf_put_u16(b, 8);
        ofp_buf_put_zeros(b, 4);
    }
    if (!error && HAS(in, OFPIT_WRITE_ACTIONS)) {
        error = put_actions_inst(b, OFPIT_WRITE_ACTIONS, &in->write, match);
    }
    if (!error && HAS(in, OFPIT_WRITE_METADATA)) {
        ofp_buf_put_u16(b, OFPIT_WRITE_METADATA);
        ofp_buf_put_u16(b, 24);
        ofp_buf_put_zeros(b, 4);
        ofp_buf_put_u64(b, in->metadata);
        ofp_buf_put_u64(b, in->metadata_mask);
    }
    if (!error && HAS(in, OFPIT_GOTO_TABLE)) {
        ofp_buf_put_u16(b, OFPIT_GOTO_TABLE);
        ofp_buf_put_u16(b, 8);
        ofp_buf_put_u8(b, in->goto_table);
        ofp_buf_put_zeros(b, 3);
    }
    if (error) {
        b->len = start;
    }
    return error;
}

/* Fixed parts. */
#define OFP10_FLOW_MOD_LEN 72
#define OFP13_FLOW_MOD_LEN 48       /* Before the match. */
#define NX_FLOW_MOD_LEN    48       /* Before the NXM match. */

static enum ofp_err
check_command(uint16_t cmd, bool table_id_ext, struct ofp_flow_mod *fm)
{
    if (table_id_ext) {
        fm->table_id = (uint8_t) (cmd >> 8);
        cmd &= 0xff;
    } else {
        fm->table_id = OFPTT_ALL;
    }
    if (cmd > OFPFC_DELETE_STRICT) {
        return OFPERR_OFPFMFC_BAD_COMMAND;
    }
    fm->command = (enum ofp_fm_command) cmd;
    return OFPERR_NONE;
}

static enum ofp_err
check_of10_flags(uint16_t flags, const struct ofp_flow_mod *fm)
{
    if (flags & ~(OFPFF_SEND_FLOW_REM | OFPFF_CHECK_OVERLAP
                  | OFPFF10_EMERG)) {
        return OFPERR_OFPFMFC_BAD_FLAGS;
    }
    if (flags & OFPFF10_EMERG) {
        /* No emergency flow cache (as Open vSwitch). */
        return fm->idle_timeout || fm->hard_timeout
               ? OFPERR_OFPFMFC_BAD_EMERG_TIMEOUT : OFPERR_OFPFMFC_TABLE_FULL;
    }
    return OFPERR_NONE;
}

static enum ofp_err
decode_actions_as_apply(const uint8_t *p, size_t len,
                        struct ofp_flow_mod *fm)
{
    struct ofp_nx_metadata md;
    enum ofp_err err = ofp10_flow_actions_decode(p, len, &fm->insts.apply,
                                                 &md);
    if (!err && fm->insts.apply.n) {
        fm->insts.present = 1u << OFPIT_APPLY_ACTIONS;
    }
    if (!err && md.present) {
        fm->insts.present |= 1u << OFPIT_WRITE_METADATA;
        fm->insts.metadata = md.value;
        fm->insts.metadata_mask = md.mask;
    }
    return err;
}

/* The fields OpenFlow 1.0's flow_mod and NXT_FLOW_MOD share, in the same
 * order from the cookie at 'p' on: cookie, command, idle and hard
 * timeouts, priority, buffer id, 16-bit out_port, flags. */
static enum ofp_err
decode_of10_fields(const uint8_t *p, bool table_id_ext,
                   struct ofp_flow_mod *fm)
{
    fm->new_cookie = ofp_get_u64(p);
    fm->idle_timeout = ofp_get_u16(p + 10);
    fm->hard_timeout = ofp_get_u16(p + 12);
    fm->priority = ofp_get_u16(p + 14);
    fm->buffer_id = ofp_get_u32(p + 16);
    fm->out_port = ofp_port_from_16(ofp_get_u16(p + 20));
    fm->flags = ofp_get_u16(p + 22);
    enum ofp_err err = check_command(ofp_get_u16(p + 8), table_id_ext, fm);
    return err ? err : check_of10_flags(fm->flags, fm);
}

static enum ofp_err
decode_of10(const uint8_t *msg, size_t len, bool table_id_ext,
            struct ofp_flow_mod *fm)
{
    if (len < OFP10_FLOW_MOD_LEN) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    fm->format = OFP_FM_OF10;
    enum ofp_err err = ofp10_match_decode(msg + 8, &fm->match);
    if (err || (err = decode_of10_fields(msg + 48, table_id_ext, fm))) {
        return err;
    }
    return decode_actions_as_apply(msg + OFP10_FLOW_MOD_LEN,
                                   len - OFP10_FLOW_MOD_LEN, fm);
}

static enum ofp_err
decode_nxm(const uint8_t *msg, size_t len, bool table_id_ext,
           struct ofp_flow_mod *fm)
{
    if (len < NX_FLOW_MOD_LEN) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    fm->format = OFP_FM_NXM;
    enum ofp_err err = decode_of10_fields(msg + 16, table_id_ext, fm);
    if (err) {
        return err;
    }
    size_t match_len = ofp_get_u16(msg + 40);
    size_t padded = (match_len + 7) & ~(size_t) 7;
    if (padded > len - NX_FLOW_MOD_LEN) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    const uint8_t *m = msg + NX_FLOW_MOD_LEN;
    if (!ofp_is_zeros(m + match_len, padded - match_len)) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    if ((err = ofp_tlvs_decode_nx(m, match_len, &fm->match, &fm->cookie,
                                  &fm->cookie_mask))) {
        return err;
    }
    return decode_actions_as_apply(m + padded,
                                   len - NX_FLOW_MOD_LEN - padded, fm);
}

static enum ofp_err
decode_of13(const uint8_t *msg, size_t len, struct ofp_flow_mod *fm)
{
    if (len < OFP13_FLOW_MOD_LEN + 8) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    fm->format = OFP_FM_OF13;
    fm->cookie = fm->new_cookie = ofp_get_u64(msg + 8);
    fm->cookie_mask = ofp_get_u64(msg + 16);
    fm->table_id = msg[24];
    fm->idle_timeout = ofp_get_u16(msg + 26);
    fm->hard_timeout = ofp_get_u16(msg + 28);
    fm->priority = ofp_get_u16(msg + 30);
    fm->buffer_id = ofp_get_u32(msg + 32);
    fm->out_port = ofp_get_u32(msg + 36);
    fm->out_group = ofp_get_u32(msg + 40);
    fm->flags = ofp_get_u16(msg + 44);
    enum ofp_err err = check_command(msg[25], false, fm);
    fm->table_id = msg[24];
    if (err) {
        return err;
    }
    if (fm->flags & ~0x1f) {
        return OFPERR_OFPFMFC_BAD_FLAGS;
    }
    /* Only deletes may name every table (as ovs-ofctl reads it). */
    if (fm->table_id == OFPTT_ALL && fm->command != OFPFC_DELETE
        && fm->command != OFPFC_DELETE_STRICT) {
        return OFPERR_OFPFMFC_BAD_TABLE_ID;
    }
    size_t mlen;
    err = ofp13_match_decode(msg + OFP13_FLOW_MOD_LEN,
                             len - OFP13_FLOW_MOD_LEN, &fm->match, &mlen);
    if (err) {
        return err;
    }
    size_t ofs = OFP13_FLOW_MOD_LEN + mlen;
    return ofp13_insts_decode(msg + ofs, len - ofs, fm->table_id, 0,
                              &fm->insts);
}

void
ofp_flow_mod_init(struct ofp_flow_mod *fm, enum ofp_fm_format format,
                  enum ofp_fm_command command)
{
    memset(fm, 0, sizeof *fm);
    fm->format = format;
    fm->command = command;
    fm->buffer_id = OFP_NO_BUFFER;
    fm->out_port = OFPP_ANY;
    fm->out_group = OFPG_ANY;
    ofp_match_init(&fm->match);
    ofp_insts_init(&fm->insts);
}

enum ofp_err
ofp_flow_mod_decode(const uint8_t *msg, size_t len, bool table_id_ext,
                    struct ofp_flow_mod *fm)
{
    ofp_flow_mod_init(fm, OFP_FM_OF13, OFPFC_ADD);
    fm->buffer_id = 0;
    fm->out_port = 0;
    if (len < OFP_HEADER_LEN || ofp_get_u16(msg + 2) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint8_t version = msg[0], type = msg[1];
    enum ofp_err err;
    if (version == OFP10_VERSION && type == OFPT_FLOW_MOD) {
        err = decode_of10(msg, len, table_id_ext, fm);
    } else if (version == OFP13_VERSION && type == OFPT_FLOW_MOD) {
        err = decode_of13(msg, len, fm);
    } else if (type == OFPT_VENDOR) {
        if (len < 16) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        if (ofp_get_u32(msg + 8) != OFP_NX_VENDOR) {
            return OFPERR_OFPBRC_BAD_VENDOR;
        }
        if (ofp_get_u32(msg + 12) != NXT_FLOW_MOD) {
            return OFPERR_OFPBRC_BAD_SUBTYPE;
        }
        err = decode_nxm(msg, len, table_id_ext, fm);
    } else {
        return OFPERR_OFPBRC_BAD_TYPE;
    }
    if (!err) {
        err = ofp_actions_check(&fm->insts.apply, &fm->match, version);
    }
    if (!err) {
        err = ofp_actions_check(&fm->insts.write, &fm->match, version);
    }
    if (err) {
        ofp_flow_mod_free(fm);
    }
    return err;
}

void
ofp_flow_mod_free(struct ofp_flow_mod *fm)
{
    ofp_insts_free(&fm->insts);
}

static uint16_t
command_field(const struct ofp_flow_mod *fm, bool table_id_ext)
{
    uint16_t cmd = (uint16_t) fm->command;
    return table_id_ext ? (uint16_t) (fm->table_id << 8 | cmd) : cmd;
}

/* decode_of10_fields()'s fields. */
static void
put_of10_fields(struct ofp_buf *b, const struct ofp_flow_mod *fm,
                bool table_id_ext, uint16_t out_port)
{
    ofp_buf_put_u64(b, fm->new_cookie);
    ofp_buf_put_u16(b, command_field(fm, table_id_ext));
    ofp_buf_put_u16(b, fm->idle_timeout);
    ofp_buf_put_u16(b, fm->hard_timeout);
    ofp_buf_put_u16(b, fm->priority);
    ofp_buf_put_u32(b, fm->buffer_id);
    ofp_buf_put_u16(b, out_port);
    ofp_buf_put_u16(b, fm->flags);
}

int
ofp10_insts_encode(struct ofp_buf *b, const struct ofp_insts *in)
{
    size_t start = b->len;
    int error = ofp_actions_encode(b, OFP10_VERSION, &in->apply);
    if (!error && HAS(in, OFPIT_WRITE_METADATA)) {
        ofp_nx_write_metadata_put(b, in->metadata, in->metadata_mask);
    }
    if (!error && HAS(in, OFPIT_GOTO_TABLE)) {
        struct ofp_actions go = OFP_ACTIONS_INIT;
        struct ofp_action *a = ofp_actions_put(&go, OFPACT_RESUBMIT);
        a->resubmit.in_port = OFPP_IN_PORT;
        a->resubmit.table = in->goto_table;
        error = ofp_actions_encode(b, OFP10_VERSION, &go);
        ofp_actions_free(&go);
    }
    if (error) {
        b->len = start;
    }
    return error;
}

int
ofp_flow_mod_encode(struct ofp_buf *b, enum ofp_fm_format format,
                    bool table_id_ext, uint32_t xid,
                    const struct ofp_flow_mod *fm)
{
    size_t start = b->len;
    int error = 0;
    int32_t out_port = ofp_port_to_16(fm->out_port);
    if (format != OFP_FM_OF13
        && (out_port < 0 || fm->flags & ~(OFPFF_SEND_FLOW_REM
                                          | OFPFF_CHECK_OVERLAP))) {
        return -ENOTSUP;
    }
    if (format == OFP_FM_OF10 && fm->cookie_mask) {
        return -ENOTSUP;                /* No cookie filter in OF1.0. */
    }
    if (format == OFP_FM_OF10) {
        uint8_t m[OFP10_MATCH_LEN];
        if (ofp10_match_encode(&fm->match, m)) {
            return -ENOTSUP;
        }
        ofp_header_put(b, OFP10_VERSION, OFPT_FLOW_MOD, xid);
        ofp_buf_put(b, m, sizeof m);
        put_of10_fields(b, fm, table_id_ext, (uint16_t) out_port);
        error = ofp10_insts_encode(b, &fm->insts);
    } else if (format == OFP_FM_NXM) {
        ofp_header_put(b, OFP10_VERSION, OFPT_VENDOR, xid);
        ofp_buf_put_u32(b, OFP_NX_VENDOR);
        ofp_buf_put_u32(b, NXT_FLOW_MOD);
        put_of10_fields(b, fm, table_id_ext, (uint16_t) out_port);
        size_t len_ofs = b->len;
        ofp_buf_put_zeros(b, 8);
        size_t mstart = b->len;
        size_t n = ofp_tlvs_encode_nx(b, &fm->match, fm->cookie,
                                      fm->cookie_mask);
        ofp_buf_set_u16(b, len_ofs, (uint16_t) n);
        ofp_buf_pad8(b, mstart);
        error = ofp10_insts_encode(b, &fm->insts);
    } else {
        ofp_header_put(b, OFP13_VERSION, OFPT_FLOW_MOD, xid);
        /* One cookie: the new one for an add, else the filter's. */
        ofp_buf_put_u64(b, fm->command == OFPFC_ADD ? fm->new_cookie
                                                    : fm->cookie);
        ofp_buf_put_u64(b, fm->cookie_mask);
        /* OF1.0's "add to (or modify in) any table": OF1.3 only deletes
         * in every table, the others go to table 0, as OVS sends them. */
        bool all_ok = fm->command == OFPFC_DELETE
                      || fm->command == OFPFC_DELETE_STRICT;
        ofp_buf_put_u8(b, fm->table_id == OFPTT_ALL && !all_ok
                          ? 0 : fm->table_id);
        ofp_buf_put_u8(b, (uint8_t) fm->command);
        ofp_buf_put_u16(b, fm->idle_timeout);
        ofp_buf_put_u16(b, fm->hard_timeout);
        ofp_buf_put_u16(b, fm->priority);
        ofp_buf_put_u32(b, fm->buffer_id);
        ofp_buf_put_u32(b, fm->out_port);
        ofp_buf_put_u32(b, fm->out_group);
        ofp_buf_put_u16(b, fm->flags);
        ofp_buf_put_zeros(b, 2);
        ofp13_match_encode(b, &fm->match);
        error = ofp13_insts_encode(b, &fm->insts, &fm->match);
    }
    if (!error) {
        error = ofp_msg_finish(b, start) ? -ENOTSUP : 0;
    }
    if (error) {
        b->len = start;
    }
    return error;
}

enum ofp_err
nx_flow_mod_table_id_decode(const uint8_t *msg, size_t len, bool *enable)
{
    if (len != 24 || ofp_get_u16(msg + 2) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    *enable = msg[16] != 0;
    return OFPERR_NONE;
}
