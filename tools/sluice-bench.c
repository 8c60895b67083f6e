/* sluice-bench: a testpmd-style forwarding benchmark of sluiced.
 *
 * For each scenario and flow count it writes a pcap of N distinct UDP/IPv4
 * flows (pcapgen), starts sluiced in a fresh run directory with a
 * net_pcap (infinite_rx) port replaying that file and a net_null port as
 * the output, warms up, then samples dpif-netdev/pmd-stats-show every second
 * to get Mpps and cycles per packet.  With --ref testpmd the same traffic is
 * forwarded by dpdk-testpmd (io mode, same vdevs, same cores), one program
 * after the other, never together, and the cycles/packet ratio is printed.
 *
 * Scenarios are entries in 'scenarios' below: each says how sluiced is
 * started (ports, outputs), what is configured once it is ready, and which
 * testpmd forwarding mode is its reference. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ctl_client.h"
#include "dstr.h"
#include "pcapgen.h"
#include "sluice_config.h"

#define MAX_FLOW_COUNTS 16
#define MAX_SCENARIOS 8
#define MBUF_HEADROOM 128
#define EXTRA_MBUFS 16384
#define CTL_TIMEOUT_MS 5000

/* ---- Command line. ---- */

struct scenario;

struct bench_opts {
    uint32_t flows[MAX_FLOW_COUNTS];
    int n_flows;
    uint32_t frame_size;            /* Incl. FCS. */
    double duration;
    double warmup;
    int control_core;
    uint64_t pmd_mask;
    const char *sluiced;            /* NULL: look next to this binary. */
    const char *testpmd;
    bool ref_testpmd;
    bool no_huge;
    bool no_huge_forced;            /* --no-huge given. */
    const char *csv;
    const struct scenario *scenarios[MAX_SCENARIOS];
    int n_scenarios;
    unsigned int mbuf_size;         /* 0: choose. */
    unsigned int memory_mb;         /* 0: choose. */
    double start_timeout;
    int repeat;                     /* Runs of each measurement. */
    const char *sluiced_args;       /* Extra sluiced options. */
    bool keep;
    bool verbose;
};

/* One measurement: a scenario at one flow count. */
struct bench_run {
    const struct bench_opts *opts;
    const struct scenario *scenario;
    uint32_t n_flows;
    const char *pcap;               /* Generated traffic. */
    char *dir;                      /* This run's directory. */
    unsigned int n_mbuf;
    unsigned int mbuf_size;
    unsigned int memory_mb;
    bool no_huge;
};

struct result {
    const char *scenario;
    int run;                        /* 1..repeat; 0: the median row. */
    uint32_t n_flows;
    uint32_t frame_size;
    bool no_huge;
    /* sluiced. */
    bool ok;
    double seconds;
    uint64_t packets;
    uint64_t dropped;
    double mpps;
    double cycles;                  /* Processing cycles per packet. */
    double total_cycles;            /* Idle + processing per packet. */
    /* testpmd. */
    bool ref_ok;
    double ref_mpps;
    double ref_cycles;
};

/* ---- A growable argv. ---- */

struct argv {
    char **v;
    int n;
    int cap;
};

static void
argv_add(struct argv *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
argv_add(struct argv *a, const char *fmt, ...)
{
    va_list args;
    char *s;

    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = realloc(a->v, a->cap * sizeof *a->v);
        if (!a->v) {
            abort();
        }
    }
    va_start(args, fmt);
    if (vasprintf(&s, fmt, args) < 0) {
        abort();
    }
    va_end(args);
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

/* Adds each blank-separated word of 's'. */
static void
argv_add_words(struct argv *a, const char *s)
{
    while (s && *s) {
        size_t n;

        s += strspn(s, " \t");
        n = strcspn(s, " \t");
        if (n) {
            argv_add(a, "%.*s", (int) n, s);
        }
        s += n;
    }
}

static void
argv_free(struct argv *a)
{
    int i;

    for (i = 0; i < a->n; i++) {
        free(a->v[i]);
    }
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

static char *
argv_join(const struct argv *a)
{
    struct dstr d = DSTR_INIT;
    int i;

    dstr_init(&d);
    for (i = 0; i < a->n; i++) {
        const char *s = a->v[i];

        if (i) {
            dstr_put(&d, " ");
        }
        if (s[strcspn(s, " \t'\"$")]) {
            dstr_printf(&d, "'%s'", s);
        } else {
            dstr_put(&d, s);
        }
    }
    return dstr_steal(&d);
}

/* ---- Scenarios. ---- */

struct scenario {
    const char *name;
    const char *help;
    /* Appends the sluiced options (ports, outputs) of this scenario. */
    void (*sluiced_args)(const struct bench_run *, struct argv *);
    /* Called once sluiced is ready, before warm-up, to configure what the
     * options cannot (flows, rules).  NULL: nothing.  Returns 0, or a
     * negative errno with a message in 'err'. */
    int (*configure)(const struct bench_run *, struct ctl_client *,
                     struct dstr *err);
    /* The testpmd --forward-mode of the reference run; NULL: none. */
    const char *testpmd_fwd_mode;
};

/* Both ends of every scenario so far: a pcap replayed forever, and a sink.
 * The pcap vdev comes first so that it is DPDK port 0 in testpmd too. */
static void
add_pcap_and_null_ports(const struct bench_run *r, struct argv *a)
{
    argv_add(a, "--port");
    argv_add(a, "rx0 net_pcap0,rx_pcap=%s,infinite_rx=1 n_mbuf=%u "
             "mbuf_size=%u", r->pcap, r->n_mbuf, r->mbuf_size);
    argv_add(a, "--port");
    argv_add(a, "tx0 net_null0,no-rx=1");
}

/* p2p: port to port, through the in_port default-output path. */
static void
p2p_sluiced_args(const struct bench_run *r, struct argv *a)
{
    add_pcap_and_null_ports(r, a);
    argv_add(a, "--output");
    argv_add(a, "rx0 tx0");
}

static const struct scenario scenarios[] = {
    { "p2p", "port to port: every packet of rx0 goes to tx0 "
      "(per-port default output, no flow lookup)",
      p2p_sluiced_args, NULL, "io" },
};
#define N_SCENARIOS (sizeof scenarios / sizeof *scenarios)

static const struct scenario *
scenario_find(const char *name)
{
    size_t i;

    for (i = 0; i < N_SCENARIOS; i++) {
        if (!strcmp(scenarios[i].name, name)) {
            return &scenarios[i];
        }
    }
    return NULL;
}

/* ---- Time, signals, child processes. ---- */

static volatile sig_atomic_t stop_signal;

static void
on_signal(int signo)
{
    stop_signal = signo;
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleeps 'secs' or until a signal asks us to stop. */
static void
sleep_for(double secs)
{
    struct timespec ts;

    if (secs <= 0 || stop_signal) {
        return;
    }
    ts.tv_sec = (time_t) secs;
    ts.tv_nsec = (long) ((secs - ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
}

struct child {
    pid_t pid;                  /* 0: none. */
    int stop_sig;               /* Signal that asks for a clean exit. */
};

/* The children alive right now, killed on every way out. */
static struct child sluiced_child = { 0, SIGTERM };
static struct child testpmd_child = { 0, SIGINT };

/* Waits up to 'secs' for 'c' to exit.  Returns true if it did, with its
 * wait status in *status. */
static bool
child_wait(struct child *c, double secs, int *status)
{
    double deadline = now() + secs;
    int st;

    for (;;) {
        pid_t pid = waitpid(c->pid, &st, WNOHANG);

        if (pid == c->pid || (pid < 0 && errno == ECHILD)) {
            if (status) {
                *status = pid == c->pid ? st : 0;
            }
            c->pid = 0;
            return true;
        }
        if (now() >= deadline) {
            return false;
        }
        usleep(20000);
    }
}

/* Asks 'c' to stop with its stop signal, then kills it. */
static void
child_stop(struct child *c)
{
    if (c->pid <= 0) {
        return;
    }
    kill(c->pid, c->stop_sig);
    if (!child_wait(c, 10, NULL)) {
        kill(c->pid, SIGKILL);
        child_wait(c, 5, NULL);
    }
    c->pid = 0;
}

static void
children_stop(void)
{
    child_stop(&sluiced_child);
    child_stop(&testpmd_child);
}

/* Starts argv[0] (searched in PATH) with stdin from /dev/null and stdout
 * and stderr to 'out_fd'.  The child gets its own session, so that a
 * Ctrl-C on our terminal reaches only us (we stop it in order), and dies
 * with 'death_sig' if we die.  Returns 0 or a negative errno. */
static int
child_start(struct child *c, char **argv, int out_fd, int death_sig)
{
    pid_t parent = getpid();
    pid_t pid = fork();

    if (pid < 0) {
        return -errno;
    }
    if (!pid) {
        int null_fd = open("/dev/null", O_RDONLY);

        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        setsid();
        prctl(PR_SET_PDEATHSIG, death_sig);
        if (getppid() != parent) {
            _exit(1);
        }
        if (null_fd >= 0) {
            dup2(null_fd, STDIN_FILENO);
        }
        dup2(out_fd, STDOUT_FILENO);
        dup2(out_fd, STDERR_FILENO);
        execvp(argv[0], argv);
        dprintf(STDERR_FILENO, "sluice-bench: cannot run %s: %s\n",
                argv[0], strerror(errno));
        _exit(127);
    }
    c->pid = pid;
    return 0;
}

static void
describe_status(int status, char *buf, size_t size)
{
    if (WIFEXITED(status)) {
        snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    } else {
        snprintf(buf, size, "status 0x%x", status);
    }
}

/* Prints the last 'n' lines of 'path' to stderr, each prefixed. */
static void
print_tail(const char *path, int n)
{
    char *lines[64] = { NULL };
    char *line = NULL;
    size_t len = 0;
    int count = 0, i;
    FILE *f;

    if (n > 64) {
        n = 64;
    }
    f = fopen(path, "r");
    if (!f) {
        return;
    }
    while (getline(&line, &len, f) >= 0) {
        free(lines[count % n]);
        lines[count % n] = strdup(line);
        count++;
    }
    free(line);
    fclose(f);
    fprintf(stderr, "---- last lines of %s ----\n", path);
    for (i = count > n ? count - n : 0; i < count; i++) {
        fprintf(stderr, "  %s", lines[i % n]);
        if (!strchr(lines[i % n], '\n')) {
            fputc('\n', stderr);
        }
    }
    for (i = 0; i < n; i++) {
        free(lines[i]);
    }
}

/* ---- The progress line. ---- */

static bool progress_tty;
static bool progress_shown;

static void
progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
progress(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    if (progress_tty) {
        fputs("\r", stderr);
        vfprintf(stderr, fmt, args);
        fputs("\033[K", stderr);
        progress_shown = true;
    } else {
        vfprintf(stderr, fmt, args);
        fputc('\n', stderr);
    }
    va_end(args);
    fflush(stderr);
}

static void
progress_end(void)
{
    if (progress_shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        progress_shown = false;
    }
}

/* Messages that must not be overwritten by the progress line. */
static void
note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
note(const char *fmt, ...)
{
    va_list args;

    progress_end();
    va_start(args, fmt);
    fputs("sluice-bench: ", stderr);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
}

/* ---- sluiced. ---- */

struct pmd_stats {
    uint64_t received;
    uint64_t sent;
    uint64_t dropped;
    uint64_t idle;
    uint64_t processing;
};

/* Sums the number after every "LABEL:" in 'text' (one per PMD block).
 * Returns the number of occurrences. */
static int
sum_field(const char *text, const char *label, uint64_t *sum)
{
    size_t len = strlen(label);
    const char *p = text;
    int n = 0;

    *sum = 0;
    while ((p = strstr(p, label)) != NULL) {
        /* Only at the start of a line, after indentation. */
        const char *q = p;

        while (q > text && (q[-1] == ' ' || q[-1] == '\t')) {
            q--;
        }
        p += len;
        if (q == text || q[-1] == '\n') {
            *sum += strtoull(p, NULL, 10);
            n++;
        }
    }
    return n;
}

static int
parse_pmd_stats(const char *text, struct pmd_stats *s)
{
    if (!sum_field(text, "packets received:", &s->received)
        || !sum_field(text, "idle cycles:", &s->idle)
        || !sum_field(text, "processing cycles:", &s->processing)) {
        return -EPROTO;
    }
    sum_field(text, "packets sent:", &s->sent);
    sum_field(text, "packets dropped:", &s->dropped);
    return 0;
}

/* Calls 'method' without arguments.  Returns 0 with the reply in *reply
 * (malloc'd), or a negative errno with a message in 'err'. */
static int
ctl_call(struct ctl_client *ctl, const char *method, char **reply,
         struct dstr *err)
{
    char *result = NULL, *error = NULL;
    int ret;

    *reply = NULL;
    ret = ctl_client_call(ctl, method, 0, NULL, CTL_TIMEOUT_MS, &result,
                          &error);
    if (ret) {
        dstr_printf(err, "%s: %s", method, strerror(-ret));
        return ret;
    }
    if (error) {
        dstr_printf(err, "%s: %s", method, error);
        free(error);
        free(result);
        return -EPROTO;
    }
    *reply = result ? result : strdup("");
    return 0;
}

/* Samples the PMD counters; *t is the middle of the call. */
static int
sample_pmd_stats(struct ctl_client *ctl, struct pmd_stats *s, double *t,
                 struct dstr *err)
{
    double t0 = now();
    char *reply;
    int ret;

    ret = ctl_call(ctl, "dpif-netdev/pmd-stats-show", &reply, err);
    *t = (t0 + now()) / 2;
    if (ret) {
        return ret;
    }
    ret = parse_pmd_stats(reply, s);
    if (ret) {
        dstr_printf(err, "cannot parse pmd-stats-show reply: \"%.200s\"",
                    reply);
    }
    free(reply);
    return ret;
}

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

    note("%s", what);
    snprintf(path, sizeof path, "%s/sluiced.log", r->dir);
    print_tail(path, 25);
    snprintf(path, sizeof path, "%s/sluiced.out", r->dir);
    print_tail(path, 25);
}

static void
build_sluiced_argv(const struct bench_run *r, const char *sluiced,
                   struct argv *a)
{
    const struct bench_opts *o = r->opts;

    argv_add(a, "%s", sluiced);
    argv_add(a, "--run-dir=%s", r->dir);
    argv_add(a, "--log-file=%s/sluiced.log", r->dir);
    argv_add(a, "--control-core=%d", o->control_core);
    argv_add(a, "--pmd-cpu-mask=0x%" PRIx64, o->pmd_mask);
    argv_add(a, "--memory=%u", r->memory_mb);
    if (r->no_huge) {
        argv_add(a, "--no-huge");
    }
    r->scenario->sluiced_args(r, a);
    argv_add_words(a, o->sluiced_args);
}

/* Waits until sluiced is ready and connects to it.  Returns 0, or a
 * negative errno after printing why. */
static int
sluiced_connect(const struct bench_run *r, struct ctl_client **ctlp)
{
    double deadline = now() + r->opts->start_timeout;
    char pidfile[PATH_MAX], sock[PATH_MAX + 32], msg[256];
    int ret = -ETIMEDOUT;

    snprintf(pidfile, sizeof pidfile, "%s/sluiced.pid", r->dir);
    *ctlp = NULL;
    while (!stop_signal) {
        int status;
        pid_t pid;

        if (child_wait(&sluiced_child, 0, &status)) {
            char st[64];

            describe_status(status, st, sizeof st);
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
        if (now() > deadline) {
            snprintf(msg, sizeof msg, "sluiced not ready after %.0f s (%s)",
                     r->opts->start_timeout,
                     pid > 0 ? strerror(-ret) : "no pidfile");
            sluiced_failed(r, msg);
            return -ETIMEDOUT;
        }
        sleep_for(0.05);
    }
    return -EINTR;
}

/* Stops sluiced with the `exit` command; reports an unclean exit. */
static void
sluiced_shutdown(const struct bench_run *r, struct ctl_client *ctl)
{
    char *result = NULL, *error = NULL;
    int status;

    ctl_client_call(ctl, "exit", 0, NULL, CTL_TIMEOUT_MS, &result, &error);
    free(result);
    free(error);
    ctl_client_close(ctl);
    if (child_wait(&sluiced_child, 10, &status)) {
        if (status) {
            char st[64], msg[128];

            describe_status(status, st, sizeof st);
            snprintf(msg, sizeof msg, "warning: sluiced did not exit "
                     "cleanly after `exit` (%s)", st);
            sluiced_failed(r, msg);
        }
    } else {
        note("warning: sluiced still running 10 s after `exit`; "
             "sending SIGTERM");
        child_stop(&sluiced_child);
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
    if (!ctl_call(ctl, method, &reply, &err)) {
        snprintf(path, sizeof path, "%s/%s", r->dir, file);
        f = fopen(path, "w");
        if (f) {
            fputs(reply, f);
            fclose(f);
        }
        if (r->opts->verbose) {
            progress_end();
            fprintf(stderr, "%s:\n%s", method, reply);
        }
        free(reply);
    }
    dstr_free(&err);
}

static int
run_sluiced(const struct bench_run *r, const char *sluiced,
            struct result *res)
{
    const struct bench_opts *o = r->opts;
    struct pmd_stats s0, prev, cur;
    struct ctl_client *ctl = NULL;
    struct argv a = { NULL, 0, 0 };
    struct dstr err = DSTR_INIT;
    double t_ready, t0, tprev, t;
    char path[PATH_MAX];
    int fd, ret;

    dstr_init(&err);
    build_sluiced_argv(r, sluiced, &a);
    snprintf(path, sizeof path, "%s/sluiced.out", r->dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        note("%s: %s", path, strerror(errno));
        argv_free(&a);
        return -errno;
    }
    if (o->verbose) {
        char *cmd = argv_join(&a);

        note("running: %s", cmd);
        free(cmd);
    }
    progress("[%s %u flows] sluiced: starting", r->scenario->name,
             r->n_flows);
    ret = child_start(&sluiced_child, a.v, fd, SIGTERM);
    close(fd);
    argv_free(&a);
    if (ret) {
        note("cannot start %s: %s", sluiced, strerror(-ret));
        return ret;
    }

    ret = sluiced_connect(r, &ctl);
    if (ret) {
        goto out;
    }
    if (r->scenario->configure) {
        ret = r->scenario->configure(r, ctl, &err);
        if (ret) {
            sluiced_failed(r, dstr_cstr(&err));
            goto out;
        }
    }

    /* Warm up. */
    t_ready = now();
    while (!stop_signal && (t = now()) < t_ready + o->warmup) {
        progress("[%s %u flows] sluiced: warming up %.0f/%.0f s",
                 r->scenario->name, r->n_flows, t - t_ready, o->warmup);
        sleep_for(t_ready + o->warmup - t < 0.5
                  ? t_ready + o->warmup - t : 0.5);
    }

    /* Measure. */
    ret = sample_pmd_stats(ctl, &s0, &t0, &err);
    prev = cur = s0;
    tprev = t = t0;
    while (!ret && !stop_signal && t < t0 + o->duration) {
        double next = tprev + 1 < t0 + o->duration ? tprev + 1
                                                   : t0 + o->duration;

        while (!stop_signal && now() < next) {
            sleep_for(next - now());
        }
        if (stop_signal) {
            break;
        }
        ret = sample_pmd_stats(ctl, &cur, &t, &err);
        if (!ret) {
            progress("[%s %u flows] sluiced: %4.1f/%.0f s  %8.3f Mpps",
                     r->scenario->name, r->n_flows, t - t0, o->duration,
                     t > tprev
                     ? (cur.received - prev.received) / (t - tprev) / 1e6
                     : 0.0);
            prev = cur;
            tprev = t;
        }
    }
    if (ret) {
        sluiced_failed(r, dstr_cstr(&err));
        goto out;
    }
    if (stop_signal) {
        ret = -EINTR;
        goto out;
    }

    res->seconds = t - t0;
    res->packets = cur.received - s0.received;
    res->dropped = cur.dropped - s0.dropped;
    res->mpps = res->seconds > 0 ? res->packets / res->seconds / 1e6 : 0;
    if (res->packets) {
        res->cycles = (double) (cur.processing - s0.processing)
                      / res->packets;
        res->total_cycles = (double) (cur.processing - s0.processing
                                      + cur.idle - s0.idle) / res->packets;
    }
    res->ok = res->packets > 0;
    if (!res->packets) {
        sluiced_failed(r, "sluiced forwarded no packets");
        ret = -EIO;
    }
    save_reply(r, ctl, "dpctl/show", "dpctl-show.txt");
    save_reply(r, ctl, "dpif-netdev/pmd-stats-show", "pmd-stats.txt");

out:
    progress_end();
    if (ctl) {
        sluiced_shutdown(r, ctl);
    }
    child_stop(&sluiced_child);
    dstr_free(&err);
    return ret;
}

/* ---- testpmd. ---- */

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
            progress("[%s %u flows] testpmd: warming up %.0f/%.0f s",
                     r->scenario->name, r->n_flows, t - s->t_first,
                     o->warmup);
        } else {
            progress("[%s %u flows] testpmd: %d/%.0f s  %8.3f Mpps",
                     r->scenario->name, r->n_flows, s->n_pps, o->duration,
                     pps / 1e6);
        }
    } else if ((p = strstr(line, "CPU cycles/packet=")) != NULL) {
        s->cycles = strtod(p + strlen("CPU cycles/packet="), NULL);
        s->have_cycles = true;
    } else if (strstr(line, "start packet forwarding")
               || strstr(line, "Press enter")) {
        s->started = true;
    }
}

/* Opens a pseudo-terminal so that testpmd's stdout is line-buffered and
 * its periodic statistics arrive as they are printed.  Returns the master
 * fd and the slave fd in *slave, or -1. */
static int
open_pty(int *slave)
{
    struct termios tio;
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    const char *name;

    if (master < 0 || grantpt(master) || unlockpt(master)
        || !(name = ptsname(master))) {
        if (master >= 0) {
            close(master);
        }
        return -1;
    }
    *slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (*slave < 0) {
        close(master);
        return -1;
    }
    if (!tcgetattr(*slave, &tio)) {
        cfmakeraw(&tio);
        tcsetattr(*slave, TCSANOW, &tio);
    }
    return master;
}

static void
build_testpmd_argv(const struct bench_run *r, struct argv *a)
{
    const struct bench_opts *o = r->opts;
    int pmd_core = __builtin_ctzll(o->pmd_mask);

    argv_add(a, "%s", o->testpmd);
    argv_add(a, "-l");
    argv_add(a, "%d,%d", o->control_core, pmd_core);
    if (r->no_huge) {
        argv_add(a, "--no-huge");
        argv_add(a, "--no-shconf");
        argv_add(a, "-m");
        argv_add(a, "%u", r->memory_mb);
    } else {
        argv_add(a, "--in-memory");
    }
    argv_add(a, "--no-pci");
    argv_add(a, "--vdev=net_pcap0,rx_pcap=%s,infinite_rx=1", r->pcap);
    argv_add(a, "--vdev=net_null0,no-rx=1");
    argv_add(a, "--");
    argv_add(a, "--forward-mode=%s", r->scenario->testpmd_fwd_mode);
    argv_add(a, "--total-num-mbufs=%u", r->n_mbuf);
    argv_add(a, "--mbuf-size=%u", r->mbuf_size);
    argv_add(a, "--record-core-cycles");
    argv_add(a, "--stats-period=1");
    argv_add(a, "--nb-cores=1");
    argv_add(a, "--txq=1");
    argv_add(a, "--rxq=1");
}

static int
run_testpmd(const struct bench_run *r, struct result *res)
{
    const struct bench_opts *o = r->opts;
    struct testpmd_state s = { .port = -1 };
    struct argv a = { NULL, 0, 0 };
    char path[PATH_MAX], buf[4096], line[1024];
    double t_start = now(), t_int = 0;
    size_t line_len = 0;
    int master, slave, ret, status = 0;
    bool exited = false, timed_out = false;
    FILE *log;

    build_testpmd_argv(r, &a);
    snprintf(path, sizeof path, "%s/testpmd.out", r->dir);
    log = fopen(path, "we");
    master = open_pty(&slave);
    if (!log || master < 0) {
        note("%s: %s", log ? "pseudo-terminal" : path, strerror(errno));
        if (log) {
            fclose(log);
        }
        argv_free(&a);
        return -EIO;
    }
    if (o->verbose) {
        char *cmd = argv_join(&a);

        note("running: %s", cmd);
        free(cmd);
    }
    progress("[%s %u flows] testpmd: starting", r->scenario->name,
             r->n_flows);
    ret = child_start(&testpmd_child, a.v, slave, SIGKILL);
    close(slave);
    argv_free(&a);
    if (ret) {
        note("cannot start %s: %s", o->testpmd, strerror(-ret));
        close(master);
        fclose(log);
        return ret;
    }

    for (;;) {
        struct pollfd pfd = { .fd = master, .events = POLLIN };
        double t = now();
        ssize_t n;
        int i;

        /* Enough blocks (or a signal, or too long): stop it with SIGINT,
         * which makes it print the accumulated statistics. */
        if (!t_int && (stop_signal || s.n_pps >= o->duration
                       || t > t_start + o->start_timeout + o->warmup
                             + o->duration + 5)) {
            timed_out = !stop_signal && s.n_pps < o->duration;
            kill(testpmd_child.pid, SIGINT);
            t_int = t;
        }
        if (t_int && t > t_int + 15) {
            break;              /* It does not stop; killed below. */
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
                testpmd_line(&s, r, line, now());
                line_len = 0;
            } else if (c != '\r') {
                line[line_len++] = c;
            }
        }
    }
    close(master);
    fclose(log);
    progress_end();
    exited = child_wait(&testpmd_child, 5, &status);
    if (!exited) {
        child_stop(&testpmd_child);
    }
    if (stop_signal) {
        return -EINTR;
    }
    if (!s.n_pps || !s.have_cycles || timed_out) {
        char st[64] = "still running, killed";

        if (exited) {
            describe_status(status, st, sizeof st);
        }
        note("testpmd failed (%s%s%s)", st,
             timed_out ? ", no statistics in time" : "",
             !s.have_cycles ? ", no CPU cycles/packet line" : "");
        print_tail(path, 30);
        return -EIO;
    }
    res->ref_ok = true;
    res->ref_mpps = s.sum_pps / s.n_pps / 1e6;
    res->ref_cycles = s.cycles;
    return 0;
}

/* ---- Set-up: files, memory, binaries. ---- */

static char *tmp_dir;
static bool keep_tmp;

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) flag;
    (void) ftw;
    remove(path);
    return 0;
}

static void
cleanup(void)
{
    children_stop();
    if (tmp_dir) {
        if (keep_tmp) {
            fprintf(stderr, "sluice-bench: files kept in %s\n", tmp_dir);
        } else {
            nftw(tmp_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        }
        free(tmp_dir);
        tmp_dir = NULL;
    }
}

/* Free hugepage memory in MB, from /proc/meminfo. */
static unsigned long
hugepages_free_mb(void)
{
    unsigned long free_pages = 0, page_kb = 0;
    char line[256];
    FILE *f = fopen("/proc/meminfo", "r");

    if (!f) {
        return 0;
    }
    while (fgets(line, sizeof line, f)) {
        sscanf(line, "HugePages_Free: %lu", &free_pages);
        sscanf(line, "Hugepagesize: %lu kB", &page_kb);
    }
    fclose(f);
    return free_pages * page_kb / 1024;
}

/* The sluiced next to this program: BINDIR/../sluiced in the build tree,
 * BINDIR/sluiced once installed; else "sluiced" from PATH. */
static char *
find_sluiced(const char *argv0)
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

static int
parse_flow_list(const char *arg, struct bench_opts *o)
{
    char *copy = strdup(arg), *save = NULL, *tok;
    uint64_t v;
    int ret = 0;

    o->n_flows = 0;
    for (tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (o->n_flows >= MAX_FLOW_COUNTS
            || pcapgen_parse_count(tok, PCAPGEN_MAX_FLOWS, &v)) {
            ret = -EINVAL;
            break;
        }
        o->flows[o->n_flows++] = v;
    }
    free(copy);
    return ret || !o->n_flows ? -EINVAL : 0;
}

static int
parse_scenario_list(const char *arg, struct bench_opts *o)
{
    char *copy = strdup(arg), *save = NULL, *tok;
    int ret = 0;

    o->n_scenarios = 0;
    for (tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        const struct scenario *sc = scenario_find(tok);

        if (!sc || o->n_scenarios >= MAX_SCENARIOS) {
            fprintf(stderr, "sluice-bench: unknown scenario '%s'\n", tok);
            ret = -EINVAL;
            break;
        }
        o->scenarios[o->n_scenarios++] = sc;
    }
    free(copy);
    return ret || !o->n_scenarios ? -EINVAL : 0;
}

static double
parse_seconds(const char *opt, const char *s, double min)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || *end || !(v >= min) || v > 86400) {
        fprintf(stderr, "sluice-bench: %s: '%s' is not a number of "
                "seconds >= %g\n", opt, s, min);
        exit(2);
    }
    return v;
}

static void
usage(void)
{
    size_t i;

    printf("\
usage: sluice-bench [OPTIONS]\n\
Measures sluiced forwarding generated UDP/IPv4 traffic from a net_pcap port\n\
(infinite_rx) to a net_null port on one PMD core, like testpmd does, and\n\
optionally runs dpdk-testpmd on the same traffic for reference.\n\
\n\
Traffic:\n\
  --flows LIST         flow counts, one run each (default 1,1000,100000;\n\
                       k and M suffixes allowed, e.g. 1,1k,100k,1M; max 16M)\n\
  --size BYTES         frame size ON THE WIRE INCLUDING the 4-byte FCS, as\n\
                       testpmd counts \"64-byte frames\" (default 64); pcap\n\
                       records are BYTES-4 long\n\
  --scenario LIST      scenarios to run (default: all):\n");
    for (i = 0; i < N_SCENARIOS; i++) {
        printf("                         %-8s %s\n", scenarios[i].name,
               scenarios[i].help);
    }
    printf("\
Measurement:\n\
  --warmup SECS        forward this long before measuring (default 2)\n\
  --duration SECS      measure this long, sampling every second (default 5)\n\
  --repeat N           run each measurement N times (sluiced and testpmd\n\
                       alternating) and print the medians (default 1)\n\
  --ref testpmd        also run dpdk-testpmd (io forwarding) on the same\n\
                       traffic, after sluiced, and print the cycles ratio\n\
  --testpmd PATH       testpmd binary (default dpdk-testpmd from PATH)\n\
  --csv FILE           write the results as CSV (default sluice-bench.csv)\n\
Daemon and DPDK:\n\
  --sluiced PATH       sluiced binary (default: the one next to\n\
                       sluice-bench, i.e. BINDIR/../sluiced in a build tree,\n\
                       else BINDIR/sluiced, else sluiced from PATH)\n\
  --control-core N     control core (default: lowest allowed core)\n\
  --pmd-cpu-mask MASK  hex PMD core mask (default: highest allowed core);\n\
                       testpmd forwards on the lowest core of MASK\n\
  --no-huge            no hugepages (default: used when enough are free)\n\
  --memory MB          DPDK memory (default: sized from the mbufs)\n\
  --mbuf-size BYTES    data room of the pcap port's mbufs incl. 128 bytes\n\
                       of headroom (default 256, or what --size needs)\n\
  --sluiced-args ARGS  extra sluiced options (split on blanks)\n\
  --start-timeout SECS wait this long for sluiced to be ready (default 60)\n\
Other:\n\
  --keep               keep the temporary directory (pcaps, logs)\n\
  -v, --verbose        print commands and the daemon's port table\n\
  -h, --help           this help\n\
  -V, --version        print the version\n\
\n\
Cycles are TSC cycles.  sluiced: cycles/pkt = processing cycles per\n\
received packet, total = (idle + processing) cycles per packet, both over\n\
the measurement window.  testpmd: its --record-core-cycles figure (busy\n\
cycles per packet over its whole run).  ratio = sluiced / testpmd\n\
cycles/pkt.  The pcap port's pool holds flows + 16384 mbufs.\n");
}

enum {
    OPT_FLOWS = 256, OPT_SIZE, OPT_SCENARIO, OPT_WARMUP, OPT_DURATION,
    OPT_REF, OPT_TESTPMD, OPT_CSV, OPT_SLUICED, OPT_CONTROL_CORE,
    OPT_PMD_MASK, OPT_NO_HUGE, OPT_MEMORY, OPT_MBUF_SIZE, OPT_SLUICED_ARGS,
    OPT_START_TIMEOUT, OPT_KEEP, OPT_REPEAT,
};

static void
parse_options(int argc, char *argv[], struct bench_opts *o)
{
    static const struct option long_opts[] = {
        { "flows", required_argument, NULL, OPT_FLOWS },
        { "size", required_argument, NULL, OPT_SIZE },
        { "scenario", required_argument, NULL, OPT_SCENARIO },
        { "warmup", required_argument, NULL, OPT_WARMUP },
        { "duration", required_argument, NULL, OPT_DURATION },
        { "ref", required_argument, NULL, OPT_REF },
        { "testpmd", required_argument, NULL, OPT_TESTPMD },
        { "csv", required_argument, NULL, OPT_CSV },
        { "sluiced", required_argument, NULL, OPT_SLUICED },
        { "control-core", required_argument, NULL, OPT_CONTROL_CORE },
        { "pmd-cpu-mask", required_argument, NULL, OPT_PMD_MASK },
        { "no-huge", no_argument, NULL, OPT_NO_HUGE },
        { "memory", required_argument, NULL, OPT_MEMORY },
        { "mbuf-size", required_argument, NULL, OPT_MBUF_SIZE },
        { "sluiced-args", required_argument, NULL, OPT_SLUICED_ARGS },
        { "start-timeout", required_argument, NULL, OPT_START_TIMEOUT },
        { "keep", no_argument, NULL, OPT_KEEP },
        { "repeat", required_argument, NULL, OPT_REPEAT },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    char *end;
    int c;

    while ((c = getopt_long(argc, argv, "vhV", long_opts, NULL)) != -1) {
        unsigned long long v;

        switch (c) {
        case OPT_FLOWS:
            if (parse_flow_list(optarg, o)) {
                fprintf(stderr, "sluice-bench: --flows: '%s' is not a "
                        "comma-separated list of 1 to %d counts between 1 "
                        "and 16M\n", optarg, MAX_FLOW_COUNTS);
                exit(2);
            }
            break;
        case OPT_SIZE:
            v = strtoull(optarg, &end, 10);
            if (*end || end == optarg || v < PCAPGEN_MIN_FRAME
                || v > PCAPGEN_MAX_FRAME) {
                fprintf(stderr, "sluice-bench: --size: '%s' is not a frame "
                        "size between %d and %d bytes (incl. FCS)\n",
                        optarg, PCAPGEN_MIN_FRAME, PCAPGEN_MAX_FRAME);
                exit(2);
            }
            o->frame_size = v;
            break;
        case OPT_SCENARIO:
            if (parse_scenario_list(optarg, o)) {
                exit(2);
            }
            break;
        case OPT_WARMUP:
            o->warmup = parse_seconds("--warmup", optarg, 0);
            break;
        case OPT_DURATION:
            o->duration = parse_seconds("--duration", optarg, 1);
            break;
        case OPT_REF:
            if (strcmp(optarg, "testpmd")) {
                fprintf(stderr, "sluice-bench: --ref: only 'testpmd' is "
                        "supported\n");
                exit(2);
            }
            o->ref_testpmd = true;
            break;
        case OPT_TESTPMD:
            o->testpmd = optarg;
            break;
        case OPT_CSV:
            o->csv = optarg;
            break;
        case OPT_SLUICED:
            o->sluiced = optarg;
            break;
        case OPT_CONTROL_CORE:
            v = strtoull(optarg, &end, 10);
            if (*end || end == optarg || v >= 64) {
                fprintf(stderr, "sluice-bench: --control-core: bad core "
                        "'%s'\n", optarg);
                exit(2);
            }
            o->control_core = v;
            break;
        case OPT_PMD_MASK:
            errno = 0;
            v = strtoull(optarg, &end, 16);
            if (*end || end == optarg || errno || !v) {
                fprintf(stderr, "sluice-bench: --pmd-cpu-mask: '%s' is not "
                        "a non-zero hex mask\n", optarg);
                exit(2);
            }
            o->pmd_mask = v;
            break;
        case OPT_NO_HUGE:
            o->no_huge = o->no_huge_forced = true;
            break;
        case OPT_MEMORY:
            v = strtoull(optarg, &end, 10);
            if (*end || end == optarg || v < 64 || v > 1 << 20) {
                fprintf(stderr, "sluice-bench: --memory: bad size '%s' "
                        "(MB)\n", optarg);
                exit(2);
            }
            o->memory_mb = v;
            break;
        case OPT_MBUF_SIZE:
            v = strtoull(optarg, &end, 10);
            if (*end || end == optarg || v < 256 || v > 65535) {
                fprintf(stderr, "sluice-bench: --mbuf-size: bad size '%s' "
                        "(256..65535)\n", optarg);
                exit(2);
            }
            o->mbuf_size = v;
            break;
        case OPT_SLUICED_ARGS:
            o->sluiced_args = optarg;
            break;
        case OPT_START_TIMEOUT:
            o->start_timeout = parse_seconds("--start-timeout", optarg, 1);
            break;
        case OPT_KEEP:
            o->keep = true;
            break;
        case OPT_REPEAT:
            v = strtoull(optarg, &end, 10);
            if (*end || end == optarg || v < 1 || v > 64) {
                fprintf(stderr, "sluice-bench: --repeat: '%s' is not a "
                        "number between 1 and 64\n", optarg);
                exit(2);
            }
            o->repeat = v;
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'h':
            usage();
            exit(0);
        case 'V':
            printf("sluice-bench (Sluice) %s\n", SLUICE_VERSION);
            exit(0);
        default:
            fprintf(stderr, "Try 'sluice-bench --help'.\n");
            exit(2);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sluice-bench: unexpected argument '%s'\n",
                argv[optind]);
        exit(2);
    }
}

/* Fills in the cores left unset from the cores we may run on. */
static int
choose_cores(struct bench_opts *o)
{
    cpu_set_t set;
    int lowest = -1, highest = -1, i;

    if (sched_getaffinity(0, sizeof set, &set)) {
        return -errno;
    }
    for (i = 0; i < 64; i++) {
        if (CPU_ISSET(i, &set)) {
            if (lowest < 0) {
                lowest = i;
            }
            highest = i;
        }
    }
    if (lowest < 0) {
        return -EINVAL;
    }
    if (o->control_core < 0) {
        o->control_core = lowest;
    }
    if (!o->pmd_mask) {
        o->pmd_mask = 1ull << highest;
    }
    if (o->pmd_mask & (1ull << o->control_core)) {
        note("warning: the PMD shares core %d with the control thread; "
             "results will be poor", o->control_core);
    }
    return 0;
}

/* Sizes the run's mbufs and memory; decides about hugepages. */
static void
size_run(struct bench_run *r)
{
    const struct bench_opts *o = r->opts;
    unsigned int need = MBUF_HEADROOM + o->frame_size - PCAPGEN_FCS_LEN;
    unsigned long free_mb;
    uint64_t pool_mb;

    r->n_mbuf = r->n_flows + EXTRA_MBUFS;
    r->mbuf_size = o->mbuf_size ? o->mbuf_size : 256;
    if (r->mbuf_size < need) {
        if (o->mbuf_size) {
            note("warning: --mbuf-size %u is below what --size %u needs "
                 "(%u); using %u", o->mbuf_size, o->frame_size, need,
                 (need + 63) / 64 * 64);
        }
        r->mbuf_size = (need + 63) / 64 * 64;
    }
    /* Per mbuf: data room + rte_mbuf (128) + private area and mempool
     * overhead (generously 256); plus 256 MB for everything else. */
    pool_mb = ((uint64_t) r->n_mbuf * (r->mbuf_size + 384) >> 20) + 1;
    r->memory_mb = o->memory_mb ? o->memory_mb
                                : (unsigned int) ((pool_mb + 256 + 63) / 64
                                                  * 64);
    if (!o->memory_mb && r->memory_mb < 512) {
        r->memory_mb = 512;
    }
    r->no_huge = o->no_huge;
    free_mb = hugepages_free_mb();
    if (!r->no_huge && free_mb < r->memory_mb) {
        note("%lu MB of hugepages free, %u MB needed: running with "
             "--no-huge", free_mb, r->memory_mb);
        r->no_huge = true;
    }
}

static int
make_pcap(const struct bench_opts *o, uint32_t n_flows, char **path)
{
    struct pcapgen_params p;
    struct stat st;
    int ret;

    if (asprintf(path, "%s/flows-%u-size-%u.pcap", tmp_dir, n_flows,
                 o->frame_size) < 0) {
        return -ENOMEM;
    }
    if (!stat(*path, &st)) {
        return 0;
    }
    pcapgen_params_init(&p);
    p.n_flows = n_flows;
    p.frame_size = o->frame_size;
    ret = pcapgen_write(*path, &p);
    if (ret) {
        note("%s: %s", *path, strerror(-ret));
    }
    return ret;
}

/* ---- Results. ---- */

static void
fmt_num(char *buf, size_t size, bool ok, double v, int prec)
{
    if (ok) {
        snprintf(buf, size, "%.*f", prec, v);
    } else {
        snprintf(buf, size, "-");
    }
}

static int
cmp_double(const void *a_, const void *b_)
{
    double a = *(const double *) a_, b = *(const double *) b_;

    return a < b ? -1 : a > b;
}

/* Median of the double at offset 'field' over those of the 'n' results
 * whose bool at offset 'ok_field' is set; false if there are none. */
static bool
median(const struct result *res, int n, size_t field, size_t ok_field,
       double *m)
{
    double v[64];
    int k = 0, i;

    for (i = 0; i < n && k < 64; i++) {
        const char *x = (const char *) &res[i];

        if (*(const bool *) (x + ok_field)) {
            v[k++] = *(const double *) (x + field);
        }
    }
    if (!k) {
        return false;
    }
    qsort(v, k, sizeof *v, cmp_double);
    *m = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
    return true;
}

/* Summarises the 'n' runs of one measurement at 'res' into their medians. */
static struct result
summarize(const struct result *res, int n)
{
    struct result m = res[0];

#define MEDIAN(FIELD, OK) \
    median(res, n, offsetof(struct result, FIELD), \
           offsetof(struct result, OK), &m.FIELD)
    m.run = 0;
    m.ok = MEDIAN(mpps, ok);
    MEDIAN(cycles, ok);
    MEDIAN(total_cycles, ok);
    MEDIAN(seconds, ok);
    m.ref_ok = MEDIAN(ref_mpps, ref_ok);
    MEDIAN(ref_cycles, ref_ok);
#undef MEDIAN
    return m;
}

/* Prints one row per measurement: the median of its 'repeat' runs. */
static void
print_table(const struct result *res, int n, int repeat, bool ref)
{
    int i;

    printf("\n%-9s %9s %5s %9s %9s %9s", "scenario", "flows", "size",
           "Mpps", "cyc/pkt", "total");
    if (ref) {
        printf(" %9s %9s %7s", "tp-Mpps", "tp-cyc", "ratio");
    }
    printf("\n");
    for (i = 0; i < n; i += repeat) {
        struct result m = summarize(&res[i], n - i < repeat ? n - i
                                                            : repeat);
        const struct result *x = &m;
        char mpps[32], cyc[32], tot[32], tmpps[32], tcyc[32], ratio[32];

        fmt_num(mpps, sizeof mpps, x->ok, x->mpps, 3);
        fmt_num(cyc, sizeof cyc, x->ok, x->cycles, 1);
        fmt_num(tot, sizeof tot, x->ok, x->total_cycles, 1);
        fmt_num(tmpps, sizeof tmpps, x->ref_ok, x->ref_mpps, 3);
        fmt_num(tcyc, sizeof tcyc, x->ref_ok, x->ref_cycles, 1);
        fmt_num(ratio, sizeof ratio, x->ok && x->ref_ok && x->ref_cycles > 0,
                x->ref_cycles > 0 ? x->cycles / x->ref_cycles : 0, 2);
        printf("%-9s %9u %5u %9s %9s %9s", x->scenario, x->n_flows,
               x->frame_size, mpps, cyc, tot);
        if (ref) {
            printf(" %9s %9s %7s", tmpps, tcyc, ratio);
        }
        printf("%s\n", x->no_huge ? "  (no hugepages)" : "");
    }
    printf("\nsize = frame bytes incl. 4-byte FCS; cyc/pkt = processing "
           "TSC cycles per packet;\ntotal = idle + processing; tp = "
           "dpdk-testpmd io forwarding; ratio = cyc/pkt / tp-cyc\n");
    if (repeat > 1) {
        printf("each figure is the median of %d runs\n", repeat);
    }
}

static void
write_csv_row(FILE *f, const struct result *x)
{
    if (x->run) {
        fprintf(f, "%s,%d,", x->scenario, x->run);
    } else {
        fprintf(f, "%s,median,", x->scenario);
    }
    fprintf(f, "%u,%u,%d,", x->n_flows, x->frame_size, x->no_huge);
    if (x->ok && x->run) {
        fprintf(f, "%.3f,%" PRIu64 ",%" PRIu64 ",", x->seconds, x->packets,
                x->dropped);
    } else {
        fprintf(f, ",,,");
    }
    if (x->ok) {
        fprintf(f, "%.4f,%.2f,%.2f,", x->mpps, x->cycles, x->total_cycles);
    } else {
        fprintf(f, ",,,");
    }
    if (x->ref_ok) {
        fprintf(f, "%.4f,%.2f,", x->ref_mpps, x->ref_cycles);
    } else {
        fprintf(f, ",,");
    }
    if (x->ok && x->ref_ok && x->ref_cycles > 0) {
        fprintf(f, "%.3f", x->cycles / x->ref_cycles);
    }
    fprintf(f, "\n");
}

/* One row per run; with --repeat, also a "median" row per measurement. */
static int
write_csv(const char *path, const struct result *res, int n, int repeat)
{
    FILE *f = fopen(path, "w");
    int i, j;

    if (!f) {
        return -errno;
    }
    fprintf(f, "scenario,run,flows,frame_size,no_huge,seconds,packets,"
            "dropped,mpps,cycles_per_pkt,total_cycles_per_pkt,testpmd_mpps,"
            "testpmd_cycles_per_pkt,ratio\n");
    for (i = 0; i < n; i += repeat) {
        int k = n - i < repeat ? n - i : repeat;
        struct result m = summarize(&res[i], k);

        for (j = 0; j < k; j++) {
            write_csv_row(f, &res[i + j]);
        }
        if (repeat > 1) {
            write_csv_row(f, &m);
        }
    }
    return fclose(f) ? -errno : 0;
}

/* Runs sluiced, then testpmd if asked, on one scenario at one flow
 * count, into 'res'.  Returns the number of failures. */
static int
measure(const struct bench_opts *o, const struct scenario *sc,
        uint32_t n_flows, int run, const char *sluiced, struct result *res)
{
    struct bench_run r = { .opts = o, .scenario = sc, .n_flows = n_flows };
    static int seq;                 /* Names the run directories. */
    char *pcap = NULL;
    int failures = 0;

    res->scenario = sc->name;
    res->run = run;
    res->n_flows = n_flows;
    res->frame_size = o->frame_size;
    size_run(&r);
    res->no_huge = r.no_huge;
    if (make_pcap(o, n_flows, &pcap)) {
        return 1;
    }
    if (asprintf(&r.dir, "%s/%02d-%s-%u", tmp_dir, ++seq, sc->name,
                 n_flows) < 0
        || mkdir(r.dir, 0700)) {
        note("cannot create the run directory: %s", strerror(errno));
        free(pcap);
        return 1;
    }
    r.pcap = pcap;
    if (run_sluiced(&r, sluiced, res)) {
        failures++;
    }
    if (o->ref_testpmd && sc->testpmd_fwd_mode && !stop_signal
        && run_testpmd(&r, res)) {
        failures++;
    }
    if (res->ok) {
        note("%s, %u flows, run %d: sluiced %.3f Mpps, %.1f cycles/pkt "
             "(%.1f total)", sc->name, n_flows, run, res->mpps, res->cycles,
             res->total_cycles);
    }
    if (res->ref_ok) {
        note("%s, %u flows, run %d: testpmd %.3f Mpps, %.1f cycles/pkt",
             sc->name, n_flows, run, res->ref_mpps, res->ref_cycles);
    }
    free(pcap);
    free(r.dir);
    return failures;
}

int
main(int argc, char *argv[])
{
    struct bench_opts o = {
        .flows = { 1, 1000, 100000 },
        .n_flows = 3,
        .frame_size = PCAPGEN_MIN_FRAME,
        .duration = 5,
        .warmup = 2,
        .control_core = -1,
        .testpmd = "dpdk-testpmd",
        .csv = "sluice-bench.csv",
        .start_timeout = 60,
        .repeat = 1,
    };
    struct result *results;
    struct sigaction sa;
    char *sluiced, *tmpl;
    const char *tmp_base;
    int n_results = 0, failures = 0, i, j, k, ret;

    parse_options(argc, argv, &o);
    if (!o.n_scenarios) {
        for (i = 0; i < (int) N_SCENARIOS && i < MAX_SCENARIOS; i++) {
            o.scenarios[o.n_scenarios++] = &scenarios[i];
        }
    }
    progress_tty = isatty(STDERR_FILENO);
    if (choose_cores(&o)) {
        fprintf(stderr, "sluice-bench: cannot choose cores\n");
        return 1;
    }
    sluiced = o.sluiced ? strdup(o.sluiced) : find_sluiced(argv[0]);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    tmp_base = getenv("TMPDIR");
    if (asprintf(&tmpl, "%s/sluice-bench.XXXXXX",
                 tmp_base && *tmp_base ? tmp_base : "/tmp") < 0
        || !mkdtemp(tmpl)) {
        fprintf(stderr, "sluice-bench: cannot create a temporary "
                "directory: %s\n", strerror(errno));
        return 1;
    }
    tmp_dir = tmpl;
    keep_tmp = o.keep;
    atexit(cleanup);

    note("sluiced %s; control core %d, PMD mask 0x%" PRIx64 "; "
         "%.0f s warm-up, %.0f s measurement; files in %s", sluiced,
         o.control_core, o.pmd_mask, o.warmup, o.duration, tmp_dir);

    results = calloc(o.n_scenarios * o.n_flows * o.repeat, sizeof *results);
    for (i = 0; i < o.n_scenarios && !stop_signal; i++) {
        for (j = 0; j < o.n_flows && !stop_signal; j++) {
            for (k = 0; k < o.repeat && !stop_signal; k++) {
                failures += measure(&o, o.scenarios[i], o.flows[j], k + 1,
                                    sluiced, &results[n_results++]);
            }
        }
    }
    if (failures && !stop_signal) {
        keep_tmp = true;        /* Logs for the post-mortem. */
    }
    if (stop_signal) {
        note("interrupted");
        failures++;
    }

    print_table(results, n_results, o.repeat, o.ref_testpmd);
    ret = write_csv(o.csv, results, n_results, o.repeat);
    if (ret) {
        fprintf(stderr, "sluice-bench: %s: %s\n", o.csv, strerror(-ret));
        failures++;
    } else {
        printf("results written to %s\n", o.csv);
    }
    free(results);
    free(sluiced);
    return failures ? 1 : 0;
}
