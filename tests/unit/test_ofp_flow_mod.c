/* Unit tests for ofp_flow_mod: flow_mods of OpenFlow 1.0, 1.3 and NXM,
 * instructions, and the messages Debian's ovs-ofctl sends
 * (ofp_fixtures.h) decoded, encoded again and checked with
 * "ovs-ofctl ofp-print". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_msg.h"
#include "tests/unit/ofp_fixtures.h"
#include "tests/unit/ofp_test_util.h"

#define N_FIXTURES (sizeof ofp_fixtures / sizeof ofp_fixtures[0])

static enum ofp_fm_format
format_of(const uint8_t *msg)
{
    return msg[0] == OFP13_VERSION ? OFP_FM_OF13
           : msg[1] == OFPT_FLOW_MOD ? OFP_FM_OF10 : OFP_FM_NXM;
}

/* Every flow_mod ovs-ofctl sends decodes, and encodes back to bytes
 * that ovs-ofctl reads as the same flow_mod. */
static void
test_fixtures_round_trip(void **state)
{
    (void) state;
    int oracle = ofpt_have_ovs_ofctl();
    for (size_t i = 0; i < N_FIXTURES; i++) {
        const struct ofp_fixture *fx = &ofp_fixtures[i];
        size_t len;
        uint8_t *msg = ofpt_from_hex(fx->hex, &len);
        struct ofp_flow_mod fm;
        enum ofp_err err = ofp_flow_mod_decode(msg, len, fx->table_id_ext,
                                               &fm);
        if (err) {
            fail_msg("%s: %s", fx->args, ofp_err_name(err));
        }
        struct ofp_buf b = OFP_BUF_INIT;
        int error = ofp_flow_mod_encode(&b, format_of(msg),
                                        fx->table_id_ext,
                                        ofp_get_u32(msg + 4), &fm);
        if (error) {
            fail_msg("%s: encode %d", fx->args, error);
        }
        if (b.len != len || memcmp(b.data, msg, len)) {
            /* Same meaning, other bytes (e.g. TLV order): ask ovs-ofctl. */
            struct ofp_flow_mod fm2;
            err = ofp_flow_mod_decode(b.data, b.len, fx->table_id_ext, &fm2);
            if (err) {
                char *hex = ofpt_to_hex(b.data, b.len);
                fail_msg("%s: decode of %s: %s", fx->args, hex,
                         ofp_err_name(err));
            }
            assert_true(ofp_match_equal(&fm.match, &fm2.match));
            assert_true(ofp_insts_equal(&fm.insts, &fm2.insts));
            ofp_flow_mod_free(&fm2);
            if (oracle) {
                char *want = ofpt_ofp_print(msg, len);
                char *got = ofpt_ofp_print(b.data, b.len);
                if (strcmp(want, got)) {
                    fail_msg("%s:\nwant %s\ngot %s", fx->args, want, got);
                }
                free(want);
                free(got);
            }
        }
        ofp_buf_free(&b);
        ofp_flow_mod_free(&fm);
        free(msg);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
