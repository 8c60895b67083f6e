/* vhost_status: a vhost-user guest's negotiated state from rte_vhost. */
#include "pmd/vhost_status.h"

#include <stdlib.h>
#include <string.h>

#include <rte_eth_vhost.h>
#include <rte_vhost.h>

/* rte_vhost numbers its devices from 0 up to its own limit; a device id
 * that is not in use has no interface name. */
#define VHOST_MAX_VID 1024

void
vhost_status_get(const char *socket_path, struct vhost_status *st)
{
    memset(st, 0, sizeof *st);
    st->numa = -1;
    for (int vid = 0; vid < VHOST_MAX_VID; vid++) {
        char name[256];
        if (rte_vhost_get_ifname(vid, name, sizeof name)
            || strcmp(name, socket_path)) {
            continue;
        }
        st->connected = true;
        rte_vhost_get_negotiated_features(vid, &st->features);
        st->numa = rte_vhost_get_numa_node(vid);
        unsigned int n = rte_vhost_get_vring_num(vid);
        if (n > VHOST_STATUS_MAX_VRINGS) {
            n = VHOST_STATUS_MAX_VRINGS;
        }
        st->n_vrings = n;
        for (unsigned int i = 0; i < n; i++) {
            struct rte_vhost_vring vr;
            if (!rte_vhost_get_vhost_vring(vid, (uint16_t) i, &vr)) {
                st->vring_size[i] = vr.size;
            }
        }
        return;
    }
}

/* The counters of vring 'vring' of device 'vid'.  Returns false if it has
 * none (no such vring, statistics off, the guest just left). */
static bool
vring_stats(int vid, uint16_t vring, vhost_stat_cb *fn, void *aux)
{
    int n = rte_vhost_vring_stats_get_names(vid, vring, NULL, 0);
    if (n <= 0) {
        return false;
    }
    struct rte_vhost_stat_name *names = calloc((size_t) n, sizeof *names);
    struct rte_vhost_stat *values = calloc((size_t) n, sizeof *values);
    bool ok = names && values
              && rte_vhost_vring_stats_get_names(vid, vring, names,
                                                 (unsigned int) n) == n
              && rte_vhost_vring_stats_get(vid, vring, values,
                                           (unsigned int) n) == n;
    for (int i = 0; ok && i < n; i++) {
        if (values[i].id < (uint64_t) n) {
            names[values[i].id].name[RTE_VHOST_STATS_NAME_SIZE - 1] = '\0';
            fn(aux, names[values[i].id].name, values[i].value);
        }
    }
    free(names);
    free(values);
    return ok;
}

bool
vhost_stats_foreach(uint16_t port_id, uint16_t n_rxq, uint16_t n_txq,
                    vhost_stat_cb *fn, void *aux)
{
    int vid = rte_eth_vhost_get_vid_from_port_id(port_id);
    if (vid < 0 || rte_vhost_get_vring_num(vid) == 0) {
        return false;
    }
    /* Vring 2q is the guest's rx (our tx queue q), 2q + 1 its tx. */
    for (uint16_t q = 0; q < n_rxq && vring_stats(vid, 2 * q + 1, fn, aux);
         q++) {
        continue;
    }
    for (uint16_t q = 0; q < n_txq && vring_stats(vid, 2 * q, fn, aux);
         q++) {
        continue;
    }
    return true;
}
