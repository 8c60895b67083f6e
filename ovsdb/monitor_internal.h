/* ovsdb/monitor_internal: what monitor.c (requests, conditions) and
 * monitor_update.c (row updates, and sending them to a session that reads
 * slowly) share.  Not for other modules. */
#ifndef SLUICE_OVSDB_MONITOR_INTERNAL_H
#define SLUICE_OVSDB_MONITOR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ovsdb/condition.h"
#include "ovsdb/server_internal.h"
#include "src/util/hmap.h"

struct osrv_mtable {
    const struct ovsdb_table_schema *ts;
    unsigned int *cols;
    size_t n_cols;
    bool initial, insert, delete_, modify;
    /* monitor_cond: a row is monitored if 'all' or if it matches one of
     * the 'conds' (each one clause of a "where"). */
    bool all;
    struct ovsdb_condition *conds;
    size_t n_conds;
};

struct osrv_mjob;

/* Owned by its session.  While the session's send queue is busy, the
 * changes of its commits are not sent but held in 'pending', one entry
 * per row (struct osrv_mrow, keyed by UUID) with the row as the client
 * last heard of it; once the queue is empty they go out as one update
 * (as ovsdb-server does for a backlogged session).  'job' is the message
 * being written in parts (the initial reply, or held changes), if any. */
struct osrv_monitor {
    struct osrv_monitor *next;
    struct osrv_session *s;
    const struct osrv_db *db;
    json_t *id;
    struct osrv_mtable *tables;
    size_t n_tables;
    int version;                /* 1: update, 2: update2, 3: update3. */
    struct hmap pending;        /* struct osrv_mrow. */
    struct osrv_mjob *job;
};

/* ---- monitor.c ---- */

bool osrv_mtable_match(const struct osrv_mtable *,
                       const struct ovsdb_row *);

/* ---- monitor_update.c ---- */

/* The <row-update> (version 1) or <row-update2> of 'c' for 'mt' of 'm',
 * or NULL if the client is not to hear of it. */
json_t *osrv_row_update(const struct osrv_monitor *m,
                        const struct osrv_mtable *mt,
                        const struct ovsdb_row_change *c);
/* The monitored columns of 'row' whose values are not the default (the
 * <row> of update2's "initial" and "insert"). */
json_t *osrv_row_json2(const struct ovsdb_row *row,
                       const struct osrv_mtable *mt);
/* Adds row update 'ru' (stolen) of 'uuid' to 'updates' (<table-updates>),
 * under the table of 'mt'. */
void osrv_put_row_update(json_t *updates, const struct osrv_mtable *mt,
                         const struct ovsdb_uuid *uuid, json_t *ru);
/* Sends 'updates' (borrowed; nothing if empty) as "update", "update2" or
 * "update3". */
void osrv_send_updates(const struct osrv_monitor *m, json_t *updates);

/* Queues the reply to the monitor request with id 'req_id' (borrowed):
 * every monitored row now in the database (for monitor_cond_since, the
 * result [false, <last-txn-id>, ...]), written in parts. */
void osrv_monitor_send_initial(struct osrv_monitor *m,
                               const json_t *req_id);
/* Commit 'commit' for a monitor whose session is busy: holds its
 * changes. */
void osrv_monitor_hold(struct osrv_monitor *m,
                       const struct ovsdb_commit *commit);
/* True while 'm' holds changes or is writing a message. */
bool osrv_monitor_busy(const struct osrv_monitor *m);
/* Sends what 'm' holds (in parts, from the loop). */
void osrv_monitor_flush(struct osrv_monitor *m);
/* Brings the client of 'm' up to date now: every message queued for its
 * session is written to the send queue and what 'm' holds is sent. */
void osrv_monitor_settle(struct osrv_monitor *m);
/* Frees what 'm' holds; a message being written keeps what it needs. */
void osrv_monitor_out_destroy(struct osrv_monitor *m);

#endif
