/* ovsdb/txn: commit-time work - reference counts, garbage collection,
 * weak references, referential integrity, indexes, maxRows - and making
 * a transaction's changes permanent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/error.h"
#include "ovsdb/txn_internal.h"

static void
touch(struct ovsdb_txn *txn, struct ovsdb_row *r, long d)
{
    r->ref_delta += d;
    if (txn->n_touched == txn->cap_touched) {
        txn->cap_touched = txn->cap_touched ? 2 * txn->cap_touched : 32;
        txn->touched = realloc(txn->touched,
                               txn->cap_touched * sizeof *txn->touched);
        if (!txn->touched) {
            abort();
        }
    }
    txn->touched[txn->n_touched++] = r;
}

static void
base_refs(struct ovsdb_txn *txn, const struct ovsdb_base_type *b,
          const union ovsdb_atom *atoms, size_t n, long d)
{
    if (!ovsdb_base_type_is_strong_ref(b)) {
        return;
    }
    struct ovsdb_table *rt = ovsdb_db_table(txn->db, b->ref_table);
    for (size_t i = 0; i < n; i++) {
        struct ovsdb_row *r = ovsdb_txn_identity(rt, &atoms[i].uuid);
        if (r) {
            touch(txn, r, d);
        }
    }
}

static void
column_refs(struct ovsdb_txn *txn, const struct ovsdb_column_schema *c,
            const struct ovsdb_datum *v, long d)
{
    base_refs(txn, &c->type.key, v->keys, v->n, d);
    if (v->values) {
        base_refs(txn, &c->type.value, v->values, v->n, d);
    }
}

static bool
has_strong_refs(const struct ovsdb_column_schema *c)
{
    return ovsdb_base_type_is_strong_ref(&c->type.key)
           || ovsdb_base_type_is_strong_ref(&c->type.value);
}

/* Adds 'd' to the count of every row that 'row' strongly references. */
static void
row_refs(struct ovsdb_txn *txn, const struct ovsdb_row *row, long d)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    for (size_t i = OVSDB_N_RESERVED_COLUMNS; i < ts->n_columns; i++) {
        if (has_strong_refs(&ts->columns[i])) {
            column_refs(txn, &ts->columns[i], &row->fields[i], d);
        }
    }
}

static void
count_refs(struct ovsdb_txn *txn)
{
    for (struct ovsdb_txn_row *tr = txn->head; tr; tr = tr->next) {
        if (tr->old && tr->new) {
            const struct ovsdb_table_schema *ts = tr->table->schema;
            for (size_t i = OVSDB_N_RESERVED_COLUMNS; i < ts->n_columns;
                 i++) {
                const struct ovsdb_column_schema *c = &ts->columns[i];
                if (has_strong_refs(c)
                    && !ovsdb_datum_equals(&tr->old->fields[i],
                                           &tr->new->fields[i], &c->type)) {
                    column_refs(txn, c, &tr->old->fields[i], -1);
                    column_refs(txn, c, &tr->new->fields[i], 1);
                }
            }
        } else if (tr->old) {
            row_refs(txn, tr->old, -1);
        } else if (tr->new) {
            row_refs(txn, tr->new, 1);
        }
    }
}

static void
gc_candidate(struct ovsdb_txn *txn, struct ovsdb_row *id)
{
    if (id->table->schema->is_root || id->n_refs + id->ref_delta) {
        return;
    }
    struct ovsdb_row *v = ovsdb_txn_find(id->table, ovsdb_row_uuid(id));
    if (v) {
        row_refs(txn, v, -1);
        ovsdb_txn_delete(txn, v);
    }
}

/* Deletes rows of non-root tables that nothing references any more. */
static void
collect_garbage(struct ovsdb_txn *txn)
{
    for (struct ovsdb_txn_row *tr = txn->head; tr; tr = tr->next) {
        if (!tr->old && tr->new) {
            gc_candidate(txn, tr->new);
        }
    }
    for (size_t i = 0; i < txn->n_touched; i++) {
        gc_candidate(txn, txn->touched[i]);
    }
}

static json_t *
check_base_exists(struct ovsdb_txn *txn, const struct ovsdb_txn_row *tr,
                  const struct ovsdb_column_schema *c,
                  const struct ovsdb_base_type *b,
                  const union ovsdb_atom *atoms, size_t n)
{
    if (!ovsdb_base_type_is_strong_ref(b)) {
        return NULL;
    }
    struct ovsdb_table *rt = ovsdb_db_table(txn->db, b->ref_table);
    for (size_t i = 0; i < n; i++) {
        if (!ovsdb_txn_find(rt, &atoms[i].uuid)) {
            char u[OVSDB_UUID_LEN + 1], r[OVSDB_UUID_LEN + 1];
            ovsdb_uuid_format(&atoms[i].uuid, u);
            ovsdb_uuid_format(ovsdb_row_uuid(tr->new), r);
            return ovsdb_error(OVSDB_E_REFERENTIAL, "Table %s column %s row "
                               "%s references nonexistent row %s in table "
                               "%s.",
                               tr->table->schema->name, c->name, r, u,
                               rt->schema->name);
        }
    }
    return NULL;
}

/* The transaction's rows, latest first (the order ovsdb-server checks
 * them in); caller frees. */
static struct ovsdb_txn_row **
rows_latest_first(struct ovsdb_txn *txn, size_t *n)
{
    size_t cap = 16;
    struct ovsdb_txn_row **v = malloc(cap * sizeof *v);
    if (!v) {
        abort();
    }
    *n = 0;
    for (struct ovsdb_txn_row *tr = txn->head; tr; tr = tr->next) {
        if (*n == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            if (!v) {
                abort();
            }
        }
        v[(*n)++] = tr;
    }
    for (size_t i = 0; i < *n / 2; i++) {
        struct ovsdb_txn_row *tmp = v[i];
        v[i] = v[*n - 1 - i];
        v[*n - 1 - i] = tmp;
    }
    return v;
}

static json_t *
check_integrity(struct ovsdb_txn *txn)
{
    char u[OVSDB_UUID_LEN + 1];
    json_t *err = NULL;
    size_t n_rows;
    struct ovsdb_txn_row **rows = rows_latest_first(txn, &n_rows);

    for (size_t x = 0; x < n_rows && !err; x++) {
        struct ovsdb_txn_row *tr = rows[x];
        if (tr->new) {
            const struct ovsdb_table_schema *ts = tr->table->schema;
            for (size_t i = OVSDB_N_RESERVED_COLUMNS;
                 i < ts->n_columns && !err; i++) {
                const struct ovsdb_column_schema *c = &ts->columns[i];
                const struct ovsdb_datum *v = &tr->new->fields[i];
                if (!has_strong_refs(c)
                    || (tr->old && ovsdb_datum_equals(&tr->old->fields[i], v,
                                                      &c->type))) {
                    continue;
                }
                err = check_base_exists(txn, tr, c, &c->type.key, v->keys,
                                        v->n);
                if (!err && v->values) {
                    err = check_base_exists(txn, tr, c, &c->type.value,
                                            v->values, v->n);
                }
            }
        } else if (tr->old && tr->old->n_refs + tr->old->ref_delta) {
            ovsdb_uuid_format(ovsdb_row_uuid(tr->old), u);
            err = ovsdb_error(OVSDB_E_REFERENTIAL, "cannot delete %s row %s "
                              "because of %ld remaining reference(s)",
                              tr->table->schema->name, u,
                              (long) tr->old->n_refs + tr->old->ref_delta);
        }
    }
    free(rows);
    return err;
}

/* ---- Weak references -------------------------------------------------- */

static bool
weak_dangles(struct ovsdb_txn *txn, const struct ovsdb_base_type *b,
             const union ovsdb_atom *a)
{
    return ovsdb_base_type_is_weak_ref(b)
           && !ovsdb_txn_find(ovsdb_db_table(txn->db, b->ref_table),
                              &a->uuid);
}

static bool
has_weak_refs(const struct ovsdb_column_schema *c)
{
    return ovsdb_base_type_is_weak_ref(&c->type.key)
           || ovsdb_base_type_is_weak_ref(&c->type.value);
}

static bool
row_has_dangling(struct ovsdb_txn *txn, const struct ovsdb_row *row)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    for (size_t i = OVSDB_N_RESERVED_COLUMNS; i < ts->n_columns; i++) {
        const struct ovsdb_column_schema *c = &ts->columns[i];
        const struct ovsdb_datum *v = &row->fields[i];
        if (!has_weak_refs(c)) {
            continue;
        }
        for (size_t k = 0; k < v->n; k++) {
            if (weak_dangles(txn, &c->type.key, &v->keys[k])
                || (v->values
                    && weak_dangles(txn, &c->type.value, &v->values[k]))) {
                return true;
            }
        }
    }
    return false;
}

static json_t *
strip_weak(struct ovsdb_txn *txn, struct ovsdb_txn_row *tr)
{
    const struct ovsdb_table_schema *ts = tr->table->schema;
    for (size_t i = OVSDB_N_RESERVED_COLUMNS; i < ts->n_columns; i++) {
        const struct ovsdb_column_schema *c = &ts->columns[i];
        struct ovsdb_datum *v = &tr->new->fields[i];
        bool removed = false, only_zeros = true;
        size_t n_removed = 0;
        if (!has_weak_refs(c)) {
            continue;
        }
        for (size_t k = v->n; k-- > 0;) {
            if (weak_dangles(txn, &c->type.key, &v->keys[k])
                || (v->values
                    && weak_dangles(txn, &c->type.value, &v->values[k]))) {
                only_zeros &= (!ovsdb_base_type_is_weak_ref(&c->type.key)
                               || ovsdb_uuid_is_zero(&v->keys[k].uuid))
                              && (!v->values
                                  || !ovsdb_base_type_is_weak_ref(
                                         &c->type.value)
                                  || ovsdb_uuid_is_zero(&v->values[k].uuid));
                ovsdb_datum_remove(v, k, &c->type);
                removed = true;
                n_removed++;
            }
        }
        if (removed && v->n < c->type.n_min) {
            char u[OVSDB_UUID_LEN + 1];
            const char *inserted = tr->old ? "" : " (inserted within this "
                                                  "transaction)";
            ovsdb_uuid_format(ovsdb_row_uuid(tr->new), u);
            if (only_zeros) {
                /* (ovsdb-server's text, typo included.) */
                return ovsdb_error(OVSDB_E_CONSTRAINT, "Weak reference "
                                   "column \"%s\" in \"%s\" row %s%s "
                                   "contained all-zeros UUID (probably as the "
                                   "default value for this column) but "
                                   "deleting this value caused a constraint "
                                   "volation because this column is not "
                                   "allowed to be empty.", c->name, ts->name,
                                   u, inserted);
            }
            return ovsdb_error(OVSDB_E_CONSTRAINT, "Deletion of %zu weak "
                               "reference(s) to deleted (or never-existing) "
                               "rows from column \"%s\" in \"%s\" row %s%s "
                               "caused this column to become empty, but "
                               "constraints on this column disallow an empty "
                               "column.", n_removed, c->name, ts->name, u,
                               inserted);
        }
    }
    return NULL;
}

static json_t *
fix_weak_refs(struct ovsdb_txn *txn)
{
    struct ovsdb_db *db = txn->db;
    bool *deleted_in = calloc(db->n_tables + 1, sizeof *deleted_in);
    bool any = false;

    for (struct ovsdb_txn_row *tr = txn->head; tr; tr = tr->next) {
        if (tr->old && !tr->new) {
            deleted_in[tr->table->schema->idx] = any = true;
        }
    }
    /* Untouched rows that point weakly at deleted rows get copies. */
    for (size_t t = 0; any && t < db->n_tables; t++) {
        const struct ovsdb_table_schema *ts = db->tables[t].schema;
        bool refs_deleted = false;
        for (size_t i = 0; i < ts->n_columns; i++) {
            const struct ovsdb_type *ct = &ts->columns[i].type;
            refs_deleted |= (ovsdb_base_type_is_weak_ref(&ct->key)
                             && deleted_in[ct->key.ref_table->idx])
                            || (ovsdb_base_type_is_weak_ref(&ct->value)
                                && deleted_in[ct->value.ref_table->idx]);
        }
        if (!refs_deleted) {
            continue;
        }
        struct ovsdb_txn_iter it;
        for (struct ovsdb_row *r = ovsdb_txn_iter_first(&it, &db->tables[t]);
             r; r = ovsdb_txn_iter_next(&it)) {
            if (!r->txn_row && row_has_dangling(txn, r)) {
                ovsdb_txn_modify(txn, r);
            }
        }
    }
    free(deleted_in);

    for (struct ovsdb_txn_row *tr = txn->head; tr; tr = tr->next) {
        if (tr->new) {
            json_t *err = strip_weak(txn, tr);
            if (err) {
                return err;
            }
        }
    }
    return NULL;
}

/* ---- Indexes and maxRows ---------------------------------------------- */

struct hashed_row {
    uint32_t hash;
    struct ovsdb_row *row;
};

static int
hashed_cmp(const void *a_, const void *b_)
{
    const struct hashed_row *a = a_, *b = b_;
    return a->hash < b->hash ? -1 : a->hash > b->hash;
}

static bool
index_equal(const struct ovsdb_table_schema *ts,
            const struct ovsdb_index_schema *ix,
            const struct ovsdb_row *a, const struct ovsdb_row *b)
{
    for (size_t k = 0; k < ix->n; k++) {
        unsigned c = ix->cols[k];
        if (!ovsdb_datum_equals(&a->fields[c], &b->fields[c],
                                &ts->columns[c].type)) {
            return false;
        }
    }
    return true;
}

/* "A, B, and C" of 'n' items (ovsdb-server's English lists). */
static void
put_list_item(struct dstr *out, size_t i, size_t n, const char *item)
{
    if (i) {
        dstr_put(out, n == 2 ? " and " : i == n - 1 ? ", and " : ", ");
    }
    dstr_put(out, item);
}

/* The values of the columns of index 'ix' in row 'r', as "a, b and c". */
static void
put_index_values(struct dstr *out, const struct ovsdb_table_schema *ts,
                 const struct ovsdb_index_schema *ix,
                 const struct ovsdb_row *r)
{
    for (size_t k = 0; k < ix->n; k++) {
        const struct ovsdb_column_schema *c = &ts->columns[ix->cols[k]];
        char *v = ovsdb_datum_to_string(&r->fields[c->idx], &c->type);
        put_list_item(out, k, ix->n, v ? v : "?");
        free(v);
    }
}

/* Whether a modified row is, in the end, equal to its committed self. */
static bool
row_unchanged(const struct ovsdb_txn_row *tr)
{
    const struct ovsdb_table_schema *ts = tr->table->schema;
    for (size_t i = OVSDB_N_RESERVED_COLUMNS; i < ts->n_columns; i++) {
        if (!ovsdb_datum_equals(&tr->old->fields[i], &tr->new->fields[i],
                                &ts->columns[i].type)) {
            return false;
        }
    }
    return true;
}

static void
describe_row(struct dstr *out, const char *which,
             const struct ovsdb_table_schema *ts,
             const struct ovsdb_index_schema *ix, const struct ovsdb_row *r)
{
    char u[OVSDB_UUID_LEN + 1];
    ovsdb_uuid_format(ovsdb_row_uuid(r), u);
    dstr_printf(out, "  %s row, with UUID %s, ", which, u);
    if (r->txn_row && !r->txn_row->old) {
        dstr_put(out, "was inserted by this transaction.");
    } else if (r->txn_row && !row_unchanged(r->txn_row)) {
        dstr_put(out, "had the following index values before the "
                 "transaction: ");
        put_index_values(out, ts, ix, r->txn_row->old);
        dstr_put(out, ".");
    } else {
        dstr_put(out, "existed in the database before this transaction "
                 "and was not modified by the transaction.");
    }
}

static json_t *
index_error(const struct ovsdb_table_schema *ts,
            const struct ovsdb_index_schema *ix,
            const struct ovsdb_row *a, const struct ovsdb_row *b)
{
    struct dstr vals = DSTR_INIT, cols = DSTR_INIT, rows = DSTR_INIT;
    put_index_values(&vals, ts, ix, a);
    for (size_t k = 0; k < ix->n; k++) {
        char *q = NULL;
        if (asprintf(&q, "\"%s\"", ts->columns[ix->cols[k]].name) >= 0) {
            put_list_item(&cols, k, ix->n, q);
        }
        free(q);
    }
    describe_row(&rows, "First", ts, ix, a);
    describe_row(&rows, "Second", ts, ix, b);
    json_t *err = ovsdb_error(OVSDB_E_CONSTRAINT, "Transaction causes "
                              "multiple rows in \"%s\" table to have "
                              "identical values (%s) for index on column%s "
                              "%s.%s", ts->name, dstr_cstr(&vals),
                              ix->n > 1 ? "s" : "", dstr_cstr(&cols),
                              dstr_cstr(&rows));
    dstr_free(&vals);
    dstr_free(&cols);
    dstr_free(&rows);
    return err;
}

/* Whether the transaction really changes 'r' (a row that ends equal to
 * its committed self counts as untouched, as in ovsdb-server). */
static bool
row_changed(const struct ovsdb_row *r)
{
    return r->txn_row && (!r->txn_row->old || !row_unchanged(r->txn_row));
}

/* The rows of 't' hashed on the columns of index 'ix', sorted by hash. */
static struct hashed_row *
hash_index(struct ovsdb_table *t, const struct ovsdb_index_schema *ix,
           size_t *n)
{
    const struct ovsdb_table_schema *ts = t->schema;
    struct hashed_row *hr = calloc(t->rows.n + t->txn_new.n + 1, sizeof *hr);
    struct ovsdb_txn_iter it;
    if (!hr) {
        abort();
    }
    *n = 0;
    for (struct ovsdb_row *r = ovsdb_txn_iter_first(&it, t); r;
         r = ovsdb_txn_iter_next(&it)) {
        uint32_t h = 0;
        for (size_t k = 0; k < ix->n; k++) {
            h = ovsdb_datum_hash(&r->fields[ix->cols[k]],
                                 &ts->columns[ix->cols[k]].type, h);
        }
        hr[*n].hash = h;
        hr[(*n)++].row = r;
    }
    qsort(hr, *n, sizeof *hr, hashed_cmp);
    return hr;
}

/* The first of the 'n' entries of 'hr' whose hash is 'h'. */
static size_t
hash_group(const struct hashed_row *hr, size_t n, uint32_t h)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (hr[mid].hash < h) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Like ovsdb-server: the changed rows, latest first, each against the
 * changed rows seen before it ("First" row), then against untouched
 * rows. */
static json_t *
check_table_indexes(struct ovsdb_txn *txn, struct ovsdb_table *t)
{
    const struct ovsdb_table_schema *ts = t->schema;
    size_t n_idx = ts->n_indexes, n_chg = 0, cap = 16;
    struct hashed_row **hr = calloc(n_idx + 1, sizeof *hr);
    size_t *n = calloc(n_idx + 1, sizeof *n);
    struct ovsdb_row **chg = malloc(cap * sizeof *chg);
    bool **seen = calloc(n_idx + 1, sizeof *seen);
    json_t *err = NULL;

    if (!hr || !n || !chg || !seen) {
        abort();
    }
    for (struct ovsdb_txn_row *tr = txn->head; tr; tr = tr->next) {
        if (tr->table == t && tr->new && row_changed(tr->new)) {
            if (n_chg == cap) {
                cap *= 2;
                chg = realloc(chg, cap * sizeof *chg);
                if (!chg) {
                    abort();
                }
            }
            chg[n_chg++] = tr->new;
        }
    }
    for (size_t x = 0; x < n_idx; x++) {
        hr[x] = hash_index(t, &ts->indexes[x], &n[x]);
        seen[x] = calloc(n[x] + 1, sizeof **seen);
        if (!seen[x]) {
            abort();
        }
    }
    for (size_t c = n_chg; c-- > 0 && !err;) {
        const struct ovsdb_row *r = chg[c];
        for (size_t x = 0; x < n_idx && !err; x++) {
            const struct ovsdb_index_schema *ix = &ts->indexes[x];
            uint32_t h = 0;
            for (size_t k = 0; k < ix->n; k++) {
                h = ovsdb_datum_hash(&r->fields[ix->cols[k]],
                                     &ts->columns[ix->cols[k]].type, h);
            }
            size_t first = hash_group(hr[x], n[x], h), self = SIZE_MAX;
            const struct ovsdb_row *seen_dup = NULL, *old_dup = NULL;
            for (size_t i = first; i < n[x] && hr[x][i].hash == h; i++) {
                const struct ovsdb_row *o = hr[x][i].row;
                if (o == r) {
                    self = i;
                } else if (index_equal(ts, ix, o, r)) {
                    if (row_changed(o) ? seen[x][i] && !seen_dup
                                       : !old_dup) {
                        *(row_changed(o) ? &seen_dup : &old_dup) = o;
                    }
                }
            }
            if (seen_dup || old_dup) {
                err = index_error(ts, ix, seen_dup ? seen_dup : old_dup, r);
            } else if (self != SIZE_MAX) {
                seen[x][self] = true;
            }
        }
    }
    for (size_t x = 0; x < n_idx; x++) {
        free(hr[x]);
        free(seen[x]);
    }
    free(hr);
    free(n);
    free(seen);
    free(chg);
    return err;
}

static json_t *
check_tables(struct ovsdb_txn *txn)
{
    struct ovsdb_db *db = txn->db;
    size_t *n_deleted = calloc(db->n_tables + 1, sizeof *n_deleted);
    bool *changed = calloc(db->n_tables + 1, sizeof *changed);
    json_t *err = NULL;

    for (struct ovsdb_txn_row *tr = txn->head; tr; tr = tr->next) {
        unsigned idx = tr->table->schema->idx;
        if (tr->new) {
            changed[idx] = true;
        } else if (tr->old) {
            n_deleted[idx]++;
        }
    }
    for (size_t i = 0; i < db->n_tables && !err; i++) {
        struct ovsdb_table *t = &db->tables[i];
        size_t n_rows = t->rows.n - n_deleted[i] + t->txn_new.n;
        if (t->schema->max_rows != OVSDB_UNLIMITED
            && n_rows > t->schema->max_rows) {
            err = ovsdb_error(OVSDB_E_CONSTRAINT, "transaction causes \"%s\" "
                              "table to contain %zu rows, greater than the "
                              "schema-defined limit of %u row(s)",
                              t->schema->name, n_rows, t->schema->max_rows);
        } else if (changed[i] && t->schema->n_indexes) {
            err = check_table_indexes(txn, t);
        }
    }
    free(n_deleted);
    free(changed);
    return err;
}

json_t *
ovsdb_txn_precommit(struct ovsdb_txn *txn)
{
    json_t *err;

    count_refs(txn);
    collect_garbage(txn);
    err = check_integrity(txn);
    if (!err) {
        err = fix_weak_refs(txn);
    }
    if (!err) {
        err = check_tables(txn);
    }
    return err;
}

/* ---- Commit and abort ------------------------------------------------- */

static void
free_txn_rows(struct ovsdb_txn *txn)
{
    struct ovsdb_txn_row *tr, *next;
    for (tr = txn->head; tr; tr = next) {
        next = tr->next;
        free(tr->changed);
        free(tr);
    }
    txn->head = NULL;
    txn->tail = &txn->head;
    for (size_t i = 0; i < txn->n_dead; i++) {
        ovsdb_row_destroy(txn->dead[i]);
    }
    free(txn->dead);
    txn->dead = NULL;
    txn->n_dead = txn->cap_dead = 0;
    free(txn->touched);
    txn->touched = NULL;
    txn->n_touched = txn->cap_touched = 0;
}

void
ovsdb_txn_abort(struct ovsdb_txn *txn)
{
    for (size_t i = 0; i < txn->n_touched; i++) {
        txn->touched[i]->ref_delta = 0;
    }
    for (struct ovsdb_txn_row *tr = txn->head; tr; tr = tr->next) {
        if (tr->new) {
            if (!tr->old) {
                ovsdb_rowmap_remove(&tr->table->txn_new, tr->new);
            }
            ovsdb_row_destroy(tr->new);
        }
        if (tr->old) {
            tr->old->txn_row = NULL;
        }
    }
    free_txn_rows(txn);
}

/* Fills tr->changed; false if the row did not change at all. */
static bool
compute_changes(struct ovsdb_txn_row *tr)
{
    const struct ovsdb_table_schema *ts = tr->table->schema;
    bool any = false;
    tr->changed = calloc(ts->n_columns, sizeof *tr->changed);
    for (size_t i = 0; i < ts->n_columns; i++) {
        if (!tr->old || !tr->new || i == OVSDB_COL_VERSION) {
            tr->changed[i] = true;
        } else if (i != OVSDB_COL_UUID) {
            tr->changed[i] = !ovsdb_datum_equals(&tr->old->fields[i],
                                                 &tr->new->fields[i],
                                                 &ts->columns[i].type);
            any |= tr->changed[i];
        }
    }
    return !tr->old || !tr->new || any;
}

json_t *
ovsdb_txn_commit(struct ovsdb_txn *txn, long long now_ms,
                 struct ovsdb_txn_result *res)
{
    struct ovsdb_db *db = txn->db;
    struct ovsdb_row_change *ch = NULL;
    size_t n_ch = 0, cap = 0;

    /* What changes, and its journal record.  Nothing is visible yet, so
     * a journal that refuses the record leaves the transaction to be
     * aborted as if it had never run. */
    for (struct ovsdb_txn_row *tr = txn->head; tr; tr = tr->next) {
        if (!tr->old && !tr->new) {
            continue;
        }
        if (!compute_changes(tr)) {
            ovsdb_row_destroy(tr->new);
            tr->new = NULL;
            tr->old->txn_row = NULL;
            tr->old = NULL;
            continue;
        }
        if (n_ch == cap) {
            cap = cap ? 2 * cap : 16;
            ch = realloc(ch, cap * sizeof *ch);
            if (!ch) {
                abort();
            }
        }
        ch[n_ch].table = tr->table;
        ch[n_ch].old = tr->old;
        ch[n_ch].new = tr->new;
        ch[n_ch].changed = tr->changed;
        n_ch++;
    }
    if (n_ch && db->n_checks) {
        json_t *err = ovsdb_db_run_checks(db, ch, n_ch);
        if (err) {
            free(ch);
            return err;
        }
    }
    const char *comment = txn->has_comment ? dstr_cstr(&txn->comment) : NULL;
    res->record = ovsdb_changes_to_record(ch, n_ch, comment, now_ms);
    if (res->record && db->journal) {
        json_t *err = db->journal(db, res->record, db->journal_aux);
        if (err) {
            json_decref(res->record);
            res->record = NULL;
            free(ch);
            return err;
        }
    }

    /* Make it so. */
    for (size_t i = 0; i < txn->n_touched; i++) {
        struct ovsdb_row *r = txn->touched[i];
        r->n_refs = (size_t) ((long) r->n_refs + r->ref_delta);
        r->ref_delta = 0;
    }
    for (struct ovsdb_txn_row *tr = txn->head; tr; tr = tr->next) {
        if (!tr->old && !tr->new) {
            continue;
        }
        struct ovsdb_table *t = tr->table;
        if (tr->new) {
            ovsdb_uuid_generate(&tr->new->fields[OVSDB_COL_VERSION]
                                .keys[0].uuid);
            tr->new->txn_row = NULL;
            if (tr->old) {
                tr->new->n_refs = tr->old->n_refs;
                ovsdb_rowmap_remove(&t->rows, tr->old);
            } else {
                ovsdb_rowmap_remove(&t->txn_new, tr->new);
            }
            ovsdb_rowmap_insert(&t->rows, tr->new);
        } else {
            ovsdb_rowmap_remove(&t->rows, tr->old);
        }
        if (tr->old) {
            tr->old->txn_row = NULL;
        }
    }
    if (n_ch) {
        struct ovsdb_commit c = {
            .changes = ch, .n_changes = n_ch, .comment = comment,
            .durable = txn->durable, .record = res->record,
            .txn_seq = ++db->txn_seq,
        };
        ovsdb_db_run_commit_cbs(db, &c);
    }
    for (size_t i = 0; i < n_ch; i++) {
        ovsdb_row_destroy((struct ovsdb_row *) ch[i].old);
    }
    free(ch);
    free_txn_rows(txn);
    return NULL;
}
