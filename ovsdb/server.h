/* ovsdb/server: the OVSDB JSON-RPC server (RFC 7047 core) run by the
 * control thread's loop.  It owns the databases it serves (each an
 * in-memory ovsdb_db rebuilt from, and journaled to, an ovsdb/log file,
 * plus "_Server" describing them), the named locks,
 * its remotes (listeners and outgoing connections, ovsdb/remote.c), the
 * client sessions, their monitors, the
 * "transact" requests blocked on a "wait", and the replies held back
 * until a durable commit's fsync completes.
 *
 * Methods: list_dbs, get_schema, transact, cancel, echo, monitor,
 * monitor_cancel, lock, steal, unlock (with the "locked" and "stolen"
 * notifications; "assert" in transact checks the session's locks), and
 * Open vSwitch's extensions: get_server_id, set_db_change_aware,
 * monitor_cond (update2), monitor_cond_change, monitor_cond_since
 * (update3), and the read-only "_Server" database.
 * (monitor_cond and monitor_cond_since until
 * ovsdb_server_disable_monitor_cond()).
 * Any other method gets the JSON-RPC error "unknown method"; a request
 * that names a database not served gets RFC 7047's "unknown database". */
#ifndef SLUICE_OVSDB_SERVER_H
#define SLUICE_OVSDB_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct loop;
struct ovsdb_db;
struct ovsdb_remote;
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

/* ---- Remotes (ovsdb/remote.c) ------------------------------------------
 * A remote is where clients come from.  Passive ones (punix:, ptcp:,
 * pssl:) listen and serve every connection they accept; active ones
 * (unix:, tcp:, ssl:) connect out, serve OVSDB on that one connection, and
 * reconnect after a failure or a disconnection, waiting 1 s at first and
 * doubling up to 'max_backoff_ms'.  The sessions of a remote get its
 * inactivity probe: after 'probe_ms' with nothing received an "echo" is
 * sent, and if nothing arrives within another 'probe_ms' the session is
 * dropped. */
#define OVSDB_PROBE_DEFAULT UINT64_MAX
#define OVSDB_PROBE_DEFAULT_MS 5000
#define OVSDB_MAX_BACKOFF_DEFAULT_MS 8000

/* The largest request a session takes (ovsdb-server has no limit; a
 * legitimate transaction can pass 1 MB): a larger one closes the session,
 * logged. */
#define OVSDB_MAX_REQUEST (64u * 1024 * 1024)

struct ovsdb_remote_opts {
    /* OVSDB_PROBE_DEFAULT: OVSDB_PROBE_DEFAULT_MS, except none for unix
     * sockets (as in Open vSwitch, whose punix remotes are not probed);
     * 0: none. */
    uint64_t probe_ms;
    uint64_t max_backoff_ms;            /* 0: the default. */
    struct stream_ssl_ctx *ssl;         /* For ssl: and pssl:. */
};

/* What Open vSwitch reports in Manager.status and is_connected. */
struct ovsdb_remote_status {
    bool is_connected;          /* Active: connected; passive: at least one
                                 * session. */
    const char *state;          /* Active: "BACKOFF", "CONNECTING",
                                 * "ACTIVE"; passive: "LISTENING". */
    const char *last_error;     /* Why the last connection failed or
                                 * closed, or NULL. */
    unsigned int n_connections; /* Sessions now. */
    uint16_t bound_port;        /* Passive tcp/ssl. */
    long long sec_since_connect;    /* -1 if never. */
    long long sec_since_disconnect; /* -1 if never. */
};

/* Opens remote 'name' with 'opts' (NULL: all defaults).  A passive remote
 * that cannot listen fails; an active one that cannot connect yet still
 * succeeds and keeps trying.  Returns 0 (with '*remotep' if nonnull) or a
 * negative errno with a message in 'err'. */
int ovsdb_server_open_remote(struct ovsdb_server *, const char *name,
                             const struct ovsdb_remote_opts *,
                             struct ovsdb_remote **remotep,
                             char *err, size_t err_size);
/* Stops listening or connecting and closes the remote's sessions. */
void ovsdb_server_close_remote(struct ovsdb_server *, struct ovsdb_remote *);
void ovsdb_remote_get_status(const struct ovsdb_remote *,
                             struct ovsdb_remote_status *);
const char *ovsdb_remote_name(const struct ovsdb_remote *);

/* Serves passive remote 'name' (punix:, ptcp:, pssl: with 'ssl') with the
 * default probe.  Returns 0 or a negative errno with a message in
 * 'err'. */
int ovsdb_server_add_remote(struct ovsdb_server *, const char *name,
                            struct stream_ssl_ctx *ssl,
                            char *err, size_t err_size);

/* A client whose send queue takes nothing for 'ms' (0: 60 s, the
 * default; UINT64_MAX: never) is dropped, logged and counted.  One that
 * reads, however slowly, is kept: long replies are written in parts and
 * monitors hold changes for it (coalesced per row) while it is busy. */
void ovsdb_server_set_stall_timeout(struct ovsdb_server *, uint64_t ms);

/* ovsdb-server/disable-monitor-cond: from now on "monitor_cond" and
 * "monitor_cond_since" are unknown methods, and every session is
 * dropped now (active remotes connect again), so that clients reconnect
 * and fall back to "monitor", as with ovsdb-server. */
void ovsdb_server_disable_monitor_cond(struct ovsdb_server *);

/* Compaction: the journal is compacted automatically, off the loop,
 * when it has grown past 'factor' times its size after the last
 * compaction and past 'min_bytes' (defaults: 4 and 10 MiB, as
 * ovsdb-server).  ovsdb_server_compact() starts it now for database
 * 'name' (NULL: all); returns 0, -ENOENT (no such database) or -EBUSY (a
 * compaction is running).  Either way the new file replaces the old one
 * once written and fsynced. */
int ovsdb_server_compact(struct ovsdb_server *, const char *name);
void ovsdb_server_set_compact_policy(struct ovsdb_server *,
                                     unsigned int factor, off_t min_bytes);

/* The database named 'name' (may be "_Server"), or NULL (for the
 * in-process API).  ovsdb_server_n_dbs() counts the databases opened
 * from files, not "_Server". */
struct ovsdb_db *ovsdb_server_find_db(const struct ovsdb_server *,
                                      const char *name);
size_t ovsdb_server_n_dbs(const struct ovsdb_server *);
/* The name of database 'i' (< ovsdb_server_n_dbs()) opened from a file. */
const char *ovsdb_server_db_name(const struct ovsdb_server *, size_t i);
size_t ovsdb_server_n_sessions(const struct ovsdb_server *);

#endif
