/* Unit tests for ofproto/of_table: flow_mods (add, modify, delete, loose
 * and strict, cookies, out_port/out_group, limits, overlap), lookups,
 * counters and times, expiry, statistics selection and order.  The
 * expected behaviour is Open vSwitch 3.1's, observed with ovs-vswitchd
 * (datapath_type=netdev) driven by ovs-ofctl; each test says what OVS
 * did.  Random loose selections are checked against a brute-force
 * reference, and real ovs-ofctl flow_mods (ofp_fixtures.h) are decoded
 * and applied. */
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
#include "ofproto/ofp_msg.h"
#include "tests/unit/ofp_test_util.h"
#include "tests/unit/ofp_fixtures.h"

static struct of_tables *
tables_new(void)
{
    struct of_tables *ts = malloc(sizeof *ts);
    assert_non_null(ts);
    of_tables_init(ts);
    return ts;
}

static void
tables_free(struct of_tables *ts)
{
    of_tables_destroy(ts);
    free(ts);
}

/* A flow_mod of 'format' and 'command' into table 0 that matches
 * everything, with no actions. */
static void
fm_init(struct ofp_flow_mod *fm, enum ofp_fm_format format,
        enum ofp_fm_command command)
{
    ofp_flow_mod_init(fm, format, command);
}

static void
fm_output(struct ofp_flow_mod *fm, uint32_t port)
{
    ofp_actions_put(&fm->insts.apply, OFPACT_OUTPUT)->output.port = port;
    fm->insts.present |= 1u << OFPIT_APPLY_ACTIONS;
}

static void
set_ip(struct ofp_match *m)
{
    ofpt_set_u(m, MF_ETH_TYPE, 0x0800);
}

static void
set_tcp_dst(struct ofp_match *m, uint16_t port)
{
    set_ip(m);
    ofpt_set_u(m, MF_IP_PROTO, 6);
    ofpt_set_u(m, MF_TCP_DST, port);
}

/* nw_src a.b.c.d/plen. */
static void
set_nw_src(struct ofp_match *m, uint32_t addr, unsigned int plen)
{
    uint32_t mask = plen ? ~UINT32_C(0) << (32 - plen) : 0;
    uint8_t v[4], w[4];
    for (int i = 0; i < 4; i++) {
        v[i] = (uint8_t) ((addr & mask) >> (24 - 8 * i));
        w[i] = (uint8_t) (mask >> (24 - 8 * i));
    }
    assert_int_equal(mf_set(m, mf_from_id(MF_IPV4_SRC), v, w), 0);
}

static enum ofp_err
apply(struct of_tables *ts, struct ofp_flow_mod *fm, uint64_t now)
{
    enum ofp_err err = of_tables_flow_mod(ts, fm, now, NULL);
    ofp_flow_mod_free(fm);
    return err;
}

/* Adds a rule (OpenFlow 1.3) with 'match', 'priority' and 'cookie' that
 * outputs to 'port' in 'table'. */
static void
add(struct of_tables *ts, uint8_t table, const struct ofp_match *match,
    uint16_t priority, uint64_t cookie, uint32_t port, uint64_t now)
{
    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.table_id = table;
    if (match) {
        fm.match = *match;
    }
    fm.priority = priority;
    fm.cookie = fm.new_cookie = cookie;
    fm_output(&fm, port);
    assert_int_equal(apply(ts, &fm, now), 0);
}

/* The rule of 'table' with 'match' and 'priority', or NULL. */
static struct of_rule *
find(struct of_tables *ts, uint8_t table, const struct ofp_match *match,
     uint16_t priority)
{
    for (struct of_rule *r = ts->tables[table].first; r; r = r->next) {
        if (r->priority == priority && ofp_match_equal(&r->match, match)) {
            return r;
        }
    }
    return NULL;
}

/* The port of the rule's first action (an output), 0 if none. */
static uint32_t
out_of(const struct of_rule *r)
{
    return r->insts.apply.n ? r->insts.apply.acts[0].output.port : 0;
}

static struct ofp_match
match_ip(void)
{
    struct ofp_match m;
    ofp_match_init(&m);
    set_ip(&m);
    return m;
}

static struct ofp_match
match_tcp80(void)
{
    struct ofp_match m;
    ofp_match_init(&m);
    set_tcp_dst(&m, 80);
    return m;
}

static struct ofp_match
match_arp(void)
{
    struct ofp_match m;
    ofp_match_init(&m);
    ofpt_set_u(&m, MF_ETH_TYPE, 0x0806);
    return m;
}

/* Lookups give the highest-priority matching rule of the table and a
 * wildcard mask with which every key that agrees gets the same rule. */
static void
test_lookup(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    struct ofp_match ip = match_ip(), tcp = match_tcp80(), net;
    ofp_match_init(&net);
    set_ip(&net);
    set_nw_src(&net, 0x0a000000, 8);
    add(ts, 0, &ip, 10, 0, 1, 0);
    add(ts, 0, &tcp, 20, 0, 2, 0);
    add(ts, 0, &net, 30, 0, 3, 0);
    add(ts, 1, NULL, 0, 0, 4, 0);
    ofpt_set_u(&ip, MF_IN_PORT, 7);
    add(ts, 2, &ip, 5, 0, 5, 0);

    struct cls_key key, wc;
    memset(&key, 0, sizeof key);
    key.flow.dl_type = htons(0x0800);
    key.flow.nw_proto = 6;
    key.flow.tp_dst = htons(80);
    key.flow.nw_src = htonl(0x0b000001);
    memset(&wc, 0, sizeof wc);
    struct of_rule *r = of_tables_lookup(ts, 0, &key, &wc);
    assert_non_null(r);
    assert_int_equal(out_of(r), 2);
    /* The examined bits include the winner's and the /8 that lost. */
    assert_int_equal(wc.flow.tp_dst, 0xffff);
    assert_int_equal(wc.flow.dl_type, 0xffff);
    assert_true(ntohl(wc.flow.nw_src) & 0xff000000u);
    /* Any key that agrees on the examined bits gets the same rule. */
    struct cls_key other = key;
    other.flow.nw_dst = htonl(0x01020304);
    other.flow.tp_src = htons(1234);
    other.flow.nw_src = (key.flow.nw_src & wc.flow.nw_src)
                        | (htonl(0x00ffffff) & ~wc.flow.nw_src);
    assert_ptr_equal(of_tables_lookup(ts, 0, &other, NULL), r);

    key.flow.nw_src = htonl(0x0a000001);
    r = of_tables_lookup(ts, 0, &key, NULL);
    assert_int_equal(out_of(r), 3);
    key.flow.nw_proto = 17;
    key.flow.nw_src = htonl(0x0b000001);
    assert_int_equal(out_of(of_tables_lookup(ts, 0, &key, NULL)), 1);
    key.flow.dl_type = htons(0x0806);
    assert_null(of_tables_lookup(ts, 0, &key, NULL));
    assert_int_equal(out_of(of_tables_lookup(ts, 1, &key, NULL)), 4);

    /* The OpenFlow in_port is matched in the pipeline fields. */
    key.flow.dl_type = htons(0x0800);
    assert_null(of_tables_lookup(ts, 2, &key, NULL));
    key.meta.in_port = 7;
    memset(&wc, 0, sizeof wc);
    assert_int_equal(out_of(of_tables_lookup(ts, 2, &key, &wc)), 5);
    assert_int_equal(wc.meta.in_port, 0xffffffffu);

    assert_int_equal(ts->tables[0].lookup_count, 5);
    assert_int_equal(ts->tables[0].matched_count, 4);
    assert_int_equal(ts->tables[2].lookup_count, 2);
    assert_int_equal(ts->tables[2].matched_count, 1);
    assert_null(of_tables_lookup(ts, OFPTT_ALL, &key, NULL));
    tables_free(ts);
}

/* OVS: an OpenFlow 1.3 add of an identical rule (match and priority)
 * replaces it: new cookie, timeouts, flags and actions, duration from
 * zero, the same last use (idle_age), counters kept; with reset_counts
 * they are zeroed.  No flow-removed is sent for the replaced rule. */
static void
test_add_replaces_of13(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    struct ofp_match ip = match_ip();
    add(ts, 0, &ip, 10, 0x1, 1, 1000);
    struct of_rule *r = find(ts, 0, &ip, 10);
    assert_non_null(r);
    of_rule_account(r, 2, 84, 1500);
    uint64_t version = ts->version;

    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.match = ip;
    fm.priority = 10;
    fm.cookie = fm.new_cookie = 0x2;
    fm.idle_timeout = 100;
    fm.flags = OFPFF_SEND_FLOW_REM;
    fm_output(&fm, 2);
    assert_int_equal(apply(ts, &fm, 3000), 0);
    assert_ptr_equal(find(ts, 0, &ip, 10), r);
    assert_int_equal(ts->n_rules, 1);
    assert_true(ts->version > version);
    assert_int_equal(r->cookie, 0x2);
    assert_int_equal(r->idle_timeout, 100);
    assert_int_equal(r->flags, OFPFF_SEND_FLOW_REM);
    assert_int_equal(out_of(r), 2);
    assert_int_equal(r->packet_count, 2);
    assert_int_equal(r->byte_count, 84);
    assert_int_equal(r->created_ms, 3000);
    assert_int_equal(r->modified_ms, 3000);
    assert_int_equal(r->used_ms, 1500);

    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.match = ip;
    fm.priority = 10;
    fm.cookie = fm.new_cookie = 0x3;
    fm.flags = OFPFF13_RESET_COUNTS;
    fm_output(&fm, 3);
    assert_int_equal(apply(ts, &fm, 4200), 0);
    assert_ptr_equal(find(ts, 0, &ip, 10), r);
    assert_int_equal(r->packet_count, 0);
    assert_int_equal(r->byte_count, 0);
    assert_int_equal(r->used_ms, 1500);
    assert_int_equal(r->created_ms, 4200);
    assert_int_equal(r->cookie, 0x3);
    assert_int_equal(r->idle_timeout, 0);
    /* OVS keeps every flag of the flow_mod (dump-flows shows them). */
    assert_int_equal(r->flags, OFPFF13_RESET_COUNTS);

    /* Same match, other priority: another rule. */
    add(ts, 0, &ip, 11, 0, 4, 5000);
    assert_int_equal(ts->n_rules, 2);
    tables_free(ts);
}

/* OVS: OpenFlow 1.0 and NXM adds always reset the counters of the rule
 * they replace (OpenFlow 1.0 says so), and OVS stores reset_counts in
 * the rule's flags (an OpenFlow 1.3 dump-flows shows "reset_counts"). */
static void
test_add_replaces_of10_nxm(void **state)
{
    (void) state;
    static const enum ofp_fm_format formats[] = { OFP_FM_OF10, OFP_FM_NXM };
    for (size_t i = 0; i < 2; i++) {
        struct of_tables *ts = tables_new();
        struct ofp_match ip = match_ip();
        struct ofp_flow_mod fm;
        fm_init(&fm, formats[i], OFPFC_ADD);
        fm.table_id = OFPTT_ALL;        /* No NXT_FLOW_MOD_TABLE_ID. */
        fm.match = ip;
        fm.priority = 10;
        fm.new_cookie = 0x1;
        fm_output(&fm, 1);
        assert_int_equal(apply(ts, &fm, 0), 0);
        struct of_rule *r = find(ts, 0, &ip, 10);
        assert_non_null(r);
        assert_int_equal(r->flags, OFPFF13_RESET_COUNTS);
        of_rule_account(r, 1, 42, 100);

        fm_init(&fm, formats[i], OFPFC_ADD);
        fm.table_id = OFPTT_ALL;
        fm.match = ip;
        fm.priority = 10;
        fm.new_cookie = 0x4;
        fm.flags = OFPFF_SEND_FLOW_REM;
        fm_output(&fm, 4);
        assert_int_equal(apply(ts, &fm, 1100), 0);
        assert_ptr_equal(find(ts, 0, &ip, 10), r);
        assert_int_equal(r->packet_count, 0);
        assert_int_equal(r->byte_count, 0);
        assert_int_equal(r->cookie, 0x4);
        assert_int_equal(r->used_ms, 100);
        assert_int_equal(r->created_ms, 1100);
        assert_int_equal(r->flags,
                         OFPFF_SEND_FLOW_REM | OFPFF13_RESET_COUNTS);
        tables_free(ts);
    }
}

static enum ofp_err
add_overlap(struct of_tables *ts, uint8_t table, const struct ofp_match *m,
            uint16_t priority)
{
    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_OF10, OFPFC_ADD);
    fm.table_id = table;
    fm.match = *m;
    fm.priority = priority;
    fm.flags = OFPFF_CHECK_OVERLAP;
    fm_output(&fm, 9);
    return apply(ts, &fm, 0);
}

/* OVS ("check_overlap,..." in ovs-ofctl add-flow): with priority=5,ip in
 * table 0, tcp,tp_dst=80 at 5 is OFPFMFC_OVERLAP, at 6 fine; priority=5,ip
 * again replaces (no error); arp is fine; the same in table 1 is fine; a
 * catch-all at 5 overlaps; with 10.0.0.0/8 at 9, 10.1.0.0/16 plus an
 * nw_dst overlaps and 11.1.0.0/16 does not. */
static void
test_check_overlap(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    struct ofp_match ip = match_ip(), tcp = match_tcp80(), arp = match_arp();
    struct ofp_match any, n8, n16, n16b;
    ofp_match_init(&any);
    add(ts, 0, &ip, 5, 0, 1, 0);
    uint64_t version = ts->version;
    assert_int_equal(add_overlap(ts, 0, &tcp, 5), OFPERR_OFPFMFC_OVERLAP);
    assert_int_equal(ts->version, version);
    assert_int_equal(ts->n_rules, 1);
    assert_int_equal(add_overlap(ts, 0, &tcp, 6), 0);
    assert_int_equal(add_overlap(ts, 0, &ip, 5), 0);
    assert_int_equal(out_of(find(ts, 0, &ip, 5)), 9);
    assert_int_equal(add_overlap(ts, 0, &arp, 5), 0);
    assert_int_equal(add_overlap(ts, 1, &ip, 5), 0);
    assert_int_equal(add_overlap(ts, 0, &any, 5), OFPERR_OFPFMFC_OVERLAP);

    ofp_match_init(&n8);
    set_ip(&n8);
    set_nw_src(&n8, 0x0a000000, 8);
    add(ts, 0, &n8, 9, 0, 1, 0);
    ofp_match_init(&n16);
    set_ip(&n16);
    set_nw_src(&n16, 0x0a010000, 16);
    ofpt_set_u(&n16, MF_IPV4_DST, 0x01020304);
    assert_int_equal(add_overlap(ts, 0, &n16, 9), OFPERR_OFPFMFC_OVERLAP);
    ofp_match_init(&n16b);
    set_ip(&n16b);
    set_nw_src(&n16b, 0x0b010000, 16);
    assert_int_equal(add_overlap(ts, 0, &n16b, 9), 0);
    assert_int_equal(ts->n_rules, 6);
    tables_free(ts);
}

/* OVS (Flow_Table flow_limit=2, overflow_policy=refuse on table 0): a
 * third rule is OFPFMFC_TABLE_FULL, replacing one of the two is fine, an
 * OpenFlow 1.0 mod-flows that would add is OFPFMFC_TABLE_FULL, table 1
 * is not limited.  The global ceiling OF_MAX_RULES refuses the same
 * way. */
static void
test_table_full(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    ts->tables[0].max_rules = 2;
    struct ofp_match ip = match_ip(), arp = match_arp();
    add(ts, 0, &ip, 1, 0, 1, 0);
    add(ts, 0, &ip, 2, 0, 1, 0);
    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.match = ip;
    fm.priority = 3;
    assert_int_equal(apply(ts, &fm, 0), OFPERR_OFPFMFC_TABLE_FULL);
    add(ts, 0, &ip, 2, 0, 2, 0);
    assert_int_equal(out_of(find(ts, 0, &ip, 2)), 2);

    fm_init(&fm, OFP_FM_OF10, OFPFC_MODIFY);
    fm.table_id = OFPTT_ALL;
    fm.match = arp;
    fm.new_cookie = 0x9;
    fm_output(&fm, 2);
    assert_int_equal(apply(ts, &fm, 0), OFPERR_OFPFMFC_TABLE_FULL);
    add(ts, 1, &ip, 3, 0, 1, 0);
    assert_int_equal(ts->n_rules, 3);

    /* The global ceiling (pretend the tables hold that many). */
    size_t n = ts->n_rules;
    ts->n_rules = OF_MAX_RULES;
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.table_id = 5;
    assert_int_equal(apply(ts, &fm, 0), OFPERR_OFPFMFC_TABLE_FULL);
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.table_id = 1;
    fm.match = ip;
    fm.priority = 3;
    assert_int_equal(apply(ts, &fm, 0), 0);     /* A replacement. */
    ts->n_rules = n;
    assert_int_equal(cls_count(&ts->tables[5].cls), 0);
    tables_free(ts);
}

/* Table ids and commands: OpenFlow 1.0/NXM adds without a table id go to
 * table 0; an OpenFlow 1.3 add naming every table is refused (the decoder
 * refuses it first, as OVS); a command out of range is refused. */
static void
test_table_id_and_command(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_NXM, OFPFC_ADD);
    fm.table_id = OFPTT_ALL;
    assert_int_equal(apply(ts, &fm, 0), 0);
    assert_int_equal(cls_count(&ts->tables[0].cls), 1);
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.table_id = OFPTT_ALL;
    assert_int_equal(apply(ts, &fm, 0), OFPERR_OFPFMFC_BAD_TABLE_ID);
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.table_id = OFPTT_MAX;
    assert_int_equal(apply(ts, &fm, 0), 0);
    assert_int_equal(cls_count(&ts->tables[OFPTT_MAX].cls), 1);
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.command = (enum ofp_fm_command) 7;
    assert_int_equal(apply(ts, &fm, 0), OFPERR_OFPFMFC_BAD_COMMAND);
    assert_int_equal(ts->n_rules, 2);
    tables_free(ts);
}

/* Modify, loose and strict.  OVS: a loose modify of "ip" changes every
 * rule at least as specific (ip, ip+nw_src, tcp) at any priority, not
 * arp; a strict one only the rule of that match and priority.  Actions
 * change; timeouts, flags (send_flow_rem not added, not removed),
 * duration and counters stay; the hard age restarts (hard_age=0). */
static void
test_modify_loose_strict(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    struct ofp_match ip = match_ip(), tcp = match_tcp80(), arp = match_arp();
    struct ofp_match net;
    ofp_match_init(&net);
    set_ip(&net);
    set_nw_src(&net, 0x0a000000, 8);

    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.match = ip;
    fm.priority = 10;
    fm.idle_timeout = 60;
    fm.hard_timeout = 90;
    fm.flags = OFPFF_SEND_FLOW_REM;
    fm_output(&fm, 1);
    assert_int_equal(apply(ts, &fm, 0), 0);
    add(ts, 0, &net, 20, 0, 1, 0);
    add(ts, 0, &tcp, 10, 0, 1, 0);
    add(ts, 0, &arp, 10, 0, 1, 0);
    struct of_rule *r_ip = find(ts, 0, &ip, 10);
    of_rule_account(r_ip, 3, 300, 500);

    fm_init(&fm, OFP_FM_OF13, OFPFC_MODIFY);
    fm.match = ip;
    fm.priority = 999;                  /* Loose: not looked at. */
    fm.idle_timeout = 5;
    fm.flags = 0;
    fm_output(&fm, 2);
    uint64_t version = ts->version;
    assert_int_equal(apply(ts, &fm, 2000), 0);
    assert_true(ts->version > version);
    assert_int_equal(out_of(r_ip), 2);
    assert_int_equal(out_of(find(ts, 0, &net, 20)), 2);
    assert_int_equal(out_of(find(ts, 0, &tcp, 10)), 2);
    assert_int_equal(out_of(find(ts, 0, &arp, 10)), 1);
    assert_int_equal(r_ip->idle_timeout, 60);
    assert_int_equal(r_ip->hard_timeout, 90);
    assert_int_equal(r_ip->flags, OFPFF_SEND_FLOW_REM);
    assert_int_equal(r_ip->packet_count, 3);
    assert_int_equal(r_ip->created_ms, 0);
    assert_int_equal(r_ip->modified_ms, 2000);
    assert_int_equal(r_ip->used_ms, 500);
    assert_int_equal(ts->n_rules, 4);

    fm_init(&fm, OFP_FM_OF13, OFPFC_MODIFY_STRICT);
    fm.match = ip;
    fm.priority = 10;
    fm.flags = OFPFF_SEND_FLOW_REM;
    fm_output(&fm, 3);
    assert_int_equal(apply(ts, &fm, 3000), 0);
    assert_int_equal(out_of(r_ip), 3);
    assert_int_equal(out_of(find(ts, 0, &tcp, 10)), 2);
    assert_int_equal(out_of(find(ts, 0, &net, 20)), 2);

    /* Strict on another priority: nothing. */
    fm_init(&fm, OFP_FM_OF13, OFPFC_MODIFY_STRICT);
    fm.match = ip;
    fm.priority = 11;
    fm_output(&fm, 4);
    version = ts->version;
    assert_int_equal(apply(ts, &fm, 3000), 0);
    assert_int_equal(ts->version, version);
    assert_int_equal(out_of(r_ip), 3);
    assert_int_equal(ts->n_rules, 4);
    tables_free(ts);
}

static void
modify_cookie(struct of_tables *ts, enum ofp_fm_format format,
              uint64_t new_cookie, uint64_t cookie, uint64_t cookie_mask,
              uint32_t port)
{
    struct ofp_flow_mod fm;
    fm_init(&fm, format, OFPFC_MODIFY);
    fm.table_id = format == OFP_FM_OF13 ? 0 : OFPTT_ALL;
    fm.match = match_ip();
    fm.new_cookie = new_cookie;
    fm.cookie = cookie;
    fm.cookie_mask = cookie_mask;
    fm_output(&fm, port);
    assert_int_equal(apply(ts, &fm, 0), 0);
}

/* Cookies on modify.  OVS: "mod-flows cookie=0x6,ip,..." (OpenFlow 1.0 or
 * NXM) sets the cookie to 6, and "mod-flows ip,..." (header cookie 0) to
 * 0; with a cookie filter (NXM "cookie=0x11/-1": header cookie
 * all-ones) it is kept; OpenFlow 1.3 never changes it ("cookie=0x5"
 * left 0x1).  The filter selects (cookie & mask) == (filter & mask). */
static void
test_modify_cookie(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    struct ofp_match ip = match_ip();
    add(ts, 0, &ip, 1, 0x1, 1, 0);
    struct of_rule *r = find(ts, 0, &ip, 1);

    modify_cookie(ts, OFP_FM_OF10, 0x6, 0, 0, 2);
    assert_int_equal(r->cookie, 0x6);
    assert_int_equal(out_of(r), 2);
    modify_cookie(ts, OFP_FM_OF10, 0, 0, 0, 3);
    assert_int_equal(r->cookie, 0);
    modify_cookie(ts, OFP_FM_NXM, 0x11, 0, 0, 4);
    assert_int_equal(r->cookie, 0x11);
    modify_cookie(ts, OFP_FM_NXM, UINT64_MAX, 0x11, UINT64_MAX, 5);
    assert_int_equal(r->cookie, 0x11);
    assert_int_equal(out_of(r), 5);
    modify_cookie(ts, OFP_FM_NXM, UINT64_MAX, 0x12, UINT64_MAX, 6);
    assert_int_equal(out_of(r), 5);             /* Filtered out. */
    modify_cookie(ts, OFP_FM_NXM, UINT64_MAX, 0x01, 0x0f, 7);
    assert_int_equal(out_of(r), 7);             /* 0x11 & 0xf == 1. */
    modify_cookie(ts, OFP_FM_OF13, 0x99, 0x99, 0, 8);
    assert_int_equal(r->cookie, 0x11);
    assert_int_equal(out_of(r), 8);
    modify_cookie(ts, OFP_FM_OF13, 0x12, 0x12, UINT64_MAX, 9);
    assert_int_equal(out_of(r), 8);
    modify_cookie(ts, OFP_FM_OF13, 0x11, 0x11, UINT64_MAX, 10);
    assert_int_equal(out_of(r), 10);
    assert_int_equal(ts->n_rules, 1);
    tables_free(ts);
}

/* A modify that selects nothing.  OVS: OpenFlow 1.0 and NXM mod-flows on
 * an empty table add the rule (with or without a cookie: ovs-ofctl sends
 * header cookie 0), with the flow_mod's cookie, timeouts and flags and no
 * reset_counts flag; not with a cookie filter ("cookie=0x5/-1"); never in
 * OpenFlow 1.3. */
static void
test_modify_adds(void **state)
{
    (void) state;
    static const enum ofp_fm_format formats[] = { OFP_FM_OF10, OFP_FM_NXM };
    struct ofp_match m;
    ofp_match_init(&m);
    set_ip(&m);
    ofpt_set_u(&m, MF_IPV4_DST, 0x0a000001);
    for (size_t i = 0; i < 2; i++) {
        struct of_tables *ts = tables_new();
        struct ofp_flow_mod fm;
        fm_init(&fm, formats[i], OFPFC_MODIFY);
        fm.table_id = OFPTT_ALL;
        fm.match = m;
        fm.cookie = 0x5;
        fm.cookie_mask = UINT64_MAX;
        fm.new_cookie = UINT64_MAX;
        fm_output(&fm, 1);
        assert_int_equal(apply(ts, &fm, 0), 0);
        assert_int_equal(ts->n_rules, 0);

        fm_init(&fm, formats[i], OFPFC_MODIFY);
        fm.table_id = OFPTT_ALL;
        fm.match = m;
        fm.new_cookie = UINT64_MAX;
        assert_int_equal(apply(ts, &fm, 0), 0);
        assert_int_equal(ts->n_rules, 0);

        fm_init(&fm, formats[i], OFPFC_MODIFY_STRICT);
        fm.table_id = OFPTT_ALL;
        fm.match = m;
        fm.priority = 7;
        fm.new_cookie = 0x5;
        fm.idle_timeout = 50;
        fm.flags = OFPFF_SEND_FLOW_REM;
        fm_output(&fm, 1);
        assert_int_equal(apply(ts, &fm, 10), 0);
        struct of_rule *r = find(ts, 0, &m, 7);
        assert_non_null(r);
        assert_int_equal(r->cookie, 0x5);
        assert_int_equal(r->idle_timeout, 50);
        assert_int_equal(r->flags, OFPFF_SEND_FLOW_REM);
        assert_int_equal(r->created_ms, 10);
        assert_int_equal(out_of(r), 1);
        assert_int_equal(of_tables_next_expiry(ts), 50010);

        /* Now it matches: a modify again, no second rule. */
        fm_init(&fm, formats[i], OFPFC_MODIFY);
        fm.table_id = OFPTT_ALL;
        fm.match = match_ip();
        fm_output(&fm, 2);
        assert_int_equal(apply(ts, &fm, 20), 0);
        assert_int_equal(ts->n_rules, 1);
        assert_int_equal(out_of(r), 2);
        assert_int_equal(r->cookie, 0);
        tables_free(ts);
    }

    struct of_tables *ts = tables_new();
    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_OF13, OFPFC_MODIFY);
    fm.match = m;
    fm.cookie = fm.new_cookie = 0x5;
    fm_output(&fm, 1);
    assert_int_equal(apply(ts, &fm, 0), 0);
    assert_int_equal(ts->n_rules, 0);
    assert_int_equal(ts->version, 0);
    tables_free(ts);
}

/* Counters on modify.  OVS: an OpenFlow 1.3 mod-flows keeps them, with
 * reset_counts zeroes them; an OpenFlow 1.0 one keeps them. */
static void
test_modify_counts(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    struct ofp_match ip = match_ip();
    add(ts, 0, &ip, 5, 0, 1, 0);
    struct of_rule *r = find(ts, 0, &ip, 5);
    of_rule_account(r, 2, 84, 10);

    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_OF10, OFPFC_MODIFY);
    fm.table_id = OFPTT_ALL;
    fm.match = ip;
    fm_output(&fm, 4);
    assert_int_equal(apply(ts, &fm, 20), 0);
    assert_int_equal(r->packet_count, 2);
    fm_init(&fm, OFP_FM_OF13, OFPFC_MODIFY);
    fm.match = ip;
    fm_output(&fm, 2);
    assert_int_equal(apply(ts, &fm, 20), 0);
    assert_int_equal(r->packet_count, 2);
    assert_int_equal(r->byte_count, 84);
    fm_init(&fm, OFP_FM_OF13, OFPFC_MODIFY);
    fm.match = ip;
    fm.flags = OFPFF13_RESET_COUNTS;
    fm_output(&fm, 3);
    assert_int_equal(apply(ts, &fm, 30), 0);
    assert_int_equal(r->packet_count, 0);
    assert_int_equal(r->byte_count, 0);
    assert_int_equal(r->flags, 0);              /* Flags stay. */
    assert_int_equal(out_of(r), 3);
    tables_free(ts);
}

/* Table selection.  OVS: an NXM mod-flows without a table changes the
 * matching rules of every table; with table=4 only that table's. */
static void
test_modify_delete_tables(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    struct ofp_match ip = match_ip();
    add(ts, 0, &ip, 1, 0, 1, 0);
    add(ts, 4, &ip, 1, 0, 1, 0);
    add(ts, 254, &ip, 1, 0, 1, 0);

    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_OF13, OFPFC_MODIFY);
    fm.table_id = 4;
    fm_output(&fm, 2);
    assert_int_equal(apply(ts, &fm, 0), 0);
    assert_int_equal(out_of(find(ts, 0, &ip, 1)), 1);
    assert_int_equal(out_of(find(ts, 4, &ip, 1)), 2);
    fm_init(&fm, OFP_FM_NXM, OFPFC_MODIFY);
    fm.table_id = OFPTT_ALL;
    fm.new_cookie = UINT64_MAX;
    fm_output(&fm, 3);
    assert_int_equal(apply(ts, &fm, 0), 0);
    assert_int_equal(out_of(find(ts, 0, &ip, 1)), 3);
    assert_int_equal(out_of(find(ts, 4, &ip, 1)), 3);
    assert_int_equal(out_of(find(ts, 254, &ip, 1)), 3);

    fm_init(&fm, OFP_FM_OF13, OFPFC_DELETE_STRICT);
    fm.table_id = 4;
    fm.match = ip;
    fm.priority = 1;
    assert_int_equal(apply(ts, &fm, 0), 0);
    assert_null(find(ts, 4, &ip, 1));
    assert_int_equal(ts->n_rules, 2);
    fm_init(&fm, OFP_FM_OF13, OFPFC_DELETE);
    fm.table_id = OFPTT_ALL;
    assert_int_equal(apply(ts, &fm, 0), 0);
    assert_int_equal(ts->n_rules, 0);
    tables_free(ts);
}

static void
add_actions(struct of_tables *ts, uint8_t table, uint16_t priority,
            const struct ofp_actions *apply_, const struct ofp_actions *write)
{
    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.table_id = table;
    fm.priority = priority;
    fm.flags = OFPFF_SEND_FLOW_REM;
    for (size_t i = 0; apply_ && i < apply_->n; i++) {
        *ofp_actions_put(&fm.insts.apply, apply_->acts[i].type)
            = apply_->acts[i];
        fm.insts.present |= 1u << OFPIT_APPLY_ACTIONS;
    }
    for (size_t i = 0; write && i < write->n; i++) {
        *ofp_actions_put(&fm.insts.write, write->acts[i].type)
            = write->acts[i];
        fm.insts.present |= 1u << OFPIT_WRITE_ACTIONS;
    }
    assert_int_equal(apply(ts, &fm, 0), 0);
}

static struct ofp_actions
one_action(enum ofp_act_type type, uint32_t arg)
{
    struct ofp_actions a = OFP_ACTIONS_INIT;
    struct ofp_action *act = ofp_actions_put(&a, type);
    if (type == OFPACT_OUTPUT) {
        act->output.port = arg;
    } else if (type == OFPACT_ENQUEUE) {
        act->enqueue.port = arg;
        act->enqueue.queue = 1;
    } else {
        act->u32 = arg;
    }
    return a;
}

/* Deletes by out_port and out_group, and what 'removed' gets.  OVS
 * ("del-flows br0 out_port=2" over rules in table 3): output:2,
 * enqueue:2:1 and "output:1,output:2" go, output:1, CONTROLLER:100 and
 * IN_PORT stay; out_port=CONTROLLER and out_port=IN_PORT then take theirs;
 * every deleted rule with send_flow_rem gave a flow-removed "reason=delete"
 * (the caller sends them; here every deleted rule is listed). */
static void
test_delete_out_port(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    struct ofp_actions a1 = one_action(OFPACT_OUTPUT, 1);
    struct ofp_actions a2 = one_action(OFPACT_OUTPUT, 2);
    struct ofp_actions enq = one_action(OFPACT_ENQUEUE, 2);
    struct ofp_actions ctl = one_action(OFPACT_OUTPUT, OFPP_CONTROLLER);
    struct ofp_actions inp = one_action(OFPACT_OUTPUT, OFPP_IN_PORT);
    struct ofp_actions grp = one_action(OFPACT_GROUP, 5);
    struct ofp_actions both = one_action(OFPACT_OUTPUT, 1);
    ofp_actions_put(&both, OFPACT_OUTPUT)->output.port = 2;
    add_actions(ts, 3, 5, &a1, NULL);
    add_actions(ts, 3, 6, &a2, NULL);
    add_actions(ts, 3, 7, &enq, NULL);
    add_actions(ts, 3, 8, &ctl, NULL);
    add_actions(ts, 3, 9, &both, NULL);
    add_actions(ts, 3, 10, &inp, NULL);
    add_actions(ts, 4, 11, NULL, &a2);      /* write_actions. */
    add_actions(ts, 4, 12, &grp, NULL);
    add_actions(ts, 4, 13, NULL, &grp);

    struct of_rule_list removed;
    of_rule_list_init(&removed);
    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_OF10, OFPFC_DELETE);
    fm.table_id = OFPTT_ALL;
    fm.out_port = 2;
    assert_int_equal(of_tables_flow_mod(ts, &fm, 0, &removed), 0);
    ofp_flow_mod_free(&fm);
    assert_int_equal(removed.n, 4);
    static const uint16_t gone[] = { 6, 7, 9, 11 };
    for (size_t i = 0; i < removed.n; i++) {
        assert_int_equal(removed.rules[i]->priority, gone[i]);
        assert_int_equal(removed.reasons[i], OFPRR_DELETE);
        assert_true(removed.rules[i]->flags & OFPFF_SEND_FLOW_REM);
        of_rule_free(removed.rules[i]);
    }
    removed.n = 0;
    assert_int_equal(ts->n_rules, 5);

    fm_init(&fm, OFP_FM_OF10, OFPFC_DELETE);
    fm.table_id = OFPTT_ALL;
    fm.out_port = OFPP_CONTROLLER;
    assert_int_equal(apply(ts, &fm, 0), 0);
    assert_int_equal(ts->n_rules, 4);
    fm_init(&fm, OFP_FM_OF10, OFPFC_DELETE_STRICT);
    fm.table_id = OFPTT_ALL;
    fm.priority = 10;
    fm.out_port = 1;                        /* It outputs to IN_PORT. */
    assert_int_equal(apply(ts, &fm, 0), 0);
    assert_int_equal(ts->n_rules, 4);
    fm_init(&fm, OFP_FM_OF10, OFPFC_DELETE_STRICT);
    fm.table_id = OFPTT_ALL;
    fm.priority = 10;
    fm.out_port = OFPP_IN_PORT;
    assert_int_equal(apply(ts, &fm, 0), 0);
    assert_int_equal(ts->n_rules, 3);

    fm_init(&fm, OFP_FM_OF13, OFPFC_DELETE);
    fm.table_id = OFPTT_ALL;
    fm.out_group = 5;
    assert_int_equal(of_tables_flow_mod(ts, &fm, 0, &removed), 0);
    ofp_flow_mod_free(&fm);
    assert_int_equal(removed.n, 2);
    assert_int_equal(removed.rules[0]->priority, 12);
    assert_int_equal(removed.rules[1]->priority, 13);
    for (size_t i = 0; i < removed.n; i++) {
        of_rule_free(removed.rules[i]);
    }
    of_rule_list_destroy(&removed);
    assert_int_equal(ts->n_rules, 1);
    assert_non_null(ts->tables[3].first);
    assert_int_equal(ts->tables[3].first->priority, 5);

    ofp_actions_free(&a1);
    ofp_actions_free(&a2);
    ofp_actions_free(&enq);
    ofp_actions_free(&ctl);
    ofp_actions_free(&inp);
    ofp_actions_free(&grp);
    ofp_actions_free(&both);
    tables_free(ts);
}

/* Deletes with cookie filters.  OVS: "del-flows cookie=0x10/0xf0" takes
 * 0x11 and 0x12, not 0x21; "cookie=0x21/-1,tcp" does not take the ip
 * rule of cookie 0x21 (less specific than tcp), "cookie=0x21/-1" does. */
static void
test_delete_cookie(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    struct ofp_match ip = match_ip();
    add(ts, 0, &ip, 1, 0x11, 1, 0);
    add(ts, 0, &ip, 2, 0x12, 1, 0);
    add(ts, 0, &ip, 3, 0x21, 1, 0);
    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_NXM, OFPFC_DELETE);
    fm.table_id = OFPTT_ALL;
    fm.cookie = 0x10;
    fm.cookie_mask = 0xf0;
    assert_int_equal(apply(ts, &fm, 0), 0);
    assert_int_equal(ts->n_rules, 1);
    assert_non_null(find(ts, 0, &ip, 3));
    fm_init(&fm, OFP_FM_OF13, OFPFC_DELETE);
    fm.table_id = OFPTT_ALL;
    fm.cookie = 0x21;
    fm.cookie_mask = UINT64_MAX;
    fm.match = match_tcp80();
    uint64_t version = ts->version;
    assert_int_equal(apply(ts, &fm, 0), 0);
    assert_int_equal(ts->n_rules, 1);
    assert_int_equal(ts->version, version);
    fm_init(&fm, OFP_FM_OF13, OFPFC_DELETE);
    fm.table_id = OFPTT_ALL;
    fm.cookie = 0x21;
    fm.cookie_mask = UINT64_MAX;
    assert_int_equal(apply(ts, &fm, 0), 0);
    assert_int_equal(ts->n_rules, 0);
    assert_true(ts->version > version);
    tables_free(ts);
}

/* Expiry.  OVS: hard_timeout counts from the add or the last modify
 * (a mod-flows at 2.5 s, same actions or not, kept a hard_timeout=4 rule
 * alive past 5.8 s), idle_timeout from the last use, and a modify is no
 * use (idle_timeout=4 rules modified at 2.5 s were gone by 5.8 s); a new
 * rule counts as used when added.  Flow-removed reasons "hard" and
 * "idle". */
static void
test_expiry(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    struct ofp_match ip = match_ip(), arp = match_arp(), tcp = match_tcp80();
    assert_int_equal(of_tables_next_expiry(ts), UINT64_MAX);
    add(ts, 0, &ip, 1, 0, 1, 0);                /* No timeout. */
    assert_int_equal(of_tables_next_expiry(ts), UINT64_MAX);

    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.match = arp;
    fm.priority = 1;
    fm.hard_timeout = 4;
    assert_int_equal(apply(ts, &fm, 1000), 0);
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.match = tcp;
    fm.priority = 1;
    fm.idle_timeout = 4;
    assert_int_equal(apply(ts, &fm, 1000), 0);
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.match = tcp;
    fm.priority = 2;
    fm.idle_timeout = 10;
    fm.hard_timeout = 3;
    assert_int_equal(apply(ts, &fm, 1000), 0);
    assert_int_equal(of_tables_next_expiry(ts), 4000);

    /* Modify everything at 3500: the hard timeouts restart. */
    fm_init(&fm, OFP_FM_OF13, OFPFC_MODIFY);
    fm_output(&fm, 2);
    assert_int_equal(apply(ts, &fm, 3500), 0);
    struct of_rule_list removed;
    of_rule_list_init(&removed);
    assert_int_equal(of_tables_expire(ts, 4999, &removed), 0);
    uint64_t version = ts->version;
    assert_int_equal(of_tables_expire(ts, 5000, &removed), 1);
    assert_true(ts->version > version);
    assert_int_equal(removed.rules[0]->idle_timeout, 4);
    assert_int_equal(removed.reasons[0], OFPRR_IDLE_TIMEOUT);
    assert_int_equal(of_tables_next_expiry(ts), 6500);
    assert_int_equal(ts->n_rules, 3);

    /* Use does not postpone a hard timeout; both passed: hard. */
    of_rule_account(find(ts, 0, &arp, 1), 1, 60, 7000);
    assert_int_equal(of_tables_expire(ts, 20000, &removed), 2);
    /* (In no particular order.) */
    assert_int_equal(removed.rules[1]->priority
                     + removed.rules[2]->priority, 3);
    assert_int_equal(removed.reasons[1], OFPRR_HARD_TIMEOUT);
    assert_int_equal(removed.reasons[2], OFPRR_HARD_TIMEOUT);
    assert_int_equal(of_tables_next_expiry(ts), UINT64_MAX);
    assert_int_equal(ts->n_rules, 1);
    for (size_t i = 0; i < removed.n; i++) {
        of_rule_free(removed.rules[i]);
    }
    removed.n = 0;

    /* Use postpones an idle timeout. */
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.match = arp;
    fm.priority = 3;
    fm.idle_timeout = 2;
    assert_int_equal(apply(ts, &fm, 30000), 0);
    of_rule_account(find(ts, 0, &arp, 3), 1, 60, 31000);
    of_rule_account(find(ts, 0, &arp, 3), 0, 0, 31500);     /* No use. */
    assert_true(of_tables_next_expiry(ts) <= 33000);
    assert_int_equal(of_tables_expire(ts, 32999, &removed), 0);
    assert_int_equal(of_tables_next_expiry(ts), 33000);
    assert_int_equal(of_tables_expire(ts, 33000, &removed), 1);
    of_rule_free(removed.rules[0]);

    /* Deleting the rule with a timeout leaves nothing to expire. */
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.match = arp;
    fm.priority = 4;
    fm.hard_timeout = 1;
    assert_int_equal(apply(ts, &fm, 40000), 0);
    fm_init(&fm, OFP_FM_OF13, OFPFC_DELETE);
    fm.table_id = OFPTT_ALL;
    fm.match = arp;
    assert_int_equal(apply(ts, &fm, 40000), 0);
    assert_int_equal(of_tables_next_expiry(ts), UINT64_MAX);
    /* A replacement keeps the last use (OVS forwards 'used' whatever
     * reset_counts says), so its idle timeout counts from the rule's last
     * use (here its add at 0).  Replacing it by one without timeouts
     * leaves nothing to expire. */
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.match = ip;
    fm.priority = 1;
    fm.idle_timeout = 1;
    assert_int_equal(apply(ts, &fm, 50000), 0);
    assert_int_equal(of_tables_next_expiry(ts), 1000);
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.match = ip;
    fm.priority = 1;
    assert_int_equal(apply(ts, &fm, 50500), 0);
    assert_int_equal(of_tables_next_expiry(ts), UINT64_MAX);
    assert_int_equal(ts->n_rules, 1);
    of_rule_list_destroy(&removed);
    tables_free(ts);
}

/* Statistics of a rule.  OVS prints idle_age and hard_age as the whole
 * seconds since the last use and the last change (ovs-ofctl prints the
 * wire value minus one); the duration counts from the add. */
static void
test_rule_stats(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    struct ofp_match ip = match_ip();
    struct ofp_flow_mod fm;
    fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.table_id = 7;
    fm.match = ip;
    fm.priority = 33;
    fm.cookie = fm.new_cookie = 0xabc;
    fm.idle_timeout = 11;
    fm.hard_timeout = 22;
    fm.flags = OFPFF_SEND_FLOW_REM;
    fm_output(&fm, 3);
    assert_int_equal(apply(ts, &fm, 1000), 0);
    struct of_rule *r = find(ts, 7, &ip, 33);
    of_rule_account(r, 5, 500, 2500);
    fm_init(&fm, OFP_FM_OF13, OFPFC_MODIFY);
    fm.table_id = 7;
    fm_output(&fm, 4);
    assert_int_equal(apply(ts, &fm, 4000), 0);

    struct ofp_flow_stats fs;
    of_rule_to_stats(r, 6250, &fs);
    assert_int_equal(fs.table_id, 7);
    assert_int_equal(fs.duration_sec, 5);
    assert_int_equal(fs.duration_nsec, 250000000);
    assert_int_equal(fs.priority, 33);
    assert_int_equal(fs.idle_timeout, 11);
    assert_int_equal(fs.hard_timeout, 22);
    assert_int_equal(fs.flags, OFPFF_SEND_FLOW_REM);
    assert_int_equal(fs.idle_age, 4);       /* 3.75 s, plus one. */
    assert_int_equal(fs.hard_age, 3);       /* 2.25 s, plus one. */
    assert_int_equal(fs.cookie, 0xabc);
    assert_int_equal(fs.packet_count, 5);
    assert_int_equal(fs.byte_count, 500);
    assert_ptr_equal(fs.match, &r->match);
    assert_ptr_equal(fs.insts, &r->insts);
    assert_int_equal(fs.insts->apply.acts[0].output.port, 4);

    of_rule_to_stats(r, 1000 + 100000000, &fs);
    assert_int_equal(fs.idle_age, UINT16_MAX);
    assert_int_equal(fs.duration_sec, 100000);
    of_rule_to_stats(r, 500, &fs);          /* A clock before the add. */
    assert_int_equal(fs.duration_sec, 0);
    assert_int_equal(fs.idle_age, 1);
    tables_free(ts);
}

struct seen {
    struct of_rule *rules[64];
    size_t n;
};

static void
collect_cb(struct of_rule *r, void *aux)
{
    struct seen *s = aux;
    assert_true(s->n < 64);
    s->rules[s->n++] = r;
}

static size_t
collect(struct of_tables *ts, const struct ofp_flow_stats_request *req,
        struct seen *s)
{
    s->n = 0;
    of_tables_collect(ts, req, collect_cb, s);
    return s->n;
}

/* Statistics selection (table, loose match, out_port, out_group, cookie)
 * and order: by table, then decreasing priority, then insertion. */
static void
test_collect(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    struct ofp_match ip = match_ip(), tcp = match_tcp80(), arp = match_arp();
    add(ts, 2, &ip, 5, 0x1, 1, 0);
    add(ts, 2, &tcp, 5, 0x2, 2, 0);
    add(ts, 2, &arp, 9, 0x1, 1, 0);
    add(ts, 0, &tcp, 1, 0x1, 2, 0);
    add(ts, 2, &tcp, 7, 0x1, 1, 0);
    add(ts, 0, &ip, 3, 0x2, 3, 0);
    struct ofp_actions g = one_action(OFPACT_GROUP, 8);
    add_actions(ts, 9, 1, NULL, &g);
    ofp_actions_free(&g);

    struct ofp_flow_stats_request req;
    memset(&req, 0, sizeof req);
    req.table_id = OFPTT_ALL;
    req.out_port = OFPP_ANY;
    req.out_group = OFPG_ANY;
    ofp_match_init(&req.match);
    struct seen s;
    assert_int_equal(collect(ts, &req, &s), 7);
    static const uint8_t tables[] = { 0, 0, 2, 2, 2, 2, 9 };
    static const uint16_t prios[] = { 3, 1, 9, 7, 5, 5, 1 };
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(s.rules[i]->table_id, tables[i]);
        assert_int_equal(s.rules[i]->priority, prios[i]);
    }
    /* Equal priorities by insertion: ip (cookie 1) before tcp. */
    assert_int_equal(s.rules[4]->cookie, 0x1);
    assert_int_equal(s.rules[5]->cookie, 0x2);

    req.table_id = 2;
    assert_int_equal(collect(ts, &req, &s), 4);
    req.match = ip;
    assert_int_equal(collect(ts, &req, &s), 3);     /* Not arp. */
    req.match = tcp;
    assert_int_equal(collect(ts, &req, &s), 2);
    req.table_id = OFPTT_ALL;
    assert_int_equal(collect(ts, &req, &s), 3);
    req.cookie = 0x1;
    req.cookie_mask = 0xf;
    assert_int_equal(collect(ts, &req, &s), 2);
    assert_int_equal(s.rules[0]->table_id, 0);
    assert_int_equal(s.rules[1]->priority, 7);
    req.out_port = 2;
    assert_int_equal(collect(ts, &req, &s), 1);
    assert_int_equal(s.rules[0]->table_id, 0);
    ofp_match_init(&req.match);
    req.cookie_mask = 0;
    req.out_port = OFPP_ANY;
    req.out_group = 8;
    assert_int_equal(collect(ts, &req, &s), 1);
    assert_int_equal(s.rules[0]->table_id, 9);
    req.out_group = 9;
    assert_int_equal(collect(ts, &req, &s), 0);
    tables_free(ts);
}

/* Random loose selections against a brute-force reference. */

/* libc's generator, seeded in test_random_loose(): the same numbers on
 * every run. */
static uint32_t
rnd(void)
{
    return (uint32_t) random();
}

/* A random match over a few fields with small domains, so that rules
 * and selections often nest. */
static void
random_match(struct ofp_match *m)
{
    ofp_match_init(m);
    if (rnd() % 4) {
        set_ip(m);
        if (rnd() % 2) {
            static const unsigned int plens[] = { 8, 16, 24, 32 };
            set_nw_src(m, 0x0a000000u | (rnd() % 2) << 16 | (rnd() % 2),
                       plens[rnd() % 4]);
        }
        if (rnd() % 3 == 0) {
            ofpt_set_u(m, MF_IP_PROTO, 6);
            if (rnd() % 2) {
                ofpt_set_u(m, MF_TCP_DST, 80 + rnd() % 2);
            }
        }
    } else if (rnd() % 2) {
        ofpt_set_u(m, MF_ETH_TYPE, 0x0806);
    }
    if (rnd() % 3 == 0) {
        ofpt_set_u(m, MF_IN_PORT, 1 + rnd() % 2);
    }
    if (rnd() % 3 == 0) {
        uint8_t v[4] = { 0, 0, 0, (uint8_t) (rnd() % 4) };
        uint8_t w[4] = { 0, 0, 0, rnd() % 2 ? 0x03 : 0x01 };
        v[3] &= w[3];
        assert_int_equal(mf_set(m, mf_from_id(MF_REG0), v, w), 0);
    }
    if (rnd() % 4 == 0) {
        ofpt_set_u(m, MF_METADATA, rnd() % 2);
    }
}

/* Whether every packet 'rule' matches, 'sel' matches: byte by byte over
 * the match's own fields, every bit 'sel' matches 'rule' matches with the
 * same value. */
static bool
ref_subset(const struct ofp_match *rule, const struct ofp_match *sel)
{
    const uint8_t *rv = (const uint8_t *) &rule->flow;
    const uint8_t *rm = (const uint8_t *) &rule->wc;
    const uint8_t *sv = (const uint8_t *) &sel->flow;
    const uint8_t *sm = (const uint8_t *) &sel->wc;
    for (size_t i = 0; i < sizeof rule->flow; i++) {
        if ((sm[i] & rm[i]) != sm[i] || (rv[i] & sm[i]) != sv[i]) {
            return false;
        }
    }
    rv = (const uint8_t *) &rule->meta;
    rm = (const uint8_t *) &rule->meta_wc;
    sv = (const uint8_t *) &sel->meta;
    sm = (const uint8_t *) &sel->meta_wc;
    for (size_t i = 0; i < sizeof rule->meta; i++) {
        if ((sm[i] & rm[i]) != sm[i] || (rv[i] & sm[i]) != sv[i]) {
            return false;
        }
    }
    return true;
}

#define N_RANDOM_RULES 60

static void
random_round(void)
{
    struct of_tables *ts = tables_new();
    /* Ports are unique per add: a rule's output port names it. */
    struct ofp_match matches[N_RANDOM_RULES];
    uint16_t prios[N_RANDOM_RULES];
    uint8_t tables[N_RANDOM_RULES];
    uint64_t cookies[N_RANDOM_RULES];
    bool live[N_RANDOM_RULES];
    for (uint32_t i = 0; i < N_RANDOM_RULES; i++) {
        random_match(&matches[i]);
        prios[i] = (uint16_t) (rnd() % 3);
        tables[i] = (uint8_t) (rnd() % 2);
        cookies[i] = rnd() % 4;
        live[i] = true;
        /* An identical rule is replaced: the reference forgets it. */
        for (uint32_t j = 0; j < i; j++) {
            if (live[j] && tables[j] == tables[i] && prios[j] == prios[i]
                && ofp_match_equal(&matches[j], &matches[i])) {
                live[j] = false;
            }
        }
        add(ts, tables[i], &matches[i], prios[i], cookies[i], 100 + i, 0);
    }

    for (int round = 0; round < 30; round++) {
        struct ofp_flow_mod fm;
        bool del = rnd() % 2;
        fm_init(&fm, OFP_FM_OF13, del ? OFPFC_DELETE : OFPFC_MODIFY);
        random_match(&fm.match);
        fm.table_id = rnd() % 3 ? OFPTT_ALL : (uint8_t) (rnd() % 2);
        if (rnd() % 3 == 0) {
            fm.cookie = fm.new_cookie = rnd() % 4;
            fm.cookie_mask = rnd() % 2 ? UINT64_MAX : 1;
        }
        fm_output(&fm, 1000);
        bool want[N_RANDOM_RULES];
        size_t n_live = 0, n_want = 0;
        for (uint32_t i = 0; i < N_RANDOM_RULES; i++) {
            want[i] = live[i]
                      && (fm.table_id == OFPTT_ALL
                          || fm.table_id == tables[i])
                      && !((cookies[i] ^ fm.cookie) & fm.cookie_mask)
                      && ref_subset(&matches[i], &fm.match);
            n_live += live[i];
            n_want += want[i];
        }
        struct of_rule_list removed;
        of_rule_list_init(&removed);
        assert_int_equal(of_tables_flow_mod(ts, &fm, 0, &removed), 0);
        ofp_flow_mod_free(&fm);
        if (del) {
            assert_int_equal(removed.n, n_want);
            for (size_t k = 0; k < removed.n; k++) {
                uint32_t i = out_of(removed.rules[k]) - 100;
                assert_true(i < N_RANDOM_RULES && want[i]);
                live[i] = false;
                of_rule_free(removed.rules[k]);
            }
            assert_int_equal(ts->n_rules, n_live - n_want);
        } else {
            for (uint32_t i = 0; i < N_RANDOM_RULES; i++) {
                if (!live[i]) {
                    continue;
                }
                struct of_rule *r = find(ts, tables[i], &matches[i],
                                         prios[i]);
                assert_non_null(r);
                assert_int_equal(out_of(r) == 1000, want[i]);
                /* Back to its own port for the next rounds. */
                r->insts.apply.acts[0].output.port = 100 + i;
            }
        }
        of_rule_list_destroy(&removed);
    }
    tables_free(ts);
}

static void
test_random_loose(void **state)
{
    (void) state;
    srandom(12345);
    for (int i = 0; i < 40; i++) {
        random_round();
    }
}

/* Real flow_mods from ovs-ofctl (ofp_fixtures.h), decoded by the codec:
 * an OpenFlow 1.0 mod-flows on an empty table adds (header cookie 0, as
 * OVS), the same in OpenFlow 1.3 does not; add-flow fixtures add, and
 * the same rule sent in NXM then OXM is one rule; the NXM "del-flows
 * table=2,cookie=0x10/0xff,out_port=3" deletes by cookie (0x110 matches
 * under the mask, 0x11 not) and out_port in table 2 only. */
static const struct ofp_fixture *
fixture(const char *args)
{
    for (size_t i = 0; i < sizeof ofp_fixtures / sizeof ofp_fixtures[0];
         i++) {
        if (!strcmp(ofp_fixtures[i].args, args)) {
            return &ofp_fixtures[i];
        }
    }
    fail_msg("no fixture %s", args);
    return NULL;
}

static enum ofp_err
apply_fixture(struct of_tables *ts, const char *args)
{
    const struct ofp_fixture *fx = fixture(args);
    size_t len;
    uint8_t *msg = ofpt_from_hex(fx->hex, &len);
    struct ofp_flow_mod fm;
    assert_int_equal(ofp_flow_mod_decode(msg, len, fx->table_id_ext, &fm),
                     0);
    free(msg);
    return apply(ts, &fm, 0);
}

static void
test_fixtures(void **state)
{
    (void) state;
    struct of_tables *ts = tables_new();
    assert_int_equal(apply_fixture(ts, "-O OpenFlow13 mod-flows "
                                   "ip,nw_dst=10.0.0.1,actions=drop"), 0);
    assert_int_equal(ts->n_rules, 0);
    assert_int_equal(apply_fixture(ts, "mod-flows "
                                   "ip,nw_dst=10.0.0.1,actions=drop"), 0);
    assert_int_equal(ts->n_rules, 1);
    assert_int_equal(ts->tables[0].first->cookie, 0);
    assert_int_equal(ts->tables[0].first->flags, 0);

    assert_int_equal(apply_fixture(ts, "cookie=0x55,idle_timeout=10,"
                                   "hard_timeout=20,send_flow_rem,"
                                   "check_overlap,actions=group:5"),
                     OFPERR_OFPFMFC_OVERLAP);   /* The catch-all. */
    assert_int_equal(apply_fixture(ts, "-O OpenFlow13 table=3,priority=5,"
                                   "actions=output:1"), 0);
    /* The same rule from NXM then OXM: one rule, replaced (its note
     * copied with it). */
    assert_int_equal(apply_fixture(ts, "tcp,tcp_flags=+syn-ack,"
                                   "actions=note:01.02.03.04.05,output:5"),
                     0);
    assert_int_equal(ts->n_rules, 3);
    struct of_rule *r = ts->tables[0].last;
    assert_int_equal(r->flags, OFPFF13_RESET_COUNTS);
    assert_int_equal(r->insts.apply.acts[0].type, OFPACT_NOTE);
    assert_int_equal(apply_fixture(ts, "-O OpenFlow13 tcp,tcp_flags="
                                   "+syn-ack,actions=note:01.02.03.04.05,"
                                   "output:5"), 0);
    assert_int_equal(ts->n_rules, 3);
    assert_ptr_equal(ts->tables[0].last, r);
    assert_int_equal(r->flags, 0);
    /* (NX notes keep their padding, as OVS.) */
    assert_true(r->insts.apply.acts[0].note.len >= 5);
    assert_memory_equal(r->insts.apply.acts[0].note.data,
                        "\x01\x02\x03\x04\x05", 5);
    const char *in_t2 = "-O OpenFlow13 table=1,priority=100,tcp,"
                        "nw_src=10.0.0.0/8,tp_dst=80,"
                        "actions=set_field:1->reg0,output:2,goto_table:3";
    assert_int_equal(apply_fixture(ts, in_t2), 0);
    assert_int_equal(ts->n_rules, 4);

    struct of_tables *t2 = tables_new();
    struct ofp_actions a3 = one_action(OFPACT_OUTPUT, 3);
    struct ofp_flow_mod fm;
    for (uint16_t prio = 1; prio <= 3; prio++) {
        fm_init(&fm, OFP_FM_OF13, OFPFC_ADD);
        fm.table_id = prio == 3 ? 1 : 2;
        fm.priority = prio;
        fm.cookie = fm.new_cookie = prio == 2 ? 0x11 : 0x110;
        *ofp_actions_put(&fm.insts.apply, OFPACT_OUTPUT) = a3.acts[0];
        fm.insts.present = 1u << OFPIT_APPLY_ACTIONS;
        assert_int_equal(apply(t2, &fm, 0), 0);
    }
    ofp_actions_free(&a3);
    add(t2, 2, NULL, 4, 0x10, 4, 0);
    assert_int_equal(apply_fixture(t2, "del-flows table=2,"
                                   "cookie=0x10/0xff,out_port=3"), 0);
    assert_int_equal(t2->n_rules, 3);
    assert_int_equal(cls_count(&t2->tables[1].cls), 1);
    assert_int_equal(t2->tables[2].first->priority, 2);
    assert_int_equal(t2->tables[2].last->priority, 4);
    tables_free(t2);
    tables_free(ts);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_add_replaces_of13),
        cmocka_unit_test(test_add_replaces_of10_nxm),
        cmocka_unit_test(test_check_overlap),
        cmocka_unit_test(test_table_full),
        cmocka_unit_test(test_table_id_and_command),
        cmocka_unit_test(test_modify_loose_strict),
        cmocka_unit_test(test_modify_cookie),
        cmocka_unit_test(test_modify_adds),
        cmocka_unit_test(test_modify_counts),
        cmocka_unit_test(test_modify_delete_tables),
        cmocka_unit_test(test_delete_out_port),
        cmocka_unit_test(test_delete_cookie),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_rule_stats),
        cmocka_unit_test(test_collect),
        cmocka_unit_test(test_random_loose),
        cmocka_unit_test(test_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
