/* dpcls_avx512: subtable lookups with AVX-512F, chosen at run time for
 * subtables whose mask has at most 8 words when the CPU has AVX-512F.
 *
 * The same search as the generic lookup of dpcls.c, with the per-word work
 * done in one vector: the key's first 8 values are compressed by the
 * picker's vbits (the key positions of the mask's words) and ANDed with
 * the mask, which gives the masked words in mask order, zero past the
 * last; "same as the previous key" and "equals this rule's key" are one
 * compare each.  The hash is the generic one (hash_words()), so rules
 * inserted by dpcls.c are found.  Keys whose map does not fit (a mask word
 * the key lacks, or past its 8th value) and big tables, where the generic
 * lookup prefetches, go the generic way. */
#include "pmd/dpcls_private.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))

/* Searches from the bucket of 'h' for a rule whose masked key is 'v'
 * ('n_words' words, zero past them). */
static inline __attribute__((always_inline)) AVX512 struct dpcls_rule *
probe(const struct dpcls_bucket *buckets, uint32_t bucket_mask, uint32_t h,
      __m512i v, unsigned int n_words)
{
    const __mmask8 words = (__mmask8) ((1u << n_words) - 1);
    const __m512i hv = _mm512_set1_epi32((int) h);
    uint32_t b = h & bucket_mask;
    for (;;) {
        const struct dpcls_bucket *bk = &buckets[b];
        unsigned int sm = (unsigned int) _mm512_cmpeq_epi32_mask(
            _mm512_load_si512((const void *) bk), hv)
            & ((1u << BUCKET_SLOTS) - 1);
        for (; sm; sm &= sm - 1) {
            struct dpcls_rule *r = bk->rules[__builtin_ctz(sm)];
            if (r && !_mm512_cmpneq_epi64_mask(
                    _mm512_maskz_loadu_epi64(words, r->key.values), v)) {
                return r;
            }
        }
        if (!bk->n_passed) {
            return NULL;
        }
        b = (b + 1) & bucket_mask;
    }
}

/* One key the generic way, with the subtable's picker for its map. */
static struct dpcls_rule *
probe_picked(const struct dpcls_subtable *st, const struct miniflow *key)
{
    uint64_t w[FLOW_N_WORDS];
    for (unsigned int j = 0; j < st->n_words; j++) {
        w[j] = key->values[st->picker.off[j]] & st->picker.mask[j];
    }
    uint32_t h = hash_words(w, st->n_words, 0);
    return bucket_search(st->buckets, st->bucket_mask, h,
                         bucket_match(&st->buckets[h & st->bucket_mask], h),
                         w, st->n_words);
}

static inline __attribute__((always_inline)) AVX512 uint32_t
lookup__(struct dpcls_subtable *st, uint32_t left,
         const struct miniflow *const keys[], struct dpcls_rule *rules[],
         unsigned int n_words)
{
    if (st->bucket_mask >= SMALL_BUCKETS) {
        return st->generic(st, left, keys, rules);
    }
    const struct dpcls_bucket *const buckets = st->buckets;
    const uint32_t bucket_mask = st->bucket_mask;
    const __m512i maskv = _mm512_load_si512((const void *) st->vmask);
    uint64_t map = st->picker.map;
    __mmask8 vbits = st->picker.vbits;
    bool vok = st->picker.vok;
    /* The masked words of the key searched last and what they found. */
    __m512i prev = _mm512_setzero_si512();
    bool have = false;
    struct dpcls_rule *prev_r = NULL;
    uint32_t found = 0;

    for (uint32_t m = left; m; m &= m - 1) {
        unsigned int i = __builtin_ctz(m);
        const struct miniflow *key = keys[i];
        if (__builtin_expect(key->map != map, 0)) {
            dpcls_picker_init(&st->picker, st, key->map);
            map = key->map;
            vbits = st->picker.vbits;
            vok = st->picker.vok;
        }
        struct dpcls_rule *r;
        if (__builtin_expect(vok, 1)) {
            __m512i v = _mm512_and_si512(
                _mm512_maskz_compress_epi64(
                    vbits, _mm512_loadu_si512((const void *) key->values)),
                maskv);
            if (have && !_mm512_cmpneq_epi64_mask(v, prev)) {
                r = prev_r;
            } else {
                uint64_t w[8] __attribute__((aligned(64)));
                _mm512_store_si512((void *) w, v);
                r = probe(buckets, bucket_mask, hash_words(w, n_words, 0), v,
                          n_words);
                prev = v;
                prev_r = r;
                have = true;
            }
        } else {
            r = probe_picked(st, key);
        }
        if (r) {
            rules[i] = r;
            found |= UINT32_C(1) << i;
        }
    }
    return found;
}

#define LOOKUP_N(N)                                                       \
    static AVX512 uint32_t                                                \
    lookup_##N(struct dpcls_subtable *st, uint32_t left,                  \
               const struct miniflow *const keys[],                       \
               struct dpcls_rule *rules[])                                \
    {                                                                     \
        return lookup__(st, left, keys, rules, N);                        \
    }
LOOKUP_N(1)
LOOKUP_N(2)
LOOKUP_N(3)
LOOKUP_N(4)
LOOKUP_N(5)
LOOKUP_N(6)
LOOKUP_N(7)
LOOKUP_N(8)

static int enabled = -1;        /* -1: not decided yet. */

static bool
avx512_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

bool
dpcls_set_vector(bool on)
{
    enabled = on && avx512_supported();
    return enabled;
}

bool
dpcls_vector_enabled(void)
{
    if (enabled < 0) {
        const char *env = getenv("SLUICE_DPCLS_VECTOR");
        dpcls_set_vector(!env || strcmp(env, "0"));
    }
    return enabled;
}

subtable_lookup_func *
dpcls_avx512_lookup_for(unsigned int n_words)
{
    static subtable_lookup_func *const funcs[] = {
        NULL, lookup_1, lookup_2, lookup_3, lookup_4, lookup_5, lookup_6,
        lookup_7, lookup_8,
    };
    return dpcls_vector_enabled() && n_words && n_words <= 8
           ? funcs[n_words] : NULL;
}

#else   /* Not x86-64 with GCC-style target attributes. */

bool
dpcls_set_vector(bool on)
{
    (void) on;
    return false;
}

bool
dpcls_vector_enabled(void)
{
    return false;
}

subtable_lookup_func *
dpcls_avx512_lookup_for(unsigned int n_words)
{
    (void) n_words;
    return NULL;
}
#endif
