/* ofp_msg: OpenFlow message framing and version negotiation. */
#include "ofproto/ofp_msg.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofp_buf.h"

#define OFPHET_VERSIONBITMAP 1

void
ofp_header_parse(const uint8_t *p, struct ofp_header *h)
{
    h->version = p[0];
    h->type = p[1];
    h->length = ofp_get_u16(p + 2);
    h->xid = ofp_get_u32(p + 4);
}

size_t
ofp_header_put(struct ofp_buf *b, uint8_t version, uint8_t type,
               uint32_t xid)
{
    size_t start = b->len;
    ofp_buf_put_u8(b, version);
    ofp_buf_put_u8(b, type);
    ofp_buf_put_u16(b, OFP_HEADER_LEN);
    ofp_buf_put_u32(b, xid);
    return start;
}

int
ofp_msg_finish(struct ofp_buf *b, size_t start)
{
    size_t len = b->len - start;
    if (len > OFP_MAX_MSG_LEN) {
        return -EMSGSIZE;
    }
    ofp_buf_set_u16(b, start + 2, (uint16_t) len);
    return 0;
}

int
ofp_msg_frame(const uint8_t *buf, size_t len, size_t *msg_len)
{
    if (len < OFP_HEADER_LEN) {
        return -EAGAIN;
    }
    size_t n = ofp_get_u16(buf + 2);
    if (n < OFP_HEADER_LEN) {
        return -EPROTO;
    }
    if (len < n) {
        return -EAGAIN;
    }
    *msg_len = n;
    return 0;
}

void
ofp_stream_init(struct ofp_stream *s)
{
    memset(s, 0, sizeof *s);
}

void
ofp_stream_destroy(struct ofp_stream *s)
{
    free(s->buf);
    ofp_stream_init(s);
}

int
ofp_stream_feed(struct ofp_stream *s, const void *data, size_t n)
{
    if (s->start) {
        memmove(s->buf, s->buf + s->start, s->len - s->start);
        s->len -= s->start;
        s->start = 0;
    }
    if (n > 2 * OFP_MAX_MSG_LEN || s->len + n > 2 * OFP_MAX_MSG_LEN) {
        return -ENOBUFS;
    }
    if (s->cap < s->len + n) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n) {
            cap *= 2;
        }
        uint8_t *p = realloc(s->buf, cap);
        if (!p) {
            return -ENOMEM;
        }
        s->buf = p;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    return 0;
}

int
ofp_stream_next(struct ofp_stream *s, const uint8_t **msg, size_t *len)
{
    size_t n;
    int error = ofp_msg_frame(s->buf + s->start, s->len - s->start, &n);
    if (error) {
        return error;
    }
    *msg = s->buf + s->start;
    *len = n;
    s->start += n;
    return 0;
}

void
ofp_hello_encode(struct ofp_buf *b, uint32_t versions, uint32_t xid)
{
    uint8_t top = 0;
    for (uint8_t v = 1; v < 32; v++) {
        if (versions & OFP_VERSION_BIT(v)) {
            top = v;
        }
    }
    size_t start = ofp_header_put(b, top, OFPT_HELLO, xid);
    /* OpenFlow 1.0 peers know no elements: send them a bare HELLO. */
    if (top > OFP10_VERSION) {
        size_t elem = b->len;
        ofp_buf_put_u16(b, OFPHET_VERSIONBITMAP);
        ofp_buf_put_u16(b, 8);
        ofp_buf_put_u32(b, versions);
        ofp_buf_pad8(b, elem);
    }
    ofp_msg_finish(b, start);
}

enum ofp_err
ofp_hello_decode(const uint8_t *msg, size_t len, uint32_t *versions)
{
    if (len < OFP_HEADER_LEN || ofp_get_u16(msg + 2) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint8_t v = msg[0];
    /* Without a bitmap: every version up to the header's. */
    *versions = v >= 31 ? UINT32_MAX - 1 : (OFP_VERSION_BIT(v + 1) - 2);
    /* OpenFlow 1.0 defines no elements and lets a HELLO carry anything:
     * a bitmap counts (ovs-ofctl sends one), anything malformed is
     * ignored. */
    bool lax = v == OFP10_VERSION;
    uint32_t fallback = *versions;
    size_t ofs = OFP_HEADER_LEN;
    while (len - ofs >= 4) {
        uint16_t type = ofp_get_u16(msg + ofs);
        uint16_t elen = ofp_get_u16(msg + ofs + 2);
        bool bad = elen < 4 || elen > len - ofs
                   || (type == OFPHET_VERSIONBITMAP
                       && (elen < 8 || (elen - 4) % 4));
        if (bad) {
            if (lax) {
                *versions = fallback;
                return OFPERR_NONE;
            }
            return OFPERR_OFPBRC_BAD_LEN;
        }
        if (type == OFPHET_VERSIONBITMAP) {
            /* Versions beyond 31 cannot be ours: only word 0 counts. */
            *versions = ofp_get_u32(msg + ofs + 4);
        }
        /* Elements are padded to 8 bytes; the last pad may be missing. */
        size_t step = (elen + 7u) & ~7u;
        ofs += step < len - ofs ? step : len - ofs;
    }
    return OFPERR_NONE;
}

uint8_t
ofp_version_negotiate(uint32_t ours, uint32_t theirs)
{
    uint32_t common = ours & theirs & ~UINT32_C(1);
    return common ? (uint8_t) (31 - __builtin_clz(common)) : 0;
}

enum ofp_err
ofp_msg_check(const uint8_t *msg, size_t len, uint8_t version)
{
    if (len < OFP_HEADER_LEN || ofp_get_u16(msg + 2) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    if (msg[0] != version && msg[1] != OFPT_HELLO && msg[1] != OFPT_ERROR) {
        return OFPERR_OFPBRC_BAD_VERSION;
    }
    return OFPERR_NONE;
}

static const char *const common_names[] = {
    "OFPT_HELLO", "OFPT_ERROR", "OFPT_ECHO_REQUEST", "OFPT_ECHO_REPLY",
    "OFPT_VENDOR", "OFPT_FEATURES_REQUEST", "OFPT_FEATURES_REPLY",
    "OFPT_GET_CONFIG_REQUEST", "OFPT_GET_CONFIG_REPLY", "OFPT_SET_CONFIG",
    "OFPT_PACKET_IN", "OFPT_FLOW_REMOVED", "OFPT_PORT_STATUS",
    "OFPT_PACKET_OUT", "OFPT_FLOW_MOD",
};

static const char *const of10_names[] = {
    "OFPT_PORT_MOD", "OFPT_STATS_REQUEST", "OFPT_STATS_REPLY",
    "OFPT_BARRIER_REQUEST", "OFPT_BARRIER_REPLY",
    "OFPT_QUEUE_GET_CONFIG_REQUEST", "OFPT_QUEUE_GET_CONFIG_REPLY",
};

static const char *const of13_names[] = {
    "OFPT_GROUP_MOD", "OFPT_PORT_MOD", "OFPT_TABLE_MOD",
    "OFPT_MULTIPART_REQUEST", "OFPT_MULTIPART_REPLY",
    "OFPT_BARRIER_REQUEST", "OFPT_BARRIER_REPLY",
    "OFPT_QUEUE_GET_CONFIG_REQUEST", "OFPT_QUEUE_GET_CONFIG_REPLY",
    "OFPT_ROLE_REQUEST", "OFPT_ROLE_REPLY", "OFPT_GET_ASYNC_REQUEST",
    "OFPT_GET_ASYNC_REPLY", "OFPT_SET_ASYNC", "OFPT_METER_MOD",
};

#define N_ELEMS(A) (sizeof (A) / sizeof (A)[0])

const char *
ofp_msg_type_name(uint8_t version, uint8_t type)
{
    if (type < N_ELEMS(common_names)) {
        return common_names[type];
    }
    type -= N_ELEMS(common_names);
    if (version == OFP10_VERSION && type < N_ELEMS(of10_names)) {
        return of10_names[type];
    }
    if (version == OFP13_VERSION && type < N_ELEMS(of13_names)) {
        return of13_names[type];
    }
    return "OFPT_UNKNOWN";
}
