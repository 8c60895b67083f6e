/* Unit tests for ofp_kind: every message ovs-ofctl sends in the codec's
 * fixtures, the requests of dump-flows, dump-ports and friends, and the
 * errors for what is no message Sluice knows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/ofp_kind.h"
#include "tests/unit/ofp_fixtures.h"
#include "tests/unit/ofp_test_util.h"

static enum ofp_kind
kind_of(const char *hex, enum ofp_err *err)
{
    size_t len;
    uint8_t *m = ofpt_from_hex(hex, &len);
    enum ofp_kind k = ofp_msg_kind(m, len, err);
    free(m);
    return k;
}

static void
test_fixtures(void **state)
{
    (void) state;
    for (size_t i = 0; i < sizeof ofp_fixtures / sizeof ofp_fixtures[0];
         i++) {
        enum ofp_err err;
        assert_int_equal(kind_of(ofp_fixtures[i].hex, &err), OFPK_FLOW_MOD);
        assert_int_equal(err, 0);
    }
}

static void
test_kinds(void **state)
{
    (void) state;
    static const struct {
        const char *hex;
        enum ofp_kind kind;
    } cases[] = {
        { "0600001000000001000100080000007e", OFPK_HELLO },
        { "0100000800000001", OFPK_HELLO },
        { "0402000800000001", OFPK_ECHO_REQUEST },
        { "0105000800000001", OFPK_FEATURES_REQUEST },
        { "0414000800000001", OFPK_BARRIER_REQUEST },
        { "041800180000000100000002000000000000000000000009",
          OFPK_ROLE_REQUEST },
        { "010d001000000002ffffffff00010000", OFPK_PACKET_OUT },
        { "0104001400000002000023200000000c00000002",
          OFPK_NXT_SET_FLOW_FORMAT },
        { "0104001800000004000023200000000f0100000000000000",
          OFPK_NXT_FLOW_MOD_TABLE_ID },
        { "0404001400000002000023200000001000000002",
          OFPK_NXT_SET_PACKET_IN_FORMAT },
        { "0110000c0000000200000000", OFPK_DESC_REQUEST },
        { "0412001000000002000d000000000000", OFPK_PORT_DESC_REQUEST },
        { "011000140000000200040000ffff000000000000",
          OFPK_PORT_STATS_REQUEST },
        { "0110003000000004ffff0000000023200000000100000000ffff000bff000000"
          "00000602080000000c01060000000000", OFPK_AGGREGATE_REQUEST },
        { "04120010000000020003000000000000", OFPK_TABLE_STATS_REQUEST },
        { "0412001000000002000c000000000000", OFPK_TABLE_FEATURES_REQUEST },
        { "04130010000000020000000000000000", OFPK_STATS_REPLY },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum ofp_err err;
        enum ofp_kind k = kind_of(cases[i].hex, &err);
        if (k != cases[i].kind) {
            fail_msg("%s: %s (%s)", cases[i].hex, ofp_kind_name(k),
                     ofp_err_name(err));
        }
    }
    assert_string_equal(ofp_kind_name(OFPK_FLOW_MOD), "OFPK_FLOW_MOD");
}

static void
test_errors(void **state)
{
    (void) state;
    static const struct {
        const char *hex;
        enum ofp_err err;
    } cases[] = {
        { "04020009000000010000", OFPERR_OFPBRC_BAD_LEN },
        { "040200", OFPERR_OFPBRC_BAD_LEN },
        { "0202000800000001", OFPERR_OFPBRC_BAD_VERSION },
        { "0104000800000001", OFPERR_OFPBRC_BAD_LEN },  /* Vendor, short. */
        { "0404001000000001000012340000000c", OFPERR_OFPBRC_BAD_VENDOR },
        { "040400100000000100002320000000ff", OFPERR_OFPBRC_BAD_SUBTYPE },
        { "0118000800000001", OFPERR_OFPBRC_BAD_TYPE },   /* OF1.3 type. */
        { "041e000800000001", OFPERR_OFPBRC_BAD_TYPE },
        { "0404000800000001", OFPERR_OFPBRC_BAD_LEN },
        { "0412001000000002006300000000000", OFPERR_OFPBRC_BAD_LEN },
        { "0110000800000001", OFPERR_OFPBRC_BAD_LEN },   /* No stats type. */
        { "04120010000000020063000000000000", OFPERR_OFPBRC_BAD_STAT },
        { "0110000c0000000200060000", OFPERR_OFPBRC_BAD_STAT },
        { "0412001800000002ffff00000000000000002320000000ff",
          OFPERR_OFPBRC_BAD_SUBTYPE },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum ofp_err err;
        enum ofp_kind k = kind_of(cases[i].hex, &err);
        if (k != OFPK_NONE || err != cases[i].err) {
            fail_msg("%s: %s %s", cases[i].hex, ofp_kind_name(k),
                     ofp_err_name(err));
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
