/* of_normal: NORMAL as a MAC learning switch. */
#include "ofproto/of_normal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/bridge_flood.h"
#include "ofproto/mac_learning.h"
#include "ofproto/ofproto_private.h"
#include "pmd/actions.h"

struct dest {
    const struct ofproto *own;      /* The input port's switch. */
    uint16_t vlan;
    const uint8_t *mac;
    uint32_t port;                  /* Learned in 'own', or
                                     * MAC_LEARNING_NO_PORT. */
};

/* The flood's port that 'aux' (a struct dest) names: the one learned in
 * the input port's bridge, else one that its own bridge learned it on. */
static bool
pick_dest(uint32_t port_no, void *aux)
{
    const struct dest *d = aux;
    if (d->port != MAC_LEARNING_NO_PORT) {
        return port_no == d->port;
    }
    uint32_t ofp_port;
    const struct ofproto *p = ofproto_from_dp_port(port_no, &ofp_port);
    return p && p != d->own && p->ml
           && mac_learning_lookup(p->ml, d->vlan, d->mac) == port_no;
}

static void
learn(struct ofproto *p, const struct flow *flow, uint16_t vlan,
      const struct xlate_stats *stats)
{
    /* A group (bond) is one port: its members do not move stations. */
    uint32_t port = flood_learn_port(flow->in_port);
    enum mac_learn_result r = mac_learning_learn(p->ml, vlan, flow->dl_src,
                                                 port, stats->now_ms);
    if (r == MAC_LEARN_NEW || r == MAC_LEARN_MOVED) {
        /* What floods to it or goes to its old port changes. */
        ofproto_changed(p);
    }
}

int
of_normal_translate(const struct flow *flow, const struct xlate_stats *stats,
                    struct xlate_out *out)
{
    int vlan;
    int error = flood_input_vlan(flow, &out->mask, &vlan);
    if (error) {
        return error;
    }
    memset(out->mask.dl_src, 0xff, sizeof out->mask.dl_src);
    memset(out->mask.dl_dst, 0xff, sizeof out->mask.dl_dst);
    if (vlan < 0) {
        out->actions = dp_actions_new();    /* Not for this port. */
        return out->actions ? 0 : -ENOMEM;
    }

    uint32_t ofp_port;
    struct ofproto *p = ofproto_from_dp_port(flow->in_port, &ofp_port);
    if (p && p->ml && stats) {
        learn(p, flow, (uint16_t) vlan, stats);
    }
    if (flow->dl_dst[0] & 1) {
        return flood_translate_pick(flow, NULL, NULL, out);
    }
    struct dest d = {
        .own = p, .vlan = (uint16_t) vlan, .mac = flow->dl_dst,
        .port = p && p->ml ? mac_learning_lookup(p->ml, (uint16_t) vlan,
                                                 flow->dl_dst)
                           : MAC_LEARNING_NO_PORT,
    };
    if (d.port != MAC_LEARNING_NO_PORT
        && flood_same_port(flow->in_port, d.port)) {
        out->actions = dp_actions_new();    /* Where it came from. */
        return out->actions ? 0 : -ENOMEM;
    }
    return flood_translate_pick(flow, pick_dest, &d, out);
}
