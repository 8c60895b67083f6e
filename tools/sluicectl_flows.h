/* sluicectl_flows: the OpenFlow commands of sluicectl, as ovs-ofctl's with
 * -O OpenFlow13: add-flow, add-flows, mod-flows, del-flows, dump-flows,
 * packet-out (this module) and show, dump-ports, dump-tables
 * (sluicectl_ofshow.h).  Each connects to RUN_DIR/BRIDGE.mgmt
 * (tools/sluicectl_of.h), sends what ofproto/ofp_parse.h made of the text
 * with the codec's encoders, ends with a barrier, and prints replies and
 * errors as ovs-ofctl does.
 *
 * Exit status: 0 success, 1 bad arguments or flow text, or no connection,
 * 2 the switch answered with an OFPT_ERROR. */
#ifndef SLUICE_SLUICECTL_FLOWS_H
#define SLUICE_SLUICECTL_FLOWS_H

#include <stdbool.h>
#include <stdint.h>

struct dstr;
struct of_client;
struct ofp_flow_mod;

struct sluicectl_flows_opts {
    const char *run_dir;        /* NULL: $OVS_RUNDIR, else /run/sluice. */
    int timeout_s;              /* 0: wait forever. */
    bool strict;                /* --strict: mod-flows, del-flows. */
};

/* Whether 'name' is one of this module's commands. */
bool sluicectl_flows_has(const char *name);

/* Runs argv[0] with its arguments; returns an exit status. */
int sluicectl_flows_run(const struct sluicectl_flows_opts *, int argc,
                        char *argv[]);

/* 'fm' as ovs-ofctl prints a flow_mod of 'version' after its header:
 * "ADD table:1 priority=5,ip actions=drop". */
void sluicectl_format_flow_mod(struct dstr *, const struct ofp_flow_mod *fm,
                               uint8_t version);

/* Connects to the bridge 'target' (a bridge name, "unix:PATH" or a path
 * with a '/'), printing why not on stderr.  Returns NULL on failure. */
struct of_client *sluicectl_flows_connect(const struct sluicectl_flows_opts *,
                                          const char *target);
/* The same with another socket than BRIDGE.mgmt for a bridge name:
 * RUN_DIR/BRIDGE'suffix' (".snoop"). */
struct of_client *sluicectl_flows_connect_to(
    const struct sluicectl_flows_opts *, const char *target,
    const char *suffix);

#endif
