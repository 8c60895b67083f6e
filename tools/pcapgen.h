/* pcapgen: writes and reads classic libpcap files (no libpcap needed).
 * The writer produces N distinct UDP/IPv4 flows over Ethernet for benchmarks
 * and system tests; the reader iterates the records of any classic pcap file
 * (either byte order, micro- or nanosecond timestamps) for tests.
 *
 * Frame sizes follow the DPDK/testpmd convention: a "64-byte frame" is 64
 * bytes on the wire INCLUDING the 4-byte Ethernet FCS, which a pcap never
 * holds, so each record is frame_size - 4 bytes (60 for 64).
 *
 * Flow i (0 <= i < 2^24) is, all in host order here:
 *   src MAC 02:00:00:00:00:01, dst MAC 02:00:00:00:00:02
 *   src IP   10.0.0.1   + (i & 0xffff)         (10.0.0.1 .. 10.1.0.0)
 *   dst IP   10.128.0.1 + ((i >> 16) & 0xff)   (10.128.0.1 .. 10.128.1.0)
 *   src port 1024 + (i & 0x3fff)
 *   dst port 5001 + ((i >> 14) & 0x3ff)
 * The IP pair alone is unique per i, so N flows give N distinct 5-tuples.
 * Packet k of a file belongs to flow k % N. */
#ifndef SLUICE_PCAPGEN_H
#define SLUICE_PCAPGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PCAPGEN_MAX_FLOWS (1u << 24)
#define PCAPGEN_FCS_LEN 4
#define PCAPGEN_MIN_FRAME 64        /* Incl. FCS. */
#define PCAPGEN_MAX_FRAME 9018      /* Incl. FCS: 9000-byte IP MTU. */
#define PCAPGEN_HDR_LEN 42          /* Ethernet 14 + IPv4 20 + UDP 8. */

#define PCAPGEN_MAGIC 0xa1b2c3d4u   /* Microsecond timestamps. */
#define PCAPGEN_MAGIC_NS 0xa1b23c4du
#define PCAPGEN_LINKTYPE_ETHERNET 1
#define PCAPGEN_SNAPLEN 65535

struct pcapgen_params {
    uint32_t n_flows;       /* 1 .. PCAPGEN_MAX_FLOWS. */
    uint32_t frame_size;    /* On the wire incl. FCS; record = size - 4. */
    uint64_t n_packets;     /* 0: one packet per flow (n_flows). */
};

/* The 5-tuple of flow 'index', host byte order. */
struct pcapgen_flow {
    uint32_t src_ip;
    uint32_t dst_ip;
    uint16_t src_port;
    uint16_t dst_port;
};

/* Defaults: 1 flow, 64-byte frames, one packet per flow. */
void pcapgen_params_init(struct pcapgen_params *);

/* Returns 0, or -EINVAL with a static message in *err. */
int pcapgen_params_check(const struct pcapgen_params *, const char **err);

/* Packets the file will hold. */
uint64_t pcapgen_n_packets(const struct pcapgen_params *);

/* Bytes of each record (the frame without FCS). */
static inline uint32_t
pcapgen_record_len(const struct pcapgen_params *p)
{
    return p->frame_size - PCAPGEN_FCS_LEN;
}

void pcapgen_flow(uint32_t index, struct pcapgen_flow *);

/* Parses a count such as "1000", "100k" or "1M" (k = 1000, M = 10^6)
 * between 1 and 'max'.  Returns 0 or -EINVAL. */
int pcapgen_parse_count(const char *, uint64_t max, uint64_t *count);

/* Builds the frame (without FCS) of flow 'index' into 'buf', which has
 * room for 'size' bytes, with 'frame_size' as in pcapgen_params.  Returns
 * the bytes written, or 0 if 'frame_size' is out of range or 'size' too
 * small. */
size_t pcapgen_build_frame(uint32_t index, uint32_t frame_size,
                           uint8_t *buf, size_t size);

/* Writes the whole file.  Returns 0 or a negative errno (-EINVAL for bad
 * parameters).  The _stream variant writes to an open stream. */
int pcapgen_write(const char *path, const struct pcapgen_params *);
int pcapgen_write_stream(FILE *, const struct pcapgen_params *);

/* The Internet checksum (RFC 1071) of 'len' bytes, folded and
 * complemented, in network byte order as stored in a header.  Over a header
 * whose checksum field is already filled in, it yields 0. */
uint16_t pcapgen_csum(const void *, size_t len);

/* Reader. */
struct pcapgen_file_header {
    uint32_t magic;         /* As written, in the writer's byte order. */
    uint16_t version_major;
    uint16_t version_minor;
    int32_t thiszone;
    uint32_t sigfigs;
    uint32_t snaplen;
    uint32_t linktype;
    bool swapped;           /* File is in the other byte order. */
    bool nanosecond;
};

struct pcapgen_record {
    uint32_t ts_sec;
    uint32_t ts_frac;       /* Microseconds, or nanoseconds. */
    uint32_t caplen;
    uint32_t wirelen;
    const uint8_t *data;    /* 'caplen' bytes, valid until the next call. */
};

struct pcapgen_reader;

/* Opens 'path' and reads its global header.  Returns 0 or a negative
 * errno (-EPROTO: not a classic pcap file). */
int pcapgen_reader_open(const char *path, struct pcapgen_reader **);
const struct pcapgen_file_header *
pcapgen_reader_header(const struct pcapgen_reader *);
/* Returns 1 with the next record in *rec, 0 at end of file, or a negative
 * errno (-EPROTO for a truncated or oversized record). */
int pcapgen_reader_next(struct pcapgen_reader *, struct pcapgen_record *rec);
void pcapgen_reader_close(struct pcapgen_reader *);

#endif
