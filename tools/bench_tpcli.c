/* bench_tpcli: an interactive dpdk-testpmd. */
#include "tools/bench_tpcli.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/util/dstr.h"
#include "tools/bench_proc.h"

#define PROMPT "testpmd> "
#define QUIT_TIMEOUT 10.0

struct tpcli {
    struct bench_child *child;
    char *name;
    char *log_path;
    FILE *log;
    int master;                 /* Pseudo-terminal; -1 once closed. */
    struct dstr out;            /* Output since the last command. */
};

int
tpcli_start(struct tpcli **tpp, struct bench_child *child, char **argv,
            const char *log_path, const char *name)
{
    struct tpcli *tp = calloc(1, sizeof *tp);
    int slave = -1, ret;

    *tpp = NULL;
    if (!tp) {
        return -ENOMEM;
    }
    tp->child = child;
    tp->name = strdup(name);
    tp->log_path = strdup(log_path);
    dstr_init(&tp->out);
    tp->log = fopen(log_path, "we");
    tp->master = bench_open_pty(&slave);
    if (!tp->log || tp->master < 0) {
        ret = -errno;
        bench_note("%s: %s", tp->log ? "pseudo-terminal" : log_path,
                   strerror(errno));
        tpcli_close(tp);
        return ret ? ret : -EIO;
    }
    ret = bench_child_start_io(child, argv, slave, slave, SIGKILL);
    close(slave);
    if (ret) {
        bench_note("cannot start %s: %s", argv[0], strerror(-ret));
        tpcli_close(tp);
        return ret;
    }
    *tpp = tp;
    return 0;
}

/* Reads what is there (waiting up to 'ms') into tp->out and the log.
 * Returns -ECHILD once the terminal is closed (testpmd exited). */
static int
tpcli_read(struct tpcli *tp, int ms)
{
    struct pollfd pfd = { .fd = tp->master, .events = POLLIN };
    char buf[4096];
    ssize_t n;

    if (tp->master < 0) {
        return -ECHILD;
    }
    if (poll(&pfd, 1, ms) <= 0) {
        return 0;
    }
    n = read(tp->master, buf, sizeof buf);
    if (n <= 0) {
        return -ECHILD;         /* EIO: every slave fd is closed. */
    }
    fwrite(buf, 1, n, tp->log);
    fflush(tp->log);
    dstr_printf(&tp->out, "%.*s", (int) n, buf);
    return 0;
}

int
tpcli_wait_prompt(struct tpcli *tp, double timeout)
{
    double deadline = bench_now() + timeout;

    while (!strstr(dstr_cstr(&tp->out), PROMPT)) {
        int ret;

        if (bench_stop_signal) {
            return -EINTR;
        }
        if (bench_now() > deadline) {
            return -ETIMEDOUT;
        }
        ret = tpcli_read(tp, 100);
        if (ret) {
            return ret;
        }
    }
    return 0;
}

int
tpcli_cmd(struct tpcli *tp, const char *cmd, double timeout, char **out)
{
    size_t n = strlen(cmd), off = 0;
    int ret;

    if (out) {
        *out = NULL;
    }
    dstr_clear(&tp->out);
    fprintf(tp->log, "\n[sluice-bench] %s\n", cmd);
    while (off <= n) {
        const char *p = off < n ? cmd + off : "\n";
        ssize_t k = write(tp->master, p, off < n ? n - off : 1);

        if (k <= 0) {
            return -ECHILD;
        }
        off += (size_t) k;
    }
    ret = tpcli_wait_prompt(tp, timeout);
    if (!ret && out) {
        *out = strdup(dstr_cstr(&tp->out));
    }
    return ret;
}

bool
tpcli_close(struct tpcli *tp)
{
    int status = -1;
    bool exited = true;

    if (!tp) {
        return true;
    }
    if (tp->master >= 0 && tp->child->pid > 0) {
        double deadline = bench_now() + QUIT_TIMEOUT;
        static const char quit[] = "stop\nquit\n";

        if (write(tp->master, quit, sizeof quit - 1) < 0) {
            kill(tp->child->pid, SIGINT);
        }
        /* Drain until it closes its terminal. */
        while (bench_now() < deadline && !tpcli_read(tp, 100)) {
            continue;
        }
    }
    if (tp->child->pid > 0) {
        exited = bench_child_wait(tp->child, 5, &status);
        if (!exited) {
            bench_note("%s did not quit; killing it", tp->name);
            bench_child_stop(tp->child);
        }
    }
    if (tp->master >= 0) {
        close(tp->master);
    }
    if (tp->log) {
        fclose(tp->log);
    }
    dstr_free(&tp->out);
    free(tp->name);
    free(tp->log_path);
    free(tp);
    return exited && status == 0;
}

const char *
tpcli_log_path(const struct tpcli *tp)
{
    return tp->log_path;
}
