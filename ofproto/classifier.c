/* classifier: staged, prefix-trie-assisted tuple-space search for
 * translation. */
#include "ofproto/classifier.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Stages: metadata (with the pipeline's), L2 (with MPLS), L3 (with
 * ARP), L4 (with ND). */
#define N_STAGES 4

struct cls_trie_node {
    struct cls_trie_node *child[2];
    uint32_t n_here;            /* Prefixes ending at this node. */
    uint32_t n_refs;            /* Prefixes through or at this node. */
};

/* How many rules of the subtable have a key with this stage hash. */
struct stage_entry {
    struct hmap_node node;
    uint32_t count;
};

struct cls_subtable {
    struct hmap_node node;              /* In classifier's 'by_mask'. */
    struct cls_key mask;
    unsigned int n_stages;              /* 1..N_STAGES; the last is 'mask'. */
    struct cls_key stage_mask[N_STAGES];   /* Cumulative: 'mask' up to and
                                         * including each stage used. */
    uint8_t words[N_STAGES][CLS_N_WORDS];  /* Non-zero words of each. */
    uint8_t n_words[N_STAGES];
    struct hmap stages[N_STAGES - 1];   /* Of struct stage_entry. */
    struct hmap rules;                  /* Heads of identical matches. */
    size_t n_rules;
    int max_priority;
    size_t n_max;                       /* Rules of that priority. */
    int trie_plen[CLS_N_TRIES];         /* Prefix length on the field, 0 if
                                         * it is wildcarded, -1 if the mask
                                         * is not a prefix. */
};

/* ---- Hashes of keys under masks. ---- */

static uint32_t
hash_finish(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return (uint32_t) h;
}

static uint64_t
hash_step(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= UINT64_C(0x9e3779b97f4a7c15);
    return h ^ (h >> 29);
}

/* Hash of 'key' under stage 's' of 'st' (only its non-zero words). */
static uint32_t
hash_stage(const struct cls_subtable *st, unsigned int s,
           const struct cls_key *key)
{
    const struct cls_key *m = &st->stage_mask[s];
    uint64_t h = s;
    for (unsigned int i = 0; i < st->n_words[s]; i++) {
        unsigned int w = st->words[s][i];
        h = hash_step(h, cls_key_get_word(key, w) & cls_key_get_word(m, w));
    }
    return hash_finish(h);
}

static uint32_t
hash_mask(const struct cls_key *mask)
{
    uint64_t h = 0;
    for (size_t i = 0; i < CLS_N_WORDS; i++) {
        h = hash_step(h, cls_key_get_word(mask, i));
    }
    return hash_finish(h);
}

/* ---- Stages. ---- */

static void
set_bytes(struct cls_key *f, size_t ofs, size_t len)
{
    memset((char *) f + ofs, 0xff, len);
}

#define FIELD(F) offsetof(struct cls_key, flow.F), \
                 sizeof ((struct cls_key *) 0)->flow.F
#define META(F) offsetof(struct cls_key, meta.F), \
                sizeof ((struct cls_key *) 0)->meta.F

/* Bits of each stage and of the stages before it. */
static const struct cls_key *
stage_bits(void)
{
    static struct cls_key cum[N_STAGES];
    static bool done;
    if (done) {
        return cum;
    }
    struct cls_key s[N_STAGES];
    memset(s, 0, sizeof s);
    set_bytes(&s[0], FIELD(in_port));
    set_bytes(&s[0], FIELD(recirc_id));
    set_bytes(&s[0], FIELD(tun_id));
    set_bytes(&s[0], FIELD(tun_src));
    set_bytes(&s[0], FIELD(tun_dst));
    set_bytes(&s[0], META(in_port));
    set_bytes(&s[0], META(regs));
    set_bytes(&s[0], META(metadata));
    set_bytes(&s[1], FIELD(dl_dst));
    set_bytes(&s[1], FIELD(dl_type));
    set_bytes(&s[1], FIELD(dl_src));
    set_bytes(&s[1], FIELD(vlans));
    set_bytes(&s[1], FIELD(mpls_lse));
    set_bytes(&s[2], FIELD(nw_src));
    set_bytes(&s[2], FIELD(nw_dst));
    set_bytes(&s[2], FIELD(ipv6_label));
    set_bytes(&s[2], FIELD(ipv6_src));
    set_bytes(&s[2], FIELD(ipv6_dst));
    set_bytes(&s[2], FIELD(nw_proto));
    set_bytes(&s[2], FIELD(nw_tos));
    set_bytes(&s[2], FIELD(nw_ttl));
    set_bytes(&s[2], FIELD(nw_frag));
    set_bytes(&s[2], FIELD(arp_sha));
    set_bytes(&s[2], FIELD(arp_tha));
    /* L4 and everything left (padding, which masks never set). */
    struct cls_key all;
    memset(&all, 0xff, sizeof all);
    s[3] = all;
    for (unsigned int i = 0; i < 3; i++) {
        for (size_t j = 0; j < CLS_N_WORDS; j++) {
            cls_key_set_word(&s[3], j, cls_key_get_word(&s[3], j)
                                    & ~cls_key_get_word(&s[i], j));
        }
    }
    cum[0] = s[0];
    for (unsigned int i = 1; i < N_STAGES; i++) {
        cum[i] = cum[i - 1];
        cls_key_or(&cum[i], &s[i]);
    }
    done = true;
    return cum;
}

/* ---- Prefix tries (IPv4 addresses, host order bits). ---- */

static uint32_t
trie_value(const struct cls_key *f, enum cls_trie_field t)
{
    return ntohl(t == CLS_TRIE_NW_SRC ? f->flow.nw_src : f->flow.nw_dst);
}

static uint32_t *
trie_field(struct cls_key *f, enum cls_trie_field t)
{
    return t == CLS_TRIE_NW_SRC ? &f->flow.nw_src : &f->flow.nw_dst;
}

/* The prefix length of a mask in host order, or -1 if not a prefix. */
static int
prefix_len(uint32_t mask)
{
    int len = __builtin_popcount(mask);
    uint32_t want = len ? ~UINT32_C(0) << (32 - len) : 0;
    return mask == want ? len : -1;
}

static int
trie_insert(struct cls_trie *t, uint32_t value, unsigned int plen)
{
    struct cls_trie_node **p = &t->root;
    for (unsigned int d = 0;; d++) {
        if (!*p) {
            *p = calloc(1, sizeof **p);
            if (!*p) {
                return -ENOMEM;     /* The nodes made so far have no refs:
                                     * harmless, removed with the trie. */
            }
            t->n_nodes++;
        }
        (*p)->n_refs++;
        if (d == plen) {
            (*p)->n_here++;
            return 0;
        }
        p = &(*p)->child[(value >> (31 - d)) & 1];
    }
}

/* Removes one prefix; frees the nodes nobody else uses. */
static void
trie_remove(struct cls_trie *t, uint32_t value, unsigned int plen)
{
    struct cls_trie_node **path[33];
    struct cls_trie_node **p = &t->root;
    for (unsigned int d = 0; d <= plen; d++) {
        path[d] = p;
        if (d == plen) {
            (*p)->n_here--;
        } else {
            p = &(*p)->child[(value >> (31 - d)) & 1];
        }
    }
    for (unsigned int d = plen + 1; d-- > 0;) {
        struct cls_trie_node *n = *path[d];
        if (!--n->n_refs) {
            free(n);
            *path[d] = NULL;
            t->n_nodes--;
        }
    }
}

static void
trie_free(struct cls_trie_node *n)
{
    if (n) {
        trie_free(n->child[0]);
        trie_free(n->child[1]);
        free(n);
    }
}

/* What a trie says of one key: which prefix lengths of the rules can
 * match it, where its walk along the key's bits ended, and whether the
 * node it ended at has a child (then telling the key from that branch
 * takes one more bit). */
struct trie_answer {
    bool done;
    uint64_t plens;             /* Bit L: a prefix of length L matches. */
    unsigned int depth;         /* Of the last node on the key's path. */
    bool branches;              /* That node has a child (not the key's). */
};

static void
trie_lookup(const struct cls_trie *t, uint32_t value, struct trie_answer *a)
{
    const struct cls_trie_node *n = t->root;
    unsigned int d = 0;
    a->done = true;
    a->plens = 0;
    a->depth = 0;
    a->branches = false;
    while (n) {
        if (n->n_here) {
            a->plens |= UINT64_C(1) << d;
        }
        a->depth = d;
        a->branches = n->child[0] || n->child[1];
        if (d == 32) {
            return;
        }
        n = n->child[(value >> (31 - d)) & 1];
        d++;
    }
}

/* How many leading bits of the key tell that no prefix of length 'plen'
 * matches it (as the trie walk found): the key's path goes on to depth
 * 'plen' where no prefix ends (every key with those 'plen' bits gets there
 * too), or it stops earlier, at a node without children (its bits) or
 * with another branch (one more bit). */
static unsigned int
trie_mismatch_bits(const struct trie_answer *a, unsigned int plen)
{
    if (plen <= a->depth) {
        return plen;
    }
    return a->depth + (a->branches ? 1 : 0);
}

/* ---- Subtables. ---- */

/* The prefix length of the subtable's mask on each trie field in use
 * (0: no trie for it). */
static void
subtable_set_tries(struct cls_subtable *st, unsigned int prefixes)
{
    for (int t = 0; t < CLS_N_TRIES; t++) {
        struct cls_key m = st->mask;
        st->trie_plen[t] = prefixes & (1u << t)
                           ? prefix_len(ntohl(*trie_field(&m, t))) : 0;
    }
}

static struct cls_subtable *
subtable_create(const struct cls_key *mask)
{
    struct cls_subtable *st = calloc(1, sizeof *st);
    if (!st) {
        return NULL;
    }
    const struct cls_key *cum = stage_bits();
    st->mask = *mask;
    struct cls_key prev;
    memset(&prev, 0, sizeof prev);
    for (unsigned int s = 0; s < N_STAGES; s++) {
        struct cls_key m;
        cls_key_and(&m, mask, &cum[s]);
        if (st->n_stages && !memcmp(&m, &prev, sizeof m)) {
            continue;           /* No bit of its own in this stage. */
        }
        st->stage_mask[st->n_stages++] = m;
        prev = m;
    }
    if (!st->n_stages) {
        st->n_stages = 1;       /* Matches everything: one empty stage. */
    }
    for (unsigned int s = 0; s < st->n_stages; s++) {
        for (unsigned int i = 0; i < CLS_N_WORDS; i++) {
            if (cls_key_get_word(&st->stage_mask[s], i)) {
                st->words[s][st->n_words[s]++] = (uint8_t) i;
            }
        }
    }
    for (unsigned int s = 0; s + 1 < N_STAGES; s++) {
        hmap_init(&st->stages[s]);
    }
    hmap_init(&st->rules);
    return st;
}

static void
subtable_destroy(struct cls_subtable *st)
{
    for (unsigned int s = 0; s + 1 < N_STAGES; s++) {
        size_t pos = 0;
        struct hmap_node *n, *next;
        for (n = hmap_next(&st->stages[s], &pos, NULL); n; n = next) {
            next = hmap_next(&st->stages[s], &pos, n);
            free(HMAP_CONTAINER(n, struct stage_entry, node));
        }
        hmap_destroy(&st->stages[s]);
    }
    hmap_destroy(&st->rules);
    free(st);
}

static struct stage_entry *
stage_find(const struct hmap *h, uint32_t hash)
{
    struct hmap_node *n = hmap_first_with_hash(h, hash);
    return n ? HMAP_CONTAINER(n, struct stage_entry, node) : NULL;
}

/* Adds (+1) or removes (-1) 'match' in the stage sets of 'st'. */
static int
stages_update(struct cls_subtable *st, const struct cls_key *match, int delta)
{
    for (unsigned int s = 0; s + 1 < st->n_stages; s++) {
        uint32_t h = hash_stage(st, s, match);
        struct stage_entry *e = stage_find(&st->stages[s], h);
        if (delta > 0) {
            if (!e) {
                e = calloc(1, sizeof *e);
                if (!e) {
                    /* Undo the stages done so far. */
                    while (s-- > 0) {
                        uint32_t h2 = hash_stage(st, s, match);
                        struct stage_entry *e2 = stage_find(&st->stages[s],
                                                            h2);
                        if (!--e2->count) {
                            hmap_remove(&st->stages[s], &e2->node);
                            free(e2);
                        }
                    }
                    return -ENOMEM;
                }
                hmap_insert(&st->stages[s], &e->node, h);
            }
            e->count++;
        } else if (!--e->count) {
            hmap_remove(&st->stages[s], &e->node);
            free(e);
        }
    }
    return 0;
}

static uint32_t
rule_hash(const struct cls_subtable *st, const struct cls_key *match)
{
    return hash_stage(st, st->n_stages - 1, match);
}

static struct cls_rule *
subtable_find(const struct cls_subtable *st, const struct cls_key *match,
              uint32_t hash)
{
    for (struct hmap_node *n = hmap_first_with_hash(&st->rules, hash); n;
         n = hmap_next_with_hash(n)) {
        struct cls_rule *r = HMAP_CONTAINER(n, struct cls_rule, node);
        if (!memcmp(&r->match, match, sizeof *match)) {
            return r;
        }
    }
    return NULL;
}

/* Finds the subtable's highest priority and how many rules have it (a
 * walk of all its rules: only when the last rule of the highest priority
 * goes). */
static void
subtable_rescan_max(struct cls_subtable *st)
{
    int max = INT32_MIN;
    size_t n = 0;
    size_t pos = 0;
    for (struct hmap_node *h = hmap_next(&st->rules, &pos, NULL); h;
         h = hmap_next(&st->rules, &pos, h)) {
        for (const struct cls_rule *r = HMAP_CONTAINER(h, struct cls_rule,
                                                       node);
             r; r = r->same) {
            if (r->priority > max) {
                max = r->priority;
                n = 0;
            }
            n += r->priority == max;
        }
    }
    st->max_priority = max;
    st->n_max = n;
}

/* ---- The classifier. ---- */

void
cls_init(struct classifier *cls)
{
    memset(cls, 0, sizeof *cls);
    hmap_init(&cls->by_mask);
    cls->prefixes = CLS_PREFIXES_ALL;
}

void
cls_destroy(struct classifier *cls)
{
    for (size_t i = 0; i < cls->n_subtables; i++) {
        subtable_destroy(cls->subtables[i]);
    }
    free(cls->subtables);
    hmap_destroy(&cls->by_mask);
    for (int t = 0; t < CLS_N_TRIES; t++) {
        trie_free(cls->tries[t].root);
    }
    memset(cls, 0, sizeof *cls);
}

/* Keeps 'subtables' sorted by decreasing max priority after the one at
 * 'i' changed (insertion sort: it moves only past the ones it passes). */
static void
resort(struct classifier *cls, size_t i)
{
    struct cls_subtable **a = cls->subtables;
    while (i > 0 && a[i - 1]->max_priority < a[i]->max_priority) {
        struct cls_subtable *t = a[i - 1];
        a[i - 1] = a[i];
        a[i] = t;
        i--;
    }
    while (i + 1 < cls->n_subtables
           && a[i + 1]->max_priority > a[i]->max_priority) {
        struct cls_subtable *t = a[i + 1];
        a[i + 1] = a[i];
        a[i] = t;
        i++;
    }
}

static size_t
index_of(const struct classifier *cls, const struct cls_subtable *st)
{
    size_t i = 0;
    while (cls->subtables[i] != st) {
        i++;
    }
    return i;
}

static struct cls_subtable *
find_subtable(const struct classifier *cls, const struct cls_key *mask,
              uint32_t hash)
{
    for (struct hmap_node *n = hmap_first_with_hash(&cls->by_mask, hash); n;
         n = hmap_next_with_hash(n)) {
        struct cls_subtable *st = HMAP_CONTAINER(n, struct cls_subtable,
                                                 node);
        if (!memcmp(&st->mask, mask, sizeof *mask)) {
            return st;
        }
    }
    return NULL;
}

static struct cls_subtable *
add_subtable(struct classifier *cls, const struct cls_key *mask, uint32_t hash)
{
    if (cls->n_subtables == cls->cap_subtables) {
        size_t cap = cls->cap_subtables ? 2 * cls->cap_subtables : 16;
        struct cls_subtable **a = realloc(cls->subtables, cap * sizeof *a);
        if (!a) {
            return NULL;
        }
        cls->subtables = a;
        cls->cap_subtables = cap;
    }
    struct cls_subtable *st = subtable_create(mask);
    if (!st) {
        return NULL;
    }
    subtable_set_tries(st, cls->prefixes);
    st->max_priority = INT32_MIN;
    hmap_insert(&cls->by_mask, &st->node, hash);
    cls->subtables[cls->n_subtables++] = st;
    return st;
}

static void
remove_subtable(struct classifier *cls, struct cls_subtable *st)
{
    size_t i = index_of(cls, st);
    memmove(&cls->subtables[i], &cls->subtables[i + 1],
            (cls->n_subtables - i - 1) * sizeof *cls->subtables);
    cls->n_subtables--;
    hmap_remove(&cls->by_mask, &st->node);
    subtable_destroy(st);
}

static void
tries_remove(struct classifier *cls, const struct cls_subtable *st,
             const struct cls_key *match, int n)
{
    for (int t = 0; t < n; t++) {
        if (st->trie_plen[t] > 0) {
            trie_remove(&cls->tries[t], trie_value(match, t),
                        (unsigned int) st->trie_plen[t]);
        }
    }
}

/* Inserts into the tries; on failure removes what it added. */
static int
tries_add(struct classifier *cls, const struct cls_subtable *st,
          const struct cls_key *match)
{
    for (int t = 0; t < CLS_N_TRIES; t++) {
        if (st->trie_plen[t] > 0
            && trie_insert(&cls->tries[t], trie_value(match, t),
                           (unsigned int) st->trie_plen[t])) {
            tries_remove(cls, st, match, t);
            return -ENOMEM;
        }
    }
    return 0;
}

/* Adds every rule's prefixes to fresh tries for 'prefixes'; on failure
 * frees them and returns -ENOMEM. */
static int
tries_build(const struct classifier *cls, unsigned int prefixes,
            struct cls_trie tries[CLS_N_TRIES])
{
    memset(tries, 0, CLS_N_TRIES * sizeof *tries);
    for (size_t i = 0; i < cls->n_subtables; i++) {
        const struct cls_subtable *st = cls->subtables[i];
        size_t pos = 0;
        for (struct hmap_node *h = hmap_next(&st->rules, &pos, NULL); h;
             h = hmap_next(&st->rules, &pos, h)) {
            for (const struct cls_rule *r = HMAP_CONTAINER(
                     h, struct cls_rule, node); r; r = r->same) {
                for (int t = 0; t < CLS_N_TRIES; t++) {
                    struct cls_key m = st->mask;
                    int plen = prefix_len(ntohl(*trie_field(&m, t)));
                    if (!(prefixes & (1u << t)) || plen <= 0) {
                        continue;
                    }
                    if (trie_insert(&tries[t], trie_value(&r->match, t),
                                    (unsigned int) plen)) {
                        for (int u = 0; u < CLS_N_TRIES; u++) {
                            trie_free(tries[u].root);
                        }
                        return -ENOMEM;
                    }
                }
            }
        }
    }
    return 0;
}

int
cls_set_prefixes(struct classifier *cls, unsigned int prefixes)
{
    struct cls_trie tries[CLS_N_TRIES];
    prefixes &= CLS_PREFIXES_ALL;
    if (prefixes == cls->prefixes) {
        return 0;
    }
    if (tries_build(cls, prefixes, tries)) {
        return -ENOMEM;
    }
    for (int t = 0; t < CLS_N_TRIES; t++) {
        trie_free(cls->tries[t].root);
        cls->tries[t] = tries[t];
    }
    cls->prefixes = prefixes;
    for (size_t i = 0; i < cls->n_subtables; i++) {
        subtable_set_tries(cls->subtables[i], prefixes);
    }
    return 0;
}

int
cls_insert(struct classifier *cls, struct cls_rule *rule)
{
    cls_key_and(&rule->match, &rule->match, &rule->mask);
    uint32_t mh = hash_mask(&rule->mask);
    struct cls_subtable *st = find_subtable(cls, &rule->mask, mh);
    bool new_st = !st;
    if (!st && !(st = add_subtable(cls, &rule->mask, mh))) {
        return -ENOMEM;
    }
    int error = stages_update(st, &rule->match, +1);
    if (!error) {
        error = tries_add(cls, st, &rule->match);
        if (error) {
            stages_update(st, &rule->match, -1);
        }
    }
    if (error) {
        if (new_st) {
            remove_subtable(cls, st);
        }
        return error;
    }

    uint32_t h = rule_hash(st, &rule->match);
    struct cls_rule *head = subtable_find(st, &rule->match, h);
    rule->subtable = st;
    rule->same = NULL;
    if (!head) {
        hmap_insert(&st->rules, &rule->node, h);
    } else if (rule->priority > head->priority) {
        hmap_remove(&st->rules, &head->node);
        rule->same = head;
        hmap_insert(&st->rules, &rule->node, h);
    } else {
        struct cls_rule *p = head;
        while (p->same && p->same->priority >= rule->priority) {
            p = p->same;
        }
        rule->same = p->same;
        p->same = rule;
    }
    st->n_rules++;
    cls->n_rules++;
    if (rule->priority > st->max_priority) {
        st->max_priority = rule->priority;
        st->n_max = 1;
        resort(cls, index_of(cls, st));
    } else if (rule->priority == st->max_priority) {
        st->n_max++;
    }
    return 0;
}

void
cls_remove(struct classifier *cls, struct cls_rule *rule)
{
    struct cls_subtable *st = rule->subtable;
    uint32_t h = rule_hash(st, &rule->match);
    struct cls_rule *head = subtable_find(st, &rule->match, h);
    if (head == rule) {
        hmap_remove(&st->rules, &rule->node);
        if (rule->same) {
            hmap_insert(&st->rules, &rule->same->node, h);
        }
    } else {
        struct cls_rule *p = head;
        while (p->same != rule) {
            p = p->same;
        }
        p->same = rule->same;
    }
    stages_update(st, &rule->match, -1);
    tries_remove(cls, st, &rule->match, CLS_N_TRIES);
    rule->subtable = NULL;
    rule->same = NULL;
    st->n_rules--;
    cls->n_rules--;
    if (!st->n_rules) {
        remove_subtable(cls, st);
    } else if (rule->priority == st->max_priority && !--st->n_max) {
        subtable_rescan_max(st);
        resort(cls, index_of(cls, st));
    }
}

const struct cls_rule *
cls_lookup(const struct classifier *cls, const struct cls_key *key,
           struct cls_key *wc)
{
    struct trie_answer tries[CLS_N_TRIES] = { { .done = false } };
    const struct cls_rule *best = NULL;
    struct cls_key scratch;

    if (!wc) {
        memset(&scratch, 0, sizeof scratch);
        wc = &scratch;
    }
    for (size_t i = 0; i < cls->n_subtables; i++) {
        const struct cls_subtable *st = cls->subtables[i];
        if (best && best->priority >= st->max_priority) {
            break;              /* Nothing left can beat it. */
        }

        bool skip = false;
        for (int t = 0; t < CLS_N_TRIES && !skip; t++) {
            if (st->trie_plen[t] <= 0) {
                continue;
            }
            struct trie_answer *a = &tries[t];
            if (!a->done) {
                trie_lookup(&cls->tries[t], trie_value(key, t), a);
            }
            if (!(a->plens & (UINT64_C(1) << st->trie_plen[t]))) {
                /* No prefix of this length matches: these bits say so for
                 * every key that shares them. */
                unsigned int n = trie_mismatch_bits(
                    a, (unsigned int) st->trie_plen[t]);
                uint32_t bits = n ? ~UINT32_C(0) << (32 - n) : 0;
                *trie_field(wc, t) |= htonl(bits);
                skip = true;
            }
        }
        if (skip) {
            continue;
        }

        unsigned int s;
        for (s = 0; s + 1 < st->n_stages; s++) {
            if (!stage_find(&st->stages[s], hash_stage(st, s, key))) {
                break;
            }
        }
        if (s + 1 < st->n_stages) {
            cls_key_or(wc, &st->stage_mask[s]);
            continue;
        }
        cls_key_or(wc, &st->mask);
        struct cls_key masked;
        cls_key_and(&masked, key, &st->mask);
        const struct cls_rule *r = subtable_find(st, &masked,
                                                 rule_hash(st, &masked));
        if (r && (!best || r->priority > best->priority)) {
            best = r;
        }
    }
    return best;
}

struct cls_rule *
cls_find_exact(const struct classifier *cls, const struct cls_key *match,
               const struct cls_key *mask, int priority)
{
    struct cls_subtable *st = find_subtable(cls, mask, hash_mask(mask));
    if (!st) {
        return NULL;
    }
    struct cls_key m;
    cls_key_and(&m, match, mask);
    for (struct cls_rule *r = subtable_find(st, &m, rule_hash(st, &m)); r;
         r = r->same) {
        if (r->priority == priority) {
            return r;
        }
    }
    return NULL;
}

void
cls_for_each(const struct classifier *cls,
             void (*cb)(struct cls_rule *, void *aux), void *aux)
{
    if (!cls->n_rules) {
        return;
    }
    struct cls_rule **all = malloc(cls->n_rules * sizeof *all);
    if (!all) {
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < cls->n_subtables; i++) {
        const struct cls_subtable *st = cls->subtables[i];
        size_t pos = 0;
        for (struct hmap_node *h = hmap_next(&st->rules, &pos, NULL); h;
             h = hmap_next(&st->rules, &pos, h)) {
            for (struct cls_rule *r = HMAP_CONTAINER(h, struct cls_rule,
                                                     node);
                 r; r = r->same) {
                all[n++] = r;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        cb(all[i], aux);
    }
    free(all);
}
