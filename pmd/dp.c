/* dp: the datapath's port space and tunables, driven by the control
 * thread.  The PMD set is in dp_pmds.c, the text output in dp_show.c. */
#include "pmd/dp.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mempool.h>

#include "pmd/actions.h"
#include "pmd/dp_private.h"
#include "pmd/dpcls.h"
#include "pmd/emc.h"
#include "pmd/megaflow.h"
#include "pmd/pmd.h"
#include "pmd/pmd_private.h"
#include "pmd/port.h"
#include "pmd/rxq_sched.h"
#include "pmd/shared.h"
#include "pmd/tx.h"
#include "src/util/dstr.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(dp);

#define DP_SYNC_TIMEOUT_MS 2000

struct dp_zombie_pool {
    struct rte_mempool *mp;
    struct dp_zombie_pool *next;
};

static uint64_t
dp_thread_affinity(void)
{
    cpu_set_t set;
    uint64_t mask = 0;
    if (sched_getaffinity(0, sizeof set, &set)) {
        return 0;
    }
    for (int i = 0; i < 64 && i < CPU_SETSIZE; i++) {
        if (CPU_ISSET(i, &set)) {
            mask |= UINT64_C(1) << i;
        }
    }
    return mask;
}

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
    dp->usable_cores = pmd_mask | dp_thread_affinity();
    dp->slot_used[0] = true;        /* The control thread. */
    dp->control_tx = malloc(sizeof *dp->control_tx);
    dp->retired_tx = calloc(DP_MAX_PORTS, sizeof *dp->retired_tx);
    if (!dp->control_tx || !dp->retired_tx) {
        dstr_put(err, "out of memory");
        free(dp->control_tx);
        free(dp->retired_tx);
        free(dp);
        return NULL;
    }
    tx_ctx_init(dp->control_tx, dp, 0);
    VLOG_INFO("megaflow classifier: %s subtable lookups",
              dpcls_vector_enabled() ? "AVX-512" : "generic");
    if (pmd_mask && dp_set_pmd_mask(dp, pmd_mask, err)) {
        dp_destroy(dp);
        return NULL;
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
    free(dp->retired_tx);
    free(dp);
}

void
dp_set_usable_cores(struct dp *dp, uint64_t mask)
{
    dp->usable_cores = mask | dp->pmd_mask;
}

void
dp_set_upcall_drain(struct dp *dp, void (*drain)(struct pmd *, void *),
                    void *aux)
{
    dp->drain_upcalls = drain;
    dp->drain_aux = aux;
}

unsigned int
dp_n_tx_threads(const struct dp *dp)
{
    unsigned int n = 1;
    for (unsigned int s = 0; s < DP_N_SLOTS; s++) {
        if (dp->slot_used[s]) {
            n = s + 1;
        }
    }
    return n;
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

void
dp_reclaim(struct dp *dp)
{
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        pmd_reclaim(dp->pmds[i]);
    }
}

int
dp_set_pmd_stall(struct dp *dp, unsigned int core, bool stall)
{
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        if (dp->pmds[i]->core_id == core) {
            pmd_set_stall(dp->pmds[i], stall);
            return 0;
        }
    }
    return -ENOENT;
}

int
dp_barrier(struct dp *dp)
{
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        pmd_barrier(dp->pmds[i]);
    }
    return dp_sync(dp);
}

void
dp_update_txq_sharing(struct dp *dp)
{
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        struct port *port = dp->ports[p];
        if (port) {
            bool shared = rxq_sched_txq_shared(dp->slot_used, DP_N_SLOTS,
                                               port->n_txq);
            SHARED_PUBLISH(port->txq_shared, shared);
        }
    }
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

int
dp_port_lookup(const char *name, uint32_t *port_no, void *dp)
{
    struct port *port = dp_port_by_name(dp, name);
    if (!port) {
        return -ENOENT;
    }
    *port_no = port->port_no;
    return 0;
}

const char *
dp_port_name(uint32_t port_no, void *dp_)
{
    struct dp *dp = dp_;
    return port_no < DP_MAX_PORTS && dp->ports[port_no]
           ? dp->ports[port_no]->name : NULL;
}

void
dp_assign_rxq(struct dp *dp, struct pmd_rxq *q)
{
    unsigned int counts[DP_MAX_PMDS];
    bool eligible[DP_MAX_PMDS];
    int pin = dp_rxq_pin(dp, q->port, q->qid);
    int best = -1;

    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        counts[i] = dp->pmds[i]->n_assigned;
        eligible[i] = !((dp->isolated_cores >> dp->pmds[i]->core_id) & 1);
        if (pin >= 0 && dp->pmds[i]->core_id == (unsigned int) pin) {
            best = (int) i;
        }
    }
    if (best < 0) {
        best = rxq_sched_pick_eligible(counts, eligible, dp->n_pmds);
        dp_warn_assignment(q, pin, best < 0 ? NULL : dp->pmds[best]);
        if (best < 0) {
            return;
        }
    }
    struct pmd *pmd = dp->pmds[best];
    if (pmd_add_rxq(pmd, q)) {
        VLOG_ERR("out of memory: queue %u of port %s not polled", q->qid,
                 q->port->name);
        return;
    }
    q->pmd = pmd;
    pmd->n_assigned++;
}

int
dp_unassign_rxq(struct dp *dp, struct pmd_rxq *q)
{
    (void) dp;
    if (q->pmd) {
        int error = pmd_del_rxq(q->pmd, q);
        if (error) {
            /* Still polled there: never let a second PMD poll it. */
            VLOG_ERR("out of memory: queue %u of port %s stays on core %u",
                     q->qid, q->port->name, pmd_core_id(q->pmd));
            return error;
        }
        q->pmd->n_assigned--;
        q->pmd = NULL;
    }
    return 0;
}

bool
dp_port_wants_polling(const struct dp *dp, const struct port *port)
{
    return dp->n_pmds && !dp->hold_rxqs && !port->admin_down
           && !port->failed;
}

bool
dp_port_polled(const struct dp *dp, const struct port *port)
{
    return dp_port_wants_polling(dp, port) && !port->tx_off;
}

void
dp_assign_port_rxqs(struct dp *dp, struct port *port)
{
    if (!dp_port_wants_polling(dp, port) || dp_refresh_isolation(dp)) {
        return;
    }
    for (uint16_t q = 0; q < port->n_rxq; q++) {
        if (!dp->rxqs[port->port_no][q].pmd && port_rxq_wanted(port, q)) {
            dp_assign_rxq(dp, &dp->rxqs[port->port_no][q]);
        }
    }
}

/* Whether every PMD has applied every command sent to it. */
static bool
dp_pmds_caught_up(const struct dp *dp)
{
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        const struct pmd *pmd = dp->pmds[i];
        if (SHARED_ACQUIRE(pmd->cmd_done) < pmd->cmd_sent) {
            return false;
        }
    }
    return true;
}

/* Applies what the guest of vhost-user port 'port' changed.  Returns
 * false to be called again later (a queue to poll again waits until no
 * PMD can still be polling it from before). */
static bool
dp_apply_vhost(struct dp *dp, struct port *port)
{
    uint64_t rx, tx;
    uint64_t gen = vhost_queues_read(port->vhost, &rx, &tx);
    if (gen == port->vhost_gen) {
        return true;
    }
    int16_t map[VHOST_QUEUES_MAX];
    uint16_t n_txq = RTE_MIN(port->n_txq, VHOST_QUEUES_MAX);
    vhost_txq_map(tx, n_txq, map);
    for (uint16_t q = 0; q < n_txq; q++) {
        if (port->txq_map[q] != map[q]) {
            SHARED_SET(port->txq_map[q], map[q]);
        }
    }
    uint64_t all = port->n_rxq >= 64 ? UINT64_MAX
                                     : (UINT64_C(1) << port->n_rxq) - 1;
    rx &= all;
    uint64_t gone = port->rxq_enabled & ~rx;
    uint64_t came = rx & ~port->rxq_enabled;
    port->rxq_enabled &= ~gone;
    for (uint16_t q = 0; q < port->n_rxq; q++) {
        if ((gone >> q) & 1) {
            dp_unassign_rxq(dp, &dp->rxqs[port->port_no][q]);
        }
    }
    if (came && !dp_pmds_caught_up(dp)) {
        return false;
    }
    port->rxq_enabled = rx;
    if (came) {
        dp_assign_port_rxqs(dp, port);
    }
    port->vhost_gen = gen;
    VLOG_INFO("port %u: %s: the guest reads tx queues 0x%llx and sends on "
              "rx queues 0x%llx (of %u)", port->port_no, port->name,
              (unsigned long long) (tx & all), (unsigned long long) rx,
              port->n_rxq);
    return true;
}

void
dp_poll_vhost(struct dp *dp)
{
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        struct port *port = dp->ports[p];
        if (port && port->vhost && !port->failed && port->txq_map) {
            dp_apply_vhost(dp, port);
        }
    }
}

/* Stops polling 'port' and sending to it.  Returns 0 once no thread
 * touches the device any more, or -ETIMEDOUT if a PMD did not answer
 * (then it may still: leave the device alone). */
static int
dp_port_quiesce(struct dp *dp, struct port *port)
{
    for (uint16_t q = 0; q < port->n_rxq; q++) {
        dp_unassign_rxq(dp, &dp->rxqs[port->port_no][q]);
    }
    tx_flush(dp->control_tx);
    SHARED_PUBLISH(port->tx_off, true);
    return dp_barrier(dp);
}

/* Lets threads send to 'port' again and polls it, if it should be. */
static void
dp_port_resume(struct dp *dp, struct port *port)
{
    if (port->admin_down || port->failed) {
        return;
    }
    SHARED_PUBLISH(port->tx_off, false);
    dp_assign_port_rxqs(dp, port);
    dp_sync(dp);
}

static struct pmd_rxq *
dp_alloc_rxqs(struct port *port)
{
    /* Cache-line aligned (calloc is not): one line per queue. */
    struct pmd_rxq *rxqs = aligned_alloc(_Alignof(struct pmd_rxq),
                                         port->n_rxq * sizeof *rxqs);
    if (rxqs) {
        memset(rxqs, 0, port->n_rxq * sizeof *rxqs);
    }
    for (uint16_t q = 0; rxqs && q < port->n_rxq; q++) {
        rxqs[q].port = port;
        rxqs[q].port_id = port->port_id;
        rxqs[q].qid = q;
    }
    return rxqs;
}

static void
dp_zombie_add(struct dp *dp, struct rte_mempool *mp)
{
    if (!mp) {
        return;
    }
    struct dp_zombie_pool *z = malloc(sizeof *z);
    if (z) {
        z->mp = mp;
        z->next = dp->zombies;
        dp->zombies = z;
    } else {
        VLOG_WARN("out of memory: mempool %s leaked", mp->name);
    }
}

/* A removed port whose device closes once no PMD can touch it. */
struct dp_closing {
    struct dp_closing *next;
    struct dp *dp;
    struct port *port;
    struct pmd_rxq *rxqs;
    unsigned int waiting;       /* PMDs yet to move past the removal. */
};

/* The device name in 'devargs' (up to the first comma). */
static size_t
devname_len(const char *devargs)
{
    return devargs ? strcspn(devargs, ",") : 0;
}

static void
dp_close_now(struct dp *dp, struct port *port, struct pmd_rxq *rxqs)
{
    /* Its mbufs may still sit in other ports' tx rings: the pool is freed
     * only when all have come back. */
    struct rte_mempool *mp;
    free(rxqs);
    port_close(port, &mp);
    dp_zombie_add(dp, mp);
    dp_reap_mempools(dp);
}

/* pmd_defer() callback: one more PMD has moved past the removal. */
static void
dp_closing_pmd_done(void *c_)
{
    struct dp_closing *c = c_;
    if (--c->waiting) {
        return;
    }
    for (struct dp_closing **p = &c->dp->closing; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    dp_close_now(c->dp, c->port, c->rxqs);
    free(c);
}

static void
dp_close_later(struct dp *dp, struct port *port, struct pmd_rxq *rxqs)
{
    struct dp_closing *c = malloc(sizeof *c);
    if (!dp->n_pmds || !c) {
        free(c);
        if (dp->n_pmds && dp_sync(dp)) {
            VLOG_ERR("port %s: out of memory and a PMD does not answer: "
                     "its device stays open", port->name);
            return;
        }
        dp_close_now(dp, port, rxqs);
        return;
    }
    *c = (struct dp_closing) { .dp = dp, .port = port, .rxqs = rxqs,
                               .waiting = dp->n_pmds + 1 };
    c->next = dp->closing;
    dp->closing = c;
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        if (pmd_defer(dp->pmds[i], dp_closing_pmd_done, c, 0)) {
            VLOG_ERR("port %s: out of memory: its device stays open",
                     port->name);
        }
    }
    dp_closing_pmd_done(c);     /* The reference of this function. */
}

/* The removed port whose device is still open and is named 'name' or is
 * the device of 'devargs', or NULL. */
static struct dp_closing *
dp_find_closing(const struct dp *dp, const char *name, const char *devargs)
{
    size_t n = devname_len(devargs);
    for (struct dp_closing *c = dp->closing; c; c = c->next) {
        const char *d = c->port->devargs;
        if (!strcmp(c->port->name, name)
            || (n && devname_len(d) == n && !strncmp(d, devargs, n))) {
            return c;
        }
    }
    return NULL;
}

/* A port being added takes the name or device of one still closing (a
 * device swap, a del-port and add-port in one transaction): the removal
 * must end first.  With PMDs that answer it ends within an iteration;
 * this waits for that, at most DP_SYNC_TIMEOUT_MS, and else refuses. */
static int
dp_wait_closing(struct dp *dp, const char *name, const char *devargs,
                struct dstr *err)
{
    uint64_t deadline = rte_get_timer_cycles()
                        + rte_get_timer_hz() / 1000 * DP_SYNC_TIMEOUT_MS;
    while (dp_find_closing(dp, name, devargs)) {
        dp_reclaim(dp);
        if (!dp_find_closing(dp, name, devargs)) {
            break;
        }
        if (rte_get_timer_cycles() > deadline) {
            dstr_printf(err, "%s: the device of a removed port of this "
                        "name or device is still in use by a PMD that does "
                        "not answer; try again later", name);
            return -EBUSY;
        }
        rte_delay_us_sleep(10);
    }
    return 0;
}

int
dp_port_add(struct dp *dp, const struct port_config *cfg, struct dstr *err)
{
    uint32_t port_no;

    if (dp_port_by_name(dp, cfg->name)) {
        dstr_printf(err, "port %s already exists", cfg->name);
        return -EEXIST;
    }
    int error = dp_wait_closing(dp, cfg->name, cfg->devargs, err);
    if (error) {
        return error;
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
    error = port_open(cfg, port_no, dp_n_tx_threads(dp), &port, err);
    if (error == -ENOMEM && dp->zombies) {
        /* Pools of removed ports whose mbufs are back but that the reap
         * timer has not freed yet: free them and try again. */
        dp_reap_mempools(dp);
        dstr_clear(err);
        error = port_open(cfg, port_no, dp_n_tx_threads(dp), &port, err);
    }
    if (error) {
        return error;
    }
    struct pmd_rxq *rxqs = dp_alloc_rxqs(port);
    if (!rxqs) {
        struct rte_mempool *mp;
        port_close(port, &mp);
        rte_mempool_free(mp);
        dstr_put(err, "out of memory");
        return -ENOMEM;
    }
    port->txq_shared = rxq_sched_txq_shared(dp->slot_used, DP_N_SLOTS,
                                            port->n_txq);
    memset(&dp->retired_tx[port_no], 0, sizeof dp->retired_tx[port_no]);
    dp->rxqs[port_no] = rxqs;
    SHARED_PUBLISH(dp->ports[port_no], port);
    dp->next_port_no = (port_no + 1) % DP_MAX_PORTS;
    dp_assign_port_rxqs(dp, port);
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

    /* 1. Stop polling it; its megaflows (outputs to it) go, and traffic
     * re-translates. */
    for (uint16_t q = 0; q < port->n_rxq; q++) {
        dp_unassign_rxq(dp, &dp->rxqs[port_no][q]);
    }
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        megaflow_flush(dp->pmds[i]);
    }

    /* 2. Take it out of the table (a thread that sends to the number now
     * counts a drop) and clear the threads' buffers and counters for its
     * number (the PMDs in order after the commands above). */
    SHARED_PUBLISH(dp->ports[port_no], NULL);
    for (unsigned int i = 0; i < dp->n_pmds; i++) {
        pmd_forget_port(dp->pmds[i], port_no);
    }
    tx_forget_port(dp->control_tx, port_no);
    struct pmd_rxq *rxqs = dp->rxqs[port_no];
    dp->rxqs[port_no] = NULL;
    free(dp->rxq_pins[port_no]);
    dp->rxq_pins[port_no] = NULL;
    dp->n_rxq_pins[port_no] = 0;
    memset(&dp->retired_tx[port_no], 0, sizeof dp->retired_tx[port_no]);
    /* PMDs its pinned queues isolated take other queues again. */
    dp_refresh_isolation(dp);

    /* 3. Close the device once every PMD has applied all that and left
     * the iteration it was in: no thread touches the device or its rx
     * queues any more.  Nothing waits for that here. */
    dp_close_later(dp, port, rxqs);
    return 0;
}

int
dp_port_reconfigure(struct dp *dp, const char *name,
                    const struct port_config *cfg, struct dstr *err)
{
    struct port *port = dp_port_by_name(dp, name);
    if (!port) {
        dstr_printf(err, "no port named %s", name);
        return -ENOENT;
    }
    if (cfg->devargs && strcmp(cfg->devargs, port->devargs)) {
        dstr_printf(err, "%s: devargs cannot change (\"%s\" to \"%s\"); "
                    "delete the port and add it again", name,
                    port->devargs, cfg->devargs);
        return -EINVAL;
    }
    if (cfg->tx_retries != port->cfg.tx_retries) {
        /* Read by senders on short bursts only: no restart needed. */
        port->cfg.tx_retries = cfg->tx_retries;
        SHARED_SET(port->tx_retries, cfg->tx_retries);
    }
    if (!port_config_differs(port, cfg)) {
        return 0;
    }

    uint32_t port_no = port->port_no;
    uint16_t old_n_rxq = port->n_rxq;
    if (dp_port_quiesce(dp, port)) {
        /* Never touch a device a PMD may still use. */
        dp_port_resume(dp, port);
        dstr_printf(err, "%s: not reconfigured: a PMD does not answer",
                    name);
        return -ETIMEDOUT;
    }

    struct rte_mempool *garbage[PORT_MAX_GARBAGE];
    unsigned int n_garbage;
    struct dstr msg = DSTR_INIT;
    int error = port_reconfigure(port, cfg, dp_n_tx_threads(dp), garbage,
                                 &n_garbage, &msg);
    for (unsigned int i = 0; i < n_garbage; i++) {
        dp_zombie_add(dp, garbage[i]);
    }
    if (port->admin_down && !port->failed) {
        /* Starting the device again may have brought its link up. */
        struct dstr ignored = DSTR_INIT;
        port_set_admin(port, false, &ignored);
        dstr_free(&ignored);
    }
    /* New queues (the count or even the ethdev may have changed): none
     * is assigned now, so nobody uses the old array. */
    struct pmd_rxq *rxqs = dp_alloc_rxqs(port);
    if (rxqs) {
        free(dp->rxqs[port_no]);
        dp->rxqs[port_no] = rxqs;
    } else {
        /* Keep the old array for the queues both configurations have. */
        VLOG_ERR("%s: out of memory: polling %u of %u rx queues", name,
                 RTE_MIN(old_n_rxq, port->n_rxq), port->n_rxq);
        port->n_rxq = RTE_MIN(old_n_rxq, port->n_rxq);
        for (uint16_t q = 0; q < port->n_rxq; q++) {
            dp->rxqs[port_no][q].port_id = port->port_id;
        }
    }
    dp_update_txq_sharing(dp);
    dp_port_resume(dp, port);
    dp_refresh_isolation(dp);     /* If it stays down. */
    if (error) {
        dstr_printf(err, "%s: %s", name, dstr_cstr(&msg));
    }
    dstr_free(&msg);
    return error;
}

int
dp_port_set_admin(struct dp *dp, uint32_t port_no, bool up, struct dstr *err)
{
    struct port *port = port_no < DP_MAX_PORTS ? dp->ports[port_no] : NULL;
    if (!port) {
        dstr_printf(err, "no port number %u", port_no);
        return -ENOENT;
    }
    if (up == !port->admin_down) {
        return 0;
    }
    int error = port_set_admin(port, up, err);
    if (error) {
        return error;
    }
    if (up) {
        dp_port_resume(dp, port);
    } else {
        dp_port_quiesce(dp, port);
        dp_refresh_isolation(dp);
    }
    VLOG_INFO("port %u: %s administratively %s", port_no, port->name,
              up ? "up" : "down");
    return 0;
}

int
dp_port_status(struct dp *dp, uint32_t port_no, struct port_status *st)
{
    struct port *port = port_no < DP_MAX_PORTS ? dp->ports[port_no] : NULL;
    if (!port) {
        return -ENOENT;
    }
    struct tx_port_stats tx;
    port_get_status(port, st);
    dp_port_tx_stats(dp, port_no, &tx);
    st->stats.tx_dropped = tx.dropped;
    st->stats.tx_short_bursts = tx.short_bursts;
    st->stats.tx_retries = tx.retries;
    st->stats.tx_failure_drops = tx.failed;
    st->stats.tx_mtu_drops = tx.mtu_dropped;
    return 0;
}

unsigned int
dp_poll_links(struct dp *dp)
{
    unsigned int n = 0;
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        if (dp->ports[p] && !dp->ports[p]->failed
            && port_poll_link(dp->ports[p])) {
            n++;
        }
    }
    return n;
}

void
dp_port_tx_stats(struct dp *dp, uint32_t port_no, struct tx_port_stats *s)
{
    *s = dp->retired_tx[port_no];
    for (unsigned int i = 0; i <= dp->n_pmds; i++) {
        const struct tx_ctx *tx = i < dp->n_pmds ? &dp->pmds[i]->tx
                                                 : dp->control_tx;
        s->packets += SHARED_READ(tx->stats[port_no].packets);
        s->dropped += SHARED_READ(tx->stats[port_no].dropped);
        s->short_bursts += SHARED_READ(tx->stats[port_no].short_bursts);
        s->retries += SHARED_READ(tx->stats[port_no].retries);
        s->failed += SHARED_READ(tx->stats[port_no].failed);
        s->mtu_dropped += SHARED_READ(tx->stats[port_no].mtu_dropped);
    }
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
        if (dp->ports[p]) {
            dp_assign_port_rxqs(dp, dp->ports[p]);
        }
    }
    dp_sync(dp);
}

/* ---- Tunables. ---- */

static int
dp_check_range(const char *what, uint64_t v, uint64_t min, uint64_t max,
               struct dstr *err)
{
    if (v < min || v > max) {
        dstr_printf(err, "%s %lu out of range (%lu to %lu)", what,
                    (unsigned long) v, (unsigned long) min,
                    (unsigned long) max);
        return -EINVAL;
    }
    return 0;
}

int
dp_set_flow_limit(struct dp *dp, unsigned int limit, struct dstr *err)
{
    if (dp_check_range("flow limit", limit, 1, DP_FLOW_LIMIT_MAX, err)) {
        return -EINVAL;
    }
    dp->flow_limit = limit;     /* Read by the control thread only. */
    return 0;
}

int
dp_set_max_idle(struct dp *dp, unsigned int ms, struct dstr *err)
{
    if (dp_check_range("max idle (ms)", ms, DP_MAX_IDLE_MS_MIN,
                       DP_MAX_IDLE_MS_MAX, err)) {
        return -EINVAL;
    }
    dp->max_idle_ms = ms;       /* Read by the control thread only. */
    return 0;
}

int
dp_set_emc_insert_inv_prob(struct dp *dp, unsigned int inv_prob,
                           struct dstr *err)
{
    if (dp_check_range("EMC insert inverse probability", inv_prob, 0,
                       DP_EMC_INV_PROB_MAX, err)) {
        return -EINVAL;
    }
    if (inv_prob == dp->emc_insert_inv_prob) {
        return 0;
    }
    dp->emc_insert_inv_prob = inv_prob;
    for (unsigned int p = 0; p < dp->n_pmds; p++) {
        pmd_set_emc_insert_inv_prob(dp->pmds[p], inv_prob);
    }
    dp_sync(dp);
    return 0;
}

int
dp_set_upcall_limit(struct dp *dp, uint64_t rate, uint64_t burst,
                    struct dstr *err)
{
    if (dp_check_range("upcall rate", rate, 0, DP_UPCALL_RATE_MAX, err)
        || dp_check_range("upcall burst", burst, 1, DP_UPCALL_BURST_MAX,
                          err)) {
        return -EINVAL;
    }
    if (rate == dp->upcall_rate && burst == dp->upcall_burst) {
        return 0;           /* The reconciler may repeat itself. */
    }
    dp->upcall_rate = rate;
    dp->upcall_burst = burst;
    for (unsigned int p = 0; p < dp->n_pmds; p++) {
        pmd_set_upcall_limit(dp->pmds[p], rate, burst);
    }
    dp_sync(dp);
    return 0;
}

int
dp_set_pmd_idle_sleep(struct dp *dp, unsigned int us, struct dstr *err)
{
    if (dp_check_range("pmd idle sleep (us)", us, 0, DP_IDLE_SLEEP_US_MAX,
                       err)) {
        return -EINVAL;
    }
    if (us == dp->pmd_idle_sleep_us) {
        return 0;
    }
    dp->pmd_idle_sleep_us = us;
    for (unsigned int p = 0; p < dp->n_pmds; p++) {
        pmd_set_idle_sleep(dp->pmds[p], us);
    }
    dp_sync(dp);
    return 0;
}

unsigned int
dp_n_pmds(const struct dp *dp)
{
    return dp->n_pmds;
}

struct pmd *
dp_pmd(const struct dp *dp, unsigned int i)
{
    return i < dp->n_pmds ? dp->pmds[i] : NULL;
}

uint64_t
dp_pmd_mask(const struct dp *dp)
{
    return dp->pmd_mask;
}

struct port *
dp_port(const struct dp *dp, uint32_t port_no)
{
    return port_no < DP_MAX_PORTS ? dp->ports[port_no] : NULL;
}

struct tx_ctx *
dp_control_tx(const struct dp *dp)
{
    return dp->control_tx;
}

void
dp_get_tunables(const struct dp *dp, struct dp_tunables *t)
{
    *t = (struct dp_tunables) {
        .pmd_idle_sleep_us = dp->pmd_idle_sleep_us,
        .flow_limit = dp->flow_limit,
        .max_idle_ms = dp->max_idle_ms,
        .emc_insert_inv_prob = dp->emc_insert_inv_prob,
        .upcall_rate = dp->upcall_rate,
        .upcall_burst = dp->upcall_burst,
    };
}
