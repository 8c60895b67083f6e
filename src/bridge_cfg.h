/* bridge_cfg: the switch configuration the Open_vSwitch database asks
 * for, read from the committed rows into plain structs (a snapshot the
 * reconciler compares with what runs).  Only what reaches a root: the
 * Open_vSwitch row's bridges, their ports, the ports' interfaces.  The
 * snapshot owns copies of every string; nothing points into the
 * database, so it stays valid across transactions. */
#ifndef SLUICE_BRIDGE_CFG_H
#define SLUICE_BRIDGE_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ovsdb/uuid.h"

struct ovsdb_db;
struct ovsdb_row;
struct ovsdb_datum;

/* A string-to-string map column (options, other_config, ...). */
struct cfg_smap {
    size_t n;
    char **keys;
    char **values;
};

const char *cfg_smap_get(const struct cfg_smap *, const char *key);

struct cfg_iface {
    struct ovsdb_uuid uuid;
    char *name;
    char *type;                 /* "" for a kernel interface. */
    struct cfg_smap options;
    struct cfg_smap other_config;
    int64_t ofport_request;     /* -1: none. */
    int64_t ofport;             /* Stored from an earlier run; -1: none. */
    int64_t mtu_request;        /* 0: none. */
    char *mac;                  /* Requested MAC ("mac" column) or NULL. */
};

struct cfg_port {
    struct ovsdb_uuid uuid;
    char *name;
    struct cfg_iface *ifaces;
    size_t n_ifaces;
    int64_t tag;                /* -1: none. */
    int64_t *trunks;
    size_t n_trunks;
    char *vlan_mode;            /* NULL: default. */
};

/* A Controller row (ovs-vswitchd.conf.db(5)). */
struct cfg_controller {
    struct ovsdb_uuid uuid;
    char *target;
    int64_t max_backoff;        /* ms; -1: unset. */
    int64_t inactivity_probe;   /* ms; -1: unset. */
};

/* A Flow_Table row, as Bridge.flow_tables names it for one table. */
struct cfg_flow_table {
    int64_t table_id;
    int64_t flow_limit;         /* -1: unset. */
    char *overflow_policy;      /* NULL: unset. */
    char **prefixes;            /* The "prefixes" set. */
    size_t n_prefixes;
};

struct cfg_bridge {
    struct ovsdb_uuid uuid;
    char *name;
    char *datapath_type;
    char *fail_mode;            /* NULL if unset. */
    uint32_t protocols;         /* Bit V: OpenFlow wire version V
                                 * ("OpenFlow13": 1 << 4); 0: empty. */
    struct cfg_smap other_config;
    struct cfg_port *ports;
    size_t n_ports;
    struct cfg_controller *controllers;
    size_t n_controllers;
    struct cfg_flow_table *flow_tables;
    size_t n_flow_tables;
    /* References the reconciler does not act on yet (counts). */
    size_t n_mirrors;
    bool has_netflow, has_sflow, has_ipfix;
};

struct cfg {
    bool present;               /* An Open_vSwitch row exists. */
    struct ovsdb_uuid root;     /* Its UUID. */
    int64_t next_cfg;
    int64_t cur_cfg;
    struct cfg_smap other_config;
    struct cfg_bridge *bridges;
    size_t n_bridges;
};

/* Reads the configuration from 'db' (an Open_vSwitch database).
 * Returns 0, or -EINVAL if 'db' lacks one of the four tables or has a
 * column it reads with another type (a missing column reads as empty). */
int cfg_read(const struct ovsdb_db *, struct cfg *);
void cfg_destroy(struct cfg *);

/* Lookups in a snapshot (NULL if absent). */
const struct cfg_iface *cfg_find_iface(const struct cfg *, const char *name,
                                       const struct cfg_bridge **brp);

/* Parses an unsigned decimal option (digits only), 'def' when absent.
 * Returns 0 or -EINVAL when present and not a number in [min, max]. */
int cfg_smap_get_uint(const struct cfg_smap *, const char *key,
                      uint64_t def, uint64_t min, uint64_t max,
                      uint64_t *value);

/* Whether two optional strings are equal (both NULL counts). */
bool cfg_str_eq(const char *, const char *);

/* Parses a hexadecimal core mask ("0x" optional).  Returns false if 's'
 * is not one. */
bool cfg_parse_hex_mask(const char *s, uint64_t *mask);

/* Parses other_config:dpdk-socket-mem ("1024" or "1024,0,...": decimal
 * megabytes per NUMA node) into their sum, 1 MB to 1 TB.  Returns false
 * if 's' is not such a list. */
bool cfg_parse_socket_mem(const char *s, unsigned int *mb);

#endif
