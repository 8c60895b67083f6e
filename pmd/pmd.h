/* pmd: a poll-mode thread.
 *
 * A PMD is a pthread pinned to one core and registered with DPDK
 * (rte_thread_register), so PMDs can come and go while the daemon runs.
 * It owns its poll list of rx queues, its tx context and its counters;
 * nobody else writes them.  The control thread changes the poll list only
 * through the PMD's command ring, and learns that a command took effect
 * from the PMD's acknowledged sequence number.  struct pmd is private to
 * pmd/ (pmd_private.h); other layers use the functions here. */
#ifndef SLUICE_PMD_H
#define SLUICE_PMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dp;
struct dpcls_rule;
struct dstr;
struct megaflow;
struct port;

#define PMD_MAX_RXQS 128

/* One rx queue of a port.  Allocated by the datapath; written only by the
 * PMD that polls it (the counters), read by the control thread. */
struct pmd_rxq {
    struct port *port;
    uint16_t port_id;
    uint16_t qid;
    struct pmd *pmd;        /* Control thread: who polls it, or NULL. */
    uint64_t cycles;        /* Processing cycles spent on this queue. */
    uint64_t packets;
    uint64_t cycles_base;   /* 'cycles' at the last stats clear. */
};

/* Counters of one PMD, all uint64_t (shown and cleared as an array). */
struct pmd_stats {
    uint64_t packets_rx;
    uint64_t recirculations;    /* Extra passes through the pipeline. */
    uint64_t emc_hits;
    uint64_t megaflow_hits;
    uint64_t subtable_lookups;  /* Summed over megaflow hits. */
    uint64_t upcalls;           /* Misses queued to the control thread. */
    uint64_t upcall_ring_full;  /* Misses dropped: upcall ring full. */
    uint64_t upcall_rate_limited;   /* Misses dropped: over the limit. */
    uint64_t userspace;         /* Packets sent up by a userspace action. */
    uint64_t userspace_lost;    /* ... dropped: upcall ring full. */
    uint64_t recirc_too_deep;   /* Dropped: recirculated too often. */
    uint64_t packets_dropped;   /* Dropped by actions (e.g. "drop"). */
    uint64_t cycles_idle;
    uint64_t cycles_busy;       /* Including cycles_cmd. */
    uint64_t cycles_cmd;        /* Applying commands, re-ranking
                                 * subtables. */
    uint64_t iterations;
};
#define PMD_N_STATS (sizeof(struct pmd_stats) / sizeof(uint64_t))

/* The core the PMD runs on. */
unsigned int pmd_core_id(const struct pmd *);

/* ---- Reclamation (reclaim.h).  Commands never wait: what the command
 * ring has no room for waits, in order, in the PMD's backlog, which
 * pmd_reclaim() and every later command move on. ---- */

/* Runs fn(arg) once the PMD has applied every command sent so far and
 * finished the iteration it is in: then it holds no pointer to what the
 * control thread unpublished before the call.  Runs it at once if the
 * thread is not running.  'bytes' is what it frees (counters).  Returns 0
 * or -ENOMEM (fn does not run: the memory stays, counted as lost). */
int pmd_defer(struct pmd *, void (*fn)(void *arg), void *arg, size_t bytes);
/* Moves the backlog on and runs what is due; logs (rate-limited) when
 * the PMD has not moved on for a second.  Returns how many frees ran. */
unsigned int pmd_reclaim(struct pmd *);
/* What waits for the PMD: frees (and their bytes), the oldest's age in
 * TSC cycles (0: none) and commands in the backlog. */
struct pmd_pending {
    uint64_t frees;
    uint64_t bytes;
    uint64_t oldest_cycles;
    uint64_t backlog;
    uint64_t backlog_max;
    uint64_t lost;
};
void pmd_get_pending(const struct pmd *, struct pmd_pending *);

/* Test hook: a stalled PMD neither polls, nor applies commands, nor
 * reports quiescence until released (as a PMD stuck in a driver would). */
void pmd_set_stall(struct pmd *, bool stall);

/* Starts a PMD on 'core_id' that sends as thread 'slot' (tx.h).  Returns
 * NULL with a message in 'err'. */
struct pmd *pmd_start(struct dp *, unsigned int slot, unsigned int core_id,
                      unsigned int idle_sleep_us, struct dstr *err);
/* Stops the thread (which applies the commands sent and flushes its tx
 * buffers first) but keeps the PMD for its counters to be read. */
void pmd_halt(struct pmd *);
/* Stops the thread and frees the PMD with its megaflows, the control
 * thread's shadow of them, its EMC, rings and counters (upcalls still
 * queued are dropped). */
void pmd_stop(struct pmd *);

/* Commands, applied by the PMD between iterations.  They return 0 or a
 * negative errno (ring full).  pmd_wait() waits until the PMD has applied
 * everything sent so far. */
int pmd_add_rxq(struct pmd *, struct pmd_rxq *);
int pmd_del_rxq(struct pmd *, struct pmd_rxq *);
int pmd_forget_port(struct pmd *, uint32_t port_no);
int pmd_install_flow(struct pmd *, struct megaflow *);
/* Removes the megaflows whose rules are in 'rules' (the array must stay
 * valid until pmd_wait() returns). */
int pmd_delete_flows(struct pmd *, const struct dpcls_rule **rules,
                     unsigned int n);
int pmd_clear_flow_stats(struct pmd *, struct megaflow *);
/* Changes the upcall limit (0: unlimited) and EMC insertion
 * probability (1 / inv_prob; 0: never). */
int pmd_set_upcall_limit(struct pmd *, uint64_t rate, uint64_t burst);
int pmd_set_emc_insert_inv_prob(struct pmd *, unsigned int inv_prob);
/* Changes how long the PMD sleeps after an empty poll (0: never). */
int pmd_set_idle_sleep(struct pmd *, unsigned int us);
/* Does nothing, but once pmd_wait() has seen it applied the PMD has
 * finished the iteration it was in: it re-reads what the control thread
 * changed before (e.g. a port's tx state) and holds no packet for a port
 * in its tx buffers that it had before. */
int pmd_barrier(struct pmd *);
/* Waits (sleeping 10 us at a time) until the PMD has applied everything
 * sent so far or 'timeout_ms' passed (-ETIMEDOUT).  Only for operations
 * that cannot go on otherwise; frees use pmd_defer(). */
int pmd_wait(struct pmd *, unsigned int timeout_ms);
/* Waits until the PMD has finished the burst it is in (it acknowledges a
 * command between bursts): after 0, no pointer it read before the call
 * (e.g. a megaflow's old action list) is in use any more.  pmd_wait()
 * alone does not wait when no command is outstanding. */
int pmd_quiesce(struct pmd *, unsigned int timeout_ms);

#endif
