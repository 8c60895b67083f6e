/* ovsdb/op_parser: the members of one "transact" operation. */
#include "ovsdb/op_parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/error.h"
#include "ovsdb/types.h"

static void
raise_text(struct ovsdb_op_parser *p, const char *text, bool syntax)
{
    if (p->err || p->failed) {
        return;
    }
    p->failed = true;
    p->err = ovsdb_error(OVSDB_E_SYNTAX, "Parsing ovsdb operation %zu of %zu "
                         "failed: %s", p->idx + 1, p->n_ops, text);
    if (syntax) {
        ovsdb_error_syntax(p->err, p->op);
    }
}

void
ovsdb_op_parser_init(struct ovsdb_op_parser *p, const json_t *op,
                     size_t idx, size_t n_ops)
{
    memset(p, 0, sizeof *p);
    p->op = op;
    p->idx = idx;
    p->n_ops = n_ops;
    if (!json_is_object(op)) {
        raise_text(p, "Object expected.", false);
    }
}

void
ovsdb_op_parser_raise(struct ovsdb_op_parser *p, const char *fmt, ...)
{
    char *text = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&text, fmt, ap) < 0) {
        text = NULL;
    }
    va_end(ap);
    raise_text(p, text ? text : "?", true);
    free(text);
}

static bool
has_type(const json_t *v, unsigned types)
{
    return ((types & OVSDB_OP_ID) && ovsdb_is_id(json_string_value(v)))
           || ((types & OVSDB_OP_STRING) && json_is_string(v))
           || ((types & OVSDB_OP_BOOLEAN) && json_is_boolean(v))
           || ((types & OVSDB_OP_NUMBER) && json_is_number(v))
           || ((types & OVSDB_OP_INTEGER) && json_is_integer(v))
           || ((types & OVSDB_OP_ARRAY) && json_is_array(v))
           || ((types & OVSDB_OP_OBJECT) && json_is_object(v));
}

const json_t *
ovsdb_op_parser_member(struct ovsdb_op_parser *p, const char *name,
                       unsigned types)
{
    if (!json_is_object(p->op)) {
        return NULL;
    }
    const json_t *v = json_object_get(p->op, name);
    if (!v) {
        if (!(types & OVSDB_OP_OPTIONAL)) {
            ovsdb_op_parser_raise(p, "Required '%s' member is missing.",
                                  name);
        }
        return NULL;
    }
    if (p->n_used < OVSDB_OP_MAX_MEMBERS) {
        p->used[p->n_used++] = name;
    }
    if (!has_type(v, types)) {
        ovsdb_op_parser_raise(p, "Type mismatch for member '%s'.", name);
        return NULL;
    }
    return v;
}

json_t *
ovsdb_op_parser_error(struct ovsdb_op_parser *p)
{
    json_t *err = p->err;
    p->err = NULL;
    return err;
}

json_t *
ovsdb_op_parser_finish(struct ovsdb_op_parser *p)
{
    const char *name;
    json_t *v;

    if (!p->failed && json_is_object(p->op)) {
        const char *first = NULL;
        size_t n_extra = 0;
        json_object_foreach((json_t *) p->op, name, v) {
            bool used = false;
            for (size_t i = 0; i < p->n_used && !used; i++) {
                used = !strcmp(p->used[i], name);
            }
            if (!used && !n_extra++) {
                first = name;
            }
        }
        if (n_extra == 1) {
            ovsdb_op_parser_raise(p, "Member '%s' is present but not "
                                  "allowed here.", first);
        } else if (n_extra) {
            ovsdb_op_parser_raise(p, "Member '%s' and %zu other member%s "
                                  "are present but not allowed here.",
                                  first, n_extra - 1,
                                  n_extra > 2 ? "s" : "");
        }
    }
    return ovsdb_op_parser_error(p);
}

void
ovsdb_op_parser_destroy(struct ovsdb_op_parser *p)
{
    json_decref(p->err);
    p->err = NULL;
}
