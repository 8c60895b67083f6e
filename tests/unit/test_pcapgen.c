/* Unit tests of pcapgen: file format, frame contents, checksums, flows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/pcapgen.h"

static uint32_t
be32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

static uint32_t
le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t) p[3] << 24;
}

/* A temporary file name; the file is removed by the caller. */
static char *
tmp_path(void)
{
    char *path = strdup("/tmp/test_pcapgen.XXXXXX");
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    close(fd);
    return path;
}

/* Checksum over the UDP pseudo-header + datagram, uncomplemented sum. */
static uint16_t
udp_verify(const uint8_t *ip)
{
    const uint8_t *udp = ip + 20;
    uint16_t udp_len = be16(udp + 4);
    uint32_t sum = 0;
    size_t i;

    for (i = 12; i < 20; i += 2) {
        sum += be16(ip + i);
    }
    sum += 17 + udp_len;
    for (i = 0; i + 1 < udp_len; i += 2) {
        sum += be16(udp + i);
    }
    if (udp_len & 1) {
        sum += udp[udp_len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

static void
test_csum_rfc1071(void **state)
{
    /* The example in RFC 1071 section 3: sum 0xddf2, checksum ~ = 0x220d. */
    static const uint8_t data[] = { 0x00, 0x01, 0xf2, 0x03,
                                    0xf4, 0xf5, 0xf6, 0xf7 };
    uint16_t c = pcapgen_csum(data, sizeof data);
    const uint8_t *b = (const uint8_t *) &c;

    (void) state;
    assert_int_equal(b[0], 0x22);
    assert_int_equal(b[1], 0x0d);
}

static void
test_params(void **state)
{
    struct pcapgen_params p;
    const char *err = NULL;

    (void) state;
    pcapgen_params_init(&p);
    assert_int_equal(p.n_flows, 1);
    assert_int_equal(p.frame_size, 64);
    assert_int_equal(pcapgen_record_len(&p), 60);
    assert_int_equal(pcapgen_params_check(&p, &err), 0);
    assert_int_equal(pcapgen_n_packets(&p), 1);

    p.n_flows = 0;
    assert_int_equal(pcapgen_params_check(&p, &err), -EINVAL);
    assert_non_null(err);
    p.n_flows = PCAPGEN_MAX_FLOWS + 1;
    assert_int_equal(pcapgen_params_check(&p, &err), -EINVAL);
    p.n_flows = PCAPGEN_MAX_FLOWS;
    assert_int_equal(pcapgen_params_check(&p, &err), 0);
    p.frame_size = 63;
    assert_int_equal(pcapgen_params_check(&p, &err), -EINVAL);
    p.frame_size = 9019;
    assert_int_equal(pcapgen_params_check(&p, &err), -EINVAL);
    p.frame_size = 9018;
    assert_int_equal(pcapgen_params_check(&p, &err), 0);
}

static void
test_parse_count(void **state)
{
    uint64_t v = 0;

    (void) state;
    assert_int_equal(pcapgen_parse_count("1", 100, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(pcapgen_parse_count("100k", 1u << 24, &v), 0);
    assert_int_equal(v, 100000);
    assert_int_equal(pcapgen_parse_count("16M", 1u << 24, &v), 0);
    assert_int_equal(v, 16000000);
    assert_int_equal(pcapgen_parse_count("17M", 1u << 24, &v), -EINVAL);
    assert_int_equal(pcapgen_parse_count("0", 100, &v), -EINVAL);
    assert_int_equal(pcapgen_parse_count("-1", 100, &v), -EINVAL);
    assert_int_equal(pcapgen_parse_count("", 100, &v), -EINVAL);
    assert_int_equal(pcapgen_parse_count("5x", 100, &v), -EINVAL);
    assert_int_equal(pcapgen_parse_count("1kk", 1u << 24, &v), -EINVAL);
    assert_int_equal(pcapgen_parse_count("k", 1u << 24, &v), -EINVAL);
    assert_int_equal(pcapgen_parse_count("+1", 100, &v), -EINVAL);
    assert_int_equal(pcapgen_parse_count(" 1", 100, &v), -EINVAL);
    assert_int_equal(pcapgen_parse_count("1 k", 1u << 24, &v), -EINVAL);
    assert_int_equal(pcapgen_parse_count("010", 100, &v), 0);
    assert_int_equal(v, 10);                /* Counts are decimal. */
    assert_int_equal(pcapgen_parse_count("99999999999999999999", UINT64_MAX,
                                         &v), -EINVAL);
}

static void
check_frame(const uint8_t *f, uint32_t len, uint32_t index)
{
    struct pcapgen_flow flow;
    const uint8_t *ip = f + 14;
    const uint8_t *udp = ip + 20;

    pcapgen_flow(index, &flow);
    assert_memory_equal(f, "\x02\x00\x00\x00\x00\x02", 6);
    assert_memory_equal(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
    assert_int_equal(be16(f + 12), 0x0800);

    assert_int_equal(ip[0], 0x45);
    assert_int_equal(be16(ip + 2), len - 14);
    assert_int_equal(ip[8], 64);
    assert_int_equal(ip[9], 17);
    assert_int_equal(be32(ip + 12), flow.src_ip);
    assert_int_equal(be32(ip + 16), flow.dst_ip);
    /* A valid header sums to zero. */
    assert_int_equal(pcapgen_csum(ip, 20), 0);

    assert_int_equal(be16(udp), flow.src_port);
    assert_int_equal(be16(udp + 2), flow.dst_port);
    assert_int_equal(be16(udp + 4), len - 14 - 20);
    assert_int_not_equal(be16(udp + 6), 0);
    assert_int_equal(udp_verify(ip), 0xffff);
    assert_int_equal(be32(udp + 8), index);
}

static void
test_frame(void **state)
{
    static const uint32_t sizes[] = { 64, 65, 128, 1518, 9018 };
    static const uint32_t indexes[] = { 0, 1, 0xffff, 0x10000, 0xabcdef,
                                        PCAPGEN_MAX_FLOWS - 1 };
    uint8_t buf[9100];
    size_t i, j;

    (void) state;
    for (i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        for (j = 0; j < sizeof indexes / sizeof *indexes; j++) {
            size_t n = pcapgen_build_frame(indexes[j], sizes[i], buf,
                                           sizeof buf);

            assert_int_equal(n, sizes[i] - 4);
            check_frame(buf, n, indexes[j]);
        }
    }
    assert_int_equal(pcapgen_build_frame(0, 63, buf, sizeof buf), 0);
    assert_int_equal(pcapgen_build_frame(0, 64, buf, 59), 0);
}

static void
test_flow_values(void **state)
{
    struct pcapgen_flow f;

    (void) state;
    pcapgen_flow(0, &f);
    assert_int_equal(f.src_ip, 0x0a000001);     /* 10.0.0.1 */
    assert_int_equal(f.dst_ip, 0x0a800001);     /* 10.128.0.1 */
    assert_int_equal(f.src_port, 1024);
    assert_int_equal(f.dst_port, 5001);
    pcapgen_flow(PCAPGEN_MAX_FLOWS - 1, &f);
    assert_int_equal(f.src_ip, 0x0a010000);
    assert_int_equal(f.dst_ip, 0x0a800100);
    assert_true(f.src_port >= 1024);
    assert_true(f.dst_port >= 5001);
}

/* All 2^24 flows are distinct: mark each (src, dst) IP pair in a bitmap. */
static void
test_flows_distinct(void **state)
{
    uint8_t *seen = calloc(PCAPGEN_MAX_FLOWS / 8, 1);
    uint32_t i;

    (void) state;
    assert_non_null(seen);
    for (i = 0; i < PCAPGEN_MAX_FLOWS; i++) {
        struct pcapgen_flow f;
        uint32_t key;

        pcapgen_flow(i, &f);
        assert_true(f.src_ip >= 0x0a000001 && f.src_ip <= 0x0a010000);
        assert_true(f.dst_ip >= 0x0a800001 && f.dst_ip <= 0x0a800100);
        key = (f.dst_ip - 0x0a800001) << 16 | (f.src_ip - 0x0a000001);
        if (seen[key / 8] & (1u << (key % 8))) {
            fail_msg("flow %u repeats an earlier 5-tuple", i);
        }
        seen[key / 8] |= 1u << (key % 8);
    }
    free(seen);
}

static void
test_write_read(void **state)
{
    struct pcapgen_params p;
    struct pcapgen_reader *r;
    const struct pcapgen_file_header *h;
    struct pcapgen_record rec;
    char *path = tmp_path();
    uint8_t raw[24];
    FILE *f;
    uint64_t k;
    long size;

    (void) state;
    pcapgen_params_init(&p);
    p.n_flows = 1000;
    p.n_packets = 2500;
    p.frame_size = 64;
    assert_int_equal(pcapgen_write(path, &p), 0);

    /* Raw global header: little-endian, v2.4, snaplen, linktype 1. */
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(raw, sizeof raw, 1, f), 1);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fclose(f);
    assert_int_equal(le32(raw), 0xa1b2c3d4);
    assert_int_equal(raw[4] | raw[5] << 8, 2);
    assert_int_equal(raw[6] | raw[7] << 8, 4);
    assert_int_equal(le32(raw + 8), 0);
    assert_int_equal(le32(raw + 12), 0);
    assert_int_equal(le32(raw + 16), 65535);
    assert_int_equal(le32(raw + 20), 1);
    assert_int_equal(size, 24 + 2500 * (16 + 60));

    assert_int_equal(pcapgen_reader_open(path, &r), 0);
    h = pcapgen_reader_header(r);
    assert_int_equal(h->magic, PCAPGEN_MAGIC);
    assert_int_equal(h->version_major, 2);
    assert_int_equal(h->version_minor, 4);
    assert_int_equal(h->linktype, 1);
    assert_int_equal(h->snaplen, 65535);
    assert_false(h->nanosecond);
    for (k = 0; k < 2500; k++) {
        assert_int_equal(pcapgen_reader_next(r, &rec), 1);
        assert_int_equal(rec.caplen, 60);
        assert_int_equal(rec.wirelen, 60);
        assert_int_equal(rec.ts_sec, 0);
        assert_int_equal(rec.ts_frac, k);
        check_frame(rec.data, rec.caplen, k % 1000);
    }
    assert_int_equal(pcapgen_reader_next(r, &rec), 0);
    pcapgen_reader_close(r);
    unlink(path);
    free(path);
}

static void
test_write_default_count_and_size(void **state)
{
    struct pcapgen_params p;
    struct pcapgen_reader *r;
    struct pcapgen_record rec;
    char *path = tmp_path();
    int n = 0;

    (void) state;
    pcapgen_params_init(&p);
    p.n_flows = 7;
    p.frame_size = 1518;
    assert_int_equal(pcapgen_write(path, &p), 0);
    assert_int_equal(pcapgen_reader_open(path, &r), 0);
    while (pcapgen_reader_next(r, &rec) == 1) {
        assert_int_equal(rec.caplen, 1514);
        check_frame(rec.data, rec.caplen, n);
        n++;
    }
    assert_int_equal(n, 7);
    pcapgen_reader_close(r);

    p.frame_size = 10;
    assert_int_equal(pcapgen_write(path, &p), -EINVAL);
    unlink(path);
    free(path);
}

/* A big-endian nanosecond file, as another tool might write it. */
static void
test_read_big_endian(void **state)
{
    static const uint8_t file[] = {
        0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0x10, 0, 0, 0, 0, 1,
        0, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0, 3, 0, 0, 0, 64,
        0xaa, 0xbb, 0xcc,
        0, 0, 0, 1,                 /* Truncated record header. */
    };
    struct pcapgen_reader *r;
    const struct pcapgen_file_header *h;
    struct pcapgen_record rec;
    char *path = tmp_path();
    FILE *f = fopen(path, "wb");

    (void) state;
    assert_int_equal(fwrite(file, sizeof file, 1, f), 1);
    fclose(f);
    assert_int_equal(pcapgen_reader_open(path, &r), 0);
    h = pcapgen_reader_header(r);
    assert_true(h->nanosecond);
    assert_int_equal(h->snaplen, 4096);
    assert_int_equal(h->linktype, 1);
    assert_int_equal(pcapgen_reader_next(r, &rec), 1);
    assert_int_equal(rec.ts_sec, 5);
    assert_int_equal(rec.ts_frac, 9);
    assert_int_equal(rec.caplen, 3);
    assert_int_equal(rec.wirelen, 64);
    assert_memory_equal(rec.data, "\xaa\xbb\xcc", 3);
    assert_int_equal(pcapgen_reader_next(r, &rec), -EPROTO);
    pcapgen_reader_close(r);

    /* Not a pcap at all. */
    f = fopen(path, "wb");
    fputs("this is not a pcap file, really", f);
    fclose(f);
    assert_int_equal(pcapgen_reader_open(path, &r), -EPROTO);
    assert_null(r);
    assert_int_equal(pcapgen_reader_open("/nonexistent/x.pcap", &r),
                     -ENOENT);
    unlink(path);
    free(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csum_rfc1071),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_parse_count),
        cmocka_unit_test(test_frame),
        cmocka_unit_test(test_flow_values),
        cmocka_unit_test(test_flows_distinct),
        cmocka_unit_test(test_write_read),
        cmocka_unit_test(test_write_default_count_and_size),
        cmocka_unit_test(test_read_big_endian),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
