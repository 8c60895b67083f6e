/* sluicectl_db: bridge and port commands on the line's snapshot. */
#include "tools/sluicectl_db.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD_ERROR SCTL_EXIT_CMD_ERROR

/* ---- Tables, rows and columns by name ---------------------------------- */

/* Table 'name' of the Open_vSwitch schema, fetched; NULL after printing
 * why. */
static const struct ovsdb_table_schema *
table(struct sctl_cmd_ctx *x, const char *name)
{
    const struct ovsdb_table_schema *ts
        = ovsdb_schema_find_table(x->s->schema, name);
    if (!ts) {
        sctl_fail("database %s has no table %s", x->s->schema->name, name);
        return NULL;
    }
    return sctl_snap_fetch(x->s, ts) ? NULL : ts;
}

static const struct ovsdb_column_schema *
column(const struct ovsdb_row *row, const char *name)
{
    return ovsdb_table_schema_find_column(ovsdb_row_schema(row), name);
}

/* The string in column 'name' of 'row', or NULL. */
static const char *
string_of(const struct ovsdb_row *row, const char *name)
{
    const struct ovsdb_column_schema *col = column(row, name);
    const struct ovsdb_datum *d = col ? &row->fields[col->idx] : NULL;
    return d && d->n == 1 && col->type.key.type == OVSDB_TYPE_STRING
           ? d->keys[0].string : NULL;
}

/* The row of 'ts' whose "name" is 'name', or NULL. */
static const struct ovsdb_row *
by_name(struct sctl_cmd_ctx *x, const struct ovsdb_table_schema *ts,
        const char *name)
{
    const struct sctl_rows *rows = sctl_snap_rows(x->s, ts);
    for (size_t i = 0; i < rows->n; i++) {
        const char *n = string_of(rows->rows[i], "name");
        if (n && !strcmp(n, name)) {
            return rows->rows[i];
        }
    }
    return NULL;
}

/* Does column 'name' of 'row' (a set of references) hold 'uuid'? */
static bool
refers_to(const struct ovsdb_row *row, const char *name,
          const struct ovsdb_uuid *uuid)
{
    const struct ovsdb_column_schema *col = column(row, name);
    if (!col || col->type.key.type != OVSDB_TYPE_UUID) {
        return false;
    }
    union ovsdb_atom a = { .uuid = *uuid };
    return ovsdb_datum_find_key(&row->fields[col->idx], &a,
                                OVSDB_TYPE_UUID) != SIZE_MAX;
}

/* The row of 'ts' whose column 'col' refers to 'child', or NULL. */
static const struct ovsdb_row *
parent_of(struct sctl_cmd_ctx *x, const struct ovsdb_table_schema *ts,
          const char *col, const struct ovsdb_row *child)
{
    const struct sctl_rows *rows = sctl_snap_rows(x->s, ts);
    for (size_t i = 0; i < rows->n; i++) {
        if (refers_to(rows->rows[i], col, ovsdb_row_uuid(child))) {
            return rows->rows[i];
        }
    }
    return NULL;
}

/* Adds ('add') or removes 'uuid' in column 'name' of 'row'. */
static void
change_ref(struct sctl_cmd_ctx *x, const struct ovsdb_row *row,
           const char *name, const struct ovsdb_uuid *uuid, bool add)
{
    const struct ovsdb_column_schema *col = column(row, name);
    struct ovsdb_datum d, one;
    union ovsdb_atom a = { .uuid = *uuid };
    ovsdb_datum_clone(&d, &row->fields[col->idx], &col->type);
    one.n = 1;
    one.keys = &a;
    one.values = NULL;
    if (add) {
        ovsdb_datum_union(&d, &one, &col->type);
    } else {
        ovsdb_datum_subtract(&d, &col->type, &one, &col->type);
    }
    sctl_txn_write(x->txn, row, col, &d);
    ovsdb_datum_destroy(&d, &col->type);
}

/* Sets column 'name' of 'row' to the one reference 'uuid'. */
static void
set_ref(struct sctl_cmd_ctx *x, const struct ovsdb_row *row,
        const char *name, const struct ovsdb_uuid *uuid)
{
    const struct ovsdb_column_schema *col = column(row, name);
    union ovsdb_atom a = { .uuid = *uuid };
    struct ovsdb_datum d;
    ovsdb_datum_init_empty(&d);
    ovsdb_datum_append(&d, &a, NULL, &col->type);
    sctl_txn_write(x->txn, row, col, &d);
    ovsdb_datum_destroy(&d, &col->type);
}

/* Sets string column 'name' of 'row' to 's'. */
static void
set_string(struct sctl_cmd_ctx *x, const struct ovsdb_row *row,
           const char *name, const char *s)
{
    const struct ovsdb_column_schema *col = column(row, name);
    union ovsdb_atom a = { .string = strdup(s) };
    struct ovsdb_datum d;
    if (!a.string) {
        abort();
    }
    ovsdb_datum_init_empty(&d);
    ovsdb_datum_append(&d, &a, NULL, &col->type);
    sctl_txn_write(x->txn, row, col, &d);
    ovsdb_datum_destroy(&d, &col->type);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Prints the names of the rows of 'ts' that pass 'keep', sorted. */
static void
print_names(struct sctl_cmd_ctx *x, const struct ovsdb_table_schema *ts,
            bool (*keep)(const struct ovsdb_row *, const void *),
            const void *aux)
{
    const struct sctl_rows *rows = sctl_snap_rows(x->s, ts);
    const char **names = calloc(rows->n + 1, sizeof *names);
    size_t n = 0;
    if (!names) {
        abort();
    }
    for (size_t i = 0; i < rows->n; i++) {
        const char *name = string_of(rows->rows[i], "name");
        if (name && (!keep || keep(rows->rows[i], aux))) {
            names[n++] = name;
        }
    }
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        dstr_printf(x->out, "%s\n", names[i]);
    }
    free(names);
}

/* The tables every command here uses. */
struct tables {
    const struct ovsdb_table_schema *root, *br, *port, *iface;
};

static int
get_tables(struct sctl_cmd_ctx *x, struct tables *t)
{
    t->root = table(x, "Open_vSwitch");
    t->br = t->root ? table(x, "Bridge") : NULL;
    t->port = t->br ? table(x, "Port") : NULL;
    t->iface = t->port ? table(x, "Interface") : NULL;
    return t->iface ? 0 : CMD_ERROR;
}

static const struct ovsdb_row *
find_bridge(struct sctl_cmd_ctx *x, const struct tables *t,
            const char *name, bool must_exist)
{
    const struct ovsdb_row *br = by_name(x, t->br, name);
    if (!br && must_exist) {
        sctl_fail("no bridge named %s", name);
    }
    return br;
}

/* The name of the bridge that has Port 'port', or "?". */
static const char *
bridge_name_of(struct sctl_cmd_ctx *x, const struct tables *t,
               const struct ovsdb_row *port)
{
    const struct ovsdb_row *br = parent_of(x, t->br, "ports", port);
    const char *name = br ? string_of(br, "name") : NULL;
    return name ? name : "?";
}

/* Inserts a Port named 'name' with one Interface of that name ('type'
 * NULL: default) into bridge 'br' (NULL: none yet).  Returns the Port. */
static const struct ovsdb_row *
insert_port(struct sctl_cmd_ctx *x, const struct tables *t,
            const struct ovsdb_row *br, const char *name, const char *type)
{
    const struct ovsdb_row *iface = sctl_txn_insert(x->txn, t->iface, NULL);
    set_string(x, iface, "name", name);
    if (type) {
        set_string(x, iface, "type", type);
    }
    const struct ovsdb_row *port = sctl_txn_insert(x->txn, t->port, NULL);
    set_string(x, port, "name", name);
    set_ref(x, port, "interfaces", ovsdb_row_uuid(iface));
    if (br) {
        change_ref(x, br, "ports", ovsdb_row_uuid(port), true);
    }
    return port;
}

/* Deletes Port 'port' and its Interfaces, and takes it out of 'br'. */
static void
delete_port(struct sctl_cmd_ctx *x, const struct tables *t,
            const struct ovsdb_row *br, const struct ovsdb_row *port)
{
    const struct ovsdb_column_schema *col = column(port, "interfaces");
    const struct ovsdb_datum *ifaces = &port->fields[col->idx];
    for (size_t i = 0; i < ifaces->n; i++) {
        const struct ovsdb_row *iface
            = sctl_snap_row(x->s, t->iface, &ifaces->keys[i].uuid);
        if (iface) {
            sctl_txn_delete(x->txn, iface);
        }
    }
    if (br) {
        change_ref(x, br, "ports", ovsdb_row_uuid(port), false);
    }
    sctl_txn_delete(x->txn, port);
}

/* ---- Commands ---------------------------------------------------------- */

static int
cmd_list_br(struct sctl_cmd_ctx *x)
{
    struct tables t;
    if (get_tables(x, &t)) {
        return CMD_ERROR;
    }
    print_names(x, t.br, NULL, NULL);
    return 0;
}

static bool
is_port_of(const struct ovsdb_row *port, const void *br_)
{
    const struct ovsdb_row *br = br_;
    const char *name = string_of(port, "name");
    const char *br_name = string_of(br, "name");
    return refers_to(br, "ports", ovsdb_row_uuid(port))
           && !(name && br_name && !strcmp(name, br_name));
}

static int
cmd_list_ports(struct sctl_cmd_ctx *x)
{
    struct tables t;
    if (get_tables(x, &t)) {
        return CMD_ERROR;
    }
    const struct ovsdb_row *br = find_bridge(x, &t, x->argv[1], true);
    if (!br) {
        return CMD_ERROR;
    }
    print_names(x, t.port, is_port_of, br);
    return 0;
}

static int
cmd_add_br(struct sctl_cmd_ctx *x)
{
    const char *name = x->argv[1];
    struct tables t;
    if (get_tables(x, &t)) {
        return CMD_ERROR;
    }
    if (find_bridge(x, &t, name, false)) {
        if (x->opt.may_exist) {
            return 0;
        }
        sctl_fail("cannot create a bridge named %s because a bridge named "
                  "%s already exists", name, name);
        return CMD_ERROR;
    }
    const struct ovsdb_row *port = by_name(x, t.port, name);
    if (port) {
        sctl_fail("cannot create a bridge named %s because a port named %s "
                  "already exists on bridge %s", name, name,
                  bridge_name_of(x, &t, port));
        return CMD_ERROR;
    }
    const struct ovsdb_row *root = sctl_snap_rows(x->s, t.root)->rows[0];
    const struct ovsdb_row *br = sctl_txn_insert(x->txn, t.br, NULL);
    set_string(x, br, "name", name);
    insert_port(x, &t, br, name, "internal");
    change_ref(x, root, "bridges", ovsdb_row_uuid(br), true);
    return 0;
}

static int
cmd_del_br(struct sctl_cmd_ctx *x)
{
    struct tables t;
    if (get_tables(x, &t)) {
        return CMD_ERROR;
    }
    const struct ovsdb_row *br = find_bridge(x, &t, x->argv[1],
                                             !x->opt.if_exists);
    if (!br) {
        return x->opt.if_exists ? 0 : CMD_ERROR;
    }
    const struct ovsdb_column_schema *col = column(br, "ports");
    const struct ovsdb_datum *ports = &br->fields[col->idx];
    for (size_t i = 0; i < ports->n; i++) {
        const struct ovsdb_row *port
            = sctl_snap_row(x->s, t.port, &ports->keys[i].uuid);
        if (port) {
            delete_port(x, &t, NULL, port);
        }
    }
    const struct sctl_rows *roots = sctl_snap_rows(x->s, t.root);
    for (size_t i = 0; i < roots->n; i++) {
        if (refers_to(roots->rows[i], "bridges", ovsdb_row_uuid(br))) {
            change_ref(x, roots->rows[i], "bridges", ovsdb_row_uuid(br),
                       false);
        }
    }
    sctl_txn_delete(x->txn, br);
    return 0;
}

static int
cmd_add_port(struct sctl_cmd_ctx *x)
{
    const char *br_name = x->argv[1], *name = x->argv[2];
    struct tables t;
    if (get_tables(x, &t)) {
        return CMD_ERROR;
    }
    const struct ovsdb_row *br = find_bridge(x, &t, br_name, true);
    if (!br) {
        return CMD_ERROR;
    }
    const struct ovsdb_row *old = by_name(x, t.port, name);
    if (old) {
        const char *on = bridge_name_of(x, &t, old);
        if (x->opt.may_exist && !strcmp(on, br_name)) {
            return 0;
        } else if (x->opt.may_exist) {
            sctl_fail("\"--may-exist add-port %s %s\" but %s is actually "
                      "attached to bridge %s", br_name, name, name, on);
        } else {
            sctl_fail("cannot create a port named %s because a port named "
                      "%s already exists on bridge %s", name, name, on);
        }
        return CMD_ERROR;
    }
    const struct ovsdb_row *iface = by_name(x, t.iface, name);
    if (iface) {
        const struct ovsdb_row *p = parent_of(x, t.port, "interfaces", iface);
        sctl_fail("cannot create an interface named %s because an "
                  "interface named %s already exists on bridge %s", name,
                  name, p ? bridge_name_of(x, &t, p) : "?");
        return CMD_ERROR;
    }
    insert_port(x, &t, br, name, NULL);
    return 0;
}

/* del-port [BRIDGE] PORT */
static int
cmd_del_port(struct sctl_cmd_ctx *x)
{
    const char *name = x->argv[x->argc - 1];
    struct tables t;
    if (get_tables(x, &t)) {
        return CMD_ERROR;
    }
    /* The port first, as ovs-vsctl: --if-exists with a missing port is
     * fine whatever the bridge. */
    const struct ovsdb_row *port = by_name(x, t.port, name);
    if (!port) {
        if (x->opt.if_exists) {
            return 0;
        }
        sctl_fail("no port named %s", name);
        return CMD_ERROR;
    }
    const struct ovsdb_row *br = NULL;
    if (x->argc == 3) {
        br = find_bridge(x, &t, x->argv[1], true);
        if (!br) {
            return CMD_ERROR;
        }
    }
    const struct ovsdb_row *owner = parent_of(x, t.br, "ports", port);
    if (br && owner != br) {
        sctl_fail("bridge %s does not have a port %s", x->argv[1], name);
        return CMD_ERROR;
    }
    const char *owner_name = owner ? string_of(owner, "name") : NULL;
    if (owner_name && !strcmp(owner_name, name)) {
        sctl_fail("cannot delete port %s because it is the local port for "
                  "bridge %s (deleting this port requires deleting the "
                  "entire bridge)", name, owner_name);
        return CMD_ERROR;
    }
    delete_port(x, &t, owner, port);
    return 0;
}

const struct sctl_cmd_spec sluicectl_db_commands[] = {
    { "list-br", "", 0, 0, "", cmd_list_br,
      "print the names of all bridges" },
    { "add-br", "BRIDGE", 1, 1, "--may-exist", cmd_add_br,
      "create BRIDGE (with its internal port)" },
    { "del-br", "BRIDGE", 1, 1, "--if-exists", cmd_del_br,
      "delete BRIDGE and its ports" },
    { "list-ports", "BRIDGE", 1, 1, "", cmd_list_ports,
      "print the names of BRIDGE's ports" },
    { "add-port", "BRIDGE PORT", 2, 2, "--may-exist", cmd_add_port,
      "add PORT to BRIDGE" },
    { "del-port", "[BRIDGE] PORT", 1, 2, "--if-exists", cmd_del_port,
      "delete PORT (from BRIDGE)" },
};
const size_t sluicectl_db_n_commands
    = sizeof sluicectl_db_commands / sizeof *sluicectl_db_commands;
