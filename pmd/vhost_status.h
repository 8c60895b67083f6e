/* vhost_status: what a vhost-user port's guest negotiated (features,
 * vrings and their sizes, NUMA node), read from rte_vhost by the port's
 * socket path, for Interface.status as Open vSwitch writes it.  Control
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

#endif
