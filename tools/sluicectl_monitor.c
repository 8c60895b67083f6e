/* sluicectl_monitor: monitor and snoop. */
#include "tools/sluicectl_monitor.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_ctrl.h"
#include "ofproto/ofp_err.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_match.h"
#include "ofproto/ofp_msg.h"
#include "ofproto/ofp_packet.h"
#include "ofproto/ofp_print.h"
#include "pmd/flow.h"
#include "src/util/dstr.h"
#include "tools/sluicectl_flows.h"
#include "tools/sluicectl_of.h"
#include "tools/sluicectl_ofshow.h"

bool
sluicectl_monitor_has(const char *name)
{
    return !strcmp(name, "monitor") || !strcmp(name, "snoop");
}

/* A frame as ovs-ofctl summarises one: its flow, without in_port. */
static void
put_frame(struct dstr *s, const uint8_t *data, size_t len)
{
    struct miniflow mf;
    struct flow flow;
    struct ofp_match_meta meta;
    struct ofp_match m;
    flow_extract(data, len, 0, 0, &mf, NULL);
    miniflow_expand(&mf, &flow);
    memset(&meta, 0, sizeof meta);
    ofp_match_from_key(&m, &flow, &meta);
    m.meta_wc.in_port = 0;
    ofp_print_match(s, &m, -1);
    dstr_put(s, "\n");
}

static const char *
reason_name(uint8_t reason)
{
    static const char *const names[] = {
        [OFPR_NO_MATCH] = "no_match", [OFPR_ACTION] = "action",
        [OFPR_INVALID_TTL] = "invalid_ttl",
    };
    return reason < sizeof names / sizeof names[0] ? names[reason] : "?";
}

/* " cookie=0x0 total_len=60 in_port=1 (via no_match) data_len=60
 * (unbuffered)" and the frame; false if it does not decode. */
static bool
put_packet_in(struct dstr *s, const uint8_t *msg, size_t len)
{
    if (len < 18) {
        return false;
    }
    uint32_t buffer_id = ofp_get_u32(msg + 8);
    uint16_t total_len = ofp_get_u16(msg + 12);
    uint32_t in_port;
    uint8_t reason, table_id = 0;
    uint64_t cookie = UINT64_MAX;
    size_t data_ofs;
    if (msg[0] == OFP13_VERSION) {
        struct ofp_match m;
        size_t consumed;
        if (len < 24 || ofp13_match_decode(msg + 24, len - 24, &m,
                                           &consumed)
            || 24 + consumed + 2 > len) {
            return false;
        }
        reason = msg[14];
        table_id = msg[15];
        cookie = ofp_get_u64(msg + 16);
        in_port = m.meta.in_port;
        data_ofs = 24 + consumed + 2;
    } else {
        in_port = ofp_get_u16(msg + 14);
        reason = msg[16];
        data_ofs = 18;
    }
    if (table_id) {
        dstr_printf(s, " table_id=%u", table_id);
    }
    if (cookie != UINT64_MAX) {
        dstr_printf(s, " cookie=0x%" PRIx64, cookie);
    }
    dstr_printf(s, " total_len=%u in_port=", total_len);
    ofp_print_port(s, in_port);
    dstr_printf(s, " (via %s) data_len=%zu", reason_name(reason),
                len - data_ofs);
    if (buffer_id == UINT32_MAX) {
        dstr_put(s, " (unbuffered)");
    }
    dstr_put(s, "\n");
    put_frame(s, msg + data_ofs, len - data_ofs);
    return true;
}

static bool
put_packet_out(struct dstr *s, const uint8_t *msg, size_t len)
{
    struct ofp_packet_out po;
    if (ofp_packet_out_decode(msg, len, &po)) {
        return false;
    }
    dstr_put(s, " in_port=");
    ofp_print_port(s, po.in_port);
    dstr_put(s, " actions=");
    ofp_print_actions(s, &po.actions, msg[0]);
    dstr_printf(s, " data_len=%zu\n", po.len);
    if (po.len) {
        put_frame(s, po.data, po.len);
    }
    ofp_packet_out_free(&po);
    return true;
}

static bool
put_flow_mod(struct dstr *s, const uint8_t *msg, size_t len)
{
    struct ofp_flow_mod fm;
    if (ofp_flow_mod_decode(msg, len, false, &fm)) {
        return false;
    }
    dstr_put(s, " ");
    sluicectl_format_flow_mod(s, &fm, msg[0]);
    dstr_put(s, "\n");
    ofp_flow_mod_free(&fm);
    return true;
}

static bool
put_port_status(struct dstr *s, const uint8_t *msg, size_t len)
{
    static const char *const reasons[] = { "ADD", "DEL", "MOD" };
    if (msg[0] != OFP13_VERSION || len < 16 + OFP13_PORT_LEN
        || msg[8] > OFPPR_MODIFY) {
        return false;
    }
    struct ofp_port port;
    ofp13_port_decode(msg + 16, &port);
    dstr_printf(s, " %s:", reasons[msg[8]]);
    sluicectl_put_port(s, &port);
    return true;
}

static bool
put_error(struct dstr *s, const uint8_t *msg, size_t len)
{
    enum ofp_err err;
    const uint8_t *data;
    size_t data_len;
    if (ofp_err_parse(msg, len, &err, &data, &data_len)) {
        return false;
    }
    if (err == OFPERR_NONE) {
        dstr_printf(s, " ***unknown error type %u code %u***\n",
                    ofp_get_u16(msg + 8), ofp_get_u16(msg + 10));
    } else {
        dstr_printf(s, " %s\n", ofp_err_name(err));
    }
    if (data_len >= OFP_HEADER_LEN) {
        sluicectl_format_msg(s, data, data_len);
    }
    return true;
}

void
sluicectl_format_msg(struct dstr *s, const uint8_t *msg, size_t len)
{
    dstr_put(s, ofp_msg_type_name(msg[0], msg[1]));
    if (msg[0] == OFP13_VERSION) {
        dstr_put(s, " (OF1.3)");
    } else if (msg[0] != OFP10_VERSION) {
        dstr_printf(s, " (OF 0x%02x)", msg[0]);
    }
    dstr_printf(s, " (xid=0x%" PRIx32 "):", ofp_get_u32(msg + 4));
    if (msg[0] != OFP10_VERSION && msg[0] != OFP13_VERSION) {
        dstr_put(s, "\n");
        return;
    }
    bool done;
    switch (msg[1]) {
    case OFPT_PACKET_IN:
        done = put_packet_in(s, msg, len);
        break;
    case OFPT_PACKET_OUT:
        done = put_packet_out(s, msg, len);
        break;
    case OFPT_FLOW_MOD:
        done = put_flow_mod(s, msg, len);
        break;
    case OFPT_PORT_STATUS:
        done = put_port_status(s, msg, len);
        break;
    case OFPT_ERROR:
        done = put_error(s, msg, len);
        break;
    case OFPT_ECHO_REQUEST:
    case OFPT_ECHO_REPLY:
        dstr_printf(s, " %zu bytes of payload\n", len - OFP_HEADER_LEN);
        done = true;
        break;
    default:
        dstr_put(s, "\n");
        done = true;
        break;
    }
    if (!done) {
        dstr_printf(s, " (***truncated or malformed: %zu bytes***)\n", len);
    }
}

/* OFPT_SET_CONFIG with miss_send_len 'miss_len', fragments normal. */
static void
set_config_encode(struct ofp_buf *b, uint32_t xid, uint16_t miss_len)
{
    size_t start = ofp_header_put(b, OFP13_VERSION, OFPT_SET_CONFIG, xid);
    ofp_buf_put_u16(b, 0);
    ofp_buf_put_u16(b, miss_len);
    ofp_msg_finish(b, start);
}

int
sluicectl_monitor_run(const struct sluicectl_flows_opts *o, int argc,
                      char *argv[])
{
    bool snoop = !strcmp(argv[0], "snoop");
    long miss_len = -1;
    if (snoop ? argc != 2 : argc < 2 || argc > 3) {
        fprintf(stderr, "sluicectl: usage: %s BRIDGE%s\n", argv[0],
                snoop ? "" : " [MISS-LEN]");
        return EXIT_FAILURE;
    }
    if (argc == 3) {
        char *end;
        miss_len = strtol(argv[2], &end, 0);
        if (*end || end == argv[2] || miss_len < 0 || miss_len > 65535) {
            fprintf(stderr, "sluicectl: monitor: MISS-LEN '%s' is not a "
                    "number from 0 to 65535\n", argv[2]);
            return EXIT_FAILURE;
        }
    }
    struct of_client *c = sluicectl_flows_connect_to(
        o, argv[1], snoop ? ".snoop" : ".mgmt");
    if (!c) {
        return EXIT_FAILURE;
    }
    struct dstr err = DSTR_INIT;
    int e = 0;
    if (miss_len >= 0) {
        struct ofp_buf b = OFP_BUF_INIT;
        set_config_encode(&b, of_client_next_xid(c), (uint16_t) miss_len);
        e = of_client_send(c, &b, &err);
        ofp_buf_free(&b);
    }
    struct dstr out = DSTR_INIT;
    while (!e) {
        const uint8_t *msg;
        size_t len;
        e = of_client_next(c, &msg, &len, &err);
        if (!e) {
            dstr_clear(&out);
            sluicectl_format_msg(&out, msg, len);
            fputs(dstr_cstr(&out), stdout);
            fflush(stdout);
        }
    }
    fprintf(stderr, "sluicectl: %s\n", dstr_cstr(&err));
    dstr_free(&out);
    dstr_free(&err);
    of_client_close(c);
    return EXIT_FAILURE;
}
