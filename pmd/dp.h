/* dp: the datapath - one port space and the set of PMD threads.
 *
 * The control thread owns the struct dp: it adds, reconfigures and
 * removes ports, starts and stops PMD threads, assigns rx queues to PMDs
 * (through each PMD's command ring) and installs megaflows.  PMD threads
 * read dp->ports[] to transmit; a port leaves that table only after every
 * PMD has acknowledged that it no longer polls or sends to it.
 *
 * This header is the contract for the bridge reconciler: every dp_set_*,
 * dp_port_* call below runs in the control thread, may be called while
 * traffic flows, returns 0 or a negative errno with a one-line message
 * appended to 'err' (never NULL, except for dp_port_del), and on error
 * leaves the datapath as it was unless the comment says otherwise.
 * "In flight" below means: packets a PMD has received and not yet handed
 * to a device in the iteration it is in (at most one burst per rx queue),
 * and upcalls that could not be handled.  Nothing else is lost by any of
 * these calls.  struct port_config and struct port_status are in port.h;
 * the control-socket commands built on these calls are in src/dp_ctl.c.
 * struct dp is private to pmd/ (dp_private.h). */
#ifndef SLUICE_DP_H
#define SLUICE_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DP_MAX_PORTS 256
#define DP_MAX_PMDS 64
#define DP_N_SLOTS (DP_MAX_PMDS + 1)   /* Sending threads (tx.h). */

#define DP_DEFAULT_FLOW_LIMIT 200000
#define DP_DEFAULT_MAX_IDLE_MS 10000
#define DP_DEFAULT_UPCALL_RATE 1000000
#define DP_DEFAULT_UPCALL_BURST 4096

/* Ranges the dp_set_* functions accept. */
#define DP_FLOW_LIMIT_MAX 10000000
#define DP_MAX_IDLE_MS_MIN 100
#define DP_MAX_IDLE_MS_MAX 3600000
#define DP_EMC_INV_PROB_MAX 1000000
#define DP_UPCALL_RATE_MAX 100000000
#define DP_UPCALL_BURST_MAX 1000000
#define DP_IDLE_SLEEP_US_MAX 100000

struct dstr;
struct port;
struct port_config;
struct port_status;
struct pmd;
struct tx_ctx;
struct tx_port_stats;
struct dp_actions;
struct pmd_rxq;

/* Creates the datapath and starts a PMD thread on each core of
 * 'pmd_mask'.  Returns NULL with a message in 'err' on failure. */
struct dp *dp_create(uint64_t pmd_mask, unsigned int idle_sleep_us,
                     struct dstr *err);
void dp_destroy(struct dp *);

/* The cores PMDs may use: the process's CPU affinity as it was before EAL
 * pinned the control thread (dp_create() assumes its own mask and the
 * caller's affinity).  Cores must also be online when used. */
void dp_set_usable_cores(struct dp *, uint64_t mask);

/* Registers the upcall handler's drain for PMDs that stop (NULL: none,
 * their queued upcalls are then dropped). */
void dp_set_upcall_drain(struct dp *, void (*)(struct pmd *, void *aux),
                         void *aux);

/* Number of tx queue slots a port needs so that no sending thread (the
 * control thread and every PMD) shares: the highest slot in use + 1. */
unsigned int dp_n_tx_threads(const struct dp *);

/* ---- PMD threads. ---- */

/* Changes the set of PMD cores to 'mask' while traffic flows.
 *
 * Every core of 'mask' must be online and in the process's affinity
 * (dp_set_usable_cores); a PMD may share the control thread's core.
 * A mask with an unusable core, no core, or more than DP_MAX_PMDS cores
 * is refused with -EINVAL and the running set is untouched.
 *
 * PMDs on new cores start first (pinned pthreads registered with EAL,
 * with empty caches and the current tunables).  Then all rx queues are
 * assigned again among the PMDs of 'mask' by measured processing cycles
 * (as dp_rxq_rebalance()): a queue is removed from its old PMD before
 * its new one polls it, so it is never polled twice and the packets
 * waiting in it stay there.  PMDs on cores no longer in 'mask' then stop:
 * the upcalls they queued are handled (dp_set_upcall_drain), their tx
 * buffers are flushed, their megaflows (and the control thread's shadow
 * of them), EMC and counters are freed - pmd-stats-show no longer lists
 * them; their per-port tx drop counters are kept in the ports' totals.
 *
 * Transmit: a port keeps the tx queue count it was configured with; a
 * thread sends on queue slot % n_txq, so where threads outnumber a port's
 * queues they share them under the port's spinlocks (switched on before
 * a new PMD sends).  A port gets one queue per thread again when it is
 * reconfigured (dp_port_reconfigure) or added.  Nothing is lost. */
int dp_set_pmd_mask(struct dp *, uint64_t mask, struct dstr *err);
/* The check dp_set_pmd_mask() makes, alone: 0 or -EINVAL with why. */
int dp_check_pmd_mask(const struct dp *, uint64_t mask, struct dstr *err);

/* How long PMDs sleep after a poll that found no packet (0: busy poll,
 * at most DP_IDLE_SLEEP_US_MAX).  Takes effect at each PMD's next
 * iteration; PMDs started later use it too. */
int dp_set_pmd_idle_sleep(struct dp *, unsigned int us, struct dstr *err);

/* ---- Tunables.  Each takes effect at once, also for PMDs started later;
 * nothing is lost; setting the value a tunable has does nothing. ---- */

/* Megaflows per PMD (1..DP_FLOW_LIMIT_MAX).  Installed megaflows beyond a
 * lowered limit stay until they expire. */
int dp_set_flow_limit(struct dp *, unsigned int limit, struct dstr *err);
/* Idle time after which megaflows expire (DP_MAX_IDLE_MS_MIN..MAX). */
int dp_set_max_idle(struct dp *, unsigned int ms, struct dstr *err);
/* EMC insertion probability 1/inv_prob (0: never insert; at most
 * DP_EMC_INV_PROB_MAX). */
int dp_set_emc_insert_inv_prob(struct dp *, unsigned int inv_prob,
                               struct dstr *err);
/* Upcalls per PMD per second (0: no limit, at most DP_UPCALL_RATE_MAX)
 * with a burst of 'burst' (1..DP_UPCALL_BURST_MAX); the bucket starts
 * full. */
int dp_set_upcall_limit(struct dp *, uint64_t rate, uint64_t burst,
                        struct dstr *err);

/* ---- Ports. ---- */

/* Adds a port and assigns its rx queues to PMDs.  Returns its port number
 * or a negative errno with a message in 'err'. */
int dp_port_add(struct dp *, const struct port_config *, struct dstr *err);
/* Removes a port: its queues stop being polled, outputs to it become
 * drops, buffered packets are freed, then the device is closed. */
int dp_port_del(struct dp *, const char *name, struct dstr *err);
struct port *dp_port_by_name(struct dp *, const char *name);
const char *dp_port_name(uint32_t port_no, void *dp);
/* The number of port 'name' (a dp_actions_port_lookup for 'dp').
 * Returns 0 or -ENOENT. */
int dp_port_lookup(const char *name, uint32_t *port_no, void *dp);

/* Changes n_rxq, n_rxq_desc, n_txq_desc, mtu, n_mbuf and mbuf_size of the
 * port 'name' to those of 'cfg' (0: the default, as for dp_port_add; its
 * name is ignored and its devargs must be NULL or the port's own).
 * Nothing happens if they are what the port has.  Otherwise, while
 * traffic flows: PMDs stop polling the port's queues and every thread
 * stops sending to it (what they have for it in the meantime is counted
 * as tx drops), the device is stopped, reconfigured (with a new mempool
 * if the rx side or buffer size changed; the old one is freed when its
 * mbufs are back) and started with as many tx queues as there are
 * sending threads, and its queues are assigned to PMDs again.  The port
 * keeps its number, megaflows and counters of the threads; what sat in
 * the device's rx ring is lost (the device drops it when stopped).
 * On failure (e.g. more rx queues than the device has, an MTU it
 * refuses) the previous configuration is restored and the port forwards
 * again; if even that fails, the port stays down (not polled, tx dropped)
 * and dp_port_status() reports 'failed' with the error until a later
 * reconfiguration succeeds. */
int dp_port_reconfigure(struct dp *, const char *name,
                        const struct port_config *, struct dstr *err);

/* Sets a port administratively up or down (rte_eth_dev_set_link_up /
 * _down where the device can; every device is at least marked).  An
 * admin-down port is not polled (what arrives stays in, or overflows, the
 * device's rx ring) and packets sent to it are counted as tx drops. */
int dp_port_set_admin(struct dp *, uint32_t port_no, bool up,
                      struct dstr *err);

/* Fills 'st' for port 'port_no' (port.h: link up/down, speed, duplex,
 * MTU, MAC, link resets, driver, queues and counters, with the threads'
 * tx drops added).  Polls the link state.  Returns 0 or -ENOENT. */
int dp_port_status(struct dp *, uint32_t port_no, struct port_status *);

/* Polls every port's link state, counting changes as link resets (the
 * daemon calls it every second; link-state-change interrupts are not used,
 * most vdevs have none, so a change and its reversal within one period
 * may go unseen).  Returns how many ports changed. */
unsigned int dp_poll_links(struct dp *);

/* Applies what the guests of vhost-user ports changed since the last
 * call (vhost_queues.h): rx queues the guest sends on are polled, the
 * others not; every sending thread transmits to a queue the guest reads
 * (none: its packets are counted as tx drops).  Never waits; cheap when
 * nothing changed.  The daemon calls it every DP_RECLAIM_INTERVAL_MS. */
void dp_poll_vhost(struct dp *);

/* Frees mempools of removed ports whose mbufs have all come back.  Call
 * now and then (the daemon does every second). */
void dp_reap_mempools(struct dp *);

/* While held, new ports' rx queues are not polled; releasing assigns
 * them.  Start-up holds until all configured ports have their outputs, so
 * a finite pcap is not read before its packets have somewhere to go. */
void dp_hold_rxqs(struct dp *, bool hold);

/* Re-assigns every polled rx queue to PMDs by measured processing cycles
 * (pinned queues stay on their PMDs, see dp_port_set_rxq_affinity).
 * Returns the number of queues that moved, or a negative errno. */
int dp_rxq_rebalance(struct dp *);

/* Pins rx queues of port 'port_no' to PMD cores, as Open vSwitch's
 * Interface other_config:pmd-rxq-affinity: queue q goes to the PMD on
 * core core_of_queue[q] (-1: not pinned) for q < n; queues from n on are
 * not pinned (n = 0: no pin).  Cores must be below 64 and n at most
 * RXQ_SCHED_AFFINITY_MAX_QUEUES (rxq_sched.h), else -EINVAL.
 *
 * A PMD that polls a pinned queue is isolated: it polls only the queues
 * pinned to it (pmd-rxq-show says "isolated : true"); every other queue
 * is assigned among the PMDs that are not isolated (by measured cycles,
 * as dp_rxq_rebalance), and is not polled at all while every PMD is
 * isolated.  A queue pinned to a core that has no PMD is assigned like an
 * unpinned queue, to a PMD that stays non-isolated, with a warning in the
 * log.  Pins of queues the port does not have (n_rxq smaller) are kept
 * but ignored until it has them.
 *
 * Applied at once while traffic flows: all queues are assigned again,
 * each moving queue is removed from its old PMD before its new one polls
 * it (never polled twice; waiting packets stay in the device).  Pins
 * stay across dp_rxq_rebalance, dp_set_pmd_mask, dp_port_reconfigure and
 * dp_port_set_admin; they go with the port (dp_port_del).  Setting the
 * pins a port has does nothing.  Only ports that are polled count for
 * isolation (not an admin-down or failed port). */
int dp_port_set_rxq_affinity(struct dp *, uint32_t port_no,
                             const int *core_of_queue, size_t n,
                             struct dstr *err);

/* Waits until every PMD has applied all commands sent so far.  Returns 0
 * or -ETIMEDOUT. */
int dp_sync(struct dp *);

/* Runs the frees that every PMD has moved past (pmd_defer()) and moves
 * the PMDs' command backlogs on.  Never waits.  The daemon calls it every
 * DP_RECLAIM_INTERVAL_MS. */
#define DP_RECLAIM_INTERVAL_MS 1
void dp_reclaim(struct dp *);

/* Test hook: stalls or releases the PMD on 'core' (pmd_set_stall()).
 * Returns 0 or -ENOENT. */
int dp_set_pmd_stall(struct dp *, unsigned int core, bool stall);

/* ---- What other layers read. ---- */

/* The PMDs, sorted by core: dp_pmd(dp, i) for i < dp_n_pmds(dp). */
unsigned int dp_n_pmds(const struct dp *);
struct pmd *dp_pmd(const struct dp *, unsigned int i);
/* The cores of the PMDs. */
uint64_t dp_pmd_mask(const struct dp *);
/* Port 'port_no', or NULL. */
struct port *dp_port(const struct dp *, uint32_t port_no);
/* The control thread's tx context (tx.h), for packets it sends. */
struct tx_ctx *dp_control_tx(const struct dp *);

/* The values of the tunables (dp_set_*). */
struct dp_tunables {
    unsigned int pmd_idle_sleep_us;
    unsigned int flow_limit;
    unsigned int max_idle_ms;
    unsigned int emc_insert_inv_prob;
    uint64_t upcall_rate;
    uint64_t upcall_burst;
};
void dp_get_tunables(const struct dp *, struct dp_tunables *);

/* Text for the control-socket commands. */
void dp_format_ports(struct dp *, struct dstr *);
void dp_format_pmd_stats(struct dp *, struct dstr *);
void dp_format_pmd_perf(struct dp *, struct dstr *);
void dp_clear_pmd_stats(struct dp *);
void dp_format_rxqs(struct dp *, struct dstr *);

#endif
