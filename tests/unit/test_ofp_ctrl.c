/* Unit tests for ofp_ctrl: echo, barrier, features, config, role, Nicira
 * formats and ports, each message read back by "ovs-ofctl ofp-print". */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_ctrl.h"
#include "ofproto/ofp_field.h"
#include "ofproto/ofp_msg.h"
#include "tests/unit/ofp_test_util.h"

#define expect_print(B, WANT) ofpt_expect_print((B)->data, (B)->len, WANT)

static const struct ofp_port port = {
    .port_no = 3, .hw_addr = { 0x02, 0, 0, 0, 0, 0x03 }, .name = "eth3",
    .config = OFPPC_NO_FWD, .state = OFPPS_LIVE,
    .curr = OFPPF_10GB_FD | OFPPF_FIBER,
    .supported = OFPPF_10GB_FD | OFPPF_FIBER | OFPPF_AUTONEG,
    .curr_speed = 10000000, .max_speed = 10000000,
};

static void
test_echo_barrier(void **state)
{
    (void) state;
    uint8_t req[12] = { 4, OFPT_ECHO_REQUEST, 0, 12, 0, 0, 0, 9,
                        1, 2, 3, 4 };
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_echo_reply_encode(&b, req, sizeof req);
    assert_int_equal(b.len, 12);
    assert_int_equal(b.data[1], OFPT_ECHO_REPLY);
    assert_memory_equal(b.data + 2, req + 2, 10);
    ofp_buf_clear(&b);
    ofp_barrier_reply_encode(&b, OFP10_VERSION, 5);
    expect_print(&b, "OFPT_BARRIER_REPLY (xid=0x5)");
    ofp_buf_clear(&b);
    ofp_barrier_reply_encode(&b, OFP13_VERSION, 6);
    expect_print(&b, "OFPT_BARRIER_REPLY (OF1.3) (xid=0x6)");
    ofp_buf_free(&b);
}

static void
test_features_and_ports(void **state)
{
    (void) state;
    struct ofp_features f = {
        .datapath_id = 0xabc, .n_tables = 254,
        .capabilities = OFPC_FLOW_STATS | OFPC_TABLE_STATS | OFPC_PORT_STATS
                        | OFPC_GROUP_STATS,
    };
    struct ofp_buf b = OFP_BUF_INIT;
    assert_int_equal(ofp_features_reply_encode(&b, OFP10_VERSION, 2, &f,
                                               &port, 1), 0);
    expect_print(&b, "OFPT_FEATURES_REPLY (xid=0x2): dpid:0000000000000abc\n"
                 "n_tables:254, n_buffers:0\n"
                 "capabilities: FLOW_STATS TABLE_STATS PORT_STATS\n"
                 "actions: output enqueue set_vlan_vid set_vlan_pcp "
                 "strip_vlan mod_dl_src mod_dl_dst mod_nw_src mod_nw_dst "
                 "mod_nw_tos mod_tp_src mod_tp_dst\n"
                 " 3(eth3): addr:02:00:00:00:00:03\n"
                 "     config:     NO_FWD\n"
                 "     state:      0\n"
                 "     current:    10GB-FD FIBER\n"
                 "     supported:  10GB-FD FIBER AUTO_NEG\n"
                 "     speed: 10000 Mbps now, 10000 Mbps max");
    ofp_buf_clear(&b);
    assert_int_equal(ofp_features_reply_encode(&b, OFP13_VERSION, 3, &f,
                                               NULL, 0), 0);
    expect_print(&b, "OFPT_FEATURES_REPLY (OF1.3) (xid=0x3): "
                 "dpid:0000000000000abc\nn_tables:254, n_buffers:0\n"
                 "capabilities: FLOW_STATS TABLE_STATS PORT_STATS "
                 "GROUP_STATS");
    ofp_buf_clear(&b);
    assert_int_equal(ofp_port_desc_reply_encode(&b, OFP13_VERSION, 4, &port,
                                                1, false), 0);
    expect_print(&b, "OFPST_PORT_DESC reply (OF1.3) (xid=0x4):\n"
                 " 3(eth3): addr:02:00:00:00:00:03\n"
                 "     config:     NO_FWD\n"
                 "     state:      LIVE\n"
                 "     current:    10GB-FD FIBER\n"
                 "     supported:  10GB-FD FIBER AUTO_NEG\n"
                 "     speed: 10000 Mbps now, 10000 Mbps max");
    ofp_buf_clear(&b);
    assert_int_equal(ofp_port_desc_reply_encode(&b, OFP10_VERSION, 4, &port,
                                                1, true), 0);
    expect_print(&b, "OFPST_PORT_DESC reply (xid=0x4): flags=[more]\n"
                 " 3(eth3): addr:02:00:00:00:00:03\n");
    ofp_buf_clear(&b);
    assert_int_equal(ofp_port_status_encode(&b, OFP13_VERSION, 5,
                                            OFPPR_MODIFY, &port), 0);
    expect_print(&b, "OFPT_PORT_STATUS (OF1.3) (xid=0x5): MOD: 3(eth3)");
    ofp_buf_clear(&b);
    assert_int_equal(ofp_port_status_encode(&b, OFP10_VERSION, 6,
                                            OFPPR_ADD, &port), 0);
    expect_print(&b, "OFPT_PORT_STATUS (xid=0x6): ADD: 3(eth3)");
    /* OpenFlow 1.0 cannot name port 0x10000: nothing is appended. */
    ofp_buf_clear(&b);
    struct ofp_port wide = port;
    wide.port_no = 0x10000;
    assert_int_equal(ofp_port_status_encode(&b, OFP10_VERSION, 6,
                                            OFPPR_ADD, &wide), -ENOTSUP);
    assert_int_equal(b.len, 0);
    ofp_buf_free(&b);
}

/* ofp13_port_decode() reads what ofp_port_put() writes (sluicectl show). */
static void
test_port_decode(void **state)
{
    (void) state;
    struct ofp_port p;
    memset(&p, 0, sizeof p);    /* Padding too: compared with memcmp. */
    p.port_no = OFPP_LOCAL;
    memcpy(p.hw_addr, (uint8_t[6]) { 2, 0, 0, 0, 0, 9 }, 6);
    strcpy(p.name, "br0");
    p.config = OFPPC_NO_FWD;
    p.state = OFPPS_LIVE;
    p.curr = OFPPF_10GB_FD | OFPPF_FIBER;
    p.advertised = OFPPF_10GB_FD;
    p.supported = OFPPF_1TB_FD;
    p.peer = OFPPF_AUTONEG;
    p.curr_speed = 10000000;
    p.max_speed = 40000000;
    struct ofp_buf b = OFP_BUF_INIT;
    assert_int_equal(ofp_port_put(&b, OFP13_VERSION, &p), 0);
    assert_int_equal(b.len, OFP13_PORT_LEN);
    struct ofp_port got;
    ofp13_port_decode(b.data, &got);
    assert_memory_equal(&got, &p, sizeof p);
    ofp_buf_free(&b);
}

static void
test_config_and_role(void **state)
{
    (void) state;
    struct ofp_switch_config c;
    uint8_t set[12] = { 4, OFPT_SET_CONFIG, 0, 12, 0, 0, 0, 1,
                        0, 1, 0x00, 0x80 };
    assert_int_equal(ofp_set_config_decode(set, 12, &c), 0);
    assert_int_equal(c.flags, OFPC_FRAG_DROP);
    assert_int_equal(c.miss_send_len, 128);
    set[9] = 4;
    assert_int_equal(ofp_set_config_decode(set, 12, &c),
                     OFPERR_OFPSCFC_BAD_FLAGS);
    set[0] = OFP10_VERSION;
    assert_int_equal(ofp_set_config_decode(set, 12, &c), 0);
    assert_int_equal(c.flags, 0);
    assert_int_equal(ofp_set_config_decode(set, 11, &c),
                     OFPERR_OFPBRC_BAD_LEN);
    struct ofp_buf b = OFP_BUF_INIT;
    c.flags = OFPC_FRAG_REASM;
    c.miss_send_len = 0xffff;
    ofp_get_config_reply_encode(&b, OFP13_VERSION, 7, &c);
    expect_print(&b, "OFPT_GET_CONFIG_REPLY (OF1.3) (xid=0x7): "
                 "frags=reassemble miss_send_len=65535");

    uint8_t role[24] = { 4, OFPT13_ROLE_REQUEST, 0, 24, 0, 0, 0, 8,
                         0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 };
    enum ofp_role r;
    uint64_t gen;
    assert_int_equal(ofp_role_request_decode(role, 24, &r, &gen), 0);
    assert_int_equal(r, OFPCR_ROLE_MASTER);
    assert_int_equal(gen, 9);
    role[11] = 4;
    assert_int_equal(ofp_role_request_decode(role, 24, &r, &gen),
                     OFPERR_OFPRRFC_BAD_ROLE);
    assert_int_equal(ofp_role_request_decode(role, 16, &r, &gen),
                     OFPERR_OFPBRC_BAD_LEN);
    ofp_buf_clear(&b);
    ofp_role_reply_encode(&b, 8, OFPCR_ROLE_SLAVE, 9);
    expect_print(&b, "OFPT_ROLE_REPLY (OF1.3) (xid=0x8): role=secondary "
                 "generation_id=9");
    ofp_buf_free(&b);
}

static void
test_nicira_formats(void **state)
{
    (void) state;
    size_t len;
    /* What ovs-ofctl sends first: NXT_SET_FLOW_FORMAT nxm. */
    uint8_t *m = ofpt_from_hex("0104001400000002000023200000000c00000002",
                               &len);
    uint32_t subtype;
    assert_int_equal(nx_msg_subtype(m, len, &subtype), 0);
    assert_int_equal(subtype, NXT_SET_FLOW_FORMAT);
    enum nx_flow_format ff;
    assert_int_equal(nx_set_flow_format_decode(m, len, &ff), 0);
    assert_int_equal(ff, NXFF_NXM);
    m[19] = 1;
    assert_int_equal(nx_set_flow_format_decode(m, len, &ff),
                     OFPERR_OFPBRC_EPERM);
    assert_int_equal(nx_set_flow_format_decode(m, 16, &ff),
                     OFPERR_OFPBRC_BAD_LEN);
    m[15] = NXT_SET_PACKET_IN_FORMAT;
    enum nx_packet_in_format pf;
    assert_int_equal(nx_set_packet_in_format_decode(m, len, &pf), 0);
    assert_int_equal(pf, NXPIF_NXT_PACKET_IN);
    m[19] = 3;
    assert_int_equal(nx_set_packet_in_format_decode(m, len, &pf),
                     OFPERR_OFPBRC_EPERM);
    m[10] = 0x24;
    assert_int_equal(nx_msg_subtype(m, len, &subtype),
                     OFPERR_OFPBRC_BAD_VENDOR);
    assert_int_equal(nx_msg_subtype(m, 12, &subtype), OFPERR_OFPBRC_BAD_LEN);
    free(m);
}

static void
test_port_mod_and_async(void **state)
{
    (void) state;
    struct ofp_port_mod pm;
    size_t len;
    /* OF1.0: port 3 down, advertise 10GB-FD + autoneg (OF1.0 bits). */
    uint8_t *m = ofpt_from_hex("010f002000000001" "0003020000000003"
                               "00000001000000010000024000000000", &len);
    assert_int_equal(ofp_port_mod_decode(m, len, &pm), 0);
    assert_int_equal(pm.port_no, 3);
    assert_int_equal(pm.config, OFPPC_PORT_DOWN);
    assert_int_equal(pm.mask, OFPPC_PORT_DOWN);
    assert_int_equal(pm.advertise, OFPPF_10GB_FD | OFPPF_AUTONEG);
    ofpt_expect_print(m, len, "OFPT_PORT_MOD (xid=0x1): port: 3: "
                      "addr:02:00:00:00:00:03\n     config: PORT_DOWN\n"
                      "     mask:   PORT_DOWN\n"
                      "     advertise: 10GB-FD AUTO_NEG");
    ofp_set_u16(m + 8, 0xff01);
    assert_int_equal(ofp_port_mod_decode(m, len, &pm),
                     OFPERR_OFPPMFC_BAD_PORT);
    assert_int_equal(ofp_port_mod_decode(m, 24, &pm), OFPERR_OFPBRC_BAD_LEN);
    free(m);
    /* OF1.3: the same, and a config bit it lacks. */
    m = ofpt_from_hex("0410002800000001" "0000000300000000"
                      "0200000000030000" "0000000100000001"
                      "0000204000000000", &len);
    assert_int_equal(ofp_port_mod_decode(m, len, &pm), 0);
    assert_int_equal(pm.advertise, OFPPF_10GB_FD | OFPPF_AUTONEG);
    ofpt_expect_print(m, len, "OFPT_PORT_MOD (OF1.3) (xid=0x1): port: 3: "
                      "addr:02:00:00:00:00:03\n     config: PORT_DOWN\n"
                      "     mask:   PORT_DOWN\n"
                      "     advertise: 10GB-FD AUTO_NEG");
    m[27] = 0x02;                               /* NO_STP (OF1.0's). */
    assert_int_equal(ofp_port_mod_decode(m, len, &pm),
                     OFPERR_OFPPMFC_BAD_CONFIG);
    free(m);

    struct ofp_async_config ac = {
        .packet_in = { 3, 0 }, .port_status = { 7, 7 },
        .flow_removed = { 15, 0 },
    };
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_get_async_reply_encode(&b, 4, &ac);
    assert_int_equal(b.len, 32);
    expect_print(&b, "OFPT_GET_ASYNC_REPLY (OF1.3) (xid=0x4):\n"
                 " primary:\n       PACKET_IN: no_match action\n"
                 "     PORT_STATUS: add delete modify\n"
                 "    FLOW_REMOVED: idle hard delete group_delete");
    struct ofp_async_config back;
    b.data[1] = OFPT13_SET_ASYNC;
    assert_int_equal(ofp_set_async_decode(b.data, b.len, &back), 0);
    assert_memory_equal(&ac, &back, sizeof ac);
    assert_int_equal(ofp_set_async_decode(b.data, 24, &back),
                     OFPERR_OFPBRC_BAD_LEN);
    ofp_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_barrier),
        cmocka_unit_test(test_features_and_ports),
        cmocka_unit_test(test_port_decode),
        cmocka_unit_test(test_config_and_role),
        cmocka_unit_test(test_nicira_formats),
        cmocka_unit_test(test_port_mod_and_async),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
