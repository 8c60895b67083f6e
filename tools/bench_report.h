/* bench_report: sluice-bench's results on paper.  Summarises the runs of
 * each measurement into medians and prints them as a table on stdout
 * (the scenario's main figure, cycles, the testpmd reference, then the
 * datapath figures behind them, then sluiced beside testpmd and Open
 * vSwitch) and as CSV (every run, plus a median row
 * per measurement with --repeat). */
#ifndef SLUICE_BENCH_REPORT_H
#define SLUICE_BENCH_REPORT_H

#include "tools/bench.h"

/* 'res' holds 'n' results, o->repeat consecutive runs per measurement;
 * with references (o->ref_*), a side-by-side table of sluiced and them
 * closes it. */
void bench_report_table(const struct bench_result *res, int n,
                        const struct bench_opts *o);
/* Returns 0 or a negative errno. */
int bench_report_csv(const char *path, const struct bench_result *res,
                     int n, int repeat);

#endif
