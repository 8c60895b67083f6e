/* sluicectl_generic: show, list, find, get, set, add, remove, clear,
 * destroy, create, wait-until. */
#include "tools/sluicectl_generic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util/dstr.h"
#include "ovsdb/uuid.h"
#include "tools/sluicectl_show.h"
#include "tools/sluicectl_snap.h"
#include "tools/sluicectl_value.h"

#define CMD_ERROR SCTL_EXIT_CMD_ERROR

/* The commands below see their context under this name. */
typedef struct sctl_cmd_ctx gctx_t;

/* ---- COLUMN[:KEY][OP VALUE] arguments ---------------------------------- */

enum cond_op {
    OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE,
    OP_SET_EQ, OP_SET_NE, OP_SET_LT, OP_SET_GT, OP_SET_LE, OP_SET_GE,
    OP_IN, OP_NOT_IN,
};

/* Longest first where one is a prefix of another. */
static const struct {
    const char *text;
    enum cond_op op;
} cond_ops[] = {
    { "{not-in}", OP_NOT_IN }, { "{in}", OP_IN },
    { "{!=}", OP_SET_NE }, { "{<=}", OP_SET_LE }, { "{>=}", OP_SET_GE },
    { "{=}", OP_SET_EQ }, { "{<}", OP_SET_LT }, { "{>}", OP_SET_GT },
    { "!=", OP_NE }, { "<=", OP_LE }, { ">=", OP_GE },
    { "=", OP_EQ }, { "<", OP_LT }, { ">", OP_GT },
};

enum arg_kind {
    ARG_COLUMN,         /* COLUMN[:KEY] */
    ARG_SET,            /* COLUMN[:KEY]=VALUE */
    ARG_FIND,           /* COLUMN[:KEY] OP VALUE, any operator */
};

struct col_arg {
    const struct ovsdb_column_schema *col;
    char *key;                  /* KEY as typed, or NULL. */
    enum cond_op op;
    const char *value;          /* Into the argument; NULL for ARG_COLUMN. */
};

static void
col_arg_destroy(struct col_arg *ca)
{
    free(ca->key);
}

static bool
is_column_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Parses 'arg' for table 'ts'.  Returns 0, or -EINVAL after printing
 * why. */
static int
parse_col_arg(const struct ovsdb_table_schema *ts, const char *arg,
              enum arg_kind kind, struct col_arg *ca)
{
    memset(ca, 0, sizeof *ca);
    const char *p = arg;
    while (is_column_char(*p)) {
        p++;
    }
    if (p == arg) {
        sctl_fail("%s: missing column name", arg);
        return -EINVAL;
    }
    char *name = strndup(arg, p - arg);
    if (!name) {
        abort();
    }
    ca->col = sctl_find_column(ts, name);
    free(name);
    if (!ca->col) {
        return -EINVAL;
    }
    if (*p == ':') {
        const char *k = ++p;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1]) {
                    p++;
                }
            }
            if (*p == '"') {
                p++;
            }
        } else {
            while (*p && (kind == ARG_COLUMN || !strchr("=!<>{", *p))) {
                p++;
            }
        }
        ca->key = strndup(k, p - k);
        if (!ca->key) {
            abort();
        }
        if (!*ca->key) {
            sctl_fail("%s: missing key after \":\"", arg);
            col_arg_destroy(ca);
            return -EINVAL;
        }
    }
    if (kind == ARG_COLUMN) {
        if (*p) {
            sctl_fail("%s: unexpected \"%s\" after the column name", arg, p);
            col_arg_destroy(ca);
            return -EINVAL;
        }
        return 0;
    }
    size_t n_ops = kind == ARG_SET ? 1 : sizeof cond_ops / sizeof *cond_ops;
    for (size_t i = 0; i < n_ops; i++) {
        size_t j = kind == ARG_SET ? 11 : i;     /* "=" only for set. */
        size_t len = strlen(cond_ops[j].text);
        if (!strncmp(p, cond_ops[j].text, len) && p[len]) {
            ca->op = cond_ops[j].op;
            ca->value = p + len;
            return 0;
        }
    }
    sctl_fail("%s: argument does not end in \"=\" followed by a value.",
              arg);
    col_arg_destroy(ca);
    return -EINVAL;
}

/* Parses the key of 'ca' as a key of its map column. */
static int
parse_key(const struct col_arg *ca, const char *verb, bool check,
          union ovsdb_atom *key)
{
    if (!ovsdb_type_is_map(&ca->col->type)) {
        sctl_fail("cannot specify key to %s for non-map column %s", verb,
                  ca->col->name);
        return -EINVAL;
    }
    char *err = sctl_atom_from_string(key, &ca->col->type.key, ca->key,
                                      check);
    if (err) {
        sctl_fail("%s", err);
        free(err);
        return -EINVAL;
    }
    return 0;
}

/* 't' with any number of elements (for parts of a column's value). */
static struct ovsdb_type
relaxed(const struct ovsdb_type *t)
{
    struct ovsdb_type r = *t;       /* Shallow: never destroyed. */
    r.n_min = 0;
    r.n_max = OVSDB_UNLIMITED;
    return r;
}

/* A set of the values of map type 't'. */
static struct ovsdb_type
value_set(const struct ovsdb_type *t)
{
    struct ovsdb_type r = relaxed(t);
    r.key = t->value;
    memset(&r.value, 0, sizeof r.value);
    r.value.type = OVSDB_TYPE_VOID;
    return r;
}

/* A set of the keys of map type 't'. */
static struct ovsdb_type
key_set(const struct ovsdb_type *t)
{
    struct ovsdb_type r = relaxed(t);
    memset(&r.value, 0, sizeof r.value);
    r.value.type = OVSDB_TYPE_VOID;
    return r;
}

static int
parse_datum(struct ovsdb_datum *d, const struct ovsdb_type *t, const char *s,
            bool check)
{
    char *err = sctl_datum_from_string(d, t, s, check);
    if (err) {
        sctl_fail("%s", err);
        free(err);
        return -EINVAL;
    }
    return 0;
}

static bool
check_mutable(const struct ovsdb_table_schema *ts,
              const struct ovsdb_column_schema *col)
{
    if (!col->mutable_ || col->idx < OVSDB_N_RESERVED_COLUMNS) {
        sctl_fail("cannot modify read-only column %s in table %s", col->name,
                  ts->name);
        return false;
    }
    return true;
}

/* ---- Printing records ------------------------------------------------- */

static int
cmp_col_names(const void *a_, const void *b_)
{
    const struct ovsdb_column_schema *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

/* The columns to print: --columns, else _uuid then the others in
 * alphabetical order.  Returns the count, or -1 after an error. */
static long
columns_to_print(const gctx_t *g, const struct ovsdb_table_schema *ts,
                 const struct ovsdb_column_schema ***colsp)
{
    const struct ovsdb_column_schema **cols
        = calloc(ts->n_columns + 1, sizeof *cols);
    size_t n = 0;
    if (!cols) {
        abort();
    }
    if (g->opt.columns) {
        char *copy = strdup(g->opt.columns), *save = NULL;
        if (!copy) {
            abort();
        }
        for (char *tok = strtok_r(copy, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            const struct ovsdb_column_schema *c = sctl_find_column(ts, tok);
            if (!c) {
                free(copy);
                free(cols);
                return -1;
            }
            if (n < ts->n_columns) {
                cols[n++] = c;
            }
        }
        free(copy);
    } else {
        cols[n++] = &ts->columns[OVSDB_COL_UUID];
        for (size_t i = OVSDB_N_RESERVED_COLUMNS; i < ts->n_columns; i++) {
            cols[n++] = &ts->columns[i];
        }
        qsort(cols + 1, n - 1, sizeof *cols, cmp_col_names);
    }
    *colsp = cols;
    return n;
}

static void
print_records(const gctx_t *g, const struct ovsdb_row *const *rows,
              size_t n_rows, const struct ovsdb_column_schema **cols,
              size_t n_cols, struct dstr *out)
{
    if ((*g->n_lists)++) {
        dstr_put(out, "\n");   /* Between tables, as ovs-vsctl prints. */
    }
    for (size_t i = 0; i < n_rows; i++) {
        if (i) {
            dstr_put(out, "\n");
        }
        for (size_t j = 0; j < n_cols; j++) {
            if (!g->opt.bare) {
                dstr_printf(out, "%-20s: ", cols[j]->name);
            }
            sctl_datum_to_string(&rows[i]->fields[cols[j]->idx],
                                 &cols[j]->type, g->opt.bare, out);
            dstr_put(out, "\n");
        }
    }
}

/* Looks up and fetches table 'name'. */
static const struct ovsdb_table_schema *
get_table(gctx_t *g, const char *name)
{
    const struct ovsdb_table_schema *ts = sctl_find_table(g->s, name);
    if (ts && sctl_snap_fetch(g->s, ts)) {
        return NULL;
    }
    return ts;
}

/* ---- Reading commands ------------------------------------------------- */

static int
cmd_show(gctx_t *g)
{
    return sctl_show(g->s, g->out) ? CMD_ERROR : 0;
}

static int
cmd_list(gctx_t *g)
{
    int argc = g->argc;
    char **argv = g->argv;
    struct dstr *out = g->out;
    const struct ovsdb_table_schema *ts = get_table(g, argv[1]);
    if (!ts) {
        return CMD_ERROR;
    }
    const struct ovsdb_column_schema **cols;
    long n_cols = columns_to_print(g, ts, &cols);
    if (n_cols < 0) {
        return CMD_ERROR;
    }
    const struct sctl_rows *all = sctl_snap_rows(g->s, ts);
    const struct ovsdb_row **rows = calloc(argc + all->n, sizeof *rows);
    size_t n = 0;
    int status = 0;
    if (!rows) {
        abort();
    }
    if (argc == 2) {
        memcpy(rows, all->rows, all->n * sizeof *rows);
        n = all->n;
    }
    for (int i = 2; i < argc; i++) {
        int err = sctl_find_record(g->s, ts, argv[i], g->opt.if_exists,
                                   &rows[n]);
        if (!err) {
            n++;
        } else if (err != -ENOENT || !g->opt.if_exists) {
            status = CMD_ERROR;
            break;
        }
    }
    if (!status) {
        print_records(g, rows, n, cols, n_cols, out);
    }
    free(rows);
    free(cols);
    return status;
}

struct cond {
    struct col_arg ca;
    bool has_key;
    union ovsdb_atom key;
    struct ovsdb_type vtype;        /* Of 'value' (shallow). */
    struct ovsdb_datum value;
};

static int
parse_cond(const struct ovsdb_table_schema *ts, const char *arg,
           struct cond *c)
{
    memset(c, 0, sizeof *c);
    ovsdb_datum_init_empty(&c->value);
    if (parse_col_arg(ts, arg, ARG_FIND, &c->ca)) {
        return -EINVAL;
    }
    if (c->ca.key) {
        if (parse_key(&c->ca, "find", false, &c->key)) {
            return -EINVAL;
        }
        c->has_key = true;
        c->vtype = value_set(&c->ca.col->type);
    } else {
        c->vtype = relaxed(&c->ca.col->type);
    }
    return parse_datum(&c->value, &c->vtype, c->ca.value, false);
}

static void
cond_destroy(struct cond *c)
{
    if (c->has_key) {
        ovsdb_atom_destroy(&c->key, c->ca.col->type.key.type);
    }
    ovsdb_datum_destroy(&c->value, &c->vtype);
    col_arg_destroy(&c->ca);
}

/* ovs-vsctl's order: more elements is larger; then the keys pairwise,
 * then the values pairwise. */
static int
compare_values(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
               const struct ovsdb_type *t)
{
    if (a->n != b->n) {
        return a->n < b->n ? -1 : 1;
    }
    for (size_t i = 0; i < a->n; i++) {
        int c = ovsdb_atom_compare(&a->keys[i], &b->keys[i], t->key.type);
        if (c) {
            return c;
        }
    }
    for (size_t i = 0; ovsdb_type_is_map(t) && i < a->n; i++) {
        int c = ovsdb_atom_compare(&a->values[i], &b->values[i],
                                   t->value.type);
        if (c) {
            return c;
        }
    }
    return 0;
}

static bool
cond_holds(const struct cond *c, const struct ovsdb_row *row)
{
    const struct ovsdb_datum *col = &row->fields[c->ca.col->idx];
    struct ovsdb_datum one = { 0, NULL, NULL };   /* Borrowed atoms. */
    bool arith = c->ca.op <= OP_GE;
    if (c->has_key) {
        size_t idx = ovsdb_datum_find_key(col, &c->key,
                                          c->ca.col->type.key.type);
        if (idx != SIZE_MAX) {
            one.n = 1;
            one.keys = &col->values[idx];
        } else if (arith) {
            return false;
        }
        col = &one;
    }
    const struct ovsdb_type *t = &c->vtype;
    const struct ovsdb_datum *v = &c->value;
    int cmp = compare_values(col, v, t);
    switch (c->ca.op) {
    case OP_EQ:
    case OP_SET_EQ:
        return !cmp;
    case OP_NE:
    case OP_SET_NE:
        return cmp != 0;
    case OP_LT:
        return cmp < 0;
    case OP_GT:
        return cmp > 0;
    case OP_LE:
        return cmp <= 0;
    case OP_GE:
        return cmp >= 0;
    case OP_SET_LE:
    case OP_IN:
        return ovsdb_datum_includes_all(v, col, t);
    case OP_SET_LT:
        return cmp && ovsdb_datum_includes_all(v, col, t);
    case OP_SET_GE:
        return ovsdb_datum_includes_all(col, v, t);
    case OP_SET_GT:
        return cmp && ovsdb_datum_includes_all(col, v, t);
    case OP_NOT_IN:
        return ovsdb_datum_excludes_all(v, col, t);
    }
    return false;
}

static int
cmd_find(gctx_t *g)
{
    int argc = g->argc;
    char **argv = g->argv;
    struct dstr *out = g->out;
    const struct ovsdb_table_schema *ts = get_table(g, argv[1]);
    if (!ts) {
        return CMD_ERROR;
    }
    size_t n_conds = argc - 2;
    struct cond *conds = calloc(n_conds + 1, sizeof *conds);
    int status = 0;
    size_t n_parsed = 0;
    if (!conds) {
        abort();
    }
    for (; n_parsed < n_conds; n_parsed++) {
        if (parse_cond(ts, argv[2 + n_parsed], &conds[n_parsed])) {
            cond_destroy(&conds[n_parsed]);
            status = CMD_ERROR;
            break;
        }
    }
    const struct ovsdb_column_schema **cols = NULL;
    long n_cols = status ? -1 : columns_to_print(g, ts, &cols);
    if (n_cols < 0) {
        status = CMD_ERROR;
    } else {
        const struct sctl_rows *all = sctl_snap_rows(g->s, ts);
        const struct ovsdb_row **rows = calloc(all->n + 1, sizeof *rows);
        size_t n = 0;
        if (!rows) {
            abort();
        }
        for (size_t i = 0; i < all->n; i++) {
            bool match = true;
            for (size_t j = 0; match && j < n_conds; j++) {
                match = cond_holds(&conds[j], all->rows[i]);
            }
            if (match) {
                rows[n++] = all->rows[i];
            }
        }
        print_records(g, rows, n, cols, n_cols, out);
        free(rows);
        free(cols);
    }
    for (size_t i = 0; i < n_parsed; i++) {
        cond_destroy(&conds[i]);
    }
    free(conds);
    return status;
}

/* Finds the record of a get/set/... command.  Returns 0 with '*rowp',
 * 1 if it is missing and --if-exists says to do nothing, or CMD_ERROR. */
static int
get_record(gctx_t *g, const struct ovsdb_table_schema **tsp,
           const char *table, const char *record,
           const struct ovsdb_row **rowp)
{
    *tsp = get_table(g, table);
    if (!*tsp) {
        return CMD_ERROR;
    }
    int err = sctl_find_record(g->s, *tsp, record, g->opt.if_exists, rowp);
    return !err ? 0 : err == -ENOENT && g->opt.if_exists ? 1 : CMD_ERROR;
}

static int
cmd_get(gctx_t *g)
{
    int argc = g->argc;
    char **argv = g->argv;
    struct dstr *out = g->out;
    const struct ovsdb_table_schema *ts;
    const struct ovsdb_row *row;
    int status = get_record(g, &ts, argv[1], argv[2], &row);
    if (status) {
        return status == 1 ? 0 : status;
    }
    if (g->opt.id && sctl_cmd_bind_id(g, ovsdb_row_uuid(row))) {
        return CMD_ERROR;
    }
    for (int i = 3; i < argc && !status; i++) {
        struct col_arg ca;
        if (parse_col_arg(ts, argv[i], ARG_COLUMN, &ca)) {
            return CMD_ERROR;
        }
        const struct ovsdb_type *t = &ca.col->type;
        const struct ovsdb_datum *d = &row->fields[ca.col->idx];
        union ovsdb_atom key;
        if (!ca.key) {
            sctl_datum_to_string(d, t, false, out);
        } else if (parse_key(&ca, "get", false, &key)) {
            status = CMD_ERROR;
        } else {
            size_t idx = ovsdb_datum_find_key(d, &key, t->key.type);
            if (idx != SIZE_MAX) {
                sctl_atom_to_string(&d->values[idx], t->value.type, false,
                                    out);
            } else if (!g->opt.if_exists) {
                sctl_fail("no key \"%s\" in %s record \"%s\" column %s",
                          ca.key, ts->name, argv[2], ca.col->name);
                status = CMD_ERROR;
            }
            ovsdb_atom_destroy(&key, t->key.type);
        }
        dstr_put(out, "\n");
        col_arg_destroy(&ca);
    }
    return status;
}

/* ---- Modifying commands ----------------------------------------------- */

/* Writes a copy of 'd' to column 'col' of 'row' after checking it
 * against the column's type ('verb' names the command in the message). */
static int
write_checked(gctx_t *g, const struct ovsdb_table_schema *ts,
              const struct ovsdb_row *row,
              const struct ovsdb_column_schema *col, struct ovsdb_datum *d,
              const char *verb)
{
    const struct ovsdb_type *t = &col->type;
    if (d->n < t->n_min || d->n > t->n_max) {
        sctl_fail("\"%s\" operation would put %zu %s in column %s of table "
                  "%s but the %s number is %u", verb, d->n,
                  d->n == 1 ? "value" : "values", col->name, ts->name,
                  d->n < t->n_min ? "minimum" : "maximum",
                  d->n < t->n_min ? t->n_min : t->n_max);
        ovsdb_datum_destroy(d, t);
        return CMD_ERROR;
    }
    sctl_txn_write(g->txn, row, col, d);
    ovsdb_datum_destroy(d, t);
    return 0;
}

/* Applies the COLUMN[:KEY]=VALUE arguments argv[first..] to 'row'. */
static int
set_columns(gctx_t *g, const struct ovsdb_table_schema *ts,
            const struct ovsdb_row *row, int first, bool check_ro)
{
    int status = 0;
    for (int i = first; i < g->argc && !status; i++) {
        struct col_arg ca;
        if (parse_col_arg(ts, g->argv[i], ARG_SET, &ca)) {
            return CMD_ERROR;
        }
        const struct ovsdb_type *t = &ca.col->type;
        union ovsdb_atom key, value;
        struct ovsdb_datum d;
        char *err;
        if (check_ro && !check_mutable(ts, ca.col)) {
            status = CMD_ERROR;
        } else if (ca.key) {
            if (parse_key(&ca, "set", true, &key)) {
                status = CMD_ERROR;
            } else if ((err = sctl_atom_from_string(&value, &t->value,
                                                    ca.value, true))) {
                sctl_fail("%s", err);
                free(err);
                ovsdb_atom_destroy(&key, t->key.type);
                status = CMD_ERROR;
            } else {
                ovsdb_datum_clone(&d, &row->fields[ca.col->idx], t);
                size_t idx = ovsdb_datum_find_key(&d, &key, t->key.type);
                if (idx != SIZE_MAX) {
                    ovsdb_datum_remove(&d, idx, t);
                }
                ovsdb_datum_append(&d, &key, &value, t);
                ovsdb_datum_sort(&d, t, false);
                status = write_checked(g, ts, row, ca.col, &d, "set");
            }
        } else if (parse_datum(&d, t, ca.value, true)) {
            status = CMD_ERROR;
        } else {
            sctl_txn_write(g->txn, row, ca.col, &d);
            ovsdb_datum_destroy(&d, t);
        }
        col_arg_destroy(&ca);
    }
    return status;
}

static int
cmd_set(gctx_t *g)
{
    const struct ovsdb_table_schema *ts;
    const struct ovsdb_row *row;
    int status = get_record(g, &ts, g->argv[1], g->argv[2], &row);
    if (status) {
        return status == 1 ? 0 : status;
    }
    return set_columns(g, ts, row, 3, true);
}

/* add and remove: the column's value with each argument's elements added
 * or removed. */
static int
add_or_remove(gctx_t *g, bool add)
{
    const struct ovsdb_table_schema *ts;
    const struct ovsdb_row *row;
    int status = get_record(g, &ts, g->argv[1], g->argv[2], &row);
    if (status) {
        return status == 1 ? 0 : status;
    }
    const struct ovsdb_column_schema *col = sctl_find_column(ts, g->argv[3]);
    if (!col || !check_mutable(ts, col)) {
        return CMD_ERROR;
    }
    bool map = ovsdb_type_is_map(&col->type);
    struct ovsdb_datum result;
    ovsdb_datum_clone(&result, &row->fields[col->idx], &col->type);
    for (int i = 4; i < g->argc && !status; i++) {
        struct ovsdb_type t = relaxed(&col->type);
        struct ovsdb_datum d;
        char *err = sctl_datum_from_string(&d, &t, g->argv[i], add);
        if (err && !add && map) {
            /* "remove" also takes bare keys of a map. */
            struct ovsdb_type kt = key_set(&col->type);
            char *err2 = sctl_datum_from_string(&d, &kt, g->argv[i], false);
            if (!err2) {
                t = kt;
                free(err);
                err = NULL;
            } else if (!strchr(g->argv[i], '=')) {
                free(err);
                err = err2;
            } else {
                free(err2);
            }
        }
        if (err) {
            sctl_fail("%s", err);
            free(err);
            status = CMD_ERROR;
            break;
        }
        if (add) {
            ovsdb_datum_union(&result, &d, &col->type);
        } else {
            ovsdb_datum_subtract(&result, &col->type, &d, &t);
        }
        ovsdb_datum_destroy(&d, &t);
    }
    if (status) {
        ovsdb_datum_destroy(&result, &col->type);
        return status;
    }
    return write_checked(g, ts, row, col, &result, add ? "add" : "remove");
}

static int
cmd_add(gctx_t *g)
{
    return add_or_remove(g, true);
}

static int
cmd_remove(gctx_t *g)
{
    return add_or_remove(g, false);
}

static int
cmd_clear(gctx_t *g)
{
    const struct ovsdb_table_schema *ts;
    const struct ovsdb_row *row;
    int status = get_record(g, &ts, g->argv[1], g->argv[2], &row);
    if (status) {
        return status == 1 ? 0 : status;
    }
    for (int i = 3; i < g->argc; i++) {
        const struct ovsdb_column_schema *col
            = sctl_find_column(ts, g->argv[i]);
        if (!col || !check_mutable(ts, col)) {
            return CMD_ERROR;
        }
        if (col->type.n_min > 0) {
            sctl_fail("\"clear\" operation cannot be applied to column %s of "
                      "table %s, which is not allowed to be empty",
                      col->name, ts->name);
            return CMD_ERROR;
        }
        struct ovsdb_datum empty;
        ovsdb_datum_init_empty(&empty);
        sctl_txn_write(g->txn, row, col, &empty);
    }
    return 0;
}

static int
cmd_destroy(gctx_t *g)
{
    const struct ovsdb_table_schema *ts = get_table(g, g->argv[1]);
    if (!ts) {
        return CMD_ERROR;
    }
    if (g->opt.all != (g->argc == 2)) {
        sctl_fail(g->opt.all ? "destroy: --all takes no RECORD"
                             : "destroy: name a RECORD, or use --all");
        return CMD_ERROR;
    }
    if (g->opt.all) {
        const struct sctl_rows *rows = sctl_snap_rows(g->s, ts);
        while (rows->n) {
            sctl_txn_delete(g->txn, rows->rows[rows->n - 1]);
        }
    }
    for (int i = 2; i < g->argc; i++) {
        const struct ovsdb_row *row;
        int err = sctl_find_record(g->s, ts, g->argv[i], g->opt.if_exists,
                                   &row);
        if (err == -ENOENT && g->opt.if_exists) {
            continue;
        } else if (err) {
            return CMD_ERROR;
        }
        sctl_txn_delete(g->txn, row);
    }
    return 0;
}

/* create TABLE COLUMN[:KEY]=VALUE...: prints the new row's UUID. */
static int
cmd_create(gctx_t *g)
{
    const struct ovsdb_table_schema *ts = get_table(g, g->argv[1]);
    if (!ts) {
        return CMD_ERROR;
    }
    struct ovsdb_uuid uuid;
    if (g->opt.id) {
        if (sctl_cmd_new_id(g, &uuid)) {
            return CMD_ERROR;
        }
    } else {
        ovsdb_uuid_generate(&uuid);
        if (!ts->is_root) {
            sctl_fail("warning: applying \"create\" command to table %s "
                      "without --id option will have no effect", ts->name);
        }
    }
    const struct ovsdb_row *row = sctl_txn_insert(g->txn, ts, &uuid);
    int status = set_columns(g, ts, row, 2, false);
    if (!status) {
        char buf[OVSDB_UUID_LEN + 1];
        ovsdb_uuid_format(&uuid, buf);
        dstr_printf(g->out, "%s\n", buf);
    }
    return status;
}

/* wait-until TABLE RECORD [COLUMN[:KEY]OP VALUE]...: runs the line again
 * (at the next change) until the record exists and every condition
 * holds. */
static int
cmd_wait_until(gctx_t *g)
{
    const struct ovsdb_table_schema *ts = get_table(g, g->argv[1]);
    if (!ts) {
        return CMD_ERROR;
    }
    const struct ovsdb_row *row;
    int err = sctl_find_record(g->s, ts, g->argv[2], true, &row);
    if (err == -EINVAL) {
        return CMD_ERROR;
    }
    int status = err ? SCTL_TRY_AGAIN : 0;
    /* Every condition is parsed, so that a bad one fails at once. */
    for (int i = 3; i < g->argc && status != CMD_ERROR; i++) {
        struct cond c;
        if (parse_cond(ts, g->argv[i], &c)) {
            status = CMD_ERROR;
        } else if (!status && !cond_holds(&c, row)) {
            status = SCTL_TRY_AGAIN;
        }
        cond_destroy(&c);
    }
    return status;
}

/* ---- The command table ------------------------------------------------ */

const struct sctl_cmd_spec sluicectl_generic_commands[] = {
    { "show", "", 0, 0, "", cmd_show,
      "overview of the database" },
    { "list", "TABLE [RECORD...]", 1, -1, "--if-exists,--columns=,--bare",
      cmd_list, "print the records (all of TABLE)" },
    { "find", "TABLE [COLUMN[:KEY]=VALUE...]", 1, -1, "--columns=,--bare",
      cmd_find, "print the records that match" },
    { "get", "TABLE RECORD [COLUMN[:KEY]...]", 2, -1, "--if-exists,--id=",
      cmd_get, "print values (--id=@NAME: name the record)" },
    { "set", "TABLE RECORD COLUMN[:KEY]=VALUE...", 3, -1, "--if-exists",
      cmd_set, "set values" },
    { "add", "TABLE RECORD COLUMN [KEY=]VALUE...", 4, -1, "--if-exists",
      cmd_add, "add elements to a set or map" },
    { "remove", "TABLE RECORD COLUMN VALUE|KEY|KEY=VALUE...", 4, -1,
      "--if-exists", cmd_remove, "remove elements from a set or map" },
    { "clear", "TABLE RECORD COLUMN...", 3, -1, "--if-exists", cmd_clear,
      "empty sets or maps" },
    { "destroy", "TABLE [RECORD...]", 1, -1, "--if-exists,--all",
      cmd_destroy, "delete records (all with --all)" },
    { "create", "TABLE COLUMN[:KEY]=VALUE...", 2, -1, "--id=", cmd_create,
      "insert a record, print its UUID (--id=@NAME)" },
    { "wait-until", "TABLE RECORD [COLUMN[:KEY]=VALUE...]", 2, -1, "",
      cmd_wait_until, "wait until RECORD exists with these values" },
};
const size_t sluicectl_generic_n_commands
    = sizeof sluicectl_generic_commands / sizeof *sluicectl_generic_commands;
