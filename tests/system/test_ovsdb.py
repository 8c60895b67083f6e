#!/usr/bin/python3
"""sluiced's OVSDB server (RFC 7047 core) driven by Debian's ovsdb-client
and ovsdb-tool, and by raw JSON-RPC: list_dbs, get_schema, transact (with
constraint errors, blocked waits, durable commits), monitor and
monitor_cancel, the journal across a restart, and bad input; locks;
Open vSwitch's extensions (_Server, monitor_cond, monitor_cond_since) and
its clients (ovs-vsctl, the Python IDL)."""

import hashlib
import json
import os
import re
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


def background(test, cmd, parse=str.strip):
    """Starts 'cmd' for the rest of 'test' (killed and reaped at cleanup);
    returns the process and a list that a thread fills with parse(line)
    for each line it prints."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    test.addCleanup(proc.stderr.close)
    test.addCleanup(proc.stdout.close)
    test.addCleanup(proc.wait)
    test.addCleanup(proc.kill)
    lines = []

    def reader():
        for line in proc.stdout:
            lines.append(parse(line))
    threading.Thread(target=reader, daemon=True).start()
    return proc, lines


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
        self.assertEqual(self.client('list-dbs').stdout, 'Test\n_Server\n')
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
        proc, lines = background(self, [OVSDB_CLIENT, 'monitor', self.remote,
                                        'Test', 'Item', 'name', 'count',
                                        '--format=json'], json.loads)
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
        self.assertEqual(r['result'], ['Test', '_Server'])

    def test_duplicates_are_errors_not_crashes(self):
        """A set or map with two pairs of duplicates, in a condition or a
        mutation, from any client: an "ovsdb error" as ovsdb-server
        answers, and the daemon (and everything committed) stays.  Each
        of these messages killed sluiced."""
        self.transact({'op': 'insert', 'table': 'Item',
                       'row': {'name': 'kept', 'count': 1,
                               'tags': ['set', ['x']]}})
        c = self.rpc()
        dup = ['set', ['a', 'a', 'b', 'b']]
        server_where = [['name', 'includes', dup]]
        # "name" holds one value: as in ovsdb-server, four values are a
        # syntax error before duplicates are looked for.
        r = c.request('transact', '_Server',
                      {'op': 'select', 'table': 'Database',
                       'where': server_where})
        self.assertEqual(r['result'][0]['error'], 'syntax error')
        self.assertEqual(r['result'][0]['details'], 'set must have exactly '
                         'one member but 4 are present')
        r = c.request('monitor_cond', '_Server', None,
                      {'Database': [{'where': server_where,
                                     'columns': ['name']}]})
        self.assertEqual(r['error']['error'], 'syntax error')
        uuid = ['uuid', '01234567-89ab-cdef-0123-456789abcdef']
        server_where = [['cid', 'excludes', ['set', [uuid, uuid]]]]
        r = c.request('transact', '_Server',
                      {'op': 'select', 'table': 'Database',
                       'where': server_where})
        self.assertEqual(r['result'][0]['error'], 'ovsdb error')
        self.assertIn('set contains duplicate', r['result'][0]['details'])
        r = c.request('transact', 'Test',
                      {'op': 'mutate', 'table': 'Item', 'where': [],
                       'mutations': [['tags', 'insert', dup]]})
        self.assertEqual(r['result'][0]['error'], 'ovsdb error')
        r = c.request('transact', 'Test',
                      {'op': 'select', 'table': 'Item',
                       'where': [['tags', 'includes', dup]]})
        self.assertEqual(r['result'][0]['error'], 'ovsdb error')
        self.assertTrue(self.d.running())
        rows = self.transact({'op': 'select', 'table': 'Item', 'where': [],
                              'columns': ['name', 'tags']})[0]['rows']
        self.assertEqual(rows, [{'name': 'kept', 'tags': 'x'}])

    def test_big_request_answered(self):
        """A legitimate request over 1 MB (1.3 MB here) is answered, as
        ovsdb-server answers it; it closed the session before, and an IDL
        retried it for ever."""
        c = self.rpc()
        r = c.request('transact', 'Test',
                      {'op': 'insert', 'table': 'Note',
                       'row': {'text': 'x' * 1300000}}, timeout=30)
        self.assertIn('uuid', r['result'][0], str(r)[:200])
        rows = self.transact({'op': 'select', 'table': 'Note', 'where': [],
                              'columns': ['text']})[0]['rows']
        self.assertEqual(len(rows[0]['text']), 1300000)

    def test_garbage_closes_only_that_session(self):
        good = self.rpc()
        self.assertEqual(good.request('list_dbs')['result'],
                         ['Test', '_Server'])
        bad = self.rpc()
        bad.send_raw(b'{"method": "list_dbs", "params": [], "id": 1}'
                     b' ]]] this is not json')
        self.assertTrue(bad.wait_closed(), 'garbage did not close it')
        self.assertEqual(good.request('list_dbs')['result'],
                         ['Test', '_Server'])
        self.assertEqual(self.client('list-dbs').stdout, 'Test\n_Server\n')

    def test_nesting_limit_as_ovsdb_server(self):
        """ovsdb-server 3.1 answers a message nested 1,000 levels deep
        (its own object counted) and drops the session at 1,001; so does
        Sluice (it allowed 2,048 before)."""
        def echo(depth):
            inner = depth - 1   # the message's own object is one level
            return (b'{"method":"echo","params":' + b'[' * inner
                    + b']' * inner + b',"id":4}')
        ok = self.rpc()
        ok.send_raw(echo(1000))
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(limit + 2000)   # Python decodes the echo
        try:
            self.assertEqual(ok.reply_to(4)['id'], 4)
        finally:
            sys.setrecursionlimit(limit)
        bad = self.rpc()
        bad.send_raw(echo(1001))
        self.assertTrue(bad.wait_closed(), 'depth 1001 did not close it')
        self.assertEqual(ok.request('list_dbs')['result'],
                         ['Test', '_Server'])

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


class LockTest(OvsdbTestCase):
    """RFC 7047 locks with Debian's "ovsdb-client lock/steal" sessions."""

    def lock_client(self, cmd, name):
        return background(self, [OVSDB_CLIENT, cmd, self.remote, name])

    def test_lock_steal_and_handover(self):
        p1, out1 = self.lock_client('lock', 'L')
        st.wait_for(lambda: out1, what='first lock reply')
        self.assertEqual(json.loads(out1[0]), {'locked': True})
        p2, out2 = self.lock_client('lock', 'L')
        st.wait_for(lambda: out2, what='second lock reply')
        self.assertEqual(json.loads(out2[0]), {'locked': False})

        # Another session's "assert" fails: it does not own the lock.
        r = self.transact({'op': 'assert', 'lock': 'L'})
        self.assertEqual(r[0]['error'], 'not owner')

        p3, out3 = self.lock_client('steal', 'L')
        st.wait_for(lambda: out3, what='steal reply')
        self.assertEqual(json.loads(out3[0]), {'locked': True})
        st.wait_for(lambda: len(out1) >= 3, what='stolen notification')
        self.assertEqual(out1[1:3], ['stolen', '["L"]'])

        # The thief leaves: the first session, next in line, gets it back;
        # then it leaves too and the second one gets it.
        p3.kill()
        st.wait_for(lambda: len(out1) >= 5, what='locked notification')
        self.assertEqual(out1[3:5], ['locked', '["L"]'])
        self.assertEqual(out2, ['{"locked":false}'])
        p1.kill()
        st.wait_for(lambda: len(out2) >= 3, what='handover to the second')
        self.assertEqual(out2[1:3], ['locked', '["L"]'])


class ExtensionsTest(OvsdbTestCase):
    """Open vSwitch's extensions: _Server, get_server_id,
    set_db_change_aware, monitor_cond / update2, monitor_cond_change,
    monitor_cond_since / update3."""

    def test_server_database(self):
        r = self.client('transact', json.dumps(
            ['_Server', {'op': 'select', 'table': 'Database', 'where': [],
                         'columns': ['name'], 'sort': ['name']}]))
        # As ovsdb-server, _Server lists itself too.
        self.assertEqual(json.loads(r.stdout)[0]['rows'],
                         [{'name': 'Test'}, {'name': '_Server'}])
        r = self.client('transact', json.dumps(
            ['_Server', {'op': 'select', 'table': 'Database',
                         'where': [['name', '==', 'Test']],
                         'columns': ['name', 'model', 'connected', 'leader',
                                     'schema', 'cid', 'sid', 'index']}]))
        rows = json.loads(r.stdout)[0]['rows']
        self.assertEqual(len(rows), 1)
        row = rows[0]
        self.assertEqual(json.loads(row.pop('schema')),
                         json.loads(self.client('get-schema',
                                                'Test').stdout))
        self.assertEqual(row, {'name': 'Test', 'model': 'standalone',
                               'connected': True, 'leader': True,
                               'cid': ['set', []], 'sid': ['set', []],
                               'index': ['set', []]})
        schema = json.loads(self.client('get-schema', '_Server').stdout)
        self.assertEqual(sorted(schema['tables']['Database']['columns']),
                         ['cid', 'connected', 'index', 'leader', 'model',
                          'name', 'schema', 'sid'])
        r = self.client('transact', json.dumps(
            ['_Server', {'op': 'delete', 'table': 'Database',
                         'where': []}]))
        self.assertEqual(json.loads(r.stdout)[0]['error'], 'not allowed')

        a, b = self.rpc(), self.rpc()
        sid = a.request('get_server_id')['result']
        self.assertRegex(sid, '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$')
        self.assertEqual(b.request('get_server_id')['result'], sid)
        self.assertEqual(a.request('set_db_change_aware', True)['result'],
                         {})

    def test_monitor_cond_with_ovsdb_client(self):
        self.transact({'op': 'insert', 'table': 'Item',
                       'row': {'name': 'a', 'count': 1}},
                      {'op': 'insert', 'table': 'Item',
                       'row': {'name': 'b', 'count': 5}})
        proc, lines = background(
            self, [OVSDB_CLIENT, 'monitor-cond', self.remote, 'Test',
                   '[["count", ">", 2]]', 'Item', 'name,count,tags',
                   '--format=json'],
            lambda line: [r[1:] for r in json.loads(line)['data']])
        st.wait_for(lambda: lines, what='initial rows')
        self.assertEqual(lines[0], [['initial', 'b', 5, None]])
        # A modify carries only the changed column; a row entering the
        # condition is an insert, one leaving it a delete.
        self.transact({'op': 'update', 'table': 'Item',
                       'where': [['name', '==', 'b']],
                       'row': {'tags': ['set', ['t1', 't2']]}})
        st.wait_for(lambda: len(lines) >= 2, what='modify')
        self.assertEqual(lines[1], [['modify', None, None,
                                     ['set', ['t1', 't2']]]])
        self.transact({'op': 'update', 'table': 'Item',
                       'where': [['name', '==', 'a']], 'row': {'count': 3}})
        st.wait_for(lambda: len(lines) >= 3, what='insert')
        self.assertEqual(lines[2], [['insert', 'a', 3, None]])
        self.transact({'op': 'update', 'table': 'Item',
                       'where': [['name', '==', 'b']], 'row': {'count': 0}})
        st.wait_for(lambda: len(lines) >= 4, what='delete')
        self.assertEqual(lines[3], [['delete', None, None, None]])

    def test_monitor_cond_change_and_since(self):
        c = self.rpc()
        r = c.request('monitor_cond_since', 'Test', 'm',
                      {'Item': [{'columns': ['name'],
                                 'where': [['name', '==', 'x']]}]},
                      '00000000-0000-0000-0000-000000000000')
        self.assertEqual(r['result'],
                         [False, '00000000-0000-0000-0000-000000000000',
                          {}])
        self.transact({'op': 'insert', 'table': 'Item',
                       'row': {'name': 'x'}},
                      {'op': 'insert', 'table': 'Item',
                       'row': {'name': 'y'}})
        note = c.next_note()
        self.assertEqual(note['method'], 'update3')
        mid, txn, updates = note['params']
        self.assertEqual(mid, 'm')
        self.assertEqual([list(u.values()) for u in
                          updates['Item'].values()],
                         [[{'name': 'x'}]])
        self.assertEqual([list(u) for u in updates['Item'].values()],
                         [['insert']])
        r = c.request('monitor_cond_change', 'm', 'm2',
                      {'Item': [{'where': [['name', '==', 'y']]}]})
        self.assertEqual(r['result'], {})
        note = c.notes.pop(0)
        self.assertEqual(note['params'][0], 'm2')
        self.assertEqual(note['params'][1], txn)
        self.assertEqual(sorted(list(u)[0] for u in
                                note['params'][2]['Item'].values()),
                         ['delete', 'insert'])
        # The latest transaction id: found, nothing resent.
        r = c.request('monitor_cond_since', 'Test', 'n', {'Item': [{}]}, txn)
        self.assertEqual(r['result'], [True, txn, {}])

    def test_monitor_cond_since_catches_up(self):
        # A client that saw transaction T, disconnects and comes back gets
        # only what changed after T (from the server's history).
        for name in ('a', 'b', 'c'):
            self.transact({'op': 'insert', 'table': 'Item',
                           'row': {'name': name, 'count': 1}})
        c = self.rpc()
        r = c.request('monitor_cond_since', 'Test', 'm',
                      {'Item': [{'columns': ['name', 'count']}]},
                      '00000000-0000-0000-0000-000000000000')
        found, last, updates = r['result']
        self.assertFalse(found)
        self.assertEqual(len(updates['Item']), 3)
        uuids = {row['initial']['name']: u
                 for u, row in updates['Item'].items()}
        c.close()
        # Meanwhile: one row changed, one deleted, one added.
        self.transact({'op': 'update', 'table': 'Item',
                       'where': [['name', '==', 'a']],
                       'row': {'count': 7}})
        self.transact({'op': 'delete', 'table': 'Item',
                       'where': [['name', '==', 'b']]})
        r = self.transact({'op': 'insert', 'table': 'Item',
                           'row': {'name': 'd'}})
        d_uuid = r[0]['uuid'][1]
        c = self.rpc()
        r = c.request('monitor_cond_since', 'Test', 'm',
                      {'Item': [{'columns': ['name', 'count']}]}, last)
        found, latest, updates = r['result']
        self.assertTrue(found)
        self.assertNotEqual(latest, last)
        self.assertEqual(updates, {'Item': {
            uuids['a']: {'modify': {'count': 7}},
            uuids['b']: {'delete': None},
            d_uuid: {'insert': {'name': 'd'}}}})
        # From the latest id: nothing; from an unknown one: everything.
        r = c.request('monitor_cond_since', 'Test', 'n', {'Item': [{}]},
                      latest)
        self.assertEqual(r['result'], [True, latest, {}])
        r = c.request('monitor_cond_since', 'Test', 'o', {'Item': [{}]},
                      '6a1e8d2e-0000-4000-8000-000000000000')
        self.assertFalse(r['result'][0])
        self.assertEqual(len(r['result'][2]['Item']), 3)


class AppctlAsOvsdbServerTest(OvsdbTestCase):
    """ovsdb-server/* commands through ovs-appctl: sluiced does what
    Debian's ovsdb-server does (compared on the same requests)."""

    def probe(self, sock, ctl):
        def appctl(*args):
            r = subprocess.run([st.OVS_APPCTL, '-t', ctl,
                                'ovsdb-server/disable-monitor-cond'] +
                               list(args), capture_output=True, text=True,
                               timeout=20)
            return [r.returncode, r.stdout,
                    r.stderr.splitlines()[0] if r.stderr else '']
        out = []
        old = RpcClient(sock)
        self.addCleanup(old.close)
        out.append(old.request('monitor_cond', 'Test', 'x', {
            'Note': [{'columns': ['text']}]})['result'])
        out.append(appctl())
        out.append(old.wait_closed())       # Every session is dropped.
        new = RpcClient(sock)
        self.addCleanup(new.close)
        for method, params in [
                ('monitor_cond', ['Test', 'y', {'Note': [{}]}]),
                ('monitor_cond_since', ['Test', 'z', {'Note': [{}]},
                                        '00000000-0000-0000-0000-'
                                        '000000000000']),
                ('monitor', ['Test', 'w', {'Note': {'columns': ['text']}}]),
                ('monitor_cond_change', ['y', 'y2', {}])]:
            r = new.request(method, *params)
            del r['id']
            out.append([method, r])
        out.append(appctl('extra'))
        out.append(new.request('echo', 'still')['result'])
        out.append(appctl())
        out.append(new.wait_closed())
        return out

    def oracle(self):
        """Debian's ovsdb-server on a copy of the test's database; its
        control socket."""
        odir = self.d.path('oracle')
        os.mkdir(odir)
        odb = os.path.join(odir, 'test.db')
        run([OVSDB_TOOL, 'create', odb, self.schema_file])
        oracle = st.DebianOvsdbServer(odir, odb)
        self.addCleanup(oracle.stop)
        return oracle, os.path.join(odir, 'ovsdb-server.ctl')

    @unittest.skipUnless(st.OVS_APPCTL and st.OVSDB_SERVER,
                         'needs ovs-appctl and ovsdb-server')
    def test_compact_as_ovsdb_server(self):
        """ovsdb-server/compact through ovs-appctl: the same replies and
        errors (sluiced said "Nope: no such database" and offered to
        compact _Server)."""
        oracle, octl = self.oracle()

        def replies(ctl):
            out = []
            for args in ([], ['Test'], ['Nope'], ['_Server']):
                r = subprocess.run([st.OVS_APPCTL, '-t', ctl,
                                    'ovsdb-server/compact'] + args,
                                   capture_output=True, text=True,
                                   timeout=20)
                out.append([r.returncode, r.stdout,
                            r.stderr.splitlines()[0] if r.stderr else ''])
                time.sleep(0.5)     # A compaction may still be running.
            return out
        got = replies(self.d.sock_path)
        self.assertEqual(got, replies(octl))
        self.assertEqual(got[2][2], 'no database by that name')

    @unittest.skipUnless(st.OVS_APPCTL and st.OVSDB_SERVER,
                         'needs ovs-appctl and ovsdb-server')
    def test_as_ovsdb_server(self):
        self.transact({'op': 'insert', 'table': 'Note',
                       'row': {'text': 'n'}})
        got = self.probe(self.sock, self.d.sock_path)
        oracle, octl = self.oracle()
        run([OVSDB_CLIENT, 'transact', oracle.remote, json.dumps([
            'Test', {'op': 'insert', 'table': 'Note',
                     'row': {'text': 'n'}}])])
        want = self.probe(oracle.sock, octl)

        def uuids_out(x):
            return re.sub(r'"[0-9a-f]{8}-[0-9a-f-]{27}"', '"<uuid>"',
                          json.dumps(x, sort_keys=True))
        self.assertEqual(uuids_out(got), uuids_out(want))
        self.assertEqual(got[3][1], {'error': 'unknown method'})
        with open(self.d.log_file) as f:
            self.assertIn('disconnecting (user ran '
                          'ovsdb-server/disable-monitor-cond)', f.read())


DEBIAN_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'
OVS_VSCTL = shutil.which('ovs-vsctl')

IDL_SCRIPT = r'''
import json, sys
import ovs.db.idl, ovs.poller
helper = ovs.db.idl.SchemaHelper(location=sys.argv[2])
helper.register_columns('Bridge', ['name', 'external_ids', 'ports',
                                   'datapath_type'])
helper.register_columns('Port', ['name'])
idl = ovs.db.idl.Idl(sys.argv[1], helper)
seqno = None
while True:
    idl.run()
    if idl.change_seqno != seqno and idl.has_ever_connected():
        seqno = idl.change_seqno
        print(json.dumps({r.name: {'external_ids': dict(r.external_ids),
                                   'ports': sorted(p.name for p in r.ports),
                                   'datapath_type': r.datapath_type}
                          for r in idl.tables['Bridge'].rows.values()},
                         sort_keys=True), flush=True)
    poller = ovs.poller.Poller()
    idl.wait(poller)
    poller.block()
'''


IDL_LOCK_SCRIPT = r'''
import sys
import ovs.db.idl, ovs.poller
helper = ovs.db.idl.SchemaHelper(location=sys.argv[2])
helper.register_columns('Open_vSwitch', ['external_ids'])
idl = ovs.db.idl.Idl(sys.argv[1], helper)
idl.set_lock('sluice_test')
said = None
done = False
while True:
    idl.run()
    state = ('locked' if idl.has_lock
             else 'contended' if idl.is_lock_contended else None)
    if state and state != said:
        said = state
        print(state, flush=True)
    if idl.has_lock and not done and idl.tables['Open_vSwitch'].rows:
        txn = ovs.db.idl.Transaction(idl)
        row = next(iter(idl.tables['Open_vSwitch'].rows.values()))
        row.setkey('external_ids', 'owner', sys.argv[3])
        status = txn.commit_block()
        done = status == ovs.db.idl.Transaction.SUCCESS
        print('committed' if done else 'txn ' + status, flush=True)
    poller = ovs.poller.Poller()
    idl.wait(poller)
    poller.block()
'''


@unittest.skipUnless(OVS_VSCTL and OVSDB_TOOL
                     and os.path.exists(DEBIAN_SCHEMA)
                     and os.path.exists('/usr/bin/python3'),
                     'needs openvswitch-switch and python3-openvswitch')
class OvsClientsTest(unittest.TestCase):
    """Debian's ovs-vsctl and Python IDL (which look for _Server, then
    use monitor_cond_since and apply update3 diffs; the IDL's locks and
    "assert") on a database made from Debian's own Open_vSwitch
    schema."""

    def setUp(self):
        self.d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.db = self.d.path('conf.db')
        run([OVSDB_TOOL, 'create', self.db, DEBIAN_SCHEMA])
        self.d.start(args=['--db', self.db])
        self.remote = 'unix:' + self.d.path('db.sock')

    def vsctl(self, *args):
        return run([OVS_VSCTL, '--db=' + self.remote, '--no-wait',
                    '--timeout=10'] + list(args)).stdout

    def test_vsctl_and_idl(self):
        self.vsctl('init')
        proc, views = background(self, ['/usr/bin/python3', '-c',
                                        IDL_SCRIPT, self.remote,
                                        DEBIAN_SCHEMA], json.loads)
        st.wait_for(lambda: views, what='IDL connected')

        def idl_sees(want, what):
            try:
                st.wait_for(lambda: views and views[-1] == want, what=what)
            except AssertionError:
                self.fail('%s: the IDL saw %s' % (what, views[-3:]))

        self.vsctl('add-br', 'br0')
        idl_sees({'br0': {'external_ids': {}, 'ports': ['br0'],
                          'datapath_type': ''}}, 'add-br')
        self.vsctl('set', 'Bridge', 'br0', 'external_ids:a=1',
                   'external_ids:b=2', 'datapath_type=netdev')
        idl_sees({'br0': {'external_ids': {'a': '1', 'b': '2'},
                          'ports': ['br0'], 'datapath_type': 'netdev'}},
                 'set map keys')
        self.vsctl('set', 'Bridge', 'br0', 'external_ids:a=9', '--',
                   'remove', 'Bridge', 'br0', 'external_ids', 'b', '--',
                   'add-port', 'br0', 'p1')
        idl_sees({'br0': {'external_ids': {'a': '9'}, 'ports': ['br0', 'p1'],
                          'datapath_type': 'netdev'}}, 'map diff')
        self.vsctl('del-port', 'br0', 'p1')
        idl_sees({'br0': {'external_ids': {'a': '9'}, 'ports': ['br0'],
                          'datapath_type': 'netdev'}}, 'set diff')
        out = self.vsctl('show')
        self.assertIn('Bridge br0', out)
        self.assertEqual(self.vsctl('get', 'Bridge', 'br0',
                                    'external_ids:a').strip(), '"9"')
        self.assertEqual(self.vsctl('list-br'), 'br0\n')
        self.vsctl('del-br', 'br0')
        idl_sees({}, 'del-br')

    @unittest.skipUnless(st.OVS_APPCTL, 'needs ovs-appctl')
    def test_idl_falls_back_to_monitor(self):
        """After ovsdb-server/disable-monitor-cond the Python IDL that was
        connected is dropped, reconnects with plain "monitor" (its
        monitor_cond_since and monitor_cond are unknown methods now) and
        keeps seeing changes; so does a new one, and ovs-vsctl works."""
        self.vsctl('init')
        self.vsctl('add-br', 'br0')
        proc, views = background(self, ['/usr/bin/python3', '-c',
                                        IDL_SCRIPT, self.remote,
                                        DEBIAN_SCHEMA], json.loads)
        st.wait_for(lambda: views and 'br0' in views[-1],
                    what='IDL connected')
        r = self.d.appctl('ovsdb-server/disable-monitor-cond')
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, '', ''))
        self.vsctl('add-port', 'br0', 'p1')
        st.wait_for(lambda: views and views[-1].get('br0', {}).get(
            'ports') == ['br0', 'p1'], what='the IDL to see p1')
        _, views2 = background(self, ['/usr/bin/python3', '-c', IDL_SCRIPT,
                                      self.remote, DEBIAN_SCHEMA],
                               json.loads)
        st.wait_for(lambda: views2 and 'br0' in views2[-1],
                    what='a new IDL connected')
        self.vsctl('set', 'Bridge', 'br0', 'external_ids:k=v')
        for v in (views, views2):
            st.wait_for(lambda: v[-1]['br0']['external_ids'] == {'k': 'v'},
                        what='both IDLs to see the change')
        with open(self.d.log_file) as f:
            log = f.read()
        self.assertIn('user ran ovsdb-server/disable-monitor-cond', log)
        self.assertIsNone(proc.poll())

    def test_idl_locks(self):
        """Two Python IDLs asking for one lock: the owner's transactions
        (with the IDL's "assert") commit; when it leaves the other gets
        the lock."""
        self.vsctl('init')
        idls = []
        for name in ('one', 'two'):
            proc, lines = background(self, ['/usr/bin/python3', '-c',
                                            IDL_LOCK_SCRIPT, self.remote,
                                            DEBIAN_SCHEMA, name])
            idls.append((proc, lines))
            if name == 'one':
                st.wait_for(lambda: 'committed' in lines,
                            what='the first IDL to commit under the lock')
        (p1, out1), (p2, out2) = idls
        st.wait_for(lambda: 'contended' in out2,
                    what='the second IDL to see the lock contended')
        self.assertEqual(self.vsctl('get', 'Open_vSwitch', '.',
                                    'external_ids:owner').strip(), 'one')
        p1.kill()
        st.wait_for(lambda: 'committed' in out2,
                    what='the second IDL to get the lock and commit')
        self.assertEqual(self.vsctl('get', 'Open_vSwitch', '.',
                                    'external_ids:owner').strip(), 'two')


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
            self.assertEqual(r.stdout, 'Test\n_Server\n', remote)
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

    def test_default_database_created(self):
        # Without --db, a missing RUN_DIR/conf.db is created from the
        # built-in Open_vSwitch schema (test_schema.py checks its content).
        self.d.start()
        c = RpcClient(self.d.path('db.sock'))
        self.addCleanup(c.close)
        self.assertEqual(sorted(c.request('list_dbs')['result']),
                         ['Open_vSwitch', '_Server'])
        with open(self.d.log_file) as f:
            self.assertIn('created from the built-in Open_vSwitch schema',
                          f.read())

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

    def test_difference_with_duplicates_refused(self):
        """An "_is_diff" record whose map difference repeats keys (two
        pairs of duplicates crashed sluiced at every start): the database
        is refused with the reason, as ovsdb-tool refuses it, and the file
        is left as it was.  sluicectl db-check says the same."""
        schema = dict(SCHEMA, tables=dict(SCHEMA['tables']))
        schema['tables']['Note'] = {
            'columns': {'text': {'type': 'string'},
                        'kv': {'type': {'key': 'string', 'value': 'string',
                                        'min': 0, 'max': 'unlimited'}}},
            'isRoot': True}
        schema_file = self.d.path('s.ovsschema')
        with open(schema_file, 'w') as f:
            json.dump(schema, f)
        db = self.d.path('t.db')
        run([OVSDB_TOOL, 'create', db, schema_file])
        out = run([OVSDB_TOOL, 'transact', db,
                   json.dumps(['Test', {'op': 'insert', 'table': 'Note',
                                        'row': {'text': 'one'}}])]).stdout
        uuid = json.loads(out)[0]['uuid'][1]
        rec = json.dumps({'_is_diff': True, 'Note': {uuid: {'kv': [
            'map', [['a', '1'], ['a', '1'], ['b', '1'], ['b', '1']]]}}},
            separators=(',', ':')).encode()
        with open(db, 'ab') as f:
            f.write(b'OVSDB JSON %d %s\n%s\n'
                    % (len(rec), hashlib.sha1(rec).hexdigest().encode(), rec))
        with open(db, 'rb') as f:
            before = f.read()
        r = run([OVSDB_TOOL, 'query', db,
                 json.dumps(['Test', {'op': 'select', 'table': 'Note',
                                      'where': []}])], check=False)
        self.assertIn('map contains duplicate key', r.stderr)
        with self.assertRaises(st.DaemonError):
            self.d.start(args=['--db', db], timeout=20)
        with open(self.d.console_file) as f:
            text = f.read()
        self.assertIn('cannot open database', text)
        self.assertIn('map contains duplicate key', text)
        r = run([st.SLUICECTL, 'db-check', db], check=False)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn('map contains duplicate key', r.stderr)
        with open(db, 'rb') as f:
            self.assertEqual(f.read(), before)

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
            good = f.read()
        self.assertNotIn(b'tor', good)
        # ... but kept aside, said loudly, for an operator to recover.
        side = '%s.cut-%d' % (db, len(good))
        with open(side, 'rb') as f:
            self.assertEqual(f.read(), b'OVSDB JSON 99 0123\n{"Note": tor')
        with open(self.d.log_file) as f:
            log = f.read()
        self.assertIn('the cut bytes are in ' + side, log)
        self.assertIn('the last good transaction is record 1', log)
        log = run([OVSDB_TOOL, 'show-log', db]).stdout
        self.assertIn('record 1:', log)
        self.assertNotIn('record 2:', log)


if __name__ == '__main__':
    st.main()
