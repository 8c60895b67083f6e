/* Unit tests for tools/sluicectl_value: ovs-vsctl's value syntax, parsed
 * against column types and printed back (quoting, brackets, --bare),
 * integer ranges, and the error messages for bad values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ovsdb/error.h"
#include "ovsdb/uuid.h"
#include "tools/sluicectl_value.h"

/* A column type from its schema JSON. */
static struct ovsdb_type
type_of(const char *json_text)
{
    struct ovsdb_type t;
    json_t *j = json_loads(json_text, JSON_DECODE_ANY, NULL);
    assert_non_null(j);
    json_t *err = ovsdb_type_from_json(&t, j);
    if (err) {
        fail_msg("%s: %s", json_text, ovsdb_error_details(err));
    }
    json_decref(j);
    return t;
}

/* Parses 's' as type 'type_json' (with checks), prints it back and
 * compares with 'want'. */
static void
round_trip(const char *type_json, const char *s, const char *want)
{
    struct ovsdb_type t = type_of(type_json);
    struct ovsdb_datum d;
    char *err = sctl_datum_from_string(&d, &t, s, true);
    if (err) {
        fail_msg("%s as %s: %s", s, type_json, err);
    }
    struct dstr out = DSTR_INIT;
    sctl_datum_to_string(&d, &t, false, &out);
    assert_string_equal(dstr_cstr(&out), want);

    /* What was printed parses back to the same value. */
    struct ovsdb_datum d2;
    assert_null(sctl_datum_from_string(&d2, &t, dstr_cstr(&out), true));
    assert_true(ovsdb_datum_equals(&d, &d2, &t));
    ovsdb_datum_destroy(&d2, &t);
    ovsdb_datum_destroy(&d, &t);
    dstr_free(&out);
    ovsdb_type_destroy(&t);
}

static void
bad_value(const char *type_json, const char *s, bool check,
          const char *want)
{
    struct ovsdb_type t = type_of(type_json);
    struct ovsdb_datum d;
    char *err = sctl_datum_from_string(&d, &t, s, check);
    if (!err) {
        fail_msg("%s as %s: accepted", s, type_json);
    }
    assert_string_equal(err, want);
    free(err);
    ovsdb_type_destroy(&t);
}

static void
test_scalars(void **state)
{
    (void) state;
    round_trip("\"integer\"", "42", "42");
    round_trip("\"integer\"", "-7", "-7");
    round_trip("\"real\"", "0.1", "0.1");
    round_trip("\"real\"", "1e300", "1e+300");
    round_trip("\"real\"", "2", "2");
    round_trip("\"boolean\"", "true", "true");
    round_trip("\"boolean\"", "false", "false");
    round_trip("\"string\"", "br0", "br0");
    round_trip("\"string\"", "a-b.c_d", "a-b.c_d");
    round_trip("\"uuid\"", "550E8400-e29b-41d4-a716-446655440000",
               "550e8400-e29b-41d4-a716-446655440000");
    /* Optional scalars: a bare value, or [] when empty. */
    round_trip("{\"key\": \"string\", \"min\": 0, \"max\": 1}", "secure",
               "secure");
    round_trip("{\"key\": \"string\", \"min\": 0, \"max\": 1}", "[]", "[]");
    round_trip("{\"key\": \"integer\", \"min\": 0, \"max\": 1}", "[5]",
               "5");
}

static void
test_string_quoting(void **state)
{
    (void) state;
    /* Bare only for identifiers that are not true/false or a UUID. */
    assert_false(sctl_string_needs_quotes("br0"));
    assert_false(sctl_string_needs_quotes("_x"));
    assert_false(sctl_string_needs_quotes("a-b.c_d"));
    assert_true(sctl_string_needs_quotes(""));
    assert_true(sctl_string_needs_quotes("1abc"));
    assert_true(sctl_string_needs_quotes("a b"));
    assert_true(sctl_string_needs_quotes("a:b"));
    assert_true(sctl_string_needs_quotes("a/b"));
    assert_true(sctl_string_needs_quotes("true"));
    assert_true(sctl_string_needs_quotes("false"));
    assert_true(sctl_string_needs_quotes("\xc3\xa9"));
    assert_true(sctl_string_needs_quotes(
                    "abcdef00-e29b-41d4-a716-446655440000"));

    round_trip("\"string\"", "\"\"", "\"\"");
    round_trip("\"string\"", "\"a b\"", "\"a b\"");
    round_trip("\"string\"", "\"true\"", "\"true\"");
    round_trip("\"string\"", "\"a\\\"b\\\\c\"", "\"a\\\"b\\\\c\"");
    round_trip("\"string\"", "\"\\u00e9\"", "\"\xc3\xa9\"");
    /* A whole argument is one atom: no splitting at spaces or commas. */
    union ovsdb_atom a;
    struct ovsdb_base_type base;
    ovsdb_base_type_init(&base, OVSDB_TYPE_STRING);
    assert_null(sctl_atom_from_string(&a, &base, "tcp:1.2.3.4:6653", true));
    assert_string_equal(a.string, "tcp:1.2.3.4:6653");
    ovsdb_atom_destroy(&a, OVSDB_TYPE_STRING);
    assert_null(sctl_atom_from_string(&a, &base, "\"x, y\"", true));
    assert_string_equal(a.string, "x, y");
    struct dstr out = DSTR_INIT;
    sctl_atom_to_string(&a, OVSDB_TYPE_STRING, false, &out);
    assert_string_equal(dstr_cstr(&out), "\"x, y\"");
    dstr_clear(&out);
    sctl_atom_to_string(&a, OVSDB_TYPE_STRING, true, &out);
    assert_string_equal(dstr_cstr(&out), "x, y");
    dstr_free(&out);
    ovsdb_atom_destroy(&a, OVSDB_TYPE_STRING);
    ovsdb_base_type_destroy(&base);
}

static void
test_sets_and_maps(void **state)
{
    (void) state;
    const char *ints = "{\"key\": {\"type\": \"integer\", \"minInteger\": 0,"
                       " \"maxInteger\": 4095}, \"min\": 0, "
                       "\"max\": 4096}";
    round_trip(ints, "[3, 1,2]", "[1, 2, 3]");
    round_trip(ints, "3 1 2", "[1, 2, 3]");
    round_trip(ints, "1-3,7", "[1, 2, 3, 7]");
    round_trip(ints, "[]", "[]");
    round_trip(ints, "5", "[5]");
    const char *map = "{\"key\": \"string\", \"value\": \"string\", "
                      "\"min\": 0, \"max\": \"unlimited\"}";
    round_trip(map, "{b=2, a=\"x y\"}", "{a=\"x y\", b=\"2\"}");
    round_trip(map, "a=1 b=2", "{a=\"1\", b=\"2\"}");
    round_trip(map, "{}", "{}");
    round_trip(map, "{\"k=v\"=\"=\"}", "{\"k=v\"=\"=\"}");

    /* --bare: no brackets, no quotes, elements separated by spaces. */
    struct ovsdb_type t = type_of(map);
    struct ovsdb_datum d;
    assert_null(sctl_datum_from_string(&d, &t, "{a=\"x y\", b=c}", true));
    struct dstr out = DSTR_INIT;
    sctl_datum_to_string(&d, &t, true, &out);
    assert_string_equal(dstr_cstr(&out), "a=x y b=c");
    dstr_free(&out);
    ovsdb_datum_destroy(&d, &t);
    ovsdb_type_destroy(&t);
}

static void
test_errors(void **state)
{
    (void) state;
    const char *tag = "{\"key\": {\"type\": \"integer\", \"minInteger\": 0, "
                      "\"maxInteger\": 4095}, \"min\": 0, \"max\": 1}";
    const char *ints = "{\"key\": \"integer\", \"min\": 0, "
                       "\"max\": \"unlimited\"}";
    const char *map = "{\"key\": \"string\", \"value\": \"string\", "
                      "\"min\": 0, \"max\": \"unlimited\"}";
    bad_value("\"integer\"", "abc", true, "\"abc\" is not a valid integer");
    bad_value("\"integer\"", "1.5", true, "\"1.5\" is not a valid integer");
    bad_value("\"real\"", "x", true, "\"x\" is not a valid real number");
    bad_value("\"boolean\"", "maybe", true,
              "\"maybe\" is not a valid boolean (use \"true\" or \"false\")");
    bad_value("\"uuid\"", "1", true, "\"1\" is not a valid UUID");
    /* Found by fuzz_sluicectl_value: bytes that are not UTF-8 were taken
     * as a string (and printed back as "?"). */
    bad_value("{\"key\": \"string\", \"min\": 0, \"max\": 2}",
              "[ok, \xe5\xe5]", false, "a string is not valid UTF-8");
    bad_value("\"string\"", "\xff", true, "a string is not valid UTF-8");
    bad_value(tag, "5000", true,
              "constraint violation: 5000 is not in the valid range 0 to 4095 "
              "(inclusive)");
    bad_value(tag, "1,2", true,
              "constraint violation: 2 values when type allows at most 1");
    bad_value("\"string\"", "[]", true,
              "constraint violation: 0 values when type requires at "
              "least 1");
    bad_value(ints, "1,1", true, "\"1,1\": duplicate values");
    bad_value(ints, "5-1", true,
              "5-1: the range's end is below its start");
    bad_value(ints, "0-4096", true, "0-4096: a range has at most 4096 "
              "values");
    bad_value(ints, "[1, 2", true, "\"[1, 2\": missing \"]\"");
    bad_value(ints, "[1] 2", true, "\"[1] 2\": garbage after \"]\"");
    bad_value(ints, "1,,2", true, "unexpected \",\" in \",2\"");
    bad_value(ints, "1,", true, "\"1,\": a value is missing after \",\"");
    bad_value(map, "{a}", true, "missing \"=\" after a map key at }");
    bad_value(map, "{a=b", true, "\"{a=b\": missing \"}\"");
    bad_value(map, "a=b a=c", true, "\"a=b a=c\": duplicate keys");
    bad_value(map, "{a=\"b}", true, "\"b}: missing closing quote");
    bad_value(map, "a=", true, "missing value");
    /* Without checks, duplicates are merged and constraints ignored. */
    struct ovsdb_type t = type_of(tag);
    struct ovsdb_type relaxed = t;
    relaxed.n_max = OVSDB_UNLIMITED;
    struct ovsdb_datum d;
    assert_null(sctl_datum_from_string(&d, &relaxed, "5000 7 7", false));
    assert_int_equal(d.n, 2);
    ovsdb_datum_destroy(&d, &relaxed);
    ovsdb_type_destroy(&t);
}

/* "@NAME" UUIDs: the rows of "--id=@NAME create", only with a symbol
 * table. */
static void
test_row_ids(void **state)
{
    (void) state;
    bad_value("{\"key\": \"uuid\", \"min\": 0, \"max\": 2}", "@c", true,
              "\"@c\" is not a valid UUID");
    struct ovsdb_symtab st;
    ovsdb_symtab_init(&st);
    sctl_value_set_symtab(&st);
    struct ovsdb_type t = type_of("{\"key\": \"uuid\", \"min\": 0, "
                                  "\"max\": 3}");
    struct ovsdb_datum d;
    assert_null(sctl_datum_from_string(&d, &t,
                                       "[@a, @b, "
                                       "550e8400-e29b-41d4-a716-446655440000]",
                                       true));
    assert_int_equal(d.n, 3);
    assert_int_equal(st.n, 2);
    for (size_t i = 0; i < st.n; i++) {
        union ovsdb_atom a = { .uuid = st.syms[i].uuid };
        assert_true(st.syms[i].referenced);
        assert_false(st.syms[i].created);
        assert_int_not_equal(ovsdb_datum_find_key(&d, &a, OVSDB_TYPE_UUID),
                             SIZE_MAX);
    }
    /* The same name is the same row. */
    struct ovsdb_datum d2;
    assert_null(sctl_datum_from_string(&d2, &t, "@a", true));
    assert_int_equal(st.n, 2);
    assert_true(ovsdb_uuid_equals(&d2.keys[0].uuid,
                                  &ovsdb_symtab_find(&st, "@a")->uuid));
    ovsdb_datum_destroy(&d2, &t);
    ovsdb_datum_destroy(&d, &t);
    /* "@" alone is no name. */
    bad_value("\"uuid\"", "@", true, "\"@\" is not a valid UUID");
    sctl_value_set_symtab(NULL);
    ovsdb_type_destroy(&t);
    ovsdb_symtab_destroy(&st);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_string_quoting),
        cmocka_unit_test(test_sets_and_maps),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_row_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
