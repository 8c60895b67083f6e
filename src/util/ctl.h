/* ctl: the control socket server (RUN_DIR/sluiced.<pid>.ctl).
 * Speaks the JSON-RPC that ovs-appctl speaks: {"method": NAME,
 * "params": [strings], "id": ID} in, {"result": STRING, "error": null,
 * "id": ID} or {"result": null, "error": STRING, "id": ID} out, objects
 * back to back with no delimiter.  Owns the command registry and the
 * mapping of requests to commands; the listener and its sessions are the
 * connection layer's (stream_rpc.h: bounded buffers, back-pressure, slow
 * peers dropped), with the listener allowed the descriptors kept in
 * reserve so operators get in when clients took all others.  Runs in the
 * control thread's loop; a client that sends garbage is disconnected, the
 * others carry on. */
#ifndef SLUICE_CTL_H
#define SLUICE_CTL_H

#include <stdbool.h>
#include <stddef.h>

struct dstr;
struct loop;

/* Handles one command.  argv[0] is the command name, argv[1..argc-1] its
 * arguments (already checked against min_args/max_args).  Writes the reply
 * text to 'reply' and returns 0, or writes an error message to 'reply' and
 * returns nonzero.  Replies should end with a newline, as OVS's do. */
typedef int ctl_handler(int argc, const char *argv[], struct dstr *reply,
                        void *aux);

/* Registers 'name'.  'usage' is shown by list-commands (may be "").
 * max_args < 0 means unlimited.  Re-registering a name replaces it. */
void ctl_register(const char *name, const char *usage, int min_args,
                  int max_args, ctl_handler *, void *aux);
void ctl_unregister_all(void);

/* Runs a command as if it came over the socket (also used by tests).
 * Returns the handler's return value; unknown commands and bad argument
 * counts return nonzero with an error message in 'reply'. */
int ctl_dispatch(int argc, const char *argv[], struct dstr *reply);

/* Listens on the unix socket 'path' (removed first if it exists; mode
 * 0600).  Registers the built-in commands "list-commands" and "version".
 * Returns 0 or a negative errno. */
int ctl_server_start(struct loop *, const char *path);
/* Closes all connections (after flushing what they can take without
 * blocking) and the listening socket, and unlinks the path.  Call it before
 * loop_destroy().  May be called from a command handler: the teardown then
 * happens once the handler's reply has been sent. */
void ctl_server_stop(void);

/* Version string reported by "version". */
void ctl_set_version(const char *);

/* Limits for connections accepted from now on (0: default).  'max_msg'
 * bounds one request (default 1 MiB; a client that sends more is
 * disconnected).  While replies wait for a client to read them, no more
 * requests are read from it (those already received are answered);
 * 'max_backlog' bounds those queued replies (default 4 MiB; exceeding it
 * disconnects the client, but a single reply of any size is always sent). */
void ctl_set_limits(size_t max_msg, size_t max_backlog);

/* Number of open client connections (for tests and diagnostics). */
size_t ctl_server_n_connections(void);

#endif
