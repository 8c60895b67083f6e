#!/usr/bin/python3
"""sluice-bench works: short functional runs (never a measurement: the
figures are only checked to exist).  --openflow: the simple and acl
scenarios at 1k flows through bridge br0's OpenFlow tables, which must
forward and make as many megaflows as the debug rules do (acl: 14 at 1k
flows, as tests/unit/test_rule_table.c holds them).  pvp: a testpmd guest
on two vhost-user ports gets its packets back through sluiced and through
testpmd's net_vhost ports (--ref testpmd), and the table says so (skipped
without hugepages or without testpmd's virtio_user driver).  --ref ovs is
not run here (Open vSwitch with DPDK takes long to set up), but without the
package it fails at once with a clear error."""

import csv
import glob
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

SLUICE_BENCH = os.environ.get('SLUICE_BENCH', 'sluice-bench')
BENCH_TIMEOUT = 150
TESTPMD = shutil.which('dpdk-testpmd')
# Debian's DPDK loads its drivers from here; the guest needs virtio_user.
HAVE_VIRTIO_USER = bool(glob.glob(
    '/usr/lib/*/dpdk/pmds-*/librte_net_virtio.so*'))


class BenchOpenFlowTest(unittest.TestCase):

    def run_bench(self, *args, table=None):
        """Runs sluice-bench with 'args'; returns its CSV rows by
        scenario (and its table on stdout in 'table', a list)."""
        tmp = tempfile.mkdtemp(prefix='sluice-bench-test-')
        self.addCleanup(subprocess.run, ['rm', '-rf', tmp])
        out = os.path.join(tmp, 'bench.csv')
        cmd = [SLUICE_BENCH, '--sluiced', st.SLUICED, '--csv', out,
               '--warmup', '1', '--duration', '2'] + list(args)
        if st.use_no_huge():
            cmd.append('--no-huge')
        r = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=BENCH_TIMEOUT, env=dict(
                               os.environ, TMPDIR=tmp))
        if r.returncode:
            self.fail('%s: status %d\n%s\n%s' % (' '.join(cmd), r.returncode,
                                                 r.stdout, r.stderr))
        if table is not None:
            table.append(r.stdout)
        with open(out) as f:
            return {row['scenario']: row for row in csv.DictReader(f)}

    def test_openflow_acl_and_simple_at_1k_flows(self):
        rows = self.run_bench('--openflow', '--scenario', 'simple,acl',
                              '--flows', '1k')
        self.assertEqual(sorted(rows), ['acl/openflow', 'simple/openflow'])
        for name, row in rows.items():
            self.assertGreater(float(row['mpps']), 0, name)
            self.assertGreater(int(row['sent']), 0, name)
            self.assertEqual(int(row['lost_upcalls']), 0, name)
        self.assertEqual(int(rows['simple/openflow']['megaflows']), 1)
        self.assertEqual(int(rows['simple/openflow']['dropped']), 0)
        # As many as the same rules give as debug rules.
        self.assertEqual(int(rows['acl/openflow']['megaflows']), 14)
        self.assertGreater(int(rows['acl/openflow']['dropped']), 0)

    @unittest.skipIf(st.use_no_huge(), 'the PVP guest needs hugepages')
    @unittest.skipUnless(TESTPMD and HAVE_VIRTIO_USER,
                         "needs dpdk-testpmd with DPDK's virtio_user driver")
    def test_pvp_guest_gets_its_packets_back(self):
        table = []
        rows = self.run_bench('--scenario', 'pvp', '--flows', '100',
                              '--ref', 'testpmd', table=table)
        self.assertEqual(sorted(rows), ['pvp'])
        row = rows['pvp']
        # Back in the guest through sluiced, and through testpmd.
        self.assertGreater(float(row['guest_rx_mpps']), 0)
        self.assertGreater(float(row['guest_tx_mpps']), 0)
        self.assertGreater(float(row['testpmd_guest_rx_mpps']), 0)
        self.assertEqual(float(row['figure']), float(row['guest_rx_mpps']))
        # sluiced forwarded both ways, one megaflow per in_port rule.
        self.assertGreater(int(row['sent']), 0)
        self.assertEqual(int(row['megaflows']), 2)
        self.assertEqual(int(row['lost_upcalls']), 0)
        self.assertGreater(float(row['cycles_per_pkt']), 0)
        self.assertGreater(float(row['testpmd_cycles_per_pkt']), 0)
        # The side-by-side table: sluiced's row and testpmd's, and how the
        # cores were shared.
        out = table[0]
        self.assertIn('side by side:', out)
        side = out[out.index('side by side:'):].splitlines()
        sl = [x for x in side if x.split()[:3] == ['pvp', '100', 'sluiced']]
        tp = [x for x in side if x.split()[:1] == ['testpmd']]
        self.assertEqual(len(sl), 1, out)
        self.assertEqual(len(tp), 1, out)
        self.assertRegex(sl[0], r' \d+\.\d{3} Mpps ')
        self.assertRegex(tp[0], r' \d+\.\d{3} Mpps ')
        self.assertIn('pvp cores: the guest', out)

    def test_ref_ovs_without_open_vswitch_fails_clearly(self):
        missing = '/nonexistent/ovs-vswitchd-dpdk'
        r = subprocess.run([SLUICE_BENCH, '--sluiced', st.SLUICED,
                            '--ref', 'ovs', '--ovs-vswitchd', missing],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn('--ref ovs needs Open vSwitch with DPDK', r.stderr)
        self.assertIn(missing, r.stderr)
        self.assertIn('openvswitch-switch-dpdk', r.stderr)
        self.assertEqual(r.stdout, '')
        r = subprocess.run([SLUICE_BENCH, '--ref', 'vpp'],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("'vpp' is not 'testpmd' or 'ovs'", r.stderr)


if __name__ == '__main__':
    st.main()
