#!/usr/bin/python3
"""Resources under hostile use: nothing leaks when ports come and go, and
clients cannot take the file descriptors the control socket needs.

- Every port type that can be made here (net_null, net_ring, net_pcap,
  and, in the daemon's own network namespace, net_tap and net_af_packet on
  a veth pair) is added and removed 1,000 times in all (about 15 s), some
  reconfigured or carrying traffic on the way: DPDK's heap (bytes and
  allocations), memzones, mempools and the daemon's open file descriptors
  (memory/show) come back to where they were.  Before the fix, each
  net_null cycle leaked (queues x size) bytes of DPDK memory and each
  net_ring cycle 15 memzones.
- net_null's size= out of range is refused with a clear error, from
  dpctl/add-if and from OVSDB.
- With the open file limit lowered (prlimit), OVSDB clients are refused
  while the last descriptors stay for the control socket, which still
  answers; with every descriptor taken, the control thread does not spin
  (it did, at 99% CPU) and answers again once clients go.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

OVS_VSCTL = shutil.which('ovs-vsctl')
PRLIMIT = shutil.which('prlimit')

# Cycles per port type: 1,000 in all.
CYCLES = {'null': 300, 'ring': 250, 'pcap': 200, 'tap': 150,
          'af_packet': 100}
# Figures of memory/show that must come back.
CHECKED = ('dpdk-heap-allocated', 'dpdk-allocations', 'memzones',
           'mempools', 'fds')


def memory(d):
    text = d.ctl('memory/show')
    return dict((k, int(v)) for k, v in
                re.findall(r'([a-z-]+):(-?\d+)', text))


def checked(d):
    m = memory(d)
    return tuple(m[k] for k in CHECKED)


class PortCyclesTest(unittest.TestCase):

    def setUp(self):
        self.d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.d.start()
        for cmd in (['ip', 'link', 'add', 'va', 'type', 'veth', 'peer',
                     'name', 'vb'],
                    ['ip', 'link', 'set', 'va', 'up'],
                    ['ip', 'link', 'set', 'vb', 'up']):
            self.d.in_netns(cmd)
        self.pcap = self.d.path('in.pcap')
        st.write_pcap(self.pcap, st.mixed_frames(b'res', 20))

    def devargs(self, kind, i):
        if kind == 'null':
            # Sizes change: a leak would grow with them.
            return 'net_null%d,no-rx=1,size=%d' % (i % 4, 64 + i % 1900)
        if kind == 'ring':
            return 'net_ring%d' % (i % 7)
        if kind == 'pcap':
            return 'net_pcap%d,rx_pcap=%s,tx_pcap=%s' % (
                i % 3, self.pcap, self.d.path('out%d.pcap' % (i % 3)))
        if kind == 'tap':
            return 'net_tap%d,iface=slt%d' % (i % 3, i % 3)
        return 'net_af_packet%d,iface=va' % (i % 2)

    def cycle(self, c, kind, i):
        def call(*args):
            result, error = c.call(*args)
            self.assertIsNone(error, '%s: %s' % (' '.join(args), error))
        call('dpctl/add-if', 'p', self.devargs(kind, i), 'n_mbuf=1024')
        if i % 10 == 1 and kind in ('null', 'ring'):
            call('dpctl/set-if', 'p', 'n_rxq=2', 'n_rxq_desc=512')
        if i % 25 == 2 and kind == 'ring':
            # Traffic into the ring (a loopback that keeps what is sent to
            # its second tx queue): what it holds goes back to the pools.
            call('dpctl/add-if', 'src', 'net_null9', 'n_mbuf=1024')
            call('dpctl/set-if-output', 'src', 'p')
            call('dpctl/set-if-output', 'p', 'drop')
            time.sleep(0.05)
            call('dpctl/del-if', 'src')
        call('dpctl/del-if', 'p')

    def test_add_remove_every_port_type(self):
        d = self.d
        with d.client() as c:
            # What the first port of each type makes for good (ethdev's
            # shared data, mbuf dynamic fields) is not a leak.
            for kind in CYCLES:
                self.cycle(c, kind, 0)
        before = st.wait_stable(lambda: checked(d), settle=1.5,
                                what='memory figures before')
        start = time.monotonic()
        n = 0
        with d.client() as c:
            for kind, count in CYCLES.items():
                for i in range(count):
                    self.cycle(c, kind, i)
                    n += 1
        elapsed = time.monotonic() - start
        print('%d add/remove cycles in %.1f s' % (n, elapsed),
              file=sys.stderr)
        self.assertEqual(n, 1000)
        # Pools come back once their mbufs have (reaped every second).
        after = st.wait_stable(lambda: checked(d), settle=1.5, timeout=20,
                               what='memory figures after')
        self.assertEqual(dict(zip(CHECKED, after)),
                         dict(zip(CHECKED, before)))
        self.assertTrue(d.running())


class NullSizeTest(unittest.TestCase):

    def setUp(self):
        self.d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.d.start()

    def test_size_out_of_range_refused(self):
        d = self.d
        before = memory(d)
        for size in ('5000000', '0', '-1', '2049', 'lots'):
            error = d.ctl_error('dpctl/add-if', 'n',
                                'net_null0,size=' + size)
            self.assertIn('size=%s: must be a number from 14 to 2048'
                          % size, error)
        # mbuf_size sets the bound.
        d.ctl('dpctl/add-if', 'n', 'net_null0,size=9000', 'mbuf_size=9300')
        d.ctl('dpctl/del-if', 'n')
        after = st.wait_stable(lambda: memory(d)['dpdk-heap-allocated'],
                               settle=1.5)
        self.assertEqual(after, before['dpdk-heap-allocated'])

    @unittest.skipUnless(OVS_VSCTL, 'needs ovs-vsctl (openvswitch-switch)')
    def test_size_out_of_range_refused_from_ovsdb(self):
        d = self.d
        db = '--db=unix:' + d.path('db.sock')

        def vsctl(*args):
            return subprocess.run([OVS_VSCTL, db, '--timeout=20'] +
                                  list(args), capture_output=True,
                                  text=True, timeout=30)
        self.assertEqual(vsctl('add-br', 'br0').returncode, 0)
        before = memory(d)
        for i in range(5):
            vsctl('add-port', 'br0', 'n1', '--', 'set', 'Interface', 'n1',
                  'type=dpdk', 'options:dpdk-devargs=net_null0,size=5000000')
            r = vsctl('--no-wait', 'get', 'Interface', 'n1', 'error')
            self.assertIn('must be a number from 14 to 2048', r.stdout)
            self.assertEqual(vsctl('del-port', 'br0', 'n1').returncode, 0)
        after = memory(d)
        self.assertEqual(after['dpdk-heap-allocated'],
                         before['dpdk-heap-allocated'])


def control_thread_cpu(pid):
    """CPU seconds the control thread (the main thread) has used."""
    with open('/proc/%d/task/%d/stat' % (pid, pid)) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    ticks = os.sysconf('SC_CLK_TCK')
    return (int(fields[11]) + int(fields[12])) / ticks


class DescriptorReserveTest(unittest.TestCase):

    def setUp(self):
        self.d = st.Daemon()
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.d.start()
        self.socks = []
        self.addCleanup(self.close_all)

    def close_all(self):
        for s in self.socks:
            s.close()
        self.socks = []

    def ovsdb_connect(self):
        """A connection to db.sock; True if the server keeps it (answers
        an echo), False if it closed it at once."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(self.d.path('db.sock'))
        self.socks.append(s)
        s.sendall(json.dumps({'method': 'echo', 'params': [],
                              'id': 1}).encode())
        try:
            return bool(s.recv(4096))
        except (ConnectionResetError, socket.timeout):
            return False

    def ctl_connect(self):
        """A control connection; True if it is served within 1 s."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(1)
        try:
            s.connect(self.d.sock_path)
        except (BlockingIOError, socket.timeout, ConnectionRefusedError):
            s.close()
            return False
        self.socks.append(s)
        s.sendall(json.dumps({'method': 'version', 'params': [],
                              'id': 1}).encode())
        try:
            return bool(s.recv(4096))
        except socket.timeout:
            return False

    @unittest.skipUnless(PRLIMIT, 'needs prlimit (util-linux)')
    def test_clients_cannot_starve_the_control_socket(self):
        d = self.d
        fds = memory(d)['fds']
        limit = fds + 100
        subprocess.run([PRLIMIT, '--pid', str(d.pid),
                        '--nofile=%d:%d' % (limit, limit)], check=True)
        self.assertEqual(memory(d)['fd-limit'], limit)

        # OVSDB clients get descriptors until only the reserve is left.
        kept = 0
        while self.ovsdb_connect():
            kept += 1
            self.assertLess(kept, 100)
        self.assertGreater(kept, 30)
        with open(d.log_file, errors='replace') as f:
            log = f.read()
        self.assertIn('the last ones are kept for the control socket', log)
        # The administrator still gets in, with ovs-appctl too.
        self.assertIn('Sluice', d.ctl('version'))
        if st.OVS_APPCTL:
            r = d.appctl('version')
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn('Sluice', r.stdout)
        m = memory(d)
        self.assertGreaterEqual(limit - m['fds'], 20)
        self.assertGreaterEqual(m['connections-refused'], 1)

        # The control socket takes the rest; then nothing is accepted, and
        # the control thread waits instead of spinning.
        served = 0
        while self.ctl_connect():
            served += 1
            self.assertLess(served, 100)
        cpu0 = control_thread_cpu(d.pid)
        time.sleep(1.0)
        used = control_thread_cpu(d.pid) - cpu0
        self.assertLess(used, 0.3, 'control thread used %.2f s of CPU in '
                        '1 s while out of descriptors' % used)

        # Clients go: the control socket answers again.
        self.close_all()
        st.wait_for(lambda: d.call('version', timeout=5)[1] is None, 10,
                    what='the control socket to answer again')
        self.assertTrue(d.running())


if __name__ == '__main__':
    st.main()
