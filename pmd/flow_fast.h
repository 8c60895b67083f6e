/* flow_fast: the per-packet key extraction with its common case inline.
 *
 * flow_extract_fast() gives exactly what flow_extract() gives; it parses
 * the common frame (untagged Ethernet, IPv4 without options and not a
 * fragment, a complete UDP or TCP header) in the caller, without a call,
 * and hands any other frame to flow_extract(). */
#ifndef SLUICE_FLOW_FAST_H
#define SLUICE_FLOW_FAST_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmd/flow.h"
#include "pmd/flow_bytes.h"

/* The common frame - untagged Ethernet, IPv4 without options and not a
 * fragment, a complete UDP or TCP header - in one pass with the words at
 * fixed places.  Returns false, having written nothing but values[0], for
 * any other frame, which flow_extract() then parses in full.  Gives
 * exactly what the full parse gives. */
static inline __attribute__((always_inline)) bool
flow_extract_ipv4_l4(const uint8_t *p, size_t len, struct miniflow *mf,
                     struct flow_offsets *ofs)
{
    if (len < ETH_HLEN + IPV4_HLEN + 8 || ld16(p + 12) != BE16(0x0800)) {
        return false;
    }
    const uint8_t *nh = p + ETH_HLEN;
    const uint8_t *th = nh + IPV4_HLEN;
    size_t tot = ntohs(ld16(nh + 2));
    uint8_t proto = nh[9];
    if (nh[0] != 0x45 || (ld16(nh + 6) & BE16(0x3fff))
        || tot > len - ETH_HLEN || tot < IPV4_HLEN + 8) {
        return false;
    }
    uint64_t *v = mf->values;
    uint64_t map = UINT64_C(1) | UINT64_C(1) << 3 | UINT64_C(1) << 4
                   | UINT64_C(1) << 6 | UINT64_C(1) << 7
                   | UINT64_C(1) << 12;
    if (proto == IPPROTO_TCP_) {
        if (tot < IPV4_HLEN + 20) {
            return false;
        }
        size_t doff = (size_t) (th[12] >> 4) * 4;
        if (doff < 20 || doff > tot - IPV4_HLEN) {
            return false;
        }
        v[6] = W16(ld16(th + 12) & BE16(0x0fff), 0);
        map |= UINT64_C(1) << 13;
    } else if (proto != IPPROTO_UDP_) {
        return false;
    }
    v[1] = (ld64(p) & W_LOW6) | W16(BE16(0x0800), 6);
    v[2] = ld64(p + 6) & W_LOW6;
    v[3] = W32(ld32(nh + 12), 4);
    v[4] = W32(ld32(nh + 16), 0);
    v[5] = W8(proto, 0) | W8(nh[1], 1) | W8(nh[8], 2) | W32(ld32(th), 4);
    mf->map = map;
    if (ofs) {
        ofs->l2_5 = FLOW_OFS_NONE;
        ofs->l3 = ETH_HLEN;
        ofs->l4 = ETH_HLEN + IPV4_HLEN;
    }
    return true;
}

static inline __attribute__((always_inline)) void
flow_extract_fast(const void *data, size_t len, uint32_t in_port,
                  uint32_t recirc_id, struct miniflow *mf,
                  struct flow_offsets *ofs)
{
    mf->values[0] = W32(in_port, 0) | W32(recirc_id, 4);
    if (__builtin_expect(!flow_extract_ipv4_l4(data, len, mf, ofs), 0)) {
        flow_extract(data, len, in_port, recirc_id, mf, ofs);
    }
}

#endif
