/* sluicectl_show: "sluicectl show", the overview of an Open_vSwitch
 * database that "ovs-vsctl show" prints: the root row's UUID, then the
 * managers, bridges with their controllers, ports and interfaces, each
 * with the few columns ovs-vsctl shows when they are not at their default
 * value, nested by references in UUID order. */
#ifndef SLUICE_SLUICECTL_SHOW_H
#define SLUICE_SLUICECTL_SHOW_H

#include "src/util/dstr.h"
#include "tools/sluicectl_snap.h"

/* Fetches what it needs into 's' and appends the text to 'out'.  Returns
 * 0 or a negative errno (message printed). */
int sctl_show(struct sctl_snap *s, struct dstr *out);

#endif
