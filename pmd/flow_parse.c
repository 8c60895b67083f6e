/* flow_parse: text to flow match, the inverse of flow_format().
 *
 * Each group "name(...)" is described by a table of its fields: where the
 * field lives in struct flow, its kind, and for integers the bits it
 * takes in its (big-endian unless 'host') container, so that subfields
 * such as vlan vid/pcp/dei or mpls label/tc/bos/ttl share one parser.
 * Scanning never goes past the terminating NUL: every step looks at the
 * current character before moving. */
#include "pmd/flow_parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "pmd/flow.h"
#include "src/util/dstr.h"
#include "src/util/scan.h"

#define ARRAY_SIZE(A) (sizeof (A) / sizeof (A)[0])

#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP 0x0806
#define ETH_TYPE_IPV6 0x86dd
#define ETH_TYPE_MPLS 0x8847
#define ETH_TYPE_MPLS_MCAST 0x8848
#define ETH_TYPE_VLAN 0x8100

#define VALUE_MAX 128           /* Longest value text, with its mask. */

enum kind {
    K_UINT,                     /* Unsigned (sub)field. */
    K_PORT,                     /* in_port: number or port name. */
    K_MAC,
    K_IP4,
    K_IP6,
    K_FRAG,                     /* no|first|later, or VALUE/MASK. */
    K_TCP_FLAGS,                /* syn|ack|..., or VALUE/MASK. */
};

struct field {
    const char *name;           /* NULL: a group's single value. */
    enum kind kind;
    uint16_t ofs;               /* Byte offset in struct flow. */
    uint8_t size;               /* Container bytes (K_UINT, K_PORT, ...). */
    uint8_t shift;              /* Lowest bit of the subfield. */
    uint8_t width;              /* Bits of the subfield. */
    bool host;                  /* Container in host byte order. */
};

#define MSIZE(MEMBER) sizeof ((struct flow *) 0)->MEMBER
#define UF(NAME, MEMBER, SHIFT, WIDTH) \
    { NAME, K_UINT, offsetof(struct flow, MEMBER), MSIZE(MEMBER), \
      SHIFT, WIDTH, false }
#define XF(NAME, KIND, MEMBER, WIDTH) \
    { NAME, KIND, offsetof(struct flow, MEMBER), MSIZE(MEMBER), 0, \
      WIDTH, false }
#define HF(NAME, KIND, MEMBER) \
    { NAME, KIND, offsetof(struct flow, MEMBER), MSIZE(MEMBER), 0, 32, \
      true }

static const struct field recirc_fields[] = {
    HF(NULL, K_UINT, recirc_id),
};
static const struct field in_port_fields[] = {
    HF(NULL, K_PORT, in_port),
};
static const struct field tunnel_fields[] = {
    UF("tun_id", tun_id, 0, 64), XF("src", K_IP4, tun_src, 0),
    XF("dst", K_IP4, tun_dst, 0),
};
static const struct field eth_fields[] = {
    XF("src", K_MAC, dl_src, 0), XF("dst", K_MAC, dl_dst, 0),
};
/* Offsets of vlans[0]; the second vlan(...) group adds one slot. */
static const struct field vlan_fields[] = {
    UF("tpid", vlans[0].tpid, 0, 16), UF("vid", vlans[0].tci, 0, 12),
    UF("pcp", vlans[0].tci, 13, 3), UF("dei", vlans[0].tci, 12, 1),
};
static const struct field eth_type_fields[] = {
    UF(NULL, dl_type, 0, 16),
};
static const struct field mpls_fields[] = {
    UF("label", mpls_lse, 12, 20), UF("tc", mpls_lse, 9, 3),
    UF("ttl", mpls_lse, 0, 8), UF("bos", mpls_lse, 8, 1),
};
static const struct field ipv4_fields[] = {
    XF("src", K_IP4, nw_src, 0), XF("dst", K_IP4, nw_dst, 0),
    UF("proto", nw_proto, 0, 8), UF("tos", nw_tos, 0, 8),
    UF("ttl", nw_ttl, 0, 8), XF("frag", K_FRAG, nw_frag, 8),
};
static const struct field ipv6_fields[] = {
    XF("src", K_IP6, ipv6_src, 0), XF("dst", K_IP6, ipv6_dst, 0),
    UF("label", ipv6_label, 0, 20), UF("proto", nw_proto, 0, 8),
    UF("tclass", nw_tos, 0, 8), UF("hlimit", nw_ttl, 0, 8),
    XF("frag", K_FRAG, nw_frag, 8),
};
static const struct field arp_fields[] = {
    XF("sip", K_IP4, nw_src, 0), XF("tip", K_IP4, nw_dst, 0),
    UF("op", nw_proto, 0, 8), XF("sha", K_MAC, arp_sha, 0),
    XF("tha", K_MAC, arp_tha, 0),
};
static const struct field l4_fields[] = {
    UF("src", tp_src, 0, 16), UF("dst", tp_dst, 0, 16),
};
static const struct field tcp_flags_fields[] = {
    XF(NULL, K_TCP_FLAGS, tcp_flags, 12),
};
static const struct field icmp_fields[] = {
    UF("type", tp_src, 0, 16), UF("code", tp_dst, 0, 16),
};
static const struct field nd_fields[] = {
    XF("target", K_IP6, nd_target, 0), XF("sll", K_MAC, arp_sha, 0),
    XF("tll", K_MAC, arp_tha, 0),
};

enum group_id {
    G_RECIRC, G_IN_PORT, G_TUNNEL, G_ETH, G_VLAN, G_ETH_TYPE, G_MPLS,
    G_IPV4, G_IPV6, G_ARP, G_TCP, G_UDP, G_SCTP, G_TCP_FLAGS, G_ICMP,
    G_ICMPV6, G_ND, N_GROUPS
};

struct group {
    const char *name;
    const struct field *fields;
    size_t n_fields;
    uint16_t eth_type;          /* Implied and required Ethertype. */
    uint8_t nw_proto;           /* Implied and required IP protocol. */
};

#define G(NAME, FIELDS, ETH_TYPE, NW_PROTO) \
    { NAME, FIELDS, ARRAY_SIZE(FIELDS), ETH_TYPE, NW_PROTO }

static const struct group groups[N_GROUPS] = {
    [G_RECIRC] = G("recirc_id", recirc_fields, 0, 0),
    [G_IN_PORT] = G("in_port", in_port_fields, 0, 0),
    [G_TUNNEL] = G("tunnel", tunnel_fields, 0, 0),
    [G_ETH] = G("eth", eth_fields, 0, 0),
    [G_VLAN] = G("vlan", vlan_fields, 0, 0),
    [G_ETH_TYPE] = G("eth_type", eth_type_fields, 0, 0),
    [G_MPLS] = G("mpls", mpls_fields, ETH_TYPE_MPLS, 0),
    [G_IPV4] = G("ipv4", ipv4_fields, ETH_TYPE_IPV4, 0),
    [G_IPV6] = G("ipv6", ipv6_fields, ETH_TYPE_IPV6, 0),
    [G_ARP] = G("arp", arp_fields, ETH_TYPE_ARP, 0),
    [G_TCP] = G("tcp", l4_fields, 0, 6),
    [G_UDP] = G("udp", l4_fields, 0, 17),
    [G_SCTP] = G("sctp", l4_fields, 0, 132),
    [G_TCP_FLAGS] = G("tcp_flags", tcp_flags_fields, 0, 6),
    [G_ICMP] = G("icmp", icmp_fields, ETH_TYPE_IPV4, 1),
    [G_ICMPV6] = G("icmpv6", icmp_fields, ETH_TYPE_IPV6, 58),
    [G_ND] = G("nd", nd_fields, ETH_TYPE_IPV6, 58),
};

struct parser {
    const char *s;              /* Next character to read. */
    struct flow *flow;
    struct flow *mask;
    flow_port_lookup *lookup;
    void *aux;
    struct dstr *err;
};

static int
fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct parser *p, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    dstr_vprintf(p->err, fmt, args);
    va_end(args);
    return -EINVAL;
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '_';
}

static void
skip_spaces(struct parser *p)
{
    while (is_space(*p->s)) {
        p->s++;
    }
}

static size_t
name_len(const char *s)
{
    size_t n = 0;
    while (is_name_char(s[n])) {
        n++;
    }
    return n;
}

/* A number in the flow syntax (see src/util/scan.h).  Returns 0, -EINVAL
 * if 's' is not a number or -ERANGE if it is above 'max'. */
static int
parse_num(const char *s, uint64_t max, uint64_t *v)
{
    return scan_uint(s, SCAN_C, max, v);
}

static bool
all_digits(const char *s)
{
    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
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

/* Address of 'af' with an optional netmask or prefix length. */
static bool
parse_ip(int af, const char *value, const char *mtext, uint8_t *vp,
         uint8_t *mp)
{
    size_t len = af == AF_INET ? 4 : 16;
    uint64_t plen;

    if (inet_pton(af, value, vp) != 1) {
        return false;
    }
    if (!mtext) {
        memset(mp, 0xff, len);
    } else if (all_digits(mtext)) {
        /* A prefix length is decimal, as in Open vSwitch ("/%d"). */
        if (scan_uint(mtext, 10, len * 8, &plen)) {
            return false;
        }
        prefix_mask(mp, len, (unsigned int) plen);
    } else if (inet_pton(af, mtext, mp) != 1) {
        return false;
    }
    return true;
}

/* Integer containers: network order unless 'host'. */
static uint64_t
load_uint(const uint8_t *p, const struct field *f)
{
    uint64_t v = 0;
    if (f->host) {
        uint32_t h;
        memcpy(&h, p, sizeof h);
        return h;
    }
    for (size_t i = 0; i < f->size; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static void
store_uint(uint8_t *p, const struct field *f, uint64_t v)
{
    if (f->host) {
        uint32_t h = (uint32_t) v;
        memcpy(p, &h, sizeof h);
        return;
    }
    for (size_t i = f->size; i-- > 0;) {
        p[i] = (uint8_t) v;
        v >>= 8;
    }
}

static uint64_t
width_max(const struct field *f)
{
    return f->width >= 64 ? UINT64_MAX : (UINT64_C(1) << f->width) - 1;
}

/* Writes 'v' and 'm' into the subfield of 'f' at 'vp' and 'mp'. */
static void
set_uint(const struct field *f, uint8_t *vp, uint8_t *mp, uint64_t v,
         uint64_t m)
{
    uint64_t bits = width_max(f) << f->shift;
    store_uint(vp, f, (load_uint(vp, f) & ~bits) | (v << f->shift & bits));
    store_uint(mp, f, (load_uint(mp, f) & ~bits) | (m << f->shift & bits));
}

static bool
field_is_set(const struct field *f, const uint8_t *mp)
{
    if (f->kind == K_MAC || f->kind == K_IP4 || f->kind == K_IP6) {
        for (size_t i = 0; i < f->size; i++) {
            if (mp[i]) {
                return true;
            }
        }
        return false;
    }
    return (load_uint(mp, f) >> f->shift & width_max(f)) != 0;
}

/* Reports a parse_num() error for 'what'. */
static int
num_error(struct parser *p, int error, const char *what, const char *text,
          uint64_t max)
{
    if (error == -ERANGE) {
        return fail(p, "%s: value \"%s\" too large (at most %llu)", what,
                    text, (unsigned long long) max);
    }
    return fail(p, "%s: bad number \"%s\"", what, text);
}

static int
parse_tcp_flags(struct parser *p, const char *what, char *text,
                uint64_t *v)
{
    static const char *const names[] = {
        "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns",
    };
    *v = 0;
    for (char *s = text;;) {
        size_t n = strcspn(s, "|");
        char save = s[n];
        uint64_t bits = 0;
        size_t i;

        s[n] = '\0';
        for (i = 0; i < ARRAY_SIZE(names); i++) {
            if (!strcmp(s, names[i])) {
                bits = UINT64_C(1) << i;
                break;
            }
        }
        if (i == ARRAY_SIZE(names)) {
            int error = parse_num(s, 0x0fff, &bits);
            if (error == -ERANGE) {
                return num_error(p, error, what, s, 0x0fff);
            } else if (error) {
                return fail(p, "%s: unknown TCP flag \"%s\"", what, s);
            }
        }
        *v |= bits;
        if (!save) {
            return 0;
        }
        s += n + 1;
    }
}

/* Parses 'text', the VALUE[/MASK] of 'f', into the flow and the mask at
 * 'delta' bytes past the field's offset.  'what' names it in errors. */
static int
parse_value(struct parser *p, const struct field *f, size_t delta,
            const char *what, const char *text, size_t len)
{
    uint8_t *vp = (uint8_t *) p->flow + f->ofs + delta;
    uint8_t *mp = (uint8_t *) p->mask + f->ofs + delta;
    char buf[VALUE_MAX];

    if (!len) {
        return fail(p, "%s: empty value", what);
    }
    if (len >= sizeof buf) {
        return fail(p, "%s: value too long \"%.40s...\"", what, text);
    }
    if (field_is_set(f, mp)) {
        return fail(p, "%s: given twice", what);
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *value = buf;
    char *slash = strchr(buf, '/');
    char *mtext = NULL;
    if (slash) {
        *slash = '\0';
        mtext = slash + 1;
        if (!*mtext || !*value) {
            return fail(p, "%s: empty value or mask in \"%.*s\"", what,
                        (int) len, text);
        }
    }

    uint64_t max = width_max(f);
    uint64_t v, m = max;
    int error;
    switch (f->kind) {
    case K_MAC:
        if (scan_mac(value, vp)) {
            return fail(p, "%s: bad Ethernet address \"%s\"", what, value);
        }
        if (!mtext) {
            memset(mp, 0xff, 6);
        } else if (scan_mac(mtext, mp)) {
            return fail(p, "%s: bad Ethernet mask \"%s\"", what, mtext);
        }
        return 0;

    case K_IP4:
    case K_IP6:
        if (!parse_ip(f->kind == K_IP4 ? AF_INET : AF_INET6, value, mtext,
                      vp, mp)) {
            return fail(p, "%s: bad %s address or mask \"%.*s\"", what,
                        f->kind == K_IP4 ? "IPv4" : "IPv6", (int) len,
                        text);
        }
        return 0;

    case K_PORT:
        error = parse_num(value, max, &v);
        if (error == -EINVAL) {
            uint32_t port_no;
            if (!p->lookup || p->lookup(value, &port_no, p->aux)) {
                return fail(p, "%s: no port named \"%s\"", what, value);
            }
            v = port_no;
        } else if (error) {
            return num_error(p, error, what, value, max);
        }
        break;

    case K_FRAG:
        if (!strcmp(value, "no") || !strcmp(value, "first")
            || !strcmp(value, "later")) {
            if (mtext) {
                return fail(p, "%s: \"%s\" takes no mask", what, value);
            }
            v = value[0] == 'n' ? 0
                : value[0] == 'f' ? FLOW_FRAG_ANY
                : FLOW_FRAG_ANY | FLOW_FRAG_LATER;
            set_uint(f, vp, mp, v, FLOW_FRAG_ANY | FLOW_FRAG_LATER);
            return 0;
        }
        error = parse_num(value, max, &v);
        if (error == -EINVAL) {
            return fail(p, "%s: expected no, first, later or a number, "
                        "not \"%s\"", what, value);
        } else if (error) {
            return num_error(p, error, what, value, max);
        }
        m = FLOW_FRAG_ANY | FLOW_FRAG_LATER;
        break;

    case K_TCP_FLAGS:
        if (parse_tcp_flags(p, what, value, &v)) {
            return -EINVAL;
        }
        break;

    case K_UINT:
        error = parse_num(value, max, &v);
        if (error) {
            return num_error(p, error, what, value, max);
        }
        break;
    }
    if (mtext) {
        error = parse_num(mtext, max, &m);
        if (error) {
            return num_error(p, error, what, mtext, max);
        }
    }
    set_uint(f, vp, mp, v, m);
    return 0;
}

/* The text of a value: up to ',' or ')' (and, if 'space_ends', a space),
 * without surrounding spaces.  Leaves 'p' on the character that ended
 * it. */
static const char *
value_text(struct parser *p, bool space_ends, size_t *len)
{
    skip_spaces(p);
    const char *start = p->s;
    size_t n = strcspn(start, space_ends ? ",) \t\r\n" : ",)");
    p->s = start + n;
    while (n && is_space(start[n - 1])) {
        n--;
    }
    *len = n;
    return start;
}

/* Parses the "(...)" of group 'g', 'p' being on the '('.  Sets bit i of
 * '*seen' for each field i given. */
static int
parse_group(struct parser *p, const struct group *g, size_t delta,
            unsigned int *seen)
{
    char what[48];
    size_t len;

    p->s++;
    *seen = 0;
    if (!g->fields[0].name) {
        const char *text = value_text(p, false, &len);
        if (*p->s != ')') {
            return fail(p, *p->s ? "%s(...): expected \")\" at \"%.20s\""
                                 : "%s(...): missing \")\"%.0s",
                        g->name, p->s);
        }
        p->s++;
        *seen = 1;
        return parse_value(p, &g->fields[0], delta, g->name, text, len);
    }

    skip_spaces(p);
    while (*p->s != ')') {
        if (!*p->s) {
            return fail(p, "%s(...): missing \")\"", g->name);
        }
        size_t n = name_len(p->s);
        if (!n) {
            return fail(p, "%s(...): expected KEY=VALUE at \"%.20s\"",
                        g->name, p->s);
        }
        size_t i;
        for (i = 0; i < g->n_fields; i++) {
            if (strlen(g->fields[i].name) == n
                && !strncmp(g->fields[i].name, p->s, n)) {
                break;
            }
        }
        if (i == g->n_fields) {
            return fail(p, "%s(...): unknown field \"%.*s\"", g->name,
                        (int) (n > 32 ? 32 : n), p->s);
        }
        const struct field *f = &g->fields[i];
        snprintf(what, sizeof what, "%s(%s)", g->name, f->name);
        p->s += n;
        skip_spaces(p);
        if (*p->s != '=') {
            return fail(p, "%s: expected \"=\" after the field name", what);
        }
        p->s++;
        const char *text = value_text(p, false, &len);
        if (!*p->s) {
            return fail(p, "%s(...): missing \")\"", g->name);
        }
        int error = parse_value(p, f, delta, what, text, len);
        if (error) {
            return error;
        }
        *seen |= 1u << i;
        if (*p->s == ',') {
            p->s++;
            skip_spaces(p);
        }
    }
    p->s++;
    return 0;
}

static const struct group *
find_group(const char *name, size_t n)
{
    for (size_t i = 0; i < N_GROUPS; i++) {
        if (strlen(groups[i].name) == n
            && !strncmp(groups[i].name, name, n)) {
            return &groups[i];
        }
    }
    return NULL;
}

/* After a vlan(...) group: the tag is present. */
static int
finish_vlan(struct parser *p, int i, unsigned int seen)
{
    struct flow_vlan *v = &p->flow->vlans[i], *m = &p->mask->vlans[i];
    if (!(seen & 1)) {          /* No tpid=: 802.1Q. */
        v->tpid = htons(ETH_TYPE_VLAN);
        m->tpid = 0xffff;
    } else if (!(v->tpid & m->tpid)) {
        return fail(p, "vlan(tpid): a tag's TPID cannot be 0 under its "
                    "mask (vlan(...) matches a tag that is present)");
    }
    return 0;
}

/* Implied Ethertype and IP protocol of the groups given, then their
 * prerequisites. */
static int
check_prereqs(struct parser *p, uint32_t given)
{
    struct flow *fl = p->flow, *m = p->mask;

    for (size_t i = 0; i < N_GROUPS; i++) {
        if ((given >> i & 1) && groups[i].eth_type && !m->dl_type) {
            fl->dl_type = htons(groups[i].eth_type);
            m->dl_type = 0xffff;
        }
    }
    for (size_t i = 0; i < N_GROUPS; i++) {
        if ((given >> i & 1) && groups[i].nw_proto && !m->nw_proto) {
            fl->nw_proto = groups[i].nw_proto;
            m->nw_proto = 0xff;
        }
    }

    uint16_t type = m->dl_type == 0xffff ? ntohs(fl->dl_type) : 0;
    for (size_t i = 0; i < N_GROUPS; i++) {
        const struct group *g = &groups[i];
        if (!(given >> i & 1)) {
            continue;
        }
        if (g->eth_type == ETH_TYPE_MPLS) {
            if (type != ETH_TYPE_MPLS && type != ETH_TYPE_MPLS_MCAST) {
                return fail(p, "mpls(...) needs eth_type(0x8847) or "
                            "eth_type(0x8848)");
            }
        } else if (g->eth_type && type != g->eth_type) {
            return fail(p, "%s(...) needs eth_type(0x%04x)", g->name,
                        g->eth_type);
        } else if (!g->eth_type && g->nw_proto
                   && type != ETH_TYPE_IPV4 && type != ETH_TYPE_IPV6) {
            return fail(p, "%s(...) needs ipv4(...) or ipv6(...)",
                        g->name);
        }
        if (g->nw_proto
            && (m->nw_proto != 0xff || fl->nw_proto != g->nw_proto)) {
            return fail(p, "%s(...) needs IP protocol %u", g->name,
                        g->nw_proto);
        }
    }
    if (given >> G_ND & 1) {
        uint16_t t = ntohs(fl->tp_src);
        if (m->tp_src != 0xffff || (t != 135 && t != 136)) {
            return fail(p, "nd(...) needs icmpv6(type=135) or "
                        "icmpv6(type=136)");
        }
    }
    return 0;
}

int
flow_parse(const char *s, struct flow *flow, struct flow *mask,
           flow_port_lookup *lookup, void *aux, struct dstr *err)
{
    struct parser p = { s, flow, mask, lookup, aux, err };
    uint32_t given = 0;
    int n_vlans = 0;

    memset(flow, 0, sizeof *flow);
    memset(mask, 0, sizeof *mask);
    for (;;) {
        while (is_space(*p.s) || *p.s == ',') {
            p.s++;
        }
        if (!*p.s) {
            break;
        }
        size_t n = name_len(p.s);
        if (!n) {
            return fail(&p, "expected a field name at \"%.20s\"", p.s);
        }
        const struct group *g = find_group(p.s, n);
        if (!g) {
            return fail(&p, "unknown field \"%.*s\"", (int) (n > 32 ? 32 : n),
                        p.s);
        }
        p.s += n;

        size_t gi = (size_t) (g - groups);
        unsigned int seen;
        int error;
        if (*p.s == '=' && (gi == G_IN_PORT || gi == G_RECIRC)) {
            /* Aliases "in_port=N" and "recirc_id=N". */
            size_t len;
            p.s++;
            const char *text = value_text(&p, true, &len);
            if (*p.s == ')') {
                return fail(&p, "%s: unexpected \")\"", g->name);
            }
            error = parse_value(&p, &g->fields[0], 0, g->name, text, len);
        } else if (*p.s != '(') {
            return fail(&p, "%s: expected \"(\" after the name", g->name);
        } else if (gi == G_VLAN) {
            if (n_vlans == 2) {
                return fail(&p, "vlan(...): at most two tags");
            }
            size_t delta = n_vlans * sizeof(struct flow_vlan);
            error = parse_group(&p, g, delta, &seen);
            if (!error) {
                error = finish_vlan(&p, n_vlans, seen);
            }
            n_vlans++;
        } else {
            error = parse_group(&p, g, 0, &seen);
        }
        if (error) {
            return error;
        }
        given |= UINT32_C(1) << gi;
    }
    int error = check_prereqs(&p, given);
    if (error) {
        return error;
    }

    /* Values outside their mask would never match: clear them. */
    flow_and(flow, flow, mask);
    return 0;
}
