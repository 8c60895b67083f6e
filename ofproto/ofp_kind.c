/* ofp_kind: one name for each message of either version. */
#include "ofproto/ofp_kind.h"

#include <stdbool.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_mp.h"
#include "ofproto/ofp_msg.h"

/* Nicira message subtypes Sluice knows of (ofp_msg.h has the numbers of
 * those it decodes). */
#define NXT_ROLE_REQUEST      10
#define NXT_ROLE_REPLY        11
#define NXT_FLOW_REMOVED      14
#define NXT_SET_ASYNC_CONFIG  19
#define NXT_SET_CONTROLLER_ID 20
#define NXT_PACKET_IN2        30
#define NXST_FLOW             0
#define NXST_AGGREGATE        1

static const char *const names[OFPK_N] = {
#define N(K) [OFPK_##K] = "OFPK_" #K
    N(NONE), N(HELLO), N(ERROR), N(ECHO_REQUEST), N(ECHO_REPLY),
    N(FEATURES_REQUEST), N(FEATURES_REPLY), N(GET_CONFIG_REQUEST),
    N(GET_CONFIG_REPLY), N(SET_CONFIG), N(PACKET_IN), N(FLOW_REMOVED),
    N(PORT_STATUS), N(PACKET_OUT), N(FLOW_MOD), N(GROUP_MOD), N(PORT_MOD),
    N(TABLE_MOD), N(METER_MOD), N(BARRIER_REQUEST), N(BARRIER_REPLY),
    N(QUEUE_GET_CONFIG_REQUEST), N(QUEUE_GET_CONFIG_REPLY),
    N(ROLE_REQUEST), N(ROLE_REPLY), N(GET_ASYNC_REQUEST),
    N(GET_ASYNC_REPLY), N(SET_ASYNC), N(DESC_REQUEST),
    N(FLOW_STATS_REQUEST), N(AGGREGATE_REQUEST), N(TABLE_STATS_REQUEST),
    N(PORT_STATS_REQUEST), N(QUEUE_STATS_REQUEST), N(PORT_DESC_REQUEST),
    N(TABLE_FEATURES_REQUEST), N(GROUP_STATS_REQUEST),
    N(METER_STATS_REQUEST), N(STATS_REPLY), N(NXT_SET_FLOW_FORMAT),
    N(NXT_FLOW_MOD_TABLE_ID), N(NXT_SET_PACKET_IN_FORMAT), N(NXT_OTHER),
#undef N
};

const char *
ofp_kind_name(enum ofp_kind k)
{
    return (unsigned) k < OFPK_N ? names[k] : "OFPK_UNKNOWN";
}

static enum ofp_kind
nicira(const uint8_t *msg, size_t len, enum ofp_err *err)
{
    if (len < 16) {
        *err = OFPERR_OFPBRC_BAD_LEN;
        return OFPK_NONE;
    }
    if (ofp_get_u32(msg + 8) != OFP_NX_VENDOR) {
        *err = OFPERR_OFPBRC_BAD_VENDOR;
        return OFPK_NONE;
    }
    switch (ofp_get_u32(msg + 12)) {
    case NXT_FLOW_MOD:
        return OFPK_FLOW_MOD;
    case NXT_SET_FLOW_FORMAT:
        return OFPK_NXT_SET_FLOW_FORMAT;
    case NXT_FLOW_MOD_TABLE_ID:
        return OFPK_NXT_FLOW_MOD_TABLE_ID;
    case NXT_SET_PACKET_IN_FORMAT:
        return OFPK_NXT_SET_PACKET_IN_FORMAT;
    case NXT_ROLE_REQUEST: case NXT_ROLE_REPLY: case NXT_FLOW_REMOVED:
    case NXT_SET_ASYNC_CONFIG: case NXT_SET_CONTROLLER_ID:
    case NXT_PACKET_IN2:
        return OFPK_NXT_OTHER;
    default:
        *err = OFPERR_OFPBRC_BAD_SUBTYPE;
        return OFPK_NONE;
    }
}

static enum ofp_kind
stats_request(const uint8_t *msg, size_t len, enum ofp_err *err)
{
    struct ofp_mp_request r;
    *err = ofp_mp_request_parse(msg, len, &r);
    if (*err) {
        /* A malformed body is the decoder's to report; only the kind is
         * wanted here. */
        return OFPK_NONE;
    }
    switch (r.type) {
    case OFPMP_DESC: return OFPK_DESC_REQUEST;
    case OFPMP_FLOW: return OFPK_FLOW_STATS_REQUEST;
    case OFPMP_AGGREGATE: return OFPK_AGGREGATE_REQUEST;
    case OFPMP_TABLE: return OFPK_TABLE_STATS_REQUEST;
    case OFPMP_PORT_STATS: return OFPK_PORT_STATS_REQUEST;
    case OFPMP_QUEUE: return OFPK_QUEUE_STATS_REQUEST;
    case OFPMP_PORT_DESC: return OFPK_PORT_DESC_REQUEST;
    case OFPMP_TABLE_FEATURES: return OFPK_TABLE_FEATURES_REQUEST;
    case OFPMP_GROUP: case OFPMP_GROUP_DESC: case OFPMP_GROUP_FEATURES:
        return OFPK_GROUP_STATS_REQUEST;
    case OFPMP_METER: case OFPMP_METER_CONFIG: case OFPMP_METER_FEATURES:
        return OFPK_METER_STATS_REQUEST;
    case OFPMP_EXPERIMENTER:
        if (r.nx_subtype == NXST_FLOW) {
            return OFPK_FLOW_STATS_REQUEST;
        }
        if (r.nx_subtype == NXST_AGGREGATE) {
            return OFPK_AGGREGATE_REQUEST;
        }
        *err = OFPERR_OFPBRC_BAD_SUBTYPE;
        return OFPK_NONE;
    }
    *err = OFPERR_OFPBRC_BAD_STAT;
    return OFPK_NONE;
}

/* Types both versions number alike (0-14). */
static const enum ofp_kind common[] = {
    OFPK_HELLO, OFPK_ERROR, OFPK_ECHO_REQUEST, OFPK_ECHO_REPLY, OFPK_NONE,
    OFPK_FEATURES_REQUEST, OFPK_FEATURES_REPLY, OFPK_GET_CONFIG_REQUEST,
    OFPK_GET_CONFIG_REPLY, OFPK_SET_CONFIG, OFPK_PACKET_IN,
    OFPK_FLOW_REMOVED, OFPK_PORT_STATUS, OFPK_PACKET_OUT, OFPK_FLOW_MOD,
};

static const enum ofp_kind of10[] = {   /* 15-21. */
    OFPK_PORT_MOD, OFPK_NONE, OFPK_STATS_REPLY, OFPK_BARRIER_REQUEST,
    OFPK_BARRIER_REPLY, OFPK_QUEUE_GET_CONFIG_REQUEST,
    OFPK_QUEUE_GET_CONFIG_REPLY,
};

static const enum ofp_kind of13[] = {   /* 15-29. */
    OFPK_GROUP_MOD, OFPK_PORT_MOD, OFPK_TABLE_MOD, OFPK_NONE,
    OFPK_STATS_REPLY, OFPK_BARRIER_REQUEST, OFPK_BARRIER_REPLY,
    OFPK_QUEUE_GET_CONFIG_REQUEST, OFPK_QUEUE_GET_CONFIG_REPLY,
    OFPK_ROLE_REQUEST, OFPK_ROLE_REPLY, OFPK_GET_ASYNC_REQUEST,
    OFPK_GET_ASYNC_REPLY, OFPK_SET_ASYNC, OFPK_METER_MOD,
};

#define N_ELEMS(A) (sizeof (A) / sizeof (A)[0])

enum ofp_kind
ofp_msg_kind(const uint8_t *msg, size_t len, enum ofp_err *err)
{
    *err = OFPERR_NONE;
    if (len < OFP_HEADER_LEN || ofp_get_u16(msg + 2) != len) {
        *err = OFPERR_OFPBRC_BAD_LEN;
        return OFPK_NONE;
    }
    uint8_t version = msg[0], type = msg[1];
    if (version != OFP10_VERSION && version != OFP13_VERSION) {
        /* HELLO of any version starts negotiation. */
        if (type == OFPT_HELLO) {
            return OFPK_HELLO;
        }
        *err = OFPERR_OFPBRC_BAD_VERSION;
        return OFPK_NONE;
    }
    if (type == OFPT_VENDOR) {
        return nicira(msg, len, err);
    }
    bool is10 = version == OFP10_VERSION;
    if (type == (is10 ? OFPT10_STATS_REQUEST : OFPT13_MULTIPART_REQUEST)) {
        return stats_request(msg, len, err);
    }
    enum ofp_kind k = OFPK_NONE;
    if (type < N_ELEMS(common)) {
        k = common[type];
    } else if (is10 && type - N_ELEMS(common) < N_ELEMS(of10)) {
        k = of10[type - N_ELEMS(common)];
    } else if (!is10 && type - N_ELEMS(common) < N_ELEMS(of13)) {
        k = of13[type - N_ELEMS(common)];
    }
    if (k == OFPK_NONE) {
        *err = OFPERR_OFPBRC_BAD_TYPE;
    }
    return k;
}
