/* libFuzzer target for the OpenFlow codec: any bytes as an OpenFlow
 * message of either version.  Besides the sanitizers' checks (no crash,
 * leak or out-of-bounds read), it checks that framing agrees with the
 * length field, and that whatever decodes encodes again in its own format
 * and decodes to the same thing (decode -> encode -> decode is stable,
 * and the second encoding is byte for byte the first); packet-outs and flow
 * statistics requests too. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_ctrl.h"
#include "ofproto/ofp_err.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_kind.h"
#include "ofproto/ofp_mp.h"
#include "ofproto/ofp_msg.h"
#include "ofproto/ofp_packet.h"
#include "ofproto/ofp_stats.h"

#define CHECK(COND) do { if (!(COND)) { abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
fm_equal(const struct ofp_flow_mod *a, const struct ofp_flow_mod *b)
{
    return a->format == b->format && a->new_cookie == b->new_cookie
           && a->cookie == b->cookie
           && a->cookie_mask == b->cookie_mask && a->table_id == b->table_id
           && a->command == b->command && a->idle_timeout == b->idle_timeout
           && a->hard_timeout == b->hard_timeout
           && a->priority == b->priority && a->buffer_id == b->buffer_id
           && a->out_port == b->out_port && a->out_group == b->out_group
           && a->flags == b->flags && ofp_match_equal(&a->match, &b->match)
           && ofp_insts_equal(&a->insts, &b->insts);
}

static void
flow_mod(const uint8_t *msg, size_t len, bool tid)
{
    struct ofp_flow_mod fm, fm2;
    if (ofp_flow_mod_decode(msg, len, tid, &fm)) {
        return;
    }
    CHECK(!ofp_match_check(&fm.match));
    struct ofp_buf b = OFP_BUF_INIT, b2 = OFP_BUF_INIT;
    int error = ofp_flow_mod_encode(&b, fm.format, tid, 7, &fm);
    /* Only growth past the maximum message may stop it (OF1.0's
     * set_tunnel comes back as set_tunnel64). */
    CHECK(!error || len > 40000);
    if (!error) {
        CHECK(ofp_flow_mod_decode(b.data, b.len, tid, &fm2) == 0);
        CHECK(fm_equal(&fm, &fm2));
        CHECK(ofp_flow_mod_encode(&b2, fm2.format, tid, 7, &fm2) == 0);
        CHECK(b.len == b2.len && !memcmp(b.data, b2.data, b.len));
        ofp_flow_mod_free(&fm2);
    }
    /* The other formats may refuse, but what they take reads back. */
    for (int f = OFP_FM_OF10; f <= OFP_FM_OF13; f++) {
        ofp_buf_clear(&b2);
        if (ofp_flow_mod_encode(&b2, (enum ofp_fm_format) f, tid, 7, &fm)) {
            continue;
        }
        /* OF1.3 checks more actions against the match than OF1.0, and
         * OF1.0's form of write_metadata with goto_table (resubmit) is
         * out of order, as OVS's own. */
        enum ofp_err err = ofp_flow_mod_decode(b2.data, b2.len, tid, &fm2);
        CHECK(!err || err == OFPERR_OFPBAC_MATCH_INCONSISTENT
              || err == OFPERR_OFPBAC_UNSUPPORTED_ORDER);
        if (!err) {
            CHECK(ofp_match_equal(&fm.match, &fm2.match));
            ofp_flow_mod_free(&fm2);
        }
    }
    ofp_buf_free(&b);
    ofp_buf_free(&b2);
    ofp_flow_mod_free(&fm);
}

static void
packet_out(const uint8_t *msg, size_t len)
{
    struct ofp_packet_out po, po2;
    if (ofp_packet_out_decode(msg, len, &po)) {
        return;
    }
    CHECK(po.data + po.len == msg + len);
    struct ofp_buf b = OFP_BUF_INIT;
    if (!ofp_packet_out_encode(&b, msg[0], 7, &po)) {
        CHECK(!ofp_packet_out_decode(b.data, b.len, &po2));
        CHECK(po2.in_port == po.in_port && po2.len == po.len
              && ofp_actions_equal(&po.actions, &po2.actions));
        ofp_packet_out_free(&po2);
    } else {
        CHECK(len > 40000);
    }
    ofp_buf_free(&b);
    ofp_packet_out_free(&po);
}

static void
stats_request(const uint8_t *msg, size_t len)
{
    struct ofp_flow_stats_request r, r2;
    if (ofp_flow_stats_request_decode(msg, len, &r)) {
        return;
    }
    struct ofp_buf b = OFP_BUF_INIT;
    CHECK(!ofp_flow_stats_request_encode(&b, 7, &r));
    CHECK(!ofp_flow_stats_request_decode(b.data, b.len, &r2));
    CHECK(!memcmp(&r, &r2, sizeof r));
    ofp_buf_free(&b);
}

/* The small decoders: no crash, and what they point at is inside. */
static void
control(const uint8_t *msg, size_t len)
{
    struct ofp_mp_request r;
    if (!ofp_mp_request_parse(msg, len, &r)) {
        CHECK(r.body >= msg && r.body + r.body_len == msg + len);
        uint32_t port;
        (void) ofp_port_stats_request_port(&r, &port);
    }
    struct ofp_switch_config c;
    enum ofp_role role;
    uint64_t gen;
    enum nx_flow_format ff;
    enum nx_packet_in_format pf;
    uint32_t subtype;
    bool on;
    (void) ofp_set_config_decode(msg, len, &c);
    (void) ofp_role_request_decode(msg, len, &role, &gen);
    (void) nx_msg_subtype(msg, len, &subtype);
    (void) nx_set_flow_format_decode(msg, len, &ff);
    (void) nx_set_packet_in_format_decode(msg, len, &pf);
    (void) nx_flow_mod_table_id_decode(msg, len, &on);
    enum ofp_err err;
    enum ofp_kind k = ofp_msg_kind(msg, len, &err);
    CHECK((k == OFPK_NONE) == (err != OFPERR_NONE));
    struct ofp_port_mod pm;
    struct ofp_async_config ac;
    (void) ofp_port_mod_decode(msg, len, &pm);
    (void) ofp_set_async_decode(msg, len, &ac);
}

static void
actions(uint8_t version, const uint8_t *p, size_t len)
{
    struct ofp_actions a = OFP_ACTIONS_INIT, a2 = OFP_ACTIONS_INIT;
    if (!ofp_actions_decode(version, p, len, OFP_ACTS_PACKET_OUT, &a)) {
        struct ofp_buf b = OFP_BUF_INIT;
        if (!ofp_actions_encode(&b, version, &a)) {
            CHECK(!ofp_actions_decode(version, b.data, b.len,
                                      OFP_ACTS_PACKET_OUT, &a2));
            CHECK(ofp_actions_equal(&a, &a2));
        } else {
            CHECK(len > 40000);
        }
        ofp_buf_free(&b);
    }
    ofp_actions_free(&a);
    ofp_actions_free(&a2);
}

static void
matches(const uint8_t *p, size_t len)
{
    struct ofp_match m, m2;
    struct ofp_buf b = OFP_BUF_INIT;
    if (!ofp_tlvs_decode(p, len, &m)) {
        for (int fmt = 0; fmt < 2; fmt++) {
            ofp_buf_clear(&b);
            size_t n = ofp_tlvs_encode(&b, (enum ofp_tlv_format) fmt, &m);
            CHECK(!ofp_tlvs_decode(b.data, n, &m2));
            CHECK(ofp_match_equal(&m, &m2));
        }
    }
    if (len >= OFP10_MATCH_LEN && !ofp10_match_decode(p, &m)) {
        uint8_t q[OFP10_MATCH_LEN];
        CHECK(!ofp10_match_encode(&m, q));
        CHECK(!ofp10_match_decode(q, &m2) && ofp_match_equal(&m, &m2));
    }
    ofp_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > OFP_MAX_MSG_LEN) {
        return 0;
    }
    /* Framing: the stream gives back what the length field says. */
    struct ofp_stream s;
    const uint8_t *msg;
    size_t len;
    ofp_stream_init(&s);
    CHECK(!ofp_stream_feed(&s, data, size));
    int error = ofp_stream_next(&s, &msg, &len);
    if (!error) {
        CHECK(len >= OFP_HEADER_LEN && len <= size
              && len == ofp_get_u16(data + 2));
    }
    ofp_stream_destroy(&s);

    /* The message with its length made right, so the decoders go deep;
     * the first byte picks the version when it is neither. */
    uint8_t *m = malloc(size ? size : 1);
    memcpy(m, data, size);
    if (size >= OFP_HEADER_LEN) {
        ofp_set_u16(m + 2, (uint16_t) size);
        if (m[0] != OFP10_VERSION && m[0] != OFP13_VERSION) {
            m[0] = m[0] & 1 ? OFP10_VERSION : OFP13_VERSION;
        }
        bool tid = data[0] & 0x80;
        flow_mod(m, size, tid);
        packet_out(m, size);
        stats_request(m, size);
        control(m, size);

        uint32_t versions;
        if (m[1] == OFPT_HELLO && !ofp_hello_decode(m, size, &versions)) {
            (void) ofp_version_negotiate(OFP_SUPPORTED_VERSIONS, versions);
        }
        enum ofp_err err;
        const uint8_t *d;
        size_t n;
        (void) ofp_err_parse(m, size, &err, &d, &n);
        (void) ofp_msg_check(m, size, m[0]);

        /* The body as actions, instructions and matches. */
        const uint8_t *body = m + OFP_HEADER_LEN;
        size_t blen = size - OFP_HEADER_LEN;
        actions(m[0], body, blen);
        struct ofp_insts in;
        ofp_insts_init(&in);
        (void) ofp13_insts_decode(body, blen, m[1], 0, &in);
        ofp_insts_free(&in);
        matches(body, blen);
        struct ofp_match om;
        size_t used;
        if (!ofp13_match_decode(body, blen, &om, &used)) {
            CHECK(used <= blen);
        }
    }
    free(m);
    return 0;
}
