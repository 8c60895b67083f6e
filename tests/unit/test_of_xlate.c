/* Unit tests for ofproto/of_xlate: packets through OpenFlow pipelines
 * built from flow_mods, checked on the datapath actions they become (in
 * their text form) and on the megaflow mask: outputs and reserved ports,
 * priorities and prefix-wide masks, header rewrites as masked sets only
 * before an output, VLAN push/pop/rewrite, goto_table with the action set,
 * write_metadata, resubmit with load and move, dec_ttl, CONTROLLER and its
 * packet-in cookie, patch ports into another switch, port config (no_recv,
 * no_fwd, no_flood), nesting limits, rule counters from pushed traffic,
 * and the actions this datapath refuses. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/of_table.h"
#include "ofproto/of_xlate.h"
#include "ofproto/ofp_field.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_match.h"
#include "ofproto/ofp_packet.h"
#include "ofproto/ofp_parse.h"
#include "ofproto/ofproto.h"
#include "ofproto/ofproto_ctl.h"
#include "ofproto/ofproto_private.h"
#include "pmd/actions.h"
#include "pmd/flow.h"
#include "src/util/dstr.h"
#include "tests/unit/of_switch_test.h"

static struct ofproto *br0, *br1;

static int
setup(void **state)
{
    (void) state;
    of_switches_create(true, &br0, &br1);
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    ofproto_destroy(br0);
    ofproto_destroy(br1);
    return 0;
}

/* ---- Building rules. ---- */

static void
fm_init(struct ofp_flow_mod *fm, uint8_t table, uint16_t priority)
{
    ofp_flow_mod_init(fm, OFP_FM_OF13, OFPFC_ADD);
    fm->table_id = table;
    fm->priority = priority;
}

static void
match_int(struct ofp_flow_mod *fm, enum mf_id id, uint64_t v)
{
    assert_int_equal(mf_set_int(&fm->match, id, v), 0);
}

static void
match_masked(struct ofp_flow_mod *fm, enum mf_id id, uint64_t v,
             uint64_t mask)
{
    const struct mf_field *mf = mf_from_id(id);
    uint8_t vb[8], mb[8];
    for (int i = 0; i < mf->n_bytes; i++) {
        vb[i] = (uint8_t) (v >> (8 * (mf->n_bytes - 1 - i)));
        mb[i] = (uint8_t) (mask >> (8 * (mf->n_bytes - 1 - i)));
    }
    assert_int_equal(mf_set(&fm->match, mf, vb, mb), 0);
}

static struct ofp_action *
apply(struct ofp_flow_mod *fm, enum ofp_act_type type)
{
    fm->insts.present |= 1u << OFPIT_APPLY_ACTIONS;
    return ofp_actions_put(&fm->insts.apply, type);
}

static void
apply_output(struct ofp_flow_mod *fm, uint32_t port)
{
    apply(fm, OFPACT_OUTPUT)->output.port = port;
}

static void
set_field(struct ofp_actions *acts, enum mf_id id, uint64_t v)
{
    struct ofp_action *a = ofp_actions_put(acts, OFPACT_SET_FIELD);
    const struct mf_field *mf = mf_from_id(id);
    a->set_field.field = id;
    for (int i = 0; i < mf->n_bytes; i++) {
        a->set_field.value[i] = (uint8_t) (v >> (8 * (mf->n_bytes - 1 - i)));
    }
}

static void
add(struct ofproto *p, struct ofp_flow_mod *fm)
{
    assert_int_equal(of_tables_flow_mod(&p->tables, fm, 1000, NULL), 0);
    ofp_flow_mod_free(fm);
}

/* ---- Translating. ---- */

static struct flow
ipv4_flow(uint32_t dp_in, uint32_t dst, uint8_t ttl)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.in_port = dp_in;
    f.dl_type = htons(0x0800);
    f.nw_src = htonl(0xc0a80001);
    f.nw_dst = htonl(dst);
    f.nw_proto = 17;
    f.nw_ttl = ttl;
    f.tp_src = htons(1000);
    f.tp_dst = htons(53);
    memcpy(f.dl_src, "\x02\x00\x00\x00\x00\x01", 6);
    memcpy(f.dl_dst, "\x02\x00\x00\x00\x00\x02", 6);
    return f;
}

static const char *
xlate(const struct flow *f, struct flow *mask)
{
    return of_switch_xlate(f, NULL, mask);
}

/* The rule of table 'table_id' of 'p' that 'f' from OpenFlow port
 * 'in_port' matches (there must be one). */
static struct of_rule *
rule_for(struct ofproto *p, uint8_t table_id, const struct flow *f,
         uint32_t in_port)
{
    struct cls_key key, wc;
    memset(&key, 0, sizeof key);
    memset(&wc, 0, sizeof wc);
    key.flow = *f;
    key.meta.in_port = in_port;
    struct of_rule *r = of_tables_lookup(&p->tables, table_id, &key, &wc);
    assert_non_null(r);
    return r;
}

static void
clear_rules(void)
{
    struct ofp_flow_mod fm;
    fm_init(&fm, OFPTT_ALL, 0);
    fm.command = OFPFC_DELETE;
    of_tables_flow_mod(&br0->tables, &fm, 1000, NULL);
    of_tables_flow_mod(&br1->tables, &fm, 1000, NULL);
    for (size_t i = 0; i < br0->n_ports; i++) {
        br0->ports[i].desc.config = 0;
    }
}

/* ---- Tests. ---- */

static void
test_output_and_miss(void **state)
{
    (void) state;
    clear_rules();
    struct ofp_flow_mod fm;
    fm_init(&fm, 0, 10);
    match_int(&fm, MF_IN_PORT, 1);
    apply_output(&fm, 2);
    add(br0, &fm);

    struct flow mask;
    struct flow f = ipv4_flow(11, 0x0a000002, 64);
    assert_string_equal(xlate(&f, &mask), "12");
    /* Only the in_port was looked at: nothing of the packet itself. */
    struct flow zero;
    memset(&zero, 0, sizeof zero);
    mask.in_port = 0;
    assert_memory_equal(&mask, &zero, sizeof mask);

    /* From port 2: a table miss, and nobody asks for packet-ins. */
    f.in_port = 12;
    assert_string_equal(xlate(&f, NULL), "drop");

    /* A port of no switch is not this provider's. */
    struct xlate_out out;
    memset(&out, 0, sizeof out);
    f.in_port = 99;
    assert_int_equal(of_xlate_translate(&f, &out, NULL), XLATE_NO_MATCH);
}

static void
test_reserved_ports(void **state)
{
    (void) state;
    clear_rules();
    struct ofp_flow_mod fm;
    fm_init(&fm, 0, 10);
    match_int(&fm, MF_IN_PORT, 1);
    apply_output(&fm, 1);               /* Its own in_port: skipped. */
    apply_output(&fm, OFPP_IN_PORT);
    apply_output(&fm, OFPP_FLOOD);
    add(br0, &fm);
    br0->ports[3].desc.config = OFPPC10_NO_FLOOD;   /* Port 4. */
    struct flow f = ipv4_flow(11, 0x0a000002, 64);
    /* FLOOD: ports 2, 3 and the patch into br1 (which has no rule). */
    assert_string_equal(xlate(&f, NULL), "11,12,13");

    fm_init(&fm, 0, 20);
    match_int(&fm, MF_IN_PORT, 1);
    apply_output(&fm, OFPP_ALL);
    add(br0, &fm);
    assert_string_equal(xlate(&f, NULL), "12,13,14");

    br0->ports[1].desc.config = OFPPC_NO_FWD;       /* Port 2. */
    assert_string_equal(xlate(&f, NULL), "13,14");

    br0->ports[0].desc.config = OFPPC_NO_RECV;      /* Port 1. */
    assert_string_equal(xlate(&f, NULL), "drop");
}

static void
test_priorities_and_prefixes(void **state)
{
    (void) state;
    clear_rules();
    struct ofp_flow_mod fm;
    fm_init(&fm, 0, 10);
    match_int(&fm, MF_ETH_TYPE, 0x0800);
    match_masked(&fm, MF_IPV4_DST, 0x0a000000, 0xff000000);
    apply_output(&fm, 2);
    add(br0, &fm);
    fm_init(&fm, 0, 20);
    match_int(&fm, MF_ETH_TYPE, 0x0800);
    match_masked(&fm, MF_IPV4_DST, 0x0a010000, 0xffff0000);
    apply_output(&fm, 3);
    add(br0, &fm);

    struct flow mask;
    struct flow f = ipv4_flow(11, 0x0a010203, 64);
    assert_string_equal(xlate(&f, &mask), "13");
    assert_int_equal(ntohl(mask.nw_dst), 0xffff0000);
    assert_int_equal(mask.tp_dst, 0);
    assert_int_equal(mask.nw_src, 0);

    f = ipv4_flow(11, 0x0a020203, 64);
    assert_string_equal(xlate(&f, &mask), "12");
    /* Not all 32 bits: the trie says /16 fails on fewer. */
    assert_true(ntohl(mask.nw_dst) != 0xffffffff);
    assert_true((ntohl(mask.nw_dst) & 0xff000000) == 0xff000000);
}

static void
test_rewrites_commit_before_output(void **state)
{
    (void) state;
    clear_rules();
    struct ofp_flow_mod fm;
    fm_init(&fm, 0, 10);
    match_int(&fm, MF_IN_PORT, 1);
    apply_output(&fm, 2);               /* Sees the packet unchanged. */
    set_field(&fm.insts.apply, MF_ETH_SRC, 0x0a0b0c0d0e0fULL);
    fm.insts.present |= 1u << OFPIT_APPLY_ACTIONS;
    set_field(&fm.insts.apply, MF_UDP_DST, 5353);
    apply_output(&fm, 3);
    apply_output(&fm, 4);               /* No second set: nothing new. */
    add(br0, &fm);

    struct flow mask;
    struct flow f = ipv4_flow(11, 0x0a000002, 64);
    assert_string_equal(xlate(&f, &mask),
                        "12,set(eth(src=0a:0b:0c:0d:0e:0f)),"
                        "set(udp(dst=5353)),13,14");
    /* Written, not read: the megaflow need not match the old values. */
    assert_memory_equal(mask.dl_src, "\0\0\0\0\0\0", 6);
    assert_int_equal(mask.tp_dst, 0);
    /* Which L4 set to use depends on the protocol: matched. */
    assert_int_equal(mask.nw_proto, 0xff);
    assert_int_equal(mask.dl_type, 0xffff);
}

static void
test_vlans(void **state)
{
    (void) state;
    clear_rules();
    struct ofp_flow_mod fm;
    fm_init(&fm, 0, 10);
    match_int(&fm, MF_IN_PORT, 1);
    apply(&fm, OFPACT_PUSH_VLAN)->u16 = 0x8100;
    set_field(&fm.insts.apply, MF_VLAN_VID, 0x1000 | 42);
    apply_output(&fm, 2);
    apply(&fm, OFPACT_POP_VLAN);
    apply_output(&fm, 3);
    add(br0, &fm);
    struct flow f = ipv4_flow(11, 0x0a000002, 64);
    assert_string_equal(xlate(&f, NULL),
                        "push_vlan(vid=42,pcp=0),12,pop_vlan,13");

    /* A tagged frame: rewrite the VID (pop and push the new tag, PCP
     * kept). */
    fm_init(&fm, 0, 10);
    match_int(&fm, MF_IN_PORT, 2);
    apply(&fm, OFPACT_SET_VLAN_VID)->u16 = 7;
    apply_output(&fm, 3);
    add(br0, &fm);
    f.in_port = 12;
    f.vlans[0].tpid = htons(0x8100);
    f.vlans[0].tci = htons(5 << 13 | 100);
    struct flow mask;
    assert_string_equal(xlate(&f, &mask),
                        "pop_vlan,push_vlan(vid=7,pcp=5),13");
    assert_int_equal(mask.vlans[0].tci, 0xffff);
}

static void
test_goto_table_and_action_set(void **state)
{
    (void) state;
    clear_rules();
    struct ofp_flow_mod fm;
    fm_init(&fm, 0, 10);
    match_int(&fm, MF_IN_PORT, 1);
    fm.insts.present = 1u << OFPIT_WRITE_ACTIONS | 1u << OFPIT_GOTO_TABLE
                       | 1u << OFPIT_WRITE_METADATA;
    ofp_actions_put(&fm.insts.write, OFPACT_OUTPUT)->output.port = 4;
    fm.insts.goto_table = 3;
    fm.insts.metadata = 0x55;
    fm.insts.metadata_mask = 0xff;
    add(br0, &fm);

    fm_init(&fm, 3, 10);
    match_int(&fm, MF_METADATA, 0x55);
    fm.insts.present = 1u << OFPIT_WRITE_ACTIONS;
    /* The set's output replaces table 0's; its set_field runs first. */
    ofp_actions_put(&fm.insts.write, OFPACT_OUTPUT)->output.port = 2;
    set_field(&fm.insts.write, MF_IPV4_DST, 0x0b000001);
    add(br0, &fm);

    struct flow f = ipv4_flow(11, 0x0a000002, 64);
    assert_string_equal(xlate(&f, NULL), "set(ipv4(dst=11.0.0.1)),12");

    /* clear_actions in table 3 empties the set: nothing goes out. */
    fm_init(&fm, 3, 20);
    match_int(&fm, MF_METADATA, 0x55);
    fm.insts.present = 1u << OFPIT_CLEAR_ACTIONS;
    add(br0, &fm);
    assert_string_equal(xlate(&f, NULL), "drop");
}

static void
test_resubmit_load_move(void **state)
{
    (void) state;
    clear_rules();
    struct ofp_flow_mod fm;
    fm_init(&fm, 0, 10);
    match_int(&fm, MF_IN_PORT, 1);
    struct ofp_action *a = apply(&fm, OFPACT_REG_LOAD);
    a->load.field = MF_REG0;
    a->load.ofs = 4;
    a->load.n_bits = 4;
    a->load.value = 5;                  /* reg0 = 0x50. */
    a = apply(&fm, OFPACT_REG_MOVE);    /* eth_dst <- eth_src. */
    a->move.src = MF_ETH_SRC;
    a->move.dst = MF_ETH_DST;
    a->move.n_bits = 48;
    a = apply(&fm, OFPACT_RESUBMIT);
    a->resubmit.in_port = OFPP_IN_PORT;
    a->resubmit.table = 2;
    add(br0, &fm);

    fm_init(&fm, 2, 10);
    match_int(&fm, MF_REG0, 0x50);
    apply_output(&fm, 3);
    add(br0, &fm);

    struct flow mask;
    struct flow f = ipv4_flow(11, 0x0a000002, 64);
    assert_string_equal(xlate(&f, &mask),
                        "set(eth(dst=02:00:00:00:00:01)),13");
    /* The move read eth_src: exact in the megaflow. */
    assert_memory_equal(mask.dl_src, "\xff\xff\xff\xff\xff\xff", 6);
}

static void
test_dec_ttl(void **state)
{
    (void) state;
    clear_rules();
    struct ofp_flow_mod fm;
    fm_init(&fm, 0, 10);
    apply(&fm, OFPACT_DEC_TTL);
    apply_output(&fm, 2);
    add(br0, &fm);
    struct flow mask;
    struct flow f = ipv4_flow(11, 0x0a000002, 64);
    assert_string_equal(xlate(&f, &mask), "set(ipv4(ttl=63)),12");
    assert_int_equal(mask.nw_ttl, 0xff);
    f = ipv4_flow(11, 0x0a000002, 1);
    assert_string_equal(xlate(&f, NULL), "drop");
}

static void
test_controller_cookie(void **state)
{
    (void) state;
    clear_rules();
    struct ofp_flow_mod fm;
    fm_init(&fm, 7, 10);
    fm.new_cookie = 0xabcd;
    struct ofp_action *a = apply(&fm, OFPACT_OUTPUT);
    a->output.port = OFPP_CONTROLLER;
    a->output.max_len = 99;
    add(br0, &fm);
    fm_init(&fm, 0, 10);
    fm.insts.present = 1u << OFPIT_GOTO_TABLE;
    fm.insts.goto_table = 7;
    add(br0, &fm);

    struct xlate_out out;
    memset(&out, 0, sizeof out);
    struct flow f = ipv4_flow(13, 0x0a000002, 64);
    assert_int_equal(of_xlate_translate(&f, &out, NULL), 0);
    assert_non_null(out.actions);
    const struct dp_action *act = (const void *) out.actions->data;
    assert_int_equal(act->type, DP_ACTION_USERSPACE);
    uint32_t cookie = ((const struct dp_action_userspace *) act)->cookie;
    free(out.actions);

    struct ofproto_pin pin;
    assert_ptr_equal(of_xlate_pin_lookup(cookie, &pin), br0);
    assert_int_equal(pin.reason, OFPR_ACTION);
    assert_int_equal(pin.table_id, 7);
    assert_int_equal(pin.max_len, 99);
    assert_int_equal(pin.in_port, 3);
    assert_int_equal(pin.cookie, 0xabcd);
    /* The same packet-in shares its cookie; unknown cookies name none. */
    memset(&out, 0, sizeof out);
    assert_int_equal(of_xlate_translate(&f, &out, NULL), 0);
    assert_int_equal(((const struct dp_action_userspace *)
                      (const void *) out.actions->data)->cookie, cookie);
    free(out.actions);
    assert_null(of_xlate_pin_lookup(cookie + 1000, &pin));
    assert_null(of_xlate_pin_lookup(5, &pin));
}

static void
test_patch_port(void **state)
{
    (void) state;
    clear_rules();
    struct ofp_flow_mod fm;
    fm_init(&fm, 0, 10);
    match_int(&fm, MF_IN_PORT, 1);
    struct ofp_action *a = apply(&fm, OFPACT_REG_LOAD);
    a->load.field = MF_REG0 + 1;
    a->load.n_bits = 32;
    a->load.value = 9;
    apply_output(&fm, 5);
    add(br0, &fm);
    /* br1 sees in_port 1 (its patch port) and registers cleared. */
    fm_init(&fm, 0, 10);
    match_int(&fm, MF_IN_PORT, 1);
    match_int(&fm, MF_REG0 + 1, 0);
    apply_output(&fm, 2);
    add(br1, &fm);
    struct flow f = ipv4_flow(11, 0x0a000002, 64);
    assert_string_equal(xlate(&f, NULL), "21");

    /* A patch loop ends at the nesting limit: dropped, counted. */
    fm_init(&fm, 0, 20);
    apply_output(&fm, OFPP_IN_PORT);
    add(br1, &fm);
    fm_init(&fm, 0, 20);
    match_int(&fm, MF_IN_PORT, 5);
    apply_output(&fm, OFPP_IN_PORT);
    add(br0, &fm);
    uint64_t before = of_xlate_get_stats()->too_deep;
    xlate(&f, NULL);
    assert_true(of_xlate_get_stats()->too_deep > before);
}

static void
test_stats_pushed_to_rules(void **state)
{
    (void) state;
    clear_rules();
    struct ofp_flow_mod fm;
    fm_init(&fm, 0, 10);
    fm.insts.present = 1u << OFPIT_GOTO_TABLE;
    fm.insts.goto_table = 1;
    add(br0, &fm);
    fm_init(&fm, 1, 10);
    apply_output(&fm, 2);
    add(br0, &fm);

    struct xlate_stats st = { .packets = 3, .bytes = 300, .now_ms = 5000 };
    struct xlate_out out;
    memset(&out, 0, sizeof out);
    out.stats = &st;
    struct flow f = ipv4_flow(11, 0x0a000002, 64);
    assert_int_equal(of_xlate_translate(&f, &out, NULL), 0);
    free(out.actions);
    for (int t = 0; t < 2; t++) {
        struct of_rule *r = rule_for(br0, (uint8_t) t, &f, 1);
        assert_int_equal(r->packet_count, 3);
        assert_int_equal(r->byte_count, 300);
        assert_int_equal(r->used_ms, 5000);
    }
}

/* A packet-out through OFPP_TABLE counts on the rules it visits. */
static void
test_packet_out_table_accounts(void **state)
{
    (void) state;
    clear_rules();
    struct ofp_flow_mod fm;
    fm_init(&fm, 0, 10);
    match_int(&fm, MF_IN_PORT, 1);
    apply_output(&fm, 2);
    add(br0, &fm);
    struct ofp_actions acts = OFP_ACTIONS_INIT;
    ofp_actions_put(&acts, OFPACT_OUTPUT)->output.port = OFPP_TABLE;
    struct xlate_stats st = { .packets = 1, .bytes = 99, .now_ms = 8000 };
    struct dp_actions *out;
    struct flow f = ipv4_flow(11, 0x0a000002, 64);
    assert_int_equal(of_xlate_packet_out(br0, &f, 1, &acts, &st, &out), 0);
    struct dstr s = DSTR_INIT;
    dp_actions_format(out, &s, NULL, NULL);
    assert_string_equal(dstr_cstr(&s), "12");
    dstr_free(&s);
    free(out);
    ofp_actions_free(&acts);

    struct of_rule *r = rule_for(br0, 0, &f, 1);
    assert_int_equal(r->packet_count, 1);
    assert_int_equal(r->byte_count, 99);
}

static void
test_refused_actions(void **state)
{
    (void) state;
    struct ofp_actions acts = OFP_ACTIONS_INIT;
    ofp_actions_put(&acts, OFPACT_OUTPUT)->output.port = 1;
    assert_int_equal(of_xlate_check_actions(&acts), 0);
    ofp_actions_put(&acts, OFPACT_PUSH_MPLS)->u16 = 0x8847;
    ofp_actions_put(&acts, OFPACT_DEC_MPLS_TTL);
    assert_int_equal(of_xlate_check_actions(&acts), 0);
    ofp_actions_put(&acts, OFPACT_COPY_TTL_OUT);
    assert_int_equal(of_xlate_check_actions(&acts), OFPERR_OFPBAC_BAD_TYPE);
    ofp_actions_free(&acts);

    set_field(&acts, MF_MPLS_BOS, 1);
    assert_int_equal(of_xlate_check_actions(&acts),
                     OFPERR_OFPBAC_BAD_SET_TYPE);
    ofp_actions_free(&acts);

    ofp_actions_put(&acts, OFPACT_GROUP)->u32 = 1;
    assert_int_equal(of_xlate_check_actions(&acts),
                     OFPERR_OFPBAC_BAD_OUT_GROUP);
    ofp_actions_free(&acts);

    set_field(&acts, MF_ARP_OP, 2);
    assert_int_equal(of_xlate_check_actions(&acts),
                     OFPERR_OFPBAC_BAD_SET_TYPE);
    ofp_actions_free(&acts);

    set_field(&acts, MF_REG0 + 3, 2);
    set_field(&acts, MF_IPV6_LABEL, 2);
    assert_int_equal(of_xlate_check_actions(&acts), 0);
    ofp_actions_free(&acts);
}

/* ---- ofproto/trace. ---- */

static void
add_text(struct ofproto *p, const char *flow)
{
    struct ofp_flow_mod fm;
    struct dstr err = DSTR_INIT;
    if (ofp_parse_flow_mod(flow, OFPFC_ADD, NULL, &fm, &err)) {
        fail_msg("%s: %s", flow, dstr_cstr(&err));
    }
    enum ofp_err e = of_tables_flow_mod(&p->tables, &fm, 1000, NULL);
    if (e) {
        fail_msg("%s: %s", flow, ofp_err_name(e));
    }
    ofp_flow_mod_free(&fm);
    dstr_free(&err);
}

static void
assert_trace(const char *flow, const char *packet, const char *want)
{
    struct dstr out = DSTR_INIT;
    int error = ofproto_trace(br0, flow, packet, &out);
    if (strcmp(dstr_cstr(&out), want)) {
        fail_msg("trace %s:\n%s\nwant:\n%s", flow, dstr_cstr(&out), want);
    }
    assert_int_equal(error, 0);
    dstr_free(&out);
}

static void
test_trace(void **state)
{
    (void) state;
    clear_rules();
    add_text(br0, "priority=10,in_port=1,tcp,cookie=0x5,"
             "actions=load:7->NXM_NX_REG0[0..3],resubmit(,1),"
             "goto_table:2");
    add_text(br0, "table=1,priority=5,ip,reg0=7,"
             "actions=mod_nw_dst:10.0.0.9");
    add_text(br0, "table=2,priority=3,tcp,nw_dst=10.0.0.0/8,"
             "actions=write_actions(output:2)");
    assert_trace("in_port=1,tcp,nw_dst=10.0.0.1,tp_dst=80", NULL,
        "Flow: tcp,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,"
        "dl_dst=00:00:00:00:00:00,nw_src=0.0.0.0,nw_dst=10.0.0.1,nw_tos=0,"
        "nw_ecn=0,nw_ttl=0,nw_frag=no,tp_src=0,tp_dst=80,tcp_flags=0\n"
        "\n"
        "bridge(\"br0\")\n"
        "-------------\n"
        " 0. tcp,in_port=1, priority 10, cookie 0x5\n"
        "    load:0x7->NXM_NX_REG0[0..3]\n"
        "    resubmit(,1)\n"
        "     1. ip,reg0=0x7, priority 5\n"
        "        set_field:10.0.0.9->ip_dst\n"
        "    goto_table:2\n"
        "     2. tcp,nw_dst=10.0.0.0/8, priority 3\n"
        "        write_actions(output:2)\n"
        "output:2\n"
        "\n"
        "Final flow: tcp,reg0=0x7,in_port=1,vlan_tci=0x0000,"
        "dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=0.0.0.0,"
        "nw_dst=10.0.0.9,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,tp_src=0,"
        "tp_dst=80,tcp_flags=0\n"
        "Megaflow: recirc_id(0),in_port(11),eth_type(0x0800),"
        "ipv4(dst=10.0.0.0/255.0.0.0,proto=6)\n"
        "Datapath actions: set(ipv4(dst=10.0.0.9)),12\n");

    /* A frame from port 2: no rule matches in table 0. */
    assert_trace("in_port=2",
                 "ffffffffffff0000000000010806"
                 "0001080006040001000000000001c0a80001000000000000c0a80002",
                 "Flow: arp,in_port=2,vlan_tci=0x0000,"
                 "dl_src=00:00:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff,"
                 "arp_spa=192.168.0.1,arp_tpa=192.168.0.2,arp_op=1,"
                 "arp_sha=00:00:00:00:00:01,arp_tha=00:00:00:00:00:00\n"
                 "\n"
                 "bridge(\"br0\")\n"
                 "-------------\n"
                 " 0. No match.\n"
                 "    drop\n"
                 "\n"
                 "Final flow: unchanged\n"
                 "Megaflow: recirc_id(0),in_port(12)\n"
                 "Datapath actions: drop\n");

    struct dstr out = DSTR_INIT;
    assert_int_not_equal(ofproto_trace(br0, "in_port=1,foo=2", NULL, &out),
                         0);
    assert_string_equal(dstr_cstr(&out),
                        "Bad openflow flow syntax: unknown keyword foo\n");
    dstr_free(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_output_and_miss),
        cmocka_unit_test(test_reserved_ports),
        cmocka_unit_test(test_priorities_and_prefixes),
        cmocka_unit_test(test_rewrites_commit_before_output),
        cmocka_unit_test(test_vlans),
        cmocka_unit_test(test_goto_table_and_action_set),
        cmocka_unit_test(test_resubmit_load_move),
        cmocka_unit_test(test_dec_ttl),
        cmocka_unit_test(test_controller_cookie),
        cmocka_unit_test(test_patch_port),
        cmocka_unit_test(test_stats_pushed_to_rules),
        cmocka_unit_test(test_packet_out_table_accounts),
        cmocka_unit_test(test_refused_actions),
        cmocka_unit_test(test_trace),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
