#!/usr/bin/python3
"""sluicectl's generic database commands, its wait for the switch and its
database file commands.

- Generic commands (show, list, find, get, set, add, remove, clear,
  destroy, --columns, --bare, --if-exists, --all) against sluiced's
  Open_vSwitch database, compared with what Debian's ovs-vsctl prints for
  the same database and arguments; bad input (unknown table or column, bad
  value, missing record) gives the error, exit status 2 and leaves the
  database as it was.
- Waiting: against Debian's own ovsdb-server (no switch behind it, so
  cur_cfg moves only when the test moves it), a modifying command bumps
  next_cfg in its transaction, times out with -T while cur_cfg lags, and
  returns once another client sets cur_cfg.
- A database file written by Debian's ovsdb-server (modified rows as
  "_is_diff" differences: sets, maps, optional values) and opened by
  sluiced reads back as ovsdb-server served it.
- Files: db-create, db-convert, db-compact, db-show-log and db-check,
  cross-checked with Debian's ovsdb-tool (db-name, db-version, show-log,
  query) and by opening the files in sluiced; lock refusal while a daemon
  serves the file; corrupt files reported with the record number.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

OVS_VSCTL = shutil.which('ovs-vsctl')
OVSDB_TOOL = shutil.which('ovsdb-tool')
OVSDB_CLIENT = shutil.which('ovsdb-client')
OVSDB_SERVER = st.OVSDB_SERVER
VSWITCH_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'
RUN_TIMEOUT = 30


def run(cmd, check=True, timeout=RUN_TIMEOUT):
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError('%s: status %d: %s'
                             % (' '.join(cmd), r.returncode, r.stderr))
    return r


def sluicectl(*args, check=False, timeout=RUN_TIMEOUT):
    return run([st.SLUICECTL] + list(args), check=check, timeout=timeout)


def records(text):
    """The records of list/find output, as a sorted list of blocks."""
    return sorted(b for b in text.strip('\n').split('\n\n') if b)


def write_json(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f)


# ---------------------------------------------------------------------------
# Generic commands against sluiced.

@unittest.skipUnless(OVS_VSCTL, 'needs ovs-vsctl (openvswitch-switch)')
class GenericCommandsTest(unittest.TestCase):

    def setUp(self):
        self.d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.d.start()
        self.remote = 'unix:' + self.d.path('db.sock')
        # A database with a bit of everything, built by ovs-vsctl.
        self.vsctl('add-br', 'br0', '--', 'add-br', 'br1',
                   '--', 'add-port', 'br0', 'p1',
                   '--', 'set', 'Interface', 'p1', 'type=dummy',
                   'options:remote_ip=10.0.0.1', 'options:key=flow',
                   '--', 'set', 'Port', 'p1', 'tag=5', 'trunks=1,2,3',
                   '--', 'add-port', 'br1', 'q1',
                   '--', 'add-bond', 'br1', 'bond0', 'e1', 'e2',
                   '--', 'set', 'Bridge', 'br0', 'fail_mode=secure',
                   'external_ids:owner="a b"', 'external_ids:n=42',
                   'other_config:hwaddr="00:11:22:33:44:55"',
                   '--', 'set', 'Bridge', 'br1', 'datapath_type=netdev',
                   '--', 'set-controller', 'br0', 'tcp:192.0.2.1:6653',
                   '--', 'set-manager', 'ptcp:6640',
                   '--', 'set', 'Open_vSwitch', '.', 'ovs_version=3.1.0')

    def vsctl(self, *args):
        return run([OVS_VSCTL, '--db=' + self.remote, '--no-wait',
                    '--timeout=20'] + list(args)).stdout

    def ctl(self, *args, status=0, err=None):
        """sluicectl --no-wait ARGS (nothing sets cur_cfg in sluiced)."""
        r = self.d.sluicectl('-T', '20', '--no-wait', *args)
        self.assertEqual(r.returncode, status,
                         'sluicectl %s: %s' % (' '.join(args), r.stderr))
        if err is None:
            self.assertEqual(r.stderr, '')
        else:
            self.assertEqual(r.stderr, 'sluicectl: %s\n' % err)
        return r.stdout

    def dump(self):
        """Every record of every table, as ovs-vsctl lists them."""
        tables = ['Open_vSwitch', 'Bridge', 'Port', 'Interface',
                  'Controller', 'Manager', 'QoS', 'Queue', 'Mirror']
        return {t: records(self.vsctl('list', t)) for t in tables}

    def test_show_and_list_like_ovs_vsctl(self):
        self.assertEqual(self.ctl('show'), self.vsctl('show'))
        self.assertIn('Bridge br0', self.ctl('show'))
        for table in ('Open_vSwitch', 'Bridge', 'Port', 'Interface',
                      'Controller', 'Manager', 'SSL', 'QoS'):
            self.assertEqual(records(self.ctl('list', table)),
                             records(self.vsctl('list', table)), table)
        # Named records, several of them, in the order given.
        self.assertEqual(self.ctl('list', 'Bridge', 'br1', 'br0'),
                         self.vsctl('list', 'Bridge', 'br1', 'br0'))
        self.assertEqual(self.ctl('--columns=name,tag', 'list', 'Port',
                                  'p1'),
                         'name                : p1\n'
                         'tag                 : 5\n')
        self.assertEqual(self.ctl('--columns=name,tag', 'list', 'Port', 'p1'),
                         self.vsctl('--columns=name,tag', 'list', 'Port',
                                    'p1'))
        self.assertEqual(self.ctl('--bare', '--columns=name,trunks', 'list',
                                  'Port', 'p1'), 'p1\n1 2 3\n')
        # Abbreviated table and column names, any case, '-' for '_'.
        self.assertEqual(self.ctl('--columns=fail-mode', 'list', 'br',
                                  'br0'), 'fail_mode           : secure\n')
        self.assertEqual(self.ctl('list', 'open', '.'),
                         self.vsctl('list', 'Open_vSwitch', '.'))
        # --if-exists: missing records are skipped.
        self.assertEqual(self.ctl('--if-exists', '--columns=name', 'list',
                                  'Bridge', 'nope', 'br1'),
                         'name                : br1\n')

    def test_get_like_ovs_vsctl(self):
        queries = [
            ('Bridge', 'br0', 'name', 'fail_mode', 'ports', 'controller',
             'external_ids', 'external_ids:owner', 'external_ids:n',
             'other_config', 'other_config:hwaddr', 'flood_vlans',
             'stp_enable', 'datapath_id', '_uuid'),
            ('Port', 'p1', 'tag', 'trunks', 'interfaces'),
            ('Interface', 'p1', 'type', 'options', 'options:remote_ip',
             'ofport'),
            ('Open_vSwitch', '.', 'ovs_version', 'cur_cfg', 'bridges'),
            ('Controller', 'br0', 'target', 'is_connected'),
            ('Manager', 'ptcp:6640', 'target'),
        ]
        for q in queries:
            self.assertEqual(self.ctl('get', *q), self.vsctl('get', *q), q)
        self.assertEqual(self.ctl('get', 'Interface', 'p1', 'type',
                                  'options:key'), 'dummy\nflow\n')
        # By UUID and by a unique prefix of it.
        uuid = self.vsctl('get', 'Bridge', 'br1', '_uuid').strip()
        self.assertEqual(self.ctl('get', 'Bridge', uuid, 'name'), 'br1\n')
        self.assertEqual(self.ctl('get', 'Bridge', uuid[:8], 'name'),
                         'br1\n')
        # --if-exists: a missing record prints nothing, a missing key a
        # blank line, as ovs-vsctl does.
        self.assertEqual(self.ctl('--if-exists', 'get', 'Bridge', 'nope',
                                  'name'), '')
        self.assertEqual(self.ctl('--if-exists', 'get', 'Bridge', 'br0',
                                  'external_ids:nope'),
                         self.vsctl('--if-exists', 'get', 'Bridge', 'br0',
                                    'external_ids:nope'))

    def test_find_like_ovs_vsctl(self):
        conds = [
            ('Port', 'tag=5'),
            ('Port', 'tag!=5'),
            ('Port', 'tag=[]'),
            ('Port', 'trunks{>=}1,2'),
            ('Port', 'trunks{<=}1,2'),
            ('Port', 'trunks{in}1,2,3,4'),
            ('Port', 'trunks{not-in}7'),
            ('Port', 'trunks>[1]'),
            ('Port', 'name=p1', 'tag<6'),
            ('Interface', 'type=dummy'),
            ('Interface', 'options:key=flow'),
            ('Interface', 'options:key!=flow'),
            ('Interface', 'options:key{!=}flow'),
            ('Bridge', 'external_ids:owner="a b"'),
            ('Bridge', 'fail_mode=secure'),
            ('Bridge', 'datapath_type=netdev'),
            ('Bridge',),
        ]
        for c in conds:
            got = self.ctl('--columns=name', 'find', *c)
            self.assertEqual(records(got),
                             records(self.vsctl('--columns=name', 'find',
                                                *c)), c)
        self.assertEqual(self.ctl('--columns=name', 'find', 'Port',
                                  'tag=5'), 'name                : p1\n')
        self.assertEqual(records(self.ctl('find', 'Bridge', 'name=br0')),
                         records(self.vsctl('find', 'Bridge', 'name=br0')))
        self.assertEqual(self.ctl('find', 'Port', 'tag=4000'), '')

    def test_set_add_remove_clear(self):
        self.ctl('set', 'Bridge', 'br0', 'external_ids:k=v',
                 'other_config={a=1, "b c"="d e"}', 'flood_vlans=1-3,7',
                 'stp_enable=true')
        self.assertEqual(self.vsctl('get', 'Bridge', 'br0',
                                    'external_ids:k', 'other_config',
                                    'flood_vlans', 'stp_enable'),
                         'v\n{a="1", "b c"="d e"}\n[1, 2, 3, 7]\ntrue\n')
        # Strings that need quotes read back as typed.
        self.ctl('set', 'Bridge', 'br1', 'external_ids:s="1.5"',
                 'external_ids:t="true"', 'external_ids:u="a\\"b"',
                 'external_ids:e=""')
        self.assertEqual(self.ctl('get', 'Bridge', 'br1', 'external_ids'),
                         self.vsctl('get', 'Bridge', 'br1', 'external_ids'))
        self.assertEqual(self.vsctl('get', 'Bridge', 'br1',
                                    'external_ids:u'), '"a\\"b"\n')
        self.ctl('set', 'Port', 'p1', 'tag=9', 'trunks=[]')
        self.assertEqual(self.vsctl('get', 'Port', 'p1', 'tag', 'trunks'),
                         '9\n[]\n')

        self.ctl('add', 'Bridge', 'br0', 'flood_vlans', '9', '10-11')
        self.ctl('add', 'Bridge', 'br0', 'external_ids', 'k=ignored',
                 'k2=v2')
        self.assertEqual(self.vsctl('get', 'Bridge', 'br0', 'flood_vlans',
                                    'external_ids:k', 'external_ids:k2'),
                         '[1, 2, 3, 7, 9, 10, 11]\nv\nv2\n')
        self.ctl('remove', 'Bridge', 'br0', 'flood_vlans', '1', '2,3', '99')
        self.ctl('remove', 'Bridge', 'br0', 'external_ids', 'k',
                 'k2=wrong', 'owner="a b"')
        self.assertEqual(self.vsctl('get', 'Bridge', 'br0', 'flood_vlans',
                                    'external_ids'),
                         '[7, 9, 10, 11]\n{k2=v2, n="42"}\n')
        self.ctl('clear', 'Bridge', 'br0', 'flood_vlans', 'external_ids',
                 'fail_mode')
        self.assertEqual(self.vsctl('get', 'Bridge', 'br0', 'flood_vlans',
                                    'external_ids', 'fail_mode'),
                         '[]\n{}\n[]\n')
        # Through the other names of records.
        self.ctl('set', 'Controller', 'br0', 'max_backoff=5000')
        self.ctl('set', 'Open_vSwitch', '.', 'external_ids:system-id=abc')
        self.assertEqual(self.vsctl('get', 'Controller', 'br0',
                                    'max_backoff'), '5000\n')
        self.assertEqual(self.vsctl('get', 'Open_vSwitch', '.',
                                    'external_ids:system-id'), 'abc\n')
        # --no-wait leaves next_cfg alone (as ovs-vsctl --no-wait does).
        self.assertEqual(self.vsctl('get', 'Open_vSwitch', '.', 'next_cfg'),
                         '0\n')
        # --if-exists: nothing to do for a missing record.
        before = self.dump()
        self.ctl('--if-exists', 'set', 'Port', 'nope', 'tag=1')
        self.ctl('--if-exists', 'clear', 'Port', 'nope', 'tag')
        self.assertEqual(self.dump(), before)
        # The journal says who changed what.
        log = sluicectl('db-show-log', self.d.path('conf.db'), check=True)
        self.assertIn('"sluicectl: clear Bridge br0 flood_vlans '
                      'external_ids fail_mode" Bridge 1 update',
                      log.stdout)

    def test_destroy(self):
        uuid = self.vsctl('create', 'QoS', 'type=linux-htb').strip()
        self.vsctl('create', 'QoS', 'type=linux-hfsc')
        self.assertEqual(len(records(self.vsctl('list', 'QoS'))), 2)
        self.ctl('destroy', 'QoS', uuid)
        self.assertEqual(self.vsctl('--columns=type', 'list', 'QoS'),
                         'type                : linux-hfsc\n')
        self.ctl('destroy', 'QoS', uuid, status=2,
                 err='no row "%s" in table QoS' % uuid)
        self.ctl('--if-exists', 'destroy', 'QoS', uuid)
        self.ctl('destroy', 'QoS', status=2,
                 err='destroy: name a RECORD, or use --all')
        self.ctl('--all', 'destroy', 'QoS')
        self.assertEqual(self.vsctl('list', 'QoS'), '')

    def test_bad_input_leaves_database_intact(self):
        before = self.dump()
        bad = [
            (('get', 'Foo', 'x', 'y'), 'unknown table "Foo"'),
            (('list', 'Brige'),
             'unknown table "Brige" (did you mean Bridge?)'),
            (('list', 'F'), 'multiple table names match "F": '
             'Flow_Sample_Collector_Set, Flow_Table'),
            (('get', 'Bridge', 'br9', 'name'),
             'no row "br9" in table Bridge'),
            (('set', 'Bridge', 'br9', 'stp_enable=true'),
             'no row "br9" in table Bridge'),
            (('list', 'Bridge', 'br0', 'br9'),
             'no row "br9" in table Bridge'),
            (('get', 'Bridge', 'br0', 'nme'),
             'Bridge does not contain a column whose name matches "nme" '
             '(did you mean name?)'),
            (('get', 'Bridge', 'br0', 'f'),
             'Bridge contains more than one column whose name matches '
             '"f": fail_mode, flood_vlans, flow_tables'),
            (('set', 'Bridge', 'br0', 'stp_enable=maybe'),
             '"maybe" is not a valid boolean (use "true" or "false")'),
            (('set', 'Port', 'p1', 'tag=abc'),
             '"abc" is not a valid integer'),
            (('set', 'Port', 'p1', 'tag=5000'),
             'constraint violation: 5000 is not in the valid range 0 to 4095 '
             '(inclusive)'),
            (('set', 'Port', 'p1', 'tag=1,2'),
             'constraint violation: 2 values when type allows at most 1'),
            (('set', 'Bridge', 'br0', 'ports=[1,2]'),
             '"1" is not a valid UUID'),
            (('set', 'Bridge', 'br0', 'name'),
             'name: argument does not end in "=" followed by a value.'),
            (('set', 'Bridge', 'br0', 'external_ids:x='),
             'external_ids:x=: argument does not end in "=" followed by a '
             'value.'),
            (('set', 'Bridge', 'br0', 'external_ids={a}'),
             'missing "=" after a map key at }'),
            (('set', 'Bridge', 'br0', 'external_ids={a=b'),
             '"{a=b": missing "}"'),
            (('set', 'Bridge', 'br0', 'external_ids:k="open'),
             '"open: invalid quoted string'),
            (('set', 'Bridge', 'br0', 'external_ids={k="open}'),
             '"open}: missing closing quote'),
            (('set', 'Port', 'p1', 'tag:x=1'),
             'cannot specify key to set for non-map column tag'),
            (('clear', 'Bridge', 'br0', 'name'),
             'cannot modify read-only column name in table Bridge'),
            (('clear', 'Interface', 'p1', 'type'),
             '"clear" operation cannot be applied to column type of table '
             'Interface, which is not allowed to be empty'),
            (('get', 'Bridge', 'br0', 'external_ids:nope'),
             'no key "nope" in Bridge record "br0" column external_ids'),
            (('find', 'Port', 'tag~5'),
             'tag~5: argument does not end in "=" followed by a value.'),
            (('find', 'Port', '=5'), '=5: missing column name'),
            (('add', 'Bridge', 'br0', 'flood_vlans', '5-1'),
             '5-1: the range\'s end is below its start'),
            (('add', 'Bridge', 'br0', 'flood_vlans', '1-5000'),
             '1-5000: a range has at most 4096 values'),
            # Checked against the schema's enum before sending, so the
            # other (valid) changes of the command are not made either.
            (('set', 'Bridge', 'br0', 'ports=[]', 'controller=[]',
              'mirrors=[]', 'netflow=[]', 'sflow=[]', 'ipfix=[]',
              'protocols=OpenFlow99'),
             'constraint violation: OpenFlow99 is not one of the '
             'allowed values ([OpenFlow10, OpenFlow11, OpenFlow12, '
             'OpenFlow13, OpenFlow14, OpenFlow15])'),
            # Refused by the server (None): a transaction error.
            (('set', 'Bridge', 'br0',
              'controller=00000000-0000-0000-0000-000000000001'),
             None),
        ]
        for args, err in bad:
            r = self.d.sluicectl('-T', '20', '--no-wait', *args)
            self.assertEqual(r.returncode, 2, '%s: %s' % (args, r.stderr))
            self.assertEqual(r.stdout, '', args)
            if err is None:
                self.assertTrue(r.stderr.startswith(
                    'sluicectl: transaction error: '), r.stderr)
                self.assertIn('referential integrity violation', r.stderr)
            else:
                self.assertEqual(r.stderr, 'sluicectl: %s\n' % err, args)
        self.assertEqual(self.dump(), before)
        self.assertTrue(self.d.running())
        # Usage errors: status 1.
        r = self.d.sluicectl('get', 'Bridge')
        self.assertEqual(r.returncode, 1)
        self.assertIn('usage: sluicectl get TABLE RECORD', r.stderr)


# ---------------------------------------------------------------------------
# Waiting for cur_cfg, against Debian's ovsdb-server.

class OvsdbServer(st.DebianOvsdbServer):
    """Debian's ovsdb-server on its own file (Debian's vswitch schema)."""

    def __init__(self, directory):
        db = os.path.join(directory, 'conf.db')
        run([OVSDB_TOOL, 'create', db, VSWITCH_SCHEMA])
        super().__init__(directory, db)


@unittest.skipUnless(OVS_VSCTL and OVSDB_TOOL and OVSDB_CLIENT
                     and OVSDB_SERVER and os.path.exists(VSWITCH_SCHEMA),
                     'needs Debian\'s ovsdb-server, ovsdb-tool, ovsdb-client '
                     'and ovs-vsctl')
class WaitTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='sluicectl-wait-')
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.srv = OvsdbServer(self.dir)
        self.addCleanup(self.srv.stop)
        self.vsctl('init')

    def vsctl(self, *args):
        return run([OVS_VSCTL, '--db=' + self.srv.remote, '--no-wait',
                    '--timeout=20'] + list(args)).stdout

    def cfg(self):
        out = self.vsctl('get', 'Open_vSwitch', '.', 'next_cfg', 'cur_cfg')
        return tuple(int(x) for x in out.split())

    def set_cur_cfg(self, value):
        """Like a switch that applied the configuration: another client
        (ovsdb-client transact) writes cur_cfg."""
        txn = ['Open_vSwitch', {'op': 'update', 'table': 'Open_vSwitch',
                                'where': [], 'row': {'cur_cfg': value}}]
        run([OVSDB_CLIENT, 'transact', self.srv.remote, json.dumps(txn)])

    def test_timeout_then_applied(self):
        self.assertEqual(self.cfg(), (0, 0))
        # Nothing moves cur_cfg: the wait times out, but the change and the
        # next_cfg increment are committed together.
        r = sluicectl('--db', self.srv.remote, '-T', '2', 'add-br', 'br0')
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('sluicectl: timed out after 2 s waiting for the '
                      'switch to apply the change (Open_vSwitch cur_cfg 0, '
                      'want 1)', r.stderr)
        self.assertEqual(self.cfg(), (1, 0))
        self.assertEqual(self.vsctl('list-br'), 'br0\n')
        # A generic command too.
        r = sluicectl('--db', self.srv.remote, '--timeout', '1', 'set',
                      'Bridge', 'br0', 'external_ids:a=b')
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('timed out', r.stderr)
        self.assertEqual(self.cfg(), (2, 0))

        # Without a timeout sluicectl waits until cur_cfg reaches the
        # next_cfg of its own transaction (3).
        p = subprocess.Popen([st.SLUICECTL, '--db', self.srv.remote,
                              'add-port', 'br0', 'p1'],
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        try:
            st.wait_for(lambda: self.cfg()[0] == 3, 20,
                        what='next_cfg 3 committed')
            self.assertEqual(self.vsctl('list-ports', 'br0'), 'p1\n')
            self.set_cur_cfg(2)     # Not enough yet.
            time.sleep(0.5)
            self.assertIsNone(p.poll(), 'returned before cur_cfg reached 3')
            self.set_cur_cfg(3)
            out, err = p.communicate(timeout=20)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual((p.returncode, out, err), (0, '', ''))

        # Once the switch has caught up, a command returns by itself: here
        # a thread plays the switch and follows next_cfg.
        stop = threading.Event()

        def switch():
            while not stop.is_set():
                nxt, cur = self.cfg()
                if cur < nxt:
                    self.set_cur_cfg(nxt)
                stop.wait(0.1)
        t = threading.Thread(target=switch)
        t.start()
        try:
            r = sluicectl('--db', self.srv.remote, '-T', '60', 'set',
                          'Port', 'p1', 'tag=7')
        finally:
            stop.set()
            t.join()
        self.assertEqual((r.returncode, r.stderr), (0, ''))
        self.assertEqual(self.cfg(), (4, 4))
        self.assertEqual(self.vsctl('get', 'Port', 'p1', 'tag'), '7\n')

        # --no-wait: no increment, no wait; reading commands never wait.
        r = sluicectl('--db', self.srv.remote, '--no-wait', 'del-br', 'br0')
        self.assertEqual((r.returncode, r.stderr), (0, ''))
        self.assertEqual(self.cfg(), (4, 4))
        r = sluicectl('--db', self.srv.remote, '-T', '5', 'list-br')
        self.assertEqual((r.returncode, r.stdout), (0, ''))

    def test_generic_commands_on_debian_server(self):
        self.vsctl('add-br', 'br0', '--', 'add-port', 'br0', 'p1')
        r = sluicectl('--db', self.srv.remote, 'show', check=True)
        self.assertEqual(r.stdout, self.vsctl('show'))
        r = sluicectl('--db', self.srv.remote, 'list', 'Interface',
                      check=True)
        self.assertEqual(records(r.stdout),
                         records(self.vsctl('list', 'Interface')))
        # ovsdb-server holds the file's lock: no rewriting under it.
        with open(self.srv.db, 'rb') as f:
            served = f.read()
        r = sluicectl('db-compact', self.srv.db)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn('locked by another process', r.stderr)
        with open(self.srv.db, 'rb') as f:
            self.assertEqual(f.read(), served)
        r = sluicectl('db-check', self.srv.db)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('all valid', r.stdout)


    def test_diff_records_of_ovsdb_server(self):
        """ovsdb-server writes updates as differences ("_is_diff"); the
        file commands replay them to the same data ovsdb-tool sees."""
        self.vsctl('add-br', 'br0', '--', 'set', 'Bridge', 'br0',
                   'external_ids:a=b', 'external_ids:x=1',
                   'flood_vlans=1,2')
        self.vsctl('set', 'Bridge', 'br0', 'external_ids:c=d',
                   'flood_vlans=2,3')
        self.vsctl('remove', 'Bridge', 'br0', 'external_ids', 'a')
        self.vsctl('set', 'Bridge', 'br0', 'external_ids:x=2')
        self.vsctl('add-port', 'br0', 'p1', '--', 'add-port', 'br0', 'p2')
        self.vsctl('del-port', 'br0', 'p1')
        self.vsctl('set', 'Port', 'p2', 'tag=5')
        self.vsctl('clear', 'Port', 'p2', 'tag')
        with open(self.srv.db) as f:
            self.assertIn('"_is_diff":true', f.read())

        def query(db):
            out = {}
            for table, cols in (('Bridge', ['name', 'external_ids',
                                            'flood_vlans', 'ports']),
                                ('Port', ['_uuid', 'name', 'tag'])):
                txn = ['Open_vSwitch', {'op': 'select', 'table': table,
                                        'where': [], 'columns': cols}]
                r = run([OVSDB_TOOL, 'query', db, json.dumps(txn)])
                out[table] = sorted(json.dumps(x, sort_keys=True) for x in
                                    json.loads(r.stdout)[0]['rows'])
            return out
        want = query(self.srv.db)
        self.assertIn('["map", [["c", "d"], ["x", "2"]]]',
                      want['Bridge'][0])
        r = sluicectl('db-check', self.srv.db)
        self.assertEqual((r.returncode, r.stderr), (0, ''))
        target = os.path.join(self.dir, 'compact.db')
        r = sluicectl('db-compact', self.srv.db, target)
        self.assertEqual((r.returncode, r.stderr), (0, ''))
        self.assertEqual(query(target), want)
        # In place, once the server is gone.
        self.srv.stop()
        r = sluicectl('db-compact', self.srv.db)
        self.assertEqual((r.returncode, r.stderr), (0, ''))
        self.assertEqual(query(self.srv.db), want)


# ---------------------------------------------------------------------------
# A database file written by Debian's ovsdb-server, opened by sluiced.

# The columns compared: those the switch itself never writes.
REPLAY_COLUMNS = (
    ('Open_vSwitch', ['_uuid', 'bridges', 'external_ids', 'other_config']),
    ('Bridge', ['_uuid', 'name', 'ports', 'flood_vlans', 'external_ids',
                'other_config', 'fail_mode', 'protocols']),
    ('Port', ['_uuid', 'name', 'interfaces', 'tag', 'trunks', 'vlan_mode',
              'external_ids', 'other_config']),
    ('Interface', ['_uuid', 'name', 'type', 'options', 'external_ids']),
)


def replay_query_txn():
    ops = [{'op': 'select', 'table': t, 'where': [], 'columns': cols}
           for t, cols in REPLAY_COLUMNS]
    return json.dumps(['Open_vSwitch'] + ops)


def replay_rows(result_text):
    """{table: sorted rows as canonical JSON} of a select result."""
    result = json.loads(result_text)
    return {t: sorted(json.dumps(row, sort_keys=True)
                      for row in r['rows'])
            for (t, _), r in zip(REPLAY_COLUMNS, result)}


@unittest.skipUnless(OVS_VSCTL and OVSDB_TOOL and OVSDB_CLIENT
                     and OVSDB_SERVER and os.path.exists(VSWITCH_SCHEMA),
                     'needs Debian\'s ovsdb-server, ovsdb-tool, ovsdb-client '
                     'and ovs-vsctl')
class OvsdbServerFileTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='sluicectl-ovsfile-')
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.srv = OvsdbServer(self.dir)
        self.addCleanup(self.srv.stop)

    def vsctl(self, *args):
        return run([OVS_VSCTL, '--db=' + self.srv.remote, '--no-wait',
                    '--timeout=20'] + list(args)).stdout

    def test_diff_records_replayed_by_sluiced(self):
        """sluiced replays the "_is_diff" records of ovsdb-server's file
        to the data ovsdb-server served: sets, maps and optional values
        changed over several transactions."""
        v = self.vsctl
        v('init')
        v('set', 'Open_vSwitch', '.', 'external_ids:system-id=host1',
          'external_ids:rack=r1')
        v('add-br', 'br0', '--', 'set', 'Bridge', 'br0', 'flood_vlans=1,2',
          'external_ids:a=b', 'external_ids:x=1', 'other_config:k1=v1')
        # Sets: a replaced value, then one element added, one removed.
        v('set', 'Bridge', 'br0', 'flood_vlans=2,3')
        v('add', 'Bridge', 'br0', 'flood_vlans', '7', '9')
        v('remove', 'Bridge', 'br0', 'flood_vlans', '2')
        # Maps: a pair added, a pair removed, a value replaced.
        v('set', 'Bridge', 'br0', 'external_ids:c=d')
        v('remove', 'Bridge', 'br0', 'external_ids', 'a')
        v('set', 'Bridge', 'br0', 'external_ids:x=2', 'other_config:k2=v2')
        v('remove', 'Bridge', 'br0', 'other_config', 'k1')
        v('set', 'Open_vSwitch', '.', 'external_ids:rack=r2')
        # Ports: the Bridge's ports set grows and shrinks; optional
        # scalars (tag, vlan_mode, fail_mode) are set, changed, cleared.
        v('add-port', 'br0', 'p1', '--', 'set', 'Interface', 'p1',
          'type=dummy', 'options:a=1', '--', 'set', 'Port', 'p1', 'tag=5',
          'trunks=10,11')
        v('add-port', 'br0', 'p2', '--', 'set', 'Interface', 'p2',
          'type=dummy', '--', 'set', 'Port', 'p2', 'vlan_mode=trunk')
        v('add-port', 'br0', 'p3', '--', 'set', 'Interface', 'p3',
          'type=dummy')
        v('set', 'Port', 'p1', 'tag=6', 'trunks=11,12')
        v('clear', 'Port', 'p2', 'vlan_mode')
        v('set', 'Port', 'p3', 'tag=8')
        v('clear', 'Port', 'p3', 'tag')
        v('set', 'Interface', 'p1', 'options:a=2', 'options:b=3')
        v('del-port', 'br0', 'p2')
        v('set', 'Bridge', 'br0', 'fail_mode=secure')
        v('set', 'Bridge', 'br0', 'fail_mode=standalone')
        with open(self.srv.db) as f:
            self.assertIn('"_is_diff":true', f.read())

        served = replay_rows(run([OVSDB_CLIENT, 'transact', self.srv.remote,
                                  replay_query_txn()]).stdout)
        # What ovs-vsctl made, spelled out.
        self.assertEqual(v('get', 'Bridge', 'br0', 'flood_vlans',
                           'external_ids', 'other_config', 'fail_mode'),
                         '[3, 7, 9]\n{c=d, x="2"}\n{k2=v2}\nstandalone\n')
        self.assertEqual(v('get', 'Port', 'p1', 'tag', 'trunks'),
                         '6\n[11, 12]\n')
        self.assertEqual(v('get', 'Port', 'p3', 'tag'), '[]\n')
        self.srv.stop()
        # ovsdb-tool reads the file to the same rows.
        on_file = replay_rows(run([OVSDB_TOOL, 'query', self.srv.db,
                                   replay_query_txn()]).stdout)
        self.assertEqual(on_file, served)

        d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, d)
        d.start(args=['--db', self.srv.db])
        remote = 'unix:' + d.path('db.sock')
        got = replay_rows(run([OVSDB_CLIENT, 'transact', remote,
                               replay_query_txn()]).stdout)
        self.assertEqual(got, served)
        self.assertEqual(run([OVS_VSCTL, '--db=' + remote, '--no-wait',
                              'get', 'Bridge', 'br0', 'flood_vlans']).stdout,
                         '[3, 7, 9]\n')
        # Its own records follow ovsdb-server's: a restart reads all.
        r = d.sluicectl('--no-wait', 'set', 'Bridge', 'br0',
                        'external_ids:e=f')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(d.stop(), 0)
        d.start(args=['--db', self.srv.db])
        got = replay_rows(run([OVSDB_CLIENT, 'transact', remote,
                               replay_query_txn()]).stdout)
        self.assertIn('["e", "f"]', ''.join(got['Bridge']))
        self.assertNotIn('["e", "f"]', ''.join(served['Bridge']))
        for t in ('Open_vSwitch', 'Port', 'Interface'):
            self.assertEqual(got[t], served[t], t)


# ---------------------------------------------------------------------------
# Database files.

SCHEMA_V1 = {
    'name': 'T', 'version': '1.0.0',
    'tables': {
        'A': {'columns': {'n': {'type': 'integer'},
                          's': {'type': 'string'},
                          'gone': {'type': 'string'},
                          'r': {'type': 'real'},
                          'b': {'type': {'key': {'type': 'uuid',
                                                 'refTable': 'B'},
                                         'min': 0, 'max': 'unlimited'}}},
              'isRoot': True},
        'B': {'columns': {'x': {'type': 'integer'}}},
        'Gone': {'columns': {'x': {'type': 'integer'}}, 'isRoot': True},
    },
}
SCHEMA_V2 = {
    'name': 'T', 'version': '2.0.0',
    'tables': {
        'A': {'columns': {'n': {'type': {'key': {'type': 'integer',
                                                 'minInteger': 0,
                                                 'maxInteger': 10}}},
                          's': {'type': 'string'},
                          'r': {'type': 'real'},
                          'b': {'type': {'key': {'type': 'uuid',
                                                 'refTable': 'B'},
                                         'min': 0, 'max': 'unlimited'}},
                          'new': {'type': 'boolean'}},
              'isRoot': True},
        'B': {'columns': {'x': {'type': 'integer'}}},
    },
}
SCHEMA_V3 = {
    'name': 'T', 'version': '3.0.0',
    'tables': {
        'A': {'columns': {'n': {'type': {'key': {'type': 'integer',
                                                 'minInteger': 0,
                                                 'maxInteger': 3}}}},
              'isRoot': True},
    },
}


@unittest.skipUnless(OVSDB_TOOL, 'needs ovsdb-tool')
class FileCommandsTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='sluicectl-file-')
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def tool(self, *args):
        return run([OVSDB_TOOL] + list(args)).stdout

    def query(self, db, name, table, columns):
        txn = [name, {'op': 'select', 'table': table, 'where': [],
                      'columns': columns}]
        rows = json.loads(self.tool('query', db, json.dumps(txn)))[0]['rows']
        return sorted(json.dumps(r, sort_keys=True) for r in rows)

    def ok(self, *args):
        r = sluicectl(*args)
        self.assertEqual((r.returncode, r.stderr), (0, ''), args)
        return r.stdout

    def fails(self, *args):
        r = sluicectl(*args)
        self.assertEqual(r.returncode, 2, '%s: %s' % (args, r.stderr))
        self.assertTrue(r.stderr.startswith('sluicectl: '), r.stderr)
        return r.stderr

    def make_t_db(self):
        """A database of schema v1 with three transactions."""
        db = self.path('t.db')
        write_json(self.path('v1.ovsschema'), SCHEMA_V1)
        self.ok('db-create', db, self.path('v1.ovsschema'))
        self.tool('transact', db, json.dumps(
            ['T', {'op': 'insert', 'table': 'B', 'row': {'x': 7},
                   'uuid-name': 'b'},
             {'op': 'insert', 'table': 'A',
              'row': {'n': 5, 's': 'five', 'gone': 'y', 'r': 0.25,
                      'b': ['named-uuid', 'b']}},
             {'op': 'comment', 'comment': 'first'}]))
        self.tool('transact', db, json.dumps(
            ['T', {'op': 'insert', 'table': 'Gone', 'row': {'x': 1}},
             {'op': 'insert', 'table': 'A', 'row': {'n': 2, 's': 'two'}}]))
        self.tool('transact', db, json.dumps(
            ['T', {'op': 'update', 'table': 'A', 'where': [['n', '==', 2]],
                   'row': {'s': 'deux'}}]))
        return db

    def test_create(self):
        db = self.path('conf.db')
        self.ok('db-create', db)
        self.assertEqual(self.tool('db-name', db), 'Open_vSwitch\n')
        with open(os.path.join(os.path.dirname(__file__), '..', '..',
                               'ovsdb', 'vswitch.ovsschema')) as f:
            version = json.load(f)['version']
        self.assertEqual(self.tool('db-version', db), version + '\n')
        err = self.fails('db-create', db)
        self.assertIn('File exists', err)
        # Any schema file; a bad one is refused with the reason.
        write_json(self.path('v1.ovsschema'), SCHEMA_V1)
        self.ok('db-create', self.path('t.db'), self.path('v1.ovsschema'))
        self.assertEqual(self.tool('db-version', self.path('t.db')),
                         '1.0.0\n')
        write_json(self.path('bad.ovsschema'),
                   {'name': 'X', 'version': '1.0.0',
                    'tables': {'A': {'columns': {'c': {'type': 'nope'}}}}})
        err = self.fails('db-create', self.path('x.db'),
                         self.path('bad.ovsschema'))
        self.assertIn('bad schema', err)
        self.assertFalse(os.path.exists(self.path('x.db')))
        if os.path.exists(VSWITCH_SCHEMA):
            self.ok('db-create', self.path('deb.db'), VSWITCH_SCHEMA)
            self.assertEqual(self.tool('db-name', self.path('deb.db')),
                             'Open_vSwitch\n')

    def test_show_log_and_check(self):
        db = self.make_t_db()
        out = self.ok('db-show-log', db)
        lines = out.splitlines()
        self.assertEqual(len(lines), 4, out)
        self.assertEqual(lines[0], self.tool('show-log', db).splitlines()[0])
        self.assertEqual(lines[0], 'record 0: "T" schema, version="1.0.0", '
                         'cksum=""')
        self.assertRegex(lines[1], r'^record 1: \d{4}-\d\d-\d\d '
                         r'\d\d:\d\d:\d\d\.\d{3} "first" A 1 insert, '
                         r'B 1 insert$')
        self.assertRegex(lines[2], r'^record 2: .* A 1 insert, '
                         r'Gone 1 insert$')
        self.assertRegex(lines[3], r'^record 3: .* A 1 update$')
        # The same records and comments as ovsdb-tool sees.
        tool = [ln for ln in self.tool('show-log', db).splitlines()
                if ln.startswith('record ')]
        self.assertEqual([ln.split(' "')[0][:9] for ln in tool],
                         [ln[:9] for ln in lines])
        self.assertEqual(self.ok('db-check', db),
                         '%s: 4 records (schema T 1.0.0 and 3 '
                         'transactions), all valid\n' % db)

        # A flipped byte in record 2's JSON: checksum mismatch.
        with open(db, 'rb') as f:
            data = f.read()
        headers = [i for i in range(len(data))
                   if data.startswith(b'OVSDB JSON ', i)]
        self.assertEqual(len(headers), 4)
        bad = bytearray(data)
        body = data.index(b'\n', headers[2]) + 1
        bad[body + 5] ^= 0x01
        with open(self.path('bad.db'), 'wb') as f:
            f.write(bad)
        err = self.fails('db-check', self.path('bad.db'))
        self.assertIn('record 2 at offset %d' % headers[2], err)
        err = self.fails('db-show-log', self.path('bad.db'))
        self.assertIn('record 2 at offset', err)
        # A torn last record.
        with open(self.path('torn.db'), 'wb') as f:
            f.write(data[:-10])
        err = self.fails('db-check', self.path('torn.db'))
        self.assertIn('record 3 at offset %d' % headers[3], err)
        # A record that does not apply (a row of an unknown table).
        rec = b'{"Nope":{"00000000-0000-4000-8000-000000000001":{}}}\n'
        with open(self.path('noapply.db'), 'wb') as f:
            f.write(data + b'OVSDB JSON %d %s\n'
                    % (len(rec), hashlib.sha1(rec).hexdigest().encode())
                    + rec)
        err = self.fails('db-check', self.path('noapply.db'))
        self.assertIn('record 4: transaction does not apply', err)
        # A damaged file is never rewritten.
        for args in (('db-compact', self.path('bad.db')),
                     ('db-convert', self.path('torn.db'),
                      self.path('v1.ovsschema'))):
            with open(args[1], 'rb') as f:
                before = f.read()
            self.fails(*args)
            with open(args[1], 'rb') as f:
                self.assertEqual(f.read(), before, args)
        self.assertIn('cannot open', self.fails('db-check',
                                                self.path('missing.db')))

    def test_compact(self):
        db = self.make_t_db()
        want = self.query(db, 'T', 'A', ['n', 's', 'gone', 'r', 'b'])
        self.assertEqual(len(want), 2)
        with open(db, 'rb') as f:
            original = f.read()
        # To another file: the original stays as it was.
        self.ok('db-compact', db, self.path('c.db'))
        with open(db, 'rb') as f:
            self.assertEqual(f.read(), original)
        # In place.
        self.ok('db-compact', db)
        for f in (db, self.path('c.db')):
            self.assertEqual(self.query(f, 'T', 'A',
                                        ['n', 's', 'gone', 'r', 'b']), want)
            self.assertEqual(self.query(f, 'T', 'B', ['x']), ['{"x": 7}'])
            log = [ln for ln in self.tool('show-log', f).splitlines()
                   if ln.startswith('record ')]
            self.assertEqual(len(log), 2, log)
            self.assertIn('"sluicectl: db-compact"', log[1])
        self.assertIn('2 records', self.ok('db-check', db))

    def test_convert(self):
        db = self.make_t_db()
        write_json(self.path('v2.ovsschema'), SCHEMA_V2)
        write_json(self.path('v3.ovsschema'), SCHEMA_V3)
        before = self.query(db, 'T', 'A', ['n', 's', 'r', 'b'])
        with open(db, 'rb') as f:
            v1 = f.read()

        self.ok('db-convert', db, self.path('v2.ovsschema'),
                self.path('t2.db'))
        with open(db, 'rb') as f:
            self.assertEqual(f.read(), v1)      # TARGET given: untouched.
        self.ok('db-convert', db, self.path('v2.ovsschema'))
        for f in (db, self.path('t2.db')):
            self.assertEqual(self.tool('db-version', f), '2.0.0\n')
            self.assertEqual(self.query(f, 'T', 'A', ['n', 's', 'r', 'b']),
                             before)
            # The new column has its default; the dropped column and table
            # are gone.
            self.assertEqual(self.query(f, 'T', 'A', ['n', 'new']),
                             ['{"n": 2, "new": false}',
                              '{"n": 5, "new": false}'])
            txn = ['T', {'op': 'select', 'table': 'Gone', 'where': []}]
            r = run([OVSDB_TOOL, 'query', f, json.dumps(txn)], check=False)
            self.assertIn('No table named Gone', r.stdout + r.stderr)

        # Data that violates the new schema (n=5 > 3): refused, untouched.
        with open(db, 'rb') as f:
            v2 = f.read()
        err = self.fails('db-convert', db, self.path('v3.ovsschema'))
        self.assertIn('cannot convert to the schema of', err)
        self.assertIn('5 is not in the valid range 0 to 3 (inclusive)', err)
        self.assertIn('not changed', err)
        with open(db, 'rb') as f:
            self.assertEqual(f.read(), v2)
        err = self.fails('db-convert', db, self.path('nope.ovsschema'))
        self.assertIn('cannot read schema', err)

    def test_files_open_in_sluiced_and_lock(self):
        # A file converted by sluicectl from Debian's Open_vSwitch schema to
        # the built-in one, with data, is served by sluiced.
        db = self.path('conf.db')
        if os.path.exists(VSWITCH_SCHEMA):
            self.ok('db-create', db, VSWITCH_SCHEMA)
        else:
            self.ok('db-create', db)
        ovs_schema = os.path.join(os.path.dirname(__file__), '..', '..',
                                  'ovsdb', 'vswitch.ovsschema')
        self.tool('transact', db, json.dumps(
            ['Open_vSwitch',
             {'op': 'insert', 'table': 'Interface', 'row': {'name': 'b'},
              'uuid-name': 'i'},
             {'op': 'insert', 'table': 'Port',
              'row': {'name': 'b', 'interfaces': ['named-uuid', 'i']},
              'uuid-name': 'p'},
             {'op': 'insert', 'table': 'Bridge',
              'row': {'name': 'b', 'ports': ['named-uuid', 'p']},
              'uuid-name': 'br'},
             {'op': 'insert', 'table': 'Open_vSwitch',
              'row': {'bridges': ['named-uuid', 'br']}}]))
        self.ok('db-convert', db, ovs_schema)
        self.ok('db-compact', db)
        d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, d)
        d.start(args=['--db', db])
        r = d.sluicectl('--no-wait', 'list-br')
        self.assertEqual((r.returncode, r.stdout), (0, 'b\n'), r.stderr)
        # Waiting: the switch's own write-back (ofports, cur_cfg) is in the
        # file before the snapshot below.
        r = d.sluicectl('-T', '30', 'add-br', 'c')
        self.assertEqual(r.returncode, 0, r.stderr)
        # The daemon holds the lock: rewriting commands refuse.
        with open(db, 'rb') as f:
            served = f.read()
        for args in (('db-compact', db), ('db-convert', db, ovs_schema)):
            err = self.fails(*args)
            self.assertIn('locked by another process', err)
            self.assertIn('not changed', err)
        with open(db, 'rb') as f:
            self.assertEqual(f.read(), served)
        # Reading commands work on a served file.
        self.assertIn('sluicectl: add-br c', self.ok('db-show-log', db))
        self.assertIn('all valid', self.ok('db-check', db))
        d.stop()
        self.ok('db-compact', db)
        self.assertEqual(self.query(db, 'Open_vSwitch', 'Bridge', ['name']),
                         ['{"name": "b"}', '{"name": "c"}'])


if __name__ == '__main__':
    st.main()
