/* rxq_sched: rx queue to PMD assignment policy. */
#include "pmd/rxq_sched.h"

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

int
rxq_sched_pick_eligible(const unsigned int *n_queues, const bool *eligible,
                        unsigned int n_pmds)
{
    int best = -1;
    for (unsigned int i = 0; i < n_pmds; i++) {
        if (eligible[i] && (best < 0 || n_queues[i] < n_queues[best])) {
            best = (int) i;
        }
    }
    return best;
}

/* Index of the kept PMD on 'core', or -1. */
static int
pmd_on_core(int core, const unsigned int *pmd_core, const bool *keep,
            unsigned int n_pmds)
{
    for (unsigned int p = 0; core >= 0 && p < n_pmds; p++) {
        if (pmd_core[p] == (unsigned int) core && (!keep || keep[p])) {
            return (int) p;
        }
    }
    return -1;
}

void
rxq_sched_assign(struct rxq_sched_item *items, const int *pin_core, size_t n,
                 const unsigned int *pmd_core, const bool *keep,
                 unsigned int n_pmds, bool *isolated)
{
    bool iso[64] = { false };
    unsigned int map[64];
    unsigned int n_free = 0;
    size_t n_rest = 0;

    if (n_pmds > 64) {
        n_pmds = 64;
    }
    /* Pinned items first: they decide which PMDs are isolated. */
    for (size_t i = 0; i < n; i++) {
        int p = pin_core ? pmd_on_core(pin_core[i], pmd_core, keep, n_pmds)
                         : -1;
        if (p >= 0) {
            items[i].pmd = (unsigned int) p;
            iso[p] = true;
        } else {
            items[i].pmd = RXQ_SCHED_NONE;
            n_rest++;
        }
    }
    for (unsigned int p = 0; p < n_pmds; p++) {
        if ((!keep || keep[p]) && !iso[p]) {
            map[n_free++] = p;
        }
        if (isolated) {
            isolated[p] = iso[p];
        }
    }
    if (!n_rest || !n_free) {
        return;
    }

    /* The others by cycles among the PMDs left, in their original order so
     * that the result does not depend on the pins. */
    struct rxq_sched_item *rest = malloc(n_rest * sizeof *rest);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].pmd == RXQ_SCHED_NONE) {
            if (rest) {
                rest[k] = items[i];
            }
            k++;
        }
    }
    if (rest) {
        rxq_sched_by_cycles(rest, n_rest, n_free);
    }
    k = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].pmd == RXQ_SCHED_NONE) {
            /* Out of memory: plain round robin. */
            unsigned int j = rest ? rest[k].pmd : (unsigned int) (k % n_free);
            items[i].pmd = map[j];
            k++;
        }
    }
    free(rest);
}

/* Skips blanks. */
static const char *
skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

/* Parses a decimal number below 'limit' at *sp. */
static bool
parse_small_uint(const char **sp, unsigned long limit, unsigned long *v)
{
    const char *s = skip_blanks(*sp);
    unsigned long x = 0;

    if (*s < '0' || *s > '9') {
        return false;
    }
    while (*s >= '0' && *s <= '9') {
        x = x * 10 + (unsigned long) (*s++ - '0');
        if (x >= limit) {
            /* Consume the rest so the caller can name the number. */
            while (*s >= '0' && *s <= '9') {
                s++;
            }
            *sp = skip_blanks(s);
            *v = limit;
            return true;
        }
    }
    *sp = skip_blanks(s);
    *v = x;
    return true;
}

int
rxq_sched_parse_affinity(const char *s, int *core_of_queue,
                         size_t max_queues, size_t *np, char *err,
                         size_t err_size)
{
    size_t n = 0;

    if (max_queues > RXQ_SCHED_AFFINITY_MAX_QUEUES) {
        max_queues = RXQ_SCHED_AFFINITY_MAX_QUEUES;
    }
    for (size_t q = 0; q < max_queues; q++) {
        core_of_queue[q] = -1;
    }
    if (!*skip_blanks(s)) {
        *np = 0;
        return 0;
    }
    for (unsigned int item = 1;; item++) {
        unsigned long queue, core;
        if (!parse_small_uint(&s, max_queues, &queue) || *s != ':') {
            snprintf(err, err_size, "pmd-rxq-affinity: item %u is not "
                     "QUEUE:CORE", item);
            return -EINVAL;
        }
        s++;
        if (!parse_small_uint(&s, RXQ_SCHED_AFFINITY_MAX_CORES, &core)
            || (*s != ',' && *s)) {
            snprintf(err, err_size, "pmd-rxq-affinity: item %u is not "
                     "QUEUE:CORE", item);
            return -EINVAL;
        }
        if (queue >= max_queues) {
            snprintf(err, err_size, "pmd-rxq-affinity: item %u: queue id "
                     "must be below %zu", item, max_queues);
            return -EINVAL;
        }
        if (core >= RXQ_SCHED_AFFINITY_MAX_CORES) {
            snprintf(err, err_size, "pmd-rxq-affinity: item %u: core id "
                     "must be below %d", item, RXQ_SCHED_AFFINITY_MAX_CORES);
            return -EINVAL;
        }
        if (core_of_queue[queue] >= 0) {
            snprintf(err, err_size, "pmd-rxq-affinity: queue %lu is pinned "
                     "twice", queue);
            return -EINVAL;
        }
        core_of_queue[queue] = (int) core;
        if (queue + 1 > n) {
            n = queue + 1;
        }
        if (!*s) {
            break;
        }
        s++;            /* ',' */
    }
    *np = n;
    return 0;
}
