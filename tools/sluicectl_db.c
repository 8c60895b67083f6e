/* sluicectl_db: bridge and port commands over OVSDB "transact". */
#include "tools/sluicectl_db.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tools/sluicectl_rpc.h"

#define DB_NAME "Open_vSwitch"

/* ---- Data helpers ----------------------------------------------------- */

static json_t *
op_select(const char *table, json_t *where, const char *col1,
          const char *col2)
{
    json_t *cols = json_pack("[s]", col1);
    if (col2) {
        json_array_append_new(cols, json_string(col2));
    }
    return json_pack("{s:s, s:s, s:o, s:o}", "op", "select", "table", table,
                     "where", where ? where : json_array(), "columns", cols);
}

static json_t *
where_name(const char *name)
{
    return json_pack("[[s, s, s]]", "name", "==", name);
}

static json_t *
where_uuid(const char *uuid)
{
    return json_pack("[[s, s, [s, s]]]", "_uuid", "==", "uuid", uuid);
}

/* The rows of the select that produced result 'i' of 'results'. */
static json_t *
rows_of(json_t *results, size_t i)
{
    json_t *rows = json_object_get(json_array_get(results, i), "rows");
    return json_is_array(rows) ? rows : NULL;
}

static bool
is_tag(json_t *pair, const char *tag)
{
    const char *s = json_string_value(json_array_get(pair, 0));
    return json_is_array(pair) && json_array_size(pair) == 2 && s
           && !strcmp(s, tag);
}

/* The uuid string of a ["uuid", "..."] atom, or NULL. */
static const char *
uuid_of(json_t *atom)
{
    if (is_tag(atom, "uuid")) {
        return json_string_value(json_array_get(atom, 1));
    }
    return NULL;
}

/* Does the set 'set' (a single atom or ["set", [...]]) hold 'uuid'? */
static bool
set_has_uuid(json_t *set, const char *uuid)
{
    if (is_tag(set, "set")) {
        size_t i;
        json_t *a;
        json_array_foreach (json_array_get(set, 1), i, a) {
            const char *u = uuid_of(a);
            if (u && !strcmp(u, uuid)) {
                return true;
            }
        }
        return false;
    }
    const char *u = uuid_of(set);
    return u && !strcmp(u, uuid);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Prints the "name" of each row of 'rows' except 'skip', sorted. */
static void
print_names(json_t *rows, const char *skip, json_t *only_in)
{
    size_t n = json_array_size(rows), k = 0;
    const char **names = calloc(n + 1, sizeof *names);
    if (!names) {
        abort();
    }
    size_t i;
    json_t *row;
    json_array_foreach (rows, i, row) {
        const char *name = json_string_value(json_object_get(row, "name"));
        if (!name || (skip && !strcmp(name, skip))) {
            continue;
        }
        if (only_in) {
            const char *u = uuid_of(json_object_get(row, "_uuid"));
            if (!u || !set_has_uuid(only_in, u)) {
                continue;
            }
        }
        names[k++] = name;
    }
    qsort(names, k, sizeof *names, cmp_str);
    for (i = 0; i < k; i++) {
        printf("%s\n", names[i]);
    }
    free(names);
}

/* Looks up bridge 'name': 0 with its uuid (borrowed from *results, which
 * the caller frees) and its ports, SCTL_EXIT_CMD_ERROR if there is none,
 * EXIT_FAILURE on a transport failure.  Also selects every Port with
 * name and _uuid as result 1, and every Bridge with name and ports as
 * result 2. */
static int
find_bridge(struct sctl_conn *c, const char *name, json_t **results,
            const char **uuid, json_t **ports)
{
    json_t *ops = json_array();
    json_array_append_new(ops, op_select("Bridge", where_name(name),
                                         "_uuid", "ports"));
    json_array_append_new(ops, op_select("Port", NULL, "_uuid", "name"));
    json_array_append_new(ops, op_select("Bridge", NULL, "name", "ports"));
    int err = sctl_transact(c, ops, results);
    if (err) {
        return err == -ECANCELED ? SCTL_EXIT_CMD_ERROR : EXIT_FAILURE;
    }
    json_t *row = json_array_get(rows_of(*results, 0), 0);
    if (!row) {
        sctl_fail("no bridge named %s", name);
        return SCTL_EXIT_CMD_ERROR;
    }
    *uuid = uuid_of(json_object_get(row, "_uuid"));
    *ports = json_object_get(row, "ports");
    if (!*uuid || !*ports || !rows_of(*results, 1)) {
        sctl_fail("%s: malformed select reply", c->name);
        return EXIT_FAILURE;
    }
    return 0;
}

/* The named Port row in 'port_rows', or NULL. */
static json_t *
find_port(json_t *port_rows, const char *name)
{
    size_t i;
    json_t *row;
    json_array_foreach (port_rows, i, row) {
        const char *n = json_string_value(json_object_get(row, "name"));
        if (n && !strcmp(n, name)) {
            return row;
        }
    }
    return NULL;
}

/* The name of the bridge in 'bridge_rows' whose ports hold Port row
 * 'port', or "?". */
static const char *
bridge_of(json_t *bridge_rows, json_t *port)
{
    const char *uuid = uuid_of(json_object_get(port, "_uuid"));
    size_t i;
    json_t *row;
    json_array_foreach (bridge_rows, i, row) {
        const char *name = json_string_value(json_object_get(row, "name"));
        if (uuid && name && set_has_uuid(json_object_get(row, "ports"),
                                         uuid)) {
            return name;
        }
    }
    return "?";
}

/* Appends to 'ops' the inserts of an Interface and a Port named 'name'
 * ('type' NULL: default) with uuid-names "iface" and "port", and a "wait"
 * that no Port of that name appeared meanwhile. */
static void
add_port_ops(json_t *ops, const char *name, const char *type)
{
    json_t *iface = json_pack("{s:s}", "name", name);
    if (type) {
        json_object_set_new(iface, "type", json_string(type));
    }
    json_array_append_new(ops, json_pack(
        "{s:s, s:s, s:o, s:i, s:[s], s:s, s:[]}", "op", "wait",
        "table", "Port", "where", where_name(name), "timeout", 0,
        "columns", "name", "until", "==", "rows"));
    json_array_append_new(ops, json_pack(
        "{s:s, s:s, s:o, s:s}", "op", "insert", "table", "Interface",
        "row", iface, "uuid-name", "iface"));
    json_array_append_new(ops, json_pack(
        "{s:s, s:s, s:{s:s, s:[s, s]}, s:s}", "op", "insert",
        "table", "Port", "row", "name", name, "interfaces",
        "named-uuid", "iface", "uuid-name", "port"));
}

/* ---- Commands --------------------------------------------------------- */

static int
cmd_list_br(struct sctl_conn *c, int argc, char *argv[])
{
    (void) argc;
    (void) argv;
    json_t *results;
    json_t *ops = json_array();
    json_array_append_new(ops, op_select("Bridge", NULL, "name", NULL));
    int err = sctl_transact(c, ops, &results);
    if (err) {
        return err == -ECANCELED ? SCTL_EXIT_CMD_ERROR : EXIT_FAILURE;
    }
    print_names(rows_of(results, 0), NULL, NULL);
    json_decref(results);
    return EXIT_SUCCESS;
}

static int
cmd_list_ports(struct sctl_conn *c, int argc, char *argv[])
{
    (void) argc;
    json_t *results = NULL, *ports;
    const char *uuid;
    int status = find_bridge(c, argv[1], &results, &uuid, &ports);
    if (!status) {
        print_names(rows_of(results, 1), argv[1], ports);
    }
    json_decref(results);
    return status;
}

static int
cmd_add_br(struct sctl_conn *c, int argc, char *argv[])
{
    (void) argc;
    const char *br = argv[1];
    json_t *results;
    json_t *ops = json_array();
    json_array_append_new(ops, op_select("Bridge", where_name(br), "_uuid",
                                         NULL));
    json_array_append_new(ops, op_select(DB_NAME, NULL, "_uuid", NULL));
    json_array_append_new(ops, op_select("Port", where_name(br), "_uuid",
                                         NULL));
    json_array_append_new(ops, op_select("Bridge", NULL, "name", "ports"));
    int err = sctl_transact(c, ops, &results);
    if (err) {
        return err == -ECANCELED ? SCTL_EXIT_CMD_ERROR : EXIT_FAILURE;
    }
    bool exists = json_array_size(rows_of(results, 0)) > 0;
    bool have_root = json_array_size(rows_of(results, 1)) > 0;
    json_t *port = json_array_get(rows_of(results, 2), 0);
    if (exists) {
        sctl_fail("cannot create a bridge named %s because a bridge named "
                  "%s already exists", br, br);
    } else if (port) {
        sctl_fail("cannot create a bridge named %s because a port named %s "
                  "already exists on bridge %s", br, br,
                  bridge_of(rows_of(results, 3), port));
    }
    json_decref(results);
    if (exists || port) {
        return SCTL_EXIT_CMD_ERROR;
    }

    ops = json_array();
    json_array_append_new(ops, json_pack(
        "{s:s, s:s, s:o, s:i, s:[s], s:s, s:[]}", "op", "wait",
        "table", "Bridge", "where", where_name(br), "timeout", 0,
        "columns", "name", "until", "==", "rows"));
    add_port_ops(ops, br, "internal");
    json_array_append_new(ops, json_pack(
        "{s:s, s:s, s:{s:s, s:[s, s]}, s:s}", "op", "insert",
        "table", "Bridge", "row", "name", br, "ports",
        "named-uuid", "port", "uuid-name", "bridge"));
    if (have_root) {
        json_array_append_new(ops, json_pack(
            "{s:s, s:s, s:[], s:[[s, s, [s, s]]]}", "op", "mutate",
            "table", DB_NAME, "where", "mutations", "bridges", "insert",
            "named-uuid", "bridge"));
    } else {
        /* Like "ovs-vsctl init": the root row, created only if the table
         * is still empty at commit. */
        json_array_append_new(ops, json_pack(
            "{s:s, s:s, s:[], s:i, s:[s], s:s, s:[]}", "op", "wait",
            "table", DB_NAME, "where", "timeout", 0, "columns", "_uuid",
            "until", "==", "rows"));
        json_array_append_new(ops, json_pack(
            "{s:s, s:s, s:{s:[s, s]}}", "op", "insert", "table", DB_NAME,
            "row", "bridges", "named-uuid", "bridge"));
    }
    return sctl_status(sctl_commit(c, ops, NULL));
}

static int
cmd_del_br(struct sctl_conn *c, int argc, char *argv[])
{
    (void) argc;
    json_t *results = NULL, *ports;
    const char *uuid;
    int status = find_bridge(c, argv[1], &results, &uuid, &ports);
    if (!status) {
        /* Port and Interface rows are not roots: the server collects them
         * with the bridge. */
        json_t *ops = json_array();
        json_array_append_new(ops, json_pack(
            "{s:s, s:s, s:[], s:[[s, s, [s, s]]]}", "op", "mutate",
            "table", DB_NAME, "where", "mutations", "bridges", "delete",
            "uuid", uuid));
        json_array_append_new(ops, json_pack(
            "{s:s, s:s, s:o}", "op", "delete", "table", "Bridge",
            "where", where_uuid(uuid)));
        status = sctl_status(sctl_commit(c, ops, NULL));
    }
    json_decref(results);
    return status;
}

static int
cmd_add_port(struct sctl_conn *c, int argc, char *argv[])
{
    (void) argc;
    const char *br = argv[1], *port = argv[2];
    json_t *results = NULL, *ports;
    const char *uuid;
    int status = find_bridge(c, br, &results, &uuid, &ports);
    json_t *old = status ? NULL : find_port(rows_of(results, 1), port);
    if (old) {
        sctl_fail("cannot create a port named %s because a port named %s "
                  "already exists on bridge %s", port, port,
                  bridge_of(rows_of(results, 2), old));
        status = SCTL_EXIT_CMD_ERROR;
    }
    if (!status) {
        json_t *ops = json_array();
        add_port_ops(ops, port, NULL);
        json_array_append_new(ops, json_pack(
            "{s:s, s:s, s:o, s:[[s, s, [s, s]]]}", "op", "mutate",
            "table", "Bridge", "where", where_uuid(uuid), "mutations",
            "ports", "insert", "named-uuid", "port"));
        status = sctl_status(sctl_commit(c, ops, NULL));
    }
    json_decref(results);
    return status;
}

static int
cmd_del_port(struct sctl_conn *c, int argc, char *argv[])
{
    (void) argc;
    const char *br = argv[1], *port = argv[2];
    json_t *results = NULL, *ports;
    const char *uuid;
    int status = find_bridge(c, br, &results, &uuid, &ports);
    json_t *row = status ? NULL : find_port(rows_of(results, 1), port);
    const char *port_uuid = row ? uuid_of(json_object_get(row, "_uuid"))
                                : NULL;
    if (!status && !port_uuid) {
        sctl_fail("no port named %s", port);
        status = SCTL_EXIT_CMD_ERROR;
    } else if (!status && !set_has_uuid(ports, port_uuid)) {
        sctl_fail("bridge %s does not have a port %s", br, port);
        status = SCTL_EXIT_CMD_ERROR;
    } else if (!status && !strcmp(br, port)) {
        sctl_fail("cannot delete port %s because it is the local port for "
                  "bridge %s (deleting this port requires deleting the "
                  "entire bridge)", port, br);
        status = SCTL_EXIT_CMD_ERROR;
    }
    if (!status) {
        json_t *ops = json_array();
        json_array_append_new(ops, json_pack(
            "{s:s, s:s, s:o, s:[[s, s, [s, s]]]}", "op", "mutate",
            "table", "Bridge", "where", where_uuid(uuid), "mutations",
            "ports", "delete", "uuid", port_uuid));
        status = sctl_status(sctl_commit(c, ops, NULL));
    }
    json_decref(results);
    return status;
}

struct db_command {
    const char *name;
    int n_args;
    int (*run)(struct sctl_conn *, int argc, char *argv[]);
};

static const struct db_command db_commands[] = {
    { "list-br", 0, cmd_list_br },
    { "add-br", 1, cmd_add_br },
    { "del-br", 1, cmd_del_br },
    { "list-ports", 1, cmd_list_ports },
    { "add-port", 2, cmd_add_port },
    { "del-port", 2, cmd_del_port },
};

int
sluicectl_db_run(const struct sluicectl_db_opts *o, int argc, char *argv[])
{
    const struct db_command *cmd = NULL;
    for (size_t i = 0; i < sizeof db_commands / sizeof *db_commands; i++) {
        if (!strcmp(db_commands[i].name, argv[0])) {
            cmd = &db_commands[i];
        }
    }
    if (!cmd || argc - 1 != cmd->n_args) {
        sctl_fail("%s: unknown database command or wrong number of "
                  "arguments", argv[0]);
        return EXIT_FAILURE;
    }

    struct sctl_conn c;
    int status = EXIT_FAILURE;
    if (!sctl_connect(o, &c)) {
        status = cmd->run(&c, argc, argv);
    }
    sctl_close(&c);
    if (fflush(stdout) && !status) {
        status = EXIT_FAILURE;
    }
    return status;
}
