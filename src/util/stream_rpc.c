/* stream_rpc: JSON-RPC sessions and listeners on streams.
 *
 * Re-entrancy: every entry from the loop (fd event, timer) brackets its
 * work with rpc_enter()/rpc_leave().  Inside, a failure only marks the
 * session dead; rpc_leave() of the outermost entry then calls on_close
 * and frees it.  A failure outside any entry (in stream_rpc_send() called
 * for another session, say) arms a zero-delay timer that does the same
 * from the loop.
 *
 * Output: 'tx' is what goes to the stream now.  'items' is a FIFO of
 * producers, each with the messages sent after it was queued; the head's
 * producer appends to 'tx' while 'tx' holds less than a slice; when it
 * completes, the messages behind it move to 'tx' and the next producer
 * starts. */
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

/* A producer and the messages queued behind it. */
struct rpc_item {
    struct rpc_item *next;
    stream_rpc_produce_cb *produce;
    stream_rpc_release_cb *release;
    void *aux;
    struct jsonrpc_tx after;            /* Only as a byte buffer. */
};

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
    struct loop_timer *resume_timer;    /* Input left inside TLS, a
                                         * producer or on_idle to run. */
    struct loop_timer *stall_timer;     /* Armed while 'tx' is not empty. */

    struct rpc_item *items, *items_tail;
    size_t held;                /* Bytes in the items' 'after' buffers. */
    bool producing;             /* Inside a producer: stream_rpc_put(). */
    bool want_idle;             /* stream_rpc_notify_idle(). */
    uint64_t progress_ms;       /* Last time 'tx' moved or was empty. */
    uint64_t stall_ms;

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
static void rpc_stall_cb(void *aux);

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
    loop_cancel_timer(r->loop, r->stall_timer);
    while (r->items) {
        struct rpc_item *it = r->items;
        r->items = it->next;
        jsonrpc_tx_destroy(&it->after);
        if (it->release) {
            it->release(it->aux);
        }
        free(it);
    }
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
    uint32_t want = stream_wait_events(r->stream, !r->eof && !out
                                                  && !r->items, out);
    if (want != r->events
        && !loop_mod_fd(r->loop, stream_fd(r->stream), want)) {
        r->events = want;
    }
    if (out && !r->stall_timer && r->stall_ms != UINT64_MAX) {
        uint64_t now = loop_now_ms(), due = r->progress_ms + r->stall_ms;
        r->stall_timer = loop_add_timer(r->loop, due > now ? due - now : 0,
                                        false, rpc_stall_cb, r);
    }
}

/* Whether a pass from the loop has something to do now: a producer with
 * room in the send queue, or an idle notification due. */
static bool
rpc_work_pending(const struct stream_rpc *r)
{
    size_t queued = jsonrpc_tx_pending(&r->tx);
    return r->connected
           && ((r->items && queued < STREAM_RPC_SLICE)
               || (r->want_idle && !r->items && !queued));
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
    bool tls_input = r->connected && !r->eof && !jsonrpc_tx_pending(&r->tx)
                     && !r->items && stream_has_pending(r->stream);
    if ((tls_input || rpc_work_pending(r)) && !r->resume_timer) {
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
    size_t sent = before - jsonrpc_tx_pending(&r->tx);
    stats.tx_bytes += sent;
    if (sent || !before) {
        r->progress_ms = loop_now_ms();
    }
    if (error && error != -EAGAIN) {
        rpc_kill(r, error, "%s", stream_reason(r));
    }
}

/* Drops a peer whose send queue took nothing for 'stall_ms'. */
static void
rpc_stall_cb(void *aux)
{
    struct stream_rpc *r = aux;
    r->stall_timer = NULL;
    size_t queued = jsonrpc_tx_pending(&r->tx);
    if (!queued || r->dead) {
        return;             /* Re-armed when something is queued. */
    }
    uint64_t now = loop_now_ms();
    rpc_enter(r);
    if (now - r->progress_ms >= r->stall_ms) {
        rpc_kill(r, -ENOBUFS, "peer does not read: nothing sent for %llu "
                 "ms with %zu bytes queued",
                 (unsigned long long) (now - r->progress_ms),
                 queued + r->held);
    }
    rpc_leave(r);           /* Re-arms the timer from 'progress_ms'. */
}

/* ---- Producers ---- */

/* Called before queueing: the stall clock starts when the queue stops
 * being empty. */
static void
rpc_note_queue(struct stream_rpc *r)
{
    if (!jsonrpc_tx_pending(&r->tx)) {
        r->progress_ms = loop_now_ms();
    }
}

static void
item_free(struct rpc_item *it)
{
    jsonrpc_tx_destroy(&it->after);
    if (it->release) {
        it->release(it->aux);
    }
    free(it);
}

/* Runs the producers while the send queue holds less than 'limit'. */
static void
rpc_produce(struct stream_rpc *r, size_t limit)
{
    while (r->items && !r->dead) {
        struct rpc_item *it = r->items;
        bool done = false;
        rpc_note_queue(r);
        while (jsonrpc_tx_pending(&r->tx) < limit) {
            r->producing = true;
            done = it->produce(r, it->aux);
            r->producing = false;
            if (done || r->dead) {
                break;
            }
        }
        if (!done || r->dead) {
            return;
        }
        size_t n = jsonrpc_tx_pending(&it->after);
        if (n && jsonrpc_tx_append(&r->tx, it->after.buf + it->after.start,
                                   n)) {
            rpc_kill(r, -ENOMEM, "out of memory");
            return;
        }
        r->held -= n;
        r->items = it->next;
        if (!r->items) {
            r->items_tail = NULL;
        }
        item_free(it);
    }
}

int
stream_rpc_send_producer(struct stream_rpc *r, stream_rpc_produce_cb *produce,
                         stream_rpc_release_cb *release, void *aux)
{
    struct rpc_item *it = r->dead ? NULL : calloc(1, sizeof *it);
    if (!it) {
        if (release) {
            release(aux);
        }
        return r->dead ? (r->error ? r->error : -ENOTCONN) : -ENOMEM;
    }
    it->produce = produce;
    it->release = release;
    it->aux = aux;
    jsonrpc_tx_init(&it->after, SIZE_MAX);
    if (r->items_tail) {
        r->items_tail->next = it;
    } else {
        r->items = it;
    }
    r->items_tail = it;
    if (!r->busy && !r->resume_timer) {
        r->resume_timer = loop_add_timer(r->loop, 0, false, rpc_resume_cb,
                                         r);
    }
    return 0;
}

int
stream_rpc_put(struct stream_rpc *r, const void *data, size_t n)
{
    return r->producing ? jsonrpc_tx_append(&r->tx, data, n) : -EINVAL;
}

int
stream_rpc_put_json(struct stream_rpc *r, const json_t *json)
{
    return r->producing ? jsonrpc_tx_append_json(&r->tx, json) : -EINVAL;
}

void
stream_rpc_finish_producers(struct stream_rpc *r)
{
    if (!r->dead) {
        rpc_produce(r, SIZE_MAX);
    }
}

void
stream_rpc_notify_idle(struct stream_rpc *r)
{
    if (r->dead || r->want_idle) {
        return;
    }
    r->want_idle = true;
    if (!r->busy && rpc_work_pending(r) && !r->resume_timer) {
        r->resume_timer = loop_add_timer(r->loop, 0, false, rpc_resume_cb,
                                         r);
    }
}

bool
stream_rpc_is_idle(const struct stream_rpc *r)
{
    return !r->items && !jsonrpc_tx_pending(&r->tx);
}

/* Producers with room, then, if everything went out, on_idle. */
static void
rpc_output(struct stream_rpc *r)
{
    rpc_produce(r, STREAM_RPC_SLICE);
    rpc_flush(r);
    if (!r->dead && r->want_idle && stream_rpc_is_idle(r)) {
        r->want_idle = false;
        if (r->cfg.on_idle) {
            r->cfg.on_idle(r, r->cfg.aux);
        }
        rpc_produce(r, STREAM_RPC_SLICE);
        rpc_flush(r);
    }
}

int
stream_rpc_send(struct stream_rpc *r, const json_t *msg)
{
    if (r->dead) {
        return r->error ? r->error : -ENOTCONN;
    }
    if (jsonrpc_tx_pending(&r->tx) + r->held > r->tx.max_backlog) {
        rpc_kill(r, -ENOBUFS, "peer does not read: send backlog over %zu "
                 "bytes", r->tx.max_backlog);
        return -ENOBUFS;
    }
    if (r->items) {
        /* Behind the producers, in order. */
        struct jsonrpc_tx *after = &r->items_tail->after;
        size_t before = jsonrpc_tx_pending(after);
        int error = json_is_object(msg) ? jsonrpc_tx_append_json(after, msg)
                                        : -EINVAL;
        r->held += jsonrpc_tx_pending(after) - before;
        return error;
    }
    rpc_note_queue(r);
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
        if (r->dead || r->eof || jsonrpc_tx_pending(&r->tx) || r->items
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
    if (!r->dead && r->eof && stream_rpc_is_idle(r)) {
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
    /* What was queued before: taking it is activity (as in Open
     * vSwitch, what is sent at once is not: it may only fill buffers). */
    size_t queued = jsonrpc_tx_pending(&r->tx);
    rpc_flush(r);
    if (jsonrpc_tx_pending(&r->tx) < queued) {
        stream_probe_received(&r->probe, loop_now_ms());
    }
    rpc_output(r);
    if (!r->dead) {
        rpc_input(r);
    }
    /* Replies to the messages just handled. */
    rpc_output(r);
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
    r->stall_ms = cfg->stall_ms ? cfg->stall_ms : STREAM_RPC_STALL_MS_DEFAULT;
    r->progress_ms = loop_now_ms();
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

void
stream_rpc_set_stall_ms(struct stream_rpc *r, uint64_t ms)
{
    r->cfg.stall_ms = ms;
    r->stall_ms = ms ? ms : STREAM_RPC_STALL_MS_DEFAULT;
    loop_cancel_timer(r->loop, r->stall_timer);
    r->stall_timer = NULL;
    if (!r->busy && !r->dead) {
        rpc_update_events(r);       /* Re-arms it. */
    }
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
    return jsonrpc_tx_pending(&r->tx) + r->held;
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
stream_rpc_listener_set_stall_ms(struct stream_rpc_listener *l, uint64_t ms)
{
    l->cfg.stall_ms = ms;
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
