/* ovsdb/row: rows and UUID-keyed row maps. */
#include "ovsdb/row.h"

#include <stdlib.h>
#include <string.h>

#include "ovsdb/db.h"

const struct ovsdb_table_schema *
ovsdb_row_schema(const struct ovsdb_row *row)
{
    return row->table->schema;
}

static struct ovsdb_row *
row_alloc(struct ovsdb_table *table)
{
    size_t n = table->schema->n_columns;
    struct ovsdb_row *row = calloc(1, sizeof *row + n * sizeof row->fields[0]);
    if (!row) {
        abort();
    }
    row->table = table;
    return row;
}

struct ovsdb_row *
ovsdb_row_create(struct ovsdb_table *table, const struct ovsdb_uuid *uuid)
{
    const struct ovsdb_table_schema *ts = table->schema;
    struct ovsdb_row *row = row_alloc(table);
    for (size_t i = 0; i < ts->n_columns; i++) {
        ovsdb_datum_init_default(&row->fields[i], &ts->columns[i].type);
    }
    row->fields[OVSDB_COL_UUID].keys[0].uuid = *uuid;
    return row;
}

struct ovsdb_row *
ovsdb_row_clone(const struct ovsdb_row *src)
{
    const struct ovsdb_table_schema *ts = src->table->schema;
    struct ovsdb_row *row = row_alloc(src->table);
    for (size_t i = 0; i < ts->n_columns; i++) {
        ovsdb_datum_clone(&row->fields[i], &src->fields[i],
                          &ts->columns[i].type);
    }
    return row;
}

void
ovsdb_row_destroy(struct ovsdb_row *row)
{
    if (!row) {
        return;
    }
    const struct ovsdb_table_schema *ts = row->table->schema;
    for (size_t i = 0; i < ts->n_columns; i++) {
        ovsdb_datum_destroy(&row->fields[i], &ts->columns[i].type);
    }
    free(row);
}

const struct ovsdb_datum *
ovsdb_row_get(const struct ovsdb_row *row, const char *name)
{
    const struct ovsdb_column_schema *c =
        ovsdb_table_schema_find_column(row->table->schema, name);
    return c ? &row->fields[c->idx] : NULL;
}

json_t *
ovsdb_row_to_json(const struct ovsdb_row *row, const unsigned int *cols,
                  size_t n)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    json_t *o = json_object();
    if (!cols) {
        n = ts->n_columns;
    }
    for (size_t i = 0; i < n; i++) {
        const struct ovsdb_column_schema *c = &ts->columns[cols ? cols[i] : i];
        json_object_set_new(o, c->name,
                            ovsdb_datum_to_json(&row->fields[c->idx],
                                                &c->type));
    }
    return o;
}

/* ---- Row maps --------------------------------------------------------- */

void
ovsdb_rowmap_init(struct ovsdb_rowmap *m)
{
    m->buckets = NULL;
    m->mask = 0;
    m->n = 0;
}

void
ovsdb_rowmap_destroy(struct ovsdb_rowmap *m)
{
    free(m->buckets);
    ovsdb_rowmap_init(m);
}

static void
rowmap_resize(struct ovsdb_rowmap *m, size_t n_buckets)
{
    struct ovsdb_row **b = calloc(n_buckets, sizeof *b);
    if (!b) {
        abort();
    }
    for (size_t i = 0; m->buckets && i <= m->mask; i++) {
        struct ovsdb_row *r = m->buckets[i], *next;
        for (; r; r = next) {
            next = r->hnext;
            size_t h = ovsdb_uuid_hash(ovsdb_row_uuid(r)) & (n_buckets - 1);
            r->hnext = b[h];
            b[h] = r;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->mask = n_buckets - 1;
}

void
ovsdb_rowmap_insert(struct ovsdb_rowmap *m, struct ovsdb_row *row)
{
    if (!m->buckets || m->n >= m->mask + 1) {
        rowmap_resize(m, m->buckets ? (m->mask + 1) * 2 : 16);
    }
    size_t h = ovsdb_uuid_hash(ovsdb_row_uuid(row)) & m->mask;
    row->hnext = m->buckets[h];
    m->buckets[h] = row;
    m->n++;
}

void
ovsdb_rowmap_remove(struct ovsdb_rowmap *m, struct ovsdb_row *row)
{
    size_t h = ovsdb_uuid_hash(ovsdb_row_uuid(row)) & m->mask;
    for (struct ovsdb_row **p = &m->buckets[h]; *p; p = &(*p)->hnext) {
        if (*p == row) {
            *p = row->hnext;
            row->hnext = NULL;
            m->n--;
            return;
        }
    }
}

struct ovsdb_row *
ovsdb_rowmap_find(const struct ovsdb_rowmap *m, const struct ovsdb_uuid *u)
{
    if (!m->n) {
        return NULL;
    }
    struct ovsdb_row *r = m->buckets[ovsdb_uuid_hash(u) & m->mask];
    for (; r; r = r->hnext) {
        if (ovsdb_uuid_equals(ovsdb_row_uuid(r), u)) {
            return r;
        }
    }
    return NULL;
}

static struct ovsdb_row *
scan_from(const struct ovsdb_rowmap *m, size_t *pos)
{
    for (; m->buckets && *pos <= m->mask; (*pos)++) {
        if (m->buckets[*pos]) {
            return m->buckets[*pos];
        }
    }
    return NULL;
}

struct ovsdb_row *
ovsdb_rowmap_first(const struct ovsdb_rowmap *m, size_t *pos)
{
    *pos = 0;
    return m->n ? scan_from(m, pos) : NULL;
}

struct ovsdb_row *
ovsdb_rowmap_next(const struct ovsdb_rowmap *m, const struct ovsdb_row *row,
                  size_t *pos)
{
    if (row->hnext) {
        return row->hnext;
    }
    (*pos)++;
    return scan_from(m, pos);
}
