/* ovsdb/datum: OVSDB values.  An atom is one value of an atomic type; a
 * datum is a column's value: a set of atoms, or a map of key/value atom
 * pairs, always kept sorted by key with no duplicate keys.  This module
 * owns the conversion between datums and RFC 7047's JSON notation
 * (<atom>, <set>, <map>, ["uuid", ...], ["named-uuid", ...]), the checks
 * of a value against its type's constraints, comparison, hashing, set and
 * map algebra, the differences of Open vSwitch's journal records, default
 * values, and the symbol table that resolves the named-uuids of one
 * transaction.  A datum owns its atoms (strings are malloc'd copies). */
#ifndef SLUICE_OVSDB_DATUM_H
#define SLUICE_OVSDB_DATUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ovsdb/types.h"
#include "ovsdb/uuid.h"

union ovsdb_atom {
    int64_t integer;
    double real;
    bool boolean;
    char *string;
    struct ovsdb_uuid uuid;
};

struct ovsdb_datum {
    size_t n;                   /* Number of elements (pairs for maps). */
    union ovsdb_atom *keys;     /* n keys, sorted, unique. */
    union ovsdb_atom *values;   /* n values for maps, else NULL. */
};

/* ---- Named UUIDs of a transaction ("uuid-name" / ["named-uuid", id]). */
struct ovsdb_symbol {
    char *name;
    struct ovsdb_uuid uuid;
    bool created;       /* Some insert used it as its "uuid-name". */
    bool referenced;    /* Some value referred to it. */
};

struct ovsdb_symtab {
    struct ovsdb_symbol *syms;
    size_t n, cap;
};

void ovsdb_symtab_init(struct ovsdb_symtab *);
void ovsdb_symtab_destroy(struct ovsdb_symtab *);
struct ovsdb_symbol *ovsdb_symtab_find(const struct ovsdb_symtab *,
                                       const char *name);
/* Finds 'name', creating it with a fresh random UUID if absent. */
struct ovsdb_symbol *ovsdb_symtab_get(struct ovsdb_symtab *,
                                      const char *name);

/* ---- Atoms ------------------------------------------------------------ */
void ovsdb_atom_init_default(union ovsdb_atom *, enum ovsdb_atomic_type);
bool ovsdb_atom_is_default(const union ovsdb_atom *, enum ovsdb_atomic_type);
void ovsdb_atom_clone(union ovsdb_atom *dst, const union ovsdb_atom *src,
                      enum ovsdb_atomic_type);
void ovsdb_atom_destroy(union ovsdb_atom *, enum ovsdb_atomic_type);
int ovsdb_atom_compare(const union ovsdb_atom *, const union ovsdb_atom *,
                       enum ovsdb_atomic_type);
uint32_t ovsdb_atom_hash(const union ovsdb_atom *, enum ovsdb_atomic_type,
                         uint32_t basis);
/* Parses 'json' as an atom of 'base' type, without constraint checks.
 * A ["named-uuid", id] needs 'symtab' (NULL: such references are an
 * error). */
json_t *ovsdb_atom_from_json(union ovsdb_atom *,
                             const struct ovsdb_base_type *,
                             const json_t *, struct ovsdb_symtab *symtab);
json_t *ovsdb_atom_to_json(const union ovsdb_atom *, enum ovsdb_atomic_type);
/* NULL if the atom satisfies 'base''s constraints (ranges, lengths,
 * enum), else a "constraint violation".  References to other rows are
 * checked at commit, not here. */
json_t *ovsdb_atom_check_constraints(const union ovsdb_atom *,
                                     const struct ovsdb_base_type *base);
/* Text form for error messages, as ovsdb-server writes it (strings in
 * quotes only where needed); caller frees. */
char *ovsdb_atom_to_string(const union ovsdb_atom *, enum ovsdb_atomic_type);

/* ---- Datums ----------------------------------------------------------- */
void ovsdb_datum_init_empty(struct ovsdb_datum *);
/* RFC 7047 5.2.1's default: empty if min is 0, else one default atom
 * (0, 0.0, false, "", all-zeros uuid) or default key/value pair. */
void ovsdb_datum_init_default(struct ovsdb_datum *, const struct ovsdb_type *);
bool ovsdb_datum_is_default(const struct ovsdb_datum *,
                            const struct ovsdb_type *);
void ovsdb_datum_clone(struct ovsdb_datum *dst, const struct ovsdb_datum *src,
                       const struct ovsdb_type *);
void ovsdb_datum_destroy(struct ovsdb_datum *, const struct ovsdb_type *);
void ovsdb_datum_swap(struct ovsdb_datum *, struct ovsdb_datum *);

/* Parses a column value: <atom> (a 1-element set), ["set", [...]] or
 * ["map", [[k, v], ...]], as ovsdb-server does, with its error texts: the
 * element count against min/max ("syntax error"), then each atom's type
 * ("syntax error") and constraints ("constraint violation"), then
 * duplicates ("ovsdb error").  Syntax errors carry a "syntax" member. */
json_t *ovsdb_datum_from_json(struct ovsdb_datum *, const struct ovsdb_type *,
                              const json_t *, struct ovsdb_symtab *symtab);
/* Like ovsdb_datum_from_json() but only the JSON shape and atom types are
 * checked (no counts, no constraints): for condition and mutation
 * arguments and journal differences.  Duplicate elements (set) or keys
 * (map) are an "ovsdb error", as in ovsdb-server. */
json_t *ovsdb_datum_from_json_loose(struct ovsdb_datum *,
                                    const struct ovsdb_type *,
                                    const json_t *,
                                    struct ovsdb_symtab *symtab);
json_t *ovsdb_datum_to_json(const struct ovsdb_datum *,
                            const struct ovsdb_type *);
/* Text form for messages: an atom alone, or "[a, b]", or "{k=v}";
 * caller frees. */
char *ovsdb_datum_to_string(const struct ovsdb_datum *,
                            const struct ovsdb_type *);
/* Every atom against the constraints of 't' (not the element count). */
json_t *ovsdb_datum_check_atoms(const struct ovsdb_datum *,
                                const struct ovsdb_type *t);
/* Element count and every atom against 't'. */
json_t *ovsdb_datum_check_constraints(const struct ovsdb_datum *,
                                      const struct ovsdb_type *t);

int ovsdb_datum_compare(const struct ovsdb_datum *, const struct ovsdb_datum *,
                        const struct ovsdb_type *);
bool ovsdb_datum_equals(const struct ovsdb_datum *, const struct ovsdb_datum *,
                        const struct ovsdb_type *);
uint32_t ovsdb_datum_hash(const struct ovsdb_datum *,
                          const struct ovsdb_type *, uint32_t basis);

/* Index of 'key' in 'd', or SIZE_MAX. */
size_t ovsdb_datum_find_key(const struct ovsdb_datum *,
                            const union ovsdb_atom *key,
                            enum ovsdb_atomic_type key_type);
/* Every element of 'b' is in 'a' (for maps: every pair). */
bool ovsdb_datum_includes_all(const struct ovsdb_datum *a,
                              const struct ovsdb_datum *b,
                              const struct ovsdb_type *);
/* No element of 'b' is in 'a' (for maps: no pair). */
bool ovsdb_datum_excludes_all(const struct ovsdb_datum *a,
                              const struct ovsdb_datum *b,
                              const struct ovsdb_type *);
/* a |= b.  For maps, pairs of 'b' whose key is already in 'a' are
 * ignored. */
void ovsdb_datum_union(struct ovsdb_datum *a, const struct ovsdb_datum *b,
                       const struct ovsdb_type *);
/* Removes from 'a' (of type 'a_type') the elements of 'b' (of 'b_type').
 * If 'a' is a map and 'b' a set, removes the keys in 'b'; if both are
 * maps, removes the pairs of 'b' whose value matches too. */
void ovsdb_datum_subtract(struct ovsdb_datum *a,
                          const struct ovsdb_type *a_type,
                          const struct ovsdb_datum *b,
                          const struct ovsdb_type *b_type);
/* Removes element 'idx' of 'd'. */
void ovsdb_datum_remove(struct ovsdb_datum *, size_t idx,
                        const struct ovsdb_type *);
/* Appends without sorting; finish with ovsdb_datum_sort(). Takes
 * ownership of the atoms. */
void ovsdb_datum_append(struct ovsdb_datum *, const union ovsdb_atom *key,
                        const union ovsdb_atom *value,
                        const struct ovsdb_type *);
/* Sorts by key.  Returns the number of duplicate keys found; with
 * 'dedup' they are removed (keeping the first), otherwise left. */
size_t ovsdb_datum_sort(struct ovsdb_datum *, const struct ovsdb_type *,
                        bool dedup);

/* ---- Differences -------------------------------------------------------
 * Open vSwitch's ovsdb-server writes a modified row of a journal record
 * marked "_is_diff" (and of an update2 "modify") as differences.  For a
 * type that may hold more than one element (n_max > 1), a set difference
 * holds the elements to add or remove (the symmetric difference of old
 * and new); in a map difference, a pair whose key is absent from the old
 * value is added, a pair equal to an old pair removes it, and a pair with
 * an old key and another value replaces that value.  For other types
 * (scalars, optional values) the difference is the new value.  Parse a
 * difference with ovsdb_datum_from_json_loose(): it may hold more
 * elements than the type allows. */

/* '*new' = 'old' changed by 'diff', all of type 't'.  Returns NULL, or a
 * "constraint violation" ('*new' then empty) if the result has fewer
 * than n_min or more than n_max elements.  Atom constraints are not
 * checked. */
json_t *ovsdb_datum_apply_diff(struct ovsdb_datum *new,
                               const struct ovsdb_datum *old,
                               const struct ovsdb_datum *diff,
                               const struct ovsdb_type *t);

#endif
