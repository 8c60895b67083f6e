/* sluicectl_cmd: database command lines joined by "--". */
#include "tools/sluicectl_cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sluicectl_db.h"
#include "tools/sluicectl_generic.h"
#include "tools/sluicectl_value.h"

#define CMD_ERROR SCTL_EXIT_CMD_ERROR
#define MONITOR_ID "sluicectl-wait"
#define ROOT_TABLE "Open_vSwitch"
#define MAX_CONFLICTS 1000      /* Reruns in a row on changed data. */

/* ---- The command table ------------------------------------------------- */

static const struct sctl_cmd_spec *
find_spec(const char *name)
{
    const struct sctl_cmd_spec *tables[] = {
        sluicectl_db_commands, sluicectl_generic_commands,
    };
    const size_t sizes[] = {
        sluicectl_db_n_commands, sluicectl_generic_n_commands,
    };
    for (size_t t = 0; t < 2; t++) {
        for (size_t i = 0; i < sizes[t]; i++) {
            if (!strcmp(tables[t][i].name, name)) {
                return &tables[t][i];
            }
        }
    }
    return NULL;
}

static void
usage_table(FILE *f, const struct sctl_cmd_spec *specs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct sctl_cmd_spec *s = &specs[i];
        char left[96];
        snprintf(left, sizeof left, "%s %s", s->name, s->args);
        if (strlen(left) >= 28) {
            fprintf(f, "  %s\n  %-28s %s\n", left, "", s->help);
        } else {
            fprintf(f, "  %-28s %s\n", left, s->help);
        }
    }
}

void
sluicectl_cmd_usage(FILE *f)
{
    usage_table(f, sluicectl_db_commands, sluicectl_db_n_commands);
    usage_table(f, sluicectl_generic_commands, sluicectl_generic_n_commands);
}

bool
sluicectl_cmd_claims(int argc, char *argv[])
{
    return argc > 0 && (!strncmp(argv[0], "--", 2) || find_spec(argv[0]));
}

/* ---- Parsing ----------------------------------------------------------- */

struct cmd {
    const struct sctl_cmd_spec *spec;
    struct sctl_cmd_opts opt;
    int argc;
    char **argv;
};

/* Does 'spec' accept option 'name' ("--if-exists"; "--id=" for one that
 * takes a value)? */
static bool
accepts(const struct sctl_cmd_spec *spec, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = spec->options; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t) (end - p) : strlen(p);
        if (n == len && !strncmp(p, name, n)) {
            return true;
        }
        p = end ? end + 1 : p + n;
    }
    return false;
}

/* Applies option 'arg' ("--NAME" or "--NAME=VALUE") to 'c'.  Returns
 * false after printing why not. */
static bool
set_option(struct cmd *c, const char *arg)
{
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t) (eq - arg) + 1 : strlen(arg);
    char *name = strndup(arg, n);
    if (!name) {
        abort();
    }
    bool ok = accepts(c->spec, name);
    if (!ok && eq) {
        name[n - 1] = '\0';
    }
    char with_eq[32];
    snprintf(with_eq, sizeof with_eq, "%s=", name);
    if (!ok && eq && accepts(c->spec, name)) {
        sctl_fail("option '%s' of '%s' takes no value", name,
                  c->spec->name);
    } else if (!ok && !eq && accepts(c->spec, with_eq)) {
        sctl_fail("option '%s' of '%s' needs a value (%s=VALUE)", name,
                  c->spec->name, name);
    } else if (!ok) {
        sctl_fail("'%s' command has no '%s' option", c->spec->name, name);
    } else if (!strcmp(name, "--if-exists")) {
        c->opt.if_exists = true;
    } else if (!strcmp(name, "--may-exist")) {
        c->opt.may_exist = true;
    } else if (!strcmp(name, "--all")) {
        c->opt.all = true;
    } else if (!strcmp(name, "--bare")) {
        c->opt.bare = true;
    } else if (!strcmp(name, "--id=")) {
        c->opt.id = eq + 1;
    } else if (!strcmp(name, "--columns=")) {
        c->opt.columns = eq + 1;
    }
    free(name);
    return ok;
}

/* Splits 'argv' at "--" into 'cmds' (room for argc).  Returns the number
 * of commands, or -1 after printing why. */
static int
parse_commands(const struct sluicectl_db_opts *o, int argc, char *argv[],
               struct cmd *cmds)
{
    int n = 0;
    for (int i = 0; i < argc;) {
        int start = i;
        while (i < argc && strcmp(argv[i], "--")) {
            i++;
        }
        int end = i++;              /* Skip the "--". */
        int first = start;
        while (first < end && !strncmp(argv[first], "--", 2)) {
            first++;
        }
        if (first == end) {
            if (first > start) {
                sctl_fail("missing command name after %s (use --help for "
                          "help)", argv[first - 1]);
                return -1;
            }
            continue;               /* Empty: "a -- -- b" or trailing. */
        }
        struct cmd *c = &cmds[n];
        memset(c, 0, sizeof *c);
        c->spec = find_spec(argv[first]);
        if (!c->spec) {
            sctl_fail("unknown command '%s'; use --help for help",
                      argv[first]);
            return -1;
        }
        c->opt.bare = o->bare;
        if (!n) {
            /* The global --if-exists, --all and --columns go to the first
             * command, which must accept them. */
            const struct { bool on; const char *name; } g[] = {
                { o->if_exists, "--if-exists" }, { o->all, "--all" },
                { o->may_exist, "--may-exist" },
            };
            for (size_t k = 0; k < 3; k++) {
                if (g[k].on && !set_option(c, g[k].name)) {
                    return -1;
                }
            }
            const struct {
                const char *value, *name;
                const char **opt;
            } v[] = {
                { o->id, "--id", &c->opt.id },
                { o->columns, "--columns", &c->opt.columns },
            };
            for (size_t k = 0; k < 2; k++) {
                char with_eq[16];
                snprintf(with_eq, sizeof with_eq, "%s=", v[k].name);
                if (v[k].value && !accepts(c->spec, with_eq)) {
                    sctl_fail("'%s' command has no '%s' option",
                              c->spec->name, v[k].name);
                    return -1;
                }
                if (v[k].value) {
                    *v[k].opt = v[k].value;
                }
            }
        }
        for (int k = start; k < first; k++) {
            if (!set_option(c, argv[k])) {
                return -1;
            }
        }
        c->argc = end - first;
        c->argv = argv + first;
        int n_args = c->argc - 1;
        if (n_args < c->spec->min_args
            || (c->spec->max_args >= 0 && n_args > c->spec->max_args)) {
            sctl_fail("'%s' command takes %s %d argument%s (usage: "
                      "sluicectl %s %s)", c->spec->name,
                      n_args < c->spec->min_args ? "at least" : "at most",
                      n_args < c->spec->min_args ? c->spec->min_args
                                                 : c->spec->max_args,
                      (n_args < c->spec->min_args ? c->spec->min_args
                                                  : c->spec->max_args) == 1
                      ? "" : "s", c->spec->name, c->spec->args);
            return -1;
        }
        if (c->opt.id && c->opt.if_exists) {
            sctl_fail("--if-exists and --id may not be specified together");
            return -1;
        }
        n++;
    }
    if (!n) {
        sctl_fail("missing command name (use --help for help)");
    }
    return n ? n : -1;
}

/* ---- Row ids ----------------------------------------------------------- */

static bool
check_id(const char *id)
{
    if (id[0] != '@') {
        sctl_fail("row id \"%s\" does not begin with \"@\"", id);
        return false;
    }
    return true;
}

int
sctl_cmd_new_id(struct sctl_cmd_ctx *x, struct ovsdb_uuid *uuid)
{
    if (!check_id(x->opt.id)) {
        return CMD_ERROR;
    }
    struct ovsdb_symbol *sym = ovsdb_symtab_get(x->symtab, x->opt.id);
    if (sym->created) {
        sctl_fail("row id \"%s\" may only be specified on one --id option",
                  x->opt.id);
        return CMD_ERROR;
    }
    sym->created = true;
    *uuid = sym->uuid;
    return 0;
}

int
sctl_cmd_bind_id(struct sctl_cmd_ctx *x, const struct ovsdb_uuid *uuid)
{
    if (!check_id(x->opt.id)) {
        return CMD_ERROR;
    }
    struct ovsdb_symbol *sym = ovsdb_symtab_find(x->symtab, x->opt.id);
    if (sym && sym->created) {
        sctl_fail("row id \"%s\" may only be specified on one --id option",
                  x->opt.id);
        return CMD_ERROR;
    } else if (sym) {
        sctl_fail("row id \"%s\" specified on \"get\" command was used "
                  "before it was defined", x->opt.id);
        return CMD_ERROR;
    }
    sym = ovsdb_symtab_get(x->symtab, x->opt.id);
    sym->created = true;
    sym->referenced = true;     /* An existing row: nothing to warn. */
    sym->uuid = *uuid;
    return 0;
}

/* ---- Running a line ---------------------------------------------------- */

/* ovs-vsctl creates the root row whenever it finds none. */
static int
ensure_root(struct sctl_snap *s, struct sctl_txn *txn)
{
    const struct ovsdb_table_schema *ts
        = ovsdb_schema_find_table(s->schema, ROOT_TABLE);
    if (!ts || strcmp(s->c->db_name, ROOT_TABLE)) {
        return 0;
    }
    int err = sctl_snap_fetch(s, ts);
    if (!err && !sctl_snap_rows(s, ts)->n) {
        sctl_txn_insert(txn, ts, NULL);
    }
    return err;
}

/* Waiting for the switch needs Open_vSwitch next_cfg and cur_cfg, as
 * integers. */
static bool
has_cfg_columns(const struct ovsdb_schema *schema)
{
    const struct ovsdb_table_schema *ts
        = ovsdb_schema_find_table(schema, ROOT_TABLE);
    const char *names[] = { "next_cfg", "cur_cfg" };
    for (size_t i = 0; ts && i < 2; i++) {
        const struct ovsdb_column_schema *c
            = ovsdb_table_schema_find_column(ts, names[i]);
        if (!c || !ovsdb_type_is_scalar(&c->type)
            || c->type.key.type != OVSDB_TYPE_INTEGER) {
            return false;
        }
    }
    return ts != NULL;
}

/* Monitors every table 's' fetched, so that a wait-until can sleep until
 * one of them changes. */
static int
start_monitor(struct sctl_conn *c, const struct sctl_snap *s)
{
    json_t *reqs = json_object();
    for (size_t i = 0; i < s->schema->n_tables; i++) {
        if (s->tables[i].fetched) {
            json_object_set_new(reqs, s->schema->tables[i].name,
                                json_object());
        }
    }
    json_t *reply;
    int err = sctl_call(c, "monitor", json_pack("[s, s, o]", c->db_name,
                                                MONITOR_ID, reqs), &reply);
    if (!err) {
        json_decref(reply);
    }
    return err;
}

/* Symbols used but never created are an error; created rows that nothing
 * refers to will not stay (a warning, as ovs-vsctl gives). */
static int
check_symbols(const struct ovsdb_symtab *st)
{
    for (size_t i = 0; i < st->n; i++) {
        const struct ovsdb_symbol *sym = &st->syms[i];
        if (!sym->created) {
            sctl_fail("row id \"%s\" is referenced but never created (e.g. "
                      "with \"-- --id=%s create ...\")", sym->name,
                      sym->name);
            return CMD_ERROR;
        }
    }
    return 0;
}

static void
warn_unreferenced(const struct ovsdb_symtab *st)
{
    for (size_t i = 0; i < st->n; i++) {
        const struct ovsdb_symbol *sym = &st->syms[i];
        if (sym->created && !sym->referenced) {
            sctl_fail("warning: row id \"%s\" was created but no reference "
                      "to it was inserted, so it will not actually appear "
                      "in the database", sym->name);
        }
    }
}

/* One run of every command.  Returns 0 (outputs in 'outs'),
 * SCTL_TRY_AGAIN (wait for a change of the monitored tables), -EAGAIN
 * (run again at once: another client changed what was read, or the
 * monitor has just started) or an exit status. */
static int
run_once(struct sctl_conn *c, struct cmd *cmds, int n, struct dstr *outs,
         bool *monitoring)
{
    struct sctl_snap s;
    struct sctl_txn txn;
    struct ovsdb_symtab symtab;
    int status = EXIT_FAILURE;
    int n_lists = 0;

    ovsdb_symtab_init(&symtab);
    sctl_value_set_symtab(&symtab);
    if (sctl_snap_init(&s, c)) {
        goto out_snap;
    }
    if (!has_cfg_columns(s.schema)) {
        c->wait_cfg = false;
    }
    sctl_txn_init(&txn, &s);
    if (ensure_root(&s, &txn)) {
        goto out;
    }
    status = 0;
    for (int i = 0; i < n && !status; i++) {
        struct sctl_cmd_ctx x = {
            .opt = cmds[i].opt, .argc = cmds[i].argc, .argv = cmds[i].argv,
            .c = c, .s = &s, .txn = &txn, .symtab = &symtab,
            .out = &outs[i], .n_lists = &n_lists,
        };
        status = cmds[i].spec->run(&x);
    }
    if (status == SCTL_TRY_AGAIN && !*monitoring) {
        /* Run again at once: something may have changed before the
         * monitor started. */
        *monitoring = true;
        status = start_monitor(c, &s) ? EXIT_FAILURE : -EAGAIN;
    }
    if (!status) {
        status = check_symbols(&symtab);
    }
    if (!status) {
        warn_unreferenced(&symtab);
    }
    if (!status && sctl_txn_has_changes(&txn)) {
        size_t n_verify;
        json_t *ops = sctl_txn_ops(&txn, &n_verify);
        int err = sctl_commit_verified(c, ops, n_verify, NULL);
        status = err == -EAGAIN ? -EAGAIN : sctl_status(err);
    }
out:
    sctl_txn_destroy(&txn);
out_snap:
    sctl_snap_destroy(&s);
    sctl_value_set_symtab(NULL);
    ovsdb_symtab_destroy(&symtab);
    return status;
}

int
sluicectl_cmd_run(const struct sluicectl_db_opts *o, int argc, char *argv[])
{
    struct cmd *cmds = calloc(argc + 1, sizeof *cmds);
    if (!cmds) {
        abort();
    }
    int n = parse_commands(o, argc, argv, cmds);
    if (n < 0) {
        free(cmds);
        return EXIT_FAILURE;
    }
    struct dstr *outs = calloc(n, sizeof *outs);
    if (!outs) {
        abort();
    }
    struct sctl_conn c;
    int status = EXIT_FAILURE;
    if (!sctl_connect(o, &c) && !sctl_choose_db(&c)) {
        bool monitoring = false;
        for (int n_conflicts = 0;; n_conflicts++) {
            if (n_conflicts >= MAX_CONFLICTS) {
                sctl_fail("gave up after %d attempts: other clients kept "
                          "changing what this command line reads",
                          MAX_CONFLICTS);
                status = EXIT_FAILURE;
                break;
            }
            unsigned long seen = c.n_notify;
            for (int i = 0; i < n; i++) {
                dstr_free(&outs[i]);
                dstr_init(&outs[i]);
            }
            status = run_once(&c, cmds, n, outs, &monitoring);
            if (status == SCTL_TRY_AGAIN && c.n_notify == seen
                && sctl_wait_notify(&c)) {
                status = EXIT_FAILURE;
                break;
            } else if (status != SCTL_TRY_AGAIN && status != -EAGAIN) {
                break;
            } else if (status == SCTL_TRY_AGAIN) {
                n_conflicts = -1;   /* Waiting is no conflict. */
            }
        }
    }
    sctl_close(&c);
    for (int i = 0; i < n; i++) {
        if (!status) {
            fputs(dstr_cstr(&outs[i]), stdout);
        }
        dstr_free(&outs[i]);
    }
    free(outs);
    free(cmds);
    if (fflush(stdout) && !status) {
        status = EXIT_FAILURE;
    }
    return status;
}
