/* dp_test: adding a port to a datapath in a unit test, with DPDK's reason
 * printed when it fails. */
#ifndef SLUICE_DP_TEST_H
#define SLUICE_DP_TEST_H

#include <stdio.h>

#include "pmd/dp.h"
#include "pmd/port.h"
#include "src/util/dstr.h"

/* Adds port 'name' on 'devargs' to 'dp': its port number, or a negative
 * errno value after printing why. */
static inline int
dp_test_add_port(struct dp *dp, const char *name, const char *devargs)
{
    struct dstr err = DSTR_INIT;
    struct port_config cfg = { .name = name, .devargs = devargs };
    int port_no = dp_port_add(dp, &cfg, &err);
    if (port_no < 0) {
        fprintf(stderr, "dp_port_add %s: %s\n", name, dstr_cstr(&err));
    }
    dstr_free(&err);
    return port_no;
}

#endif
