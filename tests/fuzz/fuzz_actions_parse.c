/* libFuzzer target for the datapath action text form: any bytes as the
 * text given to dp_actions_parse().  What parses must be a valid list,
 * print (dp_actions_format()) as text that parses back to the same list,
 * and print the same again.  Port names p0..p9 stand for ports 0..9 both
 * ways. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pmd/actions.h"
#include "src/util/dstr.h"
#include "tests/fuzz/fuzz_text.h"

#define CHECK(COND) do { if (!(COND)) { abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    struct dstr err = DSTR_INIT, out = DSTR_INIT, again = DSTR_INIT;
    struct dp_actions *a, *b = NULL;

    if (!dp_actions_parse(text, &a, fuzz_port_lookup, NULL, &err)) {
        CHECK(a && !dp_actions_validate(a));
        dp_actions_format(a, &out, fuzz_port_name, NULL);
        if (dp_actions_parse(dstr_cstr(&out), &b, fuzz_port_lookup, NULL,
                             &err)) {
            abort();    /* What was printed does not parse. */
        }
        CHECK(dp_actions_equal(a, b));
        dp_actions_format(b, &again, fuzz_port_name, NULL);
        CHECK(!strcmp(dstr_cstr(&out), dstr_cstr(&again)));
        free(a);
        free(b);
    } else {
        CHECK(!a && err.len > 0);
    }
    dstr_free(&err);
    dstr_free(&out);
    dstr_free(&again);
    free(text);
    return 0;
}
