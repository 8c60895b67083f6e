/* dp_ctl: datapath commands on the control socket. */
#include "dp_ctl.h"

#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "ctl.h"
#include "dp.h"
#include "dstr.h"
#include "port.h"

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
cmd_set_if_output(int argc, const char *argv[], struct dstr *reply,
                  void *dp_)
{
    struct dp *dp = dp_;
    struct port *port = dp_port_by_name(dp, argv[1]);
    struct dp_actions *acts = NULL;

    if (!port) {
        dstr_printf(reply, "no port named %s\n", argv[1]);
        return 1;
    }
    /* OUTPUT is "drop", or one or more port names. */
    if (argc != 3 || strcmp(argv[2], "drop")) {
        acts = dp_actions_new();
        for (int i = 2; acts && i < argc; i++) {
            struct port *out = dp_port_by_name(dp, argv[i]);
            if (!out) {
                dstr_printf(reply, "no port named %s\n", argv[i]);
                free(acts);
                return 1;
            }
            if (dp_actions_add_output(&acts, out->port_no)) {
                free(acts);
                acts = NULL;
            }
        }
        if (!acts) {
            dstr_put(reply, "out of memory\n");
            return 1;
        }
    }
    dp_port_set_actions(dp, port, acts);
    return 0;
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

void
dp_ctl_register(struct dp *dp)
{
    ctl_register("dpctl/add-if", "NAME DEVARGS [n_rxq=N] [n_rxq_desc=N] "
                 "[n_txq_desc=N] [mtu=N] [n_mbuf=N] [mbuf_size=N]", 2, 8,
                 cmd_add_if, dp);
    ctl_register("dpctl/del-if", "NAME", 1, 1, cmd_del_if, dp);
    ctl_register("dpctl/set-if-output", "NAME {drop | PORT...}", 2, 16,
                 cmd_set_if_output, dp);
    ctl_register("dpctl/show", "[DP]", 0, 1, cmd_show, dp);
    ctl_register("dpif-netdev/pmd-stats-show", "[-pmd CORE] [DP]", 0, 3,
                 cmd_pmd_stats_show, dp);
    ctl_register("dpif-netdev/pmd-stats-clear", "[-pmd CORE] [DP]", 0, 3,
                 cmd_pmd_stats_clear, dp);
    ctl_register("dpif-netdev/pmd-rxq-show", "[-pmd CORE] [DP]", 0, 3,
                 cmd_pmd_rxq_show, dp);
    ctl_register("dpif-netdev/pmd-rxq-rebalance", "[DP]", 0, 1,
                 cmd_pmd_rxq_rebalance, dp);
}
