/* ofp_packet: packet-out (controller to switch) and packet-in (switch to
 * controller) for OpenFlow 1.0 and 1.3.
 *
 * A decoded packet-out borrows its frame from the message (valid while
 * the message is) and owns its action list, checked as an action list of
 * its version with output to OFPP_TABLE allowed.  Packet-ins are built
 * without a buffer (buffer_id OFP_NO_BUFFER): 'data' is the frame, at most
 * the max_len the controller asked for, and 'total_len' its full length.
 * OpenFlow 1.3 packet-ins carry the pipeline fields as an OXM match
 * (in_port always; metadata, registers and tunnel fields where set), as
 * Open vSwitch sends them. */
#ifndef SLUICE_OFP_PACKET_H
#define SLUICE_OFP_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "ofproto/ofp_actions.h"
#include "ofproto/ofp_err.h"

struct ofp_buf;

struct ofp_packet_out {
    uint32_t buffer_id;             /* OFP_NO_BUFFER: the frame follows. */
    uint32_t in_port;               /* 32-bit numbering; OFPP_CONTROLLER
                                     * or OFPP_ANY: none. */
    struct ofp_actions actions;
    const uint8_t *data;            /* Into the message. */
    size_t len;
};

/* Decodes the OFPT_PACKET_OUT 'msg' ('len' bytes, header included, of
 * version 1 or 4).  Errors: OFPBRC_BAD_LEN (short, or actions_len past
 * the end), OFPBRC_BAD_PORT (an in_port that is no port), and the
 * actions'.  On success free with ofp_packet_out_free(). */
enum ofp_err ofp_packet_out_decode(const uint8_t *msg, size_t len,
                                   struct ofp_packet_out *);
void ofp_packet_out_free(struct ofp_packet_out *);
/* Appends 'po' as an OFPT_PACKET_OUT of 'version': 0 or -ENOTSUP. */
int ofp_packet_out_encode(struct ofp_buf *, uint8_t version, uint32_t xid,
                          const struct ofp_packet_out *);

enum ofp_packet_in_reason {
    OFPR_NO_MATCH = 0,
    OFPR_ACTION = 1,
    OFPR_INVALID_TTL = 2,           /* OF1.3 only. */
};

struct ofp_packet_in {
    uint16_t total_len;             /* Of the whole frame. */
    enum ofp_packet_in_reason reason;
    uint8_t table_id;               /* OF1.3. */
    uint64_t cookie;                /* OF1.3: the rule's. */
    const struct ofp_match *match;  /* Pipeline fields: in_port, ... */
    const uint8_t *data;            /* The frame (or its first bytes). */
    size_t len;
};

/* Appends a packet-in of 'version'; buffer_id is OFP_NO_BUFFER.  Returns
 * 0, or -ENOTSUP (a reason OF1.0 lacks, an in_port it cannot name, a
 * frame too large for one message). */
int ofp_packet_in_encode(struct ofp_buf *, uint8_t version, uint32_t xid,
                         const struct ofp_packet_in *);

#endif
