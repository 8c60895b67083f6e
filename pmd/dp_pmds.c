/* dp_pmds: the datapath's PMD set - starting and stopping PMD threads
 * while traffic flows, and assigning rx queues to them. */
#include "pmd/dp.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmd/dp_private.h"
#include "pmd/pmd.h"
#include "pmd/pmd_private.h"
#include "pmd/port.h"
#include "pmd/rxq_sched.h"
#include "pmd/shared.h"
#include "pmd/tx.h"
#include "src/util/dstr.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(dp_pmds);

/* Cores online now, from sysfs; all if it cannot be read. */
static uint64_t
dp_online_cores(void)
{
    FILE *f = fopen("/sys/devices/system/cpu/online", "r");
    char buf[256];
    uint64_t mask;

    if (!f) {
        return UINT64_MAX;
    }
    bool ok = fgets(buf, sizeof buf, f) && !rxq_sched_parse_cpu_list(buf,
                                                                     &mask);
    fclose(f);
    return ok ? mask : UINT64_MAX;
}

static unsigned int
dp_take_slot(struct dp *dp)
{
    for (unsigned int s = 1; s < DP_N_SLOTS; s++) {
        if (!dp->slot_used[s]) {
            dp->slot_used[s] = true;
            return s;
        }
    }
    return 0;       /* Cannot happen: at most DP_MAX_PMDS PMDs. */
}

/* Inserts 'pmd' into dp->pmds, kept sorted by core. */
static void
dp_insert_pmd(struct dp *dp, struct pmd *pmd)
{
    unsigned int i = dp->n_pmds;
    while (i > 0 && dp->pmds[i - 1]->core_id > pmd->core_id) {
        dp->pmds[i] = dp->pmds[i - 1];
        i--;
    }
    dp->pmds[i] = pmd;
    dp->n_pmds++;
    dp->pmd_mask |= UINT64_C(1) << pmd->core_id;
}

/* Takes a stopped PMD out of the set and frees it, keeping its tx
 * counters in the ports' totals. */
static void
dp_remove_pmd(struct dp *dp, unsigned int i)
{
    struct pmd *pmd = dp->pmds[i];
    pmd_halt(pmd);
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        const struct tx_port_stats *s = &pmd->tx.stats[p];
        dp->retired_tx[p].packets += s->packets;
        dp->retired_tx[p].dropped += s->dropped;
        dp->retired_tx[p].short_bursts += s->short_bursts;
        dp->retired_tx[p].retries += s->retries;
        dp->retired_tx[p].failed += s->failed;
        dp->retired_tx[p].mtu_dropped += s->mtu_dropped;
    }
    memmove(&dp->pmds[i], &dp->pmds[i + 1],
            (dp->n_pmds - i - 1) * sizeof dp->pmds[0]);
    dp->n_pmds--;
    dp->pmd_mask &= ~(UINT64_C(1) << pmd->core_id);
    dp->slot_used[pmd->slot] = false;
    pmd_stop(pmd);
}

int
dp_rxq_pin(const struct dp *dp, const struct port *port, uint16_t q)
{
    uint32_t p = port->port_no;
    return q < dp->n_rxq_pins[p] ? dp->rxq_pins[p][q] : -1;
}

/* Cores of PMDs that a queue of a polled port is pinned to. */
static uint64_t
dp_pinned_cores(const struct dp *dp)
{
    uint64_t mask = 0;
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        const struct port *port = dp->ports[p];
        if (!port || !dp_port_wants_polling(dp, port)) {
            continue;
        }
        for (uint16_t q = 0; q < port->n_rxq && q < dp->n_rxq_pins[p]; q++) {
            int c = dp->rxq_pins[p][q];
            if (c >= 0 && ((dp->pmd_mask >> c) & 1)) {
                mask |= UINT64_C(1) << c;
            }
        }
    }
    return mask;
}

void
dp_warn_assignment(const struct pmd_rxq *q, int pin, const struct pmd *to)
{
    if (pin >= 0 && (!to || to->core_id != (unsigned int) pin)) {
        VLOG_WARN("port %s rx queue %u: pinned to core %d, which has no pmd "
                  "thread; %s", q->port->name, q->qid, pin,
                  to ? "assigned to another core" : "not polled");
    } else if (!to) {
        VLOG_WARN("port %s rx queue %u: not polled: every pmd thread is "
                  "isolated by pinned queues", q->port->name, q->qid);
    }
}

/* Assigns every queue of the polled ports again among the PMDs whose
 * 'keep' entry is true (all if 'keep' is NULL): pinned queues to their
 * PMDs, which become isolated, the others by measured cycles among the
 * rest.  Returns the number of queues that moved (or started or stopped
 * being polled), or a negative errno. */
static int
dp_reassign_rxqs(struct dp *dp, const bool *keep)
{
    unsigned int pmd_core[DP_MAX_PMDS];
    bool isolated[DP_MAX_PMDS];
    size_t n = 0, cap = 0;

    if (!dp->n_pmds) {
        return 0;
    }
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        pmd_core[i] = dp->pmds[i]->core_id;
    }
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        cap += dp->ports[p] ? dp->ports[p]->n_rxq : 0;
    }
    struct rxq_sched_item *items = calloc(cap + 1, sizeof *items);
    struct pmd_rxq **qs = calloc(cap + 1, sizeof *qs);
    struct pmd **to = calloc(cap + 1, sizeof *to);
    int *pins = calloc(cap + 1, sizeof *pins);
    if (!items || !qs || !to || !pins) {
        free(items);
        free(qs);
        free(to);
        free(pins);
        return -ENOMEM;
    }
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        struct port *port = dp->ports[p];
        if (!port || !dp_port_polled(dp, port)) {
            continue;       /* Not polled (held, admin down...). */
        }
        for (uint16_t q = 0; q < port->n_rxq; q++) {
            struct pmd_rxq *rxq = &dp->rxqs[p][q];
            if (!port_rxq_wanted(port, q)) {
                continue;       /* A vring the guest has not enabled. */
            }
            qs[n] = rxq;
            items[n].cycles = SHARED_READ(rxq->cycles) - rxq->cycles_base;
            pins[n] = dp_rxq_pin(dp, port, q);
            n++;
        }
    }
    rxq_sched_assign(items, pins, n, pmd_core, keep, dp->n_pmds, isolated);
    uint64_t isolated_cores = 0;
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        if (isolated[i]) {
            isolated_cores |= UINT64_C(1) << pmd_core[i];
        }
    }

    /* Remove every moving queue first, so that no queue is ever polled by
     * two PMDs at once; then add them to their new PMDs. */
    int moved = 0;
    for (size_t i = 0; i < n; i++) {
        to[i] = items[i].pmd == RXQ_SCHED_NONE ? NULL
                                               : dp->pmds[items[i].pmd];
        dp_warn_assignment(qs[i], pins[i], to[i]);
        if (qs[i]->pmd != to[i]) {
            dp_unassign_rxq(dp, qs[i]);
            moved++;
        }
    }
    dp->isolated_cores = isolated_cores;
    int error = 0;
    if (moved && dp_sync(dp)) {
        /* A PMD may still poll a queue it was asked to drop: adding the
         * queues elsewhere could make two PMDs poll one.  They stay
         * unpolled until a later re-assignment. */
        VLOG_WARN("a PMD does not answer: %d rx queues left unpolled",
                  moved);
        error = -ETIMEDOUT;
    } else if (moved) {
        for (size_t i = 0; i < n; i++) {
            if (!qs[i]->pmd && to[i] && !pmd_add_rxq(to[i], qs[i])) {
                qs[i]->pmd = to[i];
                to[i]->n_assigned++;
            }
        }
        error = dp_sync(dp);
    }
    free(items);
    free(qs);
    free(to);
    free(pins);
    return error ? error : moved;
}

bool
dp_refresh_isolation(struct dp *dp)
{
    if (dp_pinned_cores(dp) == dp->isolated_cores) {
        return false;
    }
    int moved = dp_reassign_rxqs(dp, NULL);
    if (moved < 0) {
        VLOG_WARN("rx queue re-assignment incomplete: %s", strerror(-moved));
    }
    return true;
}

int
dp_port_set_rxq_affinity(struct dp *dp, uint32_t port_no,
                         const int *core_of_queue, size_t n, struct dstr *err)
{
    struct port *port = port_no < DP_MAX_PORTS ? dp->ports[port_no] : NULL;
    if (!port) {
        dstr_printf(err, "no port number %u", port_no);
        return -ENOENT;
    }
    if (n > RXQ_SCHED_AFFINITY_MAX_QUEUES) {
        dstr_printf(err, "%s: rx queue affinity for %zu queues (at most %d)",
                    port->name, n, RXQ_SCHED_AFFINITY_MAX_QUEUES);
        return -EINVAL;
    }
    for (size_t q = 0; q < n; q++) {
        if (core_of_queue[q] < -1
            || core_of_queue[q] >= RXQ_SCHED_AFFINITY_MAX_CORES) {
            dstr_printf(err, "%s: rx queue %zu: core %d is not a core id "
                        "below %d", port->name, q, core_of_queue[q],
                        RXQ_SCHED_AFFINITY_MAX_CORES);
            return -EINVAL;
        }
    }
    while (n && core_of_queue[n - 1] < 0) {
        n--;
    }
    if (n == dp->n_rxq_pins[port_no]
        && (!n || !memcmp(core_of_queue, dp->rxq_pins[port_no],
                          n * sizeof *core_of_queue))) {
        return 0;
    }
    int *pins = NULL;
    if (n) {
        pins = malloc(n * sizeof *pins);
        if (!pins) {
            dstr_put(err, "out of memory");
            return -ENOMEM;
        }
        memcpy(pins, core_of_queue, n * sizeof *pins);
    }
    free(dp->rxq_pins[port_no]);
    dp->rxq_pins[port_no] = pins;
    dp->n_rxq_pins[port_no] = (uint16_t) n;

    struct dstr text = DSTR_INIT;
    for (size_t q = 0; q < n; q++) {
        if (pins[q] >= 0) {
            dstr_printf(&text, "%s%zu:%d", text.len ? "," : "", q, pins[q]);
        }
    }
    VLOG_INFO("port %s: rx queue affinity %s", port->name,
              text.len ? dstr_cstr(&text) : "none");
    dstr_free(&text);

    if (!dp_port_polled(dp, port)) {
        return 0;           /* Applied when it is polled again. */
    }
    int moved = dp_reassign_rxqs(dp, NULL);
    if (moved < 0) {
        dstr_printf(err, "%s: rx queue re-assignment incomplete: %s",
                    port->name, strerror(-moved));
        return moved;
    }
    return 0;
}

int
dp_rxq_rebalance(struct dp *dp)
{
    return dp_reassign_rxqs(dp, NULL);
}

static void
dp_format_cores(struct dstr *s, uint64_t mask)
{
    bool first = true;
    for (unsigned int c = 0; c < 64; c++) {
        if (mask & (UINT64_C(1) << c)) {
            dstr_printf(s, "%s%u", first ? "" : ",", c);
            first = false;
        }
    }
}

int
dp_check_pmd_mask(const struct dp *dp, uint64_t mask, struct dstr *err)
{
    char msg[256];
    uint64_t usable = dp->usable_cores & dp_online_cores();

    if (rxq_sched_check_mask(mask, usable, DP_MAX_PMDS, msg, sizeof msg)) {
        dstr_put(err, msg);
        return -EINVAL;
    }
    return 0;
}

int
dp_set_pmd_mask(struct dp *dp, uint64_t mask, struct dstr *err)
{
    if (dp_check_pmd_mask(dp, mask, err)) {
        return -EINVAL;
    }
    uint64_t add = mask & ~dp->pmd_mask;
    uint64_t del = dp->pmd_mask & ~mask;
    if (!add && !del) {
        return 0;
    }

    /* 1. Start the new PMDs.  Their slots are taken first, so that ports
     * whose tx queues they would share are switched to locking (and every
     * running PMD has seen it) before they send. */
    struct pmd *started[DP_MAX_PMDS];
    unsigned int slots[DP_MAX_PMDS];
    unsigned int n_started = 0, n_new = 0;
    for (unsigned int c = 0; c < 64; c++) {
        if (add & (UINT64_C(1) << c)) {
            slots[n_new++] = dp_take_slot(dp);
        }
    }
    dp_update_txq_sharing(dp);
    dp_barrier(dp);
    for (unsigned int c = 0, k = 0; c < 64; c++) {
        if (!(add & (UINT64_C(1) << c))) {
            continue;
        }
        struct pmd *pmd = pmd_start(dp, slots[k++], c,
                                    dp->pmd_idle_sleep_us, err);
        if (!pmd) {
            /* Undo: the new PMDs have no queue yet. */
            for (unsigned int i = 0; i < n_started; i++) {
                for (unsigned int j = 0; j < dp->n_pmds; j++) {
                    if (dp->pmds[j] == started[i]) {
                        dp_remove_pmd(dp, j);
                        break;
                    }
                }
            }
            for (unsigned int i = 0; i < n_new; i++) {
                dp->slot_used[slots[i]] = false;
            }
            dp_update_txq_sharing(dp);
            return -ENOMEM;
        }
        started[n_started++] = pmd;
        dp_insert_pmd(dp, pmd);
    }

    /* 2. The queues go to the PMDs that stay. */
    bool keep[DP_MAX_PMDS];
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        keep[i] = (mask >> dp->pmds[i]->core_id) & 1;
    }
    int moved = dp_reassign_rxqs(dp, keep);
    if (moved < 0) {
        VLOG_WARN("rx queue re-assignment incomplete: %s",
                  strerror(-moved));
    }
    /* Queues that were not polled (held) stay so; those of a removed PMD
     * that the re-assignment could not move are taken off now. */
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        struct port *port = dp->ports[p];
        for (uint16_t q = 0; port && q < port->n_rxq; q++) {
            struct pmd_rxq *rxq = &dp->rxqs[p][q];
            if (rxq->pmd && !((mask >> rxq->pmd->core_id) & 1)) {
                dp_unassign_rxq(dp, rxq);
            }
        }
    }
    dp_sync(dp);

    /* 3. The PMDs that go poll nothing now: handle the upcalls they
     * queued (while they still run, since handling installs megaflows in
     * them), then stop them. */
    for (unsigned int i = dp->n_pmds; i-- > 0;) {
        struct pmd *pmd = dp->pmds[i];
        if (!((del >> pmd->core_id) & 1)) {
            continue;
        }
        if (dp->drain_upcalls) {
            dp->drain_upcalls(pmd, dp->drain_aux);
        }
        dp_remove_pmd(dp, i);
    }
    dp_update_txq_sharing(dp);
    /* Queues that had no PMD left to go to before (none at start-up). */
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        if (dp->ports[p]) {
            dp_assign_port_rxqs(dp, dp->ports[p]);
        }
    }
    dp_sync(dp);

    struct dstr cores = DSTR_INIT;
    dstr_put(&cores, "started [");
    dp_format_cores(&cores, add);
    dstr_put(&cores, "], stopped [");
    dp_format_cores(&cores, del);
    dstr_put(&cores, "]");
    VLOG_INFO("pmd cpu mask 0x%llx: %s", (unsigned long long) mask,
              dstr_cstr(&cores));
    dstr_free(&cores);
    return 0;
}
