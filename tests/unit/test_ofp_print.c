/* Unit tests for ofproto/ofp_print: flows printed as Debian's ovs-ofctl
 * 3.1 prints them (its parse-flow output, copied), and print -> parse
 * gives back every flow of ofp_fixtures.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/ofp_match.h"
#include "ofproto/ofp_msg.h"
#include "ofproto/ofp_parse.h"
#include "ofproto/ofp_print.h"
#include "src/util/dstr.h"

#include "tests/unit/ofp_fixtures.h"

struct printed {
    uint8_t version;
    const char *flow;           /* Parsed. */
    const char *match, *actions;    /* What ovs-ofctl prints. */
};

static const struct printed printed[] = {
    { OFP10_VERSION, "tcp,tcp_flags=+syn-ack,actions=drop",
      "tcp,tcp_flags=+syn-ack", "drop" },
    { OFP10_VERSION, "tcp,tcp_flags=0xfff/0xfff,actions=drop",
      "tcp,tcp_flags=fin|syn|rst|psh|ack|urg|ece|cwr|ns|[200]|[400]|[800]",
      "drop" },
    { OFP10_VERSION, "ip,ip_frag=first,nw_tos=8,nw_ecn=1,nw_ttl=3,"
      "actions=load:1->NXM_NX_REG0[],"
      "move:NXM_NX_REG0[0..3]->NXM_NX_REG1[4..7],resubmit:3,resubmit(,4),"
      "resubmit(5,6),set_queue:1,pop_queue,mod_vlan_vid:5,strip_vlan",
      "ip,nw_tos=8,nw_ecn=1,nw_ttl=3,nw_frag=first",
      "load:0x1->NXM_NX_REG0[],move:NXM_NX_REG0[0..3]->NXM_NX_REG1[4..7],"
      "resubmit:3,resubmit(,4),resubmit(5,6),set_queue:1,pop_queue,"
      "mod_vlan_vid:5,strip_vlan" },
    { OFP13_VERSION, "arp,arp_op=1,arp_spa=1.2.3.0/24,"
      "arp_sha=00:00:00:00:00:01,dl_vlan=5,actions=set_field:1->reg2,"
      "strip_vlan,mod_dl_src:00:00:00:00:00:01,write_actions(output:1),"
      "write_metadata:0x1/0xff,goto_table:3",
      "arp,dl_vlan=5,arp_spa=1.2.3.0/24,arp_op=1,arp_sha=00:00:00:00:00:01",
      "set_field:0x1->reg2,pop_vlan,set_field:00:00:00:00:00:01->eth_src,"
      "write_actions(output:1),write_metadata:0x1/0xff,goto_table:3" },
    { OFP10_VERSION, "icmp6,icmp_type=135,nd_target=::1,ipv6_src=::/64,"
      "metadata=0x1,reg1=2,in_port=LOCAL,vlan_tci=0x1000/0x1000,"
      "actions=controller",
      "icmp6,reg1=0x2,metadata=0x1,in_port=LOCAL,vlan_tci=0x1000/0x1000,"
      "ipv6_src=::/64,icmp_type=135,nd_target=::1", "CONTROLLER:65535" },
    { OFP10_VERSION, "priority=7,in_port=3,dl_src=00:11:22:33:44:55,"
      "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,dl_type=0x88cc,"
      "actions=NORMAL,LOCAL,in_port,enqueue:1:2,note:01.02",
      "priority=7,in_port=3,dl_src=00:11:22:33:44:55,"
      "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,dl_type=0x88cc",
      "NORMAL,LOCAL,IN_PORT,enqueue:1:2,note:01.02" },
    { OFP10_VERSION, "udp,nw_src=10.0.0.0/255.0.255.0,tp_dst=0x50/0xf0,"
      "dl_vlan_pcp=3,actions=mod_nw_src:1.2.3.4,mod_tp_dst:9",
      "udp,dl_vlan_pcp=3,nw_src=10.0.0.0/255.0.255.0,tp_dst=0x50/0xf0",
      "mod_nw_src:1.2.3.4,mod_tp_dst:9" },
};

static void
test_like_ovs(void **state)
{
    (void) state;
    for (size_t i = 0; i < sizeof printed / sizeof *printed; i++) {
        const struct printed *p = &printed[i];
        struct ofp_flow_mod fm;
        struct dstr err = DSTR_INIT, m = DSTR_INIT, a = DSTR_INIT;
        if (ofp_parse_flow_mod(p->flow, OFPFC_ADD, NULL, &fm, &err)) {
            fail_msg("%s: %s", p->flow, dstr_cstr(&err));
        }
        ofp_print_match(&m, &fm.match, fm.priority);
        ofp_print_insts(&a, &fm.insts, p->version);
        if (strcmp(dstr_cstr(&m), p->match)
            || strcmp(dstr_cstr(&a), p->actions)) {
            fail_msg("%s:\nwant %s actions=%s\ngot  %s actions=%s",
                     p->flow, p->match, p->actions, dstr_cstr(&m),
                     dstr_cstr(&a));
        }
        ofp_flow_mod_free(&fm);
        dstr_free(&err);
        dstr_free(&m);
        dstr_free(&a);
    }
}

/* Every fixture's flow printed and parsed again is the same flow. */
static void
test_round_trip(void **state)
{
    (void) state;
    for (size_t i = 0; i < sizeof ofp_fixtures / sizeof *ofp_fixtures;
         i++) {
        const char *args = ofp_fixtures[i].args;
        if (strstr(args, "-flows ")) {
            continue;
        }
        const char *flow = strrchr(args, ' ');
        flow = flow ? flow + 1 : args;
        struct ofp_flow_mod a, b;
        struct dstr err = DSTR_INIT, text = DSTR_INIT;
        assert_int_equal(ofp_parse_flow_mod(flow, OFPFC_ADD, NULL, &a,
                                            &err), 0);
        for (int v = 0; v < 2; v++) {
            dstr_clear(&text);
            ofp_print_match(&text, &a.match, a.priority);
            dstr_put(&text, " actions=");
            ofp_print_insts(&text, &a.insts,
                            v ? OFP13_VERSION : OFP10_VERSION);
            if (ofp_parse_flow_mod(dstr_cstr(&text), OFPFC_ADD, NULL, &b,
                                   &err)) {
                fail_msg("%s -> %s: %s", flow, dstr_cstr(&text),
                         dstr_cstr(&err));
            }
            if (!ofp_match_equal(&a.match, &b.match)
                || a.priority != b.priority
                || !ofp_insts_equal(&a.insts, &b.insts)) {
                fail_msg("%s -> %s: not the same flow", flow,
                         dstr_cstr(&text));
            }
            ofp_flow_mod_free(&b);
        }
        ofp_flow_mod_free(&a);
        dstr_free(&err);
        dstr_free(&text);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_like_ovs),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
