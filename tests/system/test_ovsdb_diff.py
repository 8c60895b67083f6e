#!/usr/bin/python3
"""Differential test of sluiced's OVSDB server against Debian's
ovsdb-server: the fixed corpus of ovsdb_diff_corpus.py on each schema
(ovsdb/vswitch.ovsschema and small schemas with every column kind), with
the replies compared after the normalisations listed in ovsdbdiff.py.

Environment:
  SLUICE_DIFF_RANDOM=N   also run N randomly mutated sequences per schema
  SLUICE_DIFF_SEED=S     the campaign's seed (printed; default: random)
  SLUICE_DIFF_ONLY=TEXT  only the sequences whose name contains TEXT
"""

import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import ovsdbdiff as od                              # noqa: E402
import ovsdb_diff_corpus as corpus                  # noqa: E402

RANDOM = int(os.environ.get('SLUICE_DIFF_RANDOM', '0') or 0)
ONLY = os.environ.get('SLUICE_DIFF_ONLY', '')


def seed():
    s = os.environ.get('SLUICE_DIFF_SEED')
    return int(s) if s else random.SystemRandom().randrange(1 << 32)


@unittest.skipUnless(od.OVSDB_SERVER and od.OVSDB_TOOL,
                     'needs Debian\'s ovsdb-server and ovsdb-tool')
class DiffTest(unittest.TestCase):

    def run_schema(self, key):
        seqs = [(n, s) for n, s in corpus.sequences()[key] if ONLY in n]
        pair = od.Pair(corpus.SCHEMAS[key])
        self.addCleanup(pair.stop)
        diffs = []
        for name, seq in seqs:
            d = pair.diff(seq)
            if d:
                diffs.append('%s/%s: %s' % (key, name, d))
        print('%s: %d fixed sequences, %d differences'
              % (key, len(seqs), len(diffs)), file=sys.stderr)
        if RANDOM:
            s = seed()
            rng = random.Random(s)
            n_diff = 0
            for i in range(RANDOM):
                name, base = rng.choice(seqs)
                seq = od.mutate_seq(rng, base)
                d = pair.diff(seq)
                if d:
                    n_diff += 1
                    diffs.append('%s/random %d (seed %d) from %s: %s\n'
                                 '  sequence: %s' % (key, i, s, name, d,
                                                     json.dumps(seq)))
            print('%s: %d random sequences (SLUICE_DIFF_SEED=%d), '
                  '%d differences' % (key, RANDOM, s, n_diff),
                  file=sys.stderr)
        if pair.oracle_crashes:
            print('%s: %d sequences crashed ovsdb-server (not compared), '
                  'e.g. %s' % (key, len(pair.oracle_crashes),
                               json.dumps(pair.oracle_crashes[0])[:300]),
                  file=sys.stderr)
        if diffs:
            self.fail('%d differences:\n%s' % (len(diffs),
                                              '\n\n'.join(diffs)))

    def test_kinds(self):
        self.run_schema('kinds')

    def test_refs(self):
        self.run_schema('refs')

    def test_no_version(self):
        self.run_schema('nover')

    def test_vswitch(self):
        self.run_schema('vswitch')


if __name__ == '__main__':
    unittest.main()
