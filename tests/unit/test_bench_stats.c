/* Unit tests for bench_stats: sluice-bench's reading of what the measured
 * programs print, on the text they print (Open vSwitch 3.1's
 * pmd-stats-show with its main thread, sluiced's, testpmd's port and
 * forward statistics, ovs-ofctl dump-ports with and without counters). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tools/bench_stats.h"

/* Open vSwitch 3.1 with DPDK: one PMD, then the main thread, whose
 * counters are not a PMD's. */
static const char ovs_stats[] =
    "pmd thread numa_id 0 core_id 1:\n"
    "  packets received: 33857216\n"
    "  packet recirculations: 0\n"
    "  avg. datapath passes per packet: 1.00\n"
    "  phwol hits: 0\n"
    "  mfex opt hits: 0\n"
    "  simple match hits: 33857120\n"
    "  emc hits: 0\n"
    "  smc hits: 0\n"
    "  megaflow hits: 62\n"
    "  avg. subtable lookups per megaflow hit: 1.50\n"
    "  miss with success upcall: 2\n"
    "  miss with failed upcall: 0\n"
    "  avg. packets per output batch: 32.00\n"
    "  idle cycles: 3199654853 (29.84%)\n"
    "  processing cycles: 7523501515 (70.16%)\n"
    "  avg cycles per packet: 316.72 (10723156368/33857216)\n"
    "  avg processing cycles per packet: 222.21 (7523501515/33857216)\n"
    "main thread:\n"
    "  packets received: 1000\n"
    "  emc hits: 7\n"
    "  megaflow hits: 5\n"
    "  miss with success upcall: 3\n"
    "  idle cycles: 11 (50.00%)\n"
    "  processing cycles: 11 (50.00%)\n";

static void
test_ovs_pmd_stats_without_main_thread(void **state)
{
    struct bench_dp_sample s;

    (void) state;
    memset(&s, 0, sizeof s);
    assert_int_equal(bench_pmdstats_parse(ovs_stats, &s), 0);
    assert_int_equal(s.received, 33857216);
    assert_int_equal(s.idle, 3199654853ull);
    assert_int_equal(s.processing, 7523501515ull);
    assert_int_equal(s.megaflow_hits, 62);
    assert_true(s.lookups > 92.9 && s.lookups < 93.1);
    assert_int_equal(s.emc_hits, 0);
    assert_int_equal(s.upcalls, 2);
    assert_false(s.have_cmd);
}

/* sluiced: two PMDs, summed; its own lines (sent, dropped, command
 * cycles, megaflows). */
static void
test_sluiced_two_pmds_summed(void **state)
{
    static const char text[] =
        "pmd thread numa_id 0 core_id 1:\n"
        "  packets received: 100\n"
        "  packets sent: 90\n"
        "  packets dropped: 10\n"
        "  emc hits: 40\n"
        "  megaflow hits: 60\n"
        "  avg. subtable lookups per megaflow hit: 2.00\n"
        "  idle cycles: 1000 (50.00%)\n"
        "  processing cycles: 1000 (50.00%)\n"
        "    command cycles: 30\n"
        "  megaflows: 3\n"
        "pmd thread numa_id 0 core_id 3:\n"
        "  packets received: 50\n"
        "  packets sent: 50\n"
        "  megaflow hits: 50\n"
        "  avg. subtable lookups per megaflow hit: 1.00\n"
        "  idle cycles: 10 (1.00%)\n"
        "  processing cycles: 990 (99.00%)\n"
        "    command cycles: 5\n"
        "  megaflows: 1\n";
    struct bench_dp_sample s;

    (void) state;
    memset(&s, 0, sizeof s);
    assert_int_equal(bench_pmdstats_parse(text, &s), 0);
    assert_int_equal(s.received, 150);
    assert_int_equal(s.sent, 140);
    assert_int_equal(s.dropped, 10);
    assert_int_equal(s.processing, 1990);
    assert_int_equal(s.idle, 1010);
    assert_true(s.have_cmd);
    assert_int_equal(s.cmd, 35);
    assert_int_equal(s.megaflow_hits, 110);
    assert_true(s.lookups > 169.9 && s.lookups < 170.1);
    assert_int_equal(s.megaflows, 4);
}

static void
test_pmd_stats_refused(void **state)
{
    struct bench_dp_sample s;

    (void) state;
    memset(&s, 0, sizeof s);
    assert_int_not_equal(bench_pmdstats_parse("", &s), 0);
    assert_int_not_equal(bench_pmdstats_parse("main thread:\n"
                                              "  packets received: 5\n"
                                              "  idle cycles: 1\n"
                                              "  processing cycles: 1\n",
                                              &s), 0);
    /* A PMD block without its cycles. */
    assert_int_not_equal(bench_pmdstats_parse(
        "pmd thread numa_id 0 core_id 1:\n  packets received: 5\n", &s), 0);
}

static void
test_testpmd_port_and_fwd_stats(void **state)
{
    static const char ports[] =
        "show port stats all\n\n"
        "  ######################## NIC statistics for port 0  ####\n"
        "  RX-packets: 895456     RX-missed: 0          RX-bytes:  50145536\n"
        "  RX-errors: 0\n"
        "  RX-nombuf:  0         \n"
        "  TX-packets: 896288     TX-errors: 0          TX-bytes:  50192128\n"
        "\n  Throughput (since last show)\n"
        "  Rx-pps:      4466497          Rx-bps:   2000990880\n"
        "  ######################## NIC statistics for port 1  ####\n"
        "  RX-packets: 100        RX-missed: 0          RX-bytes:  6000\n"
        "  TX-packets: 200        TX-errors: 0          TX-bytes:  12000\n"
        "testpmd> ";
    static const char fwd[] =
        "  ---------------------- Forward statistics for port 0  ---\n"
        "  RX-packets: 11199744       RX-dropped: 0             RX-total: 1\n"
        "  TX-packets: 11204896       TX-dropped: 10447360      TX-total: 2\n"
        "  +++++++++++++++ Accumulated forward statistics for all ports+++\n"
        "  RX-packets: 22399264       RX-dropped: 0             RX-total: 3\n"
        "  TX-packets: 22409952       TX-dropped: 20894624      TX-total: 4\n"
        "  ++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++\n"
        "\n  CPU cycles/packet=52.31 (busy cycles=1171752 / total io packets"
        "=22399264) at 2100 MHz Clock\n";
    uint64_t rx, tx;
    double cycles;

    (void) state;
    assert_int_equal(bench_stats_sum(ports, "RX-packets:", &rx), 2);
    assert_int_equal(rx, 895556);
    assert_int_equal(bench_stats_sum(ports, "TX-packets:", &tx), 2);
    assert_int_equal(tx, 896488);
    assert_int_equal(bench_stats_sum("testpmd> ", "RX-packets:", &rx), 0);
    assert_int_equal(rx, 0);
    /* The accumulated block, not port 0's. */
    assert_true(bench_stats_testpmd_fwd(fwd, &rx, &tx, &cycles));
    assert_int_equal(rx, 22399264);
    assert_int_equal(tx, 22409952);
    assert_true(cycles > 52.30 && cycles < 52.32);
    assert_false(bench_stats_testpmd_fwd("Done.\n", &rx, &tx, &cycles));
}

static void
test_ovs_dump_ports(void **state)
{
    static const char counted[] =
        "OFPST_PORT reply (OF1.3) (xid=0x2): 3 ports\n"
        "  port LOCAL: rx pkts=7, bytes=0, drop=0, errs=0, frame=0, over=0,"
        " crc=0\n"
        "           tx pkts=9, bytes=0, drop=0, errs=0, coll=0\n"
        "           duration=5.285s\n"
        "  port  1: rx pkts=1000, bytes=60000, drop=0, errs=0, frame=0, "
        "over=0, crc=0\n"
        "           tx pkts=0, bytes=0, drop=0, errs=0, coll=0\n"
        "  port  2: rx pkts=0, bytes=0, drop=0, errs=0, frame=0, over=0, "
        "crc=0\n"
        "           tx pkts=990, bytes=59400, drop=?, errs=?, coll=?\n";
    static const char vhost[] =
        "OFPST_PORT reply (OF1.3) (xid=0x2): 3 ports\n"
        "  port LOCAL: rx pkts=0, bytes=0, drop=0, errs=0, frame=0, over=0,"
        " crc=0\n"
        "           tx pkts=0, bytes=0, drop=0, errs=0, coll=0\n"
        "  port  1: rx pkts=?, bytes=?, drop=?, errs=?, frame=?, over=?, "
        "crc=?\n"
        "           tx pkts=?, bytes=?, drop=?, errs=?, coll=?\n"
        "  port  2: rx pkts=?, bytes=?, drop=?, errs=?, frame=?, over=?, "
        "crc=?\n"
        "           tx pkts=?, bytes=?, drop=?, errs=?, coll=?\n";
    uint64_t rx, tx;

    (void) state;
    assert_true(bench_stats_dump_ports(counted, &rx, &tx));
    assert_int_equal(rx, 1000);         /* LOCAL's 7 left out. */
    assert_int_equal(tx, 990);
    assert_false(bench_stats_dump_ports(vhost, &rx, &tx));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ovs_pmd_stats_without_main_thread),
        cmocka_unit_test(test_sluiced_two_pmds_summed),
        cmocka_unit_test(test_pmd_stats_refused),
        cmocka_unit_test(test_testpmd_port_and_fwd_stats),
        cmocka_unit_test(test_ovs_dump_ports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
