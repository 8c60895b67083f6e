/* rxq_sched: rx queue to PMD assignment policy. */
#include "rxq_sched.h"

#include <errno.h>
#include <stdio.h>
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

void
rxq_sched_reassign(struct rxq_sched_item *items, size_t n, const bool *keep,
                   unsigned int n_pmds)
{
    unsigned int map[64];
    unsigned int n_kept = 0;

    for (unsigned int p = 0; p < n_pmds && n_kept < 64; p++) {
        if (keep[p]) {
            map[n_kept++] = p;
        }
    }
    if (!n_kept) {
        for (size_t i = 0; i < n; i++) {
            items[i].pmd = 0;
        }
        return;
    }
    rxq_sched_by_cycles(items, n, n_kept);
    for (size_t i = 0; i < n; i++) {
        items[i].pmd = map[items[i].pmd];
    }
}

int
rxq_sched_check_mask(uint64_t mask, uint64_t usable, unsigned int max_pmds,
                     char *err, size_t err_size)
{
    if (!mask) {
        snprintf(err, err_size, "pmd cpu mask 0x0 has no core");
        return -EINVAL;
    }
    if (mask & ~usable) {
        snprintf(err, err_size, "pmd cpu mask 0x%llx: cores 0x%llx are not "
                 "online or not available to this process (usable mask "
                 "0x%llx)", (unsigned long long) mask,
                 (unsigned long long) (mask & ~usable),
                 (unsigned long long) usable);
        return -EINVAL;
    }
    if ((unsigned int) __builtin_popcountll(mask) > max_pmds) {
        snprintf(err, err_size, "pmd cpu mask 0x%llx: more than %u cores",
                 (unsigned long long) mask, max_pmds);
        return -EINVAL;
    }
    return 0;
}

bool
rxq_sched_txq_shared(const bool *used, unsigned int n_slots,
                     unsigned int n_txq)
{
    bool *taken;

    if (!n_txq) {
        return true;
    }
    if (n_txq >= n_slots) {
        return false;       /* Every slot has a queue of its own. */
    }
    taken = calloc(n_txq, sizeof *taken);
    if (!taken) {
        return true;        /* Locking is always safe. */
    }
    bool shared = false;
    for (unsigned int s = 0; s < n_slots && !shared; s++) {
        if (used[s]) {
            shared = taken[s % n_txq];
            taken[s % n_txq] = true;
        }
    }
    free(taken);
    return shared;
}

int
rxq_sched_parse_cpu_list(const char *s, uint64_t *maskp)
{
    uint64_t mask = 0;

    while (*s && *s != '\n') {
        char *end;
        if (*s < '0' || *s > '9') {
            return -EINVAL;
        }
        unsigned long a = strtoul(s, &end, 10), b = a;
        s = end;
        if (*s == '-') {
            if (s[1] < '0' || s[1] > '9') {
                return -EINVAL;
            }
            b = strtoul(s + 1, &end, 10);
            s = end;
            if (b < a) {
                return -EINVAL;
            }
        }
        for (unsigned long c = a; c <= b && c < 64; c++) {
            mask |= UINT64_C(1) << c;
        }
        if (*s == ',') {
            s++;
        } else if (*s && *s != '\n') {
            return -EINVAL;
        }
    }
    *maskp = mask;
    return 0;
}
