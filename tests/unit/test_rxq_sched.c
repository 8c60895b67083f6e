/* Unit tests for rx queue to PMD assignment. */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pmd/rxq_sched.h"

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

static void
test_reassign_when_pmds_go(void **state)
{
    (void) state;
    /* Six queues on four PMDs; PMDs 1 and 3 go.  Every queue lands on 0
     * or 2, loads balanced: the heavy queue alone on one of them. */
    struct rxq_sched_item items[6] = {
        { .cycles = 10, .pmd = 0 }, { .cycles = 10, .pmd = 1 },
        { .cycles = 100, .pmd = 1 }, { .cycles = 10, .pmd = 2 },
        { .cycles = 10, .pmd = 3 }, { .cycles = 10, .pmd = 3 },
    };
    const unsigned int cores[4] = { 0, 1, 2, 3 };
    bool keep[4] = { true, false, true, false };
    rxq_sched_assign(items, NULL, 6, cores, keep, 4, NULL);
    unsigned int per_pmd[4] = { 0, 0, 0, 0 };
    for (int i = 0; i < 6; i++) {
        assert_true(items[i].pmd == 0 || items[i].pmd == 2);
        per_pmd[items[i].pmd]++;
    }
    unsigned int heavy = items[2].pmd;
    assert_int_equal(per_pmd[heavy], 1);
    assert_int_equal(per_pmd[heavy == 0 ? 2 : 0], 5);

    /* One PMD left: everything goes there. */
    bool only3[4] = { false, false, false, true };
    rxq_sched_assign(items, NULL, 6, cores, only3, 4, NULL);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(items[i].pmd, 3);
    }
    /* None left: nothing is polled. */
    bool none[4] = { false, false, false, false };
    rxq_sched_assign(items, NULL, 6, cores, none, 4, NULL);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(items[i].pmd, RXQ_SCHED_NONE);
    }
    /* New PMDs (all kept): idle queues spread evenly over them. */
    struct rxq_sched_item idle[4] = { { 0, 0 }, { 0, 0 }, { 0, 0 },
                                      { 0, 0 } };
    bool all[2] = { true, true };
    rxq_sched_assign(idle, NULL, 4, cores, all, 2, NULL);
    unsigned int n0 = 0;
    for (int i = 0; i < 4; i++) {
        n0 += idle[i].pmd == 0;
    }
    assert_int_equal(n0, 2);
}

static void
test_check_mask(void **state)
{
    (void) state;
    char err[256];
    assert_int_equal(rxq_sched_check_mask(0x2, 0x3, 64, err, sizeof err),
                     0);
    assert_int_equal(rxq_sched_check_mask(0x3, 0x3, 64, err, sizeof err),
                     0);
    assert_int_equal(rxq_sched_check_mask(0, 0x3, 64, err, sizeof err),
                     -EINVAL);
    assert_non_null(strstr(err, "no core"));
    assert_int_equal(rxq_sched_check_mask(0x5, 0x3, 64, err, sizeof err),
                     -EINVAL);
    assert_non_null(strstr(err, "cores 0x4"));
    assert_int_equal(rxq_sched_check_mask(0xf, 0xff, 2, err, sizeof err),
                     -EINVAL);
    assert_non_null(strstr(err, "more than 2"));
}

static void
test_txq_shared(void **state)
{
    (void) state;
    bool used[8];
    memset(used, 0, sizeof used);
    used[0] = used[1] = true;           /* Control thread and one PMD. */
    assert_false(rxq_sched_txq_shared(used, 8, 2));
    assert_true(rxq_sched_txq_shared(used, 8, 1));
    used[2] = true;                     /* A second PMD: 3 senders. */
    assert_true(rxq_sched_txq_shared(used, 8, 2));
    assert_false(rxq_sched_txq_shared(used, 8, 3));
    /* The first PMD went (slot 1 free): slots 0 and 2 share queue 0 of
     * two, but not with 3 queues. */
    used[1] = false;
    assert_true(rxq_sched_txq_shared(used, 8, 2));
    assert_false(rxq_sched_txq_shared(used, 8, 3));
    /* More queues than slots: never shared. */
    memset(used, 1, sizeof used);
    assert_false(rxq_sched_txq_shared(used, 8, 8));
    assert_true(rxq_sched_txq_shared(used, 8, 7));
}

static void
test_parse_cpu_list(void **state)
{
    (void) state;
    uint64_t m;
    assert_int_equal(rxq_sched_parse_cpu_list("0-1\n", &m), 0);
    assert_int_equal(m, 0x3);
    assert_int_equal(rxq_sched_parse_cpu_list("0,2-3,8", &m), 0);
    assert_int_equal(m, 0x10d);
    assert_int_equal(rxq_sched_parse_cpu_list("5", &m), 0);
    assert_int_equal(m, 0x20);
    assert_int_equal(rxq_sched_parse_cpu_list("62-70", &m), 0);
    assert_true(m == (UINT64_C(3) << 62));
    assert_int_equal(rxq_sched_parse_cpu_list("", &m), 0);
    assert_int_equal(m, 0);
    assert_int_equal(rxq_sched_parse_cpu_list("x", &m), -EINVAL);
    assert_int_equal(rxq_sched_parse_cpu_list("3-1", &m), -EINVAL);
    assert_int_equal(rxq_sched_parse_cpu_list("1-", &m), -EINVAL);
    assert_int_equal(rxq_sched_parse_cpu_list("1;2", &m), -EINVAL);
}

static void
test_assign_pins_isolate(void **state)
{
    (void) state;
    /* PMDs on cores 2, 5, 7.  Queue 0 pinned to core 5, queue 3 to core
     * 7; the others go to core 2, the only PMD not isolated. */
    const unsigned int cores[3] = { 2, 5, 7 };
    struct rxq_sched_item items[5] = {
        { .cycles = 50 }, { .cycles = 10 }, { .cycles = 90 },
        { .cycles = 5 }, { .cycles = 30 },
    };
    const int pins[5] = { 5, -1, -1, 7, -1 };
    bool isolated[3];
    rxq_sched_assign(items, pins, 5, cores, NULL, 3, isolated);
    assert_int_equal(items[0].pmd, 1);
    assert_int_equal(items[3].pmd, 2);
    assert_int_equal(items[1].pmd, 0);
    assert_int_equal(items[2].pmd, 0);
    assert_int_equal(items[4].pmd, 0);
    assert_false(isolated[0]);
    assert_true(isolated[1]);
    assert_true(isolated[2]);

    /* Two queues pinned to one core share it. */
    const int both[5] = { 5, 5, -1, -1, -1 };
    rxq_sched_assign(items, both, 5, cores, NULL, 3, isolated);
    assert_int_equal(items[0].pmd, 1);
    assert_int_equal(items[1].pmd, 1);
    for (int i = 2; i < 5; i++) {
        assert_int_not_equal(items[i].pmd, 1);
        assert_true(items[i].pmd == 0 || items[i].pmd == 2);
    }
    assert_false(isolated[0]);
    assert_true(isolated[1]);
    assert_false(isolated[2]);
}

static void
test_assign_pin_to_missing_core(void **state)
{
    (void) state;
    /* Queue 1 pinned to core 9, where no PMD runs: it goes to a PMD like
     * an unpinned queue, and that PMD is not isolated. */
    const unsigned int cores[2] = { 0, 1 };
    struct rxq_sched_item items[3] = {
        { .cycles = 1 }, { .cycles = 1 }, { .cycles = 1 },
    };
    const int pins[3] = { 1, 9, -1 };
    bool isolated[2];
    rxq_sched_assign(items, pins, 3, cores, NULL, 2, isolated);
    assert_int_equal(items[0].pmd, 1);
    assert_int_equal(items[1].pmd, 0);
    assert_int_equal(items[2].pmd, 0);
    assert_false(isolated[0]);
    assert_true(isolated[1]);

    /* A pin to a PMD that is not kept counts as no pin either. */
    const bool keep[2] = { true, false };
    rxq_sched_assign(items, pins, 3, cores, keep, 2, isolated);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(items[i].pmd, 0);
    }
    assert_false(isolated[0]);
    assert_false(isolated[1]);
}

static void
test_assign_all_isolated_leaves_unpolled(void **state)
{
    (void) state;
    const unsigned int cores[2] = { 0, 1 };
    struct rxq_sched_item items[4] = {
        { .cycles = 1 }, { .cycles = 2 }, { .cycles = 3 }, { .cycles = 4 },
    };
    const int pins[4] = { 1, 0, -1, -1 };
    bool isolated[2];
    rxq_sched_assign(items, pins, 4, cores, NULL, 2, isolated);
    assert_int_equal(items[0].pmd, 1);
    assert_int_equal(items[1].pmd, 0);
    assert_int_equal(items[2].pmd, RXQ_SCHED_NONE);
    assert_int_equal(items[3].pmd, RXQ_SCHED_NONE);
    assert_true(isolated[0]);
    assert_true(isolated[1]);

    /* No pins: the same as rxq_sched_by_cycles. */
    struct rxq_sched_item plain[4], ref[4];
    for (int i = 0; i < 4; i++) {
        plain[i] = ref[i] = items[i];
    }
    rxq_sched_assign(plain, NULL, 4, cores, NULL, 2, isolated);
    rxq_sched_by_cycles(ref, 4, 2);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(plain[i].pmd, ref[i].pmd);
    }
    assert_false(isolated[0]);
    assert_false(isolated[1]);
}

static void
test_pick_eligible(void **state)
{
    (void) state;
    unsigned int counts[3] = { 0, 5, 2 };
    const bool some[3] = { false, true, true };
    const bool none[3] = { false, false, false };
    assert_int_equal(rxq_sched_pick_eligible(counts, some, 3), 2);
    assert_int_equal(rxq_sched_pick_eligible(counts, none, 3), -1);
}

static void
test_parse_affinity(void **state)
{
    (void) state;
    int cores[RXQ_SCHED_AFFINITY_MAX_QUEUES];
    char err[160];
    size_t n;

    assert_int_equal(rxq_sched_parse_affinity("0:3,1:7", cores, 16, &n,
                                              err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(cores[0], 3);
    assert_int_equal(cores[1], 7);

    /* Gaps are not pinned; blanks around numbers are allowed. */
    assert_int_equal(rxq_sched_parse_affinity(" 3 : 8 , 0:63", cores, 16,
                                              &n, err, sizeof err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(cores[0], 63);
    assert_int_equal(cores[1], -1);
    assert_int_equal(cores[2], -1);
    assert_int_equal(cores[3], 8);

    assert_int_equal(rxq_sched_parse_affinity("", cores, 16, &n, err,
                                              sizeof err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(cores[0], -1);
    assert_int_equal(rxq_sched_parse_affinity("  ", cores, 16, &n, err,
                                              sizeof err), 0);
    assert_int_equal(n, 0);

    static const char *const bad[] = {
        "0", "0:", ":1", "0:1,", ",0:1", "0:1,,1:2", "a:1", "0:b",
        "0:1;1:2", "0:1:2", "-1:2", "0:-2", "0:1 x", "0x1:2",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(rxq_sched_parse_affinity(bad[i], cores, 16, &n,
                                                  err, sizeof err), -EINVAL);
        assert_non_null(strstr(err, "is not QUEUE:CORE"));
    }

    err[0] = '\0';
    assert_int_equal(rxq_sched_parse_affinity("0:1,2:3,0:4", cores, 16, &n,
                                              err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "queue 0 is pinned twice"));
    err[0] = '\0';
    assert_int_equal(rxq_sched_parse_affinity("0:64", cores, 16, &n, err,
                                              sizeof err), -EINVAL);
    assert_non_null(strstr(err, "core id must be below 64"));
    assert_int_equal(rxq_sched_parse_affinity("1:99999999999999999999",
                                              cores, 16, &n, err,
                                              sizeof err), -EINVAL);
    assert_non_null(strstr(err, "core id must be below 64"));
    err[0] = '\0';
    assert_int_equal(rxq_sched_parse_affinity("16:1", cores, 16, &n, err,
                                              sizeof err), -EINVAL);
    assert_non_null(strstr(err, "queue id must be below 16"));
    assert_int_equal(rxq_sched_parse_affinity("15:1", cores, 16, &n, err,
                                              sizeof err), 0);
    assert_int_equal(n, 16);
    assert_int_equal(rxq_sched_parse_affinity("1023:0", cores,
                                              RXQ_SCHED_AFFINITY_MAX_QUEUES,
                                              &n, err, sizeof err), 0);
    assert_int_equal(n, 1024);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pick_round_robin),
        cmocka_unit_test(test_by_cycles_balances_load),
        cmocka_unit_test(test_by_cycles_equal_loads),
        cmocka_unit_test(test_by_cycles_single_pmd),
        cmocka_unit_test(test_reassign_when_pmds_go),
        cmocka_unit_test(test_check_mask),
        cmocka_unit_test(test_txq_shared),
        cmocka_unit_test(test_parse_cpu_list),
        cmocka_unit_test(test_assign_pins_isolate),
        cmocka_unit_test(test_assign_pin_to_missing_core),
        cmocka_unit_test(test_assign_all_isolated_leaves_unpolled),
        cmocka_unit_test(test_pick_eligible),
        cmocka_unit_test(test_parse_affinity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
