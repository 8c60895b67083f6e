/* rule_ctl: debug rules on the control socket; the rule table as the
 * translation provider. */
#include "ofproto/rule_ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/rule_table.h"
#include "ofproto/upcall.h"
#include "ofproto/xlate.h"
#include "pmd/actions.h"
#include "pmd/dp.h"
#include "pmd/flow_parse.h"
#include "pmd/megaflow.h"
#include "pmd/pmd.h"
#include "pmd/port.h"
#include "src/util/ctl.h"
#include "src/util/dstr.h"
#include "src/util/scan.h"

static struct rule_table table;

static int
translate(const struct flow *flow, struct xlate_out *out, void *aux)
{
    (void) aux;
    struct rule *r = rule_table_lookup(&table, flow, &out->mask);
    out->version = table.version;
    if (!r) {
        return XLATE_NO_MATCH;
    }
    r->hits++;
    if (r->actions) {
        size_t size = sizeof *r->actions + r->actions->size;
        out->actions = malloc(size);
        if (!out->actions) {
            return -ENOMEM;
        }
        memcpy(out->actions, r->actions, size);
    }
    return 0;
}

/* Rules changed: megaflows translated under the old table are checked
 * against the new one. */
static void
revalidate(struct dp *dp)
{
    upcall_revalidate(dp);
}

/* "any" or "" matches everything. */
static int
parse_match(struct dp *dp, const char *text, struct flow *match,
            struct flow *mask, struct dstr *err)
{
    if (!strcmp(text, "any")) {
        text = "";
    }
    return flow_parse(text, match, mask, dp_port_lookup, dp, err);
}

static int
parse_priority(const char *s, int *priority, struct dstr *err)
{
    uint64_t v;
    if (scan_uint(s, 10, 65535, &v)) {
        dstr_printf(err, "priority \"%s\" must be a number from 0 to 65535\n",
                    s);
        return -EINVAL;
    }
    *priority = (int) v;
    return 0;
}

static int
cmd_add_rule(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    struct dp *dp = dp_;
    struct flow match, mask;
    struct dp_actions *acts = NULL;
    int priority;
    (void) argc;

    if (parse_priority(argv[1], &priority, reply)
        || parse_match(dp, argv[2], &match, &mask, reply)
        || dp_actions_parse(argv[3], &acts, dp_port_lookup, dp, reply)) {
        return 1;
    }
    if (rule_table_add(&table, priority, &match, &mask, acts)) {
        free(acts);
        dstr_put(reply, "out of memory\n");
        return 1;
    }
    revalidate(dp);
    return 0;
}

static int
cmd_del_rule(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    struct dp *dp = dp_;
    struct flow match, mask;
    int priority;
    (void) argc;

    if (parse_priority(argv[1], &priority, reply)
        || parse_match(dp, argv[2], &match, &mask, reply)) {
        return 1;
    }
    if (rule_table_del(&table, priority, &match, &mask)) {
        dstr_put(reply, "no such rule\n");
        return 1;
    }
    revalidate(dp);
    return 0;
}

static int
cmd_del_rules(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    (void) argc;
    (void) argv;
    (void) reply;
    rule_table_clear(&table);
    revalidate(dp_);
    return 0;
}

/* debug/set-prefixes none|nw_src|nw_dst|nw_src,nw_dst: which prefix
 * tries the rule table's lookups use (as Open vSwitch's Flow_Table
 * other_config:prefixes).  Without them a megaflow is exact on every
 * address prefix its lookup checked (sluice-bench's setup scenario uses
 * that to make every flow a megaflow of its own). */
static int
cmd_set_prefixes(int argc, const char *argv[], struct dstr *reply,
                 void *dp_)
{
    unsigned int prefixes = 0;
    (void) argc;
    if (strcmp(argv[1], "none")) {
        char *copy = xasprintf("%s", argv[1]);
        char *save = NULL;
        for (char *f = strtok_r(copy, ",", &save); f;
             f = strtok_r(NULL, ",", &save)) {
            if (!strcmp(f, "nw_src")) {
                prefixes |= 1u << CLS_TRIE_NW_SRC;
            } else if (!strcmp(f, "nw_dst")) {
                prefixes |= 1u << CLS_TRIE_NW_DST;
            } else {
                dstr_printf(reply, "\"%s\": expected none or nw_src, "
                            "nw_dst separated by commas\n", f);
                free(copy);
                return 1;
            }
        }
        free(copy);
    }
    if (cls_set_prefixes(&table.cls, prefixes)) {
        dstr_put(reply, "out of memory\n");
        return 1;
    }
    table.version++;
    revalidate(dp_);
    return 0;
}

static int
cmd_show_rules(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    (void) argc;
    (void) argv;
    for (struct rule *r = table.rules; r; r = r->next) {
        dstr_printf(reply, "priority=%d, hits=%lu, match=", r->priority,
                    r->hits);
        size_t before = reply->len;
        flow_format(&r->match, &r->mask, reply);
        if (reply->len == before) {
            dstr_put(reply, "any");
        }
        dstr_put(reply, ", actions:");
        dp_actions_format(r->actions, reply, dp_port_name, dp_);
        dstr_put(reply, "\n");
    }
    return 0;
}

int
rule_ctl_set_port_output(struct dp *dp, const char *in, const char *actions,
                         struct dstr *err)
{
    struct flow match, mask;
    struct dp_actions *acts = NULL;
    struct dstr text = DSTR_INIT;

    dstr_printf(&text, "in_port(%s)", in);
    int error = parse_match(dp, dstr_cstr(&text), &match, &mask, err);
    dstr_free(&text);
    if (error || dp_actions_parse(actions, &acts, dp_port_lookup, dp, err)) {
        return 1;
    }
    if (rule_table_add(&table, 0, &match, &mask, acts)) {
        free(acts);
        dstr_put(err, "out of memory\n");
        return 1;
    }
    revalidate(dp);
    return 0;
}

static int
cmd_set_if_output(int argc, const char *argv[], struct dstr *reply,
                  void *dp_)
{
    struct dstr acts = DSTR_INIT;
    for (int i = 2; i < argc; i++) {
        dstr_printf(&acts, "%s%s", i > 2 ? "," : "", argv[i]);
    }
    int error = rule_ctl_set_port_output(dp_, argv[1], dstr_cstr(&acts),
                                         reply);
    dstr_free(&acts);
    return error;
}

void
rule_ctl_init(struct dp *dp)
{
    rule_table_init(&table);
    xlate_add_provider(translate, NULL);
    ctl_register("debug/add-rule", "PRIORITY MATCH ACTIONS", 3, 3,
                 cmd_add_rule, dp);
    ctl_register("debug/del-rule", "PRIORITY MATCH", 2, 2, cmd_del_rule, dp);
    ctl_register("debug/del-rules", "", 0, 0, cmd_del_rules, dp);
    ctl_register("debug/show-rules", "", 0, 0, cmd_show_rules, dp);
    ctl_register("debug/set-prefixes", "none|nw_src[,nw_dst]", 1, 1,
                 cmd_set_prefixes, dp);
    ctl_register("dpctl/set-if-output", "NAME {drop | PORT...}", 2, 16,
                 cmd_set_if_output, dp);
}

void
rule_ctl_destroy(void)
{
    xlate_remove_provider(translate, NULL);
    rule_table_destroy(&table);
}
