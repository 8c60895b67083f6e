/* Unit tests for the megaflow classifier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "pmd/dpcls.h"

struct megaflow {
    int id;
    struct dpcls_rule rule;
};

/* Compresses 'f' into 'mf' keeping its nonzero words. */
static void
compress(const struct flow *f, struct miniflow *mf)
{
    uint64_t w[FLOW_N_WORDS];
    memcpy(w, f, sizeof w);
    memset(mf, 0, sizeof *mf);
    unsigned int n = 0;
    for (unsigned int i = 0; i < FLOW_N_WORDS; i++) {
        if (w[i]) {
            mf->map |= UINT64_C(1) << i;
            mf->values[n++] = w[i];
        }
    }
}

static void
tcp_flow(struct flow *f, uint32_t in_port, uint32_t src, uint32_t dst,
         uint16_t sport, uint16_t dport)
{
    memset(f, 0, sizeof *f);
    f->in_port = in_port;
    f->dl_type = htons(0x0800);
    f->dl_src[5] = 1;
    f->dl_dst[5] = 2;
    f->nw_src = htonl(src);
    f->nw_dst = htonl(dst);
    f->nw_proto = 6;
    f->nw_ttl = 64;
    f->tp_src = htons(sport);
    f->tp_dst = htons(dport);
}

/* Mask kinds used below. */
enum { M_PORT, M_DST24, M_SRC16, M_L4DST, M_EXACT_IP, M_NONE };

static void
make_mask(int kind, struct miniflow *mf)
{
    struct flow m;
    memset(&m, 0, sizeof m);
    switch (kind) {
    case M_PORT:
        m.in_port = UINT32_MAX;
        break;
    case M_DST24:
        m.dl_type = 0xffff;
        m.nw_dst = htonl(0xffffff00);
        break;
    case M_SRC16:
        m.dl_type = 0xffff;
        m.nw_src = htonl(0xffff0000);
        break;
    case M_L4DST:
        m.dl_type = 0xffff;
        m.nw_proto = 0xff;
        m.tp_dst = 0xffff;
        break;
    case M_EXACT_IP:
        m.in_port = UINT32_MAX;
        m.dl_type = 0xffff;
        m.nw_src = UINT32_MAX;
        m.nw_dst = UINT32_MAX;
        break;
    default:
        break;
    }
    compress(&m, mf);
}

static int
insert(struct dpcls *cls, struct megaflow *mf, int mask_kind,
       const struct flow *key)
{
    struct miniflow k, m;
    compress(key, &k);
    make_mask(mask_kind, &m);
    return dpcls_insert(cls, &mf->rule, &k, &m);
}

static struct megaflow *
lookup1(struct dpcls *cls, const struct flow *f, uint64_t *n_lookups)
{
    struct miniflow k;
    compress(f, &k);
    const struct miniflow *keys[1] = { &k };
    struct dpcls_rule *r;
    uint32_t hit = dpcls_lookup(cls, keys, 1, &r, n_lookups);
    assert_int_equal(hit, r ? 1 : 0);
    return r ? DPCLS_CONTAINER_OF(r, struct megaflow, rule) : NULL;
}

static void
test_insert_lookup_remove(void **state)
{
    (void) state;
    struct dpcls cls;
    dpcls_init(&cls);
    struct megaflow a = { .id = 1 };
    struct flow f;
    tcp_flow(&f, 1, 0x0a000001, 0xc0a80105, 1000, 80);
    assert_int_equal(insert(&cls, &a, M_DST24, &f), 0);
    assert_int_equal(dpcls_n_rules(&cls), 1);
    assert_int_equal(dpcls_n_subtables(&cls), 1);
    assert_false(a.rule.dead);

    /* Same /24, other everything else: hit. */
    struct flow g;
    tcp_flow(&g, 7, 0x0b0b0b0b, 0xc0a801fe, 5, 6);
    uint64_t n_lookups = 0;
    assert_ptr_equal(lookup1(&cls, &g, &n_lookups), &a);
    assert_int_equal(n_lookups, 1);
    /* Another /24: miss. */
    tcp_flow(&g, 1, 0x0a000001, 0xc0a80205, 1000, 80);
    assert_null(lookup1(&cls, &g, &n_lookups));
    assert_int_equal(n_lookups, 1);

    /* The stored key is masked and the mask is the normalised one. */
    assert_int_equal(a.rule.key.map, a.rule.mask->map);
    assert_int_equal(miniflow_n_values(&a.rule.key), 2);

    dpcls_remove(&cls, &a.rule);
    assert_true(a.rule.dead);
    assert_int_equal(dpcls_n_rules(&cls), 0);
    assert_int_equal(dpcls_n_subtables(&cls), 0);
    assert_null(lookup1(&cls, &f, NULL));

    /* Reinsert after removal. */
    assert_int_equal(insert(&cls, &a, M_DST24, &f), 0);
    assert_false(a.rule.dead);
    assert_ptr_equal(lookup1(&cls, &f, NULL), &a);
    dpcls_destroy(&cls);
}

static void
test_several_masks(void **state)
{
    (void) state;
    struct dpcls cls;
    dpcls_init(&cls);
    struct megaflow a = { .id = 1 }, b = { .id = 2 }, c = { .id = 3 };
    struct flow f;

    tcp_flow(&f, 0, 0, 0x0a010100, 0, 0);
    assert_int_equal(insert(&cls, &a, M_DST24, &f), 0);
    tcp_flow(&f, 0, 0xac100000, 0, 0, 0);
    assert_int_equal(insert(&cls, &b, M_SRC16, &f), 0);
    tcp_flow(&f, 0, 0, 0, 0, 443);
    assert_int_equal(insert(&cls, &c, M_L4DST, &f), 0);
    assert_int_equal(dpcls_n_subtables(&cls), 3);
    assert_int_equal(dpcls_n_rules(&cls), 3);

    uint64_t n = 0;
    tcp_flow(&f, 3, 0x01020304, 0x0a010177, 1, 2);
    assert_ptr_equal(lookup1(&cls, &f, &n), &a);
    assert_int_equal(n, 1);
    tcp_flow(&f, 3, 0xac10ffff, 0x01010101, 1, 2);
    assert_ptr_equal(lookup1(&cls, &f, &n), &b);
    assert_int_equal(n, 1 + 2);
    tcp_flow(&f, 3, 0x01010101, 0x01010101, 1, 443);
    assert_ptr_equal(lookup1(&cls, &f, &n), &c);
    assert_int_equal(n, 1 + 2 + 3);
    /* UDP to 443 is not TCP to 443. */
    f.nw_proto = 17;
    assert_null(lookup1(&cls, &f, &n));
    assert_int_equal(n, 6);

    /* Removing the middle subtable keeps the others. */
    dpcls_remove(&cls, &b.rule);
    assert_int_equal(dpcls_n_subtables(&cls), 2);
    tcp_flow(&f, 3, 0x01010101, 0x01010101, 1, 443);
    assert_ptr_equal(lookup1(&cls, &f, NULL), &c);
    tcp_flow(&f, 3, 0xac10ffff, 0x01010101, 1, 2);
    assert_null(lookup1(&cls, &f, NULL));
    dpcls_destroy(&cls);
}

static void
test_eexist(void **state)
{
    (void) state;
    struct dpcls cls;
    dpcls_init(&cls);
    struct megaflow a, b, c, d;
    struct flow f;
    tcp_flow(&f, 1, 0x0a000001, 0xc0a80105, 1000, 80);
    assert_int_equal(insert(&cls, &a, M_DST24, &f), 0);
    assert_int_equal(insert(&cls, &b, M_DST24, &f), -EEXIST);
    /* Differs only in wildcarded bits: the same megaflow. */
    f.nw_dst = htonl(0xc0a801ff);
    f.tp_src = htons(9);
    assert_int_equal(insert(&cls, &b, M_DST24, &f), -EEXIST);
    assert_int_equal(dpcls_n_rules(&cls), 1);
    /* Other mask: another subtable. */
    assert_int_equal(insert(&cls, &b, M_EXACT_IP, &f), 0);
    assert_int_equal(dpcls_n_subtables(&cls), 2);

    /* A mask with explicit zero words is the same mask. */
    struct miniflow k, m;
    compress(&f, &k);
    make_mask(M_DST24, &m);
    struct miniflow m2 = { 0 };
    unsigned int n = 0, j = 0;
    for (unsigned int i = 0; i < FLOW_N_WORDS; i++) {
        if (m.map & (UINT64_C(1) << i)) {
            m2.values[n++] = m.values[j++];
        } else if (i == 12 || i == 0) {
            m2.values[n++] = 0;
        } else {
            continue;
        }
        m2.map |= UINT64_C(1) << i;
    }
    assert_int_equal(dpcls_insert(&cls, &c.rule, &k, &m2), -EEXIST);
    f.nw_dst = htonl(0xc0a80905);
    compress(&f, &k);
    assert_int_equal(dpcls_insert(&cls, &c.rule, &k, &m2), 0);
    assert_int_equal(dpcls_n_subtables(&cls), 2);
    assert_ptr_equal(c.rule.mask, a.rule.mask);

    /* A key missing a masked word counts it as zero. */
    struct flow z;
    memset(&z, 0, sizeof z);
    z.dl_type = htons(0x0800);
    assert_int_equal(insert(&cls, &d, M_DST24, &z), 0);
    struct miniflow kz;
    compress(&z, &kz);
    assert_int_equal(kz.map, UINT64_C(1) << FLOW_WORD(dl_type));
    assert_ptr_equal(lookup1(&cls, &z, NULL), &d);
    dpcls_destroy(&cls);
}

static void
test_catch_all(void **state)
{
    (void) state;
    struct dpcls cls;
    dpcls_init(&cls);
    struct megaflow a, b;
    struct flow f;
    tcp_flow(&f, 1, 2, 3, 4, 5);
    assert_int_equal(insert(&cls, &a, M_NONE, &f), 0);
    tcp_flow(&f, 9, 8, 7, 6, 5);
    assert_int_equal(insert(&cls, &b, M_NONE, &f), -EEXIST);
    assert_ptr_equal(lookup1(&cls, &f, NULL), &a);
    memset(&f, 0, sizeof f);
    assert_ptr_equal(lookup1(&cls, &f, NULL), &a);
    dpcls_destroy(&cls);
}

static void
test_ranking(void **state)
{
    (void) state;
    struct dpcls cls;
    dpcls_init(&cls);
    struct megaflow a, b, c;
    struct flow f;
    tcp_flow(&f, 0, 0, 0x0a010100, 0, 0);
    assert_int_equal(insert(&cls, &a, M_DST24, &f), 0);
    tcp_flow(&f, 0, 0xac100000, 0, 0, 0);
    assert_int_equal(insert(&cls, &b, M_SRC16, &f), 0);
    tcp_flow(&f, 5, 0, 0, 0, 0);
    assert_int_equal(insert(&cls, &c, M_PORT, &f), 0);

    struct dpcls_subtable_info info;
    assert_int_equal(dpcls_subtable_info(&cls, 0, &info), 0);
    assert_ptr_equal(info.mask, a.rule.mask);
    assert_int_equal(dpcls_subtable_info(&cls, 3, &info), -ENOENT);

    /* Mostly port 5, some 10.1.1/24, no 172.16/16. */
    struct flow fc, fa;
    tcp_flow(&fc, 5, 1, 1, 1, 1);
    tcp_flow(&fa, 1, 1, 0x0a010101, 1, 1);
    uint64_t n = 0;
    for (int i = 0; i < 10; i++) {
        assert_ptr_equal(lookup1(&cls, &fc, &n), &c);
    }
    /* The first lookup searches the three subtables in rank order; the
     * next ones start with the subtable that matched most last time. */
    assert_int_equal(n, 3 + 9);
    for (int i = 0; i < 3; i++) {
        assert_ptr_equal(lookup1(&cls, &fa, NULL), &a);
    }
    assert_int_equal(dpcls_subtable_info(&cls, 2, &info), 0);
    assert_int_equal(info.hits, 10);

    dpcls_sort_subtables(&cls);
    assert_int_equal(dpcls_subtable_info(&cls, 0, &info), 0);
    assert_ptr_equal(info.mask, c.rule.mask);
    assert_int_equal(info.hits, 0);
    assert_int_equal(info.hits_total, 10);
    assert_int_equal(dpcls_subtable_info(&cls, 1, &info), 0);
    assert_ptr_equal(info.mask, a.rule.mask);
    assert_int_equal(dpcls_subtable_info(&cls, 2, &info), 0);
    assert_ptr_equal(info.mask, b.rule.mask);

    n = 0;
    assert_ptr_equal(lookup1(&cls, &fc, &n), &c);
    assert_int_equal(n, 1);
    assert_ptr_equal(lookup1(&cls, &fa, &n), &a);
    assert_int_equal(n, 1 + 2);

    /* The traffic shifts: b gets the most hits and goes first. */
    struct flow fb;
    tcp_flow(&fb, 1, 0xac100101, 1, 1, 1);
    for (int i = 0; i < 5; i++) {
        assert_ptr_equal(lookup1(&cls, &fb, NULL), &b);
    }
    dpcls_sort_subtables(&cls);
    assert_int_equal(dpcls_subtable_info(&cls, 0, &info), 0);
    assert_ptr_equal(info.mask, b.rule.mask);
    /* c and a tie with one hit each: their order is kept. */
    assert_int_equal(dpcls_subtable_info(&cls, 1, &info), 0);
    assert_ptr_equal(info.mask, c.rule.mask);
    dpcls_destroy(&cls);
}

static void
test_batch_mixed(void **state)
{
    (void) state;
    struct dpcls cls;
    dpcls_init(&cls);
    struct megaflow mfs[64];
    struct flow f;
    /* 16 exact rules for sources 10.0.0.i, 16 /24 rules on 20.0.i.0. */
    for (int i = 0; i < 16; i++) {
        tcp_flow(&f, 1, 0x0a000000 + i, 0x01010101, 0, 0);
        mfs[i].id = i;
        assert_int_equal(insert(&cls, &mfs[i], M_EXACT_IP, &f), 0);
        tcp_flow(&f, 1, 0, 0x14000000 + (i << 8), 0, 0);
        mfs[16 + i].id = 16 + i;
        assert_int_equal(insert(&cls, &mfs[16 + i], M_DST24, &f), 0);
    }
    struct miniflow keys[DPCLS_MAX_BATCH];
    const struct miniflow *kp[DPCLS_MAX_BATCH];
    struct megaflow *want[DPCLS_MAX_BATCH];
    for (int i = 0; i < DPCLS_MAX_BATCH; i++) {
        switch (i % 3) {
        case 0:     /* Exact hit. */
            tcp_flow(&f, 1, 0x0a000000 + i % 16, 0x01010101, i, i);
            want[i] = &mfs[i % 16];
            break;
        case 1:     /* Prefix hit (port 2 misses the exact rules). */
            tcp_flow(&f, 2, 0x0a000000 + i % 16, 0x14000000
                     + ((i % 16) << 8) + i, i, i);
            want[i] = &mfs[16 + i % 16];
            break;
        default:    /* Miss. */
            tcp_flow(&f, 1, 0x0a000000 + i % 16, 0x01010102, i, i);
            want[i] = NULL;
            break;
        }
        compress(&f, &keys[i]);
        kp[i] = &keys[i];
    }
    for (unsigned int n = 1; n <= DPCLS_MAX_BATCH; n += 7) {
        struct dpcls_rule *rules[DPCLS_MAX_BATCH];
        uint64_t n_lookups = 0;
        uint32_t hits = dpcls_lookup(&cls, kp, n, rules, &n_lookups);
        uint32_t expect = 0;
        for (unsigned int i = 0; i < n; i++) {
            if (want[i]) {
                expect |= UINT32_C(1) << i;
                assert_ptr_equal(rules[i], &want[i]->rule);
            } else {
                assert_null(rules[i]);
            }
        }
        assert_int_equal(hits, expect);
    }
    /* A full batch of hits only. */
    for (int i = 0; i < DPCLS_MAX_BATCH; i++) {
        tcp_flow(&f, 1, 0x0a000000 + i % 16, 0x01010101, i, 0);
        compress(&f, &keys[i]);
    }
    struct dpcls_rule *rules[DPCLS_MAX_BATCH];
    uint64_t n_lookups = 0;
    assert_int_equal(dpcls_lookup(&cls, kp, 32, rules, &n_lookups),
                     UINT32_MAX);
    assert_int_equal(n_lookups, 32);
    dpcls_destroy(&cls);
}

/* Batches whose neighbours share their masked key (runs of one megaflow,
 * of one miss, and keys that differ only in wildcarded fields) get the
 * same answers as keys looked up one by one, in a small subtable and in
 * one big enough for the prefetching path. */
static void
check_runs(struct dpcls *cls, unsigned int n_rules, struct megaflow *mfs)
{
    /* Key j of a batch: megaflow 'sel[j]' (or a miss for sel[j] < 0),
     * with wildcarded fields that vary. */
    static const int pattern[] = {
        0, 0, 0, -1, -1, 1, 1, 0, 2, -1, 2, 2, 2, 3, 3, -2, -2, -2, 4, 4,
        4, 4, 5, 0, 0, -1, 6, 6, 7, 7, 7, 1,
    };
    struct miniflow keys[DPCLS_MAX_BATCH];
    const struct miniflow *kp[DPCLS_MAX_BATCH];
    struct flow f;
    for (unsigned int round = 0; round < 3; round++) {
        for (int j = 0; j < DPCLS_MAX_BATCH; j++) {
            int sel = pattern[j];
            uint32_t id = sel >= 0 ? (uint32_t) sel * 37 + round : 0;
            id %= n_rules;
            /* Misses: a source no rule has (-1) or another in_port (-2). */
            tcp_flow(&f, sel == -2 ? 9 : 1,
                     sel == -1 ? 0x0b000000 : 0x0a000000 + id,
                     0x01010101, (uint16_t) (j * 11), (uint16_t) j);
            compress(&f, &keys[j]);
            kp[j] = &keys[j];
        }
        for (unsigned int n = 1; n <= DPCLS_MAX_BATCH; n += 5) {
            struct dpcls_rule *rules[DPCLS_MAX_BATCH];
            uint32_t hits = dpcls_lookup(cls, kp, n, rules, NULL);
            for (unsigned int j = 0; j < n; j++) {
                int sel = pattern[j];
                if (sel < 0) {
                    assert_null(rules[j]);
                    assert_false(hits & (UINT32_C(1) << j));
                    continue;
                }
                uint32_t id = ((uint32_t) sel * 37 + round) % n_rules;
                assert_true(hits & (UINT32_C(1) << j));
                assert_ptr_equal(rules[j], &mfs[id].rule);
                /* The same as one by one. */
                const struct miniflow *one[1] = { kp[j] };
                struct dpcls_rule *r1;
                assert_int_equal(dpcls_lookup(cls, one, 1, &r1, NULL), 1);
                assert_ptr_equal(r1, rules[j]);
            }
            assert_int_equal(hits >> n, 0);
        }
    }
}

static void
test_batch_runs(void **state)
{
    (void) state;
    static const unsigned int sizes[] = { 8, 5000 };
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        unsigned int n_rules = sizes[k];
        struct dpcls cls;
        dpcls_init(&cls);
        struct megaflow *mfs = calloc(n_rules, sizeof *mfs);
        assert_non_null(mfs);
        struct flow f;
        for (unsigned int i = 0; i < n_rules; i++) {
            tcp_flow(&f, 1, 0x0a000000 + i, 0x01010101, 0, 0);
            mfs[i].id = (int) i;
            assert_int_equal(insert(&cls, &mfs[i], M_EXACT_IP, &f), 0);
        }
        check_runs(&cls, n_rules, mfs);
        dpcls_destroy(&cls);
        free(mfs);
    }
}

/* The expected subtables per packet: packets counted by lookups and from
 * elsewhere, weighted by rank. */
static void
test_visits(void **state)
{
    (void) state;
    struct dpcls cls;
    dpcls_init(&cls);
    struct megaflow mfs[2];
    struct flow f;
    assert_int_equal(dpcls_take_visits(&cls), 0);
    tcp_flow(&f, 1, 0x0a000001, 0x01010101, 0, 0);
    assert_int_equal(insert(&cls, &mfs[0], M_EXACT_IP, &f), 0);
    tcp_flow(&f, 1, 0, 0x14000000, 0, 0);
    assert_int_equal(insert(&cls, &mfs[1], M_DST24, &f), 0);

    /* 3 packets found in subtable 1 (rank 0), 1 in subtable 2. */
    struct miniflow k0, k1;
    tcp_flow(&f, 1, 0x0a000001, 0x01010101, 5, 5);
    compress(&f, &k0);
    tcp_flow(&f, 1, 0x0a000002, 0x14000001, 5, 5);
    compress(&f, &k1);
    const struct miniflow *kp[4] = { &k0, &k0, &k1, &k0 };
    struct dpcls_rule *rules[4];
    assert_int_equal(dpcls_lookup(&cls, kp, 4, rules, NULL), 0xf);
    assert_ptr_equal(rules[2], &mfs[1].rule);
    assert_int_equal(dpcls_take_visits(&cls), (3 * 1 + 1 * 2) * 16 / 4);
    assert_false(cls.leaders);                      /* 1.25 per packet */
    assert_int_equal(dpcls_take_visits(&cls), 0);   /* Restarted. */
    assert_false(cls.leaders);

    /* Hits found elsewhere count too: 1 + 3 in subtable 2. */
    assert_int_equal(dpcls_lookup(&cls, kp, 1, rules, NULL), 1);
    struct dpcls_rule *other[32] = { [0] = &mfs[1].rule, [5] = &mfs[1].rule,
                                     [9] = &mfs[1].rule, [3] = &mfs[0].rule };
    dpcls_count_packets(other, (1u << 0) | (1u << 5) | (1u << 9));
    assert_int_equal(dpcls_take_visits(&cls), (1 * 1 + 3 * 2) * 16 / 4);
    assert_true(cls.leaders);                       /* 1.75 per packet */
    assert_int_equal(dpcls_take_visits(&cls), 0);   /* Nothing: kept. */
    assert_true(cls.leaders);

    /* The ranking is the current one: after a sort by hits, subtable 2
     * comes first. */
    const struct miniflow *kq[3] = { &k1, &k1, &k1 };
    assert_int_equal(dpcls_lookup(&cls, kq, 3, rules, NULL), 7);
    assert_int_equal(dpcls_lookup(&cls, kq, 3, rules, NULL), 7);
    dpcls_sort_subtables(&cls);
    (void) dpcls_take_visits(&cls);
    assert_int_equal(dpcls_lookup(&cls, kq, 3, rules, NULL), 7);
    assert_int_equal(dpcls_take_visits(&cls), 16);

    /* A removed rule is not counted. */
    dpcls_remove(&cls, &mfs[0].rule);
    dpcls_count_packets(other, 1u << 3);
    assert_int_equal(dpcls_take_visits(&cls), 0);
    dpcls_destroy(&cls);
}

/* Batches through several subtables of disjoint megaflows, with runs of
 * neighbours in one megaflow, neighbours in others, misses and keys of
 * different shapes (maps): every answer is the one a lookup of that key
 * alone gives. */
static void
random_key(uint32_t *rnd, struct flow *f)
{
    *rnd = *rnd * 1103515245 + 12345;
    uint32_t r = *rnd >> 8;
    tcp_flow(f, 1 + r % 5, 0x0a000000 + (r >> 3) % 24,
             0x14000000 + (((r >> 8) % 6) << 8) + (r >> 11) % 3,
             (uint16_t) ((r >> 13) % 2), (uint16_t) ((r >> 14) % 4));
    if ((r >> 16) % 4 == 0) {
        f->dl_src[5] = 0;           /* Another map. */
    }
}

struct leader_flows {
    struct megaflow mfs[64];
    struct flow keys[64];
    struct flow masks[64];
    int n;
};

static void
leader_insert(struct dpcls *cls, struct leader_flows *lf,
              const struct flow *key, const struct flow *mask)
{
    struct miniflow k, m;
    compress(key, &k);
    compress(mask, &m);
    lf->keys[lf->n] = *key;
    lf->masks[lf->n] = *mask;
    lf->mfs[lf->n].id = lf->n;
    assert_int_equal(dpcls_insert(cls, &lf->mfs[lf->n].rule, &k, &m), 0);
    lf->n++;
}

/* The rule that matches 'f', by brute force (NULL if none). */
static struct dpcls_rule *
leader_match(struct leader_flows *lf, const struct flow *f)
{
    struct dpcls_rule *found = NULL;
    for (int i = 0; i < lf->n; i++) {
        struct flow key;
        flow_and(&key, &lf->keys[i], &lf->masks[i]);
        if (flow_matches(f, &lf->masks[i], &key)) {
            assert_null(found);         /* Disjoint. */
            found = &lf->mfs[i].rule;
        }
    }
    return found;
}

static void
test_batch_leaders(void **state)
{
    (void) state;
    struct dpcls cls;
    dpcls_init(&cls);
    static struct leader_flows lf;
    struct flow f, mask;
    lf.n = 0;
    /* in_port 1: dst /24; 2: exact source; 3: L4 destination port;
     * 4: anything; 5: nothing. */
    for (int i = 0; i < 4; i++) {
        tcp_flow(&f, 1, 0, 0x14000000 + (i << 8), 0, 0);
        memset(&mask, 0, sizeof mask);
        mask.in_port = UINT32_MAX;
        mask.nw_dst = htonl(0xffffff00);
        leader_insert(&cls, &lf, &f, &mask);
    }
    for (int i = 0; i < 16; i++) {
        tcp_flow(&f, 2, 0x0a000000 + i, 0, 0, 0);
        memset(&mask, 0, sizeof mask);
        mask.in_port = UINT32_MAX;
        mask.nw_src = UINT32_MAX;
        leader_insert(&cls, &lf, &f, &mask);
    }
    for (int i = 0; i < 3; i++) {
        tcp_flow(&f, 3, 0, 0, 0, (uint16_t) i);
        memset(&mask, 0, sizeof mask);
        mask.in_port = UINT32_MAX;
        mask.nw_proto = 0xff;
        mask.tp_dst = 0xffff;
        leader_insert(&cls, &lf, &f, &mask);
    }
    tcp_flow(&f, 4, 0, 0, 0, 0);
    memset(&mask, 0, sizeof mask);
    mask.in_port = UINT32_MAX;
    leader_insert(&cls, &lf, &f, &mask);
    assert_int_equal(dpcls_n_subtables(&cls), 4);

    uint32_t rnd = 99;
    struct miniflow keys[DPCLS_MAX_BATCH];
    const struct miniflow *kp[DPCLS_MAX_BATCH];
    struct flow flows[DPCLS_MAX_BATCH];
    unsigned int n_hits = 0, n_misses = 0, with_leaders = 0;
    for (int round = 0; round < 3000; round++) {
        struct flow prev;
        random_key(&rnd, &prev);
        unsigned int n = 1 + (unsigned int) round % DPCLS_MAX_BATCH;
        for (unsigned int j = 0; j < n; j++) {
            /* Mostly a neighbour of the previous key (one field changed,
             * which may keep it in the same megaflow or not). */
            rnd = rnd * 1103515245 + 12345;
            struct flow cur = prev;
            switch ((rnd >> 10) % 6) {
            case 0:
                random_key(&rnd, &cur);
                break;
            case 1:
                cur.nw_src ^= htonl(1);
                break;
            case 2:
                cur.nw_dst ^= htonl(1);
                break;
            case 3:
                cur.tp_dst ^= htons(1);
                break;
            case 4:
                cur.tp_src ^= htons(3);
                break;
            default:
                break;
            }
            compress(&cur, &keys[j]);
            kp[j] = &keys[j];
            flows[j] = cur;
            prev = cur;
        }
        struct dpcls_rule *rules[DPCLS_MAX_BATCH];
        with_leaders += cls.leaders;
        uint32_t hits = dpcls_lookup(&cls, kp, n, rules, NULL);
        assert_int_equal(hits >> (n - 1) >> 1, 0);
        for (unsigned int j = 0; j < n; j++) {
            struct dpcls_rule *want = leader_match(&lf, &flows[j]);
            assert_ptr_equal(rules[j], want);
            assert_int_equal(!!(hits & (UINT32_C(1) << j)), want != NULL);
            if (want) {
                n_hits++;
            } else {
                n_misses++;
            }
        }
        if (round % 100 == 0) {
            dpcls_sort_subtables(&cls);
            (void) dpcls_take_visits(&cls);
        }
    }
    assert_true(n_hits > 5000);
    assert_true(n_misses > 5000);
    assert_true(with_leaders > 2000);
    dpcls_destroy(&cls);
}

#define N_BIG 100000

static void
big_key(int i, struct flow *f)
{
    tcp_flow(f, 1 + (i & 3), 0x0a000000 + (uint32_t) i * 7919,
             0xc0000000 + (uint32_t) i, 1, 2);
}

static void
test_growth_100k(void **state)
{
    (void) state;
    struct dpcls cls;
    dpcls_init(&cls);
    struct megaflow *mfs = calloc(N_BIG, sizeof *mfs);
    assert_non_null(mfs);
    struct flow f;
    for (int i = 0; i < N_BIG; i++) {
        big_key(i, &f);
        mfs[i].id = i;
        assert_int_equal(insert(&cls, &mfs[i], M_EXACT_IP, &f), 0);
    }
    assert_int_equal(dpcls_n_rules(&cls), N_BIG);
    assert_int_equal(dpcls_n_subtables(&cls), 1);
    big_key(N_BIG / 2, &f);
    assert_int_equal(insert(&cls, &mfs[0], M_EXACT_IP, &f), -EEXIST);

    /* Remove the odd ones. */
    for (int i = 1; i < N_BIG; i += 2) {
        dpcls_remove(&cls, &mfs[i].rule);
    }
    assert_int_equal(dpcls_n_rules(&cls), N_BIG / 2);

    struct miniflow keys[DPCLS_MAX_BATCH];
    const struct miniflow *kp[DPCLS_MAX_BATCH];
    struct dpcls_rule *rules[DPCLS_MAX_BATCH];
    for (int i = 0; i < DPCLS_MAX_BATCH; i++) {
        kp[i] = &keys[i];
    }
    for (int base = 0; base < N_BIG; base += DPCLS_MAX_BATCH) {
        unsigned int n = 0;
        for (int i = base; i < N_BIG && i < base + DPCLS_MAX_BATCH; i++) {
            big_key(i, &f);
            f.tp_src = htons((uint16_t) i);     /* Wildcarded. */
            compress(&f, &keys[n++]);
        }
        uint32_t hits = dpcls_lookup(&cls, kp, n, rules, NULL);
        for (unsigned int j = 0; j < n; j++) {
            int i = base + (int) j;
            if (i & 1) {
                assert_null(rules[j]);
                assert_false(hits & (UINT32_C(1) << j));
            } else {
                assert_non_null(rules[j]);
                assert_int_equal(DPCLS_CONTAINER_OF(rules[j],
                                 struct megaflow, rule)->id, i);
            }
        }
    }

    /* Iteration sees each remaining rule once. */
    struct dpcls_cursor c;
    struct dpcls_rule *r;
    unsigned int count = 0;
    DPCLS_FOR_EACH (r, &c, &cls) {
        struct megaflow *m = DPCLS_CONTAINER_OF(r, struct megaflow, rule);
        assert_int_equal(m->id & 1, 0);
        count++;
    }
    assert_int_equal(count, N_BIG / 2);
    dpcls_destroy(&cls);
    free(mfs);
}

static void
test_iterate_and_remove(void **state)
{
    (void) state;
    struct dpcls cls;
    dpcls_init(&cls);
    struct megaflow mfs[40];
    struct flow f;
    /* Four subtables; the second holds a single rule. */
    for (int i = 0; i < 40; i++) {
        int kind = i == 10 ? M_SRC16 : i < 10 ? M_DST24
                   : i < 25 ? M_L4DST : M_EXACT_IP;
        tcp_flow(&f, 1, 0x0a000000 + ((uint32_t) i << 16),
                 0x0b000000 + ((uint32_t) i << 8), 1, (uint16_t) i);
        mfs[i].id = i;
        assert_int_equal(insert(&cls, &mfs[i], kind, &f), 0);
    }
    assert_int_equal(dpcls_n_subtables(&cls), 4);
    unsigned int seen[40] = { 0 };
    struct dpcls_cursor c;
    struct dpcls_rule *r;
    DPCLS_FOR_EACH (r, &c, &cls) {
        struct megaflow *m = DPCLS_CONTAINER_OF(r, struct megaflow, rule);
        seen[m->id]++;
        dpcls_remove(&cls, r);
    }
    for (int i = 0; i < 40; i++) {
        assert_int_equal(seen[i], 1);
    }
    assert_int_equal(dpcls_n_rules(&cls), 0);
    assert_int_equal(dpcls_n_subtables(&cls), 0);
    dpcls_destroy(&cls);
}

/* Masks of every size (each specialised lookup and the generic one), on
 * keys that have all words, and on keys that lack some masked words. */
static void
test_mask_sizes(void **state)
{
    (void) state;
    for (unsigned int n = 0; n <= FLOW_N_WORDS; n++) {
        struct dpcls cls;
        dpcls_init(&cls);
        uint64_t mw[FLOW_N_WORDS] = { 0 }, kw[FLOW_N_WORDS];
        /* Every other word from the top, then the rest. */
        for (unsigned int j = 0; j < n; j++) {
            unsigned int w = j < 9 ? 17 - 2 * j : 2 * (j - 9);
            mw[w] = UINT64_C(0x00ff00ff00ff00ff) << (j % 8);
        }
        for (unsigned int i = 0; i < FLOW_N_WORDS; i++) {
            kw[i] = UINT64_C(0x0123456789abcdef) * (i + 1);
        }
        struct flow fm, fk;
        memcpy(&fm, mw, sizeof fm);
        memcpy(&fk, kw, sizeof fk);
        struct megaflow a, z;
        struct miniflow k, m;
        compress(&fk, &k);
        compress(&fm, &m);
        assert_int_equal(dpcls_insert(&cls, &a.rule, &k, &m), 0);
        assert_int_equal(miniflow_n_values(&a.rule.key), n);
        /* A rule for the key with no words at all. */
        struct flow empty;
        memset(&empty, 0, sizeof empty);
        struct miniflow ke;
        compress(&empty, &ke);
        int rc = dpcls_insert(&cls, &z.rule, &ke, &m);
        assert_int_equal(rc, n ? 0 : -EEXIST);

        assert_ptr_equal(lookup1(&cls, &fk, NULL), &a);
        for (unsigned int i = 0; i < FLOW_N_WORDS; i++) {
            struct flow g = fk;
            uint64_t gw[FLOW_N_WORDS];
            memcpy(gw, &g, sizeof gw);
            gw[i] ^= UINT64_C(0x0101010101010101);
            memcpy(&g, gw, sizeof g);
            struct megaflow *want = mw[i] ? NULL : &a;
            assert_ptr_equal(lookup1(&cls, &g, NULL), want);
            /* Without word i: it reads as zero. */
            gw[i] = 0;
            memcpy(&g, gw, sizeof g);
            want = !(kw[i] & mw[i]) ? &a : n == 1 ? &z : NULL;
            assert_ptr_equal(lookup1(&cls, &g, NULL), want);
        }
        if (n) {
            assert_ptr_equal(lookup1(&cls, &empty, NULL), &z);
        }
        dpcls_destroy(&cls);
    }
}

static void
test_hash_words(void **state)
{
    (void) state;
    uint64_t a[3] = { 1, 2, 3 }, b[3] = { 1, 2, 4 };
    assert_int_equal(dpcls_hash_words(a, 3, 0), dpcls_hash_words(a, 3, 0));
    assert_int_not_equal(dpcls_hash_words(a, 3, 0),
                         dpcls_hash_words(b, 3, 0));
    assert_int_not_equal(dpcls_hash_words(a, 2, 0),
                         dpcls_hash_words(a, 3, 0));
    assert_int_not_equal(dpcls_hash_words(a, 3, 0),
                         dpcls_hash_words(a, 3, 1));
}


/* A pseudo-random word for the tests below (xorshift). */
static uint64_t
rnd64(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Builds the flow of pool entry 'i': IPv4 TCP/UDP flows from a few
 * prefixes and ports, some with words missing (in_port 0, no Ethernet
 * addresses), and IPv6 flows whose keys have more than 8 words. */
static void
pool_flow(uint32_t i, struct flow *f)
{
    tcp_flow(f, i % 3, 0x0a000000 | (i % 7) << 8 | (i & 0x3f),
             0xc0a80000 | (i % 5), 1000 + i % 11, 80 + i % 4);
    if (i % 9 == 0) {
        memset(f->dl_src, 0, sizeof f->dl_src);
        memset(f->dl_dst, 0, sizeof f->dl_dst);
    }
    if (i % 13 == 0) {
        f->dl_type = htons(0x86dd);
        f->nw_src = f->nw_dst = 0;
        memset(f->ipv6_src, 0x20, sizeof f->ipv6_src);
        f->ipv6_src[15] = (uint8_t) (i % 4);
        memset(f->ipv6_dst, 0x30, sizeof f->ipv6_dst);
        f->nd_target[0] = (uint8_t) (i % 2 + 1);
    }
}

/* The vector and the generic lookups give the same rule for every key,
 * whatever the masks (up to 8 words, present in the key or not, past the
 * key's 8th value or not), batch sizes and neighbours. */
static void
test_vector_matches_generic(void **state)
{
    (void) state;
    enum { N_MASKS = 8, N_RULES = 300, N_POOL = 400 };
    struct flow masks[N_MASKS];
    memset(masks, 0, sizeof masks);
    masks[0].in_port = UINT32_MAX;
    masks[1].dl_type = 0xffff;
    masks[1].nw_dst = htonl(0xffffff00);
    masks[2].in_port = UINT32_MAX;
    masks[2].dl_type = 0xffff;
    masks[2].nw_src = htonl(0xffffffc0);
    masks[2].nw_proto = 0xff;
    masks[2].tp_dst = 0xffff;
    masks[3].dl_type = 0xffff;
    masks[3].nw_src = UINT32_MAX;
    masks[3].nw_dst = UINT32_MAX;
    masks[3].tp_src = 0xffff;
    masks[4].dl_type = 0xffff;          /* IPv6 source: words 8-9. */
    memset(masks[4].ipv6_src, 0xff, sizeof masks[4].ipv6_src);
    masks[5].nd_target[0] = 0xff;       /* Word 16: past the 8th value. */
    masks[5].dl_type = 0xffff;
    masks[6].dl_src[5] = 0xff;          /* Word 4, absent from some keys. */
    masks[6].tp_dst = 0xffff;
    masks[7].in_port = UINT32_MAX;      /* 8 words. */
    masks[7].dl_type = 0xffff;
    masks[7].dl_src[5] = 0xff;
    masks[7].nw_src = UINT32_MAX;
    masks[7].nw_dst = UINT32_MAX;
    memset(masks[7].ipv6_src, 0xff, 8);
    masks[7].nw_proto = 0xff;
    masks[7].tcp_flags = 0xffff;

    struct miniflow pool[N_POOL];
    for (uint32_t i = 0; i < N_POOL; i++) {
        struct flow f;
        pool_flow(i, &f);
        compress(&f, &pool[i]);
    }

    bool vector = dpcls_set_vector(true);
    struct dpcls gen, vec;
    dpcls_init(&gen);
    dpcls_init(&vec);
    static struct megaflow rg[N_RULES], rv[N_RULES];
    uint64_t seed = 88172645463325252ull;
    for (int k = 0; k < N_RULES; k++) {
        const struct miniflow *key = &pool[rnd64(&seed) % N_POOL];
        struct miniflow m;
        compress(&masks[k % N_MASKS], &m);
        rg[k].id = rv[k].id = k;
        dpcls_set_vector(false);
        int a = dpcls_insert(&gen, &rg[k].rule, key, &m);
        dpcls_set_vector(true);
        int b = dpcls_insert(&vec, &rv[k].rule, key, &m);
        assert_int_equal(a, b);
        if (a) {
            rg[k].id = rv[k].id = -1;
        }
    }

    unsigned int hits = 0;
    for (int round = 0; round < 3000; round++) {
        unsigned int n = 1 + (unsigned int) (rnd64(&seed) % DPCLS_MAX_BATCH);
        const struct miniflow *keys[DPCLS_MAX_BATCH];
        uint32_t at = (uint32_t) (rnd64(&seed) % N_POOL);
        for (unsigned int i = 0; i < n; i++) {
            /* Runs of one key and of neighbours, and random jumps. */
            uint64_t r = rnd64(&seed) % 4;
            at = r == 0 ? at : r == 1 ? (at + 1) % N_POOL
                 : (uint32_t) (rnd64(&seed) % N_POOL);
            keys[i] = &pool[at];
        }
        struct dpcls_rule *out_g[DPCLS_MAX_BATCH], *out_v[DPCLS_MAX_BATCH];
        uint32_t hg = dpcls_lookup(&gen, keys, n, out_g, NULL);
        uint32_t hv = dpcls_lookup(&vec, keys, n, out_v, NULL);
        assert_int_equal(hg, hv);
        for (unsigned int i = 0; i < n; i++) {
            if (hg & (UINT32_C(1) << i)) {
                assert_int_equal(
                    DPCLS_CONTAINER_OF(out_g[i], struct megaflow, rule)->id,
                    DPCLS_CONTAINER_OF(out_v[i], struct megaflow, rule)->id);
                hits++;
            }
        }
        if (round % 500 == 499) {
            dpcls_sort_subtables(&gen);
            dpcls_sort_subtables(&vec);
        }
    }
    assert_true(hits > 10000);
    (void) vector;
    dpcls_destroy(&gen);
    dpcls_destroy(&vec);
}

/* Sequential addresses and ports fill buckets about as evenly as random
 * hashes would (the bucket index is the hash's low bits). */
static void
test_hash_spread(void **state)
{
    (void) state;
    enum { N = 100000, BUCKETS = 1024 };
    static unsigned int count[BUCKETS];
    for (int kind = 0; kind < 3; kind++) {
        memset(count, 0, sizeof count);
        for (uint32_t i = 0; i < N; i++) {
            uint64_t w[5] = { 2, UINT64_C(0x0008000000000000), 0,
                              0x0a800002, 0x11 };
            if (kind == 0) {
                w[2] = (uint64_t) (0x0a000001u + i) << 32;
            } else if (kind == 1) {
                w[2] = (uint64_t) (0x0a000001u + (i << 8)) << 32;
            } else {
                w[4] |= (uint64_t) (1024 + (i & 0x3fff)) << 32
                        | (uint64_t) (5001 + (i >> 14)) << 48;
            }
            count[dpcls_hash_words(w, 5, 0) % BUCKETS]++;
        }
        unsigned int max = 0;
        for (int b = 0; b < BUCKETS; b++) {
            max = count[b] > max ? count[b] : max;
        }
        /* Mean 98; at random the fullest of 1024 holds about 130. */
        assert_true(max < 160);
    }
}

static int
use_generic(void **state)
{
    (void) state;
    dpcls_set_vector(false);
    return 0;
}

static int
use_vector(void **state)
{
    (void) state;
    dpcls_set_vector(true);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_lookup_remove),
        cmocka_unit_test(test_several_masks),
        cmocka_unit_test(test_eexist),
        cmocka_unit_test(test_catch_all),
        cmocka_unit_test(test_ranking),
        cmocka_unit_test(test_batch_mixed),
        cmocka_unit_test(test_batch_runs),
        cmocka_unit_test(test_visits),
        cmocka_unit_test(test_batch_leaders),
        cmocka_unit_test(test_growth_100k),
        cmocka_unit_test(test_iterate_and_remove),
        cmocka_unit_test(test_mask_sizes),
        cmocka_unit_test(test_hash_words),
        cmocka_unit_test(test_hash_spread),
        cmocka_unit_test(test_vector_matches_generic),
    };
    /* Every test with the generic lookup, then with the vector one where
     * the CPU has it. */
    int failed = cmocka_run_group_tests_name("generic", tests, use_generic,
                                             NULL);
    if (dpcls_set_vector(true)) {
        failed += cmocka_run_group_tests_name("vector", tests, use_vector,
                                              NULL);
    } else {
        print_message("no AVX-512F here: vector lookups not tested\n");
    }
    return failed;
}
