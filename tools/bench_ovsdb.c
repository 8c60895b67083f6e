/* bench_ovsdb: bridge br0 and its ports, through OVSDB. */
#include "tools/bench_ovsdb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "src/util/dstr.h"
#include "tools/bench.h"
#include "tools/bench_scenarios.h"
#include "tools/sluicectl_rpc.h"

/* The Interface and Port rows of 'p', named "iN" and "pN" in the
 * transaction. */
static void
add_port_ops(json_t *ops, const struct bench_port *p, int i)
{
    json_t *options = json_array();
    char iname[16], pname[16], num[16];

    snprintf(iname, sizeof iname, "i%d", i);
    snprintf(pname, sizeof pname, "p%d", i);
    if (p->devargs[0]) {
        json_array_append_new(options, json_pack("[s, s]", "dpdk-devargs",
                                                 p->devargs));
    }
    if (p->n_mbuf) {
        snprintf(num, sizeof num, "%u", p->n_mbuf);
        json_array_append_new(options, json_pack("[s, s]", "n_mbuf", num));
    }
    if (p->mbuf_size) {
        snprintf(num, sizeof num, "%u", p->mbuf_size);
        json_array_append_new(options, json_pack("[s, s]", "mbuf_size",
                                                 num));
    }
    json_array_append_new(ops, json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:s, s:[s, o], s:i}}", "op", "insert",
        "table", "Interface", "uuid-name", iname, "row", "name", p->name,
        "type", p->type, "options", "map", options, "ofport_request",
        (int) p->ofport));
    json_array_append_new(ops, json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:[s, s]}}", "op", "insert",
        "table", "Port", "uuid-name", pname, "row", "name", p->name,
        "interfaces", "named-uuid", iname));
}

/* The Bridge row with the ports, and its place in the root row (which a
 * fresh database may not have yet: then it is created, as ovs-vsctl's
 * init does). */
static json_t *
bridge_ops(const struct bench_port *ports, bool have_root,
           bool no_prefixes)
{
    json_t *ops = json_array(), *set = json_array();
    int i;

    for (i = 0; i < BENCH_N_PORTS; i++) {
        char pname[16];

        add_port_ops(ops, &ports[i], i);
        snprintf(pname, sizeof pname, "p%d", i);
        json_array_append_new(set, json_pack("[s, s]", "named-uuid",
                                             pname));
    }
    /* fail_mode secure: no NORMAL rule translates the first packets
     * before the scenario's rules arrive (its megaflow would match the
     * MAC addresses NORMAL examined, and revalidation keeps a megaflow
     * that is narrower than it needs to be). */
    json_t *tables = json_array();
    if (no_prefixes) {
        json_array_append_new(ops, json_pack(
            "{s:s, s:s, s:s, s:{s:s}}", "op", "insert", "table",
            "Flow_Table", "uuid-name", "ft", "row", "prefixes", "none"));
        json_array_append_new(tables, json_pack("[i, [s, s]]", 0,
                                                "named-uuid", "ft"));
    }
    json_array_append_new(ops, json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:[s, o], s:s, s:[s, o]}}", "op",
        "insert", "table", "Bridge", "uuid-name", "br", "row", "name",
        BENCH_BRIDGE, "ports", "set", set, "fail_mode", "secure",
        "flow_tables", "map", tables));
    if (have_root) {
        json_array_append_new(ops, json_pack(
            "{s:s, s:s, s:[], s:[[s, s, [s, s]]]}", "op", "mutate",
            "table", "Open_vSwitch", "where", "mutations", "bridges",
            "insert", "named-uuid", "br"));
    } else {
        json_array_append_new(ops, json_pack(
            "{s:s, s:s, s:{s:[s, s]}}", "op", "insert",
            "table", "Open_vSwitch", "row", "bridges", "named-uuid", "br"));
    }
    return ops;
}

/* The rows of a select on 'table' of 'columns' (a JSON array text). */
static int
select_rows(struct sctl_conn *c, const char *table, const char *columns,
            json_t **rows)
{
    json_t *ops = json_pack("[{s:s, s:s, s:[], s:o}]", "op", "select",
                            "table", table, "where", "columns",
                            json_loads(columns, 0, NULL));
    json_t *res;
    int ret = sctl_transact(c, ops, &res);

    *rows = NULL;
    if (!ret) {
        *rows = json_incref(json_object_get(json_array_get(res, 0),
                                            "rows"));
        json_decref(res);
    }
    return ret;
}

/* Checks that each port has its requested ofport and no error. */
static int
check_ports(struct sctl_conn *c, const struct bench_port *ports,
            struct dstr *err)
{
    json_t *rows, *row;
    size_t k;
    int ret = select_rows(c, "Interface", "[\"name\", \"ofport\", "
                          "\"error\"]", &rows);
    int i, found = 0;

    for (i = 0; !ret && i < BENCH_N_PORTS; i++) {
        json_array_foreach (rows, k, row) {
            const char *name = json_string_value(json_object_get(row,
                                                                 "name"));
            json_t *ofport = json_object_get(row, "ofport");
            json_t *error = json_object_get(row, "error");

            if (!name || strcmp(name, ports[i].name)) {
                continue;
            }
            found++;
            if (json_is_string(error)) {
                dstr_printf(err, "interface %s: %s", name,
                            json_string_value(error));
                ret = -EIO;
            } else if (json_integer_value(ofport) != ports[i].ofport) {
                dstr_printf(err, "interface %s has OpenFlow port %lld, "
                            "not %u", name,
                            (long long) json_integer_value(ofport),
                            ports[i].ofport);
                ret = -EIO;
            }
        }
    }
    if (!ret && found != BENCH_N_PORTS) {
        dstr_printf(err, "%d of the %d interfaces are in the database",
                    found, BENCH_N_PORTS);
        ret = -EIO;
    }
    json_decref(rows);
    return ret;
}

int
bench_ovsdb_add_bridge(const struct bench_run *r, double timeout,
                       struct dstr *err)
{
    struct sluicectl_db_opts o = {
        .run_dir = r->dir, .timeout_s = timeout < 1 ? 1 : (int) timeout,
        .comment = "sluice-bench",
    };
    struct bench_port ports[BENCH_N_PORTS];
    struct sctl_conn c;
    json_t *roots = NULL;
    int ret;

    bench_scenario_ports(r, ports);
    sctl_set_program("sluice-bench");
    ret = sctl_connect(&o, &c);
    if (!ret) {
        ret = select_rows(&c, "Open_vSwitch", "[\"_uuid\"]", &roots);
    }
    if (!ret) {
        ret = sctl_commit(&c, bridge_ops(ports, json_array_size(roots),
                                         r->scenario->of_no_prefixes),
                          NULL);
    }
    if (ret) {
        dstr_printf(err, "cannot create bridge %s through OVSDB (%s)",
                    BENCH_BRIDGE, strerror(-ret));
    } else {
        ret = check_ports(&c, ports, err);
    }
    json_decref(roots);
    sctl_close(&c);
    return ret;
}
