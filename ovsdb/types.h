/* ovsdb/types: the OVSDB type system of RFC 7047 section 3.2.  Atomic
 * types (integer, real, boolean, string, uuid), base types (an atomic type
 * with its constraints: ranges, lengths, enum, refTable/refType), and
 * column types (a key base type, an optional value base type for maps,
 * and min/max element counts).  Parses and writes the schema's <type>
 * JSON.  A type owns its enum datum and its refTable name; the refTable
 * pointer is resolved (not owned) by the schema module. */
#ifndef SLUICE_OVSDB_TYPES_H
#define SLUICE_OVSDB_TYPES_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct ovsdb_datum;
struct ovsdb_table_schema;

enum ovsdb_atomic_type {
    OVSDB_TYPE_VOID,        /* No value: the "value" of a non-map. */
    OVSDB_TYPE_INTEGER,
    OVSDB_TYPE_REAL,
    OVSDB_TYPE_BOOLEAN,
    OVSDB_TYPE_STRING,
    OVSDB_TYPE_UUID,
};

enum ovsdb_ref_type {
    OVSDB_REF_STRONG,
    OVSDB_REF_WEAK,
};

#define OVSDB_UNLIMITED UINT_MAX    /* n_max "unlimited", maxLength, ... */

struct ovsdb_base_type {
    enum ovsdb_atomic_type type;
    struct ovsdb_datum *enum_;      /* Allowed values, or NULL for any. */
    int64_t min_int, max_int;       /* INTEGER: INT64_MIN..INT64_MAX. */
    double min_real, max_real;      /* REAL: -DBL_MAX..DBL_MAX. */
    unsigned int min_len, max_len;  /* STRING, in characters. */
    char *ref_table_name;           /* UUID: refTable, or NULL. */
    const struct ovsdb_table_schema *ref_table; /* Set by the schema. */
    enum ovsdb_ref_type ref_type;   /* UUID with refTable. */
};

struct ovsdb_type {
    struct ovsdb_base_type key;
    struct ovsdb_base_type value;   /* value.type VOID unless a map. */
    unsigned int n_min;             /* 0 or 1. */
    unsigned int n_max;             /* >= 1, or OVSDB_UNLIMITED. */
};

const char *ovsdb_atomic_type_name(enum ovsdb_atomic_type);

/* Whether 's' is an RFC 7047 <id>: a letter or "_", then letters, digits
 * and "_" (names, uuid-names, lock names). */
bool ovsdb_is_id(const char *s);
bool ovsdb_atomic_type_from_string(const char *, enum ovsdb_atomic_type *);

/* A base type of 'type' with no constraints. */
void ovsdb_base_type_init(struct ovsdb_base_type *, enum ovsdb_atomic_type);
void ovsdb_base_type_destroy(struct ovsdb_base_type *);
void ovsdb_base_type_clone(struct ovsdb_base_type *dst,
                           const struct ovsdb_base_type *src);
bool ovsdb_base_type_has_constraints(const struct ovsdb_base_type *);
/* A strong or weak reference (uuid with a refTable). */
bool ovsdb_base_type_is_ref(const struct ovsdb_base_type *);
bool ovsdb_base_type_is_strong_ref(const struct ovsdb_base_type *);
bool ovsdb_base_type_is_weak_ref(const struct ovsdb_base_type *);

/* Exactly one 'key' of atomic type 'type'. */
void ovsdb_type_init_scalar(struct ovsdb_type *, enum ovsdb_atomic_type);
void ovsdb_type_destroy(struct ovsdb_type *);
void ovsdb_type_clone(struct ovsdb_type *dst, const struct ovsdb_type *src);

static inline bool
ovsdb_type_is_map(const struct ovsdb_type *t)
{
    return t->value.type != OVSDB_TYPE_VOID;
}

static inline bool
ovsdb_type_is_scalar(const struct ovsdb_type *t)
{
    return !ovsdb_type_is_map(t) && t->n_min == 1 && t->n_max == 1;
}

static inline bool
ovsdb_type_is_optional_scalar(const struct ovsdb_type *t)
{
    return !ovsdb_type_is_map(t) && t->n_min == 0 && t->n_max == 1;
}

/* Parses a schema <type> ("integer", or {"key": ..., "min": ...}).
 * Returns NULL and fills 't', or an error object ('t' then needs no
 * destroy). */
json_t *ovsdb_type_from_json(struct ovsdb_type *t, const json_t *);
json_t *ovsdb_base_type_from_json(struct ovsdb_base_type *,
                                  const json_t *);
/* 't' in words, as ovsdb-server names types in its messages ("string",
 * "set of up to 3 integers", "map of (string, integer) pairs").  Caller
 * frees. */
char *ovsdb_type_to_english(const struct ovsdb_type *t);

/* The shortest JSON that parses back to 't'. */
json_t *ovsdb_type_to_json(const struct ovsdb_type *t);
json_t *ovsdb_base_type_to_json(const struct ovsdb_base_type *);

#endif
