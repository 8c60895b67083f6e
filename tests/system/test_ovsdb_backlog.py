#!/usr/bin/python3
"""Clients that read slowly (issue 12): a monitor whose initial reply is
bigger than the 4 MB send bound, to a client that reads it slower than
the server writes while another client commits every 5 ms, must reach the
client whole, followed by updates that bring it to the database's state;
ovsdb-server keeps such a client, Sluice dropped it before its reply.  A
client that stops reading is dropped after the stall timeout, counted and
logged, and the server goes on serving the others."""

import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402
from test_ovsdb import OvsdbTestCase, RpcClient     # noqa: E402

N_NOTES = 5000                  # Of ~1 KB each: a 5.5 MB initial reply.
TEXT = 'x' * 1000


class SlowReader:
    """A raw JSON-RPC client on its own thread that reads 'chunk' bytes,
    then sleeps 'pause' seconds, and so on: slower than the server writes,
    but always reading.  Keeps every message it decodes."""

    def __init__(self, path, chunk=16384, pause=0.005):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.chunk = chunk
        self.pause = pause
        self.messages = []
        self.closed = None          # Why reading stopped, once it did.
        self.n_bytes = 0
        self.lock = threading.Lock()
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def send(self, msg):
        self.sock.sendall(json.dumps(msg).encode())

    def start(self):
        self.thread.start()

    def close(self):
        self.stop = True
        self.thread.join(10)
        self.sock.close()

    def _run(self):
        dec = json.JSONDecoder()
        buf = b''
        self.sock.settimeout(1.0)
        while not self.stop:
            try:
                data = self.sock.recv(self.chunk)
            except socket.timeout:
                continue
            except OSError as e:
                self.closed = str(e)
                return
            if not data:
                self.closed = 'closed by the server'
                return
            self.n_bytes += len(data)
            buf += data
            # A message ends with '}' at the end of a read often enough;
            # only then try to decode (the reply is megabytes long).
            while buf.rstrip().endswith(b'}'):
                text = buf.decode()
                try:
                    obj, end = dec.raw_decode(text.lstrip())
                except ValueError:
                    break
                rest = text.lstrip()[end:]
                buf = rest.encode()
                with self.lock:
                    self.messages.append(obj)
            time.sleep(self.pause)

    def get(self):
        with self.lock:
            return list(self.messages)


class Committer:
    """Commits every 5 ms on its own connection: changes the text of a
    Note (the monitored table, rows sent or not yet sent), inserts one and
    deletes one now and then."""

    def __init__(self, path, uuids):
        self.c = RpcClient(path)
        self.uuids = list(uuids)
        self.stop = False
        self.n = 0
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        k = 0
        try:
            while not self.stop:
                k += 1
                u = self.uuids[(k * 7919) % len(self.uuids)]
                ops = [{'op': 'update', 'table': 'Note',
                        'where': [['_uuid', '==', ['uuid', u]]],
                        'row': {'text': 'v%d' % k}}]
                if k % 10 == 0:
                    ops.append({'op': 'insert', 'table': 'Note',
                                'row': {'text': 'new%d' % k}})
                if k % 10 == 5:
                    ops.append({'op': 'delete', 'table': 'Note',
                                'where': [['text', '==', 'new%d' % (k - 5)]]})
                r = self.c.request('transact', 'Test', *ops, timeout=30)
                if r.get('error') or any('error' in x for x in r['result']):
                    raise AssertionError('transaction failed: %r' % r)
                self.n += 1
                time.sleep(0.005)
        except Exception as e:        # noqa: BLE001 (reported by join())
            self.error = e

    def join(self):
        self.stop = True
        self.thread.join(30)
        self.c.close()
        if self.error:
            raise self.error


def apply_updates(version, messages):
    """The Note table as a client that applied the reply and the updates
    of 'messages' has it: {uuid: text}."""
    rows = {}

    def apply(table_updates, initial=False):
        for uuid, ru in table_updates.get('Note', {}).items():
            if version == 1:
                if ru.get('new') is None:
                    del rows[uuid]
                else:
                    rows[uuid] = ru['new'].get('text', '')
            else:
                (kind, row), = ru.items()
                if kind == 'delete':
                    del rows[uuid]
                elif kind in ('initial', 'insert'):
                    rows[uuid] = row.get('text', '')
                elif 'text' in row:
                    rows[uuid] = row['text']

    for msg in messages:
        if msg.get('id') == 'mon':
            apply(msg['result'])
        elif msg.get('method') in ('update', 'update2'):
            apply(msg['params'][1])
    return rows


class BacklogTest(OvsdbTestCase):

    def setUp(self):
        super().setUp()
        c = self.rpc()
        self.uuids = []
        for base in range(0, N_NOTES, 500):
            ops = [{'op': 'insert', 'table': 'Note', 'row': {'text': TEXT}}
                   for _ in range(base, min(N_NOTES, base + 500))]
            r = c.request('transact', 'Test', *ops, timeout=60)
            self.uuids += [x['uuid'][1] for x in r['result']]

    def db_notes(self):
        r = self.rpc().request('transact', 'Test', {
            'op': 'select', 'table': 'Note', 'where': [],
            'columns': ['_uuid', 'text']}, timeout=30)
        return {row['_uuid'][1]: row['text']
                for row in r['result'][0]['rows']}

    def slow_monitor(self, method, version):
        reader = SlowReader(self.sock)
        self.addCleanup(reader.close)
        committer = Committer(self.sock, self.uuids)
        self.addCleanup(committer.join)
        time.sleep(0.2)
        self.d.ctl('loop/show', '--clear')
        request = {'columns': ['text']}
        reader.send({'method': method, 'id': 'mon',
                     'params': ['Test', 'm', {'Note': request}]})
        start = time.monotonic()
        reader.start()
        st.wait_for(lambda: reader.get() or reader.closed, timeout=90,
                    what='the initial reply')
        self.assertIsNone(reader.closed, 'dropped after %d bytes'
                          % reader.n_bytes)
        reply = reader.get()[0]
        self.assertEqual(reply['id'], 'mon')
        self.assertIsNone(reply['error'])
        self.assertGreaterEqual(len(reply['result']['Note']), N_NOTES)
        took = time.monotonic() - start
        # More commits while it reads on, then none.
        time.sleep(1.0)
        committer.join()
        self.assertGreater(committer.n, 50)
        loop = self.d.ctl('loop/show').strip().replace('\n', '; ')
        want = self.db_notes()
        st.wait_for(lambda: apply_updates(version, reader.get()) == want
                    or reader.closed, timeout=60,
                    what='the client to reach the database state')
        self.assertIsNone(reader.closed)
        self.assertEqual(apply_updates(version, reader.get()), want)
        mem = self.d.ctl('memory/show')
        self.assertIn('slow-peers-dropped:0', mem)
        sys.stderr.write('%s: reply in %.1f s; %d bytes, %d messages, %d '
                         'commits; %s\n' % (method, took, reader.n_bytes,
                                            len(reader.get()), committer.n,
                                            loop))

    def test_slow_reader_gets_big_monitor_reply(self):
        self.slow_monitor('monitor', 1)

    def test_slow_reader_gets_big_monitor_cond_reply(self):
        self.slow_monitor('monitor_cond', 2)

    def test_client_that_stops_reading_is_dropped(self):
        self.d.ctl('ovsdb-server/set-stall-timeout', '1500')
        stuck = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(stuck.close)
        stuck.connect(self.sock)
        stuck.sendall(json.dumps({
            'method': 'monitor', 'id': 1,
            'params': ['Test', 'm', {'Note': {'columns': ['text']}}]
        }).encode())
        good = self.rpc()
        # While it is stuck, others are served.
        self.assertEqual(good.request('list_dbs')['result'],
                         ['Test', '_Server'])
        st.wait_for(lambda: 'slow-peers-dropped:1'
                    in self.d.ctl('memory/show'), timeout=15,
                    what='the stuck client to be dropped')
        with open(self.d.log_file) as f:
            self.assertIn('peer does not read: nothing sent for', f.read())
        self.assertEqual(good.request('list_dbs')['result'],
                         ['Test', '_Server'])
        # Reading now: what was sent, then the end of the stream.
        stuck.settimeout(10)
        total = 0
        while True:
            try:
                data = stuck.recv(1 << 20)
            except ConnectionResetError:
                break
            if not data:
                break
            total += len(data)
        self.assertLess(total, N_NOTES * 1000)

    def test_set_stall_timeout_usage(self):
        err = self.d.ctl_error('ovsdb-server/set-stall-timeout', 'soon')
        self.assertIn('usage', str(err))


if __name__ == '__main__':
    st.main()
