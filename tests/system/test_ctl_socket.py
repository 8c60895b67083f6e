#!/usr/bin/python3
"""The control socket: ovs-appctl and sluicectl against sluiced, bad input
on raw connections, and clean shutdown (exit command, SIGTERM, SIGINT)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

VERSION_RE = r'^sluiced \(Sluice\) \d+\.\d+\.\d+\S*\n$'
BASIC_COMMANDS = ['version', 'exit', 'list-commands', 'vlog/list',
                  'vlog/set', 'vlog/reopen', 'dpctl/show', 'dpctl/add-if',
                  'dpctl/del-if', 'dpctl/set-if-output',
                  'dpif-netdev/pmd-stats-show', 'dpif-netdev/pmd-stats-clear',
                  'dpif-netdev/pmd-rxq-show', 'dpif-netdev/pmd-rxq-rebalance']


class CtlTestCase(unittest.TestCase):
    """One daemon per test, with no ports."""

    def setUp(self):
        self.d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, self.d)
        try:
            self.d.start()
        except BaseException:
            self.d.cleanup()
            raise

    def assert_alive(self):
        """The daemon still runs and answers a new client."""
        self.assertTrue(self.d.running(), 'sluiced died')
        self.assertRegex(self.d.ctl('version'), VERSION_RE)


class AppctlTest(CtlTestCase):
    """ovs-appctl from Debian's openvswitch-common."""

    def appctl_ok(self, *args, **kw):
        r = self.d.appctl(*args, **kw)
        if r.returncode != 0:
            self.d.dump_log('ovs-appctl %s failed' % ' '.join(args))
        self.assertEqual(r.returncode, 0, 'ovs-appctl %s: status %d, '
                         'stderr %r' % (' '.join(args), r.returncode,
                                        r.stderr))
        return r.stdout

    def appctl_fail(self, *args):
        r = self.d.appctl(*args)
        self.assertEqual(r.returncode, 2, 'ovs-appctl %s: status %d, '
                         'stdout %r stderr %r' % (' '.join(args),
                                                  r.returncode, r.stdout,
                                                  r.stderr))
        self.assertTrue(r.stderr.strip(), 'no error message')
        return r.stderr

    def test_version(self):
        self.assertRegex(self.appctl_ok('version'), VERSION_RE)

    def test_list_commands(self):
        out = self.appctl_ok('list-commands')
        for cmd in BASIC_COMMANDS:
            self.assertRegex(out, r'(?m)^\s*' + re.escape(cmd) + r'(\s|$)',
                             'list-commands lacks %s' % cmd)

    def test_vlog(self):
        out = self.appctl_ok('vlog/list')
        self.assertIn('console', out)
        self.assertIn('file', out)
        # Module names: the first column of the lines after the header.
        modules = [l.split()[0] for l in out.splitlines()[2:] if l.split()]
        self.assertTrue(modules, out)
        mod = modules[0]
        self.appctl_ok('vlog/set', '%s:file:dbg' % mod)
        line = [l for l in self.appctl_ok('vlog/list').splitlines()
                if l.split() and l.split()[0] == mod][0]
        self.assertEqual(line.split()[-1].lower(), 'dbg', line)
        self.appctl_ok('vlog/set', 'any:any:info')
        line = [l for l in self.appctl_ok('vlog/list').splitlines()
                if l.split() and l.split()[0] == mod][0]
        self.assertNotIn('dbg', line.lower().split(), line)
        self.appctl_ok('vlog/set', 'warn', 'console:info')
        self.appctl_fail('vlog/set', 'no-such-module:dbg')
        self.appctl_fail('vlog/set', 'any:any:loud')
        self.assert_alive()

    def test_vlog_reopen(self):
        log = self.d.log_file
        rotated = log + '.1'
        os.rename(log, rotated)
        self.appctl_ok('vlog/reopen')
        self.appctl_ok('vlog/set', 'any:file:dbg')
        self.appctl_ok('dpctl/show')
        st.wait_for(lambda: os.path.exists(log), 5, what='new log file')
        self.assertTrue(os.path.exists(rotated))

    def test_unknown_command(self):
        err = self.appctl_fail('no-such-command')
        self.assertIn('no-such-command', err)
        self.assert_alive()

    def test_wrong_arg_count(self):
        self.appctl_fail('version', 'extra')
        self.appctl_fail('dpctl/del-if')
        self.appctl_fail('dpctl/add-if', 'only-a-name')
        self.appctl_fail('dpctl/set-if-output', 'x')
        self.appctl_fail('dpctl/del-if', 'a', 'b')
        self.assert_alive()

    def test_show_commands(self):
        self.assertEqual(st.parse_show(self.appctl_ok('dpctl/show')), {})
        pmds = st.parse_pmd_stats(
            self.appctl_ok('dpif-netdev/pmd-stats-show'))
        self.assertGreaterEqual(len(pmds), 1)
        self.appctl_ok('dpif-netdev/pmd-rxq-show')

    def test_ovs_rundir_target(self):
        """OVS_RUNDIR=DIR ovs-appctl -t sluiced finds the daemon through
        DIR/sluiced.pid and DIR/sluiced.<pid>.ctl."""
        out = self.appctl_ok('version', target='sluiced',
                             env={'OVS_RUNDIR': self.d.run_dir})
        self.assertRegex(out, VERSION_RE)

    def test_exit(self):
        r = self.d.appctl('exit')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.d.wait_exit(), 0)
        self.assertFalse(os.path.exists(self.d.pidfile), 'pidfile left')
        self.assertFalse(os.path.exists(self.d.sock_path), 'socket left')


class SluicectlTest(CtlTestCase):
    """sluicectl, our own client."""

    def ctl_ok(self, *args, **kw):
        r = self.d.sluicectl(*args, **kw)
        self.assertEqual(r.returncode, 0, 'sluicectl %s: status %d, '
                         'stderr %r' % (' '.join(args), r.returncode,
                                        r.stderr))
        return r.stdout

    def test_version(self):
        self.assertRegex(self.ctl_ok('version'), VERSION_RE)

    def test_target_forms(self):
        sock = self.d.sock_path
        self.assertRegex(self.ctl_ok('-t', sock, 'version', run_dir=False),
                         VERSION_RE)
        self.assertRegex(self.ctl_ok('-t', 'sluiced', 'version'),
                         VERSION_RE)

    def test_list_commands(self):
        out = self.ctl_ok('list-commands')
        for cmd in BASIC_COMMANDS:
            self.assertIn(cmd, out)

    def test_errors(self):
        r = self.d.sluicectl('no-such-command')
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('no-such-command', r.stderr)
        r = self.d.sluicectl('dpctl/del-if')
        self.assertNotEqual(r.returncode, 0)
        self.assertTrue(r.stderr.strip())
        self.assert_alive()

    def test_no_daemon(self):
        r = subprocess.run([st.SLUICECTL, '--run-dir',
                            self.d.path('nowhere'), 'version'],
                           capture_output=True, text=True, timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertTrue(r.stderr.strip())

    def test_dpctl(self):
        self.ctl_ok('dpctl/add-if', 'n0', 'net_null0,no-rx=1')
        self.assertIn('n0', st.parse_show(self.ctl_ok('dpctl/show')))
        self.ctl_ok('dpctl/del-if', 'n0')
        self.assertEqual(st.parse_show(self.ctl_ok('dpctl/show')), {})

    def test_exit(self):
        self.ctl_ok('exit')
        self.assertEqual(self.d.wait_exit(), 0)
        self.assertFalse(os.path.exists(self.d.pidfile))
        self.assertFalse(os.path.exists(self.d.sock_path))


class RawSocketTest(CtlTestCase):
    """JSON-RPC framing and bad input, on raw connections."""

    def test_ids_and_framing(self):
        with self.d.client() as c:
            # Ids of any JSON type come back as they were sent.
            for id_ in (0, 7, 'abc', [1, 'x']):
                c.send_request('version', [], id_=id_)
                reply = c.recv_message()
                self.assertEqual(reply['id'], id_)
                self.assertRegex(reply['result'], VERSION_RE)
                self.assertIsNone(reply['error'])
            # Two requests in one write: two replies, in order.
            c.send_raw('{"method":"version","params":[],"id":1}'
                       '{"method":"no-such","params":[],"id":2}')
            r1, r2 = c.recv_message(), c.recv_message()
            self.assertEqual((r1['id'], r2['id']), (1, 2))
            self.assertIsNone(r1['error'])
            self.assertIsNone(r2['result'])
            self.assertIsInstance(r2['error'], str)

    def test_half_message(self):
        with self.d.client() as c:
            msg = b'{"method": "version", "params": [], "id": 42}'
            c.send_raw(msg[:17])
            time.sleep(0.3)
            with self.assertRaises(socket.timeout):
                c.recv_message(timeout=0.3)
            c.send_raw(msg[17:])
            reply = c.recv_message()
            self.assertEqual(reply['id'], 42)
            self.assertRegex(reply['result'], VERSION_RE)
            # One byte at a time.
            for b in msg.replace(b'42', b'43'):
                c.send_raw(bytes([b]))
            reply = c.recv_message()
            self.assertEqual(reply['id'], 43)

    def test_garbage(self):
        with self.d.client() as bystander:
            with self.d.client() as bad:
                bad.send_raw(b'this is not json \x00\xff\xfe}]')
                self.assertTrue(bad.wait_closed(5),
                                'connection not closed after garbage')
            # The other connection and new ones still work.
            res, err = bystander.call('version')
            self.assertRegex(res, VERSION_RE)
        self.assert_alive()

    def test_not_a_request(self):
        """Valid JSON that is not a request: an error reply or a closed
        connection, never a crash."""
        for junk in ('[1, 2, 3]', '"text"', '{"params": [], "id": 1}',
                     '{"method": 5, "params": [], "id": 1}',
                     '{"method": "version", "params": "x", "id": 1}',
                     '{"method": "version", "params": [1], "id": 1}'):
            with self.d.client() as c:
                c.send_raw(junk)
                try:
                    reply = c.recv_message(timeout=5)
                    self.assertIsInstance(reply, dict, junk)
                    self.assertIsNotNone(reply.get('error'), junk)
                except (EOFError, ConnectionResetError):
                    pass
            self.assert_alive()

    def test_replies_are_text(self):
        """Every reply, including the empty ones of commands that only act
        (vlog/set, pmd-stats-clear, set-if-output, exit), is printable
        text: no stray bytes."""
        self.d.ctl('dpctl/add-if', 'n0', 'net_null0,no-rx=1')
        cmds = [('vlog/set', 'any:any:info'), ('vlog/reopen',),
                ('dpif-netdev/pmd-stats-clear',),
                ('dpctl/set-if-output', 'n0', 'drop'),
                ('dpif-netdev/pmd-rxq-rebalance',), ('version',),
                ('dpctl/show',), ('list-commands',), ('vlog/list',),
                ('dpctl/del-if', 'n0'), ('exit',)]
        for cmd in cmds:
            res, err = self.d.call(*cmd)
            self.assertIsNone(err, cmd)
            self.assertRegex(res, r'^[\x20-\x7e\t\n]*$',
                             '%s: reply %r' % (' '.join(cmd), res))
        self.assertEqual(self.d.wait_exit(), 0)

    def test_unknown_method(self):
        res, err = self.d.call('no-such-command', 'a', 'b')
        self.assertIsNone(res)
        self.assertIn('no-such-command', err)
        self.assert_alive()

    def test_huge_endless_message(self):
        """A client that sends one never-ending message is disconnected
        (the daemon bounds what it buffers) and the daemon carries on."""
        limit = 256 << 20
        chunk = b'x' * (1 << 20)
        sent = 0
        closed = False
        with self.d.client(timeout=10) as c:
            c.send_raw(b'{"method": "version", "params": ["')
            start = time.monotonic()
            try:
                while sent < limit and time.monotonic() - start < 60:
                    c.sock.settimeout(10)
                    c.sock.sendall(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                closed = True
            except socket.timeout:
                # The daemon stopped reading: it must close soon.
                closed = c.wait_closed(10)
            if not closed:
                closed = c.wait_closed(1)
        self.assertTrue(closed, 'still connected after sending %d MB'
                        % (sent >> 20))
        self.assert_alive()

    def test_client_never_reads(self):
        """A client that floods requests and never reads its replies does
        not block the daemon: other clients are answered meanwhile."""
        flood = self.d.client()
        try:
            flood.sock.setblocking(False)
            req = b'{"method":"dpctl/show","params":[],"id":0}' * 64
            sent = 0
            end = time.monotonic() + 3
            stalls = 0
            while time.monotonic() < end:
                try:
                    sent += flood.sock.send(req)
                except BlockingIOError:
                    stalls += 1
                    time.sleep(0.01)
                except (BrokenPipeError, ConnectionResetError):
                    break       # Disconnecting it is fine too.
                if stalls and stalls % 20 == 0:
                    # Meanwhile, others get answers promptly.
                    t0 = time.monotonic()
                    self.assertRegex(self.d.ctl('version', timeout=5),
                                     VERSION_RE)
                    self.assertLess(time.monotonic() - t0, 5)
            self.assertGreater(stalls, 0, 'the socket never filled up '
                               '(%d bytes sent)' % sent)
            self.assert_alive()
        finally:
            flood.close()
        self.assert_alive()

    def test_many_clients(self):
        clients = [self.d.client() for _ in range(50)]
        try:
            for i, c in enumerate(clients):
                c.send_request('version', [], id_=i)
            for i, c in enumerate(clients):
                self.assertEqual(c.recv_message()['id'], i)
        finally:
            for c in clients:
                c.close()
        self.assert_alive()

    def test_client_closes_before_reply(self):
        for _ in range(20):
            c = self.d.client()
            c.send_request('dpif-netdev/pmd-stats-show')
            c.close()
        self.assert_alive()


class ShutdownTest(unittest.TestCase):

    def shutdown(self, how):
        with st.Daemon() as d:
            d.start(ports=['n0 net_null0,no-rx=1'])
            self.assertEqual(d.stop(how), 0)
            self.assertFalse(os.path.exists(d.pidfile), 'pidfile left')
            self.assertFalse(os.path.exists(d.sock_path), 'socket left')

    def test_exit_command(self):
        self.shutdown('exit')

    def test_sigterm(self):
        self.shutdown('term')

    def test_sigint(self):
        self.shutdown('int')

    def test_sigterm_with_traffic(self):
        """SIGTERM while a PMD forwards traffic."""
        with st.Daemon() as d:
            gen = d.path('gen.pcap')
            st.pcapgen(gen, flows=64, count=1024)
            d.start(ports=['sink net_null0,no-rx=1',
                           'gen net_pcap0,rx_pcap=%s,infinite_rx=1 '
                           'n_mbuf=4096 mbuf_size=512' % gen],
                    outputs=['gen sink'])
            st.wait_for(lambda: d.counter('sink', 'tx') > 10000, 10,
                        what='traffic')
            self.assertEqual(d.stop('term'), 0)
            self.assertFalse(os.path.exists(d.pidfile))

    def test_detach(self):
        """--detach: the parent exits 0 once the daemon is ready."""
        with st.Daemon() as d:
            cmd = d.base_args() + ['--detach']
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=60)
            pid = None
            try:
                self.assertEqual(r.returncode, 0, r.stderr)
                # Ready when the parent returns: pidfile and socket exist.
                pid = st._read_int(d.pidfile, None)
                self.assertIsNotNone(pid, 'no pidfile after --detach')
                sock = d.path('sluiced.%d.ctl' % pid)
                with st.Client(sock) as c:
                    res, err = c.call('version')
                    self.assertRegex(res, VERSION_RE)
                    c.call_raw('exit')
                st.wait_for(lambda: not os.path.exists('/proc/%d' % pid),
                            20, what='detached daemon to exit')
                self.assertFalse(os.path.exists(d.pidfile))
                self.assertFalse(os.path.exists(sock))
            finally:
                if pid and os.path.exists('/proc/%d' % pid):
                    os.kill(pid, signal.SIGKILL)

    def test_bad_option(self):
        with st.Daemon() as d:
            r = subprocess.run(d.base_args() + ['--no-such-option'],
                               capture_output=True, timeout=30)
            self.assertNotEqual(r.returncode, 0)
            r = subprocess.run(d.base_args() + ['--port', 'x net_bogus0'],
                               capture_output=True, timeout=60)
            self.assertNotEqual(r.returncode, 0)
            self.assertFalse(os.path.exists(d.pidfile))


if __name__ == '__main__':
    st.main()
