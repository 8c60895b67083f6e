/* pmd: a poll-mode thread.
 *
 * A PMD is a pthread pinned to one core and registered with DPDK
 * (rte_thread_register), so PMDs can come and go while the daemon runs.
 * It owns its poll list of rx queues, its tx context and its counters;
 * nobody else writes them.  The control thread changes the poll list only
 * through the PMD's command ring, and learns that a command took effect
 * from the PMD's acknowledged sequence number. */
#ifndef SLUICE_PMD_H
#define SLUICE_PMD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "tx.h"

struct dp;
struct port;
struct rte_ring;

#define PMD_MAX_RXQS 128

/* One rx queue of a port.  Allocated by the datapath; written only by the
 * PMD that polls it (the counters), read by the control thread. */
struct pmd_rxq {
    struct port *port;
    uint16_t port_id;
    uint16_t qid;
    int pmd_index;          /* Index in dp->pmds, -1 while unassigned. */
    uint64_t cycles;        /* Processing cycles spent on this queue. */
    uint64_t packets;
    uint64_t cycles_base;   /* 'cycles' at the last stats clear. */
};

struct pmd_stats {
    uint64_t packets_rx;
    uint64_t packets_dropped;   /* Dropped by actions (e.g. "drop"). */
    uint64_t cycles_idle;
    uint64_t cycles_busy;
    uint64_t iterations;
};

struct pmd {
    unsigned int core_id;
    int numa_id;
    unsigned int index;         /* In dp->pmds. */
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

    /* Control thread's view. */
    unsigned int n_assigned;    /* Queues assigned (poll list size soon). */
    struct pmd_stats stats_base;    /* Snapshot at the last clear. */
    uint64_t sent_base;             /* Packets sent at the last clear. */

    struct tx_ctx tx;           /* Large; keep last. */
};

/* Starts a PMD on 'core_id'.  Returns NULL with a message in 'err'. */
struct pmd *pmd_start(struct dp *, unsigned int index, unsigned int core_id,
                      unsigned int idle_sleep_us, struct dstr *err);
/* Stops the thread and frees the PMD (its poll list must be empty). */
void pmd_stop(struct pmd *);

/* Commands, applied by the PMD between iterations.  They return 0 or a
 * negative errno (ring full).  pmd_wait() waits until the PMD has applied
 * everything sent so far. */
int pmd_add_rxq(struct pmd *, struct pmd_rxq *);
int pmd_del_rxq(struct pmd *, struct pmd_rxq *);
int pmd_forget_port(struct pmd *, uint32_t port_no);
int pmd_wait(struct pmd *, unsigned int timeout_ms);

/* Reads a counter that another thread writes. */
#define PMD_READ(X) __atomic_load_n(&(X), __ATOMIC_RELAXED)

#endif
