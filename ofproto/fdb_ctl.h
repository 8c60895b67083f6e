/* fdb_ctl: the control commands of NORMAL's MAC learning tables, with
 * Open vSwitch's names, arguments, output and errors ("no such
 * bridge"): fdb/show BRIDGE, fdb/flush [BRIDGE], fdb/stats-show BRIDGE,
 * fdb/stats-clear [BRIDGE]. */
#ifndef SLUICE_FDB_CTL_H
#define SLUICE_FDB_CTL_H

void fdb_ctl_register(void);

#endif
