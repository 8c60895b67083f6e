/* ofp_mp: multipart requests and the desc/table/port replies. */
#include "ofproto/ofp_mp.h"

#include <errno.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_field.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_msg.h"

enum ofp_err
ofp_mp_request_parse(const uint8_t *msg, size_t len,
                     struct ofp_mp_request *r)
{
    memset(r, 0, sizeof *r);
    if (len < OFP_HEADER_LEN || ofp_get_u16(msg + 2) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    r->version = msg[0];
    size_t hdr;
    uint16_t max_type;
    if (msg[0] == OFP10_VERSION && msg[1] == OFPT10_STATS_REQUEST) {
        hdr = 12;
        max_type = OFPMP_QUEUE;
    } else if (msg[0] == OFP13_VERSION
               && msg[1] == OFPT13_MULTIPART_REQUEST) {
        hdr = 16;
        max_type = OFPMP_PORT_DESC;
    } else {
        return OFPERR_OFPBRC_BAD_TYPE;
    }
    if (len < hdr) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint16_t type = ofp_get_u16(msg + 8);
    r->flags = ofp_get_u16(msg + 10);
    if (type == OFPMP_EXPERIMENTER) {
        if (len < hdr + 8) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        if (ofp_get_u32(msg + hdr) != OFP_NX_VENDOR) {
            return OFPERR_OFPBRC_BAD_VENDOR;
        }
        r->nx_subtype = ofp_get_u32(msg + hdr + 4);
        hdr += msg[0] == OFP10_VERSION ? 12 : 8;    /* OF1.0: pad too. */
        if (len < hdr) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
    } else if (type > max_type
               && !(type == OFPMP_PORT_DESC && msg[0] == OFP10_VERSION)) {
        /* (OVS gives OpenFlow 1.0 port-desc too.) */
        return OFPERR_OFPBRC_BAD_STAT;
    }
    r->type = (enum ofp_mp_type) type;
    r->body = msg + hdr;
    r->body_len = len - hdr;
    /* The requests with no body. */
    if ((type == OFPMP_DESC || type == OFPMP_PORT_DESC
         || (type == OFPMP_TABLE)) && r->body_len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    return OFPERR_NONE;
}

enum ofp_err
ofp_port_stats_request_port(const struct ofp_mp_request *r,
                            uint32_t *port_no)
{
    if (r->body_len != 8) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    *port_no = r->version == OFP10_VERSION
               ? ofp_port_from_16(ofp_get_u16(r->body))
               : ofp_get_u32(r->body);
    return OFPERR_NONE;
}

void
ofp13_mp_request_encode(struct ofp_buf *b, enum ofp_mp_type type,
                        uint32_t xid, const void *body, size_t len)
{
    size_t start = ofp_header_put(b, OFP13_VERSION, OFPT13_MULTIPART_REQUEST,
                                  xid);
    ofp_buf_put_u16(b, (uint16_t) type);
    ofp_buf_put_u16(b, 0);
    ofp_buf_put_zeros(b, 4);
    ofp_buf_put(b, body, len);
    ofp_msg_finish(b, start);
}

size_t
ofp_mp_reply_start(struct ofp_buf *b, uint8_t version, enum ofp_mp_type type,
                   uint32_t xid)
{
    size_t start = ofp_header_put(b, version, version == OFP10_VERSION
                                              ? OFPT10_STATS_REPLY
                                              : OFPT13_MULTIPART_REPLY,
                                  xid);
    ofp_buf_put_u16(b, (uint16_t) type);
    ofp_buf_put_u16(b, 0);
    if (version != OFP10_VERSION) {
        ofp_buf_put_zeros(b, 4);
    }
    return start;
}

/* A NUL-padded string field of 'n' bytes (truncated to n - 1). */
static void
put_str(struct ofp_buf *b, const char *s, size_t n)
{
    size_t len = s ? strnlen(s, n - 1) : 0;
    ofp_buf_put(b, s, len);
    ofp_buf_put_zeros(b, n - len);
}

void
ofp_desc_put(struct ofp_buf *b, const struct ofp_desc *d)
{
    put_str(b, d->mfr_desc, 256);
    put_str(b, d->hw_desc, 256);
    put_str(b, d->sw_desc, 256);
    put_str(b, d->serial_num, 32);
    put_str(b, d->dp_desc, 256);
}

/* OpenFlow 1.0 wildcards a table supports: all of them. */
#define OFPFW10_ALL ((1u << 22) - 1)

void
ofp_table_stats_put(struct ofp_buf *b, uint8_t version,
                    const struct ofp_table_stats *t)
{
    ofp_buf_put_u8(b, t->table_id);
    ofp_buf_put_zeros(b, 3);
    if (version == OFP10_VERSION) {
        put_str(b, t->name, 32);
        ofp_buf_put_u32(b, OFPFW10_ALL);
        ofp_buf_put_u32(b, t->max_entries);
    }
    ofp_buf_put_u32(b, t->active_count);
    ofp_buf_put_u64(b, t->lookup_count);
    ofp_buf_put_u64(b, t->matched_count);
}

int
ofp_port_stats_put(struct ofp_buf *b, uint8_t version,
                   const struct ofp_port_stats *p)
{
    if (version == OFP10_VERSION) {
        int32_t port = ofp_port_to_16(p->port_no);
        if (port < 0) {
            return -ENOTSUP;
        }
        ofp_buf_put_u16(b, (uint16_t) port);
        ofp_buf_put_zeros(b, 6);
    } else {
        ofp_buf_put_u32(b, p->port_no);
        ofp_buf_put_zeros(b, 4);
    }
    const uint64_t c[] = {
        p->rx_packets, p->tx_packets, p->rx_bytes, p->tx_bytes,
        p->rx_dropped, p->tx_dropped, p->rx_errors, p->tx_errors,
        p->rx_frame_err, p->rx_over_err, p->rx_crc_err, p->collisions,
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        ofp_buf_put_u64(b, c[i]);
    }
    if (version != OFP10_VERSION) {
        ofp_buf_put_u32(b, p->duration_sec);
        ofp_buf_put_u32(b, p->duration_nsec);
    }
    return 0;
}

/* Table feature property types. */
enum {
    OFPTFPT_INSTRUCTIONS = 0, OFPTFPT_NEXT_TABLES = 2,
    OFPTFPT_WRITE_ACTIONS = 4, OFPTFPT_APPLY_ACTIONS = 6,
    OFPTFPT_MATCH = 8, OFPTFPT_WILDCARDS = 10,
    OFPTFPT_WRITE_SETFIELD = 12, OFPTFPT_APPLY_SETFIELD = 14,
};

/* The OpenFlow 1.3 action types ofp_actions decodes. */
static const uint16_t of13_actions[] = {
    0, 11, 12, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
};

static size_t
prop_start(struct ofp_buf *b, uint16_t type)
{
    size_t start = b->len;
    ofp_buf_put_u16(b, type);
    ofp_buf_put_u16(b, 0);
    return start;
}

static void
prop_end(struct ofp_buf *b, size_t start)
{
    ofp_buf_set_u16(b, start + 2, (uint16_t) (b->len - start));
    ofp_buf_pad8(b, start);
}

/* A property for a table and its table-miss twin (type + 1). */
static void
put_fields(struct ofp_buf *b, uint16_t type, bool writable_only)
{
    size_t s = prop_start(b, type);
    for (int id = 0; id < MF_N_IDS; id++) {
        const struct mf_field *mf = mf_from_id((enum mf_id) id);
        if (!writable_only || mf->writable) {
            mf_put_header(b, OFP_TLV_OXM, mf, false);
        }
    }
    prop_end(b, s);
}

static void
put_ids(struct ofp_buf *b, uint16_t type, const uint16_t *ids, size_t n)
{
    size_t s = prop_start(b, type);
    for (size_t i = 0; i < n; i++) {
        ofp_buf_put_u16(b, ids[i]);
        ofp_buf_put_u16(b, 4);
    }
    prop_end(b, s);
}

void
ofp13_table_features_put(struct ofp_buf *b,
                         const struct ofp_table_features *tf)
{
    static const uint16_t insts[] = {
        OFPIT_GOTO_TABLE, OFPIT_WRITE_METADATA, OFPIT_WRITE_ACTIONS,
        OFPIT_APPLY_ACTIONS, OFPIT_CLEAR_ACTIONS,
    };
    size_t n_acts = sizeof of13_actions / sizeof of13_actions[0];
    size_t start = b->len;
    ofp_buf_put_u16(b, 0);
    ofp_buf_put_u8(b, tf->table_id);
    ofp_buf_put_zeros(b, 5);
    put_str(b, tf->name, 32);
    ofp_buf_put_u64(b, tf->metadata_match);
    ofp_buf_put_u64(b, tf->metadata_write);
    ofp_buf_put_u32(b, 0);                      /* config. */
    ofp_buf_put_u32(b, tf->max_entries);
    for (uint16_t miss = 0; miss < 2; miss++) {
        /* The last table cannot go anywhere: no goto_table there. */
        size_t n_insts = sizeof insts / sizeof insts[0];
        put_ids(b, OFPTFPT_INSTRUCTIONS + miss,
                tf->table_id < OFPTT_MAX ? insts : insts + 1,
                tf->table_id < OFPTT_MAX ? n_insts : n_insts - 1);
        size_t s = prop_start(b, OFPTFPT_NEXT_TABLES + miss);
        for (unsigned int t = tf->table_id + 1u; t <= OFPTT_MAX; t++) {
            ofp_buf_put_u8(b, (uint8_t) t);
        }
        prop_end(b, s);
        put_ids(b, OFPTFPT_WRITE_ACTIONS + miss, of13_actions, n_acts);
        put_ids(b, OFPTFPT_APPLY_ACTIONS + miss, of13_actions, n_acts);
    }
    put_fields(b, OFPTFPT_MATCH, false);
    put_fields(b, OFPTFPT_WILDCARDS, false);
    for (uint16_t miss = 0; miss < 2; miss++) {
        put_fields(b, OFPTFPT_WRITE_SETFIELD + miss, true);
        put_fields(b, OFPTFPT_APPLY_SETFIELD + miss, true);
    }
    ofp_buf_set_u16(b, start, (uint16_t) (b->len - start));
}
