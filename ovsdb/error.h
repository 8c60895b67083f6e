/* ovsdb/error: RFC 7047 error objects.  An error is a Jansson object
 * {"error": <tag>, "details": <text>} owned by whoever holds the pointer;
 * the data model and transaction code return one (or NULL for success)
 * wherever RFC 7047 reports an error to the client. */
#ifndef SLUICE_OVSDB_ERROR_H
#define SLUICE_OVSDB_ERROR_H

#include <jansson.h>

/* Tags used by RFC 7047 (section 4.1.3 and the operations of 5.2) and by
 * the parsers here. */
#define OVSDB_E_CONSTRAINT      "constraint violation"
#define OVSDB_E_REFERENTIAL     "referential integrity violation"
#define OVSDB_E_RESOURCES       "resources exhausted"
#define OVSDB_E_IO              "I/O error"
#define OVSDB_E_DUP_UUID_NAME   "duplicate uuid-name"
#define OVSDB_E_DOMAIN          "domain error"
#define OVSDB_E_RANGE           "range error"
#define OVSDB_E_TIMED_OUT       "timed out"
#define OVSDB_E_NOT_SUPPORTED   "not supported"
#define OVSDB_E_ABORTED         "aborted"
#define OVSDB_E_NOT_OWNER       "not owner"
#define OVSDB_E_SYNTAX          "syntax error"
#define OVSDB_E_UNKNOWN_TABLE   "unknown table"
#define OVSDB_E_UNKNOWN_COLUMN  "unknown column"
#define OVSDB_E_UNKNOWN_OP      "unknown operation"
#define OVSDB_E_UNKNOWN_FUNC    "unknown function"
#define OVSDB_E_UNKNOWN_MUTATOR "unknown mutator"
#define OVSDB_E_DUP_UUID        "duplicate uuid"
/* ovsdb-server's tag for errors RFC 7047 names no tag for (duplicates in
 * a set or map, for one). */
#define OVSDB_E_GENERIC         "ovsdb error"

/* New error object; 'fmt' may be NULL for no "details". */
json_t *ovsdb_error(const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The "error" tag of 'err', or NULL if 'err' is not an error object. */
const char *ovsdb_error_tag(const json_t *err);
/* The "details" of 'err', or "" if none. */
const char *ovsdb_error_details(const json_t *err);

/* Adds to 'err' the member "syntax": 'json' as compact text with sorted
 * object members, as ovsdb-server names the JSON it could not accept.
 * Returns 'err'. */
json_t *ovsdb_error_syntax(json_t *err, const json_t *json);

/* Prefixes the details of 'err' with "PREFIX: " (for context such as the
 * table and column being parsed).  Returns 'err'. */
json_t *ovsdb_error_wrap(json_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
