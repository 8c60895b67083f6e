/* ofconn: OpenFlow connections of one switch (transport half).
 *
 * Streams and the loop come from src/util (as stream_rpc drives them);
 * framing, HELLO and errors from the codec (ofp_msg, ofp_err, ofp_ctrl).
 * The send queue is the connection layer's byte queue (jsonrpc_tx, raw
 * bytes), written through the stream so that TLS works too.
 *
 * Re-entrancy: every entry from the loop (fd event, timer) and from the
 * owner (set_targets, for_each, close) brackets its work with
 * mgr_enter()/mgr_leave().  Inside, a failure only marks its connection
 * 'killed'; the outermost mgr_leave() then closes it (disconnected
 * callback, log) and frees every closed connection.  A failure outside
 * any bracket (ofconn_send() from the owner's own timer, say) arms a
 * zero-delay timer that does the same from the loop.  So a connection's
 * memory stays valid for the whole of any callback. */
#include "ofproto/ofconn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_ctrl.h"
#include "ofproto/ofp_err.h"
#include "ofproto/ofp_msg.h"
#include "ofproto/ofp_packet.h"
#include "ofproto/ofp_stats.h"
#include "src/util/dstr.h"
#include "src/util/jsonrpc.h"
#include "src/util/loop.h"
#include "src/util/stream.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ofconn);

/* Bytes read per stream_recv() and chunks per loop callback (more waits
 * for the next callback, so one busy peer cannot starve the others). */
#define RX_CHUNK (64 * 1024)
#define RX_ROUNDS 16
/* Back-pressure: a connection with more queued is not read. */
#define RX_STOP_BACKLOG (OFCONN_MAX_BACKLOG / 2)
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 8000
/* How long a listener pauses after accept() fails (e.g. out of fds). */
#define ACCEPT_PAUSE_MS 100
#define ACCEPT_BURST 64
#define NEVER UINT64_MAX

struct target {
    struct target *next;
    struct ofconn_mgr *mgr;
    char *name;
    enum ofconn_kind kind;
    struct stream_ssl_ctx *ssl;
    uint64_t probe_ms;
    bool passive;

    /* Passive. */
    struct stream_listener *sl;
    struct loop_timer *pause_timer;

    /* Active. */
    struct ofconn *conn;            /* Connecting or connected, or NULL. */
    struct stream_backoff backoff;
    struct loop_timer *retry_timer;
    char last_error[STREAM_ERR_LEN];
    uint64_t connected_ms, disconnected_ms;     /* NEVER: not yet. */
};

struct ofconn {
    struct ofconn *prev, *next;     /* The manager's connections. */
    struct ofconn_mgr *mgr;
    struct target *target;          /* NULL once closed. */
    struct stream *stream;
    enum ofconn_kind kind;
    struct ofconn_state state;
    struct ofp_stream rx;
    struct jsonrpc_tx tx;
    struct stream_probe probe;

    struct loop_timer *probe_timer;
    struct loop_timer *resume_timer;    /* First pass; input inside TLS. */

    uint32_t events;                /* Registered with the loop. */
    bool connected;                 /* Stream connected (TLS done). */
    bool negotiated;                /* HELLOs exchanged: 'state' valid. */
    bool eof;                       /* Peer finished sending. */
    bool running;                   /* Inside conn_run(). */
    bool killed;                    /* Failed: to be closed. */
    bool closed;                    /* Closed: to be freed. */
    int error;                      /* If 'killed'. */
    char reason[STREAM_ERR_LEN];

    /* A detached connection (ofconn_create_detached()): no stream, no
     * manager; what is sent goes here. */
    void (*sink)(const uint8_t *, size_t, void *);
    void *sink_aux;
};

struct ofconn_mgr {
    struct loop *loop;
    char *name;
    struct ofconn_cbs cbs;
    void *aux;
    struct target *targets;
    /* Targets the last ofconn_mgr_set_targets() could not set up, with
     * why (their status until the next call). */
    struct failed_target {
        char *name;
        char error[STREAM_ERR_LEN];
    } *failed;
    size_t n_failed;
    struct ofconn *conns;           /* Including closed, until freed. */
    size_t n_conns;                 /* Negotiated and not closed. */
    size_t n_snoops;                /* Of them, OFCONN_SNOOP. */
    int busy;                       /* Depth of mgr_enter(). */
    bool any_killed;                /* Some connection waits for close. */
    struct loop_timer *reap_timer;
    uint32_t next_xid;
    uint32_t versions;              /* Allowed: OFP_VERSION_BIT()s. */
    struct ofconn_mgr_stats stats;
};

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(60, 20);
static __thread uint8_t rx_chunk[RX_CHUNK];

static void conn_fd_cb(int fd, uint32_t events, void *aux);
static void conn_resume_cb(void *aux);
static void conn_arm_probe(struct ofconn *);
static void target_connect(struct target *);
static void target_disconnected(struct target *, const struct ofconn *);

/* ---- Helpers ---- */

/* 'text' without 'name: ' in front (the log line names the stream). */
static const char *
strip_name(const char *text, const char *name)
{
    size_t n = strlen(name);
    if (!strncmp(text, name, n) && !strncmp(text + n, ": ", 2)) {
        return text + n + 2;
    }
    return text;
}

static const char *
version_name(uint8_t version)
{
    return version == OFP10_VERSION ? "1.0"
           : version == OFP13_VERSION ? "1.3" : "?";
}

/* Version for an error sent to a peer that has not negotiated: one it
 * may read, as close to the message's as Sluice speaks. */
static uint8_t
err_version(const struct ofconn *c, const uint8_t *msg)
{
    if (c->negotiated) {
        return c->state.version;
    }
    return msg[0] >= OFP13_VERSION ? OFP13_VERSION : OFP10_VERSION;
}

/* Counts the whole messages in 'data'. */
static uint64_t
count_msgs(const uint8_t *data, size_t len)
{
    uint64_t n = 0;
    size_t msg_len;
    for (size_t ofs = 0; !ofp_msg_frame(data + ofs, len - ofs, &msg_len);
         ofs += msg_len) {
        n++;
    }
    return n;
}

/* ---- Manager brackets and closing ---- */

static void
mgr_enter(struct ofconn_mgr *m)
{
    m->busy++;
}

static void conn_finish(struct ofconn *);

static void
conn_free(struct ofconn *c)
{
    struct ofconn_mgr *m = c->mgr;
    if (c->prev) {
        c->prev->next = c->next;
    } else {
        m->conns = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    }
    stream_close(c->stream);
    ofp_stream_destroy(&c->rx);
    jsonrpc_tx_destroy(&c->tx);
    free(c);
}

/* Closes what failed, then (outermost only) frees what is closed. */
static void
mgr_leave(struct ofconn_mgr *m)
{
    if (m->busy == 1) {
        while (m->any_killed) {
            m->any_killed = false;
            for (struct ofconn *c = m->conns; c; c = c->next) {
                if (c->killed && !c->closed) {
                    conn_finish(c);     /* Callbacks may kill others. */
                }
            }
        }
        for (struct ofconn *c = m->conns, *next; c; c = next) {
            next = c->next;
            if (c->closed) {
                conn_free(c);
            }
        }
    }
    m->busy--;
}

static void
mgr_reap_cb(void *aux)
{
    struct ofconn_mgr *m = aux;
    m->reap_timer = NULL;
    mgr_enter(m);
    mgr_leave(m);
}

static void conn_kill(struct ofconn *, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Marks 'c' failed with 'error' (0: closed cleanly) and a reason; it is
 * closed by the outermost mgr_leave(), or from the loop. */
static void
conn_kill(struct ofconn *c, int error, const char *fmt, ...)
{
    if (c->killed || c->closed) {
        return;
    }
    c->killed = true;
    c->error = error;
    va_list args;
    va_start(args, fmt);
    vsnprintf(c->reason, sizeof c->reason, fmt, args);
    va_end(args);
    struct ofconn_mgr *m = c->mgr;
    m->any_killed = true;
    if (!m->busy && !m->reap_timer) {
        m->reap_timer = loop_add_timer(m->loop, 0, false, mgr_reap_cb, m);
    }
}

/* Closes 'c' for c->reason: a last non-blocking write of what is queued
 * (an error that explains the close), out of the loop, the target told,
 * then the owner.  Freed later by mgr_leave(). */
static void
conn_finish(struct ofconn *c)
{
    struct ofconn_mgr *m = c->mgr;
    c->closed = true;
    if (c->connected) {
        jsonrpc_tx_flush_stream(&c->tx, c->stream);
    }
    loop_cancel_timer(m->loop, c->probe_timer);
    loop_cancel_timer(m->loop, c->resume_timer);
    c->probe_timer = c->resume_timer = NULL;
    loop_del_fd(m->loop, stream_fd(c->stream));

    if (!c->negotiated && c->target && !c->target->passive) {
        /* An attempt that failed: target_failed() says it. */
    } else if (c->error) {
        VLOG_WARN_RL(&rl, "%s: %s: closing connection: %s", m->name,
                     stream_name(c->stream), c->reason);
    } else {
        VLOG_INFO_RL(&rl, "%s: %s: connection closed: %s", m->name,
                     stream_name(c->stream), c->reason);
    }
    if (c->error == -ENOBUFS) {
        m->stats.dropped_slow++;
    } else if (c->error == -ETIMEDOUT) {
        m->stats.dropped_probe++;
    }
    if (c->target) {
        target_disconnected(c->target, c);
        c->target = NULL;
    }
    if (c->negotiated) {
        m->n_conns--;
        m->n_snoops -= c->kind == OFCONN_SNOOP;
        if (m->cbs.disconnected && c->kind != OFCONN_SNOOP) {
            m->cbs.disconnected(c, m->aux);
        }
    }
}

/* ---- Output ---- */

/* Why c's stream failed, without its name in front. */
static const char *
conn_stream_error(const struct ofconn *c)
{
    return strip_name(stream_error(c->stream), stream_name(c->stream));
}

/* Writes what the stream takes now. */
static void
conn_flush(struct ofconn *c)
{
    if (c->killed || !c->connected) {
        return;
    }
    int error = jsonrpc_tx_flush_stream(&c->tx, c->stream);
    if (error && error != -EAGAIN) {
        conn_kill(c, error, "%s", conn_stream_error(c));
    }
}

static void
conn_update_events(struct ofconn *c)
{
    if (c->killed || c->closed) {
        return;
    }
    size_t pending = jsonrpc_tx_pending(&c->tx);
    if (c->eof && !pending) {
        if (c->rx.len > c->rx.start) {
            conn_kill(c, -EPROTO, "connection closed by peer inside a "
                      "message");
        } else {
            conn_kill(c, 0, "connection closed by peer");
        }
        return;
    }
    bool want_read = !c->eof && pending <= RX_STOP_BACKLOG;
    uint32_t want = stream_wait_events(c->stream, want_read, pending > 0);
    if (want != c->events
        && !loop_mod_fd(c->mgr->loop, stream_fd(c->stream), want)) {
        c->events = want;
    }
}

static int conn_queue(struct ofconn *, const uint8_t *data, size_t len);

/* Copies the whole messages at 'data' (to or from a controller) to every
 * snoop connection of 'm'. */
static void
snoop_copy(struct ofconn_mgr *m, const uint8_t *data, size_t len)
{
    if (!m->n_snoops) {
        return;
    }
    for (struct ofconn *s = m->conns; s; s = s->next) {
        if (s->kind == OFCONN_SNOOP && s->negotiated && !s->closed) {
            conn_queue(s, data, len);
        }
    }
}

/* Queues the 'len' bytes of whole messages at 'data' and writes what the
 * peer takes.  Returns 0, -ENOBUFS (the peer does not read: 'c' is
 * killed), or another negative errno if 'c' is closing. */
static int
conn_queue(struct ofconn *c, const uint8_t *data, size_t len)
{
    if (c->killed || c->closed) {
        return c->error ? c->error : -ENOTCONN;
    }
    if (!len) {
        return 0;
    }
    if (c->sink) {
        c->sink(data, len, c->sink_aux);
        return 0;
    }
    if (jsonrpc_tx_pending(&c->tx) + len > OFCONN_MAX_BACKLOG) {
        conn_kill(c, -ENOBUFS, "peer does not read: send backlog over %d "
                  "bytes", OFCONN_MAX_BACKLOG);
        return -ENOBUFS;
    }
    if (jsonrpc_tx_queue_raw(&c->tx, data, len)) {
        conn_kill(c, -ENOMEM, "out of memory for the send queue");
        return -ENOMEM;
    }
    c->mgr->stats.tx_msgs += count_msgs(data, len);
    if (c->kind == OFCONN_PRIMARY && c->negotiated) {
        snoop_copy(c->mgr, data, len);      /* Not the HELLO. */
    }
    conn_flush(c);
    if (c->killed) {
        return c->error ? c->error : -ENOTCONN;
    }
    if (!c->running) {
        conn_update_events(c);
    }
    return 0;
}

/* Sends the message(s) built in 'b' and empties it. */
static void
conn_send_buf(struct ofconn *c, struct ofp_buf *b)
{
    conn_queue(c, b->data, b->len);
    ofp_buf_free(b);
}

static void
conn_send_error(struct ofconn *c, enum ofp_err err, const uint8_t *msg,
                size_t len)
{
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_err_encode(&b, err_version(c, msg), ofp_get_u32(msg + 4), err, msg,
                   len);
    conn_send_buf(c, &b);
}

/* ---- Negotiation ---- */

static void
state_init(struct ofconn_state *s, enum ofconn_kind kind, uint8_t version)
{
    memset(s, 0, sizeof *s);
    s->version = version;
    s->flow_format = NXFF_OPENFLOW10;
    s->packet_in_format = NXPIF_STANDARD;
    s->table_id_ext = false;
    s->role = OFPCR_ROLE_EQUAL;
    /* OpenFlow 1.3.5, 7.3.10: master and equal get packet-ins but for
     * invalid TTL, every port status, every flow removed; slaves only
     * port status. */
    uint32_t ports = 1u << OFPPR_ADD | 1u << OFPPR_DELETE
                     | 1u << OFPPR_MODIFY;
    s->async.packet_in[0] = 1u << OFPR_NO_MATCH | 1u << OFPR_ACTION;
    s->async.port_status[0] = ports;
    s->async.flow_removed[0] = 1u << OFPRR_IDLE_TIMEOUT
                               | 1u << OFPRR_HARD_TIMEOUT
                               | 1u << OFPRR_DELETE
                               | 1u << OFPRR_GROUP_DELETE;
    s->async.port_status[1] = ports;
    s->miss_send_len = kind == OFCONN_PRIMARY ? 128 : 0;
    s->config_flags = OFPC_FRAG_NORMAL;
}

/* "0x01, 0x04" for a version set. */
static void
put_versions(struct dstr *d, uint32_t versions)
{
    const char *sep = "";
    for (unsigned int v = 1; v < 32; v++) {
        if (versions & OFP_VERSION_BIT(v)) {
            dstr_printf(d, "%s0x%02x", sep, v);
            sep = ", ";
        }
    }
    if (!*sep) {
        dstr_put(d, "none");
    }
}

static void
conn_hello_failed(struct ofconn *c, const uint8_t *msg, uint32_t theirs)
{
    struct ofconn_mgr *m = c->mgr;
    struct dstr text = DSTR_INIT;
    dstr_put(&text, "We support versions ");
    put_versions(&text, m->versions);
    dstr_put(&text, ", you support ");
    put_versions(&text, theirs);
    dstr_put(&text, ".");

    m->stats.hello_failed++;
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_err_encode_hello_failed(&b, err_version(c, msg),
                                ofp_get_u32(msg + 4), dstr_cstr(&text));
    conn_send_buf(c, &b);
    conn_kill(c, -EPROTO, "version negotiation failed: %s",
              dstr_cstr(&text));
    dstr_free(&text);
}

/* The first message from the peer: its HELLO. */
static void
conn_recv_hello(struct ofconn *c, const uint8_t *msg, size_t len)
{
    struct ofconn_mgr *m = c->mgr;
    if (msg[1] != OFPT_HELLO) {
        m->stats.bad_messages++;
        conn_kill(c, -EPROTO, "%s received while expecting a HELLO",
                  ofp_msg_type_name(msg[0], msg[1]));
        return;
    }
    uint32_t theirs;
    enum ofp_err err = ofp_hello_decode(msg, len, &theirs);
    if (err) {
        m->stats.bad_messages++;
        conn_send_error(c, err, msg, len);
        conn_kill(c, -EPROTO, "malformed HELLO (%s)", ofp_err_name(err));
        return;
    }
    uint8_t version = ofp_version_negotiate(m->versions, theirs);
    if (!version) {
        conn_hello_failed(c, msg, theirs);
        return;
    }

    c->negotiated = true;
    state_init(&c->state, c->kind, version);
    m->n_conns++;
    m->n_snoops += c->kind == OFCONN_SNOOP;
    m->stats.negotiated++;
    if (c->target && !c->target->passive) {
        stream_backoff_reset(&c->target->backoff);
        c->target->connected_ms = loop_now_ms();
    }
    VLOG_INFO_RL(&rl, "%s: %s: negotiated OpenFlow %s", m->name,
                 stream_name(c->stream), version_name(version));
    if (m->cbs.connected && c->kind != OFCONN_SNOOP) {
        m->cbs.connected(c, m->aux);
    }
}

/* ---- Input ---- */

static void
conn_handle(struct ofconn *c, const uint8_t *msg, size_t len)
{
    struct ofconn_mgr *m = c->mgr;
    m->stats.rx_msgs++;
    if (!c->negotiated) {
        conn_recv_hello(c, msg, len);
        return;
    }
    if (c->kind == OFCONN_PRIMARY) {
        snoop_copy(m, msg, len);
    } else if (c->kind == OFCONN_SNOOP) {
        if (msg[1] == OFPT_ECHO_REQUEST && msg[0] == c->state.version) {
            struct ofp_buf b = OFP_BUF_INIT;
            ofp_echo_reply_encode(&b, msg, len);
            conn_send_buf(c, &b);
        }
        return;
    }
    enum ofp_err err = ofp_msg_check(msg, len, c->state.version);
    if (err) {
        m->stats.bad_messages++;
        VLOG_WARN_RL(&rl, "%s: %s: %s (version 0x%02x) refused: %s",
                     m->name, stream_name(c->stream),
                     ofp_msg_type_name(msg[0], msg[1]), msg[0],
                     ofp_err_name(err));
        conn_send_error(c, err, msg, len);
        return;
    }
    if (msg[0] != c->state.version) {
        /* A HELLO or ERROR of another version: nothing to do with it. */
        VLOG_DBG("%s: %s: ignoring %s of version 0x%02x", m->name,
                 stream_name(c->stream), ofp_msg_type_name(msg[0], msg[1]),
                 msg[0]);
        return;
    }
    struct ofp_buf b = OFP_BUF_INIT;
    switch (msg[1]) {
    case OFPT_HELLO:
    case OFPT_ECHO_REPLY:           /* Fed the probe; nothing more. */
        return;
    case OFPT_ECHO_REQUEST:
        ofp_echo_reply_encode(&b, msg, len);
        conn_send_buf(c, &b);
        return;
    default:
        m->cbs.handle(c, msg, len, m->aux);
        return;
    }
}

/* Framing failed: the header at the start of what is held says a length
 * below 8, so nothing after it can be framed. */
static void
conn_bad_framing(struct ofconn *c)
{
    const uint8_t *hdr = c->rx.buf + c->rx.start;
    c->mgr->stats.bad_messages++;
    conn_send_error(c, OFPERR_OFPBRC_BAD_LEN, hdr, OFP_HEADER_LEN);
    conn_kill(c, -EPROTO, "message length %u is below the header's 8 "
              "bytes", (unsigned int) ofp_get_u16(hdr + 2));
}

/* Handles the whole messages held; false if 'c' failed. */
static bool
conn_handle_held(struct ofconn *c)
{
    while (!c->killed && !c->closed) {
        const uint8_t *msg;
        size_t len;
        int error = ofp_stream_next(&c->rx, &msg, &len);
        if (error == -EAGAIN) {
            return true;
        } else if (error) {
            conn_bad_framing(c);
            return false;
        }
        conn_handle(c, msg, len);
    }
    return false;
}

/* Handles what is held, then, unless the peer has more than half the
 * backlog bound to read, reads a chunk, and again, up to RX_ROUNDS
 * chunks. */
static void
conn_input(struct ofconn *c)
{
    for (int rounds = 0; conn_handle_held(c); rounds++) {
        if (c->eof || rounds >= RX_ROUNDS
            || jsonrpc_tx_pending(&c->tx) > RX_STOP_BACKLOG) {
            break;
        }
        int n = stream_recv(c->stream, rx_chunk, sizeof rx_chunk);
        if (n > 0) {
            stream_probe_received(&c->probe, loop_now_ms());
            int error = ofp_stream_feed(&c->rx, rx_chunk, (size_t) n);
            if (error == -ENOBUFS) {
                c->mgr->stats.bad_messages++;
                conn_kill(c, -EPROTO, "peer sends more than two maximal "
                          "messages without end");
                return;
            } else if (error) {
                conn_kill(c, error, "out of memory for input");
                return;
            }
        } else if (!n) {
            c->eof = true;
        } else if (n == -EAGAIN) {
            break;
        } else {
            conn_kill(c, n, "%s", conn_stream_error(c));
            return;
        }
    }
    /* End of stream: conn_update_events() closes once the replies are
     * written. */
}

/* One pass over everything 'c' can do now. */
static void
conn_run(struct ofconn *c)
{
    if (c->killed) {
        return;
    }
    if (!c->connected) {
        int error = stream_connect(c->stream);
        if (error == -EAGAIN) {
            return;
        } else if (error) {
            conn_kill(c, error, "%s", conn_stream_error(c));
            return;
        }
        c->connected = true;
        if (c->target && !c->target->passive) {
            c->mgr->stats.connects++;
            VLOG_DBG("%s: %s: connected", c->mgr->name,
                     stream_name(c->stream));
        }
    }
    conn_flush(c);
    if (!c->killed) {
        conn_input(c);
    }
    conn_flush(c);      /* Replies to what was just handled. */
}

/* Runs 'c' from the loop. */
static void
conn_step(struct ofconn *c)
{
    mgr_enter(c->mgr);
    c->running = true;
    conn_run(c);
    c->running = false;
    conn_update_events(c);
    /* Decrypted input waits inside TLS, where epoll cannot see it. */
    if (!c->killed && c->connected && !c->eof && !c->resume_timer
        && jsonrpc_tx_pending(&c->tx) <= RX_STOP_BACKLOG
        && stream_has_pending(c->stream)) {
        c->resume_timer = loop_add_timer(c->mgr->loop, 0, false,
                                         conn_resume_cb, c);
    }
    mgr_leave(c->mgr);
}

static void
conn_fd_cb(int fd, uint32_t events, void *aux)
{
    struct ofconn *c = aux;
    (void) events;
    if (c->running) {
        /* The owner's callback runs a nested loop: keep quiet until it
         * returns (conn_step() sets the events again). */
        if (!loop_mod_fd(c->mgr->loop, fd, 0)) {
            c->events = 0;
        }
        return;
    }
    conn_step(c);
}

static void
conn_resume_cb(void *aux)
{
    struct ofconn *c = aux;
    c->resume_timer = NULL;
    if (!c->running) {
        conn_step(c);
    }
}

/* ---- Inactivity probe ---- */

static void
conn_send_echo(struct ofconn *c)
{
    struct ofp_buf b = OFP_BUF_INIT;
    size_t start = ofp_header_put(&b, c->state.version, OFPT_ECHO_REQUEST,
                                  c->mgr->next_xid++);
    ofp_msg_finish(&b, start);
    conn_send_buf(c, &b);
}

static void
conn_probe_cb(void *aux)
{
    struct ofconn *c = aux;
    struct ofconn_mgr *m = c->mgr;
    c->probe_timer = NULL;
    mgr_enter(m);
    switch (stream_probe_run(&c->probe, loop_now_ms())) {
    case STREAM_PROBE_NONE:
        break;
    case STREAM_PROBE_SEND_ECHO:
        VLOG_DBG("%s: %s: idle %llu ms, sending inactivity probe", m->name,
                 stream_name(c->stream),
                 (unsigned long long) c->probe.interval_ms);
        /* Before negotiation there is no version to probe in: a peer
         * still silent at the next deadline is dropped. */
        if (c->negotiated) {
            conn_send_echo(c);
        }
        break;
    case STREAM_PROBE_DISCONNECT:
        conn_kill(c, -ETIMEDOUT, "no response to inactivity probe after "
                  "%llu ms, disconnecting",
                  (unsigned long long) c->probe.interval_ms);
        break;
    }
    if (!c->killed) {
        conn_arm_probe(c);
    }
    mgr_leave(m);
}

static void
conn_arm_probe(struct ofconn *c)
{
    uint64_t deadline = stream_probe_deadline(&c->probe);
    if (deadline == UINT64_MAX || c->probe_timer) {
        return;
    }
    uint64_t now = loop_now_ms();
    c->probe_timer = loop_add_timer(c->mgr->loop,
                                    deadline > now ? deadline - now : 0,
                                    false, conn_probe_cb, c);
}

static void
conn_set_probe(struct ofconn *c, uint64_t probe_ms)
{
    loop_cancel_timer(c->mgr->loop, c->probe_timer);
    c->probe_timer = NULL;
    stream_probe_init(&c->probe, probe_ms, loop_now_ms());
    conn_arm_probe(c);
}

/* ---- Connections ---- */

/* Makes a connection of 'stream' for 't' and sends HELLO (it goes out
 * once the stream is connected).  Takes 'stream' even on failure. */
static int
conn_create(struct target *t, struct stream *stream, struct ofconn **cp)
{
    struct ofconn_mgr *m = t->mgr;
    struct ofconn *c = calloc(1, sizeof *c);
    if (!c) {
        stream_close(stream);
        return -ENOMEM;
    }
    c->mgr = m;
    c->target = t;
    c->stream = stream;
    c->kind = t->kind;
    ofp_stream_init(&c->rx);
    jsonrpc_tx_init(&c->tx, OFCONN_MAX_BACKLOG);
    c->events = stream_wait_events(stream, true, false);
    int error = loop_add_fd(m->loop, stream_fd(stream), c->events,
                            conn_fd_cb, c);
    if (error) {
        stream_close(stream);
        jsonrpc_tx_destroy(&c->tx);
        free(c);
        return error;
    }
    c->next = m->conns;
    if (m->conns) {
        m->conns->prev = c;
    }
    m->conns = c;
    conn_set_probe(c, t->probe_ms);

    struct ofp_buf b = OFP_BUF_INIT;
    /* With no version allowed, a greeting all the same (then
     * HELLO_FAILED). */
    ofp_hello_encode(&b, m->versions ? m->versions : OFP_SUPPORTED_VERSIONS,
                     m->next_xid++);
    conn_send_buf(c, &b);
    /* A first pass from the loop, where the stream may be connected. */
    c->resume_timer = loop_add_timer(m->loop, 0, false, conn_resume_cb, c);
    if (cp) {
        *cp = c;
    }
    return 0;
}

/* ---- Targets ---- */

static void
target_retry_cb(void *aux)
{
    struct target *t = aux;
    t->retry_timer = NULL;
    mgr_enter(t->mgr);
    target_connect(t);
    mgr_leave(t->mgr);
}

/* An attempt of active 't' failed for 'why': the next one after the
 * backoff. */
static void
target_failed(struct target *t, const char *why)
{
    uint64_t delay = stream_backoff_failed(&t->backoff);
    loop_cancel_timer(t->mgr->loop, t->retry_timer);
    snprintf(t->last_error, sizeof t->last_error, "%s", why);
    VLOG_INFO_RL(&rl, "%s: %s: %s; retrying in %llu ms", t->mgr->name,
                 t->name, why, (unsigned long long) delay);
    t->retry_timer = loop_add_timer(t->mgr->loop, delay, false,
                                    target_retry_cb, t);
}

static void
target_connect(struct target *t)
{
    struct stream *s;
    char err[STREAM_ERR_LEN] = "";
    int error = stream_open(t->name, t->ssl, &s, err, sizeof err);
    if (!error) {
        error = conn_create(t, s, &t->conn);
        if (!error) {
            return;
        }
        snprintf(err, sizeof err, "%s", strerror(-error));
    }
    target_failed(t, strip_name(err, t->name));
}

/* Connection 'c' of 't' is closing. */
static void
target_disconnected(struct target *t, const struct ofconn *c)
{
    if (t->passive) {
        return;
    }
    t->conn = NULL;
    if (c->negotiated) {
        t->disconnected_ms = loop_now_ms();
    }
    target_failed(t, c->reason);
}

static void
listener_resume_cb(void *aux)
{
    struct target *t = aux;
    t->pause_timer = NULL;
    loop_mod_fd(t->mgr->loop, stream_listener_fd(t->sl), EPOLLIN);
}

static void
listener_cb(int fd, uint32_t events, void *aux)
{
    struct target *t = aux;
    struct ofconn_mgr *m = t->mgr;
    (void) events;
    mgr_enter(m);
    for (int i = 0; i < ACCEPT_BURST; i++) {
        struct stream *s;
        int error = stream_listener_accept(t->sl, &s);
        if (error == -EAGAIN) {
            break;
        } else if (error) {
            VLOG_WARN_RL(&rl, "%s: %s: accept failed: %s", m->name,
                         t->name, strerror(-error));
            /* Level-triggered: pause rather than spin. */
            if (!t->pause_timer && !loop_mod_fd(m->loop, fd, 0)) {
                t->pause_timer = loop_add_timer(m->loop, ACCEPT_PAUSE_MS,
                                                false, listener_resume_cb,
                                                t);
            }
            break;
        }
        VLOG_INFO_RL(&rl, "%s: %s: accepted connection from %s", m->name,
                     t->name, stream_name(s));
        m->stats.accepted++;
        conn_create(t, s, NULL);
    }
    mgr_leave(m);
}

/* Closes 't', its listener and its connections (for 'why'), and frees
 * it. */
static void
target_destroy(struct target *t, const char *why)
{
    struct ofconn_mgr *m = t->mgr;
    for (struct ofconn *c = m->conns; c; c = c->next) {
        if (c->target == t) {
            c->target = NULL;
            ofconn_close(c, why);
        }
    }
    for (struct target **p = &m->targets; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    loop_cancel_timer(m->loop, t->retry_timer);
    loop_cancel_timer(m->loop, t->pause_timer);
    if (t->sl) {
        loop_del_fd(m->loop, stream_listener_fd(t->sl));
        stream_listener_close(t->sl);
    }
    free(t->name);
    free(t);
}

static void
add_error(struct dstr *err, const char *text)
{
    if (err) {
        dstr_printf(err, "%s%s", err->len ? "\n" : "", text);
    }
}

/* Remembers that 'name' could not be set up, for 'why' (which may start
 * with the name). */
static void
note_failed(struct ofconn_mgr *m, const char *name, const char *why)
{
    struct failed_target *f = realloc(m->failed,
                                      (m->n_failed + 1) * sizeof *f);
    if (!f) {
        return;
    }
    m->failed = f;
    f = &f[m->n_failed];
    f->name = strdup(name);
    if (!f->name) {
        return;
    }
    snprintf(f->error, sizeof f->error, "%s", strip_name(why, name));
    m->n_failed++;
}

static void
clear_failed(struct ofconn_mgr *m)
{
    for (size_t i = 0; i < m->n_failed; i++) {
        free(m->failed[i].name);
    }
    free(m->failed);
    m->failed = NULL;
    m->n_failed = 0;
}

static int
target_create(struct ofconn_mgr *m, const struct ofconn_target *spec,
              struct stream_ssl_ctx *ssl, struct dstr *err)
{
    char text[STREAM_ERR_LEN] = "";
    struct stream_target st;
    int error = stream_parse(spec->target, &st, text, sizeof text);
    struct stream_listener *sl = NULL;
    if (!error && st.passive) {
        error = stream_listener_open(spec->target, ssl, &sl, text,
                                     sizeof text);
    } else if (!error && st.type == STREAM_SSL && !ssl) {
        snprintf(text, sizeof text, "%s: SSL is not configured (private "
                 "key, certificate and CA certificate are needed)",
                 spec->target);
        error = -EINVAL;
    }
    struct target *t = error ? NULL : calloc(1, sizeof *t);
    if (!error && !t) {
        snprintf(text, sizeof text, "%s: out of memory", spec->target);
        error = -ENOMEM;
    }
    if (!error) {
        t->name = strdup(spec->target);
        if (!t->name) {
            snprintf(text, sizeof text, "%s: out of memory", spec->target);
            error = -ENOMEM;
        }
    }
    if (!error && sl) {
        error = loop_add_fd(m->loop, stream_listener_fd(sl), EPOLLIN,
                            listener_cb, t);
        if (error) {
            snprintf(text, sizeof text, "%s: %s", spec->target,
                     strerror(-error));
        }
    }
    if (error) {
        VLOG_WARN("%s: skipping OpenFlow target: %s", m->name, text);
        add_error(err, text);
        note_failed(m, spec->target, text);
        stream_listener_close(sl);
        if (t) {
            free(t->name);
            free(t);
        }
        return error;
    }
    t->mgr = m;
    t->kind = spec->kind;
    t->ssl = ssl;
    t->probe_ms = spec->probe_ms;
    t->passive = st.passive;
    t->sl = sl;
    t->connected_ms = t->disconnected_ms = NEVER;
    stream_backoff_init(&t->backoff, BACKOFF_MIN_MS,
                        spec->max_backoff_ms ? spec->max_backoff_ms
                                             : BACKOFF_MAX_MS);
    t->next = m->targets;
    m->targets = t;
    if (t->passive) {
        VLOG_INFO("%s: listening on %s", m->name, t->name);
    } else {
        target_connect(t);
    }
    return 0;
}

/* Whether existing 't' serves 'spec' as it is: same name and kind, and
 * for TLS the same keys. */
static bool
target_matches(const struct target *t, const struct ofconn_target *spec,
               const struct stream_ssl_ctx *ssl)
{
    if (strcmp(t->name, spec->target) || t->kind != spec->kind) {
        return false;
    }
    struct stream_target st;
    return (stream_parse(t->name, &st, NULL, 0) || st.type != STREAM_SSL
            || t->ssl == ssl);
}

static struct target *
target_find(const struct ofconn_mgr *m, const struct ofconn_target *spec,
            const struct stream_ssl_ctx *ssl)
{
    for (struct target *t = m->targets; t; t = t->next) {
        if (target_matches(t, spec, ssl)) {
            return t;
        }
    }
    return NULL;
}

/* Applies the probe interval and backoff of 'spec' to 't', which stays. */
static void
target_update(struct target *t, const struct ofconn_target *spec)
{
    uint64_t max = spec->max_backoff_ms ? spec->max_backoff_ms
                                        : BACKOFF_MAX_MS;
    if (max != t->backoff.max_ms) {
        stream_backoff_init(&t->backoff, BACKOFF_MIN_MS, max);
    }
    if (spec->probe_ms != t->probe_ms) {
        t->probe_ms = spec->probe_ms;
        for (struct ofconn *c = t->mgr->conns; c; c = c->next) {
            if (c->target == t && !c->closed) {
                conn_set_probe(c, t->probe_ms);
            }
        }
    }
}

/* ---- Manager ---- */

struct ofconn_mgr *
ofconn_mgr_create(struct loop *loop, const char *name,
                  const struct ofconn_cbs *cbs, void *aux)
{
    struct ofconn_mgr *m = calloc(1, sizeof *m);
    if (!m) {
        return NULL;
    }
    m->name = strdup(name);
    if (!m->name) {
        free(m);
        return NULL;
    }
    m->loop = loop;
    m->cbs = *cbs;
    m->aux = aux;
    m->next_xid = 1;
    m->versions = OFP_SUPPORTED_VERSIONS;
    return m;
}

void
ofconn_mgr_destroy(struct ofconn_mgr *m)
{
    if (!m) {
        return;
    }
    mgr_enter(m);
    while (m->targets) {
        target_destroy(m->targets, "switch is going away");
    }
    for (struct ofconn *c = m->conns; c; c = c->next) {
        ofconn_close(c, "switch is going away");
    }
    mgr_leave(m);
    loop_cancel_timer(m->loop, m->reap_timer);
    clear_failed(m);
    free(m->name);
    free(m);
}

int
ofconn_mgr_set_targets(struct ofconn_mgr *m,
                       const struct ofconn_target *targets, size_t n,
                       struct stream_ssl_ctx *ssl, struct dstr *err)
{
    int first_error = 0;
    mgr_enter(m);
    clear_failed(m);
    /* Those that go first: a punix or ptcp target that changes kind is
     * reopened at the same place. */
    for (struct target *t = m->targets, *next; t; t = next) {
        next = t->next;
        bool keep = false;
        for (size_t i = 0; i < n && !keep; i++) {
            keep = target_matches(t, &targets[i], ssl);
        }
        if (!keep) {
            VLOG_INFO("%s: removing OpenFlow target %s", m->name, t->name);
            target_destroy(t, "its target was removed");
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct target *t = target_find(m, &targets[i], ssl);
        if (t) {
            target_update(t, &targets[i]);
            continue;
        }
        int error = target_create(m, &targets[i], ssl, err);
        if (error && !first_error) {
            first_error = error;
        }
    }
    mgr_leave(m);
    return first_error;
}

void
ofconn_mgr_set_versions(struct ofconn_mgr *m, uint32_t versions)
{
    versions = versions ? versions & OFP_SUPPORTED_VERSIONS
                        : OFP_SUPPORTED_VERSIONS;
    if (versions == m->versions) {
        return;
    }
    m->versions = versions;
    mgr_enter(m);
    for (struct ofconn *c = m->conns; c; c = c->next) {
        if (c->negotiated && !c->closed
            && !(versions & OFP_VERSION_BIT(c->state.version))) {
            ofconn_close(c, "its OpenFlow version is no longer allowed");
        }
    }
    mgr_leave(m);
}

static uint64_t
secs_since(uint64_t then_ms, uint64_t now_ms)
{
    return then_ms == NEVER ? NEVER : (now_ms - then_ms) / 1000;
}

bool
ofconn_mgr_target_status(const struct ofconn_mgr *m, const char *target,
                         struct ofconn_target_status *st)
{
    const struct target *t = m->targets;
    while (t && strcmp(t->name, target)) {
        t = t->next;
    }
    uint64_t now = loop_now_ms();
    memset(st, 0, sizeof *st);
    st->role = OFPCR_ROLE_EQUAL;
    if (!t) {
        for (size_t i = 0; i < m->n_failed; i++) {
            if (!strcmp(m->failed[i].name, target)) {
                st->last_error = m->failed[i].error;
                st->sec_since_connect = st->sec_since_disconnect = NEVER;
                return true;
            }
        }
        return false;
    }
    if (t->passive) {
        st->is_connected = t->sl != NULL;
        st->last_error = "";
        st->sec_since_connect = st->sec_since_disconnect = NEVER;
        return true;
    }
    const struct ofconn *c = t->conn;
    st->is_connected = c && c->negotiated && !c->killed && !c->closed;
    if (st->is_connected) {
        st->role = c->state.role;
    }
    st->last_error = t->last_error;
    st->sec_since_connect = secs_since(t->connected_ms, now);
    st->sec_since_disconnect = secs_since(t->disconnected_ms, now);
    return true;
}

void
ofconn_mgr_for_each(struct ofconn_mgr *m,
                    void (*cb)(struct ofconn *, void *aux), void *aux)
{
    mgr_enter(m);
    for (struct ofconn *c = m->conns; c; c = c->next) {
        if (c->negotiated && !c->closed && c->kind != OFCONN_SNOOP) {
            cb(c, aux);
        }
    }
    mgr_leave(m);
}

size_t
ofconn_mgr_n_conns(const struct ofconn_mgr *m)
{
    return m->n_conns;
}

void
ofconn_mgr_get_stats(const struct ofconn_mgr *m,
                     struct ofconn_mgr_stats *st)
{
    *st = m->stats;
}

/* ---- Per connection ---- */

struct ofconn_state *
ofconn_state(struct ofconn *c)
{
    return &c->state;
}

enum ofconn_kind
ofconn_kind(const struct ofconn *c)
{
    return c->kind;
}

const char *
ofconn_name(const struct ofconn *c)
{
    return c->stream ? stream_name(c->stream) : "detached";
}

int
ofconn_send(struct ofconn *c, struct ofp_buf *buf)
{
    int error = conn_queue(c, buf->data, buf->len);
    ofp_buf_clear(buf);
    return error;
}

void
ofconn_close(struct ofconn *c, const char *why)
{
    if (c->closed) {
        return;
    }
    if (!c->mgr) {
        c->closed = true;       /* Detached: nothing to tell anyone. */
        return;
    }
    if (!c->killed) {
        c->error = 0;
        snprintf(c->reason, sizeof c->reason, "%s", why);
    }
    mgr_enter(c->mgr);
    conn_finish(c);
    mgr_leave(c->mgr);
}

struct ofconn *
ofconn_create_detached(enum ofconn_kind kind, uint8_t version,
                       void (*sink)(const uint8_t *, size_t, void *),
                       void *aux)
{
    struct ofconn *c = calloc(1, sizeof *c);
    if (!c) {
        return NULL;
    }
    c->kind = kind;
    state_init(&c->state, kind, version);
    c->connected = c->negotiated = true;
    c->sink = sink;
    c->sink_aux = aux;
    return c;
}

void
ofconn_destroy_detached(struct ofconn *c)
{
    free(c);
}
