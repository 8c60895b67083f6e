#!/usr/bin/python3
"""NORMAL learns MAC addresses: a bridge built with Debian's ovs-vsctl
floods a frame for an unknown station and sends the answer to the port
its destination was learned on alone; ovs-appctl's fdb/show,
fdb/stats-show and fdb/flush read and clear the table, with Open vSwitch's
output and errors.  The daemon runs in its own network namespace (IPv6
off there, so the kernel's own frames stay out of the way)."""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

OVS_VSCTL = shutil.which('ovs-vsctl')
VSCTL_TIMEOUT = 30
MAC_A = b'\x02\x00\x00\x00\x0a\x01'
MAC_B = b'\x02\x00\x00\x00\x0b\x02'
N_A, N_B = 8, 5

# Sends the frames of a file (2-byte length, frame, ...) into an
# interface.
SENDER = ('import socket,sys\n'
          's = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n'
          's.bind((sys.argv[1], 0))\n'
          'data = open(sys.argv[2], "rb").read()\n'
          'while data:\n'
          '    size = int.from_bytes(data[:2], "big")\n'
          '    s.send(data[2:2 + size]); data = data[2 + size:]\n')


def mac_text(mac):
    return ':'.join('%02x' % b for b in mac)


@unittest.skipUnless(OVS_VSCTL and st.OVS_APPCTL,
                     'needs ovs-vsctl and ovs-appctl (openvswitch-switch)')
class MacLearningTest(unittest.TestCase):

    def setUp(self):
        self.d = st.Daemon(netns=True)
        self.addCleanup(st.cleanup_after_test, self, self.d)
        self.d.start()
        for key in ('all', 'default'):
            self.d.in_netns(['sysctl', '-qw',
                             'net.ipv6.conf.%s.disable_ipv6=1' % key])

    def vsctl(self, *args):
        r = subprocess.run([OVS_VSCTL, '--db=unix:' + self.d.path('db.sock'),
                            '--timeout=%d' % VSCTL_TIMEOUT] + list(args),
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=VSCTL_TIMEOUT + 10)
        self.assertEqual(r.returncode, 0, 'ovs-vsctl %s: %s'
                         % (' '.join(args), r.stderr))
        return r.stdout

    def add_pcap_port(self, name, devargs):
        self.vsctl('add-port', 'br0', name, '--', 'set', 'Interface', name,
                   'type=dpdk', 'options:dpdk-devargs=' + devargs)

    def appctl(self, *args):
        r = self.d.appctl(*args)
        return r.returncode, r.stdout, r.stderr

    def captured(self, name):
        path = self.d.path(name + '.pcap')
        return [p for p in st.read_pcap(path) if p[12:14] == b'\x88\xb5']

    def fdb(self):
        """fdb/show as {MAC: (port, VLAN)}, checking its header."""
        rc, out, err = self.appctl('fdb/show', 'br0')
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0], ' port  VLAN  MAC                Age')
        table = {}
        for line in lines[1:]:
            m = re.match(r'^ *(\S+) +(\d+)  ([0-9a-f:]{17}) +(\d+)$', line)
            self.assertIsNotNone(m, line)
            table[m.group(3)] = (m.group(1), int(m.group(2)))
        return table

    def test_learn_then_forward_to_one_port(self):
        # p2: a veth pair, to send B's answer into whenever the test
        # wants; p1 and p3: pcap files.
        self.d.in_netns(['ip', 'link', 'add', 'veth2', 'type', 'veth',
                         'peer', 'name', 'veth2b'])
        for dev in ('veth2', 'veth2b'):
            self.d.in_netns(['ip', 'link', 'set', dev, 'up'])
        a_frames = [st.make_frame(60 + i, 'a2b', i, dst=MAC_B, src=MAC_A)
                    for i in range(N_A)]
        b_frames = [st.make_frame(60 + i, 'b2a', i, dst=MAC_A, src=MAC_B)
                    for i in range(N_B)]
        st.write_pcap(self.d.path('a.pcap'), a_frames)

        self.vsctl('add-br', 'br0')
        self.vsctl('add-port', 'br0', 'veth2', '--', 'set', 'Interface',
                   'veth2', 'ofport_request=2')
        self.add_pcap_port('p3', 'net_pcap3,tx_pcap='
                           + self.d.path('out3.pcap'))
        # A's frames for B (unknown): flooded to p2 and p3.
        self.add_pcap_port('p1', 'net_pcap1,rx_pcap=%s,tx_pcap=%s'
                           % (self.d.path('a.pcap'),
                              self.d.path('out1.pcap')))
        self.d.wait_counter('p3', 'tx', N_A)
        self.d.wait_counter('veth2', 'tx', N_A)
        table = self.fdb()
        p1 = self.vsctl('get', 'Interface', 'p1', 'ofport').strip()
        self.assertEqual(table.get(mac_text(MAC_A)), (p1, 0), table)
        self.assertNotIn(mac_text(MAC_B), table)

        # B answers on p2: A is known, so only p1 gets it.
        blob = b''.join(len(f).to_bytes(2, 'big') + f for f in b_frames)
        with open(self.d.path('b.bin'), 'wb') as f:
            f.write(blob)
        self.d.in_netns(['/usr/bin/python3', '-c', SENDER, 'veth2b',
                         self.d.path('b.bin')])
        self.d.wait_counter('p1', 'tx', N_B)
        table = self.fdb()
        self.assertEqual(table.get(mac_text(MAC_A)), (p1, 0), table)
        self.assertEqual(table.get(mac_text(MAC_B)), ('2', 0), table)

        rc, out, err = self.appctl('fdb/stats-show', 'br0')
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith('Statistics for bridge "br0":\n'
                                       '  Current/maximum MAC entries in the'
                                       ' table: '), out)
        self.assertRegex(out, r'/8192\n')
        learned = re.search(r'Total number of learned MAC entries     : '
                            r'(\d+)\n', out)
        self.assertIsNotNone(learned, out)
        self.assertGreaterEqual(int(learned.group(1)), 2)

        # Closing the pcap ports writes their files out.
        self.vsctl('del-port', 'p1', '--', 'del-port', 'p3')
        st.assert_forwarded(self, self.captured('out3'), a_frames,
                            what='A to unknown B on p3')
        st.assert_forwarded(self, self.captured('out1'), b_frames,
                            what='B to learned A on p1')
        # p1 went: what was learned on it went too.
        self.assertNotIn(mac_text(MAC_A), self.fdb())

    def test_commands_as_ovs(self):
        self.vsctl('add-br', 'br0', '--', 'set', 'Bridge', 'br0',
                   'other_config:mac-table-size=3')
        for cmd in (('fdb/show', 'nobr'), ('fdb/stats-show', 'nobr'),
                    ('fdb/flush', 'nobr'), ('fdb/stats-clear', 'nobr')):
            rc, out, err = self.appctl(*cmd)
            self.assertEqual(rc, 2, cmd)
            self.assertIn('no such bridge', err)
        self.assertEqual(self.appctl('fdb/flush', 'br0')[1],
                         'table successfully flushed\n')
        self.assertEqual(self.appctl('fdb/flush')[1],
                         'table successfully flushed\n')
        self.assertEqual(self.appctl('fdb/stats-clear')[1],
                         'statistics successfully cleared\n')
        rc, out, err = self.appctl('fdb/stats-show', 'br0')
        # mac-table-size is forced to at least 10, as Open vSwitch does.
        self.assertEqual(out, 'Statistics for bridge "br0":\n'
                         '  Current/maximum MAC entries in the table: 0/10\n'
                         '  Current static MAC entries in the table : 0\n'
                         '  Total number of learned MAC entries     : 0\n'
                         '  Total number of expired MAC entries     : 0\n'
                         '  Total number of evicted MAC entries     : 0\n'
                         '  Total number of port moved MAC entries  : 0\n')
        self.assertEqual(self.fdb(), {})


if __name__ == '__main__':
    st.main()
