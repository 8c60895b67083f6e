/* dpcls: the megaflow classifier (tuple-space search).  See dpcls.h. */
#include "pmd/dpcls.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pmd/dpcls_private.h"


static subtable_lookup_func *subtable_lookup_for(unsigned int n_words);


uint32_t
dpcls_hash_words(const uint64_t *words, unsigned int n, uint32_t basis)
{
    return hash_words(words, n, basis);
}

/* Scatters 'mf' into the FLOW_N_WORDS words of 'flow'. */
static inline void
expand(const struct miniflow *mf, uint64_t *flow)
{
    memset(flow, 0, FLOW_N_WORDS * sizeof *flow);
    const uint64_t *v = mf->values;
    for (uint64_t map = mf->map & ALL_WORDS; map; map &= map - 1) {
        flow[__builtin_ctzll(map)] = *v++;
    }
}

void
dpcls_picker_init(struct word_picker *p, const struct dpcls_subtable *st,
                  uint64_t map)
{
    p->map = map;
    for (unsigned int j = 0; j < st->n_words; j++) {
        uint64_t bit = UINT64_C(1) << st->idx[j];
        bool present = map & bit;
        p->off[j] = present
                    ? (uint8_t) __builtin_popcountll(map & (bit - 1)) : 0;
        p->mask[j] = present ? st->mask.values[j] : 0;
    }
    p->vok = !(st->mask.map & ~map);
    p->vbits = 0;
    for (uint64_t m = st->mask.map; m && p->vok; m &= m - 1) {
        unsigned int k = (unsigned int) __builtin_popcountll(map
                                                             & ((m & -m) - 1));
        if (k < 8) {
            p->vbits |= (uint8_t) (1u << k);
        } else {
            p->vok = false;
        }
    }
    unsigned int n_values = (unsigned int) __builtin_popcountll(map);
    p->kfit = n_values <= PICK_KEY_WORDS;
    memset(p->kmask, 0, sizeof p->kmask);
    if (p->kfit) {
        unsigned int k = 0;
        for (uint64_t m = map; m; m &= m - 1, k++) {
            uint64_t bit = m & -m;
            if (st->mask.map & bit) {
                p->kmask[k] = st->mask.values[__builtin_popcountll(
                    st->mask.map & (bit - 1))];
            }
        }
    }
}


/* Finds a rule whose masked key is 'words' (control path). */
static struct dpcls_rule *
subtable_find_words(const struct dpcls_subtable *st, uint32_t hash,
                    const uint64_t *words)
{
    uint32_t b = hash & st->bucket_mask;
    for (;;) {
        const struct dpcls_bucket *bk = &st->buckets[b];
        for (int k = 0; k < BUCKET_SLOTS; k++) {
            struct dpcls_rule *r = bk->rules[k];
            if (bk->hashes[k] == hash && r
                && !memcmp(r->key.values, words,
                           st->n_words * sizeof *words)) {
                return r;
            }
        }
        if (!bk->n_passed) {
            return NULL;
        }
        b = (b + 1) & st->bucket_mask;
    }
}

static void
buckets_put(struct dpcls_bucket *buckets, uint32_t bucket_mask,
            struct dpcls_rule *rule)
{
    uint32_t b = rule->hash & bucket_mask;
    for (;;) {
        struct dpcls_bucket *bk = &buckets[b];
        for (int k = 0; k < BUCKET_SLOTS; k++) {
            if (!bk->rules[k]) {
                bk->rules[k] = rule;
                bk->hashes[k] = rule->hash;
                return;
            }
        }
        bk->n_passed++;
        b = (b + 1) & bucket_mask;
    }
}

static void
buckets_del(struct dpcls_bucket *buckets, uint32_t bucket_mask,
            struct dpcls_rule *rule)
{
    uint32_t b = rule->hash & bucket_mask;
    for (;;) {
        struct dpcls_bucket *bk = &buckets[b];
        for (int k = 0; k < BUCKET_SLOTS; k++) {
            if (bk->rules[k] == rule) {
                bk->rules[k] = NULL;
                bk->hashes[k] = 0;
                return;
            }
        }
        bk->n_passed--;
        b = (b + 1) & bucket_mask;
    }
}

static struct dpcls_bucket *
buckets_alloc(uint32_t n)
{
    /* Big tables: 2 MB aligned, backed by transparent huge pages if the
     * system allows, since lookups hit them at random. */
    const size_t huge = 2u << 20;
    size_t size = (size_t) n * sizeof(struct dpcls_bucket);
    struct dpcls_bucket *b;
    if (size < huge) {
        b = aligned_alloc(64, size);
    } else {
        b = aligned_alloc(huge, size);
#ifdef MADV_HUGEPAGE
        if (b) {
            madvise(b, size, MADV_HUGEPAGE);
        }
#endif
    }
    if (b) {
        memset(b, 0, size);
    }
    return b;
}

/* Doubles the hash table of 'st'. */
static int
subtable_grow(struct dpcls_subtable *st)
{
    uint32_t old_n = st->bucket_mask + 1;
    if (old_n > (UINT32_MAX >> 1) / BUCKET_LOAD) {
        return -ENOMEM;
    }
    uint32_t new_mask = old_n * 2 - 1;
    struct dpcls_bucket *nb = buckets_alloc(old_n * 2);
    if (!nb) {
        return -ENOMEM;
    }
    for (uint32_t b = 0; b < old_n; b++) {
        for (int k = 0; k < BUCKET_SLOTS; k++) {
            struct dpcls_rule *r = st->buckets[b].rules[k];
            if (r) {
                buckets_put(nb, new_mask, r);
            }
        }
    }
    free(st->buckets);
    st->buckets = nb;
    st->bucket_mask = new_mask;
    return 0;
}

/* Normalises 'mask': drops words that are zero, keeps the others. */
static void
mask_normalise(const struct miniflow *mask, struct miniflow *out)
{
    const uint64_t *v = mask->values;
    out->map = 0;
    unsigned int n = 0;
    for (uint64_t map = mask->map & ALL_WORDS; map; map &= map - 1) {
        uint64_t w = *v++;
        if (w) {
            out->map |= map & -map;
            out->values[n++] = w;
        }
    }
    memset(&out->values[n], 0, (FLOW_N_WORDS - n) * sizeof out->values[0]);
}

static struct dpcls_subtable *
find_subtable(const struct dpcls *cls, const struct miniflow *mask)
{
    unsigned int n = miniflow_n_values(mask);
    for (unsigned int i = 0; i < cls->n_subtables; i++) {
        struct dpcls_subtable *st = cls->subtables[i];
        if (st->mask.map == mask->map
            && !memcmp(st->mask.values, mask->values,
                       n * sizeof mask->values[0])) {
            return st;
        }
    }
    return NULL;
}

static struct dpcls_subtable *
create_subtable(struct dpcls *cls, const struct miniflow *mask)
{
    if (cls->n_subtables == cls->allocated) {
        unsigned int n = cls->allocated ? cls->allocated * 2 : 8;
        struct dpcls_subtable **v = realloc(cls->subtables, n * sizeof *v);
        if (!v) {
            return NULL;
        }
        cls->subtables = v;
        cls->allocated = n;
    }
    /* Aligned for vmask's vector loads. */
    struct dpcls_subtable *st = aligned_alloc(
        64, (sizeof *st + 63) / 64 * 64);
    if (!st) {
        return NULL;
    }
    memset(st, 0, sizeof *st);
    st->buckets = buckets_alloc(INITIAL_BUCKETS);
    if (!st->buckets) {
        free(st);
        return NULL;
    }
    st->bucket_mask = INITIAL_BUCKETS - 1;
    st->mask = *mask;
    st->n_words = miniflow_n_values(mask);
    st->generic = subtable_lookup_for(st->n_words);
    st->lookup = st->generic;
    if (st->n_words <= 8) {
        memcpy(st->vmask, mask->values, st->n_words * sizeof st->vmask[0]);
        subtable_lookup_func *v = dpcls_avx512_lookup_for(st->n_words);
        if (v) {
            st->lookup = v;
        }
    }
    st->picker.map = UINT64_MAX;            /* No key has this map. */
    unsigned int j = 0;
    for (uint64_t map = mask->map; map; map &= map - 1) {
        st->idx[j++] = (uint8_t) __builtin_ctzll(map);
    }
    /* Newcomers go last; the next sort ranks them by their hits. */
    cls->subtables[cls->n_subtables++] = st;
    cls->words_used |= mask->map;
    return st;
}

static void
destroy_subtable(struct dpcls *cls, struct dpcls_subtable *st)
{
    for (unsigned int i = 0; i < cls->n_subtables; i++) {
        if (cls->subtables[i] == st) {
            memmove(&cls->subtables[i], &cls->subtables[i + 1],
                    (cls->n_subtables - i - 1) * sizeof cls->subtables[0]);
            cls->n_subtables--;
            break;
        }
    }
    cls->words_used = 0;
    for (unsigned int i = 0; i < cls->n_subtables; i++) {
        cls->words_used |= cls->subtables[i]->mask.map;
    }
    free(st->buckets);
    free(st);
}

void
dpcls_init(struct dpcls *cls)
{
    memset(cls, 0, sizeof *cls);
}

void
dpcls_destroy(struct dpcls *cls)
{
    for (unsigned int i = 0; i < cls->n_subtables; i++) {
        free(cls->subtables[i]->buckets);
        free(cls->subtables[i]);
    }
    free(cls->subtables);
    memset(cls, 0, sizeof *cls);
}

int
dpcls_insert(struct dpcls *cls, struct dpcls_rule *rule,
             const struct miniflow *key, const struct miniflow *mask)
{
    struct miniflow norm;
    mask_normalise(mask, &norm);

    uint64_t flow[FLOW_N_WORDS];
    uint64_t words[FLOW_N_WORDS];
    expand(key, flow);
    unsigned int n = 0;
    for (uint64_t map = norm.map; map; map &= map - 1) {
        words[n] = flow[__builtin_ctzll(map)] & norm.values[n];
        n++;
    }
    uint32_t hash = dpcls_hash_words(words, n, 0);

    struct dpcls_subtable *st = find_subtable(cls, &norm);
    bool created = false;
    if (st) {
        if (subtable_find_words(st, hash, words)) {
            return -EEXIST;
        }
    } else {
        st = create_subtable(cls, &norm);
        if (!st) {
            return -ENOMEM;
        }
        created = true;
    }
    if (st->n_rules + 1 > (st->bucket_mask + 1) * BUCKET_LOAD
        && subtable_grow(st)) {
        if (created) {
            destroy_subtable(cls, st);
        }
        return -ENOMEM;
    }

    rule->hash = hash;
    rule->dead = false;
    rule->key.map = norm.map;
    memcpy(rule->key.values, words, n * sizeof words[0]);
    memset(&rule->key.values[n], 0, (FLOW_N_WORDS - n) * sizeof words[0]);
    rule->mask = &st->mask;
    rule->subtable = st;
    buckets_put(st->buckets, st->bucket_mask, rule);
    st->n_rules++;
    cls->n_rules++;
    return 0;
}

void
dpcls_remove(struct dpcls *cls, struct dpcls_rule *rule)
{
    struct dpcls_subtable *st = rule->subtable;
    buckets_del(st->buckets, st->bucket_mask, rule);
    rule->dead = true;
    rule->subtable = NULL;
    cls->n_rules--;
    if (!--st->n_rules) {
        rule->mask = NULL;
        destroy_subtable(cls, st);
    }
}



#ifdef __SSE2__
/* Whether keys 'a' and 'b', which have the same map, agree on the words
 * whose mask in the keys' layout is km0..km3 (see word_picker.kmask). */
static inline __attribute__((always_inline)) bool
same_masked(const struct miniflow *a, const struct miniflow *b,
            __m128i km0, __m128i km1, __m128i km2, __m128i km3)
{
    const __m128i *x = (const __m128i *) (const void *) a->values;
    const __m128i *y = (const __m128i *) (const void *) b->values;
    __m128i d0 = _mm_and_si128(_mm_xor_si128(_mm_loadu_si128(x),
                                             _mm_loadu_si128(y)), km0);
    __m128i d1 = _mm_and_si128(_mm_xor_si128(_mm_loadu_si128(x + 1),
                                             _mm_loadu_si128(y + 1)), km1);
    __m128i d2 = _mm_and_si128(_mm_xor_si128(_mm_loadu_si128(x + 2),
                                             _mm_loadu_si128(y + 2)), km2);
    __m128i d3 = _mm_and_si128(_mm_xor_si128(_mm_loadu_si128(x + 3),
                                             _mm_loadu_si128(y + 3)), km3);
    __m128i d = _mm_or_si128(_mm_or_si128(d0, d1), _mm_or_si128(d2, d3));
    return _mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_setzero_si128()))
           == 0xffff;
}
#endif

/* Looks up the keys of 'left' in 'st', whose mask has 'n_words' words.
 * Returns those that matched.  Inlined with constant 'n_words' below, so
 * the word loops unroll for the common mask sizes.
 *
 * Neighbours in a batch often share their masked key (packets of one
 * flow, or of flows that differ only in wildcarded bits: one in_port, one
 * prefix): a key whose masked words equal those of the key looked up
 * just before it takes that key's result without hashing or probing. */
static inline __attribute__((always_inline)) uint32_t
subtable_lookup__(struct dpcls_subtable *st, uint32_t left,
                  const struct miniflow *const keys[],
                  struct dpcls_rule *rules[], unsigned int n_words)
{
    /* Masked words, key after key (n_words each): few cache lines. */
    uint64_t words[DPCLS_MAX_BATCH * FLOW_N_WORDS];
    uint32_t hashes[DPCLS_MAX_BATCH];
    uint8_t slots[DPCLS_MAX_BATCH];
    uint8_t same_as[DPCLS_MAX_BATCH];
    /* Locals: the stores below could alias 'st' for the compiler. */
    const struct dpcls_bucket *const buckets = st->buckets;
    const uint32_t bucket_mask = st->bucket_mask;
    uint32_t found = 0;
    /* The masked words of the key looked up last ('have': there is one). */
    uint64_t prev[FLOW_N_WORDS];
    bool have = false;
    unsigned int prev_i = 0;

    /* Keys mostly share a map: the subtable's picker is redone only when
     * it changes, and its words are copied here. */
    uint64_t map = st->picker.map;
    uint8_t off[FLOW_N_WORDS];
    uint64_t msk[FLOW_N_WORDS];
#pragma GCC unroll 8
    for (unsigned int j = 0; j < n_words; j++) {
        off[j] = st->picker.off[j];
        msk[j] = st->picker.mask[j];
        prev[j] = 0;
    }
#define PICK(KEY) do {                                                  \
        if ((KEY)->map != map) {                                        \
            dpcls_picker_init(&st->picker, st, (KEY)->map);             \
            map = (KEY)->map;                                           \
            for (unsigned int j_ = 0; j_ < n_words; j_++) {             \
                off[j_] = st->picker.off[j_];                           \
                msk[j_] = st->picker.mask[j_];                          \
            }                                                           \
        }                                                               \
    } while (0)

    if (bucket_mask < SMALL_BUCKETS) {
        struct dpcls_rule *prev_r = NULL;
#ifdef __SSE2__
        /* The key looked up last, when it had the picker's map and that
         * fits kmask. */
        const struct miniflow *prev_key = NULL;
        __m128i km0 = _mm_load_si128((const __m128i *) &st->picker.kmask[0]);
        __m128i km1 = _mm_load_si128((const __m128i *) &st->picker.kmask[2]);
        __m128i km2 = _mm_load_si128((const __m128i *) &st->picker.kmask[4]);
        __m128i km3 = _mm_load_si128((const __m128i *) &st->picker.kmask[6]);
#endif
        for (uint32_t m = left; m; m &= m - 1) {
            unsigned int i = __builtin_ctz(m);
            const struct miniflow *key = keys[i];
#ifdef __SSE2__
            if (key->map != map) {
                PICK(key);
                prev_key = NULL;
                km0 = _mm_load_si128((const __m128i *) &st->picker.kmask[0]);
                km1 = _mm_load_si128((const __m128i *) &st->picker.kmask[2]);
                km2 = _mm_load_si128((const __m128i *) &st->picker.kmask[4]);
                km3 = _mm_load_si128((const __m128i *) &st->picker.kmask[6]);
            }
            if (st->picker.kfit) {
                if (prev_key && same_masked(key, prev_key, km0, km1, km2,
                                            km3)) {
                    if (prev_r) {
                        rules[i] = prev_r;
                        found |= UINT32_C(1) << i;
                    }
                    continue;
                }
                prev_key = key;
                uint64_t w[FLOW_N_WORDS];
#pragma GCC unroll 8
                for (unsigned int j = 0; j < n_words; j++) {
                    w[j] = key->values[off[j]] & msk[j];
                }
                uint32_t h = hash_words(w, n_words, 0);
                unsigned int sm = bucket_match(&buckets[h & bucket_mask], h);
                prev_r = bucket_search(buckets, bucket_mask, h, sm, w,
                                       n_words);
                have = false;       /* prev[] is not prev_r's key. */
                if (prev_r) {
                    rules[i] = prev_r;
                    found |= UINT32_C(1) << i;
                }
                continue;
            }
#else
            PICK(key);
#endif
            uint64_t w[FLOW_N_WORDS];
            uint64_t diff = 0;
#pragma GCC unroll 8
            for (unsigned int j = 0; j < n_words; j++) {
                w[j] = key->values[off[j]] & msk[j];
                diff |= w[j] ^ prev[j];
            }
            if (diff || !have) {
                uint32_t h = hash_words(w, n_words, 0);
                unsigned int sm = bucket_match(&buckets[h & bucket_mask], h);
                prev_r = bucket_search(buckets, bucket_mask, h, sm, w,
                                       n_words);
#pragma GCC unroll 8
                for (unsigned int j = 0; j < n_words; j++) {
                    prev[j] = w[j];
                }
                have = true;
            }
            if (prev_r) {
                rules[i] = prev_r;
                found |= UINT32_C(1) << i;
            }
        }
        return found;
    }

    /* Mask and hash every key that differs from the one before, and
     * prefetch its bucket. */
    for (uint32_t m = left; m; m &= m - 1) {
        unsigned int i = __builtin_ctz(m);
        const struct miniflow *key = keys[i];
        PICK(key);
        uint64_t *w = &words[i * n_words];
        uint64_t diff = 0;
#pragma GCC unroll 8
        for (unsigned int j = 0; j < n_words; j++) {
            w[j] = key->values[off[j]] & msk[j];
            diff |= w[j] ^ prev[j];
        }
        if (have && !diff) {
            same_as[i] = (uint8_t) prev_i;
            continue;
        }
#pragma GCC unroll 8
        for (unsigned int j = 0; j < n_words; j++) {
            prev[j] = w[j];
        }
        have = true;
        same_as[i] = (uint8_t) i;
        prev_i = i;
        uint32_t h = hash_words(w, n_words, 0);
        hashes[i] = h;
        __builtin_prefetch(&buckets[h & bucket_mask]);
    }
#undef PICK
    /* Find the slots with the same hash; prefetch the first one's rule. */
    for (uint32_t m = left; m; m &= m - 1) {
        unsigned int i = __builtin_ctz(m);
        if (same_as[i] != i) {
            continue;
        }
        const struct dpcls_bucket *bk = &buckets[hashes[i] & bucket_mask];
        unsigned int sm = bucket_match(bk, hashes[i]);
        slots[i] = (uint8_t) sm;
        if (sm) {
            __builtin_prefetch(&bk->rules[__builtin_ctz(sm)]->key.values);
        }
    }
    /* Compare (a key that shares its masked words with an earlier one
     * takes its result: that one came first in this loop). */
    for (uint32_t m = left; m; m &= m - 1) {
        unsigned int i = __builtin_ctz(m);
        unsigned int s = same_as[i];
        if (s != i) {
            if (found & (UINT32_C(1) << s)) {
                rules[i] = rules[s];
                found |= UINT32_C(1) << i;
            }
            continue;
        }
        struct dpcls_rule *r = bucket_search(buckets, bucket_mask, hashes[i],
                                             slots[i], &words[i * n_words],
                                             n_words);
        if (r) {
            rules[i] = r;
            found |= UINT32_C(1) << i;
        }
    }
    return found;
}

#define SUBTABLE_LOOKUP_N(N)                                              \
    static uint32_t                                                       \
    subtable_lookup_##N(struct dpcls_subtable *st, uint32_t left,         \
                        const struct miniflow *const keys[],              \
                        struct dpcls_rule *rules[])                       \
    {                                                                     \
        return subtable_lookup__(st, left, keys, rules, N);               \
    }
SUBTABLE_LOOKUP_N(1)
SUBTABLE_LOOKUP_N(2)
SUBTABLE_LOOKUP_N(3)
SUBTABLE_LOOKUP_N(4)
SUBTABLE_LOOKUP_N(5)
SUBTABLE_LOOKUP_N(6)
SUBTABLE_LOOKUP_N(7)
SUBTABLE_LOOKUP_N(8)

static uint32_t
subtable_lookup_any(struct dpcls_subtable *st, uint32_t left,
                    const struct miniflow *const keys[],
                    struct dpcls_rule *rules[])
{
    return subtable_lookup__(st, left, keys, rules, st->n_words);
}

static subtable_lookup_func *
subtable_lookup_for(unsigned int n_words)
{
    static subtable_lookup_func *const funcs[] = {
        NULL, subtable_lookup_1, subtable_lookup_2, subtable_lookup_3,
        subtable_lookup_4, subtable_lookup_5, subtable_lookup_6,
        subtable_lookup_7, subtable_lookup_8,
    };
    return n_words && n_words < sizeof funcs / sizeof funcs[0]
           ? funcs[n_words] : subtable_lookup_any;
}

/* Searches the subtables for the keys of 'left': first the one that
 * matched most keys of the previous search, then the others in rank
 * order.  Adds the number of subtables searched for each hit to
 * '*lookups' and, if 'ranks' is not NULL, stores it in ranks[i] for each
 * key i found; returns the keys found.
 *
 * Starting from the last search's best subtable costs nothing when it is
 * the first in rank anyway, and saves a probe per packet while a burst of
 * packets hits a subtable ranked lower (bursts often come from few flows
 * or from one part of the traffic); megaflows do not overlap, so the order
 * changes no result. */
static uint32_t
search_subtables(struct dpcls *cls, uint32_t left,
                 const struct miniflow *const keys[],
                 struct dpcls_rule *rules[], uint64_t *lookups,
                 uint8_t ranks[])
{
    uint32_t found_all = 0;
    unsigned int n = cls->n_subtables;
    unsigned int first = cls->hot < n ? cls->hot : 0;
    unsigned int best = first, best_found = 0;
    for (unsigned int k = 0; k < n && left; k++) {
        unsigned int s = !k ? first : k <= first ? k - 1 : k;
        struct dpcls_subtable *st = cls->subtables[s];
        uint32_t found = st->lookup(st, left, keys, rules);
        unsigned int n_found = (unsigned int) __builtin_popcount(found);
        st->hits += n_found;
        st->packets += n_found;
        *lookups += (uint64_t) n_found * (k + 1);
        if (ranks) {
            for (uint32_t m = found; m; m &= m - 1) {
                ranks[__builtin_ctz(m)] = (uint8_t) (k < 255 ? k + 1 : 255);
            }
        }
        if (n_found > best_found) {
            best_found = n_found;
            best = s;
        }
        left &= ~found;
        found_all |= found;
    }
    cls->hot = best;
    return found_all;
}

/* Whether 'key' matches 'rule', with 'p' a picker for the rule's subtable
 * and the key's map. */
static inline __attribute__((always_inline)) bool
rule_matches__(const struct dpcls_rule *rule, const struct word_picker *p,
               const struct miniflow *key, unsigned int n_words)
{
    uint64_t diff = 0;
#pragma GCC unroll 8
    for (unsigned int j = 0; j < n_words; j++) {
        diff |= (key->values[p->off[j]] & p->mask[j]) ^ rule->key.values[j];
    }
    return !diff;
}

static inline bool
rule_matches(const struct dpcls_rule *rule, const struct word_picker *p,
             const struct miniflow *key, unsigned int n_words)
{
    switch (n_words) {
    case 1: return rule_matches__(rule, p, key, 1);
    case 2: return rule_matches__(rule, p, key, 2);
    case 3: return rule_matches__(rule, p, key, 3);
    case 4: return rule_matches__(rule, p, key, 4);
    case 5: return rule_matches__(rule, p, key, 5);
    case 6: return rule_matches__(rule, p, key, 6);
    default: return rule_matches__(rule, p, key, n_words);
    }
}

/* Every LEADER_STRIDE-th key of a batch is a leader (LEADERS: their
 * bitmap). */
#define LEADER_STRIDE 4
#define LEADERS UINT32_C(0x11111111)
_Static_assert(LEADER_STRIDE == 4, "LEADERS has a bit every 4");

uint32_t
dpcls_lookup(struct dpcls *cls, const struct miniflow *const keys[],
             unsigned int n, struct dpcls_rule *rules[],
             uint64_t *n_subtable_lookups)
{
    uint64_t lookups = 0;

    if (n > DPCLS_MAX_BATCH) {
        n = DPCLS_MAX_BATCH;
    }
    uint32_t all = n == 32 ? UINT32_MAX : (UINT32_C(1) << n) - 1;
    uint32_t found;
    for (unsigned int i = 0; i < n; i++) {
        rules[i] = NULL;
    }
    if (!cls->leaders || cls->n_subtables <= 1 || n <= LEADER_STRIDE) {
        found = search_subtables(cls, all, keys, rules, &lookups, NULL);
    } else {
        /* Neighbours in a batch often belong to one megaflow (packets of
         * one flow, flows under one wide megaflow), and a key that
         * matches a megaflow needs no search: megaflows do not overlap.
         * So the leaders are searched first; each of the other keys is
         * checked against its leader's megaflow if that one lies past
         * the first subtable (a search would cost more than the check),
         * and only those that do not match it are searched. */
        uint8_t ranks[DPCLS_MAX_BATCH];
        uint32_t leaders = all & LEADERS;
        found = search_subtables(cls, leaders, keys, rules, &lookups, ranks);
        uint32_t rest = 0;
        for (uint32_t m = all & ~leaders; m; m &= m - 1) {
            unsigned int i = __builtin_ctz(m);
            unsigned int l = i & ~(LEADER_STRIDE - 1u);
            struct dpcls_rule *r = rules[l];
            const struct miniflow *key = keys[i];
            if (r && ranks[l] > 1) {
                struct dpcls_subtable *st = r->subtable;
                if (key->map != st->picker.map) {
                    dpcls_picker_init(&st->picker, st, key->map);
                }
                if (rule_matches(r, &st->picker, key, st->n_words)) {
                    rules[i] = r;
                    found |= UINT32_C(1) << i;
                    st->hits++;
                    st->packets++;
                    lookups++;
                    continue;
                }
            }
            rest |= UINT32_C(1) << i;
        }
        found |= search_subtables(cls, rest, keys, rules, &lookups, NULL);
    }
    if (n_subtable_lookups) {
        *n_subtable_lookups += lookups;
    }
    return found;
}

void
dpcls_count_packets(struct dpcls_rule *const rules[], uint32_t hits)
{
    for (; hits; hits &= hits - 1) {
        struct dpcls_subtable *st = rules[__builtin_ctz(hits)]->subtable;
        if (st) {
            st->packets++;
        }
    }
}

unsigned int
dpcls_take_visits(struct dpcls *cls)
{
    uint64_t packets = 0, visits = 0;
    for (unsigned int i = 0; i < cls->n_subtables; i++) {
        struct dpcls_subtable *st = cls->subtables[i];
        packets += st->packets;
        visits += st->packets * (i + 1);
        st->packets = 0;
    }
    if (!packets) {
        return 0;
    }
    unsigned int visits_x16 = (unsigned int) (visits * 16 / packets);
    cls->leaders = visits_x16 >= DPCLS_LEADERS_MIN_VISITS_X16;
    return visits_x16;
}

void
dpcls_sort_subtables(struct dpcls *cls)
{
    struct dpcls_subtable **v = cls->subtables;
    /* Insertion sort: few subtables, mostly in order already, stable. */
    for (unsigned int i = 1; i < cls->n_subtables; i++) {
        struct dpcls_subtable *st = v[i];
        unsigned int j = i;
        while (j > 0 && v[j - 1]->hits < st->hits) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = st;
    }
    for (unsigned int i = 0; i < cls->n_subtables; i++) {
        v[i]->hits_total += v[i]->hits;
        v[i]->hits = 0;
    }
}

int
dpcls_subtable_info(const struct dpcls *cls, unsigned int rank,
                    struct dpcls_subtable_info *info)
{
    if (rank >= cls->n_subtables) {
        return -ENOENT;
    }
    const struct dpcls_subtable *st = cls->subtables[rank];
    info->mask = &st->mask;
    info->n_rules = st->n_rules;
    info->hits = st->hits;
    info->hits_total = st->hits_total + st->hits;
    return 0;
}

void
dpcls_cursor_init(const struct dpcls *cls, struct dpcls_cursor *c)
{
    c->subtable = 0;
    c->slot = 0;
    c->n_subtables = cls->n_subtables;
}

struct dpcls_rule *
dpcls_cursor_next(const struct dpcls *cls, struct dpcls_cursor *c)
{
    if (cls->n_subtables < c->n_subtables) {
        /* The rule returned last was the last of its subtable, which went
         * away: the next subtable took its place. */
        c->slot = 0;
    }
    for (; c->subtable < cls->n_subtables; c->subtable++, c->slot = 0) {
        const struct dpcls_subtable *st = cls->subtables[c->subtable];
        uint32_t n_slots = (st->bucket_mask + 1) * BUCKET_SLOTS;
        while (c->slot < n_slots) {
            uint32_t s = c->slot++;
            struct dpcls_rule *r
                = st->buckets[s / BUCKET_SLOTS].rules[s % BUCKET_SLOTS];
            if (r) {
                c->n_subtables = cls->n_subtables;
                return r;
            }
        }
    }
    c->n_subtables = cls->n_subtables;
    return NULL;
}
