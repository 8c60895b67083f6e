/* bench_acl: the rules of sluice-bench's acl scenario: a priority, the
 * match twice - in flow_parse() syntax for the debug rules, in ovs-ofctl
 * syntax for the OpenFlow tables (--openflow) - and the action (tx0 or
 * drop).  Shared with the unit test that counts the megaflows they make
 * (test_rule_table).
 *
 * pcapgen's flow i has source 10.0.0.1 + (i & 0xffff), destination
 * 10.128.0.1 + (i >> 16), UDP destination port 5001 + (i >> 14).  The
 * rules go from the smallest to the largest mask (the prefixes of a level
 * do not overlap, so this order changes no verdict), and traffic ends at
 * several levels, each a subtable of its own:
 *
 *   level (priority)        share at 1k flows    at 100k flows
 *   dst /32 (1000)          -                    34% (dst 10.128.0.2)
 *   + src /16, L4 dst (700) -                    33% (ports 5003, 5004)
 *   + src /18 (600)         -                    16%
 *   + src /20 (550)         -                     8% (half dropped)
 *   + src /24 (500)         77%                   3%
 *   + src /28 (400)          3% (half dropped)    -
 *   + src /32 (300)         hosts, dropped       hosts, dropped
 *   default in_port (0)     20%                   5%
 *
 * About 2% (1k) and 4% (100k) of the packets are dropped.  With the
 * classifier's staged lookup and prefix tries these rules make 14
 * megaflows at 1k flows and 33 at 100k (Open vSwitch: 33); the unit test
 * holds them to that. */
#ifndef SLUICE_BENCH_ACL_H
#define SLUICE_BENCH_ACL_H

struct acl_rule {
    const char *priority;
    const char *match;              /* Debug rule. */
    const char *of_match;           /* OpenFlow, as ovs-ofctl reads it. */
    const char *actions;            /* Debug rule: "tx0" or "drop". */
};

static const struct acl_rule acl_rules[] = {
    /* Destination hosts; one of them gets the flows i >= 65536. */
    { "1000", "ipv4(dst=10.128.0.100)",
      "ip,nw_dst=10.128.0.100", "drop" },
    { "1000", "ipv4(dst=10.128.0.101)",
      "ip,nw_dst=10.128.0.101", "drop" },
    { "1000", "ipv4(dst=10.128.0.102)",
      "ip,nw_dst=10.128.0.102", "drop" },
    { "1000", "ipv4(dst=10.128.0.2)",
      "ip,nw_dst=10.128.0.2", "tx0" },
    /* Destination networks: no new mask bits. */
    { "900", "ipv4(dst=10.129.0.0/16)",
      "ip,nw_dst=10.129.0.0/16", "drop" },
    { "900", "ipv4(dst=192.168.0.0/16)",
      "ip,nw_dst=192.168.0.0/16", "drop" },
    { "900", "ipv4(dst=10.128.7.0/24)",
      "ip,nw_dst=10.128.7.0/24", "drop" },
    /* Source bogons. */
    { "800", "ipv4(src=0.0.0.0/8)",
      "ip,nw_src=0.0.0.0/8", "drop" },
    { "800", "ipv4(src=127.0.0.0/8)",
      "ip,nw_src=127.0.0.0/8", "drop" },
    { "800", "ipv4(src=172.16.0.0/16)",
      "ip,nw_src=172.16.0.0/16", "drop" },
    { "800", "ipv4(src=192.168.0.0/16)",
      "ip,nw_src=192.168.0.0/16", "drop" },
    /* Services by L4 destination port. */
    { "700", "ipv4(proto=17),udp(dst=53)",
      "udp,tp_dst=53", "tx0" },
    { "700", "ipv4(proto=17),udp(dst=123)",
      "udp,tp_dst=123", "tx0" },
    { "700", "ipv4(proto=17),udp(dst=161)",
      "udp,tp_dst=161", "drop" },
    { "700", "ipv4(proto=6),tcp(dst=22)",
      "tcp,tp_dst=22", "tx0" },
    { "700", "ipv4(proto=6),tcp(dst=23)",
      "tcp,tp_dst=23", "drop" },
    { "700", "ipv4(proto=17),udp(dst=5003)",
      "udp,tp_dst=5003", "tx0" },
    { "700", "ipv4(proto=17),udp(dst=5004)",
      "udp,tp_dst=5004", "tx0" },
    /* Source networks, shortest prefixes first. */
    { "600", "ipv4(src=10.0.64.0/18)",
      "ip,nw_src=10.0.64.0/18", "tx0" },
    { "600", "ipv4(src=10.0.192.0/18)",
      "ip,nw_src=10.0.192.0/18", "drop" },
    { "550", "ipv4(src=10.0.32.0/20)",
      "ip,nw_src=10.0.32.0/20", "tx0" },
    { "550", "ipv4(src=10.0.48.0/20)",
      "ip,nw_src=10.0.48.0/20", "drop" },
    { "500", "ipv4(src=10.0.0.0/24)",
      "ip,nw_src=10.0.0.0/24", "tx0" },
    { "500", "ipv4(src=10.0.1.0/24)",
      "ip,nw_src=10.0.1.0/24", "tx0" },
    { "500", "ipv4(src=10.0.2.0/24)",
      "ip,nw_src=10.0.2.0/24", "tx0" },
    { "500", "ipv4(src=10.0.4.0/24)",
      "ip,nw_src=10.0.4.0/24", "tx0" },
    { "500", "ipv4(src=10.0.5.0/24)",
      "ip,nw_src=10.0.5.0/24", "tx0" },
    { "500", "ipv4(src=10.0.6.0/24)",
      "ip,nw_src=10.0.6.0/24", "tx0" },
    { "500", "ipv4(src=10.0.7.0/24)",
      "ip,nw_src=10.0.7.0/24", "tx0" },
    { "500", "ipv4(src=10.0.8.0/24)",
      "ip,nw_src=10.0.8.0/24", "tx0" },
    { "500", "ipv4(src=10.0.9.0/24)",
      "ip,nw_src=10.0.9.0/24", "tx0" },
    { "500", "ipv4(src=10.0.10.0/24)",
      "ip,nw_src=10.0.10.0/24", "tx0" },
    { "500", "ipv4(src=10.0.11.0/24)",
      "ip,nw_src=10.0.11.0/24", "tx0" },
    { "400", "ipv4(src=10.0.3.0/28)",
      "ip,nw_src=10.0.3.0/28", "drop" },
    { "400", "ipv4(src=10.0.3.16/28)",
      "ip,nw_src=10.0.3.16/28", "tx0" },
    /* Source hosts. */
    { "300", "ipv4(src=10.0.3.100)",
      "ip,nw_src=10.0.3.100", "drop" },
    { "300", "ipv4(src=10.0.3.101)",
      "ip,nw_src=10.0.3.101", "drop" },
    /* And the priority-0 in_port(rx0) -> tx0 of --output (OpenFlow:
     * in_port=1,actions=output:2). */
};

#endif
