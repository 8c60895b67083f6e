/* ovsdb/history: the recent transactions of a served database, for
 * "monitor_cond_since" (see server_internal.h).  Each entry owns its
 * transaction id and a copy of the rows as they were before it (NULL for
 * rows it inserted); the rows after it are found in the database itself
 * (the latest state is what a client that catches up needs). */
#include <stdlib.h>
#include <string.h>

#include "ovsdb/server_internal.h"

struct osrv_hist_row {
    struct ovsdb_table *table;
    struct ovsdb_uuid uuid;
    struct ovsdb_row *old;          /* Before the transaction; NULL if it
                                     * inserted the row. */
};

struct osrv_hist_entry {
    struct ovsdb_uuid txn_id;
    struct osrv_hist_row *rows;
    size_t n_rows;
};

static void
entry_free(struct osrv_hist_entry *e)
{
    for (size_t i = 0; i < e->n_rows; i++) {
        ovsdb_row_destroy(e->rows[i].old);
    }
    free(e->rows);
    e->rows = NULL;
    e->n_rows = 0;
}

/* Drops the oldest entry. */
static void
pop_oldest(struct osrv_db *db)
{
    struct osrv_hist_entry *e = &db->hist[db->hist_head];
    db->hist_rows -= e->n_rows;
    entry_free(e);
    db->hist_head = (db->hist_head + 1) % OSRV_HISTORY_TXNS;
    db->hist_n--;
}

void
osrv_history_clear(struct osrv_db *db)
{
    while (db->hist_n) {
        pop_oldest(db);
    }
}

void
osrv_history_destroy(struct osrv_db *db)
{
    osrv_history_clear(db);
    free(db->hist);
    db->hist = NULL;
}

void
osrv_history_add(struct osrv_db *db, const struct ovsdb_commit *c)
{
    if (!db->hist) {
        db->hist = calloc(OSRV_HISTORY_TXNS, sizeof *db->hist);
        if (!db->hist) {
            return;
        }
    }
    if (c->n_changes > OSRV_HISTORY_ROWS) {
        /* Too big to keep: older ids could no longer be answered
         * correctly either. */
        osrv_history_clear(db);
        return;
    }
    struct osrv_hist_row *rows = calloc(c->n_changes ? c->n_changes : 1,
                                        sizeof *rows);
    if (!rows) {
        osrv_history_clear(db);
        return;
    }
    for (size_t i = 0; i < c->n_changes; i++) {
        const struct ovsdb_row_change *ch = &c->changes[i];
        rows[i].table = ch->table;
        rows[i].uuid = *ovsdb_row_uuid(ch->old ? ch->old : ch->new);
        rows[i].old = ch->old ? ovsdb_row_clone(ch->old) : NULL;
    }
    while (db->hist_n == OSRV_HISTORY_TXNS
           || (db->hist_n && db->hist_rows + c->n_changes
               > OSRV_HISTORY_ROWS)) {
        pop_oldest(db);
    }
    struct osrv_hist_entry *e
        = &db->hist[(db->hist_head + db->hist_n) % OSRV_HISTORY_TXNS];
    e->txn_id = db->last_txn_id;
    e->rows = rows;
    e->n_rows = c->n_changes;
    db->hist_n++;
    db->hist_rows += c->n_changes;
}

static int
hist_row_cmp(const void *a_, const void *b_)
{
    const struct osrv_hist_row *a = a_, *b = b_;
    if (a->table != b->table) {
        return a->table->schema->idx < b->table->schema->idx ? -1 : 1;
    }
    return memcmp(&a->uuid, &b->uuid, sizeof a->uuid);
}

bool
osrv_history_since(const struct osrv_db *db, const struct ovsdb_uuid *id,
                   struct osrv_net_changes *out)
{
    size_t k;

    memset(out, 0, sizeof *out);
    for (k = 0; k < db->hist_n; k++) {
        const struct osrv_hist_entry *e
            = &db->hist[(db->hist_head + k) % OSRV_HISTORY_TXNS];
        if (ovsdb_uuid_equals(&e->txn_id, id)) {
            break;
        }
    }
    if (k == db->hist_n) {
        return false;
    }

    /* Every row touched after entry k, with its state before the first
     * of those transactions (a stable sort keeps the earliest first). */
    size_t n = 0;
    for (size_t j = k + 1; j < db->hist_n; j++) {
        n += db->hist[(db->hist_head + j) % OSRV_HISTORY_TXNS].n_rows;
    }
    struct osrv_hist_row *all = calloc(n ? n : 1, sizeof *all);
    size_t *order = calloc(n ? n : 1, sizeof *order);
    n = 0;
    for (size_t j = k + 1; j < db->hist_n; j++) {
        const struct osrv_hist_entry *e
            = &db->hist[(db->hist_head + j) % OSRV_HISTORY_TXNS];
        for (size_t i = 0; i < e->n_rows; i++) {
            all[n++] = e->rows[i];
        }
    }
    /* qsort is not stable: sort indexes by (row, position). */
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
    }
    for (size_t i = 1; i < n; i++) {         /* Insertion sort: stable. */
        size_t v = order[i], j = i;
        while (j > 0 && hist_row_cmp(&all[order[j - 1]], &all[v]) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }

    out->changes = calloc(n ? n : 1, sizeof *out->changes);
    for (size_t i = 0; i < n; i++) {
        const struct osrv_hist_row *h = &all[order[i]];
        if (i && !hist_row_cmp(&all[order[i - 1]], h)) {
            continue;           /* Not the earliest change of this row. */
        }
        const struct ovsdb_row *new = ovsdb_table_find_row(h->table,
                                                           &h->uuid);
        if (!h->old && !new) {
            continue;           /* Inserted and deleted again. */
        }
        const struct ovsdb_table_schema *ts = h->table->schema;
        bool *changed = calloc(ts->n_columns, sizeof *changed);
        for (size_t c = 0; c < ts->n_columns; c++) {
            changed[c] = !h->old || !new
                         || !ovsdb_datum_equals(&h->old->fields[c],
                                                &new->fields[c],
                                                &ts->columns[c].type);
        }
        struct ovsdb_row_change *rc = &out->changes[out->n++];
        rc->table = h->table;
        rc->old = h->old;
        rc->new = new;
        rc->changed = changed;
    }
    free(order);
    free(all);
    return true;
}

void
osrv_net_changes_free(struct osrv_net_changes *nc)
{
    for (size_t i = 0; i < nc->n; i++) {
        free((bool *) nc->changes[i].changed);
    }
    free(nc->changes);
    memset(nc, 0, sizeof *nc);
}
