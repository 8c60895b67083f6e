/* sluicectl_show: ovs-vsctl's "show". */
#include "tools/sluicectl_show.h"

#include <errno.h>
#include <string.h>

#include "tools/sluicectl_value.h"

#define MAX_SHOW_COLS 4
#define MAX_DEPTH 8

/* A table "show" prints: the column that names its rows (NULL: the UUID)
 * and the columns printed under each row, in order. */
struct show_table {
    const char *table;
    const char *name_col;
    const char *cols[MAX_SHOW_COLS];
};

static const struct show_table show_tables[] = {
    { "Open_vSwitch", NULL, { "manager_options", "bridges", "ovs_version" } },
    { "Bridge", "name", { "controller", "fail_mode", "datapath_type",
                          "ports" } },
    { "Port", "name", { "tag", "trunks", "interfaces" } },
    { "Interface", "name", { "type", "options", "error", "bfd_status" } },
    { "Controller", "target", { "is_connected" } },
    { "Manager", "target", { "is_connected" } },
};
#define N_SHOW_TABLES (sizeof show_tables / sizeof *show_tables)

static const struct show_table *
find_show_table(const char *name)
{
    for (size_t i = 0; i < N_SHOW_TABLES; i++) {
        if (!strcmp(show_tables[i].table, name)) {
            return &show_tables[i];
        }
    }
    return NULL;
}

static void
indent(struct dstr *out, int level)
{
    dstr_printf(out, "%*s", level * 4, "");
}

static void
show_row(const struct sctl_snap *s, const struct ovsdb_table_schema *ts,
         const struct ovsdb_row *row, int level, struct dstr *out)
{
    const struct show_table *st = find_show_table(ts->name);
    const struct ovsdb_column_schema *name_col
        = st->name_col ? ovsdb_table_schema_find_column(ts, st->name_col)
                       : NULL;
    indent(out, level);
    if (name_col) {
        dstr_printf(out, "%s ", ts->name);
        sctl_datum_to_string(&row->fields[name_col->idx], &name_col->type,
                             false, out);
    } else {
        char buf[OVSDB_UUID_LEN + 1];
        ovsdb_uuid_format(ovsdb_row_uuid(row), buf);
        dstr_put(out, buf);
    }
    dstr_put(out, "\n");
    if (level >= MAX_DEPTH) {
        return;
    }

    for (size_t i = 0; i < MAX_SHOW_COLS && st->cols[i]; i++) {
        const struct ovsdb_column_schema *col
            = ovsdb_table_schema_find_column(ts, st->cols[i]);
        if (!col) {
            continue;
        }
        const struct ovsdb_datum *d = &row->fields[col->idx];
        const struct ovsdb_table_schema *ref = col->type.key.ref_table;
        if (ref && !ovsdb_type_is_map(&col->type)
            && find_show_table(ref->name)
            && sctl_snap_rows(s, ref)->fetched) {
            for (size_t j = 0; j < d->n; j++) {
                const struct ovsdb_row *child
                    = sctl_snap_row(s, ref, &d->keys[j].uuid);
                if (child) {
                    show_row(s, ref, child, level + 1, out);
                }
            }
        } else if (!ovsdb_datum_is_default(d, &col->type)) {
            indent(out, level + 1);
            dstr_printf(out, "%s: ", col->name);
            sctl_datum_to_string(d, &col->type, false, out);
            dstr_put(out, "\n");
        }
    }
}

int
sctl_show(struct sctl_snap *s, struct dstr *out)
{
    const struct ovsdb_table_schema *root
        = ovsdb_schema_find_table(s->schema, "Open_vSwitch");
    if (!root) {
        sctl_fail("show: database %s has no Open_vSwitch table",
                  s->schema->name);
        return -ENOENT;
    }
    for (size_t i = 0; i < N_SHOW_TABLES; i++) {
        const struct ovsdb_table_schema *ts
            = ovsdb_schema_find_table(s->schema, show_tables[i].table);
        int err = ts ? sctl_snap_fetch(s, ts) : 0;
        if (err) {
            return err;
        }
    }
    const struct sctl_rows *rows = sctl_snap_rows(s, root);
    for (size_t i = 0; i < rows->n; i++) {
        show_row(s, root, rows->rows[i], 0, out);
    }
    return 0;
}
