/* Unit tests for the priority rule table and its megaflow masks. */
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

    /* The catch-all's megaflow must still pin nw_src: it examined the
     * higher-priority rule first. */
    f.nw_src = 0x0200000a;
    memset(&wc, 0, sizeof wc);
    assert_int_equal(output_of(rule_table_lookup(&t, &f, &wc)), 1);
    assert_int_equal(wc.nw_src, 0xffffffff);
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_priority_order),
        cmocka_unit_test(test_megaflow_never_captures_higher_priority),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
