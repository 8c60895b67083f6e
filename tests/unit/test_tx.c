/* Unit tests for pmd/tx, the per-thread transmit buffers: packets wait
 * per port until a flush or a full burst, in order; a full burst (or half
 * of one with nothing waiting) goes out at once; output to a port that
 * does not exist (never added, removed, out of range) is counted in
 * no_port; a port whose tx is off counts drops; a full device queue
 * counts drops and short bursts; a shared tx queue is used only under its
 * spinlock; tx_forget_port() frees what waits; a vhost-user port's tx
 * queue map sends each thread to the queue it names, or drops (no queue
 * the guest reads), and frames over its max_frame are dropped and
 * counted; vhost_txq_map() maps queues to enabled ones.  Every test ends with
 * every mbuf back in the pool.
 *
 * The ports are lone net_ring ports of a datapath without PMDs (EAL
 * without hugepages): what is sent loops back to the port's rx queue,
 * which only the test reads, so the test sees exactly what reached the
 * device and when. */
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
#include <unistd.h>

#include <cmocka.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "pmd/dp.h"
#include "pmd/dp_private.h"
#include "pmd/packet.h"
#include "pmd/port.h"
#include "pmd/shared.h"
#include "pmd/tx.h"
#include "pmd/vhost_queues.h"
#include "src/util/dstr.h"
#include "tests/unit/dp_test.h"
#include "tests/unit/eal_test.h"
#include "tests/unit/udp_mbuf.h"

#define N_MBUFS 4095

static struct rte_mempool *pool;
static struct dp *dp;
static struct tx_ctx *tx;
static uint32_t port_r;         /* net_ring: what is sent can be read. */
static uint16_t eth_r;

static int
group_setup(void **state)
{
    (void) state;
    if (eal_test_init("test_tx")) {
        return -1;
    }
    pool = rte_pktmbuf_pool_create("test_tx", N_MBUFS, 0, PACKET_PRIV_SIZE,
                                   RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    return pool ? 0 : -1;
}

static int
group_teardown(void **state)
{
    rte_mempool_free(pool);
    return eal_test_teardown(state);
}

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
    int port_no = dp_test_add_port(dp, "r", "net_ring0");
    if (port_no < 0) {
        return -1;
    }
    port_r = (uint32_t) port_no;
    eth_r = dp_port(dp, port_r)->port_id;
    tx = calloc(1, sizeof *tx);
    if (!tx) {
        return -1;
    }
    tx_ctx_init(tx, dp, 0);
    return 0;
}

/* Takes what the device got, up to 'max' (NULL 'pkts': frees it);
 * returns how many. */
static unsigned int
take_sent(struct rte_mbuf **pkts, unsigned int max)
{
    struct rte_mbuf *tmp[32];
    unsigned int n = 0;
    for (;;) {
        uint16_t want = pkts ? (uint16_t) (max - n < 32 ? max - n : 32) : 32;
        if (!want) {
            break;
        }
        uint16_t k = rte_eth_rx_burst(eth_r, 0, pkts ? pkts + n : tmp, want);
        if (!k) {
            break;
        }
        if (!pkts) {
            rte_pktmbuf_free_bulk(tmp, k);
        }
        n += k;
    }
    return n;
}

static int
teardown(void **state)
{
    (void) state;
    tx_flush(tx);
    if (dp_port(dp, port_r)) {
        take_sent(NULL, 0);
    }
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        tx_forget_port(tx, p);
    }
    free(tx);
    tx = NULL;
    dp_destroy(dp);
    dp = NULL;
    assert_int_equal(rte_mempool_avail_count(pool), N_MBUFS);
    return 0;
}

/* 'n' packets with sequence numbers from 'first'. */
static void
make(struct rte_mbuf **pkts, uint32_t n, uint32_t first)
{
    for (uint32_t i = 0; i < n; i++) {
        pkts[i] = udp_mbuf(pool, 0x0a000001, first + i);
    }
}

/* Checks that the device got exactly the sequence numbers first..first+n-1
 * in order, and frees them. */
static void
expect_sent(uint32_t first, unsigned int n)
{
    struct rte_mbuf *pkts[256];
    assert_true(n <= 256);
    unsigned int got = take_sent(pkts, 256);
    for (unsigned int i = 0; i < got && i < n; i++) {
        assert_int_equal(udp_mbuf_seq(pkts[i]), first + i);
    }
    rte_pktmbuf_free_bulk(pkts, got);
    assert_int_equal(got, n);
}

/* Small batches wait for the flush (then go in order, one burst); a
 * flush with nothing waiting sends nothing. */
static void
test_buffered_until_flush(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[32];
    make(pkts, 5, 0);
    tx_enqueue(tx, port_r, pkts, 5);
    make(pkts, 10, 5);
    tx_enqueue(tx, port_r, pkts, 10);
    expect_sent(0, 0);
    assert_int_equal(tx->stats[port_r].packets, 0);
    assert_int_equal(tx->bufs[port_r].n, 15);
    tx_flush(tx);
    expect_sent(0, 15);
    assert_int_equal(tx->stats[port_r].packets, 15);
    assert_int_equal(tx->n_dirty, 0);
    tx_flush(tx);
    expect_sent(0, 0);
    assert_int_equal(tx->stats[port_r].packets, 15);
}

/* Half a burst or more with nothing waiting goes out at once; packets
 * that fill a burst send it at once, the rest wait; order is kept. */
static void
test_full_bursts_at_once(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[80];
    make(pkts, 20, 0);
    tx_enqueue(tx, port_r, pkts, 20);
    expect_sent(0, 20);
    assert_int_equal(tx->bufs[port_r].n, 0);

    make(pkts, 10, 20);
    tx_enqueue(tx, port_r, pkts, 10);
    expect_sent(0, 0);
    make(pkts, 60, 30);
    tx_enqueue(tx, port_r, pkts, 60);   /* 10 + 60 = 2 bursts + 6. */
    expect_sent(20, 64);
    assert_int_equal(tx->bufs[port_r].n, 6);
    assert_int_equal(tx->stats[port_r].packets, 84);
    tx_flush(tx);
    expect_sent(84, 6);
    assert_int_equal(tx->stats[port_r].packets, 90);
    assert_int_equal(tx->stats[port_r].dropped, 0);
}

/* Output to a port that does not exist is counted in no_port: never
 * added, out of range, or removed while packets for it waited. */
static void
test_no_port(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[40];
    make(pkts, 3, 0);
    tx_enqueue(tx, 200, pkts, 3);           /* Buffered... */
    assert_int_equal(tx->no_port, 0);
    tx_flush(tx);                           /* ... dropped at the flush. */
    assert_int_equal(tx->no_port, 3);
    make(pkts, 20, 0);
    tx_enqueue(tx, 200, pkts, 20);          /* At once. */
    assert_int_equal(tx->no_port, 23);
    make(pkts, 2, 0);
    tx_enqueue(tx, DP_MAX_PORTS, pkts, 2);
    make(pkts, 2, 0);
    tx_enqueue(tx, UINT32_MAX, pkts, 2);
    assert_int_equal(tx->no_port, 27);

    /* Removed with packets waiting: dp->ports[n] is NULL at the flush. */
    make(pkts, 7, 0);
    tx_enqueue(tx, port_r, pkts, 7);
    assert_int_equal(dp_port_del(dp, "r", NULL), 0);
    assert_null(dp_port(dp, port_r));
    tx_flush(tx);
    assert_int_equal(tx->no_port, 34);
    assert_int_equal(tx->stats[port_r].packets, 0);
    assert_int_equal(rte_mempool_avail_count(pool), N_MBUFS);
}

/* A port whose tx is off (admin down, reconfiguring) counts what is
 * sent to it as drops and the device gets nothing; back on, it sends. */
static void
test_tx_off_drops(void **state)
{
    (void) state;
    struct port *port = dp_port(dp, port_r);
    struct rte_mbuf *pkts[32];
    SHARED_PUBLISH(port->tx_off, true);
    make(pkts, 4, 0);
    tx_enqueue(tx, port_r, pkts, 4);
    tx_flush(tx);
    make(pkts, 32, 0);
    tx_enqueue(tx, port_r, pkts, 32);
    assert_int_equal(tx->stats[port_r].dropped, 36);
    assert_int_equal(tx->stats[port_r].packets, 0);
    expect_sent(0, 0);
    assert_int_equal(rte_mempool_avail_count(pool), N_MBUFS);

    SHARED_PUBLISH(port->tx_off, false);
    make(pkts, 4, 0);
    tx_enqueue(tx, port_r, pkts, 4);
    tx_flush(tx);
    expect_sent(0, 4);
    assert_int_equal(tx->stats[port_r].dropped, 36);
}

/* A device queue that takes fewer than offered: the rest are counted
 * drops and short bursts, and freed. */
static void
test_device_full(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[32];
    unsigned int offered = 0;
    while (offered < 1200) {
        make(pkts, 32, offered);
        tx_enqueue(tx, port_r, pkts, 32);
        offered += 32;
    }
    struct tx_port_stats *s = &tx->stats[port_r];
    assert_true(s->dropped > 0);
    assert_true(s->short_bursts > 0);
    assert_int_equal(s->packets + s->dropped, offered);
    assert_int_equal(take_sent(NULL, 0), s->packets);
    assert_int_equal(rte_mempool_avail_count(pool), N_MBUFS);
}

/* tx_forget_port(): what waits for the port is freed (the pool gets its
 * mbufs back), the port's counters restart, the thread's total keeps
 * what was sent (retired_packets), and a later flush sends nothing. */
static void
test_forget_port(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[32];
    make(pkts, 20, 0);
    tx_enqueue(tx, port_r, pkts, 20);
    expect_sent(0, 20);
    make(pkts, 9, 0);
    tx_enqueue(tx, port_r, pkts, 9);
    assert_int_equal(rte_mempool_avail_count(pool), N_MBUFS - 9);
    tx_forget_port(tx, port_r);
    assert_int_equal(rte_mempool_avail_count(pool), N_MBUFS);
    assert_int_equal(tx->stats[port_r].packets, 0);
    assert_int_equal(tx->retired_packets, 20);
    tx_flush(tx);
    expect_sent(0, 0);
    /* The buffer works again afterwards. */
    make(pkts, 2, 40);
    tx_enqueue(tx, port_r, pkts, 2);
    tx_flush(tx);
    expect_sent(40, 2);
    tx_forget_port(tx, DP_MAX_PORTS);       /* Ignored. */
}

/* Shared tx queues: a second sending thread (slot 1, which maps to the
 * port's only queue) sends only under the queue's spinlock when the port
 * says the queue is shared.  The test holds the lock: the sender must
 * wait for it. */
struct sender {
    struct tx_ctx *tx;
    struct rte_mbuf *pkts[32];
    bool done;
};

static void *
send_burst(void *s_)
{
    struct sender *s = s_;
    tx_enqueue(s->tx, port_r, s->pkts, 32);
    SHARED_SET(s->done, true);
    return NULL;
}

static void
test_shared_txq_under_lock(void **state)
{
    (void) state;
    struct port *port = dp_port(dp, port_r);
    assert_int_equal(port->n_txq, 1);
    struct sender s = { .tx = calloc(1, sizeof *s.tx) };
    assert_non_null(s.tx);
    tx_ctx_init(s.tx, dp, 1);
    make(s.pkts, 32, 0);

    SHARED_PUBLISH(port->txq_shared, true);
    rte_spinlock_lock(&port->txq_locks[0]);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, send_burst, &s), 0);
    usleep(100 * 1000);
    bool early = SHARED_READ(s.done);
    unsigned int sent_early = take_sent(NULL, 0);
    rte_spinlock_unlock(&port->txq_locks[0]);
    pthread_join(t, NULL);
    assert_false(early);
    assert_int_equal(sent_early, 0);
    assert_true(s.done);
    expect_sent(0, 32);
    assert_int_equal(s.tx->stats[port_r].packets, 32);

    /* Not shared: the lock is not taken. */
    SHARED_PUBLISH(port->txq_shared, false);
    rte_spinlock_lock(&port->txq_locks[0]);
    s.done = false;
    make(s.pkts, 32, 100);
    assert_int_equal(pthread_create(&t, NULL, send_burst, &s), 0);
    pthread_join(t, NULL);
    rte_spinlock_unlock(&port->txq_locks[0]);
    assert_true(s.done);
    expect_sent(100, 32);
    free(s.tx);
}

/* Enabled queues map to themselves, the others to enabled ones in turn;
 * nothing enabled (among the first n_txq): every queue drops. */
static void
test_vhost_txq_map(void **state)
{
    (void) state;
    int16_t map[4];
    vhost_txq_map(0x5, 4, map);
    assert_int_equal(map[0], 0);
    assert_int_equal(map[1], 0);
    assert_int_equal(map[2], 2);
    assert_int_equal(map[3], 2);
    vhost_txq_map(0x2, 3, map);
    assert_int_equal(map[0], 1);
    assert_int_equal(map[1], 1);
    assert_int_equal(map[2], 1);
    vhost_txq_map(0x1, 2, map);
    assert_int_equal(map[0], 0);
    assert_int_equal(map[1], 0);
    vhost_txq_map(0x8, 2, map);     /* Queue 3 is not the port's. */
    assert_int_equal(map[0], -1);
    assert_int_equal(map[1], -1);
    vhost_txq_map(0, 1, map);
    assert_int_equal(map[0], -1);
}

/* The ring port as a vhost-user port would be: a tx queue map. */
static struct port *
give_map(int16_t q0, uint32_t max_frame)
{
    struct port *port = dp_port(dp, port_r);
    port->txq_map = malloc(port->n_txq * sizeof *port->txq_map);
    assert_non_null(port->txq_map);
    for (uint16_t q = 0; q < port->n_txq; q++) {
        port->txq_map[q] = q0;
    }
    port->max_frame = max_frame;
    return port;
}

/* No queue the guest reads: the packets are tx drops, not failures. */
static void
test_vhost_no_queue_drops(void **state)
{
    (void) state;
    give_map(-1, 0);
    struct rte_mbuf *pkts[20];
    make(pkts, 20, 0);
    tx_enqueue(tx, port_r, pkts, 20);
    tx_flush(tx);
    expect_sent(0, 0);
    assert_int_equal(tx->stats[port_r].dropped, 20);
    assert_int_equal(tx->stats[port_r].failed, 0);
    assert_int_equal(tx->stats[port_r].packets, 0);
}

/* Mapped to the queue the guest reads: sent there, in order, but for the
 * frames longer than max_frame, which are counted as MTU drops. */
static void
test_vhost_mapped_and_mtu(void **state)
{
    (void) state;
    give_map(0, UDP_MBUF_LEN);
    struct rte_mbuf *pkts[20];
    make(pkts, 20, 0);
    assert_non_null(rte_pktmbuf_append(pkts[3], 1));
    assert_non_null(rte_pktmbuf_append(pkts[17], 100));
    tx_enqueue(tx, port_r, pkts, 20);
    tx_flush(tx);
    struct rte_mbuf *got[32];
    unsigned int n = take_sent(got, 32);
    assert_int_equal(n, 18);
    for (unsigned int i = 0; i < n; i++) {
        uint32_t want = i + (i >= 3) + (i >= 16);
        assert_int_equal(udp_mbuf_seq(got[i]), want);
    }
    rte_pktmbuf_free_bulk(got, n);
    assert_int_equal(tx->stats[port_r].packets, 18);
    assert_int_equal(tx->stats[port_r].dropped, 2);
    assert_int_equal(tx->stats[port_r].mtu_dropped, 2);
    assert_int_equal(tx->stats[port_r].failed, 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_buffered_until_flush),
        T(test_full_bursts_at_once),
        T(test_no_port),
        T(test_tx_off_drops),
        T(test_device_full),
        T(test_forget_port),
        T(test_shared_txq_under_lock),
        cmocka_unit_test(test_vhost_txq_map),
        T(test_vhost_no_queue_drops),
        T(test_vhost_mapped_and_mtu),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
