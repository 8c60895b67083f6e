/* bench_ovs: Open vSwitch 3.1 with DPDK (Debian openvswitch-switch-dpdk,
 * ovs-vswitchd-dpdk) as a reference, set up as an operator would and
 * never touching the system's own Open vSwitch: its own ovsdb-server and
 * ovs-vswitchd in a directory of the run (OVS_RUNDIR and friends point
 * there; ovs-vswitchd in a network namespace of its own, so the bridge's
 * LOCAL tap device appears nowhere else), dpdk-init=true, dpdk-extra
 * "--in-memory --no-pci" (it needs hugepages: it always gives EAL
 * --in-memory, which --no-huge cannot go with),
 * the main lcore on the control core (dpdk-lcore-mask; its handler and
 * revalidator threads inherit it), pmd-cpu-mask = the bench's PMD mask; a
 * netdev bridge br0 (fail_mode secure) with the scenario's two ports
 * (vdevs as dpdk-devargs, or dpdkvhostuser) and ofport_request 1 and 2,
 * through ovs-vsctl; the scenario's OpenFlow flows (the same text as
 * --openflow gives sluiced) through `ovs-ofctl -O OpenFlow13 add-flows`.
 * It measures over the same warm-up and window as sluiced: cycles per
 * packet from `dpif-netdev/pmd-stats-show` (processing cycles per packet
 * received, as for sluiced), rates from the ports' counters
 * (`ovs-ofctl dump-ports`), megaflows from `upcall/show`; PVP: the guest's
 * counters too.  Then `exit` to both daemons. */
#ifndef SLUICE_BENCH_OVS_H
#define SLUICE_BENCH_OVS_H

struct bench_result;
struct bench_run;
struct dstr;

/* The binary used when --ovs-vswitchd is not given. */
#define BENCH_OVS_VSWITCHD "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"

/* Checks that everything the reference needs is installed: 'vswitchd',
 * ovsdb-server, ovsdb-tool, ovs-vsctl, ovs-ofctl, ovs-appctl and the
 * vswitch schema.  Returns 0, or -ENOENT with what is missing and how to
 * get it in 'err'. */
int bench_ovs_check(const char *vswitchd, struct dstr *err);

/* Fills res->ovs.  Returns 0, or a negative errno after printing why
 * (with the tail of the daemons' logs). */
int bench_ovs_run(const struct bench_run *, struct bench_result *res);

#endif
