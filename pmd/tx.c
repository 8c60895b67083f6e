/* tx: per-thread transmit buffering and bursts. */
#include "pmd/tx.h"

#include <string.h>

#include <rte_ethdev.h>

#include "pmd/dp_private.h"
#include "pmd/port.h"
#include "pmd/shared.h"

void
tx_ctx_init(struct tx_ctx *tx, struct dp *dp, uint16_t slot)
{
    memset(tx, 0, sizeof *tx);
    tx->dp = dp;
    tx->slot = slot;
}

/* Drops the packets longer than 'max_frame' (counted), keeping the order
 * of the rest.  Returns how many are left. */
static uint16_t
tx_drop_long(struct tx_port_stats *s, uint32_t max_frame,
             struct rte_mbuf **pkts, uint16_t n)
{
    uint16_t kept = 0;
    for (uint16_t i = 0; i < n; i++) {
        if (likely(rte_pktmbuf_pkt_len(pkts[i]) <= max_frame)) {
            pkts[kept++] = pkts[i];
        } else {
            rte_pktmbuf_free(pkts[i]);
        }
    }
    if (unlikely(kept < n)) {
        SHARED_COUNT(s->mtu_dropped, n - kept);
        SHARED_COUNT(s->dropped, n - kept);
    }
    return kept;
}

/* Sends 'n' packets to 'port_no' (the array is the caller's). */
static void
tx_send_pkts(struct tx_ctx *tx, uint32_t port_no, struct rte_mbuf **pkts,
             uint16_t n)
{
    struct port *port = SHARED_ACQUIRE(tx->dp->ports[port_no]);
    uint16_t sent;

    if (unlikely(!port)) {
        SHARED_COUNT(tx->no_port, n);
        rte_pktmbuf_free_bulk(pkts, n);
        return;
    }
    struct tx_port_stats *s = &tx->stats[port_no];
    /* Acquire: the queue count, map and locks read below are the ones the
     * control thread set before it let senders in again. */
    if (unlikely(SHARED_ACQUIRE(port->tx_off))) {
        SHARED_COUNT(s->dropped, n);
        rte_pktmbuf_free_bulk(pkts, n);
        return;
    }
    uint16_t qid = tx->slot % port->n_txq;
    bool shared;
    if (port->txq_map) {
        /* vhost-user: only to a vring the guest reads. */
        int16_t q = SHARED_READ(port->txq_map[qid]);
        if (unlikely(q < 0)) {
            SHARED_COUNT(s->dropped, n);
            rte_pktmbuf_free_bulk(pkts, n);
            return;
        }
        qid = (uint16_t) q;
        shared = true;
    } else {
        shared = SHARED_READ(port->txq_shared);
    }
    if (port->max_frame) {
        n = tx_drop_long(s, port->max_frame, pkts, n);
        if (unlikely(!n)) {
            return;
        }
    }
    if (shared) {
        rte_spinlock_lock(&port->txq_locks[qid]);
    }
    sent = rte_eth_tx_burst(port->port_id, qid, pkts, n);
    if (unlikely(sent < n)) {
        /* A guest slow to take its ring: try the rest again a few times
         * (tx_retries), no waiting in between. */
        for (uint16_t r = SHARED_READ(port->tx_retries); r && sent < n;
             r--) {
            SHARED_COUNT(s->retries, 1);
            sent += rte_eth_tx_burst(port->port_id, qid, pkts + sent,
                                     n - sent);
        }
    }
    if (shared) {
        rte_spinlock_unlock(&port->txq_locks[qid]);
    }
    SHARED_COUNT(s->packets, sent);
    if (unlikely(sent < n)) {
        SHARED_COUNT(s->dropped, n - sent);
        SHARED_COUNT(s->failed, n - sent);
        SHARED_COUNT(s->short_bursts, 1);
        rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
    }
}

static void
tx_send(struct tx_ctx *tx, uint32_t port_no, struct tx_buf *b)
{
    uint16_t n = b->n;

    b->n = 0;
    tx_send_pkts(tx, port_no, b->pkts, n);
}

void
tx_enqueue(struct tx_ctx *tx, uint32_t port_no, struct rte_mbuf **pkts,
           uint32_t n)
{
    if (unlikely(port_no >= DP_MAX_PORTS)) {
        SHARED_COUNT(tx->no_port, n);
        rte_pktmbuf_free_bulk(pkts, n);
        return;
    }
    struct tx_buf *b = &tx->bufs[port_no];
    /* Half a burst or more with nothing buffered goes out at once from
     * the caller's array: no copy, and at most one tx call more than if
     * packets of another queue had joined it before the flush. */
    if (!b->n && n >= TX_BURST / 2 && n <= TX_BURST) {
        tx_send_pkts(tx, port_no, pkts, (uint16_t) n);
        return;
    }
    while (n) {
        if (!b->listed) {
            b->listed = true;
            tx->dirty[tx->n_dirty++] = (uint16_t) port_no;
        }
        uint32_t room = TX_BURST - b->n;
        uint32_t k = n < room ? n : room;
        memcpy(&b->pkts[b->n], pkts, k * sizeof *pkts);
        b->n += (uint16_t) k;
        pkts += k;
        n -= k;
        if (b->n == TX_BURST) {
            tx_send(tx, port_no, b);     /* Stays listed, empty. */
        }
    }
}

void
tx_flush(struct tx_ctx *tx)
{
    for (uint16_t i = 0; i < tx->n_dirty; i++) {
        uint32_t port_no = tx->dirty[i];
        struct tx_buf *b = &tx->bufs[port_no];
        b->listed = false;
        if (b->n) {
            tx_send(tx, port_no, b);
        }
    }
    tx->n_dirty = 0;
}

void
tx_forget_port(struct tx_ctx *tx, uint32_t port_no)
{
    if (port_no >= DP_MAX_PORTS) {
        return;
    }
    struct tx_buf *b = &tx->bufs[port_no];
    if (b->n) {
        rte_pktmbuf_free_bulk(b->pkts, b->n);
        b->n = 0;
    }
    /* Keep the thread's total right when the port's counters go. */
    SHARED_COUNT(tx->retired_packets, tx->stats[port_no].packets);
    memset(&tx->stats[port_no], 0, sizeof tx->stats[port_no]);
}
