/* emc: the exact-match cache.  See emc.h. */
#include "pmd/emc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* One set: the hashes and rules of its EMC_WAYS entries.  A free entry has
 * rules[w] == NULL. */
struct emc_set {
    uint32_t hashes[EMC_WAYS];
    uint8_t n_values[EMC_WAYS];
    uint8_t pad[12];
    struct dpcls_rule *rules[EMC_WAYS];
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct emc_set) == 64, "set is a cache line");

/* Values 0-6 share the first cache line with the map. */
struct emc_key {
    uint64_t map;
    uint64_t values[EMC_MAX_VALUES];
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct emc_key) == 128, "key is two cache lines");

#define KEY_VALUES_LINE0 7

static inline uint32_t
prng_next(struct emc *emc)
{
    emc->prng = emc->prng * UINT64_C(6364136223846793005)
                + UINT64_C(1442695040888963407);
    return (uint32_t) (emc->prng >> 32);
}

/* Cache-line aligned memory; big blocks are 2 MB aligned and asked to be
 * backed by transparent huge pages, since lookups hit them at random. */
static void *
emc_alloc(size_t size)
{
    const size_t huge = 2u << 20;
    if (size < huge) {
        return aligned_alloc(64, size);
    }
    size = (size + huge - 1) & ~(huge - 1);
    void *p = aligned_alloc(huge, size);
#ifdef MADV_HUGEPAGE
    if (p) {
        madvise(p, size, MADV_HUGEPAGE);
    }
#endif
    return p;
}

void
emc_seed(struct emc *emc, uint64_t seed)
{
    emc->prng = seed;
}

void
emc_set_insert_inv_prob(struct emc *emc, unsigned int insert_inv_prob)
{
    emc->insert_inv_prob = insert_inv_prob;
    emc->insert_threshold = insert_inv_prob
                            ? (UINT64_C(1) << 32) / insert_inv_prob : 0;
}

int
emc_init(struct emc *emc, unsigned int n_entries,
         unsigned int insert_inv_prob)
{
    memset(emc, 0, sizeof *emc);
    if (!n_entries) {
        n_entries = EMC_DEFAULT_ENTRIES;
    }
    if (n_entries < EMC_WAYS || (n_entries & (n_entries - 1))
        || n_entries > (1u << 30)) {
        return -EINVAL;
    }
    unsigned int n_sets = n_entries / EMC_WAYS;
    emc->sets = emc_alloc(n_sets * sizeof *emc->sets);
    emc->keys = emc_alloc((size_t) n_entries * sizeof *emc->keys);
    if (!emc->sets || !emc->keys) {
        free(emc->sets);
        free(emc->keys);
        emc->sets = NULL;
        emc->keys = NULL;
        return -ENOMEM;
    }
    memset(emc->sets, 0, n_sets * sizeof *emc->sets);
    emc->set_mask = n_sets - 1;
    emc_set_insert_inv_prob(emc, insert_inv_prob);
    emc_seed(emc, UINT64_C(0x853c49e6748fea9b));
    emc->policy.active = true;
    emc->policy.fresh = true;
    emc->policy.backoff_len = EMC_BACKOFF_MIN;
    return 0;
}

void
emc_destroy(struct emc *emc)
{
    free(emc->sets);
    free(emc->keys);
    memset(emc, 0, sizeof *emc);
}

static inline bool
key_equal(const struct emc_key *k, unsigned int n,
          const struct miniflow *mf)
{
    if (k->map != mf->map) {
        return false;
    }
    uint64_t diff = 0;
    for (unsigned int j = 0; j < n; j++) {
        diff |= k->values[j] ^ mf->values[j];
    }
    return !diff;
}

uint32_t
emc_lookup_batch(struct emc *emc, const struct miniflow *const keys[],
                 const uint32_t hashes[], unsigned int n,
                 struct dpcls_rule *rules[])
{
    int8_t cand[EMC_MAX_BATCH];
    uint32_t hits = 0;
    unsigned int n_hits = 0;

    if (n > EMC_MAX_BATCH) {
        n = EMC_MAX_BATCH;
    }
    for (unsigned int i = 0; i < n; i++) {
        __builtin_prefetch(&emc->sets[hashes[i] & emc->set_mask]);
    }
    /* Find the first way with the same hash; prefetch its key and rule. */
    for (unsigned int i = 0; i < n; i++) {
        const struct emc_set *set = &emc->sets[hashes[i] & emc->set_mask];
        cand[i] = -1;
        rules[i] = NULL;
        for (int w = 0; w < EMC_WAYS; w++) {
            if (set->hashes[w] == hashes[i] && set->rules[w]) {
                const struct emc_key *k
                    = &emc->keys[(hashes[i] & emc->set_mask) * EMC_WAYS + w];
                __builtin_prefetch(k);
                if (set->n_values[w] > KEY_VALUES_LINE0) {
                    __builtin_prefetch(&k->values[KEY_VALUES_LINE0]);
                }
                __builtin_prefetch(set->rules[w]);
                cand[i] = (int8_t) w;
                break;
            }
        }
    }
    for (unsigned int i = 0; i < n; i++) {
        if (cand[i] < 0) {
            continue;
        }
        uint32_t s = hashes[i] & emc->set_mask;
        struct emc_set *set = &emc->sets[s];
        for (int w = cand[i]; w < EMC_WAYS; w++) {
            struct dpcls_rule *r = set->rules[w];
            if (set->hashes[w] != hashes[i] || !r
                || !key_equal(&emc->keys[s * EMC_WAYS + w],
                              set->n_values[w], keys[i])) {
                continue;
            }
            if (r->dead) {
                set->rules[w] = NULL;
                emc->stats.dead++;
            } else {
                rules[i] = r;
                hits |= UINT32_C(1) << i;
                n_hits++;
            }
            break;
        }
    }
    emc->stats.lookups += n;
    emc->stats.hits += n_hits;
    return hits;
}

void
emc_insert_force(struct emc *emc, const struct miniflow *key,
                 uint32_t hash, struct dpcls_rule *rule)
{
    unsigned int n = miniflow_n_values(key);
    if (n > EMC_MAX_VALUES) {
        emc->stats.too_big++;
        return;
    }
    uint32_t s = hash & emc->set_mask;
    struct emc_set *set = &emc->sets[s];
    int victim = -1;
    for (int w = 0; w < EMC_WAYS; w++) {
        if (set->rules[w] && set->hashes[w] == hash
            && key_equal(&emc->keys[s * EMC_WAYS + w], set->n_values[w],
                         key)) {
            set->rules[w] = rule;
            emc->stats.inserts++;
            return;
        }
    }
    for (int w = 0; w < EMC_WAYS; w++) {
        if (!set->rules[w]) {
            victim = w;
            break;
        }
    }
    if (victim < 0) {
        for (int w = 0; w < EMC_WAYS; w++) {
            if (set->rules[w]->dead) {
                victim = w;
                break;
            }
        }
    }
    if (victim < 0) {
        victim = (int) (prng_next(emc) >> 30) & (EMC_WAYS - 1);
        emc->stats.evictions++;
    }
    struct emc_key *k = &emc->keys[s * EMC_WAYS + victim];
    k->map = key->map;
    memcpy(k->values, key->values, n * sizeof key->values[0]);
    set->hashes[victim] = hash;
    set->n_values[victim] = (uint8_t) n;
    set->rules[victim] = rule;
    emc->stats.inserts++;
}

void
emc_insert(struct emc *emc, const struct miniflow *key, uint32_t hash,
           struct dpcls_rule *rule)
{
    if (emc->insert_inv_prob != 1
        && (uint64_t) prng_next(emc) >= emc->insert_threshold) {
        emc->stats.insert_skipped++;
        return;
    }
    emc_insert_force(emc, key, hash, rule);
}

unsigned int
emc_remove_rule(struct emc *emc, const struct dpcls_rule *rule)
{
    unsigned int n = 0;
    for (uint32_t s = 0; s <= emc->set_mask; s++) {
        struct emc_set *set = &emc->sets[s];
        for (int w = 0; w < EMC_WAYS; w++) {
            if (set->rules[w] == rule) {
                set->rules[w] = NULL;
                n++;
            }
        }
    }
    return n;
}

static int
compare_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) *(const void *const *) a;
    uintptr_t y = (uintptr_t) *(const void *const *) b;
    return x < y ? -1 : x > y;
}

unsigned int
emc_remove_rules(struct emc *emc, const struct dpcls_rule **rules,
                 unsigned int n)
{
    if (n > EMC_REMOVE_MAX) {
        unsigned int count = emc_count(emc);
        emc_clear(emc);
        return count;
    }
    /* One pass over the cache, each entry looked up in the sorted set. */
    qsort(rules, n, sizeof *rules, compare_ptr);
    unsigned int removed = 0;
    for (uint32_t s = 0; s <= emc->set_mask; s++) {
        struct emc_set *set = &emc->sets[s];
        for (int w = 0; w < EMC_WAYS; w++) {
            const struct dpcls_rule *r = set->rules[w];
            if (r && bsearch(&r, rules, n, sizeof *rules, compare_ptr)) {
                set->rules[w] = NULL;
                removed++;
            }
        }
    }
    return removed;
}

bool
emc_policy_check(struct emc *emc, unsigned int visits_x16)
{
    struct emc_policy *pol = &emc->policy;
    uint64_t lookups = emc->stats.lookups - pol->lookups;
    uint64_t hits = emc->stats.hits - pol->hits;
    pol->lookups = emc->stats.lookups;
    pol->hits = emc->stats.hits;

    if (!emc->insert_inv_prob) {
        pol->active = false;
        pol->backoff = 0;
    } else if (pol->backoff) {
        pol->backoff--;
        pol->active = false;
    } else if (!visits_x16) {
        /* No traffic: nothing learnt. */
    } else if (visits_x16 < EMC_MIN_VISITS_X16) {
        pol->active = false;
    } else if (pol->active && !pol->fresh && lookups >= EMC_MIN_SAMPLE
               && hits * 100 < lookups * EMC_MIN_HIT_PCT) {
        pol->active = false;
        pol->backoff = pol->backoff_len;
        if (pol->backoff_len < EMC_BACKOFF_MAX) {
            pol->backoff_len *= 2;
        }
    } else {
        if (pol->active && !pol->fresh && lookups >= EMC_MIN_SAMPLE) {
            pol->backoff_len = EMC_BACKOFF_MIN;     /* It paid. */
        }
        /* A period just activated fills the cache: judge the next one. */
        pol->fresh = !pol->active;
        pol->active = true;
    }
    return pol->active;
}

void
emc_clear(struct emc *emc)
{
    memset(emc->sets, 0, (emc->set_mask + 1) * sizeof *emc->sets);
}

unsigned int
emc_count(const struct emc *emc)
{
    unsigned int n = 0;
    for (uint32_t s = 0; s <= emc->set_mask; s++) {
        for (int w = 0; w < EMC_WAYS; w++) {
            n += emc->sets[s].rules[w] != NULL;
        }
    }
    return n;
}
