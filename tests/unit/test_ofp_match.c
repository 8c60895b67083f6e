/* Unit tests for ofp_field and ofp_match: every field through OXM, NXM
 * and (where it fits) OpenFlow 1.0 and back; every error path, with the
 * error Debian's ovs-ofctl gives the same bytes; OpenFlow 1.0 wildcards
 * and normalisation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_match.h"
#include "ofproto/ofp_msg.h"
#include "tests/unit/ofp_test_util.h"

static int oracle;

/* Appends an OpenFlow 1.3 flow_mod (add, table 0) with match 'm' and
 * the instructions 'insts' ('n' bytes). */
static void
put_of13_flow_mod_raw(struct ofp_buf *b, const uint8_t *tlvs, size_t n,
                      const uint8_t *insts, size_t n_insts)
{
    size_t start = ofp_header_put(b, OFP13_VERSION, OFPT_FLOW_MOD, 1);
    ofp_buf_put_zeros(b, 16);                   /* Cookie, mask. */
    ofp_buf_put_u8(b, 0);
    ofp_buf_put_u8(b, OFPFC_ADD);
    ofp_buf_put_zeros(b, 4);
    ofp_buf_put_u16(b, 100);
    ofp_buf_put_u32(b, OFP_NO_BUFFER);
    ofp_buf_put_u32(b, OFPP_ANY);
    ofp_buf_put_u32(b, OFPG_ANY);
    ofp_buf_put_zeros(b, 4);
    size_t mstart = b->len;
    ofp_buf_put_u16(b, 1);
    ofp_buf_put_u16(b, (uint16_t) (4 + n));
    ofp_buf_put(b, tlvs, n);
    ofp_buf_pad8(b, mstart);
    ofp_buf_put(b, insts, n_insts);
    ofp_msg_finish(b, start);
}

/* One value (and mask) per field, to match and to read back. */
static void
sample(const struct mf_field *mf, uint8_t *v, uint8_t *w, int i)
{
    for (int k = 0; k < mf->n_bytes; k++) {
        v[k] = (uint8_t) (0x5a + 17 * k + i);
        w[k] = (uint8_t) (k & 1 ? 0xf0 : 0xff);
    }
    if (mf->n_bytes <= 8) {
        uint64_t x = 0, y = 0;
        for (int k = 0; k < mf->n_bytes; k++) {
            x = x << 8 | v[k];
            y = y << 8 | w[k];
        }
        x &= mf->valid;
        y &= mf->valid;
        if (mf->id == MF_VLAN_VID || mf->id == MF_VLAN_TCI) {
            x |= 0x1000;        /* A tag, so that vlan_pcp may follow. */
            y |= 0x1000;
        }
        if (mf->id == MF_IN_PORT || mf->id == MF_IN_PORT_NXM) {
            x = 7;
        }
        for (int k = mf->n_bytes; k-- > 0;) {
            v[k] = (uint8_t) x;
            w[k] = (uint8_t) y;
            x >>= 8;
            y >>= 8;
        }
    }
    for (int k = 0; k < mf->n_bytes; k++) {
        v[k] &= w[k];
    }
}

static void
check_round_trip(const struct ofp_match *m, const char *what)
{
    for (int fmt = 0; fmt < 2; fmt++) {
        struct ofp_buf b = OFP_BUF_INIT;
        struct ofp_match back;
        size_t n = ofp_tlvs_encode(&b, (enum ofp_tlv_format) fmt, m);
        enum ofp_err err = ofp_tlvs_decode(b.data, n, &back);
        if (err || !ofp_match_equal(m, &back)) {
            fail_msg("%s: %s round trip: %s", what, fmt ? "OXM" : "NXM",
                     ofp_err_name(err));
        }
        ofp_buf_free(&b);
    }
    struct ofp_buf b = OFP_BUF_INIT;
    ofp13_match_encode(&b, m);
    assert_int_equal(b.len % 8, 0);
    struct ofp_match back;
    size_t consumed;
    assert_int_equal(ofp13_match_decode(b.data, b.len, &back, &consumed), 0);
    assert_int_equal(consumed, b.len);
    assert_true(ofp_match_equal(m, &back));
    ofp_buf_free(&b);

    uint8_t m10[OFP10_MATCH_LEN];
    if (!ofp10_match_encode(m, m10)) {
        assert_int_equal(ofp10_match_decode(m10, &back), 0);
        assert_true(ofp_match_equal(m, &back));
    }
}

/* Every field, exact and (if maskable) masked, alone with its
 * prerequisites: OXM, NXM, OF1.3 match and OF1.0 round trips, and
 * ovs-ofctl reads our OF1.3 flow_mod without complaint. */
static void
test_every_field(void **state)
{
    (void) state;
    for (int id = 0; id < MF_N_IDS; id++) {
        const struct mf_field *mf = mf_from_id((enum mf_id) id);
        assert_int_equal(mf->id, id);
        assert_ptr_equal(mf_from_name(mf->name), mf);
        for (int masked = 0; masked <= mf->maskable; masked++) {
            struct ofp_match m;
            uint8_t v[16], w[16], v2[16], w2[16];
            ofp_match_init(&m);
            ofpt_set_prereqs(&m, mf);
            sample(mf, v, w, id);
            if (!masked) {
                memset(w, 0xff, sizeof w);
                sample(mf, v, v2, id);      /* Unmasked value. */
                if (mf->n_bytes <= 8) {
                    /* Exact: every valid bit. */
                    uint64_t x = mf->valid;
                    for (int k = mf->n_bytes; k-- > 0;) {
                        w[k] = (uint8_t) x;
                        x >>= 8;
                    }
                }
                for (int k = 0; k < mf->n_bytes; k++) {
                    v[k] &= w[k];
                }
            }
            enum ofp_err err = mf_set(&m, mf, v, masked ? w : NULL);
            if (err) {
                fail_msg("%s: %s", mf->name, ofp_err_name(err));
            }
            assert_int_equal(ofp_match_check(&m), 0);
            assert_true(mf_read(&m, mf, v2, w2));
            assert_memory_equal(v, v2, mf->n_bytes);
            assert_memory_equal(w, w2, mf->n_bytes);
            check_round_trip(&m, mf->name);

            if (oracle) {
                struct ofp_buf t = OFP_BUF_INIT, b = OFP_BUF_INIT;
                ofp_tlvs_encode(&t, OFP_TLV_OXM, &m);
                put_of13_flow_mod_raw(&b, t.data, t.len, NULL, 0);
                char *text = ofpt_ofp_print(b.data, b.len);
                if (strstr(text, "***") || !strstr(text, "OFPT_FLOW_MOD")) {
                    fail_msg("%s: ovs-ofctl says %s", mf->name, text);
                }
                free(text);
                ofp_buf_free(&t);
                ofp_buf_free(&b);
            }
        }
    }
}

/* A bad OXM match: our error, and the one ovs-ofctl gives (NULL: same as
 * ours). */
struct bad_match {
    const char *what;
    const char *tlvs;
    enum ofp_err err;
    const char *ovs;
};

static const struct bad_match bad_matches[] = {
    { "truncated header", "800000", OFPERR_OFPBMC_BAD_LEN, NULL },
    { "payload past the end", "80000a0208", OFPERR_OFPBMC_BAD_LEN, NULL },
    { "eth_type 3 bytes", "80000a03080000", OFPERR_OFPBMC_BAD_LEN,
      "OFPBMC_BAD_FIELD" },
    { "unknown field", "8000fe0400000000", OFPERR_OFPBMC_BAD_FIELD, NULL },
    { "unknown class", "12340004000000001", OFPERR_OFPBMC_BAD_FIELD, NULL },
    { "mask on eth_type", "80000b0408000fff", OFPERR_OFPBMC_BAD_MASK, NULL },
    { "in_port 0x10000", "8000000400010000", OFPERR_OFPBMC_BAD_VALUE, NULL },
    { "vlan_vid value", "80000c022001", OFPERR_OFPBMC_BAD_VALUE, NULL },
    /* Open vSwitch ignores mask bits beyond the field; Sluice does not. */
    { "vlan_vid mask bits", "80000d0410013fff", OFPERR_OFPBMC_BAD_MASK,
      "dl_vlan=1" },
    { "vlan_pcp 8", "80000c02100580000e0108", OFPERR_OFPBMC_BAD_VALUE, NULL },
    { "value outside mask", "8000070c0000000001000000000000ff",
      OFPERR_OFPBMC_BAD_WILDCARDS, NULL },
    { "eth_type twice", "80000a02080080000a020800",
      OFPERR_OFPBMC_DUP_FIELD, NULL },
    { "tcp_dst without ip_proto", "80000a02080080001c020050",
      OFPERR_OFPBMC_BAD_PREREQ, NULL },
    { "tcp_dst, ip_proto udp", "80000a020800800014011180001c020050",
      OFPERR_OFPBMC_BAD_PREREQ, NULL },
    { "tcp_dst alone", "80001c020050", OFPERR_OFPBMC_BAD_PREREQ, NULL },
    { "vlan_pcp without a tag", "80000e0103", OFPERR_OFPBMC_BAD_PREREQ,
      NULL },
    { "ip_src on ARP", "80000a02080680001604c0a80001",
      OFPERR_OFPBMC_BAD_PREREQ, NULL },
    { "nd_sll on an advertisement", "80000a0286dd800014013a80003a0188"
      "80004006000000000001", OFPERR_OFPBMC_BAD_PREREQ, NULL },
    { "mpls_label on IP", "80000a020800800044040000000a",
      OFPERR_OFPBMC_BAD_PREREQ, NULL },
};

static void
test_bad_matches(void **state)
{
    (void) state;
    int bad = 0;
    for (size_t i = 0; i < sizeof bad_matches / sizeof bad_matches[0]; i++) {
        const struct bad_match *bm = &bad_matches[i];
        size_t n;
        uint8_t *tlvs = ofpt_from_hex(bm->tlvs, &n);
        struct ofp_match m;
        enum ofp_err err = ofp_tlvs_decode(tlvs, n, &m);
        if (err != bm->err) {
            fail_msg("%s: got %s, want %s", bm->what, ofp_err_name(err),
                     ofp_err_name(bm->err));
        }
        struct ofp_buf b = OFP_BUF_INIT;
        put_of13_flow_mod_raw(&b, tlvs, n, NULL, 0);
        struct ofp_flow_mod fm;
        assert_int_equal(ofp_flow_mod_decode(b.data, b.len, false, &fm),
                         bm->err);
        if (oracle) {
            bad += ofpt_ovs_differs(bm->what, b.data, b.len,
                                    bm->ovs ? bm->ovs
                                            : ofp_err_name(bm->err));
        }
        ofp_buf_free(&b);
        free(tlvs);
    }
    assert_int_equal(bad, 0);
}

static void
test_more_errors(void **state)
{
    (void) state;
    struct ofp_match m;
    size_t consumed;
    /* OF1.3 match structure: type, length, padding. */
    uint8_t std[8] = { 0, 0, 0, 4 };
    assert_int_equal(ofp13_match_decode(std, 8, &m, &consumed),
                     OFPERR_OFPBMC_BAD_TYPE);
    uint8_t shortlen[8] = { 0, 1, 0, 3 };
    assert_int_equal(ofp13_match_decode(shortlen, 8, &m, &consumed),
                     OFPERR_OFPBMC_BAD_LEN);
    uint8_t past[8] = { 0, 1, 0, 12 };
    assert_int_equal(ofp13_match_decode(past, 8, &m, &consumed),
                     OFPERR_OFPBMC_BAD_LEN);
    uint8_t pad[8] = { 0, 1, 0, 4, 0, 0, 1, 0 };
    assert_int_equal(ofp13_match_decode(pad, 8, &m, &consumed),
                     OFPERR_OFPBMC_BAD_LEN);
    assert_int_equal(ofp13_match_decode(pad, 3, &m, &consumed),
                     OFPERR_OFPBMC_BAD_LEN);
    pad[6] = 0;
    assert_int_equal(ofp13_match_decode(pad, 8, &m, &consumed), 0);
    assert_int_equal(consumed, 8);
    assert_true(ofp_match_is_catchall(&m));

    /* Two forms of one field. */
    size_t n;
    uint8_t *t = ofpt_from_hex("0000080210058000" "0c021005", &n);
    assert_int_equal(ofp_tlvs_decode(t, n, &m), OFPERR_OFPBMC_DUP_FIELD);
    free(t);
    t = ofpt_from_hex("80000a0208008000100110" "00000a0110", &n);
    assert_int_equal(ofp_tlvs_decode(t, n, &m), OFPERR_OFPBMC_DUP_FIELD);
    free(t);
    t = ofpt_from_hex("0000000200018000000400000001", &n);
    assert_int_equal(ofp_tlvs_decode(t, n, &m), OFPERR_OFPBMC_DUP_FIELD);
    free(t);
    /* NXM nw_tos with ECN bits. */
    t = ofpt_from_hex("80000a020800" "00000a0111", &n);
    assert_int_equal(ofp_tlvs_decode(t, n, &m), OFPERR_OFPBMC_BAD_VALUE);
    free(t);
    /* arp_op beyond what the key holds. */
    t = ofpt_from_hex("80000a020806" "80002a020100", &n);
    assert_int_equal(ofp_tlvs_decode(t, n, &m), OFPERR_OFPBMC_BAD_VALUE);
    free(t);
    /* Experimenter OXM: ONF tcp_flags, and a short or unknown one. */
    t = ofpt_from_hex("80000a0208008000140106" "ffff54064f4e46000002", &n);
    assert_int_equal(ofp_tlvs_decode(t, n, &m), 0);
    free(t);
    t = ofpt_from_hex("ffff5402004f", &n);
    assert_int_equal(ofp_tlvs_decode(t, n, &m), OFPERR_OFPBMC_BAD_LEN);
    free(t);
    t = ofpt_from_hex("ffff540600abcdef0002", &n);
    assert_int_equal(ofp_tlvs_decode(t, n, &m), OFPERR_OFPBMC_BAD_FIELD);
    free(t);
    /* A match whose prerequisites fail is refused by the checker. */
    ofp_match_init(&m);
    ofpt_set_u(&m, MF_TCP_DST, 80);
    assert_int_equal(ofp_match_check(&m), OFPERR_OFPBMC_BAD_PREREQ);
}

/* vlan_pcp with a wildcarded tag presence goes out as NXM vlan_tci, which
 * any version reads back. */
static void
test_vlan_forms(void **state)
{
    (void) state;
    struct ofp_match m;
    size_t n;
    uint8_t *t = ofpt_from_hex("000009042000e000", &n);   /* pcp 1 only. */
    assert_int_equal(ofp_tlvs_decode(t, n, &m), 0);
    free(t);
    check_round_trip(&m, "vlan_tci pcp");
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_tlvs_encode(&b, OFP_TLV_OXM, &m);
    assert_int_equal(b.len, 8);
    assert_int_equal(ofp_get_u16(b.data), 0);   /* NXM class 0. */
    ofp_buf_free(&b);
    /* vlan_tci=0: no tag; OF1.3 writes vlan_vid=0 (OFPVID_NONE). */
    t = ofpt_from_hex("000008020000", &n);
    assert_int_equal(ofp_tlvs_decode(t, n, &m), 0);
    free(t);
    ofp_tlvs_encode(&b, OFP_TLV_OXM, &m);
    size_t vn;
    uint8_t *want = ofpt_from_hex("80000c020000", &vn);
    assert_int_equal(b.len, vn);
    assert_memory_equal(b.data, want, vn);
    free(want);
    ofp_buf_free(&b);
    /* OXM vlan_vid=present/present: any tag. */
    t = ofpt_from_hex("80000d0410001000", &n);
    assert_int_equal(ofp_tlvs_decode(t, n, &m), 0);
    free(t);
    assert_int_equal(ofp_get_u16((void *) &m.wc.vlans[0].tpid), 0x8000);
    assert_int_equal(ofp_get_u16((void *) &m.flow.vlans[0].tpid), 0x8000);
    assert_int_equal(m.wc.vlans[0].tci, 0);
    check_round_trip(&m, "any tag");
}

static void
test_of10(void **state)
{
    (void) state;
    struct ofp_match m;
    uint8_t p[OFP10_MATCH_LEN];
    /* Everything wildcarded but nw_src /8 and tp_dst with tcp. */
    memset(p, 0, sizeof p);
    uint32_t wc = ((1u << 22) - 1) & ~(1u << 4 | 1u << 5 | 1u << 7);
    wc = (wc & ~(63u << 8 | 63u << 14)) | 24u << 8 | 32u << 14;
    ofp_set_u32(p, wc);
    ofp_set_u16(p + 22, 0x0800);
    p[25] = 6;
    ofp_set_u32(p + 28, 0x0a010203);
    ofp_set_u16(p + 38, 80);
    assert_int_equal(ofp10_match_decode(p, &m), 0);
    assert_int_equal(ofp_get_u32((void *) &m.flow.nw_src), 0x0a000000);
    assert_int_equal(ofp_get_u32((void *) &m.wc.nw_src), 0xff000000);
    assert_int_equal(ofp_get_u16((void *) &m.flow.tp_dst), 80);
    assert_int_equal(ofp_match_check(&m), 0);
    check_round_trip(&m, "of10 tcp");
    uint8_t q[OFP10_MATCH_LEN];
    assert_int_equal(ofp10_match_encode(&m, q), 0);
    p[31] = 0;                      /* Canonical: masked bits zero. */
    p[30] = 0;
    p[29] = 0;
    assert_memory_equal(p, q, sizeof p);

    /* RARP carries ARP's fields, as in OVS. */
    memset(p, 0, sizeof p);
    ofp_set_u32(p, ((1u << 22) - 1) & ~(1u << 4 | 63u << 8));
    ofp_set_u16(p + 22, 0x8035);
    ofp_set_u32(p + 28, 0x0a000001);
    assert_int_equal(ofp10_match_decode(p, &m), 0);
    assert_int_equal(ofp_get_u32((void *) &m.wc.nw_src), 0xffffffff);
    assert_int_equal(ofp_match_check(&m), 0);
    check_round_trip(&m, "of10 rarp");

    /* Fields without their prerequisites are ignored (OF1.0 5.2.3). */
    memset(p, 0, sizeof p);
    ofp_set_u32(p, ((1u << 22) - 1) & ~(1u << 5 | 1u << 7 | 63u << 8));
    p[25] = 6;
    ofp_set_u16(p + 38, 80);
    assert_int_equal(ofp10_match_decode(p, &m), 0);
    assert_true(ofp_match_is_catchall(&m));

    /* dl_vlan 0xffff: no tag, and then the PCP means nothing. */
    memset(p, 0, sizeof p);
    ofp_set_u32(p, ((1u << 22) - 1) & ~(1u << 1 | 1u << 20));
    ofp_set_u16(p + 18, 0xffff);
    p[20] = 5;
    assert_int_equal(ofp10_match_decode(p, &m), 0);
    assert_int_equal(ofp_get_u16((void *) &m.wc.vlans[0].tpid), 0x8000);
    assert_int_equal(m.flow.vlans[0].tpid, 0);
    assert_int_equal(m.wc.vlans[0].tci, 0);
    check_round_trip(&m, "of10 no tag");
    /* Bad VLAN ID and PCP. */
    ofp_set_u16(p + 18, 0x1000);
    assert_int_equal(ofp10_match_decode(p, &m), OFPERR_OFPBMC_BAD_VALUE);
    ofp_set_u16(p + 18, 5);
    p[20] = 8;
    assert_int_equal(ofp10_match_decode(p, &m), OFPERR_OFPBMC_BAD_VALUE);

    /* What OF1.0 cannot say. */
    ofp_match_init(&m);
    ofpt_set_u(&m, MF_ETH_TYPE, 0x86dd);
    assert_int_equal(ofp10_match_encode(&m, q), 0);
    ofpt_set_u(&m, MF_IPV6_LABEL, 5);
    assert_int_equal(ofp10_match_encode(&m, q), -ENOTSUP);
    ofp_match_init(&m);
    ofpt_set_u(&m, MF_ETH_TYPE, 0x0800);
    uint8_t v[4] = { 10, 0, 0, 0 }, w[4] = { 255, 0, 255, 0 };
    assert_int_equal(mf_set(&m, mf_from_id(MF_IPV4_SRC), v, w), 0);
    assert_int_equal(ofp10_match_encode(&m, q), -ENOTSUP);
    ofp_match_init(&m);
    ofpt_set_u(&m, MF_IN_PORT, OFPP_LOCAL);
    assert_int_equal(ofp10_match_encode(&m, q), 0);
    assert_int_equal(ofp_get_u16(q + 4), 0xfffe);
    check_round_trip(&m, "in_port LOCAL");
}

static void
test_ports(void **state)
{
    (void) state;
    assert_int_equal(ofp_port_from_16(5), 5);
    assert_int_equal(ofp_port_from_16(0xfffe), OFPP_LOCAL);
    assert_int_equal(ofp_port_from_16(0xff00), 0xffffff00u);
    assert_int_equal(ofp_port_to_16(OFPP_CONTROLLER), 0xfffd);
    assert_int_equal(ofp_port_to_16(0xfeff), 0xfeff);
    assert_int_equal(ofp_port_to_16(0xff00), -1);
    assert_int_equal(ofp_port_to_16(0x10000), -1);
}

int
main(void)
{
    oracle = ofpt_have_ovs_ofctl();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field),
        cmocka_unit_test(test_bad_matches),
        cmocka_unit_test(test_more_errors),
        cmocka_unit_test(test_vlan_forms),
        cmocka_unit_test(test_of10),
        cmocka_unit_test(test_ports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
