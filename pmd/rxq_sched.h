/* rxq_sched: which PMD thread polls which rx queue, and which cores and
 * tx queues the sending threads may use.
 * Pure policy, no DPDK: new queues go round-robin to the PMD with the
 * fewest queues; a rebalance assigns all queues by measured processing
 * cycles, largest first, each to the least-loaded PMD so far (as OVS's
 * "cycles" assignment does); when the PMD set changes, the queues go to
 * the PMDs that stay the same way.  A PMD core mask is checked against
 * the cores the process may use, and a port whose tx queues are fewer
 * than the sending threads is shared under locks.  Rx queues may be
 * pinned to cores (Interface other_config:pmd-rxq-affinity, as in Open
 * vSwitch): a PMD with a pinned queue is isolated and polls only its
 * pinned queues; a queue pinned to a core without PMD goes to a
 * non-isolated one like an unpinned queue.  The datapath applies the
 * results. */
#ifndef SLUICE_RXQ_SCHED_H
#define SLUICE_RXQ_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>

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

/* Like rxq_sched_pick(), among the PMDs whose 'eligible' entry is true.
 * Returns -1 if there is none. */
int rxq_sched_pick_eligible(const unsigned int *n_queues_per_pmd,
                            const bool *eligible, unsigned int n_pmds);

#define RXQ_SCHED_NONE UINT_MAX     /* Item left unpolled. */

/* Assigns items with pins (as a rebalance, or when PMDs go: the queues go
 * to the PMDs that stay).  'pin_core[i]' is the core item i is pinned to
 * (-1: not pinned; NULL: no pins at all); 'pmd_core[p]' is PMD p's core;
 * only PMDs whose 'keep' entry is true (NULL: all) receive queues.
 * An item pinned to a kept PMD's core goes to that PMD, which is then
 * isolated ('isolated[p]' true on return; 'isolated' may be NULL).  The
 * other items (unpinned, or pinned to a core with no kept PMD) go by
 * cycles (rxq_sched_by_cycles) among the kept PMDs that are not isolated;
 * if every kept PMD is isolated, or none is kept, their 'pmd' is
 * RXQ_SCHED_NONE: they are not polled. */
void rxq_sched_assign(struct rxq_sched_item *, const int *pin_core, size_t n,
                      const unsigned int *pmd_core, const bool *keep,
                      unsigned int n_pmds, bool *isolated);

/* Largest queue id + 1 and largest core id + 1 a pmd-rxq-affinity may
 * name. */
#define RXQ_SCHED_AFFINITY_MAX_QUEUES 1024
#define RXQ_SCHED_AFFINITY_MAX_CORES 64

/* Parses a pmd-rxq-affinity value, "QUEUE:CORE[,QUEUE:CORE...]" (decimal,
 * blanks allowed around numbers; "" or only blanks: no pin).  Fills
 * core_of_queue[0..*n-1] with each queue's core or -1 (not pinned), '*n'
 * being the highest queue named + 1 (at most 'max_queues', which must not
 * exceed RXQ_SCHED_AFFINITY_MAX_QUEUES).  Returns 0, or -EINVAL with a
 * message in 'err' for bad syntax, a queue named twice, a queue >=
 * 'max_queues' or a core >= RXQ_SCHED_AFFINITY_MAX_CORES. */
int rxq_sched_parse_affinity(const char *, int *core_of_queue,
                             size_t max_queues, size_t *n,
                             char *err, size_t err_size);

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
