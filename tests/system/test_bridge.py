#!/usr/bin/python3
"""Bridges from OVSDB: topologies built with Debian's ovs-vsctl (waiting
for the configuration to be applied, always with --timeout) and with
sluicectl drive the datapath; status comes back in the Interface, Bridge
and Open_vSwitch rows; bad configuration ends in an error column, never a
crash; a restarted daemon comes back with the same ofports.  Each daemon
runs in its own run directory and network namespace."""

import json
import os
import re
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

OVS_VSCTL = shutil.which('ovs-vsctl')
VSCTL_TIMEOUT = 30


def frames(tag, n):
    return [st.make_frame(60 + (i * 37) % 400, tag, i) for i in range(n)]


@unittest.skipUnless(OVS_VSCTL, 'needs ovs-vsctl (openvswitch-switch)')
class BridgeTest(unittest.TestCase):

    def setUp(self):
        self.d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.d.start()
        self.remote = 'unix:' + self.d.path('db.sock')

    # -- helpers ----------------------------------------------------------

    def vsctl_run(self, *args, wait=True):
        cmd = [OVS_VSCTL, '--db=' + self.remote,
               '--timeout=%d' % VSCTL_TIMEOUT]
        if not wait:
            cmd.append('--no-wait')
        return subprocess.run(cmd + list(args), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True,
                              timeout=VSCTL_TIMEOUT + 10)

    def vsctl(self, *args, wait=True):
        r = self.vsctl_run(*args, wait=wait)
        if r.returncode != 0:
            raise AssertionError('ovs-vsctl %s: status %d: %s'
                                 % (' '.join(args), r.returncode, r.stderr))
        return r.stdout

    def get(self, table, record, column):
        out = self.vsctl('--no-wait', 'get', table, record, column).strip()
        return out

    def get_json(self, table, record, *columns):
        out = self.vsctl('--format=json', '--columns=' + ','.join(columns),
                         'list', table, record, wait=False)
        data = json.loads(out)
        return dict(zip(data['headings'], data['data'][0]))

    def ofport(self, iface):
        return int(self.get('Interface', iface, 'ofport'))

    def error(self, iface):
        return self.get('Interface', iface, 'error')

    def add_dpdk_port(self, bridge, name, devargs, *extra):
        args = ['add-port', bridge, name, '--', 'set', 'Interface', name,
                'type=dpdk', 'options:dpdk-devargs=' + devargs] + list(extra)
        return self.vsctl(*args)

    def source(self, index):
        """Devargs of a net_pcap port that sends frames from one station
        to another without end (NORMAL drops net_null's frames, which go
        from 00:00:00:00:00:00 to itself, as Open vSwitch does)."""
        path = self.d.path('source.pcap')
        if not os.path.exists(path):
            st.write_pcap(path, frames('source', 64))
        return 'net_pcap%d,rx_pcap=%s,infinite_rx=1' % (index, path)

    def read_log(self):
        with open(self.d.log_file, errors='replace') as f:
            return f.read()

    def dp_ports(self):
        return self.d.show()

    def wait_tx(self, port, n):
        st.wait_for(lambda: self.d.counter(port, 'tx') >= n, 20,
                    what='%d packets out of %s' % (n, port))

    def read_test_frames(self, path):
        """The test's frames in a pcap file, without what the kernel's
        side of the bridge's tap port sent (IPv6 ND and the like)."""
        return [p for p in st.read_pcap(path) if p[12:14] == b'\x88\xb5']

    # -- tests --------------------------------------------------------------

    def test_add_br_and_port_status(self):
        self.vsctl('add-br', 'br0')
        self.add_dpdk_port('br0', 'p1', 'net_null1,no-rx=1')
        show = self.vsctl('show')
        self.assertIn('Bridge br0', show)
        self.assertIn('Interface p1', show)
        self.assertNotIn('error', show)

        self.assertEqual(self.ofport('br0'), 65534)
        self.assertEqual(self.ofport('p1'), 1)
        row = self.get_json('Interface', 'p1', 'link_state', 'admin_state',
                            'mtu', 'mac_in_use', 'status', 'error')
        self.assertEqual(row['link_state'], 'up')
        self.assertEqual(row['admin_state'], 'up')
        self.assertEqual(row['mtu'], 1500)
        self.assertRegex(row['mac_in_use'], r'^([0-9a-f]{2}:){5}[0-9a-f]{2}$')
        status = dict(row['status'][1])
        self.assertEqual(status['driver_name'], 'net_null')
        self.assertEqual(row['error'], ['set', []])

        # The bridge's own port is a tap device in the namespace, with the
        # bridge's MAC, which also makes its datapath_id.
        local = self.get_json('Interface', 'br0', 'mac_in_use', 'status')
        self.assertEqual(dict(local['status'][1])['driver_name'], 'net_tap')
        link = self.d.in_netns(['ip', '-o', 'link', 'show', 'br0']).stdout
        self.assertIn(local['mac_in_use'], link)
        dpid = self.get('Bridge', 'br0', 'datapath_id').strip('"')
        self.assertEqual(dpid, '0000' + local['mac_in_use'].replace(':', ''))

        root = self.get_json('Open_vSwitch', '.', 'cur_cfg', 'next_cfg',
                             'dpdk_initialized', 'iface_types',
                             'datapath_types', 'dpdk_version')
        self.assertEqual(root['cur_cfg'], root['next_cfg'])
        self.assertTrue(root['dpdk_initialized'])
        self.assertIn('DPDK 22.11', root['dpdk_version'])
        types = root['iface_types'][1]
        for t in ('dpdk', 'internal', 'patch', 'tap', 'dpdkvhostuser',
                  'dpdkvhostuserclient'):
            self.assertIn(t, types)
        self.assertNotIn('vxlan', types)
        self.assertEqual(root['datapath_types'], 'netdev')

        self.assertEqual(set(self.dp_ports()), {'br0', 'p1'})
        self.vsctl('del-port', 'br0', 'p1')
        self.assertEqual(set(self.dp_ports()), {'br0'})
        self.vsctl('del-br', 'br0')
        self.assertEqual(self.dp_ports(), {})

    def test_flood_between_ports_byte_for_byte(self):
        want = frames('flood', 40)
        st.write_pcap(self.d.path('in.pcap'), want)
        self.vsctl('add-br', 'br0')
        self.add_dpdk_port('br0', 'out1',
                           'net_pcap1,tx_pcap=' + self.d.path('out1.pcap'))
        self.add_dpdk_port('br0', 'out2',
                           'net_pcap2,tx_pcap=' + self.d.path('out2.pcap'))
        # The input last, so its packets find every output in place.
        self.add_dpdk_port('br0', 'in',
                           'net_pcap3,rx_pcap=' + self.d.path('in.pcap'))
        self.wait_tx('out1', len(want))
        self.wait_tx('out2', len(want))
        # Closing the ports flushes their pcap files.
        self.vsctl('del-port', 'out1', '--', 'del-port', 'out2')
        for name in ('out1', 'out2'):
            got = self.read_test_frames(self.d.path(name + '.pcap'))
            st.assert_forwarded(self, got, want, what=name)
        stats = self.d.pmd_stats()
        self.assertEqual(st.pmd_sum(stats, 'upcall_ring_full'), 0)

    def test_patch_ports_join_bridges(self):
        want = frames('patch', 30)
        st.write_pcap(self.d.path('in.pcap'), want)
        self.vsctl('add-br', 'br0', '--', 'add-br', 'br1')
        self.add_dpdk_port('br1', 'out1',
                           'net_pcap1,tx_pcap=' + self.d.path('out1.pcap'))
        self.vsctl('add-port', 'br0', 'patch0', '--',
                   'set', 'Interface', 'patch0', 'type=patch',
                   'options:peer=patch1', '--',
                   'add-port', 'br1', 'patch1', '--',
                   'set', 'Interface', 'patch1', 'type=patch',
                   'options:peer=patch0')
        row = self.get_json('Interface', 'patch0', 'link_state', 'ofport')
        self.assertEqual(row['link_state'], 'up')
        self.assertGreater(row['ofport'], 0)
        # Patch ports are not datapath ports.
        self.assertNotIn('patch0', self.dp_ports())
        self.add_dpdk_port('br0', 'in',
                           'net_pcap2,rx_pcap=' + self.d.path('in.pcap'))
        self.wait_tx('out1', len(want))
        self.vsctl('del-port', 'out1')
        got = self.read_test_frames(self.d.path('out1.pcap'))
        st.assert_forwarded(self, got, want, what='out1 through the patch')

        # A patch whose peer does not point back is down.
        self.vsctl('set', 'Interface', 'patch1', 'options:peer=nowhere')
        row = self.get_json('Interface', 'patch0', 'link_state')
        self.assertEqual(row['link_state'], 'down')

    def test_bad_configuration_ends_in_error_columns(self):
        self.vsctl('add-br', 'br0')
        self.add_dpdk_port('br0', 'good', 'net_null1,no-rx=1')
        cases = [
            (['add-port', 'br0', 'u1', '--', 'set', 'Interface', 'u1',
              'type=frobnicate'], "unknown interface type 'frobnicate'"),
            (['add-port', 'br0', 'v1', '--', 'set', 'Interface', 'v1',
              'type=vxlan'], 'not supported yet'),
            (['add-port', 'br0', 'b1', '--', 'set', 'Interface', 'b1',
              'type=dpdk', 'options:dpdk-devargs=no_such_driver0'],
             'no_such_driver0'),
            (['add-port', 'br0', 'n1', '--', 'set', 'Interface', 'n1',
              'type=dpdk'], 'needs options:dpdk-devargs'),
            (['add-port', 'br0', 'q1', '--', 'set', 'Interface', 'q1',
              'type=dpdk', 'options:dpdk-devargs=net_null2,no-rx=1',
              'options:n_rxq=lots'], 'n_rxq'),
        ]
        for args, why in cases:
            r = self.vsctl_run(*args)
            # ovs-vsctl reports the row's error and does not hang.
            self.assertIn('Error detected while setting up', r.stderr, args)
            name = args[2]
            self.assertIn(why, self.error(name))
            self.assertEqual(self.ofport(name), -1)
            self.assertNotIn(name, self.dp_ports())
        self.assertTrue(self.d.running())
        self.assertIn('good', self.dp_ports())
        self.assertEqual(self.error('good'), '[]')

        # Two interfaces asking for the same OpenFlow port number: as in
        # Open vSwitch the second gets a free number, and its error column
        # says why it did not get the one it asked for.
        self.add_dpdk_port('br0', 'r1', 'net_null3,no-rx=1',
                           'ofport_request=7')
        self.add_dpdk_port('br0', 'r2', 'net_null4,no-rx=1',
                           'ofport_request=7')
        self.assertEqual(self.ofport('r1'), 7)
        r2 = self.ofport('r2')
        self.assertGreater(r2, 0)
        self.assertNotEqual(r2, 7)
        self.assertIn('ofport_request 7 is already taken', self.error('r2'))
        self.assertIn('r2', self.dp_ports())
        # Fixed: the warning goes away.
        self.vsctl('set', 'Interface', 'r2', 'ofport_request=8')
        self.assertEqual(self.ofport('r2'), 8)
        self.assertEqual(self.error('r2'), '[]')

        # A fixed row works without a restart.
        self.vsctl('set', 'Interface', 'u1', 'type=dpdk',
                   'options:dpdk-devargs=net_null5,no-rx=1')
        self.assertEqual(self.error('u1'), '[]')
        self.assertGreater(self.ofport('u1'), 0)
        self.assertIn('u1', self.dp_ports())

    def test_ofports_survive_restart(self):
        self.vsctl('add-br', 'br0')
        self.add_dpdk_port('br0', 'a', 'net_null1,no-rx=1')
        self.add_dpdk_port('br0', 'b', 'net_null2,no-rx=1')
        self.add_dpdk_port('br0', 'c', 'net_null3,no-rx=1',
                           'ofport_request=10')
        self.add_dpdk_port('br0', 'e', 'net_null4,no-rx=1')
        self.vsctl('del-port', 'b')
        before = {n: self.ofport(n) for n in ('br0', 'a', 'c', 'e')}
        self.assertEqual(before, {'br0': 65534, 'a': 1, 'c': 10, 'e': 3})

        self.d.stop()
        self.d.start()
        # The first pass runs right after start-up; cur_cfg catches up.
        st.wait_for(lambda: set(self.dp_ports()) == set(before), 10,
                    what='ports reopened')
        self.vsctl('set', 'Open_vSwitch', '.', 'external_ids:x=1')
        after = {n: self.ofport(n) for n in ('br0', 'a', 'c', 'e')}
        self.assertEqual(after, before)
        # A new port takes the lowest free number, the one 'b' left.
        self.add_dpdk_port('br0', 'f', 'net_null5,no-rx=1')
        self.assertEqual(self.ofport('f'), 2)

    def test_ports_come_and_go_while_traffic_flows(self):
        st.write_pcap(self.d.path('in.pcap'), frames('live', 64))
        self.vsctl('add-br', 'br0')
        self.add_dpdk_port('br0', 'out1', 'net_null1,no-rx=1')
        self.add_dpdk_port('br0', 'in',
                           'net_pcap2,rx_pcap=%s,infinite_rx=1'
                           % self.d.path('in.pcap'))
        st.wait_for(lambda: self.d.counter('out1', 'tx') > 1000, 20,
                    what='traffic through out1')
        for i in range(3):
            name = 'x%d' % i
            self.add_dpdk_port('br0', name, 'net_null%d,no-rx=1' % (10 + i))
            try:
                st.wait_for(lambda: self.d.counter(name, 'tx') > 1000,
                            20, what='traffic through ' + name)
            except AssertionError as e:
                raise AssertionError('%s\n%s\n%s\n%s\n%s' % (
                    e, self.d.ctl('dpctl/dump-flows'),
                    self.d.ctl('dpctl/show'),
                    self.d.ctl('dpif-netdev/pmd-rxq-show'),
                    self.d.ctl('dpif-netdev/pmd-stats-show')))
            self.vsctl('del-port', name)
            self.assertNotIn(name, self.dp_ports())
        base = self.d.counter('out1', 'tx')
        st.wait_for(lambda: self.d.counter('out1', 'tx') > base + 1000, 20,
                    what='out1 still forwarding')

    def test_statistics_refresh(self):
        self.vsctl('set', 'Open_vSwitch', '.',
                   'other_config:stats-update-interval=1000')
        self.vsctl('add-br', 'br0')
        self.add_dpdk_port('br0', 'out1', 'net_null1,no-rx=1')
        self.add_dpdk_port('br0', 'in', self.source(2))

        def tx():
            row = self.get_json('Interface', 'out1', 'statistics')
            return dict(row['statistics'][1]).get('tx_packets', 0)
        first = tx()
        st.wait_for(lambda: tx() > first, 10, what='statistics refreshed')
        stats = dict(self.get_json('Interface', 'in',
                                   'statistics')['statistics'][1])
        for key in ('rx_packets', 'rx_bytes', 'rx_dropped', 'rx_errors',
                    'tx_packets', 'tx_bytes', 'tx_dropped', 'tx_errors'):
            self.assertIn(key, stats)

    def test_kernel_interface_through_af_packet(self):
        self.d.in_netns(['ip', 'link', 'add', 'veth0', 'type', 'veth',
                         'peer', 'name', 'veth1'])
        self.d.in_netns(['ip', 'link', 'set', 'veth0', 'up'])
        self.d.in_netns(['ip', 'link', 'set', 'veth1', 'up'])
        self.vsctl('add-br', 'br0')
        self.add_dpdk_port('br0', 'out1',
                           'net_pcap1,tx_pcap=' + self.d.path('out1.pcap'))
        self.vsctl('add-port', 'br0', 'veth0')
        self.assertEqual(self.error('veth0'), '[]')
        row = self.get_json('Interface', 'veth0', 'status', 'link_state')
        self.assertEqual(dict(row['status'][1])['driver_name'],
                         'net_af_packet')
        # Frames sent into veth1 come in on veth0 and are flooded.
        want = frames('veth', 20)
        sender = ('import socket,sys\n'
                  's = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n'
                  's.bind(("veth1", 0))\n'
                  'data = open(sys.argv[1], "rb").read()\n'
                  'n = 0\n'
                  'while data:\n'
                  '    size = int.from_bytes(data[:2], "big")\n'
                  '    s.send(data[2:2 + size]); data = data[2 + size:]\n')
        blob = b''.join(len(f).to_bytes(2, 'big') + f for f in want)
        with open(self.d.path('frames.bin'), 'wb') as f:
            f.write(blob)
        self.d.in_netns(['/usr/bin/python3', '-c', sender,
                         self.d.path('frames.bin')])
        self.wait_tx('out1', len(want))
        self.vsctl('del-port', 'out1')
        got = self.read_test_frames(self.d.path('out1.pcap'))
        st.assert_forwarded(self, got, want, what='veth1 -> out1')

    def test_sluicectl_builds_a_bridge(self):
        # A kernel interface to add, as "sluicectl add-port br7 p7" means.
        self.d.in_netns(['ip', 'link', 'add', 'p7', 'type', 'veth',
                         'peer', 'name', 'p7peer'])
        for args in (('add-br', 'br7'), ('add-port', 'br7', 'p7')):
            r = self.d.sluicectl(*args)
            self.assertEqual(r.returncode, 0, r.stderr)
        st.wait_for(lambda: {'br7', 'p7'} <= set(self.dp_ports()), 10,
                    what='sluicectl topology in the datapath')
        self.assertEqual(self.error('p7'), '[]')
        self.assertEqual(self.ofport('p7'), 1)
        show = self.vsctl('show')
        self.assertRegex(show, re.compile(r'Bridge br7.*Interface p7', re.S))
        r = self.d.sluicectl('del-br', 'br7')
        self.assertEqual(r.returncode, 0, r.stderr)
        st.wait_for(lambda: not self.dp_ports(), 10,
                    what='br7 gone from the datapath')

    def test_eal_settings_from_database_at_start_up(self):
        self.vsctl('set', 'Open_vSwitch', '.',
                   'other_config:dpdk-lcore-mask=0x2',
                   'other_config:dpdk-socket-mem=300')
        self.d.stop()
        self.d.start()
        log = self.read_log()
        # No --control-core on the command line: the database's mask.
        self.assertIn('control core 1 from other_config:dpdk-lcore-mask',
                      log)
        self.assertRegex(log, r'EAL arguments: .* -l 1[ ,]')
        # --memory is on the command line: it wins.
        self.assertNotIn('MB of DPDK memory from other_config', log)
        # A later change cannot reach EAL: the log says so.
        self.vsctl('set', 'Open_vSwitch', '.',
                   'other_config:dpdk-lcore-mask=0x1')
        st.wait_for(lambda: 'dpdk-lcore-mask changed to 0x1'
                    in self.read_log(), 10,
                    what='restart warning in the log')
        self.assertTrue(self.d.running())

    def test_queues_and_mtu_change_live(self):
        self.vsctl('add-br', 'br0')
        self.add_dpdk_port('br0', 'p1', 'net_null1,no-rx=1')
        self.vsctl('set', 'Interface', 'p1', 'options:n_rxq=2',
                   'mtu_request=2000')
        port = self.dp_ports()['p1']
        self.assertEqual(port['n_rxq'], 2)
        self.assertEqual(port['mtu'], 2000)
        self.assertEqual(int(self.get('Interface', 'p1', 'mtu')), 2000)
        rxqs = self.d.ctl('dpif-netdev/pmd-rxq-show')
        self.assertEqual(len(re.findall(r'port: p1 ', rxqs)), 2, rxqs)
        self.assertEqual(self.ofport('p1'), 1)
        self.vsctl('remove', 'Interface', 'p1', 'options', 'n_rxq')
        self.assertEqual(self.dp_ports()['p1']['n_rxq'], 1)
        self.assertEqual(self.ofport('p1'), 1)


    def rxq_state(self):
        """pmd-rxq-show as {core: (isolated, [(port, queue)])}."""
        text = self.d.ctl('dpif-netdev/pmd-rxq-show')
        isolated = {int(c): v == 'true' for c, v in re.findall(
            r'core_id (\d+):\n  isolated : (true|false)\n', text)}
        queues = st.parse_rxq_show(text)
        self.assertEqual(sorted(isolated), sorted(queues), text)
        return {c: (isolated[c], sorted(queues[c])) for c in queues}

    def wait_rxq_state(self, want, what):
        try:
            st.wait_for(lambda: self.rxq_state() == want, 20, what=what)
        except AssertionError as e:
            raise AssertionError('%s\nwant %s\n%s' % (
                e, want, self.d.ctl('dpif-netdev/pmd-rxq-show')))

    def wait_received_on(self, cores, what):
        """Each PMD of 'cores' receives packets from now on."""
        base = {p['core_id']: p['packets received']
                for p in self.d.pmd_stats()}
        st.wait_for(lambda: all(
            p['packets received'] > base.get(p['core_id'], 0) + 1000
            for p in self.d.pmd_stats() if p['core_id'] in cores), 20,
            what=what)

    def test_pmd_rxq_affinity(self):
        """Interface other_config:pmd-rxq-affinity pins queues of a
        two-queue net_null port to the PMDs of cores 1 and 0 (PMDs
        isolated, other ports' queues unpolled since no PMD is left), and
        the pins survive a rebalance, a PMD mask change and a queue count
        change; a bad value is logged and ignored; removing it
        un-isolates the PMDs.  Traffic from the pinned port keeps
        flowing to out1 throughout."""
        if not os.sched_getaffinity(0) >= {0, 1}:
            self.skipTest('needs cores 0 and 1')
        self.vsctl('set', 'Open_vSwitch', '.', 'other_config:pmd-cpu-mask=3')
        self.vsctl('add-br', 'br0')
        self.add_dpdk_port('br0', 'out1', 'net_null1,no-rx=1')
        self.add_dpdk_port('br0', 'in', 'net_null2', 'options:n_rxq=2')
        # net_null's frames go from 00:00:00:00:00:00 to itself, which
        # NORMAL drops (as Open vSwitch): a debug rule forwards them.
        self.d.ctl('dpctl/set-if-output', 'in', 'out1')
        unpinned = self.rxq_state()
        self.assertEqual(sorted(unpinned), [0, 1], unpinned)
        self.assertFalse(any(iso for iso, _ in unpinned.values()), unpinned)

        def out1_flowing(what):
            base = self.d.counter('out1', 'tx')
            st.wait_for(lambda: self.d.counter('out1', 'tx') > base + 1000,
                        20, what=what)

        out1_flowing('traffic before pinning')
        self.vsctl('set', 'Interface', 'in',
                   'other_config:pmd-rxq-affinity="0:1,1:0"')
        pinned = {1: (True, [('in', 0)]), 0: (True, [('in', 1)])}
        self.wait_rxq_state(pinned, 'queues on their pinned cores')
        self.assertIn('not polled: every pmd thread is isolated',
                      self.read_log())
        self.wait_received_on({0, 1}, 'both PMDs receiving')
        out1_flowing('traffic while pinned')

        # Pins survive a rebalance.
        self.d.ctl('dpif-netdev/pmd-rxq-rebalance')
        self.assertEqual(self.rxq_state(), pinned)

        # A bad value is logged; the pins stay.
        self.vsctl('set', 'Interface', 'in',
                   'other_config:pmd-rxq-affinity="0:1,0:0"')
        st.wait_for(lambda: 'queue 0 is pinned twice' in self.read_log(),
                    10, what='warning about the bad affinity')
        self.assertEqual(self.rxq_state(), pinned)
        self.vsctl('set', 'Interface', 'in',
                   'other_config:pmd-rxq-affinity="0:1,1:0"')

        # Core 0's PMD goes: queue 1 has no PMD of its own, and the only
        # one left is isolated.  Back to 0x3: the pins apply again.
        self.vsctl('set', 'Open_vSwitch', '.', 'other_config:pmd-cpu-mask=2')
        self.wait_rxq_state({1: (True, [('in', 0)])}, 'only core 1')
        self.assertIn('pinned to core 0, which has no pmd thread; not polled',
                      self.read_log())
        self.vsctl('set', 'Open_vSwitch', '.', 'other_config:pmd-cpu-mask=3')
        self.wait_rxq_state(pinned, 'pins again on two PMDs')

        # One queue: the pin of queue 1 is ignored, core 0 is no longer
        # isolated and polls the other ports; two queues again: pinned.
        self.vsctl('set', 'Interface', 'in', 'options:n_rxq=1')
        self.wait_rxq_state({1: (True, [('in', 0)]),
                             0: (False, [('br0', 0), ('out1', 0)])},
                            'one queue pinned, core 0 not isolated')
        self.vsctl('set', 'Interface', 'in', 'options:n_rxq=2')
        self.wait_rxq_state(pinned, 'pins after the queue count changes')
        self.wait_received_on({0, 1}, 'both PMDs receiving again')

        # Removed: no PMD is isolated, every queue is polled.
        self.vsctl('remove', 'Interface', 'in', 'other_config',
                   'pmd-rxq-affinity')
        st.wait_for(lambda: not any(
            iso for iso, _ in self.rxq_state().values()), 20,
            what='PMDs no longer isolated')
        state = self.rxq_state()
        got = sorted(q for _, qs in state.values() for q in qs)
        self.assertEqual(got, [('br0', 0), ('in', 0), ('in', 1),
                               ('out1', 0)], state)
        out1_flowing('traffic after unpinning')
        rx = self.d.counter('in', 'rx')
        st.wait_for(lambda: self.d.counter('in', 'rx') > rx + 1000, 20,
                    what='in still received')

        # Pinned again, then the port goes: its pins go with it.
        self.vsctl('set', 'Interface', 'in',
                   'other_config:pmd-rxq-affinity="1:0"')
        self.wait_rxq_state({0: (True, [('in', 1)]),
                             1: (False, [('br0', 0), ('in', 0),
                                         ('out1', 0)])},
                            'queue 1 alone on core 0')
        self.vsctl('del-port', 'in')
        st.wait_for(lambda: not any(
            iso for iso, _ in self.rxq_state().values()), 20,
            what='PMDs no longer isolated after del-port')
        state = self.rxq_state()
        got = sorted(q for _, qs in state.values() for q in qs)
        self.assertEqual(got, [('br0', 0), ('out1', 0)], state)
        self.assertTrue(self.d.running())

    def test_internal_port_floods_only_once_up(self):
        st.write_pcap(self.d.path('in.pcap'), frames('local', 16))
        self.vsctl('add-br', 'br0')
        # Down in the host until the admin brings it up, as in OVS.
        link = self.d.in_netns(['ip', '-o', 'link', 'show', 'br0']).stdout
        self.assertIn('state DOWN', link)
        self.assertEqual(self.get('Interface', 'br0', 'link_state'), 'down')
        self.add_dpdk_port('br0', 'out1', 'net_null1,no-rx=1')
        self.add_dpdk_port('br0', 'in',
                           'net_pcap2,rx_pcap=%s,infinite_rx=1'
                           % self.d.path('in.pcap'))
        in_no = self.dp_ports()['in']['port_no']
        pattern = r'in_port\(%d\),.*actions:(\S+)' % in_no
        st.wait_for(lambda: re.search(pattern,
                                      self.d.ctl('dpctl/dump-flows')),
                    10, what='a megaflow from "in"')
        actions = re.search(pattern, self.d.ctl('dpctl/dump-flows')).group(1)
        self.assertEqual(actions, 'out1')
        self.assertEqual(self.d.counter('br0', 'tx'), 0)

        resets = int(self.get('Interface', 'br0', 'link_resets'))
        self.d.in_netns(['ip', 'link', 'set', 'br0', 'up'])
        st.wait_for(lambda: self.get('Interface', 'br0', 'link_state')
                    == 'up', 10, what='br0 link up in the database')
        self.assertEqual(int(self.get('Interface', 'br0', 'link_resets')),
                         resets + 1)
        st.wait_for(lambda: self.d.counter('br0', 'tx') > 100, 10,
                    what='flooding to br0 once it is up')


    def test_vlans_access_and_trunk_ports(self):
        def tagged(frame, vid):
            return frame[:12] + struct.pack('>HH', 0x8100, vid) + frame[12:]

        def untag(frame):
            return frame[:12] + frame[16:]
        v10 = [tagged(f, 10) for f in frames('v10', 10)]
        v20 = [tagged(f, 20) for f in frames('v20', 10)]
        plain = frames('plain', 10)
        mixed = [x for trio in zip(v10, v20, plain) for x in trio]
        st.write_pcap(self.d.path('in.pcap'), mixed)
        self.vsctl('add-br', 'br0')
        for i, (name, col) in enumerate((('a10', 'tag=10'),
                                         ('a20', 'tag=20'),
                                         ('t10', 'trunks=10'))):
            self.vsctl('add-port', 'br0', name, col, '--',
                       'set', 'Interface', name, 'type=dpdk',
                       'options:dpdk-devargs=net_pcap%d,tx_pcap=%s'
                       % (i + 1, self.d.path(name + '.pcap')))
        self.add_dpdk_port('br0', 'in',
                           'net_pcap9,rx_pcap=' + self.d.path('in.pcap'))
        self.wait_tx('a10', 10)
        self.wait_tx('a20', 10)
        self.wait_tx('t10', 10)
        self.vsctl('del-port', 'a10', '--', 'del-port', 'a20', '--',
                   'del-port', 't10')
        read = self.read_test_frames
        # Access ports get their VLAN's frames untagged, nothing else.
        st.assert_forwarded(self, read(self.d.path('a10.pcap')),
                            [untag(f) for f in v10], what='a10')
        st.assert_forwarded(self, read(self.d.path('a20.pcap')),
                            [untag(f) for f in v20], what='a20')
        # The trunk carries only VLAN 10, tagged.
        got = [p for p in st.read_pcap(self.d.path('t10.pcap'))
               if p[12:14] == b'\x81\x00']
        st.assert_forwarded(self, got, v10, what='t10')


    def test_other_config_tunes_the_datapath_live(self):
        self.vsctl('add-br', 'br0')
        self.add_dpdk_port('br0', 'out1', 'net_null1,no-rx=1')
        self.add_dpdk_port('br0', 'in', self.source(2))

        def mask():
            m = re.search(r'pmd cpu mask: (0x[0-9a-f]+)',
                          self.d.ctl('dpif-netdev/pmd-rxq-show'))
            return m.group(1)
        self.assertEqual(mask(), '0x2')
        self.vsctl('set', 'Open_vSwitch', '.',
                   'other_config:pmd-cpu-mask=3',
                   'other_config:flow-limit=1000',
                   'other_config:max-idle=2000',
                   'other_config:emc-insert-inv-prob=5')
        self.assertEqual(mask(), '0x3')
        stats = self.d.ctl('dpif-netdev/pmd-stats-show')
        self.assertEqual(stats.count('(limit 1000)'), 2, stats)
        st.wait_for(lambda: self.d.counter('out1', 'tx') > 1000, 20,
                    what='forwarding on two PMDs')

        # A mask the machine cannot run is a transaction error: nothing
        # is committed and the running set stays.
        for bad in ('0x100', 'zz'):
            r = self.vsctl_run('set', 'Open_vSwitch', '.',
                               'other_config:pmd-cpu-mask=' + bad)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn('constraint violation', r.stderr)
            self.assertIn('pmd-cpu-mask=' + bad, r.stderr)
        self.assertEqual(self.get('Open_vSwitch', '.',
                                  'other_config:pmd-cpu-mask'), '"3"')
        self.assertEqual(mask(), '0x3')
        # A value refused only when applied (out of range) is logged and
        # the running value kept.
        self.vsctl('set', 'Open_vSwitch', '.', 'other_config:max-idle=5')
        self.assertIn('other_config:max-idle=5 refused', self.read_log())
        base = self.d.counter('out1', 'tx')
        st.wait_for(lambda: self.d.counter('out1', 'tx') > base + 1000, 20,
                    what='still forwarding')

        # Removed: back to what sluiced started with.
        self.vsctl('remove', 'Open_vSwitch', '.', 'other_config',
                   'pmd-cpu-mask', 'flow-limit')
        self.assertEqual(mask(), '0x2')
        stats = self.d.ctl('dpif-netdev/pmd-stats-show')
        self.assertIn('(limit 200000)', stats)


    def test_rename_and_device_moves_in_one_transaction(self):
        self.vsctl('add-br', 'br0')
        self.add_dpdk_port('br0', 'old', 'net_null20,no-rx=1')
        # The device passes to the new row in the same transaction.
        self.vsctl('del-port', 'br0', 'old', '--', 'add-port', 'br0', 'new',
                   '--', 'set', 'Interface', 'new', 'type=dpdk',
                   'options:dpdk-devargs=net_null20,no-rx=1')
        self.assertEqual(self.error('new'), '[]')
        self.assertGreater(self.ofport('new'), 0)
        self.assertEqual(set(self.dp_ports()), {'br0', 'new'})
        # Two interfaces swap their devices.
        self.add_dpdk_port('br0', 'other', 'net_null21,no-rx=1')
        self.vsctl('set', 'Interface', 'new',
                   'options:dpdk-devargs=net_null21,no-rx=1', '--',
                   'set', 'Interface', 'other',
                   'options:dpdk-devargs=net_null20,no-rx=1')
        ports = self.dp_ports()
        self.assertEqual(ports['new']['devargs'], 'net_null21,no-rx=1')
        self.assertEqual(ports['other']['devargs'], 'net_null20,no-rx=1')
        self.assertEqual(self.error('new'), '[]')
        self.assertEqual(self.error('other'), '[]')

    def test_refused_reconfiguration_keeps_the_port(self):
        self.vsctl('add-br', 'br0')
        self.add_dpdk_port('br0', 'e', 'net_ring0')
        before = self.ofport('e')
        self.vsctl('set', 'Interface', 'e', 'mtu_request=9000')
        # net_ring cannot change its MTU: the port goes on as it was, and
        # the row says what could not be done.
        self.assertIn('previous settings', self.error('e'))
        self.assertEqual(self.ofport('e'), before)
        self.assertIn('e', self.dp_ports())
        self.assertEqual(self.get('Interface', 'e', 'link_state'), 'up')
        self.vsctl('clear', 'Interface', 'e', 'mtu_request')
        self.assertEqual(self.error('e'), '[]')
        self.assertEqual(self.ofport('e'), before)
        # A port removed behind the reconciler's back (dpctl/del-if) is
        # opened again by the next configuration change.
        self.d.ctl('dpctl/del-if', 'e')
        self.assertNotIn('e', self.dp_ports())
        self.vsctl('set', 'Open_vSwitch', '.', 'external_ids:poke=1')
        self.assertIn('e', self.dp_ports())
        self.assertEqual(self.ofport('e'), before)

    def in_actions(self, port):
        """Actions of the megaflow from datapath port 'port'."""
        no = self.dp_ports()[port]['port_no']
        pattern = r'in_port\(%d\),.*actions:(\S+)' % no
        st.wait_for(lambda: re.search(pattern,
                                      self.d.ctl('dpctl/dump-flows')),
                    10, what='a megaflow from ' + port)
        return re.search(pattern, self.d.ctl('dpctl/dump-flows')).group(1)

    def test_bond_members_do_not_flood_each_other(self):
        self.vsctl('add-br', 'br0')
        self.add_dpdk_port('br0', 'out1', 'net_null1,no-rx=1')
        self.vsctl('add-bond', 'br0', 'bond0', 'm1', 'm2', '--',
                   'set', 'Interface', 'm1', 'type=dpdk',
                   'options:dpdk-devargs=' + self.source(2), '--',
                   'set', 'Interface', 'm2', 'type=dpdk',
                   'options:dpdk-devargs=' + self.source(3))
        # Frames from either member go to out1 only, never to the other
        # member; frames from out1's side would go to one member.
        self.assertEqual(self.in_actions('m1'), 'out1')
        self.assertEqual(self.in_actions('m2'), 'out1')

    def test_secure_bridge_floods_nothing(self):
        self.vsctl('add-br', 'brs', '--', 'set', 'Bridge', 'brs',
                   'fail_mode=secure')
        self.add_dpdk_port('brs', 's2', 'net_null1,no-rx=1')
        self.add_dpdk_port('brs', 's1', self.source(2))
        self.assertEqual(self.in_actions('s1'), 'drop')
        self.vsctl('clear', 'Bridge', 'brs', 'fail_mode')
        st.wait_for(lambda: self.in_actions('s1') == 's2', 10,
                    what='standalone: flooding')

    def test_bad_masks_in_the_database_do_not_stop_start_up(self):
        self.d.stop()
        db = self.d.path('conf.db')
        subprocess.run(
            ['ovsdb-tool', 'transact', db, json.dumps(
                ['Open_vSwitch',
                 {'op': 'insert', 'table': 'Open_vSwitch',
                  'row': {'other_config': ['map', [
                      ['pmd-cpu-mask', '100'],
                      ['dpdk-lcore-mask', '100']]]}}])],
            check=True, capture_output=True)
        self.d.start()
        log = self.read_log()
        self.assertIn('other_config:pmd-cpu-mask=100 names cores', log)
        self.assertIn('other_config:dpdk-lcore-mask=100 names no core', log)
        # And the switch works: the value can be fixed with ovs-vsctl.
        self.vsctl('set', 'Open_vSwitch', '.',
                   'other_config:pmd-cpu-mask=2')
        self.vsctl('add-br', 'br0')


if __name__ == '__main__':
    st.main()
