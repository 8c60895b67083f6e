/* of_table: the OpenFlow flow tables of one switch - 255 tables of rules
 * (match, priority, cookie, timeouts, flags, instructions, counters), each
 * table a classifier (ofproto/classifier.h) - and what flow_mods do to them,
 * with Open vSwitch 3.1's semantics for every OpenFlow version:
 *
 *   add            into fm->table_id (OFPTT_ALL: table 0); a rule with the
 *                  same match and priority is replaced (its counters and
 *                  age kept unless OFPFF_RESET_COUNTS, as OVS); with
 *                  OFPFF_CHECK_OVERLAP an overlapping rule of equal
 *                  priority refuses it (OFPFMFC_OVERLAP); a table at its
 *                  limit refuses it (OFPFMFC_TABLE_FULL).
 *   modify         the rules whose match is at least as specific as
 *                  fm->match (strict: the same match and priority), under
 *                  the cookie filter, in fm->table_id (OFPTT_ALL: every
 *                  table) get fm's instructions (and, where fm's format
 *                  says so, its cookie; timeouts and flags stay).  OpenFlow
 *                  1.0 and NXM modifies without a cookie filter add the
 *                  rule when nothing matched, as OVS does.
 *   delete         the same selection, also filtered by out_port and
 *                  out_group; the rules go to 'removed'.
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
    uint64_t created_ms, modified_ms, used_ms;  /* loop_now_ms() clock. */
    uint64_t packet_count, byte_count;
};

struct of_table {
    struct classifier cls;          /* Of 'struct of_rule'. */
    uint64_t lookup_count, matched_count;
    uint32_t max_rules;             /* 0: no limit of its own. */
};

struct of_tables {
    struct of_table tables[OF_N_TABLES];
    size_t n_rules;
    uint64_t version;               /* Bumped by every change. */
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
 * flow_mod with (then nothing changed).  Deleted rules go to 'removed'
 * with reason OFPRR_DELETE (may be NULL: they are freed).  Rules replaced
 * by an add are freed, not listed. */
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
 * 'removed' (reasons OFPRR_IDLE_TIMEOUT, OFPRR_HARD_TIMEOUT).  Returns
 * how many.  When the next one may expire: of_tables_next_expiry(). */
size_t of_tables_expire(struct of_tables *, uint64_t now_ms,
                        struct of_rule_list *removed);
/* The earliest time a rule could expire, UINT64_MAX if none has a
 * timeout. */
uint64_t of_tables_next_expiry(const struct of_tables *);

/* Calls 'cb' for each rule that a flow or aggregate statistics request
 * selects (table, loose match, out_port, out_group, cookie filter), in
 * table order and, within a table, by decreasing priority. */
void of_tables_collect(struct of_tables *,
                       const struct ofp_flow_stats_request *,
                       void (*cb)(struct of_rule *, void *aux), void *aux);

/* Fills 'fs' from 'rule' at 'now_ms' (fs->match and fs->insts point into
 * the rule). */
void of_rule_to_stats(const struct of_rule *, uint64_t now_ms,
                      struct ofp_flow_stats *fs);

void of_rule_free(struct of_rule *);

/* Whether 'rule''s actions (apply or write, in that order) output to
 * 'port' (OFPP_ANY: true) or to group 'group' (OFPG_ANY: true), as the
 * out_port/out_group filters mean it. */
bool of_rule_has_out_port(const struct of_rule *, uint32_t port);
bool of_rule_has_out_group(const struct of_rule *, uint32_t group);

#endif
