/* eal_test: DPDK's EAL for the unit tests that need it - no hugepages
 * (--no-huge with --no-shconf, 256 MB), no PCI scan, core 0 only, errors
 * only in the log. */
#ifndef SLUICE_EAL_TEST_H
#define SLUICE_EAL_TEST_H

#include <rte_eal.h>

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
