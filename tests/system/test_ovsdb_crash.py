#!/usr/bin/python3
"""sluiced's OVSDB journal across crashes: a client streams transactions
while the daemon is killed with SIGKILL at random moments (seeded; the
seed is printed, SLUICE_CRASH_SEED=N repeats a run), and restarted on the
same file each time; and a file whose last record was torn (cut short) or
corrupted (bytes flipped) is repaired on start-up.

What is guaranteed, and checked:
  - A transaction is answered only after its record was written to the
    journal (ovsdb/db.h: the journal writer runs before the commit is
    visible).  SIGKILL kills the process, not the kernel, so whatever was
    written is in the page cache and survives: every acknowledged
    transaction, durable or not, must be there after the restart.
  - Durable ones ({"op": "commit", "durable": true}) are answered only
    after fdatasync(), so they would also survive a power loss; a
    non-durable one may be lost then (not testable here: that takes a
    kernel crash), but never half of it.
  - A transaction is in the file whole or not at all (a record is one
    JSON object with its length and SHA-1; a torn tail is cut off on
    start-up): each transaction here inserts two rows, both or neither
    must be there.
  - At most the one transaction in flight when the daemon died may be
    there without having been acknowledged.
Compaction runs often meanwhile (a low threshold), so some kills land
in one: the old file stays valid until the new one, complete and
fsynced, is renamed over it.
Debian's ovsdb-tool must read the file after every crash."""

import json
import os
import random
import shutil
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402
from test_ovsdb import RpcClient, SCHEMA, run       # noqa: E402

OVSDB_TOOL = shutil.which('ovsdb-tool')

ROUNDS = 5


def records(path):
    """[(offset, length of the whole record)] of the journal file."""
    out = []
    with open(path, 'rb') as f:
        data = f.read()
    off = 0
    while off < len(data):
        nl = data.index(b'\n', off)
        header = data[off:nl].split()
        assert header[:2] == [b'OVSDB', b'JSON'], header
        total = nl + 1 - off + int(header[2])
        out.append((off, total))
        off += total
    return out


def tool_notes(db):
    """The Note texts in 'db' as Debian's ovsdb-tool reads them."""
    out = run([OVSDB_TOOL, 'query', db,
               json.dumps(['Test', {'op': 'select', 'table': 'Note',
                                    'where': [], 'columns': ['text']}])])
    return sorted(r['text'] for r in json.loads(out.stdout)[0]['rows'])


def daemon_notes(d):
    c = RpcClient(d.path('db.sock'))
    try:
        r = c.request('transact', 'Test',
                      {'op': 'select', 'table': 'Note', 'where': [],
                       'columns': ['text']})
        return sorted(row['text'] for row in r['result'][0]['rows'])
    finally:
        c.close()


class Writer(threading.Thread):
    """Sends transactions N = first, first+1, ... one at a time until the
    connection breaks.  Each inserts Notes "N-a" and "N-b"; every third is
    durable.  'acked' gets each N answered without error, 'in_flight' the
    one sent but not answered when the connection broke."""

    def __init__(self, sock, first):
        super().__init__(daemon=True)
        self.client = RpcClient(sock)
        self.next = first
        self.acked = {}         # N -> durable?
        self.in_flight = None
        self.error = None

    def run(self):
        try:
            while True:
                n = self.next
                durable = n % 3 == 0
                ops = [{'op': 'insert', 'table': 'Note',
                        'row': {'text': '%d-a' % n}},
                       {'op': 'insert', 'table': 'Note',
                        'row': {'text': '%d-b' % n}}]
                if durable:
                    ops.append({'op': 'commit', 'durable': True})
                self.in_flight = n
                r = self.client.request('transact', 'Test', *ops,
                                        timeout=30)
                res = r.get('result')
                if not res or any(isinstance(x, dict) and 'error' in x
                                  for x in res):
                    self.error = 'transaction %d failed: %r' % (n, r)
                    return
                self.acked[n] = durable
                self.in_flight = None
                self.next = n + 1
        except (EOFError, OSError):
            pass            # Killed under us.
        finally:
            self.client.close()


@unittest.skipUnless(OVSDB_TOOL, 'needs ovsdb-tool (openvswitch-common)')
class CrashTest(unittest.TestCase):

    def setUp(self):
        self.d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, self.d)
        schema_file = self.d.path('s.ovsschema')
        with open(schema_file, 'w') as f:
            json.dump(SCHEMA, f)
        self.db = self.d.path('test.db')
        run([OVSDB_TOOL, 'create', self.db, schema_file])

    def start(self):
        self.d.start(args=['--db', self.db])

    def test_sigkill_while_writing(self):
        seed = int(os.environ.get('SLUICE_CRASH_SEED',
                                  str(random.randrange(1 << 30))))
        print('test_sigkill_while_writing: seed %d' % seed, file=sys.stderr)
        rng = random.Random(seed)
        acked = {}
        sent_max = 0

        def log_count(text):
            with open(self.d.log_file) as f:
                return f.read().count(text)
        for rnd in range(ROUNDS):
            self.start()
            # Compact often, so that some kills land in a compaction
            # (new file written and fsynced, then renamed over the old).
            self.d.ctl('ovsdb-server/set-compact-policy', '2', '16384')
            before = daemon_notes(self.d)
            w = Writer(self.d.path('db.sock'), sent_max + 1)
            w.start()
            # Let some transactions through, then kill at a random moment:
            # every other round just after a compaction started.
            st.wait_for(lambda: len(w.acked) >= 3 or not w.is_alive(),
                        timeout=30, what='a few transactions')
            if rnd % 2:
                started = log_count('compacting (')
                st.wait_for(lambda: log_count('compacting (') > started
                            or not w.is_alive(), timeout=60,
                            what='a compaction to start')
                time.sleep(rng.uniform(0.0, 0.02))
            else:
                time.sleep(rng.uniform(0.0, 0.5))
            os.kill(self.d.pid, signal.SIGKILL)
            self.d.wait_exit()
            w.join(30)
            self.assertFalse(w.is_alive())
            self.assertIsNone(w.error)
            acked.update(w.acked)
            sent_max = max([sent_max, w.next] + list(w.acked))
            in_flight = w.in_flight
            print('round %d: %d acknowledged (%d durable), in flight: %s'
                  % (rnd, len(w.acked), sum(w.acked.values()), in_flight),
                  file=sys.stderr)
            self.assertGreaterEqual(len(w.acked), 3)

            # Debian's tool reads the file as the crash left it: a record
            # goes out in one write(), which a SIGKILL cannot tear.
            self.assertEqual(run([OVSDB_TOOL, 'db-name', self.db])
                             .stdout.strip(), 'Test')
            run([OVSDB_TOOL, 'show-log', self.db])
            self.check(tool_notes(self.db), acked, in_flight, before)

            # Restarted on the same file: the same content.
            self.start()
            notes = daemon_notes(self.d)
            self.check(notes, acked, in_flight, before)
            if in_flight is not None and '%d-a' % in_flight in notes:
                acked[in_flight] = False    # It made it; count it in.
            self.assertEqual(self.d.stop('term'), 0)
        self.assertEqual(tool_notes(self.db), sorted(
            '%d-%s' % (n, x) for n in acked for x in 'ab'))
        with open(self.d.log_file) as f:     # All rounds append to it.
            compactions = f.read().count('compacted to')
        print('compactions finished: %d' % compactions, file=sys.stderr)
        self.assertGreater(compactions, 0)

    def check(self, notes, acked, in_flight, before):
        have = {}
        for t in notes:
            n, part = t.split('-')
            have.setdefault(int(n), set()).add(part)
        for n, parts in have.items():
            self.assertEqual(parts, {'a', 'b'},
                             'transaction %d is there only in part' % n)
            self.assertTrue(n in acked or n == in_flight,
                            'transaction %d was never acknowledged' % n)
        missing = sorted(n for n in acked if n not in have)
        self.assertEqual(missing, [], 'acknowledged transactions lost '
                         '(durable: %s)' % [n for n in missing if acked[n]])
        self.assertTrue(set(before) <= set(notes))

    # -- a damaged tail ------------------------------------------------------

    def write_three(self):
        self.start()
        c = RpcClient(self.d.path('db.sock'))
        for n in (1, 2, 3):
            r = c.request('transact', 'Test',
                          {'op': 'insert', 'table': 'Note',
                           'row': {'text': 'n%d' % n}})
            self.assertIn('uuid', r['result'][0])
        c.close()
        self.assertEqual(self.d.stop('term'), 0)
        recs = records(self.db)
        self.assertEqual(len(recs), 4)      # Schema and three.
        return recs

    def check_repaired(self, recs, why):
        """The last record was damaged: on start-up it is reported and cut
        off, the others are kept, and new writes go on from there."""
        self.start()
        self.assertEqual(daemon_notes(self.d), ['n1', 'n2'])
        with open(self.d.log_file) as f:
            log = f.read()
        off = recs[-1][0]
        self.assertIn('offset %d: ' % off, log)
        self.assertIn(why, log)
        self.assertIn('truncated', log)
        self.assertEqual(os.path.getsize(self.db), off)
        c = RpcClient(self.d.path('db.sock'))
        r = c.request('transact', 'Test',
                      {'op': 'insert', 'table': 'Note',
                       'row': {'text': 'n4'}},
                      {'op': 'commit', 'durable': True})
        self.assertIn('uuid', r['result'][0])
        c.close()
        self.assertEqual(self.d.stop('term'), 0)
        self.assertEqual(len(records(self.db)), 4)
        self.assertEqual(tool_notes(self.db), ['n1', 'n2', 'n4'])
        self.start()
        self.assertEqual(daemon_notes(self.d), ['n1', 'n2', 'n4'])

    def test_torn_last_record(self):
        recs = self.write_three()
        off, length = recs[-1]
        with open(self.db, 'r+b') as f:
            f.truncate(off + length - 7)        # Inside its JSON.
        # Debian's ovsdb-tool refuses such a file ("error reading"); we
        # repair it.
        r = run([OVSDB_TOOL, 'show-log', self.db], check=False)
        self.assertNotEqual(r.returncode, 0)
        self.check_repaired(recs, 'record 3')

    def test_flipped_bytes_in_last_record(self):
        recs = self.write_three()
        off, length = recs[-1]
        with open(self.db, 'r+b') as f:
            f.seek(off + length - 20)
            data = bytearray(f.read(4))
            for i in range(len(data)):
                data[i] ^= 0x01
            f.seek(off + length - 20)
            f.write(bytes(data))
        self.check_repaired(recs, 'record 3')


if __name__ == '__main__':
    st.main()
