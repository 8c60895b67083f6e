/* Unit tests for ofproto/of_normal: NORMAL as a MAC learning switch,
 * through of_xlate_translate() on switches without a datapath and a flood
 * topology built by hand - an unknown destination floods, a learned one
 * goes to its port alone, learning only from real traffic, broadcast
 * floods, a destination on the input port drops, a station that moves,
 * expiry brings the flood back, VLANs (access and trunk ports, tags pushed
 * and popped for the one port), stations behind a patch link or a bond,
 * and the megaflow mask (in_port, dl_src, dl_dst, the outer tag). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/bridge_flood.h"
#include "ofproto/mac_learning.h"
#include "ofproto/of_xlate.h"
#include "ofproto/ofproto.h"
#include "ofproto/ofproto_private.h"
#include "pmd/actions.h"
#include "pmd/flow.h"
#include "src/util/dstr.h"
#include "tests/unit/of_switch_test.h"

static struct ofproto *br0, *br1;

#define A 0xa
#define B 0xb
#define C 0xc

/* Both standalone: NORMAL (of_switch_test.h). */
static int
setup(void **state)
{
    (void) state;
    of_switches_create(false, &br0, &br1);
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    flood_set_topo(NULL);
    ofproto_destroy(br0);
    ofproto_destroy(br1);
    return 0;
}

/* The topology the reconciler would build; 'vlans': p1 access 10, p2
 * access 20, p3 trunk of 10 and 20, p4 access 10. */
static void
topo(bool vlans)
{
    struct flood_topo *t = flood_topo_create(2);
    assert_non_null(t);
    for (uint32_t p = 11; p <= 14; p++) {
        assert_int_equal(flood_topo_add_port(t, 0, p), 0);
    }
    assert_int_equal(flood_topo_add_port(t, 1, 21), 0);
    assert_int_equal(flood_topo_add_patch(t, 0, 1), 0);
    assert_int_equal(flood_topo_add_patch(t, 1, 0), 0);
    if (vlans) {
        static const int64_t trunks[] = { 10, 20 };
        flood_topo_set_vlan(t, 11, FLOOD_VLAN_DEFAULT, 10, NULL, 0);
        flood_topo_set_vlan(t, 12, FLOOD_VLAN_DEFAULT, 20, NULL, 0);
        flood_topo_set_vlan(t, 13, FLOOD_VLAN_TRUNK, -1, trunks, 2);
        flood_topo_set_vlan(t, 14, FLOOD_VLAN_DEFAULT, 10, NULL, 0);
        flood_topo_set_vlan(t, 21, FLOOD_VLAN_TRUNK, -1, trunks, 2);
    }
    flood_set_topo(t);
    mac_learning_flush(br0->ml);
    mac_learning_flush(br1->ml);
    mac_learning_clear_stats(br0->ml);
}

static void
set_mac(uint8_t *m, unsigned int host)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    if (host == 0xff) {
        memcpy(m, bcast, 6);
    } else {
        memcpy(m, "\x02\x00\x00\x00\x00", 5);
        m[5] = (uint8_t) host;
    }
}

/* A frame from host 'src' to host 'dst' (0xff: broadcast) received on
 * datapath port 'in', tagged with 'vid' unless it is negative. */
static struct flow
frame(uint32_t in, unsigned int src, unsigned int dst, int vid)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.in_port = in;
    f.dl_type = htons(0x0800);
    f.nw_src = htonl(0x0a000001);
    f.nw_dst = htonl(0x0a000002);
    f.nw_proto = 17;
    set_mac(f.dl_src, src);
    set_mac(f.dl_dst, dst);
    if (vid >= 0) {
        f.vlans[0].tpid = htons(0x8100);
        f.vlans[0].tci = htons((uint16_t) vid);
    }
    return f;
}

/* Translates 'f' as an upcall's packet ('learn') or a revalidation. */
static const char *
xlate(const struct flow *f, bool learn, struct flow *mask)
{
    struct xlate_stats st = { .packets = 1, .bytes = 60, .now_ms = 1000 };
    return of_switch_xlate(f, learn ? &st : NULL, mask);
}

static const char *
from(uint32_t in, unsigned int src, unsigned int dst)
{
    struct flow f = frame(in, src, dst, -1);
    return xlate(&f, true, NULL);
}

/* A packet-out to NORMAL from a port learns its source, as a received
 * frame does (OVS learns from packet-outs too); one from the controller
 * (no port) learns nothing. */
static void
test_packet_out_learns(void **state)
{
    (void) state;
    topo(false);
    struct ofp_actions acts = OFP_ACTIONS_INIT;
    ofp_actions_put(&acts, OFPACT_OUTPUT)->output.port = OFPP_NORMAL;
    struct xlate_stats st = { .packets = 1, .bytes = 60, .now_ms = 1000 };
    struct dp_actions *out;

    struct flow f = frame(OFPROTO_NO_DP_PORT, B, 0xff, -1);
    assert_int_equal(of_xlate_packet_out(br0, &f, OFPP_CONTROLLER, &acts,
                                         &st, &out), 0);
    free(out);
    assert_int_equal(mac_learning_count(br0->ml), 0);

    f = frame(13, A, 0xff, -1);
    assert_int_equal(of_xlate_packet_out(br0, &f, 3, &acts, &st, &out), 0);
    free(out);
    assert_int_equal(mac_learning_count(br0->ml), 1);
    /* Now B's frames to A go to port 3 alone. */
    assert_string_equal(from(12, B, A), "13");
    ofp_actions_free(&acts);
}

static void
test_learn_and_forward(void **state)
{
    (void) state;
    topo(false);
    /* B is not known: A's frame floods, across the patch too. */
    assert_string_equal(from(11, A, B), "12,13,14,21");
    /* B answers from port 2: A is known, on port 1 alone. */
    assert_string_equal(from(12, B, A), "11");
    assert_string_equal(from(11, A, B), "12");
    /* Broadcasts flood whatever is known. */
    assert_string_equal(from(12, B, 0xff), "11,13,14,21");
    assert_int_equal(mac_learning_count(br0->ml), 2);
    assert_int_equal(mac_learning_get_stats(br0->ml)->learned, 2);
}

static void
test_mask(void **state)
{
    (void) state;
    topo(false);
    struct flow mask, want;
    struct flow f = frame(11, A, B, -1);
    xlate(&f, true, &mask);
    /* Learning sees each source: the megaflow is exact on both
     * addresses, and on the outer tag (the VLAN learned in). */
    memset(&want, 0, sizeof want);
    want.in_port = UINT32_MAX;
    memset(want.dl_src, 0xff, 6);
    memset(want.dl_dst, 0xff, 6);
    want.vlans[0].tpid = UINT16_MAX;
    want.vlans[0].tci = htons(0x0fff);
    assert_memory_equal(&mask, &want, sizeof mask);
    /* The same once the destination is known. */
    from(12, B, A);
    xlate(&f, true, &mask);
    assert_memory_equal(&mask, &want, sizeof mask);
}

static void
test_learn_only_from_traffic(void **state)
{
    (void) state;
    topo(false);
    /* A revalidation (no traffic handed in) learns nothing. */
    struct flow f = frame(13, C, A, -1);
    assert_string_equal(xlate(&f, false, NULL), "11,12,14,21");
    assert_string_equal(from(11, A, C), "12,13,14,21");
    /* Its packet does. */
    assert_string_equal(from(13, C, A), "11");
    assert_string_equal(from(11, A, C), "13");
}

static void
test_input_port_drops(void **state)
{
    (void) state;
    topo(false);
    from(11, A, 0xff);
    from(12, B, 0xff);
    /* B seen on port 2: a frame for B received on port 2 goes nowhere. */
    assert_string_equal(from(12, C, B), "drop");
    /* Same for a frame that names its own sender. */
    assert_string_equal(from(11, A, A), "drop");
}

static void
test_station_moves(void **state)
{
    (void) state;
    topo(false);
    from(11, A, 0xff);
    assert_string_equal(from(12, B, A), "11");
    /* A shows up on port 3. */
    assert_string_equal(from(13, A, B), "12");
    assert_string_equal(from(12, B, A), "13");
    const struct mac_learning_stats *st = mac_learning_get_stats(br0->ml);
    assert_int_equal(st->moved, 1);
    assert_int_equal(st->learned, 2);
}

static void
test_expiry_floods_again(void **state)
{
    (void) state;
    topo(false);
    from(11, A, 0xff);
    assert_string_equal(from(12, B, A), "11");
    /* 300 s after A was last seen (at 1000 ms). */
    assert_int_equal(mac_learning_expire(br0->ml, 300999), 0);
    assert_int_equal(mac_learning_expire(br0->ml, 301000), 2);
    struct flow f = frame(12, B, A, -1);
    assert_string_equal(xlate(&f, false, NULL), "11,13,14,21");
}

static void
test_vlans(void **state)
{
    (void) state;
    topo(true);
    /* A on access port 1 (VLAN 10): floods VLAN 10 only - port 4
     * untagged, the trunks tagged. */
    assert_string_equal(from(11, A, B),
                        "14,push_vlan(vid=10,pcp=0),13,21");
    /* B answers tagged 10 on the trunk: to port 1 alone, untagged. */
    struct flow f = frame(13, B, A, 10);
    assert_string_equal(xlate(&f, true, NULL), "pop_vlan,11");
    /* And A to B now: to the trunk alone, tagged. */
    assert_string_equal(from(11, A, B), "push_vlan(vid=10,pcp=0),13");
    /* A is known in VLAN 10 only: a frame for A in VLAN 20 floods VLAN
     * 20. */
    f = frame(13, C, A, 20);
    assert_string_equal(xlate(&f, true, NULL), "21,pop_vlan,12");
    assert_int_equal(mac_learning_lookup(br0->ml, 10, f.dl_dst), 11);
    assert_int_equal(mac_learning_lookup(br0->ml, 20, f.dl_dst),
                     MAC_LEARNING_NO_PORT);
    /* C learned in VLAN 20 on the trunk: port 2 reaches it tagged. */
    assert_string_equal(from(12, B, C), "push_vlan(vid=20,pcp=0),13");
    /* A tagged frame on an access port is dropped and learns nothing. */
    f = frame(11, 0x42, 0xff, 10);
    assert_string_equal(xlate(&f, true, NULL), "drop");
    set_mac(f.dl_src, 0x42);
    assert_int_equal(mac_learning_lookup(br0->ml, 10, f.dl_src),
                     MAC_LEARNING_NO_PORT);
}

static void
test_patch(void **state)
{
    (void) state;
    topo(false);
    /* D behind the patch link, in br1 on datapath port 21. */
    assert_string_equal(from(21, 0xd, 0xff), "11,12,13,14");
    assert_int_equal(mac_learning_count(br1->ml), 1);
    assert_int_equal(mac_learning_count(br0->ml), 0);
    /* From br0's port 1, the way to D is br1's port. */
    assert_string_equal(from(11, A, 0xd), "21");
    assert_string_equal(from(21, 0xd, A), "11");
}

static void
test_group(void **state)
{
    (void) state;
    /* Ports 13 and 14 are one Port (a bond) that floods by 13. */
    struct flood_topo *t = flood_topo_create(2);
    assert_non_null(t);
    for (uint32_t p = 11; p <= 13; p++) {
        assert_int_equal(flood_topo_add_port(t, 0, p), 0);
    }
    assert_int_equal(flood_topo_add_member(t, 0, 14), 0);
    assert_int_equal(flood_topo_set_group(t, 13, 1), 0);
    assert_int_equal(flood_topo_set_group(t, 14, 1), 0);
    flood_set_topo(t);
    mac_learning_flush(br0->ml);
    mac_learning_clear_stats(br0->ml);

    /* Seen on either member, D is behind the bond, not moving. */
    assert_string_equal(from(14, 0xd, 0xff), "11,12");
    assert_string_equal(from(13, 0xd, 0xff), "11,12");
    assert_string_equal(from(14, 0xd, A), "11,12");
    assert_int_equal(mac_learning_get_stats(br0->ml)->moved, 0);
    assert_string_equal(from(11, A, 0xd), "13");
    /* From the bond to a station behind it: dropped. */
    assert_string_equal(from(14, 0xe, 0xd), "drop");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learn_and_forward),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_learn_only_from_traffic),
        cmocka_unit_test(test_input_port_drops),
        cmocka_unit_test(test_station_moves),
        cmocka_unit_test(test_expiry_floods_again),
        cmocka_unit_test(test_packet_out_learns),
        cmocka_unit_test(test_vlans),
        cmocka_unit_test(test_patch),
        cmocka_unit_test(test_group),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
