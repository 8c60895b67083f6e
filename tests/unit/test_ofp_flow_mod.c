/* Unit tests for ofp_flow_mod: flow_mods of OpenFlow 1.0, 1.3 and NXM,
 * instructions, and the messages Debian's ovs-ofctl sends
 * (ofp_fixtures.h) decoded, encoded again and checked with
 * "ovs-ofctl ofp-print". */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_msg.h"
#include "tests/unit/ofp_fixtures.h"
#include "tests/unit/ofp_test_util.h"

#define N_FIXTURES (sizeof ofp_fixtures / sizeof ofp_fixtures[0])

static enum ofp_fm_format
format_of(const uint8_t *msg)
{
    return msg[0] == OFP13_VERSION ? OFP_FM_OF13
           : msg[1] == OFPT_FLOW_MOD ? OFP_FM_OF10 : OFP_FM_NXM;
}

/* Every flow_mod ovs-ofctl sends decodes, and encodes back to the very
 * same bytes. */
static void
test_fixtures_round_trip(void **state)
{
    (void) state;
    int oracle = ofpt_have_ovs_ofctl();
    for (size_t i = 0; i < N_FIXTURES; i++) {
        const struct ofp_fixture *fx = &ofp_fixtures[i];
        size_t len;
        uint8_t *msg = ofpt_from_hex(fx->hex, &len);
        struct ofp_flow_mod fm;
        enum ofp_err err = ofp_flow_mod_decode(msg, len, fx->table_id_ext,
                                               &fm);
        if (err) {
            fail_msg("%s: %s", fx->args, ofp_err_name(err));
        }
        struct ofp_buf b = OFP_BUF_INIT;
        int error = ofp_flow_mod_encode(&b, format_of(msg),
                                        fx->table_id_ext,
                                        ofp_get_u32(msg + 4), &fm);
        if (error) {
            fail_msg("%s: encode %d", fx->args, error);
        }
        if (b.len != len || memcmp(b.data, msg, len)) {
            /* Sluice writes what OVS writes, byte for byte. */
            char *want = ofpt_ofp_print(msg, len);
            char *got = ofpt_ofp_print(b.data, b.len);
            fail_msg("%s: encoded differently:\n%s\n%s\nwant %s\ngot %s",
                     fx->args, fx->hex, ofpt_to_hex(b.data, b.len),
                     want ? want : "", got ? got : "");
        }
        /* ovs-ofctl reads our bytes as the same flow_mod (decode and
         * encode agree with it, not just with each other). */
        if (oracle) {
            char *text = ofpt_ofp_print(b.data, b.len);
            assert_null(strstr(text, "***"));
            free(text);
        }
        ofp_buf_free(&b);
        ofp_flow_mod_free(&fm);
        free(msg);
    }
}

/* An OpenFlow 1.3 flow_mod for table 'table' with an empty match and
 * the instructions 'insts' (hex). */
static uint8_t *
of13_fm(uint8_t table, uint8_t command, uint16_t flags, const char *insts,
        size_t *len)
{
    size_t n;
    uint8_t *in = ofpt_from_hex(insts, &n);
    struct ofp_buf b = OFP_BUF_INIT;
    size_t start = ofp_header_put(&b, OFP13_VERSION, OFPT_FLOW_MOD, 1);
    ofp_buf_put_zeros(&b, 16);
    ofp_buf_put_u8(&b, table);
    ofp_buf_put_u8(&b, command);
    ofp_buf_put_zeros(&b, 4);
    ofp_buf_put_u16(&b, 100);
    ofp_buf_put_u32(&b, OFP_NO_BUFFER);
    ofp_buf_put_u32(&b, OFPP_ANY);
    ofp_buf_put_u32(&b, OFPG_ANY);
    ofp_buf_put_u16(&b, flags);
    ofp_buf_put_zeros(&b, 2);
    ofp_buf_put_u16(&b, 1);
    ofp_buf_put_u16(&b, 4);
    ofp_buf_put_zeros(&b, 4);
    ofp_buf_put(&b, in, n);
    ofp_msg_finish(&b, start);
    free(in);
    *len = b.len;
    return b.data;
}

struct bad_fm {
    const char *what;
    uint8_t table, command;
    uint16_t flags;
    const char *insts;
    enum ofp_err err;
    const char *ovs;        /* ovs-ofctl's verdict if not ours. */
};

static const struct bad_fm bad_fms[] = {
    { "unknown instruction", 0, 0, 0, "0007000800000000",
      OFPERR_OFPBIC_UNKNOWN_INST, NULL },
    { "experimenter instruction", 0, 0, 0, "ffff000800002320",
      OFPERR_OFPBIC_BAD_EXPERIMENTER, NULL },
    { "goto_table length 16", 0, 0, 0, "00010010050000000000000000000000",
      OFPERR_OFPBIC_BAD_LEN, NULL },
    { "instruction length 4", 0, 0, 0, "00050004", OFPERR_OFPBIC_BAD_LEN,
      "incorrect length" },
    { "instruction past the end", 0, 0, 0, "0005001000000000",
      OFPERR_OFPBIC_BAD_LEN, NULL },
    { "goto_table twice", 0, 0, 0, "0001000805000000" "0001000806000000",
      OFPERR_OFPBIC_DUP_INST, NULL },
    { "apply_actions twice", 0, 0, 0, "0004000800000000" "0004000800000000",
      OFPERR_OFPBIC_DUP_INST, NULL },
    { "goto_table backwards", 3, 0, 0, "0001000802000000",
      OFPERR_OFPBIC_BAD_TABLE_ID, NULL },
    { "goto_table itself", 3, 0, 0, "0001000803000000",
      OFPERR_OFPBIC_BAD_TABLE_ID, NULL },
    /* ovs-ofctl leaves table ids to the switch (it knows its tables). */
    { "goto_table 255", 0, 0, 0, "00010008ff000000",
      OFPERR_OFPBIC_BAD_TABLE_ID, "goto_table:255" },
    { "write_metadata outside its mask", 0, 0, 0,
      "0002001800000000" "0000000000000011" "00000000000000f0",
      OFPERR_OFPBIC_UNSUP_METADATA, "" },
    { "bad action inside", 0, 0, 0, "0004001000000000" "0063000800000000",
      OFPERR_OFPBAC_BAD_TYPE, NULL },
    { "command 5", 0, 5, 0, "", OFPERR_OFPFMFC_BAD_COMMAND, NULL },
    { "flags 0x20", 0, 0, 0x20, "", OFPERR_OFPFMFC_BAD_FLAGS, NULL },
    { "add to OFPTT_ALL", 255, 0, 0, "", OFPERR_OFPFMFC_BAD_TABLE_ID,
      "" },
    { "modify in OFPTT_ALL", 255, 1, 0, "", OFPERR_OFPFMFC_BAD_TABLE_ID,
      NULL },
};

static void
test_bad_flow_mods(void **state)
{
    (void) state;
    int oracle = ofpt_have_ovs_ofctl(), diff = 0;
    for (size_t i = 0; i < sizeof bad_fms / sizeof bad_fms[0]; i++) {
        const struct bad_fm *bf = &bad_fms[i];
        size_t len;
        uint8_t *msg = of13_fm(bf->table, bf->command, bf->flags, bf->insts,
                               &len);
        struct ofp_flow_mod fm;
        enum ofp_err err = ofp_flow_mod_decode(msg, len, false, &fm);
        if (err != bf->err) {
            fail_msg("%s: got %s, want %s", bf->what, ofp_err_name(err),
                     ofp_err_name(bf->err));
        }
        if (oracle) {
            diff += ofpt_ovs_differs(bf->what, msg, len,
                                     bf->ovs ? bf->ovs
                                             : ofp_err_name(bf->err));
        }
        free(msg);
    }
    assert_int_equal(diff, 0);
}

static void
test_instructions(void **state)
{
    (void) state;
    size_t len;
    int oracle = ofpt_have_ovs_ofctl();
    uint8_t *msg = of13_fm(1, OFPFC_ADD, OFPFF_SEND_FLOW_REM,
                           "0006000800000007"                   /* meter */
                           "0004001800000000"                   /* apply */
                           "0000001000000002ffff000000000000"
                           "0005000800000000"                   /* clear */
                           "0003001800000000"                   /* write */
                           "0000001000000003ffff000000000000"
                           "0002001800000000"                   /* metadata */
                           "0000000000000010" "00000000000000f0"
                           "0001000805000000", &len);           /* goto 5 */
    struct ofp_flow_mod fm;
    assert_int_equal(ofp_flow_mod_decode(msg, len, false, &fm), 0);
    assert_int_equal(fm.insts.present, 0x7e);
    assert_int_equal(fm.insts.meter_id, 7);
    assert_int_equal(fm.insts.goto_table, 5);
    assert_int_equal(fm.insts.metadata, 0x10);
    assert_int_equal(fm.insts.metadata_mask, 0xf0);
    assert_int_equal(fm.insts.apply.n, 1);
    assert_int_equal(fm.insts.apply.acts[0].output.port, 2);
    assert_int_equal(fm.insts.write.acts[0].output.port, 3);
    assert_int_equal(fm.table_id, 1);
    assert_int_equal(fm.flags, OFPFF_SEND_FLOW_REM);
    /* Encodes back to the same bytes (the order is the spec's). */
    struct ofp_buf b = OFP_BUF_INIT;
    assert_int_equal(ofp_flow_mod_encode(&b, OFP_FM_OF13, false, 1, &fm), 0);
    assert_int_equal(b.len, len);
    assert_memory_equal(b.data, msg, len);
    char *text = ofpt_ofp_print(b.data, b.len);
    if (text) {
        assert_non_null(strstr(text, "meter:7,output:2,clear_actions,"
                               "write_actions(output:3),"
                               "write_metadata:0x10/0xf0,goto_table:5"));
        free(text);
    }
    /* OpenFlow 1.0 and NXM carry them as OVS sends them: write_metadata
     * as a Nicira action, goto_table as resubmit(,5), the others left
     * out; OVS then reads its own bytes as out of order. */
    const char *tail = "000000080002ffff"                /* output:2 */
                       "ffff002000002320001600000000000000000000000000"
                       "1000000000000000f0"             /* metadata */
                       "ffff001000002320000efff805000000";  /* goto */
    for (int f = OFP_FM_OF10; f <= OFP_FM_NXM; f++) {
        ofp_buf_clear(&b);
        assert_int_equal(ofp_flow_mod_encode(&b, (enum ofp_fm_format) f,
                                             false, 1, &fm), 0);
        char *hex = ofpt_to_hex(b.data, b.len);
        assert_string_equal(hex + strlen(hex) - strlen(tail), tail);
        free(hex);
        struct ofp_flow_mod back;
        assert_int_equal(ofp_flow_mod_decode(b.data, b.len, false, &back),
                         OFPERR_OFPBAC_UNSUPPORTED_ORDER);
        if (oracle) {
            assert_int_equal(ofpt_ovs_differs("OF1.0 goto_table", b.data,
                                              b.len, "OFPBAC_UNSUPPORTED_"
                                              "ORDER"), 0);
        }
    }
    /* Without goto_table, write_metadata reads back. */
    fm.insts.present &= ~(1u << OFPIT_GOTO_TABLE);
    ofp_buf_clear(&b);
    assert_int_equal(ofp_flow_mod_encode(&b, OFP_FM_NXM, false, 1, &fm), 0);
    struct ofp_flow_mod back;
    assert_int_equal(ofp_flow_mod_decode(b.data, b.len, false, &back), 0);
    assert_int_equal(back.insts.present, (1u << OFPIT_APPLY_ACTIONS)
                                         | (1u << OFPIT_WRITE_METADATA));
    assert_int_equal(back.insts.metadata, 0x10);
    assert_int_equal(back.insts.metadata_mask, 0xf0);
    assert_true(ofp_actions_equal(&back.insts.apply, &fm.insts.apply));
    if (oracle) {
        assert_int_equal(ofpt_ovs_differs("OF1.0 write_metadata", b.data,
                                          b.len, "actions=output:2,"
                                          "write_metadata:0x10/0xf0"), 0);
    }
    ofp_flow_mod_free(&back);
    ofp_buf_free(&b);
    ofp_flow_mod_free(&fm);
    free(msg);
}

/* An OpenFlow 1.0 flow_mod with an empty match and 'acts' (hex). */
static uint8_t *
of10_fm(const char *acts, size_t *len)
{
    size_t n;
    uint8_t *in = ofpt_from_hex(acts, &n);
    struct ofp_buf b = OFP_BUF_INIT;
    size_t start = ofp_header_put(&b, OFP10_VERSION, OFPT_FLOW_MOD, 1);
    ofp_buf_put_u32(&b, (1u << 22) - 1);        /* Wildcards: all. */
    ofp_buf_put_zeros(&b, 36 + 8 + 2 + 4);
    ofp_buf_put_u16(&b, 100);
    ofp_buf_put_u32(&b, OFP_NO_BUFFER);
    ofp_buf_put_u16(&b, 0xffff);
    ofp_buf_put_u16(&b, 0);
    ofp_buf_put(&b, in, n);
    ofp_msg_finish(&b, start);
    free(in);
    *len = b.len;
    return b.data;
}

/* NXAST_WRITE_METADATA: where OpenFlow 1.0 takes it, and the errors, with
 * ovs-ofctl's verdict on the same bytes. */
static void
test_of10_write_metadata(void **state)
{
    (void) state;
    int oracle = ofpt_have_ovs_ofctl(), diff = 0;
#define WMD(PAD, VALUE) "ffff002000002320" "0016" PAD VALUE "00000000000000ff"
    static const struct {
        const char *what, *acts;
        enum ofp_err err;
        const char *ovs;
    } cases[] = {
        { "alone", WMD("000000000000", "0000000000000005"), OFPERR_NONE,
          "actions=write_metadata:0x5/0xff" },
        { "after output", "0000000800020000"
          WMD("000000000000", "0000000000000005"), OFPERR_NONE,
          "actions=output:2,write_metadata:0x5/0xff" },
        { "before output", WMD("000000000000", "0000000000000005")
          "0000000800020000", OFPERR_OFPBAC_UNSUPPORTED_ORDER, NULL },
        { "twice", WMD("000000000000", "0000000000000005")
          WMD("000000000000", "0000000000000005"),
          OFPERR_OFPBAC_UNSUPPORTED_ORDER, NULL },
        { "padding", WMD("000000000100", "0000000000000005"),
          OFPERR_NXBRC_MUST_BE_ZERO, NULL },
        { "length 24", "ffff001800002320001600000000000000000000000000"
          "05", OFPERR_OFPBAC_BAD_LEN, NULL },
    };
#undef WMD
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        uint8_t *msg = of10_fm(cases[i].acts, &len);
        struct ofp_flow_mod fm;
        enum ofp_err err = ofp_flow_mod_decode(msg, len, false, &fm);
        if (err != cases[i].err) {
            fail_msg("%s: got %s, want %s", cases[i].what,
                     ofp_err_name(err), ofp_err_name(cases[i].err));
        }
        if (!err) {
            assert_true(fm.insts.present & (1u << OFPIT_WRITE_METADATA));
            assert_int_equal(fm.insts.metadata, 5);
            assert_int_equal(fm.insts.metadata_mask, 0xff);
            ofp_flow_mod_free(&fm);
        }
        if (oracle) {
            diff += ofpt_ovs_differs(cases[i].what, msg, len,
                                     cases[i].ovs ? cases[i].ovs
                                                  : ofp_err_name(err));
        }
        free(msg);
    }
    assert_int_equal(diff, 0);

    /* Nowhere else: not in OF1.3's apply-actions, nor in a packet-out. */
    size_t n;
    uint8_t *wmd = ofpt_from_hex("ffff00200000232000160000000000000000000000"
                                 "00000500000000000000ff", &n);
    struct ofp_actions acts = OFP_ACTIONS_INIT;
    assert_int_equal(ofp_actions_decode(OFP13_VERSION, wmd, n, 0, &acts),
                     OFPERR_OFPBIC_UNSUP_INST);
    assert_int_equal(ofp_actions_decode(OFP10_VERSION, wmd, n,
                                        OFP_ACTS_PACKET_OUT, &acts),
                     OFPERR_OFPBIC_UNSUP_INST);
    ofp_actions_free(&acts);
    free(wmd);
}

/* A flow_mod of every format carries the same rule to the others. */
static void
test_across_formats(void **state)
{
    (void) state;
    /* From ovs-ofctl's NXM flow_mod with a register and load/resubmit. */
    const struct ofp_fixture *fx = NULL;
    for (size_t i = 0; i < N_FIXTURES; i++) {
        if (strstr(ofp_fixtures[i].args, "reg0=5") && ofp_fixtures[i].hex[1]
            == '1') {
            fx = &ofp_fixtures[i];
        }
    }
    assert_non_null(fx);
    size_t len;
    uint8_t *msg = ofpt_from_hex(fx->hex, &len);
    struct ofp_flow_mod fm;
    assert_int_equal(ofp_flow_mod_decode(msg, len, true, &fm), 0);
    assert_int_equal(fm.format, OFP_FM_NXM);
    assert_int_equal(fm.table_id, 1);
    assert_int_equal(fm.priority, 100);
    assert_int_equal(fm.match.meta.regs[0], 5);
    assert_int_equal(fm.match.meta_wc.regs[0], UINT32_MAX);
    const enum ofp_fm_format fmts[] = { OFP_FM_OF10, OFP_FM_NXM,
                                        OFP_FM_OF13 };
    for (int i = 0; i < 3; i++) {
        for (int tid = 0; tid < 2; tid++) {
            struct ofp_buf b = OFP_BUF_INIT;
            int error = ofp_flow_mod_encode(&b, fmts[i], tid, 9, &fm);
            if (fmts[i] == OFP_FM_OF10) {
                /* OpenFlow 1.0 has no registers. */
                assert_int_equal(error, -ENOTSUP);
                continue;
            }
            assert_int_equal(error, 0);
            struct ofp_flow_mod fm2;
            assert_int_equal(ofp_flow_mod_decode(b.data, b.len, tid, &fm2),
                             0);
            assert_true(ofp_match_equal(&fm.match, &fm2.match));
            assert_true(ofp_insts_equal(&fm.insts, &fm2.insts));
            assert_int_equal(fm2.table_id,
                             fmts[i] == OFP_FM_OF13 || tid ? 1 : OFPTT_ALL);
            ofp_flow_mod_free(&fm2);
            ofp_buf_free(&b);
        }
    }
    ofp_flow_mod_free(&fm);

    /* Without NXT_FLOW_MOD_TABLE_ID the table byte is a bad command. */
    assert_int_equal(ofp_flow_mod_decode(msg, len, false, &fm),
                     OFPERR_OFPFMFC_BAD_COMMAND);
    free(msg);
}

/* What ovs-ofctl sends in OF1.0/NXM, translated by Sluice to OF1.3, is
 * byte for byte what ovs-ofctl sends for the same command in OF1.3, but
 * for these flows: */
static const char *const untranslated[] = {
    /* ovs-ofctl's OF1.0 form of goto_table is resubmit. */
    "goto_table:3",
    /* ovs-ofctl's OF1.0 form is two 64-bit loads; OVS merges them. */
    "set_field:2001:db8::9->ipv6_dst",
    /* OF1.0 sends mod_nw_ttl as a load of nw_ttl, which reads back as a
     * load (OF1.3: set_field); OVS remembers it was mod_nw_ttl. */
    "mod_nw_ttl:2",
};

static void
test_translation_to_of13(void **state)
{
    (void) state;
    int same = 0;
    for (size_t i = 0; i < N_FIXTURES; i++) {
        const char *args = ofp_fixtures[i].args;
        const char *of13 = "-O OpenFlow13 ";
        if (!strncmp(args, of13, strlen(of13))) {
            continue;
        }
        bool skip = false;
        for (size_t k = 0; k < sizeof untranslated / sizeof *untranslated;
             k++) {
            skip |= strstr(args, untranslated[k]) != NULL;
        }
        for (size_t j = 0; j < N_FIXTURES && !skip; j++) {
            const struct ofp_fixture *fx = &ofp_fixtures[j];
            if (strncmp(fx->args, of13, strlen(of13))
                || strcmp(fx->args + strlen(of13), args)) {
                continue;
            }
            size_t l10, l13;
            uint8_t *m10 = ofpt_from_hex(ofp_fixtures[i].hex, &l10);
            uint8_t *m13 = ofpt_from_hex(fx->hex, &l13);
            struct ofp_flow_mod fm;
            assert_int_equal(ofp_flow_mod_decode(m10, l10,
                                                 ofp_fixtures[i].table_id_ext,
                                                 &fm), 0);
            struct ofp_buf b = OFP_BUF_INIT;
            assert_int_equal(ofp_flow_mod_encode(&b, OFP_FM_OF13, false,
                                                 ofp_get_u32(m13 + 4), &fm),
                             0);
            if (b.len != l13 || memcmp(b.data, m13, l13)) {
                fail_msg("%s: OF1.3 translation differs:\nwant %s\ngot  %s",
                         args, fx->hex, ofpt_to_hex(b.data, b.len));
            }
            same++;
            ofp_buf_free(&b);
            ofp_flow_mod_free(&fm);
            free(m10);
            free(m13);
        }
    }
    assert_true(same >= 20);
}

/* ovs-ofctl del-flows with a cookie mask: OF1.3 carries it in the
 * header, NXM as NXM_NX_COOKIE_W in the match. */
static void
test_cookies(void **state)
{
    (void) state;
    int found = 0;
    for (size_t i = 0; i < N_FIXTURES; i++) {
        const struct ofp_fixture *fx = &ofp_fixtures[i];
        if (!strstr(fx->args, "cookie=0x10/0xff")) {
            continue;
        }
        size_t len;
        uint8_t *msg = ofpt_from_hex(fx->hex, &len);
        struct ofp_flow_mod fm;
        assert_int_equal(ofp_flow_mod_decode(msg, len, fx->table_id_ext,
                                             &fm), 0);
        assert_int_equal(fm.command, OFPFC_DELETE);
        assert_int_equal(fm.cookie, 0x10);
        assert_int_equal(fm.cookie_mask, 0xff);
        assert_int_equal(fm.out_port, 3);
        assert_int_equal(fm.table_id, 2);
        assert_true(ofp_match_is_catchall(&fm.match));
        /* OF1.0 has no cookie filter. */
        struct ofp_buf b = OFP_BUF_INIT;
        assert_int_equal(ofp_flow_mod_encode(&b, OFP_FM_OF10, true, 1, &fm),
                         -ENOTSUP);
        ofp_buf_free(&b);
        ofp_flow_mod_free(&fm);
        free(msg);
        found++;
    }
    assert_int_equal(found, 2);

    /* Two cookies in one NXM match; a cookie bit outside its mask. */
    struct ofp_match m;
    uint64_t c, cm;
    size_t n;
    uint8_t *t = ofpt_from_hex("00013c080000000000000001"
                               "00013c080000000000000001", &n);
    assert_int_equal(ofp_tlvs_decode_nx(t, n, &m, &c, &cm),
                     OFPERR_OFPBMC_DUP_FIELD);
    assert_int_equal(ofp_tlvs_decode_nx(t, 12, &m, &c, &cm), 0);
    assert_int_equal(c, 1);
    assert_int_equal(cm, UINT64_MAX);
    /* Where no cookie may be, the same bytes are a bad mpls_ttl. */
    assert_int_equal(ofp_tlvs_decode(t, 12, &m), OFPERR_OFPBMC_BAD_LEN);
    free(t);
    t = ofpt_from_hex("00013d1000000000000000f1000000000000000f", &n);
    assert_int_equal(ofp_tlvs_decode_nx(t, n, &m, &c, &cm),
                     OFPERR_OFPBMC_BAD_WILDCARDS);
    free(t);
}

static void
test_of10_and_nxm_errors(void **state)
{
    (void) state;
    struct ofp_flow_mod fm;
    uint8_t m[80];
    memset(m, 0, sizeof m);
    m[0] = OFP10_VERSION;
    m[1] = OFPT_FLOW_MOD;
    m[3] = 72;
    ofp_set_u32(m + 8, (1u << 22) - 1);
    assert_int_equal(ofp_flow_mod_decode(m, 72, false, &fm), 0);
    assert_int_equal(fm.table_id, OFPTT_ALL);
    assert_int_equal(fm.out_port, 0);
    assert_int_equal(fm.insts.present, 0);
    /* Found by fuzz_ofp_decode: OF1.0's add to any table must reach
     * OF1.3 as an add to table 0, not to OFPTT_ALL (which is refused). */
    struct ofp_buf b = OFP_BUF_INIT;
    struct ofp_flow_mod fm13;
    assert_int_equal(ofp_flow_mod_encode(&b, OFP_FM_OF13, false, 1, &fm), 0);
    assert_int_equal(ofp_flow_mod_decode(b.data, b.len, false, &fm13), 0);
    assert_int_equal(fm13.table_id, 0);
    ofp_flow_mod_free(&fm13);
    ofp_buf_free(&b);
    ofp_flow_mod_free(&fm);
    assert_int_equal(ofp_flow_mod_decode(m, 71, false, &fm),
                     OFPERR_OFPBRC_BAD_LEN);
    m[3] = 64;
    assert_int_equal(ofp_flow_mod_decode(m, 64, false, &fm),
                     OFPERR_OFPBRC_BAD_LEN);
    m[3] = 72;
    ofp_set_u16(m + 56, 0x0201);                /* Table 2, modify. */
    assert_int_equal(ofp_flow_mod_decode(m, 72, true, &fm), 0);
    assert_int_equal(fm.table_id, 2);
    assert_int_equal(fm.command, OFPFC_MODIFY);
    ofp_flow_mod_free(&fm);
    assert_int_equal(ofp_flow_mod_decode(m, 72, false, &fm),
                     OFPERR_OFPFMFC_BAD_COMMAND);
    ofp_set_u16(m + 56, 0);
    ofp_set_u16(m + 70, 8);                     /* Unknown flag. */
    assert_int_equal(ofp_flow_mod_decode(m, 72, false, &fm),
                     OFPERR_OFPFMFC_BAD_FLAGS);
    ofp_set_u16(m + 70, OFPFF10_EMERG);         /* No emergency cache. */
    assert_int_equal(ofp_flow_mod_decode(m, 72, false, &fm),
                     OFPERR_OFPFMFC_TABLE_FULL);
    ofp_set_u16(m + 58, 10);
    assert_int_equal(ofp_flow_mod_decode(m, 72, false, &fm),
                     OFPERR_OFPFMFC_BAD_EMERG_TIMEOUT);
    ofp_set_u16(m + 70, 0);
    /* Actions: a bad one inside. */
    m[3] = 80;
    m[72 + 1] = 0x0c;
    m[72 + 3] = 8;
    assert_int_equal(ofp_flow_mod_decode(m, 80, false, &fm),
                     OFPERR_OFPBAC_BAD_TYPE);
    /* Not a flow_mod. */
    m[1] = OFPT_PACKET_OUT;
    assert_int_equal(ofp_flow_mod_decode(m, 80, false, &fm),
                     OFPERR_OFPBRC_BAD_TYPE);

    /* NXT_FLOW_MOD: vendor, subtype, match length, padding. */
    uint8_t nx[56];
    memset(nx, 0, sizeof nx);
    nx[0] = OFP10_VERSION;
    nx[1] = OFPT_VENDOR;
    nx[3] = 48;
    ofp_set_u32(nx + 8, 0x2320);
    ofp_set_u32(nx + 12, NXT_FLOW_MOD);
    assert_int_equal(ofp_flow_mod_decode(nx, 48, false, &fm), 0);
    assert_true(ofp_match_is_catchall(&fm.match));
    ofp_flow_mod_free(&fm);
    ofp_set_u32(nx + 12, 14);
    assert_int_equal(ofp_flow_mod_decode(nx, 48, false, &fm),
                     OFPERR_OFPBRC_BAD_SUBTYPE);
    ofp_set_u32(nx + 12, NXT_FLOW_MOD);
    ofp_set_u32(nx + 8, 0x1234);
    assert_int_equal(ofp_flow_mod_decode(nx, 48, false, &fm),
                     OFPERR_OFPBRC_BAD_VENDOR);
    ofp_set_u32(nx + 8, 0x2320);
    ofp_set_u16(nx + 40, 6);                    /* Past the end. */
    assert_int_equal(ofp_flow_mod_decode(nx, 48, false, &fm),
                     OFPERR_OFPBRC_BAD_LEN);
    nx[3] = 56;                                 /* eth_type=0x0800. */
    memcpy(nx + 48, "\x00\x00\x06\x02\x08\x00\x00\x01", 8);
    assert_int_equal(ofp_flow_mod_decode(nx, 56, false, &fm),
                     OFPERR_OFPBMC_BAD_LEN);    /* Nonzero padding. */
    nx[55] = 0;
    assert_int_equal(ofp_flow_mod_decode(nx, 56, false, &fm), 0);
    ofp_flow_mod_free(&fm);
    nx[3] = 12;
    assert_int_equal(ofp_flow_mod_decode(nx, 12, false, &fm),
                     OFPERR_OFPBRC_BAD_LEN);

    /* NXT_FLOW_MOD_TABLE_ID. */
    uint8_t tid[24] = { 1, 4, 0, 24, 0, 0, 0, 1, 0, 0, 0x23, 0x20,
                        0, 0, 0, 15, 1 };
    bool on = false;
    assert_int_equal(nx_flow_mod_table_id_decode(tid, 24, &on), 0);
    assert_true(on);
    assert_int_equal(nx_flow_mod_table_id_decode(tid, 16, &on),
                     OFPERR_OFPBRC_BAD_LEN);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_round_trip),
        cmocka_unit_test(test_bad_flow_mods),
        cmocka_unit_test(test_instructions),
        cmocka_unit_test(test_of10_write_metadata),
        cmocka_unit_test(test_across_formats),
        cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_translation_to_of13),
        cmocka_unit_test(test_of10_and_nxm_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
