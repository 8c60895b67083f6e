/* dpcls: the megaflow classifier of one PMD thread (tuple-space search).
 *
 * A rule is a masked key plus a mask.  Rules that share a mask live in one
 * subtable, a hash table keyed by the masked key; a lookup masks the
 * packet's key with each subtable's mask in turn and probes that table.
 * Megaflows from translation never overlap, so the first subtable that
 * matches wins and the subtables are searched most-hit first
 * (dpcls_sort_subtables() re-ranks them from per-subtable hit counters),
 * and a key that matches a megaflow found for another needs no search
 * (dpcls_lookup()'s leaders).  Megaflows installed by hand with different
 * masks may overlap: a key then gets one of those it matches, which one
 * depending on the ranking and its neighbours in the batch (in Open
 * vSwitch too, which overlapping datapath flow matches is unspecified).
 *
 * The classifier owns its subtables and their hash tables; the caller owns
 * the rules: a 'struct dpcls_rule' is embedded in the caller's megaflow and
 * found back with DPCLS_CONTAINER_OF().  Only the owning thread may touch
 * a classifier (no locks, no atomics).  Lookups never allocate; inserts
 * and removals may (control work, done between bursts). */
#ifndef SLUICE_DPCLS_H
#define SLUICE_DPCLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmd/flow.h"

/* Largest batch dpcls_lookup() takes. */
#define DPCLS_MAX_BATCH 32

#define DPCLS_CONTAINER_OF(PTR, TYPE, MEMBER) \
    ((TYPE *) (void *) ((char *) (PTR) - offsetof(TYPE, MEMBER)))

struct dpcls_subtable;

/* One rule, embedded in the caller's megaflow.  Read-only for the caller
 * except 'dead'.  Putting it at a 64-byte boundary keeps the words a lookup
 * compares (up to 6 of them) in one cache line. */
struct dpcls_rule {
    uint32_t hash;                  /* Hash of the masked key. */
    bool dead;                      /* Set when the megaflow is deleted;
                                     * makes EMC entries that still point
                                     * here misses. */
    struct miniflow key;            /* Masked key: map is the mask's map
                                     * (words whose mask is nonzero),
                                     * values are key AND mask. */
    const struct miniflow *mask;    /* The subtable's mask (same map). */
    struct dpcls_subtable *subtable;
};

struct dpcls {
    struct dpcls_subtable **subtables;  /* In rank order. */
    unsigned int n_subtables;
    unsigned int allocated;
    unsigned int n_rules;
    uint64_t words_used;                /* Union of the subtables' masks'
                                         * maps: the key words any lookup
                                         * reads. */
    bool leaders;                       /* Search batches leaders first
                                         * (see dpcls_lookup()). */
    unsigned int hot;                   /* Index of the subtable that
                                         * matched most keys of the last
                                         * search: searched first. */
};

/* Leaders first pays when packets go past the first subtable: from 1.5
 * subtables per packet on (as dpcls_take_visits() last found). */
#define DPCLS_LEADERS_MIN_VISITS_X16 24

void dpcls_init(struct dpcls *);
/* Frees the subtables.  The rules are the caller's. */
void dpcls_destroy(struct dpcls *);

/* Inserts 'rule' with 'key' masked by 'mask' (words of 'mask' that are
 * zero, and words absent from it, are wildcards; 'key' need not be masked
 * already).  Clears rule->dead.  Returns 0, -EEXIST if a rule with the same
 * mask and masked key is already in (the classifier is unchanged), or
 * -ENOMEM. */
int dpcls_insert(struct dpcls *, struct dpcls_rule *,
                 const struct miniflow *key, const struct miniflow *mask);

/* Removes 'rule' (which must be in 'cls'), frees its subtable if it was
 * the last rule of it, and sets rule->dead. */
void dpcls_remove(struct dpcls *, struct dpcls_rule *);

/* Looks up 'n' (at most DPCLS_MAX_BATCH) keys.  rules[i] is set to the rule
 * that matches keys[i], or NULL.  While 'leaders' is set, every 4th key is
 * searched first and each of the others is only checked against the rule
 * its leader found (when that one lies past the first subtable), and
 * searched only if it does not match it: neighbours in a batch often share
 * a megaflow.  Returns a bitmap of the keys that
 * matched (bit i: keys[i]).  If 'n_subtable_lookups' is not NULL, adds to
 * it, for each key that matched, the rank (1-based) of the subtable it
 * matched in: divided by the number of hits, the "avg. subtable lookups
 * per megaflow hit" of pmd-stats-show. */
uint32_t dpcls_lookup(struct dpcls *, const struct miniflow *const keys[],
                      unsigned int n, struct dpcls_rule *rules[],
                      uint64_t *n_subtable_lookups);

/* Counts the rules of 'hits' (bit i: rules[i]), which were found without
 * dpcls_lookup() (e.g. in an exact-match cache), as packets of their
 * subtables for dpcls_take_visits().  Rules removed meanwhile (dead) are
 * not counted. */
void dpcls_count_packets(struct dpcls_rule *const rules[], uint32_t hits);

/* How many subtables, on average, a lookup would search for the packets
 * counted since the previous call (those matched by dpcls_lookup() and
 * those of dpcls_count_packets()) in the current ranking, times 16; 0 if
 * none was counted.  Restarts the count and sets 'leaders' from it. */
unsigned int dpcls_take_visits(struct dpcls *);

/* Re-ranks the subtables by the hits they had since the previous call,
 * most first (ties keep their order), and restarts those counters.  The
 * PMD calls it now and then (e.g. every second). */
void dpcls_sort_subtables(struct dpcls *);

static inline unsigned int
dpcls_n_rules(const struct dpcls *cls)
{
    return cls->n_rules;
}

static inline unsigned int
dpcls_n_subtables(const struct dpcls *cls)
{
    return cls->n_subtables;
}

/* The subtable at 'rank' (0 = searched first): its mask, number of rules
 * and hits (since the last sort, and in total).  Returns -ENOENT past the
 * last one. */
struct dpcls_subtable_info {
    const struct miniflow *mask;
    unsigned int n_rules;
    uint64_t hits;
    uint64_t hits_total;
};
int dpcls_subtable_info(const struct dpcls *, unsigned int rank,
                        struct dpcls_subtable_info *);

/* Iteration over every rule, subtable by subtable.  The rule just returned
 * may be removed before the next call; nothing else may change the
 * classifier during a walk.
 *
 *     struct dpcls_cursor c;
 *     struct dpcls_rule *r;
 *     DPCLS_FOR_EACH (r, &c, cls) { ... }
 */
struct dpcls_cursor {
    unsigned int subtable;
    unsigned int slot;              /* Next slot in that subtable. */
    unsigned int n_subtables;       /* When the last rule was returned. */
};
void dpcls_cursor_init(const struct dpcls *, struct dpcls_cursor *);
struct dpcls_rule *dpcls_cursor_next(const struct dpcls *,
                                     struct dpcls_cursor *);
#define DPCLS_FOR_EACH(RULE, CURSOR, CLS) \
    for (dpcls_cursor_init(CLS, CURSOR); \
         ((RULE) = dpcls_cursor_next(CLS, CURSOR)) != NULL; )

/* Whether subtables created from now on use the AVX-512 lookup where the
 * CPU has AVX-512F (the default, unless the environment variable
 * SLUICE_DPCLS_VECTOR is "0").  Returns whether they will: false if asked
 * not to or the CPU cannot. */
bool dpcls_set_vector(bool on);
/* Whether subtables created now use the AVX-512 lookup. */
bool dpcls_vector_enabled(void);

/* The hash dpcls uses for 'n' masked words (exposed for tests and for
 * callers that want the same function, e.g. an EMC hash in software). */
uint32_t dpcls_hash_words(const uint64_t *words, unsigned int n,
                          uint32_t basis);

#endif
