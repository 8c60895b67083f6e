/* Unit tests for pmd/dp, pmd/pmd and pmd/megaflow with a real PMD thread
 * (EAL without hugepages): megaflows installed, modified and deleted, the
 * command backlog, and that nothing a stalled PMD may still read is freed
 * before it moves on (run under AddressSanitizer by tools/check
 * --sanitize: a free too early is a use after free in the PMD), port
 * removal that does not wait, and a datapath destroyed with work still
 * waiting. */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pmd/actions.h"
#include "pmd/dp.h"
#include "pmd/flow.h"
#include "pmd/megaflow.h"
#include "pmd/pmd.h"
#include "pmd/port.h"
#include "src/util/dstr.h"
#include "tests/unit/eal_test.h"

static struct dp *dp;
static unsigned int pmd_core;

static int
group_setup(void **state)
{
    (void) state;
    /* Before EAL pins this thread to core 0: the PMD gets its own core
     * where there is one, so the two really run at once. */
    pmd_core = eal_test_pmd_core();
    return eal_test_init("test_dp");
}

static int
setup(void **state)
{
    (void) state;
    struct dstr err = DSTR_INIT;
    /* A sleeping PMD leaves the core to the test when they share it. */
    dp = dp_create(UINT64_C(1) << pmd_core, 20, &err);
    if (!dp) {
        fprintf(stderr, "dp_create: %s\n", dstr_cstr(&err));
    }
    dstr_free(&err);
    return dp ? 0 : -1;
}

static int
teardown(void **state)
{
    (void) state;
    dp_destroy(dp);
    dp = NULL;
    return 0;
}

static struct pmd_pending
pending(void)
{
    struct pmd_pending p;
    pmd_get_pending(dp_pmd(dp, 0), &p);
    return p;
}

/* Runs the reclaim pass until nothing waits (the PMD runs): at most 5 s. */
static void
drain(void)
{
    for (int i = 0; i < 50000; i++) {
        dp_reclaim(dp);
        struct pmd_pending p = pending();
        if (!p.frees && !p.backlog) {
            return;
        }
        usleep(100);
    }
    fail_msg("the PMD did not move on");
}

/* Installs 'n' megaflows exact on the IPv4 source 10.x.y.z, output to
 * port 0. */
static void
install(struct pmd *pmd, unsigned int n, uint32_t base)
{
    for (unsigned int i = 0; i < n; i++) {
        struct flow key, mask;
        memset(&key, 0, sizeof key);
        memset(&mask, 0, sizeof mask);
        key.in_port = 0;
        mask.in_port = UINT32_MAX;
        key.dl_type = htons(0x0800);
        mask.dl_type = UINT16_MAX;
        key.nw_src = htonl(0x0a000000 + base + i);
        mask.nw_src = UINT32_MAX;
        struct dp_actions *acts = dp_actions_new();
        assert_non_null(acts);
        assert_int_equal(dp_actions_add_output(&acts, 0), 0);
        assert_int_equal(megaflow_install(pmd, &key, &mask, acts, NULL), 0);
    }
}

static void
test_flush_waits_for_a_stalled_pmd(void **state)
{
    (void) state;
    struct pmd *pmd = dp_pmd(dp, 0);
    assert_non_null(pmd);
    install(pmd, 3000, 0);
    drain();
    assert_int_equal(megaflow_count(pmd), 3000);

    pmd_set_stall(pmd, true);
    usleep(20000);                  /* Let it enter the stall. */
    assert_int_equal(megaflow_flush(pmd), 3000);
    assert_int_equal(megaflow_count(pmd), 0);
    /* Nothing runs while it stalls, however often we try. */
    for (int i = 0; i < 100; i++) {
        dp_reclaim(dp);
    }
    struct pmd_pending p = pending();
    assert_true(p.frees >= 3000 / 256);
    assert_true(p.bytes > 3000 * 64);
    pmd_set_stall(pmd, false);
    drain();
    assert_int_equal(pending().frees, 0);
}

static void
test_commands_beyond_the_ring(void **state)
{
    (void) state;
    struct pmd *pmd = dp_pmd(dp, 0);
    pmd_set_stall(pmd, true);
    usleep(20000);
    install(pmd, 2500, 0);          /* The ring holds 1024. */
    struct pmd_pending p = pending();
    assert_true(p.backlog >= 2500 - 1024);
    assert_true(p.backlog_max >= p.backlog);
    /* Swapping actions under the stall: the old lists wait. */
    struct flow key, mask;
    memset(&key, 0, sizeof key);
    memset(&mask, 0, sizeof mask);
    key.dl_type = htons(0x0800);
    mask.dl_type = UINT16_MAX;
    mask.in_port = UINT32_MAX;
    key.nw_src = htonl(0x0a000000 + 7);
    mask.nw_src = UINT32_MAX;
    struct megaflow *mf = megaflow_find_exact(pmd, &key, &mask);
    assert_non_null(mf);
    megaflow_modify(pmd, mf, dp_actions_new(), true);
    assert_true(pending().frees >= 1);
    pmd_set_stall(pmd, false);
    drain();
    assert_int_equal(megaflow_count(pmd), 2500);
    assert_int_equal(megaflow_flush(pmd), 2500);
    drain();
}

/* The backlog taken in part while more commands come: what waits moves
 * to the front instead of the array growing for ever, and every command
 * still applies once, in order (the first version of this wrote through
 * a NULL array). */
static void
test_backlog_partly_taken(void **state)
{
    (void) state;
    struct pmd *pmd = dp_pmd(dp, 0);
    unsigned int total = 0;
    for (int round = 0; round < 4; round++) {
        pmd_set_stall(pmd, true);
        usleep(20000);
        install(pmd, 1400, total);
        total += 1400;
        pmd_set_stall(pmd, false);
        /* Let it take part of the backlog, then stall it again. */
        for (int i = 0; i < 2000; i++) {
            dp_reclaim(dp);
            if (pending().backlog < 150) {
                break;
            }
            usleep(50);
        }
    }
    drain();
    assert_int_equal(megaflow_count(pmd), total);
    struct pmd_pending p = pending();
    assert_int_equal(p.backlog, 0);
    assert_true(p.backlog_max >= 300);
    assert_int_equal(megaflow_flush(pmd), total);
    drain();
}

static void
test_port_removal_does_not_wait(void **state)
{
    (void) state;
    struct dstr err = DSTR_INIT;
    struct port_config cfg = { .name = "null0",
                               .devargs = "net_null0,no-rx=1" };
    int port_no = dp_port_add(dp, &cfg, &err);
    assert_true(port_no >= 0);
    install(dp_pmd(dp, 0), 10, 0);
    struct pmd *pmd = dp_pmd(dp, 0);
    pmd_set_stall(pmd, true);
    usleep(20000);
    assert_int_equal(dp_port_del(dp, "null0", &err), 0);
    assert_null(dp_port(dp, (uint32_t) port_no));
    /* The device is still open: a port of that device must wait. */
    assert_int_equal(dp_port_add(dp, &cfg, &err), -EBUSY);
    assert_non_null(strstr(dstr_cstr(&err), "does not answer"));
    pmd_set_stall(pmd, false);
    drain();
    dstr_clear(&err);
    port_no = dp_port_add(dp, &cfg, &err);
    assert_true(port_no >= 0);
    /* Removed and added again at once (a device swap): the add waits for
     * the removal, which a running PMD finishes at once. */
    assert_int_equal(dp_port_del(dp, "null0", &err), 0);
    assert_true(dp_port_add(dp, &cfg, &err) >= 0);
    dstr_free(&err);
}

static void
test_destroy_with_work_waiting(void **state)
{
    (void) state;
    struct dstr err = DSTR_INIT;
    struct port_config cfg = { .name = "null1",
                               .devargs = "net_null1,no-rx=1" };
    assert_true(dp_port_add(dp, &cfg, &err) >= 0);
    struct pmd *pmd = dp_pmd(dp, 0);
    install(pmd, 600, 0);
    pmd_set_stall(pmd, true);
    usleep(20000);
    megaflow_flush(pmd);
    assert_int_equal(dp_port_del(dp, "null1", &err), 0);
    assert_true(pending().frees > 0);
    /* teardown() destroys the datapath: the PMD stops and everything
     * that waited for it runs (the sanitizers see a leak otherwise). */
    dstr_free(&err);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_flush_waits_for_a_stalled_pmd),
        T(test_commands_beyond_the_ring),
        T(test_backlog_partly_taken),
        T(test_port_removal_does_not_wait),
        T(test_destroy_with_work_waiting),
    };
    return cmocka_run_group_tests(tests, group_setup, eal_test_teardown);
}
