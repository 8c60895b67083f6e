/* bridge_ofproto: the bridges' OpenFlow switches. */
#include "src/bridge_ofproto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofconn.h"
#include "ofproto/ofp_msg.h"
#include "src/util/dstr.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(bridge_ofproto);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 60);

static struct ofproto **switches;
static size_t n_switches;

static bool
wanted(const struct bridge_ofproto_cfg *cfgs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(cfgs[i].name, name)) {
            return true;
        }
    }
    return false;
}

#define DEFAULT_PROBE_MS 5000
#define DEFAULT_MAX_BACKOFF_MS 8000

/* The management socket, the snoop socket and the controllers. */
static void
set_targets(struct ofproto *p, const struct bridge_ofproto_cfg *c,
            const char *run_dir, struct stream_ssl_ctx *ssl)
{
    char mgmt[512], snoop[512];
    snprintf(mgmt, sizeof mgmt, "punix:%s/%s.mgmt", run_dir, c->name);
    snprintf(snoop, sizeof snoop, "punix:%s/%s.snoop", run_dir, c->name);
    size_t n = c->n_controllers + 2;
    struct ofconn_target *t = calloc(n, sizeof *t);
    if (!t) {
        VLOG_ERR("bridge %s: out of memory setting controllers", c->name);
        return;
    }
    t[0] = (struct ofconn_target) { .target = mgmt, .kind = OFCONN_SERVICE };
    t[1] = (struct ofconn_target) { .target = snoop, .kind = OFCONN_SNOOP };
    for (size_t i = 0; i < c->n_controllers; i++) {
        const struct cfg_controller *cc = &c->controllers[i];
        t[i + 2] = (struct ofconn_target) {
            .target = cc->target,
            .kind = OFCONN_PRIMARY,
            .max_backoff_ms = cc->max_backoff >= 1000
                              ? (uint64_t) cc->max_backoff
                              : DEFAULT_MAX_BACKOFF_MS,
            .probe_ms = cc->inactivity_probe >= 0
                        ? (uint64_t) cc->inactivity_probe : DEFAULT_PROBE_MS,
        };
    }
    struct dstr err = DSTR_INIT;
    if (ofproto_set_targets(p, t, n, ssl, &err)) {
        VLOG_WARN("bridge %s: %s", c->name, dstr_cstr(&err));
    }
    dstr_free(&err);
    free(t);
}

/* Bridge protocols, of which Sluice speaks OpenFlow 1.0 and 1.3. */
static void
set_versions(struct ofproto *p, const struct bridge_ofproto_cfg *c)
{
    uint32_t spoken = OFP_SUPPORTED_VERSIONS;
    if (c->protocols & ~spoken) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "bridge %s: protocols: only OpenFlow10 and "
                     "OpenFlow13 are supported%s", c->name,
                     c->protocols & spoken ? ""
                     : "; no OpenFlow connection can be made");
    }
    ofproto_set_versions(p, c->protocols);
}

static const char *
role_name(enum ofp_role role)
{
    return role == OFPCR_ROLE_MASTER ? "master"
           : role == OFPCR_ROLE_SLAVE ? "slave" : "other";
}

json_t *
bridge_ofproto_controller_status(const char *bridge, const char *target)
{
    struct ofproto *p = ofproto_lookup(bridge);
    struct ofconn_target_status st;
    if (!p || !ofproto_target_status(p, target, &st)) {
        return NULL;
    }
    json_t *status = json_array();
    json_t *pairs = json_array();
    char num[32];
    json_array_append_new(pairs, json_pack("[ss]", "state",
                                           st.is_connected ? "ACTIVE"
                                                           : "BACKOFF"));
    if (st.last_error && st.last_error[0]) {
        json_array_append_new(pairs, json_pack("[ss]", "last_error",
                                               st.last_error));
    }
    if (st.sec_since_connect != UINT64_MAX) {
        snprintf(num, sizeof num, "%llu",
                 (unsigned long long) st.sec_since_connect);
        json_array_append_new(pairs, json_pack("[ss]", "sec_since_connect",
                                               num));
    }
    if (st.sec_since_disconnect != UINT64_MAX) {
        snprintf(num, sizeof num, "%llu",
                 (unsigned long long) st.sec_since_disconnect);
        json_array_append_new(pairs, json_pack("[ss]",
                                               "sec_since_disconnect", num));
    }
    json_array_append_new(status, json_string("map"));
    json_array_append_new(status, pairs);
    json_t *role = st.is_connected ? json_string(role_name(st.role))
                                   : json_pack("[s[]]", "set");
    return json_pack("{sbsoso}", "is_connected", st.is_connected,
                     "role", role, "status", status);
}

/* Every table: its Flow_Table row's settings, or the defaults. */
static void
set_tables(struct ofproto *p, const struct bridge_ofproto_cfg *c)
{
    for (unsigned int t = 0; t < 254; t++) {
        const struct cfg_flow_table *ft = NULL;
        for (size_t i = 0; i < c->n_flow_tables; i++) {
            if (c->flow_tables[i].table_id == t) {
                ft = &c->flow_tables[i];
            }
        }
        if (ft && ft->overflow_policy
            && !strcmp(ft->overflow_policy, "evict")) {
            VLOG_WARN_RL(&rl, "bridge %s: table %u: overflow_policy=evict "
                         "is not supported: a full table refuses new rules",
                         c->name, t);
        }
        ofproto_set_table(p, (uint8_t) t,
                          ft ? (const char *const *) ft->prefixes : NULL,
                          ft ? ft->n_prefixes : 0,
                          ft ? ft->flow_limit : -1);
    }
}

void
bridge_ofproto_sync(const struct bridge_ofproto_cfg *cfgs, size_t n,
                    const char *run_dir, struct stream_ssl_ctx *ssl)
{
    for (size_t i = 0; i < n_switches; ) {
        if (!wanted(cfgs, n, ofproto_name(switches[i]))) {
            ofproto_destroy(switches[i]);
            switches[i] = switches[--n_switches];
        } else {
            i++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct bridge_ofproto_cfg *c = &cfgs[i];
        struct ofproto *p = ofproto_lookup(c->name);
        if (!p) {
            struct ofproto **a = realloc(switches,
                                         (n_switches + 1) * sizeof *a);
            if (!a || !(p = ofproto_create(c->name, c->fail_secure))) {
                VLOG_ERR("bridge %s: out of memory for its OpenFlow switch",
                         c->name);
                switches = a ? a : switches;
                continue;
            }
            switches = a;
            switches[n_switches++] = p;
        }
        set_versions(p, c);
        set_targets(p, c, run_dir, ssl);
        set_tables(p, c);
        ofproto_set_dpid(p, c->dpid);
        ofproto_set_fail_secure(p, c->fail_secure);
        ofproto_set_mac_learning(p, c->mac_aging_s, c->mac_table_size);
        ofproto_set_ports(p, c->ports, c->n_ports);
    }
}

void
bridge_ofproto_stop(void)
{
    for (size_t i = 0; i < n_switches; i++) {
        ofproto_destroy(switches[i]);
    }
    free(switches);
    switches = NULL;
    n_switches = 0;
}
