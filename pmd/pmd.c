/* pmd: poll-mode threads - the poll loop, its counters and commands. */
#include "pmd/pmd.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <numa.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "pmd/actions.h"
#include "pmd/dp.h"
#include "pmd/dp_private.h"
#include "pmd/packet.h"
#include "pmd/pipeline.h"
#include "pmd/pmd_private.h"
#include "pmd/port.h"
#include "pmd/shared.h"
#include "pmd/upcall_ring.h"
#include "src/util/dstr.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(pmd);

#define PMD_RX_BURST 32
#define PMD_CMD_RING_SIZE 1024
#define PMD_UPCALL_RING_SIZE 4096
/* Deferred frees run for at most this long per reclaim pass and PMD (and
 * at least a few): a large flush is freed over several passes, with the
 * loop answering in between. */
#define PMD_RECLAIM_BUDGET_US 500
/* A PMD that has not moved on for this long is logged as lagging. */
#define PMD_LAG_WARN_MS 1000

_Static_assert(PMD_RX_BURST <= PIPELINE_BATCH,
               "a burst must fit in one pipeline batch");

enum pmd_cmd_type {
    PMD_CMD_ADD_RXQ,
    PMD_CMD_DEL_RXQ,
    PMD_CMD_FORGET_PORT,
    PMD_CMD_INSTALL_FLOW,
    PMD_CMD_DELETE_FLOWS,
    PMD_CMD_CLEAR_FLOW_STATS,
    PMD_CMD_SET_UPCALL_LIMIT,
    PMD_CMD_SET_EMC_PROB,
    PMD_CMD_SET_IDLE_SLEEP,
    PMD_CMD_BARRIER,
};

struct pmd_cmd {
    uint32_t type;
    uint32_t arg;               /* Port number, EMC probability. */
    void *ptr;                  /* Rx queue or megaflow. */
    uint64_t arg2, arg3;        /* Upcall rate and burst. */
};

static void
pmd_apply(struct pmd *pmd, const struct pmd_cmd *cmd)
{
    struct pmd_rxq *rxq = cmd->ptr;
    struct megaflow *mf = cmd->ptr;

    switch (cmd->type) {
    case PMD_CMD_ADD_RXQ:
        if (pmd->n_rxqs < PMD_MAX_RXQS) {
            pmd->rxqs[pmd->n_rxqs++] = rxq;
        } else {
            VLOG_ERR("pmd on core %u: poll list full, queue %u of port "
                     "%s not polled", pmd->core_id, rxq->qid,
                     rxq->port->name);
        }
        break;
    case PMD_CMD_DEL_RXQ:
        for (unsigned int i = 0; i < pmd->n_rxqs; i++) {
            if (pmd->rxqs[i] == rxq) {
                memmove(&pmd->rxqs[i], &pmd->rxqs[i + 1],
                        (pmd->n_rxqs - i - 1) * sizeof pmd->rxqs[0]);
                pmd->n_rxqs--;
                break;
            }
        }
        break;
    case PMD_CMD_FORGET_PORT:
        tx_forget_port(&pmd->tx, cmd->arg);
        break;
    case PMD_CMD_INSTALL_FLOW:
        if (dpcls_insert(&pmd->cls, &mf->rule, &mf->key_mf, &mf->mask_mf)) {
            /* The control thread's shadow makes this impossible. */
            VLOG_ERR("pmd on core %u: megaflow %lu not installed",
                     pmd->core_id, mf->id);
            mf->rule.dead = true;
        }
        break;
    case PMD_CMD_DELETE_FLOWS: {
        /* 'ptr' is an array of 'arg' rules of megaflows, the control
         * thread's until we acknowledge. */
        const struct dpcls_rule **rules = cmd->ptr;
        for (uint32_t i = 0; i < cmd->arg; i++) {
            if (!rules[i]->dead) {
                dpcls_remove(&pmd->cls, (struct dpcls_rule *) rules[i]);
            }
        }
        emc_remove_rules(&pmd->emc, rules, cmd->arg);
        break;
    }
    case PMD_CMD_CLEAR_FLOW_STATS:
        mf->packets = 0;
        mf->bytes = 0;
        mf->used = 0;
        mf->tcp_flags = 0;
        break;
    case PMD_CMD_SET_UPCALL_LIMIT:
        pmd->upcall_limit.rate = cmd->arg2;
        pmd->upcall_limit.burst = cmd->arg3;
        pmd->upcall_limit.tokens = cmd->arg3 * rte_get_tsc_hz();
        pmd->upcall_limit.last_tsc = rte_rdtsc();
        break;
    case PMD_CMD_SET_EMC_PROB:
        emc_set_insert_inv_prob(&pmd->emc, cmd->arg);
        break;
    case PMD_CMD_SET_IDLE_SLEEP:
        pmd->idle_sleep_us = cmd->arg;
        break;
    case PMD_CMD_BARRIER:
        break;
    }
}

/* Applies at most 16 of the commands the control thread has posted
 * (acquire: what they point to is visible), only those counted in
 * 'cmd_posted' as read: a command enqueued after that read waits for the
 * next iteration. */
static void
pmd_run_commands(struct pmd *pmd)
{
    struct pmd_cmd cmds[16];
    uint64_t posted = SHARED_ACQUIRE(pmd->cmd_posted);
    unsigned int want = posted - pmd->cmd_done < 16
                        ? (unsigned int) (posted - pmd->cmd_done) : 16;
    unsigned int n = rte_ring_sc_dequeue_burst_elem(pmd->cmd_ring, cmds,
                                                    sizeof cmds[0], want,
                                                    NULL);
    if (n) {
        for (unsigned int i = 0; i < n; i++) {
            pmd_apply(pmd, &cmds[i]);
        }
        SHARED_PUBLISH(pmd->cmd_done, pmd->cmd_done + n);
    }
}

static void
pmd_idle_sleep(unsigned int us)
{
    struct timespec ts = { .tv_sec = us / 1000000,
                           .tv_nsec = (long) (us % 1000000) * 1000 };
    nanosleep(&ts, NULL);
}

/* A stalled PMD (test hook) spins here without polling, applying
 * commands or reporting quiescence, as one stuck in a driver would. */
static void
pmd_stalled(struct pmd *pmd)
{
    while (SHARED_READ(pmd->stall) && !SHARED_READ(pmd->exit)) {
        pmd_idle_sleep(100);
    }
}

/* Charges the tx flush that ended an iteration to the queues that had
 * packets in it, by their share of the packets, so that rebalancing sees
 * the same costs with one queue and with several. */
static void
pmd_charge_flush(struct pmd_rxq **qs, const uint16_t *n, unsigned int k,
                 uint32_t n_total, uint64_t cycles)
{
    for (unsigned int i = 0; i < k; i++) {
        SHARED_COUNT(qs[i]->cycles, cycles * n[i] / n_total);
    }
}

/* Reads the TSC once per busy iteration with one queue (an iteration
 * starts where the previous one ended), plus once per queue with packets
 * when there are several: RDTSC costs tens of cycles, about a cycle per
 * packet of a 32-packet burst each.  Commands and the subtable re-ranking
 * count as busy (and as command cycles).  Quiescence is reported at the
 * end of every iteration, after the commands. */
static void
pmd_poll_loop(struct pmd *pmd)
{
    struct rte_mbuf *pkts[PMD_RX_BURST];
    struct pmd_rxq *busy_q[PMD_MAX_RXQS];
    uint16_t busy_n[PMD_MAX_RXQS];
    uint64_t resort_interval = rte_get_tsc_hz();
    uint64_t start = rte_rdtsc();

    pmd->next_resort_tsc = start + resort_interval;
    while (!SHARED_READ(pmd->exit)) {
        uint64_t now = start;
        uint32_t n_total = 0;
        unsigned int n_rxqs = pmd->n_rxqs, n_busy = 0;

        pmd->now_tsc = start;
        for (unsigned int i = 0; i < n_rxqs; i++) {
            struct pmd_rxq *q = pmd->rxqs[i];
            uint16_t n = rte_eth_rx_burst(q->port_id, q->qid, pkts,
                                          PMD_RX_BURST);
            if (!n) {
                continue;
            }
            pipeline_process(pmd, pkts, n, q->port->port_no, 0);
            SHARED_COUNT(q->packets, n);
            if (n_rxqs > 1) {
                uint64_t t = rte_rdtsc();
                SHARED_COUNT(q->cycles, t - now);
                now = t;
                busy_q[n_busy] = q;
                busy_n[n_busy++] = n;
            }
            n_total += n;
        }
        tx_flush(&pmd->tx);

        uint64_t end = rte_rdtsc();
        if (n_total) {
            if (n_rxqs == 1) {
                SHARED_COUNT(pmd->rxqs[0]->cycles, end - start);
            } else {
                pmd_charge_flush(busy_q, busy_n, n_busy, n_total,
                                 end - now);
            }
            SHARED_COUNT(pmd->stats.packets_rx, n_total);
            SHARED_COUNT(pmd->stats.cycles_busy, end - start);
        } else {
            SHARED_COUNT(pmd->stats.cycles_idle, end - start);
        }
        SHARED_COUNT(pmd->stats.iterations, 1);
        start = end;

        bool housekeeping = false;
        if (unlikely(SHARED_READ(pmd->cmd_posted) != pmd->cmd_done)) {
            pmd_run_commands(pmd);
            housekeeping = true;
        }
        if (unlikely(end > pmd->next_resort_tsc)) {
            dpcls_sort_subtables(&pmd->cls);
            pmd->next_resort_tsc = end + resort_interval;
            housekeeping = true;
        }
        if (unlikely(SHARED_READ(pmd->stall))) {
            pmd_stalled(pmd);
            start = rte_rdtsc();
        } else if (unlikely(housekeeping)) {
            start = rte_rdtsc();
            SHARED_COUNT(pmd->stats.cycles_cmd, start - end);
            SHARED_COUNT(pmd->stats.cycles_busy, start - end);
            if (start - end > pmd->cycles_cmd_max) {
                SHARED_SET(pmd->cycles_cmd_max, start - end);
            }
        }
        rte_rcu_qsbr_quiescent(pmd->qsv, 0);
        if (!n_total && pmd->idle_sleep_us) {
            /* Sleeping is idle time too. */
            pmd_idle_sleep(pmd->idle_sleep_us);
            uint64_t t = rte_rdtsc();
            SHARED_COUNT(pmd->stats.cycles_idle, t - start);
            start = t;
        }
    }
}

static void *
pmd_main(void *arg)
{
    struct pmd *pmd = arg;
    char name[16];

    snprintf(name, sizeof name, "pmd-c%02u", pmd->core_id);
    pthread_setname_np(pthread_self(), name);
    if (rte_thread_register() < 0) {
        VLOG_WARN("pmd on core %u: rte_thread_register failed (%s); "
                  "mempool caches unused", pmd->core_id,
                  rte_strerror(rte_errno));
    }
    VLOG_INFO("pmd thread started on core %u (numa %d, lcore %u)",
              pmd->core_id, pmd->numa_id, rte_lcore_id());
    rte_rcu_qsbr_thread_online(pmd->qsv, 0);
    pmd_poll_loop(pmd);
    /* Apply what is left so the control thread never waits forever. */
    pmd_run_commands(pmd);
    tx_flush(&pmd->tx);
    rte_rcu_qsbr_thread_offline(pmd->qsv, 0);
    rte_thread_unregister();
    return NULL;
}

/* The userspace action: the packet goes up the upcall ring. */
static void
pmd_exec_userspace(struct dp_exec_ctx *ctx, struct rte_mbuf *pkt,
                   uint32_t cookie)
{
    struct pmd *pmd = ctx->aux;
    struct upcall_msg msg = { .pkt = pkt, .kind = UPCALL_USERSPACE,
                              .cookie = cookie };
    if (rte_ring_sp_enqueue_elem(pmd->upcall_ring, &msg, sizeof msg)) {
        SHARED_COUNT(pmd->stats.userspace_lost, 1);
        rte_pktmbuf_free(pkt);
        return;
    }
    SHARED_COUNT(pmd->stats.userspace, 1);
}

/* Recirculation: another pass through the pipeline, bounded in depth. */
static void
pmd_exec_recirc(struct dp_exec_ctx *ctx, struct rte_mbuf **pkts, uint32_t n,
                uint32_t recirc_id)
{
    struct pmd *pmd = ctx->aux;
    if (pmd->recirc_depth >= PIPELINE_MAX_RECIRC) {
        SHARED_COUNT(pmd->stats.recirc_too_deep, n);
        rte_pktmbuf_free_bulk(pkts, n);
        return;
    }
    SHARED_COUNT(pmd->stats.recirculations, n);
    pmd->recirc_depth++;
    while (n) {
        /* The pipeline reorders its array: give it a copy. */
        struct rte_mbuf *batch[PIPELINE_BATCH];
        uint32_t k = n < PIPELINE_BATCH ? n : PIPELINE_BATCH;
        memcpy(batch, pkts, k * sizeof *pkts);
        pipeline_process(pmd, batch, k, packet_meta(batch[0])->in_port,
                         recirc_id);
        pkts += k;
        n -= k;
    }
    pmd->recirc_depth--;
}

static void
pmd_exec_init(struct pmd *pmd)
{
    pmd->exec.tx = &pmd->tx;
    pmd->exec.userspace = pmd_exec_userspace;
    pmd->exec.recirc = pmd_exec_recirc;
    pmd->exec.aux = pmd;
}

/* Frees a PMD whose thread is not running, with everything it holds. */
static void
pmd_free(struct pmd *pmd)
{
    struct upcall_msg msg;
    while (pmd->upcall_ring
           && !rte_ring_sc_dequeue_elem(pmd->upcall_ring, &msg, sizeof msg)) {
        rte_pktmbuf_free(msg.pkt);
    }
    /* The thread is gone: nothing waits for it any more. */
    reclaim_run_all(&pmd->reclaim);
    megaflow_table_destroy(&pmd->flows);
    dpcls_destroy(&pmd->cls);
    emc_destroy(&pmd->emc);
    rte_ring_free(pmd->cmd_ring);
    rte_ring_free(pmd->upcall_ring);
    rte_free(pmd->qsv);
    free(pmd->backlog);
    rte_free(pmd);
}

struct pmd *
pmd_start(struct dp *dp, unsigned int slot, unsigned int core_id,
          unsigned int idle_sleep_us, struct dstr *err)
{
    char ring_name[RTE_RING_NAMESIZE];
    int numa = numa_available() < 0 ? 0 : numa_node_of_cpu((int) core_id);
    struct pmd *pmd = rte_zmalloc_socket("pmd", sizeof *pmd,
                                         RTE_CACHE_LINE_SIZE,
                                         numa < 0 ? SOCKET_ID_ANY : numa);
    if (!pmd) {
        dstr_printf(err, "cannot allocate PMD for core %u", core_id);
        return NULL;
    }
    static uint64_t next_id;
    pmd->id = ++next_id;
    pmd->core_id = core_id;
    pmd->numa_id = numa < 0 ? 0 : numa;
    reclaim_init(&pmd->reclaim);
    pmd->slot = slot;
    pmd->dp = dp;
    pmd->idle_sleep_us = idle_sleep_us;
    tx_ctx_init(&pmd->tx, dp, (uint16_t) slot);
    pmd_exec_init(pmd);
    dpcls_init(&pmd->cls);
    megaflow_table_init(&pmd->flows);
    pmd->upcall_limit.rate = dp->upcall_rate;
    pmd->upcall_limit.burst = dp->upcall_burst;
    pmd->upcall_limit.tokens = dp->upcall_burst * rte_get_tsc_hz();
    pmd->upcall_limit.last_tsc = rte_rdtsc();
    if (emc_init(&pmd->emc, 0, dp->emc_insert_inv_prob)) {
        dstr_printf(err, "cannot allocate the EMC for core %u", core_id);
        rte_free(pmd);
        return NULL;
    }

    snprintf(ring_name, sizeof ring_name, "pmd_cmd_%u_%u", core_id,
             (unsigned int) getpid() % 100000);
    pmd->cmd_ring = rte_ring_create_elem(ring_name, sizeof(struct pmd_cmd),
                                         PMD_CMD_RING_SIZE, SOCKET_ID_ANY,
                                         RING_F_SP_ENQ | RING_F_SC_DEQ);
    snprintf(ring_name, sizeof ring_name, "pmd_up_%u_%u", core_id,
             (unsigned int) getpid() % 100000);
    pmd->upcall_ring = rte_ring_create_elem(ring_name,
                                            sizeof(struct upcall_msg),
                                            PMD_UPCALL_RING_SIZE,
                                            SOCKET_ID_ANY,
                                            RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (!pmd->cmd_ring || !pmd->upcall_ring) {
        dstr_printf(err, "cannot create the rings of core %u: %s",
                    core_id, rte_strerror(rte_errno));
        pmd_free(pmd);
        return NULL;
    }
    size_t qs_size = rte_rcu_qsbr_get_memsize(1);
    pmd->qsv = rte_zmalloc("pmd_qsbr", qs_size, RTE_CACHE_LINE_SIZE);
    if (!pmd->qsv || rte_rcu_qsbr_init(pmd->qsv, 1)
        || rte_rcu_qsbr_thread_register(pmd->qsv, 0)) {
        dstr_printf(err, "cannot set up quiescence reports of core %u",
                    core_id);
        pmd_free(pmd);
        return NULL;
    }

    pthread_attr_t attr;
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(core_id, &cpus);
    pthread_attr_init(&attr);
    pthread_attr_setaffinity_np(&attr, sizeof cpus, &cpus);
    int error = pthread_create(&pmd->thread, &attr, pmd_main, pmd);
    pthread_attr_destroy(&attr);
    if (error) {
        dstr_printf(err, "cannot start PMD thread on core %u: %s", core_id,
                    strerror(error));
        pmd_free(pmd);
        return NULL;
    }
    pmd->started = true;
    return pmd;
}

void
pmd_halt(struct pmd *pmd)
{
    if (pmd->started) {
        SHARED_SET(pmd->exit, true);
        pthread_join(pmd->thread, NULL);
        pmd->started = false;
    }
}

void
pmd_stop(struct pmd *pmd)
{
    if (!pmd) {
        return;
    }
    pmd_halt(pmd);
    pmd_free(pmd);
}

/* Ring slots the control thread may fill: those of commands the PMD has
 * applied and said so (acquire: it has read them), not merely taken off
 * the ring. */
static unsigned int
pmd_ring_room(struct pmd *pmd)
{
    uint64_t used = pmd->cmd_posted - SHARED_ACQUIRE(pmd->cmd_done);
    unsigned int cap = rte_ring_get_capacity(pmd->cmd_ring);
    return used < cap ? cap - (unsigned int) used : 0;
}

/* Moves what waits in the backlog into the ring, as far as it has room. */
static void
pmd_flush_backlog(struct pmd *pmd)
{
    if (!pmd->n_backlog) {
        return;
    }
    unsigned int room = pmd_ring_room(pmd);
    if (!room) {
        return;
    }
    unsigned int n = rte_ring_sp_enqueue_burst_elem(
        pmd->cmd_ring, pmd->backlog + pmd->backlog_head,
        sizeof *pmd->backlog,
        pmd->n_backlog < room ? (unsigned int) pmd->n_backlog : room, NULL);
    pmd->backlog_head += n;
    pmd->n_backlog -= n;
    if (!pmd->n_backlog) {
        pmd->backlog_head = 0;
    }
    if (n) {
        SHARED_PUBLISH(pmd->cmd_posted, pmd->cmd_posted + n);
    }
}

/* Sends 'cmd': into the ring if nothing waits before it and there is
 * room, else to the end of the backlog.  Never waits.  Returns 0 or
 * -ENOMEM. */
static int
pmd_send(struct pmd *pmd, const struct pmd_cmd *cmd)
{
    pmd_flush_backlog(pmd);
    if (!pmd->n_backlog && pmd_ring_room(pmd)
        && !rte_ring_sp_enqueue_elem(pmd->cmd_ring, (void *) cmd,
                                     sizeof *cmd)) {
        SHARED_PUBLISH(pmd->cmd_posted, pmd->cmd_posted + 1);
    } else {
        if (pmd->backlog_head + pmd->n_backlog == pmd->backlog_cap) {
            if (pmd->backlog_head
                && pmd->backlog_head >= pmd->backlog_cap / 2) {
                /* Mostly taken already: move the rest to the front (each
                 * entry moves at most once per doubling). */
                memmove(pmd->backlog, pmd->backlog + pmd->backlog_head,
                        pmd->n_backlog * sizeof *pmd->backlog);
                pmd->backlog_head = 0;
            } else {
                size_t cap = pmd->backlog_cap ? 2 * pmd->backlog_cap : 256;
                struct pmd_cmd *b = realloc(pmd->backlog, cap * sizeof *b);
                if (!b) {
                    return -ENOMEM;
                }
                pmd->backlog = b;
                pmd->backlog_cap = cap;
            }
        }
        pmd->backlog[pmd->backlog_head + pmd->n_backlog++] = *cmd;
        if (pmd->n_backlog > pmd->backlog_max) {
            pmd->backlog_max = pmd->n_backlog;
        }
    }
    pmd->cmd_sent++;
    return 0;
}

int
pmd_add_rxq(struct pmd *pmd, struct pmd_rxq *rxq)
{
    struct pmd_cmd cmd = { .type = PMD_CMD_ADD_RXQ, .ptr = rxq };
    return pmd_send(pmd, &cmd);
}

int
pmd_del_rxq(struct pmd *pmd, struct pmd_rxq *rxq)
{
    struct pmd_cmd cmd = { .type = PMD_CMD_DEL_RXQ, .ptr = rxq };
    return pmd_send(pmd, &cmd);
}

int
pmd_forget_port(struct pmd *pmd, uint32_t port_no)
{
    struct pmd_cmd cmd = { .type = PMD_CMD_FORGET_PORT, .arg = port_no };
    return pmd_send(pmd, &cmd);
}

int
pmd_install_flow(struct pmd *pmd, struct megaflow *mf)
{
    struct pmd_cmd cmd = { .type = PMD_CMD_INSTALL_FLOW, .ptr = mf };
    return pmd_send(pmd, &cmd);
}

int
pmd_delete_flows(struct pmd *pmd, const struct dpcls_rule **rules,
                 unsigned int n)
{
    struct pmd_cmd cmd = { .type = PMD_CMD_DELETE_FLOWS, .ptr = rules,
                           .arg = n };
    return pmd_send(pmd, &cmd);
}

int
pmd_clear_flow_stats(struct pmd *pmd, struct megaflow *mf)
{
    struct pmd_cmd cmd = { .type = PMD_CMD_CLEAR_FLOW_STATS, .ptr = mf };
    return pmd_send(pmd, &cmd);
}

int
pmd_set_upcall_limit(struct pmd *pmd, uint64_t rate, uint64_t burst)
{
    struct pmd_cmd cmd = { .type = PMD_CMD_SET_UPCALL_LIMIT, .arg2 = rate,
                           .arg3 = burst };
    return pmd_send(pmd, &cmd);
}

int
pmd_set_emc_insert_inv_prob(struct pmd *pmd, unsigned int inv_prob)
{
    struct pmd_cmd cmd = { .type = PMD_CMD_SET_EMC_PROB, .arg = inv_prob };
    return pmd_send(pmd, &cmd);
}

int
pmd_set_idle_sleep(struct pmd *pmd, unsigned int us)
{
    struct pmd_cmd cmd = { .type = PMD_CMD_SET_IDLE_SLEEP, .arg = us };
    return pmd_send(pmd, &cmd);
}

int
pmd_barrier(struct pmd *pmd)
{
    struct pmd_cmd cmd = { .type = PMD_CMD_BARRIER };
    return pmd_send(pmd, &cmd);
}

int
pmd_quiesce(struct pmd *pmd, unsigned int timeout_ms)
{
    int error = pmd_barrier(pmd);
    return error ? error : pmd_wait(pmd, timeout_ms);
}

int
pmd_wait(struct pmd *pmd, unsigned int timeout_ms)
{
    uint64_t deadline = rte_get_timer_cycles()
                        + rte_get_timer_hz() / 1000 * timeout_ms;
    while (SHARED_ACQUIRE(pmd->cmd_done) < pmd->cmd_sent) {
        pmd_flush_backlog(pmd);
        if (rte_get_timer_cycles() > deadline) {
            return -ETIMEDOUT;
        }
        pmd_idle_sleep(10);
    }
    return 0;
}

unsigned int
pmd_core_id(const struct pmd *pmd)
{
    return pmd->core_id;
}

unsigned int
upcall_ring_dequeue(struct pmd *pmd, struct upcall_msg *msgs, unsigned int n)
{
    return rte_ring_sc_dequeue_burst_elem(pmd->upcall_ring, msgs,
                                          sizeof msgs[0], n, NULL);
}

/* Due when the PMD has applied 'cmd_seq' commands and reported quiescence
 * after 'token' (or is not running). */
static bool
pmd_reclaim_due(void *pmd_, uint64_t token, uint64_t cmd_seq)
{
    struct pmd *pmd = pmd_;
    return !pmd->started
           || (SHARED_ACQUIRE(pmd->cmd_done) >= cmd_seq
               && rte_rcu_qsbr_check(pmd->qsv, token, false) == 1);
}

int
pmd_defer(struct pmd *pmd, void (*fn)(void *arg), void *arg, size_t bytes)
{
    if (!pmd->started) {
        fn(arg);
        return 0;
    }
    uint64_t token = rte_rcu_qsbr_start(pmd->qsv);
    int error = reclaim_defer(&pmd->reclaim, token, pmd->cmd_sent,
                              rte_rdtsc(), fn, arg, bytes);
    if (error) {
        VLOG_WARN("pmd on core %u: out of memory, %zu bytes kept that it "
                  "may still read", pmd->core_id, bytes);
    }
    return error;
}

unsigned int
pmd_reclaim(struct pmd *pmd)
{
    pmd_flush_backlog(pmd);
    uint64_t stop = rte_rdtsc()
                    + rte_get_tsc_hz() / 1000000 * PMD_RECLAIM_BUDGET_US;
    unsigned int n = 0, k;
    do {
        k = reclaim_run(&pmd->reclaim, pmd_reclaim_due, pmd, 4);
        n += k;
    } while (k && rte_rdtsc() < stop);
    uint64_t since = reclaim_oldest(&pmd->reclaim);
    uint64_t now = rte_rdtsc();
    uint64_t lag = rte_get_tsc_hz() / 1000 * PMD_LAG_WARN_MS;
    if (since && now - since > lag && now - pmd->reclaim_warned > lag) {
        pmd->reclaim_warned = now;
        VLOG_WARN("pmd on core %u has not moved on for %.1f s: %lu frees "
                  "(%lu bytes) and %zu commands wait for it", pmd->core_id,
                  (double) (now - since) / (double) rte_get_tsc_hz(),
                  pmd->reclaim.n_pending, pmd->reclaim.bytes_pending,
                  pmd->n_backlog);
    }
    return n;
}

void
pmd_get_pending(const struct pmd *pmd, struct pmd_pending *p)
{
    uint64_t since = reclaim_oldest(&pmd->reclaim);
    uint64_t now = rte_rdtsc();
    *p = (struct pmd_pending) {
        .frees = pmd->reclaim.n_pending,
        .bytes = pmd->reclaim.bytes_pending,
        .oldest_cycles = since && now > since ? now - since : 0,
        .backlog = pmd->n_backlog,
        .backlog_max = pmd->backlog_max,
        .lost = pmd->reclaim.n_lost,
    };
}

void
pmd_set_stall(struct pmd *pmd, bool stall)
{
    SHARED_SET(pmd->stall, stall);
}
