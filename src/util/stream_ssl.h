/* stream_ssl: TLS (OpenSSL) for ssl: and pssl: streams.  Owns the TLS
 * configuration (private key, certificate, CA certificate, loaded once
 * into a context) and the per-connection TLS sessions that stream.c
 * drives on non-blocking sockets.
 *
 * Peers are always verified, in both directions as Open vSwitch does: a
 * client checks the server's certificate against the CA certificate, and
 * a server requires a client certificate and checks it the same way.
 * Names in certificates are not checked (Open vSwitch does not either):
 * trust comes from the CA.  TLS 1.2 or later.  With TLS 1.3 a client
 * whose certificate the server refuses completes its side of the
 * handshake and learns of the refusal on its first read.
 *
 * CA bootstrap (ovsdb-server's --bootstrap-ca-cert, the SSL table's
 * bootstrap_ca_cert): a context made with 'bootstrap' whose CA file does
 * not exist yet lets its client connections accept any server once; the
 * first one whose chain ends in a self-signed CA certificate that signs
 * the chain saves that certificate to the CA file (owner-only, written
 * atomically and never over a file that appeared meanwhile), logs it
 * loudly and is dropped, so that it reconnects; from then on every peer
 * is verified against it.  Until then server connections are refused. */
#ifndef SLUICE_STREAM_SSL_H
#define SLUICE_STREAM_SSL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stream_ssl_ctx;

/* Loads PEM files: 'private_key', 'certificate' (its certificate, may
 * hold a chain), 'ca_cert' (the CA that signs the peers).  Returns 0 or
 * a negative errno with a message in 'err'. */
int stream_ssl_ctx_create(const char *private_key, const char *certificate,
                          const char *ca_cert, struct stream_ssl_ctx **,
                          char *err, size_t err_size);
/* The same, with CA bootstrap if 'bootstrap' and 'ca_cert' does not exist
 * (see above). */
int stream_ssl_ctx_create_bootstrap(const char *private_key,
                                    const char *certificate,
                                    const char *ca_cert, bool bootstrap,
                                    struct stream_ssl_ctx **,
                                    char *err, size_t err_size);
/* Is the context still waiting for its CA certificate? */
bool stream_ssl_ctx_bootstrapping(struct stream_ssl_ctx *);
/* Streams opened with 'ctx' keep working after this. */
void stream_ssl_ctx_destroy(struct stream_ssl_ctx *);

/* ---- For stream.c ------------------------------------------------------
 * Each call returns 0 or a count, -EAGAIN with the epoll event to wait
 * for in '*want' (EPOLLIN or EPOLLOUT), or another negative errno with a
 * message in 'err'. */
struct stream_ssl_conn;

int stream_ssl_conn_create(struct stream_ssl_ctx *, int fd, bool server,
                           struct stream_ssl_conn **,
                           char *err, size_t err_size);
int stream_ssl_handshake(struct stream_ssl_conn *, uint32_t *want,
                         char *err, size_t err_size);
/* Returns the count, 0 at a clean end of stream (close_notify or EOF). */
int stream_ssl_read(struct stream_ssl_conn *, void *, size_t n,
                    uint32_t *want, char *err, size_t err_size);
int stream_ssl_write(struct stream_ssl_conn *, const void *, size_t n,
                     uint32_t *want, char *err, size_t err_size);
bool stream_ssl_pending(const struct stream_ssl_conn *);
/* Sends close_notify if it can without blocking, then frees (the fd
 * stays open: the caller closes it). */
void stream_ssl_conn_destroy(struct stream_ssl_conn *);

#endif
