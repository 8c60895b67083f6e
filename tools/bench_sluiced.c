/* bench_sluiced: sluiced under measurement. */
#include "tools/bench_sluiced.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/util/ctl_client.h"
#include "src/util/dstr.h"
#include "tools/bench.h"
#include "tools/bench_guest.h"
#include "tools/bench_openflow.h"
#include "tools/bench_ovsdb.h"
#include "tools/bench_perf.h"
#include "tools/bench_stats.h"
#include "tools/bench_proc.h"
#include "tools/bench_scenarios.h"

/* Setup measures the time sluiced takes to install a fixed number of
 * megaflows: from the moment this share of the flows is installed (the
 * start-up transient is over) to the moment that one is.  Beyond the
 * upper share the remaining flows are found ever more rarely among
 * packets of installed flows, and the figure would measure the traffic,
 * not sluiced; below it, with half of the flows left and several Mpps
 * received, misses still come several times faster than installs.  At
 * 1M flows that is 400k megaflows, about 1.5 s at the usual rate. */
#define SETUP_FROM_SHARE 0.1
#define SETUP_TO_SHARE 0.5
/* Sampling period.  Setup samples often and interpolates the moments the
 * two counts were crossed. */
#define SAMPLE_PERIOD 1.0
#define SETUP_SAMPLE_PERIOD 0.1
/* How long `exit` may take: sluiced flushes megaflows at some 30k/s. */
#define EXIT_TIMEOUT 10.0
#define EXIT_MEGAFLOWS_PER_S 20000.0
/* Megaflow dumps bigger than this are not saved. */
#define MAX_SAVED_FLOWS 20000

int
bench_ctl_call(struct ctl_client *ctl, const char *method, int argc,
               const char *argv[], char **reply, struct dstr *err)
{
    char *result = NULL, *error = NULL;
    int ret;

    *reply = NULL;
    ret = ctl_client_call(ctl, method, argc, argv, BENCH_CTL_TIMEOUT_MS,
                          &result, &error);
    if (ret) {
        dstr_printf(err, "%s: %s", method, strerror(-ret));
        return ret;
    }
    if (error) {
        size_t n = strlen(error);

        while (n && error[n - 1] == '\n') {
            error[--n] = '\0';
        }
        dstr_printf(err, "%s", method);
        for (int i = 0; i < argc; i++) {
            dstr_printf(err, " \"%s\"", argv[i]);
        }
        dstr_printf(err, ": %s", error);
        free(error);
        free(result);
        return -EPROTO;
    }
    *reply = result ? result : strdup("");
    return 0;
}

/* Samples the counters; with 'setup', also the megaflows installed. */
static int
sample(struct ctl_client *ctl, bool setup, struct bench_dp_sample *s,
       struct dstr *err)
{
    double t0 = bench_now();
    char *reply;
    int ret;

    memset(s, 0, sizeof *s);
    ret = bench_ctl_call(ctl, "dpif-netdev/pmd-stats-show", 0, NULL,
                         &reply, err);
    if (ret) {
        return ret;
    }
    ret = bench_pmdstats_parse(reply, s);
    if (ret) {
        dstr_printf(err, "cannot parse pmd-stats-show reply: \"%.200s\"",
                    reply);
    }
    free(reply);
    s->t = (t0 + bench_now()) / 2;
    if (!ret && setup) {
        ret = bench_ctl_call(ctl, "dpif-netdev/pmd-perf-show", 0, NULL,
                             &reply, err);
        if (ret) {
            return ret;
        }
        const char *end = reply + strlen(reply);

        if (!bench_pmdstats_add(reply, end, "megaflows installed:",
                                &s->installed)) {
            dstr_printf(err, "no \"megaflows installed:\" in pmd-perf-show "
                        "reply: \"%.200s\"", reply);
            ret = -EPROTO;
        }
        bench_pmdstats_add(reply, end, "handled:", &s->handled);
        s->have_upcall_cycles = bench_pmdstats_add(reply, end,
                                                   "cycles handling upcalls:",
                                                   &s->upcall_cycles);
        /* Under upcall load, replies wait for the control thread's loop;
         * the counter is read just before the reply is sent. */
        s->t_installed = bench_now();
        free(reply);
    }
    return ret;
}

/* ---- Starting and stopping. ---- */

/* Reads the pid from 'path'; 0 if there is none yet. */
static pid_t
read_pidfile(const char *path)
{
    FILE *f = fopen(path, "r");
    long pid = 0;

    if (f) {
        if (fscanf(f, "%ld", &pid) != 1) {
            pid = 0;
        }
        fclose(f);
    }
    return pid;
}

static void
sluiced_failed(const struct bench_run *r, const char *what)
{
    char path[PATH_MAX];

    bench_note("%s", what);
    snprintf(path, sizeof path, "%s/sluiced.log", r->dir);
    bench_print_tail(path, 25);
    snprintf(path, sizeof path, "%s/sluiced.out", r->dir);
    bench_print_tail(path, 25);
}

static void
build_sluiced_argv(const struct bench_run *r, const char *sluiced,
                   struct bench_argv *a)
{
    const struct bench_opts *o = r->opts;

    bench_argv_add(a, "%s", sluiced);
    bench_argv_add(a, "--run-dir=%s", r->dir);
    bench_argv_add(a, "--log-file=%s/sluiced.log", r->dir);
    bench_argv_add(a, "--control-core=%d", o->control_core);
    bench_argv_add(a, "--pmd-cpu-mask=0x%" PRIx64, o->pmd_mask);
    bench_argv_add(a, "--memory=%u", r->memory_mb);
    if (r->no_huge) {
        bench_argv_add(a, "--no-huge");
    }
    if (!r->openflow) {
        r->scenario->sluiced_args(r, a);    /* Else the ports are br0's. */
    }
    bench_argv_add_words(a, o->sluiced_args);
}

/* Waits until sluiced is ready and connects to it.  Returns 0, or a
 * negative errno after printing why. */
static int
sluiced_connect(const struct bench_run *r, struct ctl_client **ctlp)
{
    double deadline = bench_now() + r->opts->start_timeout;
    char pidfile[PATH_MAX], sock[PATH_MAX + 32], msg[256];
    int ret = -ETIMEDOUT;

    snprintf(pidfile, sizeof pidfile, "%s/sluiced.pid", r->dir);
    *ctlp = NULL;
    while (!bench_stop_signal) {
        int status;
        pid_t pid;

        if (bench_child_wait(&bench_sluiced_child, 0, &status)) {
            char st[64];

            bench_describe_status(status, st, sizeof st);
            snprintf(msg, sizeof msg, "sluiced exited during start-up (%s)",
                     st);
            sluiced_failed(r, msg);
            return -ECHILD;
        }
        pid = read_pidfile(pidfile);
        if (pid > 0) {
            snprintf(sock, sizeof sock, "%s/sluiced.%ld.ctl", r->dir,
                     (long) pid);
            ret = ctl_client_open(sock, ctlp);
            if (!ret) {
                return 0;
            }
        }
        if (bench_now() > deadline) {
            snprintf(msg, sizeof msg, "sluiced not ready after %.0f s (%s)",
                     r->opts->start_timeout,
                     pid > 0 ? strerror(-ret) : "no pidfile");
            sluiced_failed(r, msg);
            return -ETIMEDOUT;
        }
        bench_sleep(0.05);
    }
    return -EINTR;
}

/* --openflow: bridge br0 with the ports, then the scenario's flows on
 * it (also saved in the run directory, for the record). */
static int
configure_openflow(const struct bench_run *r, struct dstr *err)
{
    struct dstr flows = DSTR_INIT;
    char path[PATH_MAX];
    FILE *f;
    int ret;

    ret = bench_ovsdb_add_bridge(r, r->opts->start_timeout, err);
    if (ret) {
        return ret;
    }
    dstr_init(&flows);
    r->scenario->of_flows(r, &flows);
    snprintf(path, sizeof path, "%s/openflow-flows.txt", r->dir);
    f = fopen(path, "w");
    if (f) {
        fputs(dstr_cstr(&flows), f);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/%s.mgmt", r->dir, BENCH_BRIDGE);
    ret = bench_openflow_install(path, dstr_cstr(&flows),
                                 BENCH_CTL_TIMEOUT_MS / 1000.0, err);
    dstr_free(&flows);
    return ret;
}

/* Stops sluiced, which holds 'megaflows', with the `exit` command;
 * reports an unclean or slow exit. */
static void
sluiced_shutdown(const struct bench_run *r, struct ctl_client *ctl,
                 uint64_t megaflows)
{
    double timeout = EXIT_TIMEOUT + megaflows / EXIT_MEGAFLOWS_PER_S;
    double t0 = bench_now();
    char *result = NULL, *error = NULL;
    int status;

    ctl_client_call(ctl, "exit", 0, NULL, BENCH_CTL_TIMEOUT_MS, &result,
                    &error);
    free(result);
    free(error);
    ctl_client_close(ctl);
    if (bench_child_wait(&bench_sluiced_child, timeout, &status)) {
        if (bench_now() - t0 > 2) {
            bench_note("note: sluiced took %.1f s to exit (%" PRIu64
                       " megaflows)", bench_now() - t0, megaflows);
        }
        if (status) {
            char st[64], msg[128];

            bench_describe_status(status, st, sizeof st);
            snprintf(msg, sizeof msg, "warning: sluiced did not exit "
                     "cleanly after `exit` (%s)", st);
            sluiced_failed(r, msg);
        }
    } else {
        bench_note("warning: sluiced still running %.0f s after `exit` "
                   "(%" PRIu64 " megaflows); sending SIGTERM", timeout,
                   megaflows);
        bench_child_stop(&bench_sluiced_child);
    }
}

/* Saves the reply of 'method' to DIR/FILE, for the record. */
static void
save_reply(const struct bench_run *r, struct ctl_client *ctl,
           const char *method, const char *file)
{
    struct dstr err = DSTR_INIT;
    char path[PATH_MAX];
    char *reply;
    FILE *f;

    dstr_init(&err);
    if (!bench_ctl_call(ctl, method, 0, NULL, &reply, &err)) {
        snprintf(path, sizeof path, "%s/%s", r->dir, file);
        f = fopen(path, "w");
        if (f) {
            fputs(reply, f);
            fclose(f);
        }
        if (r->opts->verbose && strcmp(method, "dpctl/dump-flows")) {
            bench_progress_end();
            fprintf(stderr, "%s:\n%s", method, reply);
        }
        free(reply);
    }
    dstr_free(&err);
}

/* ---- Measuring. ---- */

static void
show_progress(const struct bench_run *r, const struct bench_dp_sample *t0,
              const struct bench_dp_sample *prev,
              const struct bench_dp_sample *cur, uint64_t installed_base)
{
    double dt = cur->t - prev->t;

    if (dt <= 0) {
        return;
    }
    if (r->scenario->figure == BENCH_FIG_SETUP) {
        double dti = cur->t_installed - prev->t_installed;

        bench_progress("[%s %u flows] sluiced: %4.1f/%.0f s  %8.0f "
                       "megaflows/s (%" PRIu64 " installed)",
                       r->name, r->n_flows, cur->t - t0->t,
                       r->opts->duration,
                       dti > 0 ? (cur->installed - prev->installed) / dti
                               : 0,
                       cur->installed - installed_base);
    } else {
        bench_progress("[%s %u flows] sluiced: %4.1f/%.0f s  %8.3f Mpps",
                       r->name, r->n_flows, cur->t - t0->t,
                       r->opts->duration,
                       (cur->received - prev->received) / dt / 1e6);
    }
}

static double
pct(uint64_t a, uint64_t b)
{
    return b ? 100.0 * a / b : 0;
}

static void
fill_result(const struct bench_run *r, const struct bench_dp_sample *s0,
            const struct bench_dp_sample *s, struct bench_result *res)
{
    uint64_t hits = s->megaflow_hits - s0->megaflow_hits;

    res->seconds = s->t - s0->t;
    res->packets = s->received - s0->received;
    res->sent = s->sent - s0->sent;
    res->dropped = s->dropped - s0->dropped;
    res->mpps = res->seconds > 0 ? res->packets / res->seconds / 1e6 : 0;
    res->sent_mpps = res->seconds > 0 ? res->sent / res->seconds / 1e6 : 0;
    res->dropped_mpps = res->seconds > 0 ? res->dropped / res->seconds / 1e6
                                         : 0;
    res->have_cmd_cycles = s->have_cmd;
    if (res->packets) {
        res->cycles = (double) (s->processing - s0->processing)
                      / res->packets;
        res->cmd_cycles = (double) (s->cmd - s0->cmd) / res->packets;
        res->total_cycles = (double) (s->processing - s0->processing
                                      + s->idle - s0->idle) / res->packets;
    }
    res->emc_pct = pct(s->emc_hits - s0->emc_hits, res->packets);
    res->megaflow_pct = pct(hits, res->packets);
    res->subtable_lookups = hits ? (s->lookups - s0->lookups) / hits : 0;
    res->upcalls = s->upcalls - s0->upcalls;
    res->lost_upcalls = s->lost_upcalls - s0->lost_upcalls;
    res->megaflows = s->megaflows;
    /* Forwarded, not merely received; PVP: and back in the guest. */
    res->ok = res->sent > 0;
    if (r->scenario->guest) {
        res->ok = res->ok && res->guest_rx_mpps > 0;
    }
    if (r->scenario->figure == BENCH_FIG_SETUP) {
        double dt = s->t_installed - s0->t_installed;
        uint64_t handled = s->handled - s0->handled;

        res->installed = s->installed - s0->installed;
        res->setup_seconds = dt;
        res->setup_rate = dt > 0 ? res->installed / dt : 0;
        res->have_upcall_cycles = s->have_upcall_cycles && handled;
        res->upcall_cycles = handled ? (double) (s->upcall_cycles
                                                 - s0->upcall_cycles)
                                       / handled : 0;
        res->ok = res->ok && res->installed > 0;
    }
}

/* The moment, between samples 'a' and 'b', at which 'count' megaflows
 * had been installed, by linear interpolation. */
static double
crossing_time(const struct bench_dp_sample *a, const struct bench_dp_sample *b,
              double count)
{
    double d = (double) b->installed - a->installed;
    double f = d > 0 ? (count - a->installed) / d : 1;

    return a->t_installed + f * (b->t_installed - a->t_installed);
}

/* Setup: when sample 'cur' (after 'prev') crosses the lower count,
 * '*s0' becomes the window's start ('*from' set); when it crosses the
 * upper one, 'cur' becomes its end and this returns true.  Counts and
 * times are exact (interpolated); the other counters are those of the
 * samples around the window (from 'prev' before the lower count to 'cur'
 * after the upper one), so that the window always spans a period. */
static bool
setup_crossed(const struct bench_run *r, const struct bench_dp_sample *base,
              const struct bench_dp_sample *prev, struct bench_dp_sample *cur,
              bool *from, struct bench_dp_sample *s0)
{
    double lo = base->installed + SETUP_FROM_SHARE * r->n_flows;
    double hi = base->installed + SETUP_TO_SHARE * r->n_flows;

    if (!*from && cur->installed >= lo) {
        *s0 = *prev;
        s0->t_installed = crossing_time(prev, cur, lo);
        s0->installed = (uint64_t) lo;
        *from = true;
    }
    if (*from && cur->installed >= hi) {
        cur->t_installed = crossing_time(prev, cur, hi);
        cur->installed = (uint64_t) hi;
        return true;
    }
    return false;
}

/* Warm-up, then one sample a period over the window into *s0 (first)
 * and *s (last); with a 'guest', its counters over the same window into
 * 'res'.  Returns 0, or a negative errno with a message in 'err'. */
static int
measure(const struct bench_run *r, struct ctl_client *ctl,
        struct bench_guest *guest, struct bench_dp_sample *s0,
        struct bench_dp_sample *s, struct bench_result *res,
        struct dstr *err)
{
    const struct bench_opts *o = r->opts;
    const struct bench_scenario *sc = r->scenario;
    bool setup = sc->figure == BENCH_FIG_SETUP;
    double period = setup ? SETUP_SAMPLE_PERIOD : SAMPLE_PERIOD;
    double warmup = o->warmup, t_ready, t;
    struct bench_dp_sample base, prev;
    bool from = false, done = false;
    int ret;

    memset(s0, 0, sizeof *s0);
    if (sc->no_warmup) {
        warmup = 0;
    }
    ret = sample(ctl, setup, &base, err);
    t_ready = bench_now();
    while (!ret && !bench_stop_signal
           && (t = bench_now()) < t_ready + warmup) {
        bench_progress("[%s %u flows] sluiced: warming up %.0f/%.0f s",
                       r->name, r->n_flows, t - t_ready, warmup);
        bench_sleep(t_ready + warmup - t < 0.5 ? t_ready + warmup - t
                                               : 0.5);
    }
    if (!ret && guest && bench_guest_window_begin(guest)) {
        dstr_put(err, "the PVP guest failed");
        ret = -EIO;
    }
    if (!ret) {
        ret = sample(ctl, setup, s0, err);
    }
    if (!ret && o->perf) {
        bench_perf_start(r, "sluiced");
    }
    prev = *s = *s0;
    while (!ret && !bench_stop_signal && s->t < s0->t + o->duration) {
        double end = s0->t + o->duration;
        double next = prev.t + period < end ? prev.t + period : end;

        while (!bench_stop_signal && bench_now() < next) {
            bench_sleep(next - bench_now());
        }
        if (bench_stop_signal) {
            break;
        }
        ret = sample(ctl, setup, s, err);
        if (ret) {
            break;
        }
        show_progress(r, s0, &prev, s, base.installed);
        if (setup && setup_crossed(r, &base, &prev, s, &from, s0)) {
            done = true;
            break;
        }
        prev = *s;
    }
    if (o->perf) {
        bench_perf_stop(r, "sluiced", bench_sluiced_child.pid, "pmd-c");
    }
    if (!ret && guest && !bench_stop_signal
        && bench_guest_window_end(guest, &res->guest_rx_mpps,
                                  &res->guest_tx_mpps)) {
        dstr_put(err, "the PVP guest failed");
        ret = -EIO;
    }
    if (setup && !done && !ret && !bench_stop_signal) {
        bench_note("%s, %u flows: %.0f%% of the flows not installed within "
                   "--duration %.0f s; the figure covers %s", r->name,
                   r->n_flows, 100 * SETUP_TO_SHARE, o->duration,
                   from ? "the rest of the window"
                        : "the whole window, start-up included");
    }
    return ret ? ret : bench_stop_signal ? -EINTR : 0;
}

int
bench_sluiced_run(const struct bench_run *r, const char *sluiced,
                  struct bench_result *res)
{
    const struct bench_opts *o = r->opts;
    struct ctl_client *ctl = NULL;
    struct bench_guest *guest = NULL;
    struct bench_argv a = { NULL, 0, 0 };
    struct dstr err = DSTR_INIT;
    struct bench_dp_sample s0, s;
    char path[PATH_MAX];
    int fd, ret;

    memset(&s, 0, sizeof s);
    dstr_init(&err);
    build_sluiced_argv(r, sluiced, &a);
    snprintf(path, sizeof path, "%s/sluiced.out", r->dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        ret = -errno;
        bench_note("%s: %s", path, strerror(errno));
        bench_argv_free(&a);
        return ret;
    }
    if (o->verbose) {
        char *cmd = bench_argv_join(&a);

        bench_note("running: %s", cmd);
        free(cmd);
    }
    bench_progress("[%s %u flows] sluiced: starting", r->name,
                   r->n_flows);
    ret = bench_child_start(&bench_sluiced_child, a.v, fd, SIGTERM);
    close(fd);
    bench_argv_free(&a);
    if (ret) {
        bench_note("cannot start %s: %s", sluiced, strerror(-ret));
        return ret;
    }

    ret = sluiced_connect(r, &ctl);
    if (ret) {
        goto out;
    }
    if (r->openflow || r->scenario->configure) {
        bench_progress("[%s %u flows] sluiced: configuring",
                       r->name, r->n_flows);
        ret = !r->openflow ? r->scenario->configure(r, ctl, &err)
              : r->scenario->of_configure
              ? r->scenario->of_configure(r, ctl, &err) : 0;
        if (!ret && r->openflow) {
            ret = configure_openflow(r, &err);
        }
        if (ret) {
            sluiced_failed(r, dstr_cstr(&err));
            goto out;
        }
    }
    if (r->scenario->guest) {
        char s0p[PATH_MAX], s1p[PATH_MAX];

        /* The sockets are named after the interfaces, in the run
         * directory (no vhost-sock-dir). */
        snprintf(s0p, sizeof s0p, "%s/vh0", r->dir);
        snprintf(s1p, sizeof s1p, "%s/vh1", r->dir);
        ret = bench_guest_start(r, "sluiced", s0p, s1p, &guest);
        if (ret) {
            sluiced_failed(r, "the PVP guest did not start");
            goto out;
        }
    }
    ret = measure(r, ctl, guest, &s0, &s, res, &err);
    if (ret == -EINTR) {
        goto out;
    } else if (ret) {
        sluiced_failed(r, dstr_cstr(&err));
        goto out;
    }

    fill_result(r, &s0, &s, res);
    if (!res->ok) {
        sluiced_failed(r, !res->packets ? "sluiced received no packets"
                          : !res->sent ? "sluiced received packets but "
                                         "forwarded none"
                          : r->scenario->guest ? "the PVP guest got nothing "
                                                 "back in the window"
                          : "sluiced installed no megaflows");
        ret = -EIO;
    }
    save_reply(r, ctl, "dpctl/show", "dpctl-show.txt");
    save_reply(r, ctl, "dpif-netdev/pmd-stats-show", "pmd-stats.txt");
    save_reply(r, ctl, "dpif-netdev/pmd-perf-show", "pmd-perf.txt");
    if (!r->openflow) {
        save_reply(r, ctl, "debug/show-rules", "rules.txt");
    }
    if (s.megaflows <= MAX_SAVED_FLOWS) {
        save_reply(r, ctl, "dpctl/dump-flows", "dump-flows.txt");
    }

out:
    bench_guest_stop(guest);        /* Before its switch goes. */
    bench_progress_end();
    if (ctl) {
        sluiced_shutdown(r, ctl, s.megaflows);
    }
    bench_child_stop(&bench_sluiced_child);
    dstr_free(&err);
    return ret;
}

char *
bench_find_sluiced(const char *argv0)
{
    char exe[PATH_MAX], cand[PATH_MAX + 16];
    const char *dirs[2];
    ssize_t n;
    char *slash;
    int i;

    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
    } else {
        snprintf(exe, sizeof exe, "%s", argv0);
    }
    slash = strrchr(exe, '/');
    if (slash) {
        *slash = '\0';
        dirs[0] = "/../sluiced";
        dirs[1] = "/sluiced";
        for (i = 0; i < 2; i++) {
            snprintf(cand, sizeof cand, "%s%s", exe, dirs[i]);
            if (!access(cand, X_OK)) {
                char *real = realpath(cand, NULL);

                return real ? real : strdup(cand);
            }
        }
    }
    return strdup("sluiced");
}
