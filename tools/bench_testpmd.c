/* bench_testpmd: dpdk-testpmd as the reference. */
#include "tools/bench_testpmd.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/bench.h"
#include "tools/bench_proc.h"
#include "tools/bench_scenarios.h"

struct testpmd_state {
    int port;                   /* Port of the stats block being read. */
    int n_blocks;               /* Stats blocks of port 0 seen. */
    double t_first;             /* When the first one came. */
    double sum_pps;             /* Rx-pps of port 0 over the window. */
    int n_pps;
    uint64_t rx_packets;
    bool have_cycles;
    double cycles;              /* CPU cycles/packet. */
    bool started;               /* "start packet forwarding" seen. */
};

static void
testpmd_line(struct testpmd_state *s, const struct bench_run *r,
             const char *line, double t)
{
    const struct bench_opts *o = r->opts;
    const char *p;

    if ((p = strstr(line, "NIC statistics for port ")) != NULL) {
        s->port = atoi(p + strlen("NIC statistics for port "));
    } else if (strstr(line, "Port statistics")) {
        s->port = -1;
    } else if (s->port == 0 && (p = strstr(line, "RX-packets:")) != NULL) {
        s->rx_packets = strtoull(p + strlen("RX-packets:"), NULL, 10);
    } else if (s->port == 0 && (p = strstr(line, "Rx-pps:")) != NULL) {
        double pps = strtod(p + strlen("Rx-pps:"), NULL);

        /* The first block has no rate (nothing to compare with); warm-up
         * counts from it. */
        if (!s->n_blocks++) {
            s->t_first = t;
        } else if (t >= s->t_first + o->warmup && s->n_pps < o->duration) {
            s->sum_pps += pps;
            s->n_pps++;
        }
        if (t < s->t_first + o->warmup) {
            bench_progress("[%s %u flows] testpmd: warming up %.0f/%.0f s",
                           r->scenario->name, r->n_flows, t - s->t_first,
                           o->warmup);
        } else {
            bench_progress("[%s %u flows] testpmd: %d/%.0f s  %8.3f Mpps",
                           r->scenario->name, r->n_flows, s->n_pps,
                           o->duration, pps / 1e6);
        }
    } else if ((p = strstr(line, "CPU cycles/packet=")) != NULL) {
        s->cycles = strtod(p + strlen("CPU cycles/packet="), NULL);
        s->have_cycles = true;
    } else if (strstr(line, "start packet forwarding")
               || strstr(line, "Press enter")) {
        s->started = true;
    }
}

static void
build_testpmd_argv(const struct bench_run *r, struct bench_argv *a)
{
    const struct bench_opts *o = r->opts;
    int pmd_core = __builtin_ctzll(o->pmd_mask);

    bench_argv_add(a, "%s", o->testpmd);
    bench_argv_add(a, "-l");
    bench_argv_add(a, "%d,%d", o->control_core, pmd_core);
    if (r->no_huge) {
        bench_argv_add(a, "--no-huge");
        bench_argv_add(a, "--no-shconf");
        bench_argv_add(a, "-m");
        bench_argv_add(a, "%u", r->memory_mb);
    } else {
        bench_argv_add(a, "--in-memory");
    }
    bench_argv_add(a, "--no-pci");
    bench_argv_add(a, "--vdev=net_pcap0,rx_pcap=%s,infinite_rx=1", r->pcap);
    bench_argv_add(a, "--vdev=net_null0,no-rx=1");
    bench_argv_add(a, "--");
    bench_argv_add(a, "--forward-mode=%s", r->scenario->testpmd_fwd_mode);
    bench_argv_add(a, "--total-num-mbufs=%u", r->n_mbuf);
    bench_argv_add(a, "--mbuf-size=%u", r->mbuf_size);
    bench_argv_add(a, "--record-core-cycles");
    bench_argv_add(a, "--stats-period=1");
    bench_argv_add(a, "--nb-cores=1");
    bench_argv_add(a, "--txq=1");
    bench_argv_add(a, "--rxq=1");
}

/* Feeds testpmd's output to testpmd_line() and to 'log' until it exits
 * or, once it has printed enough statistics (or on a signal, or after too
 * long), has been asked to stop with SIGINT, which makes it print the
 * accumulated statistics.  Returns true if it timed out. */
static bool
read_testpmd(const struct bench_run *r, struct testpmd_state *s,
             int master, FILE *log)
{
    const struct bench_opts *o = r->opts;
    double t_start = bench_now(), t_int = 0;
    char buf[4096], line[1024];
    size_t line_len = 0;
    bool timed_out = false;

    for (;;) {
        struct pollfd pfd = { .fd = master, .events = POLLIN };
        double t = bench_now();
        ssize_t n;
        int i;

        if (!t_int && (bench_stop_signal || s->n_pps >= o->duration
                       || t > t_start + o->start_timeout + o->warmup
                             + o->duration + 5)) {
            timed_out = !bench_stop_signal && s->n_pps < o->duration;
            kill(bench_testpmd_child.pid, SIGINT);
            t_int = t;
        }
        if (t_int && t > t_int + 15) {
            break;              /* It does not stop; killed later. */
        }
        if (poll(&pfd, 1, 200) <= 0) {
            continue;
        }
        n = read(master, buf, sizeof buf);
        if (n <= 0) {
            break;              /* EIO: every slave fd is closed. */
        }
        fwrite(buf, 1, n, log);
        for (i = 0; i < n; i++) {
            char c = buf[i];

            if (c == '\n' || line_len == sizeof line - 1) {
                line[line_len] = '\0';
                testpmd_line(s, r, line, bench_now());
                line_len = 0;
            } else if (c != '\r') {
                line[line_len++] = c;
            }
        }
    }
    return timed_out;
}

int
bench_testpmd_run(const struct bench_run *r, struct bench_result *res)
{
    const struct bench_opts *o = r->opts;
    struct testpmd_state s = { .port = -1 };
    struct bench_argv a = { NULL, 0, 0 };
    char path[PATH_MAX];
    int master, slave, ret, status = 0;
    bool exited, timed_out;
    FILE *log;

    build_testpmd_argv(r, &a);
    snprintf(path, sizeof path, "%s/testpmd.out", r->dir);
    log = fopen(path, "we");
    master = bench_open_pty(&slave);
    if (!log || master < 0) {
        bench_note("%s: %s", log ? "pseudo-terminal" : path,
                   strerror(errno));
        if (log) {
            fclose(log);
        }
        if (master >= 0) {
            close(master);
            close(slave);
        }
        bench_argv_free(&a);
        return -EIO;
    }
    if (o->verbose) {
        char *cmd = bench_argv_join(&a);

        bench_note("running: %s", cmd);
        free(cmd);
    }
    bench_progress("[%s %u flows] testpmd: starting", r->scenario->name,
                   r->n_flows);
    ret = bench_child_start(&bench_testpmd_child, a.v, slave, SIGKILL);
    close(slave);
    bench_argv_free(&a);
    if (ret) {
        bench_note("cannot start %s: %s", o->testpmd, strerror(-ret));
        close(master);
        fclose(log);
        return ret;
    }

    timed_out = read_testpmd(r, &s, master, log);
    close(master);
    fclose(log);
    bench_progress_end();
    exited = bench_child_wait(&bench_testpmd_child, 5, &status);
    if (!exited) {
        bench_child_stop(&bench_testpmd_child);
    }
    if (bench_stop_signal) {
        return -EINTR;
    }
    if (!s.n_pps || !s.have_cycles || timed_out) {
        char st[64] = "still running, killed";

        if (exited) {
            bench_describe_status(status, st, sizeof st);
        }
        bench_note("testpmd failed (%s%s%s)", st,
                   timed_out ? ", no statistics in time" : "",
                   !s.have_cycles ? ", no CPU cycles/packet line" : "");
        bench_print_tail(path, 30);
        return -EIO;
    }
    res->ref_ok = true;
    res->ref_mpps = s.sum_pps / s.n_pps / 1e6;
    res->ref_cycles = s.cycles;
    return 0;
}
