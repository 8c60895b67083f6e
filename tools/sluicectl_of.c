/* sluicectl_of: a blocking OpenFlow 1.3 client. */
#include "tools/sluicectl_of.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_ctrl.h"
#include "ofproto/ofp_msg.h"
#include "src/util/dstr.h"

#define OFPMPF_REPLY_MORE 1

struct of_client {
    int fd;
    char *path;
    int timeout_ms;
    uint32_t next_xid;
    struct ofp_stream in;
};

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
send_all(struct of_client *c, const uint8_t *p, size_t n, struct dstr *err)
{
    while (n) {
        ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            int e = errno;
            dstr_printf(err, "%s: send failed: %s", c->path, strerror(e));
            return -e;
        }
        p += k;
        n -= (size_t) k;
    }
    return 0;
}

int
of_client_send(struct of_client *c, const struct ofp_buf *msg,
               struct dstr *err)
{
    return send_all(c, msg->data, msg->len, err);
}

/* The next whole message, reading with the deadline 'deadline' (< 0:
 * none).  Echo requests are answered here, and returned only if
 * 'want_echo'. */
static int
next_msg__(struct of_client *c, long long deadline, bool want_echo,
           const uint8_t **msg, size_t *len, struct dstr *err)
{
    for (;;) {
        int e = ofp_stream_next(&c->in, msg, len);
        if (!e) {
            if ((*msg)[1] == OFPT_ECHO_REQUEST) {
                struct ofp_buf b = OFP_BUF_INIT;
                ofp_echo_reply_encode(&b, *msg, *len);
                e = send_all(c, b.data, b.len, err);
                ofp_buf_free(&b);
                if (e) {
                    return e;
                }
                if (!want_echo) {
                    continue;
                }
            }
            return 0;
        }
        if (e != -EAGAIN) {
            dstr_printf(err, "%s: malformed OpenFlow message", c->path);
            return -EPROTO;
        }
        int wait = -1;
        if (deadline >= 0) {
            long long left = deadline - now_ms();
            if (left <= 0) {
                dstr_printf(err, "%s: no reply within %d ms", c->path,
                            c->timeout_ms);
                return -ETIMEDOUT;
            }
            wait = (int) left;
        }
        struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
        int r = poll(&pfd, 1, wait);
        if (r < 0 && errno != EINTR) {
            int en = errno;
            dstr_printf(err, "%s: poll: %s", c->path, strerror(en));
            return -en;
        }
        if (r <= 0) {
            continue;
        }
        uint8_t buf[16384];
        ssize_t k = recv(c->fd, buf, sizeof buf, 0);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            dstr_printf(err, "%s: connection closed by the switch%s%s",
                        c->path, k < 0 ? ": " : "",
                        k < 0 ? strerror(errno) : "");
            return -ECONNRESET;
        }
        e = ofp_stream_feed(&c->in, buf, (size_t) k);
        if (e) {
            dstr_printf(err, "%s: too much data from the switch", c->path);
            return e;
        }
    }
}

int
of_client_next(struct of_client *c, const uint8_t **msg, size_t *len,
               struct dstr *err)
{
    return next_msg__(c, -1, true, msg, len, err);
}

static int
next_msg(struct of_client *c, long long deadline, const uint8_t **msg,
         size_t *len, struct dstr *err)
{
    return next_msg__(c, deadline, false, msg, len, err);
}

static long long
deadline_of(const struct of_client *c)
{
    return c->timeout_ms > 0 ? now_ms() + c->timeout_ms : -1;
}

int
of_client_open(const char *path, int timeout_ms, struct of_client **cp,
               struct dstr *err)
{
    *cp = NULL;
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sun.sun_path) {
        dstr_printf(err, "%s: path too long for a socket", path);
        return -ENAMETOOLONG;
    }
    strcpy(sun.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        dstr_printf(err, "socket: %s", strerror(e));
        return -e;
    }
    if (connect(fd, (struct sockaddr *) &sun, sizeof sun) < 0) {
        int e = errno;
        dstr_printf(err, "%s: connection failed (%s)", path, strerror(e));
        close(fd);
        return -e;
    }
    struct of_client *c = calloc(1, sizeof *c);
    if (!c) {
        abort();
    }
    c->fd = fd;
    c->path = strdup(path);
    if (!c->path) {
        abort();
    }
    c->timeout_ms = timeout_ms;
    c->next_xid = 1;
    ofp_stream_init(&c->in);

    struct ofp_buf b = OFP_BUF_INIT;
    ofp_hello_encode(&b, OFP_VERSION_BIT(OFP13_VERSION),
                     of_client_next_xid(c));
    int e = send_all(c, b.data, b.len, err);
    ofp_buf_free(&b);
    const uint8_t *msg;
    size_t len;
    if (!e) {
        e = next_msg(c, deadline_of(c), &msg, &len, err);
    }
    if (!e && msg[1] != OFPT_HELLO) {
        dstr_printf(err, "%s: the switch did not say hello (type %u)", path,
                    msg[1]);
        e = -EPROTO;
    }
    uint32_t theirs;
    if (!e && (ofp_hello_decode(msg, len, &theirs)
               || !ofp_version_negotiate(OFP_VERSION_BIT(OFP13_VERSION),
                                         theirs))) {
        dstr_printf(err, "%s: version negotiation failed (we support "
                    "version 0x04, peer supports version 0x%02x)", path,
                    msg[0]);
        e = -EPROTO;
    }
    if (e) {
        of_client_close(c);
        return e;
    }
    *cp = c;
    return 0;
}

void
of_client_close(struct of_client *c)
{
    if (c) {
        close(c->fd);
        ofp_stream_destroy(&c->in);
        free(c->path);
        free(c);
    }
}

uint32_t
of_client_next_xid(struct of_client *c)
{
    return c->next_xid++;
}

static uint32_t
xid_of(const uint8_t *msg)
{
    return ofp_get_u32(msg + 4);
}

int
of_client_wait(struct of_client *c, uint32_t xid, of_client_msg_fn *fn,
               void *aux, enum ofp_err *ofperr, struct dstr *err)
{
    long long deadline = deadline_of(c);
    *ofperr = OFPERR_NONE;
    for (;;) {
        const uint8_t *msg;
        size_t len;
        int e = next_msg(c, deadline, &msg, &len, err);
        if (e) {
            return e;
        }
        if (xid_of(msg) != xid || msg[1] == OFPT_HELLO) {
            continue;
        }
        if (msg[1] == OFPT_ERROR) {
            const uint8_t *data;
            size_t n;
            if (ofp_err_parse(msg, len, ofperr, &data, &n)) {
                dstr_printf(err, "%s: malformed OFPT_ERROR", c->path);
                return -EPROTO;
            }
            if (*ofperr == OFPERR_NONE) {
                *ofperr = OFPERR_N;     /* An error Sluice has no name for. */
            }
            return 0;
        }
        e = fn ? fn(msg, len, aux) : 0;
        if (e) {
            return e;
        }
        bool more = msg[1] == OFPT13_MULTIPART_REPLY && len >= 12
                    && (ofp_get_u16(msg + 10) & OFPMPF_REPLY_MORE);
        if (!more) {
            return 0;
        }
    }
}

int
of_client_transact(struct of_client *c, const struct ofp_buf *msg,
                   uint32_t xid, of_client_msg_fn *fn, void *aux,
                   enum ofp_err *ofperr, struct dstr *err)
{
    int e = of_client_send(c, msg, err);
    return e ? e : of_client_wait(c, xid, fn, aux, ofperr, err);
}

int
of_client_barrier(struct of_client *c, of_client_err_fn *fn, void *aux,
                  struct dstr *err)
{
    uint32_t xid = of_client_next_xid(c);
    struct ofp_buf b = OFP_BUF_INIT;
    size_t start = ofp_header_put(&b, OFP13_VERSION, OFPT13_BARRIER_REQUEST,
                                  xid);
    ofp_msg_finish(&b, start);
    int e = of_client_send(c, &b, err);
    ofp_buf_free(&b);
    long long deadline = deadline_of(c);
    while (!e) {
        const uint8_t *msg;
        size_t len;
        e = next_msg(c, deadline, &msg, &len, err);
        if (e) {
            break;
        }
        if (msg[1] == OFPT13_BARRIER_REPLY && xid_of(msg) == xid) {
            return 0;
        }
        if (msg[1] == OFPT_ERROR) {
            enum ofp_err oe;
            const uint8_t *data;
            size_t n;
            if (ofp_err_parse(msg, len, &oe, &data, &n)) {
                dstr_printf(err, "%s: malformed OFPT_ERROR", c->path);
                return -EPROTO;
            }
            if (fn) {
                fn(oe == OFPERR_NONE ? OFPERR_N : oe, xid_of(msg), data, n,
                   aux);
            }
        }
    }
    return e;
}

void
of_client_format_error(struct dstr *s, enum ofp_err e, uint32_t xid)
{
    dstr_printf(s, "OFPT_ERROR (OF1.3) (xid=0x%x): %s", xid,
                e == OFPERR_N ? "unknown error" : ofp_err_name(e));
}

int
of_client_request(struct of_client *c, const struct ofp_buf *req,
                  uint32_t xid, of_client_msg_fn *fn, void *aux)
{
    struct dstr err;
    dstr_init(&err);
    enum ofp_err oe;
    int e = of_client_transact(c, req, xid, fn, aux, &oe, &err);
    int status = 0;
    if (e < 0) {
        fprintf(stderr, "sluicectl: %s\n", dstr_cstr(&err));
        status = 1;
    } else if (e) {
        status = e;
    } else if (oe) {
        dstr_clear(&err);
        of_client_format_error(&err, oe, xid);
        fprintf(stderr, "%s\n", dstr_cstr(&err));
        status = 2;
    }
    dstr_free(&err);
    return status;
}
