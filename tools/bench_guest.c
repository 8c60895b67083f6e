/* bench_guest: the PVP scenario's guest. */
#include "tools/bench_guest.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bench_proc.h"
#include "tools/bench_stats.h"
#include "tools/bench_tpcli.h"
#include "tools/pcapgen.h"

#define CMD_TIMEOUT 10.0
/* Its memory, shared with the switch: mbufs and rings of two ports.
 * testpmd's default pool would be 155k mbufs (340 MB), all of it mapped
 * by the switch. */
#define GUEST_MEMORY_MB 256
#define GUEST_MBUFS 16384

struct bench_guest {
    const struct bench_run *run;
    char *who;
    struct tpcli *tp;
    double t_clear;             /* When the window began. */
};

static void
build_argv(const struct bench_run *r, const char *sock0, const char *sock1,
           struct bench_argv *a)
{
    const struct bench_opts *o = r->opts;

    bench_argv_add(a, "%s", o->testpmd);
    bench_argv_add(a, "--lcores=0@%d,1@%d", o->control_core,
                   o->control_core);
    bench_argv_add(a, "--no-pci");
    bench_argv_add(a, "--in-memory");
    bench_argv_add(a, "--single-file-segments");
    bench_argv_add(a, "-m");
    bench_argv_add(a, "%d", GUEST_MEMORY_MB);
    bench_argv_add(a, "--vdev=net_virtio_user0,path=%s,queues=1", sock0);
    bench_argv_add(a, "--vdev=net_virtio_user1,path=%s,queues=1", sock1);
    bench_argv_add(a, "--");
    bench_argv_add(a, "-i");
    bench_argv_add(a, "--forward-mode=flowgen");
    bench_argv_add(a, "--flowgen-flows=%u", r->n_flows);
    /* testpmd's packet length has no FCS. */
    bench_argv_add(a, "--txpkts=%u", o->frame_size - PCAPGEN_FCS_LEN);
    bench_argv_add(a, "--total-num-mbufs=%d", GUEST_MBUFS);
    bench_argv_add(a, "--nb-cores=1");
    bench_argv_add(a, "--rxq=1");
    bench_argv_add(a, "--txq=1");
}

static int
guest_failed(struct bench_guest *g, const char *what, int ret)
{
    bench_note("PVP guest (testpmd) on %s: %s: %s", g->who, what,
               ret == -ECHILD ? "it exited" : strerror(-ret));
    bench_print_tail(tpcli_log_path(g->tp), 20);
    return ret;
}

/* Packets received back on both ports since the last clear. */
static int
guest_counts(struct bench_guest *g, uint64_t *rx, uint64_t *tx)
{
    char *out;
    int ret = tpcli_cmd(g->tp, "show port stats all", CMD_TIMEOUT, &out);

    if (ret) {
        return guest_failed(g, "show port stats all", ret);
    }
    if (bench_stats_sum(out, "RX-packets:", rx) != 2
        || bench_stats_sum(out, "TX-packets:", tx) != 2) {
        bench_note("PVP guest: cannot read two ports' counters in \"%.300s\"",
                   out);
        free(out);
        return -EPROTO;
    }
    free(out);
    return 0;
}

int
bench_guest_start(const struct bench_run *r, const char *who,
                  const char *sock0, const char *sock1,
                  struct bench_guest **gp)
{
    struct bench_guest *g = calloc(1, sizeof *g);
    struct bench_argv a = { NULL, 0, 0 };
    char path[PATH_MAX];
    double deadline;
    uint64_t rx = 0, tx = 0;
    int ret;

    *gp = NULL;
    if (!g) {
        return -ENOMEM;
    }
    g->run = r;
    g->who = strdup(who);
    build_argv(r, sock0, sock1, &a);
    if (r->opts->verbose) {
        char *cmd = bench_argv_join(&a);

        bench_note("running: %s", cmd);
        free(cmd);
    }
    snprintf(path, sizeof path, "%s/guest-%s.out", r->dir, who);
    bench_progress("[%s %u flows] %s: starting the guest", r->name,
                   r->n_flows, who);
    ret = tpcli_start(&g->tp, &bench_guest_child, a.v, path, "guest");
    bench_argv_free(&a);
    if (ret) {
        free(g->who);
        free(g);
        return ret;
    }
    ret = tpcli_wait_prompt(g->tp, r->opts->start_timeout);
    if (!ret) {
        ret = tpcli_cmd(g->tp, "start", CMD_TIMEOUT, NULL);
    }
    if (ret) {
        guest_failed(g, "start-up", ret);
        bench_guest_stop(g);
        return ret;
    }
    /* Until what it sends comes back: the switch polls the rings once
     * the guest has set them up. */
    deadline = bench_now() + r->opts->start_timeout;
    while (!(ret = guest_counts(g, &rx, &tx)) && !rx) {
        if (bench_stop_signal || bench_now() > deadline) {
            bench_note("PVP guest: nothing came back through %s in %.0f s "
                       "(%llu packets sent)", who, r->opts->start_timeout,
                       (unsigned long long) tx);
            bench_print_tail(tpcli_log_path(g->tp), 20);
            ret = bench_stop_signal ? -EINTR : -ETIMEDOUT;
            break;
        }
        bench_sleep(0.2);
    }
    if (ret) {
        bench_guest_stop(g);
        return ret;
    }
    *gp = g;
    return 0;
}

int
bench_guest_window_begin(struct bench_guest *g)
{
    double t0 = bench_now();
    int ret = tpcli_cmd(g->tp, "clear port stats all", CMD_TIMEOUT, NULL);

    g->t_clear = (t0 + bench_now()) / 2;
    return ret ? guest_failed(g, "clear port stats all", ret) : 0;
}

int
bench_guest_window_end(struct bench_guest *g, double *rx_mpps,
                       double *tx_mpps)
{
    double t0 = bench_now(), t;
    uint64_t rx, tx;
    int ret = guest_counts(g, &rx, &tx);

    t = (t0 + bench_now()) / 2 - g->t_clear;
    *rx_mpps = *tx_mpps = 0;
    if (!ret && t > 0) {
        *rx_mpps = rx / t / 1e6;
        *tx_mpps = tx / t / 1e6;
    }
    return ret;
}

void
bench_guest_stop(struct bench_guest *g)
{
    if (g) {
        tpcli_close(g->tp);
        free(g->who);
        free(g);
    }
}
