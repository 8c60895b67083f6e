/* ovsdb/remote: the OVSDB server's remotes (see server.h).  A remote owns
 * its listener (passive) or its one outgoing connection attempt and the
 * reconnect timer (active), its probe setting and its status; its
 * sessions belong to the server (server.c) and point back to it. */
#include "ovsdb/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/server_internal.h"
#include "src/util/loop.h"
#include "src/util/stream.h"
#include "src/util/stream_rpc.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_remote);

#define MIN_BACKOFF_MS 1000

enum remote_state {
    RS_LISTENING,
    RS_BACKOFF,
    RS_CONNECTING,
    RS_ACTIVE,
};

struct ovsdb_remote {
    struct ovsdb_remote *next;
    struct ovsdb_server *srv;
    char *name;
    bool active;
    uint64_t probe_ms;
    struct stream_ssl_ctx *ssl;
    enum remote_state state;
    struct stream_rpc_listener *listener;   /* Passive. */
    struct osrv_session *session;           /* Active: the connection. */
    struct stream_backoff backoff;          /* Active. */
    struct loop_timer *retry;               /* Active, in BACKOFF. */
    unsigned int n_sessions;
    char *last_error;
    uint64_t connected_ms, disconnected_ms; /* 0: never. */
};

static void
set_last_error(struct ovsdb_remote *r, const char *why)
{
    free(r->last_error);
    r->last_error = why ? strdup(why) : NULL;
}

static void
on_accept(struct stream_rpc *rpc, void *r_)
{
    struct ovsdb_remote *r = r_;
    if (osrv_session_create(r->srv, rpc, r)) {
        r->n_sessions++;
        r->connected_ms = loop_now_ms();
    }
}

static void
on_connect(struct stream_rpc *rpc, void *s_)
{
    struct osrv_session *s = s_;
    struct ovsdb_remote *r = s->remote;
    if (r && r->session == s) {
        VLOG_INFO("%s: connected", stream_rpc_name(rpc));
        r->state = RS_ACTIVE;
        r->connected_ms = loop_now_ms();
        stream_backoff_reset(&r->backoff);
    }
}

static struct stream_rpc_config
session_config(const struct ovsdb_remote *r)
{
    struct stream_rpc_config cfg = {
        .max_msg = OVSDB_MAX_REQUEST,
        .probe_ms = r->probe_ms,
        .on_connect = r->active ? on_connect : NULL,
        .on_msg = osrv_handle_msg,
        .on_close = osrv_handle_close,
        .on_idle = osrv_handle_idle,
        .stall_ms = r->srv->stall_ms,
    };
    return cfg;
}

static void schedule_retry(struct ovsdb_remote *);

/* Active: starts one connection attempt. */
static void
remote_connect(struct ovsdb_remote *r)
{
    struct stream_rpc_config cfg = session_config(r);
    struct stream_rpc *rpc;
    char err[STREAM_ERR_LEN];

    int error = stream_rpc_open(r->srv->loop, r->name, r->ssl, &cfg, &rpc,
                                err, sizeof err);
    if (error) {
        VLOG_INFO("%s: connection attempt failed: %s", r->name, err);
        set_last_error(r, err);
        r->disconnected_ms = loop_now_ms();
        schedule_retry(r);
        return;
    }
    r->session = osrv_session_create(r->srv, rpc, r);
    if (!r->session) {
        set_last_error(r, "out of memory");
        schedule_retry(r);
        return;
    }
    r->n_sessions++;
    r->state = RS_CONNECTING;
}

static void
retry_cb(void *r_)
{
    struct ovsdb_remote *r = r_;
    r->retry = NULL;            /* Freed by the loop. */
    remote_connect(r);
}

static void
schedule_retry(struct ovsdb_remote *r)
{
    r->state = RS_BACKOFF;
    if (!r->retry && !r->srv->destroying) {
        uint64_t ms = stream_backoff_failed(&r->backoff);
        VLOG_DBG("%s: next attempt in %llu ms", r->name,
                 (unsigned long long) ms);
        r->retry = loop_add_timer(r->srv->loop, ms, false, retry_cb, r);
    }
}

void
osrv_remote_session_gone(struct ovsdb_remote *r, struct osrv_session *s,
                         const char *reason)
{
    r->n_sessions--;
    if (reason) {
        set_last_error(r, reason);
    }
    r->disconnected_ms = loop_now_ms();
    if (r->active && r->session == s) {
        r->session = NULL;
        if (reason) {
            VLOG_INFO("%s: disconnected (%s)", r->name, reason);
            schedule_retry(r);
        }
    }
}

int
ovsdb_server_open_remote(struct ovsdb_server *srv, const char *name,
                         const struct ovsdb_remote_opts *opts_,
                         struct ovsdb_remote **remotep,
                         char *err, size_t err_size)
{
    static const struct ovsdb_remote_opts no_opts = {
        .probe_ms = OVSDB_PROBE_DEFAULT,
    };
    const struct ovsdb_remote_opts *opts = opts_ ? opts_ : &no_opts;
    struct stream_target target;

    if (remotep) {
        *remotep = NULL;
    }
    int error = stream_parse(name, &target, err, err_size);
    if (error) {
        return error;
    }
    if (target.type == STREAM_SSL && !opts->ssl) {
        snprintf(err, err_size, "%s: SSL needs --private-key, "
                 "--certificate and --ca-cert", name);
        return -EINVAL;
    }
    struct ovsdb_remote *r = calloc(1, sizeof *r);
    if (!r || !(r->name = strdup(name))) {
        free(r);
        snprintf(err, err_size, "%s: out of memory", name);
        return -ENOMEM;
    }
    r->srv = srv;
    r->active = !target.passive;
    r->ssl = opts->ssl;
    r->probe_ms = opts->probe_ms != OVSDB_PROBE_DEFAULT ? opts->probe_ms
                  : target.type == STREAM_UNIX ? 0 : OVSDB_PROBE_DEFAULT_MS;
    stream_backoff_init(&r->backoff, MIN_BACKOFF_MS,
                        opts->max_backoff_ms ? opts->max_backoff_ms
                        : OVSDB_MAX_BACKOFF_DEFAULT_MS);
    if (!r->active) {
        struct stream_rpc_config cfg = session_config(r);
        error = stream_rpc_listen(srv->loop, name, r->ssl, &cfg, on_accept,
                                  r, &r->listener, err, err_size);
        if (error) {
            free(r->name);
            free(r);
            return error;
        }
        r->state = RS_LISTENING;
        VLOG_INFO("OVSDB listening on %s", name);
    } else {
        VLOG_INFO("OVSDB connecting to %s", name);
    }
    r->next = srv->remotes;
    srv->remotes = r;
    if (r->active) {
        remote_connect(r);
    }
    if (remotep) {
        *remotep = r;
    }
    return 0;
}

int
ovsdb_server_add_remote(struct ovsdb_server *srv, const char *name,
                        struct stream_ssl_ctx *ssl, char *err,
                        size_t err_size)
{
    struct ovsdb_remote_opts opts = {
        .probe_ms = OVSDB_PROBE_DEFAULT,
        .ssl = ssl,
    };
    if (!stream_name_is_passive(name)) {
        snprintf(err, err_size, "%s: not a passive remote", name);
        return -EINVAL;
    }
    return ovsdb_server_open_remote(srv, name, &opts, NULL, err, err_size);
}

void
ovsdb_server_close_remote(struct ovsdb_server *srv, struct ovsdb_remote *r)
{
    struct ovsdb_remote **p = &srv->remotes;
    while (*p && *p != r) {
        p = &(*p)->next;
    }
    if (!*p) {
        return;
    }
    *p = r->next;
    if (r->listener) {
        stream_rpc_listener_close(r->listener);
    }
    if (r->retry) {
        loop_cancel_timer(srv->loop, r->retry);
    }
    struct osrv_session *s = srv->sessions;
    while (s) {
        struct osrv_session *next = s->next;
        if (s->remote == r) {
            osrv_session_close(s);
        }
        s = next;
    }
    VLOG_INFO("OVSDB remote %s closed", r->name);
    free(r->last_error);
    free(r->name);
    free(r);
}

void
ovsdb_server_set_stall_timeout(struct ovsdb_server *srv, uint64_t ms)
{
    srv->stall_ms = ms;
    for (struct ovsdb_remote *r = srv->remotes; r; r = r->next) {
        if (r->listener) {
            stream_rpc_listener_set_stall_ms(r->listener, ms);
        }
    }
    for (struct osrv_session *s = srv->sessions; s; s = s->next) {
        stream_rpc_set_stall_ms(s->rpc, ms);
    }
}

void
osrv_remotes_close_all(struct ovsdb_server *srv)
{
    while (srv->remotes) {
        ovsdb_server_close_remote(srv, srv->remotes);
    }
}

static long long
secs_since(uint64_t then_ms)
{
    return then_ms ? (long long) ((loop_now_ms() - then_ms) / 1000) : -1;
}

void
ovsdb_remote_get_status(const struct ovsdb_remote *r,
                        struct ovsdb_remote_status *st)
{
    static const char *const names[] = {
        [RS_LISTENING] = "LISTENING",
        [RS_BACKOFF] = "BACKOFF",
        [RS_CONNECTING] = "CONNECTING",
        [RS_ACTIVE] = "ACTIVE",
    };
    memset(st, 0, sizeof *st);
    st->state = names[r->state];
    st->is_connected = r->active ? r->state == RS_ACTIVE
                                 : r->n_sessions > 0;
    st->last_error = r->last_error;
    st->n_connections = r->n_sessions;
    st->bound_port = r->listener ? stream_rpc_listener_port(r->listener)
                                 : 0;
    st->sec_since_connect = secs_since(r->connected_ms);
    st->sec_since_disconnect = secs_since(r->disconnected_ms);
}

const char *
ovsdb_remote_name(const struct ovsdb_remote *r)
{
    return r->name;
}
