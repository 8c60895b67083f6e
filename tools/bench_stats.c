/* bench_stats: the measured programs' statistics. */
#include "tools/bench_stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Finds "LABEL" at the start of a line (after blanks) in [text, end) and
 * returns what follows it, or NULL. */
static const char *
find_field(const char *text, const char *end, const char *label)
{
    size_t len = strlen(label);
    const char *p = text;

    while ((p = strstr(p, label)) != NULL && p < end) {
        const char *q = p;

        while (q > text && (q[-1] == ' ' || q[-1] == '\t')) {
            q--;
        }
        p += len;
        if (q == text || q[-1] == '\n') {
            return p;
        }
    }
    return NULL;
}

bool
bench_pmdstats_add(const char *text, const char *end, const char *label,
                   uint64_t *sum)
{
    const char *p = find_field(text, end, label);

    if (p) {
        *sum += strtoull(p, NULL, 10);
    }
    return p != NULL;
}

int
bench_pmdstats_parse(const char *text, struct bench_dp_sample *s)
{
    static const char head[] = "pmd thread ";
    const char *block = strstr(text, head);
    const char *main_thread = strstr(text, "main thread:");
    int n_blocks = 0;

    while (block) {
        const char *next = strstr(block + 1, head);
        const char *end = next ? next : block + strlen(block);
        uint64_t hits = 0;
        const char *p;

        if (main_thread && main_thread > block && main_thread < end) {
            end = main_thread;      /* Open vSwitch's non-PMD block. */
        }
        if (!bench_pmdstats_add(block, end, "packets received:",
                                &s->received)
            || !bench_pmdstats_add(block, end, "idle cycles:", &s->idle)
            || !bench_pmdstats_add(block, end, "processing cycles:",
                                   &s->processing)) {
            return -EPROTO;
        }
        s->have_cmd = bench_pmdstats_add(block, end, "command cycles:",
                                         &s->cmd);
        bench_pmdstats_add(block, end, "packets sent:", &s->sent);
        bench_pmdstats_add(block, end, "packets dropped:", &s->dropped);
        bench_pmdstats_add(block, end, "emc hits:", &s->emc_hits);
        bench_pmdstats_add(block, end, "megaflow hits:", &hits);
        s->megaflow_hits += hits;
        p = find_field(block, end, "avg. subtable lookups per megaflow hit:");
        if (p) {
            s->lookups += strtod(p, NULL) * hits;
        }
        bench_pmdstats_add(block, end, "miss with success upcall:",
                           &s->upcalls);
        bench_pmdstats_add(block, end, "miss with failed upcall:",
                           &s->lost_upcalls);
        bench_pmdstats_add(block, end, "megaflows:", &s->megaflows);
        n_blocks++;
        block = next;
    }
    return n_blocks ? 0 : -EPROTO;
}

int
bench_stats_sum(const char *text, const char *label, uint64_t *sum)
{
    size_t len = strlen(label);
    const char *p = text;
    int n = 0;

    *sum = 0;
    while ((p = strstr(p, label)) != NULL) {
        p += len;
        *sum += strtoull(p, NULL, 10);
        n++;
    }
    return n;
}

bool
bench_stats_testpmd_fwd(const char *text, uint64_t *rx, uint64_t *tx,
                        double *cycles)
{
    const char *acc = strstr(text, "Accumulated forward statistics");
    const char *p;

    *rx = *tx = 0;
    *cycles = 0;
    if (acc) {
        p = strstr(acc, "RX-packets:");
        *rx = p ? strtoull(p + strlen("RX-packets:"), NULL, 10) : 0;
        p = strstr(acc, "TX-packets:");
        *tx = p ? strtoull(p + strlen("TX-packets:"), NULL, 10) : 0;
    }
    p = strstr(text, "CPU cycles/packet=");
    if (p) {
        *cycles = strtod(p + strlen("CPU cycles/packet="), NULL);
    }
    return p != NULL;
}

/* Adds the number after 'label' in [p, end) to *sum; false if it is not
 * there or is "?" (Open vSwitch 3.1 has no counters for vhost-user ports
 * here: "could not retrieve stats"). */
static bool
add_count(const char *p, const char *end, const char *label, uint64_t *sum)
{
    const char *q = strstr(p, label);

    if (!q || (end && q > end)) {
        return false;
    }
    q += strlen(label);
    if (*q < '0' || *q > '9') {
        return false;
    }
    *sum += strtoull(q, NULL, 10);
    return true;
}

bool
bench_stats_dump_ports(const char *text, uint64_t *rx, uint64_t *tx)
{
    const char *p = text;
    bool ok = true;

    *rx = *tx = 0;
    while ((p = strstr(p, "port ")) != NULL) {
        const char *next;

        p += strspn(p + 5, " ") + 5;
        if (*p < '0' || *p > '9') {
            continue;
        }
        next = strstr(p, "port ");
        ok = add_count(p, next, "rx pkts=", rx) && ok;
        ok = add_count(p, next, "tx pkts=", tx) && ok;
    }
    return ok;
}
