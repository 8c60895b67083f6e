/* ovsdb/op_parser: the members of one "transact" operation, checked as
 * ovsdb-server checks them: each operation names the members it reads,
 * with their JSON types; a missing required member, a member of the wrong
 * type or (once the operation has run) a member it never read is a
 * "syntax error" whose details start "Parsing ovsdb operation I of N
 * failed: " and whose "syntax" is the operation.  The parser owns only
 * its first error until ovsdb_op_parser_error() hands it over. */
#ifndef SLUICE_OVSDB_OP_PARSER_H
#define SLUICE_OVSDB_OP_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

enum ovsdb_op_type {
    OVSDB_OP_ID = 1 << 0,       /* A string that is an <id>. */
    OVSDB_OP_STRING = 1 << 1,
    OVSDB_OP_BOOLEAN = 1 << 2,
    OVSDB_OP_NUMBER = 1 << 3,
    OVSDB_OP_ARRAY = 1 << 4,
    OVSDB_OP_OBJECT = 1 << 5,
    OVSDB_OP_INTEGER = 1 << 6,
    OVSDB_OP_OPTIONAL = 1 << 7,
};

#define OVSDB_OP_MAX_MEMBERS 16

struct ovsdb_op_parser {
    const json_t *op;
    size_t idx, n_ops;
    const char *used[OVSDB_OP_MAX_MEMBERS];
    size_t n_used;
    json_t *err;
    bool failed;                /* An error was raised (maybe handed on). */
};

/* Starts parsing operation 'idx' (0-based) of 'n_ops'.  An operation that
 * is not an object is an error at once. */
void ovsdb_op_parser_init(struct ovsdb_op_parser *, const json_t *op,
                          size_t idx, size_t n_ops);
/* Member 'name' if present with one of the types in 'types', else NULL
 * (recording an error unless it is optional and absent). */
const json_t *ovsdb_op_parser_member(struct ovsdb_op_parser *,
                                     const char *name, unsigned types);
/* Records "Parsing ... failed: TEXT" unless an error is recorded. */
void ovsdb_op_parser_raise(struct ovsdb_op_parser *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The first error recorded (the caller owns it), or NULL. */
json_t *ovsdb_op_parser_error(struct ovsdb_op_parser *);
/* After the operation ran: the first error, or an error for a member
 * that was never read; NULL if none. */
json_t *ovsdb_op_parser_finish(struct ovsdb_op_parser *);
void ovsdb_op_parser_destroy(struct ovsdb_op_parser *);

#endif
