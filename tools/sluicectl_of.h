/* sluicectl_of: a small blocking OpenFlow 1.3 client for sluicectl's flow
 * commands.  It connects to a bridge's management socket
 * (RUN_DIR/BRIDGE.mgmt), says HELLO offering OpenFlow 1.3 only, answers
 * echo requests, and waits for the replies to one request by xid
 * (multipart replies assembled: every message up to the one without
 * OFPMPF_REPLY_MORE), each wait bounded by a timeout.  Messages built with
 * the codec (ofproto/ofp_*.h) go out as they are; asynchronous messages
 * (packet-in, port-status, flow-removed) are ignored while a reply is
 * awaited, and read one by one with of_client_next(). */
#ifndef SLUICE_SLUICECTL_OF_H
#define SLUICE_SLUICECTL_OF_H

#include <stddef.h>
#include <stdint.h>

#include "ofproto/ofp_err.h"

struct dstr;
struct ofp_buf;
struct of_client;

/* Connects to 'path' and negotiates OpenFlow 1.3, waiting at most
 * 'timeout_ms' (<= 0: forever) for each reply later on too.  Returns 0,
 * or a negative errno with the reason in 'err'. */
int of_client_open(const char *path, int timeout_ms, struct of_client **,
                   struct dstr *err);
void of_client_close(struct of_client *);

/* Waits, without a deadline, for the next message, whatever it is (an
 * echo request is answered first); '*msg' stays valid until the next
 * call.
 * Returns 0 or a negative errno with the reason in 'err'. */
int of_client_next(struct of_client *, const uint8_t **msg, size_t *len,
                   struct dstr *err);

/* A fresh transaction id. */
uint32_t of_client_next_xid(struct of_client *);

/* Sends the message(s) in 'msg'.  Returns 0 or a negative errno. */
int of_client_send(struct of_client *, const struct ofp_buf *msg,
                   struct dstr *err);

/* Called for each reply message (header included); its bytes are valid
 * during the call only.  A nonzero return stops the wait and is
 * returned. */
typedef int of_client_msg_fn(const uint8_t *msg, size_t len, void *aux);

/* Waits for the reply to 'xid': one message, or every part of a
 * multipart reply, each given to 'fn'.  An OFPT_ERROR with 'xid' ends the
 * wait: '*ofperr' gets its error (OFPERR_NONE if the reply came) and
 * 'fn' is not called for it.  Returns 0 (reply or OFPT_ERROR), 'fn''s
 * nonzero value, or a negative errno (-ETIMEDOUT, -EPROTO, connection
 * closed: -ECONNRESET) with the reason in 'err'. */
int of_client_wait(struct of_client *, uint32_t xid, of_client_msg_fn *fn,
                   void *aux, enum ofp_err *ofperr, struct dstr *err);

/* Called for each OFPT_ERROR that arrives before a barrier reply, with
 * the error, the xid it carries and its data (the start of the message
 * it refuses). */
typedef void of_client_err_fn(enum ofp_err, uint32_t xid,
                              const uint8_t *data, size_t len, void *aux);

/* Sends a barrier request and waits for its reply, giving 'fn' every
 * OFPT_ERROR received meanwhile.  Returns 0 or a negative errno. */
int of_client_barrier(struct of_client *, of_client_err_fn *fn, void *aux,
                      struct dstr *err);

/* Sends 'msg' (one request with 'xid') and waits for its reply as
 * of_client_wait() does. */
int of_client_transact(struct of_client *, const struct ofp_buf *msg,
                       uint32_t xid, of_client_msg_fn *fn, void *aux,
                       enum ofp_err *ofperr, struct dstr *err);

/* of_client_transact() for a command: 0 when the reply came, else the
 * exit status after saying why not on stderr: 1 (no reply), 2 (an
 * OFPT_ERROR), or 'fn''s nonzero value. */
int of_client_request(struct of_client *, const struct ofp_buf *msg,
                      uint32_t xid, of_client_msg_fn *fn, void *aux);

/* "OFPT_ERROR (OF1.3) (xid=0x5): OFPBAC_BAD_OUT_PORT" as ovs-ofctl
 * writes it (OFPERR_N: an error Sluice has no name for). */
void of_client_format_error(struct dstr *, enum ofp_err, uint32_t xid);

#endif
