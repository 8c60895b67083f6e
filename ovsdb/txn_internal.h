/* ovsdb/txn internals shared by txn.c (operations) and txn_commit.c
 * (integrity checks and commit).  Not for use outside ovsdb/txn*.c. */
#ifndef SLUICE_OVSDB_TXN_INTERNAL_H
#define SLUICE_OVSDB_TXN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "ovsdb/datum.h"
#include "ovsdb/db.h"
#include "ovsdb/txn.h"
#include "src/util/dstr.h"

/* A row the transaction touched: 'old' is the committed row (NULL if
 * inserted), 'new' the transaction's copy (NULL if deleted).  Both point
 * back here through their 'txn_row'. */
struct ovsdb_txn_row {
    struct ovsdb_txn_row *next;
    struct ovsdb_table *table;
    struct ovsdb_row *old;
    struct ovsdb_row *new;
    bool *changed;                  /* Filled at commit. */
};

struct ovsdb_txn {
    struct ovsdb_db *db;
    struct ovsdb_txn_row *head, **tail;
    struct ovsdb_row **dead;        /* Inserted, then deleted again. */
    size_t n_dead, cap_dead;
    struct ovsdb_row **touched;     /* Rows whose ref_delta was changed. */
    size_t n_touched, cap_touched;
    struct ovsdb_symtab symtab;
    struct dstr comment;
    bool has_comment;
    bool durable;
    bool read_only;                 /* ovsdb_txn_opts.read_only. */
};

/* The row with 'uuid' as the transaction sees it, or NULL. */
struct ovsdb_row *ovsdb_txn_find(struct ovsdb_table *,
                                 const struct ovsdb_uuid *);
/* The committed row, or the row inserted by the transaction, that carries
 * the reference count of 'uuid' (even if deleted), or NULL. */
struct ovsdb_row *ovsdb_txn_identity(struct ovsdb_table *,
                                     const struct ovsdb_uuid *);
/* A writable copy of 'row' (a row as the transaction sees it). */
struct ovsdb_row *ovsdb_txn_modify(struct ovsdb_txn *, struct ovsdb_row *);
void ovsdb_txn_delete(struct ovsdb_txn *, struct ovsdb_row *);

/* Iteration over the rows the transaction sees.  Do not insert or delete
 * rows while iterating. */
struct ovsdb_txn_iter {
    struct ovsdb_table *table;
    int phase;
    size_t pos;
    struct ovsdb_row *raw;
};
struct ovsdb_row *ovsdb_txn_iter_first(struct ovsdb_txn_iter *,
                                       struct ovsdb_table *);
struct ovsdb_row *ovsdb_txn_iter_next(struct ovsdb_txn_iter *);

/* txn_commit.c: weak references, garbage collection, referential
 * integrity, indexes, maxRows.  Returns NULL or the commit's error. */
json_t *ovsdb_txn_precommit(struct ovsdb_txn *);
/* Runs the database's checks (ovsdb_db_add_check_cb), builds the journal
 * record ('res->record') and hands it to the database's journal writer;
 * if a check or the writer fails, returns its error with nothing changed
 * (the caller aborts).  Otherwise makes the changes
 * permanent, runs the commit callbacks and returns NULL. */
json_t *ovsdb_txn_commit(struct ovsdb_txn *, long long now_ms,
                      struct ovsdb_txn_result *res);
/* Drops every change (after an error, a block, or after commit to free
 * the leftovers). */
void ovsdb_txn_abort(struct ovsdb_txn *);

#endif
