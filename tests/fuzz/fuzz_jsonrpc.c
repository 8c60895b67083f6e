/* libFuzzer target for JSON-RPC framing (jsonrpc_rx): any bytes as what
 * a peer sends.  The input's first byte picks the message size limit and
 * the next four seed the points where the stream is split; the rest is
 * the stream.  Checks that
 *   - the messages and the final verdict (more bytes needed, or which
 *     error) do not depend on how the stream was split: all at once, one
 *     byte at a time, and in chunks of random sizes give the same;
 *   - each message is an object that jsonrpc_parse() classifies without
 *     crashing;
 *   - what jsonrpc_tx_queue() writes for a message frames back to the
 *     same message. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "src/util/dstr.h"
#include "src/util/json_text.h"
#include "src/util/jsonrpc.h"

#define CHECK(COND) do { if (!(COND)) { abort(); } } while (0)
#define MAX_MSGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct outcome {
    char *msgs[MAX_MSGS];       /* Canonical dumps of the messages. */
    size_t n_msgs;
    int verdict;                /* -EAGAIN, or the error that ended it. */
};

/* 'j' as text, numbers by value (a real with an integral value reads
 * back as an integer), strings as they are (invalid UTF-8 too). */
static void
put_canonical(struct dstr *out, const json_t *j)
{
    size_t i;
    const char *key;
    json_t *v;
    if (json_is_real(j)) {
        double d = json_real_value(j);
        if (d == floor(d) && fabs(d) < 9.2e18) {
            dstr_printf(out, "%lld", (long long) d);
        } else {
            dstr_printf(out, "%.15g", d);
        }
    } else if (json_is_object(j)) {
        dstr_put(out, "{");
        i = 0;
        json_object_foreach((json_t *) j, key, v) {
            dstr_put(out, i++ ? "," : "");
            json_text_write_string(out, key, strlen(key));
            dstr_put(out, ":");
            put_canonical(out, v);
        }
        dstr_put(out, "}");
    } else if (json_is_array(j)) {
        dstr_put(out, "[");
        json_array_foreach((json_t *) j, i, v) {
            dstr_put(out, i ? "," : "");
            put_canonical(out, v);
        }
        dstr_put(out, "]");
    } else {
        json_text_write(out, j);
    }
}

static char *
canonical(const json_t *j)
{
    struct dstr out = DSTR_INIT;
    put_canonical(&out, j);
    return dstr_steal(&out);
}

/* Takes every message 'rx' has; returns 0 to go on, 1 once it ended. */
static int
drain(struct jsonrpc_rx *rx, struct outcome *o)
{
    for (;;) {
        json_t *msg;
        int error = jsonrpc_rx_next(rx, &msg);
        if (error == -EAGAIN) {
            o->verdict = error;
            return 0;
        } else if (error) {
            CHECK(!msg);
            CHECK(error == -EINVAL || error == -EMSGSIZE);
            CHECK(jsonrpc_rx_error(rx)[0]);
            CHECK(jsonrpc_rx_next(rx, &msg) == error);  /* Sticky. */
            o->verdict = error;
            return 1;
        }
        CHECK(json_is_object(msg));
        struct jsonrpc_msg m;
        const char *err;
        if (jsonrpc_parse(msg, &m, &err)) {
            CHECK(err && err[0]);
        }
        if (o->n_msgs < MAX_MSGS) {
            o->msgs[o->n_msgs] = canonical(msg);
        }
        o->n_msgs++;
        json_decref(msg);
    }
}

static uint32_t
next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Feeds 'n' bytes in chunks: 0 means all at once, 1 one byte at a time,
 * else random sizes from 'seed'. */
static void
feed(const uint8_t *p, size_t n, size_t max_msg, int how, uint32_t seed,
     struct outcome *o)
{
    struct jsonrpc_rx rx;
    memset(o, 0, sizeof *o);
    o->verdict = -EAGAIN;
    jsonrpc_rx_init(&rx, max_msg);
    size_t off = 0;
    seed |= 1;
    do {
        size_t k = how == 0 ? n - off
                   : how == 1 ? 1
                   : 1 + next_rand(&seed) % 64;
        if (k > n - off) {
            k = n - off;
        }
        CHECK(!jsonrpc_rx_append(&rx, p + off, k));
        off += k;
        if (drain(&rx, o)) {
            break;
        }
    } while (off < n);
    jsonrpc_rx_destroy(&rx);
}

static void
same(const struct outcome *a, const struct outcome *b)
{
    CHECK(a->verdict == b->verdict);
    CHECK(a->n_msgs == b->n_msgs);
    for (size_t i = 0; i < a->n_msgs && i < MAX_MSGS; i++) {
        CHECK(!strcmp(a->msgs[i], b->msgs[i]));
    }
}

static void
clear(struct outcome *o)
{
    for (size_t i = 0; i < o->n_msgs && i < MAX_MSGS; i++) {
        free(o->msgs[i]);
    }
}

/* Our own framing of 'text' (a canonical message) reads back as what
 * 'text' parses to.  (Not as 'text' itself: a real written with 15
 * significant digits may read back as an integer - "1.23456789012346e+15"
 * is 1234567890123460 - as in ovsdb-server.) */
static void
resend(const char *text)
{
    char err[128];
    json_t *j = json_text_parse(text, strlen(text), JSONRPC_MAX_DEPTH, err,
                                sizeof err);
    struct jsonrpc_tx tx;
    struct jsonrpc_rx rx;
    json_t *back;

    CHECK(j);
    jsonrpc_tx_init(&tx, 0);
    CHECK(!jsonrpc_tx_queue(&tx, j));
    jsonrpc_rx_init(&rx, 0);
    CHECK(!jsonrpc_rx_append(&rx, tx.buf + tx.start, tx.len - tx.start));
    CHECK(!jsonrpc_rx_next(&rx, &back));
    char *again = canonical(back);
    char *want = canonical(j);
    json_decref(back);
    CHECK(!strcmp(want, again));
    free(want);
    CHECK(jsonrpc_rx_next(&rx, &back) == -EAGAIN);
    free(again);
    json_decref(j);
    jsonrpc_rx_destroy(&rx);
    jsonrpc_tx_destroy(&tx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5) {
        return 0;
    }
    size_t max_msg = (size_t) 16 << (data[0] % 12);     /* 16 B .. 32 KiB */
    uint32_t seed;
    memcpy(&seed, data + 1, sizeof seed);
    data += 5;
    size -= 5;

    struct outcome whole, bytes, chunks;
    feed(data, size, max_msg, 0, seed, &whole);
    feed(data, size, max_msg, 1, seed, &bytes);
    feed(data, size, max_msg, 2, seed, &chunks);
    same(&whole, &bytes);
    same(&whole, &chunks);
    for (size_t i = 0; i < whole.n_msgs && i < MAX_MSGS; i++) {
        resend(whole.msgs[i]);
    }
    clear(&whole);
    clear(&bytes);
    clear(&chunks);
    return 0;
}
