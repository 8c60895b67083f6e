/* ofp_parse: the flow syntax of ovs-ofctl(8) - what `ovs-ofctl add-flow`,
 * `mod-flows`, `del-flows` and `dump-flows` read - into the codec's
 * 'struct ofp_flow_mod' (ofproto/ofp_flow_mod.h), 'struct ofp_match' and
 * 'struct ofp_insts'.
 *
 * A flow is "key[=value]" words separated by commas or spaces: match
 * fields by their ovs-fields(7) names or the old ones (dl_src, nw_src,
 * tp_dst, dl_vlan, ...) with masks and CIDR, the protocol shorthands (ip,
 * tcp, udp6, arp, ...), the flow_mod's own keys (table, priority, cookie,
 * timeouts, out_port, flags such as send_flow_rem) and, last, "actions="
 * with the rest of the text: actions (ovs-actions(7)) and the OpenFlow 1.3
 * instructions (goto_table, write_actions(...), clear_actions,
 * write_metadata, meter).  Fields whose prerequisites the match lacks are
 * dropped, as ovs-ofctl's normalisation does.  Numbers are C literals
 * (0x.., 0.. octal), port numbers decimal.  Errors are reported with the
 * words ovs-ofctl uses where Sluice knows them. */
#ifndef SLUICE_OFP_PARSE_H
#define SLUICE_OFP_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "ofproto/ofp_flow_mod.h"

struct dstr;

/* Port names: 'lookup' sets '*port' (32-bit numbering) for a port called
 * 'name' and returns true, or returns false.  Reserved names (LOCAL,
 * IN_PORT, NORMAL, ...) and numbers never reach it. */
struct ofp_parse_ports {
    bool (*lookup)(const char *name, uint32_t *port, void *aux);
    void *aux;
};

/* Parses 'text' as a flow for 'command' into 'fm' (freed with
 * ofp_flow_mod_free() on success; nothing to free on error).  Adds and
 * modifies need "actions=" (del-flows refuse it).  'ports' may be NULL.
 * Returns 0, or -EINVAL with the reason in 'err'. */
int ofp_parse_flow_mod(const char *text, enum ofp_fm_command command,
                       const struct ofp_parse_ports *ports,
                       struct ofp_flow_mod *fm, struct dstr *err);

/* A bare match (fields and shorthands only, no priority, no actions),
 * as ofproto/trace reads a flow.  Returns 0 or -EINVAL. */
int ofp_parse_match(const char *text, const struct ofp_parse_ports *,
                    struct ofp_match *, struct dstr *err);

/* Actions and instructions ("output:1,goto_table:2"); 'insts' must be
 * freshly initialised (ofp_insts_init()); on error free it. */
int ofp_parse_actions(const char *text, const struct ofp_parse_ports *,
                      struct ofp_insts *, struct dstr *err);

/* A port: a decimal number, a reserved name (case does not matter) or a
 * name 'ports' knows. */
bool ofp_parse_port(const char *s, const struct ofp_parse_ports *,
                    uint32_t *port);

#endif
