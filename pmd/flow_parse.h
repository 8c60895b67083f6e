/* flow_parse: reads a flow match in the text form that ovs-dpctl and
 * `dpctl/dump-flows` print, e.g.
 *   in_port(1),eth(src=02:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff/01:00:..),
 *   eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0,proto=17,frag=no),
 *   udp(dst=53)
 * into a struct flow and its mask.  Fields not named are wildcarded; a
 * value without "/mask" is exact.  Addresses may also take a prefix
 * length ("10.0.0.0/8").  ipv4(...), ipv6(...), arp(...) imply their
 * eth_type, and tcp/udp/sctp/icmp/icmpv6(...) their IP protocol, when
 * those were not given.  Used by dpctl/add-flow and the debug rule
 * table; control thread only. */
#ifndef SLUICE_FLOW_PARSE_H
#define SLUICE_FLOW_PARSE_H

#include <stdint.h>

struct dstr;
struct flow;

/* Maps a port name to its number; returns 0 or -ENOENT. */
typedef int flow_port_lookup(const char *name, uint32_t *port_no, void *aux);

/* Parses 's'.  Returns 0, or -EINVAL with a message in 'err'. */
int flow_parse(const char *s, struct flow *flow, struct flow *mask,
               flow_port_lookup *, void *aux, struct dstr *err);

#endif
