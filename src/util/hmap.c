/* hmap: an intrusive hash map with chaining. */
#include "src/util/hmap.h"

#include <stdlib.h>

void
hmap_init(struct hmap *map)
{
    map->one = NULL;
    map->buckets = &map->one;
    map->mask = 0;
    map->n = 0;
}

void
hmap_destroy(struct hmap *map)
{
    if (map->buckets != &map->one) {
        free(map->buckets);
    }
    hmap_init(map);
}

static void
hmap_resize(struct hmap *map, size_t n_buckets)
{
    struct hmap_node **b = calloc(n_buckets, sizeof *b);
    if (!b) {
        return;                 /* Longer chains, still correct. */
    }
    for (size_t i = 0; i <= map->mask; i++) {
        struct hmap_node *node = map->buckets[i];
        while (node) {
            struct hmap_node *next = node->next;
            size_t j = node->hash & (n_buckets - 1);
            node->next = b[j];
            b[j] = node;
            node = next;
        }
    }
    if (map->buckets != &map->one) {
        free(map->buckets);
    }
    map->buckets = b;
    map->mask = n_buckets - 1;
}

void
hmap_insert(struct hmap *map, struct hmap_node *node, uint32_t hash)
{
    node->hash = hash;
    struct hmap_node **b = &map->buckets[hash & map->mask];
    node->next = *b;
    *b = node;
    map->n++;
    if (map->n > 2 * (map->mask + 1)) {
        hmap_resize(map, 4 * (map->mask + 1));
    }
}

void
hmap_remove(struct hmap *map, struct hmap_node *node)
{
    struct hmap_node **p = &map->buckets[node->hash & map->mask];
    while (*p != node) {
        p = &(*p)->next;
    }
    *p = node->next;
    map->n--;
}

static struct hmap_node *
same_hash(struct hmap_node *node, uint32_t hash)
{
    while (node && node->hash != hash) {
        node = node->next;
    }
    return node;
}

struct hmap_node *
hmap_first_with_hash(const struct hmap *map, uint32_t hash)
{
    return same_hash(map->buckets[hash & map->mask], hash);
}

struct hmap_node *
hmap_next_with_hash(const struct hmap_node *node)
{
    return same_hash(node->next, node->hash);
}

struct hmap_node *
hmap_next(const struct hmap *map, size_t *pos, const struct hmap_node *prev)
{
    if (prev && prev->next) {
        return prev->next;
    }
    size_t i = prev ? *pos + 1 : *pos;
    for (; i <= map->mask; i++) {
        if (map->buckets[i]) {
            *pos = i;
            return map->buckets[i];
        }
    }
    *pos = i;
    return NULL;
}
