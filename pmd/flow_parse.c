/* flow_parse: text to flow match. */
#include "flow_parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dstr.h"
#include "flow.h"

#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP 0x0806
#define ETH_TYPE_IPV6 0x86dd

struct parser {
    const char *s;
    struct flow *flow;
    struct flow *mask;
    flow_port_lookup *lookup;
    void *aux;
    struct dstr *err;
};

enum field_kind {
    FK_U8, FK_BE16, FK_BE32, FK_U32, FK_BE64, FK_MAC, FK_IPV4, FK_IPV6,
    FK_FRAG, FK_PORT,
};

struct field {
    const char *name;
    enum field_kind kind;
    size_t ofs;
    unsigned int bits;      /* For FK_BE32/FK_BE16 fields narrower. */
};

#define F(NAME, KIND, MEMBER) { NAME, KIND, offsetof(struct flow, MEMBER), 0 }

static const struct field eth_fields[] = {
    F("src", FK_MAC, dl_src), F("dst", FK_MAC, dl_dst), { NULL, 0, 0, 0 },
};
static const struct field ipv4_fields[] = {
    F("src", FK_IPV4, nw_src), F("dst", FK_IPV4, nw_dst),
    F("proto", FK_U8, nw_proto), F("tos", FK_U8, nw_tos),
    F("ttl", FK_U8, nw_ttl), F("frag", FK_FRAG, nw_frag),
    { NULL, 0, 0, 0 },
};
static const struct field ipv6_fields[] = {
    F("src", FK_IPV6, ipv6_src), F("dst", FK_IPV6, ipv6_dst),
    { "label", FK_BE32, offsetof(struct flow, ipv6_label), 20 },
    F("proto", FK_U8, nw_proto), F("tclass", FK_U8, nw_tos),
    F("hlimit", FK_U8, nw_ttl), F("frag", FK_FRAG, nw_frag),
    { NULL, 0, 0, 0 },
};
static const struct field l4_fields[] = {
    F("src", FK_BE16, tp_src), F("dst", FK_BE16, tp_dst),
    { NULL, 0, 0, 0 },
};
static const struct field icmp_fields[] = {
    F("type", FK_BE16, tp_src), F("code", FK_BE16, tp_dst),
    { NULL, 0, 0, 0 },
};
static const struct field arp_fields[] = {
    F("sip", FK_IPV4, nw_src), F("tip", FK_IPV4, nw_dst),
    F("op", FK_U8, nw_proto), F("sha", FK_MAC, arp_sha),
    F("tha", FK_MAC, arp_tha), { NULL, 0, 0, 0 },
};
static const struct field nd_fields[] = {
    F("target", FK_IPV6, nd_target), F("sll", FK_MAC, arp_sha),
    F("tll", FK_MAC, arp_tha), { NULL, 0, 0, 0 },
};

static int
fail(struct parser *p, const char *fmt, const char *what)
{
    dstr_printf(p->err, fmt, what);
    return -EINVAL;
}

/* Copies the next token up to one of 'stops' into 'buf'. */
static int
token(struct parser *p, const char *stops, char *buf, size_t size)
{
    size_t n = strcspn(p->s, stops);
    if (n >= size) {
        return fail(p, "value too long near \"%.40s\"", p->s);
    }
    memcpy(buf, p->s, n);
    buf[n] = '\0';
    p->s += n;
    return 0;
}

static bool
parse_uint(const char *s, uint64_t max, uint64_t *v)
{
    char *end;
    if (!*s || *s == '-') {
        return false;
    }
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || *end || x > max) {
        return false;
    }
    *v = x;
    return true;
}

static bool
parse_mac(const char *s, uint8_t mac[6])
{
    unsigned int b[6];
    char extra;
    if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
               &b[5], &extra) != 6) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        if (b[i] > 255) {
            return false;
        }
        mac[i] = (uint8_t) b[i];
    }
    return true;
}

static void
prefix_mask(uint8_t *mask, size_t len, unsigned int plen)
{
    for (size_t i = 0; i < len; i++) {
        unsigned int bits = plen > 8 ? 8 : plen;
        mask[i] = (uint8_t) (bits ? 0xff << (8 - bits) : 0);
        plen -= bits;
    }
}

/* Parses VALUE[/MASK] of 'f' into the flow and mask bytes. */
static int
parse_value(struct parser *p, const struct field *f, const char *text)
{
    uint8_t *vp = (uint8_t *) p->flow + f->ofs;
    uint8_t *mp = (uint8_t *) p->mask + f->ofs;
    char value[128];
    const char *slash = strchr(text, '/');
    const char *mtext = slash ? slash + 1 : NULL;
    size_t vlen = slash ? (size_t) (slash - text) : strlen(text);

    if (vlen >= sizeof value) {
        return fail(p, "value too long: %s", text);
    }
    memcpy(value, text, vlen);
    value[vlen] = '\0';

    switch (f->kind) {
    case FK_MAC:
        if (!parse_mac(value, vp) || (mtext && !parse_mac(mtext, mp))) {
            return fail(p, "bad Ethernet address: %s", text);
        }
        if (!mtext) {
            memset(mp, 0xff, 6);
        }
        break;
    case FK_IPV4:
    case FK_IPV6: {
        int af = f->kind == FK_IPV4 ? AF_INET : AF_INET6;
        size_t len = f->kind == FK_IPV4 ? 4 : 16;
        uint64_t plen;
        if (inet_pton(af, value, vp) != 1) {
            return fail(p, "bad IP address: %s", text);
        }
        if (!mtext) {
            memset(mp, 0xff, len);
        } else if (parse_uint(mtext, len * 8, &plen)) {
            prefix_mask(mp, len, (unsigned int) plen);
        } else if (inet_pton(af, mtext, mp) != 1) {
            return fail(p, "bad IP mask: %s", text);
        }
        break;
    }
    case FK_FRAG:
        if (mtext) {
            return fail(p, "frag takes no mask: %s", text);
        }
        if (!strcmp(value, "no")) {
            *vp = 0;
            *mp = FLOW_FRAG_ANY;
        } else if (!strcmp(value, "first")) {
            *vp = FLOW_FRAG_ANY;
            *mp = FLOW_FRAG_ANY | FLOW_FRAG_LATER;
        } else if (!strcmp(value, "later")) {
            *vp = FLOW_FRAG_ANY | FLOW_FRAG_LATER;
            *mp = FLOW_FRAG_LATER;
        } else {
            return fail(p, "frag must be no, first or later: %s", text);
        }
        break;
    case FK_PORT: {
        uint64_t v;
        uint32_t port_no;
        if (parse_uint(value, UINT32_MAX, &v)) {
            port_no = (uint32_t) v;
        } else if (!p->lookup || p->lookup(value, &port_no, p->aux)) {
            return fail(p, "no port named %s", value);
        }
        memcpy(vp, &port_no, 4);
        memset(mp, 0xff, 4);
        break;
    }
    default: {
        unsigned int size = f->kind == FK_U8 ? 1 : f->kind == FK_BE16 ? 2
                            : f->kind == FK_BE64 ? 8 : 4;
        unsigned int bits = f->bits ? f->bits : size * 8;
        uint64_t max = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
        uint64_t v, m = max;
        if (!parse_uint(value, max, &v) || (mtext && !parse_uint(mtext, max,
                                                                 &m))) {
            dstr_printf(p->err, "%s: bad value \"%s\" (at most %llu)",
                        f->name, text, (unsigned long long) max);
            return -EINVAL;
        }
        if (f->kind == FK_U8) {
            *vp = (uint8_t) v;
            *mp = (uint8_t) m;
        } else if (f->kind == FK_BE16) {
            uint16_t a = htons((uint16_t) v), b = htons((uint16_t) m);
            memcpy(vp, &a, 2);
            memcpy(mp, &b, 2);
        } else if (f->kind == FK_BE32) {
            uint32_t a = htonl((uint32_t) v), b = htonl((uint32_t) m);
            memcpy(vp, &a, 4);
            memcpy(mp, &b, 4);
        } else if (f->kind == FK_U32) {
            uint32_t a = (uint32_t) v, b = (uint32_t) m;
            memcpy(vp, &a, 4);
            memcpy(mp, &b, 4);
        } else {
            memcpy(vp, &v, 8);
            memcpy(mp, &m, 8);
        }
        break;
    }
    }
    return 0;
}

/* Parses "key=value,key=value)" for the fields in 'fields'. */
static int
parse_fields(struct parser *p, const struct field *fields)
{
    while (*p->s && *p->s != ')') {
        char key[32], value[128];
        if (token(p, "=,)", key, sizeof key)) {
            return -EINVAL;
        }
        if (*p->s != '=') {
            return fail(p, "expected key=value at \"%s\"", key);
        }
        p->s++;
        if (token(p, ",)", value, sizeof value)) {
            return -EINVAL;
        }
        const struct field *f = fields;
        while (f->name && strcmp(f->name, key)) {
            f++;
        }
        if (!f->name) {
            return fail(p, "unknown field \"%s\"", key);
        }
        if (parse_value(p, f, value)) {
            return -EINVAL;
        }
        if (*p->s == ',') {
            p->s++;
        }
    }
    if (*p->s != ')') {
        return fail(p, "missing \")\"%s", "");
    }
    p->s++;
    return 0;
}

/* Parses the single value of "name(value)". */
static int
parse_single(struct parser *p, const struct field *f)
{
    char value[128];
    if (token(p, ")", value, sizeof value)) {
        return -EINVAL;
    }
    if (*p->s != ')') {
        return fail(p, "missing \")\" after %s", f->name);
    }
    p->s++;
    return parse_value(p, f, value);
}

static void
imply_u16(uint16_t *v, uint16_t *m, uint16_t value)
{
    if (!*m) {
        *v = htons(value);
        *m = 0xffff;
    }
}

static void
imply_u8(uint8_t *v, uint8_t *m, uint8_t value)
{
    if (!*m) {
        *v = value;
        *m = 0xff;
    }
}

static int
parse_vlan(struct parser *p, struct flow_vlan *v, struct flow_vlan *m)
{
    static const struct field vlan_fields[] = {
        { "tpid", FK_BE16, 0, 0 }, { "vid", FK_BE16, 0, 12 },
        { "pcp", FK_BE16, 0, 3 }, { NULL, 0, 0, 0 },
    };
    struct flow tmp_flow, tmp_mask;
    struct parser sub = *p;
    memset(&tmp_flow, 0, sizeof tmp_flow);
    memset(&tmp_mask, 0, sizeof tmp_mask);

    /* Parse each field into a scratch flow at offset 0, then assemble. */
    uint16_t tpid = 0x8100, vid = 0, pcp = 0;
    uint16_t vid_mask = 0, pcp_mask = 0;
    sub.flow = &tmp_flow;
    sub.mask = &tmp_mask;
    while (*p->s && *p->s != ')') {
        char key[16], value[32];
        if (token(p, "=,)", key, sizeof key) || *p->s != '=') {
            return fail(p, "expected key=value in vlan(...)%s", "");
        }
        p->s++;
        if (token(p, ",)", value, sizeof value)) {
            return -EINVAL;
        }
        const struct field *f = vlan_fields;
        while (f->name && strcmp(f->name, key)) {
            f++;
        }
        if (!f->name) {
            return fail(p, "unknown vlan field \"%s\"", key);
        }
        sub.s = p->s;
        if (parse_value(&sub, f, value)) {
            return -EINVAL;
        }
        uint16_t val, msk;
        memcpy(&val, &tmp_flow, 2);
        memcpy(&msk, &tmp_mask, 2);
        val = ntohs(val);
        msk = ntohs(msk);
        if (!strcmp(key, "tpid")) {
            tpid = val;
        } else if (!strcmp(key, "vid")) {
            vid = val;
            vid_mask = msk;
        } else {
            pcp = val;
            pcp_mask = msk;
        }
        if (*p->s == ',') {
            p->s++;
        }
    }
    if (*p->s != ')') {
        return fail(p, "missing \")\" after vlan%s", "");
    }
    p->s++;
    v->tpid = htons(tpid);
    m->tpid = 0xffff;
    v->tci = htons((uint16_t) (pcp << 13 | vid));
    m->tci = htons((uint16_t) ((pcp_mask & 7) << 13 | (vid_mask & 0xfff)));
    return 0;
}

int
flow_parse(const char *s, struct flow *flow, struct flow *mask,
           flow_port_lookup *lookup, void *aux, struct dstr *err)
{
    static const struct field in_port = F("in_port", FK_PORT, in_port);
    static const struct field recirc = F("recirc_id", FK_U32, recirc_id);
    static const struct field eth_type = F("eth_type", FK_BE16, dl_type);
    static const struct field tcp_flags = F("tcp_flags", FK_BE16,
                                            tcp_flags);
    static const struct field mpls = F("mpls", FK_BE32, mpls_lse);
    static const struct field tun_id = F("tun_id", FK_BE64, tun_id);
    struct parser p = { s, flow, mask, lookup, aux, err };
    int n_vlans = 0;

    memset(flow, 0, sizeof *flow);
    memset(mask, 0, sizeof *mask);
    while (*p.s) {
        char name[32];
        while (isspace((unsigned char) *p.s) || *p.s == ',') {
            p.s++;
        }
        if (!*p.s) {
            break;
        }
        if (token(&p, "(", name, sizeof name) || *p.s != '(') {
            return fail(&p, "expected name(...) at \"%.40s\"", name);
        }
        p.s++;

        int error;
        if (!strcmp(name, "in_port")) {
            error = parse_single(&p, &in_port);
        } else if (!strcmp(name, "recirc_id")) {
            error = parse_single(&p, &recirc);
        } else if (!strcmp(name, "tun_id")) {
            error = parse_single(&p, &tun_id);
        } else if (!strcmp(name, "eth")) {
            error = parse_fields(&p, eth_fields);
        } else if (!strcmp(name, "eth_type")) {
            error = parse_single(&p, &eth_type);
        } else if (!strcmp(name, "vlan")) {
            if (n_vlans == 2) {
                return fail(&p, "at most two vlan(...) tags%s", "");
            }
            error = parse_vlan(&p, &flow->vlans[n_vlans],
                               &mask->vlans[n_vlans]);
            n_vlans++;
        } else if (!strcmp(name, "mpls")) {
            error = parse_single(&p, &mpls);
        } else if (!strcmp(name, "ipv4")) {
            error = parse_fields(&p, ipv4_fields);
            imply_u16(&flow->dl_type, &mask->dl_type, ETH_TYPE_IPV4);
        } else if (!strcmp(name, "ipv6")) {
            error = parse_fields(&p, ipv6_fields);
            imply_u16(&flow->dl_type, &mask->dl_type, ETH_TYPE_IPV6);
        } else if (!strcmp(name, "arp")) {
            error = parse_fields(&p, arp_fields);
            imply_u16(&flow->dl_type, &mask->dl_type, ETH_TYPE_ARP);
        } else if (!strcmp(name, "tcp") || !strcmp(name, "udp")
                   || !strcmp(name, "sctp")) {
            error = parse_fields(&p, l4_fields);
            imply_u8(&flow->nw_proto, &mask->nw_proto,
                     name[0] == 't' ? 6 : name[0] == 'u' ? 17 : 132);
        } else if (!strcmp(name, "tcp_flags")) {
            error = parse_single(&p, &tcp_flags);
        } else if (!strcmp(name, "icmp")) {
            error = parse_fields(&p, icmp_fields);
            imply_u8(&flow->nw_proto, &mask->nw_proto, 1);
        } else if (!strcmp(name, "icmpv6")) {
            error = parse_fields(&p, icmp_fields);
            imply_u8(&flow->nw_proto, &mask->nw_proto, 58);
        } else if (!strcmp(name, "nd")) {
            error = parse_fields(&p, nd_fields);
        } else {
            return fail(&p, "unknown match field \"%s\"", name);
        }
        if (error) {
            return error;
        }
    }
    /* Values outside their mask would never match: clear them. */
    uint64_t *fw = (uint64_t *) flow;
    const uint64_t *mw = (const uint64_t *) mask;
    for (size_t i = 0; i < FLOW_N_WORDS; i++) {
        fw[i] &= mw[i];
    }
    return 0;
}
