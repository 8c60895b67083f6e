/* ovsdb/schema: database schemas (RFC 7047 section 3.2). */
#include "ovsdb/schema.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/error.h"

static bool
is_version(const char *s)
{
    int parts = 0;
    while (s && *s) {
        if (!isdigit((unsigned char) *s)) {
            return false;
        }
        while (isdigit((unsigned char) *s)) {
            s++;
        }
        parts++;
        if (*s == '.') {
            s++;
            if (!*s) {
                return false;
            }
        } else if (*s) {
            return false;
        }
    }
    return parts == 3;
}

static void
column_destroy(struct ovsdb_column_schema *c)
{
    free(c->name);
    ovsdb_type_destroy(&c->type);
}

static void
table_destroy(struct ovsdb_table_schema *t)
{
    for (size_t i = 0; i < t->n_columns; i++) {
        column_destroy(&t->columns[i]);
    }
    free(t->columns);
    for (size_t i = 0; i < t->n_indexes; i++) {
        free(t->indexes[i].cols);
    }
    free(t->indexes);
    free(t->name);
}

void
ovsdb_schema_destroy(struct ovsdb_schema *s)
{
    if (!s) {
        return;
    }
    for (size_t i = 0; i < s->n_tables; i++) {
        table_destroy(&s->tables[i]);
    }
    free(s->tables);
    free(s->name);
    free(s->version);
    free(s->cksum);
    free(s);
}

const struct ovsdb_table_schema *
ovsdb_schema_find_table(const struct ovsdb_schema *s, const char *name)
{
    for (size_t i = 0; i < s->n_tables; i++) {
        if (!strcmp(s->tables[i].name, name)) {
            return &s->tables[i];
        }
    }
    return NULL;
}

const struct ovsdb_column_schema *
ovsdb_table_schema_find_column(const struct ovsdb_table_schema *t,
                               const char *name)
{
    for (size_t i = 0; i < t->n_columns; i++) {
        if (!strcmp(t->columns[i].name, name)) {
            return &t->columns[i];
        }
    }
    return NULL;
}

static void
add_reserved(struct ovsdb_column_schema *c, const char *name,
             unsigned int idx)
{
    memset(c, 0, sizeof *c);
    c->name = strdup(name);
    c->idx = idx;
    ovsdb_type_init_scalar(&c->type, OVSDB_TYPE_UUID);
    c->mutable_ = false;
}

static json_t *
parse_column(struct ovsdb_column_schema *c, const char *name,
             const json_t *j)
{
    const char *key;
    json_t *v;

    if (!json_is_object(j)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "column schema must be an object");
    }
    json_object_foreach((json_t *) j, key, v) {
        if (strcmp(key, "type") && strcmp(key, "ephemeral")
            && strcmp(key, "mutable")) {
            return ovsdb_error(OVSDB_E_SYNTAX, "unknown member \"%s\"", key);
        }
    }
    const json_t *eph = json_object_get(j, "ephemeral");
    const json_t *mut = json_object_get(j, "mutable");
    if ((eph && !json_is_boolean(eph)) || (mut && !json_is_boolean(mut))) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"ephemeral\" and \"mutable\" "
                           "must be booleans");
    }
    if (!json_object_get(j, "type")) {
        return ovsdb_error(OVSDB_E_SYNTAX, "missing \"type\"");
    }
    json_t *err = ovsdb_type_from_json(&c->type, json_object_get(j, "type"));
    if (err) {
        return err;
    }
    c->name = strdup(name);
    c->ephemeral = json_is_true(eph);
    c->mutable_ = !mut || json_is_true(mut);
    return NULL;
}

static json_t *
parse_indexes(struct ovsdb_table_schema *t, const json_t *j)
{
    size_t i;
    const json_t *ij;

    if (!json_is_array(j)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"indexes\" must be an array");
    }
    t->indexes = calloc(json_array_size(j) + 1, sizeof *t->indexes);
    json_array_foreach(j, i, ij) {
        struct ovsdb_index_schema *ix = &t->indexes[t->n_indexes++];
        size_t k;
        const json_t *cj;
        if (!json_is_array(ij) || !json_array_size(ij)) {
            return ovsdb_error(OVSDB_E_SYNTAX, "index must be a non-empty "
                               "array of column names");
        }
        ix->cols = calloc(json_array_size(ij), sizeof *ix->cols);
        json_array_foreach(ij, k, cj) {
            const char *cn = json_string_value(cj);
            const struct ovsdb_column_schema *c =
                cn ? ovsdb_table_schema_find_column(t, cn) : NULL;
            if (!c) {
                return ovsdb_error(OVSDB_E_SYNTAX, "index names unknown "
                                   "column %s", cn ? cn : "(not a string)");
            }
            if (c->ephemeral) {
                return ovsdb_error(OVSDB_E_SYNTAX, "ephemeral column %s may "
                                   "not be indexed", cn);
            }
            ix->cols[ix->n++] = c->idx;
        }
    }
    return NULL;
}

static json_t *
parse_table(struct ovsdb_table_schema *t, const char *name, const json_t *j)
{
    const char *key;
    json_t *v;

    t->name = strdup(name);
    t->max_rows = OVSDB_UNLIMITED;
    if (!json_is_object(j)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "table schema must be an object");
    }
    json_object_foreach((json_t *) j, key, v) {
        if (strcmp(key, "columns") && strcmp(key, "maxRows")
            && strcmp(key, "isRoot") && strcmp(key, "indexes")) {
            return ovsdb_error(OVSDB_E_SYNTAX, "unknown member \"%s\"", key);
        }
    }
    const json_t *cols = json_object_get(j, "columns");
    if (!json_is_object(cols) || !json_object_size(cols)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"columns\" must be a non-empty "
                           "object");
    }
    const json_t *root = json_object_get(j, "isRoot");
    if (root && !json_is_boolean(root)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "\"isRoot\" must be a boolean");
    }
    t->is_root_json = t->is_root = json_is_true(root);
    const json_t *mr = json_object_get(j, "maxRows");
    if (mr) {
        if (!json_is_integer(mr) || json_integer_value(mr) < 1
            || json_integer_value(mr) >= (json_int_t) OVSDB_UNLIMITED) {
            return ovsdb_error(OVSDB_E_SYNTAX, "\"maxRows\" must be a "
                               "positive integer");
        }
        t->max_rows = (unsigned) json_integer_value(mr);
    }

    t->columns = calloc(json_object_size(cols) + OVSDB_N_RESERVED_COLUMNS,
                        sizeof *t->columns);
    add_reserved(&t->columns[0], "_uuid", OVSDB_COL_UUID);
    add_reserved(&t->columns[1], "_version", OVSDB_COL_VERSION);
    t->n_columns = OVSDB_N_RESERVED_COLUMNS;
    json_object_foreach((json_t *) cols, key, v) {
        if (!ovsdb_is_id(key) || key[0] == '_') {
            return ovsdb_error(OVSDB_E_SYNTAX, "column %s: invalid column "
                               "name (names are [a-zA-Z][a-zA-Z0-9_]*)", key);
        }
        struct ovsdb_column_schema *c = &t->columns[t->n_columns];
        json_t *err = parse_column(c, key, v);
        if (err) {
            column_destroy(c);
            return ovsdb_error_wrap(err, "column %s", key);
        }
        c->idx = (unsigned) t->n_columns++;
    }
    const json_t *ix = json_object_get(j, "indexes");
    return ix ? parse_indexes(t, ix) : NULL;
}

static json_t *
resolve_base(struct ovsdb_schema *s, struct ovsdb_base_type *b)
{
    if (!b->ref_table_name) {
        return NULL;
    }
    b->ref_table = ovsdb_schema_find_table(s, b->ref_table_name);
    if (!b->ref_table) {
        return ovsdb_error(OVSDB_E_SYNTAX, "refTable %s is not a table in "
                           "this schema", b->ref_table_name);
    }
    return NULL;
}

json_t *
ovsdb_schema_from_json(struct ovsdb_schema **out, const json_t *j)
{
    const char *key;
    json_t *v;
    json_t *err = NULL;

    *out = NULL;
    if (!json_is_object(j)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "schema must be a JSON object");
    }
    json_object_foreach((json_t *) j, key, v) {
        if (strcmp(key, "name") && strcmp(key, "version")
            && strcmp(key, "cksum") && strcmp(key, "tables")
            && strcmp(key, "doc")) {
            return ovsdb_error(OVSDB_E_SYNTAX, "schema: unknown member "
                               "\"%s\"", key);
        }
    }
    const char *name = json_string_value(json_object_get(j, "name"));
    const char *version = json_string_value(json_object_get(j, "version"));
    const json_t *cksum = json_object_get(j, "cksum");
    const json_t *tables = json_object_get(j, "tables");
    if (!ovsdb_is_id(name)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "schema: \"name\" must be an id");
    }
    if (json_object_get(j, "version") && !is_version(version)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "schema %s: \"version\" must look "
                           "like 1.2.3", name);
    }
    if (cksum && !json_is_string(cksum)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "schema %s: \"cksum\" must be a "
                           "string", name);
    }
    if (!json_is_object(tables)) {
        return ovsdb_error(OVSDB_E_SYNTAX, "schema %s: \"tables\" must be an "
                           "object", name);
    }

    struct ovsdb_schema *s = calloc(1, sizeof *s);
    s->name = strdup(name);
    s->version = version ? strdup(version) : NULL;
    s->cksum = cksum ? strdup(json_string_value(cksum)) : NULL;
    s->tables = calloc(json_object_size(tables) + 1, sizeof *s->tables);
    bool any_root = false;
    json_object_foreach((json_t *) tables, key, v) {
        struct ovsdb_table_schema *t = &s->tables[s->n_tables];
        t->idx = (unsigned) s->n_tables++;
        if (!ovsdb_is_id(key) || key[0] == '_') {
            err = ovsdb_error(OVSDB_E_SYNTAX, "table %s: invalid table name",
                              key);
            goto fail;
        }
        err = parse_table(t, key, v);
        if (err) {
            ovsdb_error_wrap(err, "table %s", key);
            goto fail;
        }
        any_root |= t->is_root;
    }
    /* Schemas older than isRoot: if no table is a root, all are. */
    for (size_t i = 0; i < s->n_tables && !any_root; i++) {
        s->tables[i].is_root = true;
    }
    for (size_t i = 0; i < s->n_tables; i++) {
        struct ovsdb_table_schema *t = &s->tables[i];
        for (size_t c = 0; c < t->n_columns; c++) {
            struct ovsdb_column_schema *col = &t->columns[c];
            err = resolve_base(s, &col->type.key);
            if (!err) {
                err = resolve_base(s, &col->type.value);
            }
            if (err) {
                ovsdb_error_wrap(err, "table %s column %s", t->name,
                                 col->name);
                goto fail;
            }
        }
    }
    *out = s;
    return NULL;

fail:
    ovsdb_schema_destroy(s);
    return err;
}

json_t *
ovsdb_schema_from_file(struct ovsdb_schema **out, const char *path)
{
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);

    *out = NULL;
    if (!j) {
        return ovsdb_error(OVSDB_E_SYNTAX, "%s:%d: %s", path, jerr.line,
                           jerr.text);
    }
    json_t *err = ovsdb_schema_from_json(out, j);
    json_decref(j);
    return err ? ovsdb_error_wrap(err, "%s", path) : NULL;
}

json_t *
ovsdb_schema_to_json(const struct ovsdb_schema *s)
{
    json_t *tables = json_object();
    for (size_t i = 0; i < s->n_tables; i++) {
        const struct ovsdb_table_schema *t = &s->tables[i];
        json_t *cols = json_object();
        for (size_t c = OVSDB_N_RESERVED_COLUMNS; c < t->n_columns; c++) {
            const struct ovsdb_column_schema *col = &t->columns[c];
            json_t *cj = json_object();
            json_object_set_new(cj, "type", ovsdb_type_to_json(&col->type));
            if (col->ephemeral) {
                json_object_set_new(cj, "ephemeral", json_true());
            }
            if (!col->mutable_) {
                json_object_set_new(cj, "mutable", json_false());
            }
            json_object_set_new(cols, col->name, cj);
        }
        json_t *tj = json_object();
        json_object_set_new(tj, "columns", cols);
        if (t->is_root_json) {
            json_object_set_new(tj, "isRoot", json_true());
        }
        if (t->max_rows != OVSDB_UNLIMITED) {
            json_object_set_new(tj, "maxRows", json_integer(t->max_rows));
        }
        if (t->n_indexes) {
            json_t *ixs = json_array();
            for (size_t x = 0; x < t->n_indexes; x++) {
                json_t *ix = json_array();
                for (size_t k = 0; k < t->indexes[x].n; k++) {
                    json_array_append_new(ix, json_string(
                        t->columns[t->indexes[x].cols[k]].name));
                }
                json_array_append_new(ixs, ix);
            }
            json_object_set_new(tj, "indexes", ixs);
        }
        json_object_set_new(tables, t->name, tj);
    }
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(s->name));
    if (s->version) {
        json_object_set_new(o, "version", json_string(s->version));
    }
    if (s->cksum) {
        json_object_set_new(o, "cksum", json_string(s->cksum));
    }
    json_object_set_new(o, "tables", tables);
    return o;
}
