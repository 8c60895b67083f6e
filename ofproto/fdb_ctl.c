/* fdb_ctl: fdb/show, fdb/flush, fdb/stats-show, fdb/stats-clear. */
#include "ofproto/fdb_ctl.h"

#include <inttypes.h>
#include <stdio.h>

#include "ofproto/mac_learning.h"
#include "ofproto/ofp_field.h"
#include "ofproto/ofproto_private.h"
#include "src/util/ctl.h"
#include "src/util/dstr.h"
#include "src/util/loop.h"

/* The switch named by argv[1], or NULL with the error in 'reply'. */
static struct ofproto *
bridge_arg(const char *argv[], struct dstr *reply)
{
    struct ofproto *p = ofproto_lookup(argv[1]);
    if (!p || !p->ml) {
        dstr_put(reply, "no such bridge\n");
        return NULL;
    }
    return p;
}

/* Open vSwitch names ports by their OpenFlow number, LOCAL by name. */
static void
put_port(struct dstr *s, const struct ofproto *p, uint32_t dp_port)
{
    char name[16] = "?";
    for (size_t i = 0; i < p->n_ports; i++) {
        if (p->ports[i].dp_port == dp_port) {
            uint32_t no = p->ports[i].desc.port_no;
            if (no == OFPP_LOCAL) {
                snprintf(name, sizeof name, "LOCAL");
            } else {
                snprintf(name, sizeof name, "%d", ofp_port_to_16(no));
            }
            break;
        }
    }
    dstr_printf(s, "%5s", name);
}

static int
cmd_show(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) argc;
    (void) aux;
    struct ofproto *p = bridge_arg(argv, reply);
    if (!p) {
        return 1;
    }
    uint64_t now = loop_now_ms();
    dstr_put(reply, " port  VLAN  MAC                Age\n");
    for (const struct mac_entry *e = mac_learning_first(p->ml); e;
         e = mac_learning_next(p->ml, e)) {
        put_port(reply, p, e->port);
        const uint8_t *m = e->mac;
        dstr_printf(reply, "  %4u  %02x:%02x:%02x:%02x:%02x:%02x  %3u\n",
                    (unsigned int) e->vlan, m[0], m[1], m[2], m[3], m[4],
                    m[5], mac_entry_age(e, now));
    }
    return 0;
}

/* Applies 'fn' to the switch argv[1] names, or to every switch without
 * one; then replies 'done'. */
static int
for_bridges(int argc, const char *argv[], struct dstr *reply,
            void (*fn)(struct ofproto *), const char *done)
{
    if (argc > 1) {
        struct ofproto *p = bridge_arg(argv, reply);
        if (!p) {
            return 1;
        }
        fn(p);
    } else {
        for (struct ofproto *p = ofproto_first(); p; p = p->next) {
            if (p->ml) {
                fn(p);
            }
        }
    }
    dstr_put(reply, done);
    return 0;
}

static void
flush(struct ofproto *p)
{
    mac_learning_flush(p->ml);
    ofproto_changed(p);         /* What went to them floods again. */
}

static int
cmd_flush(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) aux;
    return for_bridges(argc, argv, reply, flush,
                       "table successfully flushed\n");
}

static int
cmd_stats_show(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) argc;
    (void) aux;
    struct ofproto *p = bridge_arg(argv, reply);
    if (!p) {
        return 1;
    }
    const struct mac_learning_stats *st = mac_learning_get_stats(p->ml);
    dstr_printf(reply, "Statistics for bridge \"%s\":\n", p->name);
    dstr_printf(reply, "  Current/maximum MAC entries in the table: "
                "%zu/%zu\n", mac_learning_count(p->ml),
                mac_learning_size(p->ml));
    dstr_put(reply, "  Current static MAC entries in the table : 0\n");
    dstr_printf(reply, "  Total number of learned MAC entries     : "
                "%" PRIu64 "\n", st->learned);
    dstr_printf(reply, "  Total number of expired MAC entries     : "
                "%" PRIu64 "\n", st->expired);
    dstr_printf(reply, "  Total number of evicted MAC entries     : "
                "%" PRIu64 "\n", st->evicted);
    dstr_printf(reply, "  Total number of port moved MAC entries  : "
                "%" PRIu64 "\n", st->moved);
    return 0;
}

static void
stats_clear(struct ofproto *p)
{
    mac_learning_clear_stats(p->ml);
}

static int
cmd_stats_clear(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) aux;
    return for_bridges(argc, argv, reply, stats_clear,
                       "statistics successfully cleared\n");
}

void
fdb_ctl_register(void)
{
    ctl_register("fdb/show", "bridge", 1, 1, cmd_show, NULL);
    ctl_register("fdb/flush", "[bridge]", 0, 1, cmd_flush, NULL);
    ctl_register("fdb/stats-show", "bridge", 1, 1, cmd_stats_show, NULL);
    ctl_register("fdb/stats-clear", "[bridge]", 0, 1, cmd_stats_clear,
                 NULL);
}
