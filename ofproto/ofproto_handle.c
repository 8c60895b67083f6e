/* ofproto_handle: the requests of an OpenFlow connection - decoded with
 * the codec, applied to the switch, answered in the connection's version
 * and formats.  Every error goes back as OFPT_ERROR with the request's
 * xid and first bytes; nothing a peer sends stops the switch. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/of_xlate.h"
#include "ofproto/ofconn.h"
#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_ctrl.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_kind.h"
#include "ofproto/ofp_mp.h"
#include "ofproto/ofp_msg.h"
#include "ofproto/ofp_packet.h"
#include "ofproto/ofp_stats.h"
#include "ofproto/ofproto_private.h"
#include "ofproto/upcall.h"
#include "pmd/actions.h"
#include "pmd/dp.h"
#include "pmd/flow.h"
#include "pmd/port.h"
#include "sluice_config.h"
#include "src/util/dstr.h"
#include "src/util/loop.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto_handle);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* A reply is split into messages of at most this much. */
#define REPLY_SPLIT 60000

static void
send_error(struct ofconn *c, const uint8_t *msg, size_t len,
           enum ofp_err err)
{
    struct ofp_header h;
    ofp_header_parse(msg, &h);
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_err_encode(&b, ofconn_state(c)->version, h.xid, err, msg, len);
    ofconn_send(c, &b);
    ofp_buf_free(&b);
    VLOG_DBG_RL(&rl, "%s: answered %s with %s", ofconn_name(c),
                ofp_msg_type_name(h.version, h.type), ofp_err_name(err));
}

static uint32_t
xid_of(const uint8_t *msg)
{
    return ofp_get_u32(msg + 4);
}

static bool
is_slave(struct ofconn *c)
{
    return ofconn_state(c)->role == OFPCR_ROLE_SLAVE;
}

/* ---- Flow mods. ---- */

static enum ofp_err
check_insts(const struct ofp_insts *in)
{
    enum ofp_err e = of_xlate_check_actions(&in->apply);
    if (!e) {
        e = of_xlate_check_actions(&in->write);
    }
    if (!e && in->present & 1u << OFPIT_METER) {
        e = OFPERR_OFPMMFC_INVALID_METER;
    }
    return e;
}

/* An OpenFlow 1.3 flow_mod's table, read before it is decoded: Open
 * vSwitch refuses one for its hidden table 254 before it looks at the
 * instructions (a goto_table:255 there is OFPBRC_EPERM too). */
static bool
for_hidden_table(const uint8_t *msg, size_t len)
{
    return msg[0] == OFP13_VERSION && msg[1] == OFPT_FLOW_MOD && len > 24
           && msg[24] == OFPROTO_N_TABLES;
}

static void
handle_flow_mod(struct ofproto *p, struct ofconn *c, const uint8_t *msg,
                size_t len)
{
    struct ofp_flow_mod fm;
    if (for_hidden_table(msg, len)) {
        send_error(c, msg, len, OFPERR_OFPBRC_EPERM);
        return;
    }
    enum ofp_err e = ofp_flow_mod_decode(msg, len,
                                         ofconn_state(c)->table_id_ext, &fm);
    if (e) {
        send_error(c, msg, len, e);
        return;
    }
    if (is_slave(c)) {
        e = OFPERR_OFPBRC_IS_SECONDARY;
    } else if (fm.table_id >= OFPROTO_N_TABLES && fm.table_id != OFPTT_ALL) {
        e = OFPERR_OFPBRC_EPERM;        /* Open vSwitch's hidden table. */
    } else if (fm.buffer_id != OFP_NO_BUFFER) {
        e = OFPERR_OFPBRC_BUFFER_UNKNOWN;
    } else {
        e = check_insts(&fm.insts);
    }
    if (!e) {
        struct of_rule_list removed;
        uint64_t now = loop_now_ms();
        of_rule_list_init(&removed);
        uint64_t before = p->tables.version;
        e = of_tables_flow_mod(&p->tables, &fm, now, &removed);
        ofproto_rules_removed(p, &removed, now);
        of_rule_list_destroy(&removed);
        if (p->tables.version != before) {
            /* An OpenFlow 1.0 add "to every table" goes to table 0. */
            ofproto_changed_table(p, fm.command == OFPFC_ADD
                                     && fm.table_id == OFPTT_ALL
                                     ? 0 : fm.table_id);
        }
    }
    ofp_flow_mod_free(&fm);
    if (e) {
        send_error(c, msg, len, e);
    }
}

/* ---- Flow and aggregate statistics. ---- */

struct flow_reply {
    struct ofp_buf b;
    size_t start;
    enum ofp_stats_format format;
    uint32_t xid;
    uint64_t now;
    uint64_t packets, bytes;
    uint32_t n;
};

static void
put_flow(struct of_rule *r, void *aux)
{
    struct flow_reply *fr = aux;
    struct ofp_flow_stats fs;
    of_rule_to_stats(r, fr->now, &fs);
    if (fr->b.len - fr->start > REPLY_SPLIT) {
        ofp_stats_reply_finish(&fr->b, fr->start, true);
        fr->start = ofp_stats_reply_start(&fr->b, fr->format, false,
                                          fr->xid);
    }
    if (ofp_flow_stats_put(&fr->b, fr->format, &fs)) {
        VLOG_WARN_RL(&rl, "a rule cannot be shown in this connection's "
                     "format: left out");
    }
}

static void
sum_flow(struct of_rule *r, void *aux)
{
    struct flow_reply *fr = aux;
    fr->packets += r->packet_count;
    fr->bytes += r->byte_count;
    fr->n++;
}

static void
handle_flow_stats(struct ofproto *p, struct ofconn *c, const uint8_t *msg,
                  size_t len)
{
    struct ofp_flow_stats_request req;
    enum ofp_err e = ofp_flow_stats_request_decode(msg, len, &req);
    if (e) {
        send_error(c, msg, len, e);
        return;
    }
    struct flow_reply fr = {
        .b = OFP_BUF_INIT, .format = req.format, .xid = xid_of(msg),
        .now = loop_now_ms(),
    };
    fr.start = ofp_stats_reply_start(&fr.b, req.format, req.aggregate,
                                     fr.xid);
    if (req.aggregate) {
        of_tables_collect(&p->tables, &req, sum_flow, &fr);
        ofp_aggregate_stats_put(&fr.b, fr.packets, fr.bytes, fr.n);
    } else {
        of_tables_collect(&p->tables, &req, put_flow, &fr);
    }
    ofp_stats_reply_finish(&fr.b, fr.start, false);
    ofconn_send(c, &fr.b);
    ofp_buf_free(&fr.b);
}

/* ---- Other statistics. ---- */

static void
handle_desc(struct ofproto *p, struct ofconn *c, const uint8_t *msg)
{
    struct ofp_buf b = OFP_BUF_INIT;
    size_t start = ofp_mp_reply_start(&b, ofconn_state(c)->version,
                                      OFPMP_DESC, xid_of(msg));
    struct ofp_desc d = {
        .mfr_desc = "Sluice", .hw_desc = "Sluice DPDK userspace switch",
        .sw_desc = SLUICE_VERSION, .serial_num = "None",
        .dp_desc = p->name,
    };
    ofp_desc_put(&b, &d);
    ofp_stats_reply_finish(&b, start, false);
    ofconn_send(c, &b);
    ofp_buf_free(&b);
}

static void
handle_table_stats(struct ofproto *p, struct ofconn *c, const uint8_t *msg)
{
    uint8_t version = ofconn_state(c)->version;
    struct ofp_buf b = OFP_BUF_INIT;
    size_t start = ofp_mp_reply_start(&b, version, OFPMP_TABLE, xid_of(msg));
    for (unsigned int i = 0; i < OFPROTO_N_TABLES; i++) {
        const struct of_table *t = &p->tables.tables[i];
        struct ofp_table_stats ts = {
            .table_id = (uint8_t) i, .name = "",
            .max_entries = t->max_rules ? t->max_rules : 1000000,
            .active_count = (uint32_t) cls_count(&t->cls),
            .lookup_count = t->lookup_count,
            .matched_count = t->matched_count,
        };
        if (b.len - start > REPLY_SPLIT) {
            ofp_stats_reply_finish(&b, start, true);
            start = ofp_mp_reply_start(&b, version, OFPMP_TABLE,
                                       xid_of(msg));
        }
        ofp_table_stats_put(&b, version, &ts);
    }
    ofp_stats_reply_finish(&b, start, false);
    ofconn_send(c, &b);
    ofp_buf_free(&b);
}

static void
handle_table_features(struct ofproto *p, struct ofconn *c,
                      const struct ofp_mp_request *req, const uint8_t *msg,
                      size_t len)
{
    (void) p;
    if (req->body_len) {
        /* Setting table features is not supported. */
        send_error(c, msg, len, OFPERR_OFPTFFC_EPERM);
        return;
    }
    struct ofp_buf b = OFP_BUF_INIT;
    size_t start = ofp_mp_reply_start(&b, OFP13_VERSION,
                                      OFPMP_TABLE_FEATURES, xid_of(msg));
    for (unsigned int i = 0; i < OFPROTO_N_TABLES; i++) {
        struct ofp_table_features tf = {
            .table_id = (uint8_t) i, .name = "",
            .metadata_match = UINT64_MAX, .metadata_write = UINT64_MAX,
            .max_entries = 1000000,
        };
        if (b.len - start > REPLY_SPLIT) {
            ofp_stats_reply_finish(&b, start, true);
            start = ofp_mp_reply_start(&b, OFP13_VERSION,
                                       OFPMP_TABLE_FEATURES, xid_of(msg));
        }
        ofp13_table_features_put(&b, &tf);
    }
    ofp_stats_reply_finish(&b, start, false);
    ofconn_send(c, &b);
    ofp_buf_free(&b);
}

static void
port_counters(const struct ofport *port, struct ofp_port_stats *ps)
{
    memset(ps, 0, sizeof *ps);
    ps->port_no = port->desc.port_no;
    struct dp *dp = ofproto_dp();
    struct port_status st;
    if (!dp || port->dp_port == OFPROTO_NO_DP_PORT
        || dp_port_status(dp, port->dp_port, &st)) {
        return;
    }
    ps->rx_packets = st.stats.rx_packets;
    ps->tx_packets = st.stats.tx_packets;
    ps->rx_bytes = st.stats.rx_bytes;
    ps->tx_bytes = st.stats.tx_bytes;
    ps->rx_dropped = st.stats.rx_dropped + st.stats.rx_missed
                     + st.stats.rx_nombuf;
    ps->tx_dropped = st.stats.tx_dropped;
    ps->rx_errors = st.stats.rx_errors;
    ps->tx_errors = st.stats.tx_errors;
}

static void
handle_port_stats(struct ofproto *p, struct ofconn *c,
                  const struct ofp_mp_request *req, const uint8_t *msg,
                  size_t len)
{
    uint32_t port_no;
    enum ofp_err e = ofp_port_stats_request_port(req, &port_no);
    if (e) {
        send_error(c, msg, len, e);
        return;
    }
    uint8_t version = ofconn_state(c)->version;
    struct ofp_buf b = OFP_BUF_INIT;
    size_t start = ofp_mp_reply_start(&b, version, OFPMP_PORT_STATS,
                                      xid_of(msg));
    for (size_t i = 0; i < p->n_ports; i++) {
        const struct ofport *port = &p->ports[i];
        if (port_no != OFPP_ANY && port_no != port->desc.port_no) {
            continue;
        }
        struct ofp_port_stats ps;
        port_counters(port, &ps);
        if (b.len - start > REPLY_SPLIT) {
            ofp_stats_reply_finish(&b, start, true);
            start = ofp_mp_reply_start(&b, version, OFPMP_PORT_STATS,
                                       xid_of(msg));
        }
        ofp_port_stats_put(&b, version, &ps);
    }
    ofp_stats_reply_finish(&b, start, false);
    ofconn_send(c, &b);
    ofp_buf_free(&b);
}

static void
handle_port_desc(struct ofproto *p, struct ofconn *c, const uint8_t *msg)
{
    uint8_t version = ofconn_state(c)->version;
    struct ofp_port *descs = calloc(p->n_ports + 1, sizeof *descs);
    if (!descs) {
        send_error(c, msg, OFP_HEADER_LEN, OFPERR_OFPBRC_EPERM);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < p->n_ports; i++) {
        if (version != OFP10_VERSION
            || ofp_port_to_16(p->ports[i].desc.port_no) >= 0) {
            descs[n++] = p->ports[i].desc;
        }
    }
    struct ofp_buf b = OFP_BUF_INIT;
    /* About 64 bytes a port: split every 900. */
    for (size_t i = 0; i < n || !i; i += 900) {
        size_t k = n - i < 900 ? n - i : 900;
        ofp_port_desc_reply_encode(&b, version, xid_of(msg), descs + i, k,
                                   i + k < n);
        if (!n) {
            break;
        }
    }
    ofconn_send(c, &b);
    ofp_buf_free(&b);
    free(descs);
}

static void
handle_multipart(struct ofproto *p, struct ofconn *c, enum ofp_kind kind,
                 const uint8_t *msg, size_t len)
{
    struct ofp_mp_request req;
    enum ofp_err e = ofp_mp_request_parse(msg, len, &req);
    if (e) {
        send_error(c, msg, len, e);
        return;
    }
    switch (kind) {
    case OFPK_DESC_REQUEST:
        handle_desc(p, c, msg);
        break;
    case OFPK_TABLE_STATS_REQUEST:
        handle_table_stats(p, c, msg);
        break;
    case OFPK_PORT_STATS_REQUEST:
        handle_port_stats(p, c, &req, msg, len);
        break;
    case OFPK_PORT_DESC_REQUEST:
        handle_port_desc(p, c, msg);
        break;
    case OFPK_TABLE_FEATURES_REQUEST:
        handle_table_features(p, c, &req, msg, len);
        break;
    case OFPK_QUEUE_STATS_REQUEST:
        send_error(c, msg, len, OFPERR_OFPQOFC_BAD_PORT);
        break;
    default:                    /* Groups and meters: none here. */
        send_error(c, msg, len, OFPERR_OFPBRC_BAD_STAT);
        break;
    }
}

/* ---- Packet-out. ---- */

static void
handle_packet_out(struct ofproto *p, struct ofconn *c, const uint8_t *msg,
                  size_t len)
{
    struct ofp_packet_out po;
    enum ofp_err e = ofp_packet_out_decode(msg, len, &po);
    if (e) {
        send_error(c, msg, len, e);
        return;
    }
    uint32_t dp_in = OFPROTO_NO_DP_PORT;
    if (is_slave(c)) {
        e = OFPERR_OFPBRC_IS_SECONDARY;
    } else if (po.buffer_id != OFP_NO_BUFFER) {
        e = OFPERR_OFPBRC_BUFFER_UNKNOWN;
    } else if (!(e = of_xlate_check_actions(&po.actions))
               && po.in_port != OFPP_CONTROLLER && po.in_port != OFPP_ANY
               && po.in_port != OFPP_LOCAL) {
        const struct ofport *in = ofproto_port(p, po.in_port);
        if (!in) {
            e = OFPERR_OFPBRC_BAD_PORT;
        } else {
            dp_in = in->dp_port;
        }
    } else if (!e && po.in_port == OFPP_LOCAL) {
        const struct ofport *in = ofproto_port(p, OFPP_LOCAL);
        dp_in = in ? in->dp_port : OFPROTO_NO_DP_PORT;
    }
    struct dp *dp = ofproto_dp();
    if (!e && dp) {
        struct miniflow mf;
        struct flow flow;
        flow_extract(po.data, po.len, dp_in, 0, &mf, NULL);
        miniflow_expand(&mf, &flow);
        struct dp_actions *acts;
        struct xlate_stats push = {
            .packets = 1, .bytes = po.len, .now_ms = loop_now_ms(),
        };
        if (of_xlate_packet_out(p, &flow, po.in_port, &po.actions, &push,
                                &acts)) {
            e = OFPERR_OFPBRC_EPERM;
        } else {
            int error = upcall_execute_frame(dp, po.data, po.len, dp_in,
                                             acts);
            if (error) {
                VLOG_WARN_RL(&rl, "%s: packet-out from %s not sent: %s",
                             p->name, ofconn_name(c), strerror(-error));
            }
            free(acts);
        }
    }
    ofp_packet_out_free(&po);
    if (e) {
        send_error(c, msg, len, e);
    }
}

/* ---- Ports. ---- */

static void
handle_port_mod(struct ofproto *p, struct ofconn *c, const uint8_t *msg,
                size_t len)
{
    struct ofp_port_mod pm;
    enum ofp_err e = ofp_port_mod_decode(msg, len, &pm);
    struct ofport *port = e ? NULL : ofproto_port(p, pm.port_no);
    if (!e && is_slave(c)) {
        e = OFPERR_OFPBRC_IS_SECONDARY;
    } else if (!e && !port) {
        e = OFPERR_OFPPMFC_BAD_PORT;
    } else if (!e && memcmp(pm.hw_addr, port->desc.hw_addr, 6)) {
        e = OFPERR_OFPPMFC_BAD_HW_ADDR;
    }
    if (e) {
        send_error(c, msg, len, e);
        return;
    }
    uint32_t old = port->desc.config;
    port->desc.config = (old & ~pm.mask) | (pm.config & pm.mask);
    if (port->desc.config == old) {
        return;
    }
    struct dp *dp = ofproto_dp();
    if ((old ^ port->desc.config) & OFPPC_PORT_DOWN && dp
        && port->dp_port != OFPROTO_NO_DP_PORT) {
        bool up = !(port->desc.config & OFPPC_PORT_DOWN);
        struct dstr err = DSTR_INIT;
        if (dp_port_set_admin(dp, port->dp_port, up, &err)) {
            VLOG_WARN("%s: port %s: %s", p->name, port->desc.name,
                      dstr_cstr(&err));
        }
        dstr_free(&err);
    }
    p->port_version++;
    ofproto_changed(p);
    ofproto_port_status(p, OFPPR_MODIFY, &port->desc);
}

/* ---- Small requests. ---- */

static void
handle_features(struct ofproto *p, struct ofconn *c, const uint8_t *msg)
{
    struct ofp_features f = {
        .datapath_id = p->dpid, .n_buffers = 0,
        .n_tables = OFPROTO_N_TABLES,
        .capabilities = OFPC_FLOW_STATS | OFPC_TABLE_STATS
                        | OFPC_PORT_STATS,
    };
    struct ofp_port *descs = calloc(p->n_ports + 1, sizeof *descs);
    size_t n = 0;
    for (size_t i = 0; descs && i < p->n_ports; i++) {
        if (ofp_port_to_16(p->ports[i].desc.port_no) >= 0) {
            descs[n++] = p->ports[i].desc;
        }
    }
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_features_reply_encode(&b, ofconn_state(c)->version, xid_of(msg), &f,
                              descs, n);
    ofconn_send(c, &b);
    ofp_buf_free(&b);
    free(descs);
}

static void
handle_set_config(struct ofproto *p, struct ofconn *c, const uint8_t *msg,
                  size_t len)
{
    struct ofp_switch_config sc;
    enum ofp_err e = ofp_set_config_decode(msg, len, &sc);
    if (e) {
        send_error(c, msg, len, e);
        return;
    }
    struct ofconn_state *st = ofconn_state(c);
    st->config_flags = sc.flags & OFPC_FRAG_MASK;
    st->miss_send_len = sc.miss_send_len;
    ofproto_conns_changed(p);
}

static void
handle_get_config(struct ofconn *c, const uint8_t *msg)
{
    const struct ofconn_state *st = ofconn_state(c);
    struct ofp_switch_config sc = { st->config_flags, st->miss_send_len };
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_get_config_reply_encode(&b, st->version, xid_of(msg), &sc);
    ofconn_send(c, &b);
    ofp_buf_free(&b);
}

static void
handle_barrier(struct ofconn *c, const uint8_t *msg)
{
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_barrier_reply_encode(&b, ofconn_state(c)->version, xid_of(msg));
    ofconn_send(c, &b);
    ofp_buf_free(&b);
}

struct demote {
    struct ofconn *keep;
};

static void
demote_master(struct ofconn *c, void *aux)
{
    struct demote *d = aux;
    if (c != d->keep && ofconn_state(c)->role == OFPCR_ROLE_MASTER) {
        ofconn_state(c)->role = OFPCR_ROLE_SLAVE;
    }
}

static void
handle_role(struct ofproto *p, struct ofconn *c, const uint8_t *msg,
            size_t len)
{
    enum ofp_role role;
    uint64_t gen_id;
    enum ofp_err e = ofp_role_request_decode(msg, len, &role, &gen_id);
    if (!e && (role == OFPCR_ROLE_MASTER || role == OFPCR_ROLE_SLAVE)) {
        if (p->have_gen_id && (int64_t) (gen_id - p->gen_id) < 0) {
            e = OFPERR_OFPRRFC_STALE;
        } else {
            p->have_gen_id = true;
            p->gen_id = gen_id;
        }
    }
    if (e) {
        send_error(c, msg, len, e);
        return;
    }
    struct ofconn_state *st = ofconn_state(c);
    if (role != OFPCR_ROLE_NOCHANGE) {
        if (role == OFPCR_ROLE_MASTER && p->mgr) {
            struct demote d = { c };
            ofconn_mgr_for_each(p->mgr, demote_master, &d);
        }
        st->role = role;
        ofproto_conns_changed(p);
    }
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_role_reply_encode(&b, xid_of(msg), st->role,
                          p->have_gen_id ? p->gen_id : UINT64_MAX);
    ofconn_send(c, &b);
    ofp_buf_free(&b);
}

static void
handle_set_async(struct ofproto *p, struct ofconn *c, const uint8_t *msg,
                 size_t len)
{
    struct ofp_async_config ac;
    enum ofp_err e = ofp_set_async_decode(msg, len, &ac);
    if (e) {
        send_error(c, msg, len, e);
        return;
    }
    ofconn_state(c)->async = ac;
    ofproto_conns_changed(p);
}

static void
handle_get_async(struct ofconn *c, const uint8_t *msg)
{
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_get_async_reply_encode(&b, xid_of(msg), &ofconn_state(c)->async);
    ofconn_send(c, &b);
    ofp_buf_free(&b);
}

static void
handle_nx_flow_format(struct ofconn *c, const uint8_t *msg, size_t len)
{
    enum nx_flow_format ff;
    enum ofp_err e = nx_set_flow_format_decode(msg, len, &ff);
    if (e) {
        send_error(c, msg, len, e);
    } else {
        ofconn_state(c)->flow_format = ff;
    }
}

static void
handle_nx_table_id(struct ofconn *c, const uint8_t *msg, size_t len)
{
    bool enable;
    enum ofp_err e = nx_flow_mod_table_id_decode(msg, len, &enable);
    if (e) {
        send_error(c, msg, len, e);
    } else {
        ofconn_state(c)->table_id_ext = enable;
    }
}

static void
handle_nx_packet_in_format(struct ofconn *c, const uint8_t *msg, size_t len)
{
    enum nx_packet_in_format pif;
    enum ofp_err e = nx_set_packet_in_format_decode(msg, len, &pif);
    if (!e && pif != NXPIF_STANDARD) {
        e = OFPERR_OFPBRC_EPERM;    /* Only the standard form is sent. */
    }
    if (e) {
        send_error(c, msg, len, e);
    } else {
        ofconn_state(c)->packet_in_format = pif;
    }
}

void
ofproto_handle(struct ofproto *p, struct ofconn *c, const uint8_t *msg,
               size_t len)
{
    enum ofp_err e;
    enum ofp_kind kind = ofp_msg_kind(msg, len, &e);
    switch (kind) {
    case OFPK_NONE:
        send_error(c, msg, len, e);
        break;
    case OFPK_FEATURES_REQUEST:
        handle_features(p, c, msg);
        break;
    case OFPK_GET_CONFIG_REQUEST:
        handle_get_config(c, msg);
        break;
    case OFPK_SET_CONFIG:
        handle_set_config(p, c, msg, len);
        break;
    case OFPK_FLOW_MOD:
        handle_flow_mod(p, c, msg, len);
        break;
    case OFPK_PACKET_OUT:
        handle_packet_out(p, c, msg, len);
        break;
    case OFPK_PORT_MOD:
        handle_port_mod(p, c, msg, len);
        break;
    case OFPK_BARRIER_REQUEST:
        handle_barrier(c, msg);
        break;
    case OFPK_ROLE_REQUEST:
        handle_role(p, c, msg, len);
        break;
    case OFPK_GET_ASYNC_REQUEST:
        handle_get_async(c, msg);
        break;
    case OFPK_SET_ASYNC:
        handle_set_async(p, c, msg, len);
        break;
    case OFPK_FLOW_STATS_REQUEST:
    case OFPK_AGGREGATE_REQUEST:
        handle_flow_stats(p, c, msg, len);
        break;
    case OFPK_DESC_REQUEST:
    case OFPK_TABLE_STATS_REQUEST:
    case OFPK_PORT_STATS_REQUEST:
    case OFPK_QUEUE_STATS_REQUEST:
    case OFPK_PORT_DESC_REQUEST:
    case OFPK_TABLE_FEATURES_REQUEST:
    case OFPK_GROUP_STATS_REQUEST:
    case OFPK_METER_STATS_REQUEST:
        handle_multipart(p, c, kind, msg, len);
        break;
    case OFPK_NXT_SET_FLOW_FORMAT:
        handle_nx_flow_format(c, msg, len);
        break;
    case OFPK_NXT_FLOW_MOD_TABLE_ID:
        handle_nx_table_id(c, msg, len);
        break;
    case OFPK_NXT_SET_PACKET_IN_FORMAT:
        handle_nx_packet_in_format(c, msg, len);
        break;
    case OFPK_GROUP_MOD:
        send_error(c, msg, len, OFPERR_OFPGMFC_BAD_TYPE);
        break;
    case OFPK_METER_MOD:
        send_error(c, msg, len, OFPERR_OFPMMFC_INVALID_METER);
        break;
    case OFPK_TABLE_MOD:
    case OFPK_QUEUE_GET_CONFIG_REQUEST:
    case OFPK_NXT_OTHER:
        send_error(c, msg, len, OFPERR_OFPBRC_BAD_TYPE);
        break;
    case OFPK_ERROR:
    case OFPK_ECHO_REPLY:
    case OFPK_HELLO:
        break;                  /* Nothing to answer. */
    default:                    /* Messages only a switch sends. */
        send_error(c, msg, len, OFPERR_OFPBRC_BAD_TYPE);
        break;
    }
}
