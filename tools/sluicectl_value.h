/* sluicectl_value: OVSDB values in ovs-vsctl's text syntax.
 *
 * Owns the conversion between the datums of ovsdb/datum.h and the text
 * operators type and read (ovs-vsctl(8), "Database Values"): integers
 * (and integer ranges "1-5" in sets), reals, true/false, strings bare when
 * they are identifiers and JSON-quoted otherwise, UUIDs; sets as single
 * values or "[a, b]" (elements separated by spaces or a comma), maps as
 * "{k=v, ...}".  Errors are returned as messages (malloc'd strings) for the
 * caller to print. */
#ifndef SLUICE_SLUICECTL_VALUE_H
#define SLUICE_SLUICECTL_VALUE_H

#include <stdbool.h>

#include "ovsdb/datum.h"
#include "ovsdb/types.h"
#include "src/util/dstr.h"

/* With a symbol table set, a UUID written "@name" is the UUID of that
 * symbol (created, with a random UUID, at its first use; marked
 * referenced): the rows that "--id=@name create" makes.  NULL: none. */
void sctl_value_set_symtab(struct ovsdb_symtab *);

/* Parses all of 's' as one atom of 'base'.  With 'check', also checks
 * the base type's constraints.  Returns NULL, or an error message (free()
 * it; '*atom' then needs no destroy). */
char *sctl_atom_from_string(union ovsdb_atom *atom,
                            const struct ovsdb_base_type *base,
                            const char *s, bool check);

/* Parses 's' as a value of type 't'.  With 'check', duplicates are an
 * error and the element count and every atom are checked against 't';
 * without, duplicates are dropped and only the syntax is checked (for
 * "add", "remove" and "find", whose values are parts of a column).
 * Returns NULL, or an error message (free() it; '*d' then needs no
 * destroy). */
char *sctl_datum_from_string(struct ovsdb_datum *d, const struct ovsdb_type *t,
                             const char *s, bool check);

/* Does string 's' need quotes to be read back as that string? */
bool sctl_string_needs_quotes(const char *s);

void sctl_atom_to_string(const union ovsdb_atom *,
                         enum ovsdb_atomic_type, bool bare, struct dstr *);
/* ovs-vsctl's form: brackets for sets that may hold more than one element
 * and for empty values.  'bare' (--bare): elements separated by spaces,
 * no brackets, no quotes. */
void sctl_datum_to_string(const struct ovsdb_datum *,
                          const struct ovsdb_type *, bool bare,
                          struct dstr *);

#endif
