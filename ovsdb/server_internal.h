/* ovsdb/server_internal: what server.c and monitor.c share.  Not for
 * other modules. */
#ifndef SLUICE_OVSDB_SERVER_INTERNAL_H
#define SLUICE_OVSDB_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "ovsdb/db.h"
#include "ovsdb/uuid.h"

struct loop;
struct loop_timer;
struct ovsdb_log;
struct stream_rpc;

/* Transaction history for monitor_cond_since (history.c): the last
 * OSRV_HISTORY_TXNS commits, at most OSRV_HISTORY_ROWS changed rows in
 * all (the oldest go first). */
#define OSRV_HISTORY_TXNS 100
#define OSRV_HISTORY_ROWS 10000

struct osrv_hist_entry;

struct osrv_db {
    struct ovsdb_server *srv;
    struct ovsdb_db *db;
    struct ovsdb_log *log;          /* NULL for "_Server". */
    const char *name;               /* db->schema->name. */
    struct ovsdb_uuid last_txn_id;  /* Of the latest commit (update3);
                                     * zero before the first. */
    struct osrv_hist_entry *hist;   /* Ring of OSRV_HISTORY_TXNS. */
    size_t hist_head, hist_n;
    size_t hist_rows;               /* Rows in all entries. */
};

struct osrv_monitor;
struct osrv_blocked;
struct osrv_durable;
struct osrv_lock;
struct ovsdb_remote;
struct jsonrpc_msg;

struct ovsdb_server {
    struct loop *loop;
    struct osrv_db **dbs;
    size_t n_dbs;
    struct ovsdb_remote *remotes;   /* remote.c */
    struct osrv_session *sessions;
    size_t n_sessions;
    struct osrv_blocked *blocked;
    struct osrv_durable *durables;
    struct osrv_lock *locks;
    struct osrv_db *server_db;      /* "_Server", in memory only. */
    struct ovsdb_uuid server_id;    /* "get_server_id". */
    struct loop_timer *kick;        /* Retry blocked txns, compact. */
    unsigned int compact_factor;    /* 0: the log's default policy. */
    off_t compact_min;
    uint64_t stall_ms;              /* Sessions: 0 the default. */
    bool monitor_cond_disabled;     /* ovsdb-server/disable-monitor-cond */
    bool destroying;
};

struct osrv_session {
    struct osrv_session *prev, *next;
    struct ovsdb_server *srv;
    struct stream_rpc *rpc;
    struct ovsdb_remote *remote;    /* Where it came from, or NULL. */
    struct osrv_monitor *monitors;
    bool db_change_aware;           /* "set_db_change_aware". */
};

/* ---- server.c ---- */

/* A new session on 'rpc' (its aux becomes the session), or NULL (then
 * 'rpc' was closed). */
struct osrv_session *osrv_session_create(struct ovsdb_server *,
                                         struct stream_rpc *,
                                         struct ovsdb_remote *);
/* Forgets 's' and closes its stream. */
void osrv_session_close(struct osrv_session *s);
/* The stream_rpc callbacks of every session (aux: the session). */
void osrv_handle_msg(struct stream_rpc *, const struct jsonrpc_msg *,
                     json_t *, void *s);
void osrv_handle_close(struct stream_rpc *, int error, const char *reason,
                       void *s);
/* The send queue of 's' emptied: monitors send what they held. */
void osrv_handle_idle(struct stream_rpc *, void *s);

/* ---- history.c ---- */

/* Records commit 'c', whose id is already in db->last_txn_id. */
void osrv_history_add(struct osrv_db *, const struct ovsdb_commit *c);
void osrv_history_clear(struct osrv_db *);
void osrv_history_destroy(struct osrv_db *);

/* The net effect of the transactions after 'id': one change per row,
 * 'old' as it was before them (NULL if inserted), 'new' as it is now
 * (NULL if deleted), 'changed' per column. */
struct osrv_net_changes {
    struct ovsdb_row_change *changes;
    size_t n;
};
/* False if 'id' is not in the history. */
bool osrv_history_since(const struct osrv_db *, const struct ovsdb_uuid *id,
                        struct osrv_net_changes *);
void osrv_net_changes_free(struct osrv_net_changes *);

/* ---- remote.c ---- */

/* Session 's' of 'r' is going away; 'reason' (may be NULL) says why. */
void osrv_remote_session_gone(struct ovsdb_remote *r,
                              struct osrv_session *s, const char *reason);
/* Closes every remote (at server destruction). */
void osrv_remotes_close_all(struct ovsdb_server *);

/* ---- monitor.c ---- */

/* "monitor" (version 1), "monitor_cond" (2) or "monitor_cond_since" (3,
 * with 'last_txn_id'): parses 'requests' for 'db', registers the monitor
 * under 'id' in 's' and returns NULL with the reply's result in
 * '*result', or with NULL there if it queued the reply (to request
 * 'req_id') itself: every row, a long message written in parts.  Or
 * returns an error object. */
json_t *osrv_monitor_create(struct osrv_session *s, struct osrv_db *db,
                            const json_t *req_id, int version,
                            const json_t *id,
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
 * 'db', or, while the client has not taken what it was sent, holds the
 * changes (coalesced per row) until osrv_monitor_flush_all(). */
void osrv_monitor_commit(struct osrv_session *s, const struct osrv_db *db,
                         const struct ovsdb_commit *commit);
/* Sends what the monitors of 's' held (as one update each). */
void osrv_monitor_flush_all(struct osrv_session *s);

#endif
