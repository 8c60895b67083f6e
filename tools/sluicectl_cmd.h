/* sluicectl_cmd: ovs-vsctl's command lines for sluicectl's database
 * commands.
 *
 * Owns the parsing of "CMD ARGS -- [OPTIONS] CMD ARGS -- ...": the
 * command table (arguments, the per-command options each accepts:
 * --if-exists, --may-exist, --id=@NAME, --all, --columns=, --bare), and
 * the run of a whole line: every command, in order, against one snapshot
 * of the database (sluicectl_snap.h) whose changes become one transaction
 * (sluicectl_txn.h), all or nothing; "@NAME" row references between
 * commands; a rerun on fresh data when another client changed what the
 * transaction checks; "wait-until" (a command that asks to run again once
 * the database changes: sluicectl monitors the tables it read and reruns
 * the line at the next update, within --timeout).  The outputs of the
 * commands are printed in order once the transaction has committed. */
#ifndef SLUICE_SLUICECTL_CMD_H
#define SLUICE_SLUICECTL_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "ovsdb/datum.h"
#include "src/util/dstr.h"
#include "tools/sluicectl_rpc.h"
#include "tools/sluicectl_snap.h"
#include "tools/sluicectl_txn.h"

/* A command's status besides 0 and SCTL_EXIT_CMD_ERROR: run the line
 * again once the database has changed (wait-until). */
#define SCTL_TRY_AGAIN (-1)

/* Options given to one command. */
struct sctl_cmd_opts {
    bool if_exists;             /* --if-exists */
    bool may_exist;             /* --may-exist */
    bool all;                   /* --all */
    bool bare;                  /* --bare */
    const char *id;             /* --id=@NAME, or NULL. */
    const char *columns;        /* --columns=COL,..., or NULL. */
};

/* What a command works with. */
struct sctl_cmd_ctx {
    struct sctl_cmd_opts opt;
    int argc;                   /* argv[0] is the command's name. */
    char **argv;
    struct sctl_conn *c;
    struct sctl_snap *s;        /* The data, as changed so far. */
    struct sctl_txn *txn;       /* The changes. */
    struct ovsdb_symtab *symtab;    /* "@NAME" rows. */
    struct dstr *out;           /* The command's output. */
    int *n_lists;               /* Tables list/find printed so far on the
                                 * line (a blank line between them). */
};

struct sctl_cmd_spec {
    const char *name;
    const char *args;           /* Usage of the arguments, for --help. */
    int min_args;
    int max_args;               /* < 0: unlimited. */
    const char *options;        /* Accepted, e.g. "--if-exists,--id=". */
    int (*run)(struct sctl_cmd_ctx *);  /* 0, SCTL_EXIT_CMD_ERROR (after
                                         * printing why) or
                                         * SCTL_TRY_AGAIN. */
    const char *help;
};

/* Is 'args' (after the global options) a database command line: starts
 * with a database command or a per-command option? */
bool sluicectl_cmd_claims(int argc, char *argv[]);

/* Runs the command line 'argv' (after the global options; 'o' holds
 * those: --if-exists, --may-exist, --id, --all and --columns apply to the
 * first command,
 * --bare to all).  Returns an exit status: 0 success, 1 usage, connection
 * or protocol failure, or a timeout, 2 a command failed or the database
 * refused the transaction (nothing changed then). */
int sluicectl_cmd_run(const struct sluicectl_db_opts *o, int argc,
                      char *argv[]);

/* Prints the database commands for --help. */
void sluicectl_cmd_usage(FILE *);

/* Binds "--id=@NAME" of the current command to 'uuid' (a new row's or an
 * existing one's).  Returns 0, or SCTL_EXIT_CMD_ERROR after printing why
 * (bad name, already bound or used before). */
int sctl_cmd_bind_id(struct sctl_cmd_ctx *, const struct ovsdb_uuid *uuid);

/* The UUID a "--id=@NAME create" row will have (a symbol's if NAME was
 * used before), in '*uuid'.  Returns 0 or SCTL_EXIT_CMD_ERROR. */
int sctl_cmd_new_id(struct sctl_cmd_ctx *, struct ovsdb_uuid *uuid);

#endif
