/* of_table: the OpenFlow flow tables of one switch - 255 tables of rules
 * (match, priority, cookie, timeouts, flags, instructions, counters), each
 * table a classifier (ofproto/classifier.h) - and what flow_mods do to them,
 * with Open vSwitch 3.1's semantics for every OpenFlow version (each point
 * below checked against ovs-vswitchd 3.1 driven by ovs-ofctl):
 *
 *   add            into fm->table_id (OFPTT_ALL: table 0; an OpenFlow 1.3
 *                  add naming OFPTT_ALL, which the decoder refuses,
 *                  OFPFMFC_BAD_TABLE_ID).  A rule with the same match and
 *                  priority is replaced in place (the same struct of_rule):
 *                  it takes fm's cookie, timeouts, flags and instructions,
 *                  its duration and hard timeout start again, its last use
 *                  is kept, and its counters are kept unless they are reset:
 *                  by OFPFF_RESET_COUNTS, and always for OpenFlow 1.0 and
 *                  NXM adds (which, as in OVS, store OFPFF13_RESET_COUNTS
 *                  in the rule's flags).  With OFPFF_CHECK_OVERLAP a rule of
 *                  equal priority that some packet could match as well
 *                  refuses it (OFPFMFC_OVERLAP; not a rule it replaces).  A
 *                  new rule in a table at its limit, or beyond OF_MAX_RULES
 *                  in all, is refused (OFPFMFC_TABLE_FULL); a replacement
 *                  is not.  No flow-removed for a replaced rule.
 *   modify         the rules whose match is at least as specific as
 *                  fm->match (strict: the same match and priority), under
 *                  the cookie filter, in fm->table_id (OFPTT_ALL: every
 *                  table) get fm's instructions (and, where fm's format
 *                  says so, its cookie; timeouts and flags stay).  The
 *                  cookie changes for OpenFlow 1.0 and NXM when
 *                  fm->new_cookie is not UINT64_MAX, never for OpenFlow
 *                  1.3.  A modify restarts the rule's hard timeout (as OVS:
 *                  it counts from the last change, 'modified_ms'), keeps
 *                  its duration and last use, and resets its counters only
 *                  with OpenFlow 1.3's OFPFF_RESET_COUNTS.  OpenFlow 1.0
 *                  and NXM modifies without a cookie filter and with
 *                  new_cookie not UINT64_MAX add the rule when nothing
 *                  matched, as OVS does (an add with fm's cookie,
 *                  timeouts and flags, subject to the add's checks).
 *   delete         the same selection, also filtered by out_port and
 *                  out_group; the rules go to 'removed'.
 *
 * Modify and delete ignore 'priority' unless strict; only delete looks at
 * out_port and out_group.
 *
 * Rules carry their counters (packets and bytes of every packet
 * translated by them, including what megaflows translated from them
 * forwarded: the caller accounts them with of_rule_account()) and their
 * times (created, modified, last used) for statistics, idle and hard
 * timeouts and flow-removed messages.  Every change bumps the tables'
 * version, which revalidation compares.  Control thread only. */
#ifndef SLUICE_OF_TABLE_H
#define SLUICE_OF_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofproto/classifier.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_stats.h"

#define OF_N_TABLES 255

/* At most this many rules in all tables, whatever the tables' own limits,
 * so that a controller cannot take all memory: a rule takes about 1.1 kB
 * plus 32 bytes an action, so this many take over a gigabyte. */
#define OF_MAX_RULES 1000000

struct of_rule {
    struct cls_rule cr;             /* cr.priority is 'priority'. */
    uint8_t table_id;
    uint16_t priority;
    uint16_t idle_timeout, hard_timeout;    /* Seconds; 0: none. */
    uint16_t flags;                 /* OFPFF_* (OpenFlow 1.3 meanings). */
    uint64_t cookie;
    struct ofp_match match;         /* The rule's match (for statistics,
                                     * encoded in each reader's format). */
    struct ofp_insts insts;
    uint64_t created_ms, modified_ms, used_ms;  /* loop_now_ms() clock;
                                                 * created counts as used. */
    uint64_t packet_count, byte_count;

    /* of_table's own. */
    struct of_rule *prev, *next;    /* In its table, by insertion. */
    struct of_rule *timed_prev, *timed_next;    /* With a timeout. */
    bool timed;                     /* In the list of rules with one. */
    uint64_t seq;                   /* Insertion order, for equal
                                     * priorities. */
};

struct of_table {
    struct classifier cls;          /* Of 'struct of_rule'. */
    uint64_t lookup_count, matched_count;
    uint32_t max_rules;             /* 0: no limit of its own. */
    struct of_rule *first, *last;   /* Its rules, by insertion. */
};

struct of_tables {
    struct of_table tables[OF_N_TABLES];
    size_t n_rules;
    uint64_t version;               /* Bumped by every change. */

    /* of_table's own. */
    struct of_rule *timed;          /* Rules with a timeout. */
    uint64_t next_seq;
    uint64_t next_expiry;           /* No rule expires before (may be
                                     * early: of_tables_next_expiry()). */
};

/* A list of rules taken out of the tables, for flow-removed messages;
 * the caller frees them with of_rule_free() and the list with
 * of_rule_list_destroy(). */
struct of_rule_list {
    struct of_rule **rules;
    enum ofp_flow_removed_reason *reasons;
    size_t n, cap;
};

void of_rule_list_init(struct of_rule_list *);
void of_rule_list_destroy(struct of_rule_list *);

void of_tables_init(struct of_tables *);
/* Frees every rule. */
void of_tables_destroy(struct of_tables *);

/* Applies 'fm' at 'now_ms'.  Returns 0 or the error to answer the
 * flow_mod with (then nothing changed): those above, OFPFMFC_BAD_COMMAND
 * for a command out of range, OFPFMFC_UNKNOWN when memory is short.
 * Deleted rules go to 'removed' with reason OFPRR_DELETE (may be NULL:
 * they are freed), in table order and, within a table, by insertion.  A
 * rule replaced by an add is updated in place, not listed.  The version
 * is bumped once if anything changed. */
enum ofp_err of_tables_flow_mod(struct of_tables *,
                                const struct ofp_flow_mod *fm,
                                uint64_t now_ms,
                                struct of_rule_list *removed);

/* The highest-priority rule of table 'table_id' that 'key' matches, or
 * NULL (a table miss); ORs the bits examined into 'wc' (may be NULL).
 * Counts the lookup and, on a match, the hit in the table's statistics. */
struct of_rule *of_tables_lookup(struct of_tables *, uint8_t table_id,
                                 const struct cls_key *key,
                                 struct cls_key *wc);

/* Adds 'packets' and 'bytes' to 'rule''s counters; if 'packets', it was
 * used at 'now_ms'. */
void of_rule_account(struct of_rule *, uint64_t packets, uint64_t bytes,
                     uint64_t now_ms);

/* Removes the rules whose idle or hard timeout passed at 'now_ms' into
 * 'removed' (reasons OFPRR_IDLE_TIMEOUT, OFPRR_HARD_TIMEOUT; in no
 * particular order).  Returns how many.  When the next one may expire:
 * of_tables_next_expiry().
 * A hard timeout passes 'hard_timeout' seconds after 'modified_ms' (the
 * add or the last modify, as OVS), an idle one 'idle_timeout' seconds
 * after 'used_ms'; 'now_ms' equal to that time has passed it.  When both
 * have passed the reason is the hard timeout.  Costs one walk over the
 * rules that have a timeout; if 'removed' cannot grow (memory short) it
 * removes nothing and returns 0, to be tried again. */
size_t of_tables_expire(struct of_tables *, uint64_t now_ms,
                        struct of_rule_list *removed);
/* The earliest time a rule could expire, UINT64_MAX if none has a
 * timeout.  O(1): a bound kept up to date by every change, exact after
 * of_tables_expire(); it may be early (a rule used or deleted since), never
 * late, so calling of_tables_expire() then may find nothing. */
uint64_t of_tables_next_expiry(const struct of_tables *);

/* Calls 'cb' for each rule that a flow or aggregate statistics request
 * selects (table, loose match, out_port, out_group, cookie filter), in
 * table order and, within a table, by decreasing priority and, for equal
 * priorities, in insertion order.  'cb' must not change the tables. */
void of_tables_collect(struct of_tables *,
                       const struct ofp_flow_stats_request *,
                       void (*cb)(struct of_rule *, void *aux), void *aux);

/* Fills 'fs' from 'rule' at 'now_ms' (fs->match and fs->insts point into
 * the rule): duration since 'created_ms', idle_age and hard_age (NX) the
 * whole seconds since 'used_ms' and 'modified_ms' plus one (at most
 * 65535). */
void of_rule_to_stats(const struct of_rule *, uint64_t now_ms,
                      struct ofp_flow_stats *fs);

void of_rule_free(struct of_rule *);

/* Whether 'rule''s actions (apply or write, in that order) output to
 * 'port' (OFPP_ANY: true) or to group 'group' (OFPG_ANY: true), as the
 * out_port/out_group filters mean it: an output action's port (reserved
 * ports such as OFPP_CONTROLLER or OFPP_IN_PORT as plain numbers) or an
 * enqueue's; a group action's group. */
bool of_rule_has_out_port(const struct of_rule *, uint32_t port);
bool of_rule_has_out_group(const struct of_rule *, uint32_t group);

#endif
