/* stream: unix, tcp and ssl streams and listeners, probe and backoff. */
#include "src/util/stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/util/stream_ssl.h"

enum stream_state {
    ST_CONNECTING,      /* Non-blocking connect() in progress. */
    ST_HANDSHAKE,       /* TLS handshake in progress. */
    ST_CONNECTED,
    ST_FAILED,          /* 'error' says why; sticky. */
};

struct stream {
    int fd;
    enum stream_type type;
    enum stream_state state;
    bool server;                /* Accepted (TLS server side). */
    struct stream_ssl_ctx *ssl_ctx;
    struct stream_ssl_conn *ssl;
    uint32_t hs_want;           /* Events the handshake waits for. */
    uint32_t read_want;         /* Events the last TLS read waited for. */
    uint32_t write_want;        /* Same for the last TLS write. */
    int error;
    char *name;
    char err[STREAM_ERR_LEN];
};

struct stream_listener {
    int fd;
    enum stream_type type;
    struct stream_ssl_ctx *ssl_ctx;
    uint16_t port;
    char *name;
    char *path;                 /* punix: the file to remove. */
    unsigned long n_accepted;
};

static void errf(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
errf(char *err, size_t err_size, const char *fmt, ...)
{
    if (err && err_size) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(err, err_size, fmt, args);
        va_end(args);
    }
}

static char *
xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) {
        abort();
    }
    return p;
}

/* ---- Names ---- */

static const struct {
    const char *prefix;
    enum stream_type type;
    bool passive;
} kinds[] = {
    { "unix:", STREAM_UNIX, false },
    { "tcp:", STREAM_TCP, false },
    { "ssl:", STREAM_SSL, false },
    { "punix:", STREAM_UNIX, true },
    { "ptcp:", STREAM_TCP, true },
    { "pssl:", STREAM_SSL, true },
};

bool
stream_name_is_passive(const char *name)
{
    return name && (!strncmp(name, "punix:", 6) || !strncmp(name, "ptcp:", 5)
                    || !strncmp(name, "pssl:", 5));
}

/* Parses a decimal port into *port.  Port 0 only if 'zero_ok'. */
static bool
parse_port(const char *s, size_t len, bool zero_ok, uint16_t *port)
{
    unsigned long v = 0;
    if (!len || len > 5) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (unsigned long) (s[i] - '0');
    }
    if (v > 65535 || (!v && !zero_ok)) {
        return false;
    }
    *port = (uint16_t) v;
    return true;
}

/* Fills t->addr from numeric 'ip' (with or without brackets; NULL or ""
 * for any IPv4 address) and 'port'. */
static int
parse_ip(const char *name, const char *ip, size_t len, uint16_t port,
         struct stream_target *t, char *err, size_t err_size)
{
    char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
    bool bracketed = len >= 2 && ip[0] == '[' && ip[len - 1] == ']';
    if (bracketed) {
        ip++;
        len -= 2;
    }
    if (len >= sizeof host) {
        errf(err, err_size, "%s: bad IP address", name);
        return -EINVAL;
    }
    memcpy(host, ip, len);
    host[len] = '\0';

    memset(&t->addr, 0, sizeof t->addr);
    if (!len && !bracketed) {
        struct sockaddr_in *sin = (struct sockaddr_in *) &t->addr;
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(INADDR_ANY);
        sin->sin_port = htons(port);
        t->addr_len = sizeof *sin;
        return 0;
    }

    struct addrinfo hints = {
        .ai_flags = AI_NUMERICHOST,
        .ai_family = bracketed ? AF_INET6 : AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
    };
    struct addrinfo *ai = NULL;
    if (!len || getaddrinfo(host, NULL, &hints, &ai) || !ai
        || ai->ai_addrlen > sizeof t->addr) {
        if (ai) {
            freeaddrinfo(ai);
        }
        errf(err, err_size, "%s: bad IP address \"%s\" (a numeric IPv4 "
             "address or an IPv6 address in [brackets] is needed)",
             name, host);
        return -EINVAL;
    }
    memcpy(&t->addr, ai->ai_addr, ai->ai_addrlen);
    t->addr_len = ai->ai_addrlen;
    freeaddrinfo(ai);
    if (t->addr.ss_family == AF_INET) {
        ((struct sockaddr_in *) &t->addr)->sin_port = htons(port);
    } else {
        ((struct sockaddr_in6 *) &t->addr)->sin6_port = htons(port);
    }
    return 0;
}

/* "IP:PORT", IP maybe in brackets. */
static int
parse_active_inet(const char *name, const char *rest,
                  struct stream_target *t, char *err, size_t err_size)
{
    const char *colon;
    if (rest[0] == '[') {
        const char *close = strchr(rest, ']');
        if (!close) {
            errf(err, err_size, "%s: missing ']' after IPv6 address", name);
            return -EINVAL;
        }
        colon = close[1] == ':' ? close + 1 : NULL;
        if (!colon && close[1]) {
            errf(err, err_size, "%s: expected ':' after ']'", name);
            return -EINVAL;
        }
    } else {
        colon = strchr(rest, ':');
        if (colon && strchr(colon + 1, ':')) {
            errf(err, err_size, "%s: an IPv6 address must be written in "
                 "[brackets]", name);
            return -EINVAL;
        }
    }
    if (!colon) {
        errf(err, err_size, "%s: missing port (expected IP:PORT)", name);
        return -EINVAL;
    }
    if (colon == rest) {
        errf(err, err_size, "%s: missing IP address (expected IP:PORT)",
             name);
        return -EINVAL;
    }
    uint16_t port;
    if (!parse_port(colon + 1, strlen(colon + 1), false, &port)) {
        errf(err, err_size, "%s: bad port", name);
        return -EINVAL;
    }
    return parse_ip(name, rest, (size_t) (colon - rest), port, t, err,
                    err_size);
}

/* "PORT[:IP]". */
static int
parse_passive_inet(const char *name, const char *rest,
                   struct stream_target *t, char *err, size_t err_size)
{
    const char *colon = strchr(rest, ':');
    size_t port_len = colon ? (size_t) (colon - rest) : strlen(rest);
    uint16_t port;
    if (!port_len) {
        errf(err, err_size, "%s: missing port (expected PORT[:IP])", name);
        return -EINVAL;
    }
    if (!parse_port(rest, port_len, true, &port)) {
        errf(err, err_size, "%s: bad port", name);
        return -EINVAL;
    }
    const char *ip = colon ? colon + 1 : "";
    if (colon && !*ip) {
        errf(err, err_size, "%s: missing IP address after ':'", name);
        return -EINVAL;
    }
    return parse_ip(name, ip, strlen(ip), port, t, err, err_size);
}

int
stream_parse(const char *name, struct stream_target *t, char *err,
             size_t err_size)
{
    memset(t, 0, sizeof *t);
    if (!name) {
        errf(err, err_size, "missing stream name");
        return -EINVAL;
    }
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i].prefix);
        if (strncmp(name, kinds[i].prefix, n)) {
            continue;
        }
        const char *rest = name + n;
        t->type = kinds[i].type;
        t->passive = kinds[i].passive;
        if (t->type == STREAM_UNIX) {
            if (!*rest) {
                errf(err, err_size, "%s: missing socket path", name);
                return -EINVAL;
            }
            if (strlen(rest) >= sizeof t->path) {
                errf(err, err_size, "%s: socket path too long (at most %zu "
                     "bytes)", name, sizeof t->path - 1);
                return -ENAMETOOLONG;
            }
            strcpy(t->path, rest);
            return 0;
        }
        return (t->passive ? parse_passive_inet : parse_active_inet)
            (name, rest, t, err, err_size);
    }
    errf(err, err_size, "%s: unknown stream type (expected unix:, tcp:, "
         "ssl:, punix:, ptcp: or pssl:)", name);
    return -EINVAL;
}

/* "IP:PORT" of 'ss', IPv6 in brackets. */
static void
format_inet(const char *prefix, const struct sockaddr_storage *ss,
            char *buf, size_t size)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    uint16_t port = 0;
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const void *) ss;
        inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof ip);
        port = ntohs(sin6->sin6_port);
        snprintf(buf, size, "%s:[%s]:%u", prefix, ip, port);
    } else {
        const struct sockaddr_in *sin = (const void *) ss;
        inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
        port = ntohs(sin->sin_port);
        snprintf(buf, size, "%s:%s:%u", prefix, ip, port);
    }
}

static const char *
type_prefix(enum stream_type type)
{
    return type == STREAM_UNIX ? "unix" : type == STREAM_TCP ? "tcp" : "ssl";
}

/* ---- Connections ---- */

static struct stream *
stream_new(int fd, enum stream_type type, const char *name)
{
    struct stream *s = calloc(1, sizeof *s);
    if (!s) {
        abort();
    }
    s->fd = fd;
    s->type = type;
    s->name = xstrdup(name);
    return s;
}

static int
stream_fail(struct stream *s, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
stream_fail(struct stream *s, int error, const char *fmt, ...)
{
    int n = snprintf(s->err, sizeof s->err, "%s: ", s->name);
    if (n >= 0 && (size_t) n < sizeof s->err) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(s->err + n, sizeof s->err - (size_t) n, fmt, args);
        va_end(args);
    }
    s->state = ST_FAILED;
    s->error = error;
    return error;
}

static void
set_nodelay(int fd)
{
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

/* The socket is connected: start TLS or be done. */
static int
stream_connected(struct stream *s)
{
    if (s->type != STREAM_SSL) {
        s->state = ST_CONNECTED;
        return 0;
    }
    char text[STREAM_ERR_LEN];
    int error = stream_ssl_conn_create(s->ssl_ctx, s->fd, s->server, &s->ssl,
                                       text, sizeof text);
    if (error) {
        return stream_fail(s, error, "%s", text);
    }
    s->state = ST_HANDSHAKE;
    /* The client speaks first. */
    s->hs_want = s->server ? EPOLLIN : EPOLLOUT;
    return -EAGAIN;
}

int
stream_open(const char *name, struct stream_ssl_ctx *ssl,
            struct stream **sp, char *err, size_t err_size)
{
    struct stream_target t;
    *sp = NULL;
    int error = stream_parse(name, &t, err, err_size);
    if (error) {
        return error;
    }
    if (t.passive) {
        errf(err, err_size, "%s: this is a passive stream name, an active "
             "one (unix:, tcp:, ssl:) is needed here", name);
        return -EINVAL;
    }
    if (t.type == STREAM_SSL && !ssl) {
        errf(err, err_size, "%s: SSL is not configured (private key, "
             "certificate and CA certificate are needed)", name);
        return -EINVAL;
    }

    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    const struct sockaddr *sa;
    socklen_t sa_len;
    int family;
    if (t.type == STREAM_UNIX) {
        strcpy(sun.sun_path, t.path);
        sa = (const struct sockaddr *) &sun;
        sa_len = sizeof sun;
        family = AF_UNIX;
    } else {
        sa = (const struct sockaddr *) &t.addr;
        sa_len = t.addr_len;
        family = t.addr.ss_family;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = -errno;
        errf(err, err_size, "%s: socket: %s", name, strerror(errno));
        return error;
    }
    if (t.type != STREAM_UNIX) {
        set_nodelay(fd);
    }

    struct stream *s = stream_new(fd, t.type, name);
    s->ssl_ctx = ssl;
    int r;
    do {
        r = connect(fd, sa, sa_len);
    } while (r && errno == EINTR);
    if (!r) {
        error = stream_connected(s);
    } else if (errno == EINPROGRESS) {
        s->state = ST_CONNECTING;
        error = -EAGAIN;
    } else {
        /* A unix listener with a full backlog says EAGAIN: refused. */
        int e = errno == EAGAIN ? ECONNREFUSED : errno;
        error = stream_fail(s, -e, "connection failed: %s", strerror(e));
    }
    if (error && error != -EAGAIN) {
        errf(err, err_size, "%s", s->err);
        stream_close(s);
        return error;
    }
    *sp = s;
    return 0;
}

int
stream_connect(struct stream *s)
{
    switch (s->state) {
    case ST_CONNECTED:
        return 0;
    case ST_FAILED:
        return s->error;
    case ST_CONNECTING: {
        struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };
        if (poll(&pfd, 1, 0) <= 0) {
            return -EAGAIN;
        }
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &len)) {
            soerr = errno;
        }
        if (soerr) {
            return stream_fail(s, -soerr, "connection failed: %s",
                               strerror(soerr));
        }
        int error = stream_connected(s);
        if (error != -EAGAIN) {
            return error;
        }
    }
        /* fall through */
    case ST_HANDSHAKE: {
        char text[STREAM_ERR_LEN];
        int error = stream_ssl_handshake(s->ssl, &s->hs_want, text,
                                         sizeof text);
        if (!error) {
            s->state = ST_CONNECTED;
        } else if (error != -EAGAIN) {
            /* Already prefixed with what failed. */
            stream_fail(s, error, "%s", text);
        }
        return error;
    }
    }
    return -EINVAL;
}

bool
stream_is_connected(const struct stream *s)
{
    return s->state == ST_CONNECTED;
}

int
stream_recv(struct stream *s, void *buf, size_t n)
{
    int error = stream_connect(s);
    if (error) {
        return error;
    }
    if (n > INT32_MAX) {
        n = INT32_MAX;
    }
    if (s->ssl) {
        char text[STREAM_ERR_LEN];
        s->read_want = 0;
        int r = stream_ssl_read(s->ssl, buf, n, &s->read_want, text,
                                sizeof text);
        if (r < 0 && r != -EAGAIN) {
            stream_fail(s, r, "%s", text);
        }
        return r;
    }
    for (;;) {
        ssize_t r = recv(s->fd, buf, n, 0);
        if (r >= 0) {
            return (int) r;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return -EAGAIN;
        } else if (errno != EINTR) {
            return stream_fail(s, -errno, "read failed: %s",
                               strerror(errno));
        }
    }
}

int
stream_send(struct stream *s, const void *buf, size_t n)
{
    int error = stream_connect(s);
    if (error) {
        return error;
    }
    if (n > INT32_MAX) {
        n = INT32_MAX;
    }
    if (s->ssl) {
        char text[STREAM_ERR_LEN];
        s->write_want = 0;
        int r = stream_ssl_write(s->ssl, buf, n, &s->write_want, text,
                                 sizeof text);
        if (r < 0 && r != -EAGAIN) {
            stream_fail(s, r, "%s", text);
        }
        return r;
    }
    for (;;) {
        ssize_t r = send(s->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r >= 0) {
            return (int) r;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return -EAGAIN;
        } else if (errno != EINTR) {
            return stream_fail(s, -errno, "write failed: %s",
                               strerror(errno));
        }
    }
}

uint32_t
stream_wait_events(const struct stream *s, bool want_read, bool want_write)
{
    switch (s->state) {
    case ST_CONNECTING:
        return EPOLLOUT;
    case ST_HANDSHAKE:
        return s->hs_want;
    case ST_FAILED:
        return 0;
    case ST_CONNECTED:
        break;
    }
    uint32_t events = 0;
    if (want_read) {
        events |= s->read_want ? s->read_want : EPOLLIN;
    }
    if (want_write) {
        events |= s->write_want ? s->write_want : EPOLLOUT;
    }
    return events;
}

bool
stream_has_pending(const struct stream *s)
{
    return s->state == ST_CONNECTED && s->ssl && stream_ssl_pending(s->ssl);
}

int
stream_fd(const struct stream *s)
{
    return s->fd;
}

enum stream_type
stream_type(const struct stream *s)
{
    return s->type;
}

const char *
stream_name(const struct stream *s)
{
    return s->name;
}

const char *
stream_error(const struct stream *s)
{
    return s->err;
}

void
stream_close(struct stream *s)
{
    if (s) {
        stream_ssl_conn_destroy(s->ssl);
        close(s->fd);
        free(s->name);
        free(s);
    }
}

/* ---- Listeners ---- */

static int
listen_unix(const char *path, char *err, size_t err_size, const char *name)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    strcpy(sun.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        errf(err, err_size, "%s: socket: %s", name, strerror(e));
        return -e;
    }
    if (unlink(path) && errno != ENOENT) {
        int e = errno;
        errf(err, err_size, "%s: cannot remove old socket: %s", name,
             strerror(e));
        close(fd);
        return -e;
    }
    /* Owner-only from the start; chmod too in case umask is odd. */
    mode_t old_mask = umask(0177);
    int r = bind(fd, (struct sockaddr *) &sun, sizeof sun);
    int e = errno;
    umask(old_mask);
    if (r) {
        errf(err, err_size, "%s: bind: %s", name, strerror(e));
        close(fd);
        return -e;
    }
    if (chmod(path, 0600) || listen(fd, 128)) {
        e = errno;
        errf(err, err_size, "%s: %s", name, strerror(e));
        unlink(path);
        close(fd);
        return -e;
    }
    return fd;
}

static int
listen_inet(const struct stream_target *t, uint16_t *port, char *err,
            size_t err_size, const char *name)
{
    int fd = socket(t->addr.ss_family,
                    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        errf(err, err_size, "%s: socket: %s", name, strerror(e));
        return -e;
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (bind(fd, (const struct sockaddr *) &t->addr, t->addr_len)
        || listen(fd, 128)
        || getsockname(fd, (struct sockaddr *) &ss, &len)) {
        int e = errno;
        errf(err, err_size, "%s: %s", name, strerror(e));
        close(fd);
        return -e;
    }
    *port = ntohs(ss.ss_family == AF_INET6
                  ? ((struct sockaddr_in6 *) &ss)->sin6_port
                  : ((struct sockaddr_in *) &ss)->sin_port);
    return fd;
}

int
stream_listener_open(const char *name, struct stream_ssl_ctx *ssl,
                     struct stream_listener **lp, char *err,
                     size_t err_size)
{
    struct stream_target t;
    *lp = NULL;
    int error = stream_parse(name, &t, err, err_size);
    if (error) {
        return error;
    }
    if (!t.passive) {
        errf(err, err_size, "%s: this is an active stream name, a passive "
             "one (punix:, ptcp:, pssl:) is needed here", name);
        return -EINVAL;
    }
    if (t.type == STREAM_SSL && !ssl) {
        errf(err, err_size, "%s: SSL is not configured (private key, "
             "certificate and CA certificate are needed)", name);
        return -EINVAL;
    }
    uint16_t port = 0;
    int fd = t.type == STREAM_UNIX
             ? listen_unix(t.path, err, err_size, name)
             : listen_inet(&t, &port, err, err_size, name);
    if (fd < 0) {
        return fd;
    }
    struct stream_listener *l = calloc(1, sizeof *l);
    if (!l) {
        abort();
    }
    l->fd = fd;
    l->type = t.type;
    l->ssl_ctx = ssl;
    l->port = port;
    l->name = xstrdup(name);
    l->path = t.type == STREAM_UNIX ? xstrdup(t.path) : NULL;
    *lp = l;
    return 0;
}

int
stream_listener_accept(struct stream_listener *l, struct stream **sp)
{
    struct sockaddr_storage ss;
    *sp = NULL;
    for (;;) {
        socklen_t len = sizeof ss;
        int fd = accept4(l->fd, (struct sockaddr *) &ss, &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        }
        char name[INET6_ADDRSTRLEN + 32];
        if (l->type == STREAM_UNIX) {
            snprintf(name, sizeof name, "unix#%lu", ++l->n_accepted);
        } else {
            set_nodelay(fd);
            format_inet(type_prefix(l->type), &ss, name, sizeof name);
        }
        struct stream *s = stream_new(fd, l->type, name);
        s->server = true;
        s->ssl_ctx = l->ssl_ctx;
        int error = stream_connected(s);
        if (error && error != -EAGAIN) {
            stream_close(s);
            return error;
        }
        *sp = s;
        return 0;
    }
}

int
stream_listener_fd(const struct stream_listener *l)
{
    return l->fd;
}

uint16_t
stream_listener_port(const struct stream_listener *l)
{
    return l->port;
}

const char *
stream_listener_name(const struct stream_listener *l)
{
    return l->name;
}

void
stream_listener_close(struct stream_listener *l)
{
    if (l) {
        close(l->fd);
        if (l->path) {
            unlink(l->path);
        }
        free(l->path);
        free(l->name);
        free(l);
    }
}

/* ---- Inactivity probe ---- */

void
stream_probe_init(struct stream_probe *p, uint64_t interval_ms,
                  uint64_t now_ms)
{
    p->interval_ms = interval_ms;
    p->last_rx_ms = now_ms;
    p->probing = false;
    p->echo_sent_ms = 0;
}

void
stream_probe_received(struct stream_probe *p, uint64_t now_ms)
{
    p->last_rx_ms = now_ms;
    p->probing = false;
}

uint64_t
stream_probe_deadline(const struct stream_probe *p)
{
    if (!p->interval_ms) {
        return UINT64_MAX;
    }
    return (p->probing ? p->echo_sent_ms : p->last_rx_ms) + p->interval_ms;
}

enum stream_probe_action
stream_probe_run(struct stream_probe *p, uint64_t now_ms)
{
    if (!p->interval_ms || now_ms < stream_probe_deadline(p)) {
        return STREAM_PROBE_NONE;
    }
    if (p->probing) {
        return STREAM_PROBE_DISCONNECT;
    }
    p->probing = true;
    p->echo_sent_ms = now_ms;
    return STREAM_PROBE_SEND_ECHO;
}

/* ---- Reconnect backoff ---- */

void
stream_backoff_init(struct stream_backoff *b, uint64_t min_ms,
                    uint64_t max_ms)
{
    b->min_ms = min_ms ? min_ms : 1;
    b->max_ms = max_ms < b->min_ms ? b->min_ms : max_ms;
    b->next_ms = b->min_ms;
}

uint64_t
stream_backoff_failed(struct stream_backoff *b)
{
    uint64_t delay = b->next_ms;
    b->next_ms = delay > b->max_ms / 2 ? b->max_ms : delay * 2;
    return delay;
}

void
stream_backoff_reset(struct stream_backoff *b)
{
    b->next_ms = b->min_ms;
}
