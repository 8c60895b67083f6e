/* ctl: control socket server and command registry. */
#include "src/util/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice_config.h"
#include "src/util/dstr.h"
#include "src/util/jsonrpc.h"
#include "src/util/loop.h"
#include "src/util/stream.h"
#include "src/util/stream_rpc.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ctl);

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

/* ---- Server: sessions of the connection layer (stream_rpc.h) ---- */

struct ctl_conn {
    struct stream_rpc *rpc;
    struct ctl_conn *next;
};

struct ctl_server {
    struct loop *loop;
    struct stream_rpc_listener *listener;
    struct ctl_conn *conns;
    size_t n_conns;
    int busy;               /* Depth of requests being run. */
    bool stop_pending;      /* ctl_server_stop() called inside a request. */
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
    if (server) {
        stream_rpc_listener_set_limits(server->listener, max_msg,
                                       max_backlog);
    }
}

size_t
ctl_server_n_connections(void)
{
    return server ? server->n_conns : 0;
}

/* Forgets 'c' (its session is closed or closing). */
static void
conn_forget(struct ctl_conn *c)
{
    for (struct ctl_conn **p = &server->conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            server->n_conns--;
            break;
        }
    }
    free(c);
}

static void
server_teardown(void)
{
    while (server->conns) {
        struct ctl_conn *c = server->conns;
        struct stream_rpc *rpc = c->rpc;
        conn_forget(c);
        stream_rpc_close(rpc);      /* Writes what it can first. */
    }
    stream_rpc_listener_close(server->listener);
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

static void
conn_msg(struct stream_rpc *rpc, const struct jsonrpc_msg *m, json_t *json,
         void *c_)
{
    struct ctl_conn *c = c_;
    (void) json;

    if (!server || server->stop_pending) {
        return;     /* Requests after a stop are not run. */
    }
    if (m->type != JSONRPC_REQUEST) {
        VLOG_WARN_RL(&rl, "closing control connection: unexpected %s",
                     m->type == JSONRPC_NOTIFY ? "notification" : "reply");
        conn_forget(c);
        stream_rpc_close(rpc);
        return;
    }
    server->busy++;
    json_t *reply = run_request(m);
    /* The reply goes out before a stop the request asked for. */
    int error = stream_rpc_send(rpc, reply);
    json_decref(reply);
    if (error == -EINVAL) {
        VLOG_WARN_RL(&rl, "control connection: cannot encode a reply");
    }
    if (!--server->busy && server->stop_pending) {
        server_teardown();
    }
}

static void
conn_close(struct stream_rpc *rpc, int error, const char *reason, void *c_)
{
    struct ctl_conn *c = c_;
    (void) rpc;
    (void) error;
    (void) reason;
    if (server) {
        conn_forget(c);
    }
}

static void
conn_accept(struct stream_rpc *rpc, void *aux)
{
    (void) aux;
    struct ctl_conn *c = calloc(1, sizeof *c);
    if (!c) {
        stream_rpc_close(rpc);
        return;
    }
    c->rpc = rpc;
    c->next = server->conns;
    server->conns = c;
    server->n_conns++;
    stream_rpc_set_aux(rpc, c);
}

int
ctl_server_start(struct loop *loop, const char *path)
{
    if (server) {
        return -EBUSY;
    }
    ensure_builtins();

    server = calloc(1, sizeof *server);
    if (!server) {
        return -ENOMEM;
    }
    server->loop = loop;
    struct stream_rpc_config cfg = {
        .max_msg = limit_max_msg,
        .max_backlog = limit_max_backlog,
        .answer_invalid = true,
        .on_msg = conn_msg,
        .on_close = conn_close,
    };
    struct dstr name = DSTR_INIT;
    char err[STREAM_ERR_LEN];
    dstr_printf(&name, "punix:%s", path);
    int error = stream_rpc_listen(loop, dstr_cstr(&name), NULL, &cfg,
                                  conn_accept, NULL, &server->listener,
                                  err, sizeof err);
    dstr_free(&name);
    if (error) {
        VLOG_DBG("%s", err);
        free(server);
        server = NULL;
        return error;
    }
    /* Operators' commands get through when clients took every other file
     * descriptor. */
    stream_rpc_listener_use_reserve(server->listener);
    VLOG_INFO("%s: listening", path);
    return 0;
}

void
ctl_server_stop(void)
{
    if (!server) {
        return;
    }
    if (server->busy) {
        server->stop_pending = true;    /* Torn down after the reply. */
    } else {
        server_teardown();
    }
}
