/* dp_ctl: control-socket commands for the datapath (dpctl/..., and
 * dpif-netdev/... with Open vSwitch's names and output layout). */
#ifndef SLUICE_DP_CTL_H
#define SLUICE_DP_CTL_H

struct dp;

void dp_ctl_register(struct dp *);

#endif
