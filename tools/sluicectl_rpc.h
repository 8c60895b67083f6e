/* sluicectl_rpc: sluicectl's blocking OVSDB JSON-RPC connection (which
 * sluice-bench --openflow uses too).
 *
 * Owns one unix-socket connection to a database server: requests and
 * their replies (answering the server's echo probes meanwhile), "transact"
 * with readable errors, the overall --timeout deadline, and waiting for
 * the switch to apply a change as ovs-vsctl does (each modifying
 * transaction also increments Open_vSwitch:next_cfg; then sluicectl
 * monitors Open_vSwitch:cur_cfg until it catches up).  Also the options
 * that every database command shares. */
#ifndef SLUICE_SLUICECTL_RPC_H
#define SLUICE_SLUICECTL_RPC_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "src/util/jsonrpc.h"

#define SCTL_EXIT_CMD_ERROR 2

/* Options of the database commands (from sluicectl's command line). */
struct sluicectl_db_opts {
    const char *db;         /* "unix:PATH" or NULL: RUN_DIR/db.sock. */
    const char *run_dir;    /* NULL: $OVS_RUNDIR, else /run/sluice. */
    int timeout_s;          /* 0: wait forever. */
    bool no_wait;           /* Do not wait for cur_cfg (--no-wait). */
    bool if_exists;         /* --if-exists. */
    bool may_exist;         /* --may-exist. */
    const char *id;         /* --id=@NAME or NULL. */
    bool all;               /* --all (destroy). */
    bool bare;              /* --bare (list, find). */
    const char *columns;    /* --columns=COL[,COL...] or NULL. */
    const char *comment;    /* Journal comment for modifying commands. */
};

struct sctl_conn {
    int fd;
    json_int_t next_id;
    uint64_t deadline;          /* 0: none. */
    int timeout_s;
    char *name;                 /* "unix:PATH", for messages. */
    const char *db_name;        /* Database the commands work on. */
    bool wait_cfg;              /* Bump next_cfg and wait for cur_cfg. */
    const char *comment;
    unsigned long n_notify;     /* Notifications received so far. */
    struct jsonrpc_rx rx;
    struct jsonrpc_tx tx;
};

/* Prints "sluicectl: MESSAGE" on stderr ("NAME: " once
 * sctl_set_program() named another program: sluice-bench uses these
 * functions too). */
void sctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sctl_set_program(const char *name);

/* Connects to the server named by 'o'.  Returns 0 or a negative errno
 * (message printed).  sctl_close() is needed either way.  The database is
 * "Open_vSwitch"; waiting for cur_cfg is on unless o->no_wait. */
int sctl_connect(const struct sluicectl_db_opts *o, struct sctl_conn *);
void sctl_close(struct sctl_conn *);

/* Calls 'method' with 'params' (stolen) and waits for the reply.
 * Returns 0 with a new reference in '*result', or a negative errno after
 * printing why. */
int sctl_call(struct sctl_conn *, const char *method, json_t *params,
              json_t **result);

/* Runs 'ops' (an array, stolen) as one transaction on c->db_name.
 * Returns 0 with the array of results in '*result', -EPROTO after a
 * transport failure, or -ECANCELED after the database refused it
 * ("sluicectl: transaction error: ..." printed). */
int sctl_transact(struct sctl_conn *, json_t *ops, json_t **result);

/* The exit status for an error of sctl_transact() or sctl_commit(). */
static inline int
sctl_status(int err)
{
    return !err ? 0 : err == -ECANCELED ? SCTL_EXIT_CMD_ERROR : 1;
}

/* For commands that modify the database: sctl_transact() plus, unless
 * waiting is off, the increment of Open_vSwitch:next_cfg in the same
 * transaction, then the wait until Open_vSwitch:cur_cfg reaches it.
 * Also adds the journal comment.  '*result' (may be NULL) receives the
 * results of 'ops' only.  Returns 0, -EPROTO, -ECANCELED or -ETIMEDOUT
 * (the change committed but was not applied in time; message printed). */
int sctl_commit(struct sctl_conn *, json_t *ops, json_t **result);

/* Like sctl_commit(), for a transaction whose first 'n_verify' operations
 * check that what the commands read has not changed ("wait" operations
 * with timeout 0): if one of them fails, returns -EAGAIN without printing
 * anything (the caller reruns its commands on fresh data). */
int sctl_commit_verified(struct sctl_conn *, json_t *ops, size_t n_verify,
                         json_t **result);

/* Waits for the next notification from the server (any monitor's
 * "update"), counting it in c->n_notify.  Returns 0 or a negative errno
 * (-ETIMEDOUT at the deadline; message printed). */
int sctl_wait_notify(struct sctl_conn *);

/* Picks the database to work on: "Open_vSwitch" if the server has it,
 * else the first one that is not "_Server".  Returns 0 or a negative
 * errno (message printed). */
int sctl_choose_db(struct sctl_conn *);

#endif
