/* ovsdb/monitor: RFC 7047 "monitor" (section 4.1.5), "update" (4.1.6)
 * and "monitor_cancel" (4.1.7) for the server's sessions.  A monitor is
 * owned by its session; it holds, per monitored table, the column
 * indexes and the "select" flags (several requests on one table are
 * merged: the union of their columns and of their flags). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "server_internal.h"
#include "stream_rpc.h"
#include "uuid.h"

struct osrv_mtable {
    const struct ovsdb_table_schema *ts;
    unsigned int *cols;
    size_t n_cols;
    bool initial, insert, delete_, modify;
};

struct osrv_monitor {
    struct osrv_monitor *next;
    const struct osrv_db *db;
    json_t *id;
    struct osrv_mtable *tables;
    size_t n_tables;
};

static void
monitor_free(struct osrv_monitor *m)
{
    for (size_t i = 0; i < m->n_tables; i++) {
        free(m->tables[i].cols);
    }
    free(m->tables);
    json_decref(m->id);
    free(m);
}

static void
add_col(struct osrv_mtable *mt, unsigned int idx)
{
    for (size_t i = 0; i < mt->n_cols; i++) {
        if (mt->cols[i] == idx) {
            return;
        }
    }
    mt->cols[mt->n_cols++] = idx;
}

/* Merges one <monitor-request> into 'mt'. */
static json_t *
parse_request(struct osrv_mtable *mt, const json_t *req)
{
    const struct ovsdb_table_schema *ts = mt->ts;
    if (!json_is_object(req)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "table %s: <monitor-request> "
                           "must be an object", ts->name);
    }
    const json_t *columns = json_object_get(req, "columns");
    const json_t *select = json_object_get(req, "select");
    if (columns && !json_is_array(columns)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "table %s: \"columns\" must be "
                           "an array", ts->name);
    }
    if (columns) {
        size_t i;
        const json_t *c;
        json_array_foreach(columns, i, c) {
            const struct ovsdb_column_schema *cs = json_is_string(c)
                ? ovsdb_table_schema_find_column(ts, json_string_value(c))
                : NULL;
            if (!cs) {
                return ovsdb_error(OVSDB_E_SYNTAX, "table %s: unknown "
                                   "column in \"columns\"", ts->name);
            }
            add_col(mt, cs->idx);
        }
    } else {
        for (unsigned int i = 0; i < ts->n_columns; i++) {
            if (i != OVSDB_COL_UUID) {
                add_col(mt, i);
            }
        }
    }
    static const char *const names[] = { "initial", "insert", "delete",
                                         "modify" };
    bool *flags[] = { &mt->initial, &mt->insert, &mt->delete_, &mt->modify };
    if (select && !json_is_object(select)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "table %s: \"select\" must be an "
                           "object", ts->name);
    }
    for (size_t i = 0; i < 4; i++) {
        const json_t *v = select ? json_object_get(select, names[i]) : NULL;
        if (v && !json_is_boolean(v)) {
            return ovsdb_error(OVSDB_E_SYNTAX, "table %s: \"select\" "
                               "member %s must be a boolean", ts->name,
                               names[i]);
        }
        if (!v || json_is_true(v)) {
            *flags[i] = true;
        }
    }
    return NULL;
}

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

static void
put_row_update(json_t *updates, const struct osrv_mtable *mt,
               const struct ovsdb_uuid *uuid, json_t *old, json_t *new)
{
    char text[OVSDB_UUID_LEN + 1];
    json_t *ru = json_object();

    ovsdb_uuid_format(uuid, text);
    if (old) {
        json_object_set_new(ru, "old", old);
    }
    if (new) {
        json_object_set_new(ru, "new", new);
    }
    json_object_set_new(table_updates_get(updates, mt->ts->name), text, ru);
}

json_t *
osrv_monitor_create(struct osrv_session *s, struct osrv_db *db,
                    const json_t *id, const json_t *requests,
                    json_t **resultp)
{
    for (struct osrv_monitor *m = s->monitors; m; m = m->next) {
        if (json_equal(m->id, id)) {
            return json_string("duplicate monitor ID");
        }
    }
    if (!json_is_object(requests)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "<monitor-requests> must be an "
                           "object");
    }

    struct osrv_monitor *m = calloc(1, sizeof *m);
    m->tables = calloc(json_object_size(requests) + 1, sizeof *m->tables);
    m->db = db;
    m->id = json_incref((json_t *) id);

    const char *name;
    json_t *reqs;
    json_object_foreach((json_t *) requests, name, reqs) {
        const struct ovsdb_table_schema *ts
            = ovsdb_schema_find_table(db->db->schema, name);
        if (!ts) {
            monitor_free(m);
            return ovsdb_error(OVSDB_E_UNKNOWN_TABLE, "%s", name);
        }
        struct osrv_mtable *mt = &m->tables[m->n_tables++];
        mt->ts = ts;
        mt->cols = calloc(ts->n_columns, sizeof *mt->cols);
        json_t *err = NULL;
        if (json_is_array(reqs)) {
            size_t i;
            json_t *r;
            json_array_foreach(reqs, i, r) {
                err = parse_request(mt, r);
                if (err) {
                    break;
                }
            }
        } else {
            err = parse_request(mt, reqs);
        }
        if (err) {
            monitor_free(m);
            return err;
        }
    }

    json_t *updates = json_object();
    for (size_t i = 0; i < m->n_tables; i++) {
        const struct osrv_mtable *mt = &m->tables[i];
        if (!mt->initial) {
            continue;
        }
        const struct ovsdb_table *t = ovsdb_db_table(db->db, mt->ts);
        size_t pos;
        for (const struct ovsdb_row *row = ovsdb_table_first(t, &pos); row;
             row = ovsdb_table_next(t, row, &pos)) {
            put_row_update(updates, mt, ovsdb_row_uuid(row), NULL,
                           ovsdb_row_to_json(row, mt->cols, mt->n_cols));
        }
    }
    m->next = s->monitors;
    s->monitors = m;
    *resultp = updates;
    return NULL;
}

int
osrv_monitor_cancel(struct osrv_session *s, const json_t *id)
{
    for (struct osrv_monitor **p = &s->monitors; *p; p = &(*p)->next) {
        if (json_equal((*p)->id, id)) {
            struct osrv_monitor *m = *p;
            *p = m->next;
            monitor_free(m);
            return 0;
        }
    }
    return -ENOENT;
}

void
osrv_monitor_destroy_all(struct osrv_session *s, const struct osrv_db *db)
{
    struct osrv_monitor **p = &s->monitors;
    while (*p) {
        struct osrv_monitor *m = *p;
        if (!db || m->db == db) {
            *p = m->next;
            monitor_free(m);
        } else {
            p = &m->next;
        }
    }
}

/* Adds the row update of 'c' for 'mt' to 'updates', if it has one. */
static void
change_update(json_t *updates, const struct osrv_mtable *mt,
              const struct ovsdb_row_change *c)
{
    if (!c->old) {
        if (mt->insert) {
            put_row_update(updates, mt, ovsdb_row_uuid(c->new), NULL,
                           ovsdb_row_to_json(c->new, mt->cols, mt->n_cols));
        }
    } else if (!c->new) {
        if (mt->delete_) {
            put_row_update(updates, mt, ovsdb_row_uuid(c->old),
                           ovsdb_row_to_json(c->old, mt->cols, mt->n_cols),
                           NULL);
        }
    } else if (mt->modify) {
        unsigned int changed[mt->n_cols ? mt->n_cols : 1];
        size_t n = 0;
        for (size_t i = 0; i < mt->n_cols; i++) {
            if (c->changed[mt->cols[i]] && mt->cols[i] != OVSDB_COL_VERSION) {
                changed[n++] = mt->cols[i];
            }
        }
        if (!n) {
            return;
        }
        /* _version changes with every modification: report it too. */
        for (size_t i = 0; i < mt->n_cols; i++) {
            if (mt->cols[i] == OVSDB_COL_VERSION) {
                changed[n++] = OVSDB_COL_VERSION;
            }
        }
        put_row_update(updates, mt, ovsdb_row_uuid(c->new),
                       ovsdb_row_to_json(c->old, changed, n),
                       ovsdb_row_to_json(c->new, mt->cols, mt->n_cols));
    }
}

void
osrv_monitor_commit(struct osrv_session *s, const struct osrv_db *db,
                    const struct ovsdb_commit *commit)
{
    for (struct osrv_monitor *m = s->monitors; m; m = m->next) {
        if (m->db != db) {
            continue;
        }
        json_t *updates = json_object();
        for (size_t i = 0; i < commit->n_changes; i++) {
            const struct ovsdb_row_change *c = &commit->changes[i];
            for (size_t j = 0; j < m->n_tables; j++) {
                if (m->tables[j].ts == c->table->schema) {
                    change_update(updates, &m->tables[j], c);
                }
            }
        }
        if (json_object_size(updates)) {
            json_t *params = json_pack("[OO]", m->id, updates);
            json_t *msg = jsonrpc_request("update", params, NULL);
            stream_rpc_send(s->rpc, msg);
            json_decref(msg);
        }
        json_decref(updates);
    }
}
