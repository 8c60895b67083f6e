#!/usr/bin/python3
"""Forwarding through sluiced, byte for byte, between net_pcap ports.

Each input is a finite pcap file read by net_pcap (rx_pcap=, not
infinite_rx); each output is a net_pcap tx_pcap= file, which net_pcap
flushes when the port is closed, so the daemon is stopped before the
output files are read.

Packet ORDER is checked, not only the set of packets: every input port has
one rx queue, the daemon runs one PMD thread, and the per-port action
"output to X" keeps a burst's order, so packets must leave in the order
they arrived.  The one exception is packets that missed the datapath's
flow cache: the control thread sends those after its upcall, so they may
come out later; the others must keep their order (sluicetest.
assert_forwarded says exactly what is checked).

Nothing may be dropped: the tests lift the upcall rate limit and assert
that every drop counter is zero (DESIGN.md: byte-for-byte tests raise the
upcall limits they depend on or assert the drop counters).  A finite pcap
is read at start-up, before the limit can be lifted, so inputs are kept
small enough for the default burst.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import unittest                                     # noqa: E402
import sluicetest as st                             # noqa: E402


class ForwardTest(unittest.TestCase):

    def assert_no_drops(self, d, names):
        ports = d.show()
        for name in names:
            p = ports[name]
            for direction in ('rx', 'tx'):
                for key in ('dropped', 'errors', 'nombuf', 'imissed'):
                    self.assertEqual(p[direction].get(key, 0), 0,
                                     '%s %s %s' % (name, direction, key))
        for pmd in d.pmd_stats():
            self.assertEqual(pmd.get('packets dropped'), 0, pmd)
            self.assertEqual(pmd.get('miss with failed upcall', 0), 0, pmd)

    def forward_one(self, packets):
        """in0 (rx_pcap) -> out0 (tx_pcap); returns the output."""
        with st.Daemon() as d:
            src, dst = d.path('in.pcap'), d.path('out.pcap')
            st.write_pcap(src, packets)
            # The output port is listed first so that it exists when the
            # input starts to receive.
            d.start(ports=[st.pcap_port('out0', 1, tx=dst),
                           st.pcap_port('in0', 0, rx=src)],
                    outputs=['in0 out0'])
            n = len(packets)
            d.wait_counter('in0', 'rx', n)
            d.wait_counter('out0', 'tx', n)
            ports = d.show()
            self.assertEqual(ports['in0']['rx']['bytes'],
                             sum(len(p) for p in packets))
            self.assertEqual(ports['out0']['tx']['bytes'],
                             sum(len(p) for p in packets))
            st.assert_output(self, ports['in0'], 'out0')
            self.assert_no_drops(d, ['in0', 'out0'])
            stats = d.pmd_stats()
            # Sent by the PMD, or by the control thread after an upcall.
            self.assertEqual(st.pmd_sum(stats, 'packets received'), n)
            self.assertEqual(st.pmd_sum(stats, 'packets sent')
                             + st.pmd_upcalled(stats), n, stats)
            self.assertEqual(d.stop('exit'), 0)
            return st.read_pcap(dst), st.pmd_upcalled(stats)

    def test_pcapgen_flows(self):
        """1000 packets of 100 UDP flows written by sluice-pcapgen."""
        with st.Daemon() as tmp:
            packets = st.pcapgen(tmp.path('gen.pcap'), flows=100, size=64,
                                 count=1000)
        self.assertEqual(len(packets), 1000)
        self.assertEqual({len(p) for p in packets}, {60})
        out, upcalled = self.forward_one(packets)
        st.assert_forwarded(self, out, packets, upcalled, 'out0')

    def test_pcapgen_large_frames(self):
        """sluice-pcapgen frames of the largest standard size."""
        with st.Daemon() as tmp:
            packets = st.pcapgen(tmp.path('gen.pcap'), flows=7, size=1518,
                                 count=300)
        self.assertEqual({len(p) for p in packets}, {1514})
        out, upcalled = self.forward_one(packets)
        st.assert_forwarded(self, out, packets, upcalled, 'out0')

    def test_mixed_sizes(self):
        """Hand-made frames of 60..1514 bytes, each payload distinct."""
        packets = st.mixed_frames('mixed', 27 * 20)
        self.assertEqual(len(set(packets)), len(packets))
        out, upcalled = self.forward_one(packets)
        st.assert_forwarded(self, out, packets, upcalled, 'out0')

    def test_crossing(self):
        """Two inputs to two outputs, crossed: a -> d, b -> c.  Three
        times, since a start-up race would show only now and then."""
        for _ in range(3):
            self.crossing()

    def crossing(self):
        with st.Daemon() as d:
            a_in, b_in = d.path('a.pcap'), d.path('b.pcap')
            c_out, d_out = d.path('c.pcap'), d.path('d.pcap')
            a_pkts = st.mixed_frames('port-a', 500)
            b_pkts = st.mixed_frames('port-b', 333,
                                     sizes=[60, 1514, 128, 900, 64])
            st.write_pcap(a_in, a_pkts)
            st.write_pcap(b_in, b_pkts)
            d.start(ports=[st.pcap_port('c', 2, tx=c_out),
                           st.pcap_port('d', 3, tx=d_out),
                           st.pcap_port('a', 0, rx=a_in),
                           st.pcap_port('b', 1, rx=b_in)],
                    outputs=['a d', 'b c'])
            d.wait_counter('a', 'rx', len(a_pkts))
            d.wait_counter('b', 'rx', len(b_pkts))
            d.wait_counter('d', 'tx', len(a_pkts))
            d.wait_counter('c', 'tx', len(b_pkts))
            ports = d.show()
            st.assert_output(self, ports['a'], 'd')
            st.assert_output(self, ports['b'], 'c')
            self.assert_no_drops(d, ['a', 'b', 'c', 'd'])
            upcalled = st.pmd_upcalled(d.pmd_stats())
            self.assertEqual(d.stop('exit'), 0)
            st.assert_forwarded(self, st.read_pcap(d_out), a_pkts, upcalled,
                                'd')
            st.assert_forwarded(self, st.read_pcap(c_out), b_pkts, upcalled,
                                'c')

    def test_drop_output(self):
        """An input whose output is "drop": nothing leaves, and the
        counters show the packets as received and dropped."""
        with st.Daemon() as d:
            src, sink = d.path('in.pcap'), d.path('sink.pcap')
            packets = st.mixed_frames('drop', 250)
            st.write_pcap(src, packets)
            d.start(ports=[st.pcap_port('sink', 1, tx=sink),
                           st.pcap_port('in0', 0, rx=src)],
                    outputs=['in0 drop'])
            n = len(packets)
            d.wait_counter('in0', 'rx', n)
            ports = d.show()
            st.assert_output(self, ports['in0'], 'drop')
            self.assertEqual(ports['sink']['tx']['packets'], 0)
            stats = st.wait_stable(d.pmd_packets, settle=0.3)
            self.assertEqual(st.pmd_sum(stats, 'packets received'), n)
            self.assertEqual(st.pmd_sum(stats, 'packets sent'), 0)
            # Dropped by the PMD, or by the control thread after an upcall.
            self.assertEqual(st.pmd_sum(stats, 'packets dropped')
                             + st.pmd_upcalled(stats), n, stats)
            self.assertEqual(d.stop('exit'), 0)
            self.assertEqual(st.read_pcap(sink), [])

    def test_ring_loopback_chain(self):
        """in0 -> loop (a lone net_ring port is a loopback: what is sent to
        it is received from it again) -> out0, byte for byte.

        net_ring loops tx queue i back to rx queue i only, and the daemon
        gives each sending thread its own tx queue (the PMD's need not be
        queue 0), so the ring port gets as many rx queues as tx queues."""
        with st.Daemon() as d:
            src, dst = d.path('in.pcap'), d.path('out.pcap')
            packets = st.mixed_frames('ring', 400)
            st.write_pcap(src, packets)
            d.start(ports=[st.pcap_port('out0', 1, tx=dst),
                           'loop net_ring0 n_rxq=2',
                           st.pcap_port('in0', 0, rx=src)],
                    outputs=['loop out0', 'in0 loop'])
            n = len(packets)
            d.wait_counter('in0', 'rx', n)
            d.wait_counter('loop', 'tx', n)
            d.wait_counter('loop', 'rx', n)
            d.wait_counter('out0', 'tx', n)
            self.assert_no_drops(d, ['in0', 'loop', 'out0'])
            upcalled = st.pmd_upcalled(d.pmd_stats())
            self.assertEqual(d.stop('exit'), 0)
            st.assert_forwarded(self, st.read_pcap(dst), packets, upcalled,
                                'out0')


if __name__ == '__main__':
    st.main()
