/* sluicectl_db: sluicectl's bridge and port commands on the Open_vSwitch
 * database: list-br, add-br (--may-exist), del-br (--if-exists),
 * list-ports, add-port (--may-exist, COLUMN[:KEY]=VALUE for the port),
 * del-port [BRIDGE] PORT (--if-exists).  They read and change the line's
 * snapshot (sluicectl_cmd.h runs them), creating and deleting the same
 * rows ovs-vsctl does and failing with its messages. */
#ifndef SLUICE_SLUICECTL_DB_H
#define SLUICE_SLUICECTL_DB_H

#include <stddef.h>

#include "tools/sluicectl_cmd.h"

extern const struct sctl_cmd_spec sluicectl_db_commands[];
extern const size_t sluicectl_db_n_commands;

#endif
