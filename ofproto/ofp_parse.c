/* ofp_parse: ovs-ofctl flows - the match and the flow_mod's own keys
 * (actions: ofp_parse_actions.c). */
#include "ofproto/ofp_parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ofproto/ofp_match.h"
#include "ofproto/ofp_parse_private.h"
#include "src/util/dstr.h"
#include "src/util/scan.h"

/* ---- Ports. ---- */

static const struct {
    const char *name;
    uint32_t port;
} reserved_ports[] = {
    { "IN_PORT", OFPP_IN_PORT }, { "TABLE", OFPP_TABLE },
    { "NORMAL", OFPP_NORMAL }, { "FLOOD", OFPP_FLOOD },
    { "ALL", OFPP_ALL }, { "CONTROLLER", OFPP_CONTROLLER },
    { "LOCAL", OFPP_LOCAL }, { "ANY", OFPP_ANY }, { "NONE", OFPP_ANY },
};

bool
ofp_parse_port(const char *s, const struct ofp_parse_ports *ports,
               uint32_t *port)
{
    uint64_t n;
    if (!scan_uint(s, 10, UINT32_MAX, &n)) {
        if (n < 0x10000) {
            *port = ofp_port_from_16((uint16_t) n);
            return true;
        }
        if (n >= OFPP_MAX) {
            *port = (uint32_t) n;
            return true;
        }
        return false;
    }
    for (size_t i = 0; i < sizeof reserved_ports / sizeof *reserved_ports;
         i++) {
        if (!strcasecmp(s, reserved_ports[i].name)) {
            *port = reserved_ports[i].port;
            return true;
        }
    }
    return ports && ports->lookup && ports->lookup(s, port, ports->aux);
}

/* ---- Match. ---- */

static const struct {
    const char *name;
    uint16_t dl_type;
    int nw_proto;           /* -1: none. */
} protocols[] = {
    { "ip", 0x0800, -1 }, { "ipv6", 0x86dd, -1 }, { "icmp", 0x0800, 1 },
    { "icmp6", 0x86dd, 58 }, { "tcp", 0x0800, 6 }, { "tcp6", 0x86dd, 6 },
    { "udp", 0x0800, 17 }, { "udp6", 0x86dd, 17 }, { "sctp", 0x0800, 132 },
    { "sctp6", 0x86dd, 132 }, { "arp", 0x0806, -1 }, { "rarp", 0x8035, -1 },
    { "mpls", 0x8847, -1 }, { "mplsm", 0x8848, -1 },
};

static void
set_int(struct ofp_match *m, enum mf_id id, uint64_t v)
{
    (void) mf_set_int(m, id, v);
}

static bool
parse_protocol(struct ofp_match *m, const char *name)
{
    for (size_t i = 0; i < sizeof protocols / sizeof *protocols; i++) {
        if (!strcmp(name, protocols[i].name)) {
            set_int(m, MF_ETH_TYPE, protocols[i].dl_type);
            if (protocols[i].nw_proto >= 0) {
                set_int(m, MF_IP_PROTO, (uint64_t) protocols[i].nw_proto);
            }
            return true;
        }
    }
    return false;
}

/* ORs 'value' under 'mask' into what the match has for vlan_tci. */
static void
merge_tci(struct ofp_match *m, uint16_t value, uint16_t mask)
{
    const struct mf_field *mf = mf_from_id(MF_VLAN_TCI);
    uint8_t v[2], w[2];
    mf_read(m, mf, v, w);
    uint16_t ov = (uint16_t) (v[0] << 8 | v[1]);
    uint16_t ow = (uint16_t) (w[0] << 8 | w[1]);
    ov = (uint16_t) ((ov & ~mask) | value);
    ow |= mask;
    v[0] = (uint8_t) (ov >> 8);
    v[1] = (uint8_t) ov;
    w[0] = (uint8_t) (ow >> 8);
    w[1] = (uint8_t) ow;
    (void) mf_set(m, mf, v, w);
}

static int
parse_vlan(struct ofp_match *m, const char *key, const char *value,
           struct dstr *err)
{
    uint64_t n;
    bool pcp = !strcmp(key, "dl_vlan_pcp");
    if (ofpp_uint(value, pcp ? 0xff : 0xffff, &n)) {
        dstr_printf(err, "%s: could not convert to integer", value);
        return -EINVAL;
    }
    if (pcp) {
        merge_tci(m, (uint16_t) (0x1000 | (n & 7) << 13), 0xf000);
    } else if (n == 0xffff) {
        const struct mf_field *mf = mf_from_id(MF_VLAN_TCI);
        uint8_t zero[2] = { 0, 0 }, ones[2] = { 0xff, 0xff };
        (void) mf_set(m, mf, zero, ones);
    } else {
        merge_tci(m, (uint16_t) (0x1000 | (n & 0xfff)), 0x1fff);
    }
    return 0;
}

static const struct {
    const char *name;
    uint8_t value, mask;
} frag_types[] = {
    { "no", 0, 3 }, { "yes", 1, 1 }, { "first", 1, 3 }, { "later", 3, 3 },
    { "not_later", 0, 2 },
};

static int
parse_frag(struct ofp_match *m, const char *value, struct dstr *err)
{
    for (size_t i = 0; i < sizeof frag_types / sizeof *frag_types; i++) {
        if (!strcmp(value, frag_types[i].name)) {
            (void) mf_set(m, mf_from_id(MF_IP_FRAG), &frag_types[i].value,
                          &frag_types[i].mask);
            return 0;
        }
    }
    dstr_printf(err, "%s: unknown fragment type (valid types are \"no\", "
                "\"yes\", \"first\", \"later\", \"not_later\"", value);
    return -EINVAL;
}

static const char *const tcp_flag_names[] = {
    "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns",
};

/* "+syn-ack" or VALUE[/MASK]. */
static int
parse_tcp_flags(struct ofp_match *m, const char *value, struct dstr *err)
{
    const struct mf_field *mf = mf_from_id(MF_TCP_FLAGS);
    uint8_t v[2], w[2];
    if (*value != '+' && *value != '-') {
        int e = ofpp_field_value(mf, value, true, v, w, err);
        if (!e) {
            (void) mf_set(m, mf, v, w);
        }
        return e;
    }
    uint16_t flags = 0, mask = 0;
    const char *p = value;
    while (*p) {
        bool on = *p == '+';
        if (*p != '+' && *p != '-') {
            dstr_printf(err, "%s: TCP flag must be preceded by '+' (for "
                        "SET) or '-' (NOT SET)", p);
            return -EINVAL;
        }
        p++;
        size_t len = strcspn(p, "+-");
        size_t i;
        for (i = 0; i < sizeof tcp_flag_names / sizeof *tcp_flag_names;
             i++) {
            if (strlen(tcp_flag_names[i]) == len
                && !strncmp(p, tcp_flag_names[i], len)) {
                break;
            }
        }
        if (i == sizeof tcp_flag_names / sizeof *tcp_flag_names) {
            dstr_printf(err, "%.*s: unknown TCP flag(s)", (int) len, p);
            return -EINVAL;
        }
        mask |= (uint16_t) (1u << i);
        if (on) {
            flags |= (uint16_t) (1u << i);
        }
        p += len;
    }
    v[0] = (uint8_t) (flags >> 8);
    v[1] = (uint8_t) flags;
    w[0] = (uint8_t) (mask >> 8);
    w[1] = (uint8_t) mask;
    (void) mf_set(m, mf, v, w);
    return 0;
}

/* One "field=value" of a match.  Returns 1 if 'key' is no field. */
static int
parse_field(struct ofp_match *m, const char *key, const char *value,
            const struct ofp_parse_ports *ports, struct dstr *err)
{
    if (parse_protocol(m, key)) {
        return 0;
    }
    if (!strcmp(key, "dl_vlan") || !strcmp(key, "dl_vlan_pcp")) {
        return parse_vlan(m, key, value, err);
    }
    if (!strcmp(key, "ip_frag") || !strcmp(key, "nw_frag")) {
        return parse_frag(m, value, err);
    }
    if (!strcmp(key, "tcp_flags")) {
        return parse_tcp_flags(m, value, err);
    }
    const struct mf_field *mf = ofpp_field(key);
    if (!mf) {
        return 1;
    }
    if (mf->id == MF_IN_PORT || mf->id == MF_IN_PORT_NXM) {
        uint32_t port;
        if (!ofp_parse_port(value, ports, &port)
            || ofp_port_to_16(port) < 0) {
            dstr_printf(err, "%s: invalid or unknown port for %s", value,
                        key);
            return -EINVAL;
        }
        set_int(m, MF_IN_PORT, port);
        return 0;
    }
    uint8_t v[16], w[16];
    int e = ofpp_field_value(mf, value, mf->maskable, v, w, err);
    if (e) {
        return e;
    }
    enum ofp_err oe = mf_set(m, mf, v, w);
    if (oe == OFPERR_OFPBMC_BAD_VALUE) {
        dstr_printf(err, "%s: value out of range for field %s", value,
                    mf->name);
        return -EINVAL;
    } else if (oe) {
        dstr_printf(err, "%s: invalid mask for field %s", value, mf->name);
        return -EINVAL;
    }
    return 0;
}

/* Keeps only the fields whose prerequisites the match meets, as
 * ovs-ofctl's normalisation does: the match is rebuilt from them (so bits
 * that only an unmet field covered go too, e.g. the high byte of tp_src
 * under "icmp"), until nothing changes. */
static void
normalize(struct ofp_match *m)
{
    for (;;) {
        struct ofp_match out;
        ofp_match_init(&out);
        for (int id = 0; id < MF_N_IDS; id++) {
            const struct mf_field *mf = mf_from_id((enum mf_id) id);
            uint8_t v[16], w[16];
            if (mf_read(m, mf, v, w) && mf_prereqs_ok(m, mf)) {
                (void) mf_set(&out, mf, v, w);
            }
        }
        if (ofp_match_equal(&out, m)) {
            return;
        }
        *m = out;
    }
}

int
ofp_parse_match(const char *text, const struct ofp_parse_ports *ports,
                struct ofp_match *m, struct dstr *err)
{
    char *copy = strdup(text);
    if (!copy) {
        abort();
    }
    ofp_match_init(m);
    char *pos = copy, *key, *value;
    int e = 0;
    while (!e && ofpp_next_kv(&pos, &key, &value, NULL)) {
        e = parse_field(m, key, value, ports, err);
        if (e > 0) {
            dstr_printf(err, "unknown keyword %s", key);
            e = -EINVAL;
        }
    }
    free(copy);
    if (!e) {
        normalize(m);
    }
    return e;
}

/* ---- The flow_mod. ---- */

static int
parse_u16(const char *key, const char *value, uint16_t *out,
          struct dstr *err)
{
    uint64_t n;
    if (ofpp_uint(value, UINT16_MAX, &n)) {
        dstr_printf(err, "invalid %s \"%s\"", key, value);
        return -EINVAL;
    }
    *out = (uint16_t) n;
    return 0;
}

static int
parse_cookie(struct ofp_flow_mod *fm, char *value, struct dstr *err)
{
    char *mask = strchr(value, '/');
    uint64_t c, cm = 0;
    if (mask) {
        *mask++ = '\0';
        if (fm->command == OFPFC_ADD) {
            dstr_put(err, "flow additions cannot use a cookie mask");
            return -EINVAL;
        }
    } else if (fm->command == OFPFC_DELETE
               || fm->command == OFPFC_DELETE_STRICT) {
        dstr_put(err, "cannot set cookie");
        return -EINVAL;
    }
    /* A mask of -1 is all ones, as ovs-ofctl reads it ("cookie=0x5/-1"). */
    bool all_ones = mask && !strcmp(mask, "-1");
    if (all_ones) {
        cm = UINT64_MAX;
    }
    if (ofpp_uint(value, UINT64_MAX, &c)
        || (mask && !all_ones && ofpp_uint(mask, UINT64_MAX, &cm))) {
        dstr_printf(err, "invalid cookie \"%s\"", value);
        return -EINVAL;
    }
    if (mask) {
        fm->cookie = c & cm;
        fm->cookie_mask = cm;
        if (fm->command != OFPFC_ADD && fm->command != OFPFC_DELETE
            && fm->command != OFPFC_DELETE_STRICT) {
            fm->new_cookie = UINT64_MAX;    /* Selects; changes none. */
        }
    } else {
        fm->new_cookie = c;
    }
    return 0;
}

static const struct {
    const char *name;
    uint16_t flag;
} fm_flags[] = {
    { "send_flow_rem", OFPFF_SEND_FLOW_REM },
    { "check_overlap", OFPFF_CHECK_OVERLAP },
    { "reset_counts", OFPFF13_RESET_COUNTS },
    { "no_packet_counts", OFPFF13_NO_PKT_COUNTS },
    { "no_byte_counts", OFPFF13_NO_BYT_COUNTS },
};

/* The flow_mod's own keys.  Returns 1 if 'key' is none. */
static int
parse_fm_key(struct ofp_flow_mod *fm, const char *key, char *value,
             const struct ofp_parse_ports *ports, struct dstr *err)
{
    uint64_t n;
    for (size_t i = 0; i < sizeof fm_flags / sizeof *fm_flags; i++) {
        if (!strcmp(key, fm_flags[i].name)) {
            fm->flags |= fm_flags[i].flag;
            return 0;
        }
    }
    if (!strcmp(key, "table")) {
        if (ofpp_uint(value, OFPTT_ALL, &n)) {
            dstr_printf(err, "unknown table \"%s\"", value);
            return -EINVAL;
        }
        fm->table_id = (uint8_t) n;
        return 0;
    } else if (!strcmp(key, "priority")) {
        return parse_u16(key, value, &fm->priority, err);
    } else if (!strcmp(key, "idle_timeout")) {
        return parse_u16(key, value, &fm->idle_timeout, err);
    } else if (!strcmp(key, "hard_timeout")) {
        return parse_u16(key, value, &fm->hard_timeout, err);
    } else if (!strcmp(key, "cookie")) {
        return parse_cookie(fm, value, err);
    } else if (!strcmp(key, "out_port")) {
        if (!ofp_parse_port(value, ports, &fm->out_port)) {
            dstr_printf(err, "%s: invalid or unknown port for out_port",
                        value);
            return -EINVAL;
        }
        return 0;
    } else if (!strcmp(key, "out_group")) {
        if (!strcasecmp(value, "any") || !strcasecmp(value, "all")) {
            fm->out_group = OFPG_ANY;
        } else if (ofpp_uint(value, UINT32_MAX, &n)) {
            dstr_printf(err, "invalid out_group \"%s\"", value);
            return -EINVAL;
        } else {
            fm->out_group = (uint32_t) n;
        }
        return 0;
    } else if (!strcmp(key, "buffer_id")) {
        if (ofpp_uint(value, UINT32_MAX, &n)) {
            dstr_printf(err, "invalid buffer_id \"%s\"", value);
            return -EINVAL;
        }
        fm->buffer_id = (uint32_t) n;
        return 0;
    }
    return parse_field(&fm->match, key, value, ports, err);
}

/* Cuts "action[s]=..." off 'text'; returns what follows '=' or NULL. */
static char *
extract_actions(char *text)
{
    char *a = strstr(text, "action");
    if (!a) {
        return NULL;
    }
    *a = '\0';
    char *eq = a + 6;
    if (*eq == 's') {
        eq++;
    }
    return *eq == '=' ? eq + 1 : NULL;
}

static void
fm_init(struct ofp_flow_mod *fm, enum ofp_fm_command command)
{
    ofp_flow_mod_init(fm, OFP_FM_OF13, command);
    fm->new_cookie = 0;             /* As ovs-ofctl sends it. */
    fm->table_id = OFPTT_ALL;
    fm->priority = 0x8000;
}

int
ofp_parse_flow_mod(const char *text, enum ofp_fm_command command,
                   const struct ofp_parse_ports *ports,
                   struct ofp_flow_mod *fm, struct dstr *err)
{
    fm_init(fm, command);
    char *copy = strdup(text);
    if (!copy) {
        abort();
    }
    bool del = command == OFPFC_DELETE || command == OFPFC_DELETE_STRICT;
    char *acts = extract_actions(copy);
    int e = 0;
    if (!del && !acts) {
        dstr_put(err, "must specify an action");
        e = -EINVAL;
    } else if (del && acts) {
        dstr_put(err, "unknown keyword actions");
        e = -EINVAL;
    }
    char *pos = copy, *key, *value;
    while (!e && ofpp_next_kv(&pos, &key, &value, NULL)) {
        e = parse_fm_key(fm, key, value, ports, err);
        if (e > 0) {
            dstr_printf(err, "unknown keyword %s", key);
            e = -EINVAL;
        }
    }
    if (!e && acts) {
        e = ofp_parse_actions(acts, ports, &fm->insts, err);
    }
    free(copy);
    if (e) {
        ofp_flow_mod_free(fm);
        return e;
    }
    normalize(&fm->match);
    if (command == OFPFC_ADD && fm->table_id == OFPTT_ALL) {
        fm->table_id = 0;       /* An add without a table: table 0. */
    }
    return 0;
}
