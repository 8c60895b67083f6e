#!/usr/bin/python3
"""sluiced's OVSDB server (RFC 7047 core) driven by Debian's ovsdb-client
and ovsdb-tool, and by raw JSON-RPC: list_dbs, get_schema, transact (with
constraint errors, blocked waits, durable commits), monitor and
monitor_cancel, the journal across a restart, and bad input."""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

OVSDB_CLIENT = shutil.which('ovsdb-client')
OVSDB_TOOL = shutil.which('ovsdb-tool')

SCHEMA = {
    'name': 'Test',
    'version': '1.2.3',
    'tables': {
        'Item': {
            'columns': {
                'name': {'type': 'string'},
                'count': {'type': {'key': {'type': 'integer',
                                           'minInteger': 0,
                                           'maxInteger': 100}}},
                'tags': {'type': {'key': 'string', 'min': 0,
                                  'max': 'unlimited'}},
            },
            'indexes': [['name']],
            'isRoot': True,
        },
        'Note': {
            'columns': {
                'text': {'type': 'string'},
            },
            'isRoot': True,
        },
    },
}


def run(cmd, timeout=20, check=True):
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError('%s: status %d\nstdout: %s\nstderr: %s'
                             % (' '.join(cmd), r.returncode, r.stdout,
                                r.stderr))
    return r


class RpcClient(st.Client):
    """Raw JSON-RPC to db.sock; keeps the notifications it reads."""

    def __init__(self, path):
        super().__init__(path)
        self.notes = []

    def request(self, method, *params, timeout=10):
        id_ = self.send_request(method, params)
        return self.reply_to(id_, timeout)

    def reply_to(self, id_, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            msg = self.recv_message(max(0.1, deadline - time.monotonic()))
            if msg.get('id') == id_ and 'method' not in msg:
                return msg
            if msg.get('method'):
                self.notes.append(msg)

    def next_note(self, timeout=5):
        if not self.notes:
            msg = self.recv_message(timeout)
            self.notes.append(msg)
        return self.notes.pop(0)


@unittest.skipUnless(OVSDB_CLIENT and OVSDB_TOOL,
                     'needs ovsdb-client and ovsdb-tool '
                     '(openvswitch-common)')
class OvsdbTestCase(unittest.TestCase):
    """One daemon per test, serving a fresh Test database."""

    def setUp(self):
        self.d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.schema_file = self.d.path('test.ovsschema')
        with open(self.schema_file, 'w') as f:
            json.dump(SCHEMA, f)
        self.db = self.d.path('test.db')
        run([OVSDB_TOOL, 'create', self.db, self.schema_file])
        self.start()

    def start(self):
        self.d.start(args=['--db', self.db])
        self.sock = self.d.path('db.sock')
        self.remote = 'unix:' + self.sock

    def client(self, *args, check=True, timeout=20):
        cmd = [OVSDB_CLIENT, args[0], self.remote] + list(args[1:])
        return run(cmd, timeout=timeout, check=check)

    def transact(self, *ops):
        out = self.client('transact', json.dumps(['Test'] + list(ops)))
        return json.loads(out.stdout)

    def rpc(self):
        c = RpcClient(self.sock)
        self.addCleanup(c.close)
        return c


class BasicTest(OvsdbTestCase):

    def test_list_dbs_and_schema(self):
        self.assertEqual(self.client('list-dbs').stdout, 'Test\n')
        got = json.loads(self.client('get-schema', 'Test').stdout)
        self.assertEqual(got['name'], 'Test')
        self.assertEqual(got['version'], '1.2.3')
        self.assertEqual(sorted(got['tables']), ['Item', 'Note'])
        for name, table in SCHEMA['tables'].items():
            self.assertEqual(got['tables'][name]['columns'],
                             table['columns'], name)
        self.assertEqual(got['tables']['Item']['indexes'], [['name']])
        self.assertEqual(self.client('get-schema-version', 'Test').stdout,
                         '1.2.3\n')
        # ovsdb-client checks the name against list_dbs itself (the
        # server's "unknown database" error is in RawRpcTest).
        r = self.client('get-schema', 'Nope', check=False)
        self.assertNotEqual(r.returncode, 0)

    def test_transact(self):
        r = self.transact({'op': 'insert', 'table': 'Item',
                           'row': {'name': 'a', 'count': 3,
                                   'tags': ['set', ['x', 'y']]},
                           'uuid-name': 'a'},
                          {'op': 'insert', 'table': 'Note',
                           'row': {'text': 'hello'}})
        self.assertEqual(len(r), 2)
        uuid_a = r[0]['uuid'][1]
        r = self.transact({'op': 'update', 'table': 'Item',
                           'where': [['name', '==', 'a']],
                           'row': {'count': 7}},
                          {'op': 'mutate', 'table': 'Item',
                           'where': [['_uuid', '==', ['uuid', uuid_a]]],
                           'mutations': [['count', '+=', 2],
                                         ['tags', 'delete',
                                          ['set', ['x']]]]})
        self.assertEqual(r, [{'count': 1}, {'count': 1}])
        r = self.transact({'op': 'select', 'table': 'Item', 'where': [],
                           'columns': ['name', 'count', 'tags']})
        self.assertEqual(r, [{'rows': [{'name': 'a', 'count': 9,
                                        'tags': 'y'}]}])

        # Errors: the transaction is refused whole, the session and the
        # database stay as they were.
        r = self.transact({'op': 'insert', 'table': 'Item',
                           'row': {'name': 'b'}},
                          {'op': 'update', 'table': 'Item',
                           'where': [['name', '==', 'a']],
                           'row': {'count': 101}})
        self.assertEqual(r[1]['error'], 'constraint violation')
        r = self.transact({'op': 'insert', 'table': 'Item',
                           'row': {'name': 'a'}})
        self.assertEqual(r[-1]['error'], 'constraint violation')
        r = self.transact({'op': 'select', 'table': 'Nope', 'where': []})
        self.assertIn('error', r[0])
        r = self.transact({'op': 'select', 'table': 'Item', 'where': [],
                           'columns': ['name', 'count']})
        self.assertEqual(r, [{'rows': [{'name': 'a', 'count': 9}]}])

        # Durable commit: answered once fsynced.
        r = self.transact({'op': 'insert', 'table': 'Note',
                           'row': {'text': 'durable'}},
                          {'op': 'commit', 'durable': True})
        self.assertEqual(len(r), 2)
        self.assertEqual(r[1], {})

        # ovsdb-client query and dump see the same.
        out = self.client('dump', 'Test', 'Note').stdout
        self.assertIn('hello', out)
        self.assertIn('durable', out)

    def test_journal_and_restart(self):
        self.transact({'op': 'insert', 'table': 'Item',
                       'row': {'name': 'kept', 'count': 42}})
        self.transact({'op': 'update', 'table': 'Item',
                       'where': [['name', '==', 'kept']],
                       'row': {'count': 43}})
        self.transact({'op': 'insert', 'table': 'Note',
                       'row': {'text': 'gone'}})
        self.transact({'op': 'delete', 'table': 'Note', 'where': []},
                      {'op': 'comment', 'comment': 'cleanup'})
        # ovsdb-client backup: a database file of the served data.
        backup = self.d.path('backup.db')
        with open(backup, 'w') as f:
            subprocess.run([OVSDB_CLIENT, 'backup', self.remote, 'Test'],
                           stdout=f, check=True, timeout=20)
        q = run([OVSDB_TOOL, 'query', backup,
                 json.dumps(['Test', {'op': 'select', 'table': 'Item',
                                      'where': [],
                                      'columns': ['name', 'count']}])])
        self.assertEqual(json.loads(q.stdout),
                         [{'rows': [{'name': 'kept', 'count': 43}]}])
        self.assertEqual(self.d.stop('term'), 0)

        # ovsdb-tool reads the file sluiced wrote.
        log = run([OVSDB_TOOL, 'show-log', self.db]).stdout
        self.assertIn('record 4:', log)
        self.assertIn('cleanup', log)
        q = run([OVSDB_TOOL, 'query', self.db,
                 json.dumps(['Test', {'op': 'select', 'table': 'Item',
                                      'where': [],
                                      'columns': ['name', 'count']}])])
        self.assertEqual(json.loads(q.stdout),
                         [{'rows': [{'name': 'kept', 'count': 43}]}])
        run([OVSDB_TOOL, 'db-is-standalone', self.db])

        self.start()
        r = self.transact({'op': 'select', 'table': 'Item', 'where': [],
                           'columns': ['name', 'count']},
                          {'op': 'select', 'table': 'Note', 'where': []})
        self.assertEqual(r, [{'rows': [{'name': 'kept', 'count': 43}]},
                             {'rows': []}])
        # And more records go on after the replayed ones.
        self.transact({'op': 'insert', 'table': 'Note',
                       'row': {'text': 'after'}})
        self.d.stop('term')
        log = run([OVSDB_TOOL, 'show-log', self.db]).stdout
        self.assertIn('record 5:', log)

    def test_monitor_with_ovsdb_client(self):
        self.transact({'op': 'insert', 'table': 'Item',
                       'row': {'name': 'old', 'count': 1}})
        proc = subprocess.Popen([OVSDB_CLIENT, 'monitor', self.remote,
                                 'Test', 'Item', 'name', 'count',
                                 '--format=json'],
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(proc.stderr.close)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        lines = []

        def reader():
            for line in proc.stdout:
                lines.append(json.loads(line))
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        st.wait_for(lambda: lines, what='initial rows')
        self.assertEqual(lines[0]['headings'],
                         ['row', 'action', 'name', 'count'])
        self.assertEqual([r[1:] for r in lines[0]['data']],
                         [['initial', 'old', 1]])

        self.transact({'op': 'insert', 'table': 'Item',
                       'row': {'name': 'new', 'count': 2}})
        st.wait_for(lambda: len(lines) >= 2, what='insert update')
        self.assertEqual([r[1:] for r in lines[1]['data']],
                         [['insert', 'new', 2]])

        self.transact({'op': 'update', 'table': 'Item',
                       'where': [['name', '==', 'old']],
                       'row': {'count': 5}})
        st.wait_for(lambda: len(lines) >= 3, what='modify update')
        self.assertEqual([r[1:] for r in lines[2]['data']],
                         [['old', None, 1], ['new', 'old', 5]])

        self.transact({'op': 'delete', 'table': 'Item',
                       'where': [['name', '==', 'new']]})
        st.wait_for(lambda: len(lines) >= 4, what='delete update')
        self.assertEqual([r[1:] for r in lines[3]['data']],
                         [['delete', 'new', 2]])
        self.assertIsNone(proc.poll())


class RawRpcTest(OvsdbTestCase):

    def test_errors(self):
        c = self.rpc()
        r = c.request('no_such_method')
        self.assertEqual(r['error'], 'unknown method')
        r = c.request('get_schema', 'Nope')
        self.assertEqual(r['error']['error'], 'unknown database')
        r = c.request('transact', 'Nope', {'op': 'comment',
                                           'comment': 'x'})
        self.assertEqual(r['error']['error'], 'unknown database')
        r = c.request('echo', 'a', 1)
        self.assertEqual(r['result'], ['a', 1])
        r = c.request('list_dbs')
        self.assertEqual(r['result'], ['Test'])

    def test_garbage_closes_only_that_session(self):
        good = self.rpc()
        self.assertEqual(good.request('list_dbs')['result'], ['Test'])
        bad = self.rpc()
        bad.send_raw(b'{"method": "list_dbs", "params": [], "id": 1}'
                     b' ]]] this is not json')
        self.assertTrue(bad.wait_closed(), 'garbage did not close it')
        self.assertEqual(good.request('list_dbs')['result'], ['Test'])
        self.assertEqual(self.client('list-dbs').stdout, 'Test\n')

    def test_blocked_wait(self):
        waiter = self.rpc()
        wait_op = {'op': 'wait', 'table': 'Item', 'timeout': 10000,
                   'where': [['name', '==', 'w']], 'columns': ['name'],
                   'until': '==', 'rows': [{'name': 'w'}]}
        id_ = waiter.send_request('transact',
                                  ['Test', wait_op,
                                   {'op': 'insert', 'table': 'Note',
                                    'row': {'text': 'after wait'}}])
        time.sleep(0.3)
        self.transact({'op': 'insert', 'table': 'Item',
                       'row': {'name': 'w'}})
        r = waiter.reply_to(id_)
        self.assertIsNone(r['error'])
        self.assertEqual(len(r['result']), 2)
        self.assertEqual(r['result'][0], {})
        notes = self.transact({'op': 'select', 'table': 'Note',
                               'where': [], 'columns': ['text']})
        self.assertEqual(notes, [{'rows': [{'text': 'after wait'}]}])

        # A wait that never holds times out.
        wait_op['timeout'] = 200
        wait_op['rows'] = [{'name': 'never'}]
        start = time.monotonic()
        r = waiter.request('transact', 'Test', wait_op)
        self.assertEqual(r['result'][0]['error'], 'timed out')
        self.assertGreaterEqual(time.monotonic() - start, 0.15)

    def test_monitor_columns_select_cancel(self):
        self.transact({'op': 'insert', 'table': 'Item',
                       'row': {'name': 'a', 'count': 1}})
        m = self.rpc()
        r = m.request('monitor', 'Test', 'm1',
                      {'Item': {'columns': ['count'],
                                'select': {'initial': False,
                                           'insert': True,
                                           'delete': False,
                                           'modify': True}}})
        self.assertEqual(r['result'], {})
        full = self.rpc()
        r = full.request('monitor', 'Test', ['x', 2], {'Item': [{}]})
        rows = list(r['result']['Item'].values())
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]['new']['name'], 'a')
        r = full.request('monitor', 'Test', ['x', 2], {'Item': [{}]})
        self.assertIsNotNone(r['error'])
        r = full.request('monitor', 'Test', 'bad', {'Nope': {}})
        self.assertIsNotNone(r['error'])

        uuid_b = self.transact({'op': 'insert', 'table': 'Item',
                                'row': {'name': 'b', 'count': 2}})[0]
        uuid_b = uuid_b['uuid'][1]
        n = m.next_note()
        self.assertEqual(n['method'], 'update')
        self.assertEqual(n['params'],
                         ['m1', {'Item': {uuid_b: {'new': {'count': 2}}}}])
        n = full.next_note()
        self.assertEqual(n['params'][0], ['x', 2])
        self.assertEqual(n['params'][1]['Item'][uuid_b]['new']['name'], 'b')

        # A change of a column not monitored: nothing for m1.
        self.transact({'op': 'update', 'table': 'Item',
                       'where': [['name', '==', 'b']],
                       'row': {'name': 'bb'}})
        n = full.next_note()
        ru = n['params'][1]['Item'][uuid_b]
        self.assertEqual(ru['old']['name'], 'b')
        self.assertNotIn('count', ru['old'])
        self.assertEqual(ru['new']['name'], 'bb')
        self.assertEqual(ru['new']['count'], 2)

        self.transact({'op': 'update', 'table': 'Item',
                       'where': [['name', '==', 'bb']],
                       'row': {'count': 3}})
        n = m.next_note()
        self.assertEqual(n['params'],
                         ['m1', {'Item': {uuid_b: {'old': {'count': 2},
                                                   'new': {'count': 3}}}}])
        full.next_note()

        # Deletes are not selected for m1; then m1 is cancelled.
        self.transact({'op': 'delete', 'table': 'Item',
                       'where': [['name', '==', 'bb']]})
        n = full.next_note()
        self.assertEqual(list(n['params'][1]['Item'][uuid_b]), ['old'])
        self.assertEqual(m.request('monitor_cancel', 'm1')['result'], {})
        self.assertIsNotNone(m.request('monitor_cancel', 'm1')['error'])
        self.transact({'op': 'insert', 'table': 'Item',
                       'row': {'name': 'c', 'count': 4}})
        full.next_note()
        self.assertEqual(m.request('echo')['result'], [])
        self.assertEqual(m.notes, [])


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def make_pki(d):
    """A CA and two certificates it signs (server, client) in 'd'."""
    def ssl(*args):
        run(['openssl'] + list(args), timeout=60)
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
        '-subj', '/CN=test-ca', '-keyout', os.path.join(d, 'ca-key.pem'),
        '-out', os.path.join(d, 'ca.pem'))
    for who in ('server', 'client'):
        key = os.path.join(d, who + '-key.pem')
        csr = os.path.join(d, who + '.csr')
        ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=' + who,
            '-keyout', key, '-out', csr)
        ssl('x509', '-req', '-in', csr, '-CA', os.path.join(d, 'ca.pem'),
            '-CAkey', os.path.join(d, 'ca-key.pem'), '-CAcreateserial',
            '-days', '2', '-out', os.path.join(d, who + '-cert.pem'))


class RemotesTest(OvsdbTestCase):
    """--remote: more listeners, served alongside db.sock."""

    def start(self):
        self.port = free_port()
        self.extra = self.d.path('extra.sock')
        self.d.start(args=['--db', self.db,
                           '--remote', 'ptcp:%d:127.0.0.1' % self.port,
                           '--remote', 'punix:' + self.extra])
        self.sock = self.d.path('db.sock')
        self.remote = 'unix:' + self.sock

    def test_tcp_and_unix(self):
        for remote in ('tcp:127.0.0.1:%d' % self.port, 'unix:' + self.extra,
                       self.remote):
            r = run([OVSDB_CLIENT, 'list-dbs', remote])
            self.assertEqual(r.stdout, 'Test\n', remote)
        self.assertEqual(os.stat(self.extra).st_mode & 0o777, 0o600)


@unittest.skipUnless(OVSDB_CLIENT and OVSDB_TOOL and shutil.which('openssl'),
                     'needs ovsdb-client, ovsdb-tool and openssl')
class SslTest(unittest.TestCase):

    def test_pssl(self):
        d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, d)
        make_pki(d.run_dir)
        schema_file = d.path('s.ovsschema')
        with open(schema_file, 'w') as f:
            json.dump(SCHEMA, f)
        db = d.path('t.db')
        run([OVSDB_TOOL, 'create', db, schema_file])
        port = free_port()
        d.start(args=['--db', db, '--remote', 'pssl:%d:127.0.0.1' % port,
                      '--private-key', d.path('server-key.pem'),
                      '--certificate', d.path('server-cert.pem'),
                      '--ca-cert', d.path('ca.pem')])
        r = run([OVSDB_CLIENT, '--private-key', d.path('client-key.pem'),
                 '--certificate', d.path('client-cert.pem'),
                 '--ca-cert', d.path('ca.pem'), 'transact',
                 'ssl:127.0.0.1:%d' % port,
                 json.dumps(['Test', {'op': 'insert', 'table': 'Note',
                                      'row': {'text': 'tls'}}])])
        self.assertIn('uuid', r.stdout)
        r = run([OVSDB_CLIENT, 'dump', 'unix:' + d.path('db.sock'), 'Test',
                 'Note'])
        self.assertIn('tls', r.stdout)


@unittest.skipUnless(OVSDB_TOOL, 'needs ovsdb-tool')
class StartupTest(unittest.TestCase):

    def setUp(self):
        self.d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, self.d)

    def test_no_default_database(self):
        self.d.start()
        c = RpcClient(self.d.path('db.sock'))
        self.addCleanup(c.close)
        self.assertEqual(c.request('list_dbs')['result'], [])
        with open(self.d.log_file) as f:
            self.assertIn('no database is served', f.read())

    def test_explicit_missing_database_fails(self):
        with self.assertRaises(st.DaemonError):
            self.d.start(args=['--db', self.d.path('missing.db')],
                         timeout=20)
        text = ''
        for name in (self.d.console_file, self.d.log_file):
            if os.path.exists(name):
                with open(name) as f:
                    text += f.read()
        self.assertIn('cannot open database', text)
        self.assertIn('missing.db', text)

    def test_corrupt_tail_truncated(self):
        schema_file = self.d.path('s.ovsschema')
        with open(schema_file, 'w') as f:
            json.dump(SCHEMA, f)
        db = self.d.path('t.db')
        run([OVSDB_TOOL, 'create', db, schema_file])
        run([OVSDB_TOOL, 'transact', db,
             json.dumps(['Test', {'op': 'insert', 'table': 'Note',
                                  'row': {'text': 'one'}}])])
        with open(db, 'ab') as f:
            f.write(b'OVSDB JSON 99 0123\n{"Note": tor')
        self.d.start(args=['--db', db])
        c = RpcClient(self.d.path('db.sock'))
        self.addCleanup(c.close)
        r = c.request('transact', 'Test',
                      {'op': 'select', 'table': 'Note', 'where': [],
                       'columns': ['text']})
        self.assertEqual(r['result'], [{'rows': [{'text': 'one'}]}])
        with open(self.d.log_file) as f:
            self.assertIn('t.db', f.read())
        # The torn record is gone from the file: ovsdb-tool reads it clean.
        self.assertEqual(self.d.stop('term'), 0)
        with open(db, 'rb') as f:
            self.assertNotIn(b'tor', f.read())
        log = run([OVSDB_TOOL, 'show-log', db]).stdout
        self.assertIn('record 1:', log)
        self.assertNotIn('record 2:', log)


if __name__ == '__main__':
    st.main()
