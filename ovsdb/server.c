/* ovsdb/server: JSON-RPC sessions, databases and the RFC 7047 methods
 * other than monitoring (ovsdb/monitor.c). */
#include "ovsdb/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ovsdb/error.h"
#include "ovsdb/log.h"
#include "ovsdb/schema.h"
#include "ovsdb/server_internal.h"
#include "ovsdb/txn.h"
#include "ovsdb/uuid.h"
#include "src/util/loop.h"
#include "src/util/stream_rpc.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_server);

/* A "transact" blocked on a "wait". */
struct osrv_blocked {
    struct osrv_blocked *next;
    struct ovsdb_server *srv;
    struct osrv_session *s;
    struct osrv_db *db;
    json_t *id;
    json_t *ops;
    uint64_t start_ms;
    struct loop_timer *timer;
};

/* A named lock of RFC 7047 4.1.8-4.1.10: the queue of sessions that
 * asked for it; the first one owns it. */
struct osrv_lock {
    struct osrv_lock *next;
    char *name;
    struct osrv_session **queue;
    size_t n, allocated;
};

/* A reply held back until its durable commit is on disk. */
struct osrv_durable {
    struct osrv_durable *prev, *next;
    struct ovsdb_server *srv;
    struct osrv_session *s;         /* NULL once the session closed. */
    json_t *reply;
};

static void schedule_kick(struct ovsdb_server *);
static void locks_release_all(struct osrv_session *);

/* The "_Server" database of Open vSwitch's ovsdb-server(5): a
 * "Database" row per served database, so that clients (the OVS IDL,
 * ovs-vsctl) find each database's schema and state. */
static const char SERVER_SCHEMA[] =
    "{\"name\": \"_Server\", \"version\": \"1.2.0\", "
    "\"cksum\": \"3009684573 744\", \"tables\": {"
    " \"Database\": {\"columns\": {"
    "  \"name\": {\"type\": \"string\"},"
    "  \"model\": {\"type\": {\"key\": {\"type\": \"string\", "
    "   \"enum\": [\"set\", [\"standalone\", \"clustered\", \"relay\"]]}}},"
    "  \"connected\": {\"type\": \"boolean\"},"
    "  \"leader\": {\"type\": \"boolean\"},"
    "  \"schema\": {\"type\": {\"key\": \"string\", \"min\": 0, "
    "   \"max\": 1}},"
    "  \"cid\": {\"type\": {\"key\": \"uuid\", \"min\": 0, \"max\": 1}},"
    "  \"sid\": {\"type\": {\"key\": \"uuid\", \"min\": 0, \"max\": 1}},"
    "  \"index\": {\"type\": {\"key\": \"integer\", \"min\": 0, "
    "   \"max\": 1}}}}}}";

static void on_commit(struct ovsdb_db *, const struct ovsdb_commit *,
                      void *odb_);

static struct osrv_db *
server_db_create(struct ovsdb_server *srv)
{
    struct ovsdb_schema *schema;
    json_t *json = json_loads(SERVER_SCHEMA, 0, NULL);
    json_t *err = json ? ovsdb_schema_from_json(&schema, json) : NULL;
    json_decref(json);
    if (!json || err) {
        VLOG_ERR("_Server schema: %s", err ? ovsdb_error_details(err)
                                           : "not JSON");
        json_decref(err);
        return NULL;
    }
    struct osrv_db *odb = calloc(1, sizeof *odb);
    if (!odb || !(odb->db = ovsdb_db_create(schema))) {
        if (!odb) {
            ovsdb_schema_destroy(schema);
        }
        free(odb);
        return NULL;
    }
    odb->srv = srv;
    odb->name = odb->db->schema->name;
    ovsdb_db_add_commit_cb(odb->db, on_commit, odb);
    return odb;
}

/* Adds the "_Server" "Database" row of 'odb'. */
static void
server_db_add(struct ovsdb_server *srv, const struct osrv_db *odb)
{
    json_t *schema = ovsdb_schema_to_json(odb->db->schema);
    char *text = json_dumps(schema, JSON_COMPACT);
    json_t *ops = json_pack("[{s:s, s:s, s:{s:s, s:s, s:b, s:b, s:s}}]",
                            "op", "insert", "table", "Database", "row",
                            "name", odb->name, "model", "standalone",
                            "connected", true, "leader", true,
                            "schema", text ? text : "");
    json_t *err = ops ? ovsdb_txn_local(srv->server_db->db, ops, NULL)
                      : NULL;
    if (err || !ops) {
        VLOG_ERR("_Server: cannot add database %s: %s", odb->name,
                 err ? ovsdb_error_details(err) : "out of memory");
    }
    json_decref(err);
    json_decref(ops);
    free(text);
    json_decref(schema);
}

struct ovsdb_server *
ovsdb_server_create(struct loop *loop)
{
    struct ovsdb_server *srv = calloc(1, sizeof *srv);
    if (srv) {
        srv->loop = loop;
        ovsdb_uuid_generate(&srv->server_id);
        srv->server_db = server_db_create(srv);
        if (!srv->server_db) {
            free(srv);
            return NULL;
        }
        /* As ovsdb-server: _Server lists itself too. */
        server_db_add(srv, srv->server_db);
    }
    return srv;
}

static void
session_destroy(struct osrv_session *s, const char *reason)
{
    struct ovsdb_server *srv = s->srv;

    if (s->remote) {
        osrv_remote_session_gone(s->remote, s, reason);
    }

    osrv_monitor_destroy_all(s, NULL);
    locks_release_all(s);
    for (struct osrv_durable *d = srv->durables; d; d = d->next) {
        if (d->s == s) {
            d->s = NULL;
        }
    }
    for (struct osrv_blocked *b = srv->blocked; b; b = b->next) {
        if (b->s == s) {
            b->s = NULL;        /* Dropped on the next retry. */
            schedule_kick(srv);
        }
    }
    if (s->prev) {
        s->prev->next = s->next;
    } else {
        srv->sessions = s->next;
    }
    if (s->next) {
        s->next->prev = s->prev;
    }
    srv->n_sessions--;
    free(s);
}

static void
blocked_free(struct osrv_blocked *b)
{
    if (b->timer) {
        loop_cancel_timer(b->srv->loop, b->timer);
    }
    json_decref(b->id);
    json_decref(b->ops);
    free(b);
}

void
ovsdb_server_destroy(struct ovsdb_server *srv)
{
    if (!srv) {
        return;
    }
    srv->destroying = true;
    osrv_remotes_close_all(srv);
    while (srv->sessions) {
        osrv_session_close(srv->sessions);
    }
    while (srv->blocked) {
        struct osrv_blocked *b = srv->blocked;
        srv->blocked = b->next;
        blocked_free(b);
    }
    if (srv->kick) {
        loop_cancel_timer(srv->loop, srv->kick);
    }
    for (size_t i = 0; i < srv->n_dbs; i++) {
        struct osrv_db *odb = srv->dbs[i];
        ovsdb_log_close(odb->log);      /* Runs the durable callbacks. */
        osrv_history_destroy(odb);
        ovsdb_db_destroy(odb->db);
        free(odb);
    }
    free(srv->dbs);
    osrv_history_destroy(srv->server_db);
    ovsdb_db_destroy(srv->server_db->db);
    free(srv->server_db);
    free(srv);
}

/* ---- Databases ---------------------------------------------------------- */

static long long
wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void kick_cb(void *srv_);

static void
schedule_kick(struct ovsdb_server *srv)
{
    if (!srv->kick && !srv->destroying) {
        srv->kick = loop_add_timer(srv->loop, 0, false, kick_cb, srv);
    }
}

static void
on_commit(struct ovsdb_db *db, const struct ovsdb_commit *c, void *odb_)
{
    struct osrv_db *odb = odb_;
    (void) db;

    ovsdb_uuid_generate(&odb->last_txn_id);
    osrv_history_add(odb, c);
    for (struct osrv_session *s = odb->srv->sessions; s; s = s->next) {
        osrv_monitor_commit(s, odb, c);
    }
    schedule_kick(odb->srv);
}

/* The journal writer of a served database: a commit whose record cannot
 * be appended is refused (rolled back) with an "I/O error". */
static json_t *
journal_write(struct ovsdb_db *db, const json_t *record, void *odb_)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 10);
    struct osrv_db *odb = odb_;
    (void) db;

    int error = ovsdb_log_append(odb->log, record);
    if (!error) {
        return NULL;
    }
    VLOG_ERR_RL(&rl, "%s: cannot append to the journal, transaction "
                "refused: %s", ovsdb_log_path(odb->log), strerror(-error));
    return ovsdb_error(OVSDB_E_IO, "%s: cannot write the database "
                       "journal: %s", ovsdb_log_path(odb->log),
                       strerror(-error));
}

int
ovsdb_server_open_db(struct ovsdb_server *srv, const char *path,
                     char **errp)
{
    struct ovsdb_log *log;
    struct ovsdb_schema *schema;
    json_t *record, *err;
    int error;

    *errp = NULL;
    error = ovsdb_log_open(path, OVSDB_LOG_READ_WRITE, &log, errp);
    if (error) {
        if (!*errp && asprintf(errp, "%s: %s", path, strerror(-error)) < 0) {
            *errp = NULL;
        }
        return error;
    }
    err = ovsdb_schema_from_json(&schema, ovsdb_log_schema(log));
    if (err) {
        if (asprintf(errp, "%s: bad schema: %s: %s", path,
                     ovsdb_error_tag(err), ovsdb_error_details(err)) < 0) {
            *errp = NULL;
        }
        json_decref(err);
        ovsdb_log_close(log);
        return -EBADMSG;
    }
    if (ovsdb_server_find_db(srv, schema->name)) {
        if (asprintf(errp, "%s: database %s is already served", path,
                     schema->name) < 0) {
            *errp = NULL;
        }
        ovsdb_schema_destroy(schema);
        ovsdb_log_close(log);
        return -EEXIST;
    }
    struct ovsdb_db *db = ovsdb_db_create(schema);
    size_t n = 0;
    for (;;) {
        error = ovsdb_log_read(log, &record);
        if (error || !record) {
            break;
        }
        err = ovsdb_txn_apply_record(db, record);
        json_decref(record);
        if (err) {
            if (asprintf(errp, "%s: record %zu: %s: %s", path, n + 1,
                         ovsdb_error_tag(err),
                         ovsdb_error_details(err)) < 0) {
                *errp = NULL;
            }
            json_decref(err);
            error = -EBADMSG;
            break;
        }
        n++;
    }
    if (error) {
        if (!*errp && asprintf(errp, "%s: %s", path, strerror(-error)) < 0) {
            *errp = NULL;
        }
        ovsdb_db_destroy(db);
        ovsdb_log_close(log);
        return error;
    }

    struct osrv_db *odb = calloc(1, sizeof *odb);
    struct osrv_db **dbs = realloc(srv->dbs, (srv->n_dbs + 1) * sizeof *dbs);
    if (!odb || !dbs) {
        free(odb);
        if (dbs) {
            srv->dbs = dbs;
        }
        ovsdb_db_destroy(db);
        ovsdb_log_close(log);
        return -ENOMEM;
    }
    odb->srv = srv;
    odb->db = db;
    odb->log = log;
    odb->name = db->schema->name;
    srv->dbs = dbs;
    srv->dbs[srv->n_dbs++] = odb;
    ovsdb_db_set_journal(db, journal_write, odb);
    if (srv->compact_factor) {
        ovsdb_log_set_compact_policy(log, srv->compact_factor,
                                     srv->compact_min);
    }
    ovsdb_db_add_commit_cb(db, on_commit, odb);
    error = ovsdb_log_attach_loop(log, srv->loop);
    if (error) {
        VLOG_WARN("%s: cannot watch the journal's fsync thread: %s",
                  path, strerror(-error));
    }
    server_db_add(srv, odb);
    VLOG_INFO("%s: serving database %s (%zu records replayed)", path,
              odb->name, n);
    return 0;
}

static struct osrv_db *
find_odb(const struct ovsdb_server *srv, const char *name)
{
    for (size_t i = 0; i < srv->n_dbs; i++) {
        if (!strcmp(srv->dbs[i]->name, name)) {
            return srv->dbs[i];
        }
    }
    if (!strcmp(srv->server_db->name, name)) {
        return srv->server_db;
    }
    return NULL;
}

struct ovsdb_db *
ovsdb_server_find_db(const struct ovsdb_server *srv, const char *name)
{
    struct osrv_db *odb = find_odb(srv, name);
    return odb ? odb->db : NULL;
}

size_t
ovsdb_server_n_dbs(const struct ovsdb_server *srv)
{
    return srv->n_dbs;
}

const char *
ovsdb_server_db_name(const struct ovsdb_server *srv, size_t i)
{
    return i < srv->n_dbs ? srv->dbs[i]->name : NULL;
}

size_t
ovsdb_server_n_sessions(const struct ovsdb_server *srv)
{
    return srv->n_sessions;
}

/* ---- Listeners and sessions -------------------------------------------- */

struct osrv_session *
osrv_session_create(struct ovsdb_server *srv, struct stream_rpc *rpc,
                    struct ovsdb_remote *remote)
{
    struct osrv_session *s = calloc(1, sizeof *s);
    if (!s) {
        stream_rpc_close(rpc);
        return NULL;
    }
    s->srv = srv;
    s->rpc = rpc;
    s->remote = remote;
    s->next = srv->sessions;
    if (s->next) {
        s->next->prev = s;
    }
    srv->sessions = s;
    srv->n_sessions++;
    stream_rpc_set_aux(rpc, s);
    VLOG_DBG("%s: new session", stream_rpc_name(rpc));
    return s;
}

void
osrv_session_close(struct osrv_session *s)
{
    struct stream_rpc *rpc = s->rpc;
    session_destroy(s, NULL);
    stream_rpc_close(rpc);
}

void
osrv_handle_close(struct stream_rpc *rpc, int error, const char *reason,
                  void *s_)
{
    struct osrv_session *s = s_;
    if (error) {
        VLOG_INFO("%s: closing session: %s", stream_rpc_name(rpc), reason);
    }
    if (s && s->rpc == rpc) {
        session_destroy(s, error ? reason : "connection closed by peer");
    }
}

static void
send_msg(struct osrv_session *s, json_t *msg)
{
    if (!json_is_null(json_object_get(msg, "error"))
        && json_is_null(json_object_get(msg, "result"))) {
        /* As ovsdb-server: an error reply has no "result". */
        json_object_del(msg, "result");
    }
    if (s && !stream_rpc_is_closing(s->rpc)) {
        stream_rpc_send(s->rpc, msg);
    }
    json_decref(msg);
}

static void
send_error(struct osrv_session *s, const json_t *id, json_t *error)
{
    send_msg(s, jsonrpc_error(error, id));
}

/* The database named by params[0], or NULL after replying. */
static struct osrv_db *
params_db(struct osrv_session *s, const struct jsonrpc_msg *m)
{
    json_t *name = json_array_get(m->params, 0);
    if (!json_is_string(name)) {
        send_error(s, m->id, ovsdb_error_syntax(
                       ovsdb_error(OVSDB_E_SYNTAX, "%s request params must "
                                   "begin with <db-name>", m->method),
                       m->params));
        return NULL;
    }
    struct osrv_db *odb = find_odb(s->srv, json_string_value(name));
    if (!odb) {
        send_error(s, m->id, ovsdb_error_syntax(
                       ovsdb_error("unknown database", "%s request specifies "
                                   "unknown database %s", m->method,
                                   json_string_value(name)), m->params));
    }
    return odb;
}

/* ---- Locks (RFC 7047 4.1.8-4.1.10) ------------------------------------- */

static struct osrv_lock *
lock_find(const struct ovsdb_server *srv, const char *name)
{
    for (struct osrv_lock *l = srv->locks; l; l = l->next) {
        if (!strcmp(l->name, name)) {
            return l;
        }
    }
    return NULL;
}

/* Index of 's' in the queue of 'l', or -1. */
static long
lock_index(const struct osrv_lock *l, const struct osrv_session *s)
{
    for (size_t i = 0; l && i < l->n; i++) {
        if (l->queue[i] == s) {
            return (long) i;
        }
    }
    return -1;
}

static void
lock_notify(struct osrv_session *s, const char *method, const char *name)
{
    if (!s->srv->destroying) {
        json_t *params = json_pack("[s]", name);
        send_msg(s, jsonrpc_request(method, params, NULL));
    }
}

/* Removes 's' from the queue of 'l' (frees 'l' if it empties); whoever
 * then owns the lock is told it holds it. */
static void
lock_remove(struct ovsdb_server *srv, struct osrv_lock *l,
            const struct osrv_session *s)
{
    long i = lock_index(l, s);
    if (i < 0) {
        return;
    }
    memmove(&l->queue[i], &l->queue[i + 1],
            (l->n - (size_t) i - 1) * sizeof *l->queue);
    l->n--;
    if (!l->n) {
        struct osrv_lock **p = &srv->locks;
        while (*p != l) {
            p = &(*p)->next;
        }
        *p = l->next;
        free(l->queue);
        free(l->name);
        free(l);
    } else {
        /* As ovsdb-server: the owner hears "locked" again whenever a
         * session leaves the line, not only when it becomes the owner. */
        lock_notify(l->queue[0], "locked", l->name);
    }
}

static void
locks_release_all(struct osrv_session *s)
{
    struct osrv_lock *l = s->srv->locks;
    while (l) {
        struct osrv_lock *next = l->next;
        lock_remove(s->srv, l, s);
        l = next;
    }
}

/* ovsdb_lock_owned_cb for "assert". */
static bool
lock_owned(const char *name, void *s_)
{
    struct osrv_session *s = s_;
    struct osrv_lock *l = lock_find(s->srv, name);
    return l && l->n && l->queue[0] == s;
}

/* "lock", "steal" and "unlock": params [LOCK-NAME]. */
static void
do_lock(struct osrv_session *s, const struct jsonrpc_msg *m)
{
    struct ovsdb_server *srv = s->srv;
    const char *name = json_string_value(json_array_get(m->params, 0));
    bool steal = !strcmp(m->method, "steal");

    if (json_array_size(m->params) != 1 || !ovsdb_is_id(name)) {
        send_error(s, m->id, ovsdb_error_syntax(
                       ovsdb_error(OVSDB_E_SYNTAX, "%s request params must "
                                   "be <id>", m->method), m->params));
        return;
    }
    struct osrv_lock *l = lock_find(srv, name);
    if (!strcmp(m->method, "unlock")) {
        if (lock_index(l, s) < 0) {
            send_error(s, m->id, ovsdb_error_syntax(
                           ovsdb_error(OVSDB_E_SYNTAX, "unlock: \"unlock\" "
                                       "without \"lock\" or \"steal\""),
                           m->params));
            return;
        }
        lock_remove(srv, l, s);
        send_msg(s, jsonrpc_reply(json_object(), m->id));
        return;
    }
    if (lock_index(l, s) >= 0) {
        send_error(s, m->id, ovsdb_error_syntax(
                       ovsdb_error(OVSDB_E_SYNTAX, "must issue \"unlock\" "
                                   "before new \"%s\"", m->method),
                       m->params));
        return;
    }
    if (!l) {
        l = calloc(1, sizeof *l);
        if (!l || !(l->name = strdup(name))
            || !(l->queue = calloc(4, sizeof *l->queue))) {
            if (l) {
                free(l->name);
            }
            free(l);
            send_error(s, m->id, ovsdb_error(OVSDB_E_RESOURCES, NULL));
            return;
        }
        l->allocated = 4;
        l->next = srv->locks;
        srv->locks = l;
    }
    long at = lock_index(l, s);
    if (at < 0 && l->n == l->allocated) {
        size_t n = l->allocated ? 2 * l->allocated : 4;
        struct osrv_session **q = realloc(l->queue, n * sizeof *q);
        if (!q) {
            send_error(s, m->id, ovsdb_error(OVSDB_E_RESOURCES, NULL));
            return;
        }
        l->queue = q;
        l->allocated = n;
    }
    if (!steal) {
        l->queue[l->n++] = s;
        send_msg(s, jsonrpc_reply(json_pack("{s:b}", "locked", l->n == 1),
                                  m->id));
        return;
    }
    /* Steal: 's' moves (or comes) to the head; the previous owner stays
     * in line and is told it lost the lock. */
    struct osrv_session *victim = l->n ? l->queue[0] : NULL;
    if (at >= 0) {
        memmove(&l->queue[1], &l->queue[0], (size_t) at * sizeof *l->queue);
    } else {
        memmove(&l->queue[1], &l->queue[0], l->n * sizeof *l->queue);
        l->n++;
    }
    l->queue[0] = s;
    send_msg(s, jsonrpc_reply(json_pack("{s:b}", "locked", true), m->id));
    if (victim && victim != s) {
        lock_notify(victim, "stolen", name);
    }
}

/* ---- transact ----------------------------------------------------------- */

static void
durable_done(int error, void *d_)
{
    struct osrv_durable *d = d_;
    struct ovsdb_server *srv = d->srv;

    if (error) {
        json_t *result = json_object_get(d->reply, "result");
        json_array_append_new(result, ovsdb_error(OVSDB_E_IO, "fsync: %s",
                                                  strerror(-error)));
    }
    send_msg(d->s, d->reply);
    if (d->prev) {
        d->prev->next = d->next;
    } else {
        srv->durables = d->next;
    }
    if (d->next) {
        d->next->prev = d->prev;
    }
    free(d);
}

/* Runs 'ops' for 's' (may be NULL: the session is gone, the transaction
 * still runs).  Returns true if done (replied), false if blocked with
 * '*wait_ms' set. */
static bool
run_transact(struct osrv_session *s, struct osrv_db *odb, const json_t *id,
             const json_t *ops, uint64_t start_ms, long long *wait_ms)
{
    struct ovsdb_txn_opts opts = {
        .read_only = !odb->log,         /* _Server. */
        .lock_owned = s ? lock_owned : NULL,
        .lock_aux = s,
        .elapsed_ms = (long long) (loop_now_ms() - start_ms),
    };
    struct ovsdb_txn_result res;

    if (ovsdb_txn_execute(odb->db, ops, &opts, &res) == OVSDB_TXN_BLOCKED) {
        *wait_ms = res.wait_ms;
        ovsdb_txn_result_destroy(&res);
        return false;
    }
    json_t *reply = jsonrpc_reply(json_incref(res.result), id);
    if (res.committed && res.durable && odb->log) {
        struct osrv_durable *d = calloc(1, sizeof *d);
        if (d) {
            d->srv = odb->srv;
            d->s = s;
            d->reply = reply;
            d->next = odb->srv->durables;
            if (d->next) {
                d->next->prev = d;
            }
            odb->srv->durables = d;
            int error = ovsdb_log_sync_async(odb->log, durable_done, d);
            if (error) {
                durable_done(error, d);
            }
            ovsdb_txn_result_destroy(&res);
            return true;
        }
    }
    send_msg(s, reply);
    ovsdb_txn_result_destroy(&res);
    return true;
}

static void blocked_timer_cb(void *b_);

static void
blocked_arm(struct osrv_blocked *b, long long wait_ms)
{
    if (b->timer) {
        loop_cancel_timer(b->srv->loop, b->timer);
        b->timer = NULL;
    }
    if (wait_ms >= 0) {
        b->timer = loop_add_timer(b->srv->loop, (uint64_t) wait_ms + 1,
                                  false, blocked_timer_cb, b);
    }
}

/* Retries every blocked transaction. */
static void
retry_blocked(struct ovsdb_server *srv)
{
    struct osrv_blocked **prev = &srv->blocked;
    while (*prev) {
        struct osrv_blocked *b = *prev;
        long long wait_ms;
        if (!b->s) {
            *prev = b->next;
            blocked_free(b);
        } else if (run_transact(b->s, b->db, b->id, b->ops, b->start_ms,
                                &wait_ms)) {
            *prev = b->next;
            blocked_free(b);
        } else {
            blocked_arm(b, wait_ms);
            prev = &b->next;
        }
    }
}

static void
blocked_timer_cb(void *b_)
{
    struct osrv_blocked *b = b_;
    b->timer = NULL;            /* Freed by the loop. */
    retry_blocked(b->srv);
}

static void
compact_done(int error, void *odb_)
{
    struct osrv_db *odb = odb_;
    if (error) {
        VLOG_WARN("%s: compaction failed: %s", ovsdb_log_path(odb->log),
                  strerror(-error));
    }
}

/* Starts compacting 'odb' in the background: the snapshot is made now,
 * the file written by the log's thread. */
static int
compact_start(struct osrv_db *odb)
{
    json_t *snap = ovsdb_db_to_json(odb->db, wall_ms());
    off_t before = ovsdb_log_size(odb->log);
    int error = ovsdb_log_compact_start(odb->log, NULL, snap, compact_done,
                                        odb);
    if (!error) {
        VLOG_INFO("%s: compacting (%jd bytes)", ovsdb_log_path(odb->log),
                  (intmax_t) before);
    }
    return error;
}

static void
kick_cb(void *srv_)
{
    struct ovsdb_server *srv = srv_;
    srv->kick = NULL;
    retry_blocked(srv);
    for (size_t i = 0; i < srv->n_dbs; i++) {
        struct osrv_db *odb = srv->dbs[i];
        if (ovsdb_log_compact_due(odb->log)) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            int error = compact_start(odb);
            if (error) {
                VLOG_WARN_RL(&rl, "%s: cannot start compaction: %s",
                             ovsdb_log_path(odb->log), strerror(-error));
            }
        }
    }
}

int
ovsdb_server_compact(struct ovsdb_server *srv, const char *name)
{
    int error = 0;
    bool found = false;
    for (size_t i = 0; i < srv->n_dbs; i++) {
        struct osrv_db *odb = srv->dbs[i];
        if (!name || !strcmp(odb->name, name)) {
            int r = compact_start(odb);
            found = true;
            if (r) {
                error = r;
            }
        }
    }
    return found || !name ? error : -ENOENT;
}

void
ovsdb_server_set_compact_policy(struct ovsdb_server *srv,
                                unsigned int factor, off_t min_bytes)
{
    srv->compact_factor = factor;
    srv->compact_min = min_bytes;
    for (size_t i = 0; i < srv->n_dbs; i++) {
        ovsdb_log_set_compact_policy(srv->dbs[i]->log, factor, min_bytes);
    }
}

static void
do_transact(struct osrv_session *s, const struct jsonrpc_msg *m)
{
    struct osrv_db *odb = params_db(s, m);
    if (!odb) {
        return;
    }
    json_t *ops = json_array();
    for (size_t i = 1; i < json_array_size(m->params); i++) {
        json_array_append(ops, json_array_get(m->params, i));
    }
    uint64_t start = loop_now_ms();
    long long wait_ms;
    if (run_transact(s, odb, m->id, ops, start, &wait_ms)) {
        json_decref(ops);
        return;
    }
    struct osrv_blocked *b = calloc(1, sizeof *b);
    if (!b) {
        json_decref(ops);
        send_error(s, m->id, ovsdb_error(OVSDB_E_RESOURCES, NULL));
        return;
    }
    b->srv = s->srv;
    b->s = s;
    b->db = odb;
    b->id = json_incref(m->id);
    b->ops = ops;
    b->start_ms = start;
    struct osrv_blocked **tail = &s->srv->blocked;
    while (*tail) {
        tail = &(*tail)->next;
    }
    *tail = b;
    blocked_arm(b, wait_ms);
}

/* "cancel" (RFC 7047 4.1.4, a notification): the blocked "transact" with
 * id params[0] of this session is answered with the error "canceled". */
static void
do_cancel(struct osrv_session *s, const struct jsonrpc_msg *m)
{
    const json_t *id = json_array_get(m->params, 0);
    for (struct osrv_blocked **p = &s->srv->blocked; *p; p = &(*p)->next) {
        struct osrv_blocked *b = *p;
        if (b->s == s && id && json_equal(b->id, id)) {
            send_error(s, b->id, json_string("canceled"));
            *p = b->next;
            blocked_free(b);
            return;
        }
    }
}

/* ---- Dispatch ----------------------------------------------------------- */

void
osrv_handle_msg(struct stream_rpc *rpc, const struct jsonrpc_msg *m,
                json_t *json, void *s_)
{
    struct osrv_session *s = s_;
    (void) json;

    if (!s || s->rpc != rpc) {
        return;
    }
    if (m->type == JSONRPC_NOTIFY && !strcmp(m->method, "cancel")) {
        do_cancel(s, m);
        return;
    }
    if (m->type == JSONRPC_REPLY || m->type == JSONRPC_ERROR) {
        /* As ovsdb-server: a reply to a request never sent (the replies
         * to inactivity probes are taken by stream_rpc) ends the
         * session. */
        VLOG_INFO("%s: unexpected reply, closing the session",
                  stream_rpc_name(rpc));
        osrv_session_close(s);
        return;
    }
    if (m->type != JSONRPC_REQUEST) {
        return;                 /* Other notifications: ignored. */
    }
    const char *method = m->method;
    if (!strcmp(method, "list_dbs")) {
        json_t *names = json_array();
        for (size_t i = 0; i < s->srv->n_dbs; i++) {
            json_array_append_new(names, json_string(s->srv->dbs[i]->name));
        }
        json_array_append_new(names, json_string(s->srv->server_db->name));
        send_msg(s, jsonrpc_reply(names, m->id));
    } else if (!strcmp(method, "get_schema")) {
        struct osrv_db *odb = params_db(s, m);
        if (odb) {
            send_msg(s, jsonrpc_reply(
                         ovsdb_schema_to_json(odb->db->schema), m->id));
        }
    } else if (!strcmp(method, "transact")) {
        do_transact(s, m);
    } else if (!strcmp(method, "get_server_id")) {
        char text[OVSDB_UUID_LEN + 1];
        ovsdb_uuid_format(&s->srv->server_id, text);
        send_msg(s, jsonrpc_reply(json_string(text), m->id));
    } else if (!strcmp(method, "set_db_change_aware")) {
        const json_t *aware = json_array_get(m->params, 0);
        if (json_array_size(m->params) != 1 || !json_is_boolean(aware)) {
            send_error(s, m->id, ovsdb_error_syntax(
                           ovsdb_error(OVSDB_E_SYNTAX, "%s: true or false "
                                       "parameter expected", method),
                           m->params));
        } else {
            s->db_change_aware = json_is_true(aware);
            send_msg(s, jsonrpc_reply(json_object(), m->id));
        }
    } else if (!strcmp(method, "echo")) {
        send_msg(s, jsonrpc_reply(json_incref(m->params), m->id));
    } else if (!strcmp(method, "monitor") || !strcmp(method, "monitor_cond")
               || !strcmp(method, "monitor_cond_since")) {
        int version = !strcmp(method, "monitor") ? 1
                      : !strcmp(method, "monitor_cond") ? 2 : 3;
        struct osrv_db *odb = params_db(s, m);
        json_t *result, *err;
        if (!odb) {
            return;
        }
        /* As ovsdb-server: "monitor" ignores parameters after the third
         * (and 3.1 dies on one with two). */
        size_t n_params = json_array_size(m->params);
        if (version == 1 ? n_params < 3
                         : n_params != (version == 3 ? 4u : 3u)) {
            send_error(s, m->id, ovsdb_error_syntax(
                           ovsdb_error(OVSDB_E_SYNTAX, "invalid parameters"),
                           m->params));
            return;
        }
        err = osrv_monitor_create(s, odb, version,
                                  json_array_get(m->params, 1),
                                  json_array_get(m->params, 2),
                                  json_array_get(m->params, 3), &result);
        /* A catch-up (found, with changes) is followed by an empty
         * "update3" naming the latest transaction: Open vSwitch's Python
         * IDL (3.1) learns the id only from "update3", and would otherwise
         * name the old id again at its next reconnect and apply the same
         * set and map diffs twice (which undoes them). */
        json_t *catch_up = NULL;
        if (!err && version == 3 && json_is_true(json_array_get(result, 0))
            && json_object_size(json_array_get(result, 2))) {
            catch_up = json_pack("[OO{}]", json_array_get(m->params, 1),
                                 json_array_get(result, 1));
        }
        send_msg(s, err ? jsonrpc_error(err, m->id)
                        : jsonrpc_reply(result, m->id));
        if (catch_up) {
            send_msg(s, jsonrpc_request("update3", catch_up, NULL));
        }
    } else if (!strcmp(method, "monitor_cond_change")) {
        json_t *err = json_array_size(m->params) != 3
            ? ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "invalid "
                                             "parameters"), m->params)
            : osrv_monitor_cond_change(s, json_array_get(m->params, 0),
                                       json_array_get(m->params, 1),
                                       json_array_get(m->params, 2));
        send_msg(s, err ? jsonrpc_error(err, m->id)
                        : jsonrpc_reply(json_object(), m->id));
    } else if (!strcmp(method, "lock") || !strcmp(method, "steal")
               || !strcmp(method, "unlock")) {
        do_lock(s, m);
    } else if (!strcmp(method, "monitor_cancel")) {
        if (json_array_size(m->params) != 1) {
            send_error(s, m->id, json_string("invalid parameters"));
        } else if (osrv_monitor_cancel(s, json_array_get(m->params, 0))) {
            send_error(s, m->id, json_string("unknown monitor"));
        } else {
            send_msg(s, jsonrpc_reply(json_object(), m->id));
        }
    } else {
        send_error(s, m->id, json_string("unknown method"));
    }
}
