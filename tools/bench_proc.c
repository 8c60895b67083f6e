/* bench_proc: children, signals, clock, temporary files and terminal
 * output of sluice-bench. */
#include "tools/bench_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "src/util/dstr.h"

/* ---- Stop flag, clock. ---- */

volatile sig_atomic_t bench_stop_signal;

static void
on_signal(int signo)
{
    bench_stop_signal = signo;
}

void
bench_catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

double
bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

void
bench_sleep(double secs)
{
    struct timespec ts;

    if (secs <= 0 || bench_stop_signal) {
        return;
    }
    ts.tv_sec = (time_t) secs;
    ts.tv_nsec = (long) ((secs - ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
}

void
bench_sleep_showing(const char *name, unsigned int n_flows, const char *who,
                    const char *what, double secs)
{
    double t0 = bench_now(), t;

    while (!bench_stop_signal && (t = bench_now()) < t0 + secs) {
        bench_progress("[%s %u flows] %s: %s %.0f/%.0f s", name, n_flows,
                       who, what, t - t0, secs);
        bench_sleep(t0 + secs - t < 0.5 ? t0 + secs - t : 0.5);
    }
}

/* ---- A growable argv. ---- */

void
bench_argv_add(struct bench_argv *a, const char *fmt, ...)
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

void
bench_argv_add_words(struct bench_argv *a, const char *s)
{
    while (s && *s) {
        size_t n;

        s += strspn(s, " \t");
        n = strcspn(s, " \t");
        if (n) {
            bench_argv_add(a, "%.*s", (int) n, s);
        }
        s += n;
    }
}

void
bench_argv_free(struct bench_argv *a)
{
    int i;

    for (i = 0; i < a->n; i++) {
        free(a->v[i]);
    }
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

char *
bench_argv_join(const struct bench_argv *a)
{
    struct dstr d = DSTR_INIT;
    int i;

    dstr_init(&d);
    for (i = 0; i < a->n; i++) {
        const char *s = a->v[i];

        if (i) {
            dstr_put(&d, " ");
        }
        if (s[strcspn(s, " \t'\"$()")]) {
            dstr_printf(&d, "'%s'", s);
        } else {
            dstr_put(&d, s);
        }
    }
    return dstr_steal(&d);
}

/* ---- Child processes. ---- */

struct bench_child bench_sluiced_child = { 0, SIGTERM };
struct bench_child bench_testpmd_child = { 0, SIGINT };
struct bench_child bench_guest_child = { 0, SIGINT };
struct bench_child bench_ovs_child = { 0, SIGTERM };
struct bench_child bench_ovsdb_child = { 0, SIGTERM };
struct bench_child bench_perf_child = { 0, SIGINT };

bool
bench_child_wait(struct bench_child *c, double secs, int *status)
{
    double deadline = bench_now() + secs;
    int st;

    if (c->pid <= 0) {          /* None (waitpid(0) would take any). */
        if (status) {
            *status = 0;
        }
        return true;
    }
    for (;;) {
        pid_t pid = waitpid(c->pid, &st, WNOHANG);

        if (pid == c->pid || (pid < 0 && errno == ECHILD)) {
            if (status) {
                *status = pid == c->pid ? st : 0;
            }
            c->pid = 0;
            return true;
        }
        if (bench_now() >= deadline) {
            return false;
        }
        usleep(20000);
    }
}

void
bench_child_stop(struct bench_child *c)
{
    if (c->pid <= 0) {
        return;
    }
    kill(c->pid, c->stop_sig);
    if (!bench_child_wait(c, 10, NULL)) {
        kill(c->pid, SIGKILL);
        bench_child_wait(c, 5, NULL);
    }
    c->pid = 0;
}

int
bench_child_start(struct bench_child *c, char **argv, int out_fd,
                  int death_sig)
{
    return bench_child_start_io(c, argv, -1, out_fd, death_sig);
}

int
bench_child_start_io(struct bench_child *c, char **argv, int in_fd,
                     int out_fd, int death_sig)
{
    return bench_child_start_env(c, argv, in_fd, out_fd, death_sig, NULL);
}

/* Starts the child with stdout to 'out_fd' and stderr to 'err_fd'. */
static int
child_start(struct bench_child *c, char **argv, int in_fd, int out_fd,
            int err_fd, int death_sig, char *const *env)
{
    pid_t parent = getpid();
    pid_t pid = fork();

    if (pid < 0) {
        return -errno;
    }
    if (!pid) {
        int null_fd = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);

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
        dup2(err_fd, STDERR_FILENO);
        for (; env && *env; env++) {
            putenv(*env);
        }
        execvp(argv[0], argv);
        dprintf(STDERR_FILENO, "sluice-bench: cannot run %s: %s\n",
                argv[0], strerror(errno));
        _exit(127);
    }
    c->pid = pid;
    return 0;
}

int
bench_child_start_env(struct bench_child *c, char **argv, int in_fd,
                      int out_fd, int death_sig, char *const *env)
{
    return child_start(c, argv, in_fd, out_fd, out_fd, death_sig, env);
}

/* Reads what is there on 'fd' into 'd'; false at end of file. */
static bool
read_into(int fd, struct dstr *d)
{
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);

    if (n > 0) {
        dstr_printf(d, "%.*s", (int) n, buf);
        return true;
    }
    return n < 0 && (errno == EINTR || errno == EAGAIN);
}

int
bench_run_capture(char **argv, char *const *env, double secs, char **out,
                  char **err)
{
    struct bench_child c = { 0, SIGTERM };
    struct dstr d[2] = { DSTR_INIT, DSTR_INIT };
    double deadline = bench_now() + secs;
    struct pollfd pfd[2];
    int p[2][2], status = -1, ret, i;

    if (pipe2(p[0], O_CLOEXEC)) {
        return -1;
    }
    if (pipe2(p[1], O_CLOEXEC)) {
        close(p[0][0]);
        close(p[0][1]);
        return -1;
    }
    ret = child_start(&c, argv, -1, p[0][1], p[1][1], SIGKILL, env);
    close(p[0][1]);
    close(p[1][1]);
    dstr_init(&d[0]);
    dstr_init(&d[1]);
    for (i = 0; i < 2; i++) {
        pfd[i].fd = p[i][0];
        pfd[i].events = POLLIN;
    }
    while (!ret && (pfd[0].fd >= 0 || pfd[1].fd >= 0)
           && bench_now() < deadline) {
        if (poll(pfd, 2, 100) <= 0) {
            continue;
        }
        for (i = 0; i < 2; i++) {
            if (pfd[i].fd >= 0 && pfd[i].revents
                && !read_into(pfd[i].fd, &d[i])) {
                pfd[i].fd = -1;
            }
        }
    }
    close(p[0][0]);
    close(p[1][0]);
    if (ret || !bench_child_wait(&c, deadline - bench_now(), &status)) {
        bench_child_stop(&c);
        status = -1;
    }
    for (i = 0; i < 2; i++) {
        char **dst = i ? err : out;

        if (dst) {
            *dst = dstr_steal(&d[i]);
        } else {
            dstr_free(&d[i]);
        }
    }
    return status;
}

void
bench_describe_status(int status, char *buf, size_t size)
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

/* A pseudo-terminal makes testpmd's stdout line-buffered, so that its
 * periodic statistics arrive as they are printed. */
int
bench_open_pty(int *slave)
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

/* ---- Files. ---- */

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
    bench_child_stop(&bench_perf_child);
    bench_child_stop(&bench_guest_child);
    bench_child_stop(&bench_sluiced_child);
    bench_child_stop(&bench_testpmd_child);
    bench_child_stop(&bench_ovs_child);
    bench_child_stop(&bench_ovsdb_child);
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

int
bench_tmp_create(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl;

    if (asprintf(&tmpl, "%s/sluice-bench.XXXXXX",
                 base && *base ? base : "/tmp") < 0) {
        return -ENOMEM;
    }
    if (!mkdtemp(tmpl)) {
        int error = errno;

        free(tmpl);
        return -error;
    }
    tmp_dir = tmpl;
    atexit(cleanup);
    return 0;
}

const char *
bench_tmp_dir(void)
{
    return tmp_dir;
}

void
bench_tmp_keep(void)
{
    keep_tmp = true;
}

void
bench_print_tail(const char *path, int n)
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

/* ---- Terminal output. ---- */

static bool progress_tty;
static bool progress_shown;

void
bench_progress_init(bool tty)
{
    progress_tty = tty;
}

void
bench_progress(const char *fmt, ...)
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

void
bench_progress_end(void)
{
    if (progress_shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        progress_shown = false;
    }
}

void
bench_note(const char *fmt, ...)
{
    va_list args;

    bench_progress_end();
    va_start(args, fmt);
    fputs("sluice-bench: ", stderr);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
}
