/* libFuzzer target for key extraction: any bytes as a frame.
 * Checks, besides the sanitizers' memory checks, that extraction is
 * deterministic, never sets words it does not own, gives offsets inside
 * the frame, and that expand/compress/format agree with it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pmd/flow.h"
#include "src/util/dstr.h"

#define CHECK(COND) do { if (!(COND)) { abort(); } } while (0)

/* Words extraction may set: all but the tunnel slot (words 1-2). */
#define EXTRACT_WORDS (((UINT64_C(1) << FLOW_N_WORDS) - 1) & ~UINT64_C(6))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct miniflow a, b, c;
    struct flow_offsets ofs;
    struct flow f, g;

    memset(&b, 0xff, sizeof b);
    flow_extract(data, size, 1, 2, &a, &ofs);
    flow_extract(data, size, 1, 2, &b, NULL);
    CHECK(miniflow_equal(&a, &b));
    CHECK(miniflow_hash(&a, 0) == miniflow_hash(&b, 0));
    CHECK((a.map & ~EXTRACT_WORDS) == 0);
    CHECK(a.map & 1);
    CHECK(ofs.l2_5 == FLOW_OFS_NONE || ofs.l2_5 < size);
    CHECK(ofs.l3 == FLOW_OFS_NONE || ofs.l3 < size);
    CHECK(ofs.l4 == FLOW_OFS_NONE || (ofs.l4 <= size && ofs.l3 < ofs.l4));

    miniflow_expand(&a, &f);
    miniflow_compress(&f, &c);
    CHECK((c.map & ~a.map) == 0);
    miniflow_expand(&c, &g);
    CHECK(memcmp(&f, &g, sizeof f) == 0);

    struct dstr ds = DSTR_INIT;
    flow_format(&f, NULL, &ds);
    flow_format(&f, &g, &ds);
    dstr_free(&ds);
    return 0;
}
