/* ovsdb_ctl: the control-socket commands of the OVSDB server, named as in
 * Open vSwitch's ovsdb-server(1) where the meaning is the same:
 *   ovsdb-server/compact [DB]     start compacting DB (default: all) now
 *   ovsdb-server/set-compact-policy FACTOR MIN-BYTES   (Sluice's own)
 *                                 compact automatically once the journal
 *                                 has grown FACTOR times and past
 *                                 MIN-BYTES
 * Owns nothing but the registration; the server does the work. */
#ifndef SLUICE_OVSDB_CTL_H
#define SLUICE_OVSDB_CTL_H

struct ovsdb_server;

void ovsdb_ctl_register(struct ovsdb_server *);

#endif
