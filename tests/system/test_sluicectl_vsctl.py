#!/usr/bin/python3
"""sluicectl's ovs-vsctl command lines, differentially: the same lines
(several commands joined by "--", per-command options, "create --id=@NAME"
with "@NAME" references, "get --id", --if-exists and --may-exist,
wait-until) are given to Debian's `ovs-vsctl --no-wait` against Debian's
ovsdb-server on a fresh database and to `sluicectl --no-wait` against
sluiced (and against a second Debian ovsdb-server, where no switch writes
status columns).  After every line the outputs (UUIDs replaced by the
rows they name), success or failure, the error text (without the program
name) and the whole database (every table, rows compared by content with
references followed, so that random UUIDs do not matter) must be equal.

Columns that only a switch writes (status, ofport, cur_cfg...) are left
out of the comparison with sluiced; the comparison between the two
ovsdb-servers has no exception."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402
# Debian's ovsdb-server on a fresh file of Debian's vswitch schema.
from test_sluicectl_cli import OvsdbServer          # noqa: E402

OVS_VSCTL = shutil.which('ovs-vsctl')
OVSDB_TOOL = shutil.which('ovsdb-tool')
OVSDB_CLIENT = shutil.which('ovsdb-client')
SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'
UUID_RE = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                     r'[0-9a-f]{12}')

# Written by the switch, not by the commands (ovs-vswitchd(8) and
# ovs-vswitchd.conf.db(5) "Status" columns): sluiced fills them, a bare
# ovsdb-server does not.
SWITCH_COLUMNS = {
    'Open_vSwitch': {'cur_cfg', 'ovs_version', 'db_version', 'system_type',
                     'system_version', 'datapath_types', 'iface_types',
                     'dpdk_initialized', 'dpdk_version'},
    'Bridge': {'datapath_id', 'datapath_version', 'status'},
    'Port': {'status', 'statistics'},
    'Interface': {'ofport', 'admin_state', 'link_state', 'link_resets',
                  'link_speed', 'duplex', 'mtu', 'mac_in_use', 'ifindex',
                  'status', 'statistics', 'error'},
    'Controller': {'is_connected', 'role', 'status'},
    'Manager': {'is_connected', 'status'},
}

# Command lines, each run on the state the ones before it left.
LINES = [
    # The first line of a fresh database also creates the root row.
    ['list-br'],
    ['add-br', 'br0', '--', 'set', 'Bridge', 'br0', 'fail_mode=secure',
     '--', 'add-port', 'br0', 'p1'],
    ['list-br', '--', 'list-ports', 'br0', '--', 'get', 'Bridge', 'br0',
     'fail_mode'],
    # Rows created with --id and referred to by later commands.
    ['--', '--id=@c', 'create', 'Controller', 'target="tcp:192.0.2.1:6653"',
     '--', 'set', 'Bridge', 'br0', 'controller=@c'],
    ['--id=@m', 'create', 'Manager', 'target="ptcp:6640"', '--', 'add',
     'Open_vSwitch', '.', 'manager_options', '@m'],
    ['get', 'Bridge', 'br0', 'controller', '--', 'get', 'Controller', 'br0',
     'target'],
    ['--', '--id=@q1', 'create', 'Queue', 'other_config:max-rate=1000',
     '--', '--id=@q2', 'create', 'Queue', 'other_config:max-rate=2000',
     '--', '--id=@qos', 'create', 'QoS', 'type=linux-htb',
     'queues=0=@q1,1=@q2', '--', 'set', 'Port', 'p1', 'qos=@qos'],
    # A reference used before the row is created, in the same line.
    ['set', 'Bridge', 'br0', 'mirrors=@mi', '--', '--id=@p', 'get', 'Port',
     'p1', '--', '--id=@mi', 'create', 'Mirror', 'name=m0',
     'select_all=true', 'output_port=@p'],
    ['--id=@b', 'get', 'Bridge', 'br0', '--', 'get', 'Bridge', 'br0',
     'name', '--', 'get', 'Bridge', 'br0', '_uuid'],
    # --if-exists and --may-exist, before the first command and after "--".
    ['--if-exists', 'del-port', 'br0', 'nope', '--', '--if-exists',
     'del-br', 'nope', '--', '--may-exist', 'add-br', 'br0', '--',
     '--may-exist', 'add-port', 'br0', 'p1'],
    ['--if-exists', 'get', 'Bridge', 'nope', 'name', '--', '--if-exists',
     'set', 'Bridge', 'nope', 'fail_mode=secure', '--', '--if-exists',
     'add', 'Bridge', 'nope', 'flood_vlans', '1', '--', '--if-exists',
     'remove', 'Bridge', 'nope', 'flood_vlans', '1', '--', '--if-exists',
     'clear', 'Bridge', 'nope', 'flood_vlans', '--', '--if-exists',
     'destroy', 'Bridge', 'nope', '--', '--if-exists', 'list', 'Bridge',
     'nope'],
    ['add-br', 'br1', '--', 'add-port', 'br1', 'q1', '--', 'add-port',
     'br1', 'q2', '--', 'set', 'Interface', 'q2', 'type=internal',
     'external_ids:k=v', '--', 'add', 'Bridge', 'br1', 'flood_vlans',
     '1', '2', '3', '--', 'remove', 'Bridge', 'br1', 'flood_vlans', '2'],
    ['del-port', 'q1', '--', 'del-port', 'br1', 'q2', '--', 'add-port',
     'br0', 'q1', '--', 'list-ports', 'br0', '--', 'list-ports', 'br1'],
    ['--columns=name', 'list', 'Bridge', 'br0', '--', '--columns=name,tag',
     'find', 'Port', 'name=q1', '--', 'find', 'Port', 'name=nothing'],
    ['wait-until', 'Bridge', 'br0', 'fail_mode=secure', '--',
     'wait-until', 'Port', 'p1'],
    # All or nothing: a failing command undoes the ones before it.
    ['add-br', 'br2', '--', 'add-port', 'br2', 'x1', '--', 'del-port',
     'br0', 'nope'],
    ['add-br', 'br2', '--', 'set', 'Bridge', 'br2', 'fail_mode=bogus'],
    ['add-br', 'br2', '--', 'add-br', 'br2'],
    ['del-br', 'br1', '--', 'add-br', 'br1'],
    ['del-port', 'br0', 'br0'],
    ['del-br', 'nope'],
    ['--if-exists', 'del-port', 'nope', 'x'],
    # Row ids: errors.
    ['set', 'Bridge', 'br0', 'controller=@nope'],
    ['--id=c', 'create', 'Controller', 'target="a"'],
    ['--', '--id=@c', 'create', 'Controller', 'target="a"', '--',
     '--id=@c', 'create', 'Controller', 'target="b"'],
    ['set', 'Bridge', 'br0', 'controller=@c', '--', '--id=@c', 'get',
     'Bridge', 'br1'],
    ['--', '--if-exists', '--id=@b', 'get', 'Bridge', 'br0'],
    # Options a command does not take; empty and missing commands.
    ['--', '--if-exists', 'find', 'Bridge', 'name=x'],
    ['--if-exists', 'list-br'],
    ['--may-exist', 'del-br', 'br0'],
    ['--', '--'],
    ['list-br', '--', '--', 'list-ports', 'br0', '--'],
    ['--', '--all', 'destroy', 'Mirror', '--', 'clear', 'Bridge', 'br0',
     'mirrors'],
    # Maps: keys set and removed, missing keys.
    ['set', 'Bridge', 'br0', 'external_ids:a=1', 'external_ids:b=2',
     'other_config={x=y, "z w"="1 2"}', '--', 'remove', 'Bridge', 'br0',
     'external_ids', 'a=2', '--', 'get', 'Bridge', 'br0', 'external_ids'],
    ['remove', 'Bridge', 'br0', 'external_ids', 'b', '--', 'get', 'Bridge',
     'br0', 'external_ids:a', 'other_config'],
    ['get', 'Bridge', 'br0', 'external_ids:zz'],
    ['--if-exists', 'get', 'Bridge', 'br0', 'external_ids:zz', '--',
     'list-br'],
    ['add', 'Bridge', 'br0', 'flood_vlans', '5000'],
    ['set', 'Port', 'p1', 'tag=5', '--', 'wait-until', 'Port', 'p1',
     'tag=5', '--', 'get', 'Port', 'p1', 'tag', '--', 'wait-until',
     'Bridge', 'br0', 'external_ids:a=1', 'flood_vlans{<=}1'],
    # A root table: created rows stay, destroy deletes them.
    ['--id=@b', 'get', 'Bridge', 'br0', '--', 'create',
     'Flow_Sample_Collector_Set', 'id=1', 'bridge=@b', '--', 'create',
     'Flow_Sample_Collector_Set', 'id=2', 'bridge=@b',
     'external_ids:k=v'],
    ['--columns=id', 'find', 'Flow_Sample_Collector_Set', 'id>1'],
    ['--', '--all', 'destroy', 'Flow_Sample_Collector_Set', '--', 'list',
     'Flow_Sample_Collector_Set'],
    ['clear', 'Port', 'p1', 'qos', '--', 'list', 'QoS'],
    ['add-port', 'br0', 'p1'],
    ['add-br', 'p1'],
    ['--may-exist', 'add-port', 'br1', 'p1'],
    ['del-br', 'br0', '--', 'add-br', 'br0', '--', 'list-ports', 'br0'],
    ['destroy', 'Bridge', 'br1'],
    ['del-br', 'br1', '--', 'del-br', 'br0', '--', 'list-br'],
]

def normalise_error(text, program):
    lines = []
    for line in text.splitlines():
        if '|WARN|' in line:
            continue                # ovs-vsctl's log lines (warnings).
        if line.startswith(program + ': warning: '):
            continue
        prefix = program + ': '
        lines.append(line[len(prefix):] if line.startswith(prefix)
                     else line)
    return lines


def run(cmd, check=True, timeout=30):
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError('%s: status %d: %s'
                             % (' '.join(cmd), r.returncode, r.stderr))
    return r


def dump(remote, skip):
    """Every row of every table, canonical: references are replaced by the
    canonical text of the row they name, rows sorted; 'skip' maps tables
    to columns to leave out.  Also returns {uuid: canonical row}."""
    with open(SCHEMA) as f:
        tables = sorted(json.load(f)['tables'])
    ops = ['Open_vSwitch'] + [{'op': 'select', 'table': t, 'where': []}
                              for t in tables]
    res = json.loads(run([OVSDB_CLIENT, 'transact', remote,
                          json.dumps(ops)]).stdout)
    rows = {}
    for t, r in zip(tables, res):
        for row in r['rows']:
            rows[row['_uuid'][1]] = (t, row)
    memo = {}

    def canon(uuid, depth=0):
        if uuid not in rows:
            return 'dangling'
        if uuid in memo:
            return memo[uuid]
        if depth > 20:
            return 'deep'
        t, row = rows[uuid]
        out = {}
        for col, val in row.items():
            if col in ('_uuid', '_version') or col in skip.get(t, ()):
                continue
            out[col] = subst(val, depth)
        memo[uuid] = '%s%s' % (t, json.dumps(out, sort_keys=True))
        return memo[uuid]

    def subst(v, depth):
        if isinstance(v, list) and len(v) == 2 and v[0] == 'uuid':
            return canon(v[1], depth + 1)
        if isinstance(v, list) and len(v) == 2 and v[0] == 'set':
            return ['set', sorted((subst(x, depth) for x in v[1]),
                                  key=json.dumps)]
        if isinstance(v, list) and len(v) == 2 and v[0] == 'map':
            return ['map', sorted(([subst(k, depth), subst(x, depth)]
                                   for k, x in v[1]), key=json.dumps)]
        return v

    db = {t: sorted(canon(u) for u, (tt, _) in rows.items() if tt == t)
          for t in tables}
    return db, {u: canon(u) for u in rows}


class Target:
    """A database server and the program that drives it."""

    def __init__(self, remote, argv0, program, skip):
        self.remote = remote
        self.argv0 = argv0
        self.program = program
        self.skip = skip

    def run(self, line):
        return run(self.argv0 + list(line), check=False)

    def outcome(self, line):
        r = self.run(line)
        db, names = dump(self.remote, self.skip)
        out = UUID_RE.sub(lambda m: '<%s>' % names.get(m.group(0), 'gone'),
                          r.stdout)
        return {'ok': r.returncode == 0, 'stdout': out,
                'stderr': normalise_error(r.stderr, self.program),
                'db': db}


@unittest.skipUnless(OVS_VSCTL and OVSDB_TOOL and OVSDB_CLIENT
                     and st.OVSDB_SERVER and os.path.exists(SCHEMA),
                     'needs Debian\'s ovsdb-server, ovsdb-tool, ovsdb-client '
                     'and ovs-vsctl')
class VsctlDifferentialTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='sluicectl-vsctl-')
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def server(self, name):
        d = os.path.join(self.dir, name)
        os.mkdir(d)
        srv = OvsdbServer(d)
        self.addCleanup(srv.stop)
        return srv

    def vsctl(self, remote, skip=None):
        return Target(remote, [OVS_VSCTL, '--db=' + remote, '--no-wait',
                               '--timeout=20'], 'ovs-vsctl', skip or {})

    def sluicectl(self, remote, skip=None):
        return Target(remote, [st.SLUICECTL, '--db', remote, '--no-wait',
                               '-T', '20'], 'sluicectl', skip or {})

    def compare(self, ref, cand):
        n_failed = 0
        for line in LINES:
            a = ref.outcome(line)
            b = cand.outcome(line)
            for key in ('ok', 'stdout', 'stderr', 'db'):
                self.assertEqual(b[key], a[key], '%s: %s differs'
                                 % (' '.join(line), key))
            if not a['ok']:
                n_failed += 1
        return n_failed

    def test_same_as_ovs_vsctl_on_ovsdb_server(self):
        ref = self.vsctl(self.server('ref').remote)
        cand = self.sluicectl(self.server('cand').remote)
        self.assertGreater(self.compare(ref, cand), 10)

    def test_same_as_ovs_vsctl_with_sluiced(self):
        ref = self.vsctl(self.server('ref').remote, SWITCH_COLUMNS)
        d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, d)
        db = d.path('conf.db')
        run([OVSDB_TOOL, 'create', db, SCHEMA])
        d.start(args=['--db', db])
        remote = 'unix:' + d.path('db.sock')
        cand = self.sluicectl(remote, SWITCH_COLUMNS)
        self.compare(ref, cand)
        self.assertTrue(d.running())

    def test_wait_until(self):
        """wait-until returns once another client makes the condition
        true (sluicectl monitors the table), ovs-vsctl alike; -T bounds
        the wait."""
        srv = self.server('wait')
        for t in (self.vsctl(srv.remote), self.sluicectl(srv.remote)):
            run(t.argv0 + ['--if-exists', 'del-br', 'bw'])
            proc = subprocess.Popen(
                t.argv0 + ['wait-until', 'Bridge', 'bw', 'fail_mode=secure',
                           '--', 'get', 'Bridge', 'bw', 'name'],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                time.sleep(0.5)
                self.assertIsNone(proc.poll(), t.program)
                run(t.argv0 + ['add-br', 'bw'])      # Exists, not secure.
                time.sleep(0.5)
                self.assertIsNone(proc.poll(), t.program)
                run(t.argv0 + ['set', 'Bridge', 'bw', 'fail_mode=secure'])
                out, err = proc.communicate(timeout=10)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            self.assertEqual((proc.returncode, out), (0, 'bw\n'),
                             '%s: %s' % (t.program, err))
        t = self.sluicectl(srv.remote)
        start = time.monotonic()
        r = run([st.SLUICECTL, '--db', srv.remote, '--no-wait', '-T', '1',
                 'wait-until', 'Bridge', 'bw', 'fail_mode=standalone'],
                check=False)
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, 'sluicectl: timed out after 1 s waiting '
                         'for the condition of wait-until\n')
        # Options: clear errors, exit status 1, nothing run.
        for args, err in (
                (['--', '--id', 'get', 'Bridge', 'bw'],
                 "option '--id' of 'get' needs a value (--id=VALUE)"),
                (['--', '--if-exists=1', 'get', 'Bridge', 'bw'],
                 "option '--if-exists' of 'get' takes no value"),
                (['--', '--bogus', 'list-br'],
                 "'list-br' command has no '--bogus' option"),
                (['list-br', '--', 'frob'],
                 "unknown command 'frob'; use --help for help"),
                (['get', 'Bridge'],
                 "'get' command takes at least 2 arguments (usage: "
                 "sluicectl get TABLE RECORD [COLUMN[:KEY]...])")):
            r = t.run(args)
            self.assertEqual((r.returncode, r.stdout, r.stderr),
                             (1, '', 'sluicectl: %s\n' % err), args)
        # A condition that cannot parse fails at once.
        r = t.run(['wait-until', 'Bridge', 'bw', 'nosuchcolumn=1'])
        self.assertEqual(r.returncode, 2, r.stderr)


    def test_concurrent_changes_are_not_lost(self):
        """Each line writes whole column values, checked at commit against
        what it read: lines that race rerun on fresh data instead of
        overwriting each other (4 clients adding 12 VLANs each to one set:
        all 48 end up there)."""
        srv = self.server('race')
        t = self.sluicectl(srv.remote)
        run(t.argv0 + ['add-br', 'br0'])
        errors = []

        def adder(base):
            for i in range(12):
                r = t.run(['add', 'Bridge', 'br0', 'flood_vlans',
                           str(base + i), '--', 'set', 'Bridge', 'br0',
                           'external_ids:last=%d' % (base + i)])
                if r.returncode:
                    errors.append(r.stderr)
        threads = [threading.Thread(target=adder, args=(100 * k,))
                   for k in range(1, 5)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        self.assertEqual(errors, [])
        got = run(t.argv0 + ['get', 'Bridge', 'br0', 'flood_vlans']).stdout
        want = sorted(100 * k + i for k in range(1, 5) for i in range(12))
        self.assertEqual(sorted(int(x) for x in got.strip('[]\n')
                                .split(', ')), want)

if __name__ == '__main__':
    st.main()
