#!/usr/bin/python3
"""Differential test of sluiced's OVSDB server with Debian's Python IDL
(python3-openvswitch, ovs.db.idl): one scripted IDL session runs against
Debian's ovsdb-server (the oracle) and against sluiced, each serving a
fresh database that ovsdb-tool made from the same schema (a small test
schema here, and Debian's own vswitch.ovsschema), and the transcripts of
what the IDL saw are compared step by step.

A transcript holds, after every step: the IDL's replica (every row and
monitored column), the row notices the IDL raised (create/update/delete,
and which columns an update's diff named), the transaction's status,
error, inserted UUIDs and increment result, the raw "transact" reply, and
the replies to the changes another client made.  UUIDs are numbered by
appearance (ovsdbdiff.Numbering), error texts that name rows in hash order
are put in a fixed form (ovsdbdiff._texts).

The session covers: partial set and map updates (setkey/delkey,
addvalue/delvalue: the IDL sends them as "mutate"), "verify" (a change by
another client between the IDL's read and its commit: TRY_AGAIN on
both), "increment", transactions refused by constraints (index, set
size, integer range through increment, referential integrity, maxRows),
weak references, conditional monitors whose conditions change over time
(also while disconnected), and reconnects: the server drops every
connection (ovsdb-server/reconnect on both) while another client
changes the database, and the server restarts.

Legitimate differences (normalised here, nowhere else):
  - On a reconnect the IDL asks monitor_cond_since for the changes after
    the last transaction id it saw.  ovsdb-server keeps no history for a
    standalone database (its update3 ids are all zeros): it answers
    found=false and resends every row, which the IDL replaces its replica
    with; sluiced keeps the last transactions and answers found=true with
    only the rows that changed.  So the row notices of a reconnect step
    differ (a full reload raises a "create" for every row) and are not
    compared; the replica after it is.  How many rows each server resent
    is measured and printed (and sluiced must answer found=true after a
    connection drop: its history is what the test is about).
  - sluiced serving the Open_vSwitch database is also the switch: it
    writes status columns (Interface ofport/status, Bridge datapath_id,
    Open_vSwitch cur_cfg...) that ovsdb-server alone never writes.  The
    vswitch session monitors only the columns a client writes, as
    ovs-vsctl's own IDL would for these commands.

Environment:
  SLUICE_IDL_TRANSCRIPTS=DIR   write both normalised transcripts there
"""

import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402
import ovsdbdiff as od                              # noqa: E402

try:
    import ovs.db.idl
    import ovs.jsonrpc
    import ovs.poller
    HAVE_IDL = True
except ImportError:
    HAVE_IDL = False

DEBIAN_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'
ZERO_UUID = od.ZERO_UUID
STEP_TIMEOUT = 30.0         # Seconds for one step (a restart included).

TEST_SCHEMA = {
    'name': 'IdlTest', 'version': '1.2.3',
    'tables': {
        'Item': {'isRoot': True, 'indexes': [['name']], 'columns': {
            'name': {'type': 'string'},
            'n': {'type': {'key': {'type': 'integer', 'minInteger': 0,
                                   'maxInteger': 100}}},
            'tags': {'type': {'key': 'string', 'min': 0, 'max': 3}},
            'opts': {'type': {'key': 'string', 'value': 'string',
                              'min': 0, 'max': 'unlimited'}},
            'kids': {'type': {'key': {'type': 'uuid', 'refTable': 'Kid'},
                              'min': 0, 'max': 'unlimited'}},
            'peer': {'type': {'key': {'type': 'uuid', 'refTable': 'Item',
                                      'refType': 'weak'},
                              'min': 0, 'max': 1}},
            'pin': {'type': {'key': {'type': 'uuid', 'refTable': 'Item'},
                             'min': 0, 'max': 1}},
        }},
        'Kid': {'columns': {
            'k': {'type': 'integer'},
            'label': {'type': 'string'},
        }},
        'Lim': {'isRoot': True, 'maxRows': 2, 'columns': {
            'x': {'type': 'integer'},
        }},
    },
}


# ---------------------------------------------------------------------------
# The two servers, each able to drop its connections and to restart on the
# same database file and socket.

class OracleServer(od.Oracle):
    def drop(self):
        od.run([st.OVS_APPCTL, '-t', os.path.join(self.dir,
                                                   'ovsdb-server.ctl'),
                'ovsdb-server/reconnect'])

    def restart(self):
        st.DebianOvsdbServer.stop(self)
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        st.DebianOvsdbServer.__init__(self, self.dir, self.db)


class SluicedServer:
    name = 'sluiced'

    def __init__(self, schema):
        # The Open_vSwitch database makes sluiced configure bridges: give
        # it a network namespace of its own for their interfaces.
        self.d = st.Daemon(netns=True)
        self.db = self.d.path('s.db')
        od.create_db(self.db, schema)
        self.d.start(args=['--db', self.db])
        self.sock = self.d.path('db.sock')

    def drop(self):
        self.d.ctl('ovsdb-server/reconnect')

    def restart(self):
        self.d.stop('exit')
        self.d.start(args=['--db', self.db])

    def stop(self):
        self.d.cleanup()


# ---------------------------------------------------------------------------
# The IDL client and its transcript.

if HAVE_IDL:
    class RecordingIdl(ovs.db.idl.Idl):
        """An Idl that keeps the row notices it raises."""

        def __init__(self, *args, **kw):
            self.notices = []
            super().__init__(*args, **kw)

        def notify(self, event, row, updates=None):
            cols = sorted(updates._data) if updates is not None else None
            self.notices.append((str(row.uuid), event, row._table.name,
                                 cols))


class IdlClient:
    """Runs steps on a RecordingIdl connected to 'server' and records the
    transcript.  Every step ends synchronised: the IDL has processed every
    update the server sent before it answered an "echo" sent on the IDL's
    own connection (both servers send a session's pending updates before
    they read its next request)."""

    def __init__(self, server, schema_path, columns):
        self.server = server
        helper = ovs.db.idl.SchemaHelper(location=schema_path)
        for table, cols in columns.items():
            helper.register_columns(table, cols)
        self.idl = RecordingIdl('unix:' + server.sock, helper,
                                probe_interval=0)
        self.columns = columns
        self.transcript = []
        self.resyncs = []           # One per monitor reply.
        self.echo_pending = set()
        self.other_session = None
        sess = self.idl._session
        # Reconnect attempts 1 s apart (the least it allows; default: up
        # to 8 s), to keep the test short.
        sess.reconnect.set_backoff(1000, 1000)
        self._recv = sess.recv
        sess.recv = self._recv_hook
        self.pump(self.settled, 'initial monitor')
        self.sync()
        self.record('connect', resync=True)

    def close(self):
        self.idl.close()
        if self.other_session:
            self.other_session.close()

    # -- the connection -----------------------------------------------------

    def _recv_hook(self):
        """The IDL's session.recv: swallows the replies to our echoes and
        notes monitor and transact replies."""
        while True:
            msg = self._recv()
            if msg is None:
                return None
            if msg.type == ovs.jsonrpc.Message.T_REPLY \
                    and msg.id in self.echo_pending:
                self.echo_pending.discard(msg.id)
                continue
            idl = self.idl
            if (msg.type == ovs.jsonrpc.Message.T_REPLY
                    and idl._monitor_request_id is not None
                    and msg.id == idl._monitor_request_id):
                since = (idl.state
                         == idl.IDL_S_DATA_MONITOR_COND_SINCE_REQUESTED)
                updates = msg.result[2] if since else msg.result
                self.resyncs.append({
                    'method': 'monitor_cond_since' if since else 'other',
                    # The id the IDL named (it changes only on update3).
                    'asked_id': since and idl.last_id != ZERO_UUID,
                    'found': bool(msg.result[0]) if since else False,
                    'rows': sum(len(t) for t in updates.values())})
            if (msg.type in (ovs.jsonrpc.Message.T_REPLY,
                             ovs.jsonrpc.Message.T_ERROR)
                    and msg.id in idl._outstanding_txns):
                self.txn_reply = (msg.result
                                  if msg.type == ovs.jsonrpc.Message.T_REPLY
                                  else {'error': msg.error})
            return msg

    def pump(self, cond, what, timeout=STEP_TIMEOUT):
        """Runs the IDL until cond() holds."""
        deadline = time.monotonic() + timeout
        while True:
            self.idl.run()
            if cond():
                return
            if time.monotonic() > deadline:
                raise AssertionError('%s: timed out waiting for %s (IDL '
                                     'state %d)' % (self.server.name, what,
                                                    self.idl.state))
            poller = ovs.poller.Poller()
            self.idl.wait(poller)
            poller.timer_wait(20)
            poller.block()

    def settled(self):
        """Monitoring, with no condition change pending or in flight."""
        idl = self.idl
        return (idl.state == idl.IDL_S_MONITORING
                and idl._session.is_connected()
                and not idl.cond_changed and idl._request_id is None
                and all(t.condition_state.new is None
                        and t.condition_state.requested is None
                        for t in idl.tables.values()))

    def sync(self):
        self.pump(self.settled, 'the IDL to settle')
        msg = ovs.jsonrpc.Message.create_request('echo', ['sync'])
        self.echo_pending.add(msg.id)
        self.idl._session.send(msg)
        self.pump(lambda: msg.id not in self.echo_pending, 'echo reply')

    # -- what the IDL sees ----------------------------------------------------

    def view(self):
        out = {}
        for name, table in sorted(self.idl.tables.items()):
            out[name] = {str(u): {c: row._data[c].to_json()
                                  for c in self.columns[name]}
                         for u, row in table.rows.items()}
        return out

    def record(self, label, txn=None, others=None, resync=False):
        notices = {}
        for u, event, table, cols in self.idl.notices:
            notices.setdefault(u, []).append([event, table, cols])
        self.idl.notices = []
        step = [label, self.view()]
        if resync:
            # A reload or a catch-up: see the module's docstring.
            r = self.resyncs[-1]
            r.update(step=label, rows_in_replica=sum(
                len(t) for t in step[1].values()),
                notices=sum(len(v) for v in notices.values()))
            step.append('<resync: notices not compared>')
        else:
            step.append(notices)
        step.append(txn)
        step.append(others)
        self.transcript.append(step)

    def rows(self, table):
        return {r.name: r for r in self.idl.tables[table].rows.values()}

    def row(self, table, name):
        return self.rows(table)[name]

    # -- steps --------------------------------------------------------------

    def other(self, *ops, sync=True):
        """Another client's transaction on its own connection; returns
        its reply (and, with 'sync', lets the IDL see the change)."""
        if self.other_session is None:
            self.other_session = od.Session(self.server.sock)
        s = self.other_session
        req_id = 'o%d' % len(self.transcript)
        s.send(json.dumps({'method': 'transact', 'id': req_id,
                           'params': [self.idl._db.name] + list(ops)}))
        msgs = s.until_reply(req_id, timeout=10)
        reply = msgs[-1]
        if not isinstance(reply, dict):
            raise AssertionError('%s: other client: %r'
                                 % (self.server.name, msgs))
        if sync:
            self.sync()
        return reply.get('result', reply.get('error'))

    def txn(self, label, body, others_first=()):
        """A transaction of the IDL: body(txn) makes the changes and
        returns the rows it inserted; 'others_first' are transactions of
        another client committed after the IDL read its rows and before
        it commits (what "verify" is for)."""
        txn = ovs.db.idl.Transaction(self.idl)
        self.txn_reply = None
        inserted = body(txn) or []
        others = [self.other(*ops, sync=False) for ops in others_first]
        status = txn.commit_block()
        rec = {'status': status}
        if status == txn.ERROR:
            err = txn.get_error()
            try:
                rec['error'] = json.loads(err)
            except ValueError:
                rec['error'] = err
        if status == txn.SUCCESS:
            rec['inserted'] = [str(txn.get_insert_uuid(r.uuid))
                               for r in inserted]
            if txn._inc_row is not None:
                rec['increment'] = txn.get_increment_new_value()
        rec['reply'] = self.txn_reply
        self.sync()
        self.record(label, txn=rec, others=others or None)
        return status

    def others(self, label, *txns):
        replies = [self.other(*ops) for ops in txns]
        self.record(label, others=replies)

    def cond(self, label, *changes):
        for table, cond in changes:
            self.idl.cond_change(table, cond)
        self.sync()
        self.record(label)

    def reconnect(self, label, how, during=(), conds=()):
        """The server drops the IDL's connection ('drop') or restarts;
        'during' are another client's transactions and 'conds' condition
        changes the IDL makes before it notices."""
        n = len(self.resyncs)
        if self.other_session:
            self.other_session.close()
            self.other_session = None
        if how == 'drop':
            self.server.drop()
        else:
            self.server.restart()
        replies = [self.other(*ops, sync=False) for ops in during]
        for table, cond in conds:
            self.idl.cond_change(table, cond)
        self.pump(lambda: len(self.resyncs) > n and self.settled(),
                  'the IDL to reconnect')
        self.resyncs[-1]['how'] = how
        self.sync()
        self.record(label, others=replies or None, resync=True)


# ---------------------------------------------------------------------------
# The sessions (the same script for both servers).

def where(name):
    return [['name', '==', name]]


def upd(table, name, row):
    return {'op': 'update', 'table': table, 'where': where(name),
            'row': row}


def ins(table, row):
    return {'op': 'insert', 'table': table, 'row': row}


def dele(table, name):
    return {'op': 'delete', 'table': table, 'where': where(name)}


def test_session(c):
    def first(txn):
        t = c.idl.tables
        k1 = txn.insert(t['Kid'])
        k1.k, k1.label = 1, 'one'
        a = txn.insert(t['Item'])
        a.name, a.n, a.tags, a.kids = 'a', 1, ['x'], [k1]
        b = txn.insert(t['Item'])
        b.name, b.n, b.opts = 'b', 5, {'k': 'v'}
        cc = txn.insert(t['Item'])
        cc.name, cc.n = 'c', 50
        a.peer, a.pin = [b], [cc]
        return [k1, a, b, cc]
    c.txn('insert a, b, c and a kid', first)

    c.others('another client inserts d and changes b',
             [ins('Item', {'name': 'd', 'n': 7}),
              upd('Item', 'b', {'n': 8})])

    def maps(txn):
        b, a = c.row('Item', 'b'), c.row('Item', 'a')
        b.setkey('opts', 'k2', 'v2')
        b.setkey('opts', 'k', 'v9')
        a.addvalue('tags', 'y')
        a.delvalue('tags', 'x')
    c.txn('setkey, addvalue, delvalue (mutate)', maps)

    def maps2(txn):
        b, cc = c.row('Item', 'b'), c.row('Item', 'c')
        b.delkey('opts', 'k')
        b.delkey('opts', 'k2', 'not-its-value')
        cc.addvalue('tags', 'p')
        cc.addvalue('tags', 'q')
        cc.setkey('opts', 'z', '1')
    c.txn('delkey (one with a wrong value), more mutations', maps2)

    # (An increment alone is no change to the Python IDL: each comes with
    # a write.)
    def inc(name, key):
        def body(txn):
            r = c.row('Item', name)
            r.increment('n')
            r.setkey('opts', key, 'x')
        return body
    c.txn('increment c.n', inc('c', 'inc'))

    def verify_n(txn):
        b = c.row('Item', 'b')
        b.verify('n')
        b.n = b.n + 1
    c.txn('verify b.n while another client changes it', verify_n,
          others_first=[[upd('Item', 'b', {'n': 20})]])
    c.txn('the same transaction again', verify_n)

    def verify_unchanged(txn):
        b = c.row('Item', 'b')
        b.verify('opts')
        b.n = b.n + 1
    c.txn('verify b.opts while another client changes b.n',
          verify_unchanged, others_first=[[upd('Item', 'b', {'n': 30})]])

    def dup(txn):
        r = txn.insert(c.idl.tables['Item'])
        r.name, r.n = 'a', 2
        return [r]
    c.txn('insert a second "a" (index)', dup)
    c.txn('a fourth tag (set size)',
          lambda txn: c.row('Item', 'c').addvalue('tags', 'r') or
          c.row('Item', 'c').addvalue('tags', 's'))
    c.others('another client sets d.n to 100', [upd('Item', 'd',
                                                    {'n': 100})])
    c.txn('increment d.n beyond maxInteger', inc('d', 'inc'))
    # (The Python IDL never deletes rows of non-root tables itself.)
    c.txn('delete c, which a.pin references',
          lambda txn: c.row('Item', 'c').delete())

    def lims(txn):
        out = []
        for x in range(3):
            r = txn.insert(c.idl.tables['Lim'])
            r.x = x
            out.append(r)
        return out
    c.txn('three Lim rows (maxRows 2)', lims)
    c.txn('delete b (a.peer is a weak reference to it)',
          lambda txn: c.row('Item', 'b').delete())

    c.cond('monitor only Item n < 10', ('Item', [['n', '<', 10]]))
    c.others('another client moves rows into and out of the condition',
             [upd('Item', 'c', {'n': 3}), upd('Item', 'a', {'n': 60}),
              ins('Item', {'name': 'e', 'n': 2}), dele('Item', 'd')])
    c.cond('Item name == a or tags includes q',
           ('Item', [['name', '==', 'a'],
                     ['tags', 'includes', ['set', ['q']]]]),
           ('Kid', [['k', '>', 0]]))
    c.reconnect('server drops the connection; changes meanwhile', 'drop',
                during=[[upd('Item', 'a', {'opts': ['map', [['m', 'n']]]}),
                         upd('Item', 'c', {'n': 9}),
                         ins('Item', {'name': 'f', 'n': 1,
                                      'tags': ['set', ['q']]}),
                         ins('Item', {'name': 'g', 'n': 4})],
                        [upd('Item', 'e', {'tags': ['set', ['q', 'w']]}),
                         upd('Item', 'c', {'tags': ['set', []]})]])
    c.reconnect('server drops the connection; nothing changed', 'drop')
    c.reconnect('dropped while the condition changes', 'drop',
                during=[[upd('Item', 'g', {'n': 5})]],
                conds=[('Item', [['n', '<=', 5]])])
    c.cond('monitor nothing of Item', ('Item', [False]))
    c.others('another client changes a row nobody monitors',
             [upd('Item', 'a', {'n': 61})])
    c.cond('monitor all of Item again', ('Item', [True]))
    c.reconnect('server restarts; changes after it is back', 'restart',
                during=[[upd('Item', 'f', {'n': 11}),
                         dele('Item', 'g')]])

    def after(txn):
        a = c.row('Item', 'a')
        a.setkey('opts', 'after', 'restart')
        c.row('Item', 'e').delete()
        h = txn.insert(c.idl.tables['Item'])
        h.name, h.n, h.peer = 'h', 0, [a]
        return [h]
    c.txn('a transaction after the restart', after)
    c.reconnect('server drops the connection after the restart', 'drop',
                during=[[upd('Item', 'h', {'n': 12})]])
    c.reconnect('dropped: a row comes and goes, another goes', 'drop',
                during=[[ins('Item', {'name': 'tmp', 'n': 1})],
                        [upd('Item', 'tmp', {'n': 2})],
                        [dele('Item', 'tmp')], [dele('Item', 'f')],
                        [upd('Item', 'h', {'tags': ['set', ['t']]})]])


VSWITCH_COLUMNS = {
    'Open_vSwitch': ['bridges', 'next_cfg', 'external_ids'],
    'Bridge': ['name', 'ports', 'external_ids', 'other_config',
               'fail_mode'],
    'Port': ['name', 'interfaces', 'tag', 'trunks', 'external_ids'],
    'Interface': ['name', 'type', 'options', 'external_ids'],
}


def vswitch_session(c):
    def init(txn):
        # (An insert that sets no column is no change to the Python IDL.)
        o = txn.insert(c.idl.tables['Open_vSwitch'])
        o.external_ids = {'system-id': 'test'}
        return [o]
    c.txn('init (insert the Open_vSwitch row)', init)

    def ovs_row():
        return next(iter(c.idl.tables['Open_vSwitch'].rows.values()))

    def add_br(name, tag=None):
        def body(txn):
            t = c.idl.tables
            o = ovs_row()
            o.verify('bridges')
            iface = txn.insert(t['Interface'])
            iface.name, iface.type = name, 'internal'
            port = txn.insert(t['Port'])
            port.name, port.interfaces = name, [iface]
            if tag is not None:
                port.tag = [tag]
            br = txn.insert(t['Bridge'])
            br.name, br.ports = name, [port]
            o.addvalue('bridges', br)
            o.increment('next_cfg')
            return [iface, port, br]
        return body
    c.txn('add-br br0 (as ovs-vsctl: verify, mutate, increment)',
          add_br('br0'))
    c.others('another client sets external_ids of br0',
             [upd('Bridge', 'br0', {'external_ids':
                                    ['map', [['owner', 'other']]]})])

    def br_keys(txn):
        br = c.row('Bridge', 'br0')
        br.setkey('external_ids', 'a', '1')
        br.setkey('other_config', 'hwaddr', '02:00:00:00:00:01')
        br.fail_mode = ['secure']
        p = c.row('Port', 'br0')
        p.tag = [10]
        p.trunks = [1, 2, 3]
        c.row('Interface', 'br0').setkey('options', 'k', 'v')
    c.txn('set map keys and columns', br_keys)
    c.txn('add-br br1 while another client adds br9',
          add_br('br1', 5),
          others_first=[[ins('Bridge', {'name': 'br9'}) | {
              'uuid-name': 'b9'},
              {'op': 'mutate', 'table': 'Open_vSwitch', 'where': [],
               'mutations': [['bridges', 'insert',
                              ['set', [['named-uuid', 'b9']]]]]}]])
    c.txn('add-br br1 again', add_br('br1', 5))

    def dup_br(txn):
        br = txn.insert(c.idl.tables['Bridge'])
        br.name = 'br0'
        ovs_row().addvalue('bridges', br)
        return [br]
    c.txn('a second br0 (index)', dup_br)
    c.cond('monitor internal interfaces named br1 and ports tagged 5',
           ('Interface', [['name', '==', 'br1']]),
           ('Port', [['tag', '==', 5]]))
    c.reconnect('server drops the connection; ports change meanwhile',
                'drop',
                during=[[upd('Port', 'br0', {'tag': 5}),
                         upd('Port', 'br1', {'tag': 6}),
                         upd('Bridge', 'br9',
                             {'external_ids': ['map', [['x', 'y']]]})]])
    c.reconnect('server restarts', 'restart')
    c.cond('monitor all ports and interfaces', ('Port', [True]),
           ('Interface', [True]))

    def del_br(txn):
        br = c.row('Bridge', 'br0')
        o = ovs_row()
        o.verify('bridges')
        o.delvalue('bridges', br)
        br.delete()
        o.increment('next_cfg')
    c.txn('del-br br0 (its ports and interfaces go too)', del_br)
    c.reconnect('server drops the connection; br1 is deleted meanwhile',
                'drop',
                during=[[upd('Bridge', 'br1',
                             {'other_config': ['map', [['p', 'q']]]})],
                        [dele('Bridge', 'br1')]])


# ---------------------------------------------------------------------------

def normalise(transcript):
    numbering = od.Numbering()
    return [json.dumps(od._texts(step), sort_keys=True)
            for step in numbering.walk(transcript)]


@unittest.skipUnless(HAVE_IDL and od.OVSDB_SERVER and od.OVSDB_TOOL
                     and st.OVS_APPCTL,
                     'needs python3-openvswitch, ovsdb-server, ovsdb-tool '
                     'and ovs-appctl')
class IdlDiffTest(unittest.TestCase):

    def run_both(self, schema, schema_path, columns, session):
        results = {}
        for cls in (OracleServer, SluicedServer):
            server = cls(schema)
            self.addCleanup(server.stop)
            c = IdlClient(server, schema_path, columns)
            self.addCleanup(c.close)
            session(c)
            results[server.name] = c
            c.close()
            server.stop()
        o, s = results['ovsdb-server'], results['sluiced']
        no, ns = normalise(o.transcript), normalise(s.transcript)
        out = os.environ.get('SLUICE_IDL_TRANSCRIPTS')
        if out:
            os.makedirs(out, exist_ok=True)
            for name, steps in (('ovsdb-server', no), ('sluiced', ns)):
                with open(os.path.join(out, '%s-%s.txt' % (
                        session.__name__, name)), 'w') as f:
                    f.write('\n'.join(steps) + '\n')
        self.report(session.__name__, o.resyncs, s.resyncs)
        for i, (a, b) in enumerate(zip(no, ns)):
            if a != b:
                self.fail('step %d (%s) differs:\n  ovsdb-server: %s\n'
                          '  sluiced:      %s'
                          % (i, o.transcript[i][0], a[:3000], b[:3000]))
        self.assertEqual(len(no), len(ns))
        # sluiced's history: an IDL that names the last id it saw after a
        # dropped connection is caught up, not reloaded (a restart loses
        # the history; an IDL whose condition change was in flight names
        # no id and reloads).
        for r in s.resyncs:
            if r.get('how') == 'drop' and r['asked_id']:
                self.assertTrue(r['found'], r)
                self.assertLessEqual(r['rows'], r['rows_in_replica'], r)
        return o, s

    @staticmethod
    def report(name, oracle, sluiced):
        print('\n%s: rows resent on (re)connect (monitor reply)' % name,
              file=sys.stderr)
        print('  %-58s %-20s %-20s' % ('step', 'ovsdb-server',
                                       'sluiced'), file=sys.stderr)
        for ro, rs in zip(oracle, sluiced):
            def cell(r):
                return '%s %d/%d rows' % ('found' if r['found']
                                          else 'reload', r['rows'],
                                          r['rows_in_replica'])
            print('  %-58s %-20s %-20s' % (ro['step'][:58], cell(ro),
                                           cell(rs)), file=sys.stderr)

    def test_test_schema(self):
        path = os.path.join(st_tmpdir(self), 'idltest.ovsschema')
        with open(path, 'w') as f:
            json.dump(TEST_SCHEMA, f)
        columns = {t: sorted(v['columns'])
                   for t, v in TEST_SCHEMA['tables'].items()}
        self.run_both(TEST_SCHEMA, path, columns, test_session)

    @unittest.skipUnless(os.path.exists(DEBIAN_SCHEMA),
                         'needs Debian\'s vswitch.ovsschema')
    def test_vswitch_schema(self):
        self.run_both(DEBIAN_SCHEMA, DEBIAN_SCHEMA, VSWITCH_COLUMNS,
                      vswitch_session)


def st_tmpdir(test):
    d = tempfile.mkdtemp(prefix='sluice-idl-')
    test.addCleanup(shutil.rmtree, d, True)
    return d


if __name__ == '__main__':
    st.main()
