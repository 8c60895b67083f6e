/* of_xlate: translation through the OpenFlow pipeline. */
#include "ofproto/of_xlate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/of_normal.h"
#include "ofproto/ofp_field.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_match.h"
#include "ofproto/ofp_msg.h"
#include "ofproto/ofp_packet.h"
#include "ofproto/ofp_print.h"
#include "ofproto/ofproto_private.h"
#include "pmd/actions.h"
#include "src/util/dstr.h"
#include "src/util/hmap.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(of_xlate);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

#define MAX_DEPTH 64
#define MAX_RESUBMITS 4096

static struct of_xlate_stats stats;

/* ---- Packet-in cookies. ----
 * A userspace action's cookie is PIN_TAG | index into 'pins' (the debug
 * rules' userspace cookies stay below PIN_TAG).  Entries are shared by
 * every translation that asks for the same packet-in and never reused for
 * another one: a switch that goes only blanks its entries. */
#define PIN_TAG 0x80000000u
#define PIN_MAX 65536u

struct pin_entry {
    struct hmap_node node;
    const struct ofproto *p;
    struct ofproto_pin pin;
    uint32_t index;
};

static struct pin_entry **pins;
static uint32_t n_pins, cap_pins;
static struct hmap pin_map;
static bool pin_map_ready;

static uint32_t
pin_hash(const struct ofproto *p, const struct ofproto_pin *pin)
{
    uint64_t h = (uint64_t) (uintptr_t) p * UINT64_C(0x9e3779b97f4a7c15);
    h ^= (uint64_t) pin->reason << 56 | (uint64_t) pin->table_id << 48
         | (uint64_t) pin->max_len << 32 | pin->in_port
         | (uint64_t) pin->miss << 63;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= pin->cookie;
    h *= UINT64_C(0x9e3779b97f4a7c15);
    return (uint32_t) (h >> 32);
}

static bool
pin_equal(const struct ofproto_pin *a, const struct ofproto_pin *b)
{
    return a->reason == b->reason && a->table_id == b->table_id
           && a->max_len == b->max_len && a->in_port == b->in_port
           && a->miss == b->miss && a->cookie == b->cookie;
}

/* The cookie for 'pin' in 'p', or 0 if there is no room left. */
static uint32_t
pin_cookie(const struct ofproto *p, const struct ofproto_pin *pin)
{
    if (!pin_map_ready) {
        hmap_init(&pin_map);
        pin_map_ready = true;
    }
    uint32_t h = pin_hash(p, pin);
    for (struct hmap_node *n = hmap_first_with_hash(&pin_map, h); n;
         n = hmap_next_with_hash(n)) {
        struct pin_entry *e = HMAP_CONTAINER(n, struct pin_entry, node);
        if (e->p == p && pin_equal(&e->pin, pin)) {
            return PIN_TAG | e->index;
        }
    }
    if (n_pins >= PIN_MAX) {
        return 0;
    }
    if (n_pins == cap_pins) {
        uint32_t cap = cap_pins ? 2 * cap_pins : 64;
        struct pin_entry **a = realloc(pins, cap * sizeof *a);
        if (!a) {
            return 0;
        }
        pins = a;
        cap_pins = cap;
    }
    struct pin_entry *e = calloc(1, sizeof *e);
    if (!e) {
        return 0;
    }
    e->p = p;
    e->pin = *pin;
    e->index = n_pins;
    pins[n_pins++] = e;
    hmap_insert(&pin_map, &e->node, h);
    return PIN_TAG | e->index;
}

struct ofproto *
of_xlate_pin_lookup(uint32_t cookie, struct ofproto_pin *pin)
{
    if (!(cookie & PIN_TAG) || (cookie & ~PIN_TAG) >= n_pins) {
        return NULL;
    }
    const struct pin_entry *e = pins[cookie & ~PIN_TAG];
    if (!e->p) {
        return NULL;
    }
    *pin = e->pin;
    /* The registry hands out its own switches only. */
    for (struct ofproto *p = ofproto_first(); p; p = p->next) {
        if (p == e->p) {
            return p;
        }
    }
    return NULL;
}

void
of_xlate_forget(const struct ofproto *p)
{
    for (uint32_t i = 0; i < n_pins; i++) {
        if (pins[i]->p == p) {
            hmap_remove(&pin_map, &pins[i]->node);
            pins[i]->p = NULL;
        }
    }
}

const struct of_xlate_stats *
of_xlate_get_stats(void)
{
    return &stats;
}

/* ---- The translation context. ---- */

struct xctx {
    struct ofproto *p;              /* The switch being translated in. */
    struct cls_key key;             /* The packet as the pipeline sees it. */
    struct flow base;               /* As the datapath actions emitted so
                                     * far leave it. */
    struct flow dirty;              /* Bits written since the last commit. */
    bool vlan_changed;              /* Tags pushed, popped or rewritten. */
    uint16_t mpls_push;             /* push_mpls not emitted yet: its
                                     * Ethertype (the entry is the key's,
                                     * as Open vSwitch commits it). */
    bool mpls_popped;               /* pop_mpls: what was below the entry
                                     * is not known (Open vSwitch
                                     * recirculates to look at it). */
    struct flow *wc;                /* The megaflow's mask. */
    struct dp_actions *acts;
    int error;                      /* -ENOMEM. */
    unsigned int depth, resubmits;
    bool exit;                      /* Stop translating: drop the rest. */
    const struct xlate_stats *stats;
    struct ofp_actions set;         /* The action set (write-actions). */
    uint8_t table_id;               /* Of the rule being executed. */
    uint64_t rule_cookie;           /* Its cookie (all ones: none). */
    uint64_t tags;                  /* The tables visited (xlate.h). */
    struct dstr *trace;             /* ofproto/trace's text, or NULL. */
};

static void do_actions(struct xctx *, const struct ofp_actions *);
static void xlate_table(struct xctx *, uint8_t table_id);

static void
add_result(struct xctx *x, int error)
{
    if (error && !x->error) {
        x->error = error;
    }
}

/* ---- Tracing (ofproto/trace): only while x->trace is set. ---- */

static void
trace_line(struct xctx *x, unsigned int indent)
{
    dstr_printf(x->trace, "%*s", (int) (x->depth * 4 + indent), "");
}

static void
trace_rule(struct xctx *x, uint8_t table_id, const struct of_rule *r)
{
    trace_line(x, 0);
    dstr_printf(x->trace, "%2u. ", table_id);
    if (!r) {
        dstr_put(x->trace, "No match.\n");
        trace_line(x, 4);
        dstr_put(x->trace, ofproto_wants_miss(x->p)
                           ? "CONTROLLER:65535 (table miss)\n" : "drop\n");
        return;
    }
    size_t start = x->trace->len;
    ofp_print_match(x->trace, &r->match, -1);
    dstr_printf(x->trace, "%spriority %u", x->trace->len > start ? ", " : "",
                r->priority);
    if (r->cookie) {
        dstr_printf(x->trace, ", cookie 0x%" PRIx64, r->cookie);
    }
    dstr_put(x->trace, "\n");
}

static void
trace_action(struct xctx *x, const struct ofp_action *a)
{
    struct ofp_actions one = { (struct ofp_action *) a, 1, 1 };
    trace_line(x, 0);
    ofp_print_actions(x->trace, &one, OFP13_VERSION);
    dstr_put(x->trace, "\n");
}

/* An instruction other than apply-actions. */
static void
trace_inst(struct xctx *x, const struct ofp_insts *in, int type)
{
    struct ofp_insts only = *in;
    only.present = 1u << type;
    trace_line(x, 0);
    ofp_print_insts(x->trace, &only, OFP13_VERSION);
    dstr_put(x->trace, "\n");
}

static void
trace_bridge(struct xctx *x)
{
    size_t n = strlen(x->p->name) + 10;
    trace_line(x, 0);
    dstr_printf(x->trace, "bridge(\"%s\")\n", x->p->name);
    trace_line(x, 0);
    for (size_t i = 0; i < n; i++) {
        dstr_put(x->trace, "-");
    }
    dstr_put(x->trace, "\n");
}

/* ---- Fields: reading (and unwildcarding) and writing. ---- */

static void
full_match(const struct xctx *x, struct ofp_match *m)
{
    memset(m, 0, sizeof *m);
    m->flow = x->key.flow;
    m->meta = x->key.meta;
    memset(&m->wc, 0xff, sizeof m->wc);
    memset(&m->meta_wc, 0xff, sizeof m->meta_wc);
    m->meta_wc.pad = 0;
}

/* The megaflow must match every bit of 'mf' in the packet. */
static void
unwildcard(struct xctx *x, enum mf_id id)
{
    struct ofp_match m;
    uint8_t zero[16] = { 0 };
    ofp_match_init(&m);
    if (!mf_set(&m, mf_from_id(id), zero, NULL)) {
        flow_or(x->wc, &m.wc);
    }
}

static void
read_field(struct xctx *x, enum mf_id id, uint8_t *value, bool wildcard)
{
    struct ofp_match m;
    uint8_t mask[16];
    full_match(x, &m);
    mf_read(&m, mf_from_id(id), value, mask);
    if (!wildcard) {
        unwildcard(x, id);
    }
}

static uint16_t
tpid_of(const struct flow_vlan *v)
{
    return ntohs(v->tpid);
}

/* Writes the wire-form 'value' of field 'id'. */
static void
write_field(struct xctx *x, enum mf_id id, const uint8_t *value)
{
    const struct mf_field *mf = mf_from_id(id);
    struct ofp_match m;
    ofp_match_init(&m);
    if (mf_set(&m, mf, value, NULL)) {
        VLOG_WARN_RL(&rl, "%s: value does not fit field %s", x->p->name,
                     mf->name);
        return;
    }
    for (size_t i = 0; i < FLOW_N_WORDS; i++) {
        uint64_t w = flow_get_word(&m.wc, i);
        flow_set_word(&x->key.flow, i,
                      (flow_get_word(&x->key.flow, i) & ~w)
                      | flow_get_word(&m.flow, i));
        flow_set_word(&x->dirty, i, flow_get_word(&x->dirty, i) | w);
    }
    uint32_t *kw = (uint32_t *) (void *) &x->key.meta;
    const uint32_t *mv = (const uint32_t *) (const void *) &m.meta;
    const uint32_t *mw = (const uint32_t *) (const void *) &m.meta_wc;
    for (size_t i = 0; i < sizeof m.meta / 4; i++) {
        kw[i] = (kw[i] & ~mw[i]) | mv[i];
    }
    if (id == MF_VLAN_VID || id == MF_VLAN_PCP || id == MF_VLAN_TCI) {
        struct flow_vlan *v = &x->key.flow.vlans[0];
        if (tpid_of(v) == 0x8000) {
            v->tpid = htons(0x8100);    /* A tag made by the write. */
        }
        x->vlan_changed = true;
    }
}

/* Bits [ofs, ofs + n) of the big-endian 'n_bytes' value 'v'. */
static uint64_t
bits_get(const uint8_t *v, size_t n_bytes, unsigned int ofs, unsigned int n)
{
    uint64_t r = 0;
    for (unsigned int i = 0; i < n; i++) {
        unsigned int bit = ofs + i;
        if (v[n_bytes - 1 - bit / 8] >> (bit % 8) & 1) {
            r |= UINT64_C(1) << i;
        }
    }
    return r;
}

static void
bits_set(uint8_t *v, size_t n_bytes, unsigned int ofs, unsigned int n,
         uint64_t bits)
{
    for (unsigned int i = 0; i < n; i++) {
        unsigned int bit = ofs + i;
        uint8_t *b = &v[n_bytes - 1 - bit / 8];
        if (bits >> i & 1) {
            *b |= (uint8_t) (1u << (bit % 8));
        } else {
            *b &= (uint8_t) ~(1u << (bit % 8));
        }
    }
}

static bool
is_ip(struct xctx *x)
{
    x->wc->dl_type = UINT16_MAX;
    uint16_t t = ntohs(x->key.flow.dl_type);
    return t == 0x0800 || t == 0x86dd;
}

/* ---- Committing the pipeline's view of the packet to the datapath. ---- */

static bool
tagged(const struct flow_vlan *v)
{
    return v->tpid != 0;
}

static bool
vlan_eq(const struct flow_vlan *a, const struct flow_vlan *b)
{
    return a->tpid == b->tpid && a->tci == b->tci;
}

static void
push_tag(struct xctx *x, const struct flow_vlan *v)
{
    add_result(x, dp_actions_add_push_vlan(&x->acts, tpid_of(v),
                                           ntohs(v->tci)));
}

static void
commit_vlans(struct xctx *x)
{
    const struct flow_vlan *b = x->base.vlans, *k = x->key.flow.vlans;
    memset(x->wc->vlans, 0xff, sizeof x->wc->vlans);
    if (vlan_eq(&b[0], &k[0]) && vlan_eq(&b[1], &k[1])) {
        return;
    }
    if (vlan_eq(&b[1], &k[1])) {                /* Outer tag changed. */
        if (tagged(&b[0])) {
            add_result(x, dp_actions_add_pop_vlan(&x->acts));
        }
        if (tagged(&k[0])) {
            push_tag(x, &k[0]);
        }
    } else if (tagged(&k[0]) && vlan_eq(&k[1], &b[0])) {   /* Pushed. */
        push_tag(x, &k[0]);
    } else if (!tagged(&k[1]) && vlan_eq(&k[0], &b[1])) {  /* Popped. */
        add_result(x, dp_actions_add_pop_vlan(&x->acts));
    } else {
        for (int i = 0; i < 2; i++) {
            if (tagged(&b[i])) {
                add_result(x, dp_actions_add_pop_vlan(&x->acts));
            }
        }
        for (int i = 1; i >= 0; i--) {
            if (tagged(&k[i])) {
                push_tag(x, &k[i]);
            }
        }
    }
}

static bool
any(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i]) {
            return true;
        }
    }
    return false;
}

#define DIRTY(F) any(&x->dirty.F, sizeof x->dirty.F)

static void
commit_l2_l3(struct xctx *x)
{
    const struct flow *k = &x->key.flow, *d = &x->dirty;
    if (DIRTY(dl_src) || DIRTY(dl_dst)) {
        struct rewrite_eth key, mask;
        memcpy(key.src, k->dl_src, 6);
        memcpy(key.dst, k->dl_dst, 6);
        memcpy(mask.src, d->dl_src, 6);
        memcpy(mask.dst, d->dl_dst, 6);
        add_result(x, dp_actions_add_set_eth(&x->acts, &key, &mask));
    }
    if (x->mpls_push) {
        add_result(x, dp_actions_add_push_mpls(&x->acts, ntohl(k->mpls_lse),
                                               x->mpls_push));
        x->mpls_push = 0;
    } else if (DIRTY(mpls_lse)) {
        /* The whole entry, as Open vSwitch sets it. */
        x->wc->mpls_lse = UINT32_MAX;
        add_result(x, dp_actions_add_set_mpls(&x->acts, ntohl(k->mpls_lse),
                                              UINT32_MAX));
    }
    bool l3 = DIRTY(nw_src) || DIRTY(nw_dst) || DIRTY(nw_tos)
              || DIRTY(nw_ttl) || DIRTY(ipv6_src) || DIRTY(ipv6_dst)
              || DIRTY(ipv6_label);
    bool l4 = DIRTY(tp_src) || DIRTY(tp_dst);
    if (!l3 && !l4) {
        return;
    }
    x->wc->dl_type = UINT16_MAX;
    uint16_t type = ntohs(k->dl_type);
    if (l3 && type == 0x0800) {
        struct rewrite_ipv4 key = {
            .src = k->nw_src, .dst = k->nw_dst, .tos = k->nw_tos,
            .ttl = k->nw_ttl,
        };
        struct rewrite_ipv4 mask = {
            .src = d->nw_src, .dst = d->nw_dst, .tos = d->nw_tos,
            .ttl = d->nw_ttl,
        };
        add_result(x, dp_actions_add_set_ipv4(&x->acts, &key, &mask));
    } else if (l3 && type == 0x86dd) {
        struct rewrite_ipv6 key, mask;
        memset(&key, 0, sizeof key);
        memset(&mask, 0, sizeof mask);
        memcpy(key.src, k->ipv6_src, 16);
        memcpy(key.dst, k->ipv6_dst, 16);
        key.label = k->ipv6_label;
        key.tclass = k->nw_tos;
        key.hlimit = k->nw_ttl;
        memcpy(mask.src, d->ipv6_src, 16);
        memcpy(mask.dst, d->ipv6_dst, 16);
        mask.label = d->ipv6_label;
        mask.tclass = d->nw_tos;
        mask.hlimit = d->nw_ttl;
        add_result(x, dp_actions_add_set_ipv6(&x->acts, &key, &mask));
    }
    if (l4 && (type == 0x0800 || type == 0x86dd)) {
        x->wc->nw_proto = UINT8_MAX;
        struct rewrite_ports key = { k->tp_src, k->tp_dst };
        struct rewrite_ports mask = { d->tp_src, d->tp_dst };
        switch (k->nw_proto) {
        case 6:
            add_result(x, dp_actions_add_set_tcp(&x->acts, &key, &mask));
            break;
        case 17:
            add_result(x, dp_actions_add_set_udp(&x->acts, &key, &mask));
            break;
        case 132:
            add_result(x, dp_actions_add_set_sctp(&x->acts, &key, &mask));
            break;
        default:
            break;
        }
    }
}

/* Emits what the datapath needs to see the packet as the pipeline does. */
static void
commit(struct xctx *x)
{
    if (x->vlan_changed) {
        commit_vlans(x);
        x->vlan_changed = false;
    }
    commit_l2_l3(x);
    memset(&x->dirty, 0, sizeof x->dirty);
    x->base = x->key.flow;
}

/* ---- Outputs. ---- */

static void
controller(struct xctx *x, uint8_t reason, uint16_t max_len, bool miss)
{
    struct ofproto_pin pin = {
        .reason = reason, .table_id = x->table_id, .max_len = max_len,
        .in_port = x->key.meta.in_port, .miss = miss,
        .cookie = x->rule_cookie,
    };
    uint32_t cookie = pin_cookie(x->p, &pin);
    if (!cookie) {
        stats.pin_overflow++;
        VLOG_WARN_RL(&rl, "%s: no room for another kind of packet-in",
                     x->p->name);
        return;
    }
    commit(x);
    add_result(x, dp_actions_add_userspace(&x->acts, cookie));
}

static void
normal(struct xctx *x)
{
    struct xlate_out out;
    memset(&out, 0, sizeof out);
    commit(x);
    int error = of_normal_translate(&x->key.flow, x->stats, &out);
    flow_or(x->wc, &out.mask);
    if (error == XLATE_NO_MATCH || error || !out.actions) {
        free(out.actions);
        return;
    }
    /* NORMAL pushes and pops tags between its outputs: the datapath's
     * view of the tags follows them. */
    struct flow_vlan *b = x->base.vlans;
    DP_ACTIONS_FOR_EACH (a, out.actions) {
        if (a->type == DP_ACTION_OUTPUT) {
            const struct dp_action_output *o = (const void *) a;
            add_result(x, dp_actions_add_output(&x->acts, o->port_no));
        } else if (a->type == DP_ACTION_PUSH_VLAN) {
            const struct dp_action_push_vlan *pv = (const void *) a;
            add_result(x, dp_actions_add_push_vlan(&x->acts,
                                                   ntohs(pv->tpid),
                                                   ntohs(pv->tci)));
            b[1] = b[0];
            b[0] = (struct flow_vlan) { pv->tpid, pv->tci };
        } else if (a->type == DP_ACTION_POP_VLAN) {
            add_result(x, dp_actions_add_pop_vlan(&x->acts));
            b[0] = b[1];
            memset(&b[1], 0, sizeof b[1]);
        }
    }
    if (!vlan_eq(&b[0], &x->key.flow.vlans[0])
        || !vlan_eq(&b[1], &x->key.flow.vlans[1])) {
        x->vlan_changed = true;
    }
    free(out.actions);
}

static void
output_dp(struct xctx *x, uint32_t dp_port)
{
    commit(x);
    add_result(x, dp_actions_add_output(&x->acts, dp_port));
}

static void
patch_output(struct xctx *x, const struct ofport *port)
{
    struct ofport *peer_port;
    struct ofproto *peer = ofproto_from_port_name(port->peer, &peer_port);
    if (!peer || !peer_port || peer == x->p) {
        return;
    }
    struct ofproto *old_p = x->p;
    struct ofp_match_meta old_meta = x->key.meta;
    uint8_t old_table = x->table_id;
    uint64_t old_cookie = x->rule_cookie;
    memset(&x->key.meta, 0, sizeof x->key.meta);
    x->key.meta.in_port = peer_port->desc.port_no;
    x->p = peer;
    if (x->trace) {
        trace_bridge(x);
    }
    xlate_table(x, 0);
    x->p = old_p;
    x->key.meta = old_meta;
    x->table_id = old_table;
    x->rule_cookie = old_cookie;
    x->exit = false;
}

static void
output_port(struct xctx *x, const struct ofport *port)
{
    if (!port || port->desc.config & (OFPPC_PORT_DOWN | OFPPC_NO_FWD)) {
        return;
    }
    if (port->dp_port != OFPROTO_NO_DP_PORT) {
        output_dp(x, port->dp_port);
    } else if (port->peer) {
        patch_output(x, port);
    }
}

static void
flood(struct xctx *x, bool all)
{
    for (size_t i = 0; i < x->p->n_ports; i++) {
        const struct ofport *port = &x->p->ports[i];
        if (port->desc.port_no == x->key.meta.in_port
            || (!all && port->desc.config & OFPPC10_NO_FLOOD)) {
            continue;
        }
        output_port(x, port);
    }
}

static void
output(struct xctx *x, uint32_t port_no, uint16_t max_len)
{
    uint32_t in_port = x->key.meta.in_port;
    switch (port_no) {
    case OFPP_IN_PORT:
        output_port(x, ofproto_port(x->p, in_port));
        break;
    case OFPP_TABLE:
        xlate_table(x, 0);
        break;
    case OFPP_NORMAL:
        normal(x);
        break;
    case OFPP_FLOOD:
        flood(x, false);
        break;
    case OFPP_ALL:
        flood(x, true);
        break;
    case OFPP_CONTROLLER:
        controller(x, OFPR_ACTION, max_len, false);
        break;
    case OFPP_ANY:
        break;
    default:
        if (port_no != in_port) {
            output_port(x, ofproto_port(x->p, port_no));
        }
        break;
    }
}

/* ---- Actions. ---- */

static void
dec_ttl(struct xctx *x)
{
    if (!is_ip(x)) {
        return;
    }
    x->wc->nw_ttl = UINT8_MAX;
    if (x->key.flow.nw_ttl <= 1) {
        if (x->p->n_async_conns) {
            controller(x, OFPR_INVALID_TTL, UINT16_MAX, false);
        }
        x->exit = true;
        return;
    }
    uint8_t ttl = (uint8_t) (x->key.flow.nw_ttl - 1);
    write_field(x, MF_IP_TTL, &ttl);
}

static void
set_vlan(struct xctx *x, int vid, int pcp)
{
    struct flow_vlan *v = &x->key.flow.vlans[0];
    memset(&x->wc->vlans[0], 0xff, sizeof x->wc->vlans[0]);
    uint16_t tci = tagged(v) ? ntohs(v->tci) : 0;
    if (!tagged(v)) {
        v->tpid = htons(0x8100);
    }
    if (vid >= 0) {
        tci = (uint16_t) ((tci & ~0x0fffu) | (unsigned int) vid);
    }
    if (pcp >= 0) {
        tci = (uint16_t) ((tci & 0x1fffu) | (unsigned int) pcp << 13);
    }
    v->tci = htons(tci);
    x->vlan_changed = true;
}

static void
set_l4_port(struct xctx *x, bool src, uint16_t port)
{
    if (!is_ip(x)) {
        return;
    }
    x->wc->nw_proto = UINT8_MAX;
    uint8_t proto = x->key.flow.nw_proto;
    uint8_t v[2] = { (uint8_t) (port >> 8), (uint8_t) port };
    if (proto == 6) {
        write_field(x, src ? MF_TCP_SRC : MF_TCP_DST, v);
    } else if (proto == 17) {
        write_field(x, src ? MF_UDP_SRC : MF_UDP_DST, v);
    } else if (proto == 132) {
        write_field(x, src ? MF_SCTP_SRC : MF_SCTP_DST, v);
    }
}

static void
push_vlan(struct xctx *x, uint16_t tpid)
{
    struct flow_vlan *v = x->key.flow.vlans;
    memset(x->wc->vlans, 0xff, sizeof x->wc->vlans);
    struct flow_vlan outer = { htons(tpid), tagged(&v[0]) ? v[0].tci : 0 };
    v[1] = v[0];
    v[0] = outer;
    x->vlan_changed = true;
}

static void
pop_vlan(struct xctx *x)
{
    struct flow_vlan *v = x->key.flow.vlans;
    memset(x->wc->vlans, 0xff, sizeof x->wc->vlans);
    v[0] = v[1];
    memset(&v[1], 0, sizeof v[1]);
    x->vlan_changed = true;
}

/* ---- MPLS. ---- */

#define MPLS_BOS 0x100u

static bool
is_mpls(struct xctx *x)
{
    x->wc->dl_type = UINT16_MAX;
    uint16_t type = ntohs(x->key.flow.dl_type);
    return type == 0x8847 || type == 0x8848;
}

/* What is above a label stack entry: not in the key of an MPLS packet. */
static void
clear_above_l2_5(struct flow *f)
{
    f->nw_src = f->nw_dst = f->ipv6_label = 0;
    memset(f->ipv6_src, 0, sizeof f->ipv6_src);
    memset(f->ipv6_dst, 0, sizeof f->ipv6_dst);
    f->nw_proto = f->nw_tos = f->nw_ttl = f->nw_frag = 0;
    f->tp_src = f->tp_dst = f->tcp_flags = 0;
    memset(f->arp_sha, 0, sizeof f->arp_sha);
    memset(f->arp_tha, 0, sizeof f->arp_tha);
    memset(f->nd_target, 0, sizeof f->nd_target);
}

/* Open vSwitch's push_mpls: on an MPLS packet a copy of the top entry
 * with bos 0; otherwise label 0, bos 1, TC from the DSCP's low bits and
 * TTL from an IP packet's (else 64).  What is pending is committed first;
 * the push itself waits for the next commit, so that set_field and TTL
 * actions after it change the entry it pushes. */
static void
push_mpls(struct xctx *x, uint16_t eth_type)
{
    commit(x);
    struct flow *f = &x->key.flow;
    uint32_t lse;
    if (is_mpls(x)) {
        x->wc->mpls_lse = UINT32_MAX;
        lse = ntohl(f->mpls_lse) & ~MPLS_BOS;
    } else if (is_ip(x)) {
        x->wc->nw_tos = x->wc->nw_ttl = UINT8_MAX;
        lse = (uint32_t) (f->nw_tos >> 2 & 7) << 9 | MPLS_BOS | f->nw_ttl;
    } else {
        lse = MPLS_BOS | 64;
    }
    /* Emitted by the next commit, with what later actions set. */
    x->mpls_push = eth_type;
    f->dl_type = htons(eth_type);
    f->mpls_lse = htonl(lse);
    clear_above_l2_5(f);
}

static void
pop_mpls(struct xctx *x, uint16_t eth_type)
{
    if (!is_mpls(x)) {
        return;
    }
    commit(x);
    struct flow *f = &x->key.flow;
    x->wc->mpls_lse |= htonl(MPLS_BOS);
    add_result(x, dp_actions_add_pop_mpls(&x->acts, eth_type));
    f->dl_type = htons(eth_type);
    f->mpls_lse = 0;
    x->base = *f;
    x->mpls_popped = true;
}

/* The TTL of the top entry to 'ttl'; 'dec': one less than it was, or,
 * from 1 or 0, an invalid-TTL packet-in and the end. */
static void
mpls_ttl(struct xctx *x, bool dec, uint8_t ttl)
{
    if (!is_mpls(x)) {
        return;
    }
    if (dec) {
        x->wc->mpls_lse |= htonl(0xff);
        uint8_t old = (uint8_t) ntohl(x->key.flow.mpls_lse);
        if (old <= 1) {
            if (x->p->n_async_conns) {
                controller(x, OFPR_INVALID_TTL, UINT16_MAX, false);
            }
            x->exit = true;
            return;
        }
        ttl = (uint8_t) (old - 1);
    }
    write_field(x, MF_MPLS_TTL, &ttl);
}

/* After pop_mpls, what reads the layers below (a table lookup, an L3 or
 * L4 action) needs Open vSwitch's recirculation, which Sluice does not
 * have: the packet is dropped and counted. */
static bool
after_pop_needs_recirc(struct xctx *x, const char *what)
{
    if (!x->mpls_popped) {
        return false;
    }
    stats.needs_recirc++;
    VLOG_WARN_RL(&rl, "%s: %s after pop_mpls needs recirculation, which "
                 "is not supported: packet dropped", x->p->name, what);
    if (x->trace) {
        trace_line(x, 0);
        dstr_printf(x->trace, "%s after pop_mpls needs recirculation "
                    "(not supported): dropped\n", what);
    }
    x->exit = true;
    return true;
}

/* Whether action 'a' reads or writes what is above the Ethernet, VLAN and
 * MPLS headers. */
static bool
touches_l3(const struct ofp_action *a)
{
    switch (a->type) {
    case OFPACT_SET_FIELD: {
        enum mf_prereq pr = mf_from_id(a->set_field.field)->prereq;
        return pr != MFP_NONE && pr != MFP_VLAN && pr != MFP_MPLS;
    }
    case OFPACT_SET_L4_SRC: case OFPACT_SET_L4_DST: case OFPACT_DEC_TTL:
    case OFPACT_SET_NW_TTL: case OFPACT_PUSH_MPLS:
        return true;
    default:
        return false;
    }
}

static void
resubmit(struct xctx *x, const struct ofp_action *a)
{
    uint32_t old_in = x->key.meta.in_port;
    if (a->resubmit.in_port != OFPP_IN_PORT) {
        x->key.meta.in_port = a->resubmit.in_port;
    }
    uint8_t old_table = x->table_id;
    uint64_t old_cookie = x->rule_cookie;
    xlate_table(x, a->resubmit.table == 0xff ? x->table_id
                                              : a->resubmit.table);
    x->key.meta.in_port = old_in;
    x->table_id = old_table;
    x->rule_cookie = old_cookie;
}

static void
reg_load(struct xctx *x, const struct ofp_action *a)
{
    const struct mf_field *mf = mf_from_id(a->load.field);
    uint8_t v[16];
    read_field(x, a->load.field, v, true);
    bits_set(v, mf->n_bytes, a->load.ofs, a->load.n_bits, a->load.value);
    write_field(x, a->load.field, v);
}

static void
reg_move(struct xctx *x, const struct ofp_action *a)
{
    const struct mf_field *src = mf_from_id(a->move.src);
    const struct mf_field *dst = mf_from_id(a->move.dst);
    uint8_t sv[16], dv[16];
    read_field(x, a->move.src, sv, false);
    read_field(x, a->move.dst, dv, true);
    for (unsigned int done = 0; done < a->move.n_bits; done += 64) {
        unsigned int n = a->move.n_bits - done < 64 ? a->move.n_bits - done
                                                     : 64;
        uint64_t bits = bits_get(sv, src->n_bytes, a->move.src_ofs + done,
                                 n);
        bits_set(dv, dst->n_bytes, a->move.dst_ofs + done, n, bits);
    }
    write_field(x, a->move.dst, dv);
}

static void
do_action(struct xctx *x, const struct ofp_action *a)
{
    if (x->trace) {
        trace_action(x, a);
    }
    if (touches_l3(a) && after_pop_needs_recirc(x, "an L3 action")) {
        return;
    }
    switch (a->type) {
    case OFPACT_OUTPUT:
        output(x, a->output.port, a->output.max_len);
        break;
    case OFPACT_ENQUEUE:
        output(x, a->enqueue.port, 0);
        break;
    case OFPACT_SET_FIELD:
        if (a->set_field.field == MF_IP_TTL || a->set_field.field == MF_NW_TOS
            || a->set_field.field == MF_IP_DSCP
            || a->set_field.field == MF_IP_ECN) {
            is_ip(x);
        }
        write_field(x, a->set_field.field, a->set_field.value);
        break;
    case OFPACT_SET_VLAN_VID:
        set_vlan(x, a->u16, -1);
        break;
    case OFPACT_SET_VLAN_PCP:
        set_vlan(x, -1, a->u8);
        break;
    case OFPACT_SET_L4_SRC:
    case OFPACT_SET_L4_DST:
        set_l4_port(x, a->type == OFPACT_SET_L4_SRC, a->u16);
        break;
    case OFPACT_PUSH_VLAN:
        push_vlan(x, a->u16);
        break;
    case OFPACT_POP_VLAN:
        pop_vlan(x);
        break;
    case OFPACT_DEC_TTL:
        dec_ttl(x);
        break;
    case OFPACT_SET_NW_TTL:
        if (is_ip(x)) {
            write_field(x, MF_IP_TTL, &a->u8);
        }
        break;
    case OFPACT_RESUBMIT:
        resubmit(x, a);
        break;
    case OFPACT_REG_LOAD:
        reg_load(x, a);
        break;
    case OFPACT_REG_MOVE:
        reg_move(x, a);
        break;
    case OFPACT_SET_QUEUE:
    case OFPACT_POP_QUEUE:
    case OFPACT_NOTE:
        break;                  /* No queues yet; notes do nothing. */
    case OFPACT_PUSH_MPLS:
        push_mpls(x, a->u16);
        break;
    case OFPACT_POP_MPLS:
        pop_mpls(x, a->u16);
        break;
    case OFPACT_DEC_MPLS_TTL:
        mpls_ttl(x, true, 0);
        break;
    case OFPACT_SET_MPLS_TTL:
        mpls_ttl(x, false, a->u8);
        break;
    case OFPACT_COPY_TTL_OUT:
    case OFPACT_COPY_TTL_IN:
    case OFPACT_GROUP:
        break;                  /* Refused by of_xlate_check_actions(). */
    }
}

static void
do_actions(struct xctx *x, const struct ofp_actions *acts)
{
    for (size_t i = 0; i < acts->n && !x->exit; i++) {
        do_action(x, &acts->acts[i]);
    }
}

/* ---- The action set (OpenFlow 1.3, 5.10). ---- */

/* Where an action goes in the set's order; actions of one slot replace
 * each other. */
static int
set_rank(const struct ofp_action *a)
{
    switch (a->type) {
    case OFPACT_COPY_TTL_IN: return 0;
    case OFPACT_POP_VLAN: case OFPACT_POP_MPLS: return 1;
    case OFPACT_PUSH_MPLS: return 2;
    case OFPACT_PUSH_VLAN: return 3;
    case OFPACT_COPY_TTL_OUT: return 4;
    case OFPACT_DEC_TTL: case OFPACT_DEC_MPLS_TTL: return 5;
    case OFPACT_SET_QUEUE: case OFPACT_POP_QUEUE: return 7;
    case OFPACT_GROUP: return 8;
    case OFPACT_OUTPUT: case OFPACT_ENQUEUE: return 9;
    default: return 6;          /* The sets, and what the set keeps as
                                 * Open vSwitch does (load, move, ...). */
    }
}

static bool
same_slot(const struct ofp_action *a, const struct ofp_action *b)
{
    if (set_rank(a) != set_rank(b)) {
        return false;
    }
    if (set_rank(a) != 6) {
        return true;
    }
    if (a->type != b->type) {
        return false;
    }
    return a->type != OFPACT_SET_FIELD
           || a->set_field.field == b->set_field.field;
}

static void
set_write(struct xctx *x, const struct ofp_actions *acts)
{
    for (size_t i = 0; i < acts->n; i++) {
        const struct ofp_action *a = &acts->acts[i];
        size_t j;
        for (j = 0; j < x->set.n; j++) {
            if (same_slot(&x->set.acts[j], a)) {
                break;
            }
        }
        if (j == x->set.n) {
            if (x->set.n >= OFP_MAX_ACTIONS) {
                continue;
            }
            ofp_actions_put(&x->set, a->type);
        }
        /* Note bytes are not copied: the set never executes a note. */
        x->set.acts[j] = *a;
        if (a->type == OFPACT_NOTE) {
            x->set.acts[j].note.data = NULL;
            x->set.acts[j].note.len = 0;
        }
    }
}

static void
set_clear(struct xctx *x)
{
    x->set.n = 0;
}

static void
set_execute(struct xctx *x)
{
    for (int rank = 0; rank <= 9 && !x->exit; rank++) {
        for (size_t i = 0; i < x->set.n && !x->exit; i++) {
            if (set_rank(&x->set.acts[i]) == rank) {
                do_action(x, &x->set.acts[i]);
            }
        }
    }
}

/* ---- Tables. ---- */

static void
xlate_table(struct xctx *x, uint8_t table_id)
{
    if (x->depth >= MAX_DEPTH || x->resubmits >= MAX_RESUBMITS) {
        stats.too_deep++;
        VLOG_WARN_RL(&rl, "%s: translation nests more than %d deep or "
                     "resubmits more than %d times: packet dropped",
                     x->p->name, MAX_DEPTH, MAX_RESUBMITS);
        x->exit = true;
        return;
    }
    if (after_pop_needs_recirc(x, "a table lookup")) {
        return;
    }
    x->resubmits++;
    x->tags |= xlate_tag(x->p, table_id);

    struct cls_key wc;
    memset(&wc, 0, sizeof wc);
    struct of_rule *r = of_tables_lookup(&x->p->tables, table_id, &x->key,
                                         &wc);
    flow_or(x->wc, &wc.flow);
    x->table_id = table_id;
    if (x->trace) {
        trace_rule(x, table_id, r);
    }
    if (!r) {
        x->rule_cookie = UINT64_MAX;
        if (ofproto_wants_miss(x->p)) {
            controller(x, OFPR_NO_MATCH, 0, true);
        }
        return;
    }
    if (x->stats) {
        of_rule_account(r, x->stats->packets, x->stats->bytes,
                        x->stats->now_ms);
    }
    x->rule_cookie = r->cookie;

    const struct ofp_insts *in = &r->insts;
    x->depth++;
    if (in->present & 1u << OFPIT_APPLY_ACTIONS) {
        do_actions(x, &in->apply);
    }
    static const int order[] = { OFPIT_CLEAR_ACTIONS, OFPIT_WRITE_ACTIONS,
                                 OFPIT_WRITE_METADATA, OFPIT_GOTO_TABLE };
    for (size_t i = 0; x->trace && !x->exit && i < 4; i++) {
        if (in->present & 1u << order[i]) {
            trace_inst(x, in, order[i]);
        }
    }
    if (!x->exit && in->present & 1u << OFPIT_CLEAR_ACTIONS) {
        set_clear(x);
    }
    if (!x->exit && in->present & 1u << OFPIT_WRITE_ACTIONS) {
        set_write(x, &in->write);
    }
    if (!x->exit && in->present & 1u << OFPIT_WRITE_METADATA) {
        x->key.meta.metadata = (x->key.meta.metadata & ~in->metadata_mask)
                               | (in->metadata & in->metadata_mask);
    }
    if (!x->exit && in->present & 1u << OFPIT_GOTO_TABLE) {
        xlate_table(x, in->goto_table);
    }
    x->depth--;
}

static void
xctx_init(struct xctx *x, struct ofproto *p, const struct flow *flow,
          uint32_t ofp_in_port, struct flow *wc,
          const struct xlate_stats *st)
{
    memset(x, 0, sizeof *x);
    x->p = p;
    x->key.flow = *flow;
    x->key.meta.in_port = ofp_in_port;
    x->base = *flow;
    x->wc = wc;
    x->stats = st;
    x->rule_cookie = UINT64_MAX;
    x->acts = dp_actions_new();
    if (!x->acts) {
        x->error = -ENOMEM;
    }
}

static int
xctx_finish(struct xctx *x, struct dp_actions **out)
{
    ofp_actions_free(&x->set);
    if (x->error) {
        free(x->acts);
        *out = NULL;
        return x->error;
    }
    *out = x->acts;
    return 0;
}

/* The pipeline from table 0, then the action set. */
static void
run(struct xctx *x)
{
    if (!x->error && x->p->fail_open) {
        if (x->trace) {
            dstr_put(x->trace, "Fail-open: NORMAL\n");
        }
        normal(x);              /* No controller: the tables wait. */
    } else if (!x->error) {
        xlate_table(x, 0);
        if (!x->exit) {
            set_execute(x);
        }
    }
}

int
of_xlate_translate(const struct flow *flow, struct xlate_out *out,
                   void *aux)
{
    (void) aux;
    uint32_t ofp_in_port;
    struct ofproto *p = ofproto_from_dp_port(flow->in_port, &ofp_in_port);
    if (!p) {
        return XLATE_NO_MATCH;
    }
    struct ofport *in = ofproto_port(p, ofp_in_port);
    out->version = ofproto_version(p);
    if (in && in->desc.config & OFPPC_NO_RECV) {
        out->tags = xlate_tag(p, 0);
        return 0;               /* Dropped (no actions). */
    }
    struct xctx x;
    xctx_init(&x, p, flow, ofp_in_port, &out->mask, out->stats);
    x.tags = xlate_tag(p, 0);
    run(&x);
    out->tags = x.tags;
    return xctx_finish(&x, &out->actions);
}

int
of_xlate_trace(struct ofproto *p, const struct flow *flow,
               const struct ofp_match_meta *meta, struct xlate_out *out,
               struct cls_key *final, struct dstr *trace)
{
    struct ofport *in = ofproto_port(p, meta->in_port);
    out->version = ofproto_version(p);
    struct xctx x;
    xctx_init(&x, p, flow, meta->in_port, &out->mask, NULL);
    x.key.meta = *meta;
    x.trace = trace;
    if (in && in->desc.config & OFPPC_NO_RECV) {
        dstr_put(trace, "The port does not receive (no_recv): drop\n");
    } else {
        trace_bridge(&x);
        run(&x);
    }
    if (final) {
        *final = x.key;
    }
    out->tags = x.tags;
    return xctx_finish(&x, &out->actions);
}

int
of_xlate_packet_out(struct ofproto *p, const struct flow *flow,
                    uint32_t ofp_in_port, const struct ofp_actions *acts,
                    const struct xlate_stats *stats,
                    struct dp_actions **out)
{
    struct flow wc;
    memset(&wc, 0, sizeof wc);
    struct xctx x;
    xctx_init(&x, p, flow, ofp_in_port, &wc, stats);
    if (!x.error) {
        do_actions(&x, acts);
    }
    return xctx_finish(&x, out);
}

/* ---- What this datapath can do. ---- */

static bool
rewritable(enum mf_id id)
{
    switch (id) {
    case MF_IN_PORT: case MF_IN_PORT_NXM: case MF_METADATA:
    case MF_TUN_ID: case MF_TUN_SRC: case MF_TUN_DST:
    case MF_ETH_DST: case MF_ETH_SRC:
    case MF_VLAN_TCI: case MF_VLAN_VID: case MF_VLAN_PCP:
    case MF_IPV4_SRC: case MF_IPV4_DST: case MF_IPV6_SRC: case MF_IPV6_DST:
    case MF_IPV6_LABEL: case MF_IP_DSCP: case MF_NW_TOS: case MF_IP_ECN:
    case MF_IP_TTL: case MF_MPLS_LABEL: case MF_MPLS_TC: case MF_MPLS_TTL:
    case MF_TCP_SRC: case MF_TCP_DST: case MF_UDP_SRC: case MF_UDP_DST:
    case MF_SCTP_SRC: case MF_SCTP_DST:
        return true;
    default:
        return id >= MF_REG0 && id <= MF_REG15;
    }
}

enum ofp_err
of_xlate_check_actions(const struct ofp_actions *acts)
{
    for (size_t i = 0; i < acts->n; i++) {
        const struct ofp_action *a = &acts->acts[i];
        switch (a->type) {
        case OFPACT_COPY_TTL_OUT:
        case OFPACT_COPY_TTL_IN:
            return OFPERR_OFPBAC_BAD_TYPE;
        case OFPACT_GROUP:
            return OFPERR_OFPBAC_BAD_OUT_GROUP;
        case OFPACT_SET_FIELD:
            if (!rewritable(a->set_field.field)) {
                return OFPERR_OFPBAC_BAD_SET_TYPE;
            }
            break;
        case OFPACT_REG_LOAD:
            if (!rewritable(a->load.field)) {
                return OFPERR_OFPBAC_BAD_SET_TYPE;
            }
            break;
        case OFPACT_REG_MOVE:
            if (!rewritable(a->move.dst)) {
                return OFPERR_OFPBAC_BAD_SET_TYPE;
            }
            break;
        default:
            break;
        }
    }
    return OFPERR_NONE;
}
