#!/usr/bin/python3
"""sluicectl's OpenFlow commands (tools/sluicectl_flows.h) against a real
sluiced, with ovs-ofctl -O OpenFlow13 on the same switch as the oracle:

- add-flow, add-flows (file and stdin), mod-flows, del-flows (--strict),
  dump-flows with and without a filter: sluicectl's dump equals
  ovs-ofctl's (durations, counters and xids normalised);
- errors: bad flow text (status 1, ovs-ofctl's words), flows the switch
  refuses (status 2, the OFPT_ERROR's name and the refused flow);
- show, dump-ports, dump-tables: the same text as ovs-ofctl's;
- packet-out reaches a net_pcap port byte for byte;
- ofproto/trace and dpif/dump-flows through ovs-appctl: a two-table
  pipeline, and the "Datapath actions:" verdicts compared with Debian's
  ovs-vswitchd (userspace, netdev bridge) where it is installed (output
  ports must agree; other differences are printed, not failed).
"""

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402
import test_openflow as tof                         # noqa: E402

CTL_TIMEOUT = '10'

# Flows added one by one with "sluicectl add-flow"; dumps compared.
CORPUS = [
    'in_port=1,actions=output:2',
    'priority=100,dl_src=00:11:22:33:44:55/ff:ff:ff:00:00:00,actions=drop',
    'ip,nw_src=10.0.0.0/8,nw_dst=192.168.1.1,actions=mod_nw_dst:1.2.3.4,'
    'output:3',
    'tcp,tp_dst=80,tp_src=0x1000/0xf000,actions=mod_tp_dst:8080,NORMAL',
    'udp6,ipv6_src=2001:db8::/32,udp_dst=53,actions=CONTROLLER:100',
    'arp,arp_tpa=10.0.0.1,arp_op=1,actions=FLOOD',
    'dl_vlan=5,dl_vlan_pcp=3,actions=pop_vlan,output:1',
    'table=3,reg0=5,metadata=0x1234,actions=LOCAL',
    'cookie=0x42,priority=7,idle_timeout=30,hard_timeout=60,send_flow_rem,'
    'ip,actions=IN_PORT',
    'table=1,ip,actions=clear_actions,write_actions(output:2),'
    'write_metadata:0x1/0xff,goto_table:5',
    'in_port=p2,actions=output:p3',
    'table=2,priority=9,ip,actions=set_field:10.0.0.1->ip_src,'
    'set_field:aa:bb:cc:dd:ee:ff->eth_dst,output:2',
]

FLOWS_FILE = '''\
# a comment, then rules
priority=10,in_port=1,actions=output:2   # trailing comment

priority=10,in_port=2,actions=output:1
cookie=0x10,priority=20,ip,nw_dst=10.0.0.0/24,actions=output:3
cookie=0x11,priority=20,tcp,tp_dst=22,actions=drop
table=1,cookie=0x20,dl_dst=ff:ff:ff:ff:ff:ff,actions=FLOOD
'''

_XID = re.compile(r'xid=0x[0-9a-f]+')


def norm(text):
    return tof.normalize_stdout(text)


def strip_xids(text):
    return _XID.sub('xid=X', text)


@unittest.skipUnless(tof.HAVE_CLIENTS, 'needs ovs-ofctl and ovs-vsctl')
class FlowCommandsTest(unittest.TestCase):
    """One switch for every test; each test starts with no flows."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='sluice-ctlf-')
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.d, cls.remote, cls.mgmt = tof.start_sluice_bridge(
            cls, [('p1', 'net_null1,no-rx=1'), ('p2', 'net_null2,no-rx=1'),
                  ('p3', 'net_null3,no-rx=1')], class_level=True)

    def setUp(self):
        self.assertEqual(self.ctl('del-flows', 'br0').returncode, 0)

    def ctl(self, *args, stdin=None):
        cmd = [st.SLUICECTL, '--run-dir', self.d.run_dir, '-T', CTL_TIMEOUT]
        return subprocess.run(cmd + list(args), capture_output=True,
                              text=True, timeout=30, input=stdin)

    def ok(self, *args, stdin=None):
        r = self.ctl(*args, stdin=stdin)
        if r.returncode != 0:
            raise AssertionError('sluicectl %s: status %d: %s'
                                 % (' '.join(args), r.returncode, r.stderr))
        return r.stdout

    def ofctl(self, line):
        r = tof.ofctl(self.d.run_dir, self.mgmt, '-O OpenFlow13 ' + line)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def same_dump(self, flt=None):
        """sluicectl dump-flows [flt] == ovs-ofctl's; returns the rules."""
        ours = self.ok('dump-flows', 'br0', *([flt] if flt else []))
        theirs = self.ofctl('dump-flows' + (' "%s"' % flt if flt else ''))
        self.assertEqual(norm(ours), norm(theirs), 'dump-flows %s' % flt)
        return norm(ours)[1:]

    # -- flows ---------------------------------------------------------------

    def test_add_flow_corpus_dumps_like_ovs_ofctl(self):
        for flow in CORPUS:
            with self.subTest(flow=flow):
                self.ok('add-flow', 'br0', flow)
        rules = self.same_dump()
        self.assertEqual(len(rules), len(CORPUS), rules)
        # The dump reads back: every printed rule, added again, gives the
        # same table.
        again = [re.sub(r'^ cookie=(\S+), table=(\d+), ',
                        r'cookie=\1,table=\2,', r) for r in rules]
        self.ok('del-flows', 'br0')
        for r in again:
            self.ok('add-flow', 'br0', r.replace(' actions=', ',actions=')
                    .replace('send_flow_rem ', 'send_flow_rem,')
                    .replace(', ', ','))
        self.assertEqual(self.same_dump(), rules)
        for flt in ('table=3', 'ip', 'in_port=1', 'cookie=0x42/-1',
                    'out_port=2', 'table=1,ip'):
            with self.subTest(filter=flt):
                self.same_dump(flt)

    def test_add_flows_mod_flows_del_flows(self):
        path = os.path.join(self.tmp, 'flows.txt')
        with open(path, 'w') as f:
            f.write(FLOWS_FILE)
        self.ok('add-flows', 'br0', path)
        self.assertEqual(len(self.same_dump()), 5)
        # stdin, with the command words ovs-ofctl's files may carry.
        self.ok('add-flows', 'br0', '-',
                stdin='priority=30,udp,actions=NORMAL\n'
                      'delete_strict priority=10,in_port=2\n')
        rules = self.same_dump()
        self.assertEqual(len(rules), 5, rules)
        self.assertTrue(any('udp actions=NORMAL' in r for r in rules), rules)

        self.ok('mod-flows', 'br0', 'in_port=1,actions=output:3')
        self.ok('--strict', 'mod-flows', 'br0',
                'priority=20,ip,nw_dst=10.0.0.0/24,actions=LOCAL')
        # Strict with another priority: nothing changes.
        self.ok('--strict', 'mod-flows', 'br0',
                'priority=21,ip,nw_dst=10.0.0.0/24,actions=drop')
        self.ok('mod-flows', 'br0', 'cookie=0x11/-1,actions=output:1')
        rules = self.same_dump()
        self.assertIn('priority=10,in_port=1 actions=output:3',
                      ' '.join(rules))
        self.assertIn('nw_dst=10.0.0.0/24 actions=LOCAL', ' '.join(rules))
        self.assertIn('tp_dst=22 actions=output:1', ' '.join(rules))

        # --strict del-flows needs the exact priority.
        self.ok('--strict', 'del-flows', 'br0', 'priority=11,in_port=1')
        self.assertEqual(len(self.same_dump()), 5)
        self.ok('--strict', 'del-flows', 'br0', 'priority=10,in_port=1')
        self.ok('del-flows', 'br0', 'table=1')
        self.ok('del-flows', 'br0', 'out_port=1')
        rules = self.same_dump()
        self.assertEqual(len(rules), 2, rules)
        self.ok('del-flows', 'br0')
        self.assertEqual(self.same_dump(), [])

    # -- errors --------------------------------------------------------------

    def assert_fails(self, status, args, *want, stdin=None):
        r = self.ctl(*args, stdin=stdin)
        self.assertEqual(r.returncode, status, (args, r.stdout, r.stderr))
        for w in want:
            self.assertIn(w, r.stderr, args)
        self.assertNotIn('Traceback', r.stderr)
        return r.stderr

    def test_bad_arguments(self):
        self.assert_fails(1, ['add-flow', 'br0', 'foo=1,actions=drop'],
                          'unknown keyword foo')
        self.assert_fails(1, ['add-flow', 'br0', 'in_port=1'],
                          'must specify an action')
        self.assert_fails(1, ['del-flows', 'br0', 'actions=drop'],
                          'unknown keyword actions')
        self.assert_fails(1, ['dump-flows', 'br0', 'nw_dst=1.2.3.400'])
        self.assert_fails(1, ['add-flow', 'br0'], 'usage')
        self.assert_fails(1, ['add-flow', 'br0', 'a', 'b'], 'usage')
        self.assert_fails(1, ['--strict', 'add-flow', 'br0',
                              'actions=drop'], '--strict')
        self.assert_fails(1, ['dump-flows', 'nosuchbr'], 'nosuchbr.mgmt')
        self.assert_fails(1, ['add-flows', 'br0', '/nonexistent/f'],
                          '/nonexistent/f')
        self.assert_fails(1, ['add-flows', 'br0', '-'], '-:2: unknown '
                          'keyword bar', stdin='actions=drop\nbar=1,'
                          'actions=drop\n')
        self.assert_fails(1, ['packet-out', 'br0', 'in_port=1 packet=zz '
                              'actions=output:2'], 'packet')
        self.assert_fails(1, ['packet-out', 'br0', 'in_port=1 '
                              'actions=output:2'], 'packet')
        self.assert_fails(1, ['dump-ports', 'br0', 'nosuchport'],
                          'nosuchport')
        # Nothing of the above reached the switch.
        self.assertEqual(self.same_dump(), [])

    def test_refused_flows(self):
        err = self.assert_fails(2, ['add-flow', 'br0',
                                    'table=254,actions=drop'],
                                'OFPT_ERROR (OF1.3)', 'OFPBRC_EPERM',
                                'ADD table:254 actions=drop')
        self.assertEqual(len(err.splitlines()), 2, err)
        self.assert_fails(2, ['add-flow', 'br0', 'actions=group:1'],
                          'OFPBAC_BAD_OUT_GROUP', 'group:1')
        # add-flows: the good line goes in, the bad one is named.
        self.assert_fails(2, ['add-flows', 'br0', '-'],
                          'OFPBIC_BAD_TABLE_ID',
                          'priority=10,in_port=2 actions=goto_table:0',
                          stdin='priority=10,in_port=1,actions=output:2\n'
                                'priority=10,in_port=2,'
                                'actions=goto_table:0\n')
        self.assertEqual(len(self.same_dump()), 1)
        # ovs-ofctl says the same of the same flow.
        r = tof.ofctl(self.d.run_dir, self.mgmt,
                      '-O OpenFlow13 add-flow "table=254,actions=drop"')
        self.assertIn('OFPBRC_EPERM', r.stderr)

    # -- the switch's state --------------------------------------------------

    def test_show_dump_ports_dump_tables_like_ovs_ofctl(self):
        self.ok('add-flow', 'br0', 'priority=0,actions=NORMAL')
        for line in ('show', 'dump-tables', 'dump-ports', 'dump-ports 2',
                     'dump-ports p3', 'dump-ports LOCAL'):
            with self.subTest(command=line):
                words = line.split()
                ours = self.ok(words[0], 'br0', *words[1:])
                theirs = self.ofctl(line)
                self.assertEqual(strip_xids(ours), strip_xids(theirs))
        show = self.ok('show', 'br0')
        self.assertEqual(tof.port_names(show),
                         [('1', 'p1'), ('2', 'p2'), ('3', 'p3'),
                          ('LOCAL', 'br0')])
        self.assertEqual(tof.table_actives(self.ok('dump-tables', 'br0')),
                         {0: 1, 1: 0})
        self.assertEqual(tof.port_stats_ports(self.ok('dump-ports', 'br0')),
                         ['1', '2', '3', 'LOCAL'])
        # Without a bridge, show is still the database's overview.
        self.assertIn('Bridge br0', self.ok('show'))


@unittest.skipUnless(tof.HAVE_CLIENTS, 'needs ovs-ofctl and ovs-vsctl')
class PacketOutTest(unittest.TestCase):

    def test_packet_out_reaches_pcap_port(self):
        tmp = tempfile.mkdtemp(prefix='sluice-ctlf-')
        self.addCleanup(shutil.rmtree, tmp, True)
        out = os.path.join(tmp, 'p2.pcap')
        d, remote, _ = tof.start_sluice_bridge(
            self, [('p1', 'net_null1,no-rx=1'),
                   ('p2', 'net_pcap2,tx_pcap=' + out)])
        frame = tof.udp_frame('02:00:00:00:00:02', '02:00:00:00:00:01',
                              '10.0.0.1', '10.0.0.2', 7, 9, b'pktout')
        r = d.sluicectl('-T', CTL_TIMEOUT, 'packet-out', 'br0',
                        'in_port=1 packet=%s actions=output:2' % frame.hex())
        self.assertEqual(r.returncode, 0, r.stderr)
        # Refused: an action this datapath lacks.
        r = d.sluicectl('-T', CTL_TIMEOUT, 'packet-out', 'br0',
                        'in_port=1 packet=%s actions=group:1,'
                        'output:2' % frame.hex())
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn('OFPBAC_BAD_OUT_GROUP', r.stderr)
        self.assertIn('OFPT_PACKET_OUT (OF1.3)', r.stderr)
        d.wait_counter('p2', 'tx', 1)
        tof.vsctl(remote, 'del-port', 'p2')
        self.assertEqual(st.read_pcap(out), [frame])


# -- ofproto/trace and dpif/dump-flows ---------------------------------------

PIPELINE = [
    'priority=10,in_port=1,ip,actions=goto_table:3',
    'priority=5,in_port=1,actions=drop',
    'table=3,priority=7,ip,nw_dst=10.0.0.2,'
    'actions=mod_dl_dst:02:00:00:00:00:02,output:2',
    'table=3,priority=6,udp,tp_dst=53,actions=output:3',
    'table=3,priority=1,actions=output:2,output:3',
]

# (flow to trace, the OpenFlow ports it must leave by).
TRACES = [
    ('in_port=1,ip,nw_dst=10.0.0.2', ['p2']),
    ('in_port=1,udp,nw_dst=10.0.0.9,udp_dst=53', ['p3']),
    ('in_port=1,tcp,nw_dst=10.0.0.9,tcp_dst=80', ['p2', 'p3']),
    ('in_port=1,arp', []),
    ('in_port=2,ip', []),
]


def datapath_actions(text):
    m = re.search(r'^Datapath actions: (.*)$', text, re.M)
    return m.group(1).strip() if m else None


def named_actions(actions, names):
    """Datapath actions with port names for the bare numbers (outputs)."""
    items = re.split(r',(?![^(]*\))', actions or '')
    return [names.get(int(i), i) if re.fullmatch(r'\d+', i.strip()) else i
            for i in items if i]


def output_ports(actions, names):
    """The port names the datapath actions output to."""
    return sorted(i for i in named_actions(actions, names)
                  if i in names.values())


def both_switches(test, pipeline):
    """Open vSwitch and Sluice, each with bridge br0, ports p1-p3 and the
    rules 'pipeline'.  Returns Sluice's daemon, ovs-vswitchd's control
    socket, and each one's datapath port names by number."""
    ovs = tof.OvsSwitch()
    test.addCleanup(ovs.stop)
    ovs.start()
    d, _, _ = tof.start_sluice_bridge(
        test, [('p%d' % i, 'net_null%d,no-rx=1' % i) for i in (1, 2, 3)])
    r = tof.ofctl(ovs.dir, ovs.mgmt, 'del-flows')
    test.assertEqual(r.returncode, 0, r.stderr)
    test.assertEqual(d.sluicectl('del-flows', 'br0').returncode, 0)
    for flow in pipeline:
        r = tof.ofctl(ovs.dir, ovs.mgmt,
                      ['-O', 'OpenFlow13', 'add-flow', flow])
        test.assertEqual(r.returncode, 0, r.stderr)
        r = d.sluicectl('add-flow', 'br0', flow)
        test.assertEqual(r.returncode, 0, r.stderr)
    ovs_ctl = ovs.path('ovs-vswitchd.ctl')
    shown = d.appctl('dpctl/show', target=ovs_ctl).stdout
    ovs_names = {int(n): name for n, name in
                 re.findall(r'port (\d+): (\S+)', shown)}
    sl_names = {p['port_no']: name for name, p in d.show().items()}
    return d, ovs_ctl, ovs_names, sl_names


@unittest.skipUnless(tof.HAVE_CLIENTS, 'needs ovs-ofctl and ovs-vsctl')
class TraceTest(unittest.TestCase):

    def start(self, tmp):
        """A bridge with p2, p3 and, once the pipeline is in, p1 reading
        frames that the two tables send to p2."""
        self.d, self.remote, _ = tof.start_sluice_bridge(
            self, [('p2', 'net_null2,no-rx=1', 2),
                   ('p3', 'net_null3,no-rx=1', 3)])
        r = self.d.sluicectl('del-flows', 'br0')
        self.assertEqual(r.returncode, 0, r.stderr)
        r = subprocess.run([st.SLUICECTL, '--run-dir', self.d.run_dir,
                            'add-flows', 'br0', '-'], capture_output=True,
                           text=True, timeout=30,
                           input='\n'.join(PIPELINE) + '\n')
        self.assertEqual(r.returncode, 0, r.stderr)
        frames = [tof.udp_frame('02:00:00:00:00:09', '02:00:00:00:00:01',
                                '10.0.0.1', '10.0.0.2', 1000 + i, 2000,
                                b'f%d' % i) for i in range(4)]
        pcap = os.path.join(tmp, 'in.pcap')
        st.write_pcap(pcap, frames)
        tof.vsctl(self.remote, 'add-port', 'br0', 'p1', '--', 'set',
                  'Interface', 'p1', 'type=dpdk',
                  'options:dpdk-devargs=net_pcap1,rx_pcap=' + pcap,
                  'ofport_request=1')
        self.d.wait_counter('p1', 'rx', len(frames))
        self.d.wait_counter('p2', 'tx', len(frames))

    def test_trace_and_dump_flows_two_tables(self):
        tmp = tempfile.mkdtemp(prefix='sluice-ctlf-')
        self.addCleanup(shutil.rmtree, tmp, True)
        self.start(tmp)
        ports = self.d.show()
        p1, p2 = ports['p1']['port_no'], ports['p2']['port_no']

        r = self.d.appctl('ofproto/trace', 'br0',
                          'in_port=1,ip,nw_dst=10.0.0.2')
        self.assertEqual(r.returncode, 0, r.stderr)
        text = r.stdout
        self.assertRegex(text, r'(?m)^ 0\. ip,in_port=1, priority 10$')
        self.assertIn('goto_table:3', text)
        self.assertRegex(text, r'(?m)^\s+3\. ip,nw_dst=10\.0\.0\.2, '
                               r'priority 7$')
        self.assertEqual(datapath_actions(text),
                         'set(eth(dst=02:00:00:00:00:02)),%d' % p2)
        # A miss in table 3 falls to its priority-1 rule.
        r = self.d.appctl('ofproto/trace', 'br0',
                          'in_port=1,tcp,nw_dst=10.0.0.9')
        self.assertIn('priority 1', r.stdout)
        self.assertEqual(output_ports(datapath_actions(r.stdout),
                                      {p2: 'p2',
                                       ports['p3']['port_no']: 'p3'}),
                         ['p2', 'p3'])
        r = self.d.appctl('ofproto/trace', 'br0', 'in_port=1,foo=1')
        self.assertNotEqual(r.returncode, 0)

        # The frames from p1 made a megaflow with the trace's actions
        # (dpif/dump-flows names the ports, as ovs-appctl's does).
        r = self.d.appctl('dpif/dump-flows', 'br0')
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [ln for ln in r.stdout.splitlines()
                 if 'in_port(%d)' % p1 in ln]
        self.assertTrue(lines, r.stdout)
        self.assertTrue(any('ipv4(dst=10.0.0.2)' in ln
                            and ln.rstrip().endswith(
                                'actions:set(eth(dst=02:00:00:00:00:02)),p2')
                            for ln in lines), r.stdout)
        r = self.d.appctl('dpif/dump-flows', 'nosuchbr')
        self.assertNotEqual(r.returncode, 0)

    @unittest.skipUnless(tof.HAVE_OVS, 'needs Debian ovs-vswitchd')
    def test_trace_verdicts_like_ovs(self):
        d, ovs_ctl, ovs_names, sl_names = both_switches(self, PIPELINE)
        notes = []
        for flow, want in TRACES:
            with self.subTest(flow=flow):
                a = d.appctl('ofproto/trace', 'br0', flow, target=ovs_ctl)
                b = d.appctl('ofproto/trace', 'br0', flow)
                self.assertEqual(a.returncode, 0, a.stderr)
                self.assertEqual(b.returncode, 0, b.stderr)
                va, vb = datapath_actions(a.stdout), datapath_actions(b.stdout)
                self.assertEqual(output_ports(va, ovs_names), want, va)
                self.assertEqual(output_ports(vb, sl_names), want, vb)
                ta = ','.join(named_actions(va, ovs_names))
                tb = ','.join(named_actions(vb, sl_names))
                if ta != tb:
                    notes.append('%s: OVS "%s", Sluice "%s"' % (flow, ta, tb))
        for n in notes:
            print('note: datapath actions differ: ' + n, file=sys.stderr)


# MPLS: push (IP: TC and TTL from the IP header; other: TTL 64; on MPLS:
# a copy with bos 0), set fields and TTLs, pop.
MPLS_PIPELINE = [
    'priority=10,in_port=1,ip,actions=push_mpls:0x8847,output:2',
    'priority=10,in_port=1,arp,actions=push_mpls:0x8848,output:3',
    'priority=10,in_port=2,mpls,actions=set_field:5->mpls_label,'
    'dec_mpls_ttl,output:1',
    'priority=10,in_port=3,mpls,mpls_bos=1,actions=pop_mpls:0x0800,output:1',
    'priority=5,in_port=3,mpls,actions=push_mpls:0x8847,'
    'set_field:3->mpls_tc,set_mpls_ttl:7,output:2',
    'priority=10,in_port=1,mpls,actions=set_field:9->mpls_ttl,output:2',
]

MPLS_TRACES = [
    'in_port=1,udp,nw_src=1.1.1.1,nw_tos=0xb8,nw_ttl=33',
    'in_port=1,tcp,nw_tos=0x20,nw_ttl=2',
    'in_port=1,arp',
    'in_port=2,mpls,mpls_label=7,mpls_tc=2,mpls_ttl=9,mpls_bos=1',
    'in_port=3,mpls,mpls_label=7,mpls_tc=2,mpls_ttl=9,mpls_bos=1',
    'in_port=3,mpls,mpls_label=7,mpls_tc=2,mpls_ttl=9,mpls_bos=0',
    'in_port=1,mpls,mpls_label=1,mpls_ttl=1,mpls_bos=1',
]


def mpls_frame(frame, label, tc, ttl, bos, eth_type=0x8847):
    """'frame' with a label stack entry pushed after its MACs."""
    lse = label << 12 | tc << 9 | bos << 8 | ttl
    return (frame[:12] + struct.pack('>HI', eth_type, lse) + frame[14:])


@unittest.skipUnless(tof.HAVE_OVS, 'needs ovs-vswitchd, ovsdb-server')
class MplsTest(unittest.TestCase):

    def test_mpls_like_ovs(self):
        """The same MPLS rules in Open vSwitch and Sluice: ofproto/trace
        gives the same datapath actions."""
        d, ovs_ctl, ovs_names, sl_names = both_switches(self, MPLS_PIPELINE)
        for flow in MPLS_TRACES:
            with self.subTest(flow=flow):
                a = d.appctl('ofproto/trace', 'br0', flow, target=ovs_ctl)
                b = d.appctl('ofproto/trace', 'br0', flow)
                self.assertEqual(a.returncode, 0, a.stderr)
                self.assertEqual(b.returncode, 0, b.stderr)
                va, vb = datapath_actions(a.stdout), datapath_actions(b.stdout)
                self.assertEqual(named_actions(vb, sl_names),
                                 named_actions(va, ovs_names),
                                 'OVS:\n%s\nSluice:\n%s' % (a.stdout,
                                                              b.stdout))
        # A lookup after pop_mpls: Open vSwitch recirculates to parse what
        # was below; Sluice cannot, drops the packet and says so.
        r = d.sluicectl('add-flow', 'br0', 'priority=20,in_port=3,mpls,'
                        'mpls_label=99,actions=pop_mpls:0x0800,goto_table:1')
        self.assertEqual(r.returncode, 0, r.stderr)
        b = d.appctl('ofproto/trace', 'br0',
                     'in_port=3,mpls,mpls_label=99,mpls_ttl=9,mpls_bos=1')
        self.assertIn('a table lookup after pop_mpls needs recirculation',
                      b.stdout)
        self.assertEqual(datapath_actions(b.stdout),
                         'pop_mpls(eth_type=0x800)')
        self.assertIn('needing recirculation 1',
                      d.ctl('ofproto/stats', 'br0'))

    def test_mpls_on_the_wire(self):
        """Frames through push_mpls, set_field and dec_mpls_ttl, and back
        through pop_mpls, byte for byte."""
        with tempfile.TemporaryDirectory() as tmp:
            plain = [tof.udp_frame('02:00:00:00:00:09', '02:00:00:00:00:01',
                                   '10.0.0.1', '10.0.0.2', 1000 + i, 2000,
                                   b'm%d' % i) for i in range(4)]
            labelled = [mpls_frame(f, 7, 2, 9, 1) for f in plain]
            st.write_pcap(os.path.join(tmp, 'plain.pcap'), plain)
            st.write_pcap(os.path.join(tmp, 'labelled.pcap'), labelled)
            d, remote, _ = tof.start_sluice_bridge(self, [
                ('o1', 'net_pcap11,tx_pcap=%s/o1.pcap' % tmp, 11),
                ('o2', 'net_pcap12,tx_pcap=%s/o2.pcap' % tmp, 12)])
            self.assertEqual(d.sluicectl('del-flows', 'br0').returncode, 0)
            for flow in ('in_port=1,ip,actions=push_mpls:0x8847,'
                         'set_field:1000->mpls_label,dec_mpls_ttl,output:11',
                         'in_port=2,mpls,mpls_bos=1,actions='
                         'pop_mpls:0x0800,output:12'):
                r = d.sluicectl('add-flow', 'br0', flow)
                self.assertEqual(r.returncode, 0, r.stderr)
            for i, name in ((1, 'plain'), (2, 'labelled')):
                tof.vsctl(remote, 'add-port', 'br0', 'i%d' % i, '--', 'set',
                          'Interface', 'i%d' % i, 'type=dpdk',
                          'options:dpdk-devargs=net_pcap%d,rx_pcap=%s/%s.pcap'
                          % (i, tmp, name), 'ofport_request=%d' % i)
            d.wait_counter('o1', 'tx', len(plain))
            d.wait_counter('o2', 'tx', len(plain))
            tof.vsctl(remote, 'del-port', 'o1')
            tof.vsctl(remote, 'del-port', 'o2')
            # IP TTL 64 becomes the entry's, less one; TC from DSCP 0.
            self.assertEqual(st.read_pcap(os.path.join(tmp, 'o1.pcap')),
                             [mpls_frame(f, 1000, 0, 63, 1) for f in plain])
            self.assertEqual(st.read_pcap(os.path.join(tmp, 'o2.pcap')),
                             plain)


if __name__ == '__main__':
    st.main()
