/* stream_ssl: OpenSSL contexts and per-connection TLS sessions.
 *
 * The TLS session reads and writes its socket through a small BIO of our
 * own rather than OpenSSL's socket BIO, only so that writes use
 * send(MSG_NOSIGNAL): a peer that vanishes must not raise SIGPIPE. */
#include "src/util/stream_ssl.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

struct stream_ssl_ctx {
    SSL_CTX *ctx;
};

struct stream_ssl_conn {
    SSL *ssl;
    bool handshake_done;
};

/* ---- Errors ---- */

/* Formats 'what' followed by the reason OpenSSL gives (the first error
 * queued, which names the cause rather than its consequences) and empties
 * the error queue, so that nothing leaks into another connection. */
static void
ssl_error(char *err, size_t err_size, const char *what)
{
    unsigned long code = ERR_get_error();
    char reason[200] = "";
    if (code) {
        const char *r = ERR_reason_error_string(code);
        if (r) {
            snprintf(reason, sizeof reason, "%s", r);
        } else {
            ERR_error_string_n(code, reason, sizeof reason);
        }
    }
    ERR_clear_error();
    if (err && err_size) {
        snprintf(err, err_size, "%s%s%s", what, reason[0] ? ": " : "",
                 reason);
    }
}

/* Maps a failed SSL_* call to -EAGAIN (with '*want') or a negative errno
 * (with 'err' filled in). */
static int
ssl_result(struct stream_ssl_conn *c, int ret, const char *what,
           uint32_t *want, char *err, size_t err_size)
{
    int saved_errno = errno;
    int e = SSL_get_error(c->ssl, ret);
    switch (e) {
    case SSL_ERROR_WANT_READ:
        *want = EPOLLIN;
        return -EAGAIN;
    case SSL_ERROR_WANT_WRITE:
        *want = EPOLLOUT;
        return -EAGAIN;
    case SSL_ERROR_ZERO_RETURN:
        ERR_clear_error();
        snprintf(err, err_size, "%s: connection closed by peer", what);
        return -ECONNRESET;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error()) {
            ssl_error(err, err_size, what);
            return -EPROTO;
        }
        ERR_clear_error();
        if (saved_errno && saved_errno != EAGAIN) {
            snprintf(err, err_size, "%s: %s", what, strerror(saved_errno));
            return -saved_errno;
        }
        snprintf(err, err_size, "%s: unexpected end of stream", what);
        return -ECONNRESET;
    default: {
        long v = SSL_get_verify_result(c->ssl);
        if (v != X509_V_OK) {
            char text[200];
            snprintf(text, sizeof text, "%s: peer certificate: %s", what,
                     X509_verify_cert_error_string(v));
            ssl_error(NULL, 0, "");
            snprintf(err, err_size, "%s", text);
        } else {
            ssl_error(err, err_size, what);
        }
        return -EPROTO;
    }
    }
}

/* ---- A socket BIO that writes with MSG_NOSIGNAL ---- */

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

static int
bio_fd(BIO *b)
{
    return (int) (intptr_t) BIO_get_data(b);
}

static int
bio_sock_write(BIO *b, const char *buf, int len)
{
    BIO_clear_retry_flags(b);
    ssize_t n = send(bio_fd(b), buf, (size_t) len, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK
                  || errno == EINTR)) {
        BIO_set_retry_write(b);
    }
    return (int) n;
}

static int
bio_sock_read(BIO *b, char *buf, int len)
{
    BIO_clear_retry_flags(b);
    ssize_t n = recv(bio_fd(b), buf, (size_t) len, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK
                  || errno == EINTR)) {
        BIO_set_retry_read(b);
    }
    return (int) n;
}

static long
bio_sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void) b;
    (void) num;
    (void) ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int
bio_sock_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static int
bio_sock_destroy(BIO *b)
{
    (void) b;
    return 1;
}

static void
bio_method_init(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                                 "sluice socket");
    if (m) {
        BIO_meth_set_write(m, bio_sock_write);
        BIO_meth_set_read(m, bio_sock_read);
        BIO_meth_set_ctrl(m, bio_sock_ctrl);
        BIO_meth_set_create(m, bio_sock_create);
        BIO_meth_set_destroy(m, bio_sock_destroy);
    }
    bio_method = m;
}

/* ---- Contexts ---- */

static int
check_file(const char *file, const char *what, char *err, size_t err_size)
{
    if (!file || !file[0]) {
        snprintf(err, err_size, "SSL: no %s configured", what);
        return -EINVAL;
    }
    if (access(file, R_OK)) {
        int e = errno;
        snprintf(err, err_size, "SSL: %s %s: %s", what, file, strerror(e));
        return -e;
    }
    return 0;
}

int
stream_ssl_ctx_create(const char *private_key, const char *certificate,
                      const char *ca_cert, struct stream_ssl_ctx **ctxp,
                      char *err, size_t err_size)
{
    char text[512];
    *ctxp = NULL;
    int error = check_file(private_key, "private key", err, err_size);
    if (!error) {
        error = check_file(certificate, "certificate", err, err_size);
    }
    if (!error) {
        error = check_file(ca_cert, "CA certificate", err, err_size);
    }
    if (error) {
        return error;
    }

    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    if (!ctx) {
        ssl_error(err, err_size, "SSL: cannot create context");
        return -ENOMEM;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* Partial writes let stream_send() behave like send(); the send queue
     * may move between a write that would block and its retry. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE
                          | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    /* A peer that closes without close_notify is an ordinary end of
     * stream here: JSON-RPC framing detects a truncated message. */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    static const unsigned char sid_ctx[] = "sluice";
    SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof sid_ctx - 1);

    if (SSL_CTX_use_certificate_chain_file(ctx, certificate) != 1) {
        snprintf(text, sizeof text, "SSL: certificate %s", certificate);
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, private_key, SSL_FILETYPE_PEM)
        != 1) {
        if (ERR_GET_REASON(ERR_peek_last_error())
            == X509_R_KEY_VALUES_MISMATCH) {
            snprintf(text, sizeof text, "SSL: private key %s does not "
                     "match certificate %s", private_key, certificate);
        } else {
            snprintf(text, sizeof text, "SSL: private key %s", private_key);
        }
        goto fail;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        snprintf(text, sizeof text, "SSL: private key %s does not match "
                 "certificate %s", private_key, certificate);
        goto fail;
    }
    if (SSL_CTX_load_verify_locations(ctx, ca_cert, NULL) != 1) {
        snprintf(text, sizeof text, "SSL: CA certificate %s", ca_cert);
        goto fail;
    }
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca_cert);
    if (names) {
        SSL_CTX_set_client_CA_list(ctx, names);
    }
    ERR_clear_error();
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER
                            | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);

    struct stream_ssl_ctx *c = malloc(sizeof *c);
    if (!c) {
        SSL_CTX_free(ctx);
        snprintf(err, err_size, "SSL: out of memory");
        return -ENOMEM;
    }
    c->ctx = ctx;
    *ctxp = c;
    return 0;

fail:
    ssl_error(err, err_size, text);
    SSL_CTX_free(ctx);
    return -EINVAL;
}

void
stream_ssl_ctx_destroy(struct stream_ssl_ctx *c)
{
    if (c) {
        SSL_CTX_free(c->ctx);   /* Reference counted by its sessions. */
        free(c);
    }
}

/* ---- Connections ---- */

int
stream_ssl_conn_create(struct stream_ssl_ctx *ctx, int fd, bool server,
                       struct stream_ssl_conn **cp, char *err,
                       size_t err_size)
{
    *cp = NULL;
    pthread_once(&bio_once, bio_method_init);
    if (!bio_method) {
        snprintf(err, err_size, "SSL: cannot create socket BIO");
        return -ENOMEM;
    }
    ERR_clear_error();
    struct stream_ssl_conn *c = calloc(1, sizeof *c);
    SSL *ssl = c ? SSL_new(ctx->ctx) : NULL;
    BIO *bio = ssl ? BIO_new(bio_method) : NULL;
    if (!bio) {
        ssl_error(err, err_size, "SSL: cannot create session");
        SSL_free(ssl);
        free(c);
        return -ENOMEM;
    }
    BIO_set_data(bio, (void *) (intptr_t) fd);
    SSL_set_bio(ssl, bio, bio);
    if (server) {
        SSL_set_accept_state(ssl);
    } else {
        SSL_set_connect_state(ssl);
    }
    c->ssl = ssl;
    *cp = c;
    return 0;
}

int
stream_ssl_handshake(struct stream_ssl_conn *c, uint32_t *want, char *err,
                     size_t err_size)
{
    if (c->handshake_done) {
        return 0;
    }
    ERR_clear_error();
    errno = 0;
    int r = SSL_do_handshake(c->ssl);
    if (r == 1) {
        c->handshake_done = true;
        return 0;
    }
    return ssl_result(c, r, "SSL handshake failed", want, err, err_size);
}

int
stream_ssl_read(struct stream_ssl_conn *c, void *buf, size_t n,
                uint32_t *want, char *err, size_t err_size)
{
    ERR_clear_error();
    errno = 0;
    int r = SSL_read(c->ssl, buf, n > INT_MAX ? INT_MAX : (int) n);
    if (r > 0) {
        return r;
    }
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_ZERO_RETURN
        || (e == SSL_ERROR_SYSCALL && !errno && !ERR_peek_error())) {
        ERR_clear_error();
        return 0;
    }
    return ssl_result(c, r, "SSL read failed", want, err, err_size);
}

int
stream_ssl_write(struct stream_ssl_conn *c, const void *buf, size_t n,
                 uint32_t *want, char *err, size_t err_size)
{
    if (!n) {
        return 0;
    }
    ERR_clear_error();
    errno = 0;
    int r = SSL_write(c->ssl, buf, n > INT_MAX ? INT_MAX : (int) n);
    if (r > 0) {
        return r;
    }
    return ssl_result(c, r, "SSL write failed", want, err, err_size);
}

bool
stream_ssl_pending(const struct stream_ssl_conn *c)
{
    return SSL_pending(c->ssl) > 0 || SSL_has_pending(c->ssl);
}

void
stream_ssl_conn_destroy(struct stream_ssl_conn *c)
{
    if (!c) {
        return;
    }
    if (c->handshake_done) {
        SSL_shutdown(c->ssl);   /* Best effort, never waits. */
    }
    ERR_clear_error();
    SSL_free(c->ssl);
    free(c);
}
