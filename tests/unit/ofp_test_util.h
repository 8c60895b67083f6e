/* Helpers for the OpenFlow codec tests: hex strings, Debian's ovs-ofctl
 * as the oracle ("ovs-ofctl ofp-print HEX"), matches that meet a field's
 * prerequisites.  Include after cmocka.h. */
#ifndef SLUICE_OFP_TEST_UTIL_H
#define SLUICE_OFP_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofp_field.h"

/* Parses 'hex' into a malloc'd buffer; '*len' its length. */
static inline uint8_t *
ofpt_from_hex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *p = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        unsigned int x;
        sscanf(hex + 2 * i, "%2x", &x);
        p[i] = (uint8_t) x;
    }
    *len = n;
    return p;
}

static inline char *
ofpt_to_hex(const uint8_t *p, size_t len)
{
    char *s = malloc(2 * len + 1);
    for (size_t i = 0; i < len; i++) {
        sprintf(s + 2 * i, "%02x", p[i]);
    }
    s[2 * len] = '\0';
    return s;
}

static inline int
ofpt_have_ovs_ofctl(void)
{
    return system("ovs-ofctl --version >/dev/null 2>&1") == 0;
}

/* What "ovs-ofctl ofp-print" says about the message 'p' (malloc'd), or
 * NULL if ovs-ofctl cannot be run. */
static inline char *
ofpt_ofp_print(const uint8_t *p, size_t len)
{
    char *hex = ofpt_to_hex(p, len);
    char *cmd = malloc(strlen(hex) + 64);
    sprintf(cmd, "ovs-ofctl ofp-print %s 2>&1", hex);
    free(hex);
    FILE *f = popen(cmd, "r");
    free(cmd);
    if (!f) {
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *out = malloc(cap);
    size_t k;
    while ((k = fread(out + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n < 2) {
            cap *= 2;
            out = realloc(out, cap);
        }
    }
    out[n] = '\0';
    if (pclose(f) != 0 && n == 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Whether "ovs-ofctl ofp-print" of the message says 'want' (an error
 * name, or a piece of the flow it prints); prints what it said if not.
 * Returns 1 when it differs, 0 when it agrees. */
static inline int
ofpt_ovs_differs(const char *what, const uint8_t *msg, size_t len,
                 const char *want)
{
    char *text = ofpt_ofp_print(msg, len);
    int differs = text && !strstr(text, want);
    if (differs) {
        fprintf(stderr, "%s: ovs-ofctl does not say %s: %.150s\n", what,
                want, text);
    }
    free(text);
    return differs;
}

/* cmocka failure unless "ovs-ofctl ofp-print" of 'b' says 'want' (lines
 * and all) without a decode error; nothing without ovs-ofctl. */
static inline void
ofpt_expect_print(const uint8_t *msg, size_t len, const char *want)
{
    char *text = ofpt_ofp_print(msg, len);
    if (!text) {
        return;
    }
    if (!strstr(text, want) || strstr(text, "***")) {
        fail_msg("want \"%s\" in: %s", want, text);
    }
    free(text);
}

static inline void
ofpt_set_u(struct ofp_match *m, enum mf_id id, uint64_t v)
{
    assert_int_equal(mf_set_int(m, id, v), 0);
}

/* Matches what 'mf' needs (exactly, with plain values). */
static inline void
ofpt_set_prereqs(struct ofp_match *m, const struct mf_field *mf)
{
    switch (mf->prereq) {
    case MFP_NONE:
        break;
    case MFP_VLAN:
        ofpt_set_u(m, MF_VLAN_VID, 0x1005);
        break;
    case MFP_MPLS:
        ofpt_set_u(m, MF_ETH_TYPE, 0x8847);
        break;
    case MFP_IPV4:
    case MFP_IP:
        ofpt_set_u(m, MF_ETH_TYPE, 0x0800);
        break;
    case MFP_IPV6:
        ofpt_set_u(m, MF_ETH_TYPE, 0x86dd);
        break;
    case MFP_ARP:
        ofpt_set_u(m, MF_ETH_TYPE, 0x0806);
        break;
    case MFP_TCP:
    case MFP_UDP:
    case MFP_SCTP:
    case MFP_ICMPV4:
        ofpt_set_u(m, MF_ETH_TYPE, 0x0800);
        ofpt_set_u(m, MF_IP_PROTO, mf->prereq == MFP_TCP ? 6
                              : mf->prereq == MFP_UDP ? 17
                              : mf->prereq == MFP_SCTP ? 132 : 1);
        break;
    case MFP_ICMPV6:
    case MFP_ND:
    case MFP_ND_SOLICIT:
    case MFP_ND_ADVERT:
        ofpt_set_u(m, MF_ETH_TYPE, 0x86dd);
        ofpt_set_u(m, MF_IP_PROTO, 58);
        if (mf->prereq != MFP_ICMPV6) {
            ofpt_set_u(m, MF_ICMPV6_TYPE,
                       mf->prereq == MFP_ND_ADVERT ? 136 : 135);
        }
        break;
    }
}

#endif
