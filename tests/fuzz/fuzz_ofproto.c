/* libFuzzer target for an OpenFlow switch's request handling: any bytes
 * as a stream of OpenFlow messages from a connection (the first byte
 * picks OpenFlow 1.0 or 1.3 and a controller or a service connection)
 * go through ofproto_handle() on a switch with ports, its flow tables,
 * translation of packet-outs and statistics.  Besides the sanitizers'
 * checks (no crash, leak or out-of-bounds read), every reply must be whole
 * OpenFlow messages of the connection's version.  The switch lives across
 * inputs (as a real one does) and is flushed when it holds many rules. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofconn.h"
#include "ofproto/ofp_buf.h"
#include "ofproto/ofp_msg.h"
#include "ofproto/ofproto.h"
#include "ofproto/ofproto_private.h"

#define CHECK(COND) do { if (!(COND)) { abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ofproto *sw;
static struct ofconn *conns[4];
static uint8_t conn_version;

/* Every reply: whole messages of the connection's version. */
static void
sink(const uint8_t *d, size_t n, void *aux)
{
    (void) aux;
    while (n) {
        size_t len;
        CHECK(ofp_msg_frame(d, n, &len) == 0);
        CHECK(len <= n);
        CHECK(d[0] == conn_version);
        d += len;
        n -= len;
    }
}

static void
init(void)
{
    sw = ofproto_create("fz", false);
    CHECK(sw);
    struct ofproto_port_cfg ports[] = {
        { .ofp_port = 1, .dp_port = 1, .name = "p1", .link_up = true },
        { .ofp_port = 2, .dp_port = 2, .name = "p2", .link_up = true },
        { .ofp_port = 3, .dp_port = OFPROTO_NO_DP_PORT, .name = "patch",
          .peer = "patch", .link_up = true },
        { .ofp_port = 65534, .dp_port = 3, .name = "fz",
          .link_up = false },
    };
    ofproto_set_ports(sw, ports, sizeof ports / sizeof ports[0]);
    static const uint8_t versions[] = { OFP10_VERSION, OFP13_VERSION };
    for (int i = 0; i < 4; i++) {
        conns[i] = ofconn_create_detached(
            i & 2 ? OFCONN_PRIMARY : OFCONN_SERVICE, versions[i & 1], sink,
            NULL);
        CHECK(conns[i]);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!sw) {
        init();
    }
    if (!size) {
        return 0;
    }
    struct ofconn *c = conns[data[0] & 3];
    conn_version = ofconn_state(c)->version;
    data++;
    size--;

    uint8_t *msg = malloc(OFP_MAX_MSG_LEN);
    CHECK(msg);
    while (size >= OFP_HEADER_LEN) {
        /* The header's length, kept within what is left; the version is
         * the connection's (ofconn checks those before a switch sees a
         * message). */
        size_t len = (size_t) data[2] << 8 | data[3];
        if (len < OFP_HEADER_LEN || len > size) {
            len = size < OFP_MAX_MSG_LEN ? size : OFP_MAX_MSG_LEN;
        }
        memcpy(msg, data, len);
        msg[0] = conn_version;
        msg[2] = (uint8_t) (len >> 8);
        msg[3] = (uint8_t) len;
        ofproto_handle(sw, c, msg, len);
        data += len;
        size -= len;
    }
    free(msg);

    if (sw->tables.n_rules > 5000) {
        ofproto_set_fail_secure(sw, !sw->fail_secure);  /* Flushes. */
    }
    return 0;
}
