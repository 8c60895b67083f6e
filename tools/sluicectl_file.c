/* sluicectl_file: offline database file commands. */
#include "tools/sluicectl_file.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <jansson.h>

#include "ovsdb/builtin.h"
#include "ovsdb/db.h"
#include "ovsdb/error.h"
#include "ovsdb/log.h"
#include "ovsdb/schema.h"
#include "ovsdb/txn.h"
#include "src/util/vlog.h"
#include "tools/sluicectl_rpc.h"

#define CMD_ERROR SCTL_EXIT_CMD_ERROR

static long long
now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Reads a schema: the built-in one if 'path' is NULL.  Returns the JSON
 * (parsed into '*schemap' too if nonnull) or NULL after printing why. */
static json_t *
read_schema(const char *path, struct ovsdb_schema **schemap)
{
    json_error_t jerr;
    json_t *json = path ? json_load_file(path, 0, &jerr)
                        : json_loads(ovsdb_builtin_vswitch_schema(), 0, &jerr);
    if (!json) {
        sctl_fail("%s: cannot read schema: %s (line %d)",
                  path ? path : "built-in schema", jerr.text, jerr.line);
        return NULL;
    }
    struct ovsdb_schema *schema;
    json_t *err = ovsdb_schema_from_json(&schema, json);
    if (err) {
        sctl_fail("%s: bad schema: %s: %s", path ? path : "built-in schema",
                  ovsdb_error_tag(err), ovsdb_error_details(err));
        json_decref(err);
        json_decref(json);
        return NULL;
    }
    if (schemap) {
        *schemap = schema;
    } else {
        ovsdb_schema_destroy(schema);
    }
    return json;
}

/* A database file read into memory. */
struct dbfile {
    struct ovsdb_log *log;          /* Read-only handle. */
    struct ovsdb_db *db;
    uint64_t n_txns;                /* Transaction records applied. */
};

/* Called before each transaction record 'n' is applied to 'db'; 'error'
 * is NULL, or why it does not apply. */
typedef void record_cb(uint64_t n, const json_t *record,
                       const struct ovsdb_db *db, void *aux);

/* Opens 'path' read-only and replays it.  Returns 0, or CMD_ERROR after
 * printing the first problem: a record that is torn, corrupt (checksum,
 * length, JSON) or does not apply.  'cb' (may be NULL) sees every
 * record. */
static int
load_file(const char *path, struct dbfile *f, record_cb *cb, void *aux)
{
    char *errs = NULL;
    memset(f, 0, sizeof *f);
    int error = ovsdb_log_open(path, OVSDB_LOG_READ_ONLY, &f->log, &errs);
    if (error) {
        if (errs) {
            sctl_fail("%s", errs);
        } else {
            sctl_fail("%s: %s", path, strerror(-error));
        }
        free(errs);
        return CMD_ERROR;
    }
    struct ovsdb_schema *schema;
    json_t *err = ovsdb_schema_from_json(&schema, ovsdb_log_schema(f->log));
    if (err) {
        sctl_fail("%s: record 0: bad schema: %s: %s", path,
                  ovsdb_error_tag(err), ovsdb_error_details(err));
        json_decref(err);
        return CMD_ERROR;
    }
    f->db = ovsdb_db_create(schema);
    for (;;) {
        json_t *record;
        error = ovsdb_log_read(f->log, &record);
        if (error) {
            sctl_fail("%s: read error: %s", path, strerror(-error));
            return CMD_ERROR;
        }
        if (!record) {
            break;
        }
        if (cb) {
            cb(f->n_txns + 1, record, f->db, aux);
        }
        /* Open vSwitch's "_is_diff" records too. */
        err = ovsdb_txn_apply_record(f->db, record);
        json_decref(record);
        if (err) {
            sctl_fail("%s: record %" PRIu64 ": transaction does not apply: "
                      "%s: %s", path, f->n_txns + 1, ovsdb_error_tag(err),
                      ovsdb_error_details(err));
            json_decref(err);
            return CMD_ERROR;
        }
        f->n_txns++;
    }
    const char *tail = ovsdb_log_tail_error(f->log, NULL);
    if (tail) {
        /* The message names the file, the record and its offset. */
        sctl_fail("%s", tail);
        return CMD_ERROR;
    }
    return 0;
}

static void
dbfile_close(struct dbfile *f)
{
    if (f->db) {
        ovsdb_db_destroy(f->db);
    }
    if (f->log) {
        ovsdb_log_close(f->log);
    }
}

/* Takes the lock of 'path' and reads it to its end (which load_file()
 * found clean, so nothing is cut off) so that it may be rewritten. */
static int
lock_file(const char *path, struct ovsdb_log **logp)
{
    char *errs = NULL;
    int error = ovsdb_log_open(path, OVSDB_LOG_READ_WRITE, logp, &errs);
    if (error == -EAGAIN) {
        sctl_fail("%s: the database is locked by another process (is a "
                  "daemon serving it?); not changed", path);
    } else if (error) {
        sctl_fail("%s", errs ? errs : strerror(-error));
    }
    free(errs);
    return error ? CMD_ERROR : 0;
}

static int
read_to_end(struct ovsdb_log *log)
{
    for (;;) {
        json_t *record;
        int error = ovsdb_log_read(log, &record);
        if (error || !record) {
            if (!error && ovsdb_log_tail_error(log, NULL)) {
                error = -EBADMSG;   /* Changed since we checked it. */
            }
            if (error) {
                sctl_fail("%s: %s", ovsdb_log_path(log), strerror(-error));
            }
            return error ? CMD_ERROR : 0;
        }
        json_decref(record);
    }
}

/* Writes [schema, snapshot] as 'target' (a new file), or over 'log''s
 * file if 'target' is NULL. */
static int
write_snapshot(struct ovsdb_log *log, const char *target,
               const json_t *schema, const json_t *snapshot)
{
    char *errs = NULL;
    int error;
    if (!target) {
        error = ovsdb_log_compact(log, schema, snapshot);
        if (error) {
            sctl_fail("%s: cannot rewrite: %s", ovsdb_log_path(log),
                      strerror(-error));
        }
        return error ? CMD_ERROR : 0;
    }
    struct ovsdb_log *out;
    if (!schema) {
        schema = ovsdb_log_schema(log);
    }
    error = ovsdb_log_create(target, schema, &out, &errs);
    if (error) {
        sctl_fail("%s", errs ? errs : strerror(-error));
        free(errs);
        return CMD_ERROR;
    }
    error = ovsdb_log_append(out, snapshot);
    if (!error) {
        error = ovsdb_log_sync(out);
    }
    ovsdb_log_close(out);
    if (error) {
        sctl_fail("%s: write: %s", target, strerror(-error));
        remove(target);
        return CMD_ERROR;
    }
    return 0;
}

static json_t *
snapshot_of(const struct ovsdb_db *db, const char *comment)
{
    json_t *snap = ovsdb_db_to_json(db, now_ms());
    json_object_set_new(snap, "_comment", json_string(comment));
    return snap;
}

/* ---- Commands --------------------------------------------------------- */

static int
cmd_create(int argc, char *argv[])
{
    json_t *schema = read_schema(argc > 2 ? argv[2] : NULL, NULL);
    if (!schema) {
        return CMD_ERROR;
    }
    struct ovsdb_log *log;
    char *errs = NULL;
    int error = ovsdb_log_create(argv[1], schema, &log, &errs);
    json_decref(schema);
    if (error) {
        sctl_fail("%s", errs ? errs : strerror(-error));
        free(errs);
        return CMD_ERROR;
    }
    ovsdb_log_close(log);
    return 0;
}

static int
cmd_compact(int argc, char *argv[])
{
    const char *target = argc > 2 ? argv[2] : NULL;
    struct ovsdb_log *rw = NULL;
    struct dbfile f;
    int status = target ? 0 : lock_file(argv[1], &rw);
    if (!status) {
        status = load_file(argv[1], &f, NULL, NULL);
        if (!status && rw) {
            status = read_to_end(rw);
        }
        if (!status) {
            json_t *snap = snapshot_of(f.db, "sluicectl: db-compact");
            status = write_snapshot(rw ? rw : f.log, target, NULL, snap);
            json_decref(snap);
        }
        dbfile_close(&f);
    }
    if (rw) {
        ovsdb_log_close(rw);
    }
    return status;
}

/* The rows of 'old' as a record that inserts them into a database of
 * schema 'ns': only the tables and columns 'ns' still has. */
static json_t *
convert_record(const struct ovsdb_db *old, const struct ovsdb_schema *ns)
{
    json_t *record = json_object();
    for (size_t i = 0; i < ns->n_tables; i++) {
        const struct ovsdb_table_schema *nts = &ns->tables[i];
        const struct ovsdb_table *t = ovsdb_db_find_table(old, nts->name);
        if (!t || !ovsdb_table_n_rows(t)) {
            continue;
        }
        json_t *rows = json_object();
        size_t pos;
        for (const struct ovsdb_row *r = ovsdb_table_first(t, &pos); r;
             r = ovsdb_table_next(t, r, &pos)) {
            json_t *row = json_object();
            for (size_t c = OVSDB_N_RESERVED_COLUMNS; c < nts->n_columns;
                 c++) {
                const struct ovsdb_column_schema *ncol = &nts->columns[c];
                const struct ovsdb_column_schema *ocol
                    = ovsdb_table_schema_find_column(t->schema, ncol->name);
                if (!ocol || ncol->ephemeral) {
                    continue;
                }
                const struct ovsdb_datum *d = &r->fields[ocol->idx];
                if (!ovsdb_datum_is_default(d, &ocol->type)) {
                    json_object_set_new(row, ncol->name,
                                        ovsdb_datum_to_json(d, &ocol->type));
                }
            }
            char buf[OVSDB_UUID_LEN + 1];
            ovsdb_uuid_format(ovsdb_row_uuid(r), buf);
            json_object_set_new(rows, buf, row);
        }
        json_object_set_new(record, nts->name, rows);
    }
    return record;
}

static int
cmd_convert(int argc, char *argv[])
{
    const char *target = argc > 3 ? argv[3] : NULL;
    struct ovsdb_schema *ns;
    json_t *schema = read_schema(argv[2], &ns);
    if (!schema) {
        return CMD_ERROR;
    }
    struct ovsdb_db *ndb = ovsdb_db_create(ns);
    struct ovsdb_log *rw = NULL;
    struct dbfile f;
    int status = target ? 0 : lock_file(argv[1], &rw);
    if (!status) {
        status = load_file(argv[1], &f, NULL, NULL);
        if (!status && rw) {
            status = read_to_end(rw);
        }
        if (!status) {
            json_t *record = convert_record(f.db, ndb->schema);
            json_t *err = ovsdb_txn_apply_record(ndb, record);
            json_decref(record);
            if (err) {
                sctl_fail("%s: cannot convert to the schema of %s (%s %s): "
                          "%s: %s; not changed", argv[1], argv[2],
                          ndb->schema->name,
                          ndb->schema->version ? ndb->schema->version : "",
                          ovsdb_error_tag(err), ovsdb_error_details(err));
                json_decref(err);
                status = CMD_ERROR;
            }
        }
        if (!status) {
            json_t *snap = snapshot_of(ndb, "sluicectl: db-convert");
            status = write_snapshot(rw ? rw : f.log, target, schema, snap);
            json_decref(snap);
        }
        dbfile_close(&f);
    }
    if (rw) {
        ovsdb_log_close(rw);
    }
    ovsdb_db_destroy(ndb);
    json_decref(schema);
    return status;
}

static int
cmd_check(int argc, char *argv[])
{
    (void) argc;
    struct dbfile f;
    int status = load_file(argv[1], &f, NULL, NULL);
    if (!status) {
        const struct ovsdb_schema *s = f.db->schema;
        printf("%s: %" PRIu64 " records (schema %s %s and %" PRIu64
               " transactions), all valid\n", argv[1], f.n_txns + 1,
               s->name, s->version ? s->version : "", f.n_txns);
    }
    dbfile_close(&f);
    return status;
}

struct table_count {
    const char *table;
    unsigned int n[3];              /* Inserts, updates, deletes. */
};

static int
cmp_counts(const void *a_, const void *b_)
{
    const struct table_count *a = a_, *b = b_;
    return strcmp(a->table, b->table);
}

/* Prints one line for transaction record 'n'. */
static void
show_record(uint64_t n, const json_t *record, const struct ovsdb_db *db,
            void *aux)
{
    (void) aux;
    printf("record %" PRIu64 ":", n);
    json_t *date = json_object_get(record, "_date");
    if (json_is_integer(date)) {
        long long ms = json_integer_value(date);
        time_t secs = ms / 1000;
        struct tm tm;
        char buf[64];
        gmtime_r(&secs, &tm);
        strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
        printf(" %s.%03lld", buf, ms % 1000);
    }
    json_t *comment = json_object_get(record, "_comment");
    if (json_is_string(comment)) {
        char *s = json_dumps(comment, JSON_ENCODE_ANY);
        printf(" %s", s ? s : "?");
        free(s);
    }

    size_t n_tables = json_object_size(record), k = 0;
    struct table_count *counts = calloc(n_tables + 1, sizeof *counts);
    if (!counts) {
        abort();
    }
    const char *tname;
    json_t *rows;
    json_object_foreach ((json_t *) record, tname, rows) {
        if (tname[0] == '_') {
            continue;
        }
        struct table_count *tc = &counts[k++];
        const struct ovsdb_table *t = ovsdb_db_find_table(db, tname);
        tc->table = tname;
        const char *us;
        json_t *row;
        json_object_foreach (rows, us, row) {
            struct ovsdb_uuid u;
            bool exists = t && ovsdb_uuid_from_string(&u, us)
                          && ovsdb_table_find_row(t, &u);
            tc->n[json_is_null(row) ? 2 : exists ? 1 : 0]++;
        }
    }
    qsort(counts, k, sizeof *counts, cmp_counts);
    static const char *const what[3] = { "insert", "update", "delete" };
    for (size_t i = 0; i < k; i++) {
        printf("%s %s", i ? "," : "", counts[i].table);
        for (int j = 0; j < 3; j++) {
            if (counts[i].n[j]) {
                printf(" %u %s", counts[i].n[j], what[j]);
            }
        }
    }
    if (!k) {
        printf(" no changes");
    }
    printf("\n");
    free(counts);
}

static int
cmd_show_log(int argc, char *argv[])
{
    (void) argc;
    struct dbfile f;
    struct ovsdb_log *log;
    char *errs = NULL;
    /* The schema line first, even if the schema does not parse. */
    if (!ovsdb_log_open(argv[1], OVSDB_LOG_READ_ONLY, &log, &errs)) {
        const json_t *s = ovsdb_log_schema(log);
        const char *name = json_string_value(json_object_get(s, "name"));
        const char *version = json_string_value(json_object_get(s,
                                                                "version"));
        const char *cksum = json_string_value(json_object_get(s, "cksum"));
        printf("record 0: \"%s\" schema, version=\"%s\", cksum=\"%s\"\n",
               name ? name : "", version ? version : "", cksum ? cksum : "");
        ovsdb_log_close(log);
    }
    free(errs);
    int status = load_file(argv[1], &f, show_record, NULL);
    dbfile_close(&f);
    return status;
}

struct file_command {
    const char *name;
    int min_args, max_args;
    int (*run)(int argc, char *argv[]);
};

static const struct file_command file_commands[] = {
    { "db-create", 1, 2, cmd_create },
    { "db-convert", 2, 3, cmd_convert },
    { "db-compact", 1, 2, cmd_compact },
    { "db-show-log", 1, 1, cmd_show_log },
    { "db-check", 1, 1, cmd_check },
};

int
sluicectl_file_run(int argc, char *argv[])
{
    const struct file_command *cmd = NULL;
    for (size_t i = 0; i < sizeof file_commands / sizeof *file_commands;
         i++) {
        if (!strcmp(file_commands[i].name, argv[0])) {
            cmd = &file_commands[i];
        }
    }
    if (!cmd || argc - 1 < cmd->min_args || argc - 1 > cmd->max_args) {
        sctl_fail("%s: unknown file command or wrong number of arguments",
                  argv[0]);
        return EXIT_FAILURE;
    }
    /* The journal's own warnings would repeat ours. */
    const char *verr;
    vlog_set_spec("console:off", &verr);
    int status = cmd->run(argc, argv);
    if (fflush(stdout) && !status) {
        status = EXIT_FAILURE;
    }
    return status;
}
