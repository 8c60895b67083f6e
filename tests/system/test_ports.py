#!/usr/bin/python3
"""Ports at run time: dpctl/add-if, dpctl/del-if and dpctl/set-if-output on
net_ring, net_null, net_pcap (and net_tap where the kernel allows), errors
for bad requests, ports added and removed while traffic flows, and the
PMD commands (pmd-stats-show, pmd-stats-clear, pmd-rxq-show,
pmd-rxq-rebalance)."""

import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

ADDED_RE = r'^added (\S+) as port (\d+)\n?$'


def gen_port(d, name='gen', index=0, flows=256, count=2048):
    """A net_pcap port replaying a generated pcap forever."""
    path = d.path(name + '.pcap')
    st.pcapgen(path, flows=flows, size=64, count=count)
    return ('%s net_pcap%d,rx_pcap=%s,infinite_rx=1 n_mbuf=%d mbuf_size=512'
            % (name, index, path, count + 4096))


class PortTestCase(unittest.TestCase):

    def daemon(self, **kw):
        d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, d)
        self._gen = kw.pop('gen', False)
        ports = list(kw.pop('ports', []))
        if self._gen:
            ports.append(gen_port(d))
        d.start(ports=ports, **kw)
        return d

    def add(self, d, name, devargs, *opts):
        reply = d.ctl('dpctl/add-if', name, devargs, *opts)
        m = re.match(ADDED_RE, reply)
        self.assertTrue(m, 'dpctl/add-if reply %r' % reply)
        self.assertEqual(m.group(1), name)
        port_no = int(m.group(2))
        p = d.show()[name]
        self.assertEqual(p['port_no'], port_no)
        return port_no


class AddDelTest(PortTestCase):

    def test_add_del(self):
        d = self.daemon()
        self.assertEqual(d.show(), {})
        numbers = set()
        numbers.add(self.add(d, 'r0', 'net_ring0'))
        numbers.add(self.add(d, 'n0', 'net_null0,no-rx=1'))
        numbers.add(self.add(d, 'p0', 'net_pcap0,tx_pcap=%s'
                             % d.path('p0.pcap')))
        self.assertEqual(len(numbers), 3, 'port numbers not distinct')
        ports = d.show()
        self.assertEqual(sorted(ports), ['n0', 'p0', 'r0'])
        for name, p in ports.items():
            self.assertEqual(p['state'], 'up', p)
            self.assertGreaterEqual(p['n_rxq'], 1, p)
            self.assertGreaterEqual(p['n_txq'], 1, p)
            st.assert_output(self, p, 'drop')
            self.assertEqual(p['rx']['packets'], 0, p)
            self.assertEqual(p['tx']['packets'], 0, p)
        self.assertEqual(ports['r0']['devargs'], 'net_ring0')
        # Every port has a queue on the PMD.
        rxqs = st.parse_rxq_show(d.ctl('dpif-netdev/pmd-rxq-show'))
        polled = {port for qs in rxqs.values() for port, _ in qs}
        self.assertTrue({'r0', 'n0', 'p0'} <= polled, rxqs)

        d.ctl('dpctl/del-if', 'r0')
        self.assertEqual(sorted(d.show()), ['n0', 'p0'])
        rxqs = st.parse_rxq_show(d.ctl('dpif-netdev/pmd-rxq-show'))
        polled = {port for qs in rxqs.values() for port, _ in qs}
        self.assertNotIn('r0', polled)
        # The device is really gone: the same devargs work again.
        self.add(d, 'r0', 'net_ring0')
        d.ctl('dpctl/del-if', 'p0')
        d.ctl('dpctl/del-if', 'n0')
        d.ctl('dpctl/del-if', 'r0')
        self.assertEqual(d.show(), {})

    def test_options(self):
        d = self.daemon()
        self.add(d, 'q2', 'net_null0,no-rx=1', 'n_rxq=2', 'n_rxq_desc=512',
                 'n_txq_desc=512', 'mtu=1400', 'n_mbuf=4096',
                 'mbuf_size=2176')
        p = d.show()['q2']
        self.assertEqual(p['n_rxq'], 2, p)
        self.assertEqual(p['mtu'], 1400, p)
        rxqs = st.parse_rxq_show(d.ctl('dpif-netdev/pmd-rxq-show'))
        queues = sorted(q for qs in rxqs.values() for port, q in qs
                        if port == 'q2')
        self.assertEqual(queues, [0, 1], rxqs)
        d.ctl('dpctl/del-if', 'q2')

    def test_errors(self):
        d = self.daemon(ports=['r0 net_ring0'])
        # Bad devargs: unknown driver, missing file.
        d.ctl_error('dpctl/add-if', 'bad', 'net_bogus0')
        d.ctl_error('dpctl/add-if', 'bad', 'net_pcap5,rx_pcap=%s'
                    % d.path('no-such-file.pcap'))
        d.ctl_error('dpctl/add-if', 'bad', '')
        # Bad options.
        d.ctl_error('dpctl/add-if', 'bad', 'net_null5,no-rx=1', 'n_rxq=x')
        d.ctl_error('dpctl/add-if', 'bad', 'net_null5,no-rx=1', 'n_rxq=0')
        d.ctl_error('dpctl/add-if', 'bad', 'net_null5,no-rx=1',
                    'no_such_key=1')
        d.ctl_error('dpctl/add-if', 'bad', 'net_null5,no-rx=1', 'mtu')
        self.assertEqual(sorted(d.show()), ['r0'])
        # Duplicate name; device already in use under another name.
        d.ctl_error('dpctl/add-if', 'r0', 'net_ring1')
        d.ctl_error('dpctl/add-if', 'r1', 'net_ring0')
        self.assertEqual(sorted(d.show()), ['r0'])
        # The failed attempts left nothing behind: their devargs work.
        self.add(d, 'n5', 'net_null5,no-rx=1')
        self.add(d, 'r1', 'net_ring1')
        # Unknown ports.
        d.ctl_error('dpctl/del-if', 'nope')
        d.ctl_error('dpctl/set-if-output', 'nope', 'r0')
        d.ctl_error('dpctl/set-if-output', 'r0', 'nope')
        d.ctl('dpctl/set-if-output', 'r0', 'drop')
        # A port that is another port's output cannot silently dangle:
        # either del-if refuses, or the other port falls back to drop.
        d.ctl('dpctl/set-if-output', 'r1', 'n5')
        result, error = d.call('dpctl/del-if', 'n5')
        ports = d.show()
        if error is None:
            self.assertNotIn('n5', ports)
            st.assert_output(self, ports['r1'], 'drop')
        else:
            self.assertIn('n5', ports)
        self.assertTrue(d.running())

    def test_pcap_rx_at_run_time(self):
        """A finite pcap added by command is read (and dropped, its output
        being drop until set)."""
        d = self.daemon()
        src = d.path('in.pcap')
        st.write_pcap(src, st.mixed_frames('late', 100))
        self.add(d, 'late', 'net_pcap3,rx_pcap=' + src)
        d.wait_counter('late', 'rx', 100)
        stats = st.wait_stable(d.pmd_packets, settle=0.3)
        self.assertEqual(st.pmd_sum(stats, 'packets received'), 100)
        self.assertEqual(st.pmd_sum(stats, 'packets dropped')
                         + st.pmd_upcalled(stats), 100, stats)

    @unittest.skipUnless(os.geteuid() == 0 and os.path.exists('/dev/net/tun'),
                         'needs root and /dev/net/tun')
    def test_tap(self):
        """net_tap creates a kernel interface, removed with the port; a
        frame the kernel side sends comes out of the port's output."""
        d = self.daemon()
        out = d.path('tap-out.pcap')
        self.add(d, 'p0', 'net_pcap0,tx_pcap=' + out)
        iface = 'sltap%d' % (os.getpid() % 10000)
        sysfs = '/sys/class/net/' + iface
        # n_rxq=2: see test_tap_default_queues.
        self.add(d, 't0', 'net_tap0,iface=' + iface, 'n_rxq=2')
        self.assertTrue(os.path.exists(sysfs))
        d.ctl('dpctl/set-if-output', 't0', 'p0')
        frame = st.make_frame(200, 'tap', 1, dst=b'\xff' * 6)
        with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as raw:
            raw.bind((iface, 0))
            for _ in range(5):
                raw.send(frame)
        st.wait_for(lambda: d.counter('p0', 'tx') >= 5, 10,
                    what='frames from the kernel side')
        d.ctl('dpctl/del-if', 't0')
        st.wait_for(lambda: not os.path.exists(sysfs), 5,
                    what='tap interface to go away')
        self.assertEqual(d.stop(), 0)
        # The kernel may send frames of its own (IPv6 router
        # solicitations...); ours must all be there.
        self.assertEqual(st.read_pcap(out).count(frame), 5)

    @unittest.skipUnless(os.geteuid() == 0 and os.path.exists('/dev/net/tun'),
                         'needs root and /dev/net/tun')
    def test_tap_default_queues(self):
        """net_tap with default options: the tap PMD wants as many rx
        queues as tx queues, which the daemon must arrange."""
        d = self.daemon()
        iface = 'sltq%d' % (os.getpid() % 10000)
        self.add(d, 't0', 'net_tap1,iface=' + iface)
        d.ctl('dpctl/del-if', 't0')


class TrafficTest(PortTestCase):

    def test_set_output_at_run_time(self):
        """gen -> s1, then gen -> s2: s1's count stops, s2's rises."""
        d = self.daemon(ports=['s1 net_null1,no-rx=1',
                               's2 net_null2,no-rx=1'],
                        gen=True, outputs=['gen s1'])
        st.wait_for(lambda: d.counter('s1', 'tx') > 10000, 10,
                    what='traffic on s1')
        d.ctl('dpctl/set-if-output', 'gen', 's2')
        st.assert_output(self, d.show()['gen'], 's2')
        s1 = st.wait_stable(lambda: d.counter('s1', 'tx'), settle=0.3)
        a = d.counter('s2', 'tx')
        time.sleep(0.3)
        self.assertGreater(d.counter('s2', 'tx'), a)
        self.assertEqual(d.counter('s1', 'tx'), s1)
        d.ctl('dpctl/set-if-output', 'gen', 'drop')
        st.wait_stable(lambda: d.counter('s2', 'tx'), settle=0.3)

    def test_churn_without_loss(self):
        """Ports are added and removed while gen -> sink forwards; the
        gen -> sink path neither stalls nor loses a packet.

        Sound check: only 'gen' ever receives (the churned ports are
        net_null without rx, lone net_ring ports nobody sends to, and
        tx-only net_pcap ports).  After the churn, 'gen' is removed, which
        stops all traffic; then, quiescent, no packet was dropped and
        sink's tx count equals the number of packets the PMD received
        (forwarded by the PMD or, after an upcall, by the control
        thread)."""
        d = self.daemon(ports=['sink net_null0,no-rx=1'], gen=True,
                        outputs=['gen sink'])
        st.wait_for(lambda: d.counter('sink', 'tx') > 10000, 10,
                    what='traffic')
        last = d.counter('sink', 'tx')
        added = []
        for i in range(1, 13):
            if i % 3 == 0:
                name, devargs = 'n%d' % i, 'net_null%d,no-rx=1' % i
            elif i % 3 == 1:
                name, devargs = 'r%d' % i, 'net_ring%d' % i
            else:
                name = 'p%d' % i
                devargs = 'net_pcap%d,tx_pcap=%s' % (i, d.path(name + '.pcap'))
            self.add(d, name, devargs)
            added.append(name)
            if i % 3 == 0:
                d.ctl('dpif-netdev/pmd-rxq-rebalance')
            if len(added) > 3:
                d.ctl('dpctl/del-if', added.pop(0))
            # The PMD shares its core with nobody but may be preempted
            # for a few ms (the test runs on the same 2-core machine), so
            # a stall is no progress for 2 s, not between two reads.
            last = st.wait_for(lambda: (lambda n: n if n > last else 0)(
                d.counter('sink', 'tx')), 2.0, interval=0.01,
                what='gen -> sink to progress after changing %s' % name)
        for name in added:
            d.ctl('dpctl/del-if', name)
        gen_rx = d.counter('gen', 'rx')
        d.ctl('dpctl/del-if', 'gen')
        stats = st.wait_stable(d.pmd_packets, settle=0.3)
        ports = d.show()
        self.assertEqual(sorted(ports), ['sink'])
        received = st.pmd_sum(stats, 'packets received')
        sent = st.pmd_sum(stats, 'packets sent')
        upcalled = st.pmd_upcalled(stats)
        self.assertGreaterEqual(received, gen_rx)
        self.assertEqual(st.pmd_sum(stats, 'packets dropped'), 0, stats)
        self.assertEqual(st.pmd_sum(stats, 'miss with failed upcall'), 0,
                         stats)
        self.assertEqual(sent + upcalled, received, stats)
        # Every packet received reached sink (sent by the PMD, or by the
        # control thread after an upcall).
        sink = ports['sink']['tx']
        self.assertEqual(sink['dropped'], 0, sink)
        self.assertEqual(sink['packets'], received, (sink, stats))


class PmdCommandsTest(PortTestCase):

    def test_pmd_stats(self):
        d = self.daemon(ports=['sink net_null0,no-rx=1'], gen=True,
                        outputs=['gen sink'])
        st.wait_for(lambda: d.counter('sink', 'tx') > 100000, 10,
                    what='traffic')
        stats = d.pmd_stats()
        self.assertEqual(len(stats), 1, stats)      # One PMD by default.
        pmd = stats[0]
        for key in ('packets received', 'packets sent', 'packets dropped',
                    'idle cycles', 'processing cycles',
                    'avg cycles per packet',
                    'avg processing cycles per packet'):
            self.assertIn(key, pmd)
        self.assertGreater(pmd['packets received'], 100000)
        self.assertGreater(pmd['processing cycles'], 0)
        text = d.ctl('dpif-netdev/pmd-stats-show')
        m = re.search(r'processing cycles: \d+ \(([\d.]+)%\)', text)
        self.assertTrue(m, text)
        self.assertLessEqual(float(m.group(1)), 100.0)
        m = re.search(r'avg cycles per packet: ([\d.]+) \((\d+)/(\d+)\)',
                      text)
        self.assertTrue(m, text)
        self.assertGreater(float(m.group(1)), 0)

        # After a clear, the PMD counts only what it forwarded since (gen
        # -> sink is the only traffic; a few bursts of slack for the
        # iteration in flight).
        before = d.counter('sink', 'tx')
        d.ctl('dpif-netdev/pmd-stats-clear')
        after = d.pmd_stats()[0]
        since = d.counter('sink', 'tx') - before
        self.assertLessEqual(after['packets received'], since + 1024,
                             (after, since))
        # Port counters are not PMD stats: clearing leaves them alone.
        self.assertGreaterEqual(before, pmd['packets sent'])

    def test_pmd_stats_idle(self):
        d = self.daemon()
        time.sleep(0.2)
        pmd = d.pmd_stats()[0]
        self.assertEqual(pmd['packets received'], 0)
        self.assertEqual(pmd['packets sent'], 0)

    def test_rxq_show_rebalance(self):
        d = self.daemon(ports=['sink net_null0,no-rx=1',
                               'r1 net_ring1', 'm2 net_null2,no-rx=1 n_rxq=2'],
                        gen=True, outputs=['gen sink'])
        st.wait_for(lambda: d.counter('sink', 'tx') > 10000, 10,
                    what='traffic')
        want = {('gen', 0), ('sink', 0), ('r1', 0), ('m2', 0), ('m2', 1)}
        rxqs = st.parse_rxq_show(d.ctl('dpif-netdev/pmd-rxq-show'))
        self.assertTrue(rxqs, 'no PMD in pmd-rxq-show')
        got = [q for qs in rxqs.values() for q in qs]
        self.assertEqual(sorted(got), sorted(want), rxqs)
        d.ctl('dpif-netdev/pmd-rxq-rebalance')
        rxqs = st.parse_rxq_show(d.ctl('dpif-netdev/pmd-rxq-show'))
        got = [q for qs in rxqs.values() for q in qs]
        self.assertEqual(sorted(got), sorted(want), rxqs)
        a = d.counter('sink', 'tx')
        time.sleep(0.3)
        self.assertGreater(d.counter('sink', 'tx'), a,
                           'traffic stopped after rebalance')

    def test_rebalance_by_cycles_on_two_pmds(self):
        # Two PMDs (cores 0 and 1; core 0 shared with the control thread,
        # which the idle sleep makes bearable).  Queues start round-robin;
        # a rebalance by measured cycles gives the busy generator queue a
        # PMD of its own and puts the idle queues on the other.
        if os.cpu_count() < 2:
            self.skipTest('needs two cores')
        d = self.daemon(ports=['sink net_null0,no-rx=1',
                               'i1 net_null1,no-rx=1',
                               'i2 net_null2,no-rx=1 n_rxq=2'],
                        gen=True, outputs=['gen sink'],
                        args=['--pmd-cpu-mask', '0x3'])
        rxqs = st.parse_rxq_show(d.ctl('dpif-netdev/pmd-rxq-show'))
        self.assertEqual(sorted(rxqs), [0, 1], rxqs)
        st.wait_for(lambda: d.counter('sink', 'tx') > 100000, 10,
                    what='traffic')
        d.ctl('dpif-netdev/pmd-stats-clear')
        time.sleep(1)
        reply = d.ctl('dpif-netdev/pmd-rxq-rebalance')
        self.assertRegex(reply, r'\d+ queues? moved')
        rxqs = st.parse_rxq_show(d.ctl('dpif-netdev/pmd-rxq-show'))
        busy = [core for core, qs in rxqs.items() if ('gen', 0) in qs]
        self.assertEqual(len(busy), 1, rxqs)
        self.assertEqual(rxqs[busy[0]], [('gen', 0)], rxqs)
        other = [q for core, qs in rxqs.items() if core != busy[0]
                 for q in qs]
        self.assertEqual(sorted(other), [('i1', 0), ('i2', 0), ('i2', 1),
                                         ('sink', 0)], rxqs)
        a = d.counter('sink', 'tx')
        st.wait_for(lambda: d.counter('sink', 'tx') > a + 10000, 10,
                    what='traffic after the rebalance')


if __name__ == '__main__':
    st.main()
