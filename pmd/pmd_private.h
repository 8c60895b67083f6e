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
#include "pmd/tx.h"

struct dp;
struct rte_ring;

/* Upcall admission: a token bucket refilled from the TSC. */
struct pmd_upcall_limit {
    uint64_t tokens;            /* Scaled by the TSC rate. */
    uint64_t last_tsc;
    uint64_t rate;              /* Upcalls per second; 0: unlimited. */
    uint64_t burst;
};

struct pmd {
    unsigned int core_id;
    int numa_id;
    unsigned int slot;          /* Sending-thread slot (1..), see tx.h. */
    struct dp *dp;
    pthread_t thread;
    bool started;
    unsigned int idle_sleep_us;
    volatile bool exit;

    struct rte_ring *cmd_ring;  /* Control thread -> PMD. */
    uint64_t cmd_sent;          /* Control thread's side. */
    uint64_t cmd_done;          /* Written by the PMD. */

    /* Owned by the PMD thread. */
    struct pmd_rxq *rxqs[PMD_MAX_RXQS];
    unsigned int n_rxqs;
    struct pmd_stats stats;
    struct emc emc;
    struct dpcls cls;
    struct pmd_upcall_limit upcall_limit;
    uint64_t now_tsc;           /* TSC at the start of this iteration. */
    uint64_t next_resort_tsc;   /* When to re-rank the subtables. */
    struct rte_ring *upcall_ring;   /* PMD -> control thread (mbufs). */
    struct dp_exec_ctx exec;    /* Executes actions with 'tx' and hooks. */
    unsigned int recirc_depth;

    /* The control thread's shadow of this PMD's megaflows. */
    struct megaflow_table flows;

    /* Control thread's view. */
    unsigned int n_assigned;    /* Queues assigned (poll list size soon). */
    struct pmd_stats stats_base;    /* Snapshot at the last clear. */
    uint64_t sent_base;             /* Packets sent at the last clear. */
    uint64_t no_port_base;          /* tx.no_port at the last clear. */

    struct tx_ctx tx;           /* Large; keep last. */
};

/* Reads a counter that another thread writes. */
#define PMD_READ(X) __atomic_load_n(&(X), __ATOMIC_RELAXED)

#endif
