/* dp_show: the datapath's text for the control socket (dpctl/show,
 * pmd-stats-show, pmd-perf-show, pmd-rxq-show) and the PMD stats clear. */
#include "pmd/dp.h"

#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "pmd/dp_private.h"
#include "pmd/emc.h"
#include "pmd/megaflow.h"
#include "pmd/pmd.h"
#include "pmd/pmd_private.h"
#include "pmd/port.h"
#include "pmd/shared.h"
#include "pmd/tx.h"
#include "src/util/dstr.h"

void
dp_format_ports(struct dp *dp, struct dstr *s)
{
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        struct port *port = dp->ports[p];
        struct port_status st;
        if (!port || dp_port_status(dp, p, &st)) {
            continue;
        }
        const struct port_stats *c = &st.stats;
        dstr_printf(s, "port %u: %s (%s)\n", p, port->name, port->devargs);
        dstr_printf(s, "  state: %s, link: %s",
                    st.failed ? "failed" : !st.admin_up ? "admin-down"
                    : "up", st.link_up ? "up" : "down");
        if (st.link_up && st.speed_mbps) {
            dstr_printf(s, " %u Mbps", st.speed_mbps);
        }
        dstr_printf(s, ", n_rxq: %u, n_txq: %u%s, mtu: %u\n",
                    st.n_rxq, st.n_txq, st.txq_shared ? " (shared)" : "",
                    st.mtu);
        dstr_printf(s, "  driver: %s, mac: %02x:%02x:%02x:%02x:%02x:%02x, "
                    "speed: %u, duplex: %s, link_resets: %lu, "
                    "n_rxq_desc: %u, n_txq_desc: %u\n",
                    st.driver[0] ? st.driver : "unknown",
                    st.mac[0], st.mac[1], st.mac[2], st.mac[3], st.mac[4],
                    st.mac[5], st.speed_mbps,
                    st.full_duplex ? "full" : "half", st.link_resets,
                    st.n_rxq_desc, st.n_txq_desc);
        if (st.failed) {
            dstr_printf(s, "  error: %s\n", st.error);
        }
        dstr_printf(s, "  RX packets:%lu bytes:%lu dropped:%lu errors:%lu "
                    "nombuf:%lu imissed:%lu\n",
                    c->rx_packets, c->rx_bytes, c->rx_dropped, c->rx_errors,
                    c->rx_nombuf, c->rx_missed);
        dstr_printf(s, "  TX packets:%lu bytes:%lu dropped:%lu errors:%lu "
                    "short-bursts:%lu retries:%lu\n",
                    c->tx_packets, c->tx_bytes, c->tx_dropped, c->tx_errors,
                    c->tx_short_bursts, c->tx_retries);
    }
}

static void
pmd_stats_now(const struct pmd *pmd, struct pmd_stats *s)
{
    const uint64_t *cur = (const uint64_t *) &pmd->stats;
    const uint64_t *base = (const uint64_t *) &pmd->stats_base;
    uint64_t *out = (uint64_t *) s;
    for (size_t i = 0; i < PMD_N_STATS; i++) {
        out[i] = SHARED_READ(cur[i]) - base[i];
    }
}

static uint64_t
pmd_packets_sent(const struct pmd *pmd)
{
    uint64_t sent = SHARED_READ(pmd->tx.retired_packets);
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        sent += SHARED_READ(pmd->tx.stats[p].packets);
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
                    SHARED_READ(pmd->tx.no_port) - pmd->no_port_base);
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
        dstr_printf(s, "  command cycles: %lu (%.2f%% of processing)\n",
                    st.cycles_cmd, 100.0 * ratio(st.cycles_cmd,
                                                 st.cycles_busy));
        uint64_t cmd_max = SHARED_READ(pmd->cycles_cmd_max);
        dstr_printf(s, "  longest command pass: %lu cycles (%.1f us), "
                    "since start\n", cmd_max,
                    1e6 * (double) cmd_max / (double) rte_get_tsc_hz());
        struct pmd_pending pp;
        pmd_get_pending(pmd, &pp);
        dstr_printf(s, "  frees waiting for this pmd: %lu (%lu bytes, "
                    "oldest %.0f ms)\n", pp.frees, pp.bytes,
                    1e3 * (double) pp.oldest_cycles
                    / (double) rte_get_tsc_hz());
        dstr_printf(s, "  commands waiting for ring room: %lu (most %lu)\n",
                    pp.backlog, pp.backlog_max);
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
            base[k] = SHARED_READ(cur[k]);
        }
        pmd->sent_base = pmd_packets_sent(pmd);
        pmd->no_port_base = SHARED_READ(pmd->tx.no_port);
    }
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        struct port *port = dp->ports[p];
        for (uint16_t q = 0; port && q < port->n_rxq; q++) {
            dp->rxqs[p][q].cycles_base = SHARED_READ(dp->rxqs[p][q].cycles);
        }
    }
}

void
dp_format_rxqs(struct dp *dp, struct dstr *s)
{
    dstr_printf(s, "pmd cpu mask: 0x%llx\n",
                (unsigned long long) dp->pmd_mask);
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        struct pmd *pmd = dp->pmds[i];
        struct pmd_stats st;
        pmd_stats_now(pmd, &st);
        uint64_t total = st.cycles_idle + st.cycles_busy;

        dstr_printf(s, "pmd thread numa_id %d core_id %u:\n",
                    pmd->numa_id, pmd->core_id);
        dstr_printf(s, "  isolated : %s\n",
                    (dp->isolated_cores >> pmd->core_id) & 1 ? "true"
                                                             : "false");
        for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
            struct port *port = dp->ports[p];
            for (uint16_t q = 0; port && q < port->n_rxq; q++) {
                struct pmd_rxq *rxq = &dp->rxqs[p][q];
                if (rxq->pmd != pmd) {
                    continue;
                }
                uint64_t c = SHARED_READ(rxq->cycles) - rxq->cycles_base;
                dstr_printf(s, "  port: %-16s queue-id: %2u (enabled)   "
                            "pmd usage: %3.0f %%\n", port->name, q,
                            100.0 * ratio(c, total));
            }
        }
    }
}
