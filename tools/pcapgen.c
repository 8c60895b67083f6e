/* pcapgen: classic pcap writer of N UDP/IPv4 flows, and a pcap reader. */
#include "tools/pcapgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/util/scan.h"

#define ETH_LEN 14
#define IP4_LEN 20
#define UDP_LEN 8

static const uint8_t src_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t dst_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

void
pcapgen_params_init(struct pcapgen_params *p)
{
    p->n_flows = 1;
    p->frame_size = PCAPGEN_MIN_FRAME;
    p->n_packets = 0;
}

int
pcapgen_params_check(const struct pcapgen_params *p, const char **err)
{
    if (p->n_flows < 1 || p->n_flows > PCAPGEN_MAX_FLOWS) {
        *err = "number of flows must be between 1 and 16777216";
        return -EINVAL;
    }
    if (p->frame_size < PCAPGEN_MIN_FRAME
        || p->frame_size > PCAPGEN_MAX_FRAME) {
        *err = "frame size must be between 64 and 9018 bytes (incl. FCS)";
        return -EINVAL;
    }
    return 0;
}

uint64_t
pcapgen_n_packets(const struct pcapgen_params *p)
{
    return p->n_packets ? p->n_packets : p->n_flows;
}

void
pcapgen_flow(uint32_t index, struct pcapgen_flow *f)
{
    f->src_ip = 0x0a000001u + (index & 0xffff);
    f->dst_ip = 0x0a800001u + ((index >> 16) & 0xff);
    f->src_port = 1024 + (index & 0x3fff);
    f->dst_port = 5001 + ((index >> 14) & 0x3ff);
}

int
pcapgen_parse_count(const char *s, uint64_t max, uint64_t *count)
{
    uint64_t x, mult = 1;
    char digits[32];
    size_t n = strlen(s);

    if (n && (s[n - 1] == 'k' || s[n - 1] == 'K')) {
        mult = 1000;
        n--;
    } else if (n && (s[n - 1] == 'm' || s[n - 1] == 'M')) {
        mult = 1000000;
        n--;
    }
    if (n >= sizeof digits) {
        return -EINVAL;
    }
    memcpy(digits, s, n);
    digits[n] = '\0';
    if (scan_uint(digits, 10, max / mult, &x) || x < 1) {
        return -EINVAL;
    }
    *count = x * mult;
    return 0;
}

uint16_t
pcapgen_csum(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t sum = 0;

    for (; len >= 2; p += 2, len -= 2) {
        sum += (uint32_t) p[0] << 8 | p[1];
    }
    if (len) {
        sum += (uint32_t) p[0] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return htons((uint16_t) ~sum);
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/* UDP checksum over the IPv4 pseudo-header and the datagram at 'udp'. */
static uint16_t
udp_csum(const struct pcapgen_flow *f, const uint8_t *udp, uint16_t udp_len)
{
    uint32_t sum = 0;
    size_t i;

    sum += (f->src_ip >> 16) + (f->src_ip & 0xffff);
    sum += (f->dst_ip >> 16) + (f->dst_ip & 0xffff);
    sum += 17 + udp_len;
    for (i = 0; i + 1 < udp_len; i += 2) {
        sum += (uint32_t) udp[i] << 8 | udp[i + 1];
    }
    if (udp_len & 1) {
        sum += (uint32_t) udp[udp_len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = ~sum & 0xffff;
    return sum ? sum : 0xffff;      /* 0 would mean "no checksum". */
}

size_t
pcapgen_build_frame(uint32_t index, uint32_t frame_size, uint8_t *buf,
                    size_t size)
{
    struct pcapgen_flow f;
    uint32_t len = frame_size - PCAPGEN_FCS_LEN;
    uint8_t *ip = buf + ETH_LEN;
    uint8_t *udp = ip + IP4_LEN;
    uint16_t ip_len, udp_len, csum;
    size_t i;

    if (frame_size < PCAPGEN_MIN_FRAME || frame_size > PCAPGEN_MAX_FRAME
        || size < len) {
        return 0;
    }
    pcapgen_flow(index, &f);
    ip_len = len - ETH_LEN;
    udp_len = ip_len - IP4_LEN;

    memcpy(buf, dst_mac, 6);
    memcpy(buf + 6, src_mac, 6);
    put16(buf + 12, 0x0800);

    ip[0] = 0x45;                   /* Version 4, 5 words. */
    ip[1] = 0;                      /* DSCP/ECN. */
    put16(ip + 2, ip_len);
    put16(ip + 4, 0);               /* Identification. */
    put16(ip + 6, 0x4000);          /* Don't fragment. */
    ip[8] = 64;                     /* TTL. */
    ip[9] = 17;                     /* UDP. */
    put16(ip + 10, 0);
    put32(ip + 12, f.src_ip);
    put32(ip + 16, f.dst_ip);
    csum = pcapgen_csum(ip, IP4_LEN);
    memcpy(ip + 10, &csum, 2);

    put16(udp, f.src_port);
    put16(udp + 2, f.dst_port);
    put16(udp + 4, udp_len);
    put16(udp + 6, 0);
    /* Payload: the flow index, then a byte pattern. */
    for (i = UDP_LEN; i < udp_len; i++) {
        udp[i] = (uint8_t) i;
    }
    put32(udp + UDP_LEN, index);
    put16(udp + 6, udp_csum(&f, udp, udp_len));
    return len;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

static void
put_le16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

int
pcapgen_write_stream(FILE *stream, const struct pcapgen_params *p)
{
    uint8_t hdr[24], *rec;
    uint64_t n, k;
    uint32_t len;
    const char *err;
    int ret = 0;

    if (pcapgen_params_check(p, &err)) {
        return -EINVAL;
    }
    len = pcapgen_record_len(p);
    n = pcapgen_n_packets(p);

    /* Files are always written little-endian, microsecond timestamps. */
    put_le32(hdr, PCAPGEN_MAGIC);
    put_le16(hdr + 4, 2);
    put_le16(hdr + 6, 4);
    put_le32(hdr + 8, 0);           /* thiszone */
    put_le32(hdr + 12, 0);          /* sigfigs */
    put_le32(hdr + 16, PCAPGEN_SNAPLEN);
    put_le32(hdr + 20, PCAPGEN_LINKTYPE_ETHERNET);
    if (fwrite(hdr, sizeof hdr, 1, stream) != 1) {
        return -EIO;
    }

    rec = malloc(16 + len);
    if (!rec) {
        return -ENOMEM;
    }
    for (k = 0; k < n; k++) {
        /* Timestamps one microsecond apart. */
        put_le32(rec, (uint32_t) (k / 1000000));
        put_le32(rec + 4, (uint32_t) (k % 1000000));
        put_le32(rec + 8, len);
        put_le32(rec + 12, len);
        pcapgen_build_frame((uint32_t) (k % p->n_flows), p->frame_size,
                            rec + 16, len);
        if (fwrite(rec, 16 + len, 1, stream) != 1) {
            ret = -EIO;
            break;
        }
    }
    free(rec);
    return ret;
}

int
pcapgen_write(const char *path, const struct pcapgen_params *p)
{
    static char buf[1 << 20];
    FILE *stream;
    const char *err;
    int ret;

    if (pcapgen_params_check(p, &err)) {
        return -EINVAL;
    }
    stream = fopen(path, "wb");
    if (!stream) {
        return -errno;
    }
    setvbuf(stream, buf, _IOFBF, sizeof buf);
    ret = pcapgen_write_stream(stream, p);
    if (fclose(stream) && !ret) {
        ret = errno ? -errno : -EIO;
    }
    if (ret) {
        remove(path);
    }
    return ret;
}

/* Reader. */

struct pcapgen_reader {
    FILE *stream;
    struct pcapgen_file_header hdr;
    bool big_endian;            /* The file's byte order. */
    uint8_t *buf;
    uint32_t buf_size;
};

static uint32_t
get32(const uint8_t *p, bool big_endian)
{
    uint32_t le = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t) p[3] << 24;
    uint32_t be = (uint32_t) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];

    return big_endian ? be : le;
}

static uint16_t
get16(const uint8_t *p, bool big_endian)
{
    return big_endian ? (uint16_t) (p[0] << 8 | p[1])
                      : (uint16_t) (p[0] | p[1] << 8);
}

int
pcapgen_reader_open(const char *path, struct pcapgen_reader **rp)
{
    struct pcapgen_reader *r;
    struct pcapgen_file_header *h;
    uint8_t raw[24];
    uint32_t magic;
    bool be;

    *rp = NULL;
    r = calloc(1, sizeof *r);
    if (!r) {
        return -ENOMEM;
    }
    r->stream = fopen(path, "rb");
    if (!r->stream) {
        int error = -errno;

        free(r);
        return error;
    }
    h = &r->hdr;
    if (fread(raw, sizeof raw, 1, r->stream) != 1) {
        pcapgen_reader_close(r);
        return -EPROTO;
    }
    magic = get32(raw, false);
    if (magic == PCAPGEN_MAGIC || magic == PCAPGEN_MAGIC_NS) {
        be = false;
    } else {
        magic = get32(raw, true);
        if (magic != PCAPGEN_MAGIC && magic != PCAPGEN_MAGIC_NS) {
            pcapgen_reader_close(r);
            return -EPROTO;
        }
        be = true;
    }
    h->magic = magic;
    h->nanosecond = magic == PCAPGEN_MAGIC_NS;
    h->version_major = get16(raw + 4, be);
    h->version_minor = get16(raw + 6, be);
    h->thiszone = (int32_t) get32(raw + 8, be);
    h->sigfigs = get32(raw + 12, be);
    h->snaplen = get32(raw + 16, be);
    h->linktype = get32(raw + 20, be);
    /* "Swapped": the file is in the other byte order than this host's. */
    h->swapped = be != (htonl(1) == 1);
    r->big_endian = be;
    *rp = r;
    return 0;
}

const struct pcapgen_file_header *
pcapgen_reader_header(const struct pcapgen_reader *r)
{
    return &r->hdr;
}

int
pcapgen_reader_next(struct pcapgen_reader *r, struct pcapgen_record *rec)
{
    bool be = r->big_endian;
    uint8_t raw[16];
    size_t n;

    n = fread(raw, 1, sizeof raw, r->stream);
    if (n == 0 && feof(r->stream)) {
        return 0;
    }
    if (n != sizeof raw) {
        return ferror(r->stream) ? -EIO : -EPROTO;
    }
    rec->ts_sec = get32(raw, be);
    rec->ts_frac = get32(raw + 4, be);
    rec->caplen = get32(raw + 8, be);
    rec->wirelen = get32(raw + 12, be);
    if (rec->caplen > 262144) {
        return -EPROTO;
    }
    if (rec->caplen > r->buf_size) {
        uint8_t *buf = realloc(r->buf, rec->caplen);

        if (!buf) {
            return -ENOMEM;
        }
        r->buf = buf;
        r->buf_size = rec->caplen;
    }
    if (rec->caplen
        && fread(r->buf, rec->caplen, 1, r->stream) != 1) {
        return ferror(r->stream) ? -EIO : -EPROTO;
    }
    rec->data = r->buf;
    return 1;
}

void
pcapgen_reader_close(struct pcapgen_reader *r)
{
    if (r) {
        if (r->stream) {
            fclose(r->stream);
        }
        free(r->buf);
        free(r);
    }
}
