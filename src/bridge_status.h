/* bridge_status: the status columns of an Interface row that is a
 * datapath port - admin_state, link_state, link_speed, duplex, mtu,
 * mac_in_use, statistics, status - as the "row" object of an OVSDB
 * "update" operation, read from the device and the datapath's counters. */
#ifndef SLUICE_BRIDGE_STATUS_H
#define SLUICE_BRIDGE_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct dp;

/* The columns for datapath port 'port_no' (a new reference); '*link_up'
 * gets its link state. */
json_t *bridge_status_iface(struct dp *, uint32_t port_no, bool *link_up);

/* The columns of an Interface that has no device: empty statistics and
 * link state, 'error' (NULL: none), 'ofport'. */
json_t *bridge_status_no_device(const char *error, int64_t ofport);

#endif
