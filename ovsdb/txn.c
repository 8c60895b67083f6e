/* ovsdb/txn: RFC 7047 "transact" operations. */
#include "ovsdb/txn.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ovsdb/condition.h"
#include "ovsdb/error.h"
#include "ovsdb/mutation.h"
#include "ovsdb/op_parser.h"
#include "ovsdb/txn_internal.h"

/* ---- The transaction's view of the tables ----------------------------- */

struct ovsdb_row *
ovsdb_txn_find(struct ovsdb_table *t, const struct ovsdb_uuid *u)
{
    struct ovsdb_row *r = ovsdb_rowmap_find(&t->rows, u);
    if (r) {
        return r->txn_row ? r->txn_row->new : r;
    }
    return ovsdb_rowmap_find(&t->txn_new, u);
}

struct ovsdb_row *
ovsdb_txn_identity(struct ovsdb_table *t, const struct ovsdb_uuid *u)
{
    struct ovsdb_row *r = ovsdb_rowmap_find(&t->rows, u);
    return r ? r : ovsdb_rowmap_find(&t->txn_new, u);
}

static struct ovsdb_txn_row *
add_txn_row(struct ovsdb_txn *txn, struct ovsdb_table *t,
            struct ovsdb_row *old, struct ovsdb_row *new)
{
    struct ovsdb_txn_row *tr = calloc(1, sizeof *tr);
    if (!tr) {
        abort();
    }
    tr->table = t;
    tr->old = old;
    tr->new = new;
    if (old) {
        old->txn_row = tr;
    }
    if (new) {
        new->txn_row = tr;
    }
    *txn->tail = tr;
    txn->tail = &tr->next;
    return tr;
}

struct ovsdb_row *
ovsdb_txn_modify(struct ovsdb_txn *txn, struct ovsdb_row *row)
{
    if (row->txn_row && row->txn_row->new == row) {
        return row;
    }
    struct ovsdb_row *copy = ovsdb_row_clone(row);
    add_txn_row(txn, row->table, row, copy);
    return copy;
}

void
ovsdb_txn_delete(struct ovsdb_txn *txn, struct ovsdb_row *row)
{
    struct ovsdb_txn_row *tr = row->txn_row;
    if (!tr) {
        add_txn_row(txn, row->table, row, NULL);
        return;
    }
    if (!tr->old) {
        /* Inserted by this transaction: keep the object until the end, as
         * its reference count may still be looked at. */
        ovsdb_rowmap_remove(&row->table->txn_new, row);
        if (txn->n_dead == txn->cap_dead) {
            txn->cap_dead = txn->cap_dead ? 2 * txn->cap_dead : 8;
            txn->dead = realloc(txn->dead, txn->cap_dead * sizeof *txn->dead);
        }
        txn->dead[txn->n_dead++] = row;
    } else {
        ovsdb_row_destroy(row);
    }
    tr->new = NULL;
}

static struct ovsdb_row *
iter_skip(struct ovsdb_txn_iter *it)
{
    for (;;) {
        if (!it->raw) {
            if (it->phase == 0) {
                it->phase = 1;
                it->raw = ovsdb_rowmap_first(&it->table->txn_new, &it->pos);
                continue;
            }
            return NULL;
        }
        if (it->phase == 1) {
            return it->raw;
        }
        struct ovsdb_row *v = it->raw->txn_row ? it->raw->txn_row->new
                                               : it->raw;
        if (v) {
            return v;
        }
        it->raw = ovsdb_rowmap_next(&it->table->rows, it->raw, &it->pos);
    }
}

struct ovsdb_row *
ovsdb_txn_iter_first(struct ovsdb_txn_iter *it, struct ovsdb_table *t)
{
    it->table = t;
    it->phase = 0;
    it->raw = ovsdb_rowmap_first(&t->rows, &it->pos);
    return iter_skip(it);
}

struct ovsdb_row *
ovsdb_txn_iter_next(struct ovsdb_txn_iter *it)
{
    it->raw = ovsdb_rowmap_next(it->phase ? &it->table->txn_new
                                          : &it->table->rows,
                                it->raw, &it->pos);
    return iter_skip(it);
}

/* ---- Helpers for the operations --------------------------------------- */

struct row_vec {
    struct ovsdb_row **rows;
    size_t n, cap;
};

static void
row_vec_push(struct row_vec *v, struct ovsdb_row *r)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 16;
        v->rows = realloc(v->rows, v->cap * sizeof *v->rows);
        if (!v->rows) {
            abort();
        }
    }
    v->rows[v->n++] = r;
}

/* The rows of 't' matching 'cond', as the transaction sees them. */
static void
find_matches(struct ovsdb_table *t, const struct ovsdb_condition *cond,
             struct row_vec *out)
{
    const struct ovsdb_uuid *u = ovsdb_condition_get_uuid(cond);
    memset(out, 0, sizeof *out);
    if (u) {
        struct ovsdb_row *r = ovsdb_txn_find(t, u);
        if (r && ovsdb_condition_match(cond, r)) {
            row_vec_push(out, r);
        }
        return;
    }
    struct ovsdb_txn_iter it;
    for (struct ovsdb_row *r = ovsdb_txn_iter_first(&it, t); r;
         r = ovsdb_txn_iter_next(&it)) {
        if (ovsdb_condition_match(cond, r)) {
            row_vec_push(out, r);
        }
    }
}

/* Member "table" of the operation, or NULL (the parser then holds the
 * error). */
static struct ovsdb_table *
parse_table(struct ovsdb_txn *txn, struct ovsdb_op_parser *p)
{
    const json_t *j = ovsdb_op_parser_member(p, "table", OVSDB_OP_ID);
    if (!j) {
        return NULL;
    }
    struct ovsdb_table *t = ovsdb_db_find_table(txn->db,
                                                json_string_value(j));
    if (!t) {
        ovsdb_op_parser_raise(p, "No table named %s.", json_string_value(j));
    }
    return t;
}

static json_t *
parse_where(struct ovsdb_txn *txn, const json_t *w, struct ovsdb_table *t,
            struct ovsdb_condition *cond)
{
    return ovsdb_condition_from_json(cond, t->schema, w, &txn->symtab);
}

/* Column values given in an insert's or update's "row". */
struct parsed_row {
    const struct ovsdb_table_schema *ts;
    size_t n;
    unsigned int *cols;
    struct ovsdb_datum *vals;
};

static void
parsed_row_destroy(struct parsed_row *p)
{
    for (size_t i = 0; i < p->n; i++) {
        ovsdb_datum_destroy(&p->vals[i], &p->ts->columns[p->cols[i]].type);
    }
    free(p->cols);
    free(p->vals);
}

static json_t *
parse_row(struct ovsdb_txn *txn, const struct ovsdb_table_schema *ts,
          const json_t *op, const json_t *j, bool update,
          struct parsed_row *p)
{
    const char *name;
    json_t *v;

    memset(p, 0, sizeof *p);
    p->ts = ts;
    if (!j) {
        return NULL;
    }
    /* Names first: ovsdb-server meets the members in its hash order, so
     * which of an unknown column and a bad value it reports varies; the
     * unknown column is the more basic mistake. */
    json_object_foreach((json_t *) j, name, v) {
        if (!ovsdb_table_schema_find_column(ts, name)) {
            return ovsdb_error_syntax(ovsdb_error(OVSDB_E_UNKNOWN_COLUMN,
                                                  "No column %s in table "
                                                  "%s.", name, ts->name), j);
        }
    }
    p->cols = calloc(json_object_size(j) + 1, sizeof *p->cols);
    p->vals = calloc(json_object_size(j) + 1, sizeof *p->vals);
    if (!p->cols || !p->vals) {
        free(p->cols);
        free(p->vals);
        return ovsdb_error(OVSDB_E_RESOURCES, "out of memory");
    }
    json_object_foreach((json_t *) j, name, v) {
        const struct ovsdb_column_schema *c =
            ovsdb_table_schema_find_column(ts, name);
        json_t *err = ovsdb_datum_from_json(&p->vals[p->n], &c->type, v,
                                            &txn->symtab);
        if (!err && update && (!c->mutable_
                               || c->idx < OVSDB_N_RESERVED_COLUMNS)) {
            ovsdb_datum_destroy(&p->vals[p->n], &c->type);
            err = ovsdb_error_syntax(ovsdb_error(OVSDB_E_CONSTRAINT,
                                                 "Cannot update immutable "
                                                 "column %s in table %s.",
                                                 name, ts->name), op);
        } else if (!err && c->idx < OVSDB_N_RESERVED_COLUMNS) {
            /* As ovsdb-server: parsed, then ignored. */
            ovsdb_datum_destroy(&p->vals[p->n], &c->type);
            continue;
        }
        if (err) {
            parsed_row_destroy(p);
            return err;
        }
        p->cols[p->n++] = c->idx;
    }
    return NULL;
}

static void
apply_parsed_row(const struct parsed_row *p, struct ovsdb_row *row)
{
    for (size_t i = 0; i < p->n; i++) {
        const struct ovsdb_type *t = &p->ts->columns[p->cols[i]].type;
        ovsdb_datum_destroy(&row->fields[p->cols[i]], t);
        ovsdb_datum_clone(&row->fields[p->cols[i]], &p->vals[i], t);
    }
}

static json_t *
count_result(size_t n)
{
    return json_pack("{sI}", "count", (json_int_t) n);
}

/* ---- Operations ------------------------------------------------------- */

/* ovsdb-server's answer to a write in its reserved _Server database,
 * given once the operation has been parsed. */
static json_t *
check_writable(const struct ovsdb_txn *txn, const char *op)
{
    if (!txn->read_only) {
        return NULL;
    }
    return ovsdb_error("not allowed", "%s operation not allowed on table in "
                       "reserved database %s", op, txn->db->schema->name);
}

/* Every column of a new row that holds one value (possibly its default)
 * must satisfy the column's constraints, as in ovsdb-server. */
static json_t *
check_new_row(const struct ovsdb_row *row)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    for (size_t i = OVSDB_N_RESERVED_COLUMNS; i < ts->n_columns; i++) {
        if (row->fields[i].n == 1) {
            json_t *err = ovsdb_datum_check_atoms(&row->fields[i],
                                                  &ts->columns[i].type);
            if (err) {
                return err;
            }
        }
    }
    return NULL;
}

/* Whether 'uuid' is taken in 't': by a row, or by a row this transaction
 * deleted. */
static bool
uuid_taken(struct ovsdb_txn *txn, struct ovsdb_table *t,
           const struct ovsdb_uuid *uuid)
{
    if (ovsdb_txn_identity(t, uuid)) {
        return true;
    }
    for (size_t i = 0; i < txn->n_dead; i++) {
        if (txn->dead[i]->table == t
            && ovsdb_uuid_equals(ovsdb_row_uuid(txn->dead[i]), uuid)) {
            return true;
        }
    }
    return false;
}

static json_t *
op_insert(struct ovsdb_txn *txn, struct ovsdb_op_parser *op,
          json_t **result)
{
    struct ovsdb_table *t = parse_table(txn, op);
    const json_t *uuid_j = ovsdb_op_parser_member(op, "uuid",
                                                  OVSDB_OP_STRING
                                                  | OVSDB_OP_OPTIONAL);
    const json_t *name_j = ovsdb_op_parser_member(op, "uuid-name",
                                                  OVSDB_OP_ID
                                                  | OVSDB_OP_OPTIONAL);
    const json_t *row_j = ovsdb_op_parser_member(op, "row", OVSDB_OP_OBJECT);
    json_t *err = ovsdb_op_parser_error(op);
    struct ovsdb_uuid uuid;
    struct ovsdb_symbol *sym = NULL;

    if (err) {
        return err;
    }
    if (uuid_j) {
        if (!ovsdb_uuid_from_string(&uuid, json_string_value(uuid_j))) {
            return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "bad uuid"),
                                      uuid_j);
        }
        if (uuid_taken(txn, t, &uuid)) {
            return ovsdb_error_syntax(ovsdb_error(OVSDB_E_DUP_UUID, "This "
                "UUID would duplicate a UUID already present within the "
                "table or deleted within the same transaction."), uuid_j);
        }
    } else {
        ovsdb_uuid_generate(&uuid);
    }
    if (name_j) {
        sym = ovsdb_symtab_get(&txn->symtab, json_string_value(name_j));
        if (sym->created) {
            return ovsdb_error_syntax(ovsdb_error(OVSDB_E_DUP_UUID_NAME,
                "This \"uuid-name\" appeared on an earlier \"insert\" "
                "operation."), name_j);
        }
        if (uuid_j) {
            sym->uuid = uuid;
        } else {
            uuid = sym->uuid;
        }
        sym->created = true;
    }

    struct parsed_row p;
    err = parse_row(txn, t->schema, op->op, row_j, false, &p);
    if (err) {
        return err;
    }
    struct ovsdb_row *row = ovsdb_row_create(t, &uuid);
    apply_parsed_row(&p, row);
    parsed_row_destroy(&p);
    err = check_new_row(row);
    if (!err) {
        err = check_writable(txn, "insert");
    }
    if (err) {
        ovsdb_row_destroy(row);
        return err;
    }
    ovsdb_rowmap_insert(&t->txn_new, row);
    add_txn_row(txn, t, NULL, row);

    *result = json_pack("{so}", "uuid",
                        ovsdb_atom_to_json(&row->fields[0].keys[0],
                                           OVSDB_TYPE_UUID));
    return NULL;
}

/* A column list ("columns" or "sort"): NULL 'j' means every column. */
static json_t *
parse_columns(const struct ovsdb_table_schema *ts, const json_t *j,
              unsigned int **cols, size_t *n_cols)
{
    return ovsdb_columns_from_json(cols, n_cols, ts, j);
}

struct sort_ctx {
    const struct ovsdb_table_schema *ts;
    const unsigned int *cols;
    const bool *desc;
    size_t n;
};

static _Thread_local const struct sort_ctx *sort_ctx;

static int
compare_rows(const void *a_, const void *b_)
{
    const struct ovsdb_row *a = *(const struct ovsdb_row *const *) a_;
    const struct ovsdb_row *b = *(const struct ovsdb_row *const *) b_;
    for (size_t i = 0; i < sort_ctx->n; i++) {
        unsigned c = sort_ctx->cols[i];
        int r = ovsdb_datum_compare(&a->fields[c], &b->fields[c],
                                    &sort_ctx->ts->columns[c].type);
        if (r) {
            return sort_ctx->desc[i] ? -r : r;
        }
    }
    return 0;
}

/* Open vSwitch's "sort": rows in ascending order of the named columns. */
static json_t *
sort_rows(const struct ovsdb_table_schema *ts, const json_t *sort,
          struct row_vec *m)
{
    size_t n = json_array_size(sort);
    unsigned int *cols = calloc(n + 1, sizeof *cols);
    bool *desc = calloc(n + 1, sizeof *desc);
    json_t *err = NULL;
    if (!cols || !desc) {
        abort();
    }
    for (size_t i = 0; i < n && !err; i++) {
        const char *s = json_string_value(json_array_get(sort, i));
        const struct ovsdb_column_schema *c = NULL;
        if (s) {
            c = ovsdb_table_schema_find_column(ts, s);
        }
        if (!c) {
            err = ovsdb_error_syntax(
                s ? ovsdb_error(OVSDB_E_SYNTAX, "%s is not a valid column "
                                "name", s)
                  : ovsdb_error(OVSDB_E_SYNTAX, "array of distinct column "
                                "names expected"), sort);
        } else {
            cols[i] = c->idx;
        }
    }
    if (!err) {
        struct sort_ctx ctx = { ts, cols, desc, n };
        sort_ctx = &ctx;
        qsort(m->rows, m->n, sizeof *m->rows, compare_rows);
        sort_ctx = NULL;
    }
    free(cols);
    free(desc);
    return err;
}

struct hashed_idx {
    uint32_t hash;
    size_t idx;
};

static int
hashed_idx_cmp(const void *a_, const void *b_)
{
    const struct hashed_idx *a = a_, *b = b_;
    return a->hash != b->hash ? (a->hash < b->hash ? -1 : 1)
           : a->idx < b->idx ? -1 : a->idx > b->idx;
}

static bool
same_columns(const struct ovsdb_table_schema *ts, const unsigned int *cols,
             size_t n_cols, const struct ovsdb_row *a,
             const struct ovsdb_row *b)
{
    for (size_t c = 0; c < n_cols; c++) {
        if (!ovsdb_datum_equals(&a->fields[cols[c]], &b->fields[cols[c]],
                                &ts->columns[cols[c]].type)) {
            return false;
        }
    }
    return true;
}

/* As ovsdb-server's "select": rows equal in every selected column are
 * reported once (the first of them, in 'm''s order). */
static void
distinct_rows(const struct ovsdb_table_schema *ts, const unsigned int *cols,
              size_t n_cols, struct row_vec *m)
{
    struct hashed_idx *h = calloc(m->n + 1, sizeof *h);
    bool *dup = calloc(m->n + 1, sizeof *dup);
    if (!h || !dup) {
        abort();
    }
    for (size_t i = 0; i < m->n; i++) {
        uint32_t hash = 0;
        for (size_t c = 0; c < n_cols; c++) {
            hash = ovsdb_datum_hash(&m->rows[i]->fields[cols[c]],
                                    &ts->columns[cols[c]].type, hash);
        }
        h[i].hash = hash;
        h[i].idx = i;
    }
    qsort(h, m->n, sizeof *h, hashed_idx_cmp);
    for (size_t i = 0; i < m->n; i++) {
        for (size_t j = i + 1; j < m->n && h[j].hash == h[i].hash; j++) {
            if (!dup[h[j].idx] && !dup[h[i].idx]
                && same_columns(ts, cols, n_cols, m->rows[h[i].idx],
                                m->rows[h[j].idx])) {
                dup[h[j].idx] = true;
            }
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (!dup[i]) {
            m->rows[n++] = m->rows[i];
        }
    }
    m->n = n;
    free(h);
    free(dup);
}

static json_t *
op_select(struct ovsdb_txn *txn, struct ovsdb_op_parser *op,
          json_t **result)
{
    struct ovsdb_table *t = parse_table(txn, op);
    const json_t *w = ovsdb_op_parser_member(op, "where", OVSDB_OP_ARRAY);
    const json_t *cj = ovsdb_op_parser_member(op, "columns",
                                              OVSDB_OP_ARRAY
                                              | OVSDB_OP_OPTIONAL);
    const json_t *sj = ovsdb_op_parser_member(op, "sort",
                                              OVSDB_OP_ARRAY
                                              | OVSDB_OP_OPTIONAL);
    json_t *err = ovsdb_op_parser_error(op);
    struct ovsdb_condition cond;
    unsigned int *cols;
    size_t n_cols;

    if (err || (err = parse_where(txn, w, t, &cond))) {
        return err;
    }
    err = parse_columns(t->schema, cj, &cols, &n_cols);
    if (err) {
        ovsdb_condition_destroy(&cond);
        return err;
    }
    struct row_vec m;
    find_matches(t, &cond, &m);
    if (sj) {
        err = sort_rows(t->schema, sj, &m);
    }
    distinct_rows(t->schema, cols, n_cols, &m);
    json_t *rows = json_array();
    for (size_t i = 0; i < m.n && !err; i++) {
        json_array_append_new(rows, ovsdb_row_to_json(m.rows[i], cols,
                                                      n_cols));
    }
    free(m.rows);
    free(cols);
    ovsdb_condition_destroy(&cond);
    if (err) {
        json_decref(rows);
        return err;
    }
    *result = json_pack("{so}", "rows", rows);
    return NULL;
}

static json_t *
op_update(struct ovsdb_txn *txn, struct ovsdb_op_parser *op,
          json_t **result)
{
    struct ovsdb_table *t = parse_table(txn, op);
    const json_t *w = ovsdb_op_parser_member(op, "where", OVSDB_OP_ARRAY);
    const json_t *rj = ovsdb_op_parser_member(op, "row", OVSDB_OP_OBJECT);
    json_t *err = ovsdb_op_parser_error(op);
    struct ovsdb_condition cond;
    struct parsed_row p;

    if (err || (err = parse_row(txn, t->schema, op->op, rj, true, &p))) {
        return err;
    }
    if ((err = parse_where(txn, w, t, &cond))) {
        parsed_row_destroy(&p);
        return err;
    }
    if ((err = check_writable(txn, "update"))) {
        parsed_row_destroy(&p);
        ovsdb_condition_destroy(&cond);
        return err;
    }
    struct row_vec m;
    find_matches(t, &cond, &m);
    for (size_t i = 0; i < m.n; i++) {
        apply_parsed_row(&p, ovsdb_txn_modify(txn, m.rows[i]));
    }
    *result = count_result(m.n);
    free(m.rows);
    parsed_row_destroy(&p);
    ovsdb_condition_destroy(&cond);
    return NULL;
}

static json_t *
op_mutate(struct ovsdb_txn *txn, struct ovsdb_op_parser *op,
          json_t **result)
{
    struct ovsdb_table *t = parse_table(txn, op);
    const json_t *w = ovsdb_op_parser_member(op, "where", OVSDB_OP_ARRAY);
    const json_t *mj = ovsdb_op_parser_member(op, "mutations",
                                              OVSDB_OP_ARRAY);
    json_t *err = ovsdb_op_parser_error(op);
    struct ovsdb_condition cond;
    struct ovsdb_mutation_set ms;

    if (err || (err = ovsdb_mutation_set_from_json(&ms, t->schema, mj,
                                                   &txn->symtab))) {
        return err;
    }
    if ((err = parse_where(txn, w, t, &cond))) {
        ovsdb_mutation_set_destroy(&ms);
        return err;
    }
    if ((err = check_writable(txn, "mutate"))) {
        ovsdb_mutation_set_destroy(&ms);
        ovsdb_condition_destroy(&cond);
        return err;
    }
    struct row_vec m;
    find_matches(t, &cond, &m);
    for (size_t i = 0; i < m.n && !err; i++) {
        err = ovsdb_mutation_set_apply(&ms, ovsdb_txn_modify(txn, m.rows[i])
                                                ->fields);
    }
    if (!err) {
        *result = count_result(m.n);
    }
    free(m.rows);
    ovsdb_mutation_set_destroy(&ms);
    ovsdb_condition_destroy(&cond);
    return err;
}

static json_t *
op_delete(struct ovsdb_txn *txn, struct ovsdb_op_parser *op,
          json_t **result)
{
    /* (ovsdb-server reads "where" before "table" here.) */
    const json_t *w = ovsdb_op_parser_member(op, "where", OVSDB_OP_ARRAY);
    struct ovsdb_table *t = parse_table(txn, op);
    json_t *err = ovsdb_op_parser_error(op);
    struct ovsdb_condition cond;

    if (err || (err = parse_where(txn, w, t, &cond))) {
        return err;
    }
    if ((err = check_writable(txn, "delete"))) {
        ovsdb_condition_destroy(&cond);
        return err;
    }
    struct row_vec m;
    find_matches(t, &cond, &m);
    for (size_t i = 0; i < m.n; i++) {
        ovsdb_txn_delete(txn, m.rows[i]);
    }
    *result = count_result(m.n);
    free(m.rows);
    ovsdb_condition_destroy(&cond);
    return NULL;
}

static bool
row_matches_expected(const struct ovsdb_table_schema *ts,
                     const unsigned int *cols, size_t n_cols,
                     const struct ovsdb_row *r, const struct ovsdb_datum *e)
{
    for (size_t c = 0; c < n_cols; c++) {
        if (!ovsdb_datum_equals(&r->fields[cols[c]], &e[cols[c]],
                                &ts->columns[cols[c]].type)) {
            return false;
        }
    }
    return true;
}

/* Whether the rows of 'm' and the rows of 'exp', restricted to 'cols', are
 * the same sets (as in ovsdb-server: duplicates count once). */
static bool
rows_equal(const struct ovsdb_table_schema *ts, const unsigned int *cols,
           size_t n_cols, const struct row_vec *m,
           struct ovsdb_datum *const *exp, size_t n_exp)
{
    for (size_t i = 0; i < m->n; i++) {
        size_t e = 0;
        while (e < n_exp && !row_matches_expected(ts, cols, n_cols,
                                                  m->rows[i], exp[e])) {
            e++;
        }
        if (e == n_exp) {
            return false;
        }
    }
    for (size_t e = 0; e < n_exp; e++) {
        size_t i = 0;
        while (i < m->n && !row_matches_expected(ts, cols, n_cols,
                                                 m->rows[i], exp[e])) {
            i++;
        }
        if (i == m->n) {
            return false;
        }
    }
    return true;
}

static void
free_expected(struct ovsdb_datum **exp, size_t n_exp,
              const struct ovsdb_table_schema *ts)
{
    for (size_t e = 0; exp && e < n_exp; e++) {
        for (size_t c = 0; exp[e] && c < ts->n_columns; c++) {
            ovsdb_datum_destroy(&exp[e][c], &ts->columns[c].type);
        }
        free(exp[e]);
    }
    free(exp);
}

/* The rows of a "wait": every column of the table, defaults where a row
 * names none.  NULL with '*errp' set on error (or out of memory). */
static struct ovsdb_datum **
parse_expected(struct ovsdb_txn *txn, const struct ovsdb_table_schema *ts,
               const json_t *rows, json_t **errp)
{
    size_t n_exp = json_array_size(rows);
    struct ovsdb_datum **exp = calloc(n_exp + 1, sizeof *exp);
    json_t *err = NULL;

    if (!exp) {
        *errp = ovsdb_error(OVSDB_E_RESOURCES, "out of memory");
        return NULL;
    }
    for (size_t e = 0; e < n_exp && !err; e++) {
        const json_t *rj = json_array_get(rows, e);
        exp[e] = calloc(ts->n_columns + 1, sizeof **exp);
        if (!exp[e]) {
            err = ovsdb_error(OVSDB_E_RESOURCES, "out of memory");
            break;
        }
        for (size_t c = 0; c < ts->n_columns; c++) {
            ovsdb_datum_init_default(&exp[e][c], &ts->columns[c].type);
        }
        if (!json_is_object(rj)) {
            err = ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "row must "
                                                 "be JSON object"), rj);
            break;
        }
        const char *name;
        json_t *v;
        json_object_foreach((json_t *) rj, name, v) {
            const struct ovsdb_column_schema *c =
                ovsdb_table_schema_find_column(ts, name);
            if (!c) {
                err = ovsdb_error_syntax(ovsdb_error(OVSDB_E_UNKNOWN_COLUMN,
                                                     "No column %s in table "
                                                     "%s.", name, ts->name),
                                         rj);
                break;
            }
            struct ovsdb_datum d;
            err = ovsdb_datum_from_json(&d, &c->type, v, &txn->symtab);
            if (err) {
                break;
            }
            ovsdb_datum_swap(&d, &exp[e][c->idx]);
            ovsdb_datum_destroy(&d, &c->type);
        }
    }
    if (err) {
        free_expected(exp, n_exp, ts);
        *errp = err;
        return NULL;
    }
    return exp;
}

static json_t *
op_wait(struct ovsdb_txn *txn, struct ovsdb_op_parser *op,
        const struct ovsdb_txn_opts *opts, json_t **result,
        long long *block_ms)
{
    /* (In ovsdb-server's order: "timeout" and "where" before "table".) */
    const json_t *tmo = ovsdb_op_parser_member(op, "timeout",
                                               OVSDB_OP_INTEGER
                                               | OVSDB_OP_OPTIONAL);
    const json_t *w = ovsdb_op_parser_member(op, "where", OVSDB_OP_ARRAY);
    struct ovsdb_table *t = parse_table(txn, op);
    const json_t *cj = ovsdb_op_parser_member(op, "columns",
                                              OVSDB_OP_ARRAY
                                              | OVSDB_OP_OPTIONAL);
    const json_t *uj = ovsdb_op_parser_member(op, "until", OVSDB_OP_STRING);
    const json_t *rows = ovsdb_op_parser_member(op, "rows", OVSDB_OP_ARRAY);
    json_t *err = ovsdb_op_parser_error(op);
    struct ovsdb_condition cond;
    unsigned int *cols = NULL;
    size_t n_cols = 0;

    if (err) {
        return err;
    }
    const char *until = json_string_value(uj);
    if (strcmp(until, "==") && strcmp(until, "!=")) {
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "\"until\" "
                                              "must be \"==\" or \"!=\""), uj);
    }
    double timeout = tmo ? json_number_value(tmo) : -1;
    if (tmo && timeout < 0) {
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "timeout must "
                                              "be nonnegative"), tmo);
    }
    if ((err = parse_where(txn, w, t, &cond))) {
        return err;
    }
    err = parse_columns(t->schema, cj, &cols, &n_cols);
    struct ovsdb_datum **exp = NULL;
    size_t n_exp = json_array_size(rows);
    if (!err) {
        exp = parse_expected(txn, t->schema, rows, &err);
    }
    if (!err) {
        struct row_vec m;
        find_matches(t, &cond, &m);
        bool equal = rows_equal(t->schema, cols, n_cols, &m, exp, n_exp);
        free(m.rows);
        if (equal == !strcmp(until, "==")) {
            *result = json_object();
        } else if (tmo && !timeout) {
            err = ovsdb_error(OVSDB_E_TIMED_OUT, "\"where\" clause test "
                              "failed");
        } else if (tmo && opts->elapsed_ms >= timeout) {
            err = ovsdb_error(OVSDB_E_TIMED_OUT, "\"wait\" timed out after "
                              "%lld ms", opts->elapsed_ms);
        } else {
            *block_ms = !tmo ? -1
                        : (long long) timeout - opts->elapsed_ms;
        }
    }
    free_expected(exp, n_exp, t->schema);
    free(cols);
    ovsdb_condition_destroy(&cond);
    return err;
}

static json_t *
op_commit(struct ovsdb_txn *txn, struct ovsdb_op_parser *op,
          json_t **result)
{
    const json_t *d = ovsdb_op_parser_member(op, "durable",
                                             OVSDB_OP_BOOLEAN);
    json_t *err = ovsdb_op_parser_error(op);
    if (err) {
        return err;
    }
    txn->durable |= json_is_true(d);
    *result = json_object();
    return NULL;
}

static json_t *
op_comment(struct ovsdb_txn *txn, struct ovsdb_op_parser *op,
           json_t **result)
{
    const json_t *cj = ovsdb_op_parser_member(op, "comment",
                                              OVSDB_OP_STRING);
    json_t *err = ovsdb_op_parser_error(op);
    if (err) {
        return err;
    }
    if (txn->has_comment) {
        dstr_put(&txn->comment, "\n");
    }
    dstr_put(&txn->comment, json_string_value(cj));
    txn->has_comment = true;
    *result = json_object();
    return NULL;
}

static json_t *
op_assert(struct ovsdb_op_parser *op, const struct ovsdb_txn_opts *opts,
          json_t **result)
{
    const json_t *lj = ovsdb_op_parser_member(op, "lock", OVSDB_OP_ID);
    json_t *err = ovsdb_op_parser_error(op);
    if (err) {
        return err;
    }
    const char *lock = json_string_value(lj);
    if (!opts->lock_owned || !opts->lock_owned(lock, opts->lock_aux)) {
        return ovsdb_error(OVSDB_E_NOT_OWNER, "Asserted lock %s not held.",
                           lock);
    }
    *result = json_object();
    return NULL;
}

static json_t *
dispatch_op(struct ovsdb_txn *txn, struct ovsdb_op_parser *p,
            const struct ovsdb_txn_opts *opts, json_t **result,
            long long *block_ms)
{
    const json_t *nj = ovsdb_op_parser_member(p, "op", OVSDB_OP_ID);
    json_t *err = ovsdb_op_parser_error(p);
    if (err) {
        return err;
    }
    const char *name = json_string_value(nj);
    if (!strcmp(name, "insert")) {
        return op_insert(txn, p, result);
    } else if (!strcmp(name, "select")) {
        return op_select(txn, p, result);
    } else if (!strcmp(name, "update")) {
        return op_update(txn, p, result);
    } else if (!strcmp(name, "mutate")) {
        return op_mutate(txn, p, result);
    } else if (!strcmp(name, "delete")) {
        return op_delete(txn, p, result);
    } else if (!strcmp(name, "wait")) {
        return op_wait(txn, p, opts, result, block_ms);
    } else if (!strcmp(name, "commit")) {
        return op_commit(txn, p, result);
    } else if (!strcmp(name, "abort")) {
        return ovsdb_error(OVSDB_E_ABORTED, "aborted by request");
    } else if (!strcmp(name, "comment")) {
        return op_comment(txn, p, result);
    } else if (!strcmp(name, "assert")) {
        return op_assert(p, opts, result);
    }
    ovsdb_op_parser_raise(p, "No operation \"%s\"", name);
    return ovsdb_op_parser_error(p);
}

/* Runs operation 'idx' of 'n_ops'.  As in ovsdb-server, a member the
 * operation does not define makes it fail even if it ran (the caller
 * aborts the transaction), and that error wins over the operation's. */
static json_t *
execute_op(struct ovsdb_txn *txn, const json_t *op, size_t idx,
           size_t n_ops, const struct ovsdb_txn_opts *opts, json_t **result,
           long long *block_ms)
{
    struct ovsdb_op_parser p;
    ovsdb_op_parser_init(&p, op, idx, n_ops);
    json_t *err = ovsdb_op_parser_error(&p);
    if (err) {
        return err;
    }
    err = dispatch_op(txn, &p, opts, result, block_ms);
    json_t *perr = ovsdb_op_parser_finish(&p);
    if (perr) {
        json_decref(err);
        json_decref(*result);
        *result = NULL;
        err = perr;
    }
    ovsdb_op_parser_destroy(&p);
    return err;
}

/* ---- Execution -------------------------------------------------------- */

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum ovsdb_txn_status
ovsdb_txn_execute(struct ovsdb_db *db, const json_t *ops,
                  const struct ovsdb_txn_opts *opts_,
                  struct ovsdb_txn_result *res)
{
    static const struct ovsdb_txn_opts no_opts;
    const struct ovsdb_txn_opts *opts = opts_ ? opts_ : &no_opts;

    memset(res, 0, sizeof *res);
    res->wait_ms = -1;
    res->result = json_array();
    if (db->txn || db->in_callbacks) {
        json_array_append_new(res->result, ovsdb_error(OVSDB_E_NOT_SUPPORTED,
            "a transaction is already running on this database"));
        return OVSDB_TXN_DONE;
    }
    if (!json_is_array(ops)) {
        json_array_append_new(res->result, ovsdb_error(OVSDB_E_SYNTAX,
            "operations must be an array"));
        return OVSDB_TXN_DONE;
    }

    struct ovsdb_txn txn;
    memset(&txn, 0, sizeof txn);
    txn.db = db;
    txn.read_only = opts->read_only;
    txn.tail = &txn.head;
    ovsdb_symtab_init(&txn.symtab);
    dstr_init(&txn.comment);
    db->txn = &txn;

    size_t n_ops = json_array_size(ops);
    json_t *err = NULL;
    for (size_t i = 0; i < n_ops; i++) {
        json_t *r = NULL;
        long long block_ms = -2;
        err = execute_op(&txn, json_array_get(ops, i), i, n_ops, opts, &r,
                         &block_ms);
        if (block_ms != -2) {
            /* A wait that does not hold yet: as in ovsdb-server, the
             * operation's members are not checked before it does. */
            json_decref(err);
            ovsdb_txn_abort(&txn);
            json_decref(res->result);
            res->result = NULL;
            res->wait_ms = block_ms;
            goto out;
        }
        if (err) {
            json_array_append_new(res->result, err);
            for (size_t k = i + 1; k < n_ops; k++) {
                json_array_append_new(res->result, json_null());
            }
            break;
        }
        json_array_append_new(res->result, r);
    }
    if (!err) {
        err = ovsdb_txn_precommit(&txn);
        if (err) {
            json_array_append_new(res->result, err);
        }
    }
    if (!err) {
        err = ovsdb_txn_commit(&txn, opts->now_ms ? opts->now_ms : now_ms(),
                               res);
        if (err) {
            json_array_append_new(res->result, err);
        } else {
            res->committed = true;
            res->durable = txn.durable;
        }
    }
    if (err) {
        ovsdb_txn_abort(&txn);
    }

out:
    db->txn = NULL;
    ovsdb_symtab_destroy(&txn.symtab);
    dstr_free(&txn.comment);
    return res->result ? OVSDB_TXN_DONE : OVSDB_TXN_BLOCKED;
}

void
ovsdb_txn_result_destroy(struct ovsdb_txn_result *res)
{
    json_decref(res->result);
    json_decref(res->record);
    memset(res, 0, sizeof *res);
}

json_t *
ovsdb_txn_local(struct ovsdb_db *db, const json_t *ops, json_t **result)
{
    struct ovsdb_txn_result res;
    json_t *err = NULL;

    if (ovsdb_txn_execute(db, ops, NULL, &res) == OVSDB_TXN_BLOCKED) {
        res.result = json_pack("[o]", ovsdb_error(OVSDB_E_TIMED_OUT,
            "a \"wait\" in a local transaction did not hold"));
    }
    size_t i;
    json_t *r;
    json_array_foreach(res.result, i, r) {
        if (ovsdb_error_tag(r)) {
            err = json_incref(r);
            break;
        }
    }
    if (result) {
        *result = json_incref(res.result);
    }
    ovsdb_txn_result_destroy(&res);
    return err;
}

/* 'row', a modified row of a record marked "_is_diff", with each
 * column's difference applied to its value in 'old' (see datum.h).
 * Returns a new reference, or NULL with '*errp' set. */
static json_t *
undiff_row(const struct ovsdb_table *t, const struct ovsdb_row *old,
           const json_t *row, json_t **errp)
{
    json_t *full = json_object();
    const char *cname;
    json_t *value;

    json_object_foreach((json_t *) row, cname, value) {
        const struct ovsdb_column_schema *cs
            = ovsdb_table_schema_find_column(t->schema, cname);
        if (!cs) {
            json_object_set(full, cname, value);    /* The update says. */
            continue;
        }
        struct ovsdb_datum diff, new;
        json_t *err = ovsdb_datum_from_json_loose(&diff, &cs->type, value,
                                                  NULL);
        if (!err) {
            err = ovsdb_datum_apply_diff(&new, &old->fields[cs->idx], &diff,
                                         &cs->type);
            ovsdb_datum_destroy(&diff, &cs->type);
        }
        if (err) {
            json_decref(full);
            *errp = ovsdb_error_wrap(err, "record: difference for table %s "
                                     "column %s", t->schema->name, cname);
            return NULL;
        }
        json_object_set_new(full, cname, ovsdb_datum_to_json(&new,
                                                             &cs->type));
        ovsdb_datum_destroy(&new, &cs->type);
    }
    return full;
}

json_t *
ovsdb_txn_apply_record(struct ovsdb_db *db, const json_t *record)
{
    const char *tname;
    json_t *rows;
    char buf[OVSDB_UUID_LEN + 1];

    if (!json_is_object(record)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "record must be an object");
    }
    bool is_diff = json_is_true(json_object_get(record, "_is_diff"));
    json_t *ops = json_array();
    json_object_foreach((json_t *) record, tname, rows) {
        if (tname[0] == '_') {
            continue;
        }
        struct ovsdb_table *t = ovsdb_db_find_table(db, tname);
        if (!t || !json_is_object(rows)) {
            json_decref(ops);
            return ovsdb_error(t ? OVSDB_E_SYNTAX : OVSDB_E_UNKNOWN_TABLE,
                               "record: bad table %s", tname);
        }
        const char *us;
        json_t *row;
        json_object_foreach(rows, us, row) {
            struct ovsdb_uuid u;
            if (!ovsdb_uuid_from_string(&u, us)) {
                json_decref(ops);
                return ovsdb_error(OVSDB_E_SYNTAX, "record: bad UUID %s", us);
            }
            ovsdb_uuid_format(&u, buf);
            json_t *where = json_pack("[[ss[ss]]]", "_uuid", "==", "uuid",
                                      buf);
            const struct ovsdb_row *old = ovsdb_table_find_row(t, &u);
            if (json_is_null(row)) {
                json_array_append_new(ops, json_pack("{sssssO}", "op",
                    "delete", "table", tname, "where", where));
            } else if (old) {
                json_t *err = NULL;
                json_t *full = is_diff ? undiff_row(t, old, row, &err)
                                       : json_incref(row);
                if (!full) {
                    json_decref(where);
                    json_decref(ops);
                    return err;
                }
                json_array_append_new(ops, json_pack("{sssssOso}", "op",
                    "update", "table", tname, "where", where, "row", full));
            } else {
                json_array_append_new(ops, json_pack("{sssssssO}", "op",
                    "insert", "table", tname, "uuid", buf, "row", row));
            }
            json_decref(where);
        }
    }
    json_t *err = ovsdb_txn_local(db, ops, NULL);
    json_decref(ops);
    return err;
}
