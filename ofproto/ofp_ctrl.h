/* ofp_ctrl: the small control messages of a connection - echo, barrier,
 * features, switch config, role (OpenFlow 1.3), the Nicira format
 * switches ovs-ofctl sends first (NXT_SET_FLOW_FORMAT,
 * NXT_SET_PACKET_IN_FORMAT), and ports: their description (OF1.0's
 * ofp_phy_port, OF1.3's ofp_port) in features replies, port-desc replies
 * and port-status messages.
 *
 * Ports are kept in OpenFlow 1.3's terms (32-bit numbers, its feature
 * bits); OpenFlow 1.0's are converted on the way out. */
#ifndef SLUICE_OFP_CTRL_H
#define SLUICE_OFP_CTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofproto/ofp_err.h"

struct ofp_buf;

/* Appends the echo reply to the echo request 'req' ('len' bytes): same
 * version, xid and payload. */
void ofp_echo_reply_encode(struct ofp_buf *, const uint8_t *req,
                           size_t len);
void ofp_barrier_reply_encode(struct ofp_buf *, uint8_t version,
                              uint32_t xid);

/* Port config, state and features (OpenFlow 1.3 bits). */
#define OFPPC_PORT_DOWN    (1u << 0)
#define OFPPC_NO_RECV      (1u << 2)
#define OFPPC_NO_FWD       (1u << 5)
#define OFPPC_NO_PACKET_IN (1u << 6)
#define OFPPS_LINK_DOWN    (1u << 0)
#define OFPPS_BLOCKED      (1u << 1)
#define OFPPS_LIVE         (1u << 2)
#define OFPPF_10MB_HD      (1u << 0)
#define OFPPF_10GB_FD      (1u << 6)
#define OFPPF_40GB_FD      (1u << 7)
#define OFPPF_100GB_FD     (1u << 8)
#define OFPPF_1TB_FD       (1u << 9)
#define OFPPF_OTHER        (1u << 10)
#define OFPPF_COPPER       (1u << 11)
#define OFPPF_FIBER        (1u << 12)
#define OFPPF_AUTONEG      (1u << 13)
#define OFPPF_PAUSE        (1u << 14)
#define OFPPF_PAUSE_ASYM   (1u << 15)

struct ofp_port {
    uint32_t port_no;
    uint8_t hw_addr[6];
    char name[16];                  /* NUL-padded; need not end in NUL. */
    uint32_t config, state;
    uint32_t curr, advertised, supported, peer;
    uint32_t curr_speed, max_speed; /* kb/s (OF1.3 only). */
};

/* Appends the port description in 'version''s form: 0, or -ENOTSUP for a
 * port number OpenFlow 1.0 cannot name. */
int ofp_port_put(struct ofp_buf *, uint8_t version, const struct ofp_port *);

#define OFP13_PORT_LEN 64

/* Reads an OpenFlow 1.3 'struct ofp_port' (OFP13_PORT_LEN bytes at 'p'),
 * as ofp_port_put() writes it: what a client makes of port-desc replies. */
void ofp13_port_decode(const uint8_t *p, struct ofp_port *);

enum ofp_port_reason { OFPPR_ADD, OFPPR_DELETE, OFPPR_MODIFY };

int ofp_port_status_encode(struct ofp_buf *, uint8_t version, uint32_t xid,
                           enum ofp_port_reason, const struct ofp_port *);
/* Port-desc reply with 'n' ports (OF1.3 OFPMP_PORT_DESC, and OVS's
 * OFPST_PORT_DESC for OF1.0; the caller splits what would pass 64 kB,
 * with 'more' on all but the last).  0, or -ENOTSUP for a port OF1.0
 * cannot name. */
int ofp_port_desc_reply_encode(struct ofp_buf *, uint8_t version,
                               uint32_t xid, const struct ofp_port *,
                               size_t n, bool more);

/* OFPT_PORT_MOD, in OpenFlow 1.3's bits (OF1.0's advertised features
 * converted; its config bits share their places). */
struct ofp_port_mod {
    uint32_t port_no;
    uint8_t hw_addr[6];
    uint32_t config, mask;
    uint32_t advertise;             /* 0: leave as is. */
};

/* Errors: OFPBRC_BAD_LEN; OFPPMFC_BAD_PORT for a number that is no port
 * (whether the port exists is the caller's); OFPPMFC_BAD_CONFIG (OF1.3)
 * for config or mask bits it does not define. */
enum ofp_err ofp_port_mod_decode(const uint8_t *msg, size_t len,
                                 struct ofp_port_mod *);

/* OpenFlow 1.3 asynchronous message configuration: bit i of each mask is
 * reason i; [0] for the master and equal roles, [1] for slaves. */
struct ofp_async_config {
    uint32_t packet_in[2], port_status[2], flow_removed[2];
};

/* OFPT_SET_ASYNC: OFPBRC_BAD_LEN unless 32 bytes. */
enum ofp_err ofp_set_async_decode(const uint8_t *msg, size_t len,
                                  struct ofp_async_config *);
void ofp_get_async_reply_encode(struct ofp_buf *, uint32_t xid,
                                const struct ofp_async_config *);

/* Switch capabilities (OpenFlow 1.3 bits; OF1.0 shares these). */
#define OFPC_FLOW_STATS   (1u << 0)
#define OFPC_TABLE_STATS  (1u << 1)
#define OFPC_PORT_STATS   (1u << 2)
#define OFPC_GROUP_STATS  (1u << 3)
#define OFPC_IP_REASM     (1u << 5)
#define OFPC_QUEUE_STATS  (1u << 6)
#define OFPC_PORT_BLOCKED (1u << 8)

struct ofp_features {
    uint64_t datapath_id;
    uint32_t n_buffers;
    uint8_t n_tables;
    uint32_t capabilities;
};

/* Appends the features reply; OpenFlow 1.0's lists the 'n' ports (and
 * the OF1.0 actions Sluice supports), OpenFlow 1.3's none (port-desc). */
int ofp_features_reply_encode(struct ofp_buf *, uint8_t version,
                              uint32_t xid, const struct ofp_features *,
                              const struct ofp_port *ports, size_t n);

/* Switch configuration. */
#define OFPC_FRAG_NORMAL 0
#define OFPC_FRAG_DROP   1
#define OFPC_FRAG_REASM  2
#define OFPC_FRAG_MASK   3

struct ofp_switch_config {
    uint16_t flags;
    uint16_t miss_send_len;
};

/* Decodes OFPT_SET_CONFIG: OFPBRC_BAD_LEN, or (OF1.3) OFPSCFC_BAD_FLAGS
 * for flags beyond OFPC_FRAG_MASK. */
enum ofp_err ofp_set_config_decode(const uint8_t *msg, size_t len,
                                   struct ofp_switch_config *);
void ofp_get_config_reply_encode(struct ofp_buf *, uint8_t version,
                                 uint32_t xid,
                                 const struct ofp_switch_config *);

/* OpenFlow 1.3 roles. */
enum ofp_role {
    OFPCR_ROLE_NOCHANGE, OFPCR_ROLE_EQUAL, OFPCR_ROLE_MASTER,
    OFPCR_ROLE_SLAVE,
};

/* Decodes OFPT_ROLE_REQUEST: OFPBRC_BAD_LEN, OFPRRFC_BAD_ROLE. */
enum ofp_err ofp_role_request_decode(const uint8_t *msg, size_t len,
                                     enum ofp_role *,
                                     uint64_t *generation_id);
void ofp_role_reply_encode(struct ofp_buf *, uint32_t xid, enum ofp_role,
                           uint64_t generation_id);

/* Nicira formats. */
enum nx_flow_format { NXFF_OPENFLOW10 = 0, NXFF_NXM = 2 };
enum nx_packet_in_format {
    NXPIF_STANDARD = 0, NXPIF_NXT_PACKET_IN = 1, NXPIF_NXT_PACKET_IN2 = 2,
};

/* Decode NXT_SET_FLOW_FORMAT / NXT_SET_PACKET_IN_FORMAT (20 bytes):
 * OFPBRC_BAD_LEN, or OFPBRC_EPERM for a format that does not exist (as
 * OVS answers).  Which packet-in formats to honour is the connection's
 * business; ofp_packet builds the standard one. */
enum ofp_err nx_set_flow_format_decode(const uint8_t *msg, size_t len,
                                       enum nx_flow_format *);
enum ofp_err nx_set_packet_in_format_decode(const uint8_t *msg, size_t len,
                                            enum nx_packet_in_format *);

/* For a vendor message: OFPBRC_BAD_LEN if shorter than 16 bytes,
 * OFPBRC_BAD_VENDOR if not Nicira's, else 0 and its subtype. */
enum ofp_err nx_msg_subtype(const uint8_t *msg, size_t len,
                            uint32_t *subtype);

#endif
