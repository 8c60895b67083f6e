/* ofp_stats: flow and aggregate statistics - what "ovs-ofctl dump-flows"
 * and "dump-aggregate" ask and what they are answered - in OpenFlow 1.0
 * (OFPST_FLOW/AGGREGATE), Nicira (NXST_FLOW/AGGREGATE, NXM matches) and
 * OpenFlow 1.3 (OFPMP_FLOW/AGGREGATE) form.
 *
 * A request decodes into one struct whatever its form; replies are built
 * in the request's form: ofp_stats_reply_start(), then one
 * ofp_flow_stats_put() per rule (the caller starts a new reply, with
 * 'more' set on the one before, when a message would pass 64 kB), then
 * ofp_stats_reply_finish(). */
#ifndef SLUICE_OFP_STATS_H
#define SLUICE_OFP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_match.h"

struct ofp_buf;

enum ofp_stats_format {
    OFP_STATS_OF10,                 /* OFPST_*: OF1.0 match. */
    OFP_STATS_NX,                   /* NXST_*: NXM match. */
    OFP_STATS_OF13,                 /* OFPMP_*: OXM match. */
};

struct ofp_flow_stats_request {
    enum ofp_stats_format format;
    bool aggregate;                 /* AGGREGATE rather than FLOW. */
    uint8_t table_id;               /* OFPTT_ALL: every table. */
    uint32_t out_port;              /* OFPP_ANY: any. */
    uint32_t out_group;             /* OFPG_ANY: any (OF1.3). */
    uint64_t cookie, cookie_mask;   /* OF1.3, NX (NXM_NX_COOKIE); mask 0:
                                     * any. */
    struct ofp_match match;
};

/* Decodes a flow or aggregate statistics request 'msg' ('len' bytes).
 * Errors: OFPBRC_BAD_LEN, OFPBRC_BAD_STAT (another statistic),
 * OFPBRC_BAD_VENDOR, OFPBRC_BAD_SUBTYPE, and the match's. */
enum ofp_err ofp_flow_stats_request_decode(const uint8_t *msg, size_t len,
                                           struct ofp_flow_stats_request *);
/* Appends 'req' as a request message of its format. */
int ofp_flow_stats_request_encode(struct ofp_buf *, uint32_t xid,
                                  const struct ofp_flow_stats_request *);

/* One rule in a flow statistics reply. */
struct ofp_flow_stats {
    uint8_t table_id;
    uint32_t duration_sec, duration_nsec;
    uint16_t priority, idle_timeout, hard_timeout;
    uint16_t flags;                 /* OF1.3 OFPFF_*. */
    uint16_t idle_age, hard_age;    /* NX: seconds since used/changed,
                                     * plus one; 0: not known. */
    uint64_t cookie, packet_count, byte_count;
    const struct ofp_match *match;
    const struct ofp_insts *insts;
};

/* Starts a reply to a request of 'format' ('aggregate' or flow) with
 * 'xid'; returns its offset for ofp_stats_reply_finish(). */
size_t ofp_stats_reply_start(struct ofp_buf *, enum ofp_stats_format,
                             bool aggregate, uint32_t xid);
/* Appends one rule: 0, or -ENOTSUP if the format cannot carry its match
 * or instructions (the buffer is left as it was). */
int ofp_flow_stats_put(struct ofp_buf *, enum ofp_stats_format,
                       const struct ofp_flow_stats *);
/* Appends the aggregate reply's body. */
void ofp_aggregate_stats_put(struct ofp_buf *, uint64_t packet_count,
                             uint64_t byte_count, uint32_t flow_count);
/* Sets the reply's length and, if 'more', its REPLY_MORE flag. */
int ofp_stats_reply_finish(struct ofp_buf *, size_t start, bool more);

/* Decodes the next rule of an OpenFlow 1.3 OFPMP_FLOW reply body ('*p',
 * '*left' bytes; a client reads what ofp_flow_stats_put() writes) and
 * advances past it.  'fs->match' and 'fs->insts' point at 'match' and
 * 'insts', which the caller frees with ofp_insts_free() whatever the
 * result.  Errors: OFPBRC_BAD_LEN and those of the match and
 * instructions. */
enum ofp_err ofp13_flow_stats_decode(const uint8_t **p, size_t *left,
                                     struct ofp_flow_stats *fs,
                                     struct ofp_match *match,
                                     struct ofp_insts *insts);

/* Flow removed: the same counters, sent when a rule with
 * OFPFF_SEND_FLOW_REM goes.  NX is NXT_FLOW_REMOVED (NXM match). */
enum ofp_flow_removed_reason {
    OFPRR_IDLE_TIMEOUT, OFPRR_HARD_TIMEOUT, OFPRR_DELETE,
    OFPRR_GROUP_DELETE,             /* OF1.3 only. */
};

/* Appends a flow-removed message for 'fs' (its insts are not used): 0, or
 * -ENOTSUP if the format cannot carry the match or the reason. */
int ofp_flow_removed_encode(struct ofp_buf *, enum ofp_stats_format,
                            uint32_t xid, enum ofp_flow_removed_reason,
                            const struct ofp_flow_stats *fs);

#endif
