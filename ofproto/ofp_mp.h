/* ofp_mp: statistics / multipart messages other than flow statistics
 * (ofp_stats): the request header of either version parsed into a type
 * and body, and the replies for switch description, table statistics and
 * port statistics.  Replies are built as in ofp_stats: start, put each
 * entry, ofp_stats_reply_finish().  Types are OpenFlow 1.3's OFPMP_*
 * numbers; OpenFlow 1.0 shares those it has. */
#ifndef SLUICE_OFP_MP_H
#define SLUICE_OFP_MP_H

#include <stddef.h>
#include <stdint.h>

#include "ofproto/ofp_err.h"

struct ofp_buf;

enum ofp_mp_type {
    OFPMP_DESC = 0, OFPMP_FLOW = 1, OFPMP_AGGREGATE = 2, OFPMP_TABLE = 3,
    OFPMP_PORT_STATS = 4, OFPMP_QUEUE = 5, OFPMP_GROUP = 6,
    OFPMP_GROUP_DESC = 7, OFPMP_GROUP_FEATURES = 8, OFPMP_METER = 9,
    OFPMP_METER_CONFIG = 10, OFPMP_METER_FEATURES = 11,
    OFPMP_TABLE_FEATURES = 12, OFPMP_PORT_DESC = 13,
    OFPMP_EXPERIMENTER = 0xffff,    /* OF1.0: OFPST_VENDOR. */
};

struct ofp_mp_request {
    uint8_t version;
    enum ofp_mp_type type;
    uint16_t flags;
    uint32_t nx_subtype;            /* OFPMP_EXPERIMENTER of Nicira's. */
    const uint8_t *body;            /* Into the message. */
    size_t body_len;
};

/* Parses a statistics (OF1.0) or multipart (OF1.3) request.  Errors:
 * OFPBRC_BAD_TYPE (not one), OFPBRC_BAD_LEN, OFPBRC_BAD_STAT (a type the
 * version lacks), OFPBRC_BAD_VENDOR (an experimenter other than
 * Nicira). */
enum ofp_err ofp_mp_request_parse(const uint8_t *msg, size_t len,
                                  struct ofp_mp_request *);

/* OFPMP_PORT_STATS request body: the port asked for (OFPP_ANY: all).
 * OFPBRC_BAD_LEN if the body is not the version's 8 bytes. */
enum ofp_err ofp_port_stats_request_port(const struct ofp_mp_request *,
                                         uint32_t *port_no);

/* Appends an OpenFlow 1.3 multipart request of 'type' with the 'len'
 * bytes 'body' (a client's: port-desc, table and port statistics). */
void ofp13_mp_request_encode(struct ofp_buf *, enum ofp_mp_type type,
                             uint32_t xid, const void *body, size_t len);

/* Starts a reply of 'type' to a request of 'version'; finish with
 * ofp_stats_reply_finish(). */
size_t ofp_mp_reply_start(struct ofp_buf *, uint8_t version,
                          enum ofp_mp_type type, uint32_t xid);

struct ofp_desc {
    const char *mfr_desc, *hw_desc, *sw_desc, *serial_num, *dp_desc;
};
void ofp_desc_put(struct ofp_buf *, const struct ofp_desc *);

struct ofp_table_stats {
    uint8_t table_id;
    const char *name;               /* OF1.0 only. */
    uint32_t max_entries;           /* OF1.0 only. */
    uint32_t active_count;
    uint64_t lookup_count, matched_count;
};
void ofp_table_stats_put(struct ofp_buf *, uint8_t version,
                         const struct ofp_table_stats *);

struct ofp_port_stats {
    uint32_t port_no;
    uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
    uint64_t rx_dropped, tx_dropped, rx_errors, tx_errors;
    uint64_t rx_frame_err, rx_over_err, rx_crc_err, collisions;
    uint32_t duration_sec, duration_nsec;   /* OF1.3 only. */
};
/* 0, or -ENOTSUP for a port OpenFlow 1.0 cannot name. */
int ofp_port_stats_put(struct ofp_buf *, uint8_t version,
                       const struct ofp_port_stats *);

/* OpenFlow 1.3 table features of one table, as Sluice's codec supports
 * them: instructions goto_table to clear_actions, the next tables after
 * this one, every OF1.3 action it decodes, every match field (all may be
 * wildcarded) and the writable ones for set_field. */
struct ofp_table_features {
    uint8_t table_id;
    const char *name;
    uint64_t metadata_match, metadata_write;
    uint32_t max_entries;
};
/* Appends one table's features to an OFPMP_TABLE_FEATURES reply (about
 * 2.5 kB: the caller starts a new reply when 64 kB would pass). */
void ofp13_table_features_put(struct ofp_buf *,
                              const struct ofp_table_features *);

#endif
