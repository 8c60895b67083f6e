/* bridge_ofproto: the OpenFlow switch (ofproto/ofproto.h) of each Bridge
 * row, kept in step with the reconciler's passes: one per bridge, created
 * when the row comes (with its NORMAL rule unless fail_mode is secure) and
 * destroyed when it goes, its datapath id, fail mode, ports (OpenFlow
 * numbers from Interface.ofport, MAC, link state, patch peers), its
 * management socket RUN_DIR/BRIDGE.mgmt, where ovs-ofctl connects, and its
 * controllers (Controller rows: target, max_backoff, default 8 s, and
 * inactivity_probe, default 5 s; 0 disables it), whose state goes back to
 * the Controller rows (a controller that cannot be set up, such as ssl:
 * without an SSL row, has its reason as last_error), TLS for ssl: and
 * pssl: controllers from the SSL row (the context that ovsdb_managers
 * builds for the OVSDB managers), and NORMAL's MAC learning (other_config
 * mac-aging-time and mac-table-size), and the OpenFlow versions its
 * connections may negotiate (Bridge protocols; empty: 1.0 and 1.3, all
 * that Sluice speaks; versions it does not speak are left out, with a
 * warning). */
#ifndef SLUICE_BRIDGE_OFPROTO_H
#define SLUICE_BRIDGE_OFPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ofproto/ofproto.h"
#include "src/bridge_cfg.h"

struct bridge_ofproto_cfg {
    const char *name;
    uint64_t dpid;
    bool fail_secure;
    uint32_t protocols;             /* Bridge protocols (bridge_cfg.h). */
    struct ofproto_port_cfg *ports;
    size_t n_ports;
    const struct cfg_controller *controllers;
    size_t n_controllers;
    unsigned int mac_aging_s;       /* other_config:mac-aging-time. */
    size_t mac_table_size;          /* other_config:mac-table-size. */
    const struct cfg_flow_table *flow_tables;
    size_t n_flow_tables;
};

/* Makes the switches exactly the bridges of 'cfgs'.  Management sockets go
 * in 'run_dir'; 'ssl' (NULL: none) serves ssl: and pssl: controllers and
 * must stay alive until a later call passes another. */
void bridge_ofproto_sync(const struct bridge_ofproto_cfg *cfgs, size_t n,
                         const char *run_dir, struct stream_ssl_ctx *ssl);
/* The status columns of the Controller row with 'target' of 'bridge'
 * (is_connected, role, status), or NULL if there is no such switch or
 * target. */
json_t *bridge_ofproto_controller_status(const char *bridge,
                                         const char *target);

/* Destroys every switch. */
void bridge_ofproto_stop(void);

#endif
