/* dp: the datapath - one port space and the set of PMD threads.
 *
 * The control thread owns the struct dp: it adds and removes ports,
 * assigns their rx queues to PMDs (through each PMD's command ring) and
 * installs megaflows.  PMD threads read dp->ports[] to transmit;
 * a port leaves that table only after every PMD has acknowledged that it
 * no longer polls or sends to it. */
#ifndef SLUICE_DP_H
#define SLUICE_DP_H

#include <stdbool.h>
#include <stdint.h>

#define DP_MAX_PORTS 256
#define DP_MAX_PMDS 64

#define DP_DEFAULT_FLOW_LIMIT 200000
#define DP_DEFAULT_MAX_IDLE_MS 10000
#define DP_DEFAULT_UPCALL_RATE 1000000
#define DP_DEFAULT_UPCALL_BURST 4096

struct dstr;
struct port;
struct port_config;
struct pmd;
struct tx_ctx;
struct dp_actions;

struct pmd_rxq;

struct dp {
    struct port *ports[DP_MAX_PORTS];
    struct pmd_rxq *rxqs[DP_MAX_PORTS];     /* Each port's n_rxq queues. */
    struct pmd *pmds[DP_MAX_PMDS];
    unsigned int n_pmds;
    unsigned int pmd_idle_sleep_us;
    bool hold_rxqs;                 /* Ports added now are not polled. */
    uint32_t next_port_no;          /* Where the search for a free one
                                     * starts. */

    /* Tunables (dpif-netdev/set-* commands). */
    unsigned int flow_limit;        /* Megaflows per PMD. */
    unsigned int max_idle_ms;       /* Megaflow idle expiry. */
    unsigned int emc_insert_inv_prob;
    uint64_t upcall_rate;           /* Per PMD per second; 0: no limit. */
    uint64_t upcall_burst;
    struct tx_ctx *control_tx;      /* The control thread's tx context. */
    struct dp_zombie_pool *zombies; /* Mempools waiting for their mbufs. */
};

/* Creates the datapath and starts a PMD thread on each core of
 * 'pmd_mask'.  Returns NULL with a message in 'err' on failure. */
struct dp *dp_create(uint64_t pmd_mask, unsigned int idle_sleep_us,
                     struct dstr *err);
void dp_destroy(struct dp *);

/* Number of threads that send: the control thread and every PMD. */
static inline unsigned int
dp_n_tx_threads(const struct dp *dp)
{
    return dp->n_pmds + 1;
}

/* Adds a port and assigns its rx queues to PMDs.  Returns its port number
 * or a negative errno with a message in 'err'. */
int dp_port_add(struct dp *, const struct port_config *, struct dstr *err);
/* Removes a port: its queues stop being polled, outputs to it become
 * drops, buffered packets are freed, then the device is closed. */
int dp_port_del(struct dp *, const char *name, struct dstr *err);
struct port *dp_port_by_name(struct dp *, const char *name);
const char *dp_port_name(uint32_t port_no, void *dp);

/* Frees mempools of removed ports whose mbufs have all come back.  Call
 * now and then (the daemon does every second). */
void dp_reap_mempools(struct dp *);

/* While held, new ports' rx queues are not polled; releasing assigns
 * them.  Start-up holds until all configured ports have their outputs, so
 * a finite pcap is not read before its packets have somewhere to go. */
void dp_hold_rxqs(struct dp *, bool hold);

/* Re-assigns every rx queue to PMDs by measured processing cycles.
 * Returns the number of queues that moved, or a negative errno. */
int dp_rxq_rebalance(struct dp *);

/* Waits until every PMD has applied all commands sent so far.  Returns 0
 * or -ETIMEDOUT. */
int dp_sync(struct dp *);

/* Text for the control-socket commands. */
void dp_format_ports(struct dp *, struct dstr *);
void dp_format_pmd_stats(struct dp *, struct dstr *);
void dp_format_pmd_perf(struct dp *, struct dstr *);
void dp_clear_pmd_stats(struct dp *);
void dp_format_rxqs(struct dp *, struct dstr *);

#endif
