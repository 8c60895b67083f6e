/* ovsdb/server_internal: what server.c and monitor.c share.  Not for
 * other modules. */
#ifndef SLUICE_OVSDB_SERVER_INTERNAL_H
#define SLUICE_OVSDB_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "db.h"

struct loop;
struct loop_timer;
struct ovsdb_log;
struct stream_rpc;

struct osrv_db {
    struct ovsdb_server *srv;
    struct ovsdb_db *db;
    struct ovsdb_log *log;
    const char *name;               /* db->schema->name. */
};

struct osrv_monitor;

struct osrv_session {
    struct osrv_session *prev, *next;
    struct ovsdb_server *srv;
    struct stream_rpc *rpc;
    struct osrv_monitor *monitors;
};

/* ---- monitor.c ---- */

/* "monitor": parses 'requests' for 'db', registers the monitor under
 * 'id' in 's' and returns NULL with the initial table-updates in
 * '*result'; or returns an error object. */
json_t *osrv_monitor_create(struct osrv_session *s, struct osrv_db *db,
                            const json_t *id, const json_t *requests,
                            json_t **result);
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
