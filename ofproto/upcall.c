/* upcall: miss handling, megaflow installation and expiry. */
#include "ofproto/upcall.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "ofproto/xlate.h"
#include "pmd/actions.h"
#include "pmd/dp.h"
#include "pmd/flow.h"
#include "pmd/megaflow.h"
#include "pmd/packet.h"
#include "pmd/pipeline.h"
#include "pmd/pmd.h"
#include "pmd/shared.h"
#include "pmd/tx.h"
#include "pmd/upcall_ring.h"
#include "src/util/dstr.h"
#include "src/util/loop.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(upcall);

#define UPCALL_BURST 64
#define UPCALL_BUDGET 4096          /* Per PMD per pass. */
#define UPCALL_POLL_MS 1
/* Idle expiry looks at a tenth of each PMD's megaflows every 100 ms, so
 * that a large table never stalls the loop in one go. */
#define UPCALL_EXPIRE_MS 100

static struct upcall_stats stats;
static struct loop *upcall_loop;
static struct dp *upcall_dp;
static struct loop_timer *poll_timer, *expire_timer;
static unsigned int recirc_depth;
static bool rerun_scheduled;    /* A 0 ms pass is already on its way. */
/* Sliced revalidation: the tags of the pass under way, and of changes
 * made since it began. */
static uint64_t reval_active, reval_pending;
static uint64_t reval_started_ms;       /* When the last pass began */
static uint64_t reval_ended_ms;         /* and ended. */
static struct loop_timer *reval_timer;

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 20);

static void handle_miss(struct pmd *, struct rte_mbuf *);

static upcall_userspace_fn *userspace_handler;

void
upcall_set_userspace_handler(upcall_userspace_fn *fn)
{
    userspace_handler = fn;
}

static void
control_userspace(struct dp_exec_ctx *ctx, struct rte_mbuf *pkt,
                  uint32_t cookie)
{
    (void) ctx;
    stats.userspace++;
    if (userspace_handler) {
        static uint8_t frame[UINT16_MAX];
        uint32_t len = rte_pktmbuf_pkt_len(pkt);
        if (len > sizeof frame) {
            len = sizeof frame;
        }
        const uint8_t *p = rte_pktmbuf_read(pkt, 0, len, frame);
        if (p) {
            userspace_handler(cookie, p, len);
        }
    }
    rte_pktmbuf_free(pkt);
}

static void
control_recirc(struct dp_exec_ctx *ctx, struct rte_mbuf **pkts, uint32_t n,
               uint32_t recirc_id)
{
    struct pmd *pmd = ctx->aux;
    for (uint32_t i = 0; i < n; i++) {
        if (!pmd || recirc_depth >= PIPELINE_MAX_RECIRC) {
            /* Too deep, or a frame of the control thread's own (no PMD
             * to install megaflows in). */
            stats.recirc_too_deep++;
            rte_pktmbuf_free(pkts[i]);
            continue;
        }
        packet_meta(pkts[i])->recirc_id = recirc_id;
        recirc_depth++;
        handle_miss(pmd, pkts[i]);
        recirc_depth--;
    }
}

static void
execute(struct pmd *pmd, struct rte_mbuf *pkt, const struct dp_actions *acts)
{
    struct dp_exec_ctx ctx = {
        .tx = dp_control_tx(upcall_dp),
        .userspace = control_userspace,
        .recirc = control_recirc,
        .aux = pmd,
    };
    stats.dropped += dp_actions_execute(&ctx, &pkt, 1, acts);
}

static void
handle_miss(struct pmd *pmd, struct rte_mbuf *pkt)
{
    struct packet_meta *md = packet_meta(pkt);
    struct miniflow key;
    struct flow flow;

    stats.handled++;
    flow_extract(rte_pktmbuf_mtod(pkt, const void *), pkt->data_len,
                 md->in_port, md->recirc_id, &key, &md->ofs);

    /* Already installed (a miss queued before its megaflow arrived)? */
    struct megaflow *mf = megaflow_lookup(pmd, &key);
    if (mf) {
        stats.covered++;
        mf->ctl_packets++;
        mf->ctl_bytes += rte_pktmbuf_pkt_len(pkt);
        execute(pmd, pkt, mf->actions);
        return;
    }

    struct xlate_out out;
    miniflow_expand(&key, &flow);
    stats.translated++;
    struct xlate_stats push = {
        .packets = 1, .bytes = rte_pktmbuf_pkt_len(pkt),
        .now_ms = loop_now_ms(),
    };
    if (xlate_translate(&flow, &push, &out)) {
        /* Nothing trustworthy to install: this packet is dropped. */
        stats.xlate_errors++;
        free(out.actions);
        rte_pktmbuf_free(pkt);
        return;
    }

    /* The packet goes first, with the one translation: a failed install
     * frees the actions.  Its later packets take the megaflow. */
    execute(pmd, pkt, out.actions);
    struct megaflow *installed;
    int error = megaflow_install(pmd, &flow, &out.mask, out.actions,
                                 &installed);
    if (!error) {
        installed->xlate_tags = out.tags;
        stats.installed++;
    } else if (error == -ENOSPC) {
        stats.flow_limit++;
    } else {
        stats.install_failed++;
        VLOG_WARN_RL(&rl, "pmd %u: megaflow not installed: %s",
                     pmd_core_id(pmd), strerror(-error));
    }
}

/* Handles at most 'budget' upcalls of 'pmd'.  Returns how many. */
static unsigned int
upcall_run_pmd(struct pmd *pmd, unsigned int budget)
{
    uint64_t start = rte_rdtsc();
    unsigned int done = 0;
    while (done < budget) {
        struct upcall_msg msgs[UPCALL_BURST];
        unsigned int n = upcall_ring_dequeue(pmd, msgs, UPCALL_BURST);
        if (!n) {
            break;
        }
        for (unsigned int i = 0; i < n; i++) {
            if (msgs[i].kind == UPCALL_USERSPACE) {
                control_userspace(NULL, msgs[i].pkt, msgs[i].cookie);
            } else {
                handle_miss(pmd, msgs[i].pkt);
            }
        }
        done += n;
    }
    if (done) {
        stats.cycles += rte_rdtsc() - start;
    }
    return done;
}

unsigned int
upcall_run(struct dp *dp, unsigned int budget)
{
    unsigned int total = 0;

    upcall_dp = dp;
    for (unsigned int p = 0; p < dp_n_pmds(dp); p++) {
        total += upcall_run_pmd(dp_pmd(dp, p), budget);
    }
    tx_flush(dp_control_tx(dp));
    return total;
}

/* A PMD that polls nothing any more is about to stop: everything it
 * queued is handled now (its ring is bounded, so this ends). */
static void
upcall_drain_pmd(struct pmd *pmd, void *dp_)
{
    struct dp *dp = dp_;
    upcall_dp = dp;
    unsigned int n = upcall_run_pmd(pmd, UINT32_MAX);
    tx_flush(dp_control_tx(dp));
    stats.drained += n;
}

static void
on_rerun(void *dp_);

static void
on_poll(void *dp_)
{
    struct dp *dp = dp_;
    /* A full budget means more is waiting: come back at once (but leave
     * the loop a turn for the control socket and other timers). */
    if (upcall_run(dp, UPCALL_BUDGET) >= UPCALL_BUDGET && !rerun_scheduled) {
        rerun_scheduled = true;
        loop_add_timer(upcall_loop, 0, false, on_rerun, dp);
    }
}

static void
on_rerun(void *dp_)
{
    rerun_scheduled = false;
    on_poll(dp_);
}

static void
on_expire(void *dp_)
{
    struct dp *dp = dp_;
    struct dp_tunables t;
    dp_get_tunables(dp, &t);
    for (unsigned int p = 0; p < dp_n_pmds(dp); p++) {
        struct pmd *pmd = dp_pmd(dp, p);
        stats.expired += megaflow_expire(pmd, t.max_idle_ms,
                                         megaflow_count(pmd) / 10 + 256);
    }
}

void
upcall_start(struct dp *dp, struct loop *loop)
{
    upcall_dp = dp;
    upcall_loop = loop;
    poll_timer = loop_add_timer(loop, UPCALL_POLL_MS, true, on_poll, dp);
    expire_timer = loop_add_timer(loop, UPCALL_EXPIRE_MS, true, on_expire,
                                  dp);
    dp_set_upcall_drain(dp, upcall_drain_pmd, dp);
}

void
upcall_stop(void)
{
    if (upcall_dp) {
        dp_set_upcall_drain(upcall_dp, NULL, NULL);
    }
    if (upcall_loop) {
        loop_cancel_timer(upcall_loop, poll_timer);
        loop_cancel_timer(upcall_loop, expire_timer);
        if (reval_timer) {
            loop_cancel_timer(upcall_loop, reval_timer);
            reval_timer = NULL;
        }
        reval_active = reval_pending = 0;
        upcall_loop = NULL;
    }
}

/* Frames the control thread sends itself (packet-out): a small pool of
 * its own, made on first use, with room for a frame of almost 64 kB in
 * one mbuf. */
#define CTL_POOL_MBUFS 255
#define CTL_POOL_ROOM UINT16_MAX
static struct rte_mempool *ctl_pool;

int
upcall_execute_frame(struct dp *dp, const uint8_t *frame, size_t len,
                     uint32_t in_port, const struct dp_actions *acts)
{
    if (len > CTL_POOL_ROOM - RTE_PKTMBUF_HEADROOM) {
        return -EMSGSIZE;
    }
    if (!ctl_pool) {
        ctl_pool = rte_pktmbuf_pool_create("sl_ctl_out", CTL_POOL_MBUFS, 0,
                                           PACKET_PRIV_SIZE, CTL_POOL_ROOM,
                                           SOCKET_ID_ANY);
        if (!ctl_pool) {
            VLOG_WARN_RL(&rl, "cannot create the control thread's mbuf "
                         "pool: %s", rte_strerror(rte_errno));
            return -ENOMEM;
        }
    }
    struct rte_mbuf *pkt = rte_pktmbuf_alloc(ctl_pool);
    if (!pkt) {
        return -ENOMEM;
    }
    char *data = rte_pktmbuf_append(pkt, (uint16_t) len);
    if (!data) {
        rte_pktmbuf_free(pkt);
        return -EMSGSIZE;
    }
    memcpy(data, frame, len);
    struct packet_meta *md = packet_meta(pkt);
    memset(md, 0, sizeof *md);
    md->in_port = in_port;
    struct miniflow key;
    flow_extract(data, len, in_port, 0, &key, &md->ofs);
    upcall_dp = dp;
    execute(NULL, pkt, acts);
    tx_flush(dp_control_tx(dp));
    return 0;
}

/* At most this many megaflows per PMD per upcall_account() call (every
 * 100 ms: 80k a second), so that accounting never takes the control
 * thread from upcalls; beyond 80k megaflows with traffic, each is
 * accounted less often than once a second. */
#define ACCOUNT_MAX 8192

/* The traffic 'mf' forwarded since it was last accounted, in 'st';
 * NULL if none. */
static const struct xlate_stats *
account_delta(struct megaflow *mf, struct xlate_stats *st)
{
    uint64_t packets = SHARED_READ(mf->packets) + mf->ctl_packets;
    uint64_t bytes = SHARED_READ(mf->bytes) + mf->ctl_bytes;
    if (packets == mf->acct_packets) {
        return NULL;
    }
    st->packets = packets - mf->acct_packets;
    st->bytes = bytes - mf->acct_bytes;
    st->now_ms = loop_now_ms();
    mf->acct_packets = packets;
    mf->acct_bytes = bytes;
    return st;
}

static void
account_megaflow(struct megaflow *mf, void *aux)
{
    struct xlate_stats st;
    unsigned int *n = aux;
    if (mf->xlate_tags == XLATE_TAGS_ALL) {
        return;                 /* No OpenFlow rule to account to (a debug
                                 * rule, a port in no bridge). */
    }
    const struct xlate_stats *push = account_delta(mf, &st);
    if (push) {
        struct xlate_out out;
        xlate_translate(&mf->key, push, &out);
        free(out.actions);
        (*n)++;
    }
}

unsigned int
upcall_account(struct dp *dp)
{
    unsigned int n = 0;
    for (unsigned int p = 0; p < dp_n_pmds(dp); p++) {
        struct pmd *pmd = dp_pmd(dp, p);
        unsigned int budget = megaflow_count(pmd) / 10 + 256;
        megaflow_visit(pmd, budget < ACCOUNT_MAX ? budget : ACCOUNT_MAX,
                       account_megaflow, &n);
    }
    stats.accounted += n;
    return n;
}

static enum megaflow_verdict
revalidate_megaflow(struct megaflow *mf, struct dp_actions **actions,
                    void *aux)
{
    const uint64_t *tags = aux;
    struct xlate_out out;
    struct xlate_stats st;

    if (!(mf->xlate_tags & *tags)) {
        return MEGAFLOW_KEEP;   /* Nothing it depends on changed. */
    }
    stats.retranslated++;
    if (xlate_translate(&mf->key, account_delta(mf, &st), &out)) {
        free(out.actions);
        return MEGAFLOW_DELETE;
    }
    /* Safe only if the translation looked at nothing the megaflow
     * wildcards: then it holds for every packet the megaflow covers. */
    if (!flow_mask_within(&out.mask, &mf->mask)) {
        free(out.actions);
        return MEGAFLOW_DELETE;
    }
    mf->xlate_tags = out.tags;
    if (dp_actions_equal(out.actions, mf->actions)) {
        free(out.actions);
        return MEGAFLOW_KEEP;
    }
    *actions = out.actions;
    return MEGAFLOW_MODIFY;
}

unsigned int
upcall_revalidate(struct dp *dp)
{
    uint64_t all = XLATE_TAGS_ALL;
    unsigned int modified = 0, deleted = 0;
    for (unsigned int p = 0; p < dp_n_pmds(dp); p++) {
        megaflow_revalidate(dp_pmd(dp, p), revalidate_megaflow, &all,
                            &modified, &deleted);
    }
    stats.revalidated += modified;
    stats.invalidated += deleted;
    return deleted;
}

/* Revalidation in slices (upcall_revalidate_tags()): a pass checks every
 * megaflow against the tags that had changed when it began, REVAL_SLICE
 * megaflows per PMD per loop iteration; changes during a pass wait in
 * 'reval_pending' for the next one. */
#define REVAL_SLICE 512
#define REVAL_INTERVAL_MS 50

/* Starts the pass of the changes made so far, or waits until
 * REVAL_INTERVAL_MS have passed since the last pass began and as long as
 * that pass took since it ended: a stream of flow_mods costs a pass per
 * interval, not one per loop iteration, and passes take at most half of
 * the control thread. */
static void reval_slice(void *dp_);

static void
reval_schedule(struct dp *dp)
{
    if (reval_timer || !upcall_loop) {
        return;
    }
    uint64_t ms = 0;
    if (!reval_active) {
        uint64_t now = loop_now_ms();
        uint64_t took = reval_ended_ms - reval_started_ms;
        uint64_t at = reval_started_ms + REVAL_INTERVAL_MS;
        if (reval_ended_ms + took > at) {
            at = reval_ended_ms + took;
        }
        ms = at > now ? at - now : 0;
    }
    reval_timer = loop_add_timer(upcall_loop, ms, false, reval_slice, dp);
}

static void
reval_slice(void *dp_)
{
    struct dp *dp = dp_;
    unsigned int modified = 0, deleted = 0;
    bool done = true;

    reval_timer = NULL;
    if (!reval_active && reval_pending) {
        reval_active = reval_pending;
        reval_pending = 0;
        reval_started_ms = loop_now_ms();
        for (unsigned int p = 0; p < dp_n_pmds(dp); p++) {
            megaflow_revalidate_start(dp_pmd(dp, p));
        }
    }
    if (reval_active) {
        uint64_t start = rte_rdtsc();
        for (unsigned int p = 0; p < dp_n_pmds(dp); p++) {
            done &= megaflow_revalidate_some(dp_pmd(dp, p), REVAL_SLICE,
                                             revalidate_megaflow,
                                             &reval_active, &modified,
                                             &deleted);
        }
        stats.revalidated += modified;
        stats.invalidated += deleted;
        stats.reval_slices++;
        stats.cycles += rte_rdtsc() - start;
        if (done) {
            stats.reval_passes++;
            reval_active = 0;
            reval_ended_ms = loop_now_ms();
        }
    }
    if (reval_active || reval_pending) {
        reval_schedule(dp);
    }
}

void
upcall_revalidate_tags(struct dp *dp, uint64_t tags)
{
    if (!upcall_loop) {
        upcall_revalidate(dp);
        return;
    }
    reval_pending |= tags;
    reval_schedule(dp);
}

bool
upcall_revalidating(void)
{
    return reval_active || reval_pending;
}

const struct upcall_stats *
upcall_get_stats(void)
{
    return &stats;
}

void
upcall_format_stats(struct dstr *s)
{
    dstr_printf(s, "upcalls (control thread):\n"
                "  handled: %lu\n  translated: %lu\n"
                "  covered by an installed megaflow: %lu\n"
                "  megaflows installed: %lu\n"
                "  not installed, flow limit: %lu\n"
                "  not installed, other errors: %lu\n"
                "  translation errors: %lu\n"
                "  dropped by their actions: %lu\n"
                "  userspace packets: %lu\n"
                "  dropped, recirculated too often: %lu\n"
                "  megaflows expired: %lu\n"
                "  megaflows revalidated with new actions: %lu\n"
                "  megaflows deleted by revalidation: %lu\n"
                "  megaflows translated again by revalidation: %lu\n"
                "  revalidation passes (slices): %lu (%lu)\n"
                "  megaflow traffic accounted to rules: %lu\n"
                "  drained from stopping PMDs: %lu\n"
                "  cycles handling upcalls: %lu\n",
                stats.handled, stats.translated, stats.covered,
                stats.installed, stats.flow_limit, stats.install_failed,
                stats.xlate_errors, stats.dropped, stats.userspace,
                stats.recirc_too_deep, stats.expired, stats.revalidated,
                stats.invalidated, stats.retranslated, stats.reval_passes,
                stats.reval_slices, stats.accounted, stats.drained,
                stats.cycles);
}
