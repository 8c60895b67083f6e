/* bench_ovs: Open vSwitch with DPDK as the reference. */
#include "tools/bench_ovs.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/util/dstr.h"
#include "tools/bench.h"
#include "tools/bench_guest.h"
#include "tools/bench_ovsdb.h"
#include "tools/bench_perf.h"
#include "tools/bench_stats.h"
#include "tools/bench_proc.h"
#include "tools/bench_scenarios.h"

#define OVS_SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"
#define CMD_TIMEOUT 30.0
#define EXIT_TIMEOUT 15.0

/* Client programs, from PATH (Debian puts them in /usr/bin). */
static const char *const clients[] = {
    "ovsdb-tool", "ovsdb-server", "ovs-vsctl", "ovs-ofctl", "ovs-appctl",
};

/* One Open vSwitch under measurement. */
struct ovs {
    const struct bench_run *run;
    char dir[PATH_MAX];         /* Its run, database, log directory. */
    char *env[5];               /* OVS_RUNDIR=dir and friends. */
    char db[PATH_MAX + 32];     /* "--db=unix:DIR/db.sock". */
    char ctl[PATH_MAX + 32];    /* ovs-vswitchd's unixctl socket. */
    char mgmt[PATH_MAX + 32];   /* "unix:DIR/br0.mgmt". */
};

/* A program in PATH, or in /usr/sbin and /sbin. */
static bool
in_path(const char *prog)
{
    const char *path = getenv("PATH");
    char *dirs = xasprintf("%s:/usr/sbin:/sbin", path ? path : "/usr/bin"),
         *save = NULL, *d;
    bool found = false;

    for (d = strtok_r(dirs, ":", &save); d && !found;
         d = strtok_r(NULL, ":", &save)) {
        char *cand = xasprintf("%s/%s", d, prog);

        found = !access(cand, X_OK);
        free(cand);
    }
    free(dirs);
    return found;
}

int
bench_ovs_check(const char *vswitchd, struct dstr *err)
{
    size_t i;

    if (access(vswitchd, X_OK)) {
        dstr_printf(err, "--ref ovs needs Open vSwitch with DPDK: %s: %s "
                    "(Debian package openvswitch-switch-dpdk, which "
                    "tools/install-deps installs; or name the binary with "
                    "--ovs-vswitchd)", vswitchd, strerror(errno));
        return -ENOENT;
    }
    for (i = 0; i < sizeof clients / sizeof *clients; i++) {
        if (!in_path(clients[i])) {
            dstr_printf(err, "--ref ovs needs %s (Debian packages "
                        "openvswitch-common, openvswitch-switch)",
                        clients[i]);
            return -ENOENT;
        }
    }
    if (access(OVS_SCHEMA, R_OK)) {
        dstr_printf(err, "--ref ovs needs %s (Debian package "
                    "openvswitch-switch): %s", OVS_SCHEMA, strerror(errno));
        return -ENOENT;
    }
    return 0;
}

/* ---- Running its programs. ---- */

/* Runs the NULL-terminated command 'prog', ... with the daemons'
 * environment; its stdout in *out if 'out'.  Returns 0, or -EIO after
 * printing the command and its stderr. */
static int
ovs_cmd(struct ovs *ovs, char **out, const char *prog, ...)
{
    struct bench_argv a = { NULL, 0, 0 };
    char *o = NULL, *e = NULL;
    const char *arg;
    va_list args;
    int status;

    bench_argv_add(&a, "%s", prog);
    va_start(args, prog);
    while ((arg = va_arg(args, const char *)) != NULL) {
        bench_argv_add(&a, "%s", arg);
    }
    va_end(args);
    if (ovs->run->opts->verbose) {
        char *cmd = bench_argv_join(&a);

        bench_note("running: %s", cmd);
        free(cmd);
    }
    status = bench_run_capture(a.v, ovs->env, CMD_TIMEOUT, &o, &e);
    if (status) {
        char *cmd = bench_argv_join(&a), st[64] = "timed out";

        if (status > 0) {
            bench_describe_status(status, st, sizeof st);
        }
        bench_note("Open vSwitch: %s: %s%s%s", cmd, st, e && *e ? ": " : "",
                   e ? e : "");
        free(cmd);
    }
    bench_argv_free(&a);
    free(e);
    if (out && !status) {
        *out = o;
    } else {
        free(o);
    }
    return status ? -EIO : 0;
}

static void
ovs_failed(struct ovs *ovs, const char *what)
{
    char path[PATH_MAX + 32];

    bench_note("Open vSwitch: %s", what);
    snprintf(path, sizeof path, "%s/ovs-vswitchd.out", ovs->dir);
    bench_print_tail(path, 10);
    snprintf(path, sizeof path, "%s/ovs-vswitchd.log", ovs->dir);
    bench_print_tail(path, 25);
}

/* Waits up to the start timeout for 'path' to exist while 'child' runs. */
static int
wait_socket(struct ovs *ovs, struct bench_child *child, const char *path,
            const char *who)
{
    double deadline = bench_now() + ovs->run->opts->start_timeout;
    struct stat st;

    while (stat(path, &st)) {
        int status;

        if (bench_stop_signal) {
            return -EINTR;
        }
        if (bench_child_wait(child, 0, &status)) {
            char s[64], msg[128];

            bench_describe_status(status, s, sizeof s);
            snprintf(msg, sizeof msg, "%s exited during start-up (%s)", who,
                     s);
            ovs_failed(ovs, msg);
            return -ECHILD;
        }
        if (bench_now() > deadline) {
            ovs_failed(ovs, "no socket in time");
            return -ETIMEDOUT;
        }
        bench_sleep(0.05);
    }
    return 0;
}

/* Starts 'argv' as 'child' with its output in DIR/'log'. */
static int
start_daemon(struct ovs *ovs, struct bench_child *child,
             struct bench_argv *a, const char *log)
{
    char path[PATH_MAX + 32];
    int fd, ret;

    snprintf(path, sizeof path, "%s/%s", ovs->dir, log);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        bench_note("%s: %s", path, strerror(errno));
        return -errno;
    }
    if (ovs->run->opts->verbose) {
        char *cmd = bench_argv_join(a);

        bench_note("running: %s", cmd);
        free(cmd);
    }
    ret = bench_child_start_env(child, a->v, -1, fd, SIGTERM, ovs->env);
    close(fd);
    if (ret) {
        bench_note("cannot start %s: %s", a->v[0], strerror(-ret));
    }
    return ret;
}

/* ---- Set-up. ---- */

static int
start_ovsdb(struct ovs *ovs)
{
    struct bench_argv a = { NULL, 0, 0 };
    char db_file[PATH_MAX + 16], sock[PATH_MAX + 16];
    int ret;

    snprintf(db_file, sizeof db_file, "%s/conf.db", ovs->dir);
    snprintf(sock, sizeof sock, "%s/db.sock", ovs->dir);
    ret = ovs_cmd(ovs, NULL, "ovsdb-tool", "create", db_file, OVS_SCHEMA,
                  NULL);
    if (ret) {
        return ret;
    }
    bench_argv_add(&a, "ovsdb-server");
    bench_argv_add(&a, "%s", db_file);
    bench_argv_add(&a, "--remote=punix:%s", sock);
    bench_argv_add(&a, "--pidfile=%s/ovsdb-server.pid", ovs->dir);
    bench_argv_add(&a, "--unixctl=%s/ovsdb-server.ctl", ovs->dir);
    bench_argv_add(&a, "--log-file=%s/ovsdb-server.log", ovs->dir);
    bench_argv_add(&a, "--no-chdir");
    ret = start_daemon(ovs, &bench_ovsdb_child, &a, "ovsdb-server.out");
    bench_argv_free(&a);
    return ret ? ret : wait_socket(ovs, &bench_ovsdb_child, sock,
                                   "ovsdb-server");
}

/* Until Open_vSwitch dpdk_initialized is true, while ovs-vswitchd runs. */
static int
wait_dpdk(struct ovs *ovs)
{
    double deadline = bench_now() + ovs->run->opts->start_timeout;
    int ret = 0;

    for (;;) {
        char *out = NULL;
        int status;

        ret = ovs_cmd(ovs, &out, "ovs-vsctl", ovs->db, "--no-wait", "get",
                      "Open_vSwitch", ".", "dpdk_initialized", NULL);
        if (!ret && !strncmp(out, "true", 4)) {
            free(out);
            return 0;
        }
        free(out);
        if (ret || bench_stop_signal) {
            return bench_stop_signal ? -EINTR : ret;
        }
        if (bench_child_wait(&bench_ovs_child, 0, &status)) {
            char st[64], msg[128];

            bench_describe_status(status, st, sizeof st);
            snprintf(msg, sizeof msg, "ovs-vswitchd exited while "
                     "initialising DPDK (%s)", st);
            ovs_failed(ovs, msg);
            return -ECHILD;
        }
        if (bench_now() > deadline) {
            ovs_failed(ovs, "DPDK did not initialise in time");
            return -ETIMEDOUT;
        }
        bench_sleep(0.2);
    }
}

static int
start_vswitchd(struct ovs *ovs)
{
    const struct bench_run *r = ovs->run;
    const struct bench_opts *o = r->opts;
    struct bench_argv a = { NULL, 0, 0 };
    char extra[128], lcore[64], pmd[64];
    int ret;

    snprintf(extra, sizeof extra,
             "other_config:dpdk-extra=--no-pci --in-memory");
    snprintf(lcore, sizeof lcore, "other_config:dpdk-lcore-mask=0x%llx",
             1ull << o->control_core);
    snprintf(pmd, sizeof pmd, "other_config:pmd-cpu-mask=0x%" PRIx64,
             o->pmd_mask);
    ret = ovs_cmd(ovs, NULL, "ovs-vsctl", ovs->db, "--no-wait", "init",
                  "--", "set", "Open_vSwitch", ".",
                  "other_config:dpdk-init=true", extra, lcore, pmd, NULL);
    if (ret) {
        return ret;
    }
    /* In a network namespace of its own when we may (root): the netdev
     * bridge's LOCAL port is a tap device. */
    if (!geteuid()) {
        bench_argv_add(&a, "unshare");
        bench_argv_add(&a, "--net");
        bench_argv_add(&a, "--");
    }
    bench_argv_add(&a, "%s", o->ovs_vswitchd);
    bench_argv_add(&a, "%s", ovs->db + strlen("--db="));
    bench_argv_add(&a, "--pidfile=%s/ovs-vswitchd.pid", ovs->dir);
    bench_argv_add(&a, "--unixctl=%s", ovs->ctl);
    bench_argv_add(&a, "--log-file=%s/ovs-vswitchd.log", ovs->dir);
    bench_argv_add(&a, "--no-chdir");
    ret = start_daemon(ovs, &bench_ovs_child, &a, "ovs-vswitchd.out");
    bench_argv_free(&a);
    if (!ret) {
        ret = wait_socket(ovs, &bench_ovs_child, ovs->ctl, "ovs-vswitchd");
    }
    if (!ret) {
        ret = wait_dpdk(ovs);
    }
    return ret;
}

/* Adds "-- add-port br0 NAME -- set Interface NAME ..." for 'p'. */
static void
add_port_args(struct bench_argv *a, const struct bench_port *p)
{
    bench_argv_add(a, "--");
    bench_argv_add(a, "add-port");
    bench_argv_add(a, BENCH_BRIDGE);
    bench_argv_add(a, "%s", p->name);
    bench_argv_add(a, "--");
    bench_argv_add(a, "set");
    bench_argv_add(a, "Interface");
    bench_argv_add(a, "%s", p->name);
    bench_argv_add(a, "type=%s", p->type);
    bench_argv_add(a, "ofport_request=%u", p->ofport);
    if (p->devargs[0]) {
        bench_argv_add(a, "options:dpdk-devargs=%s", p->devargs);
    }
}

/* The bridge and its ports, as one ovs-vsctl command (which waits until
 * ovs-vswitchd has applied it); then checks the ports. */
static int
add_bridge(struct ovs *ovs)
{
    struct bench_port ports[BENCH_N_PORTS];
    struct bench_argv a = { NULL, 0, 0 };
    int ret, i, status;
    char *out = NULL, *err = NULL;

    bench_scenario_ports(ovs->run, ports);
    bench_argv_add(&a, "ovs-vsctl");
    bench_argv_add(&a, "%s", ovs->db);
    bench_argv_add(&a, "--timeout=%.0f", ovs->run->opts->start_timeout);
    bench_argv_add(&a, "add-br");
    bench_argv_add(&a, BENCH_BRIDGE);
    bench_argv_add(&a, "--");
    bench_argv_add(&a, "set");
    bench_argv_add(&a, "Bridge");
    bench_argv_add(&a, BENCH_BRIDGE);
    bench_argv_add(&a, "datapath_type=netdev");
    bench_argv_add(&a, "fail_mode=secure");
    for (i = 0; i < BENCH_N_PORTS; i++) {
        add_port_args(&a, &ports[i]);
    }
    status = bench_run_capture(a.v, ovs->env, ovs->run->opts->start_timeout
                               + CMD_TIMEOUT, &out, &err);
    bench_argv_free(&a);
    ret = status ? -EIO : 0;
    if (ret) {
        bench_note("Open vSwitch: ovs-vsctl add-br: %s", err ? err : "");
        ovs_failed(ovs, "cannot create the bridge");
    }
    free(out);
    free(err);
    for (i = 0; !ret && i < BENCH_N_PORTS; i++) {
        char *ofport = NULL, *error = NULL;

        ret = ovs_cmd(ovs, &ofport, "ovs-vsctl", ovs->db, "get",
                      "Interface", ports[i].name, "ofport", NULL);
        if (!ret) {
            ret = ovs_cmd(ovs, &error, "ovs-vsctl", ovs->db, "get",
                          "Interface", ports[i].name, "error", NULL);
        }
        if (!ret && (strtol(ofport, NULL, 10) != ports[i].ofport
                     || strncmp(error, "[]", 2))) {
            bench_note("Open vSwitch: interface %s: ofport %.*s, error %s",
                       ports[i].name, (int) strcspn(ofport, "\n"), ofport,
                       error);
            ovs_failed(ovs, "a port did not come up");
            ret = -EIO;
        }
        free(ofport);
        free(error);
    }
    return ret;
}

/* The scenario's flows, as --openflow gives them to sluiced. */
static int
add_flows(struct ovs *ovs)
{
    struct dstr flows = DSTR_INIT;
    char path[PATH_MAX + 32];
    FILE *f;
    int ret;

    dstr_init(&flows);
    ovs->run->scenario->of_flows(ovs->run, &flows);
    snprintf(path, sizeof path, "%s/openflow-flows.txt", ovs->dir);
    f = fopen(path, "w");
    if (!f) {
        bench_note("%s: %s", path, strerror(errno));
        dstr_free(&flows);
        return -errno;
    }
    fputs(dstr_cstr(&flows), f);
    fclose(f);
    dstr_free(&flows);
    ret = ovs_cmd(ovs, NULL, "ovs-ofctl", "-O", "OpenFlow13", "del-flows",
                  ovs->mgmt, NULL);
    if (!ret) {
        ret = ovs_cmd(ovs, NULL, "ovs-ofctl", "-O", "OpenFlow13",
                      "add-flows", ovs->mgmt, path, NULL);
    }
    return ret;
}

/* ---- Measuring. ---- */

struct ovs_sample {
    struct bench_dp_sample dp;  /* PMD counters. */
    uint64_t port_rx;           /* Port counters, all ports. */
    uint64_t port_tx;
    bool have_ports;            /* Every port had them. */
    double t;                   /* Middle of the port counters' call. */
};

static int
ovs_sample(struct ovs *ovs, struct ovs_sample *s)
{
    char *stats = NULL, *ports = NULL;
    double t0;
    int ret;

    memset(s, 0, sizeof *s);
    ret = ovs_cmd(ovs, &stats, "ovs-appctl", "-t", ovs->ctl,
                  "dpif-netdev/pmd-stats-show", NULL);
    if (!ret && bench_pmdstats_parse(stats, &s->dp)) {
        bench_note("Open vSwitch: cannot parse pmd-stats-show: \"%.200s\"",
                   stats);
        ret = -EPROTO;
    }
    t0 = bench_now();
    if (!ret) {
        ret = ovs_cmd(ovs, &ports, "ovs-ofctl", "-O", "OpenFlow13",
                      "--no-names", "dump-ports", ovs->mgmt, NULL);
    }
    s->t = (t0 + bench_now()) / 2;
    if (!ret) {
        char path[PATH_MAX + 32];
        FILE *f;

        s->have_ports = bench_stats_dump_ports(ports, &s->port_rx,
                                               &s->port_tx);
        snprintf(path, sizeof path, "%s/dump-ports.txt", ovs->dir);
        f = fopen(path, "w");       /* The last, for the record. */
        if (f) {
            fputs(ports, f);
            fclose(f);
        }
    }
    free(stats);
    free(ports);
    return ret;
}

/* Megaflows in the datapath now, from upcall/show's "(current N)". */
static bool
ovs_megaflows(struct ovs *ovs, double *n)
{
    char *out = NULL;
    const char *p;
    bool ok = false;

    if (!ovs_cmd(ovs, &out, "ovs-appctl", "-t", ovs->ctl, "upcall/show",
                 NULL) && (p = strstr(out, "(current ")) != NULL) {
        *n = strtod(p + strlen("(current "), NULL);
        ok = true;
    }
    free(out);
    return ok;
}

/* Saves the reply of ovs-appctl 'cmd' in DIR/'file', for the record. */
static void
ovs_save(struct ovs *ovs, const char *cmd, const char *file)
{
    char path[PATH_MAX + 32], *out = NULL;
    FILE *f;

    if (!ovs_cmd(ovs, &out, "ovs-appctl", "-t", ovs->ctl, cmd, NULL)) {
        snprintf(path, sizeof path, "%s/%s", ovs->dir, file);
        f = fopen(path, "w");
        if (f) {
            fputs(out, f);
            fclose(f);
        }
    }
    free(out);
}

/* Until the PMD receives packets (pcap scenarios; the guest waits for
 * its own). */
static int
wait_traffic(struct ovs *ovs)
{
    double deadline = bench_now() + ovs->run->opts->start_timeout;
    struct ovs_sample s;
    int ret;

    while (!(ret = ovs_sample(ovs, &s)) && !s.dp.received) {
        if (bench_stop_signal) {
            return -EINTR;
        }
        if (bench_now() > deadline) {
            ovs_failed(ovs, "its PMD received nothing");
            return -ETIMEDOUT;
        }
        bench_sleep(0.2);
    }
    return ret;
}

static int
window(struct ovs *ovs, struct bench_guest *g, struct bench_result *res)
{
    const struct bench_run *r = ovs->run;
    const struct bench_opts *o = r->opts;
    struct bench_ref *x = &res->ovs;
    struct ovs_sample s0, s1;
    uint64_t packets;
    bool ports;
    double w;
    int ret;

    bench_sleep_showing(r->name, r->n_flows, "ovs", "warming up", o->warmup);
    ret = bench_stop_signal ? -EINTR : 0;
    if (!ret && g) {
        ret = bench_guest_window_begin(g);
    }
    if (!ret) {
        ret = ovs_sample(ovs, &s0);
    }
    if (!ret && o->perf) {
        bench_perf_start(r, "ovs");
    }
    if (!ret) {
        bench_sleep_showing(r->name, r->n_flows, "ovs", "measuring",
                            o->duration);
        ret = bench_stop_signal ? -EINTR : 0;
    }
    if (o->perf) {
        bench_perf_stop(r, "ovs", bench_ovs_child.pid, "pmd-c");
    }
    if (!ret) {
        ret = ovs_sample(ovs, &s1);
    }
    if (!ret && g) {
        ret = bench_guest_window_end(g, &x->guest_rx_mpps,
                                     &x->guest_tx_mpps);
    }
    if (ret) {
        return ret;
    }
    /* The PMDs' counters are sampled around the ports': received packets
     * and cycles over about the same window. */
    w = s1.t - s0.t;
    packets = s1.dp.received - s0.dp.received;
    ports = s0.have_ports && s1.have_ports;
    x->mpps = w <= 0 ? 0 : ports ? (s1.port_rx - s0.port_rx) / w / 1e6
                                 : packets / w / 1e6;
    /* Without port counters (vhost-user), what it sent is what the guest
     * got. */
    x->sent_mpps = w <= 0 ? 0 : ports ? (s1.port_tx - s0.port_tx) / w / 1e6
                                      : x->guest_rx_mpps;
    x->cycles = packets ? (double) (s1.dp.processing - s0.dp.processing)
                          / packets : 0;
    x->have_megaflows = ovs_megaflows(ovs, &x->megaflows);
    x->ok = packets && x->sent_mpps > 0 && (!g || x->guest_rx_mpps > 0);
    if (!x->ok) {
        ovs_failed(ovs, !packets ? "its PMD received nothing in the window"
                        : g ? "the guest got nothing back"
                        : "its ports sent nothing in the window (ovs-ofctl "
                          "dump-ports)");
        return -EIO;
    }
    return 0;
}

/* `exit` to both daemons, in order; SIGTERM if they do not go. */
static void
ovs_stop(struct ovs *ovs)
{
    char ctl[PATH_MAX + 32];

    if (bench_ovs_child.pid > 0
        && !bench_child_wait(&bench_ovs_child, 0, NULL)) {
        ovs_cmd(ovs, NULL, "ovs-appctl", "-t", ovs->ctl, "exit", NULL);
        if (!bench_child_wait(&bench_ovs_child, EXIT_TIMEOUT, NULL)) {
            bench_note("warning: ovs-vswitchd still running after `exit`; "
                       "sending SIGTERM");
            bench_child_stop(&bench_ovs_child);
        }
    }
    if (bench_ovsdb_child.pid > 0
        && !bench_child_wait(&bench_ovsdb_child, 0, NULL)) {
        snprintf(ctl, sizeof ctl, "%s/ovsdb-server.ctl", ovs->dir);
        ovs_cmd(ovs, NULL, "ovs-appctl", "-t", ctl, "exit", NULL);
        if (!bench_child_wait(&bench_ovsdb_child, EXIT_TIMEOUT, NULL)) {
            bench_child_stop(&bench_ovsdb_child);
        }
    }
}

static void
ovs_init(struct ovs *ovs, const struct bench_run *r)
{
    static const char *const vars[] = {
        "OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR", "OVS_SYSCONFDIR",
    };
    size_t i;

    memset(ovs, 0, sizeof *ovs);
    ovs->run = r;
    snprintf(ovs->dir, sizeof ovs->dir, "%s/ovs", r->dir);
    for (i = 0; i < sizeof vars / sizeof *vars; i++) {
        ovs->env[i] = xasprintf("%s=%s", vars[i], ovs->dir);
    }
    ovs->env[i] = NULL;
    snprintf(ovs->db, sizeof ovs->db, "--db=unix:%s/db.sock", ovs->dir);
    snprintf(ovs->ctl, sizeof ovs->ctl, "%s/ovs-vswitchd.ctl", ovs->dir);
    snprintf(ovs->mgmt, sizeof ovs->mgmt, "unix:%s/%s.mgmt", ovs->dir,
             BENCH_BRIDGE);
}

static void
ovs_free(struct ovs *ovs)
{
    for (size_t i = 0; ovs->env[i]; i++) {
        free(ovs->env[i]);
    }
}

int
bench_ovs_run(const struct bench_run *r, struct bench_result *res)
{
    struct bench_guest *g = NULL;
    bool configured;
    struct ovs ovs;
    int ret;

    ovs_init(&ovs, r);
    res->ovs.ok = false;
    if (r->no_huge) {
        /* Its EAL arguments always have --in-memory, which --no-huge
         * cannot go with. */
        bench_note("%s, %u flows: Open vSwitch with DPDK needs hugepages "
                   "(%u MB free needed); skipped", r->name, r->n_flows,
                   r->memory_mb);
        return -ENOMEM;
    }
    if (mkdir(ovs.dir, 0700)) {
        bench_note("%s: %s", ovs.dir, strerror(errno));
        ovs_free(&ovs);
        return -errno;
    }
    bench_progress("[%s %u flows] ovs: starting", r->name, r->n_flows);
    ret = start_ovsdb(&ovs);
    if (!ret) {
        ret = start_vswitchd(&ovs);
    }
    if (!ret) {
        bench_progress("[%s %u flows] ovs: configuring", r->name,
                       r->n_flows);
        ret = add_bridge(&ovs);
    }
    if (!ret) {
        ret = add_flows(&ovs);
    }
    configured = !ret;
    if (!ret && r->scenario->guest) {
        char s0[PATH_MAX + 8], s1[PATH_MAX + 8];

        snprintf(s0, sizeof s0, "%s/vh0", ovs.dir);
        snprintf(s1, sizeof s1, "%s/vh1", ovs.dir);
        ret = bench_guest_start(r, "ovs", s0, s1, &g);
    } else if (!ret) {
        ret = wait_traffic(&ovs);
    }
    if (!ret) {
        ret = window(&ovs, g, res);
    }
    if (configured) {
        ovs_save(&ovs, "dpif-netdev/pmd-stats-show", "pmd-stats.txt");
        ovs_save(&ovs, "dpctl/dump-flows", "dump-flows.txt");
    }
    bench_guest_stop(g);            /* Before its switch goes. */
    bench_progress_end();
    ovs_stop(&ovs);
    ovs_free(&ovs);
    if (ret) {
        res->ovs.ok = false;
    }
    return bench_stop_signal ? -EINTR : ret;
}
