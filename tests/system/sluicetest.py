"""sluicetest: helpers for Sluice's daemon (system) tests.

Standard library only.  Each test starts its own sluiced in a fresh
temporary run directory and drives it through the control socket, with our
own JSON-RPC client, with sluicectl and with Open vSwitch's ovs-appctl.

Environment (set by tests/system/meson.build):
  SLUICED, SLUICECTL, SLUICE_PCAPGEN   the binaries under test
  SLUICE_TEST_NO_HUGE=1                run sluiced with --no-huge
  SLUICE_TEST_KEEP=1                   keep run directories (debugging)

A daemon is always stopped and its run directory removed, also when a test
fails or the test script is killed (SIGTERM from meson's timeout); on
failure the daemon's log is printed.
"""

import atexit
import codecs
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

SLUICED = os.environ.get('SLUICED', 'sluiced')
SLUICECTL = os.environ.get('SLUICECTL', 'sluicectl')
SLUICE_PCAPGEN = os.environ.get('SLUICE_PCAPGEN', 'sluice-pcapgen')
OVS_APPCTL = shutil.which('ovs-appctl')

HUGEPAGES_DIR = '/sys/kernel/mm/hugepages/hugepages-2048kB'
TEST_MEMORY_MB = 256
PMD_IDLE_SLEEP_US = 20
CMD_TIMEOUT = 15            # Seconds for one control command.


class DaemonError(Exception):
    pass


class CtlError(Exception):
    """A command answered with a JSON-RPC error."""

    def __init__(self, method, params, error):
        super().__init__('%s %s: %s' % (method, ' '.join(params), error))
        self.error = error


# ---------------------------------------------------------------------------
# Waiting.

def wait_for(cond, timeout=10.0, interval=0.05, what='condition'):
    """Calls cond() until it returns something true; returns that.
    Raises AssertionError after 'timeout' seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %.1f s waiting for %s'
                                 % (timeout, what))
        time.sleep(interval)


def wait_stable(get, settle=0.5, timeout=15.0, interval=0.1,
                what='value to settle'):
    """Calls get() until it returns the same value for 'settle' seconds;
    returns that value."""
    deadline = time.monotonic() + timeout
    last = get()
    since = time.monotonic()
    while True:
        time.sleep(interval)
        now = get()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= settle:
            return now
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %.1f s waiting for %s '
                                 '(last value %r)' % (timeout, what, now))


# ---------------------------------------------------------------------------
# Hugepages.

def _read_int(path, default=0):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return default


def use_no_huge():
    """True if daemons must run with --no-huge: asked for, or too few free
    2 MB hugepages on a mounted hugetlbfs."""
    if os.environ.get('SLUICE_TEST_NO_HUGE', '') not in ('', '0', 'no'):
        return True
    try:
        with open('/proc/mounts') as f:
            if ' hugetlbfs ' not in f.read():
                return True
    except OSError:
        return True
    need = TEST_MEMORY_MB // 2 + 32
    return _read_int(os.path.join(HUGEPAGES_DIR, 'free_hugepages')) < need


# ---------------------------------------------------------------------------
# JSON-RPC client (what ovs-appctl speaks).

class Client:
    """A connection to a control socket."""

    def __init__(self, path, timeout=CMD_TIMEOUT):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.timeout = timeout
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.decoder = codecs.getincrementaldecoder('utf-8')()
        self.text = ''
        self.next_id = 0

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def send_request(self, method, params=(), id_=None):
        if id_ is None:
            id_ = self.next_id
            self.next_id += 1
        msg = {'method': method, 'params': list(params), 'id': id_}
        self.send_raw(json.dumps(msg))
        return id_

    def recv_message(self, timeout=None):
        """Returns the next JSON value from the stream; raises EOFError if
        the peer closed, socket.timeout on timeout."""
        deadline = time.monotonic() + (timeout or self.timeout)
        dec = json.JSONDecoder()
        while True:
            text = self.text.lstrip()
            if text:
                try:
                    obj, end = dec.raw_decode(text)
                    self.text = text[end:]
                    return obj
                except ValueError:
                    pass        # Incomplete (or garbage): read more.
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout('no complete reply')
            self.sock.settimeout(left)
            data = self.sock.recv(65536)
            if not data:
                raise EOFError('connection closed by peer')
            self.text += self.decoder.decode(data)

    def call_raw(self, method, params=(), timeout=None):
        """Sends a request and returns the reply object."""
        id_ = self.send_request(method, params)
        reply = self.recv_message(timeout)
        if reply.get('id') != id_:
            raise AssertionError('reply id %r, expected %r: %r'
                                 % (reply.get('id'), id_, reply))
        return reply

    def call(self, method, *params, timeout=None):
        """Returns (result, error): exactly one is None."""
        reply = self.call_raw(method, params, timeout)
        return reply.get('result'), reply.get('error')

    def wait_closed(self, timeout=5.0):
        """True if the peer closes the connection within 'timeout' (data
        it sends first is read and ignored)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                if not self.sock.recv(65536):
                    return True
            except (ConnectionResetError, BrokenPipeError):
                return True
            except socket.timeout:
                return False


# ---------------------------------------------------------------------------
# Parsing command output.

def parse_show(text):
    """Parses dpctl/show into {name: port}, where port is a dict with
    'port_no', 'devargs', the 'key: value' pairs of the state line (ints
    where numeric) and 'rx'/'tx' dicts of counters."""
    ports = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r'^port (\d+): (\S+) \((.*)\)\s*$', line)
        if m:
            cur = {'port_no': int(m.group(1)), 'name': m.group(2),
                   'devargs': m.group(3), 'rx': {}, 'tx': {}}
            ports[cur['name']] = cur
            continue
        if cur is None or not line.strip():
            continue
        s = line.strip()
        m = re.match(r'^(RX|TX) (.*)$', s)
        if m:
            d = cur[m.group(1).lower()]
            for key, val in re.findall(r'([\w-]+):(\d+)', m.group(2)):
                d[key] = int(val)
            continue
        m = re.search(r'(^|,\s*)output:\s*(.*)$', s)
        if m:
            # The output list may itself hold commas: it ends the line.
            cur['output_text'] = m.group(2).strip()
            cur['output'] = normalize_output(m.group(2))
            s = s[:m.start()]
        for item in s.split(','):
            if ':' in item:
                key, val = item.split(':', 1)
                key, val = key.strip(), val.strip()
                # "n_txq: 1 (shared)" -> 1, and the text under key_text.
                m = re.match(r'^(-?\d+)(\s|$)', val)
                cur[key] = int(m.group(1)) if m else val
                cur[key + '_text'] = val
    return ports


def normalize_output(text):
    """The output of a port as dpctl/show gives it ("drop", "tx0",
    "output:tx0", "output:a,output:b") -> "drop" or "a" or "a,b"."""
    text = text.strip()
    if text in ('', 'drop', 'none', '(none)'):
        return 'drop'
    names = []
    for word in re.split(r'[,\s]+', text):
        if word.startswith('output:'):
            word = word[len('output:'):]
        if word:
            names.append(word)
    return ','.join(names) if names else 'drop'


def parse_pmd_stats(text):
    """Parses dpif-netdev/pmd-stats-show into a list of dicts, one per PMD:
    'numa_id', 'core_id' and each 'name: N' line as an int (first number
    on the line)."""
    pmds = []
    cur = None
    for line in text.splitlines():
        m = re.match(r'^pmd thread numa_id (-?\d+) core_id (\d+):', line)
        if m:
            cur = {'numa_id': int(m.group(1)), 'core_id': int(m.group(2))}
            pmds.append(cur)
            continue
        m = re.match(r'^\s+([a-z][a-z ,.]*[a-z]):\s*(-?[\d.]+)', line)
        if m and cur is not None:
            v = m.group(2)
            cur[m.group(1)] = float(v) if '.' in v else int(v)
    return pmds


def parse_rxq_show(text):
    """Parses dpif-netdev/pmd-rxq-show into {core_id: [(port, queue)]}."""
    pmds = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r'^pmd thread numa_id (-?\d+) core_id (\d+):', line)
        if m:
            cur = pmds.setdefault(int(m.group(2)), [])
            continue
        m = re.search(r'port:\s*(\S+)\s+queue-id:\s*(\d+)', line)
        if m and cur is not None:
            cur.append((m.group(1), int(m.group(2))))
    return pmds


# ---------------------------------------------------------------------------
# pcap files and frames.

PCAP_MAGIC_US = 0xa1b2c3d4
PCAP_MAGIC_NS = 0xa1b23c4d


def read_pcap(path):
    """Returns the list of packets (bytes) in a classic pcap file of either
    byte order and timestamp precision."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        raise AssertionError('%s: %d bytes, not a pcap file'
                             % (path, len(data)))
    for endian in '<>':
        magic, = struct.unpack(endian + 'I', data[:4])
        if magic in (PCAP_MAGIC_US, PCAP_MAGIC_NS):
            break
    else:
        raise AssertionError('%s: bad pcap magic %r' % (path, data[:4]))
    _, _, _, _, _, _, linktype = struct.unpack(endian + 'IHHiIII', data[:24])
    if linktype != 1:
        raise AssertionError('%s: linktype %d, not Ethernet'
                             % (path, linktype))
    packets = []
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise AssertionError('%s: truncated record header at %d'
                                 % (path, off))
        _, _, caplen, wirelen = struct.unpack(endian + 'IIII',
                                              data[off:off + 16])
        off += 16
        if caplen != wirelen or off + caplen > len(data):
            raise AssertionError('%s: record at %d: caplen %d wirelen %d'
                                 % (path, off - 16, caplen, wirelen))
        packets.append(data[off:off + caplen])
        off += caplen
    return packets


def pcap_port(name, index, rx=None, tx=None):
    """A --port / dpctl/add-if spec for net_pcapINDEX reading the pcap file
    'rx' (once) and/or writing 'tx' (flushed when the port closes)."""
    devargs = 'net_pcap%d' % index
    if rx:
        devargs += ',rx_pcap=' + rx
    if tx:
        devargs += ',tx_pcap=' + tx
    return '%s %s' % (name, devargs)


def write_pcap(path, packets):
    """Writes packets (bytes) as a microsecond, little-endian pcap."""
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', PCAP_MAGIC_US, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(packets):
            f.write(struct.pack('<IIII', 1700000000 + i // 1000000,
                                i % 1000000, len(p), len(p)))
            f.write(p)


def make_frame(size, tag, seq, dst=b'\x02\x00\x00\x00\x00\x02',
               src=b'\x02\x00\x00\x00\x00\x01'):
    """An Ethernet frame (no FCS) of 'size' bytes, ethertype 0x88b5 (local
    experimental), whose payload is unique to (tag, seq): the tag, the
    sequence number, the size, then a pattern derived from them."""
    if size < 60:
        raise ValueError('frame size %d < 60' % size)
    head = dst + src + b'\x88\xb5'
    tag = tag.encode() if isinstance(tag, str) else tag
    body = struct.pack('>8sII', tag.ljust(8, b'\0')[:8], seq, size)
    n = size - len(head) - len(body)
    seed = (seq * 131 + size * 7 + sum(tag)) & 0xff
    pattern = bytes((seed + i) & 0xff for i in range(n))
    return head + body + pattern


def mixed_frames(tag, count, sizes=None):
    """'count' distinct frames cycling through sizes from 60 to 1514."""
    if sizes is None:
        sizes = [60, 61, 63, 64, 65, 77, 100, 127, 128, 129, 255, 256, 257,
                 511, 512, 513, 999, 1000, 1023, 1024, 1025, 1280, 1499,
                 1500, 1501, 1513, 1514]
    return [make_frame(sizes[i % len(sizes)], tag, i) for i in range(count)]


def assert_output(test, port, want):
    """Checks the output dpctl/show reports for a port, when it reports one
    (sluiced's dpctl/show prints none: outputs are rules of the debug rule
    table, debug/show-rules)."""
    if 'output' in port:
        test.assertEqual(port['output'], want, port)


def pmd_sum(stats, key):
    """Sums one pmd-stats-show counter over the PMDs (0 where absent)."""
    return sum(p.get(key, 0) for p in stats)


def pmd_upcalled(stats):
    """Packets the PMDs handed to the control thread (upcalls), which
    executes their actions itself: they count as neither 'packets sent'
    nor 'packets dropped' of a PMD."""
    return pmd_sum(stats, 'miss with success upcall')


def longest_increasing_run(seq):
    """Length of the longest strictly increasing subsequence of 'seq'."""
    import bisect
    tails = []
    for x in seq:
        i = bisect.bisect_left(tails, x)
        if i == len(tails):
            tails.append(x)
        else:
            tails[i] = x
    return len(tails)


def assert_forwarded(test, got, want, upcalled=0, what='packets'):
    """Asserts that 'got' holds exactly the packets of 'want', byte for
    byte, and in the same order.

    Order: with one rx queue and one PMD, the PMD sends packets in the
    order they arrived.  Packets that missed the datapath's flow cache go
    to the control thread (an upcall), which sends them itself, later; so
    when 'upcalled' packets took that path, the other len(want) - upcalled
    packets must still be in order among themselves (the output, as input
    positions, has an increasing subsequence that long)."""
    if not upcalled:
        assert_same_packets(test, got, want, what)
        return
    test.assertEqual(sorted(got), sorted(want),
                     '%s: not the same packets (got %d, want %d)'
                     % (what, len(got), len(want)))
    position = {}
    for i, p in enumerate(want):
        position.setdefault(p, []).append(i)
    order = []
    for p in got:
        order.append(position[p].pop(0))
    run = longest_increasing_run(order)
    test.assertGreaterEqual(run, len(want) - upcalled,
                            '%s: only %d packets in input order; %d went '
                            'through upcalls' % (what, run, upcalled))


def assert_same_packets(test, got, want, what='packets'):
    """Asserts two packet lists are equal, in order, byte for byte, with a
    message that says where they first differ."""
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            j = next((k for k in range(min(len(g), len(w))) if g[k] != w[k]),
                     min(len(g), len(w)))
            idx = [k for k, x in enumerate(want) if x == g]
            test.fail('%s: packet %d differs (got %d bytes, want %d, first '
                      'difference at byte %d; the packet received is packet '
                      '%s of the input)' % (what, i, len(g), len(w), j,
                                            idx or 'none'))
    test.assertEqual(len(got), len(want),
                     '%s: got %d packets, want %d' % (what, len(got),
                                                      len(want)))


def pcapgen(path, flows, size=64, count=None):
    """Runs sluice-pcapgen; returns the packets it wrote."""
    cmd = [SLUICE_PCAPGEN, '--flows', str(flows), '--size', str(size),
           '-o', path, '-q']
    if count is not None:
        cmd += ['--count', str(count)]
    subprocess.run(cmd, check=True, timeout=60)
    return read_pcap(path)


# ---------------------------------------------------------------------------
# Debian's ovsdb-server (a reference to compare with).

OVSDB_SERVER = (shutil.which('ovsdb-server')
                or shutil.which('ovsdb-server', path='/usr/sbin:/sbin'))


class DebianOvsdbServer:
    """Debian's ovsdb-server serving database file 'db' on
    DIRECTORY/db.sock (its pidfile, control socket and log in 'directory'
    too: its default directories do not exist here)."""

    def __init__(self, directory, db):
        self.dir = directory
        self.db = db
        self.sock = os.path.join(directory, 'db.sock')
        self.remote = 'unix:' + self.sock
        self.proc = subprocess.Popen(
            [OVSDB_SERVER, '--remote=punix:' + self.sock,
             '--pidfile=' + os.path.join(directory, 'ovsdb-server.pid'),
             '--unixctl=' + os.path.join(directory, 'ovsdb-server.ctl'),
             '--log-file=' + os.path.join(directory, 'ovsdb-server.log'),
             db], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(lambda: os.path.exists(self.sock), 20,
                 what='ovsdb-server socket')

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


# ---------------------------------------------------------------------------
# The daemon.

_live = []


def _cleanup_all():
    for d in list(_live):
        d.cleanup()


def _on_signal(signum, frame):
    # meson's timeout sends SIGTERM: turn it into an exception so that
    # 'with' blocks and atexit clean up the daemons.
    raise KeyboardInterrupt('signal %d' % signum)


atexit.register(_cleanup_all)
signal.signal(signal.SIGTERM, _on_signal)


class Daemon:
    """A sluiced in its own run directory.

        with Daemon() as d:
            d.start(ports=['out0 net_pcap1,tx_pcap=' + d.path('o.pcap')])
            d.ctl('dpctl/show')

    The 'with' block stops the daemon (SIGTERM, then SIGKILL) and removes
    the run directory; if the block raises, the daemon's log is printed.

    With netns=True the daemon runs in a network namespace of its own
    (unshare --net, loopback up), so the tap and af_packet interfaces a
    test's bridges create never meet the host's or another test's; the
    namespace goes away with the daemon.  d.in_netns(cmd) runs a command
    in it.  TCP remotes are then reachable only from inside."""

    def __init__(self, netns=False):
        self.netns = netns
        self.run_dir = tempfile.mkdtemp(prefix='sluice-test-')
        os.chmod(self.run_dir, 0o700)
        self.log_file = self.path('sluiced.log')
        self.console_file = self.path('console.log')
        self.pidfile = self.path('sluiced.pid')
        self.proc = None
        self.pid = None
        self.sock_path = None
        self.cmdline = None
        self.no_huge = use_no_huge()
        _live.append(self)

    def path(self, name):
        return os.path.join(self.run_dir, name)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.dump_log('test failed: %s: %s' % (exc_type.__name__, exc))
        self.cleanup()
        return False

    # -- starting and stopping ----------------------------------------------

    def base_args(self, memory=TEST_MEMORY_MB):
        args = [SLUICED, '--run-dir', self.run_dir,
                '--log-file=' + self.log_file,
                '--pmd-idle-sleep-us', str(PMD_IDLE_SLEEP_US),
                '--memory', str(memory)]
        if self.no_huge:
            args.append('--no-huge')
        return args

    def start(self, ports=(), outputs=(), args=(), memory=TEST_MEMORY_MB,
              timeout=30.0, upcall_limit=0):
        """Starts sluiced and waits until it is ready: the pidfile names
        our child and its control socket accepts connections.  Then sets
        the upcall rate limit (0: none; None: leave the default)."""
        cmd = self.base_args(memory)
        for p in ports:
            cmd += ['--port', p]
        for o in outputs:
            cmd += ['--output', o]
        cmd += list(args)
        if self.netns:
            cmd = ['unshare', '--net', '--', 'sh', '-c',
                   'ip link set lo up && exec "$0" "$@"'] + cmd
        self.cmdline = cmd
        console = open(self.console_file, 'ab')
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                         stdout=console,
                                         stderr=subprocess.STDOUT,
                                         start_new_session=True)
        finally:
            console.close()
        self.pid = self.proc.pid
        self.sock_path = self.path('sluiced.%d.ctl' % self.pid)
        deadline = time.monotonic() + timeout
        while True:
            rc = self.proc.poll()
            if rc is not None:
                self.dump_log('sluiced exited during start-up')
                raise DaemonError('sluiced exited with status %d before it '
                                  'was ready: %s' % (rc, ' '.join(cmd)))
            if self._ready():
                break
            if time.monotonic() > deadline:
                self.dump_log('sluiced not ready')
                raise DaemonError('sluiced not ready after %.0f s' % timeout)
            time.sleep(0.05)

        if upcall_limit is not None:
            # Packets that would exceed the upcall rate limit are dropped;
            # tests that count every packet lift it (DESIGN.md).  Only
            # daemons with flow caches have the command.
            if 'dpif-netdev/set-upcall-limit' in self.ctl('list-commands'):
                self.ctl('dpif-netdev/set-upcall-limit', str(upcall_limit))
        return self

    def _ready(self):
        if _read_int(self.pidfile, None) != self.pid:
            return False
        try:
            Client(self.sock_path, timeout=2).close()
            return True
        except OSError:
            return False

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def in_netns(self, cmd, check=True, timeout=CMD_TIMEOUT, **kw):
        """Runs 'cmd' (a list) in the daemon's network namespace; returns
        the CompletedProcess (raises if it fails and 'check')."""
        if not self.netns:
            raise ValueError('daemon has no network namespace')
        full = ['nsenter', '-t', str(self.pid), '-n', '--'] + list(cmd)
        r = subprocess.run(full, capture_output=True, text=True,
                           timeout=timeout, **kw)
        if check and r.returncode != 0:
            raise AssertionError('%s: status %d: %s'
                                 % (' '.join(full), r.returncode, r.stderr))
        return r

    def wait_exit(self, timeout=20.0):
        """Waits for the daemon to exit; returns its exit status."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError('sluiced (pid %d) did not exit within '
                                 '%.0f s' % (self.pid, timeout))

    def stop(self, how='exit', timeout=20.0):
        """Stops the daemon with the 'exit' command or a signal ('term',
        'int'); returns its exit status."""
        if how == 'exit':
            try:
                with Client(self.sock_path, timeout=timeout) as c:
                    c.call_raw('exit')
            except (OSError, EOFError):
                pass    # It may close before answering.
        elif how == 'term':
            self.proc.send_signal(signal.SIGTERM)
        elif how == 'int':
            self.proc.send_signal(signal.SIGINT)
        else:
            raise ValueError(how)
        return self.wait_exit(timeout)

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if os.environ.get('SLUICE_TEST_KEEP'):
            print('sluicetest: kept %s' % self.run_dir, file=sys.stderr)
        else:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        if self in _live:
            _live.remove(self)

    def dump_log(self, why):
        out = sys.stderr
        print('\n----- %s; sluiced pid %s -----' % (why, self.pid), file=out)
        if self.cmdline:
            print('command: %s' % ' '.join(self.cmdline), file=out)
        if self.proc is not None:
            print('exit status: %s' % self.proc.poll(), file=out)
        for f in (self.console_file, self.log_file):
            try:
                with open(f, errors='replace') as fh:
                    text = fh.read()
            except OSError:
                continue
            print('----- %s (last 200 lines) -----' % f, file=out)
            print(''.join(text.splitlines(True)[-200:]), file=out)
        print('----- end of log -----', file=out)
        out.flush()

    # -- commands -------------------------------------------------------------

    def client(self, timeout=CMD_TIMEOUT):
        return Client(self.sock_path, timeout)

    def call(self, method, *params, timeout=CMD_TIMEOUT):
        """Returns (result, error) of one command on a new connection."""
        with self.client(timeout) as c:
            return c.call(method, *params, timeout=timeout)

    def ctl(self, method, *params, timeout=CMD_TIMEOUT):
        """Runs a command that must succeed; returns its result text."""
        result, error = self.call(method, *params, timeout=timeout)
        if error is not None:
            raise CtlError(method, params, error)
        if not isinstance(result, str):
            raise AssertionError('%s: result %r is not a string'
                                 % (method, result))
        return result

    def ctl_error(self, method, *params, timeout=CMD_TIMEOUT):
        """Runs a command that must fail; returns its error text."""
        result, error = self.call(method, *params, timeout=timeout)
        if error is None:
            raise AssertionError('%s %s succeeded (%r), expected an error'
                                 % (method, ' '.join(params), result))
        if not isinstance(error, str):
            raise AssertionError('%s: error %r is not a string'
                                 % (method, error))
        return error

    def appctl(self, *args, env=None, target=None, timeout=CMD_TIMEOUT):
        """Runs ovs-appctl -t SOCKET ARGS; returns the CompletedProcess."""
        if OVS_APPCTL is None:
            raise unittest.SkipTest('ovs-appctl not installed')
        cmd = [OVS_APPCTL, '-t', target or self.sock_path] + list(args)
        full_env = dict(os.environ)
        full_env.update(env or {})
        return subprocess.run(cmd, capture_output=True, text=True,
                              timeout=timeout, env=full_env)

    def sluicectl(self, *args, timeout=CMD_TIMEOUT, run_dir=True):
        """Runs sluicectl [--run-dir RUN_DIR] ARGS; returns the
        CompletedProcess."""
        cmd = [SLUICECTL]
        if run_dir:
            cmd += ['--run-dir', self.run_dir]
        cmd += list(args)
        return subprocess.run(cmd, capture_output=True, text=True,
                              timeout=timeout)

    def show(self):
        return parse_show(self.ctl('dpctl/show'))

    def pmd_stats(self):
        return parse_pmd_stats(self.ctl('dpif-netdev/pmd-stats-show'))

    def pmd_packets(self):
        """pmd-stats-show without the cycle counts (which change even
        when idle): a list of dicts with the 'packets ...' lines."""
        return [{k: v for k, v in p.items()
                 if not ('cycles' in k or 'iterations' in k
                         or k.startswith('avg'))}
                for p in self.pmd_stats()]

    def counter(self, port, direction, key='packets'):
        """One counter of dpctl/show, e.g. counter('tx0', 'tx')."""
        ports = self.show()
        if port not in ports:
            raise AssertionError('no port %s in dpctl/show: %s'
                                 % (port, sorted(ports)))
        return ports[port][direction].get(key)

    def wait_counter(self, port, direction, want, key='packets',
                     timeout=20.0):
        """Waits until a counter reaches 'want' and stays there."""
        try:
            wait_for(lambda: self.counter(port, direction, key) >= want,
                     timeout, interval=0.05,
                     what='%s %s %s >= %d' % (port, direction, key, want))
        except AssertionError as e:
            raise AssertionError('%s\ndpctl/show:\n%s\npmd-stats-show:\n%s'
                                 % (e, self.ctl('dpctl/show'),
                                    self.ctl('dpif-netdev/pmd-stats-show')))
        got = wait_stable(lambda: self.counter(port, direction, key),
                          settle=0.3)
        if got != want:
            raise AssertionError('%s %s %s: %d, want %d'
                                 % (port, direction, key, got, want))


def cleanup_after_test(test, daemon):
    """For TestCase.addCleanup: prints the daemon's log if the test failed,
    then stops the daemon and removes its run directory."""
    outcome = getattr(test, '_outcome', None)
    if outcome is not None and not getattr(outcome, 'success', True):
        daemon.dump_log('%s failed' % test.id())
    daemon.cleanup()


def exit_status(result):
    """Meson's reading of a unittest result: 1 if anything failed, 77
    ("skipped") if every test that ran was skipped, else 0."""
    if not result.wasSuccessful():
        return 1
    if result.testsRun and len(result.skipped) == result.testsRun:
        return 77
    return 0


def main():
    """Runs the unittest test cases of __main__, verbosely; exits 1 on
    failure and 77 (meson's "skipped") when every test was skipped."""
    if not os.access(SLUICED, os.X_OK):
        print('sluicetest: SLUICED=%s is not executable (run the tests with '
              'meson test)' % SLUICED, file=sys.stderr)
        sys.exit(1)
    print('sluicetest: %s, %s' % (SLUICED, '--no-huge' if use_no_huge()
                                  else 'hugepages'), file=sys.stderr)
    program = unittest.main(verbosity=2, buffer=False, exit=False)
    sys.exit(exit_status(program.result))
