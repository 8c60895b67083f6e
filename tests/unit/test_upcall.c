/* Unit tests for ofproto/upcall: misses from a real PMD thread (EAL
 * without hugepages) are translated once through a provider the test
 * registers (ofproto/xlate.h) and counts, installed in the PMD that
 * missed (its later packets hit there and never come up) and executed by
 * the control thread; a failed install (flow limit) still executes and
 * counts the packet without translating it again; a NULL or empty
 * translation drops and counts, a failed one counts a translation error;
 * userspace-action packets from the control thread and from the PMD are
 * counted; recirculation, in the control thread and then in the PMD,
 * with its depth bounded; revalidation keeps, modifies or deletes
 * megaflows as the provider's changed answer requires, and the PMD then
 * forwards by the new answer; actions swapped by revalidation while the
 * PMD forwards reach every packet old or new and are never freed under
 * it (a list freed before the PMD moved on is a use after free under
 * AddressSanitizer: tools/check --sanitize).
 *
 * Packets enter through a lone net_ring port (what the test sends on its
 * tx queue 0 comes back on rx queue 0, which the PMD polls) and leave
 * through net_null ports; what left is read from the sending threads' tx
 * counters.  Every test ends with every mbuf back in the pool. */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ofproto/upcall.h"
#include "ofproto/xlate.h"
#include "pmd/actions.h"
#include "pmd/dp.h"
#include "pmd/flow.h"
#include "pmd/megaflow.h"
#include "pmd/packet.h"
#include "pmd/pipeline.h"
#include "pmd/pmd.h"
#include "pmd/pmd_private.h"
#include "pmd/port.h"
#include "pmd/shared.h"
#include "pmd/tx.h"
#include "src/util/dstr.h"
#include "src/util/loop.h"
#include "tests/unit/dp_test.h"
#include "tests/unit/eal_test.h"
#include "tests/unit/udp_mbuf.h"

#define N_MBUFS 2047

static struct rte_mempool *pool;
static unsigned int pmd_core;
static struct dp *dp;
static struct pmd *pmd;
static uint32_t port_in, port_out, port_out2;
static uint16_t eth_in;
static struct upcall_stats base;   /* upcall_get_stats() at set-up. */

/* The test's translation: every answer counted. */
enum answer {
    ANSWER_OUTPUT,          /* Output to 'xl.port'. */
    ANSWER_NULL,            /* No action list at all. */
    ANSWER_EMPTY,           /* An empty list. */
    ANSWER_ERROR,           /* -EIO. */
    ANSWER_USERSPACE,       /* userspace(cookie=5). */
    ANSWER_TAG,             /* Set the Ethernet destination, output to
                             * 'xl.port' (not a plain output). */
    ANSWER_RECIRC,          /* recirc(N + 1) for a packet on pass N below
                             * 'xl.recirc_until', then output. */
};
static struct {
    enum answer answer;
    uint32_t port;
    bool wide;              /* Looks at nw_dst too. */
    uint32_t recirc_until;
    unsigned int calls;
    uint64_t tags;          /* Given to every translation (0: none). */
} xl;

static int
provider(const struct flow *flow, struct xlate_out *out, void *aux)
{
    assert_ptr_equal(aux, &xl);
    xl.calls++;
    out->tags = xl.tags;
    out->mask.dl_type = UINT16_MAX;
    out->mask.nw_src = UINT32_MAX;
    if (xl.wide) {
        out->mask.nw_dst = UINT32_MAX;
    }
    switch (xl.answer) {
    case ANSWER_OUTPUT:
        out->actions = dp_actions_new();
        assert_non_null(out->actions);
        assert_int_equal(dp_actions_add_output(&out->actions, xl.port), 0);
        return 0;
    case ANSWER_NULL:
        out->actions = NULL;
        return 0;
    case ANSWER_EMPTY:
        out->actions = dp_actions_new();
        return 0;
    case ANSWER_ERROR:
        return -EIO;
    case ANSWER_USERSPACE:
        out->actions = dp_actions_new();
        assert_int_equal(dp_actions_add_userspace(&out->actions, 5), 0);
        return 0;
    case ANSWER_RECIRC:
        out->actions = dp_actions_new();
        if (flow->recirc_id < xl.recirc_until) {
            assert_int_equal(dp_actions_add_recirc(&out->actions,
                                                   flow->recirc_id + 1), 0);
        } else {
            assert_int_equal(dp_actions_add_output(&out->actions, xl.port),
                             0);
        }
        return 0;
    case ANSWER_TAG: {
        struct rewrite_eth key, mask;
        memset(&key, 0, sizeof key);
        memset(&mask, 0, sizeof mask);
        key.dst[5] = 0xbb;
        mask.dst[5] = 0xff;
        out->actions = dp_actions_new();
        assert_int_equal(dp_actions_add_set_eth(&out->actions, &key, &mask),
                         0);
        assert_int_equal(dp_actions_add_output(&out->actions, xl.port), 0);
        return 0;
    }
    }
    return -EINVAL;
}

static int
group_setup(void **state)
{
    (void) state;
    pmd_core = eal_test_pmd_core();
    if (eal_test_init("test_upcall")) {
        return -1;
    }
    pool = rte_pktmbuf_pool_create("test_upcall", N_MBUFS, 0,
                                   PACKET_PRIV_SIZE,
                                   RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    if (!pool || xlate_add_provider(provider, &xl)) {
        return -1;
    }
    return 0;
}

static int
group_teardown(void **state)
{
    xlate_remove_provider(provider, &xl);
    rte_mempool_free(pool);
    return eal_test_teardown(state);
}

static uint32_t
add_port(const char *name, const char *devargs)
{
    int port_no = dp_test_add_port(dp, name, devargs);
    assert_true(port_no >= 0);
    return (uint32_t) port_no;
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
        dstr_free(&err);
        return -1;
    }
    dstr_free(&err);
    pmd = dp_pmd(dp, 0);
    port_in = add_port("in", "net_ring0");
    port_out = add_port("out", "net_null0,no-rx=1");
    port_out2 = add_port("out2", "net_null1,no-rx=1");
    eth_in = dp_port(dp, port_in)->port_id;
    assert_int_equal(dp_sync(dp), 0);   /* The PMD polls "in". */
    xl.answer = ANSWER_OUTPUT;
    xl.port = port_out;
    xl.wide = false;
    xl.calls = 0;
    xl.tags = 0;
    base = *upcall_get_stats();
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    upcall_run(dp, UINT32_MAX);
    dp_destroy(dp);
    dp = NULL;
    pmd = NULL;
    assert_int_equal(rte_mempool_avail_count(pool), N_MBUFS);
    return 0;
}

/* What the upcall counters gained since set-up. */
#define DELTA(FIELD) (upcall_get_stats()->FIELD - base.FIELD)

/* Packets the control thread and the PMD sent to 'port_no'. */
static uint64_t
control_sent(uint32_t port_no)
{
    return dp_control_tx(dp)->stats[port_no].packets;
}

static uint64_t
pmd_sent(uint32_t port_no)
{
    return SHARED_READ(pmd->tx.stats[port_no].packets);
}

/* Sends 'n' packets from 'nw_src' into the PMD in one burst. */
static void
inject(uint32_t nw_src, uint16_t n)
{
    struct rte_mbuf *pkts[32];
    assert_true(n <= 32);
    for (uint16_t i = 0; i < n; i++) {
        pkts[i] = udp_mbuf(pool, nw_src, i);
    }
    assert_int_equal(rte_eth_tx_burst(eth_in, 0, pkts, n), n);
}

/* Waits (at most 5 s) until '*counter' of the PMD reaches 'want'. */
static void
wait_for(const uint64_t *counter, uint64_t want)
{
    for (int i = 0; i < 50000; i++) {
        if (__atomic_load_n(counter, __ATOMIC_RELAXED) >= want) {
            return;
        }
        usleep(100);
    }
    fail_msg("the PMD did not get there: %lu, not %lu",
             (unsigned long) __atomic_load_n(counter, __ATOMIC_RELAXED),
             (unsigned long) want);
}

/* Waits for the PMD to have sent 'want' packets to 'port_no'. */
static void
wait_pmd_sent(uint32_t port_no, uint64_t want)
{
    wait_for(&pmd->tx.stats[port_no].packets, want);
}

/* Five misses of one flow queued before its megaflow exists: one
 * translation, one megaflow, five packets out.  The megaflow is in the
 * PMD that missed: its later packets go out from there, with no upcall
 * and no translation. */
static void
test_miss_translated_once(void **state)
{
    (void) state;
    inject(0x0a000001, 5);
    wait_for(&pmd->stats.upcalls, 5);
    assert_int_equal(upcall_run(dp, 1000), 5);
    assert_int_equal(xl.calls, 1);
    assert_int_equal(DELTA(handled), 5);
    assert_int_equal(DELTA(translated), 1);
    assert_int_equal(DELTA(covered), 4);
    assert_int_equal(DELTA(installed), 1);
    assert_int_equal(DELTA(dropped), 0);
    assert_int_equal(control_sent(port_out), 5);
    assert_int_equal(megaflow_count(pmd), 1);

    assert_int_equal(dp_sync(dp), 0);
    inject(0x0a000001, 3);
    wait_pmd_sent(port_out, 3);
    assert_int_equal(SHARED_READ(pmd->stats.upcalls), 5);
    assert_int_equal(SHARED_READ(pmd->stats.megaflow_hits), 3);
    assert_int_equal(upcall_run(dp, 1000), 0);
    assert_int_equal(xl.calls, 1);
    assert_int_equal(control_sent(port_out), 5);

    /* Another flow misses again and gets its own megaflow. */
    inject(0x0a000002, 1);
    wait_for(&pmd->stats.upcalls, 6);
    assert_int_equal(upcall_run(dp, 1000), 1);
    assert_int_equal(xl.calls, 2);
    assert_int_equal(megaflow_count(pmd), 2);
    assert_int_equal(control_sent(port_out), 6);
}

/* At the flow limit: every packet is still translated once, executed and
 * counted, and nothing is installed. */
static void
test_flow_limit_still_executes(void **state)
{
    (void) state;
    struct dstr err = DSTR_INIT;
    assert_int_equal(dp_set_flow_limit(dp, 1, &err), 0);
    dstr_free(&err);
    inject(0x0a000001, 1);
    wait_for(&pmd->stats.upcalls, 1);
    assert_int_equal(upcall_run(dp, 1000), 1);
    assert_int_equal(DELTA(installed), 1);

    inject(0x0a000002, 3);
    wait_for(&pmd->stats.upcalls, 4);
    assert_int_equal(upcall_run(dp, 1000), 3);
    assert_int_equal(DELTA(flow_limit), 3);
    assert_int_equal(DELTA(installed), 1);
    assert_int_equal(DELTA(translated), 4);
    assert_int_equal(xl.calls, 4);          /* Once per packet, no more. */
    assert_int_equal(DELTA(dropped), 0);
    assert_int_equal(DELTA(xlate_errors), 0);
    assert_int_equal(control_sent(port_out), 4);
    assert_int_equal(megaflow_count(pmd), 1);
}

/* A translation with no actions or an empty list drops the packet and
 * counts it (and installs the drop: the PMD drops the next packets
 * itself); a failed translation counts an error and installs nothing. */
static void
test_drop_translations(void **state)
{
    (void) state;
    xl.answer = ANSWER_NULL;
    inject(0x0a000001, 1);
    wait_for(&pmd->stats.upcalls, 1);
    assert_int_equal(upcall_run(dp, 1000), 1);
    assert_int_equal(DELTA(dropped), 1);
    assert_int_equal(DELTA(installed), 1);

    xl.answer = ANSWER_EMPTY;
    inject(0x0a000002, 1);
    wait_for(&pmd->stats.upcalls, 2);
    assert_int_equal(upcall_run(dp, 1000), 1);
    assert_int_equal(DELTA(dropped), 2);
    assert_int_equal(DELTA(installed), 2);

    xl.answer = ANSWER_ERROR;
    inject(0x0a000003, 2);
    wait_for(&pmd->stats.upcalls, 4);
    assert_int_equal(upcall_run(dp, 1000), 2);
    assert_int_equal(DELTA(xlate_errors), 2);
    assert_int_equal(DELTA(dropped), 2);
    assert_int_equal(DELTA(installed), 2);
    assert_int_equal(megaflow_count(pmd), 2);
    assert_int_equal(control_sent(port_out), 0);

    /* The installed drops work in the PMD. */
    assert_int_equal(dp_sync(dp), 0);
    inject(0x0a000001, 2);
    inject(0x0a000002, 2);
    wait_for(&pmd->stats.packets_dropped, 4);
    assert_int_equal(SHARED_READ(pmd->stats.upcalls), 4);
    assert_int_equal(xl.calls, 4);
}

/* A userspace action: the miss's own packet is executed by the control
 * thread (its userspace hook counts it); later packets hit the megaflow
 * in the PMD, come up as userspace upcalls and are counted, with no
 * translation. */
static void
test_userspace_packets(void **state)
{
    (void) state;
    xl.answer = ANSWER_USERSPACE;
    inject(0x0a000001, 1);
    wait_for(&pmd->stats.upcalls, 1);
    assert_int_equal(upcall_run(dp, 1000), 1);
    assert_int_equal(DELTA(userspace), 1);
    assert_int_equal(DELTA(installed), 1);

    assert_int_equal(dp_sync(dp), 0);
    inject(0x0a000001, 3);
    wait_for(&pmd->stats.userspace, 3);
    assert_int_equal(upcall_run(dp, 1000), 3);
    assert_int_equal(DELTA(userspace), 4);
    assert_int_equal(DELTA(handled), 1);
    assert_int_equal(xl.calls, 1);
    assert_int_equal(DELTA(dropped), 0);
}

static struct megaflow *
only_megaflow(void)
{
    struct megaflow_table *t = megaflow_table(pmd);
    assert_int_equal(t->n_flows, 1);
    return t->all;
}

/* Revalidation with the provider's answer changed: the same answer
 * keeps the megaflow as it is; other actions under the same mask modify
 * it (and the PMD forwards by them); an answer that looks at more than
 * the megaflow matches on, or an error, deletes it (and its packets miss
 * again). */
static void
test_revalidate(void **state)
{
    (void) state;
    inject(0x0a000001, 1);
    wait_for(&pmd->stats.upcalls, 1);
    assert_int_equal(upcall_run(dp, 1000), 1);
    struct megaflow *mf = only_megaflow();
    const struct dp_actions *acts = mf->actions;
    unsigned int calls = xl.calls;

    /* Same answer: kept, the very same list. */
    assert_int_equal(upcall_revalidate(dp), 0);
    assert_int_equal(xl.calls, calls + 1);
    assert_int_equal(DELTA(revalidated), 0);
    assert_int_equal(DELTA(invalidated), 0);
    assert_ptr_equal(only_megaflow(), mf);
    assert_ptr_equal(mf->actions, acts);

    /* Another port: modified in place. */
    xl.port = port_out2;
    assert_int_equal(upcall_revalidate(dp), 0);
    assert_int_equal(DELTA(revalidated), 1);
    assert_int_equal(DELTA(invalidated), 0);
    assert_ptr_equal(only_megaflow(), mf);
    assert_int_equal(mf->fate, (int32_t) port_out2);
    assert_true(dp_actions_outputs_to(mf->actions, port_out2));
    assert_int_equal(dp_sync(dp), 0);
    inject(0x0a000001, 2);
    wait_pmd_sent(port_out2, 2);
    assert_int_equal(pmd_sent(port_out), 0);
    assert_int_equal(SHARED_READ(pmd->stats.upcalls), 1);

    /* The answer now depends on a field the megaflow wildcards. */
    xl.wide = true;
    assert_int_equal(upcall_revalidate(dp), 1);
    assert_int_equal(DELTA(invalidated), 1);
    assert_int_equal(megaflow_count(pmd), 0);
    dp_sync(dp);
    inject(0x0a000001, 1);
    wait_for(&pmd->stats.upcalls, 2);
    assert_int_equal(upcall_run(dp, 1000), 1);
    assert_int_equal(megaflow_count(pmd), 1);
    assert_int_equal(control_sent(port_out2), 1);

    /* A translation error: deleted. */
    xl.answer = ANSWER_ERROR;
    assert_int_equal(upcall_revalidate(dp), 1);
    assert_int_equal(DELTA(invalidated), 2);
    assert_int_equal(DELTA(revalidated), 1);
    assert_int_equal(megaflow_count(pmd), 0);
}

/* Sliced revalidation by tags: a change to what no megaflow depended on
 * translates nothing; one that they depend on revisits them all, 512 per
 * PMD per loop iteration, and they take the new answer. */
static void
test_revalidate_tags(void **state)
{
    (void) state;
    enum { N = 1100 };
    struct loop *loop = loop_create();
    assert_non_null(loop);
    upcall_start(dp, loop);
    xl.tags = UINT64_C(1) << 3;
    for (uint32_t i = 0; i < N; i++) {
        struct flow key, mask;
        memset(&key, 0, sizeof key);
        memset(&mask, 0, sizeof mask);
        key.in_port = port_in;
        key.dl_type = htons(0x0800);
        key.nw_src = htonl(0x0a000000 + i);
        mask.dl_type = UINT16_MAX;
        mask.in_port = UINT32_MAX;
        mask.recirc_id = UINT32_MAX;
        mask.nw_src = UINT32_MAX;
        struct dp_actions *acts = dp_actions_new();
        assert_int_equal(dp_actions_add_output(&acts, port_out), 0);
        struct megaflow *mf;
        assert_int_equal(megaflow_install(pmd, &key, &mask, acts, &mf), 0);
        mf->xlate_tags = xl.tags;
    }
    assert_int_equal(megaflow_count(pmd), N);

    /* Another tag changed: none is translated again. */
    upcall_revalidate_tags(dp, UINT64_C(1) << 5);
    for (int i = 0; i < 1000 && upcall_revalidating(); i++) {
        loop_run_once(loop, 10);
    }
    assert_false(upcall_revalidating());
    assert_int_equal(xl.calls, 0);
    assert_int_equal(DELTA(reval_passes), 1);

    /* Theirs changed: every one, in slices, takes the new answer. */
    xl.port = port_out2;
    upcall_revalidate_tags(dp, UINT64_C(1) << 3 | UINT64_C(1) << 9);
    unsigned int iterations = 0;
    while (upcall_revalidating() && iterations < 1000) {
        loop_run_once(loop, 10);
        iterations++;
    }
    assert_false(upcall_revalidating());
    assert_int_equal(xl.calls, N);
    assert_int_equal(DELTA(revalidated), N);
    assert_int_equal(DELTA(reval_passes), 2);
    assert_true(DELTA(reval_slices) >= (N + 511) / 512 + 1);
    for (struct megaflow *mf = megaflow_table(pmd)->all; mf; mf = mf->next) {
        assert_int_equal(mf->fate, (int32_t) port_out2);
    }
    upcall_stop();
    loop_destroy(loop);
}

/* Revalidation swapping a megaflow's actions again and again while the
 * PMD forwards its packets, the old lists freed as the PMD moves on
 * (dp_reclaim; under AddressSanitizer a list freed too early is a use
 * after free): every packet leaves by the old list or the new one, none
 * is dropped or comes up. */
static void
test_actions_swapped_under_traffic(void **state)
{
    (void) state;
    inject(0x0a000001, 1);
    wait_for(&pmd->stats.upcalls, 1);
    assert_int_equal(upcall_run(dp, 1000), 1);
    assert_int_equal(dp_sync(dp), 0);

    uint64_t injected = 0;
    unsigned int swaps = 0;
    for (int round = 0; round < 400; round++) {
        struct rte_mbuf *pkts[32];
        for (uint16_t i = 0; i < 32; i++) {
            pkts[i] = udp_mbuf(pool, 0x0a000001, i);
        }
        uint16_t k = rte_eth_tx_burst(eth_in, 0, pkts, 32);
        rte_pktmbuf_free_bulk(pkts + k, 32 - k);
        injected += k;
        /* Plain output to "out" <-> tag and output to "out2". */
        bool tag = round & 1;
        xl.answer = tag ? ANSWER_TAG : ANSWER_OUTPUT;
        xl.port = tag ? port_out2 : port_out;
        upcall_revalidate(dp);
        swaps += round > 0;         /* Round 0 answers as installed. */
        dp_reclaim(dp);
        if (!(round % 16)) {
            usleep(200);            /* Let the PMD drain the ring. */
        }
    }
    for (int i = 0; i < 50000; i++) {
        if (pmd_sent(port_out) + pmd_sent(port_out2) >= injected) {
            break;
        }
        usleep(100);
    }
    assert_int_equal(pmd_sent(port_out) + pmd_sent(port_out2), injected);
    assert_int_equal(SHARED_READ(pmd->stats.packets_dropped), 0);
    assert_int_equal(SHARED_READ(pmd->stats.upcalls), 1);
    assert_int_equal(DELTA(revalidated), swaps);
    assert_int_equal(DELTA(invalidated), 0);
    assert_int_equal(megaflow_count(pmd), 1);
    print_message("%lu packets: %lu by the plain output, %lu tagged, "
                  "%u swaps\n", (unsigned long) injected,
                  (unsigned long) pmd_sent(port_out),
                  (unsigned long) pmd_sent(port_out2), swaps);
}

/* Recirculation: the miss's packet passes through translation once per
 * pass in the control thread and leaves once; a megaflow is installed per
 * pass, and the PMD then takes later packets through all passes itself.
 * A packet recirculated beyond PIPELINE_MAX_RECIRC passes is dropped and
 * counted. */
static void
test_recirculation(void **state)
{
    (void) state;
    xl.answer = ANSWER_RECIRC;
    xl.recirc_until = 2;
    inject(0x0a000001, 1);
    wait_for(&pmd->stats.upcalls, 1);
    assert_int_equal(upcall_run(dp, 1000), 1);
    assert_int_equal(xl.calls, 3);
    assert_int_equal(DELTA(installed), 3);
    assert_int_equal(DELTA(recirc_too_deep), 0);
    assert_int_equal(control_sent(port_out), 1);

    assert_int_equal(dp_sync(dp), 0);
    inject(0x0a000001, 4);
    wait_pmd_sent(port_out, 4);
    assert_int_equal(SHARED_READ(pmd->stats.recirculations), 8);
    assert_int_equal(SHARED_READ(pmd->stats.upcalls), 1);
    assert_int_equal(xl.calls, 3);

    xl.recirc_until = UINT32_MAX;
    inject(0x0a000002, 1);
    wait_for(&pmd->stats.upcalls, 2);
    assert_int_equal(upcall_run(dp, 1000), 1);
    assert_int_equal(DELTA(recirc_too_deep), 1);
    assert_int_equal(xl.calls, 3 + PIPELINE_MAX_RECIRC + 1);
    assert_int_equal(control_sent(port_out), 1);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_miss_translated_once),
        T(test_flow_limit_still_executes),
        T(test_drop_translations),
        T(test_userspace_packets),
        T(test_revalidate),
        T(test_revalidate_tags),
        T(test_recirculation),
        T(test_actions_swapped_under_traffic),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
