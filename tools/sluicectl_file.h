/* sluicectl_file: sluicectl's offline commands on database files (the
 * standalone format of ovsdb(5), read and written with ovsdb/log), the
 * counterparts of ovsdb-tool's create, convert, compact and show-log:
 *
 *   db-create FILE [SCHEMA]         new file (default: built-in schema)
 *   db-convert FILE SCHEMA [TARGET] same data under another schema
 *   db-compact FILE [TARGET]        the data as one snapshot record
 *   db-show-log FILE                one line per record
 *   db-check FILE                   every checksum, every transaction
 *
 * Commands that rewrite FILE take its lock (the one ovsdb-server, sluiced
 * and ovsdb-tool take) and refuse while a daemon holds it.  A file whose
 * records do not all read back and apply is never rewritten, and a
 * conversion whose data violates the new schema leaves FILE untouched.
 * Rewrites are atomic (temporary file, fsync, rename). */
#ifndef SLUICE_SLUICECTL_FILE_H
#define SLUICE_SLUICECTL_FILE_H

/* Runs argv[0] (one of the commands above) with its arguments.  Returns an
 * exit status: 0 success, 1 usage, 2 the command failed (message on
 * stderr). */
int sluicectl_file_run(int argc, char *argv[]);

#endif
