/* bridge_tunables: other_config keys to dp_set_*(). */
#include "src/bridge_tunables.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pmd/dp.h"
#include "src/bridge_cfg.h"
#include "src/util/dstr.h"
#include "src/util/scan.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(bridge_tunables);

enum tunable {
    T_PMD_MASK,
    T_IDLE_SLEEP,
    T_EMC_PROB,
    T_FLOW_LIMIT,
    T_MAX_IDLE,
    T_UPCALL_RATE,
    T_UPCALL_BURST,
    N_TUNABLES
};

static const char *const keys[N_TUNABLES] = {
    [T_PMD_MASK] = "pmd-cpu-mask",
    [T_IDLE_SLEEP] = "pmd-maxsleep",
    [T_EMC_PROB] = "emc-insert-inv-prob",
    [T_FLOW_LIMIT] = "flow-limit",
    [T_MAX_IDLE] = "max-idle",
    [T_UPCALL_RATE] = "upcall-rate",
    [T_UPCALL_BURST] = "upcall-burst",
};

static struct {
    char *seen[N_TUNABLES];         /* Value applied last (NULL: unset). */
    char *error[N_TUNABLES];        /* Why the current value is refused. */
    uint64_t initial[N_TUNABLES];   /* What sluiced started with. */
    bool cmdline[N_TUNABLES];       /* The command line set it: kept. */
} tn;

static uint64_t
current(struct dp *dp, enum tunable t)
{
    struct dp_tunables v;
    dp_get_tunables(dp, &v);
    switch (t) {
    case T_PMD_MASK: return dp_pmd_mask(dp);
    case T_IDLE_SLEEP: return v.pmd_idle_sleep_us;
    case T_EMC_PROB: return v.emc_insert_inv_prob;
    case T_FLOW_LIMIT: return v.flow_limit;
    case T_MAX_IDLE: return v.max_idle_ms;
    case T_UPCALL_RATE: return v.upcall_rate;
    case T_UPCALL_BURST: return v.upcall_burst;
    case N_TUNABLES: break;
    }
    return 0;
}

void
bridge_tunables_init(struct dp *dp, unsigned int cmdline)
{
    for (int t = 0; t < N_TUNABLES; t++) {
        tn.initial[t] = current(dp, (enum tunable) t);
    }
    tn.cmdline[T_PMD_MASK] = cmdline & BRIDGE_TUNABLE_PMD_MASK;
    tn.cmdline[T_IDLE_SLEEP] = cmdline & BRIDGE_TUNABLE_IDLE_SLEEP;
}

void
bridge_tunables_destroy(void)
{
    for (int t = 0; t < N_TUNABLES; t++) {
        free(tn.seen[t]);
        free(tn.error[t]);
    }
    memset(&tn, 0, sizeof tn);
}

static int
parse(enum tunable t, const char *s, uint64_t *v, struct dstr *err)
{
    if (t == T_PMD_MASK) {
        if (!cfg_parse_hex_mask(s, v)) {
            dstr_printf(err, "\"%s\" is not a hexadecimal core mask", s);
            return -EINVAL;
        }
        return 0;
    }
    if (scan_uint(s, 10, UINT64_MAX, v)) {
        dstr_printf(err, "\"%s\" is not a decimal number", s);
        return -EINVAL;
    }
    return 0;
}

static int
apply(struct dp *dp, enum tunable t, uint64_t v, struct dstr *err)
{
    switch (t) {
    case T_PMD_MASK:
        return dp_set_pmd_mask(dp, v, err);
    case T_IDLE_SLEEP:
        return v > UINT32_MAX ? (dstr_put(err, "too large"), -EINVAL)
               : dp_set_pmd_idle_sleep(dp, (unsigned int) v, err);
    case T_EMC_PROB:
        return v > UINT32_MAX ? (dstr_put(err, "too large"), -EINVAL)
               : dp_set_emc_insert_inv_prob(dp, (unsigned int) v, err);
    case T_FLOW_LIMIT:
        return v > UINT32_MAX ? (dstr_put(err, "too large"), -EINVAL)
               : dp_set_flow_limit(dp, (unsigned int) v, err);
    case T_MAX_IDLE:
        return v > UINT32_MAX ? (dstr_put(err, "too large"), -EINVAL)
               : dp_set_max_idle(dp, (unsigned int) v, err);
    case T_UPCALL_RATE:
        return dp_set_upcall_limit(dp, v, current(dp, T_UPCALL_BURST), err);
    case T_UPCALL_BURST:
        return dp_set_upcall_limit(dp, current(dp, T_UPCALL_RATE), v, err);
    case N_TUNABLES:
        break;
    }
    return -EINVAL;
}

void
bridge_tunables_apply(struct dp *dp, const struct cfg_smap *oc)
{
    for (int i = 0; i < N_TUNABLES; i++) {
        enum tunable t = (enum tunable) i;
        const char *s = cfg_smap_get(oc, keys[t]);
        if (cfg_str_eq(s, tn.seen[t])) {
            continue;
        }
        free(tn.seen[t]);
        tn.seen[t] = s ? strdup(s) : NULL;
        free(tn.error[t]);
        tn.error[t] = NULL;
        if (tn.cmdline[t]) {
            VLOG_INFO("other_config:%s=%s not applied: the command line "
                      "set it", keys[t], s ? s : "(unset)");
            continue;
        }

        struct dstr err = DSTR_INIT;
        uint64_t v = tn.initial[t];
        int error = s ? parse(t, s, &v, &err) : 0;
        if (!error) {
            error = apply(dp, t, v, &err);
        }
        if (error) {
            VLOG_WARN("other_config:%s=%s refused: %s; keeping %llu%s",
                      keys[t], s ? s : "(unset)", dstr_cstr(&err),
                      (unsigned long long) current(dp, t),
                      t == T_PMD_MASK ? " (as a mask)" : "");
            tn.error[t] = dstr_steal(&err);
        } else {
            VLOG_INFO("other_config:%s=%s applied", keys[t],
                      s ? s : "(unset: start-up value)");
        }
        dstr_free(&err);
    }
}

int
bridge_tunables_errors(struct dstr *out)
{
    int n = 0;
    for (int t = 0; t < N_TUNABLES; t++) {
        if (tn.error[t]) {
            dstr_printf(out, "%s%s=%s: %s", n ? "; " : "", keys[t],
                        tn.seen[t] ? tn.seen[t] : "", tn.error[t]);
            n++;
        }
    }
    return n;
}
