/* libFuzzer target for sluicectl's value syntax (tools/sluicectl_value):
 * the first byte picks a column type (and whether "@NAME" row ids are
 * resolved), the rest is the text typed after "COLUMN=".  What parses
 * must print as text that parses back to the same value, and printing
 * that again must give the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ovsdb/datum.h"
#include "ovsdb/error.h"
#include "src/util/dstr.h"
#include "tests/fuzz/fuzz_text.h"
#include "tools/sluicectl_value.h"

#define CHECK(COND) do { if (!(COND)) { abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const types[] = {
    "\"integer\"",
    "{\"key\": {\"type\": \"integer\", \"minInteger\": 0, "
    "\"maxInteger\": 4095}, \"min\": 0, \"max\": 4096}",
    "\"real\"",
    "{\"key\": \"boolean\", \"min\": 0, \"max\": 1}",
    "{\"key\": \"string\", \"value\": \"string\", \"min\": 0, "
    "\"max\": \"unlimited\"}",
    "{\"key\": {\"type\": \"string\", \"enum\": [\"set\", [\"a\", \"b c\"]]}, "
    "\"min\": 0, \"max\": 2}",
    "{\"key\": \"uuid\", \"min\": 0, \"max\": \"unlimited\"}",
    "{\"key\": \"integer\", \"value\": \"uuid\", \"min\": 0, "
    "\"max\": \"unlimited\"}",
};
#define N_TYPES (sizeof types / sizeof *types)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) {
        return 0;
    }
    struct ovsdb_type t;
    json_t *tj = json_loads(types[data[0] % N_TYPES], JSON_DECODE_ANY,
                            NULL);
    CHECK(tj && !ovsdb_type_from_json(&t, tj));
    json_decref(tj);
    bool check = data[0] & 0x10;
    struct ovsdb_symtab st;
    ovsdb_symtab_init(&st);
    sctl_value_set_symtab(data[0] & 0x20 ? &st : NULL);

    char *text = fuzz_text(data + 1, size - 1);
    struct ovsdb_datum d;
    char *err = sctl_datum_from_string(&d, &t, text, check);
    if (!err) {
        struct dstr out = DSTR_INIT, again = DSTR_INIT;
        sctl_datum_to_string(&d, &t, false, &out);
        struct ovsdb_datum d2;
        char *err2 = sctl_datum_from_string(&d2, &t, dstr_cstr(&out),
                                            check);
        if (err2) {
            abort();        /* What was printed does not parse. */
        }
        CHECK(ovsdb_datum_equals(&d, &d2, &t));
        sctl_datum_to_string(&d2, &t, false, &again);
        CHECK(!strcmp(dstr_cstr(&out), dstr_cstr(&again)));
        /* What is sent to the server is valid JSON of the type. */
        json_t *j = ovsdb_datum_to_json(&d, &t);
        CHECK(j);
        json_decref(j);
        ovsdb_datum_destroy(&d2, &t);
        ovsdb_datum_destroy(&d, &t);
        dstr_free(&out);
        dstr_free(&again);
    } else {
        CHECK(*err);
        free(err);
    }
    free(text);
    sctl_value_set_symtab(NULL);
    ovsdb_symtab_destroy(&st);
    ovsdb_type_destroy(&t);
    return 0;
}
