/* bridge: the reconciler from the Open_vSwitch database to the datapath. */
#include "src/bridge.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_ethdev.h>
#include <rte_version.h>

#include "ofproto/bridge_flood.h"
#include "ofproto/mac_learning.h"
#include "ofproto/ofproto.h"
#include "ofproto/upcall.h"
#include "ovsdb/db.h"
#include "ovsdb/error.h"
#include "ovsdb/txn.h"
#include "pmd/dp.h"
#include "pmd/port.h"
#include "pmd/rxq_sched.h"
#include "src/bridge_cfg.h"
#include "src/bridge_iface.h"
#include "src/bridge_ofproto.h"
#include "src/bridge_status.h"
#include "src/bridge_tunables.h"
#include "src/options.h"
#include "src/util/dstr.h"
#include "src/util/loop.h"
#include "src/util/scan.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(bridge);

static struct vlog_rate_limit status_rl = VLOG_RATE_LIMIT_INIT(2, 30);

#define NO_PORT UINT32_MAX
#define OFPP_LOCAL 65534
#define OFPP_MAX 65279          /* Highest ordinary OpenFlow port. */
#define STATUS_TICK_MS 1000
#define DEFAULT_STATS_INTERVAL_MS 5000

/* An interface as it runs. */
struct rt_iface {
    char *name;
    struct ovsdb_uuid uuid;
    char *bridge;               /* Name of its bridge at the last pass. */
    size_t br_idx;              /* Index in the snapshot of this pass. */
    const struct cfg_iface *cfg;    /* Valid during a pass. */
    const struct cfg_port *port;    /* Its Port row, during a pass. */
    struct iface_plan plan;     /* As applied (if has_plan). */
    bool has_plan;
    uint32_t port_no;           /* Datapath port, or NO_PORT. */
    int64_t ofport;             /* -1: none (failed). */
    char *error;                /* Why it does not work, or NULL. */
    char *warning;              /* Works, but not quite as asked. */
    bool is_local;              /* The bridge's own internal port. */
    char *cfg_type;             /* Type of the plan applied. */
    bool link_known, link_up;  /* As the flood last saw it. */
    bool seen;
    char *affinity;             /* pmd-rxq-affinity last seen, or NULL. */
};

static struct {
    struct loop *loop;
    struct dp *dp;
    struct ovsdb_db *db;
    struct loop_timer *pass_timer;
    struct loop_timer *status_timer;
    struct rt_iface **ifaces;
    size_t n_ifaces;
    struct cfg cfg;             /* Snapshot of the last pass. */
    bool own_txn;               /* Our own write is committing. */
    bool cfg_unwritten;         /* cur_cfg and ofports still to write. */
    uint64_t stats_interval_ms;
    uint64_t last_stats_ms;
    char **noted;               /* "Not acted on yet" already logged. */
    size_t n_noted;
    bool started;
    struct stream_ssl_ctx *ssl;     /* For ssl:/pssl: controllers. */
} br;

static void pass_cb(void *);

/* The daemon's run directory (bridge_set_run_dir) and the vhost socket
 * directory of the pass (Open_vSwitch other_config:vhost-sock-dir). */
static char *run_dir;
static char *vhost_sock_dir;

/* other_config:vhost-sock-dir, as in Open vSwitch relative to the run
 * directory (an absolute path is taken as it is); the run directory by
 * default. */
static void
update_vhost_sock_dir(const struct cfg *cfg)
{
    const char *base = run_dir ? run_dir : ".";
    const char *v = cfg_smap_get(&cfg->other_config, "vhost-sock-dir");
    free(vhost_sock_dir);
    if (!v || !*v) {
        vhost_sock_dir = xasprintf("%s", base);
    } else if (v[0] == '/') {
        vhost_sock_dir = xasprintf("%s", v);
    } else {
        vhost_sock_dir = xasprintf("%s/%s", base, v);
    }
}

static const struct iface_env *
iface_env(void)
{
    static struct iface_env env;
    env.vhost_sock_dir = vhost_sock_dir;
    return &env;
}

/* EAL keys of other_config and the values start-up saw. */
static const char *const eal_keys[] = {
    "dpdk-lcore-mask", "dpdk-socket-mem", "dpdk-alloc-mem", "dpdk-extra",
    "dpdk-socket-limit", "dpdk-hugepage-dir", "dpdk-init",
};
#define N_EAL_KEYS (sizeof eal_keys / sizeof eal_keys[0])
static char *eal_seen[N_EAL_KEYS];
static bool eal_recorded;
/* Tunables the command line set (BRIDGE_TUNABLE_*): the database's
 * values of these are not applied. */
static unsigned int tunables_cmdline;

/* ---- Runtime interfaces ---------------------------------------------- */

static struct rt_iface *
rt_find(const char *name)
{
    for (size_t i = 0; i < br.n_ifaces; i++) {
        if (!strcmp(br.ifaces[i]->name, name)) {
            return br.ifaces[i];
        }
    }
    return NULL;
}

static struct rt_iface *
rt_create(const char *name)
{
    struct rt_iface *rt = calloc(1, sizeof *rt);
    struct rt_iface **v = realloc(br.ifaces,
                                  (br.n_ifaces + 1) * sizeof *v);
    if (!rt || !v || !(rt->name = strdup(name))) {
        abort();
    }
    rt->port_no = NO_PORT;
    rt->ofport = -1;
    br.ifaces = v;
    br.ifaces[br.n_ifaces++] = rt;
    return rt;
}

static void
rt_set_error(struct rt_iface *rt, const char *error)
{
    if (error && rt->error && !strcmp(error, rt->error)) {
        return;
    }
    free(rt->error);
    rt->error = error ? strdup(error) : NULL;
    if (error) {
        VLOG_WARN("interface %s: %s", rt->name, error);
    }
}

static void
rt_set_warning(struct rt_iface *rt, const char *warning)
{
    if (warning && rt->warning && !strcmp(warning, rt->warning)) {
        return;
    }
    free(rt->warning);
    rt->warning = warning ? strdup(warning) : NULL;
    if (warning) {
        VLOG_WARN("interface %s: %s", rt->name, warning);
    }
}

static void
rt_close(struct rt_iface *rt)
{
    if (rt->port_no != NO_PORT) {
        struct dstr err = DSTR_INIT;
        if (dp_port_del(br.dp, rt->name, &err)) {
            VLOG_WARN("interface %s: cannot close: %s", rt->name,
                      dstr_cstr(&err));
        } else {
            VLOG_INFO("interface %s: closed (datapath port %u)", rt->name,
                      rt->port_no);
        }
        dstr_free(&err);
        rt->port_no = NO_PORT;
    }
    if (rt->has_plan) {
        iface_plan_destroy(&rt->plan);
        rt->has_plan = false;
    }
    rt->link_known = false;
    free(rt->affinity);         /* The port's pins went with it. */
    rt->affinity = NULL;
}

static void
rt_destroy(struct rt_iface *rt)
{
    rt_close(rt);
    free(rt->name);
    free(rt->bridge);
    free(rt->error);
    free(rt->warning);
    free(rt->cfg_type);
    free(rt);
}

/* Another open interface on the vhost-user socket of 'rt', or NULL. */
static const struct rt_iface *
vhost_socket_user(const struct rt_iface *rt)
{
    if (!rt->plan.vhost_socket) {
        return NULL;
    }
    for (size_t i = 0; i < br.n_ifaces; i++) {
        const struct rt_iface *o = br.ifaces[i];
        if (o != rt && o->has_plan && o->port_no != NO_PORT
            && o->plan.vhost_socket
            && !strcmp(o->plan.vhost_socket, rt->plan.vhost_socket)) {
            return o;
        }
    }
    return NULL;
}

/* Takes 'plan' and opens its device (a patch has none). */
static void
rt_open(struct rt_iface *rt, struct iface_plan *plan)
{
    rt->plan = *plan;
    rt->plan.pc.name = rt->name;
    rt->has_plan = true;
    memset(plan, 0, sizeof *plan);
    rt_set_error(rt, NULL);
    if (rt->plan.kind != IFACE_DEVICE) {
        return;
    }
    if (dp_port_by_name(br.dp, rt->name)) {
        char msg[160];
        snprintf(msg, sizeof msg, "a datapath port named %s already exists "
                 "(opened outside the database)", rt->name);
        rt_set_error(rt, msg);
        return;
    }
    const struct rt_iface *other = vhost_socket_user(rt);
    if (other) {
        char msg[PATH_MAX + 96];
        snprintf(msg, sizeof msg, "vhost-user socket %s is already used by "
                 "interface %s", rt->plan.vhost_socket, other->name);
        rt_set_error(rt, msg);
        return;
    }
    struct dstr err = DSTR_INIT;
    int port_no = dp_port_add(br.dp, &rt->plan.pc, &err);
    if (port_no >= 0 && rt->plan.vhost_server
        && chmod(rt->plan.vhost_socket, 0600)) {
        VLOG_WARN("interface %s: cannot make %s owner-only: %s", rt->name,
                  rt->plan.vhost_socket, strerror(errno));
    }
    if (port_no < 0) {
        rt_set_error(rt, err.len ? dstr_cstr(&err)
                                         : strerror(-port_no));
    } else {
        rt->port_no = (uint32_t) port_no;
        VLOG_INFO("interface %s: opened %s as datapath port %d", rt->name,
                  rt->plan.devargs, port_no);
        if (rt->cfg && !strcmp(rt->cfg->type, "internal")) {
            /* As in Open vSwitch, the host side of an internal port
             * starts administratively down ("ip link set NAME up"). */
            rte_eth_dev_set_link_down(dp_port(br.dp, port_no)->port_id);
        }
    }
    dstr_free(&err);
}

/* ---- One pass -------------------------------------------------------- */

/* Logs 'what' the first time only. */
static void
note_once(const char *what)
{
    for (size_t i = 0; i < br.n_noted; i++) {
        if (!strcmp(br.noted[i], what)) {
            return;
        }
    }
    char **v = realloc(br.noted, (br.n_noted + 1) * sizeof *v);
    if (!v || !(v[br.n_noted] = strdup(what))) {
        abort();
    }
    br.noted = v;
    br.n_noted++;
    VLOG_INFO("%s", what);
}

static void
note_unused(const struct cfg_bridge *b)
{
#define NOT_YET " is stored but not acted on yet"
    if (b->n_mirrors) {
        note_once("Bridge mirrors" NOT_YET);
    }
    if (b->has_netflow) {
        note_once("Bridge netflow" NOT_YET);
    }
    if (b->has_sflow) {
        note_once("Bridge sflow" NOT_YET);
    }
    if (b->has_ipfix) {
        note_once("Bridge ipfix" NOT_YET);
    }
    if (strcmp(b->datapath_type, "") && strcmp(b->datapath_type, "netdev")) {
        note_once("Bridge datapath_type other than netdev" NOT_YET
                  " (every bridge is netdev)");
    }
    for (size_t p = 0; p < b->n_ports; p++) {
        const struct cfg_port *port = &b->ports[p];
        if (port->n_ifaces > 1) {
            note_once("Port with several interfaces: bonding is not built "
                      "yet; only its first interface whose link is up is "
                      "flooded to");
        }
        for (size_t i = 0; i < port->n_ifaces; i++) {
            if (port->ifaces[i].mac) {
                note_once("Interface mac" NOT_YET);
            }
        }
    }
#undef NOT_YET
}

/* The bridge's MAC: other_config:hwaddr, else one derived from its
 * UUID (locally administered, so stable across restarts). */
static void
bridge_mac(const struct cfg_bridge *b, uint8_t mac[6])
{
    const char *hw = cfg_smap_get(&b->other_config, "hwaddr");
    if (hw && !scan_mac(hw, mac)) {
        if (!(mac[0] & 1)) {
            return;
        }
        VLOG_WARN("bridge %s: other_config:hwaddr %s is multicast, ignored",
                  b->name, hw);
    }
    memcpy(mac, b->uuid.b, 6);
    mac[0] = (uint8_t) ((mac[0] & 0xfc) | 0x02);
}

static uint64_t
bridge_dpid(const struct cfg_bridge *b)
{
    const char *s = cfg_smap_get(&b->other_config, "datapath-id");
    if (s) {
        uint64_t v;
        if (strlen(s) == 16 && !scan_uint(s, 16, UINT64_MAX, &v)) {
            return v;
        }
        VLOG_WARN("bridge %s: other_config:datapath-id %s is not 16 hex "
                  "digits, ignored", b->name, s);
    }
    uint8_t mac[6];
    uint64_t dpid = 0;
    bridge_mac(b, mac);
    for (int i = 0; i < 6; i++) {
        dpid = (dpid << 8) | mac[i];
    }
    return dpid;
}

/* Whether the datapath port the interface opened is still there (a port
 * deleted behind the reconciler's back, e.g. dpctl/del-if, is not). */
static bool
rt_device_open(const struct rt_iface *rt)
{
    struct port *port = rt->port_no != NO_PORT
                        ? dp_port_by_name(br.dp, rt->name) : NULL;
    return port && port->port_no == rt->port_no;
}

static void
set_port_mac(struct rt_iface *rt, const uint8_t mac[6])
{
    struct rte_ether_addr addr;
    memcpy(addr.addr_bytes, mac, 6);
    if (rt_device_open(rt)
        && rte_eth_dev_default_mac_addr_set(
               dp_port(br.dp, rt->port_no)->port_id, &addr)) {
        VLOG_WARN("interface %s: cannot change its MAC", rt->name);
    }
}

static bool
rt_running(const struct rt_iface *rt)
{
    return rt->has_plan && !rt->error
           && (rt->plan.kind == IFACE_PATCH || rt_device_open(rt));
}

static void
reconcile_iface(const struct cfg_bridge *b, size_t br_idx,
                const struct cfg_port *port, const struct cfg_iface *ifc)
{
    struct rt_iface *rt = rt_find(ifc->name);
    if (rt && rt->seen) {
        return;                 /* Referenced twice: the first wins. */
    }
    if (!rt) {
        rt = rt_create(ifc->name);
    }
    rt->seen = true;
    rt->uuid = ifc->uuid;
    rt->br_idx = br_idx;
    rt->cfg = ifc;
    rt->port = port;
    rt->is_local = !strcmp(ifc->name, b->name)
                   && !strcmp(ifc->type, "internal");

    uint8_t mac[6];
    struct iface_plan plan;
    struct dstr err = DSTR_INIT;
    bool running = rt_running(rt);
    bridge_mac(b, mac);
    if (iface_plan_build(ifc, rt->is_local ? mac : NULL, iface_env(), &plan,
                         &err)) {
        if (running && rt->cfg_type && !strcmp(ifc->type, rt->cfg_type)) {
            /* A bad option on a working interface: it goes on with what
             * it has. */
            dstr_put(&err, "; running with the previous settings");
            rt_set_warning(rt, dstr_cstr(&err));
        } else {
            rt_close(rt);
            rt_set_error(rt, dstr_cstr(&err));
        }
        dstr_free(&err);
        return;
    }
    dstr_clear(&err);
    free(rt->cfg_type);
    rt->cfg_type = strdup(ifc->type);

    if (running && iface_plan_same_device(&rt->plan, &plan)
        && iface_plan_same_queues(&rt->plan, &plan)) {
        /* Still open as asked; numbering decides about warnings anew. */
        if (rt->plan.devargs && strcmp(rt->plan.devargs, plan.devargs)) {
            /* Only the MAC of a bridge's own port differs. */
            set_port_mac(rt, mac);
            free(rt->plan.devargs);
            rt->plan.devargs = plan.devargs;
            rt->plan.pc.devargs = plan.devargs;
            plan.devargs = NULL;
        }
        iface_plan_destroy(&plan);
        rt_set_warning(rt, NULL);
        return;
    }
    if (running && rt->plan.kind == IFACE_DEVICE
        && iface_plan_same_device(&rt->plan, &plan)) {
        /* Queues, descriptors, MTU or buffers: changed in place, the
         * port keeps its number and flows. */
        struct port_config pc = plan.pc;
        bool host_down = rt->is_local && rt->link_known && !rt->link_up;
        pc.name = rt->name;
        pc.devargs = NULL;
        int error = dp_port_reconfigure(br.dp, rt->name, &pc, &err);
        if (!error) {
            VLOG_INFO("interface %s: reconfigured", rt->name);
            iface_plan_destroy(&rt->plan);
            rt->plan = plan;
            rt->plan.pc.name = rt->name;
            rt_set_warning(rt, NULL);
        } else {
            /* The datapath restored the old settings: the port works,
             * the row says what could not be done. */
            iface_plan_destroy(&plan);
            dstr_put(&err, "; running with the previous settings");
            rt_set_warning(rt, dstr_cstr(&err));
        }
        if (host_down && rt_device_open(rt)) {
            /* Restarting the device brought the host side up. */
            rte_eth_dev_set_link_down(dp_port(br.dp, rt->port_no)->port_id);
        }
        dstr_free(&err);
        return;
    }
    rt_close(rt);
    rt_set_warning(rt, NULL);
    rt_open(rt, &plan);
}

static bool
ofport_taken(int64_t *used, size_t n, int64_t ofport)
{
    for (size_t i = 0; i < n; i++) {
        if (used[i] == ofport) {
            return true;
        }
    }
    return false;
}

static int64_t
lowest_free(int64_t *used, size_t n)
{
    for (int64_t o = 1; o <= OFPP_MAX; o++) {
        if (!ofport_taken(used, n, o)) {
            return o;
        }
    }
    return -1;
}

static bool
rt_working(const struct rt_iface *rt)
{
    return !rt->error && rt->has_plan;
}

static bool
has_request(const struct rt_iface *rt)
{
    int64_t req = rt->cfg->ofport_request;
    return req >= 1 && req <= OFPP_MAX;
}

/* OpenFlow port numbers of one bridge's interfaces, as Open vSwitch
 * gives them: LOCAL; then requests (a number already held by the
 * requester first); a request for a number another interface holds or
 * requested earlier gets a free number instead, with a warning; then
 * numbers held since the last pass, numbers stored in the database by an
 * earlier run, and the lowest free ones. */
static void
assign_ofports(const struct cfg_bridge *b, size_t br_idx)
{
    size_t n = 0, cap = br.n_ifaces + 1;
    struct rt_iface **mine = calloc(cap, sizeof *mine);
    bool *wants = calloc(cap, sizeof *wants);   /* A request to honour. */
    int64_t *used = calloc(cap, sizeof *used);
    size_t n_used = 0;
    if (!mine || !wants || !used) {
        abort();
    }
    for (size_t i = 0; i < br.n_ifaces; i++) {
        struct rt_iface *rt = br.ifaces[i];
        if (rt->seen && rt->br_idx == br_idx) {
            bool same_bridge = rt->bridge && !strcmp(rt->bridge, b->name);
            if (!same_bridge || !rt_working(rt)) {
                rt->ofport = -1;
            }
            wants[n] = !rt->is_local && rt_working(rt) && has_request(rt);
            mine[n++] = rt;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (mine[i]->is_local && rt_working(mine[i])) {
            mine[i]->ofport = OFPP_LOCAL;
            used[n_used++] = OFPP_LOCAL;
        }
    }
    for (int holders = 1; holders >= 0; holders--) {
        for (size_t i = 0; i < n; i++) {
            struct rt_iface *rt = mine[i];
            int64_t req = rt->cfg->ofport_request;
            if (!wants[i] || (rt->ofport == req) != holders) {
                continue;
            }
            if (ofport_taken(used, n_used, req)) {
                wants[i] = false;       /* Numbered below, like the rest. */
                rt->ofport = -1;
                continue;
            }
            rt->ofport = req;
            used[n_used++] = req;
        }
    }
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < n; i++) {
            struct rt_iface *rt = mine[i];
            if (rt->is_local || !rt_working(rt) || wants[i]
                || (round > 0 && rt->ofport > 0)) {
                continue;
            }
            int64_t want = round == 0 ? rt->ofport
                           : round == 1 ? rt->cfg->ofport
                           : lowest_free(used, n_used);
            if (want >= 1 && want <= OFPP_MAX
                && !ofport_taken(used, n_used, want)) {
                rt->ofport = want;
                used[n_used++] = want;
            } else {
                rt->ofport = -1;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct rt_iface *rt = mine[i];
        if (!rt->is_local && rt_working(rt) && has_request(rt)
            && rt->ofport != rt->cfg->ofport_request) {
            char msg[160];
            snprintf(msg, sizeof msg, "ofport_request %lld is already taken "
                     "by another interface of bridge %s; using %lld",
                     (long long) rt->cfg->ofport_request, b->name,
                     (long long) rt->ofport);
            rt_set_warning(rt, msg);
        }
        free(rt->bridge);
        rt->bridge = strdup(b->name);
    }
    free(mine);
    free(wants);
    free(used);
}

/* Polls the link of every open port.  Returns whether any changed since
 * the flood was built (the datapath counts the resets). */
static bool
update_links(void)
{
    bool changed = false;
    for (size_t i = 0; i < br.n_ifaces; i++) {
        struct rt_iface *rt = br.ifaces[i];
        struct port *port = rt->seen && rt->port_no != NO_PORT
                            ? dp_port(br.dp, rt->port_no) : NULL;
        bool up = false;
        uint32_t speed;
        if (!port) {
            rt->link_known = false;
            continue;
        }
        port_get_link(port, &up, &speed);
        if (rt->link_known && up != rt->link_up) {
            changed = true;
            VLOG_INFO("interface %s: link %s", rt->name, up ? "up" : "down");
        }
        rt->link_known = true;
        rt->link_up = up;
    }
    return changed;
}

static void
set_flood_vlan(struct flood_topo *t, const struct rt_iface *rt)
{
    const struct cfg_port *p = rt->port;
    enum flood_vlan_mode mode;

    if (!p || (p->tag < 0 && !p->n_trunks && !p->vlan_mode)) {
        return;
    }
    if (flood_vlan_mode_from_string(p->vlan_mode, &mode)) {
        char what[96];
        snprintf(what, sizeof what, "Port vlan_mode %s is not supported "
                 "(the default mode is used)", p->vlan_mode);
        note_once(what);
        mode = FLOOD_VLAN_DEFAULT;
    }
    flood_topo_set_vlan(t, rt->port_no, mode, (int) p->tag, p->trunks,
                        p->n_trunks);
}

/* The flood topology: every working device of a bridge receives into
 * it; it is flooded to only if its link is up and, for a Port with
 * several interfaces (a bond, not built yet), only the first such one -
 * members of one Port never flood to each other.  Bridges in fail_mode
 * secure flood nothing, as Open vSwitch's set up no flows of their own. */
static void
rebuild_flood(const struct cfg *cfg)
{
    struct flood_topo *t = flood_topo_create(cfg->n_bridges);
    const struct cfg_port **groups = calloc(br.n_ifaces + 1,
                                            sizeof *groups);
    bool *has_output = calloc(br.n_ifaces + 1, sizeof *has_output);
    size_t n_groups = 0;
    if (!t || !groups || !has_output) {
        VLOG_ERR("out of memory building the flood topology");
        flood_topo_destroy(t);
        free(groups);
        free(has_output);
        return;
    }
    for (size_t i = 0; i < br.n_ifaces; i++) {
        struct rt_iface *rt = br.ifaces[i];
        if (!rt->seen || rt->ofport < 0 || !rt_working(rt)) {
            continue;
        }
        if (rt->port_no != NO_PORT) {
            size_t g = 0;
            while (g < n_groups && groups[g] != rt->port) {
                g++;
            }
            if (g == n_groups) {
                groups[n_groups++] = rt->port;
            }
            bool up = !rt->link_known || rt->link_up;
            if (up && !has_output[g]) {
                flood_topo_add_port(t, rt->br_idx, rt->port_no);
                has_output[g] = rt->port && rt->port->n_ifaces > 1;
            } else {
                flood_topo_add_member(t, rt->br_idx, rt->port_no);
            }
            flood_topo_set_group(t, rt->port_no, (uint32_t) g + 1);
            set_flood_vlan(t, rt);
        } else if (rt->plan.kind == IFACE_PATCH) {
            struct rt_iface *peer = rt_find(rt->plan.peer);
            if (peer && peer->seen && rt_working(peer)
                && peer->plan.kind == IFACE_PATCH && peer->ofport >= 0
                && !strcmp(peer->plan.peer, rt->name)
                && peer->br_idx != rt->br_idx) {
                flood_topo_add_patch(t, rt->br_idx, peer->br_idx);
            }
        }
    }
    free(groups);
    free(has_output);
    flood_set_topo(t);
}

/* Bridge other_config 'key' as Open vSwitch reads it: a number, else
 * (quietly, as there) 'def'; the switch forces it into its range. */
static uint64_t
bridge_uint_option(const struct cfg_bridge *cb, const char *key,
                   uint64_t def)
{
    uint64_t v;
    return cfg_smap_get_uint(&cb->other_config, key, def, 0, UINT32_MAX,
                             &v) ? def : v;
}

/* The bridges' OpenFlow switches follow the interfaces that work. */
static void
sync_ofprotos(const struct cfg *cfg)
{
    struct bridge_ofproto_cfg *bc = calloc(cfg->n_bridges + 1, sizeof *bc);
    struct ofproto_port_cfg *pc = calloc(br.n_ifaces + 1, sizeof *pc);
    if (!bc || !pc) {
        VLOG_ERR("out of memory updating the OpenFlow switches");
        free(bc);
        free(pc);
        return;
    }
    size_t np = 0;
    for (size_t b = 0; b < cfg->n_bridges; b++) {
        const struct cfg_bridge *cb = &cfg->bridges[b];
        bc[b].name = cb->name;
        bc[b].dpid = bridge_dpid(cb);
        bc[b].fail_secure = cb->fail_mode && !strcmp(cb->fail_mode, "secure");
        bc[b].protocols = cb->protocols;
        bc[b].controllers = cb->controllers;
        bc[b].n_controllers = cb->n_controllers;
        bc[b].flow_tables = cb->flow_tables;
        bc[b].n_flow_tables = cb->n_flow_tables;
        bc[b].mac_aging_s = (unsigned int) bridge_uint_option(
            cb, "mac-aging-time", MAC_LEARNING_AGING_DEFAULT);
        bc[b].mac_table_size = (size_t) bridge_uint_option(
            cb, "mac-table-size", MAC_LEARNING_SIZE_DEFAULT);
        bc[b].ports = &pc[np];
        for (size_t i = 0; i < br.n_ifaces; i++) {
            const struct rt_iface *rt = br.ifaces[i];
            if (!rt->seen || rt->br_idx != b || rt->ofport < 0
                || !rt_working(rt)) {
                continue;
            }
            struct ofproto_port_cfg *p = &pc[np];
            p->ofp_port = (uint32_t) rt->ofport;
            p->name = rt->name;
            struct port_status st;
            if (rt->port_no != NO_PORT
                && !dp_port_status(br.dp, rt->port_no, &st)) {
                p->dp_port = rt->port_no;
                memcpy(p->mac, st.mac, 6);
                p->link_up = st.link_up;
                p->speed_mbps = st.speed_mbps;
            } else if (rt->plan.kind == IFACE_PATCH) {
                p->dp_port = OFPROTO_NO_DP_PORT;
                p->peer = rt->plan.peer;
                p->link_up = true;
            } else {
                continue;
            }
            np++;
            bc[b].n_ports++;
        }
    }
    bridge_ofproto_sync(bc, cfg->n_bridges, run_dir ? run_dir : ".",
                        br.ssl);
    free(bc);
    free(pc);
}

/* ---- Writing status back --------------------------------------------- */

static json_t *
where_uuid(const struct ovsdb_uuid *u)
{
    char s[40];
    ovsdb_uuid_format(u, s);
    return json_pack("[[ss[ss]]]", "_uuid", "==", "uuid", s);
}

/* An update of row 'u' of 'table' with the columns of 'row' that the
 * table has (a database of an older or trimmed schema still gets the
 * rest, and cur_cfg). */
static json_t *
update_op(const char *table, const struct ovsdb_uuid *u, json_t *row)
{
    const struct ovsdb_table *t = ovsdb_db_find_table(br.db, table);
    const char *column;
    json_t *value, *tmp;
    json_object_foreach_safe(row, tmp, column, value) {
        if (!t || !ovsdb_table_schema_find_column(t->schema, column)) {
            json_object_del(row, column);
        }
    }
    return json_pack("{ss ss so so}", "op", "update", "table", table,
                     "where", where_uuid(u), "row", row);
}

static json_t *
patch_status(const struct rt_iface *rt)
{
    const struct rt_iface *peer = rt_find(rt->plan.peer);
    bool up = peer && peer->seen && peer->has_plan
              && peer->plan.kind == IFACE_PATCH
              && !strcmp(peer->plan.peer, rt->name);
    json_t *row = bridge_status_no_device(rt->warning, rt->ofport);
    json_object_set_new(row, "admin_state", json_string("up"));
    json_object_set_new(row, "link_state", json_string(up ? "up" : "down"));
    json_object_set_new(row, "status",
                        json_pack("[s[[ss]]]", "map", "peer",
                                  up ? rt->plan.peer : "missing or not "
                                  "pointing back"));
    return row;
}

static json_t *
iface_status(struct rt_iface *rt)
{
    if (rt->error || !rt->has_plan) {
        return bridge_status_no_device(rt->error, -1);
    }
    if (rt->plan.kind == IFACE_PATCH) {
        return patch_status(rt);
    }
    bool up;
    json_t *row = bridge_status_iface(br.dp, rt->port_no, &up);
    json_object_set_new(row, "ofport", json_integer(rt->ofport));
    json_object_set_new(row, "error", rt->warning
                                      ? json_string(rt->warning)
                                      : json_pack("[s[]]", "set"));
    return row;
}

static json_t *
string_set(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, json_string(v[i]));
    }
    return json_pack("[so]", "set", a);
}

/* Returns whether the transaction committed. */
static bool
commit_local(json_t *ops, const char *what)
{
    if (!json_array_size(ops)) {
        json_decref(ops);
        return true;
    }
    br.own_txn = true;
    json_t *err = ovsdb_txn_local(br.db, ops, NULL);
    br.own_txn = false;
    if (err) {
        char *text = json_dumps(err, JSON_COMPACT);
        VLOG_WARN_RL(&status_rl, "cannot write %s: %s", what,
                     text ? text : "?");
        free(text);
        json_decref(err);
        json_decref(ops);
        return false;
    }
    json_decref(ops);
    return true;
}

/* Status of every interface; with 'cfg_done' also cur_cfg, the bridges'
 * datapath_id and the Open_vSwitch row's capabilities. */
static void
write_status(const struct cfg *cfg, bool cfg_done)
{
    json_t *ops = json_array();

    for (size_t i = 0; i < br.n_ifaces; i++) {
        struct rt_iface *rt = br.ifaces[i];
        if (rt->seen) {
            json_array_append_new(ops, update_op("Interface", &rt->uuid,
                                                 iface_status(rt)));
        }
    }
    for (size_t b = 0; b < cfg->n_bridges; b++) {
        const struct cfg_bridge *cb = &cfg->bridges[b];
        for (size_t c = 0; c < cb->n_controllers; c++) {
            json_t *row = bridge_ofproto_controller_status(
                cb->name, cb->controllers[c].target);
            if (row) {
                json_array_append_new(ops, update_op(
                    "Controller", &cb->controllers[c].uuid, row));
            }
        }
    }
    if (cfg_done && cfg->present) {
        for (size_t b = 0; b < cfg->n_bridges; b++) {
            char dpid[20];
            snprintf(dpid, sizeof dpid, "%016" PRIx64,
                     bridge_dpid(&cfg->bridges[b]));
            json_array_append_new(ops, update_op("Bridge",
                                                 &cfg->bridges[b].uuid,
                                                 json_pack("{ss}",
                                                           "datapath_id",
                                                           dpid)));
        }
        size_t n_types;
        const char *const *types = iface_supported_types(&n_types);
        const char *dp_types[] = { "netdev" };
        json_array_append_new(ops, update_op("Open_vSwitch", &cfg->root,
            json_pack("{sI sb ss so so}",
                      "cur_cfg", (json_int_t) cfg->next_cfg,
                      "dpdk_initialized", 1,
                      "dpdk_version", rte_version(),
                      "iface_types", string_set(types, n_types),
                      "datapath_types", string_set(dp_types, 1))));
    }
    bool ok = commit_local(ops, cfg_done ? "configuration status"
                                         : "status");
    if (cfg_done) {
        /* Retried by the status timer until it goes through: ovs-vsctl
         * waits for cur_cfg. */
        br.cfg_unwritten = !ok;
    }
    br.last_stats_ms = loop_now_ms();
}

static void
record_eal_keys(const struct cfg_smap *oc)
{
    for (size_t i = 0; i < N_EAL_KEYS; i++) {
        const char *v = cfg_smap_get(oc, eal_keys[i]);
        free(eal_seen[i]);
        eal_seen[i] = v ? strdup(v) : NULL;
    }
    eal_recorded = true;
}

/* EAL was set up once, at start-up: say so when its keys change. */
static void
check_eal_keys(const struct cfg_smap *oc)
{
    if (!eal_recorded) {
        record_eal_keys(oc);
        return;
    }
    for (size_t i = 0; i < N_EAL_KEYS; i++) {
        const char *v = cfg_smap_get(oc, eal_keys[i]);
        if (!cfg_str_eq(v, eal_seen[i])) {
            VLOG_WARN("other_config:%s changed to %s: DPDK (EAL) settings "
                      "are read at start-up only; restart sluiced to apply",
                      eal_keys[i], v ? v : "(unset)");
            free(eal_seen[i]);
            eal_seen[i] = v ? strdup(v) : NULL;
        }
    }
}

int
bridge_eal_defaults(const struct ovsdb_db *db, struct sluiced_options *o,
                    uint64_t usable, struct dstr *err)
{
    struct cfg cfg;
    (void) err;
    if (cfg_read(db, &cfg)) {
        return 0;
    }
    const struct cfg_smap *oc = &cfg.other_config;
    const char *v;
    uint64_t mask;
    unsigned int mb;

    if ((v = cfg_smap_get(oc, "dpdk-lcore-mask")) && o->control_core < 0) {
        if (!cfg_parse_hex_mask(v, &mask) || !mask) {
            VLOG_WARN("other_config:dpdk-lcore-mask=%s is not a hex core "
                      "mask, ignored", v);
        } else if (!(mask & usable)) {
            VLOG_WARN("other_config:dpdk-lcore-mask=%s names no core this "
                      "process may use (0x%llx), ignored", v,
                      (unsigned long long) usable);
        } else {
            o->control_core = __builtin_ctzll(mask & usable);
            VLOG_INFO("control core %d from other_config:dpdk-lcore-mask",
                      o->control_core);
        }
    }
    if (o->pmd_mask) {
        tunables_cmdline |= BRIDGE_TUNABLE_PMD_MASK;
    }
    if ((v = cfg_smap_get(oc, "pmd-cpu-mask")) && o->pmd_mask) {
        VLOG_INFO("other_config:pmd-cpu-mask=%s: --pmd-cpu-mask given on "
                  "the command line wins", v);
    } else if (v) {
        if (!cfg_parse_hex_mask(v, &mask) || !mask) {
            VLOG_WARN("other_config:pmd-cpu-mask=%s is not a hex core mask, "
                      "ignored", v);
        } else if (mask & ~usable) {
            VLOG_WARN("other_config:pmd-cpu-mask=%s names cores this "
                      "process may not use (0x%llx), ignored", v,
                      (unsigned long long) usable);
        } else {
            o->pmd_mask = mask;
            VLOG_INFO("pmd mask 0x%llx from other_config:pmd-cpu-mask",
                      (unsigned long long) mask);
        }
    }
    v = cfg_smap_get(oc, "dpdk-socket-mem");
    if (!v) {
        v = cfg_smap_get(oc, "dpdk-alloc-mem");
    }
    if (v && !o->memory_mb) {
        if (cfg_parse_socket_mem(v, &mb)) {
            o->memory_mb = mb;
            VLOG_INFO("%u MB of DPDK memory from other_config", mb);
        } else {
            VLOG_WARN("other_config DPDK memory \"%s\" is not a number of "
                      "megabytes (per NUMA node, comma separated), ignored",
                      v);
        }
    }
    if (o->pmd_idle_sleep_given) {
        tunables_cmdline |= BRIDGE_TUNABLE_IDLE_SLEEP;
    }
    if ((v = cfg_smap_get(oc, "dpdk-extra")) && !o->eal_args && *v) {
        o->eal_args = strdup(v);
        VLOG_INFO("extra EAL arguments from other_config:dpdk-extra: %s", v);
    }
    record_eal_keys(oc);
    cfg_destroy(&cfg);
    return 0;
}

static void
apply_global(const struct cfg *cfg)
{
    check_eal_keys(&cfg->other_config);
    bridge_tunables_apply(br.dp, &cfg->other_config);
    uint64_t v;
    if (cfg_smap_get_uint(&cfg->other_config, "stats-update-interval",
                          DEFAULT_STATS_INTERVAL_MS, 1000, 3600 * 1000,
                          &v)) {
        VLOG_WARN("other_config:stats-update-interval=%s: not a number of "
                  "milliseconds from 1000, ignored",
                  cfg_smap_get(&cfg->other_config, "stats-update-interval"));
        v = DEFAULT_STATS_INTERVAL_MS;
    }
    br.stats_interval_ms = v;
}

/* other_config:pmd-rxq-affinity, applied when it changes.  As in Open
 * vSwitch, a value that does not parse is logged and the pins the port has
 * stay. */
static void
reconcile_affinity(const struct cfg_iface *ifc)
{
    struct rt_iface *rt = rt_find(ifc->name);
    const char *v = cfg_smap_get(&ifc->other_config, "pmd-rxq-affinity");
    if (!rt || rt->cfg != ifc || rt->port_no == NO_PORT
        || cfg_str_eq(v, rt->affinity)) {
        return;
    }
    free(rt->affinity);
    rt->affinity = v ? strdup(v) : NULL;
    int cores[RXQ_SCHED_AFFINITY_MAX_QUEUES];
    size_t n;
    char msg[160];
    struct dstr err = DSTR_INIT;
    if (rxq_sched_parse_affinity(v ? v : "", cores,
                                 RXQ_SCHED_AFFINITY_MAX_QUEUES, &n, msg,
                                 sizeof msg)) {
        VLOG_WARN("interface %s: %s; ignored", rt->name, msg);
    } else if (dp_port_set_rxq_affinity(br.dp, rt->port_no, cores, n, &err)) {
        VLOG_WARN("interface %s: %s", rt->name, dstr_cstr(&err));
    }
    dstr_free(&err);
}

/* Closes, before anything opens, the devices of interfaces that go away
 * or change device, so that a device can pass to another row (a rename,
 * a swap) in one transaction. */
static void
close_departing(const struct cfg *cfg)
{
    for (size_t i = 0; i < br.n_ifaces; i++) {
        struct rt_iface *rt = br.ifaces[i];
        if (rt->port_no == NO_PORT) {
            continue;
        }
        const struct cfg_bridge *b;
        const struct cfg_iface *ifc = cfg_find_iface(cfg, rt->name, &b);
        if (!ifc) {
            rt_close(rt);
            continue;
        }
        struct iface_plan plan;
        struct dstr err = DSTR_INIT;
        uint8_t mac[6];
        bool local = !strcmp(ifc->name, b->name)
                     && !strcmp(ifc->type, "internal");
        bridge_mac(b, mac);
        if (!iface_plan_build(ifc, local ? mac : NULL, iface_env(), &plan,
                              &err)) {
            if (!rt->has_plan || !iface_plan_same_device(&rt->plan, &plan)) {
                rt_close(rt);
            }
            iface_plan_destroy(&plan);
        }
        dstr_free(&err);
    }
}

static void
run_pass(void)
{
    struct cfg cfg;

    if (cfg_read(br.db, &cfg)) {
        VLOG_ERR("database lacks the Open_vSwitch tables; not reconciling");
        return;
    }
    apply_global(&cfg);
    update_vhost_sock_dir(&cfg);
    for (size_t i = 0; i < br.n_ifaces; i++) {
        br.ifaces[i]->seen = false;
        br.ifaces[i]->cfg = NULL;
        br.ifaces[i]->port = NULL;
    }
    close_departing(&cfg);
    for (size_t b = 0; b < cfg.n_bridges; b++) {
        const struct cfg_bridge *bridge = &cfg.bridges[b];
        note_unused(bridge);
        for (size_t p = 0; p < bridge->n_ports; p++) {
            const struct cfg_port *port = &bridge->ports[p];
            for (size_t i = 0; i < port->n_ifaces; i++) {
                reconcile_iface(bridge, b, port, &port->ifaces[i]);
                reconcile_affinity(&port->ifaces[i]);
            }
        }
    }
    /* Rows that went away. */
    for (size_t i = 0; i < br.n_ifaces; ) {
        struct rt_iface *rt = br.ifaces[i];
        if (!rt->seen) {
            rt_destroy(rt);
            br.ifaces[i] = br.ifaces[--br.n_ifaces];
        } else {
            i++;
        }
    }
    for (size_t b = 0; b < cfg.n_bridges; b++) {
        assign_ofports(&cfg.bridges[b], b);
    }
    update_links();
    rebuild_flood(&cfg);
    sync_ofprotos(&cfg);
    upcall_revalidate(br.dp);
    write_status(&cfg, true);
    /* The interfaces' cfg and port pointers now point into 'cfg', which
     * stays until the next pass (the status timer re-floods with it). */
    cfg_destroy(&br.cfg);
    br.cfg = cfg;
}

static void
pass_cb(void *aux)
{
    (void) aux;
    br.pass_timer = NULL;
    run_pass();
}

void
bridge_run(void)
{
    if (br.pass_timer) {
        loop_cancel_timer(br.loop, br.pass_timer);
        br.pass_timer = NULL;
    }
    run_pass();
}

void
bridge_set_ssl(struct stream_ssl_ctx *ssl)
{
    if (br.started && ssl != br.ssl) {
        br.ssl = ssl;
        bridge_run();           /* The controllers leave the old one now. */
    }
}

/* Link state every tick (a change is written at once), counters every
 * stats-update-interval. */
static void
status_cb(void *aux)
{
    (void) aux;
    bool changed = update_links();
    if (changed) {
        rebuild_flood(&br.cfg);
        sync_ofprotos(&br.cfg);
        upcall_revalidate(br.dp);
    }
    if (br.cfg_unwritten) {
        write_status(&br.cfg, true);
    } else if (changed
               || loop_now_ms() - br.last_stats_ms >= br.stats_interval_ms) {
        write_status(&br.cfg, false);
    }
}

static const char *
smap_datum_get(const struct ovsdb_row *row, const char *column,
               const char *key)
{
    const struct ovsdb_datum *d = row ? ovsdb_row_get(row, column) : NULL;
    if (!d || !d->values) {
        return NULL;
    }
    for (size_t i = 0; i < d->n; i++) {
        if (!strcmp(d->keys[i].string, key)) {
            return d->values[i].string;
        }
    }
    return NULL;
}

/* Refuses, as a transaction error, what the datapath could never run: a
 * pmd-cpu-mask of cores that are not there.  (Other values are checked
 * when applied: their error is logged.) */
static json_t *
check_config(struct ovsdb_db *db, const struct ovsdb_row_change *ch,
             size_t n, void *aux)
{
    (void) db;
    (void) aux;
    if (br.own_txn) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!ch[i].new || strcmp(ch[i].table->schema->name, "Open_vSwitch")
            || !ovsdb_table_schema_find_column(ch[i].table->schema,
                                               "other_config")) {
            continue;
        }
        const char *mask = smap_datum_get(ch[i].new, "other_config",
                                          "pmd-cpu-mask");
        const char *old = smap_datum_get(ch[i].old, "other_config",
                                         "pmd-cpu-mask");
        if (!mask || (old && !strcmp(old, mask))) {
            continue;
        }
        uint64_t m;
        struct dstr why = DSTR_INIT;
        if (!cfg_parse_hex_mask(mask, &m)) {
            dstr_put(&why, "not a hexadecimal core mask");
        } else {
            dp_check_pmd_mask(br.dp, m, &why);
        }
        if (why.len) {
            json_t *err = ovsdb_error(OVSDB_E_CONSTRAINT,
                                      "other_config:pmd-cpu-mask=%s: %s",
                                      mask, dstr_cstr(&why));
            dstr_free(&why);
            return err;
        }
        dstr_free(&why);
    }
    return NULL;
}

static bool
is_config_table(const struct ovsdb_table *t)
{
    static const char *const names[] = {
        "Open_vSwitch", "Bridge", "Port", "Interface", "Controller",
        "Flow_Table",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!strcmp(t->schema->name, names[i])) {
            return true;
        }
    }
    return false;
}

static void
on_commit(struct ovsdb_db *db, const struct ovsdb_commit *c, void *aux)
{
    (void) db;
    (void) aux;
    if (br.own_txn || br.pass_timer) {
        return;
    }
    for (size_t i = 0; i < c->n_changes; i++) {
        if (is_config_table(c->changes[i].table)) {
            br.pass_timer = loop_add_timer(br.loop, 0, false, pass_cb, NULL);
            return;
        }
    }
}

void
bridge_set_run_dir(const char *dir)
{
    free(run_dir);
    run_dir = dir ? xasprintf("%s", dir) : NULL;
}

int
bridge_start(struct loop *loop, struct dp *dp, struct ovsdb_db *db)
{
    memset(&br, 0, sizeof br);
    br.loop = loop;
    br.dp = dp;
    br.db = db;
    br.stats_interval_ms = DEFAULT_STATS_INTERVAL_MS;
    bridge_tunables_init(dp, tunables_cmdline);
    int error = ovsdb_db_add_commit_cb(db, on_commit, NULL);
    if (!error) {
        error = ovsdb_db_add_check_cb(db, check_config, NULL);
        if (error) {
            ovsdb_db_remove_commit_cb(db, on_commit, NULL);
        }
    }
    if (error) {
        return error;
    }
    error = ofproto_init(loop, dp);
    if (error) {
        ovsdb_db_remove_commit_cb(db, on_commit, NULL);
        ovsdb_db_remove_check_cb(db, check_config, NULL);
        return error;
    }
    br.started = true;
    br.pass_timer = loop_add_timer(loop, 0, false, pass_cb, NULL);
    br.status_timer = loop_add_timer(loop, STATUS_TICK_MS, true, status_cb,
                                     NULL);
    return 0;
}

void
bridge_stop(void)
{
    if (!br.started) {
        return;
    }
    ovsdb_db_remove_commit_cb(br.db, on_commit, NULL);
    ovsdb_db_remove_check_cb(br.db, check_config, NULL);
    bridge_ofproto_stop();
    ofproto_exit();
    if (br.pass_timer) {
        loop_cancel_timer(br.loop, br.pass_timer);
    }
    if (br.status_timer) {
        loop_cancel_timer(br.loop, br.status_timer);
    }
    flood_set_topo(NULL);
    for (size_t i = 0; i < br.n_ifaces; i++) {
        rt_destroy(br.ifaces[i]);
    }
    free(br.ifaces);
    for (size_t i = 0; i < br.n_noted; i++) {
        free(br.noted[i]);
    }
    free(br.noted);
    cfg_destroy(&br.cfg);
    memset(&br, 0, sizeof br);
    bridge_tunables_destroy();
    for (size_t i = 0; i < N_EAL_KEYS; i++) {
        free(eal_seen[i]);
        eal_seen[i] = NULL;
    }
    eal_recorded = false;
}
