/* actions: datapath action lists and their executor. */
#include "actions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dstr.h"
#include "tx.h"

struct dp_actions *
dp_actions_new(void)
{
    return calloc(1, sizeof(struct dp_actions));
}

static int
dp_actions_append(struct dp_actions **actsp, const void *action, size_t len)
{
    struct dp_actions *acts = *actsp;
    struct dp_actions *n = realloc(acts, sizeof *acts + acts->size + len);
    if (!n) {
        return -ENOMEM;
    }
    memcpy(n->data + n->size, action, len);
    n->size += (uint32_t) len;
    *actsp = n;
    return 0;
}

int
dp_actions_add_output(struct dp_actions **actsp, uint32_t port_no)
{
    struct dp_action_output out = {
        .hdr = { .type = DP_ACTION_OUTPUT, .len = sizeof out },
        .port_no = port_no,
    };
    return dp_actions_append(actsp, &out, sizeof out);
}

int
dp_actions_validate(const struct dp_actions *acts)
{
    size_t off = 0;
    while (off < acts->size) {
        const struct dp_action *a = (const void *) (acts->data + off);
        if (acts->size - off < sizeof *a || a->len < sizeof *a
            || a->len % 4 || a->len > acts->size - off) {
            return -EINVAL;
        }
        switch (a->type) {
        case DP_ACTION_OUTPUT:
            if (a->len != sizeof(struct dp_action_output)) {
                return -EINVAL;
            }
            break;
        default:
            return -EINVAL;
        }
        off += a->len;
    }
    return 0;
}

int
dp_actions_outputs_to(const struct dp_actions *acts, uint32_t port_no)
{
    if (!acts) {
        return 0;
    }
    DP_ACTIONS_FOR_EACH (a, acts) {
        if (a->type == DP_ACTION_OUTPUT
            && ((const struct dp_action_output *) a)->port_no == port_no) {
            return 1;
        }
    }
    return 0;
}

void
dp_actions_format(const struct dp_actions *acts, struct dstr *s,
                  const char *(*port_name)(uint32_t, void *), void *aux)
{
    if (!acts || !acts->size) {
        dstr_put(s, "drop");
        return;
    }
    const char *sep = "";
    DP_ACTIONS_FOR_EACH (a, acts) {
        dstr_put(s, sep);
        sep = ",";
        if (a->type == DP_ACTION_OUTPUT) {
            uint32_t p = ((const struct dp_action_output *) a)->port_no;
            const char *name = port_name ? port_name(p, aux) : NULL;
            if (name) {
                dstr_printf(s, "output:%s", name);
            } else {
                dstr_printf(s, "output:%u", p);
            }
        } else {
            dstr_printf(s, "unknown(%u)", a->type);
        }
    }
}

uint32_t
dp_actions_execute(struct tx_ctx *tx, struct rte_mbuf **pkts, uint32_t n,
                   const struct dp_actions *acts)
{
    if (unlikely(!acts || !acts->size)) {
        rte_pktmbuf_free_bulk(pkts, n);
        return n;
    }
    const uint8_t *end = acts->data + acts->size;
    DP_ACTIONS_FOR_EACH (a, acts) {
        bool last = (const uint8_t *) a + a->len >= end;
        switch (a->type) {
        case DP_ACTION_OUTPUT: {
            uint32_t port_no = ((const struct dp_action_output *) a)->port_no;
            if (!last) {
                /* The packets go on to later actions too: share them. */
                for (uint32_t i = 0; i < n; i++) {
                    rte_mbuf_refcnt_update(pkts[i], 1);
                }
            }
            tx_enqueue(tx, port_no, pkts, n);
            if (last) {
                return 0;
            }
            break;
        }
        default:
            break;
        }
    }
    /* The list ended without consuming the packets (no final output). */
    rte_pktmbuf_free_bulk(pkts, n);
    return 0;
}
