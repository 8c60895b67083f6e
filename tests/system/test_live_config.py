#!/usr/bin/python3
"""Datapath changes while traffic flows: the PMD core set
(dpif-netdev/set-pmd-cpu-mask), port reconfiguration (dpctl/set-if:
n_rxq, descriptors, mtu), the PMD idle sleep, administrative port state
(netdev-dpdk/set-admin-state), port status in dpctl/show, and the PMD
stats clear."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

MAC_RE = r'^[0-9a-f]{2}(:[0-9a-f]{2}){5}$'


def gen_port(d, name='gen', index=0, flows=64, count=2048):
    """A net_pcap port replaying a generated pcap forever."""
    path = d.path(name + '.pcap')
    st.pcapgen(path, flows=flows, size=64, count=count)
    return ('%s net_pcap%d,rx_pcap=%s,infinite_rx=1 n_mbuf=%d mbuf_size=512'
            % (name, index, path, count + 4096))


def cores_of(mask):
    return sorted(c for c in range(64) if mask >> c & 1)


class LiveTestCase(unittest.TestCase):

    def daemon(self, ports=(), gen=True, **kw):
        d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, d)
        ports = list(ports)
        if gen:
            ports.append(gen_port(d))
        d.start(ports=ports, **kw)
        return d

    def rxqs(self, d):
        return st.parse_rxq_show(d.ctl('dpif-netdev/pmd-rxq-show'))

    def assert_flowing(self, d, port='sink', what='traffic'):
        """The port's tx count grows by a good amount."""
        a = d.counter(port, 'tx')
        try:
            st.wait_for(lambda: d.counter(port, 'tx') > a + 5000, 20,
                        what='%s to %s' % (what, port))
        except AssertionError as e:
            raise AssertionError('%s\n%s\n%s\n%s\n%s' % (
                e, d.ctl('dpctl/show'), d.ctl('dpif-netdev/pmd-rxq-show'),
                d.ctl('dpif-netdev/pmd-perf-show'),
                d.ctl('dpctl/dump-flows')))

    def assert_queues(self, d, want, cores):
        """Every queue of WANT is polled by exactly one PMD, the PMDs are
        those of CORES."""
        rxqs = self.rxqs(d)
        self.assertEqual(sorted(rxqs), cores, rxqs)
        got = [q for qs in rxqs.values() for q in qs]
        self.assertEqual(sorted(got), sorted(want), rxqs)
        return rxqs


class PmdMaskTest(LiveTestCase):

    def test_mask_changes_while_forwarding(self):
        """gen -> sink while the PMD set goes 0x2 -> 0x3 -> 0x1 -> 0x2;
        bad masks are refused and the running set keeps forwarding."""
        if os.cpu_count() < 2 or not (os.sched_getaffinity(0) >= {0, 1}):
            self.skipTest('needs cores 0 and 1')
        d = self.daemon(ports=['sink net_null0,no-rx=1',
                               'idle net_null1,no-rx=1 n_rxq=2'],
                        outputs=['gen sink'],
                        args=['--pmd-cpu-mask', '0x2'])
        want = {('gen', 0), ('sink', 0), ('idle', 0), ('idle', 1)}
        self.assert_queues(d, want, [1])
        self.assert_flowing(d)
        self.assertIn('pmd cpu mask: 0x2',
                      d.ctl('dpif-netdev/pmd-rxq-show'))

        for mask in (0x3, 0x1, 0x2, 0x3, 0x2):
            reply = d.ctl('dpif-netdev/set-pmd-cpu-mask', '0x%x' % mask)
            self.assertIn('pmd cpu mask 0x%x' % mask, reply)
            self.assertIn('pmd cpu mask: 0x%x' % mask,
                          d.ctl('dpif-netdev/pmd-rxq-show'))
            rxqs = self.assert_queues(d, want, cores_of(mask))
            if mask == 0x3:
                # Both PMDs got queues.
                self.assertTrue(all(rxqs.values()), rxqs)
            stats = d.pmd_stats()
            self.assertEqual(sorted(p['core_id'] for p in stats),
                             cores_of(mask), stats)
            self.assert_flowing(d, what='traffic after mask 0x%x' % mask)
            # The PMD that polls gen is the one that receives.
            st.wait_for(lambda: any(p['packets received'] > 0
                                    for p in d.pmd_stats()), 10,
                        what='a PMD receiving')

        # Refused: no core, a core this machine or process does not
        # have, garbage.  The old set keeps running and forwarding.
        before = self.rxqs(d)
        for bad in ('0', '0x0', '0x%x' % (1 << 40), 'zz', '-1', '0x',
                    '0x10000000000000000'):
            err = d.ctl_error('dpif-netdev/set-pmd-cpu-mask', bad)
            self.assertTrue(err, bad)
        err = d.ctl_error('dpif-netdev/set-pmd-cpu-mask', '0x%x' % (1 << 40))
        self.assertIn('not online or not available', err)
        self.assertIn('has no core',
                      d.ctl_error('dpif-netdev/set-pmd-cpu-mask', '0'))
        self.assertEqual(self.rxqs(d), before)
        self.assertEqual([p['core_id'] for p in d.pmd_stats()], [1])
        self.assert_flowing(d, what='traffic after refused masks')

        # Nothing sent to sink was dropped on the way (moves of queues
        # and stopping PMDs lose nothing the devices accepted).
        self.assertEqual(d.show()['sink']['tx']['dropped'], 0)
        self.assertTrue(d.running())
        self.assertEqual(d.stop(), 0)

    def test_upcalls_drained_when_a_pmd_stops(self):
        """Every packet of gen goes up to the control thread (userspace
        action): when its PMD stops, what it still had queued is handled
        by the control thread, not dropped."""
        if not (os.sched_getaffinity(0) >= {0, 1}):
            self.skipTest('needs cores 0 and 1')
        d = self.daemon(args=['--pmd-cpu-mask', '0x2'])
        d.ctl('debug/add-rule', '10', 'in_port(gen)', 'userspace(cookie=7)')

        def perf(key):
            m = re.search(r'^\s*%s: (\d+)' % key,
                          d.ctl('dpif-netdev/pmd-perf-show'), re.M)
            self.assertTrue(m, key)
            return int(m.group(1))

        st.wait_for(lambda: perf('userspace packets') > 10000, 20,
                    what='userspace packets')
        self.assertEqual(perf('drained from stopping PMDs'), 0)
        d.ctl('dpif-netdev/set-pmd-cpu-mask', '0x1')
        self.assertGreater(perf('drained from stopping PMDs'), 0)
        a = perf('userspace packets')
        st.wait_for(lambda: perf('userspace packets') > a + 10000, 20,
                    what='userspace packets from the new PMD')

    def test_same_core_as_control_thread(self):
        """A PMD may share the control thread's core (core 0 here): the
        set can be just that core, and a port added then is polled."""
        d = self.daemon(ports=['sink net_null0,no-rx=1'],
                        outputs=['gen sink'])
        d.ctl('dpif-netdev/set-pmd-cpu-mask', '1')
        self.assert_queues(d, {('gen', 0), ('sink', 0)}, [0])
        self.assert_flowing(d)
        d.ctl('dpctl/add-if', 'late', 'net_null5,no-rx=1')
        self.assert_queues(d, {('gen', 0), ('sink', 0), ('late', 0)}, [0])


class PortReconfigureTest(LiveTestCase):

    def test_n_rxq_mtu_descriptors(self):
        """sink's n_rxq goes 1 -> 2 -> 1, its mtu and descriptor counts
        change, while gen forwards to it; it keeps its number."""
        d = self.daemon(ports=['sink net_null0,no-rx=1'],
                        outputs=['gen sink'])
        self.assert_flowing(d)
        port_no = d.show()['sink']['port_no']

        d.ctl('dpctl/set-if', 'sink', 'n_rxq=2')
        p = d.show()['sink']
        self.assertEqual((p['port_no'], p['n_rxq']), (port_no, 2), p)
        self.assert_queues(d, {('gen', 0), ('sink', 0), ('sink', 1)},
                           [self.pmd_core(d)])
        self.assert_flowing(d, what='traffic after n_rxq=2')

        d.ctl('dpctl/set-if', 'sink', 'n_rxq=1')
        p = d.show()['sink']
        self.assertEqual((p['port_no'], p['n_rxq']), (port_no, 1), p)
        self.assert_queues(d, {('gen', 0), ('sink', 0)},
                           [self.pmd_core(d)])
        self.assert_flowing(d, what='traffic after n_rxq=1')

        d.ctl('dpctl/set-if', 'sink', 'mtu=1400', 'n_rxq_desc=512',
              'n_txq_desc=256')
        p = d.show()['sink']
        self.assertEqual((p['mtu'], p['n_rxq_desc'], p['n_txq_desc']),
                         (1400, 512, 256), p)
        self.assert_flowing(d, what='traffic after mtu=1400')
        d.ctl('dpctl/set-if', 'sink', 'mtu=1500')
        self.assertEqual(d.show()['sink']['mtu'], 1500)
        self.assert_flowing(d, what='traffic after mtu=1500')

        # The rx side of the moving port: gen itself (1 rx queue only).
        d.ctl('dpctl/set-if', 'gen', 'n_rxq_desc=256')
        self.assertEqual(d.show()['gen']['n_rxq_desc'], 256)
        self.assert_flowing(d, what='traffic after reconfiguring gen')

    def pmd_core(self, d):
        stats = d.pmd_stats()
        self.assertEqual(len(stats), 1, stats)
        return stats[0]['core_id']

    def test_refused_changes_leave_the_port_working(self):
        d = self.daemon(ports=['sink net_null0,no-rx=1', 'r0 net_ring0'],
                        outputs=['gen sink'])
        self.assert_flowing(d)
        core = d.pmd_stats()[0]['core_id']
        # net_ring cannot change its MTU: found out only once the device
        # is stopped, so the old configuration is restored and r0 still
        # takes packets (a ring of 1024: a thousand or so until full).
        err = d.ctl_error('dpctl/set-if', 'r0', 'mtu=1400', 'n_rxq=2')
        self.assertIn('cannot set MTU 1400', err)
        p = d.show()['r0']
        self.assertEqual((p['state'], p['mtu'], p['n_rxq']),
                         ('up', 1500, 1), p)
        self.assert_queues(d, {('gen', 0), ('sink', 0), ('r0', 0)}, [core])
        self.assertEqual(d.counter('r0', 'tx'), 0)
        d.ctl('dpctl/set-if-output', 'gen', 'sink', 'r0')
        st.wait_for(lambda: d.counter('r0', 'tx') > 500, 20,
                    what='gen -> r0 after the failed change')
        d.ctl('dpctl/set-if-output', 'gen', 'sink')
        # net_pcap has as many rx queues as rx files: one.
        err = d.ctl_error('dpctl/set-if', 'gen', 'n_rxq=2')
        self.assertIn('at most 1 rx queue', err)
        p = d.show()['gen']
        self.assertEqual((p['state'], p['n_rxq']), ('up', 1), p)
        self.assert_queues(d, {('gen', 0), ('sink', 0), ('r0', 0)}, [core])
        self.assert_flowing(d, what='traffic after a refused n_rxq')
        # Bad words and unknown ports.
        self.assertIn('unknown port option',
                      d.ctl_error('dpctl/set-if', 'sink', 'bogus=1'))
        self.assertIn('from 68', d.ctl_error('dpctl/set-if', 'sink',
                                             'mtu=20'))
        self.assertIn('no port', d.ctl_error('dpctl/set-if', 'nope',
                                             'mtu=1400'))
        self.assertTrue(d.running())

    def test_failed_port_is_down_until_fixed(self):
        """gen's pcap file disappears: reconfiguring gen (net_pcap must be
        probed again to set up its queues) fails and so does restoring
        it; gen is then down with the error in dpctl/show, not polled,
        and the rest forwards.  Once the file is back, the next
        reconfiguration brings it up again with the same number."""
        d = self.daemon(ports=['sink net_null0,no-rx=1',
                               'n1 net_null1 n_rxq=1'],
                        outputs=['gen sink', 'n1 sink'])
        self.assert_flowing(d)
        port_no = d.show()['gen']['port_no']
        pcap = d.path('gen.pcap')
        saved = pcap + '.saved'
        os.rename(pcap, saved)
        err = d.ctl_error('dpctl/set-if', 'gen', 'n_rxq_desc=512')
        self.assertIn('the port is down', err)
        p = d.show()['gen']
        self.assertEqual(p['state'], 'failed', p)
        self.assertIn('error', p)
        polled = [q[0] for qs in self.rxqs(d).values() for q in qs]
        self.assertNotIn('gen', polled)
        self.assertIn('n1', polled)
        # n1 (a net_null source) still forwards to sink.
        self.assert_flowing(d, what='n1 -> sink while gen is down')
        self.assertTrue(d.running())

        os.rename(saved, pcap)
        d.ctl('dpctl/set-if', 'gen', 'n_rxq_desc=512')
        p = d.show()['gen']
        self.assertEqual((p['state'], p['port_no'], p['n_rxq_desc']),
                         ('up', port_no, 512), p)
        self.assertNotIn('error', p)
        d.ctl('dpctl/set-if-output', 'n1', 'drop')
        a = d.counter('gen', 'rx')
        st.wait_for(lambda: d.counter('gen', 'rx') > a + 5000, 20,
                    what='gen receiving again')
        self.assert_flowing(d, what='gen -> sink after the repair')


class PortStatusTest(LiveTestCase):

    def test_status_and_admin_state(self):
        d = self.daemon(ports=['sink net_null0,no-rx=1', 'r0 net_ring0'],
                        outputs=['gen sink'])
        self.assert_flowing(d)
        ports = d.show()
        for name, p in ports.items():
            self.assertEqual(p['state'], 'up', p)
            self.assertEqual(p['link'].split()[0], 'up', p)
            self.assertRegex(p['mac'], MAC_RE, p)
            self.assertEqual(p['link_resets'], 0, p)
            self.assertIn(p['duplex'], ('full', 'half'), p)
            self.assertGreaterEqual(p['speed'], 0, p)
        self.assertEqual(ports['sink']['driver'], 'net_null')
        self.assertEqual(ports['r0']['driver'], 'net_ring')
        self.assertEqual(ports['gen']['driver'], 'net_pcap')
        self.assertEqual(ports['r0']['speed'], 10000)   # net_ring: 10G.

        # net_ring can take its link down: admin down is a link reset.
        d.ctl('netdev-dpdk/set-admin-state', 'r0', 'down')
        p = d.show()['r0']
        self.assertEqual((p['state'], p['link'].split()[0], p['link_resets']),
                         ('admin-down', 'down', 1), p)
        self.assertNotIn('r0', [q[0] for qs in self.rxqs(d).values()
                                for q in qs])
        d.ctl('netdev-dpdk/set-admin-state', 'r0', 'up')
        p = d.show()['r0']
        self.assertEqual((p['state'], p['link'].split()[0], p['link_resets']),
                         ('up', 'up', 2), p)
        self.assertIn(('r0', 0), [q for qs in self.rxqs(d).values()
                                  for q in qs])

        # An admin-down output: what is sent to it is counted as dropped.
        d.ctl('netdev-dpdk/set-admin-state', 'sink', 'down')
        self.assertEqual(d.show()['sink']['state'], 'admin-down')
        sent = d.counter('sink', 'tx')
        a = d.counter('sink', 'tx', 'dropped')
        st.wait_for(lambda: d.counter('sink', 'tx', 'dropped') > a + 5000,
                    20, what='drops on admin-down sink')
        self.assertEqual(d.counter('sink', 'tx'), sent)
        d.ctl('netdev-dpdk/set-admin-state', 'sink', 'up')
        self.assert_flowing(d, what='traffic after sink is up again')

        # An admin-down input is not polled: it stops receiving.
        d.ctl('netdev-dpdk/set-admin-state', 'gen', 'down')
        rx = st.wait_stable(lambda: d.counter('gen', 'rx'), settle=0.5)
        time.sleep(0.3)
        self.assertEqual(d.counter('gen', 'rx'), rx)
        d.ctl('netdev-dpdk/set-admin-state', 'gen', 'up')
        self.assert_flowing(d, what='traffic after gen is up again')

        self.assertIn('expected up or down',
                      d.ctl_error('netdev-dpdk/set-admin-state', 'r0', 'x'))
        self.assertIn('no port',
                      d.ctl_error('netdev-dpdk/set-admin-state', 'x', 'up'))


class PmdTunablesTest(LiveTestCase):

    def test_no_port_counter_cleared(self):
        """'dropped, output to no such port' restarts from 0 on
        pmd-stats-clear like every other PMD counter."""
        d = self.daemon(ports=['sink net_null0,no-rx=1'], gen=False)
        in0 = max(p['port_no'] for p in d.show().values()) + 1
        d.ctl('dpctl/add-flow', 'in_port(%d)' % in0, '200')
        reply = d.ctl('dpctl/add-if', *gen_port(d).split())
        self.assertIn('port %d' % in0, reply)
        key = 'dropped, output to no such port'
        st.wait_for(lambda: st.pmd_sum(d.pmd_stats(), key) > 1000, 20,
                    what='drops to port 200')
        d.ctl('dpctl/del-if', 'gen')
        st.wait_stable(lambda: st.pmd_sum(d.pmd_stats(), key), settle=0.3)
        self.assertGreater(st.pmd_sum(d.pmd_stats(), key), 1000)
        d.ctl('dpif-netdev/pmd-stats-clear')
        stats = d.pmd_stats()
        self.assertEqual(st.pmd_sum(stats, key), 0, stats)
        self.assertEqual(st.pmd_sum(stats, 'packets received'), 0, stats)

    def test_idle_sleep_live(self):
        """An idle PMD told to sleep 100 ms after each empty poll iterates
        at most about 10 times a second; back to 20 us it iterates far
        more often."""
        d = self.daemon(gen=False)

        def iterations_in(seconds):
            a = d.pmd_stats()[0]['iterations']
            time.sleep(seconds)
            return d.pmd_stats()[0]['iterations'] - a

        d.ctl('dpif-netdev/set-pmd-idle-sleep', '100000')
        time.sleep(0.3)         # The iteration in progress ends.
        slow = iterations_in(1.0)
        self.assertLessEqual(slow, 15)
        d.ctl('dpif-netdev/set-pmd-idle-sleep', str(st.PMD_IDLE_SLEEP_US))
        fast = iterations_in(1.0)
        self.assertGreater(fast, 3 * max(slow, 10))
        d.ctl_error('dpif-netdev/set-pmd-idle-sleep', '100001')
        d.ctl_error('dpif-netdev/set-pmd-idle-sleep', 'x')
        # A PMD started later gets the current value (the reply is
        # refused or applied, never ignored: check the new PMD sleeps).
        d.ctl('dpif-netdev/set-pmd-idle-sleep', '100000')
        cores = os.sched_getaffinity(0)
        if {0, 1} <= cores:
            d.ctl('dpif-netdev/set-pmd-cpu-mask', '0x1')
            time.sleep(0.3)
            self.assertLessEqual(iterations_in(1.0), 15)
        d.ctl('dpif-netdev/set-pmd-idle-sleep', str(st.PMD_IDLE_SLEEP_US))

    def test_tunables_refuse_bad_values(self):
        d = self.daemon(gen=False)
        d.ctl_error('dpif-netdev/set-flow-limit', '0')
        d.ctl_error('dpif-netdev/set-max-idle', '10')
        d.ctl_error('dpif-netdev/set-emc-insert-inv-prob', '1000001')
        d.ctl_error('dpif-netdev/set-upcall-limit', '10', '0')
        d.ctl('dpif-netdev/set-flow-limit', '1000')
        self.assertIn('limit 1000', d.ctl('dpif-netdev/pmd-stats-show'))


if __name__ == '__main__':
    st.main()
