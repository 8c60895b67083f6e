/* of_xlate: a packet through a bridge's OpenFlow pipeline - the bridges'
 * translation provider (ofproto/xlate.h).
 *
 * The packet enters table 0 of the switch that owns its datapath port,
 * with the pipeline fields zero and in_port its OpenFlow port.  Each table
 * lookup goes through the classifier, whose examined bits become the
 * megaflow's mask; instructions run in OpenFlow 1.3's order (apply, clear,
 * write, write_metadata, goto_table) and the action set at the end of the
 * pipeline in the specification's order.  Header changes (set_field, OF1.0
 * set_*, load, move, dec_ttl, VLAN push/pop) change the translation's view
 * of the packet and become datapath set/push/pop actions only before
 * something sends the packet (an output, NORMAL, CONTROLLER): masked sets of
 * exactly the bits written, so the megaflow need not match their old
 * values.  Output to a patch port continues in the peer bridge's table 0
 * (registers and metadata cleared, as Open vSwitch does); resubmit and
 * patch ports nest at most 64 deep, 4,096 resubmits in all (more: drop,
 * counted and logged).  NORMAL is a MAC learning switch
 * (ofproto/of_normal.h), which learns from the traffic handed in.
 * CONTROLLER, table misses that a
 * connection wants, and TTLs that dec_ttl finds expired become a datapath
 * userspace action whose cookie names the packet-in to send
 * (of_xlate_pin_lookup()).  Traffic handed in with the translation
 * (xlate_out.stats) is added to every rule it visited. */
#ifndef SLUICE_OF_XLATE_H
#define SLUICE_OF_XLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ofproto/ofp_actions.h"
#include "ofproto/ofp_err.h"
#include "ofproto/xlate.h"
#include "pmd/flow.h"

struct cls_key;
struct dp_actions;
struct dstr;
struct ofp_match_meta;
struct ofproto;
struct ofproto_pin;

/* The provider (aux: unused): XLATE_NO_MATCH for a datapath port that is
 * no bridge's. */
int of_xlate_translate(const struct flow *, struct xlate_out *, void *aux);

/* ofproto/trace: translates 'flow' (its in_port: the datapath port, or
 * OFPROTO_NO_DP_PORT) entering switch 'p' with the pipeline fields 'meta'
 * (meta->in_port: the OpenFlow in_port) as of_xlate_translate() would,
 * accounting nothing to rules (table lookup counters do count), and
 * appends to 'trace' the bridge, each table visited with the rule that
 * matched (its match, priority and cookie) or "No match.", and each
 * action and instruction as it runs, indented by nesting.  Fills
 * out->mask and out->actions (free()); '*final' (may be NULL) gets the
 * key as the pipeline left it.  Returns 0 or -ENOMEM.  Translation
 * without a trace pays one NULL test per table and action. */
int of_xlate_trace(struct ofproto *p, const struct flow *flow,
                   const struct ofp_match_meta *meta, struct xlate_out *out,
                   struct cls_key *final, struct dstr *trace);

/* Translates the action list 'acts' of a packet-out for a frame whose key
 * is 'flow' (flow->in_port: its datapath in_port, or OFPROTO_NO_DP_PORT)
 * with OpenFlow in_port 'ofp_in_port', in switch 'p'.  Output to
 * OFPP_TABLE runs the pipeline from table 0.  'stats' (the frame: may be
 * NULL) is the traffic to account: the rules it visits count it and NORMAL
 * learns from it, as from any packet.  Returns 0 with the datapath actions
 * in '*out' (free()), or -ENOMEM. */
int of_xlate_packet_out(struct ofproto *p, const struct flow *flow,
                        uint32_t ofp_in_port, const struct ofp_actions *acts,
                        const struct xlate_stats *stats,
                        struct dp_actions **out);

/* Whether 'acts' can be carried out by this datapath: Open vSwitch's
 * actions it lacks (groups, TTL copies, set_field or load of fields it
 * cannot rewrite: ARP, ICMP, ND, mpls_bos) are refused with the error to
 * answer (OFPBAC_BAD_TYPE, OFPBAC_BAD_OUT_GROUP, OFPBAC_BAD_SET_TYPE). */
enum ofp_err of_xlate_check_actions(const struct ofp_actions *acts);

/* The packet-in a userspace cookie names: fills '*pin' and returns the
 * switch, or NULL if the cookie is no (longer a) packet-in's. */
struct ofproto *of_xlate_pin_lookup(uint32_t cookie, struct ofproto_pin *);
/* Forgets the packet-ins of a switch that goes away. */
void of_xlate_forget(const struct ofproto *);

struct of_xlate_stats {
    uint64_t too_deep;              /* Resubmit/patch nesting or count. */
    uint64_t pin_overflow;          /* No cookie left for a packet-in. */
    uint64_t needs_recirc;          /* After pop_mpls, a lookup or an L3
                                     * action: packet dropped. */
};
const struct of_xlate_stats *of_xlate_get_stats(void);

#endif
