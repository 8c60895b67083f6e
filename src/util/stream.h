/* stream: byte-stream transports named as Open vSwitch names them, for
 * the control thread's servers and clients (OVSDB, the control socket).
 * No DPDK.
 *
 *   active:  unix:PATH   tcp:IP:PORT   ssl:IP:PORT
 *   passive: punix:PATH  ptcp:PORT[:IP]  pssl:PORT[:IP]
 *
 * IPv6 addresses are written in brackets ("tcp:[::1]:6640").  Addresses
 * are numeric (no name lookups: they would block the loop).  ptcp/pssl
 * without an IP listen on every IPv4 address; port 0 picks a free port
 * (see stream_listener_port()).  punix sockets are owner-only (0600).
 *
 * This module owns the sockets and, for ssl/pssl, the TLS session on
 * them (stream_ssl.h holds the key, certificate and CA certificate).  All
 * sockets are non-blocking: stream_connect() drives a connect and a TLS
 * handshake one step per call, stream_wait_events() tells which epoll
 * events to wait for.  It also holds two small helpers for the users of
 * streams: an inactivity probe (stream_probe) and a reconnect backoff
 * (stream_backoff).  JSON-RPC sessions on streams: stream_rpc.h. */
#ifndef SLUICE_STREAM_H
#define SLUICE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

struct stream;
struct stream_listener;
struct stream_ssl_ctx;

/* Room for an error text ("ptcp:abc: bad port"). */
#define STREAM_ERR_LEN 256

enum stream_type {
    STREAM_UNIX,
    STREAM_TCP,
    STREAM_SSL,
};

/* A parsed stream name. */
struct stream_target {
    enum stream_type type;
    bool passive;
    char path[sizeof ((struct sockaddr_un *) 0)->sun_path]; /* unix. */
    struct sockaddr_storage addr;   /* tcp, ssl: IP and port. */
    socklen_t addr_len;
};

/* Parses 'name'.  Returns 0, or -EINVAL with a message that starts with
 * 'name' in 'err' (of 'err_size' bytes, may be NULL). */
int stream_parse(const char *name, struct stream_target *,
                 char *err, size_t err_size);
/* Whether 'name' starts with a passive type ("punix:", "ptcp:", "pssl:"). */
bool stream_name_is_passive(const char *name);

/* ---- Connections -------------------------------------------------------
 * Returns from stream_recv()/stream_send()/stream_connect(): -EAGAIN means
 * "wait for stream_wait_events() and call again"; other negative errnos
 * are fatal for the stream and stream_error() says why in words. */

/* Starts connecting to active 'name' ('ssl' is needed for ssl:, ignored
 * otherwise).  Never blocks: the connection completes in
 * stream_connect().  Returns 0 or a negative errno with 'err' set. */
int stream_open(const char *name, struct stream_ssl_ctx *ssl,
                struct stream **, char *err, size_t err_size);

/* Drives the TCP connect and the TLS handshake.  Returns 0 once
 * connected (and every time after), -EAGAIN, or a negative errno. */
int stream_connect(struct stream *);
bool stream_is_connected(const struct stream *);

/* Reads up to 'n' bytes.  Returns the count (> 0), 0 at end of stream,
 * -EAGAIN, or a negative errno.  Connects first if needed. */
int stream_recv(struct stream *, void *, size_t n);
/* Writes up to 'n' bytes.  Returns the count (> 0), -EAGAIN, or a
 * negative errno (-EPIPE: the peer is gone; never raises SIGPIPE).
 * After -EAGAIN from a TLS stream, call again with the same bytes
 * (possibly followed by more). */
int stream_send(struct stream *, const void *, size_t n);

/* Epoll events to wait for before calling again, given whether the
 * caller wants to read and whether it has bytes to write.  While
 * connecting, this is what the connect or the handshake waits for. */
uint32_t stream_wait_events(const struct stream *, bool want_read,
                            bool want_write);
/* Whether bytes already decrypted wait inside the stream: read them
 * without waiting for the fd to become readable. */
bool stream_has_pending(const struct stream *);

int stream_fd(const struct stream *);
enum stream_type stream_type(const struct stream *);
/* "unix:PATH", "tcp:IP:PORT" ... (for accepted streams the peer). */
const char *stream_name(const struct stream *);
/* Why the last call failed ("" if it did not). */
const char *stream_error(const struct stream *);
/* Closes the socket (after a best-effort TLS close_notify) and frees. */
void stream_close(struct stream *);

/* ---- Listeners --------------------------------------------------------- */

/* Binds and listens on passive 'name' ('ssl' needed for pssl:, and must
 * outlive the listener).  For punix: removes a stale file at PATH first;
 * the socket is mode 0600.
 * Returns 0 or a negative errno with 'err' set. */
int stream_listener_open(const char *name, struct stream_ssl_ctx *ssl,
                         struct stream_listener **,
                         char *err, size_t err_size);
/* Accepts one connection (its TLS handshake then runs in
 * stream_connect()).  Returns 0, -EAGAIN if none is waiting, or another
 * negative errno. */
int stream_listener_accept(struct stream_listener *, struct stream **);
int stream_listener_fd(const struct stream_listener *);
/* The bound port (tcp, ssl), 0 for unix. */
uint16_t stream_listener_port(const struct stream_listener *);
const char *stream_listener_name(const struct stream_listener *);
/* Closes the socket; for punix: removes the file. */
void stream_listener_close(struct stream_listener *);

/* ---- Inactivity probe --------------------------------------------------
 * After 'interval_ms' with nothing received, send an echo request; if
 * still nothing arrives within another 'interval_ms', give up. */
struct stream_probe {
    uint64_t interval_ms;   /* 0: disabled. */
    uint64_t last_rx_ms;    /* Last time anything arrived (or start). */
    bool probing;           /* Echo sent, waiting for anything. */
    uint64_t echo_sent_ms;  /* When, if 'probing'. */
};

enum stream_probe_action {
    STREAM_PROBE_NONE,
    STREAM_PROBE_SEND_ECHO,
    STREAM_PROBE_DISCONNECT,
};

void stream_probe_init(struct stream_probe *, uint64_t interval_ms,
                       uint64_t now_ms);
/* Something arrived from the peer. */
void stream_probe_received(struct stream_probe *, uint64_t now_ms);
/* What to do at 'now_ms' (call at or after stream_probe_deadline()). */
enum stream_probe_action stream_probe_run(struct stream_probe *,
                                          uint64_t now_ms);
/* When stream_probe_run() next has something to do; UINT64_MAX if never. */
uint64_t stream_probe_deadline(const struct stream_probe *);

/* ---- Reconnect backoff -------------------------------------------------
 * Delays between connection attempts: 'min_ms', doubling on each failure
 * up to 'max_ms'; back to 'min_ms' after a success. */
struct stream_backoff {
    uint64_t min_ms;
    uint64_t max_ms;
    uint64_t next_ms;       /* Delay stream_backoff_failed() returns next. */
};

void stream_backoff_init(struct stream_backoff *, uint64_t min_ms,
                         uint64_t max_ms);
/* An attempt failed (or a connection dropped): returns how long to wait
 * before the next attempt. */
uint64_t stream_backoff_failed(struct stream_backoff *);
/* A connection succeeded. */
void stream_backoff_reset(struct stream_backoff *);

#endif
