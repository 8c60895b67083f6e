/* port: a DPDK ethdev as a datapath port.
 *
 * Opens any ethdev by devargs (vdevs such as net_null, net_ring, net_pcap,
 * net_tap, net_af_packet are hot-plugged; a PCI address or an already
 * probed device name is used as it is), configures its rx/tx queues,
 * descriptors, MTU and a mempool sized for them, starts it, reports link
 * state and counters, reconfigures queues, descriptors and MTU of a
 * stopped port, sets the link administratively up or down, and closes it
 * again.  Runs in the control thread only; PMD threads use the fields below
 * but never call these functions. */
#ifndef SLUICE_PORT_H
#define SLUICE_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_spinlock.h>

#include "pmd/devres.h"
#include "pmd/vhost_queues.h"
#include "pmd/vhost_status.h"

struct dp_actions;
struct dstr;

#define PORT_NAME_MAX 64

#define PORT_TX_RETRIES_MAX 32
/* Smallest mbuf_size: the headroom and a minimal frame. */
#define PORT_MBUF_SIZE_MIN (RTE_PKTMBUF_HEADROOM + 64)

struct port_config {
    const char *name;
    const char *devargs;
    uint16_t n_rxq;         /* 0: 1. */
    uint16_t n_rxq_desc;    /* 0: 1024. */
    uint16_t n_txq_desc;    /* 0: 1024. */
    uint16_t mtu;           /* 0: device default. */
    uint32_t n_mbuf;        /* 0: sized from the queues. */
    uint16_t mbuf_size;     /* Data room incl. headroom; 0: default. */
    uint16_t tx_retries;    /* Bursts tried again when the device took
                             * only part (0..PORT_TX_RETRIES_MAX; as
                             * Open vSwitch's vhost tx-retries).  Changed
                             * without restarting the device. */
};

/* Parses "KEY=VALUE" words (n_rxq, n_rxq_desc, n_txq_desc, mtu, n_mbuf,
 * mbuf_size) into 'cfg'.  Returns 0 or -EINVAL with a message in 'err'. */
int port_config_parse_option(struct port_config *, const char *word,
                             struct dstr *err);

/* Thread-safety: the control thread writes everything; sending threads
 * read the device fields (port_id, n_txq, txq_locks, txq_map, max_frame)
 * of a port they found in dp->ports[] (published with release), 'tx_off'
 * with SHARED_ACQUIRE (the settings it guards were written before it was
 * cleared), 'txq_shared' and the entries of 'txq_map' with SHARED_READ;
 * PMDs read nothing under "Control thread only".  A port is freed only
 * after every PMD has moved past its removal (reclaim.h). */
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
    rte_spinlock_t *txq_locks;  /* One per txq. */
    bool txq_shared;            /* Senders take txq_locks. */
    uint16_t tx_retries;        /* SHARED_SET; cfg.tx_retries. */
    /* Senders drop what they have for the port instead of sending it
     * (counted as tx drops): admin down, being reconfigured, or left down
     * by a failed reconfiguration. */
    bool tx_off;
    /* vhost-user ports (NULL otherwise): the tx queue each sender uses,
     * indexed by slot % n_txq, -1 for none (the packets are dropped);
     * n_txq entries, each changed with SHARED_SET as the guest enables
     * and disables its vrings (vhost_queues.h).  Senders then always take
     * the queue's lock: two may be mapped to one queue. */
    int16_t *txq_map;
    /* Frames longer than this are dropped before the device sees them
     * (counted as MTU drops); 0: no check.  vhost-user ports: the MTU
     * plus the Ethernet header and CRC, as Open vSwitch's
     * ovs_tx_mtu_exceeded_drops. */
    uint32_t max_frame;

    /* Control thread only. */
    struct devres res;          /* What the probe made (freed at close). */
    struct port_config cfg;     /* As asked for (0: default); no strings. */
    bool admin_down;
    bool failed;                /* Device stopped after a failed change. */
    char *error;                /* Why 'failed', or NULL. */
    bool link_up;               /* Last state seen by port_poll_link(). */
    uint64_t link_resets;       /* Link state changes seen. */
    /* vhost-user ports (else NULL): the guest's queues, and what of them
     * the datapath applied (dp_poll_vhost). */
    struct vhost_queues *vhost;
    uint64_t vhost_gen;         /* vhost_queues generation applied. */
    uint64_t rxq_enabled;       /* vhost-user: rx queues to poll. */
};

/* Whether rx queue 'q' of 'port' is to be polled: for a vhost-user port,
 * whether the guest has enabled it. */
bool port_rxq_wanted(const struct port *, uint16_t q);

/* Opens and starts a port for 'n_tx_threads' sending threads.  On error
 * returns a negative errno with a message in 'err'. */
int port_open(const struct port_config *, uint32_t port_no,
              unsigned int n_tx_threads, struct port **, struct dstr *err);
/* Applies 'cfg' (n_rxq, n_rxq_desc, n_txq_desc, mtu, n_mbuf, mbuf_size;
 * 0 meaning the default as for port_open) to an open port that nobody
 * polls or sends to.  What the device cannot do (too many rx queues, MTU
 * out of its range) is refused before the device is touched.  Otherwise
 * stops the device, configures it, starts it again; if the driver cannot
 * set up its queues again (net_pcap replaying a file closes it when
 * stopped), a device we probed is closed and probed again from its
 * devargs (its counters then restart from 0) and the ethdev port id may
 * change.  Mempools no longer used come back in 'garbage' (at most
 * PORT_MAX_GARBAGE, '*n_garbage' of them) for the caller to free once
 * their mbufs are back.  On failure returns a negative errno with a
 * message in 'err' and restores the previous configuration; if that
 * fails too, the port is left stopped with 'failed' set. */
#define PORT_MAX_GARBAGE 6
int port_reconfigure(struct port *, const struct port_config *cfg,
                     unsigned int n_tx_threads, struct rte_mempool **garbage,
                     unsigned int *n_garbage, struct dstr *err);
/* True if 'cfg' asks for something other than what the port has. */
bool port_config_differs(const struct port *, const struct port_config *);

/* Sets the link administratively up or down (rte_eth_dev_set_link_up /
 * _down; devices that cannot are only marked).  Returns 0 or a negative
 * errno with a message in 'err'. */
int port_set_admin(struct port *, bool up, struct dstr *err);

/* Reads the link state; counts a change in 'link_resets'.  Returns true
 * if the state changed. */
bool port_poll_link(struct port *);

/* Stops and closes the device.  The mempool is returned through *mp for
 * the caller to free once every mbuf has come back. */
void port_close(struct port *, struct rte_mempool **mp);

struct port_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors, rx_nombuf;
    uint64_t rx_missed;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
    uint64_t tx_short_bursts;
    uint64_t tx_retries;            /* Bursts tried again. */
    uint64_t tx_failure_drops;      /* Refused by the device. */
    uint64_t tx_mtu_drops;          /* Longer than the port's MTU. */
};

/* Device counters (tx_dropped and short bursts are added by the caller
 * from the threads' tx contexts). */
void port_get_stats(const struct port *, struct port_stats *);
/* Link: up/down and speed in Mbps. */
void port_get_link(const struct port *, bool *up, uint32_t *speed);

/* What the reconciler writes back to the database for a port. */
struct port_status {
    bool admin_up;
    bool failed;                /* A failed reconfiguration left it down. */
    char error[160];            /* Why 'failed', else "". */
    bool link_up;
    uint32_t speed_mbps;        /* 0: unknown. */
    bool full_duplex;
    bool autoneg;
    uint64_t link_resets;       /* Link state changes seen. */
    uint16_t mtu;
    uint8_t mac[6];
    char driver[32];
    uint16_t n_rxq, n_txq, n_rxq_desc, n_txq_desc;
    bool txq_shared;
    struct port_stats stats;
    /* vhost-user (driver net_vhost): its socket, who is the server, and
     * what its guest negotiated. */
    char vhost_socket[108];         /* "" for other drivers. */
    bool vhost_client;
    struct vhost_status vhost;
};

/* Fills everything but the counters' thread-side parts (tx_dropped and
 * tx_short_bursts, which the datapath adds) and polls the link. */
void port_get_status(struct port *, struct port_status *);

#endif
