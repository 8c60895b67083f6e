#!/usr/bin/python3
"""A PMD that stalls (the debug/pmd-stall test hook: it neither polls, nor
applies commands, nor reports quiescence) never stalls the control thread
and never has memory freed under it.

While it stalls: deleting 3,000 megaflows returns at once, the control
socket keeps answering, what waits for the PMD is counted in
pmd-stats-show ("frees waiting for this pmd", "commands waiting for ring
room"), and nothing it may still read is freed.  Once released, it applies
everything, the frees run, and traffic makes megaflows again.  Run under
AddressSanitizer (tools/check --sanitize --suite reclaim) a free too early
would be a use after free in the PMD.
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

# Fewer than the upcall ring holds (4096): the pcap is read once, as fast
# as it is polled, and every packet must make its megaflow.
N_FLOWS = 3000

# Every packet its own megaflow (as sluice-bench's setup scenario): no
# prefix tries, and a rule that examines the addresses first.
EXACT_RULE = ('100', 'ipv4(src=10.255.255.255,dst=10.255.255.255,'
              'proto=17),udp(src=9,dst=9)', 'drop')


def pending(d):
    """(frees, commands) waiting for the first PMD."""
    text = d.ctl('dpif-netdev/pmd-stats-show')
    frees = int(re.search(r'frees waiting for this pmd: (\d+)',
                          text).group(1))
    cmds = int(re.search(r'commands waiting for ring room: (\d+)',
                         text).group(1))
    return frees, cmds


def log_text(d):
    with open(d.log_file) as f:
        return f.read()


def megaflows(d):
    return st.parse_pmd_stats(d.ctl('dpif-netdev/pmd-stats-show'))[0][
        'megaflows']


class StalledPmdTest(unittest.TestCase):

    def start(self, d):
        src = d.path('in.pcap')
        st.pcapgen(src, N_FLOWS)
        d.start(ports=['out0 net_null0,no-rx=1'], memory=512)
        d.ctl('dpif-netdev/set-flow-limit', str(2 * N_FLOWS))
        d.ctl('debug/set-prefixes', 'none')
        d.ctl('debug/add-rule', *EXACT_RULE)
        d.ctl('debug/add-rule', '0', 'any', 'out0')
        d.ctl('dpctl/add-if', 'in0', 'net_pcap0,rx_pcap=' + src)
        st.wait_for(lambda: megaflows(d) >= N_FLOWS, timeout=60,
                    what='%d megaflows' % N_FLOWS)
        # Installs beyond the command ring's room wait in the backlog
        # until the PMD takes them.
        st.wait_for(lambda: pending(d) == (0, 0), what='installs applied')
        return st.parse_pmd_stats(
            d.ctl('dpif-netdev/pmd-stats-show'))[0]['core_id']

    def test_flush_under_a_stalled_pmd(self):
        with st.Daemon() as d:
            core = self.start(d)
            d.ctl('debug/pmd-stall', str(core), 'on')

            d.ctl('loop/show', '--clear')
            t0 = time.monotonic()
            d.ctl('dpctl/del-flows')
            took = time.monotonic() - t0
            longest = float(re.search(r'longest iteration: ([\d.]+) ms',
                                      d.ctl('loop/show')).group(1))
            print('del-flows of %d megaflows under a stalled PMD: %.1f ms, '
                  'longest loop iteration %.1f ms'
                  % (N_FLOWS, took * 1e3, longest), file=sys.stderr)
            self.assertLess(longest, 2000, 'the loop was blocked')
            # Each batch of 256 waited up to 2 s for the PMD before: 24 s
            # for 3,000 megaflows.
            self.assertLess(took, 10, 'del-flows waited for the PMD')
            self.assertEqual(d.ctl('dpctl/dump-flows'), '')
            self.assertIn('sluice', d.ctl('version').lower())
            frees, cmds = pending(d)
            self.assertGreaterEqual(frees, N_FLOWS // 256)
            # More deletions than the command ring holds: the rest waits.
            for _ in range(3):
                d.ctl('debug/add-rule', '0', 'any', 'drop')
                d.ctl('debug/add-rule', '0', 'any', 'out0')
            time.sleep(0.5)
            self.assertGreater(pending(d)[0], 0, 'freed under the stall')
            st.wait_for(lambda: 'has not moved on' in log_text(d),
                        what='the lagging PMD logged')

            d.ctl('debug/pmd-stall', str(core), 'off')
            st.wait_for(lambda: pending(d) == (0, 0),
                        what='frees to run after the stall')
            # Traffic goes on (the pcap is read once: new packets come
            # from a second input port).
            src2 = d.path('in2.pcap')
            st.pcapgen(src2, 100)
            d.ctl('dpctl/add-if', 'in1', 'net_pcap1,rx_pcap=' + src2)
            st.wait_for(lambda: megaflows(d) >= 100, what='new megaflows')
            self.assertTrue(d.running())

    def test_commands_beyond_the_ring_wait_in_order(self):
        """With the PMD stalled, more commands than its ring holds are
        sent (flow installs and deletions): none is lost or reordered,
        nothing blocks, and all apply once it moves again."""
        with st.Daemon() as d:
            core = self.start(d)
            d.ctl('debug/pmd-stall', str(core), 'on')
            for i in range(1500):
                d.ctl('dpctl/add-flow',
                      'in_port(in0),eth_type(0x0800),ipv4(src=10.9.%d.%d)'
                      % (i // 256, i % 256), 'out0')
            frees, cmds = pending(d)
            self.assertGreater(cmds, 0)
            d.ctl('dpctl/del-flows')
            d.ctl('debug/pmd-stall', str(core), 'off')
            st.wait_for(lambda: pending(d) == (0, 0),
                        what='the backlog and frees to drain')
            self.assertEqual(d.ctl('dpctl/dump-flows'), '')
            # The passes that applied them are measured: the longest one
            # is part of the command cycles.
            pmd = [p for p in d.pmd_stats() if p['core_id'] == core][0]
            self.assertGreater(pmd['longest command pass'], 0, pmd)
            self.assertLessEqual(pmd['longest command pass'],
                                 pmd['command cycles'], pmd)
            d.ctl('dpctl/add-flow', 'in_port(in0)', 'out0')
            self.assertIn('actions:out0', d.ctl('dpctl/dump-flows'))

    def test_port_removal_under_a_stalled_pmd(self):
        """Removing a port does not wait for a stalled PMD (it waited 2 s
        twice and then freed the queues and closed the device anyway):
        its device closes once the PMD moves again.  Until then, adding a
        port of that name or device is refused with the reason, and so is
        a reconfiguration that needs the PMD to let go of a device."""
        with st.Daemon() as d:
            src = d.path('in.pcap')
            st.pcapgen(src, 10)
            d.start(ports=['out0 net_null0,no-rx=1',
                           'in0 net_pcap0,rx_pcap=' + src])
            core = st.parse_pmd_stats(
                d.ctl('dpif-netdev/pmd-stats-show'))[0]['core_id']
            d.ctl('debug/pmd-stall', str(core), 'on')

            t0 = time.monotonic()
            d.ctl('dpctl/del-if', 'out0')
            self.assertLess(time.monotonic() - t0, 2.0,
                            'del-if waited for the PMD')
            self.assertNotIn('out0', d.ctl('dpctl/show'))
            self.assertGreater(pending(d)[0], 0)
            err = d.ctl_error('dpctl/add-if', 'out0', 'net_null0,no-rx=1')
            self.assertIn('still in use by a PMD that does not answer',
                          err)
            err = d.ctl_error('dpctl/set-if', 'in0', 'n_rxq_desc=512')
            self.assertIn('a PMD does not answer', err)

            d.ctl('debug/pmd-stall', str(core), 'off')
            st.wait_for(lambda: pending(d) == (0, 0),
                        what='the removal to finish')
            with open(d.log_file) as f:
                self.assertIn('out0 closed', f.read())
            d.ctl('dpctl/add-if', 'out0', 'net_null0,no-rx=1')
            d.ctl('dpctl/set-if', 'in0', 'n_rxq_desc=512')
            self.assertIn('out0', d.ctl('dpctl/show'))
            self.assertTrue(d.running())


if __name__ == '__main__':
    st.main()
