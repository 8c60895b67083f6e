/* bench_proc: sluice-bench's process plumbing.  It owns the children
 * (sluiced, testpmd, the PVP guest, Open vSwitch's two daemons, perf) and
 * stops them on every way out (the guest first), the stop flag that
 * signals set, the temporary directory (removed at exit unless kept), and
 * the terminal: the progress line and the notes printed above it.  Also a
 * growable argv, the clock, a pseudo-terminal and a log tail printer. */
#ifndef SLUICE_BENCH_PROC_H
#define SLUICE_BENCH_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- Stop flag, clock. ---- */

/* The signal that asked us to stop, 0 if none. */
extern volatile sig_atomic_t bench_stop_signal;

/* Catches SIGINT, SIGTERM and SIGHUP into bench_stop_signal; ignores
 * SIGPIPE. */
void bench_catch_signals(void);

/* CLOCK_MONOTONIC in seconds. */
double bench_now(void);

/* Sleeps 'secs' or until a signal asks us to stop. */
void bench_sleep(double secs);

/* The same, showing "[NAME N flows] WHO: WHAT T/SECS s" on the progress
 * line. */
void bench_sleep_showing(const char *name, unsigned int n_flows,
                         const char *who, const char *what, double secs);

/* ---- A growable argv (always NULL-terminated). ---- */

struct bench_argv {
    char **v;
    int n;
    int cap;
};

void bench_argv_add(struct bench_argv *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Adds each blank-separated word of 's'. */
void bench_argv_add_words(struct bench_argv *, const char *s);
void bench_argv_free(struct bench_argv *);
/* The command line for showing, quoted where needed (malloc'd). */
char *bench_argv_join(const struct bench_argv *);

/* ---- Child processes. ---- */

struct bench_child {
    pid_t pid;                  /* 0: none. */
    int stop_sig;               /* Signal that asks for a clean exit. */
};

/* The children alive right now, stopped at exit. */
extern struct bench_child bench_sluiced_child;
extern struct bench_child bench_testpmd_child;
extern struct bench_child bench_guest_child;
extern struct bench_child bench_ovs_child;          /* ovs-vswitchd. */
extern struct bench_child bench_ovsdb_child;        /* ovsdb-server. */
extern struct bench_child bench_perf_child;         /* perf record. */

/* Starts argv[0] (searched in PATH) with stdin from /dev/null and stdout
 * and stderr to 'out_fd'.  The child gets its own session, so that a
 * Ctrl-C on our terminal reaches only us (we stop it in order), and dies
 * with 'death_sig' if we die.  Returns 0 or a negative errno. */
int bench_child_start(struct bench_child *, char **argv, int out_fd,
                      int death_sig);
/* The same with stdin from 'in_fd' (e.g. a pseudo-terminal's slave, for
 * a program driven by commands). */
int bench_child_start_io(struct bench_child *, char **argv, int in_fd,
                         int out_fd, int death_sig);
/* The same with 'env' ("NAME=VALUE" strings, NULL-terminated, or NULL)
 * added to the child's environment. */
int bench_child_start_env(struct bench_child *, char **argv, int in_fd,
                          int out_fd, int death_sig, char *const *env);
/* Runs argv[0] (searched in PATH) to completion within 'secs', with 'env'
 * added as above, stdin from /dev/null.  Returns its wait status (0:
 * success), or -1 if it could not run or did not end in time (then
 * killed).  Its stdout is in *out and its stderr in *err (malloc'd; each
 * may be NULL when not wanted). */
int bench_run_capture(char **argv, char *const *env, double secs,
                      char **out, char **err);
/* Waits up to 'secs' for the child to exit.  Returns true if it did, with
 * its wait status in *status (if not NULL). */
bool bench_child_wait(struct bench_child *, double secs, int *status);
/* Asks the child to stop with its stop signal, then kills it. */
void bench_child_stop(struct bench_child *);

/* "exit status N", "killed by signal N (NAME)"... */
void bench_describe_status(int status, char *buf, size_t size);

/* Opens a pseudo-terminal in raw mode.  Returns the master fd and the
 * slave fd in *slave, or -1. */
int bench_open_pty(int *slave);

/* ---- Files. ---- */

/* Creates the temporary directory under $TMPDIR (default /tmp) and
 * arranges for it to go at exit, after the children are stopped.
 * Returns 0 or a negative errno. */
int bench_tmp_create(void);
const char *bench_tmp_dir(void);
/* Keep the directory at exit (--keep, or logs for a post-mortem). */
void bench_tmp_keep(void);

/* Prints the last 'n' (at most 64) lines of 'path' to stderr. */
void bench_print_tail(const char *path, int n);

/* ---- Terminal output. ---- */

/* 'tty': stderr is a terminal, so the progress line is rewritten in place
 * (otherwise each progress message is a line of its own). */
void bench_progress_init(bool tty);
void bench_progress(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* Erases the progress line. */
void bench_progress_end(void);
/* A message that must stay: "sluice-bench: ..." on a line of its own. */
void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
