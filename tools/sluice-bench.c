/* sluice-bench: a testpmd-style benchmark of sluiced.
 *
 * For each scenario and flow count it writes a pcap of N distinct UDP/IPv4
 * flows (pcapgen), starts sluiced in a fresh run directory with a
 * net_pcap (infinite_rx) port replaying that file and a net_null port as
 * the output, configures the scenario's rules, warms up, then samples the
 * datapath counters every second to get the scenario's figure (Mpps and
 * cycles per packet, or megaflows installed per second).  With --ref
 * testpmd the same traffic is forwarded by dpdk-testpmd (io mode, same
 * vdevs, same cores), one program after the other, never together, and
 * the cycles/packet ratio is printed; with --ref ovs, Open vSwitch with
 * DPDK as well.  With --openflow the rules are OpenFlow flows of a bridge
 * br0 instead of debug rules.  The pvp scenario replaces the pcap with a
 * guest on two vhost-user ports.
 *
 * This file holds the options and the main loop; bench_scenarios.c the
 * scenarios, bench_sluiced.c, bench_testpmd.c and bench_ovs.c the
 * programs under measurement (bench_tpcli.c drives an interactive testpmd,
 * bench_pmdstats.c reads pmd-stats-show), bench_guest.c the PVP guest,
 * bench_ovsdb.c and bench_openflow.c the bridge and its flows of
 * --openflow, bench_perf.c --perf, bench_report.c the table and the CSV,
 * bench_proc.c the process and terminal plumbing. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sluice_config.h"
#include "src/util/dstr.h"
#include "src/util/scan.h"
#include "tools/bench.h"
#include "tools/bench_ovs.h"
#include "tools/bench_proc.h"
#include "tools/bench_report.h"
#include "tools/bench_scenarios.h"
#include "tools/bench_sluiced.h"
#include "tools/bench_testpmd.h"
#include "tools/pcapgen.h"

#define MBUF_HEADROOM 128
#define EXTRA_MBUFS 16384
/* sluiced allocates each megaflow (1000 bytes) from DPDK memory with
 * rte_zmalloc: with the allocator's header and alignment, about this. */
#define MEGAFLOW_BYTES 1152

/* ---- Command line. ---- */

static int
parse_flow_list(const char *arg, struct bench_opts *o)
{
    char *copy = strdup(arg), *save = NULL, *tok;
    uint64_t v;
    int ret = 0;

    o->n_flows = 0;
    for (tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (o->n_flows >= BENCH_MAX_FLOW_COUNTS
            || pcapgen_parse_count(tok, PCAPGEN_MAX_FLOWS, &v)) {
            ret = -EINVAL;
            break;
        }
        o->flows[o->n_flows++] = v;
    }
    free(copy);
    return ret || !o->n_flows ? -EINVAL : 0;
}

static int
add_scenario(struct bench_opts *o, const struct bench_scenario *sc)
{
    if (o->n_scenarios >= BENCH_MAX_SCENARIOS) {
        fprintf(stderr, "sluice-bench: at most %d scenarios\n",
                BENCH_MAX_SCENARIOS);
        return -EINVAL;
    }
    o->scenarios[o->n_scenarios++] = sc;
    return 0;
}

static int
parse_scenario_list(const char *arg, struct bench_opts *o)
{
    char *copy = strdup(arg), *save = NULL, *tok;
    size_t i;
    int ret = 0;

    o->n_scenarios = 0;
    for (tok = strtok_r(copy, ",", &save); tok && !ret;
         tok = strtok_r(NULL, ",", &save)) {
        const struct bench_scenario *sc = bench_scenario_find(tok);

        if (!strcmp(tok, "all")) {
            for (i = 0; i < bench_scenario_count() && !ret; i++) {
                ret = add_scenario(o, bench_scenario_at(i));
            }
        } else if (!sc) {
            fprintf(stderr, "sluice-bench: unknown scenario '%s'\n", tok);
            ret = -EINVAL;
        } else {
            ret = add_scenario(o, sc);
        }
    }
    free(copy);
    return ret || !o->n_scenarios ? -EINVAL : 0;
}

/* --ref LIST: testpmd, ovs. */
static void
parse_ref_list(const char *arg, struct bench_opts *o)
{
    char *copy = strdup(arg), *save = NULL, *tok;

    for (tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (!strcmp(tok, "testpmd")) {
            o->ref_testpmd = true;
        } else if (!strcmp(tok, "ovs")) {
            o->ref_ovs = true;
        } else {
            fprintf(stderr, "sluice-bench: --ref: '%s' is not 'testpmd' "
                    "or 'ovs'\n", tok);
            exit(2);
        }
    }
    free(copy);
}

static double
parse_seconds(const char *opt, const char *s, double min)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || *end || !(v >= min) || v > 86400) {
        fprintf(stderr, "sluice-bench: %s: '%s' is not a number of "
                "seconds >= %g\n", opt, s, min);
        exit(2);
    }
    return v;
}

/* A number between 'min' and 'max' or exit. */
static unsigned long long
parse_uint(const char *opt, const char *s, int base, unsigned long long min,
           unsigned long long max, const char *what)
{
    uint64_t v;

    if (scan_uint(s, base, max, &v) || v < min) {
        fprintf(stderr, "sluice-bench: %s: '%s' is not %s\n", opt, s, what);
        exit(2);
    }
    return v;
}

static void
usage(void)
{
    printf("\
usage: sluice-bench [OPTIONS]\n\
Measures sluiced forwarding generated UDP/IPv4 traffic from a net_pcap port\n\
(infinite_rx) to a net_null port on one PMD core, like testpmd does, or\n\
between a guest's two vhost-user ports (pvp), and optionally runs\n\
dpdk-testpmd and Open vSwitch with DPDK on the same traffic for reference.\n\
\n\
Traffic:\n\
  --flows LIST         flow counts, one run each, for every scenario\n\
                       (default: each scenario's own; k and M suffixes\n\
                       allowed, e.g. 1,1k,100k,1M; max 16M)\n\
  --size BYTES         frame size ON THE WIRE INCLUDING the 4-byte FCS, as\n\
                       testpmd counts \"64-byte frames\" (default 64); pcap\n\
                       records are BYTES-4 long\n\
  --scenario LIST      scenarios to run, or \"all\" (default: simple):\n");
    bench_scenarios_usage(stdout, 23);
    printf("\
  --openflow           simple and acl forward through the OpenFlow tables\n\
                       of a bridge br0 instead of debug rules: its ports\n\
                       are created through OVSDB, the rules installed as\n\
                       OpenFlow 1.3 flow_mods on RUN_DIR/br0.mgmt (after\n\
                       deleting every flow); reported as simple/openflow,\n\
                       acl/openflow, setup/openflow (whose table 0 has no\n\
                       prefix tries: a Flow_Table row prefixes=none)\n\
Measurement:\n\
  --warmup SECS        forward this long before measuring (default 2)\n\
  --duration SECS      measure this long, sampling every second (default 5)\n\
  --repeat N           run each measurement N times (sluiced and testpmd\n\
                       alternating) and print the medians (default 1)\n\
  --ref LIST           also measure, after sluiced, in the same run:\n\
                       testpmd: dpdk-testpmd io forwarding on the same\n\
                       vdevs (pvp: between two net_vhost ports, the\n\
                       channel's ceiling); ovs: Open vSwitch with DPDK\n\
                       (ovs-vswitchd-dpdk, its own ovsdb-server, in the\n\
                       run directory) with the same ports and OpenFlow\n\
                       flows as --openflow (simple, acl, pvp); e.g.\n\
                       --ref testpmd,ovs\n\
  --testpmd PATH       testpmd binary (default dpdk-testpmd from PATH)\n\
  --ovs-vswitchd PATH  Open vSwitch with DPDK (default\n\
                       " BENCH_OVS_VSWITCHD ")\n\
  --csv FILE           write the results as CSV (default sluice-bench.csv)\n\
  --perf               perf record the PMD core over each window and print\n\
                       which objects the PMD thread's cycles went to\n\
                       (sluiced, librte_net_vhost, librte_vhost, ...);\n\
                       the report is kept as RUN_DIR/perf-WHO.txt\n\
Daemon and DPDK:\n\
  --sluiced PATH       sluiced binary (default: the one next to\n\
                       sluice-bench, i.e. BINDIR/../sluiced in a build tree,\n\
                       else BINDIR/sluiced, else sluiced from PATH)\n\
  --control-core N     control core (default: lowest allowed core)\n\
  --pmd-cpu-mask MASK  hex PMD core mask (default: highest allowed core);\n\
                       testpmd forwards on the lowest core of MASK\n\
  --no-huge            no hugepages (default: used when enough are free)\n\
  --memory MB          DPDK memory (default: sized from the mbufs and\n\
                       the megaflows, at most one per flow)\n\
  --mbuf-size BYTES    data room of the pcap port's mbufs incl. 128 bytes\n\
                       of headroom (default 256, or what --size needs)\n\
  --sluiced-args ARGS  extra sluiced options (split on blanks)\n\
  --start-timeout SECS wait this long for sluiced to be ready (default 60)\n\
Other:\n\
  --keep               keep the temporary directory (pcaps, logs, the\n\
                       daemon's stats, rules and megaflows of each run)\n\
  -v, --verbose        print commands and the daemon's port table\n\
  -h, --help           this help\n\
  -V, --version        print the version\n\
\n\
Cycles are TSC cycles.  sluiced: cycles/pkt = processing cycles per\n\
received packet, total = (idle + processing) cycles per packet, both over\n\
the measurement window.  testpmd: its --record-core-cycles figure (busy\n\
cycles per packet over its whole run).  ratio = sluiced / testpmd\n\
cycles/pkt.  setup: megaflows installed by upcalls per second over the\n\
window, from pmd-perf-show.  The pcap port's pool holds flows + 16384\n\
mbufs.\n");
}

enum {
    OPT_FLOWS = 256, OPT_SIZE, OPT_SCENARIO, OPT_WARMUP, OPT_DURATION,
    OPT_REF, OPT_TESTPMD, OPT_CSV, OPT_SLUICED, OPT_CONTROL_CORE,
    OPT_PMD_MASK, OPT_NO_HUGE, OPT_MEMORY, OPT_MBUF_SIZE, OPT_SLUICED_ARGS,
    OPT_START_TIMEOUT, OPT_KEEP, OPT_REPEAT, OPT_OPENFLOW, OPT_OVS_VSWITCHD,
    OPT_PERF,
};

static void
parse_options(int argc, char *argv[], struct bench_opts *o)
{
    static const struct option long_opts[] = {
        { "flows", required_argument, NULL, OPT_FLOWS },
        { "size", required_argument, NULL, OPT_SIZE },
        { "scenario", required_argument, NULL, OPT_SCENARIO },
        { "warmup", required_argument, NULL, OPT_WARMUP },
        { "duration", required_argument, NULL, OPT_DURATION },
        { "ref", required_argument, NULL, OPT_REF },
        { "testpmd", required_argument, NULL, OPT_TESTPMD },
        { "csv", required_argument, NULL, OPT_CSV },
        { "sluiced", required_argument, NULL, OPT_SLUICED },
        { "control-core", required_argument, NULL, OPT_CONTROL_CORE },
        { "pmd-cpu-mask", required_argument, NULL, OPT_PMD_MASK },
        { "no-huge", no_argument, NULL, OPT_NO_HUGE },
        { "memory", required_argument, NULL, OPT_MEMORY },
        { "mbuf-size", required_argument, NULL, OPT_MBUF_SIZE },
        { "sluiced-args", required_argument, NULL, OPT_SLUICED_ARGS },
        { "start-timeout", required_argument, NULL, OPT_START_TIMEOUT },
        { "keep", no_argument, NULL, OPT_KEEP },
        { "repeat", required_argument, NULL, OPT_REPEAT },
        { "openflow", no_argument, NULL, OPT_OPENFLOW },
        { "ovs-vswitchd", required_argument, NULL, OPT_OVS_VSWITCHD },
        { "perf", no_argument, NULL, OPT_PERF },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    char what[96];
    int c;

    while ((c = getopt_long(argc, argv, "vhV", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_FLOWS:
            if (parse_flow_list(optarg, o)) {
                fprintf(stderr, "sluice-bench: --flows: '%s' is not a "
                        "comma-separated list of 1 to %d counts between 1 "
                        "and 16M\n", optarg, BENCH_MAX_FLOW_COUNTS);
                exit(2);
            }
            break;
        case OPT_SIZE:
            snprintf(what, sizeof what, "a frame size between %d and %d "
                     "bytes (incl. FCS)", PCAPGEN_MIN_FRAME,
                     PCAPGEN_MAX_FRAME);
            o->frame_size = parse_uint("--size", optarg, 10,
                                       PCAPGEN_MIN_FRAME, PCAPGEN_MAX_FRAME,
                                       what);
            break;
        case OPT_SCENARIO:
            if (parse_scenario_list(optarg, o)) {
                exit(2);
            }
            break;
        case OPT_WARMUP:
            o->warmup = parse_seconds("--warmup", optarg, 0);
            break;
        case OPT_DURATION:
            o->duration = parse_seconds("--duration", optarg, 1);
            break;
        case OPT_REF:
            parse_ref_list(optarg, o);
            break;
        case OPT_OVS_VSWITCHD:
            o->ovs_vswitchd = optarg;
            break;
        case OPT_TESTPMD:
            o->testpmd = optarg;
            break;
        case OPT_CSV:
            o->csv = optarg;
            break;
        case OPT_SLUICED:
            o->sluiced = optarg;
            break;
        case OPT_CONTROL_CORE:
            o->control_core = parse_uint("--control-core", optarg, 10, 0,
                                         63, "a core number below 64");
            break;
        case OPT_PMD_MASK:
            o->pmd_mask = parse_uint("--pmd-cpu-mask", optarg, 16, 1,
                                     UINT64_MAX, "a non-zero hex mask");
            break;
        case OPT_NO_HUGE:
            o->no_huge = o->no_huge_forced = true;
            break;
        case OPT_MEMORY:
            o->memory_mb = parse_uint("--memory", optarg, 10, 64, 1 << 20,
                                      "a size in MB (64..1048576)");
            break;
        case OPT_MBUF_SIZE:
            o->mbuf_size = parse_uint("--mbuf-size", optarg, 10, 256, 65535,
                                      "a size between 256 and 65535");
            break;
        case OPT_SLUICED_ARGS:
            o->sluiced_args = optarg;
            break;
        case OPT_START_TIMEOUT:
            o->start_timeout = parse_seconds("--start-timeout", optarg, 1);
            break;
        case OPT_KEEP:
            o->keep = true;
            break;
        case OPT_REPEAT:
            o->repeat = parse_uint("--repeat", optarg, 10, 1, 64,
                                   "a number between 1 and 64");
            break;
        case OPT_OPENFLOW:
            o->openflow = true;
            break;
        case OPT_PERF:
            o->perf = true;
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'h':
            usage();
            exit(0);
        case 'V':
            printf("sluice-bench (Sluice) %s\n", SLUICE_VERSION);
            exit(0);
        default:
            fprintf(stderr, "Try 'sluice-bench --help'.\n");
            exit(2);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sluice-bench: unexpected argument '%s'\n",
                argv[optind]);
        exit(2);
    }
}

/* ---- Set-up: cores, memory, traffic. ---- */

/* Fills in the cores left unset from the cores we may run on. */
static int
choose_cores(struct bench_opts *o)
{
    cpu_set_t set;
    int lowest = -1, highest = -1, i;

    if (sched_getaffinity(0, sizeof set, &set)) {
        return -errno;
    }
    for (i = 0; i < 64; i++) {
        if (CPU_ISSET(i, &set)) {
            if (lowest < 0) {
                lowest = i;
            }
            highest = i;
        }
    }
    if (lowest < 0) {
        return -EINVAL;
    }
    if (o->control_core < 0) {
        o->control_core = lowest;
    }
    if (!o->pmd_mask) {
        o->pmd_mask = 1ull << highest;
    }
    if (o->pmd_mask & (1ull << o->control_core)) {
        bench_note("warning: the PMD shares core %d with the control "
                   "thread; results will be poor", o->control_core);
    }
    return 0;
}

/* Free hugepage memory in MB, from /proc/meminfo. */
static unsigned long
hugepages_free_mb(void)
{
    unsigned long free_pages = 0, page_kb = 0;
    char line[256];
    FILE *f = fopen("/proc/meminfo", "r");

    if (!f) {
        return 0;
    }
    while (fgets(line, sizeof line, f)) {
        sscanf(line, "HugePages_Free: %lu", &free_pages);
        sscanf(line, "Hugepagesize: %lu kB", &page_kb);
    }
    fclose(f);
    return free_pages * page_kb / 1024;
}

/* Sizes the run's mbufs and memory; decides about hugepages. */
static void
size_run(struct bench_run *r)
{
    const struct bench_opts *o = r->opts;
    unsigned int need = MBUF_HEADROOM + o->frame_size - PCAPGEN_FCS_LEN;
    unsigned long free_mb;
    uint64_t pool_mb;

    r->n_mbuf = r->n_flows + EXTRA_MBUFS;
    r->mbuf_size = o->mbuf_size ? o->mbuf_size : 256;
    if (r->mbuf_size < need) {
        if (o->mbuf_size) {
            bench_note("warning: --mbuf-size %u is below what --size %u "
                       "needs (%u); using %u", o->mbuf_size, o->frame_size,
                       need, (need + 63) / 64 * 64);
        }
        r->mbuf_size = (need + 63) / 64 * 64;
    }
    /* Per mbuf: data room + rte_mbuf (128) + private area and mempool
     * overhead (generously 256); at most one megaflow per flow; plus
     * 256 MB for everything else. */
    pool_mb = ((uint64_t) r->n_mbuf * (r->mbuf_size + 384) >> 20)
              + ((uint64_t) r->n_flows * MEGAFLOW_BYTES >> 20) + 1;
    r->memory_mb = o->memory_mb ? o->memory_mb
                                : (unsigned int) ((pool_mb + 256 + 63) / 64
                                                  * 64);
    if (!o->memory_mb && r->memory_mb < 512) {
        r->memory_mb = 512;
    }
    r->no_huge = o->no_huge;
    free_mb = hugepages_free_mb();
    if (!r->no_huge && free_mb < r->memory_mb) {
        bench_note("%lu MB of hugepages free, %u MB needed: running with "
                   "--no-huge", free_mb, r->memory_mb);
        r->no_huge = true;
    }
}

static int
make_pcap(const struct bench_opts *o, uint32_t n_flows, char **path)
{
    struct pcapgen_params p;
    struct stat st;
    int ret;

    if (asprintf(path, "%s/flows-%u-size-%u.pcap", bench_tmp_dir(), n_flows,
                 o->frame_size) < 0) {
        return -ENOMEM;
    }
    if (!stat(*path, &st)) {
        return 0;
    }
    bench_progress("writing %s", *path);
    pcapgen_params_init(&p);
    p.n_flows = n_flows;
    p.frame_size = o->frame_size;
    ret = pcapgen_write(*path, &p);
    if (ret) {
        bench_note("%s: %s", *path, strerror(-ret));
    }
    return ret;
}

/* ---- Measuring. ---- */

static void
report_ref(const struct bench_result *res, const char *who,
           const struct bench_ref *x, uint32_t n_flows, int run)
{
    if (!x->ok) {
        return;
    }
    if (res->figure == BENCH_FIG_GUEST) {
        bench_note("%s, %u flows, run %d: %s %.3f Mpps, %.1f cycles/pkt; "
                   "guest got back %.3f Mpps (sent %.3f)", res->scenario,
                   n_flows, run, who, x->mpps, x->cycles, x->guest_rx_mpps,
                   x->guest_tx_mpps);
    } else {
        bench_note("%s, %u flows, run %d: %s %.3f Mpps, %.1f cycles/pkt",
                   res->scenario, n_flows, run, who, x->mpps, x->cycles);
    }
}

static void
report_run(const struct bench_result *res, uint32_t n_flows, int run)
{
    if (res->ok && res->figure == BENCH_FIG_SETUP) {
        bench_note("%s, %u flows, run %d: sluiced %.0f megaflows/s "
                   "(%.0f in %.2f s), %.0f control thread cycles per "
                   "upcall, %.3f Mpps received, %.0f upcalls lost",
                   res->scenario, n_flows, run, res->setup_rate,
                   res->installed, res->setup_seconds, res->upcall_cycles,
                   res->mpps, res->lost_upcalls);
        if (res->setup_seconds < 1) {
            bench_note("%s, %u flows: the window was under a second, too "
                       "short to be repeatable; use more --flows (1M: "
                       "400k megaflows measured)", res->scenario, n_flows);
        }
    } else if (res->ok) {
        bench_note("%s, %u flows, run %d: sluiced %.3f Mpps, %.1f "
                   "cycles/pkt (%.1f total); emc %.1f%%, megaflow %.1f%% "
                   "(%.2f subtables/hit), %.0f megaflows, %.1f%% sent",
                   res->scenario, n_flows, run, res->mpps, res->cycles,
                   res->total_cycles, res->emc_pct, res->megaflow_pct,
                   res->subtable_lookups, res->megaflows,
                   res->packets ? 100.0 * res->sent / res->packets : 0);
    }
    if (res->ok && res->figure == BENCH_FIG_GUEST) {
        bench_note("%s, %u flows, run %d: guest got back %.3f Mpps (sent "
                   "%.3f)", res->scenario, n_flows, run, res->guest_rx_mpps,
                   res->guest_tx_mpps);
    }
    report_ref(res, "testpmd", &res->tp, n_flows, run);
    report_ref(res, "ovs", &res->ovs, n_flows, run);
}

/* Runs sluiced, then testpmd if asked, on one scenario at one flow
 * count, into 'res'.  Returns the number of failures. */
static int
measure(const struct bench_opts *o, const struct bench_scenario *sc,
        uint32_t n_flows, int run, const char *sluiced,
        struct bench_result *res)
{
    struct bench_run r = { .opts = o, .scenario = sc, .n_flows = n_flows };
    static int seq;                 /* Names the run directories. */
    char *pcap = NULL;
    int failures = 0;

    r.openflow = sc->guest || (o->openflow && sc->of_flows);
    r.name = r.openflow ? sc->of_name : sc->name;
    res->scenario = r.name;
    res->figure = sc->figure;
    res->run = run;
    res->n_flows = n_flows;
    res->frame_size = o->frame_size;
    size_run(&r);
    res->no_huge = r.no_huge;
    if (sc->guest && r.no_huge) {
        bench_note("%s: the guest's memory is shared through the vhost-user "
                   "sockets and needs hugepages (%u MB free needed); "
                   "skipped", sc->name, r.memory_mb);
        return 1;
    }
    if (!sc->guest && make_pcap(o, n_flows, &pcap)) {
        free(pcap);
        return 1;
    }
    if (asprintf(&r.dir, "%s/%02d-%s%s-%u", bench_tmp_dir(), ++seq,
                 sc->name, r.openflow ? "-openflow" : "", n_flows) < 0
        || mkdir(r.dir, 0700)) {
        bench_note("cannot create the run directory: %s", strerror(errno));
        free(pcap);
        return 1;
    }
    r.pcap = pcap;
    if (bench_sluiced_run(&r, sluiced, res)) {
        failures++;
    }
    if (o->ref_testpmd && sc->testpmd_fwd_mode && !bench_stop_signal
        && bench_testpmd_run(&r, res)) {
        failures++;
    }
    if (o->ref_ovs && sc->of_flows && sc->figure != BENCH_FIG_SETUP
        && !bench_stop_signal && bench_ovs_run(&r, res)) {
        failures++;
    }
    report_run(res, n_flows, run);
    free(pcap);
    free(r.dir);
    return failures;
}

/* Flow counts of 'sc': --flows, else its own. */
static int
flow_counts(const struct bench_opts *o, const struct bench_scenario *sc,
            const uint32_t **flows)
{
    if (o->n_flows) {
        *flows = o->flows;
        return o->n_flows;
    }
    *flows = sc->flows;
    return sc->n_flows;
}

int
main(int argc, char *argv[])
{
    struct bench_opts o = {
        .frame_size = PCAPGEN_MIN_FRAME,
        .duration = 5,
        .warmup = 2,
        .control_core = -1,
        .testpmd = "dpdk-testpmd",
        .ovs_vswitchd = BENCH_OVS_VSWITCHD,
        .csv = "sluice-bench.csv",
        .start_timeout = 60,
        .repeat = 1,
    };
    struct bench_result *results;
    char *sluiced;
    int n_results = 0, n_max = 0, failures = 0, i, j, k, ret;

    parse_options(argc, argv, &o);
    if (!o.n_scenarios) {
        o.scenarios[o.n_scenarios++] = bench_scenario_default();
    }
    bench_progress_init(isatty(STDERR_FILENO));
    if (choose_cores(&o)) {
        fprintf(stderr, "sluice-bench: cannot choose cores\n");
        return 1;
    }
    if (o.ref_ovs) {
        struct dstr err = DSTR_INIT;

        dstr_init(&err);
        if (bench_ovs_check(o.ovs_vswitchd, &err)) {
            fprintf(stderr, "sluice-bench: %s\n", dstr_cstr(&err));
            dstr_free(&err);
            return 2;
        }
        dstr_free(&err);
    }
    sluiced = o.sluiced ? strdup(o.sluiced) : bench_find_sluiced(argv[0]);

    bench_catch_signals();
    ret = bench_tmp_create();
    if (ret) {
        fprintf(stderr, "sluice-bench: cannot create a temporary "
                "directory: %s\n", strerror(-ret));
        return 1;
    }
    if (o.keep) {
        bench_tmp_keep();
    }

    bench_note("sluiced %s; control core %d, PMD mask 0x%" PRIx64 "; "
               "%.0f s warm-up, %.0f s measurement; files in %s", sluiced,
               o.control_core, o.pmd_mask, o.warmup, o.duration,
               bench_tmp_dir());

    for (i = 0; i < o.n_scenarios; i++) {
        const uint32_t *flows;

        n_max += flow_counts(&o, o.scenarios[i], &flows) * o.repeat;
    }
    results = calloc(n_max, sizeof *results);
    if (!results) {
        return 1;
    }
    for (i = 0; i < o.n_scenarios && !bench_stop_signal; i++) {
        const struct bench_scenario *sc = o.scenarios[i];
        const uint32_t *flows;
        int n_flows = flow_counts(&o, sc, &flows);

        for (j = 0; j < n_flows && !bench_stop_signal; j++) {
            for (k = 0; k < o.repeat && !bench_stop_signal; k++) {
                failures += measure(&o, sc, flows[j], k + 1, sluiced,
                                    &results[n_results++]);
            }
        }
    }
    if (failures && !bench_stop_signal) {
        bench_tmp_keep();       /* Logs for the post-mortem. */
    }
    if (bench_stop_signal) {
        bench_note("interrupted");
        failures++;
    }

    bench_report_table(results, n_results, &o);
    ret = bench_report_csv(o.csv, results, n_results, o.repeat);
    if (ret) {
        fprintf(stderr, "sluice-bench: %s: %s\n", o.csv, strerror(-ret));
        failures++;
    } else {
        printf("results written to %s\n", o.csv);
    }
    free(results);
    free(sluiced);
    return failures ? 1 : 0;
}
