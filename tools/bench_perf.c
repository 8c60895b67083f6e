/* bench_perf: a PMD's cycles by library. */
#include "tools/bench_perf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/util/dstr.h"
#include "tools/bench.h"
#include "tools/bench_proc.h"

#define REPORT_TIMEOUT 120.0
#define MAX_ROWS 8

static void
perf_path(const struct bench_run *r, const char *who, const char *ext,
          char *buf, size_t size)
{
    snprintf(buf, size, "%s/perf-%s.%s", r->dir, who, ext);
}

int
bench_perf_start(const struct bench_run *r, const char *who)
{
    struct bench_argv a = { NULL, 0, 0 };
    char data[PATH_MAX + 32], log[PATH_MAX + 32];
    int fd, ret;

    perf_path(r, who, "data", data, sizeof data);
    perf_path(r, who, "log", log, sizeof log);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return -errno;
    }
    /* perf itself on the control core, off the core it samples. */
    bench_argv_add(&a, "taskset");
    bench_argv_add(&a, "-c");
    bench_argv_add(&a, "%d", r->opts->control_core);
    bench_argv_add(&a, "perf");
    bench_argv_add(&a, "record");
    bench_argv_add(&a, "-C");
    bench_argv_add(&a, "%d", __builtin_ctzll(r->opts->pmd_mask));
    bench_argv_add(&a, "-o");
    bench_argv_add(&a, "%s", data);
    ret = bench_child_start(&bench_perf_child, a.v, fd, SIGINT);
    close(fd);
    bench_argv_free(&a);
    if (ret) {
        bench_note("--perf: cannot start perf: %s", strerror(-ret));
    }
    return ret;
}

/* One "PCT%  COMM  DSO" line of perf report. */
struct row {
    double pct;
    char dso[128];
};

/* Sums the lines of 'text' whose comm starts with 'prefix', by dso. */
static int
split(const char *text, const char *prefix, struct row *rows, int max,
      double *total)
{
    const char *line = text;
    int n = 0, i;

    *total = 0;
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        char comm[64], dso[128];
        double pct;

        if (line[0] != '#'
            && sscanf(line, " %lf%% %63s %127s", &pct, comm, dso) == 3
            && !strncmp(comm, prefix, strlen(prefix))) {
            *total += pct;
            for (i = 0; i < n && strcmp(rows[i].dso, dso); i++) {
                continue;
            }
            if (i == n && n < max) {
                rows[n].pct = 0;
                snprintf(rows[n].dso, sizeof rows[n].dso, "%s", dso);
                n++;
            }
            if (i < n) {
                rows[i].pct += pct;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    return n;
}

void
bench_perf_stop(const struct bench_run *r, const char *who, pid_t pid,
                const char *comm_prefix)
{
    struct bench_argv a = { NULL, 0, 0 };
    char data[PATH_MAX + 32], txt[PATH_MAX + 32];
    struct row rows[MAX_ROWS * 4];
    struct dstr msg = DSTR_INIT;
    char *out = NULL;
    double total;
    int status, n, i;
    FILE *f;

    if (bench_perf_child.pid <= 0) {
        return;
    }
    kill(bench_perf_child.pid, SIGINT);
    if (!bench_child_wait(&bench_perf_child, 30, &status)) {
        bench_child_stop(&bench_perf_child);
    }
    perf_path(r, who, "data", data, sizeof data);
    perf_path(r, who, "txt", txt, sizeof txt);
    bench_argv_add(&a, "perf");
    bench_argv_add(&a, "report");
    bench_argv_add(&a, "-i");
    bench_argv_add(&a, "%s", data);
    bench_argv_add(&a, "--stdio");
    bench_argv_add(&a, "--pid=%ld", (long) pid);
    bench_argv_add(&a, "--sort");
    bench_argv_add(&a, "comm,dso");
    status = bench_run_capture(a.v, NULL, REPORT_TIMEOUT, &out, NULL);
    bench_argv_free(&a);
    if (status || !out) {
        bench_note("--perf: perf report on %s failed", data);
        free(out);
        return;
    }
    f = fopen(txt, "w");
    if (f) {
        fputs(out, f);
        fclose(f);
    }
    n = split(out, comm_prefix, rows, sizeof rows / sizeof *rows, &total);
    free(out);
    if (!n || total <= 0) {
        bench_note("--perf: no samples of %s's %s* threads on the PMD "
                   "core (%s)", who, comm_prefix, txt);
        return;
    }
    dstr_init(&msg);
    for (i = 0; i < n && i < MAX_ROWS; i++) {
        dstr_printf(&msg, "%s %s %.1f%%", i ? "," : "", rows[i].dso,
                    100 * rows[i].pct / total);
    }
    bench_note("%s, %u flows: %s's PMD cycles by object (perf; %.0f%% of "
               "the core's samples):%s", r->name, r->n_flows, who, total,
               dstr_cstr(&msg));
    dstr_free(&msg);
}
