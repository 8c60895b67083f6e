/* rule_table: priority-ordered rules with megaflow-safe masks. */
#include "ofproto/rule_table.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void
rule_table_init(struct rule_table *t)
{
    memset(t, 0, sizeof *t);
    cls_init(&t->cls);
}

void
rule_table_clear(struct rule_table *t)
{
    while (t->rules) {
        struct rule *r = t->rules;
        t->rules = r->next;
        cls_remove(&t->cls, &r->cls);
        free(r->actions);
        free(r);
    }
    t->n_rules = 0;
    t->version++;
}

void
rule_table_destroy(struct rule_table *t)
{
    rule_table_clear(t);
    cls_destroy(&t->cls);
}

static struct rule **
find(struct rule_table *t, int priority, const struct flow *match,
     const struct flow *mask)
{
    for (struct rule **p = &t->rules; *p; p = &(*p)->next) {
        if ((*p)->priority == priority
            && !memcmp(&(*p)->match, match, sizeof *match)
            && !memcmp(&(*p)->mask, mask, sizeof *mask)) {
            return p;
        }
    }
    return NULL;
}

int
rule_table_add(struct rule_table *t, int priority, const struct flow *match,
               const struct flow *mask, struct dp_actions *actions)
{
    struct flow masked;
    flow_and(&masked, match, mask);

    struct rule **old = find(t, priority, &masked, mask);
    if (old) {
        free((*old)->actions);
        (*old)->actions = actions;
        t->version++;
        return 0;
    }
    struct rule *r = calloc(1, sizeof *r);
    if (!r) {
        return -ENOMEM;
    }
    r->priority = priority;
    r->seq = t->next_seq++;
    r->match = masked;
    r->mask = *mask;
    r->cls.match.flow = masked;
    r->cls.mask.flow = *mask;
    r->cls.priority = priority;
    if (cls_insert(&t->cls, &r->cls)) {
        free(r);
        return -ENOMEM;
    }
    r->actions = actions;

    struct rule **p = &t->rules;
    while (*p && (*p)->priority >= priority) {
        p = &(*p)->next;
    }
    r->next = *p;
    *p = r;
    t->n_rules++;
    t->version++;
    return 0;
}

int
rule_table_del(struct rule_table *t, int priority, const struct flow *match,
               const struct flow *mask)
{
    struct flow masked;
    flow_and(&masked, match, mask);
    struct rule **p = find(t, priority, &masked, mask);
    if (!p) {
        return -ENOENT;
    }
    struct rule *r = *p;
    *p = r->next;
    cls_remove(&t->cls, &r->cls);
    free(r->actions);
    free(r);
    t->n_rules--;
    t->version++;
    return 0;
}

struct rule *
rule_table_lookup(struct rule_table *t, const struct flow *flow,
                  struct flow *wc)
{
    struct cls_key key, key_wc;
    memset(&key, 0, sizeof key);
    key.flow = *flow;
    memset(&key_wc, 0, sizeof key_wc);
    const struct cls_rule *c = cls_lookup(&t->cls, &key, wc ? &key_wc : NULL);
    if (wc) {
        flow_or(wc, &key_wc.flow);
    }
    return c ? (struct rule *) ((char *) c - offsetof(struct rule, cls))
             : NULL;
}
