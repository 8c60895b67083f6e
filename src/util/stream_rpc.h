/* stream_rpc: JSON-RPC 1.0 sessions on streams (stream.h), run by the
 * control thread's loop (loop.h): the one connection layer of the control
 * thread, for OVSDB (server and client side), the control socket (ctl.h)
 * and anything else that speaks JSON-RPC over unix, tcp or ssl.
 *
 * A session owns its stream, a receive buffer with incremental framing
 * (jsonrpc_rx) and a bounded send queue (jsonrpc_tx).  It delivers each
 * received message to a callback, answers "echo" requests itself, and
 * optionally probes an idle peer with "echo".  It closes itself - and
 * only itself - on bytes that are not JSON-RPC, on a message larger than
 * its bound, when the peer does not read and the send backlog passes its
 * bound, on a probe left unanswered, on I/O errors and at end of stream.
 * Back-pressure and the slow-peer policy: the messages received are
 * handled; while replies wait in the send queue, nothing more is read from
 * that peer; when the queue passes its bound (replies to requests already
 * received, or notifications the user sends) the peer is dropped and
 * counted.  Buffers are bounded: a message by max_msg, the send queue by
 * max_backlog, what is read per loop callback by a fixed number of chunks.
 * A peer that reads slowly is kept: only one whose send queue has made no
 * progress for 'stall_ms' is dropped (counted as slow).  Writing what was
 * queued earlier counts as activity for the inactivity probe too, as in
 * Open vSwitch, so a peer busy reading a long reply is not probed away.
 *
 * Long messages (a big monitor reply, say) need not be serialised at once:
 * a producer writes one message in parts, called from the loop whenever
 * the send queue is below STREAM_RPC_SLICE, so one loop callback
 * serialises at most about a slice per session.  Messages sent while a
 * producer is queued wait behind it (in order; they count against
 * max_backlog), and input is not read meanwhile.  The user can also ask
 * to be told once the send queue is empty (on_idle), to send what it held
 * back while the peer was busy.
 *
 * Callbacks run from the loop.  A session that fails during a call the
 * user made (stream_rpc_send()) is closed later, from the loop, so the
 * user can keep iterating over its sessions; on_close always comes from
 * the loop.  A listener accepts sessions on a passive stream, at most
 * 'max_sessions' at a time if set, and, unless it may use the reserve,
 * only while at least the reserved number of file descriptors stays free
 * (the control socket's listener may use them, so operators' commands get
 * through when clients take every other descriptor); a connection it may
 * not keep is accepted and closed at once, and counted.  A listener whose
 * accept() fails (out of descriptors) pauses for 100 ms instead of
 * spinning. */
#ifndef SLUICE_STREAM_RPC_H
#define SLUICE_STREAM_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "src/util/jsonrpc.h"

struct loop;
struct stream;
struct stream_rpc;
struct stream_rpc_listener;
struct stream_ssl_ctx;

#define STREAM_RPC_MAX_BACKLOG_DEFAULT (4 * 1024 * 1024)
/* A peer whose send queue takes nothing for this long is dropped. */
#define STREAM_RPC_STALL_MS_DEFAULT (60 * 1000)
/* What a producer keeps in the send queue (see above). */
#define STREAM_RPC_SLICE (256 * 1024)
/* File descriptors kept free for the listeners that may use the reserve. */
#define STREAM_RPC_FD_RESERVE_DEFAULT 32

/* The stream is connected (TLS handshake done). */
typedef void stream_rpc_connect_cb(struct stream_rpc *, void *aux);
/* One received message: 'msg' views into 'json', which is borrowed
 * (json_incref() it to keep it).  Not called for "echo" requests (this
 * module answers them) or for replies to its own probes (id "echo"). */
typedef void stream_rpc_msg_cb(struct stream_rpc *,
                               const struct jsonrpc_msg *msg, json_t *json,
                               void *aux);
/* The session closed by itself: 'error' is 0 if the peer closed the
 * stream cleanly, otherwise a negative errno (-EINVAL bytes that are not
 * JSON, -EPROTO not JSON-RPC, -EMSGSIZE message too large, -ENOBUFS peer
 * not reading, -ETIMEDOUT probe unanswered, or an I/O or TLS error), and
 * 'reason' says it in words.  The session is freed when this returns.
 * Not called after stream_rpc_close(). */
typedef void stream_rpc_close_cb(struct stream_rpc *, int error,
                                 const char *reason, void *aux);
/* The send queue is empty and no producer is queued (after
 * stream_rpc_notify_idle()). */
typedef void stream_rpc_idle_cb(struct stream_rpc *, void *aux);

struct stream_rpc_config {
    size_t max_msg;         /* Largest message received; 0: 1 MB. */
    size_t max_backlog;     /* Send backlog bound; 0: 4 MB. */
    uint64_t probe_ms;      /* Inactivity probe interval; 0: none. */
    uint64_t stall_ms;      /* Drop after no send progress; 0: default,
                             * UINT64_MAX: never. */
    /* A message that is not valid JSON-RPC but has a non-null "id" gets
     * an error reply ("invalid JSON-RPC request: ...") and the session
     * goes on; otherwise (and always without an id) it closes the
     * session. */
    bool answer_invalid;
    stream_rpc_connect_cb *on_connect;      /* May be NULL. */
    stream_rpc_msg_cb *on_msg;              /* May be NULL. */
    stream_rpc_close_cb *on_close;          /* May be NULL. */
    stream_rpc_idle_cb *on_idle;            /* May be NULL. */
    void *aux;                              /* Passed to the callbacks. */
};

/* Makes a session of 'stream' (connected or not; ownership passes even
 * on failure).  Returns 0 or a negative errno. */
int stream_rpc_create(struct loop *, struct stream *,
                      const struct stream_rpc_config *,
                      struct stream_rpc **);
/* Starts connecting to active 'name' (stream_open()).  Failures after
 * this returns come through on_close: reconnecting, with a
 * stream_backoff, is the caller's business. */
int stream_rpc_open(struct loop *, const char *name,
                    struct stream_ssl_ctx *, const struct stream_rpc_config *,
                    struct stream_rpc **, char *err, size_t err_size);

/* Queues 'msg' (borrowed) and writes what the peer takes now.  Messages
 * sent before the connection completes go out once it does.  Returns 0;
 * -EINVAL if 'msg' cannot be serialised (the session is unaffected);
 * -ENOBUFS if the backlog is over its bound, or another negative errno
 * if the session failed or is closing (it closes from the loop). */
int stream_rpc_send(struct stream_rpc *, const json_t *msg);

/* ---- Messages written in parts ----------------------------------------
 * 'produce' appends the next part of its message with stream_rpc_put()
 * or stream_rpc_put_json() (a few kilobytes at most per call) and returns
 * true once the message is complete.  It is called from the loop, while
 * the send queue holds less than STREAM_RPC_SLICE, after what was queued
 * before it has been queued.  'release' (may be NULL) is called once
 * with 'aux' when the producer completed or the session closed. */
typedef bool stream_rpc_produce_cb(struct stream_rpc *, void *aux);
typedef void stream_rpc_release_cb(void *aux);
/* Queues a producer.  Returns 0, or a negative errno if the session
 * failed or is closing (then 'release' was called). */
int stream_rpc_send_producer(struct stream_rpc *, stream_rpc_produce_cb *,
                             stream_rpc_release_cb *, void *aux);
/* Only inside a producer's call: append bytes, or a JSON value
 * (compact).  Return 0 or a negative errno. */
int stream_rpc_put(struct stream_rpc *, const void *, size_t n);
int stream_rpc_put_json(struct stream_rpc *, const json_t *);
/* Runs every queued producer to completion now (for a user that must
 * change what a producer reads). */
void stream_rpc_finish_producers(struct stream_rpc *);
/* Asks for one on_idle call, from the loop, once nothing is queued. */
void stream_rpc_notify_idle(struct stream_rpc *);
/* Nothing queued, no producer. */
bool stream_rpc_is_idle(const struct stream_rpc *);

/* Closes now (one last non-blocking attempt to write what is queued) and
 * frees; no on_close.  Safe inside the session's own callbacks. */
void stream_rpc_close(struct stream_rpc *);

void stream_rpc_set_aux(struct stream_rpc *, void *aux);
/* How long the send queue may take nothing before the peer is dropped
 * (0: STREAM_RPC_STALL_MS_DEFAULT; UINT64_MAX: never). */
void stream_rpc_set_stall_ms(struct stream_rpc *, uint64_t ms);
bool stream_rpc_is_connected(const struct stream_rpc *);
/* True once the session failed or was told to close. */
bool stream_rpc_is_closing(const struct stream_rpc *);
/* Bytes queued (including messages waiting behind producers). */
size_t stream_rpc_backlog(const struct stream_rpc *);
const char *stream_rpc_name(const struct stream_rpc *);

/* ---- Listeners ---------------------------------------------------------
 * Each connection accepted becomes a session with 'config' (copied), then
 * 'accept_cb' sees it (and may stream_rpc_set_aux() or close it). */
typedef void stream_rpc_accept_cb(struct stream_rpc *, void *accept_aux);

int stream_rpc_listen(struct loop *, const char *name,
                      struct stream_ssl_ctx *,
                      const struct stream_rpc_config *,
                      stream_rpc_accept_cb *, void *accept_aux,
                      struct stream_rpc_listener **,
                      char *err, size_t err_size);
/* The bound port (ptcp:0 / pssl:0 pick one), 0 for punix. */
uint16_t stream_rpc_listener_port(const struct stream_rpc_listener *);
const char *stream_rpc_listener_name(const struct stream_rpc_listener *);
/* Bounds for the sessions accepted from now on (0: defaults). */
void stream_rpc_listener_set_limits(struct stream_rpc_listener *,
                                    size_t max_msg, size_t max_backlog);
/* stream_rpc_set_stall_ms() for the sessions accepted from now on. */
void stream_rpc_listener_set_stall_ms(struct stream_rpc_listener *,
                                      uint64_t ms);
/* At most 'max_sessions' sessions at a time (0: no cap). */
void stream_rpc_listener_set_max_sessions(struct stream_rpc_listener *,
                                          unsigned int max_sessions);
/* This listener may take the reserved file descriptors. */
void stream_rpc_listener_use_reserve(struct stream_rpc_listener *);
/* Its sessions still open. */
unsigned int stream_rpc_listener_n_sessions(
    const struct stream_rpc_listener *);

struct stream_rpc_listener_stats {
    uint64_t n_accepted;        /* Sessions made. */
    uint64_t n_refused;         /* Cap or reserve: closed at once. */
    uint64_t n_accept_errors;   /* accept() failed (then a pause). */
};
void stream_rpc_listener_get_stats(const struct stream_rpc_listener *,
                                   struct stream_rpc_listener_stats *);

/* Stops listening; sessions already accepted go on. */
void stream_rpc_listener_close(struct stream_rpc_listener *);

/* ---- The layer as a whole ---------------------------------------------- */

/* File descriptors kept free for listeners that may use the reserve
 * (default STREAM_RPC_FD_RESERVE_DEFAULT; 0: none). */
void stream_rpc_set_fd_reserve(unsigned int n);

struct stream_rpc_stats {
    uint64_t n_sessions;        /* Open now (server and client side). */
    uint64_t n_dropped;         /* Closed by this layer for an error. */
    uint64_t n_dropped_slow;    /* Of which: peer not reading (ENOBUFS). */
    uint64_t n_refused;         /* Connections listeners closed at once. */
    uint64_t rx_bytes, tx_bytes;
};
void stream_rpc_get_stats(struct stream_rpc_stats *);

#endif
