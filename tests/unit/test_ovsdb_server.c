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

#include "db.h"
#include "log.h"
#include "loop.h"
#include "server.h"

static const char *const SCHEMA =
    "{\"name\": \"T\", \"version\": \"1.0.0\", \"tables\": {"
    " \"A\": {\"columns\": {"
    "   \"n\": {\"type\": {\"key\": {\"type\": \"integer\","
    "                               \"maxInteger\": 10}}},"
    "   \"s\": {\"type\": \"string\"}}, \"isRoot\": true}}}";

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
    assert_json(json_object_get(r, "result"), "[\"T\"]");
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
    assert_json(json_object_get(r, "result"), "[\"T\"]");
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
        cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
