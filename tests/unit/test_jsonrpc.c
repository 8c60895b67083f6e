/* Unit tests for jsonrpc: stream framing, send queue, message helpers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/util/json_text.h"
#include "src/util/jsonrpc.h"

/* A stream with the awkward cases: braces and brackets inside strings,
 * escaped quotes and backslashes, \u escapes (incl. a surrogate pair),
 * raw multi-byte UTF-8, nesting, whitespace between messages. */
static const char stream[] =
    "{\"method\":\"echo\",\"params\":[\"}{][\"],\"id\":1}"
    "  \n\t\r"
    "{\"s\":\"a \\\"quoted\\\" } brace\",\"b\":\"back\\\\\",\"id\":2}"
    "{\"u\":\"\\u00e9\\ud83d\\ude00 \xc3\xa9\xe2\x82\xac\","
    "\"n\":{\"x\":[1,2,{\"y\":[[]]}],\"z\":-1.25e-3},\"id\":3}"
    "\n"
    "{}"
    "{\"t\":true,\"f\":false,\"null\":null,\"id\":\"\\\\\"}"
    "{\"e\":\"\\\"]}[{\\\"\",\"id\":6}";
#define STREAM_N_MSGS 6

static json_t *
expected_messages(void)
{
    /* Parse each message independently with Jansson as the reference. */
    json_t *all = json_array();
    const char *p = stream;
    const char *end = stream + strlen(stream);
    while (p < end) {
        while (p < end && strchr(" \t\r\n", *p)) {
            p++;
        }
        if (p == end) {
            break;
        }
        json_error_t err;
        json_t *j = json_loadb(p, (size_t) (end - p), JSON_DISABLE_EOF_CHECK,
                               &err);
        assert_non_null(j);
        json_array_append_new(all, j);
        p += err.position;
    }
    assert_int_equal(json_array_size(all), STREAM_N_MSGS);
    return all;
}

/* Drains complete messages into 'out'; returns the final status. */
static int
drain(struct jsonrpc_rx *rx, json_t *out)
{
    json_t *msg;
    int error;
    while (!(error = jsonrpc_rx_next(rx, &msg))) {
        assert_non_null(msg);
        json_array_append_new(out, msg);
    }
    assert_null(msg);
    return error;
}

static void
test_back_to_back(void **state)
{
    (void) state;
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);
    assert_int_equal(jsonrpc_rx_append(&rx, stream, strlen(stream)), 0);

    json_t *got = json_array();
    assert_int_equal(drain(&rx, got), -EAGAIN);
    json_t *want = expected_messages();
    assert_true(json_equal(got, want));
    assert_int_equal(jsonrpc_rx_pending(&rx), 0);
    assert_null(jsonrpc_rx_error(&rx));

    /* Spot-check decoding: the string with braces survived intact. */
    json_t *first = json_array_get(got, 0);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(first, "params"),
                                         0)), "}{][");
    json_decref(got);
    json_decref(want);
    jsonrpc_rx_destroy(&rx);
}

static void
test_split_everywhere(void **state)
{
    (void) state;
    size_t n = strlen(stream);
    json_t *want = expected_messages();
    for (size_t k = 0; k <= n; k++) {
        struct jsonrpc_rx rx;
        jsonrpc_rx_init(&rx, 0);
        json_t *got = json_array();
        assert_int_equal(jsonrpc_rx_append(&rx, stream, k), 0);
        assert_int_equal(drain(&rx, got), -EAGAIN);
        assert_int_equal(jsonrpc_rx_append(&rx, stream + k, n - k), 0);
        assert_int_equal(drain(&rx, got), -EAGAIN);
        if (!json_equal(got, want)) {
            fail_msg("split at byte %zu gives different messages", k);
        }
        assert_int_equal(jsonrpc_rx_pending(&rx), 0);
        json_decref(got);
        jsonrpc_rx_destroy(&rx);
    }
    json_decref(want);
}

static void
test_byte_by_byte(void **state)
{
    (void) state;
    size_t n = strlen(stream);
    json_t *want = expected_messages();
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);
    json_t *got = json_array();
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(jsonrpc_rx_append(&rx, stream + i, 1), 0);
        assert_int_equal(drain(&rx, got), -EAGAIN);
    }
    assert_true(json_equal(got, want));
    json_decref(got);
    json_decref(want);
    jsonrpc_rx_destroy(&rx);
}

static void
test_whitespace(void **state)
{
    (void) state;
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);
    json_t *msg;

    assert_int_equal(jsonrpc_rx_append(&rx, " \n\t\r ", 5), 0);
    assert_int_equal(jsonrpc_rx_next(&rx, &msg), -EAGAIN);
    assert_int_equal(jsonrpc_rx_pending(&rx), 0);

    const char *s = "\n  {\"a\" : [ 1 , 2 ] }\n\n";
    assert_int_equal(jsonrpc_rx_append(&rx, s, strlen(s)), 0);
    assert_int_equal(jsonrpc_rx_next(&rx, &msg), 0);
    assert_int_equal(json_array_size(json_object_get(msg, "a")), 2);
    json_decref(msg);
    assert_int_equal(jsonrpc_rx_next(&rx, &msg), -EAGAIN);
    assert_int_equal(jsonrpc_rx_pending(&rx), 0);
    jsonrpc_rx_destroy(&rx);
}

/* Feeds 'bytes' and expects 'n_ok' messages then 'error'. */
static void
expect_stream(const char *bytes, size_t max_msg, int n_ok, int error)
{
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, max_msg);
    assert_int_equal(jsonrpc_rx_append(&rx, bytes, strlen(bytes)), 0);
    json_t *got = json_array();
    int status = drain(&rx, got);
    if ((int) json_array_size(got) != n_ok || status != error) {
        fail_msg("\"%s\": got %zu messages and %d, want %d and %d", bytes,
                 json_array_size(got), status, n_ok, error);
    }
    if (error != -EAGAIN) {
        assert_non_null(jsonrpc_rx_error(&rx));
        /* The error sticks, even if valid bytes follow. */
        json_t *msg;
        assert_int_equal(jsonrpc_rx_append(&rx, "{}", 2), 0);
        assert_int_equal(jsonrpc_rx_next(&rx, &msg), error);
        assert_null(msg);
    }
    json_decref(got);
    jsonrpc_rx_destroy(&rx);
}

static void
test_garbage(void **state)
{
    (void) state;
    expect_stream("garbage", 0, 0, -EINVAL);
    expect_stream("{\"a\":1} x", 0, 1, -EINVAL);
    expect_stream("{\"a\": x}", 0, 0, -EINVAL);      /* Jansson rejects. */
    expect_stream("{\"a\":1}}", 0, 1, -EINVAL);      /* Stray brace. */
    expect_stream("{\"a\":[1}", 0, 0, -EINVAL);      /* Mismatch, early. */
    expect_stream("{\"a\":[1,{]", 0, 0, -EINVAL);
    expect_stream("[1,2]", 0, 0, -EINVAL);           /* Not an object. */
    expect_stream("\"str\"", 0, 0, -EINVAL);
    expect_stream("123", 0, 0, -EINVAL);
    expect_stream("{1:2}", 0, 0, -EINVAL);
    expect_stream("{\"a\":\"\\u0000\"}", 0, 0, -EINVAL);    /* NUL. */
    expect_stream("{\"a\":\"x\\qy\"}", 0, 0, -EINVAL);      /* Bad escape. */
    expect_stream("{\"a\":\"\x01\"}", 0, 0, -EINVAL);     /* Raw control. */
    expect_stream("{\"a\":\"\\ud800\"}", 0, 0, -EINVAL); /* Lone high. */
    expect_stream("{\"a\":\"\\ud800x\"}", 0, 0, -EINVAL);
    expect_stream("{\"a\":1e999}", 0, 0, -EINVAL);     /* Out of range. */
    expect_stream("{\"a\":-1e999}", 0, 0, -EINVAL);
    expect_stream("{\"a\":01}", 0, 0, -EINVAL);        /* Leading zero. */
    expect_stream("{\"a\":1.}", 0, 0, -EINVAL);
    expect_stream("{\"a\":-}", 0, 0, -EINVAL);
    expect_stream("{\"a\":tru}", 0, 0, -EINVAL);

    /* Incomplete but so far plausible: wait for more. */
    expect_stream("{\"a\":[1,{\"b\":\"}", 0, 0, -EAGAIN);
    expect_stream("{\"a\":\"\\", 0, 0, -EAGAIN);
    expect_stream("{}{\"a\"", 0, 1, -EAGAIN);
}

/* One message from 'text'; fails the test if it is not one. */
static json_t *
one_message(const char *text, size_t n)
{
    struct jsonrpc_rx rx;
    json_t *msg;
    jsonrpc_rx_init(&rx, 0);
    assert_int_equal(jsonrpc_rx_append(&rx, text, n), 0);
    int error = jsonrpc_rx_next(&rx, &msg);
    if (error) {
        fail_msg("%s: %s", text, jsonrpc_rx_error(&rx));
    }
    jsonrpc_rx_destroy(&rx);
    return msg;
}

/* What a message reads as, written back. */
static void
expect_echo(const char *in, const char *out)
{
    json_t *msg = one_message(in, strlen(in));
    struct jsonrpc_tx tx;
    jsonrpc_tx_init(&tx, 0);
    assert_int_equal(jsonrpc_tx_queue(&tx, msg), 0);
    size_t n = jsonrpc_tx_pending(&tx);
    if (n != strlen(out) || memcmp(tx.buf + tx.start, out, n)) {
        fail_msg("%s: wrote %.*s, want %s", in, (int) n, tx.buf + tx.start,
                 out);
    }
    jsonrpc_tx_destroy(&tx);
    json_decref(msg);
}

/* As ovsdb-server 3.1 (tests/system/ovsdb_diff_corpus.py compares them):
 * invalid UTF-8 in strings is kept and written back as it came; integers
 * beyond 64 bits are reals, integral reals in range integers; a lone low
 * surrogate is encoded as such; reals are written "%.15g", control
 * characters as \u00xx. */
static void
test_ovs_json(void **state)
{
    (void) state;
    expect_echo("{\"p\":[\"a\xff\xfe" "b\"]}", "{\"p\":[\"a\xff\xfe" "b\"]}");
    expect_echo("{\"\xc3\":1}", "{\"\xc3\":1}");
    expect_echo("{\"p\":[\"\xed\xa0\x80\",\"\xc0\xaf\"]}",
                "{\"p\":[\"\xed\xa0\x80\",\"\xc0\xaf\"]}");
    expect_echo("{\"p\":[123456789012345678901234567890,"
                "-123456789012345678901234567890]}",
                "{\"p\":[1.23456789012346e+29,-1.23456789012346e+29]}");
    expect_echo("{\"p\":[9223372036854775807,9223372036854775808,"
                "-9223372036854775808,-9223372036854775809]}",
                "{\"p\":[9223372036854775807,9.22337203685478e+18,"
                "-9223372036854775808,-9.22337203685478e+18]}");
    expect_echo("{\"p\":[1.5,2.0,1e20,0.1,1e-7,123456789.123456789,-0.0,"
                "1E2,100000000000000000000.0,1e-999,0.000]}",
                "{\"p\":[1.5,2,1e+20,0.1,1e-07,"
                "123456789.123457,0,100,1e+20,0,0]}");
    expect_echo("{\"p\":[\"\\udc00\\udc01\",\"\\ud83d\\ude00\"]}",
                "{\"p\":[\"\xed\xb0\x80\xed\xb0\x81\",\"\xf0\x9f\x98\x80\"]}");
    expect_echo("{\"p\":[\"a\\u0001b\\u001f\\u007f/\\u00e9\\\"\\\\\\n\"]}",
                "{\"p\":[\"a\\u0001b\\u001f\x7f/\xc3\xa9\\\"\\\\\\n\"]}");
    expect_echo("{\"a\":[1],\"a\":[2]}", "{\"a\":[2]}");

    const char *nums = "{\"i\":2.0,\"r\":2.5,\"b\":18446744073709551616}";
    json_t *m = one_message(nums, strlen(nums));
    assert_true(json_is_integer(json_object_get(m, "i")));
    assert_true(json_is_real(json_object_get(m, "r")));
    assert_true(json_is_real(json_object_get(m, "b")));
    json_decref(m);
}

static void
test_utf8_error(void **state)
{
    (void) state;
    static const struct {
        const char *s;
        const char *err;
    } cases[] = {
        { "plain \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", NULL },
        { "a\xff" "b", "invalid UTF-8 sequence 0xff" },
        { "a\xc0\xaf" "b", "invalid UTF-8 sequence 0xc0" },
        { "a\xe2\x82" "b", "invalid UTF-8 sequence 0xe2 0x82 0x62" },
        { "\xe2\x82", "invalid UTF-8 sequence 0xe2 0x82 0x00" },
        { "\xf0\x9f\x98", "invalid UTF-8 sequence 0xf0 0x9f 0x98 0x00" },
        { "a\xf5\x80\x80\x80" "b", "invalid UTF-8 sequence 0xf5" },
        { "a\xed\xa0\x80" "b", "invalid UTF-8 sequence 0xed 0xa0" },
        { "a\xed\xb0\x80" "b", "invalid UTF-8 sequence 0xed 0xb0" },
        { "a\x80" "b", "invalid UTF-8 sequence 0x80" },
        { "\xf4\x90\x80\x80", "invalid UTF-8 sequence 0xf4 0x90" },
        { "\xe0\x80\x80", "invalid UTF-8 sequence 0xe0 0x80" },
        { "\xc1\xbf", "invalid UTF-8 sequence 0xc1" },
        { "\xf8\x88\x80\x80\x80", "invalid UTF-8 sequence 0xf8" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[80];
        const char *e = json_text_utf8_error(cases[i].s, strlen(cases[i].s),
                                             buf, sizeof buf);
        if (!cases[i].err ? e != NULL
                          : !e || strcmp(e, cases[i].err)) {
            fail_msg("case %zu: got %s, want %s", i, e ? e : "(valid)",
                     cases[i].err ? cases[i].err : "(valid)");
        }
    }
}

static void
test_deep_nesting(void **state)
{
    (void) state;
    size_t n = JSONRPC_MAX_DEPTH + 10;
    char *s = malloc(n + 1);
    s[0] = '{';
    s[1] = '"';
    s[2] = 'a';
    s[3] = '"';
    s[4] = ':';
    memset(s + 5, '[', n - 5);
    s[n] = '\0';
    expect_stream(s, 0, 0, -EINVAL);

    /* Exactly ovsdb-server's limit: JSONRPC_MAX_DEPTH levels counting the
     * message's object are taken, one more breaks the stream. */
    for (size_t depth = JSONRPC_MAX_DEPTH; depth <= JSONRPC_MAX_DEPTH + 1;
         depth++) {
        size_t inner = depth - 1, k = 0;
        char m[2 * JSONRPC_MAX_DEPTH + 32];
        k += sprintf(m, "{\"a\":");
        memset(m + k, '[', inner);
        k += inner;
        memset(m + k, ']', inner);
        k += inner;
        strcpy(m + k, "}");
        expect_stream(m, 0, depth == JSONRPC_MAX_DEPTH ? 1 : 0,
                      depth == JSONRPC_MAX_DEPTH ? -EAGAIN : -EINVAL);
    }

    /* Moderate nesting is fine. */
    char buf[256];
    strcpy(buf, "{\"a\":");
    for (int i = 0; i < 50; i++) {
        strcat(buf, "[");
    }
    for (int i = 0; i < 50; i++) {
        strcat(buf, "]");
    }
    strcat(buf, "}");
    expect_stream(buf, 0, 1, -EAGAIN);
    free(s);
}

static void
test_oversize(void **state)
{
    (void) state;
    char buf[256];

    /* Exactly at the limit: accepted. {"a":"xxx..."} is 8 + n bytes. */
    memset(buf, 0, sizeof buf);
    strcpy(buf, "{\"a\":\"");
    memset(buf + 6, 'x', 92);
    strcat(buf, "\"}");
    assert_int_equal(strlen(buf), 100);
    expect_stream(buf, 100, 1, -EAGAIN);
    /* One byte over, complete: refused. */
    expect_stream(buf, 99, 0, -EMSGSIZE);

    /* An endless message is refused before it ends. */
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 1000);
    json_t *msg;
    assert_int_equal(jsonrpc_rx_append(&rx, "{\"a\":\"", 6), 0);
    int error = -EAGAIN;
    int i;
    for (i = 0; i < 100 && error == -EAGAIN; i++) {
        char chunk[64];
        memset(chunk, 'y', sizeof chunk);
        assert_int_equal(jsonrpc_rx_append(&rx, chunk, sizeof chunk), 0);
        error = jsonrpc_rx_next(&rx, &msg);
    }
    assert_int_equal(error, -EMSGSIZE);
    assert_true(i <= 1000 / 64 + 1);
    assert_non_null(strstr(jsonrpc_rx_error(&rx), "1000"));
    jsonrpc_rx_destroy(&rx);

    /* The limit is per message, not per buffer. */
    char many[4096] = "";
    for (int k = 0; k < 100; k++) {
        strcat(many, "{\"id\":12345}");
    }
    expect_stream(many, 20, 100, -EAGAIN);
}

static void
test_read_fd(void **state)
{
    (void) state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv),
                     0);
    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);
    json_t *msg;

    assert_int_equal(jsonrpc_rx_read(&rx, sv[0]), -EAGAIN);
    const char *s = "{\"id\":1}{\"id\":";
    assert_int_equal(write(sv[1], s, strlen(s)), (ssize_t) strlen(s));
    assert_int_equal(jsonrpc_rx_read(&rx, sv[0]), (int) strlen(s));
    assert_int_equal(jsonrpc_rx_next(&rx, &msg), 0);
    assert_int_equal(json_integer_value(json_object_get(msg, "id")), 1);
    json_decref(msg);
    assert_int_equal(jsonrpc_rx_next(&rx, &msg), -EAGAIN);
    assert_int_equal(write(sv[1], "2}", 2), 2);
    assert_int_equal(jsonrpc_rx_read(&rx, sv[0]), 2);
    assert_int_equal(jsonrpc_rx_next(&rx, &msg), 0);
    assert_int_equal(json_integer_value(json_object_get(msg, "id")), 2);
    json_decref(msg);
    close(sv[1]);
    assert_int_equal(jsonrpc_rx_read(&rx, sv[0]), 0);
    close(sv[0]);
    jsonrpc_rx_destroy(&rx);
}

static void
test_tx_roundtrip(void **state)
{
    (void) state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv),
                     0);
    struct jsonrpc_tx tx;
    jsonrpc_tx_init(&tx, 0);
    const char *argv[] = { "a", "b c" };
    json_t *req = jsonrpc_request_argv("m/x", 2, argv, json_integer(7));
    assert_int_equal(jsonrpc_tx_queue(&tx, req), 0);
    assert_int_equal(jsonrpc_tx_queue(&tx, req), 0);
    assert_true(jsonrpc_tx_pending(&tx) > 0);
    assert_int_equal(jsonrpc_tx_flush(&tx, sv[0]), 0);
    assert_int_equal(jsonrpc_tx_pending(&tx), 0);

    struct jsonrpc_rx rx;
    jsonrpc_rx_init(&rx, 0);
    assert_true(jsonrpc_rx_read(&rx, sv[1]) > 0);
    for (int i = 0; i < 2; i++) {
        json_t *msg;
        assert_int_equal(jsonrpc_rx_next(&rx, &msg), 0);
        assert_true(json_equal(msg, req));
        json_decref(msg);
    }
    json_decref(req);
    jsonrpc_rx_destroy(&rx);
    jsonrpc_tx_destroy(&tx);
    close(sv[0]);
    close(sv[1]);
}

static void
test_tx_backlog(void **state)
{
    (void) state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv),
                     0);
    struct jsonrpc_tx tx;
    jsonrpc_tx_init(&tx, 10000);

    /* One big message is always accepted, whatever the limit. */
    char *big = malloc(50000);
    memset(big, 'z', 49999);
    big[49999] = '\0';
    json_t *msg = jsonrpc_reply(json_string(big), NULL);
    assert_int_equal(jsonrpc_tx_queue(&tx, msg), 0);
    json_decref(msg);
    free(big);

    /* The peer never reads: eventually the backlog exceeds the limit. */
    json_t *small = jsonrpc_reply(json_string("hello"), NULL);
    int error = 0;
    int i;
    for (i = 0; i < 100000 && !error; i++) {
        int f = jsonrpc_tx_flush(&tx, sv[0]);
        assert_true(f == 0 || f == -EAGAIN);
        error = jsonrpc_tx_queue(&tx, small);
    }
    assert_int_equal(error, -ENOBUFS);
    assert_true(jsonrpc_tx_pending(&tx) > 10000);
    json_decref(small);

    /* Peer gone: EPIPE, and no SIGPIPE kills us. */
    close(sv[1]);
    assert_int_equal(jsonrpc_tx_flush(&tx, sv[0]), -EPIPE);
    close(sv[0]);
    jsonrpc_tx_destroy(&tx);
}

static void
assert_json_text(json_t *j, const char *text)
{
    char *s = json_dumps(j, JSON_COMPACT);
    assert_string_equal(s, text);
    free(s);
    json_decref(j);
}

static void
test_builders(void **state)
{
    (void) state;
    const char *argv[] = { "x" };
    assert_json_text(jsonrpc_request_argv("version", 1, argv,
                                          json_integer(0)),
                     "{\"method\":\"version\",\"params\":[\"x\"],\"id\":0}");
    assert_json_text(jsonrpc_request("echo", NULL, NULL),
                     "{\"method\":\"echo\",\"params\":[],\"id\":null}");

    json_t *id = json_string("abc");
    assert_json_text(jsonrpc_reply(json_string("ok\n"), id),
                     "{\"id\":\"abc\",\"result\":\"ok\\n\",\"error\":null}");
    assert_json_text(jsonrpc_error_string("bad", id),
                     "{\"id\":\"abc\",\"result\":null,\"error\":\"bad\"}");
    /* 'id' was borrowed: still ours. */
    assert_int_equal(id->refcount, 1);
    json_decref(id);
    assert_json_text(jsonrpc_error_string("\xff", NULL),
                     "{\"id\":null,\"result\":null,"
                     "\"error\":\"(invalid UTF-8 error)\"}");
}

static int
parse_text(const char *text, struct jsonrpc_msg *m, json_t **json)
{
    const char *err;
    *json = json_loads(text, 0, NULL);
    assert_non_null(*json);
    int r = jsonrpc_parse(*json, m, &err);
    assert_true(r ? err != NULL : err == NULL);
    return r;
}

static void
test_parse(void **state)
{
    (void) state;
    struct jsonrpc_msg m;
    json_t *j;

    assert_int_equal(parse_text("{\"method\":\"a\",\"params\":[],\"id\":1}",
                                &m, &j), 0);
    assert_int_equal(m.type, JSONRPC_REQUEST);
    assert_string_equal(m.method, "a");
    assert_int_equal(json_integer_value(m.id), 1);
    json_decref(j);

    assert_int_equal(parse_text("{\"method\":\"a\",\"params\":[],"
                                "\"id\":null}", &m, &j), 0);
    assert_int_equal(m.type, JSONRPC_NOTIFY);
    json_decref(j);

    assert_int_equal(parse_text("{\"result\":\"r\",\"error\":null,"
                                "\"id\":1}", &m, &j), 0);
    assert_int_equal(m.type, JSONRPC_REPLY);
    assert_string_equal(json_string_value(m.result), "r");
    json_decref(j);

    assert_int_equal(parse_text("{\"result\":null,\"error\":\"e\","
                                "\"id\":1}", &m, &j), 0);
    assert_int_equal(m.type, JSONRPC_ERROR);
    assert_string_equal(json_string_value(m.error), "e");
    json_decref(j);

    static const char *const bad[] = {
        "{\"method\":1,\"params\":[],\"id\":1}",
        "{\"method\":\"a\",\"params\":{},\"id\":1}",
        "{\"method\":\"a\",\"id\":1}",
        "{\"method\":\"a\",\"params\":[],\"result\":1,\"id\":1}",
        "{\"id\":1}",
        "{\"result\":1}",
        "{\"result\":1,\"error\":2,\"id\":1}",
        /* As Open vSwitch: members JSON-RPC does not define. */
        "{\"method\":\"a\",\"params\":[],\"id\":1,\"x\":2}",
        "{\"result\":1,\"error\":null,\"id\":1,\"x\":2}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (!parse_text(bad[i], &m, &j)) {
            fail_msg("accepted %s", bad[i]);
        }
        json_decref(j);
    }
    /* {"result":null,"error":null} is a reply whose result is null. */
    assert_int_equal(parse_text("{\"result\":null,\"error\":null,"
                                "\"id\":1}", &m, &j), 0);
    assert_int_equal(m.type, JSONRPC_REPLY);
    json_decref(j);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_back_to_back),
        cmocka_unit_test(test_split_everywhere),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_ovs_json),
        cmocka_unit_test(test_utf8_error),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_read_fd),
        cmocka_unit_test(test_tx_roundtrip),
        cmocka_unit_test(test_tx_backlog),
        cmocka_unit_test(test_builders),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
