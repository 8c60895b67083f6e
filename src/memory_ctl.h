/* memory_ctl: the "memory/show" control-socket command (as in Open
 * vSwitch's ovs-appctl memory/show): DPDK heap figures, memzones,
 * mempools, open file descriptors and megaflows, one "name:value" group
 * per line, then each mempool's size, available and in-use mbufs, for
 * operators and for tests that check nothing leaks. */
#ifndef SLUICE_MEMORY_CTL_H
#define SLUICE_MEMORY_CTL_H

struct dp;

void memory_ctl_register(struct dp *);

#endif
