/* sluicectl_rpc: blocking OVSDB client connection for sluicectl. */
#include "tools/sluicectl_rpc.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/util/loop.h"

#define DEFAULT_DB "Open_vSwitch"

static const char *program = "sluicectl";

void
sctl_set_program(const char *name)
{
    program = name;
}

void
sctl_fail(const char *fmt, ...)
{
    va_list args;
    fprintf(stderr, "%s: ", program);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
}

static char *
db_path(const struct sluicectl_db_opts *o)
{
    char *s = NULL;
    if (o->db) {
        if (!strncmp(o->db, "unix:", 5) && o->db[5]) {
            return strdup(o->db + 5);
        }
        sctl_fail("%s: unsupported database remote (want unix:PATH)", o->db);
        return NULL;
    }
    const char *run_dir = o->run_dir;
    if (!run_dir || !*run_dir) {
        run_dir = getenv("OVS_RUNDIR");
        if (!run_dir || !*run_dir) {
            run_dir = "/run/sluice";
        }
    }
    if (asprintf(&s, "%s/db.sock", run_dir) < 0) {
        abort();
    }
    return s;
}

int
sctl_connect(const struct sluicectl_db_opts *o, struct sctl_conn *c)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->db_name = DEFAULT_DB;
    c->wait_cfg = !o->no_wait;
    c->comment = o->comment;
    jsonrpc_rx_init(&c->rx, 64 * 1024 * 1024);
    jsonrpc_tx_init(&c->tx, (size_t) -1 / 2);
    char *path = db_path(o);
    if (!path) {
        return -EINVAL;
    }
    if (asprintf(&c->name, "unix:%s", path) < 0) {
        abort();
    }
    c->timeout_s = o->timeout_s;
    c->deadline = o->timeout_s > 0
                  ? loop_now_ms() + (uint64_t) o->timeout_s * 1000 : 0;

    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int error = 0;
    if (strlen(path) >= sizeof sun.sun_path) {
        error = -ENAMETOOLONG;
    } else {
        strcpy(sun.sun_path, path);
        c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->fd < 0) {
            error = -errno;
        } else {
            int r;
            do {
                r = connect(c->fd, (struct sockaddr *) &sun, sizeof sun);
            } while (r && errno == EINTR);
            if (r) {
                error = -errno;
            }
        }
    }
    free(path);
    if (error) {
        sctl_fail("%s: database connection failed (%s)", c->name,
                  strerror(-error));
    }
    return error;
}

void
sctl_close(struct sctl_conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
    }
    jsonrpc_rx_destroy(&c->rx);
    jsonrpc_tx_destroy(&c->tx);
    free(c->name);
}

static int
conn_wait(struct sctl_conn *c, short events)
{
    return loop_wait_fd(c->fd, events, c->deadline);
}

static int
conn_send(struct sctl_conn *c, json_t *msg)
{
    int err = jsonrpc_tx_queue(&c->tx, msg);
    json_decref(msg);
    while (!err && (err = jsonrpc_tx_flush(&c->tx, c->fd)) == -EAGAIN) {
        err = conn_wait(c, POLLOUT);
    }
    return err;
}

/* Receives the next message other than an echo request (answered here).
 * Returns 0 with '*msgp' (a new reference) parsed into '*m', or a negative
 * errno (-ETIMEDOUT at the deadline, -EPROTO for garbage). */
static int
conn_recv(struct sctl_conn *c, json_t **msgp, struct jsonrpc_msg *m)
{
    for (;;) {
        json_t *msg;
        int err = jsonrpc_rx_next(&c->rx, &msg);
        if (err == -EAGAIN) {
            err = conn_wait(c, POLLIN);
            if (!err) {
                int n = jsonrpc_rx_read(&c->rx, c->fd);
                err = n > 0 || n == -EAGAIN ? 0 : n ? n : -ECONNRESET;
            }
            if (err) {
                return err;
            }
            continue;
        } else if (err) {
            return -EPROTO;
        }
        const char *perr;
        if (jsonrpc_parse(msg, m, &perr)) {
            json_decref(msg);
            return -EPROTO;
        }
        if (m->type == JSONRPC_REQUEST && !strcmp(m->method, "echo")) {
            err = conn_send(c, jsonrpc_reply(json_incref(m->params), m->id));
            json_decref(msg);
            if (err) {
                return err;
            }
            continue;
        }
        if (m->type == JSONRPC_NOTIFY) {
            c->n_notify++;
        }
        *msgp = msg;
        return 0;
    }
}

static void
report_error(struct sctl_conn *c, const char *what, int err)
{
    if (err == -ETIMEDOUT) {
        sctl_fail("%s: no reply within %d s", c->name, c->timeout_s);
    } else if (err) {
        sctl_fail("%s: %s: %s", c->name, what, strerror(-err));
    }
}

int
sctl_call(struct sctl_conn *c, const char *method, json_t *params,
          json_t **result)
{
    *result = NULL;
    json_t *id = json_integer(c->next_id++);
    int err = conn_send(c, jsonrpc_request(method, params, json_incref(id)));
    while (!err) {
        json_t *msg;
        struct jsonrpc_msg m;
        err = conn_recv(c, &msg, &m);
        if (err) {
            break;
        }
        if ((m.type == JSONRPC_REPLY || m.type == JSONRPC_ERROR)
            && json_equal(m.id, id)) {
            if (m.type == JSONRPC_ERROR) {
                char *s = json_dumps(m.error, JSON_ENCODE_ANY);
                sctl_fail("%s: %s failed: %s", c->name, method, s ? s : "?");
                free(s);
                json_decref(msg);
                json_decref(id);
                return -EPROTO;
            }
            *result = json_incref(m.result);
            json_decref(msg);
            break;
        }
        json_decref(msg);
    }
    json_decref(id);
    report_error(c, method, err);
    return err;
}

/* sctl_transact(), where an error in one of the first 'n_verify' results
 * is -EAGAIN, unprinted. */
static int
transact_verified(struct sctl_conn *c, json_t *ops, size_t n_verify,
                  json_t **result)
{
    json_t *params = json_pack("[s]", c->db_name);
    json_array_extend(params, ops);
    json_decref(ops);
    int err = sctl_call(c, "transact", params, result);
    if (err) {
        return -EPROTO;
    }
    if (!json_is_array(*result)) {
        sctl_fail("%s: transact: malformed reply", c->name);
        json_decref(*result);
        *result = NULL;
        return -EPROTO;
    }
    size_t i;
    json_t *r;
    json_array_foreach (*result, i, r) {
        json_t *e = json_object_get(r, "error");
        if (json_is_string(e)) {
            const char *d = json_string_value(json_object_get(r, "details"));
            if (i >= n_verify) {
                sctl_fail("transaction error: %s%s%s", json_string_value(e),
                          d ? ": " : "", d ? d : "");
            }
            json_decref(*result);
            *result = NULL;
            return i < n_verify ? -EAGAIN : -ECANCELED;
        }
    }
    return 0;
}

int
sctl_transact(struct sctl_conn *c, json_t *ops, json_t **result)
{
    return transact_verified(c, ops, 0, result);
}

int
sctl_wait_notify(struct sctl_conn *c)
{
    unsigned long before = c->n_notify;
    while (c->n_notify == before) {
        json_t *msg;
        struct jsonrpc_msg m;
        int err = conn_recv(c, &msg, &m);
        if (err == -ETIMEDOUT) {
            sctl_fail("timed out after %d s waiting for the condition of "
                      "wait-until", c->timeout_s);
            return err;
        } else if (err) {
            report_error(c, "waiting for a change", err);
            return err;
        }
        json_decref(msg);
    }
    return 0;
}

int
sctl_choose_db(struct sctl_conn *c)
{
    json_t *dbs;
    int err = sctl_call(c, "list_dbs", json_array(), &dbs);
    if (err) {
        return err;
    }
    const char *pick = NULL;
    size_t i;
    json_t *name;
    json_array_foreach (dbs, i, name) {
        const char *s = json_string_value(name);
        if (s && !strcmp(s, DEFAULT_DB)) {
            pick = DEFAULT_DB;
            break;
        }
        if (s && !pick && strcmp(s, "_Server")) {
            pick = s;
        }
    }
    if (!pick) {
        sctl_fail("%s: the server has no database", c->name);
        json_decref(dbs);
        return -ENOENT;
    }
    if (strcmp(pick, DEFAULT_DB)) {
        /* Lives as long as the process: the commands are one-shot. */
        c->db_name = strdup(pick);
        if (!c->db_name) {
            abort();
        }
        c->wait_cfg = false;        /* No Open_vSwitch table there. */
    }
    json_decref(dbs);
    return 0;
}

/* ---- Waiting for the switch ------------------------------------------- */

/* Updates '*cur' from the cur_cfg of the rows in 'updates' (a
 * <table-updates> of the monitor).  Returns false if the Open_vSwitch row
 * was deleted. */
static bool
scan_cur_cfg(json_t *updates, json_int_t *cur)
{
    json_t *rows = json_object_get(updates, DEFAULT_DB);
    const char *uuid;
    json_t *ru;
    json_object_foreach (rows, uuid, ru) {
        json_t *new = json_object_get(ru, "new");
        if (!new) {
            return false;
        }
        json_t *v = json_object_get(new, "cur_cfg");
        if (json_is_integer(v)) {
            *cur = json_integer_value(v);
        }
    }
    return true;
}

/* Waits until Open_vSwitch:cur_cfg >= 'want'. */
static int
wait_cur_cfg(struct sctl_conn *c, json_int_t want)
{
    json_t *mon_id = json_string("sluicectl-cur-cfg");
    json_t *params = json_pack("[s, O, {s:{s:[s]}}]", c->db_name, mon_id,
                               DEFAULT_DB, "columns", "cur_cfg");
    json_t *initial;
    json_int_t cur = -1;
    int err = sctl_call(c, "monitor", params, &initial);
    if (!err) {
        bool alive = scan_cur_cfg(initial, &cur);
        json_decref(initial);
        while (alive && cur < want) {
            json_t *msg;
            struct jsonrpc_msg m;
            err = conn_recv(c, &msg, &m);
            if (err) {
                break;
            }
            if (m.type == JSONRPC_NOTIFY && !strcmp(m.method, "update")
                && json_equal(json_array_get(m.params, 0), mon_id)) {
                alive = scan_cur_cfg(json_array_get(m.params, 1), &cur);
            }
            json_decref(msg);
        }
        if (!err && !alive) {
            sctl_fail("the Open_vSwitch row was deleted while waiting for "
                      "the switch to apply the change");
            err = -ECANCELED;
        }
    }
    json_decref(mon_id);
    if (err == -ETIMEDOUT) {
        sctl_fail("timed out after %d s waiting for the switch to apply the "
                  "change (Open_vSwitch cur_cfg %" JSON_INTEGER_FORMAT
                  ", want %" JSON_INTEGER_FORMAT "); the change itself is "
                  "committed", c->timeout_s, cur, want);
    } else if (err && err != -ECANCELED) {
        report_error(c, "waiting for cur_cfg", err);
        err = -EPROTO;
    }
    return err;
}

int
sctl_commit(struct sctl_conn *c, json_t *ops, json_t **result)
{
    return sctl_commit_verified(c, ops, 0, result);
}

int
sctl_commit_verified(struct sctl_conn *c, json_t *ops, size_t n_verify,
                     json_t **result)
{
    size_t n_ops = json_array_size(ops);
    if (c->comment) {
        json_array_append_new(ops, json_pack("{s:s, s:s}", "op", "comment",
                                             "comment", c->comment));
    }
    if (c->wait_cfg) {
        json_array_append_new(ops, json_pack(
            "{s:s, s:s, s:[], s:[[s, s, i]]}", "op", "mutate",
            "table", DEFAULT_DB, "where", "mutations",
            "next_cfg", "+=", 1));
        json_array_append_new(ops, json_pack(
            "{s:s, s:s, s:[], s:[s]}", "op", "select", "table", DEFAULT_DB,
            "where", "columns", "next_cfg"));
    }
    json_t *res;
    int err = transact_verified(c, ops, n_verify, &res);
    if (err) {
        if (result) {
            *result = NULL;
        }
        return err;
    }
    json_t *row = json_array_get(json_object_get(
        json_array_get(res, json_array_size(res) - 1), "rows"), 0);
    json_t *next = c->wait_cfg ? json_object_get(row, "next_cfg") : NULL;
    json_int_t want = json_integer_value(next);
    bool wait = json_is_integer(next);
    if (result) {
        /* Only the results of the caller's operations. */
        while (json_array_size(res) > n_ops) {
            json_array_remove(res, json_array_size(res) - 1);
        }
        *result = res;
    } else {
        json_decref(res);
    }
    /* No Open_vSwitch row: nothing to wait for (like ovs-vsctl). */
    return wait ? wait_cur_cfg(c, want) : 0;
}
