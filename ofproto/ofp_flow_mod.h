/* ofp_flow_mod: OpenFlow 1.3 instructions, and flow_mod messages of
 * OpenFlow 1.0 (OFPT_FLOW_MOD), OpenFlow 1.3 (OFPT_FLOW_MOD) and Nicira
 * (NXT_FLOW_MOD: OF1.0 header, NXM match) decoded into one struct.
 *
 * Instructions: goto_table, write_metadata, write/apply/clear actions and
 * meter, each at most once (OFPBIC_DUP_INST), lengths checked
 * (OFPBIC_BAD_LEN), unknown ones OFPBIC_UNKNOWN_INST, experimenter ones
 * OFPBIC_BAD_EXPERIMENTER, goto_table only forward (OFPBIC_BAD_TABLE_ID).
 * OpenFlow 1.0 and NXM flow_mods carry an action list: it becomes the
 * apply-actions instruction, and a Nicira write_metadata at its end the
 * write-metadata instruction (ofp10_insts_encode() says what goes back).
 *
 * table_id: OpenFlow 1.3 carries it.  OpenFlow 1.0 and NXT_FLOW_MOD carry
 * it in the high byte of 'command' only once the peer has enabled
 * NXT_FLOW_MOD_TABLE_ID (the connection's state, passed in); otherwise
 * table_id is OFPTT_ALL, which for an add means table 0 and for modify and
 * delete all tables (as Open vSwitch does).  OpenFlow 1.3 allows OFPTT_ALL
 * for deletes only; its encoder writes table 0 for the others, as OVS. */
#ifndef SLUICE_OFP_FLOW_MOD_H
#define SLUICE_OFP_FLOW_MOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofproto/ofp_actions.h"
#include "ofproto/ofp_match.h"

struct ofp_buf;

/* Instruction types; 'present' bits are 1 << type. */
#define OFPIT_GOTO_TABLE     1
#define OFPIT_WRITE_METADATA 2
#define OFPIT_WRITE_ACTIONS  3
#define OFPIT_APPLY_ACTIONS  4
#define OFPIT_CLEAR_ACTIONS  5
#define OFPIT_METER          6

#define OFPTT_MAX 0xfe
#define OFPTT_ALL 0xff
#define OFPG_ANY  0xffffffffu
#define OFP_NO_BUFFER 0xffffffffu

struct ofp_insts {
    uint32_t present;           /* 1 << OFPIT_*. */
    uint8_t goto_table;
    uint64_t metadata, metadata_mask;
    uint32_t meter_id;
    struct ofp_actions apply;
    struct ofp_actions write;
};

void ofp_insts_init(struct ofp_insts *);
void ofp_insts_free(struct ofp_insts *);
bool ofp_insts_equal(const struct ofp_insts *, const struct ofp_insts *);

/* OpenFlow 1.3 instructions 'p' ('len' bytes) of a rule in 'table_id'
 * (OFPTT_ALL: not known).  'out' must be freshly initialised. */
enum ofp_err ofp13_insts_decode(const uint8_t *p, size_t len,
                                uint8_t table_id, unsigned int act_flags,
                                struct ofp_insts *out);
/* Returns 0 or -ENOTSUP (an action OpenFlow 1.3 cannot carry); 'match'
 * (may be NULL): the rule's, as ofp_actions_encode_for() uses it. */
int ofp13_insts_encode(struct ofp_buf *, const struct ofp_insts *,
                       const struct ofp_match *match);
/* The instructions as OpenFlow 1.0 and NXM carry them, an action list, as
 * Open vSwitch sends them: the apply-actions, then write_metadata as
 * NXAST_WRITE_METADATA and goto_table as resubmit(,N); clear_actions,
 * write_actions and meter are left out.  (So OVS itself reads what it
 * sends for write_metadata with goto_table as out of order.)  Returns 0
 * or -ENOTSUP (an action OpenFlow 1.0 cannot carry). */
int ofp10_insts_encode(struct ofp_buf *, const struct ofp_insts *);

enum ofp_fm_command {
    OFPFC_ADD, OFPFC_MODIFY, OFPFC_MODIFY_STRICT, OFPFC_DELETE,
    OFPFC_DELETE_STRICT,
};

/* flags. */
#define OFPFF_SEND_FLOW_REM 1
#define OFPFF_CHECK_OVERLAP 2
#define OFPFF10_EMERG       4       /* Not supported. */
#define OFPFF13_RESET_COUNTS 4
#define OFPFF13_NO_PKT_COUNTS 8
#define OFPFF13_NO_BYT_COUNTS 16

enum ofp_fm_format {
    OFP_FM_OF10,                    /* OFPT_FLOW_MOD, OpenFlow 1.0. */
    OFP_FM_NXM,                     /* NXT_FLOW_MOD. */
    OFP_FM_OF13,                    /* OFPT_FLOW_MOD, OpenFlow 1.3. */
};

struct ofp_flow_mod {
    enum ofp_fm_format format;      /* What it was decoded from. */
    /* Cookies.  'new_cookie' is the one an added (or, in OF1.0/NXM,
     * modified) rule gets: the header's.  'cookie' under 'cookie_mask'
     * selects the rules to modify or delete: OF1.3's header carries it
     * (so there cookie == new_cookie), NXM's match (NXM_NX_COOKIE),
     * OF1.0 none (mask 0). */
    uint64_t new_cookie;
    uint64_t cookie, cookie_mask;
    uint8_t table_id;
    enum ofp_fm_command command;
    uint16_t idle_timeout, hard_timeout, priority;
    uint32_t buffer_id;
    uint32_t out_port;              /* OFPP_ANY: none. */
    uint32_t out_group;             /* OFPG_ANY: none (OF1.3). */
    uint16_t flags;                 /* OFPFF_*, OF1.3 meanings. */
    struct ofp_match match;
    struct ofp_insts insts;
};

/* A flow_mod of 'format' and 'command' that matches everything: table 0,
 * priority 0, cookie 0, no buffer, no out_port or out_group filter, no
 * instructions (free it with ofp_flow_mod_free() once it has some). */
void ofp_flow_mod_init(struct ofp_flow_mod *, enum ofp_fm_format,
                       enum ofp_fm_command);

/* Decodes the whole message 'msg' ('len' bytes): an OpenFlow 1.0 or 1.3
 * OFPT_FLOW_MOD, or an NXT_FLOW_MOD.  'table_id_ext': whether the peer
 * enabled NXT_FLOW_MOD_TABLE_ID (OF1.0 and NXM only).  On success the
 * caller frees 'fm' with ofp_flow_mod_free(); on error there is nothing
 * to free.  Errors: OFPBRC_BAD_LEN, OFPBRC_BAD_TYPE/SUBTYPE (not a
 * flow_mod), OFPFMFC_BAD_COMMAND, OFPFMFC_BAD_FLAGS, OFPFMFC_BAD_TABLE_ID
 * (OF1.3 OFPTT_ALL but to delete), OFPFMFC_BAD_EMERG_TIMEOUT/TABLE_FULL (OF1.0
 * emergency flows), and those of the match, instructions and actions,
 * including ofp_actions_check()'s against the match (as ovs-ofctl). */
enum ofp_err ofp_flow_mod_decode(const uint8_t *msg, size_t len,
                                 bool table_id_ext,
                                 struct ofp_flow_mod *fm);
void ofp_flow_mod_free(struct ofp_flow_mod *);

/* Appends 'fm' as a message of 'format' with 'xid' (OF1.0/NXM with the
 * table id in 'command' when 'table_id_ext').  Returns 0, or -ENOTSUP if
 * that format cannot carry it (match fields, actions), leaving the buffer
 * as it was; OF1.0/NXM carry instructions as ofp10_insts_encode(). */
int ofp_flow_mod_encode(struct ofp_buf *, enum ofp_fm_format format,
                        bool table_id_ext, uint32_t xid,
                        const struct ofp_flow_mod *fm);

/* Decodes NXT_FLOW_MOD_TABLE_ID: '*enable' is its 'set' byte.
 * OFPBRC_BAD_LEN if the message is not 24 bytes. */
enum ofp_err nx_flow_mod_table_id_decode(const uint8_t *msg, size_t len,
                                         bool *enable);

#endif
