/* upcall: the control thread's side of datapath misses.
 *
 * Drains every PMD's upcall ring; for each missed packet re-extracts its
 * key, and either finds a megaflow already installed for it (pending
 * misses of one megaflow are translated once) or translates it through the
 * hook (xlate.h) and installs the resulting megaflow in the PMD that
 * missed; then executes the packet with the control thread's own tx
 * queues.  Also expires idle megaflows, and handles what a PMD that is
 * being stopped still has queued (dp_set_upcall_drain).  Counters for
 * every outcome. */
#ifndef SLUICE_UPCALL_H
#define SLUICE_UPCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dp;
struct dp_actions;
struct dstr;
struct loop;

struct upcall_stats {
    uint64_t handled;           /* Misses taken off the rings. */
    uint64_t translated;        /* ... that went through the hook. */
    uint64_t covered;           /* ... already covered by a megaflow. */
    uint64_t installed;         /* Megaflows installed. */
    uint64_t flow_limit;        /* Not installed: PMD at its flow limit. */
    uint64_t install_failed;    /* Not installed: other errors. */
    uint64_t xlate_errors;      /* Dropped: no translation to trust. */
    uint64_t dropped;           /* Dropped by their actions (a drop, a
                                 * failed copy or push) in the control
                                 * thread, installed or not. */
    uint64_t userspace;         /* Userspace-action packets received. */
    uint64_t recirc_too_deep;
    uint64_t expired;           /* Megaflows removed for idleness. */
    uint64_t revalidated;       /* Megaflows kept, actions updated. */
    uint64_t invalidated;       /* Megaflows deleted by revalidation. */
    uint64_t retranslated;      /* Megaflows revalidation translated. */
    uint64_t reval_passes, reval_slices;    /* Sliced revalidation. */
    uint64_t accounted;         /* Megaflow traffic pushed to rules. */
    uint64_t drained;           /* Upcalls of PMDs that were stopping. */
    uint64_t cycles;            /* TSC cycles the control thread spent
                                 * taking upcalls off the rings and
                                 * handling them (translation, install,
                                 * execution). */
};

/* Starts draining the rings and expiring megaflows from 'loop'. */
void upcall_start(struct dp *, struct loop *);
void upcall_stop(void);

/* Handles at most 'budget' upcalls per PMD now.  Returns how many. */
unsigned int upcall_run(struct dp *, unsigned int budget);

/* The translation changed (e.g. rules were edited): re-translates every
 * installed megaflow from its masked key.  A megaflow stays if the new
 * translation examines no field outside its mask (its actions are updated
 * if they changed); otherwise it is deleted and its traffic misses again.
 * Returns the number of megaflows deleted; adds to the stats. */
unsigned int upcall_revalidate(struct dp *);

/* The same, for the megaflows whose translation depended on 'tags'
 * (xlate.h), in slices from the loop: a pass starts in this loop
 * iteration (or 50 ms after the last one began and as long after it
 * ended as it took, whichever is later),
 * checks 512 megaflows per PMD per iteration, and changes made meanwhile
 * are taken by the next pass.  The loop and the PMDs never
 * wait for it; megaflows not yet visited keep their old actions until the
 * pass reaches them.  (Without a loop: at once, as upcall_revalidate().) */
void upcall_revalidate_tags(struct dp *, uint64_t tags);
/* Whether a sliced revalidation is under way or waiting. */
bool upcall_revalidating(void);

/* Pushes what megaflows forwarded since last time to what translated them
 * (xlate_translate() with stats: OpenFlow rules' counters), for a tenth of
 * each PMD's megaflows (at least 256, at most 8,192) per call, so that
 * calling it every 100 ms covers every megaflow each second up to 80k
 * megaflows per PMD.  Megaflows that no OpenFlow pipeline translated
 * (tags XLATE_TAGS_ALL) are left out: nothing counts their traffic.
 * Returns how many megaflows had traffic.  Revalidation accounts too. */
unsigned int upcall_account(struct dp *);

/* Packets that a datapath userspace action sent to the control thread
 * go to 'fn' (NULL: dropped), with the action's cookie and the frame. */
typedef void upcall_userspace_fn(uint32_t cookie, const uint8_t *frame,
                                 size_t len);
void upcall_set_userspace_handler(upcall_userspace_fn *);

/* Executes 'acts' on a copy of 'frame' ('len' bytes) as if received on
 * datapath port 'in_port' (UINT32_MAX: none), from the control thread
 * (packet-out).  Returns 0, -ENOMEM (no mbuf) or -EMSGSIZE. */
int upcall_execute_frame(struct dp *, const uint8_t *frame, size_t len,
                         uint32_t in_port, const struct dp_actions *acts);

const struct upcall_stats *upcall_get_stats(void);
void upcall_format_stats(struct dstr *);

#endif
