/* ofproto_ctl: ofproto/trace and dpif/dump-flows. */
#include "ofproto/ofproto_ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/of_xlate.h"
#include "ofproto/ofconn.h"
#include "ofproto/ofp_match.h"
#include "ofproto/ofp_parse.h"
#include "ofproto/ofp_print.h"
#include "ofproto/ofproto_private.h"
#include "ofproto/xlate.h"
#include "pmd/actions.h"
#include "pmd/dp.h"
#include "pmd/dpcls.h"
#include "pmd/megaflow.h"
#include "pmd/pmd.h"
#include "src/util/ctl.h"
#include "src/util/dstr.h"

static bool
port_by_name(const char *name, uint32_t *port, void *p_)
{
    const struct ofproto *p = p_;
    for (size_t i = 0; i < p->n_ports; i++) {
        const struct ofp_port *d = &p->ports[i].desc;
        if (!strncmp(d->name, name, sizeof d->name)
            && strlen(name) <= sizeof d->name) {
            *port = d->port_no;
            return true;
        }
    }
    return false;
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char) (c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The frame 'hex' into a malloc'd buffer; NULL if it is not hex. */
static uint8_t *
parse_hex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2) {
        return NULL;
    }
    uint8_t *p = malloc(n / 2 + 1);
    if (!p) {
        abort();
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(p);
            return NULL;
        }
        p[i] = (uint8_t) (hi << 4 | lo);
    }
    *len = n / 2;
    return p;
}

static void
put_key(struct dstr *out, const struct cls_key *key)
{
    struct ofp_match m;
    ofp_match_from_key(&m, &key->flow, &key->meta);
    ofp_print_match(out, &m, -1);
}

/* The starting key: from the match text, or from the frame. */
static int
start_key(struct ofproto *p, const char *flow, const char *packet,
          struct cls_key *key, struct dstr *out)
{
    struct ofp_parse_ports ports = { port_by_name, p };
    struct ofp_match m;
    struct dstr err = DSTR_INIT;
    if (ofp_parse_match(flow, &ports, &m, &err)) {
        dstr_printf(out, "Bad openflow flow syntax: %s\n", dstr_cstr(&err));
        dstr_free(&err);
        return -EINVAL;
    }
    dstr_free(&err);
    memset(key, 0, sizeof *key);
    key->flow = m.flow;
    key->meta = m.meta;
    struct ofport *port = ofproto_port(p, m.meta.in_port);
    uint32_t dp_port = port ? port->dp_port : OFPROTO_NO_DP_PORT;
    key->flow.in_port = dp_port;
    if (packet) {
        size_t len;
        uint8_t *frame = parse_hex(packet, &len);
        if (!frame) {
            dstr_printf(out, "Trailing garbage in packet data\n");
            return -EINVAL;
        }
        struct miniflow mf;
        flow_extract(frame, len, dp_port, 0, &mf, NULL);
        miniflow_expand(&mf, &key->flow);
        free(frame);
    }
    return 0;
}

int
ofproto_trace(struct ofproto *p, const char *flow, const char *packet,
              struct dstr *out)
{
    struct cls_key key, final;
    if (start_key(p, flow, packet, &key, out)) {
        return -EINVAL;
    }
    dstr_put(out, "Flow: ");
    put_key(out, &key);
    dstr_put(out, "\n\n");

    struct xlate_out xo;
    memset(&xo, 0, sizeof xo);
    int error = of_xlate_trace(p, &key.flow, &key.meta, &xo, &final, out);
    if (error) {
        dstr_printf(out, "\nTranslation failed (%s)\n", strerror(-error));
        return 0;
    }

    dstr_put(out, "\nFinal flow: ");
    if (!memcmp(&key, &final, sizeof key)) {
        dstr_put(out, "unchanged");
    } else {
        put_key(out, &final);
    }
    /* A megaflow always matches its in_port and recirculation id. */
    xo.mask.in_port = UINT32_MAX;
    xo.mask.recirc_id = UINT32_MAX;
    struct flow masked;
    flow_and(&masked, &key.flow, &xo.mask);
    dstr_put(out, "\nMegaflow: ");
    flow_format(&masked, &xo.mask, out);
    dstr_put(out, "\nDatapath actions: ");
    if (xo.actions && xo.actions->size) {
        dp_actions_format(xo.actions, out, NULL, NULL);
    } else {
        dstr_put(out, "drop");
    }
    dstr_put(out, "\n");
    free(xo.actions);
    return 0;
}

/* ofproto/trace BRIDGE FLOW | ofproto/trace BRIDGE in_port=N PACKET */
static int
cmd_trace(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) aux;
    struct ofproto *p = ofproto_lookup(argv[1]);
    if (!p) {
        dstr_put(reply, "Unknown bridge name\n");
        return 1;
    }
    return ofproto_trace(p, argv[2], argc > 3 ? argv[3] : NULL, reply)
           ? 1 : 0;
}

static bool
bridge_has_dp_port(const struct ofproto *p, uint32_t dp_port)
{
    for (size_t i = 0; i < p->n_ports; i++) {
        if (p->ports[i].dp_port == dp_port) {
            return true;
        }
    }
    return false;
}

/* dpif/dump-flows BRIDGE: dpctl/dump-flows for the bridge's ports. */
static int
cmd_dump_flows(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    struct dp *dp = dp_;
    struct ofproto *p = ofproto_lookup(argv[argc - 1]);
    if (!p) {
        dstr_put(reply, "no such bridge\n");
        return 1;
    }
    for (unsigned int i = 0; dp && i < dp_n_pmds(dp); i++) {
        struct pmd *pmd = dp_pmd(dp, i);
        struct dpcls_cursor c;
        struct dpcls_rule *r;
        DPCLS_FOR_EACH (r, &c, &megaflow_table(pmd)->shadow) {
            const struct megaflow *mf =
                DPCLS_CONTAINER_OF(r, struct megaflow, shadow);
            struct flow key;
            miniflow_expand(&mf->key_mf, &key);
            if (bridge_has_dp_port(p, key.in_port)) {
                megaflow_format(mf, reply, dp_port_name, dp);
                dstr_put(reply, "\n");
            }
        }
    }
    return 0;
}

/* ofproto/list: the bridges, one a line, as Open vSwitch prints them. */
static int
cmd_list(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) argc;
    (void) argv;
    (void) aux;
    for (const struct ofproto *p = ofproto_first(); p; p = p->next) {
        dstr_printf(reply, "%s\n", p->name);
    }
    return 0;
}

static void
format_switch_stats(const struct ofproto *p, struct dstr *reply)
{
    struct ofconn_mgr_stats s;
    size_t n_tables = 0;
    ofconn_mgr_get_stats(p->mgr, &s);
    for (size_t i = 0; i < OF_N_TABLES; i++) {
        n_tables += p->tables.tables[i].first != NULL;
    }
    dstr_printf(reply, "%s:\n", p->name);
    dstr_printf(reply, "  rules: %zu in %zu tables, version %llu%s\n",
                p->tables.n_rules, n_tables,
                (unsigned long long) p->tables.version,
                p->fail_open ? ", fail-open" : "");
    dstr_printf(reply, "  connections: %zu now; accepted %llu, connected "
                "%llu, negotiated %llu, hello failed %llu\n",
                ofconn_mgr_n_conns(p->mgr),
                (unsigned long long) s.accepted,
                (unsigned long long) s.connects,
                (unsigned long long) s.negotiated,
                (unsigned long long) s.hello_failed);
    dstr_printf(reply, "  dropped: slow peers %llu, unanswered probes "
                "%llu, bad messages %llu\n",
                (unsigned long long) s.dropped_slow,
                (unsigned long long) s.dropped_probe,
                (unsigned long long) s.bad_messages);
    dstr_printf(reply, "  messages: received %llu, sent %llu\n",
                (unsigned long long) s.rx_msgs,
                (unsigned long long) s.tx_msgs);
}

/* ofproto/stats [BRIDGE]: each switch's rules and connection counters,
 * then the translation counters all switches share. */
static int
cmd_stats(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) aux;
    if (argc > 1) {
        const struct ofproto *p = ofproto_lookup(argv[1]);
        if (!p) {
            dstr_put(reply, "no such bridge\n");
            return 1;
        }
        format_switch_stats(p, reply);
    } else {
        for (const struct ofproto *p = ofproto_first(); p; p = p->next) {
            format_switch_stats(p, reply);
        }
    }
    const struct of_xlate_stats *x = of_xlate_get_stats();
    dstr_printf(reply, "translation: too deep %llu, packet-in kinds "
                "exhausted %llu, needing recirculation %llu\n",
                (unsigned long long) x->too_deep,
                (unsigned long long) x->pin_overflow,
                (unsigned long long) x->needs_recirc);
    return 0;
}

void
ofproto_ctl_register(struct dp *dp)
{
    ctl_register("ofproto/list", "", 0, 0, cmd_list, NULL);
    ctl_register("ofproto/stats", "[BRIDGE]", 0, 1, cmd_stats, NULL);
    ctl_register("ofproto/trace", "BRIDGE FLOW | BRIDGE in_port=N PACKET",
                 2, 3, cmd_trace, NULL);
    ctl_register("dpif/dump-flows", "[-m] BRIDGE", 1, 2, cmd_dump_flows,
                 dp);
}
