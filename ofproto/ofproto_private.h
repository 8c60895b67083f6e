/* ofproto_private: what the modules of the OpenFlow switch share - one
 * switch per bridge (struct ofproto), its ports, and the registry that
 * finds a switch from a datapath port.  Included only by ofproto/ofproto*.c,
 * ofproto/of_xlate.c, ofproto/of_normal.c and ofproto/fdb_ctl.c; everyone
 * else uses ofproto/ofproto.h.  Control thread only. */
#ifndef SLUICE_OFPROTO_PRIVATE_H
#define SLUICE_OFPROTO_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofproto/of_table.h"
#include "ofproto/ofp_ctrl.h"
#include "ofproto/ofproto.h"

struct mac_learning;
struct ofconn;
struct ofconn_mgr;

/* Tables controllers see and write: 0-253, as in Open vSwitch, whose
 * table 254 is its own (flow_mods to it: OFPBRC_EPERM). */
#define OFPROTO_N_TABLES 254

/* OpenFlow 1.0's "no flood" port config bit (OpenFlow 1.3 has none; a
 * port-mod of either version may set it, as in Open vSwitch). */
#define OFPPC10_NO_FLOOD (1u << 4)

struct ofport {
    struct ofp_port desc;           /* Number (32-bit), name, MAC, config,
                                     * state, features. */
    uint32_t dp_port;               /* OFPROTO_NO_DP_PORT: a patch port. */
    char *peer;                     /* Patch: the peer interface's name. */
};

struct ofproto {
    char *name;
    uint64_t dpid;
    bool fail_secure;
    struct of_tables tables;
    struct ofport *ports;           /* By increasing number. */
    size_t n_ports;
    struct ofconn_mgr *mgr;
    unsigned int n_miss_conns;      /* Connections that want packet-ins
                                     * for table misses. */
    unsigned int n_async_conns;     /* Connections that take asynchronous
                                     * messages at all. */
    /* Fail-open (standalone switches with controllers): while no
     * controller has been connected for 'fail_open_after_ms', every
     * packet goes to NORMAL. */
    unsigned int n_primary_conns;   /* Controllers connected. */
    bool has_controllers;           /* Any controller target. */
    uint64_t fail_open_after_ms;
    uint64_t last_primary_ms;       /* A controller was last connected. */
    bool fail_open;
    uint64_t port_version;          /* Bumped when ports change. */
    bool have_gen_id;               /* A master/slave role request set */
    uint64_t gen_id;                /* the generation id (OF1.3 6.3.7). */
    struct mac_learning *ml;        /* NORMAL's table (NULL: out of
                                     * memory: NORMAL floods). */
    struct ofproto *next;           /* In the registry. */
};

/* The registry. */
struct ofproto *ofproto_first(void);
/* The switch and OpenFlow port of datapath port 'dp_port', or NULL. */
struct ofproto *ofproto_from_dp_port(uint32_t dp_port, uint32_t *ofp_port);
/* The switch with a (patch) port named 'name', and that port. */
struct ofproto *ofproto_from_port_name(const char *name,
                                       struct ofport **);

struct ofport *ofproto_port(const struct ofproto *, uint32_t ofp_port);

/* A packet for the controllers: 'reason', the table and the cookie of the
 * rule (all ones: none), the OpenFlow in_port, and how much of the frame to
 * send ('max_len'; OFPCML_NO_BUFFER, 0xffff: all of it).  'miss': a table
 * miss without a rule, for which each connection's miss_send_len applies
 * and OpenFlow 1.3 connections get nothing.  ofproto.c sends it to the
 * connections that want it. */
struct ofproto_pin {
    uint8_t reason;                 /* OFPR_*. */
    uint8_t table_id;
    uint16_t max_len;
    uint32_t in_port;
    bool miss;
    uint64_t cookie;
};

void ofproto_send_packet_in(struct ofproto *, const struct ofproto_pin *,
                            const uint8_t *frame, size_t len);

/* Translation changed (rules, ports, connections): megaflows are
 * revalidated once in the next loop iteration ('p' may be NULL). */
void ofproto_changed(struct ofproto *);
/* The same for a change to one table (OFPTT_ALL: any), or to what
 * translations tagged with 'tags' (xlate.h) depended on. */
void ofproto_changed_table(struct ofproto *, uint8_t table_id);
void ofproto_changed_tags(struct ofproto *, uint64_t tags);
/* Connections changed what they want (set_config, roles, async). */
void ofproto_conns_changed(struct ofproto *);
/* The datapath given to ofproto_init(). */
struct dp *ofproto_dp(void);

/* Whether 'c' takes asynchronous message 'type' (0 packet-in, 1
 * port-status, 2 flow-removed) for 'reason' (its role and async config;
 * a service connection only once it set a miss_send_len). */
bool ofproto_conn_wants(struct ofconn *, int type, unsigned int reason);
/* The statistics/flow-removed format 'c' reads. */
enum ofp_stats_format ofproto_conn_stats_format(struct ofconn *);

/* Sends flow-removed for the rules of 'removed' that asked for it and
 * frees them (the list is emptied). */
void ofproto_rules_removed(struct ofproto *, struct of_rule_list *removed,
                           uint64_t now_ms);
void ofproto_port_status(struct ofproto *, enum ofp_port_reason,
                         const struct ofp_port *);

/* One request from 'c' (ofproto_handle.c). */
void ofproto_handle(struct ofproto *, struct ofconn *, const uint8_t *msg,
                    size_t len);

/* Whether any connection wants packet-ins for table misses. */
static inline bool
ofproto_wants_miss(const struct ofproto *p)
{
    return p->n_miss_conns > 0;
}

#endif
