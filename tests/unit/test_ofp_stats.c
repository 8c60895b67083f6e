/* Unit tests for ofp_stats: the flow and aggregate statistics requests
 * Debian's ovs-ofctl sends for dump-flows and dump-aggregate (with and
 * without -O OpenFlow13), and replies in every form read back by
 * "ovs-ofctl ofp-print". */
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
#include "ofproto/ofp_stats.h"
#include "tests/unit/ofp_test_util.h"

static const struct {
    const char *args;
    const char *hex;
    enum ofp_stats_format format;
    bool aggregate;
    uint8_t table_id;
    uint32_t out_port;
} requests[] = {
    { "dump-flows table=1,tcp,nw_src=10.0.0.0/8,reg0=5",
      "0110004000000004ffff0000000023200000000000000000ffff001f01000000"
      "00000602080000000f080a000000ff00000000000c0106000100040000000500",
      OFP_STATS_NX, false, 1, OFPP_ANY },
    { "-O OpenFlow13 dump-flows table=1,tcp,nw_src=10.0.0.0/8,cookie=5/-1",
      "0412005000000002000100000000000001000000ffffffffffffffff00000000"
      "0000000000000005ffffffffffffffff0001001b80000a020800800017080a00"
      "0000ff00000080001401060000000000",
      OFP_STATS_OF13, false, 1, OFPP_ANY },
    { "dump-aggregate tcp",
      "0110003000000004ffff0000000023200000000100000000ffff000bff000000"
      "00000602080000000c01060000000000",
      OFP_STATS_NX, true, OFPTT_ALL, OFPP_ANY },
    { "-O OpenFlow13 dump-aggregate out_port=3",
      "04120038000000020002000000000000ff00000000000003ffffffff00000000"
      "000000000000000000000000000000000001000400000000",
      OFP_STATS_OF13, true, OFPTT_ALL, 3 },
};

static void
test_requests(void **state)
{
    (void) state;
    for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        size_t len;
        uint8_t *msg = ofpt_from_hex(requests[i].hex, &len);
        struct ofp_flow_stats_request r;
        enum ofp_err err = ofp_flow_stats_request_decode(msg, len, &r);
        if (err) {
            fail_msg("%s: %s", requests[i].args, ofp_err_name(err));
        }
        assert_int_equal(r.format, requests[i].format);
        assert_int_equal(r.aggregate, requests[i].aggregate);
        assert_int_equal(r.table_id, requests[i].table_id);
        assert_int_equal(r.out_port, requests[i].out_port);
        struct ofp_buf b = OFP_BUF_INIT;
        assert_int_equal(ofp_flow_stats_request_encode(&b,
                                                       ofp_get_u32(msg + 4),
                                                       &r), 0);
        /* The very bytes ovs-ofctl sent. */
        assert_int_equal(b.len, len);
        assert_memory_equal(b.data, msg, len);
        ofp_buf_free(&b);
        free(msg);
    }
    /* The OF1.3 one matched cookie 5 exactly. */
    size_t len;
    uint8_t *msg = ofpt_from_hex(requests[1].hex, &len);
    struct ofp_flow_stats_request r;
    assert_int_equal(ofp_flow_stats_request_decode(msg, len, &r), 0);
    assert_int_equal(r.cookie, 5);
    assert_int_equal(r.cookie_mask, UINT64_MAX);
    assert_int_equal(ofp_get_u32((void *) &r.match.wc.nw_src), 0xff000000);
    /* Errors. */
    msg[9] = 4;                                 /* OFPMP_TABLE. */
    assert_int_equal(ofp_flow_stats_request_decode(msg, len, &r),
                     OFPERR_OFPBRC_BAD_STAT);
    msg[9] = 1;
    assert_int_equal(ofp_flow_stats_request_decode(msg, len - 8, &r),
                     OFPERR_OFPBRC_BAD_LEN);
    ofp_set_u16(msg + 2, (uint16_t) (len - 8));
    assert_int_equal(ofp_flow_stats_request_decode(msg, len - 8, &r),
                     OFPERR_OFPBMC_BAD_LEN);
    free(msg);
    msg = ofpt_from_hex(requests[0].hex, &len);
    msg[19] = 9;                                /* NX subtype 9. */
    assert_int_equal(ofp_flow_stats_request_decode(msg, len, &r),
                     OFPERR_OFPBRC_BAD_SUBTYPE);
    msg[19] = 0;
    msg[15] = 0x21;
    assert_int_equal(ofp_flow_stats_request_decode(msg, len, &r),
                     OFPERR_OFPBRC_BAD_VENDOR);
    free(msg);
}

static void
test_replies(void **state)
{
    (void) state;
    struct ofp_match m;
    ofp_match_init(&m);
    ofpt_set_u(&m, MF_ETH_TYPE, 0x0800);
    ofpt_set_u(&m, MF_IP_PROTO, 6);
    ofpt_set_u(&m, MF_TCP_DST, 80);
    struct ofp_insts in;
    ofp_insts_init(&in);
    in.present = 1u << OFPIT_APPLY_ACTIONS;
    struct ofp_action *a = ofp_actions_put(&in.apply, OFPACT_OUTPUT);
    a->output.port = 2;
    struct ofp_flow_stats fs = {
        .table_id = 1, .duration_sec = 5, .duration_nsec = 500000000,
        .priority = 100, .idle_timeout = 10, .cookie = 0x55,
        .packet_count = 7, .byte_count = 700, .idle_age = 3, .hard_age = 4,
        .match = &m, .insts = &in,
    };
    static const char *const want[] = {
        [OFP_STATS_OF10] = " cookie=0x55, duration=5.500s, table=1, "
                           "n_packets=7, n_bytes=700, idle_timeout=10, "
                           "priority=100,tcp,tp_dst=80 actions=output:2",
        [OFP_STATS_NX] = " cookie=0x55, duration=5.500s, table=1, "
                         "n_packets=7, n_bytes=700, idle_timeout=10, "
                         "idle_age=2, hard_age=3, priority=100,tcp,tp_dst=80 "
                         "actions=output:2",
        [OFP_STATS_OF13] = " cookie=0x55, duration=5.500s, table=1, "
                           "n_packets=7, n_bytes=700, idle_timeout=10, "
                           "priority=100,tcp,tp_dst=80 actions=output:2",
    };
    for (int f = OFP_STATS_OF10; f <= OFP_STATS_OF13; f++) {
        struct ofp_buf b = OFP_BUF_INIT;
        size_t start = ofp_stats_reply_start(&b, (enum ofp_stats_format) f,
                                             false, 9);
        assert_int_equal(ofp_flow_stats_put(&b, (enum ofp_stats_format) f,
                                            &fs), 0);
        assert_int_equal(ofp_flow_stats_put(&b, (enum ofp_stats_format) f,
                                            &fs), 0);
        assert_int_equal(ofp_stats_reply_finish(&b, start, true), 0);
        char *text = ofpt_ofp_print(b.data, b.len);
        if (text) {
            if (!strstr(text, want[f]) || !strstr(text, "flags=[more]")
                || strstr(text, "***")) {
                fail_msg("format %d: %s", f, text);
            }
            free(text);
        }
        ofp_buf_clear(&b);
        start = ofp_stats_reply_start(&b, (enum ofp_stats_format) f, true,
                                      9);
        ofp_aggregate_stats_put(&b, 7, 700, 1);
        assert_int_equal(ofp_stats_reply_finish(&b, start, false), 0);
        text = ofpt_ofp_print(b.data, b.len);
        if (text) {
            if (!strstr(text, "packet_count=7 byte_count=700 flow_count=1")) {
                fail_msg("format %d: %s", f, text);
            }
            free(text);
        }
        ofp_buf_free(&b);
    }
    /* OF1.0 cannot carry a register match; the reply is left alone. */
    ofpt_set_u(&m, MF_REG0, 1);
    struct ofp_buf b = OFP_BUF_INIT;
    size_t start = ofp_stats_reply_start(&b, OFP_STATS_OF10, false, 1);
    size_t n = b.len;
    assert_int_equal(ofp_flow_stats_put(&b, OFP_STATS_OF10, &fs), -ENOTSUP);
    assert_int_equal(b.len, n);
    assert_int_equal(ofp_flow_stats_put(&b, OFP_STATS_NX, &fs), 0);
    (void) start;
    ofp_buf_free(&b);
    ofp_insts_free(&in);
}

/* A rule with OF1.3 instructions in OF1.0 and NX replies, as OVS sends
 * it: goto_table as resubmit(,N), write_metadata as the Nicira action,
 * write_actions and clear_actions left out, push_vlan (mod_vlan_vid
 * pushes) too. */
static void
test_instructions_in_of10(void **state)
{
    (void) state;
    struct ofp_match m;
    ofp_match_init(&m);
    struct ofp_insts in;
    ofp_insts_init(&in);
    in.present = (1u << OFPIT_APPLY_ACTIONS) | (1u << OFPIT_CLEAR_ACTIONS)
                 | (1u << OFPIT_WRITE_ACTIONS) | (1u << OFPIT_GOTO_TABLE);
    in.goto_table = 5;
    ofp_actions_put(&in.apply, OFPACT_PUSH_VLAN)->u16 = 0x8100;
    struct ofp_action *a = ofp_actions_put(&in.apply, OFPACT_SET_FIELD);
    a->set_field.field = MF_VLAN_VID;
    a->set_field.value[0] = 0x10;
    a->set_field.value[1] = 6;
    ofp_actions_put(&in.write, OFPACT_OUTPUT)->output.port = 2;
    struct ofp_flow_stats fs = { .table_id = 1, .match = &m, .insts = &in };
    for (int f = OFP_STATS_OF10; f <= OFP_STATS_NX; f++) {
        struct ofp_buf b = OFP_BUF_INIT;
        size_t start = ofp_stats_reply_start(&b, (enum ofp_stats_format) f,
                                             false, 9);
        assert_int_equal(ofp_flow_stats_put(&b, (enum ofp_stats_format) f,
                                            &fs), 0);
        assert_int_equal(ofp_stats_reply_finish(&b, start, false), 0);
        char *text = ofpt_ofp_print(b.data, b.len);
        if (text) {
            if (!strstr(text, "actions=mod_vlan_vid:6,resubmit(,5)\n")
                || strstr(text, "***")) {
                fail_msg("format %d: %s", f, text);
            }
            free(text);
        }
        ofp_buf_free(&b);
    }
    /* write_metadata alone, after the actions. */
    in.present = (1u << OFPIT_APPLY_ACTIONS) | (1u << OFPIT_WRITE_METADATA);
    in.metadata = 1;
    in.metadata_mask = 0xff;
    struct ofp_buf b = OFP_BUF_INIT;
    size_t start = ofp_stats_reply_start(&b, OFP_STATS_NX, false, 9);
    assert_int_equal(ofp_flow_stats_put(&b, OFP_STATS_NX, &fs), 0);
    assert_int_equal(ofp_stats_reply_finish(&b, start, false), 0);
    char *text = ofpt_ofp_print(b.data, b.len);
    if (text) {
        if (!strstr(text, "actions=mod_vlan_vid:6,write_metadata:0x1/0xff")
            || strstr(text, "***")) {
            fail_msg("%s", text);
        }
        free(text);
    }
    ofp_buf_free(&b);
    ofp_insts_free(&in);
}

/* What ofp_flow_stats_put() writes, ofp13_flow_stats_decode() reads back
 * (sluicectl dump-flows); a truncated or overlong entry is refused. */
static void
test_of13_flow_stats_decode(void **state)
{
    (void) state;
    struct ofp_match m;
    ofp_match_init(&m);
    ofpt_set_u(&m, MF_ETH_TYPE, 0x0800);
    ofpt_set_u(&m, MF_IPV4_DST, 0x0a000001);
    struct ofp_insts in;
    ofp_insts_init(&in);
    in.present = 1u << OFPIT_APPLY_ACTIONS | 1u << OFPIT_GOTO_TABLE;
    in.goto_table = 3;
    ofp_actions_put(&in.apply, OFPACT_OUTPUT)->output.port = 2;
    struct ofp_flow_stats fs = {
        .table_id = 1, .duration_sec = 5, .duration_nsec = 7,
        .priority = 100, .idle_timeout = 10, .hard_timeout = 20,
        .flags = OFPFF_SEND_FLOW_REM, .cookie = 0x55, .packet_count = 7,
        .byte_count = 700, .match = &m, .insts = &in,
    };
    struct ofp_buf b = OFP_BUF_INIT;
    assert_int_equal(ofp_flow_stats_put(&b, OFP_STATS_OF13, &fs), 0);
    assert_int_equal(ofp_flow_stats_put(&b, OFP_STATS_OF13, &fs), 0);
    const uint8_t *p = b.data;
    size_t left = b.len;
    for (int i = 0; i < 2; i++) {
        struct ofp_flow_stats got;
        struct ofp_match gm;
        struct ofp_insts gi;
        assert_int_equal(ofp13_flow_stats_decode(&p, &left, &got, &gm, &gi),
                         0);
        assert_true(ofp_match_equal(&gm, &m));
        assert_true(ofp_insts_equal(&gi, &in));
        assert_int_equal(got.table_id, 1);
        assert_int_equal(got.duration_sec, 5);
        assert_int_equal(got.duration_nsec, 7);
        assert_int_equal(got.priority, 100);
        assert_int_equal(got.idle_timeout, 10);
        assert_int_equal(got.hard_timeout, 20);
        assert_int_equal(got.flags, OFPFF_SEND_FLOW_REM);
        assert_int_equal(got.cookie, 0x55);
        assert_int_equal(got.packet_count, 7);
        assert_int_equal(got.byte_count, 700);
        ofp_insts_free(&gi);
    }
    assert_int_equal(left, 0);
    for (size_t n = 0; n < b.len / 2; n += 8) {
        struct ofp_flow_stats got;
        struct ofp_match gm;
        struct ofp_insts gi;
        p = b.data;
        left = n;
        assert_int_not_equal(ofp13_flow_stats_decode(&p, &left, &got, &gm,
                                                     &gi), 0);
        assert_ptr_equal(p, b.data);
        ofp_insts_free(&gi);
    }
    ofp_buf_free(&b);
    ofp_insts_free(&in);
}

static void
test_flow_removed(void **state)
{
    (void) state;
    struct ofp_match m;
    ofp_match_init(&m);
    ofpt_set_u(&m, MF_ETH_TYPE, 0x0800);
    ofpt_set_u(&m, MF_IPV4_DST, 0x0a000001);
    struct ofp_flow_stats fs = {
        .table_id = 2, .duration_sec = 3, .priority = 7, .idle_timeout = 5,
        .hard_timeout = 9, .cookie = 0x66, .packet_count = 4,
        .byte_count = 400, .match = &m,
    };
    static const char *const want[] = {
        [OFP_STATS_OF10] = "OFPT_FLOW_REMOVED (xid=0x1): "
                           "priority=7,ip,nw_dst=10.0.0.1 reason=idle "
                           "cookie:0x66 duration3s idle5 pkts4 bytes400",
        [OFP_STATS_NX] = "NXT_FLOW_REMOVED (xid=0x1): "
                         "priority=7,ip,nw_dst=10.0.0.1 reason=idle "
                         "cookie:0x66 duration3s idle5 pkts4 bytes400",
        [OFP_STATS_OF13] = "OFPT_FLOW_REMOVED (OF1.3) (xid=0x1): "
                           "priority=7,ip,nw_dst=10.0.0.1 reason=idle "
                           "table_id=2 cookie:0x66 duration3s idle5 hard9 "
                           "pkts4 bytes400",
    };
    for (int f = OFP_STATS_OF10; f <= OFP_STATS_OF13; f++) {
        struct ofp_buf b = OFP_BUF_INIT;
        assert_int_equal(ofp_flow_removed_encode(&b,
                                                 (enum ofp_stats_format) f,
                                                 1, OFPRR_IDLE_TIMEOUT, &fs),
                         0);
        char *text = ofpt_ofp_print(b.data, b.len);
        if (text) {
            if (!strstr(text, want[f]) || strstr(text, "***")) {
                fail_msg("format %d: %s", f, text);
            }
            free(text);
        }
        ofp_buf_clear(&b);
        assert_int_equal(ofp_flow_removed_encode(&b,
                                                 (enum ofp_stats_format) f,
                                                 1, OFPRR_GROUP_DELETE, &fs),
                         f == OFP_STATS_OF13 ? 0 : -ENOTSUP);
        ofp_buf_free(&b);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_replies),
        cmocka_unit_test(test_instructions_in_of10),
        cmocka_unit_test(test_of13_flow_stats_decode),
        cmocka_unit_test(test_flow_removed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
