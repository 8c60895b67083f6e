/* bridge_flood: the flood of NORMAL (ofproto/of_normal.h) and the VLAN
 * rules it follows - a packet received on a port of a bridge goes out of
 * every other port of that bridge, and across patch ports out of every
 * port of the bridges behind them (each bridge visited once), or, where
 * NORMAL knows the destination, out of that one port.  The megaflow
 * matches only in_port.  The module owns the topology it translates with:
 * which bridge each datapath port belongs to, and the patch links.  It is
 * no translation provider of its own (xlate.h): of_xlate's NORMAL calls
 * it.
 *
 * VLANs, as Open vSwitch's Port columns define them, once any port of the
 * topology has a VLAN setting: an access port (tag T, mode access) takes
 * untagged frames into VLAN T and drops tagged ones; a trunk port (no tag)
 * takes a frame into the VLAN of its tag (0 if untagged) if its trunks
 * allow it (no trunks: all); native-untagged and native-tagged ports (tag
 * T and trunks) take untagged frames into VLAN T and tagged ones as a
 * trunk does.  A frame of VLAN L leaves only by ports that carry L: access
 * ports of tag L (untagged), trunks that allow L (tagged, untagged for
 * L = 0), native ports (untagged for L = T with native-untagged, and for
 * L = 0).  A priority-tagged frame (VID 0) counts as untagged and leaves
 * without its tag; an access port without a tag is in VLAN 0.  Patch
 * links carry the VLAN across.  The megaflow then also matches the outer
 * tag's presence and VID.  Ports of one group (a Port row with several
 * interfaces) never flood to each other. */
#ifndef SLUICE_BRIDGE_FLOOD_H
#define SLUICE_BRIDGE_FLOOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofproto/xlate.h"

struct flood_topo;

struct flood_topo *flood_topo_create(size_t n_bridges);
void flood_topo_destroy(struct flood_topo *);
/* Datapath port 'port_no' is a port of bridge 'br' (0 .. n_bridges-1). */
int flood_topo_add_port(struct flood_topo *, size_t br, uint32_t port_no);
enum flood_vlan_mode {
    FLOOD_VLAN_DEFAULT,         /* Access if tagged, else trunk. */
    FLOOD_VLAN_ACCESS,
    FLOOD_VLAN_TRUNK,
    FLOOD_VLAN_NATIVE_TAGGED,
    FLOOD_VLAN_NATIVE_UNTAGGED,
};

/* Parses Port.vlan_mode ("" or NULL: default).  Returns 0 or -EINVAL. */
int flood_vlan_mode_from_string(const char *, enum flood_vlan_mode *);

/* VLAN settings of datapath port 'port_no' (added before): 'tag' -1 for
 * none; 'trunks' copied. */
int flood_topo_set_vlan(struct flood_topo *, uint32_t port_no,
                        enum flood_vlan_mode, int tag,
                        const int64_t *trunks, size_t n_trunks);

/* Datapath port 'port_no' belongs to bridge 'br' for what it receives,
 * but nothing is flooded to it (a link that is down, a second member of
 * a bond). */
int flood_topo_add_member(struct flood_topo *, size_t br, uint32_t port_no);
/* Ports of one group (the interfaces of one Port row: a bond) never
 * flood to each other.  'group' 0: none. */
int flood_topo_set_group(struct flood_topo *, uint32_t port_no,
                         uint32_t group);

/* A patch link: packets flooded in 'br' also flood 'peer_br'. */
int flood_topo_add_patch(struct flood_topo *, size_t br, size_t peer_br);

/* Floods 'flow' (aux: unused; a provider's signature).  Answers
 * XLATE_NO_MATCH for a port that is in no bridge. */
int flood_translate(const struct flow *, struct xlate_out *, void *aux);

/* As flood_translate(), but if 'pick' chooses one of the ports the flood
 * reaches (asked in the flood's order), the packet goes out of that port
 * alone, with the tag that port needs. */
typedef bool flood_pick_fn(uint32_t port_no, void *aux);
int flood_translate_pick(const struct flow *, flood_pick_fn *pick,
                         void *pick_aux, struct xlate_out *);

/* The VLAN of 'flow' on its input port by the rules above, every port a
 * trunk of all VLANs where none has a setting (untagged and priority
 * tagged: 0), in '*vlan'; -1 if the port drops it.  Sets the bits
 * examined (in_port, the outer tag's presence and VID) in 'mask'.  Returns
 * 0, or XLATE_NO_MATCH for a port in no bridge. */
int flood_input_vlan(const struct flow *, struct flow *mask, int *vlan);
/* Whether datapath ports 'a' and 'b' are one port (or of one group). */
bool flood_same_port(uint32_t a, uint32_t b);
/* Where a station seen on 'port_no' is learned: the port itself or, for a
 * member of a group, the member the group is flooded by (if any is). */
uint32_t flood_learn_port(uint32_t port_no);

/* Replaces the topology in use (taking ownership; NULL: none).  The
 * caller revalidates megaflows afterwards. */
void flood_set_topo(struct flood_topo *);

#endif
