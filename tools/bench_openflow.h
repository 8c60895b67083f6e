/* bench_openflow: sluice-bench's one-shot OpenFlow 1.3 client.  Replaces
 * the flows of a bridge with a scenario's, as `ovs-ofctl del-flows` then
 * `add-flow` would, on the bridge's management socket RUN_DIR/BRIDGE.mgmt:
 * HELLO, a delete of every table (so the new bridge's NORMAL rule goes),
 * one add per flow - ovs-ofctl text parsed by ofproto/ofp_parse.h and
 * encoded by the codec - and a barrier.  An OFPT_ERROR for any of them
 * fails the set-up with the flow and the error's name. */
#ifndef SLUICE_BENCH_OPENFLOW_H
#define SLUICE_BENCH_OPENFLOW_H

struct dstr;

/* Installs 'flows' (ovs-ofctl add-flow syntax, one a line; empty lines
 * skipped) on the switch at unix socket 'path', within 'timeout' seconds.
 * Returns 0 once the barrier is answered, or a negative errno with the
 * reason in 'err'. */
int bench_openflow_install(const char *path, const char *flows,
                           double timeout, struct dstr *err);

#endif
