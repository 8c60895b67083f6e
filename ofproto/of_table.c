/* of_table: the OpenFlow flow tables of one switch (see of_table.h for
 * the semantics, which are Open vSwitch 3.1's).
 *
 * Each table keeps its rules twice: in its classifier, for lookups and
 * exact finds, and in a list by insertion, for the walks that select
 * rules (loose modify and delete, statistics), so that no walk has to
 * allocate.  Rules with a timeout are also on one list of the tables, so
 * that expiry walks only them.  Every change is checked (and every
 * allocation made) before the first rule changes. */
#include "ofproto/of_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofp_err.h"

#define RULE_OF(CR) \
    ((struct of_rule *) (void *) ((char *) (CR) \
                                  - offsetof(struct of_rule, cr)))

/* The rule list. */

void
of_rule_list_init(struct of_rule_list *l)
{
    memset(l, 0, sizeof *l);
}

void
of_rule_list_destroy(struct of_rule_list *l)
{
    free(l->rules);
    free(l->reasons);
    of_rule_list_init(l);
}

/* Makes room for 'extra' more entries: 0 or -ENOMEM (then 'l' holds what
 * it held). */
static int
list_reserve(struct of_rule_list *l, size_t extra)
{
    if (extra <= l->cap - l->n) {
        return 0;
    }
    size_t cap = l->cap ? 2 * l->cap : 16;
    while (cap - l->n < extra) {
        cap *= 2;
    }
    struct of_rule **rules = realloc(l->rules, cap * sizeof *rules);
    if (!rules) {
        return -ENOMEM;
    }
    l->rules = rules;
    enum ofp_flow_removed_reason *reasons
        = realloc(l->reasons, cap * sizeof *reasons);
    if (!reasons) {
        return -ENOMEM;
    }
    l->reasons = reasons;
    l->cap = cap;
    return 0;
}

/* Room was reserved. */
static void
list_push(struct of_rule_list *l, struct of_rule *rule,
          enum ofp_flow_removed_reason reason)
{
    l->rules[l->n] = rule;
    l->reasons[l->n] = reason;
    l->n++;
}

/* Instructions: a rule owns a deep copy of the flow_mod's. */

static int
actions_copy(struct ofp_actions *dst, const struct ofp_actions *src)
{
    *dst = (struct ofp_actions) OFP_ACTIONS_INIT;
    if (!src->n) {
        return 0;
    }
    dst->acts = malloc(src->n * sizeof *dst->acts);
    if (!dst->acts) {
        return -ENOMEM;
    }
    memcpy(dst->acts, src->acts, src->n * sizeof *dst->acts);
    dst->n = dst->cap = src->n;
    int error = 0;
    for (size_t i = 0; i < dst->n; i++) {
        struct ofp_action *a = &dst->acts[i];
        if (a->type != OFPACT_NOTE || !a->note.len) {
            continue;
        }
        uint8_t *data = error ? NULL : malloc(a->note.len);
        if (data) {
            memcpy(data, a->note.data, a->note.len);
        } else {
            /* Not the source's: ofp_actions_free() frees what is here. */
            error = -ENOMEM;
            a->note.len = 0;
        }
        a->note.data = data;
    }
    if (error) {
        ofp_actions_free(dst);
    }
    return error;
}

static int
insts_copy(struct ofp_insts *dst, const struct ofp_insts *src)
{
    *dst = *src;
    dst->apply = (struct ofp_actions) OFP_ACTIONS_INIT;
    dst->write = (struct ofp_actions) OFP_ACTIONS_INIT;
    if (actions_copy(&dst->apply, &src->apply)
        || actions_copy(&dst->write, &src->write)) {
        ofp_insts_free(dst);
        return -ENOMEM;
    }
    return 0;
}

/* Lists of rules. */

static void
table_link(struct of_table *t, struct of_rule *r)
{
    r->next = NULL;
    r->prev = t->last;
    if (t->last) {
        t->last->next = r;
    } else {
        t->first = r;
    }
    t->last = r;
}

static void
table_unlink(struct of_table *t, struct of_rule *r)
{
    if (r->prev) {
        r->prev->next = r->next;
    } else {
        t->first = r->next;
    }
    if (r->next) {
        r->next->prev = r->prev;
    } else {
        t->last = r->prev;
    }
    r->prev = r->next = NULL;
}

static void
timed_unlink(struct of_tables *ts, struct of_rule *r)
{
    if (!r->timed) {
        return;
    }
    if (r->timed_prev) {
        r->timed_prev->timed_next = r->timed_next;
    } else {
        ts->timed = r->timed_next;
    }
    if (r->timed_next) {
        r->timed_next->timed_prev = r->timed_prev;
    }
    r->timed_prev = r->timed_next = NULL;
    r->timed = false;
}

static uint64_t
rule_expiry(const struct of_rule *r)
{
    uint64_t t = UINT64_MAX;
    if (r->hard_timeout) {
        t = r->modified_ms + r->hard_timeout * UINT64_C(1000);
    }
    if (r->idle_timeout) {
        uint64_t idle = r->used_ms + r->idle_timeout * UINT64_C(1000);
        t = idle < t ? idle : t;
    }
    return t;
}

/* Puts 'r' on the list of rules with a timeout, or takes it off, after
 * its timeouts or times changed. */
static void
timed_update(struct of_tables *ts, struct of_rule *r)
{
    if (!r->idle_timeout && !r->hard_timeout) {
        timed_unlink(ts, r);
        return;
    }
    if (!r->timed) {
        r->timed = true;
        r->timed_prev = NULL;
        r->timed_next = ts->timed;
        if (ts->timed) {
            ts->timed->timed_prev = r;
        }
        ts->timed = r;
    }
    uint64_t t = rule_expiry(r);
    if (t < ts->next_expiry) {
        ts->next_expiry = t;
    }
}

/* Takes 'r' out of the tables (not freed). */
static void
rule_detach(struct of_tables *ts, struct of_rule *r)
{
    struct of_table *t = &ts->tables[r->table_id];
    cls_remove(&t->cls, &r->cr);
    table_unlink(t, r);
    timed_unlink(ts, r);
    ts->n_rules--;
}

void
of_rule_free(struct of_rule *r)
{
    if (r) {
        ofp_insts_free(&r->insts);
        free(r);
    }
}

/* The tables. */

void
of_tables_init(struct of_tables *ts)
{
    memset(ts, 0, sizeof *ts);
    for (size_t i = 0; i < OF_N_TABLES; i++) {
        cls_init(&ts->tables[i].cls);
    }
    ts->next_expiry = UINT64_MAX;
}

void
of_tables_destroy(struct of_tables *ts)
{
    for (size_t i = 0; i < OF_N_TABLES; i++) {
        struct of_table *t = &ts->tables[i];
        while (t->first) {
            struct of_rule *r = t->first;
            rule_detach(ts, r);
            of_rule_free(r);
        }
        cls_destroy(&t->cls);
    }
}

static void
key_from_match(const struct ofp_match *m, struct cls_key *match,
               struct cls_key *mask)
{
    match->flow = m->flow;
    match->meta = m->meta;
    mask->flow = m->wc;
    mask->meta = m->meta_wc;
}

/* Which rules a flow_mod or a statistics request selects. */
struct selector {
    struct cls_key match, mask;     /* fm's match, classifier form. */
    const struct ofp_match *ofp;
    bool strict;
    uint16_t priority;              /* If 'strict'. */
    uint64_t cookie, cookie_mask;
    uint32_t out_port, out_group;   /* OFPP_ANY, OFPG_ANY: any. */
};

/* Whether 'r''s match is at least as specific as the selector's: every
 * bit the selector matches, 'r' matches too, with the same value. */
static bool
loose_match(const struct of_rule *r, const struct selector *s)
{
    for (size_t i = 0; i < CLS_N_WORDS; i++) {
        uint64_t m = cls_key_get_word(&s->mask, i);
        uint64_t diff = cls_key_get_word(&r->cr.match, i)
                        ^ cls_key_get_word(&s->match, i);
        if ((m & ~cls_key_get_word(&r->cr.mask, i)) || (diff & m)) {
            return false;
        }
    }
    return true;
}

static bool
selects(const struct selector *s, const struct of_rule *r)
{
    if ((r->cookie ^ s->cookie) & s->cookie_mask) {
        return false;
    }
    if (s->strict ? r->priority != s->priority
                    || !ofp_match_equal(&r->match, s->ofp)
                  : !loose_match(r, s)) {
        return false;
    }
    return of_rule_has_out_port(r, s->out_port)
           && of_rule_has_out_group(r, s->out_group);
}

typedef void rule_visit_fn(struct of_tables *, struct of_rule *, void *aux);

/* Calls 'visit' for each rule of 'table_id' (OFPTT_ALL: all) that 's'
 * selects, in table order and by insertion; 'visit' may detach the rule
 * it is given. */
static void
for_each_selected(struct of_tables *ts, uint8_t table_id,
                  const struct selector *s, rule_visit_fn *visit, void *aux)
{
    size_t lo = table_id == OFPTT_ALL ? 0 : table_id;
    size_t hi = table_id == OFPTT_ALL ? OF_N_TABLES : lo + 1u;
    for (size_t i = lo; i < hi; i++) {
        struct of_table *t = &ts->tables[i];
        if (s->strict) {
            /* At most one: no two rules share match and priority. */
            struct cls_rule *cr = cls_find_exact(&t->cls, &s->match,
                                                 &s->mask, s->priority);
            if (cr && selects(s, RULE_OF(cr))) {
                visit(ts, RULE_OF(cr), aux);
            }
            continue;
        }
        struct of_rule *next;
        for (struct of_rule *r = t->first; r; r = next) {
            next = r->next;
            if (selects(s, r)) {
                visit(ts, r, aux);
            }
        }
    }
}

static void
count_visit(struct of_tables *ts, struct of_rule *r, void *aux)
{
    (void) ts;
    (void) r;
    ++*(size_t *) aux;
}

static size_t
count_selected(struct of_tables *ts, uint8_t table_id,
               const struct selector *s)
{
    size_t n = 0;
    for_each_selected(ts, table_id, s, count_visit, &n);
    return n;
}

static void
selector_from_fm(const struct ofp_flow_mod *fm, bool strict,
                 struct selector *s)
{
    memset(s, 0, sizeof *s);
    key_from_match(&fm->match, &s->match, &s->mask);
    s->ofp = &fm->match;
    s->strict = strict;
    s->priority = fm->priority;
    s->cookie = fm->cookie;
    s->cookie_mask = fm->cookie_mask;
    s->out_port = OFPP_ANY;
    s->out_group = OFPG_ANY;
}

/* Add. */

/* Whether some key could match both 'r' and a rule of match 'match' and
 * mask 'mask': they agree wherever both match. */
static bool
overlaps(const struct of_rule *r, const struct cls_key *match,
         const struct cls_key *mask)
{
    for (size_t i = 0; i < CLS_N_WORDS; i++) {
        uint64_t both = cls_key_get_word(&r->cr.mask, i)
                        & cls_key_get_word(mask, i);
        if ((cls_key_get_word(&r->cr.match, i)
             ^ cls_key_get_word(match, i)) & both) {
            return false;
        }
    }
    return true;
}

/* Whether a rule of 'priority' overlaps 'match'/'mask' in 't' (a walk
 * over the table's rules). */
static bool
table_overlaps(const struct of_table *t, uint16_t priority,
               const struct cls_key *match, const struct cls_key *mask)
{
    for (const struct of_rule *r = t->first; r; r = r->next) {
        if (r->priority == priority && overlaps(r, match, mask)) {
            return true;
        }
    }
    return false;
}

static bool
table_full(const struct of_tables *ts, const struct of_table *t)
{
    return ts->n_rules >= OF_MAX_RULES
           || (t->max_rules && cls_count(&t->cls) >= t->max_rules);
}

/* Sets what an add gives a rule, new or replaced. */
static void
rule_set_from_add(struct of_rule *r, const struct ofp_flow_mod *fm,
                  bool is_add, uint64_t now_ms)
{
    bool old_fmt = fm->format != OFP_FM_OF13;
    r->cookie = fm->new_cookie;
    r->idle_timeout = fm->idle_timeout;
    r->hard_timeout = fm->hard_timeout;
    /* OVS marks OpenFlow 1.0 and NXM adds (not modifies that add) as
     * resetting counters, as OpenFlow 1.0 says an add does. */
    r->flags = fm->flags
               | (old_fmt && is_add ? OFPFF13_RESET_COUNTS : 0);
    r->created_ms = r->modified_ms = now_ms;
}

/* Adds 'fm''s rule, or replaces the rule of the same match and priority;
 * 'is_add': the command is an add (not a modify that adds). */
static enum ofp_err
add_rule(struct of_tables *ts, const struct ofp_flow_mod *fm, bool is_add,
         uint64_t now_ms)
{
    if (fm->table_id == OFPTT_ALL && fm->format == OFP_FM_OF13) {
        return OFPERR_OFPFMFC_BAD_TABLE_ID;
    }
    uint8_t table_id = fm->table_id == OFPTT_ALL ? 0 : fm->table_id;
    struct of_table *t = &ts->tables[table_id];
    struct cls_key match, mask;
    key_from_match(&fm->match, &match, &mask);

    struct cls_rule *old_cr = cls_find_exact(&t->cls, &match, &mask,
                                             fm->priority);
    if (!old_cr) {
        if (fm->flags & OFPFF_CHECK_OVERLAP
            && table_overlaps(t, fm->priority, &match, &mask)) {
            return OFPERR_OFPFMFC_OVERLAP;
        }
        if (table_full(ts, t)) {
            return OFPERR_OFPFMFC_TABLE_FULL;
        }
    }

    struct ofp_insts insts;
    if (insts_copy(&insts, &fm->insts)) {
        return OFPERR_OFPFMFC_UNKNOWN;
    }
    if (old_cr) {
        struct of_rule *r = RULE_OF(old_cr);
        ofp_insts_free(&r->insts);
        r->insts = insts;
        rule_set_from_add(r, fm, is_add, now_ms);
        if (r->flags & OFPFF13_RESET_COUNTS) {
            r->packet_count = r->byte_count = 0;
        }
        timed_update(ts, r);
        ts->version++;
        return OFPERR_NONE;
    }

    struct of_rule *r = calloc(1, sizeof *r);
    if (!r) {
        ofp_insts_free(&insts);
        return OFPERR_OFPFMFC_UNKNOWN;
    }
    r->cr.match = match;
    r->cr.mask = mask;
    r->cr.priority = fm->priority;
    if (cls_insert(&t->cls, &r->cr)) {
        free(r);
        ofp_insts_free(&insts);
        return OFPERR_OFPFMFC_UNKNOWN;
    }
    r->table_id = table_id;
    r->priority = fm->priority;
    r->match = fm->match;
    r->insts = insts;
    rule_set_from_add(r, fm, is_add, now_ms);
    r->used_ms = now_ms;
    r->seq = ts->next_seq++;
    table_link(t, r);
    timed_update(ts, r);
    ts->n_rules++;
    ts->version++;
    return OFPERR_NONE;
}

/* Modify. */

struct modify_ctx {
    const struct ofp_flow_mod *fm;
    struct ofp_insts *insts;        /* One copy per selected rule. */
    size_t i;
    uint64_t now_ms;
};

static void
modify_visit(struct of_tables *ts, struct of_rule *r, void *ctx_)
{
    struct modify_ctx *ctx = ctx_;
    const struct ofp_flow_mod *fm = ctx->fm;

    ofp_insts_free(&r->insts);
    r->insts = ctx->insts[ctx->i++];
    if (fm->format != OFP_FM_OF13 && fm->new_cookie != UINT64_MAX) {
        r->cookie = fm->new_cookie;
    }
    if (fm->format == OFP_FM_OF13 && fm->flags & OFPFF13_RESET_COUNTS) {
        r->packet_count = r->byte_count = 0;
    }
    r->modified_ms = ctx->now_ms;
    timed_update(ts, r);
}

static enum ofp_err
modify_rules(struct of_tables *ts, const struct ofp_flow_mod *fm,
             bool strict, uint64_t now_ms)
{
    struct selector s;
    selector_from_fm(fm, strict, &s);
    size_t n = count_selected(ts, fm->table_id, &s);
    if (!n) {
        if (fm->format != OFP_FM_OF13 && !fm->cookie_mask
            && fm->new_cookie != UINT64_MAX) {
            return add_rule(ts, fm, false, now_ms);
        }
        return OFPERR_NONE;
    }

    struct modify_ctx ctx = { fm, calloc(n, sizeof *ctx.insts), 0, now_ms };
    if (!ctx.insts) {
        return OFPERR_OFPFMFC_UNKNOWN;
    }
    for (size_t i = 0; i < n; i++) {
        if (insts_copy(&ctx.insts[i], &fm->insts)) {
            while (i-- > 0) {
                ofp_insts_free(&ctx.insts[i]);
            }
            free(ctx.insts);
            return OFPERR_OFPFMFC_UNKNOWN;
        }
    }
    for_each_selected(ts, fm->table_id, &s, modify_visit, &ctx);
    free(ctx.insts);
    ts->version++;
    return OFPERR_NONE;
}

/* Delete. */

static void
delete_visit(struct of_tables *ts, struct of_rule *r, void *removed_)
{
    struct of_rule_list *removed = removed_;
    rule_detach(ts, r);
    if (removed) {
        list_push(removed, r, OFPRR_DELETE);
    } else {
        of_rule_free(r);
    }
}

static enum ofp_err
delete_rules(struct of_tables *ts, const struct ofp_flow_mod *fm,
             bool strict, struct of_rule_list *removed)
{
    struct selector s;
    selector_from_fm(fm, strict, &s);
    s.out_port = fm->out_port;
    s.out_group = fm->out_group;
    size_t n = count_selected(ts, fm->table_id, &s);
    if (!n) {
        return OFPERR_NONE;
    }
    if (removed && list_reserve(removed, n)) {
        return OFPERR_OFPFMFC_UNKNOWN;
    }
    for_each_selected(ts, fm->table_id, &s, delete_visit, removed);
    ts->version++;
    return OFPERR_NONE;
}

enum ofp_err
of_tables_flow_mod(struct of_tables *ts, const struct ofp_flow_mod *fm,
                   uint64_t now_ms, struct of_rule_list *removed)
{
    switch (fm->command) {
    case OFPFC_ADD:
        return add_rule(ts, fm, true, now_ms);
    case OFPFC_MODIFY:
    case OFPFC_MODIFY_STRICT:
        return modify_rules(ts, fm, fm->command == OFPFC_MODIFY_STRICT,
                            now_ms);
    case OFPFC_DELETE:
    case OFPFC_DELETE_STRICT:
        return delete_rules(ts, fm, fm->command == OFPFC_DELETE_STRICT,
                            removed);
    }
    return OFPERR_OFPFMFC_BAD_COMMAND;
}

/* Lookup and accounting. */

struct of_rule *
of_tables_lookup(struct of_tables *ts, uint8_t table_id,
                 const struct cls_key *key, struct cls_key *wc)
{
    if (table_id >= OF_N_TABLES) {
        return NULL;
    }
    struct of_table *t = &ts->tables[table_id];
    const struct cls_rule *cr = cls_lookup(&t->cls, key, wc);
    t->lookup_count++;
    if (!cr) {
        return NULL;
    }
    t->matched_count++;
    return RULE_OF(cr);
}

void
of_rule_account(struct of_rule *r, uint64_t packets, uint64_t bytes,
                uint64_t now_ms)
{
    r->packet_count += packets;
    r->byte_count += bytes;
    if (packets && now_ms > r->used_ms) {
        r->used_ms = now_ms;
    }
}

/* Expiry. */

/* Why 'r' expires at 'now_ms', or -1. */
static int
expiry_reason(const struct of_rule *r, uint64_t now_ms)
{
    if (r->hard_timeout
        && now_ms >= r->modified_ms + r->hard_timeout * UINT64_C(1000)) {
        return OFPRR_HARD_TIMEOUT;
    }
    if (r->idle_timeout
        && now_ms >= r->used_ms + r->idle_timeout * UINT64_C(1000)) {
        return OFPRR_IDLE_TIMEOUT;
    }
    return -1;
}

size_t
of_tables_expire(struct of_tables *ts, uint64_t now_ms,
                 struct of_rule_list *removed)
{
    if (now_ms < ts->next_expiry) {
        return 0;
    }
    size_t n = 0;
    for (const struct of_rule *r = ts->timed; r; r = r->timed_next) {
        n += expiry_reason(r, now_ms) >= 0;
    }
    if (n && list_reserve(removed, n)) {
        return 0;
    }
    uint64_t next = UINT64_MAX;
    struct of_rule *r_next;
    for (struct of_rule *r = ts->timed; r; r = r_next) {
        r_next = r->timed_next;
        int reason = expiry_reason(r, now_ms);
        if (reason >= 0) {
            rule_detach(ts, r);
            list_push(removed, r, (enum ofp_flow_removed_reason) reason);
        } else {
            uint64_t t = rule_expiry(r);
            next = t < next ? t : next;
        }
    }
    ts->next_expiry = next;
    if (n) {
        ts->version++;
    }
    return n;
}

uint64_t
of_tables_next_expiry(const struct of_tables *ts)
{
    return ts->timed ? ts->next_expiry : UINT64_MAX;
}

/* Statistics. */

static int
by_priority(const void *a_, const void *b_)
{
    const struct of_rule *a = *(const struct of_rule *const *) a_;
    const struct of_rule *b = *(const struct of_rule *const *) b_;
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The selected rules of 't' by decreasing priority without allocating:
 * one walk per priority (for when memory is short). */
static void
collect_slowly(struct of_table *t, const struct selector *s,
               void (*cb)(struct of_rule *, void *aux), void *aux)
{
    int bound = UINT16_MAX + 1;     /* Priorities below it are left. */
    for (;;) {
        int best = -1;
        for (const struct of_rule *r = t->first; r; r = r->next) {
            if (r->priority < bound && r->priority > best && selects(s, r)) {
                best = r->priority;
            }
        }
        if (best < 0) {
            return;
        }
        for (struct of_rule *r = t->first; r; r = r->next) {
            if (r->priority == best && selects(s, r)) {
                cb(r, aux);
            }
        }
        bound = best;
    }
}

static void
collect_table(struct of_table *t, const struct selector *s,
              void (*cb)(struct of_rule *, void *aux), void *aux)
{
    size_t n = 0;
    for (const struct of_rule *r = t->first; r; r = r->next) {
        n += selects(s, r);
    }
    if (!n) {
        return;
    }
    struct of_rule **v = malloc(n * sizeof *v);
    if (!v) {
        collect_slowly(t, s, cb, aux);
        return;
    }
    size_t i = 0;
    for (struct of_rule *r = t->first; r; r = r->next) {
        if (selects(s, r)) {
            v[i++] = r;
        }
    }
    qsort(v, n, sizeof *v, by_priority);
    for (i = 0; i < n; i++) {
        cb(v[i], aux);
    }
    free(v);
}

void
of_tables_collect(struct of_tables *ts,
                  const struct ofp_flow_stats_request *req,
                  void (*cb)(struct of_rule *, void *aux), void *aux)
{
    struct selector s;
    memset(&s, 0, sizeof s);
    key_from_match(&req->match, &s.match, &s.mask);
    s.ofp = &req->match;
    s.cookie = req->cookie;
    s.cookie_mask = req->cookie_mask;
    s.out_port = req->out_port;
    s.out_group = req->out_group;

    size_t lo = req->table_id == OFPTT_ALL ? 0 : req->table_id;
    size_t hi = req->table_id == OFPTT_ALL ? OF_N_TABLES : lo + 1u;
    for (size_t i = lo; i < hi; i++) {
        collect_table(&ts->tables[i], &s, cb, aux);
    }
}

/* Whole seconds from 'then' to 'now' plus one, at most UINT16_MAX (NX's
 * idle_age and hard_age). */
static uint16_t
nx_age(uint64_t then, uint64_t now)
{
    uint64_t secs = now > then ? (now - then) / 1000 : 0;
    return secs >= UINT16_MAX - 1 ? UINT16_MAX : (uint16_t) (secs + 1);
}

void
of_rule_to_stats(const struct of_rule *r, uint64_t now_ms,
                 struct ofp_flow_stats *fs)
{
    uint64_t ms = now_ms > r->created_ms ? now_ms - r->created_ms : 0;
    memset(fs, 0, sizeof *fs);
    fs->table_id = r->table_id;
    fs->duration_sec = ms / 1000 > UINT32_MAX ? UINT32_MAX
                                               : (uint32_t) (ms / 1000);
    fs->duration_nsec = (uint32_t) (ms % 1000) * 1000000u;
    fs->priority = r->priority;
    fs->idle_timeout = r->idle_timeout;
    fs->hard_timeout = r->hard_timeout;
    fs->flags = r->flags;
    fs->idle_age = nx_age(r->used_ms, now_ms);
    fs->hard_age = nx_age(r->modified_ms, now_ms);
    fs->cookie = r->cookie;
    fs->packet_count = r->packet_count;
    fs->byte_count = r->byte_count;
    fs->match = &r->match;
    fs->insts = &r->insts;
}

/* Out_port and out_group. */

static bool
actions_output_to(const struct ofp_actions *acts, uint32_t port)
{
    for (size_t i = 0; i < acts->n; i++) {
        const struct ofp_action *a = &acts->acts[i];
        if ((a->type == OFPACT_OUTPUT && a->output.port == port)
            || (a->type == OFPACT_ENQUEUE && a->enqueue.port == port)) {
            return true;
        }
    }
    return false;
}

static bool
actions_group(const struct ofp_actions *acts, uint32_t group)
{
    for (size_t i = 0; i < acts->n; i++) {
        if (acts->acts[i].type == OFPACT_GROUP
            && acts->acts[i].u32 == group) {
            return true;
        }
    }
    return false;
}

bool
of_rule_has_out_port(const struct of_rule *r, uint32_t port)
{
    return port == OFPP_ANY
           || actions_output_to(&r->insts.apply, port)
           || actions_output_to(&r->insts.write, port);
}

bool
of_rule_has_out_group(const struct of_rule *r, uint32_t group)
{
    return group == OFPG_ANY
           || actions_group(&r->insts.apply, group)
           || actions_group(&r->insts.write, group);
}
