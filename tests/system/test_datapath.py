#!/usr/bin/python3
"""The datapath end to end: translation by the debug rule table, megaflow
installation, header rewrites, priorities, flow commands and expiry.

Inputs are finite pcap files (net_pcap rx_pcap=), outputs net_pcap
tx_pcap= files, compared byte for byte with what the rules should produce,
computed here independently (full checksum recomputation, not the
incremental updates the datapath does).

Packet order: checked within what the datapath guarantees.  The first
packets of a megaflow go to the control thread (an upcall) and leave from
there, possibly after later packets that hit the megaflow installed in the
PMD meanwhile; sluicetest.assert_forwarded allows exactly that many
packets out of order and requires the rest to keep their input order.
The PMD also executes a batch megaflow by megaflow, so order is kept
within a megaflow, not across megaflows; the tests whose megaflows are
installed before the traffic (no upcall at all) check exactly that.
The upcall rate limit is lifted so that no miss is dropped, and every
drop counter is asserted to be zero.
"""

import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp4(src, dst, sport, dport, seq, ttl=64, tos=0, size=80):
    """A UDP/IPv4 frame with valid checksums and a payload unique to seq."""
    payload = struct.pack('!I', seq) + bytes((seq + i) & 0xff
                                             for i in range(size - 46))
    ulen = 8 + len(payload)
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, tos, 20 + ulen, seq & 0xffff, 0,
                     ttl, 17, 0, s, d)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    udp = struct.pack('!HHHH', sport, dport, ulen, 0) + payload
    pseudo = s + d + struct.pack('!BBH', 0, 17, ulen)
    c = csum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack('!H', c) + udp[8:]
    eth = b'\x02\x00\x00\x00\x00\x02' + b'\x02\x00\x00\x00\x00\x01'
    return eth + b'\x08\x00' + ip + udp


def tcp4(src, dst, sport, dport, flags, seq):
    """A TCP/IPv4 frame with TCP flags FLAGS and valid checksums."""
    payload = struct.pack('!I', seq)
    tlen = 20 + len(payload)
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + tlen, seq & 0xffff, 0,
                     64, 6, 0, s, d)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    tcp = struct.pack('!HHIIHHHH', sport, dport, seq, 0, (5 << 12) | flags,
                      1024, 0, 0) + payload
    pseudo = s + d + struct.pack('!BBH', 0, 6, tlen)
    tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
    eth = b'\x02\x00\x00\x00\x00\x02' + b'\x02\x00\x00\x00\x00\x01'
    return eth + b'\x08\x00' + ip + tcp


def flow_lines(flows, *parts):
    """The lines of a dpctl/dump-flows reply that contain every PART."""
    return [line for line in flows.splitlines()
            if all(p in line for p in parts)]


def parse_udp4(frame):
    ip = frame[14:34]
    f = struct.unpack('!BBHHHBBH4s4s', ip)
    sport, dport = struct.unpack('!HH', frame[34:38])
    seq, = struct.unpack('!I', frame[42:46])
    return dict(src=socket.inet_ntoa(f[8]), dst=socket.inet_ntoa(f[9]),
                ttl=f[5], tos=f[1], sport=sport, dport=dport, seq=seq,
                size=len(frame))


def rebuild(frame, **changes):
    """The frame with fields changed and checksums recomputed from
    scratch."""
    p = parse_udp4(frame)
    p.update(changes)
    return udp4(p['src'], p['dst'], p['sport'], p['dport'], p['seq'],
                ttl=p['ttl'], tos=p['tos'], size=p['size'])


class DatapathTest(unittest.TestCase):

    def run_rules(self, packets, rules, outputs=('out0', 'out1'),
                  megaflows=()):
        """Starts a daemon with output ports OUTPUTS and an input port
        that is only polled once RULES (priority, match, actions) are in;
        returns {output: packets}, the pmd stats and the megaflow dump.
        MEGAFLOWS (match, actions) are installed with dpctl/add-flow
        before the input port exists, so that its packets hit them in the
        PMD from the first one; '{in0}' in a match stands for the input
        port's number (ports are numbered in the order they are added)."""
        with st.Daemon() as d:
            src = d.path('in.pcap')
            st.write_pcap(src, packets)
            ports = [st.pcap_port(o, i + 1, tx=d.path(o + '.pcap'))
                     for i, o in enumerate(outputs)]
            d.start(ports=ports)
            for prio, match, actions in rules:
                d.ctl('debug/add-rule', str(prio), match, actions)
            in0 = max(p['port_no'] for p in d.show().values()) + 1
            for match, actions in megaflows:
                d.ctl('dpctl/add-flow', match.format(in0=in0), actions)
            reply = d.ctl('dpctl/add-if', 'in0', 'net_pcap0,rx_pcap=' + src)
            self.assertIn('port %d' % in0, reply)
            st.wait_stable(lambda: st.pmd_sum(d.pmd_stats(),
                                              'packets received'),
                           what='input to be read')
            stats = d.pmd_stats()
            self.assertEqual(st.pmd_sum(stats, 'packets received'),
                             len(packets))
            self.assertEqual(st.pmd_sum(stats, 'miss with failed upcall'),
                             0, stats)
            flows = d.ctl('dpctl/dump-flows')
            rules_text = d.ctl('debug/show-rules')
            self.assertEqual(d.stop(), 0)
            got = {o: st.read_pcap(d.path(o + '.pcap')) for o in outputs}
            return got, stats, flows, rules_text

    def test_rewrite_byte_for_byte(self):
        pkts = [udp4('10.0.0.%d' % (i % 5 + 1), '10.1.0.1', 1000 + i % 5,
                     53 if i % 2 else 80, i) for i in range(200)]
        rules = [
            (20, 'eth_type(0x0800),udp(dst=53)',
             'set(ipv4(src=192.168.7.7,ttl=9)),set(udp(dst=5353)),out1'),
            (10, 'ipv4(dst=10.1.0.0/16)', 'set(ipv4(tos=0x20)),out0'),
            (0, 'any', 'drop'),
        ]
        got, stats, flows, _ = self.run_rules(pkts, rules)
        want1 = [rebuild(p, src='192.168.7.7', ttl=9, dport=5353)
                 for p in pkts if parse_udp4(p)['dport'] == 53]
        want0 = [rebuild(p, tos=0x20)
                 for p in pkts if parse_udp4(p)['dport'] != 53]
        upcalled = st.pmd_upcalled(stats)
        st.assert_forwarded(self, got['out1'], want1, upcalled, 'out1')
        st.assert_forwarded(self, got['out0'], want0, upcalled, 'out0')
        # Megaflows pin what the rules examined (udp dst) and nothing the
        # traffic varies beyond that (source port, source address).
        self.assertTrue(flows)
        for line in flows.splitlines():
            self.assertIn('actions:', line)
            self.assertNotIn('src=10.0.0.', line)

    def test_rewrite_on_metadata_only_megaflows(self):
        # A megaflow matching in_port alone lets the PMD classify without
        # parsing headers; the rewrite must then parse them itself.  The
        # megaflow is installed before the traffic, so every packet takes
        # the PMD's path (no upcall), in order.
        pkts = [udp4('10.0.0.%d' % (i % 3 + 1), '10.1.0.1', 1000 + i, 99, i)
                for i in range(100)]
        actions = 'set(ipv4(dst=172.16.0.9,ttl=3)),set(udp(src=7)),out0'
        got, stats, flows, _ = self.run_rules(
            pkts, [], megaflows=[('in_port({in0})', actions)])
        self.assertEqual(st.pmd_upcalled(stats), 0, stats)
        self.assertEqual(st.pmd_sum(stats, 'megaflow hits'), len(pkts))
        self.assertIn('packets:%d,' % len(pkts), flows)
        want = [rebuild(p, dst='172.16.0.9', ttl=3, sport=7) for p in pkts]
        st.assert_same_packets(self, got['out0'], want, 'out0')
        self.assertEqual(got['out1'], [])

    def test_megaflows_accumulate_tcp_flags(self):
        # Each megaflow shows the OR of the TCP flags of the packets that
        # hit it in the PMD, as Open vSwitch's dpctl/dump-flows does
        # ("flags:" after "used:"); a megaflow hit by no TCP packet shows
        # none.  Megaflows are installed before the traffic: every packet
        # takes the PMD's path (key extraction, EMC and classifier).
        syn, fin, rst, psh, ack = 0x02, 0x01, 0x04, 0x08, 0x10
        pkts = []
        for i in range(120):
            f1 = (syn, ack, psh | ack, fin | ack)[i % 4]
            pkts.append(tcp4('10.0.0.1', '10.1.0.1', 4000 + i, 80, f1, i))
            pkts.append(tcp4('10.0.0.2', '10.1.0.1', 4000, 80, rst | ack, i))
            pkts.append(udp4('10.0.0.3', '10.1.0.1', 4000, 80, i))
        m = 'in_port({in0}),eth_type(0x0800),ipv4(src=%s,proto=%d)'
        megaflows = [
            (m % ('10.0.0.1', 6), 'out0'),
            (m % ('10.0.0.2', 6) + ',tcp(dst=80)', 'out1'),
            (m % ('10.0.0.3', 17), 'out0'),
        ]
        got, stats, flows, _ = self.run_rules(pkts, [], megaflows=megaflows)
        self.assertEqual(st.pmd_upcalled(stats), 0, stats)
        self.assertEqual(len(got['out0']), 240)
        self.assertEqual(len(got['out1']), 120)
        one = flow_lines(flows, 'src=10.0.0.1')
        two = flow_lines(flows, 'src=10.0.0.2')
        three = flow_lines(flows, 'src=10.0.0.3')
        self.assertEqual((len(one), len(two), len(three)), (1, 1, 1), flows)
        self.assertIn(', flags:SFP., actions:', one[0])
        self.assertIn(', flags:R., actions:', two[0])
        self.assertNotIn('flags:', three[0])
        for line in one + two + three:
            self.assertIn('packets:120,', line)

    def test_tcp_flags_on_metadata_only_megaflows(self):
        # A megaflow on in_port alone classifies without parsing headers:
        # the TCP flags are still read from each packet.
        pkts = [tcp4('10.0.0.1', '10.1.0.1', 4000, 22, (0x02, 0x10)[i % 2],
                     i) for i in range(40)]
        pkts += [udp4('10.0.0.1', '10.1.0.1', 4000, 22, i)
                 for i in range(40, 60)]
        got, stats, flows, _ = self.run_rules(
            pkts, [], megaflows=[('in_port({in0})', 'out0')])
        self.assertEqual(st.pmd_upcalled(stats), 0, stats)
        st.assert_same_packets(self, got['out0'], pkts, 'out0')
        lines = flow_lines(flows, 'packets:60,')
        self.assertEqual(len(lines), 1, flows)
        self.assertIn(', flags:S., actions:', lines[0])

    def test_output_to_missing_port_is_counted(self):
        pkts = [udp4('10.0.0.1', '10.0.0.2', 1, 2, i) for i in range(40)]
        got, stats, _, _ = self.run_rules(
            pkts, [], megaflows=[('in_port({in0})', '200')])
        self.assertEqual(st.pmd_sum(stats,
                                    'dropped, output to no such port'), 40,
                         stats)
        self.assertEqual(got['out0'] + got['out1'], [])

    def test_pmd_path_with_several_megaflows(self):
        # Megaflows on the 5-tuple fields, installed before the traffic:
        # the PMD extracts keys, uses the EMC and the classifier (several
        # subtables) and rewrites, with no upcall.
        pkts = [udp4('10.0.0.%d' % (i % 4 + 1), '10.1.0.1', 5, 53 + i % 2, i)
                for i in range(300)]
        m = 'in_port({in0}),eth_type(0x0800),ipv4(src=%s,proto=17)'
        megaflows = [
            (m % '10.0.0.1', 'set(ipv4(tos=0x10)),out0'),
            (m % '10.0.0.2', 'out1'),
            ('in_port({in0}),eth_type(0x0800),ipv4(src=10.0.0.3,proto=17),'
             'udp(dst=53)', 'set(udp(dst=5353)),out0'),
            ('in_port({in0}),eth_type(0x0800),ipv4(src=10.0.0.3,proto=17),'
             'udp(dst=54)', 'drop'),
            ('in_port({in0}),eth_type(0x0800),ipv4(src=10.0.0.4/32)',
             'out0,out1'),
        ]
        got, stats, flows, _ = self.run_rules(pkts, [], megaflows=megaflows)
        self.assertEqual(st.pmd_upcalled(stats), 0, stats)
        want0, want1 = [], []
        for p in pkts:
            f = parse_udp4(p)
            if f['src'] == '10.0.0.1':
                want0.append(rebuild(p, tos=0x10))
            elif f['src'] == '10.0.0.2':
                want1.append(p)
            elif f['src'] == '10.0.0.3' and f['dport'] == 53:
                want0.append(rebuild(p, dport=5353))
            elif f['src'] == '10.0.0.4':
                want0.append(p)
                want1.append(p)
        # A batch is executed megaflow by megaflow: order holds within a
        # megaflow (here: a source address), not across them.
        for name, g, w in (('out0', got['out0'], want0),
                           ('out1', got['out1'], want1)):
            self.assertEqual(sorted(g), sorted(w), name)
            for src in ('10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'):
                st.assert_same_packets(
                    self, [p for p in g if parse_udp4(p)['src'] == src],
                    [p for p in w if parse_udp4(p)['src'] == src],
                    '%s from %s' % (name, src))

    def test_drops_and_outputs_mixed_in_a_batch(self):
        # Batches whose megaflows drop, output to one port, output to
        # another and rewrite, in every order (a drop first, a rewrite
        # first, ...): each packet gets its own megaflow's fate, even
        # though the PMD sends the packets of the batch's first output
        # port together and frees the drops together.
        pkts = [udp4('10.0.0.%d' % ((i * 7 // 3) % 4 + 1), '10.1.0.1', 5,
                     53, i) for i in range(320)]
        m = 'in_port({in0}),eth_type(0x0800),ipv4(src=%s)'
        megaflows = [
            (m % '10.0.0.1', 'drop'),
            (m % '10.0.0.2', 'out0'),
            (m % '10.0.0.3', 'out1'),
            (m % '10.0.0.4', 'set(ipv4(ttl=7)),out0'),
        ]
        got, stats, _, _ = self.run_rules(pkts, [], megaflows=megaflows)
        self.assertEqual(st.pmd_upcalled(stats), 0, stats)
        by_src = {}
        for p in pkts:
            by_src.setdefault(parse_udp4(p)['src'], []).append(p)
        self.assertEqual(st.pmd_sum(stats, 'packets dropped'),
                         len(by_src['10.0.0.1']), stats)
        want0 = by_src['10.0.0.2'] + [rebuild(p, ttl=7)
                                      for p in by_src['10.0.0.4']]
        self.assertEqual(sorted(got['out0']), sorted(want0))
        st.assert_same_packets(self, got['out1'], by_src['10.0.0.3'], 'out1')

    def test_priority_is_never_captured_by_a_wide_megaflow(self):
        # A catch-all forward at priority 0 and a specific source at 10.
        # Interleave so the catch-all's megaflow exists before the specific
        # packets arrive.
        pkts = []
        for i in range(300):
            src = '10.0.0.99' if i % 3 == 2 else '10.0.%d.%d' % (i % 7,
                                                                 i % 11)
            pkts.append(udp4(src, '10.9.9.9', 4000, 4000, i))
        rules = [(10, 'ipv4(src=10.0.0.99)', 'out1'), (0, 'any', 'out0')]
        got, stats, _, _ = self.run_rules(pkts, rules)
        want1 = [p for p in pkts if parse_udp4(p)['src'] == '10.0.0.99']
        want0 = [p for p in pkts if parse_udp4(p)['src'] != '10.0.0.99']
        upcalled = st.pmd_upcalled(stats)
        st.assert_forwarded(self, got['out1'], want1, upcalled, 'out1')
        st.assert_forwarded(self, got['out0'], want0, upcalled, 'out0')

    def test_multiple_outputs_and_vlan(self):
        pkts = [udp4('10.0.0.1', '10.0.0.2', 1, 2, i) for i in range(50)]
        rules = [(0, 'any', 'out0,push_vlan(vid=100,pcp=3),out1')]
        got, stats, _, _ = self.run_rules(pkts, rules)
        tag = struct.pack('!HH', 0x8100, (3 << 13) | 100)
        want1 = [p[:12] + tag + p[12:] for p in pkts]
        upcalled = st.pmd_upcalled(stats)
        st.assert_forwarded(self, got['out0'], pkts, upcalled, 'out0')
        st.assert_forwarded(self, got['out1'], want1, upcalled, 'out1')

    def test_flow_commands_and_expiry(self):
        with st.Daemon() as d:
            d.start(ports=['in0 net_ring0', 'out0 net_null0,no-rx=1'])
            d.ctl('dpif-netdev/set-max-idle', '300')
            d.ctl('dpctl/add-flow',
                  'in_port(in0),eth_type(0x0800),ipv4(proto=17)', 'out0')
            flows = d.ctl('dpctl/dump-flows')
            self.assertEqual(len(flows.splitlines()), 1, flows)
            self.assertIn('actions:out0', flows)
            err = d.ctl_error('dpctl/add-flow',
                              'in_port(in0),eth_type(0x0800),ipv4(proto=17)',
                              'out0')
            self.assertIn('exists', err)
            d.ctl('dpctl/mod-flow',
                  'in_port(in0),eth_type(0x0800),ipv4(proto=17)', 'drop')
            self.assertIn('actions:drop', d.ctl('dpctl/dump-flows'))
            self.assertIn('does not exist',
                          d.ctl_error('dpctl/mod-flow', 'in_port(in0)',
                                      'drop'))
            self.assertIn('unknown', d.ctl_error('dpctl/add-flow',
                                                 'bogus(1)', 'out0'))
            self.assertIn('nosuch', d.ctl_error('dpctl/add-flow',
                                                'in_port(in0)', 'nosuch'))
            # Never used: it expires from its creation time.
            st.wait_for(lambda: d.ctl('dpctl/dump-flows') == '',
                        timeout=10, what='the idle megaflow to expire')
            d.ctl('dpctl/add-flow', 'in_port(in0)', 'out0')
            d.ctl('dpctl/del-flow', 'in_port(in0)')
            self.assertEqual(d.ctl('dpctl/dump-flows'), '')
            self.assertIn('does not exist',
                          d.ctl_error('dpctl/del-flow', 'in_port(in0)'))
            d.ctl('dpctl/add-flow', 'in_port(in0)', 'out0')
            d.ctl('dpctl/del-flows')
            self.assertEqual(d.ctl('dpctl/dump-flows'), '')
            self.assertIn('megaflows expired: 1',
                          d.ctl('dpif-netdev/pmd-perf-show'))

    def test_traffic_megaflows_expire(self):
        pkts = [udp4('10.0.0.%d' % (i % 4), '10.0.1.1', 7, 7, i)
                for i in range(40)]
        with st.Daemon() as d:
            src = d.path('in.pcap')
            st.write_pcap(src, pkts)
            d.start(ports=['out0 net_null0,no-rx=1'])
            d.ctl('dpif-netdev/set-max-idle', '500')
            d.ctl('debug/add-rule', '5', 'ipv4(src=10.0.0.0/30)', 'out0')
            d.ctl('dpctl/add-if', 'in0', 'net_pcap0,rx_pcap=' + src)
            st.wait_for(lambda: d.ctl('dpctl/dump-flows'),
                        what='a megaflow')
            self.assertIn('packets:', d.ctl('dpctl/dump-flows'))
            st.wait_for(lambda: d.ctl('dpctl/dump-flows') == '',
                        timeout=10, what='megaflows to expire')

    def test_rule_changes_revalidate_megaflows(self):
        pkts = [udp4('10.0.0.%d' % (i % 4 + 1), '10.0.1.1', 7, 7, i)
                for i in range(20)]
        with st.Daemon() as d:
            src = d.path('in.pcap')
            st.write_pcap(src, pkts)
            d.start(ports=['out0 net_null0,no-rx=1',
                           'out1 net_null1,no-rx=1'])
            d.ctl('debug/add-rule', '0', 'any', 'out0')
            d.ctl('dpctl/add-if', 'in0', 'net_pcap0,rx_pcap=' + src)
            flows = st.wait_for(lambda: d.ctl('dpctl/dump-flows'),
                                what='a megaflow')
            self.assertEqual(len(flows.splitlines()), 1, flows)
            self.assertIn('actions:out0', flows)

            # Same fields examined, other actions: the megaflow stays
            # and takes the new actions.
            d.ctl('debug/add-rule', '0', 'any', 'out1')
            flows = d.ctl('dpctl/dump-flows')
            self.assertEqual(len(flows.splitlines()), 1, flows)
            self.assertIn('actions:out1', flows)
            perf = d.ctl('dpif-netdev/pmd-perf-show')
            self.assertIn('revalidated with new actions: 1', perf)

            # A rule that examines a field the megaflow wildcards: the
            # megaflow could capture its packets, so it goes.
            d.ctl('debug/add-rule', '10', 'ipv4(src=10.0.0.1)', 'drop')
            self.assertEqual(d.ctl('dpctl/dump-flows'), '')
            perf = d.ctl('dpif-netdev/pmd-perf-show')
            self.assertIn('deleted by revalidation: 1', perf)

    def test_upcall_rate_limit(self):
        # 400 packets of 400 flows that each need their own megaflow,
        # arriving far faster than 100 upcalls/s with a burst of 8: a few
        # go up, the rest are counted as rate-limited drops.
        pkts = [udp4('10.%d.%d.1' % (i // 200, i % 200), '10.0.0.2', 1, 2, i)
                for i in range(400)]
        with st.Daemon() as d:
            src = d.path('in.pcap')
            st.write_pcap(src, pkts)
            d.start(ports=['out0 net_null0,no-rx=1'], upcall_limit=None)
            d.ctl('dpif-netdev/set-upcall-limit', '100', '8')
            # A rule no packet matches, but whose field every megaflow must
            # then pin: each source address is its own megaflow.
            d.ctl('debug/add-rule', '10', 'ipv4(src=10.255.255.255)', 'drop')
            d.ctl('debug/add-rule', '0', 'any', 'out0')
            d.ctl('dpctl/add-if', 'in0', 'net_pcap0,rx_pcap=' + src)
            st.wait_stable(lambda: st.pmd_sum(d.pmd_stats(),
                                              'packets received'),
                           what='input to be read')
            stats = d.pmd_stats()
            up = st.pmd_sum(stats, 'miss with success upcall')
            limited = st.pmd_sum(stats, 'upcall rate limited')
            self.assertEqual(up + limited, 400, stats)
            self.assertLessEqual(up, 8 + 5, stats)
            self.assertGreater(limited, 300, stats)
            self.assertEqual(st.pmd_sum(stats, 'miss with failed upcall'),
                             limited, stats)

    def test_bad_rules_are_refused(self):
        with st.Daemon() as d:
            d.start(ports=['out0 net_null0,no-rx=1'])
            for args in (('x', 'any', 'out0'), ('70000', 'any', 'out0'),
                         ('1', 'ipv4(src=300.1.1.1)', 'out0'),
                         ('1', 'any', 'set(ipv4(ttl=999)),out0'),
                         ('1', 'in_port(nosuch)', 'out0')):
                d.ctl_error('debug/add-rule', *args)
            self.assertEqual(d.ctl('debug/show-rules'), '')
            self.assertIn('no such rule',
                          d.ctl_error('debug/del-rule', '1', 'any'))
            d.ctl('debug/add-rule', '1', 'any', 'out0')
            d.ctl('debug/del-rule', '1', 'any')
            self.assertEqual(d.ctl('debug/show-rules'), '')
            self.assertTrue(d.running())


if __name__ == '__main__':
    st.main()
