/* ovsdb_ctl: the control-socket commands of the OVSDB server, named as in
 * Open vSwitch's ovsdb-server(1) where the meaning is the same:
 *   ovsdb-server/compact [DB]     start compacting DB (default: all) now
 *   ovsdb-server/set-compact-policy FACTOR MIN-BYTES   (Sluice's own)
 *                                 compact automatically once the journal
 *                                 has grown FACTOR times and past
 *                                 MIN-BYTES
 *   ovsdb-server/add-remote REMOTE    serve (or connect to) REMOTE too
 *   ovsdb-server/remove-remote REMOTE stop it, closing its sessions
 *   ovsdb-server/list-remotes         the remotes, sorted
 *   ovsdb-server/reconnect            drop every session of these remotes
 *                                     and open them again
 *   ovsdb-server/list-dbs             the databases, then _Server
 * It owns the remotes given on the command line and added here (not those
 * of Manager rows, src/ovsdb_managers.c); a REMOTE that cannot be opened
 * is an error (ovsdb-server accepts it and logs later). */
#ifndef SLUICE_OVSDB_CTL_H
#define SLUICE_OVSDB_CTL_H

#include <stddef.h>

struct ovsdb_server;
struct stream_ssl_ctx;

/* Registers the commands; 'ssl' (may be NULL) serves ssl: and pssl:. */
void ovsdb_ctl_register(struct ovsdb_server *, struct stream_ssl_ctx *ssl);
/* Opens remote 'name' as the command-line options ask (before or after
 * registering).  Returns 0 or a negative errno with a message in 'err'. */
int ovsdb_ctl_add_remote(struct ovsdb_server *, struct stream_ssl_ctx *ssl,
                         const char *name, char *err, size_t err_size);
/* Closes every remote it opened. */
void ovsdb_ctl_close_remotes(void);

#endif
