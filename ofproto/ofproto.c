/* ofproto: the switches - registry, lifecycle, ports, revalidation and
 * expiry, and the asynchronous messages (packet-in, port-status,
 * flow-removed).  The requests of a connection: ofproto_handle.c. */
#include "ofproto/ofproto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/fdb_ctl.h"
#include "ofproto/mac_learning.h"
#include "ofproto/of_xlate.h"
#include "ofproto/ofconn.h"
#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_msg.h"
#include "ofproto/ofp_packet.h"
#include "ofproto/ofp_stats.h"
#include "ofproto/ofproto_ctl.h"
#include "ofproto/ofproto_private.h"
#include "ofproto/upcall.h"
#include "ofproto/xlate.h"
#include "pmd/dp.h"
#include "src/util/dstr.h"
#include "src/util/loop.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto);

#define EXPIRY_MS 1000
#define ACCOUNT_MS 100

static struct ofproto *all;
static struct loop *of_loop;
static struct dp *of_dp;
static struct loop_timer *expiry_timer;
static struct loop_timer *reval_timer;
static struct loop_timer *account_timer;
static uint64_t reval_tags;             /* Changed since the last pass. */

/* Datapath port -> (switch, OpenFlow port), rebuilt when ports change. */
static struct {
    struct ofproto *p;
    uint32_t ofp_port;
} by_dp[DP_MAX_PORTS];

/* ---- Registry. ---- */

struct ofproto *
ofproto_first(void)
{
    return all;
}

struct ofproto *
ofproto_from_dp_port(uint32_t dp_port, uint32_t *ofp_port)
{
    if (dp_port >= DP_MAX_PORTS || !by_dp[dp_port].p) {
        return NULL;
    }
    *ofp_port = by_dp[dp_port].ofp_port;
    return by_dp[dp_port].p;
}

struct ofproto *
ofproto_from_port_name(const char *name, struct ofport **portp)
{
    for (struct ofproto *p = all; p; p = p->next) {
        for (size_t i = 0; i < p->n_ports; i++) {
            if (!strncmp(p->ports[i].desc.name, name,
                         sizeof p->ports[i].desc.name)
                && strlen(name) <= sizeof p->ports[i].desc.name) {
                *portp = &p->ports[i];
                return p;
            }
        }
    }
    *portp = NULL;
    return NULL;
}

struct ofport *
ofproto_port(const struct ofproto *p, uint32_t ofp_port)
{
    for (size_t i = 0; i < p->n_ports; i++) {
        if (p->ports[i].desc.port_no == ofp_port) {
            return &p->ports[i];
        }
    }
    return NULL;
}

struct ofproto *
ofproto_lookup(const char *name)
{
    for (struct ofproto *p = all; p; p = p->next) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

const char *
ofproto_name(const struct ofproto *p)
{
    return p->name;
}

static void
rebuild_by_dp(void)
{
    memset(by_dp, 0, sizeof by_dp);
    for (struct ofproto *p = all; p; p = p->next) {
        for (size_t i = 0; i < p->n_ports; i++) {
            uint32_t d = p->ports[i].dp_port;
            if (d < DP_MAX_PORTS) {
                by_dp[d].p = p;
                by_dp[d].ofp_port = p->ports[i].desc.port_no;
            }
        }
    }
}

uint64_t
ofproto_version(const struct ofproto *p)
{
    return p->tables.version + p->port_version;
}

/* ---- Revalidation, accounting and expiry. ---- */

static bool recount_conns(struct ofproto *);
static void run_fail_open(struct ofproto *, uint64_t now);

static void
reval_cb(void *aux)
{
    (void) aux;
    reval_timer = NULL;
    for (struct ofproto *p = all; p; p = p->next) {
        if (recount_conns(p)) {
            reval_tags = XLATE_TAGS_ALL;
        }
    }
    if (of_dp) {
        upcall_revalidate_tags(of_dp, reval_tags);
    }
    reval_tags = 0;
}

void
ofproto_changed(struct ofproto *p)
{
    ofproto_changed_tags(p, XLATE_TAGS_ALL);
}

void
ofproto_changed_table(struct ofproto *p, uint8_t table_id)
{
    ofproto_changed_tags(p, table_id == OFPTT_ALL ? XLATE_TAGS_ALL
                                                  : xlate_tag(p, table_id));
}

void
ofproto_changed_tags(struct ofproto *p, uint64_t tags)
{
    (void) p;
    reval_tags |= tags;
    if (of_loop && !reval_timer) {
        /* Once per loop iteration, however many changes it brings. */
        reval_timer = loop_add_timer(of_loop, 0, false, reval_cb, NULL);
    }
}

static void
account_cb(void *aux)
{
    (void) aux;
    if (of_dp) {
        upcall_account(of_dp);
    }
}

static void
expire_one(struct ofproto *p, uint64_t now)
{
    if (of_tables_next_expiry(&p->tables) > now) {
        return;
    }
    struct of_rule_list removed;
    of_rule_list_init(&removed);
    if (of_tables_expire(&p->tables, now, &removed)) {
        for (size_t i = 0; i < removed.n; i++) {
            ofproto_changed_table(p, removed.rules[i]->table_id);
        }
        ofproto_rules_removed(p, &removed, now);
    }
    of_rule_list_destroy(&removed);
}

static void
expiry_cb(void *aux)
{
    (void) aux;
    uint64_t now = loop_now_ms();
    for (struct ofproto *p = all; p; p = p->next) {
        expire_one(p, now);
        run_fail_open(p, now);
        if (p->ml && mac_learning_expire(p->ml, now)) {
            ofproto_changed(p);     /* Their destinations flood again. */
        }
    }
}

/* ---- Asynchronous messages. ---- */

/* Whether 'c' takes asynchronous message 'type' (0 packet-in, 1
 * port-status, 2 flow-removed) for 'reason'. */
bool
ofproto_conn_wants(struct ofconn *c, int type, unsigned int reason)
{
    const struct ofconn_state *st = ofconn_state(c);
    if (ofconn_kind(c) == OFCONN_SERVICE && !st->miss_send_len) {
        return false;       /* Service connections must ask first. */
    }
    int slave = st->role == OFPCR_ROLE_SLAVE;
    const uint32_t *masks[] = {
        st->async.packet_in, st->async.port_status, st->async.flow_removed,
    };
    return masks[type][slave] & (1u << reason);
}

enum ofp_stats_format
ofproto_conn_stats_format(struct ofconn *c)
{
    const struct ofconn_state *st = ofconn_state(c);
    if (st->version != OFP10_VERSION) {
        return OFP_STATS_OF13;
    }
    return st->flow_format == NXFF_NXM ? OFP_STATS_NX : OFP_STATS_OF10;
}

struct pin_send {
    const struct ofproto_pin *pin;
    const uint8_t *frame;
    size_t len;
    unsigned int sent;
};

static void
send_pin(struct ofconn *c, void *aux)
{
    struct pin_send *ps = aux;
    const struct ofproto_pin *pin = ps->pin;
    const struct ofconn_state *st = ofconn_state(c);
    if (!ofproto_conn_wants(c, 0, pin->reason)) {
        return;
    }
    if (pin->miss && st->version != OFP10_VERSION) {
        return;             /* OpenFlow 1.3 drops table misses. */
    }
    size_t max = pin->miss ? st->miss_send_len : pin->max_len;
    struct ofp_match m;
    ofp_match_init(&m);
    m.meta.in_port = pin->in_port;
    m.meta_wc.in_port = UINT32_MAX;
    struct ofp_packet_in pi = {
        .total_len = (uint16_t) (ps->len > UINT16_MAX ? UINT16_MAX
                                                      : ps->len),
        .reason = pin->reason, .table_id = pin->table_id,
        .cookie = pin->cookie, .match = &m, .data = ps->frame,
        .len = ps->len < max ? ps->len : max,
    };
    struct ofp_buf b = OFP_BUF_INIT;
    if (!ofp_packet_in_encode(&b, st->version, 0, &pi)) {
        ofconn_send(c, &b);
        ps->sent++;
    }
    ofp_buf_free(&b);
}

void
ofproto_send_packet_in(struct ofproto *p, const struct ofproto_pin *pin,
                       const uint8_t *frame, size_t len)
{
    struct pin_send ps = { pin, frame, len, 0 };
    if (p->mgr) {
        ofconn_mgr_for_each(p->mgr, send_pin, &ps);
    }
}

static void
handle_userspace(uint32_t cookie, const uint8_t *frame, size_t len)
{
    struct ofproto_pin pin;
    struct ofproto *p = of_xlate_pin_lookup(cookie, &pin);
    if (p) {
        ofproto_send_packet_in(p, &pin, frame, len);
    }
}

struct port_status_send {
    enum ofp_port_reason reason;
    const struct ofp_port *port;
};

static void
send_port_status(struct ofconn *c, void *aux)
{
    const struct port_status_send *s = aux;
    if (!ofproto_conn_wants(c, 1, s->reason)) {
        return;
    }
    struct ofp_buf b = OFP_BUF_INIT;
    if (!ofp_port_status_encode(&b, ofconn_state(c)->version, 0, s->reason,
                                s->port)) {
        ofconn_send(c, &b);
    }
    ofp_buf_free(&b);
}

void
ofproto_port_status(struct ofproto *p, enum ofp_port_reason reason,
                    const struct ofp_port *port)
{
    struct port_status_send s = { reason, port };
    if (p->mgr) {
        ofconn_mgr_for_each(p->mgr, send_port_status, &s);
    }
}

struct removed_send {
    const struct of_rule *rule;
    enum ofp_flow_removed_reason reason;
    uint64_t now;
};

static void
send_removed(struct ofconn *c, void *aux)
{
    const struct removed_send *s = aux;
    if (!ofproto_conn_wants(c, 2, s->reason)) {
        return;
    }
    struct ofp_flow_stats fs;
    of_rule_to_stats(s->rule, s->now, &fs);
    struct ofp_buf b = OFP_BUF_INIT;
    if (!ofp_flow_removed_encode(&b, ofproto_conn_stats_format(c), 0,
                                 s->reason, &fs)) {
        ofconn_send(c, &b);
    }
    ofp_buf_free(&b);
}

void
ofproto_rules_removed(struct ofproto *p, struct of_rule_list *removed,
                      uint64_t now)
{
    for (size_t i = 0; i < removed->n; i++) {
        struct of_rule *r = removed->rules[i];
        if (r->flags & OFPFF_SEND_FLOW_REM && p->mgr) {
            struct removed_send s = { r, removed->reasons[i], now };
            ofconn_mgr_for_each(p->mgr, send_removed, &s);
        }
        of_rule_free(r);
    }
    removed->n = 0;
}

/* ---- Connections come and go. ---- */

struct conn_count {
    unsigned int miss, async, primary;
};

static void
count_conn(struct ofconn *c, void *aux)
{
    struct conn_count *n = aux;
    if (ofproto_conn_wants(c, 0, OFPR_NO_MATCH)
        && ofconn_state(c)->version == OFP10_VERSION) {
        n->miss++;
    }
    if (ofconn_kind(c) == OFCONN_PRIMARY || ofconn_state(c)->miss_send_len) {
        n->async++;
    }
    n->primary += ofconn_kind(c) == OFCONN_PRIMARY;
}

/* Counts the connections that change translation; true if that
 * changed. */
static bool
recount_conns(struct ofproto *p)
{
    struct conn_count n = { 0, 0, 0 };
    if (p->mgr) {
        ofconn_mgr_for_each(p->mgr, count_conn, &n);
    }
    p->n_primary_conns = n.primary;
    if (n.miss == p->n_miss_conns && n.async == p->n_async_conns) {
        return false;
    }
    /* Table misses and expired TTLs translate differently now. */
    p->n_miss_conns = n.miss;
    p->n_async_conns = n.async;
    p->port_version++;
    return true;
}

void
ofproto_conns_changed(struct ofproto *p)
{
    if (recount_conns(p)) {
        ofproto_changed(p);
    }
}

static void
conn_handle(struct ofconn *c, const uint8_t *msg, size_t len, void *aux)
{
    ofproto_handle(aux, c, msg, len);
}

static void
set_fail_open(struct ofproto *p, bool on)
{
    if (p->fail_open == on) {
        return;
    }
    p->fail_open = on;
    if (on) {
        VLOG_WARN("%s: no controller for %llu s: fail-open, every packet "
                  "goes to NORMAL until one connects", p->name,
                  (unsigned long long) (p->fail_open_after_ms / 1000));
    } else {
        VLOG_INFO("%s: a controller is connected: fail-open ends", p->name);
    }
    p->port_version++;
    ofproto_changed(p);
}

/* Once a second: whether the switch should be in fail-open. */
static void
run_fail_open(struct ofproto *p, uint64_t now)
{
    ofproto_conns_changed(p);
    if (p->n_primary_conns || !p->has_controllers) {
        p->last_primary_ms = now;
    }
    set_fail_open(p, !p->fail_secure && p->has_controllers
                     && !p->n_primary_conns
                     && now - p->last_primary_ms >= p->fail_open_after_ms);
}

static void
conn_connected(struct ofconn *c, void *aux)
{
    if (ofconn_kind(c) == OFCONN_PRIMARY) {
        struct ofproto *p = aux;
        p->last_primary_ms = loop_now_ms();
        set_fail_open(p, false);
    }
    VLOG_DBG("%s: %s connected (OpenFlow version 0x%02x)",
              ((struct ofproto *) aux)->name, ofconn_name(c),
              ofconn_state(c)->version);
    ofproto_conns_changed(aux);
}

static void
conn_disconnected(struct ofconn *c, void *aux)
{
    struct ofproto *p = aux;
    VLOG_DBG("%s: %s disconnected", p->name, ofconn_name(c));
    /* Counted again without it once it is gone, from the loop. */
    ofproto_changed(p);
}

static const struct ofconn_cbs conn_cbs = {
    .handle = conn_handle,
    .connected = conn_connected,
    .disconnected = conn_disconnected,
};

/* ---- Lifecycle. ---- */

static void
add_normal_rule(struct ofproto *p)
{
    struct ofp_flow_mod fm;
    ofp_flow_mod_init(&fm, OFP_FM_OF13, OFPFC_ADD);
    fm.insts.present = 1u << OFPIT_APPLY_ACTIONS;
    struct ofp_action *a = ofp_actions_put(&fm.insts.apply, OFPACT_OUTPUT);
    a->output.port = OFPP_NORMAL;
    if (of_tables_flow_mod(&p->tables, &fm, loop_now_ms(), NULL)) {
        VLOG_ERR("%s: could not add the NORMAL rule", p->name);
    }
    ofp_insts_free(&fm.insts);
}

struct ofproto *
ofproto_create(const char *name, bool fail_secure)
{
    struct ofproto *p = calloc(1, sizeof *p);
    if (!p || !(p->name = strdup(name))) {
        free(p);
        return NULL;
    }
    p->fail_secure = fail_secure;
    p->ml = mac_learning_create();
    if (!p->ml) {
        VLOG_ERR("%s: out of memory: NORMAL will not learn", name);
    }
    of_tables_init(&p->tables);
    if (!fail_secure) {
        add_normal_rule(p);
    }
    if (of_loop) {
        p->mgr = ofconn_mgr_create(of_loop, name, &conn_cbs, p);
    }
    p->next = all;
    all = p;
    ofproto_changed(p);
    VLOG_INFO("%s: OpenFlow switch created (fail mode %s)", name,
              fail_secure ? "secure" : "standalone");
    return p;
}

void
ofproto_destroy(struct ofproto *p)
{
    if (!p) {
        return;
    }
    VLOG_INFO("%s: OpenFlow switch destroyed", p->name);
    for (struct ofproto **pp = &all; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    if (p->mgr) {
        ofconn_mgr_destroy(p->mgr);
    }
    of_xlate_forget(p);
    of_tables_destroy(&p->tables);
    mac_learning_destroy(p->ml);
    for (size_t i = 0; i < p->n_ports; i++) {
        free(p->ports[i].peer);
    }
    free(p->ports);
    free(p->name);
    free(p);
    rebuild_by_dp();
    ofproto_changed(NULL);
}

void
ofproto_set_dpid(struct ofproto *p, uint64_t dpid)
{
    p->dpid = dpid;
}

void
ofproto_set_mac_learning(struct ofproto *p, unsigned int aging_s,
                         size_t size)
{
    if (!p->ml) {
        return;
    }
    bool gone = mac_learning_set_aging(p->ml, aging_s, loop_now_ms());
    gone |= mac_learning_set_size(p->ml, size);
    if (gone) {
        ofproto_changed(p);
    }
}

/* Deletes every rule, and adds the NORMAL rule unless the switch is
 * secure (Open vSwitch's flush on a fail mode change without
 * controllers). */
static void
flush_rules(struct ofproto *p)
{
    struct ofp_flow_mod fm;
    ofp_flow_mod_init(&fm, OFP_FM_OF13, OFPFC_DELETE);
    fm.table_id = OFPTT_ALL;
    of_tables_flow_mod(&p->tables, &fm, loop_now_ms(), NULL);
    if (!p->fail_secure) {
        add_normal_rule(p);
    }
    ofproto_changed(p);
}

void
ofproto_set_fail_secure(struct ofproto *p, bool secure)
{
    if (p->fail_secure != secure) {
        p->fail_secure = secure;
        flush_rules(p);
    }
}

void
ofproto_set_versions(struct ofproto *p, uint32_t versions)
{
    if (p->mgr) {
        ofconn_mgr_set_versions(p->mgr, versions);
    }
}

int
ofproto_set_targets(struct ofproto *p, const struct ofconn_target *t,
                    size_t n, struct stream_ssl_ctx *ssl, struct dstr *err)
{
    if (!p->mgr) {
        return -ENOTCONN;
    }
    bool had = p->has_controllers;
    uint64_t probe = 0;
    p->has_controllers = false;
    for (size_t i = 0; i < n; i++) {
        if (t[i].kind == OFCONN_PRIMARY) {
            p->has_controllers = true;
            probe = t[i].probe_ms > probe ? t[i].probe_ms : probe;
        }
    }
    /* Open vSwitch's delay: three inactivity probes (15 s without). */
    p->fail_open_after_ms = probe ? 3 * probe : 15000;
    if (!had) {
        p->last_primary_ms = loop_now_ms();
    }
    if (!p->has_controllers) {
        set_fail_open(p, false);
    }
    return ofconn_mgr_set_targets(p->mgr, t, n, ssl, err);
}

bool
ofproto_target_status(const struct ofproto *p, const char *target,
                      struct ofconn_target_status *st)
{
    return p->mgr && ofconn_mgr_target_status(p->mgr, target, st);
}

/* ---- Tables. ---- */

void
ofproto_set_table(struct ofproto *p, uint8_t table_id,
                  const char *const *prefixes, size_t n_prefixes,
                  int64_t flow_limit)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 60);
    if (table_id >= OFPROTO_N_TABLES) {
        return;
    }
    unsigned int tries = n_prefixes ? 0 : CLS_PREFIXES_ALL;
    for (size_t i = 0; i < n_prefixes; i++) {
        const char *f = prefixes[i];
        if (!strcmp(f, "ip_src") || !strcmp(f, "nw_src")) {
            tries |= 1u << CLS_TRIE_NW_SRC;
        } else if (!strcmp(f, "ip_dst") || !strcmp(f, "nw_dst")) {
            tries |= 1u << CLS_TRIE_NW_DST;
        } else if (strcmp(f, "none")) {
            VLOG_WARN_RL(&rl, "%s: table %u: prefix lookups on %s are not "
                         "supported (only ip_src and ip_dst)", p->name,
                         table_id, f);
        }
    }
    struct of_table *t = &p->tables.tables[table_id];
    if (t->cls.prefixes != tries) {
        if (cls_set_prefixes(&t->cls, tries)) {
            VLOG_ERR("%s: table %u: out of memory for prefix tries",
                     p->name, table_id);
        } else {
            ofproto_changed_table(p, table_id);
        }
    }
    t->max_rules = flow_limit >= 0 && flow_limit <= UINT32_MAX
                   ? (uint32_t) flow_limit : 0;
}

/* ---- Ports. ---- */

static void
port_from_cfg(struct ofport *port, const struct ofproto_port_cfg *c)
{
    memset(port, 0, sizeof *port);
    port->desc.port_no = ofp_port_from_16((uint16_t) c->ofp_port);
    strncpy(port->desc.name, c->name, sizeof port->desc.name);
    memcpy(port->desc.hw_addr, c->mac, 6);
    port->desc.state = c->link_up ? OFPPS_LIVE : OFPPS_LINK_DOWN;
    port->desc.curr = port->desc.advertised = port->desc.supported
        = c->speed_mbps >= 100000 ? OFPPF_100GB_FD
          : c->speed_mbps >= 40000 ? OFPPF_40GB_FD
          : c->speed_mbps >= 10000 ? OFPPF_10GB_FD : OFPPF_OTHER;
    port->desc.supported = 0;
    port->desc.curr_speed = port->desc.max_speed = c->speed_mbps * 1000;
    port->dp_port = c->dp_port;
    port->peer = c->peer ? strdup(c->peer) : NULL;
}

static bool
port_desc_equal(const struct ofp_port *a, const struct ofp_port *b)
{
    return !memcmp(a, b, sizeof *a);
}

bool
ofproto_set_ports(struct ofproto *p, const struct ofproto_port_cfg *cfg,
                  size_t n)
{
    struct ofport *ports = calloc(n ? n : 1, sizeof *ports);
    if (!ports) {
        VLOG_ERR("%s: out of memory setting ports", p->name);
        return false;
    }
    bool changed = n != p->n_ports;
    for (size_t i = 0; i < n; i++) {
        port_from_cfg(&ports[i], &cfg[i]);
    }
    /* Sorted by number; port-mod's config stays with the ports. */
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && ports[j - 1].desc.port_no
                                    > ports[j].desc.port_no; j--) {
            struct ofport t = ports[j];
            ports[j] = ports[j - 1];
            ports[j - 1] = t;
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct ofport *old = ofproto_port(p, ports[i].desc.port_no);
        if (old && !strncmp(old->desc.name, ports[i].desc.name,
                            sizeof old->desc.name)) {
            ports[i].desc.config = old->desc.config;
            if (!port_desc_equal(&old->desc, &ports[i].desc)) {
                ofproto_port_status(p, OFPPR_MODIFY, &ports[i].desc);
                changed = true;
            }
            if (old->dp_port != ports[i].dp_port
                || (old->peer == NULL) != (ports[i].peer == NULL)
                || (old->peer && strcmp(old->peer, ports[i].peer))) {
                changed = true;
            }
        } else {
            if (old) {
                ofproto_port_status(p, OFPPR_DELETE, &old->desc);
            }
            ofproto_port_status(p, OFPPR_ADD, &ports[i].desc);
            changed = true;
        }
    }
    for (size_t i = 0; i < p->n_ports; i++) {
        struct ofport *old = &p->ports[i];
        bool kept = false, dp_kept = false;
        for (size_t j = 0; j < n; j++) {
            kept |= ports[j].desc.port_no == old->desc.port_no;
            dp_kept |= ports[j].dp_port == old->dp_port;
        }
        if (!kept) {
            ofproto_port_status(p, OFPPR_DELETE, &old->desc);
            changed = true;
        }
        if (!dp_kept && p->ml) {
            /* Stations learned on a port that goes are forgotten. */
            changed |= mac_learning_flush_port(p->ml, old->dp_port) > 0;
        }
        free(old->peer);
    }
    free(p->ports);
    p->ports = ports;
    p->n_ports = n;
    rebuild_by_dp();
    if (changed) {
        p->port_version++;
        ofproto_changed(p);
    }
    return changed;
}

/* ---- Setup. ---- */

int
ofproto_init(struct loop *loop, struct dp *dp)
{
    of_loop = loop;
    of_dp = dp;
    int error = xlate_add_provider(of_xlate_translate, NULL);
    if (error) {
        return error;
    }
    upcall_set_userspace_handler(handle_userspace);
    ofproto_ctl_register(dp);
    fdb_ctl_register();
    expiry_timer = loop_add_timer(loop, EXPIRY_MS, true, expiry_cb, NULL);
    account_timer = loop_add_timer(loop, ACCOUNT_MS, true, account_cb,
                                   NULL);
    return 0;
}

void
ofproto_exit(void)
{
    while (all) {
        ofproto_destroy(all);
    }
    xlate_remove_provider(of_xlate_translate, NULL);
    upcall_set_userspace_handler(NULL);
    if (of_loop) {
        if (expiry_timer) {
            loop_cancel_timer(of_loop, expiry_timer);
        }
        if (account_timer) {
            loop_cancel_timer(of_loop, account_timer);
        }
        if (reval_timer) {
            loop_cancel_timer(of_loop, reval_timer);
        }
    }
    expiry_timer = account_timer = reval_timer = NULL;
    of_loop = NULL;
    of_dp = NULL;
}

struct dp *
ofproto_dp(void)
{
    return of_dp;
}
