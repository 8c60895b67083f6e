/* ofp_ctrl: echo, barrier, features, config, role, Nicira formats and
 * ports. */
#include "ofproto/ofp_ctrl.h"

#include <errno.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_field.h"
#include "ofproto/ofp_mp.h"
#include "ofproto/ofp_msg.h"

void
ofp_echo_reply_encode(struct ofp_buf *b, const uint8_t *req, size_t len)
{
    size_t start = ofp_header_put(b, req[0], OFPT_ECHO_REPLY,
                                  ofp_get_u32(req + 4));
    ofp_buf_put(b, req + OFP_HEADER_LEN, len - OFP_HEADER_LEN);
    ofp_msg_finish(b, start);
}

void
ofp_barrier_reply_encode(struct ofp_buf *b, uint8_t version, uint32_t xid)
{
    ofp_header_put(b, version, version == OFP10_VERSION
                               ? OFPT10_BARRIER_REPLY : OFPT13_BARRIER_REPLY,
                   xid);
}

/* OpenFlow 1.0 numbers the features after 10GB_FD differently. */
static uint32_t
features_to_of10(uint32_t f)
{
    return (f & 0x7f) | (f & (OFPPF_COPPER | OFPPF_FIBER | OFPPF_AUTONEG
                              | OFPPF_PAUSE | OFPPF_PAUSE_ASYM)) >> 4;
}

static uint32_t
features_from_of10(uint32_t f)
{
    return (f & 0x7f) | (f & 0xf80) << 4;
}

int
ofp_port_put(struct ofp_buf *b, uint8_t version, const struct ofp_port *p)
{
    if (version == OFP10_VERSION) {
        int32_t port = ofp_port_to_16(p->port_no);
        if (port < 0) {
            return -ENOTSUP;
        }
        ofp_buf_put_u16(b, (uint16_t) port);
        ofp_buf_put(b, p->hw_addr, 6);
        ofp_buf_put(b, p->name, 16);
        ofp_buf_put_u32(b, p->config & (OFPPC_PORT_DOWN | OFPPC_NO_RECV
                                        | OFPPC_NO_FWD
                                        | OFPPC_NO_PACKET_IN));
        ofp_buf_put_u32(b, p->state & OFPPS_LINK_DOWN);
        ofp_buf_put_u32(b, features_to_of10(p->curr));
        ofp_buf_put_u32(b, features_to_of10(p->advertised));
        ofp_buf_put_u32(b, features_to_of10(p->supported));
        ofp_buf_put_u32(b, features_to_of10(p->peer));
        return 0;
    }
    ofp_buf_put_u32(b, p->port_no);
    ofp_buf_put_zeros(b, 4);
    ofp_buf_put(b, p->hw_addr, 6);
    ofp_buf_put_zeros(b, 2);
    ofp_buf_put(b, p->name, 16);
    ofp_buf_put_u32(b, p->config);
    ofp_buf_put_u32(b, p->state);
    ofp_buf_put_u32(b, p->curr);
    ofp_buf_put_u32(b, p->advertised);
    ofp_buf_put_u32(b, p->supported);
    ofp_buf_put_u32(b, p->peer);
    ofp_buf_put_u32(b, p->curr_speed);
    ofp_buf_put_u32(b, p->max_speed);
    return 0;
}

void
ofp13_port_decode(const uint8_t *p, struct ofp_port *port)
{
    memset(port, 0, sizeof *port);
    port->port_no = ofp_get_u32(p);
    memcpy(port->hw_addr, p + 8, 6);
    memcpy(port->name, p + 16, 16);
    uint32_t *v[] = {
        &port->config, &port->state, &port->curr, &port->advertised,
        &port->supported, &port->peer, &port->curr_speed, &port->max_speed,
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        *v[i] = ofp_get_u32(p + 32 + 4 * i);
    }
}

static int
finish_or_undo(struct ofp_buf *b, size_t start, int error)
{
    if (!error && ofp_msg_finish(b, start)) {
        error = -ENOTSUP;
    }
    if (error) {
        b->len = start;
    }
    return error;
}

int
ofp_port_status_encode(struct ofp_buf *b, uint8_t version, uint32_t xid,
                       enum ofp_port_reason reason, const struct ofp_port *p)
{
    size_t start = ofp_header_put(b, version, OFPT_PORT_STATUS, xid);
    ofp_buf_put_u8(b, (uint8_t) reason);
    ofp_buf_put_zeros(b, 7);
    return finish_or_undo(b, start, ofp_port_put(b, version, p));
}

int
ofp_port_desc_reply_encode(struct ofp_buf *b, uint8_t version, uint32_t xid,
                           const struct ofp_port *ports, size_t n, bool more)
{
    size_t start = ofp_header_put(b, version, version == OFP10_VERSION
                                              ? OFPT10_STATS_REPLY
                                              : OFPT13_MULTIPART_REPLY,
                                  xid);
    ofp_buf_put_u16(b, OFPMP_PORT_DESC);
    ofp_buf_put_u16(b, more ? 1 : 0);
    if (version != OFP10_VERSION) {
        ofp_buf_put_zeros(b, 4);
    }
    int error = 0;
    for (size_t i = 0; i < n && !error; i++) {
        error = ofp_port_put(b, version, &ports[i]);
    }
    return finish_or_undo(b, start, error);
}

/* The OpenFlow 1.0 actions Sluice supports, as a bitmap of their types:
 * output through enqueue (0-11). */
#define OF10_ACTIONS 0xfff

int
ofp_features_reply_encode(struct ofp_buf *b, uint8_t version, uint32_t xid,
                          const struct ofp_features *f,
                          const struct ofp_port *ports, size_t n)
{
    size_t start = ofp_header_put(b, version, OFPT_FEATURES_REPLY, xid);
    ofp_buf_put_u64(b, f->datapath_id);
    ofp_buf_put_u32(b, f->n_buffers);
    ofp_buf_put_u8(b, f->n_tables);
    int error = 0;
    if (version == OFP10_VERSION) {
        ofp_buf_put_zeros(b, 3);
        ofp_buf_put_u32(b, f->capabilities & (OFPC_FLOW_STATS
                                              | OFPC_TABLE_STATS
                                              | OFPC_PORT_STATS
                                              | OFPC_IP_REASM
                                              | OFPC_QUEUE_STATS));
        ofp_buf_put_u32(b, OF10_ACTIONS);
        for (size_t i = 0; i < n && !error; i++) {
            error = ofp_port_put(b, version, &ports[i]);
        }
    } else {
        ofp_buf_put_u8(b, 0);                   /* auxiliary_id. */
        ofp_buf_put_zeros(b, 2);
        ofp_buf_put_u32(b, f->capabilities);
        ofp_buf_put_u32(b, 0);
    }
    return finish_or_undo(b, start, error);
}

enum ofp_err
ofp_set_config_decode(const uint8_t *msg, size_t len,
                      struct ofp_switch_config *c)
{
    if (len != 12 || ofp_get_u16(msg + 2) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    c->flags = ofp_get_u16(msg + 8);
    c->miss_send_len = ofp_get_u16(msg + 10);
    if (c->flags & ~OFPC_FRAG_MASK && msg[0] == OFP13_VERSION) {
        return OFPERR_OFPSCFC_BAD_FLAGS;
    }
    c->flags &= OFPC_FRAG_MASK;     /* OF1.0 has no error for it. */
    return OFPERR_NONE;
}

void
ofp_get_config_reply_encode(struct ofp_buf *b, uint8_t version, uint32_t xid,
                            const struct ofp_switch_config *c)
{
    size_t start = ofp_header_put(b, version, OFPT_GET_CONFIG_REPLY, xid);
    ofp_buf_put_u16(b, c->flags);
    ofp_buf_put_u16(b, c->miss_send_len);
    ofp_msg_finish(b, start);
}

enum ofp_err
ofp_role_request_decode(const uint8_t *msg, size_t len, enum ofp_role *role,
                        uint64_t *generation_id)
{
    if (len != 24 || ofp_get_u16(msg + 2) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint32_t r = ofp_get_u32(msg + 8);
    if (r > OFPCR_ROLE_SLAVE) {
        return OFPERR_OFPRRFC_BAD_ROLE;
    }
    *role = (enum ofp_role) r;
    *generation_id = ofp_get_u64(msg + 16);
    return OFPERR_NONE;
}

void
ofp_role_reply_encode(struct ofp_buf *b, uint32_t xid, enum ofp_role role,
                      uint64_t generation_id)
{
    size_t start = ofp_header_put(b, OFP13_VERSION, OFPT13_ROLE_REPLY, xid);
    ofp_buf_put_u32(b, (uint32_t) role);
    ofp_buf_put_zeros(b, 4);
    ofp_buf_put_u64(b, generation_id);
    ofp_msg_finish(b, start);
}

enum ofp_err
nx_msg_subtype(const uint8_t *msg, size_t len, uint32_t *subtype)
{
    if (len < 16 || ofp_get_u16(msg + 2) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    if (ofp_get_u32(msg + 8) != OFP_NX_VENDOR) {
        return OFPERR_OFPBRC_BAD_VENDOR;
    }
    *subtype = ofp_get_u32(msg + 12);
    return OFPERR_NONE;
}

/* The format (a u32 after the Nicira header, in a 20-byte message) that
 * must be one of the bits of 'valid'. */
static enum ofp_err
nx_format_decode(const uint8_t *msg, size_t len, uint32_t valid,
                 uint32_t *v)
{
    if (len != 20 || ofp_get_u16(msg + 2) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    *v = ofp_get_u32(msg + 16);
    return *v < 32 && valid >> *v & 1 ? OFPERR_NONE : OFPERR_OFPBRC_EPERM;
}

enum ofp_err
nx_set_flow_format_decode(const uint8_t *msg, size_t len,
                          enum nx_flow_format *f)
{
    uint32_t v = 0;
    enum ofp_err err = nx_format_decode(msg, len, 1u << NXFF_OPENFLOW10
                                                  | 1u << NXFF_NXM, &v);
    if (!err) {
        *f = (enum nx_flow_format) v;
    }
    return err;
}

enum ofp_err
nx_set_packet_in_format_decode(const uint8_t *msg, size_t len,
                               enum nx_packet_in_format *f)
{
    uint32_t v = 0;
    enum ofp_err err = nx_format_decode(msg, len, 7, &v);
    if (!err) {
        *f = (enum nx_packet_in_format) v;
    }
    return err;
}

enum ofp_err
ofp_port_mod_decode(const uint8_t *msg, size_t len, struct ofp_port_mod *pm)
{
    bool of10 = msg[0] == OFP10_VERSION;
    size_t want = of10 ? 32 : 40;
    if (len != want || ofp_get_u16(msg + 2) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    const uint8_t *p = msg + OFP_HEADER_LEN;
    if (of10) {
        pm->port_no = ofp_port_from_16(ofp_get_u16(p));
        memcpy(pm->hw_addr, p + 2, 6);
        p += 8;
    } else {
        pm->port_no = ofp_get_u32(p);
        memcpy(pm->hw_addr, p + 8, 6);
        p += 16;
    }
    pm->config = ofp_get_u32(p);
    pm->mask = ofp_get_u32(p + 4);
    pm->advertise = ofp_get_u32(p + 8);
    if (of10) {
        pm->advertise = features_from_of10(pm->advertise);
    }
    if (pm->port_no == 0 || (pm->port_no >= 0xff00
                             && pm->port_no != OFPP_LOCAL)) {
        return OFPERR_OFPPMFC_BAD_PORT;
    }
    uint32_t known = OFPPC_PORT_DOWN | OFPPC_NO_RECV | OFPPC_NO_FWD
                     | OFPPC_NO_PACKET_IN;
    if (!of10 && (pm->config | pm->mask) & ~known) {
        return OFPERR_OFPPMFC_BAD_CONFIG;
    }
    return OFPERR_NONE;
}

enum ofp_err
ofp_set_async_decode(const uint8_t *msg, size_t len,
                     struct ofp_async_config *ac)
{
    if (len != 32 || ofp_get_u16(msg + 2) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    for (int i = 0; i < 2; i++) {
        ac->packet_in[i] = ofp_get_u32(msg + 8 + 4 * i);
        ac->port_status[i] = ofp_get_u32(msg + 16 + 4 * i);
        ac->flow_removed[i] = ofp_get_u32(msg + 24 + 4 * i);
    }
    return OFPERR_NONE;
}

void
ofp_get_async_reply_encode(struct ofp_buf *b, uint32_t xid,
                           const struct ofp_async_config *ac)
{
    size_t start = ofp_header_put(b, OFP13_VERSION, OFPT13_GET_ASYNC_REPLY,
                                  xid);
    for (int i = 0; i < 2; i++) {
        ofp_buf_put_u32(b, ac->packet_in[i]);
    }
    for (int i = 0; i < 2; i++) {
        ofp_buf_put_u32(b, ac->port_status[i]);
    }
    for (int i = 0; i < 2; i++) {
        ofp_buf_put_u32(b, ac->flow_removed[i]);
    }
    ofp_msg_finish(b, start);
}
