/* Unit tests for stream (names, unix/tcp/ssl streams, listeners, probe,
 * backoff), stream_ssl and stream_rpc: in-process servers and clients on
 * one loop, plus raw sockets that misbehave. */
#include <arpa/inet.h>
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "src/util/fds.h"
#include "src/util/jsonrpc.h"
#include "src/util/loop.h"
#include "src/util/stream.h"
#include "src/util/stream_rpc.h"
#include "src/util/stream_ssl.h"
#include "tests/unit/loop_test.h"

#define MAX_RPCS 64

/* ---- One side's view of its sessions ---- */

struct peer {
    struct loop *loop;
    bool answer;            /* Reply to requests with their params. */
    int n_accepted;
    int n_connected;
    int n_closed;
    int last_error;
    char last_reason[STREAM_ERR_LEN];
    json_t *msgs;           /* Every message on_msg saw. */
    struct stream_rpc *rpcs[MAX_RPCS];
    int n_rpcs;
};

static void
peer_add(struct peer *p, struct stream_rpc *r)
{
    assert_true(p->n_rpcs < MAX_RPCS);
    p->rpcs[p->n_rpcs++] = r;
}

static void
peer_forget(struct peer *p, struct stream_rpc *r)
{
    for (int i = 0; i < p->n_rpcs; i++) {
        if (p->rpcs[i] == r) {
            p->rpcs[i] = p->rpcs[--p->n_rpcs];
            return;
        }
    }
    fail_msg("session %p not known", (void *) r);
}

static void
on_connect(struct stream_rpc *r, void *aux)
{
    struct peer *p = aux;
    (void) r;
    p->n_connected++;
}

static void
on_msg(struct stream_rpc *r, const struct jsonrpc_msg *m, json_t *json,
       void *aux)
{
    struct peer *p = aux;
    json_array_append(p->msgs, json);
    if (!p->answer || m->type != JSONRPC_REQUEST) {
        return;
    }
    if (!strcmp(m->method, "bye")) {
        peer_forget(p, r);
        stream_rpc_close(r);
        return;
    }
    json_t *reply = jsonrpc_reply(json_incref(m->params), m->id);
    assert_int_equal(stream_rpc_send(r, reply), 0);
    json_decref(reply);
}

static void
on_close(struct stream_rpc *r, int error, const char *reason, void *aux)
{
    struct peer *p = aux;
    peer_forget(p, r);
    p->n_closed++;
    p->last_error = error;
    snprintf(p->last_reason, sizeof p->last_reason, "%s", reason);
}

static void
on_accept(struct stream_rpc *r, void *aux)
{
    struct peer *p = aux;
    p->n_accepted++;
    peer_add(p, r);
}

static void
peer_init(struct peer *p, struct loop *loop, bool answer)
{
    memset(p, 0, sizeof *p);
    p->loop = loop;
    p->answer = answer;
    p->msgs = json_array();
}

static void
peer_destroy(struct peer *p)
{
    while (p->n_rpcs) {
        stream_rpc_close(p->rpcs[--p->n_rpcs]);
    }
    json_decref(p->msgs);
}

static struct stream_rpc_config
peer_config(struct peer *p)
{
    return (struct stream_rpc_config) {
        .on_connect = on_connect,
        .on_msg = on_msg,
        .on_close = on_close,
        .aux = p,
    };
}

/* Replies in 'p' whose id is 'id'. */
static int
n_replies(const struct peer *p, json_int_t id)
{
    int n = 0;
    size_t i;
    json_t *m;
    json_array_foreach(p->msgs, i, m) {
        json_t *jid = json_object_get(m, "id");
        if (json_object_get(m, "result") && json_is_integer(jid)
            && json_integer_value(jid) == id) {
            n++;
        }
    }
    return n;
}

static json_t *
request(const char *method, json_int_t id, json_t *params)
{
    return jsonrpc_request(method, params, json_integer(id));
}

static struct stream_rpc *
client_open(struct peer *c, const char *name, struct stream_ssl_ctx *ssl)
{
    struct stream_rpc_config cfg = peer_config(c);
    struct stream_rpc *r;
    char err[STREAM_ERR_LEN] = "";
    int error = stream_rpc_open(c->loop, name, ssl, &cfg, &r, err,
                                sizeof err);
    if (error) {
        fail_msg("%s: %s", name, err);
    }
    peer_add(c, r);
    return r;
}

/* Sends 'n' requests "ping" with ids base..base+n-1 on 'r' at once, then
 * waits for every reply. */
static void
ping_pong(struct loop *loop, struct peer *c, struct stream_rpc *r,
          json_int_t base, int n)
{
    for (int i = 0; i < n; i++) {
        json_t *req = request("ping", base + i,
                              json_pack("[s, I]", "hello", base + i));
        assert_int_equal(stream_rpc_send(r, req), 0);
        json_decref(req);
    }
    RUN_UNTIL(loop, n_replies(c, base + n - 1) == 1, 5000);
    for (int i = 0; i < n; i++) {
        assert_int_equal(n_replies(c, base + i), 1);
    }
}

/* ---- Raw sockets ---- */

static int
raw_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *) &sun, sizeof sun), 0);
    return fd;
}

static void
raw_write(int fd, const char *s)
{
    size_t n = strlen(s);
    assert_int_equal(write(fd, s, n), (ssize_t) n);
}

/* Runs the loop until 'fd' reports end of stream or an error; returns
 * true if it did within 'ms'. */
static bool
raw_wait_closed(struct loop *loop, int fd, uint64_t ms)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    uint64_t deadline = loop_now_ms() + ms;
    char buf[4096];
    while (loop_now_ms() < deadline) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
            return true;
        }
        if (n < 0) {
            loop_run_once(loop, 5);
        }
    }
    return false;
}

static int
group_setup(void **state)
{
    (void) state;
    return tmpdir_create("test_stream");
}

static int
group_teardown(void **state)
{
    (void) state;
    return tmpdir_remove();
}

/* ---- Names ---- */

static void
expect_parse_error(const char *name, const char *text)
{
    struct stream_target t;
    char err[STREAM_ERR_LEN] = "";
    assert_true(stream_parse(name, &t, err, sizeof err) < 0);
    if (!strstr(err, text)) {
        fail_msg("%s: got \"%s\", expected \"%s\"", name, err, text);
    }
}

static void
test_parse(void **state)
{
    (void) state;
    struct stream_target t;
    char err[STREAM_ERR_LEN];

    assert_int_equal(stream_parse("punix:/run/x.sock", &t, err, sizeof err),
                     0);
    assert_int_equal(t.type, STREAM_UNIX);
    assert_true(t.passive);
    assert_string_equal(t.path, "/run/x.sock");
    assert_int_equal(stream_parse("unix:db.sock", &t, err, sizeof err), 0);
    assert_false(t.passive);

    assert_int_equal(stream_parse("tcp:10.1.2.3:6640", &t, err, sizeof err),
                     0);
    const struct sockaddr_in *sin = (const void *) &t.addr;
    assert_int_equal(t.type, STREAM_TCP);
    assert_int_equal(sin->sin_family, AF_INET);
    assert_int_equal(ntohs(sin->sin_port), 6640);
    assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x0a010203);

    assert_int_equal(stream_parse("ssl:[fe80::1]:443", &t, err, sizeof err),
                     0);
    const struct sockaddr_in6 *sin6 = (const void *) &t.addr;
    assert_int_equal(t.type, STREAM_SSL);
    assert_int_equal(sin6->sin6_family, AF_INET6);
    assert_int_equal(ntohs(sin6->sin6_port), 443);
    assert_int_equal(sin6->sin6_addr.s6_addr[0], 0xfe);
    assert_int_equal(sin6->sin6_addr.s6_addr[15], 1);

    assert_int_equal(stream_parse("ptcp:6640", &t, err, sizeof err), 0);
    assert_true(t.passive);
    assert_int_equal(sin->sin_family, AF_INET);
    assert_int_equal(sin->sin_addr.s_addr, htonl(INADDR_ANY));
    assert_int_equal(ntohs(sin->sin_port), 6640);
    assert_int_equal(stream_parse("ptcp:0:127.0.0.1", &t, err, sizeof err),
                     0);
    assert_int_equal(ntohs(sin->sin_port), 0);
    assert_int_equal(stream_parse("pssl:6641:[::1]", &t, err, sizeof err),
                     0);
    assert_int_equal(t.type, STREAM_SSL);
    assert_int_equal(sin6->sin6_family, AF_INET6);
    assert_int_equal(ntohs(sin6->sin6_port), 6641);
    assert_int_equal(stream_parse("ptcp:6640:::", &t, err, sizeof err), 0);
    assert_int_equal(sin6->sin6_family, AF_INET6);

    expect_parse_error("ptcp:abc", "ptcp:abc: bad port");
    expect_parse_error("ptcp:65536", "ptcp:65536: bad port");
    expect_parse_error("ptcp:", "ptcp:: missing port");
    expect_parse_error("ptcp:1:", "missing IP address");
    expect_parse_error("ptcp:1:[::1", "bad IP address");
    expect_parse_error("tcp:1.2.3.4", "tcp:1.2.3.4: missing port");
    expect_parse_error("tcp:1.2.3.4:0", "tcp:1.2.3.4:0: bad port");
    expect_parse_error("tcp:1.2.3.4:x1", "bad port");
    expect_parse_error("tcp::80", "missing IP address");
    expect_parse_error("tcp:::1:80", "must be written in [brackets]");
    expect_parse_error("tcp:[::1]80", "expected ':' after ']'");
    expect_parse_error("tcp:[::1:80", "missing ']'");
    expect_parse_error("tcp:[1.2.3.4]:80", "bad IP address \"1.2.3.4\"");
    expect_parse_error("ssl:db.example.com:6640",
                       "bad IP address \"db.example.com\"");
    expect_parse_error("tcp:1.2.3.256:80", "bad IP address");
    expect_parse_error("unix:", "unix:: missing socket path");
    expect_parse_error("http://x", "http://x: unknown stream type");
    expect_parse_error("db.sock", "unknown stream type");
    expect_parse_error("", "unknown stream type");
    char longname[300] = "punix:";
    memset(longname + 6, 'a', 200);
    expect_parse_error(longname, "socket path too long");

    assert_true(stream_name_is_passive("ptcp:1"));
    assert_true(stream_name_is_passive("punix:x"));
    assert_false(stream_name_is_passive("tcp:1.1.1.1:1"));
    assert_false(stream_name_is_passive(NULL));

    /* Active names where passive ones are needed and vice versa. */
    struct stream *s;
    struct stream_listener *l;
    assert_int_equal(stream_open("ptcp:0", NULL, &s, err, sizeof err),
                     -EINVAL);
    assert_non_null(strstr(err, "passive stream name"));
    assert_int_equal(stream_listener_open("tcp:1.1.1.1:1", NULL, &l, err,
                                          sizeof err), -EINVAL);
    assert_non_null(strstr(err, "active stream name"));
    assert_int_equal(stream_open("ssl:127.0.0.1:1", NULL, &s, err,
                                 sizeof err), -EINVAL);
    assert_non_null(strstr(err, "ssl:127.0.0.1:1: SSL is not configured"));
    assert_int_equal(stream_listener_open("pssl:0", NULL, &l, err,
                                          sizeof err), -EINVAL);
    assert_non_null(strstr(err, "SSL is not configured"));
}

/* ---- Probe and backoff logic ---- */

static void
test_probe_logic(void **state)
{
    (void) state;
    struct stream_probe p;

    stream_probe_init(&p, 0, 1000);
    assert_int_equal(stream_probe_deadline(&p), UINT64_MAX);
    assert_int_equal(stream_probe_run(&p, 1000000), STREAM_PROBE_NONE);

    stream_probe_init(&p, 100, 1000);
    assert_int_equal(stream_probe_deadline(&p), 1100);
    assert_int_equal(stream_probe_run(&p, 1099), STREAM_PROBE_NONE);
    stream_probe_received(&p, 1050);
    assert_int_equal(stream_probe_run(&p, 1100), STREAM_PROBE_NONE);
    assert_int_equal(stream_probe_deadline(&p), 1150);
    assert_int_equal(stream_probe_run(&p, 1160), STREAM_PROBE_SEND_ECHO);
    assert_int_equal(stream_probe_deadline(&p), 1260);
    assert_int_equal(stream_probe_run(&p, 1200), STREAM_PROBE_NONE);
    /* The reply (or anything) ends the probe. */
    stream_probe_received(&p, 1210);
    assert_int_equal(stream_probe_deadline(&p), 1310);
    assert_int_equal(stream_probe_run(&p, 1310), STREAM_PROBE_SEND_ECHO);
    assert_int_equal(stream_probe_run(&p, 1409), STREAM_PROBE_NONE);
    assert_int_equal(stream_probe_run(&p, 1410), STREAM_PROBE_DISCONNECT);
}

static void
test_backoff(void **state)
{
    (void) state;
    struct stream_backoff b;
    stream_backoff_init(&b, 100, 1000);
    assert_int_equal(stream_backoff_failed(&b), 100);
    assert_int_equal(stream_backoff_failed(&b), 200);
    assert_int_equal(stream_backoff_failed(&b), 400);
    assert_int_equal(stream_backoff_failed(&b), 800);
    assert_int_equal(stream_backoff_failed(&b), 1000);
    assert_int_equal(stream_backoff_failed(&b), 1000);
    stream_backoff_reset(&b);
    assert_int_equal(stream_backoff_failed(&b), 100);

    stream_backoff_init(&b, 0, 0);
    assert_int_equal(stream_backoff_failed(&b), 1);
    assert_int_equal(stream_backoff_failed(&b), 1);
}

/* ---- Round trips ---- */

/* Server 'name' with one client on 'client_name': connect callbacks,
 * single and pipelined round trips, echo, a server notification, many
 * clients at once, and a server-side close. */
static void
round_trips(struct loop *loop, struct stream_rpc_listener *l,
            struct peer *srv, const char *client_name,
            struct stream_ssl_ctx *ssl)
{
    struct peer cli;
    peer_init(&cli, loop, false);
    struct stream_rpc *c = client_open(&cli, client_name, ssl);
    RUN_UNTIL(loop, cli.n_connected == 1 && srv->n_connected == 1, 5000);
    assert_int_equal(cli.n_connected, 1);
    assert_int_equal(srv->n_connected, 1);
    assert_int_equal(srv->n_accepted, 1);
    assert_true(stream_rpc_is_connected(c));
    (void) l;

    ping_pong(loop, &cli, c, 1, 1);
    json_t *m = json_array_get(cli.msgs, 0);
    json_t *expect = json_pack("[s, i]", "hello", 1);
    assert_true(json_equal(json_object_get(m, "result"), expect));
    json_decref(expect);

    /* Pipelined: 300 requests queued before any reply is read. */
    ping_pong(loop, &cli, c, 100, 300);
    assert_int_equal(json_array_size(srv->msgs), 301);

    /* Echo is answered by the session, not delivered to on_msg. */
    json_t *echo = jsonrpc_request("echo", json_pack("[s]", "x"),
                                   json_integer(7));
    assert_int_equal(stream_rpc_send(c, echo), 0);
    json_decref(echo);
    RUN_UNTIL(loop, n_replies(&cli, 7) == 1, 5000);
    assert_int_equal(n_replies(&cli, 7), 1);
    assert_int_equal(json_array_size(srv->msgs), 301);

    /* A large message (bigger than socket buffers and TLS records). */
    size_t big_len = 700 * 1024;
    char *big = malloc(big_len + 1);
    memset(big, 'b', big_len);
    big[big_len] = '\0';
    json_t *req = request("ping", 5000, json_pack("[s]", big));
    assert_int_equal(stream_rpc_send(c, req), 0);
    json_decref(req);
    RUN_UNTIL(loop, n_replies(&cli, 5000) == 1, 5000);
    assert_int_equal(n_replies(&cli, 5000), 1);
    m = json_array_get(cli.msgs, json_array_size(cli.msgs) - 1);
    json_t *s = json_array_get(json_object_get(m, "result"), 0);
    assert_int_equal(json_string_length(s), big_len);
    free(big);

    /* Server to client notification. */
    assert_int_equal(srv->n_rpcs, 1);
    json_t *note = jsonrpc_request("update", json_pack("[i]", 42), NULL);
    assert_int_equal(stream_rpc_send(srv->rpcs[0], note), 0);
    json_decref(note);
    size_t before = json_array_size(cli.msgs);
    RUN_UNTIL(loop, json_array_size(cli.msgs) > before, 5000);
    m = json_array_get(cli.msgs, before);
    assert_string_equal(json_string_value(json_object_get(m, "method")),
                        "update");

    /* Many clients at once, interleaved. */
    struct peer many;
    peer_init(&many, loop, false);
    enum { N = 20 };
    struct stream_rpc *cs[N];
    for (int i = 0; i < N; i++) {
        cs[i] = client_open(&many, client_name, ssl);
    }
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            json_t *r = request("ping", 10000 + round * 100 + i,
                                json_pack("[i]", i));
            assert_int_equal(stream_rpc_send(cs[i], r), 0);
            json_decref(r);
        }
    }
    RUN_UNTIL(loop, (int) json_array_size(many.msgs) == 3 * N, 10000);
    assert_int_equal(json_array_size(many.msgs), 3 * N);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            assert_int_equal(n_replies(&many, 10000 + round * 100 + i), 1);
        }
    }
    assert_int_equal(many.n_connected, N);
    assert_int_equal(srv->n_rpcs, N + 1);
    peer_destroy(&many);
    RUN_UNTIL(loop, srv->n_rpcs == 1, 5000);
    assert_int_equal(srv->n_rpcs, 1);
    assert_int_equal(srv->n_closed, N);
    assert_int_equal(srv->last_error, 0);   /* Clean close. */

    /* The server closes the session from inside on_msg. */
    req = request("bye", 1, NULL);
    assert_int_equal(stream_rpc_send(c, req), 0);
    json_decref(req);
    RUN_UNTIL(loop, cli.n_closed == 1, 5000);
    assert_int_equal(cli.n_closed, 1);
    assert_int_equal(cli.n_rpcs, 0);
    assert_int_equal(srv->n_rpcs, 0);
    assert_int_equal(srv->n_closed, N);     /* No on_close for "bye". */
    peer_destroy(&cli);
}

static void
test_unix(void **state)
{
    (void) state;
    struct loop *loop = loop_create();
    struct peer srv;
    peer_init(&srv, loop, true);

    /* A stale file where the socket goes is replaced. */
    const char *path = tmp_path("db.sock");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);

    char name[160], err[STREAM_ERR_LEN];
    snprintf(name, sizeof name, "punix:%s", path);
    struct stream_rpc_config cfg = peer_config(&srv);
    struct stream_rpc_listener *l;
    assert_int_equal(stream_rpc_listen(loop, name, NULL, &cfg, on_accept,
                                       &srv, &l, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stream_rpc_listener_port(l), 0);
    assert_string_equal(stream_rpc_listener_name(l), name);

    snprintf(name, sizeof name, "unix:%s", path);
    round_trips(loop, l, &srv, name, NULL);

    /* A raw client pipelines in one write and half-closes: every request
     * is answered before the session ends. */
    int fd = raw_unix(path);
    raw_write(fd, "{\"method\":\"ping\",\"params\":[1],\"id\":1}"
              "{\"method\":\"ping\",\"params\":[2],\"id\":2}\n"
              "  {\"method\":\"ping\",\"params\":[3],\"id\":3}");
    shutdown(fd, SHUT_WR);
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int got = 0, eof = 0;
    uint64_t deadline = loop_now_ms() + 5000;
    while (!eof && loop_now_ms() < deadline) {
        loop_run_once(loop, 5);
        int n;
        while ((n = jsonrpc_rx_read(&rx, fd)) > 0) {
            json_t *msg;
            while (!jsonrpc_rx_next(&rx, &msg)) {
                got++;
                assert_int_equal(json_integer_value(
                                     json_object_get(msg, "id")), got);
                json_decref(msg);
            }
        }
        eof = n == 0;
    }
    jsonrpc_rx_destroy(&rx);
    close(fd);
    assert_int_equal(got, 3);
    assert_true(eof);

    stream_rpc_listener_close(l);
    assert_int_equal(stat(path, &st), -1);      /* Removed. */
    peer_destroy(&srv);
    loop_destroy(loop);
}

static void
test_tcp(void **state)
{
    (void) state;
    struct loop *loop = loop_create();
    struct peer srv;
    peer_init(&srv, loop, true);
    char name[64], err[STREAM_ERR_LEN];
    struct stream_rpc_config cfg = peer_config(&srv);
    struct stream_rpc_listener *l;
    assert_int_equal(stream_rpc_listen(loop, "ptcp:0:127.0.0.1", NULL, &cfg,
                                       on_accept, &srv, &l, err, sizeof err),
                     0);
    uint16_t port = stream_rpc_listener_port(l);
    assert_true(port > 0);
    snprintf(name, sizeof name, "tcp:127.0.0.1:%u", port);
    round_trips(loop, l, &srv, name, NULL);

    /* The same port cannot be bound twice. */
    struct stream_rpc_listener *l2;
    snprintf(name, sizeof name, "ptcp:%u:127.0.0.1", port);
    assert_true(stream_rpc_listen(loop, name, NULL, &cfg, on_accept, &srv,
                                  &l2, err, sizeof err) < 0);
    assert_non_null(strstr(err, "Address already in use"));
    stream_rpc_listener_close(l);
    peer_destroy(&srv);

    /* IPv6 loopback, if the machine has it. */
    peer_init(&srv, loop, true);
    cfg = peer_config(&srv);
    if (!stream_rpc_listen(loop, "ptcp:0:[::1]", NULL, &cfg, on_accept,
                           &srv, &l, err, sizeof err)) {
        struct peer cli;
        peer_init(&cli, loop, false);
        snprintf(name, sizeof name, "tcp:[::1]:%u",
                 stream_rpc_listener_port(l));
        struct stream_rpc *c = client_open(&cli, name, NULL);
        ping_pong(loop, &cli, c, 1, 10);
        assert_int_equal(srv.n_rpcs, 1);
        assert_non_null(strstr(stream_rpc_name(srv.rpcs[0]), "tcp:[::1]:"));
        peer_destroy(&cli);
        stream_rpc_listener_close(l);
    }
    peer_destroy(&srv);
    loop_destroy(loop);
}

static void
test_connect_fails(void **state)
{
    (void) state;
    struct loop *loop = loop_create();
    struct peer cli;
    peer_init(&cli, loop, false);
    struct stream_rpc_config cfg = peer_config(&cli);
    struct stream_rpc *r;
    char err[STREAM_ERR_LEN], name[160];

    /* No such socket: refused at once. */
    snprintf(name, sizeof name, "unix:%s", tmp_path("nosuch.sock"));
    assert_int_equal(stream_rpc_open(loop, name, NULL, &cfg, &r, err,
                                     sizeof err), -ENOENT);
    assert_non_null(strstr(err, "connection failed: No such file"));

    /* A TCP port nobody listens on: refused now or from the loop. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET,
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof sin;
    assert_int_equal(bind(fd, (struct sockaddr *) &sin, sizeof sin), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *) &sin, &len), 0);
    close(fd);
    snprintf(name, sizeof name, "tcp:127.0.0.1:%u", ntohs(sin.sin_port));
    int error = stream_rpc_open(loop, name, NULL, &cfg, &r, err, sizeof err);
    if (!error) {
        peer_add(&cli, r);
        RUN_UNTIL(loop, cli.n_closed == 1, 5000);
        assert_int_equal(cli.n_closed, 1);
        error = cli.last_error;
        snprintf(err, sizeof err, "%s", cli.last_reason);
    }
    assert_int_equal(error, -ECONNREFUSED);
    assert_non_null(strstr(err, "Connection refused"));
    assert_int_equal(cli.n_connected, 0);
    peer_destroy(&cli);
    loop_destroy(loop);
}

/* ---- Misbehaving peers ---- */

struct bad_server {
    struct loop *loop;
    struct peer srv;
    struct peer good;
    struct stream_rpc *good_rpc;
    struct stream_rpc_listener *l;
    char path[128];
};

static void
bad_server_start(struct bad_server *b, const char *file,
                 const struct stream_rpc_config *limits)
{
    b->loop = loop_create();
    peer_init(&b->srv, b->loop, true);
    peer_init(&b->good, b->loop, false);
    snprintf(b->path, sizeof b->path, "%s", tmp_path(file));
    char name[160], err[STREAM_ERR_LEN];
    snprintf(name, sizeof name, "punix:%s", b->path);
    struct stream_rpc_config cfg = peer_config(&b->srv);
    if (limits) {
        cfg.max_msg = limits->max_msg;
        cfg.max_backlog = limits->max_backlog;
        cfg.probe_ms = limits->probe_ms;
        cfg.stall_ms = limits->stall_ms;
    }
    assert_int_equal(stream_rpc_listen(b->loop, name, NULL, &cfg, on_accept,
                                       &b->srv, &b->l, err, sizeof err), 0);
    snprintf(name, sizeof name, "unix:%s", b->path);
    b->good_rpc = client_open(&b->good, name, NULL);
    ping_pong(b->loop, &b->good, b->good_rpc, 1, 1);
}

/* The well-behaved client still gets answers. */
static void
bad_server_check_good(struct bad_server *b, json_int_t id)
{
    assert_int_equal(b->good.n_closed, 0);
    ping_pong(b->loop, &b->good, b->good_rpc, id, 5);
}

static void
bad_server_stop(struct bad_server *b)
{
    stream_rpc_listener_close(b->l);
    peer_destroy(&b->good);
    peer_destroy(&b->srv);
    loop_destroy(b->loop);
}

static void
test_garbage(void **state)
{
    (void) state;
    struct bad_server b;
    bad_server_start(&b, "garbage.sock", NULL);

    int fd = raw_unix(b.path);
    raw_write(fd, "{\"method\":\"ping\",\"params\":[],\"id\":1}hello");
    assert_true(raw_wait_closed(b.loop, fd, 5000));
    close(fd);
    RUN_UNTIL(b.loop, b.srv.n_closed == 1, 5000);
    assert_int_equal(b.srv.n_closed, 1);
    assert_int_equal(b.srv.last_error, -EINVAL);
    assert_non_null(strstr(b.srv.last_reason, "syntax error"));
    bad_server_check_good(&b, 100);

    /* Valid JSON, not JSON-RPC. */
    fd = raw_unix(b.path);
    raw_write(fd, "{\"jsonrpc\":\"2.0\",\"params\":{}}");
    assert_true(raw_wait_closed(b.loop, fd, 5000));
    close(fd);
    RUN_UNTIL(b.loop, b.srv.n_closed == 2, 5000);
    assert_int_equal(b.srv.last_error, -EPROTO);
    assert_non_null(strstr(b.srv.last_reason, "invalid JSON-RPC message"));

    /* Malformed inside the brackets. */
    fd = raw_unix(b.path);
    raw_write(fd, "{\"method\" \"ping\"}");
    assert_true(raw_wait_closed(b.loop, fd, 5000));
    close(fd);
    RUN_UNTIL(b.loop, b.srv.n_closed == 3, 5000);
    assert_int_equal(b.srv.last_error, -EINVAL);
    assert_non_null(strstr(b.srv.last_reason, "JSON parse error"));

    /* Closed in the middle of a message. */
    fd = raw_unix(b.path);
    raw_write(fd, "{\"method\":\"ping\",");
    close(fd);
    RUN_UNTIL(b.loop, b.srv.n_closed == 4, 5000);
    assert_int_equal(b.srv.last_error, -EPROTO);
    assert_non_null(strstr(b.srv.last_reason, "inside a message"));

    bad_server_check_good(&b, 200);
    assert_int_equal(b.srv.n_rpcs, 1);
    bad_server_stop(&b);
}

static void
test_endless_message(void **state)
{
    (void) state;
    struct bad_server b;
    struct stream_rpc_config limits = { .max_msg = 64 * 1024 };
    bad_server_start(&b, "endless.sock", &limits);

    int fd = raw_unix(b.path);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    raw_write(fd, "{\"method\":\"ping\",\"params\":[\"");
    char chunk[4096];
    memset(chunk, 'x', sizeof chunk);
    size_t sent = 0;
    bool cut = false;
    uint64_t deadline = loop_now_ms() + 5000;
    while (!cut && loop_now_ms() < deadline) {
        ssize_t n = send(fd, chunk, sizeof chunk, MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t) n;
        } else if (errno != EAGAIN) {
            cut = true;
        }
        loop_run_once(b.loop, 0);
        cut = cut || b.srv.n_closed;
    }
    close(fd);
    assert_true(cut);
    assert_int_equal(b.srv.n_closed, 1);
    assert_int_equal(b.srv.last_error, -EMSGSIZE);
    assert_non_null(strstr(b.srv.last_reason, "longer than 65536 bytes"));
    /* Cut off near the bound, not after swallowing everything. */
    assert_true(sent < 8 * 64 * 1024);

    /* A message just under the bound is fine. */
    size_t len = 60 * 1024;
    char *s = malloc(len + 1);
    memset(s, 'y', len);
    s[len] = '\0';
    json_t *req = request("ping", 77, json_pack("[s]", s));
    free(s);
    assert_int_equal(stream_rpc_send(b.good_rpc, req), 0);
    json_decref(req);
    RUN_UNTIL(b.loop, n_replies(&b.good, 77) == 1, 5000);
    assert_int_equal(n_replies(&b.good, 77), 1);
    bad_server_check_good(&b, 100);
    bad_server_stop(&b);
}

static void
test_never_reads(void **state)
{
    (void) state;
    struct bad_server b;
    struct stream_rpc_config limits = { .max_backlog = 64 * 1024 };
    bad_server_start(&b, "noread.sock", &limits);

    int fd = raw_unix(b.path);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    RUN_UNTIL(b.loop, b.srv.n_rpcs == 2, 5000);
    assert_int_equal(b.srv.n_rpcs, 2);

    /* Broadcast 16 KB notifications to every session until the one that
     * does not read is dropped; the other keeps up. */
    char *text = malloc(16 * 1024);
    memset(text, 'n', 16 * 1024 - 1);
    text[16 * 1024 - 1] = '\0';
    json_t *note = jsonrpc_request("update", json_pack("[s]", text), NULL);
    free(text);
    int sent = 0, enobufs = 0;
    for (int round = 0; round < 2000 && !b.srv.n_closed; round++) {
        for (int i = 0; i < b.srv.n_rpcs; i++) {
            int error = stream_rpc_send(b.srv.rpcs[i], note);
            if (error == -ENOBUFS) {
                enobufs++;
            } else {
                assert_int_equal(error, 0);
            }
        }
        sent++;
        loop_run_once(b.loop, 1);
        loop_run_once(b.loop, 0);
    }
    json_decref(note);
    RUN_UNTIL(b.loop, b.srv.n_closed == 1, 5000);
    assert_int_equal(enobufs, 1);
    assert_int_equal(b.srv.n_closed, 1);
    assert_int_equal(b.srv.last_error, -ENOBUFS);
    assert_non_null(strstr(b.srv.last_reason, "peer does not read"));
    assert_true(raw_wait_closed(b.loop, fd, 5000));
    close(fd);

    /* The good client got every notification and still works. */
    RUN_UNTIL(b.loop, (int) json_array_size(b.good.msgs) == 1 + sent, 5000);
    assert_int_equal(json_array_size(b.good.msgs), 1 + sent);
    bad_server_check_good(&b, 100);
    bad_server_stop(&b);
}

/* ---- Slow readers and long messages ---- */

/* A producer of one notification {"method":"big","params":["aaa..."],
 * "id":null} with 'n_parts' parts of 1,000 bytes. */
struct big_msg {
    int n_parts, done_parts;
    bool head, released;
    size_t max_backlog;         /* Largest backlog seen by the producer. */
    struct stream_rpc *r;
};

static bool
big_produce(struct stream_rpc *r, void *aux)
{
    struct big_msg *b = aux;
    static char part[1000];
    memset(part, 'a', sizeof part);
    if (stream_rpc_backlog(r) > b->max_backlog) {
        b->max_backlog = stream_rpc_backlog(r);
    }
    if (!b->head) {
        b->head = true;
        return stream_rpc_put(r, "{\"method\":\"big\",\"params\":[\"", 27);
    }
    if (b->done_parts < b->n_parts) {
        b->done_parts++;
        assert_int_equal(stream_rpc_put(r, part, sizeof part), 0);
        return false;
    }
    assert_int_equal(stream_rpc_put(r, "\"],\"id\":null}", 13), 0);
    return true;
}

static void
big_release(void *aux)
{
    struct big_msg *b = aux;
    b->released = true;
}

/* Reads what 'fd' has (non-blocking) into 'buf'; returns bytes read, 0
 * at end of stream, -1 if nothing now. */
static ssize_t
raw_read_some(int fd, char *buf, size_t size)
{
    ssize_t n = read(fd, buf, size);
    return n < 0 && errno == EAGAIN ? -1 : n;
}

/* A message written in parts: the send queue never holds much more than
 * a slice, what is sent meanwhile comes after it, input waits, and a
 * reader that takes 4 KB at a time gets it all. */
static void
test_producer(void **state)
{
    (void) state;
    struct bad_server b;
    bad_server_start(&b, "produce.sock", NULL);
    int fd = raw_unix(b.path);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    RUN_UNTIL(b.loop, b.srv.n_rpcs == 2, 5000);
    struct stream_rpc *r = b.srv.rpcs[1];

    struct big_msg big = { .n_parts = 3000 };
    assert_int_equal(stream_rpc_send_producer(r, big_produce, big_release,
                                              &big), 0);
    assert_false(stream_rpc_is_idle(r));
    json_t *after = jsonrpc_request("after", NULL, NULL);
    assert_int_equal(stream_rpc_send(r, after), 0);     /* Held. */
    json_decref(after);
    /* A request meanwhile is not read until the message is out. */
    raw_write(fd, "{\"method\":\"ping\",\"params\":[],\"id\":9}");
    run_for(b.loop, 50);
    assert_int_equal(n_replies(&b.srv, 9), 0);
    assert_true(stream_rpc_backlog(r) < STREAM_RPC_SLICE + 2048 + 64);

    size_t cap = 4 << 20, len = 0;
    char *buf = malloc(cap);
    buf[0] = '\0';
    uint64_t deadline = loop_now_ms() + 20000;
    const char *reply9 = "{\"id\":9,\"result\":[],\"error\":null}";
    while (loop_now_ms() < deadline && !strstr(buf, reply9)) {
        ssize_t n = raw_read_some(fd, buf + len, 4096);
        assert_int_not_equal(n, 0);
        if (n > 0) {
            len += (size_t) n;
            buf[len] = '\0';
        }
        loop_run_once(b.loop, 1);
        buf[len] = '\0';
    }
    assert_true(big.released);
    assert_int_equal(b.srv.n_closed, 0);
    assert_true(big.max_backlog < STREAM_RPC_SLICE + 2048);
    /* The long message, whole, then the one sent after it, then the reply
     * to the request read once the output was done. */
    const char *tail = buf + 27 + 3000 * 1000;
    assert_int_equal(strncmp(buf, "{\"method\":\"big\",\"params\":[\"aaa", 30),
                     0);
    assert_int_equal(strncmp(tail, "\"],\"id\":null}{\"method\":\"after\"",
                             30), 0);
    assert_non_null(strstr(tail, reply9));
    free(buf);
    close(fd);
    bad_server_check_good(&b, 200);
    bad_server_stop(&b);
}

/* A peer that reads nothing is dropped after the stall time; a producer
 * it had is released. */
static void
test_stall(void **state)
{
    (void) state;
    struct bad_server b;
    struct stream_rpc_config limits = { .stall_ms = 200 };
    bad_server_start(&b, "stall.sock", &limits);
    int fd = raw_unix(b.path);
    RUN_UNTIL(b.loop, b.srv.n_rpcs == 2, 5000);
    struct big_msg big = { .n_parts = 3000 };
    assert_int_equal(stream_rpc_send_producer(b.srv.rpcs[1], big_produce,
                                              big_release, &big), 0);
    uint64_t start = loop_now_ms();
    RUN_UNTIL(b.loop, b.srv.n_closed == 1, 5000);
    assert_int_equal(b.srv.n_closed, 1);
    assert_true(loop_now_ms() - start >= 190);
    assert_int_equal(b.srv.last_error, -ENOBUFS);
    assert_non_null(strstr(b.srv.last_reason, "nothing sent for"));
    assert_true(big.released);
    struct stream_rpc_stats st;
    stream_rpc_get_stats(&st);
    assert_true(st.n_dropped_slow >= 1);
    assert_true(raw_wait_closed(b.loop, fd, 5000));
    close(fd);
    bad_server_check_good(&b, 300);
    bad_server_stop(&b);
}

/* A peer that sends nothing but reads a long reply slowly is not probed
 * away (taking what was queued is activity, as in Open vSwitch), nor
 * dropped as stalled. */
static void
test_slow_reader_kept(void **state)
{
    (void) state;
    struct bad_server b;
    struct stream_rpc_config limits = { .probe_ms = 300, .stall_ms = 600 };
    bad_server_start(&b, "slow.sock", &limits);
    int fd = raw_unix(b.path);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    RUN_UNTIL(b.loop, b.srv.n_rpcs == 2, 5000);

    enum { SIZE = 2000 * 1000 };
    char *text = malloc(SIZE + 1);
    memset(text, 'b', SIZE);
    text[SIZE] = '\0';
    json_t *note = jsonrpc_request("big", json_pack("[s]", text), NULL);
    free(text);
    assert_int_equal(stream_rpc_send(b.srv.rpcs[1], note), 0);
    json_decref(note);

    /* 8 KB every 5 ms: over a second in all, longer than the probe
     * would allow a peer that neither sends nor reads. */
    uint64_t start = loop_now_ms();
    size_t got = 0;
    char buf[8192];
    while (got < SIZE && loop_now_ms() - start < 20000) {
        ssize_t n = raw_read_some(fd, buf, sizeof buf);
        assert_int_not_equal(n, 0);
        if (n > 0) {
            got += (size_t) n;
        }
        run_for(b.loop, 5);
    }
    assert_true(got >= SIZE);
    assert_true(loop_now_ms() - start > 700);
    assert_int_equal(b.srv.n_closed, 0);
    close(fd);
    RUN_UNTIL(b.loop, b.srv.n_closed == 1, 5000);
    bad_server_check_good(&b, 400);
    bad_server_stop(&b);
}

static void
test_probe(void **state)
{
    (void) state;
    struct bad_server b;
    struct stream_rpc_config limits = { .probe_ms = 100 };
    bad_server_start(&b, "probe.sock", &limits);

    /* A silent peer is probed after 100 ms, dropped after 200 ms. */
    uint64_t start = loop_now_ms();
    int fd = raw_unix(b.path);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    char buf[256];
    ssize_t n = -1;
    while (loop_now_ms() - start < 1000
           && (n = read(fd, buf, sizeof buf - 1)) < 0) {
        loop_run_once(b.loop, 5);
    }
    assert_true(n > 0);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "\"method\":\"echo\""));
    assert_non_null(strstr(buf, "\"id\":\"echo\""));
    assert_true(loop_now_ms() - start >= 90);

    RUN_UNTIL(b.loop, b.srv.n_closed == 1, 2000);
    uint64_t elapsed = loop_now_ms() - start;
    assert_int_equal(b.srv.n_closed, 1);
    assert_int_equal(b.srv.last_error, -ETIMEDOUT);
    assert_non_null(strstr(b.srv.last_reason, "inactivity probe"));
    assert_true(elapsed >= 190 && elapsed < 1000);
    assert_true(raw_wait_closed(b.loop, fd, 1000));
    close(fd);

    /* The good client answers the probes itself (its session answers
     * "echo"), so it survives a quiet half second. */
    run_for(b.loop, 500);
    assert_int_equal(b.good.n_closed, 0);
    assert_int_equal(b.srv.n_closed, 1);
    /* The probes did not reach on_msg on either side. */
    assert_int_equal(json_array_size(b.good.msgs), 1);
    bad_server_check_good(&b, 100);

    /* A peer that answers the probe by hand stays too. */
    fd = raw_unix(b.path);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    start = loop_now_ms();
    int answered = 0;
    while (loop_now_ms() - start < 500) {
        loop_run_once(b.loop, 5);
        if (read(fd, buf, sizeof buf) > 0) {
            raw_write(fd, "{\"id\":\"echo\",\"result\":[],\"error\":null}");
            answered++;
        }
    }
    assert_true(answered >= 2);
    assert_int_equal(b.srv.n_closed, 1);
    close(fd);
    bad_server_stop(&b);
}

/* ---- Listener limits: cap, descriptor reserve, out of descriptors ---- */

static void
set_fd_limit(rlim_t soft)
{
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    rl.rlim_cur = soft;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

static struct stream_rpc_listener *
listen_unix(struct loop *loop, struct peer *srv, const char *file)
{
    char name[160], err[STREAM_ERR_LEN];
    snprintf(name, sizeof name, "punix:%s", tmp_path(file));
    struct stream_rpc_config cfg = peer_config(srv);
    struct stream_rpc_listener *l;
    assert_int_equal(stream_rpc_listen(loop, name, NULL, &cfg, on_accept,
                                       srv, &l, err, sizeof err), 0);
    return l;
}

static void
test_listener_cap_and_reserve(void **state)
{
    (void) state;
    struct rlimit saved;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    struct loop *loop = loop_create();
    struct peer srv, admin;
    peer_init(&srv, loop, true);
    peer_init(&admin, loop, true);
    struct stream_rpc_listener *l = listen_unix(loop, &srv, "cap.sock");
    struct stream_rpc_listener *al = listen_unix(loop, &admin, "admin.sock");
    stream_rpc_listener_use_reserve(al);

    /* At most two sessions: the third connection is closed at once. */
    stream_rpc_listener_set_max_sessions(l, 2);
    int fds[64];
    for (int i = 0; i < 3; i++) {
        fds[i] = raw_unix(tmp_path("cap.sock"));
    }
    RUN_UNTIL(loop, srv.n_accepted == 2, 2000);
    assert_true(raw_wait_closed(loop, fds[2], 2000));
    struct stream_rpc_listener_stats ls;
    stream_rpc_listener_get_stats(l, &ls);
    assert_int_equal(ls.n_accepted, 2);
    assert_int_equal(ls.n_refused, 1);
    assert_int_equal(stream_rpc_listener_n_sessions(l), 2);
    close(fds[2]);
    stream_rpc_listener_set_max_sessions(l, 0);

    /* 10 descriptors reserved, 30 free: each session takes two here (the
     * client's end is ours too), so some are accepted, then refused
     * while the reserve listener still accepts. */
    stream_rpc_set_fd_reserve(10);
    set_fd_limit(fds_count_open() + 30);
    int n = 2, refused = -1;
    for (; n < 40 && refused < 0; n++) {
        fds[n] = raw_unix(tmp_path("cap.sock"));
        int before = srv.n_accepted;
        RUN_UNTIL(loop, srv.n_accepted > before
                  || (stream_rpc_listener_get_stats(l, &ls),
                      ls.n_refused > 1), 2000);
        if (srv.n_accepted == before) {
            refused = n;
        }
    }
    assert_true(refused > 2 && refused < 40);
    assert_true(raw_wait_closed(loop, fds[refused], 2000));
    assert_true(fds_count_open() + 10 >= 30);
    int afd = raw_unix(tmp_path("admin.sock"));
    RUN_UNTIL(loop, admin.n_accepted == 1, 2000);
    assert_int_equal(admin.n_accepted, 1);

    /* Out of descriptors: accept() fails and the listener pauses instead
     * of spinning (a few failures in 300 ms, not thousands). */
    int pending = raw_unix(tmp_path("admin.sock"));
    set_fd_limit(fds_count_open() + 2);
    int fillers[64], n_fillers = 0;     /* Every number below the limit. */
    while (n_fillers < 64 && (fillers[n_fillers] = dup(0)) >= 0) {
        n_fillers++;
    }
    run_for(loop, 300);
    struct stream_rpc_listener_stats as;
    stream_rpc_listener_get_stats(al, &as);
    assert_true(as.n_accept_errors >= 1 && as.n_accept_errors <= 5);
    assert_int_equal(admin.n_accepted, 1);
    /* Descriptors back: the waiting connection is taken. */
    while (n_fillers) {
        close(fillers[--n_fillers]);
    }
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
    RUN_UNTIL(loop, admin.n_accepted == 2, 2000);
    assert_int_equal(admin.n_accepted, 2);

    stream_rpc_set_fd_reserve(STREAM_RPC_FD_RESERVE_DEFAULT);
    for (int i = 0; i < n; i++) {
        if (i != 2) {
            close(fds[i]);
        }
    }
    close(afd);
    close(pending);
    stream_rpc_listener_close(l);
    stream_rpc_listener_close(al);
    peer_destroy(&srv);
    peer_destroy(&admin);
    loop_destroy(loop);
}

/* ---- SSL ---- */

static void
sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list args;
    va_start(args, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, args);
    va_end(args);
    char full[1200];
    snprintf(full, sizeof full, "cd '%s' && (%s) >/dev/null 2>&1", tmpdir,
             cmd);
    if (system(full)) {
        fail_msg("failed: %s", cmd);
    }
}

#define EC_KEY_OPTS "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"

/* CA 'ca' (ca.key, ca.pem) and 'who'.key/'who'.pem signed by it. */
static void
make_ca(const char *ca)
{
    sh("openssl req -x509 " EC_KEY_OPTS " -keyout %s.key -out %s.pem "
       "-days 2 -subj /CN=%s", ca, ca, ca);
}

static void
make_cert(const char *ca, const char *who)
{
    sh("openssl req " EC_KEY_OPTS " -keyout %s.key -out %s.csr -subj /CN=%s",
       who, who, who);
    sh("openssl x509 -req -in %s.csr -CA %s.pem -CAkey %s.key "
       "-set_serial %u -days 2 -out %s.pem", who, ca, ca,
       (unsigned) rand() % 100000 + 2, who);
}

static struct stream_ssl_ctx *
ssl_ctx(const char *who, const char *ca)
{
    char key[128], cert[128], cacert[128], err[STREAM_ERR_LEN];
    snprintf(key, sizeof key, "%s/%s.key", tmpdir, who);
    snprintf(cert, sizeof cert, "%s/%s.pem", tmpdir, who);
    snprintf(cacert, sizeof cacert, "%s/%s.pem", tmpdir, ca);
    struct stream_ssl_ctx *ctx;
    if (stream_ssl_ctx_create(key, cert, cacert, &ctx, err, sizeof err)) {
        fail_msg("%s", err);
    }
    return ctx;
}

static void
test_ssl_config_errors(void **state)
{
    (void) state;
    make_ca("cfgca");
    make_cert("cfgca", "cfg1");
    make_cert("cfgca", "cfg2");
    struct stream_ssl_ctx *ctx;
    char err[STREAM_ERR_LEN], key[128], cert[128], ca[128], other[128];
    snprintf(key, sizeof key, "%s/cfg1.key", tmpdir);
    snprintf(cert, sizeof cert, "%s/cfg1.pem", tmpdir);
    snprintf(ca, sizeof ca, "%s/cfgca.pem", tmpdir);
    snprintf(other, sizeof other, "%s/cfg2.key", tmpdir);

    assert_int_equal(stream_ssl_ctx_create(key, cert, ca, &ctx, err,
                                           sizeof err), 0);
    stream_ssl_ctx_destroy(ctx);

    assert_int_equal(stream_ssl_ctx_create(NULL, cert, ca, &ctx, err,
                                           sizeof err), -EINVAL);
    assert_string_equal(err, "SSL: no private key configured");
    assert_int_equal(stream_ssl_ctx_create(key, cert, "/nonexistent.pem",
                                           &ctx, err, sizeof err), -ENOENT);
    assert_string_equal(err, "SSL: CA certificate /nonexistent.pem: No such "
                        "file or directory");
    assert_null(ctx);
    /* A key that does not belong to the certificate. */
    assert_int_equal(stream_ssl_ctx_create(other, cert, ca, &ctx, err,
                                           sizeof err), -EINVAL);
    if (!strstr(err, "does not match")) {
        fail_msg("%s", err);
    }
    /* Not PEM at all. */
    assert_int_equal(stream_ssl_ctx_create(key, key, ca, &ctx, err,
                                           sizeof err), -EINVAL);
    assert_non_null(strstr(err, "SSL: certificate"));
}

/* Handshakes a client of 'cctx' with a server of 'sctx' over a socket
 * pair.  Returns the client's result ('cerr': its message). */
static int
pair_handshake(struct stream_ssl_ctx *cctx, struct stream_ssl_ctx *sctx,
               char *cerr, size_t n)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
                                sv), 0);
    struct stream_ssl_conn *c, *s;
    char serr[STREAM_ERR_LEN];
    assert_int_equal(stream_ssl_conn_create(cctx, sv[0], false, &c, cerr,
                                            n), 0);
    assert_int_equal(stream_ssl_conn_create(sctx, sv[1], true, &s, serr,
                                            sizeof serr), 0);
    int cr = -EAGAIN, sr = -EAGAIN;
    for (int i = 0; i < 5000 && (cr == -EAGAIN || sr == -EAGAIN); i++) {
        uint32_t want;
        if (cr == -EAGAIN) {
            cr = stream_ssl_handshake(c, &want, cerr, n);
        }
        if (sr == -EAGAIN) {
            sr = stream_ssl_handshake(s, &want, serr, sizeof serr);
        }
        if ((cr && cr != -EAGAIN) || (sr && sr != -EAGAIN)) {
            break;
        }
        usleep(200);
    }
    stream_ssl_conn_destroy(c);
    stream_ssl_conn_destroy(s);
    close(sv[0]);
    close(sv[1]);
    return cr;
}

/* The certificate in PEM file 'path' equals the first one of 'other'. */
static bool
same_cert(const char *path, const char *other)
{
    FILE *a = fopen(path, "r"), *b = fopen(other, "r");
    X509 *x = a ? PEM_read_X509(a, NULL, NULL, NULL) : NULL;
    X509 *y = b ? PEM_read_X509(b, NULL, NULL, NULL) : NULL;
    bool same = x && y && !X509_cmp(x, y);
    X509_free(x);
    X509_free(y);
    if (a) {
        fclose(a);
    }
    if (b) {
        fclose(b);
    }
    return same;
}

static void
test_ssl_bootstrap_ca(void **state)
{
    (void) state;
    make_ca("bca");
    make_cert("bca", "bsrv");
    make_cert("bca", "bcli");
    make_ca("oca");
    make_cert("oca", "osrv");
    /* Servers that send their CA in their chain. */
    sh("cat bsrv.pem bca.pem > bsrv-chain.pem && cp bsrv.key bsrv-chain.key");
    sh("cat osrv.pem oca.pem > osrv-chain.pem && cp osrv.key osrv-chain.key");
    char key[128], cert[128], ca[128], saved[128], err[STREAM_ERR_LEN];
    snprintf(key, sizeof key, "%s/bcli.key", tmpdir);
    snprintf(cert, sizeof cert, "%s/bcli.pem", tmpdir);
    snprintf(ca, sizeof ca, "%s/bca.pem", tmpdir);
    snprintf(saved, sizeof saved, "%s/boot-ca.pem", tmpdir);
    /* OpenSSL completes a server's chain from its trust store: this one
     * trusts another CA, so it sends its own certificate alone. */
    struct stream_ssl_ctx *bare = ssl_ctx("bsrv", "oca");
    struct stream_ssl_ctx *good = ssl_ctx("bsrv-chain", "bca");
    struct stream_ssl_ctx *other = ssl_ctx("osrv-chain", "bca");

    struct stream_ssl_ctx *ctx;
    assert_int_equal(stream_ssl_ctx_create_bootstrap(key, cert, saved, true,
                                                     &ctx, err, sizeof err),
                     0);
    assert_true(stream_ssl_ctx_bootstrapping(ctx));
    /* Without a CA it cannot verify clients. */
    int sv[2];
    struct stream_ssl_conn *c;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(stream_ssl_conn_create(ctx, sv[1], true, &c, err,
                                            sizeof err), -EPROTO);
    assert_non_null(strstr(err, "no CA certificate yet"));
    close(sv[0]);
    close(sv[1]);

    /* A server whose chain does not end in its CA: nothing saved. */
    assert_int_equal(pair_handshake(ctx, bare, err, sizeof err), -EPROTO);
    assert_non_null(strstr(err, "does not end in a self-signed CA"));
    assert_int_equal(access(saved, F_OK), -1);
    assert_true(stream_ssl_ctx_bootstrapping(ctx));

    /* The first server that sends it: saved (owner-only), connection
     * dropped. */
    assert_int_equal(pair_handshake(ctx, good, err, sizeof err), -EPROTO);
    assert_non_null(strstr(err, "bootstrapped from the peer and saved"));
    struct stat st;
    assert_int_equal(stat(saved, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_true(same_cert(saved, ca));
    assert_false(stream_ssl_ctx_bootstrapping(ctx));

    /* From now on: verified against it. */
    assert_int_equal(pair_handshake(ctx, good, err, sizeof err), 0);
    assert_int_equal(pair_handshake(ctx, other, err, sizeof err), -EPROTO);
    assert_non_null(strstr(err, "peer certificate"));
    assert_true(same_cert(saved, ca));
    stream_ssl_ctx_destroy(ctx);

    /* An existing file is an ordinary CA certificate. */
    assert_int_equal(stream_ssl_ctx_create_bootstrap(key, cert, saved, true,
                                                     &ctx, err, sizeof err),
                     0);
    assert_false(stream_ssl_ctx_bootstrapping(ctx));
    assert_int_equal(pair_handshake(ctx, other, err, sizeof err), -EPROTO);
    assert_int_equal(pair_handshake(ctx, good, err, sizeof err), 0);
    stream_ssl_ctx_destroy(ctx);
    /* Without bootstrap a missing file is an error, as before. */
    assert_int_equal(unlink(saved), 0);
    assert_int_equal(stream_ssl_ctx_create_bootstrap(key, cert, saved, false,
                                                     &ctx, err, sizeof err),
                     -ENOENT);
    stream_ssl_ctx_destroy(bare);
    stream_ssl_ctx_destroy(good);
    stream_ssl_ctx_destroy(other);
}

/* Connects to 127.0.0.1:'port' with OpenSSL directly, trusting 'ca' but
 * offering no certificate, and tries a request: the server must refuse
 * (during the handshake, or right after it with TLS 1.3). */
static void
no_cert_client(struct loop *loop, uint16_t port, const char *ca)
{
    char cafile[128];
    snprintf(cafile, sizeof cafile, "%s/%s.pem", tmpdir, ca);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    assert_non_null(ctx);
    assert_int_equal(SSL_CTX_load_verify_locations(ctx, cafile, NULL), 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET,
                               .sin_port = htons(port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_true(!connect(fd, (struct sockaddr *) &sin, sizeof sin)
                || errno == EINPROGRESS);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    const char *req = "{\"method\":\"ping\",\"params\":[],\"id\":1}";
    bool refused = false;
    int stage = 0;      /* 0: handshake, 1: write, 2: read. */
    uint64_t deadline = loop_now_ms() + 5000;
    while (!refused && loop_now_ms() < deadline) {
        loop_run_once(loop, 2);
        int r, e;
        if (stage == 0) {
            r = SSL_connect(ssl);
        } else if (stage == 1) {
            r = SSL_write(ssl, req, (int) strlen(req));
        } else {
            char buf[256];
            r = SSL_read(ssl, buf, sizeof buf);
            assert_true(r <= 0);    /* Never an answer. */
        }
        if (r > 0) {
            stage++;
            continue;
        }
        e = SSL_get_error(ssl, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
            refused = true;
        }
    }
    assert_true(refused);
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
}

static void
test_ssl(void **state)
{
    (void) state;
    make_ca("ca");
    make_cert("ca", "server");
    make_cert("ca", "client");
    make_ca("rogueca");
    make_cert("rogueca", "rogue");
    struct stream_ssl_ctx *srv_ctx = ssl_ctx("server", "ca");
    struct stream_ssl_ctx *cli_ctx = ssl_ctx("client", "ca");
    /* Its certificate is signed by an unknown CA. */
    struct stream_ssl_ctx *rogue_ctx = ssl_ctx("rogue", "ca");
    /* A good certificate, but it trusts another CA than the server's. */
    struct stream_ssl_ctx *wary_ctx = ssl_ctx("client", "rogueca");

    struct loop *loop = loop_create();
    struct peer srv;
    peer_init(&srv, loop, true);
    struct stream_rpc_config cfg = peer_config(&srv);
    struct stream_rpc_listener *l;
    char name[64], err[STREAM_ERR_LEN];
    assert_int_equal(stream_rpc_listen(loop, "pssl:0:127.0.0.1", srv_ctx,
                                       &cfg, on_accept, &srv, &l, err,
                                       sizeof err), 0);
    uint16_t port = stream_rpc_listener_port(l);
    assert_true(port > 0);
    snprintf(name, sizeof name, "ssl:127.0.0.1:%u", port);
    round_trips(loop, l, &srv, name, cli_ctx);

    /* A client whose certificate the server cannot verify is refused:
     * the server never sees it connected. */
    struct peer good;
    peer_init(&good, loop, false);
    struct stream_rpc *g = client_open(&good, name, cli_ctx);
    ping_pong(loop, &good, g, 1, 3);
    int srv_connected = srv.n_connected;
    int srv_closed = srv.n_closed;

    struct peer bad;
    peer_init(&bad, loop, false);
    struct stream_rpc *r = client_open(&bad, name, rogue_ctx);
    json_t *req = request("ping", 1, NULL);
    stream_rpc_send(r, req);    /* May fail at once or later. */
    json_decref(req);
    RUN_UNTIL(loop, bad.n_closed == 1 && srv.n_closed == srv_closed + 1,
              5000);
    assert_int_equal(bad.n_closed, 1);
    assert_true(bad.last_error < 0);
    assert_int_equal(json_array_size(bad.msgs), 0);
    assert_int_equal(srv.n_closed, srv_closed + 1);
    assert_int_equal(srv.n_connected, srv_connected);
    assert_int_equal(srv.last_error, -EPROTO);
    assert_non_null(strstr(srv.last_reason, "SSL handshake failed"));
    assert_non_null(strstr(srv.last_reason, "certificate"));

    /* A client that does not trust the server's CA refuses it. */
    int bad_connected = bad.n_connected;   /* TLS 1.3: maybe 1. */
    r = client_open(&bad, name, wary_ctx);
    RUN_UNTIL(loop, bad.n_closed == 2, 5000);
    assert_int_equal(bad.n_closed, 2);
    assert_int_equal(bad.n_connected, bad_connected);
    assert_int_equal(bad.last_error, -EPROTO);
    assert_non_null(strstr(bad.last_reason, "SSL handshake failed: peer "
                           "certificate: "));

    /* The server side of that one is gone too; only 'good' is left. */
    RUN_UNTIL(loop, srv.n_rpcs == 1, 5000);
    assert_int_equal(srv.n_rpcs, 1);

    /* A client with no certificate at all is refused too. */
    srv_connected = srv.n_connected;
    srv_closed = srv.n_closed;
    no_cert_client(loop, port, "ca");
    RUN_UNTIL(loop, srv.n_closed == srv_closed + 1, 5000);
    assert_int_equal(srv.n_closed, srv_closed + 1);
    assert_int_equal(srv.n_connected, srv_connected);
    assert_non_null(strstr(srv.last_reason, "peer did not return a "
                           "certificate"));

    /* A plain TCP client on the SSL port: garbage to the server. */
    struct peer plain;
    peer_init(&plain, loop, false);
    srv_closed = srv.n_closed;
    snprintf(name, sizeof name, "tcp:127.0.0.1:%u", port);
    r = client_open(&plain, name, NULL);
    req = request("ping", 1, NULL);
    assert_int_equal(stream_rpc_send(r, req), 0);
    json_decref(req);
    RUN_UNTIL(loop, plain.n_closed == 1, 5000);
    assert_int_equal(plain.n_closed, 1);
    assert_int_equal(json_array_size(plain.msgs), 0);
    RUN_UNTIL(loop, srv.n_closed >= srv_closed + 1, 5000);
    assert_true(srv.n_closed >= srv_closed + 1);

    /* The good client never noticed. */
    ping_pong(loop, &good, g, 100, 20);
    assert_int_equal(good.n_closed, 0);

    peer_destroy(&plain);
    peer_destroy(&bad);
    peer_destroy(&good);
    stream_rpc_listener_close(l);
    peer_destroy(&srv);
    loop_destroy(loop);
    stream_ssl_ctx_destroy(srv_ctx);
    stream_ssl_ctx_destroy(cli_ctx);
    stream_ssl_ctx_destroy(rogue_ctx);
    stream_ssl_ctx_destroy(wary_ctx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_probe_logic),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_unix),
        cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_connect_fails),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_endless_message),
        cmocka_unit_test(test_never_reads),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_producer),
        cmocka_unit_test(test_stall),
        cmocka_unit_test(test_slow_reader_kept),
        cmocka_unit_test(test_listener_cap_and_reserve),
        cmocka_unit_test(test_ssl_config_errors),
        cmocka_unit_test(test_ssl_bootstrap_ca),
        cmocka_unit_test(test_ssl),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
