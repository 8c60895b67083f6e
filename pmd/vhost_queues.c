/* vhost_queues: a vhost-user guest's enabled queues from net_vhost's
 * events. */
#include "pmd/vhost_queues.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_eth_vhost.h>
#include <rte_ethdev.h>

#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(vhost_queues);

/* Applies the pending queue events (the caller holds the mutex). */
static void
drain_events(struct vhost_queues *vq)
{
    struct rte_eth_vhost_queue_event ev;
    while (!rte_eth_vhost_get_queue_event(vq->port_id, &ev)) {
        if (ev.queue_id >= VHOST_QUEUES_MAX) {
            continue;       /* More than any port of ours has. */
        }
        uint64_t *mask = ev.rx ? &vq->rx_enabled : &vq->tx_enabled;
        uint64_t bit = UINT64_C(1) << ev.queue_id;
        *mask = ev.enable ? *mask | bit : *mask & ~bit;
    }
}

/* rte_vhost's thread: a vring changed, or the guest came or went.  When
 * it goes, net_vhost forgets its vrings' states (no disable event comes
 * for them): so does this. */
static int
on_event(uint16_t port_id, enum rte_eth_event_type type, void *vq_,
         void *ret_param)
{
    struct vhost_queues *vq = vq_;
    (void) port_id;
    (void) ret_param;
    pthread_mutex_lock(&vq->mutex);
    if (type == RTE_ETH_EVENT_INTR_LSC) {
        struct rte_eth_link link;
        memset(&link, 0, sizeof link);
        rte_eth_link_get_nowait(vq->port_id, &link);
        if (link.link_status != RTE_ETH_LINK_UP) {
            vq->rx_enabled = vq->tx_enabled = 0;
        }
    }
    drain_events(vq);
    vq->generation++;
    pthread_mutex_unlock(&vq->mutex);
    return 0;
}

static const enum rte_eth_event_type events[] = {
    RTE_ETH_EVENT_QUEUE_STATE, RTE_ETH_EVENT_INTR_LSC,
};
#define N_EVENTS (sizeof events / sizeof events[0])

int
vhost_queues_start(struct vhost_queues *vq, uint16_t port_id)
{
    memset(vq, 0, sizeof *vq);
    vq->port_id = port_id;
    pthread_mutex_init(&vq->mutex, NULL);
    for (size_t i = 0; i < N_EVENTS; i++) {
        int error = rte_eth_dev_callback_register(port_id, events[i],
                                                  on_event, vq);
        if (error) {
            while (i-- > 0) {
                rte_eth_dev_callback_unregister(port_id, events[i], on_event,
                                                vq);
            }
            pthread_mutex_destroy(&vq->mutex);
            return error;
        }
    }
    vq->registered = true;
    on_event(port_id, RTE_ETH_EVENT_INTR_LSC, vq, NULL);
    return 0;
}

void
vhost_queues_stop(struct vhost_queues *vq)
{
    if (!vq->registered) {
        return;
    }
    for (size_t i = 0; i < N_EVENTS; i++) {
        int error;
        /* -EAGAIN: the handler runs now; it returns within microseconds
         * (it only takes the mutex, which nobody holds for long). */
        while ((error = rte_eth_dev_callback_unregister(
                    vq->port_id, events[i], on_event, vq)) == -EAGAIN) {
            usleep(100);
        }
        if (error) {
            VLOG_WARN("ethdev %u: cannot unregister a vhost event handler: "
                      "%s", vq->port_id, rte_strerror(-error));
        }
    }
    vq->registered = false;
    pthread_mutex_destroy(&vq->mutex);
}

uint64_t
vhost_queues_read(struct vhost_queues *vq, uint64_t *rx_enabled,
                  uint64_t *tx_enabled)
{
    pthread_mutex_lock(&vq->mutex);
    *rx_enabled = vq->rx_enabled;
    *tx_enabled = vq->tx_enabled;
    uint64_t gen = vq->generation;
    pthread_mutex_unlock(&vq->mutex);
    return gen;
}

void
vhost_txq_map(uint64_t enabled, uint16_t n_txq, int16_t *map)
{
    int16_t on[VHOST_QUEUES_MAX];
    unsigned int n_on = 0;
    for (uint16_t q = 0; q < n_txq && q < VHOST_QUEUES_MAX; q++) {
        if ((enabled >> q) & 1) {
            on[n_on++] = (int16_t) q;
        }
    }
    unsigned int next = 0;
    for (uint16_t q = 0; q < n_txq; q++) {
        if (!n_on) {
            map[q] = -1;
        } else if (q < VHOST_QUEUES_MAX && ((enabled >> q) & 1)) {
            map[q] = (int16_t) q;
        } else {
            map[q] = on[next++ % n_on];
        }
    }
}
