/* ofp_stats: flow and aggregate statistics. */
#include "ofproto/ofp_stats.h"

#include <errno.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_msg.h"

#define OFPST_FLOW       1
#define OFPST_AGGREGATE  2
#define OFPST_VENDOR     0xffff
#define NXST_FLOW        0
#define NXST_AGGREGATE   1
#define OFPSF_REPLY_MORE 1

/* Where the body starts after each form's statistics header. */
#define OF10_STATS_HDR   12
#define NX_STATS_HDR     24
#define OF13_STATS_HDR   16

#define OF10_FLOW_REQ_LEN 44    /* match, table_id, pad, out_port. */
#define NX_FLOW_REQ_LEN   8     /* out_port, match_len, table_id, pad. */
#define OF13_FLOW_REQ_LEN 32    /* Before the match. */

static enum ofp_err
decode_of10(const uint8_t *msg, size_t len,
            struct ofp_flow_stats_request *r)
{
    if (len != OF10_STATS_HDR + OF10_FLOW_REQ_LEN) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    const uint8_t *p = msg + OF10_STATS_HDR;
    r->table_id = p[40];
    r->out_port = ofp_port_from_16(ofp_get_u16(p + 42));
    return ofp10_match_decode(p, &r->match);
}

static enum ofp_err
decode_nx(const uint8_t *msg, size_t len, struct ofp_flow_stats_request *r)
{
    if (len < NX_STATS_HDR + NX_FLOW_REQ_LEN) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    if (ofp_get_u32(msg + 12) != OFP_NX_VENDOR) {
        return OFPERR_OFPBRC_BAD_VENDOR;
    }
    uint32_t subtype = ofp_get_u32(msg + 16);
    if (subtype != NXST_FLOW && subtype != NXST_AGGREGATE) {
        return OFPERR_OFPBRC_BAD_SUBTYPE;
    }
    r->format = OFP_STATS_NX;
    r->aggregate = subtype == NXST_AGGREGATE;
    const uint8_t *p = msg + NX_STATS_HDR;
    r->out_port = ofp_port_from_16(ofp_get_u16(p));
    size_t match_len = ofp_get_u16(p + 2);
    r->table_id = p[4];
    size_t padded = (match_len + 7) & ~(size_t) 7;
    if (len != NX_STATS_HDR + NX_FLOW_REQ_LEN + padded) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    const uint8_t *m = p + NX_FLOW_REQ_LEN;
    if (!ofp_is_zeros(m + match_len, padded - match_len)) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    return ofp_tlvs_decode_nx(m, match_len, &r->match, &r->cookie,
                              &r->cookie_mask);
}

static enum ofp_err
decode_of13(const uint8_t *msg, size_t len,
            struct ofp_flow_stats_request *r)
{
    if (len < OF13_STATS_HDR + OF13_FLOW_REQ_LEN) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    const uint8_t *p = msg + OF13_STATS_HDR;
    r->table_id = p[0];
    r->out_port = ofp_get_u32(p + 4);
    r->out_group = ofp_get_u32(p + 8);
    r->cookie = ofp_get_u64(p + 16);
    r->cookie_mask = ofp_get_u64(p + 24);
    size_t used;
    size_t rest = len - OF13_STATS_HDR - OF13_FLOW_REQ_LEN;
    enum ofp_err err = ofp13_match_decode(p + OF13_FLOW_REQ_LEN, rest,
                                          &r->match, &used);
    if (!err && used != rest) {
        err = OFPERR_OFPBRC_BAD_LEN;
    }
    return err;
}

enum ofp_err
ofp_flow_stats_request_decode(const uint8_t *msg, size_t len,
                              struct ofp_flow_stats_request *r)
{
    memset(r, 0, sizeof *r);
    ofp_match_init(&r->match);
    r->out_group = OFPG_ANY;
    if (len < OF10_STATS_HDR || ofp_get_u16(msg + 2) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint16_t type = ofp_get_u16(msg + 8);
    if (msg[0] == OFP10_VERSION && msg[1] == OFPT10_STATS_REQUEST) {
        if (type == OFPST_VENDOR) {
            return decode_nx(msg, len, r);
        }
        if (type != OFPST_FLOW && type != OFPST_AGGREGATE) {
            return OFPERR_OFPBRC_BAD_STAT;
        }
        r->format = OFP_STATS_OF10;
        r->aggregate = type == OFPST_AGGREGATE;
        return decode_of10(msg, len, r);
    }
    if (msg[0] == OFP13_VERSION && msg[1] == OFPT13_MULTIPART_REQUEST) {
        if (type != OFPST_FLOW && type != OFPST_AGGREGATE) {
            return OFPERR_OFPBRC_BAD_STAT;
        }
        r->format = OFP_STATS_OF13;
        r->aggregate = type == OFPST_AGGREGATE;
        return decode_of13(msg, len, r);
    }
    return OFPERR_OFPBRC_BAD_TYPE;
}

/* The statistics header of each form; returns the message's offset. */
static size_t
put_stats_header(struct ofp_buf *b, enum ofp_stats_format fmt, bool reply,
                 bool aggregate, uint32_t xid)
{
    size_t start;
    uint16_t type = aggregate ? OFPST_AGGREGATE : OFPST_FLOW;
    if (fmt == OFP_STATS_OF13) {
        start = ofp_header_put(b, OFP13_VERSION, reply
                               ? OFPT13_MULTIPART_REPLY
                               : OFPT13_MULTIPART_REQUEST, xid);
        ofp_buf_put_u16(b, type);
        ofp_buf_put_zeros(b, 6);
        return start;
    }
    start = ofp_header_put(b, OFP10_VERSION, reply ? OFPT10_STATS_REPLY
                                                   : OFPT10_STATS_REQUEST,
                           xid);
    if (fmt == OFP_STATS_OF10) {
        ofp_buf_put_u16(b, type);
        ofp_buf_put_u16(b, 0);
        return start;
    }
    ofp_buf_put_u16(b, OFPST_VENDOR);
    ofp_buf_put_u16(b, 0);
    ofp_buf_put_u32(b, OFP_NX_VENDOR);
    ofp_buf_put_u32(b, aggregate ? NXST_AGGREGATE : NXST_FLOW);
    ofp_buf_put_zeros(b, 4);
    return start;
}

/* Appends 'm' as NXM TLVs padded to 8 bytes; returns the unpadded
 * length. */
static size_t
put_nx_match(struct ofp_buf *b, const struct ofp_match *m)
{
    size_t start = b->len;
    size_t n = ofp_tlvs_encode(b, OFP_TLV_NXM, m);
    ofp_buf_pad8(b, start);
    return n;
}

int
ofp_flow_stats_request_encode(struct ofp_buf *b, uint32_t xid,
                              const struct ofp_flow_stats_request *r)
{
    size_t start = put_stats_header(b, r->format, false, r->aggregate, xid);
    if (r->format == OFP_STATS_OF10) {
        uint8_t m[OFP10_MATCH_LEN];
        int32_t port = ofp_port_to_16(r->out_port);
        if (ofp10_match_encode(&r->match, m) || port < 0 || r->cookie_mask) {
            b->len = start;
            return -ENOTSUP;
        }
        ofp_buf_put(b, m, sizeof m);
        ofp_buf_put_u8(b, r->table_id);
        ofp_buf_put_u8(b, 0);
        ofp_buf_put_u16(b, (uint16_t) port);
    } else if (r->format == OFP_STATS_NX) {
        int32_t port = ofp_port_to_16(r->out_port);
        if (port < 0) {
            b->len = start;
            return -ENOTSUP;
        }
        ofp_buf_put_u16(b, (uint16_t) port);
        size_t len_ofs = b->len;
        ofp_buf_put_u16(b, 0);
        ofp_buf_put_u8(b, r->table_id);
        ofp_buf_put_zeros(b, 3);
        size_t mstart = b->len;
        size_t n = ofp_tlvs_encode_nx(b, &r->match, r->cookie,
                                      r->cookie_mask);
        ofp_buf_pad8(b, mstart);
        ofp_buf_set_u16(b, len_ofs, (uint16_t) n);
    } else {
        ofp_buf_put_u8(b, r->table_id);
        ofp_buf_put_zeros(b, 3);
        ofp_buf_put_u32(b, r->out_port);
        ofp_buf_put_u32(b, r->out_group);
        ofp_buf_put_zeros(b, 4);
        ofp_buf_put_u64(b, r->cookie);
        ofp_buf_put_u64(b, r->cookie_mask);
        ofp13_match_encode(b, &r->match);
    }
    return ofp_msg_finish(b, start) ? -ENOTSUP : 0;
}

size_t
ofp_stats_reply_start(struct ofp_buf *b, enum ofp_stats_format fmt,
                      bool aggregate, uint32_t xid)
{
    return put_stats_header(b, fmt, true, aggregate, xid);
}

int
ofp_stats_reply_finish(struct ofp_buf *b, size_t start, bool more)
{
    if (more) {
        ofp_buf_set_u16(b, start + 10, OFPSF_REPLY_MORE);
    }
    return ofp_msg_finish(b, start);
}

void
ofp_aggregate_stats_put(struct ofp_buf *b, uint64_t packet_count,
                        uint64_t byte_count, uint32_t flow_count)
{
    ofp_buf_put_u64(b, packet_count);
    ofp_buf_put_u64(b, byte_count);
    ofp_buf_put_u32(b, flow_count);
    ofp_buf_put_zeros(b, 4);
}

/* The counters all forms end their fixed part with. */
static void
put_counters(struct ofp_buf *b, const struct ofp_flow_stats *fs)
{
    ofp_buf_put_u64(b, fs->cookie);
    ofp_buf_put_u64(b, fs->packet_count);
    ofp_buf_put_u64(b, fs->byte_count);
}

static void
put_times(struct ofp_buf *b, const struct ofp_flow_stats *fs)
{
    ofp_buf_put_u32(b, fs->duration_sec);
    ofp_buf_put_u32(b, fs->duration_nsec);
    ofp_buf_put_u16(b, fs->priority);
    ofp_buf_put_u16(b, fs->idle_timeout);
    ofp_buf_put_u16(b, fs->hard_timeout);
}

int
ofp_flow_stats_put(struct ofp_buf *b, enum ofp_stats_format fmt,
                   const struct ofp_flow_stats *fs)
{
    size_t start = b->len;
    int error = 0;
    ofp_buf_put_u16(b, 0);                      /* Length, below. */
    ofp_buf_put_u8(b, fs->table_id);
    ofp_buf_put_u8(b, 0);
    if (fmt == OFP_STATS_OF10) {
        uint8_t m[OFP10_MATCH_LEN];
        if (ofp10_match_encode(fs->match, m)) {
            error = -ENOTSUP;
        } else {
            ofp_buf_put(b, m, sizeof m);
            put_times(b, fs);
            ofp_buf_put_zeros(b, 6);
            put_counters(b, fs);
        }
    } else if (fmt == OFP_STATS_NX) {
        put_times(b, fs);
        size_t len_ofs = b->len;
        ofp_buf_put_u16(b, 0);
        ofp_buf_put_u16(b, fs->idle_age);
        ofp_buf_put_u16(b, fs->hard_age);
        put_counters(b, fs);
        ofp_buf_set_u16(b, len_ofs, (uint16_t) put_nx_match(b, fs->match));
    } else {
        put_times(b, fs);
        ofp_buf_put_u16(b, fs->flags);
        ofp_buf_put_zeros(b, 4);
        put_counters(b, fs);
        ofp13_match_encode(b, fs->match);
        error = ofp13_insts_encode(b, fs->insts, fs->match);
    }
    if (!error && fmt != OFP_STATS_OF13) {
        error = ofp10_insts_encode(b, fs->insts);
    }
    if (!error && b->len - start > 0xffff) {
        error = -ENOTSUP;
    }
    if (error) {
        b->len = start;
        return error;
    }
    ofp_buf_set_u16(b, start, (uint16_t) (b->len - start));
    return 0;
}

#define OF13_FLOW_STATS_LEN 48    /* Before the match. */

enum ofp_err
ofp13_flow_stats_decode(const uint8_t **pp, size_t *left,
                        struct ofp_flow_stats *fs, struct ofp_match *match,
                        struct ofp_insts *insts)
{
    const uint8_t *p = *pp;
    memset(fs, 0, sizeof *fs);
    ofp_match_init(match);
    ofp_insts_init(insts);
    fs->match = match;
    fs->insts = insts;
    if (*left < OF13_FLOW_STATS_LEN) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    size_t len = ofp_get_u16(p);
    if (len < OF13_FLOW_STATS_LEN || len > *left || len % 8) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    fs->table_id = p[2];
    fs->duration_sec = ofp_get_u32(p + 4);
    fs->duration_nsec = ofp_get_u32(p + 8);
    fs->priority = ofp_get_u16(p + 12);
    fs->idle_timeout = ofp_get_u16(p + 14);
    fs->hard_timeout = ofp_get_u16(p + 16);
    fs->flags = ofp_get_u16(p + 18);
    fs->cookie = ofp_get_u64(p + 24);
    fs->packet_count = ofp_get_u64(p + 32);
    fs->byte_count = ofp_get_u64(p + 40);
    size_t used;
    enum ofp_err err = ofp13_match_decode(p + OF13_FLOW_STATS_LEN,
                                          len - OF13_FLOW_STATS_LEN, match,
                                          &used);
    if (!err) {
        size_t at = OF13_FLOW_STATS_LEN + used;
        err = ofp13_insts_decode(p + at, len - at, fs->table_id, 0, insts);
    }
    if (!err) {
        *pp += len;
        *left -= len;
    }
    return err;
}

#define NXT_FLOW_REMOVED 14

/* What every flow-removed form has, in this order, after its match (or
 * before it): cookie, priority, reason, table id (OF1.3; else a pad),
 * duration, idle timeout. */
static void
put_removed(struct ofp_buf *b, const struct ofp_flow_stats *fs,
            enum ofp_flow_removed_reason reason, uint8_t table_id)
{
    ofp_buf_put_u64(b, fs->cookie);
    ofp_buf_put_u16(b, fs->priority);
    ofp_buf_put_u8(b, (uint8_t) reason);
    ofp_buf_put_u8(b, table_id);
    ofp_buf_put_u32(b, fs->duration_sec);
    ofp_buf_put_u32(b, fs->duration_nsec);
    ofp_buf_put_u16(b, fs->idle_timeout);
}

int
ofp_flow_removed_encode(struct ofp_buf *b, enum ofp_stats_format fmt,
                        uint32_t xid, enum ofp_flow_removed_reason reason,
                        const struct ofp_flow_stats *fs)
{
    size_t start;
    if (fmt != OFP_STATS_OF13 && reason > OFPRR_DELETE) {
        return -ENOTSUP;
    }
    if (fmt == OFP_STATS_OF10) {
        uint8_t m[OFP10_MATCH_LEN];
        if (ofp10_match_encode(fs->match, m)) {
            return -ENOTSUP;
        }
        start = ofp_header_put(b, OFP10_VERSION, OFPT_FLOW_REMOVED, xid);
        ofp_buf_put(b, m, sizeof m);
        put_removed(b, fs, reason, 0);
        ofp_buf_put_zeros(b, 2);
        ofp_buf_put_u64(b, fs->packet_count);
        ofp_buf_put_u64(b, fs->byte_count);
    } else if (fmt == OFP_STATS_NX) {
        start = ofp_header_put(b, OFP10_VERSION, OFPT_VENDOR, xid);
        ofp_buf_put_u32(b, OFP_NX_VENDOR);
        ofp_buf_put_u32(b, NXT_FLOW_REMOVED);
        put_removed(b, fs, reason, 0);
        size_t len_ofs = b->len;
        ofp_buf_put_u16(b, 0);
        ofp_buf_put_u64(b, fs->packet_count);
        ofp_buf_put_u64(b, fs->byte_count);
        ofp_buf_set_u16(b, len_ofs, (uint16_t) put_nx_match(b, fs->match));
    } else {
        start = ofp_header_put(b, OFP13_VERSION, OFPT_FLOW_REMOVED, xid);
        put_removed(b, fs, reason, fs->table_id);
        ofp_buf_put_u16(b, fs->hard_timeout);
        ofp_buf_put_u64(b, fs->packet_count);
        ofp_buf_put_u64(b, fs->byte_count);
        ofp13_match_encode(b, fs->match);
    }
    if (ofp_msg_finish(b, start)) {
        b->len = start;
        return -ENOTSUP;
    }
    return 0;
}
