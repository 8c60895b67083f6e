/* Unit tests for pmd/devres through pmd/port (EAL without hugepages):
 * adding and removing net_null and net_ring ports leaves DPDK's heap and
 * memzones as they were, mbufs left in a device go back to their pool,
 * and net_null's "size" is range-checked. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "pmd/devres.h"
#include "pmd/port.h"
#include "src/util/dstr.h"
#include "tests/unit/eal_test.h"

struct usage {
    size_t heap_allocated;
    unsigned int allocations;
    unsigned int memzones;
};

static void
count_memzone(const struct rte_memzone *mz, void *n)
{
    (void) mz;
    (*(unsigned int *) n)++;
}

static struct usage
usage(void)
{
    struct rte_malloc_socket_stats st;
    struct usage u = { 0 };
    assert_int_equal(rte_malloc_get_socket_stats(0, &st), 0);
    u.heap_allocated = st.heap_allocsz_bytes;
    u.allocations = st.alloc_count;
    rte_memzone_walk(count_memzone, &u.memzones);
    return u;
}

static void
assert_same_usage(struct usage a, struct usage b)
{
    assert_int_equal(a.heap_allocated, b.heap_allocated);
    assert_int_equal(a.allocations, b.allocations);
    assert_int_equal(a.memzones, b.memzones);
}

static struct port *
open_port(const char *devargs, uint16_t n_rxq, uint16_t mbuf_size)
{
    struct dstr err = DSTR_INIT;
    struct port_config cfg = { .name = "p", .devargs = devargs,
                               .n_rxq = n_rxq, .n_mbuf = 2048,
                               .mbuf_size = mbuf_size };
    struct port *port;
    int error = port_open(&cfg, 0, 2, &port, &err);
    if (error) {
        fail_msg("port_open %s: %s", devargs, dstr_cstr(&err));
    }
    dstr_free(&err);
    return port;
}

/* Closes 'port'; its pool must have all its mbufs back. */
static void
close_port(struct port *port)
{
    struct rte_mempool *mp;
    port_close(port, &mp);
    assert_true(rte_mempool_full(mp));
    rte_mempool_free(mp);
}

static int
group_setup(void **state)
{
    (void) state;
    return eal_test_init("test_devres");
}

/* net_null allocates 'size' bytes per queue and frees them only when a
 * queue is released. */
static void
test_null_ports_leave_nothing(void **state)
{
    (void) state;
    /* The first port may make what ethdev keeps for good. */
    close_port(open_port("net_null0", 1, 0));
    struct usage before = usage();
    for (int i = 0; i < 20; i++) {
        char devargs[64];
        snprintf(devargs, sizeof devargs, "net_null%d,size=60000", i % 3);
        close_port(open_port(devargs, 4, 60000 + RTE_PKTMBUF_HEADROOM));
    }
    assert_same_usage(before, usage());
}

/* net_ring creates 16 rings at probe and frees those of the configured
 * queues only; mbufs sent to a tx queue with no rx queue stay in it. */
static void
test_ring_ports_leave_nothing(void **state)
{
    (void) state;
    close_port(open_port("net_ring99", 1, 0));
    struct usage before = usage();
    for (int i = 0; i < 20; i++) {
        char devargs[64];
        snprintf(devargs, sizeof devargs, "net_ring%d", i % 5);
        struct port *port = open_port(devargs, 1, 0);
        assert_int_equal(port->n_txq, 2);
        /* Into the queue that loops back (received back at close) and into
         * the one that has no rx queue. */
        for (uint16_t q = 0; q < port->n_txq; q++) {
            struct rte_mbuf *m[8];
            assert_int_equal(rte_pktmbuf_alloc_bulk(port->mp, m, 8), 0);
            assert_int_equal(rte_eth_tx_burst(port->port_id, q, m, 8), 8);
        }
        close_port(port);
    }
    assert_same_usage(before, usage());
}

static void
test_null_size_is_checked(void **state)
{
    (void) state;
    static const struct {
        const char *devargs;
        int error;
    } cases[] = {
        { "net_null0,size=5000000", -EINVAL },
        { "net_null0,size=0", -EINVAL },
        { "net_null0,size=-1", -EINVAL },
        { "net_null0,size=", -EINVAL },
        { "net_null0,size=64k", -EINVAL },
        { "net_null0,copy=1,size=2049", -EINVAL },
        { "net_null0,size=2048", 0 },
        { "net_null0,size=0x40,copy=1", 0 },
        { "net_ring0,size=5000000", 0 },   /* Not net_null's argument. */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dstr err = DSTR_INIT;
        int error = devres_check_devargs(cases[i].devargs, 2048, &err);
        if (error != cases[i].error) {
            fail_msg("%s: %d (%s)", cases[i].devargs, error,
                     dstr_cstr(&err));
        }
        if (error) {
            assert_non_null(strstr(dstr_cstr(&err), "from 14 to 2048"));
        }
        dstr_free(&err);
    }
    /* Through port_open, before the device is probed. */
    struct dstr err = DSTR_INIT;
    struct port_config cfg = { .name = "p",
                               .devargs = "net_null0,size=5000000" };
    struct port *port;
    struct usage before = usage();
    assert_int_equal(port_open(&cfg, 0, 1, &port, &err), -EINVAL);
    assert_same_usage(before, usage());
    dstr_free(&err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_ports_leave_nothing),
        cmocka_unit_test(test_ring_ports_leave_nothing),
        cmocka_unit_test(test_null_size_is_checked),
    };
    return cmocka_run_group_tests(tests, group_setup, eal_test_teardown);
}
