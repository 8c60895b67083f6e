/* Unit tests for pmd/pipeline: a batch's way through key extraction, the
 * EMC, the megaflow classifier, the upcall ring for misses, grouping by
 * megaflow and the actions, with the counters of each outcome (and the
 * megaflows' packets, bytes and TCP flags); recirculated batches; the
 * metadata-only shortcut; misses beyond the upcall ring and the rate
 * limit; batches larger than PIPELINE_BATCH; megaflows whose actions are
 * swapped while packets go through.
 *
 * pipeline_process() is driven directly, in the test's thread, on a
 * struct pmd set up here as pmd_start() would (pmd_private.h) but with
 * no thread, and megaflows inserted into its classifier as the PMD does
 * when it applies an install.  Why: with no thread between the test and
 * the pipeline, every batch is exactly the one the test built (a real PMD
 * cuts rx bursts as the device delivers them), every counter and the
 * upcall ring can be read at once with exact values, and the EMC's
 * on/off policy can be pinned, so the tests check exact outcomes without
 * waiting or timing.  Real megaflow installation and deferred frees with
 * a PMD thread are test_dp.c's.  Output ports are lone net_ring ports of
 * a datapath without PMDs: what the pipeline sends loops back to their
 * rx queue, which nobody polls but the test.  The swap test runs a second
 * thread that publishes action lists as megaflow.c does (fate, then the
 * list with release) while the test's thread runs batches. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "pmd/actions.h"
#include "pmd/dp.h"
#include "pmd/dpcls.h"
#include "pmd/emc.h"
#include "pmd/flow.h"
#include "pmd/megaflow.h"
#include "pmd/packet.h"
#include "pmd/pipeline.h"
#include "pmd/pmd.h"
#include "pmd/pmd_private.h"
#include "pmd/port.h"
#include "pmd/shared.h"
#include "pmd/upcall_ring.h"
#include "src/util/dstr.h"
#include "tests/unit/dp_test.h"
#include "tests/unit/eal_test.h"
#include "tests/unit/udp_mbuf.h"

#define N_MBUFS 2047
#define IN_PORT 7               /* Packets "arrive" here (no such port). */
#define UPCALL_RING_SIZE 16     /* Holds 15. */

static struct rte_mempool *pool;
static struct dp *dp;
static struct pmd *pmd;
static uint32_t port_a, port_b;
static uint16_t eth_a, eth_b;

/* Megaflows the test inserted, freed at teardown. */
#define MAX_FLOWS 64
static struct megaflow *flows[MAX_FLOWS];
static unsigned int n_flows;
static struct dp_actions *spare_lists[8];
static unsigned int n_spare;

/* What a userspace action sent up. */
static unsigned int n_userspace;

static void
hook_userspace(struct dp_exec_ctx *ctx, struct rte_mbuf *pkt,
               uint32_t cookie)
{
    (void) ctx;
    (void) cookie;
    n_userspace++;
    rte_pktmbuf_free(pkt);
}

static int
group_setup(void **state)
{
    (void) state;
    if (eal_test_init("test_pipeline")) {
        return -1;
    }
    pool = rte_pktmbuf_pool_create("test_pipeline", N_MBUFS, 0,
                                   PACKET_PRIV_SIZE,
                                   RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    return pool ? 0 : -1;
}

static int
group_teardown(void **state)
{
    rte_mempool_free(pool);
    return eal_test_teardown(state);
}

static uint32_t
add_port(const char *name, const char *devargs, uint16_t *eth)
{
    int port_no = dp_test_add_port(dp, name, devargs);
    assert_true(port_no >= 0);
    *eth = dp_port(dp, (uint32_t) port_no)->port_id;
    return (uint32_t) port_no;
}

/* A PMD as pmd_start() sets one up, without its thread and command ring:
 * the test is the PMD. */
static int
setup(void **state)
{
    (void) state;
    struct dstr err = DSTR_INIT;
    dp = dp_create(0, 0, &err);
    dstr_free(&err);
    if (!dp) {
        return -1;
    }
    port_a = add_port("a", "net_ring0", &eth_a);
    port_b = add_port("b", "net_ring1", &eth_b);

    pmd = rte_zmalloc("test_pmd", sizeof *pmd, RTE_CACHE_LINE_SIZE);
    assert_non_null(pmd);
    pmd->dp = dp;
    pmd->slot = 1;
    tx_ctx_init(&pmd->tx, dp, 1);
    pmd->exec.tx = &pmd->tx;
    pmd->exec.userspace = hook_userspace;
    pmd->exec.aux = pmd;
    dpcls_init(&pmd->cls);
    assert_int_equal(emc_init(&pmd->emc, 0, 1), 0);
    /* The EMC's policy is the test's: off unless a test turns it on. */
    pmd->emc.policy.active = false;
    pmd->emc.policy.next_check = UINT64_MAX;
    pmd->upcall_ring = rte_ring_create_elem("test_pipeline_up",
                                            sizeof(struct upcall_msg),
                                            UPCALL_RING_SIZE, SOCKET_ID_ANY,
                                            RING_F_SP_ENQ | RING_F_SC_DEQ);
    assert_non_null(pmd->upcall_ring);
    pmd->upcall_limit.rate = 0;         /* Unlimited. */
    n_flows = 0;
    n_spare = 0;
    n_userspace = 0;
    return 0;
}

/* Takes what ports a and b sent; returns how many. */
static unsigned int
take_sent(uint16_t eth, struct rte_mbuf **pkts, unsigned int max)
{
    unsigned int n = 0;
    while (n < max) {
        uint16_t k = rte_eth_rx_burst(eth, 0, pkts + n,
                                      (uint16_t) (max - n < 32 ? max - n
                                                                : 32));
        if (!k) {
            break;
        }
        n += k;
    }
    return n;
}

static void
drop_sent(void)
{
    struct rte_mbuf *pkts[64];
    unsigned int n;
    while ((n = take_sent(eth_a, pkts, 64))) {
        rte_pktmbuf_free_bulk(pkts, n);
    }
    while ((n = take_sent(eth_b, pkts, 64))) {
        rte_pktmbuf_free_bulk(pkts, n);
    }
}

static unsigned int
take_upcalls(struct upcall_msg *msgs, unsigned int max)
{
    return rte_ring_sc_dequeue_burst_elem(pmd->upcall_ring, msgs,
                                          sizeof *msgs, max, NULL);
}

static int
teardown(void **state)
{
    (void) state;
    tx_flush(&pmd->tx);
    drop_sent();
    struct upcall_msg msgs[UPCALL_RING_SIZE];
    unsigned int n;
    while ((n = take_upcalls(msgs, UPCALL_RING_SIZE))) {
        for (unsigned int i = 0; i < n; i++) {
            rte_pktmbuf_free(msgs[i].pkt);
        }
    }
    for (unsigned int i = 0; i < n_flows; i++) {
        if (!flows[i]->rule.dead) {
            dpcls_remove(&pmd->cls, &flows[i]->rule);
        }
        free(flows[i]->actions);
        free(flows[i]);
    }
    for (unsigned int i = 0; i < n_spare; i++) {
        free(spare_lists[i]);
    }
    dpcls_destroy(&pmd->cls);
    emc_destroy(&pmd->emc);
    rte_ring_free(pmd->upcall_ring);
    rte_free(pmd);
    pmd = NULL;
    dp_destroy(dp);
    dp = NULL;
    /* Every mbuf came back: nothing was lost or freed twice. */
    assert_int_equal(rte_mempool_avail_count(pool), N_MBUFS);
    return 0;
}

static struct dp_actions *
output(uint32_t port_no)
{
    struct dp_actions *a = dp_actions_new();
    assert_non_null(a);
    assert_int_equal(dp_actions_add_output(&a, port_no), 0);
    return a;
}

/* Sets the last byte of the Ethernet destination to 'tag', then outputs
 * to 'port_no': not a plain output (DP_FATE_OTHER). */
static struct dp_actions *
tag_output(uint8_t tag, uint32_t port_no)
{
    struct dp_actions *a = dp_actions_new();
    assert_non_null(a);
    struct rewrite_eth key, mask;
    memset(&key, 0, sizeof key);
    memset(&mask, 0, sizeof mask);
    key.dst[5] = tag;
    mask.dst[5] = 0xff;
    assert_int_equal(dp_actions_add_set_eth(&a, &key, &mask), 0);
    assert_int_equal(dp_actions_add_output(&a, port_no), 0);
    return a;
}

/* Inserts a megaflow for packets on IN_PORT from 'nw_src' under a
 * 'prefix'-bit source mask (0: any IPv4 packet; -1: metadata alone) with
 * 'acts' into the PMD's classifier, as the PMD applies an install. */
static struct megaflow *
add_flow_recirc(uint32_t recirc_id, uint32_t nw_src, int prefix,
                struct dp_actions *acts)
{
    struct flow key, mask;
    memset(&key, 0, sizeof key);
    memset(&mask, 0, sizeof mask);
    key.in_port = IN_PORT;
    key.recirc_id = recirc_id;
    mask.in_port = UINT32_MAX;
    mask.recirc_id = UINT32_MAX;
    if (prefix >= 0) {
        key.dl_type = htons(0x0800);
        mask.dl_type = UINT16_MAX;
        key.nw_src = htonl(nw_src);
        mask.nw_src = prefix ? htonl(~UINT32_C(0) << (32 - prefix)) : 0;
    }
    assert_true(n_flows < MAX_FLOWS);
    struct megaflow *mf = aligned_alloc(64, RTE_ALIGN(sizeof *mf, 64));
    assert_non_null(mf);
    memset(mf, 0, sizeof *mf);
    flow_and(&mf->key, &key, &mask);
    mf->mask = mask;
    miniflow_compress(&mf->key, &mf->key_mf);
    miniflow_compress(&mf->mask, &mf->mask_mf);
    mf->fate = dp_actions_fate(acts);
    mf->actions = acts;
    assert_int_equal(dpcls_insert(&pmd->cls, &mf->rule, &mf->key_mf,
                                  &mf->mask_mf), 0);
    flows[n_flows++] = mf;
    return mf;
}

static struct megaflow *
add_flow(uint32_t nw_src, int prefix, struct dp_actions *acts)
{
    return add_flow_recirc(0, nw_src, prefix, acts);
}

/* Runs one batch of packets from the sources 'srcs' (sequence numbers
 * 0..n-1) as a PMD iteration does (the TSC, the pipeline, the flush). */
static void
run_batch(const uint32_t *srcs, uint32_t n)
{
    struct rte_mbuf *pkts[PIPELINE_BATCH];
    assert_true(n <= PIPELINE_BATCH);
    for (uint32_t i = 0; i < n; i++) {
        pkts[i] = udp_mbuf(pool, srcs[i], i);
    }
    pmd->now_tsc = rte_rdtsc();
    pipeline_process(pmd, pkts, n, IN_PORT, 0);
    tx_flush(&pmd->tx);
}

/* Checks that 'eth' sent exactly the packets with sequence numbers
 * 'seqs' in that order, and frees them. */
static void
expect_sent(uint16_t eth, const uint32_t *seqs, unsigned int n)
{
    struct rte_mbuf *pkts[64];
    unsigned int got = take_sent(eth, pkts, 64);
    for (unsigned int i = 0; i < got && i < n; i++) {
        assert_int_equal(udp_mbuf_seq(pkts[i]), seqs[i]);
    }
    rte_pktmbuf_free_bulk(pkts, got);
    assert_int_equal(got, n);
}

#define A(x) (x), (sizeof (x) / sizeof (x)[0])

/* Hits, a drop and misses in one batch: each packet goes where its
 * megaflow says, in arrival order; misses go up the ring with their
 * metadata; every outcome is counted, on the PMD and on the megaflows. */
static void
test_hits_drops_and_misses(void **state)
{
    (void) state;
    struct megaflow *f1 = add_flow(0x0a000001, 32, output(port_a));
    struct megaflow *f2 = add_flow(0x0a000002, 32, dp_actions_new());
    struct megaflow *f3 = add_flow(0x0a010000, 16, output(port_b));
    const uint32_t srcs[] = {
        0x0a000001, 0x0a000002, 0x0a010005, 0x0a020001,
        0x0a000001, 0x0a01ff00, 0x0a020002, 0x0a000001,
    };
    run_batch(A(srcs));

    const uint32_t to_a[] = { 0, 4, 7 };
    const uint32_t to_b[] = { 2, 5 };
    expect_sent(eth_a, A(to_a));
    expect_sent(eth_b, A(to_b));

    struct upcall_msg msgs[4];
    assert_int_equal(take_upcalls(msgs, 4), 2);
    const uint32_t missed[] = { 3, 6 };
    for (int i = 0; i < 2; i++) {
        assert_int_equal(msgs[i].kind, UPCALL_MISS);
        assert_int_equal(udp_mbuf_seq(msgs[i].pkt), missed[i]);
        /* The control thread re-extracts with these. */
        assert_int_equal(packet_meta(msgs[i].pkt)->in_port, IN_PORT);
        assert_int_equal(packet_meta(msgs[i].pkt)->recirc_id, 0);
        assert_int_equal(packet_meta(msgs[i].pkt)->ofs.l3, 14);
        rte_pktmbuf_free(msgs[i].pkt);
    }

    assert_int_equal(pmd->stats.megaflow_hits, 6);
    assert_int_equal(pmd->stats.emc_hits, 0);
    assert_int_equal(pmd->stats.upcalls, 2);
    assert_int_equal(pmd->stats.packets_dropped, 1);
    assert_int_equal(f1->packets, 3);
    assert_int_equal(f1->bytes, 3 * UDP_MBUF_LEN);
    assert_true(f1->used != 0);
    assert_int_equal(f2->packets, 1);
    assert_int_equal(f3->packets, 2);
    assert_int_equal(pmd->tx.stats[port_a].packets, 3);
    assert_int_equal(pmd->tx.stats[port_b].packets, 2);
}

/* Megaflows whose actions are more than one output: packets are grouped
 * by megaflow, each group runs its own list (the Ethernet destination
 * tells which ran), in arrival order within the megaflow; with 32
 * megaflows in one batch too, and a whole batch of one megaflow. */
static void
test_grouping_and_order(void **state)
{
    (void) state;
    for (uint8_t f = 0; f < 32; f++) {
        add_flow(0x0a000100 + f, 32, tag_output(0x40 + f, port_a));
    }
    /* Five megaflows interleaved. */
    uint32_t srcs[PIPELINE_BATCH];
    for (uint32_t i = 0; i < PIPELINE_BATCH; i++) {
        srcs[i] = 0x0a000100 + (i * 7 + i / 3) % 5;
    }
    uint64_t want[32] = { 0 };
    for (uint32_t i = 0; i < PIPELINE_BATCH; i++) {
        want[srcs[i] - 0x0a000100]++;
    }
    run_batch(srcs, PIPELINE_BATCH);
    struct rte_mbuf *pkts[64];
    unsigned int n = take_sent(eth_a, pkts, 64);
    assert_int_equal(n, PIPELINE_BATCH);
    int64_t last_seq[5] = { -1, -1, -1, -1, -1 };
    bool done[5] = { false };
    for (unsigned int i = 0; i < n; i++) {
        uint32_t seq = udp_mbuf_seq(pkts[i]);
        uint32_t f = srcs[seq] - 0x0a000100;
        assert_int_equal(udp_mbuf_src(pkts[i]), srcs[seq]);
        assert_int_equal(udp_mbuf_dst_tag(pkts[i]), 0x40 + f);
        /* In arrival order within the megaflow... */
        assert_true((int64_t) seq > last_seq[f]);
        last_seq[f] = seq;
        /* ... and each megaflow's packets together. */
        assert_false(done[f]);
        if (i + 1 < n && udp_mbuf_src(pkts[i + 1]) != srcs[seq]) {
            done[f] = true;
        }
    }
    rte_pktmbuf_free_bulk(pkts, n);

    /* 32 megaflows, one packet each, in reverse. */
    for (uint32_t i = 0; i < PIPELINE_BATCH; i++) {
        srcs[i] = 0x0a000100 + 31 - i;
        want[31 - i]++;
    }
    run_batch(srcs, PIPELINE_BATCH);
    n = take_sent(eth_a, pkts, 64);
    assert_int_equal(n, PIPELINE_BATCH);
    bool seen[PIPELINE_BATCH] = { false };
    for (unsigned int i = 0; i < n; i++) {
        uint32_t seq = udp_mbuf_seq(pkts[i]);
        assert_false(seen[seq]);
        seen[seq] = true;
        assert_int_equal(udp_mbuf_dst_tag(pkts[i]), 0x40 + 31 - seq);
    }
    rte_pktmbuf_free_bulk(pkts, n);

    /* One megaflow for the whole batch. */
    for (uint32_t i = 0; i < PIPELINE_BATCH; i++) {
        srcs[i] = 0x0a000103;
    }
    want[3] += PIPELINE_BATCH;
    run_batch(srcs, PIPELINE_BATCH);
    n = take_sent(eth_a, pkts, 64);
    assert_int_equal(n, PIPELINE_BATCH);
    for (unsigned int i = 0; i < n; i++) {
        assert_int_equal(udp_mbuf_seq(pkts[i]), i);
        assert_int_equal(udp_mbuf_dst_tag(pkts[i]), 0x43);
    }
    rte_pktmbuf_free_bulk(pkts, n);
    for (uint32_t f = 0; f < 32; f++) {
        assert_int_equal(flows[f]->packets, want[f]);
    }
    assert_int_equal(pmd->stats.megaflow_hits, 3 * PIPELINE_BATCH);
    assert_int_equal(pmd->stats.packets_dropped, 0);
}

/* Plain outputs to two ports and a list with a userspace action in one
 * batch: the first port's packets go out in arrival order, the others
 * by their own lists; the userspace packet goes to the hook. */
static void
test_mixed_fates(void **state)
{
    (void) state;
    add_flow(0x0a000001, 32, output(port_a));
    add_flow(0x0a000002, 32, output(port_b));
    struct dp_actions *us = dp_actions_new();
    assert_int_equal(dp_actions_add_userspace(&us, 9), 0);
    add_flow(0x0a000003, 32, us);
    const uint32_t srcs[] = {
        0x0a000002, 0x0a000001, 0x0a000003, 0x0a000002, 0x0a000001,
        0x0a000001, 0x0a000003,
    };
    run_batch(A(srcs));
    const uint32_t to_a[] = { 1, 4, 5 };
    const uint32_t to_b[] = { 0, 3 };
    expect_sent(eth_a, A(to_a));
    expect_sent(eth_b, A(to_b));
    assert_int_equal(n_userspace, 2);
    assert_int_equal(pmd->stats.packets_dropped, 0);
}

/* With the EMC in use, the second pass of the same packets hits it, not
 * the classifier; a megaflow removed from the classifier is not found in
 * the EMC any more either: its packets miss. */
static void
test_emc(void **state)
{
    (void) state;
    struct megaflow *f1 = add_flow(0x0a000001, 32, output(port_a));
    add_flow(0x0a000009, 32, output(port_a));   /* Keeps f1's subtable. */
    add_flow(0x0a010000, 16, output(port_b));   /* A second subtable. */
    pmd->emc.policy.active = true;
    const uint32_t srcs[] = {
        0x0a000001, 0x0a010001, 0x0a000001, 0x0a010002,
    };
    run_batch(A(srcs));
    assert_int_equal(pmd->stats.emc_hits, 0);
    assert_int_equal(pmd->stats.megaflow_hits, 4);
    run_batch(A(srcs));
    assert_int_equal(pmd->stats.emc_hits, 4);
    assert_int_equal(pmd->stats.megaflow_hits, 4);
    const uint32_t to_a[] = { 0, 2, 0, 2 };
    const uint32_t to_b[] = { 1, 3, 1, 3 };
    expect_sent(eth_a, A(to_a));
    expect_sent(eth_b, A(to_b));

    /* Removed from the classifier: the EMC entry is dead. */
    dpcls_remove(&pmd->cls, &f1->rule);
    run_batch(A(srcs));
    assert_int_equal(pmd->stats.emc_hits, 6);
    assert_int_equal(pmd->stats.upcalls, 2);
    assert_int_equal(f1->packets, 4);
    expect_sent(eth_a, NULL, 0);
    const uint32_t to_b2[] = { 1, 3 };
    expect_sent(eth_b, A(to_b2));
}

/* When every megaflow matches metadata alone, headers are not parsed:
 * the batch still goes out whole, counted on the megaflow. */
static void
test_metadata_only_megaflow(void **state)
{
    (void) state;
    struct megaflow *f = add_flow(0, -1, output(port_b));
    assert_int_equal(pmd->cls.words_used, 1);
    uint32_t srcs[20];
    uint32_t seqs[20];
    for (uint32_t i = 0; i < 20; i++) {
        srcs[i] = 0x0a000000 + i * 977;
        seqs[i] = i;
    }
    run_batch(srcs, 20);
    expect_sent(eth_b, seqs, 20);
    assert_int_equal(f->packets, 20);
    assert_int_equal(f->bytes, 20 * UDP_MBUF_LEN);
    assert_int_equal(pmd->stats.megaflow_hits, 20);
}

/* A megaflow ORs the TCP flags of its packets (with headers parsed and,
 * for a metadata-only megaflow, without); a batch recirculated with an
 * id matches only the megaflows of that pass. */
static void
test_tcp_flags_and_recirc_id(void **state)
{
    (void) state;
    struct megaflow *f = add_flow(0x0a000001, 32, output(port_a));
    struct megaflow *g = add_flow_recirc(3, 0x0a000001, 32, output(port_b));
    struct rte_mbuf *pkts[3] = {
        tcp_mbuf(pool, 0x0a000001, 0, 0x002),       /* SYN */
        tcp_mbuf(pool, 0x0a000001, 1, 0x010),       /* ACK */
        udp_mbuf(pool, 0x0a000001, 2),
    };
    pmd->now_tsc = rte_rdtsc();
    pipeline_process(pmd, pkts, 3, IN_PORT, 0);
    tx_flush(&pmd->tx);
    const uint32_t all[] = { 0, 1, 2 };
    expect_sent(eth_a, A(all));
    assert_int_equal(f->tcp_flags, 0x012);
    assert_int_equal(g->packets, 0);

    /* The same packets on pass 3: megaflow g, not f. */
    pkts[0] = tcp_mbuf(pool, 0x0a000001, 0, 0x001);  /* FIN */
    pkts[1] = udp_mbuf(pool, 0x0a000001, 1);
    pipeline_process(pmd, pkts, 2, IN_PORT, 3);
    tx_flush(&pmd->tx);
    const uint32_t two[] = { 0, 1 };
    expect_sent(eth_b, A(two));
    assert_int_equal(g->packets, 2);
    assert_int_equal(g->tcp_flags, 0x001);
    assert_int_equal(f->packets, 3);
    assert_int_equal(pmd->stats.upcalls, 0);
}

/* The same without header parsing: a metadata-only megaflow. */
static void
test_tcp_flags_metadata_only(void **state)
{
    (void) state;
    struct megaflow *f = add_flow(0, -1, output(port_a));
    struct rte_mbuf *pkts[2] = {
        tcp_mbuf(pool, 0x0a000001, 0, 0x004),       /* RST */
        tcp_mbuf(pool, 0x0a000002, 1, 0x100),       /* NS */
    };
    pmd->now_tsc = rte_rdtsc();
    pipeline_process(pmd, pkts, 2, IN_PORT, 0);
    tx_flush(&pmd->tx);
    const uint32_t all[] = { 0, 1 };
    expect_sent(eth_a, A(all));
    assert_int_equal(f->tcp_flags, 0x104);
}

/* More packets than a batch holds: all dropped and counted, nothing
 * sent, no mbuf lost (teardown counts them). */
static void
test_oversized_batch(void **state)
{
    (void) state;
    add_flow(0x0a000001, 32, output(port_a));
    struct rte_mbuf *pkts[PIPELINE_BATCH + 1];
    for (uint32_t i = 0; i < PIPELINE_BATCH + 1; i++) {
        pkts[i] = udp_mbuf(pool, 0x0a000001, i);
    }
    pmd->now_tsc = rte_rdtsc();
    pipeline_process(pmd, pkts, PIPELINE_BATCH + 1, IN_PORT, 0);
    tx_flush(&pmd->tx);
    assert_int_equal(pmd->stats.packets_dropped, PIPELINE_BATCH + 1);
    assert_int_equal(pmd->stats.megaflow_hits, 0);
    expect_sent(eth_a, NULL, 0);
    /* An empty batch does nothing. */
    pipeline_process(pmd, pkts, 0, IN_PORT, 0);
    assert_int_equal(pmd->stats.packets_dropped, PIPELINE_BATCH + 1);
}

/* Misses beyond the upcall ring's room and beyond the rate limit are
 * counted drops, not lost mbufs. */
static void
test_upcall_ring_full_and_rate_limit(void **state)
{
    (void) state;
    uint32_t srcs[20];
    for (uint32_t i = 0; i < 20; i++) {
        srcs[i] = 0x0b000000 + i;
    }
    run_batch(srcs, 20);
    assert_int_equal(pmd->stats.upcalls, UPCALL_RING_SIZE - 1);
    assert_int_equal(pmd->stats.upcall_ring_full, 20 - (UPCALL_RING_SIZE - 1));

    struct upcall_msg msgs[UPCALL_RING_SIZE];
    unsigned int n = take_upcalls(msgs, UPCALL_RING_SIZE);
    assert_int_equal(n, UPCALL_RING_SIZE - 1);
    for (unsigned int i = 0; i < n; i++) {
        assert_int_equal(udp_mbuf_seq(msgs[i].pkt), i);
        rte_pktmbuf_free(msgs[i].pkt);
    }

    /* 1 upcall per second, a burst of 3: 3 go up now. */
    pmd->upcall_limit.rate = 1;
    pmd->upcall_limit.burst = 3;
    pmd->upcall_limit.tokens = 3 * rte_get_tsc_hz();
    pmd->upcall_limit.last_tsc = rte_rdtsc();
    run_batch(srcs, 8);
    assert_int_equal(pmd->stats.upcalls, UPCALL_RING_SIZE - 1 + 3);
    assert_int_equal(pmd->stats.upcall_rate_limited, 5);
}

/* The swap test: a thread flips the megaflow's actions between a plain
 * output to a and "tag 0xbb, output to b", publishing as megaflow.c's
 * megaflow_set_actions() does (fate, then the list with release); lists
 * are never freed while it runs.  Every packet must leave by a or by b
 * tagged: no packet lost, none tagged for b on a or untagged on b. */
static struct megaflow *swap_mf;
static struct dp_actions *swap_lists[2];
static bool swap_stop;
static uint64_t swap_count;

static void *
swapper(void *arg)
{
    (void) arg;
    unsigned int k = 0;
    while (!SHARED_READ(swap_stop)) {
        struct dp_actions *next = swap_lists[++k & 1];
        SHARED_SET(swap_mf->fate, dp_actions_fate(next));
        SHARED_PUBLISH(swap_mf->actions, next);
        SHARED_COUNT(swap_count, 1);
    }
    return NULL;
}

static void
test_actions_swapped_mid_way(void **state)
{
    (void) state;
    swap_lists[0] = output(port_a);
    swap_lists[1] = tag_output(0xbb, port_b);
    swap_mf = add_flow(0x0a000001, 32, swap_lists[0]);
    add_flow(0x0a000002, 32, output(port_a));
    swap_stop = false;
    swap_count = 0;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, swapper, NULL), 0);

    uint64_t total = 0, on_a = 0, on_b = 0, bad = 0;
    for (int round = 0; round < 3000; round++) {
        uint32_t srcs[PIPELINE_BATCH];
        /* Whole batches of the swapped megaflow, and batches where it is
         * mixed with another: both ways through execute_batch(). */
        for (uint32_t i = 0; i < PIPELINE_BATCH; i++) {
            srcs[i] = (round & 1) && (i % 3 == 1) ? 0x0a000002
                                                  : 0x0a000001;
            total += srcs[i] == 0x0a000001;
        }
        run_batch(srcs, PIPELINE_BATCH);
        struct rte_mbuf *pkts[64];
        unsigned int n = take_sent(eth_a, pkts, 64);
        for (unsigned int i = 0; i < n; i++) {
            bad += udp_mbuf_dst_tag(pkts[i]) != 0x01;
            on_a += udp_mbuf_src(pkts[i]) == 0x0a000001;
        }
        rte_pktmbuf_free_bulk(pkts, n);
        n = take_sent(eth_b, pkts, 64);
        for (unsigned int i = 0; i < n; i++) {
            bad += udp_mbuf_dst_tag(pkts[i]) != 0xbb
                   || udp_mbuf_src(pkts[i]) != 0x0a000001;
            on_b++;
        }
        rte_pktmbuf_free_bulk(pkts, n);
    }
    SHARED_SET(swap_stop, true);
    pthread_join(t, NULL);
    /* The list published last stays with the megaflow (freed at
     * teardown), the other is a spare. */
    spare_lists[n_spare++] = swap_mf->actions == swap_lists[0]
                             ? swap_lists[1] : swap_lists[0];
    print_message("swapped %lu times; %lu packets: %lu by the plain "
                  "output, %lu by the other list\n",
                  (unsigned long) swap_count, (unsigned long) total,
                  (unsigned long) on_a, (unsigned long) on_b);
    assert_int_equal(bad, 0);
    assert_int_equal(on_a + on_b, total);
    assert_int_equal(pmd->stats.packets_dropped, 0);
    assert_int_equal(swap_mf->packets, total);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_hits_drops_and_misses),
        T(test_grouping_and_order),
        T(test_mixed_fates),
        T(test_emc),
        T(test_metadata_only_megaflow),
        T(test_tcp_flags_and_recirc_id),
        T(test_tcp_flags_metadata_only),
        T(test_oversized_batch),
        T(test_upcall_ring_full_and_rate_limit),
        T(test_actions_swapped_mid_way),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
