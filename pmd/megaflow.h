/* megaflow: an installed datapath flow (masked key -> actions) and the
 * per-PMD table of them, as the control thread manages it.
 *
 * The control thread creates a megaflow, keeps it in its shadow
 * classifier for that PMD (so upcalls already covered by it are not
 * translated again, and so dump/expiry/deletion can walk them) and sends
 * it to the PMD, which inserts 'rule' into its own classifier.  The PMD
 * writes only the counters and 'rule'; the control thread writes the rest.
 * A megaflow is freed by the control thread once the PMD has acknowledged
 * its removal.  All functions here run in the control thread. */
#ifndef SLUICE_MEGAFLOW_H
#define SLUICE_MEGAFLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "pmd/dpcls.h"
#include "pmd/flow.h"

struct dp_actions;
struct dstr;
struct pmd;

/* Thread-safety, by group below: the control thread publishes 'actions'
 * (SHARED_PUBLISH, with 'fate' SHARED_SET first) and the PMD reads them
 * (SHARED_ACQUIRE / SHARED_READ); the PMD writes the counters
 * (SHARED_COUNT / SHARED_SET), the control thread reads them
 * (SHARED_READ); 'rule' is the PMD's once the install command reached it;
 * the rest is the control thread's. */
struct megaflow {
    /* What the PMD touches on every hit: this cache line and the rule's
     * first (where a lookup compares up to 6 words). */

    /* Read by the PMD on every hit; replaced by the control thread
     * (megaflow_set_actions()). */
    struct dp_actions *actions;
    int32_t fate;                   /* dp_actions_fate(actions): the PMD
                                     * reads the list only if it is
                                     * DP_FATE_OTHER. */

    /* Written by the PMD on every hit. */
    uint64_t packets;
    uint64_t bytes;
    uint64_t used;                  /* TSC of the last hit, 0: never. */
    uint16_t tcp_flags;             /* OR of the hits' TCP flags (host
                                     * order, low 12 bits). */

    /* In the PMD's classifier. */
    struct dpcls_rule rule __attribute__((aligned(64)));

    /* Control thread only. */
    struct megaflow *prev, *next;   /* In the table's list of all. */
    struct dpcls_rule shadow;       /* In the control's shadow classifier. */
    struct miniflow key_mf;         /* Masked key, as sent to the PMD. */
    struct miniflow mask_mf;
    struct flow key;                /* Masked key and mask, for showing. */
    struct flow mask;
    uint64_t created;               /* TSC. */
    uint64_t id;                    /* Unique, for logs and tests. */
    uint64_t ctl_packets;           /* Executed by the control thread */
    uint64_t ctl_bytes;             /* (misses it already covered). */
    uint64_t acct_packets;          /* What the control thread has */
    uint64_t acct_bytes;            /* accounted to OpenFlow rules. */
    uint64_t xlate_tags;            /* What its translation depended on
                                     * (xlate_out.tags). */
};

/* The control thread's view of one PMD's megaflows.  Megaflows come from
 * 2 MB slabs (transparent huge pages: few page faults at high setup rates)
 * and return to a free list. */
struct megaflow_table {
    struct dpcls shadow;
    unsigned int n_flows;
    uint64_t next_id;
    struct megaflow *all;           /* Every megaflow, newest first. */
    struct megaflow *expiry_next;   /* Where the next expiry pass goes on. */
    struct megaflow *visit_next;    /* Where megaflow_visit() goes on. */
    struct megaflow *reval_next;    /* Where a revalidation pass goes on. */
    bool reval_active;              /* A pass has megaflows left. */
    struct megaflow *free_list;
    void **slabs;
    unsigned int n_slabs;
};

void megaflow_table_init(struct megaflow_table *);
/* Frees every megaflow (the PMD must no longer use them). */
void megaflow_table_destroy(struct megaflow_table *);

/* The control thread's table of the megaflows of 'pmd'. */
struct megaflow_table *megaflow_table(struct pmd *);
/* How many megaflows 'pmd' has. */
unsigned int megaflow_count(const struct pmd *);

/* Finds the megaflow of 'pmd' whose mask and masked key cover 'key'. */
struct megaflow *megaflow_lookup(struct pmd *, const struct miniflow *key);
/* Finds the megaflow with exactly this masked key and mask. */
struct megaflow *megaflow_find_exact(struct pmd *, const struct flow *key,
                                     const struct flow *mask);

/* Creates a megaflow for 'key' under 'mask' with 'actions' (ownership
 * passes) and installs it in 'pmd'.  Returns 0, -EEXIST (an identical
 * megaflow is installed), -ENOSPC (the PMD's flow limit is reached) or
 * -ENOMEM; on error 'actions' is freed. */
int megaflow_install(struct pmd *, const struct flow *key,
                     const struct flow *mask, struct dp_actions *actions,
                     struct megaflow **);

/* Replaces the actions of 'mf' (ownership passes); the old list is freed
 * once the PMD has moved on.  Optionally zeroes the counters. */
void megaflow_modify(struct pmd *, struct megaflow *,
                     struct dp_actions *actions, bool clear_stats);

/* Removes 'mf' from 'pmd' and frees it (waits for the PMD). */
void megaflow_delete(struct pmd *, struct megaflow *);
/* Removes every megaflow of 'pmd'.  Returns how many. */
unsigned int megaflow_flush(struct pmd *);

/* Looks at up to 'budget' megaflows of 'pmd', going on from where the
 * previous call stopped (round and round), and removes those unused for
 * 'max_idle_ms' (counting from their creation if never used).  Returns
 * how many it removed. */
unsigned int megaflow_expire(struct pmd *, uint64_t max_idle_ms,
                             unsigned int budget);

/* Revalidation: 'check' decides for each megaflow of 'pmd' whether it
 * stays as it is (return MEGAFLOW_KEEP), gets the new actions it stores in
 * '*actions' (MEGAFLOW_MODIFY; ownership passes) or goes
 * (MEGAFLOW_DELETE); it may change the megaflow's control-thread
 * fields (acct_*).  Changes are sent in batches with one wait for the
 * PMD each.  Adds to 'modified' and 'deleted'. */
enum megaflow_verdict {
    MEGAFLOW_KEEP,
    MEGAFLOW_MODIFY,
    MEGAFLOW_DELETE,
};
/* The same in slices: megaflow_revalidate_start() begins a pass over
 * every megaflow 'pmd' has now; each megaflow_revalidate_some() checks at
 * most 'budget' (0: all) more and returns true once the pass is over (also
 * when none was started).  Megaflows installed during a pass are not in
 * it (their translation is new); deleted ones leave it. */
void megaflow_revalidate_start(struct pmd *);
bool megaflow_revalidate_some(struct pmd *, unsigned int budget,
                              enum megaflow_verdict (*check)(
                                  struct megaflow *,
                                  struct dp_actions **actions, void *aux),
                              void *aux, unsigned int *modified,
                              unsigned int *deleted);
void megaflow_revalidate(struct pmd *,
                         enum megaflow_verdict (*check)(
                             struct megaflow *,
                             struct dp_actions **actions, void *aux),
                         void *aux, unsigned int *modified,
                         unsigned int *deleted);

/* Calls 'cb' for at most 'budget' megaflows of 'pmd' (it must not delete
 * them), going on where the last call stopped and starting again from the
 * newest after the oldest.  Returns how many it visited. */
unsigned int megaflow_visit(struct pmd *, unsigned int budget,
                            void (*cb)(struct megaflow *, void *aux),
                            void *aux);

/* One line in ovs-appctl dpctl/dump-flows style:
 * "MATCH, packets:N, bytes:N, used:X.XXXs[, flags:F], actions:ACTIONS",
 * with flags (see flow_format_tcp_flags()) when a TCP packet with flags
 * hit it. */
void megaflow_format(const struct megaflow *, struct dstr *,
                     const char *(*port_name)(uint32_t, void *), void *aux);

#endif
