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

struct stream_rpc_config {
    size_t max_msg;         /* Largest message received; 0: 1 MB. */
    size_t max_backlog;     /* Send backlog bound; 0: 4 MB. */
    uint64_t probe_ms;      /* Inactivity probe interval; 0: none. */
    /* A message that is not valid JSON-RPC but has a non-null "id" gets
     * an error reply ("invalid JSON-RPC request: ...") and the session
     * goes on; otherwise (and always without an id) it closes the
     * session. */
    bool answer_invalid;
    stream_rpc_connect_cb *on_connect;      /* May be NULL. */
    stream_rpc_msg_cb *on_msg;              /* May be NULL. */
    stream_rpc_close_cb *on_close;          /* May be NULL. */
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

/* Closes now (one last non-blocking attempt to write what is queued) and
 * frees; no on_close.  Safe inside the session's own callbacks. */
void stream_rpc_close(struct stream_rpc *);

void stream_rpc_set_aux(struct stream_rpc *, void *aux);
bool stream_rpc_is_connected(const struct stream_rpc *);
/* True once the session failed or was told to close. */
bool stream_rpc_is_closing(const struct stream_rpc *);
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
