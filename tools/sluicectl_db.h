/* sluicectl_db: sluicectl's OVSDB client for the Open_vSwitch database.
 *
 * Owns the bridge and port commands (list-br, add-br, del-br, list-ports,
 * add-port, del-port): each is one or two JSON-RPC "transact" exchanges
 * with the database server (sluicectl_rpc.h), creating the same rows
 * ovs-vsctl creates and failing with its messages; the modifying ones wait
 * for the switch to apply the change unless --no-wait. */
#ifndef SLUICE_SLUICECTL_DB_H
#define SLUICE_SLUICECTL_DB_H

#include "tools/sluicectl_rpc.h"

/* Runs the database command argv[0] with its arguments argv[1..].
 * Returns an exit status: 0 success, 1 connection or protocol failure,
 * 2 the command failed (no such bridge, already exists, the database
 * refused the transaction).  Prints results on stdout, errors on
 * stderr. */
int sluicectl_db_run(const struct sluicectl_db_opts *, int argc,
                     char *argv[]);

#endif
