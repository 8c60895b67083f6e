/* rxq_sched: which PMD thread polls which rx queue.
 * Pure policy, no DPDK: new queues go round-robin to the PMD with the
 * fewest queues; a rebalance assigns all queues by measured processing
 * cycles, largest first, each to the least-loaded PMD so far (as OVS's
 * "cycles" assignment does).  The datapath applies the result. */
#ifndef SLUICE_RXQ_SCHED_H
#define SLUICE_RXQ_SCHED_H

#include <stddef.h>
#include <stdint.h>

struct rxq_sched_item {
    uint64_t cycles;        /* In: measured load of the queue. */
    unsigned int pmd;       /* Out: index of the chosen PMD. */
};

/* Returns the index of the PMD with the fewest queues (lowest index on a
 * tie).  'n_pmds' must be > 0. */
unsigned int rxq_sched_pick(const unsigned int *n_queues_per_pmd,
                            unsigned int n_pmds);

/* Assigns every item to one of 'n_pmds' PMDs by cycles.  Items with equal
 * cycles keep their relative order, so the result is deterministic. */
void rxq_sched_by_cycles(struct rxq_sched_item *, size_t n,
                         unsigned int n_pmds);

#endif
