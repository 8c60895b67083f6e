/* ovsdb/server_internal: what server.c and monitor.c share.  Not for
 * other modules. */
#ifndef SLUICE_OVSDB_SERVER_INTERNAL_H
#define SLUICE_OVSDB_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "db.h"
#include "uuid.h"

struct loop;
struct loop_timer;
struct ovsdb_log;
struct stream_rpc;

struct osrv_db {
    struct ovsdb_server *srv;
    struct ovsdb_db *db;
    struct ovsdb_log *log;          /* NULL for "_Server". */
    const char *name;               /* db->schema->name. */
    struct ovsdb_uuid last_txn_id;  /* Of the latest commit (update3);
                                     * zero before the first. */
};

struct osrv_monitor;

struct osrv_session {
    struct osrv_session *prev, *next;
    struct ovsdb_server *srv;
    struct stream_rpc *rpc;
    struct osrv_monitor *monitors;
    bool db_change_aware;           /* "set_db_change_aware". */
};

/* ---- monitor.c ---- */

/* "monitor" (version 1), "monitor_cond" (2) or "monitor_cond_since" (3,
 * with 'last_txn_id'): parses 'requests' for 'db', registers the monitor
 * under 'id' in 's' and returns NULL with the reply's result in
 * '*result'; or returns an error object. */
json_t *osrv_monitor_create(struct osrv_session *s, struct osrv_db *db,
                            int version, const json_t *id,
                            const json_t *requests,
                            const json_t *last_txn_id, json_t **result);
/* "monitor_cond_change": new conditions for the tables in 'requests' of
 * monitor 'old_id', renamed 'new_id'; rows that now match (or no longer
 * do) are sent first as "insert" (or "delete").  Returns NULL or an
 * error object (then nothing changed). */
json_t *osrv_monitor_cond_change(struct osrv_session *s,
                                 const json_t *old_id, const json_t *new_id,
                                 const json_t *requests);
/* "monitor_cancel": returns 0, or -ENOENT if 's' has no monitor 'id'. */
int osrv_monitor_cancel(struct osrv_session *s, const json_t *id);
/* Drops the monitors of 's' (all, or those on 'db' if nonnull). */
void osrv_monitor_destroy_all(struct osrv_session *s,
                              const struct osrv_db *db);
/* Sends "update" notifications for 'commit' to every monitor of 's' on
 * 'db'. */
void osrv_monitor_commit(struct osrv_session *s, const struct osrv_db *db,
                         const struct ovsdb_commit *commit);

#endif
