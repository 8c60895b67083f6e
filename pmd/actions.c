/* actions: datapath action lists, their text form and their executor. */
#include "pmd/actions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <rte_mbuf.h>

#include "pmd/packet.h"
#include "pmd/tx.h"
#include "src/util/dstr.h"
#include "src/util/scan.h"

#define DP_EXEC_BATCH 32

/* ---- Building. */

struct dp_actions *
dp_actions_new(void)
{
    return calloc(1, sizeof(struct dp_actions));
}

struct dp_actions *
dp_actions_clone(const struct dp_actions *acts)
{
    size_t size = acts ? acts->size : 0;
    struct dp_actions *c = malloc(sizeof *c + size);
    if (c) {
        c->size = (uint32_t) size;
        if (size) {
            memcpy(c->data, acts->data, size);
        }
    }
    return c;
}

bool
dp_actions_equal(const struct dp_actions *a, const struct dp_actions *b)
{
    uint32_t na = a ? a->size : 0, nb = b ? b->size : 0;
    return na == nb && (!na || !memcmp(a->data, b->data, na));
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

#define DP_HDR(TYPE, STRUCT) { .type = (TYPE), .len = sizeof(STRUCT) }

int
dp_actions_add_output(struct dp_actions **actsp, uint32_t port_no)
{
    struct dp_action_output out = {
        .hdr = DP_HDR(DP_ACTION_OUTPUT, out),
        .port_no = port_no,
    };
    return dp_actions_append(actsp, &out, sizeof out);
}

/* key &= mask, bytewise; a NULL mask means all of 'full'. */
static void
apply_mask(void *key_, void *mask_, const void *mask, const void *full,
           size_t n)
{
    uint8_t *key = key_;
    memcpy(mask_, mask ? mask : full, n);
    const uint8_t *m = mask_;
    for (size_t i = 0; i < n; i++) {
        key[i] &= m[i];
    }
}

int
dp_actions_add_set_eth(struct dp_actions **actsp,
                       const struct rewrite_eth *key,
                       const struct rewrite_eth *mask)
{
    static const struct rewrite_eth full = {
        { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
        { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
    };
    struct dp_action_set_eth a = { .hdr = DP_HDR(DP_ACTION_SET_ETH, a),
                                   .key = *key };
    apply_mask(&a.key, &a.mask, mask, &full, sizeof a.key);
    return dp_actions_append(actsp, &a, sizeof a);
}

int
dp_actions_add_set_ipv4(struct dp_actions **actsp,
                        const struct rewrite_ipv4 *key,
                        const struct rewrite_ipv4 *mask)
{
    static const struct rewrite_ipv4 full = {
        .src = 0xffffffff, .dst = 0xffffffff, .tos = 0xff, .ttl = 0xff,
    };
    struct dp_action_set_ipv4 a = { .hdr = DP_HDR(DP_ACTION_SET_IPV4, a),
                                    .key = *key };
    apply_mask(&a.key, &a.mask, mask, &full, sizeof a.key);
    memset(a.key.pad, 0, sizeof a.key.pad);
    memset(a.mask.pad, 0, sizeof a.mask.pad);
    return dp_actions_append(actsp, &a, sizeof a);
}

int
dp_actions_add_set_ipv6(struct dp_actions **actsp,
                        const struct rewrite_ipv6 *key,
                        const struct rewrite_ipv6 *mask)
{
    struct rewrite_ipv6 full;
    memset(&full, 0xff, sizeof full);
    full.label = htonl(0xfffff);
    struct dp_action_set_ipv6 a = { .hdr = DP_HDR(DP_ACTION_SET_IPV6, a),
                                    .key = *key };
    apply_mask(&a.key, &a.mask, mask, &full, sizeof a.key);
    a.mask.label &= htonl(0xfffff);
    a.key.label &= htonl(0xfffff);
    memset(a.key.pad, 0, sizeof a.key.pad);
    memset(a.mask.pad, 0, sizeof a.mask.pad);
    return dp_actions_append(actsp, &a, sizeof a);
}

static int
add_set_ports(struct dp_actions **actsp, uint16_t type,
              const struct rewrite_ports *key,
              const struct rewrite_ports *mask)
{
    static const struct rewrite_ports full = { 0xffff, 0xffff };
    struct dp_action_set_ports a = { .hdr = { type, sizeof a },
                                     .key = *key };
    apply_mask(&a.key, &a.mask, mask, &full, sizeof a.key);
    return dp_actions_append(actsp, &a, sizeof a);
}

int
dp_actions_add_set_tcp(struct dp_actions **actsp,
                       const struct rewrite_ports *key,
                       const struct rewrite_ports *mask)
{
    return add_set_ports(actsp, DP_ACTION_SET_TCP, key, mask);
}

int
dp_actions_add_set_udp(struct dp_actions **actsp,
                       const struct rewrite_ports *key,
                       const struct rewrite_ports *mask)
{
    return add_set_ports(actsp, DP_ACTION_SET_UDP, key, mask);
}

int
dp_actions_add_set_sctp(struct dp_actions **actsp,
                        const struct rewrite_ports *key,
                        const struct rewrite_ports *mask)
{
    return add_set_ports(actsp, DP_ACTION_SET_SCTP, key, mask);
}

int
dp_actions_add_push_vlan(struct dp_actions **actsp, uint16_t tpid,
                         uint16_t tci)
{
    struct dp_action_push_vlan a = {
        .hdr = DP_HDR(DP_ACTION_PUSH_VLAN, a),
        .tpid = htons(tpid),
        .tci = htons(tci),
    };
    return dp_actions_append(actsp, &a, sizeof a);
}

int
dp_actions_add_pop_vlan(struct dp_actions **actsp)
{
    struct dp_action a = DP_HDR(DP_ACTION_POP_VLAN, a);
    return dp_actions_append(actsp, &a, sizeof a);
}

int
dp_actions_add_push_mpls(struct dp_actions **actsp, uint32_t lse,
                         uint16_t eth_type)
{
    struct dp_action_push_mpls a = {
        .hdr = DP_HDR(DP_ACTION_PUSH_MPLS, a),
        .lse = htonl(lse),
        .eth_type = htons(eth_type),
    };
    return dp_actions_append(actsp, &a, sizeof a);
}

int
dp_actions_add_pop_mpls(struct dp_actions **actsp, uint16_t eth_type)
{
    struct dp_action_pop_mpls a = {
        .hdr = DP_HDR(DP_ACTION_POP_MPLS, a),
        .eth_type = htons(eth_type),
    };
    return dp_actions_append(actsp, &a, sizeof a);
}

int
dp_actions_add_set_mpls(struct dp_actions **actsp, uint32_t lse,
                        uint32_t mask)
{
    struct dp_action_set_mpls a = {
        .hdr = DP_HDR(DP_ACTION_SET_MPLS, a),
        .key = htonl(lse & mask),
        .mask = htonl(mask),
    };
    return dp_actions_append(actsp, &a, sizeof a);
}

int
dp_actions_add_userspace(struct dp_actions **actsp, uint32_t cookie)
{
    struct dp_action_userspace a = {
        .hdr = DP_HDR(DP_ACTION_USERSPACE, a),
        .cookie = cookie,
    };
    return dp_actions_append(actsp, &a, sizeof a);
}

int
dp_actions_add_recirc(struct dp_actions **actsp, uint32_t recirc_id)
{
    struct dp_action_recirc a = {
        .hdr = DP_HDR(DP_ACTION_RECIRC, a),
        .recirc_id = recirc_id,
    };
    return dp_actions_append(actsp, &a, sizeof a);
}

/* ---- Checking. */

static size_t
action_size(uint16_t type)
{
    switch (type) {
    case DP_ACTION_OUTPUT:
        return sizeof(struct dp_action_output);
    case DP_ACTION_SET_ETH:
        return sizeof(struct dp_action_set_eth);
    case DP_ACTION_SET_IPV4:
        return sizeof(struct dp_action_set_ipv4);
    case DP_ACTION_SET_IPV6:
        return sizeof(struct dp_action_set_ipv6);
    case DP_ACTION_SET_TCP:
    case DP_ACTION_SET_UDP:
    case DP_ACTION_SET_SCTP:
        return sizeof(struct dp_action_set_ports);
    case DP_ACTION_PUSH_VLAN:
        return sizeof(struct dp_action_push_vlan);
    case DP_ACTION_POP_VLAN:
        return sizeof(struct dp_action);
    case DP_ACTION_USERSPACE:
        return sizeof(struct dp_action_userspace);
    case DP_ACTION_RECIRC:
        return sizeof(struct dp_action_recirc);
    case DP_ACTION_PUSH_MPLS:
        return sizeof(struct dp_action_push_mpls);
    case DP_ACTION_POP_MPLS:
        return sizeof(struct dp_action_pop_mpls);
    case DP_ACTION_SET_MPLS:
        return sizeof(struct dp_action_set_mpls);
    default:
        return 0;
    }
}

int
dp_actions_validate(const struct dp_actions *acts)
{
    size_t off = 0;
    while (off < acts->size) {
        const struct dp_action *a = (const void *) (acts->data + off);
        if (acts->size - off < sizeof *a || a->len < sizeof *a
            || a->len % 4 || a->len > acts->size - off
            || a->len != action_size(a->type)) {
            return -EINVAL;
        }
        if (a->type == DP_ACTION_SET_IPV6) {
            const struct dp_action_set_ipv6 *s = (const void *) a;
            if (ntohl(s->mask.label) & ~0xfffffu) {
                return -EINVAL;
            }
        } else if (a->type == DP_ACTION_PUSH_VLAN) {
            uint16_t tpid = ntohs(((const struct dp_action_push_vlan *)
                                   a)->tpid);
            if (tpid != 0x8100 && tpid != 0x88a8) {
                return -EINVAL;
            }
        } else if (a->type == DP_ACTION_PUSH_MPLS) {
            uint16_t type = ntohs(((const struct dp_action_push_mpls *)
                                   a)->eth_type);
            if (type != 0x8847 && type != 0x8848) {
                return -EINVAL;
            }
        } else if (a->type == DP_ACTION_SET_MPLS) {
            const struct dp_action_set_mpls *m = (const void *) a;
            if (m->key & ~m->mask) {
                return -EINVAL;
            }
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

/* ---- Text form. */

static bool
is_zero(const void *p_, size_t n)
{
    const uint8_t *p = p_;
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static bool
is_ones(const void *p_, size_t n)
{
    const uint8_t *p = p_;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0xff) {
            return false;
        }
    }
    return true;
}

static void
put_mac(struct dstr *s, const uint8_t *m)
{
    dstr_printf(s, "%02x:%02x:%02x:%02x:%02x:%02x",
                m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void
put_addr(struct dstr *s, int af, const void *a)
{
    char buf[INET6_ADDRSTRLEN];
    dstr_put(s, inet_ntop(af, a, buf, sizeof buf) ? buf : "?");
}

/* How a field's value and mask print. */
enum fmt_kind { FMT_MAC, FMT_IP4, FMT_IP6, FMT_DEC, FMT_HEX };

/* Appends "name=value[/mask]" if 'mask' is not zero.  For FMT_DEC and
 * FMT_HEX, 'key' and 'mask' are host-order numbers and 'full' the
 * field's all-ones value. */
static void
put_field(struct dstr *s, const char **sep, const char *name,
          enum fmt_kind kind, const void *key, const void *mask, size_t n,
          uint32_t full)
{
    uint32_t k = 0, m = 0;
    if (kind == FMT_DEC || kind == FMT_HEX) {
        k = *(const uint32_t *) key;
        m = *(const uint32_t *) mask;
        if (!m) {
            return;
        }
    } else if (is_zero(mask, n)) {
        return;
    }
    dstr_printf(s, "%s%s=", *sep, name);
    *sep = ",";
    switch (kind) {
    case FMT_MAC:
        put_mac(s, key);
        if (!is_ones(mask, n)) {
            dstr_put(s, "/");
            put_mac(s, mask);
        }
        break;
    case FMT_IP4:
    case FMT_IP6:
        put_addr(s, kind == FMT_IP4 ? AF_INET : AF_INET6, key);
        if (!is_ones(mask, n)) {
            dstr_put(s, "/");
            put_addr(s, kind == FMT_IP4 ? AF_INET : AF_INET6, mask);
        }
        break;
    case FMT_DEC:
    case FMT_HEX:
        dstr_printf(s, kind == FMT_DEC ? "%u" : "%#x", k);
        if (m != full) {
            dstr_printf(s, "/%#x", m);
        }
        break;
    }
}

static void
put_num(struct dstr *s, const char **sep, const char *name,
        enum fmt_kind kind, uint32_t key, uint32_t mask, uint32_t full)
{
    put_field(s, sep, name, kind, &key, &mask, 0, full);
}

static void
format_set(const struct dp_action *a, struct dstr *s)
{
    const char *sep = "";
    switch (a->type) {
    case DP_ACTION_SET_ETH: {
        const struct dp_action_set_eth *e = (const void *) a;
        dstr_put(s, "set(eth(");
        put_field(s, &sep, "src", FMT_MAC, e->key.src, e->mask.src, 6, 0);
        put_field(s, &sep, "dst", FMT_MAC, e->key.dst, e->mask.dst, 6, 0);
        break;
    }
    case DP_ACTION_SET_IPV4: {
        const struct dp_action_set_ipv4 *e = (const void *) a;
        dstr_put(s, "set(ipv4(");
        put_field(s, &sep, "src", FMT_IP4, &e->key.src, &e->mask.src, 4, 0);
        put_field(s, &sep, "dst", FMT_IP4, &e->key.dst, &e->mask.dst, 4, 0);
        put_num(s, &sep, "tos", FMT_HEX, e->key.tos, e->mask.tos, 0xff);
        put_num(s, &sep, "ttl", FMT_DEC, e->key.ttl, e->mask.ttl, 0xff);
        break;
    }
    case DP_ACTION_SET_IPV6: {
        const struct dp_action_set_ipv6 *e = (const void *) a;
        dstr_put(s, "set(ipv6(");
        put_field(s, &sep, "src", FMT_IP6, e->key.src, e->mask.src, 16, 0);
        put_field(s, &sep, "dst", FMT_IP6, e->key.dst, e->mask.dst, 16, 0);
        put_num(s, &sep, "label", FMT_HEX, ntohl(e->key.label),
                ntohl(e->mask.label), 0xfffff);
        put_num(s, &sep, "tclass", FMT_HEX, e->key.tclass, e->mask.tclass,
                0xff);
        put_num(s, &sep, "hlimit", FMT_DEC, e->key.hlimit, e->mask.hlimit,
                0xff);
        break;
    }
    default: {
        const struct dp_action_set_ports *e = (const void *) a;
        dstr_printf(s, "set(%s(", a->type == DP_ACTION_SET_TCP ? "tcp"
                                  : a->type == DP_ACTION_SET_UDP ? "udp"
                                  : "sctp");
        put_num(s, &sep, "src", FMT_DEC, ntohs(e->key.src),
                ntohs(e->mask.src), 0xffff);
        put_num(s, &sep, "dst", FMT_DEC, ntohs(e->key.dst),
                ntohs(e->mask.dst), 0xffff);
        break;
    }
    }
    dstr_put(s, "))");
}

/* The parts of a label stack entry, shift and width, in the order Open
 * vSwitch prints them. */
static const struct mpls_part {
    const char *name;
    unsigned int shift, bits;
} mpls_parts[] = {
    { "label", 12, 20 }, { "tc", 9, 3 }, { "ttl", 0, 8 }, { "bos", 8, 1 },
};
#define N_MPLS_PARTS (sizeof mpls_parts / sizeof mpls_parts[0])

/* "label=N,tc=N,ttl=N,bos=N" for the parts 'mask' has, "label=N/0xM" for
 * part of one. */
static void
format_mpls_lse(struct dstr *s, uint32_t lse, uint32_t mask)
{
    const char *sep = "";
    for (size_t i = 0; i < N_MPLS_PARTS; i++) {
        const struct mpls_part *p = &mpls_parts[i];
        uint32_t full = (1u << p->bits) - 1;
        uint32_t v = lse >> p->shift & full, m = mask >> p->shift & full;
        if (!m) {
            continue;
        }
        dstr_printf(s, "%s%s=%u", sep, p->name, v);
        if (m != full) {
            dstr_printf(s, "/%#x", m);
        }
        sep = ",";
    }
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
        switch (a->type) {
        case DP_ACTION_OUTPUT: {
            uint32_t p = ((const struct dp_action_output *) a)->port_no;
            const char *name = port_name ? port_name(p, aux) : NULL;
            if (name) {
                dstr_put(s, name);
            } else {
                dstr_printf(s, "%u", p);
            }
            break;
        }
        case DP_ACTION_SET_ETH:
        case DP_ACTION_SET_IPV4:
        case DP_ACTION_SET_IPV6:
        case DP_ACTION_SET_TCP:
        case DP_ACTION_SET_UDP:
        case DP_ACTION_SET_SCTP:
            format_set(a, s);
            break;
        case DP_ACTION_PUSH_VLAN: {
            const struct dp_action_push_vlan *v = (const void *) a;
            uint16_t tpid = ntohs(v->tpid), tci = ntohs(v->tci);
            dstr_put(s, "push_vlan(");
            if (tpid != 0x8100) {
                dstr_printf(s, "tpid=%#x,", tpid);
            }
            dstr_printf(s, "vid=%u,pcp=%u", tci & 0xfff, tci >> 13);
            if (tci & 0x1000) {
                dstr_put(s, ",cfi=1");
            }
            dstr_put(s, ")");
            break;
        }
        case DP_ACTION_POP_VLAN:
            dstr_put(s, "pop_vlan");
            break;
        case DP_ACTION_PUSH_MPLS: {
            const struct dp_action_push_mpls *m = (const void *) a;
            dstr_put(s, "push_mpls(");
            format_mpls_lse(s, ntohl(m->lse), UINT32_MAX);
            dstr_printf(s, ",eth_type=%#x)", ntohs(m->eth_type));
            break;
        }
        case DP_ACTION_POP_MPLS:
            dstr_printf(s, "pop_mpls(eth_type=%#x)",
                        ntohs(((const struct dp_action_pop_mpls *)
                               a)->eth_type));
            break;
        case DP_ACTION_SET_MPLS: {
            const struct dp_action_set_mpls *m = (const void *) a;
            dstr_put(s, "set(mpls(");
            format_mpls_lse(s, ntohl(m->key), ntohl(m->mask));
            dstr_put(s, "))");
            break;
        }
        case DP_ACTION_USERSPACE:
            dstr_printf(s, "userspace(pid=0,cookie=%#x)",
                        ((const struct dp_action_userspace *) a)->cookie);
            break;
        case DP_ACTION_RECIRC:
            dstr_printf(s, "recirc(%#x)",
                        ((const struct dp_action_recirc *) a)->recirc_id);
            break;
        default:
            dstr_printf(s, "unknown(%u)", a->type);
            break;
        }
    }
}

/* ---- Parsing the text form. */

struct parser {
    const char *p;
    struct dstr *err;
    dp_actions_port_lookup *lookup;
    void *aux;
};

static void
skip_ws(struct parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t') {
        ps->p++;
    }
}

static bool
eat(struct parser *ps, char c)
{
    skip_ws(ps);
    if (*ps->p == c) {
        ps->p++;
        return true;
    }
    return false;
}

static int
expect(struct parser *ps, char c)
{
    if (eat(ps, c)) {
        return 0;
    }
    dstr_printf(ps->err, "expected '%c' at \"%s\"\n", c, ps->p);
    return -EINVAL;
}

/* Copies into 'buf' the characters up to one of 'stop' (or the end).
 * Returns the length, or -EINVAL if empty or too long. */
static int
token(struct parser *ps, const char *stop, char *buf, size_t size)
{
    skip_ws(ps);
    size_t n = strcspn(ps->p, stop);
    while (n && (ps->p[n - 1] == ' ' || ps->p[n - 1] == '\t')) {
        n--;
    }
    if (!n || n >= size) {
        dstr_printf(ps->err, "%s at \"%s\"\n",
                    n ? "token too long" : "missing value", ps->p);
        return -EINVAL;
    }
    memcpy(buf, ps->p, n);
    buf[n] = '\0';
    ps->p += n;
    return (int) n;
}

/* A number in the flow syntax, as in matches (src/util/scan.h). */
static int
parse_u32(const char *s, uint32_t max, uint32_t *v)
{
    return scan_u32(s, SCAN_C, max, v);
}

/* An address, or as a mask also a prefix length. */
static int
parse_ip(const char *s, int af, bool is_mask, void *out)
{
    size_t n = af == AF_INET ? 4 : 16;
    uint32_t plen;
    if (is_mask && !strpbrk(s, ".:")) {
        /* A prefix length is decimal, as in matches. */
        if (scan_u32(s, 10, (uint32_t) n * 8, &plen)) {
            return -EINVAL;
        }
        uint8_t *m = out;
        for (size_t i = 0; i < n; i++, plen = plen > 8 ? plen - 8 : 0) {
            m[i] = (uint8_t) (plen >= 8 ? 0xff : 0xff00 >> plen);
        }
        return 0;
    }
    return inet_pton(af, s, out) == 1 ? 0 : -EINVAL;
}

/* One field of a set: where it goes and how it reads. */
struct set_field {
    const char *name;
    enum fmt_kind kind;
    size_t key_ofs;         /* In the action. */
    size_t mask_ofs;
    size_t size;            /* Bytes (1, 2, 4 numbers; addresses). */
    uint32_t max;           /* Numbers: the largest value. */
};

#define SF(NAME, KIND, STRUCT, FIELD, MAX)                                  \
    { NAME, KIND, offsetof(STRUCT, key.FIELD), offsetof(STRUCT, mask.FIELD), \
      sizeof(((STRUCT *) 0)->key.FIELD), MAX }

static const struct set_field eth_fields[] = {
    SF("src", FMT_MAC, struct dp_action_set_eth, src, 0),
    SF("dst", FMT_MAC, struct dp_action_set_eth, dst, 0),
    { NULL, 0, 0, 0, 0, 0 },
};
static const struct set_field ipv4_fields[] = {
    SF("src", FMT_IP4, struct dp_action_set_ipv4, src, 0),
    SF("dst", FMT_IP4, struct dp_action_set_ipv4, dst, 0),
    SF("tos", FMT_HEX, struct dp_action_set_ipv4, tos, 0xff),
    SF("ttl", FMT_DEC, struct dp_action_set_ipv4, ttl, 0xff),
    { NULL, 0, 0, 0, 0, 0 },
};
static const struct set_field ipv6_fields[] = {
    SF("src", FMT_IP6, struct dp_action_set_ipv6, src, 0),
    SF("dst", FMT_IP6, struct dp_action_set_ipv6, dst, 0),
    SF("label", FMT_HEX, struct dp_action_set_ipv6, label, 0xfffff),
    SF("tclass", FMT_HEX, struct dp_action_set_ipv6, tclass, 0xff),
    SF("hlimit", FMT_DEC, struct dp_action_set_ipv6, hlimit, 0xff),
    { NULL, 0, 0, 0, 0, 0 },
};
static const struct set_field port_fields[] = {
    SF("src", FMT_DEC, struct dp_action_set_ports, src, 0xffff),
    SF("dst", FMT_DEC, struct dp_action_set_ports, dst, 0xffff),
    { NULL, 0, 0, 0, 0, 0 },
};

/* Stores number 'v' in network order in a field of 'size' bytes. */
static void
store_num(uint8_t *p, size_t size, uint32_t v)
{
    if (size == 1) {
        *p = (uint8_t) v;
    } else if (size == 2) {
        uint16_t x = htons((uint16_t) v);
        memcpy(p, &x, 2);
    } else {
        uint32_t x = htonl(v);
        memcpy(p, &x, 4);
    }
}

static int
parse_field_value(const struct set_field *f, const char *s, bool is_mask,
                  uint8_t *out)
{
    uint32_t v;
    switch (f->kind) {
    case FMT_MAC:
        return scan_mac(s, out);
    case FMT_IP4:
        return parse_ip(s, AF_INET, is_mask, out);
    case FMT_IP6:
        return parse_ip(s, AF_INET6, is_mask, out);
    default:
        if (parse_u32(s, f->max, &v)) {
            return -EINVAL;
        }
        store_num(out, f->size, v);
        return 0;
    }
}

static int parse_set_mpls(struct parser *, struct dp_actions **);

/* "NAME(field=value[/mask],...)" inside "set(...)". */
static int
parse_set(struct parser *ps, struct dp_actions **actsp)
{
    static const struct {
        const char *name;
        uint16_t type;
        const struct set_field *fields;
    } kinds[] = {
        { "eth", DP_ACTION_SET_ETH, eth_fields },
        { "ipv4", DP_ACTION_SET_IPV4, ipv4_fields },
        { "ipv6", DP_ACTION_SET_IPV6, ipv6_fields },
        { "tcp", DP_ACTION_SET_TCP, port_fields },
        { "udp", DP_ACTION_SET_UDP, port_fields },
        { "sctp", DP_ACTION_SET_SCTP, port_fields },
    };
    char name[16], value[64];
    if (token(ps, "(,) \t", name, sizeof name) < 0 || expect(ps, '(')) {
        return -EINVAL;
    }
    if (!strcmp(name, "mpls")) {
        return parse_set_mpls(ps, actsp);
    }
    size_t k;
    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (!strcmp(name, kinds[k].name)) {
            break;
        }
    }
    if (k == sizeof kinds / sizeof kinds[0]) {
        dstr_printf(ps->err, "cannot set \"%s\"\n", name);
        return -EINVAL;
    }
    uint8_t a[sizeof(struct dp_action_set_ipv6)];
    memset(a, 0, sizeof a);
    struct dp_action *hdr = (void *) a;
    hdr->type = kinds[k].type;
    hdr->len = (uint16_t) action_size(kinds[k].type);
    bool any = false;

    while (!eat(ps, ')')) {
        if (any && expect(ps, ',')) {
            return -EINVAL;
        }
        if (token(ps, "=,() \t", name, sizeof name) < 0
            || expect(ps, '=')) {
            return -EINVAL;
        }
        const struct set_field *f = kinds[k].fields;
        while (f->name && strcmp(f->name, name)) {
            f++;
        }
        if (!f->name) {
            dstr_printf(ps->err, "%s has no settable field \"%s\"\n",
                        kinds[k].name, name);
            return -EINVAL;
        }
        if (token(ps, "/,()", value, sizeof value) < 0) {
            return -EINVAL;
        }
        if (parse_field_value(f, value, false, a + f->key_ofs)) {
            goto bad_value;
        }
        if (eat(ps, '/')) {
            if (token(ps, ",()", value, sizeof value) < 0) {
                return -EINVAL;
            }
            if (parse_field_value(f, value, true, a + f->mask_ofs)) {
                goto bad_value;
            }
        } else if (f->kind == FMT_DEC || f->kind == FMT_HEX) {
            store_num(a + f->mask_ofs, f->size, f->max);
        } else {
            memset(a + f->mask_ofs, 0xff, f->size);
        }
        for (size_t i = 0; i < f->size; i++) {
            a[f->key_ofs + i] &= a[f->mask_ofs + i];
        }
        any = true;
        continue;
bad_value:
        dstr_printf(ps->err, "bad value \"%s\" for %s(%s)\n", value,
                    kinds[k].name, f->name);
        return -EINVAL;
    }
    /* All masks 0 ("src=10.0.0.0/0") sets nothing either, and would
     * print as the unparsable "set(ipv4())". */
    bool sets = false;
    for (const struct set_field *f = kinds[k].fields; f->name; f++) {
        sets = sets || !is_zero(a + f->mask_ofs, f->size);
    }
    if (!sets) {
        dstr_printf(ps->err, "set(%s()) sets nothing\n", kinds[k].name);
        return -EINVAL;
    }
    if (expect(ps, ')')) {
        return -EINVAL;
    }
    return dp_actions_append(actsp, a, hdr->len);
}

/* "key=value,..." up to ')': each key in 'keys' (NULL-terminated) at most
 * once, numbers up to 'max'. */
static int
parse_kv(struct parser *ps, const char *what, const char *const keys[],
         const uint32_t max[], uint32_t vals[], bool seen[])
{
    char name[16], value[32];
    bool first = true;
    while (!eat(ps, ')')) {
        if (!first && expect(ps, ',')) {
            return -EINVAL;
        }
        first = false;
        if (token(ps, "=,() \t", name, sizeof name) < 0
            || expect(ps, '=') || token(ps, ",()", value, sizeof value) < 0) {
            return -EINVAL;
        }
        int i;
        for (i = 0; keys[i] && strcmp(keys[i], name); i++) {
            continue;
        }
        if (!keys[i] || seen[i]) {
            dstr_printf(ps->err, "%s: %s \"%s\"\n", what,
                        keys[i] ? "repeated" : "unknown key", name);
            return -EINVAL;
        }
        if (parse_u32(value, max[i], &vals[i])) {
            dstr_printf(ps->err, "%s: bad %s \"%s\"\n", what, name, value);
            return -EINVAL;
        }
        seen[i] = true;
    }
    return 0;
}

static int
parse_push_vlan(struct parser *ps, struct dp_actions **actsp)
{
    static const char *const keys[] = { "tpid", "vid", "pcp", "cfi", NULL };
    static const uint32_t max[] = { 0xffff, 0xfff, 7, 1 };
    uint32_t v[4] = { 0x8100, 0, 0, 0 };
    bool seen[4] = { false };
    if (parse_kv(ps, "push_vlan", keys, max, v, seen)) {
        return -EINVAL;
    }
    if (v[0] != 0x8100 && v[0] != 0x88a8) {
        dstr_printf(ps->err, "push_vlan: tpid must be 0x8100 or 0x88a8\n");
        return -EINVAL;
    }
    return dp_actions_add_push_vlan(actsp, (uint16_t) v[0],
                                    (uint16_t) (v[2] << 13 | v[3] << 12
                                                | v[1]));
}

static int
parse_push_mpls(struct parser *ps, struct dp_actions **actsp)
{
    static const char *const keys[] = {
        "label", "tc", "ttl", "bos", "eth_type", NULL,
    };
    static const uint32_t max[] = { 0xfffff, 7, 0xff, 1, 0xffff };
    uint32_t v[5] = { 0, 0, 0, 0, 0 };
    bool seen[5] = { false };
    if (parse_kv(ps, "push_mpls", keys, max, v, seen)) {
        return -EINVAL;
    }
    if (v[4] != 0x8847 && v[4] != 0x8848) {
        dstr_printf(ps->err, "push_mpls: eth_type must be 0x8847 or "
                    "0x8848\n");
        return -EINVAL;
    }
    return dp_actions_add_push_mpls(actsp, v[0] << 12 | v[1] << 9
                                           | v[3] << 8 | v[2],
                                    (uint16_t) v[4]);
}

static int
parse_pop_mpls(struct parser *ps, struct dp_actions **actsp)
{
    static const char *const keys[] = { "eth_type", NULL };
    static const uint32_t max[] = { 0xffff };
    uint32_t v[1] = { 0 };
    bool seen[1] = { false };
    if (parse_kv(ps, "pop_mpls", keys, max, v, seen)) {
        return -EINVAL;
    }
    if (!seen[0]) {
        dstr_printf(ps->err, "pop_mpls needs eth_type\n");
        return -EINVAL;
    }
    return dp_actions_add_pop_mpls(actsp, (uint16_t) v[0]);
}

/* "label=N[/M],tc=...)" inside "set(mpls(", up to its ')'. */
static int
parse_set_mpls(struct parser *ps, struct dp_actions **actsp)
{
    uint32_t lse = 0, mask = 0;
    char name[16], value[32];
    bool first = true;
    while (!eat(ps, ')')) {
        if (!first && expect(ps, ',')) {
            return -EINVAL;
        }
        first = false;
        if (token(ps, "=,() \t", name, sizeof name) < 0
            || expect(ps, '=') || token(ps, "/,()", value, sizeof value) < 0) {
            return -EINVAL;
        }
        const struct mpls_part *p = mpls_parts;
        while (p < mpls_parts + N_MPLS_PARTS && strcmp(p->name, name)) {
            p++;
        }
        if (p == mpls_parts + N_MPLS_PARTS) {
            dstr_printf(ps->err, "mpls has no settable field \"%s\"\n",
                        name);
            return -EINVAL;
        }
        uint32_t full = (1u << p->bits) - 1, v, m = full;
        if (parse_u32(value, full, &v)
            || (eat(ps, '/') && (token(ps, ",()", value, sizeof value) < 0
                                 || parse_u32(value, full, &m)))) {
            dstr_printf(ps->err, "bad value \"%s\" for mpls(%s)\n", value,
                        name);
            return -EINVAL;
        }
        if (mask & full << p->shift) {
            dstr_printf(ps->err, "mpls: repeated %s\n", name);
            return -EINVAL;
        }
        lse |= (v & m) << p->shift;
        mask |= m << p->shift;
    }
    if (!mask) {
        dstr_put(ps->err, "set(mpls()) sets nothing\n");
        return -EINVAL;
    }
    if (expect(ps, ')')) {
        return -EINVAL;
    }
    return dp_actions_add_set_mpls(actsp, lse, mask);
}

static int
parse_userspace(struct parser *ps, struct dp_actions **actsp)
{
    static const char *const keys[] = { "pid", "cookie", NULL };
    static const uint32_t max[] = { UINT32_MAX, UINT32_MAX };
    uint32_t v[2] = { 0, 0 };
    bool seen[2] = { false };
    if (parse_kv(ps, "userspace", keys, max, v, seen)) {
        return -EINVAL;
    }
    return dp_actions_add_userspace(actsp, v[1]);
}

static int
parse_port(struct parser *ps, const char *word, struct dp_actions **actsp)
{
    uint32_t port_no;
    /* A number, else a name (which may start with a digit). */
    if (parse_u32(word, UINT32_MAX, &port_no)
        && (!ps->lookup || ps->lookup(word, &port_no, ps->aux))) {
        dstr_printf(ps->err, "unknown action or port \"%s\"\n", word);
        return -EINVAL;
    }
    return dp_actions_add_output(actsp, port_no);
}

static int
parse_action(struct parser *ps, struct dp_actions **actsp)
{
    char word[64];
    uint32_t v;

    if (token(ps, "(), \t", word, sizeof word) < 0) {
        return -EINVAL;
    }
    if (eat(ps, '(')) {
        if (!strcmp(word, "set")) {
            return parse_set(ps, actsp);
        } else if (!strcmp(word, "push_vlan")) {
            return parse_push_vlan(ps, actsp);
        } else if (!strcmp(word, "push_mpls")) {
            return parse_push_mpls(ps, actsp);
        } else if (!strcmp(word, "pop_mpls")) {
            return parse_pop_mpls(ps, actsp);
        } else if (!strcmp(word, "userspace")) {
            return parse_userspace(ps, actsp);
        } else if (!strcmp(word, "recirc")) {
            char value[32];
            if (token(ps, ")", value, sizeof value) < 0
                || parse_u32(value, UINT32_MAX, &v)) {
                dstr_printf(ps->err, "recirc needs a 32-bit id\n");
                return -EINVAL;
            }
            return expect(ps, ')') ? -EINVAL
                                   : dp_actions_add_recirc(actsp, v);
        }
        dstr_printf(ps->err, "unknown action \"%s(\"\n", word);
        return -EINVAL;
    }
    if (!strcmp(word, "pop_vlan")) {
        return dp_actions_add_pop_vlan(actsp);
    }
    if (!strncmp(word, "output:", 7) && word[7]) {
        return parse_port(ps, word + 7, actsp);
    }
    return parse_port(ps, word, actsp);
}

int
dp_actions_parse(const char *s, struct dp_actions **actsp,
                 dp_actions_port_lookup *lookup, void *aux, struct dstr *err)
{
    struct parser ps = { .p = s, .err = err, .lookup = lookup, .aux = aux };
    struct dp_actions *acts = dp_actions_new();
    int error = 0;

    *actsp = NULL;
    if (!acts) {
        dstr_put(err, "out of memory\n");
        return -ENOMEM;
    }
    skip_ws(&ps);
    if (!strncmp(ps.p, "actions:", 8)) {
        ps.p += 8;
    }
    skip_ws(&ps);
    if (!strncmp(ps.p, "drop", 4)
        && ps.p[4 + strspn(ps.p + 4, " \t")] == '\0') {
        /* The empty list. */
    } else if (!*ps.p) {
        dstr_put(err, "no actions (use \"drop\")\n");
        error = -EINVAL;
    } else {
        do {
            error = parse_action(&ps, &acts);
            if (error == -ENOMEM) {
                dstr_put(err, "out of memory\n");
            }
        } while (!error && eat(&ps, ','));
        skip_ws(&ps);
        if (!error && *ps.p) {
            dstr_printf(err, "unexpected \"%s\"\n", ps.p);
            error = -EINVAL;
        }
    }
    if (error) {
        free(acts);
        return error;
    }
    *actsp = acts;
    return 0;
}

/* ---- Execution. */

static inline const struct dp_action *
next_action(const struct dp_action *a)
{
    return (const void *) ((const uint8_t *) a + a->len);
}

static inline bool
takes_packet(uint16_t type)
{
    return type == DP_ACTION_OUTPUT || type == DP_ACTION_USERSPACE
           || type == DP_ACTION_RECIRC;
}

/* Would a packet shared at 'a' be changed later?  By a rewrite before
 * 'last' (the last action that takes the packet), or by 'last' itself
 * if it is a hook, which may change what it owns. */
static bool
changed_later(const struct dp_action *a, const struct dp_action *last)
{
    do {
        a = next_action(a);
        if (!takes_packet(a->type)) {
            return true;
        }
    } while (a != last);
    return a->type != DP_ACTION_OUTPUT;
}

/* A copy of 'm' with its metadata, in its own pool. */
static struct rte_mbuf *
copy_packet(struct rte_mbuf *m)
{
    struct rte_mbuf *c = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
    if (likely(c)) {
        *packet_meta(c) = *packet_meta(m);
    }
    return c;
}

/* Copies the 'n' packets of 'pkts' into 'copies'.  Returns how many. */
static uint32_t
copy_packets(struct rte_mbuf **pkts, uint32_t n, struct rte_mbuf **copies)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        struct rte_mbuf *c = copy_packet(pkts[i]);
        if (likely(c)) {
            copies[k++] = c;
        }
    }
    return k;
}

static inline void
shift_offsets(struct flow_offsets *ofs, int d)
{
    if (ofs->l2_5 != FLOW_OFS_NONE) {
        ofs->l2_5 = (uint16_t) (ofs->l2_5 + d);
    }
    if (ofs->l3 != FLOW_OFS_NONE) {
        ofs->l3 = (uint16_t) (ofs->l3 + d);
    }
    if (ofs->l4 != FLOW_OFS_NONE) {
        ofs->l4 = (uint16_t) (ofs->l4 + d);
    }
}

/* Where the Ethernet header and its VLAN tags end in the frame 'p' ('len'
 * bytes): the offset of what follows the last Ethertype; 0 if the frame
 * ends first. */
static size_t
l2_end(const uint8_t *p, size_t len)
{
    size_t at = 14;
    while (at <= len
           && ((p[at - 2] == 0x81 && p[at - 1] == 0x00)
               || (p[at - 2] == 0x88 && p[at - 1] == 0xa8))) {
        at += 4;
    }
    return at <= len ? at : 0;
}

/* Applies one rewrite to packet 'm'.  Returns false if the packet must be
 * dropped. */
static bool
rewrite_packet(const struct dp_action *a, struct rte_mbuf *m)
{
    struct packet_meta *md = packet_meta(m);
    uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
    size_t len = m->data_len;

    md->hash = 0;
    flow_offsets_resolve(p, len, &md->ofs);
    switch (a->type) {
    case DP_ACTION_SET_ETH: {
        const struct dp_action_set_eth *s = (const void *) a;
        rewrite_set_eth(p, len, &s->key, &s->mask);
        break;
    }
    case DP_ACTION_SET_IPV4: {
        const struct dp_action_set_ipv4 *s = (const void *) a;
        rewrite_set_ipv4(p, len, &md->ofs, &s->key, &s->mask);
        break;
    }
    case DP_ACTION_SET_IPV6: {
        const struct dp_action_set_ipv6 *s = (const void *) a;
        rewrite_set_ipv6(p, len, &md->ofs, &s->key, &s->mask);
        break;
    }
    case DP_ACTION_SET_SCTP:
        /* The CRC covers the whole SCTP packet: make it contiguous. */
        if (unlikely(m->nb_segs > 1)) {
            if (rte_pktmbuf_linearize(m)) {
                return false;
            }
            p = rte_pktmbuf_mtod(m, uint8_t *);
            len = m->data_len;
        }
        /* Fall through. */
    case DP_ACTION_SET_TCP:
    case DP_ACTION_SET_UDP: {
        static const uint8_t protos[] = { 6, 17, 132 };
        const struct dp_action_set_ports *s = (const void *) a;
        rewrite_set_ports(p, len, &md->ofs,
                          protos[a->type - DP_ACTION_SET_TCP],
                          &s->key, &s->mask);
        break;
    }
    case DP_ACTION_PUSH_VLAN: {
        const struct dp_action_push_vlan *v = (const void *) a;
        if (unlikely(len < 12)) {
            break;
        }
        p = (uint8_t *) rte_pktmbuf_prepend(m, 4);
        if (unlikely(!p)) {
            return false;
        }
        memmove(p, p + 4, 12);
        memcpy(p + 12, &v->tpid, 2);
        memcpy(p + 14, &v->tci, 2);
        shift_offsets(&md->ofs, 4);
        break;
    }
    case DP_ACTION_POP_VLAN:
        if (len >= 18 && ((p[12] == 0x81 && p[13] == 0x00)
                          || (p[12] == 0x88 && p[13] == 0xa8))) {
            memmove(p + 4, p, 12);
            rte_pktmbuf_adj(m, 4);
            shift_offsets(&md->ofs, -4);
        }
        break;
    case DP_ACTION_PUSH_MPLS: {
        const struct dp_action_push_mpls *v = (const void *) a;
        size_t at = l2_end(p, len);
        if (unlikely(!at)) {
            break;
        }
        p = (uint8_t *) rte_pktmbuf_prepend(m, 4);
        if (unlikely(!p)) {
            return false;
        }
        memmove(p, p + 4, at);
        memcpy(p + at - 2, &v->eth_type, 2);
        memcpy(p + at, &v->lse, 4);
        shift_offsets(&md->ofs, 4);
        md->ofs.l2_5 = (uint16_t) at;
        break;
    }
    case DP_ACTION_POP_MPLS: {
        const struct dp_action_pop_mpls *v = (const void *) a;
        size_t at = l2_end(p, len);
        if (at && len >= at + 4 && p[at - 2] == 0x88
            && (p[at - 1] == 0x47 || p[at - 1] == 0x48)) {
            memmove(p + 4, p, at);
            p = (uint8_t *) rte_pktmbuf_adj(m, 4);
            memcpy(p + at - 2, &v->eth_type, 2);
            /* What was below the entry is parsed again when needed. */
            md->ofs.l2_5 = FLOW_OFS_UNPARSED;
        }
        break;
    }
    case DP_ACTION_SET_MPLS: {
        const struct dp_action_set_mpls *v = (const void *) a;
        size_t at = md->ofs.l2_5;
        if (at != FLOW_OFS_NONE && at + 4 <= len) {
            uint32_t lse;
            memcpy(&lse, p + at, 4);
            lse = (lse & ~v->mask) | v->key;
            memcpy(p + at, &lse, 4);
        }
        break;
    }
    default:
        break;
    }
    return true;
}

/* Executes 'acts' on at most DP_EXEC_BATCH packets. */
static uint32_t
execute_batch(struct dp_exec_ctx *ctx, struct rte_mbuf **in, uint32_t n,
              const struct dp_actions *acts)
{
    struct rte_mbuf *pkts[DP_EXEC_BATCH];
    struct rte_mbuf *copies[DP_EXEC_BATCH];
    const struct dp_action *first = (const void *) acts->data;
    const struct dp_action *end = (const void *) (acts->data + acts->size);
    const struct dp_action *last = NULL;
    uint32_t dropped = 0;

    for (const struct dp_action *a = first; a < end; a = next_action(a)) {
        if (takes_packet(a->type)) {
            last = a;
        }
    }
    if (!last) {
        rte_pktmbuf_free_bulk(in, n);
        return n;
    }
    memcpy(pkts, in, n * sizeof *pkts);

    for (const struct dp_action *a = first; ; a = next_action(a)) {
        switch (a->type) {
        case DP_ACTION_OUTPUT: {
            uint32_t port_no = ((const struct dp_action_output *) a)->port_no;
            if (a == last) {
                tx_enqueue(ctx->tx, port_no, pkts, n);
                return dropped;
            }
            if (changed_later(a, last)) {
                uint32_t k = copy_packets(pkts, n, copies);
                dropped += n - k;
                tx_enqueue(ctx->tx, port_no, copies, k);
            } else {
                for (uint32_t i = 0; i < n; i++) {
                    rte_mbuf_refcnt_update(pkts[i], 1);
                }
                tx_enqueue(ctx->tx, port_no, pkts, n);
            }
            break;
        }
        case DP_ACTION_USERSPACE: {
            uint32_t cookie = ((const struct dp_action_userspace *) a)->cookie;
            struct rte_mbuf **give = pkts;
            uint32_t k = n;
            if (a != last) {
                k = copy_packets(pkts, n, copies);
                dropped += n - k;
                give = copies;
            }
            if (ctx->userspace) {
                for (uint32_t i = 0; i < k; i++) {
                    ctx->userspace(ctx, give[i], cookie);
                }
            } else {
                rte_pktmbuf_free_bulk(give, k);
                dropped += k;
            }
            if (a == last) {
                return dropped;
            }
            break;
        }
        case DP_ACTION_RECIRC: {
            uint32_t id = ((const struct dp_action_recirc *) a)->recirc_id;
            struct rte_mbuf **give = pkts;
            uint32_t k = n;
            if (a != last) {
                k = copy_packets(pkts, n, copies);
                dropped += n - k;
                give = copies;
            }
            for (uint32_t i = 0; i < k; i++) {
                packet_meta(give[i])->recirc_id = id;
            }
            if (ctx->recirc) {
                ctx->recirc(ctx, give, k, id);
            } else {
                rte_pktmbuf_free_bulk(give, k);
                dropped += k;
            }
            if (a == last) {
                return dropped;
            }
            break;
        }
        default: {
            /* A rewrite.  Nobody else holds these packets now. */
            uint32_t k = 0;
            for (uint32_t i = 0; i < n; i++) {
                if (likely(rewrite_packet(a, pkts[i]))) {
                    pkts[k++] = pkts[i];
                } else {
                    rte_pktmbuf_free(pkts[i]);
                }
            }
            dropped += n - k;
            n = k;
            break;
        }
        }
    }
}

uint32_t
dp_actions_execute(struct dp_exec_ctx *ctx, struct rte_mbuf **pkts,
                   uint32_t n, const struct dp_actions *acts)
{
    if (unlikely(!n)) {
        return 0;
    }
    if (unlikely(!acts || !acts->size)) {
        rte_pktmbuf_free_bulk(pkts, n);
        return n;
    }
    /* The common case: one output, nothing per packet. */
    const struct dp_action *a = (const void *) acts->data;
    if (likely(acts->size == sizeof(struct dp_action_output)
               && a->type == DP_ACTION_OUTPUT)) {
        tx_enqueue(ctx->tx, ((const struct dp_action_output *) a)->port_no,
                   pkts, n);
        return 0;
    }
    uint32_t dropped = 0;
    while (n) {
        uint32_t k = n < DP_EXEC_BATCH ? n : DP_EXEC_BATCH;
        dropped += execute_batch(ctx, pkts, k, acts);
        pkts += k;
        n -= k;
    }
    return dropped;
}
