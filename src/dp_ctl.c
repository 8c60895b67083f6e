/* dp_ctl: datapath commands on the control socket. */
#include "src/dp_ctl.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/upcall.h"
#include "pmd/actions.h"
#include "pmd/dp.h"
#include "pmd/flow_parse.h"
#include "pmd/megaflow.h"
#include "pmd/pmd.h"
#include "pmd/port.h"
#include "src/util/ctl.h"
#include "src/util/dstr.h"
#include "src/util/scan.h"

static int
cmd_add_if(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    struct dp *dp = dp_;
    struct port_config cfg = { .name = argv[1], .devargs = argv[2] };

    for (int i = 3; i < argc; i++) {
        if (port_config_parse_option(&cfg, argv[i], reply)) {
            return 1;
        }
    }
    int port_no = dp_port_add(dp, &cfg, reply);
    if (port_no < 0) {
        return 1;
    }
    dstr_printf(reply, "added %s as port %d\n", cfg.name, port_no);
    return 0;
}

static int
cmd_del_if(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    (void) argc;
    return dp_port_del(dp_, argv[1], reply) ? 1 : 0;
}

static int
cmd_show(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    (void) argc;
    (void) argv;
    dp_format_ports(dp_, reply);
    return 0;
}

static int
cmd_pmd_stats_show(int argc, const char *argv[], struct dstr *reply,
                   void *dp_)
{
    (void) argc;
    (void) argv;
    dp_format_pmd_stats(dp_, reply);
    return 0;
}

static int
cmd_pmd_stats_clear(int argc, const char *argv[], struct dstr *reply,
                    void *dp_)
{
    (void) argc;
    (void) argv;
    (void) reply;
    dp_clear_pmd_stats(dp_);
    return 0;
}

static int
cmd_pmd_rxq_show(int argc, const char *argv[], struct dstr *reply,
                 void *dp_)
{
    (void) argc;
    (void) argv;
    dp_format_rxqs(dp_, reply);
    return 0;
}

static int
cmd_pmd_rxq_rebalance(int argc, const char *argv[], struct dstr *reply,
                      void *dp_)
{
    (void) argc;
    (void) argv;
    int moved = dp_rxq_rebalance(dp_);
    if (moved < 0) {
        dstr_put(reply, "rebalance incomplete: a PMD did not answer\n");
        return 1;
    }
    dstr_printf(reply, "pmd rxq rebalance: %d queue%s moved\n", moved,
                moved == 1 ? "" : "s");
    return 0;
}

/* Parses a megaflow match: in_port and recirc_id are always exact. */
static int
parse_flow_args(struct dp *dp, const char *flow_text, struct flow *key,
                struct flow *mask, struct dstr *reply)
{
    if (flow_parse(flow_text, key, mask, dp_port_lookup, dp, reply)) {
        return -EINVAL;
    }
    mask->in_port = UINT32_MAX;     /* Megaflows are per input port. */
    mask->recirc_id = UINT32_MAX;
    flow_and(key, key, mask);
    return 0;
}

static int
cmd_dump_flows(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    struct dp *dp = dp_;
    (void) argc;
    (void) argv;
    for (unsigned int i = 0; i < dp_n_pmds(dp); i++) {
        struct pmd *pmd = dp_pmd(dp, i);
        struct dpcls_cursor c;
        struct dpcls_rule *r;
        if (dp_n_pmds(dp) > 1) {
            dstr_printf(reply, "flow-dump from pmd on cpu core: %u\n",
                        pmd_core_id(pmd));
        }
        DPCLS_FOR_EACH (r, &c, &megaflow_table(pmd)->shadow) {
            const struct megaflow *mf =
                DPCLS_CONTAINER_OF(r, struct megaflow, shadow);
            megaflow_format(mf, reply, dp_port_name, dp);
            dstr_put(reply, "\n");
        }
    }
    return 0;
}

/* cmd_put_flow() failed on PMD 'failed': takes back its changes on the
 * PMDs before it (installs deleted, modified actions restored from
 * 'olds'), and frees the unused copies of every PMD. */
static void
put_flow_undo(struct dp *dp, unsigned int failed, struct megaflow *found[],
              struct dp_actions *copies[], struct dp_actions *olds[],
              const struct flow *key, const struct flow *mask)
{
    for (unsigned int q = 0; q < dp_n_pmds(dp); q++) {
        struct pmd *pmd = dp_pmd(dp, q);
        if (q < failed && found[q]) {
            megaflow_modify(pmd, found[q], olds[q], false);
            olds[q] = NULL;
        } else if (q < failed) {
            struct megaflow *mf = megaflow_find_exact(pmd, key, mask);
            if (mf) {
                megaflow_delete(pmd, mf);
            }
        }
        free(copies[q]);
        free(olds[q]);
    }
}

static int
cmd_put_flow(int argc, const char *argv[], struct dstr *reply, void *dp_,
             bool create, bool modify)
{
    struct dp *dp = dp_;
    bool clear = false;
    int i = 1;
    struct flow key, mask;

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--clear")) {
            clear = true;
        } else if (strcmp(argv[i], "-s") && strcmp(argv[i], "--statistics")
                   && strcmp(argv[i], "--may-create")) {
            dstr_printf(reply, "unknown option %s\n", argv[i]);
            return 1;
        } else if (!strcmp(argv[i], "--may-create")) {
            create = true;
        }
    }
    if (argc - i != 2) {
        dstr_put(reply, "expected FLOW ACTIONS\n");
        return 1;
    }
    struct dp_actions *acts = NULL;
    if (parse_flow_args(dp, argv[i], &key, &mask, reply)
        || dp_actions_parse(argv[i + 1], &acts, dp_port_lookup, dp, reply)) {
        return 1;
    }

    /* All or nothing across PMDs: decide for every PMD and allocate every
     * copy before changing any, then take back what was changed if a
     * PMD refuses the install (its flow limit, memory). */
    unsigned int n_pmds = dp_n_pmds(dp);
    struct megaflow *found[DP_MAX_PMDS];
    struct dp_actions *copies[DP_MAX_PMDS] = { NULL };
    struct dp_actions *olds[DP_MAX_PMDS] = { NULL };
    const char *why = NULL;
    for (unsigned int p = 0; p < n_pmds && !why; p++) {
        found[p] = megaflow_find_exact(dp_pmd(dp, p), &key, &mask);
        if ((found[p] && !modify) || (!found[p] && !create)) {
            why = found[p] ? "flow already exists\n"
                           : "flow does not exist\n";
        } else if (!(copies[p] = dp_actions_clone(acts))
                   || (found[p]
                       && !(olds[p] = dp_actions_clone(found[p]->actions)))) {
            why = "out of memory\n";
        }
    }
    free(acts);
    if (why) {
        dstr_put(reply, why);
        put_flow_undo(dp, 0, found, copies, olds, &key, &mask);
        return 1;
    }
    for (unsigned int p = 0; p < n_pmds; p++) {
        struct pmd *pmd = dp_pmd(dp, p);
        struct dp_actions *copy = copies[p];
        copies[p] = NULL;
        if (found[p]) {
            megaflow_modify(pmd, found[p], copy, clear);
            continue;
        }
        int error = megaflow_install(pmd, &key, &mask, copy, NULL);
        if (error) {
            dstr_printf(reply, "cannot install the flow on pmd %u: %s\n",
                        pmd_core_id(pmd),
                        error == -EEXIST ? "it overlaps an installed "
                        "megaflow with the same mask"
                        : error == -ENOSPC ? "flow limit reached"
                        : strerror(-error));
            put_flow_undo(dp, p, found, copies, olds, &key, &mask);
            return 1;
        }
    }
    for (unsigned int p = 0; p < n_pmds; p++) {
        free(olds[p]);
    }
    return 0;
}

static int
cmd_add_flow(int argc, const char *argv[], struct dstr *reply, void *dp)
{
    return cmd_put_flow(argc, argv, reply, dp, true, false);
}

static int
cmd_mod_flow(int argc, const char *argv[], struct dstr *reply, void *dp)
{
    return cmd_put_flow(argc, argv, reply, dp, false, true);
}

static int
cmd_del_flow(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    struct dp *dp = dp_;
    struct flow key, mask;
    (void) argc;
    if (parse_flow_args(dp, argv[argc - 1], &key, &mask, reply)) {
        return 1;
    }
    int found = 0;
    for (unsigned int p = 0; p < dp_n_pmds(dp); p++) {
        struct megaflow *mf = megaflow_find_exact(dp_pmd(dp, p), &key, &mask);
        if (mf) {
            megaflow_delete(dp_pmd(dp, p), mf);
            found++;
        }
    }
    if (!found) {
        dstr_put(reply, "flow does not exist\n");
        return 1;
    }
    return 0;
}

static int
cmd_del_flows(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    struct dp *dp = dp_;
    (void) argc;
    (void) argv;
    (void) reply;
    for (unsigned int p = 0; p < dp_n_pmds(dp); p++) {
        megaflow_flush(dp_pmd(dp, p));
    }
    return 0;
}

static int
cmd_pmd_perf_show(int argc, const char *argv[], struct dstr *reply,
                  void *dp_)
{
    (void) argc;
    (void) argv;
    dp_format_pmd_perf(dp_, reply);
    upcall_format_stats(reply);
    return 0;
}

static int
parse_number(const char *s, uint64_t min, uint64_t max, uint64_t *v,
             struct dstr *reply)
{
    uint64_t x;
    if (scan_uint(s, 10, max, &x) || x < min) {
        dstr_printf(reply, "\"%s\" is not a number from %lu to %lu\n", s,
                    min, max);
        return -EINVAL;
    }
    *v = x;
    return 0;
}

static int
cmd_set_flow_limit(int argc, const char *argv[], struct dstr *reply,
                   void *dp_)
{
    uint64_t v;
    (void) argc;
    if (parse_number(argv[1], 1, DP_FLOW_LIMIT_MAX, &v, reply)) {
        return 1;
    }
    return dp_set_flow_limit(dp_, (unsigned int) v, reply) ? 1 : 0;
}

static int
cmd_set_max_idle(int argc, const char *argv[], struct dstr *reply,
                 void *dp_)
{
    uint64_t v;
    (void) argc;
    if (parse_number(argv[1], DP_MAX_IDLE_MS_MIN, DP_MAX_IDLE_MS_MAX, &v,
                     reply)) {
        return 1;
    }
    return dp_set_max_idle(dp_, (unsigned int) v, reply) ? 1 : 0;
}

static int
cmd_set_emc_insert(int argc, const char *argv[], struct dstr *reply,
                   void *dp_)
{
    uint64_t v;
    (void) argc;
    if (parse_number(argv[1], 0, DP_EMC_INV_PROB_MAX, &v, reply)) {
        return 1;
    }
    return dp_set_emc_insert_inv_prob(dp_, (unsigned int) v, reply) ? 1 : 0;
}

static int
cmd_set_upcall_limit(int argc, const char *argv[], struct dstr *reply,
                     void *dp_)
{
    uint64_t rate, burst = DP_DEFAULT_UPCALL_BURST;
    if (parse_number(argv[1], 0, DP_UPCALL_RATE_MAX, &rate, reply)
        || (argc > 2 && parse_number(argv[2], 1, DP_UPCALL_BURST_MAX, &burst,
                                     reply))) {
        return 1;
    }
    return dp_set_upcall_limit(dp_, rate, burst, reply) ? 1 : 0;
}

static int
cmd_set_pmd_idle_sleep(int argc, const char *argv[], struct dstr *reply,
                       void *dp_)
{
    uint64_t v;
    (void) argc;
    if (parse_number(argv[1], 0, DP_IDLE_SLEEP_US_MAX, &v, reply)) {
        return 1;
    }
    return dp_set_pmd_idle_sleep(dp_, (unsigned int) v, reply) ? 1 : 0;
}

/* debug/pmd-stall CORE on|off: a test hook.  A stalled PMD neither polls
 * nor applies commands nor reports quiescence, as one stuck in a driver;
 * what the control thread frees for it waits (pmd-stats-show). */
static int
cmd_pmd_stall(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    uint64_t core;
    (void) argc;
    if (parse_number(argv[1], 0, 63, &core, reply)) {
        return 1;
    }
    bool on = !strcmp(argv[2], "on");
    if (!on && strcmp(argv[2], "off")) {
        dstr_printf(reply, "\"%s\": expected on or off\n", argv[2]);
        return 1;
    }
    if (dp_set_pmd_stall(dp_, (unsigned int) core, on)) {
        dstr_printf(reply, "no pmd on core %lu\n", core);
        return 1;
    }
    return 0;
}

/* MASK: hexadecimal, with or without 0x, as other-config:pmd-cpu-mask. */
static int
cmd_set_pmd_cpu_mask(int argc, const char *argv[], struct dstr *reply,
                     void *dp_)
{
    struct dp *dp = dp_;
    uint64_t mask;
    (void) argc;

    if (scan_uint(argv[1], 16, UINT64_MAX, &mask)) {
        dstr_printf(reply, "\"%s\" is not a hexadecimal core mask\n",
                    argv[1]);
        return 1;
    }
    uint64_t old = dp_pmd_mask(dp);
    if (dp_set_pmd_mask(dp, mask, reply)) {
        dstr_put(reply, "\n");
        return 1;
    }
    dstr_printf(reply, "pmd cpu mask 0x%llx (was 0x%llx): %u pmd thread%s\n",
                (unsigned long long) mask, (unsigned long long) old,
                dp_n_pmds(dp), dp_n_pmds(dp) == 1 ? "" : "s");
    return 0;
}

/* dpctl/set-if NAME KEY=VALUE...: options not given keep their value. */
static int
cmd_set_if(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    struct dp *dp = dp_;
    struct port *port = dp_port_by_name(dp, argv[1]);
    if (!port) {
        dstr_printf(reply, "no port named %s\n", argv[1]);
        return 1;
    }
    struct port_config cfg = port->cfg;
    cfg.name = argv[1];
    cfg.devargs = NULL;
    for (int i = 2; i < argc; i++) {
        if (port_config_parse_option(&cfg, argv[i], reply)) {
            return 1;
        }
    }
    if (dp_port_reconfigure(dp, argv[1], &cfg, reply)) {
        dstr_put(reply, "\n");
        return 1;
    }
    return 0;
}

static int
cmd_set_admin_state(int argc, const char *argv[], struct dstr *reply,
                    void *dp_)
{
    struct dp *dp = dp_;
    (void) argc;
    struct port *port = dp_port_by_name(dp, argv[1]);
    if (!port) {
        dstr_printf(reply, "no port named %s\n", argv[1]);
        return 1;
    }
    bool up = !strcmp(argv[2], "up");
    if (!up && strcmp(argv[2], "down")) {
        dstr_printf(reply, "\"%s\": expected up or down\n", argv[2]);
        return 1;
    }
    if (dp_port_set_admin(dp, port->port_no, up, reply)) {
        dstr_put(reply, "\n");
        return 1;
    }
    dstr_put(reply, "OK\n");
    return 0;
}

void
dp_ctl_register(struct dp *dp)
{
    ctl_register("dpctl/dump-flows", "[-m] [DP]", 0, 2, cmd_dump_flows, dp);
    ctl_register("dpctl/add-flow", "[--clear] FLOW ACTIONS", 2, 4,
                 cmd_add_flow, dp);
    ctl_register("dpctl/mod-flow", "[--clear] [--may-create] FLOW ACTIONS",
                 2, 5, cmd_mod_flow, dp);
    ctl_register("dpctl/del-flow", "FLOW", 1, 2, cmd_del_flow, dp);
    ctl_register("dpctl/del-flows", "[DP]", 0, 1, cmd_del_flows, dp);
    ctl_register("dpif-netdev/pmd-perf-show", "[DP]", 0, 3,
                 cmd_pmd_perf_show, dp);
    ctl_register("dpif-netdev/set-flow-limit", "N", 1, 1,
                 cmd_set_flow_limit, dp);
    ctl_register("dpif-netdev/set-max-idle", "MILLISECONDS", 1, 1,
                 cmd_set_max_idle, dp);
    ctl_register("dpif-netdev/set-emc-insert-inv-prob", "N (0: never)", 1, 1,
                 cmd_set_emc_insert, dp);
    ctl_register("dpif-netdev/set-upcall-limit", "RATE [BURST] (0: none)",
                 1, 2, cmd_set_upcall_limit, dp);
    ctl_register("dpctl/add-if", "NAME DEVARGS [n_rxq=N] [n_rxq_desc=N] "
                 "[n_txq_desc=N] [mtu=N] [n_mbuf=N] [mbuf_size=N]", 2, 8,
                 cmd_add_if, dp);
    ctl_register("dpctl/del-if", "NAME", 1, 1, cmd_del_if, dp);
    ctl_register("dpctl/set-if", "NAME [n_rxq=N] [n_rxq_desc=N] "
                 "[n_txq_desc=N] [mtu=N] [n_mbuf=N] [mbuf_size=N]", 2, 7,
                 cmd_set_if, dp);
    ctl_register("netdev-dpdk/set-admin-state", "NAME up|down", 2, 2,
                 cmd_set_admin_state, dp);
    ctl_register("dpif-netdev/set-pmd-cpu-mask", "MASK (hexadecimal)", 1, 1,
                 cmd_set_pmd_cpu_mask, dp);
    ctl_register("dpif-netdev/set-pmd-idle-sleep", "MICROSECONDS", 1, 1,
                 cmd_set_pmd_idle_sleep, dp);
    ctl_register("dpctl/show", "[DP]", 0, 1, cmd_show, dp);
    ctl_register("dpif-netdev/pmd-stats-show", "[-pmd CORE] [DP]", 0, 3,
                 cmd_pmd_stats_show, dp);
    ctl_register("dpif-netdev/pmd-stats-clear", "[-pmd CORE] [DP]", 0, 3,
                 cmd_pmd_stats_clear, dp);
    ctl_register("dpif-netdev/pmd-rxq-show", "[-pmd CORE] [DP]", 0, 3,
                 cmd_pmd_rxq_show, dp);
    ctl_register("dpif-netdev/pmd-rxq-rebalance", "[DP]", 0, 1,
                 cmd_pmd_rxq_rebalance, dp);
    ctl_register("debug/pmd-stall", "CORE on|off (test hook)", 2, 2,
                 cmd_pmd_stall, dp);
}
