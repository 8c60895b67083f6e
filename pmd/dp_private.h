/* dp_private: struct dp and the helpers shared by the datapath's files
 * (dp.c: ports and tunables, dp_pmds.c: the PMD set and rx queue
 * assignment, dp_show.c: text for the control socket).  Control thread
 * only; not for other layers, which use dp.h. */
#ifndef SLUICE_DP_PRIVATE_H
#define SLUICE_DP_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "pmd/dp.h"

struct pmd;
struct pmd_rxq;
struct port;
struct tx_ctx;
struct tx_port_stats;
struct dp_zombie_pool;
struct dp_closing;

/* Thread-safety: the control thread owns the struct dp.  The sending
 * threads (PMDs) read 'ports[]' with SHARED_ACQUIRE (a port is published
 * with SHARED_PUBLISH once set up, unpublished before its removal, and
 * freed only after every PMD has moved past that); nothing else here is
 * read by a PMD. */
struct dp {
    struct port *ports[DP_MAX_PORTS];
    struct pmd_rxq *rxqs[DP_MAX_PORTS];     /* Each port's n_rxq queues. */
    struct pmd *pmds[DP_MAX_PMDS];          /* Sorted by core. */
    unsigned int n_pmds;
    uint64_t pmd_mask;              /* Cores of pmds[]. */
    uint64_t usable_cores;          /* Where PMDs may run. */
    bool slot_used[DP_N_SLOTS];     /* Sending-thread slots taken. */
    unsigned int pmd_idle_sleep_us;
    bool hold_rxqs;                 /* Ports added now are not polled. */
    uint32_t next_port_no;          /* Where the search for a free one
                                     * starts. */
    /* Each port's rx queue affinity (dp_port_set_rxq_affinity): the core
     * queue q is pinned to for q < n_rxq_pins[p], -1 if not pinned. */
    int *rxq_pins[DP_MAX_PORTS];
    uint16_t n_rxq_pins[DP_MAX_PORTS];
    uint64_t isolated_cores;        /* PMDs the assignment isolated. */

    /* Tunables (dp_set_*). */
    unsigned int flow_limit;        /* Megaflows per PMD. */
    unsigned int max_idle_ms;       /* Megaflow idle expiry. */
    unsigned int emc_insert_inv_prob;
    uint64_t upcall_rate;           /* Per PMD per second; 0: no limit. */
    uint64_t upcall_burst;
    struct tx_ctx *control_tx;      /* The control thread's tx context. */
    struct tx_port_stats *retired_tx;   /* Per port: of PMDs gone. */
    struct dp_zombie_pool *zombies; /* Mempools waiting for their mbufs. */
    struct dp_closing *closing;     /* Removed ports whose devices close
                                     * once no PMD can touch them. */

    /* Handles every upcall still queued by a PMD about to stop. */
    void (*drain_upcalls)(struct pmd *, void *aux);
    void *drain_aux;
};

/* Assigns 'q' to the PMD on the core it is pinned to, else to the
 * non-isolated PMD with the fewest queues; leaves it unpolled (with a
 * warning) if every PMD is isolated. */
void dp_assign_rxq(struct dp *, struct pmd_rxq *);
/* Removes 'q' from its PMD's poll list (the PMD applies it later:
 * dp_sync() to be sure).  Returns 0, or -ENOMEM: then 'q' stays where it
 * was (assigned and polled). */
int dp_unassign_rxq(struct dp *, struct pmd_rxq *);
/* Assigns every unassigned queue of 'port' if it should be polled (all
 * queues of all ports again if the set of isolated PMDs changes). */
void dp_assign_port_rxqs(struct dp *, struct port *);

/* The core queue 'q' of 'port' is pinned to, or -1. */
int dp_rxq_pin(const struct dp *, const struct port *, uint16_t q);
/* If the PMDs that pinned queues isolate are not those the current
 * assignment has isolated (a port with pins came, went, or changed),
 * assigns all queues again.  Returns true if it did. */
bool dp_refresh_isolation(struct dp *);
/* Logs a warning if 'q', pinned to core 'pin' (-1: none), is assigned to
 * 'to' (NULL: not polled) anywhere else than that core. */
void dp_warn_assignment(const struct pmd_rxq *, int pin, const struct pmd *to);
/* True if the port's queues are to be assigned now (polled, and not
 * being reconfigured). */
bool dp_port_polled(const struct dp *, const struct port *);

/* Every PMD finishes the iteration it is in (pmd_barrier()). */
int dp_barrier(struct dp *);

/* Sets each port's txq_shared from the slots in use.  Turning sharing on
 * for a port is safe only before a new slot's thread sends: callers
 * follow with dp_barrier() before starting it. */
void dp_update_txq_sharing(struct dp *);

/* The threads' tx counters for a port, summed (with PMDs gone). */
void dp_port_tx_stats(struct dp *, uint32_t port_no,
                      struct tx_port_stats *);

/* True if the port's queues should be polled now. */
bool dp_port_wants_polling(const struct dp *, const struct port *);

#endif
