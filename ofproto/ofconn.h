/* ofconn: the OpenFlow connections of one switch - the transport half of
 * the connection manager.
 *
 * A manager holds targets named as streams (src/util/stream.h): passive
 * ones (punix:RUN_DIR/BRIDGE.mgmt, ptcp:, pssl:) accept any number of
 * connections; active ones (tcp:, ssl:, unix:) connect out and reconnect
 * with backoff (1 s doubling up to the target's max_backoff).  On every
 * connection it sends HELLO with Sluice's version bitmap, negotiates the
 * version (ofp_msg.h; nothing in common: HELLO_FAILED and close), answers
 * echo requests itself, probes an idle peer (inactivity_probe: echo
 * request, then close), frames the byte stream (ofp_stream) and checks each
 * message's version and length before handing it to the owner's callback:
 * a wrong version gets OFPBRC_BAD_VERSION, a header length below 8 closes
 * the connection after OFPBRC_BAD_LEN.
 *
 * Sending never blocks: messages queue per connection up to a bound
 * (OFCONN_MAX_BACKLOG); a peer that stops reading and passes it is dropped
 * and counted, so slow peers cost bounded memory and never stall the
 * control loop.  While a connection has more than half its bound queued it
 * is not read (back-pressure: its requests wait for it to read replies).
 *
 * Per-connection protocol state that the switch keeps (flow format, roles,
 * miss_send_len, ...) lives in 'struct ofconn_state', which the owner
 * reads and changes; this module only initialises it.  Control thread
 * only. */
#ifndef SLUICE_OFCONN_H
#define SLUICE_OFCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofproto/ofp_ctrl.h"

struct loop;
struct ofp_buf;
struct stream_ssl_ctx;
struct dstr;

struct ofconn;
struct ofconn_mgr;

#define OFCONN_MAX_BACKLOG (4 * 1024 * 1024)

/* What a connection came from. */
enum ofconn_kind {
    OFCONN_SERVICE,             /* A passive target (BRIDGE.mgmt, Bridge
                                 * other targets): ovs-ofctl and the
                                 * like.  No asynchronous messages until
                                 * it asks (miss_send_len, monitor). */
    OFCONN_PRIMARY,             /* A Controller: asynchronous messages. */
    OFCONN_SNOOP,               /* A passive target (BRIDGE.snoop): gets a
                                 * copy of every message received from or
                                 * sent to a controller after the HELLOs,
                                 * as ovs-ofctl snoop shows them; what it
                                 * sends is ignored but echo requests.
                                 * The owner never sees it. */
};

/* The owner's state of one connection, initialised at negotiation. */
struct ofconn_state {
    uint8_t version;                /* Agreed: OFP10_VERSION, ... */
    enum nx_flow_format flow_format;        /* NXFF_OPENFLOW10. */
    enum nx_packet_in_format packet_in_format;  /* NXPIF_STANDARD. */
    bool table_id_ext;              /* NXT_FLOW_MOD_TABLE_ID on. */
    enum ofp_role role;             /* OFPCR_ROLE_EQUAL. */
    struct ofp_async_config async;  /* OpenFlow's defaults. */
    uint16_t miss_send_len;         /* SERVICE: 0; PRIMARY: 128. */
    uint16_t config_flags;          /* OFPC_FRAG_*. */
};

struct ofconn_cbs {
    /* A whole message from 'c', after negotiation, whose version is the
     * agreed one and whose header length is 'len'.  HELLO, ECHO_REQUEST
     * and ECHO_REPLY never come here.  The callback may send, and may
     * close 'c' (ofconn_close()). */
    void (*handle)(struct ofconn *c, const uint8_t *msg, size_t len,
                   void *aux);
    /* 'c' has negotiated a version (may be NULL). */
    void (*connected)(struct ofconn *c, void *aux);
    /* 'c' is going away (after 'connected' only; may be NULL). */
    void (*disconnected)(struct ofconn *c, void *aux);
};

struct ofconn_mgr *ofconn_mgr_create(struct loop *, const char *name,
                                     const struct ofconn_cbs *, void *aux);
/* Closes every connection (disconnected callbacks run) and listener.  Not
 * from inside the manager's own callbacks. */
void ofconn_mgr_destroy(struct ofconn_mgr *);

struct ofconn_target {
    const char *target;             /* "punix:/run/sluice/br0.mgmt", ... */
    enum ofconn_kind kind;
    uint64_t max_backoff_ms;        /* Active only; 0: 8000. */
    uint64_t probe_ms;              /* Inactivity probe; 0: none. */
};

/* Makes the targets exactly 'targets': listeners and active connections
 * of targets that stay are kept (with their connections); those of
 * targets that go are closed.  A target that does not parse or cannot be
 * listened on is skipped with a log message and reported in 'err' (may
 * be NULL) and by ofconn_mgr_target_status() until the next call; the
 * others still apply.  'ssl' is for ssl:/pssl: targets (NULL: such
 * targets fail); targets that stay but whose 'ssl' changes are opened
 * anew with it.  The caller keeps 'ssl' alive while any target uses it.
 * Returns 0 or the first error. */
int ofconn_mgr_set_targets(struct ofconn_mgr *,
                           const struct ofconn_target *targets, size_t n,
                           struct stream_ssl_ctx *ssl, struct dstr *err);

/* The OpenFlow versions its connections may negotiate (a bitmap of
 * OFP_VERSION_BIT()), of those Sluice speaks; 0: all of them (the
 * default).  HELLOs offer them; a peer with none in common gets
 * HELLO_FAILED (so every peer does if 'versions' names only versions
 * Sluice does not speak).  Connections already negotiated at a version
 * no longer allowed are closed. */
void ofconn_mgr_set_versions(struct ofconn_mgr *, uint32_t versions);

/* Status of the active or passive target 'target': whether a connection
 * is up (active: connected and negotiated; passive: listening) and, for
 * active targets, the last error text ("" if none) and seconds since
 * connected or disconnected (UINT64_MAX: never; always for passive
 * targets).  A target the last ofconn_mgr_set_targets() skipped is not
 * connected, with why as its last error.  Returns false if there is no
 * such target. */
struct ofconn_target_status {
    bool is_connected;
    const char *last_error;
    uint64_t sec_since_connect, sec_since_disconnect;
    enum ofp_role role;             /* Of its connection, if connected. */
};
bool ofconn_mgr_target_status(const struct ofconn_mgr *, const char *target,
                              struct ofconn_target_status *);

/* Calls 'cb' for every negotiated connection (it may send on it, and
 * close it). */
void ofconn_mgr_for_each(struct ofconn_mgr *,
                         void (*cb)(struct ofconn *, void *aux), void *aux);
size_t ofconn_mgr_n_conns(const struct ofconn_mgr *);

struct ofconn_mgr_stats {
    uint64_t accepted;              /* Passive: connections accepted. */
    uint64_t connects;              /* Active: connections made. */
    uint64_t negotiated, hello_failed;
    uint64_t dropped_slow;          /* Peers that stopped reading. */
    uint64_t dropped_probe;         /* Probes left unanswered. */
    uint64_t bad_messages;          /* Framing or version errors. */
    uint64_t rx_msgs, tx_msgs;      /* Every message, HELLO and echo
                                     * included. */
};
void ofconn_mgr_get_stats(const struct ofconn_mgr *,
                          struct ofconn_mgr_stats *);

/* Per connection. */
struct ofconn_state *ofconn_state(struct ofconn *);
enum ofconn_kind ofconn_kind(const struct ofconn *);
/* "tcp:IP:PORT", "unix#N" (accepted on punix), ...: the peer, for
 * logs. */
const char *ofconn_name(const struct ofconn *);
/* Queues the whole messages in 'buf' (one or more; 'buf' is left
 * empty).  Returns 0, or -ENOBUFS if that passed the backlog bound: the
 * connection is then closed from the loop (the caller may go on using it
 * until its callback returns).  On a connection already failing or
 * closed, sends nothing and returns a negative errno (-ENOTCONN, or the
 * error it failed with). */
int ofconn_send(struct ofconn *, struct ofp_buf *buf);
/* Closes 'c' now (the disconnected callback runs first); 'why' is
 * logged. */
void ofconn_close(struct ofconn *, const char *why);

/* A connection with no stream and no manager, negotiated at 'version',
 * whose sends all go to 'sink' (tests and fuzzing drive a switch's
 * request handling with it).  Free it with ofconn_destroy_detached(). */
struct ofconn *ofconn_create_detached(enum ofconn_kind, uint8_t version,
                                      void (*sink)(const uint8_t *, size_t,
                                                   void *aux),
                                      void *aux);
void ofconn_destroy_detached(struct ofconn *);

#endif
