/* sluiced: the Sluice daemon - start-up, the control thread's loop, and
 * shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>

#include "ofproto/rule_ctl.h"
#include "ofproto/upcall.h"
#include "ovsdb/builtin.h"
#include "ovsdb/server.h"
#include "pmd/dp.h"
#include "sluice_config.h"
#include "src/bridge.h"
#include "src/dp_ctl.h"
#include "src/eal.h"
#include "src/memory_ctl.h"
#include "src/options.h"
#include "src/ovsdb_ctl.h"
#include "src/ovsdb_managers.h"
#include "src/util/ctl.h"
#include "src/util/dstr.h"
#include "src/util/fds.h"
#include "src/util/loop.h"
#include "src/util/stream.h"
#include "src/util/stream_ssl.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(sluiced);

struct daemon {
    struct sluiced_options opts;
    struct loop *loop;
    struct dp *dp;
    char *ctl_path;
    bool pidfile_written;
    int pidfile_fd;             /* Kept open: holds the pidfile's lock. */
    bool eal_up;
    int ready_fd;               /* --detach: tells the parent we are up. */
    struct ovsdb_server *osrv;
    struct ovsdb_managers *managers;
    struct stream_ssl_ctx *ssl;
};

static uint64_t
allowed_cores(void)
{
    cpu_set_t set;
    uint64_t mask = 0;
    if (sched_getaffinity(0, sizeof set, &set)) {
        return 1;
    }
    for (int i = 0; i < OPTIONS_MAX_CORES && i < CPU_SETSIZE; i++) {
        if (CPU_ISSET(i, &set)) {
            mask |= UINT64_C(1) << i;
        }
    }
    return mask;
}

static int
make_run_dir(const char *dir)
{
    if (mkdir(dir, 0700) && errno != EEXIST) {
        return -errno;
    }
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
        return -ENOTDIR;
    }
    return 0;
}

/* Refuses to start over a live daemon's pidfile. */
static int
check_pidfile(const char *path, struct dstr *err)
{
    FILE *f = fopen(path, "r");
    long pid;
    if (!f) {
        return 0;
    }
    int n = fscanf(f, "%ld", &pid);
    fclose(f);
    if (n == 1 && pid > 0 && pid != getpid() && !kill((pid_t) pid, 0)) {
        char comm_path[64], comm[64] = "";
        snprintf(comm_path, sizeof comm_path, "/proc/%ld/comm", pid);
        FILE *c = fopen(comm_path, "r");
        if (c) {
            if (!fgets(comm, sizeof comm, c)) {
                comm[0] = '\0';
            }
            fclose(c);
        }
        if (!strncmp(comm, "sluiced", 7)) {
            dstr_printf(err, "%s: sluiced is already running as pid %ld",
                        path, pid);
            return -EBUSY;
        }
    }
    return 0;
}

/* Writes the pidfile and keeps it open with a write lock held, as
 * ovs-appctl checks (it reads the pid only from a locked pidfile). */
static int
write_pidfile(const char *path, int *fdp)
{
    char tmp[4096];
    char text[32];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return -errno;
    }
    struct flock lck = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    int n = snprintf(text, sizeof text, "%ld\n", (long) getpid());
    if (fcntl(fd, F_SETLK, &lck) || write(fd, text, (size_t) n) != n
        || rename(tmp, path)) {
        int error = -errno;
        close(fd);
        unlink(tmp);
        return error;
    }
    *fdp = fd;
    return 0;
}

static void
on_signal(int fd, uint32_t events, void *d_)
{
    struct daemon *d = d_;
    struct signalfd_siginfo si;
    (void) events;
    while (read(fd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGHUP) {
            vlog_reopen_log_file();
            continue;
        }
        VLOG_INFO("%s received, exiting", strsignal((int) si.ssi_signo));
        loop_stop(d->loop);
    }
}

/* DPDK holds one file descriptor per hugepage (512 for the default 1 GB
 * of 2 MB pages), which leaves little of the usual soft limit of 1024 for
 * clients: raise the soft limit to the hard one. */
static void
raise_fd_limit(void)
{
    uint64_t old, new;
    int error = fds_raise_limit(&old, &new);
    if (error) {
        VLOG_WARN("cannot raise the open file limit: %s", strerror(-error));
    } else if (new != old) {
        VLOG_INFO("open file limit raised from %llu to %llu",
                  (unsigned long long) old, (unsigned long long) new);
    }
}

/* Frees what PMDs have moved past and moves their command backlogs on;
 * never waits for a PMD. */
static void
on_reclaim_timer(void *d_)
{
    struct daemon *d = d_;
    dp_reclaim(d->dp);
    dp_poll_vhost(d->dp);
}

static void
on_reap_timer(void *d_)
{
    struct daemon *d = d_;
    dp_reap_mempools(d->dp);
    dp_poll_links(d->dp);
}

static int
cmd_exit(int argc, const char *argv[], struct dstr *reply, void *d_)
{
    struct daemon *d = d_;
    (void) argc;
    (void) argv;
    (void) reply;
    VLOG_INFO("exit requested on the control socket");
    loop_stop(d->loop);
    return 0;
}

/* loop/show [--clear]: how long the control thread's loop iterations
 * take; the longest is how long the daemon did not answer anyone. */
static int
cmd_loop_show(int argc, const char *argv[], struct dstr *reply, void *d_)
{
    struct daemon *d = d_;
    struct loop_stats st;
    bool clear = argc > 1 && !strcmp(argv[1], "--clear");
    if (argc > 1 && !clear) {
        dstr_printf(reply, "\"%s\": expected --clear\n", argv[1]);
        return 1;
    }
    loop_get_stats(d->loop, &st);
    uint64_t now = loop_now_ms();
    dstr_printf(reply, "iterations: %lu\n", st.iterations);
    dstr_printf(reply, "avg busy per iteration: %.1f us\n",
                st.iterations ? (double) st.busy_ns / 1e3
                                / (double) st.iterations : 0.0);
    dstr_printf(reply, "longest iteration: %.3f ms (%.1f s ago)\n",
                (double) st.longest_ns / 1e6,
                st.longest_at_ms ? (double) (now - st.longest_at_ms) / 1e3
                                 : 0.0);
    if (clear) {
        loop_clear_longest(d->loop);
    }
    return 0;
}

/* Runs "--port" and "--output" as the control-socket commands they
 * stand for, so both paths behave the same. */
static int
run_startup_command(const char *cmd, const char *words, struct dstr *err)
{
    char **argv;
    int argc = options_split_words(words, &argv);
    const char *full[32];
    int n = 0;

    full[n++] = cmd;
    for (int i = 0; i < argc && n < 31; i++) {
        full[n++] = argv[i];
    }
    struct dstr reply = DSTR_INIT;
    int error = ctl_dispatch(n, full, &reply);
    if (error) {
        dstr_printf(err, "%s %s: %s", cmd, words, dstr_cstr(&reply));
    } else if (reply.len) {
        if (reply.s[reply.len - 1] == '\n') {
            reply.s[--reply.len] = '\0';
        }
        VLOG_INFO("%s", dstr_cstr(&reply));
    }
    dstr_free(&reply);
    options_free_words(argv);
    return error;
}

/* --detach: the parent waits until the child is ready, then exits with
 * the child's verdict.  Must run before EAL starts any thread. */
static int
detach(struct daemon *d)
{
    int fds[2];
    if (pipe(fds)) {
        return -errno;
    }
    pid_t pid = fork();
    if (pid < 0) {
        return -errno;
    }
    if (pid > 0) {
        char c;
        close(fds[1]);
        if (read(fds[0], &c, 1) == 1) {
            _exit(0);
        }
        int status;
        waitpid(pid, &status, 0);
        _exit(WIFEXITED(status) && WEXITSTATUS(status)
              ? WEXITSTATUS(status) : 1);
    }
    close(fds[0]);
    d->ready_fd = fds[1];
    setsid();
    return 0;
}

static void
notify_ready(struct daemon *d)
{
    if (d->ready_fd >= 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
            if (vlog_get_log_file()) {
                dup2(null, STDERR_FILENO);
            }
            close(null);
        }
        if (write(d->ready_fd, "", 1) != 1) {
            VLOG_WARN("cannot notify the parent process");
        }
        close(d->ready_fd);
        d->ready_fd = -1;
    }
}

/* The OVSDB server's database, opened before EAL starts so that its
 * EAL settings can be read. */
static int
open_ovsdb(struct daemon *d, struct dstr *err)
{
    struct sluiced_options *o = &d->opts;
    int error;

    d->osrv = ovsdb_server_create(d->loop);
    if (!d->osrv) {
        dstr_put(err, "out of memory");
        return -ENOMEM;
    }
    char *why = NULL;
    if (!o->db_given && access(o->db, F_OK) && errno == ENOENT) {
        /* The default database starts empty, from the built-in schema. */
        error = ovsdb_builtin_create_vswitch(o->db, &why);
        if (error) {
            dstr_printf(err, "cannot create database %s: %s", o->db,
                        why ? why : strerror(-error));
            free(why);
            return error;
        }
        VLOG_INFO("%s: created from the built-in Open_vSwitch schema",
                  o->db);
    }
    error = ovsdb_server_open_db(d->osrv, o->db, &why);
    if (error) {
        dstr_printf(err, "cannot open database %s", why ? why : o->db);
        if (!why || !strstr(why, strerror(-error))) {
            dstr_printf(err, ": %s", strerror(-error));
        }
        free(why);
        return error;
    }
    return 0;
}

/* The OVSDB server's remotes. */
/* The SSL row's TLS context, from the OVSDB managers, for the bridges'
 * controllers too (ovs-vswitchd reads the same row). */
static void
controllers_ssl(struct stream_ssl_ctx *ssl, void *aux)
{
    (void) aux;
    bridge_set_ssl(ssl);
}

static int
serve_ovsdb(struct daemon *d, struct dstr *err)
{
    struct sluiced_options *o = &d->opts;
    char msg[STREAM_ERR_LEN];
    int error;

    if (o->private_key) {
        error = stream_ssl_ctx_create_bootstrap(o->private_key,
                                                o->certificate, o->ca_cert,
                                                o->bootstrap_ca_cert,
                                                &d->ssl, msg, sizeof msg);
        if (error) {
            dstr_printf(err, "TLS: %s", msg);
            return error;
        }
    }
    struct dstr sock = DSTR_INIT;
    dstr_printf(&sock, "punix:%s/db.sock", o->run_dir);
    error = ovsdb_ctl_add_remote(d->osrv, NULL, dstr_cstr(&sock), msg,
                                 sizeof msg);
    dstr_free(&sock);
    for (int i = 0; !error && i < o->n_remotes; i++) {
        error = ovsdb_ctl_add_remote(d->osrv, d->ssl, o->remotes[i], msg,
                                     sizeof msg);
    }
    if (error) {
        dstr_printf(err, "cannot serve OVSDB: %s", msg);
    }
    return error;
}

static int
start(struct daemon *d, struct dstr *err)
{
    struct sluiced_options *o = &d->opts;
    char msg[256] = "";
    int error;

    for (int i = 0; i < o->n_vlog_specs; i++) {
        const char *why;
        if (vlog_set_spec(o->vlog_specs[i], &why)) {
            dstr_printf(err, "-v %s: %s", o->vlog_specs[i], why);
            return -EINVAL;
        }
    }
    error = make_run_dir(o->run_dir);
    if (error) {
        dstr_printf(err, "cannot create run directory %s: %s", o->run_dir,
                    strerror(-error));
        return error;
    }
    if (o->log_file) {
        error = vlog_set_log_file(o->log_file);
        if (error) {
            dstr_printf(err, "cannot open log file %s: %s", o->log_file,
                        strerror(-error));
            return error;
        }
    }
    error = check_pidfile(o->pidfile, err);
    if (error) {
        return error;
    }
    if (o->detach) {
        error = detach(d);
        if (error) {
            dstr_printf(err, "cannot detach: %s", strerror(-error));
            return error;
        }
    }

    /* Signals go to the loop's signalfd; block them before EAL and the
     * PMDs start threads, which inherit the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    d->loop = loop_create();
    if (!d->loop) {
        dstr_put(err, "cannot set up the event loop");
        return -ENOMEM;
    }
    error = open_ovsdb(d, err);
    if (error) {
        return error;
    }
    /* Before EAL pins this thread to the control core. */
    uint64_t usable_cores = allowed_cores();
    struct ovsdb_db *vswitch = ovsdb_server_find_db(d->osrv, "Open_vSwitch");
    if (vswitch) {
        error = bridge_eal_defaults(vswitch, o, usable_cores, err);
        if (error) {
            return error;
        }
    }
    if (options_choose_cores(o, usable_cores, msg, sizeof msg)) {
        dstr_put(err, msg);
        return -EINVAL;
    }

    raise_fd_limit();
    if (eal_init(o, err)) {
        return -EINVAL;
    }
    d->eal_up = true;
    VLOG_INFO("sluiced %s starting: control core %d, pmd mask 0x%llx",
              SLUICE_VERSION, o->control_core,
              (unsigned long long) o->pmd_mask);
    d->dp = dp_create(o->pmd_mask, o->pmd_idle_sleep_us, err);
    if (!d->dp) {
        return -EINVAL;
    }
    dp_set_usable_cores(d->dp, usable_cores);

    int sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0
        || loop_add_fd(d->loop, sfd, EPOLLIN, on_signal, d)) {
        dstr_put(err, "cannot set up the event loop");
        return -ENOMEM;
    }
    loop_add_timer(d->loop, 1000, true, on_reap_timer, d);
    loop_add_timer(d->loop, DP_RECLAIM_INTERVAL_MS, true, on_reclaim_timer,
                   d);

    size_t n = strlen(o->run_dir) + 64;
    d->ctl_path = malloc(n);
    snprintf(d->ctl_path, n, "%s/sluiced.%ld.ctl", o->run_dir,
             (long) getpid());
    vlog_register_commands();
    dp_ctl_register(d->dp);
    memory_ctl_register(d->dp);
    rule_ctl_init(d->dp);
    upcall_start(d->dp, d->loop);
    ctl_register("exit", "", 0, 0, cmd_exit, d);
    ctl_register("loop/show", "[--clear]", 0, 1, cmd_loop_show, d);
    error = ctl_server_start(d->loop, d->ctl_path);
    if (error) {
        dstr_printf(err, "cannot listen on %s: %s", d->ctl_path,
                    strerror(-error));
        return error;
    }

    error = serve_ovsdb(d, err);
    if (error) {
        return error;
    }
    if (vswitch) {
        bridge_set_run_dir(o->run_dir);
        error = bridge_start(d->loop, d->dp, vswitch);
        if (error) {
            dstr_printf(err, "cannot start the bridge reconciler: %s",
                        strerror(-error));
            return error;
        }
    }
    ovsdb_ctl_register(d->osrv, d->ssl);
    d->managers = ovsdb_managers_create(d->osrv, d->loop, d->ssl);
    if (vswitch && d->managers) {
        ovsdb_managers_on_ssl(d->managers, controllers_ssl, NULL);
    }

    dp_hold_rxqs(d->dp, true);
    for (int i = 0; i < o->n_ports; i++) {
        if (run_startup_command("dpctl/add-if", o->ports[i], err)) {
            return -EINVAL;
        }
    }
    for (int i = 0; i < o->n_outputs; i++) {
        if (run_startup_command("dpctl/set-if-output", o->outputs[i], err)) {
            return -EINVAL;
        }
    }
    dp_hold_rxqs(d->dp, false);

    error = write_pidfile(o->pidfile, &d->pidfile_fd);
    if (error) {
        dstr_printf(err, "cannot write %s: %s", o->pidfile,
                    strerror(-error));
        return error;
    }
    d->pidfile_written = true;
    VLOG_INFO("ready: control socket %s", d->ctl_path);
    notify_ready(d);
    return 0;
}

static void
stop(struct daemon *d)
{
    if (d->loop) {
        ctl_server_stop();
    }
    bridge_stop();
    ovsdb_managers_destroy(d->managers);
    d->managers = NULL;
    ovsdb_ctl_close_remotes();
    ovsdb_server_destroy(d->osrv);
    d->osrv = NULL;
    stream_ssl_ctx_destroy(d->ssl);
    ctl_unregister_all();
    upcall_stop();
    rule_ctl_destroy();
    if (d->dp) {
        dp_destroy(d->dp);
        d->dp = NULL;
    }
    if (d->pidfile_written) {
        unlink(d->opts.pidfile);
        close(d->pidfile_fd);
    }
    loop_destroy(d->loop);
    free(d->ctl_path);
}

int
main(int argc, char *argv[])
{
    struct daemon d = { .ready_fd = -1 };
    char msg[512] = "";

    switch (options_parse(&d.opts, argc, argv, msg, sizeof msg)) {
    case OPTIONS_OK:
        break;
    case OPTIONS_EXIT_OK:
        return 0;
    case OPTIONS_ERROR:
        fprintf(stderr, "sluiced: %s\n", msg);
        return 1;
    }

    struct dstr err = DSTR_INIT;
    int status = 0;
    if (start(&d, &err)) {
        VLOG_ERR("%s", dstr_cstr(&err));
        if (!vlog_is_enabled(vlog_module_from_name("sluiced"), VLL_ERR)) {
            fprintf(stderr, "sluiced: %s\n", dstr_cstr(&err));
        }
        status = 1;
    } else {
        loop_run(d.loop);
        VLOG_INFO("shutting down");
    }
    stop(&d);
    if (d.eal_up) {
        rte_eal_cleanup();
    }
    dstr_free(&err);
    options_free(&d.opts);
    return status;
}
