/* ofp_msg: OpenFlow message framing and version negotiation.
 *
 * Every OpenFlow message starts with the 8-byte header (version, type,
 * length, xid).  This module frames a byte stream into messages (every
 * length checked before a byte past it is read), and builds and parses
 * HELLO with its version-bitmap element (OpenFlow 1.3.5, 7.5.1) to agree
 * on a version: the highest one both sides offer.  Sluice speaks
 * OpenFlow 1.0 and 1.3; a peer that offers 1.0-1.5 gets 1.3, one that
 * offers only 1.0 gets 1.0, and one with nothing in common gets
 * OFPT_ERROR HELLO_FAILED/INCOMPATIBLE.  Versions are bit positions in a
 * 32-bit set: bit 1 = OpenFlow 1.0 (wire version 1), bit 4 = 1.3. */
#ifndef SLUICE_OFP_MSG_H
#define SLUICE_OFP_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "ofproto/ofp_err.h"

struct ofp_buf;

#define OFP10_VERSION 0x01
#define OFP13_VERSION 0x04
#define OFP_VERSION_BIT(V) (UINT32_C(1) << (V))
/* What Sluice speaks. */
#define OFP_SUPPORTED_VERSIONS \
    (OFP_VERSION_BIT(OFP10_VERSION) | OFP_VERSION_BIT(OFP13_VERSION))

#define OFP_HEADER_LEN 8
#define OFP_MAX_MSG_LEN 65535

/* Message types both versions share. */
#define OFPT_HELLO              0
#define OFPT_ERROR              1
#define OFPT_ECHO_REQUEST       2
#define OFPT_ECHO_REPLY         3
#define OFPT_VENDOR             4       /* OF1.3: OFPT_EXPERIMENTER. */
#define OFPT_FEATURES_REQUEST   5
#define OFPT_FEATURES_REPLY     6
#define OFPT_GET_CONFIG_REQUEST 7
#define OFPT_GET_CONFIG_REPLY   8
#define OFPT_SET_CONFIG         9
#define OFPT_PACKET_IN          10
#define OFPT_FLOW_REMOVED       11
#define OFPT_PORT_STATUS        12
#define OFPT_PACKET_OUT         13
#define OFPT_FLOW_MOD           14

/* OpenFlow 1.0 only. */
#define OFPT10_PORT_MOD         15
#define OFPT10_STATS_REQUEST    16
#define OFPT10_STATS_REPLY      17
#define OFPT10_BARRIER_REQUEST  18
#define OFPT10_BARRIER_REPLY    19

/* OpenFlow 1.3 only. */
#define OFPT13_GROUP_MOD        15
#define OFPT13_PORT_MOD         16
#define OFPT13_TABLE_MOD        17
#define OFPT13_MULTIPART_REQUEST 18
#define OFPT13_MULTIPART_REPLY  19
#define OFPT13_BARRIER_REQUEST  20
#define OFPT13_BARRIER_REPLY    21
#define OFPT13_ROLE_REQUEST     24
#define OFPT13_ROLE_REPLY       25
#define OFPT13_GET_ASYNC_REQUEST 26
#define OFPT13_GET_ASYNC_REPLY  27
#define OFPT13_SET_ASYNC        28
#define OFPT13_METER_MOD        29

/* Nicira vendor messages (after the header: vendor id, subtype). */
#define NXT_FLOW_MOD_TABLE_ID   15
#define NXT_SET_FLOW_FORMAT     12
#define NXT_FLOW_MOD            13
#define NXT_SET_PACKET_IN_FORMAT 16

struct ofp_header {
    uint8_t version;
    uint8_t type;
    uint16_t length;        /* Host order, header included. */
    uint32_t xid;           /* Host order. */
};

/* Reads the header at 'p' (at least OFP_HEADER_LEN bytes). */
void ofp_header_parse(const uint8_t *p, struct ofp_header *);
/* Appends a header with length OFP_HEADER_LEN; returns its offset.  Call
 * ofp_msg_finish() when the body is appended. */
size_t ofp_header_put(struct ofp_buf *, uint8_t version, uint8_t type,
                      uint32_t xid);
/* Sets the length of the message that starts at offset 'start' to what
 * follows it in the buffer.  Returns -EMSGSIZE (and leaves the length) if
 * that exceeds OFP_MAX_MSG_LEN. */
int ofp_msg_finish(struct ofp_buf *, size_t start);

/* Framing: looks at the 'len' bytes 'buf' at the start of a stream.
 * Returns 0 and sets '*msg_len' when a whole message is there; -EAGAIN
 * when more bytes are needed; -EPROTO when the header's length is less
 * than OFP_HEADER_LEN (the stream cannot be resynchronised: answer
 * OFPBRC_BAD_LEN and close). */
int ofp_msg_frame(const uint8_t *buf, size_t len, size_t *msg_len);

/* A reassembly buffer for one connection's incoming byte stream. */
struct ofp_stream {
    uint8_t *buf;
    size_t len;             /* Bytes held. */
    size_t start;           /* Offset of the first unconsumed byte. */
    size_t cap;
};

void ofp_stream_init(struct ofp_stream *);
void ofp_stream_destroy(struct ofp_stream *);
/* Appends 'n' received bytes.  Returns -ENOBUFS if more than two maximal
 * messages would be held (a peer that sends without end). */
int ofp_stream_feed(struct ofp_stream *, const void *data, size_t n);
/* Returns 0 and points '*msg' at the next whole message ('*len' bytes,
 * valid until the next call), -EAGAIN when there is none yet, or -EPROTO
 * as ofp_msg_frame() does. */
int ofp_stream_next(struct ofp_stream *, const uint8_t **msg, size_t *len);

/* HELLO. */

/* Appends a HELLO of the highest version in 'versions' with a version
 * bitmap element listing 'versions'. */
void ofp_hello_encode(struct ofp_buf *, uint32_t versions, uint32_t xid);
/* Parses the HELLO 'msg' ('len' bytes): returns 0 and sets '*versions' to
 * what the peer offers (its bitmap, or without one every version up to
 * the header's, as OVS reads it), or OFPBRC_BAD_LEN for a malformed
 * element.  Unknown element types are skipped. */
enum ofp_err ofp_hello_decode(const uint8_t *msg, size_t len,
                              uint32_t *versions);
/* The version to speak: the highest in both 'ours' and 'theirs'; 0 if
 * none (answer with ofp_err_encode_hello_failed()). */
uint8_t ofp_version_negotiate(uint32_t ours, uint32_t theirs);

/* For a message that arrives after negotiation: OFPBRC_BAD_VERSION if its
 * version is not 'version' (HELLO and ERROR excepted: any version),
 * OFPBRC_BAD_LEN if its length field is not 'len', else 0. */
enum ofp_err ofp_msg_check(const uint8_t *msg, size_t len, uint8_t version);

/* "OFPT_FLOW_MOD" etc. for logs; "OFPT_UNKNOWN" for others. */
const char *ofp_msg_type_name(uint8_t version, uint8_t type);

#endif
