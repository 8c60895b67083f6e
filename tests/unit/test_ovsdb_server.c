/* Unit tests of ovsdb/server (and ovsdb/monitor): a server on a loop with
 * a database in a temporary directory, driven by raw JSON-RPC clients on
 * its punix socket. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "ovsdb/db.h"
#include "ovsdb/log.h"
#include "ovsdb/server.h"
#include "ovsdb/txn.h"
#include "src/util/loop.h"

static const char *const SCHEMA =
    "{\"name\": \"T\", \"version\": \"1.0.0\", \"tables\": {"
    " \"A\": {\"columns\": {"
    "   \"n\": {\"type\": {\"key\": {\"type\": \"integer\","
    "                               \"maxInteger\": 10}}},"
    "   \"s\": {\"type\": \"string\"},"
    "   \"tags\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "                          \"max\": \"unlimited\"}},"
    "   \"m\": {\"type\": {\"key\": \"string\", \"value\": \"string\","
    "                       \"min\": 0, \"max\": \"unlimited\"}}},"
    "  \"isRoot\": true}}}";

struct fx {
    char dir[64];
    char db[96];
    char sock[96];
    struct loop *loop;
    struct ovsdb_server *srv;
};

struct client {
    int fd;
    char buf[65536];
    size_t len;
    json_t *notes;              /* Notifications received, in order. */
    int next_id;
};

static void
start_server(struct fx *f)
{
    char *why = NULL;
    char err[256];
    f->srv = ovsdb_server_create(f->loop);
    assert_non_null(f->srv);
    assert_int_equal(ovsdb_server_open_db(f->srv, f->db, &why), 0);
    char remote[128];
    snprintf(remote, sizeof remote, "punix:%s", f->sock);
    assert_int_equal(ovsdb_server_add_remote(f->srv, remote, NULL, err,
                                             sizeof err), 0);
}

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/test_ovsdb_server.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    snprintf(f->sock, sizeof f->sock, "%s/db.sock", f->dir);
    json_t *schema = json_loads(SCHEMA, 0, NULL);
    struct ovsdb_log *log;
    assert_int_equal(ovsdb_log_create(f->db, schema, &log, NULL), 0);
    ovsdb_log_close(log);
    json_decref(schema);
    f->loop = loop_create();
    start_server(f);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];
    ovsdb_server_destroy(f->srv);
    loop_destroy(f->loop);
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static struct client *
client_open(struct fx *f)
{
    struct client *c = calloc(1, sizeof *c);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    strcpy(sun.sun_path, f->sock);
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(connect(c->fd, (struct sockaddr *) &sun, sizeof sun), 0);
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    c->notes = json_array();
    loop_run_once(f->loop, 5);      /* Accept. */
    return c;
}

static void
client_close(struct client *c)
{
    close(c->fd);
    json_decref(c->notes);
    free(c);
}

static void
client_send_raw(struct client *c, const char *s)
{
    assert_int_equal(write(c->fd, s, strlen(s)), (ssize_t) strlen(s));
}

/* Next message, or NULL after ~2 s (or if the server closed). */
static json_t *
client_recv(struct fx *f, struct client *c)
{
    for (int i = 0; i < 400; i++) {
        if (c->len) {
            json_error_t e;
            json_t *j = json_loadb(c->buf, c->len, JSON_DISABLE_EOF_CHECK,
                                   &e);
            if (j) {
                memmove(c->buf, c->buf + e.position, c->len - e.position);
                c->len -= e.position;
                return j;
            }
        }
        loop_run_once(f->loop, 5);
        ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
        if (n == 0) {
            return NULL;
        }
        if (n > 0) {
            c->len += (size_t) n;
        }
    }
    return NULL;
}

/* Sends a request; returns its reply (notifications go to c->notes). */
static json_t *
client_call(struct fx *f, struct client *c, const char *method,
            const char *params)
{
    int id = c->next_id++;
    char *text;
    assert_true(asprintf(&text, "{\"method\":\"%s\",\"params\":%s,"
                         "\"id\":%d}", method, params, id) > 0);
    client_send_raw(c, text);
    free(text);
    for (;;) {
        json_t *m = client_recv(f, c);
        assert_non_null(m);
        if (json_integer_value(json_object_get(m, "id")) == id
            && !json_object_get(m, "method")) {
            return m;
        }
        json_array_append_new(c->notes, m);
    }
}

static void
assert_json(const json_t *got, const char *want_text)
{
    json_t *want = json_loads(want_text, JSON_DECODE_ANY, NULL);
    assert_non_null(want);
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_SORT_KEYS);
        fail_msg("got %s, want %s", g, want_text);
    }
    json_decref(want);
}

static void
test_methods(void **state)
{
    struct fx *f = *state;
    struct client *c = client_open(f);
    json_t *r;

    r = client_call(f, c, "list_dbs", "[]");
    assert_json(json_object_get(r, "result"), "[\"T\", \"_Server\"]");
    json_decref(r);
    r = client_call(f, c, "get_schema", "[\"T\"]");
    assert_string_equal(json_string_value(json_object_get(
        json_object_get(r, "result"), "name")), "T");
    json_decref(r);
    r = client_call(f, c, "get_schema", "[\"X\"]");
    assert_string_equal(json_string_value(json_object_get(
        json_object_get(r, "error"), "error")), "unknown database");
    json_decref(r);
    r = client_call(f, c, "transact", "[\"X\"]");
    assert_string_equal(json_string_value(json_object_get(
        json_object_get(r, "error"), "error")), "unknown database");
    json_decref(r);
    r = client_call(f, c, "frobnicate", "[]");
    assert_json(json_object_get(r, "error"), "\"unknown method\"");
    json_decref(r);
    r = client_call(f, c, "echo", "[1, \"x\"]");
    assert_json(json_object_get(r, "result"), "[1, \"x\"]");
    json_decref(r);
    client_close(c);
}

static void
test_transact_journal(void **state)
{
    struct fx *f = *state;
    struct client *c = client_open(f);
    json_t *r;

    r = client_call(f, c, "transact", "[\"T\", {\"op\": \"insert\", "
                    "\"table\": \"A\", \"row\": {\"n\": 1, \"s\": \"x\"}},"
                    "{\"op\": \"commit\", \"durable\": true}]");
    assert_int_equal(json_array_size(json_object_get(r, "result")), 2);
    assert_json(json_array_get(json_object_get(r, "result"), 1), "{}");
    json_decref(r);
    r = client_call(f, c, "transact", "[\"T\", {\"op\": \"insert\", "
                    "\"table\": \"A\", \"row\": {\"n\": 11}}]");
    assert_string_equal(json_string_value(json_object_get(json_array_get(
        json_object_get(r, "result"), 0), "error")), "constraint violation");
    json_decref(r);
    client_close(c);

    /* A new server on the same file finds the row. */
    ovsdb_server_destroy(f->srv);
    start_server(f);
    struct ovsdb_db *db = ovsdb_server_find_db(f->srv, "T");
    assert_non_null(db);
    assert_int_equal(ovsdb_table_n_rows(ovsdb_db_find_table(db, "A")), 1);
    assert_null(ovsdb_server_find_db(f->srv, "X"));
}

static void
test_blocked_wait(void **state)
{
    struct fx *f = *state;
    struct client *w = client_open(f);
    struct client *c = client_open(f);
    json_t *r;

    client_send_raw(w, "{\"method\":\"transact\",\"id\":77,\"params\":"
                    "[\"T\",{\"op\":\"wait\",\"table\":\"A\",\"where\":[],"
                    "\"columns\":[\"s\"],\"until\":\"==\","
                    "\"rows\":[{\"s\":\"go\"}],\"timeout\":5000}]}");
    for (int i = 0; i < 20; i++) {
        loop_run_once(f->loop, 5);
    }
    char b;
    assert_int_equal(read(w->fd, &b, 1), -1);   /* No reply yet. */
    r = client_call(f, c, "transact", "[\"T\", {\"op\": \"insert\", "
                    "\"table\": \"A\", \"row\": {\"s\": \"go\"}}]");
    json_decref(r);
    r = client_recv(f, w);
    assert_non_null(r);
    assert_int_equal(json_integer_value(json_object_get(r, "id")), 77);
    assert_json(json_object_get(r, "result"), "[{}]");
    json_decref(r);

    /* "cancel" answers a blocked transact with "canceled". */
    client_send_raw(w, "{\"method\":\"transact\",\"id\":78,\"params\":"
                    "[\"T\",{\"op\":\"wait\",\"table\":\"A\",\"where\":[],"
                    "\"columns\":[\"s\"],\"until\":\"==\","
                    "\"rows\":[],\"timeout\":5000}]}");
    for (int i = 0; i < 20; i++) {
        loop_run_once(f->loop, 5);
    }
    assert_int_equal(read(w->fd, &b, 1), -1);
    client_send_raw(w, "{\"method\":\"cancel\",\"id\":null,"
                    "\"params\":[78]}");
    r = client_recv(f, w);
    assert_non_null(r);
    assert_int_equal(json_integer_value(json_object_get(r, "id")), 78);
    assert_json(json_object_get(r, "error"), "\"canceled\"");
    json_decref(r);
    client_close(w);
    client_close(c);
}

static void
test_monitor(void **state)
{
    struct fx *f = *state;
    struct client *m = client_open(f);
    struct client *c = client_open(f);
    json_t *r;

    r = client_call(f, c, "transact", "[\"T\", {\"op\": \"insert\", "
                    "\"table\": \"A\", \"row\": {\"n\": 1, \"s\": \"a\"}}]");
    json_decref(r);
    r = client_call(f, m, "monitor", "[\"T\", \"id\", {\"A\": "
                    "{\"columns\": [\"n\"]}}]");
    json_t *init = json_object_get(json_object_get(r, "result"), "A");
    assert_int_equal(json_object_size(init), 1);
    const char *uuid = json_object_iter_key(json_object_iter(init));
    char *u = strdup(uuid);
    char want[256];
    snprintf(want, sizeof want, "{\"%s\": {\"new\": {\"n\": 1}}}", u);
    assert_json(init, want);
    json_decref(r);

    /* Modify of a column not monitored: no update; of "n": old + new. */
    r = client_call(f, c, "transact", "[\"T\", {\"op\": \"update\", "
                    "\"table\": \"A\", \"where\": [], \"row\": {\"s\": "
                    "\"b\"}}]");
    json_decref(r);
    r = client_call(f, c, "transact", "[\"T\", {\"op\": \"update\", "
                    "\"table\": \"A\", \"where\": [], \"row\": {\"n\": 2}}]");
    json_decref(r);
    r = client_call(f, m, "echo", "[]");
    json_decref(r);
    assert_int_equal(json_array_size(m->notes), 1);
    snprintf(want, sizeof want, "[\"id\", {\"A\": {\"%s\": {\"old\": "
             "{\"n\": 1}, \"new\": {\"n\": 2}}}}]", u);
    assert_json(json_object_get(json_array_get(m->notes, 0), "params"),
                want);

    r = client_call(f, c, "transact", "[\"T\", {\"op\": \"delete\", "
                    "\"table\": \"A\", \"where\": []}]");
    json_decref(r);
    r = client_call(f, m, "monitor_cancel", "[\"id\"]");
    assert_json(json_object_get(r, "result"), "{}");
    json_decref(r);
    assert_int_equal(json_array_size(m->notes), 2);
    snprintf(want, sizeof want, "[\"id\", {\"A\": {\"%s\": {\"old\": "
             "{\"n\": 2}}}}]", u);
    assert_json(json_object_get(json_array_get(m->notes, 1), "params"),
                want);
    r = client_call(f, m, "monitor_cancel", "[\"id\"]");
    assert_non_null(json_object_get(r, "error"));
    assert_false(json_is_null(json_object_get(r, "error")));
    json_decref(r);
    free(u);
    client_close(m);
    client_close(c);
}

/* The tag of the error of a reply, or of its first operation's result. */
static const char *
reply_error_tag(const json_t *r)
{
    const json_t *e = json_object_get(r, "error");
    if (json_is_null(e) || !e) {
        e = json_array_get(json_object_get(r, "result"), 0);
    }
    return json_string_value(json_object_get(e, "error"));
}

/* The next notification of 'c' (queued or read), with its method. */
static json_t *
client_next_note(struct fx *f, struct client *c)
{
    if (json_array_size(c->notes)) {
        json_t *m = json_incref(json_array_get(c->notes, 0));
        json_array_remove(c->notes, 0);
        return m;
    }
    return client_recv(f, c);
}

static void
assert_note(struct fx *f, struct client *c, const char *method,
            const char *params)
{
    json_t *m = client_next_note(f, c);
    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "method")),
                        method);
    assert_json(json_object_get(m, "params"), params);
    assert_true(json_is_null(json_object_get(m, "id")));
    json_decref(m);
}

static const char *const ASSERT_TXN =
    "[\"T\", {\"op\": \"assert\", \"lock\": \"L\"}, {\"op\": \"insert\", "
    "\"table\": \"A\", \"row\": {\"s\": \"x\"}}]";

static void
test_locks(void **state)
{
    struct fx *f = *state;
    struct client *a = client_open(f);
    struct client *b = client_open(f);
    json_t *r;

    r = client_call(f, a, "lock", "[\"L\"]");
    assert_json(json_object_get(r, "result"), "{\"locked\": true}");
    json_decref(r);
    r = client_call(f, a, "lock", "[\"L\"]");
    assert_string_equal(reply_error_tag(r), "syntax error");
    json_decref(r);
    r = client_call(f, b, "lock", "[\"L\"]");
    assert_json(json_object_get(r, "result"), "{\"locked\": false}");
    json_decref(r);
    r = client_call(f, b, "lock", "[]");
    assert_string_equal(reply_error_tag(r), "syntax error");
    json_decref(r);

    /* "assert" passes only for the owner. */
    r = client_call(f, b, "transact", ASSERT_TXN);
    assert_string_equal(reply_error_tag(r), "not owner");
    json_decref(r);
    r = client_call(f, a, "transact", ASSERT_TXN);
    assert_json(json_array_get(json_object_get(r, "result"), 0), "{}");
    assert_non_null(json_object_get(json_array_get(
        json_object_get(r, "result"), 1), "uuid"));
    json_decref(r);

    /* As ovsdb-server: a session in line must unlock before it steals;
     * when it leaves the line, the owner hears "locked" again. */
    r = client_call(f, b, "steal", "[\"L\"]");
    assert_string_equal(reply_error_tag(r), "syntax error");
    json_decref(r);
    r = client_call(f, b, "unlock", "[\"L\"]");
    assert_json(json_object_get(r, "result"), "{}");
    json_decref(r);
    assert_note(f, a, "locked", "[\"L\"]");

    /* "steal": b owns it, a is told and stays in line. */
    r = client_call(f, b, "steal", "[\"L\"]");
    assert_json(json_object_get(r, "result"), "{\"locked\": true}");
    json_decref(r);
    assert_note(f, a, "stolen", "[\"L\"]");
    r = client_call(f, a, "transact", ASSERT_TXN);
    assert_string_equal(reply_error_tag(r), "not owner");
    json_decref(r);
    r = client_call(f, b, "transact", ASSERT_TXN);
    assert_json(json_array_get(json_object_get(r, "result"), 0), "{}");
    json_decref(r);

    /* b unlocks: a gets it back with "locked". */
    r = client_call(f, b, "unlock", "[\"L\"]");
    assert_json(json_object_get(r, "result"), "{}");
    json_decref(r);
    assert_note(f, a, "locked", "[\"L\"]");
    r = client_call(f, b, "unlock", "[\"L\"]");
    assert_string_equal(reply_error_tag(r), "syntax error");
    json_decref(r);

    /* An owner that disconnects hands the lock to the next in line. */
    r = client_call(f, b, "lock", "[\"L\"]");
    assert_json(json_object_get(r, "result"), "{\"locked\": false}");
    json_decref(r);
    client_close(a);
    assert_note(f, b, "locked", "[\"L\"]");
    r = client_call(f, b, "transact", ASSERT_TXN);
    assert_json(json_array_get(json_object_get(r, "result"), 0), "{}");
    json_decref(r);

    /* Stealing a free lock, and locks that are independent. */
    struct client *c = client_open(f);
    r = client_call(f, c, "steal", "[\"M\"]");
    assert_json(json_object_get(r, "result"), "{\"locked\": true}");
    json_decref(r);
    r = client_call(f, c, "transact", ASSERT_TXN);
    assert_string_equal(reply_error_tag(r), "not owner");
    json_decref(r);
    client_close(c);
    client_close(b);
}

static void
test_server_db(void **state)
{
    struct fx *f = *state;
    struct client *c = client_open(f);
    struct client *m = client_open(f);
    json_t *r;

    /* get_server_id: a UUID, the same on every session. */
    r = client_call(f, c, "get_server_id", "[]");
    const char *id = json_string_value(json_object_get(r, "result"));
    assert_non_null(id);
    assert_int_equal(strlen(id), 36);
    json_t *r2 = client_call(f, m, "get_server_id", "[]");
    assert_string_equal(json_string_value(json_object_get(r2, "result")),
                        id);
    json_decref(r2);
    json_decref(r);

    r = client_call(f, c, "set_db_change_aware", "[true]");
    assert_json(json_object_get(r, "result"), "{}");
    json_decref(r);
    r = client_call(f, c, "set_db_change_aware", "[\"x\"]");
    assert_string_equal(reply_error_tag(r), "syntax error");
    json_decref(r);

    /* _Server: a schema, and a Database row per database. */
    r = client_call(f, c, "get_schema", "[\"_Server\"]");
    assert_non_null(json_object_get(json_object_get(json_object_get(
        json_object_get(r, "result"), "tables"), "Database"), "columns"));
    json_decref(r);
    /* As ovsdb-server, _Server lists itself too. */
    r = client_call(f, c, "transact", "[\"_Server\", {\"op\": \"select\", "
                    "\"table\": \"Database\", \"where\": [[\"name\", "
                    "\"==\", \"_Server\"]], \"columns\": [\"name\"]}]");
    assert_json(json_array_get(json_object_get(r, "result"), 0),
                "{\"rows\": [{\"name\": \"_Server\"}]}");
    json_decref(r);
    r = client_call(f, c, "transact", "[\"_Server\", {\"op\": \"select\", "
                    "\"table\": \"Database\", \"where\": [[\"name\", "
                    "\"==\", \"T\"]], \"columns\": "
                    "[\"name\", \"model\", \"connected\", \"leader\", "
                    "\"cid\", \"sid\", \"index\"]}]");
    assert_json(json_array_get(json_object_get(r, "result"), 0),
                "{\"rows\": [{\"name\": \"T\", \"model\": \"standalone\", "
                "\"connected\": true, \"leader\": true, \"cid\": "
                "[\"set\", []], \"sid\": [\"set\", []], \"index\": "
                "[\"set\", []]}]}");
    json_decref(r);
    r = client_call(f, c, "transact", "[\"_Server\", {\"op\": \"select\", "
                    "\"table\": \"Database\", \"where\": [[\"name\", "
                    "\"==\", \"T\"]], \"columns\": [\"schema\"]}]");
    const char *text = json_string_value(json_object_get(json_array_get(
        json_object_get(json_array_get(json_object_get(r, "result"), 0),
                        "rows"), 0), "schema"));
    assert_non_null(text);
    json_t *schema = json_loads(text, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(schema, "name")),
                        "T");
    assert_non_null(json_object_get(json_object_get(schema, "tables"), "A"));
    json_decref(schema);
    json_decref(r);

    /* Read-only. */
    r = client_call(f, c, "transact", "[\"_Server\", {\"op\": \"delete\", "
                    "\"table\": \"Database\", \"where\": []}]");
    assert_string_equal(reply_error_tag(r), "not allowed");
    json_decref(r);

    /* Monitor: the initial row; the database stays. */
    r = client_call(f, m, "monitor_cond", "[\"_Server\", null, "
                    "{\"Database\": [{\"columns\": [\"name\", \"leader\"], "
                    "\"where\": [[\"name\", \"==\", \"T\"]]}]}]");
    json_t *rows = json_object_get(json_object_get(r, "result"), "Database");
    assert_int_equal(json_object_size(rows), 1);
    json_t *row = json_object_iter_value(json_object_iter(rows));
    assert_json(row, "{\"initial\": {\"name\": \"T\", \"leader\": true}}");
    json_decref(r);
    r = client_call(f, c, "transact", "[\"_Server\", {\"op\": \"select\", "
                    "\"table\": \"Database\", \"where\": [], \"columns\": "
                    "[\"name\"], \"sort\": [\"name\"]}]");
    assert_json(json_array_get(json_object_get(r, "result"), 0),
                "{\"rows\": [{\"name\": \"T\"}, {\"name\": \"_Server\"}]}");
    json_decref(r);
    client_close(m);
    client_close(c);
}

/* The only row update of the only table in 'updates' (checked), with its
 * UUID in 'uuid'. */
static const json_t *
only_row_update(const json_t *updates, const char *table, char uuid[37])
{
    const json_t *t = json_object_get(updates, table);
    assert_int_equal(json_object_size(updates), 1);
    assert_int_equal(json_object_size(t), 1);
    void *it = json_object_iter((json_t *) t);
    if (uuid) {
        snprintf(uuid, 37, "%s", json_object_iter_key(it));
    }
    return json_object_iter_value(it);
}

static json_t *
transact(struct fx *f, struct client *c, const char *ops)
{
    char *params;
    assert_true(asprintf(&params, "[\"T\", %s]", ops) > 0);
    json_t *r = client_call(f, c, "transact", params);
    free(params);
    json_t *res = json_object_get(r, "result");
    for (size_t i = 0; i < json_array_size(res); i++) {
        assert_null(json_object_get(json_array_get(res, i), "error"));
    }
    return r;
}

static void
test_monitor_cond(void **state)
{
    struct fx *f = *state;
    struct client *m = client_open(f);
    struct client *c = client_open(f);
    char u1[37], u2[37];
    json_t *r;

    json_decref(transact(f, c, "{\"op\": \"insert\", \"table\": \"A\", "
                         "\"row\": {\"n\": 1, \"s\": \"a\", \"tags\": "
                         "[\"set\", [\"x\", \"y\"]], \"m\": [\"map\", "
                         "[[\"k1\", \"v1\"], [\"k2\", \"v2\"]]]}}"));
    json_decref(transact(f, c, "{\"op\": \"insert\", \"table\": \"A\", "
                         "\"row\": {\"n\": 2}}"));

    /* Initial: only rows matching one of the clauses; defaults left out. */
    r = client_call(f, m, "monitor_cond", "[\"T\", \"mc\", {\"A\": [{"
                    "\"columns\": [\"n\", \"s\", \"tags\", \"m\"], "
                    "\"where\": [[\"n\", \"==\", 2], [\"s\", \"==\", "
                    "\"zzz\"]]}]}]");
    assert_json(only_row_update(json_object_get(r, "result"), "A", u2),
                "{\"initial\": {\"n\": 2}}");
    json_decref(r);

    /* Condition change: row 1 comes in as "insert", row 2 leaves. */
    r = client_call(f, m, "monitor_cond_change", "[\"mc\", \"mc2\", {\"A\": "
                    "[{\"where\": [[\"n\", \"==\", 1]]}]}]");
    assert_json(json_object_get(r, "result"), "{}");
    assert_int_equal(json_array_size(m->notes), 1);
    json_t *n = json_array_get(m->notes, 0);
    assert_string_equal(json_string_value(json_object_get(n, "method")),
                        "update2");
    json_t *p = json_object_get(n, "params");
    assert_json(json_array_get(p, 0), "\"mc2\"");
    json_t *ups = json_object_get(json_array_get(p, 1), "A");
    assert_int_equal(json_object_size(ups), 2);
    assert_json(json_object_get(ups, u2), "{\"delete\": null}");
    json_object_del(ups, u2);
    assert_json(only_row_update(json_array_get(p, 1), "A", u1),
                "{\"insert\": {\"n\": 1, \"s\": \"a\", \"tags\": [\"set\", "
                "[\"x\", \"y\"]], \"m\": [\"map\", [[\"k1\", \"v1\"], "
                "[\"k2\", \"v2\"]]]}}");
    json_array_clear(m->notes);
    json_decref(r);
    r = client_call(f, m, "monitor_cond_change", "[\"nope\", \"x\", {}]");
    assert_string_equal(reply_error_tag(r), "syntax error");
    json_decref(r);

    /* Modify: only the changed columns, sets and maps as differences. */
    json_decref(transact(f, c, "{\"op\": \"update\", \"table\": \"A\", "
                         "\"where\": [[\"n\", \"==\", 1]], \"row\": {\"s\": "
                         "\"b\", \"tags\": [\"set\", [\"y\", \"z\"]], \"m\": "
                         "[\"map\", [[\"k2\", \"v2b\"], [\"k3\", "
                         "\"v3\"]]]}}"));
    r = client_call(f, m, "echo", "[]");
    json_decref(r);
    assert_int_equal(json_array_size(m->notes), 1);
    p = json_object_get(json_array_get(m->notes, 0), "params");
    assert_json(only_row_update(json_array_get(p, 1), "A", NULL),
                "{\"modify\": {\"s\": \"b\", \"tags\": [\"set\", [\"x\", "
                "\"z\"]], \"m\": [\"map\", [[\"k1\", \"v1\"], [\"k2\", "
                "\"v2b\"], [\"k3\", \"v3\"]]]}}");
    json_array_clear(m->notes);

    /* A change to an unmatched row is not sent; leaving the condition is
     * a "delete". */
    json_decref(transact(f, c, "{\"op\": \"update\", \"table\": \"A\", "
                         "\"where\": [[\"n\", \"==\", 2]], \"row\": {\"s\": "
                         "\"q\"}}"));
    json_decref(transact(f, c, "{\"op\": \"update\", \"table\": \"A\", "
                         "\"where\": [[\"n\", \"==\", 1]], \"row\": {\"n\": "
                         "3}}"));
    r = client_call(f, m, "echo", "[]");
    json_decref(r);
    assert_int_equal(json_array_size(m->notes), 1);
    p = json_object_get(json_array_get(m->notes, 0), "params");
    assert_json(only_row_update(json_array_get(p, 1), "A", NULL),
                "{\"delete\": null}");
    json_array_clear(m->notes);

    r = client_call(f, m, "monitor_cancel", "[\"mc2\"]");
    assert_json(json_object_get(r, "result"), "{}");
    json_decref(r);
    r = client_call(f, m, "monitor_cond", "[\"T\", \"bad\", {\"A\": [{"
                    "\"where\": [[\"nope\", \"==\", 2]]}]}]");
    assert_non_null(reply_error_tag(r));
    json_decref(r);
    client_close(m);
    client_close(c);
}

static void
test_monitor_cond_since(void **state)
{
    struct fx *f = *state;
    struct client *m = client_open(f);
    struct client *c = client_open(f);
    json_t *r;

    /* Nothing committed yet: the zero id, not found. */
    r = client_call(f, m, "monitor_cond_since", "[\"T\", \"s1\", {\"A\": "
                    "[{\"columns\": [\"n\"]}]}, "
                    "\"00000000-0000-0000-0000-000000000000\"]");
    assert_json(json_object_get(r, "result"),
                "[false, \"00000000-0000-0000-0000-000000000000\", {}]");
    json_decref(r);

    json_decref(transact(f, c, "{\"op\": \"insert\", \"table\": \"A\", "
                         "\"row\": {\"n\": 4}}"));
    r = client_call(f, m, "echo", "[]");
    json_decref(r);
    assert_int_equal(json_array_size(m->notes), 1);
    json_t *n = json_array_get(m->notes, 0);
    assert_string_equal(json_string_value(json_object_get(n, "method")),
                        "update3");
    json_t *p = json_object_get(n, "params");
    assert_json(json_array_get(p, 0), "\"s1\"");
    char *txn = strdup(json_string_value(json_array_get(p, 1)));
    assert_int_equal(strlen(txn), 36);
    assert_string_not_equal(txn, "00000000-0000-0000-0000-000000000000");
    assert_json(only_row_update(json_array_get(p, 2), "A", NULL),
                "{\"insert\": {\"n\": 4}}");

    /* The latest id: found, nothing resent. */
    char params[256];
    snprintf(params, sizeof params, "[\"T\", \"s2\", {\"A\": [{}]}, "
             "\"%s\"]", txn);
    r = client_call(f, m, "monitor_cond_since", params);
    json_t *res = json_object_get(r, "result");
    assert_true(json_is_true(json_array_get(res, 0)));
    assert_string_equal(json_string_value(json_array_get(res, 1)), txn);
    assert_json(json_array_get(res, 2), "{}");
    json_decref(r);

    /* An older or unknown id: not found, everything as initial. */
    r = client_call(f, m, "monitor_cond_since", "[\"T\", \"s3\", {\"A\": "
                    "[{\"columns\": [\"n\"]}]}, "
                    "\"11111111-1111-1111-1111-111111111111\"]");
    res = json_object_get(r, "result");
    assert_true(json_is_false(json_array_get(res, 0)));
    assert_string_equal(json_string_value(json_array_get(res, 1)), txn);
    assert_json(only_row_update(json_array_get(res, 2), "A", NULL),
                "{\"initial\": {\"n\": 4}}");
    json_decref(r);
    r = client_call(f, m, "monitor_cond_since", "[\"T\", \"s4\", {}]");
    assert_string_equal(reply_error_tag(r), "syntax error");
    json_decref(r);
    free(txn);
    client_close(m);
    client_close(c);
}

/* Commit callback that counts the commits it saw. */
static void
count_commits(struct ovsdb_db *db, const struct ovsdb_commit *c, void *n_)
{
    (void) db;
    (void) c;
    (*(int *) n_)++;
}

/* The values of column n in table A, sorted, as a JSON array text. */
static char *
select_n(struct fx *f, struct client *c)
{
    json_t *r = client_call(f, c, "transact", "[\"T\", {\"op\": \"select\","
                            " \"table\": \"A\", \"where\": [], "
                            "\"columns\": [\"n\"]}]");
    json_t *rows = json_object_get(json_array_get(json_object_get(r,
                                                  "result"), 0), "rows");
    assert_non_null(rows);
    long long v[16];
    size_t n = json_array_size(rows);
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++) {
        v[i] = json_integer_value(json_object_get(json_array_get(rows, i),
                                                  "n"));
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            long long t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    }
    char *text = calloc(1, 16 * 24 + 3);
    strcat(text, "[");
    for (size_t i = 0; i < n; i++) {
        sprintf(text + strlen(text), "%s%lld", i ? "," : "", v[i]);
    }
    strcat(text, "]");
    json_decref(r);
    return text;
}

static void
assert_select_n(struct fx *f, struct client *c, const char *want)
{
    char *got = select_n(f, c);
    assert_string_equal(got, want);
    free(got);
}

/* The last element of a transact reply's result must be an "I/O error". */
static void
assert_io_error(const json_t *r)
{
    json_t *res = json_object_get(r, "result");
    json_t *last = json_array_get(res, json_array_size(res) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "error")),
                        "I/O error");
}

/* A journal that cannot be written refuses the transaction: it is rolled
 * back in memory, no monitor or commit callback sees it, the client gets
 * an "I/O error", and the session and reads go on.  A failed fsync fails
 * the durable commit that waited for it and every later write. */
static void
test_journal_failure(void **state)
{
    struct fx *f = *state;
    struct client *m = client_open(f);
    struct client *c = client_open(f);
    struct ovsdb_db *db = ovsdb_server_find_db(f->srv, "T");
    int n_commits = 0;
    json_t *r;

    assert_int_equal(ovsdb_db_add_commit_cb(db, count_commits, &n_commits),
                     0);
    r = client_call(f, m, "monitor_cond", "[\"T\", \"m\", {\"A\": "
                    "[{\"columns\": [\"n\"]}]}]");
    json_decref(r);
    json_decref(transact(f, c, "{\"op\": \"insert\", \"table\": \"A\", "
                         "\"row\": {\"n\": 1}}"));
    json_decref(client_call(f, m, "echo", "[]"));
    assert_int_equal(json_array_size(m->notes), 1);
    assert_int_equal(n_commits, 1);

    /* write() fails (after writing half the record). */
    ovsdb_log_inject_fault(OVSDB_LOG_FAULT_WRITE, -ENOSPC, 1);
    r = client_call(f, c, "transact", "[\"T\", {\"op\": \"insert\", "
                    "\"table\": \"A\", \"row\": {\"n\": 2}}, "
                    "{\"op\": \"update\", \"table\": \"A\", \"where\": "
                    "[[\"n\", \"==\", 1]], \"row\": {\"s\": \"changed\"}}]");
    assert_io_error(r);
    assert_int_equal(json_array_size(json_object_get(r, "result")), 3);
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(
        json_object_get(r, "result"), 2), "details")),
        "No space left on device"));
    json_decref(r);
    assert_select_n(f, c, "[1]");
    r = client_call(f, c, "transact", "[\"T\", {\"op\": \"select\", "
                    "\"table\": \"A\", \"where\": [], \"columns\": [\"s\"]}]");
    assert_json(json_object_get(r, "result"), "[{\"rows\": [{\"s\": \"\"}]}]");
    json_decref(r);
    json_decref(client_call(f, m, "echo", "[]"));
    assert_int_equal(json_array_size(m->notes), 1);     /* Nothing new. */
    assert_int_equal(n_commits, 1);

    /* A local transaction is refused the same way. */
    ovsdb_log_inject_fault(OVSDB_LOG_FAULT_WRITE, -EIO, 1);
    json_t *ops = json_loads("[{\"op\": \"insert\", \"table\": \"A\", "
                             "\"row\": {\"n\": 7}}]", 0, NULL);
    json_t *err = ovsdb_txn_local(db, ops, NULL);
    assert_non_null(err);
    assert_string_equal(json_string_value(json_object_get(err, "error")),
                        "I/O error");
    json_decref(err);
    json_decref(ops);
    assert_int_equal(n_commits, 1);

    /* The cut-off write left the file clean: the next one goes in. */
    json_decref(transact(f, c, "{\"op\": \"insert\", \"table\": \"A\", "
                         "\"row\": {\"n\": 3}}"));
    assert_int_equal(n_commits, 2);
    assert_select_n(f, c, "[1,3]");

    /* fdatasync() fails: the durable commit gets an "I/O error", and the
     * journal refuses every later write, while reads go on. */
    ovsdb_log_inject_fault(OVSDB_LOG_FAULT_SYNC, -EIO, 1);
    r = client_call(f, c, "transact", "[\"T\", {\"op\": \"insert\", "
                    "\"table\": \"A\", \"row\": {\"n\": 4}}, "
                    "{\"op\": \"commit\", \"durable\": true}]");
    assert_io_error(r);
    json_decref(r);
    ovsdb_log_inject_fault(OVSDB_LOG_FAULT_SYNC, 0, 0);
    int before = n_commits;
    r = client_call(f, c, "transact", "[\"T\", {\"op\": \"insert\", "
                    "\"table\": \"A\", \"row\": {\"n\": 5}}]");
    assert_io_error(r);
    json_decref(r);
    assert_int_equal(n_commits, before);
    char *rows = select_n(f, c);
    assert_null(strstr(rows, "5"));
    free(rows);
    r = client_call(f, m, "list_dbs", "[]");
    assert_json(json_object_get(r, "result"), "[\"T\", \"_Server\"]");
    json_decref(r);
    assert_int_equal(ovsdb_server_n_sessions(f->srv), 2);
    ovsdb_db_remove_commit_cb(db, count_commits, &n_commits);
    client_close(m);
    client_close(c);

    /* On restart, the refused transactions are not there and the file
     * ended cleanly. */
    ovsdb_server_destroy(f->srv);
    struct ovsdb_log *log;
    json_t *rec;
    assert_int_equal(ovsdb_log_open(f->db, OVSDB_LOG_READ_ONLY, &log, NULL),
                     0);
    int n_records = 0;
    while (!ovsdb_log_read(log, &rec) && rec) {
        char *text = json_dumps(rec, JSON_COMPACT);
        assert_null(strstr(text, "\"n\":2"));
        assert_null(strstr(text, "\"n\":7"));
        assert_null(strstr(text, "\"n\":5"));
        free(text);
        json_decref(rec);
        n_records++;
    }
    assert_null(ovsdb_log_tail_error(log, NULL));
    ovsdb_log_close(log);
    assert_true(n_records >= 2);
    start_server(f);
    c = client_open(f);
    rows = select_n(f, c);
    assert_true(!strcmp(rows, "[1,3]") || !strcmp(rows, "[1,3,4]"));
    free(rows);
    client_close(c);
}

static struct client *
client_from_fd(int fd)
{
    struct client *c = calloc(1, sizeof *c);
    c->fd = fd;
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    c->notes = json_array();
    return c;
}

static struct client *
client_connect(struct fx *f, const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(connect(fd, (struct sockaddr *) &sun, sizeof sun), 0);
    loop_run_once(f->loop, 5);
    return client_from_fd(fd);
}

/* Runs the loop for about 'ms'; 'answer' (may be NULL) replies to the
 * echo requests it gets; returns false if 'watch' (may be NULL) was
 * closed by the server meanwhile. */
static bool
run_for(struct fx *f, uint64_t ms, struct client *answer,
        struct client *watch, int *n_echoes)
{
    uint64_t end = loop_now_ms() + ms;
    bool open = true;
    while (loop_now_ms() < end) {
        loop_run_once(f->loop, 10);
        if (answer) {
            char buf[4096];
            ssize_t n = read(answer->fd, buf, sizeof buf - 1);
            if (n > 0) {
                buf[n] = '\0';
                if (strstr(buf, "\"echo\"")) {
                    (*n_echoes)++;
                    client_send_raw(answer, "{\"id\":\"echo\",\"result\":[],"
                                    "\"error\":null}");
                }
            }
        }
        if (watch && open) {
            char buf[4096];
            ssize_t n = read(watch->fd, buf, sizeof buf);
            if (n == 0) {
                open = false;
            } else if (n > 0) {
                watch->len += (size_t) n;   /* Count what it was sent. */
            }
        }
    }
    return open;
}

/* A remote's sessions are probed: a client that never answers is dropped
 * after two intervals, one that answers stays, and sessions of a remote
 * without a probe are left alone. */
static void
test_inactivity_probe(void **state)
{
    struct fx *f = *state;
    char err[256], name[128], path[100];
    struct ovsdb_remote *r;

    snprintf(path, sizeof path, "%s/probe.sock", f->dir);
    snprintf(name, sizeof name, "punix:%s", path);
    struct ovsdb_remote_opts opts = { .probe_ms = 200 };
    assert_int_equal(ovsdb_server_open_remote(f->srv, name, &opts, &r, err,
                                              sizeof err), 0);
    struct client *silent = client_connect(f, path);
    struct client *polite = client_connect(f, path);
    struct client *other = client_open(f);      /* db.sock: no probe. */
    struct ovsdb_remote_status st;
    ovsdb_remote_get_status(r, &st);
    assert_int_equal(st.n_connections, 2);
    assert_true(st.is_connected);
    assert_string_equal(st.state, "LISTENING");

    int n_echoes = 0;
    assert_false(run_for(f, 1500, polite, silent, &n_echoes));
    assert_true(silent->len > 0);       /* It was sent an echo first. */
    assert_true(n_echoes >= 2);
    ovsdb_remote_get_status(r, &st);
    assert_int_equal(st.n_connections, 1);
    assert_non_null(st.last_error);
    assert_non_null(strstr(st.last_error, "inactivity probe"));
    json_t *reply = client_call(f, polite, "list_dbs", "[]");
    assert_json(json_object_get(reply, "result"), "[\"T\", \"_Server\"]");
    json_decref(reply);
    reply = client_call(f, other, "list_dbs", "[]");
    json_decref(reply);
    assert_int_equal(ovsdb_server_n_sessions(f->srv), 2);

    /* Closing the remote closes its sessions, not the others. */
    ovsdb_server_close_remote(f->srv, r);
    assert_false(run_for(f, 100, NULL, polite, NULL));
    assert_int_equal(ovsdb_server_n_sessions(f->srv), 1);
    assert_int_equal(access(path, F_OK), -1);
    client_close(silent);
    client_close(polite);
    client_close(other);
}

/* An active remote connects out, serves OVSDB on the connection and
 * connects again after the peer closes it. */
static void
test_active_remote(void **state)
{
    struct fx *f = *state;
    char err[256], name[128];
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    struct ovsdb_remote *r;
    struct ovsdb_remote_status st;

    /* Nobody listens yet: it backs off and says why. */
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s/mgr.sock", f->dir);
    snprintf(name, sizeof name, "unix:%s", sun.sun_path);
    assert_int_equal(ovsdb_server_open_remote(f->srv, name, NULL, &r, err,
                                              sizeof err), 0);
    run_for(f, 50, NULL, NULL, NULL);
    ovsdb_remote_get_status(r, &st);
    assert_false(st.is_connected);
    assert_string_equal(st.state, "BACKOFF");
    assert_non_null(st.last_error);

    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    assert_int_equal(bind(lfd, (struct sockaddr *) &sun, sizeof sun), 0);
    assert_int_equal(listen(lfd, 4), 0);
    for (int round = 0; round < 2; round++) {
        int fd = -1;
        uint64_t end = loop_now_ms() + 5000;
        while (fd < 0 && loop_now_ms() < end) {
            loop_run_once(f->loop, 10);
            fd = accept(lfd, NULL, NULL);
        }
        assert_true(fd >= 0);
        struct client *c = client_from_fd(fd);
        json_t *reply = client_call(f, c, "list_dbs", "[]");
        assert_json(json_object_get(reply, "result"),
                    "[\"T\", \"_Server\"]");
        json_decref(reply);
        ovsdb_remote_get_status(r, &st);
        assert_true(st.is_connected);
        assert_string_equal(st.state, "ACTIVE");
        assert_int_equal(st.n_connections, 1);
        client_close(c);            /* It will connect again. */
        run_for(f, 50, NULL, NULL, NULL);
        ovsdb_remote_get_status(r, &st);
        assert_false(st.is_connected);
    }
    ovsdb_server_close_remote(f->srv, r);
    run_for(f, 1500, NULL, NULL, NULL);
    assert_true(accept(lfd, NULL, NULL) < 0);   /* No more attempts. */
    close(lfd);
}

/* Runs 'ops' on 'c'; returns the transaction id that monitor "w" of 'm'
 * (monitor_cond_since) was told in its update3 (a new string). */
static char *
transact_id(struct fx *f, struct client *c, struct client *m,
            const char *ops)
{
    json_decref(transact(f, c, ops));
    json_decref(client_call(f, m, "echo", "[]"));
    size_t n = json_array_size(m->notes);
    assert_true(n > 0);
    json_t *note = json_array_get(m->notes, n - 1);
    assert_string_equal(json_string_value(json_object_get(note, "method")),
                        "update3");
    char *id = strdup(json_string_value(json_array_get(
        json_object_get(note, "params"), 1)));
    json_array_clear(m->notes);
    return id;
}

/* monitor_cond_since with an id still in the history: found, and only
 * the net changes since then (update2 forms). */
static void
test_monitor_cond_since_history(void **state)
{
    struct fx *f = *state;
    struct client *m = client_open(f);
    struct client *c = client_open(f);
    char params[512], u1[37], u2[37];
    json_t *r, *res;

    r = client_call(f, m, "monitor_cond_since", "[\"T\", \"w\", {\"A\": "
                    "[{}]}, \"00000000-0000-0000-0000-000000000000\"]");
    json_decref(r);
    char *id1 = transact_id(f, c, m, "{\"op\": \"insert\", \"table\": "
                            "\"A\", \"row\": {\"n\": 1, \"s\": \"r1\"}}");
    char *id2 = transact_id(f, c, m, "{\"op\": \"insert\", \"table\": "
                            "\"A\", \"row\": {\"n\": 2, \"s\": \"r2\"}}");
    char *id3 = transact_id(f, c, m, "{\"op\": \"update\", \"table\": "
                            "\"A\", \"where\": [[\"s\", \"==\", \"r1\"]], "
                            "\"row\": {\"n\": 5}}");
    char *id4 = transact_id(f, c, m, "{\"op\": \"insert\", \"table\": "
                            "\"A\", \"row\": {\"n\": 3, \"s\": \"r3\"}}");
    char *id5 = transact_id(f, c, m, "{\"op\": \"delete\", \"table\": "
                            "\"A\", \"where\": [[\"s\", \"==\", \"r3\"]]}");
    /* A change of a column the monitor does not watch. */
    char *id6 = transact_id(f, c, m, "{\"op\": \"update\", \"table\": "
                            "\"A\", \"where\": [[\"s\", \"==\", \"r2\"]], "
                            "\"row\": {\"tags\": \"t\"}}");
    (void) id6;

    /* Since id1: row 2 inserted, row 1 modified; row 3 came and went. */
    snprintf(params, sizeof params, "[\"T\", \"a\", {\"A\": [{\"columns\": "
             "[\"n\"]}]}, \"%s\"]", id1);
    r = client_call(f, m, "monitor_cond_since", params);
    res = json_object_get(r, "result");
    assert_true(json_is_true(json_array_get(res, 0)));
    assert_string_equal(json_string_value(json_array_get(res, 1)), id6);
    json_t *rows = json_object_get(json_array_get(res, 2), "A");
    assert_int_equal(json_object_size(rows), 2);
    const char *k;
    json_t *v;
    bool seen_insert = false, seen_modify = false;
    json_object_foreach(rows, k, v) {
        if (json_object_get(v, "insert")) {
            assert_json(v, "{\"insert\": {\"n\": 2}}");
            snprintf(u2, sizeof u2, "%s", k);
            seen_insert = true;
        } else {
            assert_json(v, "{\"modify\": {\"n\": 5}}");
            snprintf(u1, sizeof u1, "%s", k);
            seen_modify = true;
        }
    }
    assert_true(seen_insert && seen_modify);
    assert_string_not_equal(u1, u2);
    json_decref(r);

    /* Since id4: row 3 deleted (it existed then); nothing else the
     * monitor sees. */
    snprintf(params, sizeof params, "[\"T\", \"b\", {\"A\": [{\"columns\": "
             "[\"n\"]}]}, \"%s\"]", id4);
    r = client_call(f, m, "monitor_cond_since", params);
    res = json_object_get(r, "result");
    assert_true(json_is_true(json_array_get(res, 0)));
    rows = json_object_get(json_array_get(res, 2), "A");
    assert_int_equal(json_object_size(rows), 1);
    json_object_foreach(rows, k, v) {
        assert_json(v, "{\"delete\": null}");
    }
    json_decref(r);

    /* Since id5: only the tags change, which this monitor ignores. */
    snprintf(params, sizeof params, "[\"T\", \"c\", {\"A\": [{\"columns\": "
             "[\"n\"]}]}, \"%s\"]", id5);
    r = client_call(f, m, "monitor_cond_since", params);
    res = json_object_get(r, "result");
    assert_true(json_is_true(json_array_get(res, 0)));
    assert_json(json_array_get(res, 2), "{}");
    json_decref(r);

    /* A condition applies to the changes too. */
    snprintf(params, sizeof params, "[\"T\", \"d\", {\"A\": [{\"columns\": "
             "[\"n\"], \"where\": [[\"n\", \"==\", 2]]}]}, \"%s\"]", id1);
    r = client_call(f, m, "monitor_cond_since", params);
    res = json_object_get(r, "result");
    assert_true(json_is_true(json_array_get(res, 0)));
    assert_json(only_row_update(json_array_get(res, 2), "A", NULL),
                "{\"insert\": {\"n\": 2}}");
    json_decref(r);

    /* Once more than the history's length has committed, id2 is gone:
     * not found, everything as initial. */
    for (int i = 0; i < 101; i++) {
        char tag[160];
        snprintf(tag, sizeof tag, "{\"op\": \"update\", \"table\": \"A\", "
                 "\"where\": [[\"s\", \"==\", \"r2\"]], \"row\": "
                 "{\"tags\": \"g%d\"}}", i);
        json_decref(transact(f, c, tag));
    }
    snprintf(params, sizeof params, "[\"T\", \"e\", {\"A\": [{\"columns\": "
             "[\"n\"]}]}, \"%s\"]", id2);
    r = client_call(f, m, "monitor_cond_since", params);
    res = json_object_get(r, "result");
    assert_true(json_is_false(json_array_get(res, 0)));
    rows = json_object_get(json_array_get(res, 2), "A");
    assert_int_equal(json_object_size(rows), 2);
    json_object_foreach(rows, k, v) {
        assert_non_null(json_object_get(v, "initial"));
    }
    json_decref(r);
    free(id1);
    free(id2);
    free(id3);
    free(id4);
    free(id5);
    free(id6);
    client_close(m);
    client_close(c);
}

/* ---- Clients that read slowly ---- */

/* Messages of any size from a raw socket. */
struct big_reader {
    int fd;
    char *buf;
    size_t len, cap;
};

/* The next message from 'rd', or NULL after ~5 s or at end of stream;
 * runs the loop meanwhile. */
static json_t *
big_next(struct fx *f, struct big_reader *rd)
{
    for (int i = 0; i < 2000; i++) {
        if (rd->len) {
            json_error_t e;
            json_t *j = json_loadb(rd->buf, rd->len, JSON_DISABLE_EOF_CHECK,
                                   &e);
            if (j) {
                memmove(rd->buf, rd->buf + e.position, rd->len - e.position);
                rd->len -= e.position;
                return j;
            }
        }
        loop_run_once(f->loop, 1);
        if (rd->cap - rd->len < 65536) {
            rd->cap = rd->cap ? 2 * rd->cap : 1 << 20;
            rd->buf = realloc(rd->buf, rd->cap);
        }
        ssize_t n = read(rd->fd, rd->buf + rd->len, 65536);
        if (n == 0) {
            return NULL;
        }
        if (n > 0) {
            rd->len += (size_t) n;
        }
    }
    return NULL;
}

/* Inserts 300 rows of ~2 KB into A, "r<i>-xxx..." with n = i % 10: a
 * 600 KB initial reply. */
static void
insert_big_rows(struct fx *f, struct client *c)
{
    char pad[2001];
    memset(pad, 'x', 2000);
    pad[2000] = '\0';
    for (int i = 0; i < 300; i += 50) {
        json_t *ops = json_array();
        for (int k = i; k < i + 50; k++) {
            char text[2100];
            snprintf(text, sizeof text, "r%d-%s", k, pad);
            json_array_append_new(ops, json_pack(
                "{s:s, s:s, s:{s:i, s:s}}", "op", "insert", "table", "A",
                "row", "n", k % 10, "s", text));
        }
        char *text = json_dumps(ops, JSON_COMPACT);
        text[strlen(text) - 1] = '\0';         /* The ops, without [ ]. */
        json_decref(transact(f, c, text + 1));
        free(text);
        json_decref(ops);
    }
}

/* Applies a <table-updates2> of A to 'rows' ({uuid: s}). */
static void
apply_updates2(json_t *rows, const json_t *updates)
{
    const char *uuid;
    json_t *ru;
    json_object_foreach(json_object_get(updates, "A"), uuid, ru) {
        const char *kind = json_object_iter_key(json_object_iter(ru));
        json_t *row = json_object_get(ru, kind);
        if (!strcmp(kind, "delete")) {
            assert_int_equal(json_object_del(rows, uuid), 0);
        } else if (json_object_get(row, "s")) {
            json_object_set(rows, uuid, json_object_get(row, "s"));
        } else if (strcmp(kind, "modify")) {
            json_object_set_new(rows, uuid, json_string(""));
        }
    }
}

/* {uuid: s} of every row of A, as the database has it. */
static json_t *
db_rows(struct fx *f, struct client *c)
{
    struct big_reader rd = { .fd = c->fd };
    assert_int_equal(c->len, 0);
    client_send_raw(c, "{\"method\":\"transact\",\"id\":\"sel\",\"params\":"
                    "[\"T\",{\"op\":\"select\",\"table\":\"A\",\"where\":[],"
                    "\"columns\":[\"_uuid\",\"s\"]}]}");
    json_t *r = big_next(f, &rd);
    assert_non_null(r);
    assert_int_equal(rd.len, 0);
    free(rd.buf);
    json_t *rows = json_object();
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(json_array_get(
        json_object_get(r, "result"), 0), "rows"), i, row) {
        json_object_set(rows, json_string_value(json_array_get(
            json_object_get(row, "_uuid"), 1)), json_object_get(row, "s"));
    }
    json_decref(r);
    return rows;
}

/* A client that does not read while its 600 KB initial reply is written
 * and while others commit: the reply describes the database as it was
 * when the request came (also the rows changed before they were
 * written), then one update brings it to the current state, coalesced
 * per row (a row changed twice once, a row inserted and deleted again not
 * at all); once it has read everything, commits go out at once again. */
static void
test_monitor_slow_client(void **state)
{
    struct fx *f = *state;
    struct client *c = client_open(f);
    struct client *m = client_open(f);
    insert_big_rows(f, c);
    json_t *at_request = db_rows(f, c);

    client_send_raw(m, "{\"method\":\"monitor_cond\",\"id\":\"mon\","
                    "\"params\":[\"T\",\"w\",{\"A\":[{\"columns\":"
                    "[\"s\"]}]}]}");
    for (int i = 0; i < 20; i++) {
        loop_run_once(f->loop, 1);      /* It fills the socket. */
    }
    json_decref(transact(f, c, "{\"op\": \"update\", \"table\": \"A\", "
                         "\"where\": [[\"n\", \"==\", 3]], \"row\": "
                         "{\"s\": \"changed\"}}"));
    json_decref(transact(f, c, "{\"op\": \"update\", \"table\": \"A\", "
                         "\"where\": [[\"n\", \"==\", 3]], \"row\": "
                         "{\"s\": \"changed again\"}}"));
    json_decref(transact(f, c, "{\"op\": \"insert\", \"table\": \"A\", "
                         "\"row\": {\"s\": \"tmp\"}}"));
    json_decref(transact(f, c, "{\"op\": \"delete\", \"table\": \"A\", "
                         "\"where\": [[\"s\", \"==\", \"tmp\"]]}"));
    json_decref(transact(f, c, "{\"op\": \"delete\", \"table\": \"A\", "
                         "\"where\": [[\"n\", \"==\", 7]]}"));
    json_decref(transact(f, c, "{\"op\": \"insert\", \"table\": \"A\", "
                         "\"row\": {\"s\": \"late\"}}"));
    client_send_raw(m, "{\"method\":\"echo\",\"id\":\"e\",\"params\":[]}");

    struct big_reader rd = { .fd = m->fd };
    json_t *reply = big_next(f, &rd);
    assert_non_null(reply);
    assert_json(json_object_get(reply, "id"), "\"mon\"");
    json_t *rows = json_object();
    apply_updates2(rows, json_object_get(reply, "result"));
    assert_true(json_equal(rows, at_request));
    json_decref(reply);

    int n_updates = 0;
    json_t *msg;
    while ((msg = big_next(f, &rd))
           && !json_object_get(msg, "result")) {
        assert_string_equal(json_string_value(json_object_get(msg,
                                                              "method")),
                            "update2");
        json_t *ups = json_array_get(json_object_get(msg, "params"), 1);
        assert_int_equal(json_object_size(json_object_get(ups, "A")),
                         30 + 30 + 1);
        apply_updates2(rows, ups);
        n_updates++;
        json_decref(msg);
    }
    assert_non_null(msg);
    assert_json(json_object_get(msg, "id"), "\"e\"");
    json_decref(msg);
    assert_int_equal(n_updates, 1);
    json_t *now = db_rows(f, c);
    assert_true(json_equal(rows, now));
    json_decref(now);

    /* Idle again: a commit is sent at once. */
    json_decref(transact(f, c, "{\"op\": \"update\", \"table\": \"A\", "
                         "\"where\": [[\"s\", \"==\", \"late\"]], \"row\": "
                         "{\"s\": \"later\"}}"));
    msg = big_next(f, &rd);
    assert_non_null(msg);
    assert_string_equal(json_string_value(json_object_get(msg, "method")),
                        "update2");
    apply_updates2(rows, json_array_get(json_object_get(msg, "params"), 1));
    json_decref(msg);
    now = db_rows(f, c);
    assert_true(json_equal(rows, now));
    json_decref(now);

    json_decref(rows);
    json_decref(at_request);
    free(rd.buf);
    client_close(m);
    client_close(c);
}

/* Requests sent with a big monitor request in one write: a
 * monitor_cond_change right behind it finds the reply written and
 * changes what follows it; a monitor_cancel ends the monitor (the reply
 * still whole). */
static void
test_monitor_pipelined(void **state)
{
    struct fx *f = *state;
    struct client *c = client_open(f);
    struct client *m = client_open(f);
    insert_big_rows(f, c);

    client_send_raw(m, "{\"method\":\"monitor_cond\",\"id\":1,\"params\":"
                    "[\"T\",\"w\",{\"A\":[{\"columns\":[\"s\"],\"where\":"
                    "[[\"n\",\"==\",1]]}]}]}"
                    "{\"method\":\"monitor_cond_change\",\"id\":2,"
                    "\"params\":[\"w\",\"w2\",{\"A\":[{\"where\":"
                    "[[\"n\",\"==\",2]]}]}]}"
                    "{\"method\":\"monitor\",\"id\":3,\"params\":"
                    "[\"T\",\"v1\",{\"A\":{\"columns\":[\"s\"]}}]}"
                    "{\"method\":\"monitor_cancel\",\"id\":4,"
                    "\"params\":[\"v1\"]}");
    json_decref(transact(f, c, "{\"op\": \"update\", \"table\": \"A\", "
                         "\"where\": [[\"n\", \"==\", 2]], \"row\": "
                         "{\"s\": \"two\"}}"));
    struct big_reader rd = { .fd = m->fd };
    json_t *rows = json_object();
    int got[5] = { 0 };
    while (!got[4]) {
        json_t *msg = big_next(f, &rd);
        assert_non_null(msg);
        json_t *id = json_object_get(msg, "id");
        const char *method = json_string_value(json_object_get(msg,
                                                               "method"));
        if (method) {
            /* update2 of "w2" (the change's inserts and deletes, then the
             * commit); never an update of "v1" after its cancel. */
            assert_string_equal(method, "update2");
            json_t *p = json_object_get(msg, "params");
            assert_json(json_array_get(p, 0), "\"w2\"");
            apply_updates2(rows, json_array_get(p, 1));
        } else {
            json_int_t i = json_integer_value(id);
            assert_true(i >= 1 && i <= 4);
            assert_true(json_is_null(json_object_get(msg, "error")));
            for (json_int_t k = 1; k < i; k++) {
                assert_int_equal(got[k], 1);      /* In order. */
            }
            got[i]++;
            if (i == 1) {
                apply_updates2(rows, json_object_get(msg, "result"));
                assert_int_equal(json_object_size(rows), 30);
            } else if (i == 3) {
                assert_int_equal(json_object_size(json_object_get(
                    json_object_get(msg, "result"), "A")), 300);
            }
        }
        json_decref(msg);
    }
    /* The rows with n == 2, as they are now. */
    json_t *all = db_rows(f, c);
    json_t *want = json_object();
    const char *uuid;
    json_t *s;
    json_object_foreach(all, uuid, s) {
        if (!strcmp(json_string_value(s), "two")) {
            json_object_set(want, uuid, s);
        }
    }
    assert_int_equal(json_object_size(want), 30);
    for (int i = 0; i < 100 && !json_equal(rows, want); i++) {
        json_t *msg = big_next(f, &rd);
        if (!msg) {
            break;
        }
        apply_updates2(rows, json_array_get(json_object_get(msg, "params"),
                                            1));
        json_decref(msg);
    }
    assert_true(json_equal(rows, want));
    json_decref(want);
    json_decref(all);
    json_decref(rows);
    free(rd.buf);
    client_close(m);
    client_close(c);
}

static void
test_garbage(void **state)
{
    struct fx *f = *state;
    struct client *good = client_open(f);
    struct client *bad = client_open(f);
    assert_int_equal(ovsdb_server_n_sessions(f->srv), 2);
    client_send_raw(bad, "]]] not json");
    assert_null(client_recv(f, bad));
    assert_int_equal(ovsdb_server_n_sessions(f->srv), 1);
    json_t *r = client_call(f, good, "list_dbs", "[]");
    assert_json(json_object_get(r, "result"), "[\"T\", \"_Server\"]");
    json_decref(r);
    client_close(good);
    client_close(bad);
}

static void
test_open_errors(void **state)
{
    struct fx *f = *state;
    char *why = NULL;
    char path[128];

    /* Already served (and locked). */
    assert_true(ovsdb_server_open_db(f->srv, f->db, &why) < 0);
    assert_non_null(why);
    free(why);
    snprintf(path, sizeof path, "%s/missing.db", f->dir);
    assert_int_equal(ovsdb_server_open_db(f->srv, path, &why), -ENOENT);
    assert_non_null(why);
    free(why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transact_journal, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_blocked_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monitor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_db, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monitor_cond, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monitor_cond_since, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_journal_failure, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_inactivity_probe, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_active_remote, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_monitor_cond_since_history,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_monitor_slow_client, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_monitor_pipelined, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
