/* stream_rpc: JSON-RPC 1.0 sessions on streams (stream.h), run by the
 * control thread's loop (loop.h).  For OVSDB (server and client side) and
 * anything else that speaks JSON-RPC over unix, tcp or ssl.
 *
 * A session owns its stream, a receive buffer with incremental framing
 * (jsonrpc_rx) and a bounded send queue (jsonrpc_tx).  It delivers each
 * received message to a callback, answers "echo" requests itself, and
 * optionally probes an idle peer with "echo".  It closes itself - and
 * only itself - on bytes that are not JSON-RPC, on a message larger than
 * its bound, when the peer does not read and the send backlog passes its
 * bound, on a probe left unanswered, on I/O errors and at end of stream.
 * Back-pressure: while replies wait in the send queue, no further
 * requests are read from that peer.
 *
 * Callbacks run from the loop.  A session that fails during a call the
 * user made (stream_rpc_send()) is closed later, from the loop, so the
 * user can keep iterating over its sessions; on_close always comes from
 * the loop.  A listener accepts sessions on a passive stream. */
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
/* Stops listening; sessions already accepted go on. */
void stream_rpc_listener_close(struct stream_rpc_listener *);

#endif
