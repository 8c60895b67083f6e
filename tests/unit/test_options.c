/* Unit tests for sluiced's command-line parsing and core choice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>

#include <cmocka.h>

#include "src/options.h"

static enum options_result
parse(struct sluiced_options *o, char *err, int argc, ...)
{
    char *argv[32];
    va_list args;
    va_start(args, argc);
    argv[0] = "sluiced";
    for (int i = 1; i < argc; i++) {
        argv[i] = va_arg(args, char *);
    }
    argv[argc] = NULL;
    va_end(args);
    err[0] = '\0';
    return options_parse(o, argc, argv, err, 256);
}

static void
test_defaults(void **state)
{
    (void) state;
    struct sluiced_options o;
    char err[256];
    assert_int_equal(parse(&o, err, 1), OPTIONS_OK);
    assert_string_equal(o.run_dir, "/run/sluice");
    assert_string_equal(o.pidfile, "/run/sluice/sluiced.pid");
    assert_null(o.log_file);
    assert_false(o.detach);
    assert_int_equal(o.control_core, -1);
    assert_int_equal(o.pmd_mask, 0);
    assert_false(o.no_huge);
    assert_string_equal(o.db, "/run/sluice/conf.db");
    assert_false(o.db_given);
    assert_int_equal(o.n_remotes, 0);
    options_free(&o);
}

static void
test_ovsdb_options(void **state)
{
    (void) state;
    struct sluiced_options o;
    char err[256];

    assert_int_equal(parse(&o, err, 3, "--run-dir", "/tmp/r"), OPTIONS_OK);
    assert_string_equal(o.db, "/tmp/r/conf.db");
    assert_false(o.db_given);
    options_free(&o);

    assert_int_equal(parse(&o, err, 7, "--db", "/tmp/a.db", "--remote",
                           "ptcp:0:127.0.0.1", "--remote", "punix:/tmp/s"),
                     OPTIONS_OK);
    assert_string_equal(o.db, "/tmp/a.db");
    assert_true(o.db_given);
    assert_int_equal(o.n_remotes, 2);
    assert_string_equal(o.remotes[0], "ptcp:0:127.0.0.1");
    assert_string_equal(o.remotes[1], "punix:/tmp/s");
    options_free(&o);

    /* Active remotes connect out; what does not parse is refused. */
    assert_int_equal(parse(&o, err, 5, "--remote", "tcp:1.2.3.4:6640",
                           "--remote", "unix:/tmp/m.sock"), OPTIONS_OK);
    assert_int_equal(o.n_remotes, 2);
    options_free(&o);
    assert_int_equal(parse(&o, err, 3, "--remote", "tcp:1.2.3.4"),
                     OPTIONS_ERROR);
    assert_non_null(strstr(err, "--remote"));
    assert_int_equal(parse(&o, err, 3, "--remote", "bogus:1"),
                     OPTIONS_ERROR);
    assert_non_null(strstr(err, "--remote"));
    /* ssl: needs the TLS files as pssl: does. */
    assert_int_equal(parse(&o, err, 3, "--remote", "ssl:1.2.3.4:6640"),
                     OPTIONS_ERROR);
    assert_non_null(strstr(err, "--certificate"));
    /* pssl needs key, certificate and CA certificate. */
    assert_int_equal(parse(&o, err, 5, "--remote", "pssl:0",
                           "--private-key", "k.pem"), OPTIONS_ERROR);
    assert_non_null(strstr(err, "--certificate"));
    assert_int_equal(parse(&o, err, 9, "--remote", "pssl:0",
                           "--private-key", "k.pem", "--certificate",
                           "c.pem", "--ca-cert", "ca.pem"), OPTIONS_OK);
    assert_string_equal(o.private_key, "k.pem");
    assert_string_equal(o.certificate, "c.pem");
    assert_string_equal(o.ca_cert, "ca.pem");
    assert_false(o.bootstrap_ca_cert);
    options_free(&o);

    /* --bootstrap-ca-cert names the CA file too, to be fetched if
     * missing; not together with --ca-cert. */
    assert_int_equal(parse(&o, err, 9, "--remote", "pssl:0",
                           "--private-key", "k.pem", "--certificate",
                           "c.pem", "--bootstrap-ca-cert", "ca.pem"),
                     OPTIONS_OK);
    assert_string_equal(o.ca_cert, "ca.pem");
    assert_true(o.bootstrap_ca_cert);
    options_free(&o);
    assert_int_equal(parse(&o, err, 5, "--ca-cert", "a.pem",
                           "--bootstrap-ca-cert", "b.pem"), OPTIONS_ERROR);
    assert_string_equal(err, "--ca-cert and --bootstrap-ca-cert are "
                        "mutually exclusive");
}

static void
test_all_options(void **state)
{
    (void) state;
    struct sluiced_options o;
    char err[256];
    assert_int_equal(parse(&o, err, 19, "--run-dir", "/tmp/x", "--detach",
                           "--log-file", "--pmd-cpu-mask", "0x6",
                           "--control-core", "3", "--no-huge",
                           "--memory", "256", "--port", "a net_null0",
                           "--port", "b net_null1", "--output", "a b",
                           "-v"), OPTIONS_ERROR);
    assert_non_null(strstr(err, "requires an argument"));

    assert_int_equal(parse(&o, err, 20, "--run-dir", "/tmp/x", "--detach",
                           "--log-file", "--pmd-cpu-mask", "0x6",
                           "--control-core", "3", "--no-huge",
                           "--memory", "256", "--port", "a net_null0",
                           "--port", "b net_null1", "--output", "a b",
                           "-v", "pmd:dbg"), OPTIONS_OK);
    assert_string_equal(o.run_dir, "/tmp/x");
    assert_string_equal(o.pidfile, "/tmp/x/sluiced.pid");
    assert_string_equal(o.log_file, "/tmp/x/sluiced.log");
    assert_true(o.detach);
    assert_int_equal(o.pmd_mask, 6);
    assert_int_equal(o.control_core, 3);
    assert_true(o.no_huge);
    assert_int_equal(o.memory_mb, 256);
    assert_int_equal(o.n_ports, 2);
    assert_string_equal(o.ports[1], "b net_null1");
    assert_int_equal(o.n_outputs, 1);
    assert_int_equal(o.n_vlog_specs, 1);
    assert_string_equal(o.vlog_specs[0], "pmd:dbg");
    options_free(&o);
}

static void
test_bad_values(void **state)
{
    (void) state;
    struct sluiced_options o;
    char err[256];

    assert_int_equal(parse(&o, err, 3, "--pmd-cpu-mask", "0"),
                     OPTIONS_ERROR);
    assert_non_null(strstr(err, "--pmd-cpu-mask"));
    assert_int_equal(parse(&o, err, 3, "--pmd-cpu-mask", "xyz"),
                     OPTIONS_ERROR);
    assert_int_equal(parse(&o, err, 3, "--control-core", "-1"),
                     OPTIONS_ERROR);
    assert_int_equal(parse(&o, err, 3, "--control-core", "64"),
                     OPTIONS_ERROR);
    assert_int_equal(parse(&o, err, 3, "--memory", "12"), OPTIONS_ERROR);
    assert_non_null(strstr(err, "--memory"));
    assert_int_equal(parse(&o, err, 3, "--pmd-idle-sleep-us", "1e3"),
                     OPTIONS_ERROR);
    assert_int_equal(parse(&o, err, 2, "--bogus"), OPTIONS_ERROR);
    assert_non_null(strstr(err, "--bogus"));
    assert_int_equal(parse(&o, err, 2, "stray"), OPTIONS_ERROR);
    assert_non_null(strstr(err, "stray"));
}

static void
test_choose_cores(void **state)
{
    (void) state;
    struct sluiced_options o;
    char err[256];

    /* Two cores: control on 0, PMD on 1. */
    assert_int_equal(parse(&o, err, 1), OPTIONS_OK);
    assert_int_equal(options_choose_cores(&o, 0x3, err, sizeof err), 0);
    assert_int_equal(o.control_core, 0);
    assert_int_equal(o.pmd_mask, 0x2);
    options_free(&o);

    /* Affinity 0xc: control 2, PMD 3. */
    assert_int_equal(parse(&o, err, 1), OPTIONS_OK);
    assert_int_equal(options_choose_cores(&o, 0xc, err, sizeof err), 0);
    assert_int_equal(o.control_core, 2);
    assert_int_equal(o.pmd_mask, 0x8);
    options_free(&o);

    /* One core: the PMD shares it. */
    assert_int_equal(parse(&o, err, 1), OPTIONS_OK);
    assert_int_equal(options_choose_cores(&o, 0x1, err, sizeof err), 0);
    assert_int_equal(o.pmd_mask, 0x1);
    options_free(&o);

    /* A mask outside the affinity is refused, naming the cores. */
    assert_int_equal(parse(&o, err, 3, "--pmd-cpu-mask", "0x4"), OPTIONS_OK);
    assert_int_equal(options_choose_cores(&o, 0x3, err, sizeof err),
                     -EINVAL);
    assert_non_null(strstr(err, "0x4"));
    options_free(&o);

    assert_int_equal(parse(&o, err, 3, "--control-core", "5"), OPTIONS_OK);
    assert_int_equal(options_choose_cores(&o, 0x3, err, sizeof err),
                     -EINVAL);
    options_free(&o);
}

static void
test_split_words(void **state)
{
    (void) state;
    char **argv;
    assert_int_equal(options_split_words("  a  bb\tccc ", &argv), 3);
    assert_string_equal(argv[0], "a");
    assert_string_equal(argv[1], "bb");
    assert_string_equal(argv[2], "ccc");
    assert_null(argv[3]);
    options_free_words(argv);
    assert_int_equal(options_split_words("", &argv), 0);
    assert_null(argv[0]);
    options_free_words(argv);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_all_options),
        cmocka_unit_test(test_ovsdb_options),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_choose_cores),
        cmocka_unit_test(test_split_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
