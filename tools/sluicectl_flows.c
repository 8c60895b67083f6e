/* sluicectl_flows: add-flow, add-flows, mod-flows, del-flows, dump-flows
 * and packet-out over OpenFlow 1.3. */
#include "tools/sluicectl_flows.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_ctrl.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_msg.h"
#include "ofproto/ofp_packet.h"
#include "ofproto/ofp_parse.h"
#include "ofproto/ofp_print.h"
#include "ofproto/ofp_stats.h"
#include "src/util/dstr.h"
#include "tools/sluicectl_of.h"
#include "tools/sluicectl_ofshow.h"

#define EXIT_REFUSED 2

static const char *const commands[] = {
    "add-flow", "add-flows", "mod-flows", "del-flows", "dump-flows",
    "packet-out", "show", "dump-ports", "dump-tables",
};

bool
sluicectl_flows_has(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (!strcmp(commands[i], name)) {
            return true;
        }
    }
    return false;
}

struct of_client *
sluicectl_flows_connect(const struct sluicectl_flows_opts *o,
                        const char *target)
{
    return sluicectl_flows_connect_to(o, target, ".mgmt");
}

struct of_client *
sluicectl_flows_connect_to(const struct sluicectl_flows_opts *o,
                           const char *target, const char *suffix)
{
    char *path;
    if (!strncmp(target, "unix:", 5)) {
        path = xasprintf("%s", target + 5);
    } else if (strchr(target, '/')) {
        path = xasprintf("%s", target);
    } else {
        const char *dir = o->run_dir ? o->run_dir : getenv("OVS_RUNDIR");
        path = xasprintf("%s/%s%s", dir && *dir ? dir : "/run/sluice",
                         target, suffix);
    }
    struct dstr err;
    dstr_init(&err);
    struct of_client *c;
    if (of_client_open(path, o->timeout_s * 1000, &c, &err)) {
        fprintf(stderr, "sluicectl: %s\n", dstr_cstr(&err));
        c = NULL;
    }
    dstr_free(&err);
    free(path);
    return c;
}

/* Port names in flow text, looked up in the switch's port descriptions
 * the first time one is needed. */
struct port_names {
    struct of_client *c;
    struct ofp_port *ports;
    size_t n;
    bool fetched;
};

static bool
lookup_port(const char *name, uint32_t *port, void *aux)
{
    struct port_names *pn = aux;
    if (!pn->fetched) {
        struct dstr err;
        dstr_init(&err);
        pn->fetched = true;
        if (sluicectl_port_descs(pn->c, &pn->ports, &pn->n, NULL, &err)
            < 0) {
            fprintf(stderr, "sluicectl: %s\n", dstr_cstr(&err));
        }
        dstr_free(&err);
    }
    for (size_t i = 0; i < pn->n; i++) {
        if (!strncmp(pn->ports[i].name, name, sizeof pn->ports[i].name)
            && strlen(name) <= sizeof pn->ports[i].name) {
            *port = pn->ports[i].port_no;
            return true;
        }
    }
    return false;
}

/* What was sent, by xid, to name the message an OFPT_ERROR refuses. */
struct sent {
    uint32_t xid;
    char *text;
};

struct session {
    struct of_client *c;
    struct port_names names;
    struct ofp_parse_ports ports;
    struct sent *sent;
    size_t n_sent, cap_sent;
    int n_errors;
};

static void
session_init(struct session *s, struct of_client *c)
{
    memset(s, 0, sizeof *s);
    s->c = c;
    s->names.c = c;
    s->ports.lookup = lookup_port;
    s->ports.aux = &s->names;
}

static void
session_destroy(struct session *s)
{
    for (size_t i = 0; i < s->n_sent; i++) {
        free(s->sent[i].text);
    }
    free(s->sent);
    free(s->names.ports);
    of_client_close(s->c);
}

static void
remember(struct session *s, uint32_t xid, char *text)
{
    if (s->n_sent == s->cap_sent) {
        s->cap_sent = s->cap_sent ? 2 * s->cap_sent : 16;
        s->sent = realloc(s->sent, s->cap_sent * sizeof *s->sent);
        if (!s->sent) {
            abort();
        }
    }
    s->sent[s->n_sent++] = (struct sent) { xid, text };
}

static void
on_error(enum ofp_err e, uint32_t xid, const uint8_t *data, size_t len,
         void *aux)
{
    (void) data;
    (void) len;
    struct session *s = aux;
    struct dstr out;
    dstr_init(&out);
    of_client_format_error(&out, e, xid);
    for (size_t i = 0; i < s->n_sent; i++) {
        if (s->sent[i].xid == xid) {
            dstr_printf(&out, "\n%s", s->sent[i].text);
        }
    }
    fprintf(stderr, "%s\n", dstr_cstr(&out));
    dstr_free(&out);
    s->n_errors++;
}

/* Ends what was sent with a barrier; returns the exit status. */
static int
finish(struct session *s)
{
    struct dstr err;
    dstr_init(&err);
    int e = of_client_barrier(s->c, on_error, s, &err);
    if (e) {
        fprintf(stderr, "sluicectl: %s\n", dstr_cstr(&err));
    }
    dstr_free(&err);
    return e ? EXIT_FAILURE : s->n_errors ? EXIT_REFUSED : EXIT_SUCCESS;
}

static const char *
command_name(enum ofp_fm_command cmd)
{
    static const char *const names[] = {
        [OFPFC_ADD] = "ADD", [OFPFC_MODIFY] = "MOD",
        [OFPFC_MODIFY_STRICT] = "MOD_STRICT", [OFPFC_DELETE] = "DEL",
        [OFPFC_DELETE_STRICT] = "DEL_STRICT",
    };
    return names[cmd];
}

void
sluicectl_format_flow_mod(struct dstr *s, const struct ofp_flow_mod *fm,
                          uint8_t version)
{
    dstr_put(s, command_name(fm->command));
    if (fm->table_id) {
        dstr_printf(s, " table:%u", fm->table_id);
    }
    struct dstr m;
    dstr_init(&m);
    ofp_print_match(&m, &fm->match, fm->priority);
    if (*dstr_cstr(&m)) {
        dstr_printf(s, " %s", dstr_cstr(&m));
    }
    dstr_free(&m);
    if (fm->cookie_mask) {
        dstr_printf(s, " cookie:0x%" PRIx64 "/0x%" PRIx64, fm->cookie,
                    fm->cookie_mask);
    } else if (fm->new_cookie) {
        dstr_printf(s, " cookie:0x%" PRIx64, fm->new_cookie);
    }
    if (fm->idle_timeout) {
        dstr_printf(s, " idle:%u", fm->idle_timeout);
    }
    if (fm->hard_timeout) {
        dstr_printf(s, " hard:%u", fm->hard_timeout);
    }
    if (fm->out_port != OFPP_ANY) {
        dstr_put(s, " out_port:");
        ofp_print_port(s, fm->out_port);
    }
    if (fm->command != OFPFC_DELETE && fm->command != OFPFC_DELETE_STRICT) {
        dstr_put(s, " actions=");
        ofp_print_insts(s, &fm->insts, version);
    }
}

/* "OFPT_FLOW_MOD (OF1.3) (xid=0x5): ADD table:1 priority=5,ip
 * actions=drop", as ovs-ofctl prints a flow_mod. */
static char *
flow_mod_text(const struct ofp_flow_mod *fm, uint32_t xid)
{
    struct dstr s;
    dstr_init(&s);
    dstr_printf(&s, "OFPT_FLOW_MOD (OF1.3) (xid=0x%x): ", xid);
    sluicectl_format_flow_mod(&s, fm, OFP13_VERSION);
    return dstr_steal(&s);
}

/* Parses 'text' and sends it as a flow_mod of 'cmd'.  Returns 0, or -1
 * after printing why not ('where': "FILE:LINE: " or ""). */
static int
send_flow_mod(struct session *s, const char *text, enum ofp_fm_command cmd,
              const char *where)
{
    struct ofp_flow_mod fm;
    struct dstr err;
    dstr_init(&err);
    if (ofp_parse_flow_mod(text, cmd, &s->ports, &fm, &err)) {
        fprintf(stderr, "sluicectl: %s%s\n", where, dstr_cstr(&err));
        dstr_free(&err);
        return -1;
    }
    uint32_t xid = of_client_next_xid(s->c);
    struct ofp_buf b = OFP_BUF_INIT;
    int e = ofp_flow_mod_encode(&b, OFP_FM_OF13, false, xid, &fm);
    if (e) {
        fprintf(stderr, "sluicectl: %s%s: OpenFlow 1.3 cannot carry this "
                "flow\n", where, text);
    } else {
        remember(s, xid, flow_mod_text(&fm, xid));
        e = of_client_send(s->c, &b, &err);
        if (e) {
            fprintf(stderr, "sluicectl: %s\n", dstr_cstr(&err));
        }
    }
    ofp_buf_free(&b);
    ofp_flow_mod_free(&fm);
    dstr_free(&err);
    return e ? -1 : 0;
}

/* One line of a flows file as ovs-ofctl reads it: a comment from '#' on
 * and white space at either end stripped.  Returns the text, empty for a
 * line with nothing. */
static char *
preprocess(char *line)
{
    char *hash = strchr(line, '#');
    if (hash) {
        *hash = '\0';
    }
    while (isspace((unsigned char) *line)) {
        line++;
    }
    size_t n = strlen(line);
    while (n && isspace((unsigned char) line[n - 1])) {
        line[--n] = '\0';
    }
    return line;
}

/* A line may start with the command it is for, as in ovs-ofctl's files:
 * "add", "modify", "modify_strict", "delete", "delete_strict". */
static enum ofp_fm_command
line_command(char **text, enum ofp_fm_command dflt)
{
    static const struct {
        const char *word;
        enum ofp_fm_command cmd;
    } words[] = {
        { "add", OFPFC_ADD }, { "modify", OFPFC_MODIFY },
        { "modify_strict", OFPFC_MODIFY_STRICT },
        { "delete", OFPFC_DELETE }, { "delete_strict", OFPFC_DELETE_STRICT },
    };
    size_t n = strcspn(*text, " \t,");
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strlen(words[i].word) == n && !strncmp(*text, words[i].word, n)
            && (*text)[n]) {
            *text += n + 1;
            return words[i].cmd;
        }
    }
    return dflt;
}

static int
add_flows(struct session *s, const char *file)
{
    FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
    if (!f) {
        fprintf(stderr, "sluicectl: %s: open failed (%s)\n", file,
                strerror(errno));
        return EXIT_FAILURE;
    }
    /* Every line is parsed before any is sent, as ovs-ofctl does. */
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, status = EXIT_SUCCESS;
    char **texts = NULL;
    enum ofp_fm_command *cmds = NULL;
    size_t n = 0;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        char *text = preprocess(line);
        if (!*text) {
            continue;
        }
        enum ofp_fm_command cmd = line_command(&text, OFPFC_ADD);
        struct ofp_flow_mod fm;
        struct dstr err;
        dstr_init(&err);
        if (ofp_parse_flow_mod(text, cmd, &s->ports, &fm, &err)) {
            fprintf(stderr, "sluicectl: %s:%d: %s\n", file, lineno,
                    dstr_cstr(&err));
            status = EXIT_FAILURE;
        } else {
            ofp_flow_mod_free(&fm);
        }
        dstr_free(&err);
        if (status) {
            break;
        }
        texts = realloc(texts, (n + 1) * sizeof *texts);
        cmds = realloc(cmds, (n + 1) * sizeof *cmds);
        if (!texts || !cmds) {
            abort();
        }
        texts[n] = xasprintf("%s", text);
        cmds[n++] = cmd;
    }
    if (ferror(f)) {
        fprintf(stderr, "sluicectl: %s: read failed (%s)\n", file,
                strerror(errno));
        status = EXIT_FAILURE;
    }
    if (f != stdin) {
        fclose(f);
    }
    free(line);
    for (size_t i = 0; i < n && !status; i++) {
        if (send_flow_mod(s, texts[i], cmds[i], "")) {
            status = EXIT_FAILURE;
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(texts[i]);
    }
    free(texts);
    free(cmds);
    return status ? status : finish(s);
}

static void
put_flags(struct dstr *s, uint16_t flags)
{
    static const char *const names[] = {
        "send_flow_rem", "check_overlap", "reset_counts",
        "no_packet_counts", "no_byte_counts",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (flags & (1u << i)) {
            dstr_printf(s, "%s ", names[i]);
        }
    }
}

/* One rule as `ovs-ofctl -O OpenFlow13 dump-flows` prints it. */
static void
put_flow_stats(struct dstr *s, const struct ofp_flow_stats *fs)
{
    dstr_printf(s, " cookie=0x%" PRIx64 ", duration=", fs->cookie);
    sluicectl_format_duration(s, fs->duration_sec, fs->duration_nsec);
    dstr_printf(s, ", table=%u, n_packets=%" PRIu64 ", n_bytes=%" PRIu64
                ", ", fs->table_id, fs->packet_count, fs->byte_count);
    if (fs->idle_timeout) {
        dstr_printf(s, "idle_timeout=%u, ", fs->idle_timeout);
    }
    if (fs->hard_timeout) {
        dstr_printf(s, "hard_timeout=%u, ", fs->hard_timeout);
    }
    put_flags(s, fs->flags);
    struct dstr m;
    dstr_init(&m);
    ofp_print_match(&m, fs->match, fs->priority);
    if (*dstr_cstr(&m)) {
        dstr_printf(s, "%s ", dstr_cstr(&m));
    }
    dstr_free(&m);
    dstr_put(s, "actions=");
    ofp_print_insts(s, fs->insts, OFP13_VERSION);
    dstr_put(s, "\n");
}

#define OF13_MP_HDR 16

static int
print_flow_reply(const uint8_t *msg, size_t len, void *aux)
{
    struct dstr *out = aux;
    if (msg[1] != OFPT13_MULTIPART_REPLY || len < OF13_MP_HDR) {
        fprintf(stderr, "sluicectl: unexpected reply (type %u)\n", msg[1]);
        return EXIT_FAILURE;
    }
    dstr_printf(out, "OFPST_FLOW reply (OF1.3) (xid=0x%" PRIx32 "):\n",
                ofp_get_u32(msg + 4));
    const uint8_t *p = msg + OF13_MP_HDR;
    size_t left = len - OF13_MP_HDR;
    while (left) {
        struct ofp_flow_stats fs;
        struct ofp_match m;
        struct ofp_insts in;
        enum ofp_err e = ofp13_flow_stats_decode(&p, &left, &fs, &m, &in);
        if (!e) {
            put_flow_stats(out, &fs);
        }
        ofp_insts_free(&in);
        if (e) {
            fprintf(stderr, "sluicectl: bad flow statistics reply: %s\n",
                    ofp_err_name(e));
            return EXIT_FAILURE;
        }
    }
    return 0;
}

static int
dump_flows(struct session *s, const char *text)
{
    struct ofp_flow_mod fm;
    struct dstr err;
    dstr_init(&err);
    if (ofp_parse_flow_mod(text ? text : "", OFPFC_DELETE, &s->ports, &fm,
                           &err)) {
        fprintf(stderr, "sluicectl: %s\n", dstr_cstr(&err));
        dstr_free(&err);
        return EXIT_FAILURE;
    }
    struct ofp_flow_stats_request r = {
        .format = OFP_STATS_OF13, .table_id = fm.table_id,
        .out_port = fm.out_port, .out_group = fm.out_group,
        .cookie = fm.cookie, .cookie_mask = fm.cookie_mask,
        .match = fm.match,
    };
    ofp_flow_mod_free(&fm);
    uint32_t xid = of_client_next_xid(s->c);
    struct ofp_buf b = OFP_BUF_INIT;
    ofp_flow_stats_request_encode(&b, xid, &r);
    struct dstr out;
    dstr_init(&out);
    int status = of_client_request(s->c, &b, xid, print_flow_reply, &out);
    ofp_buf_free(&b);
    if (!status) {
        fputs(dstr_cstr(&out), stdout);
    }
    dstr_free(&out);
    dstr_free(&err);
    return status;
}

/* "in_port=N packet=HEX actions=...": the packet-out's parts. */
static int
parse_hex(const char *hex, uint8_t **data, size_t *len)
{
    size_t n = 0;
    uint8_t *p = malloc(strlen(hex) / 2 + 1);
    if (!p) {
        abort();
    }
    while (*hex) {
        if (isspace((unsigned char) *hex) || *hex == '.') {
            hex++;
            continue;
        }
        if (!isxdigit((unsigned char) hex[0])
            || !isxdigit((unsigned char) hex[1])) {
            free(p);
            return -EINVAL;
        }
        char byte[3] = { hex[0], hex[1], '\0' };
        p[n++] = (uint8_t) strtoul(byte, NULL, 16);
        hex += 2;
    }
    *data = p;
    *len = n;
    return 0;
}

static int
packet_out(struct session *s, const char *text)
{
    char *copy = xasprintf("%s", text);
    char *acts = strstr(copy, "actions=");
    struct ofp_packet_out po = {
        .buffer_id = OFP_NO_BUFFER, .in_port = OFPP_CONTROLLER,
    };
    uint8_t *data = NULL;
    struct dstr err;
    dstr_init(&err);
    struct ofp_insts in;
    ofp_insts_init(&in);
    if (!acts) {
        dstr_put(&err, "packet-out: must specify actions");
    } else {
        *acts = '\0';
        acts += strlen("actions=");
    }
    char *save = NULL;
    for (char *w = acts ? strtok_r(copy, ", \t", &save) : NULL;
         w && !err.len; w = strtok_r(NULL, ", \t", &save)) {
        char *eq = strchr(w, '=');
        if (!eq) {
            dstr_printf(&err, "packet-out: %s: missing value", w);
            break;
        }
        *eq++ = '\0';
        if (!strcmp(w, "in_port")) {
            if (!ofp_parse_port(eq, &s->ports, &po.in_port)) {
                dstr_printf(&err, "%s: invalid or unknown port", eq);
            }
        } else if (!strcmp(w, "packet")) {
            free(data);
            data = NULL;
            if (parse_hex(eq, &data, &po.len) || !po.len) {
                dstr_put(&err, "packet: Trailing garbage in packet data");
            }
        } else {
            dstr_printf(&err, "unknown keyword %s", w);
        }
    }
    if (!err.len && !data) {
        dstr_put(&err, "packet-out: must specify packet");
    }
    if (!err.len && ofp_parse_actions(acts, &s->ports, &in, &err) == 0
        && in.present & ~(1u << OFPIT_APPLY_ACTIONS)) {
        dstr_put(&err, "packet-out: only actions, no instructions");
    }
    int status = EXIT_SUCCESS;
    if (err.len) {
        fprintf(stderr, "sluicectl: %s\n", dstr_cstr(&err));
        status = EXIT_FAILURE;
    } else {
        po.actions = in.apply;
        po.data = data;
        uint32_t xid = of_client_next_xid(s->c);
        struct ofp_buf b = OFP_BUF_INIT;
        if (ofp_packet_out_encode(&b, OFP13_VERSION, xid, &po)) {
            fprintf(stderr, "sluicectl: packet-out: OpenFlow 1.3 cannot "
                    "carry these actions\n");
            status = EXIT_FAILURE;
        } else {
            struct dstr t;
            dstr_init(&t);
            dstr_printf(&t, "OFPT_PACKET_OUT (OF1.3) (xid=0x%x): in_port=",
                        xid);
            ofp_print_port(&t, po.in_port);
            dstr_put(&t, " actions=");
            ofp_print_actions(&t, &po.actions, OFP13_VERSION);
            dstr_printf(&t, " data_len=%zu", po.len);
            remember(s, xid, dstr_steal(&t));
            if (of_client_send(s->c, &b, &err)) {
                fprintf(stderr, "sluicectl: %s\n", dstr_cstr(&err));
                status = EXIT_FAILURE;
            } else {
                status = finish(s);
            }
            dstr_free(&t);
        }
        ofp_buf_free(&b);
    }
    ofp_insts_free(&in);
    free(data);
    free(copy);
    dstr_free(&err);
    return status;
}

static int
usage_error(const char *cmd, const char *args)
{
    fprintf(stderr, "sluicectl: usage: sluicectl %s %s\n", cmd, args);
    return EXIT_FAILURE;
}

int
sluicectl_flows_run(const struct sluicectl_flows_opts *o, int argc,
                    char *argv[])
{
    const char *cmd = argv[0];
    bool mod = !strcmp(cmd, "mod-flows"), del = !strcmp(cmd, "del-flows");
    if (o->strict && !mod && !del) {
        fprintf(stderr, "sluicectl: %s: --strict is for mod-flows and "
                "del-flows\n", cmd);
        return EXIT_FAILURE;
    }
    if ((!strcmp(cmd, "add-flow") || !strcmp(cmd, "add-flows")
         || !strcmp(cmd, "packet-out") || mod) && argc != 3) {
        return usage_error(cmd, !strcmp(cmd, "add-flows") ? "BRIDGE FILE"
                                : "BRIDGE FLOW");
    }
    struct of_client *c = sluicectl_flows_connect(o, argv[1]);
    if (!c) {
        return EXIT_FAILURE;
    }
    struct session s;
    session_init(&s, c);
    int status;
    if (!strcmp(cmd, "show") || !strcmp(cmd, "dump-ports")
        || !strcmp(cmd, "dump-tables")) {
        status = sluicectl_ofshow_run(c, argc, argv);
    } else if (!strcmp(cmd, "dump-flows")) {
        status = dump_flows(&s, argc > 2 ? argv[2] : NULL);
    } else if (!strcmp(cmd, "add-flows")) {
        status = add_flows(&s, argv[2]);
    } else if (!strcmp(cmd, "packet-out")) {
        status = packet_out(&s, argv[2]);
    } else {
        enum ofp_fm_command fc = mod ? (o->strict ? OFPFC_MODIFY_STRICT
                                                  : OFPFC_MODIFY)
                                 : del ? (o->strict ? OFPFC_DELETE_STRICT
                                                    : OFPFC_DELETE)
                                 : OFPFC_ADD;
        status = send_flow_mod(&s, argc > 2 ? argv[2] : "", fc, "")
                 ? EXIT_FAILURE : finish(&s);
    }
    session_destroy(&s);
    return status;
}
