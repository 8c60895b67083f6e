/* ofp_parse_actions: the actions and instructions of ovs-ofctl flows. */
#include "ofproto/ofp_parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_parse_private.h"
#include "src/util/dstr.h"
#include "src/util/scan.h"

#define OFPCML_NO_BUFFER 0xffff

static int
bad_number(const char *s, struct dstr *err)
{
    dstr_printf(err, "invalid numeric format %s", s);
    return -EINVAL;
}

static int
put_output(struct ofp_actions *acts, const char *arg,
           const struct ofp_parse_ports *ports, struct dstr *err)
{
    uint32_t port;
    if (!ofp_parse_port(arg, ports, &port) || port == OFPP_ANY) {
        dstr_printf(err, "%s: output to unknown port", arg);
        return -EINVAL;
    }
    struct ofp_action *a = ofp_actions_put(acts, OFPACT_OUTPUT);
    a->output.port = port;
    a->output.max_len = port == OFPP_CONTROLLER ? OFPCML_NO_BUFFER : 0;
    return 0;
}

/* "controller", "controller:N", "controller(max_len=N,reason=action)". */
static int
put_controller(struct ofp_actions *acts, char *arg, struct dstr *err)
{
    uint64_t max_len = OFPCML_NO_BUFFER;
    if (*arg && strchr(arg, '=')) {
        char *pos = arg, *k, *v;
        while (ofpp_next_kv(&pos, &k, &v, NULL)) {
            if (!strcmp(k, "max_len")) {
                if (ofpp_uint(v, UINT16_MAX, &max_len)) {
                    return bad_number(v, err);
                }
            } else if (!strcmp(k, "reason")) {
                if (strcmp(v, "action")) {
                    dstr_printf(err, "reason \"%s\" is not supported", v);
                    return -EINVAL;
                }
            } else if (!strcmp(k, "id")) {
                uint64_t id;
                if (ofpp_uint(v, UINT16_MAX, &id) || id) {
                    dstr_printf(err, "controller id \"%s\" is not "
                                "supported", v);
                    return -EINVAL;
                }
            } else {
                dstr_printf(err, "unknown key \"%s\" parsing controller "
                            "action", k);
                return -EINVAL;
            }
        }
    } else if (*arg && ofpp_uint(arg, UINT16_MAX, &max_len)) {
        return bad_number(arg, err);
    }
    struct ofp_action *a = ofp_actions_put(acts, OFPACT_OUTPUT);
    a->output.port = OFPP_CONTROLLER;
    a->output.max_len = (uint16_t) max_len;
    return 0;
}

/* "enqueue:PORT:QUEUE" or "enqueue(PORT,QUEUE)". */
static int
put_enqueue(struct ofp_actions *acts, char *arg,
            const struct ofp_parse_ports *ports, struct dstr *err)
{
    char *sep = arg + strcspn(arg, ":,");
    uint64_t q;
    uint32_t port;
    if (!*sep) {
        dstr_put(err, "\"enqueue\" syntax is \"enqueue:PORT:QUEUE\" or "
                 "\"enqueue(PORT,QUEUE)\"");
        return -EINVAL;
    }
    *sep++ = '\0';
    if (!ofp_parse_port(arg, ports, &port)) {
        dstr_printf(err, "%s: enqueue to unknown port", arg);
        return -EINVAL;
    }
    if (ofpp_uint(sep, UINT32_MAX, &q)) {
        return bad_number(sep, err);
    }
    struct ofp_action *a = ofp_actions_put(acts, OFPACT_ENQUEUE);
    a->enqueue.port = port;
    a->enqueue.queue = (uint32_t) q;
    return 0;
}

/* "resubmit:PORT" or "resubmit([PORT],[TABLE])". */
static int
put_resubmit(struct ofp_actions *acts, char *arg, bool parens,
             const struct ofp_parse_ports *ports, struct dstr *err)
{
    uint32_t port = OFPP_IN_PORT;
    uint64_t table = 0xff;
    char *tbl = NULL;
    if (parens) {
        char *comma = strchr(arg, ',');
        if (comma) {
            *comma = '\0';
            tbl = comma + 1;
        }
    }
    if (*arg && !ofp_parse_port(arg, ports, &port)) {
        dstr_printf(err, "%s: resubmit to unknown port", arg);
        return -EINVAL;
    }
    if (tbl && *tbl && ofpp_uint(tbl, 0xfe, &table)) {
        dstr_printf(err, "%s: resubmit to unknown table", tbl);
        return -EINVAL;
    }
    if (!*arg && (!tbl || !*tbl)) {
        dstr_put(err, "at least one \"in_port\" or \"table\" must be "
                 "specified on resubmit");
        return -EINVAL;
    }
    struct ofp_action *a = ofp_actions_put(acts, OFPACT_RESUBMIT);
    a->resubmit.in_port = port;
    a->resubmit.table = (uint8_t) table;
    return 0;
}

static struct ofp_action *
put_set_field(struct ofp_actions *acts, enum mf_id id, const uint8_t *v)
{
    struct ofp_action *a = ofp_actions_put(acts, OFPACT_SET_FIELD);
    a->set_field.field = id;
    memcpy(a->set_field.value, v, mf_from_id(id)->n_bytes);
    return a;
}

/* mod_dl_src, mod_nw_dst, ...: set_field of one field, no mask. */
static int
put_mod(struct ofp_actions *acts, enum mf_id id, const char *arg,
        struct dstr *err)
{
    uint8_t v[16], w[16];
    int e = ofpp_field_value(mf_from_id(id), arg, false, v, w, err);
    if (!e) {
        put_set_field(acts, id, v);
    }
    return e;
}

/* "set_field:VALUE[/MASK]->FIELD": a masked one becomes a load of the
 * bits the mask names, which must be contiguous. */
static int
put_set_field_text(struct ofp_actions *acts, char *arg, struct dstr *err)
{
    char *arrow = strstr(arg, "->");
    if (!arrow) {
        dstr_printf(err, "%s: missing `->'", arg);
        return -EINVAL;
    }
    *arrow = '\0';
    const char *name = arrow + 2;
    const struct mf_field *mf = ofpp_field(name);
    if (!mf) {
        dstr_printf(err, "%s is not a valid OXM field name", name);
        return -EINVAL;
    }
    if (!mf->writable) {
        dstr_printf(err, "%s is read-only", name);
        return -EINVAL;
    }
    uint8_t v[16], w[16];
    int e = ofpp_field_value(mf, arg, true, v, w, err);
    if (e) {
        return e;
    }
    if (mf->id == MF_IN_PORT_NXM) {
        mf = mf_from_id(MF_IN_PORT);
        uint64_t port = ofp_port_from_16((uint16_t) ofp_get_be(v, 2));
        for (int i = 0; i < 4; i++) {
            v[i] = (uint8_t) (port >> (24 - 8 * i));
            w[i] = 0xff;
        }
    }
    bool full = true;
    for (int i = 0; i < mf->n_bytes; i++) {
        full &= w[i] == 0xff;
    }
    uint64_t mask = mf->n_bytes <= 8 ? ofp_get_be(w, mf->n_bytes) : 0;
    if (full || (mf->n_bytes <= 8 && (mask & mf->valid) == mf->valid)) {
        if (!mf_value_ok(mf, v)) {
            dstr_printf(err, "%s: value out of range for field %s", arg,
                        mf->name);
            return -EINVAL;
        }
        put_set_field(acts, mf->id, v);
        return 0;
    }
    if (mf->n_bytes > 8 || !mask || mask & ~mf->valid
        || ((mask >> __builtin_ctzll(mask)) & ((mask >> __builtin_ctzll(mask))
                                               + 1))) {
        dstr_printf(err, "%s: masked set_field of %s is not supported "
                    "(only contiguous masks)", arg, mf->name);
        return -EINVAL;
    }
    struct ofp_action *a = ofp_actions_put(acts, OFPACT_REG_LOAD);
    unsigned int ofs = (unsigned int) __builtin_ctzll(mask);
    a->load.field = mf->id;
    a->load.ofs = (uint16_t) ofs;
    a->load.n_bits = (uint16_t) __builtin_popcountll(mask);
    a->load.value = ofp_get_be(v, mf->n_bytes) >> ofs;
    return 0;
}

/* "load:VALUE->FIELD[a..b]". */
static int
put_load(struct ofp_actions *acts, char *arg, struct dstr *err)
{
    char *arrow = strstr(arg, "->");
    if (!arrow) {
        dstr_printf(err, "%s: missing `->'", arg);
        return -EINVAL;
    }
    *arrow = '\0';
    struct ofpp_subfield sf;
    uint64_t v;
    if (ofpp_subfield(arrow + 2, &sf, err)) {
        return -EINVAL;
    }
    if (ofpp_uint(arg, UINT64_MAX, &v)) {
        return bad_number(arg, err);
    }
    if (sf.n_bits < 64 && v >> sf.n_bits) {
        dstr_printf(err, "%s->%s: value %s does not fit into %u bits", arg,
                    arrow + 2, arg, sf.n_bits);
        return -EINVAL;
    }
    if (!sf.mf->writable) {
        dstr_printf(err, "%s is read-only", sf.mf->name);
        return -EINVAL;
    }
    if (sf.n_bits > 64) {
        dstr_printf(err, "%s: loads of more than 64 bits are not "
                    "supported", arrow + 2);
        return -EINVAL;
    }
    struct ofp_action *a = ofp_actions_put(acts, OFPACT_REG_LOAD);
    a->load.field = sf.mf->id;
    a->load.ofs = (uint16_t) sf.ofs;
    a->load.n_bits = (uint16_t) sf.n_bits;
    a->load.value = v;
    return 0;
}

/* "move:SRC[a..b]->DST[c..d]". */
static int
put_move(struct ofp_actions *acts, char *arg, struct dstr *err)
{
    char *arrow = strstr(arg, "->");
    if (!arrow) {
        dstr_printf(err, "%s: missing `->'", arg);
        return -EINVAL;
    }
    *arrow = '\0';
    struct ofpp_subfield src, dst;
    if (ofpp_subfield(arg, &src, err) || ofpp_subfield(arrow + 2, &dst, err)) {
        return -EINVAL;
    }
    if (src.n_bits != dst.n_bits) {
        dstr_printf(err, "%s->%s: source field is %u bits wide but "
                    "destination is %u bits wide", arg, arrow + 2,
                    src.n_bits, dst.n_bits);
        return -EINVAL;
    }
    if (!dst.mf->writable) {
        dstr_printf(err, "%s is read-only", dst.mf->name);
        return -EINVAL;
    }
    struct ofp_action *a = ofp_actions_put(acts, OFPACT_REG_MOVE);
    a->move.src = src.mf->id;
    a->move.dst = dst.mf->id;
    a->move.src_ofs = (uint16_t) src.ofs;
    a->move.dst_ofs = (uint16_t) dst.ofs;
    a->move.n_bits = (uint16_t) src.n_bits;
    return 0;
}

static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char) (c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "note:01.02.ab": hex bytes, dots anywhere between bytes. */
static int
put_note(struct ofp_actions *acts, const char *arg, struct dstr *err)
{
    size_t n = 0;
    uint8_t *data = malloc(strlen(arg) / 2 + 1);
    if (!data) {
        abort();
    }
    for (const char *p = arg; *p;) {
        if (*p == '.') {
            p++;
            continue;
        }
        int hi = hex_digit(p[0]), lo = hi < 0 ? -1 : hex_digit(p[1]);
        if (hi < 0 || lo < 0) {
            free(data);
            dstr_put(err, "bad hex digit in `note' argument");
            return -EINVAL;
        }
        data[n++] = (uint8_t) (hi << 4 | lo);
        p += 2;
    }
    struct ofp_action *a = ofp_actions_put(acts, OFPACT_NOTE);
    a->note.data = data;
    a->note.len = n;
    return 0;
}

/* A number of at most 'max' into the u8 or u16 of a 'type' action. */
static int
put_small(struct ofp_actions *acts, enum ofp_act_type type, const char *arg,
          uint64_t max, const char *what, struct dstr *err)
{
    uint64_t n;
    if (ofpp_uint(arg, UINT64_MAX, &n)) {
        return bad_number(arg, err);
    }
    if (n > max) {
        dstr_printf(err, "%s: not a valid %s", arg, what);
        return -EINVAL;
    }
    struct ofp_action *a = ofp_actions_put(acts, type);
    if (max > UINT8_MAX) {
        a->u16 = (uint16_t) n;
    } else {
        a->u8 = (uint8_t) n;
    }
    return 0;
}

static int
put_u32(struct ofp_actions *acts, enum ofp_act_type type, const char *arg,
        struct dstr *err)
{
    uint64_t n;
    if (ofpp_uint(arg, UINT32_MAX, &n)) {
        return bad_number(arg, err);
    }
    ofp_actions_put(acts, type)->u32 = (uint32_t) n;
    return 0;
}

static int
put_ethertype(struct ofp_actions *acts, enum ofp_act_type type,
              const char *arg, struct dstr *err)
{
    uint64_t n;
    if (ofpp_uint(arg, UINT16_MAX, &n)) {
        return bad_number(arg, err);
    }
    if ((type == OFPACT_PUSH_VLAN && n != 0x8100 && n != 0x88a8)
        || (type == OFPACT_PUSH_MPLS && n != 0x8847 && n != 0x8848)) {
        dstr_printf(err, "%s: not a valid %s ethertype", arg,
                    type == OFPACT_PUSH_VLAN ? "VLAN" : "MPLS");
        return -EINVAL;
    }
    ofp_actions_put(acts, type)->u16 = (uint16_t) n;
    return 0;
}

static int
put_tos(struct ofp_actions *acts, const char *arg, struct dstr *err)
{
    uint64_t n;
    if (ofpp_uint(arg, UINT8_MAX, &n) || n & 3) {
        dstr_printf(err, "%s: not a valid TOS", arg);
        return -EINVAL;
    }
    uint8_t v = (uint8_t) n;
    put_set_field(acts, MF_NW_TOS, &v);
    return 0;
}

/* One action; 1 if 'key' names none. */
static int
parse_action(struct ofp_actions *acts, const char *key, char *arg,
             bool parens, const struct ofp_parse_ports *ports,
             struct dstr *err)
{
    uint32_t port;
    if (!strcasecmp(key, "output")) {
        return put_output(acts, arg, ports, err);
    } else if (!strcasecmp(key, "controller")) {
        return put_controller(acts, arg, err);
    } else if (!strcmp(key, "enqueue")) {
        return put_enqueue(acts, arg, ports, err);
    } else if (!strcmp(key, "resubmit")) {
        return put_resubmit(acts, arg, parens, ports, err);
    } else if (!strcmp(key, "mod_vlan_vid")) {
        return put_small(acts, OFPACT_SET_VLAN_VID, arg, 0xfff, "VLAN VID",
                       err);
    } else if (!strcmp(key, "mod_vlan_pcp")) {
        return put_small(acts, OFPACT_SET_VLAN_PCP, arg, 7, "VLAN PCP", err);
    } else if (!strcmp(key, "strip_vlan") || !strcmp(key, "pop_vlan")) {
        ofp_actions_put(acts, OFPACT_POP_VLAN);
        return 0;
    } else if (!strcmp(key, "push_vlan")) {
        return put_ethertype(acts, OFPACT_PUSH_VLAN, arg, err);
    } else if (!strcmp(key, "push_mpls")) {
        return put_ethertype(acts, OFPACT_PUSH_MPLS, arg, err);
    } else if (!strcmp(key, "pop_mpls")) {
        return put_ethertype(acts, OFPACT_POP_MPLS, arg, err);
    } else if (!strcmp(key, "mod_dl_src")) {
        return put_mod(acts, MF_ETH_SRC, arg, err);
    } else if (!strcmp(key, "mod_dl_dst")) {
        return put_mod(acts, MF_ETH_DST, arg, err);
    } else if (!strcmp(key, "mod_nw_src")) {
        return put_mod(acts, MF_IPV4_SRC, arg, err);
    } else if (!strcmp(key, "mod_nw_dst")) {
        return put_mod(acts, MF_IPV4_DST, arg, err);
    } else if (!strcmp(key, "mod_nw_tos")) {
        return put_tos(acts, arg, err);
    } else if (!strcmp(key, "mod_nw_ecn")) {
        return put_mod(acts, MF_IP_ECN, arg, err);
    } else if (!strcmp(key, "mod_nw_ttl")) {
        return put_small(acts, OFPACT_SET_NW_TTL, arg, 255, "TTL", err);
    } else if (!strcmp(key, "mod_tp_src")) {
        return put_small(acts, OFPACT_SET_L4_SRC, arg, 0xffff, "port", err);
    } else if (!strcmp(key, "mod_tp_dst")) {
        return put_small(acts, OFPACT_SET_L4_DST, arg, 0xffff, "port", err);
    } else if (!strcmp(key, "set_field")) {
        return put_set_field_text(acts, arg, err);
    } else if (!strcmp(key, "load")) {
        return put_load(acts, arg, err);
    } else if (!strcmp(key, "move")) {
        return put_move(acts, arg, err);
    } else if (!strcmp(key, "set_tunnel") || !strcmp(key, "set_tunnel64")) {
        return put_mod(acts, MF_TUN_ID, arg, err);
    } else if (!strcmp(key, "dec_ttl")) {
        ofp_actions_put(acts, OFPACT_DEC_TTL);
        return 0;
    } else if (!strcmp(key, "set_mpls_ttl")) {
        return put_small(acts, OFPACT_SET_MPLS_TTL, arg, 255, "TTL", err);
    } else if (!strcmp(key, "dec_mpls_ttl")) {
        ofp_actions_put(acts, OFPACT_DEC_MPLS_TTL);
        return 0;
    } else if (!strcmp(key, "copy_ttl_out")) {
        ofp_actions_put(acts, OFPACT_COPY_TTL_OUT);
        return 0;
    } else if (!strcmp(key, "copy_ttl_in")) {
        ofp_actions_put(acts, OFPACT_COPY_TTL_IN);
        return 0;
    } else if (!strcmp(key, "set_queue")) {
        return put_u32(acts, OFPACT_SET_QUEUE, arg, err);
    } else if (!strcmp(key, "pop_queue")) {
        ofp_actions_put(acts, OFPACT_POP_QUEUE);
        return 0;
    } else if (!strcmp(key, "group")) {
        return put_u32(acts, OFPACT_GROUP, arg, err);
    } else if (!strcmp(key, "note")) {
        return put_note(acts, arg, err);
    } else if (!*arg && ofp_parse_port(key, ports, &port)
               && port != OFPP_ANY) {
        /* A bare port: "2", "NORMAL", "LOCAL", a port's name. */
        return put_output(acts, key, ports, err);
    }
    return 1;
}

/* Instructions in OpenFlow 1.3's order. */
enum { INST_METER, INST_APPLY, INST_CLEAR, INST_WRITE, INST_METADATA,
       INST_GOTO };
static const char *const inst_names[] = {
    "meter", "apply_actions", "clear_actions", "write_actions",
    "write_metadata", "goto_table",
};
static const uint32_t inst_bits[] = {
    1u << OFPIT_METER, 1u << OFPIT_APPLY_ACTIONS, 1u << OFPIT_CLEAR_ACTIONS,
    1u << OFPIT_WRITE_ACTIONS, 1u << OFPIT_WRITE_METADATA,
    1u << OFPIT_GOTO_TABLE,
};

static int
parse_inst(struct ofp_insts *in, int kind, char *arg,
           const struct ofp_parse_ports *ports, struct dstr *err)
{
    uint64_t n, m = UINT64_MAX;
    switch (kind) {
    case INST_METER:
        if (ofpp_uint(arg, UINT32_MAX, &n)) {
            return bad_number(arg, err);
        }
        in->meter_id = (uint32_t) n;
        return 0;
    case INST_CLEAR:
        return 0;
    case INST_WRITE: {
        char *pos = arg, *k, *v, delim;
        while (ofpp_next_kv(&pos, &k, &v, &delim)) {
            int e = parse_action(&in->write, k, v, delim == '(', ports,
                                 err);
            if (e > 0) {
                dstr_printf(err, "unknown action %s", k);
                return -EINVAL;
            } else if (e) {
                return e;
            }
        }
        return 0;
    }
    case INST_METADATA: {
        char *slash = strchr(arg, '/');
        if (slash) {
            *slash++ = '\0';
        }
        if (ofpp_uint(arg, UINT64_MAX, &n)
            || (slash && ofpp_uint(slash, UINT64_MAX, &m))) {
            return bad_number(arg, err);
        }
        in->metadata = n & m;
        in->metadata_mask = m;
        return 0;
    }
    case INST_GOTO:
        if (ofpp_uint(arg, OFPTT_MAX, &n)) {
            return bad_number(arg, err);
        }
        in->goto_table = (uint8_t) n;
        return 0;
    default:
        return 0;
    }
}

static int
inst_kind(const char *key)
{
    static const char *const keys[] = {
        "meter", NULL, "clear_actions", "write_actions", "write_metadata",
        "goto_table",
    };
    for (int i = 0; i < (int) (sizeof keys / sizeof *keys); i++) {
        if (keys[i] && !strcmp(key, keys[i])) {
            return i;
        }
    }
    return -1;
}

int
ofp_parse_actions(const char *text, const struct ofp_parse_ports *ports,
                  struct ofp_insts *in, struct dstr *err)
{
    char *copy = strdup(text);
    if (!copy) {
        abort();
    }
    char *pos = copy, *key, *value, delim;
    int e = 0, last = -1;
    bool drop = false, any = false;
    while (!e && ofpp_next_kv(&pos, &key, &value, &delim)) {
        if (!strcmp(key, "drop")) {
            drop = true;
            continue;
        }
        any = true;
        int kind = inst_kind(key);
        if (kind < 0) {
            e = parse_action(&in->apply, key, value, delim == '(', ports,
                             err);
            if (e > 0) {
                dstr_printf(err, "unknown action %s", key);
                e = -EINVAL;
            }
            kind = INST_APPLY;
        } else if (in->present & inst_bits[kind]) {
            dstr_printf(err, "duplicate %s instruction not allowed, for "
                        "OpenFlow 1.1+ compatibility", inst_names[kind]);
            e = -EINVAL;
        } else {
            e = parse_inst(in, kind, value, ports, err);
        }
        if (!e && kind < last) {
            dstr_printf(err, "invalid instruction ordering: %s must appear "
                        "before %s, for OpenFlow 1.1+ compatibility",
                        inst_names[kind], inst_names[last]);
            e = -EINVAL;
        }
        if (!e) {
            in->present |= inst_bits[kind];
            last = kind;
        }
    }
    if (!e && drop && any) {
        dstr_put(err, "\"drop\" must not be accompanied by any other "
                 "action or instruction");
        e = -EINVAL;
    }
    if (!e && in->apply.n > OFP_MAX_ACTIONS) {
        dstr_put(err, "too many actions");
        e = -EINVAL;
    }
    free(copy);
    return e;
}
