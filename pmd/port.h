/* port: a DPDK ethdev as a datapath port.
 *
 * Opens any ethdev by devargs (vdevs such as net_null, net_ring, net_pcap,
 * net_tap, net_af_packet are hot-plugged; a PCI address or an already
 * probed device name is used as it is), configures its rx/tx queues,
 * descriptors, MTU and a mempool sized for them, starts it, reports link
 * state and counters, and closes it again.  Runs in the control thread
 * only; PMD threads use the fields below but never call these functions. */
#ifndef SLUICE_PORT_H
#define SLUICE_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_spinlock.h>

struct dp_actions;
struct dstr;

#define PORT_NAME_MAX 64

struct port_config {
    const char *name;
    const char *devargs;
    uint16_t n_rxq;         /* 0: 1. */
    uint16_t n_rxq_desc;    /* 0: 1024. */
    uint16_t n_txq_desc;    /* 0: 1024. */
    uint16_t mtu;           /* 0: device default. */
    uint32_t n_mbuf;        /* 0: sized from the queues. */
    uint16_t mbuf_size;     /* Data room incl. headroom; 0: default. */
};

/* Parses "KEY=VALUE" words (n_rxq, n_rxq_desc, n_txq_desc, mtu, n_mbuf,
 * mbuf_size) into 'cfg'.  Returns 0 or -EINVAL with a message in 'err'. */
int port_config_parse_option(struct port_config *, const char *word,
                             struct dstr *err);

struct port {
    char name[PORT_NAME_MAX];
    char *devargs;
    uint32_t port_no;           /* Datapath port number. */
    uint16_t port_id;           /* DPDK ethdev port id. */
    bool hotplugged;            /* We probed it: detach on close. */
    uint16_t n_rxq, n_txq;
    uint16_t n_rxq_desc, n_txq_desc;
    uint16_t mtu;
    int socket_id;
    struct rte_mempool *mp;
    rte_spinlock_t *txq_locks;  /* One per txq when threads share. */
    bool txq_shared;
};

/* Opens and starts a port for 'n_tx_threads' sending threads.  On error
 * returns a negative errno with a message in 'err'. */
int port_open(const struct port_config *, uint32_t port_no,
              unsigned int n_tx_threads, struct port **, struct dstr *err);
/* Stops and closes the device.  The mempool is returned through *mp for
 * the caller to free once every mbuf has come back. */
void port_close(struct port *, struct rte_mempool **mp);

struct port_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors, rx_nombuf;
    uint64_t rx_missed;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
    uint64_t tx_short_bursts;
};

/* Device counters (tx_dropped and short bursts are added by the caller
 * from the threads' tx contexts). */
void port_get_stats(const struct port *, struct port_stats *);
/* Link: up/down and speed in Mbps. */
void port_get_link(const struct port *, bool *up, uint32_t *speed);

#endif
