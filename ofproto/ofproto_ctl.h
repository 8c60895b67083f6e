/* ofproto_ctl: the control commands of the OpenFlow switches, named as
 * Open vSwitch names them - ofproto/trace (a flow or a packet through a
 * bridge's pipeline, table by table, with the megaflow and datapath
 * actions it becomes), dpif/dump-flows (the megaflows of a bridge's
 * ports), ofproto/list (the bridges) and Sluice's ofproto/stats (each
 * switch's rules and connection counters, and the translation counters).
 * Control thread only. */
#ifndef SLUICE_OFPROTO_CTL_H
#define SLUICE_OFPROTO_CTL_H

struct dp;
struct dstr;
struct ofproto;

/* Registers the commands; 'dp' is the datapath whose megaflows
 * dpif/dump-flows lists. */
void ofproto_ctl_register(struct dp *);

/* ofproto/trace on 'p': 'flow' in ovs-ofctl's match syntax (fields not
 * given are zero; in_port by number or name) or, with 'packet' (hex of
 * an Ethernet frame, may be NULL), in_port=N and the frame's key.
 * Appends the trace to 'out' and returns 0, or appends the error and
 * returns -EINVAL. */
int ofproto_trace(struct ofproto *p, const char *flow, const char *packet,
                  struct dstr *out);

#endif
