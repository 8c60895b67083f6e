/* Unit tests for the priority rule table and its megaflow masks, and how
 * many megaflows sluice-bench's acl rules make on its traffic. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/rule_table.h"
#include "pmd/actions.h"
#include "pmd/flow_parse.h"
#include "src/util/dstr.h"
#include "tools/bench_acl.h"
#include "tools/pcapgen.h"

static struct dp_actions *
output(uint32_t port)
{
    struct dp_actions *a = dp_actions_new();
    assert_non_null(a);
    assert_int_equal(dp_actions_add_output(&a, port), 0);
    return a;
}

static uint32_t
output_of(const struct rule *r)
{
    const struct dp_action_output *o = (const void *) r->actions->data;
    return o->port_no;
}

static void
test_priority_order(void **state)
{
    (void) state;
    struct rule_table t;
    struct flow m, k, wc, f;
    rule_table_init(&t);

    memset(&m, 0, sizeof m);
    memset(&k, 0, sizeof k);
    assert_int_equal(rule_table_add(&t, 0, &k, &m, output(1)), 0);
    k.nw_src = 0x0100000a;          /* 10.0.0.1 */
    m.nw_src = 0xffffffff;
    assert_int_equal(rule_table_add(&t, 10, &k, &m, output(2)), 0);
    assert_int_equal(t.n_rules, 2);

    memset(&f, 0, sizeof f);
    f.nw_src = 0x0100000a;
    memset(&wc, 0, sizeof wc);
    assert_int_equal(output_of(rule_table_lookup(&t, &f, &wc)), 2);
    assert_int_equal(wc.nw_src, 0xffffffff);

    /* The catch-all's megaflow must still pin the bits of nw_src that
     * tell 10.0.0.2 from the higher-priority rule's 10.0.0.1: the first
     * 31 (they part at the last but one), not more. */
    f.nw_src = 0x0200000a;
    memset(&wc, 0, sizeof wc);
    assert_int_equal(output_of(rule_table_lookup(&t, &f, &wc)), 1);
    assert_int_equal(wc.nw_src, htonl(0xfffffffe));
    assert_int_equal(wc.nw_dst, 0);

    /* Replacing keeps one rule; deleting a missing one fails. */
    assert_int_equal(rule_table_add(&t, 10, &k, &m, output(3)), 0);
    assert_int_equal(t.n_rules, 2);
    assert_int_equal(rule_table_del(&t, 10, &k, &m), 0);
    assert_int_equal(rule_table_del(&t, 10, &k, &m), -ENOENT);
    f.nw_src = 0x0100000a;
    memset(&wc, 0, sizeof wc);
    assert_int_equal(output_of(rule_table_lookup(&t, &f, &wc)), 1);
    rule_table_destroy(&t);
}

/* Property: any flow that agrees with a looked-up flow on the returned
 * mask gets the same rule.  This is what makes megaflows safe. */
static void
test_megaflow_never_captures_higher_priority(void **state)
{
    (void) state;
    struct rule_table t;
    rule_table_init(&t);
    srand(7);

    /* Rules on overlapping fields with prefixes of several lengths. */
    for (int i = 0; i < 40; i++) {
        struct flow k, m;
        memset(&k, 0, sizeof k);
        memset(&m, 0, sizeof m);
        int plen = 8 * (1 + rand() % 4);
        uint32_t pm = plen == 32 ? 0xffffffff : ~(0xffffffffu >> plen);
        if (rand() % 2) {
            k.nw_src = (uint32_t) rand() % 4;
            m.nw_src = pm & 0x3;
        } else {
            k.nw_dst = (uint32_t) rand() % 4;
            m.nw_dst = pm & 0x3;
        }
        if (rand() % 3 == 0) {
            k.tp_dst = (uint16_t) (rand() % 3);
            m.tp_dst = 0xffff;
        }
        rule_table_add(&t, rand() % 10, &k, &m, output((uint32_t) i));
    }
    for (int n = 0; n < 2000; n++) {
        struct flow f, g, wc;
        memset(&f, 0, sizeof f);
        f.nw_src = (uint32_t) rand() % 4;
        f.nw_dst = (uint32_t) rand() % 4;
        f.tp_dst = (uint16_t) (rand() % 3);
        memset(&wc, 0, sizeof wc);
        struct rule *r = rule_table_lookup(&t, &f, &wc);

        /* Vary everything the mask leaves free. */
        g = f;
        g.nw_src = (f.nw_src & wc.nw_src) | ((uint32_t) rand() % 4
                                             & ~wc.nw_src);
        g.nw_dst = (f.nw_dst & wc.nw_dst) | ((uint32_t) rand() % 4
                                             & ~wc.nw_dst);
        g.tp_dst = (uint16_t) ((f.tp_dst & wc.tp_dst)
                               | ((uint16_t) (rand() % 3) & ~wc.tp_dst));
        struct flow wc2;
        memset(&wc2, 0, sizeof wc2);
        assert_ptr_equal(rule_table_lookup(&t, &g, &wc2), r);
    }
    rule_table_destroy(&t);
}

static uint64_t
mix(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= UINT64_C(0x9e3779b97f4a7c15);
    return h ^ (h >> 31);
}

static int
cmp_u64(const void *a_, const void *b_)
{
    uint64_t a = *(const uint64_t *) a_, b = *(const uint64_t *) b_;
    return (a > b) - (a < b);
}

/* The megaflows the acl scenario's rules make on 'n_flows' of pcapgen's
 * flows: distinct (masked key, mask) pairs of the lookups. */
static size_t
acl_megaflows(struct rule_table *t, uint32_t n_flows)
{
    uint64_t *ids = malloc(n_flows * sizeof *ids);
    assert_non_null(ids);
    for (uint32_t i = 0; i < n_flows; i++) {
        struct pcapgen_flow pf;
        struct flow key, wc;
        pcapgen_flow(i, &pf);
        memset(&key, 0, sizeof key);
        key.in_port = 1;
        key.dl_type = htons(0x0800);
        key.nw_src = htonl(pf.src_ip);
        key.nw_dst = htonl(pf.dst_ip);
        key.nw_proto = 17;
        key.nw_ttl = 64;
        key.tp_src = htons(pf.src_port);
        key.tp_dst = htons(pf.dst_port);
        memset(&wc, 0, sizeof wc);
        assert_non_null(rule_table_lookup(t, &key, &wc));
        const uint64_t *k = (const uint64_t *) (const void *) &key;
        const uint64_t *w = (const uint64_t *) (const void *) &wc;
        uint64_t h = 0;
        for (size_t j = 0; j < FLOW_N_WORDS; j++) {
            h = mix(mix(h, k[j] & w[j]), w[j]);
        }
        ids[i] = h;
    }
    qsort(ids, n_flows, sizeof *ids, cmp_u64);
    size_t n = 0;
    for (uint32_t i = 0; i < n_flows; i++) {
        n += !i || ids[i] != ids[i - 1];
    }
    free(ids);
    return n;
}

/* The acl scenario's rules on its traffic make as many megaflows as Open
 * vSwitch 3.1 installs for them at 100k flows (33; the rule table made
 * 5,366 when a lookup examined every rule above the match). */
static void
test_acl_megaflows(void **state)
{
    (void) state;
    struct rule_table t;
    struct dstr err = DSTR_INIT;
    rule_table_init(&t);
    for (size_t i = 0; i < sizeof acl_rules / sizeof *acl_rules; i++) {
        struct flow match, mask;
        if (flow_parse(acl_rules[i].match, &match, &mask, NULL, NULL,
                       &err)) {
            fail_msg("%s: %s", acl_rules[i].match, dstr_cstr(&err));
        }
        assert_int_equal(rule_table_add(&t, atoi(acl_rules[i].priority),
                                        &match, &mask, output(1)), 0);
    }
    struct flow match, mask;
    memset(&match, 0, sizeof match);
    memset(&mask, 0, sizeof mask);
    match.in_port = 1;
    mask.in_port = UINT32_MAX;
    assert_int_equal(rule_table_add(&t, 0, &match, &mask, output(2)), 0);

    size_t n1k = acl_megaflows(&t, 1000);
    size_t n100k = acl_megaflows(&t, 100000);
    print_message("acl megaflows: %zu at 1k flows, %zu at 100k\n", n1k,
                  n100k);
    assert_true(n1k <= 14);
    assert_true(n100k <= 33);
    dstr_free(&err);
    rule_table_destroy(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_priority_order),
        cmocka_unit_test(test_megaflow_never_captures_higher_priority),
        cmocka_unit_test(test_acl_megaflows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
