/* bench_pmdstats: pmd-stats-show's figures. */
#include "tools/bench_pmdstats.h"

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
