/* Unit tests for ovsdb/types: atomic, base and column types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ovsdb/datum.h"
#include "ovsdb/error.h"
#include "ovsdb/types.h"

static json_t *
parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
    assert_non_null(j);
    return j;
}

/* Parses 'text' as a type; returns the error tag or NULL. */
static char *
type_err(const char *text)
{
    struct ovsdb_type t;
    json_t *j = parse(text);
    json_t *err = ovsdb_type_from_json(&t, j);
    json_decref(j);
    if (!err) {
        ovsdb_type_destroy(&t);
        return NULL;
    }
    char *s = strdup(ovsdb_error_details(err));
    assert_string_equal(ovsdb_error_tag(err), OVSDB_E_SYNTAX);
    json_decref(err);
    return s;
}

static void
test_atomic_names(void **state)
{
    (void) state;
    static const char *names[] = { "integer", "real", "boolean", "string",
                                   "uuid" };
    for (size_t i = 0; i < 5; i++) {
        enum ovsdb_atomic_type t;
        assert_true(ovsdb_atomic_type_from_string(names[i], &t));
        assert_string_equal(ovsdb_atomic_type_name(t), names[i]);
    }
    enum ovsdb_atomic_type t;
    assert_false(ovsdb_atomic_type_from_string("void", &t));
    assert_false(ovsdb_atomic_type_from_string("int", &t));
    assert_false(ovsdb_atomic_type_from_string(NULL, &t));
}

static void
test_scalar_types(void **state)
{
    (void) state;
    struct ovsdb_type t;
    json_t *j = parse("\"real\"");
    assert_null(ovsdb_type_from_json(&t, j));
    assert_int_equal(t.key.type, OVSDB_TYPE_REAL);
    assert_int_equal(t.value.type, OVSDB_TYPE_VOID);
    assert_true(ovsdb_type_is_scalar(&t));
    assert_false(ovsdb_type_is_map(&t));
    assert_false(ovsdb_base_type_has_constraints(&t.key));
    json_t *back = ovsdb_type_to_json(&t);
    assert_true(json_equal(back, j));
    json_decref(back);
    json_decref(j);
    ovsdb_type_destroy(&t);
}

static void
test_set_and_map(void **state)
{
    (void) state;
    struct ovsdb_type t;
    json_t *j = parse("{\"key\": \"string\", \"value\": \"integer\", "
                      "\"min\": 0, \"max\": \"unlimited\"}");
    assert_null(ovsdb_type_from_json(&t, j));
    assert_true(ovsdb_type_is_map(&t));
    assert_int_equal(t.n_min, 0);
    assert_int_equal(t.n_max, OVSDB_UNLIMITED);
    assert_int_equal(t.value.type, OVSDB_TYPE_INTEGER);
    json_t *back = ovsdb_type_to_json(&t);
    assert_true(json_equal(back, j));
    json_decref(back);
    json_decref(j);
    ovsdb_type_destroy(&t);

    j = parse("{\"key\": \"uuid\", \"min\": 0}");
    assert_null(ovsdb_type_from_json(&t, j));
    assert_true(ovsdb_type_is_optional_scalar(&t));
    assert_false(ovsdb_type_is_scalar(&t));
    back = ovsdb_type_to_json(&t);
    assert_true(json_equal(back, j));
    json_decref(back);
    json_decref(j);
    ovsdb_type_destroy(&t);

    /* {"key": "integer"} is the same as "integer". */
    j = parse("{\"key\": \"integer\"}");
    assert_null(ovsdb_type_from_json(&t, j));
    assert_true(ovsdb_type_is_scalar(&t));
    back = ovsdb_type_to_json(&t);
    assert_string_equal(json_string_value(back), "integer");
    json_decref(back);
    json_decref(j);
    ovsdb_type_destroy(&t);
}

static void
test_constraints(void **state)
{
    (void) state;
    struct ovsdb_type t;
    json_t *j = parse(
        "{\"key\": {\"type\": \"integer\", \"minInteger\": 1, "
        "\"maxInteger\": 4095}, \"value\": {\"type\": \"string\", "
        "\"minLength\": 1, \"maxLength\": 8}, \"min\": 0, \"max\": 5}");
    assert_null(ovsdb_type_from_json(&t, j));
    assert_int_equal(t.key.min_int, 1);
    assert_int_equal(t.key.max_int, 4095);
    assert_int_equal(t.value.min_len, 1);
    assert_int_equal(t.value.max_len, 8);
    assert_int_equal(t.n_max, 5);
    assert_true(ovsdb_base_type_has_constraints(&t.key));
    json_t *back = ovsdb_type_to_json(&t);
    assert_true(json_equal(back, j));
    json_decref(back);
    json_decref(j);
    ovsdb_type_destroy(&t);

    j = parse("{\"key\": {\"type\": \"real\", \"minReal\": -1.5, "
              "\"maxReal\": 2.5}}");
    assert_null(ovsdb_type_from_json(&t, j));
    assert_true(t.key.min_real == -1.5 && t.key.max_real == 2.5);
    back = ovsdb_type_to_json(&t);
    assert_true(json_equal(back, j));
    json_decref(back);
    json_decref(j);
    ovsdb_type_destroy(&t);
}

static void
test_refs_and_enum(void **state)
{
    (void) state;
    struct ovsdb_type t, c;
    json_t *j = parse("{\"key\": {\"type\": \"uuid\", \"refTable\": \"Port\","
                      " \"refType\": \"weak\"}, \"min\": 0, \"max\": "
                      "\"unlimited\"}");
    assert_null(ovsdb_type_from_json(&t, j));
    assert_string_equal(t.key.ref_table_name, "Port");
    assert_true(ovsdb_base_type_is_weak_ref(&t.key));
    assert_false(ovsdb_base_type_is_strong_ref(&t.key));
    ovsdb_type_clone(&c, &t);
    assert_string_equal(c.key.ref_table_name, "Port");
    assert_ptr_not_equal(c.key.ref_table_name, t.key.ref_table_name);
    json_t *back = ovsdb_type_to_json(&c);
    assert_true(json_equal(back, j));
    json_decref(back);
    json_decref(j);
    ovsdb_type_destroy(&t);
    ovsdb_type_destroy(&c);

    j = parse("{\"key\": {\"type\": \"uuid\", \"refTable\": \"Port\"}}");
    assert_null(ovsdb_type_from_json(&t, j));
    assert_true(ovsdb_base_type_is_strong_ref(&t.key));
    json_decref(j);
    ovsdb_type_destroy(&t);

    j = parse("{\"key\": {\"type\": \"string\", \"enum\": [\"set\", "
              "[\"secure\", \"standalone\"]]}, \"min\": 0}");
    assert_null(ovsdb_type_from_json(&t, j));
    assert_non_null(t.key.enum_);
    assert_int_equal(t.key.enum_->n, 2);
    assert_string_equal(t.key.enum_->keys[0].string, "secure");
    ovsdb_type_clone(&c, &t);
    back = ovsdb_type_to_json(&c);
    assert_true(json_equal(back, j));
    json_decref(back);
    json_decref(j);
    ovsdb_type_destroy(&t);
    ovsdb_type_destroy(&c);

    /* A one-value enum may be written as a bare atom. */
    j = parse("{\"key\": {\"type\": \"integer\", \"enum\": 7}}");
    assert_null(ovsdb_type_from_json(&t, j));
    assert_int_equal(t.key.enum_->n, 1);
    assert_int_equal(t.key.enum_->keys[0].integer, 7);
    json_decref(j);
    ovsdb_type_destroy(&t);
}

static void
test_errors(void **state)
{
    (void) state;
    static const char *const bad[] = {
        "\"int\"", "42", "{\"min\": 0}", "{\"key\": \"integer\", \"min\": 2}",
        "{\"key\": \"integer\", \"max\": 0}",
        "{\"key\": \"integer\", \"max\": \"lots\"}",
        "{\"key\": \"integer\", \"bogus\": 1}",
        "{\"key\": {\"type\": \"string\", \"minInteger\": 1}}",
        "{\"key\": {\"type\": \"integer\", \"minLength\": 1}}",
        "{\"key\": {\"type\": \"integer\", \"minReal\": 1}}",
        "{\"key\": {\"type\": \"integer\", \"refTable\": \"T\"}}",
        "{\"key\": {\"type\": \"uuid\", \"refType\": \"weak\"}}",
        "{\"key\": {\"type\": \"uuid\", \"refTable\": \"T\", "
        "\"refType\": \"soft\"}}",
        "{\"key\": {\"type\": \"integer\", \"minInteger\": 5, "
        "\"maxInteger\": 4}}",
        "{\"key\": {\"type\": \"string\", \"minLength\": -1}}",
        "{\"key\": {\"type\": \"string\", \"enum\": [\"set\", [1, 2]]}}",
        "{\"key\": {\"type\": \"string\", \"enum\": [\"set\", [\"a\", "
        "\"a\"]]}}",
        "{\"key\": {\"nottype\": \"string\"}}",
        "{\"key\": \"string\", \"value\": \"void\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *d = type_err(bad[i]);
        if (!d) {
            fail_msg("accepted bad type %s", bad[i]);
        }
        free(d);
    }
    char *d = type_err("{\"key\": \"integer\", \"value\": \"float\"}");
    assert_non_null(strstr(d, "value"));
    assert_non_null(strstr(d, "float"));
    free(d);
    d = type_err("{\"key\": {\"type\": \"uuid\", \"refTable\": \"T\", "
                 "\"refType\": \"soft\"}}");
    assert_non_null(strstr(d, "refType"));
    free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_atomic_names),
        cmocka_unit_test(test_scalar_types),
        cmocka_unit_test(test_set_and_map),
        cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_refs_and_enum),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
