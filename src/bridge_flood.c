/* bridge_flood: flooding between the ports of a bridge. */
#include "bridge_flood.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "dp.h"

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

/* Floods bridge 'br' and, depth first, the bridges patched to it. */
static int
flood_bridge(const struct flood_topo *t, size_t br, uint32_t in_port,
             bool *visited, struct dp_actions **acts)
{
    const struct flood_bridge *b = &t->bridges[br];
    visited[br] = true;
    for (size_t i = 0; i < b->n_ports; i++) {
        if (b->ports[i] != in_port
            && dp_actions_add_output(acts, b->ports[i])) {
            return -ENOMEM;
        }
    }
    for (size_t i = 0; i < b->n_peers; i++) {
        if (!visited[b->peers[i]]) {
            int error = flood_bridge(t, b->peers[i], in_port, visited, acts);
            if (error) {
                return error;
            }
        }
    }
    return 0;
}

int
flood_translate(const struct flow *flow, struct xlate_out *out, void *aux)
{
    const struct flood_topo *t = current;
    (void) aux;

    out->mask.in_port = UINT32_MAX;
    if (!t || flow->in_port >= DP_MAX_PORTS
        || t->port_bridge[flow->in_port] < 0) {
        return XLATE_NO_MATCH;
    }
    out->version = t->version;
    bool *visited = calloc(t->n_bridges, sizeof *visited);
    struct dp_actions *acts = dp_actions_new();
    if (!visited || !acts) {
        free(visited);
        free(acts);
        return -ENOMEM;
    }
    int error = flood_bridge(t, (size_t) t->port_bridge[flow->in_port],
                             flow->in_port, visited, &acts);
    free(visited);
    if (error) {
        free(acts);
        return error;
    }
    out->actions = acts;
    return 0;
}
