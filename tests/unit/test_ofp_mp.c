/* Unit tests for ofp_mp: the statistics requests Debian's ovs-ofctl sends
 * for dump-desc, dump-tables, dump-ports and dump-ports-desc (with and
 * without -O OpenFlow13), errors, and the replies read back by
 * "ovs-ofctl ofp-print". */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_field.h"
#include "ofproto/ofp_mp.h"
#include "ofproto/ofp_msg.h"
#include "ofproto/ofp_stats.h"
#include "tests/unit/ofp_test_util.h"

#define expect_print(B, WANT) ofpt_expect_print((B)->data, (B)->len, WANT)

static const struct {
    const char *args;
    const char *hex;
    enum ofp_mp_type type;
} requests[] = {
    { "dump-desc", "0110000c0000000200000000", OFPMP_DESC },
    { "-O OpenFlow13 dump-desc", "04120010000000020000000000000000",
      OFPMP_DESC },
    { "dump-tables", "0110000c0000000200030000", OFPMP_TABLE },
    { "-O OpenFlow13 dump-tables", "04120010000000020003000000000000",
      OFPMP_TABLE },
    { "dump-ports", "011000140000000200040000ffff000000000000",
      OFPMP_PORT_STATS },
    { "-O OpenFlow13 dump-ports",
      "04120018000000020004000000000000ffffffff00000000", OFPMP_PORT_STATS },
    { "dump-ports-desc", "0110000c00000002000d0000", OFPMP_PORT_DESC },
    { "-O OpenFlow13 dump-ports-desc", "0412001000000002000d000000000000",
      OFPMP_PORT_DESC },
};

static void
test_requests(void **state)
{
    (void) state;
    for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        size_t len;
        uint8_t *msg = ofpt_from_hex(requests[i].hex, &len);
        struct ofp_mp_request r;
        enum ofp_err err = ofp_mp_request_parse(msg, len, &r);
        if (err) {
            fail_msg("%s: %s", requests[i].args, ofp_err_name(err));
        }
        assert_int_equal(r.type, requests[i].type);
        if (r.type == OFPMP_PORT_STATS) {
            uint32_t port;
            assert_int_equal(ofp_port_stats_request_port(&r, &port), 0);
            assert_int_equal(port, OFPP_ANY);
        }
        free(msg);
    }
    struct ofp_mp_request r;
    size_t len;
    uint8_t *msg = ofpt_from_hex("04120010000000020063000000000000", &len);
    assert_int_equal(ofp_mp_request_parse(msg, len, &r),
                     OFPERR_OFPBRC_BAD_STAT);
    free(msg);
    msg = ofpt_from_hex("0110000c0000000200070000", &len);  /* No group. */
    assert_int_equal(ofp_mp_request_parse(msg, len, &r),
                     OFPERR_OFPBRC_BAD_STAT);
    free(msg);
    msg = ofpt_from_hex("0110001000000002000000000000000", &len);
    msg[3] = (uint8_t) len;
    assert_int_equal(ofp_mp_request_parse(msg, len, &r),
                     OFPERR_OFPBRC_BAD_LEN);        /* desc with a body. */
    free(msg);
    msg = ofpt_from_hex("04120018000000020004000000000000ffffffff", &len);
    msg[3] = (uint8_t) len;
    assert_int_equal(ofp_mp_request_parse(msg, len, &r), 0);
    uint32_t port;
    assert_int_equal(ofp_port_stats_request_port(&r, &port),
                     OFPERR_OFPBRC_BAD_LEN);
    free(msg);
    /* Experimenter: Nicira's is parsed, another refused. */
    msg = ofpt_from_hex("0412001800000002ffff0000000000000000232000000001",
                        &len);
    assert_int_equal(ofp_mp_request_parse(msg, len, &r), 0);
    assert_int_equal(r.type, OFPMP_EXPERIMENTER);
    assert_int_equal(r.nx_subtype, 1);
    assert_int_equal(r.body_len, 0);
    msg[18] = 0x24;
    assert_int_equal(ofp_mp_request_parse(msg, len, &r),
                     OFPERR_OFPBRC_BAD_VENDOR);
    free(msg);
    msg = ofpt_from_hex("0412000800000002", &len);
    assert_int_equal(ofp_mp_request_parse(msg, len, &r),
                     OFPERR_OFPBRC_BAD_LEN);
    msg[1] = OFPT_FLOW_MOD;
    assert_int_equal(ofp_mp_request_parse(msg, len, &r),
                     OFPERR_OFPBRC_BAD_TYPE);
    free(msg);
}

static void
test_replies(void **state)
{
    (void) state;
    const uint8_t versions[] = { OFP10_VERSION, OFP13_VERSION };
    for (int i = 0; i < 2; i++) {
        uint8_t v = versions[i];
        const char *of13 = v == OFP13_VERSION ? " (OF1.3)" : "";
        char want[512];
        struct ofp_buf b = OFP_BUF_INIT;
        size_t start = ofp_mp_reply_start(&b, v, OFPMP_DESC, 1);
        ofp_desc_put(&b, &(struct ofp_desc) {
            "Sluice", "DPDK", "0.1.0", "None", "br0" });
        assert_int_equal(ofp_stats_reply_finish(&b, start, false), 0);
        snprintf(want, sizeof want, "OFPST_DESC reply%s (xid=0x1):\n"
                 "Manufacturer: Sluice\nHardware: DPDK\nSoftware: 0.1.0\n"
                 "Serial Num: None\nDP Description: br0", of13);
        expect_print(&b, want);

        ofp_buf_clear(&b);
        start = ofp_mp_reply_start(&b, v, OFPMP_TABLE, 2);
        ofp_table_stats_put(&b, v, &(struct ofp_table_stats) {
            .table_id = 0, .name = "classifier", .max_entries = 1000000,
            .active_count = 3, .lookup_count = 10, .matched_count = 7 });
        assert_int_equal(ofp_stats_reply_finish(&b, start, false), 0);
        snprintf(want, sizeof want, "OFPST_TABLE reply%s (xid=0x2):\n"
                 "  table 0%s:\n    active=3, lookup=10, matched=7", of13,
                 v == OFP10_VERSION ? " (\"classifier\")" : "");
        expect_print(&b, want);

        ofp_buf_clear(&b);
        start = ofp_mp_reply_start(&b, v, OFPMP_PORT_STATS, 3);
        assert_int_equal(ofp_port_stats_put(&b, v, &(struct ofp_port_stats) {
            .port_no = 2, .rx_packets = 5, .tx_packets = 6, .rx_bytes = 500,
            .tx_bytes = 600, .rx_dropped = 1, .duration_sec = 9 }), 0);
        assert_int_equal(ofp_stats_reply_finish(&b, start, false), 0);
        snprintf(want, sizeof want, "OFPST_PORT reply%s (xid=0x3): 1 ports\n"
                 "  port  2: rx pkts=5, bytes=500, drop=1, errs=0, frame=0, "
                 "over=0, crc=0\n           tx pkts=6, bytes=600, drop=0, "
                 "errs=0, coll=0", of13);
        expect_print(&b, want);
        ofp_buf_free(&b);
    }
    struct ofp_buf b = OFP_BUF_INIT;
    assert_int_equal(ofp_port_stats_put(&b, OFP10_VERSION,
                                        &(struct ofp_port_stats) {
                                            .port_no = 0x10000 }), -ENOTSUP);
    ofp_buf_free(&b);
}

static void
test_table_features(void **state)
{
    (void) state;
    struct ofp_buf b = OFP_BUF_INIT;
    size_t start = ofp_mp_reply_start(&b, OFP13_VERSION,
                                      OFPMP_TABLE_FEATURES, 5);
    struct ofp_table_features tf = {
        .table_id = 253, .name = "t253", .metadata_match = UINT64_MAX,
        .metadata_write = UINT64_MAX, .max_entries = 1000000,
    };
    ofp13_table_features_put(&b, &tf);
    tf.table_id = 254;
    tf.name = "last";
    ofp13_table_features_put(&b, &tf);
    assert_int_equal(ofp_stats_reply_finish(&b, start, false), 0);
    assert_int_equal(b.len % 8, 0);
    /* Every field Sluice matches, and the writable ones for set_field. */
    expect_print(&b, "exact match or wildcard: tun_{id,src,dst} metadata "
                 "in_{port,port_oxm} reg0...reg15 eth_{src,dst,type} "
                 "vlan_{tci,vid,pcp} mpls_{label,tc,bos,ttl} ip_{src,dst} "
                 "ipv6_{src,dst,label} nw_{proto,tos} ip_dscp "
                 "nw_{ecn,ttl} ip_frag arp_{op,spa,tpa,sha,tha} "
                 "tcp_{src,dst,flags} udp_{src,dst} sctp_{src,dst} "
                 "icmp_{type,code} icmpv6_{type,code} nd_{target,sll,tll}");
    expect_print(&b, "OFPST_TABLE_FEATURES reply (OF1.3) (xid=0x5):\n"
                 "  table 253 (\"t253\"):\n"
                 "    metadata: match=0xffffffffffffffff "
                 "write=0xffffffffffffffff\n"
                 "    max_entries=1000000\n"
                 "    instructions (table miss and others):\n"
                 "      next tables: 254\n"
                 "      instructions: apply_actions clear_actions "
                 "write_actions write_metadata goto_table\n"
                 "      Write-Actions and Apply-Actions features:\n"
                 "        actions: output group set_field strip_vlan "
                 "push_vlan mod_nw_ttl dec_ttl set_mpls_ttl dec_mpls_ttl "
                 "push_mpls pop_mpls set_queue\n");
    char *text = ofpt_ofp_print(b.data, b.len);
    if (text) {
        const char *last = strstr(text, "table 254");
        assert_non_null(last);
        /* Last table: nowhere to go. */
        assert_null(strstr(last, "next tables"));
        assert_non_null(strstr(last, "instructions: apply_actions "
                               "clear_actions write_actions "
                               "write_metadata\n"));
        free(text);
    }
    ofp_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_replies),
        cmocka_unit_test(test_table_features),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
