/* bridge_status: Interface status columns from the datapath. */
#include "src/bridge_status.h"

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
    return json_pack("[s[[sI][sI][sI][sI][sI][sI][sI][sI]]]", "map",
                     "rx_bytes", (json_int_t) st->stats.rx_bytes,
                     "rx_dropped", (json_int_t) (st->stats.rx_dropped
                                                 + st->stats.rx_missed
                                                 + st->stats.rx_nombuf),
                     "rx_errors", (json_int_t) st->stats.rx_errors,
                     "rx_packets", (json_int_t) st->stats.rx_packets,
                     "tx_bytes", (json_int_t) st->stats.tx_bytes,
                     "tx_dropped", (json_int_t) st->stats.tx_dropped,
                     "tx_errors", (json_int_t) st->stats.tx_errors,
                     "tx_packets", (json_int_t) st->stats.tx_packets);
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
    json_t *status = json_pack("[s[[ss][ss][ss][ss]]]", "map",
                               "driver_name", st.driver,
                               "n_rxq", "", "n_txq", "", "port_no", "");
    /* Numbers as strings (status is a string map). */
    char buf[3][24];
    snprintf(buf[0], sizeof buf[0], "%u", st.n_rxq);
    snprintf(buf[1], sizeof buf[1], "%u", st.n_txq);
    snprintf(buf[2], sizeof buf[2], "%u", port_no);
    json_t *pairs = json_array_get(status, 1);
    for (size_t i = 0; i < 3; i++) {
        json_array_set_new(json_array_get(pairs, i + 1), 1,
                           json_string(buf[i]));
    }
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
