/* pmd_private: the PMD thread's state, for the datapath's own files
 * (pmd/).  Other layers see struct pmd only through pmd.h, megaflow.h
 * and upcall_ring.h. */
#ifndef SLUICE_PMD_PRIVATE_H
#define SLUICE_PMD_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pmd/actions.h"
#include "pmd/dpcls.h"
#include "pmd/emc.h"
#include "pmd/megaflow.h"
#include "pmd/pmd.h"
#include "pmd/reclaim.h"
#include "pmd/shared.h"
#include "pmd/tx.h"

struct dp;
struct pmd_cmd;
struct rte_rcu_qsbr;
struct rte_ring;

/* Upcall admission: a token bucket refilled from the TSC. */
struct pmd_upcall_limit {
    uint64_t tokens;            /* Scaled by the TSC rate. */
    uint64_t last_tsc;
    uint64_t rate;              /* Upcalls per second; 0: unlimited. */
    uint64_t burst;
};

/* Thread-safety.  Groups, each on cache lines of its own so that what
 * one thread writes never shares a line with what the other writes:
 *   - set before the thread starts, read-only afterwards;
 *   - 'cmd_posted', written by the control thread, read by the PMD;
 *   - written by the control thread only (its commands' bookkeeping,
 *     the reclaim queue, the shadow of the megaflows, stats snapshots);
 *     the PMD reads 'exit' and 'stall' (SHARED_READ);
 *   - written by the PMD only: its poll list, caches, counters (the
 *     control thread reads 'stats' and 'cmd_done' with SHARED_READ /
 *     SHARED_ACQUIRE and nothing else of this group while it runs).
 * The tx context has its own comment (tx.h). */
struct pmd {
    /* Set at start. */
    unsigned int core_id;
    int numa_id;
    unsigned int slot;          /* Sending-thread slot (1..), see tx.h. */
    uint64_t id;                /* Unique among the dp's PMDs ever. */
    struct dp *dp;
    pthread_t thread;
    struct rte_ring *cmd_ring;  /* Control thread -> PMD. */
    struct rte_ring *upcall_ring;   /* PMD -> control thread (mbufs). */
    struct rte_rcu_qsbr *qsv;   /* The PMD reports quiescence here. */

    /* Control thread; the PMD reads it every iteration (its own line, so
     * that the control thread's other writes do not take it away). */
    uint64_t cmd_posted         /* SHARED_PUBLISH: commands put in the
                                 * ring; the PMD's acquire of it orders
                                 * its reads of what they point to. */
        __attribute__((aligned(SHARED_CACHE_LINE)));

    /* Control thread. */
    bool started __attribute__((aligned(SHARED_CACHE_LINE)));
    bool exit;                  /* SHARED_SET: the thread ends. */
    bool stall;                 /* SHARED_SET: test hook, see
                                 * pmd_set_stall(). */
    uint64_t cmd_sent;          /* Commands sent (ring and backlog). */
    struct pmd_cmd *backlog;    /* Commands the ring had no room for, */
    size_t backlog_head;        /* oldest first: backlog[head] up to */
    size_t n_backlog;           /* backlog[head + n_backlog - 1]. */
    size_t backlog_cap;
    uint64_t backlog_max;       /* Most commands ever waiting there. */
    struct reclaim_queue reclaim;   /* Frees waiting for this PMD. */
    uint64_t reclaim_warned;    /* TSC of the last "PMD lags" warning. */
    struct megaflow_table flows;    /* Shadow of this PMD's megaflows. */
    unsigned int n_assigned;    /* Queues assigned (poll list size soon). */
    struct pmd_stats stats_base;    /* Snapshot at the last clear. */
    uint64_t sent_base;             /* Packets sent at the last clear. */
    uint64_t no_port_base;          /* tx.no_port at the last clear. */

    /* The PMD thread. */
    uint64_t cmd_done           /* SHARED_PUBLISH: commands applied. */
        __attribute__((aligned(SHARED_CACHE_LINE)));
    unsigned int idle_sleep_us;
    struct pmd_rxq *rxqs[PMD_MAX_RXQS];
    unsigned int n_rxqs;
    struct pmd_stats stats;     /* SHARED_COUNT. */
    uint64_t cycles_cmd_max;    /* SHARED_SET: the longest housekeeping
                                 * pass (commands, re-ranking) since the
                                 * thread started; never cleared. */
    struct emc emc;
    struct dpcls cls;
    struct pmd_upcall_limit upcall_limit;
    uint64_t now_tsc;           /* TSC at the start of this iteration. */
    uint64_t next_resort_tsc;   /* When to re-rank the subtables. */
    struct dp_exec_ctx exec;    /* Executes actions with 'tx' and hooks. */
    unsigned int recirc_depth;

    struct tx_ctx tx            /* Large; keep last. */
        __attribute__((aligned(SHARED_CACHE_LINE)));
};

#endif
