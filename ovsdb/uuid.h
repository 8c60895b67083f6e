/* ovsdb/uuid: RFC 4122 UUIDs for OVSDB rows and row versions: random
 * (version 4) generation from the kernel's CSPRNG, the 36-character text
 * form, comparison and hashing. */
#ifndef SLUICE_OVSDB_UUID_H
#define SLUICE_OVSDB_UUID_H

#include <stdbool.h>
#include <stdint.h>

#define OVSDB_UUID_LEN 36

struct ovsdb_uuid {
    uint8_t b[16];
};

/* A new random (version 4, variant 1) UUID. */
void ovsdb_uuid_generate(struct ovsdb_uuid *);
/* Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case).  Returns
 * false, leaving 'u' zero, if 's' is not exactly that. */
bool ovsdb_uuid_from_string(struct ovsdb_uuid *u, const char *s);
/* Writes the lower-case text form and a NUL into 'buf'. */
void ovsdb_uuid_format(const struct ovsdb_uuid *,
                       char buf[OVSDB_UUID_LEN + 1]);

int ovsdb_uuid_compare(const struct ovsdb_uuid *, const struct ovsdb_uuid *);
bool ovsdb_uuid_equals(const struct ovsdb_uuid *, const struct ovsdb_uuid *);
bool ovsdb_uuid_is_zero(const struct ovsdb_uuid *);
uint32_t ovsdb_uuid_hash(const struct ovsdb_uuid *);

#endif
