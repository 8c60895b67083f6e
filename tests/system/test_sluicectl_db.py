#!/usr/bin/python3
"""sluicectl as an OVSDB client: list-br, add-br, del-br, list-ports,
add-port and del-port against sluiced's Open_vSwitch database, checked
with what Debian's ovs-vsctl --no-wait sees, errors and exit statuses
included.  The generic database commands, waiting for cur_cfg and the
database file commands are in test_sluicectl_cli.py."""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

OVS_VSCTL = shutil.which('ovs-vsctl')


@unittest.skipUnless(OVS_VSCTL, 'needs ovs-vsctl (openvswitch-switch)')
class SluicectlDbTest(unittest.TestCase):

    def setUp(self):
        self.d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.d.start()
        self.remote = 'unix:' + self.d.path('db.sock')

    def vsctl(self, *args):
        r = subprocess.run([OVS_VSCTL, '--db=' + self.remote, '--no-wait',
                            '--timeout=10'] + list(args),
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=20)
        if r.returncode != 0:
            raise AssertionError('ovs-vsctl %s: status %d: %s'
                                 % (' '.join(args), r.returncode, r.stderr))
        return r.stdout

    def ctl(self, *args, status=0, err=None):
        # --no-wait: nothing in this tree sets Open_vSwitch:cur_cfg.
        r = self.d.sluicectl('-T', '10', '--no-wait', *args)
        self.assertEqual(r.returncode, status,
                         'sluicectl %s: %s' % (' '.join(args), r.stderr))
        if err is None:
            self.assertEqual(r.stderr, '')
        else:
            self.assertEqual(r.stderr, 'sluicectl: %s\n' % err)
        return r.stdout

    def test_bridges_and_ports(self):
        # An empty database: no root row yet; add-br creates it.
        self.assertEqual(self.ctl('list-br'), '')
        self.assertEqual(self.vsctl('list-br'), '')
        self.assertEqual(self.ctl('add-br', 'br0'), '')
        self.assertEqual(self.vsctl('list-br'), 'br0\n')
        self.assertEqual(self.ctl('list-br'), 'br0\n')
        # The same rows as ovs-vsctl add-br: Port and internal Interface.
        show = self.vsctl('show')
        self.assertIn('Bridge br0', show)
        self.assertIn('Port br0', show)
        self.assertIn('Interface br0', show)
        self.assertIn('type: internal', show)
        self.assertEqual(self.vsctl('get', 'Interface', 'br0', 'type'),
                         'internal\n')
        self.assertEqual(self.vsctl('list-ports', 'br0'), '')
        self.assertEqual(self.ctl('list-ports', 'br0'), '')

        # A second bridge goes into the existing root row; sorted output.
        self.vsctl('add-br', 'br1')
        self.assertEqual(self.ctl('add-br', 'abr'), '')
        self.assertEqual(self.ctl('list-br'), 'abr\nbr0\nbr1\n')
        self.assertEqual(self.vsctl('list-br'), 'abr\nbr0\nbr1\n')

        # Ports.
        self.ctl('add-port', 'br0', 'p2')
        self.ctl('add-port', 'br0', 'p1')
        self.vsctl('add-port', 'br1', 'q1')
        self.assertEqual(self.ctl('list-ports', 'br0'), 'p1\np2\n')
        self.assertEqual(self.vsctl('list-ports', 'br0'), 'p1\np2\n')
        self.assertEqual(self.ctl('list-ports', 'br1'), 'q1\n')
        self.assertEqual(self.vsctl('port-to-br', 'p1'), 'br0\n')
        self.ctl('del-port', 'br0', 'p2')
        self.assertEqual(self.vsctl('list-ports', 'br0'), 'p1\n')
        self.assertEqual(self.ctl('list-ports', 'br0'), 'p1\n')

        # Errors, as ovs-vsctl words them; exit status 2.
        self.ctl('add-br', 'br0', status=2,
                 err='cannot create a bridge named br0 because a bridge '
                     'named br0 already exists')
        self.ctl('del-br', 'br9', status=2, err='no bridge named br9')
        self.ctl('list-ports', 'br9', status=2, err='no bridge named br9')
        self.ctl('add-port', 'br9', 'x', status=2,
                 err='no bridge named br9')
        self.ctl('add-port', 'br0', 'q1', status=2,
                 err='cannot create a port named q1 because a port named '
                     'q1 already exists on bridge br1')
        self.ctl('add-br', 'p1', status=2,
                 err='cannot create a bridge named p1 because a port '
                     'named p1 already exists on bridge br0')
        self.ctl('del-port', 'br0', 'br0', status=2,
                 err='cannot delete port br0 because it is the local port '
                     'for bridge br0 (deleting this port requires deleting '
                     'the entire bridge)')
        self.ctl('del-port', 'br0', 'nope', status=2,
                 err='no port named nope')
        self.ctl('del-port', 'br0', 'q1', status=2,
                 err='bridge br0 does not have a port q1')
        # Usage errors: status 1.
        r = self.d.sluicectl('add-br')
        self.assertEqual(r.returncode, 1)
        self.assertIn('usage', r.stderr)
        # Nothing changed by the failed commands.
        self.assertEqual(self.vsctl('list-br'), 'abr\nbr0\nbr1\n')
        self.assertEqual(self.vsctl('list-ports', 'br0'), 'p1\n')

        # del-br takes the bridge's ports with it.
        self.ctl('del-br', 'br0')
        self.assertEqual(self.vsctl('list-br'), 'abr\nbr1\n')
        self.assertEqual(self.ctl('list-br'), 'abr\nbr1\n')
        self.assertEqual(self.vsctl('--columns=name', 'find', 'Port',
                                    'name=p1'), '')
        self.assertEqual(self.vsctl('--columns=name', 'find', 'Interface',
                                    'name=br0'), '')
        self.ctl('del-br', 'br1')
        self.ctl('del-br', 'abr')
        self.assertEqual(self.ctl('list-br'), '')
        self.assertEqual(self.vsctl('list-br'), '')

    def test_db_option_and_connection_errors(self):
        missing = self.d.path('missing.sock')
        r = st.subprocess.run([st.SLUICECTL, '--db', 'unix:' + missing,
                               'list-br'], capture_output=True, text=True,
                              timeout=20)
        self.assertEqual(r.returncode, 1)
        self.assertIn('database connection failed', r.stderr)
        self.assertIn(missing, r.stderr)
        # --db names the socket explicitly (no --run-dir).
        r = st.subprocess.run([st.SLUICECTL, '--db', self.remote,
                               '--no-wait', 'add-br', 'brd'],
                              capture_output=True, text=True, timeout=20)
        self.assertEqual((r.returncode, r.stderr), (0, ''))
        self.assertEqual(self.vsctl('list-br'), 'brd\n')


if __name__ == '__main__':
    st.main()
