/* bench_stats: reading the statistics that the programs under measurement
 * print: the datapath's counters as `dpif-netdev/pmd-stats-show` prints
 * them - sluiced and Open vSwitch alike, one block per PMD thread ("pmd
 * thread numa_id N core_id C:"), Open vSwitch's "main thread:" block left
 * out - summed over the PMDs into one sample; testpmd's port and forward
 * statistics; `ovs-ofctl dump-ports`. */
#ifndef SLUICE_BENCH_STATS_H
#define SLUICE_BENCH_STATS_H

#include <stdbool.h>
#include <stdint.h>

/* The datapath's counters at one time, summed over the PMDs. */
struct bench_dp_sample {
    double t;                   /* Middle of the pmd-stats-show call. */
    double t_installed;         /* When pmd-perf-show's reply came. */
    uint64_t received;
    uint64_t sent;              /* sluiced only. */
    uint64_t dropped;           /* sluiced only. */
    uint64_t idle;
    uint64_t processing;
    uint64_t cmd;               /* Processing cycles applying commands. */
    bool have_cmd;
    uint64_t emc_hits;
    uint64_t megaflow_hits;
    double lookups;             /* Subtable lookups (avg x hits). */
    uint64_t upcalls;
    uint64_t lost_upcalls;
    uint64_t megaflows;         /* In the tables now (sluiced only). */
    uint64_t installed;         /* By upcalls since start (setup only). */
    uint64_t handled;           /* Upcalls the control thread handled. */
    uint64_t upcall_cycles;     /* Its cycles handling them. */
    bool have_upcall_cycles;
};

/* Adds pmd-stats-show's PMD blocks in 'text' to 's'.  Returns 0, or
 * -EPROTO if there is no PMD block or one lacks packets and cycles. */
int bench_pmdstats_parse(const char *text, struct bench_dp_sample *s);

/* Adds the number after "LABEL" at the start of a line (after blanks) in
 * [text, end) to *sum.  Returns true if the label was there. */
bool bench_pmdstats_add(const char *text, const char *end, const char *label,
                        uint64_t *sum);

/* Sums the numbers after every "LABEL" in 'text' (e.g. "RX-packets:" over
 * the ports of testpmd's `show port stats all`).  Returns how many there
 * were. */
int bench_stats_sum(const char *text, const char *label, uint64_t *sum);

/* From testpmd's `show fwd stats all`: the accumulated block's RX-packets
 * and TX-packets and, with --record-core-cycles, "CPU cycles/packet".
 * Returns true if the cycles were there. */
bool bench_stats_testpmd_fwd(const char *text, uint64_t *rx, uint64_t *tx,
                             double *cycles);

/* Sums the "rx pkts=" and "tx pkts=" of the numbered ports of
 * `ovs-ofctl dump-ports` (LOCAL left out).  Returns false if a port has
 * no counters ("?": Open vSwitch 3.1's vhost-user ports here). */
bool bench_stats_dump_ports(const char *text, uint64_t *rx, uint64_t *tx);

#endif
