/* eal: builds DPDK's EAL arguments from sluiced's options and initialises
 * EAL once per process: the control thread's core, memory with hugepages
 * (--in-memory, so instances coexist) or without (--no-huge --no-shconf).
 * Argument building is separate from rte_eal_init() so it can be tested. */
#ifndef SLUICE_EAL_H
#define SLUICE_EAL_H

#include <stdbool.h>

struct sluiced_options;
struct dstr;

/* Free hugepage memory in MB (of the default size), and whether a
 * hugetlbfs is mounted.  Reads /proc. */
unsigned int eal_free_hugepage_mb(void);
bool eal_hugetlbfs_mounted(void);

/* Decides hugepages or not and the memory size, and fills 'argv' (NULL
 * terminated, at most 'max' entries, strings malloc'd).  Returns argc. */
int eal_build_args(const struct sluiced_options *, bool use_huge,
                   unsigned int memory_mb, char **argv, int max);

/* Initialises EAL.  Returns 0 or -1 with a message in 'err'. */
int eal_init(const struct sluiced_options *, struct dstr *err);

#endif
