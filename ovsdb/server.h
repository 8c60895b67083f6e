/* ovsdb/server: the OVSDB JSON-RPC server (RFC 7047 core) run by the
 * control thread's loop.  It owns the databases it serves (each an
 * in-memory ovsdb_db rebuilt from, and journaled to, an ovsdb/log file,
 * plus "_Server" describing them), the named locks,
 * the listeners on its remotes, the client sessions, their monitors, the
 * "transact" requests blocked on a "wait", and the replies held back
 * until a durable commit's fsync completes.
 *
 * Methods: list_dbs, get_schema, transact, cancel, echo, monitor,
 * monitor_cancel, lock, steal, unlock (with the "locked" and "stolen"
 * notifications; "assert" in transact checks the session's locks), and
 * Open vSwitch's extensions: get_server_id, set_db_change_aware,
 * monitor_cond (update2), monitor_cond_change, monitor_cond_since
 * (update3), and the read-only "_Server" database.
 * Any other method gets the JSON-RPC error "unknown method"; a request
 * that names a database not served gets RFC 7047's "unknown database". */
#ifndef SLUICE_OVSDB_SERVER_H
#define SLUICE_OVSDB_SERVER_H

#include <stddef.h>

struct loop;
struct ovsdb_db;
struct ovsdb_server;
struct stream_ssl_ctx;

struct ovsdb_server *ovsdb_server_create(struct loop *);
/* Closes every session and listener, then the databases (waiting for
 * their pending fsyncs). */
void ovsdb_server_destroy(struct ovsdb_server *);

/* Opens the database file 'path' read-write (locked), replays its
 * records and serves it under its schema's name.  Returns 0 or a
 * negative errno with a message in '*errp' (free() it). */
int ovsdb_server_open_db(struct ovsdb_server *, const char *path,
                         char **errp);

/* Serves passive remote 'name' (punix:, ptcp:, pssl: with 'ssl').
 * Returns 0 or a negative errno with a message in 'err'. */
int ovsdb_server_add_remote(struct ovsdb_server *, const char *name,
                            struct stream_ssl_ctx *ssl,
                            char *err, size_t err_size);

/* The database named 'name' (may be "_Server"), or NULL (for the
 * in-process API).  ovsdb_server_n_dbs() counts the databases opened
 * from files, not "_Server". */
struct ovsdb_db *ovsdb_server_find_db(const struct ovsdb_server *,
                                      const char *name);
size_t ovsdb_server_n_dbs(const struct ovsdb_server *);
size_t ovsdb_server_n_sessions(const struct ovsdb_server *);

#endif
