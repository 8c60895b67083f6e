/* Unit tests for the exact-match cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "pmd/emc.h"

/* A miniflow of 'n' words (0..n-1) whose values derive from 'id'. */
static void
make_key(uint32_t id, unsigned int n, struct miniflow *mf)
{
    memset(mf, 0, sizeof *mf);
    for (unsigned int i = 0; i < n; i++) {
        mf->map |= UINT64_C(1) << i;
        mf->values[i] = ((uint64_t) id << 8) + i + 1;
    }
}

static uint32_t
key_hash(const struct miniflow *mf)
{
    return dpcls_hash_words(mf->values, miniflow_n_values(mf),
                            (uint32_t) mf->map);
}

static void
test_init(void **state)
{
    (void) state;
    struct emc emc;
    assert_int_equal(emc_init(&emc, 1000, 1), -EINVAL);
    assert_int_equal(emc_init(&emc, 2, 1), -EINVAL);
    assert_int_equal(emc_init(&emc, 0, 100), 0);
    assert_int_equal(emc_n_entries(&emc), EMC_DEFAULT_ENTRIES);
    assert_int_equal(emc_count(&emc), 0);
    emc_destroy(&emc);
    assert_int_equal(emc_init(&emc, 4, 1), 0);
    assert_int_equal(emc_n_entries(&emc), 4);
    emc_destroy(&emc);
}

static void
test_hit_miss(void **state)
{
    (void) state;
    struct emc emc;
    assert_int_equal(emc_init(&emc, 1024, 1), 0);
    struct dpcls_rule r1 = { 0 }, r2 = { 0 };
    struct miniflow k1, k2, k1b;
    make_key(1, 7, &k1);
    make_key(2, 10, &k2);
    uint32_t h1 = key_hash(&k1), h2 = key_hash(&k2);

    assert_null(emc_lookup(&emc, &k1, h1));
    emc_insert(&emc, &k1, h1, &r1);
    emc_insert(&emc, &k2, h2, &r2);
    assert_int_equal(emc_count(&emc), 2);
    assert_ptr_equal(emc_lookup(&emc, &k1, h1), &r1);
    assert_ptr_equal(emc_lookup(&emc, &k2, h2), &r2);

    /* Same hash, one word differs: miss. */
    k1b = k1;
    k1b.values[6] ^= 1;
    assert_null(emc_lookup(&emc, &k1b, h1));
    /* Same values, other map: miss. */
    k1b = k1;
    k1b.map = (k1.map << 1);
    assert_null(emc_lookup(&emc, &k1b, h1));
    /* Garbage after the present words does not matter. */
    k1b = k1;
    k1b.values[7] = 0xdead;
    assert_ptr_equal(emc_lookup(&emc, &k1b, h1), &r1);

    /* Re-inserting a key updates its rule. */
    emc_insert(&emc, &k1, h1, &r2);
    assert_int_equal(emc_count(&emc), 2);
    assert_ptr_equal(emc_lookup(&emc, &k1, h1), &r2);

    assert_int_equal(emc.stats.lookups, 7);
    assert_int_equal(emc.stats.hits, 4);
    assert_int_equal(emc.stats.inserts, 3);

    emc_clear(&emc);
    assert_int_equal(emc_count(&emc), 0);
    assert_null(emc_lookup(&emc, &k2, h2));
    emc_destroy(&emc);
}

static void
test_dead_rule(void **state)
{
    (void) state;
    struct emc emc;
    assert_int_equal(emc_init(&emc, 64, 1), 0);
    struct dpcls_rule r = { 0 };
    struct miniflow k;
    make_key(5, 5, &k);
    uint32_t h = key_hash(&k);
    emc_insert(&emc, &k, h, &r);
    assert_ptr_equal(emc_lookup(&emc, &k, h), &r);
    r.dead = true;
    assert_null(emc_lookup(&emc, &k, h));
    assert_int_equal(emc.stats.dead, 1);
    /* The entry was dropped. */
    assert_int_equal(emc_count(&emc), 0);
    r.dead = false;
    assert_null(emc_lookup(&emc, &k, h));
    emc_destroy(&emc);
}

static void
test_set_conflicts(void **state)
{
    (void) state;
    struct emc emc;
    /* One set only: every key competes for 4 ways. */
    assert_int_equal(emc_init(&emc, 4, 1), 0);
    struct dpcls_rule r[6] = { { 0 } };
    struct miniflow k[6];
    for (int i = 0; i < 4; i++) {
        make_key((uint32_t) i, 3, &k[i]);
        emc_insert(&emc, &k[i], key_hash(&k[i]), &r[i]);
    }
    assert_int_equal(emc_count(&emc), 4);
    assert_int_equal(emc.stats.evictions, 0);
    for (int i = 0; i < 4; i++) {
        assert_ptr_equal(emc_lookup(&emc, &k[i], key_hash(&k[i])), &r[i]);
    }
    /* A dead entry is replaced before a live one. */
    r[2].dead = true;
    make_key(4, 3, &k[4]);
    emc_insert(&emc, &k[4], key_hash(&k[4]), &r[4]);
    assert_int_equal(emc.stats.evictions, 0);
    assert_ptr_equal(emc_lookup(&emc, &k[4], key_hash(&k[4])), &r[4]);
    for (int i = 0; i < 4; i++) {
        if (i != 2) {
            assert_ptr_equal(emc_lookup(&emc, &k[i], key_hash(&k[i])),
                             &r[i]);
        }
    }
    /* Then a live one goes. */
    make_key(5, 3, &k[5]);
    emc_insert(&emc, &k[5], key_hash(&k[5]), &r[5]);
    assert_int_equal(emc.stats.evictions, 1);
    assert_int_equal(emc_count(&emc), 4);
    assert_ptr_equal(emc_lookup(&emc, &k[5], key_hash(&k[5])), &r[5]);

    /* Two keys with the same hash are told apart. */
    emc_clear(&emc);
    emc_insert(&emc, &k[0], 42, &r[0]);
    emc_insert(&emc, &k[1], 42, &r[1]);
    assert_ptr_equal(emc_lookup(&emc, &k[0], 42), &r[0]);
    assert_ptr_equal(emc_lookup(&emc, &k[1], 42), &r[1]);
    assert_null(emc_lookup(&emc, &k[3], 42));
    emc_destroy(&emc);
}

static void
test_insert_probability(void **state)
{
    (void) state;
    struct emc emc;
    assert_int_equal(emc_init(&emc, 1 << 16, 10), 0);
    emc_seed(&emc, 1);
    struct dpcls_rule r = { 0 };
    struct miniflow k;
    const int n = 20000;
    for (int i = 0; i < n; i++) {
        make_key((uint32_t) i, 4, &k);
        emc_insert(&emc, &k, key_hash(&k), &r);
    }
    /* 1 in 10: 2000 expected, sd ~42. */
    assert_true(emc.stats.inserts > 1800 && emc.stats.inserts < 2200);
    assert_int_equal(emc.stats.inserts + emc.stats.insert_skipped, n);

    emc_set_insert_inv_prob(&emc, 0);
    uint64_t before = emc.stats.inserts;
    for (int i = 0; i < 1000; i++) {
        make_key((uint32_t) (n + i), 4, &k);
        emc_insert(&emc, &k, key_hash(&k), &r);
    }
    assert_int_equal(emc.stats.inserts, before);

    emc_set_insert_inv_prob(&emc, 1);
    for (int i = 0; i < 1000; i++) {
        make_key((uint32_t) (n + i), 4, &k);
        emc_insert(&emc, &k, key_hash(&k), &r);
    }
    assert_int_equal(emc.stats.inserts, before + 1000);

    /* emc_insert_force() ignores the dice. */
    emc_set_insert_inv_prob(&emc, 0);
    make_key(999999, 4, &k);
    emc_insert_force(&emc, &k, key_hash(&k), &r);
    assert_ptr_equal(emc_lookup(&emc, &k, key_hash(&k)), &r);
    emc_destroy(&emc);
}

static void
test_remove_rule(void **state)
{
    (void) state;
    struct emc emc;
    assert_int_equal(emc_init(&emc, 4096, 1), 0);
    struct dpcls_rule a = { 0 }, b = { 0 };
    struct miniflow k;
    for (int i = 0; i < 40; i++) {
        make_key((uint32_t) i, 6, &k);
        emc_insert(&emc, &k, key_hash(&k), i % 4 ? &a : &b);
    }
    unsigned int total = emc_count(&emc);
    assert_int_equal(emc_remove_rule(&emc, &b), 10);
    assert_int_equal(emc_count(&emc), total - 10);
    assert_int_equal(emc_remove_rule(&emc, &b), 0);
    for (int i = 0; i < 40; i++) {
        make_key((uint32_t) i, 6, &k);
        struct dpcls_rule *r = emc_lookup(&emc, &k, key_hash(&k));
        if (i % 4) {
            assert_ptr_equal(r, &a);
        } else {
            assert_null(r);
        }
    }
    emc_destroy(&emc);
}

/* Several rules in one scan; past EMC_REMOVE_MAX the cache is cleared. */
static void
test_remove_rules(void **state)
{
    (void) state;
    struct emc emc;
    assert_int_equal(emc_init(&emc, 4096, 1), 0);
    struct dpcls_rule rules[4];
    struct miniflow k;
    memset(rules, 0, sizeof rules);
    for (int i = 0; i < 40; i++) {
        make_key((uint32_t) i, 6, &k);
        emc_insert(&emc, &k, key_hash(&k), &rules[i % 4]);
    }
    unsigned int total = emc_count(&emc);
    const struct dpcls_rule *gone[2] = { &rules[3], &rules[1] };
    assert_int_equal(emc_remove_rules(&emc, gone, 2), 20);
    assert_int_equal(emc_count(&emc), total - 20);
    for (int i = 0; i < 40; i++) {
        make_key((uint32_t) i, 6, &k);
        struct dpcls_rule *r = emc_lookup(&emc, &k, key_hash(&k));
        if (i % 2) {
            assert_null(r);
        } else {
            assert_ptr_equal(r, &rules[i % 4]);
        }
    }

    static const struct dpcls_rule *many[EMC_REMOVE_MAX + 1];
    for (int i = 0; i <= EMC_REMOVE_MAX; i++) {
        many[i] = &rules[0];
    }
    assert_int_equal(emc_remove_rules(&emc, many, EMC_REMOVE_MAX + 1), 20);
    assert_int_equal(emc_count(&emc), 0);
    emc_destroy(&emc);
}

static void
test_key_sizes(void **state)
{
    (void) state;
    struct emc emc;
    assert_int_equal(emc_init(&emc, 256, 1), 0);
    struct dpcls_rule r = { 0 };
    struct miniflow k;
    for (unsigned int n = 0; n <= FLOW_N_WORDS; n++) {
        make_key(n, n, &k);
        emc_insert(&emc, &k, key_hash(&k), &r);
        struct dpcls_rule *got = emc_lookup(&emc, &k, key_hash(&k));
        if (n <= EMC_MAX_VALUES) {
            assert_ptr_equal(got, &r);
        } else {
            assert_null(got);
        }
    }
    assert_int_equal(emc.stats.too_big, FLOW_N_WORDS - EMC_MAX_VALUES);
    emc_destroy(&emc);
}

static void
test_batch(void **state)
{
    (void) state;
    struct emc emc;
    assert_int_equal(emc_init(&emc, 1024, 1), 0);
    struct dpcls_rule rules_in[EMC_MAX_BATCH];
    struct miniflow keys[EMC_MAX_BATCH];
    const struct miniflow *kp[EMC_MAX_BATCH];
    uint32_t hashes[EMC_MAX_BATCH];
    uint32_t expect = 0;
    memset(rules_in, 0, sizeof rules_in);
    for (int i = 0; i < EMC_MAX_BATCH; i++) {
        make_key((uint32_t) i, 3 + i % 10, &keys[i]);
        kp[i] = &keys[i];
        hashes[i] = key_hash(&keys[i]);
        if (i % 3 != 2) {
            emc_insert(&emc, &keys[i], hashes[i], &rules_in[i]);
            expect |= UINT32_C(1) << i;
        }
    }
    rules_in[4].dead = true;
    expect &= ~(UINT32_C(1) << 4);
    struct dpcls_rule *out[EMC_MAX_BATCH];
    assert_int_equal(emc_lookup_batch(&emc, kp, hashes, EMC_MAX_BATCH, out),
                     expect);
    for (int i = 0; i < EMC_MAX_BATCH; i++) {
        if (expect & (UINT32_C(1) << i)) {
            assert_ptr_equal(out[i], &rules_in[i]);
        } else {
            assert_null(out[i]);
        }
    }
    assert_int_equal(emc_lookup_batch(&emc, kp, hashes, 5, out),
                     expect & 0x1f);
    emc_destroy(&emc);
}

/* Runs one policy period with 'lookups' EMC lookups of which 'hits' hit,
 * then the check with 'visits_x16'. */
static bool
period(struct emc *emc, uint64_t lookups, uint64_t hits,
       unsigned int visits_x16)
{
    emc->stats.lookups += lookups;
    emc->stats.hits += hits;
    return emc_policy_check(emc, visits_x16);
}

static void
test_policy(void **state)
{
    (void) state;
    struct emc emc;
    assert_int_equal(emc_init(&emc, 1024, 20), 0);
    assert_true(emc.policy.active);     /* Until something is known. */

    /* A classifier that finds packets in the first subtable or so: the
     * EMC is not used, however well it would hit. */
    assert_false(period(&emc, 10000, 10000, 16));
    assert_false(period(&emc, 0, 0, EMC_MIN_VISITS_X16 - 1));
    /* No traffic changes nothing. */
    assert_false(period(&emc, 0, 0, 0));

    /* Several subtables per packet: used.  The first period after it
     * comes back only fills it: not judged, however poor. */
    assert_true(period(&emc, 0, 0, EMC_MIN_VISITS_X16));
    assert_true(period(&emc, 10000, 100, EMC_MIN_VISITS_X16));
    /* Hitting well: stays. */
    assert_true(period(&emc, 10000, 9000, EMC_MIN_VISITS_X16));
    /* Too few lookups to judge: stays. */
    assert_true(period(&emc, EMC_MIN_SAMPLE - 1, 0, EMC_MIN_VISITS_X16));

    /* Hitting poorly: left out for EMC_BACKOFF_MIN checks, whatever the
     * classifier costs, then tried again. */
    assert_false(period(&emc, 10000, 4000, EMC_MIN_VISITS_X16));
    for (int i = 1; i < EMC_BACKOFF_MIN; i++) {
        assert_false(period(&emc, 0, 0, 200));
    }
    assert_false(period(&emc, 0, 0, 200));
    assert_true(period(&emc, 0, 0, 200));           /* Fresh. */
    assert_true(period(&emc, 10000, 100, 200));     /* Not judged. */
    /* Still poor: the backoff doubles. */
    assert_false(period(&emc, 10000, 100, 200));
    int off = 0;
    while (!period(&emc, 0, 0, 200)) {
        off++;
        assert_true(off < 1000);
    }
    assert_int_equal(off, 2 * EMC_BACKOFF_MIN);
    /* Good this time: the next backoff is short again. */
    assert_true(period(&emc, 10000, 100, 200));     /* Fresh. */
    assert_true(period(&emc, 10000, 9999, 200));
    assert_false(period(&emc, 10000, 0, 200));
    off = 0;
    while (!period(&emc, 0, 0, 200)) {
        off++;
    }
    assert_int_equal(off, EMC_BACKOFF_MIN);

    /* An EMC that never inserts is never used. */
    emc_set_insert_inv_prob(&emc, 0);
    assert_false(period(&emc, 0, 0, 200));
    emc_set_insert_inv_prob(&emc, 20);
    assert_true(period(&emc, 0, 0, 200));
    emc_destroy(&emc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_hit_miss),
        cmocka_unit_test(test_dead_rule),
        cmocka_unit_test(test_set_conflicts),
        cmocka_unit_test(test_insert_probability),
        cmocka_unit_test(test_remove_rule),
        cmocka_unit_test(test_remove_rules),
        cmocka_unit_test(test_key_sizes),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
