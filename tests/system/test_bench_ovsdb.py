#!/usr/bin/python3
"""tools/bench-ovsdb in --quick mode: it starts Debian's ovsdb-server and
sluiced, measures each figure on both and prints a well-formed table (and
JSON).  Its numbers are not checked: only that every figure was measured
on both servers, is a positive number, and that the median lies within
the spread it prints."""

import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sluicetest as st                             # noqa: E402

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                    'tools', 'bench-ovsdb')
FIGURES = ['insert_seq', 'insert_pipe', 'fanout_latency', 'fanout_rate',
           'fanout_notes', 'client_cpu']
CELL = r'([0-9.e+]+) \(([0-9.e+]+)\.\.([0-9.e+]+)\)'


@unittest.skipUnless(st.OVSDB_SERVER and (os.cpu_count() or 1) >= 2,
                     'needs ovsdb-server and 2 cores')
class BenchOvsdbTest(unittest.TestCase):

    def test_quick(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, 'figures.json')
            cmd = ['/usr/bin/python3', TOOL, '--quick', '--repeat', '2',
                   '--json', out, '--sluiced', st.SLUICED]
            if st.use_no_huge():
                cmd.append('--no-huge')
            r = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
            with open(out) as f:
                result = json.load(f)
        lines = r.stdout.splitlines()
        self.assertRegex(lines[0], r'^bench-ovsdb: 2 run\(s\)')
        self.assertEqual(lines[1].split()[-2:], ['ovsdb-server', 'sluiced'])
        rows = [l for l in lines[2:] if re.search(CELL, l)]
        self.assertEqual(len(rows), len(FIGURES), r.stdout)
        for line in rows:
            cells = re.findall(CELL, line)
            self.assertEqual(len(cells), 2, line)
            for med, lo, hi in cells:
                self.assertLessEqual(float(lo), float(med), line)
                self.assertLessEqual(float(med), float(hi), line)

        self.assertEqual(result['params']['repeat'], 2)
        self.assertEqual(sorted(result['servers']),
                         ['ovsdb-server', 'sluiced'])
        for name, figs in result['servers'].items():
            self.assertEqual(sorted(figs), sorted(FIGURES), name)
            for key, s in figs.items():
                what = '%s %s: %r' % (name, key, s)
                self.assertEqual(len(s['runs']), 2, what)
                self.assertTrue(all(v > 0 for v in s['runs']), what)
                self.assertEqual(s['min'], min(s['runs']), what)
                self.assertEqual(s['max'], max(s['runs']), what)
                self.assertLessEqual(s['min'], s['median'], what)
                self.assertLessEqual(s['median'], s['max'], what)
            # Every client got every commit's row.
            self.assertGreaterEqual(figs['fanout_notes']['min'], 1, name)


if __name__ == '__main__':
    st.main()
