"""ovsdbdiff: sends the same JSON-RPC request sequences to Debian's
ovsdb-server (the oracle) and to sluiced and compares the replies.

A sequence is a list of steps on numbered sessions (connections opened on
first use, closed at the end of the sequence):

    ['rpc', SESSION, METHOD, PARAMS]     a request; its reply is recorded
    ['raw', SESSION, TEXT]               bytes as they are (bad JSON...)

After each step every open session is flushed with an "echo" so that the
notifications a step caused (monitor updates, "locked", "stolen") are
recorded with the step that caused them.  A string "@U<n>" anywhere in
PARAMS stands for the n-th UUID the sequence saw on that server (see
Numbering), so later requests can name rows inserted earlier; "@T<n>" for
the n-th transaction id monitor_cond_since gave (all zeros where none).

Messages are compared as parsed JSON: member order, spacing and the
spelling of a number (1e-07 or 1e-7) are not compared, values are.

Normalisations (what may legitimately differ between two servers; each is
listed here and nowhere else):
  - UUIDs are random: they are numbered in order of appearance ("@U1",
    "@U2"...).  The all-zeros UUID is kept.  Collections whose order the
    servers derive from UUID values or hashes (select "rows", the
    elements of "set" and "map" values, objects keyed by row UUID) are
    ordered by content first.
  - monitor_cond_since: sluiced keeps a real transaction history for
    standalone databases, ovsdb-server only for clustered ones (for a
    standalone database it always answers found=false and resends
    everything).  Where the oracle says false and sluiced true, both
    replies become "<found-differs>" (README: deliberately better).  Its
    transaction ids ("last-id", the first member of each update3) are
    replaced by "<txn-id>": ovsdb-server has none for standalone databases
    (all zeros), sluiced gives each commit one.  A catch-up (found, with
    changes) is followed by an empty update3 naming the latest id (for the
    Python IDL, which takes ids only from update3): it goes with the
    "<found-differs>".
  - The _Server Database row's "schema" column is the schema as a JSON
    text: compared as parsed JSON (member order and spacing are the
    server's own).
  - '"wait" timed out after N ms' gives the time the wait took: N
    becomes "<ms>".
  - When several rows break an index or referential integrity,
    ovsdb-server names the ones it meets first in its hash tables (of
    random UUIDs): the two rows of an index violation are put in a fixed
    order and their UUIDs and former values become "<uuid>" and "<values>"
    (which two of several equal rows it names is a matter of hash order
    too); the referencing row of a
    referential integrity violation and the row of a weak reference
    violation become "<row>".  A monitor request for several tables, one of
    which the schema lacks, fails on whichever table ovsdb-server meets
    first in hash order: such an error becomes "<error>".
  - Of several members an operation does not define, ovsdb-server names
    the first in its hash order ("Member 'X' and 2 other members are
    present..."): X becomes "<member>".
  - Updates for several monitors of one session caused by one commit
    come in the order of ovsdb-server's hash table of monitors: such a
    run of notifications is ordered by monitor id.
  - A request the server cannot parse as JSON: only whether the session
    was closed is compared (the JSON parsers' texts differ by design).
"""

import json
import os
import random
import re
import shutil
import socket
import subprocess
import tempfile
import time

import sluicetest as st

OVSDB_SERVER = st.OVSDB_SERVER
OVSDB_TOOL = shutil.which('ovsdb-tool')

UUID_RE = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                     r'[0-9a-f]{12}')
ZERO_UUID = '00000000-0000-0000-0000-000000000000'
TOKEN_RE = re.compile(r'@(U\d+|T\d+)')
REPLY_TIMEOUT = 3.0


# ---------------------------------------------------------------------------
# Servers.

def run(cmd, timeout=20):
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=timeout)
    if r.returncode:
        raise AssertionError('%s: status %d: %s' % (' '.join(cmd),
                                                    r.returncode, r.stderr))
    return r


def create_db(path, schema):
    """ovsdb-tool create PATH from 'schema' (a dict or a file name)."""
    if isinstance(schema, dict):
        sfile = path + '.ovsschema'
        with open(sfile, 'w') as f:
            json.dump(schema, f)
        schema = sfile
    run([OVSDB_TOOL, 'create', path, schema])


class Oracle(st.DebianOvsdbServer):
    """Debian's ovsdb-server serving one database file."""

    name = 'ovsdb-server'

    def __init__(self, schema):
        directory = tempfile.mkdtemp(prefix='ovsdb-diff-oracle-')
        db = os.path.join(directory, 'o.db')
        create_db(db, schema)
        super().__init__(directory, db)

    def stop(self):
        super().stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Sluiced:
    """sluiced --db FILE."""

    name = 'sluiced'

    def __init__(self, schema):
        self.d = st.Daemon()
        self.db = self.d.path('s.db')
        create_db(self.db, schema)
        self.d.start(args=['--db', self.db])
        self.sock = self.d.path('db.sock')

    def alive(self):
        return self.d.proc.poll() is None

    def stop(self):
        self.d.cleanup()


# ---------------------------------------------------------------------------
# Sessions.

class Session:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = ''
        self.closed = False
        self.dec = json.JSONDecoder()

    def close(self):
        self.sock.close()

    def send(self, text):
        try:
            self.sock.sendall(text.encode('utf-8', 'surrogatepass'))
        except OSError:
            self.closed = True

    def recv(self, deadline):
        """The next message, or None at EOF or when 'deadline' passes."""
        while True:
            text = self.buf.lstrip()
            if text:
                try:
                    obj, end = self.dec.raw_decode(text)
                    self.buf = text[end:]
                    return obj
                except ValueError:
                    pass
            left = deadline - time.monotonic()
            if self.closed or left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(1 << 20)
            except socket.timeout:
                return None
            except OSError:
                data = b''
            if not data:
                self.closed = True
                return None
            self.buf += data.decode('utf-8', 'replace')

    def until_reply(self, id_, timeout=REPLY_TIMEOUT):
        """Messages up to and including the reply to 'id_'."""
        msgs = []
        deadline = time.monotonic() + timeout
        while True:
            m = self.recv(deadline)
            if m is None:
                msgs.append('<closed>' if self.closed else '<no reply>')
                return msgs
            msgs.append(m)
            if isinstance(m, dict) and m.get('id') == id_ \
                    and 'method' not in m:
                return msgs


def _token_value(tok, tokens):
    """"U<n>": the n-th row UUID; "T<n>": the n-th transaction id, or the
    all-zeros UUID on a server that gave none (ovsdb-server's standalone
    databases)."""
    if tok[0] == 'U':
        return tokens.get(int(tok[1:]), '@' + tok)
    return tokens.get(tok, ZERO_UUID)


def _mask_in_texts(x, values):
    """'x' with each of 'values' inside a longer string -> <txn-id>."""
    if isinstance(x, dict):
        return {k: _mask_in_texts(v, values) for k, v in x.items()}
    if isinstance(x, list):
        return [_mask_in_texts(e, values) for e in x]
    if isinstance(x, str) and x not in values:
        for v in values:
            x = x.replace(v, '<txn-id>')
    return x


def _mask_error(msg):
    """An error reply's error -> "<error>"."""
    if isinstance(msg, dict) and msg.get('error'):
        msg = dict(msg, error='<error>')
    return msg


def substitute(x, tokens):
    """Replaces "@U<n>" in the strings of 'x' by the n-th UUID."""
    if isinstance(x, str):
        return TOKEN_RE.sub(lambda m: _token_value(m.group(1), tokens), x)
    if isinstance(x, list):
        return [substitute(e, tokens) for e in x]
    if isinstance(x, dict):
        return {substitute(k, tokens): substitute(v, tokens)
                for k, v in x.items()}
    return x


# ---------------------------------------------------------------------------
# Numbering and normalisation.

class Numbering:
    """UUIDs numbered in order of appearance, per server and sequence."""

    def __init__(self):
        self.num = {}           # uuid -> n
        self.uuid = {}          # n -> uuid
        self.txn = {}           # transaction id -> "@T<n>"

    def txn_ids(self, method, msg):
        """monitor_cond_since's transaction ids ("last-id" of its reply,
        the first member of each update3) -> "@T<n>", numbered apart from
        row UUIDs (see _txn_ids); requests name them "@T<n>" too."""
        def tok(u):
            if not isinstance(u, str) or u == ZERO_UUID:
                return u
            if u not in self.txn:
                self.txn[u] = '@T%d' % (len(self.txn) + 1)
                self.uuid['T%d' % len(self.txn)] = u
            return self.txn[u]
        if not isinstance(msg, dict):
            return msg
        r = msg.get('result')
        if (method == 'monitor_cond_since' and 'method' not in msg
                and isinstance(r, list) and len(r) == 3):
            msg = dict(msg, result=[r[0], tok(r[1]), r[2]])
        p = msg.get('params')
        if (msg.get('method') == 'update3' and isinstance(p, list)
                and len(p) == 3):
            msg = dict(msg, params=[p[0], tok(p[1]), p[2]])
        return msg

    def _token(self, u, assign):
        if u == ZERO_UUID:
            return u
        n = self.num.get(u)
        if n is None:
            if not assign:
                return '@U?'
            n = len(self.num) + 1
            self.num[u] = n
            self.uuid[n] = u
        return '@U%d' % n

    def text(self, s, assign=True):
        return UUID_RE.sub(lambda m: self.token(m.group(0), assign), s)

    def token(self, u, assign):
        if u in self.txn:
            return '<txn-id>'
        return self._token(u, assign)

    def _key(self, x):
        return json.dumps(self.walk(x, False), sort_keys=True)

    def walk(self, x, assign=True):
        """'x' with UUIDs replaced; unordered collections are visited in
        an order given by their content (known UUIDs included)."""
        if isinstance(x, str):
            return self.text(x, assign)
        if isinstance(x, list):
            if (len(x) == 2 and x[0] in ('set', 'map')
                    and isinstance(x[1], list)):
                elems = sorted(x[1], key=self._key)
                return [x[0], [self.walk(e, assign) for e in elems]]
            return [self.walk(e, assign) for e in x]
        if isinstance(x, dict):
            items = list(x.items())
            if any(UUID_RE.fullmatch(k) for k, _ in items):
                items.sort(key=lambda kv: (self._key(kv[0]),
                                           self._key(kv[1])))
            else:
                items.sort()
            out = {}
            for k, v in items:
                if k == 'rows' and isinstance(v, list):
                    v = sorted(v, key=self._key)
                    out[k] = [self.walk(e, assign) for e in v]
                else:
                    nk = self.text(k, assign)
                    out[nk] = self.walk(v, assign)
            return out
        return x


def _schema_text_to_json(x):
    """The "schema" column of _Server's Database rows, parsed."""
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            if k == 'schema' and isinstance(v, str) and v.startswith('{'):
                try:
                    v = ['<parsed schema>', json.loads(v)]
                except ValueError:
                    pass
            out[k] = _schema_text_to_json(v)
        return out
    if isinstance(x, list):
        return [_schema_text_to_json(e) for e in x]
    return x


WAIT_MS_RE = re.compile(r'timed out after \d+ ms')
INDEX_ROWS_RE = re.compile(r'  First row, with UUID (\S+), (.*?\.)'
                           r'  Second row, with UUID (\S+), (.*?\.)$')
EXTRA_MEMBERS_RE = re.compile(r"Member '[^']*' and (\d+ other member)")
BEFORE_RE = re.compile(r'before the transaction: .*\.$')
WEAK_ROW_RE = re.compile(r'(column \S+ in \S+ row )\S+')
REF_ROW_RE = re.compile(r'(Table \S+ column \S+ row )\S+( references '
                        r'nonexistent row)')


def _texts(x):
    """Texts whose details depend on hash order or time, in a fixed form
    (after UUIDs are numbered)."""
    if isinstance(x, dict):
        return {k: _texts(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_texts(e) for e in x]
    if isinstance(x, str):
        x = WAIT_MS_RE.sub('timed out after <ms> ms', x)
        x = REF_ROW_RE.sub(r'\1<row>\2', x)
        x = WEAK_ROW_RE.sub(r'\1<row>', x)
        x = EXTRA_MEMBERS_RE.sub(r"Member '<member>' and \1", x)
        m = INDEX_ROWS_RE.search(x)
        if m:
            rows = sorted([BEFORE_RE.sub('before the transaction: <values>.',
                                         g) for g in (m.group(2),
                                                      m.group(4))])
            x = x[:m.start()] + ''.join(
                '  <row> row, with UUID <uuid>, %s' % r for r in rows)
    return x


def _txn_ids(method, msg):
    """Replaces monitor_cond_since's transaction ids by "<txn-id>"."""
    if not isinstance(msg, dict):
        return msg
    if (method == 'monitor_cond_since' and 'method' not in msg
            and isinstance(msg.get('result'), list)
            and len(msg['result']) == 3):
        msg = dict(msg)
        msg['result'] = [msg['result'][0], '<txn-id>', msg['result'][2]]
    if (msg.get('method') == 'update3' and isinstance(msg.get('params'), list)
            and len(msg['params']) == 3):
        msg = dict(msg)
        msg['params'] = [msg['params'][0], '<txn-id>', msg['params'][2]]
    return msg


def _order_updates(msgs):
    """Runs of update notifications ordered by monitor id."""
    def is_update(m):
        return (isinstance(m, dict)
                and m.get('method') in ('update', 'update2', 'update3'))
    out, run = [], []
    for m in msgs + [None]:
        if m is not None and is_update(m):
            run.append(m)
            continue
        out += sorted(run, key=lambda u: json.dumps(u['params'][:1]))
        run = []
        if m is not None:
            out.append(m)
    return out


def found_differs(oracle_msg, sluiced_msg):
    """monitor_cond_since where sluiced found the id in its history."""
    try:
        return (oracle_msg['result'][0] is False
                and sluiced_msg['result'][0] is True)
    except (KeyError, TypeError, IndexError):
        return False


# ---------------------------------------------------------------------------
# Running sequences.

class Runner:
    """Runs sequences on one server (fresh database contents each)."""

    def __init__(self, server, db_name, tables):
        self.server = server
        self.db_name = db_name
        self.tables = tables

    def reset(self):
        """Empties the database: one transaction deleting every row."""
        s = Session(self.server.sock)
        ops = [{'op': 'delete', 'table': t, 'where': []}
               for t in self.tables]
        s.send(json.dumps({'method': 'transact', 'id': 'reset',
                           'params': [self.db_name] + ops}))
        msgs = s.until_reply('reset')
        s.close()
        r = msgs[-1]
        if not isinstance(r, dict) or any(
                isinstance(e, dict) and 'error' in e
                for e in r.get('result') or [{'error': r}]):
            raise AssertionError('%s: reset failed: %r'
                                 % (self.server.name, r))

    def run(self, seq):
        """Returns (records, numbering): per step, {session: [messages]}
        with methods for normalisation."""
        numbering = Numbering()
        sessions = {}
        records = []
        try:
            for i, step in enumerate(seq):
                kind, sid = step[0], step[1]
                if sid not in sessions:
                    sessions[sid] = Session(self.server.sock)
                s = sessions[sid]
                rec = {}
                if kind == 'rpc':
                    _, _, method, params = step
                    used = set(_token_value(t, numbering.uuid) for t in
                               re.findall(r'@(T\d+)', json.dumps(params)))
                    params = substitute(params, numbering.uuid)
                    id_ = 'r%d' % i
                    s.send(json.dumps({'method': method, 'params': params,
                                       'id': id_}))
                    msgs = s.until_reply(id_)
                    if self._several_tables_one_unknown(method, params):
                        msgs = [_mask_error(m) for m in msgs]
                    rec[sid] = [(method, m) for m in msgs]
                else:
                    s.send(step[2])
                    s.until_reply(None, timeout=0.3)
                for oid in sorted(sessions):
                    o = sessions[oid]
                    if o.closed:
                        if kind == 'raw' and oid == sid:
                            rec[sid] = [('raw', '<closed>')]
                        continue
                    o.send(json.dumps({'method': 'echo', 'params': [],
                                       'id': 'flush'}))
                    msgs = o.until_reply('flush')
                    rest = [(None, m) for m in msgs
                            if not (isinstance(m, dict)
                                    and m.get('id') == 'flush')]
                    if kind == 'raw' and oid == sid:
                        # What a server answers to bytes that are not a
                        # request, and when (ovsdb-server waits for the
                        # end of a token), differs: only whether the
                        # session survives is compared.
                        rest = [('raw', '<closed>' if o.closed
                                 else '<open>')]
                    if rest:
                        rec.setdefault(oid, []).extend(rest)
                if kind == 'rpc' and used:
                    # A transaction id sent back in an error text: the
                    # servers' ids differ (see _txn_ids).
                    for k in rec:
                        rec[k] = [(m0, _mask_in_texts(m1, used))
                                  for m0, m1 in rec[k]]
                # Number this step's UUIDs now: later steps may name them.
                self._number(rec, numbering, sid)
                records.append(rec)
        finally:
            for s in sessions.values():
                s.close()
        return records

    def _several_tables_one_unknown(self, method, params):
        """A monitor request for several tables, one the schema lacks."""
        if not method.startswith('monitor') or len(params) < 3 \
                or not isinstance(params[2], dict):
            return False
        return (len(params[2]) > 1
                and any(t not in self.tables for t in params[2]))

    @staticmethod
    def _number(rec, numbering, first):
        """The UUIDs of the step's reply first (they come in the order of
        the operations), then those of notifications."""
        for sid in sorted(rec, key=lambda k: (k != first, k)):
            rec[sid] = [(method, numbering.txn_ids(method, m))
                        for method, m in rec[sid]]
            numbering.walk([m for _, m in rec[sid]])
        rec['_numbering'] = numbering


def normalise_step(rec_o, rec_s):
    """Both records of one step in comparable form."""
    out = []
    for rec in (rec_o, rec_s):
        numbering = rec['_numbering']
        norm = {}
        for sid in sorted(k for k in rec if k != '_numbering'):
            msgs = []
            for method, m in rec[sid]:
                m = _schema_text_to_json(_txn_ids(method, m))
                msgs.append(m)
            norm[str(sid)] = _order_updates(msgs)
        out.append((norm, numbering))
    (no, num_o), (ns, num_s) = out
    # found=true where the oracle has no history: deliberately better.
    for sid in no:
        for k, (mo, ms) in enumerate(zip(no[sid], ns.get(sid, []))):
            if found_differs(mo, ms):
                no[sid][k] = ns[sid][k] = '<found-differs>'
                # The empty update3 that follows a catch-up goes with it.
                nxt = ns[sid][k + 1:k + 2]
                if nxt and isinstance(nxt[0], dict) \
                        and nxt[0].get('method') == 'update3' \
                        and nxt[0].get('params', [0, 0, 0])[2] == {}:
                    del ns[sid][k + 1]
    return (json.dumps(_texts(num_o.walk(no, False)), sort_keys=True),
            json.dumps(_texts(num_s.walk(ns, False)), sort_keys=True))


def compare(seq, recs_o, recs_s):
    """None, or a text describing the first differing step."""
    for i, (ro, rs) in enumerate(zip(recs_o, recs_s)):
        a, b = normalise_step(ro, rs)
        if a != b:
            return ('step %d: %s\n  ovsdb-server: %s\n  sluiced:      %s'
                    % (i, json.dumps(seq[i])[:600], a[:1500], b[:1500]))
    return None


class Pair:
    """The oracle and sluiced, each serving a database made from
    'schema'."""

    def __init__(self, schema):
        if isinstance(schema, str):
            with open(schema) as f:
                sdict = json.load(f)
        else:
            sdict = schema
        self.schema = sdict
        self.schema_src = schema
        self.name = sdict['name']
        tables = sorted(sdict['tables'])
        self.oracle = Oracle(schema)
        try:
            self.sluiced = Sluiced(schema)
        except Exception:
            self.oracle.stop()
            raise
        self.oracle_crashes = []
        self.runners = [Runner(self.oracle, self.name, tables),
                        Runner(self.sluiced, self.name, tables)]

    def stop(self):
        self.sluiced.stop()
        self.oracle.stop()

    def diff(self, seq):
        """Runs 'seq' on both; None or the first difference.  A server
        that dies is a difference (and is started again)."""
        recs = []
        for r in self.runners:
            try:
                r.reset()
                recs.append(r.run(seq))
                if r is self.runners[0] and '<closed>' in json.dumps(
                        [v for rec in recs[-1] for k, v in rec.items()
                         if k != '_numbering']):
                    time.sleep(0.2)     # Did it die?
                    if not r.server.alive():
                        raise OSError('ovsdb-server died')
            except (OSError, AssertionError) as e:
                if r.server.alive():
                    time.sleep(0.2)
                alive = r.server.alive()
                self.restart(r)
                if r is self.runners[0] and not alive:
                    # Debian's ovsdb-server 3.1 dies on some requests
                    # (e.g. "monitor" with two params): nothing to compare.
                    self.oracle_crashes.append(seq)
                    return None
                return '%s %s: %s' % (r.server.name, 'failed' if alive
                                      else 'died', e)
        return compare(seq, recs[0], recs[1])

    def restart(self, runner):
        runner.server.stop()
        if runner is self.runners[0]:
            self.oracle = runner.server = Oracle(self.schema_src)
        else:
            self.sluiced = runner.server = Sluiced(self.schema_src)


# ---------------------------------------------------------------------------
# Random mutation of requests.

def mutate_value(rng, x, depth=0):
    """A randomly damaged copy of the JSON value 'x'."""
    choice = rng.random()
    if isinstance(x, dict) and x and choice < 0.5:
        x = dict(x)
        k = rng.choice(sorted(x))
        r = rng.random()
        if r < 0.25:
            del x[k]
        elif r < 0.4:
            x[k + 'x'] = x[k]
        else:
            x[k] = mutate_value(rng, x[k], depth + 1)
        return x
    if isinstance(x, list) and x and choice < 0.6:
        x = list(x)
        i = rng.randrange(len(x))
        r = rng.random()
        if r < 0.2:
            del x[i]
        elif r < 0.35:
            x.insert(i, x[i])
        else:
            x[i] = mutate_value(rng, x[i], depth + 1)
        return x
    return rng.choice([
        None, True, False, 0, 1, -1, 2, 100, 2 ** 63 - 1, -2 ** 63, 0.5,
        -1.5, 1e300, '', 'a', 'abc', 'x' * 20, '0', '_uuid', 'set', 'map',
        'uuid', 'named-uuid', '==', '!=', '<', 'includes', 'excludes',
        '+=', 'delete', 'insert', '@U1', '@U2', ZERO_UUID,
        ['set', []], ['set', [1, 2]], ['set', ['a', 'a']], ['map', []],
        ['map', [['a', 1], ['b', 2]]], ['map', [['a', 1], ['a', 2]]],
        ['uuid', '@U1'], ['uuid', 'zzz'], ['named-uuid', 'n1'],
        ['named-uuid', '0'], [], {}, {'a': 1}, [1, 2, 3],
    ])


def mutate_seq(rng, seq):
    """'seq' with one to three of its requests' params damaged."""
    seq = [list(s) for s in seq]
    rpcs = [i for i, s in enumerate(seq) if s[0] == 'rpc']
    for _ in range(rng.randint(1, 3)):
        if not rpcs:
            break
        i = rng.choice(rpcs)
        seq[i][3] = mutate_value(rng, seq[i][3])
        if not isinstance(seq[i][3], list):
            seq[i][3] = [seq[i][3]]
    return seq
