/* sluicectl_generic: ovs-vsctl's generic database commands for sluicectl,
 * on any table of the served schema: show, list, find, get, set, add,
 * remove, clear and destroy, with --columns, --bare, --if-exists and --all
 * (ovs-vsctl(8), "Database Commands").  Values are read and printed in
 * ovs-vsctl's syntax (sluicectl_value.h) with the column types of the
 * server's schema; records are named as ovs-vsctl names them
 * (sluicectl_snap.h).  Reading commands run one select per table; each
 * modifying command is one transaction (plus the next_cfg increment and
 * the wait for cur_cfg of sluicectl_rpc.h). */
#ifndef SLUICE_SLUICECTL_GENERIC_H
#define SLUICE_SLUICECTL_GENERIC_H

#include <stdbool.h>

#include "tools/sluicectl_rpc.h"

/* Is 'name' one of the commands below? */
bool sluicectl_generic_has(const char *name);

/* Runs the command argv[0] with its arguments argv[1..].  Returns an exit
 * status: 0 success, 1 connection or protocol failure (or the wait for
 * cur_cfg timed out), 2 the command failed (bad table, column, record or
 * value, or the database refused the transaction).  Prints results on
 * stdout, errors on stderr. */
int sluicectl_generic_run(const struct sluicectl_db_opts *, int argc,
                          char *argv[]);

#endif
