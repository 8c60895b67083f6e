/* ovsdb/log: see log.h. */
#include "ovsdb/log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "src/util/dstr.h"
#include "src/util/loop.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_log);

#define MAGIC "OVSDB JSON "
#define MAGIC_LEN (sizeof MAGIC - 1)
#define CLUSTER_MAGIC "OVSDB CLUSTER "
#define SHA1_HEX_LEN 40
/* "OVSDB JSON " + up to 20 digits + " " + 40 hex digits + "\n". */
#define MAX_HEADER_LEN 128

enum log_state {
    LS_READING,     /* Records left to read. */
    LS_READ_END,    /* Read to the end; appends allowed if read-write. */
};

/* Compaction job, shared with its thread under log->mutex ('phase',
 * 'renamed', 'abandon', and 'new_fd'/'new_size' once CJ_FINISH); the rest
 * is the thread's until CJ_DONE.
 *
 * From the hand-over (CJ_WRITTEN -> CJ_FINISH) until the rename, every
 * append goes to both files, so that whatever was appended is in the file
 * that the path names at every instant; the rename happens under the
 * mutex, between two appends; after it, appends go to the new file only,
 * until compact_finish() makes it the log's file. */
enum compact_phase {
    CJ_WRITING,     /* Thread writes [schema, snapshot] to PATH.tmp. */
    CJ_WRITTEN,     /* Written and fsynced; waits for the carried tail. */
    CJ_FINISH,      /* Thread fsyncs the new file, renames it. */
    CJ_DONE,        /* Thread finished (see 'error', 'renamed'). */
};

struct compact_job {
    struct ovsdb_log *log;
    json_t *schema;
    json_t *snapshot;
    char *tmp_path;
    int new_fd;
    off_t new_size;
    enum compact_phase phase;
    int error;
    bool renamed;
    int abandon;                /* Nonzero: do not rename (why). */
    size_t carried;             /* Bytes appended during CJ_WRITING. */
    ovsdb_log_cb *cb;
    void *aux;
    pthread_t thread;
};

struct sync_waiter {
    uint64_t seq;
    ovsdb_log_cb *cb;
    void *aux;
};

struct ovsdb_log {
    char *path;
    char *dir;
    enum ovsdb_log_mode mode;
    enum log_state state;
    int fd;                     /* Written under 'mutex' (sync thread). */
    int lock_fd;
    int event_fd;
    struct loop *loop;
    json_t *schema;

    off_t read_size;            /* File size when opened. */
    off_t offset;               /* End of the last good record. */
    uint64_t n_read;            /* Records read, schema included. */
    char *tail_error;
    off_t tail_offset;
    char *cut_path;             /* Where the cut bytes were saved. */
    long long last_date;        /* "_date" of the last good record. */
    char *last_comment;         /* Its "_comment", or NULL. */

    int error;                  /* Sticky write/fsync failure. */
    uint64_t n_appended;

    /* Compaction. */
    unsigned int compact_factor;
    off_t compact_min;
    off_t base_size;
    struct compact_job *job;
    bool finishing;             /* Appends go to both files. */
    struct dstr carry;          /* Appended while the job writes. */

    /* Completion callbacks (control thread only), FIFO. */
    struct sync_waiter *waiters;
    size_t n_waiters, head, cap_waiters;

    /* Shared with the helper threads. */
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool sync_started;
    pthread_t sync_thread;
    bool sync_exit;
    bool sync_paused;
    uint64_t seq_requested;
    uint64_t seq_synced;
    int sync_error;
};

static void
set_err(char **errp, char *msg)
{
    if (errp) {
        *errp = msg;
    } else {
        free(msg);
    }
}

static void
kick(int event_fd)
{
    uint64_t one = 1;

    if (event_fd >= 0 && write(event_fd, &one, sizeof one) < 0) {
        /* Counter overflow only; the fd stays readable. */
    }
}

static void
sha1_hex(const char *data, size_t len, char hex[SHA1_HEX_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    if (!EVP_Digest(data, len, md, &md_len, EVP_sha1(), NULL)
        || md_len != 20) {
        abort();
    }
    for (unsigned int i = 0; i < md_len; i++) {
        snprintf(&hex[i * 2], 3, "%02x", md[i]);
    }
}

/* Appends 'json' as a record (header line, JSON line) to 'out'. */
static int
record_format(const json_t *json, struct dstr *out)
{
    char hex[SHA1_HEX_LEN + 1];
    char *body;
    size_t len;

    if (!json_is_object(json)) {
        return -EINVAL;
    }
    body = json_dumps(json, JSON_COMPACT);
    if (!body) {
        return -EINVAL;
    }
    len = strlen(body);
    /* Compact output escapes LF inside strings and adds none; the line
     * must be one line, so refuse anything else. */
    if (memchr(body, '\n', len)) {
        free(body);
        return -EINVAL;
    }
    body = realloc(body, len + 2);
    if (!body) {
        abort();
    }
    body[len] = '\n';
    body[len + 1] = '\0';
    sha1_hex(body, len + 1, hex);
    dstr_printf(out, MAGIC "%zu %s\n", len + 1, hex);
    dstr_putn(out, body, len + 1);
    free(body);
    return 0;
}

/* Fault injection (ovsdb_log_inject_fault()). */
static _Atomic int fault_error[2];
static _Atomic unsigned int fault_count[2];

void
ovsdb_log_inject_fault(enum ovsdb_log_fault kind, int error,
                       unsigned int count)
{
    fault_error[kind] = error;
    fault_count[kind] = count;
}

/* The injected error for one more 'kind' operation, or 0. */
static int
take_fault(enum ovsdb_log_fault kind)
{
    unsigned int n = fault_count[kind];
    while (n) {
        if (atomic_compare_exchange_weak(&fault_count[kind], &n, n - 1)) {
            return fault_error[kind];
        }
    }
    return 0;
}

/* fdatasync() of the journal, with the injected fault if any. */
static int
journal_fdatasync(int fd)
{
    int r = take_fault(OVSDB_LOG_FAULT_SYNC);
    if (r) {
        return r;
    }
    return fdatasync(fd) < 0 ? -errno : 0;
}

static int
write_all(int fd, const char *data, size_t len, off_t offset)
{
    while (len > 0) {
        ssize_t n = pwrite(fd, data, len, offset);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        data += n;
        len -= n;
        offset += n;
    }
    return 0;
}

static int
read_all(int fd, char *data, size_t len, off_t offset)
{
    while (len > 0) {
        ssize_t n = pread(fd, data, len, offset);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            return -EIO;        /* Shrunk under us. */
        }
        data += n;
        len -= n;
        offset += n;
    }
    return 0;
}

static char *
dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash) {
        return strdup(".");
    }
    if (slash == path) {
        return strdup("/");
    }
    return strndup(path, slash - path);
}

static int
fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r = 0;

    if (fd < 0) {
        return -errno;
    }
    if (fsync(fd) < 0) {
        r = -errno;
    }
    close(fd);
    return r;
}

/* Takes the lock ovsdb-server and ovsdb-tool use: a write lock on
 * DIR/.NAME.~lock~.  An open-file-description lock conflicts with their
 * process locks and also with a second open in this process. */
static int
lock_file(struct ovsdb_log *log, char **errp)
{
    const char *slash = strrchr(log->path, '/');
    const char *base = slash ? slash + 1 : log->path;
    char *lock_path = xasprintf("%s/.%s.~lock~", log->dir, base);
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    int r = 0;

    log->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (log->lock_fd < 0) {
        r = -errno;
        set_err(errp, xasprintf("%s: cannot open lock file %s: %s",
                                log->path, lock_path, strerror(-r)));
    } else if (fcntl(log->lock_fd, F_OFD_SETLK, &fl) < 0) {
        r = errno == EACCES || errno == EAGAIN ? -EAGAIN : -errno;
        set_err(errp, xasprintf("%s: database is locked by another user "
                                "(%s): %s", log->path, lock_path,
                                strerror(errno)));
    }
    free(lock_path);
    return r;
}

static struct ovsdb_log *
log_alloc(const char *path, enum ovsdb_log_mode mode)
{
    struct ovsdb_log *log = calloc(1, sizeof *log);

    if (!log) {
        abort();
    }
    log->path = strdup(path);
    log->dir = dir_of(path);
    if (!log->path || !log->dir) {
        abort();
    }
    log->mode = mode;
    log->fd = -1;
    log->lock_fd = -1;
    log->event_fd = -1;
    log->compact_factor = 4;
    log->compact_min = 10 * 1024 * 1024;
    dstr_init(&log->carry);
    pthread_mutex_init(&log->mutex, NULL);
    pthread_cond_init(&log->cond, NULL);
    return log;
}

static void
log_free(struct ovsdb_log *log)
{
    if (log->fd >= 0) {
        close(log->fd);
    }
    if (log->event_fd >= 0) {
        close(log->event_fd);
    }
    if (log->lock_fd >= 0) {
        close(log->lock_fd);     /* Releases the lock. */
    }
    json_decref(log->schema);
    dstr_free(&log->carry);
    free(log->waiters);
    free(log->tail_error);
    free(log->cut_path);
    free(log->last_comment);
    free(log->dir);
    free(log->path);
    pthread_mutex_destroy(&log->mutex);
    pthread_cond_destroy(&log->cond);
    free(log);
}

static int
open_event_fd(struct ovsdb_log *log, char **errp)
{
    log->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (log->event_fd < 0) {
        int r = -errno;
        set_err(errp, xasprintf("%s: eventfd: %s", log->path, strerror(-r)));
        return r;
    }
    return 0;
}

/* Reads the record at 'offset' of a file of 'size' bytes.  Returns 0 with
 * '*jsonp' and '*lenp' (bytes of the whole record), 1 at a clean end,
 * -EBADMSG with '*whyp' (free() it) for a bad record, -ENOTSUP for a
 * clustered record header, another negative errno for I/O errors. */
static int
read_record(int fd, off_t offset, off_t size, json_t **jsonp, size_t *lenp,
            char **whyp)
{
    char hdr[MAX_HEADER_LEN + 1];
    char hex[SHA1_HEX_LEN + 1];
    off_t left = size - offset;
    size_t n_hdr, hdr_len, len;
    const char *p, *nl;
    json_error_t jerr;
    char *body;
    int r;

    *jsonp = NULL;
    *whyp = NULL;
    if (left <= 0) {
        return 1;
    }
    n_hdr = left < MAX_HEADER_LEN ? (size_t) left : MAX_HEADER_LEN;
    r = read_all(fd, hdr, n_hdr, offset);
    if (r) {
        return r;
    }
    hdr[n_hdr] = '\0';

    size_t cmp = n_hdr < MAGIC_LEN ? n_hdr : MAGIC_LEN;
    if (memcmp(hdr, MAGIC, cmp)) {
        size_t ccmp = n_hdr < strlen(CLUSTER_MAGIC) ? n_hdr
                                                   : strlen(CLUSTER_MAGIC);
        if (!memcmp(hdr, CLUSTER_MAGIC, ccmp)) {
            *whyp = strdup("clustered database record (\"OVSDB CLUSTER\"): "
                           "only standalone databases are supported");
            return -ENOTSUP;
        }
        *whyp = strdup("garbage where a record header "
                       "(\"OVSDB JSON <length> <sha1>\") should start");
        return -EBADMSG;
    }
    nl = memchr(hdr, '\n', n_hdr);
    if (!nl) {
        *whyp = n_hdr < MAX_HEADER_LEN
                ? xasprintf("truncated header: %zu bytes without an end "
                            "of line", n_hdr)
                : xasprintf("header line longer than %d bytes",
                            MAX_HEADER_LEN);
        return -EBADMSG;
    }
    hdr_len = nl - hdr + 1;

    /* <length>: a positive decimal integer, then one space. */
    p = hdr + MAGIC_LEN;
    len = 0;
    if (!isdigit((unsigned char) *p)) {
        *whyp = strdup("malformed header: no length");
        return -EBADMSG;
    }
    for (; isdigit((unsigned char) *p); p++) {
        if (len > (SIZE_MAX - 9) / 10) {
            *whyp = strdup("malformed header: length too large");
            return -EBADMSG;
        }
        len = len * 10 + (*p - '0');
    }
    if (len == 0) {
        *whyp = strdup("malformed header: length 0");
        return -EBADMSG;
    }
    if (*p++ != ' ') {
        *whyp = strdup("malformed header: no space after the length");
        return -EBADMSG;
    }
    /* <sha1>: 40 hex digits, then the LF. */
    for (int i = 0; i < SHA1_HEX_LEN; i++, p++) {
        if (!isxdigit((unsigned char) *p)) {
            *whyp = strdup("malformed header: SHA-1 is not 40 hex digits");
            return -EBADMSG;
        }
    }
    if (p != nl) {
        *whyp = strdup("malformed header: trailing bytes after the SHA-1");
        return -EBADMSG;
    }
    if ((off_t) len > left - (off_t) hdr_len) {
        *whyp = xasprintf("truncated record: header says %zu bytes of "
                          "JSON, only %jd remain in the file", len,
                          (intmax_t) (left - (off_t) hdr_len));
        return -EBADMSG;
    }

    body = malloc(len);
    if (!body) {
        return -ENOMEM;
    }
    r = read_all(fd, body, len, offset + hdr_len);
    if (r) {
        free(body);
        return r;
    }
    sha1_hex(body, len, hex);
    if (strncasecmp(hex, nl - SHA1_HEX_LEN, SHA1_HEX_LEN)) {
        *whyp = xasprintf("SHA-1 mismatch: header says %.40s, the %zu "
                          "bytes hash to %s", nl - SHA1_HEX_LEN, len, hex);
        free(body);
        return -EBADMSG;
    }
    *jsonp = json_loadb(body, len, 0, &jerr);
    free(body);
    if (!*jsonp) {
        *whyp = xasprintf("record is not valid JSON: %s (line %d, "
                          "column %d)", jerr.text, jerr.line, jerr.column);
        return -EBADMSG;
    }
    if (!json_is_object(*jsonp)) {
        json_decref(*jsonp);
        *jsonp = NULL;
        *whyp = strdup("record is JSON but not an object");
        return -EBADMSG;
    }
    *lenp = hdr_len + len;
    return 0;
}

int
ovsdb_log_open(const char *path, enum ovsdb_log_mode mode,
               struct ovsdb_log **logp, char **errp)
{
    struct ovsdb_log *log = log_alloc(path, mode);
    bool rw = mode == OVSDB_LOG_READ_WRITE;
    struct stat st;
    char *why;
    size_t len;
    int r;

    *logp = NULL;
    if (rw && ((r = lock_file(log, errp)) || (r = open_event_fd(log, errp)))) {
        goto fail;
    }
    log->fd = open(path, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (log->fd < 0 || fstat(log->fd, &st) < 0) {
        r = -errno;
        set_err(errp, xasprintf("%s: cannot open: %s", path, strerror(-r)));
        goto fail;
    }
    log->read_size = st.st_size;
    r = read_record(log->fd, 0, log->read_size, &log->schema, &len, &why);
    if (r == 1) {
        r = -EBADMSG;
        set_err(errp, xasprintf("%s: empty file: no schema record", path));
        goto fail;
    } else if (r == -EBADMSG || r == -ENOTSUP) {
        set_err(errp, xasprintf("%s: bad schema record (record 0 at offset "
                                "0): %s", path, why));
        free(why);
        goto fail;
    } else if (r) {
        set_err(errp, xasprintf("%s: read error: %s", path, strerror(-r)));
        goto fail;
    }
    log->offset = len;
    log->n_read = 1;
    log->state = LS_READING;
    *logp = log;
    return 0;

fail:
    log_free(log);
    return r;
}

int
ovsdb_log_create(const char *path, const json_t *schema,
                 struct ovsdb_log **logp, char **errp)
{
    struct ovsdb_log *log = log_alloc(path, OVSDB_LOG_READ_WRITE);
    char *tmp = xasprintf("%s.tmp", path);
    struct dstr buf = DSTR_INIT;
    int r;

    *logp = NULL;
    if ((r = lock_file(log, errp)) || (r = open_event_fd(log, errp))) {
        goto fail;
    }
    r = record_format(schema, &buf);
    if (r) {
        set_err(errp, xasprintf("%s: schema is not a JSON object", path));
        goto fail;
    }
    log->fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (log->fd < 0) {
        r = -errno;
        set_err(errp, xasprintf("%s: cannot create: %s", tmp, strerror(-r)));
        goto fail;
    }
    r = write_all(log->fd, buf.s, buf.len, 0);
    if (!r && fdatasync(log->fd) < 0) {
        r = -errno;
    }
    if (r) {
        set_err(errp, xasprintf("%s: write: %s", tmp, strerror(-r)));
        goto fail_unlink;
    }
    /* Never replace an existing database: link() fails with EEXIST. */
    if (link(tmp, path) < 0) {
        r = -errno;
        set_err(errp, xasprintf("%s: cannot create: %s", path,
                                strerror(-r)));
        goto fail_unlink;
    }
    unlink(tmp);
    r = fsync_dir(log->dir);
    if (r) {
        set_err(errp, xasprintf("%s: fsync: %s", log->dir, strerror(-r)));
        goto fail;
    }
    log->schema = json_deep_copy(schema);
    log->offset = log->base_size = buf.len;
    log->n_read = 1;
    log->state = LS_READ_END;
    dstr_free(&buf);
    free(tmp);
    *logp = log;
    return 0;

fail_unlink:
    unlink(tmp);
fail:
    dstr_free(&buf);
    free(tmp);
    log_free(log);
    return r;
}

const char *
ovsdb_log_path(const struct ovsdb_log *log)
{
    return log->path;
}

const json_t *
ovsdb_log_schema(const struct ovsdb_log *log)
{
    return log->schema;
}

/* How many record headers ("OVSDB JSON " at a line's start) the file has
 * from 'from' to 'to' (an estimate of the records after a corrupt one). */
static unsigned int
count_headers(int fd, off_t from, off_t to)
{
    static const char head[] = "\nOVSDB JSON ";
    char buf[65536 + sizeof head];
    size_t keep = 0;
    unsigned int n = 0;
    off_t pos = from;

    while (pos < to) {
        size_t want = to - pos < 65536 ? (size_t) (to - pos) : 65536;
        ssize_t got = pread(fd, buf + keep, want, pos);
        if (got <= 0) {
            break;
        }
        size_t len = keep + (size_t) got;
        for (size_t i = 0; i + sizeof head - 1 <= len; i++) {
            if (!memcmp(buf + i, head, sizeof head - 1)) {
                n++;
            }
        }
        keep = len < sizeof head - 1 ? len : sizeof head - 1;
        memmove(buf, buf + len - keep, keep);
        pos += got;
    }
    return n;
}

/* Copies the bytes from the last good record to the end of the file into
 * PATH.cut-OFFSET (or PATH.cut-OFFSET-XXXXXX if that exists; a new file,
 * fsynced).  Returns 0 (the name in
 * '*pathp') or a negative errno. */
static int
save_cut(struct ovsdb_log *log, char **pathp)
{
    char *path = xasprintf("%s.cut-%jd", log->path, (intmax_t) log->offset);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
        /* An earlier cut at the same place: keep it, add another. */
        free(path);
        path = xasprintf("%s.cut-%jd-XXXXXX", log->path,
                         (intmax_t) log->offset);
        fd = mkostemp(path, O_CLOEXEC);
    }
    if (fd < 0) {
        int r = -errno;
        free(path);
        return r;
    }
    char buf[65536];
    int r = 0;
    for (off_t pos = log->offset; pos < log->read_size && !r;) {
        size_t want = log->read_size - pos < (off_t) sizeof buf
                      ? (size_t) (log->read_size - pos) : sizeof buf;
        ssize_t got = pread(log->fd, buf, want, pos);
        if (got <= 0) {
            r = got < 0 ? -errno : -EIO;
            break;
        }
        for (ssize_t done = 0; done < got && !r;) {
            ssize_t w = write(fd, buf + done, (size_t) (got - done));
            if (w < 0) {
                r = -errno;
            } else {
                done += w;
            }
        }
        pos += got;
    }
    if (!r && fsync(fd) < 0) {
        r = -errno;
    }
    close(fd);
    if (r) {
        unlink(path);
        free(path);
        return r;
    }
    *pathp = path;
    return 0;
}

int
ovsdb_log_read(struct ovsdb_log *log, json_t **recordp)
{
    char *why;
    size_t len;
    int r;

    *recordp = NULL;
    if (log->state != LS_READING) {
        return 0;
    }
    r = read_record(log->fd, log->offset, log->read_size, recordp, &len,
                    &why);
    if (r == 0) {
        log->offset += len;
        log->n_read++;
        const json_t *date = json_object_get(*recordp, "_date");
        const json_t *comment = json_object_get(*recordp, "_comment");
        log->last_date = json_is_integer(date) ? json_integer_value(date)
                                               : 0;
        free(log->last_comment);
        log->last_comment = json_is_string(comment)
                            ? xasprintf("%s", json_string_value(comment))
                            : NULL;
        return 0;
    }
    if (r == 1) {
        log->state = LS_READ_END;
        log->base_size = log->offset;
        return 0;
    }
    if (r != -EBADMSG && r != -ENOTSUP) {
        return r;
    }

    /* A torn or corrupt tail: the log ends at the last good record.  What
     * follows is cut, but saved first (an operator may recover later
     * records by hand), and said loudly. */
    bool rw = log->mode == OVSDB_LOG_READ_WRITE;
    off_t cut = log->read_size - log->offset;
    unsigned int n_more = count_headers(log->fd, log->offset + 1,
                                        log->read_size);
    struct dstr last = DSTR_INIT;
    if (log->n_read > 1) {
        dstr_printf(&last, "the last good transaction is record %" PRIu64,
                    log->n_read - 1);
        if (log->last_date) {
            time_t t = (time_t) (log->last_date / 1000);
            char when[32];
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S",
                     gmtime(&t));
            dstr_printf(&last, ", written %s UTC", when);
        }
        if (log->last_comment) {
            dstr_printf(&last, " (\"%s\")", log->last_comment);
        }
    } else {
        dstr_put(&last, "no transaction is left, only the schema");
    }
    if (rw && cut > 0) {
        r = save_cut(log, &log->cut_path);
        if (r) {
            log->tail_error = xasprintf("%s: record %" PRIu64 " at offset "
                                        "%jd: %s; cannot save the %jd bytes "
                                        "after it before cutting them (%s): "
                                        "not opened", log->path,
                                        log->n_read, (intmax_t) log->offset,
                                        why, (intmax_t) cut, strerror(-r));
            VLOG_ERR("%s", log->tail_error);
            free(why);
            dstr_free(&last);
            return -EIO;
        }
    }
    log->tail_error = xasprintf("%s: record %" PRIu64 " at offset %jd: %s; "
                                "%s %jd bytes after the last good record "
                                "(it and %u more record%s); %s%s%s",
                                log->path, log->n_read,
                                (intmax_t) log->offset, why,
                                rw ? "truncated" : "ignoring",
                                (intmax_t) cut, n_more,
                                n_more == 1 ? "" : "s", dstr_cstr(&last),
                                log->cut_path ? "; the cut bytes are in "
                                              : "",
                                log->cut_path ? log->cut_path : "");
    free(why);
    dstr_free(&last);
    log->tail_offset = log->offset;
    if (rw && cut > 0) {
        VLOG_ERR("%s", log->tail_error);
    } else {
        VLOG_WARN("%s", log->tail_error);
    }
    if (rw) {
        if (ftruncate(log->fd, log->offset) < 0 || fdatasync(log->fd) < 0) {
            r = -errno;
            VLOG_ERR("%s: cannot truncate to %jd bytes: %s", log->path,
                     (intmax_t) log->offset, strerror(-r));
            return r;
        }
    }
    log->read_size = log->offset;
    log->state = LS_READ_END;
    log->base_size = log->offset;
    return 0;
}

const char *
ovsdb_log_tail_error(const struct ovsdb_log *log, off_t *offsetp)
{
    if (offsetp) {
        *offsetp = log->tail_error ? log->tail_offset : log->offset;
    }
    return log->tail_error;
}

/* Writes 'len' bytes at the end of the file.  On failure the file is cut
 * back to where it ended; if even that fails, the log is failed. */
static int
append_bytes(struct ovsdb_log *log, const char *data, size_t len)
{
    int r = take_fault(OVSDB_LOG_FAULT_WRITE);

    if (r && len > 1) {
        /* As a short write followed by the error: half the record is in
         * the file, so the cut below is exercised too. */
        if (write_all(log->fd, data, len / 2, log->offset) < 0) {
            r = -EIO;
        }
    } else if (!r) {
        r = write_all(log->fd, data, len, log->offset);
    }

    if (r) {
        if (ftruncate(log->fd, log->offset) < 0) {
            log->error = r;
        }
        VLOG_ERR("%s: write: %s", log->path, strerror(-r));
        return r;
    }
    log->offset += len;
    return 0;
}

/* An append while a compaction switches files (see struct compact_job):
 * into the old file (unless already replaced) and the new one. */
static int
finishing_append(struct ovsdb_log *log, const char *data, size_t len)
{
    struct compact_job *job = log->job;
    int r = 0;

    pthread_mutex_lock(&log->mutex);
    bool renamed = job->renamed;
    if (!renamed) {
        r = append_bytes(log, data, len);
    }
    if (!r && !job->abandon) {
        int w = take_fault(OVSDB_LOG_FAULT_WRITE);
        if (!w) {
            w = write_all(job->new_fd, data, len, job->new_size);
        }
        if (!w) {
            job->new_size += len;
        } else if (!renamed) {
            /* The old file has it: give up the new one. */
            job->abandon = w;
        } else {
            if (ftruncate(job->new_fd, job->new_size) < 0) {
                log->error = w;
            }
            VLOG_ERR("%s: write: %s", log->path, strerror(-w));
            r = w;
        }
    }
    pthread_mutex_unlock(&log->mutex);
    return r;
}

int
ovsdb_log_append(struct ovsdb_log *log, const json_t *record)
{
    struct dstr buf = DSTR_INIT;
    int r;

    if (log->mode != OVSDB_LOG_READ_WRITE) {
        return -EBADF;
    }
    if (log->state != LS_READ_END) {
        return -EINVAL;
    }
    if (log->error) {
        return log->error;
    }
    r = record_format(record, &buf);
    if (r) {
        goto out;
    }
    if (log->finishing) {
        r = finishing_append(log, buf.s, buf.len);
        if (r) {
            goto out;
        }
    } else {
        r = append_bytes(log, buf.s, buf.len);
        if (r) {
            goto out;
        }
        if (log->job) {
            dstr_putn(&log->carry, buf.s, buf.len);
        }
    }
    log->n_appended++;
out:
    dstr_free(&buf);
    return r;
}

uint64_t
ovsdb_log_n_appended(const struct ovsdb_log *log)
{
    return log->n_appended;
}

off_t
ovsdb_log_size(const struct ovsdb_log *log)
{
    return log->offset;
}

/* The fsync thread: fdatasync()s up to 'seq_requested' whenever it is ahead
 * of 'seq_synced', except while a compaction swaps files. */
static void *
sync_main(void *log_)
{
    struct ovsdb_log *log = log_;

    pthread_mutex_lock(&log->mutex);
    while (!log->sync_exit) {
        if (!log->sync_paused && !log->sync_error
            && log->seq_requested > log->seq_synced) {
            uint64_t target = log->seq_requested;
            int fd = dup(log->fd);
            int r = 0;

            pthread_mutex_unlock(&log->mutex);
            if (fd < 0) {
                r = -errno;
            } else {
                r = journal_fdatasync(fd);
                close(fd);
            }
            pthread_mutex_lock(&log->mutex);
            if (r) {
                log->sync_error = r;
            } else if (target > log->seq_synced) {
                log->seq_synced = target;
            }
            kick(log->event_fd);
            continue;
        }
        pthread_cond_wait(&log->cond, &log->mutex);
    }
    pthread_mutex_unlock(&log->mutex);
    return NULL;
}

static void compact_poll(struct ovsdb_log *, bool wait);

int
ovsdb_log_sync(struct ovsdb_log *log)
{
    if (log->mode != OVSDB_LOG_READ_WRITE) {
        return -EBADF;
    }
    if (log->job) {
        compact_poll(log, true);
    }
    if (log->error) {
        return log->error;
    }
    log->error = journal_fdatasync(log->fd);
    if (log->error) {
        VLOG_ERR("%s: fdatasync: %s", log->path, strerror(-log->error));
    }
    pthread_mutex_lock(&log->mutex);
    if (log->error && !log->sync_error) {
        log->sync_error = log->error;
    } else if (!log->error && log->n_appended > log->seq_synced) {
        log->seq_synced = log->n_appended;
    }
    pthread_mutex_unlock(&log->mutex);
    if (log->n_waiters) {
        kick(log->event_fd);
    }
    return log->error;
}

int
ovsdb_log_sync_async(struct ovsdb_log *log, ovsdb_log_cb *cb, void *aux)
{
    struct sync_waiter *w;
    uint64_t seq = log->n_appended;

    if (log->mode != OVSDB_LOG_READ_WRITE) {
        return -EBADF;
    }
    if (!log->sync_started) {
        int r = pthread_create(&log->sync_thread, NULL, sync_main, log);
        if (r) {
            return -r;
        }
        log->sync_started = true;
    }
    if (log->head + log->n_waiters == log->cap_waiters) {
        if (log->head) {
            memmove(log->waiters, log->waiters + log->head,
                    log->n_waiters * sizeof *log->waiters);
            log->head = 0;
        } else {
            log->cap_waiters = log->cap_waiters ? 2 * log->cap_waiters : 8;
            log->waiters = realloc(log->waiters,
                                   log->cap_waiters * sizeof *log->waiters);
            if (!log->waiters) {
                abort();
            }
        }
    }
    w = &log->waiters[log->head + log->n_waiters++];
    w->seq = seq;
    w->cb = cb;
    w->aux = aux;

    pthread_mutex_lock(&log->mutex);
    if (seq > log->seq_requested) {
        log->seq_requested = seq;
        pthread_cond_broadcast(&log->cond);
    } else if (seq <= log->seq_synced || log->sync_error) {
        kick(log->event_fd);
    }
    pthread_mutex_unlock(&log->mutex);
    return 0;
}

int
ovsdb_log_event_fd(const struct ovsdb_log *log)
{
    return log->event_fd;
}

static void
run_waiters(struct ovsdb_log *log)
{
    uint64_t synced;
    int error;

    pthread_mutex_lock(&log->mutex);
    synced = log->seq_synced;
    error = log->sync_error;
    pthread_mutex_unlock(&log->mutex);
    if (error && !log->error) {
        /* Sticky: the kernel may have dropped pages it could not write, so
         * no later append may be reported durable either. */
        log->error = error;
        VLOG_ERR("%s: fdatasync: %s; the journal refuses further writes",
                 log->path, strerror(-error));
    }

    while (log->n_waiters) {
        struct sync_waiter w = log->waiters[log->head];

        if (w.seq > synced && !error) {
            break;
        }
        log->head++;
        log->n_waiters--;
        if (!log->n_waiters) {
            log->head = 0;
        }
        if (w.cb) {
            w.cb(w.seq <= synced ? 0 : error, w.aux);
        }
    }
}

void
ovsdb_log_run(struct ovsdb_log *log)
{
    uint64_t count;

    if (log->event_fd < 0) {
        return;
    }
    if (read(log->event_fd, &count, sizeof count) < 0) {
        /* EAGAIN: nothing new, still look. */
    }
    if (log->job) {
        compact_poll(log, false);
    }
    run_waiters(log);
}

static void
loop_cb(int fd, uint32_t events, void *log)
{
    (void) fd;
    (void) events;
    ovsdb_log_run(log);
}

int
ovsdb_log_attach_loop(struct ovsdb_log *log, struct loop *loop)
{
    int r;

    if (log->event_fd < 0 || log->loop) {
        return -EINVAL;
    }
    r = loop_add_fd(loop, log->event_fd, EPOLLIN, loop_cb, log);
    if (!r) {
        log->loop = loop;
    }
    return r;
}

/* Compaction thread. */
static void *
compact_main(void *job_)
{
    struct compact_job *job = job_;
    struct ovsdb_log *log = job->log;
    struct dstr buf = DSTR_INIT;
    struct stat st;
    int r;

    r = record_format(job->schema, &buf);
    if (!r) {
        r = record_format(job->snapshot, &buf);
    }
    json_decref(job->snapshot);
    job->snapshot = NULL;
    if (!r) {
        mode_t mode = stat(log->path, &st) ? 0640 : st.st_mode & 07777;

        job->new_fd = open(job->tmp_path,
                           O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        r = job->new_fd < 0 ? -errno : 0;
    }
    if (!r) {
        r = write_all(job->new_fd, buf.s, buf.len, 0);
    }
    if (!r && fdatasync(job->new_fd) < 0) {
        r = -errno;
    }
    job->new_size = buf.len;
    dstr_free(&buf);

    pthread_mutex_lock(&log->mutex);
    job->error = r;
    job->phase = CJ_WRITTEN;
    kick(log->event_fd);
    pthread_cond_broadcast(&log->cond);
    while (job->phase != CJ_FINISH) {
        pthread_cond_wait(&log->cond, &log->mutex);
    }
    pthread_mutex_unlock(&log->mutex);

    /* The carried records and the appends since are in the new file too;
     * make them durable there (appends that come meanwhile are only
     * reported durable after the switch, by the fsync thread). */
    if (!r && fdatasync(job->new_fd) < 0) {
        r = -errno;
    }
    if (!r) {
        /* Between two appends, so that both files hold all of them. */
        pthread_mutex_lock(&log->mutex);
        r = job->abandon;
        if (!r) {
            if (rename(job->tmp_path, log->path) < 0) {
                r = -errno;
            } else {
                job->renamed = true;
            }
        }
        pthread_mutex_unlock(&log->mutex);
        if (job->renamed) {
            r = fsync_dir(log->dir);
        }
    }
    if (!job->renamed) {
        /* Under the mutex: appends stop writing to it first. */
        pthread_mutex_lock(&log->mutex);
        if (!job->abandon) {
            job->abandon = r ? r : -EIO;
        }
        if (job->new_fd >= 0) {
            close(job->new_fd);
            job->new_fd = -1;
        }
        pthread_mutex_unlock(&log->mutex);
        unlink(job->tmp_path);
    }

    pthread_mutex_lock(&log->mutex);
    job->error = r;
    job->phase = CJ_DONE;
    kick(log->event_fd);
    pthread_cond_broadcast(&log->cond);
    pthread_mutex_unlock(&log->mutex);
    return NULL;
}

static void
compact_finish(struct ovsdb_log *log)
{
    struct compact_job *job = log->job;
    int error = job->error;

    pthread_join(job->thread, NULL);
    if (job->renamed) {
        int old;

        pthread_mutex_lock(&log->mutex);
        old = log->fd;
        log->fd = job->new_fd;
        pthread_mutex_unlock(&log->mutex);
        close(old);
        log->offset = log->base_size = job->new_size;
        json_decref(log->schema);
        log->schema = job->schema;
        job->schema = NULL;
        if (error) {
            /* Only the directory fsync failed: the new file is in place,
             * its name may not be durable yet, so nothing appended to it
             * may be reported durable. */
            VLOG_ERR("%s: compacted, but fsync of %s failed: %s; the "
                     "journal refuses further writes", log->path, log->dir,
                     strerror(-error));
            log->error = error;
        }
    } else {
        VLOG_ERR("%s: compaction failed, keeping the old file: %s",
                 log->path, strerror(-error));
    }
    if (job->renamed && !error) {
        VLOG_INFO("%s: compacted to %jd bytes (%zu bytes appended during "
                  "the snapshot carried over)", log->path,
                  (intmax_t) log->offset, job->carried);
    }
    log->finishing = false;
    log->job = NULL;
    dstr_clear(&log->carry);

    pthread_mutex_lock(&log->mutex);
    log->sync_paused = false;
    if (log->error && !log->sync_error) {
        log->sync_error = log->error;
    }
    pthread_cond_broadcast(&log->cond);
    pthread_mutex_unlock(&log->mutex);
    kick(log->event_fd);

    json_decref(job->schema);
    free(job->tmp_path);
    if (job->cb) {
        job->cb(error, job->aux);
    }
    free(job);
}

/* Advances the compaction: hands over the carried records once the thread
 * wrote the snapshot, finishes once it is done.  Waits if 'wait'. */
static void
compact_poll(struct ovsdb_log *log, bool wait)
{
    struct compact_job *job = log->job;

    pthread_mutex_lock(&log->mutex);
    for (;;) {
        if (job->phase == CJ_WRITTEN) {
            if (!job->error) {
                /* The records appended meanwhile go into the new file (the
                 * page cache: no waiting), and from now on appends go to
                 * both files; nothing is reported durable until the new
                 * file is in place. */
                int w = log->carry.len
                        ? write_all(job->new_fd, log->carry.s,
                                    log->carry.len, job->new_size)
                        : 0;
                if (w) {
                    job->abandon = w;
                } else {
                    job->new_size += log->carry.len;
                    job->carried = log->carry.len;
                    log->finishing = true;
                    log->sync_paused = true;
                }
                dstr_clear(&log->carry);
            }
            job->phase = CJ_FINISH;
            pthread_cond_broadcast(&log->cond);
        }
        if (job->phase == CJ_DONE || !wait) {
            break;
        }
        pthread_cond_wait(&log->cond, &log->mutex);
    }
    bool done = job->phase == CJ_DONE;
    pthread_mutex_unlock(&log->mutex);
    if (done) {
        compact_finish(log);
    }
}

int
ovsdb_log_compact_start(struct ovsdb_log *log, json_t *schema,
                        json_t *snapshot, ovsdb_log_cb *cb, void *aux)
{
    struct compact_job *job;
    int r = 0;

    if (log->mode != OVSDB_LOG_READ_WRITE) {
        r = -EBADF;
    } else if (log->state != LS_READ_END) {
        r = -EINVAL;
    } else if (log->job) {
        r = -EBUSY;
    } else if (log->error) {
        r = log->error;
    } else if (!json_is_object(snapshot)
               || (schema && !json_is_object(schema))) {
        r = -EINVAL;
    }
    if (r) {
        json_decref(schema);
        json_decref(snapshot);
        return r;
    }

    job = calloc(1, sizeof *job);
    if (!job) {
        abort();
    }
    job->log = log;
    job->schema = schema ? schema : json_deep_copy(log->schema);
    job->snapshot = snapshot;
    job->tmp_path = xasprintf("%s.tmp", log->path);
    job->new_fd = -1;
    job->phase = CJ_WRITING;
    job->cb = cb;
    job->aux = aux;
    dstr_clear(&log->carry);
    r = pthread_create(&job->thread, NULL, compact_main, job);
    if (r) {
        json_decref(job->schema);
        json_decref(job->snapshot);
        free(job->tmp_path);
        free(job);
        return -r;
    }
    log->job = job;
    return 0;
}

static void
store_error(int error, void *errorp)
{
    *(int *) errorp = error;
}

int
ovsdb_log_compact(struct ovsdb_log *log, const json_t *schema,
                  const json_t *snapshot)
{
    int error = 0;
    int r;

    r = ovsdb_log_compact_start(log, schema ? json_deep_copy(schema) : NULL,
                                json_deep_copy(snapshot), store_error,
                                &error);
    if (r) {
        return r;
    }
    compact_poll(log, true);
    return error;
}

bool
ovsdb_log_compacting(const struct ovsdb_log *log)
{
    return log->job != NULL;
}

bool
ovsdb_log_compact_due(const struct ovsdb_log *log)
{
    return !log->job && log->state == LS_READ_END
           && log->mode == OVSDB_LOG_READ_WRITE
           && log->offset >= log->compact_min
           && log->offset / log->compact_factor >= log->base_size;
}

void
ovsdb_log_set_compact_policy(struct ovsdb_log *log, unsigned int factor,
                             off_t min_bytes)
{
    log->compact_factor = factor ? factor : 1;
    log->compact_min = min_bytes;
}

void
ovsdb_log_close(struct ovsdb_log *log)
{
    if (!log) {
        return;
    }
    if (log->job) {
        compact_poll(log, true);
    }
    if (log->n_waiters) {
        ovsdb_log_sync(log);
    }
    if (log->sync_started) {
        pthread_mutex_lock(&log->mutex);
        log->sync_exit = true;
        pthread_cond_broadcast(&log->cond);
        pthread_mutex_unlock(&log->mutex);
        pthread_join(log->sync_thread, NULL);
    }
    run_waiters(log);
    if (log->loop) {
        loop_del_fd(log->loop, log->event_fd);
    }
    log_free(log);
}
