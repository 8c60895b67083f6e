/* ovsdb/monitor_update: the row updates monitors send ("update" of RFC
 * 7047 4.1.6, Open vSwitch's "update2" and "update3"), and how they reach
 * a session that reads slowly.
 *
 * A commit is sent at once while the session's send queue is empty.
 * Otherwise the monitor holds the changes, coalesced per row (the row as
 * the client last heard of it is kept; the current one is in the
 * database), and sends them as one update once the queue is empty: a
 * client that reads slowly gets fewer, bigger updates, and what the
 * server keeps for it is bounded by the database, not by the rate of
 * commits.
 *
 * Big messages (the initial reply of a monitor request, held changes)
 * are written in parts by a job (a stream_rpc producer), a few rows per
 * call, so one loop iteration never serialises more than about a slice.
 * A job describes the database as it was when the job started ("S"): the
 * rows it has not written yet and that a commit changes meanwhile get a
 * copy of their state at S ('snap'), and the commit's changes are held
 * for the next update.  So the client sees a consistent state at S, then
 * the changes after it, and update3's transaction ids stay true. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/monitor_internal.h"
#include "ovsdb/uuid.h"
#include "src/util/stream_rpc.h"

/* A row the client is to hear about: in a monitor's 'pending' or in a
 * job. */
struct osrv_mrow {
    struct hmap_node node;          /* By UUID, in 'pending' or a job. */
    struct ovsdb_uuid uuid;
    unsigned int mt;                /* Index in the monitor's tables. */
    struct ovsdb_row *old;          /* As the client knows it (copy), NULL
                                     * if it does not; unused for initial
                                     * rows. */
    bool snapped;                   /* Jobs: changed after S; 'snap' is
                                     * its state at S (NULL: absent). */
    struct ovsdb_row *snap;
};

enum mjob_kind {
    MJOB_INITIAL,                   /* Reply to a monitor request. */
    MJOB_UPDATE,                    /* Notification of held changes. */
};

struct osrv_mjob {
    struct osrv_monitor *m;         /* NULL once the monitor is gone. */
    enum mjob_kind kind;
    json_t *req_id;                 /* MJOB_INITIAL. */
    json_t *txn_id;                 /* Version 3: last txn id at S. */
    struct osrv_mrow *rows;         /* Sorted by 'mt'. */
    size_t n, next;                 /* Rows; the next one to write. */
    struct hmap index;              /* 'rows' by UUID. */
    bool started;                   /* The message's head is written. */
    long cur_mt;                    /* Table whose object is open, -1. */
};

/* ---- Row updates ---------------------------------------------------- */

static json_t *
table_updates_get(json_t *updates, const char *table)
{
    json_t *t = json_object_get(updates, table);
    if (!t) {
        t = json_object();
        json_object_set_new(updates, table, t);
    }
    return t;
}

void
osrv_put_row_update(json_t *updates, const struct osrv_mtable *mt,
                    const struct ovsdb_uuid *uuid, json_t *ru)
{
    char text[OVSDB_UUID_LEN + 1];
    ovsdb_uuid_format(uuid, text);
    json_object_set_new(table_updates_get(updates, mt->ts->name), text, ru);
}

json_t *
osrv_row_json2(const struct ovsdb_row *row, const struct osrv_mtable *mt)
{
    json_t *j = json_object();
    for (size_t i = 0; i < mt->n_cols; i++) {
        const struct ovsdb_column_schema *cs = &mt->ts->columns[mt->cols[i]];
        if (!ovsdb_datum_is_default(&row->fields[cs->idx], &cs->type)) {
            json_object_set_new(j, cs->name, ovsdb_datum_to_json(
                                    &row->fields[cs->idx], &cs->type));
        }
    }
    return j;
}

/* The update2 difference of two values of a set or map column: the
 * elements in one only, plus (maps) the new pairs of changed keys. */
static json_t *
datum_diff_to_json(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
                   const struct ovsdb_type *type)
{
    struct ovsdb_type t = *type;
    struct ovsdb_datum d;
    bool map = ovsdb_type_is_map(&t);
    size_t i = 0, j = 0;

    t.n_min = 0;
    t.n_max = OVSDB_UNLIMITED;
    ovsdb_datum_init_empty(&d);
    while (i < a->n || j < b->n) {
        int cmp = i >= a->n ? 1 : j >= b->n ? -1
                  : ovsdb_atom_compare(&a->keys[i], &b->keys[j], t.key.type);
        const struct ovsdb_datum *src = NULL;
        size_t k = 0;
        if (cmp < 0) {
            src = a;
            k = i++;
        } else if (cmp > 0) {
            src = b;
            k = j++;
        } else {
            if (map && ovsdb_atom_compare(&a->values[i], &b->values[j],
                                          t.value.type)) {
                src = b;
                k = j;
            }
            i++;
            j++;
        }
        if (src) {
            union ovsdb_atom key, value;
            ovsdb_atom_clone(&key, &src->keys[k], t.key.type);
            if (map) {
                ovsdb_atom_clone(&value, &src->values[k], t.value.type);
            }
            ovsdb_datum_append(&d, &key, map ? &value : NULL, &t);
        }
    }
    ovsdb_datum_sort(&d, &t, false);
    json_t *json = ovsdb_datum_to_json(&d, &t);
    ovsdb_datum_destroy(&d, &t);
    return json;
}

/* The "modify" <row> of 'c' for 'mt', or NULL if no monitored column
 * (other than _version) changed. */
static json_t *
modify_to_json2(const struct ovsdb_row_change *c,
                const struct osrv_mtable *mt)
{
    json_t *j = NULL;
    for (size_t i = 0; i < mt->n_cols; i++) {
        const struct ovsdb_column_schema *cs = &mt->ts->columns[mt->cols[i]];
        if (cs->idx == OVSDB_COL_VERSION || !c->changed[cs->idx]) {
            continue;
        }
        const struct ovsdb_datum *old = &c->old->fields[cs->idx];
        const struct ovsdb_datum *new = &c->new->fields[cs->idx];
        if (ovsdb_datum_equals(old, new, &cs->type)) {
            continue;
        }
        if (!j) {
            j = json_object();
        }
        /* As ovsdb-server (and ovsdb_datum_apply_diff()): a type that
         * holds at most one value gets its new value, not a difference. */
        json_object_set_new(j, cs->name, cs->type.n_max <= 1
                            ? ovsdb_datum_to_json(new, &cs->type)
                            : datum_diff_to_json(old, new, &cs->type));
    }
    if (j) {
        for (size_t i = 0; i < mt->n_cols; i++) {
            if (mt->cols[i] == OVSDB_COL_VERSION) {
                json_object_set_new(j, "_version", ovsdb_datum_to_json(
                    &c->new->fields[OVSDB_COL_VERSION],
                    &mt->ts->columns[OVSDB_COL_VERSION].type));
            }
        }
    }
    return j;
}

/* The <row-update2> of 'c' for 'mt', or NULL. */
static json_t *
row_update2(const struct osrv_mtable *mt, const struct ovsdb_row_change *c)
{
    bool old = osrv_mtable_match(mt, c->old);
    bool new = osrv_mtable_match(mt, c->new);
    if (!old && new) {
        return mt->insert ? json_pack("{so}", "insert",
                                      osrv_row_json2(c->new, mt)) : NULL;
    } else if (old && !new) {
        return mt->delete_ ? json_pack("{so}", "delete", json_null()) : NULL;
    } else if (old && new && mt->modify) {
        json_t *diff = modify_to_json2(c, mt);
        return diff ? json_pack("{so}", "modify", diff) : NULL;
    }
    return NULL;
}

/* The <row-update> (version 1) of 'c' for 'mt', or NULL. */
static json_t *
row_update1(const struct osrv_mtable *mt, const struct ovsdb_row_change *c)
{
    if (!c->old) {
        return mt->insert ? json_pack("{so}", "new", ovsdb_row_to_json(
                                          c->new, mt->cols, mt->n_cols))
                          : NULL;
    } else if (!c->new) {
        return mt->delete_ ? json_pack("{so}", "old", ovsdb_row_to_json(
                                           c->old, mt->cols, mt->n_cols))
                           : NULL;
    } else if (!mt->modify) {
        return NULL;
    }
    unsigned int changed[mt->n_cols ? mt->n_cols : 1];
    size_t n = 0;
    for (size_t i = 0; i < mt->n_cols; i++) {
        if (c->changed[mt->cols[i]] && mt->cols[i] != OVSDB_COL_VERSION) {
            changed[n++] = mt->cols[i];
        }
    }
    if (!n) {
        return NULL;
    }
    /* _version changes with every modification: report it too. */
    for (size_t i = 0; i < mt->n_cols; i++) {
        if (mt->cols[i] == OVSDB_COL_VERSION) {
            changed[n++] = OVSDB_COL_VERSION;
        }
    }
    return json_pack("{soso}",
                     "old", ovsdb_row_to_json(c->old, changed, n),
                     "new", ovsdb_row_to_json(c->new, mt->cols, mt->n_cols));
}

json_t *
osrv_row_update(const struct osrv_monitor *m, const struct osrv_mtable *mt,
                const struct ovsdb_row_change *c)
{
    return m->version == 1 ? row_update1(mt, c) : row_update2(mt, c);
}

/* The initial <row-update> of 'row' for 'mt', or NULL. */
static json_t *
row_initial(const struct osrv_monitor *m, const struct osrv_mtable *mt,
            const struct ovsdb_row *row)
{
    if (m->version == 1) {
        return json_pack("{so}", "new",
                         ovsdb_row_to_json(row, mt->cols, mt->n_cols));
    }
    return osrv_mtable_match(mt, row)
           ? json_pack("{so}", "initial", osrv_row_json2(row, mt)) : NULL;
}

static json_t *
txn_id_json(const struct osrv_db *db)
{
    char text[OVSDB_UUID_LEN + 1];
    ovsdb_uuid_format(&db->last_txn_id, text);
    return json_string(text);
}

static const char *const update_methods[] = { "update", "update2",
                                              "update3" };

void
osrv_send_updates(const struct osrv_monitor *m, json_t *updates)
{
    if (json_object_size(updates)) {
        json_t *params;
        if (m->version == 3) {
            params = json_pack("[OoO]", m->id, txn_id_json(m->db), updates);
        } else {
            params = json_pack("[OO]", m->id, updates);
        }
        json_t *msg = jsonrpc_request(update_methods[m->version - 1], params,
                                      NULL);
        stream_rpc_send(m->s->rpc, msg);
        json_decref(msg);
    }
}

/* ---- Held changes --------------------------------------------------- */

static struct osrv_mrow *
mrow_find(const struct hmap *map, const struct ovsdb_uuid *uuid)
{
    uint32_t hash = ovsdb_uuid_hash(uuid);
    for (struct hmap_node *n = hmap_first_with_hash(map, hash); n;
         n = hmap_next_with_hash(n)) {
        struct osrv_mrow *r = HMAP_CONTAINER(n, struct osrv_mrow, node);
        if (ovsdb_uuid_equals(&r->uuid, uuid)) {
            return r;
        }
    }
    return NULL;
}

static struct ovsdb_row *
row_copy(const struct ovsdb_row *row)
{
    return row ? ovsdb_row_clone(row) : NULL;
}

/* The index in m->tables of the table of 'c', or -1. */
static long
mtable_index(const struct osrv_monitor *m, const struct ovsdb_row_change *c)
{
    for (size_t i = 0; i < m->n_tables; i++) {
        if (m->tables[i].ts == c->table->schema) {
            return (long) i;
        }
    }
    return -1;
}

void
osrv_monitor_hold(struct osrv_monitor *m, const struct ovsdb_commit *commit)
{
    struct osrv_mjob *job = m->job;
    bool held = false;
    for (size_t i = 0; i < commit->n_changes; i++) {
        const struct ovsdb_row_change *c = &commit->changes[i];
        long mt = mtable_index(m, c);
        if (mt < 0) {
            continue;
        }
        const struct ovsdb_uuid *uuid = ovsdb_row_uuid(c->old ? c->old
                                                              : c->new);
        /* A row the job has yet to write: it writes it as it was. */
        struct osrv_mrow *jr = job ? mrow_find(&job->index, uuid) : NULL;
        if (jr && (size_t) (jr - job->rows) >= job->next && !jr->snapped) {
            jr->snapped = true;
            jr->snap = row_copy(c->old);
        }
        /* The first change since the client's view: that view is 'old'. */
        if (!mrow_find(&m->pending, uuid)) {
            struct osrv_mrow *r = calloc(1, sizeof *r);
            if (!r) {
                abort();
            }
            r->uuid = *uuid;
            r->mt = (unsigned int) mt;
            r->old = row_copy(c->old);
            hmap_insert(&m->pending, &r->node, ovsdb_uuid_hash(uuid));
        }
        held = true;
    }
    if (held) {
        stream_rpc_notify_idle(m->s->rpc);
    }
}

bool
osrv_monitor_busy(const struct osrv_monitor *m)
{
    return m->job || hmap_count(&m->pending);
}

/* ---- Jobs ----------------------------------------------------------- */

static void
mrow_clear(struct osrv_mrow *r)
{
    ovsdb_row_destroy(r->old);
    ovsdb_row_destroy(r->snap);
    r->old = r->snap = NULL;
}

static void
job_release(void *job_)
{
    struct osrv_mjob *job = job_;
    if (job->m) {
        job->m->job = NULL;
    }
    for (size_t i = 0; i < job->n; i++) {
        mrow_clear(&job->rows[i]);
    }
    hmap_destroy(&job->index);
    free(job->rows);
    json_decref(job->req_id);
    json_decref(job->txn_id);
    free(job);
}

/* The row of 'r' as it was at the job's start, or NULL if absent. */
static const struct ovsdb_row *
job_row_at_start(const struct osrv_monitor *m, const struct osrv_mrow *r)
{
    if (r->snapped) {
        return r->snap;
    }
    const struct ovsdb_table *t = ovsdb_db_table(m->db->db,
                                                 m->tables[r->mt].ts);
    return ovsdb_table_find_row(t, &r->uuid);
}

/* The row update that row 'r' of the job contributes, or NULL. */
static json_t *
job_row_update(const struct osrv_mjob *job, const struct osrv_mrow *r)
{
    const struct osrv_monitor *m = job->m;
    const struct osrv_mtable *mt = &m->tables[r->mt];
    const struct ovsdb_row *now = job_row_at_start(m, r);
    if (job->kind == MJOB_INITIAL) {
        return now ? row_initial(m, mt, now) : NULL;
    }
    if (!r->old && !now) {
        return NULL;            /* Inserted and deleted again. */
    }
    const struct ovsdb_table_schema *ts = mt->ts;
    bool changed[ts->n_columns];
    for (size_t i = 0; i < ts->n_columns; i++) {
        changed[i] = !r->old || !now
                     || !ovsdb_datum_equals(&r->old->fields[i],
                                            &now->fields[i],
                                            &ts->columns[i].type);
    }
    struct ovsdb_row_change c = {
        .table = ovsdb_db_table(m->db->db, ts),
        .old = r->old,
        .new = now,
        .changed = changed,
    };
    return osrv_row_update(m, mt, &c);
}

/* Writes the head of the job's message. */
static int
job_put_head(struct stream_rpc *rpc, struct osrv_mjob *job)
{
    const struct osrv_monitor *m = job->m;
    int error;
    if (job->kind == MJOB_INITIAL) {
        /* As jsonrpc_reply() orders it: {"id", "result", "error"}. */
        error = stream_rpc_put(rpc, "{\"id\":", 6);
        error = error ? error : stream_rpc_put_json(rpc, job->req_id);
        error = error ? error : stream_rpc_put(rpc, ",\"result\":", 10);
        if (!error && m->version == 3) {
            error = stream_rpc_put(rpc, "[false,", 7);
            error = error ? error : stream_rpc_put_json(rpc, job->txn_id);
            error = error ? error : stream_rpc_put(rpc, ",", 1);
        }
    } else {
        /* As jsonrpc_request() orders it: {"method", "params", "id"}. */
        json_t *method = json_string(update_methods[m->version - 1]);
        error = stream_rpc_put(rpc, "{\"method\":", 10);
        error = error ? error : stream_rpc_put_json(rpc, method);
        error = error ? error : stream_rpc_put(rpc, ",\"params\":[", 11);
        error = error ? error : stream_rpc_put_json(rpc, m->id);
        error = error ? error : stream_rpc_put(rpc, ",", 1);
        if (!error && m->version == 3) {
            error = stream_rpc_put_json(rpc, job->txn_id);
            error = error ? error : stream_rpc_put(rpc, ",", 1);
        }
        json_decref(method);
    }
    return error ? error : stream_rpc_put(rpc, "{", 1);
}

static int
job_put_tail(struct stream_rpc *rpc, const struct osrv_mjob *job)
{
    int error = stream_rpc_put(rpc, job->cur_mt >= 0 ? "}}" : "}",
                               job->cur_mt >= 0 ? 2 : 1);
    if (error) {
        return error;
    }
    if (job->kind == MJOB_INITIAL) {
        return job->m->version == 3
               ? stream_rpc_put(rpc, "],\"error\":null}", 15)
               : stream_rpc_put(rpc, ",\"error\":null}", 14);
    }
    return stream_rpc_put(rpc, "],\"id\":null}", 12);
}

/* Writes one row update of 'r' (already computed as 'ru'). */
static int
job_put_row(struct stream_rpc *rpc, struct osrv_mjob *job,
            const struct osrv_mrow *r, const json_t *ru)
{
    const struct osrv_mtable *mt = &job->m->tables[r->mt];
    int error = 0;
    if (job->cur_mt != (long) r->mt) {
        json_t *name = json_string(mt->ts->name);
        if (job->cur_mt >= 0) {
            error = stream_rpc_put(rpc, "},", 2);
        }
        error = error ? error : stream_rpc_put_json(rpc, name);
        error = error ? error : stream_rpc_put(rpc, ":{", 2);
        json_decref(name);
        job->cur_mt = (long) r->mt;
    } else {
        error = stream_rpc_put(rpc, ",", 1);
    }
    char text[OVSDB_UUID_LEN + 3];
    text[0] = '"';
    ovsdb_uuid_format(&r->uuid, text + 1);
    text[OVSDB_UUID_LEN + 1] = '"';
    text[OVSDB_UUID_LEN + 2] = ':';
    error = error ? error : stream_rpc_put(rpc, text, sizeof text);
    return error ? error : stream_rpc_put_json(rpc, ru);
}

/* The producer: at least one row written per call, or the end. */
static bool
job_produce(struct stream_rpc *rpc, void *job_)
{
    struct osrv_mjob *job = job_;
    if (!job->m) {
        return true;            /* Only when the session is closing. */
    }
    if (!job->started && job->kind == MJOB_INITIAL) {
        job->started = true;
        if (job_put_head(rpc, job)) {
            return true;
        }
    }
    while (job->next < job->n) {
        const struct osrv_mrow *r = &job->rows[job->next++];
        json_t *ru = job_row_update(job, r);
        if (!ru) {
            continue;
        }
        int error = 0;
        if (!job->started) {
            job->started = true;
            error = job_put_head(rpc, job);
        }
        error = error ? error : job_put_row(rpc, job, r, ru);
        json_decref(ru);
        return error != 0;
    }
    if (job->started) {
        job_put_tail(rpc, job);
    }
    return true;                /* An update with nothing to say: none. */
}

static struct osrv_mjob *
job_create(struct osrv_monitor *m, enum mjob_kind kind, size_t n)
{
    struct osrv_mjob *job = calloc(1, sizeof *job);
    if (!job || !(job->rows = calloc(n ? n : 1, sizeof *job->rows))) {
        abort();
    }
    job->m = m;
    job->kind = kind;
    job->cur_mt = -1;
    hmap_init(&job->index);
    if (m->version == 3) {
        job->txn_id = txn_id_json(m->db);
    }
    return job;
}

static void
job_add(struct osrv_mjob *job, const struct osrv_mrow *r)
{
    struct osrv_mrow *dst = &job->rows[job->n++];
    *dst = *r;
    hmap_insert(&job->index, &dst->node, ovsdb_uuid_hash(&dst->uuid));
}

static void
job_queue(struct osrv_monitor *m, struct osrv_mjob *job)
{
    m->job = job;
    stream_rpc_send_producer(m->s->rpc, job_produce, job_release, job);
}

void
osrv_monitor_send_initial(struct osrv_monitor *m, const json_t *req_id)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_tables; i++) {
        if (m->tables[i].initial) {
            n += ovsdb_table_n_rows(ovsdb_db_table(m->db->db,
                                                   m->tables[i].ts));
        }
    }
    struct osrv_mjob *job = job_create(m, MJOB_INITIAL, n);
    job->req_id = json_incref((json_t *) req_id);
    for (size_t i = 0; i < m->n_tables; i++) {
        const struct osrv_mtable *mt = &m->tables[i];
        if (!mt->initial) {
            continue;
        }
        const struct ovsdb_table *t = ovsdb_db_table(m->db->db, mt->ts);
        size_t pos;
        for (const struct ovsdb_row *row = ovsdb_table_first(t, &pos); row;
             row = ovsdb_table_next(t, row, &pos)) {
            struct osrv_mrow r = { .uuid = *ovsdb_row_uuid(row),
                                   .mt = (unsigned int) i };
            job_add(job, &r);
        }
    }
    job_queue(m, job);
}

static int
mrow_cmp(const void *a_, const void *b_)
{
    const struct osrv_mrow *a = *(const struct osrv_mrow *const *) a_;
    const struct osrv_mrow *b = *(const struct osrv_mrow *const *) b_;
    return a->mt < b->mt ? -1 : a->mt > b->mt;
}

void
osrv_monitor_flush(struct osrv_monitor *m)
{
    size_t n = hmap_count(&m->pending);
    if (m->job || !n) {
        return;
    }
    struct osrv_mrow **v = malloc(n * sizeof *v);
    if (!v) {
        abort();
    }
    size_t k = 0, pos = 0;
    for (struct hmap_node *node = hmap_next(&m->pending, &pos, NULL); node;
         node = hmap_next(&m->pending, &pos, node)) {
        v[k++] = HMAP_CONTAINER(node, struct osrv_mrow, node);
    }
    qsort(v, n, sizeof *v, mrow_cmp);   /* Grouped by table. */
    struct osrv_mjob *job = job_create(m, MJOB_UPDATE, n);
    for (size_t i = 0; i < n; i++) {
        job_add(job, v[i]);             /* Takes its 'old'. */
        free(v[i]);
    }
    free(v);
    hmap_destroy(&m->pending);
    hmap_init(&m->pending);
    job_queue(m, job);
}

void
osrv_monitor_settle(struct osrv_monitor *m)
{
    stream_rpc_finish_producers(m->s->rpc);
    if (hmap_count(&m->pending)) {
        osrv_monitor_flush(m);
        stream_rpc_finish_producers(m->s->rpc);
    }
}

void
osrv_monitor_out_destroy(struct osrv_monitor *m)
{
    if (m->job) {
        m->job->m = NULL;
        m->job = NULL;
    }
    size_t pos = 0;
    struct hmap_node *node = hmap_next(&m->pending, &pos, NULL);
    while (node) {
        struct hmap_node *next = hmap_next(&m->pending, &pos, node);
        struct osrv_mrow *r = HMAP_CONTAINER(node, struct osrv_mrow, node);
        mrow_clear(r);
        free(r);
        node = next;
    }
    hmap_destroy(&m->pending);
}
