/* Unit tests for ovsdb/log: the journal in ovsdb(5) standalone format.
 * Compatibility is checked against Debian's ovsdb-tool when it is
 * installed (those parts are skipped otherwise). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "ovsdb/log.h"
#include "src/util/dstr.h"
#include "src/util/loop.h"

#define OVSDB_TOOL "/usr/bin/ovsdb-tool"

static char tmpdir[64];

static const char schema_text[] =
    "{\"name\":\"LogTest\",\"version\":\"1.2.3\",\"tables\":{\"kv\":"
    "{\"columns\":{\"k\":{\"type\":\"string\"},"
    "\"v\":{\"type\":\"integer\"}}}}}";

static int
group_setup(void **state)
{
    (void) state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_ovsdb_log.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int
group_teardown(void **state)
{
    char cmd[128];

    (void) state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A fresh path in the temporary directory (static buffer, one per call
 * site is enough). */
static const char *
path_for(const char *name)
{
    static char bufs[4][256];
    static int next;
    char *buf = bufs[next++ % 4];
    char cmd[600];

    snprintf(buf, sizeof bufs[0], "%s/%s", tmpdir, name);
    snprintf(cmd, sizeof cmd, "rm -f '%s' '%s.tmp'", buf, buf);
    assert_int_equal(system(cmd), 0);
    return buf;
}

static json_t *
schema(void)
{
    json_t *j = json_loads(schema_text, 0, NULL);
    assert_non_null(j);
    return j;
}

static void
make_uuid(char buf[37], unsigned int i)
{
    snprintf(buf, 37, "00000000-0000-4000-8000-%012x", i);
}

/* A transaction record inserting row 'i' into table kv. */
static json_t *
insert_record(unsigned int i, const char *k)
{
    char uuid[37];

    make_uuid(uuid, i);
    json_t *row = json_pack("{s:s, s:i}", "k", k, "v", (json_int_t) i);
    json_t *table = json_object();
    json_object_set_new(table, uuid, row);
    json_t *rec = json_object();
    json_object_set_new(rec, "kv", table);
    json_object_set_new(rec, "_date", json_integer(1700000000000LL + i));
    return rec;
}

static char *
slurp(const char *path, size_t *lenp)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, len, f), (size_t) len);
    buf[len] = '\0';
    fclose(f);
    *lenp = len;
    return buf;
}

static void
spit(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static off_t
file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

/* Writes schema + 'n' records; '*ends' (n + 1 entries) gets the file size
 * after each record. */
static void
write_log(const char *path, unsigned int n, off_t *ends)
{
    struct ovsdb_log *log;
    json_t *s = schema();

    assert_int_equal(ovsdb_log_create(path, s, &log, NULL), 0);
    json_decref(s);
    if (ends) {
        ends[0] = ovsdb_log_size(log);
    }
    for (unsigned int i = 1; i <= n; i++) {
        char k[32];
        snprintf(k, sizeof k, "row %u", i);
        json_t *rec = insert_record(i, k);
        assert_int_equal(ovsdb_log_append(log, rec), 0);
        json_decref(rec);
        if (ends) {
            ends[i] = ovsdb_log_size(log);
        }
    }
    assert_int_equal(ovsdb_log_sync(log), 0);
    ovsdb_log_close(log);
    if (ends) {
        assert_int_equal(file_size(path), ends[n]);
    }
}

/* Opens 'path' and reads every record; checks they are records 1..n_good
 * as write_log() makes them.  Returns the log (still open). */
static struct ovsdb_log *
read_log(const char *path, enum ovsdb_log_mode mode, unsigned int n_good)
{
    struct ovsdb_log *log;
    char *err = NULL;
    json_t *rec;

    assert_int_equal(ovsdb_log_open(path, mode, &log, &err), 0);
    assert_null(err);
    json_t *s = schema();
    assert_true(json_equal(s, ovsdb_log_schema(log)));
    json_decref(s);
    for (unsigned int i = 1; i <= n_good; i++) {
        char k[32];
        snprintf(k, sizeof k, "row %u", i);
        json_t *want = insert_record(i, k);
        assert_int_equal(ovsdb_log_read(log, &rec), 0);
        assert_non_null(rec);
        assert_true(json_equal(rec, want));
        json_decref(rec);
        json_decref(want);
    }
    assert_int_equal(ovsdb_log_read(log, &rec), 0);
    assert_null(rec);
    return log;
}

static void
test_round_trip(void **state)
{
    (void) state;
    const char *path = path_for("rt.db");
    off_t ends[4];
    char *err = NULL;
    struct ovsdb_log *log;

    write_log(path, 3, ends);
    log = read_log(path, OVSDB_LOG_READ_ONLY, 3);
    assert_null(ovsdb_log_tail_error(log, NULL));
    json_t *empty = json_object();
    assert_int_equal(ovsdb_log_append(log, empty), -EBADF);
    json_decref(empty);
    ovsdb_log_close(log);

    /* The exact bytes of the schema record, per ovsdb(5). */
    size_t len;
    char *data = slurp(path, &len);
    char *nl = strchr(data, '\n');
    assert_non_null(nl);
    size_t body_len = strlen(schema_text) + 1;
    char want[128];
    snprintf(want, sizeof want, "OVSDB JSON %zu ", body_len);
    assert_memory_equal(data, want, strlen(want));
    assert_int_equal(nl - data, strlen(want) + 40);
    assert_memory_equal(nl + 1, schema_text, body_len - 1);
    assert_int_equal(nl[body_len], '\n');
    free(data);

    /* Create never replaces a file. */
    json_t *s = schema();
    assert_int_equal(ovsdb_log_create(path, s, &log, &err), -EEXIST);
    assert_non_null(err);
    free(err);
    json_decref(s);
    assert_int_equal(file_size(path), ends[3]);

    /* Not an object. */
    err = NULL;
    s = json_array();
    assert_int_equal(ovsdb_log_create(path_for("arr.db"), s, &log, &err),
                     -EINVAL);
    free(err);
    json_decref(s);

    /* Appending before reading to the end is refused. */
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_WRITE, &log, NULL),
                     0);
    json_t *rec = insert_record(9, "x");
    assert_int_equal(ovsdb_log_append(log, rec), -EINVAL);
    json_t *got;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ovsdb_log_read(log, &got), 0);
        json_decref(got);
    }
    assert_int_equal(ovsdb_log_read(log, &got), 0);
    assert_null(got);
    assert_int_equal(ovsdb_log_append(log, rec), 0);
    s = json_array();
    assert_int_equal(ovsdb_log_append(log, s), -EINVAL);
    json_decref(s);
    assert_int_equal(ovsdb_log_n_appended(log), 1);
    ovsdb_log_close(log);
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_ONLY, &log, NULL),
                     0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ovsdb_log_read(log, &got), 0);
        assert_non_null(got);
        if (i == 3) {
            assert_true(json_equal(got, rec));
        }
        json_decref(got);
    }
    assert_int_equal(ovsdb_log_read(log, &got), 0);
    assert_null(got);
    json_decref(rec);
    ovsdb_log_close(log);

    /* Missing file. */
    err = NULL;
    assert_int_equal(ovsdb_log_open(path_for("missing.db"),
                                    OVSDB_LOG_READ_ONLY, &log, &err),
                     -ENOENT);
    assert_non_null(strstr(err, "missing.db"));
    free(err);
}

static void
test_many_sizes(void **state)
{
    (void) state;
    const char *path = path_for("sizes.db");
    static const size_t sizes[] = {
        0, 1, 2, 3, 7, 15, 16, 17, 63, 64, 65, 100, 127, 128, 129, 255, 256,
        1000, 4095, 4096, 4097, 65535, 65536, 65537, 100000, 1 << 20,
    };
    size_t n = sizeof sizes / sizeof sizes[0];
    struct ovsdb_log *log;
    json_t *s = schema();

    assert_int_equal(ovsdb_log_create(path, s, &log, NULL), 0);
    json_decref(s);
    for (size_t i = 0; i < n; i++) {
        char *str = malloc(sizes[i] + 1);
        for (size_t j = 0; j < sizes[i]; j++) {
            /* Printable text with LFs, quotes, backslashes and tabs. */
            static const char alphabet[] = "ab\n\"\\\tz/{}[] 9";
            str[j] = alphabet[(j * 7 + i) % (sizeof alphabet - 1)];
        }
        str[sizes[i]] = '\0';
        json_t *rec = json_pack("{s:s, s:I, s:s}", "s", str,
                                "n", (json_int_t) sizes[i], "u",
                                "caf\xc3\xa9 \xe2\x82\xac");
        assert_int_equal(ovsdb_log_append(log, rec), 0);
        json_decref(rec);
        free(str);
    }
    ovsdb_log_close(log);

    /* Every record is two lines. */
    size_t len;
    char *data = slurp(path, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) {
        lines += data[i] == '\n';
    }
    assert_int_equal(lines, 2 * (n + 1));
    free(data);

    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_ONLY, &log, NULL),
                     0);
    for (size_t i = 0; i < n; i++) {
        json_t *rec;
        assert_int_equal(ovsdb_log_read(log, &rec), 0);
        assert_non_null(rec);
        const char *str = json_string_value(json_object_get(rec, "s"));
        assert_non_null(str);
        assert_int_equal(json_string_length(json_object_get(rec, "s")),
                         sizes[i]);
        assert_int_equal(json_integer_value(json_object_get(rec, "n")),
                         sizes[i]);
        if (sizes[i] > 2) {
            assert_int_equal(str[2], "ab\n\"\\\tz/{}[] 9"[(14 + i) % 14]);
        }
        assert_string_equal(json_string_value(json_object_get(rec, "u")),
                            "caf\xc3\xa9 \xe2\x82\xac");
        json_decref(rec);
    }
    json_t *rec;
    assert_int_equal(ovsdb_log_read(log, &rec), 0);
    assert_null(rec);
    assert_null(ovsdb_log_tail_error(log, NULL));
    ovsdb_log_close(log);
}

/* Cuts the last record at every byte: the earlier records survive, the
 * file is truncated to them, and appending afterwards works. */
static void
test_truncate_every_offset(void **state)
{
    (void) state;
    const char *path = path_for("trunc.db");
    const char *orig = path_for("trunc.orig");
    off_t ends[4];
    size_t len;
    char *data;
    unsigned int n_cuts = 0;

    write_log(orig, 3, ends);
    data = slurp(orig, &len);
    for (off_t cut = ends[2]; cut < ends[3]; cut++) {
        struct ovsdb_log *log;
        off_t where;

        spit(path, data, cut);
        log = read_log(path, OVSDB_LOG_READ_WRITE, 2);
        const char *why = ovsdb_log_tail_error(log, &where);
        if (cut == ends[2]) {
            assert_null(why);
        } else {
            assert_non_null(why);
            assert_non_null(strstr(why, "truncated"));
            assert_non_null(strstr(why, "record 3 at offset"));
            assert_int_equal(where, ends[2]);
        }
        assert_int_equal(file_size(path), ends[2]);

        json_t *rec = insert_record(3, "row 3");
        assert_int_equal(ovsdb_log_append(log, rec), 0);
        json_decref(rec);
        ovsdb_log_close(log);
        assert_int_equal(file_size(path), ends[3]);

        log = read_log(path, OVSDB_LOG_READ_ONLY, 3);
        assert_null(ovsdb_log_tail_error(log, NULL));
        ovsdb_log_close(log);
        n_cuts++;
    }
    assert_int_equal(n_cuts, ends[3] - ends[2]);

    /* Read-only: reported, not truncated. */
    spit(path, data, ends[3] - 5);
    struct ovsdb_log *log = read_log(path, OVSDB_LOG_READ_ONLY, 2);
    assert_non_null(ovsdb_log_tail_error(log, NULL));
    ovsdb_log_close(log);
    assert_int_equal(file_size(path), ends[3] - 5);

    /* A cut inside the schema record: the file is rejected, untouched. */
    for (off_t cut = 0; cut < ends[0]; cut++) {
        char *err = NULL;
        spit(path, data, cut);
        assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_WRITE, &log,
                                        &err), -EBADMSG);
        assert_non_null(err);
        assert_non_null(strstr(err, cut ? "bad schema record"
                                        : "empty file"));
        free(err);
        assert_int_equal(file_size(path), cut);
    }
    free(data);
}

static void
flip_bit(const char *path, off_t offset, int bit)
{
    int fd = open(path, O_RDWR);
    unsigned char c;

    assert_true(fd >= 0);
    assert_int_equal(pread(fd, &c, 1, offset), 1);
    c ^= 1u << bit;
    assert_int_equal(pwrite(fd, &c, 1, offset), 1);
    close(fd);
}

static void
test_bit_flip(void **state)
{
    (void) state;
    const char *path = path_for("flip.db");
    off_t ends[5];
    struct ovsdb_log *log;
    off_t where;
    char *err = NULL;

    /* In the JSON of the last record. */
    write_log(path, 4, ends);
    flip_bit(path, ends[4] - 10, 2);
    log = read_log(path, OVSDB_LOG_READ_WRITE, 3);
    const char *why = ovsdb_log_tail_error(log, &where);
    assert_non_null(why);
    assert_non_null(strstr(why, "SHA-1 mismatch"));
    assert_int_equal(where, ends[3]);
    ovsdb_log_close(log);
    assert_int_equal(file_size(path), ends[3]);

    /* In a middle record: it and everything after it are cut, but saved
     * first in a side file, and the message says what went. */
    write_log(path_for("flip.db"), 4, ends);
    flip_bit(path, ends[2] - 5, 0);
    size_t whole_len;
    char *whole = slurp(path, &whole_len);
    log = read_log(path, OVSDB_LOG_READ_WRITE, 1);
    why = ovsdb_log_tail_error(log, NULL);
    assert_non_null(strstr(why, "record 2"));
    assert_non_null(strstr(why, "(it and 2 more records)"));
    assert_non_null(strstr(why, "the last good transaction is record 1"));
    char *side = xasprintf("%s.cut-%jd", path, (intmax_t) ends[1]);
    assert_non_null(strstr(why, side));
    ovsdb_log_close(log);
    assert_int_equal(file_size(path), ends[1]);
    size_t side_len;
    char *saved = slurp(side, &side_len);
    assert_int_equal(side_len, whole_len - (size_t) ends[1]);
    assert_memory_equal(saved, whole + ends[1], side_len);
    free(saved);
    free(whole);
    unlink(side);
    free(side);

    /* In the schema: rejected, file untouched. */
    write_log(path_for("flip.db"), 4, ends);
    flip_bit(path, ends[0] - 3, 1);
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_WRITE, &log, &err),
                     -EBADMSG);
    assert_non_null(strstr(err, "SHA-1 mismatch"));
    assert_non_null(strstr(err, "bad schema record"));
    free(err);
    assert_int_equal(file_size(path), ends[4]);

    /* In the length of the last header: a bad length. */
    write_log(path_for("flip.db"), 4, ends);
    flip_bit(path, ends[3] + strlen("OVSDB JSON "), 3);     /* '1' -> '9' */
    log = read_log(path, OVSDB_LOG_READ_WRITE, 3);
    assert_non_null(ovsdb_log_tail_error(log, NULL));
    ovsdb_log_close(log);
    assert_int_equal(file_size(path), ends[3]);
}

/* Appends 'tail' to a good 2-record file, opens it read-write, checks the
 * tail is reported with 'expect' in the message and cut off. */
static void
check_bad_tail(const char *tail, size_t tail_len, const char *expect)
{
    const char *path = path_for("tail.db");
    off_t ends[3];
    struct ovsdb_log *log;

    write_log(path, 2, ends);
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    assert_int_equal(fwrite(tail, 1, tail_len, f), tail_len);
    fclose(f);

    log = read_log(path, OVSDB_LOG_READ_WRITE, 2);
    const char *why = ovsdb_log_tail_error(log, NULL);
    assert_non_null(why);
    if (!strstr(why, expect)) {
        fail_msg("'%s' does not say '%s'", why, expect);
    }
    json_t *rec = insert_record(3, "row 3");
    assert_int_equal(ovsdb_log_append(log, rec), 0);
    json_decref(rec);
    ovsdb_log_close(log);
    log = read_log(path, OVSDB_LOG_READ_ONLY, 3);
    assert_null(ovsdb_log_tail_error(log, NULL));
    ovsdb_log_close(log);
}

/* A header with a correct length and SHA-1 for 'body'. */
static char *
good_header_for(const char *body)
{
    char cmd[512];
    char hex[41] = "";
    char *out;

    snprintf(cmd, sizeof cmd, "printf '%%s\\n' '%s' | sha1sum", body);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_int_equal(fscanf(p, "%40s", hex), 1);
    pclose(p);
    assert_int_equal(asprintf(&out, "OVSDB JSON %zu %s\n%s\n",
                              strlen(body) + 1, hex, body) > 0, 1);
    return out;
}

static void
test_garbage(void **state)
{
    (void) state;
    static const char zeros[200];
    const char *sha = "0123456789abcdef0123456789abcdef01234567";
    char buf[512];

    check_bad_tail("garbage\n", 8, "garbage where a record header");
    check_bad_tail(zeros, sizeof zeros, "garbage");
    check_bad_tail("OVSDB JS", 8, "truncated header");
    check_bad_tail("OVSDB JSON 12", 13, "truncated header");
    check_bad_tail("OVSDB JSON x 1\n", 15, "no length");
    check_bad_tail("OVSDB JSON 0 x\n", 15, "length 0");
    snprintf(buf, sizeof buf, "OVSDB JSON 3x%s\n{}\n", sha);
    check_bad_tail(buf, strlen(buf), "no space after the length");
    check_bad_tail("OVSDB JSON 3 zz\n{}\n", 19, "not 40 hex digits");
    snprintf(buf, sizeof buf, "OVSDB JSON 3 %s0\n{}\n", sha);
    check_bad_tail(buf, strlen(buf), "trailing bytes");
    snprintf(buf, sizeof buf, "OVSDB JSON 99999999999999999999999 %s\n",
             sha);
    check_bad_tail(buf, strlen(buf), "too large");
    snprintf(buf, sizeof buf, "OVSDB JSON 1000 %s\n{}\n", sha);
    check_bad_tail(buf, strlen(buf), "header says 1000 bytes");
    memset(buf, 'x', 300);
    memcpy(buf, "OVSDB JSON 1", 12);
    check_bad_tail(buf, 300, "longer than");

    char *rec = good_header_for("not json");
    check_bad_tail(rec, strlen(rec), "not valid JSON");
    free(rec);
    rec = good_header_for("[1,2]");
    check_bad_tail(rec, strlen(rec), "not an object");
    free(rec);

    /* A clustered file is refused with its own message. */
    const char *path = path_for("cluster.db");
    struct ovsdb_log *log;
    char *err = NULL;
    snprintf(buf, sizeof buf, "OVSDB CLUSTER 3 %s\n{}\n", sha);
    spit(path, buf, strlen(buf));
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_ONLY, &log, &err),
                     -ENOTSUP);
    assert_non_null(strstr(err, "clustered"));
    free(err);

    /* Garbage first line. */
    err = NULL;
    spit(path, "hello\n", 6);
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_ONLY, &log, &err),
                     -EBADMSG);
    assert_non_null(strstr(err, "garbage"));
    free(err);

    /* A file whose schema record is fine but not an object. */
    err = NULL;
    rec = good_header_for("[3]");
    spit(path, rec, strlen(rec));
    free(rec);
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_ONLY, &log, &err),
                     -EBADMSG);
    assert_non_null(strstr(err, "not an object"));
    free(err);
}

static void
test_lock(void **state)
{
    (void) state;
    const char *path = path_for("lock.db");
    struct ovsdb_log *a, *b;
    char *err = NULL;

    write_log(path, 1, NULL);
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_WRITE, &a, NULL),
                     0);
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_WRITE, &b, &err),
                     -EAGAIN);
    assert_non_null(strstr(err, "locked"));
    free(err);
    /* Readers need no lock. */
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_ONLY, &b, NULL), 0);
    ovsdb_log_close(b);

    if (access(OVSDB_TOOL, X_OK) == 0) {
        /* ovsdb-tool honours the same lock file. */
        char cmd[1024];
        snprintf(cmd, sizeof cmd, OVSDB_TOOL " transact '%s' "
                 "'[\"LogTest\",{\"op\":\"insert\",\"table\":\"kv\","
                 "\"row\":{\"k\":\"t\"}}]' >/dev/null 2>&1", path);
        assert_int_not_equal(system(cmd), 0);
        ovsdb_log_close(a);
        assert_int_equal(system(cmd), 0);
    } else {
        ovsdb_log_close(a);
    }
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_WRITE, &b, NULL), 0);
    ovsdb_log_close(b);
}

struct sync_state {
    int calls;
    int order[1024];
    int errors[1024];
};

struct sync_req {
    struct sync_state *s;
    int id;
};

static void
sync_cb(int error, void *req_)
{
    struct sync_req *req = req_;
    struct sync_state *s = req->s;

    s->errors[s->calls] = error;
    s->order[s->calls++] = req->id;
}

static void
run_until(struct loop *loop, int *calls, int want)
{
    for (int i = 0; i < 500 && *calls < want; i++) {
        loop_run_once(loop, 20);
    }
    assert_int_equal(*calls, want);
}

static void
test_sync_async(void **state)
{
    (void) state;
    const char *path = path_for("sync.db");
    struct sync_state s = { 0 };
    struct sync_req reqs[5];
    struct ovsdb_log *log;
    struct loop *loop = loop_create();
    json_t *s0 = schema();

    assert_int_equal(ovsdb_log_create(path, s0, &log, NULL), 0);
    json_decref(s0);
    assert_true(ovsdb_log_event_fd(log) >= 0);
    assert_int_equal(ovsdb_log_attach_loop(log, loop), 0);
    for (int i = 0; i < 5; i++) {
        reqs[i] = (struct sync_req) { &s, i };
    }

    /* Nothing appended: completes at once (through the loop). */
    assert_int_equal(ovsdb_log_sync_async(log, sync_cb, &reqs[0]), 0);
    assert_int_equal(s.calls, 0);       /* Never from inside the call. */
    run_until(loop, &s.calls, 1);

    /* Several requests in a row complete in order. */
    for (int i = 1; i < 5; i++) {
        json_t *rec = insert_record(i, "r");
        assert_int_equal(ovsdb_log_append(log, rec), 0);
        json_decref(rec);
        assert_int_equal(ovsdb_log_sync_async(log, sync_cb, &reqs[i]), 0);
    }
    run_until(loop, &s.calls, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(s.order[i], i);
        assert_int_equal(s.errors[i], 0);
    }

    /* A request still pending at close completes on close. */
    json_t *rec = insert_record(9, "r");
    assert_int_equal(ovsdb_log_append(log, rec), 0);
    json_decref(rec);
    assert_int_equal(ovsdb_log_sync_async(log, sync_cb, &reqs[0]), 0);
    ovsdb_log_close(log);
    assert_int_equal(s.calls, 6);
    assert_int_equal(s.errors[5], 0);
    loop_destroy(loop);

    /* Read-only logs have nothing to sync. */
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_ONLY, &log, NULL),
                     0);
    assert_int_equal(ovsdb_log_event_fd(log), -1);
    assert_int_equal(ovsdb_log_sync_async(log, sync_cb, &reqs[0]), -EBADF);
    assert_int_equal(ovsdb_log_sync(log), -EBADF);
    ovsdb_log_close(log);
}

/* The snapshot of rows 1..n as one record. */
static json_t *
snapshot_record(unsigned int n)
{
    json_t *table = json_object();

    for (unsigned int i = 1; i <= n; i++) {
        char k[32], uuid[37];
        snprintf(k, sizeof k, "row %u", i);
        make_uuid(uuid, i);
        json_object_set_new(table, uuid, json_pack("{s:s, s:i}", "k", k,
                                                   "v", (json_int_t) i));
    }
    return json_pack("{s:o, s:s}", "kv", table,
                     "_comment", "compacting database online");
}

static void
compact_cb(int error, void *aux)
{
    int *result = aux;
    *result = error;
}

static void
test_compaction(void **state)
{
    (void) state;
    const char *path = path_for("compact.db");
    struct ovsdb_log *log;
    struct loop *loop = loop_create();
    off_t ends[41];
    json_t *rec;

    write_log(path, 40, ends);
    log = read_log(path, OVSDB_LOG_READ_WRITE, 40);
    assert_false(ovsdb_log_compact_due(log));        /* Under 10 MiB. */
    ovsdb_log_set_compact_policy(log, 4, 0);
    assert_false(ovsdb_log_compact_due(log));        /* Not grown yet. */
    assert_int_equal(ovsdb_log_attach_loop(log, loop), 0);

    /* Grow past 4x the size at open. */
    unsigned int n = 40;
    while (!ovsdb_log_compact_due(log)) {
        char k[32];
        snprintf(k, sizeof k, "row %u", ++n);
        rec = insert_record(n, k);
        assert_int_equal(ovsdb_log_append(log, rec), 0);
        json_decref(rec);
    }
    assert_true(ovsdb_log_size(log) >= 4 * ends[40]);
    off_t before = ovsdb_log_size(log);

    /* Compact in the background while appending and syncing. */
    int result = 1;
    assert_int_equal(ovsdb_log_compact_start(log, NULL, snapshot_record(n),
                                             compact_cb, &result), 0);
    assert_true(ovsdb_log_compacting(log));
    assert_false(ovsdb_log_compact_due(log));
    assert_int_equal(ovsdb_log_compact_start(log, NULL, snapshot_record(n),
                                             compact_cb, &result), -EBUSY);
    struct sync_state s = { 0 };
    struct sync_req req = { &s, 7 };
    unsigned int first_extra = n + 1;
    int syncs = 0;
    for (int i = 0; i < 2000 && ovsdb_log_compacting(log); i++) {
        char k[32];
        snprintf(k, sizeof k, "row %u", ++n);
        rec = insert_record(n, k);
        assert_int_equal(ovsdb_log_append(log, rec), 0);
        json_decref(rec);
        if (i % 3 == 0) {
            assert_int_equal(ovsdb_log_sync_async(log, sync_cb, &req), 0);
            syncs++;
        }
        loop_run_once(loop, 1);
    }
    assert_false(ovsdb_log_compacting(log));
    assert_int_equal(result, 0);
    run_until(loop, &s.calls, syncs);
    for (int i = 0; i < syncs; i++) {
        assert_int_equal(s.errors[i], 0);
    }
    /* And after it, appends go to the new file. */
    char k[32];
    snprintf(k, sizeof k, "row %u", ++n);
    rec = insert_record(n, k);
    assert_int_equal(ovsdb_log_append(log, rec), 0);
    json_decref(rec);
    assert_true(ovsdb_log_size(log) < before);
    assert_false(ovsdb_log_compact_due(log));
    ovsdb_log_close(log);
    loop_destroy(loop);

    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_equal(access(tmp, F_OK), -1);

    /* The new file: schema, snapshot, then the records carried over. */
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_ONLY, &log, NULL),
                     0);
    assert_int_equal(ovsdb_log_read(log, &rec), 0);
    json_t *want = snapshot_record(first_extra - 1);
    assert_true(json_equal(rec, want));
    json_decref(want);
    json_decref(rec);
    for (unsigned int i = first_extra; i <= n; i++) {
        snprintf(k, sizeof k, "row %u", i);
        want = insert_record(i, k);
        assert_int_equal(ovsdb_log_read(log, &rec), 0);
        assert_non_null(rec);
        assert_true(json_equal(rec, want));
        json_decref(rec);
        json_decref(want);
    }
    assert_int_equal(ovsdb_log_read(log, &rec), 0);
    assert_null(rec);
    assert_null(ovsdb_log_tail_error(log, NULL));
    ovsdb_log_close(log);

    /* Blocking compaction with a new schema. */
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_WRITE, &log, NULL),
                     0);
    while (ovsdb_log_read(log, &rec) == 0 && rec) {
        json_decref(rec);
    }
    json_t *s2 = schema();
    json_object_set_new(s2, "version", json_string("2.0.0"));
    json_t *snap = snapshot_record(n);
    assert_int_equal(ovsdb_log_compact(log, s2, snap), 0);
    assert_true(json_equal(ovsdb_log_schema(log), s2));
    ovsdb_log_close(log);
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_ONLY, &log, NULL),
                     0);
    assert_true(json_equal(ovsdb_log_schema(log), s2));
    assert_int_equal(ovsdb_log_read(log, &rec), 0);
    assert_true(json_equal(rec, snap));
    json_decref(rec);
    assert_int_equal(ovsdb_log_read(log, &rec), 0);
    assert_null(rec);
    /* Read-only and bad input are refused. */
    assert_int_equal(ovsdb_log_compact(log, NULL, snap), -EBADF);
    ovsdb_log_close(log);
    json_decref(s2);
    json_decref(snap);
}

/* Runs 'cmd', returns its stdout (malloc'd) and sets '*status'. */
static char *
run(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    char buf[4096];
    size_t n;

    assert_non_null(p);
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) {
        fwrite(buf, 1, n, mem);
    }
    *status = pclose(p);
    fclose(mem);
    return out;
}

static void
expect_output(const char *cmd, const char *needle)
{
    int status;
    char *out = run(cmd, &status);

    if (status != 0 || !strstr(out, needle)) {
        fail_msg("'%s' exited %d, output '%s' lacks '%s'", cmd, status, out,
                 needle);
    }
    free(out);
}

/* The last record of the file that 'path' names now. */
static json_t *
last_record_on_disk(const char *path)
{
    struct ovsdb_log *log;
    json_t *rec, *last = NULL;
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_ONLY, &log, NULL),
                     0);
    while (ovsdb_log_read(log, &rec) == 0 && rec) {
        json_decref(last);
        last = rec;
    }
    assert_null(ovsdb_log_tail_error(log, NULL));
    ovsdb_log_close(log);
    return last;
}

/* While a compaction runs - writing the snapshot, switching the files -
 * every record appended is at once in the file the path names (so a
 * process that dies right after an append, even mid-switch, leaves it
 * there), rounds after rounds. */
static void
test_compaction_hides_no_append(void **state)
{
    (void) state;
    const char *path = path_for("compact-invariant.db");
    struct loop *loop = loop_create();
    off_t ends[41];
    unsigned int n = 40;

    write_log(path, 40, ends);
    struct ovsdb_log *log = read_log(path, OVSDB_LOG_READ_WRITE, 40);
    assert_int_equal(ovsdb_log_attach_loop(log, loop), 0);
    int checked = 0;
    for (int round = 0; round < 5; round++) {
        int result = 1;
        assert_int_equal(ovsdb_log_compact_start(log, NULL,
                                                 snapshot_record(n),
                                                 compact_cb, &result), 0);
        while (ovsdb_log_compacting(log)) {
            char k[32];
            snprintf(k, sizeof k, "row %u", ++n);
            json_t *rec = insert_record(n, k);
            assert_int_equal(ovsdb_log_append(log, rec), 0);
            json_t *got = last_record_on_disk(path);
            assert_true(json_equal(got, rec));
            json_decref(got);
            json_decref(rec);
            checked++;
            loop_run_once(loop, 0);
        }
        assert_int_equal(result, 0);
    }
    assert_true(checked >= 5);
    ovsdb_log_close(log);
    loop_destroy(loop);
}

static void
test_ovsdb_tool_reads_ours(void **state)
{
    (void) state;
    if (access(OVSDB_TOOL, X_OK)) {
        skip();
    }
    const char *path = path_for("ours.db");
    char cmd[1024];
    off_t ends[4];

    write_log(path, 3, ends);
    snprintf(cmd, sizeof cmd, OVSDB_TOOL " db-name '%s'", path);
    expect_output(cmd, "LogTest\n");
    snprintf(cmd, sizeof cmd, OVSDB_TOOL " db-version '%s'", path);
    expect_output(cmd, "1.2.3\n");
    snprintf(cmd, sizeof cmd, OVSDB_TOOL " show-log -m '%s'", path);
    expect_output(cmd, "record 3:");
    snprintf(cmd, sizeof cmd, OVSDB_TOOL " query '%s' '[\"LogTest\","
             "{\"op\":\"select\",\"table\":\"kv\",\"where\":[[\"v\",\"==\","
             "3]]}]'", path);
    expect_output(cmd, "\"k\":\"row 3\"");

    /* After a torn tail was cut and an append. */
    size_t len;
    char *data = slurp(path, &len);
    spit(path, data, ends[3] - 7);
    free(data);
    struct ovsdb_log *log = read_log(path, OVSDB_LOG_READ_WRITE, 2);
    json_t *rec = insert_record(4, "row\nfour \"q\" \xc3\xa9");
    assert_int_equal(ovsdb_log_append(log, rec), 0);
    json_decref(rec);
    ovsdb_log_close(log);
    snprintf(cmd, sizeof cmd, OVSDB_TOOL " query '%s' '[\"LogTest\","
             "{\"op\":\"select\",\"table\":\"kv\",\"where\":[]}]'", path);
    expect_output(cmd, "\"k\":\"row\\nfour \\\"q\\\" \xc3\xa9\"");
    int status;
    char *out = run(cmd, &status);
    assert_int_equal(status, 0);
    assert_null(strstr(out, "row 3"));
    assert_non_null(strstr(out, "row 2"));
    free(out);

    /* After a compaction. */
    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_WRITE, &log, NULL),
                     0);
    while (ovsdb_log_read(log, &rec) == 0 && rec) {
        json_decref(rec);
    }
    json_t *snap = snapshot_record(2);
    assert_int_equal(ovsdb_log_compact(log, NULL, snap), 0);
    json_decref(snap);
    ovsdb_log_close(log);
    snprintf(cmd, sizeof cmd, OVSDB_TOOL " show-log '%s'", path);
    expect_output(cmd, "record 1:");
    snprintf(cmd, sizeof cmd, OVSDB_TOOL " query '%s' '[\"LogTest\","
             "{\"op\":\"select\",\"table\":\"kv\",\"where\":[[\"k\",\"==\","
             "\"row 2\"]]}]'", path);
    expect_output(cmd, "\"v\":2");
}

static void
test_we_read_ovsdb_tool(void **state)
{
    (void) state;
    if (access(OVSDB_TOOL, X_OK)) {
        skip();
    }
    const char *path = path_for("theirs.db");
    const char *schema_path = path_for("theirs.ovsschema");
    char cmd[1024];
    struct ovsdb_log *log;
    json_t *rec;

    spit(schema_path, schema_text, strlen(schema_text));
    snprintf(cmd, sizeof cmd, OVSDB_TOOL " create '%s' '%s'", path,
             schema_path);
    assert_int_equal(system(cmd), 0);
    static const char *const values[] = { "one", "two\\nlines", "three" };
    for (int i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd, OVSDB_TOOL " transact '%s' '[\"LogTest\","
                 "{\"op\":\"insert\",\"table\":\"kv\",\"row\":{\"k\":\"%s\","
                 "\"v\":%d}},{\"op\":\"comment\",\"comment\":\"c%d\"}]' "
                 ">/dev/null", path, values[i], i + 10, i);
        assert_int_equal(system(cmd), 0);
    }
    /* Their transaction record 4: update of "one". */
    snprintf(cmd, sizeof cmd, OVSDB_TOOL " transact '%s' '[\"LogTest\","
             "{\"op\":\"update\",\"table\":\"kv\",\"where\":[[\"k\",\"==\","
             "\"one\"]],\"row\":{\"v\":99}}]' >/dev/null", path);
    assert_int_equal(system(cmd), 0);

    assert_int_equal(ovsdb_log_open(path, OVSDB_LOG_READ_WRITE, &log, NULL),
                     0);
    json_t *s = schema();
    const json_t *theirs = ovsdb_log_schema(log);
    assert_string_equal(json_string_value(json_object_get(theirs, "name")),
                        "LogTest");
    assert_true(json_equal(json_object_get(theirs, "tables"),
                           json_object_get(s, "tables")));
    json_decref(s);
    static const char *const want_k[] = { "one", "two\nlines", "three" };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ovsdb_log_read(log, &rec), 0);
        assert_non_null(rec);
        json_t *table = json_object_get(rec, "kv");
        assert_int_equal(json_object_size(table), 1);
        json_t *row = json_object_iter_value(json_object_iter(table));
        assert_string_equal(json_string_value(json_object_get(row, "k")),
                            want_k[i]);
        assert_int_equal(json_integer_value(json_object_get(row, "v")),
                         i + 10);
        char c[8];
        snprintf(c, sizeof c, "c%d", i);
        assert_string_equal(
            json_string_value(json_object_get(rec, "_comment")), c);
        assert_true(json_is_integer(json_object_get(rec, "_date")));
        json_decref(rec);
    }
    assert_int_equal(ovsdb_log_read(log, &rec), 0);
    assert_non_null(rec);
    json_t *row = json_object_iter_value(
        json_object_iter(json_object_get(rec, "kv")));
    assert_int_equal(json_integer_value(json_object_get(row, "v")), 99);
    json_decref(rec);
    assert_int_equal(ovsdb_log_read(log, &rec), 0);
    assert_null(rec);
    assert_null(ovsdb_log_tail_error(log, NULL));

    /* We append to their file; they read it. */
    rec = insert_record(77, "ours");
    assert_int_equal(ovsdb_log_append(log, rec), 0);
    json_decref(rec);
    ovsdb_log_close(log);
    snprintf(cmd, sizeof cmd, OVSDB_TOOL " query '%s' '[\"LogTest\","
             "{\"op\":\"select\",\"table\":\"kv\",\"where\":[[\"v\",\"==\","
             "77]]}]'", path);
    expect_output(cmd, "\"k\":\"ours\"");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_many_sizes),
        cmocka_unit_test(test_truncate_every_offset),
        cmocka_unit_test(test_bit_flip),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_lock),
        cmocka_unit_test(test_sync_async),
        cmocka_unit_test(test_compaction),
        cmocka_unit_test(test_compaction_hides_no_append),
        cmocka_unit_test(test_ovsdb_tool_reads_ours),
        cmocka_unit_test(test_we_read_ovsdb_tool),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
