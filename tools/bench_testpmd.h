/* bench_testpmd: the reference run.  Starts dpdk-testpmd on the same
 * vdevs, cores and traffic as sluiced (forwarding mode from the
 * scenario), reads its periodic statistics through a pseudo-terminal,
 * stops it after warm-up + duration and takes its Rx-pps and its
 * --record-core-cycles "CPU cycles/packet" figure. */
#ifndef SLUICE_BENCH_TESTPMD_H
#define SLUICE_BENCH_TESTPMD_H

struct bench_result;
struct bench_run;

/* Fills res->ref_*.  Returns 0, or a negative errno after printing why. */
int bench_testpmd_run(const struct bench_run *, struct bench_result *res);

#endif
