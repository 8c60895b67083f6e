/* vhost_status: a vhost-user guest's negotiated state from rte_vhost. */
#include "pmd/vhost_status.h"

#include <string.h>

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
