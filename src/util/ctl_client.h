/* ctl_client: a blocking client for the control socket, used by sluicectl
 * and sluice-bench (and usable against any ovs-appctl-style target).
 * A target is a socket path (contains '/'), or a daemon name such as
 * "sluiced" resolved as ovs-appctl does: RUN_DIR/NAME.pid gives the pid,
 * RUN_DIR/NAME.<pid>.ctl the socket. */
#ifndef SLUICE_CTL_CLIENT_H
#define SLUICE_CTL_CLIENT_H

struct ctl_client;

/* Resolves 'target' against 'run_dir' (NULL: $OVS_RUNDIR, else
 * /run/sluice) into a socket path.  Returns a malloc'd path or NULL with
 * a message in *err (malloc'd). */
char *ctl_client_resolve(const char *target, const char *run_dir,
                         char **err);

/* Connects to the socket at 'path'.  Returns 0 or a negative errno. */
int ctl_client_open(const char *path, struct ctl_client **);
void ctl_client_close(struct ctl_client *);

/* Calls 'method' with string arguments and waits at most 'timeout_ms'
 * (<= 0: forever).  On success returns 0 and sets exactly one of *result
 * (the command succeeded) or *error (the command failed), malloc'd.
 * Returns a negative errno on transport failure (*result and *error NULL). */
int ctl_client_call(struct ctl_client *, const char *method, int argc,
                    const char *argv[], int timeout_ms, char **result,
                    char **error);

#endif
