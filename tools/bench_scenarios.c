/* bench_scenarios: the scenario table of sluice-bench.
 *
 * Every scenario but pvp replays a pcap of N UDP/IPv4 flows (pcapgen)
 * forever on rx0 (net_pcap, infinite_rx) and sends to tx0 (net_null); pvp
 * has a guest (bench_guest.h) on two vhost-user ports vh0 and vh1
 * instead.  Packets go through key extraction, the EMC, the megaflow
 * classifier and, on a miss, an upcall that translates through the debug
 * rule table or, with --openflow, through the OpenFlow tables of bridge
 * br0 (their classifier decides how wide each megaflow is, and so which
 * subtables exist). */
#include "tools/bench_scenarios.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util/ctl_client.h"
#include "src/util/dstr.h"
#include "tools/bench_acl.h"
#include "tools/bench_proc.h"
#include "tools/bench_sluiced.h"

void
bench_scenario_ports(const struct bench_run *r,
                     struct bench_port ports[BENCH_N_PORTS])
{
    struct bench_port *rx = &ports[BENCH_PORT_RX];
    struct bench_port *tx = &ports[BENCH_PORT_TX];

    memset(ports, 0, BENCH_N_PORTS * sizeof *ports);
    if (r->scenario->guest) {
        rx->name = "vh0";
        tx->name = "vh1";
        rx->type = tx->type = "dpdkvhostuser";
        rx->ofport = 1;
        tx->ofport = 2;
        return;
    }
    rx->name = "rx0";
    rx->type = tx->type = "dpdk";
    rx->ofport = 1;
    snprintf(rx->devargs, sizeof rx->devargs,
             "net_pcap0,rx_pcap=%s,infinite_rx=1", r->pcap);
    rx->n_mbuf = r->n_mbuf;
    rx->mbuf_size = r->mbuf_size;
    tx->name = "tx0";
    tx->ofport = 2;
    snprintf(tx->devargs, sizeof tx->devargs, "net_null0,no-rx=1");
}

/* Both ends of every scenario, with a priority-0 rule in_port(rx0) -> tx0
 * (--output).  The pcap vdev comes first so that it is DPDK port 0 in
 * testpmd too. */
static void
pcap_to_null_args(const struct bench_run *r, struct bench_argv *a)
{
    struct bench_port p[BENCH_N_PORTS];
    int i;

    bench_scenario_ports(r, p);
    for (i = 0; i < BENCH_N_PORTS; i++) {
        bench_argv_add(a, "--port");
        if (p[i].n_mbuf) {
            bench_argv_add(a, "%s %s n_mbuf=%u mbuf_size=%u", p[i].name,
                           p[i].devargs, p[i].n_mbuf, p[i].mbuf_size);
        } else {
            bench_argv_add(a, "%s %s", p[i].name, p[i].devargs);
        }
    }
    bench_argv_add(a, "--output");
    bench_argv_add(a, "%s %s", p[BENCH_PORT_RX].name, p[BENCH_PORT_TX].name);
}

/* A priority-0 flow from one of br0's ports to another. */
static void
of_forward(const struct bench_run *r, struct dstr *flows, int from, int to)
{
    struct bench_port p[BENCH_N_PORTS];

    bench_scenario_ports(r, p);
    dstr_printf(flows, "priority=0,in_port=%u,actions=output:%u\n",
                p[from].ofport, p[to].ofport);
}

/* The OpenFlow form of --output, on br0's port numbers. */
static void
simple_of_flows(const struct bench_run *r, struct dstr *flows)
{
    of_forward(r, flows, BENCH_PORT_RX, BENCH_PORT_TX);
}

static int
call(struct ctl_client *ctl, const char *method, int argc,
     const char *argv[], struct dstr *err)
{
    char *reply;
    int ret = bench_ctl_call(ctl, method, argc, argv, &reply, err);

    free(reply);
    return ret;
}

/* ---- acl: the rules are in bench_acl.h. ---- */

static int
acl_configure(const struct bench_run *r, struct ctl_client *ctl,
              struct dstr *err)
{
    size_t i;

    (void) r;
    for (i = 0; i < sizeof acl_rules / sizeof *acl_rules; i++) {
        const char *argv[3] = {
            acl_rules[i].priority, acl_rules[i].match, acl_rules[i].actions,
        };
        int ret = call(ctl, "debug/add-rule", 3, argv, err);

        if (ret) {
            return ret;
        }
    }
    return 0;
}

/* The same rules on br0: "tx0" is its OpenFlow port. */
static void
acl_of_flows(const struct bench_run *r, struct dstr *flows)
{
    struct bench_port p[BENCH_N_PORTS];
    size_t i;

    bench_scenario_ports(r, p);
    for (i = 0; i < sizeof acl_rules / sizeof *acl_rules; i++) {
        const struct acl_rule *a = &acl_rules[i];

        dstr_printf(flows, "priority=%s,%s,actions=", a->priority,
                    a->of_match);
        if (!strcmp(a->actions, p[BENCH_PORT_TX].name)) {
            dstr_printf(flows, "output:%u\n", p[BENCH_PORT_TX].ofport);
        } else {
            dstr_printf(flows, "%s\n", a->actions);
        }
    }
    simple_of_flows(r, flows);
}

/* ---- setup. ----
 *
 * A higher-priority rule that no packet matches but that examines the
 * whole 5-tuple, with the classifier's prefix tries off (they would tell
 * 10.0.x.y from 10.255.255.255 in a few bits), makes every megaflow exact
 * on the addresses and protocol, so every flow of the pcap is a megaflow
 * of its own.  No upcall rate limit, a flow limit above the flow
 * count. */
#define SETUP_FLOW_LIMIT 2000000

/* No upcall rate limit, a flow limit above the flow count. */
static int
setup_limits(const struct bench_run *r, struct ctl_client *ctl,
             struct dstr *err)
{
    char limit[32];
    const char *no_rate[] = { "0" };
    const char *flow_limit[] = { limit };
    int ret;

    snprintf(limit, sizeof limit, "%u",
             r->n_flows > SETUP_FLOW_LIMIT ? r->n_flows : SETUP_FLOW_LIMIT);
    ret = call(ctl, "dpif-netdev/set-upcall-limit", 1, no_rate, err);
    if (!ret) {
        ret = call(ctl, "dpif-netdev/set-flow-limit", 1, flow_limit, err);
    }
    return ret;
}

static int
setup_configure(const struct bench_run *r, struct ctl_client *ctl,
                struct dstr *err)
{
    const char *rule[] = {
        "100",
        ("ipv4(src=10.255.255.255,dst=10.255.255.255,proto=17),"
         "udp(src=9,dst=9)"),
        "drop",
    };
    int ret = setup_limits(r, ctl, err);

    if (!ret) {
        /* A sluiced older than the prefix tries has no such command and
         * needs none (A/B runs against earlier builds). */
        const char *none[] = { "none" };
        ret = call(ctl, "debug/set-prefixes", 1, none, err);
        if (ret && strstr(dstr_cstr(err), "not a valid command")) {
            dstr_clear(err);
            ret = 0;
        }
    }
    if (!ret) {
        /* Also flushes the megaflows installed so far. */
        ret = call(ctl, "debug/add-rule", 3, rule, err);
    }
    return ret;
}

/* The same on br0, whose table 0 has no prefix tries (of_no_prefixes). */
static void
setup_of_flows(const struct bench_run *r, struct dstr *flows)
{
    dstr_put(flows, "priority=100,udp,nw_src=10.255.255.255,"
             "nw_dst=10.255.255.255,tp_src=9,tp_dst=9,actions=drop\n");
    simple_of_flows(r, flows);
}

/* ---- pvp: each vhost-user port to the other. ---- */

static void
pvp_of_flows(const struct bench_run *r, struct dstr *flows)
{
    of_forward(r, flows, BENCH_PORT_RX, BENCH_PORT_TX);
    of_forward(r, flows, BENCH_PORT_TX, BENCH_PORT_RX);
}

/* ---- The table. ---- */

static const struct bench_scenario scenarios[] = {
    { "simple", "one rule in_port(rx0) -> tx0: every packet of rx0 goes "
      "to tx0",
      { 1000, 100000 }, 2, BENCH_FIG_MPPS, false,
      pcap_to_null_args, NULL, "io", simple_of_flows, "simple/openflow",
      NULL, false },
    { "acl", "39 rules (IPv4 source and destination prefixes /8../32, "
      "UDP/TCP destination ports, default forward): 14 megaflows at 1k "
      "flows, 33 at 100k; 2-4% dropped",
      { 1000, 100000 }, 2, BENCH_FIG_MPPS, false,
      pcap_to_null_args, acl_configure, "io", acl_of_flows,
      "acl/openflow", NULL, false },
    { "setup", "every packet a new megaflow exact on the 5-tuple (no "
      "upcall rate limit): megaflows installed per second while the count "
      "installed goes from 10% to 50% of the flows (a fixed number of "
      "megaflows; sampled every 0.1 s and interpolated; at most "
      "--duration), and the control thread's cycles per upcall",
      { 1000000 }, 1, BENCH_FIG_SETUP, true,
      pcap_to_null_args, setup_configure, NULL, setup_of_flows,
      "setup/openflow", setup_limits, true },
    { "pvp", "physical-virtual-physical: a testpmd guest (two virtio_user "
      "ports, both its lcores on the control core) generates --flows UDP "
      "flows (flowgen) on both ports; br0 (through OVSDB, fail_mode "
      "secure) forwards each of its two dpdkvhostuser ports to the other "
      "(OpenFlow: in_port=1,actions=output:2 and back) on the PMD core; "
      "result = Mpps the guest gets back; needs hugepages",
      { 1000 }, 1, BENCH_FIG_GUEST, false,
      NULL, NULL, "io", pvp_of_flows, "pvp", NULL, false, true },
};
#define N_SCENARIOS (sizeof scenarios / sizeof *scenarios)

static const struct {
    const char *alias;
    const char *name;
} aliases[] = {
    { "p2p", "simple" },
};

const struct bench_scenario *
bench_scenario_find(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof aliases / sizeof *aliases; i++) {
        if (!strcmp(aliases[i].alias, name)) {
            name = aliases[i].name;
        }
    }
    for (i = 0; i < N_SCENARIOS; i++) {
        if (!strcmp(scenarios[i].name, name)) {
            return &scenarios[i];
        }
    }
    return NULL;
}

const struct bench_scenario *
bench_scenario_default(void)
{
    return &scenarios[0];
}

size_t
bench_scenario_count(void)
{
    return N_SCENARIOS;
}

const struct bench_scenario *
bench_scenario_at(size_t i)
{
    return i < N_SCENARIOS ? &scenarios[i] : NULL;
}

/* Prints 's' wrapped to 79 columns, continuation lines at 'col'. */
static void
print_wrapped(FILE *f, const char *s, int col, int start)
{
    int pos = start;

    while (*s) {
        size_t n = strcspn(s, " ");

        if (pos > col && pos + 1 + (int) n > 79) {
            fprintf(f, "\n%*s", col, "");
            pos = col;
        } else if (pos > col) {
            fputc(' ', f);
            pos++;
        }
        fprintf(f, "%.*s", (int) n, s);
        pos += n;
        s += n;
        s += strspn(s, " ");
    }
    fputc('\n', f);
}

void
bench_scenarios_usage(FILE *f, int indent)
{
    size_t i, j;

    for (i = 0; i < N_SCENARIOS; i++) {
        const struct bench_scenario *sc = &scenarios[i];
        struct dstr d = DSTR_INIT;

        dstr_init(&d);
        dstr_put(&d, sc->help);
        dstr_put(&d, "; flows");
        for (j = 0; j < (size_t) sc->n_flows; j++) {
            dstr_printf(&d, "%s%u", j ? "," : " ", sc->flows[j]);
        }
        if (!sc->testpmd_fwd_mode) {
            dstr_put(&d, "; no testpmd reference");
        }
        for (j = 0; j < sizeof aliases / sizeof *aliases; j++) {
            if (!strcmp(aliases[j].name, sc->name)) {
                dstr_printf(&d, " (alias: %s)", aliases[j].alias);
            }
        }
        fprintf(f, "%*s%-8s", indent, "", sc->name);
        print_wrapped(f, dstr_cstr(&d), indent + 8, indent + 8);
        dstr_free(&d);
    }
}
