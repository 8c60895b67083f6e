/* options: sluiced's command-line parsing and core selection. */
#include "sluice_config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/options.h"
#include "src/util/scan.h"
#include "src/util/stream.h"

enum {
    OPT_RUN_DIR = 256,
    OPT_PIDFILE,
    OPT_DETACH,
    OPT_LOG_FILE,
    OPT_CONTROL_CORE,
    OPT_PMD_CPU_MASK,
    OPT_MEMORY,
    OPT_NO_HUGE,
    OPT_PMD_IDLE_SLEEP,
    OPT_PORT,
    OPT_OUTPUT,
    OPT_EAL_ARGS,
    OPT_DB,
    OPT_REMOTE,
    OPT_PRIVATE_KEY,
    OPT_CERTIFICATE,
    OPT_CA_CERT,
    OPT_BOOTSTRAP_CA_CERT,
};

static const struct option long_options[] = {
    { "run-dir", required_argument, NULL, OPT_RUN_DIR },
    { "pidfile", required_argument, NULL, OPT_PIDFILE },
    { "detach", no_argument, NULL, OPT_DETACH },
    { "log-file", optional_argument, NULL, OPT_LOG_FILE },
    { "control-core", required_argument, NULL, OPT_CONTROL_CORE },
    { "pmd-cpu-mask", required_argument, NULL, OPT_PMD_CPU_MASK },
    { "memory", required_argument, NULL, OPT_MEMORY },
    { "no-huge", no_argument, NULL, OPT_NO_HUGE },
    { "pmd-idle-sleep-us", required_argument, NULL, OPT_PMD_IDLE_SLEEP },
    { "port", required_argument, NULL, OPT_PORT },
    { "output", required_argument, NULL, OPT_OUTPUT },
    { "verbose", required_argument, NULL, 'v' },
    { "eal-args", required_argument, NULL, OPT_EAL_ARGS },
    { "db", required_argument, NULL, OPT_DB },
    { "remote", required_argument, NULL, OPT_REMOTE },
    { "private-key", required_argument, NULL, OPT_PRIVATE_KEY },
    { "certificate", required_argument, NULL, OPT_CERTIFICATE },
    { "ca-cert", required_argument, NULL, OPT_CA_CERT },
    { "bootstrap-ca-cert", required_argument, NULL, OPT_BOOTSTRAP_CA_CERT },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

static void
usage(const char *prog)
{
    printf("%s: Sluice userspace virtual switch daemon\n"
           "usage: %s [OPTIONS]\n"
           "  --run-dir DIR          run-time files (default /run/sluice)\n"
           "  --pidfile FILE         pid file (default RUN_DIR/sluiced.pid)\n"
           "  --detach               run in the background once ready\n"
           "  --log-file[=FILE]      also log to FILE "
           "(default RUN_DIR/sluiced.log)\n"
           "  --control-core N       core of the control thread "
           "(default: lowest allowed)\n"
           "  --pmd-cpu-mask MASK    hex mask of PMD cores\n"
           "                         (default: one core, not the control "
           "core)\n"
           "  --memory MB            DPDK memory "
           "(default 1024 with hugepages, 512 without)\n"
           "  --no-huge              do not use hugepages\n"
           "  --pmd-idle-sleep-us N  PMD sleeps N us after an empty poll "
           "round (default 0)\n"
           "  --port \"NAME DEVARGS [KEY=VALUE...]\"\n"
           "                         add a port at start (as dpctl/add-if)\n"
           "  --output \"NAME OUTPUT\" set a port's output at start "
           "(as dpctl/set-if-output)\n"
           "  -v, --verbose SPEC     log levels, as vlog/set "
           "(e.g. pmd:dbg, console:warn)\n"
           "  --eal-args \"ARGS\"      extra DPDK EAL arguments\n"
           "  --db FILE              OVSDB database file "
           "(default RUN_DIR/conf.db)\n"
           "  --remote REMOTE        also serve OVSDB on REMOTE: "
           "listen (punix:PATH,\n"
           "                         ptcp:PORT[:IP], pssl:PORT[:IP]) or "
           "connect out,\n"
           "                         again after a loss (unix:PATH, "
           "tcp:IP:PORT,\n"
           "                         ssl:IP:PORT); repeatable; "
           "punix:RUN_DIR/db.sock\n"
           "                         is always served\n"
           "  --private-key FILE     TLS private key (PEM) for pssl:, "
           "ssl:\n"
           "  --certificate FILE     TLS certificate (PEM) for pssl:, "
           "ssl:\n"
           "  --ca-cert FILE         CA certificate (PEM) that signs "
           "pssl:, ssl: peers\n"
           "  --bootstrap-ca-cert FILE  the same; if FILE does not exist, "
           "it is taken\n"
           "                         from the first ssl: server connected "
           "to\n"
           "  -h, --help             this help\n"
           "  -V, --version          print the version\n",
           prog, prog);
}

static int
parse_uint(const char *s, unsigned long long max, int base,
           unsigned long long *out)
{
    uint64_t v;
    int error = scan_uint(s, base, max, &v);
    if (!error) {
        *out = v;
    }
    return error;
}

static int
push(char ***array, int *n, const char *s)
{
    char **a = realloc(*array, (size_t) (*n + 1) * sizeof *a);
    if (!a) {
        return -ENOMEM;
    }
    *array = a;
    a[*n] = strdup(s);
    if (!a[*n]) {
        return -ENOMEM;
    }
    (*n)++;
    return 0;
}

static int
replace(char **dst, const char *s)
{
    free(*dst);
    *dst = strdup(s);
    return *dst ? 0 : -ENOMEM;
}

enum options_result
options_parse(struct sluiced_options *o, int argc, char *argv[], char *err,
              size_t err_size)
{
    unsigned long long v;
    struct stream_target target;
    char msg[STREAM_ERR_LEN];
    int error = 0;

    memset(o, 0, sizeof *o);
    o->control_core = -1;
    optind = 1;
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, ":hVv:", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_RUN_DIR:
            error = replace(&o->run_dir, optarg);
            break;
        case OPT_PIDFILE:
            error = replace(&o->pidfile, optarg);
            break;
        case OPT_DETACH:
            o->detach = true;
            break;
        case OPT_LOG_FILE:
            error = replace(&o->log_file, optarg ? optarg : "");
            break;
        case OPT_CONTROL_CORE:
            if (parse_uint(optarg, OPTIONS_MAX_CORES - 1, 10, &v)) {
                snprintf(err, err_size, "--control-core: \"%s\" is not a "
                         "core number below %d", optarg, OPTIONS_MAX_CORES);
                goto error;
            }
            o->control_core = (int) v;
            break;
        case OPT_PMD_CPU_MASK:
            if (parse_uint(optarg, UINT64_MAX, 16, &v) || !v) {
                snprintf(err, err_size, "--pmd-cpu-mask: \"%s\" is not a "
                         "non-zero hexadecimal core mask", optarg);
                goto error;
            }
            o->pmd_mask = v;
            break;
        case OPT_MEMORY:
            if (parse_uint(optarg, 1 << 20, 10, &v) || v < 64) {
                snprintf(err, err_size, "--memory: \"%s\" is not a size in "
                         "MB (at least 64)", optarg);
                goto error;
            }
            o->memory_mb = (unsigned int) v;
            break;
        case OPT_NO_HUGE:
            o->no_huge = true;
            break;
        case OPT_PMD_IDLE_SLEEP:
            if (parse_uint(optarg, 1000000, 10, &v)) {
                snprintf(err, err_size, "--pmd-idle-sleep-us: \"%s\" is not "
                         "a number of microseconds (0 to 1000000)", optarg);
                goto error;
            }
            o->pmd_idle_sleep_us = (unsigned int) v;
            o->pmd_idle_sleep_given = true;
            break;
        case OPT_PORT:
            error = push(&o->ports, &o->n_ports, optarg);
            break;
        case OPT_OUTPUT:
            error = push(&o->outputs, &o->n_outputs, optarg);
            break;
        case 'v':
            error = push(&o->vlog_specs, &o->n_vlog_specs, optarg);
            break;
        case OPT_EAL_ARGS:
            error = replace(&o->eal_args, optarg);
            break;
        case OPT_DB:
            error = replace(&o->db, optarg);
            o->db_given = true;
            break;
        case OPT_REMOTE:
            if (stream_parse(optarg, &target, msg, sizeof msg)) {
                snprintf(err, err_size, "--remote: %s (punix:PATH, "
                         "ptcp:PORT[:IP], pssl:PORT[:IP], unix:PATH, "
                         "tcp:IP:PORT, ssl:IP:PORT)", msg);
                goto error;
            }
            error = push(&o->remotes, &o->n_remotes, optarg);
            break;
        case OPT_PRIVATE_KEY:
            error = replace(&o->private_key, optarg);
            break;
        case OPT_CERTIFICATE:
            error = replace(&o->certificate, optarg);
            break;
        case OPT_CA_CERT:
        case OPT_BOOTSTRAP_CA_CERT:
            if (o->ca_cert
                && o->bootstrap_ca_cert != (c == OPT_BOOTSTRAP_CA_CERT)) {
                snprintf(err, err_size, "--ca-cert and --bootstrap-ca-cert "
                         "are mutually exclusive");
                goto error;
            }
            error = replace(&o->ca_cert, optarg);
            o->bootstrap_ca_cert = c == OPT_BOOTSTRAP_CA_CERT;
            break;
        case 'h':
            usage(argv[0]);
            options_free(o);
            return OPTIONS_EXIT_OK;
        case 'V':
            printf("sluiced (Sluice) %s\n", SLUICE_VERSION);
            options_free(o);
            return OPTIONS_EXIT_OK;
        case ':':
            snprintf(err, err_size, "option \"%s\" requires an argument",
                     argv[optind - 1]);
            goto error;
        default:
            snprintf(err, err_size, "unknown option \"%s\" (use --help)",
                     argv[optind - 1]);
            goto error;
        }
        if (error) {
            snprintf(err, err_size, "out of memory");
            goto error;
        }
    }
    if (optind < argc) {
        snprintf(err, err_size, "unexpected argument \"%s\" (use --help)",
                 argv[optind]);
        goto error;
    }
    if (!o->run_dir && replace(&o->run_dir, "/run/sluice")) {
        goto error;
    }
    if (!o->pidfile) {
        size_t n = strlen(o->run_dir) + sizeof "/sluiced.pid";
        o->pidfile = malloc(n);
        if (!o->pidfile) {
            goto error;
        }
        snprintf(o->pidfile, n, "%s/sluiced.pid", o->run_dir);
    }
    if (!o->db) {
        size_t n = strlen(o->run_dir) + sizeof "/conf.db";
        o->db = malloc(n);
        if (!o->db) {
            goto error;
        }
        snprintf(o->db, n, "%s/conf.db", o->run_dir);
    }
    for (int i = 0; i < o->n_remotes; i++) {
        if ((!strncmp(o->remotes[i], "pssl:", 5)
             || !strncmp(o->remotes[i], "ssl:", 4))
            && (!o->private_key || !o->certificate || !o->ca_cert)) {
            snprintf(err, err_size, "--remote %s needs --private-key, "
                     "--certificate and --ca-cert", o->remotes[i]);
            goto error;
        }
    }
    if (o->log_file && !o->log_file[0]) {
        size_t n = strlen(o->run_dir) + sizeof "/sluiced.log";
        free(o->log_file);
        o->log_file = malloc(n);
        if (!o->log_file) {
            goto error;
        }
        snprintf(o->log_file, n, "%s/sluiced.log", o->run_dir);
    }
    return OPTIONS_OK;

error:
    if (!err[0]) {
        snprintf(err, err_size, "out of memory");
    }
    options_free(o);
    return OPTIONS_ERROR;
}

static void
free_strings(char **a, int n)
{
    for (int i = 0; i < n; i++) {
        free(a[i]);
    }
    free(a);
}

void
options_free(struct sluiced_options *o)
{
    free(o->run_dir);
    free(o->pidfile);
    free(o->log_file);
    free(o->eal_args);
    free(o->db);
    free(o->private_key);
    free(o->certificate);
    free(o->ca_cert);
    free_strings(o->remotes, o->n_remotes);
    free_strings(o->ports, o->n_ports);
    free_strings(o->outputs, o->n_outputs);
    free_strings(o->vlog_specs, o->n_vlog_specs);
    memset(o, 0, sizeof *o);
    o->control_core = -1;
}

int
options_choose_cores(struct sluiced_options *o, uint64_t allowed, char *err,
                     size_t err_size)
{
    if (!allowed) {
        snprintf(err, err_size, "no usable core");
        return -EINVAL;
    }
    if (o->control_core < 0) {
        o->control_core = __builtin_ctzll(allowed);
    } else if (!(allowed & (UINT64_C(1) << o->control_core))) {
        snprintf(err, err_size, "--control-core %d: core not available to "
                 "this process (allowed mask 0x%llx)", o->control_core,
                 (unsigned long long) allowed);
        return -EINVAL;
    }
    if (!o->pmd_mask) {
        uint64_t others = allowed & ~(UINT64_C(1) << o->control_core);
        o->pmd_mask = others ? others & -others
                             : UINT64_C(1) << o->control_core;
    } else if (o->pmd_mask & ~allowed) {
        snprintf(err, err_size, "--pmd-cpu-mask 0x%llx: cores 0x%llx not "
                 "available to this process (allowed mask 0x%llx)",
                 (unsigned long long) o->pmd_mask,
                 (unsigned long long) (o->pmd_mask & ~allowed),
                 (unsigned long long) allowed);
        return -EINVAL;
    }
    return 0;
}

int
options_split_words(const char *s, char ***argvp)
{
    char **argv = NULL;
    int n = 0;

    while (*s) {
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (!*s) {
            break;
        }
        const char *start = s;
        while (*s && *s != ' ' && *s != '\t') {
            s++;
        }
        char **a = realloc(argv, (size_t) (n + 2) * sizeof *a);
        if (!a) {
            break;
        }
        argv = a;
        argv[n] = strndup(start, (size_t) (s - start));
        if (!argv[n]) {
            break;
        }
        argv[++n] = NULL;
    }
    if (!argv) {
        argv = calloc(1, sizeof *argv);
    }
    *argvp = argv;
    return n;
}

void
options_free_words(char **argv)
{
    if (argv) {
        for (char **p = argv; *p; p++) {
            free(*p);
        }
        free(argv);
    }
}
