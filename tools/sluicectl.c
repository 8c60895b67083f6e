/* sluicectl: the command-line client of sluiced.
 *
 * A word that names a local subcommand (table below) runs it; any other
 * word (daemon commands such as "version" and everything with a '/', such
 * as "dpctl/show") is sent as is to the daemon's control socket, as
 * ovs-appctl would send it.  "sluicectl ctl COMMAND ..." forces the
 * control-socket form when a local subcommand has the same name.
 * The bridge and port commands (list-br, add-br, ...) talk to the OVSDB
 * server (sluicectl_db.h), and so do the generic database commands (show,
 * list, get, set, ...: sluicectl_generic.h); the db-* commands work on
 * database files directly (sluicectl_file.h); the OpenFlow commands
 * (add-flow, dump-flows, show BRIDGE, ...) talk to a bridge's management
 * socket (sluicectl_flows.h).
 *
 * Exit status: 0 success, 1 usage or transport failure (or the wait for
 * the switch timed out), 2 the daemon answered with an error (or a
 * database command failed, or the switch refused an OpenFlow request). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice_config.h"
#include "src/util/ctl_client.h"
#include "src/util/dstr.h"
#include "src/util/scan.h"
#include "tools/sluicectl_cmd.h"
#include "tools/sluicectl_file.h"
#include "tools/sluicectl_flows.h"
#include "tools/sluicectl_monitor.h"

#define EXIT_CMD_ERROR 2

struct ctx {
    const char *run_dir;        /* NULL: $OVS_RUNDIR, else /run/sluice. */
    const char *target;         /* Daemon name or socket path. */
    int timeout_s;              /* 0: wait forever. */
    const char *db;             /* NULL: unix:RUN_DIR/db.sock. */
    struct sluicectl_db_opts dbo;   /* Database options (--no-wait...). */
    bool strict;                /* --strict (mod-flows, del-flows). */
};

/* Runs a local subcommand; argv[0] is its name.  Returns an exit status. */
typedef int subcommand_fn(struct ctx *, int argc, char *argv[]);

struct subcommand {
    const char *name;
    const char *args;           /* Usage of the arguments, for --help. */
    int min_args;
    int max_args;               /* < 0: unlimited. */
    subcommand_fn *run;
    const char *help;
};

static int cmd_ctl(struct ctx *, int argc, char *argv[]);
static int cmd_help(struct ctx *, int argc, char *argv[]);
static int cmd_file(struct ctx *, int argc, char *argv[]);
static int cmd_flows(struct ctx *, int argc, char *argv[]);

static const struct subcommand subcommands[] = {
    { "ctl", "COMMAND [ARG...]", 1, -1, cmd_ctl,
      "send COMMAND to the daemon's control socket" },
    { "help", "", 0, 0, cmd_help, "print this help" },
    { "show", "BRIDGE", 1, 1, cmd_flows,
      "the switch BRIDGE, over OpenFlow" },
    { "db-create", "FILE [SCHEMA]", 1, 2, cmd_file,
      "new database file (default: built-in schema)" },
    { "db-convert", "FILE SCHEMA [TARGET]", 2, 3, cmd_file,
      "convert a database file, keeping the data" },
    { "db-compact", "FILE [TARGET]", 1, 2, cmd_file,
      "rewrite a database file as one snapshot" },
    { "db-show-log", "FILE", 1, 1, cmd_file,
      "print a database file's records, one a line" },
    { "db-check", "FILE", 1, 1, cmd_file,
      "verify every record of a database file" },
    { "add-flow", "BRIDGE FLOW", 2, 2, cmd_flows, "add a flow to BRIDGE" },
    { "add-flows", "BRIDGE FILE", 2, 2, cmd_flows,
      "add the flows of FILE (- for stdin), one a line" },
    { "mod-flows", "BRIDGE FLOW", 2, 2, cmd_flows,
      "change the matching flows' actions (--strict)" },
    { "del-flows", "BRIDGE [FLOW]", 1, 2, cmd_flows,
      "delete the flows that match (all; --strict)" },
    { "dump-flows", "BRIDGE [FLOW]", 1, 2, cmd_flows,
      "print the flows that match (all)" },
    { "dump-ports", "BRIDGE [PORT]", 1, 2, cmd_flows,
      "print port statistics" },
    { "dump-tables", "BRIDGE", 1, 1, cmd_flows, "print table statistics" },
    { "monitor", "BRIDGE [MISS-LEN]", 1, 2, cmd_flows,
      "print the switch's packet-ins, port status, flow removals" },
    { "snoop", "BRIDGE", 1, 1, cmd_flows,
      "print the messages between BRIDGE and its controllers" },
    { "packet-out", "BRIDGE \"in_port=P packet=HEX actions=A\"", 2, 2,
      cmd_flows, "send a packet through the switch" },
};
#define N_SUBCOMMANDS (sizeof subcommands / sizeof subcommands[0])

static void
usage(void)
{
    printf("sluicectl: Sluice command-line client\n"
           "usage: sluicectl [OPTIONS] COMMAND [ARG...]\n"
           "       sluicectl [OPTIONS] DBCOMMAND [ARG...] [-- [OPTIONS] "
           "DBCOMMAND [ARG...]]...\n"
           "\n"
           "Database commands (several joined by \"--\" run as one "
           "transaction, all or\nnothing; per-command options go after "
           "the \"--\"):\n");
    sluicectl_cmd_usage(stdout);
    printf("\nOther local commands:\n");
    for (size_t i = 0; i < N_SUBCOMMANDS; i++) {
        const struct subcommand *s = &subcommands[i];
        char left[80];
        snprintf(left, sizeof left, "%s %s", s->name, s->args);
        if (strlen(left) >= 28) {
            printf("  %s\n  %-28s %s\n", left, "", s->help);
        } else {
            printf("  %-28s %s\n", left, s->help);
        }
    }
    printf("\n"
           "Commands that change the database wait until the switch has "
           "applied the\nchange (unless --no-wait); the db-* commands "
           "work on files, offline.\n"
           "The flow commands speak OpenFlow 1.3 to RUN_DIR/BRIDGE.mgmt "
           "(BRIDGE may also be\nunix:PATH), in ovs-ofctl's flow syntax "
           "and with its output.\n"
           "\n"
           "Any other COMMAND (e.g. version, list-commands, exit, dpctl/show,\n"
           "vlog/set SPEC) is sent to the daemon's control socket; run\n"
           "`sluicectl list-commands` for the daemon's list.\n"
           "\n"
           "Options:\n"
           "  --run-dir DIR        run directory (default: $OVS_RUNDIR, "
           "else /run/sluice)\n"
           "  -t, --target TARGET  daemon name (resolved through "
           "RUN_DIR/TARGET.pid)\n"
           "                       or control socket path (default: "
           "sluiced)\n"
           "  -T, --timeout SECS   give up after SECS seconds (default: "
           "wait forever)\n"
           "  --db unix:PATH       database server for the database "
           "commands\n"
           "                       (default: unix:RUN_DIR/db.sock)\n"
           "  --no-wait            do not wait for the switch to apply a "
           "database change\n"
           "                       (Open_vSwitch cur_cfg reaching next_cfg); "
           "-T bounds\n"
           "                       the wait\n"
           "  --if-exists          get, set, add, remove, clear, destroy, "
           "list, del-br,\n"
           "                       del-port: a missing record is not an "
           "error\n"
           "  --may-exist          add-br, add-port: an existing one is "
           "not an error\n"
           "  --id=@NAME           create: later commands refer to the new "
           "row as @NAME;\n"
           "                       get: name the record @NAME\n"
           "  --columns=COL,...    list, find: print only these columns\n"
           "  --bare               list, find: values only, no names or "
           "quotes\n"
           "  --all                destroy: every record of the table\n"
           "  --strict             mod-flows, del-flows: match priority "
           "and fields exactly\n"
           "  -h, --help           print this help and exit\n"
           "  -V, --version        print the version and exit\n"
           "\n"
           "Exit status: 0 success, 1 usage or connection failure (or "
           "the wait for the\nswitch timed out), 2 the daemon or the "
           "database returned an error.\n");
}

/* Sends 'argv[0]' with arguments argv[1..] to the control socket. */
static int
run_ctl(struct ctx *ctx, int argc, char *argv[])
{
    char *err = NULL;
    char *path = ctl_client_resolve(ctx->target, ctx->run_dir, &err);
    if (!path) {
        fprintf(stderr, "sluicectl: %s\n", err);
        free(err);
        return EXIT_FAILURE;
    }

    struct ctl_client *client;
    int error = ctl_client_open(path, &client);
    if (error) {
        fprintf(stderr, "sluicectl: cannot connect to %s: %s\n", path,
                strerror(-error));
        free(path);
        return EXIT_FAILURE;
    }

    char *result, *cmd_error;
    error = ctl_client_call(client, argv[0], argc - 1,
                            (const char **) argv + 1, ctx->timeout_s * 1000,
                            &result, &cmd_error);
    ctl_client_close(client);
    if (error == -ETIMEDOUT) {
        fprintf(stderr, "sluicectl: %s: no reply within %d s\n", path,
                ctx->timeout_s);
    } else if (error) {
        fprintf(stderr, "sluicectl: %s: transaction error: %s\n", path,
                strerror(-error));
    }
    free(path);
    if (error) {
        return EXIT_FAILURE;
    }

    if (cmd_error) {
        size_t n = strlen(cmd_error);
        fputs(cmd_error, stderr);
        if (!n || cmd_error[n - 1] != '\n') {
            fputc('\n', stderr);
        }
        free(cmd_error);
        return EXIT_CMD_ERROR;
    }
    fputs(result, stdout);
    free(result);
    return fflush(stdout) ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int
cmd_ctl(struct ctx *ctx, int argc, char *argv[])
{
    return run_ctl(ctx, argc - 1, argv + 1);
}

/* "sluicectl: ARGS" for the journal records the command writes. */
static char *
make_comment(int argc, char *argv[])
{
    struct dstr s = DSTR_INIT;
    dstr_put(&s, "sluicectl:");
    for (int i = 0; i < argc; i++) {
        dstr_printf(&s, " %s", argv[i]);
    }
    return dstr_steal(&s);
}

/* A line of database commands. */
static int
run_db(struct ctx *ctx, int argc, char *argv[])
{
    struct sluicectl_db_opts o = ctx->dbo;
    o.db = ctx->db;
    o.run_dir = ctx->run_dir;
    o.timeout_s = ctx->timeout_s;
    char *comment = make_comment(argc, argv);
    o.comment = comment;
    int status = sluicectl_cmd_run(&o, argc, argv);
    free(comment);
    return status;
}

static int
cmd_file(struct ctx *ctx, int argc, char *argv[])
{
    (void) ctx;
    return sluicectl_file_run(argc, argv);
}

static int
cmd_flows(struct ctx *ctx, int argc, char *argv[])
{
    struct sluicectl_flows_opts o = {
        .run_dir = ctx->run_dir, .timeout_s = ctx->timeout_s,
        .strict = ctx->strict,
    };
    return sluicectl_monitor_has(argv[0])
           ? sluicectl_monitor_run(&o, argc, argv)
           : sluicectl_flows_run(&o, argc, argv);
}

static int
cmd_help(struct ctx *ctx, int argc, char *argv[])
{
    (void) ctx;
    (void) argc;
    (void) argv;
    usage();
    return EXIT_SUCCESS;
}

static const struct subcommand *
find_subcommand(const char *name)
{
    if (strchr(name, '/')) {
        return NULL;                /* Always a daemon command. */
    }
    for (size_t i = 0; i < N_SUBCOMMANDS; i++) {
        if (!strcmp(subcommands[i].name, name)) {
            return &subcommands[i];
        }
    }
    return NULL;
}

static int
parse_timeout(const char *s)
{
    uint64_t v;
    if (scan_uint(s, 10, INT_MAX / 1000, &v)) {
        fprintf(stderr, "sluicectl: invalid --timeout \"%s\" (want seconds)\n",
                s);
        exit(EXIT_FAILURE);
    }
    return (int) v;
}

int
main(int argc, char *argv[])
{
    enum {
        OPT_RUN_DIR = UCHAR_MAX + 1, OPT_DB, OPT_NO_WAIT, OPT_IF_EXISTS,
        OPT_COLUMNS, OPT_BARE, OPT_ALL, OPT_STRICT, OPT_MAY_EXIST, OPT_ID,
    };
    static const struct option long_options[] = {
        { "run-dir", required_argument, NULL, OPT_RUN_DIR },
        { "db", required_argument, NULL, OPT_DB },
        { "no-wait", no_argument, NULL, OPT_NO_WAIT },
        { "if-exists", no_argument, NULL, OPT_IF_EXISTS },
        { "may-exist", no_argument, NULL, OPT_MAY_EXIST },
        { "id", required_argument, NULL, OPT_ID },
        { "columns", required_argument, NULL, OPT_COLUMNS },
        { "bare", no_argument, NULL, OPT_BARE },
        { "all", no_argument, NULL, OPT_ALL },
        { "strict", no_argument, NULL, OPT_STRICT },
        { "target", required_argument, NULL, 't' },
        { "timeout", required_argument, NULL, 'T' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    struct ctx ctx = { .target = "sluiced" };

    for (;;) {
        /* '+': stop at the command, so its arguments may start with '-'. */
        int c = getopt_long(argc, argv, "+t:T:hV", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_RUN_DIR:
            ctx.run_dir = optarg;
            break;
        case OPT_DB:
            ctx.db = optarg;
            break;
        case OPT_NO_WAIT:
            ctx.dbo.no_wait = true;
            break;
        case OPT_IF_EXISTS:
            ctx.dbo.if_exists = true;
            break;
        case OPT_MAY_EXIST:
            ctx.dbo.may_exist = true;
            break;
        case OPT_ID:
            ctx.dbo.id = optarg;
            break;
        case OPT_COLUMNS:
            ctx.dbo.columns = optarg;
            break;
        case OPT_BARE:
            ctx.dbo.bare = true;
            break;
        case OPT_ALL:
            ctx.dbo.all = true;
            break;
        case OPT_STRICT:
            ctx.strict = true;
            break;
        case 't':
            ctx.target = optarg;
            break;
        case 'T':
            ctx.timeout_s = parse_timeout(optarg);
            break;
        case 'h':
            usage();
            return EXIT_SUCCESS;
        case 'V':
            printf("sluicectl (Sluice) %s\n", SLUICE_VERSION);
            return EXIT_SUCCESS;
        default:
            fprintf(stderr, "Try `sluicectl --help' for more "
                    "information.\n");
            return EXIT_FAILURE;
        }
    }

    if (optind >= argc) {
        fprintf(stderr, "sluicectl: missing command (try `sluicectl "
                "--help')\n");
        return EXIT_FAILURE;
    }
    int n = argc - optind;
    char **args = argv + optind;

    /* "show BRIDGE" alone is OpenFlow's; any other database line goes
     * to sluicectl_cmd.h. */
    bool of_show = n == 2 && !strcmp(args[0], "show");
    if (!of_show && sluicectl_cmd_claims(n, args)) {
        return run_db(&ctx, n, args);
    }
    const struct subcommand *s = find_subcommand(args[0]);
    if (!s) {
        return run_ctl(&ctx, n, args);
    }
    if (n - 1 < s->min_args || (s->max_args >= 0 && n - 1 > s->max_args)) {
        fprintf(stderr, "sluicectl: usage: sluicectl %s %s\n", s->name,
                s->args);
        return EXIT_FAILURE;
    }
    return s->run(&ctx, n, args);
}
