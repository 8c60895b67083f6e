/* bridge_flood: the bridges' own translation until the OpenFlow agent
 * lands - a packet received on a port of a bridge goes out of every other
 * port of that bridge, and across patch ports out of every port of the
 * bridges behind them (each bridge visited once).  The megaflow matches
 * only in_port.  The module owns the topology it translates with: which
 * bridge each datapath port belongs to, and the patch links. */
#ifndef SLUICE_BRIDGE_FLOOD_H
#define SLUICE_BRIDGE_FLOOD_H

#include <stddef.h>
#include <stdint.h>

#include "xlate.h"

struct flood_topo;

struct flood_topo *flood_topo_create(size_t n_bridges);
void flood_topo_destroy(struct flood_topo *);
/* Datapath port 'port_no' is a port of bridge 'br' (0 .. n_bridges-1). */
int flood_topo_add_port(struct flood_topo *, size_t br, uint32_t port_no);
/* A patch link: packets flooded in 'br' also flood 'peer_br'. */
int flood_topo_add_patch(struct flood_topo *, size_t br, size_t peer_br);

/* The translation provider (aux: unused).  Answers XLATE_NO_MATCH for a
 * port that is in no bridge. */
int flood_translate(const struct flow *, struct xlate_out *, void *aux);

/* Replaces the topology in use (taking ownership; NULL: none).  The
 * caller revalidates megaflows afterwards. */
void flood_set_topo(struct flood_topo *);

#endif
