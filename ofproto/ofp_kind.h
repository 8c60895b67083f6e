/* ofp_kind: what a message is, in one enumeration for OpenFlow 1.0, 1.3
 * and the Nicira extensions ovs-ofctl uses, so that the connection
 * manager dispatches on one value whatever the version: OF1.0's
 * OFPT_STATS_REQUEST/OFPST_FLOW, OF1.3's OFPT_MULTIPART_REQUEST/OFPMP_FLOW
 * and OF1.0's NXST_FLOW are all OFPK_FLOW_STATS_REQUEST (the decoders
 * tell the forms apart).  Messages a switch sends (replies, packet-in,
 * ...) are named too, for logs and for a client. */
#ifndef SLUICE_OFP_KIND_H
#define SLUICE_OFP_KIND_H

#include <stddef.h>
#include <stdint.h>

#include "ofproto/ofp_err.h"

enum ofp_kind {
    OFPK_NONE,                  /* Not a message Sluice knows. */
    OFPK_HELLO, OFPK_ERROR, OFPK_ECHO_REQUEST, OFPK_ECHO_REPLY,
    OFPK_FEATURES_REQUEST, OFPK_FEATURES_REPLY,
    OFPK_GET_CONFIG_REQUEST, OFPK_GET_CONFIG_REPLY, OFPK_SET_CONFIG,
    OFPK_PACKET_IN, OFPK_FLOW_REMOVED, OFPK_PORT_STATUS, OFPK_PACKET_OUT,
    OFPK_FLOW_MOD,              /* OFPT_FLOW_MOD and NXT_FLOW_MOD. */
    OFPK_GROUP_MOD, OFPK_PORT_MOD, OFPK_TABLE_MOD, OFPK_METER_MOD,
    OFPK_BARRIER_REQUEST, OFPK_BARRIER_REPLY,
    OFPK_QUEUE_GET_CONFIG_REQUEST, OFPK_QUEUE_GET_CONFIG_REPLY,
    OFPK_ROLE_REQUEST, OFPK_ROLE_REPLY,
    OFPK_GET_ASYNC_REQUEST, OFPK_GET_ASYNC_REPLY, OFPK_SET_ASYNC,
    /* Statistics / multipart requests (any form). */
    OFPK_DESC_REQUEST, OFPK_FLOW_STATS_REQUEST, OFPK_AGGREGATE_REQUEST,
    OFPK_TABLE_STATS_REQUEST, OFPK_PORT_STATS_REQUEST,
    OFPK_QUEUE_STATS_REQUEST, OFPK_PORT_DESC_REQUEST,
    OFPK_TABLE_FEATURES_REQUEST, OFPK_GROUP_STATS_REQUEST,
    OFPK_METER_STATS_REQUEST,   /* Groups and meters: every such type. */
    OFPK_STATS_REPLY,           /* Any statistics / multipart reply. */
    /* Nicira. */
    OFPK_NXT_SET_FLOW_FORMAT, OFPK_NXT_FLOW_MOD_TABLE_ID,
    OFPK_NXT_SET_PACKET_IN_FORMAT, OFPK_NXT_OTHER,
    OFPK_N
};

/* Classifies 'msg' ('len' bytes; its header's length must be 'len'):
 * returns the kind and sets '*err' to 0, or returns OFPK_NONE and sets
 * '*err' to the error to answer: OFPBRC_BAD_LEN, OFPBRC_BAD_VERSION
 * (neither 1.0 nor 1.3), OFPBRC_BAD_TYPE, OFPBRC_BAD_STAT,
 * OFPBRC_BAD_VENDOR (an experimenter other than Nicira's),
 * OFPBRC_BAD_SUBTYPE (a Nicira message or statistic Sluice lacks; known
 * Nicira messages it does not handle are OFPK_NXT_OTHER). */
enum ofp_kind ofp_msg_kind(const uint8_t *msg, size_t len,
                           enum ofp_err *err);

/* "OFPK_FLOW_MOD" etc. */
const char *ofp_kind_name(enum ofp_kind);

#endif
