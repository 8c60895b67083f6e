/* jsonrpc: JSON-RPC 1.0 over byte streams (unix/tcp sockets), no DPDK.
 * Messages are JSON objects sent back to back, optionally separated by
 * whitespace, with no other delimiter.  This module owns the framing:
 * a receive buffer that turns arbitrary chunks of bytes into whole
 * messages (jsonrpc_rx), a bounded send queue flushed with non-blocking
 * writes (jsonrpc_tx), and helpers that build and check requests and
 * replies.  Used by the control socket and the OVSDB server. */
#ifndef SLUICE_JSONRPC_H
#define SLUICE_JSONRPC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Default bound on one incoming message (and on the send backlog). */
#define JSONRPC_MAX_MSG_DEFAULT (1024 * 1024)
/* Deepest nesting of objects and arrays accepted, counting the message's
 * own object: ovsdb-server's limit (Jansson's own is 2048).  A deeper
 * message breaks the stream, as it does in Open vSwitch. */
#define JSONRPC_MAX_DEPTH 1000

/* ---- Receiving ---------------------------------------------------------
 * Append bytes as they arrive, then call jsonrpc_rx_next() until it
 * returns -EAGAIN.  Once it returned another error the stream is broken:
 * the caller should close the connection. */
struct jsonrpc_rx {
    char *buf;
    size_t start;       /* First byte not yet consumed. */
    size_t len;         /* Bytes in 'buf'. */
    size_t cap;
    size_t max_msg;     /* Largest message accepted. */

    /* Scanner state for the message that starts at 'start'. */
    size_t scan;        /* Next byte to scan. */
    size_t msg_start;   /* Offset of its '{', valid when 'depth' > 0. */
    unsigned int depth; /* Open brackets; 0: between messages. */
    unsigned char arrays[JSONRPC_MAX_DEPTH / 8]; /* Bit set: '[' at depth. */
    bool in_string;
    bool escape;

    int error;          /* Sticky error, 0 if none. */
    char error_text[160];
};

/* 'max_msg' 0 means JSONRPC_MAX_MSG_DEFAULT. */
void jsonrpc_rx_init(struct jsonrpc_rx *, size_t max_msg);
void jsonrpc_rx_destroy(struct jsonrpc_rx *);

/* Appends 'n' bytes (any number of messages, or part of one).  The size
 * limit is enforced by jsonrpc_rx_next().  Returns 0 or -ENOMEM. */
int jsonrpc_rx_append(struct jsonrpc_rx *, const void *, size_t n);

/* Reads what 'fd' has without blocking (fd must be non-blocking, or the
 * caller knows it is readable).  Reads at most about one message's worth
 * per call so a fast sender cannot grow the buffer without bound.
 * Returns the number of bytes read (> 0), 0 at end of file, -EAGAIN if
 * nothing was available, or another negative errno. */
int jsonrpc_rx_read(struct jsonrpc_rx *, int fd);

/* Extracts the next complete message.  Returns 0 and stores a new
 * reference in *msg, -EAGAIN if more bytes are needed, -EINVAL if the
 * bytes are not a JSON object, -EMSGSIZE if the message is larger than
 * max_msg.  After an error other than -EAGAIN, jsonrpc_rx_error() says
 * why, and every further call returns the same error. */
int jsonrpc_rx_next(struct jsonrpc_rx *, json_t **msg);
const char *jsonrpc_rx_error(const struct jsonrpc_rx *);

/* Bytes received and not yet returned as messages (excluding whitespace
 * already skipped). */
size_t jsonrpc_rx_pending(const struct jsonrpc_rx *);

/* ---- Sending -----------------------------------------------------------
 * Messages are serialised into a queue and written with non-blocking
 * writes; what the peer does not take stays queued. */
struct jsonrpc_tx {
    char *buf;
    size_t start;       /* First byte not yet written. */
    size_t len;
    size_t cap;
    size_t max_backlog; /* See jsonrpc_tx_queue(). */
};

/* 'max_backlog' 0 means JSONRPC_MAX_MSG_DEFAULT. */
void jsonrpc_tx_init(struct jsonrpc_tx *, size_t max_backlog);
void jsonrpc_tx_destroy(struct jsonrpc_tx *);

/* Serialises 'msg' (compact) and queues it.  Returns 0, -ENOBUFS if the
 * bytes still queued from earlier messages already exceed max_backlog
 * (the peer is not reading: disconnect it; a single large message is
 * always accepted), or -EINVAL if 'msg' cannot be serialised. */
int jsonrpc_tx_queue(struct jsonrpc_tx *, const json_t *msg);
int jsonrpc_tx_queue_raw(struct jsonrpc_tx *, const void *, size_t n);
/* The same without the backlog check, for a message written in parts (the
 * caller bounds what it appends): 'json' may be any JSON value, serialised
 * compact.  Return 0, -ENOMEM or (json) -EINVAL. */
int jsonrpc_tx_append(struct jsonrpc_tx *, const void *, size_t n);
int jsonrpc_tx_append_json(struct jsonrpc_tx *, const json_t *json);

/* Writes as much as 'fd' takes without blocking.  Returns 0 when the
 * queue is empty, -EAGAIN if bytes remain, or another negative errno
 * (e.g. -EPIPE: the peer is gone).  Never raises SIGPIPE on sockets. */
int jsonrpc_tx_flush(struct jsonrpc_tx *, int fd);
/* The same through 'stream' (stream.h), which also drives TLS: the send
 * queue of any session on a stream, whatever it speaks. */
struct stream;
int jsonrpc_tx_flush_stream(struct jsonrpc_tx *, struct stream *);
size_t jsonrpc_tx_pending(const struct jsonrpc_tx *);

/* ---- Messages ----------------------------------------------------------
 * The constructors steal the references they are given ('params',
 * 'result', 'error', 'id' of a request) except where noted, return a new
 * object, and abort on allocation failure. */

/* {"method": METHOD, "params": PARAMS, "id": ID}.  NULL 'params' means
 * [], NULL 'id' means null (a notification). */
json_t *jsonrpc_request(const char *method, json_t *params, json_t *id);
/* Same, with params an array of the strings argv[0..argc-1]. */
json_t *jsonrpc_request_argv(const char *method, int argc,
                             const char *const argv[], json_t *id);
/* {"id": ID, "result": RESULT, "error": null}.  'id' is borrowed (the
 * request's id, copied by reference); NULL 'id' means null. */
json_t *jsonrpc_reply(json_t *result, const json_t *id);
/* {"id": ID, "result": null, "error": ERROR}.  'id' is borrowed. */
json_t *jsonrpc_error(json_t *error, const json_t *id);
json_t *jsonrpc_error_string(const char *error, const json_t *id);

enum jsonrpc_type {
    JSONRPC_REQUEST,    /* method, params, non-null id. */
    JSONRPC_NOTIFY,     /* method, params, null or missing id. */
    JSONRPC_REPLY,      /* result, null error, id. */
    JSONRPC_ERROR,      /* non-null error, id. */
};

/* Borrowed views into a parsed message. */
struct jsonrpc_msg {
    enum jsonrpc_type type;
    const char *method;         /* Requests and notifications. */
    json_t *params;             /* Array (requests and notifications). */
    json_t *result;             /* Replies. */
    json_t *error;              /* Errors. */
    json_t *id;                 /* NULL if missing. */
};

/* Classifies 'json'.  Returns 0, or -EINVAL with a static message in
 * *err if it is not a valid JSON-RPC 1.0 message (e.g. "method" not a
 * string, "params" not an array, no "method" and no "result"/"error"). */
int jsonrpc_parse(json_t *json, struct jsonrpc_msg *, const char **err);

#endif
