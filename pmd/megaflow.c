/* megaflow: installed datapath flows, control-thread side. */
#include "pmd/megaflow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_cycles.h>

#include "pmd/actions.h"
#include "pmd/dp.h"
#include "pmd/dp_private.h"
#include "pmd/pmd.h"
#include "pmd/pmd_private.h"
#include "pmd/shared.h"
#include "src/util/dstr.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(megaflow);

void
megaflow_table_init(struct megaflow_table *t)
{
    memset(t, 0, sizeof *t);
    dpcls_init(&t->shadow);
}

#define SLAB_SIZE (2u << 20)
#define MEGAFLOW_SIZE RTE_ALIGN(sizeof(struct megaflow), RTE_CACHE_LINE_SIZE)

/* A zeroed megaflow from the free list, which grows by a slab when empty.
 * Ordinary memory: megaflows are private to this process, and DPDK's heap
 * is sized for packets.  Cache-line aligned, so the words a lookup
 * compares share a line. */
static struct megaflow *
megaflow_alloc(struct megaflow_table *t)
{
    if (!t->free_list) {
        void **slabs = realloc(t->slabs, (t->n_slabs + 1) * sizeof *slabs);
        if (!slabs) {
            return NULL;
        }
        t->slabs = slabs;
        uint8_t *slab = aligned_alloc(SLAB_SIZE, SLAB_SIZE);
        if (!slab) {
            return NULL;
        }
        madvise(slab, SLAB_SIZE, MADV_HUGEPAGE);    /* A hint only. */
        t->slabs[t->n_slabs++] = slab;
        for (size_t ofs = 0; ofs + MEGAFLOW_SIZE <= SLAB_SIZE;
             ofs += MEGAFLOW_SIZE) {
            struct megaflow *mf = (struct megaflow *) (slab + ofs);
            mf->next = t->free_list;
            t->free_list = mf;
        }
    }
    struct megaflow *mf = t->free_list;
    t->free_list = mf->next;
    memset(mf, 0, sizeof *mf);
    return mf;
}

/* Returns a megaflow that no PMD can reach any more to the free list. */
static void
megaflow_release(struct megaflow_table *t, struct megaflow *mf)
{
    free(mf->actions);
    mf->actions = NULL;
    mf->next = t->free_list;
    t->free_list = mf;
}

static void
megaflow_link(struct megaflow_table *t, struct megaflow *mf)
{
    mf->prev = NULL;
    mf->next = t->all;
    if (t->all) {
        t->all->prev = mf;
    }
    t->all = mf;
    t->n_flows++;
}

/* Takes 'mf' out of the control thread's tables (the PMD still has it). */
static void
megaflow_detach(struct megaflow_table *t, struct megaflow *mf)
{
    dpcls_remove(&t->shadow, &mf->shadow);
    if (t->expiry_next == mf) {
        t->expiry_next = mf->next;
    }
    if (t->visit_next == mf) {
        t->visit_next = mf->next;
    }
    if (t->reval_next == mf) {
        t->reval_next = mf->next;
    }
    if (mf->prev) {
        mf->prev->next = mf->next;
    } else {
        t->all = mf->next;
    }
    if (mf->next) {
        mf->next->prev = mf->prev;
    }
    t->n_flows--;
}

void
megaflow_table_destroy(struct megaflow_table *t)
{
    for (struct megaflow *mf = t->all; mf; mf = mf->next) {
        dpcls_remove(&t->shadow, &mf->shadow);
        free(mf->actions);
    }
    dpcls_destroy(&t->shadow);
    for (unsigned int i = 0; i < t->n_slabs; i++) {
        free(t->slabs[i]);
    }
    free(t->slabs);
    memset(t, 0, sizeof *t);
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

/* Publishes 'actions' as the list of 'mf', with its fate.  A PMD reading
 * in between may see the new fate with the old list or the reverse: it
 * acts on the fate alone unless that is DP_FATE_OTHER, and then runs the
 * list it read, so each packet gets the old treatment or the new one (old
 * lists are freed only once the PMD has quiesced). */
static void
megaflow_set_actions(struct megaflow *mf, struct dp_actions *actions)
{
    SHARED_SET(mf->fate, dp_actions_fate(actions));
    SHARED_PUBLISH(mf->actions, actions);
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
    struct megaflow *mf = megaflow_alloc(t);
    if (!mf) {
        free(actions);
        return -ENOMEM;
    }
    flow_and(&mf->key, key, mask);
    mf->mask = *mask;
    miniflow_compress(&mf->key, &mf->key_mf);
    miniflow_compress(&mf->mask, &mf->mask_mf);
    megaflow_set_actions(mf, actions);
    mf->created = rte_rdtsc();
    mf->id = ++t->next_id;

    error = dpcls_insert(&t->shadow, &mf->shadow, &mf->key_mf, &mf->mask_mf);
    if (error) {
        megaflow_release(t, mf);
        return error;
    }
    megaflow_link(t, mf);
    error = pmd_install_flow(pmd, mf);
    if (error) {
        megaflow_detach(t, mf);
        megaflow_release(t, mf);
        return error;
    }
    if (mfp) {
        *mfp = mf;
    }
    return 0;
}

static size_t
actions_bytes(const struct dp_actions *a)
{
    return a ? sizeof *a + a->size : 0;
}

/* Frees 'old', an action list the PMD may still be executing, once it has
 * left the iteration it is in (never waits; see reclaim.h). */
static void
free_actions_later(struct pmd *pmd, struct dp_actions *old)
{
    if (old) {
        pmd_defer(pmd, free, old, actions_bytes(old));
    }
}

void
megaflow_modify(struct pmd *pmd, struct megaflow *mf,
                struct dp_actions *actions, bool clear_stats)
{
    struct dp_actions *old = mf->actions;
    megaflow_set_actions(mf, actions);
    if (clear_stats) {
        /* The PMD writes these; it applies the reset between bursts. */
        pmd_clear_flow_stats(pmd, mf);
    }
    free_actions_later(pmd, old);
}

/* Megaflows are removed from a PMD in batches of at most this many: one
 * command and one deferred release per batch. */
#define DELETE_BATCH 256

/* A batch on its way out: the PMD reads 'rules' when it applies the
 * command; the megaflows return to 'table' once it has. */
struct delete_batch {
    struct megaflow_table *table;
    unsigned int n;
    struct megaflow *flows[DELETE_BATCH];
    const struct dpcls_rule *rules[DELETE_BATCH];
};

static void
release_batch(void *b_)
{
    struct delete_batch *b = b_;
    for (unsigned int i = 0; i < b->n; i++) {
        megaflow_release(b->table, b->flows[i]);
    }
    free(b);
}

static struct delete_batch *
batch_new(struct pmd *pmd)
{
    struct delete_batch *b = malloc(sizeof *b);
    if (b) {
        b->table = &pmd->flows;
        b->n = 0;
    }
    return b;
}

/* Puts a detached megaflow back in the control thread's tables (a
 * removal that could not be sent: the PMD still has it, so the control
 * thread must still see it, to delete it later). */
static void
megaflow_reattach(struct megaflow_table *t, struct megaflow *mf)
{
    if (dpcls_insert(&t->shadow, &mf->shadow, &mf->key_mf, &mf->mask_mf)) {
        VLOG_ERR("out of memory: megaflow %lu stays installed unseen",
                 mf->id);
        return;
    }
    megaflow_link(t, mf);
}

/* Sends the removal of the detached megaflows of '*bp' to 'pmd' and hands
 * their release to the reclaim queue; '*bp' is then NULL.  If the command
 * cannot even be queued (no memory) they go back to the tables. */
static void
batch_send(struct pmd *pmd, struct delete_batch **bp)
{
    struct delete_batch *b = *bp;
    *bp = NULL;
    if (!b || !b->n) {
        free(b);
        return;
    }
    size_t bytes = 0;
    for (unsigned int i = 0; i < b->n; i++) {
        b->rules[i] = &b->flows[i]->rule;
        bytes += MEGAFLOW_SIZE + actions_bytes(b->flows[i]->actions);
    }
    if (pmd_delete_flows(pmd, b->rules, b->n)) {
        VLOG_ERR("pmd on core %u: out of memory, %u megaflows not deleted",
                 pmd->core_id, b->n);
        for (unsigned int i = 0; i < b->n; i++) {
            megaflow_reattach(b->table, b->flows[i]);
        }
        free(b);
        return;
    }
    pmd_defer(pmd, release_batch, b, bytes);
}

/* Detaches 'mf' and adds it to the batch in '*bp' (sending it when full).
 * Returns false, with 'mf' left where it is, if there is no memory for a
 * batch. */
static bool
batch_add(struct pmd *pmd, struct delete_batch **bp, struct megaflow *mf)
{
    if (!*bp) {
        *bp = batch_new(pmd);
        if (!*bp) {
            VLOG_ERR("pmd on core %u: out of memory, megaflow %lu not "
                     "deleted", pmd->core_id, mf->id);
            return false;
        }
    }
    megaflow_detach(&pmd->flows, mf);
    (*bp)->flows[(*bp)->n++] = mf;
    if ((*bp)->n == DELETE_BATCH) {
        batch_send(pmd, bp);
    }
    return true;
}

/* Deletes the megaflows that 'pred' selects among at most 'budget' (0: all)
 * of 'pmd', starting at 'start' (NULL: the newest); sets '*stop' to where
 * it stopped (NULL: at the end). */
static unsigned int
megaflow_delete_where(struct pmd *pmd, struct megaflow *start,
                      unsigned int budget,
                      bool (*pred)(const struct megaflow *, const void *),
                      const void *aux, struct megaflow **stop)
{
    struct megaflow_table *t = &pmd->flows;
    struct delete_batch *batch = NULL;
    unsigned int total = 0, seen = 0;
    struct megaflow *mf = start ? start : t->all;

    while (mf && (!budget || seen < budget)) {
        struct megaflow *next = mf->next;
        seen++;
        if (pred(mf, aux)) {
            if (!batch_add(pmd, &batch, mf)) {
                break;
            }
            total++;
        }
        mf = next;
    }
    batch_send(pmd, &batch);
    if (stop) {
        *stop = mf;
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
    uint64_t used = SHARED_READ(mf->used);
    return (used ? used : mf->created) < before;
}

void
megaflow_delete(struct pmd *pmd, struct megaflow *mf)
{
    struct delete_batch *batch = NULL;
    if (batch_add(pmd, &batch, mf)) {
        batch_send(pmd, &batch);
    }
}

void
megaflow_revalidate_start(struct pmd *pmd)
{
    pmd->flows.reval_next = pmd->flows.all;
    pmd->flows.reval_active = pmd->flows.all != NULL;
}

bool
megaflow_revalidate_some(struct pmd *pmd, unsigned int budget,
                         enum megaflow_verdict (*check)(struct megaflow *,
                                                        struct dp_actions **,
                                                        void *),
                         void *aux, unsigned int *modified,
                         unsigned int *deleted)
{
    struct megaflow_table *t = &pmd->flows;
    struct delete_batch *batch = NULL;
    unsigned int seen = 0;

    while (t->reval_active && t->reval_next
           && (!budget || seen < budget)) {
        struct megaflow *mf = t->reval_next;
        struct dp_actions *actions = NULL;
        t->reval_next = mf->next;
        seen++;
        switch (check(mf, &actions, aux)) {
        case MEGAFLOW_KEEP:
            break;
        case MEGAFLOW_MODIFY: {
            struct dp_actions *old = mf->actions;
            megaflow_set_actions(mf, actions);
            free_actions_later(pmd, old);
            (*modified)++;
            break;
        }
        case MEGAFLOW_DELETE:
            if (batch_add(pmd, &batch, mf)) {
                (*deleted)++;
            }
            break;
        }
    }
    batch_send(pmd, &batch);
    if (!t->reval_next) {
        t->reval_active = false;
    }
    return !t->reval_active;
}

void
megaflow_revalidate(struct pmd *pmd,
                    enum megaflow_verdict (*check)(struct megaflow *,
                                                   struct dp_actions **,
                                                   void *),
                    void *aux, unsigned int *modified, unsigned int *deleted)
{
    megaflow_revalidate_start(pmd);
    megaflow_revalidate_some(pmd, 0, check, aux, modified, deleted);
}

unsigned int
megaflow_flush(struct pmd *pmd)
{
    return megaflow_delete_where(pmd, NULL, 0, is_any, NULL, NULL);
}

unsigned int
megaflow_expire(struct pmd *pmd, uint64_t max_idle_ms, unsigned int budget)
{
    struct megaflow_table *t = &pmd->flows;
    uint64_t now = rte_rdtsc();
    uint64_t idle = rte_get_tsc_hz() / 1000 * max_idle_ms;
    uint64_t before = now > idle ? now - idle : 0;
    struct megaflow *stop;

    unsigned int n = megaflow_delete_where(pmd, t->expiry_next, budget,
                                           is_idle, &before, &stop);
    t->expiry_next = stop;      /* NULL: start again from the newest. */
    return n;
}

unsigned int
megaflow_visit(struct pmd *pmd, unsigned int budget,
               void (*cb)(struct megaflow *, void *aux), void *aux)
{
    struct megaflow_table *t = &pmd->flows;
    unsigned int n = 0;
    struct megaflow *mf = t->visit_next ? t->visit_next : t->all;
    while (mf && n < budget) {
        struct megaflow *next = mf->next;
        cb(mf, aux);
        n++;
        mf = next;
    }
    t->visit_next = mf;         /* NULL: start again from the newest. */
    return n;
}

void
megaflow_format(const struct megaflow *mf, struct dstr *s,
                const char *(*port_name)(uint32_t, void *), void *aux)
{
    uint64_t used = SHARED_READ(mf->used);
    flow_format(&mf->key, &mf->mask, s);
    dstr_printf(s, ", packets:%lu, bytes:%lu, used:",
                SHARED_READ(mf->packets),
                SHARED_READ(mf->bytes));
    if (used) {
        uint64_t now = rte_rdtsc();
        double ago = now > used ? (double) (now - used)
                                  / (double) rte_get_tsc_hz() : 0.0;
        dstr_printf(s, "%.3fs", ago);
    } else {
        dstr_put(s, "never");
    }
    uint16_t tcp_flags = SHARED_READ(mf->tcp_flags);
    if (tcp_flags) {
        dstr_put(s, ", flags:");
        flow_format_tcp_flags(tcp_flags, s);
    }
    dstr_put(s, ", actions:");
    dp_actions_format(mf->actions, s, port_name, aux);
}

struct megaflow_table *
megaflow_table(struct pmd *pmd)
{
    return &pmd->flows;
}

unsigned int
megaflow_count(const struct pmd *pmd)
{
    return pmd->flows.n_flows;
}
