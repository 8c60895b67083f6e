/* bridge_cfg: reading the configuration snapshot from the database. */
#include "src/bridge_cfg.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/datum.h"
#include "ovsdb/db.h"
#include "ovsdb/row.h"
#include "ovsdb/schema.h"
#include "src/util/scan.h"

static char *
xstrdup(const char *s)
{
    char *copy = strdup(s ? s : "");
    if (!copy) {
        abort();
    }
    return copy;
}

static void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        abort();
    }
    return p;
}

/* Column accessors.  A missing column reads as its empty value. */
static const struct ovsdb_datum *
col(const struct ovsdb_row *row, const char *name)
{
    return ovsdb_row_get(row, name);
}

static char *
get_string(const struct ovsdb_row *row, const char *name)
{
    const struct ovsdb_datum *d = col(row, name);
    return d && d->n ? xstrdup(d->keys[0].string) : NULL;
}

static int64_t
get_int(const struct ovsdb_row *row, const char *name, int64_t def)
{
    const struct ovsdb_datum *d = col(row, name);
    return d && d->n ? d->keys[0].integer : def;
}

static size_t
count(const struct ovsdb_row *row, const char *name)
{
    const struct ovsdb_datum *d = col(row, name);
    return d ? d->n : 0;
}

static void
get_smap(const struct ovsdb_row *row, const char *name, struct cfg_smap *m)
{
    const struct ovsdb_datum *d = col(row, name);
    memset(m, 0, sizeof *m);
    if (!d || !d->n || !d->values) {
        return;
    }
    m->keys = xcalloc(d->n, sizeof *m->keys);
    m->values = xcalloc(d->n, sizeof *m->values);
    for (size_t i = 0; i < d->n; i++) {
        m->keys[i] = xstrdup(d->keys[i].string);
        m->values[i] = xstrdup(d->values[i].string);
    }
    m->n = d->n;
}

static void
smap_destroy(struct cfg_smap *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->keys[i]);
        free(m->values[i]);
    }
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

const char *
cfg_smap_get(const struct cfg_smap *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++) {
        if (!strcmp(m->keys[i], key)) {
            return m->values[i];
        }
    }
    return NULL;
}

int
cfg_smap_get_uint(const struct cfg_smap *m, const char *key, uint64_t def,
                  uint64_t min, uint64_t max, uint64_t *value)
{
    const char *s = cfg_smap_get(m, key);
    *value = def;
    if (!s) {
        return 0;
    }
    uint64_t v;
    if (scan_uint(s, 10, max, &v) || v < min) {
        return -EINVAL;
    }
    *value = v;
    return 0;
}

/* Rows referenced by 'row'.'column' that exist in 'table', in the order
 * of their UUIDs (the order of the set). */
static size_t
get_refs(const struct ovsdb_row *row, const char *column,
         const struct ovsdb_table *table, const struct ovsdb_row ***rowsp)
{
    const struct ovsdb_datum *d = col(row, column);
    size_t n = 0;
    *rowsp = NULL;
    if (!d || !d->n || !table) {
        return 0;
    }
    const struct ovsdb_row **rows = xcalloc(d->n, sizeof *rows);
    for (size_t i = 0; i < d->n; i++) {
        const struct ovsdb_row *r = ovsdb_table_find_row(table,
                                                         &d->keys[i].uuid);
        if (r) {
            rows[n++] = r;
        }
    }
    *rowsp = rows;
    return n;
}

static void
read_iface(const struct ovsdb_row *row, struct cfg_iface *ifc)
{
    ifc->uuid = *ovsdb_row_uuid(row);
    ifc->name = get_string(row, "name");
    ifc->type = get_string(row, "type");
    if (!ifc->type) {
        ifc->type = xstrdup("");
    }
    get_smap(row, "options", &ifc->options);
    get_smap(row, "other_config", &ifc->other_config);
    ifc->ofport_request = get_int(row, "ofport_request", -1);
    ifc->ofport = get_int(row, "ofport", -1);
    ifc->mtu_request = get_int(row, "mtu_request", 0);
    ifc->mac = get_string(row, "mac");
}

static void
read_port(const struct ovsdb_row *row, const struct ovsdb_table *ifaces,
          struct cfg_port *p)
{
    const struct ovsdb_row **rows;

    p->uuid = *ovsdb_row_uuid(row);
    p->name = get_string(row, "name");
    p->tag = get_int(row, "tag", -1);
    p->vlan_mode = get_string(row, "vlan_mode");
    const struct ovsdb_datum *t = col(row, "trunks");
    if (t && t->n) {
        p->trunks = xcalloc(t->n, sizeof *p->trunks);
        for (size_t i = 0; i < t->n; i++) {
            p->trunks[i] = t->keys[i].integer;
        }
        p->n_trunks = t->n;
    }
    p->n_ifaces = get_refs(row, "interfaces", ifaces, &rows);
    p->ifaces = xcalloc(p->n_ifaces, sizeof *p->ifaces);
    for (size_t i = 0; i < p->n_ifaces; i++) {
        read_iface(rows[i], &p->ifaces[i]);
    }
    free(rows);
}

static void
read_controller(const struct ovsdb_row *row, struct cfg_controller *c)
{
    c->uuid = *ovsdb_row_uuid(row);
    c->target = get_string(row, "target");
    if (!c->target) {
        c->target = xstrdup("");
    }
    c->max_backoff = get_int(row, "max_backoff", -1);
    c->inactivity_probe = get_int(row, "inactivity_probe", -1);
}

/* The protocols column: "OpenFlow1N" is wire version N + 1. */
static uint32_t
get_protocols(const struct ovsdb_row *row)
{
    const struct ovsdb_datum *d = col(row, "protocols");
    uint32_t bits = 0;
    for (size_t i = 0; d && i < d->n; i++) {
        const char *s = d->keys[i].string;
        if (!strncmp(s, "OpenFlow1", 9) && s[9] >= '0' && s[9] <= '9'
            && !s[10]) {
            bits |= UINT32_C(1) << (s[9] - '0' + 1);
        }
    }
    return bits;
}

static void
read_flow_tables(const struct ovsdb_row *row, const struct ovsdb_table *fts,
                 struct cfg_bridge *br)
{
    const struct ovsdb_datum *d = col(row, "flow_tables");
    if (!d || !d->n || !d->values || !fts) {
        return;
    }
    br->flow_tables = xcalloc(d->n, sizeof *br->flow_tables);
    for (size_t i = 0; i < d->n; i++) {
        const struct ovsdb_row *ft = ovsdb_table_find_row(fts,
                                                          &d->values[i].uuid);
        if (!ft) {
            continue;
        }
        struct cfg_flow_table *t = &br->flow_tables[br->n_flow_tables++];
        t->table_id = d->keys[i].integer;
        t->flow_limit = get_int(ft, "flow_limit", -1);
        t->overflow_policy = get_string(ft, "overflow_policy");
        const struct ovsdb_datum *p = col(ft, "prefixes");
        if (p && p->n) {
            t->prefixes = xcalloc(p->n, sizeof *t->prefixes);
            for (size_t k = 0; k < p->n; k++) {
                t->prefixes[t->n_prefixes++] = xstrdup(p->keys[k].string);
            }
        }
    }
}

static void
read_bridge(const struct ovsdb_row *row, const struct ovsdb_table *ports,
            const struct ovsdb_table *ifaces,
            const struct ovsdb_table *controllers,
            const struct ovsdb_table *flow_tables, struct cfg_bridge *br)
{
    const struct ovsdb_row **rows;

    br->uuid = *ovsdb_row_uuid(row);
    br->name = get_string(row, "name");
    br->datapath_type = get_string(row, "datapath_type");
    if (!br->datapath_type) {
        br->datapath_type = xstrdup("");
    }
    br->fail_mode = get_string(row, "fail_mode");
    br->protocols = get_protocols(row);
    get_smap(row, "other_config", &br->other_config);
    br->n_controllers = get_refs(row, "controller", controllers, &rows);
    br->controllers = xcalloc(br->n_controllers, sizeof *br->controllers);
    for (size_t i = 0; i < br->n_controllers; i++) {
        read_controller(rows[i], &br->controllers[i]);
    }
    free(rows);
    read_flow_tables(row, flow_tables, br);
    br->n_mirrors = count(row, "mirrors");
    br->has_netflow = count(row, "netflow") > 0;
    br->has_sflow = count(row, "sflow") > 0;
    br->has_ipfix = count(row, "ipfix") > 0;
    br->n_ports = get_refs(row, "ports", ports, &rows);
    br->ports = xcalloc(br->n_ports, sizeof *br->ports);
    for (size_t i = 0; i < br->n_ports; i++) {
        read_port(rows[i], ifaces, &br->ports[i]);
    }
    free(rows);
}

/* The columns read and their types: a database whose tables have them
 * with other types is not read (a missing column reads as empty). */
struct column_type {
    const char *table, *column;
    enum ovsdb_atomic_type key, value;
};

static const struct column_type expected[] = {
    { "Open_vSwitch", "bridges", OVSDB_TYPE_UUID, OVSDB_TYPE_VOID },
    { "Open_vSwitch", "next_cfg", OVSDB_TYPE_INTEGER, OVSDB_TYPE_VOID },
    { "Open_vSwitch", "cur_cfg", OVSDB_TYPE_INTEGER, OVSDB_TYPE_VOID },
    { "Open_vSwitch", "other_config", OVSDB_TYPE_STRING, OVSDB_TYPE_STRING },
    { "Bridge", "name", OVSDB_TYPE_STRING, OVSDB_TYPE_VOID },
    { "Bridge", "datapath_type", OVSDB_TYPE_STRING, OVSDB_TYPE_VOID },
    { "Bridge", "fail_mode", OVSDB_TYPE_STRING, OVSDB_TYPE_VOID },
    { "Bridge", "protocols", OVSDB_TYPE_STRING, OVSDB_TYPE_VOID },
    { "Bridge", "other_config", OVSDB_TYPE_STRING, OVSDB_TYPE_STRING },
    { "Bridge", "ports", OVSDB_TYPE_UUID, OVSDB_TYPE_VOID },
    { "Bridge", "controller", OVSDB_TYPE_UUID, OVSDB_TYPE_VOID },
    { "Bridge", "flow_tables", OVSDB_TYPE_INTEGER, OVSDB_TYPE_UUID },
    { "Flow_Table", "flow_limit", OVSDB_TYPE_INTEGER, OVSDB_TYPE_VOID },
    { "Flow_Table", "overflow_policy", OVSDB_TYPE_STRING, OVSDB_TYPE_VOID },
    { "Flow_Table", "prefixes", OVSDB_TYPE_STRING, OVSDB_TYPE_VOID },
    { "Controller", "target", OVSDB_TYPE_STRING, OVSDB_TYPE_VOID },
    { "Controller", "max_backoff", OVSDB_TYPE_INTEGER, OVSDB_TYPE_VOID },
    { "Controller", "inactivity_probe", OVSDB_TYPE_INTEGER,
      OVSDB_TYPE_VOID },
    { "Port", "name", OVSDB_TYPE_STRING, OVSDB_TYPE_VOID },
    { "Port", "interfaces", OVSDB_TYPE_UUID, OVSDB_TYPE_VOID },
    { "Port", "tag", OVSDB_TYPE_INTEGER, OVSDB_TYPE_VOID },
    { "Port", "trunks", OVSDB_TYPE_INTEGER, OVSDB_TYPE_VOID },
    { "Port", "vlan_mode", OVSDB_TYPE_STRING, OVSDB_TYPE_VOID },
    { "Interface", "name", OVSDB_TYPE_STRING, OVSDB_TYPE_VOID },
    { "Interface", "type", OVSDB_TYPE_STRING, OVSDB_TYPE_VOID },
    { "Interface", "options", OVSDB_TYPE_STRING, OVSDB_TYPE_STRING },
    { "Interface", "other_config", OVSDB_TYPE_STRING, OVSDB_TYPE_STRING },
    { "Interface", "ofport_request", OVSDB_TYPE_INTEGER, OVSDB_TYPE_VOID },
    { "Interface", "ofport", OVSDB_TYPE_INTEGER, OVSDB_TYPE_VOID },
    { "Interface", "mtu_request", OVSDB_TYPE_INTEGER, OVSDB_TYPE_VOID },
    { "Interface", "mac", OVSDB_TYPE_STRING, OVSDB_TYPE_VOID },
};

static bool
types_as_expected(const struct ovsdb_db *db)
{
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const struct column_type *e = &expected[i];
        const struct ovsdb_table *t = ovsdb_db_find_table(db, e->table);
        const struct ovsdb_column_schema *c
            = t ? ovsdb_table_schema_find_column(t->schema, e->column) : NULL;
        if (c && (c->type.key.type != e->key
                  || c->type.value.type != e->value)) {
            return false;
        }
        /* References must name the table they are read from. */
        if (c && e->key == OVSDB_TYPE_UUID
            && (!c->type.key.ref_table_name
                || strcmp(c->type.key.ref_table_name,
                          !strcmp(e->column, "bridges") ? "Bridge"
                          : !strcmp(e->column, "ports") ? "Port"
                          : !strcmp(e->column, "controller") ? "Controller"
                          : "Interface"))) {
            return false;
        }
    }
    return true;
}

int
cfg_read(const struct ovsdb_db *db, struct cfg *cfg)
{
    const struct ovsdb_table *root = ovsdb_db_find_table(db, "Open_vSwitch");
    const struct ovsdb_table *bridges = ovsdb_db_find_table(db, "Bridge");
    const struct ovsdb_table *ports = ovsdb_db_find_table(db, "Port");
    const struct ovsdb_table *ifaces = ovsdb_db_find_table(db, "Interface");
    const struct ovsdb_table *controllers = ovsdb_db_find_table(db,
                                                                "Controller");
    const struct ovsdb_table *flow_tables = ovsdb_db_find_table(db,
                                                                "Flow_Table");
    const struct ovsdb_row **rows;
    size_t pos;

    memset(cfg, 0, sizeof *cfg);
    if (!root || !bridges || !ports || !ifaces || !types_as_expected(db)) {
        return -EINVAL;
    }
    const struct ovsdb_row *row = ovsdb_table_first(root, &pos);
    if (!row) {
        return 0;
    }
    cfg->present = true;
    cfg->root = *ovsdb_row_uuid(row);
    cfg->next_cfg = get_int(row, "next_cfg", 0);
    cfg->cur_cfg = get_int(row, "cur_cfg", 0);
    get_smap(row, "other_config", &cfg->other_config);
    cfg->n_bridges = get_refs(row, "bridges", bridges, &rows);
    cfg->bridges = xcalloc(cfg->n_bridges, sizeof *cfg->bridges);
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        read_bridge(rows[i], ports, ifaces, controllers, flow_tables,
                    &cfg->bridges[i]);
    }
    free(rows);
    return 0;
}

static void
iface_destroy(struct cfg_iface *ifc)
{
    free(ifc->name);
    free(ifc->type);
    free(ifc->mac);
    smap_destroy(&ifc->options);
    smap_destroy(&ifc->other_config);
}

void
cfg_destroy(struct cfg *cfg)
{
    for (size_t b = 0; b < cfg->n_bridges; b++) {
        struct cfg_bridge *br = &cfg->bridges[b];
        for (size_t p = 0; p < br->n_ports; p++) {
            struct cfg_port *port = &br->ports[p];
            for (size_t i = 0; i < port->n_ifaces; i++) {
                iface_destroy(&port->ifaces[i]);
            }
            free(port->ifaces);
            free(port->name);
            free(port->trunks);
            free(port->vlan_mode);
        }
        free(br->ports);
        for (size_t c = 0; c < br->n_controllers; c++) {
            free(br->controllers[c].target);
        }
        free(br->controllers);
        for (size_t t = 0; t < br->n_flow_tables; t++) {
            struct cfg_flow_table *ft = &br->flow_tables[t];
            for (size_t k = 0; k < ft->n_prefixes; k++) {
                free(ft->prefixes[k]);
            }
            free(ft->prefixes);
            free(ft->overflow_policy);
        }
        free(br->flow_tables);
        free(br->name);
        free(br->datapath_type);
        free(br->fail_mode);
        smap_destroy(&br->other_config);
    }
    free(cfg->bridges);
    smap_destroy(&cfg->other_config);
    memset(cfg, 0, sizeof *cfg);
}

const struct cfg_iface *
cfg_find_iface(const struct cfg *cfg, const char *name,
               const struct cfg_bridge **brp)
{
    for (size_t b = 0; b < cfg->n_bridges; b++) {
        const struct cfg_bridge *br = &cfg->bridges[b];
        for (size_t p = 0; p < br->n_ports; p++) {
            const struct cfg_port *port = &br->ports[p];
            for (size_t i = 0; i < port->n_ifaces; i++) {
                if (port->ifaces[i].name
                    && !strcmp(port->ifaces[i].name, name)) {
                    if (brp) {
                        *brp = br;
                    }
                    return &port->ifaces[i];
                }
            }
        }
    }
    return NULL;
}

bool
cfg_str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

bool
cfg_parse_hex_mask(const char *s, uint64_t *mask)
{
    return s && !scan_uint(s, 16, UINT64_MAX, mask);
}

bool
cfg_parse_socket_mem(const char *s, unsigned int *mb)
{
    const uint64_t max = 1024 * 1024;
    uint64_t total = 0;
    char node[32];

    while (s) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t) (comma - s) : strlen(s);
        uint64_t v;

        if (n >= sizeof node) {
            return false;
        }
        memcpy(node, s, n);
        node[n] = '\0';
        if (scan_uint(node, 10, max, &v) || (total += v) > max) {
            return false;
        }
        s = comma ? comma + 1 : NULL;
    }
    if (!total) {
        return false;
    }
    *mb = (unsigned int) total;
    return true;
}
