#!/usr/bin/python3
"""Megaflow limits and what happens at them: misses that cannot be
installed are still executed once and every drop is counted;
dpctl/add-flow and mod-flow change every PMD or none."""

import os
import re
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402


def udp4(src, seq):
    """A UDP/IPv4 frame from 'src' (checksums are not looked at here)."""
    payload = struct.pack('!I', seq) + bytes(30)
    ulen = 8 + len(payload)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + ulen, seq & 0xffff, 0,
                     64, 17, 0, socket.inet_aton(src),
                     socket.inet_aton('10.1.0.1'))
    udp = struct.pack('!HHHH', 1000, 53, ulen, 0) + payload
    eth = b'\x02\x00\x00\x00\x00\x02' + b'\x02\x00\x00\x00\x00\x01'
    return eth + b'\x08\x00' + ip + udp


def upcall_counter(text, name):
    m = re.search(r'^\s+%s: (\d+)$' % re.escape(name), text, re.M)
    if not m:
        raise AssertionError('no "%s" in pmd-perf-show:\n%s' % (name, text))
    return int(m.group(1))


def flows_by_pmd(dump):
    """dpctl/dump-flows of several PMDs: [(core, {match: actions})] in the
    order the datapath keeps its PMDs (the order add-flow visits them)."""
    pmds = []
    for line in dump.splitlines():
        m = re.match(r'^flow-dump from pmd on cpu core: (\d+)$', line)
        if m:
            pmds.append((int(m.group(1)), {}))
        elif line.strip():
            match, _, rest = line.partition(', packets:')
            pmds[-1][1][match] = rest.partition('actions:')[2]
    return pmds


class FlowLimitTest(unittest.TestCase):

    def test_misses_beyond_the_flow_limit_are_executed_and_counted(self):
        # One megaflow per PMD: the other sources' packets all go up and
        # are executed by the control thread, after one translation each;
        # those the rules drop count as drops there, none is lost.
        srcs = ['10.0.0.1', '10.0.0.2', '10.0.0.3']
        pkts = [udp4(srcs[i % 3], i) for i in range(60)]
        with st.Daemon() as d:
            src = d.path('in.pcap')
            st.write_pcap(src, pkts)
            d.start(ports=[st.pcap_port('out0', 1, tx=d.path('out0.pcap'))])
            d.ctl('dpif-netdev/set-flow-limit', '1')
            d.ctl('debug/add-rule', '10', 'ipv4(src=10.0.0.1)', 'drop')
            d.ctl('debug/add-rule', '0', 'any', 'out0')
            d.ctl('dpctl/add-if', 'in0', 'net_pcap0,rx_pcap=' + src)
            st.wait_stable(lambda: st.pmd_sum(d.pmd_stats(),
                                              'packets received'),
                           what='input to be read')
            stats = d.pmd_stats()
            perf = d.ctl('dpif-netdev/pmd-perf-show')
            self.assertEqual(len(d.ctl('dpctl/dump-flows').splitlines()), 1)
            self.assertEqual(d.stop(), 0)
            out = st.read_pcap(d.path('out0.pcap'))

        self.assertEqual(st.pmd_sum(stats, 'packets received'), 60, stats)
        self.assertEqual(st.pmd_sum(stats, 'miss with failed upcall'), 0,
                         stats)
        up = st.pmd_upcalled(stats)
        self.assertEqual(upcall_counter(perf, 'handled'), up, perf)
        self.assertGreaterEqual(upcall_counter(perf, 'not installed, flow '
                                               'limit'), 1, perf)
        self.assertEqual(upcall_counter(perf, 'translated')
                         + upcall_counter(perf, 'covered by an installed '
                                          'megaflow'), up, perf)
        self.assertGreater(upcall_counter(perf, 'cycles handling upcalls'),
                           0, perf)
        # Every packet of 10.0.0.1 is dropped and counted, by the PMD or
        # by the control thread; every other packet is sent.
        dropped = (st.pmd_sum(stats, 'packets dropped')
                   + upcall_counter(perf, 'dropped by their actions'))
        self.assertEqual(dropped, 20, (stats, perf))
        self.assertEqual(len(out), 40)
        self.assertEqual(sorted(out), sorted(p for p in pkts
                                             if p[26:30] != bytes(
                                                 [10, 0, 0, 1])))

    def start_two_pmds(self, d, first, second):
        """Two PMDs; port in0 sends FIRST's sources, in1 SECOND's; every
        source is its own megaflow on the PMD that polls its port.
        Returns the megaflows of each PMD in the datapath's order."""
        ports = []
        for i, srcs in enumerate((first, second)):
            path = d.path('in%d.pcap' % i)
            st.write_pcap(path, [udp4(s, n) for n, s in enumerate(srcs)])
            ports.append(st.pcap_port('in%d' % i, i, rx=path))
        d.start(args=['--pmd-cpu-mask', '0x3'])
        d.ctl('dpif-netdev/set-max-idle', '3600000')
        # A rule per source: each source is a megaflow of its own (one
        # rule that no source matches would no longer do: the classifier
        # examines only the address bits that tell them apart).
        for s in first + second:
            d.ctl('debug/add-rule', '10', 'ipv4(src=%s)' % s, 'drop')
        d.ctl('debug/add-rule', '0', 'any', 'drop')
        for p in ports:
            name, devargs = p.split(' ', 1)
            d.ctl('dpctl/add-if', name, devargs)
        n = len(first) + len(second)
        st.wait_for(lambda: sum(len(f) for _, f in flows_by_pmd(
            d.ctl('dpctl/dump-flows'))) == n, timeout=20,
            what='%d megaflows' % n)
        return flows_by_pmd(d.ctl('dpctl/dump-flows'))

    def test_add_flow_and_mod_flow_are_all_or_nothing_across_pmds(self):
        # The first PMD has room, the second is at its flow limit: the
        # command fails on the second after changing the first, and must
        # take that change back.  Which port a PMD polls decides which
        # has more megaflows; if the busier one comes first, swap.
        few, many = ['10.0.0.1'], ['10.0.0.2', '10.0.0.3']
        for first, second in ((few, many), (many, few)):
            with st.Daemon() as d:
                pmds = self.start_two_pmds(d, first, second)
                self.assertEqual(len(pmds), 2, pmds)
                if len(pmds[0][1]) > len(pmds[1][1]):
                    self.assertEqual(d.stop(), 0)
                    continue
                self.assertEqual([len(f) for _, f in pmds], [1, 2], pmds)
                d.ctl('dpif-netdev/set-flow-limit', '2')
                before = pmds

                match = 'in_port(in0),eth_type(0x86dd)'
                err = d.ctl_error('dpctl/add-flow', match, 'drop')
                self.assertIn('flow limit reached', err)
                self.assertEqual(flows_by_pmd(d.ctl('dpctl/dump-flows')),
                                 before)

                # The first PMD's megaflow, modified there, created (and
                # refused) on the second.
                (only, actions), = before[0][1].items()
                self.assertEqual(actions, 'drop')
                err = d.ctl_error('dpctl/mod-flow', '--may-create', only,
                                  'userspace(cookie=7)')
                self.assertIn('flow limit reached', err)
                self.assertEqual(flows_by_pmd(d.ctl('dpctl/dump-flows')),
                                 before)

                # With room everywhere both commands apply everywhere.
                d.ctl('dpif-netdev/set-flow-limit', '3')
                d.ctl('dpctl/add-flow', match, 'drop')
                after = flows_by_pmd(d.ctl('dpctl/dump-flows'))
                self.assertEqual([len(f) for _, f in after], [2, 3], after)
                self.assertEqual(d.stop(), 0)
                return
        self.fail('no PMD order where the first PMD has room')


if __name__ == '__main__':
    st.main()
