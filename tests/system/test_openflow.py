#!/usr/bin/python3
"""The OpenFlow agent with real clients: Debian's ovs-ofctl against each
bridge's management socket RUN_DIR/BRIDGE.mgmt.

- Differential: the same ovs-ofctl commands against Sluice and against
  Debian's ovs-vswitchd 3.1 (userspace, datapath_type=netdev, in a network
  namespace of its own), comparing exit status, normalised dump-flows and
  dump-aggregate text and the OFPT_ERROR codes.  Deliberate differences are
  listed below with the reason; known bugs are expectedFailure tests (an
  unexpected success means a bug was fixed: move the case into the
  corpus).
- Forwarding by the rules, byte for byte, through net_pcap ports, and the
  megaflows' wildcards.
- Revalidation of megaflows when a rule changes, with traffic flowing.
- Packet-in (ovs-ofctl monitor), packet-out, port-status.
- Hostile peers on the management socket.
- fail_mode=secure.
"""

import os
import re
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402

OVS_OFCTL = shutil.which('ovs-ofctl')
OVS_VSCTL = shutil.which('ovs-vsctl')
OVSDB_TOOL = shutil.which('ovsdb-tool')


def userspace_vswitchd():
    """Debian's userspace ovs-vswitchd itself: /usr/sbin/ovs-vswitchd is an
    alternative that openvswitch-switch-dpdk (sluice-bench --ref ovs) may
    point at its DPDK build."""
    debian = '/usr/lib/openvswitch-switch/ovs-vswitchd'
    if os.access(debian, os.X_OK):
        return debian
    return (shutil.which('ovs-vswitchd')
            or shutil.which('ovs-vswitchd', path='/usr/sbin:/sbin'))


OVS_VSWITCHD = userspace_vswitchd()
OVS_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'
VSCTL_TIMEOUT = 30
OFCTL_TIMEOUT = 15

HAVE_CLIENTS = bool(OVS_OFCTL and OVS_VSCTL)
HAVE_OVS = bool(HAVE_CLIENTS and OVSDB_TOOL and OVS_VSWITCHD
                and st.OVSDB_SERVER and os.path.exists(OVS_SCHEMA)
                and shutil.which('unshare'))


# ---------------------------------------------------------------------------
# Running the clients.

def vsctl(remote, *args, wait=True):
    cmd = [OVS_VSCTL, '--db=' + remote, '--timeout=%d' % VSCTL_TIMEOUT]
    if not wait:
        cmd.append('--no-wait')
    r = subprocess.run(cmd + list(args), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True,
                       timeout=VSCTL_TIMEOUT + 10)
    if r.returncode != 0:
        raise AssertionError('ovs-vsctl %s: status %d: %s'
                             % (' '.join(args), r.returncode, r.stderr))
    return r.stdout


def ofctl_argv(target, args):
    """ovs-ofctl [OPTIONS] COMMAND TARGET [ARGS]: 'args' starts with the
    options (-O takes a value), then the command."""
    i = 0
    while i < len(args) and args[i].startswith('-'):
        i += 2 if args[i] == '-O' else 1
    return [OVS_OFCTL] + args[:i + 1] + [target] + args[i + 1:]


def ofctl(rundir, target, args, timeout=OFCTL_TIMEOUT):
    """Runs ovs-ofctl; returns the CompletedProcess.  OVS_RUNDIR: monitor
    and friends create a control socket there."""
    if isinstance(args, str):
        args = shlex.split(args)
    env = dict(os.environ, OVS_RUNDIR=rundir)
    return subprocess.run(ofctl_argv(target, args), capture_output=True,
                          text=True, timeout=timeout, env=env,
                          stdin=subprocess.DEVNULL)


# What differs between any two runs (timing and counters): dropped.
_VOLATILE = re.compile(
    r'\b(duration|n_packets|n_bytes|idle_age|hard_age)=[^, ]*,? ?')


def normalize_stdout(text):
    """dump-flows and the like: volatile fields dropped, xids dropped,
    the indented (per-rule) lines sorted."""
    text = _VOLATILE.sub('', text)
    text = re.sub(r'xid=0x[0-9a-f]+', 'xid=X', text)
    lines = text.splitlines()
    head = [ln for ln in lines if not ln.startswith(' ')]
    body = sorted(ln.rstrip() for ln in lines if ln.startswith(' '))
    return head + body


def error_lines(text, target):
    """What a failed command says, without what depends on how much of
    the offending message the switch echoes: the OFPT_ERROR line (type and
    code) and ovs-ofctl's own complaints.

    Deliberate: Sluice echoes the first 64 bytes of the offending message
    (README.rst, as OpenFlow asks), Open vSwitch the whole message, so
    ovs-ofctl prints a decoded flow_mod for one and a hex dump for the
    other (and OVS-side warnings while decoding it).  Not compared."""
    out = []
    for line in text.replace(target, 'TARGET').splitlines():
        m = re.match(r'^(OFPT_ERROR[^:]*): (\S+)', line)
        if m:
            out.append('OFPT_ERROR: ' + m.group(2))
        elif line.startswith('ovs-ofctl:'):
            out.append(line)
    return out


def table_actives(text):
    """dump-tables: {table: active} for the tables printed in full."""
    res = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r'^\s+table (\d+)', line)
        if m:
            cur = int(m.group(1))
            continue
        m = re.match(r'^\s+active=(\d+)', line)
        if m and cur is not None:
            res[cur] = int(m.group(1))
    return res


def port_names(text):
    """dump-ports-desc / show: the set of 'N(name)' port headings."""
    return sorted(re.findall(r'^ (\w+)\((\S+)\):', text, re.M))


def port_stats_ports(text):
    return sorted(re.findall(r'port\s+(\w+):', text))


# ---------------------------------------------------------------------------
# Frames.

def mac(text):
    return bytes(int(x, 16) for x in text.split(':'))


def ip4(text):
    return socket.inet_aton(text)


def pad60(frame):
    return frame + b'\0' * max(0, 60 - len(frame))


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('>%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4_packet(src, dst, proto, payload, ttl=64, ident=1):
    hdr = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident, 0,
                      ttl, proto, 0, ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack('>H', checksum(hdr)) + hdr[12:]
    return hdr + payload


def udp_frame(dst_mac, src_mac, src, dst, sport, dport, tag=b''):
    body = struct.pack('>8s', tag.ljust(8, b'.')[:8]) + bytes(range(24))
    udp = struct.pack('>HHHH', sport, dport, 8 + len(body), 0) + body
    return pad60(mac(dst_mac) + mac(src_mac) + b'\x08\x00'
                 + ipv4_packet(src, dst, 17, udp))


def monitor_marker():
    """A frame a packet-out sends to the controller to see the monitor
    ready; packet_ins() leaves it out."""
    return udp_frame('02:00:00:00:00:09', '02:00:00:00:00:09', '10.9.9.9',
                     '10.9.9.9', 9, 9, b'marker')


# How 'ovs-ofctl -mmm monitor' prints the marker's payload.
MARKER_SEEN = '6d 61 72 6b 65 72'



def arp_frame(src_mac, spa, tpa):
    arp = struct.pack('>HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 1, mac(src_mac),
                      ip4(spa), b'\0' * 6, ip4(tpa))
    return pad60(b'\xff' * 6 + mac(src_mac) + b'\x08\x06' + arp)


def vlan_tag(frame, vid, pcp=0):
    return frame[:12] + struct.pack('>HH', 0x8100, (pcp << 13) | vid) \
        + frame[12:]


def vlan_untag(frame):
    # An untagged frame keeps the tagged one's bytes (no re-padding).
    return frame[:12] + frame[16:]


def set_src_mac(frame, src):
    return frame[:6] + mac(src) + frame[12:]


def set_dst_mac(frame, dst):
    return mac(dst) + frame[6:]


# ---------------------------------------------------------------------------
# Open vSwitch, the oracle.

class OvsSwitch:
    """Debian's ovsdb-server and ovs-vswitchd in a temporary directory, the
    latter in a network namespace of its own (a netdev bridge makes a tap
    device for its LOCAL port).  Bridge br0 with internal ports p1..p3 as
    OpenFlow ports 1..3.  stop() ends both (also on failure: the caller
    registers it as a cleanup)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='sluice-ovs-')
        self.db_server = None
        self.vswitchd = None

    def path(self, name):
        return os.path.join(self.dir, name)

    def start(self, n_ports=3):
        db = self.path('conf.db')
        subprocess.run([OVSDB_TOOL, 'create', db, OVS_SCHEMA], check=True,
                       capture_output=True, timeout=30)
        self.db_server = st.DebianOvsdbServer(self.dir, db)
        self.remote = self.db_server.remote
        vsctl(self.remote, 'init', wait=False)
        env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_DBDIR=self.dir,
                   OVS_LOGDIR=self.dir)
        log = open(self.path('vswitchd.console'), 'wb')
        try:
            # unshare without --fork execs: the child is ovs-vswitchd.
            self.vswitchd = subprocess.Popen(
                ['unshare', '--net', '--', OVS_VSWITCHD,
                 'unix:' + self.db_server.sock,
                 '--pidfile=' + self.path('ovs-vswitchd.pid'),
                 '--unixctl=' + self.path('ovs-vswitchd.ctl'),
                 '--log-file=' + self.path('ovs-vswitchd.log'),
                 '-vconsole:off'],
                env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        args = ['add-br', 'br0', '--', 'set', 'bridge', 'br0',
                'datapath_type=netdev']
        for i in range(1, n_ports + 1):
            args += ['--', 'add-port', 'br0', 'p%d' % i, '--', 'set',
                     'Interface', 'p%d' % i, 'type=internal',
                     'ofport_request=%d' % i]
        vsctl(self.remote, *args)
        self.mgmt = 'unix:' + self.path('br0.mgmt')
        st.wait_for(lambda: os.path.exists(self.path('br0.mgmt')), 20,
                    what='ovs-vswitchd br0.mgmt')

    def stop(self):
        for proc in (self.vswitchd,):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
        if self.db_server is not None:
            self.db_server.stop()
        if os.environ.get('SLUICE_TEST_KEEP'):
            print('kept %s' % self.dir, file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        try:
            with open(self.path('ovs-vswitchd.log'), errors='replace') as f:
                return ''.join(f.read().splitlines(True)[-50:])
        except OSError:
            return ''


def start_sluice_bridge(test_or_cls, ports, class_level=False):
    """A sluiced in its own run directory and namespace with bridge br0
    and dpdk ports [(name, devargs)] as OpenFlow ports 1, 2, ..."""
    d = st.Daemon(netns=True)
    if class_level:
        test_or_cls.addClassCleanup(d.cleanup)
    else:
        test_or_cls.addCleanup(st.cleanup_after_test, test_or_cls, d)
    d.start()
    remote = 'unix:' + d.path('db.sock')
    args = ['add-br', 'br0']
    for i, port in enumerate(ports, 1):
        name, devargs = port[:2]
        ofport = port[2] if len(port) > 2 else i
        args += ['--', 'add-port', 'br0', name, '--', 'set', 'Interface',
                 name, 'type=dpdk', 'options:dpdk-devargs=' + devargs,
                 'ofport_request=%d' % ofport]
    vsctl(remote, *args)
    return d, remote, 'unix:' + d.path('br0.mgmt')


# ---------------------------------------------------------------------------
# The differential corpus.
#
# Each case: a list of ovs-ofctl command lines (options, command, then its
# arguments; the switch is put after the command), run in order against
# both switches after "del-flows".  Every command's exit status, stdout
# (normalised) and error codes are compared, then the tables, read with
# the dumps in 'dumps' (default: all of DUMPS).  {dir} is a directory
# holding the flow files below.

DUMPS = ['dump-flows', '-O OpenFlow13 dump-flows', 'dump-aggregate',
         '-O OpenFlow13 dump-aggregate']
NX_DUMPS = ['dump-flows', 'dump-aggregate', '-O OpenFlow13 dump-aggregate']
OF13_DUMPS = ['-O OpenFlow13 dump-flows', 'dump-aggregate',
              '-O OpenFlow13 dump-aggregate']

FLOW_FILES = {
    'flows1.txt': '''\
# a comment, then rules
priority=10,in_port=1,actions=output:2
priority=10,in_port=2,actions=output:1
cookie=0x10,priority=20,ip,nw_dst=10.0.0.0/24,actions=output:3
cookie=0x11,priority=20,tcp,tp_dst=22,actions=drop
table=1,cookie=0x20,dl_dst=ff:ff:ff:ff:ff:ff,actions=FLOOD
''',
    'flows2.txt': '''\
priority=10,in_port=1,actions=output:3
cookie=0x10,priority=20,ip,nw_dst=10.0.0.0/24,actions=output:3
priority=30,udp,actions=NORMAL
''',
    'bad.txt': '''\
priority=10,in_port=1,actions=output:2
priority=10,in_port=2,actions=goto_table:0
''',
}

CASES = [
    ('matches', [
        'add-flow in_port=1,actions=output:2',
        'add-flow "priority=100,dl_src=00:11:22:33:44:55/ff:ff:ff:00:00:00,'
        'dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=drop"',
        'add-flow "ip,nw_src=10.0.0.0/8,nw_dst=192.168.1.1,nw_tos=16,'
        'actions=mod_nw_dst:1.2.3.4,output:3"',
        'add-flow "ip,nw_src=10.0.0.1/255.0.255.0,actions=drop"',
        'add-flow "tcp,tp_dst=80,tp_src=0x1000/0xf000,'
        'actions=mod_tp_dst:8080,NORMAL"',
        'add-flow "udp6,ipv6_src=2001:db8::/32,ipv6_dst=::1,udp_dst=53,'
        'actions=CONTROLLER:100"',
        'add-flow "arp,arp_tpa=10.0.0.1,arp_op=1,actions=FLOOD"',
        'add-flow "arp,arp_sha=00:00:00:00:00:01,arp_spa=1.2.3.0/24,'
        'actions=drop"',
        'add-flow "dl_vlan=5,dl_vlan_pcp=3,actions=strip_vlan,output:1"',
        'add-flow "vlan_tci=0x1000/0x1000,actions=ALL"',
        'add-flow "vlan_tci=0,actions=drop"',
        'add-flow "table=3,reg0=5,reg1=0x10/0xf0,metadata=0x1234,'
        'actions=LOCAL"',
        'add-flow "table=2,reg3=7,metadata=0x10/0xf0,'
        'actions=load:0x1->NXM_NX_REG2[0..3],resubmit(1,3)"',
        'add-flow "cookie=0x42,priority=7,idle_timeout=30,hard_timeout=60,'
        'send_flow_rem,ip,actions=IN_PORT"',
        'add-flow "ipv6,ipv6_label=0x12345,actions=drop"',
        'add-flow "icmp6,icmp_type=135,nd_target=::1,'
        'nd_sll=00:00:00:00:00:01,actions=drop"',
        'add-flow "tcp6,ipv6_dst=fe80::/10,tcp_flags=+syn-ack,'
        'actions=output:3"',
        'add-flow "dl_type=0x0800,nw_proto=6,tp_src=1,actions=drop"',
        'add-flow "sctp,sctp_src=5,actions=drop"',
        'add-flow "ip,ip_frag=first,actions=drop"',
        'add-flow "icmp,icmp_type=8,icmp_code=0,actions=drop"',
        'add-flow "rarp,actions=drop"',
        'add-flow "tun_id=5,actions=drop"',
        'add-flow "in_port=p2,actions=output:p3"',
        'dump-flows --sort',
        'dump-flows --rsort=priority',
        'dump-flows table=3',
        'dump-flows in_port=1',
        'dump-flows ip',
        'dump-flows cookie=0x42/-1',
        'dump-flows out_port=1',
        '-O OpenFlow13 dump-flows out_port=3',
        'dump-aggregate ip',
        '-O OpenFlow13 dump-aggregate table=3',
    ]),
    ('actions', [
        'add-flow "in_port=2,actions=mod_dl_src:00:00:00:00:00:01,'
        'mod_dl_dst:00:00:00:00:00:02,output:1"',
        'add-flow "in_port=3,actions=resubmit(,3),'
        'move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],note:01.02.03,dec_ttl"',
        'add-flow "ip,actions=dec_ttl,output:1"',
        'add-flow "in_port=3,ip,actions=set_field:10.1.1.1->ip_dst,output:2"',
        'add-flow "tcp,actions=mod_nw_src:1.1.1.1,mod_tp_src:99"',
        'add-flow "arp,actions=mod_nw_src:1.1.1.1"',
        'add-flow "dl_vlan=3,actions=mod_vlan_pcp:4,mod_vlan_vid:7"',
        'add-flow "actions=note:aa.bb,output:2,controller,local,in_port,'
        'all,flood,normal"',
        'add-flow "ip,actions=controller:0"',
        'add-flow "actions=enqueue:1:2"',
        'add-flow "actions=set_queue:3,pop_queue"',
        'add-flow "actions=resubmit(2,1),resubmit:3"',
        'add-flow "in_port=1,actions=output:1"',
        'add-flow "priority=3,actions=drop"',
        '-O OpenFlow13 add-flow "table=1,dl_vlan=7,actions=pop_vlan,'
        'output:1"',
        '-O OpenFlow13 add-flow "table=1,priority=9,ip,'
        'actions=set_field:10.0.0.1->ip_src,'
        'set_field:aa:bb:cc:dd:ee:ff->eth_dst,output:2"',
    ]),
    # MPLS: pushed, set, TTLs, popped; in both versions.
    ('mpls', [
        'add-flow "ip,actions=push_mpls:0x8847,output:2"',
        'add-flow "in_port=2,mpls,actions=set_field:5->mpls_label,'
        'dec_mpls_ttl,set_mpls_ttl:9,output:1"',
        'add-flow "in_port=3,mpls,mpls_bos=1,actions=pop_mpls:0x0800,'
        'output:1"',
        '-O OpenFlow13 add-flow "table=2,arp,actions=push_mpls:0x8848,'
        'set_field:3->mpls_tc,output:1"',
        '-O OpenFlow13 add-flow "table=2,mpls,mpls_label=7,actions='
        'pop_mpls:0x86dd,output:3"',
        '-O OpenFlow13 add-flow "table=2,mpls,actions=set_field:1->mpls_bos"',
        'add-flow "actions=pop_mpls:0x0800"',
    ]),
    # Instructions.  In OF1.0/NXM dumps as OVS sends them: goto_table as
    # resubmit(,N), write_metadata as such, write_actions, clear_actions
    # and a push_vlan (before a set of vlan_vid: mod_vlan_vid) left out.
    ('instructions', [
        '-O OpenFlow13 add-flow "table=0,in_port=4,actions=goto_table:5"',
        '-O OpenFlow13 add-flow "table=5,ip,actions=clear_actions,'
        'write_actions(output:2),write_metadata:0x1/0xff"',
        '-O OpenFlow13 add-flow "table=5,priority=5,'
        'actions=write_actions(output:1),goto_table:7"',
        '-O OpenFlow13 add-flow "table=1,actions=push_vlan:0x8100,'
        'set_field:4102->vlan_vid,output:1"',
        '-O OpenFlow13 add-flow "table=5,actions=goto_table:5"',
        '-O OpenFlow13 add-flow "table=5,actions=goto_table:2"',
        '-O OpenFlow13 add-flow "table=253,actions=goto_table:254"',
        'add-flow "table=7,actions=output:2,write_metadata:0x5/0xf"',
        'add-flow "table=7,priority=6,actions=output:2,goto_table:9"',
        'add-flow "table=7,priority=7,actions=write_metadata:0x5,output:2"',
        '-O OpenFlow13 dump-flows table=5',
        '-O OpenFlow13 dump-flows out_port=1',
        '-O OpenFlow13 dump-aggregate table=5',
        'dump-flows table=5',
        'dump-flows out_port=1',
    ]),
    ('bad flows', [
        'add-flow "tcp,actions=mod_nw_src:1.1.1.1"',
        'add-flow "actions=mod_tp_dst:80"',
        'add-flow "actions=mod_nw_src:1.1.1.1"',
        'add-flow "ip,actions=mod_tp_dst:80"',
        'add-flow "ip,tp_dst=80,actions=drop"',
        'add-flow "foo=1,actions=drop"',
        'add-flow "in_port=1,actions=output:70000"',
        'add-flow "actions=resubmit(,300)"',
        'add-flow "actions=move:NXM_OF_IP_SRC[]->NXM_OF_ETH_DST[]"',
        'add-flow "ip,actions=move:NXM_OF_IP_SRC[]->NXM_NX_REG0[]"',
        'add-flow "actions=load:0x1->NXM_OF_IP_SRC[]"',
        'add-flow "actions=load:0x1ff->NXM_NX_REG0[0..7]"',
        '-O OpenFlow13 add-flow "actions=group:1"',
        'add-flow "actions=set_field:1->arp_op"',
        '-O OpenFlow13 add-flow "actions=set_field:1->ip_dscp"',
        '-O OpenFlow13 add-flow "table=255,actions=drop"',
        'add-flow "table=300,actions=drop"',
        'add-flow "priority=70000,actions=drop"',
        'add-flow "dl_vlan=4096,actions=drop"',
        'add-flows {dir}/bad.txt',
        'dump-flows table=300',
    ]),
    # The forms actions come back in: a load stays a load in OF1.3 (as
    # mod_nw_ttl and mod_nw_ecn, which ovs-ofctl sends in OF1.0 as loads),
    # set_tunnel keeps its 32-bit form while the value fits, mod_nw_tos is
    # ip_dscp in OF1.3, OF1.0's mod_vlan_vid/pcp push a tag unless the
    # match says there is one; output to port 0; the checks of loads
    # against the match in OF1.0; the error for a group in OF1.0.
    ('action forms', [
        'add-flow "in_port=3,actions=load:0x5->NXM_NX_REG0[]"',
        'add-flow "ip,actions=mod_nw_ttl:9,mod_nw_tos:4,mod_nw_ecn:1"',
        'add-flow "in_port=2,actions=load:0x020000000001->NXM_OF_ETH_SRC[],'
        'set_tunnel:5,set_tunnel64:6,set_tunnel:0x100000000,mod_vlan_vid:7"',
        'add-flow "in_port=1,actions=mod_vlan_pcp:3,pop_vlan,'
        'mod_vlan_vid:7"',
        'add-flow "dl_vlan=5,actions=mod_vlan_vid:7,mod_vlan_pcp:3,'
        'load:3->NXM_OF_VLAN_TCI[13..15]"',
        'add-flow "tcp,actions=mod_tp_dst:80,load:0x5->NXM_OF_TCP_SRC[],'
        'set_field:10.0.0.1->ip_src"',
        '-O OpenFlow13 add-flow "table=3,tcp,'
        'actions=load:0x5->NXM_OF_TCP_SRC[],set_tunnel:3,'
        'load:0x1->OXM_OF_METADATA[0..3],set_field:2->ip_dscp,'
        'set_field:3->ip_ecn"',
        '-O OpenFlow13 add-flow "table=4,udp,actions=set_field:5->udp_src,'
        'mod_nw_ttl:3"',
        '-O OpenFlow13 add-flow "table=4,sctp,actions=set_field:5->sctp_src"',
        'add-flow "table=5,vlan_tci=0x1000/0x1000,actions=mod_vlan_vid:7,'
        'output:0"',
        'add-flow "table=5,vlan_tci=0,actions=mod_vlan_pcp:2"',
        'add-flow "table=6,actions=mod_vlan_vid:7"',
        'add-flow "table=6,actions=set_tunnel:5"',
        'add-flow "table=6,ipv6,actions=mod_nw_ecn:3,set_tunnel64:7"',
        'add-flow "actions=output:0"',
        'add-flow "actions=mod_nw_ecn:1"',
        'add-flow "actions=mod_nw_ttl:9"',
        'add-flow "arp,actions=mod_nw_ttl:3"',
        'add-flow "actions=group:1"',
    ]),
    ('add-flows, mod-flows, del-flows', [
        'add-flows {dir}/flows1.txt',
        'mod-flows "in_port=1,actions=output:3"',
        'mod-flows --strict "priority=10,in_port=2,actions=LOCAL"',
        'mod-flows --strict "priority=11,in_port=2,actions=drop"',
        'mod-flows "cookie=0x10/-1,actions=output:1"',
        'mod-flows "cookie=0x99/-1,actions=output:1"',
        'mod-flows "ip,actions=output:2"',
        'mod-flows "udp,actions=output:2"',
        'dump-flows',
        '-O OpenFlow13 mod-flows "table=1,actions=output:2"',
        '-O OpenFlow13 mod-flows "cookie=0x11/-1,actions=output:3"',
        '-O OpenFlow13 mod-flows --strict "table=0,priority=10,in_port=1,'
        'actions=output:2"',
        '-O OpenFlow13 dump-flows',
        'del-flows --strict "priority=10,in_port=1"',
        'del-flows out_port=3',
        'del-flows cookie=0x20/-1',
        'dump-flows',
        'add-flows {dir}/flows1.txt',
        'del-flows table=1',
        'del-flows --strict "priority=20,ip"',
        '-O OpenFlow13 del-flows "table=0,tcp"',
        '-O OpenFlow13 del-flows "table=0,out_port=2"',
    ]),
    ('replace-flows, diff-flows, overlap, filters', [
        'add-flows {dir}/flows1.txt',
        'replace-flows {dir}/flows2.txt',
        'diff-flows {dir}/flows1.txt',
        'diff-flows {dir}/flows2.txt',
        'add-flow "check_overlap,priority=30,udp,tp_dst=53,actions=drop"',
        'add-flow "check_overlap,priority=30,tcp,actions=drop"',
        'add-flow "check_overlap,priority=30,udp,actions=drop"',
        'add-flow "check_overlap,priority=31,udp,actions=drop"',
        '-O OpenFlow13 add-flow "check_overlap,priority=31,ip,actions=drop"',
        '-O OpenFlow13 dump-flows cookie=0x10/0xf0',
        'dump-flows "cookie=0x10/0xff,ip"',
        'dump-aggregate cookie=0x10/0xff',
        'dump-flows --rsort',
        'dump-flows --sort=priority',
        'add-flow "cookie=0x77,priority=10,in_port=1,idle_timeout=5,'
        'actions=output:2"',
        '-O OpenFlow13 dump-flows "cookie=0x77/-1"',
    ]),
]


# Deliberate: actions that Sluice's datapath cannot carry out are refused
# with an error (of_xlate_check_actions()), where Open vSwitch accepts
# them.  (version, flow, Sluice's error)
REFUSED_DELIBERATELY = [
    ('OpenFlow10', 'arp,actions=set_field:1->arp_op', 'OFPBAC_BAD_SET_TYPE'),
    ('OpenFlow13', 'arp,actions=set_field:1->arp_op',
     'OFPBAC_BAD_SET_TYPE'),
    ('OpenFlow10', 'icmp,actions=set_field:3->icmp_type',
     'OFPBAC_BAD_SET_TYPE'),
    ('OpenFlow13', 'icmp6,icmp_type=135,actions=set_field:::1->nd_target',
     'OFPBAC_BAD_SET_TYPE'),
]

# Not implemented (yet): Nicira actions the codec does not decode
# (ofproto/README.rst lists the ones it does).  Open vSwitch accepts them;
# Sluice answers OFPBAC_BAD_VENDOR_TYPE.  Reported, asserted here so that
# the list stays true.
NOT_IMPLEMENTED = [
    'actions=controller(reason=no_match,max_len=100)',
    'actions=output:NXM_NX_REG0[0..15]',
    'actions=exit',
    'actions=learn(table=1,NXM_OF_VLAN_TCI[0..11])',
    'actions=multipath(eth_src,50,hrw,12,0,NXM_NX_REG0[0..3])',
    'actions=conjunction(1,1/2)',
    'actions=bundle(eth_src,0,hrw,ofport,members:1,2)',
    'ip,actions=dec_ttl(1,2)',
]


@unittest.skipUnless(HAVE_OVS, 'needs ovs-ofctl, ovs-vsctl, ovsdb-tool, '
                     'ovsdb-server and ovs-vswitchd (openvswitch-switch)')
class DifferentialTest(unittest.TestCase):
    """The same ovs-ofctl commands against Open vSwitch and Sluice."""

    @classmethod
    def setUpClass(cls):
        cls.ovs = OvsSwitch()
        cls.addClassCleanup(cls.ovs.stop)
        cls.ovs.start()
        cls.d, cls.sl_remote, cls.sl_mgmt = start_sluice_bridge(
            cls, [('p%d' % i, 'net_null%d,no-rx=1' % i) for i in (1, 2, 3)],
            class_level=True)
        cls.files = tempfile.mkdtemp(prefix='sluice-oft-')
        cls.addClassCleanup(shutil.rmtree, cls.files, True)
        for name, text in FLOW_FILES.items():
            with open(os.path.join(cls.files, name), 'w') as f:
                f.write(text)

    def setUp(self):
        self.addCleanup(self.dump_logs_on_failure)
        for target in (self.ovs.mgmt, self.sl_mgmt):
            self.assertEqual(self.run_one('ovs', 'del-flows', target)[0], 0)

    def dump_logs_on_failure(self):
        outcome = getattr(self, '_outcome', None)
        if outcome is not None and not getattr(outcome, 'success', True):
            if not getattr(self, '_expected_failure', False):
                print('--- ovs-vswitchd log ---\n' + self.ovs.log(),
                      file=sys.stderr)

    def run_one(self, who, line, target=None):
        """Runs one command line on 'who' ('ovs' or 'sluice'); returns
        (status, normalised stdout lines, error lines)."""
        if target is None:
            target = self.ovs.mgmt if who == 'ovs' else self.sl_mgmt
        rundir = self.ovs.dir if who == 'ovs' else self.d.run_dir
        r = ofctl(rundir, target, shlex.split(line.format(dir=self.files)))
        return (r.returncode, normalize_stdout(r.stdout),
                error_lines(r.stderr, target))

    def compare(self, line):
        a = self.run_one('ovs', line)
        b = self.run_one('sluice', line)
        self.assertEqual(b, a, 'ovs-ofctl %s: Sluice (first) differs from '
                         'Open vSwitch' % line)
        return a

    def run_case(self, lines, dumps=DUMPS):
        for line in lines:
            self.compare(line)
        for line in dumps:
            self.compare(line)

    def test_corpus(self):
        for case in CASES:
            name, lines = case[:2]
            dumps = case[2] if len(case) > 2 else DUMPS
            with self.subTest(case=name):
                for target in (self.ovs.mgmt, self.sl_mgmt):
                    self.run_one('ovs', 'del-flows', target)
                self.run_case(lines, dumps)

    def test_initial_rule_and_tables(self):
        # A new bridge: the same NORMAL rule (del-flows in setUp removed
        # it: put it back as the bridge has it).
        self.run_case(['add-flow "priority=0,actions=NORMAL"',
                       'dump-flows', '-O OpenFlow13 dump-flows'])
        for line in ('dump-tables', '-O OpenFlow13 dump-tables'):
            a = table_actives(ofctl(self.ovs.dir, self.ovs.mgmt,
                                    line).stdout)
            b = table_actives(ofctl(self.d.run_dir, self.sl_mgmt,
                                    line).stdout)
            self.assertEqual(b, a, line)
        # Ports: names and numbers (their state differs: OVS's are down
        # internal ports, Sluice's net_null ports are up).
        for line in ('dump-ports-desc', '-O OpenFlow13 dump-ports-desc',
                     'show'):
            a = port_names(ofctl(self.ovs.dir, self.ovs.mgmt, line).stdout)
            b = port_names(ofctl(self.d.run_dir, self.sl_mgmt, line).stdout)
            self.assertEqual(b, a, line)
            self.assertEqual(len(a), 4, a)
        for line in ('dump-ports', '-O OpenFlow13 dump-ports',
                     'dump-ports 2'):
            a = port_stats_ports(ofctl(self.ovs.dir, self.ovs.mgmt,
                                       line).stdout)
            b = port_stats_ports(ofctl(self.d.run_dir, self.sl_mgmt,
                                       line).stdout)
            self.assertEqual(b, a, line)
        self.compare('get-frags')
        self.compare('-O OpenFlow13 get-frags')

    def test_refused_deliberately(self):
        for version, flow, error in REFUSED_DELIBERATELY:
            line = '-O %s add-flow "%s"' % (version, flow)
            with self.subTest(flow=line):
                self.assertEqual(self.run_one('ovs', line)[0], 0,
                                 'Open vSwitch now refuses it')
                status, _, err = self.run_one('sluice', line)
                self.assertEqual((status, err),
                                 (1, ['OFPT_ERROR: ' + error]))
        self.assertEqual(self.run_one('sluice', 'dump-flows')[1],
                         ['NXST_FLOW reply (xid=X):'])

    def test_of10_match_normalised(self):
        # Deliberate (ofproto/README.rst: OF1.0 matches are normalised):
        # ovs-ofctl sends "nw_src=1.1.1.1" without dl_type as an OF1.0
        # match with nw_src set; OVS keeps that hidden field (a second
        # rule that prints as "actions=drop" next to the catch-all),
        # Sluice drops it, so the add replaces the catch-all rule.
        lines = ['add-flow "actions=output:1"',
                 'add-flow "nw_src=1.1.1.1,actions=drop"']
        for line in lines:
            self.assertEqual(self.run_one('ovs', line)[0], 0)
            self.assertEqual(self.run_one('sluice', line)[0], 0)
        self.assertEqual(self.run_one('ovs', 'dump-flows')[1][1:],
                         [' cookie=0x0, table=0, actions=drop',
                          ' cookie=0x0, table=0, actions=output:1'])
        self.assertEqual(self.run_one('sluice', 'dump-flows')[1][1:],
                         [' cookie=0x0, table=0, actions=drop'])

    def test_not_implemented_nicira_actions(self):
        for flow in NOT_IMPLEMENTED:
            line = 'add-flow "%s"' % flow
            with self.subTest(flow=flow):
                self.assertEqual(self.run_one('ovs', line)[0], 0)
                self.assertEqual(self.run_one('sluice', line)[::2],
                                 (1, ['OFPT_ERROR: OFPBAC_BAD_VENDOR_TYPE']))

    def test_fail_mode_flushes_like_ovs(self):
        lines = ['add-flow "in_port=1,actions=output:2"']
        self.run_case(lines, ['dump-flows'])
        for value in ('fail_mode=secure', None, 'fail_mode=standalone'):
            for remote in (self.ovs.remote, self.sl_remote):
                if value:
                    vsctl(remote, 'set', 'bridge', 'br0', value)
                else:
                    vsctl(remote, 'clear', 'bridge', 'br0', 'fail_mode')
            with self.subTest(fail_mode=value):
                self.run_case(lines, ['dump-flows'])
                self.run_case([], ['dump-flows'])

    # -- known bugs: each an expected failure; see the commit message ----

    def test_table_254_is_read_only(self):
        # OVS has 254 tables (0-253); table 254 is its hidden internal
        # table: OFPBRC_EPERM for an add there, before the instructions
        # are looked at (a goto into 255 included).
        self.run_case(['add-flow "table=254,actions=drop"',
                       '-O OpenFlow13 add-flow "table=254,'
                       'actions=goto_table:255"'], DUMPS)

    def test_dump_tables_names(self):
        # OF1.0 table stats: tables without names, so that ovs-ofctl says
        # "ditto" as for OVS's.
        a = ofctl(self.ovs.dir, self.ovs.mgmt, 'dump-tables').stdout
        b = ofctl(self.d.run_dir, self.sl_mgmt, 'dump-tables').stdout
        self.assertEqual(normalize_stdout(b), normalize_stdout(a))

    def test_dump_flows_names_table_numbers(self):
        # "dump-flows --names" prints table=0, not a table name.
        self.run_case(['add-flow "in_port=p2,actions=output:p3"'],
                      ['dump-flows --names'])


# ---------------------------------------------------------------------------
# Sluice alone.

@unittest.skipUnless(HAVE_CLIENTS, 'needs ovs-ofctl and ovs-vsctl')
class OpenFlowTest(unittest.TestCase):

    def start(self, ports):
        self.d, self.remote, self.mgmt = start_sluice_bridge(self, ports)

    def ofctl(self, line, check=True):
        r = ofctl(self.d.run_dir, self.mgmt, line)
        if check and r.returncode != 0:
            raise AssertionError('ovs-ofctl %s: status %d: %s'
                                 % (line, r.returncode, r.stderr))
        return r

    def vsctl(self, *args):
        return vsctl(self.remote, *args)

    def dp_port(self, name):
        return self.d.show()[name]['port_no']

    def megaflows(self, in_port):
        """{match: actions} of the megaflows from datapath port in_port."""
        res = {}
        for line in self.d.ctl('dpctl/dump-flows').splitlines():
            if 'in_port(%d)' % in_port not in line:
                continue
            m = re.match(r'^(.*?), packets:.*actions:(\S+)\s*$', line)
            if m:
                res[m.group(1)] = m.group(2)
        return res

    def rule_packets(self, match_text):
        """n_packets of the one rule whose dump-flows line has
        match_text."""
        for line in self.ofctl('dump-flows').stdout.splitlines():
            if match_text in line:
                return int(re.search(r'n_packets=(\d+)', line).group(1))
        raise AssertionError('no rule with %r' % match_text)

    # -- forwarding ---------------------------------------------------------

    def test_forwarding_by_rules_byte_for_byte(self):
        tmp = tempfile.mkdtemp(prefix='sluice-oft-')
        self.addCleanup(shutil.rmtree, tmp, True)
        to_p2 = [udp_frame('02:00:00:00:00:02', '02:00:00:00:00:01',
                           '10.0.0.1', '10.0.0.2', 1000 + i, 2000 + i,
                           b'ip%d' % i) for i in range(5)]
        # Priority 100 (nw_dst) wins over 90 (udp dst 53).
        to_p2.append(udp_frame('02:00:00:00:00:02', '02:00:00:00:00:01',
                               '10.0.0.1', '10.0.0.2', 5353, 53, b'dns-hi'))
        arps = [arp_frame('02:00:00:00:00:01', '10.0.0.1', '10.0.0.%d' % i)
                for i in (2, 3)]
        dns = [udp_frame('02:00:00:00:00:09', '02:00:00:00:00:01',
                         '10.0.0.1', '10.0.0.9', 4000 + i, 53, b'dns%d' % i)
               for i in range(3)]
        tagged = [vlan_tag(udp_frame('02:00:00:00:00:07', '02:00:00:00:00:01',
                                     '10.0.0.1', '10.0.0.7', 7, 7, b'v%d' % i),
                           5, pcp=i) for i in range(3)]
        other_vlan = [vlan_tag(udp_frame('02:00:00:00:00:07',
                                         '02:00:00:00:00:01', '10.0.0.1',
                                         '10.0.0.7', 7, 7, b'v6'), 6)]
        sub = [udp_frame('02:00:00:00:00:05', '02:00:00:00:00:01',
                         '10.0.0.1', '10.0.1.%d' % i, 9, 9, b'sub%d' % i)
               for i in (5, 6)]
        unmatched = [st.make_frame(64, 'none', i) for i in range(4)]
        frames = []
        for group in (to_p2, arps, dns, tagged, other_vlan, sub, unmatched):
            frames += group
        # Interleaved so that each megaflow sees misses and hits.
        order = sorted(range(len(frames)), key=lambda i: (i % 3, i))
        frames = [frames[i] for i in order]
        st.write_pcap(os.path.join(tmp, 'in.pcap'), frames)

        self.start([('p2', 'net_pcap2,tx_pcap=' + os.path.join(tmp,
                                                               'p2.pcap'), 2),
                    ('p3', 'net_pcap3,tx_pcap=' + os.path.join(tmp,
                                                               'p3.pcap'), 3)])
        self.ofctl('del-flows')
        rules = [
            'priority=100,ip,nw_dst=10.0.0.2,actions=output:2',
            'priority=95,arp,actions=output:3',
            'priority=90,udp,tp_dst=53,'
            'actions=mod_dl_src:02:00:00:00:00:53,output:3',
            'priority=110,dl_vlan=5,actions=strip_vlan,output:2',
        ]
        for r in rules:
            self.ofctl(['add-flow', r])
        self.ofctl(['-O', 'OpenFlow13', 'add-flow',
                    'priority=80,ip,nw_dst=10.0.1.0/24,actions=goto_table:1'])
        self.ofctl(['-O', 'OpenFlow13', 'add-flow',
                    'table=1,priority=5,ip,nw_dst=10.0.1.5,'
                    'actions=set_field:02:00:00:00:00:55->eth_dst,output:3'])
        # The reader last, once the rules are in.
        self.vsctl('add-port', 'br0', 'p1', '--',
                   'set', 'Interface', 'p1', 'type=dpdk',
                   'options:dpdk-devargs=net_pcap1,rx_pcap='
                   + os.path.join(tmp, 'in.pcap'), 'ofport_request=1')
        self.assertEqual(self.vsctl('get', 'Interface', 'p1',
                                    'ofport').strip(), '1')
        want2 = to_p2 + [vlan_untag(f) for f in tagged]
        want3 = (arps + [set_src_mac(f, '02:00:00:00:00:53') for f in dns]
                 + [set_dst_mac(sub[0], '02:00:00:00:00:55')])
        self.d.wait_counter('p1', 'rx', len(frames))
        st.wait_for(lambda: self.d.counter('p2', 'tx') >= len(want2)
                    and self.d.counter('p3', 'tx') >= len(want3), 10,
                    what='the frames out of p2 and p3')

        # The megaflow of the nw_dst rule: IPv4 and the destination, no
        # L4 ports, no source address.
        p1 = self.dp_port('p1')
        flows = self.megaflows(p1)
        ip_flows = [m for m in flows if 'dst=10.0.0.2' in m]
        self.assertTrue(ip_flows, flows)
        for m in ip_flows:
            self.assertNotIn('udp(', m, flows)
            self.assertNotIn('tp_dst', m, flows)
            self.assertNotRegex(m, r'src=10\.0\.0\.1\b', flows)
            self.assertEqual(flows[m], 'p2', flows)

        # Closing the ports flushes their pcap files.
        self.vsctl('del-port', 'p2', '--', 'del-port', 'p3')
        got2 = st.read_pcap(os.path.join(tmp, 'p2.pcap'))
        got3 = st.read_pcap(os.path.join(tmp, 'p3.pcap'))
        # Order holds within a megaflow, not across, nor for packets that
        # missed while their megaflow was being installed: as multisets.
        self.assertEqual(sorted(got2), sorted(want2))
        self.assertEqual(sorted(got3), sorted(want3))
        stats = self.d.pmd_stats()
        self.assertEqual(st.pmd_sum(stats, 'upcall_ring_full'), 0)

    def test_revalidation_follows_rule_changes(self):
        self.start([('p1', 'net_null1'),
                    ('p2', 'net_null2,no-rx=1'),
                    ('p3', 'net_null3,no-rx=1')])
        p1 = self.dp_port('p1')
        self.ofctl('del-flows')
        self.ofctl('add-flow in_port=1,actions=output:2')
        st.wait_for(lambda: set(self.megaflows(p1).values()) == {'p2'},
                    10, what='megaflow to p2: %s'
                    % self.d.ctl('dpctl/dump-flows'))
        st.wait_for(lambda: self.rule_packets('in_port=1') > 1000, 10,
                    what='rule counters growing')
        # The same match and priority: the rule is replaced (counters
        # start again with OpenFlow 1.0's add).
        self.ofctl('add-flow in_port=1,actions=output:3')
        st.wait_for(lambda: set(self.megaflows(p1).values()) == {'p3'},
                    10, what='megaflow to p3: %s'
                    % self.d.ctl('dpctl/dump-flows'))
        base3 = self.d.counter('p3', 'tx')
        base2 = self.d.counter('p2', 'tx')
        first = st.wait_for(lambda: self.rule_packets('in_port=1'), 5,
                            what='new rule counting')
        st.wait_for(lambda: self.rule_packets('in_port=1') > first + 1000,
                    10, what='n_packets of the new rule growing')
        st.wait_for(lambda: self.d.counter('p3', 'tx') > base3 + 1000, 10,
                    what='traffic out of p3')
        self.assertLess(self.d.counter('p2', 'tx') - base2, 1000)
        # mod-flows too, and a drop.
        self.ofctl('mod-flows in_port=1,actions=drop')
        st.wait_for(lambda: set(self.megaflows(p1).values()) == {'drop'},
                    10, what='megaflow dropping: %s'
                    % self.d.ctl('dpctl/dump-flows'))
        # And del-flows leaves a table miss: drop as well.
        self.ofctl('del-flows')
        time.sleep(0.3)
        self.assertEqual(set(self.megaflows(p1).values()) - {'drop'}, set())

    # -- packet-in, packet-out, port status -------------------------------

    def start_monitor(self, options, args):
        """ovs-ofctl OPTIONS monitor MGMT ARGS in the background; returns
        a function that returns what it printed so far."""
        out = open(os.path.join(self.d.run_dir, 'monitor.out'), 'w+')
        self.addCleanup(out.close)
        env = dict(os.environ, OVS_RUNDIR=self.d.run_dir)
        proc = subprocess.Popen(
            # Line-buffered: ovs-ofctl does not flush a file.  With -mmm
            # it prints messages on stderr: one file keeps the order.
            ['stdbuf', '-oL', OVS_OFCTL] + options + ['monitor', self.mgmt]
            + args,
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, start_new_session=True)

        def stop():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        self.addCleanup(stop)

        def text():
            out.flush()
            with open(out.name, errors='replace') as f:
                return f.read()
        # Time to connect and ask for asynchronous messages.
        time.sleep(0.7)
        return text

    @staticmethod
    def packet_ins(text):
        """[(header line, packet bytes)] from 'ovs-ofctl -mmm monitor',
        without the marker that tells the monitor is ready."""
        res = []
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if not line.startswith('OFPT_PACKET_IN'):
                continue
            data = b''
            for nxt in lines[i + 2:]:
                m = re.match(r'^([0-9a-f]{8})  ((?:[0-9a-f]{2}[ -]?)+)$',
                             nxt.rstrip())
                if not m or (data and m.group(1) == '00000000'):
                    break
                data += bytes.fromhex(m.group(2).replace('-', ' '))
            if data != monitor_marker():
                res.append((line, data))
        return res

    def packet_in_setup(self, frames):
        tmp = tempfile.mkdtemp(prefix='sluice-oft-')
        self.addCleanup(shutil.rmtree, tmp, True)
        self.start([('p1', 'net_null1,no-rx=1'),
                    ('p2', 'net_pcap2,tx_pcap=' + os.path.join(tmp,
                                                               'p2.pcap'))])
        st.write_pcap(os.path.join(tmp, 'in.pcap'), frames)
        self.ofctl('del-flows')
        self.ofctl('add-flow in_port=3,actions=controller')
        mon = self.start_monitor(['-mmm'], ['65535', '-P', 'standard'])
        # The monitor is ready once a packet-out to the controller reaches
        # it (then the frames may come: earlier, nobody wants them).
        marker = monitor_marker()

        def ready():
            self.ofctl(['packet-out', 'in_port=controller packet=%s '
                        'actions=controller' % marker.hex()])
            return MARKER_SEEN in mon()
        st.wait_for(ready, 10, interval=0.2, what='the monitor')
        self.vsctl('add-port', 'br0', 'p3', '--', 'set', 'Interface', 'p3',
                   'type=dpdk', 'options:dpdk-devargs=net_pcap3,rx_pcap='
                   + os.path.join(tmp, 'in.pcap'), 'ofport_request=3')
        try:
            st.wait_for(lambda: len(self.packet_ins(mon())) >= len(frames),
                        5, what='%d packet-ins' % len(frames))
        except AssertionError as e:
            raise AssertionError('%s\n%s\n%s\n%s\n%s' % (
                e, mon(), self.d.ctl('dpctl/dump-flows'),
                self.ofctl('dump-flows').stdout,
                self.d.ctl('dpif-netdev/pmd-stats-show')))
        return tmp, mon

    def test_packet_in_packet_out_port_status(self):
        # One frame: see test_bug_packet_ins_of_a_burst for more.
        frames = [udp_frame('02:00:00:00:00:02', '02:00:00:00:00:01',
                            '10.0.0.1', '10.0.0.2', 1, 2, b'pin0')]
        tmp, mon = self.packet_in_setup(frames)
        pins = self.packet_ins(mon())
        self.assertEqual(len(pins), len(frames), mon())
        for head, _ in pins:
            self.assertIn('in_port=3', head)
            self.assertIn('(via action)', head)
            self.assertIn('total_len=%d' % len(frames[0]), head)
        self.assertEqual(sorted(p for _, p in pins), sorted(frames))
        self.assertRegex(mon(), r'OFPT_PORT_STATUS.*ADD: 3\(p3\)')
        st.wait_for(lambda: self.rule_packets('in_port=3') == len(frames),
                    5, what='n_packets=%d of the controller rule'
                    % len(frames))

        # Packet-out, OVS 3.1's syntax, both versions.
        out1 = udp_frame('02:00:00:00:00:02', '02:00:00:00:00:01',
                         '10.0.0.1', '10.0.0.2', 3, 4, b'pout1')
        out2 = udp_frame('02:00:00:00:00:02', '02:00:00:00:00:01',
                         '10.0.0.1', '10.0.0.2', 3, 4, b'pout2')
        self.ofctl(['packet-out', 'in_port=controller packet=%s '
                    'actions=output:2' % out1.hex()])
        self.ofctl(['-O', 'OpenFlow13', 'packet-out',
                    'in_port=1,packet=%s,actions=mod_dl_src:02:00:00:00:00:77,'
                    'output:2' % out2.hex()])
        st.wait_for(lambda: self.d.counter('p2', 'tx') >= 2, 10,
                    what='packet-outs on p2')

        self.vsctl('del-port', 'p3')
        st.wait_for(lambda: re.search(r'OFPT_PORT_STATUS.*DEL: 3\(p3\)',
                                      mon()), 10, what='port-status DEL')
        self.vsctl('del-port', 'p2')
        got = st.read_pcap(os.path.join(tmp, 'p2.pcap'))
        self.assertEqual(got, [out1, set_src_mac(out2, '02:00:00:00:00:77')])

    def test_packet_ins_of_a_burst(self):
        # 8 frames of one megaflow arriving together: all 8 are upcalls,
        # each gets its packet-in, and the rule counts every one (the
        # misses that found the megaflow already installed included).
        frames = [udp_frame('02:00:00:00:00:02', '02:00:00:00:00:01',
                            '10.0.0.1', '10.0.0.2', 1, 2, b'pin%d' % i)
                  for i in range(8)]
        _, mon = self.packet_in_setup(frames)
        self.assertEqual(sorted(p for _, p in self.packet_ins(mon())),
                         sorted(frames))
        st.wait_for(lambda: self.rule_packets('in_port=3') == len(frames),
                    3, what='n_packets=%d' % len(frames))

    def test_packet_in_of13(self):
        tmp = tempfile.mkdtemp(prefix='sluice-oft-')
        self.addCleanup(shutil.rmtree, tmp, True)
        frame = arp_frame('02:00:00:00:00:01', '10.0.0.1', '10.0.0.2')
        st.write_pcap(os.path.join(tmp, 'in.pcap'), [frame])
        self.start([('p1', 'net_null1,no-rx=1')])
        self.ofctl('del-flows')
        self.ofctl(['-O', 'OpenFlow13', 'add-flow',
                    'table=0,arp,actions=goto_table:1'])
        self.ofctl(['-O', 'OpenFlow13', 'add-flow',
                    'table=1,actions=controller:200'])
        mon = self.start_monitor(['-O', 'OpenFlow13', '-mmm'],
                                 ['65535', '-P', 'standard'])
        self.vsctl('add-port', 'br0', 'p2', '--', 'set', 'Interface', 'p2',
                   'type=dpdk', 'options:dpdk-devargs=net_pcap2,rx_pcap='
                   + os.path.join(tmp, 'in.pcap'), 'ofport_request=2')
        st.wait_for(lambda: self.packet_ins(mon()), 10,
                    what='packet-in (OF1.3): %s' % mon())
        head, data = self.packet_ins(mon())[0]
        self.assertIn('(OF1.3)', head)
        self.assertIn('table_id=1', head)
        self.assertIn('in_port=2', head)
        self.assertEqual(data, frame)

    # -- hostile peers --------------------------------------------------------

    def mgmt_socket(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(self.mgmt[len('unix:'):])
        self.addCleanup(s.close)
        return s

    @staticmethod
    def read_messages(s, timeout=3.0):
        """OpenFlow messages [(version, type, body)] until the peer closes
        or 'timeout' passes; and whether it closed."""
        data = b''
        closed = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except (ConnectionResetError, BrokenPipeError):
                closed = True
                break
            if not chunk:
                closed = True
                break
            data += chunk
        msgs = []
        while len(data) >= 8:
            ver, typ, length = struct.unpack('>BBH', data[:4])
            if length < 8 or length > len(data):
                break
            msgs.append((ver, typ, data[8:length]))
            data = data[length:]
        return msgs, closed

    def test_hostile_peers(self):
        self.start([('p1', 'net_null1,no-rx=1')])
        hello13 = struct.pack('>BBHI', 4, 0, 8, 1)

        # Garbage after a good HELLO: messages of an unknown type and of
        # another version get errors (OFPBRC_BAD_TYPE, BAD_VERSION) or a
        # close, nothing else.
        junk = bytes(range(7, 255, 3))
        s = self.mgmt_socket()
        s.sendall(hello13 + struct.pack('>BBHI', 4, 0xee, 8 + len(junk), 9)
                  + junk + struct.pack('>BBHI', 1, 0x12, 8 + len(junk), 10)
                  + junk)
        msgs, closed = self.read_messages(s)
        self.assertEqual(msgs[0][:2], (4, 0), msgs)       # Its HELLO.
        rest = msgs[1:]
        self.assertTrue(closed or any(t == 1 for _, t, _ in rest),
                        'neither an error nor a close: %r' % rest)
        self.assertTrue(all(t == 1 for _, t, _ in rest), rest)
        codes = [struct.unpack('>HH', b[:4]) for _, _, b in rest]
        self.assertIn((1, 1), codes)                    # OFPBRC_BAD_TYPE

        # Garbage as the very first bytes (and without end).
        s = self.mgmt_socket()
        try:
            s.sendall(b'\xff' * 70000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        msgs, closed = self.read_messages(s)
        self.assertTrue(closed or any(t == 1 for _, t, _ in msgs[1:]),
                        msgs)

        # A header whose length is below 8: OFPBRC_BAD_LEN, then a close.
        s = self.mgmt_socket()
        s.sendall(hello13 + struct.pack('>BBHI', 4, 2, 4, 7))
        msgs, closed = self.read_messages(s)
        errors = [b for _, t, b in msgs if t == 1]
        self.assertTrue(closed, msgs)
        self.assertTrue(errors, msgs)
        self.assertEqual(struct.unpack('>HH', errors[0][:4]), (1, 6))

        # A truncated header, then the peer goes away.
        s = self.mgmt_socket()
        s.sendall(hello13 + b'\x04\x02\x00')
        s.shutdown(socket.SHUT_WR)
        msgs, closed = self.read_messages(s)
        self.assertTrue(closed, msgs)

        # HELLO offering only version 0x06 (bitmap): HELLO_FAILED.
        s = self.mgmt_socket()
        bitmap = struct.pack('>HHI', 1, 8, 1 << 6)
        s.sendall(struct.pack('>BBHI', 6, 0, 16, 2) + bitmap)
        msgs, closed = self.read_messages(s)
        errors = [b for _, t, b in msgs if t == 1]
        self.assertTrue(errors, msgs)
        self.assertEqual(struct.unpack('>H', errors[0][:2]), (0,),
                         'OFPET_HELLO_FAILED')
        self.assertTrue(closed, msgs)

        # Still there and still serving.
        self.assertTrue(self.d.running())
        self.assertIn('actions=NORMAL', self.ofctl('dump-flows').stdout)
        self.ofctl('add-flow in_port=1,actions=drop')
        self.assertIn('in_port=1 actions=drop',
                      self.ofctl('-O OpenFlow13 dump-flows').stdout)

        # Counted: ofproto/stats says what the peers did.
        self.assertEqual(self.d.ctl('ofproto/list'), 'br0\n')
        stats = self.d.ctl('ofproto/stats', 'br0')
        counts = {k: int(v) for k, v in re.findall(
            r'(hello failed|bad messages|accepted|negotiated) (\d+)', stats)}
        self.assertEqual(counts['hello failed'], 1, stats)
        self.assertGreaterEqual(counts['bad messages'], 2, stats)
        self.assertGreaterEqual(counts['accepted'], 7, stats)
        self.assertIn('rules: 2 in 1 tables', stats)
        self.assertIn('translation: too deep 0,', stats)
        self.assertIn('no such bridge',
                      self.d.ctl_error('ofproto/stats', 'nosuch'))

    # -- Flow_Table ----------------------------------------------------------

    def test_flow_table_prefixes_and_limit(self):
        # Bridge flow_tables:0 -> a Flow_Table row: prefixes=none makes the
        # classifier examine a rule's whole /16 (the megaflow shows it),
        # flow_limit refuses the rule past it with OFPFMFC_TABLE_FULL.
        self.start([('p1', 'net_null1,no-rx=1'), ('p2', 'net_null2,no-rx=1')])
        self.ofctl('del-flows')
        self.ofctl('add-flow priority=10,ip,nw_dst=10.1.0.0/16,actions=2')

        def megaflow():
            out = self.d.ctl('ofproto/trace', 'br0',
                             'in_port=1,ip,nw_dst=10.2.3.4')
            return re.search(r'^Megaflow: (.*)$', out, re.M).group(1)
        # A prefix trie tells 10.2.3.4 from 10.1.0.0/16 on fewer bits.
        self.assertNotIn('255.255.0.0', megaflow())
        self.vsctl('--', '--id=@ft', 'create', 'Flow_Table', 'prefixes=none',
                   'flow_limit=2', '--', 'set', 'Bridge', 'br0',
                   'flow_tables:0=@ft')
        self.assertIn('ipv4(dst=10.2.0.0/255.255.0.0)', megaflow())
        self.ofctl('add-flow priority=11,ip,nw_dst=10.3.0.0/16,actions=2')
        r = self.ofctl('add-flow priority=12,ip,nw_dst=10.4.0.0/16,actions=2',
                       check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('OFPFMFC_TABLE_FULL', r.stderr)
        # A change of the Flow_Table row alone applies too (--no-wait: no
        # next_cfg bump, only the row changes).
        self.vsctl('--no-wait', 'set', 'Flow_Table', '.', 'flow_limit=3')
        st.wait_for(lambda: self.ofctl(
            'add-flow priority=12,ip,nw_dst=10.4.0.0/16,actions=2',
            check=False).returncode == 0, 5, what='flow_limit=3')
        # The row gone: tries and no limit again.
        self.vsctl('clear', 'Bridge', 'br0', 'flow_tables')
        self.assertNotIn('255.255.0.0', megaflow())
        self.ofctl('add-flow priority=13,ip,nw_dst=10.5.0.0/16,actions=2')

    # -- fail mode ---------------------------------------------------------

    def test_fail_mode_secure(self):
        self.start([('p1', 'net_null1,no-rx=1')])
        self.assertIn('priority=0 actions=NORMAL',
                      self.ofctl('dump-flows').stdout)
        self.vsctl('set', 'bridge', 'br0', 'fail_mode=secure')
        st.wait_for(lambda: self.ofctl('dump-flows').stdout.strip()
                    .splitlines()[1:] == [], 10,
                    what='no rules with fail_mode=secure')
        self.assertIn('flow_count=0',
                      self.ofctl('dump-aggregate').stdout)
        self.ofctl('add-flow in_port=1,actions=drop')
        self.vsctl('clear', 'bridge', 'br0', 'fail_mode')
        st.wait_for(lambda: 'priority=0 actions=NORMAL'
                    in self.ofctl('dump-flows').stdout, 10,
                    what='NORMAL rule back')
        # The change flushed every rule (as OVS).
        lines = self.ofctl('dump-flows').stdout.strip().splitlines()[1:]
        self.assertEqual(len(lines), 1, lines)


if __name__ == '__main__':
    st.main()
