/* libFuzzer target for sluicectl's message printer (monitor, snoop): any
 * bytes as one OpenFlow message from the switch, its length field set to
 * the input's size as framing would.  The sanitizers check that printing
 * reads nothing past the message and leaks nothing; the text must end
 * with a newline. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/ofp_msg.h"
#include "src/util/dstr.h"
#include "tools/sluicectl_monitor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < OFP_HEADER_LEN || size > OFP_MAX_MSG_LEN) {
        return 0;
    }
    /* An exact copy, so that a read past the end is one past the heap
     * block. */
    uint8_t *msg = malloc(size);
    if (!msg) {
        abort();
    }
    memcpy(msg, data, size);
    msg[2] = (uint8_t) (size >> 8);
    msg[3] = (uint8_t) size;
    struct dstr s = DSTR_INIT;
    sluicectl_format_msg(&s, msg, size);
    const char *text = dstr_cstr(&s);
    size_t n = strlen(text);
    if (!n || text[n - 1] != '\n') {
        abort();
    }
    dstr_free(&s);
    free(msg);
    return 0;
}
