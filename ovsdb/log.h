/* ovsdb/log: the on-disk journal of a standalone OVSDB database, in Open
 * vSwitch's file format (ovsdb(5)), so that ovsdb-tool reads our files and
 * we read its files.
 *
 * A file is a series of records, each two lines:
 *     OVSDB JSON <length> <sha1>\n
 *     <json>\n
 * where <length> counts the JSON line with its LF and <sha1> (40 lowercase
 * hex digits) is the SHA-1 of exactly those <length> bytes.  The first
 * record is the schema, every later one a transaction (opaque to this
 * module: any JSON object).
 *
 * A 'struct ovsdb_log' owns one open file: its descriptor, the lock on it
 * (".NAME.~lock~" beside it, the lock file ovsdb-tool and ovsdb-server
 * take), the schema record, a fsync thread (started on the first
 * ovsdb_log_sync_async()) and at most one compaction thread.  All functions
 * are for one thread (the control thread); the helper threads report back
 * through an eventfd (ovsdb_log_event_fd()) that the loop watches, and
 * their completion callbacks run in the control thread from ovsdb_log_run().
 *
 * Not stalling the loop:
 *   - ovsdb_log_append() only write()s into the page cache.
 *   - ovsdb_log_sync_async() asks the fsync thread for a fdatasync() of all
 *     that was appended before the call; requests that arrive while one
 *     fdatasync() runs share the next one (group commit).
 *   - ovsdb_log_compact_start() serialises, writes and fsyncs the new file
 *     in a thread; meanwhile appends go on into the old file and are also
 *     kept in memory, then written into the new file (page cache only)
 *     when the thread is done with it.  From then until the switch, every
 *     append goes to both files, and the thread fsyncs the new file and
 *     renames it over the old one between two appends; so at every
 *     instant the file the path names holds every record appended (a
 *     process killed at any point loses nothing it was told was
 *     appended).  Fsync completions are held back from the hand-over
 *     until the directory is fsynced after the rename, so that nothing is
 *     ever reported durable in a file that is about to be replaced.
 * Blocking variants (ovsdb_log_sync(), ovsdb_log_compact(), close) exist for
 * tools, start-up and tests.
 *
 * Errors: functions return 0 or a negative errno.  A failed fdatasync()
 * leaves the log failed (sticky): later appends and syncs return that
 * error, since the kernel may have dropped the unwritten pages.  A failed
 * write() (ENOSPC, EIO) fails that append; the partial record is cut off
 * again, and only if that fails too is the log failed.  So a full disk
 * refuses appends until space is freed, while nothing that was refused
 * is ever in the file. */
#ifndef SLUICE_OVSDB_LOG_H
#define SLUICE_OVSDB_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

struct ovsdb_log;
struct loop;

enum ovsdb_log_mode {
    OVSDB_LOG_READ_ONLY,    /* No lock, no truncation, no appends. */
    OVSDB_LOG_READ_WRITE,   /* Locked; corrupt tail truncated; appends. */
};

/* Creates 'path', which must not exist, holding only 'schema' (any JSON
 * object), durably: the file is written as "PATH.tmp", fsynced, then moved
 * to 'path' (never replacing a file), and the directory is fsynced.
 * On success '*logp' is open for appending.  On failure '*errp' (if
 * nonnull) gets a message to free(). */
int ovsdb_log_create(const char *path, const json_t *schema,
                     struct ovsdb_log **logp, char **errp);

/* Opens 'path' and reads its first record, the schema.  A file whose first
 * record is missing, torn or corrupt is rejected (-EBADMSG, or -ENOTSUP for
 * a clustered file) with a message in '*errp' (if nonnull; free() it).
 * -EAGAIN: another process holds the lock. */
int ovsdb_log_open(const char *path, enum ovsdb_log_mode,
                   struct ovsdb_log **logp, char **errp);

/* Waits for any compaction and for pending fsyncs, runs the callbacks
 * still waiting, then closes everything. */
void ovsdb_log_close(struct ovsdb_log *);

const char *ovsdb_log_path(const struct ovsdb_log *);
/* The schema record (the one given on create or last compaction). */
const json_t *ovsdb_log_schema(const struct ovsdb_log *);

/* Reads the next transaction record into '*recordp' (a new reference).
 * At the end of the log, returns 0 with '*recordp' NULL.  If the end is a
 * torn or corrupt record (truncated header or JSON, bad length, SHA-1
 * mismatch, not JSON, not an object, garbage), the log ends at the last
 * good record: ovsdb_log_tail_error() says where and why, the module logs
 * it as a warning, and in read-write mode the file is truncated (and
 * fsynced) there.  Returns a negative errno only on I/O errors. */
int ovsdb_log_read(struct ovsdb_log *, json_t **recordp);

/* After ovsdb_log_read() reached the end: NULL if the file ended cleanly,
 * otherwise why not; '*offsetp' (if nonnull) gets the offset of the bad
 * record, which is where the file now ends. */
const char *ovsdb_log_tail_error(const struct ovsdb_log *, off_t *offsetp);

/* Appends 'record' (a JSON object; not stolen).  Allowed once reading
 * reached the end (or right after create).  Not durable until a sync.
 * A write that fails part-way is cut off again, so the file stays clean.
 * -EINVAL: not an object, or the log was not read to its end; -EBADF:
 * read-only. */
int ovsdb_log_append(struct ovsdb_log *, const json_t *record);

/* Number of records appended since open (monotonic, across compactions). */
uint64_t ovsdb_log_n_appended(const struct ovsdb_log *);
/* Current size of the file in bytes. */
off_t ovsdb_log_size(const struct ovsdb_log *);

/* Blocking: makes everything appended so far durable (fdatasync). */
int ovsdb_log_sync(struct ovsdb_log *);

/* Completion callback: 'error' is 0 or a negative errno. */
typedef void ovsdb_log_cb(int error, void *aux);

/* Non-blocking: 'cb' will be called from ovsdb_log_run() once every record
 * appended before this call is durable (or with an error).  Callbacks run
 * in request order. */
int ovsdb_log_sync_async(struct ovsdb_log *, ovsdb_log_cb *cb, void *aux);

/* The eventfd (EPOLLIN) that says the helper threads finished something;
 * -1 for a read-only log.  When it is readable, call ovsdb_log_run(). */
int ovsdb_log_event_fd(const struct ovsdb_log *);
/* Runs the completion callbacks that are due and advances compaction.
 * Never blocks. */
void ovsdb_log_run(struct ovsdb_log *);
/* Registers the event fd on 'loop' so that ovsdb_log_run() is called by
 * the loop (unregistered by ovsdb_log_close()). */
int ovsdb_log_attach_loop(struct ovsdb_log *, struct loop *);

/* Compaction: replaces the file with [schema, snapshot], where 'snapshot'
 * is one transaction record that holds the whole database as of now, i.e.
 * including every record appended so far.  'schema' NULL keeps the current
 * schema.  ovsdb_log_compact_start() steals both references (they must be
 * used by nobody else: the thread serialises them) and calls 'cb' from
 * ovsdb_log_run() when done; records appended meanwhile are carried over
 * into the new file.  -EBUSY if a compaction is running.  On failure the
 * old file stays as it was. */
int ovsdb_log_compact_start(struct ovsdb_log *, json_t *schema,
                            json_t *snapshot, ovsdb_log_cb *cb, void *aux);
/* Blocking variant (borrows 'schema' and 'snapshot'). */
int ovsdb_log_compact(struct ovsdb_log *, const json_t *schema,
                      const json_t *snapshot);
bool ovsdb_log_compacting(const struct ovsdb_log *);

/* True when the file has grown past 'factor' times its size right after
 * the last compaction (or open) and past 'min_bytes', and no compaction
 * is running.  Defaults: 4 and 10 MiB. */
bool ovsdb_log_compact_due(const struct ovsdb_log *);
void ovsdb_log_set_compact_policy(struct ovsdb_log *, unsigned int factor,
                                  off_t min_bytes);

/* Fault injection for tests: the next 'count' write()s of appended
 * records (OVSDB_LOG_FAULT_WRITE) or fdatasync()s of the journal
 * (OVSDB_LOG_FAULT_SYNC), in any log of the process, fail with the
 * negative errno 'error' as if the kernel had returned it.  'count' 0
 * clears the fault.  Thread-safe. */
enum ovsdb_log_fault {
    OVSDB_LOG_FAULT_WRITE,
    OVSDB_LOG_FAULT_SYNC,
};
void ovsdb_log_inject_fault(enum ovsdb_log_fault, int error,
                            unsigned int count);

#endif
