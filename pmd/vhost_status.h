/* vhost_status: what a vhost-user port's guest negotiated (features,
 * vrings and their sizes, NUMA node), read from rte_vhost by the port's
 * socket path, for Interface.status as Open vSwitch writes it; and
 * rte_vhost's counters of each vring, for Interface.statistics.  Control
 * thread only. */
#ifndef SLUICE_VHOST_STATUS_H
#define SLUICE_VHOST_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#define VHOST_STATUS_MAX_VRINGS 128

struct vhost_status {
    bool connected;             /* A guest is on the socket. */
    uint64_t features;          /* Negotiated virtio features. */
    unsigned int n_vrings;
    int numa;                   /* -1: unknown. */
    uint16_t vring_size[VHOST_STATUS_MAX_VRINGS];
};

/* Fills 'st' for the vhost-user device on 'socket_path' ('connected' is
 * false if no guest is attached). */
void vhost_status_get(const char *socket_path, struct vhost_status *st);

/* Calls fn(aux, name, value) for every counter rte_vhost keeps for the
 * vrings of the guest on net_vhost ethdev 'port_id': those of rx queues 0
 * to n_rxq - 1 (the guest's tx vrings), then of tx queues 0 to n_txq - 1,
 * as far as the guest has them, named as rte_vhost (and Open vSwitch)
 * name them: "rx_q0_good_packets", "tx_q1_size_64_packets", ...  Returns
 * false (calling nothing) if no guest is attached. */
typedef void vhost_stat_cb(void *aux, const char *name, uint64_t value);
bool vhost_stats_foreach(uint16_t port_id, uint16_t n_rxq, uint16_t n_txq,
                         vhost_stat_cb *fn, void *aux);

#endif
