/* sluicectl_monitor: "monitor BRIDGE [MISS-LEN]" (the switch's
 * asynchronous messages on its management socket: packet-ins, port status,
 * flow removals) and "snoop BRIDGE" (every message between the bridge and
 * its controllers, from RUN_DIR/BRIDGE.snoop), printed until interrupted
 * as ovs-ofctl prints them: the header "OFPT_PACKET_IN (OF1.3) (xid=0x0):"
 * and, for packet-in, packet-out, flow_mod, port status, errors and echo,
 * the body (a frame as its flow). */
#ifndef SLUICE_SLUICECTL_MONITOR_H
#define SLUICE_SLUICECTL_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dstr;
struct sluicectl_flows_opts;

/* Whether 'name' is one of this module's commands. */
bool sluicectl_monitor_has(const char *name);

/* Runs argv[0] ("monitor" or "snoop") with its arguments; returns an exit
 * status when the connection ends (1) or the arguments are wrong (1). */
int sluicectl_monitor_run(const struct sluicectl_flows_opts *, int argc,
                          char *argv[]);

/* Appends the OpenFlow message 'msg' ('len' bytes, header included) as
 * ovs-ofctl prints it, ending with a newline. */
void sluicectl_format_msg(struct dstr *, const uint8_t *msg, size_t len);

#endif
