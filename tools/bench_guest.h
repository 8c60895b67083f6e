/* bench_guest: the virtual machine of the PVP scenario, a dpdk-testpmd
 * with two virtio_user ports on the switch's two vhost-user sockets
 * (--in-memory --single-file-segments, so its memory is shared through
 * the sockets), both of its lcores (main and forwarding) on the control
 * core.  It generates UDP flows (forward mode flowgen: --flows of them,
 * --size frames) on both ports and counts what the switch brings back on
 * the other one.  The switch under test (sluiced, the testpmd ceiling,
 * Open vSwitch) owns the sockets (vhost-user server); the guest connects
 * to them once they exist. */
#ifndef SLUICE_BENCH_GUEST_H
#define SLUICE_BENCH_GUEST_H

#include "tools/bench.h"

struct bench_guest;

/* Starts the guest on 'sock0' and 'sock1' and its forwarding, and waits
 * until packets come back (up to --start-timeout).  'who' names the
 * switch in messages.  Returns 0 with the guest in *g, or a negative
 * errno after printing why (with the tail of its log). */
int bench_guest_start(const struct bench_run *, const char *who,
                      const char *sock0, const char *sock1,
                      struct bench_guest **g);

/* The measurement window: clears the guest's port counters; then, at its
 * end, reads them into *rx_mpps (received back, both ports) and *tx_mpps
 * (sent).  Return 0 or a negative errno after printing why. */
int bench_guest_window_begin(struct bench_guest *);
int bench_guest_window_end(struct bench_guest *, double *rx_mpps,
                           double *tx_mpps);

/* Quits the guest (before its switch goes) and frees 'g'. */
void bench_guest_stop(struct bench_guest *g);

#endif
