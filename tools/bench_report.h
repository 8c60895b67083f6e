/* bench_report: sluice-bench's results on paper.  Summarises the runs of
 * each measurement into medians and prints them as a table on stdout
 * (the scenario's main figure, cycles, the testpmd reference, then the
 * datapath figures behind them) and as CSV (every run, plus a median row
 * per measurement with --repeat). */
#ifndef SLUICE_BENCH_REPORT_H
#define SLUICE_BENCH_REPORT_H

#include "tools/bench.h"

/* 'res' holds 'n' results, 'repeat' consecutive runs per measurement. */
void bench_report_table(const struct bench_result *res, int n, int repeat,
                        bool ref);
/* Returns 0 or a negative errno. */
int bench_report_csv(const char *path, const struct bench_result *res,
                     int n, int repeat);

#endif
