/* sluicectl_snap: schema, row snapshot and names for sluicectl. */
#include "tools/sluicectl_snap.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/error.h"
#include "src/util/dstr.h"

/* How ovs-vsctl lets records of a table be named besides their UUID. */
struct name_rule {
    const char *table;
    bool dot;                   /* "." names the single row. */
    const char *name_col;       /* Column holding the name... */
    const char *via_table;      /* ...of this table (NULL: of 'table'),
                                 * whose column 'via_col' refers to the
                                 * record. */
    const char *via_col;
};

static const struct name_rule rules[] = {
    { "Open_vSwitch", true, NULL, NULL, NULL },
    { "Bridge", false, "name", NULL, NULL },
    { "Port", false, "name", NULL, NULL },
    { "Interface", false, "name", NULL, NULL },
    { "Mirror", false, "name", NULL, NULL },
    { "Flow_Table", false, "name", NULL, NULL },
    { "Manager", false, "target", NULL, NULL },
    { "Controller", false, "name", "Bridge", "controller" },
    { "NetFlow", false, "name", "Bridge", "netflow" },
    { "sFlow", false, "name", "Bridge", "sflow" },
    { "IPFIX", false, "name", "Bridge", "ipfix" },
    { "AutoAttach", false, "name", "Bridge", "auto_attach" },
    { "QoS", false, "name", "Port", "qos" },
    { "SSL", true, NULL, "Open_vSwitch", "ssl" },
    { "Queue", false, NULL, NULL, NULL },
};

static const struct name_rule *
find_rule(const char *table)
{
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
        if (!strcmp(rules[i].table, table)) {
            return &rules[i];
        }
    }
    return NULL;
}

int
sctl_snap_init(struct sctl_snap *s, struct sctl_conn *c)
{
    memset(s, 0, sizeof *s);
    s->c = c;
    json_t *json;
    int err = sctl_call(c, "get_schema", json_pack("[s]", c->db_name),
                        &json);
    if (err) {
        return err;
    }
    struct ovsdb_schema *schema;
    json_t *e = ovsdb_schema_from_json(&schema, json);
    json_decref(json);
    if (e) {
        sctl_fail("%s: cannot parse the schema of %s: %s: %s", c->name,
                  c->db_name, ovsdb_error_tag(e), ovsdb_error_details(e));
        json_decref(e);
        return -EPROTO;
    }
    s->db = ovsdb_db_create(schema);
    s->schema = s->db->schema;
    s->tables = calloc(s->schema->n_tables, sizeof *s->tables);
    if (!s->tables) {
        abort();
    }
    return 0;
}

void
sctl_snap_destroy(struct sctl_snap *s)
{
    if (s->tables) {
        for (size_t i = 0; i < s->schema->n_tables; i++) {
            for (size_t j = 0; j < s->tables[i].n; j++) {
                ovsdb_row_destroy(s->tables[i].rows[j]);
            }
            free(s->tables[i].rows);
        }
        free(s->tables);
    }
    if (s->db) {
        ovsdb_db_destroy(s->db);
    }
}

static int
cmp_rows(const void *a_, const void *b_)
{
    const struct ovsdb_row *const *a = a_, *const *b = b_;
    return ovsdb_uuid_compare(ovsdb_row_uuid(*a), ovsdb_row_uuid(*b));
}

/* Fills 'rows' of table 'ts' from the "rows" of a select reply. */
static int
load_rows(struct sctl_snap *s, const struct ovsdb_table_schema *ts,
          json_t *json)
{
    struct sctl_rows *r = &s->tables[ts->idx];
    size_t n = json_array_size(json);
    r->rows = calloc(n ? n : 1, sizeof *r->rows);
    if (!r->rows) {
        abort();
    }
    size_t i;
    json_t *jrow;
    json_array_foreach (json, i, jrow) {
        struct ovsdb_uuid uuid;
        json_t *ju = json_object_get(jrow, "_uuid");
        if (!ovsdb_uuid_from_string(&uuid, json_string_value(
                                        json_array_get(ju, 1)))) {
            sctl_fail("%s: row without a valid _uuid in table %s",
                      s->c->name, ts->name);
            return -EPROTO;
        }
        struct ovsdb_row *row = ovsdb_row_create(ovsdb_db_table(s->db, ts),
                                                 &uuid);
        r->rows[r->n++] = row;
        const char *name;
        json_t *value;
        json_object_foreach (jrow, name, value) {
            const struct ovsdb_column_schema *col
                = ovsdb_table_schema_find_column(ts, name);
            if (!col) {
                continue;
            }
            struct ovsdb_datum d;
            json_t *e = ovsdb_datum_from_json_loose(&d, &col->type, value,
                                                    NULL);
            if (e) {
                sctl_fail("%s: bad value in %s column %s: %s", s->c->name,
                          ts->name, name, ovsdb_error_details(e));
                json_decref(e);
                return -EPROTO;
            }
            ovsdb_datum_swap(&row->fields[col->idx], &d);
            ovsdb_datum_destroy(&d, &col->type);
        }
    }
    qsort(r->rows, r->n, sizeof *r->rows, cmp_rows);
    r->fetched = true;
    return 0;
}

int
sctl_snap_fetch(struct sctl_snap *s, const struct ovsdb_table_schema *ts)
{
    const struct ovsdb_table_schema *want[2] = { ts, NULL };
    const struct name_rule *rule = find_rule(ts->name);
    if (rule && rule->via_table) {
        want[1] = ovsdb_schema_find_table(s->schema, rule->via_table);
    }
    json_t *ops = json_array();
    const struct ovsdb_table_schema *asked[2];
    size_t n = 0;
    for (size_t i = 0; i < 2; i++) {
        if (want[i] && !s->tables[want[i]->idx].fetched
            && (!n || asked[0] != want[i])) {
            asked[n++] = want[i];
            json_array_append_new(ops, json_pack(
                "{s:s, s:s, s:[]}", "op", "select", "table", want[i]->name,
                "where"));
        }
    }
    if (!n) {
        json_decref(ops);
        return 0;
    }
    json_t *res = NULL;
    int err = sctl_transact(s->c, ops, &res);
    for (size_t i = 0; !err && i < n; i++) {
        json_t *rows = json_object_get(json_array_get(res, i), "rows");
        if (!json_is_array(rows)) {
            sctl_fail("%s: malformed select reply", s->c->name);
            err = -EPROTO;
        } else {
            err = load_rows(s, asked[i], rows);
        }
    }
    if (res) {
        json_decref(res);
    }
    return err;
}

const struct ovsdb_row *
sctl_snap_row(const struct sctl_snap *s, const struct ovsdb_table_schema *ts,
              const struct ovsdb_uuid *uuid)
{
    const struct sctl_rows *r = &s->tables[ts->idx];
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = ovsdb_uuid_compare(ovsdb_row_uuid(r->rows[mid]), uuid);
        if (!c) {
            return r->rows[mid];
        } else if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

/* ---- Names of tables and columns -------------------------------------- */

/* Case-insensitive, '-' and '_' alike: 0 equal, 1 'abbrev' is a proper
 * prefix of 'name', -1 neither. */
static int
name_match(const char *abbrev, const char *name)
{
    for (; *abbrev; abbrev++, name++) {
        int a = *abbrev == '-' ? '_' : tolower((unsigned char) *abbrev);
        int b = *name == '-' ? '_' : tolower((unsigned char) *name);
        if (a != b) {
            return -1;
        }
    }
    return *name ? 1 : 0;
}

static size_t
edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = calloc(lb + 1, sizeof *row);
    if (!row) {
        abort();
    }
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char) a[i - 1])
                          != tolower((unsigned char) b[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Resolves 'name' among 'n' names (get(i) gives the i-th, NULL to skip
 * it).  Returns the index, or -1 with 'out' holding the candidates that
 * matched ('*ambiguous' true) or the close ones. */
static long
resolve_name(const char *name, size_t n,
             const char *(*get)(const void *, size_t), const void *aux,
             bool *ambiguous, struct dstr *out)
{
    long exact = -1, prefix = -1;
    size_t n_prefix = 0;
    for (size_t i = 0; i < n; i++) {
        const char *cand = get(aux, i);
        if (!cand) {
            continue;
        }
        if (!strcmp(cand, name)) {
            return i;
        }
        int m = name_match(name, cand);
        if (!m && exact < 0) {
            exact = i;
        } else if (m == 1) {
            prefix = i;
            n_prefix++;
        }
    }
    if (exact >= 0) {
        return exact;
    }
    if (n_prefix == 1) {
        return prefix;
    }
    *ambiguous = n_prefix > 1;
    size_t limit = strlen(name) / 3 ? strlen(name) / 3 : 1;
    const char **shown = calloc(n + 1, sizeof *shown);
    size_t n_shown = 0;
    if (!shown) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        const char *cand = get(aux, i);
        if (cand && (*ambiguous ? name_match(name, cand) == 1
                                : edit_distance(name, cand) <= limit)) {
            shown[n_shown++] = cand;
        }
    }
    qsort(shown, n_shown, sizeof *shown, cmp_names);
    for (size_t i = 0; i < n_shown; i++) {
        dstr_printf(out, "%s%s", i ? ", " : "", shown[i]);
    }
    free(shown);
    return -1;
}

static const char *
table_name_at(const void *schema_, size_t i)
{
    const struct ovsdb_schema *schema = schema_;
    return schema->tables[i].name;
}

static const char *
column_name_at(const void *ts_, size_t i)
{
    const struct ovsdb_table_schema *ts = ts_;
    return i == OVSDB_COL_VERSION ? NULL : ts->columns[i].name;
}

const struct ovsdb_table_schema *
sctl_find_table(const struct sctl_snap *s, const char *name)
{
    struct dstr cands = DSTR_INIT;
    bool ambiguous = false;
    long i = resolve_name(name, s->schema->n_tables, table_name_at,
                          s->schema, &ambiguous, &cands);
    if (i >= 0) {
        dstr_free(&cands);
        return &s->schema->tables[i];
    }
    if (ambiguous) {
        sctl_fail("multiple table names match \"%s\": %s", name,
                  dstr_cstr(&cands));
    } else if (cands.len) {
        sctl_fail("unknown table \"%s\" (did you mean %s?)", name,
                  dstr_cstr(&cands));
    } else {
        sctl_fail("unknown table \"%s\"", name);
    }
    dstr_free(&cands);
    return NULL;
}

const struct ovsdb_column_schema *
sctl_find_column(const struct ovsdb_table_schema *ts, const char *name)
{
    struct dstr cands = DSTR_INIT;
    bool ambiguous = false;
    long i = resolve_name(name, ts->n_columns, column_name_at, ts,
                          &ambiguous, &cands);
    if (i >= 0) {
        dstr_free(&cands);
        return &ts->columns[i];
    }
    if (ambiguous) {
        sctl_fail("%s contains more than one column whose name matches "
                  "\"%s\": %s", ts->name, name, dstr_cstr(&cands));
    } else if (cands.len) {
        sctl_fail("%s does not contain a column whose name matches \"%s\" "
                  "(did you mean %s?)", ts->name, name, dstr_cstr(&cands));
    } else {
        sctl_fail("%s does not contain a column whose name matches \"%s\"",
                  ts->name, name);
    }
    dstr_free(&cands);
    return NULL;
}

/* ---- Records ---------------------------------------------------------- */

/* Is 'd' (of column 'col') the string 'name'? */
static bool
datum_is_string(const struct ovsdb_datum *d,
                const struct ovsdb_column_schema *col, const char *name)
{
    return col->type.key.type == OVSDB_TYPE_STRING
           && !ovsdb_type_is_map(&col->type) && d->n == 1
           && !strcmp(d->keys[0].string, name);
}

/* Adds to 'matches' the rows of 'ts' named 'name' by 'rule' (or by the
 * generic rules for tables without one). */
static void
match_by_name(const struct sctl_snap *s, const struct ovsdb_table_schema *ts,
              const struct name_rule *rule, const char *name,
              const struct ovsdb_row **matches, size_t *n)
{
    const struct sctl_rows *rows = sctl_snap_rows(s, ts);
    bool dot = rule ? rule->dot : ts->max_rows == 1;
    const char *name_col = rule ? rule->name_col : "name";
    const struct ovsdb_table_schema *via = NULL;
    const struct ovsdb_column_schema *via_col = NULL, *col = NULL;

    if (rule && rule->via_table) {
        via = ovsdb_schema_find_table(s->schema, rule->via_table);
        via_col = via ? ovsdb_table_schema_find_column(via, rule->via_col)
                      : NULL;
        if (!via_col || !s->tables[via->idx].fetched) {
            return;
        }
    }
    const struct ovsdb_table_schema *named = via ? via : ts;
    if (name_col) {
        col = ovsdb_table_schema_find_column(named, name_col);
    }

    if (dot && !strcmp(name, ".")) {
        if (!via) {
            for (size_t i = 0; i < rows->n && *n < 2; i++) {
                matches[(*n)++] = rows->rows[i];
            }
            return;
        }
    } else if (!col) {
        return;
    }
    const struct sctl_rows *nrows = sctl_snap_rows(s, named);
    for (size_t i = 0; i < nrows->n && *n < 2; i++) {
        const struct ovsdb_row *r = nrows->rows[i];
        if (!col ? !(dot && nrows->n == 1)
                 : !datum_is_string(&r->fields[col->idx], col, name)) {
            continue;
        }
        if (!via) {
            matches[(*n)++] = r;
            continue;
        }
        const struct ovsdb_datum *refs = &r->fields[via_col->idx];
        for (size_t j = 0; j < refs->n && *n < 2; j++) {
            const struct ovsdb_row *t = sctl_snap_row(s, ts,
                                                      &refs->keys[j].uuid);
            if (t) {
                matches[(*n)++] = t;
            }
        }
    }
}

static bool
is_uuid_prefix(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (isxdigit((unsigned char) *p)) {
            n++;
        } else if (*p != '-') {
            return false;
        }
    }
    return n >= 4 && strlen(s) < OVSDB_UUID_LEN;
}

int
sctl_find_record(const struct sctl_snap *s,
                 const struct ovsdb_table_schema *ts, const char *name,
                 bool quiet, const struct ovsdb_row **rowp)
{
    const struct ovsdb_row *matches[2];
    size_t n = 0;
    struct ovsdb_uuid uuid;

    *rowp = NULL;
    if (ovsdb_uuid_from_string(&uuid, name)) {
        const struct ovsdb_row *r = sctl_snap_row(s, ts, &uuid);
        if (r) {
            matches[n++] = r;
        }
    }
    if (!n) {
        match_by_name(s, ts, find_rule(ts->name), name, matches, &n);
    }
    if (!n && is_uuid_prefix(name)) {
        const struct sctl_rows *rows = sctl_snap_rows(s, ts);
        for (size_t i = 0; i < rows->n && n < 2; i++) {
            char buf[OVSDB_UUID_LEN + 1];
            ovsdb_uuid_format(ovsdb_row_uuid(rows->rows[i]), buf);
            if (!strncasecmp(buf, name, strlen(name))) {
                matches[n++] = rows->rows[i];
            }
        }
    }
    if (n == 1) {
        *rowp = matches[0];
        return 0;
    } else if (n > 1) {
        sctl_fail("multiple rows in %s match \"%s\"", ts->name, name);
        return -EINVAL;
    }
    if (!quiet) {
        sctl_fail("no row \"%s\" in table %s", name, ts->name);
    }
    return -ENOENT;
}

json_t *
sctl_row_uuid_json(const struct ovsdb_row *row)
{
    char buf[OVSDB_UUID_LEN + 1];
    ovsdb_uuid_format(ovsdb_row_uuid(row), buf);
    return json_pack("[s, s]", "uuid", buf);
}
