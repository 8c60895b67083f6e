/* dpcls_private: the classifier's internals shared by its lookup
 * implementations (dpcls.c, and dpcls_avx512.c where the CPU has
 * AVX-512): subtables, buckets, word pickers, the hash of masked words and
 * the bucket search.  Nothing outside the classifier includes it. */
#ifndef SLUICE_DPCLS_PRIVATE_H
#define SLUICE_DPCLS_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include "pmd/dpcls.h"

#define ALL_WORDS ((UINT64_C(1) << FLOW_N_WORDS) - 1)

/* A subtable's hash table: buckets of one cache line, probed linearly from
 * the bucket the hash picks.  'n_passed' counts the rules that belong to
 * an earlier bucket (or this one) but are stored past this bucket, so a
 * search stops at the first bucket with n_passed == 0.  An empty slot has
 * rules[k] == NULL. */
#define BUCKET_SLOTS 5
struct dpcls_bucket {
    uint32_t hashes[BUCKET_SLOTS];
    uint32_t n_passed;
    struct dpcls_rule *rules[BUCKET_SLOTS];
};
_Static_assert(sizeof(struct dpcls_bucket) == 64, "bucket is a cache line");

/* Grow when rules exceed this many per bucket (80% full). */
#define BUCKET_LOAD 4
#define INITIAL_BUCKETS 2

/* Where the words of a subtable's mask are in the values of a miniflow
 * with map 'map': masked word j is values[off[j]] & mask[j] (a word the
 * miniflow lacks reads values[0] and masks it with 0). */
struct word_picker {
    uint64_t map;
    uint8_t off[FLOW_N_WORDS];
    uint64_t mask[FLOW_N_WORDS];
    /* The mask in the key's own layout (kmask[k] masks values[k]; zero
     * past the key's last value), when the key has at most PICK_KEY_WORDS
     * values ('kfit'): two keys with this map have the same masked words
     * if their values agree under it, which a few vector operations tell
     * without picking the words one by one. */
    bool kfit;
    uint64_t kmask[8] __attribute__((aligned(16)));
    /* For the vector lookup (dpcls_avx512.c): 'vok' if every word of the
     * mask is among the key's first 8 values; then bit k of 'vbits' is
     * set if values[k] is one of them, and compressing the key's first 8
     * values by 'vbits' gives the words in mask order. */
    bool vok;
    uint8_t vbits;
};
#define PICK_KEY_WORDS 8

struct dpcls_subtable;
typedef uint32_t subtable_lookup_func(struct dpcls_subtable *,
                                      uint32_t left,
                                      const struct miniflow *const keys[],
                                      struct dpcls_rule *rules[]);

struct dpcls_subtable {
    /* Read by every lookup. */
    subtable_lookup_func *lookup;   /* Specialised for n_words. */
    subtable_lookup_func *generic;  /* The same without vector lookups:
                                     * 'lookup' may hand over to it. */
    struct dpcls_bucket *buckets;
    uint32_t bucket_mask;           /* Number of buckets - 1. */
    uint32_t n_words;               /* Words in the mask. */
    uint64_t hits;                  /* Since the last sort. */
    uint64_t packets;               /* Hits here and elsewhere, since the
                                     * last dpcls_take_visits(). */
    uint8_t idx[FLOW_N_WORDS];      /* Word index of each mask word. */
    struct miniflow mask;           /* map: nonzero mask words. */
    struct word_picker picker;      /* For the map of the last key. */
    uint64_t vmask[8] __attribute__((aligned(64)));  /* Mask values,
                                     * zero past n_words (n_words <= 8). */

    /* Control. */
    uint32_t n_rules;
    uint64_t hits_total;
};

/* The vector lookup for masks of 'n_words' words, or NULL where the CPU
 * (or dpcls_set_vector()) says no. */
subtable_lookup_func *dpcls_avx512_lookup_for(unsigned int n_words);

/* Sets 'p' up for keys with map 'map' in subtable 'st'. */
void dpcls_picker_init(struct word_picker *p, const struct dpcls_subtable *st,
                       uint64_t map);

/* Hashing of masked words.  With SSE4.2: CRC32-C in two interleaved
 * chains (hides the instruction's latency); without: a MurmurHash3-style
 * word mix; either way with a multiplying finaliser.  Only the
 * owning process ever sees these hashes, so the two need not agree. */
#ifndef __SSE4_2__
static inline uint64_t
rotl64(uint64_t x, unsigned int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t
hash_mix(uint64_t h, uint64_t w)
{
    w *= UINT64_C(0x87c37b91114253d5);
    w = rotl64(w, 31);
    w *= UINT64_C(0x4cf5ad432745937f);
    h ^= w;
    h = rotl64(h, 27);
    return h * 5 + 0x52dce729;
}

/* The word mix's finaliser. */
static inline uint32_t
hash_finish(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return (uint32_t) h;
}
#endif

static inline uint32_t
hash_words(const uint64_t *words, unsigned int n, uint32_t basis)
{
#ifdef __SSE4_2__
    uint64_t a = basis, b = ~basis;
    unsigned int i;
#pragma GCC unroll 4
    for (i = 0; i + 1 < n; i += 2) {
        a = _mm_crc32_u64(a, words[i]);
        b = _mm_crc32_u64(b, words[i + 1]);
    }
    if (i < n) {
        a = _mm_crc32_u64(a, words[i]);
    }
    /* The chains side by side in 64 bits (not XORed: CRC is linear, and
     * keys whose words differ pairwise by constants would cancel), one
     * shift to bring the high half down and the high half of one
     * multiplication by an odd constant to mix and break the linearity:
     * buckets fill as evenly as at random for sequential addresses and
     * ports (checked against the longer finaliser this replaces). */
    uint64_t h = (a ^ n) | ((b & UINT32_MAX) << 32);
    h ^= h >> 29;
    return (uint32_t) ((h * UINT64_C(0x9e3779b97f4a7c15)) >> 32);
#else
    uint64_t h = basis;
    for (unsigned int i = 0; i < n; i++) {
        h = hash_mix(h, words[i]);
    }
    return hash_finish(h ^ n);
#endif
}

/* Bitmap of the slots of 'bk' whose hash is 'h' (free slots may match
 * too: their rule is NULL). */
static inline unsigned int
bucket_match(const struct dpcls_bucket *bk, uint32_t h)
{
#ifdef __SSE2__
    __m128i v = _mm_load_si128((const __m128i *) (const void *) bk->hashes);
    __m128i eq = _mm_cmpeq_epi32(v, _mm_set1_epi32((int) h));
    unsigned int m = (unsigned int) _mm_movemask_ps(_mm_castsi128_ps(eq));
    return m | (unsigned int) (bk->hashes[4] == h) << 4;
#else
    unsigned int m = 0;
    for (int k = 0; k < BUCKET_SLOTS; k++) {
        m |= (unsigned int) (bk->hashes[k] == h) << k;
    }
    return m;
#endif
}

/* Searches from the bucket of 'h' for a rule whose key is 'w', starting
 * with the slots 'sm' of that bucket that have hash 'h'. */
static inline __attribute__((always_inline)) struct dpcls_rule *
bucket_search(const struct dpcls_bucket *buckets, uint32_t bucket_mask,
              uint32_t h, unsigned int sm, const uint64_t *w,
              unsigned int n_words)
{
    uint32_t b = h & bucket_mask;
    for (;;) {
        const struct dpcls_bucket *bk = &buckets[b];
        for (; sm; sm &= sm - 1) {
            struct dpcls_rule *r = bk->rules[__builtin_ctz(sm)];
            if (!r) {
                continue;
            }
            uint64_t diff = 0;
#pragma GCC unroll 8
            for (unsigned int j = 0; j < n_words; j++) {
                diff |= w[j] ^ r->key.values[j];
            }
            if (!diff) {
                return r;
            }
        }
        if (!bk->n_passed) {
            return NULL;
        }
        b = (b + 1) & bucket_mask;
        sm = bucket_match(&buckets[b], h);
    }
}

/* Up to this many buckets (16 kB), a subtable is assumed to stay in cache
 * and is searched in one pass; bigger ones hash the whole batch and
 * prefetch buckets, then rules, before comparing. */
#ifndef SMALL_BUCKETS
#define SMALL_BUCKETS 256
#endif

#endif
