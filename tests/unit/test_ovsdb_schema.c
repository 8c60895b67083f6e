/* Unit tests for ovsdb/schema: parsing, errors, writing back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "ovsdb/error.h"
#include "ovsdb/schema.h"

static const char good[] =
    "{\"name\": \"Demo\", \"version\": \"1.2.3\", \"cksum\": \"1 2\","
    " \"tables\": {"
    "  \"Bridge\": {\"isRoot\": true, \"maxRows\": 10,"
    "    \"columns\": {"
    "      \"name\": {\"type\": \"string\", \"mutable\": false},"
    "      \"ports\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                 \"refTable\": \"Port\"}, \"min\": 0,"
    "                 \"max\": \"unlimited\"}},"
    "      \"status\": {\"type\": {\"key\": \"string\", \"value\": \"string\","
    "                 \"min\": 0, \"max\": \"unlimited\"}, "
    "                 \"ephemeral\": true}},"
    "    \"indexes\": [[\"name\"]]},"
    "  \"Port\": {\"columns\": {"
    "      \"name\": {\"type\": \"string\"},"
    "      \"peer\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                \"refTable\": \"Port\", \"refType\": \"weak\"},"
    "                \"min\": 0}}}}"
    "}}";

static json_t *
parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j) {
        fail_msg("bad JSON in test: %s (%s)", text, e.text);
    }
    return j;
}

static void
test_parse_good(void **state)
{
    (void) state;
    struct ovsdb_schema *s;
    json_t *j = parse(good);
    assert_null(ovsdb_schema_from_json(&s, j));
    json_decref(j);
    assert_string_equal(s->name, "Demo");
    assert_string_equal(s->version, "1.2.3");
    assert_string_equal(s->cksum, "1 2");
    assert_int_equal(s->n_tables, 2);

    const struct ovsdb_table_schema *br = ovsdb_schema_find_table(s,
                                                                  "Bridge");
    const struct ovsdb_table_schema *port = ovsdb_schema_find_table(s,
                                                                    "Port");
    assert_non_null(br);
    assert_non_null(port);
    assert_null(ovsdb_schema_find_table(s, "Nope"));
    assert_true(br->is_root);
    assert_false(port->is_root);
    assert_int_equal(br->max_rows, 10);
    assert_int_equal(port->max_rows, OVSDB_UNLIMITED);
    assert_int_equal(br->n_columns, 5);         /* _uuid, _version + 3. */
    assert_string_equal(br->columns[0].name, "_uuid");
    assert_string_equal(br->columns[1].name, "_version");
    assert_false(br->columns[0].mutable_);

    const struct ovsdb_column_schema *c =
        ovsdb_table_schema_find_column(br, "name");
    assert_non_null(c);
    assert_false(c->mutable_);
    assert_int_equal(br->n_indexes, 1);
    assert_int_equal(br->indexes[0].n, 1);
    assert_int_equal(br->indexes[0].cols[0], c->idx);
    c = ovsdb_table_schema_find_column(br, "ports");
    assert_ptr_equal(c->type.key.ref_table, port);
    assert_true(c->mutable_);
    c = ovsdb_table_schema_find_column(br, "status");
    assert_true(c->ephemeral);
    c = ovsdb_table_schema_find_column(port, "peer");
    assert_ptr_equal(c->type.key.ref_table, port);
    assert_true(ovsdb_base_type_is_weak_ref(&c->type.key));
    assert_null(ovsdb_table_schema_find_column(port, "nope"));
    ovsdb_schema_destroy(s);
}

static void
test_round_trip(void **state)
{
    (void) state;
    struct ovsdb_schema *s, *s2;
    json_t *j = parse(good);
    assert_null(ovsdb_schema_from_json(&s, j));
    json_t *out = ovsdb_schema_to_json(s);
    /* Same as the input, which is written in canonical form. */
    if (!json_equal(out, j)) {
        char *a = json_dumps(out, JSON_SORT_KEYS);
        fail_msg("schema changed: %s", a);
    }
    assert_null(ovsdb_schema_from_json(&s2, out));
    json_t *out2 = ovsdb_schema_to_json(s2);
    assert_true(json_equal(out, out2));
    json_decref(j);
    json_decref(out);
    json_decref(out2);
    ovsdb_schema_destroy(s);
    ovsdb_schema_destroy(s2);
}

static void
test_all_root_when_none_is(void **state)
{
    (void) state;
    struct ovsdb_schema *s;
    json_t *j = parse("{\"name\": \"Old\", \"version\": \"0.0.1\", "
                      "\"tables\": {\"A\": {\"columns\": {\"x\": {\"type\": "
                      "\"integer\"}}}, \"B\": {\"isRoot\": false, "
                      "\"columns\": {\"y\": {\"type\": \"integer\"}}}}}");
    assert_null(ovsdb_schema_from_json(&s, j));
    assert_true(s->tables[0].is_root);
    assert_true(s->tables[1].is_root);
    json_t *out = ovsdb_schema_to_json(s);
    /* isRoot is written as the schema said, not as inferred. */
    assert_null(json_object_get(json_object_get(json_object_get(out,
                "tables"), "A"), "isRoot"));
    json_decref(out);
    json_decref(j);
    ovsdb_schema_destroy(s);
}

/* Replaces the first occurrence of 'from' in 'good' with 'to' and
 * returns the error details (caller frees), failing if it parses. */
static char *
bad_variant(const char *from, const char *to)
{
    const char *p = strstr(good, from);
    assert_non_null(p);
    char *text = malloc(strlen(good) + strlen(to) + 1);
    size_t head = (size_t) (p - good);
    memcpy(text, good, head);
    strcpy(text + head, to);
    strcat(text, p + strlen(from));

    struct ovsdb_schema *s;
    json_t *j = parse(text);
    json_t *err = ovsdb_schema_from_json(&s, j);
    json_decref(j);
    if (!err) {
        fail_msg("accepted %s", text);
    }
    free(text);
    assert_null(s);
    assert_string_equal(ovsdb_error_tag(err), OVSDB_E_SYNTAX);
    char *d = strdup(ovsdb_error_details(err));
    json_decref(err);
    return d;
}

static void
expect_bad(const char *from, const char *to, const char *w1, const char *w2)
{
    char *d = bad_variant(from, to);
    if ((w1 && !strstr(d, w1)) || (w2 && !strstr(d, w2))) {
        fail_msg("error \"%s\" does not name %s / %s", d, w1, w2 ? w2 : "");
    }
    free(d);
}

static void
test_errors_name_the_place(void **state)
{
    (void) state;
    expect_bad("\"type\": \"string\", \"mutable\"",
               "\"type\": \"strong\", \"mutable\"", "table Bridge",
               "column name");
    expect_bad("\"refTable\": \"Port\"}, \"min\"",
               "\"refTable\": \"Pork\"}, \"min\"", "Pork", "column ports");
    expect_bad("[[\"name\"]]", "[[\"nmae\"]]", "table Bridge", "nmae");
    expect_bad("[[\"name\"]]", "[[\"status\"]]", "table Bridge", "ephemeral");
    expect_bad("\"maxRows\": 10", "\"maxRows\": 0", "table Bridge",
               "maxRows");
    expect_bad("\"isRoot\": true", "\"isRoot\": 1", "table Bridge", "isRoot");
    expect_bad("\"name\": {\"type\": \"string\"}",
               "\"_name\": {\"type\": \"string\"}", "table Port", "_name");
    expect_bad("\"name\": {\"type\": \"string\"}",
               "\"name\": {\"type\": \"string\", \"color\": 1}",
               "table Port", "color");
    expect_bad("\"name\": {\"type\": \"string\"}", "\"name\": {}",
               "table Port", "type");
    expect_bad("\"mutable\": false", "\"mutable\": 0", "column name",
               "mutable");
    expect_bad("\"1.2.3\"", "\"1.2\"", "version", NULL);
    expect_bad("\"Demo\"", "\"De mo\"", "name", NULL);
    expect_bad("\"Port\": {\"columns\"", "\"Port\": {\"cols\"", "table Port",
               NULL);
    expect_bad("\"cksum\": \"1 2\"", "\"cksum\": 12", "cksum", NULL);
}

/* A schema without "version" (ovsdb-tool creates databases from it) is
 * accepted and written back without one. */
static void
test_no_version(void **state)
{
    (void) state;
    struct ovsdb_schema *s;
    json_t *j = parse("{\"name\": \"NoVer\", \"tables\": {\"T\": "
                      "{\"columns\": {\"a\": {\"type\": \"integer\"}}}}}");
    assert_null(ovsdb_schema_from_json(&s, j));
    assert_null(s->version);
    json_t *out = ovsdb_schema_to_json(s);
    assert_null(json_object_get(out, "version"));
    assert_true(json_equal(out, j));
    json_decref(out);
    json_decref(j);
    ovsdb_schema_destroy(s);
}

static void
test_from_file(void **state)
{
    (void) state;
    char path[] = "/tmp/test_ovsdb_schemaXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, good, strlen(good)), (ssize_t) strlen(good));
    close(fd);

    struct ovsdb_schema *s;
    assert_null(ovsdb_schema_from_file(&s, path));
    assert_string_equal(s->name, "Demo");
    ovsdb_schema_destroy(s);

    fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "{\"name\": ", 9), 9);
    close(fd);
    json_t *err = ovsdb_schema_from_file(&s, path);
    assert_non_null(err);
    assert_non_null(strstr(ovsdb_error_details(err), path));
    json_decref(err);
    unlink(path);

    err = ovsdb_schema_from_file(&s, "/nonexistent/x.ovsschema");
    assert_non_null(err);
    assert_null(s);
    json_decref(err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_all_root_when_none_is),
        cmocka_unit_test(test_errors_name_the_place),
        cmocka_unit_test(test_no_version),
        cmocka_unit_test(test_from_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
