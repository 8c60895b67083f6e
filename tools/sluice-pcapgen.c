/* sluice-pcapgen: writes a pcap of N distinct UDP/IPv4 flows (pcapgen.h). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice_config.h"
#include "src/util/scan.h"
#include "tools/pcapgen.h"

static void
usage(void)
{
    printf("\
usage: sluice-pcapgen [--flows N] [--size BYTES] [--count PACKETS] -o FILE\n\
Writes a classic pcap file (linktype Ethernet) of N distinct UDP/IPv4 flows.\n\
\n\
  -f, --flows N        distinct 5-tuples, 1..16777216 (default 1); k and M\n\
                       suffixes mean 10^3 and 10^6 (100k, 1M)\n\
  -s, --size BYTES     frame size ON THE WIRE INCLUDING the 4-byte FCS, as\n\
                       DPDK/testpmd count it: 64..9018 (default 64).  A pcap\n\
                       holds no FCS, so each record is BYTES-4 long\n\
                       (--size 64 -> 60-byte records).\n\
  -c, --count PACKETS  packets to write (default: one per flow); packet k\n\
                       belongs to flow k %% N\n\
  -o, --output FILE    file to write (\"-\" for stdout)\n\
  -q, --quiet          print nothing on success\n\
  -h, --help           this help\n\
  -V, --version        print the version\n\
\n\
Flow i: 02:00:00:00:00:01 -> 02:00:00:00:00:02,\n\
        10.0.0.1+(i&0xffff):1024+(i&0x3fff) ->\n\
        10.128.0.1+((i>>16)&0xff):5001+((i>>14)&0x3ff), valid IPv4 and UDP\n\
        checksums, payload starts with i (32 bits, big-endian).\n");
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
    uint64_t x;
    if (scan_uint(s, SCAN_C, max, &x) || x < min) {
        return -EINVAL;
    }
    *v = x;
    return 0;
}

int
main(int argc, char *argv[])
{
    static const struct option long_opts[] = {
        { "flows", required_argument, NULL, 'f' },
        { "size", required_argument, NULL, 's' },
        { "count", required_argument, NULL, 'c' },
        { "output", required_argument, NULL, 'o' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    struct pcapgen_params p;
    const char *out = NULL;
    const char *err;
    bool quiet = false;
    uint64_t v;
    int c, ret;

    pcapgen_params_init(&p);
    while ((c = getopt_long(argc, argv, "f:s:c:o:qhV", long_opts, NULL))
           != -1) {
        switch (c) {
        case 'f':
            if (pcapgen_parse_count(optarg, PCAPGEN_MAX_FLOWS, &v)) {
                fprintf(stderr, "sluice-pcapgen: --flows: '%s' is not a "
                        "number between 1 and %u\n", optarg,
                        PCAPGEN_MAX_FLOWS);
                return 1;
            }
            p.n_flows = v;
            break;
        case 's':
            if (parse_u64(optarg, PCAPGEN_MIN_FRAME, PCAPGEN_MAX_FRAME, &v)) {
                fprintf(stderr, "sluice-pcapgen: --size: '%s' is not a "
                        "frame size between %d and %d (bytes incl. the "
                        "4-byte FCS)\n", optarg, PCAPGEN_MIN_FRAME,
                        PCAPGEN_MAX_FRAME);
                return 1;
            }
            p.frame_size = v;
            break;
        case 'c':
            if (pcapgen_parse_count(optarg, UINT64_MAX, &v)) {
                fprintf(stderr, "sluice-pcapgen: --count: '%s' is not a "
                        "positive number\n", optarg);
                return 1;
            }
            p.n_packets = v;
            break;
        case 'o':
            out = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            usage();
            return 0;
        case 'V':
            printf("sluice-pcapgen (Sluice) %s\n", SLUICE_VERSION);
            return 0;
        default:
            fprintf(stderr, "Try 'sluice-pcapgen --help'.\n");
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sluice-pcapgen: unexpected argument '%s'\n",
                argv[optind]);
        return 1;
    }
    if (!out) {
        fprintf(stderr, "sluice-pcapgen: -o FILE is required "
                "(try --help)\n");
        return 1;
    }
    if (pcapgen_params_check(&p, &err)) {
        fprintf(stderr, "sluice-pcapgen: %s\n", err);
        return 1;
    }

    if (!strcmp(out, "-")) {
        ret = pcapgen_write_stream(stdout, &p);
        if (fflush(stdout) && !ret) {
            ret = -EIO;
        }
        quiet = true;
    } else {
        ret = pcapgen_write(out, &p);
    }
    if (ret) {
        fprintf(stderr, "sluice-pcapgen: %s: %s\n", out, strerror(-ret));
        return 1;
    }
    if (!quiet) {
        printf("%s: %" PRIu64 " packets, %u flows, %u-byte frames "
               "(%u-byte records, FCS excluded)\n", out,
               pcapgen_n_packets(&p), p.n_flows, p.frame_size,
               pcapgen_record_len(&p));
    }
    return 0;
}
