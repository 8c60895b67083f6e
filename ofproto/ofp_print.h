/* ofp_print: matches, actions and instructions as ovs-ofctl prints them
 * (dump-flows, ofproto/trace) - the text that ofproto/ofp_parse.h reads
 * back.  Field order, shorthands (tcp, ipv6, arp, ...), dl_vlan and
 * vlan_tci, CIDR masks, hexadecimal registers and metadata follow Open
 * vSwitch 3.1's match_format; 'version' picks the action names of the
 * OpenFlow version the reader speaks (1.0: strip_vlan, mod_dl_src, ...;
 * 1.3: pop_vlan, set_field:...->eth_src). */
#ifndef SLUICE_OFP_PRINT_H
#define SLUICE_OFP_PRINT_H

#include <stdbool.h>
#include <stdint.h>

#include "ofproto/ofp_flow_mod.h"

struct dstr;

#define OFP_DEFAULT_PRIORITY 0x8000

/* Fields whose text is an Ethernet address, and an IPv4 address (the
 * 16-byte ones are IPv6 addresses); the others are numbers. */
static inline bool
ofp_field_is_mac(enum mf_id id)
{
    return id == MF_ETH_SRC || id == MF_ETH_DST || id == MF_ARP_SHA
           || id == MF_ARP_THA || id == MF_ND_SLL || id == MF_ND_TLL;
}

static inline bool
ofp_field_is_ipv4(enum mf_id id)
{
    return id == MF_IPV4_SRC || id == MF_IPV4_DST || id == MF_ARP_SPA
           || id == MF_ARP_TPA || id == MF_TUN_SRC || id == MF_TUN_DST;
}

/* A port: its number, or its reserved name (LOCAL, IN_PORT, ...). */
void ofp_print_port(struct dstr *, uint32_t port);

/* "priority=N," (unless 'priority' is negative or the default), then the
 * fields, comma-separated; nothing at all for a catch-all. */
void ofp_print_match(struct dstr *, const struct ofp_match *,
                     int priority);

/* The value of one field ("10.0.0.0/8", "0x5/0xf", "00:11:..").
 * 'mask' NULL: exact. */
void ofp_print_field(struct dstr *, const struct mf_field *,
                     const uint8_t *value, const uint8_t *mask);

/* "output:1,resubmit(,2)"; "drop" when empty. */
void ofp_print_actions(struct dstr *, const struct ofp_actions *,
                       uint8_t version);
/* The instructions as "actions=" shows them: apply's actions, then
 * clear_actions, write_actions(...), write_metadata:V/M, goto_table:N;
 * "drop" when none. */
void ofp_print_insts(struct dstr *, const struct ofp_insts *,
                     uint8_t version);

#endif
