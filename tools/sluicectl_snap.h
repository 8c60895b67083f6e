/* sluicectl_snap: what the generic database commands know of the server's
 * database: its schema (from get_schema) and a snapshot of the rows of the
 * tables a command needs, plus the ways operators name things, as
 * ovs-vsctl(8) defines them: table and column names (case-insensitive,
 * '-' for '_', unique abbreviations) and records (UUID or a unique prefix
 * of at least 4 hex digits, "." for single-row tables, a name for the
 * tables that have one: Bridge, Port, Interface, Mirror, Flow_Table by
 * "name", Manager by "target", Controller, NetFlow, sFlow, IPFIX and
 * AutoAttach by their bridge's name, QoS by its port's name, SSL as ".").
 * The snapshot owns the schema and the rows. */
#ifndef SLUICE_SLUICECTL_SNAP_H
#define SLUICE_SLUICECTL_SNAP_H

#include <stdbool.h>
#include <stddef.h>

#include "ovsdb/db.h"
#include "ovsdb/row.h"
#include "ovsdb/schema.h"
#include "tools/sluicectl_rpc.h"

struct sctl_rows {
    struct ovsdb_row **rows;    /* Sorted by UUID. */
    size_t n;
    bool fetched;
};

struct sctl_snap {
    struct sctl_conn *c;
    struct ovsdb_db *db;        /* Empty: owns the schema; the rows below
                                 * are created for its tables. */
    const struct ovsdb_schema *schema;
    struct sctl_rows *tables;   /* Indexed like schema->tables. */
};

/* Reads the schema of c->db_name.  Returns 0 or a negative errno (message
 * printed).  sctl_snap_destroy() is needed either way. */
int sctl_snap_init(struct sctl_snap *, struct sctl_conn *);
void sctl_snap_destroy(struct sctl_snap *);

/* Fetches every row of table 'ts' (if not done yet), together with the
 * tables that its records may be named through.  Returns 0 or a negative
 * errno (message printed). */
int sctl_snap_fetch(struct sctl_snap *, const struct ovsdb_table_schema *ts);
static inline const struct sctl_rows *
sctl_snap_rows(const struct sctl_snap *s, const struct ovsdb_table_schema *ts)
{
    return &s->tables[ts->idx];
}
/* The fetched row of 'ts' with 'uuid', or NULL. */
const struct ovsdb_row *sctl_snap_row(const struct sctl_snap *,
                                      const struct ovsdb_table_schema *ts,
                                      const struct ovsdb_uuid *uuid);

/* The table that 'name' designates, or NULL after printing why (unknown,
 * ambiguous: with the candidates). */
const struct ovsdb_table_schema *sctl_find_table(const struct sctl_snap *,
                                                 const char *name);
/* Same for a column of 'ts' (_uuid included, _version not). */
const struct ovsdb_column_schema *sctl_find_column(
    const struct ovsdb_table_schema *ts, const char *name);

/* Finds the record that 'name' designates in 'ts' (fetched).  Returns 0
 * with '*rowp', -ENOENT if there is none (message printed unless
 * 'quiet'), -EINVAL if several match (message printed). */
int sctl_find_record(const struct sctl_snap *,
                     const struct ovsdb_table_schema *ts, const char *name,
                     bool quiet, const struct ovsdb_row **rowp);

/* The JSON ["uuid", "..."] of 'row'. */
json_t *sctl_row_uuid_json(const struct ovsdb_row *row);

#endif
