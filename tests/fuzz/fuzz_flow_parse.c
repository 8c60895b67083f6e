/* libFuzzer target for the flow match text form: any bytes as the text
 * given to flow_parse().  What parses must print (flow_format()) as text
 * that parses back to the same flow and mask, and printing that again
 * must give the same text: parse -> format -> parse is the identity on
 * what was parsed.  Port names p0..p9 stand for ports 0..9. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pmd/flow.h"
#include "pmd/flow_parse.h"
#include "src/util/dstr.h"
#include "tests/fuzz/fuzz_text.h"

#define CHECK(COND) do { if (!(COND)) { abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    struct dstr err = DSTR_INIT, out = DSTR_INIT, again = DSTR_INIT;
    struct flow f, m, f2, m2;

    if (!flow_parse(text, &f, &m, fuzz_port_lookup, NULL, &err)) {
        /* The value is masked and the text says what was matched. */
        struct flow masked;
        flow_and(&masked, &f, &m);
        CHECK(!memcmp(&masked, &f, sizeof f));

        flow_format(&f, &m, &out);
        if (flow_parse(dstr_cstr(&out), &f2, &m2, NULL, NULL, &err)) {
            abort();    /* What was printed does not parse. */
        }
        CHECK(!memcmp(&f, &f2, sizeof f));
        CHECK(!memcmp(&m, &m2, sizeof m));
        flow_format(&f2, &m2, &again);
        CHECK(!strcmp(dstr_cstr(&out), dstr_cstr(&again)));
    } else {
        CHECK(err.len > 0);     /* Every refusal says why. */
    }
    dstr_free(&err);
    dstr_free(&out);
    dstr_free(&again);
    free(text);
    return 0;
}
