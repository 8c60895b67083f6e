/* bench_openflow: flows onto a bridge through OpenFlow 1.3. */
#include "tools/bench_openflow.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_ctrl.h"
#include "ofproto/ofp_err.h"
#include "ofproto/ofp_flow_mod.h"
#include "ofproto/ofp_msg.h"
#include "ofproto/ofp_parse.h"
#include "src/util/dstr.h"
#include "src/util/loop.h"
#include "src/util/stream.h"

/* Transaction ids: the delete, then one per flow, then the barrier. */
#define XID_DELETE 1
#define XID_FIRST_FLOW 2

/* The flows of one installation, split into lines. */
struct of_flows {
    char *text;                 /* Copy, cut at the newlines. */
    char **lines;
    size_t n;
};

static void
flows_split(const char *text, struct of_flows *f)
{
    char *save = NULL, *line;

    f->text = strdup(text);
    f->n = 0;
    f->lines = calloc(strlen(text) / 2 + 1, sizeof *f->lines);
    if (!f->text || !f->lines) {
        abort();
    }
    for (line = strtok_r(f->text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        f->lines[f->n++] = line;
    }
}

static void
flows_free(struct of_flows *f)
{
    free(f->lines);
    free(f->text);
}

/* Appends the delete of every flow, the flows and the barrier to 'buf'. */
static int
encode_requests(const struct of_flows *f, struct ofp_buf *buf,
                struct dstr *err)
{
    struct ofp_flow_mod fm;
    size_t i, start;
    int ret;

    ret = ofp_parse_flow_mod("", OFPFC_DELETE, NULL, &fm, err);
    for (i = 0; !ret && i <= f->n; i++) {
        ret = ofp_flow_mod_encode(buf, OFP_FM_OF13, false,
                                  i ? XID_FIRST_FLOW + i - 1 : XID_DELETE,
                                  &fm);
        ofp_flow_mod_free(&fm);
        if (ret) {
            dstr_printf(err, "%s: cannot encode in OpenFlow 1.3",
                        i ? f->lines[i - 1] : "delete all");
        } else if (i < f->n) {
            ret = ofp_parse_flow_mod(f->lines[i], OFPFC_ADD, NULL, &fm,
                                     err);
            if (ret) {
                dstr_printf(err, " (flow \"%s\")", f->lines[i]);
            }
        }
    }
    if (!ret) {
        start = ofp_header_put(buf, OFP13_VERSION, OFPT13_BARRIER_REQUEST,
                               XID_FIRST_FLOW + f->n);
        ret = ofp_msg_finish(buf, start);
    }
    return ret;
}

/* Sends all of 'buf' on 's' before 'deadline' (ms). */
static int
send_all(struct stream *s, const struct ofp_buf *buf, uint64_t deadline)
{
    size_t done = 0;

    while (done < buf->len) {
        int n = stream_send(s, buf->data + done, buf->len - done);

        if (n == -EAGAIN) {
            n = loop_wait_fd(stream_fd(s), POLLOUT, deadline);
            if (n) {
                return n;
            }
        } else if (n < 0) {
            return n;
        } else {
            done += n;
        }
    }
    return 0;
}

/* Reads from 's' into 'in' until it holds a whole message, returned in
 * '*msg' ('*len' bytes). */
static int
recv_msg(struct stream *s, struct ofp_stream *in, const uint8_t **msg,
         size_t *len, uint64_t deadline)
{
    uint8_t chunk[4096];
    int ret;

    while ((ret = ofp_stream_next(in, msg, len)) == -EAGAIN) {
        int n = stream_recv(s, chunk, sizeof chunk);

        if (n == -EAGAIN) {
            n = loop_wait_fd(stream_fd(s), POLLIN, deadline);
        } else if (n == 0) {
            n = -ECONNRESET;
        } else if (n > 0) {
            n = ofp_stream_feed(in, chunk, n);
        }
        if (n) {
            return n;
        }
    }
    return ret;
}

/* Describes the OFPT_ERROR 'msg' answering 'xid' in 'err'. */
static void
describe_error(const struct of_flows *f, const uint8_t *msg, size_t len,
               uint32_t xid, struct dstr *err)
{
    enum ofp_err e = OFPERR_NONE;
    const uint8_t *data;
    size_t data_len;

    ofp_err_parse(msg, len, &e, &data, &data_len);
    if (xid == XID_DELETE) {
        dstr_put(err, "deleting all flows");
    } else if (xid >= XID_FIRST_FLOW && xid - XID_FIRST_FLOW < f->n) {
        dstr_printf(err, "flow \"%s\"", f->lines[xid - XID_FIRST_FLOW]);
    } else {
        dstr_printf(err, "request %u", xid);
    }
    dstr_printf(err, ": OpenFlow error %s", ofp_err_name(e));
}

/* Negotiates OpenFlow 1.3, sends 'req' and reads the replies until the
 * barrier's. */
static int
converse(struct stream *s, const struct of_flows *f,
         const struct ofp_buf *req, uint64_t deadline, struct dstr *err)
{
    struct ofp_buf out = OFP_BUF_INIT;
    struct ofp_stream in;
    bool hello = false;
    int ret;

    ofp_stream_init(&in);
    ofp_hello_encode(&out, OFP_VERSION_BIT(OFP13_VERSION), 0);
    ret = send_all(s, &out, deadline);
    while (!ret) {
        const uint8_t *msg;
        struct ofp_header h;
        size_t len;

        ret = recv_msg(s, &in, &msg, &len, deadline);
        if (ret) {
            dstr_printf(err, "%s", strerror(-ret));
            break;
        }
        ofp_header_parse(msg, &h);
        if (h.type == OFPT_ERROR) {
            describe_error(f, msg, len, h.xid, err);
            ret = -EPROTO;
        } else if (!hello && h.type == OFPT_HELLO) {
            hello = true;
            if (h.version != OFP13_VERSION) {
                dstr_printf(err, "the switch speaks OpenFlow version %u, "
                            "not 1.3", h.version);
                ret = -EPROTO;
            } else {
                ret = send_all(s, req, deadline);
            }
        } else if (h.type == OFPT_ECHO_REQUEST) {
            ofp_buf_clear(&out);
            ofp_echo_reply_encode(&out, msg, len);
            ret = send_all(s, &out, deadline);
        } else if (h.type == OFPT13_BARRIER_REPLY
                   && h.xid == XID_FIRST_FLOW + f->n) {
            break;
        }
    }
    ofp_stream_destroy(&in);
    ofp_buf_free(&out);
    return ret;
}

int
bench_openflow_install(const char *path, const char *flows, double timeout,
                       struct dstr *err)
{
    uint64_t deadline = loop_now_ms() + (uint64_t) (timeout * 1000);
    struct ofp_buf req = OFP_BUF_INIT;
    struct stream *s = NULL;
    struct of_flows f;
    char name[4096], why[256];
    int ret;

    flows_split(flows, &f);
    ret = encode_requests(&f, &req, err);
    if (ret) {
        goto out;
    }
    snprintf(name, sizeof name, "unix:%s", path);
    ret = stream_open(name, NULL, &s, why, sizeof why);
    if (ret) {
        dstr_printf(err, "%s", why);
        goto out;
    }
    while ((ret = stream_connect(s)) == -EAGAIN
           && !(ret = loop_wait_fd(stream_fd(s), POLLOUT, deadline))) {
        continue;
    }
    if (ret) {
        dstr_printf(err, "%s: %s", name, stream_error(s));
        goto out;
    }
    ret = converse(s, &f, &req, deadline, err);
    if (ret) {
        dstr_printf(err, " (%s)", name);
    }

out:
    if (s) {
        stream_close(s);
    }
    ofp_buf_free(&req);
    flows_free(&f);
    return ret;
}
