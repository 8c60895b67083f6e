/* libFuzzer target for the control socket (src/util/ctl.c): any bytes as
 * what a client sends, through a real connection to the server in this
 * process, split into writes at points seeded by the input's first four
 * bytes.  Besides the built-in commands, vlog/list, vlog/set and a
 * command that echoes its arguments are registered, so requests reach
 * dispatch, argument checks and handlers.  Checks that
 *   - everything the server sends is a JSON-RPC reply or error, one for
 *     each request it read, in order, with the request's id (the requests
 *     are found by framing the input independently: every message up to
 *     the first that ends the conversation - a notification, a reply, an
 *     invalid request without an id, bytes that are not a message);
 *   - the server always ends the conversation: once the client shuts its
 *     side down, the server closes the connection (no hang, no spin);
 *   - no connection is left behind. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "src/util/ctl.h"
#include "src/util/dstr.h"
#include "src/util/json_text.h"
#include "src/util/jsonrpc.h"
#include "src/util/loop.h"
#include "src/util/vlog.h"

#define CHECK(COND) do { if (!(COND)) { abort(); } } while (0)
#define MAX_ROUNDS 20000
#define MAX_IDS 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct loop *loop;
static char path[108];

static int
cmd_echo(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) aux;
    for (int i = 1; i < argc; i++) {
        dstr_printf(reply, "%s%s", i > 1 ? " " : "", argv[i]);
    }
    dstr_put(reply, "\n");
    return argc > 1 && !strcmp(argv[1], "fail");
}

static void
cleanup(void)
{
    ctl_server_stop();
    unlink(path);
}

static void
init(void)
{
    const char *err;
    signal(SIGPIPE, SIG_IGN);
    CHECK(!vlog_set_spec("any:any:off", &err));
    loop = loop_create();
    CHECK(loop);
    snprintf(path, sizeof path, "/tmp/fuzz_ctl.%d.ctl", (int) getpid());
    CHECK(!ctl_server_start(loop, path));
    vlog_register_commands();
    ctl_register("fuzz/echo", "[ARG...]", 0, -1, cmd_echo, NULL);
    atexit(cleanup);
}

static uint32_t
next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* The ids of the requests the server must answer, in order. */
struct ids {
    char *v[MAX_IDS];
    size_t n;
};

/* 'id' as the client reads it back: written as the wire has it (strings
 * may hold invalid UTF-8, which Jansson's writer refuses), read, written
 * again - a real written with 15 digits may read back as an integer, as
 * with ovsdb-server. */
static char *
id_text(const json_t *id)
{
    struct dstr s = DSTR_INIT, again = DSTR_INIT;
    char err[128];
    json_text_write(&s, id);
    json_t *back = json_text_parse(dstr_cstr(&s), s.len, JSONRPC_MAX_DEPTH,
                                   err, sizeof err);
    CHECK(back);
    json_text_write(&again, back);
    json_decref(back);
    dstr_free(&s);
    return dstr_steal(&again);
}

static void
expected_ids(const uint8_t *data, size_t size, struct ids *ids)
{
    struct jsonrpc_rx rx;
    json_t *msg;

    ids->n = 0;
    jsonrpc_rx_init(&rx, 0);
    CHECK(!jsonrpc_rx_append(&rx, data, size));
    while (!jsonrpc_rx_next(&rx, &msg)) {
        struct jsonrpc_msg m;
        const char *err;
        json_t *id = json_object_get(msg, "id");
        bool answered = !jsonrpc_parse(msg, &m, &err)
                        ? m.type == JSONRPC_REQUEST
                        : id && !json_is_null(id);
        if (answered && ids->n < MAX_IDS) {
            ids->v[ids->n++] = id_text(id);
        }
        json_decref(msg);
        if (!answered) {
            break;
        }
    }
    jsonrpc_rx_destroy(&rx);
}

/* Reads what the server sent; checks every whole message against the ids
 * expected ('*next' of them seen so far).  Returns 1 once the server
 * closed the connection. */
static int
client_read(int fd, struct jsonrpc_rx *rx, const struct ids *ids,
            size_t *next)
{
    for (;;) {
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            return 1;
        } else if (n < 0) {
            CHECK(errno == EAGAIN);
            return 0;
        }
        CHECK(!jsonrpc_rx_append(rx, buf, (size_t) n));
        json_t *msg;
        int error;
        while (!(error = jsonrpc_rx_next(rx, &msg))) {
            struct jsonrpc_msg m;
            const char *err;
            CHECK(!jsonrpc_parse(msg, &m, &err));
            CHECK(m.type == JSONRPC_REPLY || m.type == JSONRPC_ERROR);
            CHECK(*next < ids->n);          /* No reply to nothing. */
            char *id = id_text(m.id ? m.id : json_null());
            CHECK(!strcmp(id, ids->v[(*next)++]));
            free(id);
            json_decref(msg);
        }
        CHECK(error == -EAGAIN);    /* The server's framing is sound. */
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!loop) {
        init();
    }
    if (size < 4) {
        return 0;
    }
    uint32_t seed;
    memcpy(&seed, data, sizeof seed);
    seed |= 1;
    data += 4;
    size -= 4;

    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    memcpy(sun.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(fd >= 0);
    CHECK(!connect(fd, (struct sockaddr *) &sun, sizeof sun));

    struct ids ids;
    size_t next = 0;
    expected_ids(data, size, &ids);

    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 64 * 1024 * 1024);
    size_t off = 0;
    int closed = 0, rounds = 0;
    while (!closed) {
        CHECK(++rounds < MAX_ROUNDS);   /* The server must end it. */
        if (off < size) {
            size_t k = 1 + next_rand(&seed) % 256;
            if (k > size - off) {
                k = size - off;
            }
            ssize_t n = write(fd, data + off, k);
            if (n > 0) {
                off += (size_t) n;
            } else if (n < 0 && errno != EAGAIN) {
                /* The server closed on us (garbage): fine. */
                CHECK(errno == EPIPE || errno == ECONNRESET);
                off = size;
            }
            if (off == size) {
                shutdown(fd, SHUT_WR);
            }
        } else if (size == 0 && rounds == 1) {
            shutdown(fd, SHUT_WR);
        }
        loop_run_once(loop, off < size ? 0 : 1);
        closed = client_read(fd, &rx, &ids, &next);
    }
    CHECK(next == ids.n || ids.n == MAX_IDS);   /* Every request answered. */
    for (size_t i = 0; i < ids.n; i++) {
        free(ids.v[i]);
    }
    close(fd);
    jsonrpc_rx_destroy(&rx);
    for (int i = 0; i < 100 && ctl_server_n_connections(); i++) {
        loop_run_once(loop, 1);
    }
    CHECK(ctl_server_n_connections() == 0);

    const char *err;
    CHECK(!vlog_set_spec("any:any:off", &err));     /* Undo vlog/set. */
    return 0;
}
