/* ofp_packet: packet-out and packet-in. */
#include "ofproto/ofp_packet.h"

#include <errno.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_match.h"
#include "ofproto/ofp_msg.h"

#define OFP10_PACKET_OUT_LEN 16
#define OFP13_PACKET_OUT_LEN 24

enum ofp_err
ofp_packet_out_decode(const uint8_t *msg, size_t len,
                      struct ofp_packet_out *po)
{
    memset(po, 0, sizeof *po);
    if (len < OFP_HEADER_LEN || ofp_get_u16(msg + 2) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint8_t version = msg[0];
    size_t fixed = version == OFP10_VERSION ? OFP10_PACKET_OUT_LEN
                                            : OFP13_PACKET_OUT_LEN;
    if (len < fixed) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    po->buffer_id = ofp_get_u32(msg + 8);
    size_t acts_len;
    if (version == OFP10_VERSION) {
        po->in_port = ofp_port_from_16(ofp_get_u16(msg + 12));
        acts_len = ofp_get_u16(msg + 14);
    } else {
        po->in_port = ofp_get_u32(msg + 12);
        acts_len = ofp_get_u16(msg + 16);
    }
    /* A real port, or LOCAL, CONTROLLER or none (OF1.0's OFPP_NONE is
     * OFPP_ANY), as Open vSwitch allows. */
    if (ofp_port_to_16(po->in_port) < 0 || po->in_port == 0
        || (po->in_port >= 0xff00 && po->in_port != OFPP_LOCAL
            && po->in_port != OFPP_CONTROLLER && po->in_port != OFPP_ANY)) {
        return OFPERR_OFPBRC_BAD_PORT;
    }
    if (acts_len > len - fixed) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    enum ofp_err err = ofp_actions_decode(version, msg + fixed, acts_len,
                                          OFP_ACTS_PACKET_OUT, &po->actions);
    if (err) {
        ofp_packet_out_free(po);
        return err;
    }
    po->data = msg + fixed + acts_len;
    po->len = len - fixed - acts_len;
    return OFPERR_NONE;
}

void
ofp_packet_out_free(struct ofp_packet_out *po)
{
    ofp_actions_free(&po->actions);
}

int
ofp_packet_out_encode(struct ofp_buf *b, uint8_t version, uint32_t xid,
                      const struct ofp_packet_out *po)
{
    size_t start = ofp_header_put(b, version, OFPT_PACKET_OUT, xid);
    ofp_buf_put_u32(b, po->buffer_id);
    size_t len_ofs;
    if (version == OFP10_VERSION) {
        int32_t port = ofp_port_to_16(po->in_port);
        if (port < 0) {
            b->len = start;
            return -ENOTSUP;
        }
        ofp_buf_put_u16(b, (uint16_t) port);
        len_ofs = b->len;
        ofp_buf_put_u16(b, 0);
    } else {
        ofp_buf_put_u32(b, po->in_port);
        len_ofs = b->len;
        ofp_buf_put_zeros(b, 8);
    }
    size_t acts = b->len;
    int error = ofp_actions_encode(b, version, &po->actions);
    if (!error && b->len - acts <= 0xffff) {
        ofp_buf_set_u16(b, len_ofs, (uint16_t) (b->len - acts));
        ofp_buf_put(b, po->data, po->len);
        error = ofp_msg_finish(b, start) ? -ENOTSUP : 0;
    } else {
        error = -ENOTSUP;
    }
    if (error) {
        b->len = start;
    }
    return error;
}

int
ofp_packet_in_encode(struct ofp_buf *b, uint8_t version, uint32_t xid,
                     const struct ofp_packet_in *pi)
{
    size_t start = ofp_header_put(b, version, OFPT_PACKET_IN, xid);
    ofp_buf_put_u32(b, OFP_NO_BUFFER);
    ofp_buf_put_u16(b, pi->total_len);
    if (version == OFP10_VERSION) {
        int32_t port = ofp_port_to_16(pi->match->meta.in_port);
        if (port < 0 || pi->reason > OFPR_ACTION) {
            b->len = start;
            return -ENOTSUP;
        }
        ofp_buf_put_u16(b, (uint16_t) port);
        ofp_buf_put_u8(b, (uint8_t) pi->reason);
        ofp_buf_put_u8(b, 0);
    } else {
        ofp_buf_put_u8(b, (uint8_t) pi->reason);
        ofp_buf_put_u8(b, pi->table_id);
        ofp_buf_put_u64(b, pi->cookie);
        ofp13_match_encode(b, pi->match);
        ofp_buf_put_zeros(b, 2);
    }
    ofp_buf_put(b, pi->data, pi->len);
    if (ofp_msg_finish(b, start)) {
        b->len = start;
        return -ENOTSUP;
    }
    return 0;
}
