/* eal_test: DPDK's EAL for the unit tests that need it - no hugepages
 * (--no-huge with --no-shconf, 256 MB), no PCI scan, core 0 only, errors
 * only in the log - and the core for their PMD thread. */
#ifndef SLUICE_EAL_TEST_H
#define SLUICE_EAL_TEST_H

#include <sched.h>

#include <rte_eal.h>

/* The highest core this process may run on, for a PMD thread of its own
 * (call it before eal_test_init(), which pins this thread to core 0). */
static inline unsigned int
eal_test_pmd_core(void)
{
    cpu_set_t set;
    unsigned int core = 0;
    if (!sched_getaffinity(0, sizeof set, &set)) {
        for (unsigned int c = 0; c < 64 && c < CPU_SETSIZE; c++) {
            if (CPU_ISSET(c, &set)) {
                core = c;
            }
        }
    }
    return core;
}

/* Initialises EAL for program 'prog'; for cmocka group set-ups. */
static inline int
eal_test_init(const char *prog)
{
    char *argv[] = {
        (char *) prog, "--no-huge", "--no-shconf", "-m", "256", "--no-pci",
        "--log-level=error", "-l", "0", NULL,
    };
    return rte_eal_init(9, argv) < 0 ? -1 : 0;
}

/* A cmocka group teardown. */
static inline int
eal_test_teardown(void **state)
{
    (void) state;
    rte_eal_cleanup();
    return 0;
}

#endif
