/* ovsdb_managers: serves OVSDB on the remotes that the Open_vSwitch
 * database names, as Open vSwitch does with ovsdb-server
 * --remote=db:Open_vSwitch,Open_vSwitch,manager_options.  Each Manager
 * row referenced by Open_vSwitch.manager_options opens its target -
 * passive (ptcp:PORT[:IP], punix:PATH, pssl:PORT[:IP]: listen) or active
 * (tcp:IP:PORT, unix:PATH, ssl:IP:PORT: connect out and reconnect, backing
 * off up to Manager.max_backoff) - with Manager.inactivity_probe (default
 * 5 s; none for unix sockets), when the row appears; the remote is closed
 * (with its sessions) when the row goes or stops being referenced, and
 * reopened when its target, probe or backoff changes.  Manager.is_connected
 * and Manager.status (state, last_error, n_connections and bound_port for
 * passive targets) are written back by local transactions when they
 * change.  ssl: and pssl: targets use the TLS files of the SSL row that
 * Open_vSwitch.ssl references (private_key, certificate, ca_cert), as
 * ovsdb-server's --private-key=db:Open_vSwitch,SSL,private_key and its
 * kin do, applied live (those targets are opened again); without such a
 * row, the command line's.  With SSL.bootstrap_ca_cert true and no file at
 * ca_cert yet, the first ssl: connection out takes the peer's CA
 * certificate and saves it there (stream_ssl.h, "CA bootstrap").  The SSL
 * row's context is offered to others (ovsdb_managers_on_ssl()).  Idle if
 * no database named Open_vSwitch is served.
 *
 * Owns: the remotes it opened (through ovsdb_server_open_remote()), the
 * TLS context made from the SSL row, its
 * commit callback on the Open_vSwitch database, and the loop timers that
 * run its work outside commit callbacks (which must not transact). */
#ifndef SLUICE_OVSDB_MANAGERS_H
#define SLUICE_OVSDB_MANAGERS_H

struct loop;
struct ovsdb_managers;
struct ovsdb_server;
struct stream_ssl_ctx;

/* Returns NULL (and does nothing) if 'srv' serves no Open_vSwitch
 * database or memory is short.  'ssl' (may be NULL) is for ssl:/pssl:
 * targets and must outlive the module. */
struct ovsdb_managers *ovsdb_managers_create(struct ovsdb_server *,
                                             struct loop *,
                                             struct stream_ssl_ctx *ssl);
/* The TLS context made from the SSL row, for others that serve ssl: and
 * pssl: targets (the bridges' controllers): 'cb' gets it now and again,
 * from the loop, each time it changes (NULL: no row with all three files
 * that load), before the previous one is destroyed - so 'cb' must stop
 * using the old one before it returns.  One callback. */
void ovsdb_managers_on_ssl(struct ovsdb_managers *,
                           void (*cb)(struct stream_ssl_ctx *, void *aux),
                           void *aux);
/* Closes the remotes it opened. */
void ovsdb_managers_destroy(struct ovsdb_managers *);

#endif
