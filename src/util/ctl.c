/* ctl: control socket server and command registry. */
#include "src/util/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sluice_config.h"
#include "src/util/dstr.h"
#include "src/util/jsonrpc.h"
#include "src/util/loop.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ctl);

#define CTL_MAX_BACKLOG_DEFAULT (4 * 1024 * 1024)

/* ---- Registry: an array kept sorted by name. ---- */

struct ctl_command {
    char *name;
    char *usage;
    int min_args;
    int max_args;           /* < 0: unlimited. */
    ctl_handler *handler;
    void *aux;
};

static struct ctl_command *commands;
static size_t n_commands;
static size_t cap_commands;
static bool builtins_registered;

static char version_text[256] = "sluiced (Sluice) " SLUICE_VERSION "\n";

static void ensure_builtins(void);

static char *
xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p) {
        abort();
    }
    return p;
}

/* Returns the index of 'name', or -(insertion point) - 1. */
static long
find_command(const char *name)
{
    size_t lo = 0, hi = n_commands;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(name, commands[mid].name);
        if (!cmp) {
            return (long) mid;
        } else if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return -(long) lo - 1;
}

static void
register_command(const char *name, const char *usage, int min_args,
                 int max_args, ctl_handler *handler, void *aux)
{
    long idx = find_command(name);
    struct ctl_command *c;
    if (idx >= 0) {
        c = &commands[idx];
        free(c->usage);
    } else {
        size_t pos = (size_t) (-idx - 1);
        if (n_commands == cap_commands) {
            cap_commands = cap_commands ? 2 * cap_commands : 32;
            commands = realloc(commands, cap_commands * sizeof *commands);
            if (!commands) {
                abort();
            }
        }
        memmove(&commands[pos + 1], &commands[pos],
                (n_commands - pos) * sizeof *commands);
        n_commands++;
        c = &commands[pos];
        c->name = xstrdup(name);
    }
    c->usage = xstrdup(usage);
    c->min_args = min_args;
    c->max_args = max_args;
    c->handler = handler;
    c->aux = aux;
}

void
ctl_register(const char *name, const char *usage, int min_args,
             int max_args, ctl_handler *handler, void *aux)
{
    ensure_builtins();
    register_command(name, usage, min_args, max_args, handler, aux);
}

void
ctl_unregister_all(void)
{
    for (size_t i = 0; i < n_commands; i++) {
        free(commands[i].name);
        free(commands[i].usage);
    }
    free(commands);
    commands = NULL;
    n_commands = cap_commands = 0;
    builtins_registered = false;
}

int
ctl_dispatch(int argc, const char *argv[], struct dstr *reply)
{
    ensure_builtins();
    if (argc < 1 || !argv[0]) {
        dstr_put(reply, "missing command name\n");
        return -EINVAL;
    }
    long idx = find_command(argv[0]);
    if (idx < 0) {
        dstr_printf(reply, "\"%s\" is not a valid command (use "
                    "\"list-commands\" to see a list of valid commands)\n",
                    argv[0]);
        return -ENOENT;
    }
    const struct ctl_command *c = &commands[idx];
    int n_args = argc - 1;
    if (n_args < c->min_args) {
        dstr_printf(reply, "\"%s\" command requires at least %d arguments\n",
                    c->name, c->min_args);
        return -EINVAL;
    }
    if (c->max_args >= 0 && n_args > c->max_args) {
        dstr_printf(reply, "\"%s\" command takes at most %d arguments\n",
                    c->name, c->max_args);
        return -EINVAL;
    }
    /* The handler may change the registry: do not use 'c' afterwards. */
    ctl_handler *handler = c->handler;
    void *aux = c->aux;
    return handler(argc, argv, reply, aux);
}

static int
cmd_list_commands(int argc, const char *argv[], struct dstr *reply,
                  void *aux)
{
    (void) argc;
    (void) argv;
    (void) aux;
    dstr_put(reply, "The available commands are:\n");
    for (size_t i = 0; i < n_commands; i++) {
        const struct ctl_command *c = &commands[i];
        if (c->usage[0]) {
            dstr_printf(reply, "  %-23s %s\n", c->name, c->usage);
        } else {
            dstr_printf(reply, "  %s\n", c->name);
        }
    }
    return 0;
}

static int
cmd_version(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) argc;
    (void) argv;
    (void) aux;
    dstr_put(reply, version_text);
    if (!reply->len || reply->s[reply->len - 1] != '\n') {
        dstr_put(reply, "\n");
    }
    return 0;
}

static void
ensure_builtins(void)
{
    if (!builtins_registered) {
        builtins_registered = true;
        register_command("list-commands", "", 0, 0, cmd_list_commands, NULL);
        register_command("version", "", 0, 0, cmd_version, NULL);
    }
}

void
ctl_set_version(const char *version)
{
    snprintf(version_text, sizeof version_text, "%s", version);
}

/* ---- Server ---- */

struct ctl_conn {
    int fd;
    uint32_t events;        /* Registered with the loop. */
    bool busy;              /* Inside conn_cb() (a handler may nest). */
    bool dead;              /* Close at the end of conn_cb(). */
    bool eof;               /* Peer shut down its side: no more input. */
    struct jsonrpc_rx rx;
    struct jsonrpc_tx tx;
    struct ctl_conn *next;
};

struct ctl_server {
    struct loop *loop;
    int fd;
    char *path;
    struct ctl_conn *conns;
    size_t n_conns;
    int busy;               /* Depth of conn_cb() calls. */
    bool stop_pending;      /* ctl_server_stop() called inside conn_cb(). */
};

static struct ctl_server *server;
static size_t limit_max_msg;
static size_t limit_max_backlog;
static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(30, 10);

void
ctl_set_limits(size_t max_msg, size_t max_backlog)
{
    limit_max_msg = max_msg;
    limit_max_backlog = max_backlog;
}

size_t
ctl_server_n_connections(void)
{
    return server ? server->n_conns : 0;
}

static void
conn_free(struct ctl_conn *c)
{
    for (struct ctl_conn **p = &server->conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    server->n_conns--;
    loop_del_fd(server->loop, c->fd);
    close(c->fd);
    jsonrpc_rx_destroy(&c->rx);
    jsonrpc_tx_destroy(&c->tx);
    free(c);
}

static void
server_teardown(void)
{
    while (server->conns) {
        struct ctl_conn *c = server->conns;
        jsonrpc_tx_flush(&c->tx, c->fd);
        conn_free(c);
    }
    loop_del_fd(server->loop, server->fd);
    close(server->fd);
    unlink(server->path);
    free(server->path);
    free(server);
    server = NULL;
}

/* json_string() refuses invalid UTF-8; a handler might echo raw bytes. */
static json_t *
json_string_lossy(const char *s)
{
    json_t *j = json_string(s);
    if (!j) {
        char *copy = xstrdup(s);
        for (char *p = copy; *p; p++) {
            if ((unsigned char) *p >= 0x80) {
                *p = '?';
            }
        }
        j = json_string(copy);
        free(copy);
    }
    return j;
}

/* Runs one request and returns the reply to send. */
static json_t *
run_request(const struct jsonrpc_msg *m)
{
    size_t n_params = json_array_size(m->params);
    const char **argv = calloc(n_params + 2, sizeof *argv);
    if (!argv) {
        abort();
    }
    argv[0] = m->method;
    for (size_t i = 0; i < n_params; i++) {
        json_t *p = json_array_get(m->params, i);
        if (!json_is_string(p)) {
            free(argv);
            char *s = json_dumps(p, JSON_ENCODE_ANY | JSON_COMPACT);
            struct dstr err = DSTR_INIT;
            dstr_printf(&err, "command has non-string argument: %s\n",
                        s ? s : "?");
            free(s);
            json_t *reply = jsonrpc_error(json_string_lossy(dstr_cstr(&err)),
                                          m->id);
            dstr_free(&err);
            return reply;
        }
        argv[i + 1] = json_string_value(p);
    }

    struct dstr text = DSTR_INIT;
    int error = ctl_dispatch((int) n_params + 1, argv, &text);
    free(argv);
    if (error && !text.len) {
        dstr_put(&text, "command failed\n");
    }
    json_t *s = json_string_lossy(text.len ? text.s : "");
    dstr_free(&text);
    return error ? jsonrpc_error(s, m->id) : jsonrpc_reply(s, m->id);
}

/* Handles one received message; may mark 'c' dead. */
static void
conn_handle(struct ctl_conn *c, json_t *msg)
{
    struct jsonrpc_msg m;
    const char *err;
    json_t *reply;

    if (!jsonrpc_parse(msg, &m, &err)) {
        if (m.type != JSONRPC_REQUEST) {
            VLOG_WARN_RL(&rl, "closing control connection: unexpected %s",
                         m.type == JSONRPC_NOTIFY ? "notification"
                                                  : "reply");
            c->dead = true;
            return;
        }
        reply = run_request(&m);
    } else {
        json_t *id = json_object_get(msg, "id");
        if (!id || json_is_null(id)) {
            VLOG_WARN_RL(&rl, "closing control connection: %s", err);
            c->dead = true;
            return;
        }
        struct dstr text = DSTR_INIT;
        dstr_printf(&text, "invalid JSON-RPC request: %s\n", err);
        reply = jsonrpc_error_string(dstr_cstr(&text), id);
        dstr_free(&text);
    }

    int error = jsonrpc_tx_queue(&c->tx, reply);
    json_decref(reply);
    if (error) {
        VLOG_WARN_RL(&rl, "closing control connection: %s",
                     error == -ENOBUFS ? "client does not read its replies"
                                       : "cannot encode reply");
        c->dead = true;
        return;
    }
    error = jsonrpc_tx_flush(&c->tx, c->fd);
    if (error && error != -EAGAIN) {
        VLOG_DBG("control connection: write failed: %s", strerror(-error));
        c->dead = true;
    }
}

static void
conn_input(struct ctl_conn *c)
{
    int n = jsonrpc_rx_read(&c->rx, c->fd);
    if (n == 0) {
        c->eof = true;
    } else if (n < 0 && n != -EAGAIN) {
        VLOG_DBG("control connection: read failed: %s", strerror(-n));
        c->dead = true;
        return;
    }

    json_t *msg;
    int error = -EAGAIN;
    while (!c->dead && !server->stop_pending
           && !(error = jsonrpc_rx_next(&c->rx, &msg))) {
        conn_handle(c, msg);
        json_decref(msg);
    }
    if (!c->dead && !server->stop_pending && error != -EAGAIN) {
        VLOG_WARN_RL(&rl, "closing control connection: %s",
                     jsonrpc_rx_error(&c->rx));
        c->dead = true;
    }
    if (c->eof && jsonrpc_rx_pending(&c->rx)) {
        VLOG_DBG("control connection: peer closed inside a message");
    }
}

static void
conn_update_events(struct ctl_conn *c)
{
    bool out = jsonrpc_tx_pending(&c->tx) > 0;
    if (c->eof && !out) {
        c->dead = true;
        return;
    }
    /* Back-pressure: while replies wait for the client to read them, read
     * no more requests from it. */
    uint32_t want = out ? EPOLLOUT : c->eof ? 0 : EPOLLIN;
    if (want != c->events && !loop_mod_fd(server->loop, c->fd, want)) {
        c->events = want;
    }
}

static void
conn_cb(int fd, uint32_t events, void *aux)
{
    struct ctl_conn *c = aux;
    (void) fd;

    if (c->busy) {
        /* A handler of this connection runs a nested loop: keep quiet until
         * it returns (the outer call re-enables the events). */
        if (!loop_mod_fd(server->loop, c->fd, 0)) {
            c->events = 0;
        }
        return;
    }
    c->busy = true;
    server->busy++;

    if (jsonrpc_tx_pending(&c->tx)
        && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int error = jsonrpc_tx_flush(&c->tx, c->fd);
        if (error && error != -EAGAIN) {
            c->dead = true;
        }
    }
    if (!c->dead && !c->eof && !jsonrpc_tx_pending(&c->tx)
        && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        conn_input(c);
    }
    if (!c->dead) {
        conn_update_events(c);
    }

    c->busy = false;
    server->busy--;
    if (server->stop_pending && !server->busy) {
        server_teardown();
    } else if (c->dead) {
        conn_free(c);
    }
}

static void
accept_cb(int fd, uint32_t events, void *aux)
{
    (void) events;
    (void) aux;
    for (;;) {
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                VLOG_WARN_RL(&rl, "accept on %s failed: %s", server->path,
                             strerror(errno));
            }
            return;
        }
        struct ctl_conn *c = calloc(1, sizeof *c);
        if (!c) {
            close(cfd);
            return;
        }
        c->fd = cfd;
        c->events = EPOLLIN;
        jsonrpc_rx_init(&c->rx, limit_max_msg);
        jsonrpc_tx_init(&c->tx, limit_max_backlog ? limit_max_backlog
                                                  : CTL_MAX_BACKLOG_DEFAULT);
        int error = loop_add_fd(server->loop, cfd, EPOLLIN, conn_cb, c);
        if (error) {
            VLOG_WARN_RL(&rl, "cannot watch control connection: %s",
                         strerror(-error));
            close(cfd);
            free(c);
            continue;
        }
        c->next = server->conns;
        server->conns = c;
        server->n_conns++;
    }
}

int
ctl_server_start(struct loop *loop, const char *path)
{
    if (server) {
        return -EBUSY;
    }
    ensure_builtins();

    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sun.sun_path) {
        return -ENAMETOOLONG;
    }
    strcpy(sun.sun_path, path);

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    int error = 0;
    if (unlink(path) && errno != ENOENT) {
        error = -errno;
        goto fail;
    }
    /* Created owner-only from the start; chmod too in case umask is odd. */
    mode_t old_mask = umask(0177);
    int r = bind(fd, (struct sockaddr *) &sun, sizeof sun);
    int bind_errno = errno;
    umask(old_mask);
    if (r) {
        error = -bind_errno;
        goto fail;
    }
    if (chmod(path, 0600) || listen(fd, 64)) {
        error = -errno;
        unlink(path);
        goto fail;
    }

    server = calloc(1, sizeof *server);
    if (!server) {
        error = -ENOMEM;
        unlink(path);
        goto fail;
    }
    server->loop = loop;
    server->fd = fd;
    server->path = xstrdup(path);
    error = loop_add_fd(loop, fd, EPOLLIN, accept_cb, NULL);
    if (error) {
        free(server->path);
        free(server);
        server = NULL;
        unlink(path);
        goto fail;
    }
    VLOG_INFO("%s: listening", path);
    return 0;

fail:
    close(fd);
    return error;
}

void
ctl_server_stop(void)
{
    if (!server) {
        return;
    }
    if (server->busy) {
        server->stop_pending = true;    /* Torn down when conn_cb returns. */
    } else {
        server_teardown();
    }
}
