/* ovsdb/txn: RFC 7047 "transact" operations. */
#include "ovsdb/txn.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ovsdb/condition.h"
#include "ovsdb/error.h"
#include "ovsdb/mutation.h"
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

static json_t *
get_table(struct ovsdb_txn *txn, const json_t *op, struct ovsdb_table **t)
{
    const char *name = json_string_value(json_object_get(op, "table"));
    if (!name) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"table\" must be a string");
    }
    *t = ovsdb_db_find_table(txn->db, name);
    if (!*t) {
        return ovsdb_error(OVSDB_E_UNKNOWN_TABLE, "No table named %s", name);
    }
    return NULL;
}

static json_t *
get_where(struct ovsdb_txn *txn, const json_t *op, struct ovsdb_table *t,
          struct ovsdb_condition *cond)
{
    const json_t *w = json_object_get(op, "where");
    if (!w) {
        return ovsdb_error(OVSDB_E_SYNTAX, "missing \"where\"");
    }
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
          const json_t *j, bool update, struct parsed_row *p)
{
    const char *name;
    json_t *v;

    memset(p, 0, sizeof *p);
    p->ts = ts;
    if (!j) {
        return NULL;
    }
    if (!json_is_object(j)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"row\" must be an object");
    }
    p->cols = calloc(json_object_size(j) + 1, sizeof *p->cols);
    p->vals = calloc(json_object_size(j) + 1, sizeof *p->vals);
    json_object_foreach((json_t *) j, name, v) {
        const struct ovsdb_column_schema *c =
            ovsdb_table_schema_find_column(ts, name);
        json_t *err = NULL;
        if (!c) {
            err = ovsdb_error(OVSDB_E_UNKNOWN_COLUMN, "No column %s in table "
                              "%s", name, ts->name);
        } else if (c->idx < OVSDB_N_RESERVED_COLUMNS) {
            err = ovsdb_error(OVSDB_E_CONSTRAINT, "Column %s in table %s is "
                              "read-only", name, ts->name);
        } else if (update && !c->mutable_) {
            err = ovsdb_error(OVSDB_E_CONSTRAINT, "Cannot update immutable "
                              "column %s in table %s", name, ts->name);
        } else {
            err = ovsdb_datum_from_json(&p->vals[p->n], &c->type, v,
                                        &txn->symtab);
            if (err) {
                ovsdb_error_wrap(err, "table %s column %s", ts->name, name);
            }
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

static json_t *
op_insert(struct ovsdb_txn *txn, const json_t *op, json_t **result)
{
    struct ovsdb_table *t;
    json_t *err = get_table(txn, op, &t);
    if (err) {
        return err;
    }
    const json_t *name_j = json_object_get(op, "uuid-name");
    const json_t *uuid_j = json_object_get(op, "uuid");
    struct ovsdb_uuid uuid;
    struct ovsdb_symbol *sym = NULL;

    if (name_j && !json_is_string(name_j)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"uuid-name\" must be a string");
    }
    if (uuid_j) {
        if (!ovsdb_uuid_from_string(&uuid, json_string_value(uuid_j))) {
            return ovsdb_error(OVSDB_E_SYNTAX, "\"uuid\" must be a UUID "
                               "string");
        }
    } else {
        ovsdb_uuid_generate(&uuid);
    }
    if (name_j) {
        sym = ovsdb_symtab_get(&txn->symtab, json_string_value(name_j));
        if (sym->created) {
            return ovsdb_error(OVSDB_E_DUP_UUID_NAME, "uuid-name %s is used "
                               "by more than one insert",
                               json_string_value(name_j));
        }
        if (uuid_j && sym->referenced) {
            return ovsdb_error(OVSDB_E_SYNTAX, "uuid-name %s was referenced "
                               "before an insert with an explicit uuid",
                               json_string_value(name_j));
        }
        if (uuid_j) {
            sym->uuid = uuid;
        } else {
            uuid = sym->uuid;
        }
    }
    if (ovsdb_txn_identity(t, &uuid)) {
        char buf[OVSDB_UUID_LEN + 1];
        ovsdb_uuid_format(&uuid, buf);
        return ovsdb_error(OVSDB_E_CONSTRAINT, "A row with UUID %s already "
                           "exists in table %s", buf, t->schema->name);
    }

    struct parsed_row p;
    err = parse_row(txn, t->schema, json_object_get(op, "row"), false, &p);
    if (err) {
        return err;
    }
    if (sym) {
        /* parse_row() may have grown the symbol table (forward
         * references): 'sym' may point into the old array. */
        sym = ovsdb_symtab_find(&txn->symtab, json_string_value(name_j));
        sym->created = true;
    }
    struct ovsdb_row *row = ovsdb_row_create(t, &uuid);
    apply_parsed_row(&p, row);
    parsed_row_destroy(&p);
    ovsdb_rowmap_insert(&t->txn_new, row);
    add_txn_row(txn, t, NULL, row);

    *result = json_pack("{so}", "uuid",
                        ovsdb_atom_to_json(&row->fields[0].keys[0],
                                           OVSDB_TYPE_UUID));
    return NULL;
}

static json_t *
op_select(struct ovsdb_txn *txn, const json_t *op, json_t **result)
{
    struct ovsdb_table *t;
    struct ovsdb_condition cond;
    unsigned int *cols;
    size_t n_cols;
    json_t *err = get_table(txn, op, &t);
    if (err || (err = get_where(txn, op, t, &cond))) {
        return err;
    }
    err = ovsdb_columns_from_json(&cols, &n_cols, t->schema,
                                  json_object_get(op, "columns"));
    if (err) {
        ovsdb_condition_destroy(&cond);
        return err;
    }
    struct row_vec m;
    find_matches(t, &cond, &m);
    json_t *rows = json_array();
    for (size_t i = 0; i < m.n; i++) {
        json_array_append_new(rows, ovsdb_row_to_json(m.rows[i], cols,
                                                      n_cols));
    }
    free(m.rows);
    free(cols);
    ovsdb_condition_destroy(&cond);
    *result = json_pack("{so}", "rows", rows);
    return NULL;
}

static json_t *
op_update(struct ovsdb_txn *txn, const json_t *op, json_t **result)
{
    struct ovsdb_table *t;
    struct ovsdb_condition cond;
    struct parsed_row p;
    json_t *err = get_table(txn, op, &t);
    if (err || (err = get_where(txn, op, t, &cond))) {
        return err;
    }
    const json_t *rj = json_object_get(op, "row");
    err = rj ? parse_row(txn, t->schema, rj, true, &p)
             : ovsdb_error(OVSDB_E_SYNTAX, "missing \"row\"");
    if (err) {
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
op_mutate(struct ovsdb_txn *txn, const json_t *op, json_t **result)
{
    struct ovsdb_table *t;
    struct ovsdb_condition cond;
    struct ovsdb_mutation_set ms;
    json_t *err = get_table(txn, op, &t);
    if (err || (err = get_where(txn, op, t, &cond))) {
        return err;
    }
    const json_t *mj = json_object_get(op, "mutations");
    err = mj ? ovsdb_mutation_set_from_json(&ms, t->schema, mj, &txn->symtab)
             : ovsdb_error(OVSDB_E_SYNTAX, "missing \"mutations\"");
    if (err) {
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
op_delete(struct ovsdb_txn *txn, const json_t *op, json_t **result)
{
    struct ovsdb_table *t;
    struct ovsdb_condition cond;
    json_t *err = get_table(txn, op, &t);
    if (err || (err = get_where(txn, op, t, &cond))) {
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

/* Whether the rows of 'm', restricted to 'cols', are exactly the rows of
 * 'exp' (as multisets). */
static bool
rows_equal(const struct ovsdb_table_schema *ts, const unsigned int *cols,
           size_t n_cols, const struct row_vec *m,
           struct ovsdb_datum *const *exp, size_t n_exp)
{
    if (m->n != n_exp) {
        return false;
    }
    bool *used = calloc(n_exp + 1, sizeof *used);
    bool ok = true;
    for (size_t i = 0; i < m->n && ok; i++) {
        ok = false;
        for (size_t e = 0; e < n_exp && !ok; e++) {
            if (used[e]) {
                continue;
            }
            bool same = true;
            for (size_t c = 0; c < n_cols && same; c++) {
                same = ovsdb_datum_equals(&m->rows[i]->fields[cols[c]],
                                          &exp[e][c],
                                          &ts->columns[cols[c]].type);
            }
            if (same) {
                used[e] = ok = true;
            }
        }
    }
    free(used);
    return ok;
}

static json_t *
op_wait(struct ovsdb_txn *txn, const json_t *op,
        const struct ovsdb_txn_opts *opts, json_t **result,
        long long *block_ms)
{
    struct ovsdb_table *t;
    struct ovsdb_condition cond;
    unsigned int *cols = NULL;
    size_t n_cols = 0;
    json_t *err = get_table(txn, op, &t);
    if (err) {
        return err;
    }
    const char *until = json_string_value(json_object_get(op, "until"));
    const json_t *rows = json_object_get(op, "rows");
    const json_t *tmo = json_object_get(op, "timeout");
    if (!until || (strcmp(until, "==") && strcmp(until, "!="))) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"until\" must be \"==\" or "
                           "\"!=\"");
    }
    if (!json_is_array(rows)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"rows\" must be an array");
    }
    if (tmo && (!json_is_integer(tmo) || json_integer_value(tmo) < 0)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"timeout\" must be a "
                           "non-negative integer");
    }
    if ((err = get_where(txn, op, t, &cond))) {
        return err;
    }
    err = ovsdb_columns_from_json(&cols, &n_cols, t->schema,
                                  json_object_get(op, "columns"));

    size_t n_exp = json_array_size(rows);
    struct ovsdb_datum **exp = calloc(n_exp + 1, sizeof *exp);
    for (size_t e = 0; e < n_exp && !err; e++) {
        const json_t *rj = json_array_get(rows, e);
        exp[e] = calloc(n_cols + 1, sizeof **exp);
        for (size_t c = 0; c < n_cols; c++) {
            ovsdb_datum_init_default(&exp[e][c],
                                     &t->schema->columns[cols[c]].type);
        }
        if (!json_is_object(rj)) {
            err = ovsdb_error(OVSDB_E_SYNTAX, "\"rows\" must hold objects");
            break;
        }
        const char *name;
        json_t *v;
        json_object_foreach((json_t *) rj, name, v) {
            size_t c;
            for (c = 0; c < n_cols; c++) {
                if (!strcmp(t->schema->columns[cols[c]].name, name)) {
                    break;
                }
            }
            if (c == n_cols) {
                err = ovsdb_error(OVSDB_E_SYNTAX, "column %s in \"rows\" is "
                                  "not in \"columns\"", name);
                break;
            }
            const struct ovsdb_type *ct = &t->schema->columns[cols[c]].type;
            ovsdb_datum_destroy(&exp[e][c], ct);
            err = ovsdb_datum_from_json(&exp[e][c], ct, v, &txn->symtab);
            if (err) {
                ovsdb_datum_init_empty(&exp[e][c]);
                break;
            }
        }
    }

    if (!err) {
        struct row_vec m;
        find_matches(t, &cond, &m);
        bool equal = rows_equal(t->schema, cols, n_cols, &m, exp, n_exp);
        free(m.rows);
        if (equal == !strcmp(until, "==")) {
            *result = json_object();
        } else {
            long long timeout = tmo ? json_integer_value(tmo) : -1;
            if (timeout >= 0 && opts->elapsed_ms >= timeout) {
                err = ovsdb_error(OVSDB_E_TIMED_OUT, "\"wait\" timed out "
                                  "after %lld ms", timeout);
            } else {
                *block_ms = timeout < 0 ? -1 : timeout - opts->elapsed_ms;
            }
        }
    }
    for (size_t e = 0; e < n_exp; e++) {
        for (size_t c = 0; exp[e] && c < n_cols; c++) {
            ovsdb_datum_destroy(&exp[e][c],
                                &t->schema->columns[cols[c]].type);
        }
        free(exp[e]);
    }
    free(exp);
    free(cols);
    ovsdb_condition_destroy(&cond);
    return err;
}

static json_t *
op_commit(struct ovsdb_txn *txn, const json_t *op, json_t **result)
{
    const json_t *d = json_object_get(op, "durable");
    if (!json_is_boolean(d)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"durable\" must be a boolean");
    }
    txn->durable |= json_is_true(d);
    *result = json_object();
    return NULL;
}

static json_t *
op_comment(struct ovsdb_txn *txn, const json_t *op, json_t **result)
{
    const char *s = json_string_value(json_object_get(op, "comment"));
    if (!s) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"comment\" must be a string");
    }
    if (txn->has_comment) {
        dstr_put(&txn->comment, "\n");
    }
    dstr_put(&txn->comment, s);
    txn->has_comment = true;
    *result = json_object();
    return NULL;
}

static json_t *
op_assert(const json_t *op, const struct ovsdb_txn_opts *opts,
          json_t **result)
{
    const char *lock = json_string_value(json_object_get(op, "lock"));
    if (!lock) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"lock\" must be a string");
    }
    if (!opts->lock_owned || !opts->lock_owned(lock, opts->lock_aux)) {
        return ovsdb_error(OVSDB_E_NOT_OWNER, "lock %s is not owned by this "
                           "session", lock);
    }
    *result = json_object();
    return NULL;
}

static json_t *
execute_op(struct ovsdb_txn *txn, const json_t *op,
           const struct ovsdb_txn_opts *opts, json_t **result,
           long long *block_ms)
{
    if (!json_is_object(op)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "operation must be an object");
    }
    const char *name = json_string_value(json_object_get(op, "op"));
    if (!name) {
        return ovsdb_error(OVSDB_E_SYNTAX, "operation needs an \"op\" "
                           "string");
    }
    if (!strcmp(name, "insert")) {
        return op_insert(txn, op, result);
    } else if (!strcmp(name, "select")) {
        return op_select(txn, op, result);
    } else if (!strcmp(name, "update")) {
        return op_update(txn, op, result);
    } else if (!strcmp(name, "mutate")) {
        return op_mutate(txn, op, result);
    } else if (!strcmp(name, "delete")) {
        return op_delete(txn, op, result);
    } else if (!strcmp(name, "wait")) {
        return op_wait(txn, op, opts, result, block_ms);
    } else if (!strcmp(name, "commit")) {
        return op_commit(txn, op, result);
    } else if (!strcmp(name, "abort")) {
        return ovsdb_error(OVSDB_E_ABORTED, "aborted by request");
    } else if (!strcmp(name, "comment")) {
        return op_comment(txn, op, result);
    } else if (!strcmp(name, "assert")) {
        return op_assert(op, opts, result);
    }
    return ovsdb_error(OVSDB_E_UNKNOWN_OP, "No operation \"%s\"", name);
}

/* ---- Execution -------------------------------------------------------- */

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static json_t *
check_symbols(const struct ovsdb_txn *txn)
{
    for (size_t i = 0; i < txn->symtab.n; i++) {
        const struct ovsdb_symbol *s = &txn->symtab.syms[i];
        if (s->referenced && !s->created) {
            return ovsdb_error(OVSDB_E_SYNTAX, "named-uuid %s is not the "
                               "uuid-name of any insert", s->name);
        }
    }
    return NULL;
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
    txn.tail = &txn.head;
    ovsdb_symtab_init(&txn.symtab);
    dstr_init(&txn.comment);
    db->txn = &txn;

    size_t n_ops = json_array_size(ops);
    json_t *err = NULL;
    for (size_t i = 0; i < n_ops; i++) {
        json_t *r = NULL;
        long long block_ms = -2;
        err = execute_op(&txn, json_array_get(ops, i), opts, &r, &block_ms);
        if (block_ms != -2) {
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
        err = check_symbols(&txn);
        if (!err) {
            err = ovsdb_txn_precommit(&txn);
        }
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
