/* tx: per-thread transmit buffers.
 *
 * Every thread that sends packets (each PMD and the control thread) owns
 * one tx_ctx.  Packets for a port are buffered per port and sent in bursts
 * by tx_flush(), which each PMD calls once per iteration.  The context
 * knows its tx queue index on every port: where a port has fewer tx queues
 * than there are sending threads, threads share a queue under the port's
 * spinlock (DESIGN.md, "Transmit").  Slots stay with their thread while
 * PMDs come and go (a new PMD takes the lowest free one); the datapath
 * decides from the slots in use whether a port's queues are shared.  Only
 * the owning thread touches a tx_ctx, except for the counters, which
 * others read. */
#ifndef SLUICE_TX_H
#define SLUICE_TX_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "pmd/dp.h"

#define TX_BURST 32

struct tx_buf {
    uint16_t n;
    bool listed;            /* In the context's dirty list. */
    struct rte_mbuf *pkts[TX_BURST];
};

/* Counters per (thread, port); summed over threads when shown. */
struct tx_port_stats {
    uint64_t packets;       /* Accepted by the device. */
    uint64_t dropped;       /* Not accepted (queue full) or the port's
                             * tx is off (admin down, reconfiguring). */
    uint64_t short_bursts;  /* tx_burst calls that sent fewer than asked. */
    uint64_t retries;       /* tx_burst calls again for the rest. */
    uint64_t failed;        /* Of 'dropped': refused by the device. */
    uint64_t mtu_dropped;   /* Of 'dropped': longer than max_frame. */
};

/* Thread-safety: a context belongs to one sending thread, which alone
 * writes it.  Other threads read only 'stats', 'no_port' and
 * 'retired_packets' (SHARED_READ; the owner adds with SHARED_COUNT).  The
 * owner reads dp->ports[] with SHARED_ACQUIRE and a port's tx_off and
 * txq_shared as port.h says. */
struct tx_ctx {
    struct dp *dp;
    uint16_t slot;          /* Sending-thread index: 0 control, 1.. PMDs. */
    uint16_t n_dirty;
    uint64_t retired_packets;   /* Sent to ports since removed. */
    uint64_t no_port;           /* Dropped: output to no existing port. */
    uint16_t dirty[DP_MAX_PORTS];
    struct tx_buf bufs[DP_MAX_PORTS];
    struct tx_port_stats stats[DP_MAX_PORTS];
};

void tx_ctx_init(struct tx_ctx *, struct dp *, uint16_t slot);

/* Queues 'n' packets for 'port_no' and sends full bursts at once.  Packets
 * for a port that does not exist (any more) are dropped and counted in
 * 'no_port'. */
void tx_enqueue(struct tx_ctx *, uint32_t port_no, struct rte_mbuf **pkts,
                uint32_t n);

/* Sends everything buffered. */
void tx_flush(struct tx_ctx *);

/* Frees what is buffered for 'port_no' and zeroes its counters (the port
 * is going away, or a new port takes its number). */
void tx_forget_port(struct tx_ctx *, uint32_t port_no);

#endif
