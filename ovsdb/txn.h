/* ovsdb/txn: the transaction engine of RFC 7047's "transact" (section
 * 4.1.3 and the operations of 5.2): insert (with uuid-name and named-uuid
 * references anywhere in the transaction), select, update, mutate,
 * delete, wait, commit, abort, comment and assert.  A transaction works
 * on copies of the rows it touches and commits whole or not at all; at
 * commit it removes weak references to missing rows, collects unreferenced
 * rows of non-root tables, and checks strong references, indexes, maxRows
 * and set sizes.  Remote clients (the JSON-RPC server) and the rest of
 * sluiced (local transactions) both go through ovsdb_txn_execute().  The
 * engine owns the running transaction; callers own the result. */
#ifndef SLUICE_OVSDB_TXN_H
#define SLUICE_OVSDB_TXN_H

#include <stdbool.h>

#include <jansson.h>

#include "ovsdb/db.h"

/* Whether this session owns lock 'name' (for "assert"). */
typedef bool ovsdb_lock_owned_cb(const char *name, void *aux);

struct ovsdb_txn_opts {
    ovsdb_lock_owned_cb *lock_owned;    /* NULL: no lock is owned. */
    void *lock_aux;
    /* Time since the request first arrived, for "wait" timeouts. */
    long long elapsed_ms;
    /* Writes are "not allowed" (ovsdb-server's reserved _Server). */
    bool read_only;
    /* "_date" of the journal record; 0 takes the current time. */
    long long now_ms;
};

enum ovsdb_txn_status {
    OVSDB_TXN_DONE,         /* 'result' holds the reply's "result". */
    OVSDB_TXN_BLOCKED,      /* A "wait" does not hold yet: nothing was
                             * done; run the same request again after the
                             * database changes or 'wait_ms' passes. */
};

struct ovsdb_txn_result {
    json_t *result;         /* DONE: the "result" array. */
    bool committed;         /* DONE and the changes (if any) committed. */
    bool durable;           /* A "commit" op had "durable": true. */
    long long wait_ms;      /* BLOCKED: retry within this many ms; -1 if
                             * no wait has a timeout. */
    json_t *record;         /* Committed: the journal record, NULL if
                             * nothing persistent changed. */
};

/* Executes 'ops' (the operations: "params" without the database name)
 * on 'db'.  The result array has one element per operation: the
 * operation's result, or an error object for the one that failed
 * followed by nulls for those not attempted; if all succeeded but the
 * commit failed, one more element holds that error.  A malformed 'ops'
 * (not an array) gives a one-element error result. */
enum ovsdb_txn_status ovsdb_txn_execute(struct ovsdb_db *, const json_t *ops,
                                        const struct ovsdb_txn_opts *,
                                        struct ovsdb_txn_result *);
void ovsdb_txn_result_destroy(struct ovsdb_txn_result *);

/* Local transactions: executes 'ops' with no locks and no waiting and
 * returns the first error object in the result (a new reference), or
 * NULL if the transaction committed.  '*result' (may be NULL) receives
 * the result array. */
json_t *ovsdb_txn_local(struct ovsdb_db *, const json_t *ops,
                        json_t **result);

/* Replays one journal record (see db.h) as a transaction: rows named
 * with null are deleted, others inserted (with their UUID) or updated.
 * Members whose name starts with "_" are not tables.  In a record marked
 * "_is_diff": true (as Open vSwitch's ovsdb-server writes them), the
 * columns of an updated row hold differences (datum.h), applied to the
 * row's current values.  Returns NULL or the error that stopped it (the
 * database is then unchanged). */
json_t *ovsdb_txn_apply_record(struct ovsdb_db *, const json_t *record);

#endif
