/* bridge_status: Interface status columns from the datapath. */
#include "src/bridge_status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pmd/dp.h"
#include "pmd/port.h"

static json_t *
empty_set(void)
{
    return json_pack("[s[]]", "set");
}

static json_t *
stat_map(const struct port_status *st)
{
    json_t *map = json_pack(
        "[s[[sI][sI][sI][sI][sI][sI][sI][sI]]]", "map",
        "rx_bytes", (json_int_t) st->stats.rx_bytes,
        "rx_dropped", (json_int_t) (st->stats.rx_dropped + st->stats.rx_missed
                                    + st->stats.rx_nombuf),
        "rx_errors", (json_int_t) st->stats.rx_errors,
        "rx_packets", (json_int_t) st->stats.rx_packets,
        "tx_bytes", (json_int_t) st->stats.tx_bytes,
        "tx_dropped", (json_int_t) st->stats.tx_dropped,
        "tx_errors", (json_int_t) st->stats.tx_errors,
        "tx_packets", (json_int_t) st->stats.tx_packets);
    if (st->vhost_socket[0]) {
        /* Open vSwitch's name for the retries of vhost-user ports. */
        json_array_append_new(json_array_get(map, 1),
                              json_pack("[sI]", "ovs_tx_retries",
                                        (json_int_t) st->stats.tx_retries));
    }
    return map;
}

static void __attribute__((format(printf, 3, 4)))
add_pair(json_t *pairs, const char *key, const char *fmt, ...)
{
    char value[256];
    va_list args;
    va_start(args, fmt);
    vsnprintf(value, sizeof value, fmt, args);
    va_end(args);
    json_array_append_new(pairs, json_pack("[ss]", key, value));
}

/* What Open vSwitch shows of a vhost-user port: its socket, mode, and
 * the guest's features, vrings and NUMA node once one is attached. */
static void
add_vhost_status(json_t *pairs, const struct port_status *st)
{
    const struct vhost_status *v = &st->vhost;
    add_pair(pairs, "socket", "%s", st->vhost_socket);
    add_pair(pairs, "mode", "%s", st->vhost_client ? "client" : "server");
    add_pair(pairs, "status", "%s",
             v->connected ? "connected" : "disconnected");
    if (!v->connected) {
        return;
    }
    add_pair(pairs, "features", "0x%016llx",
             (unsigned long long) v->features);
    add_pair(pairs, "num_of_vrings", "%u", v->n_vrings);
    add_pair(pairs, "numa", "%d", v->numa);
    for (unsigned int i = 0; i < v->n_vrings; i++) {
        char key[32];
        snprintf(key, sizeof key, "vring_%u_size", i);
        add_pair(pairs, key, "%u", v->vring_size[i]);
    }
}

json_t *
bridge_status_iface(struct dp *dp, uint32_t port_no, bool *link_up)
{
    struct port_status st;
    char mac[32];

    if (dp_port_status(dp, port_no, &st)) {
        *link_up = false;
        return bridge_status_no_device(NULL, -1);
    }
    *link_up = st.link_up;
    snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x",
             st.mac[0], st.mac[1], st.mac[2], st.mac[3], st.mac[4],
             st.mac[5]);
    /* A string map: numbers as strings. */
    json_t *pairs = json_array();
    add_pair(pairs, "driver_name", "%s", st.driver);
    add_pair(pairs, "n_rxq", "%u", st.n_rxq);
    add_pair(pairs, "n_txq", "%u", st.n_txq);
    add_pair(pairs, "port_no", "%u", port_no);
    if (st.vhost_socket[0]) {
        add_vhost_status(pairs, &st);
    }
    json_t *status = json_pack("[so]", "map", pairs);
    return json_pack("{ss ss sI sI ss sI ss so so}",
                     "admin_state", st.admin_up ? "up" : "down",
                     "link_state", st.link_up ? "up" : "down",
                     "link_speed", (json_int_t) st.speed_mbps * 1000000,
                     "link_resets", (json_int_t) st.link_resets,
                     "duplex", st.full_duplex ? "full" : "half",
                     "mtu", (json_int_t) st.mtu,
                     "mac_in_use", mac,
                     "statistics", stat_map(&st),
                     "status", status);
}

json_t *
bridge_status_no_device(const char *error, int64_t ofport)
{
    return json_pack("{so so so so so so so so so sI so}",
                     "admin_state", empty_set(), "link_state", empty_set(),
                     "link_speed", empty_set(), "link_resets", empty_set(),
                     "duplex", empty_set(), "mtu", empty_set(),
                     "mac_in_use", empty_set(),
                     "statistics", json_pack("[s[]]", "map"),
                     "status", json_pack("[s[]]", "map"),
                     "ofport", (json_int_t) ofport,
                     "error", error ? json_string(error) : empty_set());
}
