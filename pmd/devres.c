/* devres: driver leftovers and limits (see devres.h). */
#include "pmd/devres.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_ring.h>

#include "src/util/dstr.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(devres);

/* Packets received per rx queue at most when draining one: more than a
 * net_ring ring holds, and a bound for devices that never run dry
 * (net_null, net_pcap with infinite_rx). */
#define DRAIN_MAX_PER_QUEUE 4096

/* Drivers that free queue memory only in their queue release callback,
 * which rte_eth_dev_close() never calls. */
static const char *const release_queues_drivers[] = { "net_null" };

/* ---- Device arguments ---- */

/* Whether the device name in 'devargs' belongs to net_null. */
static bool
is_null_dev(const char *devargs)
{
    return !strncmp(devargs, "net_null", 8) || !strncmp(devargs, "eth_null", 8);
}

int
devres_check_devargs(const char *devargs, uint32_t data_room,
                     struct dstr *err)
{
    if (!is_null_dev(devargs)) {
        return 0;
    }
    for (const char *p = strchr(devargs, ','); p; p = strchr(p + 1, ',')) {
        if (strncmp(p + 1, "size=", 5)) {
            continue;
        }
        const char *v = p + 6;
        size_t len = strcspn(v, ",");
        char *end;
        errno = 0;
        unsigned long size = strtoul(v, &end, 0);
        if (!len || *v == '-' || *v == '+' || errno || end != v + len
            || size < RTE_ETHER_HDR_LEN || size > data_room) {
            dstr_printf(err, "%.*s: size=%.*s: must be a number from %u to "
                        "%u (the data room of the port's mbufs; mbuf_size "
                        "sets it)", (int) strcspn(devargs, ","), devargs,
                        (int) len, v, RTE_ETHER_HDR_LEN, data_room);
            return -EINVAL;
        }
    }
    return 0;
}

/* ---- Rings a probe creates ---- */

struct ring_names {
    char (*names)[RTE_MEMZONE_NAMESIZE];
    unsigned int n, cap;
    bool oom;
};

/* Rings (not those of mempools, which rte_mempool_free() handles). */
static bool
is_plain_ring(const char *mz_name)
{
    size_t n = strlen(RTE_RING_MZ_PREFIX);
    return !strncmp(mz_name, RTE_RING_MZ_PREFIX, n)
           && strncmp(mz_name + n, "MP_", 3);
}

static void
collect_ring(const struct rte_memzone *mz, void *names_)
{
    struct ring_names *names = names_;
    if (!is_plain_ring(mz->name) || names->oom) {
        return;
    }
    if (names->n == names->cap) {
        unsigned int cap = names->cap ? 2 * names->cap : 32;
        void *p = realloc(names->names, cap * sizeof *names->names);
        if (!p) {
            names->oom = true;
            return;
        }
        names->names = p;
        names->cap = cap;
    }
    snprintf(names->names[names->n++], RTE_MEMZONE_NAMESIZE, "%s", mz->name);
}

static bool
has_name(const struct ring_names *names, const char *name)
{
    for (unsigned int i = 0; i < names->n; i++) {
        if (!strcmp(names->names[i], name)) {
            return true;
        }
    }
    return false;
}

int
devres_probe(const char *devargs, struct devres *res)
{
    struct ring_names before = { 0 }, after = { 0 };

    rte_memzone_walk(collect_ring, &before);
    int error = rte_dev_probe(devargs);
    if (!error) {
        rte_memzone_walk(collect_ring, &after);
    }
    for (unsigned int i = 0; i < after.n; i++) {
        if (has_name(&before, after.names[i])) {
            continue;
        }
        void *p = realloc(res->rings, (res->n_rings + 1) * sizeof *res->rings);
        if (!p) {
            break;      /* Only a leak later. */
        }
        res->rings = p;
        memcpy(res->rings[res->n_rings++], after.names[i],
               sizeof res->rings[0]);
    }
    if (before.oom || after.oom) {
        VLOG_WARN("%s: out of memory: rings it leaves are not freed",
                  devargs);
    }
    free(before.names);
    free(after.names);
    return error;
}

struct pool_find {
    const struct rte_mempool *mp;
    bool found;
};

static void
find_pool(struct rte_mempool *mp, void *f_)
{
    struct pool_find *f = f_;
    f->found |= mp == f->mp;
}

/* Whether 'obj' is an mbuf of a mempool that exists. */
static bool
is_mbuf(void *obj, const struct rte_mempool **last)
{
    const struct rte_mbuf *m = obj;
    if (!m || !m->pool) {
        return false;
    }
    if (m->pool != *last) {
        struct pool_find f = { .mp = m->pool };
        rte_mempool_walk(find_pool, &f);
        if (!f.found) {
            return false;
        }
        *last = m->pool;
    }
    return rte_mempool_from_obj(obj) == m->pool;
}

/* Frees the mbufs in leftover ring 'r' (a queue nobody read, such as a
 * net_ring tx queue with no rx queue of the same number: they would keep
 * their pool from ever being freed).  False if it holds anything else. */
static bool
drain_ring(struct rte_ring *r, unsigned int *n_mbufs)
{
    const struct rte_mempool *last = NULL;
    void *obj;
    while (!rte_ring_dequeue(r, &obj)) {
        if (!is_mbuf(obj, &last)) {
            rte_ring_enqueue(r, obj);
            return false;
        }
        rte_pktmbuf_free(obj);
        ++*n_mbufs;
    }
    return true;
}

void
devres_after_remove(struct devres *res, const char *dev_name)
{
    unsigned int n_freed = 0, n_mbufs = 0;
    for (unsigned int i = 0; i < res->n_rings; i++) {
        const char *name = res->rings[i] + strlen(RTE_RING_MZ_PREFIX);
        struct rte_ring *r = rte_ring_lookup(name);
        if (!r) {
            continue;
        }
        if (!drain_ring(r, &n_mbufs)) {
            VLOG_WARN("%s: ring %s left by its driver holds something other "
                      "than mbufs: not freed", dev_name, name);
            continue;
        }
        rte_ring_free(r);
        n_freed++;
    }
    if (n_freed) {
        VLOG_DBG("%s: freed %u rings its driver left (%u mbufs in them)",
                 dev_name, n_freed, n_mbufs);
    }
    free(res->rings);
    res->rings = NULL;
    res->n_rings = 0;
}

/* ---- Queues ---- */

unsigned int
devres_drain_rxqs(uint16_t port_id, uint16_t n_rxq)
{
    unsigned int total = 0;
    for (uint16_t q = 0; q < n_rxq; q++) {
        struct rte_mbuf *pkts[64];
        unsigned int n = 0;
        uint16_t got;
        do {
            got = rte_eth_rx_burst(port_id, q, pkts, RTE_DIM(pkts));
            rte_pktmbuf_free_bulk(pkts, got);
            n += got;
        } while (got && n < DRAIN_MAX_PER_QUEUE);
        total += n;
    }
    return total;
}

void
devres_before_close(uint16_t port_id)
{
    struct rte_eth_dev_info info;
    if (rte_eth_dev_info_get(port_id, &info) || !info.driver_name) {
        return;
    }
    bool release = false;
    for (size_t i = 0; i < RTE_DIM(release_queues_drivers); i++) {
        release |= !strcmp(info.driver_name, release_queues_drivers[i]);
    }
    if (!release) {
        return;
    }
    /* ethdev releases the queues that a configuration drops: no rx queue
     * (tx kept), then no tx queue, then no rx queue again so that the
     * device closes with none to look at. */
    struct rte_eth_conf conf;
    memset(&conf, 0, sizeof conf);
    if (rte_eth_dev_configure(port_id, 0, 1, &conf)
        || rte_eth_dev_configure(port_id, 1, 0, &conf)
        || rte_eth_dev_configure(port_id, 0, 1, &conf)) {
        VLOG_WARN("ethdev %u: cannot release its queues: their memory "
                  "leaks", port_id);
    }
}
