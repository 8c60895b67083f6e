/* ofp_print: ovs-ofctl's text for matches, actions and instructions. */
#include "ofproto/ofp_print.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_msg.h"
#include "src/util/dstr.h"

void
ofp_print_port(struct dstr *s, uint32_t port)
{
    static const struct {
        uint32_t port;
        const char *name;
    } names[] = {
        { OFPP_IN_PORT, "IN_PORT" }, { OFPP_TABLE, "TABLE" },
        { OFPP_NORMAL, "NORMAL" }, { OFPP_FLOOD, "FLOOD" },
        { OFPP_ALL, "ALL" }, { OFPP_CONTROLLER, "CONTROLLER" },
        { OFPP_LOCAL, "LOCAL" }, { OFPP_ANY, "ANY" },
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        if (names[i].port == port) {
            dstr_put(s, names[i].name);
            return;
        }
    }
    dstr_printf(s, "%" PRIu32, port);
}

/* ---- Field values. ---- */

/* The prefix length of a CIDR mask of 'n' bytes, or -1. */
static int
cidr_bits(const uint8_t *mask, size_t n)
{
    int bits = 0;
    size_t i = 0;
    for (; i < n && mask[i] == 0xff; i++) {
        bits += 8;
    }
    if (i < n) {
        uint8_t m = mask[i];
        while (m & 0x80) {
            bits++;
            m = (uint8_t) (m << 1);
        }
        if (m) {
            return -1;
        }
        for (i++; i < n; i++) {
            if (mask[i]) {
                return -1;
            }
        }
    }
    return bits;
}

static bool
is_hex(enum mf_id id)
{
    return (id >= MF_REG0 && id <= MF_REG15) || id == MF_METADATA
           || id == MF_TUN_ID || id == MF_ETH_TYPE || id == MF_VLAN_TCI
           || id == MF_IPV6_LABEL || id == MF_TCP_FLAGS;
}

static void
print_mac(struct dstr *s, const uint8_t *m)
{
    dstr_printf(s, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
                m[4], m[5]);
}

void
ofp_print_field(struct dstr *s, const struct mf_field *mf,
                const uint8_t *value, const uint8_t *mask)
{
    size_t n = mf->n_bytes;
    bool exact = true;
    for (size_t i = 0; mask && i < n; i++) {
        uint8_t full = n <= 8 ? (uint8_t) (mf->valid >> 8 * (n - 1 - i))
                              : 0xff;
        exact &= (mask[i] & full) == full;
    }
    char buf[INET6_ADDRSTRLEN];
    if (ofp_field_is_mac(mf->id)) {
        print_mac(s, value);
        if (!exact) {
            dstr_put(s, "/");
            print_mac(s, mask);
        }
    } else if (ofp_field_is_ipv4(mf->id) || n == 16) {
        int af = n == 16 ? AF_INET6 : AF_INET;
        dstr_put(s, inet_ntop(af, value, buf, sizeof buf));
        if (!exact) {
            int bits = cidr_bits(mask, n);
            if (bits >= 0) {
                dstr_printf(s, "/%d", bits);
            } else {
                dstr_printf(s, "/%s", inet_ntop(af, mask, buf, sizeof buf));
            }
        }
    } else if (!exact) {
        dstr_printf(s, "0x%" PRIx64 "/0x%" PRIx64, ofp_get_be(value, n),
                    ofp_get_be(mask, n));
    } else if (mf->id == MF_VLAN_TCI || mf->id == MF_ETH_TYPE) {
        dstr_printf(s, "0x%04" PRIx64, ofp_get_be(value, n));
    } else if (is_hex(mf->id)) {
        dstr_printf(s, "0x%" PRIx64, ofp_get_be(value, n));
    } else if (mf->id == MF_IN_PORT || mf->id == MF_IN_PORT_NXM) {
        uint64_t p = ofp_get_be(value, n);
        ofp_print_port(s, n == 2 ? ofp_port_from_16((uint16_t) p)
                                 : (uint32_t) p);
    } else {
        dstr_printf(s, "%" PRIu64, ofp_get_be(value, n));
    }
}

/* ---- Matches. ---- */

/* "name=value," for 'id' if the match has it. */
static void
put_field(struct dstr *s, const struct ofp_match *m, enum mf_id id,
          const char *name)
{
    const struct mf_field *mf = mf_from_id(id);
    uint8_t v[16], w[16];
    if (mf_read(m, mf, v, w) && mf_prereqs_ok(m, mf)) {
        dstr_printf(s, "%s=", name ? name : mf->name);
        ofp_print_field(s, mf, v, w);
        dstr_put(s, ",");
    }
}

static uint16_t
read16(const struct ofp_match *m, enum mf_id id, uint16_t *mask)
{
    uint8_t v[2], w[2];
    mf_read(m, mf_from_id(id), v, w);
    *mask = (uint16_t) (w[0] << 8 | w[1]);
    return (uint16_t) (v[0] << 8 | v[1]);
}

static const char *
shorthand(const struct ofp_match *m, bool *proto_done)
{
    static const struct {
        uint16_t type;
        int proto;
        const char *name;
    } names[] = {
        { 0x0800, 1, "icmp" }, { 0x0800, 6, "tcp" }, { 0x0800, 17, "udp" },
        { 0x0800, 132, "sctp" }, { 0x86dd, 58, "icmp6" },
        { 0x86dd, 6, "tcp6" }, { 0x86dd, 17, "udp6" },
        { 0x86dd, 132, "sctp6" }, { 0x0800, -1, "ip" },
        { 0x86dd, -1, "ipv6" }, { 0x0806, -1, "arp" },
        { 0x8035, -1, "rarp" }, { 0x8847, -1, "mpls" },
        { 0x8848, -1, "mplsm" },
    };
    uint16_t wt;
    uint16_t type = read16(m, MF_ETH_TYPE, &wt);
    *proto_done = false;
    if (wt != 0xffff) {
        return NULL;
    }
    bool proto = m->wc.nw_proto == 0xff && (type == 0x0800
                                            || type == 0x86dd);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        if (names[i].type != type) {
            continue;
        }
        if (names[i].proto < 0 || (proto
                                   && names[i].proto == m->flow.nw_proto)) {
            *proto_done = names[i].proto >= 0;
            return names[i].name;
        }
    }
    return NULL;
}

static void
put_vlan(struct dstr *s, const struct ofp_match *m)
{
    uint16_t w;
    uint16_t tci = read16(m, MF_VLAN_TCI, &w);
    if (!w) {
        return;
    }
    uint16_t vid_w = w & 0x0fff, pcp_w = w & 0xe000;
    if (w & 0x1000 && tci & 0x1000 && (!vid_w || vid_w == 0x0fff)
        && (!pcp_w || pcp_w == 0xe000) && (vid_w || pcp_w)) {
        if (vid_w) {
            dstr_printf(s, "dl_vlan=%u,", tci & 0x0fff);
        }
        if (pcp_w) {
            dstr_printf(s, "dl_vlan_pcp=%u,", tci >> 13);
        }
    } else if (w == 0xffff) {
        dstr_printf(s, "vlan_tci=0x%04x,", tci);
    } else {
        dstr_printf(s, "vlan_tci=0x%04x/0x%04x,", tci, w);
    }
}

static void
put_frag(struct dstr *s, const struct ofp_match *m)
{
    uint8_t v = m->flow.nw_frag & 3, w = m->wc.nw_frag & 3;
    if (!mf_prereqs_ok(m, mf_from_id(MF_IP_FRAG))) {
        return;
    }
    static const char *const names[4][4] = {
        /* mask 0, 1, 2, 3 by value. */
        [1] = { "no", "yes" },
        [2] = { "not_later", NULL, NULL, NULL },
        [3] = { "no", "first", NULL, "later" },
    };
    if (!w) {
        return;
    }
    const char *name = names[w][v];
    if (name) {
        dstr_printf(s, "nw_frag=%s,", name);
    } else {
        dstr_printf(s, "nw_frag=0x%x/0x%x,", v, w);
    }
}

static void
put_tcp_flags(struct dstr *s, const struct ofp_match *m)
{
    static const char *const names[] = {
        "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns",
    };
    uint16_t w;
    uint16_t v = read16(m, MF_TCP_FLAGS, &w);
    if (!w || !mf_prereqs_ok(m, mf_from_id(MF_TCP_FLAGS))) {
        return;
    }
    dstr_put(s, "tcp_flags=");
    if (w == 0x0fff) {
        if (!v) {
            dstr_put(s, "0");
        }
        const char *sep = "";
        for (int i = 0; i < 12; i++) {
            if (v & 1u << i) {
                if (i < 9) {
                    dstr_printf(s, "%s%s", sep, names[i]);
                } else {
                    dstr_printf(s, "%s[%x]", sep, 1u << i);
                }
                sep = "|";
            }
        }
    } else {
        for (int i = 0; i < 9; i++) {
            if (w & 1u << i) {
                dstr_printf(s, "%c%s", v & 1u << i ? '+' : '-', names[i]);
            }
        }
    }
    dstr_put(s, ",");
}

void
ofp_print_match(struct dstr *s, const struct ofp_match *m, int priority)
{
    size_t start = s->len;
    if (priority >= 0 && priority != OFP_DEFAULT_PRIORITY) {
        dstr_printf(s, "priority=%d,", priority);
    }
    bool proto_done;
    const char *sh = shorthand(m, &proto_done);
    if (sh) {
        dstr_printf(s, "%s,", sh);
    }
    for (int i = 0; i < OFP_N_REGS; i++) {
        put_field(s, m, MF_REG0 + i, NULL);
    }
    put_field(s, m, MF_TUN_ID, NULL);
    put_field(s, m, MF_TUN_SRC, NULL);
    put_field(s, m, MF_TUN_DST, NULL);
    put_field(s, m, MF_METADATA, NULL);
    put_field(s, m, MF_IN_PORT, "in_port");
    put_vlan(s, m);
    put_field(s, m, MF_ETH_SRC, "dl_src");
    put_field(s, m, MF_ETH_DST, "dl_dst");
    if (!sh) {
        put_field(s, m, MF_ETH_TYPE, "dl_type");
    }
    bool arp = sh && (!strcmp(sh, "arp") || !strcmp(sh, "rarp"));
    put_field(s, m, MF_IPV6_SRC, NULL);
    put_field(s, m, MF_IPV6_DST, NULL);
    put_field(s, m, MF_IPV6_LABEL, NULL);
    put_field(s, m, MF_IPV4_SRC, "nw_src");
    put_field(s, m, MF_IPV4_DST, "nw_dst");
    put_field(s, m, MF_ARP_SPA, NULL);
    put_field(s, m, MF_ARP_TPA, NULL);
    if (arp) {
        put_field(s, m, MF_ARP_OP, NULL);
    } else if (!proto_done) {
        put_field(s, m, MF_IP_PROTO, NULL);
    }
    put_field(s, m, MF_ARP_SHA, NULL);
    put_field(s, m, MF_ARP_THA, NULL);
    put_field(s, m, MF_NW_TOS, NULL);
    put_field(s, m, MF_IP_ECN, NULL);
    put_field(s, m, MF_IP_TTL, NULL);
    put_field(s, m, MF_MPLS_LABEL, NULL);
    put_field(s, m, MF_MPLS_TC, NULL);
    put_field(s, m, MF_MPLS_BOS, NULL);
    put_field(s, m, MF_MPLS_TTL, NULL);
    put_frag(s, m);
    if (sh && (!strcmp(sh, "icmp") || !strcmp(sh, "icmp6"))) {
        enum mf_id t = sh[4] ? MF_ICMPV6_TYPE : MF_ICMPV4_TYPE;
        put_field(s, m, t, "icmp_type");
        put_field(s, m, t + 1, "icmp_code");
        put_field(s, m, MF_ND_TARGET, NULL);
        put_field(s, m, MF_ND_SLL, NULL);
        put_field(s, m, MF_ND_TLL, NULL);
    } else {
        /* tp_src and tp_dst of whichever L4 protocol is matched. */
        enum mf_id l4 = m->flow.nw_proto == 17 ? MF_UDP_SRC
                        : m->flow.nw_proto == 132 ? MF_SCTP_SRC
                        : MF_TCP_SRC;
        put_field(s, m, l4, "tp_src");
        put_field(s, m, l4 + 1, "tp_dst");
    }
    put_tcp_flags(s, m);
    if (s->len > start) {
        s->s[--s->len] = '\0';          /* The last comma. */
    }
}

/* ---- Actions. ---- */

/* The NXM name of a field for load and move, as OVS prints them. */
static const char *
nxm_name(enum mf_id id)
{
    static const char *const names[MF_N_IDS] = {
        [MF_IN_PORT] = "OXM_OF_IN_PORT", [MF_IN_PORT_NXM] = "NXM_OF_IN_PORT",
        [MF_METADATA] = "OXM_OF_METADATA", [MF_TUN_ID] = "NXM_NX_TUN_ID",
        [MF_TUN_SRC] = "NXM_NX_TUN_IPV4_SRC",
        [MF_TUN_DST] = "NXM_NX_TUN_IPV4_DST",
        [MF_ETH_DST] = "NXM_OF_ETH_DST", [MF_ETH_SRC] = "NXM_OF_ETH_SRC",
        [MF_ETH_TYPE] = "NXM_OF_ETH_TYPE", [MF_VLAN_TCI] = "NXM_OF_VLAN_TCI",
        [MF_VLAN_VID] = "OXM_OF_VLAN_VID", [MF_VLAN_PCP] = "OXM_OF_VLAN_PCP",
        [MF_MPLS_LABEL] = "OXM_OF_MPLS_LABEL", [MF_MPLS_TC] = "OXM_OF_MPLS_TC",
        [MF_MPLS_BOS] = "OXM_OF_MPLS_BOS", [MF_MPLS_TTL] = "NXM_NX_MPLS_TTL",
        [MF_IPV4_SRC] = "NXM_OF_IP_SRC", [MF_IPV4_DST] = "NXM_OF_IP_DST",
        [MF_IPV6_SRC] = "NXM_NX_IPV6_SRC", [MF_IPV6_DST] = "NXM_NX_IPV6_DST",
        [MF_IPV6_LABEL] = "NXM_NX_IPV6_LABEL",
        [MF_IP_PROTO] = "NXM_OF_IP_PROTO", [MF_IP_DSCP] = "OXM_OF_IP_DSCP",
        [MF_NW_TOS] = "NXM_OF_IP_TOS", [MF_IP_ECN] = "NXM_NX_IP_ECN",
        [MF_IP_TTL] = "NXM_NX_IP_TTL", [MF_IP_FRAG] = "NXM_NX_IP_FRAG",
        [MF_ARP_OP] = "NXM_OF_ARP_OP", [MF_ARP_SPA] = "NXM_OF_ARP_SPA",
        [MF_ARP_TPA] = "NXM_OF_ARP_TPA", [MF_ARP_SHA] = "NXM_NX_ARP_SHA",
        [MF_ARP_THA] = "NXM_NX_ARP_THA", [MF_TCP_SRC] = "NXM_OF_TCP_SRC",
        [MF_TCP_DST] = "NXM_OF_TCP_DST", [MF_TCP_FLAGS] = "NXM_NX_TCP_FLAGS",
        [MF_UDP_SRC] = "NXM_OF_UDP_SRC", [MF_UDP_DST] = "NXM_OF_UDP_DST",
        [MF_SCTP_SRC] = "OXM_OF_SCTP_SRC", [MF_SCTP_DST] = "OXM_OF_SCTP_DST",
        [MF_ICMPV4_TYPE] = "NXM_OF_ICMP_TYPE",
        [MF_ICMPV4_CODE] = "NXM_OF_ICMP_CODE",
        [MF_ICMPV6_TYPE] = "NXM_NX_ICMPV6_TYPE",
        [MF_ICMPV6_CODE] = "NXM_NX_ICMPV6_CODE",
        [MF_ND_TARGET] = "NXM_NX_ND_TARGET", [MF_ND_SLL] = "NXM_NX_ND_SLL",
        [MF_ND_TLL] = "NXM_NX_ND_TLL",
    };
    return names[id] ? names[id] : mf_from_id(id)->name;
}

static void
put_subfield(struct dstr *s, enum mf_id id, unsigned int ofs,
             unsigned int n_bits)
{
    const struct mf_field *mf = mf_from_id(id);
    unsigned int width = mf->n_bytes > 8
                         ? 8u * mf->n_bytes
                         : 64u - (unsigned int) __builtin_clzll(mf->valid);
    if (id >= MF_REG0 && id <= MF_REG15) {
        dstr_printf(s, "NXM_NX_REG%d", id - MF_REG0);
    } else {
        dstr_put(s, nxm_name(id));
    }
    if (!ofs && n_bits == width) {
        dstr_put(s, "[]");
    } else if (n_bits == 1) {
        dstr_printf(s, "[%u]", ofs);
    } else {
        dstr_printf(s, "[%u..%u]", ofs, ofs + n_bits - 1);
    }
}

static void
put_set_field(struct dstr *s, const struct ofp_action *a, uint8_t version)
{
    const struct mf_field *mf = mf_from_id(a->set_field.field);
    const uint8_t *v = a->set_field.value;
    if (version == OFP10_VERSION) {
        static const struct {
            enum mf_id id;
            const char *name;
        } mods[] = {
            { MF_ETH_SRC, "mod_dl_src" }, { MF_ETH_DST, "mod_dl_dst" },
            { MF_IPV4_SRC, "mod_nw_src" }, { MF_IPV4_DST, "mod_nw_dst" },
            { MF_NW_TOS, "mod_nw_tos" }, { MF_TUN_ID, "set_tunnel" },
        };
        for (size_t i = 0; i < sizeof mods / sizeof *mods; i++) {
            if (mods[i].id == mf->id) {
                dstr_printf(s, "%s:", mods[i].name);
                ofp_print_field(s, mf, v, NULL);
                return;
            }
        }
    }
    dstr_put(s, "set_field:");
    ofp_print_field(s, mf, v, NULL);
    dstr_printf(s, "->%s", mf->name);
}

static void
put_action(struct dstr *s, const struct ofp_action *a, uint8_t version)
{
    switch (a->type) {
    case OFPACT_OUTPUT:
        if (a->output.port == OFPP_CONTROLLER) {
            dstr_printf(s, "CONTROLLER:%u", a->output.max_len);
        } else if (a->output.port >= OFPP_MAX) {
            ofp_print_port(s, a->output.port);
        } else {
            dstr_printf(s, "output:%" PRIu32, a->output.port);
        }
        break;
    case OFPACT_ENQUEUE:
        dstr_put(s, "enqueue:");
        ofp_print_port(s, a->enqueue.port);
        dstr_printf(s, ":%" PRIu32, a->enqueue.queue);
        break;
    case OFPACT_SET_FIELD:
        put_set_field(s, a, version);
        break;
    case OFPACT_SET_VLAN_VID:
        dstr_printf(s, "mod_vlan_vid:%u", a->u16);
        break;
    case OFPACT_SET_VLAN_PCP:
        dstr_printf(s, "mod_vlan_pcp:%u", a->u8);
        break;
    case OFPACT_SET_L4_SRC:
        dstr_printf(s, "mod_tp_src:%u", a->u16);
        break;
    case OFPACT_SET_L4_DST:
        dstr_printf(s, "mod_tp_dst:%u", a->u16);
        break;
    case OFPACT_PUSH_VLAN:
        dstr_printf(s, "push_vlan:0x%04x", a->u16);
        break;
    case OFPACT_POP_VLAN:
        dstr_put(s, version == OFP10_VERSION ? "strip_vlan" : "pop_vlan");
        break;
    case OFPACT_PUSH_MPLS:
        dstr_printf(s, "push_mpls:0x%04x", a->u16);
        break;
    case OFPACT_POP_MPLS:
        dstr_printf(s, "pop_mpls:0x%04x", a->u16);
        break;
    case OFPACT_DEC_TTL:
        dstr_put(s, "dec_ttl");
        break;
    case OFPACT_SET_NW_TTL:
        dstr_printf(s, "mod_nw_ttl:%u", a->u8);
        break;
    case OFPACT_DEC_MPLS_TTL:
        dstr_put(s, "dec_mpls_ttl");
        break;
    case OFPACT_SET_MPLS_TTL:
        dstr_printf(s, "set_mpls_ttl(%u)", a->u8);
        break;
    case OFPACT_COPY_TTL_OUT:
        dstr_put(s, "copy_ttl_out");
        break;
    case OFPACT_COPY_TTL_IN:
        dstr_put(s, "copy_ttl_in");
        break;
    case OFPACT_SET_QUEUE:
        dstr_printf(s, "set_queue:%" PRIu32, a->u32);
        break;
    case OFPACT_POP_QUEUE:
        dstr_put(s, "pop_queue");
        break;
    case OFPACT_GROUP:
        dstr_printf(s, "group:%" PRIu32, a->u32);
        break;
    case OFPACT_RESUBMIT:
        if (a->resubmit.table == 0xff) {
            dstr_put(s, "resubmit:");
            ofp_print_port(s, a->resubmit.in_port);
            break;
        }
        dstr_put(s, "resubmit(");
        if (a->resubmit.in_port != OFPP_IN_PORT) {
            ofp_print_port(s, a->resubmit.in_port);
        }
        dstr_printf(s, ",%u)", a->resubmit.table);
        break;
    case OFPACT_REG_LOAD:
        dstr_printf(s, "load:0x%" PRIx64 "->", a->load.value);
        put_subfield(s, a->load.field, a->load.ofs, a->load.n_bits);
        break;
    case OFPACT_REG_MOVE:
        dstr_put(s, "move:");
        put_subfield(s, a->move.src, a->move.src_ofs, a->move.n_bits);
        dstr_put(s, "->");
        put_subfield(s, a->move.dst, a->move.dst_ofs, a->move.n_bits);
        break;
    case OFPACT_NOTE:
        dstr_put(s, "note:");
        for (size_t i = 0; i < a->note.len; i++) {
            dstr_printf(s, "%s%02x", i ? "." : "", a->note.data[i]);
        }
        break;
    }
}

static void
put_list(struct dstr *s, const struct ofp_actions *acts, uint8_t version)
{
    for (size_t i = 0; i < acts->n; i++) {
        if (i) {
            dstr_put(s, ",");
        }
        put_action(s, &acts->acts[i], version);
    }
}

void
ofp_print_actions(struct dstr *s, const struct ofp_actions *acts,
                  uint8_t version)
{
    if (!acts->n) {
        dstr_put(s, "drop");
        return;
    }
    put_list(s, acts, version);
}

void
ofp_print_insts(struct dstr *s, const struct ofp_insts *in, uint8_t version)
{
    size_t start = s->len;
#define SEP() do { if (s->len > start) { dstr_put(s, ","); } } while (0)
    if (in->present & 1u << OFPIT_METER) {
        dstr_printf(s, "meter:%" PRIu32, in->meter_id);
    }
    if (in->present & 1u << OFPIT_APPLY_ACTIONS && in->apply.n) {
        SEP();
        put_list(s, &in->apply, version);
    }
    if (in->present & 1u << OFPIT_CLEAR_ACTIONS) {
        SEP();
        dstr_put(s, "clear_actions");
    }
    if (in->present & 1u << OFPIT_WRITE_ACTIONS) {
        SEP();
        dstr_put(s, "write_actions(");
        put_list(s, &in->write, version);
        dstr_put(s, ")");
    }
    if (in->present & 1u << OFPIT_WRITE_METADATA) {
        SEP();
        dstr_printf(s, "write_metadata:0x%" PRIx64, in->metadata);
        if (in->metadata_mask != UINT64_MAX) {
            dstr_printf(s, "/0x%" PRIx64, in->metadata_mask);
        }
    }
    if (in->present & 1u << OFPIT_GOTO_TABLE) {
        SEP();
        dstr_printf(s, "goto_table:%u", in->goto_table);
    }
#undef SEP
    if (s->len == start) {
        dstr_put(s, "drop");
    }
}
