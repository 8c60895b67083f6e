#!/usr/bin/python3
"""vhost-user ports for VMs, configured with ovs-vsctl, with dpdk-testpmd
(virtio_user) standing in for the VM: it sends back every frame it
receives (io forwarding, loop topology).

Frames from a net_pcap port go through the bridge to the guest and come
back, byte for byte; in client mode (dpdkvhostuserclient, the guest owns
the socket) traffic comes back after the guest is killed and restarted;
bad configuration ends in Interface.error with the daemon running.  The
guest needs hugepages (its memory is shared with the switch through the
socket): without them every test is skipped."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402
from test_openflow import OvsSwitch                 # noqa: E402

OVS_VSCTL = shutil.which('ovs-vsctl')
TESTPMD = shutil.which('dpdk-testpmd')
OVS_OFCTL = shutil.which('ovs-ofctl')
OVSDB_TOOL = shutil.which('ovsdb-tool')
OVS_VSWITCHD_DPDK = '/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk'
OVS_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'
HAVE_OVS_DPDK = bool(OVSDB_TOOL and st.OVSDB_SERVER
                     and os.access(OVS_VSWITCHD_DPDK, os.X_OK)
                     and os.path.exists(OVS_SCHEMA))
VSCTL_TIMEOUT = 30
N_FRAMES = 60


def frames(tag, n):
    return [st.make_frame(60 + (i * 37) % 400, tag, i) for i in range(n)]


def test_frames(path):
    """The test's frames in a pcap, without what the bridge's own tap port
    sent (IPv6 neighbour discovery and the like)."""
    return [p for p in st.read_pcap(path) if p[12:14] == b'\x88\xb5']


class Guest:
    """dpdk-testpmd with a virtio_user port on 'path' (server=1: it owns
    the socket) with 'queues' queue pairs of which it uses 'rxq' (default:
    all), forwarding every frame back where it came from ('fwd' io), or
    in another forwarding mode.  'mac' sets the port's MAC address;
    'extra_vdev' adds a second port (e.g. a net_pcap one) and 'args'
    testpmd options."""

    _n = 0

    def __init__(self, run_dir, path, server=False, queues=1, rxq=None,
                 fwd='io', mac=None, extra_vdev=None, args=(),
                 interactive=False):
        Guest._n += 1
        self.path = path
        self.server = server
        self.queues = queues
        self.rxq = rxq or queues
        self.fwd = fwd
        self.mac = mac
        self.extra_vdev = extra_vdev
        self.args = list(args)
        self.interactive = interactive
        self.log = os.path.join(run_dir, 'guest-%d.log' % Guest._n)
        self.proc = None
        self.prefix = 'guest%d_%d' % (os.getpid(), Guest._n)

    def start(self):
        vdev = 'net_virtio_user0,path=%s,queues=%d' % (self.path,
                                                       self.queues)
        if self.mac:
            vdev += ',mac=' + self.mac
        if self.server:
            vdev += ',server=1'
            # A guest killed leaves its socket behind; virtio_user does not
            # bind over it (QEMU removes it itself).
            if os.path.exists(self.path):
                os.unlink(self.path)
        # Little memory: hugepages are shared with other tests and switches.
        cmd = [TESTPMD, '-l', '0,1', '--in-memory', '--single-file-segments',
               '--no-pci', '-m', '96', '--file-prefix', self.prefix,
               '--vdev', vdev]
        if self.extra_vdev:
            cmd += ['--vdev', self.extra_vdev]
        cmd += ['--', '--forward-mode=' + self.fwd, '--nb-cores=1',
                '--total-num-mbufs=4096',
                '-i' if self.interactive else '--stats-period=1',
                '--rxq=%d' % self.rxq,
                '--txq=%d' % self.rxq]
        cmd += self.args or ['--port-topology=loop']
        log = open(self.log, 'ab')
        try:
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE if self.interactive
                else subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        return self

    def command(self, line):
        """A testpmd command ('interactive' guests)."""
        self.proc.stdin.write(line.encode() + b'\n')
        self.proc.stdin.flush()

    def forwarding(self):
        """testpmd prints statistics once it forwards."""
        with open(self.log, errors='replace') as f:
            return 'Port statistics' in f.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdin:
            self.proc.stdin.close()
        self.proc = None

    def kill(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def mempools(d):
    """memory/show's mempools: {name: in-use mbufs}."""
    return dict((m.group(1), int(m.group(2))) for m in re.finditer(
        r'^mempool (\S+): size:\d+ available:\d+ in-use:(\d+)$',
        d.ctl('memory/show'), re.M))


@unittest.skipUnless(OVS_VSCTL and TESTPMD,
                     'needs ovs-vsctl and dpdk-testpmd')
@unittest.skipIf(st.use_no_huge(), 'the testpmd guest needs hugepages')
class VhostTest(unittest.TestCase):

    def setUp(self):
        self.d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.d.start()
        self.remote = 'unix:' + self.d.path('db.sock')

    def vsctl(self, *args, check=True):
        cmd = [OVS_VSCTL, '--db=' + self.remote,
               '--timeout=%d' % VSCTL_TIMEOUT] + list(args)
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True,
                           timeout=VSCTL_TIMEOUT + 10)
        if check and r.returncode != 0:
            raise AssertionError('ovs-vsctl %s: %s' % (' '.join(args),
                                                      r.stderr))
        return r.stdout

    def get(self, table, record, column):
        return self.vsctl('--no-wait', 'get', table, record,
                          column).strip()

    def iface(self, name, *columns):
        out = self.vsctl('--no-wait', '--format=json',
                         '--columns=' + ','.join(columns), 'list',
                         'Interface', name)
        data = json.loads(out)
        return dict(zip(data['headings'], data['data'][0]))

    def guest(self, path, server=False, **kwargs):
        g = Guest(self.d.run_dir, path, server, **kwargs).start()
        self.addCleanup(g.stop)
        return g

    def ofctl(self, *args):
        r = subprocess.run([OVS_OFCTL] + list(args[:1])
                           + ['unix:' + self.d.path('br0.mgmt')]
                           + list(args[1:]), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise AssertionError('ovs-ofctl %s: %s' % (' '.join(args),
                                                      r.stderr))
        return r.stdout

    def port_no(self, name):
        """The datapath number of port 'name' (dpctl/show)."""
        m = re.search(r'^port (\d+): %s ' % re.escape(name),
                      self.d.ctl('dpctl/show'), re.M)
        self.assertIsNotNone(m, name)
        return int(m.group(1))

    def stats(self, name):
        """Interface.statistics of 'name', written every 100 ms."""
        self.vsctl('set', 'Open_vSwitch', '.',
                   'other_config:stats-update-interval=100')
        return dict(self.iface(name, 'statistics')['statistics'][1])

    def wait_link(self, name, state):
        st.wait_for(lambda: self.get('Interface', name, 'link_state')
                    == state, 30, what='%s link %s' % (name, state))

    def add_pcap_port(self, name, index, frames_in):
        src = self.d.path(name + '-in.pcap')
        out = self.d.path(name + '-out.pcap')
        st.write_pcap(src, frames_in)
        self.vsctl('add-port', 'br0', name, '--', 'set', 'Interface', name,
                   'type=dpdk', 'options:dpdk-devargs=net_pcap%d,rx_pcap=%s,'
                   'tx_pcap=%s' % (index, src, out))
        return out

    def wait_guest(self, vport):
        """Until the guest sends back what it gets: 'up' says the rings are
        set up, not that the guest polls them yet.  A port replaying one
        frame forever probes it, and goes again."""
        src = self.d.path('probe.pcap')
        st.write_pcap(src, frames(b'probe', 1))
        self.vsctl('add-port', 'br0', 'probe', '--', 'set', 'Interface',
                   'probe', 'type=dpdk', 'options:dpdk-devargs=net_pcap9,'
                   'rx_pcap=%s,infinite_rx=1' % src, 'options:n_mbuf=1024')
        before = self.d.counter(vport, 'rx')
        st.wait_for(lambda: self.d.counter(vport, 'rx') > before, 30,
                    what='the guest to answer on %s' % vport)
        self.vsctl('del-port', 'br0', 'probe')

    def round_trip(self, port, index, tag):
        """Frames into 'port', through the guest and back out of it (the
        guest answers already: wait_guest)."""
        want = frames(tag, N_FRAMES)
        out = self.add_pcap_port(port, index, want)
        st.wait_for(lambda: self.d.counter(port, 'tx') >= N_FRAMES, 30,
                    what='frames back from the guest')
        self.vsctl('del-port', 'br0', port)     # Closes (flushes) the file.
        st.wait_for(lambda: len(test_frames(out)) >= N_FRAMES, 10,
                    what='the pcap file written')
        got = [p for p in test_frames(out) if p[14:14 + len(tag)] == tag]
        self.assertEqual(sorted(got), sorted(want))

    def test_server_mode_round_trip(self):
        self.vsctl('add-br', 'br0', '--', 'add-port', 'br0', 'vh0', '--',
                   'set', 'Interface', 'vh0', 'type=dpdkvhostuser')
        sock = self.d.path('vh0')
        self.assertTrue(os.path.exists(sock))
        self.assertEqual(os.stat(sock).st_mode & 0o777, 0o600)
        self.assertEqual(self.get('Interface', 'vh0', 'error'), '[]')
        g = self.guest(sock)
        self.wait_link('vh0', 'up')
        self.wait_guest('vh0')
        # Interface.status as Open vSwitch writes it for vhost-user.
        status = dict(self.iface('vh0', 'status')['status'][1])
        self.assertEqual(status['socket'], sock)
        self.assertEqual(status['mode'], 'server')
        self.assertEqual(status['status'], 'connected')
        self.assertNotIn('driver_name', status)     # Nor does Open vSwitch.
        self.assertRegex(status['features'], r'^0x[0-9a-f]{16}$')
        self.assertEqual(status['num_of_vrings'], '2')
        self.assertIn(status['vring_0_size'], ('256', '512', '1024'))
        self.round_trip('p1', 1, b'server')
        self.assertIsNone(g.proc.poll())
        g.stop()
        self.wait_link('vh0', 'down')
        st.wait_for(lambda: dict(self.iface('vh0', 'status')['status'][1])
                    .get('status') == 'disconnected', 15,
                    what='status disconnected')
        self.assertTrue(self.d.running())

    def test_tx_retries(self):
        """A guest that stops taking packets (SIGSTOP) fills its ring:
        each burst that does not fit is tried again tx-retries times
        (default 8, as Open vSwitch), counted in statistics
        ovs_tx_retries; tx-retries=0 stops retrying, without restarting
        the port."""
        self.vsctl('add-br', 'br0', '--', 'add-port', 'br0', 'vh0', '--',
                   'set', 'Interface', 'vh0', 'type=dpdkvhostuser')
        g = self.guest(self.d.path('vh0'))
        self.wait_link('vh0', 'up')
        self.wait_guest('vh0')
        g.proc.send_signal(signal.SIGSTOP)
        self.addCleanup(lambda: g.proc and g.proc.send_signal(signal.SIGCONT))
        src = self.d.path('flood.pcap')
        st.write_pcap(src, frames(b'flood', 64))
        self.vsctl('add-port', 'br0', 'p1', '--', 'set', 'Interface', 'p1',
                   'type=dpdk', 'options:dpdk-devargs=net_pcap1,rx_pcap=%s,'
                   'infinite_rx=1' % src, 'options:n_mbuf=2048')

        def retries():
            self.vsctl('set', 'Open_vSwitch', '.',
                       'other_config:stats-update-interval=100')
            return int(self.d.counter('vh0', 'tx', 'retries'))
        st.wait_for(lambda: retries() > 0, 20, what='retries counted')
        shown = self.iface('vh0', 'statistics')['statistics'][1]
        self.assertIn('ovs_tx_retries', dict(shown))
        # Every short burst was tried 8 more times (a burst that fit in
        # the end counts retries but no short burst; counters are read
        # while traffic flows).
        tx = self.d.show()['vh0']['tx']
        self.assertGreaterEqual(tx['retries'], 8 * tx['short-bursts'] - 8,
                                tx)
        self.vsctl('set', 'Interface', 'vh0', 'options:tx-retries=0')
        time.sleep(0.5)
        before = self.d.show()['vh0']['tx']
        time.sleep(1)
        after = self.d.show()['vh0']['tx']
        self.assertGreater(after['short-bursts'], before['short-bursts'])
        self.assertEqual(after['retries'], before['retries'])
        with open(self.d.log_file) as f:
            self.assertIn('interface vh0: reconfigured', f.read())

    def circulate(self, b_queues):
        """Guests A (on vh0) and B (on vh1), each with two queue pairs, of
        which B uses 'b_queues', forward every frame back (io, loop); the
        bridge sends what comes from one to the other.  A starts with one
        burst of 32 frames on each of its tx queues (tx_first): 64 frames
        then go round A - Sluice - B - Sluice - A as fast as they can.
        Two PMDs (cores 0 and 1) poll queue q of both ports on core q, so
        each sends on a tx queue of its own.  No ring ever holds more than
        64 frames: every drop is a frame sent where nobody reads.  Returns
        the statistics of vh0 and vh1 after a second of that."""
        self.vsctl('set', 'Open_vSwitch', '.',
                   'other_config:pmd-cpu-mask=0x3')
        self.vsctl('add-br', 'br0', '--', 'set-fail-mode', 'br0', 'secure')
        for i in (0, 1):
            self.vsctl('add-port', 'br0', 'vh%d' % i, '--', 'set',
                       'Interface', 'vh%d' % i, 'type=dpdkvhostuser',
                       'options:n_rxq=2', 'ofport_request=%d' % (i + 1),
                       'other_config:pmd-rxq-affinity="0:0,1:1"')
        self.ofctl('add-flow', 'in_port=1,actions=output:2')
        self.ofctl('add-flow', 'in_port=2,actions=output:1')
        # The same as megaflows in both PMDs: a miss would be executed by
        # the control thread, which sends on tx queue 0.
        self.d.ctl('dpctl/add-flow', 'in_port(vh0)', 'vh1')
        self.d.ctl('dpctl/add-flow', 'in_port(vh1)', 'vh0')
        b = self.guest(self.d.path('vh1'), queues=2, rxq=b_queues)
        self.wait_link('vh1', 'up')
        st.wait_for(b.forwarding, 30, what='guest B forwarding')
        a = self.guest(self.d.path('vh0'), queues=2,
                       args=['--port-topology=loop', '--tx-first'])
        st.wait_for(lambda: self.stats('vh0').get('rx_packets', 0) > 1000,
                    30, what='frames going round')
        time.sleep(1)
        stats = [self.stats('vh%d' % i) for i in (0, 1)]
        self.assertIsNone(a.proc.poll())
        self.assertIsNone(b.proc.poll())
        for s in stats:
            self.assertEqual(s['tx_dropped'], 0, s)
            self.assertEqual(s.get('ovs_tx_failure_drops', 0), 0, s)
        # Still going round: not one of the 64 frames was lost.
        # (Statistics are written once a second.)
        later = self.stats('vh1')['tx_packets']
        st.wait_for(lambda: self.stats('vh1')['tx_packets'] > later, 5,
                    what='frames still going round')
        return stats

    def test_two_queue_pairs(self):
        """Guests with two queue pairs get frames on both and send on
        both; rte_vhost counts every vring; nothing is lost."""
        vh0, vh1 = self.circulate(2)
        for s in (vh0, vh1):
            for key in ('rx_q0_good_packets', 'rx_q1_good_packets',
                        'tx_q0_good_packets', 'tx_q1_good_packets'):
                self.assertGreater(s.get(key, 0), 0, (key, s))
            for d in ('rx', 'tx'):
                self.assertEqual(s['%s_packets' % d],
                                 s['%s_q0_good_packets' % d]
                                 + s['%s_q1_good_packets' % d], s)

    def test_guest_uses_one_of_two_queue_pairs(self):
        """A guest that enables only one of the two queue pairs it has
        still gets every frame: both PMDs send on the queue it reads
        (before the tx queue map, the frames of one were sent to a vring
        nobody read, and lost)."""
        vh0, vh1 = self.circulate(1)
        self.assertGreater(vh1['tx_q0_good_packets'], 0, vh1)
        self.assertEqual(vh1.get('tx_q1_good_packets', 0), 0, vh1)
        with open(self.d.log_file) as f:
            self.assertIn('vh1: the guest reads tx queues 0x1 and sends on '
                          'rx queues 0x1 (of 2)', f.read())
        self.assertRegex(self.d.ctl('dpctl/show'), r'port \d+: vh1 .*\n.*\n'
                         r'.*\n  vhost: polled rx queues 0x1, tx queue map 0 0')

    MTU_SIZES = (60, 1017, 1018, 1019, 1500)

    def test_mtu_and_port_status(self):
        """mtu_request on a vhost-user port: Interface.mtu says it, frames
        longer than the MTU plus Ethernet header and CRC (18 bytes, as
        Open vSwitch's max_packet_len) are dropped before the guest and
        counted (ovs_tx_mtu_exceeded_drops, tx_dropped).  The link follows
        the guest, and so does the OpenFlow port status."""
        self.vsctl('add-br', 'br0', '--', 'set-fail-mode', 'br0', 'secure',
                   '--', 'add-port', 'br0', 'vh0', '--', 'set', 'Interface',
                   'vh0', 'type=dpdkvhostuser', 'mtu_request=1000',
                   'ofport_request=10')
        self.assertEqual(self.get('Interface', 'vh0', 'error'), '[]')
        self.assertEqual(self.get('Interface', 'vh0', 'mtu'), '1000')
        self.assertEqual(self.get('Interface', 'vh0', 'link_state'), 'down')
        out = self.d.path('monitor.txt')
        with open(out, 'w') as f:
            # (A miss_send_len: a service connection gets asynchronous
            # messages only once it asked, as in Open vSwitch.)
            monitor = subprocess.Popen(
                [OVS_OFCTL, 'monitor', 'unix:' + self.d.path('br0.mgmt'),
                 '128'],
                stdin=subprocess.DEVNULL, stdout=f,
                stderr=subprocess.STDOUT,
                env=dict(os.environ, OVS_RUNDIR=self.d.run_dir))
        self.addCleanup(lambda: monitor.poll() is None and monitor.kill())
        time.sleep(0.5)
        g = self.guest(self.d.path('vh0'))
        self.wait_link('vh0', 'up')
        st.wait_for(g.forwarding, 30, what='the guest forwarding')
        self.ofctl('add-flow', 'in_port=1,actions=output:10')
        self.ofctl('add-flow', 'in_port=10,actions=output:1')
        want = [st.make_frame(n, b'mtu', n) for n in self.MTU_SIZES]
        src = self.d.path('p1-in.pcap')
        dst = self.d.path('p1-out.pcap')
        st.write_pcap(src, want)
        self.vsctl('add-port', 'br0', 'p1', '--', 'set', 'Interface', 'p1',
                   'type=dpdk', 'ofport_request=1',
                   'options:dpdk-devargs=net_pcap1,rx_pcap=%s,tx_pcap=%s'
                   % (src, dst))
        st.wait_for(lambda: self.stats('vh0').get(
            'ovs_tx_mtu_exceeded_drops') == 2, 20, what='2 MTU drops')
        st.wait_for(lambda: self.d.counter('p1', 'tx') >= 3, 20,
                    what='frames back')
        stats = self.stats('vh0')
        self.assertEqual((stats['tx_packets'], stats['tx_dropped']), (3, 2),
                         stats)
        self.vsctl('del-port', 'br0', 'p1')
        st.wait_for(lambda: len(test_frames(dst)) >= 3, 10,
                    what='the pcap file written')
        self.assertEqual(sorted(test_frames(dst)),
                         sorted(f for f in want if len(f) <= 1018))
        g.stop()
        self.wait_link('vh0', 'down')
        time.sleep(0.5)
        monitor.terminate()     # It flushes what it printed.
        monitor.wait()
        with open(out) as f:
            text = f.read()
        # OFPT_PORT_STATUS (MOD) for vh0: up when the guest came (state 0
        # in OpenFlow 1.0), down when it went.
        mods = [m for m in re.split(r'\n(?=\S)', text)
                if 'PORT_STATUS' in m and 'vh0' in m]
        states = [re.search(r'state:\s*(\S+)', m).group(1) for m in mods]
        self.assertEqual(states, ['0', 'LINK_DOWN'], text)

    def test_guest_vanishes_mid_traffic(self):
        """A guest killed (-9) while frames flow to it and from it costs
        the switch no crash and no mbuf: once the traffic stops, every pool
        has as many mbufs in use as before it started, and the traffic
        port's pool, freed when all its mbufs are back, goes."""
        self.vsctl('add-br', 'br0', '--', 'add-port', 'br0', 'vh0', '--',
                   'set', 'Interface', 'vh0', 'type=dpdkvhostuser')
        g = self.guest(self.d.path('vh0'))
        self.wait_link('vh0', 'up')
        self.wait_guest('vh0')
        time.sleep(1)   # The probe's last frames settle; its pool goes.
        before = mempools(self.d)
        vh0 = self.port_no('vh0')
        self.assertTrue(any(n.startswith('sl_p%s_' % vh0) for n in before),
                        before)
        src = self.d.path('flood.pcap')
        st.write_pcap(src, frames(b'flood', 64))
        self.vsctl('add-port', 'br0', 'p1', '--', 'set', 'Interface', 'p1',
                   'type=dpdk', 'options:dpdk-devargs=net_pcap1,rx_pcap=%s,'
                   'infinite_rx=1' % src, 'options:n_mbuf=2048')
        port_no = self.port_no('p1')
        st.wait_for(lambda: self.d.counter('vh0', 'rx') > 10000, 30,
                    what='frames from the guest')
        g.kill()
        self.wait_link('vh0', 'down')
        time.sleep(1)
        self.assertTrue(self.d.running())
        self.vsctl('del-port', 'br0', 'p1')
        pool = 'sl_p%s_' % port_no
        st.wait_for(lambda: not any(n.startswith(pool)
                                    for n in mempools(self.d)), 10,
                    what="p1's pool freed")
        after = mempools(self.d)
        self.assertLessEqual(set(after), set(before))   # (The probe's goes.)
        self.assertEqual(after, dict((k, before[k]) for k in after))
        # And a guest that comes back works.
        self.guest(self.d.path('vh0'))
        self.wait_link('vh0', 'up')
        self.wait_guest('vh0')

    def test_two_guests_through_a_bridge(self):
        """Two guests on a standalone bridge (NORMAL): guest A sends one
        burst of frames from its own MAC address to guest B's (testpmd
        tx_first), B hands everything it receives to a pcap file: all of
        A's frames are there, once each."""
        mac_a, mac_b = '02:00:00:00:0a:01', '02:00:00:00:0b:01'
        self.vsctl('add-br', 'br0', '--', 'add-port', 'br0', 'vh0', '--',
                   'set', 'Interface', 'vh0', 'type=dpdkvhostuser', '--',
                   'add-port', 'br0', 'vh1', '--', 'set', 'Interface', 'vh1',
                   'type=dpdkvhostuser')
        empty = self.d.path('empty.pcap')
        st.write_pcap(empty, [])
        out = self.d.path('guest-b.pcap')
        b = self.guest(self.d.path('vh1'), mac=mac_b,
                       extra_vdev='net_pcap0,rx_pcap=%s,tx_pcap=%s'
                       % (empty, out), args=['--port-topology=paired'])
        self.wait_link('vh1', 'up')
        st.wait_for(b.forwarding, 30, what='guest B forwarding')
        a = self.guest(self.d.path('vh0'), mac=mac_a, fwd='io',
                       args=['--port-topology=loop', '--tx-first',
                             '--eth-peer=0,' + mac_b])
        st.wait_for(lambda: self.d.counter('vh1', 'tx') >= 32, 30,
                    what="A's burst sent to B")
        time.sleep(0.5)
        b.stop()            # Closes (flushes) its pcap file.
        a_bytes = bytes.fromhex(mac_a.replace(':', ''))
        b_bytes = bytes.fromhex(mac_b.replace(':', ''))
        got = [p for p in st.read_pcap(out) if p[6:12] == a_bytes]
        self.assertEqual(len(got), 32, [p[:14].hex() for p in got])
        self.assertTrue(all(p[:6] == b_bytes for p in got))
        self.assertEqual(len(set(got)), 1)      # txonly: one frame, 32 times
        self.assertIsNone(a.proc.poll())

    def client_mode_guest(self):
        """A guest that owns its socket and a dpdkvhostuserclient port vc0
        on it, answering.  Returns the socket and the guest."""
        sock = self.d.path('guest.sock')
        g = self.guest(sock, server=True)
        st.wait_for(lambda: os.path.exists(sock), 30,
                    what='the guest socket')
        self.vsctl('add-br', 'br0', '--', 'add-port', 'br0', 'vc0', '--',
                   'set', 'Interface', 'vc0', 'type=dpdkvhostuserclient',
                   'options:vhost-server-path=' + sock)
        self.wait_link('vc0', 'up')
        self.wait_guest('vc0')
        return sock, g

    def test_client_mode_reconnects(self):
        sock, g = self.client_mode_guest()
        self.round_trip('p1', 1, b'client1')
        # The guest goes away and comes back: Sluice connects again.
        self.assertIn('vhost: polled rx queues 0x1, tx queue map 0 0 0',
                      self.d.ctl('dpctl/show'))
        g.kill()
        self.wait_link('vc0', 'down')
        # Its queues went with it: none polled, nothing sent to it.
        st.wait_for(lambda: 'vhost: polled rx queues 0x0, tx queue map -1 '
                    '-1' in self.d.ctl('dpctl/show'), 5,
                    what="the guest's queues gone")
        g2 = self.guest(sock, server=True)
        self.wait_link('vc0', 'up')
        self.wait_guest('vc0')
        self.assertIn('vhost: polled rx queues 0x1, tx queue map 0 0 0',
                      self.d.ctl('dpctl/show'))
        self.round_trip('p2', 2, b'client2')
        g2.stop()
        self.assertTrue(self.d.running())

    def test_switch_restart_under_a_client_mode_guest(self):
        """Operators upgrade the switch under running VMs: sluiced stops
        and starts again (same database), and the guest's traffic comes
        back with nothing done on the guest's side."""
        _, g = self.client_mode_guest()
        self.round_trip('p1', 1, b'before')
        t_stop = time.monotonic()
        self.assertEqual(self.d.stop(), 0)
        t_start = time.monotonic()
        self.d.start()
        t_ready = time.monotonic()
        self.wait_link('vc0', 'up')
        self.wait_guest('vc0')
        t_back = time.monotonic()
        print('traffic stopped %.2f s: exit %.2f s, start-up %.2f s, back '
              '%.2f s after ready' % (t_back - t_stop, t_start - t_stop,
                                      t_ready - t_start, t_back - t_ready),
              file=sys.stderr)
        self.round_trip('p2', 2, b'after')
        self.assertIsNone(g.proc.poll(), 'the guest had to restart')

    def test_bad_configuration(self):
        self.vsctl('add-br', 'br0')
        self.vsctl('add-port', 'br0', 'c1', '--', 'set', 'Interface', 'c1',
                   'type=dpdkvhostuserclient')
        self.assertIn('needs options:vhost-server-path',
                      self.get('Interface', 'c1', 'error'))
        self.vsctl('add-port', 'br0', 'c2', '--', 'set', 'Interface', 'c2',
                   'type=dpdkvhostuserclient',
                   'options:vhost-server-path=/nonexistent/dir/sock')
        self.assertIn('directory /nonexistent/dir does not exist',
                      self.get('Interface', 'c2', 'error'))
        sock = self.d.path('shared.sock')
        self.vsctl('add-port', 'br0', 'c3', '--', 'set', 'Interface', 'c3',
                   'type=dpdkvhostuserclient',
                   'options:vhost-server-path=' + sock)
        self.vsctl('add-port', 'br0', 'c4', '--', 'set', 'Interface', 'c4',
                   'type=dpdkvhostuserclient',
                   'options:vhost-server-path=' + sock)
        errors = [self.get('Interface', n, 'error') for n in ('c3', 'c4')]
        self.assertEqual(errors.count('[]'), 1, errors)
        self.assertIn('is already used by interface',
                      ''.join(e for e in errors if e != '[]'))
        self.assertTrue(self.d.running())
        # The error goes once the configuration is right.
        self.vsctl('set', 'Interface', 'c1',
                   'options:vhost-server-path=' + self.d.path('c1.sock'))
        self.assertEqual(self.get('Interface', 'c1', 'error'), '[]')


class OvsDpdk(OvsSwitch):
    """Debian's ovsdb-server and ovs-vswitchd-dpdk (Open vSwitch 3.1 with
    DPDK: the oracle) in a temporary directory, the switch in a network
    namespace of its own, with one PMD on core 1 that sleeps when idle.
    Stopped (and its directory removed) as test_openflow's OvsSwitch."""

    def vsctl(self, *args):
        r = subprocess.run([OVS_VSCTL, '--db=' + self.remote,
                            '--timeout=%d' % VSCTL_TIMEOUT] + list(args),
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=VSCTL_TIMEOUT + 10)
        if r.returncode != 0:
            raise AssertionError('ovs-vsctl %s: %s\n%s'
                                 % (' '.join(args), r.stderr, self.log()))
        return r.stdout

    def start(self):
        db = self.path('conf.db')
        subprocess.run([OVSDB_TOOL, 'create', db, OVS_SCHEMA], check=True,
                       capture_output=True, timeout=30)
        self.db_server = st.DebianOvsdbServer(self.dir, db)
        self.remote = self.db_server.remote
        self.vsctl('--no-wait', 'init', '--', 'set', 'Open_vSwitch', '.',
                   'other_config:dpdk-init=true',
                   'other_config:dpdk-extra="--in-memory --no-pci"',
                   'other_config:dpdk-socket-mem=256',
                   'other_config:dpdk-lcore-mask=0x1',
                   'other_config:pmd-cpu-mask=0x2',
                   'other_config:pmd-maxsleep=1000')
        env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_DBDIR=self.dir,
                   OVS_LOGDIR=self.dir)
        with open(self.path('vswitchd.console'), 'wb') as log:
            self.vswitchd = subprocess.Popen(
                ['unshare', '--net', '--', OVS_VSWITCHD_DPDK,
                 'unix:' + self.db_server.sock,
                 '--pidfile=' + self.path('ovs-vswitchd.pid'),
                 '--unixctl=' + self.path('ovs-vswitchd.ctl'),
                 '--log-file=' + self.path('ovs-vswitchd.log'),
                 '-vconsole:off'], env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        return self


@unittest.skipUnless(OVS_VSCTL and OVS_OFCTL and TESTPMD and HAVE_OVS_DPDK,
                     'needs Open vSwitch with DPDK and dpdk-testpmd')
@unittest.skipIf(st.use_no_huge(), 'the guest and OVS need hugepages')
class VhostOvsDiffTest(unittest.TestCase):
    """The same vhost-user set-up in Open vSwitch 3.1 with DPDK and in
    Sluice: a client-mode port (mtu_request=1000) to a guest that counts
    what it gets (rxonly), frames of sizes around the MTU from another
    guest.  Both switches must agree on what they deliver and drop, and
    write the same Interface.statistics keys with the same drop and size
    counts and the same Interface.status, with the guest there and after
    it went."""

    SIZES = (60, 100, 1017, 1018, 1019, 1500)

    def run_switch(self, vsctl, ofctl, run_dir, stats):
        """Drives one switch; 'stats' reads vh0's statistics."""
        sock = os.path.join(run_dir, 'guest.sock')
        g = Guest(run_dir, sock, server=True, fwd='rxonly').start()
        self.addCleanup(g.stop)
        st.wait_for(lambda: os.path.exists(sock), 30,
                    what='the guest socket')
        vsctl('add-br', 'br0', '--', 'set', 'Bridge', 'br0',
              'datapath_type=netdev', 'fail_mode=secure', '--',
              'add-port', 'br0', 'vh0', '--', 'set', 'Interface', 'vh0',
              'type=dpdkvhostuserclient', 'mtu_request=1000',
              'options:vhost-server-path=' + sock, 'ofport_request=10')
        st.wait_for(lambda: vsctl('--no-wait', 'get', 'Interface', 'vh0',
                                  'link_state').strip() == 'up', 30,
                    what='vh0 up')
        st.wait_for(g.forwarding, 30, what='the guest polling')
        ofctl('add-flow', 'in_port=2,actions=output:10')
        # The frames come from a second guest replaying a pcap file (a
        # switch reading a pcap port races its own set-up).
        src = os.path.join(run_dir, 'diff-in.pcap')
        st.write_pcap(src, [st.make_frame(n, b'diff', n)
                            for n in self.SIZES])
        sock1 = os.path.join(run_dir, 'sender.sock')
        sender = Guest(run_dir, sock1, server=True, extra_vdev=(
            'net_pcap0,rx_pcap=%s,tx_pcap=%s'
            % (src, os.path.join(run_dir, 'diff-out.pcap'))),
            args=['--port-topology=paired', '--no-flush-rx'],
            interactive=True).start()
        self.addCleanup(sender.stop)
        st.wait_for(lambda: os.path.exists(sock1), 30,
                    what='the sender socket')
        vsctl('add-port', 'br0', 'vh1', '--', 'set', 'Interface', 'vh1',
              'type=dpdkvhostuserclient', 'ofport_request=2',
              'options:vhost-server-path=' + sock1)
        st.wait_for(lambda: vsctl('--no-wait', 'get', 'Interface', 'vh1',
                                  'link_state').strip() == 'up', 30,
                    what='vh1 up')
        time.sleep(1)
        sender.command('start')
        result = {}

        def settled():
            s = stats()
            result['with'] = s
            return (s.get('tx_packets', 0) + s.get('tx_dropped', 0)
                    >= len(self.SIZES))
        st.wait_for(settled, 30, what='the frames sent or dropped')
        time.sleep(6)       # Open vSwitch writes statistics every 5 s.
        result['with'] = stats()
        result['mtu'] = vsctl('--no-wait', 'get', 'Interface', 'vh0',
                              'mtu').strip()
        result['status with'] = self.status_of(vsctl)
        sender.stop()
        g.stop()
        st.wait_for(lambda: vsctl('--no-wait', 'get', 'Interface', 'vh0',
                                  'link_state').strip() == 'down', 30,
                    what='vh0 down')
        time.sleep(6)
        result['without'] = stats()
        result['status without'] = self.status_of(vsctl)
        return result

    def status_of(self, vsctl):
        """Interface.status of vh0 but for the values that depend on the
        guest's memory and what each switch offers it."""
        out = vsctl('--no-wait', '--format=json', '--columns=status',
                    'list', 'Interface', 'vh0')
        status = dict(json.loads(out)['data'][0][0][1])
        for k in ('socket', 'features', 'numa'):
            if k in status:
                status[k] = '*'
        return status

    def stats_of(self, vsctl):
        out = vsctl('--no-wait', '--format=json', '--columns=statistics',
                    'list', 'Interface', 'vh0')
        return dict(json.loads(out)['data'][0][0][1])

    def test_same_as_open_vswitch(self):
        ovs = OvsDpdk()
        self.addCleanup(ovs.stop)
        ovs.start()

        def ovs_ofctl(*args):
            subprocess.run([OVS_OFCTL, args[0],
                            'unix:' + ovs.path('br0.mgmt')] + list(args[1:]),
                           check=True, capture_output=True, timeout=30)
        st.wait_for(lambda: os.path.exists(ovs.path('db.sock')), 10,
                    what='ovsdb-server')
        theirs = self.run_switch(
            ovs.vsctl, lambda *a: (st.wait_for(
                lambda: os.path.exists(ovs.path('br0.mgmt')), 30,
                what='ovs br0.mgmt'), ovs_ofctl(*a)), ovs.dir,
            lambda: self.stats_of(ovs.vsctl))
        ovs.stop()

        d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, d)
        d.start()
        remote = 'unix:' + d.path('db.sock')

        def vsctl(*args):
            r = subprocess.run([OVS_VSCTL, '--db=' + remote,
                                '--timeout=%d' % VSCTL_TIMEOUT] + list(args),
                               stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, timeout=VSCTL_TIMEOUT + 10)
            self.assertEqual(r.returncode, 0, r.stderr)
            return r.stdout

        def ofctl(*args):
            subprocess.run([OVS_OFCTL, args[0], 'unix:' + d.path('br0.mgmt')]
                           + list(args[1:]), check=True, capture_output=True,
                           timeout=30)
        vsctl('set', 'Open_vSwitch', '.',
              'other_config:stats-update-interval=1000')
        ours = self.run_switch(vsctl, ofctl, d.run_dir,
                               lambda: self.stats_of(vsctl))
        self.assertEqual(ours['mtu'], theirs['mtu'])
        for when in ('with', 'without'):
            self.assertEqual(sorted(ours[when]), sorted(theirs[when]),
                             when)
            self.assertEqual(ours['status ' + when], theirs['status ' + when])
        counted = [k for k in theirs['with']
                   if 'drop' in k or k.startswith('tx_')
                   and ('_to_' in k or k in ('tx_packets', 'tx_bytes'))]
        self.assertEqual(dict((k, ours['with'][k]) for k in counted),
                         dict((k, theirs['with'][k]) for k in counted))
        self.assertEqual(ours['with']['ovs_tx_mtu_exceeded_drops'], 2)


if __name__ == '__main__':
    st.main()
