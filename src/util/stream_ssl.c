/* stream_ssl: OpenSSL contexts and per-connection TLS sessions.
 *
 * The TLS session reads and writes its socket through a small BIO of our
 * own rather than OpenSSL's socket BIO, only so that writes use
 * send(MSG_NOSIGNAL): a peer that vanishes must not raise SIGPIPE. */
#include "src/util/stream_ssl.h"

#include <errno.h>
#include <fcntl.h>
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
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_ssl);

/* Thread-safety: a context and its connections are used by one thread
 * (the control thread). */
struct stream_ssl_ctx {
    SSL_CTX *ctx;
    char *bootstrap_ca;         /* CA file still to obtain, or NULL. */
};

struct stream_ssl_conn {
    SSL *ssl;
    bool handshake_done;
    char *bootstrap_ca;         /* Accepts any server; saves its CA here
                                 * (NULL: an ordinary connection). */
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

/* Trusts the CA certificates of file 'ca_cert' for peers (and names them
 * to clients).  Returns 1 on success, as OpenSSL does. */
static int
load_ca(SSL_CTX *ctx, const char *ca_cert)
{
    if (SSL_CTX_load_verify_locations(ctx, ca_cert, NULL) != 1) {
        return 0;
    }
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca_cert);
    if (names) {
        SSL_CTX_set_client_CA_list(ctx, names);
    }
    ERR_clear_error();
    return 1;
}

int
stream_ssl_ctx_create(const char *private_key, const char *certificate,
                      const char *ca_cert, struct stream_ssl_ctx **ctxp,
                      char *err, size_t err_size)
{
    return stream_ssl_ctx_create_bootstrap(private_key, certificate, ca_cert,
                                           false, ctxp, err, err_size);
}

int
stream_ssl_ctx_create_bootstrap(const char *private_key,
                                const char *certificate,
                                const char *ca_cert, bool bootstrap,
                                struct stream_ssl_ctx **ctxp,
                                char *err, size_t err_size)
{
    char text[512];
    *ctxp = NULL;
    int error = check_file(private_key, "private key", err, err_size);
    if (!error) {
        error = check_file(certificate, "certificate", err, err_size);
    }
    bool fetch_ca = false;
    if (!error && bootstrap && ca_cert && ca_cert[0]
        && access(ca_cert, F_OK) && errno == ENOENT) {
        fetch_ca = true;
    } else if (!error) {
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
    if (!fetch_ca && !load_ca(ctx, ca_cert)) {
        snprintf(text, sizeof text, "SSL: CA certificate %s", ca_cert);
        goto fail;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER
                            | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);

    struct stream_ssl_ctx *c = malloc(sizeof *c);
    if (!c) {
        SSL_CTX_free(ctx);
        snprintf(err, err_size, "SSL: out of memory");
        return -ENOMEM;
    }
    c->ctx = ctx;
    c->bootstrap_ca = NULL;
    if (fetch_ca) {
        c->bootstrap_ca = strdup(ca_cert);
        if (!c->bootstrap_ca) {
            abort();
        }
        VLOG_WARN("SSL: CA certificate %s does not exist: it will be "
                  "taken from the first server connected to (bootstrap; "
                  "that connection is not authenticated)", ca_cert);
    }
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
        free(c->bootstrap_ca);
        free(c);
    }
}

/* ---- Connections ---- */

bool
stream_ssl_ctx_bootstrapping(struct stream_ssl_ctx *ctx)
{
    if (ctx->bootstrap_ca && !access(ctx->bootstrap_ca, F_OK)) {
        /* Saved by one of our connections (or put there by hand): trust
         * it from now on. */
        if (load_ca(ctx->ctx, ctx->bootstrap_ca)) {
            VLOG_INFO("SSL: peers are verified against the bootstrapped CA "
                      "certificate %s", ctx->bootstrap_ca);
            free(ctx->bootstrap_ca);
            ctx->bootstrap_ca = NULL;
        } else {
            ssl_error(NULL, 0, "");
        }
    }
    return ctx->bootstrap_ca != NULL;
}

/* A bootstrapping client's verification: any server will do (its chain
 * is checked against its own top when the handshake is over). */
static int
accept_any_peer(int ok, X509_STORE_CTX *store)
{
    (void) ok;
    (void) store;
    return 1;
}

int
stream_ssl_conn_create(struct stream_ssl_ctx *ctx, int fd, bool server,
                       struct stream_ssl_conn **cp, char *err,
                       size_t err_size)
{
    *cp = NULL;
    bool bootstrap = stream_ssl_ctx_bootstrapping(ctx);
    if (bootstrap && server) {
        snprintf(err, err_size, "SSL: no CA certificate yet (%s is to be "
                 "bootstrapped by a connection out): cannot verify clients",
                 ctx->bootstrap_ca);
        return -EPROTO;
    }
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
    if (bootstrap) {
        c->bootstrap_ca = strdup(ctx->bootstrap_ca);
        if (!c->bootstrap_ca) {
            abort();
        }
        SSL_set_verify(ssl, SSL_VERIFY_PEER, accept_any_peer);
    }
    c->ssl = ssl;
    *cp = c;
    return 0;
}

/* ---- CA bootstrap ---- */

/* The SHA-256 fingerprint of 'x' as "AB:CD:...". */
static void
fingerprint(X509 *x, char *buf, size_t size)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    buf[0] = '\0';
    if (X509_digest(x, EVP_sha256(), md, &n)) {
        size_t len = 0;
        for (unsigned int i = 0; i < n && len + 4 <= size; i++) {
            len += snprintf(buf + len, size - len, "%s%02X", i ? ":" : "",
                            md[i]);
        }
    }
}

/* Does 'top' (self-signed) sign the chain 'chain' (leaf first)? */
static bool
chain_verifies(X509 *top, STACK_OF(X509) *chain)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *vctx = X509_STORE_CTX_new();
    bool ok = false;
    if (store && vctx && X509_STORE_add_cert(store, top)
        && X509_STORE_CTX_init(vctx, store, sk_X509_value(chain, 0),
                               chain)) {
        ok = X509_verify_cert(vctx) == 1;
    }
    X509_STORE_CTX_free(vctx);
    X509_STORE_free(store);
    ERR_clear_error();
    return ok;
}

/* Writes 'x' to 'path' as PEM, owner-only, atomically (a temporary file
 * linked into place: a file that appeared meanwhile stays). */
static int
save_ca(X509 *x, const char *path, char *err, size_t err_size)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path) >= (int) sizeof tmp) {
        snprintf(err, err_size, "SSL: %s: name too long", path);
        return -ENAMETOOLONG;
    }
    int fd = mkstemp(tmp);          /* Mode 0600. */
    if (fd < 0) {
        int e = errno;
        snprintf(err, err_size, "SSL: cannot save the bootstrapped CA "
                 "certificate: %s: %s", tmp, strerror(e));
        return -e;
    }
    FILE *f = fdopen(fd, "w");
    int e = 0;
    if (!f) {
        e = errno;
        close(fd);
    } else {
        if (!PEM_write_X509(f, x)) {
            e = EIO;
        }
        if (fflush(f) || fsync(fileno(f))) {
            e = e ? e : errno;
        }
        if (fclose(f) && !e) {
            e = errno;
        }
    }
    if (!e && link(tmp, path)) {
        e = errno;
    }
    unlink(tmp);
    ERR_clear_error();
    if (e) {
        snprintf(err, err_size, "SSL: cannot save the bootstrapped CA "
                 "certificate to %s: %s", path, strerror(e));
        return -e;
    }
    return 0;
}

/* After a bootstrapping handshake: saves the server's CA (the top of its
 * chain) and ends the connection either way. */
static int
bootstrap_done(struct stream_ssl_conn *c, char *err, size_t err_size)
{
    const char *path = c->bootstrap_ca;
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(c->ssl);
    int n = chain ? sk_X509_num(chain) : 0;
    X509 *top = n ? sk_X509_value(chain, n - 1) : NULL;
    if (!access(path, F_OK)) {
        snprintf(err, err_size, "SSL: CA certificate %s was bootstrapped "
                 "meanwhile; reconnecting to verify the peer with it", path);
        return -EPROTO;
    }
    if (!top || X509_check_issued(top, top) != X509_V_OK
        || X509_check_ca(top) < 1) {
        snprintf(err, err_size, "SSL: cannot bootstrap CA certificate %s: "
                 "the peer's chain (%d certificate%s) does not end in a "
                 "self-signed CA certificate", path, n, n == 1 ? "" : "s");
        ERR_clear_error();
        return -EPROTO;
    }
    if (!chain_verifies(top, chain)) {
        snprintf(err, err_size, "SSL: cannot bootstrap CA certificate %s: "
                 "the peer's certificate is not signed by the top of its "
                 "chain", path);
        return -EPROTO;
    }
    int error = save_ca(top, path, err, err_size);
    if (error) {
        return error;
    }
    char subject[256], fp[100];
    X509_NAME_oneline(X509_get_subject_name(top), subject, sizeof subject);
    fingerprint(top, fp, sizeof fp);
    VLOG_WARN("SSL: BOOTSTRAPPED CA CERTIFICATE from the peer, trusted from "
              "now on without verification: subject %s, SHA-256 %s, saved "
              "to %s", subject, fp, path);
    snprintf(err, err_size, "SSL: CA certificate bootstrapped from the peer "
             "and saved to %s; reconnecting to verify the peer with it",
             path);
    return -EPROTO;
}

int
stream_ssl_handshake(struct stream_ssl_conn *c, uint32_t *want, char *err,
                     size_t err_size)
{
    if (c->handshake_done && c->bootstrap_ca) {
        snprintf(err, err_size, "SSL: connection was for CA bootstrap");
        return -EPROTO;
    } else if (c->handshake_done) {
        return 0;
    }
    ERR_clear_error();
    errno = 0;
    int r = SSL_do_handshake(c->ssl);
    if (r == 1) {
        c->handshake_done = true;
        return c->bootstrap_ca ? bootstrap_done(c, err, err_size) : 0;
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
    free(c->bootstrap_ca);
    free(c);
}
