/* options: sluiced's command line, parsed into a plain struct.
 * No DPDK here, so unit tests can check parsing and the choice of cores. */
#ifndef SLUICE_OPTIONS_H
#define SLUICE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPTIONS_MAX_CORES 64    /* Cores addressable by --pmd-cpu-mask. */

struct sluiced_options {
    char *run_dir;              /* Default /run/sluice. */
    char *pidfile;              /* Default RUN_DIR/sluiced.pid. */
    char *log_file;             /* NULL: console only. */
    bool detach;
    int control_core;           /* -1: choose. */
    uint64_t pmd_mask;          /* 0: choose. */
    unsigned int memory_mb;     /* 0: choose. */
    bool no_huge;
    unsigned int pmd_idle_sleep_us;
    bool pmd_idle_sleep_given;  /* --pmd-idle-sleep-us was given. */
    char **ports;               /* "NAME DEVARGS [KEY=VALUE...]" */
    int n_ports;
    char **outputs;             /* "NAME OUTPUT" */
    int n_outputs;
    char **vlog_specs;
    int n_vlog_specs;
    char *eal_args;             /* Extra EAL arguments, split on spaces. */
    char *db;                   /* Default RUN_DIR/conf.db. */
    bool db_given;              /* --db was on the command line. */
    char **remotes;             /* --remote: punix:, ptcp:, pssl: ... */
    int n_remotes;
    char *private_key;          /* For pssl: remotes. */
    char *certificate;
    char *ca_cert;
    bool bootstrap_ca_cert;     /* --bootstrap-ca-cert: 'ca_cert' may be
                                 * fetched from the first ssl: server. */
};

enum options_result {
    OPTIONS_OK,
    OPTIONS_EXIT_OK,            /* --help or --version printed; exit 0. */
    OPTIONS_ERROR,              /* Message in 'err'; exit 1. */
};

/* Parses argv.  On OPTIONS_ERROR, 'err' (size 'err_size') says why. */
enum options_result options_parse(struct sluiced_options *, int argc,
                                  char *argv[], char *err, size_t err_size);
void options_free(struct sluiced_options *);

/* Fills in the control core and PMD mask left unset, from 'allowed' (the
 * cores this process may run on).  The control core defaults to the lowest
 * allowed core; the PMD mask to the lowest allowed core other than it, or
 * the control core itself when it is the only one.  Returns 0, or -EINVAL
 * with a message in 'err' if a given core is not allowed. */
int options_choose_cores(struct sluiced_options *, uint64_t allowed,
                         char *err, size_t err_size);

/* Splits "WORD WORD ..." on blanks into a NULL-terminated malloc'd array
 * (words are copies).  Returns the count; *argv must be freed with
 * options_free_words(). */
int options_split_words(const char *, char ***argv);
void options_free_words(char **argv);

#endif
