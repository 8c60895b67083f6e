/* xlate: the translation hook of DESIGN.md - (packet key) -> (datapath
 * actions, wildcard mask).  The control thread calls it for every upcall;
 * one provider is registered at a time (the debug rule table now, the
 * OpenFlow pipeline later).  A provider sets in 'mask' every bit of the
 * key it examined, so that the megaflow installed from the result never
 * captures a packet that would have been translated differently. */
#ifndef SLUICE_XLATE_H
#define SLUICE_XLATE_H

#include <stdint.h>

#include "flow.h"

struct dp_actions;

struct xlate_out {
    struct dp_actions *actions;     /* malloc'd; NULL or empty: drop. */
    struct flow mask;               /* Zeroed by the caller. */
    uint64_t version;               /* Provider's table version. */
};

typedef int xlate_fn(const struct flow *, struct xlate_out *, void *aux);

/* Makes 'fn' the provider (NULL: none, everything drops). */
void xlate_set_provider(xlate_fn *fn, void *aux);

/* Translates 'flow'.  Always fills 'out' (on error: drop, exact
 * in_port); returns the provider's result. */
int xlate_translate(const struct flow *, struct xlate_out *);

#endif
