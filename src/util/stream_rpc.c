/* stream_rpc: JSON-RPC sessions and listeners on streams.
 *
 * Re-entrancy: every entry from the loop (fd event, timer) brackets its
 * work with rpc_enter()/rpc_leave().  Inside, a failure only marks the
 * session dead; rpc_leave() of the outermost entry then calls on_close
 * and frees it.  A failure outside any entry (in stream_rpc_send() called
 * for another session, say) arms a zero-delay timer that does the same
 * from the loop. */
#include "src/util/stream_rpc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util/fds.h"
#include "src/util/loop.h"
#include "src/util/stream.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_rpc);

/* Bytes read per stream_recv() and chunks read per loop callback (more
 * waits for the next callback, so one busy peer cannot starve others). */
#define RX_CHUNK (64 * 1024)
#define RX_ROUNDS 16
/* How long a listener pauses after accept() fails (e.g. out of fds). */
#define ACCEPT_PAUSE_MS 100

struct stream_rpc {
    struct stream_rpc *prev, *next;     /* All sessions. */
    struct stream_rpc_listener *listener;   /* Accepted by, or NULL. */
    struct loop *loop;
    struct stream *stream;
    struct stream_rpc_config cfg;
    struct jsonrpc_rx rx;
    struct jsonrpc_tx tx;
    struct stream_probe probe;

    struct loop_timer *probe_timer;
    struct loop_timer *close_timer;     /* Deferred close. */
    struct loop_timer *resume_timer;    /* Input left inside TLS. */

    uint32_t events;        /* Registered with the loop. */
    bool connected;
    bool eof;               /* Peer finished sending. */
    int busy;               /* Depth of rpc_enter(). */
    bool dead;
    bool user_closed;       /* stream_rpc_close(): no on_close. */
    int error;
    char reason[STREAM_ERR_LEN];
};

struct stream_rpc_listener {
    struct loop *loop;
    struct stream_listener *sl;
    struct stream_rpc_config cfg;
    stream_rpc_accept_cb *accept_cb;
    void *accept_aux;
    struct loop_timer *pause_timer;
    bool use_reserve;           /* May take the reserved descriptors. */
    unsigned int max_sessions;  /* 0: no cap. */
    unsigned int n_sessions;
    struct stream_rpc_listener_stats stats;
};

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(60, 20);
static struct stream_rpc *all_sessions;
static struct stream_rpc_stats stats;
static unsigned int fd_reserve = STREAM_RPC_FD_RESERVE_DEFAULT;
static __thread char rx_chunk[RX_CHUNK];

static void rpc_fd_cb(int fd, uint32_t events, void *aux);
static void rpc_close_timer_cb(void *aux);
static void rpc_arm_probe(struct stream_rpc *);

/* ---- Life cycle ---- */

/* Why the stream failed, without the stream's name in front (the log
 * line names the session already). */
static const char *
stream_reason(const struct stream_rpc *r)
{
    const char *e = stream_error(r->stream);
    size_t n = strlen(stream_name(r->stream));
    if (!strncmp(e, stream_name(r->stream), n) && !strncmp(e + n, ": ", 2)) {
        e += n + 2;
    }
    return e;
}

static void rpc_kill(struct stream_rpc *, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Marks 'r' dead with 'error' and a reason; closed by rpc_leave() or, if
 * no loop callback of 'r' is running, by a zero-delay timer. */
static void
rpc_kill(struct stream_rpc *r, int error, const char *fmt, ...)
{
    if (r->dead) {
        return;
    }
    r->dead = true;
    r->error = error;
    va_list args;
    va_start(args, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, args);
    va_end(args);
    if (!r->busy && !r->close_timer) {
        r->close_timer = loop_add_timer(r->loop, 0, false,
                                        rpc_close_timer_cb, r);
    }
}

static void
rpc_free(struct stream_rpc *r)
{
    if (r->prev) {
        r->prev->next = r->next;
    } else {
        all_sessions = r->next;
    }
    if (r->next) {
        r->next->prev = r->prev;
    }
    if (r->listener) {
        r->listener->n_sessions--;
    }
    stats.n_sessions--;
    if (r->dead && !r->user_closed && r->error) {
        stats.n_dropped++;
        if (r->error == -ENOBUFS) {
            stats.n_dropped_slow++;
        }
    }
    loop_cancel_timer(r->loop, r->probe_timer);
    loop_cancel_timer(r->loop, r->close_timer);
    loop_cancel_timer(r->loop, r->resume_timer);
    loop_del_fd(r->loop, stream_fd(r->stream));
    stream_close(r->stream);
    jsonrpc_rx_destroy(&r->rx);
    jsonrpc_tx_destroy(&r->tx);
    free(r);
}

/* Reports and frees dead 'r'. */
static void
rpc_finish(struct stream_rpc *r)
{
    if (!r->user_closed) {
        if (r->error) {
            VLOG_WARN_RL(&rl, "%s: closing JSON-RPC session: %s",
                         stream_name(r->stream), r->reason);
        } else {
            VLOG_DBG("%s: %s", stream_name(r->stream), r->reason);
        }
        if (r->cfg.on_close) {
            r->busy++;      /* stream_rpc_close() inside: no double free. */
            r->cfg.on_close(r, r->error, r->reason, r->cfg.aux);
        }
    }
    rpc_free(r);
}

static void
rpc_update_events(struct stream_rpc *r)
{
    bool out = jsonrpc_tx_pending(&r->tx) > 0;
    uint32_t want = stream_wait_events(r->stream, !r->eof && !out, out);
    if (want != r->events
        && !loop_mod_fd(r->loop, stream_fd(r->stream), want)) {
        r->events = want;
    }
}

static void rpc_resume_cb(void *aux);

static void
rpc_enter(struct stream_rpc *r)
{
    r->busy++;
}

static void
rpc_leave(struct stream_rpc *r)
{
    if (--r->busy) {
        return;
    }
    if (r->dead) {
        rpc_finish(r);
        return;
    }
    rpc_update_events(r);
    /* Decrypted input waits inside TLS, where epoll cannot see it. */
    if (r->connected && !r->eof && !jsonrpc_tx_pending(&r->tx)
        && stream_has_pending(r->stream) && !r->resume_timer) {
        r->resume_timer = loop_add_timer(r->loop, 0, false, rpc_resume_cb,
                                         r);
    }
}

static void
rpc_close_timer_cb(void *aux)
{
    struct stream_rpc *r = aux;
    r->close_timer = NULL;
    rpc_enter(r);
    rpc_leave(r);
}

/* ---- Output ---- */

/* Writes what the stream takes. */
static void
rpc_flush(struct stream_rpc *r)
{
    if (r->dead || !r->connected) {
        return;
    }
    size_t before = jsonrpc_tx_pending(&r->tx);
    int error = jsonrpc_tx_flush_stream(&r->tx, r->stream);
    stats.tx_bytes += before - jsonrpc_tx_pending(&r->tx);
    if (error && error != -EAGAIN) {
        rpc_kill(r, error, "%s", stream_reason(r));
    }
}

int
stream_rpc_send(struct stream_rpc *r, const json_t *msg)
{
    if (r->dead) {
        return r->error ? r->error : -ENOTCONN;
    }
    int error = jsonrpc_tx_queue(&r->tx, msg);
    if (error == -ENOBUFS) {
        rpc_kill(r, -ENOBUFS, "peer does not read: send backlog over %zu "
                 "bytes", r->tx.max_backlog);
        return error;
    } else if (error) {
        return error;
    }
    rpc_flush(r);
    if (r->dead) {
        return r->error ? r->error : -ENOTCONN;
    }
    if (!r->busy) {
        rpc_update_events(r);
    }
    return 0;
}

/* ---- Input ---- */

static void
rpc_handle(struct stream_rpc *r, json_t *json)
{
    struct jsonrpc_msg m;
    const char *err;
    if (jsonrpc_parse(json, &m, &err)) {
        json_t *id = json_object_get(json, "id");
        if (!r->cfg.answer_invalid || !id || json_is_null(id)) {
            rpc_kill(r, -EPROTO, "invalid JSON-RPC message: %s", err);
            return;
        }
        char text[160];
        snprintf(text, sizeof text, "invalid JSON-RPC request: %s\n", err);
        json_t *reply = jsonrpc_error_string(text, id);
        stream_rpc_send(r, reply);
        json_decref(reply);
        return;
    }
    if (m.type == JSONRPC_REQUEST && !strcmp(m.method, "echo")) {
        json_t *reply = jsonrpc_reply(json_incref(m.params), m.id);
        stream_rpc_send(r, reply);
        json_decref(reply);
        return;
    }
    if ((m.type == JSONRPC_REPLY || m.type == JSONRPC_ERROR)
        && json_is_string(m.id) && !strcmp(json_string_value(m.id), "echo")) {
        return;     /* Our probe answered; receiving it was the point. */
    }
    if (r->cfg.on_msg) {
        r->cfg.on_msg(r, &m, json, r->cfg.aux);
    }
}

/* Handles the messages received, then, while no reply waits for the peer
 * to read it, reads a chunk, and again, up to RX_ROUNDS chunks.  A peer
 * that sends requests without reading the replies is read no more, and
 * dropped if the replies to what it had already sent pass max_backlog. */
static void
rpc_input(struct stream_rpc *r)
{
    for (int rounds = 0; ; rounds++) {
        while (!r->dead) {
            json_t *json;
            int error = jsonrpc_rx_next(&r->rx, &json);
            if (error == -EAGAIN) {
                break;
            } else if (error) {
                rpc_kill(r, error, "%s", jsonrpc_rx_error(&r->rx));
                return;
            }
            rpc_handle(r, json);
            json_decref(json);
        }
        if (r->dead || r->eof || jsonrpc_tx_pending(&r->tx)
            || rounds >= RX_ROUNDS) {
            break;
        }

        int n = stream_recv(r->stream, rx_chunk, sizeof rx_chunk);
        if (n > 0) {
            stats.rx_bytes += (uint64_t) n;
            stream_probe_received(&r->probe, loop_now_ms());
            if (jsonrpc_rx_append(&r->rx, rx_chunk, (size_t) n)) {
                rpc_kill(r, -ENOMEM, "out of memory");
                return;
            }
        } else if (!n) {
            r->eof = true;
        } else if (n == -EAGAIN) {
            break;
        } else {
            rpc_kill(r, n, "%s", stream_reason(r));
            return;
        }
    }
    if (!r->dead && r->eof && !jsonrpc_tx_pending(&r->tx)) {
        if (jsonrpc_rx_pending(&r->rx)) {
            rpc_kill(r, -EPROTO, "connection closed by peer inside a "
                     "message");
        } else {
            rpc_kill(r, 0, "connection closed by peer");
        }
    }
}

/* One pass over everything 'r' can do now. */
static void
rpc_run(struct stream_rpc *r)
{
    if (!r->connected) {
        int error = stream_connect(r->stream);
        if (error == -EAGAIN) {
            return;
        } else if (error) {
            rpc_kill(r, error, "%s", stream_reason(r));
            return;
        }
        r->connected = true;
        if (r->cfg.on_connect) {
            r->cfg.on_connect(r, r->cfg.aux);
        }
    }
    rpc_flush(r);
    if (!r->dead) {
        rpc_input(r);
    }
    /* Replies to the messages just handled. */
    rpc_flush(r);
}

static void
rpc_fd_cb(int fd, uint32_t events, void *aux)
{
    struct stream_rpc *r = aux;
    (void) fd;
    (void) events;
    if (r->busy) {
        /* A callback of this session runs a nested loop: keep quiet until
         * it returns (rpc_leave() re-enables the events). */
        if (!loop_mod_fd(r->loop, stream_fd(r->stream), 0)) {
            r->events = 0;
        }
        return;
    }
    rpc_enter(r);
    rpc_run(r);
    rpc_leave(r);
}

static void
rpc_resume_cb(void *aux)
{
    struct stream_rpc *r = aux;
    r->resume_timer = NULL;
    rpc_enter(r);
    rpc_run(r);
    rpc_leave(r);
}

/* ---- Inactivity probe ---- */

static void
rpc_probe_cb(void *aux)
{
    struct stream_rpc *r = aux;
    r->probe_timer = NULL;
    rpc_enter(r);
    json_t *echo;
    switch (stream_probe_run(&r->probe, loop_now_ms())) {
    case STREAM_PROBE_NONE:
        break;
    case STREAM_PROBE_SEND_ECHO:
        VLOG_DBG("%s: idle %llu ms, sending inactivity probe",
                 stream_name(r->stream),
                 (unsigned long long) r->probe.interval_ms);
        echo = jsonrpc_request("echo", NULL, json_string("echo"));
        stream_rpc_send(r, echo);
        json_decref(echo);
        break;
    case STREAM_PROBE_DISCONNECT:
        rpc_kill(r, -ETIMEDOUT, "no response to inactivity probe after "
                 "%llu ms, disconnecting",
                 (unsigned long long) r->probe.interval_ms);
        break;
    }
    if (!r->dead) {
        rpc_arm_probe(r);
    }
    rpc_leave(r);
}

static void
rpc_arm_probe(struct stream_rpc *r)
{
    uint64_t deadline = stream_probe_deadline(&r->probe);
    if (deadline == UINT64_MAX || r->probe_timer) {
        return;
    }
    uint64_t now = loop_now_ms();
    r->probe_timer = loop_add_timer(r->loop, deadline > now ? deadline - now
                                                            : 0,
                                    false, rpc_probe_cb, r);
}

/* ---- Sessions ---- */

int
stream_rpc_create(struct loop *loop, struct stream *stream,
                  const struct stream_rpc_config *cfg,
                  struct stream_rpc **rp)
{
    *rp = NULL;
    struct stream_rpc *r = calloc(1, sizeof *r);
    if (!r) {
        stream_close(stream);
        return -ENOMEM;
    }
    r->loop = loop;
    r->stream = stream;
    r->cfg = *cfg;
    r->next = all_sessions;
    if (all_sessions) {
        all_sessions->prev = r;
    }
    all_sessions = r;
    stats.n_sessions++;
    jsonrpc_rx_init(&r->rx, cfg->max_msg);
    jsonrpc_tx_init(&r->tx, cfg->max_backlog ? cfg->max_backlog
                                             : STREAM_RPC_MAX_BACKLOG_DEFAULT);
    stream_probe_init(&r->probe, cfg->probe_ms, loop_now_ms());
    r->events = stream_wait_events(stream, true, false);
    int error = loop_add_fd(loop, stream_fd(stream), r->events, rpc_fd_cb,
                            r);
    if (error) {
        r->user_closed = true;
        rpc_free(r);
        return error;
    }
    rpc_arm_probe(r);
    /* A first pass from the loop: on_connect for a stream that is already
     * connected comes from there too. */
    r->resume_timer = loop_add_timer(loop, 0, false, rpc_resume_cb, r);
    *rp = r;
    return 0;
}

int
stream_rpc_open(struct loop *loop, const char *name,
                struct stream_ssl_ctx *ssl,
                const struct stream_rpc_config *cfg, struct stream_rpc **rp,
                char *err, size_t err_size)
{
    struct stream *s;
    *rp = NULL;
    int error = stream_open(name, ssl, &s, err, err_size);
    if (!error) {
        error = stream_rpc_create(loop, s, cfg, rp);
        if (error && err && err_size) {
            snprintf(err, err_size, "%s: %s", name, strerror(-error));
        }
    }
    return error;
}

void
stream_rpc_close(struct stream_rpc *r)
{
    if (!r) {
        return;
    }
    if (!r->dead) {
        rpc_flush(r);
    }
    r->user_closed = true;
    if (r->busy) {
        r->dead = true;         /* Freed by the outermost rpc_leave(). */
    } else {
        rpc_free(r);
    }
}

void
stream_rpc_set_aux(struct stream_rpc *r, void *aux)
{
    r->cfg.aux = aux;
}

bool
stream_rpc_is_connected(const struct stream_rpc *r)
{
    return r->connected && !r->dead;
}

bool
stream_rpc_is_closing(const struct stream_rpc *r)
{
    return r->dead;
}

size_t
stream_rpc_backlog(const struct stream_rpc *r)
{
    return jsonrpc_tx_pending(&r->tx);
}

const char *
stream_rpc_name(const struct stream_rpc *r)
{
    return stream_name(r->stream);
}

/* ---- Listeners ---- */

static void listener_cb(int fd, uint32_t events, void *aux);

static void
listener_resume_cb(void *aux)
{
    struct stream_rpc_listener *l = aux;
    l->pause_timer = NULL;
    loop_mod_fd(l->loop, stream_listener_fd(l->sl), EPOLLIN);
}

/* Why a listener that may not use the reserve must refuse a connection
 * just accepted (NULL: it may keep it). */
static const char *
listener_refusal(const struct stream_rpc_listener *l)
{
    if (l->max_sessions && l->n_sessions >= l->max_sessions) {
        return "too many connections on this listener";
    }
    if (!l->use_reserve && fd_reserve
        && (uint64_t) fds_count_open() + fd_reserve > fds_limit()) {
        return "file descriptors short: the last ones are kept for the "
               "control socket";
    }
    return NULL;
}

static void
listener_pause(struct stream_rpc_listener *l)
{
    /* Level-triggered: pause rather than spin. */
    if (!l->pause_timer
        && !loop_mod_fd(l->loop, stream_listener_fd(l->sl), 0)) {
        l->pause_timer = loop_add_timer(l->loop, ACCEPT_PAUSE_MS, false,
                                        listener_resume_cb, l);
    }
}

static void
listener_cb(int fd, uint32_t events, void *aux)
{
    struct stream_rpc_listener *l = aux;
    (void) fd;
    (void) events;
    for (int i = 0; i < 64; i++) {
        struct stream *s;
        int error = stream_listener_accept(l->sl, &s);
        if (error == -EAGAIN) {
            return;
        } else if (error) {
            l->stats.n_accept_errors++;
            VLOG_WARN_RL(&rl, "%s: accept failed: %s",
                         stream_listener_name(l->sl), strerror(-error));
            listener_pause(l);      /* E.g. out of descriptors. */
            return;
        }
        const char *why = listener_refusal(l);
        if (why) {
            /* Accepted and closed at once: the client sees a refusal
             * rather than waiting in the listen backlog. */
            l->stats.n_refused++;
            stats.n_refused++;
            VLOG_WARN_RL(&rl, "%s: refusing %s: %s",
                         stream_listener_name(l->sl), stream_name(s), why);
            stream_close(s);
            continue;
        }
        struct stream_rpc *r;
        if (stream_rpc_create(l->loop, s, &l->cfg, &r)) {
            continue;
        }
        l->stats.n_accepted++;
        r->listener = l;
        l->n_sessions++;
        if (l->accept_cb) {
            l->accept_cb(r, l->accept_aux);
        }
    }
}

int
stream_rpc_listen(struct loop *loop, const char *name,
                  struct stream_ssl_ctx *ssl,
                  const struct stream_rpc_config *cfg,
                  stream_rpc_accept_cb *accept_cb, void *accept_aux,
                  struct stream_rpc_listener **lp, char *err, size_t err_size)
{
    *lp = NULL;
    struct stream_listener *sl;
    int error = stream_listener_open(name, ssl, &sl, err, err_size);
    if (error) {
        return error;
    }
    struct stream_rpc_listener *l = calloc(1, sizeof *l);
    if (!l) {
        stream_listener_close(sl);
        return -ENOMEM;
    }
    l->loop = loop;
    l->sl = sl;
    l->cfg = *cfg;
    l->accept_cb = accept_cb;
    l->accept_aux = accept_aux;
    error = loop_add_fd(loop, stream_listener_fd(sl), EPOLLIN, listener_cb,
                        l);
    if (error) {
        snprintf(err, err_size, "%s: %s", name, strerror(-error));
        stream_listener_close(sl);
        free(l);
        return error;
    }
    *lp = l;
    return 0;
}

uint16_t
stream_rpc_listener_port(const struct stream_rpc_listener *l)
{
    return stream_listener_port(l->sl);
}

const char *
stream_rpc_listener_name(const struct stream_rpc_listener *l)
{
    return stream_listener_name(l->sl);
}

void
stream_rpc_listener_set_limits(struct stream_rpc_listener *l,
                               size_t max_msg, size_t max_backlog)
{
    l->cfg.max_msg = max_msg;
    l->cfg.max_backlog = max_backlog;
}

void
stream_rpc_listener_set_max_sessions(struct stream_rpc_listener *l,
                                     unsigned int max_sessions)
{
    l->max_sessions = max_sessions;
}

void
stream_rpc_listener_use_reserve(struct stream_rpc_listener *l)
{
    l->use_reserve = true;
}

unsigned int
stream_rpc_listener_n_sessions(const struct stream_rpc_listener *l)
{
    return l->n_sessions;
}

void
stream_rpc_listener_get_stats(const struct stream_rpc_listener *l,
                              struct stream_rpc_listener_stats *st)
{
    *st = l->stats;
}

void
stream_rpc_set_fd_reserve(unsigned int n)
{
    fd_reserve = n;
}

void
stream_rpc_get_stats(struct stream_rpc_stats *st)
{
    *st = stats;
}

void
stream_rpc_listener_close(struct stream_rpc_listener *l)
{
    if (l) {
        for (struct stream_rpc *r = all_sessions; r; r = r->next) {
            if (r->listener == l) {
                r->listener = NULL;
            }
        }
        loop_cancel_timer(l->loop, l->pause_timer);
        loop_del_fd(l->loop, stream_listener_fd(l->sl));
        stream_listener_close(l->sl);
        free(l);
    }
}
