/* mac_learning: a bridge's MAC learning table. */
#include "ofproto/mac_learning.h"

#include <stdlib.h>
#include <string.h>

#define AGING_MIN 15
#define AGING_MAX 3600
#define SIZE_MIN 10
#define SIZE_MAX_ENTRIES 1000000

struct mac_learning {
    struct hmap table;
    struct mac_list lru;                /* Least recently seen first. */
    struct mac_list port_lru[MAC_LEARNING_MAX_PORTS];
    uint32_t port_count[MAC_LEARNING_MAX_PORTS];
    unsigned int aging;                 /* Seconds. */
    size_t size;
    struct mac_learning_stats stats;
};

/* ---- Lists. ---- */

static void
list_init(struct mac_list *l)
{
    l->prev = l->next = l;
}

static void
list_remove(struct mac_list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
}

static void
list_push_back(struct mac_list *l, struct mac_list *n)
{
    n->prev = l->prev;
    n->next = l;
    l->prev->next = n;
    l->prev = n;
}

#define ENTRY_OF(NODE, MEMBER) \
    ((struct mac_entry *) (void *) ((char *) (NODE) \
                                    - offsetof(struct mac_entry, MEMBER)))

/* ---- The table. ---- */

struct mac_learning *
mac_learning_create(void)
{
    struct mac_learning *ml = calloc(1, sizeof *ml);
    if (!ml) {
        return NULL;
    }
    hmap_init(&ml->table);
    list_init(&ml->lru);
    for (size_t i = 0; i < MAC_LEARNING_MAX_PORTS; i++) {
        list_init(&ml->port_lru[i]);
    }
    ml->aging = MAC_LEARNING_AGING_DEFAULT;
    ml->size = MAC_LEARNING_SIZE_DEFAULT;
    return ml;
}

void
mac_learning_destroy(struct mac_learning *ml)
{
    if (ml) {
        mac_learning_flush(ml);
        hmap_destroy(&ml->table);
        free(ml);
    }
}

static uint32_t
hash_key(uint16_t vlan, const uint8_t mac[6])
{
    uint64_t k = (uint64_t) vlan << 48;
    for (int i = 0; i < 6; i++) {
        k |= (uint64_t) mac[i] << (8 * (5 - i));
    }
    k *= UINT64_C(0x9e3779b97f4a7c15);
    k ^= k >> 29;
    k *= UINT64_C(0xbf58476d1ce4e5b9);
    return (uint32_t) (k >> 32);
}

static struct mac_entry *
find(const struct mac_learning *ml, uint16_t vlan, const uint8_t mac[6])
{
    uint32_t h = hash_key(vlan, mac);
    for (struct hmap_node *n = hmap_first_with_hash(&ml->table, h); n;
         n = hmap_next_with_hash(n)) {
        struct mac_entry *e = HMAP_CONTAINER(n, struct mac_entry, node);
        if (e->vlan == vlan && !memcmp(e->mac, mac, 6)) {
            return e;
        }
    }
    return NULL;
}

static void
remove_entry(struct mac_learning *ml, struct mac_entry *e)
{
    hmap_remove(&ml->table, &e->node);
    list_remove(&e->lru);
    list_remove(&e->port_lru);
    ml->port_count[e->port]--;
    free(e);
}

/* Open vSwitch's fair eviction: the least recently seen entry of the port
 * with the most entries. */
static void
evict_one(struct mac_learning *ml)
{
    size_t best = 0;
    for (size_t i = 1; i < MAC_LEARNING_MAX_PORTS; i++) {
        if (ml->port_count[i] > ml->port_count[best]) {
            best = i;
        }
    }
    if (ml->port_count[best]) {
        remove_entry(ml, ENTRY_OF(ml->port_lru[best].next, port_lru));
        ml->stats.evicted++;
    }
}

static bool
shrink_to(struct mac_learning *ml, size_t n)
{
    bool any = false;
    while (hmap_count(&ml->table) > n) {
        evict_one(ml);
        any = true;
    }
    return any;
}

bool
mac_learning_set_aging(struct mac_learning *ml, unsigned int seconds,
                       uint64_t now_ms)
{
    ml->aging = seconds < AGING_MIN ? AGING_MIN
                : seconds > AGING_MAX ? AGING_MAX : seconds;
    return mac_learning_expire(ml, now_ms) > 0;
}

bool
mac_learning_set_size(struct mac_learning *ml, size_t size)
{
    ml->size = size < SIZE_MIN ? SIZE_MIN
               : size > SIZE_MAX_ENTRIES ? SIZE_MAX_ENTRIES : size;
    return shrink_to(ml, ml->size);
}

unsigned int
mac_learning_aging(const struct mac_learning *ml)
{
    return ml->aging;
}

size_t
mac_learning_size(const struct mac_learning *ml)
{
    return ml->size;
}

size_t
mac_learning_count(const struct mac_learning *ml)
{
    return hmap_count(&ml->table);
}

/* Seen now: the most recent of the table and of its port. */
static void
touch(struct mac_learning *ml, struct mac_entry *e, uint64_t now_ms)
{
    e->seen_ms = now_ms;
    list_remove(&e->lru);
    list_push_back(&ml->lru, &e->lru);
    list_remove(&e->port_lru);
    list_push_back(&ml->port_lru[e->port], &e->port_lru);
}

enum mac_learn_result
mac_learning_learn(struct mac_learning *ml, uint16_t vlan,
                   const uint8_t mac[6], uint32_t port, uint64_t now_ms)
{
    if (mac[0] & 1 || port >= MAC_LEARNING_MAX_PORTS || vlan > 4095) {
        return MAC_LEARN_REFUSED;
    }
    struct mac_entry *e = find(ml, vlan, mac);
    if (e) {
        enum mac_learn_result r = MAC_LEARN_REFRESHED;
        if (e->port != port) {
            ml->port_count[e->port]--;
            ml->port_count[port]++;
            e->port = port;
            ml->stats.moved++;
            r = MAC_LEARN_MOVED;
        }
        touch(ml, e, now_ms);
        return r;
    }
    if (hmap_count(&ml->table) >= ml->size) {
        shrink_to(ml, ml->size - 1);
    }
    e = calloc(1, sizeof *e);
    if (!e) {
        return MAC_LEARN_REFUSED;
    }
    e->vlan = vlan;
    memcpy(e->mac, mac, 6);
    e->port = port;
    e->seen_ms = now_ms;
    hmap_insert(&ml->table, &e->node, hash_key(vlan, mac));
    list_push_back(&ml->lru, &e->lru);
    list_push_back(&ml->port_lru[port], &e->port_lru);
    ml->port_count[port]++;
    ml->stats.learned++;
    return MAC_LEARN_NEW;
}

uint32_t
mac_learning_lookup(const struct mac_learning *ml, uint16_t vlan,
                    const uint8_t mac[6])
{
    const struct mac_entry *e = find(ml, vlan, mac);
    return e ? e->port : MAC_LEARNING_NO_PORT;
}

size_t
mac_learning_expire(struct mac_learning *ml, uint64_t now_ms)
{
    uint64_t idle_ms = (uint64_t) ml->aging * 1000;
    size_t n = 0;
    while (ml->lru.next != &ml->lru) {
        struct mac_entry *e = ENTRY_OF(ml->lru.next, lru);
        if (now_ms < e->seen_ms || now_ms - e->seen_ms < idle_ms) {
            break;
        }
        remove_entry(ml, e);
        ml->stats.expired++;
        n++;
    }
    return n;
}

size_t
mac_learning_flush(struct mac_learning *ml)
{
    size_t n = 0;
    while (ml->lru.next != &ml->lru) {
        remove_entry(ml, ENTRY_OF(ml->lru.next, lru));
        n++;
    }
    return n;
}

size_t
mac_learning_flush_port(struct mac_learning *ml, uint32_t port)
{
    size_t n = 0;
    if (port >= MAC_LEARNING_MAX_PORTS) {
        return 0;
    }
    while (ml->port_lru[port].next != &ml->port_lru[port]) {
        remove_entry(ml, ENTRY_OF(ml->port_lru[port].next, port_lru));
        n++;
    }
    return n;
}

const struct mac_entry *
mac_learning_first(const struct mac_learning *ml)
{
    return ml->lru.next == &ml->lru ? NULL : ENTRY_OF(ml->lru.next, lru);
}

const struct mac_entry *
mac_learning_next(const struct mac_learning *ml, const struct mac_entry *e)
{
    return e->lru.next == &ml->lru ? NULL : ENTRY_OF(e->lru.next, lru);
}

unsigned int
mac_entry_age(const struct mac_entry *e, uint64_t now_ms)
{
    return now_ms > e->seen_ms ? (unsigned int) ((now_ms - e->seen_ms)
                                                 / 1000)
                               : 0;
}

const struct mac_learning_stats *
mac_learning_get_stats(const struct mac_learning *ml)
{
    return &ml->stats;
}

void
mac_learning_clear_stats(struct mac_learning *ml)
{
    memset(&ml->stats, 0, sizeof ml->stats);
}
