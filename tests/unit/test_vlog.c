/* Unit tests for per-module logging: level specs, files, rate limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(testmod);

static void
reset(void)
{
    const char *err;
    assert_int_equal(vlog_set_spec("any:any:info", &err), 0);
}

static void
test_spec_parsing(void **state)
{
    (void) state;
    const char *err;

    reset();
    assert_int_equal(vlog_set_spec("testmod:file:dbg", &err), 0);
    assert_int_equal(this_module.levels[VLD_FILE], VLL_DBG);
    assert_int_equal(this_module.levels[VLD_CONSOLE], VLL_INFO);
    assert_true(vlog_is_enabled(&this_module, VLL_DBG));

    /* Order does not matter; a lone module means debug everywhere. */
    assert_int_equal(vlog_set_spec("warn:console:testmod", &err), 0);
    assert_int_equal(this_module.levels[VLD_CONSOLE], VLL_WARN);
    assert_int_equal(vlog_set_spec("testmod", &err), 0);
    assert_int_equal(this_module.levels[VLD_CONSOLE], VLL_DBG);

    /* Without a module, every module changes. */
    assert_int_equal(vlog_set_spec("console:err", &err), 0);
    for (struct vlog_module *m = vlog_modules(); m; m = m->next) {
        assert_int_equal(m->levels[VLD_CONSOLE], VLL_ERR);
    }
    assert_int_equal(vlog_set_spec("off", &err), 0);
    assert_false(vlog_is_enabled(&this_module, VLL_EMER));

    assert_int_equal(vlog_set_spec("nosuchmodule:dbg", &err), -EINVAL);
    assert_non_null(err);
    assert_int_equal(vlog_set_spec("dbg:info", &err), -EINVAL);
    reset();
}

static void
test_names(void **state)
{
    (void) state;
    assert_int_equal(vlog_level_from_name("WARN"), VLL_WARN);
    assert_int_equal(vlog_level_from_name("bogus"), -1);
    assert_string_equal(vlog_level_name(VLL_DBG), "dbg");
    assert_ptr_equal(vlog_module_from_name("TESTMOD"), &this_module);
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    static char buf[65536];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) {
        fclose(f);
    }
    buf[n] = '\0';
    return buf;
}

static void
test_file_and_reopen(void **state)
{
    (void) state;
    char path[] = "/tmp/test_vlog_XXXXXX";
    char moved[64];
    const char *err;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    snprintf(moved, sizeof moved, "%s.1", path);

    reset();
    assert_int_equal(vlog_set_spec("console:off", &err), 0);
    assert_int_equal(vlog_set_log_file(path), 0);
    VLOG_INFO("first %d", 1);
    VLOG_DBG("hidden");
    assert_non_null(strstr(slurp(path), "|testmod|info|first 1"));
    assert_null(strstr(slurp(path), "hidden"));

    /* Log rotation: the old file moves away, reopen starts a new one. */
    assert_int_equal(rename(path, moved), 0);
    assert_int_equal(vlog_reopen_log_file(), 0);
    VLOG_WARN("second");
    assert_non_null(strstr(slurp(path), "second"));
    assert_null(strstr(slurp(path), "first"));
    assert_non_null(strstr(slurp(moved), "first"));
    unlink(path);
    unlink(moved);
    reset();
}

static void
test_rate_limit(void **state)
{
    (void) state;
    char path[] = "/tmp/test_vlog_rl_XXXXXX";
    const char *err;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);

    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 3);
    reset();
    assert_int_equal(vlog_set_spec("console:off", &err), 0);
    assert_int_equal(vlog_set_log_file(path), 0);
    for (int i = 0; i < 10; i++) {
        VLOG_WARN_RL(&rl, "burst %d", i);
    }
    const char *text = slurp(path);
    assert_non_null(strstr(text, "burst 2"));
    assert_null(strstr(text, "burst 3"));
    assert_int_equal(rl.dropped, 7);
    unlink(path);
    reset();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_parsing),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_file_and_reopen),
        cmocka_unit_test(test_rate_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
