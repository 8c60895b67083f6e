/* Unit tests for ofproto/classifier and src/util/hmap: lookups against a
 * brute-force reference on random rules and keys, the wildcard property
 * (every key that agrees on the examined bits gets the same rule), rules
 * removed and added back, and how narrow the examined bits are (staged
 * lookup, prefix tries). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/classifier.h"
#include "src/util/hmap.h"

static uint64_t rng_state;

static uint32_t
rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t) (rng_state >> 16);
}

static const uint64_t *
words(const struct cls_key *f)
{
    return (const uint64_t *) (const void *) f;
}

static bool
matches(const struct cls_rule *r, const struct cls_key *key)
{
    const uint64_t *k = words(key), *m = words(&r->mask);
    const uint64_t *v = words(&r->match);
    for (size_t i = 0; i < CLS_N_WORDS; i++) {
        if ((k[i] & m[i]) != v[i]) {
            return false;
        }
    }
    return true;
}

static uint32_t
prefix(unsigned int len)
{
    return htonl(len ? ~UINT32_C(0) << (32 - len) : 0);
}

/* A random rule over fields from small domains, so that keys hit. */
static void
random_rule(struct cls_rule *r)
{
    memset(r, 0, sizeof *r);
    uint32_t shape = rnd();
    if (shape & 1) {
        r->match.flow.in_port = rnd() % 3;
        r->mask.flow.in_port = UINT32_MAX;
    }
    if (shape & 2) {
        r->match.flow.dl_type = htons(rnd() % 2 ? 0x0800 : 0x86dd);
        r->mask.flow.dl_type = UINT16_MAX;
    }
    if (shape & 4) {
        unsigned int len = rnd() % 33;
        r->match.flow.nw_src = htonl(0x0a000000 | (rnd() % 4) << 16
                                | (rnd() % 4) << 8 | (rnd() % 4));
        r->mask.flow.nw_src = prefix(len);
    }
    if (shape & 8) {
        unsigned int len = rnd() % 33;
        r->match.flow.nw_dst = htonl(0xc0a80000 | (rnd() % 4) << 8
                                     | (rnd() % 4));
        r->mask.flow.nw_dst = prefix(len);
    }
    if (shape & 16) {
        r->match.flow.nw_proto = rnd() % 2 ? 6 : 17;
        r->mask.flow.nw_proto = UINT8_MAX;
    }
    if (shape & 32) {
        r->match.flow.tp_dst = htons(rnd() % 4);
        r->mask.flow.tp_dst = UINT16_MAX;
    }
    if (shape & 128) {
        /* A pipeline field (a register): matched like the others. */
        r->match.meta.regs[3] = rnd() % 3;
        r->mask.meta.regs[3] = UINT32_MAX;
    }
    if (shape & 64) {
        /* Not a prefix: no trie for this subtable. */
        r->match.flow.nw_src = htonl(rnd() % 4);
        r->mask.flow.nw_src = htonl(0x00000003);
    }
    r->priority = (int) (rnd() % 1000);
}

static void
random_key(struct cls_key *k)
{
    memset(k, 0, sizeof *k);
    k->flow.in_port = rnd() % 3;
    k->flow.dl_type = htons(rnd() % 2 ? 0x0800 : 0x86dd);
    k->flow.nw_src = htonl(0x0a000000 | (rnd() % 4) << 16 | (rnd() % 4) << 8
                      | (rnd() % 4));
    k->flow.nw_dst = htonl(0xc0a80000 | (rnd() % 4) << 8 | (rnd() % 4));
    k->flow.nw_proto = rnd() % 2 ? 6 : 17;
    k->flow.tp_dst = htons(rnd() % 4);
    k->flow.tp_src = htons(rnd() % 4);
    k->meta.regs[3] = rnd() % 3;
    if (rnd() % 8 == 0) {
        k->flow.nw_src ^= htonl(rnd());     /* Far from every prefix. */
    }
}

/* The highest priority of a rule matching 'key', or -1. */
static int
brute_force(struct cls_rule *rules, const bool *in, size_t n,
            const struct cls_key *key)
{
    int best = -1;
    for (size_t i = 0; i < n; i++) {
        if (in[i] && matches(&rules[i], key) && rules[i].priority > best) {
            best = rules[i].priority;
        }
    }
    return best;
}

/* Checks lookups of random keys against the reference, and that every key
 * agreeing on the examined bits gets the same rule. */
static void
check_lookups(struct classifier *cls, struct cls_rule *rules, const bool *in,
              size_t n, int n_keys)
{
    for (int k = 0; k < n_keys; k++) {
        struct cls_key key, wc;
        random_key(&key);
        memset(&wc, 0, sizeof wc);
        const struct cls_rule *r = cls_lookup(cls, &key, &wc);
        int want = brute_force(rules, in, n, &key);
        if (want < 0) {
            assert_null(r);
        } else {
            assert_non_null(r);
            assert_true(matches(r, &key));
            assert_int_equal(r->priority, want);
        }
        for (int j = 0; j < 8; j++) {
            struct cls_key other;
            random_key(&other);
            const uint64_t *kw = words(&key), *ww = words(&wc);
            uint64_t *ow = (uint64_t *) (void *) &other;
            for (size_t i = 0; i < CLS_N_WORDS; i++) {
                ow[i] = (kw[i] & ww[i]) | (ow[i] & ~ww[i]);
            }
            const struct cls_rule *r2 = cls_lookup(cls, &other, NULL);
            if (r != r2) {
                fail_msg("key %d: a key that agrees on the examined bits "
                         "got another rule (%d, not %d)", k,
                         r2 ? r2->priority : -1, r ? r->priority : -1);
            }
        }
    }
}

static void
test_random_against_brute_force(void **state)
{
    (void) state;
    enum { N = 400 };
    static struct cls_rule rules[N];
    bool in[N];
    rng_state = 0x1234567890abcdefULL;

    for (int round = 0; round < 5; round++) {
        struct classifier cls;
        cls_init(&cls);
        for (size_t i = 0; i < N; i++) {
            random_rule(&rules[i]);
            assert_int_equal(cls_insert(&cls, &rules[i]), 0);
            in[i] = true;
        }
        assert_int_equal(cls_count(&cls), N);
        check_lookups(&cls, rules, in, N, 2000);
        /* Tries off, one of them, and on again: the same answers. */
        static const unsigned int prefix_sets[] = {
            0, 1u << CLS_TRIE_NW_SRC, 1u << CLS_TRIE_NW_DST,
        };
        assert_int_equal(cls_set_prefixes(&cls, prefix_sets[round % 3]), 0);
        check_lookups(&cls, rules, in, N, 500);
        assert_int_equal(cls_set_prefixes(&cls, CLS_PREFIXES_ALL), 0);

        /* Half go, a quarter come back. */
        for (size_t i = 0; i < N; i += 2) {
            cls_remove(&cls, &rules[i]);
            in[i] = false;
        }
        check_lookups(&cls, rules, in, N, 1000);
        for (size_t i = 0; i < N; i += 4) {
            assert_int_equal(cls_insert(&cls, &rules[i]), 0);
            in[i] = true;
        }
        check_lookups(&cls, rules, in, N, 1000);
        for (size_t i = 0; i < N; i++) {
            if (in[i]) {
                cls_remove(&cls, &rules[i]);
            }
        }
        assert_int_equal(cls_count(&cls), 0);
        assert_int_equal(cls_n_subtables(&cls), 0);
        assert_null(cls.tries[CLS_TRIE_NW_SRC].root);
        cls_destroy(&cls);
    }
}

static void
ipv4_rule(struct cls_rule *r, int priority)
{
    memset(r, 0, sizeof *r);
    r->priority = priority;
    r->match.flow.dl_type = htons(0x0800);
    r->mask.flow.dl_type = UINT16_MAX;
}

static void
ipv4_key(struct cls_key *k, uint32_t src, uint8_t proto, uint16_t dport)
{
    memset(k, 0, sizeof *k);
    k->flow.dl_type = htons(0x0800);
    k->flow.nw_src = htonl(src);
    k->flow.nw_dst = htonl(0xc0a80001);
    k->flow.nw_proto = proto;
    k->flow.tp_dst = htons(dport);
}

/* A /16 rule does not make a key far from it exact on 32 bits. */
static void
test_prefix_trie_keeps_addresses_wide(void **state)
{
    (void) state;
    struct classifier cls;
    struct cls_rule r16, r24, any;
    cls_init(&cls);
    ipv4_rule(&r16, 10);
    r16.match.flow.nw_src = htonl(0x0a010000);
    r16.mask.flow.nw_src = prefix(16);
    ipv4_rule(&r24, 20);
    r24.match.flow.nw_src = htonl(0x0a010200);
    r24.mask.flow.nw_src = prefix(24);
    memset(&any, 0, sizeof any);
    assert_int_equal(cls_insert(&cls, &r16), 0);
    assert_int_equal(cls_insert(&cls, &r24), 0);
    assert_int_equal(cls_insert(&cls, &any), 0);

    struct cls_key key, wc;
    /* 192.168.1.1: its first bit already differs from 10.x. */
    ipv4_key(&key, 0xc0a80101, 17, 53);
    memset(&wc, 0, sizeof wc);
    assert_ptr_equal(cls_lookup(&cls, &key, &wc), &any);
    assert_int_equal(wc.flow.nw_src, prefix(1));
    assert_int_equal(wc.flow.dl_type, 0);    /* Not even looked at. */

    /* 10.1.7.7: the /16 matches, the /24 (10.1.2.0) does not: they part
     * at bit 21 (third octets 00000111 and 00000010), so 22 bits tell. */
    ipv4_key(&key, 0x0a010707, 17, 53);
    memset(&wc, 0, sizeof wc);
    assert_ptr_equal(cls_lookup(&cls, &key, &wc), &r16);
    assert_int_equal(wc.flow.nw_src, prefix(22));

    /* 10.1.2.3: the /24 wins; the /16 is never examined further. */
    ipv4_key(&key, 0x0a010203, 17, 53);
    memset(&wc, 0, sizeof wc);
    assert_ptr_equal(cls_lookup(&cls, &key, &wc), &r24);
    assert_int_equal(wc.flow.nw_src, prefix(24));

    /* Without tries, the lookup examines each subtable's whole prefix. */
    assert_int_equal(cls_set_prefixes(&cls, 0), 0);
    ipv4_key(&key, 0xc0a80101, 17, 53);
    memset(&wc, 0, sizeof wc);
    assert_ptr_equal(cls_lookup(&cls, &key, &wc), &any);
    assert_int_equal(wc.flow.nw_src, prefix(24));
    assert_null(cls.tries[CLS_TRIE_NW_SRC].root);
    assert_int_equal(cls_set_prefixes(&cls, CLS_PREFIXES_ALL), 0);
    memset(&wc, 0, sizeof wc);
    assert_ptr_equal(cls_lookup(&cls, &key, &wc), &any);
    assert_int_equal(wc.flow.nw_src, prefix(1));
    ipv4_key(&key, 0x0a010203, 17, 53);

    cls_remove(&cls, &r24);
    memset(&wc, 0, sizeof wc);
    assert_ptr_equal(cls_lookup(&cls, &key, &wc), &r16);
    assert_int_equal(wc.flow.nw_src, prefix(16));
    cls_remove(&cls, &r16);
    cls_remove(&cls, &any);
    assert_null(cls.tries[CLS_TRIE_NW_SRC].root);
    cls_destroy(&cls);
}

/* An L4 field is looked at only for keys whose L3 the rule has. */
static void
test_stages_keep_l4_wide(void **state)
{
    (void) state;
    struct classifier cls;
    struct cls_rule dns, any;
    cls_init(&cls);
    ipv4_rule(&dns, 10);
    dns.match.flow.nw_proto = 17;
    dns.mask.flow.nw_proto = UINT8_MAX;
    dns.match.flow.tp_dst = htons(53);
    dns.mask.flow.tp_dst = UINT16_MAX;
    memset(&any, 0, sizeof any);
    cls_insert(&cls, &dns);
    cls_insert(&cls, &any);

    struct cls_key key, wc;
    ipv4_key(&key, 0x0a000001, 6, 53);      /* TCP: L3 stage misses. */
    memset(&wc, 0, sizeof wc);
    assert_ptr_equal(cls_lookup(&cls, &key, &wc), &any);
    assert_int_equal(wc.flow.nw_proto, UINT8_MAX);
    assert_int_equal(wc.flow.tp_dst, 0);
    ipv4_key(&key, 0x0a000001, 17, 80);     /* UDP, another port. */
    memset(&wc, 0, sizeof wc);
    assert_ptr_equal(cls_lookup(&cls, &key, &wc), &any);
    assert_int_equal(wc.flow.tp_dst, UINT16_MAX);
    ipv4_key(&key, 0x0a000001, 17, 53);
    assert_ptr_equal(cls_lookup(&cls, &key, NULL), &dns);
    cls_remove(&cls, &dns);
    cls_remove(&cls, &any);
    cls_destroy(&cls);
}

/* Identical matches at several priorities; exact finds; the walk. */
static void
count_cb(struct cls_rule *r, void *aux)
{
    (void) r;
    (*(int *) aux)++;
}

static void
remove_cb(struct cls_rule *r, void *cls)
{
    cls_remove(cls, r);
}

static void
test_same_match_and_exact_find(void **state)
{
    (void) state;
    struct classifier cls;
    struct cls_rule a, b, c;
    cls_init(&cls);
    ipv4_rule(&a, 5);
    ipv4_rule(&b, 50);
    ipv4_rule(&c, 20);
    cls_insert(&cls, &a);
    cls_insert(&cls, &b);
    cls_insert(&cls, &c);
    struct cls_key key;
    ipv4_key(&key, 1, 6, 1);
    assert_ptr_equal(cls_lookup(&cls, &key, NULL), &b);
    assert_ptr_equal(cls_find_exact(&cls, &a.match, &a.mask, 20), &c);
    assert_null(cls_find_exact(&cls, &a.match, &a.mask, 21));
    cls_remove(&cls, &b);
    assert_ptr_equal(cls_lookup(&cls, &key, NULL), &c);
    cls_remove(&cls, &c);
    assert_ptr_equal(cls_lookup(&cls, &key, NULL), &a);
    cls_insert(&cls, &b);
    int n = 0;
    cls_for_each(&cls, count_cb, &n);
    assert_int_equal(n, 2);
    cls_for_each(&cls, remove_cb, &cls);
    assert_int_equal(cls_count(&cls), 0);
    cls_destroy(&cls);
}

struct elem {
    struct hmap_node node;
    int value;
};

static void
test_hmap(void **state)
{
    (void) state;
    enum { N = 5000 };
    static struct elem e[N];
    struct hmap map;
    hmap_init(&map);
    for (int i = 0; i < N; i++) {
        e[i].value = i;
        hmap_insert(&map, &e[i].node, (uint32_t) (i % 1000));
    }
    assert_int_equal(hmap_count(&map), N);
    int seen = 0;
    for (struct hmap_node *n = hmap_first_with_hash(&map, 7); n;
         n = hmap_next_with_hash(n)) {
        assert_int_equal(HMAP_CONTAINER(n, struct elem, node)->value % 1000,
                         7);
        seen++;
    }
    assert_int_equal(seen, N / 1000);
    for (int i = 0; i < N; i += 2) {
        hmap_remove(&map, &e[i].node);
    }
    size_t pos = 0, total = 0;
    for (struct hmap_node *n = hmap_next(&map, &pos, NULL); n;
         n = hmap_next(&map, &pos, n)) {
        assert_int_equal(HMAP_CONTAINER(n, struct elem, node)->value % 2, 1);
        total++;
    }
    assert_int_equal(total, N / 2);
    hmap_destroy(&map);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_against_brute_force),
        cmocka_unit_test(test_prefix_trie_keeps_addresses_wide),
        cmocka_unit_test(test_stages_keep_l4_wide),
        cmocka_unit_test(test_same_match_and_exact_find),
        cmocka_unit_test(test_hmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
