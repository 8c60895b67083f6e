/* sluicectl_generic: ovs-vsctl's generic database commands for sluicectl,
 * on any table of the served schema: show, list, find, get, set, add,
 * remove, clear, destroy, create and wait-until, with --columns, --bare,
 * --if-exists, --all and --id=@NAME (ovs-vsctl(8), "Database Commands").
 * Values are read and printed in ovs-vsctl's syntax (sluicectl_value.h)
 * with the column types of the server's schema; records are named as
 * ovs-vsctl names them (sluicectl_snap.h).  The commands read and change
 * the line's snapshot (sluicectl_cmd.h runs them). */
#ifndef SLUICE_SLUICECTL_GENERIC_H
#define SLUICE_SLUICECTL_GENERIC_H

#include <stddef.h>

#include "tools/sluicectl_cmd.h"

extern const struct sctl_cmd_spec sluicectl_generic_commands[];
extern const size_t sluicectl_generic_n_commands;

#endif
