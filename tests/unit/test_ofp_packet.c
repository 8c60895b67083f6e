/* Unit tests for ofp_packet: packet-outs that Debian's ovs-ofctl sends
 * (captured with ofp_capture.py), their errors, and packet-ins read back
 * by "ovs-ofctl ofp-print". */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_match.h"
#include "ofproto/ofp_msg.h"
#include "ofproto/ofp_packet.h"
#include "tests/unit/ofp_test_util.h"

#define FRAME "ffffffffffff00000000000108060001"

/* ovs-ofctl --no-names [-O OpenFlow13] packet-out unix:SOCK "ARGS". */
static const struct {
    const char *args;
    const char *hex;
    uint32_t in_port;
    size_t n_actions;
} outs[] = {
    { "in_port=1 packet=" FRAME " actions=output:2,resubmit(,1)",
      "010d003800000002ffffffff00010018" "0000000800020000"
      "ffff001000002320000efff801000000" FRAME, 1, 2 },
    { "-O OpenFlow13 in_port=LOCAL packet=" FRAME " actions=output:2,TABLE",
      "040d004800000002fffffffffffffffe" "002000000000000000000010"
      "00000002000000000000000000000010fffffff90000000000000000" FRAME,
      OFPP_LOCAL, 2 },
    { "-O OpenFlow13 in_port=CONTROLLER packet=" FRAME " actions=FLOOD",
      "040d003800000002fffffffffffffffd" "001000000000000000000010"
      "fffffffb0000000000000000" FRAME, OFPP_CONTROLLER, 1 },
};

static void
test_packet_out_fixtures(void **state)
{
    (void) state;
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        size_t len, flen;
        uint8_t *msg = ofpt_from_hex(outs[i].hex, &len);
        uint8_t *frame = ofpt_from_hex(FRAME, &flen);
        struct ofp_packet_out po;
        enum ofp_err err = ofp_packet_out_decode(msg, len, &po);
        if (err) {
            fail_msg("%s: %s", outs[i].args, ofp_err_name(err));
        }
        assert_int_equal(po.buffer_id, OFP_NO_BUFFER);
        assert_int_equal(po.in_port, outs[i].in_port);
        assert_int_equal(po.actions.n, outs[i].n_actions);
        assert_int_equal(po.len, flen);
        assert_memory_equal(po.data, frame, flen);
        /* Encodes back to the same bytes. */
        struct ofp_buf b = OFP_BUF_INIT;
        assert_int_equal(ofp_packet_out_encode(&b, msg[0], 2, &po), 0);
        assert_int_equal(b.len, len);
        assert_memory_equal(b.data, msg, len);
        ofp_buf_free(&b);
        ofp_packet_out_free(&po);
        free(frame);
        free(msg);
    }
}

static void
test_packet_out_errors(void **state)
{
    (void) state;
    int oracle = ofpt_have_ovs_ofctl(), diff = 0;
    struct {
        const char *what;
        const char *hex;
        enum ofp_err err;
        const char *ovs;
    } bads[] = {
        { "short OF1.3", "040d001000000002ffffffff00000001",
          OFPERR_OFPBRC_BAD_LEN, "" },
        { "actions past the end", "010d001800000002ffffffff0001001000000008"
          "00020000", OFPERR_OFPBRC_BAD_LEN, "" },
        { "in_port 0xff01", "010d001000000002ffffffffff010000",
          OFPERR_OFPBRC_BAD_PORT, NULL },
        { "in_port 0", "040d001800000002ffffffff00000000000000000000"
          "0000", OFPERR_OFPBRC_BAD_PORT, "" },
        { "bad action", "010d001800000002ffffffff00010008000c000800000000",
          OFPERR_OFPBAC_BAD_TYPE, NULL },
    };
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        size_t len;
        uint8_t *msg = ofpt_from_hex(bads[i].hex, &len);
        struct ofp_packet_out po;
        enum ofp_err err = ofp_packet_out_decode(msg, len, &po);
        if (err != bads[i].err) {
            fail_msg("%s: got %s", bads[i].what, ofp_err_name(err));
        }
        if (oracle && (!bads[i].ovs || bads[i].ovs[0])) {
            diff += ofpt_ovs_differs(bads[i].what, msg, len,
                                     bads[i].ovs ? bads[i].ovs
                                                 : ofp_err_name(err));
        }
        free(msg);
    }
    assert_int_equal(diff, 0);
    /* OF1.0 cannot name in_port 0x10000 (nor can anything). */
    struct ofp_packet_out po = { .buffer_id = OFP_NO_BUFFER,
                                 .in_port = 0x10000 };
    struct ofp_buf b = OFP_BUF_INIT;
    assert_int_equal(ofp_packet_out_encode(&b, OFP10_VERSION, 1, &po),
                     -ENOTSUP);
    assert_int_equal(b.len, 0);
    ofp_buf_free(&b);
}

static void
test_packet_in(void **state)
{
    (void) state;
    size_t flen;
    uint8_t *frame = ofpt_from_hex(FRAME, &flen);
    struct ofp_match m;
    ofp_match_init(&m);
    ofpt_set_u(&m, MF_IN_PORT, 3);
    ofpt_set_u(&m, MF_REG0 + 1, 0x42);
    ofpt_set_u(&m, MF_METADATA, 0x99);
    struct ofp_packet_in pi = {
        .total_len = 60, .reason = OFPR_ACTION, .table_id = 2,
        .cookie = 0x1234, .match = &m, .data = frame, .len = flen,
    };
    struct ofp_buf b = OFP_BUF_INIT;
    assert_int_equal(ofp_packet_in_encode(&b, OFP13_VERSION, 5, &pi), 0);
    char *text = ofpt_ofp_print(b.data, b.len);
    if (text) {
        if (!strstr(text, "OFPT_PACKET_IN (OF1.3) (xid=0x5): table_id=2 "
                    "cookie=0x1234 total_len=60 reg1=0x42,metadata=0x99,"
                    "in_port=3 (via action) data_len=16 (unbuffered)")) {
            fail_msg("%s", text);
        }
        free(text);
    }
    ofp_buf_clear(&b);
    pi.reason = OFPR_NO_MATCH;
    assert_int_equal(ofp_packet_in_encode(&b, OFP10_VERSION, 6, &pi), 0);
    text = ofpt_ofp_print(b.data, b.len);
    if (text) {
        if (!strstr(text, "OFPT_PACKET_IN (xid=0x6): total_len=60 in_port=3 "
                    "(via no_match) data_len=16 (unbuffered)")) {
            fail_msg("%s", text);
        }
        free(text);
    }
    ofp_buf_clear(&b);
    pi.reason = OFPR_INVALID_TTL;
    assert_int_equal(ofp_packet_in_encode(&b, OFP10_VERSION, 6, &pi),
                     -ENOTSUP);
    assert_int_equal(b.len, 0);
    ofp_buf_free(&b);
    free(frame);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packet_out_fixtures),
        cmocka_unit_test(test_packet_out_errors),
        cmocka_unit_test(test_packet_in),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
