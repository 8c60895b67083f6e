/* libFuzzer target for the ovs-ofctl flow syntax (ofproto/ofp_parse):
 * any bytes as the text of an add, a delete and a bare match.  What
 * parses must encode as an OpenFlow 1.3 flow_mod that the codec decodes
 * to the same match (or refuses with an OpenFlow error, as the switch
 * would: actions the match does not allow), and as NXM or an error
 * (-ENOTSUP).  Port names p0..p9 stand for ports 0..9. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_match.h"
#include "ofproto/ofp_parse.h"
#include "src/util/dstr.h"
#include "tests/fuzz/fuzz_text.h"

#define CHECK(COND) do { if (!(COND)) { abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
lookup(const char *name, uint32_t *port, void *aux)
{
    return fuzz_port_lookup(name, port, aux) == 0;
}

static void
check_encodings(const struct ofp_flow_mod *fm)
{
    struct ofp_buf b = OFP_BUF_INIT;
    int e = ofp_flow_mod_encode(&b, OFP_FM_OF13, false, 1, fm);
    CHECK(!e || e == -ENOTSUP);
    if (!e) {
        struct ofp_flow_mod back;
        if (!ofp_flow_mod_decode(b.data, b.len, false, &back)) {
            CHECK(ofp_match_equal(&fm->match, &back.match));
            ofp_flow_mod_free(&back);
        }
    }
    ofp_buf_clear(&b);
    e = ofp_flow_mod_encode(&b, OFP_FM_NXM, true, 1, fm);
    CHECK(!e || e == -ENOTSUP);
    ofp_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    struct ofp_parse_ports ports = { lookup, NULL };
    static const enum ofp_fm_command cmds[] = { OFPFC_ADD, OFPFC_DELETE };
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        struct dstr err = DSTR_INIT;
        struct ofp_flow_mod fm;
        if (!ofp_parse_flow_mod(text, cmds[i], &ports, &fm, &err)) {
            check_encodings(&fm);
            ofp_flow_mod_free(&fm);
        } else {
            CHECK(err.len > 0);
        }
        dstr_free(&err);
    }
    struct dstr err = DSTR_INIT;
    struct ofp_match m;
    if (!ofp_parse_match(text, &ports, &m, &err)) {
        CHECK(ofp_match_check(&m) == OFPERR_NONE);
    }
    dstr_free(&err);
    free(text);
    return 0;
}
