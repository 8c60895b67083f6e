/* mac_learning: one bridge's MAC learning table, the forwarding database
 * NORMAL reads - (VLAN, MAC) -> datapath port, with when each entry was
 * last seen.
 *
 * As Open vSwitch's: entries not seen for the aging time go (default
 * 300 s, forced into 15..3600 s); the table holds at most its size
 * (default 8,192, forced into 10..1,000,000) and, full, makes room for a
 * new entry by evicting the least recently seen entry of the port that
 * has the most; a MAC seen on another port moves there; the counters are
 * those of ovs-appctl fdb/stats-show.  Entries are kept from the least to
 * the most recently seen (fdb/show's order).  Control thread only; times
 * are the loop's milliseconds. */
#ifndef SLUICE_MAC_LEARNING_H
#define SLUICE_MAC_LEARNING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmd/dp.h"
#include "src/util/hmap.h"

#define MAC_LEARNING_AGING_DEFAULT 300      /* Seconds. */
#define MAC_LEARNING_SIZE_DEFAULT 8192
#define MAC_LEARNING_NO_PORT UINT32_MAX
/* Ports are datapath port numbers. */
#define MAC_LEARNING_MAX_PORTS DP_MAX_PORTS

struct mac_list {
    struct mac_list *prev, *next;
};

struct mac_entry {
    uint16_t vlan;
    uint8_t mac[6];
    uint32_t port;
    uint64_t seen_ms;               /* Last seen. */
    /* The table's. */
    struct hmap_node node;
    struct mac_list lru;            /* In the table's list. */
    struct mac_list port_lru;       /* In its port's list. */
};

struct mac_learning_stats {
    uint64_t learned, expired, evicted, moved;
};

struct mac_learning;

struct mac_learning *mac_learning_create(void);
void mac_learning_destroy(struct mac_learning *);

/* Sets the aging time and the size, forced into Open vSwitch's ranges;
 * a smaller size evicts at once.  Return whether entries went. */
bool mac_learning_set_aging(struct mac_learning *, unsigned int seconds,
                            uint64_t now_ms);
bool mac_learning_set_size(struct mac_learning *, size_t size);
unsigned int mac_learning_aging(const struct mac_learning *);
size_t mac_learning_size(const struct mac_learning *);
size_t mac_learning_count(const struct mac_learning *);

enum mac_learn_result {
    MAC_LEARN_REFRESHED,            /* Known on that port: seen again. */
    MAC_LEARN_NEW,
    MAC_LEARN_MOVED,                /* Was on another port. */
    MAC_LEARN_REFUSED,              /* A multicast MAC or a bad port. */
};

/* 'mac' was seen in 'vlan' on 'port' at 'now_ms'. */
enum mac_learn_result mac_learning_learn(struct mac_learning *,
                                         uint16_t vlan, const uint8_t mac[6],
                                         uint32_t port, uint64_t now_ms);
/* The port of ('vlan', 'mac'), or MAC_LEARNING_NO_PORT. */
uint32_t mac_learning_lookup(const struct mac_learning *, uint16_t vlan,
                             const uint8_t mac[6]);

/* Removes the entries not seen for the aging time.  Returns how many. */
size_t mac_learning_expire(struct mac_learning *, uint64_t now_ms);
/* Removes every entry (the counters stay).  Returns how many. */
size_t mac_learning_flush(struct mac_learning *);
/* Removes the entries of 'port' (a port that goes).  Returns how many. */
size_t mac_learning_flush_port(struct mac_learning *, uint32_t port);

/* The entries from the least to the most recently seen: NULL at the
 * end.  The table must not change during the walk. */
const struct mac_entry *mac_learning_first(const struct mac_learning *);
const struct mac_entry *mac_learning_next(const struct mac_learning *,
                                          const struct mac_entry *);
/* Seconds since 'e' was seen. */
unsigned int mac_entry_age(const struct mac_entry *, uint64_t now_ms);

const struct mac_learning_stats *
mac_learning_get_stats(const struct mac_learning *);
void mac_learning_clear_stats(struct mac_learning *);

#endif
