/* bridge_iface: what an Interface row becomes in the datapath.  Maps the
 * row's type and options to a device (devargs and queue settings for
 * dp_port_add) or to a patch port, which exists only in translation, and
 * says why a row cannot be created (unknown type, an Open vSwitch type
 * Sluice does not implement, missing or bad options).  Pure: no DPDK calls.
 *
 * Options read: n_rxq (1-64), n_rxq_desc and n_txq_desc (32-8192) as in
 * Open vSwitch; Sluice's own n_mbuf (1024-2^26 mbufs in the port's pool)
 * and mbuf_size (512-65535 bytes of data room); dpdk-devargs (type dpdk),
 * peer (type patch), vhost-server-path (type dpdkvhostuserclient),
 * tx-retries-max (vhost-user: 0-32, default 8 as in Open vSwitch; also
 * read as tx-retries; applied without restarting the port); the
 * mtu_request column (68-9710).
 *
 * vhost-user ports are DPDK's net_vhost devices (rte_vhost underneath):
 * dpdkvhostuser makes Sluice the socket's server, the socket named after
 * the interface in the vhost socket directory; dpdkvhostuserclient makes
 * it the client of the VM side's socket (options:vhost-server-path), and
 * rte_vhost connects again whenever that side comes back.  n_rxq is the
 * number of queue pairs Sluice can use (default VHOST_QUEUES_DEFAULT):
 * of those, the datapath polls and sends to the ones the guest enables
 * (pmd/vhost_queues.h), so a guest with fewer queue pairs needs no
 * configuration. */
#ifndef SLUICE_BRIDGE_IFACE_H
#define SLUICE_BRIDGE_IFACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmd/port.h"

/* Queue pairs of a vhost-user port without options:n_rxq. */
#define VHOST_QUEUES_DEFAULT 8

struct cfg_iface;
struct dstr;

enum iface_kind {
    IFACE_DEVICE,               /* A DPDK ethdev: a datapath port. */
    IFACE_PATCH,                /* One end of a patch between bridges. */
};

struct iface_plan {
    enum iface_kind kind;
    char *devargs;              /* IFACE_DEVICE: what dp_port_add gets. */
    struct port_config pc;      /* IFACE_DEVICE; pc.devargs = devargs,
                                 * pc.name = the interface's name. */
    char *peer;                 /* IFACE_PATCH: the peer interface. */
    char *vhost_socket;         /* vhost-user: the socket's path. */
    bool vhost_server;          /* ... and Sluice is its server. */
};

/* What plans depend on besides the row. */
struct iface_env {
    const char *vhost_sock_dir; /* Where dpdkvhostuser sockets are made. */
};

/* Builds the plan for 'ifc'.  'mac' (NULL: none) is the MAC a bridge's
 * own internal interface takes.  Returns 0, or -EINVAL/-EOPNOTSUPP with
 * the reason (for the Interface's "error" column) in 'err'.  Checks that
 * a vhost-user socket's directory exists (stat). */
int iface_plan_build(const struct cfg_iface *ifc, const uint8_t *mac,
                     const struct iface_env *, struct iface_plan *,
                     struct dstr *err);
void iface_plan_destroy(struct iface_plan *);

/* Whether 'a' and 'b' open the same device the same way, so a running
 * port can stay (only queue counts, descriptors, MTU or the MAC of a tap
 * may differ). */
bool iface_plan_same_device(const struct iface_plan *a,
                            const struct iface_plan *b);
/* Whether the queue settings, MTU or tx retries differ. */
bool iface_plan_same_queues(const struct iface_plan *a,
                            const struct iface_plan *b);

/* The interface types that work, for Open_vSwitch.iface_types. */
const char *const *iface_supported_types(size_t *n);

#endif
