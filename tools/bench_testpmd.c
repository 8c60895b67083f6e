/* bench_testpmd: dpdk-testpmd as the reference. */
#include "tools/bench_testpmd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bench.h"
#include "tools/bench_guest.h"
#include "tools/bench_perf.h"
#include "tools/bench_proc.h"
#include "tools/bench_scenarios.h"
#include "tools/bench_stats.h"
#include "tools/bench_tpcli.h"

#define CMD_TIMEOUT 10.0
/* PVP: mbufs for two net_vhost ports (testpmd's default: 155k). */
#define PVP_MBUFS 16384

static void
build_testpmd_argv(const struct bench_run *r, struct bench_argv *a)
{
    const struct bench_opts *o = r->opts;
    int pmd_core = __builtin_ctzll(o->pmd_mask);

    bench_argv_add(a, "%s", o->testpmd);
    bench_argv_add(a, "--lcores=0@%d,1@%d", o->control_core, pmd_core);
    if (r->no_huge) {
        bench_argv_add(a, "--no-huge");
        bench_argv_add(a, "--no-shconf");
        bench_argv_add(a, "-m");
        bench_argv_add(a, "%u", r->memory_mb);
    } else {
        bench_argv_add(a, "--in-memory");
    }
    bench_argv_add(a, "--no-pci");
    if (r->scenario->guest) {
        bench_argv_add(a, "--vdev=net_vhost0,iface=%s/tp-vh0,queues=1",
                       r->dir);
        bench_argv_add(a, "--vdev=net_vhost1,iface=%s/tp-vh1,queues=1",
                       r->dir);
    } else {
        bench_argv_add(a, "--vdev=net_pcap0,rx_pcap=%s,infinite_rx=1",
                       r->pcap);
        bench_argv_add(a, "--vdev=net_null0,no-rx=1");
    }
    bench_argv_add(a, "--");
    bench_argv_add(a, "-i");
    bench_argv_add(a, "--forward-mode=%s", r->scenario->testpmd_fwd_mode);
    if (r->scenario->guest) {
        bench_argv_add(a, "--total-num-mbufs=%d", PVP_MBUFS);
    } else {
        bench_argv_add(a, "--total-num-mbufs=%u", r->n_mbuf);
        bench_argv_add(a, "--mbuf-size=%u", r->mbuf_size);
    }
    bench_argv_add(a, "--record-core-cycles");
    bench_argv_add(a, "--nb-cores=1");
    bench_argv_add(a, "--txq=1");
    bench_argv_add(a, "--rxq=1");
}

/* Runs the window on a started testpmd (and its guest, if any). */
static int
window(const struct bench_run *r, struct tpcli *tp, struct bench_guest *g,
       struct bench_result *res)
{
    uint64_t rx, tx;
    double t_clear, t_show, cycles, w;
    char *out = NULL;
    int ret;

    bench_sleep_showing(r->name, r->n_flows, "testpmd", "warming up",
                        r->opts->warmup);
    if (bench_stop_signal) {
        return -EINTR;
    }
    ret = tpcli_cmd(tp, "clear fwd stats all", CMD_TIMEOUT, NULL);
    t_clear = bench_now();
    if (!ret && g) {
        ret = bench_guest_window_begin(g);
    }
    if (ret) {
        return ret;
    }
    if (r->opts->perf) {
        bench_perf_start(r, "testpmd");
    }
    bench_sleep_showing(r->name, r->n_flows, "testpmd", "measuring",
                        r->opts->duration);
    if (r->opts->perf) {
        bench_perf_stop(r, "testpmd", bench_testpmd_child.pid,
                        "rte-worker");
    }
    if (bench_stop_signal) {
        return -EINTR;
    }
    if (g) {
        ret = bench_guest_window_end(g, &res->tp.guest_rx_mpps,
                                     &res->tp.guest_tx_mpps);
    }
    t_show = bench_now();
    if (!ret) {
        ret = tpcli_cmd(tp, "show fwd stats all", CMD_TIMEOUT, &out);
    }
    if (ret) {
        free(out);
        return ret;
    }
    if (!bench_stats_testpmd_fwd(out, &rx, &tx, &cycles) || !tx) {
        bench_note("testpmd: %s", !tx ? "nothing forwarded"
                                      : "no CPU cycles/packet line");
        free(out);
        return -EIO;
    }
    free(out);
    w = t_show - t_clear;
    res->tp.ok = w > 0 && (!g || res->tp.guest_rx_mpps > 0);
    res->tp.mpps = w > 0 ? rx / w / 1e6 : 0;
    res->tp.sent_mpps = w > 0 ? tx / w / 1e6 : 0;
    res->tp.cycles = cycles;
    return res->tp.ok ? 0 : -EIO;
}

int
bench_testpmd_run(const struct bench_run *r, struct bench_result *res)
{
    struct bench_argv a = { NULL, 0, 0 };
    struct bench_guest *g = NULL;
    struct tpcli *tp;
    char path[PATH_MAX], s0[PATH_MAX], s1[PATH_MAX];
    int ret;

    build_testpmd_argv(r, &a);
    snprintf(path, sizeof path, "%s/testpmd.out", r->dir);
    if (r->opts->verbose) {
        char *cmd = bench_argv_join(&a);

        bench_note("running: %s", cmd);
        free(cmd);
    }
    bench_progress("[%s %u flows] testpmd: starting", r->name,
                   r->n_flows);
    ret = tpcli_start(&tp, &bench_testpmd_child, a.v, path, "testpmd");
    bench_argv_free(&a);
    if (ret) {
        return ret;
    }
    ret = tpcli_wait_prompt(tp, r->opts->start_timeout);
    if (!ret) {
        ret = tpcli_cmd(tp, "start", CMD_TIMEOUT, NULL);
    }
    if (!ret && r->scenario->guest) {
        snprintf(s0, sizeof s0, "%s/tp-vh0", r->dir);
        snprintf(s1, sizeof s1, "%s/tp-vh1", r->dir);
        ret = bench_guest_start(r, "testpmd", s0, s1, &g);
    }
    if (!ret) {
        ret = window(r, tp, g, res);
    }
    bench_guest_stop(g);
    bench_progress_end();
    if (!tpcli_close(tp) && !ret) {
        bench_note("warning: testpmd did not exit cleanly");
    }
    if (ret && ret != -EINTR) {
        bench_note("testpmd failed (%s)", ret == -ECHILD ? "it exited"
                                                          : strerror(-ret));
        bench_print_tail(path, 30);
    }
    if (ret) {
        res->tp.ok = false;
    }
    return bench_stop_signal ? -EINTR : ret;
}
