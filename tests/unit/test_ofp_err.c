/* Unit tests for ofp_err: every error's encoding in OpenFlow 1.0 and 1.3,
 * checked against the name "ovs-ofctl ofp-print" gives it, the 64 bytes
 * of the offending message, HELLO_FAILED, and parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_err.h"
#include "ofproto/ofp_msg.h"
#include "tests/unit/ofp_test_util.h"

static void
test_names(void **state)
{
    (void) state;
    assert_string_equal(ofp_err_name(OFPERR_NONE), "OK");
    assert_string_equal(ofp_err_name(OFPERR_OFPBMC_BAD_PREREQ),
                        "OFPBMC_BAD_PREREQ");
    assert_string_equal(ofp_err_name(OFPERR_N), "UNKNOWN");
    assert_int_equal(ofp_err_from_name("OFPBAC_BAD_OUT_PORT"),
                     OFPERR_OFPBAC_BAD_OUT_PORT);
    assert_int_equal(ofp_err_from_name("nonsense"), OFPERR_NONE);

    /* OF1.0 has no group errors: OVS sends them in a Nicira vendor error
     * with their OF1.1 type and code (a group action in OF1.0). */
    uint16_t type, code;
    uint32_t exp;
    assert_int_equal(ofp_err_encoding(OFPERR_OFPBAC_BAD_OUT_GROUP,
                                      OFP10_VERSION, &type, &code, &exp), 0);
    assert_int_equal(type, 2);
    assert_int_equal(code, 9);
    assert_int_equal(exp, OFP_NX_VENDOR);
}

/* Each error, in each version where it has a code, decodes back to
 * itself (but for codes OF1.0 shares) and ovs-ofctl names it. */
static void
test_every_error(void **state)
{
    (void) state;
    int oracle = ofpt_have_ovs_ofctl();
    const uint8_t versions[] = { OFP10_VERSION, OFP13_VERSION };
    uint8_t req[100];
    for (size_t i = 0; i < sizeof req; i++) {
        req[i] = (uint8_t) i;
    }
    /* The offending message: a 100-byte echo request. */
    req[1] = OFPT_ECHO_REQUEST;
    req[2] = 0;
    req[3] = sizeof req;
    for (int e = 1; e < OFPERR_N; e++) {
        for (size_t v = 0; v < 2; v++) {
            uint16_t type, code;
            uint32_t exp;
            if (ofp_err_encoding((enum ofp_err) e, versions[v], &type, &code,
                                 &exp)) {
                continue;
            }
            enum ofp_err back = ofp_err_decode(versions[v], type, code, exp);
            if ((int) back != e) {
                /* OF1.0 gives OFPBRC_IS_SECONDARY OFPBRC_EPERM's code. */
                assert_int_equal(e, OFPERR_OFPBRC_IS_SECONDARY);
                assert_int_equal(back, OFPERR_OFPBRC_EPERM);
            }
            struct ofp_buf b = OFP_BUF_INIT;
            req[0] = versions[v];
            ofp_err_encode(&b, versions[v], 0x42, (enum ofp_err) e, req,
                           sizeof req);
            size_t hdr = type == 0xffff ? 16 : exp ? 20 : 12;
            assert_int_equal(b.len, hdr + 64);
            assert_memory_equal(b.data + hdr, req, 64);
            enum ofp_err parsed;
            const uint8_t *data;
            size_t n;
            assert_int_equal(ofp_err_parse(b.data, b.len, &parsed, &data,
                                           &n), 0);
            assert_int_equal(parsed, back);
            assert_int_equal(n, 64);
            if (oracle) {
                char *text = ofpt_ofp_print(b.data, b.len);
                char want[128];
                snprintf(want, sizeof want, "OFPT_ERROR (%sxid=0x42): %s",
                         versions[v] == OFP13_VERSION ? "OF1.3) (" : "",
                         ofp_err_name(back));
                if (!strstr(text, want)) {
                    fail_msg("want \"%s\" in: %s", want, text);
                }
                free(text);
            }
            ofp_buf_free(&b);
        }
    }
}

static void
test_unencodable(void **state)
{
    (void) state;
    /* OFPBMC_BAD_TYPE has no OF1.0 code: sent as NXBRC_UNENCODABLE. */
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_err_encode(&b, OFP10_VERSION, 1, OFPERR_OFPBMC_BAD_TYPE, NULL, 0);
    assert_int_equal(b.len, 20);
    assert_int_equal(ofp_get_u16(b.data + 8), 0xb0c2);
    assert_int_equal(ofp_get_u16(b.data + 10), 0);
    assert_int_equal(ofp_get_u32(b.data + 12), 0x2320);
    assert_int_equal(ofp_get_u16(b.data + 16), 1);
    assert_int_equal(ofp_get_u16(b.data + 18), 521);
    ofp_buf_clear(&b);
    /* Short offending message: all of it. */
    uint8_t req[8] = { 4, 14, 0, 8, 0, 0, 0, 3 };
    ofp_err_encode(&b, OFP13_VERSION, 3, OFPERR_OFPBRC_BAD_LEN, req, 8);
    assert_int_equal(b.len, 20);
    assert_memory_equal(b.data + 12, req, 8);
    ofp_buf_free(&b);
}

static void
test_hello_failed(void **state)
{
    (void) state;
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_err_encode_hello_failed(&b, OFP13_VERSION, 7,
                                "we support 1.0 and 1.3");
    assert_int_equal(ofp_get_u16(b.data + 8), 0);
    assert_int_equal(ofp_get_u16(b.data + 10), 0);
    assert_memory_equal(b.data + 12, "we support", 10);
    char *text = ofpt_ofp_print(b.data, b.len);
    if (text) {
        assert_non_null(strstr(text, "OFPHFC_INCOMPATIBLE"));
        assert_non_null(strstr(text, "we support 1.0 and 1.3"));
        free(text);
    }
    ofp_buf_free(&b);
}

static void
test_parse_errors(void **state)
{
    (void) state;
    enum ofp_err e;
    const uint8_t *d;
    size_t n;
    uint8_t short_msg[10] = { 4, 1, 0, 10 };
    assert_int_equal(ofp_err_parse(short_msg, 10, &e, &d, &n),
                     OFPERR_OFPBRC_BAD_LEN);
    /* An experimenter error without its experimenter id. */
    uint8_t exp[14] = { 4, 1, 0, 14, 0, 0, 0, 0, 0xff, 0xff, 0, 2, 0, 0 };
    assert_int_equal(ofp_err_parse(exp, 14, &e, &d, &n),
                     OFPERR_OFPBRC_BAD_LEN);
    uint8_t unknown[12] = { 4, 1, 0, 12, 0, 0, 0, 0, 0, 99, 0, 0 };
    assert_int_equal(ofp_err_parse(unknown, 12, &e, &d, &n), 0);
    assert_int_equal(e, OFPERR_NONE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_every_error),
        cmocka_unit_test(test_unencodable),
        cmocka_unit_test(test_hello_failed),
        cmocka_unit_test(test_parse_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
