#!/usr/bin/python3
"""sluiced's OVSDB journal under stress: a database on a tiny tmpfs that
fills up (a transaction that cannot be journaled is refused with an
"I/O error", rolled back, and the daemon goes on), and automatic
compaction while clients keep writing (the file shrinks, nothing is lost,
Debian's ovsdb-tool reads the result)."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402
from test_ovsdb import RpcClient, SCHEMA, run       # noqa: E402

OVSDB_TOOL = shutil.which('ovsdb-tool')
OVSDB_CLIENT = shutil.which('ovsdb-client')


def mount_tmpfs(test, path, size):
    """Mounts a tmpfs of 'size' on 'path' for the rest of 'test'."""
    os.makedirs(path, exist_ok=True)
    r = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%s' % size,
                        'tmpfs', path], capture_output=True, text=True)
    if r.returncode != 0:
        raise unittest.SkipTest('cannot mount a tmpfs: %s' % r.stderr)
    # Lazy: the daemon may still hold the file open when this runs.
    test.addCleanup(subprocess.run, ['umount', '-l', path],
                    capture_output=True)


def select_notes(c):
    r = c.request('transact', 'Test',
                  {'op': 'select', 'table': 'Note', 'where': [],
                   'columns': ['text']})
    return sorted(row['text'] for row in r['result'][0]['rows'])


def io_error(result):
    """The "I/O error" object that ends a transact result, or None."""
    if result and isinstance(result[-1], dict) \
            and result[-1].get('error') == 'I/O error':
        return result[-1]
    return None


@unittest.skipUnless(OVSDB_TOOL, 'needs ovsdb-tool (openvswitch-common)')
class DiskFullTest(unittest.TestCase):

    def test_full_disk_refuses_and_recovers(self):
        d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, d)
        disk = d.path('disk')
        mount_tmpfs(self, disk, '256k')
        schema_file = d.path('s.ovsschema')
        with open(schema_file, 'w') as f:
            json.dump(SCHEMA, f)
        db = os.path.join(disk, 'test.db')
        run([OVSDB_TOOL, 'create', db, schema_file])
        d.start(args=['--db', db])
        c = RpcClient(d.path('db.sock'))
        self.addCleanup(c.close)
        mon = RpcClient(d.path('db.sock'))
        self.addCleanup(mon.close)
        r = mon.request('monitor', 'Test', 'm', {'Note': {}})
        self.assertEqual(r['result'], {})

        r = c.request('transact', 'Test',
                      {'op': 'insert', 'table': 'Note',
                       'row': {'text': 'before'}})
        self.assertIsNone(io_error(r['result']), r)
        self.assertEqual(mon.next_note()['method'], 'update')

        # Fill the file system.
        filler = os.path.join(disk, 'filler')
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b'\0' * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
        big = 'x' * 20000       # More than any slack in the last page.
        r = c.request('transact', 'Test',
                      {'op': 'insert', 'table': 'Note',
                       'row': {'text': 'refused ' + big}})
        err = io_error(r['result'])
        self.assertIsNotNone(err, r)
        self.assertIn('No space left on device', err['details'])
        # A durable commit is refused as well, and the session goes on.
        r = c.request('transact', 'Test',
                      {'op': 'insert', 'table': 'Note',
                       'row': {'text': 'refused too ' + big}},
                      {'op': 'commit', 'durable': True})
        self.assertIsNotNone(io_error(r['result']), r)
        # Rolled back: neither readers nor monitors saw them.
        self.assertEqual(select_notes(c), ['before'])
        self.assertEqual(mon.request('echo', 'ping')['result'], ['ping'])
        self.assertEqual(mon.notes, [])
        # Other clients are served; reads from Debian's client work.
        if OVSDB_CLIENT:
            out = run([OVSDB_CLIENT, 'dump', 'unix:' + d.path('db.sock'),
                       'Test', 'Note']).stdout
            self.assertIn('before', out)
            self.assertNotIn('refused', out)
        with open(d.log_file) as f:
            self.assertIn('cannot append to the journal', f.read())

        # Space again: writes go on, the file was left clean.
        os.unlink(filler)
        r = c.request('transact', 'Test',
                      {'op': 'insert', 'table': 'Note',
                       'row': {'text': 'after'}},
                      {'op': 'commit', 'durable': True})
        self.assertIsNone(io_error(r['result']), r)
        self.assertEqual(select_notes(c), ['after', 'before'])
        self.assertEqual(mon.next_note()['method'], 'update')

        self.assertEqual(d.stop('term'), 0)
        log = run([OVSDB_TOOL, 'show-log', db]).stdout
        self.assertNotIn('refused', log)
        out = run([OVSDB_TOOL, 'query', db,
                   json.dumps(['Test', {'op': 'select', 'table': 'Note',
                                        'where': [],
                                        'columns': ['text']}])]).stdout
        texts = sorted(row['text'] for row in json.loads(out)[0]['rows'])
        self.assertEqual(texts, ['after', 'before'])
        d.start(args=['--db', db])
        c2 = RpcClient(d.path('db.sock'))
        self.addCleanup(c2.close)
        self.assertEqual(select_notes(c2), ['after', 'before'])


@unittest.skipUnless(OVSDB_TOOL, 'needs ovsdb-tool (openvswitch-common)')
class CompactionTest(unittest.TestCase):

    def setUp(self):
        self.d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, self.d)
        schema_file = self.d.path('s.ovsschema')
        with open(schema_file, 'w') as f:
            json.dump(SCHEMA, f)
        self.db = self.d.path('test.db')
        run([OVSDB_TOOL, 'create', self.db, schema_file])
        self.d.start(args=['--db', self.db])

    def read_log(self):
        with open(self.d.log_file) as f:
            return f.read()

    def test_automatic_compaction_while_writing(self):
        # Compact once the file doubled and passed 20 kB (the defaults, 4
        # and 10 MiB as in ovsdb-server, would take too long here).
        self.d.ctl('ovsdb-server/set-compact-policy', '2', '20000')
        c = RpcClient(self.d.path('db.sock'))
        self.addCleanup(c.close)
        r = c.request('transact', 'Test',
                      {'op': 'insert', 'table': 'Item',
                       'row': {'name': 'hot', 'count': 0}})
        self.assertIn('uuid', r['result'][0])
        mon = RpcClient(self.d.path('db.sock'))
        self.addCleanup(mon.close)
        r = mon.request('monitor', 'Test', 'm',
                        {'Item': {'columns': ['tags']}})
        self.assertIn('Item', r['result'])

        sizes = []
        stop = threading.Event()

        def watch():
            while not stop.is_set():
                sizes.append(os.path.getsize(self.db))
                time.sleep(0.005)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        n = 1500
        for i in range(n):
            r = c.request('transact', 'Test',
                          {'op': 'update', 'table': 'Item',
                           'where': [['name', '==', 'hot']],
                           'row': {'count': i % 101, 'tags': str(i)}})
            self.assertEqual(r['result'], [{'count': 1}], r)
        stop.set()
        watcher.join()
        # The file was compacted more than once (the log says each time;
        # sampling the size every 5 ms can miss one when the machine is
        # fast) and never grew far.
        st.wait_for(lambda: self.read_log().count('compacted to') >= 2, 10,
                    what='two compactions (sizes seen: %s)' % sizes[::50])
        self.assertLess(max(sizes), 200000)
        # The monitor saw the updates in order, the last one last (while
        # it did not read, the server coalesced them, as ovsdb-server
        # does for a client with a backlog).
        last = -1
        while last != n - 1:
            note = mon.next_note(timeout=20)
            self.assertEqual(note['method'], 'update')
            row = list(note['params'][1]['Item'].values())[0]['new']
            self.assertGreater(int(row['tags']), last)
            last = int(row['tags'])

        # Now by command, as ovs-appctl ovsdb-server/compact does.
        def compact(*db):
            # An automatic compaction may still be finishing.
            result, error = self.d.call('ovsdb-server/compact', *db)
            if error and 'in progress' not in error:
                raise AssertionError(error)
            return error is None
        # No automatic compaction from here on: only the command shrinks.
        self.d.ctl('ovsdb-server/set-compact-policy', '1000', '1000000000')
        self.assertIn('usage', self.d.ctl_error(
            'ovsdb-server/set-compact-policy', '0', 'x'))
        for i in range(50):
            c.request('transact', 'Test',
                      {'op': 'update', 'table': 'Item',
                       'where': [['name', '==', 'hot']],
                       'row': {'count': 5}})
        before = os.path.getsize(self.db)
        st.wait_for(lambda: compact('Test'), timeout=20,
                    what='ovsdb-server/compact to start')
        st.wait_for(lambda: os.path.getsize(self.db) < before, timeout=20,
                    what='ovsdb-server/compact to shrink the file')
        self.assertIn('no database by that name',
                      self.d.ctl_error('ovsdb-server/compact', 'Nope'))
        st.wait_for(compact, timeout=20, what='ovsdb-server/compact')

        # Intact after a restart, and Debian's tool reads it.
        self.assertEqual(self.d.stop('term'), 0)
        run([OVSDB_TOOL, 'show-log', self.db])
        out = run([OVSDB_TOOL, 'query', self.db,
                   json.dumps(['Test', {'op': 'select', 'table': 'Item',
                                        'where': [],
                                        'columns': ['name', 'count',
                                                    'tags']}])]).stdout
        want = [{'name': 'hot', 'count': 5,
                 'tags': str(n - 1)}]
        self.assertEqual(json.loads(out)[0]['rows'], want)
        self.d.start(args=['--db', self.db])
        c2 = RpcClient(self.d.path('db.sock'))
        self.addCleanup(c2.close)
        r = c2.request('transact', 'Test',
                       {'op': 'select', 'table': 'Item', 'where': [],
                        'columns': ['name', 'count', 'tags']})
        self.assertEqual(r['result'][0]['rows'], want)


if __name__ == '__main__':
    st.main()
