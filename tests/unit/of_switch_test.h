/* Helpers for the tests that translate through OpenFlow switches without
 * a datapath (test_of_xlate, test_of_normal): two switches joined by a
 * patch link, and a translation as the datapath actions' text.  Include
 * after cmocka.h. */
#ifndef SLUICE_OF_SWITCH_TEST_H
#define SLUICE_OF_SWITCH_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/of_xlate.h"
#include "ofproto/ofproto.h"
#include "pmd/actions.h"
#include "pmd/flow.h"
#include "src/util/dstr.h"

/* br0: OpenFlow ports 1-4 on datapath ports 11-14, 5 a patch to br1's
 * port 1 ("b1p"), whose port 2 is datapath port 21. */
static inline void
of_switches_create(bool fail_secure, struct ofproto **br0,
                   struct ofproto **br1)
{
    *br0 = ofproto_create("br0", fail_secure);
    *br1 = ofproto_create("br1", fail_secure);
    struct ofproto_port_cfg p0[] = {
        { .ofp_port = 1, .dp_port = 11, .name = "p1", .link_up = true },
        { .ofp_port = 2, .dp_port = 12, .name = "p2", .link_up = true },
        { .ofp_port = 3, .dp_port = 13, .name = "p3", .link_up = true },
        { .ofp_port = 4, .dp_port = 14, .name = "p4", .link_up = true },
        { .ofp_port = 5, .dp_port = OFPROTO_NO_DP_PORT, .name = "b0p",
          .peer = "b1p", .link_up = true },
    };
    struct ofproto_port_cfg p1[] = {
        { .ofp_port = 1, .dp_port = OFPROTO_NO_DP_PORT, .name = "b1p",
          .peer = "b0p", .link_up = true },
        { .ofp_port = 2, .dp_port = 21, .name = "q2", .link_up = true },
    };
    ofproto_set_ports(*br0, p0, 5);
    ofproto_set_ports(*br1, p1, 2);
}

/* Translates 'f' (with traffic 'st' to account, may be NULL); returns
 * the actions' text ("drop" for none) in a static buffer and the mask in
 * '*mask' (may be NULL). */
static inline const char *
of_switch_xlate(const struct flow *f, const struct xlate_stats *st,
                struct flow *mask)
{
    static char text[1024];
    struct xlate_out out;
    memset(&out, 0, sizeof out);
    out.stats = st;
    int rc = of_xlate_translate(f, &out, NULL);
    assert_int_equal(rc, 0);
    struct dstr s = DSTR_INIT;
    dp_actions_format(out.actions, &s, NULL, NULL);
    snprintf(text, sizeof text, "%s", dstr_cstr(&s));
    dstr_free(&s);
    if (mask) {
        *mask = out.mask;
    }
    free(out.actions);
    return text;
}

#endif
