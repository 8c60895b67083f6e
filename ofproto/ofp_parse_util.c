/* ofp_parse_util: tokenizer, field names and values for the ovs-ofctl
 * flow parser. */
#include "ofproto/ofp_parse_private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_print.h"
#include "src/util/dstr.h"
#include "src/util/scan.h"

bool
ofpp_next_kv(char **pos, char **key, char **value, char *delimp)
{
    char *p = *pos + strspn(*pos, ", \t\r\n");
    if (!*p) {
        *pos = p;
        return false;
    }
    *key = p;
    p += strcspn(p, ":=(, \t\r\n");
    char delim = *p;
    if (delimp) {
        *delimp = strchr(":=(", delim) && delim ? delim : '\0';
    }
    if (!delim) {
        *value = p;
        *pos = p;
        return true;
    }
    *p++ = '\0';
    if (delim != '=' && delim != ':' && delim != '(') {
        *value = p - 1;         /* The empty string. */
        *pos = p;
        return true;
    }
    /* The value ends at a separator outside parentheses, or, inside
     * "key(...)", at the ')' that closes it. */
    *value = p;
    int depth = 0;
    for (; *p; p++) {
        if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            if (!depth) {
                if (delim == '(') {
                    break;
                }
            } else {
                depth--;
            }
        } else if (!depth && delim != '(' && strchr(", \t\r\n", *p)) {
            break;
        }
    }
    if (*p) {
        *p++ = '\0';
    }
    *pos = p;
    return true;
}

int
ofpp_uint(const char *s, uint64_t max, uint64_t *v)
{
    return scan_uint(s, SCAN_C, max, v);
}

/* ---- Field names. ---- */

struct alias {
    const char *name;
    enum mf_id id;
};

/* Old names (ovs-ofctl's first syntax) and the NXM/OXM names that
 * ovs-fields(7) lists for the fields Sluice has. */
static const struct alias aliases[] = {
    { "dl_src", MF_ETH_SRC }, { "dl_dst", MF_ETH_DST },
    { "dl_type", MF_ETH_TYPE }, { "nw_src", MF_IPV4_SRC },
    { "nw_dst", MF_IPV4_DST }, { "ip_proto", MF_IP_PROTO },
    { "nw_frag", MF_IP_FRAG }, { "ip_ecn", MF_IP_ECN },
    { "ip_ttl", MF_IP_TTL }, { "tp_src", MF_TCP_SRC },
    { "tp_dst", MF_TCP_DST }, { "tunnel_id", MF_TUN_ID },
    { "tun_ipv4_src", MF_TUN_SRC }, { "tun_ipv4_dst", MF_TUN_DST },
    { "icmpv4_type", MF_ICMPV4_TYPE }, { "icmpv4_code", MF_ICMPV4_CODE },
    { "arp_sha", MF_ARP_SHA }, { "ipv6_nd_target", MF_ND_TARGET },
    { "NXM_OF_IN_PORT", MF_IN_PORT_NXM }, { "NXM_OF_ETH_DST", MF_ETH_DST },
    { "NXM_OF_ETH_SRC", MF_ETH_SRC }, { "NXM_OF_ETH_TYPE", MF_ETH_TYPE },
    { "NXM_OF_VLAN_TCI", MF_VLAN_TCI }, { "NXM_OF_IP_TOS", MF_NW_TOS },
    { "NXM_OF_IP_PROTO", MF_IP_PROTO }, { "NXM_OF_IP_SRC", MF_IPV4_SRC },
    { "NXM_OF_IP_DST", MF_IPV4_DST }, { "NXM_OF_TCP_SRC", MF_TCP_SRC },
    { "NXM_OF_TCP_DST", MF_TCP_DST }, { "NXM_OF_UDP_SRC", MF_UDP_SRC },
    { "NXM_OF_UDP_DST", MF_UDP_DST },
    { "NXM_OF_ICMP_TYPE", MF_ICMPV4_TYPE },
    { "NXM_OF_ICMP_CODE", MF_ICMPV4_CODE }, { "NXM_OF_ARP_OP", MF_ARP_OP },
    { "NXM_OF_ARP_SPA", MF_ARP_SPA }, { "NXM_OF_ARP_TPA", MF_ARP_TPA },
    { "NXM_NX_TUN_ID", MF_TUN_ID }, { "NXM_NX_TUN_IPV4_SRC", MF_TUN_SRC },
    { "NXM_NX_TUN_IPV4_DST", MF_TUN_DST }, { "NXM_NX_ARP_SHA", MF_ARP_SHA },
    { "NXM_NX_ARP_THA", MF_ARP_THA }, { "NXM_NX_IPV6_SRC", MF_IPV6_SRC },
    { "NXM_NX_IPV6_DST", MF_IPV6_DST },
    { "NXM_NX_IPV6_LABEL", MF_IPV6_LABEL },
    { "NXM_NX_ICMPV6_TYPE", MF_ICMPV6_TYPE },
    { "NXM_NX_ICMPV6_CODE", MF_ICMPV6_CODE },
    { "NXM_NX_ND_TARGET", MF_ND_TARGET }, { "NXM_NX_ND_SLL", MF_ND_SLL },
    { "NXM_NX_ND_TLL", MF_ND_TLL }, { "NXM_NX_IP_FRAG", MF_IP_FRAG },
    { "NXM_NX_IP_ECN", MF_IP_ECN }, { "NXM_NX_IP_TTL", MF_IP_TTL },
    { "NXM_NX_MPLS_TTL", MF_MPLS_TTL }, { "NXM_NX_TCP_FLAGS", MF_TCP_FLAGS },
    { "OXM_OF_IN_PORT", MF_IN_PORT }, { "OXM_OF_METADATA", MF_METADATA },
    { "OXM_OF_ETH_DST", MF_ETH_DST }, { "OXM_OF_ETH_SRC", MF_ETH_SRC },
    { "OXM_OF_ETH_TYPE", MF_ETH_TYPE }, { "OXM_OF_VLAN_VID", MF_VLAN_VID },
    { "OXM_OF_VLAN_PCP", MF_VLAN_PCP }, { "OXM_OF_IP_DSCP", MF_IP_DSCP },
    { "OXM_OF_IP_ECN", MF_IP_ECN }, { "OXM_OF_IP_PROTO", MF_IP_PROTO },
    { "OXM_OF_IPV4_SRC", MF_IPV4_SRC }, { "OXM_OF_IPV4_DST", MF_IPV4_DST },
    { "OXM_OF_TCP_SRC", MF_TCP_SRC }, { "OXM_OF_TCP_DST", MF_TCP_DST },
    { "OXM_OF_UDP_SRC", MF_UDP_SRC }, { "OXM_OF_UDP_DST", MF_UDP_DST },
    { "OXM_OF_SCTP_SRC", MF_SCTP_SRC }, { "OXM_OF_SCTP_DST", MF_SCTP_DST },
    { "OXM_OF_ICMPV4_TYPE", MF_ICMPV4_TYPE },
    { "OXM_OF_ICMPV4_CODE", MF_ICMPV4_CODE },
    { "OXM_OF_ARP_OP", MF_ARP_OP }, { "OXM_OF_ARP_SPA", MF_ARP_SPA },
    { "OXM_OF_ARP_TPA", MF_ARP_TPA }, { "OXM_OF_ARP_SHA", MF_ARP_SHA },
    { "OXM_OF_ARP_THA", MF_ARP_THA }, { "OXM_OF_IPV6_SRC", MF_IPV6_SRC },
    { "OXM_OF_IPV6_DST", MF_IPV6_DST },
    { "OXM_OF_IPV6_FLABEL", MF_IPV6_LABEL },
    { "OXM_OF_ICMPV6_TYPE", MF_ICMPV6_TYPE },
    { "OXM_OF_ICMPV6_CODE", MF_ICMPV6_CODE },
    { "OXM_OF_IPV6_ND_TARGET", MF_ND_TARGET },
    { "OXM_OF_IPV6_ND_SLL", MF_ND_SLL }, { "OXM_OF_IPV6_ND_TLL", MF_ND_TLL },
    { "OXM_OF_MPLS_LABEL", MF_MPLS_LABEL }, { "OXM_OF_MPLS_TC", MF_MPLS_TC },
    { "OXM_OF_MPLS_BOS", MF_MPLS_BOS }, { "OXM_OF_TUNNEL_ID", MF_TUN_ID },
};

const struct mf_field *
ofpp_field(const char *name)
{
    const struct mf_field *mf = mf_from_name(name);
    if (mf) {
        return mf;
    }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (!strcmp(aliases[i].name, name)) {
            return mf_from_id(aliases[i].id);
        }
    }
    /* NXM_NX_REGn. */
    if (!strncmp(name, "NXM_NX_REG", 10)) {
        uint64_t n;
        if (!scan_uint(name + 10, 10, OFP_N_REGS - 1, &n)) {
            return mf_from_id(MF_REG0 + (int) n);
        }
    }
    return NULL;
}

unsigned int
ofpp_field_bits(const struct mf_field *mf)
{
    if (mf->n_bytes > 8) {
        return 8u * mf->n_bytes;
    }
    return 64u - (unsigned int) __builtin_clzll(mf->valid);
}

/* ---- Values. ---- */

/* "a.b.c.d" or "a.b.c.d/N" or "a.b.c.d/m.m.m.m". */
static int
parse_ipv4(const char *s, const char *mask_s, uint8_t *v, uint8_t *m,
           const char *whole, struct dstr *err)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1) {
        dstr_printf(err, "%s: invalid IP address", whole);
        return -EINVAL;
    }
    memcpy(v, &a, 4);
    memset(m, 0xff, 4);
    if (!mask_s) {
        return 0;
    }
    if (strchr(mask_s, '.')) {
        if (inet_pton(AF_INET, mask_s, &a) != 1) {
            dstr_printf(err, "%s: invalid IP address", whole);
            return -EINVAL;
        }
        memcpy(m, &a, 4);
        return 0;
    }
    uint64_t bits;
    if (scan_uint(mask_s, 10, UINT64_MAX, &bits) || bits > 32) {
        dstr_printf(err, "%s: IPv4 network prefix bits not between 0 and "
                    "32, inclusive", whole);
        return -EINVAL;
    }
    ofp_set_be(m, 4, bits ? UINT32_MAX << (32 - bits) : 0);
    return 0;
}

static int
parse_ipv6(const char *s, const char *mask_s, uint8_t *v, uint8_t *m,
           const char *whole, struct dstr *err)
{
    if (inet_pton(AF_INET6, s, v) != 1) {
        dstr_printf(err, "%s: invalid IPv6 address", whole);
        return -EINVAL;
    }
    memset(m, 0xff, 16);
    if (!mask_s) {
        return 0;
    }
    if (strchr(mask_s, ':')) {
        if (inet_pton(AF_INET6, mask_s, m) != 1) {
            dstr_printf(err, "%s: invalid IPv6 address", whole);
            return -EINVAL;
        }
        return 0;
    }
    uint64_t bits;
    if (scan_uint(mask_s, 10, UINT64_MAX, &bits) || bits > 128) {
        dstr_printf(err, "%s: IPv6 network prefix bits not between 0 and "
                    "128, inclusive", whole);
        return -EINVAL;
    }
    memset(m, 0, 16);
    for (unsigned int i = 0; i < bits; i++) {
        m[i / 8] |= (uint8_t) (0x80 >> i % 8);
    }
    return 0;
}

static int
parse_int(const struct mf_field *mf, const char *s, const char *mask_s,
          uint8_t *v, uint8_t *m, const char *whole, struct dstr *err)
{
    uint64_t max = mf->n_bytes == 8 ? UINT64_MAX
                                    : (UINT64_C(1) << 8 * mf->n_bytes) - 1;
    uint64_t x, y = max;
    int e = ofpp_uint(s, UINT64_MAX, &x);
    if (!e && mask_s) {
        e = ofpp_uint(mask_s, UINT64_MAX, &y);
    }
    if (e) {
        dstr_printf(err, "%s: could not convert to integer", whole);
        return -EINVAL;
    }
    if (x > max) {
        dstr_printf(err, "%s: value too large for %d-byte field %s", whole,
                    mf->n_bytes, mf->name);
        return -EINVAL;
    }
    if (y > max) {
        dstr_printf(err, "%s: mask too large for %d-byte field %s", whole,
                    mf->n_bytes, mf->name);
        return -EINVAL;
    }
    ofp_set_be(v, mf->n_bytes, x);
    ofp_set_be(m, mf->n_bytes, y);
    return 0;
}

int
ofpp_field_value(const struct mf_field *mf, const char *s, bool allow_mask,
                 uint8_t *value, uint8_t *mask, struct dstr *err)
{
    char *copy = strdup(s);
    if (!copy) {
        abort();
    }
    char *mask_s = strchr(copy, '/');
    if (mask_s) {
        *mask_s++ = '\0';
    }
    int e = 0;
    if (mask_s && !allow_mask) {
        dstr_printf(err, "%s: field %s may not be set with a mask", s,
                    mf->name);
        e = -EINVAL;
    } else if (ofp_field_is_mac(mf->id)) {
        memset(mask, 0xff, 6);
        if (scan_mac(copy, value) || (mask_s && scan_mac(mask_s, mask))) {
            dstr_printf(err, "%s: invalid Ethernet address", s);
            e = -EINVAL;
        }
    } else if (ofp_field_is_ipv4(mf->id)) {
        e = parse_ipv4(copy, mask_s, value, mask, s, err);
    } else if (mf->n_bytes == 16) {
        e = parse_ipv6(copy, mask_s, value, mask, s, err);
    } else {
        e = parse_int(mf, copy, mask_s, value, mask, s, err);
    }
    free(copy);
    if (!e && mf->n_bytes <= 8) {
        /* The field's bits only ("no mask": all of them). */
        uint64_t w = 0;
        for (int i = 0; i < mf->n_bytes; i++) {
            w = w << 8 | mask[i];
        }
        ofp_set_be(mask, mf->n_bytes, w & mf->valid);
    }
    for (int i = 0; !e && i < mf->n_bytes; i++) {
        value[i] &= mask[i];
    }
    return e;
}

int
ofpp_subfield(const char *s, struct ofpp_subfield *sf, struct dstr *err)
{
    const char *br = strchr(s, '[');
    size_t nlen = br ? (size_t) (br - s) : strlen(s);
    char name[64];
    if (nlen >= sizeof name) {
        nlen = sizeof name - 1;
    }
    memcpy(name, s, nlen);
    name[nlen] = '\0';
    sf->mf = ofpp_field(name);
    if (!sf->mf) {
        dstr_printf(err, "%s: unknown field `%s'", s, name);
        return -EINVAL;
    }
    unsigned int width = ofpp_field_bits(sf->mf);
    sf->ofs = 0;
    sf->n_bits = width;
    if (!br || !strcmp(br, "[]")) {
        return 0;
    }
    size_t len = strlen(br);
    if (len < 3 || br[len - 1] != ']') {
        dstr_printf(err, "%s: syntax error expecting field[start..end]", s);
        return -EINVAL;
    }
    char range[64];
    if (len - 2 >= sizeof range) {
        dstr_printf(err, "%s: syntax error expecting field[start..end]", s);
        return -EINVAL;
    }
    memcpy(range, br + 1, len - 2);
    range[len - 2] = '\0';
    char *dots = strstr(range, "..");
    uint64_t a, b;
    if (dots) {
        *dots = '\0';
    }
    if (scan_uint(range, 10, 1u << 16, &a)
        || scan_uint(dots ? dots + 2 : range, 10, 1u << 16, &b)) {
        dstr_printf(err, "%s: syntax error expecting field[start..end]", s);
        return -EINVAL;
    }
    if (a > b) {
        dstr_printf(err, "%s: starting bit %u is after ending bit %u", s,
                    (unsigned int) a, (unsigned int) b);
        return -EINVAL;
    }
    if (b >= width) {
        dstr_printf(err, "%s: ending bit %u is not valid because field is "
                    "only %u bits wide", s, (unsigned int) b, width);
        return -EINVAL;
    }
    sf->ofs = (unsigned int) a;
    sf->n_bits = (unsigned int) (b - a + 1);
    return 0;
}
