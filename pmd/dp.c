/* dp: the datapath's port space and PMD set, driven by the control
 * thread. */
#include "dp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mempool.h>

#include "actions.h"
#include "dstr.h"
#include "emc.h"
#include "megaflow.h"
#include "pmd.h"
#include "port.h"
#include "rxq_sched.h"
#include "tx.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dp);

#define DP_SYNC_TIMEOUT_MS 2000

struct dp_zombie_pool {
    struct rte_mempool *mp;
    struct dp_zombie_pool *next;
};

struct dp *
dp_create(uint64_t pmd_mask, unsigned int idle_sleep_us, struct dstr *err)
{
    struct dp *dp = calloc(1, sizeof *dp);
    if (!dp) {
        dstr_put(err, "out of memory");
        return NULL;
    }
    dp->pmd_idle_sleep_us = idle_sleep_us;
    dp->flow_limit = DP_DEFAULT_FLOW_LIMIT;
    dp->max_idle_ms = DP_DEFAULT_MAX_IDLE_MS;
    dp->emc_insert_inv_prob = EMC_DEFAULT_INSERT_INV_PROB;
    dp->upcall_rate = DP_DEFAULT_UPCALL_RATE;
    dp->upcall_burst = DP_DEFAULT_UPCALL_BURST;
    dp->control_tx = malloc(sizeof *dp->control_tx);
    if (!dp->control_tx) {
        dstr_put(err, "out of memory");
        free(dp);
        return NULL;
    }
    tx_ctx_init(dp->control_tx, dp, 0);
    for (unsigned int core = 0; core < 64; core++) {
        if (!(pmd_mask & (UINT64_C(1) << core))) {
            continue;
        }
        if (dp->n_pmds >= DP_MAX_PMDS) {
            break;
        }
        struct pmd *pmd = pmd_start(dp, dp->n_pmds, core, idle_sleep_us,
                                    err);
        if (!pmd) {
            dp_destroy(dp);
            return NULL;
        }
        dp->pmds[dp->n_pmds++] = pmd;
    }
    return dp;
}

void
dp_destroy(struct dp *dp)
{
    if (!dp) {
        return;
    }
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        if (dp->ports[p]) {
            dp_port_del(dp, dp->ports[p]->name, NULL);
        }
    }
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        pmd_stop(dp->pmds[i]);
    }
    while (dp->zombies) {
        struct dp_zombie_pool *z = dp->zombies;
        dp->zombies = z->next;
        rte_mempool_free(z->mp);
        free(z);
    }
    free(dp->control_tx);
    free(dp);
}

int
dp_sync(struct dp *dp)
{
    int result = 0;
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        if (pmd_wait(dp->pmds[i], DP_SYNC_TIMEOUT_MS)) {
            VLOG_ERR("pmd on core %u did not answer within %d ms",
                     dp->pmds[i]->core_id, DP_SYNC_TIMEOUT_MS);
            result = -ETIMEDOUT;
        }
    }
    return result;
}

struct port *
dp_port_by_name(struct dp *dp, const char *name)
{
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        if (dp->ports[p] && !strcmp(dp->ports[p]->name, name)) {
            return dp->ports[p];
        }
    }
    return NULL;
}

const char *
dp_port_name(uint32_t port_no, void *dp_)
{
    struct dp *dp = dp_;
    return port_no < DP_MAX_PORTS && dp->ports[port_no]
           ? dp->ports[port_no]->name : NULL;
}

static void
dp_assign_rxq(struct dp *dp, struct pmd_rxq *q)
{
    unsigned int counts[DP_MAX_PMDS];
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        counts[i] = dp->pmds[i]->n_assigned;
    }
    unsigned int idx = rxq_sched_pick(counts, dp->n_pmds);
    q->pmd_index = (int) idx;
    dp->pmds[idx]->n_assigned++;
    pmd_add_rxq(dp->pmds[idx], q);
}

static void
dp_unassign_rxq(struct dp *dp, struct pmd_rxq *q)
{
    if (q->pmd_index >= 0) {
        struct pmd *pmd = dp->pmds[q->pmd_index];
        pmd_del_rxq(pmd, q);
        pmd->n_assigned--;
        q->pmd_index = -1;
    }
}

int
dp_port_add(struct dp *dp, const struct port_config *cfg, struct dstr *err)
{
    uint32_t port_no;

    if (dp_port_by_name(dp, cfg->name)) {
        dstr_printf(err, "port %s already exists", cfg->name);
        return -EEXIST;
    }
    /* Numbers are not reused at once, so that rules naming a removed
     * port's number do not silently apply to the next port added. */
    for (port_no = 0; port_no < DP_MAX_PORTS; port_no++) {
        uint32_t candidate = (dp->next_port_no + port_no) % DP_MAX_PORTS;
        if (!dp->ports[candidate]) {
            port_no = candidate;
            break;
        }
    }
    if (port_no >= DP_MAX_PORTS || dp->ports[port_no]) {
        dstr_printf(err, "too many ports (at most %d)", DP_MAX_PORTS);
        return -ENOSPC;
    }

    struct port *port;
    int error = port_open(cfg, port_no, dp_n_tx_threads(dp), &port, err);
    if (error) {
        return error;
    }
    struct pmd_rxq *rxqs = calloc(port->n_rxq, sizeof *rxqs);
    if (!rxqs) {
        struct rte_mempool *mp;
        port_close(port, &mp);
        rte_mempool_free(mp);
        dstr_put(err, "out of memory");
        return -ENOMEM;
    }
    __atomic_store_n(&dp->ports[port_no], port, __ATOMIC_RELEASE);
    dp->rxqs[port_no] = rxqs;
    dp->next_port_no = (port_no + 1) % DP_MAX_PORTS;
    for (uint16_t q = 0; q < port->n_rxq; q++) {
        rxqs[q].port = port;
        rxqs[q].port_id = port->port_id;
        rxqs[q].qid = q;
        rxqs[q].pmd_index = -1;
        if (dp->n_pmds && !dp->hold_rxqs) {
            dp_assign_rxq(dp, &rxqs[q]);
        }
    }
    return (int) port_no;
}

int
dp_port_del(struct dp *dp, const char *name, struct dstr *err)
{
    struct port *port = dp_port_by_name(dp, name);
    if (!port) {
        if (err) {
            dstr_printf(err, "no port named %s", name);
        }
        return -ENOENT;
    }
    uint32_t port_no = port->port_no;

    /* 1. Stop polling it and sending to it. */
    for (uint16_t q = 0; q < port->n_rxq; q++) {
        dp_unassign_rxq(dp, &dp->rxqs[port_no][q]);
    }
    dp_sync(dp);
    /* Megaflows may output to it: they go, and traffic re-translates. */
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        megaflow_flush(dp->pmds[i]);
    }

    /* 2. No PMD polls or sends to it any more (their buffers are flushed
     * before they acknowledge): take it out of the table and clear the
     * threads' buffers and counters for its number. */
    __atomic_store_n(&dp->ports[port_no], NULL, __ATOMIC_RELEASE);
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        pmd_forget_port(dp->pmds[i], port_no);
    }
    tx_forget_port(dp->control_tx, port_no);
    dp_sync(dp);
    free(dp->rxqs[port_no]);
    dp->rxqs[port_no] = NULL;

    /* 3. Close the device.  Its mbufs may still sit in other ports' tx
     * rings: free the pool only when all have come back. */
    struct rte_mempool *mp;
    port_close(port, &mp);
    if (mp) {
        struct dp_zombie_pool *z = malloc(sizeof *z);
        if (z) {
            z->mp = mp;
            z->next = dp->zombies;
            dp->zombies = z;
        }
    }
    dp_reap_mempools(dp);
    return 0;
}

void
dp_reap_mempools(struct dp *dp)
{
    for (struct dp_zombie_pool **p = &dp->zombies; *p;) {
        struct dp_zombie_pool *z = *p;
        if (rte_mempool_full(z->mp)) {
            *p = z->next;
            rte_mempool_free(z->mp);
            free(z);
        } else {
            p = &z->next;
        }
    }
}

void
dp_hold_rxqs(struct dp *dp, bool hold)
{
    dp->hold_rxqs = hold;
    if (hold || !dp->n_pmds) {
        return;
    }
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        struct port *port = dp->ports[p];
        for (uint16_t q = 0; port && q < port->n_rxq; q++) {
            if (dp->rxqs[p][q].pmd_index < 0) {
                dp_assign_rxq(dp, &dp->rxqs[p][q]);
            }
        }
    }
    dp_sync(dp);
}

int
dp_rxq_rebalance(struct dp *dp)
{
    struct rxq_sched_item items[DP_MAX_PORTS * 4];
    struct pmd_rxq *qs[DP_MAX_PORTS * 4];
    size_t n = 0;

    if (!dp->n_pmds) {
        return 0;
    }
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        struct port *port = dp->ports[p];
        for (uint16_t q = 0; port && q < port->n_rxq; q++) {
            if (n == sizeof items / sizeof items[0]) {
                break;
            }
            struct pmd_rxq *rxq = &dp->rxqs[p][q];
            qs[n] = rxq;
            items[n].cycles = PMD_READ(rxq->cycles) - rxq->cycles_base;
            n++;
        }
    }
    rxq_sched_by_cycles(items, n, dp->n_pmds);

    /* Remove every moving queue first, so that no queue is ever polled by
     * two PMDs at once; then add them to their new PMDs. */
    int moved = 0;
    for (size_t i = 0; i < n; i++) {
        if (qs[i]->pmd_index != (int) items[i].pmd) {
            dp_unassign_rxq(dp, qs[i]);
            moved++;
        }
    }
    if (!moved) {
        return 0;
    }
    dp_sync(dp);
    for (size_t i = 0; i < n; i++) {
        if (qs[i]->pmd_index < 0) {
            struct pmd *pmd = dp->pmds[items[i].pmd];
            qs[i]->pmd_index = (int) items[i].pmd;
            pmd->n_assigned++;
            pmd_add_rxq(pmd, qs[i]);
        }
    }
    int error = dp_sync(dp);
    return error ? error : moved;
}

static void
dp_port_tx_stats(struct dp *dp, uint32_t port_no, struct tx_port_stats *s)
{
    memset(s, 0, sizeof *s);
    for (unsigned int i = 0; i <= dp->n_pmds; i++) {
        const struct tx_ctx *tx = i < dp->n_pmds ? &dp->pmds[i]->tx
                                                 : dp->control_tx;
        s->packets += PMD_READ(tx->stats[port_no].packets);
        s->dropped += PMD_READ(tx->stats[port_no].dropped);
        s->short_bursts += PMD_READ(tx->stats[port_no].short_bursts);
    }
}

void
dp_format_ports(struct dp *dp, struct dstr *s)
{
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        struct port *port = dp->ports[p];
        if (!port) {
            continue;
        }
        struct port_stats st;
        struct tx_port_stats tx;
        bool up;
        uint32_t speed;

        port_get_stats(port, &st);
        dp_port_tx_stats(dp, p, &tx);
        port_get_link(port, &up, &speed);
        dstr_printf(s, "port %u: %s (%s)\n", p, port->name, port->devargs);
        dstr_printf(s, "  state: up, link: %s", up ? "up" : "down");
        if (up && speed) {
            dstr_printf(s, " %u Mbps", speed);
        }
        dstr_printf(s, ", n_rxq: %u, n_txq: %u%s, mtu: %u\n",
                    port->n_rxq, port->n_txq,
                    port->txq_shared ? " (shared)" : "", port->mtu);
        dstr_printf(s, "  RX packets:%lu bytes:%lu dropped:%lu errors:%lu "
                    "nombuf:%lu imissed:%lu\n",
                    st.rx_packets, st.rx_bytes, st.rx_dropped, st.rx_errors,
                    st.rx_nombuf, st.rx_missed);
        dstr_printf(s, "  TX packets:%lu bytes:%lu dropped:%lu errors:%lu "
                    "short-bursts:%lu\n",
                    st.tx_packets, st.tx_bytes, tx.dropped, st.tx_errors,
                    tx.short_bursts);
    }
}

static void
pmd_stats_now(const struct pmd *pmd, struct pmd_stats *s)
{
    const uint64_t *cur = (const uint64_t *) &pmd->stats;
    const uint64_t *base = (const uint64_t *) &pmd->stats_base;
    uint64_t *out = (uint64_t *) s;
    for (size_t i = 0; i < PMD_N_STATS; i++) {
        out[i] = __atomic_load_n(&cur[i], __ATOMIC_RELAXED) - base[i];
    }
}

static uint64_t
pmd_packets_sent(const struct pmd *pmd)
{
    uint64_t sent = PMD_READ(pmd->tx.retired_packets);
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        sent += PMD_READ(pmd->tx.stats[p].packets);
    }
    return sent;
}

static double
ratio(uint64_t a, uint64_t b)
{
    return b ? (double) a / (double) b : 0.0;
}

void
dp_format_pmd_stats(struct dp *dp, struct dstr *s)
{
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        struct pmd *pmd = dp->pmds[i];
        struct pmd_stats st;
        pmd_stats_now(pmd, &st);
        uint64_t total = st.cycles_idle + st.cycles_busy;
        uint64_t sent = pmd_packets_sent(pmd) - pmd->sent_base;
        uint64_t passes = st.packets_rx + st.recirculations;
        uint64_t lost = st.upcall_ring_full + st.upcall_rate_limited;
        dstr_printf(s, "pmd thread numa_id %d core_id %u:\n",
                    pmd->numa_id, pmd->core_id);
        dstr_printf(s, "  packets received: %lu\n", st.packets_rx);
        dstr_printf(s, "  packet recirculations: %lu\n",
                    st.recirculations);
        dstr_printf(s, "  avg. datapath passes per packet: %.2f\n",
                    ratio(passes, st.packets_rx));
        dstr_printf(s, "  emc hits: %lu\n", st.emc_hits);
        dstr_printf(s, "  megaflow hits: %lu\n", st.megaflow_hits);
        dstr_printf(s, "  avg. subtable lookups per megaflow hit: %.2f\n",
                    ratio(st.subtable_lookups, st.megaflow_hits));
        dstr_printf(s, "  miss with success upcall: %lu\n", st.upcalls);
        dstr_printf(s, "  miss with failed upcall: %lu\n", lost);
        dstr_printf(s, "    upcall ring full: %lu\n", st.upcall_ring_full);
        dstr_printf(s, "    upcall rate limited: %lu\n",
                    st.upcall_rate_limited);
        dstr_printf(s, "  userspace action packets: %lu (lost %lu)\n",
                    st.userspace, st.userspace_lost);
        dstr_printf(s, "  dropped, recirculated too often: %lu\n",
                    st.recirc_too_deep);
        dstr_printf(s, "  packets sent: %lu\n", sent);
        dstr_printf(s, "  packets dropped: %lu\n", st.packets_dropped);
        dstr_printf(s, "  dropped, output to no such port: %lu\n",
                    PMD_READ(pmd->tx.no_port));
        dstr_printf(s, "  megaflows: %u (limit %u), emc size: %u\n",
                    pmd->flows.n_flows, dp->flow_limit,
                    emc_n_entries(&pmd->emc));
        dstr_printf(s, "  iterations: %lu\n", st.iterations);
        dstr_printf(s, "  idle cycles: %lu (%.2f%%)\n", st.cycles_idle,
                    100.0 * ratio(st.cycles_idle, total));
        dstr_printf(s, "  processing cycles: %lu (%.2f%%)\n",
                    st.cycles_busy, 100.0 * ratio(st.cycles_busy, total));
        dstr_printf(s, "  avg cycles per packet: %.2f (%lu/%lu)\n",
                    ratio(total, st.packets_rx), total, st.packets_rx);
        dstr_printf(s, "  avg processing cycles per packet: %.2f "
                    "(%lu/%lu)\n", ratio(st.cycles_busy, st.packets_rx),
                    st.cycles_busy, st.packets_rx);
    }
}

void
dp_format_pmd_perf(struct dp *dp, struct dstr *s)
{
    double hz = (double) rte_get_tsc_hz();
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        struct pmd *pmd = dp->pmds[i];
        struct pmd_stats st;
        pmd_stats_now(pmd, &st);
        uint64_t total = st.cycles_idle + st.cycles_busy;
        dstr_printf(s, "pmd thread numa_id %d core_id %u:\n",
                    pmd->numa_id, pmd->core_id);
        dstr_printf(s, "  Time: %.3f s of TSC at %.0f MHz\n",
                    (double) total / hz, hz / 1e6);
        dstr_printf(s, "  Iterations: %lu  (%.2f us/it)\n", st.iterations,
                    st.iterations ? 1e6 * (double) total / hz
                                    / (double) st.iterations : 0.0);
        dstr_printf(s, "  - Used TSC cycles: %lu (%.1f %% of total)\n",
                    st.cycles_busy, 100.0 * ratio(st.cycles_busy, total));
        dstr_printf(s, "  - idle iterations TSC: %lu (%.1f %%)\n",
                    st.cycles_idle, 100.0 * ratio(st.cycles_idle, total));
        dstr_printf(s, "  Rx packets: %lu  (%.0f Kpps, %.0f cycles/pkt)\n",
                    st.packets_rx,
                    total ? (double) st.packets_rx * hz / (double) total
                            / 1e3 : 0.0,
                    ratio(st.cycles_busy, st.packets_rx));
        dstr_printf(s, "  Datapath passes: %lu  (%.2f passes/pkt)\n",
                    st.packets_rx + st.recirculations,
                    ratio(st.packets_rx + st.recirculations,
                          st.packets_rx));
        dstr_printf(s, "  - EMC hits: %lu  (%.1f %%)\n", st.emc_hits,
                    100.0 * ratio(st.emc_hits, st.packets_rx
                                  + st.recirculations));
        dstr_printf(s, "  - Megaflow hits: %lu  (%.1f %%, %.2f subtbl "
                    "lookups/hit)\n", st.megaflow_hits,
                    100.0 * ratio(st.megaflow_hits, st.packets_rx
                                  + st.recirculations),
                    ratio(st.subtable_lookups, st.megaflow_hits));
        dstr_printf(s, "  - Upcalls: %lu  (%.1f %%)\n", st.upcalls,
                    100.0 * ratio(st.upcalls, st.packets_rx
                                  + st.recirculations));
        dstr_printf(s, "  - Lost upcalls: %lu\n",
                    st.upcall_ring_full + st.upcall_rate_limited);
    }
}

void
dp_clear_pmd_stats(struct dp *dp)
{
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        struct pmd *pmd = dp->pmds[i];
        const uint64_t *cur = (const uint64_t *) &pmd->stats;
        uint64_t *base = (uint64_t *) &pmd->stats_base;
        for (size_t k = 0; k < PMD_N_STATS; k++) {
            base[k] = __atomic_load_n(&cur[k], __ATOMIC_RELAXED);
        }
        pmd->sent_base = pmd_packets_sent(pmd);
    }
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        struct port *port = dp->ports[p];
        for (uint16_t q = 0; port && q < port->n_rxq; q++) {
            dp->rxqs[p][q].cycles_base = PMD_READ(dp->rxqs[p][q].cycles);
        }
    }
}

void
dp_format_rxqs(struct dp *dp, struct dstr *s)
{
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        struct pmd *pmd = dp->pmds[i];
        struct pmd_stats st;
        pmd_stats_now(pmd, &st);
        uint64_t total = st.cycles_idle + st.cycles_busy;

        dstr_printf(s, "pmd thread numa_id %d core_id %u:\n",
                    pmd->numa_id, pmd->core_id);
        dstr_put(s, "  isolated : false\n");
        for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
            struct port *port = dp->ports[p];
            for (uint16_t q = 0; port && q < port->n_rxq; q++) {
                struct pmd_rxq *rxq = &dp->rxqs[p][q];
                if (rxq->pmd_index != (int) i) {
                    continue;
                }
                uint64_t c = PMD_READ(rxq->cycles) - rxq->cycles_base;
                dstr_printf(s, "  port: %-16s queue-id: %2u (enabled)   "
                            "pmd usage: %3.0f %%\n", port->name, q,
                            100.0 * ratio(c, total));
            }
        }
    }
}
