/* ofp_err: OpenFlow error codes and OFPT_ERROR messages. */
#include "ofproto/ofp_err.h"

#include <errno.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_msg.h"

/* OpenFlow 1.0 carries Nicira's errors in a vendor error: type
 * NXET_VENDOR, code NXVC_VENDOR_ERROR, then vendor id, type and code. */
#define NXET_VENDOR       0xb0c2
#define NXVC_VENDOR_ERROR 0

struct ofp_err_info {
    const char *name;
    int t10, c10;           /* t10 < 0: none in OF1.0. */
    int t13, c13;
    uint32_t e13;
};

static const struct ofp_err_info errs[OFPERR_N] = {
    [OFPERR_NONE] = { "OK", -1, 0, -1, 0, 0 },
#define OFP_ERR_INFO(NAME, T10, C10, T13, C13, E13) \
    [OFPERR_##NAME] = { #NAME, T10, C10, T13, C13, E13 },
    OFP_ERRORS(OFP_ERR_INFO)
#undef OFP_ERR_INFO
};

const char *
ofp_err_name(enum ofp_err err)
{
    return (unsigned) err < OFPERR_N ? errs[err].name : "UNKNOWN";
}

enum ofp_err
ofp_err_from_name(const char *name)
{
    for (int i = 1; i < OFPERR_N; i++) {
        if (!strcmp(errs[i].name, name)) {
            return (enum ofp_err) i;
        }
    }
    return OFPERR_NONE;
}

int
ofp_err_encoding(enum ofp_err err, uint8_t version, uint16_t *type,
                 uint16_t *code, uint32_t *experimenter)
{
    if (err <= OFPERR_NONE || err >= OFPERR_N) {
        return -ENOENT;
    }
    const struct ofp_err_info *e = &errs[err];
    if (version == OFP10_VERSION && e->t10 >= 0) {
        *type = (uint16_t) e->t10;
        *code = (uint16_t) e->c10;
        /* Nicira's codes are 256 and up (or OFP_ERR_NX10()), sent in a
         * vendor error. */
        *experimenter = e->c10 >= 256 ? OFP_NX_VENDOR : 0;
        return 0;
    }
    if (version == OFP13_VERSION && e->t13 >= 0) {
        *type = (uint16_t) e->t13;
        *code = (uint16_t) e->c13;
        *experimenter = e->e13;
        return 0;
    }
    return -ENOENT;
}

enum ofp_err
ofp_err_decode(uint8_t version, uint16_t type, uint16_t code,
               uint32_t experimenter)
{
    for (int i = 1; i < OFPERR_N; i++) {
        uint16_t t, c;
        uint32_t e;
        if (!ofp_err_encoding((enum ofp_err) i, version, &t, &c, &e)
            && t == type && c == code && e == experimenter) {
            return (enum ofp_err) i;
        }
    }
    return OFPERR_NONE;
}

static size_t
put_error_header(struct ofp_buf *b, uint8_t version, uint32_t xid,
                 enum ofp_err err)
{
    uint16_t type, code;
    uint32_t exp;
    if (ofp_err_encoding(err, version, &type, &code, &exp)) {
        ofp_err_encoding(OFPERR_NXBRC_UNENCODABLE_ERROR, version, &type,
                         &code, &exp);
    }
    size_t start = ofp_header_put(b, version, OFPT_ERROR, xid);
    if (version == OFP10_VERSION && exp) {
        ofp_buf_put_u16(b, NXET_VENDOR);
        ofp_buf_put_u16(b, NXVC_VENDOR_ERROR);
        ofp_buf_put_u32(b, exp);
    }
    ofp_buf_put_u16(b, type);
    ofp_buf_put_u16(b, code);
    if (type == 0xffff) {
        ofp_buf_put_u32(b, exp);
    }
    return start;
}

void
ofp_err_encode(struct ofp_buf *b, uint8_t version, uint32_t xid,
               enum ofp_err err, const void *request, size_t len)
{
    size_t start = put_error_header(b, version, xid, err);
    if (request) {
        ofp_buf_put(b, request, len < 64 ? len : 64);
    }
    ofp_msg_finish(b, start);
}

void
ofp_err_encode_hello_failed(struct ofp_buf *b, uint8_t version,
                            uint32_t xid, const char *reason)
{
    size_t start = put_error_header(b, version, xid,
                                    OFPERR_OFPHFC_INCOMPATIBLE);
    size_t n = strlen(reason);
    ofp_buf_put(b, reason, n < 256 ? n : 256);
    ofp_msg_finish(b, start);
}

enum ofp_err
ofp_err_parse(const uint8_t *msg, size_t len, enum ofp_err *err,
              const uint8_t **data, size_t *data_len)
{
    if (len < OFP_HEADER_LEN + 4) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint16_t type = ofp_get_u16(msg + 8), code = ofp_get_u16(msg + 10);
    size_t ofs = OFP_HEADER_LEN + 4;
    uint32_t exp = 0;
    if (type == NXET_VENDOR && code == NXVC_VENDOR_ERROR
        && msg[0] == OFP10_VERSION) {
        if (len < ofs + 8) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        exp = ofp_get_u32(msg + ofs);
        type = ofp_get_u16(msg + ofs + 4);
        code = ofp_get_u16(msg + ofs + 6);
        ofs += 8;
    } else if (type == 0xffff && msg[0] >= OFP13_VERSION) {
        if (len < ofs + 4) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        exp = ofp_get_u32(msg + ofs);
        ofs += 4;
    }
    *err = ofp_err_decode(msg[0], type, code, exp);
    *data = msg + ofs;
    *data_len = len - ofs;
    return OFPERR_NONE;
}
