/* rxq_sched: which PMD thread polls which rx queue, and which cores and
 * tx queues the sending threads may use.
 * Pure policy, no DPDK: new queues go round-robin to the PMD with the
 * fewest queues; a rebalance assigns all queues by measured processing
 * cycles, largest first, each to the least-loaded PMD so far (as OVS's
 * "cycles" assignment does); when the PMD set changes, the queues go to
 * the PMDs that stay the same way.  A PMD core mask is checked against
 * the cores the process may use, and a port whose tx queues are fewer
 * than the sending threads is shared under locks.  The datapath applies
 * the results. */
#ifndef SLUICE_RXQ_SCHED_H
#define SLUICE_RXQ_SCHED_H

#include <stdbool.h>
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

/* Like rxq_sched_by_cycles(), but only PMDs whose 'keep' entry is true
 * (at least one must be) receive queues; 'pmd' comes out as an index in
 * 0..n_pmds-1 of such a PMD. */
void rxq_sched_reassign(struct rxq_sched_item *, size_t n, const bool *keep,
                        unsigned int n_pmds);

/* Checks a PMD core mask against 'usable' (the cores online and in the
 * process's CPU affinity).  Returns 0, or -EINVAL with a message in 'err'
 * (0 mask, unusable cores, more than 'max_pmds' cores). */
int rxq_sched_check_mask(uint64_t mask, uint64_t usable,
                         unsigned int max_pmds, char *err, size_t err_size);

/* Parses a kernel CPU list ("0-3,8\n", as in sysfs) into a mask of the
 * cores below 64.  Returns 0 or -EINVAL. */
int rxq_sched_parse_cpu_list(const char *, uint64_t *mask);

/* Sending threads have slots (0: the control thread, 1..: PMDs); a thread
 * sends on tx queue slot % n_txq.  Returns true if two used slots of
 * 'used' (n_slots entries) share a queue, so that senders must lock. */
bool rxq_sched_txq_shared(const bool *used, unsigned int n_slots,
                          unsigned int n_txq);

#endif
