/* ctl_client: blocking control-socket client. */
#include "src/util/ctl_client.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/util/dstr.h"
#include "src/util/jsonrpc.h"
#include "src/util/loop.h"

#define CTL_CLIENT_DEFAULT_RUN_DIR "/run/sluice"

struct ctl_client {
    int fd;
    json_int_t next_id;
    struct jsonrpc_rx rx;
    struct jsonrpc_tx tx;
};

char *
ctl_client_resolve(const char *target, const char *run_dir, char **err)
{
    *err = NULL;
    if (strchr(target, '/')) {
        return xasprintf("%s", target);
    }
    if (!*target) {
        *err = xasprintf("empty target name");
        return NULL;
    }
    if (!run_dir || !*run_dir) {
        run_dir = getenv("OVS_RUNDIR");
        if (!run_dir || !*run_dir) {
            run_dir = CTL_CLIENT_DEFAULT_RUN_DIR;
        }
    }

    char *pidfile = xasprintf("%s/%s.pid", run_dir, target);
    FILE *f = fopen(pidfile, "r");
    if (!f) {
        *err = xasprintf("cannot read pidfile \"%s\" (%s)", pidfile,
                         strerror(errno));
        free(pidfile);
        return NULL;
    }
    char line[64];
    char *end = NULL;
    long pid = 0;
    if (fgets(line, sizeof line, f)) {
        errno = 0;
        pid = strtol(line, &end, 10);
        if (errno || end == line || (*end && *end != '\n')) {
            pid = 0;
        }
    }
    fclose(f);
    if (pid <= 0) {
        *err = xasprintf("pidfile \"%s\" does not contain a valid pid",
                         pidfile);
        free(pidfile);
        return NULL;
    }
    free(pidfile);
    return xasprintf("%s/%s.%ld.ctl", run_dir, target, pid);
}

int
ctl_client_open(const char *path, struct ctl_client **clientp)
{
    *clientp = NULL;
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sun.sun_path) {
        return -ENAMETOOLONG;
    }
    strcpy(sun.sun_path, path);

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    int r;
    do {
        r = connect(fd, (struct sockaddr *) &sun, sizeof sun);
    } while (r && errno == EINTR);
    if (r) {
        int error = -errno;
        close(fd);
        return error;
    }

    struct ctl_client *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return -ENOMEM;
    }
    c->fd = fd;
    jsonrpc_rx_init(&c->rx, 0);
    /* Never refuse our own request because of backlog. */
    jsonrpc_tx_init(&c->tx, (size_t) -1 / 2);
    *clientp = c;
    return 0;
}

void
ctl_client_close(struct ctl_client *c)
{
    if (c) {
        close(c->fd);
        jsonrpc_rx_destroy(&c->rx);
        jsonrpc_tx_destroy(&c->tx);
        free(c);
    }
}

/* Waits for 'events' on the client's socket until 'deadline' (0: none). */
static int
wait_fd(struct ctl_client *c, short events, uint64_t deadline)
{
    return loop_wait_fd(c->fd, events, deadline);
}

/* Takes the answer out of 'm' (a reply to our request). */
static int
take_answer(const struct jsonrpc_msg *m, char **result, char **error)
{
    if (m->type == JSONRPC_REPLY) {
        if (!json_is_string(m->result)) {
            return -EPROTO;
        }
        *result = xasprintf("%s", json_string_value(m->result));
    } else if (json_is_string(m->error)) {
        *error = xasprintf("%s", json_string_value(m->error));
    } else {
        char *s = json_dumps(m->error, JSON_ENCODE_ANY | JSON_COMPACT);
        if (!s) {
            return -EPROTO;
        }
        *error = s;
    }
    return 0;
}

int
ctl_client_call(struct ctl_client *c, const char *method, int argc,
                const char *argv[], int timeout_ms, char **result,
                char **error)
{
    *result = NULL;
    *error = NULL;
    uint64_t deadline = timeout_ms > 0 ? loop_now_ms() + timeout_ms : 0;

    json_t *id = json_integer(c->next_id++);
    json_t *req = jsonrpc_request_argv(method, argc, argv, json_incref(id));
    int err = jsonrpc_tx_queue(&c->tx, req);
    json_decref(req);
    while (!err && (err = jsonrpc_tx_flush(&c->tx, c->fd)) == -EAGAIN) {
        err = wait_fd(c, POLLOUT, deadline);
    }

    while (!err) {
        json_t *msg;
        err = jsonrpc_rx_next(&c->rx, &msg);
        if (err == -EAGAIN) {
            err = wait_fd(c, POLLIN, deadline);
            if (!err) {
                int n = jsonrpc_rx_read(&c->rx, c->fd);
                err = n > 0 || n == -EAGAIN ? 0 : n ? n : -ECONNRESET;
            }
            continue;
        } else if (err) {
            err = -EPROTO;
            break;
        }

        struct jsonrpc_msg m;
        const char *perr;
        if (jsonrpc_parse(msg, &m, &perr)) {
            err = -EPROTO;
        } else if ((m.type == JSONRPC_REPLY || m.type == JSONRPC_ERROR)
                   && json_equal(m.id, id)) {
            err = take_answer(&m, result, error);
            json_decref(msg);
            break;
        }
        /* Anything else (a late reply to an earlier, timed-out call, a
         * notification) is skipped. */
        json_decref(msg);
    }
    json_decref(id);
    if (err) {
        free(*result);
        free(*error);
        *result = *error = NULL;
    }
    return err;
}
