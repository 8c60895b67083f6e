#!/usr/bin/python3
"""sluice-bench --openflow works: a short functional run (never a
measurement: the figures are only checked to exist) of the simple and acl
scenarios at 1k flows through bridge br0's OpenFlow tables, which must
forward and make as many megaflows as the debug rules do (acl: 14 at 1k
flows, as tests/unit/test_rule_table.c holds them)."""

import csv
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

SLUICE_BENCH = os.environ.get('SLUICE_BENCH', 'sluice-bench')
BENCH_TIMEOUT = 150


class BenchOpenFlowTest(unittest.TestCase):

    def run_bench(self, *args):
        """Runs sluice-bench with 'args'; returns its CSV rows by
        scenario."""
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


if __name__ == '__main__':
    st.main()
