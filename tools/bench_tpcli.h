/* bench_tpcli: one interactive dpdk-testpmd (-i) driven through a
 * pseudo-terminal, as a person would type at it: wait for its prompt,
 * send a command, read what it printed up to the next prompt.  All its
 * output goes to a log file.  Used for the reference runs (io forwarding)
 * and for the PVP guest (flowgen); tools/bench_stats.h reads what they
 * print. */
#ifndef SLUICE_BENCH_TPCLI_H
#define SLUICE_BENCH_TPCLI_H

#include <stdbool.h>

struct bench_child;
struct tpcli;

/* Starts 'argv' as 'child' with its terminal on a new pseudo-terminal and
 * its output logged to 'log_path'; 'name' names it in messages ("testpmd",
 * "guest").  Returns 0 with the session in *tp, or a negative errno after
 * printing why. */
int tpcli_start(struct tpcli **tp, struct bench_child *child, char **argv,
                const char *log_path, const char *name);

/* Waits up to 'timeout' seconds for the prompt (the first one, after
 * start-up).  Returns 0, -ETIMEDOUT, -ECHILD (it exited) or -EINTR. */
int tpcli_wait_prompt(struct tpcli *, double timeout);

/* Sends 'cmd' (one line, without newline) and waits up to 'timeout'
 * seconds for the next prompt.  With 'out', *out is what it printed
 * (malloc'd).  Returns as tpcli_wait_prompt(). */
int tpcli_cmd(struct tpcli *, const char *cmd, double timeout, char **out);

/* Stops forwarding and quits ("stop", "quit"), waits for the exit, kills
 * it if need be, and frees 'tp'.  Returns true if it exited cleanly. */
bool tpcli_close(struct tpcli *tp);

/* The log file, for messages. */
const char *tpcli_log_path(const struct tpcli *);

#endif
