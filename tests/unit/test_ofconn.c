/* Unit tests for ofconn: a real loop and real sockets (punix in a temp
 * dir, tcp on 127.0.0.1), with raw-socket peers that play the controller
 * or ovs-ofctl - and misbehave. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "ofproto/ofconn.h"
#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_err.h"
#include "ofproto/ofp_msg.h"
#include "src/util/dstr.h"
#include "src/util/loop.h"
#include "src/util/stream.h"
#include "tests/unit/loop_test.h"

#define MAX_CONNS 16
#define PEER_BUF (2 * 65536)
/* Peer offers: OpenFlow 1.0 to 1.5. */
#define VERSIONS_10_15 (0x7eu)

/* ---- The owner: the switch core's side of the callbacks ---- */

struct owner {
    struct loop *loop;
    struct ofconn_mgr *mgr;
    int n_connected, n_disconnected;
    int n_handled;
    struct ofconn_state last_state;     /* At the last 'connected'. */
    enum ofconn_kind last_kind;
    struct ofconn *last_conn;
    uint8_t *rx;                        /* Every message handled. */
    size_t rx_len;
    uint8_t close_type;                 /* handle() closes on it (0: no). */
};

static void
on_handle(struct ofconn *c, const uint8_t *msg, size_t len, void *aux)
{
    struct owner *o = aux;
    assert_int_equal(ofp_get_u16(msg + 2), len);
    assert_int_equal(msg[0], ofconn_state(c)->version);
    o->rx = realloc(o->rx, o->rx_len + len);
    assert_non_null(o->rx);
    memcpy(o->rx + o->rx_len, msg, len);
    o->rx_len += len;
    o->n_handled++;
    if (o->close_type && msg[1] == o->close_type) {
        ofconn_close(c, "asked to");
        /* Still valid until we return; sending fails. */
        struct ofp_buf b = OFP_BUF_INIT;
        ofp_header_put(&b, msg[0], OFPT_FEATURES_REQUEST, 1);
        assert_true(ofconn_send(c, &b) < 0);
        assert_int_equal(b.len, 0);
        ofp_buf_free(&b);
    }
}

static void
on_connected(struct ofconn *c, void *aux)
{
    struct owner *o = aux;
    o->n_connected++;
    o->last_state = *ofconn_state(c);
    o->last_kind = ofconn_kind(c);
    o->last_conn = c;
    assert_non_null(ofconn_name(c));
}

static void
on_disconnected(struct ofconn *c, void *aux)
{
    struct owner *o = aux;
    (void) c;
    o->n_disconnected++;
}

static const struct ofconn_cbs owner_cbs = {
    .handle = on_handle,
    .connected = on_connected,
    .disconnected = on_disconnected,
};

static void
owner_init(struct owner *o)
{
    memset(o, 0, sizeof *o);
    o->loop = loop_create();
    assert_non_null(o->loop);
    o->mgr = ofconn_mgr_create(o->loop, "br0", &owner_cbs, o);
    assert_non_null(o->mgr);
}

static void
owner_destroy(struct owner *o)
{
    int live = (int) ofconn_mgr_n_conns(o->mgr);
    int before = o->n_disconnected;
    ofconn_mgr_destroy(o->mgr);
    /* Every live connection was told. */
    assert_int_equal(o->n_disconnected, before + live);
    loop_destroy(o->loop);
    free(o->rx);
}

static struct ofconn_mgr_stats
owner_stats(const struct owner *o)
{
    struct ofconn_mgr_stats st;
    ofconn_mgr_get_stats(o->mgr, &st);
    return st;
}

/* Sets a single passive target "punix:TMP/'name'" with 'probe_ms'; returns
 * its socket path. */
static char *
listen_unix(struct owner *o, const char *name, uint64_t probe_ms)
{
    char *path = tmp_path(name);
    char target[160];
    snprintf(target, sizeof target, "punix:%s", path);
    struct ofconn_target t = {
        .target = target, .kind = OFCONN_SERVICE, .probe_ms = probe_ms,
    };
    struct dstr err = DSTR_INIT;
    assert_int_equal(ofconn_mgr_set_targets(o->mgr, &t, 1, NULL, &err), 0);
    assert_int_equal(err.len, 0);
    dstr_free(&err);
    return path;
}

/* ---- Raw peers ---- */

struct peer {
    int fd;
    uint8_t buf[PEER_BUF];
    size_t len;
};

static struct peer *
peer_of_fd(int fd)
{
    struct peer *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->fd = fd;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return p;
}

static struct peer *
peer_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *) &sun, sizeof sun), 0);
    return peer_of_fd(fd);
}

static void
peer_close(struct peer *p)
{
    if (p) {
        close(p->fd);
        free(p);
    }
}

/* Writes all of 'data', running the loop while the socket is full. */
static void
peer_write(struct loop *loop, struct peer *p, const void *data, size_t n)
{
    const uint8_t *d = data;
    uint64_t deadline = loop_now_ms() + 5000;
    while (n) {
        ssize_t w = write(p->fd, d, n);
        if (w > 0) {
            d += w;
            n -= (size_t) w;
        } else {
            assert_true(w < 0 && errno == EAGAIN);
            assert_true(loop_now_ms() < deadline);
            loop_run_once(loop, 5);
        }
    }
}

static void
peer_send(struct loop *loop, struct peer *p, struct ofp_buf *b)
{
    peer_write(loop, p, b->data, b->len);
    ofp_buf_free(b);
}

/* Runs the loop until a whole message from the switch is there; copies
 * it into 'out' (PEER_BUF bytes) and returns its length, 0 at end of
 * stream, -1 after 'ms'. */
static int
peer_recv(struct loop *loop, struct peer *p, uint8_t *out, uint64_t ms)
{
    uint64_t deadline = loop_now_ms() + ms;
    for (;;) {
        size_t n;
        if (!ofp_msg_frame(p->buf, p->len, &n)) {
            memcpy(out, p->buf, n);
            memmove(p->buf, p->buf + n, p->len - n);
            p->len -= n;
            return (int) n;
        }
        ssize_t r = read(p->fd, p->buf + p->len, sizeof p->buf - p->len);
        if (r > 0) {
            p->len += (size_t) r;
            continue;
        } else if (!r || errno != EAGAIN) {
            return 0;
        } else if (loop_now_ms() >= deadline) {
            return -1;
        }
        loop_run_once(loop, 5);
    }
}

/* Reads until end of stream (skipping messages); true if within 'ms'. */
static bool
peer_wait_closed(struct loop *loop, struct peer *p, uint64_t ms)
{
    static uint8_t msg[PEER_BUF];
    uint64_t deadline = loop_now_ms() + ms;
    int n;
    while ((n = peer_recv(loop, p, msg, deadline - loop_now_ms())) > 0) {
        if (loop_now_ms() >= deadline) {
            return false;
        }
    }
    return n == 0;
}

/* Appends a message of 'body' patterned bytes after the header. */
static void
put_msg(struct ofp_buf *b, uint8_t version, uint8_t type, uint32_t xid,
        size_t body)
{
    size_t start = ofp_header_put(b, version, type, xid);
    for (size_t i = 0; i < body; i++) {
        ofp_buf_put_u8(b, (uint8_t) (i * 7 + xid));
    }
    assert_int_equal(ofp_msg_finish(b, start), 0);
}

/* Expects the switch's HELLO: OpenFlow 1.3 offering 1.0 and 1.3. */
static void
expect_switch_hello(struct loop *loop, struct peer *p)
{
    static uint8_t msg[PEER_BUF];
    int n = peer_recv(loop, p, msg, 2000);
    assert_true(n >= OFP_HEADER_LEN);
    assert_int_equal(msg[1], OFPT_HELLO);
    assert_int_equal(msg[0], OFP13_VERSION);
    uint32_t versions;
    assert_int_equal(ofp_hello_decode(msg, (size_t) n, &versions), 0);
    assert_int_equal(versions, OFP_SUPPORTED_VERSIONS);
}

/* Expects HELLO_FAILED/INCOMPATIBLE in 'version' answering 'xid', with
 * text, then the end of the connection. */
static void
expect_hello_failed(struct loop *loop, struct peer *p, uint8_t version,
                    uint32_t xid)
{
    static uint8_t msg[PEER_BUF];
    int n = peer_recv(loop, p, msg, 2000);
    assert_true(n > OFP_HEADER_LEN);
    assert_int_equal(msg[1], OFPT_ERROR);
    assert_int_equal(msg[0], version);
    assert_int_equal(ofp_get_u32(msg + 4), xid);
    enum ofp_err err;
    const uint8_t *data;
    size_t data_len;
    assert_int_equal(ofp_err_parse(msg, (size_t) n, &err, &data, &data_len),
                     0);
    assert_int_equal(err, OFPERR_OFPHFC_INCOMPATIBLE);
    assert_true(data_len > 0);
    assert_true(peer_wait_closed(loop, p, 2000));
}

/* Connects to 'path', says HELLO offering 'versions' and waits until the
 * owner hears of the connection. */
static struct peer *
peer_negotiate(struct owner *o, const char *path, uint32_t versions)
{
    struct peer *p = peer_unix(path);
    int connected = o->n_connected;
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_hello_encode(&b, versions, 99);
    peer_send(o->loop, p, &b);
    expect_switch_hello(o->loop, p);
    RUN_UNTIL(o->loop, o->n_connected == connected + 1, 2000);
    assert_int_equal(o->n_connected, connected + 1);
    return p;
}

/* Sends an echo request and expects its reply: the connection works. */
static void
peer_ping(struct owner *o, struct peer *p, uint8_t version, uint32_t xid)
{
    static uint8_t msg[PEER_BUF];
    struct ofp_buf b = OFP_BUF_INIT;
    put_msg(&b, version, OFPT_ECHO_REQUEST, xid, 5);
    uint8_t req[OFP_HEADER_LEN + 5];
    memcpy(req, b.data, sizeof req);
    peer_send(o->loop, p, &b);
    int n = peer_recv(o->loop, p, msg, 2000);
    assert_int_equal(n, sizeof req);
    assert_int_equal(msg[0], version);
    assert_int_equal(msg[1], OFPT_ECHO_REPLY);
    assert_int_equal(ofp_get_u32(msg + 4), xid);
    assert_memory_equal(msg + OFP_HEADER_LEN, req + OFP_HEADER_LEN, 5);
}

static int
group_setup(void **state)
{
    (void) state;
    return tmpdir_create("test_ofconn");
}

static int
group_teardown(void **state)
{
    (void) state;
    return tmpdir_remove();
}

/* ---- 1. HELLO negotiation ---- */

static void
test_hello(void **state)
{
    (void) state;
    struct owner o;
    owner_init(&o);
    char *path = listen_unix(&o, "hello.mgmt", 0);

    /* 1.0-1.5 offered: 1.3, with OpenFlow's defaults. */
    struct peer *p13 = peer_negotiate(&o, path, VERSIONS_10_15);
    const struct ofconn_state *s = &o.last_state;
    assert_int_equal(s->version, OFP13_VERSION);
    assert_int_equal(s->flow_format, NXFF_OPENFLOW10);
    assert_int_equal(s->packet_in_format, NXPIF_STANDARD);
    assert_false(s->table_id_ext);
    assert_int_equal(s->role, OFPCR_ROLE_EQUAL);
    assert_int_equal(s->miss_send_len, 0);
    assert_int_equal(s->config_flags, OFPC_FRAG_NORMAL);
    assert_int_equal(s->async.packet_in[0], 0x3);      /* NO_MATCH, ACTION */
    assert_int_equal(s->async.packet_in[1], 0);
    assert_int_equal(s->async.port_status[0], 0x7);
    assert_int_equal(s->async.port_status[1], 0x7);
    assert_int_equal(s->async.flow_removed[0], 0xf);
    assert_int_equal(s->async.flow_removed[1], 0);
    assert_int_equal(o.last_kind, OFCONN_SERVICE);
    assert_int_equal(ofconn_mgr_n_conns(o.mgr), 1);
    assert_non_null(strstr(ofconn_name(o.last_conn), "unix"));

    /* A bare OpenFlow 1.0 HELLO (no bitmap): 1.0, and 1.0 messages reach
     * the owner. */
    struct peer *p10 = peer_unix(path);
    const uint8_t hello10[] = { 1, OFPT_HELLO, 0, 8, 0, 0, 0, 5 };
    peer_write(o.loop, p10, hello10, sizeof hello10);
    expect_switch_hello(o.loop, p10);
    RUN_UNTIL(o.loop, o.n_connected == 2, 2000);
    assert_int_equal(o.n_connected, 2);
    assert_int_equal(o.last_state.version, OFP10_VERSION);
    struct ofp_buf b = OFP_BUF_INIT;
    put_msg(&b, OFP10_VERSION, OFPT_FEATURES_REQUEST, 6, 0);
    peer_send(o.loop, p10, &b);
    RUN_UNTIL(o.loop, o.n_handled == 1, 2000);
    assert_int_equal(o.n_handled, 1);
    peer_ping(&o, p10, OFP10_VERSION, 7);

    /* Only 1.5: HELLO_FAILED/INCOMPATIBLE, closed, the owner never
     * hears of it. */
    struct peer *p15 = peer_unix(path);
    ofp_hello_encode(&b, OFP_VERSION_BIT(6), 8);
    peer_send(o.loop, p15, &b);
    expect_switch_hello(o.loop, p15);
    expect_hello_failed(o.loop, p15, OFP13_VERSION, 8);
    struct ofconn_mgr_stats st = owner_stats(&o);
    assert_int_equal(st.hello_failed, 1);
    assert_int_equal(st.negotiated, 2);
    assert_int_equal(st.accepted, 3);
    assert_int_equal(o.n_connected, 2);
    assert_int_equal(o.n_disconnected, 0);
    assert_int_equal(ofconn_mgr_n_conns(o.mgr), 2);

    /* A first message that is not HELLO: closed. */
    struct peer *px = peer_unix(path);
    put_msg(&b, OFP13_VERSION, OFPT_FEATURES_REQUEST, 9, 0);
    peer_send(o.loop, px, &b);
    assert_true(peer_wait_closed(o.loop, px, 2000));
    assert_int_equal(o.n_connected, 2);

    peer_close(px);
    peer_close(p15);
    peer_close(p10);
    peer_close(p13);
    RUN_UNTIL(o.loop, o.n_disconnected == 2, 2000);
    assert_int_equal(o.n_disconnected, 2);
    owner_destroy(&o);
}

/* The switch's HELLO on 'p': its header version and bitmap. */
static void
recv_hello(struct loop *loop, struct peer *p, uint8_t *version,
           uint32_t *versions)
{
    static uint8_t msg[PEER_BUF];
    int n = peer_recv(loop, p, msg, 2000);
    assert_true(n >= OFP_HEADER_LEN);
    assert_int_equal(msg[1], OFPT_HELLO);
    *version = msg[0];
    assert_int_equal(ofp_hello_decode(msg, (size_t) n, versions), 0);
}

/* Bridge protocols: only the versions allowed are offered and
 * negotiated; a peer with none of them gets HELLO_FAILED; connections at
 * a version no longer allowed are closed. */
static void
test_restricted_versions(void **state)
{
    (void) state;
    struct owner o;
    owner_init(&o);
    char *path = listen_unix(&o, "versions.mgmt", 0);
    /* OpenFlow 1.5 is not spoken: left out. */
    ofconn_mgr_set_versions(o.mgr, OFP_VERSION_BIT(OFP13_VERSION)
                                   | OFP_VERSION_BIT(6));

    /* 1.0-1.5 offered: 1.3, and the switch offered 1.3 alone. */
    struct peer *p13 = peer_unix(path);
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_hello_encode(&b, VERSIONS_10_15, 1);
    peer_send(o.loop, p13, &b);
    uint8_t version;
    uint32_t versions;
    recv_hello(o.loop, p13, &version, &versions);
    assert_int_equal(version, OFP13_VERSION);
    assert_int_equal(versions, OFP_VERSION_BIT(OFP13_VERSION));
    RUN_UNTIL(o.loop, o.n_connected == 1, 2000);
    assert_int_equal(o.last_state.version, OFP13_VERSION);

    /* A bare 1.0 HELLO (ovs-ofctl without -O): HELLO_FAILED in 1.0,
     * closed, the owner never hears of it. */
    struct peer *p10 = peer_unix(path);
    const uint8_t hello10[] = { 1, OFPT_HELLO, 0, 8, 0, 0, 0, 5 };
    peer_write(o.loop, p10, hello10, sizeof hello10);
    recv_hello(o.loop, p10, &version, &versions);
    expect_hello_failed(o.loop, p10, OFP10_VERSION, 5);
    struct ofconn_mgr_stats st = owner_stats(&o);
    assert_int_equal(st.hello_failed, 1);
    assert_int_equal(o.n_connected, 1);

    /* 1.0 only now: the 1.3 connection goes, 1.0 is negotiated. */
    ofconn_mgr_set_versions(o.mgr, OFP_VERSION_BIT(OFP10_VERSION));
    assert_int_equal(o.n_disconnected, 1);
    assert_true(peer_wait_closed(o.loop, p13, 2000));
    struct peer *q10 = peer_unix(path);
    peer_write(o.loop, q10, hello10, sizeof hello10);
    recv_hello(o.loop, q10, &version, &versions);
    assert_int_equal(version, OFP10_VERSION);
    RUN_UNTIL(o.loop, o.n_connected == 2, 2000);
    assert_int_equal(o.last_state.version, OFP10_VERSION);

    /* Back to the default (0): both again, the 1.0 connection stays. */
    ofconn_mgr_set_versions(o.mgr, 0);
    assert_int_equal(ofconn_mgr_n_conns(o.mgr), 1);
    struct peer *again = peer_negotiate(&o, path, VERSIONS_10_15);
    assert_int_equal(o.last_state.version, OFP13_VERSION);

    peer_close(again);
    peer_close(q10);
    peer_close(p10);
    peer_close(p13);
    RUN_UNTIL(o.loop, o.n_disconnected == 3, 2000);
    assert_int_equal(o.n_disconnected, 3);
    owner_destroy(&o);
}

/* ---- 2. Echo ---- */

static void
test_echo(void **state)
{
    (void) state;
    struct owner o;
    owner_init(&o);
    char *path = listen_unix(&o, "echo.mgmt", 0);
    struct peer *p = peer_negotiate(&o, path, VERSIONS_10_15);

    peer_ping(&o, p, OFP13_VERSION, 0xabcd1234);
    peer_ping(&o, p, OFP13_VERSION, 2);
    /* A reply to an echo nobody sent: swallowed too. */
    struct ofp_buf b = OFP_BUF_INIT;
    put_msg(&b, OFP13_VERSION, OFPT_ECHO_REPLY, 3, 4);
    peer_send(o.loop, p, &b);
    run_for(o.loop, 50);
    assert_int_equal(o.n_handled, 0);

    /* Anything else reaches the owner. */
    put_msg(&b, OFP13_VERSION, OFPT13_BARRIER_REQUEST, 4, 0);
    peer_send(o.loop, p, &b);
    RUN_UNTIL(o.loop, o.n_handled == 1, 2000);
    assert_int_equal(o.n_handled, 1);
    assert_int_equal(o.rx[1], OFPT13_BARRIER_REQUEST);

    peer_close(p);
    owner_destroy(&o);
}

/* ---- 3. Bad version, bad length ---- */

static void
test_bad_messages(void **state)
{
    (void) state;
    static uint8_t msg[PEER_BUF];
    struct owner o;
    owner_init(&o);
    char *path = listen_unix(&o, "bad.mgmt", 0);
    struct peer *p = peer_negotiate(&o, path, VERSIONS_10_15);

    /* OpenFlow 1.0 on a 1.3 connection: BAD_VERSION with the bytes, and
     * the connection goes on. */
    struct ofp_buf b = OFP_BUF_INIT;
    put_msg(&b, OFP10_VERSION, OFPT_FEATURES_REQUEST, 77, 4);
    uint8_t bad[OFP_HEADER_LEN + 4];
    memcpy(bad, b.data, sizeof bad);
    peer_send(o.loop, p, &b);
    int n = peer_recv(o.loop, p, msg, 2000);
    assert_true(n > 0);
    assert_int_equal(msg[0], OFP13_VERSION);
    assert_int_equal(msg[1], OFPT_ERROR);
    assert_int_equal(ofp_get_u32(msg + 4), 77);
    enum ofp_err err;
    const uint8_t *data;
    size_t data_len;
    assert_int_equal(ofp_err_parse(msg, (size_t) n, &err, &data, &data_len),
                     0);
    assert_int_equal(err, OFPERR_OFPBRC_BAD_VERSION);
    assert_int_equal(data_len, sizeof bad);
    assert_memory_equal(data, bad, sizeof bad);
    peer_ping(&o, p, OFP13_VERSION, 78);
    assert_int_equal(o.n_handled, 0);
    assert_int_equal(o.n_disconnected, 0);

    /* A length below 8: BAD_LEN, then closed. */
    const uint8_t short_len[] = { OFP13_VERSION, OFPT13_BARRIER_REQUEST,
                                  0, 4, 0, 0, 0, 79 };
    peer_write(o.loop, p, short_len, sizeof short_len);
    n = peer_recv(o.loop, p, msg, 2000);
    assert_true(n > 0);
    assert_int_equal(msg[1], OFPT_ERROR);
    assert_int_equal(ofp_get_u32(msg + 4), 79);
    assert_int_equal(ofp_err_parse(msg, (size_t) n, &err, &data, &data_len),
                     0);
    assert_int_equal(err, OFPERR_OFPBRC_BAD_LEN);
    assert_true(peer_wait_closed(o.loop, p, 2000));
    RUN_UNTIL(o.loop, o.n_disconnected == 1, 2000);
    assert_int_equal(o.n_disconnected, 1);
    assert_int_equal(o.n_handled, 0);
    assert_int_equal(owner_stats(&o).bad_messages, 2);
    assert_int_equal(ofconn_mgr_n_conns(o.mgr), 0);

    peer_close(p);
    owner_destroy(&o);
}

/* ---- 4. Framing ---- */

static void
test_framing(void **state)
{
    (void) state;
    struct owner o;
    owner_init(&o);
    char *path = listen_unix(&o, "framing.mgmt", 0);
    struct peer *p = peer_negotiate(&o, path, VERSIONS_10_15);

    /* Three messages, one of them near the largest. */
    struct ofp_buf b = OFP_BUF_INIT;
    put_msg(&b, OFP13_VERSION, OFPT_FEATURES_REQUEST, 1, 0);
    put_msg(&b, OFP13_VERSION, OFPT_VENDOR, 2, 60000);
    put_msg(&b, OFP13_VERSION, OFPT13_BARRIER_REQUEST, 3, 8);

    /* Split: a byte at a time for the first 40 bytes, then in pieces. */
    size_t ofs = 0;
    for (; ofs < 40; ofs++) {
        peer_write(o.loop, p, b.data + ofs, 1);
        loop_run_once(o.loop, 0);
    }
    while (ofs < b.len) {
        size_t n = b.len - ofs < 7000 ? b.len - ofs : 7000;
        peer_write(o.loop, p, b.data + ofs, n);
        loop_run_once(o.loop, 0);
        ofs += n;
    }
    RUN_UNTIL(o.loop, o.n_handled == 3, 2000);
    assert_int_equal(o.n_handled, 3);
    assert_int_equal(o.rx_len, b.len);
    assert_memory_equal(o.rx, b.data, b.len);

    /* All three in one write. */
    peer_write(o.loop, p, b.data, b.len);
    RUN_UNTIL(o.loop, o.n_handled == 6, 2000);
    assert_int_equal(o.n_handled, 6);
    assert_int_equal(o.rx_len, 2 * b.len);
    assert_memory_equal(o.rx + b.len, b.data, b.len);
    assert_int_equal(owner_stats(&o).rx_msgs, 1 + 6);

    /* handle() closes on the second of three: the third is not handled,
     * the owner hears once, the peer sees the end. */
    ofp_buf_clear(&b);
    put_msg(&b, OFP13_VERSION, OFPT_FEATURES_REQUEST, 4, 0);
    put_msg(&b, OFP13_VERSION, OFPT13_BARRIER_REQUEST, 5, 0);
    put_msg(&b, OFP13_VERSION, OFPT_FEATURES_REQUEST, 6, 0);
    o.close_type = OFPT13_BARRIER_REQUEST;
    peer_send(o.loop, p, &b);
    assert_true(peer_wait_closed(o.loop, p, 2000));
    assert_int_equal(o.n_handled, 8);
    assert_int_equal(o.n_disconnected, 1);
    assert_int_equal(ofconn_mgr_n_conns(o.mgr), 0);

    peer_close(p);
    owner_destroy(&o);
}

/* ---- 5. Slow peer ---- */

static void
test_slow_peer(void **state)
{
    (void) state;
    struct owner o;
    owner_init(&o);
    char *path = listen_unix(&o, "slow.mgmt", 0);
    struct peer *good = peer_negotiate(&o, path, VERSIONS_10_15);
    struct ofconn *good_conn = o.last_conn;
    struct peer *slow = peer_unix(path);
    int small = 4096;
    setsockopt(slow->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_hello_encode(&b, VERSIONS_10_15, 1);
    peer_send(o.loop, slow, &b);
    RUN_UNTIL(o.loop, o.n_connected == 2, 2000);
    assert_int_equal(o.n_connected, 2);
    struct ofconn *slow_conn = o.last_conn;

    /* The owner sends 60 kB messages to a peer that never reads; the
     * loop keeps running in between and never blocks. */
    loop_clear_longest(o.loop);
    size_t sent = 0;
    int error = 0;
    for (uint32_t xid = 1; xid < 1000 && !error; xid++) {
        put_msg(&b, OFP13_VERSION, OFPT_VENDOR, xid, 60000);
        size_t len = b.len;
        uint64_t start = loop_now_ms();
        error = ofconn_send(slow_conn, &b);
        assert_true(loop_now_ms() - start < 200);
        assert_int_equal(b.len, 0);
        if (error) {
            break;
        }
        sent += len;
        loop_run_once(o.loop, 0);
    }
    assert_int_equal(error, -ENOBUFS);
    assert_true(sent > OFCONN_MAX_BACKLOG);
    assert_true(sent < OFCONN_MAX_BACKLOG + 4 * 1024 * 1024);
    /* Closed from the loop, not inside the send: until then, sending
     * fails without harm. */
    assert_int_equal(o.n_disconnected, 0);
    put_msg(&b, OFP13_VERSION, OFPT_VENDOR, 0, 10);
    assert_int_equal(ofconn_send(slow_conn, &b), -ENOBUFS);
    ofp_buf_free(&b);
    RUN_UNTIL(o.loop, o.n_disconnected == 1, 2000);
    assert_int_equal(o.n_disconnected, 1);
    assert_int_equal(owner_stats(&o).dropped_slow, 1);
    struct loop_stats ls;
    loop_get_stats(o.loop, &ls);
    assert_true(ls.longest_ns < 1000u * 1000 * 1000);
    assert_true(peer_wait_closed(o.loop, slow, 5000));

    /* The other connection never noticed. */
    peer_ping(&o, good, OFP13_VERSION, 5);
    assert_int_equal(ofconn_mgr_n_conns(o.mgr), 1);
    put_msg(&b, OFP13_VERSION, OFPT13_BARRIER_REPLY, 6, 0);
    assert_int_equal(ofconn_send(good_conn, &b), 0);
    static uint8_t msg[PEER_BUF];
    assert_int_equal(peer_recv(o.loop, good, msg, 2000), OFP_HEADER_LEN);
    assert_int_equal(msg[1], OFPT13_BARRIER_REPLY);
    ofp_buf_free(&b);

    peer_close(slow);
    peer_close(good);
    owner_destroy(&o);
}

/* ---- 6. Inactivity probe ---- */

static void
test_probe(void **state)
{
    (void) state;
    static uint8_t msg[PEER_BUF];
    struct owner o;
    owner_init(&o);
    char *path = listen_unix(&o, "probe.mgmt", 100);

    /* Silent after HELLO: an echo request after 100 ms, closed after
     * another 100 ms without an answer. */
    struct peer *silent = peer_negotiate(&o, path, VERSIONS_10_15);
    uint64_t start = loop_now_ms();
    int n = peer_recv(o.loop, silent, msg, 1000);
    assert_int_equal(n, OFP_HEADER_LEN);
    assert_int_equal(msg[0], OFP13_VERSION);
    assert_int_equal(msg[1], OFPT_ECHO_REQUEST);
    assert_true(loop_now_ms() - start >= 80);
    assert_true(peer_wait_closed(o.loop, silent, 2000));
    uint64_t elapsed = loop_now_ms() - start;
    assert_true(elapsed >= 150 && elapsed < 1500);
    RUN_UNTIL(o.loop, o.n_disconnected == 1, 1000);
    assert_int_equal(o.n_disconnected, 1);
    assert_int_equal(owner_stats(&o).dropped_probe, 1);

    /* One that answers stays; its answers never reach the owner. */
    struct peer *live = peer_negotiate(&o, path, VERSIONS_10_15);
    start = loop_now_ms();
    int answered = 0;
    while (loop_now_ms() - start < 600) {
        n = peer_recv(o.loop, live, msg, 50);
        assert_true(n != 0);
        if (n > 0) {
            assert_int_equal(msg[1], OFPT_ECHO_REQUEST);
            struct ofp_buf b = OFP_BUF_INIT;
            put_msg(&b, OFP13_VERSION, OFPT_ECHO_REPLY,
                    ofp_get_u32(msg + 4), 0);
            peer_send(o.loop, live, &b);
            answered++;
        }
    }
    assert_true(answered >= 2);
    assert_int_equal(o.n_disconnected, 1);
    assert_int_equal(ofconn_mgr_n_conns(o.mgr), 1);
    assert_int_equal(o.n_handled, 0);
    assert_int_equal(owner_stats(&o).dropped_probe, 1);

    peer_close(live);
    peer_close(silent);
    owner_destroy(&o);
}

/* ---- 7. Active target ---- */

/* Waits for a connection on 'sl' and returns it as a raw peer. */
static struct peer *
accept_peer(struct loop *loop, struct stream_listener *sl, uint64_t ms)
{
    uint64_t deadline = loop_now_ms() + ms;
    int fd;
    while ((fd = accept4(stream_listener_fd(sl), NULL, NULL,
                         SOCK_CLOEXEC)) < 0) {
        assert_int_equal(errno, EAGAIN);
        if (loop_now_ms() >= deadline) {
            return NULL;
        }
        loop_run_once(loop, 5);
    }
    return peer_of_fd(fd);
}

static void
expect_status(struct owner *o, const char *target, bool connected)
{
    struct ofconn_target_status st;
    assert_true(ofconn_mgr_target_status(o->mgr, target, &st));
    assert_int_equal(st.is_connected, connected);
    assert_non_null(st.last_error);
}

static void
test_active(void **state)
{
    (void) state;
    char err[STREAM_ERR_LEN];
    struct stream_listener *sl;
    /* A port that is free now. */
    assert_int_equal(stream_listener_open("ptcp:0:127.0.0.1", NULL, &sl,
                                          err, sizeof err), 0);
    uint16_t port = stream_listener_port(sl);
    stream_listener_close(sl);

    struct owner o;
    owner_init(&o);
    char target[64], passive[64];
    snprintf(target, sizeof target, "tcp:127.0.0.1:%u", port);
    snprintf(passive, sizeof passive, "ptcp:%u:127.0.0.1", port);
    struct ofconn_target t = {
        .target = target, .kind = OFCONN_PRIMARY, .max_backoff_ms = 2000,
    };
    assert_int_equal(ofconn_mgr_set_targets(o.mgr, &t, 1, NULL, NULL), 0);

    /* Nobody listens: refused, recorded, retried. */
    struct ofconn_target_status st;
    RUN_UNTIL(o.loop, ofconn_mgr_target_status(o.mgr, target, &st)
                      && st.last_error[0], 2000);
    expect_status(&o, target, false);
    assert_true(ofconn_mgr_target_status(o.mgr, target, &st));
    assert_non_null(strstr(st.last_error, "refused"));
    assert_int_equal(st.sec_since_connect, UINT64_MAX);
    run_for(o.loop, 1200);          /* The second attempt fails too. */
    assert_int_equal(owner_stats(&o).connects, 0);

    /* The controller comes up: a later attempt connects. */
    assert_int_equal(stream_listener_open(passive, NULL, &sl, err,
                                          sizeof err), 0);
    struct peer *p = accept_peer(o.loop, sl, 5000);
    assert_non_null(p);
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_hello_encode(&b, VERSIONS_10_15, 1);
    peer_send(o.loop, p, &b);
    expect_switch_hello(o.loop, p);
    RUN_UNTIL(o.loop, o.n_connected == 1, 2000);
    assert_int_equal(o.n_connected, 1);
    assert_int_equal(o.last_kind, OFCONN_PRIMARY);
    assert_int_equal(o.last_state.miss_send_len, 128);
    assert_true(ofconn_mgr_target_status(o.mgr, target, &st));
    assert_true(st.is_connected);
    assert_non_null(strstr(st.last_error, "refused"));  /* History. */
    assert_int_equal(st.sec_since_connect, 0);
    assert_int_equal(st.role, OFPCR_ROLE_EQUAL);
    assert_int_equal(owner_stats(&o).connects, 1);
    peer_ping(&o, p, OFP13_VERSION, 2);

    /* The controller drops the connection: back to connecting, and
     * connected again after the (reset) backoff. */
    peer_close(p);
    RUN_UNTIL(o.loop, o.n_disconnected == 1, 2000);
    assert_int_equal(o.n_disconnected, 1);
    assert_true(ofconn_mgr_target_status(o.mgr, target, &st));
    assert_false(st.is_connected);
    assert_non_null(strstr(st.last_error, "closed by peer"));
    assert_int_equal(st.sec_since_disconnect, 0);
    p = accept_peer(o.loop, sl, 3000);
    assert_non_null(p);
    ofp_hello_encode(&b, OFP_VERSION_BIT(OFP10_VERSION), 3);
    peer_send(o.loop, p, &b);
    expect_switch_hello(o.loop, p);
    RUN_UNTIL(o.loop, o.n_connected == 2, 2000);
    assert_int_equal(o.n_connected, 2);
    assert_int_equal(o.last_state.version, OFP10_VERSION);
    expect_status(&o, target, true);
    assert_int_equal(owner_stats(&o).connects, 2);

    assert_false(ofconn_mgr_target_status(o.mgr, "tcp:127.0.0.1:1", &st));
    owner_destroy(&o);
    peer_close(p);
    stream_listener_close(sl);
}

/* ---- 8. set_targets ---- */

struct count_aux {
    int n;
};

static void
send_barrier_reply(struct ofconn *c, void *aux_)
{
    struct count_aux *aux = aux_;
    struct ofp_buf b = OFP_BUF_INIT;
    put_msg(&b, ofconn_state(c)->version, OFPT13_BARRIER_REPLY, 42, 0);
    assert_int_equal(ofconn_send(c, &b), 0);
    ofp_buf_free(&b);
    aux->n++;
}

static void
test_set_targets(void **state)
{
    (void) state;
    static uint8_t msg[PEER_BUF];
    struct owner o;
    owner_init(&o);
    char a[160], bb[160], c[160];
    char *path_a = tmp_path("a.mgmt"), *path_b = tmp_path("b.mgmt");
    char *path_c = tmp_path("c.mgmt");
    snprintf(a, sizeof a, "punix:%s", path_a);
    snprintf(bb, sizeof bb, "punix:%s", path_b);
    snprintf(c, sizeof c, "punix:%s", path_c);
    struct ofconn_target two[] = {
        { .target = a, .kind = OFCONN_SERVICE },
        { .target = bb, .kind = OFCONN_SERVICE },
    };
    assert_int_equal(ofconn_mgr_set_targets(o.mgr, two, 2, NULL, NULL), 0);
    struct peer *pa = peer_negotiate(&o, path_a, VERSIONS_10_15);
    struct peer *pb = peer_negotiate(&o, path_b, VERSIONS_10_15);
    assert_int_equal(ofconn_mgr_n_conns(o.mgr), 2);
    expect_status(&o, a, true);

    /* Same targets again: nothing moves. */
    assert_int_equal(ofconn_mgr_set_targets(o.mgr, two, 2, NULL, NULL), 0);
    run_for(o.loop, 50);
    assert_int_equal(o.n_disconnected, 0);
    peer_ping(&o, pa, OFP13_VERSION, 1);

    /* A goes, B stays, C comes; two bad ones are reported and skipped. */
    struct ofconn_target next[] = {
        { .target = "bogus:xyz", .kind = OFCONN_SERVICE },
        { .target = bb, .kind = OFCONN_SERVICE },
        { .target = "ptcp:notaport", .kind = OFCONN_SERVICE },
        { .target = c, .kind = OFCONN_SERVICE },
    };
    struct dstr err = DSTR_INIT;
    assert_true(ofconn_mgr_set_targets(o.mgr, next, 4, NULL, &err) < 0);
    assert_non_null(strstr(dstr_cstr(&err), "bogus:xyz"));
    assert_non_null(strstr(dstr_cstr(&err), "ptcp:notaport"));
    dstr_free(&err);
    assert_int_equal(o.n_disconnected, 1);      /* At once. */
    assert_true(peer_wait_closed(o.loop, pa, 2000));
    assert_int_equal(access(path_a, F_OK), -1);
    struct ofconn_target_status st;
    assert_false(ofconn_mgr_target_status(o.mgr, a, &st));
    /* Skipped targets are reported, not connected, with why. */
    assert_true(ofconn_mgr_target_status(o.mgr, "bogus:xyz", &st));
    assert_false(st.is_connected);
    assert_non_null(strstr(st.last_error, "unknown"));
    assert_null(strstr(st.last_error, "bogus:xyz: "));
    expect_status(&o, bb, true);
    expect_status(&o, c, true);
    peer_ping(&o, pb, OFP13_VERSION, 2);
    struct peer *pc = peer_negotiate(&o, path_c, VERSIONS_10_15);
    assert_int_equal(ofconn_mgr_n_conns(o.mgr), 2);

    /* for_each reaches every negotiated connection. */
    struct count_aux aux = { 0 };
    ofconn_mgr_for_each(o.mgr, send_barrier_reply, &aux);
    assert_int_equal(aux.n, 2);
    assert_int_equal(peer_recv(o.loop, pb, msg, 2000), OFP_HEADER_LEN);
    assert_int_equal(ofp_get_u32(msg + 4), 42);
    assert_int_equal(peer_recv(o.loop, pc, msg, 2000), OFP_HEADER_LEN);
    assert_int_equal(ofp_get_u32(msg + 4), 42);

    /* No targets: everything closes, the sockets go. */
    assert_int_equal(ofconn_mgr_set_targets(o.mgr, NULL, 0, NULL, NULL), 0);
    assert_false(ofconn_mgr_target_status(o.mgr, "bogus:xyz", &st));
    assert_int_equal(o.n_disconnected, 3);
    assert_int_equal(ofconn_mgr_n_conns(o.mgr), 0);
    assert_true(peer_wait_closed(o.loop, pb, 2000));
    assert_true(peer_wait_closed(o.loop, pc, 2000));
    assert_int_equal(access(path_b, F_OK), -1);
    assert_int_equal(access(path_c, F_OK), -1);

    peer_close(pa);
    peer_close(pb);
    peer_close(pc);
    owner_destroy(&o);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello),
        cmocka_unit_test(test_restricted_versions),
        cmocka_unit_test(test_echo),
        cmocka_unit_test(test_bad_messages),
        cmocka_unit_test(test_framing),
        cmocka_unit_test(test_slow_peer),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_active),
        cmocka_unit_test(test_set_targets),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
