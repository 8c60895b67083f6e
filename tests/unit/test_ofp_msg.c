/* Unit tests for ofp_msg: framing, the stream reassembler, HELLO and
 * version negotiation (HELLOs checked with "ovs-ofctl ofp-print"). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_msg.h"
#include "tests/unit/ofp_test_util.h"

#define V10 OFP_VERSION_BIT(OFP10_VERSION)
#define V13 OFP_VERSION_BIT(OFP13_VERSION)

static void
test_frame(void **state)
{
    (void) state;
    uint8_t m[16] = { 4, 2, 0, 12, 0, 0, 0, 7 };
    size_t n = 0;
    assert_int_equal(ofp_msg_frame(m, 0, &n), -EAGAIN);
    assert_int_equal(ofp_msg_frame(m, 7, &n), -EAGAIN);
    assert_int_equal(ofp_msg_frame(m, 11, &n), -EAGAIN);
    assert_int_equal(ofp_msg_frame(m, 12, &n), 0);
    assert_int_equal(n, 12);
    assert_int_equal(ofp_msg_frame(m, 16, &n), 0);
    assert_int_equal(n, 12);
    m[3] = 7;                           /* Shorter than a header. */
    assert_int_equal(ofp_msg_frame(m, 16, &n), -EPROTO);
    m[3] = 0;
    assert_int_equal(ofp_msg_frame(m, 16, &n), -EPROTO);

    struct ofp_header h;
    m[3] = 12;
    ofp_header_parse(m, &h);
    assert_int_equal(h.version, 4);
    assert_int_equal(h.type, 2);
    assert_int_equal(h.length, 12);
    assert_int_equal(h.xid, 7);
}

static void
test_stream(void **state)
{
    (void) state;
    struct ofp_stream s;
    ofp_stream_init(&s);
    /* Two messages fed a byte at a time, then a bad one. */
    uint8_t bytes[] = { 1, 2, 0, 9, 0, 0, 0, 1, 0xaa,
                        4, 3, 0, 8, 0, 0, 0, 2,
                        4, 0, 0, 4, 0, 0, 0, 3 };
    const uint8_t *msg;
    size_t len;
    int got = 0;
    for (size_t i = 0; i < 17; i++) {
        assert_int_equal(ofp_stream_feed(&s, &bytes[i], 1), 0);
        while (ofp_stream_next(&s, &msg, &len) == 0) {
            got++;
            assert_int_equal(msg[7], got);
            assert_int_equal(len, got == 1 ? 9 : 8);
        }
    }
    assert_int_equal(got, 2);
    assert_int_equal(ofp_stream_next(&s, &msg, &len), -EAGAIN);
    assert_int_equal(ofp_stream_feed(&s, bytes + 17, 8), 0);
    assert_int_equal(ofp_stream_next(&s, &msg, &len), -EPROTO);
    ofp_stream_destroy(&s);

    /* A peer that sends without end is refused, not buffered. */
    ofp_stream_init(&s);
    uint8_t *big = calloc(1, 70000);
    big[2] = 0xff;
    big[3] = 0xff;
    assert_int_equal(ofp_stream_feed(&s, big, 70000), 0);
    assert_int_equal(ofp_stream_feed(&s, big, 70000), -ENOBUFS);
    assert_int_equal(ofp_stream_next(&s, &msg, &len), 0);
    assert_int_equal(len, 65535);
    free(big);
    ofp_stream_destroy(&s);
}

static void
test_finish(void **state)
{
    (void) state;
    struct ofp_buf b = OFP_BUF_INIT;
    size_t start = ofp_header_put(&b, OFP13_VERSION, OFPT_ECHO_REQUEST, 5);
    ofp_buf_put_zeros(&b, 4);
    assert_int_equal(ofp_msg_finish(&b, start), 0);
    assert_int_equal(ofp_get_u16(b.data + 2), 12);
    ofp_buf_put_zeros(&b, 70000);
    assert_int_equal(ofp_msg_finish(&b, start), -EMSGSIZE);
    ofp_buf_free(&b);
}

static void
test_negotiate(void **state)
{
    (void) state;
    uint32_t ours = OFP_SUPPORTED_VERSIONS;
    /* 1.0-1.5 -> 1.3; only 1.0 -> 1.0; 1.1/1.2 only -> none. */
    assert_int_equal(ofp_version_negotiate(ours, 0x7e), OFP13_VERSION);
    assert_int_equal(ofp_version_negotiate(ours, V10), OFP10_VERSION);
    assert_int_equal(ofp_version_negotiate(ours, 0x0c), 0);
    assert_int_equal(ofp_version_negotiate(ours, 0x60), 0);
    assert_int_equal(ofp_version_negotiate(ours, 0), 0);
    assert_int_equal(ofp_version_negotiate(ours, 1), 0);  /* Version 0. */
    assert_int_equal(ofp_version_negotiate(V10, ours), OFP10_VERSION);
}

static uint32_t
decode_hello_hex(const char *hex, enum ofp_err want_err)
{
    size_t len;
    uint8_t *m = ofpt_from_hex(hex, &len);
    uint32_t v = 0xdead;
    assert_int_equal(ofp_hello_decode(m, len, &v), want_err);
    free(m);
    return v;
}

static void
test_hello_decode(void **state)
{
    (void) state;
    /* ovs-ofctl -O OpenFlow10,OpenFlow11,...15: bitmap 0x7e. */
    assert_int_equal(decode_hello_hex("0600001000000001"
                                      "000100080000007e", 0), 0x7e);
    /* Plain ovs-ofctl: OF1.0 HELLO with a bitmap of 1.0 only. */
    assert_int_equal(decode_hello_hex("0100001000000001"
                                      "0001000800000002", 0),
                     V10 | 0);
    /* No elements: every version up to the header's. */
    assert_int_equal(decode_hello_hex("0400000800000001", 0), 0x1e);
    assert_int_equal(decode_hello_hex("0100000800000001", 0), V10);
    /* Unknown element skipped; the bitmap after it counts. */
    assert_int_equal(decode_hello_hex("0400001800000001"
                                      "0009000600000000"
                                      "0001000800000012", 0), 0x12);
    /* The last element's padding may be missing. */
    assert_int_equal(decode_hello_hex("0500001400000001"
                                      "0001000c0000003e00000000", 0), 0x3e);
    /* Bad element lengths. */
    decode_hello_hex("0400001000000001" "0001000300000012",
                     OFPERR_OFPBRC_BAD_LEN);
    decode_hello_hex("0400001000000001" "0001001000000012",
                     OFPERR_OFPBRC_BAD_LEN);
    decode_hello_hex("0400001000000001" "0001000600000012",
                     OFPERR_OFPBRC_BAD_LEN);
    /* OpenFlow 1.0: junk after the header is no error. */
    assert_int_equal(decode_hello_hex("0100001000000001"
                                      "0001000300000012", 0), V10);
    /* The header's length must be the message's. */
    decode_hello_hex("0400001000000001" "00010008", OFPERR_OFPBRC_BAD_LEN);
}

static void
test_hello_encode(void **state)
{
    (void) state;
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_hello_encode(&b, OFP_SUPPORTED_VERSIONS, 9);
    assert_int_equal(b.len, 16);
    assert_int_equal(b.data[0], OFP13_VERSION);
    uint32_t v;
    assert_int_equal(ofp_hello_decode(b.data, b.len, &v), 0);
    assert_int_equal(v, OFP_SUPPORTED_VERSIONS);
    char *text = ofpt_ofp_print(b.data, b.len);
    if (text) {
        assert_non_null(strstr(text, "OFPT_HELLO (OF1.3) (xid=0x9)"));
        assert_non_null(strstr(text, "version bitmap: 0x01, 0x04"));
        assert_null(strstr(text, "***"));
        free(text);
    }
    ofp_buf_clear(&b);
    ofp_hello_encode(&b, V10, 1);
    assert_int_equal(b.len, 8);
    assert_int_equal(b.data[0], OFP10_VERSION);
    ofp_buf_free(&b);
}

static void
test_check_and_names(void **state)
{
    (void) state;
    uint8_t m[8] = { 4, OFPT_FLOW_MOD, 0, 8, 0, 0, 0, 1 };
    assert_int_equal(ofp_msg_check(m, 8, OFP13_VERSION), 0);
    assert_int_equal(ofp_msg_check(m, 8, OFP10_VERSION),
                     OFPERR_OFPBRC_BAD_VERSION);
    assert_int_equal(ofp_msg_check(m, 9, OFP13_VERSION),
                     OFPERR_OFPBRC_BAD_LEN);
    m[1] = OFPT_HELLO;
    assert_int_equal(ofp_msg_check(m, 8, OFP10_VERSION), 0);
    assert_string_equal(ofp_msg_type_name(4, 14), "OFPT_FLOW_MOD");
    assert_string_equal(ofp_msg_type_name(4, 18), "OFPT_MULTIPART_REQUEST");
    assert_string_equal(ofp_msg_type_name(1, 16), "OFPT_STATS_REQUEST");
    assert_string_equal(ofp_msg_type_name(1, 29), "OFPT_UNKNOWN");
    assert_string_equal(ofp_msg_type_name(4, 29), "OFPT_METER_MOD");
    assert_string_equal(ofp_msg_type_name(4, 30), "OFPT_UNKNOWN");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_finish),
        cmocka_unit_test(test_negotiate),
        cmocka_unit_test(test_hello_decode),
        cmocka_unit_test(test_hello_encode),
        cmocka_unit_test(test_check_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
