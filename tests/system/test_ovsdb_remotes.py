#!/usr/bin/python3
"""sluiced's OVSDB remotes named by Manager rows (ovs-vsctl set-manager /
del-manager; passive and active targets; Manager.is_connected and status
written back) and the inactivity probe of OVSDB sessions (a client that
never answers "echo" is dropped, one that answers stays, others are not
affected), with Debian's ovs-vsctl and ovsdb-client and raw sockets."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402
from test_ovsdb import (RpcClient, run, free_port, make_pki,  # noqa: E402
                        background, IDL_SCRIPT, DEBIAN_SCHEMA)

OVS_VSCTL = shutil.which('ovs-vsctl')
OVSDB_CLIENT = shutil.which('ovsdb-client')


class TcpRpc(RpcClient):
    """Raw JSON-RPC over TCP."""

    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.timeout = 10
        import codecs
        self.decoder = codecs.getincrementaldecoder('utf-8')()
        self.text = ''
        self.next_id = 0
        self.notes = []
        self.path = 'tcp:127.0.0.1:%d' % port


OVS_APPCTL = shutil.which('ovs-appctl')


@unittest.skipUnless(OVS_APPCTL and OVSDB_CLIENT,
                     'needs ovs-appctl and ovsdb-client')
class RemoteCommandsTest(unittest.TestCase):
    """ovsdb-server/add-remote, remove-remote, list-remotes, reconnect and
    list-dbs through ovs-appctl, answering as Debian's ovsdb-server 3.1
    answers them (its outputs, checked by hand, are spelled out here)."""

    def setUp(self):
        self.d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.d.start()

    def appctl(self, *args):
        r = self.d.appctl(*args)
        return r.returncode, r.stdout, r.stderr

    def test_remote_commands(self):
        sock = 'punix:' + self.d.path('db.sock')
        self.assertEqual(self.appctl('ovsdb-server/list-remotes'),
                         (0, sock + '\n', ''))
        self.assertEqual(self.appctl('ovsdb-server/list-dbs'),
                         (0, 'Open_vSwitch\n_Server\n', ''))
        port = free_port()
        remote = 'ptcp:%d:127.0.0.1' % port
        self.assertEqual(self.appctl('ovsdb-server/add-remote', remote)[0], 0)
        # A set: adding it again changes nothing.
        self.assertEqual(self.appctl('ovsdb-server/add-remote', remote)[0], 0)
        self.assertEqual(self.appctl('ovsdb-server/list-remotes'),
                         (0, '\n'.join(sorted([sock, remote])) + '\n', ''))
        out = run([OVSDB_CLIENT, 'list-dbs', 'tcp:127.0.0.1:%d' % port])
        self.assertEqual(out.stdout, 'Open_vSwitch\n_Server\n')

        # reconnect drops the sessions; clients connect again.
        c = RpcClient(self.d.path('db.sock'))
        self.addCleanup(c.close)
        self.assertIn('result', c.request('echo'))
        self.assertEqual(self.appctl('ovsdb-server/reconnect')[0], 0)
        self.assertTrue(c.wait_closed(), 'session not dropped')
        c2 = RpcClient(self.d.path('db.sock'))
        self.addCleanup(c2.close)
        self.assertIn('result', c2.request('echo'))

        self.assertEqual(self.appctl('ovsdb-server/remove-remote',
                                     remote)[0], 0)
        r = run([OVSDB_CLIENT, '--timeout=2', 'list-dbs',
                 'tcp:127.0.0.1:%d' % port], check=False)
        self.assertNotEqual(r.returncode, 0)
        rc, out, err = self.appctl('ovsdb-server/remove-remote', remote)
        self.assertEqual((rc, out), (2, ''))
        self.assertIn('no such remote', err)
        # Sluice refuses what it cannot open (ovsdb-server accepts it and
        # logs later).
        rc, out, err = self.appctl('ovsdb-server/add-remote', 'bogus:1')
        self.assertEqual(rc, 2)
        self.assertIn('bogus:1', err)
        self.assertEqual(self.appctl('ovsdb-server/list-remotes'),
                         (0, sock + '\n', ''))


@unittest.skipUnless(OVS_APPCTL and OVSDB_CLIENT,
                     'needs ovs-appctl and ovsdb-client')
class ActiveRemoteTest(unittest.TestCase):
    """--remote and ovsdb-server/add-remote with active methods: sluiced
    connects out (tcp:, unix:) and again after each loss, as ovsdb-server
    does; ovsdb-client listening on the passive method is the peer."""

    def listen_once(self, method, timeout=60):
        """ovsdb-client list-dbs on 'method', waiting for the server."""
        return subprocess.Popen(
            [OVSDB_CLIENT, '--timeout=%d' % timeout, 'list-dbs', method],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)

    def assert_served(self, client):
        out, err = client.communicate(timeout=90)
        self.assertEqual(client.returncode, 0, err)
        self.assertEqual(out, 'Open_vSwitch\n_Server\n')

    def test_active_remotes(self):
        port = free_port()
        client = self.listen_once('ptcp:%d:127.0.0.1' % port)
        self.addCleanup(client.kill)
        time.sleep(0.5)         # Let it listen.
        d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, d)
        d.start(args=['--remote', 'tcp:127.0.0.1:%d' % port])
        self.assert_served(client)
        # It connects again (backing off) for the next listener.
        self.assert_served(self.listen_once('ptcp:%d:127.0.0.1' % port))
        # One added at run time, on a unix socket.
        sock = d.path('manager.sock')
        client = self.listen_once('punix:' + sock)
        self.addCleanup(client.kill)
        st.wait_for(lambda: os.path.exists(sock), 10, what=sock)
        r = d.appctl('ovsdb-server/add-remote', 'unix:' + sock)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_served(client)
        self.assertIn('unix:' + sock, d.appctl(
            'ovsdb-server/list-remotes').stdout)


@unittest.skipUnless(OVS_VSCTL and OVSDB_CLIENT,
                     'needs ovs-vsctl and ovsdb-client')
class ManagerTest(unittest.TestCase):

    def setUp(self):
        self.d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.d.start()          # The default Open_vSwitch database.
        self.db = 'unix:' + self.d.path('db.sock')
        self.vsctl('init')

    def vsctl(self, *args):
        return run([OVS_VSCTL, '--db=' + self.db, '--no-wait',
                    '--timeout=20'] + list(args)).stdout

    def manager_status(self, target):
        out = self.vsctl('--format=json', '--columns=is_connected,status',
                         'find', 'Manager', 'target="%s"' % target)
        data = json.loads(out)['data']
        if not data:
            return None
        connected, status = data[0]
        return connected, dict(status[1])

    def list_dbs(self, remote, check=True, timeout=20):
        return run([OVSDB_CLIENT, '--timeout=%d' % timeout, 'list-dbs',
                    remote], check=check, timeout=timeout + 5)

    def test_passive_manager(self):
        port = free_port()
        target = 'ptcp:%d:127.0.0.1' % port
        self.vsctl('set-manager', target)
        self.assertEqual(self.vsctl('get-manager').strip(), target)
        remote = 'tcp:127.0.0.1:%d' % port
        st.wait_for(lambda: self.list_dbs(remote, check=False, timeout=2)
                    .returncode == 0, timeout=20,
                    what='the Manager target to accept connections')
        self.assertEqual(self.list_dbs(remote).stdout,
                         'Open_vSwitch\n_Server\n')
        # Its status: listening, on that port, connected while a client is.
        c = TcpRpc(port)
        self.addCleanup(c.close)
        self.assertEqual(c.request('echo', 'x')['result'], ['x'])

        def connected():
            s = self.manager_status(target)
            return s if s and s[0] else None
        is_conn, status = st.wait_for(connected, timeout=20,
                                      what='is_connected true')
        self.assertEqual(status['state'], 'LISTENING')
        self.assertEqual(status['bound_port'], str(port))
        self.assertEqual(status['n_connections'], '1')
        # ovs-vsctl works through the manager's remote too.
        r = run([OVS_VSCTL, '--db=' + remote, '--no-wait', '--timeout=20',
                 'get-manager'])
        self.assertEqual(r.stdout.strip(), target)

        self.vsctl('del-manager')
        st.wait_for(lambda: self.list_dbs(remote, check=False, timeout=2)
                    .returncode != 0, timeout=20,
                    what='the listener to close')
        r = self.list_dbs(remote, check=False, timeout=2)
        self.assertIn('refused', r.stderr.lower())
        # Its sessions went with it.
        self.assertTrue(c.wait_closed(10))
        # db.sock is still served.
        self.assertEqual(self.list_dbs(self.db).stdout,
                         'Open_vSwitch\n_Server\n')

    def test_active_manager(self):
        port = free_port()
        # ovsdb-client on a passive method waits for the server to connect.
        client = subprocess.Popen(
            [OVSDB_CLIENT, '--timeout=60', 'list-dbs',
             'ptcp:%d:127.0.0.1' % port], stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(client.wait)
        self.addCleanup(client.kill)
        time.sleep(0.5)         # Let it listen.
        target = 'tcp:127.0.0.1:%d' % port
        self.vsctl('--', '--id=@m', 'create', 'Manager', 'target="%s"'
                   % target, 'max_backoff=1000', '--', 'set',
                   'Open_vSwitch', '.', 'manager_options=@m')
        out, err = client.communicate(timeout=60)
        self.assertEqual(client.returncode, 0, err)
        self.assertEqual(out, 'Open_vSwitch\n_Server\n')
        # It reconnects (backing off at most max_backoff) for the next one.
        out = run([OVSDB_CLIENT, '--timeout=30', 'list-dbs',
                   'ptcp:%d:127.0.0.1' % port], timeout=40).stdout
        self.assertEqual(out, 'Open_vSwitch\n_Server\n')
        s = self.manager_status(target)
        self.assertIsNotNone(s)
        self.assertIn(s[1]['state'], ('BACKOFF', 'CONNECTING', 'ACTIVE'))
        # Removed: no more connections come.
        self.vsctl('del-manager')
        r = run([OVSDB_CLIENT, '--timeout=4', 'list-dbs',
                 'ptcp:%d:127.0.0.1' % port], check=False, timeout=20)
        self.assertNotEqual(r.returncode, 0)

    def test_bad_target_reported(self):
        self.vsctl('set-manager', 'ptcp:notaport')
        s = st.wait_for(lambda: self.manager_status('ptcp:notaport'),
                        timeout=20, what='the Manager row')
        st.wait_for(lambda: self.manager_status('ptcp:notaport')[1]
                    .get('state') == 'VOID', timeout=20,
                    what='status state VOID')
        s = self.manager_status('ptcp:notaport')
        self.assertFalse(s[0])
        self.assertIn('notaport', s[1]['last_error'])
        self.assertEqual(self.list_dbs(self.db).stdout,
                         'Open_vSwitch\n_Server\n')


@unittest.skipUnless(OVS_VSCTL, 'needs ovs-vsctl')
class ProbeTest(unittest.TestCase):
    """Inactivity probe: a Manager target with inactivity_probe=1000."""

    def setUp(self):
        self.d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.d.start()
        self.db = 'unix:' + self.d.path('db.sock')
        run([OVS_VSCTL, '--db=' + self.db, '--no-wait', 'init'])

    def test_probe(self):
        port = free_port()
        target = 'ptcp:%d:127.0.0.1' % port
        run([OVS_VSCTL, '--db=' + self.db, '--no-wait', '--', '--id=@m',
             'create', 'Manager', 'target="%s"' % target,
             'inactivity_probe=1000', '--', 'set', 'Open_vSwitch', '.',
             'manager_options=@m'])

        def connect():
            try:
                return TcpRpc(port)
            except OSError:
                return None
        silent = st.wait_for(connect, timeout=20, what='the listener')
        self.addCleanup(silent.close)
        polite = TcpRpc(port)
        self.addCleanup(polite.close)
        # A client of db.sock (no probe there) that stays quiet too.
        quiet_local = RpcClient(self.d.path('db.sock'))
        self.addCleanup(quiet_local.close)
        self.assertEqual(silent.request('echo', 1)['result'], [1])
        self.assertEqual(polite.request('echo', 2)['result'], [2])
        self.assertEqual(quiet_local.request('echo', 3)['result'], [3])

        # The polite one answers every echo for 6 s (6 intervals).
        start = time.monotonic()
        echoes = 0
        while time.monotonic() - start < 6:
            try:
                msg = polite.recv_message(0.2)
            except socket.timeout:
                continue
            if msg.get('method') == 'echo':
                echoes += 1
                polite.send_raw(json.dumps({'id': msg['id'],
                                            'result': msg['params'],
                                            'error': None}))
        self.assertGreaterEqual(echoes, 2)
        # The silent one was sent an echo and then dropped.
        got_echo = False
        closed = False
        try:
            while True:
                msg = silent.recv_message(1)
                got_echo |= msg.get('method') == 'echo'
        except EOFError:
            closed = True
        except (socket.timeout, ConnectionResetError):
            closed = False
        self.assertTrue(got_echo)
        self.assertTrue(closed, 'the silent client is still connected')
        with open(self.d.log_file) as f:
            self.assertIn('inactivity probe', f.read())
        # The others are still served.
        self.assertEqual(polite.request('echo', 4)['result'], [4])
        self.assertEqual(quiet_local.request('echo', 5)['result'], [5])


@unittest.skipUnless(OVS_VSCTL and OVSDB_CLIENT and shutil.which('openssl'),
                     'needs ovs-vsctl, ovsdb-client and openssl')
class SslManagerTest(unittest.TestCase):
    """pssl: and ssl: Manager targets, with the daemon's --private-key,
    --certificate and --ca-cert."""

    def test_ssl_targets(self):
        d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, d)
        make_pki(d.run_dir)
        d.start(args=['--private-key', d.path('server-key.pem'),
                      '--certificate', d.path('server-cert.pem'),
                      '--ca-cert', d.path('ca.pem')])
        db = '--db=unix:' + d.path('db.sock')
        certs = ['--private-key', d.path('client-key.pem'),
                 '--certificate', d.path('client-cert.pem'),
                 '--ca-cert', d.path('ca.pem')]
        run([OVS_VSCTL, db, '--no-wait', 'init'])
        port = free_port()
        run([OVS_VSCTL, db, '--no-wait', 'set-manager',
             'pssl:%d:127.0.0.1' % port])

        def listed():
            r = run([OVSDB_CLIENT, '--timeout=5'] + certs
                    + ['list-dbs', 'ssl:127.0.0.1:%d' % port], check=False,
                    timeout=15)
            return r.returncode == 0 and r.stdout
        self.assertEqual(st.wait_for(listed, timeout=30,
                                     what='list-dbs over pssl'),
                         'Open_vSwitch\n_Server\n')

        # Active: the switch connects out over TLS.
        port2 = free_port()
        client = subprocess.Popen(
            [OVSDB_CLIENT, '--timeout=60'] + certs
            + ['list-dbs', 'pssl:%d:127.0.0.1' % port2],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        self.addCleanup(client.wait)
        self.addCleanup(client.kill)
        time.sleep(0.5)
        run([OVS_VSCTL, db, '--no-wait', 'set-manager',
             'ssl:127.0.0.1:%d' % port2])
        out, err = client.communicate(timeout=60)
        self.assertEqual(client.returncode, 0, err)
        self.assertEqual(out, 'Open_vSwitch\n_Server\n')


    def daemon_with_two_pkis(self):
        """A daemon (not started) and PKIs 'a' and 'b' in its run
        directory."""
        d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, d)
        pki = {}
        for name in ('a', 'b'):
            pki[name] = d.path(name)
            os.mkdir(pki[name])
            make_pki(pki[name])
        return d, pki

    def test_ssl_row_applied_live(self):
        """The SSL row (ovs-vsctl set-ssl) gives the TLS files of ssl: and
        pssl: managers, with no TLS option on the command line; a new SSL
        row replaces them at once: clients of the old CA are refused,
        those of the new one served."""
        d, pki = self.daemon_with_two_pkis()
        d.start()
        db = '--db=unix:' + d.path('db.sock')
        run([OVS_VSCTL, db, '--no-wait', 'init'])

        def set_ssl(name):
            p = pki[name]
            run([OVS_VSCTL, db, '--no-wait', 'set-ssl',
                 os.path.join(p, 'server-key.pem'),
                 os.path.join(p, 'server-cert.pem'),
                 os.path.join(p, 'ca.pem')])

        def list_dbs(name):
            p = pki[name]
            r = run([OVSDB_CLIENT, '--timeout=5',
                     '--private-key', os.path.join(p, 'client-key.pem'),
                     '--certificate', os.path.join(p, 'client-cert.pem'),
                     '--ca-cert', os.path.join(p, 'ca.pem'),
                     'list-dbs', 'ssl:127.0.0.1:%d' % port], check=False,
                    timeout=15)
            return r.returncode == 0 and r.stdout

        set_ssl('a')
        port = free_port()
        run([OVS_VSCTL, db, '--no-wait', 'set-manager',
             'pssl:%d:127.0.0.1' % port])
        self.assertEqual(st.wait_for(lambda: list_dbs('a'), timeout=30,
                                     what='list-dbs with PKI a'),
                         'Open_vSwitch\n_Server\n')
        set_ssl('b')
        self.assertEqual(st.wait_for(lambda: list_dbs('b'), timeout=30,
                                     what='list-dbs with PKI b'),
                         'Open_vSwitch\n_Server\n')
        self.assertFalse(list_dbs('a'), 'the old CA is still served')
        # del-ssl: back to the command line's (none): TLS targets fail.
        run([OVS_VSCTL, db, '--no-wait', 'del-ssl'])
        st.wait_for(lambda: not list_dbs('b'), timeout=30,
                    what='TLS to stop without an SSL row')
        self.assertTrue(d.running())


    def test_bootstrap_ca_cert(self):
        """SSL.bootstrap_ca_cert (ovs-vsctl set-ssl --bootstrap): with no
        file at ca_cert, the first ssl: manager connection takes the
        peer's CA certificate (sent in its chain), saves it owner-only and
        reconnects; then a peer of another CA is refused."""
        self.bootstrap_scenario(from_row=True)

    def test_bootstrap_ca_cert_option(self):
        """The same with sluiced --bootstrap-ca-cert (no SSL row)."""
        self.bootstrap_scenario(from_row=False)

    def bootstrap_scenario(self, from_row):
        d, pki = self.daemon_with_two_pkis()
        a, b = pki['a'], pki['b']
        saved = d.path('bootstrapped-ca.pem')
        key = os.path.join(a, 'client-key.pem')
        cert = os.path.join(a, 'client-cert.pem')
        if from_row:
            d.start()
        else:
            d.start(args=['--private-key', key, '--certificate', cert,
                          '--bootstrap-ca-cert', saved])
        db = '--db=unix:' + d.path('db.sock')
        run([OVS_VSCTL, db, '--no-wait', 'init'])
        if from_row:
            run([OVS_VSCTL, db, '--no-wait', '--', '--bootstrap', 'set-ssl',
                 key, cert, saved])
        port = free_port()
        target = 'ssl:127.0.0.1:%d' % port
        run([OVS_VSCTL, db, '--no-wait', '--', '--id=@m', 'create',
             'Manager', 'target="%s"' % target, 'max_backoff=1000', '--',
             'set', 'Open_vSwitch', '.', 'manager_options=@m'])

        for p in (a, b):
            # The peer's chain: its certificate, then its CA.
            with open(os.path.join(p, 'server-chain.pem'), 'w') as out:
                for name in ('server-cert.pem', 'ca.pem'):
                    with open(os.path.join(p, name)) as f:
                        out.write(f.read())

        def serve(p, trust):
            """ovsdb-client listening with PKI 'p''s server certificate
            and its CA in the chain; it trusts 'trust''s CA."""
            r = run([OVSDB_CLIENT, '--timeout=5',
                     '--private-key', os.path.join(p, 'server-key.pem'),
                     '--certificate', os.path.join(p, 'server-chain.pem'),
                     '--ca-cert', os.path.join(trust, 'ca.pem'),
                     'list-dbs', 'pssl:%d:127.0.0.1' % port], check=False,
                    timeout=15)
            return r.returncode == 0 and r.stdout

        self.assertFalse(os.path.exists(saved))
        # The bootstrapping connection is dropped; a later one is served.
        self.assertEqual(st.wait_for(lambda: serve(a, a), timeout=60,
                                     what='list-dbs after the bootstrap'),
                         'Open_vSwitch\n_Server\n')
        self.assertEqual(os.stat(saved).st_mode & 0o777, 0o600)

        def fingerprint(path):
            return run(['openssl', 'x509', '-noout', '-fingerprint',
                        '-sha256', '-in', path]).stdout
        self.assertEqual(fingerprint(saved),
                         fingerprint(os.path.join(a, 'ca.pem')))
        with open(d.log_file) as f:
            log = f.read()
        self.assertIn('BOOTSTRAPPED CA CERTIFICATE', log)
        self.assertIn(saved, log)
        # A peer whose certificate another CA signed is refused now (it
        # trusts the switch's certificate: the refusal is the switch's).
        for _ in range(3):
            self.assertFalse(serve(b, a))
        self.assertEqual(fingerprint(saved),
                         fingerprint(os.path.join(a, 'ca.pem')))
        with open(d.log_file) as f:
            self.assertIn('peer certificate', f.read())
        # And the right one still is.
        self.assertEqual(st.wait_for(lambda: serve(a, a), timeout=30,
                                     what='list-dbs with the saved CA'),
                         'Open_vSwitch\n_Server\n')
        self.assertTrue(d.running())

@unittest.skipUnless(OVS_VSCTL and os.path.exists(DEBIAN_SCHEMA),
                     'needs openvswitch-switch and python3-openvswitch')
class IdlCatchUpTest(unittest.TestCase):
    """Open vSwitch's Python IDL, disconnected and reconnected to the same
    daemon, asks monitor_cond_since with the last transaction it saw and
    gets only what changed meanwhile - and ends up with the right rows."""

    def test_idl_reconnects_and_catches_up(self):
        # Its own network namespace: the bridges make tap devices, and
        # the IDL reaches the TCP remote from inside it.
        d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, d)
        d.start()
        db = '--db=unix:' + d.path('db.sock')

        def vsctl(*args):
            return run([OVS_VSCTL, db, '--no-wait', '--timeout=20']
                       + list(args)).stdout
        vsctl('init')
        vsctl('add-br', 'br0', '--', 'set', 'Bridge', 'br0',
              'external_ids:a=1', 'external_ids:keep=yes')
        vsctl('add-br', 'gone')
        port = free_port()
        target = 'ptcp:%d:127.0.0.1' % port
        vsctl('set-manager', target)
        d.ctl('vlog/set', 'ovsdb_monitor:file:dbg')

        script = d.path('idl.py')
        with open(script, 'w') as f:
            f.write(IDL_SCRIPT)
        proc, lines = background(self, ['nsenter', '-t', str(d.pid), '-n',
                                        '--', '/usr/bin/python3', script,
                                        'tcp:127.0.0.1:%d' % port,
                                        DEBIAN_SCHEMA], parse=json.loads)

        def idl_sees(want, what):
            st.wait_for(lambda: lines and lines[-1] == want, timeout=60,
                        what=what + ' (IDL printed %r)'
                        % (lines[-1:] if lines else None))
        idl_sees({'br0': {'external_ids': {'a': '1', 'keep': 'yes'},
                          'ports': ['br0'], 'datapath_type': ''},
                  'gone': {'external_ids': {}, 'ports': ['gone'],
                           'datapath_type': ''}}, 'the first contents')
        # An update3 tells it a transaction id (the IDL learns ids only
        # from those, not from the monitor reply).
        vsctl('set', 'Bridge', 'br0', 'external_ids:a=1.5')
        idl_sees({'br0': {'external_ids': {'a': '1.5', 'keep': 'yes'},
                          'ports': ['br0'], 'datapath_type': ''},
                  'gone': {'external_ids': {}, 'ports': ['gone'],
                           'datapath_type': ''}}, 'an update')

        # Drop the IDL's connection (the remote goes away), change things,
        # then let it come back.
        vsctl('del-manager')
        vsctl('set', 'Bridge', 'br0', 'external_ids:a=2',
              'external_ids:b=3', 'datapath_type=netdev')
        vsctl('add-br', 'br1')
        vsctl('del-br', 'gone')
        vsctl('set-manager', target)
        idl_sees({'br0': {'external_ids': {'a': '2', 'b': '3',
                                           'keep': 'yes'},
                          'ports': ['br0'], 'datapath_type': 'netdev'},
                  'br1': {'external_ids': {}, 'ports': ['br1'],
                          'datapath_type': ''}},
                 'the changes made while it was away')
        with open(d.log_file) as f:
            log = f.read()
        self.assertIn('found in the history', log)
        self.assertTrue(proc.poll() is None)


if __name__ == '__main__':
    st.main()
