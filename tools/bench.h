/* bench: the types that sluice-bench's modules share: the command-line
 * options, one measurement run (a scenario at one flow count) and its
 * result.  Each module has its own header; this one only holds data. */
#ifndef SLUICE_BENCH_H
#define SLUICE_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#define BENCH_MAX_FLOW_COUNTS 16
#define BENCH_MAX_SCENARIOS 8
#define BENCH_CTL_TIMEOUT_MS 5000

struct bench_scenario;

struct bench_opts {
    uint32_t flows[BENCH_MAX_FLOW_COUNTS];
    int n_flows;                    /* 0: each scenario's own counts. */
    uint32_t frame_size;            /* Incl. FCS. */
    double duration;
    double warmup;
    int control_core;
    uint64_t pmd_mask;
    const char *sluiced;            /* NULL: look next to this binary. */
    const char *testpmd;
    bool ref_testpmd;               /* --ref testpmd. */
    bool ref_ovs;                   /* --ref ovs. */
    const char *ovs_vswitchd;       /* Open vSwitch with DPDK. */
    bool no_huge;
    bool no_huge_forced;            /* --no-huge given. */
    const char *csv;
    const struct bench_scenario *scenarios[BENCH_MAX_SCENARIOS];
    int n_scenarios;
    unsigned int mbuf_size;         /* 0: choose. */
    unsigned int memory_mb;         /* 0: choose. */
    double start_timeout;
    int repeat;                     /* Runs of each measurement. */
    const char *sluiced_args;       /* Extra sluiced options. */
    bool openflow;                  /* Rules as OpenFlow flows on br0. */
    bool perf;                      /* perf record the PMD core. */
    bool keep;
    bool verbose;
};

/* One measurement: a scenario at one flow count. */
struct bench_run {
    const struct bench_opts *opts;
    const struct bench_scenario *scenario;
    const char *name;               /* The scenario's, "acl/openflow". */
    bool openflow;                  /* Through br0's OpenFlow tables. */
    uint32_t n_flows;
    const char *pcap;               /* Generated traffic. */
    char *dir;                      /* This run's directory. */
    unsigned int n_mbuf;
    unsigned int mbuf_size;
    unsigned int memory_mb;
    bool no_huge;
};

/* What a scenario reports as its main figure. */
enum bench_figure {
    BENCH_FIG_MPPS,                 /* Forwarding rate. */
    BENCH_FIG_SETUP,                /* Megaflows installed per second. */
    BENCH_FIG_GUEST,                /* Mpps the PVP guest got back. */
};

/* A reference program's figures over its window (testpmd, Open
 * vSwitch). */
struct bench_ref {
    bool ok;
    double mpps;                    /* The switch received. */
    double sent_mpps;               /* The switch sent. */
    double cycles;                  /* Processing cycles per packet. */
    double megaflows;               /* Open vSwitch: at the end. */
    bool have_megaflows;
    double guest_rx_mpps;           /* PVP: the guest got back. */
    double guest_tx_mpps;           /* PVP: the guest sent. */
    double fig_min, fig_max;        /* Median rows: the main figure's
                                     * spread over --repeat runs. */
};

struct bench_result {
    const char *scenario;
    enum bench_figure figure;
    int run;                        /* 1..repeat; 0: the median row. */
    uint32_t n_flows;
    uint32_t frame_size;
    bool no_huge;
    /* sluiced, over the measurement window. */
    bool ok;
    double seconds;
    uint64_t packets;               /* Received. */
    uint64_t sent;
    uint64_t dropped;
    double mpps;                    /* Received. */
    double sent_mpps;               /* Forwarded (sent by the PMDs). */
    double dropped_mpps;            /* Dropped by the PMDs. */
    double cycles;                  /* Processing cycles per packet. */
    double cmd_cycles;              /* Of which applying commands. */
    bool have_cmd_cycles;           /* sluiced counts them. */
    double total_cycles;            /* Idle + processing per packet. */
    double emc_pct;                 /* EMC hits per received packet. */
    double megaflow_pct;            /* Megaflow hits per received packet. */
    double subtable_lookups;        /* Per megaflow hit. */
    double upcalls;                 /* Misses with successful upcall. */
    double lost_upcalls;            /* Ring full or rate limited. */
    double megaflows;               /* Installed at the end. */
    /* BENCH_FIG_SETUP: megaflows installed by upcalls, measured between
     * two fixed counts of installed megaflows. */
    double installed;
    double setup_rate;              /* Per second. */
    double setup_seconds;           /* Taken to install them. */
    double upcall_cycles;           /* Control thread cycles per upcall. */
    bool have_upcall_cycles;        /* sluiced counts them. */
    /* PVP: what the guest got back and sent, from its port counters. */
    double guest_rx_mpps;
    double guest_tx_mpps;
    /* The spread of the main figure over --repeat runs (median rows). */
    double fig_min, fig_max;
    struct bench_ref tp;            /* dpdk-testpmd (--ref testpmd). */
    struct bench_ref ovs;           /* Open vSwitch (--ref ovs). */
};

#endif
