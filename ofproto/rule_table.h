/* rule_table: a priority-ordered table of (match, actions) rules, the
 * first provider of the translation hook ("debug rules", set on the
 * control socket with debug/add-rule).  Lookup goes through the
 * classifier (classifier.h): the highest-priority match and the bits of
 * the key it examined, so a megaflow can never capture a packet of a
 * higher-priority rule yet stays as wide as that allows.  Between
 * overlapping rules of equal priority the result is one of them.  Control
 * thread only. */
#ifndef SLUICE_RULE_TABLE_H
#define SLUICE_RULE_TABLE_H

#include <stdint.h>

#include "ofproto/classifier.h"
#include "pmd/flow.h"

struct dp_actions;

struct rule {
    int priority;
    uint64_t seq;               /* Insertion order. */
    struct flow match;          /* Already ANDed with 'mask'. */
    struct flow mask;
    struct dp_actions *actions; /* Owned; NULL drops. */
    uint64_t hits;              /* Upcalls translated by this rule. */
    struct rule *next;
    struct cls_rule cls;        /* In the table's classifier. */
};

struct rule_table {
    struct classifier cls;
    struct rule *rules;         /* Highest priority first. */
    uint64_t next_seq;
    uint64_t version;           /* Bumped on every change. */
    unsigned int n_rules;
};

void rule_table_init(struct rule_table *);
void rule_table_destroy(struct rule_table *);

/* Adds a rule (takes ownership of 'actions').  A rule with the same
 * priority, match and mask is replaced.  Returns 0 or -ENOMEM. */
int rule_table_add(struct rule_table *, int priority, const struct flow *match,
                   const struct flow *mask, struct dp_actions *actions);
/* Removes the rule with exactly this priority, match and mask.  Returns 0
 * or -ENOENT. */
int rule_table_del(struct rule_table *, int priority, const struct flow *match,
                   const struct flow *mask);
void rule_table_clear(struct rule_table *);

/* Finds the rule for 'flow'; ORs the examined fields into 'wc'.  Returns
 * NULL if none matches (then 'wc' holds every rule's mask). */
struct rule *rule_table_lookup(struct rule_table *, const struct flow *flow,
                               struct flow *wc);

#endif
