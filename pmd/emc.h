/* emc: the exact-match cache of one PMD thread.
 *
 * Maps a packet's full key (its miniflow, compared exactly: map and every
 * present word) to the megaflow rule that matched it last time, so most
 * packets of an established flow skip the megaflow classifier.  Entries
 * are found by a 32-bit hash the caller supplies (the NIC's RSS hash, or a
 * software hash of the key); the same key must always come with the same
 * hash.
 *
 * Layout: the cache is 4-way set associative.  A set is one cache line
 * holding the hashes and rule pointers of its 4 entries; the keys live in
 * a separate array of 128-byte entries (map plus up to EMC_MAX_VALUES
 * words; a key of up to 7 words fits the entry's first cache line).  A hit
 * thus reads the set line, one key line and the rule.
 *
 * The EMC owns its sets and keys and only points at rules: a rule whose
 * 'dead' flag is set is a miss (and its entry is dropped), so a caller
 * that deletes a megaflow sets 'dead' and keeps the memory until the EMC
 * can no longer reach it (emc_remove_rule() or emc_clear()).  Only the
 * owning thread may touch an EMC; lookups never allocate. */
#ifndef SLUICE_EMC_H
#define SLUICE_EMC_H

#include <stdbool.h>
#include <stdint.h>

#include "pmd/dpcls.h"
#include "pmd/flow.h"

#define EMC_WAYS 4
#define EMC_MAX_VALUES 15           /* Longer keys are not cached. */
#define EMC_MAX_BATCH 32

/* Defaults, from measurement (uniform random flows over 1 or 5 subtables,
 * one core): 64k entries (9 MB) inserted 1 in 20 serve 10k flows from the
 * EMC (99.9% hits) and are break-even with the classifier alone at 100k
 * flows over 5 subtables (69% hits), where 8k entries inserted 1 in 100
 * cost ~20 cycles/packet more than no EMC.  In front of a single small
 * subtable no EMC helps: callers may skip it (insert_inv_prob 0 and no
 * lookups). */
#define EMC_DEFAULT_ENTRIES 65536
#define EMC_DEFAULT_INSERT_INV_PROB 20

struct emc_set;
struct emc_key;

struct emc_stats {
    uint64_t lookups;
    uint64_t hits;
    uint64_t dead;                  /* Found, but the rule was dead. */
    uint64_t inserts;               /* Entries written. */
    uint64_t insert_skipped;        /* Not written: the dice said no. */
    uint64_t evictions;             /* Live entries replaced. */
    uint64_t too_big;               /* Keys longer than EMC_MAX_VALUES. */
};

/* Whether the EMC is worth its lookups, decided now and then by
 * emc_policy_check() from what the last period showed.  An EMC lookup
 * costs a hash, a set line and a key line per packet, and saves a
 * classifier lookup on a hit.  That pays when the classifier would search
 * several subtables per packet (on average over the traffic, in its
 * ranking) and when enough lookups hit.  When many more flows are active
 * than the EMC holds, most lookups miss, each after two cache misses, and
 * the EMC only slows the PMD down: it is then left out for a while and
 * tried again (entries whose rules died meanwhile are misses anyway).
 * Measured with callgrind (sluice-bench acl, 100k flows, 7 subtables at
 * 2.5 searched per packet): the EMC hit 45% and cost 112 instructions,
 * 2.3 L1 misses and 2.2 branch mispredictions per packet more than the
 * classifier alone. */
#define EMC_MIN_VISITS_X16 64       /* 4 subtables per packet. */
#define EMC_MIN_HIT_PCT 50
#define EMC_MIN_SAMPLE 1024         /* Lookups needed to judge the hits. */
#define EMC_BACKOFF_MIN 4           /* Checks left out after a poor one, */
#define EMC_BACKOFF_MAX 64          /* doubling while it stays poor. */

struct emc_policy {
    bool active;                    /* Look packets up in the EMC. */
    bool fresh;                     /* Activated at the last check. */
    unsigned int backoff;           /* Checks to stay inactive. */
    unsigned int backoff_len;       /* The next backoff. */
    uint64_t lookups, hits;         /* The stats at the last check. */
    uint64_t next_check;            /* The caller's clock (e.g. TSC). */
};

struct emc {
    struct emc_set *sets;
    struct emc_key *keys;           /* EMC_WAYS per set. */
    uint32_t set_mask;              /* Number of sets - 1. */
    uint32_t insert_inv_prob;
    uint64_t insert_threshold;      /* Insert when a 32-bit draw is below. */
    uint64_t prng;
    struct emc_stats stats;
    struct emc_policy policy;
};

/* Sets up an EMC of 'n_entries' (a power of two, at least EMC_WAYS; 0 for
 * EMC_DEFAULT_ENTRIES) that emc_insert() fills with probability
 * 1 / 'insert_inv_prob' (1: always, 0: never).  Returns 0, -EINVAL or
 * -ENOMEM. */
int emc_init(struct emc *, unsigned int n_entries,
             unsigned int insert_inv_prob);
void emc_destroy(struct emc *);

static inline unsigned int
emc_n_entries(const struct emc *emc)
{
    return (emc->set_mask + 1) * EMC_WAYS;
}

/* Changes the insertion probability to 1 / 'insert_inv_prob'. */
void emc_set_insert_inv_prob(struct emc *, unsigned int insert_inv_prob);
/* Restarts the insertion dice from 'seed' (for reproducible tests). */
void emc_seed(struct emc *, uint64_t seed);

/* Looks up 'n' (at most EMC_MAX_BATCH) keys with their hashes.  rules[i]
 * is set to the live rule cached for keys[i], or NULL.  Returns a bitmap
 * of the hits (bit i: keys[i]). */
uint32_t emc_lookup_batch(struct emc *, const struct miniflow *const keys[],
                          const uint32_t hashes[], unsigned int n,
                          struct dpcls_rule *rules[]);

static inline struct dpcls_rule *
emc_lookup(struct emc *emc, const struct miniflow *key, uint32_t hash)
{
    struct dpcls_rule *rule;
    emc_lookup_batch(emc, &key, &hash, 1, &rule);
    return rule;
}

/* Caches 'key' (with 'hash') -> 'rule' with the configured probability,
 * replacing, in this order of preference, the entry for the same key, a
 * free one, one whose rule is dead, or a random one of the set. */
void emc_insert(struct emc *, const struct miniflow *key, uint32_t hash,
                struct dpcls_rule *rule);
/* The same, always. */
void emc_insert_force(struct emc *, const struct miniflow *key,
                      uint32_t hash, struct dpcls_rule *rule);

/* Drops every entry that points to 'rule' (scans the whole cache: control
 * work).  Returns how many. */
unsigned int emc_remove_rule(struct emc *, const struct dpcls_rule *rule);
/* Drops every entry that points to one of the 'n' 'rules' in one scan
 * ('rules' is sorted in place); more than EMC_REMOVE_MAX rules clear the
 * whole cache instead.  Returns how many entries went. */
#define EMC_REMOVE_MAX 256
unsigned int emc_remove_rules(struct emc *, const struct dpcls_rule **rules,
                              unsigned int n);

/* Decides whether the EMC stays active for the next period, from its hits
 * since the previous call and 'visits_x16', the classifier's subtables
 * searched per packet times 16 (dpcls_take_visits(); 0: no traffic, which
 * changes nothing).  An EMC that never inserts is never active.  Returns
 * policy.active. */
bool emc_policy_check(struct emc *, unsigned int visits_x16);

/* Drops every entry. */
void emc_clear(struct emc *);
/* Number of entries in use (scans the whole cache). */
unsigned int emc_count(const struct emc *);

#endif
