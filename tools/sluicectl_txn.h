/* sluicectl_txn: the changes that one sluicectl invocation makes to its
 * snapshot of the database (sluicectl_snap.h), and the one OVSDB
 * transaction that carries them.
 *
 * Commands joined by "--" read and change the snapshot in turn, so each
 * sees what the ones before it did (a bridge that add-br created is there
 * for the next "set"); the transaction is built only at the end.  New rows
 * get their UUID here (the "uuid" member of "insert"), so "create" can
 * print it and later commands can refer to it.  Every column written to a
 * row that existed, and every row deleted, is first checked with a "wait"
 * operation (timeout 0) against the value read: if another client changed
 * it meanwhile the transaction does nothing and the caller runs its
 * commands again on fresh data, as ovs-vsctl does with "verify". */
#ifndef SLUICE_SLUICECTL_TXN_H
#define SLUICE_SLUICECTL_TXN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "tools/sluicectl_snap.h"

struct sctl_change;

struct sctl_txn {
    struct sctl_snap *s;
    struct sctl_change *changes;    /* In the order rows were touched. */
    size_t n, cap;
};

void sctl_txn_init(struct sctl_txn *, struct sctl_snap *);
void sctl_txn_destroy(struct sctl_txn *);

/* A new row of 'ts' (fetched) with every column at its default, in the
 * snapshot from now on.  'uuid' NULL: a random one. */
const struct ovsdb_row *sctl_txn_insert(struct sctl_txn *,
                                        const struct ovsdb_table_schema *ts,
                                        const struct ovsdb_uuid *uuid);

/* Sets column 'col' of 'row' (a row of the snapshot) to '*value', which is
 * moved (left empty).  The caller has checked it against the column's
 * type. */
void sctl_txn_write(struct sctl_txn *, const struct ovsdb_row *row,
                    const struct ovsdb_column_schema *col,
                    struct ovsdb_datum *value);

/* Removes 'row' from the snapshot; it stays valid until
 * sctl_txn_destroy().  Only rows of root tables are deleted by the
 * transaction; the server collects the others once nothing refers to them
 * (so destroying a row that is still referred to does nothing, as in
 * ovs-vsctl). */
void sctl_txn_delete(struct sctl_txn *, const struct ovsdb_row *row);

/* Does the transaction change anything? */
bool sctl_txn_has_changes(const struct sctl_txn *);

/* The operations: the checks first ('*n_verify' of them), then the
 * inserts, updates and deletes. */
json_t *sctl_txn_ops(const struct sctl_txn *, size_t *n_verify);

#endif
