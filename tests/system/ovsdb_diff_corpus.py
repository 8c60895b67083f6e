"""ovsdb_diff_corpus: the schemas and the fixed request sequences of the
OVSDB differential test (see ovsdbdiff.py for the step format).

SEQUENCES maps a schema key to a list of (name, steps).  Every RFC 7047
operation and Open vSwitch extension appears, valid and invalid."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
VSWITCH = os.path.join(HERE, '..', '..', 'ovsdb', 'vswitch.ovsschema')

KINDS = {
    'name': 'Kinds', 'version': '1.0.0',
    'tables': {
        'A': {'isRoot': True, 'columns': {
            'i': {'type': 'integer'},
            'ir': {'type': {'key': {'type': 'integer', 'minInteger': 1,
                                    'maxInteger': 10}}},
            'r': {'type': 'real'},
            'rr': {'type': {'key': {'type': 'real', 'minReal': -1.5,
                                    'maxReal': 2.5}}},
            'b': {'type': 'boolean'},
            's': {'type': 'string'},
            'sl': {'type': {'key': {'type': 'string', 'minLength': 2,
                                    'maxLength': 4}}},
            'e': {'type': {'key': {'type': 'string',
                                   'enum': ['set', ['red', 'green',
                                                    'blue']]}}},
            'ei': {'type': {'key': {'type': 'integer',
                                    'enum': ['set', [1, 3, 5]]},
                            'min': 0, 'max': 'unlimited'}},
            'u': {'type': 'uuid'},
            'oi': {'type': {'key': 'integer', 'min': 0, 'max': 1}},
            'si': {'type': {'key': 'integer', 'min': 0, 'max': 3}},
            'ss': {'type': {'key': 'string', 'min': 1,
                            'max': 'unlimited'}},
            'm': {'type': {'key': 'string', 'value': 'integer', 'min': 0,
                           'max': 'unlimited'}},
            'm2': {'type': {'key': {'type': 'integer', 'minInteger': 0,
                                    'maxInteger': 9},
                            'value': {'type': 'string', 'maxLength': 3},
                            'min': 0, 'max': 2}},
            'im': {'type': 'integer', 'mutable': False},
            'eph': {'type': 'string', 'ephemeral': True},
        }},
    },
}

REFS = {
    'name': 'Refs', 'version': '2.0.0',
    'tables': {
        'Root': {'isRoot': True, 'indexes': [['name']], 'columns': {
            'name': {'type': 'string'},
            'kids': {'type': {'key': {'type': 'uuid', 'refTable': 'Kid'},
                              'min': 0, 'max': 'unlimited'}},
            'weak': {'type': {'key': {'type': 'uuid', 'refTable': 'Root',
                                      'refType': 'weak'},
                              'min': 0, 'max': 'unlimited'}},
            'one': {'type': {'key': {'type': 'uuid', 'refTable': 'Kid',
                                     'refType': 'weak'},
                             'min': 0, 'max': 1}},
            'kmap': {'type': {'key': 'string',
                              'value': {'type': 'uuid', 'refTable': 'Kid'},
                              'min': 0, 'max': 'unlimited'}},
        }},
        'Kid': {'indexes': [['n', 'tag']], 'columns': {
            'n': {'type': 'integer'},
            'tag': {'type': 'string'},
        }},
        'Must': {'isRoot': True, 'columns': {
            'k': {'type': {'key': {'type': 'uuid', 'refTable': 'Root',
                                   'refType': 'weak'}}},
        }},
        'Lim': {'isRoot': True, 'maxRows': 2, 'columns': {
            'x': {'type': 'integer'},
        }},
    },
}

NOVERSION = {
    'name': 'NoVer',
    'tables': {'T': {'isRoot': True, 'columns': {'a': {'type': 'integer'}}}},
}

SCHEMAS = {'kinds': KINDS, 'refs': REFS, 'nover': NOVERSION,
           'vswitch': VSWITCH}


def T(db, *ops, s=0):
    return ['rpc', s, 'transact', [db] + list(ops)]


def ins(table, row, name=None, **kw):
    op = {'op': 'insert', 'table': table, 'row': row}
    if name:
        op['uuid-name'] = name
    op.update(kw)
    return op


def sel(table, where=(), **kw):
    op = {'op': 'select', 'table': table, 'where': list(where)}
    op.update(kw)
    return op


def upd(table, where, row, **kw):
    op = {'op': 'update', 'table': table, 'where': list(where), 'row': row}
    op.update(kw)
    return op


def mut(table, where, mutations, **kw):
    op = {'op': 'mutate', 'table': table, 'where': list(where),
          'mutations': mutations}
    op.update(kw)
    return op


def dele(table, where=(), **kw):
    op = {'op': 'delete', 'table': table, 'where': list(where)}
    op.update(kw)
    return op


def rpc(method, *params, s=0):
    return ['rpc', s, method, list(params)]


# ---------------------------------------------------------------------------
# Kinds: every column kind and constraint.

K = 'Kinds'
A_ALL = sel('A', [], columns=['i', 'ir', 'r', 'rr', 'b', 's', 'sl', 'e',
                              'ei', 'u', 'oi', 'si', 'ss', 'm', 'm2', 'im'])
A_ROW = {'ir': 1, 'sl': 'ab', 'e': 'red', 'ss': 'x'}


def kinds_sequences():
    seqs = []

    def add(name, *steps):
        seqs.append((name, list(steps)))

    # Valid inserts of every kind, then a select.
    add('insert-all-kinds',
        T(K, ins('A', dict(A_ROW, i=-5, r=1.25, rr=2.5, b=True, s='hi',
                           ei=['set', [1, 5]],
                           u=['uuid', '01234567-89ab-cdef-0123-456789abcdef'],
                           oi=['set', [7]], si=['set', [3, 1, 2]],
                           ss=['set', ['b', 'a']],
                           m=['map', [['k', 1], ['j', 2]]],
                           m2=['map', [[0, 'abc'], [9, '']]], im=4,
                           eph='e'))),
        T(K, A_ALL))
    add('insert-defaults', T(K, ins('A', {})), T(K, A_ALL))
    # Constraint violations on insert, one per column kind, and values
    # equal to the defaults.
    bad = [('ir', 0), ('ir', 11), ('ir', -1), ('ir', 10), ('rr', -1.6),
           ('rr', 2.6), ('rr', -1.5), ('rr', 0), ('sl', ''), ('sl', 'a'),
           ('sl', 'abcde'), ('sl', 'abcd'), ('e', ''), ('e', 'pink'),
           ('ei', ['set', [2]]), ('ei', 4), ('si', ['set', [1, 2, 3, 4]]),
           ('ss', ['set', []]), ('oi', ['set', [1, 2]]),
           ('m2', ['map', [[10, 'a']]]), ('m2', ['map', [[1, 'abcd']]]),
           ('m2', ['map', [[1, 'a'], [2, 'b'], [3, 'c']]]),
           ('i', 1.5), ('i', 'x'), ('r', 3), ('r', 'x'), ('b', 0),
           ('s', 5), ('u', 'x'), ('u', ['uuid', 'nope']),
           ('u', ['named-uuid', 'zz']), ('m', ['set', []]),
           ('m', ['map', [['a', 'b']]]), ('m', ['map', [['a', 1], ['a', 2]]]),
           ('ss', ['set', ['a', 'a']]), ('si', ['set', [1, 1]]),
           ('i', ['set', [1]]), ('i', ['set', []]), ('i', ['set', [1, 2]]),
           ('oi', ['set', []]), ('oi', 3), ('i', 2 ** 63 - 1),
           ('i', -2 ** 63), ('r', 1e308), ('nosuch', 1), ('_uuid', 1),
           ('_version', 1), ('i', None), ('i', [1]), ('i', ['set']),
           ('i', ['set', 1]), ('m', ['map', [['a']]]), ('m', ['map', 'a']),
           ('u', ['uuid']), ('i', {}), ('s', ['set', ['a']]),
           ('r', 0.30000000000000004), ('rr', 1e-7), ('r', -2.5e-300),
           ('r', 123456789012345678), ('rr', 2.5000000000000004)]
    for col, val in bad:
        add('insert-%s=%s' % (col, val),
            T(K, ins('A', dict(A_ROW, **{col: val}))), T(K, A_ALL))
    # The same values on update, and mutations.
    for col, val in bad[:24]:
        add('update-%s=%s' % (col, val),
            T(K, ins('A', A_ROW)), T(K, upd('A', [], {col: val})))
    muts = [['r', '+=', 0.1], ['r', '*=', 1e300], ['r', '/=', 3],
            ['r', '%=', 0.30000000000000004], ['i', '+=', 1], ['i', '-=', 2],
            ['i', '*=', 3], ['i', '/=', 2], ['i', '%=', 3], ['i', '/=', 0],
            ['i', '%=', 0], ['ir', '-=', 1],
            ['ir', '+=', 9], ['ir', '+=', 10], ['ir', '*=', 0],
            ['rr', '+=', 1.5], ['rr', '+=', 5.0], ['r', '%=', 2.0],
            ['r', '+=', 1], ['s', '+=', 'a'], ['b', '+=', True],
            ['si', 'insert', ['set', [1, 2, 3, 4]]],
            ['si', 'insert', ['set', [5]]], ['si', 'delete', 5],
            ['si', '+=', 1], ['ss', 'delete', 'x'],
            ['ss', 'insert', ['set', ['x', 'y']]],
            ['ss', 'delete', ['set', ['x', 'y']]],
            ['m', 'insert', ['map', [['a', 1]]]],
            ['m', 'delete', ['set', ['a']]],
            ['m', 'delete', ['map', [['a', 2]]]],
            ['m', 'delete', 'a'], ['m', '+=', 1],
            ['m2', 'insert', ['map', [[1, 'a'], [2, 'b'], [3, 'c']]]],
            ['m2', 'insert', ['map', [[11, 'a']]]],
            ['m2', 'insert', ['map', [[1, 'abcd']]]],
            ['ei', 'insert', 2], ['ei', 'insert', ['set', [3]]],
            ['e', 'insert', 'red'], ['sl', '+=', 'x'],
            ['im', '+=', 1], ['eph', 'insert', 'x'], ['_uuid', '+=', 1],
            ['nosuch', '+=', 1], ['i', 'bogus', 1], ['i', '+='],
            ['i', '+=', 1, 2], 'i', ['i', '+=', 2 ** 63 - 1],
            ['i', '*=', 2 ** 62], ['oi', '+=', 1], ['oi', 'insert', 1],
            ['oi', 'insert', ['set', [1, 2]]],
            ['si', 'insert', ['set', [1, 1]]],
            ['m', 'insert', ['map', [['a', 1], ['a', 2]]]]]
    for m in muts:
        add('mutate-%s' % (m,),
            T(K, ins('A', dict(A_ROW, i=7, r=1.5, oi=['set', [2]],
                               si=['set', [1]], ss=['set', ['x']],
                               m=['map', [['a', 1], ['b', 2]]]))),
            T(K, mut('A', [], [m])), T(K, A_ALL))
    conds = [['i', '==', 7], ['i', '!=', 7], ['i', '<', 8], ['i', '<=', 7],
             ['i', '>', 6], ['i', '>=', 8], ['i', 'includes', 7],
             ['i', 'excludes', 7], ['i', 'includes', ['set', [7, 8]]],
             ['i', 'includes', ['set', []]], ['i', '==', ['set', [7]]],
             ['i', '==', ['set', []]], ['i', '==', ['set', [7, 8]]],
             ['r', '<', 2], ['r', '<', 2.0], ['b', '<', True],
             ['s', '<', 'a'], ['s', '==', 'x'], ['e', '==', 'pink'],
             ['ir', '==', 0], ['sl', '==', 'toolong'],
             ['si', 'includes', 1], ['si', 'includes', ['set', [1, 2]]],
             ['si', 'excludes', ['set', [2, 3]]], ['si', '==', 1],
             ['si', '<', 1], ['si', '==', ['set', [1, 2, 3, 4, 5]]],
             ['oi', '==', ['set', []]], ['oi', 'includes', ['set', [1, 2]]],
             ['m', 'includes', ['map', [['a', 1]]]],
             ['m', 'excludes', ['map', [['a', 2]]]],
             ['m', '==', ['map', [['a', 1], ['b', 2]]]],
             ['m', 'includes', ['set', ['a']]], ['m', 'includes', 'a'],
             ['m', '<', ['map', []]],
             ['ss', 'includes', ['set', ['x', 'x']]],
             ['m', 'includes', ['map', [['a', 1], ['a', 1]]]],
             ['_uuid', '==', ['uuid', '@U1']],
             ['_uuid', '!=', ['uuid', '@U1']], ['_uuid', '<', ['uuid',
                                                             '@U1']],
             ['_version', '==', ['uuid', '@U1']], ['nosuch', '==', 1],
             ['i', 'like', 1], ['i', '=='], ['i', '==', 1, 2], 'i', 1, [],
             True, False, ['i', '==', None], [1, '==', 1]]
    for c in conds:
        add('select-where-%s' % (c,),
            T(K, ins('A', dict(A_ROW, i=7, r=1.5, oi=['set', [2]],
                               si=['set', [1]], ss=['set', ['x']],
                               m=['map', [['a', 1], ['b', 2]]]))),
            T(K, sel('A', [c], columns=['i'])))
    add('select-where-not-list', T(K, {'op': 'select', 'table': 'A',
                                       'where': {}}))
    add('select-columns',
        T(K, ins('A', A_ROW)),
        T(K, sel('A', [], columns=['_uuid', '_version', 's'])),
        T(K, sel('A', [], columns=[])), T(K, sel('A', [], columns=['x'])),
        T(K, sel('A', [], columns=['s', 's'])),
        T(K, sel('A', [], columns='s')), T(K, sel('A', [], columns=[1])),
        T(K, sel('A', [])))
    add('select-sort', T(K, ins('A', dict(A_ROW, i=2)),
                         ins('A', dict(A_ROW, i=1))),
        T(K, sel('A', [], columns=['i'], sort=['i'])),
        T(K, sel('A', [], columns=['i'], sort=['-i'])),
        T(K, sel('A', [], columns=['i'], sort=['nosuch'])),
        T(K, sel('A', [], columns=['i'], sort='i')))
    # Members an operation does not define.
    for op in [ins('A', A_ROW, extra=1), sel('A', [], extra=1),
               upd('A', [], {'i': 1}, extra=1),
               mut('A', [], [['i', '+=', 1]], extra=1),
               dele('A', [], extra=1),
               {'op': 'comment', 'comment': 'c', 'extra': 1},
               {'op': 'commit', 'durable': False, 'extra': 1},
               {'op': 'abort', 'extra': 1},
               {'op': 'assert', 'lock': 'l', 'extra': 1},
               {'op': 'wait', 'table': 'A', 'where': [], 'columns': [],
                'until': '==', 'rows': [], 'timeout': 0, 'extra': 1},
               ins('A', A_ROW, where=[]), sel('A', [], row={}),
               dele('A', [], row={}), upd('A', [], {'i': 1}, columns=[])]:
        add('extra-member-%s' % op['op'], T(K, op))
    add('extra-members', T(K, sel('A', [], a={}, b={}, c=1)),
        T(K, sel('A', [], a={}, b={})))
    # Missing or bad members.
    for op in [{'op': 'insert'}, {'op': 'insert', 'table': 'A'},
               {'op': 'insert', 'table': 1, 'row': {}},
               {'op': 'insert', 'table': 'Nope', 'row': {}},
               {'op': 'insert', 'table': 'A', 'row': []},
               {'op': 'select', 'table': 'A'},
               {'op': 'update', 'table': 'A', 'where': []},
               {'op': 'mutate', 'table': 'A', 'where': []},
               {'op': 'mutate', 'table': 'A', 'where': [],
                'mutations': {}},
               {'op': 'delete', 'table': 'A'},
               {'op': 'comment'}, {'op': 'comment', 'comment': 1},
               {'op': 'commit'}, {'op': 'commit', 'durable': 1},
               {'op': 'commit', 'durable': True},
               {'op': 'assert'}, {'op': 'assert', 'lock': 1},
               {'op': 'nosuch'}, {'op': 1}, {}, [], 'insert', None,
               {'table': 'A'}, {'op': 'abort'},
               upd('A', [], {'im': 1}), upd('A', [], {'_uuid': ['uuid',
                                                                 '@U1']}),
               upd('A', [], {}), upd('A', [], {'eph': 'x'}),
               ins('A', A_ROW, **{'uuid-name': 'n'}),
               ins('A', A_ROW, **{'uuid-name': '0'}),
               ins('A', A_ROW, **{'uuid-name': 'a-b'}),
               ins('A', A_ROW, **{'uuid-name': ''}),
               ins('A', A_ROW, **{'uuid-name': 1}),
               ins('A', A_ROW, **{'uuid-name': '_x9'}),
               ins('A', dict(A_ROW, u=['named-uuid', '0'])),
               ins('A', dict(A_ROW, u=['named-uuid', 1])),
               ins('A', A_ROW, uuid='not-a-uuid'),
               ins('A', A_ROW, uuid=1),
               ins('A', A_ROW, uuid='01234567-89ab-cdef-0123-456789abcdef')]:
        add('op-%s' % (op,), T(K, op))
    add('uuid-name-dup', T(K, ins('A', A_ROW, 'n'), ins('A', A_ROW, 'n')))
    add('named-uuid-refs', T(K, ins('A', dict(A_ROW,
                                              u=['named-uuid', 'b']), 'a'),
                             ins('A', dict(A_ROW,
                                           u=['named-uuid', 'a']), 'b'),
                             sel('A', [['u', '==', ['named-uuid', 'a']]],
                                 columns=['i'])))
    add('named-uuid-unknown', T(K, ins('A', dict(A_ROW,
                                                 u=['named-uuid', 'q']))))
    add('named-uuid-where-only', T(K, sel('A', [['u', '==', ['named-uuid',
                                                             'q']]])))
    add('uuid-explicit',
        T(K, ins('A', A_ROW, uuid='01234567-89ab-cdef-0123-456789abcdef')),
        T(K, ins('A', A_ROW, uuid='01234567-89ab-cdef-0123-456789abcdef')),
        T(K, dele('A'), ins('A', A_ROW,
                            uuid='01234567-89ab-cdef-0123-456789abcdef')),
        T(K, ins('A', A_ROW, 'x',
                 uuid='11234567-89ab-cdef-0123-456789abcdef'),
          ins('A', A_ROW, uuid='11234567-89ab-cdef-0123-456789abcdef')),
        T(K, A_ALL))
    add('uuid-explicit-named', T(K, ins('A', A_ROW, 'x',
                                        uuid='21234567-89ab-cdef-0123-'
                                             '456789abcdef'),
                                 sel('A', [['_uuid', '==',
                                            ['named-uuid', 'x']]],
                                     columns=['_uuid'])))
    add('immutable', T(K, ins('A', dict(A_ROW, im=3))),
        T(K, upd('A', [], {'im': 3})), T(K, upd('A', [], {'im': 4})),
        T(K, mut('A', [], [['im', '+=', 0]])))
    add('wait-ops',
        T(K, ins('A', dict(A_ROW, i=1))),
        T(K, {'op': 'wait', 'table': 'A', 'where': [], 'columns': ['i'],
              'until': '==', 'rows': [{'i': 1}], 'timeout': 0}),
        T(K, {'op': 'wait', 'table': 'A', 'where': [], 'columns': ['i'],
              'until': '!=', 'rows': [{'i': 1}], 'timeout': 0}),
        T(K, {'op': 'wait', 'table': 'A', 'where': [], 'columns': ['i'],
              'until': '==', 'rows': [{'i': 2}], 'timeout': 0}),
        T(K, {'op': 'wait', 'table': 'A', 'where': [], 'columns': ['i'],
              'until': '==', 'rows': [{'i': 2}], 'timeout': 50}),
        T(K, {'op': 'wait', 'table': 'A', 'where': [], 'columns': ['i'],
              'until': '==', 'rows': [{'s': 2}], 'timeout': 0}),
        T(K, {'op': 'wait', 'table': 'A', 'where': [], 'columns': ['i'],
              'until': 'x', 'rows': [], 'timeout': 0}),
        T(K, {'op': 'wait', 'table': 'A', 'where': [], 'columns': ['i'],
              'until': '==', 'rows': {}, 'timeout': 0}),
        T(K, {'op': 'wait', 'table': 'A', 'where': [], 'columns': ['i'],
              'until': '==', 'rows': [1], 'timeout': 0}),
        T(K, {'op': 'wait', 'table': 'A', 'where': [], 'columns': ['i'],
              'until': '==', 'rows': [{'i': 1}], 'timeout': -1}),
        T(K, {'op': 'wait', 'table': 'A', 'where': [],
              'until': '==', 'rows': [{'i': 1}], 'timeout': 0}),
        T(K, {'op': 'wait', 'table': 'A', 'where': [], 'columns': ['i'],
              'until': '==', 'rows': [{'i': 1}]}),
        T(K, {'op': 'wait', 'table': 'A', 'columns': ['i'],
              'until': '==', 'rows': [{'i': 1}], 'timeout': 0}),
        T(K, {'op': 'wait', 'table': 'A', 'where': [], 'columns': ['i'],
              'until': '==', 'rows': [{'i': 1}], 'timeout': 1.5}))
    add('comment-commit-abort',
        T(K, {'op': 'comment', 'comment': 'hello'},
          ins('A', A_ROW), {'op': 'commit', 'durable': False}),
        T(K, ins('A', A_ROW), {'op': 'abort'}, ins('A', A_ROW)),
        T(K, {'op': 'commit', 'durable': True}), T(K, A_ALL))
    add('delete-update-count', T(K, ins('A', A_ROW), ins('A', A_ROW)),
        T(K, upd('A', [['i', '==', 0]], {'i': 3})),
        T(K, dele('A', [['i', '==', 3]])), T(K, dele('A')))
    add('empty-transact', T(K), rpc('transact'), rpc('transact', 'Nope'),
        rpc('transact', 1), rpc('transact', K, 1))
    return seqs


# ---------------------------------------------------------------------------
# Refs: references, garbage collection, indexes, maxRows.

R = 'Refs'
ROOTS = sel('Root', [], columns=['name', 'kids', 'weak', 'one', 'kmap'])
KIDS = sel('Kid', [], columns=['n', 'tag'])


def refs_sequences():
    seqs = []

    def add(name, *steps):
        seqs.append((name, list(steps)))

    add('strong-ref', T(R, ins('Kid', {'n': 1}, 'k'),
                        ins('Root', {'name': 'a',
                                     'kids': ['named-uuid', 'k']})),
        T(R, ROOTS, KIDS), T(R, dele('Kid')),
        T(R, upd('Root', [], {'kids': ['set', []]})), T(R, KIDS))
    add('gc-unreferenced', T(R, ins('Kid', {'n': 1})), T(R, KIDS))
    add('dangling-strong', T(R, ins('Root', {'name': 'a', 'kids': [
        'uuid', '01234567-89ab-cdef-0123-456789abcdef']})))
    add('dangling-map', T(R, ins('Root', {'name': 'a', 'kmap': ['map', [[
        'x', ['uuid', '01234567-89ab-cdef-0123-456789abcdef']]]]})))
    add('weak-ref', T(R, ins('Root', {'name': 'a'}, 'a'),
                      ins('Root', {'name': 'b', 'weak': ['named-uuid', 'a']
                                   })),
        T(R, dele('Root', [['name', '==', 'a']])), T(R, ROOTS),
        T(R, ins('Root', {'name': 'c', 'weak': ['uuid',
                                                 '01234567-89ab-cdef-0123-'
                                                 '456789abcdef']})),
        T(R, ROOTS))
    add('weak-min-1', T(R, ins('Root', {'name': 'a'}, 'a'),
                        ins('Must', {'k': ['named-uuid', 'a']})),
        T(R, dele('Root')), T(R, ins('Must', {'k': [
            'uuid', '01234567-89ab-cdef-0123-456789abcdef']})),
        T(R, ins('Must', {})))
    add('weak-one', T(R, ins('Kid', {'n': 1}, 'k'),
                      ins('Root', {'name': 'a', 'kids': ['named-uuid', 'k'],
                                   'one': ['named-uuid', 'k']})),
        T(R, upd('Root', [], {'kids': ['set', []]})), T(R, ROOTS))
    add('index-dup', T(R, ins('Root', {'name': 'a'}),
                       ins('Root', {'name': 'a'})),
        T(R, ins('Root', {'name': 'a'})), T(R, ins('Root', {'name': 'a'})),
        T(R, ins('Root', {'name': 'b'})),
        T(R, upd('Root', [], {'name': 'z'})),
        T(R, upd('Root', [['name', '==', 'a']], {'name': 'b'}),
          upd('Root', [['name', '==', 'b']], {'name': 'a'})))
    add('index-kid', T(R, ins('Kid', {'n': 1, 'tag': 't'}, 'x'),
                       ins('Kid', {'n': 1, 'tag': 't'}, 'y'),
                       ins('Root', {'name': 'r', 'kids': [
                           'set', [['named-uuid', 'x'],
                                   ['named-uuid', 'y']]]})))
    add('max-rows', T(R, ins('Lim', {}), ins('Lim', {}), ins('Lim', {})),
        T(R, ins('Lim', {}), ins('Lim', {})), T(R, ins('Lim', {})),
        T(R, dele('Lim'), ins('Lim', {})))
    add('ref-wrong-table', T(R, ins('Lim', {}, 'l'),
                             ins('Root', {'name': 'a',
                                          'kids': ['named-uuid', 'l']})))
    add('delete-referenced-root', T(R, ins('Kid', {'n': 5}, 'k'),
                                    ins('Root', {'name': 'a', 'kmap': [
                                        'map', [['x', ['named-uuid', 'k']]]]
                                    })),
        T(R, dele('Root')), T(R, KIDS))
    add('mutate-refs', T(R, ins('Kid', {'n': 1}, 'k'),
                         ins('Root', {'name': 'a', 'kids': ['named-uuid',
                                                             'k']})),
        T(R, ins('Kid', {'n': 2}, 'k2'),
          mut('Root', [], [['kids', 'insert', ['named-uuid', 'k2']]])),
        T(R, mut('Root', [], [['kids', 'delete', ['uuid', '@U1']]])),
        T(R, KIDS), T(R, mut('Root', [], [['kids', 'insert', [
            'uuid', '01234567-89ab-cdef-0123-456789abcdef']]])))
    return seqs


# ---------------------------------------------------------------------------
# Methods other than transact, monitors, locks, _Server.

def rpc_sequences(db, table, row, col):
    seqs = []

    def add(name, *steps):
        seqs.append((name, list(steps)))

    add('list-dbs', rpc('list_dbs'), rpc('list_dbs', 1))
    add('get-schema', rpc('get_schema', db), rpc('get_schema', 'Nope'),
        rpc('get_schema'), rpc('get_schema', 1), rpc('get_schema', db, 1),
        rpc('get_schema', '_Server'))
    add('echo', rpc('echo'), rpc('echo', 1, 'a', [1], {'x': None}))
    add('unknown-method', rpc('nosuch'), rpc('nosuch', 1))
    add('get-server-id', rpc('get_server_id'), rpc('get_server_id'))
    add('db-change-aware', rpc('set_db_change_aware', True),
        rpc('set_db_change_aware', False), rpc('set_db_change_aware'),
        rpc('set_db_change_aware', 1))
    add('server-db', T('_Server', sel('Database', [],
                                      columns=['name', 'model', 'connected',
                                               'leader', 'schema', 'cid',
                                               'sid', 'index'])),
        T('_Server', sel('Database', [['name', '==', db]],
                         columns=['name'])),
        T('_Server', ins('Database', {'name': 'x'})),
        T('_Server', dele('Database')),
        T('_Server', upd('Database', [], {'name': 'y'})),
        T('_Server', mut('Database', [], [['index', 'insert', 1]])),
        T('_Server', sel('Database', [['name', '==', ['set', ['a', 'a',
                                                           'b', 'b']]]])),
        T('_Server', {'op': 'comment', 'comment': 'x'}),
        T('_Server', sel('Nope', [])))
    add('monitor',
        rpc('monitor', db, 'm1', {table: {'columns': [col]}}),
        T(db, ins(table, row), s=1),
        T(db, upd(table, [], {col: row[col]}), s=1),
        T(db, dele(table), s=1),
        rpc('monitor_cancel', 'm1'), T(db, ins(table, row), s=1),
        rpc('monitor_cancel', 'm1'))
    add('monitor-initial',
        T(db, ins(table, row), s=1),
        rpc('monitor', db, None, {table: [{'columns': [col],
                                           'select': {'initial': True,
                                                      'modify': False}}]}),
        rpc('monitor', db, None, {table: {}}),
        rpc('monitor', db, 'm2', {table: {'columns': [col],
                                         'select': {'insert': False}}}),
        T(db, ins(table, row), upd(table, [], {col: row[col]}), s=1))
    add('monitor-bad', rpc('monitor', db, 'm', {'Nope': {}}),
        rpc('monitor', db, 'm', {table: {'columns': ['nope']}}),
        rpc('monitor', 'Nope', 'm', {}),
        # (["monitor", db, "m"] with no requests kills Debian's
        # ovsdb-server 3.1: not in the corpus.)
        rpc('monitor', db, 'm', {table: {'select': {'x': True}}}),
        rpc('monitor', db, 'm', {table: {'columns': 1}}),
        rpc('monitor', db, 'm', {table: 1}),
        rpc('monitor', db, 'm', {table: {'columns': [col, col]}}),
        rpc('monitor', db, 'm', {table: {'extra': 1}}),
        rpc('monitor', db, 'm', {}),
        rpc('monitor', db, 'm', {}), rpc('monitor_cancel', 'zz'),
        rpc('monitor_cancel'))
    add('monitor-cond',
        T(db, ins(table, row), s=1),
        rpc('monitor_cond', db, 'c', {table: [{'columns': [col],
                                               'where': [True]}]}),
        rpc('monitor_cond', db, 'd', {table: [{'columns': [col],
                                               'where': [False]}]}),
        T(db, ins(table, row), s=1),
        rpc('monitor_cond_change', 'd', 'd2',
            {table: [{'where': [True]}]}),
        rpc('monitor_cond_change', 'd', 'd', {table: [{'where': [True]}]}),
        rpc('monitor_cond_change', 'nope', 'x', {}),
        rpc('monitor_cond_change', 'd2', 'd3', {'Nope': [{}]}),
        rpc('monitor_cond_change', 'd2', 'd3', {table: [{'columns': [col]}]}),
        rpc('monitor_cond_change', 'd2', 'd3', {table: [{'where': 1}]}),
        rpc('monitor_cond_change', 'd2', 'd3', {table: {'where': []}}),
        rpc('monitor_cond_change', 'd2', 'd3', {table: [1]}),
        T(db, dele(table), s=1))
    add('monitor-cond-bad',
        rpc('monitor_cond', db, 'c', {table: [{'where': [['nope', '==',
                                                           1]]}]}),
        rpc('monitor_cond', db, 'c', {table: [{'where': 1}]}),
        rpc('monitor_cond', db, 'c', {table: [{'where': [['_uuid', '==',
                                                           ['set', ['a', 'a',
                                                                    'b']]]
                                                          ]}]}))
    add('monitor-cond-since',
        T(db, ins(table, row), s=1),
        rpc('monitor_cond_since', db, 's', {table: [{'columns': [col]}]},
            '00000000-0000-0000-0000-000000000000'),
        T(db, ins(table, row), s=1),
        rpc('monitor_cond_since', db, 't', {table: [{'columns': [col]}]},
            '01234567-89ab-cdef-0123-456789abcdef'),
        rpc('monitor_cond_since', db, 'u', {table: [{'columns': [col]}]}),
        rpc('monitor_cond_since', db, 'v', {table: [{'columns': [col]}]},
            'x'))
    add('monitor-cond-since-found',
        T(db, ins(table, row), s=1),
        rpc('monitor_cond_since', db, 's', {table: [{'columns': [col]}]},
            '00000000-0000-0000-0000-000000000000'),
        T(db, ins(table, row), s=1),
        rpc('monitor_cancel', 's'),
        T(db, dele(table, [['_uuid', '==', ['uuid', '@U1']]]), s=1),
        # sluiced finds its own id (found=true, only the changes since);
        # ovsdb-server gets zeros here and resends everything.
        rpc('monitor_cond_since', db, 't', {table: [{'columns': [col]}]},
            '@T2'))
    add('monitor-cond-modify',
        T(db, ins(table, row), s=1),
        rpc('monitor_cond', db, 'c', {table: [{}]}),
        T(db, upd(table, [], row), s=1),
        T(db, mut(table, [], [[col, '+=', 1]]), s=1) if col in ('i', 'dscp')
        else T(db, {'op': 'comment', 'comment': 'x'}, s=1),
        rpc('monitor_cond_change', 'c', 'c2', {table: [{'where': [[
            col, '==', 2]]}]}),
        T(db, dele(table), s=1))
    add('lock-waiter-leaves',
        rpc('lock', 'L'), rpc('lock', 'L', s=1), rpc('lock', 'L', s=2),
        rpc('unlock', 'L', s=2), rpc('unlock', 'L', s=1),
        rpc('steal', 'L'), rpc('unlock', 'L'), rpc('unlock', 'L'))
    add('lock-steal-then-disconnect',
        rpc('lock', 'L'), rpc('steal', 'L', s=1),
        T(db, {'op': 'assert', 'lock': 'L'}, s=1),
        rpc('lock', 'M', s=2), rpc('unlock', 'L', s=1),
        T(db, {'op': 'assert', 'lock': 'L'}))
    add('locks',
        rpc('lock', 'L'), rpc('lock', 'L', s=1), rpc('lock', 'L'),
        T(db, {'op': 'assert', 'lock': 'L'}),
        T(db, {'op': 'assert', 'lock': 'L'}, s=1),
        rpc('steal', 'L', s=1), T(db, {'op': 'assert', 'lock': 'L'}),
        rpc('unlock', 'L', s=1), rpc('unlock', 'L'), rpc('unlock', 'L'),
        rpc('lock'), rpc('lock', 1), rpc('lock', 'a', 'b'),
        rpc('steal', 'M'), rpc('unlock', 'zz'),
        T(db, {'op': 'assert', 'lock': 'M'}),
        T(db, {'op': 'assert', 'lock': 'L'}, s=1))
    add('raw', ['raw', 0, '{"method": "echo", "params": [], "id": 1'
                '}{"id": 2, "method": "echo", "params": ["\\u00e9"]}'],
        ['raw', 1, '{"method": "echo", "params": [], "id": 1}garbage'],
        ['raw', 2, '[1, 2]'], ['raw', 3, '{"method": 1, "id": 1}'],
        ['raw', 4, '{"method": "echo", "id": 1}'],
        ['raw', 5, '{"result": 1, "id": 1}'],
        ['raw', 6, '{"method": "echo", "params": [], "id": 1, "x": 2}'])
    add('cancel', rpc('cancel', 'x'),
        rpc('transact', db, {'op': 'wait', 'table': table, 'where': [],
                             'columns': [col], 'until': '==',
                             'rows': [{col: row[col]}], 'timeout': 100}))
    return seqs


def vswitch_sequences():
    V = 'Open_vSwitch'
    seqs = []

    def add(name, *steps):
        seqs.append((name, list(steps)))

    add('qos-queue', T(V, ins('Queue', {'dscp': 5,
                                        'other_config': ['map', [['a', 'b']]]
                                        }, 'q'),
                       ins('QoS', {'type': 'linux-htb',
                                   'queues': ['map', [[1, ['named-uuid',
                                                           'q']]]]})),
        T(V, sel('QoS', [], columns=['type', 'queues']),
          sel('Queue', [], columns=['dscp', 'other_config'])),
        T(V, ins('Queue', {'dscp': 64})), T(V, ins('Queue', {'dscp': -1})),
        T(V, ins('QoS', {'queues': ['map', [[4294967296, ['named-uuid',
                                                          'q']]]]})),
        T(V, dele('Queue')))
    add('unknown-column-and-bad-value',
        T(V, ins('Queue', {'dscp': 64, 'dscpx': 64})))
    add('fscs', T(V, ins('Flow_Sample_Collector_Set', {'id': 1})),
        T(V, ins('Flow_Sample_Collector_Set', {'id': 1})),
        T(V, ins('Flow_Sample_Collector_Set', {'id': -1})))
    seqs += rpc_sequences(V, 'Queue', {'dscp': 1}, 'dscp')
    return seqs


def B(text, id_=1, s=0):
    """Bytes sent as they are (one per character of 'text'); the reply to
    'id_' is compared (or the close)."""
    return ['bytes', s, text, id_]


def echo_bytes(params, id_=1, s=0):
    return B('{"method":"echo","params":%s,"id":%s}' % (params, id_), id_, s)


def framing_sequences():
    """What ovsdb-server 3.1 does with odd JSON: invalid UTF-8 in strings
    is kept (and refused as a value), integers beyond 64 bits are reals,
    integral reals integers; lone surrogates, NUL, numbers out of range,
    values that are not objects, trailing garbage.  Not here: integers of
    20 digits from 18446744073709551616 (2^64) to 18446744073709551619,
    which ovsdb-server 3.1 reads as 0 to 3 (its lexer's significand wraps
    around); sluiced reads them as the reals they are."""
    seqs = []

    def add(name, *steps):
        seqs.append((name, list(steps)))

    add('utf8-echo', echo_bytes('["a\xff\xfeb"]'),
        echo_bytes('[{"\xc3":1}]'), echo_bytes('["\xc0\xaf","\xed\xa0\x80"]'),
        echo_bytes('["\xe2\x82"]'), echo_bytes('["ok \xc3\xa9"]'))
    add('utf8-method', B('{"method":"echo\xff","params":[],"id":1}'),
        B('{"method":"list_dbs","params":[],"id":"\xff"}', '\udcff'))
    bad = ['a\xff' 'b', 'a\xc0\xafb', 'a\xe2\x82b', '\xe2\x82',
           '\xf0\x9f\x98', 'a\xf5\x80\x80\x80b', 'a\xed\xa0\x80b',
           'a\x80b', '\xf4\x90\x80\x80', '\xe0\x80\x80', '\xc1\xbf',
           '\xf8\x88\x80\x80\x80', 'a\\udc00b']
    add('utf8-values', *[B('{"method":"transact","params":["Kinds",'
                           '{"op":"insert","table":"A","row":{"s":"%s"}}],'
                           '"id":%d}' % (b, k), k)
                         for k, b in enumerate(bad)])
    add('utf8-where-and-names',
        B('{"method":"transact","params":["Kinds",{"op":"select","table":'
          '"A","where":[["s","==","a\xffb"]]}],"id":1}'),
        B('{"method":"transact","params":["Kinds",{"op":"select","table":'
          '"A\xff","where":[]}],"id":2}', 2),
        B('{"method":"transact","params":["Kinds",{"op":"comment",'
          '"comment":"x\xffy"}],"id":3}', 3),
        B('{"method":"transact","params":["Kinds",{"op":"insert","table":'
          '"A","row":{"ss":["set",["ok","\xff"]]}}],"id":4}', 4),
        B('{"method":"transact","params":["Kinds",{"op":"insert","table":'
          '"A","row":{"m":["map",[["\xff",1]]]}}],"id":5}', 5),
        B('{"method":"transact","params":["Kinds",{"op":"insert","table":'
          '"A","row":{"e":"\xff"}}],"id":6}', 6),
        B('{"method":"transact","params":["Kinds",{"op":"insert","table":'
          '"A","row":{"sl":"\xff"}}],"id":7}', 7),
        T(K, ins('A', A_ROW)),
        B('{"method":"transact","params":["Kinds",{"op":"update","table":'
          '"A","where":[],"row":{"s":"\xff"}}],"id":8}', 8),
        B('{"method":"transact","params":["Kinds",{"op":"mutate","table":'
          '"A","where":[],"mutations":[["ss","insert",["set",["\xff"]]]]}'
          '],"id":9}', 9),
        B('{"method":"transact","params":["Kinds",{"op":"mutate","table":'
          '"A","where":[],"mutations":[["m","delete",["set",["\xff"]]]]}'
          '],"id":10}', 10),
        B('{"method":"transact","params":["Kinds",{"op":"wait","table":'
          '"A","where":[],"columns":["s"],"until":"==","rows":[{"s":'
          '"\xff"}],"timeout":0}],"id":11}', 11),
        B('{"method":"monitor_cond","params":["Kinds","mc",{"A":[{'
          '"columns":["s"],"where":[["s","==","\xff"]]}]}],"id":12}', 12),
        B('{"method":"monitor","params":["Kinds","m\xff",{"A":{'
          '"columns":["s"]}}],"id":13}', 13),
        B('{"method":"lock","params":["L\xff"],"id":14}', 14),
        T(K, A_ALL))
    add('numbers-echo',
        echo_bytes('[123456789012345678901234567890,'
                   '-123456789012345678901234567890]'),
        echo_bytes('[9223372036854775807,9223372036854775808,'
                   '-9223372036854775808,-9223372036854775809]'),
        echo_bytes('[1.5,2.0,1e20,0.1,1e-7,123456789.123456789,-0.0,1E2,'
                   '100000000000000000000.0,1e-999,0.000]'),
        B('{"method":"echo","params":[],"id":123456789012345678901234567890}',
          1.23456789012346e+29))
    add('numbers-values',
        B('{"method":"transact","params":["Kinds",{"op":"insert","table":'
          '"A","row":{"i":123456789012345678901234567890}}],"id":1}'),
        B('{"method":"transact","params":["Kinds",{"op":"insert","table":'
          '"A","row":{"s":12345678901234567890123}}],"id":2}', 2),
        B('{"method":"transact","params":["Kinds",{"op":"insert","table":'
          '"A","row":{"i":2.0,"r":36893488147419103232,"ir":1E1,'
          '"sl":"ab","e":"red","ss":"x"}}],"id":3}', 3),
        B('{"method":"transact","params":["Kinds",{"op":"insert","table":'
          '"A","row":{"i":9223372036854775808}}],"id":4}', 4),
        T(K, A_ALL))
    for name, text in [
            ('real-out-of-range', '{"method":"echo","params":[1e999],"id":1}'),
            ('real-out-of-range-neg',
             '{"method":"echo","params":[-1e999],"id":1}'),
            ('lone-high-surrogate',
             '{"method":"echo","params":["\\ud800"],"id":1}'),
            ('high-surrogate-then-char',
             '{"method":"echo","params":["\\ud800x"],"id":1}'),
            ('nul-escape', '{"method":"echo","params":["a\\u0000b"],"id":1}'),
            ('nul-raw', '{"method":"echo","params":["a\x00b"],"id":1}'),
            ('control-raw', '{"method":"echo","params":["a\x01b"],"id":1}'),
            ('bad-escape', '{"method":"echo","params":["\\q"],"id":1}'),
            ('not-object-array', '[1,2,3]'),
            ('not-object-string', '"hello"'),
            ('not-object-number', '42 '),
            ('not-object-true', 'true '),
            ('leading-zero', '{"method":"echo","params":[01],"id":1}')]:
        add('closes-' + name, B(text))
    add('surrogates-echo',
        echo_bytes('["\\udc00\\udc01","\\ud83d\\ude00"]'),
        echo_bytes('["a\\u0001b\\u001f\\u007f/\\u00e9"]'))
    add('trailing-garbage', B('{"method":"echo","params":[],"id":1}xyz'))
    add('trailing-bracket', B('{"method":"echo","params":[],"id":1} ]'))
    add('long-string', echo_bytes('["%s"]' % ('y' * 2000000)))
    add('duplicate-member',
        B('{"method":"echo","params":[1],"params":[2],"id":1}'))
    return seqs


def nover_sequences():
    seqs = [('nover-basic', [rpc('get_schema', 'NoVer'),
                             T('NoVer', ins('T', {'a': 1})),
                             T('NoVer', sel('T', [], columns=['a']))])]
    return seqs


def sequences():
    """{schema key: [(name, steps)]}."""
    return {
        'kinds': kinds_sequences() + rpc_sequences(
            K, 'A', dict(A_ROW, i=1), 'i') + framing_sequences(),
        'refs': refs_sequences(),
        'nover': nover_sequences(),
        'vswitch': vswitch_sequences(),
    }
