/* bench_scenarios: what sluice-bench can measure.  A scenario says how
 * sluiced is started (ports, outputs), what is configured once it is
 * ready (debug rules, limits), which figure it reports (forwarding rate,
 * or megaflows set up per second), its default flow counts and which
 * testpmd forwarding mode is its reference. */
#ifndef SLUICE_BENCH_SCENARIOS_H
#define SLUICE_BENCH_SCENARIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/bench.h"

struct bench_argv;
struct ctl_client;
struct dstr;

struct bench_scenario {
    const char *name;
    const char *help;
    /* Flow counts when --flows is not given. */
    uint32_t flows[4];
    int n_flows;
    enum bench_figure figure;
    /* No warm-up, whatever --warmup says. */
    bool no_warmup;
    /* Appends the sluiced options (ports, outputs) of this scenario. */
    void (*sluiced_args)(const struct bench_run *, struct bench_argv *);
    /* Called once sluiced is ready, before warm-up, to configure what the
     * options cannot (rules, limits).  NULL: nothing.  Returns 0, or a
     * negative errno with a message in 'err'. */
    int (*configure)(const struct bench_run *, struct ctl_client *,
                     struct dstr *err);
    /* The testpmd --forward-mode of the reference run; NULL: none. */
    const char *testpmd_fwd_mode;
};

/* By name or alias ("p2p" is "simple"); NULL if unknown. */
const struct bench_scenario *bench_scenario_find(const char *name);
/* The scenario run when --scenario is not given. */
const struct bench_scenario *bench_scenario_default(void);
/* Number of scenarios, and the i'th of them (for "all"). */
size_t bench_scenario_count(void);
const struct bench_scenario *bench_scenario_at(size_t i);
/* One help line per scenario, indented by 'indent' blanks. */
void bench_scenarios_usage(FILE *, int indent);

#endif
