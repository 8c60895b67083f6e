/* rxq_sched: rx queue to PMD assignment policy. */
#include "rxq_sched.h"

#include <stdlib.h>

unsigned int
rxq_sched_pick(const unsigned int *n_queues, unsigned int n_pmds)
{
    unsigned int best = 0;
    for (unsigned int i = 1; i < n_pmds; i++) {
        if (n_queues[i] < n_queues[best]) {
            best = i;
        }
    }
    return best;
}

void
rxq_sched_by_cycles(struct rxq_sched_item *items, size_t n,
                    unsigned int n_pmds)
{
    size_t *order = malloc(n * sizeof *order);
    uint64_t *load = calloc(n_pmds ? n_pmds : 1, sizeof *load);
    unsigned int *count = calloc(n_pmds ? n_pmds : 1, sizeof *count);

    if (!order || !load || !count || !n_pmds) {
        /* Out of memory (or nothing to assign to): plain round robin. */
        for (size_t i = 0; i < n; i++) {
            items[i].pmd = n_pmds ? (unsigned int) (i % n_pmds) : 0;
        }
        goto out;
    }
    /* Stable insertion sort by cycles, largest first: few queues. */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && items[order[j - 1]].cycles < items[i].cycles) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    for (size_t k = 0; k < n; k++) {
        struct rxq_sched_item *it = &items[order[k]];
        unsigned int best = 0;
        for (unsigned int p = 1; p < n_pmds; p++) {
            if (load[p] < load[best]
                || (load[p] == load[best] && count[p] < count[best])) {
                best = p;
            }
        }
        it->pmd = best;
        load[best] += it->cycles;
        count[best]++;
    }
out:
    free(order);
    free(load);
    free(count);
}
