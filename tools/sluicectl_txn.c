/* sluicectl_txn: changes to the snapshot, as one OVSDB transaction. */
#include "tools/sluicectl_txn.h"

#include <stdlib.h>
#include <string.h>

#include "ovsdb/uuid.h"

struct sctl_change {
    const struct ovsdb_table_schema *ts;
    struct ovsdb_row *row;          /* The snapshot's (owned once deleted). */
    bool inserted;                  /* By this transaction. */
    bool deleted;
    struct ovsdb_datum *old;        /* Per column: value read (existing
                                     * rows, written columns only). */
    bool *written;                  /* Per column. */
};

void
sctl_txn_init(struct sctl_txn *t, struct sctl_snap *s)
{
    memset(t, 0, sizeof *t);
    t->s = s;
}

void
sctl_txn_destroy(struct sctl_txn *t)
{
    for (size_t i = 0; i < t->n; i++) {
        struct sctl_change *ch = &t->changes[i];
        for (size_t j = 0; ch->old && j < ch->ts->n_columns; j++) {
            if (ch->written[j]) {
                ovsdb_datum_destroy(&ch->old[j], &ch->ts->columns[j].type);
            }
        }
        free(ch->old);
        free(ch->written);
        if (ch->deleted) {
            ovsdb_row_destroy(ch->row);
        }
    }
    free(t->changes);
    memset(t, 0, sizeof *t);
}

static struct sctl_change *
find_change(struct sctl_txn *t, const struct ovsdb_row *row)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->changes[i].row == row) {
            return &t->changes[i];
        }
    }
    return NULL;
}

static struct sctl_change *
add_change(struct sctl_txn *t, const struct ovsdb_table_schema *ts,
           struct ovsdb_row *row, bool inserted)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->changes = realloc(t->changes, t->cap * sizeof *t->changes);
        if (!t->changes) {
            abort();
        }
    }
    struct sctl_change *ch = &t->changes[t->n++];
    memset(ch, 0, sizeof *ch);
    ch->ts = ts;
    ch->row = row;
    ch->inserted = inserted;
    ch->written = calloc(ts->n_columns, sizeof *ch->written);
    if (!inserted) {
        ch->old = calloc(ts->n_columns, sizeof *ch->old);
    }
    if (!ch->written || (!inserted && !ch->old)) {
        abort();
    }
    return ch;
}

/* Position of the first row of 'r' whose UUID is not below 'u'. */
static size_t
lower_bound(const struct sctl_rows *r, const struct ovsdb_uuid *u)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ovsdb_uuid_compare(ovsdb_row_uuid(r->rows[mid]), u) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

const struct ovsdb_row *
sctl_txn_insert(struct sctl_txn *t, const struct ovsdb_table_schema *ts,
                const struct ovsdb_uuid *uuid)
{
    struct ovsdb_uuid u;
    if (uuid) {
        u = *uuid;
    } else {
        ovsdb_uuid_generate(&u);
    }
    struct ovsdb_row *row = ovsdb_row_create(ovsdb_db_table(t->s->db, ts),
                                             &u);
    struct sctl_rows *r = &t->s->tables[ts->idx];
    struct ovsdb_row **rows = realloc(r->rows, (r->n + 1) * sizeof *rows);
    if (!rows) {
        abort();
    }
    r->rows = rows;
    size_t pos = lower_bound(r, &u);
    memmove(&rows[pos + 1], &rows[pos], (r->n - pos) * sizeof *rows);
    rows[pos] = row;
    r->n++;
    add_change(t, ts, row, true);
    return row;
}

void
sctl_txn_write(struct sctl_txn *t, const struct ovsdb_row *row_,
               const struct ovsdb_column_schema *col,
               struct ovsdb_datum *value)
{
    struct ovsdb_row *row = (struct ovsdb_row *) row_;   /* The snapshot's. */
    const struct ovsdb_table_schema *ts = ovsdb_row_schema(row);
    struct sctl_change *ch = find_change(t, row);
    if (!ch) {
        ch = add_change(t, ts, row, false);
    }
    struct ovsdb_datum *field = &row->fields[col->idx];
    if (!ch->written[col->idx] && ch->old) {
        ovsdb_datum_swap(&ch->old[col->idx], field);   /* Keep the old. */
    } else {
        ovsdb_datum_destroy(field, &col->type);
    }
    ovsdb_datum_init_empty(field);
    ovsdb_datum_swap(field, value);
    ch->written[col->idx] = true;
}

void
sctl_txn_delete(struct sctl_txn *t, const struct ovsdb_row *row_)
{
    struct ovsdb_row *row = (struct ovsdb_row *) row_;
    const struct ovsdb_table_schema *ts = ovsdb_row_schema(row);
    struct sctl_rows *r = &t->s->tables[ts->idx];
    size_t pos = lower_bound(r, ovsdb_row_uuid(row));
    if (pos < r->n && r->rows[pos] == row) {
        memmove(&r->rows[pos], &r->rows[pos + 1],
                (r->n - pos - 1) * sizeof *r->rows);
        r->n--;
    }
    struct sctl_change *ch = find_change(t, row);
    if (!ch) {
        ch = add_change(t, ts, row, false);
    }
    ch->deleted = true;
}

bool
sctl_txn_has_changes(const struct sctl_txn *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct sctl_change *ch = &t->changes[i];
        if (ch->inserted != ch->deleted) {
            return true;
        }
        for (size_t j = 0; !ch->inserted && j < ch->ts->n_columns; j++) {
            if (ch->written[j]) {
                return true;
            }
        }
    }
    return false;
}

static json_t *
where_uuid(const struct ovsdb_row *row)
{
    char buf[OVSDB_UUID_LEN + 1];
    ovsdb_uuid_format(ovsdb_row_uuid(row), buf);
    return json_pack("[[s, s, [s, s]]]", "_uuid", "==", "uuid", buf);
}

/* The "wait" that the columns written to 'ch' (or, if it is deleted, the
 * row itself) are still as read; NULL if nothing needs checking. */
static json_t *
verify_op(const struct sctl_change *ch)
{
    if (ch->deleted && !ch->ts->is_root) {
        return NULL;                /* Nothing is sent for it. */
    }
    json_t *cols = json_array(), *row = json_object();
    if (ch->deleted) {
        json_array_append_new(cols, json_string("_uuid"));
        char buf[OVSDB_UUID_LEN + 1];
        ovsdb_uuid_format(ovsdb_row_uuid(ch->row), buf);
        json_object_set_new(row, "_uuid", json_pack("[s, s]", "uuid", buf));
    } else {
        for (size_t j = 0; j < ch->ts->n_columns; j++) {
            if (ch->written[j]) {
                const struct ovsdb_column_schema *col = &ch->ts->columns[j];
                json_array_append_new(cols, json_string(col->name));
                json_object_set_new(row, col->name, ovsdb_datum_to_json(
                                        &ch->old[j], &col->type));
            }
        }
    }
    if (!json_array_size(cols)) {
        json_decref(cols);
        json_decref(row);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:o, s:i, s:o, s:s, s:[o]}", "op", "wait",
                     "table", ch->ts->name, "where", where_uuid(ch->row),
                     "timeout", 0, "columns", cols, "until", "==", "rows",
                     row);
}

/* The columns of 'ch' to send: all non-default ones of an inserted row,
 * the written ones of an updated row. */
static json_t *
row_json(const struct sctl_change *ch)
{
    json_t *row = json_object();
    for (size_t j = OVSDB_N_RESERVED_COLUMNS; j < ch->ts->n_columns; j++) {
        const struct ovsdb_column_schema *col = &ch->ts->columns[j];
        const struct ovsdb_datum *d = &ch->row->fields[j];
        if (ch->inserted ? !ovsdb_datum_is_default(d, &col->type)
                         : ch->written[j]) {
            json_object_set_new(row, col->name,
                                ovsdb_datum_to_json(d, &col->type));
        }
    }
    return row;
}

json_t *
sctl_txn_ops(const struct sctl_txn *t, size_t *n_verify)
{
    json_t *ops = json_array();
    for (size_t i = 0; i < t->n; i++) {
        const struct sctl_change *ch = &t->changes[i];
        json_t *op = ch->inserted ? NULL : verify_op(ch);
        if (op) {
            json_array_append_new(ops, op);
        }
    }
    *n_verify = json_array_size(ops);
    for (size_t i = 0; i < t->n; i++) {
        const struct sctl_change *ch = &t->changes[i];
        const char *name = ch->ts->name;
        if (ch->inserted && !ch->deleted) {
            char buf[OVSDB_UUID_LEN + 1];
            ovsdb_uuid_format(ovsdb_row_uuid(ch->row), buf);
            json_array_append_new(ops, json_pack(
                "{s:s, s:s, s:s, s:o}", "op", "insert", "table", name,
                "uuid", buf, "row", row_json(ch)));
        } else if (ch->deleted && !ch->inserted && ch->ts->is_root) {
            /* Rows of other tables are not deleted but left to the
             * server's garbage collection, as Open vSwitch's IDL leaves
             * them: one that is still referred to stays. */
            json_array_append_new(ops, json_pack(
                "{s:s, s:s, s:o}", "op", "delete", "table", name, "where",
                where_uuid(ch->row)));
        } else if (!ch->inserted && !ch->deleted) {
            json_t *row = row_json(ch);
            if (json_object_size(row)) {
                json_array_append_new(ops, json_pack(
                    "{s:s, s:s, s:o, s:o}", "op", "update", "table", name,
                    "where", where_uuid(ch->row), "row", row));
            } else {
                json_decref(row);
            }
        }
    }
    return ops;
}
