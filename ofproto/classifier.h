/* classifier: rules (a masked match on a packet's key and a priority) and
 * the lookup that translation needs: the highest-priority rule a key
 * matches, and the bits of the key that the lookup had to examine to be
 * sure of it (the wildcard mask of the megaflow it yields).  The fewer
 * bits it examines, the wider, and the fewer, the megaflows.
 *
 * Rules with the same mask share a subtable (a hash table of their masked
 * matches); subtables are searched by decreasing highest priority, and the
 * search ends when no subtable left can beat the best match so far.  In a
 * subtable the key is checked stage by stage (metadata, L2, L3, L4): a
 * stage no rule of the subtable has marks the subtable as a miss and only
 * the bits of the stages looked at so far are examined.  For the IPv4
 * source and destination addresses a prefix trie over every rule's prefix
 * tells at once which prefix lengths can match: a subtable whose length
 * cannot is skipped having examined only the address bits the trie walk
 * looked at, not the subtable's whole prefix (a /16 rule does not make
 * every megaflow exact on 32 bits).
 *
 * Rules with identical match, mask and priority may coexist; the one
 * inserted first wins.  Between overlapping rules of equal priority in
 * different subtables the result is one of them, the same for every key of
 * the megaflow.  Control thread only; nothing here is shared. */
#ifndef SLUICE_CLASSIFIER_H
#define SLUICE_CLASSIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ofproto/ofp_field.h"
#include "pmd/flow.h"
#include "src/util/hmap.h"

/* What the classifier matches: a packet's flow key and the OpenFlow
 * pipeline's own fields (OpenFlow in_port, registers, metadata), which
 * live only during translation.  Users without a pipeline leave 'meta'
 * zero in keys, matches and masks. */
struct cls_key {
    struct flow flow;
    struct ofp_match_meta meta;
};

#define CLS_N_WORDS (sizeof(struct cls_key) / 8)
_Static_assert(sizeof(struct cls_key) % 8 == 0,
               "struct cls_key must be whole words");

static inline uint64_t
cls_key_get_word(const struct cls_key *k, size_t i)
{
    uint64_t w;
    memcpy(&w, (const char *) k + 8 * i, 8);
    return w;
}

static inline void
cls_key_set_word(struct cls_key *k, size_t i, uint64_t w)
{
    memcpy((char *) k + 8 * i, &w, 8);
}

/* dst = a & b ('dst' may be 'a' or 'b'). */
static inline void
cls_key_and(struct cls_key *dst, const struct cls_key *a,
            const struct cls_key *b)
{
    for (size_t i = 0; i < CLS_N_WORDS; i++) {
        cls_key_set_word(dst, i,
                         cls_key_get_word(a, i) & cls_key_get_word(b, i));
    }
}

/* dst |= src. */
static inline void
cls_key_or(struct cls_key *dst, const struct cls_key *src)
{
    for (size_t i = 0; i < CLS_N_WORDS; i++) {
        cls_key_set_word(dst, i,
                         cls_key_get_word(dst, i) | cls_key_get_word(src, i));
    }
}

struct cls_subtable;

/* Fields with a prefix trie. */
enum cls_trie_field {
    CLS_TRIE_NW_SRC,
    CLS_TRIE_NW_DST,
    CLS_N_TRIES
};

struct cls_trie_node;

struct cls_trie {
    struct cls_trie_node *root;
    size_t n_nodes;
};

struct cls_rule {
    struct cls_key match;       /* Set by the caller, ANDed with 'mask' by
                                 * cls_insert(). */
    struct cls_key mask;
    int priority;

    /* The classifier's. */
    struct hmap_node node;      /* In the subtable, if first of 'same'. */
    struct cls_rule *same;      /* Rules of identical match: lower (or
                                 * equal, later) priorities. */
    struct cls_subtable *subtable;
};

struct classifier {
    struct cls_subtable **subtables;    /* By decreasing max priority. */
    size_t n_subtables, cap_subtables;
    struct hmap by_mask;                /* The subtables. */
    struct cls_trie tries[CLS_N_TRIES];
    unsigned int prefixes;              /* Bit t: trie t is used. */
    size_t n_rules;
};

void cls_init(struct classifier *);
/* Frees the classifier's own memory; the rules are the caller's (remove
 * them first or free them with it). */
void cls_destroy(struct classifier *);

/* Which prefix tries lookups use (bit CLS_TRIE_*; both by default, 0:
 * none, as Open vSwitch's Flow_Table other_config:prefixes).  Without a
 * trie a subtable with an address prefix examines the whole prefix.
 * Returns 0 or -ENOMEM (then nothing changed). */
#define CLS_PREFIXES_ALL ((1u << CLS_N_TRIES) - 1)
int cls_set_prefixes(struct classifier *, unsigned int prefixes);

/* Adds 'rule' (its match, mask and priority set).  Returns 0 or -ENOMEM. */
int cls_insert(struct classifier *, struct cls_rule *);
/* Removes 'rule', which must be in 'cls'. */
void cls_remove(struct classifier *, struct cls_rule *);

/* The highest-priority rule matching 'key', or NULL.  ORs into 'wc' every
 * bit of the key the lookup examined: every key that agrees with 'key' on
 * those bits gets the same answer.  'wc' may be NULL. */
const struct cls_rule *cls_lookup(const struct classifier *,
                                  const struct cls_key *key,
                                  struct cls_key *wc);

/* The rule with exactly this match (ANDed with 'mask'), mask and priority,
 * or NULL. */
struct cls_rule *cls_find_exact(const struct classifier *,
                                const struct cls_key *match,
                                const struct cls_key *mask, int priority);

/* Calls 'cb' for every rule (it may remove the rule it is given). */
void cls_for_each(const struct classifier *,
                  void (*cb)(struct cls_rule *, void *aux), void *aux);

static inline size_t
cls_count(const struct classifier *cls)
{
    return cls->n_rules;
}

/* How many subtables (distinct masks) there are. */
static inline size_t
cls_n_subtables(const struct classifier *cls)
{
    return cls->n_subtables;
}

#endif
