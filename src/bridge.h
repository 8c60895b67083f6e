/* bridge: the reconciler - the Open_vSwitch database is the configuration
 * of record, and this module makes the datapath follow it.
 *
 * It watches the database through the in-process API (a commit callback,
 * no polling): after each commit that touched the configuration it runs
 * one pass from the loop, which reads a snapshot (bridge_cfg), opens,
 * reconfigures and closes datapath ports (bridge_iface says what each
 * Interface row becomes), numbers OpenFlow ports per bridge (ofport, with
 * ofport_request, the stored ofport and LOCAL = 65534), rebuilds the
 * flood topology (bridge_flood) and revalidates megaflows, then writes the
 * status back in one local transaction: Interface ofport, error and
 * status columns, Bridge datapath_id, and Open_vSwitch cur_cfg (=
 * next_cfg as read, written together with the ofports) with
 * dpdk_initialized, dpdk_version, iface_types, datapath_types.  A timer
 * refreshes link state and statistics (other_config:
 * stats-update-interval, default 5000 ms).
 *
 * It owns the datapath ports it opened (closing them when their rows go
 * or when it is destroyed) and leaves alone those opened otherwise
 * (--port, dpctl/add-if). */
#ifndef SLUICE_BRIDGE_H
#define SLUICE_BRIDGE_H

#include <stdint.h>

struct dp;
struct dstr;
struct loop;
struct ovsdb_db;
struct sluiced_options;
struct stream_ssl_ctx;

/* Start-up only, before EAL: fills what the command line left unset from
 * Open_vSwitch:other_config - the control core (lowest usable core of
 * dpdk-lcore-mask), pmd-cpu-mask, memory (dpdk-socket-mem summed, or
 * dpdk-alloc-mem, in MB) and dpdk-extra.  Values that do not parse or
 * name cores outside 'usable' are logged and ignored (a database must
 * never keep the daemon, its own server, from starting).  Later changes
 * of the EAL keys are logged as needing a restart; pmd-cpu-mask and
 * pmd-maxsleep apply live, unless the command line set them
 * (--pmd-cpu-mask, --pmd-idle-sleep-us), which wins. */
int bridge_eal_defaults(const struct ovsdb_db *, struct sluiced_options *,
                        uint64_t usable, struct dstr *err);

/* The daemon's run directory: where dpdkvhostuser sockets go unless
 * other_config:vhost-sock-dir says otherwise (relative to it). */
void bridge_set_run_dir(const char *);

/* Starts reconciling 'db' (an Open_vSwitch database) into 'dp'; the
 * first pass runs from the loop.  Returns 0 or a negative errno. */
int bridge_start(struct loop *, struct dp *, struct ovsdb_db *);
/* Stops watching and closes the ports it opened. */
void bridge_stop(void);

/* TLS for the controllers' ssl: and pssl: targets (NULL: none, and they
 * fail): a change runs a pass now, after which the previous context is
 * no longer used. */
void bridge_set_ssl(struct stream_ssl_ctx *);

/* Runs a pass now (tests and start-up). */
void bridge_run(void);

#endif
