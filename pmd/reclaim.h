/* reclaim: deferred frees of what a PMD may still read.
 *
 * The control thread first unpublishes an object - takes a megaflow out
 * of a PMD's tables with a command, swaps an action list - and then hands
 * its release to the PMD's reclaim queue with the PMD's quiescent-state
 * token (rte_rcu_qsbr_start) and the number of commands sent to it so
 * far.  The release runs once the PMD has applied those commands and
 * reported a quiescent state after the token (it reports one per poll
 * iteration, after its commands).  The control thread never waits: a slow
 * or stuck PMD only makes the queue longer (counted in items and bytes,
 * and the caller refuses new work past a bound), never frees early.
 *
 * A queue is the control thread's alone; this module knows nothing of
 * DPDK (the check is the caller's) so it is tested without EAL. */
#ifndef SLUICE_RECLAIM_H
#define SLUICE_RECLAIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reclaim_item;

struct reclaim_queue {
    struct reclaim_item *head, *tail;   /* Oldest first. */
    uint64_t n_pending;                 /* Items waiting. */
    uint64_t bytes_pending;             /* What they will free. */
    uint64_t n_deferred;                /* Ever deferred. */
    uint64_t n_run;                     /* Ever run. */
    uint64_t n_lost;                    /* Not deferred (no memory): kept,
                                         * never freed. */
};

void reclaim_init(struct reclaim_queue *);

/* Queues fn(arg) to run once the PMD has applied 'cmd_seq' commands and
 * passed quiescent-state token 'token'; 'bytes' is what it frees (for the
 * counters), 'now' the caller's clock (for reclaim_oldest_age).  Returns
 * 0, or -ENOMEM: then fn never runs and what it would free stays
 * allocated (counted in n_lost) - a leak, never a use after free. */
int reclaim_defer(struct reclaim_queue *, uint64_t token, uint64_t cmd_seq,
                  uint64_t now, void (*fn)(void *arg), void *arg,
                  size_t bytes);

/* Runs, oldest first, the items for which due(aux, token, cmd_seq) says
 * the PMD has moved past them; stops at the first that is not due (tokens
 * and sequence numbers only grow).  Returns how many ran. */
unsigned int reclaim_run(struct reclaim_queue *,
                         bool (*due)(void *aux, uint64_t token,
                                     uint64_t cmd_seq),
                         void *aux);

/* Runs every item (the PMD's thread has ended).  Returns how many. */
unsigned int reclaim_run_all(struct reclaim_queue *);

/* The clock value given with the oldest waiting item, or 0 if none. */
uint64_t reclaim_oldest(const struct reclaim_queue *);

#endif
