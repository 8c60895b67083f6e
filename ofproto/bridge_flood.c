/* bridge_flood: flooding between the ports of a bridge. */
#include "ofproto/bridge_flood.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "pmd/actions.h"
#include "pmd/dp.h"

struct flood_vlan {
    enum flood_vlan_mode mode;
    int tag;                    /* -1: none. */
    uint16_t *trunks;           /* Sorted not needed: few. */
    size_t n_trunks;
};

struct flood_bridge {
    uint32_t *ports;
    size_t n_ports;
    size_t *peers;              /* Bridges behind patch ports. */
    size_t n_peers;
};

struct flood_topo {
    struct flood_bridge *bridges;
    size_t n_bridges;
    int32_t port_bridge[DP_MAX_PORTS];  /* -1: in no bridge. */
    struct flood_vlan vlan[DP_MAX_PORTS];
    uint32_t group[DP_MAX_PORTS];       /* 0: none. */
    bool vlan_aware;            /* Some port has a VLAN setting. */
    uint64_t version;
};

static struct flood_topo *current;
static uint64_t next_version = 1;

struct flood_topo *
flood_topo_create(size_t n_bridges)
{
    struct flood_topo *t = calloc(1, sizeof *t);
    if (!t) {
        return NULL;
    }
    t->bridges = calloc(n_bridges ? n_bridges : 1, sizeof *t->bridges);
    if (!t->bridges) {
        free(t);
        return NULL;
    }
    t->n_bridges = n_bridges;
    for (size_t i = 0; i < DP_MAX_PORTS; i++) {
        t->port_bridge[i] = -1;
        t->vlan[i].tag = -1;        /* No setting: a trunk of all VLANs. */
    }
    t->version = next_version++;
    return t;
}

void
flood_topo_destroy(struct flood_topo *t)
{
    if (t) {
        for (size_t i = 0; i < t->n_bridges; i++) {
            free(t->bridges[i].ports);
            free(t->bridges[i].peers);
        }
        for (size_t i = 0; i < DP_MAX_PORTS; i++) {
            free(t->vlan[i].trunks);
        }
        free(t->bridges);
        free(t);
    }
}

int
flood_topo_add_port(struct flood_topo *t, size_t br, uint32_t port_no)
{
    if (br >= t->n_bridges || port_no >= DP_MAX_PORTS
        || t->port_bridge[port_no] >= 0) {
        return -EINVAL;
    }
    struct flood_bridge *b = &t->bridges[br];
    uint32_t *p = realloc(b->ports, (b->n_ports + 1) * sizeof *p);
    if (!p) {
        return -ENOMEM;
    }
    b->ports = p;
    b->ports[b->n_ports++] = port_no;
    t->port_bridge[port_no] = (int32_t) br;
    return 0;
}

int
flood_vlan_mode_from_string(const char *s, enum flood_vlan_mode *mode)
{
    static const char *const names[] = {
        [FLOOD_VLAN_ACCESS] = "access",
        [FLOOD_VLAN_TRUNK] = "trunk",
        [FLOOD_VLAN_NATIVE_TAGGED] = "native-tagged",
        [FLOOD_VLAN_NATIVE_UNTAGGED] = "native-untagged",
    };
    *mode = FLOOD_VLAN_DEFAULT;
    if (!s || !*s) {
        return 0;
    }
    for (size_t i = 1; i < sizeof names / sizeof names[0]; i++) {
        if (!strcmp(s, names[i])) {
            *mode = (enum flood_vlan_mode) i;
            return 0;
        }
    }
    return -EINVAL;
}

int
flood_topo_set_vlan(struct flood_topo *t, uint32_t port_no,
                    enum flood_vlan_mode mode, int tag,
                    const int64_t *trunks, size_t n_trunks)
{
    if (port_no >= DP_MAX_PORTS || t->port_bridge[port_no] < 0
        || tag > 4095) {
        return -EINVAL;
    }
    struct flood_vlan *v = &t->vlan[port_no];
    uint16_t *copy = NULL;
    if (n_trunks) {
        copy = calloc(n_trunks, sizeof *copy);
        if (!copy) {
            return -ENOMEM;
        }
        for (size_t i = 0; i < n_trunks; i++) {
            copy[i] = (uint16_t) (trunks[i] & 0xfff);
        }
    }
    if (mode == FLOOD_VLAN_DEFAULT) {
        mode = tag >= 0 ? FLOOD_VLAN_ACCESS : FLOOD_VLAN_TRUNK;
    }
    free(v->trunks);
    v->mode = mode;
    v->tag = tag;
    v->trunks = copy;
    v->n_trunks = n_trunks;
    if (tag >= 0 || n_trunks || mode != FLOOD_VLAN_TRUNK) {
        t->vlan_aware = true;
    }
    return 0;
}

int
flood_topo_add_member(struct flood_topo *t, size_t br, uint32_t port_no)
{
    if (br >= t->n_bridges || port_no >= DP_MAX_PORTS
        || t->port_bridge[port_no] >= 0) {
        return -EINVAL;
    }
    t->port_bridge[port_no] = (int32_t) br;
    return 0;
}

int
flood_topo_set_group(struct flood_topo *t, uint32_t port_no, uint32_t group)
{
    if (port_no >= DP_MAX_PORTS || t->port_bridge[port_no] < 0) {
        return -EINVAL;
    }
    t->group[port_no] = group;
    return 0;
}

int
flood_topo_add_patch(struct flood_topo *t, size_t br, size_t peer_br)
{
    if (br >= t->n_bridges || peer_br >= t->n_bridges) {
        return -EINVAL;
    }
    struct flood_bridge *b = &t->bridges[br];
    size_t *p = realloc(b->peers, (b->n_peers + 1) * sizeof *p);
    if (!p) {
        return -ENOMEM;
    }
    b->peers = p;
    b->peers[b->n_peers++] = peer_br;
    return 0;
}

void
flood_set_topo(struct flood_topo *t)
{
    flood_topo_destroy(current);
    current = t;
}

static bool
trunk_allows(const struct flood_vlan *v, int vlan)
{
    if (!v->n_trunks) {
        return true;
    }
    for (size_t i = 0; i < v->n_trunks; i++) {
        if (v->trunks[i] == vlan) {
            return true;
        }
    }
    return false;
}

static enum flood_vlan_mode
mode_of(const struct flood_vlan *v)
{
    if (v->mode != FLOOD_VLAN_DEFAULT) {
        return v->mode;
    }
    return v->tag >= 0 ? FLOOD_VLAN_ACCESS : FLOOD_VLAN_TRUNK;
}

/* A port's own VLAN: its tag, VLAN 0 without one. */
static int
native_vlan(const struct flood_vlan *v)
{
    return v->tag < 0 ? 0 : v->tag;
}

/* The VLAN a frame received on a port belongs to, or -1: dropped.
 * 'tagged' means a nonzero VID: a priority-tagged frame (VID 0) counts as
 * untagged, as ovs-vswitchd.conf.db(5) says. */
static int
input_vlan(const struct flood_vlan *v, bool tagged, int vid)
{
    switch (mode_of(v)) {
    case FLOOD_VLAN_ACCESS:
        return tagged ? -1 : native_vlan(v);
    case FLOOD_VLAN_NATIVE_TAGGED:
    case FLOOD_VLAN_NATIVE_UNTAGGED:
        if (!tagged) {
            return native_vlan(v);
        }
        return vid == v->tag || trunk_allows(v, vid) ? vid : -1;
    case FLOOD_VLAN_TRUNK:
    case FLOOD_VLAN_DEFAULT:
    default:
        return trunk_allows(v, tagged ? vid : 0) ? (tagged ? vid : 0) : -1;
    }
}

/* Whether a frame of 'vlan' leaves by the port, and tagged or not (an
 * 802.1Q header only for a nonzero VID). */
static bool
output_vlan(const struct flood_vlan *v, int vlan, bool *tagged)
{
    switch (mode_of(v)) {
    case FLOOD_VLAN_ACCESS:
        *tagged = false;
        return vlan == native_vlan(v);
    case FLOOD_VLAN_NATIVE_TAGGED:
        *tagged = vlan != 0;
        return vlan == native_vlan(v) || trunk_allows(v, vlan);
    case FLOOD_VLAN_NATIVE_UNTAGGED:
        *tagged = vlan != 0 && vlan != native_vlan(v);
        return vlan == native_vlan(v) || trunk_allows(v, vlan);
    case FLOOD_VLAN_TRUNK:
    case FLOOD_VLAN_DEFAULT:
    default:
        *tagged = vlan != 0;
        return trunk_allows(v, vlan);
    }
}

/* Output ports, split by whether the frame leaves as it came (tag state
 * unchanged) or with its tag state flipped. */
struct flood_out {
    uint32_t same[DP_MAX_PORTS];
    size_t n_same;
    uint32_t flip[DP_MAX_PORTS];
    size_t n_flip;
};

/* Collects the ports of bridge 'br' and, depth first, of the bridges
 * patched to it ('vlan' < 0: VLANs are not used). */
static void
flood_bridge(const struct flood_topo *t, size_t br, uint32_t in_port,
             int vlan, bool in_tagged, bool *visited, struct flood_out *o)
{
    const struct flood_bridge *b = &t->bridges[br];
    visited[br] = true;
    for (size_t i = 0; i < b->n_ports; i++) {
        uint32_t p = b->ports[i];
        bool tagged = in_tagged;
        if (p == in_port
            || (t->group[p] && t->group[p] == t->group[in_port])
            || (vlan >= 0 && !output_vlan(&t->vlan[p], vlan, &tagged))) {
            continue;
        }
        if (tagged == in_tagged) {
            o->same[o->n_same++] = p;
        } else {
            o->flip[o->n_flip++] = p;
        }
    }
    for (size_t i = 0; i < b->n_peers; i++) {
        if (!visited[b->peers[i]]) {
            flood_bridge(t, b->peers[i], in_port, vlan, in_tagged, visited,
                         o);
        }
    }
}

static int
flood_actions(const struct flood_out *o, bool in_tagged, int vlan,
              struct dp_actions **acts)
{
    for (size_t i = 0; i < o->n_same; i++) {
        if (dp_actions_add_output(acts, o->same[i])) {
            return -ENOMEM;
        }
    }
    if (!o->n_flip) {
        return 0;
    }
    if (in_tagged ? dp_actions_add_pop_vlan(acts)
                  : dp_actions_add_push_vlan(acts, 0x8100,
                                             (uint16_t) vlan)) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < o->n_flip; i++) {
        if (dp_actions_add_output(acts, o->flip[i])) {
            return -ENOMEM;
        }
    }
    return 0;
}

/* The VLAN bits of 'flow' the VLAN rules examine, and the frame's VLAN
 * on 'v' (-1: dropped); '*tagged' a nonzero VID, '*prio_tag' a VID 0. */
static int
classify(const struct flood_vlan *v, const struct flow *flow,
         struct flow *mask, bool *tagged, bool *prio_tag)
{
    mask->vlans[0].tpid = UINT16_MAX;
    mask->vlans[0].tci |= htons(0x0fff);
    int vid = flow->vlans[0].tpid ? ntohs(flow->vlans[0].tci) & 0xfff : 0;
    /* A priority tag (VID 0) is dropped: the frame is untagged. */
    *prio_tag = flow->vlans[0].tpid && !vid;
    *tagged = vid != 0;
    return input_vlan(v, *tagged, vid);
}

static bool
in_bridge(const struct flood_topo *t, uint32_t port_no)
{
    return t && port_no < DP_MAX_PORTS && t->port_bridge[port_no] >= 0;
}

int
flood_input_vlan(const struct flow *flow, struct flow *mask, int *vlan)
{
    const struct flood_topo *t = current;
    bool tagged, prio_tag;
    mask->in_port = UINT32_MAX;
    if (!in_bridge(t, flow->in_port)) {
        return XLATE_NO_MATCH;
    }
    *vlan = classify(&t->vlan[flow->in_port], flow, mask, &tagged,
                     &prio_tag);
    return 0;
}

bool
flood_same_port(uint32_t a, uint32_t b)
{
    const struct flood_topo *t = current;
    return a == b || (in_bridge(t, a) && in_bridge(t, b) && t->group[a]
                      && t->group[a] == t->group[b]);
}

uint32_t
flood_learn_port(uint32_t port_no)
{
    const struct flood_topo *t = current;
    if (!in_bridge(t, port_no) || !t->group[port_no]) {
        return port_no;
    }
    const struct flood_bridge *b = &t->bridges[t->port_bridge[port_no]];
    for (size_t i = 0; i < b->n_ports; i++) {
        if (t->group[b->ports[i]] == t->group[port_no]) {
            return b->ports[i];
        }
    }
    return port_no;
}

/* Keeps of 'o' only the first port 'pick' chooses, if any. */
static void
pick_one(struct flood_out *o, flood_pick_fn *pick, void *aux)
{
    for (size_t i = 0; i < o->n_same + o->n_flip; i++) {
        bool same = i < o->n_same;
        uint32_t p = same ? o->same[i] : o->flip[i - o->n_same];
        if (pick(p, aux)) {
            o->n_same = o->n_flip = 0;
            if (same) {
                o->same[o->n_same++] = p;
            } else {
                o->flip[o->n_flip++] = p;
            }
            return;
        }
    }
}

int
flood_translate_pick(const struct flow *flow, flood_pick_fn *pick,
                     void *pick_aux, struct xlate_out *out)
{
    const struct flood_topo *t = current;

    out->mask.in_port = UINT32_MAX;
    if (!in_bridge(t, flow->in_port)) {
        return XLATE_NO_MATCH;
    }
    out->version = t->version;

    bool tagged = false, prio_tag = false;
    int vlan = -1;
    if (t->vlan_aware) {
        vlan = classify(&t->vlan[flow->in_port], flow, &out->mask, &tagged,
                        &prio_tag);
        if (vlan < 0) {
            out->actions = dp_actions_new();    /* Not for this port. */
            return out->actions ? 0 : -ENOMEM;
        }
    }

    bool *visited = calloc(t->n_bridges, sizeof *visited);
    struct flood_out *o = calloc(1, sizeof *o);
    struct dp_actions *acts = dp_actions_new();
    int error = -ENOMEM;
    if (visited && o && acts) {
        flood_bridge(t, (size_t) t->port_bridge[flow->in_port],
                     flow->in_port, vlan, tagged, visited, o);
        if (pick) {
            pick_one(o, pick, pick_aux);
        }
        error = prio_tag && (o->n_same || o->n_flip)
                && dp_actions_add_pop_vlan(&acts) ? -ENOMEM : 0;
        if (!error) {
            error = flood_actions(o, tagged, vlan, &acts);
        }
    }
    free(visited);
    free(o);
    if (error) {
        free(acts);
        return error;
    }
    out->actions = acts;
    return 0;
}

int
flood_translate(const struct flow *flow, struct xlate_out *out, void *aux)
{
    (void) aux;
    return flood_translate_pick(flow, NULL, NULL, out);
}
