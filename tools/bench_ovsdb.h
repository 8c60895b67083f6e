/* bench_ovsdb: sluice-bench's --openflow set-up through OVSDB.  Creates
 * bridge br0 with a scenario's two ports (type dpdk with their devargs and
 * mbuf options, or dpdkvhostuser; ofport_request) in one transaction on
 * RUN_DIR/db.sock,
 * waits until sluiced has applied it (Open_vSwitch cur_cfg reaching
 * next_cfg, as ovs-vsctl does; tools/sluicectl_rpc.h), then checks that
 * each interface got its OpenFlow port and no error.  No LOCAL port is
 * created, so the datapath polls the same ports as without --openflow. */
#ifndef SLUICE_BENCH_OVSDB_H
#define SLUICE_BENCH_OVSDB_H

#define BENCH_BRIDGE "br0"

struct bench_run;
struct dstr;

/* Returns 0, or a negative errno with the reason in 'err' (the database
 * client's own messages go to stderr). */
int bench_ovsdb_add_bridge(const struct bench_run *, double timeout,
                           struct dstr *err);

#endif
