/* bench_perf: where a switch's PMD cycles go, by library (--perf).  Over
 * the measurement window, `perf record -C CORE` samples the PMD core;
 * then `perf report --pid PID --sort comm,dso` splits the samples of the
 * switch's PMD threads (their names start with a prefix: "pmd-c" for
 * sluiced and Open vSwitch, "rte-worker" for testpmd) by the object they
 * ran in - e.g. sluiced itself, librte_net_vhost (the vhost PMD's wrapper,
 * eth_vhost_rx/tx), librte_vhost (rte_vhost's enqueue and dequeue, the
 * copies to and from the guest) - printed as a note and kept as
 * perf-WHO.txt in the run directory.  Debian's DPDK libraries have no
 * symbol tables (only exported functions are named), so the split is by
 * library. */
#ifndef SLUICE_BENCH_PERF_H
#define SLUICE_BENCH_PERF_H

#include <sys/types.h>

struct bench_run;

/* Starts sampling the PMD core for 'who' ("sluiced", "ovs", "testpmd").
 * Returns 0, or a negative errno after printing why (the measurement goes
 * on without). */
int bench_perf_start(const struct bench_run *, const char *who);

/* Stops sampling and prints the split of the threads of process 'pid'
 * whose names start with 'comm_prefix' (other programs' PMDs may share
 * the core).  Nothing if bench_perf_start() failed. */
void bench_perf_stop(const struct bench_run *, const char *who, pid_t pid,
                     const char *comm_prefix);

#endif
