#!/usr/bin/python3
"""OpenFlow controllers from the Controller table, against a real sluiced:
a controller written here on raw sockets (OpenFlow 1.3) is connected to
(ovs-vsctl set-controller), gets packet-ins for table misses it asked for,
answers with a flow-mod and packet-outs, and the frames come out of the
port it chose, byte for byte; the Controller row reports the connection
and the role the controller took; Bridge protocols limits the versions
its connections negotiate.  Controller loss: a standalone bridge
falls back to NORMAL after three inactivity probes (fail-open) and leaves
it when a controller is back; a secure one keeps dropping.  Each daemon
runs in its own run directory and network namespace; the controller
listens on a unix socket in the run directory.  TLS: ssl: and pssl:
controllers use the SSL row's files (ovs-vsctl set-ssl), a new row
reconnects them with the new files, and without a row an ssl: controller
reports why in its Controller row; the TLS peer runs inside the daemon's
namespace (TLS_PEER, started with nsenter)."""

import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

OVS_VSCTL = shutil.which('ovs-vsctl')
OVS_OFCTL = shutil.which('ovs-ofctl')
VSCTL_TIMEOUT = 30

OFP13 = 4
OFPT_HELLO, OFPT_ERROR, OFPT_ECHO_REQUEST, OFPT_ECHO_REPLY = 0, 1, 2, 3
OFPT_FEATURES_REQUEST, OFPT_FEATURES_REPLY = 5, 6
OFPT_SET_CONFIG, OFPT_PACKET_IN, OFPT_PACKET_OUT, OFPT_FLOW_MOD = 9, 10, 13, 14
OFPT_BARRIER_REQUEST, OFPT_BARRIER_REPLY = 20, 21
OFPT_ROLE_REQUEST, OFPT_ROLE_REPLY = 24, 25
OFPP_CONTROLLER = 0xfffffffd
OFPCML_NO_BUFFER = 0xffff


def header(type_, length, xid):
    return struct.pack('!BBHI', OFP13, type_, length, xid)


def msg(type_, body=b'', xid=0):
    return header(type_, 8 + len(body), xid) + body


def oxm_match(fields=b''):
    """An OXM ofp_match with the given TLVs, padded to 8 bytes."""
    length = 4 + len(fields)
    m = struct.pack('!HH', 1, length) + fields
    return m + b'\0' * ((8 - len(m) % 8) % 8)


def oxm_in_port(port):
    return struct.pack('!HBBI', 0x8000, 0 << 1, 4, port)


def action_output(port, max_len=0):
    return struct.pack('!HHIH6x', 0, 16, port, max_len)


def inst_apply(actions):
    return struct.pack('!HH4x', 4, 8 + len(actions)) + actions


def flow_mod(match, insts, priority, cookie=0):
    body = struct.pack('!QQBBHHHIIIH2x', cookie, 0, 0, 0, 0, 0, priority,
                       0xffffffff, 0xffffffff, 0xffffffff, 0)
    return msg(OFPT_FLOW_MOD, body + match + insts)


def packet_out(in_port, actions, data):
    body = struct.pack('!IIH6x', 0xffffffff, in_port, len(actions))
    return msg(OFPT_PACKET_OUT, body + actions + data)


class Controller:
    """A minimal OpenFlow 1.3 controller on a unix socket: answers echo
    requests, records packet-ins, and lets the test send anything."""

    def __init__(self, path):
        self.path = path
        if os.path.exists(path):
            os.unlink(path)
        self.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.lsock.bind(path)
        self.lsock.listen(4)
        self.conn = None
        self.packet_ins = []
        self.replies = []
        self.lock = threading.Lock()
        self.stop = False
        self.thread = None

    def accept(self, timeout=20):
        self.lsock.settimeout(timeout)
        self.conn, _ = self.lsock.accept()
        self.conn.settimeout(None)
        self.send(msg(OFPT_HELLO, struct.pack('!HHI', 1, 8, 1 << OFP13)))
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def send(self, data):
        self.conn.sendall(data)

    def _recv_exact(self, n):
        buf = b''
        while len(buf) < n:
            chunk = self.conn.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def _read(self):
        try:
            while not self.stop:
                head = self._recv_exact(8)
                version, type_, length, xid = struct.unpack('!BBHI', head)
                body = self._recv_exact(length - 8)
                if type_ == OFPT_ECHO_REQUEST:
                    self.send(header(OFPT_ECHO_REPLY, length, xid) + body)
                    continue
                with self.lock:
                    if type_ == OFPT_PACKET_IN:
                        self.packet_ins.append(body)
                    else:
                        self.replies.append((type_, xid, body))
        except (EOFError, OSError):
            pass

    def wait_reply(self, type_, xid, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for r in self.replies:
                    if r[0] == type_ and r[1] == xid:
                        return r[2]
                    if r[0] == OFPT_ERROR and r[1] == xid:
                        raise AssertionError('error reply: %r' % (r[2],))
            time.sleep(0.02)
        raise AssertionError('no reply of type %d to xid %d' % (type_, xid))

    def close(self):
        self.stop = True
        for s in (self.conn, self.lsock):
            if s:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
        self.conn = None


def parse_packet_in(body):
    """(reason, table_id, cookie, in_port, frame) of an OF1.3 packet-in."""
    buffer_id, total_len, reason, table_id, cookie = struct.unpack(
        '!IHBBQ', body[:16])
    mtype, mlen = struct.unpack('!HH', body[16:20])
    fields = body[20:16 + mlen]
    in_port = None
    while len(fields) >= 4:
        cls, fh, flen = struct.unpack('!HBB', fields[:4])
        if cls == 0x8000 and fh >> 1 == 0:
            in_port = struct.unpack('!I', fields[4:8])[0]
        fields = fields[4 + flen:]
    mpad = (mlen + 7) // 8 * 8
    frame = body[16 + mpad + 2:]
    return reason, table_id, cookie, in_port, frame


@unittest.skipUnless(OVS_VSCTL, 'needs ovs-vsctl (openvswitch-switch)')
class ControllerTest(unittest.TestCase):

    def setUp(self):
        self.d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.d.start()
        self.remote = 'unix:' + self.d.path('db.sock')
        self.ctrl_path = self.d.path('ctrl.sock')
        self.ctrl = Controller(self.ctrl_path)
        self.addCleanup(lambda: self.ctrl.close())

    def vsctl(self, *args, wait=True):
        cmd = [OVS_VSCTL, '--db=' + self.remote,
               '--timeout=%d' % VSCTL_TIMEOUT]
        if not wait:
            cmd.append('--no-wait')
        r = subprocess.run(cmd + list(args), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True,
                           timeout=VSCTL_TIMEOUT + 10)
        if r.returncode != 0:
            raise AssertionError('ovs-vsctl %s: %s' % (' '.join(args),
                                                        r.stderr))
        return r.stdout

    def add_dpdk_port(self, bridge, name, devargs):
        self.vsctl('add-port', bridge, name, '--', 'set', 'Interface', name,
                   'type=dpdk', 'options:dpdk-devargs=' + devargs)

    def megaflow_actions(self):
        return re.findall(r'actions:(\S+)', self.d.ctl('dpctl/dump-flows'))

    def test_packet_in_flow_mod_packet_out(self):
        # Longer than a controller's default miss_send_len (128): the
        # action's max_len (no buffer) sends the whole frame.
        want = [st.make_frame(200 + i, 'ctrl', i) for i in range(6)]
        st.write_pcap(self.d.path('in.pcap'), want)
        self.vsctl('add-br', 'br0', '--', 'set', 'Bridge', 'br0',
                   'fail_mode=secure')
        self.add_dpdk_port('br0', 'out',
                           'net_pcap1,tx_pcap=' + self.d.path('out.pcap'))
        snoop = self.start_snoop('br0')
        own_snoop = self.start_snoop('br0', [st.SLUICECTL, '--run-dir',
                                             self.d.run_dir, 'snoop'])
        monitor = self.start_snoop('br0', [
            'stdbuf', '-oL', OVS_OFCTL, '-O', 'OpenFlow13', 'monitor'],
            ['65535'])
        own_monitor = self.start_snoop('br0', [
            st.SLUICECTL, '--run-dir', self.d.run_dir, 'monitor'],
            ['65535'])
        self.vsctl('set-controller', 'br0', 'unix:' + self.ctrl_path)
        self.ctrl.accept()
        # Table miss to the controller, whole frames.
        self.ctrl.send(flow_mod(oxm_match(), inst_apply(
            action_output(OFPP_CONTROLLER, OFPCML_NO_BUFFER)), 0))
        self.ctrl.send(msg(OFPT_BARRIER_REQUEST, xid=7))
        self.ctrl.wait_reply(OFPT_BARRIER_REPLY, 7)
        st.wait_for(lambda: self.vsctl('--no-wait', 'get', 'Controller',
                                       'br0', 'is_connected').strip()
                    == 'true', 15, what='Controller.is_connected')
        self.add_dpdk_port('br0', 'in',
                           'net_pcap2,rx_pcap=' + self.d.path('in.pcap'))
        in_port = int(self.vsctl('--no-wait', 'get', 'Interface', 'in',
                                 'ofport'))
        out_port = int(self.vsctl('--no-wait', 'get', 'Interface', 'out',
                                  'ofport'))
        st.wait_for(lambda: len(self.ctrl.packet_ins) >= len(want), 15,
                    what='%d packet-ins' % len(want))
        frames = []
        for body in self.ctrl.packet_ins[:len(want)]:
            reason, table_id, cookie, port, frame = parse_packet_in(body)
            self.assertEqual(reason, 1)         # OFPR_ACTION.
            self.assertEqual(table_id, 0)
            self.assertEqual(port, in_port)
            frames.append(frame)
        self.assertEqual(frames, want)
        # The controller sends them on with packet-outs, and installs a
        # rule so that later frames need not come up.
        for f in frames:
            self.ctrl.send(packet_out(in_port, action_output(out_port), f))
        self.ctrl.send(flow_mod(oxm_match(oxm_in_port(in_port)),
                                inst_apply(action_output(out_port)), 10))
        self.ctrl.send(msg(OFPT_BARRIER_REQUEST, xid=8))
        self.ctrl.wait_reply(OFPT_BARRIER_REPLY, 8)
        st.wait_for(lambda: self.d.counter('out', 'tx') >= len(want), 15,
                    what='packet-outs on the wire')
        self.vsctl('del-port', 'out')
        got = [p for p in st.read_pcap(self.d.path('out.pcap'))
               if p[12:14] == b'\x88\xb5']
        self.assertEqual(got, want)
        # ovs-ofctl snoop saw both directions of the controller's
        # connection, as ovs-vswitchd shows them: what the switch sent
        # (packet-ins, barrier replies) and what the controller sent
        # (flow_mods, packet-outs, barriers); not the HELLOs.
        seen = snoop()
        counts = {t: len(re.findall(r'^%s \(OF1\.3\)' % t, seen, re.M))
                  for t in ('OFPT_HELLO', 'OFPT_PACKET_IN',
                            'OFPT_FLOW_MOD', 'OFPT_PACKET_OUT',
                            'OFPT_BARRIER_REQUEST', 'OFPT_BARRIER_REPLY')}
        self.assertEqual(counts, {
            'OFPT_HELLO': 0, 'OFPT_PACKET_IN': len(want),
            'OFPT_FLOW_MOD': 2, 'OFPT_PACKET_OUT': len(want),
            'OFPT_BARRIER_REQUEST': 2, 'OFPT_BARRIER_REPLY': 2}, seen)
        # 'sluicectl snoop' and 'sluicectl monitor BRIDGE 65535', on the
        # same streams, print what ovs-ofctl prints (but its log line about
        # its signal); the monitors saw packet-ins and port status.
        def ofctl_text(text):
            return re.sub(r'(?m)^\d{4}-\d\d-\d\dT.*\n', '', text)
        self.assertEqual(own_snoop(), ofctl_text(seen))
        mon = ofctl_text(monitor())
        self.assertEqual(mon.count('OFPT_PACKET_IN'), len(want), mon)
        self.assertEqual(mon.count('OFPT_PORT_STATUS'), 2, mon)
        self.assertEqual(own_monitor(), mon)

    def start_snoop(self, bridge, tool=None, args=()):
        """'ovs-ofctl snoop BRIDGE' (RUN_DIR/BRIDGE.snoop), or 'tool'
        (argv) in its place, in the background; returns a function that
        stops it and returns what it printed."""
        self.n_snoops = getattr(self, 'n_snoops', 0) + 1
        out = open(self.d.path('snoop%d.out' % self.n_snoops), 'w+')
        self.addCleanup(out.close)
        env = dict(os.environ, OVS_RUNDIR=self.d.run_dir)
        argv = tool or ['stdbuf', '-oL', OVS_OFCTL, '-O', 'OpenFlow13',
                        'snoop']
        n_before = int(re.search(r'connections: (\d+) now', self.d.ctl(
            'ofproto/stats', bridge)).group(1))
        proc = subprocess.Popen(
            argv + [bridge] + list(args), stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=env, start_new_session=True)

        def stop():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        self.addCleanup(stop)
        st.wait_for(lambda: 'connections: %d now' % (n_before + 1)
                    in self.d.ctl('ofproto/stats', bridge)
                    or proc.poll() is not None, 10, what='snoop connected')
        if proc.poll() is not None:
            with open(out.name, errors='replace') as f:
                self.fail('%s exited: %s' % (argv[-1], f.read()))

        def text():
            time.sleep(0.3)
            stop()
            with open(out.name, errors='replace') as f:
                return f.read()
        return text

    def test_role_and_status(self):
        self.vsctl('add-br', 'br0')
        self.vsctl('set', 'Open_vSwitch', '.',
                   'other_config:stats-update-interval=1000')
        self.vsctl('set-controller', 'br0', 'unix:' + self.ctrl_path)
        self.ctrl.accept()
        gen = 5
        self.ctrl.send(msg(OFPT_ROLE_REQUEST,
                           struct.pack('!I4xQ', 2, gen), xid=3))
        body = self.ctrl.wait_reply(OFPT_ROLE_REPLY, 3)
        self.assertEqual(struct.unpack('!I4xQ', body), (2, gen))
        # A stale generation id is refused.
        self.ctrl.send(msg(OFPT_ROLE_REQUEST,
                           struct.pack('!I4xQ', 2, gen - 1), xid=4))
        with self.assertRaises(AssertionError):
            self.ctrl.wait_reply(OFPT_ROLE_REPLY, 4, timeout=3)
        st.wait_for(lambda: self.vsctl('--no-wait', 'get', 'Controller',
                                       'br0', 'role').strip() == 'master',
                    15, what='Controller.role master')
        status = self.vsctl('--no-wait', 'get', 'Controller', 'br0',
                            'status')
        self.assertIn('state=ACTIVE', status)
        self.assertEqual(self.vsctl('--no-wait', 'get', 'Controller', 'br0',
                                    'is_connected').strip(), 'true')

    def check_fail_mode(self, mode, want_normal):
        """With the controller gone for three inactivity probes (1 s
        each), a standalone bridge forwards by NORMAL, a secure one
        drops."""
        self.vsctl('add-br', 'br0', '--', 'set', 'Bridge', 'br0',
                   'fail_mode=' + mode)
        self.add_dpdk_port('br0', 'out', 'net_null1,no-rx=1')
        self.vsctl('set-controller', 'br0', 'unix:' + self.ctrl_path, '--',
                   'set', 'Controller', 'br0', 'inactivity_probe=1000',
                   'max_backoff=1000')
        self.ctrl.accept()
        # The controller's own table: drop everything.
        self.ctrl.send(flow_mod(oxm_match(), b'', 0))
        self.ctrl.send(msg(OFPT_BARRIER_REQUEST, xid=9))
        self.ctrl.wait_reply(OFPT_BARRIER_REPLY, 9)
        # Frames with real addresses (NORMAL drops net_null's all-zero
        # ones, as Open vSwitch does), again and again.
        st.write_pcap(self.d.path('in.pcap'),
                      [st.make_frame(64, 'fail', 0)])
        self.add_dpdk_port('br0', 'in', 'net_pcap2,rx_pcap=%s,infinite_rx=1'
                           % self.d.path('in.pcap'))
        out = self.d.show()['out']['port_no']
        st.wait_for(lambda: 'drop' in self.megaflow_actions(), 15,
                    what='the controller\'s drop')
        self.ctrl.close()
        os.unlink(self.ctrl_path)
        if want_normal:
            st.wait_for(lambda: str(out) in self.megaflow_actions()
                        or 'out' in self.megaflow_actions(), 20,
                        what='fail-open: NORMAL floods to out')
            with open(self.d.log_file) as f:
                self.assertIn('fail-open', f.read())
            # A controller back ends it: its drop rule is in force again.
            self.ctrl = Controller(self.ctrl_path)
            self.ctrl.accept(timeout=20)
            st.wait_for(lambda: 'drop' in self.megaflow_actions(), 20,
                        what='the table again once a controller is back')
        else:
            time.sleep(5)
            self.assertEqual(set(self.megaflow_actions()), {'drop'})

    def test_bridge_protocols(self):
        """Bridge protocols: ovs-ofctl without -O (OpenFlow 1.0 only) is
        refused with HELLO_FAILED when only OpenFlow13 is allowed; with -O
        OpenFlow13 it is served."""
        ofctl = shutil.which('ovs-ofctl')
        if not ofctl:
            self.skipTest('needs ovs-ofctl')
        self.vsctl('add-br', 'br0')
        mgmt = 'unix:' + self.d.path('br0.mgmt')

        def show(*opts):
            return subprocess.run([ofctl, '--timeout=10'] + list(opts)
                                  + ['show', mgmt], capture_output=True,
                                  text=True, timeout=30)
        self.assertEqual(show().returncode, 0)
        self.vsctl('set', 'Bridge', 'br0', 'protocols=OpenFlow13')
        r = show()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('version negotiation failed', r.stderr)
        r = show('-O', 'OpenFlow13')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('OFPT_FEATURES_REPLY (OF1.3)', r.stdout)
        self.vsctl('clear', 'Bridge', 'br0', 'protocols')
        self.assertEqual(show().returncode, 0)

    def test_standalone_fails_open(self):
        self.check_fail_mode('standalone', True)

    def test_secure_stays_closed(self):
        self.check_fail_mode('secure', False)


# A TLS OpenFlow 1.3 peer, run in the daemon's namespace: listens (or,
# with "connect", connects) on 127.0.0.1:PORT with KEY, CERT and CA
# (requiring the other side's certificate), exchanges HELLOs, asks for
# the features and prints the datapath id the switch gave.
TLS_PEER = r"""
import socket, ssl, struct, sys
mode, port, key, cert, ca = sys.argv[1:6]
server = mode == 'listen'
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server
                     else ssl.PROTOCOL_TLS_CLIENT)
ctx.load_cert_chain(cert, key)
ctx.load_verify_locations(ca)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_REQUIRED
if server:
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', int(port)))
    ls.listen(1)
    ls.settimeout(40)
    raw, _ = ls.accept()
else:
    raw = socket.create_connection(('127.0.0.1', int(port)), timeout=40)
raw.settimeout(40)
s = ctx.wrap_socket(raw, server_side=server)
def recv(n):
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise SystemExit('connection closed')
        b += c
    return b
s.sendall(struct.pack('!BBHI', 4, 0, 8, 1))
s.sendall(struct.pack('!BBHI', 4, 5, 8, 77))
while True:
    v, t, n, xid = struct.unpack('!BBHI', recv(8))
    body = recv(n - 8)
    if t == 1:
        raise SystemExit('error %r' % body)
    if t == 2:
        s.sendall(struct.pack('!BBHI', v, 3, n, xid) + body)
    if t == 6 and xid == 77:
        print('%016x' % struct.unpack('!Q', body[:8])[0])
        break
s.close()
"""


@unittest.skipUnless(OVS_VSCTL and shutil.which('openssl')
                     and shutil.which('nsenter'),
                     'needs ovs-vsctl, openssl and nsenter')
class TlsControllerTest(unittest.TestCase):

    def setUp(self):
        from test_ovsdb import make_pki
        self.d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.pki = {}
        for name in ('a', 'b'):
            self.pki[name] = self.d.path(name)
            os.mkdir(self.pki[name])
            make_pki(self.pki[name])
        self.script = self.d.path('tls_peer.py')
        with open(self.script, 'w') as f:
            f.write(TLS_PEER)
        self.d.start()
        self.remote = 'unix:' + self.d.path('db.sock')

    vsctl = ControllerTest.vsctl

    def set_ssl(self, name):
        p = self.pki[name]
        self.vsctl('set-ssl', os.path.join(p, 'server-key.pem'),
                   os.path.join(p, 'server-cert.pem'),
                   os.path.join(p, 'ca.pem'))

    def peer(self, mode, port, name):
        """The TLS peer with PKI 'name's client files, started."""
        p = self.pki[name]
        proc = subprocess.Popen(
            ['nsenter', '-t', str(self.d.pid), '-n', '--', sys.executable,
             self.script, mode, str(port),
             os.path.join(p, 'client-key.pem'),
             os.path.join(p, 'client-cert.pem'), os.path.join(p, 'ca.pem')],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        return proc

    def features(self, proc):
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        return out.strip()

    def status(self):
        return self.vsctl('--no-wait', 'get', 'Controller', 'br0', 'status')

    def test_ssl_controller(self):
        self.vsctl('add-br', 'br0', '--', 'set', 'Bridge', 'br0',
                   'fail_mode=secure')
        dpid = self.vsctl('get', 'Bridge', 'br0',
                          'datapath_id').strip().strip('"')
        # No SSL row: the controller says why, the daemon goes on.
        self.vsctl('set-controller', 'br0', 'ssl:127.0.0.1:6653')
        st.wait_for(lambda: 'SSL is not configured' in self.status(), 15,
                    what='last_error of an ssl: controller without SSL')
        with open(self.d.log_file) as f:
            self.assertIn('SSL is not configured', f.read())
        self.assertTrue(self.d.running())
        # The SSL row comes: the switch connects over TLS.
        peer = self.peer('listen', 6653, 'a')
        time.sleep(0.5)
        self.set_ssl('a')
        self.assertEqual(self.features(peer), dpid)
        # A new SSL row: the switch reconnects with its files (a peer of
        # the new CA only is served).
        peer = self.peer('listen', 6653, 'b')
        time.sleep(0.5)
        self.set_ssl('b')
        self.assertEqual(self.features(peer), dpid)
        # pssl: the switch listens; a peer connects with TLS.
        self.vsctl('set-controller', 'br0', 'pssl:6654:127.0.0.1')

        def pssl_served():
            proc = self.peer('connect', 6654, 'b')
            out, _ = proc.communicate(timeout=60)
            return proc.returncode == 0 and out.strip() == dpid
        st.wait_for(pssl_served, 30, what='a pssl: controller served')
        self.assertTrue(self.d.running())


if __name__ == '__main__':
    st.main()
