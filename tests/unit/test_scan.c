/* Unit tests for scan: the one parser of numbers and Ethernet addresses.
 * Every edge: leading zeros, hexadecimal, octal, overflow, signs, spaces,
 * empty strings, suffixes, bases. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/util/scan.h"

struct num_case {
    const char *s;
    int base;
    uint64_t max;
    int error;
    uint64_t v;
};

static void
check_cases(const struct num_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t v = 0xdeadbeef;
        int error = scan_uint(c[i].s, c[i].base, c[i].max, &v);
        if (error != c[i].error) {
            fail_msg("\"%s\" base %d: error %d, want %d", c[i].s, c[i].base,
                     error, c[i].error);
        }
        if (v != (error ? 0xdeadbeef : c[i].v)) {
            fail_msg("\"%s\" base %d: value %llu, want %llu", c[i].s,
                     c[i].base, (unsigned long long) v,
                     (unsigned long long) c[i].v);
        }
    }
}

/* The flow syntax reads numbers as ovs-dpctl does: C literals. */
static void
test_c_literals(void **state)
{
    (void) state;
    static const struct num_case cases[] = {
        { "0", SCAN_C, 100, 0, 0 },
        { "10", SCAN_C, 100, 0, 10 },
        { "010", SCAN_C, 100, 0, 8 },       /* Octal, as ovs-dpctl. */
        { "00", SCAN_C, 100, 0, 0 },
        { "0777", SCAN_C, 1000, 0, 511 },
        { "08", SCAN_C, 100, -EINVAL, 0 },  /* Not an octal digit. */
        { "0x10", SCAN_C, 100, 0, 16 },
        { "0X1f", SCAN_C, 100, 0, 31 },
        { "0x0010", SCAN_C, 100, 0, 16 },
        { "0x", SCAN_C, 100, -EINVAL, 0 },
        { "0xg", SCAN_C, 100, -EINVAL, 0 },
        { "x10", SCAN_C, 100, -EINVAL, 0 },
        { "1f", SCAN_C, 100, -EINVAL, 0 },
        { "", SCAN_C, 100, -EINVAL, 0 },
        { "-1", SCAN_C, UINT64_MAX, -EINVAL, 0 },
        { "+1", SCAN_C, 100, -EINVAL, 0 },
        { "-0", SCAN_C, 100, -EINVAL, 0 },
        { " 1", SCAN_C, 100, -EINVAL, 0 },
        { "1 ", SCAN_C, 100, -EINVAL, 0 },
        { "1 2", SCAN_C, 100, -EINVAL, 0 },
        { "\t1", SCAN_C, 100, -EINVAL, 0 },
        { "1k", SCAN_C, 100000, -EINVAL, 0 },
        { "1.0", SCAN_C, 100, -EINVAL, 0 },
        { "65535", SCAN_C, 65535, 0, 65535 },
        { "65536", SCAN_C, 65535, -ERANGE, 0 },
        { "70000", SCAN_C, 65535, -ERANGE, 0 },   /* Never wrapped. */
        { "0xffff", SCAN_C, 65535, 0, 65535 },
        { "0x10000", SCAN_C, 65535, -ERANGE, 0 },
        { "0177777", SCAN_C, 65535, 0, 65535 },
        { "0200000", SCAN_C, 65535, -ERANGE, 0 },
        { "18446744073709551615", SCAN_C, UINT64_MAX, 0, UINT64_MAX },
        { "18446744073709551616", SCAN_C, UINT64_MAX, -ERANGE, 0 },
        { "99999999999999999999999", SCAN_C, UINT64_MAX, -ERANGE, 0 },
        { "0xffffffffffffffff", SCAN_C, UINT64_MAX, 0, UINT64_MAX },
        { "0x10000000000000000", SCAN_C, UINT64_MAX, -ERANGE, 0 },
        { "0x00000000000000000001", SCAN_C, 1, 0, 1 },
        { "0000000000000000000000007", SCAN_C, 7, 0, 7 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void
test_decimal(void **state)
{
    (void) state;
    static const struct num_case cases[] = {
        { "0", 10, 100, 0, 0 },
        { "010", 10, 100, 0, 10 },          /* Leading zeros are zeros. */
        { "0009", 10, 100, 0, 9 },
        { "0x10", 10, 100, -EINVAL, 0 },
        { "1a", 10, 100, -EINVAL, 0 },
        { "", 10, 100, -EINVAL, 0 },
        { "-5", 10, 100, -EINVAL, 0 },
        { "+5", 10, 100, -EINVAL, 0 },
        { " 5", 10, 100, -EINVAL, 0 },
        { "5\n", 10, 100, -EINVAL, 0 },
        { "100", 10, 100, 0, 100 },
        { "101", 10, 100, -ERANGE, 0 },
        { "18446744073709551616", 10, UINT64_MAX, -ERANGE, 0 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void
test_hex(void **state)
{
    (void) state;
    static const struct num_case cases[] = {
        { "6", 16, UINT64_MAX, 0, 6 },
        { "0x6", 16, UINT64_MAX, 0, 6 },
        { "0X6", 16, UINT64_MAX, 0, 6 },
        { "010", 16, UINT64_MAX, 0, 16 },
        { "fF", 16, UINT64_MAX, 0, 255 },
        { "0x", 16, UINT64_MAX, -EINVAL, 0 },
        { "", 16, UINT64_MAX, -EINVAL, 0 },
        { "-1", 16, UINT64_MAX, -EINVAL, 0 },
        { "+1", 16, UINT64_MAX, -EINVAL, 0 },
        { "0x 1", 16, UINT64_MAX, -EINVAL, 0 },
        { "0x0x1", 16, UINT64_MAX, -EINVAL, 0 },
        { "g", 16, UINT64_MAX, -EINVAL, 0 },
        { "ffffffffffffffff", 16, UINT64_MAX, 0, UINT64_MAX },
        { "1ffffffffffffffff", 16, UINT64_MAX, -ERANGE, 0 },
        { "100", 16, 0xff, -ERANGE, 0 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void
test_bad_base(void **state)
{
    (void) state;
    uint64_t v = 7;
    assert_int_equal(scan_uint("1", 8, 100, &v), -EINVAL);
    assert_int_equal(scan_uint("1", 2, 100, &v), -EINVAL);
    assert_int_equal(v, 7);
}

static void
test_u32(void **state)
{
    (void) state;
    uint32_t v = 0;
    assert_int_equal(scan_u32("4294967295", 10, UINT32_MAX, &v), 0);
    assert_int_equal(v, UINT32_MAX);
    assert_int_equal(scan_u32("4294967296", 10, UINT32_MAX, &v), -ERANGE);
    assert_int_equal(v, UINT32_MAX);
    assert_int_equal(scan_u32("0x20", SCAN_C, 0x20, &v), 0);
    assert_int_equal(v, 0x20);
}

static void
test_mac(void **state)
{
    (void) state;
    static const struct {
        const char *s;
        uint8_t mac[6];
    } good[] = {
        { "02:00:00:00:00:01", { 2, 0, 0, 0, 0, 1 } },
        { "2:0:0:0:0:A", { 2, 0, 0, 0, 0, 0xa } },
        { "ff:FF:fF:Ff:ff:ff", { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
        { "0:0:0:0:0:0", { 0, 0, 0, 0, 0, 0 } },
    };
    static const char *const bad[] = {
        "-1:-1:-1:-1:-1:-1",    /* sscanf("%x") took this as ff:...:ff. */
        "+1:2:3:4:5:6",
        "0x1:2:3:4:5:6",
        "001:2:3:4:5:6",
        "100:2:3:4:5:6",
        "1: 2:3:4:5:6",
        " 1:2:3:4:5:6",
        "1:2:3:4:5:6 ",
        "1:2:3:4:5",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:",
        "1:2:3:4:5:6:",
        ":1:2:3:4:5",
        "1::3:4:5:6",
        "1-2-3-4-5-6",
        "g:2:3:4:5:6",
        "",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint8_t mac[6];
        if (scan_mac(good[i].s, mac)) {
            fail_msg("\"%s\" refused", good[i].s);
        }
        assert_memory_equal(mac, good[i].mac, 6);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t mac[6] = { 9, 9, 9, 9, 9, 9 };
        static const uint8_t untouched[6] = { 9, 9, 9, 9, 9, 9 };
        if (scan_mac(bad[i], mac) != -EINVAL) {
            fail_msg("\"%s\" accepted", bad[i]);
        }
        assert_memory_equal(mac, untouched, 6);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_c_literals),
        cmocka_unit_test(test_decimal),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_bad_base),
        cmocka_unit_test(test_u32),
        cmocka_unit_test(test_mac),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
