/* vhost_queues: which queues of a vhost-user port (a net_vhost ethdev)
 * the guest has enabled, and the tx queue map that follows from them.
 *
 * A guest enables and disables its vrings whenever it likes (a virtio
 * driver enables as many queue pairs as it uses; all go when it
 * disconnects).  net_vhost reports each change with an ethdev event
 * (RTE_ETH_EVENT_QUEUE_STATE, RTE_ETH_EVENT_INTR_LSC) on rte_vhost's own
 * thread; the handler here drains rte_eth_vhost_get_queue_event() there,
 * in the order the guest's messages came, into two masks and bumps a
 * generation number.  The control thread reads them (vhost_queues_read)
 * and applies them: rx queues the guest has not enabled are not polled,
 * and senders use the tx queue map (vhost_txq_map) so that no packet goes
 * to a vring the guest does not read. */
#ifndef SLUICE_VHOST_QUEUES_H
#define SLUICE_VHOST_QUEUES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Queues tracked per direction (bit q of a mask: queue q). */
#define VHOST_QUEUES_MAX 64

/* Thread-safety: 'rx_enabled', 'tx_enabled' and 'generation' are written
 * under 'mutex' by rte_vhost's event thread (the event handler) and by
 * the control thread (vhost_queues_start); the control thread reads them
 * under 'mutex'.  PMDs never touch this struct. */
struct vhost_queues {
    uint16_t port_id;
    bool registered;            /* Event handlers are in place. */
    pthread_mutex_t mutex;
    uint64_t rx_enabled;        /* Our rx queue q: the guest's tx vring. */
    uint64_t tx_enabled;        /* Our tx queue q: the guest's rx vring. */
    uint64_t generation;        /* Changes with every event. */
};

/* Starts tracking ethdev 'port_id' (a net_vhost device): registers the
 * event handlers and reads the events already pending.  Returns 0 or a
 * negative errno. */
int vhost_queues_start(struct vhost_queues *, uint16_t port_id);
/* Stops tracking (before the device is closed): unregisters the handlers,
 * waiting for one that is running to return. */
void vhost_queues_stop(struct vhost_queues *);
/* The current masks; returns their generation. */
uint64_t vhost_queues_read(struct vhost_queues *, uint64_t *rx_enabled,
                           uint64_t *tx_enabled);

/* Fills map[0..n_txq-1] from the enabled tx queues in 'enabled': an
 * enabled queue maps to itself, every other queue to an enabled one,
 * taken in turn (so that threads spread over what the guest reads); all
 * map to -1 (drop) if none of the first n_txq is enabled.  Pure. */
void vhost_txq_map(uint64_t enabled, uint16_t n_txq, int16_t *map);

#endif
