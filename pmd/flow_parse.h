/* flow_parse: reads a flow match in the text form that ovs-dpctl and
 * `dpctl/dump-flows` print (flow_format()), e.g.
 *   recirc_id(0),in_port(1),eth(src=02:00:00:00:00:01,
 *   dst=ff:ff:ff:ff:ff:ff/01:00:00:00:00:00),eth_type(0x0800),
 *   ipv4(src=10.0.0.0/255.0.0.0,proto=17,frag=no),udp(dst=53)
 * into a struct flow and its mask.  Groups:
 *   recirc_id(N), in_port(N or port name), tunnel(tun_id=,src=,dst=),
 *   eth(src=,dst=), vlan(tpid=,vid=,pcp=,dei=) (at most two: the outer
 *   tag first; a vlan(...) group matches a tag that is present, its TPID
 *   0x8100 unless given), eth_type(N), mpls(label=,tc=,ttl=,bos=),
 *   ipv4(src=,dst=,proto=,tos=,ttl=,frag=), ipv6(src=,dst=,label=,
 *   proto=,tclass=,hlimit=,frag=), arp(sip=,tip=,op=,sha=,tha=),
 *   tcp/udp/sctp(src=,dst=), tcp_flags(syn|ack|... or N),
 *   icmp/icmpv6(type=,code=), nd(target=,sll=,tll=).
 * "in_port=N" and "recirc_id=N" are accepted as well.  Numbers are read
 * by scan_uint(SCAN_C) as in ovs-dpctl (0x hexadecimal, a leading 0
 * octal, else decimal; no sign, no overflow), the same as in actions;
 * prefix lengths are decimal; Ethernet addresses are read by scan_mac();
 * frag is no, first, later or a number.  Any
 * value may take "/MASK" (a number, an Ethernet address for eth(...),
 * arp(...) and nd(...) addresses, a netmask or a prefix length for IP
 * addresses); a value without it is exact, and fields not named are
 * wildcarded.  Whitespace may follow commas.
 *
 * Implied fields: ipv4(...), ipv6(...), arp(...) and mpls(...) imply
 * their eth_type (0x0800, 0x86dd, 0x0806, 0x8847), icmp(...) implies
 * eth_type 0x0800 and icmpv6(...) and nd(...) eth_type 0x86dd, and
 * tcp/udp/sctp/tcp_flags/icmp/icmpv6/nd(...) their IP protocol, when
 * those were not given.  Each group's prerequisites must then hold
 * exactly (e.g. udp(...) needs an exact IPv4 or IPv6 eth_type and IP
 * protocol 17, nd(...) an exact icmpv6 type 135 or 136), so that every
 * match parsed is one that flow_format() shows in full.  Used by
 * dpctl/add-flow and the debug rule table; control thread only. */
#ifndef SLUICE_FLOW_PARSE_H
#define SLUICE_FLOW_PARSE_H

#include <stdint.h>

struct dstr;
struct flow;

/* Maps a port name to its number; returns 0 or -ENOENT. */
typedef int flow_port_lookup(const char *name, uint32_t *port_no, void *aux);

/* Parses 's'.  Returns 0, or -EINVAL with a message naming the bad token
 * in 'err'.  'lookup' may be NULL (port names are then refused). */
int flow_parse(const char *s, struct flow *flow, struct flow *mask,
               flow_port_lookup *lookup, void *aux, struct dstr *err);

#endif
