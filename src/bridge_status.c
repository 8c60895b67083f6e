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
    return json_pack(
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
}

/* A vhost-user port's counters summed over its vrings, by the names
 * Open vSwitch gives them in Interface.statistics. */
enum vhost_total {
    VT_PACKETS, VT_BYTES, VT_BROADCAST, VT_MULTICAST, VT_64, VT_127,
    VT_255, VT_511, VT_1023, VT_1522, VT_MAX, N_VT
};
/* rte_vhost's per-vring counter (after "rx_qN_") for each total; the
 * undersize counter also goes to the smallest bin, as in Open vSwitch. */
static const char *const vt_vring[N_VT] = {
    "good_packets", "good_bytes", "broadcast_packets", "multicast_packets",
    "size_64_packets", "size_65_127_packets", "size_128_255_packets",
    "size_256_511_packets", "size_512_1023_packets",
    "size_1024_1518_packets", "size_1519_max_packets",
};
static const char *const vt_name[2][N_VT] = {
    { "rx_packets", "rx_bytes", "rx_broadcast_packets",
      "rx_multicast_packets", "rx_1_to_64_packets", "rx_65_to_127_packets",
      "rx_128_to_255_packets", "rx_256_to_511_packets",
      "rx_512_to_1023_packets", "rx_1024_to_1522_packets",
      "rx_1523_to_max_packets" },
    { "tx_packets", "tx_bytes", "tx_broadcast_packets",
      "tx_multicast_packets", "tx_1_to_64_packets", "tx_65_to_127_packets",
      "tx_128_to_255_packets", "tx_256_to_511_packets",
      "tx_512_to_1023_packets", "tx_1024_to_1522_packets",
      "tx_1523_to_max_packets" },
};

struct vhost_stat_acc {
    json_t *pairs;
    uint64_t totals[2][N_VT];
};

static void
add_vhost_stat(void *acc_, const char *name, uint64_t value)
{
    struct vhost_stat_acc *acc = acc_;
    json_array_append_new(acc->pairs,
                          json_pack("[sI]", name, (json_int_t) value));
    int dir = !strncmp(name, "tx_", 3);
    const char *rest = strchr(name + 3, '_');     /* After "rx_qN". */
    if (!rest) {
        return;
    }
    rest++;
    if (!strcmp(rest, "undersize_packets")) {
        acc->totals[dir][VT_64] += value;
        return;
    }
    for (int i = 0; i < N_VT; i++) {
        if (!strcmp(rest, vt_vring[i])) {
            acc->totals[dir][i] += value;
        }
    }
}

/* Interface.statistics of a vhost-user port as Open vSwitch 3.1 writes
 * it: its own drop and retry counters always; with a guest attached also
 * rte_vhost's counters of every vring and their sums (packets, bytes,
 * broadcast, multicast, size bins) and the drops.  (QoS and hardware
 * offloads do not exist in Sluice: those drops are always 0.) */
static json_t *
vhost_stat_map(const struct port *port, const struct port_status *st)
{
    struct vhost_stat_acc acc = { .pairs = json_array() };
    const struct { const char *name; uint64_t value; } own[] = {
        { "ovs_rx_qos_drops", 0 },
        { "ovs_tx_failure_drops", st->stats.tx_failure_drops },
        { "ovs_tx_invalid_hwol_drops", 0 },
        { "ovs_tx_mtu_exceeded_drops", st->stats.tx_mtu_drops },
        { "ovs_tx_qos_drops", 0 },
        { "ovs_tx_retries", st->stats.tx_retries },
    };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        json_array_append_new(acc.pairs, json_pack("[sI]", own[i].name,
                                                   (json_int_t) own[i].value));
    }
    if (port && vhost_stats_foreach(port->port_id, port->n_rxq, port->n_txq,
                                    add_vhost_stat, &acc)) {
        for (int dir = 0; dir < 2; dir++) {
            for (int i = 0; i < N_VT; i++) {
                json_array_append_new(acc.pairs, json_pack(
                    "[sI]", vt_name[dir][i],
                    (json_int_t) acc.totals[dir][i]));
            }
        }
        json_array_append_new(acc.pairs, json_pack(
            "[sI]", "rx_dropped", (json_int_t) (st->stats.rx_dropped
                                                + st->stats.rx_missed
                                                + st->stats.rx_nombuf)));
        json_array_append_new(acc.pairs, json_pack(
            "[sI]", "tx_dropped", (json_int_t) st->stats.tx_dropped));
    }
    return json_pack("[so]", "map", acc.pairs);
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

/* What Open vSwitch shows of a vhost-user port: its mode and whether a
 * guest is attached; then the socket and the guest's features, vrings and
 * NUMA node. */
static void
add_vhost_status(json_t *pairs, const struct port_status *st)
{
    const struct vhost_status *v = &st->vhost;
    add_pair(pairs, "mode", "%s", st->vhost_client ? "client" : "server");
    add_pair(pairs, "status", "%s",
             v->connected ? "connected" : "disconnected");
    if (!v->connected) {
        return;     /* Open vSwitch shows the socket of a guest only. */
    }
    add_pair(pairs, "socket", "%s", st->vhost_socket);
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
    if (st.vhost_socket[0]) {
        /* Only these, as Open vSwitch (dpctl/show has the rest). */
        add_vhost_status(pairs, &st);
    } else {
        add_pair(pairs, "driver_name", "%s", st.driver);
        add_pair(pairs, "n_rxq", "%u", st.n_rxq);
        add_pair(pairs, "n_txq", "%u", st.n_txq);
        add_pair(pairs, "port_no", "%u", port_no);
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
                     "statistics", st.vhost_socket[0]
                                   ? vhost_stat_map(dp_port(dp, port_no), &st)
                                   : stat_map(&st),
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
