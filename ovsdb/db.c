/* ovsdb/db: in-memory databases, commit callbacks and journal records. */
#include "ovsdb/db.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ovsdb_db *
ovsdb_db_create(struct ovsdb_schema *schema)
{
    struct ovsdb_db *db = calloc(1, sizeof *db);
    if (!db) {
        abort();
    }
    db->schema = schema;
    db->n_tables = schema->n_tables;
    db->tables = calloc(db->n_tables + 1, sizeof *db->tables);
    for (size_t i = 0; i < db->n_tables; i++) {
        struct ovsdb_table *t = &db->tables[i];
        t->schema = &schema->tables[i];
        t->db = db;
        ovsdb_rowmap_init(&t->rows);
        ovsdb_rowmap_init(&t->txn_new);
    }
    return db;
}

void
ovsdb_db_destroy(struct ovsdb_db *db)
{
    if (!db) {
        return;
    }
    for (size_t i = 0; i < db->n_tables; i++) {
        struct ovsdb_table *t = &db->tables[i];
        size_t pos;
        struct ovsdb_row *r = ovsdb_rowmap_first(&t->rows, &pos);
        while (r) {
            struct ovsdb_row *next = ovsdb_rowmap_next(&t->rows, r, &pos);
            ovsdb_rowmap_remove(&t->rows, r);
            ovsdb_row_destroy(r);
            r = next;
        }
        ovsdb_rowmap_destroy(&t->rows);
        ovsdb_rowmap_destroy(&t->txn_new);
    }
    free(db->tables);
    free(db->cbs);
    free(db->checks);
    ovsdb_schema_destroy(db->schema);
    free(db);
}

struct ovsdb_table *
ovsdb_db_find_table(const struct ovsdb_db *db, const char *name)
{
    const struct ovsdb_table_schema *ts =
        ovsdb_schema_find_table(db->schema, name);
    return ts ? &db->tables[ts->idx] : NULL;
}

const struct ovsdb_row *
ovsdb_table_find_row(const struct ovsdb_table *t, const struct ovsdb_uuid *u)
{
    return ovsdb_rowmap_find(&t->rows, u);
}

const struct ovsdb_row *
ovsdb_table_first(const struct ovsdb_table *t, size_t *pos)
{
    return ovsdb_rowmap_first(&t->rows, pos);
}

const struct ovsdb_row *
ovsdb_table_next(const struct ovsdb_table *t, const struct ovsdb_row *r,
                 size_t *pos)
{
    return ovsdb_rowmap_next(&t->rows, r, pos);
}

void
ovsdb_db_set_journal(struct ovsdb_db *db, ovsdb_journal_cb *cb, void *aux)
{
    db->journal = cb;
    db->journal_aux = aux;
}

int
ovsdb_db_add_check_cb(struct ovsdb_db *db, ovsdb_check_cb *cb, void *aux)
{
    struct ovsdb_db_check *n = realloc(db->checks,
                                       (db->n_checks + 1) * sizeof *n);
    if (!n) {
        return -ENOMEM;
    }
    db->checks = n;
    db->checks[db->n_checks].cb = cb;
    db->checks[db->n_checks].aux = aux;
    db->n_checks++;
    return 0;
}

void
ovsdb_db_remove_check_cb(struct ovsdb_db *db, ovsdb_check_cb *cb, void *aux)
{
    for (size_t i = 0; i < db->n_checks; i++) {
        if (db->checks[i].cb == cb && db->checks[i].aux == aux) {
            memmove(&db->checks[i], &db->checks[i + 1],
                    (db->n_checks - i - 1) * sizeof *db->checks);
            db->n_checks--;
            return;
        }
    }
}

json_t *
ovsdb_db_run_checks(struct ovsdb_db *db, const struct ovsdb_row_change *ch,
                    size_t n)
{
    for (size_t i = 0; i < db->n_checks; i++) {
        json_t *err = db->checks[i].cb(db, ch, n, db->checks[i].aux);
        if (err) {
            return err;
        }
    }
    return NULL;
}

int
ovsdb_db_add_commit_cb(struct ovsdb_db *db, ovsdb_commit_cb *cb, void *aux)
{
    struct ovsdb_db_cb *n = realloc(db->cbs, (db->n_cbs + 1) * sizeof *n);
    if (!n) {
        return -ENOMEM;
    }
    db->cbs = n;
    db->cbs[db->n_cbs].cb = cb;
    db->cbs[db->n_cbs].aux = aux;
    db->n_cbs++;
    return 0;
}

int
ovsdb_db_remove_commit_cb(struct ovsdb_db *db, ovsdb_commit_cb *cb, void *aux)
{
    for (size_t i = 0; i < db->n_cbs; i++) {
        if (db->cbs[i].cb == cb && db->cbs[i].aux == aux) {
            memmove(&db->cbs[i], &db->cbs[i + 1],
                    (db->n_cbs - i - 1) * sizeof *db->cbs);
            db->n_cbs--;
            return 0;
        }
    }
    return -ENOENT;
}

void
ovsdb_db_run_commit_cbs(struct ovsdb_db *db, const struct ovsdb_commit *c)
{
    db->in_callbacks = true;
    for (size_t i = 0; i < db->n_cbs; i++) {
        db->cbs[i].cb(db, c, db->cbs[i].aux);
    }
    db->in_callbacks = false;
}

/* ---- Records ---------------------------------------------------------- */

/* Persistent columns of 'row' ('changed' NULL: those not at default). */
static json_t *
row_record(const struct ovsdb_row *row, const bool *changed)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    json_t *o = json_object();
    for (size_t i = OVSDB_N_RESERVED_COLUMNS; i < ts->n_columns; i++) {
        const struct ovsdb_column_schema *c = &ts->columns[i];
        if (c->ephemeral) {
            continue;
        }
        if (changed ? !changed[i]
                    : ovsdb_datum_is_default(&row->fields[i], &c->type)) {
            continue;
        }
        json_object_set_new(o, c->name,
                            ovsdb_datum_to_json(&row->fields[i], &c->type));
    }
    return o;
}

static json_t *
table_member(json_t *rec, const char *name)
{
    json_t *t = json_object_get(rec, name);
    if (!t) {
        t = json_object();
        json_object_set_new(rec, name, t);
    }
    return t;
}

static void
add_date_comment(json_t *rec, const char *comment, long long date_ms)
{
    if (date_ms) {
        json_object_set_new(rec, "_date", json_integer(date_ms));
    }
    if (comment && *comment) {
        json_object_set_new(rec, "_comment", json_string(comment));
    }
}

json_t *
ovsdb_db_to_json(const struct ovsdb_db *db, long long date_ms)
{
    json_t *rec = json_object();
    char buf[OVSDB_UUID_LEN + 1];
    for (size_t i = 0; i < db->n_tables; i++) {
        const struct ovsdb_table *t = &db->tables[i];
        size_t pos;
        const struct ovsdb_row *r;
        if (!t->rows.n) {
            continue;
        }
        json_t *tj = table_member(rec, t->schema->name);
        for (r = ovsdb_table_first(t, &pos); r;
             r = ovsdb_table_next(t, r, &pos)) {
            ovsdb_uuid_format(ovsdb_row_uuid(r), buf);
            json_object_set_new(tj, buf, row_record(r, NULL));
        }
    }
    add_date_comment(rec, NULL, date_ms);
    return rec;
}

json_t *
ovsdb_changes_to_record(const struct ovsdb_row_change *ch, size_t n,
                        const char *comment, long long date_ms)
{
    json_t *rec = json_object();
    char buf[OVSDB_UUID_LEN + 1];
    bool any = false;

    for (size_t i = 0; i < n; i++) {
        const struct ovsdb_row *r = ch[i].new ? ch[i].new : ch[i].old;
        json_t *rj;
        if (!ch[i].new) {
            rj = json_null();
        } else {
            rj = row_record(ch[i].new, ch[i].old ? ch[i].changed : NULL);
            if (ch[i].old && !json_object_size(rj)) {
                json_decref(rj);        /* Only ephemeral changes. */
                continue;
            }
        }
        ovsdb_uuid_format(ovsdb_row_uuid(r), buf);
        json_object_set_new(table_member(rec, ch[i].table->schema->name),
                            buf, rj);
        any = true;
    }
    if (!any) {
        json_decref(rec);
        return NULL;
    }
    add_date_comment(rec, comment, date_ms);
    return rec;
}
