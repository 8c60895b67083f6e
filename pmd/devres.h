/* devres: what DPDK drivers take and leave behind, for pmd/port.
 *
 * DPDK 22.11 drivers disagree about who frees a device's memory when it
 * closes, and rte_eth_dev_close() frees only ethdev's own queue arrays
 * (it never calls the drivers' queue release):
 *  - net_null allocates one 'size'-byte buffer per rx and per tx queue at
 *    queue set-up and frees it only in its queue release, so every close
 *    leaked (rx + tx queues) x size bytes of DPDK memory;
 *  - net_ring creates 16 rings (memzones) at probe and frees at close only
 *    those of the queues configured, so every close leaked 15 memzones
 *    (16 per device name; mbufs left in them also kept their mempool
 *    from ever being freed);
 *  - net_pcap (infinite_rx) and net_ring free by the number of queues
 *    configured at close: queues must not be released before closing them.
 * This module records the rings a probe creates and frees those still
 * there once the device is removed, releases the queues of the drivers
 * that free queue memory only there, drains a device's rx queues before
 * it stops, and refuses device arguments that would make a driver take
 * unbounded memory (net_null's 'size').  Control thread only. */
#ifndef SLUICE_DEVRES_H
#define SLUICE_DEVRES_H

#include <stdint.h>

struct dstr;

/* Names of the rings a probe created. */
struct devres {
    char (*rings)[32];
    unsigned int n_rings;
};

/* Refuses devargs that ask a driver for more than a port can use:
 * net_null's "size" (bytes of every packet it makes and copies) must fit
 * in the port's mbuf data room 'data_room'.  Returns 0 or -EINVAL with a
 * message in 'err'. */
int devres_check_devargs(const char *devargs, uint32_t data_room,
                         struct dstr *err);

/* Probes 'devargs' (rte_dev_probe()) and records in 'res' the rings the
 * driver created meanwhile.  Returns rte_dev_probe()'s result. */
int devres_probe(const char *devargs, struct devres *res);

/* Receives and frees what the stopped or started device 'port_id' still
 * holds in its 'n_rxq' rx queues (a ring device keeps what was sent to
 * it), at most a bounded number of packets per queue.  Call only while
 * nobody else polls the queues.  Returns the number of packets freed. */
unsigned int devres_drain_rxqs(uint16_t port_id, uint16_t n_rxq);

/* Before rte_eth_dev_close() of a stopped device: releases its queues if
 * its driver frees queue memory only on release. */
void devres_before_close(uint16_t port_id);

/* After the device was closed and removed: frees the rings its probe
 * created that are still there, and forgets them. */
void devres_after_remove(struct devres *, const char *dev_name);

#endif
