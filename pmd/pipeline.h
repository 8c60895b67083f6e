/* pipeline: the per-batch fast path of a PMD thread -
 * key extraction -> EMC -> megaflow classifier -> (miss: upcall) ->
 * group by megaflow -> megaflow counters -> actions.
 * Runs only on the PMD that owns the tables. */
#ifndef SLUICE_PIPELINE_H
#define SLUICE_PIPELINE_H

#include <stdint.h>

struct pmd;
struct rte_mbuf;

#define PIPELINE_BATCH 32
#define PIPELINE_MAX_RECIRC 6

/* Processes 'n' (at most PIPELINE_BATCH) packets received on datapath
 * port 'in_port' (or recirculated with 'recirc_id').  Takes ownership of
 * the mbufs. */
void pipeline_process(struct pmd *, struct rte_mbuf **pkts, uint32_t n,
                      uint32_t in_port, uint32_t recirc_id);

#endif
