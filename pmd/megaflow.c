/* megaflow: installed datapath flows, control-thread side. */
#include "megaflow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "actions.h"
#include "dp.h"
#include "dstr.h"
#include "pmd.h"

void
megaflow_table_init(struct megaflow_table *t)
{
    memset(t, 0, sizeof *t);
    dpcls_init(&t->shadow);
}

static void
megaflow_free(struct megaflow *mf)
{
    free(mf->actions);
    free(mf);
}

void
megaflow_table_destroy(struct megaflow_table *t)
{
    struct dpcls_cursor c;
    struct dpcls_rule *r;
    DPCLS_FOR_EACH (r, &c, &t->shadow) {
        dpcls_remove(&t->shadow, r);
        megaflow_free(DPCLS_CONTAINER_OF(r, struct megaflow, shadow));
    }
    dpcls_destroy(&t->shadow);
    t->n_flows = 0;
}

struct megaflow *
megaflow_lookup(struct pmd *pmd, const struct miniflow *key)
{
    struct dpcls_rule *r;
    const struct miniflow *keys[1] = { key };
    if (!dpcls_lookup(&pmd->flows.shadow, keys, 1, &r, NULL)) {
        return NULL;
    }
    return DPCLS_CONTAINER_OF(r, struct megaflow, shadow);
}

struct megaflow *
megaflow_find_exact(struct pmd *pmd, const struct flow *key,
                    const struct flow *mask)
{
    struct dpcls_cursor c;
    struct dpcls_rule *r;
    DPCLS_FOR_EACH (r, &c, &pmd->flows.shadow) {
        struct megaflow *mf = DPCLS_CONTAINER_OF(r, struct megaflow, shadow);
        if (!memcmp(&mf->mask, mask, sizeof *mask)
            && !memcmp(&mf->key, key, sizeof *key)) {
            return mf;
        }
    }
    return NULL;
}

int
megaflow_install(struct pmd *pmd, const struct flow *key,
                 const struct flow *mask, struct dp_actions *actions,
                 struct megaflow **mfp)
{
    struct megaflow_table *t = &pmd->flows;
    int error;

    if (mfp) {
        *mfp = NULL;
    }
    if (t->n_flows >= pmd->dp->flow_limit) {
        free(actions);
        return -ENOSPC;
    }
    /* Ordinary memory: megaflows are private to this process, and DPDK's
     * heap is sized for packets.  A cache-line start keeps the words a
     * lookup compares in one line. */
    struct megaflow *mf = aligned_alloc(RTE_CACHE_LINE_SIZE,
                                        RTE_ALIGN(sizeof *mf,
                                                  RTE_CACHE_LINE_SIZE));
    if (!mf) {
        free(actions);
        return -ENOMEM;
    }
    memset(mf, 0, sizeof *mf);
    const uint64_t *k = (const uint64_t *) key;
    const uint64_t *m = (const uint64_t *) mask;
    uint64_t *mk = (uint64_t *) &mf->key;
    for (size_t i = 0; i < FLOW_N_WORDS; i++) {
        mk[i] = k[i] & m[i];
    }
    mf->mask = *mask;
    miniflow_compress(&mf->key, &mf->key_mf);
    miniflow_compress(&mf->mask, &mf->mask_mf);
    mf->actions = actions;
    mf->created = rte_rdtsc();
    mf->id = ++t->next_id;

    error = dpcls_insert(&t->shadow, &mf->shadow, &mf->key_mf, &mf->mask_mf);
    if (error) {
        megaflow_free(mf);
        return error;
    }
    error = pmd_install_flow(pmd, mf);
    if (error) {
        dpcls_remove(&t->shadow, &mf->shadow);
        megaflow_free(mf);
        return error;
    }
    t->n_flows++;
    if (mfp) {
        *mfp = mf;
    }
    return 0;
}

void
megaflow_modify(struct pmd *pmd, struct megaflow *mf,
                struct dp_actions *actions, bool clear_stats)
{
    struct dp_actions *old = mf->actions;
    __atomic_store_n(&mf->actions, actions, __ATOMIC_RELEASE);
    if (clear_stats) {
        /* The PMD writes these; it applies the reset between bursts. */
        pmd_clear_flow_stats(pmd, mf);
    }
    pmd_wait(pmd, 2000);
    free(old);
}

/* Deletes from 'pmd' the megaflows that 'pred' selects, in batches: one
 * command and one wait per batch, then the batch is freed. */
#define DELETE_BATCH 256

static unsigned int
megaflow_delete_where(struct pmd *pmd,
                      bool (*pred)(const struct megaflow *, const void *),
                      const void *aux)
{
    struct megaflow *batch[DELETE_BATCH];
    const struct dpcls_rule *rules[DELETE_BATCH];
    unsigned int n = 0, total = 0;
    struct dpcls_cursor c;
    struct dpcls_rule *r;
    bool more = true;

    while (more) {
        more = false;
        DPCLS_FOR_EACH (r, &c, &pmd->flows.shadow) {
            struct megaflow *mf = DPCLS_CONTAINER_OF(r, struct megaflow,
                                                     shadow);
            if (!pred(mf, aux)) {
                continue;
            }
            /* The cursor tolerates removal of the rule just returned. */
            dpcls_remove(&pmd->flows.shadow, &mf->shadow);
            pmd->flows.n_flows--;
            rules[n] = &mf->rule;
            batch[n++] = mf;
            if (n == DELETE_BATCH) {
                more = true;
                break;
            }
        }
        if (n) {
            pmd_delete_flows(pmd, rules, n);
            pmd_wait(pmd, 2000);
            for (unsigned int i = 0; i < n; i++) {
                megaflow_free(batch[i]);
            }
            total += n;
            n = 0;
        }
    }
    return total;
}

static bool
is_any(const struct megaflow *mf, const void *aux)
{
    (void) mf;
    (void) aux;
    return true;
}

static bool
is_idle(const struct megaflow *mf, const void *before_)
{
    uint64_t before = *(const uint64_t *) before_;
    uint64_t used = __atomic_load_n(&mf->used, __ATOMIC_RELAXED);
    return (used ? used : mf->created) < before;
}

void
megaflow_delete(struct pmd *pmd, struct megaflow *mf)
{
    const struct dpcls_rule *rule = &mf->rule;
    dpcls_remove(&pmd->flows.shadow, &mf->shadow);
    pmd->flows.n_flows--;
    pmd_delete_flows(pmd, &rule, 1);
    pmd_wait(pmd, 2000);
    megaflow_free(mf);
}

void
megaflow_revalidate(struct pmd *pmd,
                    enum megaflow_verdict (*check)(const struct megaflow *,
                                                   struct dp_actions **,
                                                   void *),
                    void *aux, unsigned int *modified, unsigned int *deleted)
{
    struct megaflow *dead[DELETE_BATCH];
    const struct dpcls_rule *rules[DELETE_BATCH];
    struct dp_actions *old[DELETE_BATCH];
    unsigned int n_dead = 0, n_old = 0;
    struct dpcls_cursor c;
    struct dpcls_rule *r;

    DPCLS_FOR_EACH (r, &c, &pmd->flows.shadow) {
        struct megaflow *mf = DPCLS_CONTAINER_OF(r, struct megaflow, shadow);
        struct dp_actions *actions = NULL;

        switch (check(mf, &actions, aux)) {
        case MEGAFLOW_KEEP:
            continue;
        case MEGAFLOW_MODIFY:
            old[n_old++] = mf->actions;
            __atomic_store_n(&mf->actions, actions, __ATOMIC_RELEASE);
            (*modified)++;
            break;
        case MEGAFLOW_DELETE:
            /* The cursor tolerates removal of the rule just returned. */
            dpcls_remove(&pmd->flows.shadow, &mf->shadow);
            pmd->flows.n_flows--;
            rules[n_dead] = &mf->rule;
            dead[n_dead++] = mf;
            (*deleted)++;
            break;
        }
        if (n_old == DELETE_BATCH || n_dead == DELETE_BATCH) {
            if (n_dead) {
                pmd_delete_flows(pmd, rules, n_dead);
            }
            pmd_wait(pmd, 2000);
            for (unsigned int i = 0; i < n_old; i++) {
                free(old[i]);
            }
            for (unsigned int i = 0; i < n_dead; i++) {
                megaflow_free(dead[i]);
            }
            n_old = n_dead = 0;
        }
    }
    if (n_old || n_dead) {
        if (n_dead) {
            pmd_delete_flows(pmd, rules, n_dead);
        }
        pmd_wait(pmd, 2000);
        for (unsigned int i = 0; i < n_old; i++) {
            free(old[i]);
        }
        for (unsigned int i = 0; i < n_dead; i++) {
            megaflow_free(dead[i]);
        }
    }
}

unsigned int
megaflow_flush(struct pmd *pmd)
{
    return megaflow_delete_where(pmd, is_any, NULL);
}

unsigned int
megaflow_expire(struct pmd *pmd, uint64_t max_idle_ms)
{
    uint64_t now = rte_rdtsc();
    uint64_t idle = rte_get_tsc_hz() / 1000 * max_idle_ms;
    uint64_t before = now > idle ? now - idle : 0;
    return megaflow_delete_where(pmd, is_idle, &before);
}

void
megaflow_format(const struct megaflow *mf, struct dstr *s,
                const char *(*port_name)(uint32_t, void *), void *aux)
{
    uint64_t used = __atomic_load_n(&mf->used, __ATOMIC_RELAXED);
    flow_format(&mf->key, &mf->mask, s);
    dstr_printf(s, ", packets:%lu, bytes:%lu, used:",
                __atomic_load_n(&mf->packets, __ATOMIC_RELAXED),
                __atomic_load_n(&mf->bytes, __ATOMIC_RELAXED));
    if (used) {
        uint64_t now = rte_rdtsc();
        double ago = now > used ? (double) (now - used)
                                  / (double) rte_get_tsc_hz() : 0.0;
        dstr_printf(s, "%.3fs", ago);
    } else {
        dstr_put(s, "never");
    }
    dstr_put(s, ", actions:");
    dp_actions_format(mf->actions, s, port_name, aux);
}
