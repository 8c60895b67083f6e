/* builtin: the schemas built into sluiced - today the Open_vSwitch schema
 * (vswitch.ovsschema, embedded at build time) - and creating a database
 * file from one, as sluiced does when its default database file is
 * missing. */
#ifndef SLUICE_OVSDB_BUILTIN_H
#define SLUICE_OVSDB_BUILTIN_H

/* The text of ovsdb/vswitch.ovsschema. */
const char *ovsdb_builtin_vswitch_schema(void);

/* Creates the database file 'path' (which must not exist) holding the
 * built-in Open_vSwitch schema and no data.  Returns 0, or a negative
 * errno with a message in '*errp' (free() it). */
int ovsdb_builtin_create_vswitch(const char *path, char **errp);

#endif
