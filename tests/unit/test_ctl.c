/* Unit tests for ctl (registry, dispatch, server) and ctl_client. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
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

#include "sluice_config.h"
#include "src/util/ctl.h"
#include "src/util/ctl_client.h"
#include "src/util/dstr.h"
#include "src/util/jsonrpc.h"
#include "src/util/loop.h"

#define VERSION_REPLY "sluiced (Sluice) " SLUICE_VERSION "\n"

/* ---- Commands used by the tests ---- */

static int
cmd_echo(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    int *calls = aux;
    if (calls) {
        (*calls)++;
    }
    dstr_put(reply, argv[0]);
    for (int i = 1; i < argc; i++) {
        dstr_printf(reply, " [%s]", argv[i]);
    }
    assert_null(argv[argc]);
    dstr_put(reply, "\n");
    return 0;
}

static int
cmd_fail(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) argc;
    (void) argv;
    (void) aux;
    dstr_put(reply, "it broke\n");
    return -EIO;
}

static int
cmd_silent(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) argc;
    (void) argv;
    (void) reply;
    (void) aux;
    return 0;
}

static int
cmd_exit(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) argc;
    (void) argv;
    loop_stop(aux);
    dstr_put(reply, "bye\n");
    return 0;
}

static int
cmd_stop_server(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) argc;
    (void) argv;
    (void) aux;
    ctl_server_stop();
    dstr_put(reply, "stopping\n");
    return 0;
}

/* ---- Registry and dispatch (no socket) ---- */

static int
dispatch(struct dstr *reply, int argc, ...)
{
    const char *argv[16];
    va_list args;
    va_start(args, argc);
    for (int i = 0; i < argc; i++) {
        argv[i] = va_arg(args, const char *);
    }
    argv[argc] = NULL;
    va_end(args);
    dstr_clear(reply);
    return ctl_dispatch(argc, argv, reply);
}

static int
registry_teardown(void **state)
{
    (void) state;
    ctl_unregister_all();
    ctl_set_version("sluiced (Sluice) " SLUICE_VERSION "\n");
    return 0;
}

static void
test_list_commands(void **state)
{
    (void) state;
    struct dstr r = DSTR_INIT;
    ctl_register("zz/last", "", 0, 0, cmd_echo, NULL);
    ctl_register("dpctl/show", "[DP]", 0, 1, cmd_echo, NULL);
    ctl_register("exit", "", 0, 0, cmd_echo, NULL);
    ctl_register("a/b", "X", 1, 1, cmd_echo, NULL);
    assert_int_equal(dispatch(&r, 1, "list-commands"), 0);
    assert_string_equal(r.s,
                        "The available commands are:\n"
                        "  a/b                     X\n"
                        "  dpctl/show              [DP]\n"
                        "  exit\n"
                        "  list-commands\n"
                        "  version\n"
                        "  zz/last\n");

    /* Re-registering replaces, does not duplicate. */
    ctl_register("a/b", "NEW", 0, 0, cmd_fail, NULL);
    assert_int_equal(dispatch(&r, 1, "list-commands"), 0);
    assert_non_null(strstr(r.s, "  a/b                     NEW\n"));
    assert_null(strstr(r.s, " X\n"));
    assert_int_equal(dispatch(&r, 1, "a/b"), -EIO);

    /* Many commands. */
    for (int i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof name, "many/%03d", 299 - i);
        ctl_register(name, "", 0, 0, cmd_echo, NULL);
    }
    assert_int_equal(dispatch(&r, 1, "list-commands"), 0);
    const char *p0 = strstr(r.s, "many/000");
    const char *p1 = strstr(r.s, "many/001");
    const char *p299 = strstr(r.s, "many/299");
    assert_true(p0 && p1 && p299 && p0 < p1 && p1 < p299);
    assert_int_equal(dispatch(&r, 1, "many/150"), 0);
    assert_string_equal(r.s, "many/150\n");
    dstr_free(&r);
}

static void
test_dispatch(void **state)
{
    (void) state;
    struct dstr r = DSTR_INIT;
    int calls = 0;
    ctl_register("t/echo", "A [B]", 1, 2, cmd_echo, &calls);
    ctl_register("t/any", "", 0, -1, cmd_echo, NULL);
    ctl_register("t/fail", "", 0, 0, cmd_fail, NULL);

    assert_int_equal(dispatch(&r, 2, "t/echo", "x"), 0);
    assert_string_equal(r.s, "t/echo [x]\n");
    assert_int_equal(dispatch(&r, 3, "t/echo", "x", "y z"), 0);
    assert_string_equal(r.s, "t/echo [x] [y z]\n");
    assert_int_equal(calls, 2);

    assert_int_not_equal(dispatch(&r, 1, "t/echo"), 0);
    assert_string_equal(r.s, "\"t/echo\" command requires at least 1 "
                        "arguments\n");
    assert_int_not_equal(dispatch(&r, 4, "t/echo", "1", "2", "3"), 0);
    assert_string_equal(r.s, "\"t/echo\" command takes at most 2 "
                        "arguments\n");
    assert_int_equal(calls, 2);     /* Handler not run on bad counts. */

    assert_int_not_equal(dispatch(&r, 1, "nosuch"), 0);
    assert_string_equal(r.s, "\"nosuch\" is not a valid command (use "
                        "\"list-commands\" to see a list of valid "
                        "commands)\n");

    assert_int_equal(dispatch(&r, 6, "t/any", "1", "2", "3", "4", "5"), 0);
    assert_int_equal(dispatch(&r, 1, "t/fail"), -EIO);
    assert_string_equal(r.s, "it broke\n");

    assert_int_equal(dispatch(&r, 1, "version"), 0);
    assert_string_equal(r.s, VERSION_REPLY);
    assert_int_not_equal(dispatch(&r, 2, "version", "x"), 0);
    ctl_set_version("custom 1.2");
    assert_int_equal(dispatch(&r, 1, "version"), 0);
    assert_string_equal(r.s, "custom 1.2\n");

    /* unregister_all drops everything but the built-ins. */
    ctl_unregister_all();
    assert_int_not_equal(dispatch(&r, 2, "t/echo", "x"), 0);
    assert_int_equal(dispatch(&r, 1, "list-commands"), 0);
    assert_string_equal(r.s, "The available commands are:\n"
                        "  list-commands\n  version\n");
    assert_int_not_equal(ctl_dispatch(0, NULL, &r), 0);
    dstr_free(&r);
}

/* ---- Server fixture ---- */

struct fixture {
    struct loop *loop;
    char dir[64];
    char path[128];
    int calls;
};

static int
server_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/test_ctl.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/sluiced.123.ctl", f->dir);
    f->loop = loop_create();
    ctl_register("t/echo", "[ARG...]", 0, -1, cmd_echo, &f->calls);
    ctl_register("t/fail", "", 0, 0, cmd_fail, NULL);
    ctl_register("t/silent", "", 0, 0, cmd_silent, NULL);
    ctl_register("exit", "", 0, 0, cmd_exit, f->loop);
    ctl_register("t/stop", "", 0, 0, cmd_stop_server, NULL);
    *state = f;
    return 0;
}

static int
server_teardown(void **state)
{
    struct fixture *f = *state;
    ctl_server_stop();
    ctl_unregister_all();
    ctl_set_limits(0, 0);
    loop_destroy(f->loop);
    unlink(f->path);
    char pidfile[128];
    snprintf(pidfile, sizeof pidfile, "%s/sluiced.pid", f->dir);
    unlink(pidfile);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void
start(struct fixture *f)
{
    assert_int_equal(ctl_server_start(f->loop, f->path), 0);
}

static int
raw_connect(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    strcpy(sun.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *) &sun, sizeof sun), 0);
    return fd;
}

static void
raw_send(int fd, const char *s)
{
    assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL),
                     (ssize_t) strlen(s));
}

/* Runs the loop until one message arrives on 'fd' (NULL: the connection
 * was closed, or nothing came within 2 s). */
static json_t *
raw_recv(struct fixture *f, int fd, struct jsonrpc_rx *rx)
{
    uint64_t deadline = loop_now_ms() + 2000;
    while (loop_now_ms() < deadline) {
        json_t *msg;
        int error = jsonrpc_rx_next(rx, &msg);
        if (!error) {
            return msg;
        }
        assert_int_equal(error, -EAGAIN);
        int n = jsonrpc_rx_read(rx, fd);
        if (n == 0 || (n < 0 && n != -EAGAIN)) {
            return NULL;
        }
        if (n == -EAGAIN) {
            loop_run_once(f->loop, 10);
        }
    }
    return NULL;
}

/* Runs the loop until the server closed 'fd'.  Returns whether it did. */
static bool
raw_closed(struct fixture *f, int fd)
{
    uint64_t deadline = loop_now_ms() + 2000;
    while (loop_now_ms() < deadline) {
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
            return true;
        }
        if (n < 0) {
            loop_run_once(f->loop, 10);
        }
    }
    return false;
}

static void
assert_reply(json_t *msg, const char *text)
{
    assert_non_null(msg);
    char *s = json_dumps(msg, JSON_COMPACT);
    if (strcmp(s, text)) {
        fail_msg("got %s\nwant %s", s, text);
    }
    free(s);
    json_decref(msg);
}

/* Sends "version" with JSON id 'id' on 'fd' and checks the reply. */
static void
assert_version(struct fixture *f, int fd, struct jsonrpc_rx *rx,
               const char *id)
{
    char req[128], want[256];
    snprintf(req, sizeof req, "{\"method\":\"version\",\"params\":[],"
             "\"id\":%s}", id);
    snprintf(want, sizeof want, "{\"id\":%s,\"result\":\"%s\\n\","
             "\"error\":null}", id, "sluiced (Sluice) " SLUICE_VERSION);
    raw_send(fd, req);
    assert_reply(raw_recv(f, fd, rx), want);
}

/* ---- Server tests ---- */

static void
test_socket_file(void **state)
{
    struct fixture *f = *state;
    /* A stale file at the path is replaced. */
    FILE *stale = fopen(f->path, "w");
    assert_non_null(stale);
    fclose(stale);
    start(f);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(ctl_server_start(f->loop, f->path), -EBUSY);
    ctl_server_stop();
    assert_int_equal(stat(f->path, &st), -1);
    assert_int_equal(errno, ENOENT);
    ctl_server_stop();      /* Twice is harmless. */
}

static void
test_raw_roundtrip(void **state)
{
    struct fixture *f = *state;
    start(f);
    int fd = raw_connect(f->path);
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);

    assert_version(f, fd, &rx, "\"abc\"");

    /* Two requests in one write, any JSON id, replies in order. */
    raw_send(fd, "{\"method\":\"t/echo\",\"params\":[\"a\",\"{\\\"}\"],"
             "\"id\":[1,{\"k\":2}]}\n  {\"id\":0,\"method\":\"t/fail\","
             "\"params\":[]}");
    assert_reply(raw_recv(f, fd, &rx),
                 "{\"id\":[1,{\"k\":2}],\"result\":\"t/echo [a] [{\\\"}]\\n\","
                 "\"error\":null}");
    assert_reply(raw_recv(f, fd, &rx),
                 "{\"id\":0,\"result\":null,\"error\":\"it broke\\n\"}");

    /* Half a message, then the rest. */
    raw_send(fd, "{\"method\":\"t/echo\",\"par");
    loop_run_once(f->loop, 20);
    loop_run_once(f->loop, 20);
    raw_send(fd, "ams\":[\"\xc3\xa9\"],\"id\":5}");
    assert_reply(raw_recv(f, fd, &rx),
                 "{\"id\":5,\"result\":\"t/echo [\xc3\xa9]\\n\","
                 "\"error\":null}");

    /* Errors answered in JSON-RPC terms, connection kept. */
    raw_send(fd, "{\"method\":\"nosuch\",\"params\":[],\"id\":6}");
    assert_reply(raw_recv(f, fd, &rx),
                 "{\"id\":6,\"result\":null,\"error\":\"\\\"nosuch\\\" is not "
                 "a valid command (use \\\"list-commands\\\" to see a list of "
                 "valid commands)\\n\"}");
    raw_send(fd, "{\"method\":\"version\",\"params\":[\"x\"],\"id\":7}");
    assert_reply(raw_recv(f, fd, &rx),
                 "{\"id\":7,\"result\":null,\"error\":\"\\\"version\\\" "
                 "command takes at most 0 arguments\\n\"}");
    raw_send(fd, "{\"method\":\"t/echo\",\"params\":[\"a\",1],\"id\":8}");
    assert_reply(raw_recv(f, fd, &rx),
                 "{\"id\":8,\"result\":null,\"error\":\"command has "
                 "non-string argument: 1\\n\"}");
    raw_send(fd, "{\"method\":\"t/echo\",\"params\":\"a\",\"id\":9}");
    json_t *msg = raw_recv(f, fd, &rx);
    assert_non_null(msg);
    assert_true(json_is_null(json_object_get(msg, "result")));
    assert_true(json_is_string(json_object_get(msg, "error")));
    assert_int_equal(json_integer_value(json_object_get(msg, "id")), 9);
    json_decref(msg);
    raw_send(fd, "{\"params\":[],\"id\":10}");
    msg = raw_recv(f, fd, &rx);
    assert_non_null(msg);
    assert_true(json_is_string(json_object_get(msg, "error")));
    json_decref(msg);
    raw_send(fd, "{\"method\":\"t/silent\",\"params\":[],\"id\":11}");
    assert_reply(raw_recv(f, fd, &rx),
                 "{\"id\":11,\"result\":\"\",\"error\":null}");
    assert_int_equal(ctl_server_n_connections(), 1);

    /* A request without an id (notification) closes the connection. */
    raw_send(fd, "{\"method\":\"t/echo\",\"params\":[],\"id\":null}");
    assert_true(raw_closed(f, fd));
    assert_int_equal(ctl_server_n_connections(), 0);
    close(fd);
    jsonrpc_rx_destroy(&rx);
}

static void
test_garbage_closes_one(void **state)
{
    struct fixture *f = *state;
    start(f);
    int good = raw_connect(f->path);
    int bad = raw_connect(f->path);
    int bad2 = raw_connect(f->path);
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);

    raw_send(good, "{\"method\":\"t/echo\",\"params\":[\"half\"");
    raw_send(bad, "this is not json\n");
    raw_send(bad2, "{\"method\":\"t/echo\",\"params\":[1}");
    assert_true(raw_closed(f, bad));
    assert_true(raw_closed(f, bad2));
    assert_int_equal(ctl_server_n_connections(), 1);

    raw_send(good, "],\"id\":1}");
    assert_reply(raw_recv(f, good, &rx),
                 "{\"id\":1,\"result\":\"t/echo [half]\\n\",\"error\":null}");
    close(bad);
    close(bad2);
    close(good);
    jsonrpc_rx_destroy(&rx);
}

static void
test_endless_message(void **state)
{
    struct fixture *f = *state;
    ctl_set_limits(4096, 0);
    start(f);
    int fd = raw_connect(f->path);
    raw_send(fd, "{\"method\":\"t/echo\",\"params\":[\"");
    char chunk[1024];
    memset(chunk, 'x', sizeof chunk - 1);
    chunk[sizeof chunk - 1] = '\0';
    bool closed = false;
    for (int i = 0; i < 64 && !closed; i++) {
        if (send(fd, chunk, strlen(chunk), MSG_NOSIGNAL) < 0) {
            closed = true;
        }
        loop_run_once(f->loop, 5);
        closed = closed || ctl_server_n_connections() == 0;
    }
    assert_true(closed);
    assert_true(raw_closed(f, fd));
    close(fd);
}

static void
test_client_not_reading(void **state)
{
    struct fixture *f = *state;
    ctl_set_limits(0, 8192);
    start(f);
    int fd = raw_connect(f->path);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);

    /* Many requests arriving together, replies never read: the replies
     * to what was already received exceed the backlog limit. */
    const char *req = "{\"method\":\"list-commands\",\"params\":[],"
                      "\"id\":1}";
    struct dstr burst = DSTR_INIT;
    for (int i = 0; i < 1000; i++) {
        dstr_put(&burst, req);
    }
    size_t off = 0;
    bool dropped = false;
    uint64_t deadline = loop_now_ms() + 5000;
    while (!dropped && loop_now_ms() < deadline) {
        if (off < burst.len) {
            ssize_t n = send(fd, burst.s + off, burst.len - off,
                             MSG_NOSIGNAL);
            if (n > 0) {
                off += (size_t) n;
            } else {
                assert_true(errno == EAGAIN || errno == EPIPE
                            || errno == ECONNRESET);
            }
        }
        loop_run_once(f->loop, 1);
        dropped = ctl_server_n_connections() == 0;
    }
    assert_true(dropped);
    dstr_free(&burst);
    close(fd);

    /* The server is still fine for others. */
    fd = raw_connect(f->path);
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);
    raw_send(fd, "{\"method\":\"version\",\"params\":[],\"id\":2}");
    json_t *msg = raw_recv(f, fd, &rx);
    assert_non_null(msg);
    json_decref(msg);
    close(fd);
    jsonrpc_rx_destroy(&rx);
}

static void
test_backpressure(void **state)
{
    struct fixture *f = *state;
    start(f);
    int fd = raw_connect(f->path);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);

    /* Send requests without reading replies until the server stops
     * reading them: the socket fills up, the connection stays. */
    const char *req = "{\"method\":\"t/echo\",\"params\":[],\"id\":1}";
    size_t len = strlen(req);
    int n_sent = 0;
    int stalls = 0;
    for (int i = 0; i < 200000 && stalls < 50; i++) {
        ssize_t n = send(fd, req, len, MSG_NOSIGNAL);
        if (n == (ssize_t) len) {
            n_sent++;
        } else {
            assert_true(n < 0 && errno == EAGAIN);
            stalls++;
        }
        loop_run_once(f->loop, 0);
    }
    assert_int_equal(stalls, 50);
    assert_int_equal(ctl_server_n_connections(), 1);
    /* The server read only part of what was sent. */
    assert_true(f->calls < n_sent);

    /* Now read: every request gets its reply. */
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);
    for (int i = 0; i < n_sent; i++) {
        json_t *msg = raw_recv(f, fd, &rx);
        if (!msg) {
            fail_msg("reply %d of %d missing", i, n_sent);
        }
        json_decref(msg);
    }
    assert_int_equal(f->calls, n_sent);
    close(fd);
    jsonrpc_rx_destroy(&rx);
}

static void
test_exit_gets_reply(void **state)
{
    struct fixture *f = *state;
    start(f);
    int fd = raw_connect(f->path);
    raw_send(fd, "{\"method\":\"exit\",\"params\":[],\"id\":42}");
    assert_int_equal(loop_run(f->loop), 0);     /* Returns: exit ran. */
    ctl_server_stop();
    assert_int_equal(access(f->path, F_OK), -1);

    /* The reply was written before the close. */
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);
    json_t *msg = NULL;
    int n;
    while ((n = jsonrpc_rx_read(&rx, fd)) > 0) {
    }
    assert_int_equal(n, 0);
    assert_int_equal(jsonrpc_rx_next(&rx, &msg), 0);
    assert_reply(msg, "{\"id\":42,\"result\":\"bye\\n\",\"error\":null}");
    close(fd);
    jsonrpc_rx_destroy(&rx);
}

static void
test_stop_inside_handler(void **state)
{
    struct fixture *f = *state;
    start(f);
    int fd = raw_connect(f->path);
    int other = raw_connect(f->path);
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);
    /* A second request after t/stop is not run. */
    raw_send(fd, "{\"method\":\"t/stop\",\"params\":[],\"id\":1}"
             "{\"method\":\"t/echo\",\"params\":[],\"id\":2}");
    assert_reply(raw_recv(f, fd, &rx),
                 "{\"id\":1,\"result\":\"stopping\\n\",\"error\":null}");
    assert_null(raw_recv(f, fd, &rx));
    assert_int_equal(f->calls, 0);
    assert_int_equal(ctl_server_n_connections(), 0);
    assert_int_equal(access(f->path, F_OK), -1);
    assert_true(raw_closed(f, other));
    close(fd);
    close(other);
    jsonrpc_rx_destroy(&rx);
}

static void
test_half_close(void **state)
{
    struct fixture *f = *state;
    start(f);
    int fd = raw_connect(f->path);
    raw_send(fd, "{\"method\":\"t/echo\",\"params\":[\"q\"],\"id\":3}");
    shutdown(fd, SHUT_WR);
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);
    assert_reply(raw_recv(f, fd, &rx),
                 "{\"id\":3,\"result\":\"t/echo [q]\\n\",\"error\":null}");
    assert_true(raw_closed(f, fd));
    assert_int_equal(ctl_server_n_connections(), 0);
    close(fd);
    jsonrpc_rx_destroy(&rx);
}

/* CPU time this process used, in milliseconds. */
static uint64_t
cpu_ms(void)
{
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return (uint64_t) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000
           + (uint64_t) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

/* Out of file descriptors, a connection waiting to be accepted does not
 * make the server spin (it did, at 99% CPU: accept() failed and the
 * level-triggered listener was ready again at once); once descriptors
 * are back it is served. */
static void
test_out_of_fds_does_not_spin(void **state)
{
    struct fixture *f = *state;
    start(f);
    int fd = raw_connect(f->path);
    struct rlimit saved, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    low = saved;
    low.rlim_cur = (rlim_t) fd + 8;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    int fillers[16], n_fillers = 0;     /* Every number below the limit. */
    while (n_fillers < 16 && (fillers[n_fillers] = dup(0)) >= 0) {
        n_fillers++;
    }
    uint64_t cpu0 = cpu_ms(), t0 = loop_now_ms();
    while (loop_now_ms() - t0 < 500) {
        loop_run_once(f->loop, 10);
    }
    uint64_t used = cpu_ms() - cpu0;
    assert_int_equal(ctl_server_n_connections(), 0);
    while (n_fillers) {
        close(fillers[--n_fillers]);
    }
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
    if (used > 150) {
        fail_msg("%llu ms of CPU in 500 ms while out of descriptors",
                 (unsigned long long) used);
    }
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);
    assert_version(f, fd, &rx, "1");
    close(fd);
    jsonrpc_rx_destroy(&rx);
}

/* ---- ctl_client against the server, client in a thread ---- */

struct client_job {
    const char *path;
    atomic_bool done;
    int open_error;
    int errors[4];
    char *results[4];
    char *cmd_errors[4];
};

static void *
client_thread(void *aux)
{
    struct client_job *job = aux;
    struct ctl_client *c;
    job->open_error = ctl_client_open(job->path, &c);
    if (!job->open_error) {
        const char *echo_args[] = { "one", "two words", "" };
        job->errors[0] = ctl_client_call(c, "version", 0, NULL, 5000,
                                         &job->results[0],
                                         &job->cmd_errors[0]);
        job->errors[1] = ctl_client_call(c, "t/echo", 3, echo_args, 5000,
                                         &job->results[1],
                                         &job->cmd_errors[1]);
        job->errors[2] = ctl_client_call(c, "nosuch", 0, NULL, 0,
                                         &job->results[2],
                                         &job->cmd_errors[2]);
        job->errors[3] = ctl_client_call(c, "t/fail", 0, NULL, 5000,
                                         &job->results[3],
                                         &job->cmd_errors[3]);
        ctl_client_close(c);
    }
    atomic_store(&job->done, true);
    return NULL;
}

static void
test_client_roundtrip(void **state)
{
    struct fixture *f = *state;
    start(f);
    /* Resolve "sluiced" the ovs-appctl way. */
    char pidfile[128];
    snprintf(pidfile, sizeof pidfile, "%s/sluiced.pid", f->dir);
    FILE *pf = fopen(pidfile, "w");
    assert_non_null(pf);
    fprintf(pf, "123\n");
    fclose(pf);
    char *err;
    char *path = ctl_client_resolve("sluiced", f->dir, &err);
    assert_non_null(path);
    assert_null(err);
    assert_string_equal(path, f->path);

    struct client_job job = { .path = path };
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, client_thread, &job), 0);
    uint64_t deadline = loop_now_ms() + 10000;
    while (!atomic_load(&job.done) && loop_now_ms() < deadline) {
        loop_run_once(f->loop, 10);
    }
    assert_true(atomic_load(&job.done));
    pthread_join(thread, NULL);

    assert_int_equal(job.open_error, 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(job.errors[i], 0);
    }
    assert_string_equal(job.results[0], VERSION_REPLY);
    assert_null(job.cmd_errors[0]);
    assert_string_equal(job.results[1], "t/echo [one] [two words] []\n");
    assert_null(job.results[2]);
    assert_non_null(strstr(job.cmd_errors[2], "is not a valid command"));
    assert_null(job.results[3]);
    assert_string_equal(job.cmd_errors[3], "it broke\n");
    for (int i = 0; i < 4; i++) {
        free(job.results[i]);
        free(job.cmd_errors[i]);
    }
    free(path);
}

static void
test_client_errors(void **state)
{
    struct fixture *f = *state;
    char *err;

    /* A path is used as is. */
    char *path = ctl_client_resolve("/x/y.ctl", "/nowhere", &err);
    assert_string_equal(path, "/x/y.ctl");
    free(path);

    /* No pidfile. */
    path = ctl_client_resolve("sluiced", f->dir, &err);
    assert_null(path);
    assert_non_null(strstr(err, "sluiced.pid"));
    assert_non_null(strstr(err, "No such file"));
    free(err);

    /* $OVS_RUNDIR is the default run directory. */
    setenv("OVS_RUNDIR", f->dir, 1);
    char pidfile[128];
    snprintf(pidfile, sizeof pidfile, "%s/sluiced.pid", f->dir);
    FILE *pf = fopen(pidfile, "w");
    fprintf(pf, "not a pid\n");
    fclose(pf);
    path = ctl_client_resolve("sluiced", NULL, &err);
    assert_null(path);
    assert_non_null(strstr(err, "valid pid"));
    free(err);
    pf = fopen(pidfile, "w");
    fprintf(pf, "77\n");
    fclose(pf);
    path = ctl_client_resolve("sluiced", NULL, &err);
    unsetenv("OVS_RUNDIR");
    char want[160];
    snprintf(want, sizeof want, "%s/sluiced.77.ctl", f->dir);
    assert_string_equal(path, want);

    /* Nobody listens there. */
    struct ctl_client *c;
    assert_int_equal(ctl_client_open(path, &c), -ENOENT);
    assert_null(c);
    free(path);

    /* A server that never answers: timeout. */
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    strcpy(sun.sun_path, f->path);
    assert_int_equal(bind(lfd, (struct sockaddr *) &sun, sizeof sun), 0);
    assert_int_equal(listen(lfd, 1), 0);
    assert_int_equal(ctl_client_open(f->path, &c), 0);
    char *result, *cmd_error;
    uint64_t start_ms = loop_now_ms();
    assert_int_equal(ctl_client_call(c, "version", 0, NULL, 100, &result,
                                     &cmd_error), -ETIMEDOUT);
    assert_true(loop_now_ms() - start_ms >= 100);
    assert_null(result);
    assert_null(cmd_error);

    /* The server goes away: transport error, not a hang. */
    int afd = accept(lfd, NULL, NULL);
    assert_true(afd >= 0);
    close(afd);
    assert_true(ctl_client_call(c, "version", 0, NULL, 2000, &result,
                                &cmd_error) < 0);
    assert_null(result);
    ctl_client_close(c);
    close(lfd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_list_commands, registry_teardown),
        cmocka_unit_test_teardown(test_dispatch, registry_teardown),
#define SERVER_TEST(T) \
        cmocka_unit_test_setup_teardown(T, server_setup, server_teardown)
        SERVER_TEST(test_socket_file),
        SERVER_TEST(test_raw_roundtrip),
        SERVER_TEST(test_garbage_closes_one),
        SERVER_TEST(test_endless_message),
        SERVER_TEST(test_client_not_reading),
        SERVER_TEST(test_backpressure),
        SERVER_TEST(test_exit_gets_reply),
        SERVER_TEST(test_stop_inside_handler),
        SERVER_TEST(test_half_close),
        SERVER_TEST(test_out_of_fds_does_not_spin),
        SERVER_TEST(test_client_roundtrip),
        SERVER_TEST(test_client_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
