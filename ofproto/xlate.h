/* xlate: the translation hook of DESIGN.md - (packet key) -> (datapath
 * actions, wildcard mask).  The control thread calls it for every upcall.
 * Providers are asked in the order they were added (the debug rule table,
 * then the bridges' OpenFlow pipelines) until one of them
 * answers for the packet; a packet no provider answers for is dropped.  A
 * provider sets in 'mask' every bit of the key it examined, also when it
 * does not answer, so that the megaflow installed from the result never
 * captures a packet that would have been translated differently. */
#ifndef SLUICE_XLATE_H
#define SLUICE_XLATE_H

#include <stdint.h>

#include "pmd/flow.h"

struct dp_actions;

/* Traffic to account to what a translation visits (OpenFlow rules): the
 * packet of an upcall, or what a megaflow forwarded since it was last
 * accounted. */
struct xlate_stats {
    uint64_t packets, bytes;
    uint64_t now_ms;                /* loop_now_ms(). */
};

/* Tags: what a translation depended on, as a 64-bit Bloom filter (one bit
 * per thing: a table of a switch, say).  A change to things of tag set T
 * need only revalidate the megaflows whose tags meet T.  A provider that
 * does not tag leaves 0, which counts as XLATE_TAGS_ALL. */
#define XLATE_TAGS_ALL UINT64_MAX

static inline uint64_t
xlate_tag(const void *owner, unsigned int n)
{
    uint64_t h = ((uint64_t) (uintptr_t) owner ^ n)
                 * UINT64_C(0x9e3779b97f4a7c15);
    return UINT64_C(1) << (h >> 58);
}

struct xlate_out {
    struct dp_actions *actions;     /* malloc'd; NULL or empty: drop. */
    struct flow mask;               /* Zeroed by the caller. */
    uint64_t version;               /* Provider's table version. */
    uint64_t tags;                  /* What it depended on (see above). */
    const struct xlate_stats *stats;    /* In: NULL, or traffic to
                                         * account. */
};

/* A provider returns 0 (answered: 'actions' says what to do), a negative
 * errno, or XLATE_NO_MATCH (not its packet: ask the next provider; it
 * must not have set 'actions'). */
#define XLATE_NO_MATCH 1
typedef int xlate_fn(const struct flow *, struct xlate_out *, void *aux);

#define XLATE_MAX_PROVIDERS 4

/* Appends a provider.  Returns 0 or -ENOSPC. */
int xlate_add_provider(xlate_fn *fn, void *aux);
void xlate_remove_provider(xlate_fn *fn, void *aux);

/* Translates 'flow', accounting 'stats' (may be NULL) to what the
 * translation visits.  Always fills 'out' (on error: drop, exact
 * in_port); returns 0 or the answering provider's error. */
int xlate_translate(const struct flow *, const struct xlate_stats *,
                    struct xlate_out *);

#endif
