/* bench_sluiced: runs sluiced for one measurement.  Starts it in the
 * run's directory with the scenario's options, waits for its control
 * socket, lets the scenario configure it (with --openflow: creates br0
 * through OVSDB and installs the scenario's flows; PVP: starts the guest on
 * the two vhost-user sockets), warms up, samples its
 * counters (dpif-netdev/pmd-stats-show, and pmd-perf-show's "megaflows
 * installed" for the setup figure) every second (setup: every 0.1 s,
 * until 60% of the flows are installed) over the measurement window,
 * saves the daemon's stats, rules and megaflows in the run directory and
 * stops it with `exit`.  Also finds the sluiced binary and
 * offers the control-socket call that scenarios use. */
#ifndef SLUICE_BENCH_SLUICED_H
#define SLUICE_BENCH_SLUICED_H

struct bench_result;
struct bench_run;
struct ctl_client;
struct dstr;

/* Fills the sluiced part of 'res'.  Returns 0, or a negative errno after
 * printing why (with the tail of sluiced's logs). */
int bench_sluiced_run(const struct bench_run *, const char *sluiced,
                      struct bench_result *res);

/* Calls 'method' with 'argc' string arguments.  Returns 0 with the reply
 * in *reply (malloc'd), or a negative errno with a message in 'err' and
 * *reply NULL. */
int bench_ctl_call(struct ctl_client *, const char *method, int argc,
                   const char *argv[], char **reply, struct dstr *err);

/* The sluiced next to this program: BINDIR/../sluiced in the build tree,
 * BINDIR/sluiced once installed; else "sluiced" from PATH (malloc'd). */
char *bench_find_sluiced(const char *argv0);

#endif
