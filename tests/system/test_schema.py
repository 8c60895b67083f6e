#!/usr/bin/python3
"""Sluice's Open_vSwitch schema (ovsdb/vswitch.ovsschema): compared table
by table and column by column with the schema Debian's Open vSwitch 3.1
installs, then served by sluiced and used by ovsdb-client and ovs-vsctl."""

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OURS = os.path.join(HERE, '..', '..', 'ovsdb', 'vswitch.ovsschema')
REFERENCE = '/usr/share/openvswitch/vswitch.ovsschema'
OVSDB_CLIENT = shutil.which('ovsdb-client')
OVSDB_TOOL = shutil.which('ovsdb-tool')
OVS_VSCTL = shutil.which('ovs-vsctl')


def load(path):
    with open(path) as f:
        return json.load(f)


def run(cmd, timeout=20, check=True):
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError('%s: status %d\nstdout: %s\nstderr: %s'
                             % (' '.join(cmd), r.returncode, r.stdout,
                                r.stderr))
    return r


# ---------------------------------------------------------------------------
# Normal forms: every default written out, so that two spellings of the
# same type compare equal ("string" and {"key": {"type": "string"}}).

def norm_base(b):
    if isinstance(b, str):
        b = {'type': b}
    out = dict(b)
    if out['type'] == 'uuid' and 'refTable' in out:
        out.setdefault('refType', 'strong')
    if 'enum' in out:
        e = out['enum']
        if isinstance(e, list) and len(e) == 2 and e[0] == 'set':
            e = e[1]
        else:
            e = [e]
        out['enum'] = sorted(e)
    return out


def norm_type(t):
    if isinstance(t, str):
        t = {'key': t}
    out = {'key': norm_base(t['key']), 'min': t.get('min', 1),
           'max': t.get('max', 1)}
    if 'value' in t:
        out['value'] = norm_base(t['value'])
    return out


def norm_column(c):
    return {'type': norm_type(c['type']),
            'ephemeral': c.get('ephemeral', False),
            'mutable': c.get('mutable', True)}


def norm_table(t):
    return {'isRoot': t.get('isRoot', False),
            'maxRows': t.get('maxRows'),
            'indexes': sorted(sorted(i) for i in t.get('indexes', []))}


def diff_schemas(ours, ref):
    """Every difference between two schemas, one line each."""
    out = []
    for key in ('name', 'version'):
        if ours.get(key) != ref.get(key):
            out.append('%s: ours %r, reference %r'
                       % (key, ours.get(key), ref.get(key)))
    ot, rt = ours['tables'], ref['tables']
    for name in sorted(set(rt) - set(ot)):
        out.append('table %s: missing' % name)
    for name in sorted(set(ot) - set(rt)):
        out.append('table %s: not in the reference' % name)
    for name in sorted(set(ot) & set(rt)):
        a, b = norm_table(ot[name]), norm_table(rt[name])
        for k in a:
            if a[k] != b[k]:
                out.append('table %s: %s: ours %s, reference %s'
                           % (name, k, json.dumps(a[k]), json.dumps(b[k])))
        oc, rc = ot[name]['columns'], rt[name]['columns']
        for col in sorted(set(rc) - set(oc)):
            out.append('%s.%s: missing' % (name, col))
        for col in sorted(set(oc) - set(rc)):
            out.append('%s.%s: not in the reference' % (name, col))
        for col in sorted(set(oc) & set(rc)):
            a, b = norm_column(oc[col]), norm_column(rc[col])
            for k in ('ephemeral', 'mutable'):
                if a[k] != b[k]:
                    out.append('%s.%s: %s: ours %s, reference %s'
                               % (name, col, k, a[k], b[k]))
            ta, tb = a['type'], b['type']
            for k in sorted(set(ta) | set(tb)):
                if ta.get(k) != tb.get(k):
                    out.append('%s.%s: type %s: ours %s, reference %s'
                               % (name, col, k, json.dumps(ta.get(k)),
                                  json.dumps(tb.get(k))))
    return out


class CompareTest(unittest.TestCase):

    def test_diff_finds_differences(self):
        """The comparison itself sees what it must see."""
        ours = load(OURS)
        self.assertEqual(diff_schemas(ours, ours), [])
        other = json.loads(json.dumps(ours))
        br = other['tables']['Bridge']
        br['columns']['fail_mode']['type']['key']['enum'][1].append('x')
        br['columns']['name']['mutable'] = True
        br['isRoot'] = True
        del other['tables']['Port']['columns']['tag']
        d = diff_schemas(ours, other)
        self.assertEqual(len(d), 4, d)
        # Spellings of the same type are equal.
        self.assertEqual(norm_type('string'),
                         norm_type({'key': {'type': 'string'},
                                    'min': 1, 'max': 1}))

    @unittest.skipUnless(os.path.exists(REFERENCE),
                         REFERENCE + ' is missing (install '
                         'openvswitch-switch): nothing to compare with')
    def test_same_as_open_vswitch(self):
        d = diff_schemas(load(OURS), load(REFERENCE))
        for line in d:
            print('schema difference: ' + line)
        self.assertEqual(d, [], '%d differences from %s'
                         % (len(d), REFERENCE))


@unittest.skipUnless(OVSDB_CLIENT and OVSDB_TOOL,
                     'needs ovsdb-client and ovsdb-tool '
                     '(openvswitch-common)')
class ServedTest(unittest.TestCase):
    """sluiced serving a database created from our schema."""

    def setUp(self):
        self.d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.db = self.d.path('conf.db')
        run([OVSDB_TOOL, 'create', self.db, OURS])
        self.d.start(args=['--db', self.db])
        self.remote = 'unix:' + self.d.path('db.sock')

    def vsctl(self, *args, check=True):
        return run([OVS_VSCTL, '--db=' + self.remote, '--no-wait',
                    '--timeout=10'] + list(args), check=check)

    def test_get_schema(self):
        out = run([OVSDB_CLIENT, 'get-schema', self.remote,
                   'Open_vSwitch']).stdout
        self.assertEqual(json.loads(out), load(OURS))
        out = run([OVSDB_CLIENT, 'list-tables', self.remote,
                   'Open_vSwitch']).stdout
        for name in load(OURS)['tables']:
            self.assertIn(name, out.split())

    @unittest.skipUnless(OVS_VSCTL, 'needs ovs-vsctl (openvswitch-switch)')
    def test_vsctl_basics(self):
        """ovs-vsctl 3.1 asks for the _Server schema and tries
        monitor_cond first; a server without them ("unknown database",
        "unknown method") still serves it through get_schema, monitor
        with update notifications, and transact (wait, insert, mutate)."""
        r = self.vsctl('init')
        self.assertEqual(r.stderr, '')
        r = self.vsctl('add-br', 'br0')
        self.assertEqual(r.stderr, '')
        self.assertEqual(self.vsctl('list-br').stdout, 'br0\n')
        self.vsctl('add-port', 'br0', 'p1', '--', 'set', 'Interface', 'p1',
                   'type=internal', 'mtu_request=1400')
        self.assertEqual(self.vsctl('list-ports', 'br0').stdout, 'p1\n')
        self.assertEqual(self.vsctl('get', 'Interface', 'p1',
                                    'mtu_request').stdout, '1400\n')
        # add-br made the same rows ovs-vsctl always makes: a Port and an
        # internal Interface named after the bridge.
        show = self.vsctl('show').stdout
        self.assertIn('Bridge br0', show)
        self.assertIn('Port br0', show)
        self.assertIn('Interface br0', show)
        self.assertIn('type: internal', show)
        # The schema's constraints hold through the server.
        r = self.vsctl('set', 'Port', 'p1', 'tag=4096', check=False)
        self.assertNotEqual(r.returncode, 0)
        r = self.vsctl('set', 'Bridge', 'br0', 'fail_mode=sometimes',
                       check=False)
        self.assertNotEqual(r.returncode, 0)
        self.vsctl('set', 'Bridge', 'br0', 'fail_mode=secure')
        self.vsctl('del-br', 'br0')
        self.assertEqual(self.vsctl('list-br').stdout, '')
        # Garbage collection took the Port and Interface rows with it.
        out = run([OVSDB_CLIENT, 'dump', self.remote, 'Open_vSwitch',
                   'Interface']).stdout
        self.assertNotIn('p1', out)


@unittest.skipUnless(OVSDB_CLIENT and OVSDB_TOOL,
                     'needs ovsdb-client and ovsdb-tool '
                     '(openvswitch-common)')
class BuiltinTest(unittest.TestCase):
    """Without --db, sluiced creates RUN_DIR/conf.db from the schema built
    into it, and keeps what was written there across a restart."""

    def test_default_database_from_builtin_schema(self):
        d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, d)
        db = d.path('conf.db')
        self.assertFalse(os.path.exists(db))
        d.start()
        remote = 'unix:' + d.path('db.sock')
        self.assertTrue(os.path.exists(db))
        self.assertEqual(run([OVSDB_TOOL, 'db-name', db]).stdout,
                         'Open_vSwitch\n')
        out = run([OVSDB_CLIENT, 'get-schema', remote,
                   'Open_vSwitch']).stdout
        self.assertEqual(json.loads(out), load(OURS))
        if not OVS_VSCTL:
            return
        vsctl = [OVS_VSCTL, '--db=' + remote, '--no-wait', '--timeout=10']
        run(vsctl + ['init'])
        run(vsctl + ['add-br', 'brx'])
        self.assertEqual(d.stop(), 0)
        d.start()
        self.assertEqual(run(vsctl + ['list-br']).stdout, 'brx\n')


if __name__ == '__main__':
    st.main()
