/* upcall_ring: what a PMD hands up to the control thread - packets that
 * missed every megaflow and packets a userspace action sends - on one
 * bounded ring per PMD (the PMD produces, the control thread consumes).
 * A full ring is a counted drop on the PMD (pmd_stats), never a wait. */
#ifndef SLUICE_UPCALL_RING_H
#define SLUICE_UPCALL_RING_H

#include <stdint.h>

struct pmd;
struct rte_mbuf;

enum upcall_kind {
    UPCALL_MISS,            /* No megaflow matched. */
    UPCALL_USERSPACE,       /* A userspace action sent it. */
};

struct upcall_msg {
    struct rte_mbuf *pkt;   /* Owned by whoever holds the message. */
    uint32_t kind;          /* enum upcall_kind. */
    uint32_t cookie;        /* Userspace action's cookie. */
};

/* Control thread: takes up to 'n' messages that 'pmd' queued, oldest
 * first, into 'msgs'.  Returns how many. */
unsigned int upcall_ring_dequeue(struct pmd *, struct upcall_msg *msgs,
                                 unsigned int n);

#endif
