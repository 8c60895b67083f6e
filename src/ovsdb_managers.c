/* ovsdb_managers: Manager rows -> OVSDB remotes (see the header). */
#include "src/ovsdb_managers.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ovsdb/db.h"
#include "ovsdb/error.h"
#include "ovsdb/server.h"
#include "ovsdb/txn.h"
#include "ovsdb/uuid.h"
#include "src/util/loop.h"
#include "src/util/stream.h"
#include "src/util/stream_ssl.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_managers);

#define STATUS_INTERVAL_MS 1000

/* One opened target. */
struct mgr {
    struct ovsdb_uuid row;          /* The Manager row. */
    char *target;
    uint64_t probe_ms;              /* OVSDB_PROBE_DEFAULT if unset. */
    uint64_t max_backoff_ms;        /* 0 if unset. */
    struct ovsdb_remote *remote;    /* NULL if it could not be opened. */
    char *open_error;               /* Why not. */
    json_t *written;                /* Status last written, or NULL. */
    bool seen;                      /* Mark for reconcile(). */
};

struct ovsdb_managers {
    struct ovsdb_server *srv;
    struct loop *loop;
    struct stream_ssl_ctx *ssl;     /* The command line's, or NULL. */
    /* The SSL row's (Open_vSwitch.ssl): its files and the context made
     * from them, used instead of 'ssl' while the row names all three. */
    char *ssl_files[3];             /* Key, certificate, CA. */
    bool ssl_bootstrap;             /* SSL.bootstrap_ca_cert. */
    struct stream_ssl_ctx *db_ssl;
    /* Who else uses 'db_ssl' (ovsdb_managers_on_ssl()). */
    void (*ssl_cb)(struct stream_ssl_ctx *, void *aux);
    void *ssl_cb_aux;
    struct ovsdb_db *db;
    struct mgr *mgrs;
    size_t n_mgrs, cap_mgrs;
    struct loop_timer *reconcile_timer;     /* Deferred from commits. */
    struct loop_timer *status_timer;        /* Periodic. */
};

static const struct ovsdb_datum *
column(const struct ovsdb_row *row, const char *name)
{
    return ovsdb_row_get(row, name);
}

/* An optional integer column: its value, or 'dflt' if empty. */
static uint64_t
opt_int(const struct ovsdb_row *row, const char *name, uint64_t dflt)
{
    const struct ovsdb_datum *d = column(row, name);
    return d && d->n ? (uint64_t) (d->keys[0].integer < 0
                                   ? 0 : d->keys[0].integer)
                     : dflt;
}

static void
mgr_close(struct ovsdb_managers *m, struct mgr *g)
{
    if (g->remote) {
        ovsdb_server_close_remote(m->srv, g->remote);
    }
    free(g->target);
    free(g->open_error);
    json_decref(g->written);
}

static void
mgr_open(struct ovsdb_managers *m, struct mgr *g)
{
    struct ovsdb_remote_opts opts = {
        .probe_ms = g->probe_ms,
        .max_backoff_ms = g->max_backoff_ms,
        .ssl = m->db_ssl ? m->db_ssl : m->ssl,
    };
    char err[STREAM_ERR_LEN];
    int error = ovsdb_server_open_remote(m->srv, g->target, &opts,
                                         &g->remote, err, sizeof err);
    if (error) {
        VLOG_WARN("Manager %s: %s", g->target, err);
        g->open_error = strdup(err);
    } else {
        VLOG_INFO("Manager %s: opened (inactivity probe %s)", g->target,
                  g->probe_ms == OVSDB_PROBE_DEFAULT ? "default" : "set");
    }
}

static struct mgr *
find_mgr(struct ovsdb_managers *m, const char *target)
{
    for (size_t i = 0; i < m->n_mgrs; i++) {
        if (!strcmp(m->mgrs[i].target, target)) {
            return &m->mgrs[i];
        }
    }
    return NULL;
}

static bool
is_ssl_target(const char *target)
{
    return !strncmp(target, "ssl:", 4) || !strncmp(target, "pssl:", 5);
}

static bool
same_str(const char *a, const char *b)
{
    return a && b ? !strcmp(a, b) : a == b;
}

/* A string column of 'row' (NULL if empty). */
static const char *
opt_str(const struct ovsdb_row *row, const char *name)
{
    const struct ovsdb_datum *d = column(row, name);
    return d && d->n ? d->keys[0].string : NULL;
}

/* Follows the SSL row of Open_vSwitch.ssl, as ovsdb-server's
 * --private-key=db:Open_vSwitch,SSL,private_key (and certificate,
 * ca_cert) do: when its files change, a new TLS context serves the ssl:
 * and pssl: targets, which are opened again.  Returns true if it did. */
static bool
update_ssl(struct ovsdb_managers *m, const struct ovsdb_row *ovs_row)
{
    static const char *const cols[3] = {
        "private_key", "certificate", "ca_cert",
    };
    struct ovsdb_table *st = ovsdb_db_find_table(m->db, "SSL");
    const struct ovsdb_datum *ref = ovs_row ? column(ovs_row, "ssl") : NULL;
    const struct ovsdb_row *row = st && ref && ref->n
        ? ovsdb_table_find_row(st, &ref->keys[0].uuid) : NULL;
    const char *files[3] = { NULL, NULL, NULL };
    for (int i = 0; row && i < 3; i++) {
        files[i] = opt_str(row, cols[i]);
    }
    const struct ovsdb_datum *boot = row ? column(row, "bootstrap_ca_cert")
                                         : NULL;
    bool bootstrap = boot && boot->n && boot->keys[0].boolean;
    bool same = bootstrap == m->ssl_bootstrap;
    for (int i = 0; i < 3; i++) {
        same = same && same_str(files[i], m->ssl_files[i]);
    }
    if (same) {
        return false;
    }
    struct stream_ssl_ctx *ctx = NULL;
    if (files[0] && files[1] && files[2]) {
        char err[STREAM_ERR_LEN];
        if (stream_ssl_ctx_create_bootstrap(files[0], files[1], files[2],
                                            bootstrap, &ctx, err,
                                            sizeof err)) {
            VLOG_WARN("SSL row: %s; keeping the TLS settings in use", err);
            return false;
        }
        VLOG_INFO("TLS for ssl:/pssl: managers from the SSL row (%s%s)",
                  files[1], stream_ssl_ctx_bootstrapping(ctx)
                  ? "; CA certificate to be bootstrapped" : "");
    } else if (row) {
        VLOG_WARN("SSL row lacks private_key, certificate or ca_cert; "
                  "ssl:/pssl: managers use the command line's");
    }
    for (int i = 0; i < 3; i++) {
        free(m->ssl_files[i]);
        m->ssl_files[i] = files[i] ? strdup(files[i]) : NULL;
    }
    m->ssl_bootstrap = bootstrap;
    struct stream_ssl_ctx *old = m->db_ssl;
    m->db_ssl = ctx;
    /* Reopen the TLS targets before the old context goes. */
    for (size_t i = 0; i < m->n_mgrs; i++) {
        struct mgr *g = &m->mgrs[i];
        if (is_ssl_target(g->target)) {
            if (g->remote) {
                ovsdb_server_close_remote(m->srv, g->remote);
                g->remote = NULL;
            }
            free(g->open_error);
            g->open_error = NULL;
            mgr_open(m, g);
        }
    }
    if (m->ssl_cb) {
        m->ssl_cb(ctx, m->ssl_cb_aux);
    }
    stream_ssl_ctx_destroy(old);
    return true;
}

/* Opens, reopens and closes remotes to match the Manager rows. */
static void
reconcile(struct ovsdb_managers *m)
{
    struct ovsdb_table *ovs = ovsdb_db_find_table(m->db, "Open_vSwitch");
    struct ovsdb_table *mt = ovsdb_db_find_table(m->db, "Manager");
    const struct ovsdb_row *row;
    size_t pos;

    for (size_t i = 0; i < m->n_mgrs; i++) {
        m->mgrs[i].seen = false;
    }
    update_ssl(m, ovs ? ovsdb_table_first(ovs, &pos) : NULL);
    for (row = ovs ? ovsdb_table_first(ovs, &pos) : NULL; row && mt;
         row = ovsdb_table_next(ovs, row, &pos)) {
        const struct ovsdb_datum *opts = column(row, "manager_options");
        for (size_t k = 0; opts && k < opts->n; k++) {
            const struct ovsdb_row *mr = ovsdb_table_find_row(
                mt, &opts->keys[k].uuid);
            const struct ovsdb_datum *t = mr ? column(mr, "target") : NULL;
            if (!t || t->n != 1) {
                continue;
            }
            const char *target = t->keys[0].string;
            uint64_t probe = opt_int(mr, "inactivity_probe",
                                     OVSDB_PROBE_DEFAULT);
            uint64_t backoff = opt_int(mr, "max_backoff", 0);
            struct mgr *g = find_mgr(m, target);
            if (g && g->seen) {
                continue;       /* Two rows, one target: the first wins. */
            }
            if (g && (g->probe_ms != probe || g->max_backoff_ms != backoff
                      || !ovsdb_uuid_equals(&g->row, ovsdb_row_uuid(mr)))) {
                /* Changed: reopen. */
                size_t i = (size_t) (g - m->mgrs);
                mgr_close(m, g);
                m->mgrs[i] = m->mgrs[--m->n_mgrs];
                g = NULL;
            }
            if (!g) {
                if (m->n_mgrs == m->cap_mgrs) {
                    size_t cap = m->cap_mgrs ? 2 * m->cap_mgrs : 4;
                    struct mgr *n = realloc(m->mgrs, cap * sizeof *n);
                    if (!n) {
                        continue;
                    }
                    m->mgrs = n;
                    m->cap_mgrs = cap;
                }
                g = &m->mgrs[m->n_mgrs++];
                memset(g, 0, sizeof *g);
                g->row = *ovsdb_row_uuid(mr);
                g->target = strdup(target);
                g->probe_ms = probe;
                g->max_backoff_ms = backoff;
                if (!g->target) {
                    m->n_mgrs--;
                    continue;
                }
                mgr_open(m, g);
            }
            g->seen = true;
        }
    }
    for (size_t i = 0; i < m->n_mgrs; ) {
        if (!m->mgrs[i].seen) {
            VLOG_INFO("Manager %s: closed", m->mgrs[i].target);
            mgr_close(m, &m->mgrs[i]);
            m->mgrs[i] = m->mgrs[--m->n_mgrs];
        } else {
            i++;
        }
    }
}

/* The status map of 'g' in RFC 7047 notation, and its connectedness. */
static json_t *
mgr_status(const struct mgr *g, bool *connected)
{
    json_t *pairs = json_array();
    char buf[32];

    *connected = false;
    if (!g->remote) {
        json_array_append_new(pairs, json_pack("[ss]", "state", "VOID"));
        json_array_append_new(pairs, json_pack("[ss]", "last_error",
                                               g->open_error
                                               ? g->open_error : "?"));
        return json_pack("[so]", "map", pairs);
    }
    struct ovsdb_remote_status st;
    ovsdb_remote_get_status(g->remote, &st);
    *connected = st.is_connected;
    bool passive = stream_name_is_passive(g->target);
    /* Keys in sorted order (a map's canonical form). */
    if (passive && st.bound_port) {
        snprintf(buf, sizeof buf, "%u", st.bound_port);
        json_array_append_new(pairs, json_pack("[ss]", "bound_port", buf));
    }
    if (st.last_error) {
        json_array_append_new(pairs, json_pack("[ss]", "last_error",
                                               st.last_error));
    }
    if (passive) {
        snprintf(buf, sizeof buf, "%u", st.n_connections);
        json_array_append_new(pairs, json_pack("[ss]", "n_connections",
                                               buf));
    }
    json_array_append_new(pairs, json_pack("[ss]", "state", st.state));
    return json_pack("[so]", "map", pairs);
}

/* Writes is_connected and status of the rows whose status changed, in
 * one local transaction. */
static void
write_status(struct ovsdb_managers *m)
{
    struct ovsdb_table *mt = ovsdb_db_find_table(m->db, "Manager");
    json_t *ops = json_array();
    json_t **news = calloc(m->n_mgrs + 1, sizeof *news);

    for (size_t i = 0; mt && news && i < m->n_mgrs; i++) {
        struct mgr *g = &m->mgrs[i];
        bool connected;
        json_t *status = mgr_status(g, &connected);
        json_t *row = json_pack("{sbso}", "is_connected", connected,
                                "status", status);
        if ((g->written && json_equal(g->written, row))
            || !ovsdb_table_find_row(mt, &g->row)) {
            json_decref(row);
            continue;
        }
        char uuid[OVSDB_UUID_LEN + 1];
        ovsdb_uuid_format(&g->row, uuid);
        json_array_append_new(ops, json_pack(
            "{ss ss s[[ss[ss]]] sO}", "op", "update", "table", "Manager",
            "where", "_uuid", "==", "uuid", uuid, "row", row));
        news[i] = row;
    }
    if (json_array_size(ops)) {
        json_t *err = ovsdb_txn_local(m->db, ops, NULL);
        if (err) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_WARN_RL(&rl, "cannot write Manager status: %s: %s",
                         ovsdb_error_tag(err), ovsdb_error_details(err));
            json_decref(err);
        }
        for (size_t i = 0; i < m->n_mgrs; i++) {
            if (news[i]) {
                json_decref(m->mgrs[i].written);
                m->mgrs[i].written = err ? NULL : news[i];
                if (err) {
                    json_decref(news[i]);
                }
            }
        }
    }
    json_decref(ops);
    free(news);
}

static void
reconcile_cb(void *m_)
{
    struct ovsdb_managers *m = m_;
    m->reconcile_timer = NULL;          /* Freed by the loop. */
    reconcile(m);
    write_status(m);
}

static void
status_cb(void *m_)
{
    write_status(m_);
}

/* A commit callback must not transact: the work goes to the loop. */
static void
on_commit(struct ovsdb_db *db, const struct ovsdb_commit *c, void *m_)
{
    struct ovsdb_managers *m = m_;
    (void) db;
    for (size_t i = 0; i < c->n_changes; i++) {
        const char *t = c->changes[i].table->schema->name;
        if (!strcmp(t, "Open_vSwitch") || !strcmp(t, "Manager")
            || !strcmp(t, "SSL")) {
            if (!m->reconcile_timer) {
                m->reconcile_timer = loop_add_timer(m->loop, 0, false,
                                                    reconcile_cb, m);
            }
            return;
        }
    }
}

struct ovsdb_managers *
ovsdb_managers_create(struct ovsdb_server *srv, struct loop *loop,
                      struct stream_ssl_ctx *ssl)
{
    struct ovsdb_db *db = ovsdb_server_find_db(srv, "Open_vSwitch");
    if (!db || !ovsdb_db_find_table(db, "Manager")) {
        return NULL;
    }
    struct ovsdb_managers *m = calloc(1, sizeof *m);
    if (!m) {
        return NULL;
    }
    m->srv = srv;
    m->loop = loop;
    m->ssl = ssl;
    m->db = db;
    if (ovsdb_db_add_commit_cb(db, on_commit, m)) {
        free(m);
        return NULL;
    }
    m->status_timer = loop_add_timer(loop, STATUS_INTERVAL_MS, true,
                                     status_cb, m);
    reconcile(m);
    write_status(m);
    return m;
}

void
ovsdb_managers_on_ssl(struct ovsdb_managers *m,
                      void (*cb)(struct stream_ssl_ctx *, void *aux),
                      void *aux)
{
    m->ssl_cb = cb;
    m->ssl_cb_aux = aux;
    if (cb) {
        cb(m->db_ssl, aux);
    }
}

void
ovsdb_managers_destroy(struct ovsdb_managers *m)
{
    if (!m) {
        return;
    }
    ovsdb_db_remove_commit_cb(m->db, on_commit, m);
    if (m->reconcile_timer) {
        loop_cancel_timer(m->loop, m->reconcile_timer);
    }
    if (m->status_timer) {
        loop_cancel_timer(m->loop, m->status_timer);
    }
    for (size_t i = 0; i < m->n_mgrs; i++) {
        mgr_close(m, &m->mgrs[i]);
    }
    free(m->mgrs);
    for (int i = 0; i < 3; i++) {
        free(m->ssl_files[i]);
    }
    stream_ssl_ctx_destroy(m->db_ssl);
    free(m);
}
