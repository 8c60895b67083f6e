/* packet: per-packet metadata kept in the mbuf private area.
 * Every mempool Sluice creates reserves PACKET_PRIV_SIZE bytes after the
 * rte_mbuf header for it; the fast path never allocates metadata. */
#ifndef SLUICE_PACKET_H
#define SLUICE_PACKET_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "pmd/flow.h"

struct packet_meta {
    /* Written for every packet: in the first cache line of the area. */
    uint32_t in_port;       /* Datapath port number it was received on. */
    uint32_t recirc_id;     /* 0 on receipt; set by recirc(N). */
    struct flow_offsets ofs;    /* Header offsets, set by key extraction
                                 * and kept right by the actions. */
    uint16_t pad;
    uint32_t hash;          /* Flow hash, 0 if not computed yet. */
    uint64_t tunnel[6];     /* Tunnel metadata slot (tunnel issue). */
};

#define PACKET_PRIV_SIZE \
    RTE_ALIGN(sizeof(struct packet_meta), RTE_MBUF_PRIV_ALIGN)

static inline struct packet_meta *
packet_meta(struct rte_mbuf *m)
{
    return (struct packet_meta *) rte_mbuf_to_priv(m);
}

#endif
