/* ovsdb/db: an in-memory database: one table of rows (keyed by UUID) per
 * table of its schema, the commit callbacks of the in-process API, the
 * journal writer hook (which may refuse a commit before it becomes
 * visible), and the conversion of a whole database or of one commit's
 * changes to the transaction records of the standalone file format
 * (ovsdb(5)).  The
 * database owns its schema, its tables and their rows.  Rows change only
 * through transactions (ovsdb/txn). */
#ifndef SLUICE_OVSDB_DB_H
#define SLUICE_OVSDB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ovsdb/row.h"
#include "ovsdb/schema.h"

struct ovsdb_db;
struct ovsdb_txn;

struct ovsdb_table {
    const struct ovsdb_table_schema *schema;
    struct ovsdb_db *db;
    struct ovsdb_rowmap rows;       /* Committed rows. */
    struct ovsdb_rowmap txn_new;    /* Rows inserted by the running txn. */
};

/* One row changed by a committed transaction.  'old' is NULL for an
 * insert, 'new' NULL for a delete.  'changed[i]' tells whether column i
 * differs (all true for inserts and deletes; _version always true). */
struct ovsdb_row_change {
    struct ovsdb_table *table;
    const struct ovsdb_row *old;
    const struct ovsdb_row *new;
    const bool *changed;
};

struct ovsdb_commit {
    const struct ovsdb_row_change *changes;
    size_t n_changes;
    const char *comment;            /* Joined "comment" ops, or NULL. */
    bool durable;                   /* A "commit" op asked for it. */
    const json_t *record;           /* Journal record, NULL if nothing
                                     * persistent changed. */
    uint64_t txn_seq;               /* 1, 2, ... per committed txn. */
};

/* Called after each commit that changed at least one row, before the
 * transaction's reply exists.  Rows stay valid only during the call.  A
 * callback must not run a transaction itself (defer it to the loop). */
typedef void ovsdb_commit_cb(struct ovsdb_db *, const struct ovsdb_commit *,
                             void *aux);

/* The journal writer: called once per commit whose changes touch a
 * persistent column, with the commit's record (see below), after every
 * check passed but before any change is visible and before the commit
 * callbacks.  Returns NULL, or an error object (stolen by the caller):
 * then the transaction is rolled back and that error is its result. */
typedef json_t *ovsdb_journal_cb(struct ovsdb_db *, const json_t *record,
                                 void *aux);

/* A check of the in-process API: called with the changes of every commit,
 * after the transaction's own checks and before the journal, nothing yet
 * visible.  Returns NULL, or an error object (e.g. a "constraint
 * violation" saying why; stolen by the caller) that rolls the transaction
 * back and becomes its result.  Rows stay valid only during the call; a
 * check must not run a transaction. */
typedef json_t *ovsdb_check_cb(struct ovsdb_db *,
                               const struct ovsdb_row_change *, size_t n,
                               void *aux);

struct ovsdb_db_check {
    ovsdb_check_cb *cb;
    void *aux;
};

struct ovsdb_db_cb {
    ovsdb_commit_cb *cb;
    void *aux;
};

struct ovsdb_db {
    struct ovsdb_schema *schema;
    struct ovsdb_table *tables;     /* Same order as schema->tables. */
    size_t n_tables;
    struct ovsdb_db_cb *cbs;
    size_t n_cbs;
    struct ovsdb_db_check *checks;
    size_t n_checks;
    ovsdb_journal_cb *journal;      /* NULL: nothing is journaled. */
    void *journal_aux;
    struct ovsdb_txn *txn;          /* Running transaction, if any. */
    bool in_callbacks;
    uint64_t txn_seq;               /* Committed transactions so far. */
};

/* An empty database; takes ownership of 'schema'. */
struct ovsdb_db *ovsdb_db_create(struct ovsdb_schema *schema);
void ovsdb_db_destroy(struct ovsdb_db *);

struct ovsdb_table *ovsdb_db_find_table(const struct ovsdb_db *,
                                        const char *name);
static inline struct ovsdb_table *
ovsdb_db_table(const struct ovsdb_db *db, const struct ovsdb_table_schema *ts)
{
    return &db->tables[ts->idx];
}

/* Committed rows (what readers outside a transaction see). */
const struct ovsdb_row *ovsdb_table_find_row(const struct ovsdb_table *,
                                             const struct ovsdb_uuid *);
static inline size_t
ovsdb_table_n_rows(const struct ovsdb_table *t)
{
    return t->rows.n;
}
/* Iteration over committed rows, in no particular order. */
const struct ovsdb_row *ovsdb_table_first(const struct ovsdb_table *,
                                          size_t *pos);
const struct ovsdb_row *ovsdb_table_next(const struct ovsdb_table *,
                                         const struct ovsdb_row *,
                                         size_t *pos);

/* Sets (or with NULL clears) the journal writer. */
void ovsdb_db_set_journal(struct ovsdb_db *, ovsdb_journal_cb *, void *aux);

int ovsdb_db_add_check_cb(struct ovsdb_db *, ovsdb_check_cb *, void *aux);
void ovsdb_db_remove_check_cb(struct ovsdb_db *, ovsdb_check_cb *,
                              void *aux);
/* Runs the checks; the first error (or NULL). */
json_t *ovsdb_db_run_checks(struct ovsdb_db *,
                            const struct ovsdb_row_change *, size_t n);

int ovsdb_db_add_commit_cb(struct ovsdb_db *, ovsdb_commit_cb *, void *aux);
/* Returns -ENOENT if ('cb', 'aux') was not registered. */
int ovsdb_db_remove_commit_cb(struct ovsdb_db *, ovsdb_commit_cb *,
                              void *aux);
void ovsdb_db_run_commit_cbs(struct ovsdb_db *, const struct ovsdb_commit *);

/* ---- Journal records (ovsdb(5), standalone format) ---------------------
 * A record is a JSON object {"<table>": {"<uuid>": <row> | null, ...},
 * ..., "_date": <ms>, "_comment": "..."}.  <row> is {"<column>": <value>}
 * in RFC 7047 notation: for new rows every column whose value is not its
 * type's default, for modified rows only the columns that changed;
 * ephemeral columns are never included.  The journal writer (ovsdb/log)
 * frames and writes these objects as they are; replaying them in order
 * with ovsdb_txn_apply_record() rebuilds the database. */

/* The whole database as one record (every row as a new row): with the
 * schema as the first record, a compacted database file.  'date_ms' 0
 * omits "_date".  Never NULL. */
json_t *ovsdb_db_to_json(const struct ovsdb_db *, long long date_ms);
/* The record for one commit's changes, or NULL if none of them is
 * persistent (only ephemeral columns changed). */
json_t *ovsdb_changes_to_record(const struct ovsdb_row_change *, size_t n,
                                const char *comment, long long date_ms);

#endif
