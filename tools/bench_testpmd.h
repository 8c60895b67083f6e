/* bench_testpmd: the reference run, dpdk-testpmd io forwarding in place
 * of the switch on the same cores (its forwarding lcore on the PMD core,
 * its main lcore on the control core), driven interactively
 * (tools/bench_tpcli.h): "start", after the warm-up "clear fwd stats all"
 * (which also zeroes the forwarding core's cycle count), after the window
 * "show fwd stats all", whose packets and --record-core-cycles "CPU
 * cycles/packet" cover exactly the window, as sluiced's figures do.
 * Scenarios with a pcap: the same vdevs as sluiced.  PVP: two net_vhost
 * ports (vhost-user servers) that the guest connects to, the channel's
 * own ceiling. */
#ifndef SLUICE_BENCH_TESTPMD_H
#define SLUICE_BENCH_TESTPMD_H

struct bench_result;
struct bench_run;

/* Fills res->tp.  Returns 0, or a negative errno after printing why. */
int bench_testpmd_run(const struct bench_run *, struct bench_result *res);

#endif
