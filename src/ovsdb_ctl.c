/* ovsdb_ctl: control-socket commands of the OVSDB server. */
#include "src/ovsdb_ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/server.h"
#include "src/util/ctl.h"
#include "src/util/dstr.h"
#include "src/util/scan.h"
#include "src/util/stream.h"

/* The remotes opened here, by name. */
struct ctl_remote {
    char *name;
    struct ovsdb_remote *remote;
};

static struct {
    struct ovsdb_server *srv;
    struct stream_ssl_ctx *ssl;
    struct ctl_remote *v;
    size_t n;
} rm;

static struct ctl_remote *
find_remote(const char *name)
{
    for (size_t i = 0; i < rm.n; i++) {
        if (!strcmp(rm.v[i].name, name)) {
            return &rm.v[i];
        }
    }
    return NULL;
}

static int
open_remote(struct ovsdb_server *srv, struct stream_ssl_ctx *ssl,
            const char *name, struct ovsdb_remote **r, char *err,
            size_t err_size)
{
    struct ovsdb_remote_opts opts = {
        .probe_ms = OVSDB_PROBE_DEFAULT,
        .ssl = ssl,
    };
    return ovsdb_server_open_remote(srv, name, &opts, r, err, err_size);
}

int
ovsdb_ctl_add_remote(struct ovsdb_server *srv, struct stream_ssl_ctx *ssl,
                     const char *name, char *err, size_t err_size)
{
    if (find_remote(name)) {
        return 0;               /* A set of remotes, as ovsdb-server's. */
    }
    struct ctl_remote *v = realloc(rm.v, (rm.n + 1) * sizeof *v);
    if (!v) {
        snprintf(err, err_size, "out of memory");
        return -ENOMEM;
    }
    rm.v = v;
    struct ovsdb_remote *r;
    int error = open_remote(srv, ssl, name, &r, err, err_size);
    if (error) {
        return error;
    }
    rm.v[rm.n].name = xasprintf("%s", name);
    rm.v[rm.n].remote = r;
    rm.n++;
    return 0;
}

void
ovsdb_ctl_close_remotes(void)
{
    for (size_t i = 0; i < rm.n; i++) {
        if (rm.v[i].remote) {
            ovsdb_server_close_remote(rm.srv, rm.v[i].remote);
        }
        free(rm.v[i].name);
    }
    free(rm.v);
    rm.v = NULL;
    rm.n = 0;
}

static int
cmd_add_remote(int argc, const char *argv[], struct dstr *reply, void *srv)
{
    char err[STREAM_ERR_LEN];
    (void) argc;
    int error = ovsdb_ctl_add_remote(srv, rm.ssl, argv[1], err, sizeof err);
    if (error) {
        dstr_printf(reply, "%s\n", err);
    }
    return error;
}

static int
cmd_remove_remote(int argc, const char *argv[], struct dstr *reply,
                  void *srv)
{
    (void) argc;
    struct ctl_remote *r = find_remote(argv[1]);
    if (!r) {
        dstr_put(reply, "no such remote\n");
        return -ENOENT;
    }
    if (r->remote) {
        ovsdb_server_close_remote(srv, r->remote);
    }
    free(r->name);
    *r = rm.v[--rm.n];
    return 0;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static int
cmd_list_remotes(int argc, const char *argv[], struct dstr *reply,
                 void *srv)
{
    (void) argc;
    (void) argv;
    (void) srv;
    const char **names = malloc((rm.n + 1) * sizeof *names);
    if (!names) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < rm.n; i++) {
        names[i] = rm.v[i].name;
    }
    qsort(names, rm.n, sizeof *names, cmp_names);
    for (size_t i = 0; i < rm.n; i++) {
        dstr_printf(reply, "%s\n", names[i]);
    }
    free(names);
    return 0;
}

/* Drops the sessions of every remote and opens each again (active ones
 * connect again at once). */
static int
cmd_reconnect(int argc, const char *argv[], struct dstr *reply, void *srv)
{
    int result = 0;
    (void) argc;
    (void) argv;
    for (size_t i = 0; i < rm.n; i++) {
        char err[STREAM_ERR_LEN];
        if (rm.v[i].remote) {
            ovsdb_server_close_remote(srv, rm.v[i].remote);
            rm.v[i].remote = NULL;
        }
        int error = open_remote(srv, rm.ssl, rm.v[i].name, &rm.v[i].remote,
                                err, sizeof err);
        if (error) {
            rm.v[i].remote = NULL;
            dstr_printf(reply, "%s\n", err);
            result = error;
        }
    }
    return result;
}

static int
cmd_list_dbs(int argc, const char *argv[], struct dstr *reply, void *srv)
{
    (void) argc;
    (void) argv;
    size_t n = ovsdb_server_n_dbs(srv);
    const char **names = malloc((n + 1) * sizeof *names);
    if (!names) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        names[i] = ovsdb_server_db_name(srv, i);
    }
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        dstr_printf(reply, "%s\n", names[i]);
    }
    dstr_put(reply, "_Server\n");
    free(names);
    return 0;
}

static int
cmd_compact(int argc, const char *argv[], struct dstr *reply, void *srv)
{
    const char *db = argc > 1 ? argv[1] : NULL;
    if (db && !strcmp(db, "_Server")) {
        dstr_put(reply, "cannot compact built-in databases\n");
        return -EINVAL;         /* ovsdb-server's words, here and below. */
    }
    int error = ovsdb_server_compact(srv, db);
    if (error == -ENOENT) {
        dstr_put(reply, "no database by that name\n");
    } else if (error == -EBUSY) {
        dstr_put(reply, "compaction already in progress\n");
    } else if (error) {
        dstr_printf(reply, "cannot compact: %s\n", strerror(-error));
    }
    return error;
}

static int
cmd_set_compact_policy(int argc, const char *argv[], struct dstr *reply,
                       void *srv)
{
    uint64_t factor, min;
    (void) argc;
    if (scan_uint(argv[1], 10, 1000, &factor) || !factor
        || scan_uint(argv[2], 10, INT64_MAX, &min)) {
        dstr_put(reply, "usage: FACTOR (1-1000) MIN-BYTES (>= 0)\n");
        return -EINVAL;
    }
    ovsdb_server_set_compact_policy(srv, (unsigned int) factor, (off_t) min);
    return 0;
}

/* As ovsdb-server's: clients fall back to "monitor". */
static int
cmd_disable_monitor_cond(int argc, const char *argv[], struct dstr *reply,
                         void *srv)
{
    (void) argc;
    (void) argv;
    (void) reply;
    ovsdb_server_disable_monitor_cond(srv);
    return 0;
}

/* ovsdb-server/set-stall-timeout MS: how long a client may take nothing
 * we send before it is dropped (0: the default, 60 s). */
static int
cmd_set_stall_timeout(int argc, const char *argv[], struct dstr *reply,
                      void *srv)
{
    uint64_t ms;
    (void) argc;
    if (scan_uint(argv[1], 10, UINT64_MAX - 1, &ms)) {
        dstr_put(reply, "usage: MILLISECONDS (0: the default, 60000)\n");
        return -EINVAL;
    }
    ovsdb_server_set_stall_timeout(srv, ms);
    return 0;
}

void
ovsdb_ctl_register(struct ovsdb_server *srv, struct stream_ssl_ctx *ssl)
{
    rm.srv = srv;
    rm.ssl = ssl;
    ctl_register("ovsdb-server/compact", "[DB]", 0, 1, cmd_compact, srv);
    ctl_register("ovsdb-server/set-compact-policy", "FACTOR MIN-BYTES", 2,
                 2, cmd_set_compact_policy, srv);
    ctl_register("ovsdb-server/add-remote", "REMOTE", 1, 1, cmd_add_remote,
                 srv);
    ctl_register("ovsdb-server/remove-remote", "REMOTE", 1, 1,
                 cmd_remove_remote, srv);
    ctl_register("ovsdb-server/list-remotes", "", 0, 0, cmd_list_remotes,
                 srv);
    ctl_register("ovsdb-server/reconnect", "", 0, 0, cmd_reconnect, srv);
    ctl_register("ovsdb-server/list-dbs", "", 0, 0, cmd_list_dbs, srv);
    ctl_register("ovsdb-server/set-stall-timeout", "MS", 1, 1,
                 cmd_set_stall_timeout, srv);
    ctl_register("ovsdb-server/disable-monitor-cond", "", 0, 0,
                 cmd_disable_monitor_cond, srv);
}
