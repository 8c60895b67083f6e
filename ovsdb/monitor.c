/* ovsdb/monitor: RFC 7047 "monitor" (section 4.1.5), "update" (4.1.6)
 * and "monitor_cancel" (4.1.7) for the server's sessions, and Open
 * vSwitch's extensions (ovsdb-server(7)): "monitor_cond" with "update2"
 * (conditions, and "modify" carrying only the differences),
 * "monitor_cond_change", "monitor_cond_since" with "update3" (catching
 * up from the transaction history, history.c).  A monitor
 * is owned by its session; it holds, per monitored table, the column
 * indexes, the "select" flags and the conditions (several requests on one
 * table are merged: the union of their columns, flags and conditions).
 * The row updates themselves, and how they reach a client that reads
 * slowly, are in monitor_update.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/condition.h"
#include "ovsdb/error.h"
#include "ovsdb/monitor_internal.h"
#include "ovsdb/uuid.h"
#include "src/util/stream_rpc.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_monitor);

static void
mtable_clear_conds(struct osrv_mtable *mt)
{
    for (size_t i = 0; i < mt->n_conds; i++) {
        ovsdb_condition_destroy(&mt->conds[i]);
    }
    free(mt->conds);
    mt->conds = NULL;
    mt->n_conds = 0;
    mt->all = false;
}

/* Adds the clauses of "where" 'where' (an array of <condition> and
 * booleans; absent or empty means true) to the conditions of 'mt'. */
/* ovsdb-server's error for member 'name' of a <monitor-request>. */
static json_t *
member_type_error(const struct ovsdb_table_schema *ts, const char *name,
                  const json_t *req)
{
    return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "Parsing table %s "
                                          "failed: Type mismatch for member "
                                          "'%s'.", ts->name, name), req);
}

static json_t *
parse_where(struct osrv_mtable *mt, const json_t *where, const json_t *req)
{
    if (!where || (json_is_array(where) && !json_array_size(where))) {
        mt->all = true;
        return NULL;
    }
    if (!json_is_array(where)) {
        return member_type_error(mt->ts, "where", req);
    }
    size_t i;
    const json_t *clause;
    json_array_foreach(where, i, clause) {
        if (json_is_boolean(clause)) {
            mt->all |= json_is_true(clause);
            continue;
        }
        struct ovsdb_condition *conds = realloc(
            mt->conds, (mt->n_conds + 1) * sizeof *conds);
        if (!conds) {
            return ovsdb_error(OVSDB_E_RESOURCES, NULL);
        }
        mt->conds = conds;
        json_t *one = json_pack("[O]", clause);
        json_t *err = ovsdb_condition_from_json(&conds[mt->n_conds], mt->ts,
                                                one, NULL);
        json_decref(one);
        if (err) {
            return err;
        }
        mt->n_conds++;
    }
    return NULL;
}

bool
osrv_mtable_match(const struct osrv_mtable *mt, const struct ovsdb_row *row)
{
    if (!row) {
        return false;
    }
    if (mt->all) {
        return true;
    }
    for (size_t i = 0; i < mt->n_conds; i++) {
        if (ovsdb_condition_match(&mt->conds[i], row)) {
            return true;
        }
    }
    return false;
}

static void
monitor_free(struct osrv_monitor *m)
{
    osrv_monitor_out_destroy(m);
    for (size_t i = 0; i < m->n_tables; i++) {
        free(m->tables[i].cols);
        mtable_clear_conds(&m->tables[i]);
    }
    free(m->tables);
    json_decref(m->id);
    free(m);
}

/* Adds column 'idx' to 'mt'; false if it was there already. */
static bool
add_col(struct osrv_mtable *mt, unsigned int idx)
{
    for (size_t i = 0; i < mt->n_cols; i++) {
        if (mt->cols[i] == idx) {
            return false;
        }
    }
    mt->cols[mt->n_cols++] = idx;
    return true;
}

/* Merges one <monitor-request> (or <monitor-cond-request> if 'cond')
 * into 'mt'. */
static json_t *
parse_request(struct osrv_mtable *mt, const json_t *req, bool cond)
{
    const struct ovsdb_table_schema *ts = mt->ts;
    if (!json_is_object(req)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "Parsing table %s failed: Object "
                           "expected.", ts->name);
    }
    const json_t *columns = json_object_get(req, "columns");
    const json_t *select = json_object_get(req, "select");
    if (!cond) {
        mt->all = true;
    } else {
        json_t *err = parse_where(mt, json_object_get(req, "where"), req);
        if (err) {
            return err;
        }
    }
    if (columns && !json_is_array(columns)) {
        return member_type_error(ts, "columns", req);
    }
    if (select && !json_is_object(select)) {
        return member_type_error(ts, "select", req);
    }
    const char *member;
    json_t *value;
    json_object_foreach((json_t *) req, member, value) {
        if (strcmp(member, "columns") && strcmp(member, "select")
            && (!cond || strcmp(member, "where"))) {
            return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "Parsing "
                                                  "table %s failed: Member "
                                                  "'%s' is present but not "
                                                  "allowed here.", ts->name,
                                                  member), req);
        }
    }
    if (columns) {
        size_t i;
        const json_t *c;
        json_array_foreach(columns, i, c) {
            const struct ovsdb_column_schema *cs = json_is_string(c)
                ? ovsdb_table_schema_find_column(ts, json_string_value(c))
                : NULL;
            if (!cs) {
                return ovsdb_error_syntax(
                    json_is_string(c)
                    ? ovsdb_error(OVSDB_E_SYNTAX, "%s is not a valid column "
                                  "name", json_string_value(c))
                    : ovsdb_error(OVSDB_E_SYNTAX, "array of column names "
                                  "expected"), columns);
            }
            /* Also across the requests for one table, as in
             * ovsdb-server. */
            if (!add_col(mt, cs->idx)) {
                return ovsdb_error_syntax(ovsdb_error(
                    OVSDB_E_SYNTAX, "column %s mentioned more than once",
                    cs->name), columns);
            }
        }
    } else {
        for (unsigned int i = 0; i < ts->n_columns; i++) {
            if (i != OVSDB_COL_UUID && !add_col(mt, i)) {
                return ovsdb_error(OVSDB_E_SYNTAX, "column %s mentioned "
                                   "more than once", ts->columns[i].name);
            }
        }
    }
    static const char *const names[] = { "initial", "insert", "delete",
                                         "modify" };
    bool *flags[] = { &mt->initial, &mt->insert, &mt->delete_, &mt->modify };
    for (size_t i = 0; i < 4; i++) {
        const json_t *v = select ? json_object_get(select, names[i]) : NULL;
        if (v && !json_is_boolean(v)) {
            return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "Parsing "
                                                  "table %s select failed: "
                                                  "Type mismatch for member "
                                                  "'%s'.", ts->name,
                                                  names[i]), select);
        }
        if (!v || json_is_true(v)) {
            *flags[i] = true;
        }
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *) select, key, val) {
        size_t i = 0;
        while (i < 4 && strcmp(key, names[i])) {
            i++;
        }
        if (i == 4) {
            return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "Parsing "
                                                  "table %s select failed: "
                                                  "Member '%s' is present "
                                                  "but not allowed here.",
                                                  ts->name, key), select);
        }
    }
    return NULL;
}

json_t *
osrv_monitor_create(struct osrv_session *s, struct osrv_db *db,
                    const json_t *req_id, int version, const json_t *id,
                    const json_t *requests, const json_t *last_txn_id,
                    json_t **resultp)
{
    if (!json_is_object(requests)) {
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "monitor-"
                                              "requests must be object"),
                                  requests);
    }
    for (struct osrv_monitor *m = s->monitors; m; m = m->next) {
        if (json_equal(m->id, id)) {
            return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "duplicate "
                                                  "monitor ID"), id);
        }
    }

    struct osrv_monitor *m = calloc(1, sizeof *m);
    m->tables = calloc(json_object_size(requests) + 1, sizeof *m->tables);
    m->s = s;
    hmap_init(&m->pending);
    m->db = db;
    m->id = json_incref((json_t *) id);
    m->version = version;

    const char *name;
    json_t *reqs;
    json_object_foreach((json_t *) requests, name, reqs) {
        const struct ovsdb_table_schema *ts
            = ovsdb_schema_find_table(db->db->schema, name);
        if (!ts) {
            monitor_free(m);
            return ovsdb_error(OVSDB_E_SYNTAX, "no table named %s", name);
        }
        struct osrv_mtable *mt = &m->tables[m->n_tables++];
        mt->ts = ts;
        mt->cols = calloc(ts->n_columns, sizeof *mt->cols);
        json_t *err = NULL;
        if (json_is_array(reqs)) {
            size_t i;
            json_t *r;
            json_array_foreach(reqs, i, r) {
                err = parse_request(mt, r, version > 1);
                if (err) {
                    break;
                }
            }
        } else {
            err = parse_request(mt, reqs, version > 1);
        }
        if (err) {
            monitor_free(m);
            return err;
        }
    }
    /* As ovsdb-server: the last transaction id after the requests. */
    struct ovsdb_uuid last_id;
    if (version == 3 && !json_is_string(last_txn_id)) {
        monitor_free(m);
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "last-txn-id "
                                              "must be string"), last_txn_id);
    }
    if (version == 3 && !ovsdb_uuid_from_string(
                            &last_id, json_string_value(last_txn_id))) {
        monitor_free(m);
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "last-txn-id "
                                              "must be UUID format."),
                                  last_txn_id);
    }

    /* monitor_cond_since: a client that names the latest transaction is
     * up to date; one that names an older one still in the history gets
     * what changed since (as update3 would have said it); any other gets
     * everything as "initial". */
    bool found = false;
    json_t *updates = NULL;
    struct ovsdb_uuid last;
    if (version == 3 && json_is_string(last_txn_id)
        && ovsdb_uuid_from_string(&last, json_string_value(last_txn_id))
        && !ovsdb_uuid_is_zero(&last)) {
        struct osrv_net_changes nc;
        if (ovsdb_uuid_equals(&last, &db->last_txn_id)) {
            found = true;
        } else if (osrv_history_since(db, &last, &nc)) {
            found = true;
            updates = json_object();
            for (size_t i = 0; i < nc.n; i++) {
                const struct ovsdb_row_change *c = &nc.changes[i];
                for (size_t j = 0; j < m->n_tables; j++) {
                    json_t *ru = m->tables[j].ts == c->table->schema
                                 ? osrv_row_update(m, &m->tables[j], c)
                                 : NULL;
                    if (ru) {
                        osrv_put_row_update(updates, &m->tables[j],
                                            ovsdb_row_uuid(c->old ? c->old
                                                                  : c->new),
                                            ru);
                    }
                }
            }
            VLOG_DBG("%s: monitor_cond_since: %s found in the history, "
                     "%zu rows changed since", stream_rpc_name(s->rpc),
                     json_string_value(last_txn_id), nc.n);
            osrv_net_changes_free(&nc);
        }
    }
    if (version == 3 && !found) {
        VLOG_DBG("%s: monitor_cond_since: %s not found, sending everything",
                 stream_rpc_name(s->rpc),
                 json_is_string(last_txn_id)
                 ? json_string_value(last_txn_id) : "(not a string)");
    }

    m->next = s->monitors;
    s->monitors = m;
    if (!found) {
        /* Every row: a long reply, written in parts. */
        osrv_monitor_send_initial(m, req_id);
        *resultp = NULL;
        return NULL;
    }
    char text[OVSDB_UUID_LEN + 1];
    ovsdb_uuid_format(&db->last_txn_id, text);
    *resultp = json_pack("[bso]", true, text,
                         updates ? updates : json_object());
    return NULL;
}

int
osrv_monitor_cancel(struct osrv_session *s, const json_t *id)
{
    for (struct osrv_monitor **p = &s->monitors; *p; p = &(*p)->next) {
        if (json_equal((*p)->id, id)) {
            struct osrv_monitor *m = *p;
            /* A reply it is still writing is finished first; what it
             * holds is dropped (the client asked for no more). */
            stream_rpc_finish_producers(s->rpc);
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

void
osrv_monitor_flush_all(struct osrv_session *s)
{
    for (struct osrv_monitor *m = s->monitors; m; m = m->next) {
        osrv_monitor_flush(m);
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
        if (osrv_monitor_busy(m) || !stream_rpc_is_idle(s->rpc)) {
            /* The client has not taken what it was sent yet. */
            osrv_monitor_hold(m, commit);
            continue;
        }
        json_t *updates = json_object();
        for (size_t i = 0; i < commit->n_changes; i++) {
            const struct ovsdb_row_change *c = &commit->changes[i];
            for (size_t j = 0; j < m->n_tables; j++) {
                json_t *ru = m->tables[j].ts == c->table->schema
                             ? osrv_row_update(m, &m->tables[j], c) : NULL;
                if (ru) {
                    osrv_put_row_update(updates, &m->tables[j],
                                        ovsdb_row_uuid(c->old ? c->old
                                                              : c->new), ru);
                }
            }
        }
        osrv_send_updates(m, updates);
        json_decref(updates);
    }
}

json_t *
osrv_monitor_cond_change(struct osrv_session *s, const json_t *old_id,
                         const json_t *new_id, const json_t *requests)
{
    struct osrv_monitor *m = s->monitors;
    while (m && !json_equal(m->id, old_id)) {
        m = m->next;
    }
    if (!m || m->version == 1) {
        return ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "unknown "
                                              "monitor session"), old_id);
    }
    /* What it sends below follows from the rows the client has. */
    osrv_monitor_settle(m);
    if (!json_equal(old_id, new_id)) {
        for (struct osrv_monitor *o = s->monitors; o; o = o->next) {
            if (json_equal(o->id, new_id)) {
                return json_string("duplicate monitor ID");
            }
        }
    }
    if (!json_is_object(requests)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "monitor-cond-change-requests "
                           "must be object");
    }

    /* Parse every new condition first: all change or none. */
    size_t n = json_object_size(requests);
    struct osrv_mtable *news = calloc(n ? n : 1, sizeof *news);
    struct osrv_mtable **olds = calloc(n ? n : 1, sizeof *olds);
    json_t *err = NULL;
    size_t k = 0;
    const char *name;
    json_t *reqs;
    json_object_foreach((json_t *) requests, name, reqs) {
        struct osrv_mtable *mt = NULL;
        for (size_t i = 0; i < m->n_tables; i++) {
            if (!strcmp(m->tables[i].ts->name, name)) {
                mt = &m->tables[i];
            }
        }
        if (!mt) {
            err = ovsdb_schema_find_table(m->db->db->schema, name)
                  ? ovsdb_error(OVSDB_E_SYNTAX, "no table named %s in "
                                "monitor session", name)
                  : ovsdb_error(OVSDB_E_SYNTAX, "no table named %s", name);
            break;
        }
        olds[k] = mt;
        news[k].ts = mt->ts;
        k++;
        size_t i;
        json_t *r;
        if (!json_is_array(reqs)) {
            err = ovsdb_error(OVSDB_E_SYNTAX, "table %s no "
                              "monitor-cond-change JSON array", name);
            break;
        }
        json_array_foreach(reqs, i, r) {
            err = !json_is_object(r)
                ? ovsdb_error(OVSDB_E_SYNTAX, "Parsing table %s failed: "
                              "Object expected.", name)
                : json_object_get(r, "columns")
                ? ovsdb_error_syntax(ovsdb_error(OVSDB_E_SYNTAX, "changing "
                                                 "columns is unsupported"), r)
                : parse_where(&news[k - 1], json_object_get(r, "where"), r);
            if (err) {
                break;
            }
        }
        if (err) {
            break;
        }
    }

    json_t *updates = json_object();
    for (size_t t = 0; t < k && !err; t++) {
        const struct osrv_mtable *old = olds[t], *new = &news[t];
        const struct ovsdb_table *tbl = ovsdb_db_table(m->db->db, old->ts);
        size_t pos;
        for (const struct ovsdb_row *row = ovsdb_table_first(tbl, &pos); row;
             row = ovsdb_table_next(tbl, row, &pos)) {
            bool was = osrv_mtable_match(old, row);
            bool is = osrv_mtable_match(new, row);
            if (!was && is && old->insert) {
                osrv_put_row_update(updates, old, ovsdb_row_uuid(row),
                                    json_pack("{so}", "insert",
                                              osrv_row_json2(row, old)));
            } else if (was && !is && old->delete_) {
                osrv_put_row_update(updates, old, ovsdb_row_uuid(row),
                                    json_pack("{so}", "delete",
                                              json_null()));
            }
        }
    }
    for (size_t t = 0; t < k; t++) {
        if (!err) {
            mtable_clear_conds(olds[t]);
            olds[t]->conds = news[t].conds;
            olds[t]->n_conds = news[t].n_conds;
            olds[t]->all = news[t].all;
        } else {
            mtable_clear_conds(&news[t]);
        }
    }
    free(news);
    free(olds);
    if (!err) {
        json_decref(m->id);
        m->id = json_incref((json_t *) new_id);
        osrv_send_updates(m, updates);
    }
    json_decref(updates);
    return err;
}
