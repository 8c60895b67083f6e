/* sluicectl_ofshow: show, dump-ports and dump-tables as ovs-ofctl
 * -O OpenFlow13 prints them. */
#include "tools/sluicectl_ofshow.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_ctrl.h"
#include "ofproto/ofp_field.h"
#include "ofproto/ofp_mp.h"
#include "ofproto/ofp_msg.h"
#include "ofproto/ofp_parse.h"
#include "ofproto/ofp_print.h"
#include "src/util/dstr.h"
#include "tools/sluicectl_of.h"

#define EXIT_REFUSED 2   /* As of_client_request() returns it. */
#define OF13_MP_HDR 16
#define PORT_STATS_LEN 112
#define TABLE_STATS_LEN 24

void
sluicectl_format_duration(struct dstr *s, uint32_t sec, uint32_t nsec)
{
    dstr_printf(s, "%" PRIu32, sec);
    if (nsec) {
        if (nsec % 1000000 == 0) {
            dstr_printf(s, ".%03" PRIu32, nsec / 1000000);
        } else {
            char digits[16];
            snprintf(digits, sizeof digits, "%09" PRIu32, nsec);
            size_t n = strlen(digits);
            while (n > 1 && digits[n - 1] == '0') {
                digits[--n] = '\0';
            }
            dstr_printf(s, ".%s", digits);
        }
    }
    dstr_put(s, "s");
}

static bool
is_mp_reply(const uint8_t *msg, size_t len, enum ofp_mp_type type)
{
    if (msg[1] != OFPT13_MULTIPART_REPLY || len < OF13_MP_HDR
        || ofp_get_u16(msg + 8) != type) {
        fprintf(stderr, "sluicectl: unexpected reply (type %u)\n", msg[1]);
        return false;
    }
    return true;
}

/* ---- Port descriptions. ---- */

struct port_list {
    struct ofp_port *ports;
    size_t n;
};

static int
collect_ports(const uint8_t *msg, size_t len, void *aux)
{
    struct port_list *pl = aux;
    if (!is_mp_reply(msg, len, OFPMP_PORT_DESC)
        || (len - OF13_MP_HDR) % OFP13_PORT_LEN) {
        return EXIT_FAILURE;
    }
    size_t n = (len - OF13_MP_HDR) / OFP13_PORT_LEN;
    pl->ports = realloc(pl->ports, (pl->n + n + 1) * sizeof *pl->ports);
    if (!pl->ports) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        ofp13_port_decode(msg + OF13_MP_HDR + i * OFP13_PORT_LEN,
                          &pl->ports[pl->n++]);
    }
    return 0;
}

int
sluicectl_port_descs(struct of_client *c, struct ofp_port **ports,
                     size_t *n, struct dstr *out, struct dstr *err)
{
    struct port_list pl = { NULL, 0 };
    uint32_t xid = of_client_next_xid(c);
    struct ofp_buf b = OFP_BUF_INIT;
    ofp13_mp_request_encode(&b, OFPMP_PORT_DESC, xid, NULL, 0);
    enum ofp_err oe;
    int e = of_client_transact(c, &b, xid, collect_ports, &pl, &oe, err);
    ofp_buf_free(&b);
    if (!e && oe) {
        of_client_format_error(err, oe, xid);
        e = 1;
    }
    if (e) {
        free(pl.ports);
        return e < 0 ? e : 1;
    }
    if (out) {
        dstr_printf(out, "OFPST_PORT_DESC reply (OF1.3) (xid=0x%x):\n",
                    xid);
    }
    *ports = pl.ports;
    *n = pl.n;
    return 0;
}

static void
put_bits(struct dstr *s, uint32_t bits, const char *const names[],
         size_t n)
{
    if (!bits) {
        dstr_put(s, "0");
        return;
    }
    const char *sep = "";
    for (size_t i = 0; i < n; i++) {
        if (bits & (1u << i) && names[i]) {
            dstr_printf(s, "%s%s", sep, names[i]);
            sep = " ";
        }
    }
}

static void
put_features(struct dstr *s, const char *what, uint32_t f)
{
    static const char *const names[] = {
        "10MB-HD", "10MB-FD", "100MB-HD", "100MB-FD", "1GB-HD", "1GB-FD",
        "10GB-FD", "40GB-FD", "100GB-FD", "1TB-FD", "OTHER", "COPPER",
        "FIBER", "AUTO_NEG", "AUTO_PAUSE", "AUTO_PAUSE_ASYM",
    };
    if (f) {
        dstr_printf(s, "     %-12s", what);
        put_bits(s, f, names, sizeof names / sizeof names[0]);
        dstr_put(s, "\n");
    }
}

static int
cmp_port(const void *a_, const void *b_)
{
    const struct ofp_port *a = a_, *b = b_;
    return a->port_no < b->port_no ? -1 : a->port_no > b->port_no;
}

void
sluicectl_put_port(struct dstr *s, const struct ofp_port *p)
{
    static const char *const config[] = {
        "PORT_DOWN", NULL, "NO_RECV", NULL, NULL, "NO_FWD", "NO_PACKET_IN",
    };
    static const char *const state[] = { "LINK_DOWN", "BLOCKED", "LIVE" };
    dstr_put(s, " ");
    ofp_print_port(s, p->port_no);
    const uint8_t *m = p->hw_addr;
    dstr_printf(s, "(%.16s): addr:%02x:%02x:%02x:%02x:%02x:%02x\n",
                p->name, m[0], m[1], m[2], m[3], m[4], m[5]);
    dstr_put(s, "     config:     ");
    put_bits(s, p->config, config, sizeof config / sizeof config[0]);
    dstr_put(s, "\n     state:      ");
    put_bits(s, p->state, state, sizeof state / sizeof state[0]);
    dstr_put(s, "\n");
    put_features(s, "current:", p->curr);
    put_features(s, "advertised:", p->advertised);
    put_features(s, "supported:", p->supported);
    put_features(s, "peer:", p->peer);
    if (p->curr_speed || p->max_speed) {
        dstr_printf(s, "     speed: %" PRIu32 " Mbps now, %" PRIu32
                    " Mbps max\n", p->curr_speed / 1000,
                    p->max_speed / 1000);
    }
}

/* ---- show. ---- */

static int
print_features(const uint8_t *msg, size_t len, void *aux)
{
    static const char *const caps[] = {
        "FLOW_STATS", "TABLE_STATS", "PORT_STATS", "GROUP_STATS", NULL,
        "IP_REASM", "QUEUE_STATS", NULL, "PORT_BLOCKED",
    };
    struct dstr *out = aux;
    if (msg[1] != OFPT_FEATURES_REPLY || len < 32) {
        fprintf(stderr, "sluicectl: unexpected reply (type %u)\n", msg[1]);
        return EXIT_FAILURE;
    }
    dstr_printf(out, "OFPT_FEATURES_REPLY (OF1.3) (xid=0x%" PRIx32 "): "
                "dpid:%016" PRIx64 "\n", ofp_get_u32(msg + 4),
                ofp_get_u64(msg + 8));
    dstr_printf(out, "n_tables:%u, n_buffers:%" PRIu32 "\n", msg[20],
                ofp_get_u32(msg + 16));
    dstr_put(out, "capabilities: ");
    put_bits(out, ofp_get_u32(msg + 24), caps, sizeof caps / sizeof caps[0]);
    dstr_put(out, "\n");
    return 0;
}

static int
print_config(const uint8_t *msg, size_t len, void *aux)
{
    static const char *const frags[] = {
        "normal", "drop", "reassemble", "nx-match",
    };
    struct dstr *out = aux;
    if (msg[1] != OFPT_GET_CONFIG_REPLY || len < 12) {
        fprintf(stderr, "sluicectl: unexpected reply (type %u)\n", msg[1]);
        return EXIT_FAILURE;
    }
    dstr_printf(out, "OFPT_GET_CONFIG_REPLY (OF1.3) (xid=0x%" PRIx32 "): "
                "frags=%s miss_send_len=%u\n", ofp_get_u32(msg + 4),
                frags[ofp_get_u16(msg + 8) & OFPC_FRAG_MASK],
                ofp_get_u16(msg + 10));
    return 0;
}

/* A request that is a bare header of 'type'. */
static int
simple_request(struct of_client *c, uint8_t type, of_client_msg_fn *fn,
               struct dstr *out)
{
    uint32_t xid = of_client_next_xid(c);
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_msg_finish(&b, ofp_header_put(&b, OFP13_VERSION, type, xid));
    int status = of_client_request(c, &b, xid, fn, out);
    ofp_buf_free(&b);
    return status;
}

static int
show(struct of_client *c, struct dstr *out)
{
    int status = simple_request(c, OFPT_FEATURES_REQUEST, print_features,
                                out);
    if (status) {
        return status;
    }
    struct ofp_port *ports;
    size_t n;
    struct dstr err;
    dstr_init(&err);
    int e = sluicectl_port_descs(c, &ports, &n, out, &err);
    if (e) {
        fprintf(stderr, "%s%s\n", e < 0 ? "sluicectl: " : "",
                dstr_cstr(&err));
        dstr_free(&err);
        return e < 0 ? EXIT_FAILURE : EXIT_REFUSED;
    }
    dstr_free(&err);
    qsort(ports, n, sizeof *ports, cmp_port);
    for (size_t i = 0; i < n; i++) {
        sluicectl_put_port(out, &ports[i]);
    }
    free(ports);
    return simple_request(c, OFPT_GET_CONFIG_REQUEST, print_config, out);
}

/* ---- dump-ports. ---- */

static void
put_stat(struct dstr *s, const char *name, uint64_t v, bool more)
{
    if (v == UINT64_MAX) {
        dstr_printf(s, "%s?", name);
    } else {
        dstr_printf(s, "%s%" PRIu64, name, v);
    }
    dstr_put(s, more ? ", " : "\n");
}

static int
print_port_stats(const uint8_t *msg, size_t len, void *aux)
{
    struct dstr *out = aux;
    if (!is_mp_reply(msg, len, OFPMP_PORT_STATS)
        || (len - OF13_MP_HDR) % PORT_STATS_LEN) {
        return EXIT_FAILURE;
    }
    size_t n = (len - OF13_MP_HDR) / PORT_STATS_LEN;
    dstr_printf(out, "OFPST_PORT reply (OF1.3) (xid=0x%" PRIx32 "): %zu "
                "ports\n", ofp_get_u32(msg + 4), n);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = msg + OF13_MP_HDR + i * PORT_STATS_LEN;
        uint32_t port = ofp_get_u32(p);
        uint64_t v[12];
        for (size_t k = 0; k < 12; k++) {
            v[k] = ofp_get_u64(p + 8 + 8 * k);
        }
        dstr_put(out, port < 10 ? "  port  " : "  port ");
        ofp_print_port(out, port);
        /* rx/tx packets, bytes, dropped, errors; frame, over, crc, coll. */
        put_stat(out, ": rx pkts=", v[0], true);
        put_stat(out, "bytes=", v[2], true);
        put_stat(out, "drop=", v[4], true);
        put_stat(out, "errs=", v[6], true);
        put_stat(out, "frame=", v[8], true);
        put_stat(out, "over=", v[9], true);
        put_stat(out, "crc=", v[10], false);
        put_stat(out, "           tx pkts=", v[1], true);
        put_stat(out, "bytes=", v[3], true);
        put_stat(out, "drop=", v[5], true);
        put_stat(out, "errs=", v[7], true);
        put_stat(out, "coll=", v[11], false);
        uint32_t sec = ofp_get_u32(p + 104);
        if (sec != UINT32_MAX) {
            dstr_put(out, "           duration=");
            sluicectl_format_duration(out, sec, ofp_get_u32(p + 108));
            dstr_put(out, "\n");
        }
    }
    return 0;
}

static bool
lookup_name(const char *name, uint32_t *port, void *aux)
{
    struct of_client *c = aux;
    struct ofp_port *ports;
    size_t n;
    struct dstr err;
    dstr_init(&err);
    bool found = false;
    if (!sluicectl_port_descs(c, &ports, &n, NULL, &err)) {
        for (size_t i = 0; i < n && !found; i++) {
            if (strlen(name) <= sizeof ports[i].name
                && !strncmp(ports[i].name, name, sizeof ports[i].name)) {
                *port = ports[i].port_no;
                found = true;
            }
        }
        free(ports);
    }
    dstr_free(&err);
    return found;
}

static int
dump_ports(struct of_client *c, const char *which, struct dstr *out)
{
    uint32_t port = OFPP_ANY;
    struct ofp_parse_ports names = { lookup_name, c };
    if (which && !ofp_parse_port(which, &names, &port)) {
        fprintf(stderr, "sluicectl: %s: invalid or unknown port\n", which);
        return EXIT_FAILURE;
    }
    uint8_t body[8] = { 0 };
    ofp_set_u32(body, port);
    uint32_t xid = of_client_next_xid(c);
    struct ofp_buf b = OFP_BUF_INIT;
    ofp13_mp_request_encode(&b, OFPMP_PORT_STATS, xid, body, sizeof body);
    int status = of_client_request(c, &b, xid, print_port_stats, out);
    ofp_buf_free(&b);
    return status;
}

/* ---- dump-tables. ---- */

struct tables {
    struct dstr *out;
    uint8_t prev[TABLE_STATS_LEN];  /* Stats of the table before. */
    bool have_prev;
    int ditto_first, ditto_last;    /* -1: none. */
};

static void
flush_ditto(struct tables *t)
{
    if (t->ditto_first < 0) {
        return;
    }
    if (t->ditto_first == t->ditto_last) {
        dstr_printf(t->out, "  table %d: ditto\n", t->ditto_first);
    } else {
        dstr_printf(t->out, "  tables %d...%d: ditto\n", t->ditto_first,
                    t->ditto_last);
    }
    t->ditto_first = t->ditto_last = -1;
}

static int
print_table_stats(const uint8_t *msg, size_t len, void *aux)
{
    struct tables *t = aux;
    if (!is_mp_reply(msg, len, OFPMP_TABLE)
        || (len - OF13_MP_HDR) % TABLE_STATS_LEN) {
        return EXIT_FAILURE;
    }
    if (!t->have_prev) {
        dstr_printf(t->out, "OFPST_TABLE reply (OF1.3) (xid=0x%" PRIx32
                    "):\n", ofp_get_u32(msg + 4));
    }
    for (size_t i = OF13_MP_HDR; i < len; i += TABLE_STATS_LEN) {
        const uint8_t *p = msg + i;
        /* Equal apart from the table id: ditto. */
        if (t->have_prev && !memcmp(p + 1, t->prev + 1,
                                    TABLE_STATS_LEN - 1)) {
            if (t->ditto_first < 0) {
                t->ditto_first = p[0];
            }
            t->ditto_last = p[0];
            continue;
        }
        flush_ditto(t);
        dstr_printf(t->out, "  table %u:\n    active=%" PRIu32 ", lookup=%"
                    PRIu64 ", matched=%" PRIu64 "\n\n", p[0],
                    ofp_get_u32(p + 4), ofp_get_u64(p + 8),
                    ofp_get_u64(p + 16));
        memcpy(t->prev, p, TABLE_STATS_LEN);
        t->have_prev = true;
    }
    return 0;
}

static int
dump_tables(struct of_client *c, struct dstr *out)
{
    struct tables t = { .out = out, .ditto_first = -1, .ditto_last = -1 };
    uint32_t xid = of_client_next_xid(c);
    struct ofp_buf b = OFP_BUF_INIT;
    ofp13_mp_request_encode(&b, OFPMP_TABLE, xid, NULL, 0);
    int status = of_client_request(c, &b, xid, print_table_stats, &t);
    ofp_buf_free(&b);
    flush_ditto(&t);
    return status;
}

int
sluicectl_ofshow_run(struct of_client *c, int argc, char *argv[])
{
    const char *cmd = argv[0];
    int max = !strcmp(cmd, "dump-ports") ? 3 : 2;
    if (argc > max) {
        fprintf(stderr, "sluicectl: usage: sluicectl %s BRIDGE%s\n", cmd,
                max == 3 ? " [PORT]" : "");
        return EXIT_FAILURE;
    }
    struct dstr out;
    dstr_init(&out);
    int status = !strcmp(cmd, "show") ? show(c, &out)
                 : !strcmp(cmd, "dump-ports")
                   ? dump_ports(c, argc > 2 ? argv[2] : NULL, &out)
                 : dump_tables(c, &out);
    if (!status) {
        fputs(dstr_cstr(&out), stdout);
    }
    dstr_free(&out);
    return status;
}
