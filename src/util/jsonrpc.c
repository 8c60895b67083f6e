/* jsonrpc: JSON-RPC 1.0 stream framing, send queue and message helpers.
 *
 * Framing: a small scanner tracks bracket depth and string/escape state
 * across calls, so each byte is looked at once however the stream is cut.
 * When the depth returns to zero the span holds one candidate object,
 * which json_text decodes as Open vSwitch would (invalid UTF-8 kept,
 * numbers as its lexer reads them) into Jansson values; what is sent is
 * written by json_text too.  So "need more bytes" is decided by the
 * scanner and "invalid" by the parser, never by guessing from a parse
 * error whether the input was merely truncated. */
#include "src/util/jsonrpc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/util/dstr.h"
#include "src/util/json_text.h"
#include "src/util/stream.h"

/* Bytes read from a socket per jsonrpc_rx_read() call. */
#define RX_CHUNK (64 * 1024)

static int
grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap) {
        return 0;
    }
    size_t cap2 = *cap ? *cap : 4096;
    while (cap2 < need) {
        cap2 *= 2;
    }
    char *p = realloc(*buf, cap2);
    if (!p) {
        return -ENOMEM;
    }
    *buf = p;
    *cap = cap2;
    return 0;
}

/* ---- Receiving ---- */

void
jsonrpc_rx_init(struct jsonrpc_rx *rx, size_t max_msg)
{
    memset(rx, 0, sizeof *rx);
    rx->max_msg = max_msg ? max_msg : JSONRPC_MAX_MSG_DEFAULT;
}

void
jsonrpc_rx_destroy(struct jsonrpc_rx *rx)
{
    free(rx->buf);
    rx->buf = NULL;
    rx->start = rx->len = rx->cap = rx->scan = 0;
}

/* Drops consumed bytes from the front of the buffer. */
static void
rx_compact(struct jsonrpc_rx *rx)
{
    if (!rx->start) {
        return;
    }
    memmove(rx->buf, rx->buf + rx->start, rx->len - rx->start);
    rx->len -= rx->start;
    rx->scan -= rx->start;
    if (rx->depth) {
        rx->msg_start -= rx->start;
    }
    rx->start = 0;
}

static int
rx_reserve(struct jsonrpc_rx *rx, size_t n)
{
    if (rx->len + n > rx->cap && rx->start) {
        rx_compact(rx);
    }
    return grow(&rx->buf, &rx->cap, rx->len + n);
}

int
jsonrpc_rx_append(struct jsonrpc_rx *rx, const void *data, size_t n)
{
    if (!n) {
        return 0;
    }
    int err = rx_reserve(rx, n);
    if (err) {
        return err;
    }
    memcpy(rx->buf + rx->len, data, n);
    rx->len += n;
    return 0;
}

int
jsonrpc_rx_read(struct jsonrpc_rx *rx, int fd)
{
    int err = rx_reserve(rx, RX_CHUNK);
    if (err) {
        return err;
    }
    for (;;) {
        ssize_t n = read(fd, rx->buf + rx->len, RX_CHUNK);
        if (n >= 0) {
            rx->len += (size_t) n;
            return (int) n;
        }
        if (errno != EINTR) {
            return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        }
    }
}

static int
rx_fail(struct jsonrpc_rx *rx, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
rx_fail(struct jsonrpc_rx *rx, int error, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(rx->error_text, sizeof rx->error_text, fmt, args);
    va_end(args);
    rx->error = error;
    return error;
}

static bool
is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Whether the bracket opened at nesting level 'd' is '['. */
static bool
is_array(const struct jsonrpc_rx *rx, unsigned int d)
{
    return rx->arrays[d / 8] & (1u << (d % 8));
}

static void
set_array(struct jsonrpc_rx *rx, unsigned int d, bool array)
{
    if (array) {
        rx->arrays[d / 8] |= 1u << (d % 8);
    } else {
        rx->arrays[d / 8] &= ~(1u << (d % 8));
    }
}

/* Scans for the end of the object that begins at or after rx->start.
 * Returns the offset just past its closing brace, 0 if more bytes are
 * needed, or a negative errno. */
static long
rx_scan(struct jsonrpc_rx *rx)
{
    size_t i = rx->scan;
    for (; i < rx->len; i++) {
        char c = rx->buf[i];
        if (!rx->depth) {
            if (is_json_space(c)) {
                rx->start = i + 1;
                continue;
            }
            if (c != '{') {
                rx->scan = i;
                return rx_fail(rx, -EINVAL, "syntax error: expected '{' "
                               "to start a message, got byte 0x%02x",
                               (unsigned char) c);
            }
            rx->msg_start = i;
            set_array(rx, 0, false);
            rx->depth = 1;
        } else if (rx->in_string) {
            if (rx->escape) {
                rx->escape = false;
            } else if (c == '\\') {
                rx->escape = true;
            } else if (c == '"') {
                rx->in_string = false;
            }
        } else if (c == '"') {
            rx->in_string = true;
        } else if (c == '{' || c == '[') {
            if (rx->depth >= JSONRPC_MAX_DEPTH) {
                rx->scan = i;
                return rx_fail(rx, -EINVAL, "syntax error: input exceeds "
                               "maximum nesting depth %d",
                               JSONRPC_MAX_DEPTH);
            }
            set_array(rx, rx->depth, c == '[');
            rx->depth++;
        } else if (c == '}' || c == ']') {
            if (is_array(rx, rx->depth - 1) != (c == ']')) {
                rx->scan = i;
                return rx_fail(rx, -EINVAL, "syntax error: unexpected '%c'",
                               c);
            }
            if (!--rx->depth) {
                rx->scan = i + 1;
                return (long) (i + 1);
            }
        }
        if (i + 1 - rx->msg_start > rx->max_msg) {
            rx->scan = i + 1;
            return rx_fail(rx, -EMSGSIZE, "message longer than %zu bytes",
                           rx->max_msg);
        }
    }
    rx->scan = i;
    return 0;
}

int
jsonrpc_rx_next(struct jsonrpc_rx *rx, json_t **msgp)
{
    *msgp = NULL;
    if (rx->error) {
        return rx->error;
    }
    long end = rx_scan(rx);
    if (end < 0) {
        return (int) end;
    } else if (!end) {
        if (!rx->depth) {
            /* Only whitespace so far: reuse the buffer from its start. */
            rx->start = rx->len = rx->scan = 0;
        }
        return -EAGAIN;
    }

    size_t size = (size_t) end - rx->msg_start;
    if (size > rx->max_msg) {
        return rx_fail(rx, -EMSGSIZE, "message longer than %zu bytes",
                       rx->max_msg);
    }
    char err[128];
    json_t *msg = json_text_parse(rx->buf + rx->msg_start, size,
                                  JSONRPC_MAX_DEPTH, err, sizeof err);
    if (!msg) {
        return rx_fail(rx, -EINVAL, "JSON parse error: %s", err);
    }
    if (!json_is_object(msg)) {
        json_decref(msg);
        return rx_fail(rx, -EINVAL, "JSON parse error: malformed message");
    }
    rx->depth = 0;
    rx->in_string = rx->escape = false;
    rx->start = rx->scan = (size_t) end;
    if (rx->start == rx->len) {
        rx->start = rx->len = rx->scan = 0;
    }
    *msgp = msg;
    return 0;
}

const char *
jsonrpc_rx_error(const struct jsonrpc_rx *rx)
{
    return rx->error ? rx->error_text : NULL;
}

size_t
jsonrpc_rx_pending(const struct jsonrpc_rx *rx)
{
    return rx->len - rx->start;
}

/* ---- Sending ---- */

void
jsonrpc_tx_init(struct jsonrpc_tx *tx, size_t max_backlog)
{
    memset(tx, 0, sizeof *tx);
    tx->max_backlog = max_backlog ? max_backlog : JSONRPC_MAX_MSG_DEFAULT;
}

void
jsonrpc_tx_destroy(struct jsonrpc_tx *tx)
{
    free(tx->buf);
    tx->buf = NULL;
    tx->start = tx->len = tx->cap = 0;
}

/* Room for 'n' more bytes (no backlog check). */
static int
tx_grow(struct jsonrpc_tx *tx, size_t n)
{
    if (tx->len + n > tx->cap && tx->start) {
        memmove(tx->buf, tx->buf + tx->start, tx->len - tx->start);
        tx->len -= tx->start;
        tx->start = 0;
    }
    return grow(&tx->buf, &tx->cap, tx->len + n);
}

int
jsonrpc_tx_append(struct jsonrpc_tx *tx, const void *data, size_t n)
{
    int err = tx_grow(tx, n);
    if (!err && n) {
        memcpy(tx->buf + tx->len, data, n);
        tx->len += n;
    }
    return err;
}

int
jsonrpc_tx_append_json(struct jsonrpc_tx *tx, const json_t *json)
{
    if (!json) {
        return -EINVAL;
    }
    /* Not Jansson's encoder: strings may hold invalid UTF-8 (json_text.h),
     * and reals are written as Open vSwitch writes them. */
    struct dstr text = DSTR_INIT;
    json_text_write(&text, json);
    int err = jsonrpc_tx_append(tx, dstr_cstr(&text), text.len);
    dstr_free(&text);
    return err;
}

int
jsonrpc_tx_queue_raw(struct jsonrpc_tx *tx, const void *data, size_t n)
{
    if (tx->len - tx->start > tx->max_backlog) {
        return -ENOBUFS;
    }
    return jsonrpc_tx_append(tx, data, n);
}

int
jsonrpc_tx_queue(struct jsonrpc_tx *tx, const json_t *msg)
{
    if (tx->len - tx->start > tx->max_backlog) {
        return -ENOBUFS;
    }
    return json_is_object(msg) || json_is_array(msg)
           ? jsonrpc_tx_append_json(tx, msg) : -EINVAL;
}

int
jsonrpc_tx_flush(struct jsonrpc_tx *tx, int fd)
{
    bool is_socket = true;
    while (tx->start < tx->len) {
        const char *p = tx->buf + tx->start;
        size_t n = tx->len - tx->start;
        ssize_t w = is_socket ? send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT)
                              : write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            } else if (errno == ENOTSOCK && is_socket) {
                is_socket = false;
                continue;
            }
            return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        }
        tx->start += (size_t) w;
    }
    tx->start = tx->len = 0;
    return 0;
}

int
jsonrpc_tx_flush_stream(struct jsonrpc_tx *tx, struct stream *s)
{
    while (tx->start < tx->len) {
        int n = stream_send(s, tx->buf + tx->start, tx->len - tx->start);
        if (n <= 0) {
            return n ? n : -EIO;
        }
        tx->start += (size_t) n;
    }
    tx->start = tx->len = 0;
    return 0;
}

size_t
jsonrpc_tx_pending(const struct jsonrpc_tx *tx)
{
    return tx->len - tx->start;
}

/* ---- Messages ---- */

static json_t *
must(json_t *j)
{
    if (!j) {
        abort();
    }
    return j;
}

json_t *
jsonrpc_request(const char *method, json_t *params, json_t *id)
{
    json_t *msg = must(json_object());
    json_object_set_new(msg, "method", must(json_string(method)));
    json_object_set_new(msg, "params", params ? params : must(json_array()));
    json_object_set_new(msg, "id", id ? id : json_null());
    return msg;
}

json_t *
jsonrpc_request_argv(const char *method, int argc, const char *const argv[],
                     json_t *id)
{
    json_t *params = must(json_array());
    for (int i = 0; i < argc; i++) {
        json_array_append_new(params, must(json_string(argv[i])));
    }
    return jsonrpc_request(method, params, id);
}

static json_t *
response(json_t *result, json_t *error, const json_t *id)
{
    json_t *msg = must(json_object());
    json_object_set_new(msg, "id", id ? json_incref((json_t *) id)
                                      : json_null());
    json_object_set_new(msg, "result", result);
    json_object_set_new(msg, "error", error);
    return msg;
}

json_t *
jsonrpc_reply(json_t *result, const json_t *id)
{
    return response(result ? result : json_null(), json_null(), id);
}

json_t *
jsonrpc_error(json_t *error, const json_t *id)
{
    return response(json_null(), error ? error : json_null(), id);
}

json_t *
jsonrpc_error_string(const char *error, const json_t *id)
{
    /* json_string() rejects invalid UTF-8; fall back to a generic text. */
    json_t *e = json_string(error);
    return jsonrpc_error(e ? e : must(json_string("(invalid UTF-8 error)")),
                         id);
}

int
jsonrpc_parse(json_t *json, struct jsonrpc_msg *m, const char **err)
{
    memset(m, 0, sizeof *m);
    *err = NULL;
    if (!json_is_object(json)) {
        *err = "message is not a JSON object";
        return -EINVAL;
    }
    const char *key;
    json_t *value;
    json_object_foreach(json, key, value) {
        if (strcmp(key, "method") && strcmp(key, "params")
            && strcmp(key, "id") && strcmp(key, "result")
            && strcmp(key, "error")) {
            *err = "message has an unexpected member";
            return -EINVAL;
        }
    }
    json_t *method = json_object_get(json, "method");
    m->id = json_object_get(json, "id");
    if (method) {
        if (!json_is_string(method)) {
            *err = "\"method\" is not a string";
            return -EINVAL;
        }
        m->params = json_object_get(json, "params");
        if (!json_is_array(m->params)) {
            *err = "\"params\" is missing or not an array";
            return -EINVAL;
        }
        if (json_object_get(json, "result") ||
            json_object_get(json, "error")) {
            *err = "request has \"result\" or \"error\"";
            return -EINVAL;
        }
        m->method = json_string_value(method);
        m->type = m->id && !json_is_null(m->id) ? JSONRPC_REQUEST
                                                : JSONRPC_NOTIFY;
        return 0;
    }

    m->result = json_object_get(json, "result");
    m->error = json_object_get(json, "error");
    if (!m->result && !m->error) {
        *err = "message has no \"method\", \"result\" or \"error\"";
        return -EINVAL;
    }
    if (!m->id) {
        *err = "reply has no \"id\"";
        return -EINVAL;
    }
    if (m->error && !json_is_null(m->error)) {
        if (m->result && !json_is_null(m->result)) {
            *err = "reply has both \"result\" and \"error\"";
            return -EINVAL;
        }
        m->type = JSONRPC_ERROR;
        m->result = NULL;
    } else if (m->result) {
        m->type = JSONRPC_REPLY;
        m->error = NULL;
    } else {
        *err = "reply has neither \"result\" nor a non-null \"error\"";
        return -EINVAL;
    }
    return 0;
}
