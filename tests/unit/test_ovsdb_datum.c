/* Unit tests for ovsdb/datum and ovsdb/uuid: atoms, datums, JSON
 * notation, constraints, set and map algebra, differences, UUIDs. */
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
#include "ovsdb/uuid.h"

static json_t *
parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
    if (!j) {
        fail_msg("bad JSON in test: %s", text);
    }
    return j;
}

static void
make_type(struct ovsdb_type *t, const char *text)
{
    json_t *j = parse(text);
    json_t *err = ovsdb_type_from_json(t, j);
    assert_null(err);
    json_decref(j);
}

/* Parses 'value' as a datum of 'type'; returns the error tag (static
 * storage: a copy kept until the next call) or NULL and fills 'd'. */
static const char *
datum_parse(struct ovsdb_datum *d, const struct ovsdb_type *t,
            const char *value, struct ovsdb_symtab *st)
{
    static char tag[64];
    json_t *j = parse(value);
    json_t *err = ovsdb_datum_from_json(d, t, j, st);
    json_decref(j);
    if (!err) {
        return NULL;
    }
    snprintf(tag, sizeof tag, "%s", ovsdb_error_tag(err));
    json_decref(err);
    return tag;
}

static void
assert_json_text(json_t *j, const char *expect)
{
    json_t *e = parse(expect);
    if (!json_equal(j, e)) {
        char *s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
        fail_msg("got %s, expected %s", s, expect);
    }
    json_decref(e);
    json_decref(j);
}

static void
test_uuid(void **state)
{
    (void) state;
    struct ovsdb_uuid a, b, c;
    char buf[OVSDB_UUID_LEN + 1];

    ovsdb_uuid_generate(&a);
    ovsdb_uuid_generate(&b);
    assert_false(ovsdb_uuid_equals(&a, &b));
    assert_int_equal(a.b[6] >> 4, 4);           /* Version 4. */
    assert_int_equal(a.b[8] >> 6, 2);           /* Variant 1. */
    ovsdb_uuid_format(&a, buf);
    assert_int_equal(strlen(buf), 36);
    assert_true(ovsdb_uuid_from_string(&c, buf));
    assert_true(ovsdb_uuid_equals(&a, &c));
    assert_int_equal(ovsdb_uuid_hash(&a), ovsdb_uuid_hash(&c));

    assert_true(ovsdb_uuid_from_string(&c,
        "550E8400-E29B-41D4-A716-446655440000"));
    ovsdb_uuid_format(&c, buf);
    assert_string_equal(buf, "550e8400-e29b-41d4-a716-446655440000");
    assert_false(ovsdb_uuid_is_zero(&c));
    assert_true(ovsdb_uuid_compare(&c, &c) == 0);

    static const char *const bad[] = {
        "", "550e8400-e29b-41d4-a716-44665544000",
        "550e8400-e29b-41d4-a716-4466554400000",
        "550e8400xe29b-41d4-a716-446655440000",
        "g50e8400-e29b-41d4-a716-446655440000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_false(ovsdb_uuid_from_string(&c, bad[i]));
        assert_true(ovsdb_uuid_is_zero(&c));
    }
    assert_false(ovsdb_uuid_from_string(&c, NULL));

    /* Many UUIDs, no duplicates. */
    struct ovsdb_uuid many[256];
    for (int i = 0; i < 256; i++) {
        ovsdb_uuid_generate(&many[i]);
        for (int k = 0; k < i; k++) {
            assert_false(ovsdb_uuid_equals(&many[i], &many[k]));
        }
    }
}

static void
test_atoms(void **state)
{
    (void) state;
    struct ovsdb_base_type b;
    union ovsdb_atom a;
    json_t *j, *err;

    ovsdb_base_type_init(&b, OVSDB_TYPE_INTEGER);
    j = parse("-42");
    assert_null(ovsdb_atom_from_json(&a, &b, j, NULL));
    assert_int_equal(a.integer, -42);
    json_decref(j);
    j = parse("1.5");
    err = ovsdb_atom_from_json(&a, &b, j, NULL);
    assert_string_equal(ovsdb_error_tag(err), OVSDB_E_SYNTAX);
    json_decref(err);
    json_decref(j);

    ovsdb_base_type_init(&b, OVSDB_TYPE_REAL);
    j = parse("3");
    assert_null(ovsdb_atom_from_json(&a, &b, j, NULL));
    assert_true(a.real == 3.0);
    json_decref(j);

    ovsdb_base_type_init(&b, OVSDB_TYPE_BOOLEAN);
    j = parse("true");
    assert_null(ovsdb_atom_from_json(&a, &b, j, NULL));
    assert_true(a.boolean);
    json_decref(j);
    j = parse("\"true\"");
    err = ovsdb_atom_from_json(&a, &b, j, NULL);
    assert_non_null(err);
    json_decref(err);
    json_decref(j);

    ovsdb_base_type_init(&b, OVSDB_TYPE_UUID);
    j = parse("[\"uuid\", \"550e8400-e29b-41d4-a716-446655440000\"]");
    assert_null(ovsdb_atom_from_json(&a, &b, j, NULL));
    assert_json_text(ovsdb_atom_to_json(&a, OVSDB_TYPE_UUID),
                     "[\"uuid\", \"550e8400-e29b-41d4-a716-446655440000\"]");
    json_decref(j);
    static const char *const bad_uuids[] = {
        "[\"uuid\", \"nope\"]", "[\"uuid\"]", "\"550e8400-e29b-41d4-a716-"
        "446655440000\"", "[\"named-uuid\", \"x\"]", "[\"other\", \"x\"]",
    };
    for (size_t i = 0; i < sizeof bad_uuids / sizeof *bad_uuids; i++) {
        j = parse(bad_uuids[i]);
        err = ovsdb_atom_from_json(&a, &b, j, NULL);
        if (!err) {
            fail_msg("accepted %s", bad_uuids[i]);
        }
        json_decref(err);
        json_decref(j);
    }

    /* Named UUIDs resolve through the symbol table, consistently. */
    struct ovsdb_symtab st;
    union ovsdb_atom a2;
    ovsdb_symtab_init(&st);
    j = parse("[\"named-uuid\", \"row1\"]");
    assert_null(ovsdb_atom_from_json(&a, &b, j, &st));
    assert_null(ovsdb_atom_from_json(&a2, &b, j, &st));
    json_decref(j);
    assert_true(ovsdb_uuid_equals(&a.uuid, &a2.uuid));
    struct ovsdb_symbol *sym = ovsdb_symtab_find(&st, "row1");
    assert_non_null(sym);
    assert_true(sym->referenced);
    assert_false(sym->created);
    assert_true(ovsdb_uuid_equals(&sym->uuid, &a.uuid));
    assert_null(ovsdb_symtab_find(&st, "row2"));
    ovsdb_symtab_destroy(&st);
}

static void
test_atom_constraints(void **state)
{
    (void) state;
    struct ovsdb_type t;
    struct ovsdb_datum d;

    make_type(&t, "{\"key\": {\"type\": \"integer\", \"minInteger\": 1, "
              "\"maxInteger\": 10}}");
    assert_null(datum_parse(&d, &t, "1", NULL));
    ovsdb_datum_destroy(&d, &t);
    assert_null(datum_parse(&d, &t, "10", NULL));
    ovsdb_datum_destroy(&d, &t);
    assert_string_equal(datum_parse(&d, &t, "0", NULL), OVSDB_E_CONSTRAINT);
    assert_string_equal(datum_parse(&d, &t, "11", NULL), OVSDB_E_CONSTRAINT);
    ovsdb_type_destroy(&t);

    make_type(&t, "{\"key\": {\"type\": \"real\", \"minReal\": 0.5, "
              "\"maxReal\": 1.5}}");
    assert_null(datum_parse(&d, &t, "1", NULL));
    ovsdb_datum_destroy(&d, &t);
    assert_string_equal(datum_parse(&d, &t, "0.25", NULL),
                        OVSDB_E_CONSTRAINT);
    ovsdb_type_destroy(&t);

    /* Lengths count characters, not bytes. */
    make_type(&t, "{\"key\": {\"type\": \"string\", \"minLength\": 2, "
              "\"maxLength\": 3}}");
    assert_null(datum_parse(&d, &t, "\"\\u00e9\\u00e9\\u00e9\"", NULL));
    ovsdb_datum_destroy(&d, &t);
    assert_string_equal(datum_parse(&d, &t, "\"a\"", NULL),
                        OVSDB_E_CONSTRAINT);
    assert_string_equal(datum_parse(&d, &t, "\"abcd\"", NULL),
                        OVSDB_E_CONSTRAINT);
    ovsdb_type_destroy(&t);

    make_type(&t, "{\"key\": {\"type\": \"string\", \"enum\": [\"set\", "
              "[\"red\", \"green\"]]}, \"min\": 0, \"max\": 2}");
    assert_null(datum_parse(&d, &t, "[\"set\", [\"green\", \"red\"]]", NULL));
    ovsdb_datum_destroy(&d, &t);
    assert_string_equal(datum_parse(&d, &t, "\"blue\"", NULL),
                        OVSDB_E_CONSTRAINT);
    ovsdb_type_destroy(&t);

    /* Invalid UTF-8 (JSON-RPC keeps it, as Open vSwitch does) is refused
     * as ovsdb-server refuses it; an enum says so first. */
    static const struct {
        const char *type, *details;
    } bad[] = {
        { "\"string\"", "not a valid UTF-8 string: invalid UTF-8 "
          "sequence 0xe2 0x82 0x62" },
        { "{\"key\": {\"type\": \"string\", \"maxLength\": 1}}",
          "not a valid UTF-8 string: invalid UTF-8 sequence 0xe2 0x82 "
          "0x62" },
        { "{\"key\": {\"type\": \"string\", \"enum\": \"red\"}}",
          "\"a\xe2\x82" "b\" is not one of the allowed values ([red])" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        make_type(&t, bad[i].type);
        json_t *j = json_stringn_nocheck("a\xe2\x82" "b", 4);
        json_t *err = ovsdb_datum_from_json(&d, &t, j, NULL);
        assert_non_null(err);
        assert_string_equal(ovsdb_error_tag(err), OVSDB_E_CONSTRAINT);
        assert_string_equal(ovsdb_error_details(err), bad[i].details);
        json_decref(err);
        json_decref(j);
        ovsdb_type_destroy(&t);
    }
}

static void
test_sets(void **state)
{
    (void) state;
    struct ovsdb_type t;
    struct ovsdb_datum d;

    make_type(&t, "{\"key\": \"integer\", \"min\": 0, \"max\": 3}");
    assert_null(datum_parse(&d, &t, "[\"set\", [3, 1, 2]]", NULL));
    assert_int_equal(d.n, 3);
    assert_int_equal(d.keys[0].integer, 1);
    assert_int_equal(d.keys[2].integer, 3);
    assert_null(d.values);
    assert_json_text(ovsdb_datum_to_json(&d, &t), "[\"set\", [1, 2, 3]]");
    ovsdb_datum_destroy(&d, &t);

    /* A bare atom is a one-element set, and is written back bare. */
    assert_null(datum_parse(&d, &t, "5", NULL));
    assert_int_equal(d.n, 1);
    assert_json_text(ovsdb_datum_to_json(&d, &t), "5");
    ovsdb_datum_destroy(&d, &t);
    assert_null(datum_parse(&d, &t, "[\"set\", []]", NULL));
    assert_int_equal(d.n, 0);
    assert_json_text(ovsdb_datum_to_json(&d, &t), "[\"set\", []]");
    ovsdb_datum_destroy(&d, &t);

    assert_string_equal(datum_parse(&d, &t, "[\"set\", [1, 1]]", NULL),
                        OVSDB_E_GENERIC);       /* As ovsdb-server. */
    /* As ovsdb-server: too many members is a syntax error. */
    assert_string_equal(datum_parse(&d, &t, "[\"set\", [1, 2, 3, 4]]", NULL),
                        OVSDB_E_SYNTAX);
    assert_string_equal(datum_parse(&d, &t, "[\"set\", 1]", NULL),
                        OVSDB_E_SYNTAX);
    assert_string_equal(datum_parse(&d, &t, "[\"map\", []]", NULL),
                        OVSDB_E_SYNTAX);
    assert_string_equal(datum_parse(&d, &t, "[\"set\", [\"x\"]]", NULL),
                        OVSDB_E_SYNTAX);
    ovsdb_type_destroy(&t);

    /* A scalar needs exactly one value. */
    make_type(&t, "\"string\"");
    assert_string_equal(datum_parse(&d, &t, "[\"set\", []]", NULL),
                        OVSDB_E_SYNTAX);
    assert_null(datum_parse(&d, &t, "[\"set\", [\"x\"]]", NULL));
    assert_json_text(ovsdb_datum_to_json(&d, &t), "\"x\"");
    ovsdb_datum_destroy(&d, &t);
    ovsdb_type_destroy(&t);
}

static void
test_maps(void **state)
{
    (void) state;
    struct ovsdb_type t;
    struct ovsdb_datum d;

    make_type(&t, "{\"key\": \"string\", \"value\": \"integer\", \"min\": 0,"
              " \"max\": \"unlimited\"}");
    assert_null(datum_parse(&d, &t, "[\"map\", [[\"b\", 2], [\"a\", 1]]]",
                            NULL));
    assert_int_equal(d.n, 2);
    assert_string_equal(d.keys[0].string, "a");
    assert_int_equal(d.values[0].integer, 1);
    assert_json_text(ovsdb_datum_to_json(&d, &t),
                     "[\"map\", [[\"a\", 1], [\"b\", 2]]]");
    ovsdb_datum_destroy(&d, &t);

    assert_string_equal(datum_parse(&d, &t, "[\"map\", [[\"a\", 1], "
                                    "[\"a\", 2]]]", NULL),
                        OVSDB_E_GENERIC);
    assert_string_equal(datum_parse(&d, &t, "[\"map\", [[\"a\"]]]", NULL),
                        OVSDB_E_SYNTAX);
    assert_string_equal(datum_parse(&d, &t, "[\"map\", [[\"a\", \"b\"]]]",
                                    NULL), OVSDB_E_SYNTAX);
    assert_string_equal(datum_parse(&d, &t, "[\"set\", []]", NULL),
                        OVSDB_E_SYNTAX);
    assert_string_equal(datum_parse(&d, &t, "\"a\"", NULL), OVSDB_E_SYNTAX);
    assert_null(datum_parse(&d, &t, "[\"map\", []]", NULL));
    assert_json_text(ovsdb_datum_to_json(&d, &t), "[\"map\", []]");
    ovsdb_datum_destroy(&d, &t);
    ovsdb_type_destroy(&t);
}

static void
test_defaults(void **state)
{
    (void) state;
    static const struct {
        const char *type, *json;
    } cases[] = {
        { "\"integer\"", "0" }, { "\"real\"", "0" },
        { "\"boolean\"", "false" }, { "\"string\"", "\"\"" },
        { "\"uuid\"", "[\"uuid\", \"00000000-0000-0000-0000-000000000000\"]" },
        { "{\"key\": \"integer\", \"min\": 0}", "[\"set\", []]" },
        { "{\"key\": \"string\", \"value\": \"string\", \"min\": 0, "
          "\"max\": \"unlimited\"}", "[\"map\", []]" },
        { "{\"key\": \"string\", \"value\": \"integer\"}",
          "[\"map\", [[\"\", 0]]]" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct ovsdb_type t;
        struct ovsdb_datum d, other;
        make_type(&t, cases[i].type);
        ovsdb_datum_init_default(&d, &t);
        assert_true(ovsdb_datum_is_default(&d, &t));
        assert_json_text(ovsdb_datum_to_json(&d, &t), cases[i].json);
        ovsdb_datum_clone(&other, &d, &t);
        assert_true(ovsdb_datum_equals(&d, &other, &t));
        ovsdb_datum_destroy(&other, &t);
        ovsdb_datum_destroy(&d, &t);
        ovsdb_type_destroy(&t);
    }
    struct ovsdb_type t;
    struct ovsdb_datum d;
    make_type(&t, "\"integer\"");
    assert_null(datum_parse(&d, &t, "1", NULL));
    assert_false(ovsdb_datum_is_default(&d, &t));
    ovsdb_datum_destroy(&d, &t);
    ovsdb_type_destroy(&t);
}

static void
test_compare_hash(void **state)
{
    (void) state;
    struct ovsdb_type t;
    struct ovsdb_datum a, b, c;
    make_type(&t, "{\"key\": \"string\", \"min\": 0, \"max\": "
              "\"unlimited\"}");
    assert_null(datum_parse(&a, &t, "[\"set\", [\"x\", \"y\"]]", NULL));
    assert_null(datum_parse(&b, &t, "[\"set\", [\"y\", \"x\"]]", NULL));
    assert_null(datum_parse(&c, &t, "[\"set\", [\"x\"]]", NULL));
    assert_true(ovsdb_datum_equals(&a, &b, &t));
    assert_int_equal(ovsdb_datum_hash(&a, &t, 7), ovsdb_datum_hash(&b, &t, 7));
    assert_false(ovsdb_datum_equals(&a, &c, &t));
    assert_true(ovsdb_datum_compare(&c, &a, &t) < 0);
    assert_true(ovsdb_datum_compare(&a, &c, &t) > 0);
    assert_true(ovsdb_datum_includes_all(&a, &c, &t));
    assert_false(ovsdb_datum_includes_all(&c, &a, &t));
    assert_false(ovsdb_datum_excludes_all(&a, &c, &t));
    ovsdb_datum_destroy(&a, &t);
    ovsdb_datum_destroy(&b, &t);
    ovsdb_datum_destroy(&c, &t);
    ovsdb_type_destroy(&t);
}

static void
test_algebra(void **state)
{
    (void) state;
    struct ovsdb_type t, keys;
    struct ovsdb_datum a, b;

    make_type(&t, "{\"key\": \"integer\", \"min\": 0, \"max\": "
              "\"unlimited\"}");
    assert_null(datum_parse(&a, &t, "[\"set\", [1, 3]]", NULL));
    assert_null(datum_parse(&b, &t, "[\"set\", [2, 3, 4]]", NULL));
    ovsdb_datum_union(&a, &b, &t);
    assert_json_text(ovsdb_datum_to_json(&a, &t), "[\"set\", [1, 2, 3, 4]]");
    ovsdb_datum_destroy(&b, &t);
    assert_null(datum_parse(&b, &t, "[\"set\", [1, 4, 9]]", NULL));
    ovsdb_datum_subtract(&a, &t, &b, &t);
    assert_json_text(ovsdb_datum_to_json(&a, &t), "[\"set\", [2, 3]]");
    assert_true(ovsdb_datum_excludes_all(&a, &b, &t));
    ovsdb_datum_destroy(&a, &t);
    ovsdb_datum_destroy(&b, &t);
    ovsdb_type_destroy(&t);

    make_type(&t, "{\"key\": \"string\", \"value\": \"string\", \"min\": 0, "
              "\"max\": \"unlimited\"}");
    assert_null(datum_parse(&a, &t, "[\"map\", [[\"a\", \"1\"], "
                            "[\"b\", \"2\"]]]", NULL));
    assert_null(datum_parse(&b, &t, "[\"map\", [[\"a\", \"9\"], "
                            "[\"c\", \"3\"]]]", NULL));
    /* Union keeps existing keys' values. */
    ovsdb_datum_union(&a, &b, &t);
    assert_json_text(ovsdb_datum_to_json(&a, &t), "[\"map\", [[\"a\", \"1\"],"
                     " [\"b\", \"2\"], [\"c\", \"3\"]]]");
    /* Pairs: only matching values are removed. */
    ovsdb_datum_subtract(&a, &t, &b, &t);
    assert_json_text(ovsdb_datum_to_json(&a, &t), "[\"map\", [[\"a\", \"1\"],"
                     " [\"b\", \"2\"]]]");
    /* Includes/excludes on maps compare pairs. */
    assert_false(ovsdb_datum_includes_all(&a, &b, &t));
    assert_true(ovsdb_datum_excludes_all(&a, &b, &t));
    ovsdb_datum_destroy(&b, &t);
    /* Keys. */
    make_type(&keys, "{\"key\": \"string\", \"min\": 0, \"max\": "
              "\"unlimited\"}");
    assert_null(datum_parse(&b, &keys, "[\"set\", [\"b\", \"z\"]]", NULL));
    ovsdb_datum_subtract(&a, &t, &b, &keys);
    assert_json_text(ovsdb_datum_to_json(&a, &t),
                     "[\"map\", [[\"a\", \"1\"]]]");
    ovsdb_datum_destroy(&b, &keys);
    ovsdb_type_destroy(&keys);
    ovsdb_datum_destroy(&a, &t);
    ovsdb_type_destroy(&t);
}

static void
test_loose_and_named(void **state)
{
    (void) state;
    struct ovsdb_type t;
    struct ovsdb_datum d;
    struct ovsdb_symtab st;

    make_type(&t, "{\"key\": {\"type\": \"integer\", \"maxInteger\": 3}, "
              "\"min\": 1, \"max\": 1}");
    json_t *j = parse("[\"set\", [9, 7, 8]]");
    assert_null(ovsdb_datum_from_json_loose(&d, &t, j, NULL));
    assert_int_equal(d.n, 3);       /* No count, no constraints. */
    ovsdb_datum_destroy(&d, &t);
    json_decref(j);
    ovsdb_type_destroy(&t);

    make_type(&t, "{\"key\": {\"type\": \"uuid\"}, \"min\": 0, \"max\": 2}");
    ovsdb_symtab_init(&st);
    assert_null(datum_parse(&d, &t, "[\"set\", [[\"named-uuid\", \"a\"], "
                            "[\"named-uuid\", \"b\"]]]", &st));
    assert_int_equal(d.n, 2);
    assert_int_equal(st.n, 2);
    ovsdb_datum_destroy(&d, &t);
    assert_string_equal(datum_parse(&d, &t, "[\"named-uuid\", \"a\"]", NULL),
                        OVSDB_E_SYNTAX);
    ovsdb_symtab_destroy(&st);
    ovsdb_type_destroy(&t);
}

/* Parses 'value' of type 'type' strictly or loosely; returns the error's
 * details (static storage) or NULL. */
static const char *
dup_details(const char *type, const char *value, bool loose)
{
    static char details[128];
    struct ovsdb_type t;
    struct ovsdb_datum d;
    make_type(&t, type);
    json_t *j = parse(value);
    json_t *err = loose ? ovsdb_datum_from_json_loose(&d, &t, j, NULL)
                        : ovsdb_datum_from_json(&d, &t, j, NULL);
    json_decref(j);
    ovsdb_type_destroy(&t);
    if (!err) {
        ovsdb_datum_destroy(&d, &t);
        return NULL;
    }
    assert_string_equal(ovsdb_error_tag(err), OVSDB_E_GENERIC);
    snprintf(details, sizeof details, "%s", ovsdb_error_details(err));
    json_decref(err);
    return details;
}

/* Duplicates, as ovsdb-server answers them, whichever parser reads them.
 * Two pairs of duplicates of a type whose atoms own memory (strings)
 * made the sort compare with an element it had freed (a remote crash of
 * sluiced from one "select"). */
static void
test_duplicates(void **state)
{
    (void) state;
    static const char set_s[] = "{\"key\": \"string\", \"min\": 0, "
                                "\"max\": \"unlimited\"}";
    static const char map_s[] = "{\"key\": \"string\", \"value\": "
                                "\"string\", \"min\": 0, "
                                "\"max\": \"unlimited\"}";
    static const char set_i[] = "{\"key\": \"integer\", \"min\": 0, "
                                "\"max\": \"unlimited\"}";
    for (int loose = 0; loose < 2; loose++) {
        assert_string_equal(dup_details(set_s, "[\"set\", [\"a\", \"a\", "
                                        "\"b\", \"b\"]]", loose),
                            "set contains duplicate");
        assert_string_equal(dup_details(set_s, "[\"set\", [\"b\", \"a\", "
                                        "\"b\", \"c\", \"a\"]]", loose),
                            "set contains duplicate");
        assert_string_equal(dup_details(set_i, "[\"set\", [2, 1, 2]]", loose),
                            "set contains duplicate");
        assert_string_equal(dup_details(map_s, "[\"map\", [[\"a\", \"1\"], "
                                        "[\"a\", \"1\"], [\"b\", \"1\"], "
                                        "[\"b\", \"1\"]]]", loose),
                            "map contains duplicate key");
        assert_string_equal(dup_details(map_s, "[\"map\", [[\"a\", \"1\"], "
                                        "[\"a\", \"2\"]]]", loose),
                            "map contains duplicate key");
        assert_null(dup_details(set_s, "[\"set\", [\"b\", \"a\"]]", loose));
    }

    /* The sort itself, deduplicating: the first of each run is kept. */
    struct ovsdb_type t;
    struct ovsdb_datum d;
    make_type(&t, map_s);
    ovsdb_datum_init_empty(&d);
    static const char *const kv[][2] = {
        { "b", "1" }, { "a", "1" }, { "b", "2" }, { "a", "2" }, { "c", "1" },
        { "b", "3" }, { "c", "2" }, { "a", "3" },
    };
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        union ovsdb_atom k = { .string = strdup(kv[i][0]) };
        union ovsdb_atom v = { .string = strdup(kv[i][1]) };
        ovsdb_datum_append(&d, &k, &v, &t);
    }
    assert_int_equal(ovsdb_datum_sort(&d, &t, true), 5);
    assert_json_text(ovsdb_datum_to_json(&d, &t),
                     "[\"map\", [[\"a\", \"1\"], [\"b\", \"1\"], "
                     "[\"c\", \"1\"]]]");
    ovsdb_datum_destroy(&d, &t);
    ovsdb_type_destroy(&t);
}

/* 'old' changed by difference 'diff', both JSON text of type 'type':
 * the result's JSON text (compact; static storage) or the error tag. */
static const char *
apply_diff(const char *type, const char *old, const char *diff)
{
    static char out[256];
    struct ovsdb_type t;
    struct ovsdb_datum o, d, n;
    make_type(&t, type);
    assert_null(datum_parse(&o, &t, old, NULL));
    json_t *j = parse(diff);
    assert_null(ovsdb_datum_from_json_loose(&d, &t, j, NULL));
    json_decref(j);
    json_t *err = ovsdb_datum_apply_diff(&n, &o, &d, &t);
    if (err) {
        snprintf(out, sizeof out, "%s", ovsdb_error_tag(err));
        assert_int_equal(n.n, 0);
        json_decref(err);
    } else {
        json_t *r = ovsdb_datum_to_json(&n, &t);
        char *s = json_dumps(r, JSON_ENCODE_ANY | JSON_COMPACT);
        snprintf(out, sizeof out, "%s", s);
        free(s);
        json_decref(r);
        /* The result is a valid datum: sorted, no duplicates. */
        json_t *back = ovsdb_datum_to_json(&n, &t);
        struct ovsdb_datum again;
        assert_null(ovsdb_datum_from_json(&again, &t, back, NULL));
        assert_true(ovsdb_datum_equals(&again, &n, &t));
        ovsdb_datum_destroy(&again, &t);
        json_decref(back);
        ovsdb_datum_destroy(&n, &t);
    }
    ovsdb_datum_destroy(&o, &t);
    ovsdb_datum_destroy(&d, &t);
    ovsdb_type_destroy(&t);
    return out;
}

static void
test_apply_diff(void **state)
{
    (void) state;
    static const char ints[] = "{\"key\": \"integer\", \"min\": 0, "
                               "\"max\": \"unlimited\"}";
    /* Sets: each element of the difference is added or removed. */
    assert_string_equal(apply_diff(ints, "[\"set\", [1, 2]]",
                                   "[\"set\", [1, 3]]"), "[\"set\",[2,3]]");
    assert_string_equal(apply_diff(ints, "[\"set\", [1, 2]]", "5"),
                        "[\"set\",[1,2,5]]");
    assert_string_equal(apply_diff(ints, "[\"set\", [1, 2]]",
                                   "[\"set\", []]"), "[\"set\",[1,2]]");
    assert_string_equal(apply_diff(ints, "[\"set\", [1, 2]]",
                                   "[\"set\", [2, 1]]"), "[\"set\",[]]");
    assert_string_equal(apply_diff(ints, "[\"set\", []]",
                                   "[\"set\", [9, 0, 4]]"),
                        "[\"set\",[0,4,9]]");
    /* The difference may hold more elements than the type allows; the
     * result may not. */
    static const char max2[] = "{\"key\": \"integer\", \"min\": 0, "
                               "\"max\": 2}";
    assert_string_equal(apply_diff(max2, "[\"set\", [1, 2]]",
                                   "[\"set\", [1, 2, 3, 4]]"),
                        "[\"set\",[3,4]]");
    assert_string_equal(apply_diff(max2, "[\"set\", [1, 2]]", "3"),
                        OVSDB_E_CONSTRAINT);
    static const char min1[] = "{\"key\": \"string\", \"min\": 1, "
                               "\"max\": \"unlimited\"}";
    assert_string_equal(apply_diff(min1, "\"a\"", "\"a\""),
                        OVSDB_E_CONSTRAINT);
    assert_string_equal(apply_diff(min1, "\"a\"", "[\"set\", [\"a\", "
                                   "\"b\"]]"), "\"b\"");

    /* Maps: a new key is added, an equal pair removed, another value
     * replaces the old one. */
    static const char map[] = "{\"key\": \"string\", \"value\": "
                              "\"string\", \"min\": 0, \"max\": "
                              "\"unlimited\"}";
    assert_string_equal(apply_diff(map, "[\"map\", [[\"a\", \"1\"], "
                                   "[\"b\", \"2\"], [\"c\", \"3\"]]]",
                                   "[\"map\", [[\"a\", \"1\"], [\"b\", "
                                   "\"9\"], [\"d\", \"4\"]]]"),
                        "[\"map\",[[\"b\",\"9\"],[\"c\",\"3\"],"
                        "[\"d\",\"4\"]]]");
    assert_string_equal(apply_diff(map, "[\"map\", []]",
                                   "[\"map\", [[\"k\", \"v\"]]]"),
                        "[\"map\",[[\"k\",\"v\"]]]");
    assert_string_equal(apply_diff(map, "[\"map\", [[\"k\", \"v\"]]]",
                                   "[\"map\", [[\"k\", \"v\"]]]"),
                        "[\"map\",[]]");
    assert_string_equal(apply_diff(map, "[\"map\", [[\"k\", \"v\"]]]",
                                   "[\"map\", []]"),
                        "[\"map\",[[\"k\",\"v\"]]]");
    static const char imap[] = "{\"key\": \"integer\", \"value\": "
                               "\"uuid\", \"min\": 0, \"max\": 2}";
    assert_string_equal(apply_diff(imap, "[\"map\", [[1, [\"uuid\", "
                                   "\"00000000-0000-0000-0000-000000000001"
                                   "\"]]]]", "[\"map\", [[1, [\"uuid\", "
                                   "\"00000000-0000-0000-0000-000000000002"
                                   "\"]], [2, [\"uuid\", \"00000000-0000-"
                                   "0000-0000-000000000003\"]]]]"),
                        "[\"map\",[[1,[\"uuid\",\"00000000-0000-0000-"
                        "0000-000000000002\"]],[2,[\"uuid\",\"00000000-"
                        "0000-0000-0000-000000000003\"]]]]");
    assert_string_equal(apply_diff(imap, "[\"map\", [[1, [\"uuid\", "
                                   "\"00000000-0000-0000-0000-000000000001"
                                   "\"]], [2, [\"uuid\", \"00000000-0000-"
                                   "0000-0000-000000000003\"]]]]",
                                   "[\"map\", [[3, [\"uuid\", \"00000000-"
                                   "0000-0000-0000-000000000004\"]]]]"),
                        OVSDB_E_CONSTRAINT);

    /* Optional and plain scalars: the difference is the new value. */
    static const char opt[] = "{\"key\": \"integer\", \"min\": 0, "
                              "\"max\": 1}";
    assert_string_equal(apply_diff(opt, "5", "6"), "6");
    assert_string_equal(apply_diff(opt, "5", "5"), "5");
    assert_string_equal(apply_diff(opt, "5", "[\"set\", []]"),
                        "[\"set\",[]]");
    assert_string_equal(apply_diff(opt, "[\"set\", []]", "7"), "7");
    assert_string_equal(apply_diff(opt, "5", "[\"set\", [6, 7]]"),
                        OVSDB_E_CONSTRAINT);
    assert_string_equal(apply_diff("\"string\"", "\"x\"", "\"y\""),
                        "\"y\"");
    assert_string_equal(apply_diff("\"string\"", "\"x\"", "\"x\""),
                        "\"x\"");
    assert_string_equal(apply_diff("\"string\"", "\"x\"", "[\"set\", []]"),
                        OVSDB_E_CONSTRAINT);
    static const char map1[] = "{\"key\": \"string\", \"value\": "
                               "\"integer\", \"min\": 0, \"max\": 1}";
    assert_string_equal(apply_diff(map1, "[\"map\", [[\"a\", 1]]]",
                                   "[\"map\", [[\"b\", 2]]]"),
                        "[\"map\",[[\"b\",2]]]");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_atoms),
        cmocka_unit_test(test_atom_constraints),
        cmocka_unit_test(test_sets),
        cmocka_unit_test(test_maps),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_compare_hash),
        cmocka_unit_test(test_algebra),
        cmocka_unit_test(test_loose_and_named),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_apply_diff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
