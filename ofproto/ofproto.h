/* ofproto: the OpenFlow switch of each bridge - its flow tables
 * (of_table), ports in OpenFlow's numbering, connections (ofconn: the
 * management socket RUN_DIR/BRIDGE.mgmt, controllers), the messages they
 * exchange, and the pipeline as the bridges' translation provider
 * (of_xlate).
 *
 * The bridge reconciler (src/bridge.c) creates one per Bridge row, tells
 * it its ports, datapath id, fail mode and connection targets, and reads
 * back the controllers' status.  A new switch has one rule, priority 0
 * actions=NORMAL, unless its fail mode is secure (as Open vSwitch).
 * Control thread only. */
#ifndef SLUICE_OFPROTO_H
#define SLUICE_OFPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dp;
struct dstr;
struct loop;
struct ofconn_target;
struct ofconn_target_status;
struct ofproto;
struct stream_ssl_ctx;

/* A port without a datapath port (a patch port). */
#define OFPROTO_NO_DP_PORT UINT32_MAX

/* Registers the translation provider and the packet-in path; 'dp' is the
 * datapath that packet-outs are sent through. */
int ofproto_init(struct loop *, struct dp *);
void ofproto_exit(void);

struct ofproto *ofproto_create(const char *name, bool fail_secure);
void ofproto_destroy(struct ofproto *);
const char *ofproto_name(const struct ofproto *);

void ofproto_set_dpid(struct ofproto *, uint64_t dpid);
/* Fail mode: secure switches never add rules of their own.  A change
 * flushes every rule (and a standalone switch gets its NORMAL rule back),
 * as Open vSwitch does for a bridge without controllers. */
void ofproto_set_fail_secure(struct ofproto *, bool secure);

struct ofproto_port_cfg {
    uint32_t ofp_port;              /* OpenFlow 1.0 numbering as OVSDB
                                     * writes it (LOCAL = 65534). */
    uint32_t dp_port;               /* OFPROTO_NO_DP_PORT: patch. */
    const char *name;
    const char *peer;               /* Patch: the peer interface. */
    uint8_t mac[6];
    bool link_up;
    uint32_t speed_mbps;            /* 0: not known. */
};

/* Makes the ports exactly 'ports'; ports that come, go or change (link
 * state) are announced to the connections (port-status).  Port config set
 * by port-mod is kept for ports that stay.  Returns true if anything
 * changed (the caller revalidates). */
bool ofproto_set_ports(struct ofproto *, const struct ofproto_port_cfg *,
                       size_t n);

/* Table 'table_id' (Open vSwitch's Flow_Table row for it): the fields
 * its classifier keeps prefix tries for ('prefixes': "ip_src"/"nw_src",
 * "ip_dst"/"nw_dst", or "none"; NULL or none given: both, the default),
 * and its rule limit ('flow_limit' < 0: none).  IPv6 fields are logged
 * as not supported and left out.  A change revalidates. */
void ofproto_set_table(struct ofproto *, uint8_t table_id,
                       const char *const *prefixes, size_t n_prefixes,
                       int64_t flow_limit);

/* Connection targets (ofconn.h); 'err' gets what could not be set up. */
int ofproto_set_targets(struct ofproto *, const struct ofconn_target *,
                        size_t n, struct stream_ssl_ctx *, struct dstr *err);
/* The OpenFlow versions its connections may use (ofconn_mgr_set_versions:
 * bitmap of OFP_VERSION_BIT(), 0: all that Sluice speaks). */
void ofproto_set_versions(struct ofproto *, uint32_t versions);
bool ofproto_target_status(const struct ofproto *, const char *target,
                           struct ofconn_target_status *);

/* NORMAL's MAC learning: aging time in seconds and table size, forced
 * into Open vSwitch's ranges (mac_learning.h); entries that go revalidate
 * the megaflows. */
void ofproto_set_mac_learning(struct ofproto *, unsigned int aging_s,
                              size_t size);

/* The tables' version (changes with every rule change and port change). */
uint64_t ofproto_version(const struct ofproto *);

/* The switch of bridge 'name', or NULL. */
struct ofproto *ofproto_lookup(const char *name);

#endif
