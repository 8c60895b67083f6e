/* Unit tests for rx queue to PMD assignment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rxq_sched.h"

static void
test_pick_round_robin(void **state)
{
    (void) state;
    unsigned int counts[3] = { 0, 0, 0 };
    unsigned int order[6];
    for (int i = 0; i < 6; i++) {
        order[i] = rxq_sched_pick(counts, 3);
        counts[order[i]]++;
    }
    /* New queues spread evenly, lowest index first on ties. */
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 1);
    assert_int_equal(order[2], 2);
    assert_int_equal(order[3], 0);
    assert_int_equal(counts[0], 2);
    assert_int_equal(counts[1], 2);
    assert_int_equal(counts[2], 2);

    unsigned int uneven[2] = { 3, 1 };
    assert_int_equal(rxq_sched_pick(uneven, 2), 1);
}

static void
test_by_cycles_balances_load(void **state)
{
    (void) state;
    /* One heavy queue and four light ones on two PMDs: the heavy one gets
     * a PMD of its own. */
    struct rxq_sched_item items[5] = {
        { .cycles = 10 }, { .cycles = 100 }, { .cycles = 10 },
        { .cycles = 10 }, { .cycles = 10 },
    };
    rxq_sched_by_cycles(items, 5, 2);
    unsigned int heavy = items[1].pmd;
    for (int i = 0; i < 5; i++) {
        if (i != 1) {
            assert_int_not_equal(items[i].pmd, heavy);
        }
    }
}

static void
test_by_cycles_equal_loads(void **state)
{
    (void) state;
    struct rxq_sched_item items[4] = {
        { .cycles = 5 }, { .cycles = 5 }, { .cycles = 5 }, { .cycles = 5 },
    };
    rxq_sched_by_cycles(items, 4, 2);
    unsigned int per_pmd[2] = { 0, 0 };
    for (int i = 0; i < 4; i++) {
        assert_true(items[i].pmd < 2);
        per_pmd[items[i].pmd]++;
    }
    assert_int_equal(per_pmd[0], 2);
    assert_int_equal(per_pmd[1], 2);
    /* Deterministic: equal loads keep their order. */
    assert_int_equal(items[0].pmd, 0);
    assert_int_equal(items[1].pmd, 1);
}

static void
test_by_cycles_single_pmd(void **state)
{
    (void) state;
    struct rxq_sched_item items[3] = {
        { .cycles = 1 }, { .cycles = 2 }, { .cycles = 3 },
    };
    rxq_sched_by_cycles(items, 3, 1);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(items[i].pmd, 0);
    }
    rxq_sched_by_cycles(items, 0, 1);   /* Nothing to do, no crash. */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pick_round_robin),
        cmocka_unit_test(test_by_cycles_balances_load),
        cmocka_unit_test(test_by_cycles_equal_loads),
        cmocka_unit_test(test_by_cycles_single_pmd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
