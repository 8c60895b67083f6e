/* Unit tests for pmd/reclaim: deferred frees run in order, only once due,
 * all at once when the PMD is gone; counters; out of memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "pmd/reclaim.h"

/* What a fake PMD has done: the token it last reported and the commands
 * it has applied. */
struct fake_pmd {
    uint64_t qs_token;
    uint64_t cmd_done;
};

static bool
fake_due(void *aux, uint64_t token, uint64_t cmd_seq)
{
    const struct fake_pmd *p = aux;
    return p->qs_token >= token && p->cmd_done >= cmd_seq;
}

static int order[16];
static int n_order;

static void
record(void *arg)
{
    order[n_order++] = (int) (intptr_t) arg;
}

static void
test_runs_in_order_when_due(void **state)
{
    (void) state;
    struct reclaim_queue q;
    struct fake_pmd p = { 0, 0 };
    reclaim_init(&q);
    n_order = 0;

    assert_int_equal(reclaim_defer(&q, 1, 0, 100, record, (void *) 1, 10),
                     0);
    assert_int_equal(reclaim_defer(&q, 2, 5, 200, record, (void *) 2, 20),
                     0);
    assert_int_equal(reclaim_defer(&q, 3, 5, 300, record, (void *) 3, 30),
                     0);
    assert_int_equal(q.n_pending, 3);
    assert_int_equal(q.bytes_pending, 60);
    assert_int_equal(reclaim_oldest(&q), 100);

    /* No quiescent state yet: nothing runs. */
    assert_int_equal(reclaim_run(&q, fake_due, &p), 0);
    /* Quiescent after token 2, but commands not applied: only the first. */
    p.qs_token = 2;
    assert_int_equal(reclaim_run(&q, fake_due, &p), 1);
    assert_int_equal(n_order, 1);
    assert_int_equal(reclaim_oldest(&q), 200);
    /* Commands applied: the second; the third needs token 3. */
    p.cmd_done = 5;
    assert_int_equal(reclaim_run(&q, fake_due, &p), 1);
    p.qs_token = 3;
    assert_int_equal(reclaim_run(&q, fake_due, &p), 1);
    assert_int_equal(n_order, 3);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 3);
    assert_int_equal(q.n_pending, 0);
    assert_int_equal(q.bytes_pending, 0);
    assert_int_equal(q.n_deferred, 3);
    assert_int_equal(q.n_run, 3);
    assert_int_equal(reclaim_oldest(&q), 0);
    /* Empty: nothing to do, and the queue takes more. */
    assert_int_equal(reclaim_run(&q, fake_due, &p), 0);
    assert_int_equal(reclaim_defer(&q, 4, 5, 400, record, (void *) 4, 0),
                     0);
    p.qs_token = 4;
    assert_int_equal(reclaim_run(&q, fake_due, &p), 1);
    assert_int_equal(order[3], 4);
}

static void
test_an_early_item_blocks_later_ones(void **state)
{
    (void) state;
    struct reclaim_queue q;
    struct fake_pmd p = { 10, 0 };
    reclaim_init(&q);
    n_order = 0;
    /* The first waits for a command the PMD has not applied: later items
     * (whose tokens the PMD passed) wait behind it, as their commands
     * come after it. */
    reclaim_defer(&q, 1, 1, 0, record, (void *) 1, 0);
    reclaim_defer(&q, 2, 1, 0, record, (void *) 2, 0);
    assert_int_equal(reclaim_run(&q, fake_due, &p), 0);
    p.cmd_done = 1;
    assert_int_equal(reclaim_run(&q, fake_due, &p), 2);
}

static void
test_run_all_when_the_pmd_is_gone(void **state)
{
    (void) state;
    struct reclaim_queue q;
    reclaim_init(&q);
    n_order = 0;
    for (int i = 0; i < 5; i++) {
        reclaim_defer(&q, (uint64_t) i + 100, 1000, 0, record,
                      (void *) (intptr_t) i, 1);
    }
    assert_int_equal(reclaim_run_all(&q), 5);
    assert_int_equal(n_order, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(order[i], i);
    }
    assert_int_equal(q.n_pending, 0);
}

static void
test_frees_memory(void **state)
{
    (void) state;
    struct reclaim_queue q;
    struct fake_pmd p = { 0, 0 };
    reclaim_init(&q);
    /* Under the sanitizers: a leak if never run, a double free if run
     * twice. */
    for (int i = 0; i < 1000; i++) {
        void *mem = malloc(64);
        assert_non_null(mem);
        reclaim_defer(&q, (uint64_t) i + 1, 0, 0, free, mem, 64);
    }
    assert_int_equal(q.bytes_pending, 64000);
    p.qs_token = 500;
    assert_int_equal(reclaim_run(&q, fake_due, &p), 500);
    p.qs_token = 1000;
    assert_int_equal(reclaim_run(&q, fake_due, &p), 500);
    assert_int_equal(reclaim_run(&q, fake_due, &p), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_in_order_when_due),
        cmocka_unit_test(test_an_early_item_blocks_later_ones),
        cmocka_unit_test(test_run_all_when_the_pmd_is_gone),
        cmocka_unit_test(test_frees_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
