/* Unit tests for dstr: growable string buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/util/dstr.h"

static void
test_empty(void **state)
{
    (void) state;
    struct dstr d = DSTR_INIT;
    assert_string_equal(dstr_cstr(&d), "");
    assert_int_equal(d.len, 0);
    dstr_free(&d);
    assert_null(d.s);

    dstr_init(&d);
    char *s = dstr_steal(&d);
    assert_string_equal(s, "");
    free(s);
    assert_null(d.s);
    assert_int_equal(d.len, 0);
}

static void
test_put_and_printf(void **state)
{
    (void) state;
    struct dstr d = DSTR_INIT;
    dstr_put(&d, "port ");
    dstr_printf(&d, "%d: %s", 3, "rx0");
    dstr_putn(&d, "\nXYZ", 2);
    assert_string_equal(dstr_cstr(&d), "port 3: rx0\nX");
    assert_int_equal(d.len, strlen("port 3: rx0\nX"));
    dstr_put(&d, "");
    dstr_printf(&d, "%s", "");
    assert_int_equal(d.len, strlen("port 3: rx0\nX"));
    dstr_free(&d);
}

static void
test_growth(void **state)
{
    (void) state;
    struct dstr d = DSTR_INIT;
    char expect[10001];
    for (int i = 0; i < 10000; i++) {
        char c = (char) ('a' + i % 26);
        dstr_putn(&d, &c, 1);
        expect[i] = c;
        assert_true(d.cap > d.len);
        assert_int_equal(d.s[d.len], '\0');
    }
    expect[10000] = '\0';
    assert_string_equal(d.s, expect);

    /* One printf much larger than the current capacity. */
    dstr_clear(&d);
    dstr_printf(&d, "%5000d|%s", 7, "end");
    assert_int_equal(d.len, 5004);
    assert_string_equal(d.s + 4999, "7|end");
    dstr_free(&d);
}

static void
test_clear_keeps_buffer(void **state)
{
    (void) state;
    struct dstr d = DSTR_INIT;
    dstr_put(&d, "hello");
    char *buf = d.s;
    dstr_clear(&d);
    assert_int_equal(d.len, 0);
    assert_string_equal(dstr_cstr(&d), "");
    assert_ptr_equal(d.s, buf);
    dstr_put(&d, "again");
    assert_string_equal(dstr_cstr(&d), "again");
    dstr_free(&d);

    /* Clearing a never-used dstr is fine. */
    dstr_init(&d);
    dstr_clear(&d);
    assert_int_equal(d.len, 0);
    dstr_free(&d);
}

static void
test_steal(void **state)
{
    (void) state;
    struct dstr d = DSTR_INIT;
    dstr_printf(&d, "x=%u", 42u);
    char *s = dstr_steal(&d);
    assert_string_equal(s, "x=42");
    assert_null(d.s);
    assert_int_equal(d.len, 0);
    assert_int_equal(d.cap, 0);
    /* The dstr is reusable after stealing. */
    dstr_put(&d, "y");
    assert_string_equal(dstr_cstr(&d), "y");
    dstr_free(&d);
    free(s);
}

static void
vprintf_helper(struct dstr *d, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    dstr_vprintf(d, fmt, args);
    va_end(args);
}

static void
test_vprintf(void **state)
{
    (void) state;
    struct dstr d = DSTR_INIT;
    vprintf_helper(&d, "%s-%03d", "a", 5);
    vprintf_helper(&d, "%c", '!');
    assert_string_equal(dstr_cstr(&d), "a-005!");
    dstr_free(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_put_and_printf),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_clear_keeps_buffer),
        cmocka_unit_test(test_steal),
        cmocka_unit_test(test_vprintf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
