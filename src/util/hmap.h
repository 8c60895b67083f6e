/* hmap: an intrusive hash map with chaining.  The caller embeds a struct
 * hmap_node in its element and computes the hash; the map never looks at
 * keys, so several elements may share a hash (walk them with
 * hmap_first_with_hash / hmap_next_with_hash and compare).  A map points
 * into itself: never copy or move a struct hmap.  Not thread-safe. */
#ifndef SLUICE_HMAP_H
#define SLUICE_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_node {
    struct hmap_node *next;
    uint32_t hash;
};

struct hmap {
    struct hmap_node **buckets;
    struct hmap_node *one;      /* The only bucket of an empty map. */
    size_t mask;                /* Buckets - 1 (a power of 2 minus 1). */
    size_t n;
};

void hmap_init(struct hmap *);
/* Frees the buckets; the elements are the caller's. */
void hmap_destroy(struct hmap *);

/* Adds 'node' with 'hash'.  Grows the buckets when the map holds twice as
 * many elements as buckets (if memory is short it keeps longer chains). */
void hmap_insert(struct hmap *, struct hmap_node *, uint32_t hash);
/* Removes 'node', which must be in the map. */
void hmap_remove(struct hmap *, struct hmap_node *);

struct hmap_node *hmap_first_with_hash(const struct hmap *, uint32_t hash);
struct hmap_node *hmap_next_with_hash(const struct hmap_node *);

/* Every node, in no particular order: start with 'pos' = 0; NULL at the
 * end.  The map must not change during the walk (except removing the node
 * just returned). */
struct hmap_node *hmap_next(const struct hmap *, size_t *pos,
                            const struct hmap_node *prev);

static inline size_t
hmap_count(const struct hmap *map)
{
    return map->n;
}

/* The element that holds 'NODE' as member 'MEMBER'. */
#define HMAP_CONTAINER(NODE, TYPE, MEMBER) \
    ((TYPE *) (void *) ((char *) (NODE) - offsetof(TYPE, MEMBER)))

#endif
