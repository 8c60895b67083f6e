/* pipeline: key extraction, caches, upcalls and execution for a batch. */
#include "pmd/pipeline.h"

#include <string.h>
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "pmd/actions.h"
#include "pmd/dpcls.h"
#include "pmd/emc.h"
#include "pmd/flow.h"
#include "pmd/flow_fast.h"
#include "pmd/megaflow.h"
#include "pmd/packet.h"
#include "pmd/pmd.h"
#include "pmd/pmd_private.h"
#include "pmd/shared.h"
#include "pmd/upcall_ring.h"


/* The EMC's hash of a key: any function of the key works (the EMC
 * compares keys in full); this one reads the map and at most five words -
 * in_port and the last four, which hold the IP addresses, L4 ports and TCP
 * flags of the common packets - so it costs a few cycles, not one per
 * word. */
static inline uint32_t
emc_hash(const struct miniflow *mf)
{
    unsigned int n = miniflow_n_values(mf);
    const uint64_t *v = mf->values;
    uint64_t a = mf->map ^ v[0];
    uint64_t b = n > 1 ? v[n - 1] : 0;
    uint64_t c = n > 2 ? v[n - 2] : 0;
    uint64_t d = n > 3 ? v[n - 3] : 0;
    uint64_t e = n > 4 ? v[n - 4] : 0;
#ifdef __SSE4_2__
    uint64_t h = _mm_crc32_u64(_mm_crc32_u64(_mm_crc32_u64(0, a), b), e)
                 ^ (_mm_crc32_u64(_mm_crc32_u64(1, c), d) << 32);
#else
    uint64_t h = (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full)
                 ^ (c * 0x165667b19e3779f9ull) ^ (d * 0x27d4eb2f165667c5ull)
                 ^ (e * 0x94d049bb133111ebull);
#endif
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return (uint32_t) (h >> 32);
}

/* How often the PMD decides again whether the EMC is used. */
#define EMC_CHECKS_PER_S 4

static void
emc_policy_tick(struct pmd *pmd)
{
    pmd->emc.policy.next_check = pmd->now_tsc
                                 + rte_get_tsc_hz() / EMC_CHECKS_PER_S;
    emc_policy_check(&pmd->emc, dpcls_take_visits(&pmd->cls));
}

/* Admits one upcall if the PMD's token bucket allows. */
static inline bool
upcall_admit(struct pmd *pmd)
{
    struct pmd_upcall_limit *l = &pmd->upcall_limit;
    if (!l->rate) {
        return true;
    }
    /* Tokens are kept in units of 1/tsc_hz upcall: refill by elapsed
     * cycles times the rate; an upcall costs tsc_hz. */
    uint64_t hz = rte_get_tsc_hz();
    uint64_t now = pmd->now_tsc;
    if (now > l->last_tsc) {
        uint64_t add;
        uint64_t cap = l->burst * hz;
        /* A long quiet spell would overflow the product: then it is full. */
        if (__builtin_mul_overflow(now - l->last_tsc, l->rate, &add)
            || add >= cap - l->tokens) {
            l->tokens = cap;
        } else {
            l->tokens += add;
        }
        l->last_tsc = now;
    }
    if (l->tokens < hz) {
        return false;
    }
    l->tokens -= hz;
    return true;
}

/* What the actions and the control thread read of a packet: written only
 * for packets that go there, not for those that just go out (the mbuf's
 * private area is one more cache line per packet). */
struct batch_meta {
    uint32_t in_port;
    uint32_t recirc_id;
    struct flow_offsets ofs[PIPELINE_BATCH];
};

static inline void
meta_write(struct rte_mbuf *pkt, const struct batch_meta *bm,
           const struct flow_offsets *ofs)
{
    struct packet_meta *md = packet_meta(pkt);
    md->in_port = bm->in_port;
    md->recirc_id = bm->recirc_id;
    md->ofs = *ofs;
}

static void
upcall_miss(struct pmd *pmd, struct rte_mbuf *pkt, const struct batch_meta *bm,
            const struct flow_offsets *ofs)
{
    meta_write(pkt, bm, ofs);
    if (!upcall_admit(pmd)) {
        SHARED_COUNT(pmd->stats.upcall_rate_limited, 1);
        rte_pktmbuf_free(pkt);
        return;
    }
    struct upcall_msg msg = { .pkt = pkt, .kind = UPCALL_MISS };
    if (rte_ring_sp_enqueue_elem(pmd->upcall_ring, &msg, sizeof msg)) {
        SHARED_COUNT(pmd->stats.upcall_ring_full, 1);
        rte_pktmbuf_free(pkt);
        return;
    }
    SHARED_COUNT(pmd->stats.upcalls, 1);
}

/* Counts 'n' packets of 'bytes' bytes on 'mf', whose TCP flags ORed are
 * 'tcp_flags'. */
static inline void
count_hits(const struct pmd *pmd, struct megaflow *mf, uint32_t n,
           uint64_t bytes, uint16_t tcp_flags)
{
    SHARED_COUNT(mf->packets, n);
    SHARED_COUNT(mf->bytes, bytes);
    SHARED_SET(mf->used, pmd->now_tsc);
    if (tcp_flags & ~mf->tcp_flags) {
        SHARED_SET(mf->tcp_flags, mf->tcp_flags | tcp_flags);
    }
}

/* Counts the 'n' packets 'pkts' on 'mf', whose TCP flags ORed are
 * 'tcp_flags'; returns its actions. */
static inline const struct dp_actions *
count_group(struct pmd *pmd, struct megaflow *mf, struct rte_mbuf **pkts,
            uint32_t n, uint16_t tcp_flags)
{
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < n; i++) {
        bytes += rte_pktmbuf_pkt_len(pkts[i]);
    }
    count_hits(pmd, mf, n, bytes, tcp_flags);
    return SHARED_ACQUIRE(mf->actions);
}

static inline void
execute(struct pmd *pmd, const struct dp_actions *acts,
        struct rte_mbuf **pkts, uint32_t n)
{
    uint32_t dropped = dp_actions_execute(&pmd->exec, pkts, n, acts);
    if (dropped) {
        SHARED_COUNT(pmd->stats.packets_dropped, dropped);
    }
}

static inline struct megaflow *
megaflow_of(struct dpcls_rule *rule)
{
    return DPCLS_CONTAINER_OF(rule, struct megaflow, rule);
}

/* Runs each megaflow's actions on its packets (already counted), in
 * arrival order within a megaflow. */
static void
execute_groups(struct pmd *pmd, struct rte_mbuf **pkts,
               const struct dp_actions **acts, uint32_t n)
{
    const struct dp_actions *groups[PIPELINE_BATCH];
    uint8_t group_of[PIPELINE_BATCH];
    uint32_t count[PIPELINE_BATCH];
    uint32_t n_groups = 0;

    /* Action list -> group through a 64-slot table hashed on the address,
     * with linear probing: a batch may hold 32 different lists. */
    uint8_t slot[64];
    memset(slot, 0xff, sizeof slot);
    const struct dp_actions *run = NULL;
    uint32_t g = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct dp_actions *a = acts[i];
        if (a != run || !i) {
            run = a;
            uint32_t h = (uint32_t) (((uintptr_t) a * 0x9e3779b97f4a7c15ull)
                                     >> 58);
            for (;;) {
                g = slot[h];
                if (g == 0xff) {
                    g = n_groups++;
                    slot[h] = (uint8_t) g;
                    groups[g] = a;
                    count[g] = 0;
                    break;
                }
                if (groups[g] == a) {
                    break;
                }
                h = (h + 1) & 63;
            }
        }
        group_of[i] = (uint8_t) g;
        count[g]++;
    }

    /* Counting sort of the packets by group. */
    struct rte_mbuf *sorted[PIPELINE_BATCH];
    uint8_t start[PIPELINE_BATCH];
    uint8_t fill[PIPELINE_BATCH];
    uint32_t ofs = 0;
    for (uint32_t k = 0; k < n_groups; k++) {
        start[k] = (uint8_t) ofs;
        fill[k] = (uint8_t) ofs;
        ofs += count[k];
    }
    for (uint32_t i = 0; i < n; i++) {
        sorted[fill[group_of[i]]++] = pkts[i];
    }
    for (uint32_t k = 0; k < n_groups; k++) {
        execute(pmd, groups[k], &sorted[start[k]], count[k]);
    }
}

/* Counts every packet on its megaflow and runs the megaflows' actions.
 * 'tcp_flags[i]' are the TCP flags of pkts[i].
 *
 * Most megaflows just output to one port, and with many megaflows per
 * batch, grouping packets by megaflow costs more than the actions: the
 * packets that output to the batch's first output port go out together in
 * arrival order (one tx call), those of drop megaflows are freed together,
 * and only the rest are grouped by action list.  The megaflow's fate says
 * which, so the lists of the first two kinds are not read. */
static void
execute_batch(struct pmd *pmd, struct rte_mbuf **pkts,
              struct dpcls_rule *const *flows, const uint16_t *tcp_flags,
              const struct batch_meta *bm, uint32_t n)
{
    /* Often a whole batch is one megaflow. */
    uint32_t same = 1;
    uint16_t flags = tcp_flags[0];
    while (same < n && flows[same] == flows[0]) {
        flags |= tcp_flags[same];
        same++;
    }
    if (same == n) {
        struct megaflow *mf = megaflow_of(flows[0]);
        const struct dp_actions *acts = count_group(pmd, mf, pkts, n, flags);
        if (dp_actions_fate(acts) == DP_FATE_OTHER) {
            for (uint32_t i = 0; i < n; i++) {
                meta_write(pkts[i], bm, &bm->ofs[i]);
            }
        }
        execute(pmd, acts, pkts, n);
        return;
    }

    struct rte_mbuf *out[PIPELINE_BATCH];
    struct rte_mbuf *drop[PIPELINE_BATCH];
    const struct dp_actions *rest_acts[PIPELINE_BATCH];
    uint32_t n_out = 0, n_drop = 0, n_rest = 0;
    int32_t out_port = -1;          /* None yet. */
    for (uint32_t i = 0; i < n; i++) {
        struct megaflow *mf = megaflow_of(flows[i]);
        struct rte_mbuf *pkt = pkts[i];
        count_hits(pmd, mf, 1, rte_pktmbuf_pkt_len(pkt), tcp_flags[i]);
        int32_t fate = SHARED_READ(mf->fate);
        if (fate >= 0) {
            if (out_port < 0) {
                out_port = fate;
            }
            if (fate == out_port) {
                out[n_out++] = pkt;
                continue;
            }
        } else if (fate == DP_FATE_DROP) {
            drop[n_drop++] = pkt;
            continue;
        }
        meta_write(pkt, bm, &bm->ofs[i]);
        rest_acts[n_rest] = SHARED_ACQUIRE(mf->actions);
        pkts[n_rest++] = pkt;
    }
    if (n_out) {
        tx_enqueue(&pmd->tx, (uint32_t) out_port, out, n_out);
    }
    if (n_drop) {
        rte_pktmbuf_free_bulk(drop, n_drop);
        SHARED_COUNT(pmd->stats.packets_dropped, n_drop);
    }
    if (n_rest) {
        execute_groups(pmd, pkts, rest_acts, n_rest);
    }
}

void
pipeline_process(struct pmd *pmd, struct rte_mbuf **pkts, uint32_t n,
                 uint32_t in_port, uint32_t recirc_id)
{
    struct miniflow keys[PIPELINE_BATCH];
    const struct miniflow *kp[PIPELINE_BATCH];
    uint32_t hashes[PIPELINE_BATCH];
    struct dpcls_rule *rules[PIPELINE_BATCH];
    uint16_t tcp_flags[PIPELINE_BATCH];
    struct batch_meta bm;       /* Not zeroed: ofs[i] is written below. */

    if (unlikely(!n || n > PIPELINE_BATCH)) {
        /* Callers never do this (pmd.c asserts its burst fits). */
        SHARED_COUNT(pmd->stats.packets_dropped, n);
        rte_pktmbuf_free_bulk(pkts, n);
        return;
    }
    bm.in_port = in_port;
    bm.recirc_id = recirc_id;
    /* The EMC pays when a classifier lookup costs several subtable
     * probes and enough lookups hit (emc_policy_check()); with one
     * subtable the classifier is a single probe too, without the full-key
     * hash and compare. */
    if (unlikely(pmd->now_tsc >= pmd->emc.policy.next_check)) {
        emc_policy_tick(pmd);
    }
    bool use_emc = pmd->cls.n_subtables > 1 && pmd->emc.policy.active
                   && pmd->emc.insert_inv_prob;

    /* 1. Keys.  When every megaflow matches on metadata alone (in_port,
     * recirc_id: word 0) and the EMC is not used, the headers need not be
     * parsed now: an action that rewrites them parses them itself.  Only
     * the TCP flags, which the megaflow's counters accumulate, are read.
     * Every packet of the batch then has the same key: it is looked up
     * once ('one_key'). */
    bool one_key = !use_emc && pmd->cls.n_subtables
                   && pmd->cls.words_used == 1;
    if (one_key) {
        struct flow_offsets unparsed = {
            FLOW_OFS_UNPARSED, FLOW_OFS_NONE, FLOW_OFS_NONE,
        };
        uint32_t meta[2] = { in_port, recirc_id };
        uint64_t word0;
        memcpy(&word0, meta, sizeof word0);
        keys[0].map = 1;
        keys[0].values[0] = word0;
        for (uint32_t i = 0; i < n; i++) {
            bm.ofs[i] = unparsed;
            tcp_flags[i] = flow_tcp_flags(rte_pktmbuf_mtod(pkts[i],
                                                           const void *),
                                          pkts[i]->data_len);
            kp[i] = &keys[0];
        }
    } else {
        for (uint32_t i = 0; i < n; i++) {
            struct rte_mbuf *m = pkts[i];
            if (i + 1 < n) {
                rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
            }
            flow_extract_fast(rte_pktmbuf_mtod(m, const void *),
                              m->data_len, in_port, recirc_id, &keys[i],
                              &bm.ofs[i]);
            tcp_flags[i] = miniflow_tcp_flags(&keys[i]);
            kp[i] = &keys[i];
        }
    }

    /* 2. Exact-match cache. */
    uint32_t all = n == 32 ? UINT32_MAX : (UINT32_C(1) << n) - 1;
    uint32_t found = 0;
    if (use_emc) {
        for (uint32_t i = 0; i < n; i++) {
            struct rte_mbuf *m = pkts[i];
            if ((m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) && !recirc_id) {
                hashes[i] = m->hash.rss ^ (in_port * 0x9e3779b1u);
            } else {
                hashes[i] = emc_hash(&keys[i]);
            }
        }
        found = emc_lookup_batch(&pmd->emc, kp, hashes, n, rules);
        SHARED_COUNT(pmd->stats.emc_hits, __builtin_popcount(found));
        dpcls_count_packets(rules, found);
    }

    /* 3. Megaflow classifier for the EMC misses (all packets without the
     * EMC: then no gathering). */
    if (found != all) {
        uint64_t lookups = 0;
        uint32_t hits;
        if (one_key) {
            /* The subtables' hit counters (their ranking) see one packet
             * per batch; the PMD's counters see them all. */
            hits = dpcls_lookup(&pmd->cls, kp, 1, rules, &lookups);
            lookups *= n;
            if (hits) {
                for (uint32_t i = 1; i < n; i++) {
                    rules[i] = rules[0];
                }
                hits = all;
            }
        } else if (!found) {
            hits = dpcls_lookup(&pmd->cls, kp, n, rules, &lookups);
            if (use_emc) {
                for (uint32_t i = 0; i < n; i++) {
                    if (rules[i]) {
                        emc_insert(&pmd->emc, kp[i], hashes[i], rules[i]);
                    }
                }
            }
        } else {
            const struct miniflow *mk[PIPELINE_BATCH];
            struct dpcls_rule *mr[PIPELINE_BATCH];
            uint8_t idx[PIPELINE_BATCH];
            uint32_t n_miss = 0;
            for (uint32_t i = 0; i < n; i++) {
                if (!(found & (UINT32_C(1) << i))) {
                    idx[n_miss] = (uint8_t) i;
                    mk[n_miss++] = kp[i];
                }
            }
            uint32_t h = dpcls_lookup(&pmd->cls, mk, n_miss, mr, &lookups);
            hits = 0;
            for (uint32_t k = 0; k < n_miss; k++) {
                uint32_t i = idx[k];
                rules[i] = mr[k];
                if (h & (UINT32_C(1) << k)) {
                    hits |= UINT32_C(1) << i;
                    emc_insert(&pmd->emc, kp[i], hashes[i], mr[k]);
                }
            }
        }
        SHARED_COUNT(pmd->stats.megaflow_hits, __builtin_popcount(hits));
        SHARED_COUNT(pmd->stats.subtable_lookups, lookups);
        found |= hits;

        /* 4. Misses go up to the control thread. */
        if (found != all) {
            uint32_t w = 0;
            for (uint32_t i = 0; i < n; i++) {
                if (found & (UINT32_C(1) << i)) {
                    pkts[w] = pkts[i];
                    tcp_flags[w] = tcp_flags[i];
                    bm.ofs[w] = bm.ofs[i];
                    rules[w++] = rules[i];
                } else {
                    upcall_miss(pmd, pkts[i], &bm, &bm.ofs[i]);
                }
            }
            n = w;
        }
    }

    /* 5. Execute, grouped by megaflow. */
    if (n) {
        execute_batch(pmd, pkts, rules, tcp_flags, &bm, n);
    }
}
