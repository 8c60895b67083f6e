/* bench_scenarios: what sluice-bench can measure.  A scenario says how
 * sluiced is started (ports, outputs), what is configured once it is
 * ready (debug rules, limits) or, with --openflow, which OpenFlow flows
 * br0 gets instead, which figure it reports (forwarding rate, or
 * megaflows set up per second), its default flow counts and which
 * testpmd forwarding mode is its reference.  Also the two ports every
 * scenario has, for sluiced's --port and for OVSDB alike. */
#ifndef SLUICE_BENCH_SCENARIOS_H
#define SLUICE_BENCH_SCENARIOS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/bench.h"

struct bench_argv;
struct ctl_client;
struct dstr;

struct bench_scenario {
    const char *name;
    const char *help;
    /* Flow counts when --flows is not given. */
    uint32_t flows[4];
    int n_flows;
    enum bench_figure figure;
    /* No warm-up, whatever --warmup says. */
    bool no_warmup;
    /* Appends the sluiced options (ports, outputs) of this scenario. */
    void (*sluiced_args)(const struct bench_run *, struct bench_argv *);
    /* Called once sluiced is ready, before warm-up, to configure what the
     * options cannot (rules, limits).  NULL: nothing.  Returns 0, or a
     * negative errno with a message in 'err'. */
    int (*configure)(const struct bench_run *, struct ctl_client *,
                     struct dstr *err);
    /* The testpmd --forward-mode of the reference run; NULL: none. */
    const char *testpmd_fwd_mode;
    /* With --openflow, instead of the ports of 'sluiced_args' and of
     * 'configure': the flows of bridge br0 (whose ports are those of
     * bench_scenario_ports()), in ovs-ofctl syntax, one a line.  NULL:
     * the scenario runs with debug rules whatever --openflow says. */
    void (*of_flows)(const struct bench_run *, struct dstr *);
    /* Its name with --openflow ("acl/openflow"). */
    const char *of_name;
    /* With --openflow: called before the bridge is made, for what the
     * flows cannot say (limits); NULL: nothing.  As 'configure'. */
    int (*of_configure)(const struct bench_run *, struct ctl_client *,
                        struct dstr *err);
    /* With --openflow: table 0 of br0 without prefix tries (a Flow_Table
     * row with prefixes=none), as debug/set-prefixes none does. */
    bool of_no_prefixes;
    /* PVP: the ports are two vhost-user ports (always through OVSDB and
     * OpenFlow, whatever --openflow says) and a guest (bench_guest.h)
     * sends and counts the traffic; no pcap. */
    bool guest;
};

/* The ports: the pcap replayed forever, and the sink; PVP: the guest's
 * two vhost-user ports. */
enum { BENCH_PORT_RX, BENCH_PORT_TX, BENCH_N_PORTS };

struct bench_port {
    const char *name;               /* "rx0", "tx0"; PVP "vh0", "vh1". */
    const char *type;               /* "dpdk", "dpdkvhostuser". */
    uint16_t ofport;                /* OpenFlow port number on br0. */
    char devargs[PATH_MAX + 64];    /* "": none (vhost-user). */
    unsigned int n_mbuf;            /* 0: the port's default. */
    unsigned int mbuf_size;         /* 0: the port's default. */
};

void bench_scenario_ports(const struct bench_run *,
                          struct bench_port ports[BENCH_N_PORTS]);

/* By name or alias ("p2p" is "simple"); NULL if unknown. */
const struct bench_scenario *bench_scenario_find(const char *name);
/* The scenario run when --scenario is not given. */
const struct bench_scenario *bench_scenario_default(void);
/* Number of scenarios, and the i'th of them (for "all"). */
size_t bench_scenario_count(void);
const struct bench_scenario *bench_scenario_at(size_t i);
/* One help line per scenario, indented by 'indent' blanks. */
void bench_scenarios_usage(FILE *, int indent);

#endif
