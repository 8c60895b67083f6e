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

/* testpmd runs interactively on a pseudo-terminal: "start", then after
 * the warm-up "clear fwd stats all" (which also zeroes the forwarding
 * core's cycle count), then after the window "show fwd stats all", whose
 * accumulated packets and "CPU cycles/packet" cover exactly the window,
 * as sluiced's figures do. */
enum testpmd_phase {
    TP_STARTING,                /* Until the first prompt. */
    TP_WARMUP,                  /* "start" sent. */
    TP_WINDOW,                  /* "clear fwd stats all" sent. */
    TP_SHOW,                    /* "show fwd stats all" sent. */
    TP_QUIT,                    /* Figures read; "stop", "quit" sent. */
};

struct testpmd_state {
    enum testpmd_phase phase;
    double t_phase;             /* When the phase began. */
    double t_clear, t_show;     /* The window. */
    bool in_accumulated;        /* Inside the accumulated block. */
    uint64_t rx_packets;        /* Over the window, all ports. */
    uint64_t tx_packets;
    bool have_cycles;
    double cycles;              /* CPU cycles/packet over the window. */
};

static void
testpmd_line(struct testpmd_state *s, const char *line)
{
    const char *p;

    if (s->phase != TP_SHOW) {
        return;
    }
    if (strstr(line, "Accumulated forward statistics")) {
        s->in_accumulated = true;
    } else if (s->in_accumulated
               && (p = strstr(line, "RX-packets:")) != NULL) {
        s->rx_packets = strtoull(p + strlen("RX-packets:"), NULL, 10);
    } else if (s->in_accumulated
               && (p = strstr(line, "TX-packets:")) != NULL) {
        s->tx_packets = strtoull(p + strlen("TX-packets:"), NULL, 10);
    } else if ((p = strstr(line, "CPU cycles/packet=")) != NULL) {
        s->cycles = strtod(p + strlen("CPU cycles/packet="), NULL);
        s->have_cycles = true;
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
    bench_argv_add(a, "-i");
    bench_argv_add(a, "--forward-mode=%s", r->scenario->testpmd_fwd_mode);
    bench_argv_add(a, "--total-num-mbufs=%u", r->n_mbuf);
    bench_argv_add(a, "--mbuf-size=%u", r->mbuf_size);
    bench_argv_add(a, "--record-core-cycles");
    bench_argv_add(a, "--nb-cores=1");
    bench_argv_add(a, "--txq=1");
    bench_argv_add(a, "--rxq=1");
}

static void
send_command(int master, FILE *log, const char *cmd)
{
    size_t n = strlen(cmd), off = 0;

    fprintf(log, "\n[sluice-bench] %s", cmd);
    while (off < n) {
        ssize_t k = write(master, cmd + off, n - off);

        if (k <= 0) {
            break;
        }
        off += (size_t) k;
    }
}

/* Moves testpmd through its phases as time passes. */
static void
testpmd_step(const struct bench_run *r, struct testpmd_state *s,
             int master, FILE *log, bool prompt, double t)
{
    const struct bench_opts *o = r->opts;

    switch (s->phase) {
    case TP_STARTING:
        if (prompt) {
            send_command(master, log, "start\n");
            s->phase = TP_WARMUP;
            s->t_phase = t;
        }
        break;
    case TP_WARMUP:
        bench_progress("[%s %u flows] testpmd: warming up %.0f/%.0f s",
                       r->name, r->n_flows, t - s->t_phase,
                       o->warmup);
        if (t >= s->t_phase + o->warmup) {
            send_command(master, log, "clear fwd stats all\n");
            s->phase = TP_WINDOW;
            s->t_phase = s->t_clear = bench_now();
        }
        break;
    case TP_WINDOW:
        bench_progress("[%s %u flows] testpmd: %.0f/%.0f s",
                       r->name, r->n_flows, t - s->t_phase,
                       o->duration);
        if (t >= s->t_phase + o->duration) {
            s->t_show = bench_now();
            send_command(master, log, "show fwd stats all\n");
            s->phase = TP_SHOW;
            s->t_phase = s->t_show;
        }
        break;
    case TP_SHOW:
        if (s->have_cycles) {
            send_command(master, log, "stop\nquit\n");
            s->phase = TP_QUIT;
            s->t_phase = t;
        }
        break;
    case TP_QUIT:
        break;
    }
}

/* Feeds testpmd's output to testpmd_line() and to 'log' and drives it
 * until it exits (or, on a signal or after too long, it is asked to stop
 * with SIGINT).  Returns true if it timed out. */
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
        bool prompt = false;
        ssize_t n;
        int i;

        if (!t_int && (bench_stop_signal
                       || t > t_start + o->start_timeout + o->warmup
                             + o->duration + 15)) {
            timed_out = !bench_stop_signal && s->phase < TP_QUIT;
            kill(bench_testpmd_child.pid, SIGINT);
            t_int = t;
        }
        if (t_int && t > t_int + 15) {
            break;              /* It does not stop; killed later. */
        }
        if (poll(&pfd, 1, 100) > 0) {
            n = read(master, buf, sizeof buf);
            if (n <= 0) {
                break;          /* EIO: every slave fd is closed. */
            }
            fwrite(buf, 1, n, log);
            for (i = 0; i < n; i++) {
                char c = buf[i];

                if (c == '\n' || line_len == sizeof line - 1) {
                    line[line_len] = '\0';
                    testpmd_line(s, line);
                    line_len = 0;
                } else if (c != '\r') {
                    line[line_len++] = c;
                }
            }
            /* The prompt ends no line. */
            line[line_len] = '\0';
            prompt = strstr(line, "testpmd> ") != NULL;
        }
        if (!t_int) {
            testpmd_step(r, s, master, log, prompt, bench_now());
        }
    }
    return timed_out;
}

int
bench_testpmd_run(const struct bench_run *r, struct bench_result *res)
{
    const struct bench_opts *o = r->opts;
    struct testpmd_state s = { .phase = TP_STARTING };
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
    bench_progress("[%s %u flows] testpmd: starting", r->name,
                   r->n_flows);
    ret = bench_child_start_io(&bench_testpmd_child, a.v, slave, slave,
                               SIGKILL);
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
    if (!s.have_cycles || !s.tx_packets || timed_out) {
        char st[64] = "still running, killed";

        if (exited) {
            bench_describe_status(status, st, sizeof st);
        }
        bench_note("testpmd failed (%s%s%s%s)", st,
                   timed_out ? ", no statistics in time" : "",
                   !s.have_cycles ? ", no CPU cycles/packet line" : "",
                   s.have_cycles && !s.tx_packets ? ", nothing forwarded"
                                                  : "");
        bench_print_tail(path, 30);
        return -EIO;
    }
    double window = s.t_show - s.t_clear;
    res->ref_ok = window > 0;
    res->ref_mpps = window > 0 ? s.rx_packets / window / 1e6 : 0;
    res->ref_sent_mpps = window > 0 ? s.tx_packets / window / 1e6 : 0;
    res->ref_cycles = s.cycles;
    return 0;
}
