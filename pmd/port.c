/* port: DPDK ethdev set-up, counters and tear-down. */
#include "pmd/port.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "pmd/devres.h"
#include "pmd/packet.h"
#include "src/util/dstr.h"
#include "src/util/scan.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(port);

#define PORT_DEFAULT_DESC 1024
#define PORT_MEMPOOL_CACHE 256
#define PORT_MIN_MBUFS 8192

static int
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    uint32_t v;
    if (scan_u32(s, 10, max, &v) || v < min) {
        return -EINVAL;
    }
    *out = v;
    return 0;
}

int
port_config_parse_option(struct port_config *cfg, const char *word,
                         struct dstr *err)
{
    static const struct {
        const char *key;
        uint32_t min, max;
    } keys[] = {
        { "n_rxq", 1, 64 },
        { "n_rxq_desc", 32, 16384 },
        { "n_txq_desc", 32, 16384 },
        { "mtu", 68, 9702 },
        { "n_mbuf", 1024, 1u << 26 },
        { "mbuf_size", PORT_MBUF_SIZE_MIN, UINT16_MAX },
        { "tx_retries", 0, PORT_TX_RETRIES_MAX },
    };
    const char *eq = strchr(word, '=');
    size_t klen = eq ? (size_t) (eq - word) : 0;
    for (size_t i = 0; eq && i < sizeof keys / sizeof keys[0]; i++) {
        if (strlen(keys[i].key) != klen || strncmp(word, keys[i].key, klen)) {
            continue;
        }
        uint32_t v;
        if (parse_u32(eq + 1, keys[i].min, keys[i].max, &v)) {
            dstr_printf(err, "%s: value must be a number from %u to %u",
                        word, keys[i].min, keys[i].max);
            return -EINVAL;
        }
        switch (i) {
        case 0: cfg->n_rxq = (uint16_t) v; break;
        case 1: cfg->n_rxq_desc = (uint16_t) v; break;
        case 2: cfg->n_txq_desc = (uint16_t) v; break;
        case 3: cfg->mtu = (uint16_t) v; break;
        case 4: cfg->n_mbuf = v; break;
        case 5: cfg->mbuf_size = (uint16_t) v; break;
        default: cfg->tx_retries = (uint16_t) v; break;
        }
        return 0;
    }
    dstr_printf(err, "%s: unknown port option (known: n_rxq, n_rxq_desc, "
                "n_txq_desc, mtu, n_mbuf, mbuf_size, tx_retries)", word);
    return -EINVAL;
}

/* The device name is what precedes the first comma of the devargs. */
static void
devargs_dev_name(const char *devargs, char *name, size_t size)
{
    size_t n = strcspn(devargs, ",");
    if (n >= size) {
        n = size - 1;
    }
    memcpy(name, devargs, n);
    name[n] = '\0';
}

/* Finds or probes the ethdev for 'devargs'. */
static int
port_attach(const char *devargs, uint16_t *port_id, bool *hotplugged,
            struct devres *res, struct dstr *err)
{
    char dev_name[RTE_ETH_NAME_MAX_LEN];

    devargs_dev_name(devargs, dev_name, sizeof dev_name);
    if (!rte_eth_dev_get_port_by_name(dev_name, port_id)) {
        /* Already probed (e.g. a PCI NIC EAL found): use it as it is,
         * unless the devargs carry arguments we would silently ignore. */
        if (strchr(devargs, ',')) {
            dstr_printf(err, "device %s already exists; its arguments "
                        "cannot change", dev_name);
            return -EEXIST;
        }
        *hotplugged = false;
        return 0;
    }
    int error = devres_probe(devargs, res);
    if (error < 0) {
        dstr_printf(err, "cannot probe \"%s\": %s", devargs,
                    rte_strerror(-error));
        return error;
    }
    if (rte_eth_dev_get_port_by_name(dev_name, port_id)) {
        /* Probed, but under another name: a bus-qualified PCI address
         * such as "pci:0000:01:00.0" or an alias.  Look it up by device. */
        uint16_t id;
        bool found = false;
        RTE_ETH_FOREACH_DEV(id) {
            struct rte_eth_dev_info info;
            if (!rte_eth_dev_info_get(id, &info) && info.device
                && strstr(dev_name, rte_dev_name(info.device))) {
                *port_id = id;
                found = true;
                break;
            }
        }
        if (!found) {
            dstr_printf(err, "\"%s\" was probed but no ethdev appeared",
                        devargs);
            rte_eal_hotplug_remove("vdev", dev_name);  /* Best effort. */
            devres_after_remove(res, dev_name);
            return -ENODEV;
        }
    }
    *hotplugged = true;
    return 0;
}

/* Closes a stopped device and, if we probed it, removes it and frees
 * what its driver left of what 'res' recorded. */
static void
port_detach(uint16_t port_id, bool hotplugged, struct devres *res)
{
    struct rte_eth_dev_info info;
    struct rte_device *dev = NULL;
    char name[RTE_ETH_NAME_MAX_LEN] = "";

    if (!rte_eth_dev_info_get(port_id, &info)) {
        dev = info.device;
    }
    rte_eth_dev_get_name_by_port(port_id, name);
    devres_before_close(port_id);
    rte_eth_dev_close(port_id);
    if (hotplugged && dev) {
        int error = rte_dev_remove(dev);
        if (error) {
            VLOG_WARN("cannot detach device of port %u: %s", port_id,
                      rte_strerror(-error));
            return;     /* Its rings may still be in use. */
        }
    }
    devres_after_remove(res, name);
}

/* Whether ethdev 'port_id' is a vhost-user port (net_vhost). */
static bool
port_id_is_vhost(uint16_t port_id)
{
    struct rte_eth_dev_info info;
    return !rte_eth_dev_info_get(port_id, &info) && info.driver_name
           && !strcmp(info.driver_name, "net_vhost");
}

/* Starts following the guest's queues of a vhost-user port. */
static int
port_vhost_start(struct port *port, struct dstr *err)
{
    if (!port_id_is_vhost(port->port_id)) {
        return 0;
    }
    if (!port->vhost) {
        port->vhost = calloc(1, sizeof *port->vhost);
        if (!port->vhost) {
            dstr_put(err, "out of memory");
            return -ENOMEM;
        }
    }
    int error = vhost_queues_start(port->vhost, port->port_id);
    if (error) {
        dstr_printf(err, "cannot follow the guest's queues: %s",
                    rte_strerror(-error));
        free(port->vhost);
        port->vhost = NULL;
    }
    return error;
}

static void
port_vhost_stop(struct port *port)
{
    if (port->vhost) {
        vhost_queues_stop(port->vhost);
    }
}

bool
port_rxq_wanted(const struct port *port, uint16_t q)
{
    return !port->vhost || (q < 64 && ((port->rxq_enabled >> q) & 1));
}

/* The data room of the mbufs a port uses with 'cfg' and MTU 'mtu'. */
static uint32_t
port_data_room(const struct port_config *cfg, uint16_t mtu)
{
    if (cfg->mbuf_size) {
        return cfg->mbuf_size - RTE_PKTMBUF_HEADROOM;
    }
    return RTE_MAX((uint32_t) mtu + 26, (uint32_t) 2048);
}

static struct rte_mempool *
port_create_mempool(const struct port_config *cfg, uint32_t port_no,
                    uint16_t n_rxq, uint16_t n_txq, uint16_t rxd,
                    uint16_t txd, int socket, uint16_t mtu, bool vhost,
                    struct dstr *err)
{
    static unsigned int generation;
    char name[RTE_MEMPOOL_NAMESIZE];
    uint32_t n = cfg->n_mbuf;
    uint32_t room = cfg->mbuf_size;

    if (vhost) {
        /* rte_vhost copies: its rx queues hold no buffers (a burst at a
         * time) and its tx queues none (it copies into the guest's). */
        rxd = 64;
        txd = 0;
    }
    if (!n) {
        /* Every rx descriptor holds a buffer; packets of this port also
         * wait in other ports' tx rings and in the threads' buffers. */
        n = (uint32_t) n_rxq * rxd + (uint32_t) n_txq * txd * 2
            + PORT_MEMPOOL_CACHE * 8 + 2048;
        if (n < PORT_MIN_MBUFS) {
            n = PORT_MIN_MBUFS;
        }
    }
    if (!room) {
        room = RTE_PKTMBUF_HEADROOM + port_data_room(cfg, mtu);
    }
    snprintf(name, sizeof name, "sl_p%u_%u", port_no, generation++);
    struct rte_mempool *mp = rte_pktmbuf_pool_create(
        name, n, PORT_MEMPOOL_CACHE, PACKET_PRIV_SIZE, (uint16_t) room,
        socket);
    if (!mp) {
        dstr_printf(err, "cannot create a mempool of %u mbufs of %u bytes: "
                    "%s", n, room, rte_strerror(rte_errno));
    }
    return mp;
}

/* The effective values of a configuration on a device. */
struct port_params {
    uint16_t n_rxq, n_txq, rxd, txd, mtu;
};

/* Configures and starts a stopped (or never started) device with 'cfg'.
 * Uses 'reuse_mp' as the rx mempool if not NULL, else creates one that
 * becomes port->mp (the previous one is the caller's).  On failure the
 * device is left stopped and '*made' is the pool created, if any, which
 * the device's queues may still point to: the caller frees it once they
 * are gone; '*queues_failed' tells whether setting up a queue failed. */
static int
port_setup(struct port *port, const struct port_config *cfg,
           unsigned int n_tx_threads, struct rte_mempool *reuse_mp,
           struct rte_mempool **made, bool *queues_failed, struct dstr *err)
{
    struct rte_eth_dev_info info;
    struct rte_eth_conf conf;
    uint16_t port_id = port->port_id;
    struct port_params pp;
    int error;

    *made = NULL;
    *queues_failed = false;
    error = rte_eth_dev_info_get(port_id, &info);
    if (error) {
        dstr_printf(err, "cannot get device info: %s", rte_strerror(-error));
        return error;
    }
    pp.n_rxq = cfg->n_rxq ? cfg->n_rxq : 1;
    if (pp.n_rxq > info.max_rx_queues) {
        dstr_printf(err, "n_rxq=%u: device supports at most %u rx queues",
                    pp.n_rxq, info.max_rx_queues);
        return -EINVAL;
    }
    pp.n_txq = (uint16_t) RTE_MIN(n_tx_threads,
                                  (unsigned int) info.max_tx_queues);
    if (port->vhost) {
        /* Every queue the device has: the tx map sends each thread to
         * one the guest reads, whichever those are. */
        pp.n_txq = (uint16_t) RTE_MIN(info.max_tx_queues,
                                      VHOST_QUEUES_MAX);
    }
    if (!pp.n_txq) {
        dstr_put(err, "device has no tx queue");
        return -EINVAL;
    }

    memset(&conf, 0, sizeof conf);
    if (pp.n_rxq > 1) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf =
            (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP)
            & info.flow_type_rss_offloads;
    }
    error = rte_eth_dev_configure(port_id, pp.n_rxq, pp.n_txq, &conf);
    if (error && pp.n_txq > pp.n_rxq) {
        /* Some drivers (net_tap) want as many tx as rx queues: the
         * threads then share the tx queues. */
        VLOG_INFO("%s: %u tx queues refused, using %u", port->name,
                  pp.n_txq, pp.n_rxq);
        pp.n_txq = pp.n_rxq;
        error = rte_eth_dev_configure(port_id, pp.n_rxq, pp.n_txq, &conf);
    }
    if (error) {
        dstr_printf(err, "cannot configure %u rx and %u tx queues: %s",
                    pp.n_rxq, pp.n_txq, rte_strerror(-error));
        return error;
    }
    pp.mtu = 1500;
    rte_eth_dev_get_mtu(port_id, &pp.mtu);
    if (cfg->mtu) {
        error = rte_eth_dev_set_mtu(port_id, cfg->mtu);
        if (error == -ENOTSUP && port->vhost) {
            /* The guest's buffers take any frame: the MTU is what tx
             * lets through (max_frame). */
            error = 0;
        }
        if (error) {
            dstr_printf(err, "cannot set MTU %u: %s", cfg->mtu,
                        rte_strerror(-error));
            return error;
        }
        pp.mtu = cfg->mtu;
    }

    pp.rxd = cfg->n_rxq_desc ? cfg->n_rxq_desc : PORT_DEFAULT_DESC;
    pp.txd = cfg->n_txq_desc ? cfg->n_txq_desc : PORT_DEFAULT_DESC;
    error = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &pp.rxd, &pp.txd);
    if (error) {
        dstr_printf(err, "bad descriptor counts: %s", rte_strerror(-error));
        return error;
    }
    struct rte_mempool *mp = reuse_mp;
    if (!mp) {
        mp = port_create_mempool(cfg, port->port_no, pp.n_rxq, pp.n_txq,
                                 pp.rxd, pp.txd, port->socket_id, pp.mtu,
                                 port->vhost != NULL, err);
        if (!mp) {
            return -ENOMEM;
        }
        *made = mp;
    }
    for (uint16_t q = 0; q < pp.n_rxq; q++) {
        error = rte_eth_rx_queue_setup(port_id, q, pp.rxd, port->socket_id,
                                       NULL, mp);
        if (error) {
            dstr_printf(err, "cannot set up rx queue %u (%u descriptors): "
                        "%s", q, pp.rxd, rte_strerror(-error));
            *queues_failed = true;
            goto fail;
        }
    }
    for (uint16_t q = 0; q < pp.n_txq; q++) {
        error = rte_eth_tx_queue_setup(port_id, q, pp.txd, port->socket_id,
                                       NULL);
        if (error) {
            dstr_printf(err, "cannot set up tx queue %u (%u descriptors): "
                        "%s", q, pp.txd, rte_strerror(-error));
            *queues_failed = true;
            goto fail;
        }
    }
    rte_spinlock_t *locks = calloc(pp.n_txq, sizeof *locks);
    int16_t *map = port->vhost ? calloc(pp.n_txq, sizeof *map) : NULL;
    if (!locks || (port->vhost && !map)) {
        free(locks);
        free(map);
        error = -ENOMEM;
        dstr_put(err, "out of memory");
        goto fail;
    }
    for (uint16_t q = 0; q < pp.n_txq; q++) {
        rte_spinlock_init(&locks[q]);
    }
    error = rte_eth_dev_start(port_id);
    if (error) {
        dstr_printf(err, "cannot start device: %s", rte_strerror(-error));
        free(locks);
        free(map);
        goto fail;
    }
    rte_eth_promiscuous_enable(port_id);    /* Not all devices can. */

    free(port->txq_locks);
    port->txq_locks = locks;
    port->txq_shared = pp.n_txq < n_tx_threads;
    free(port->txq_map);
    port->txq_map = map;
    port->max_frame = 0;
    if (port->vhost) {
        /* The guest's queues as they are now; later changes come through
         * dp_poll_vhost(). */
        uint64_t tx_on;
        port->vhost_gen = vhost_queues_read(port->vhost, &port->rxq_enabled,
                                            &tx_on);
        vhost_txq_map(tx_on, pp.n_txq, map);
        port->max_frame = (uint32_t) pp.mtu + RTE_ETHER_HDR_LEN
                          + RTE_ETHER_CRC_LEN;
    }
    port->mp = mp;
    port->n_rxq = pp.n_rxq;
    port->n_txq = pp.n_txq;
    port->n_rxq_desc = pp.rxd;
    port->n_txq_desc = pp.txd;
    port->mtu = pp.mtu;
    port->cfg = *cfg;
    port->tx_retries = cfg->tx_retries;
    port->cfg.name = NULL;
    port->cfg.devargs = NULL;
    port->failed = false;
    free(port->error);
    port->error = NULL;
    return 0;

fail:
    return error < 0 ? error : -EINVAL;
}

int
port_open(const struct port_config *cfg, uint32_t port_no,
          unsigned int n_tx_threads, struct port **portp, struct dstr *err)
{
    uint16_t port_id;
    bool hotplugged;
    struct port *port = NULL;
    struct rte_mempool *made = NULL;
    struct devres res = { 0 };
    int error;

    *portp = NULL;
    if (!cfg->name[0] || strlen(cfg->name) >= PORT_NAME_MAX) {
        dstr_printf(err, "port name must have 1 to %d characters",
                    PORT_NAME_MAX - 1);
        return -EINVAL;
    }
    error = devres_check_devargs(cfg->devargs,
                                 port_data_room(cfg, cfg->mtu ? cfg->mtu
                                                              : 1500),
                                 err);
    if (error) {
        return error;
    }
    error = port_attach(cfg->devargs, &port_id, &hotplugged, &res, err);
    if (error) {
        return error;
    }
    port = calloc(1, sizeof *port);
    if (!port) {
        error = -ENOMEM;
        dstr_put(err, "out of memory");
        goto fail;
    }
    snprintf(port->name, sizeof port->name, "%s", cfg->name);
    port->devargs = strdup(cfg->devargs);
    port->port_no = port_no;
    port->port_id = port_id;
    port->hotplugged = hotplugged;
    port->res = res;
    res = (struct devres) { 0 };
    port->socket_id = rte_eth_dev_socket_id(port_id);
    if (port->socket_id < 0) {
        port->socket_id = 0;
    }
    error = port_vhost_start(port, err);
    if (error) {
        goto fail;
    }
    bool queues_failed;
    error = port_setup(port, cfg, n_tx_threads, NULL, &made, &queues_failed,
                       err);
    if (error) {
        goto fail;
    }
    port_poll_link(port);
    port->link_resets = 0;      /* Coming up is not a reset. */
    *portp = port;
    VLOG_INFO("port %u: %s (%s) up: ethdev %u, %u rxq, %u txq%s, mtu %u",
              port_no, port->name, cfg->devargs, port_id, port->n_rxq,
              port->n_txq, port->txq_shared ? " (shared)" : "", port->mtu);
    return 0;

fail:
    if (port) {
        port_vhost_stop(port);
        free(port->vhost);
    }
    port_detach(port_id, hotplugged, port ? &port->res : &res);
    rte_mempool_free(made);     /* The device's queues are gone. */
    if (port) {
        free(port->txq_map);
        free(port->txq_locks);
        free(port->devargs);
        free(port);
    }
    return error < 0 ? error : -EINVAL;
}

bool
port_config_differs(const struct port *port, const struct port_config *cfg)
{
    return (cfg->n_rxq ? cfg->n_rxq : 1) != port->n_rxq
           || cfg->n_rxq_desc != port->cfg.n_rxq_desc
           || cfg->n_txq_desc != port->cfg.n_txq_desc
           || cfg->mtu != port->cfg.mtu
           || cfg->n_mbuf != port->cfg.n_mbuf
           || cfg->mbuf_size != port->cfg.mbuf_size
           || port->failed;
}

/* Refuses what the device cannot do before anything is touched. */
static int
port_check_config(const struct port *port, const struct port_config *cfg,
                  struct dstr *err)
{
    struct rte_eth_dev_info info;
    int error = rte_eth_dev_info_get(port->port_id, &info);
    if (error) {
        dstr_printf(err, "cannot get device info: %s", rte_strerror(-error));
        return error;
    }
    uint16_t n_rxq = cfg->n_rxq ? cfg->n_rxq : 1;
    if (n_rxq > info.max_rx_queues) {
        dstr_printf(err, "n_rxq=%u: device supports at most %u rx queues",
                    n_rxq, info.max_rx_queues);
        return -EINVAL;
    }
    if (cfg->mtu && (cfg->mtu < info.min_mtu || cfg->mtu > info.max_mtu)) {
        dstr_printf(err, "mtu=%u: device supports %u to %u", cfg->mtu,
                    info.min_mtu, info.max_mtu);
        return -EINVAL;
    }
    return devres_check_devargs(port->devargs,
                                port_data_room(cfg, cfg->mtu ? cfg->mtu
                                                             : port->mtu),
                                err);
}

/* Closes the device and probes it again from its devargs (some drivers,
 * e.g. net_pcap replaying a file, cannot set up queues again once
 * stopped).  Its counters restart from 0. */
static int
port_reopen(struct port *port, struct dstr *err)
{
    uint16_t port_id;
    bool hotplugged;

    port_vhost_stop(port);
    port_detach(port->port_id, port->hotplugged, &port->res);
    /* Until probed again the id is no device of ours (it may be reused). */
    port->port_id = RTE_MAX_ETHPORTS;
    int error = port_attach(port->devargs, &port_id, &hotplugged,
                            &port->res, err);
    if (error) {
        return error;
    }
    VLOG_INFO("port %u: %s: device re-opened (ethdev %u)", port->port_no,
              port->name, port_id);
    port->port_id = port_id;
    port->hotplugged = hotplugged;
    return port->vhost ? port_vhost_start(port, err) : 0;
}

static bool
port_has_device(const struct port *port)
{
    return port->port_id != RTE_MAX_ETHPORTS;
}

static void
port_add_garbage(struct rte_mempool *mp, struct rte_mempool **garbage,
                 unsigned int *n)
{
    if (mp && *n < PORT_MAX_GARBAGE) {
        garbage[(*n)++] = mp;
    }
}

/* Sets up the device with 'cfg', re-opening it once if we own it and the
 * driver could not set up its queues again (only then: some drivers,
 * e.g. net_ring, cannot even be closed with queues configured but not
 * set up).  Pools made by failed attempts go to 'garbage'. */
static int
port_setup_or_reopen(struct port *port, const struct port_config *cfg,
                     unsigned int n_tx_threads, struct rte_mempool *reuse,
                     struct rte_mempool **garbage, unsigned int *n_garbage,
                     struct dstr *err)
{
    struct rte_mempool *made;
    bool queues_failed;
    if (!port_has_device(port)) {
        /* Lost by an earlier failure: probe it again first. */
        int error = port_reopen(port, err);
        if (error) {
            return error;
        }
    }
    int error = port_setup(port, cfg, n_tx_threads, reuse, &made,
                           &queues_failed, err);
    if (error) {
        port_add_garbage(made, garbage, n_garbage);
    }
    if (error && queues_failed && port->hotplugged) {
        VLOG_INFO("port %u: %s: %s; re-opening the device", port->port_no,
                  port->name, dstr_cstr(err));
        rte_eth_dev_stop(port->port_id);
        struct dstr msg = DSTR_INIT;
        if (!port_reopen(port, &msg)) {
            dstr_clear(err);
            error = port_setup(port, cfg, n_tx_threads, reuse, &made,
                               &queues_failed, err);
            if (error) {
                port_add_garbage(made, garbage, n_garbage);
            }
        } else {
            dstr_printf(err, "; cannot re-open the device: %s",
                        dstr_cstr(&msg));
        }
        dstr_free(&msg);
    }
    return error;
}

int
port_reconfigure(struct port *port, const struct port_config *cfg,
                 unsigned int n_tx_threads, struct rte_mempool **garbage,
                 unsigned int *n_garbage, struct dstr *err)
{
    struct port_config old = port->cfg;
    struct rte_mempool *mp = port->mp;
    int error;

    *n_garbage = 0;
    if (!port->failed) {
        error = port_check_config(port, cfg, err);
        if (error) {
            return error;
        }
        /* What a ring device holds would keep the old pool forever. */
        devres_drain_rxqs(port->port_id, port->n_rxq);
        error = rte_eth_dev_stop(port->port_id);
        if (error) {
            dstr_printf(err, "cannot stop device: %s", rte_strerror(-error));
            return error;
        }
    }
    /* Same buffers unless their number or size may have to change. */
    bool same_pool = (cfg->n_rxq ? cfg->n_rxq : 1) <= port->n_rxq
                     && cfg->n_rxq_desc == old.n_rxq_desc
                     && cfg->mtu == old.mtu && cfg->n_mbuf == old.n_mbuf
                     && cfg->mbuf_size == old.mbuf_size && !port->failed;
    error = port_setup_or_reopen(port, cfg, n_tx_threads,
                                 same_pool ? mp : NULL, garbage, n_garbage,
                                 err);
    if (!error) {
        if (port->mp != mp) {
            port_add_garbage(mp, garbage, n_garbage);
        }
        VLOG_INFO("port %u: %s reconfigured: %u rxq (%u desc), %u txq%s "
                  "(%u desc), mtu %u", port->port_no, port->name,
                  port->n_rxq, port->n_rxq_desc, port->n_txq,
                  port->txq_shared ? " (shared)" : "", port->n_txq_desc,
                  port->mtu);
        return 0;
    }
    VLOG_WARN("port %u: %s: reconfiguration failed (%s), restoring",
              port->port_no, port->name, dstr_cstr(err));
    rte_eth_dev_stop(port->port_id);
    struct dstr err2 = DSTR_INIT;
    if (port_setup_or_reopen(port, &old, n_tx_threads, mp, garbage,
                             n_garbage, &err2)) {
        port->failed = true;
        free(port->error);
        port->error = strdup(dstr_cstr(err));
        dstr_printf(err, "; restoring the previous configuration failed "
                    "too (%s): the port is down", dstr_cstr(&err2));
        VLOG_ERR("port %u: %s is down: %s", port->port_no, port->name,
                 dstr_cstr(&err2));
    }
    dstr_free(&err2);
    return error;
}

int
port_set_admin(struct port *port, bool up, struct dstr *err)
{
    int error = !port_has_device(port) ? 0
                : up ? rte_eth_dev_set_link_up(port->port_id)
                : rte_eth_dev_set_link_down(port->port_id);
    if (error && error != -ENOTSUP) {
        dstr_printf(err, "cannot set the link of %s %s: %s", port->name,
                    up ? "up" : "down", rte_strerror(-error));
        return error;
    }
    port->admin_down = !up;
    return 0;
}

bool
port_poll_link(struct port *port)
{
    bool up;
    uint32_t speed;

    port_get_link(port, &up, &speed);
    if (up == port->link_up) {
        return false;
    }
    port->link_up = up;
    port->link_resets++;
    VLOG_INFO("port %u: %s: link %s", port->port_no, port->name,
              up ? "up" : "down");
    return true;
}

/* The value of devargs key 'key' ("key=value," in 'devargs'), or NULL. */
static const char *
devargs_value(const char *devargs, const char *key, size_t *len)
{
    size_t klen = strlen(key);
    for (const char *p = strchr(devargs, ','); p; p = strchr(p + 1, ',')) {
        if (!strncmp(p + 1, key, klen) && p[1 + klen] == '=') {
            const char *v = p + 2 + klen;
            *len = strcspn(v, ",");
            return v;
        }
    }
    return NULL;
}

/* A net_vhost port's socket (its "iface"), mode and guest. */
static void
port_vhost_status(const struct port *port, struct port_status *st)
{
    size_t len;
    const char *v = devargs_value(port->devargs, "iface", &len);
    if (v && len < sizeof st->vhost_socket) {
        memcpy(st->vhost_socket, v, len);
        st->vhost_socket[len] = '\0';
    }
    v = devargs_value(port->devargs, "client", &len);
    st->vhost_client = v && len == 1 && *v == '1';
    vhost_status_get(st->vhost_socket, &st->vhost);
}

void
port_get_status(struct port *port, struct port_status *st)
{
    struct rte_eth_dev_info info;
    struct rte_eth_link link;
    struct rte_ether_addr mac;

    memset(st, 0, sizeof *st);
    st->admin_up = !port->admin_down;
    st->failed = port->failed;
    if (port->error) {
        snprintf(st->error, sizeof st->error, "%s", port->error);
    }
    st->mtu = port->mtu;
    st->link_resets = port->link_resets;
    st->n_rxq = port->n_rxq;
    st->n_txq = port->n_txq;
    st->n_rxq_desc = port->n_rxq_desc;
    st->n_txq_desc = port->n_txq_desc;
    st->txq_shared = port->txq_shared;
    if (!port_has_device(port)) {
        return;     /* Lost by a failed reconfiguration. */
    }
    port_poll_link(port);
    memset(&link, 0, sizeof link);
    if (!port->failed) {
        rte_eth_link_get_nowait(port->port_id, &link);
    }
    st->link_up = link.link_status == RTE_ETH_LINK_UP;
    st->speed_mbps = link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN
                     ? 0 : link.link_speed;
    st->full_duplex = link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX;
    st->autoneg = link.link_autoneg == RTE_ETH_LINK_AUTONEG;
    st->link_resets = port->link_resets;
    if (!port->vhost && !rte_eth_dev_get_mtu(port->port_id, &st->mtu)) {
        port->mtu = st->mtu;
    }
    if (!rte_eth_macaddr_get(port->port_id, &mac)) {
        memcpy(st->mac, mac.addr_bytes, sizeof st->mac);
    }
    if (!rte_eth_dev_info_get(port->port_id, &info) && info.driver_name) {
        snprintf(st->driver, sizeof st->driver, "%s", info.driver_name);
    }
    if (!strcmp(st->driver, "net_vhost")) {
        port_vhost_status(port, st);
    }
    port_get_stats(port, &st->stats);
}

void
port_close(struct port *port, struct rte_mempool **mp)
{
    if (port_has_device(port)) {
        /* Mbufs left in the device (a ring keeps what was sent to it)
         * would keep the pool from ever being freed. */
        if (!port->failed) {
            unsigned int n = devres_drain_rxqs(port->port_id, port->n_rxq);
            if (n) {
                VLOG_DBG("port %u: %s: %u packets left in the device "
                         "freed", port->port_no, port->name, n);
            }
        }
        int error = rte_eth_dev_stop(port->port_id);
        if (error) {
            VLOG_WARN("port %s: stop failed: %s", port->name,
                      rte_strerror(-error));
        }
        port_vhost_stop(port);
        port_detach(port->port_id, port->hotplugged, &port->res);
    }
    free(port->res.rings);
    free(port->vhost);
    free(port->txq_map);
    VLOG_INFO("port %u: %s closed", port->port_no, port->name);
    *mp = port->mp;
    free(port->error);
    free(port->txq_locks);
    free(port->devargs);
    free(port);
}

void
port_get_stats(const struct port *port, struct port_stats *s)
{
    struct rte_eth_stats st;
    memset(s, 0, sizeof *s);
    if (rte_eth_stats_get(port->port_id, &st)) {
        return;
    }
    s->rx_packets = st.ipackets;
    s->rx_bytes = st.ibytes;
    s->rx_missed = st.imissed;
    s->rx_errors = st.ierrors;
    s->rx_nombuf = st.rx_nombuf;
    s->rx_dropped = st.imissed + st.rx_nombuf;
    s->tx_packets = st.opackets;
    s->tx_bytes = st.obytes;
    s->tx_errors = st.oerrors;
}

void
port_get_link(const struct port *port, bool *up, uint32_t *speed)
{
    struct rte_eth_link link;
    memset(&link, 0, sizeof link);
    rte_eth_link_get_nowait(port->port_id, &link);
    *up = link.link_status == RTE_ETH_LINK_UP;
    *speed = link.link_speed;
}
