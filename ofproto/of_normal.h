/* of_normal: the NORMAL action - Open vSwitch's MAC learning switch.
 *
 * A packet is in the VLAN its input port gives it (bridge_flood's VLAN
 * rules; where no port has a VLAN setting, its VID).  Its unicast source
 * is learned on its input port (a group's: the member it floods by) in
 * the bridge's table (mac_learning.h), but
 * only from real traffic: the packet of an upcall or the traffic that
 * megaflows report (xlate_out.stats), never from a revalidation alone; a
 * new or moved station revalidates the megaflows (ofproto_changed()).  A
 * multicast or unknown destination floods the VLAN (bridge_flood.h); a
 * destination learned on the input port (or its group) is dropped; one
 * learned on another port goes out of that port alone, with the tag it
 * needs.  Patch links: each station is learned in the bridge whose port it
 * was seen on, and a destination is looked up in the table of each
 * bridge the flood reaches.  The megaflow matches in_port, dl_src, dl_dst
 * and the outer tag's presence and VID. */
#ifndef SLUICE_OF_NORMAL_H
#define SLUICE_OF_NORMAL_H

#include "ofproto/xlate.h"
#include "pmd/flow.h"

/* Translates NORMAL for 'flow' (its in_port a datapath port), learning
 * from 'stats' (may be NULL) into the switch of its input port.  Fills
 * 'out->actions' and adds to 'out->mask'; returns 0, a negative errno, or
 * XLATE_NO_MATCH for a port in no bridge. */
int of_normal_translate(const struct flow *, const struct xlate_stats *,
                        struct xlate_out *out);

#endif
