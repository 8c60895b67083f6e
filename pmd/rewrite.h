/* rewrite: masked header rewrites with checksum updates, on packet bytes.
 *
 * Plain C with no DPDK, so it is unit-tested on its own; the action
 * executor (actions.c) calls it per packet.  Every function takes the
 * packet's first byte (the Ethernet header), the number of bytes that may
 * be read and written there, and the header offsets found by key
 * extraction (struct flow_offsets, relative to the Ethernet header).
 *
 * Set operations take a key and a mask of the same layout, both in
 * network byte order: only the bits set in the mask change, to the
 * key's bits (new = (old & ~mask) | (key & mask)), as Open vSwitch's
 * masked set actions.  Checksums are updated incrementally (RFC 1624):
 *   - IPv4: the header checksum for any change; for address changes also
 *     the TCP checksum and the UDP checksum unless it is zero (no
 *     checksum); a UDP checksum that becomes 0 is sent as 0xffff.  Later
 *     fragments have no L4 header and keep their bytes past the IP header.
 *   - IPv6: TCP, UDP (same zero rule) and ICMPv6 checksums for address
 *     changes (the pseudo-header); a destination change is not folded into
 *     the L4 checksum when a routing header with segments left is present
 *     (the pseudo-header then holds the final destination).  Traffic
 *     class, flow label and hop limit are in no checksum.
 *   - L4 ports: TCP and UDP checksums; SCTP's CRC32c is recomputed over
 *     the SCTP packet, preserving any error the old one had (a packet with
 *     a bad CRC keeps a bad CRC).
 * The functions return 0, or -EINVAL when the packet has no such header
 * (absent offset, wrong IP version or L4 protocol, truncated header); the
 * packet is then unchanged.  Nothing is read or written past 'len'. */
#ifndef SLUICE_REWRITE_H
#define SLUICE_REWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "pmd/flow.h"

struct rewrite_eth {
    uint8_t src[6];
    uint8_t dst[6];
};

struct rewrite_ipv4 {
    uint32_t src;           /* Network order. */
    uint32_t dst;
    uint8_t tos;            /* DSCP (0xfc) and ECN (0x03). */
    uint8_t ttl;
    uint8_t pad[2];         /* Zero. */
};

struct rewrite_ipv6 {
    uint8_t src[16];
    uint8_t dst[16];
    uint32_t label;         /* Network order, low 20 bits. */
    uint8_t tclass;         /* DSCP (0xfc) and ECN (0x03). */
    uint8_t hlimit;
    uint8_t pad[2];         /* Zero. */
};

struct rewrite_ports {
    uint16_t src;           /* Network order. */
    uint16_t dst;
};

int rewrite_set_eth(uint8_t *pkt, size_t len, const struct rewrite_eth *key,
                    const struct rewrite_eth *mask);
int rewrite_set_ipv4(uint8_t *pkt, size_t len, const struct flow_offsets *,
                     const struct rewrite_ipv4 *key,
                     const struct rewrite_ipv4 *mask);
int rewrite_set_ipv6(uint8_t *pkt, size_t len, const struct flow_offsets *,
                     const struct rewrite_ipv6 *key,
                     const struct rewrite_ipv6 *mask);
/* 'proto' is 6 (TCP), 17 (UDP) or 132 (SCTP); the packet's L4 protocol
 * must be the same. */
int rewrite_set_ports(uint8_t *pkt, size_t len, const struct flow_offsets *,
                      uint8_t proto, const struct rewrite_ports *key,
                      const struct rewrite_ports *mask);

/* Decrements the IPv4 TTL (updating the header checksum) or the IPv6 hop
 * limit.  Returns 0, -EINVAL without an IP header, or -ETIME if it is 0
 * or 1 (the packet must not be forwarded; it is left unchanged). */
int rewrite_dec_ttl(uint8_t *pkt, size_t len, const struct flow_offsets *);

/* The L4 protocol of an IP packet whose L4 header is present (not a later
 * fragment), or -1. */
int rewrite_l4_proto(const uint8_t *pkt, size_t len,
                     const struct flow_offsets *);

/* CRC32c (Castagnoli) of 'n' bytes, continuing from 'crc' (start with 0).
 * SCTP stores it least significant byte first. */
uint32_t rewrite_crc32c(uint32_t crc, const void *, size_t n);

#endif
