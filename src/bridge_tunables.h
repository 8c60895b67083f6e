/* bridge_tunables: Open_vSwitch:other_config keys that tune the running
 * datapath - pmd-cpu-mask, pmd-maxsleep (the PMD idle sleep, in
 * microseconds), emc-insert-inv-prob, flow-limit, max-idle (ms), and
 * Sluice's upcall-rate and upcall-burst.  A key is applied when its value
 * changes (so control-socket settings stay until the database says
 * otherwise); a key removed goes back to the value sluiced started with.
 * pmd-cpu-mask and pmd-maxsleep given on the command line are not taken
 * from the database.
 * A value the datapath refuses is logged and the running setting kept;
 * the last refusal of each key is kept for the status. */
#ifndef SLUICE_BRIDGE_TUNABLES_H
#define SLUICE_BRIDGE_TUNABLES_H

#include <stdint.h>

struct cfg_smap;
struct dp;
struct dstr;

#define BRIDGE_TUNABLE_PMD_MASK   (1u << 0)
#define BRIDGE_TUNABLE_IDLE_SLEEP (1u << 1)

/* Records what the datapath runs with now as the values to go back to.
 * The keys in 'cmdline' (BRIDGE_TUNABLE_*) were set on the command line,
 * which wins: the database's values for them are not applied. */
void bridge_tunables_init(struct dp *, unsigned int cmdline);
void bridge_tunables_destroy(void);

/* Applies the keys of 'oc' that changed since the last call. */
void bridge_tunables_apply(struct dp *, const struct cfg_smap *oc);

/* Appends "key: error" lines for values refused now; returns how many. */
int bridge_tunables_errors(struct dstr *);

#endif
