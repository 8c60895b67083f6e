/* bench_report: the table and the CSV file of sluice-bench. */
#include "tools/bench_report.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
fmt_num(char *buf, size_t size, bool ok, double v, int prec)
{
    if (ok) {
        snprintf(buf, size, "%.*f", prec, v);
    } else {
        snprintf(buf, size, "-");
    }
}

static int
cmp_double(const void *a_, const void *b_)
{
    double a = *(const double *) a_, b = *(const double *) b_;

    return a < b ? -1 : a > b;
}

/* Median of the double at offset 'field' over those of the 'n' results
 * whose bool at offset 'ok_field' is set; false if there are none. */
static bool
median(const struct bench_result *res, int n, size_t field, size_t ok_field,
       double *m)
{
    double v[64];
    int k = 0, i;

    for (i = 0; i < n && k < 64; i++) {
        const char *x = (const char *) &res[i];

        if (*(const bool *) (x + ok_field)) {
            v[k++] = *(const double *) (x + field);
        }
    }
    if (!k) {
        return false;
    }
    qsort(v, k, sizeof *v, cmp_double);
    *m = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
    return true;
}

/* The main figure of a run. */
static double
figure(const struct bench_result *x)
{
    return x->figure == BENCH_FIG_SETUP ? x->setup_rate
           : x->figure == BENCH_FIG_GUEST ? x->guest_rx_mpps : x->mpps;
}

/* The main figure of a reference's run. */
static double
ref_figure(const struct bench_result *x, const struct bench_ref *ref)
{
    return x->figure == BENCH_FIG_GUEST ? ref->guest_rx_mpps : ref->mpps;
}

/* Smallest and largest main figure of the 'n' runs that are ok: sluiced's
 * (ref_offset < 0) or that of the bench_ref at 'ref_offset'. */
static void
spread(const struct bench_result *res, int n, long ref_offset, double *lo,
       double *hi)
{
    bool any = false;

    for (int i = 0; i < n; i++) {
        const struct bench_ref *ref = ref_offset < 0 ? NULL
            : (const struct bench_ref *) ((const char *) &res[i]
                                          + ref_offset);

        if (ref ? ref->ok : res[i].ok) {
            double v = ref ? ref_figure(&res[i], ref) : figure(&res[i]);

            *lo = any && *lo < v ? *lo : v;
            *hi = any && *hi > v ? *hi : v;
            any = true;
        }
    }
}

/* Summarises the 'n' runs of one measurement at 'res' into their medians
 * (counts are those of the first run) and the spread of the figure. */
static struct bench_result
summarize(const struct bench_result *res, int n)
{
    struct bench_result m = res[0];

#define MEDIAN(FIELD, OK) \
    median(res, n, offsetof(struct bench_result, FIELD), \
           offsetof(struct bench_result, OK), &m.FIELD)
    m.run = 0;
    m.ok = MEDIAN(mpps, ok);
    MEDIAN(sent_mpps, ok);
    MEDIAN(dropped_mpps, ok);
    MEDIAN(cycles, ok);
    MEDIAN(cmd_cycles, have_cmd_cycles);
    MEDIAN(upcall_cycles, have_upcall_cycles);
    MEDIAN(total_cycles, ok);
    MEDIAN(seconds, ok);
    MEDIAN(emc_pct, ok);
    MEDIAN(megaflow_pct, ok);
    MEDIAN(subtable_lookups, ok);
    MEDIAN(upcalls, ok);
    MEDIAN(lost_upcalls, ok);
    MEDIAN(megaflows, ok);
    MEDIAN(installed, ok);
    MEDIAN(setup_rate, ok);
    MEDIAN(guest_rx_mpps, ok);
    MEDIAN(guest_tx_mpps, ok);
#define MEDIAN_REF(R) \
    m.R.ok = MEDIAN(R.mpps, R.ok); \
    MEDIAN(R.sent_mpps, R.ok); \
    MEDIAN(R.cycles, R.ok); \
    m.R.have_megaflows = MEDIAN(R.megaflows, R.have_megaflows); \
    MEDIAN(R.guest_rx_mpps, R.ok); \
    MEDIAN(R.guest_tx_mpps, R.ok); \
    spread(res, n, offsetof(struct bench_result, R), &m.R.fig_min, \
           &m.R.fig_max)
    MEDIAN_REF(tp);
    MEDIAN_REF(ovs);
#undef MEDIAN_REF
#undef MEDIAN
    spread(res, n, -1, &m.fig_min, &m.fig_max);
    return m;
}

/* The width of the scenario column: its longest name, at least 8. */
static int
name_width(const struct bench_result *res, int n)
{
    int w = 8, i;

    for (i = 0; i < n; i++) {
        int len = (int) strlen(res[i].scenario);

        w = len > w ? len : w;
    }
    return w;
}

static int
group_size(int n, int i, int repeat)
{
    return n - i < repeat ? n - i : repeat;
}

/* The main figure with its unit. */
static void
fmt_figure(char *buf, size_t size, const struct bench_result *x)
{
    if (!x->ok) {
        snprintf(buf, size, "-");
    } else if (x->figure == BENCH_FIG_SETUP) {
        snprintf(buf, size, "%.0f megaflows/s", x->setup_rate);
    } else {
        snprintf(buf, size, "%.3f Mpps", figure(x));
    }
}

/* "min..max" of a figure, or "-". */
static void
fmt_spread(char *buf, size_t size, bool ok, bool setup, double lo,
           double hi)
{
    if (!ok) {
        snprintf(buf, size, "-");
    } else if (setup) {
        snprintf(buf, size, "%.0f..%.0f", lo, hi);
    } else {
        snprintf(buf, size, "%.3f..%.3f", lo, hi);
    }
}

/* Per measurement: what sluiced did and testpmd's reference. */
static void
print_main(const struct bench_result *res, int n, int repeat, bool ref)
{
    int w = name_width(res, n), i;

    printf("\n%-*s %8s %4s %18s", w, "scenario", "flows", "size",
           "result");
    if (repeat > 1) {
        printf(" %17s", "min..max");
    }
    printf(" %7s %7s %8s %6s %8s", "sent", "dropped", "cyc/pkt", "cmd",
           "total");
    if (ref) {
        printf(" %8s %8s %7s %6s", "tp-Mpps", "tp-sent", "tp-cyc", "ratio");
    }
    printf("\n");
    for (i = 0; i < n; i += repeat) {
        struct bench_result m = summarize(&res[i], group_size(n, i, repeat));
        const struct bench_result *x = &m;
        bool no_ref = x->figure == BENCH_FIG_SETUP;
        char fig[32], cyc[32], cmd[32], tot[32], sent[32], drop[32];
        char tmpps[32], tsent[32], tcyc[32], ratio[32];

        fmt_figure(fig, sizeof fig, x);
        fmt_num(sent, sizeof sent, x->ok, x->sent_mpps, 3);
        fmt_num(drop, sizeof drop, x->ok, x->dropped_mpps, 3);
        fmt_num(cyc, sizeof cyc, x->ok, x->cycles, 1);
        fmt_num(cmd, sizeof cmd, x->ok && x->have_cmd_cycles, x->cmd_cycles,
                1);
        fmt_num(tot, sizeof tot, x->ok, x->total_cycles, 1);
        fmt_num(tmpps, sizeof tmpps, x->tp.ok, x->tp.mpps, 3);
        fmt_num(tsent, sizeof tsent, x->tp.ok, x->tp.sent_mpps, 3);
        fmt_num(tcyc, sizeof tcyc, x->tp.ok, x->tp.cycles, 1);
        fmt_num(ratio, sizeof ratio, x->ok && x->tp.ok && x->tp.cycles > 0,
                x->tp.cycles > 0 ? x->cycles / x->tp.cycles : 0, 2);
        printf("%-*s %8u %4u %18s", w, x->scenario,
               x->n_flows, x->frame_size, fig);
        if (repeat > 1) {
            char sp[40];

            fmt_spread(sp, sizeof sp, x->ok, x->figure == BENCH_FIG_SETUP,
                       x->fig_min, x->fig_max);
            printf(" %17s", sp);
        }
        printf(" %7s %7s %8s %6s %8s", sent, drop, cyc, cmd, tot);
        if (ref) {
            printf(" %8s %8s %7s %6s", no_ref ? "n/a" : tmpps,
                   no_ref ? "n/a" : tsent, no_ref ? "n/a" : tcyc,
                   no_ref ? "n/a" : ratio);
        }
        printf("%s\n", x->no_huge ? "  (no hugepages)" : "");
        if (x->figure == BENCH_FIG_SETUP && x->ok) {
            char up[32];

            fmt_num(up, sizeof up, x->have_upcall_cycles, x->upcall_cycles,
                    0);
            printf("%8s control thread: %s cycles per upcall, %.0f "
                   "megaflows measured\n", "", up, x->installed);
        }
    }
}

/* Per measurement: where the packets went in sluiced's datapath. */
static void
print_datapath(const struct bench_result *res, int n, int repeat)
{
    int w = name_width(res, n), i;

    printf("\n%-*s %8s %8s %6s %6s %6s %9s %11s %11s\n", w, "scenario",
           "flows", "Mpps", "emc%", "mf%", "subtbl", "megaflows",
           "upcalls/s", "lost/s");
    for (i = 0; i < n; i += repeat) {
        struct bench_result m = summarize(&res[i], group_size(n, i, repeat));
        const struct bench_result *x = &m;
        char mpps[32], emc[32], mf[32], sub[32], mfl[32], up[32], lost[32];
        double secs = x->seconds > 0 ? x->seconds : 1;

        fmt_num(mpps, sizeof mpps, x->ok, x->mpps, 3);
        fmt_num(emc, sizeof emc, x->ok, x->emc_pct, 1);
        fmt_num(mf, sizeof mf, x->ok, x->megaflow_pct, 1);
        fmt_num(sub, sizeof sub, x->ok, x->subtable_lookups, 2);
        fmt_num(mfl, sizeof mfl, x->ok, x->megaflows, 0);
        fmt_num(up, sizeof up, x->ok, x->upcalls / secs, 0);
        fmt_num(lost, sizeof lost, x->ok, x->lost_upcalls / secs, 0);
        printf("%-*s %8u %8s %6s %6s %6s %9s %11s %11s\n",
               w, x->scenario, x->n_flows, mpps, emc, mf, sub, mfl, up,
               lost);
    }
}

/* One row of the side-by-side table. */
static void
print_side_row(int w, const struct bench_result *x, const char *who,
               bool ok, double fig, double lo, double hi, double cycles,
               bool have_mf, double megaflows, int repeat)
{
    char f[32], sp[40], cyc[32], cx[32], rx[32], mf[32];
    bool sl = !strcmp(who, "sluiced");

    if (ok) {
        snprintf(f, sizeof f, "%.3f Mpps", fig);
    } else {
        snprintf(f, sizeof f, "-");
    }
    fmt_spread(sp, sizeof sp, ok, false, lo, hi);
    fmt_num(cyc, sizeof cyc, ok, cycles, 1);
    fmt_num(cx, sizeof cx, ok && x->ok && x->cycles > 0 && !sl,
            x->cycles > 0 ? cycles / x->cycles : 0, 2);
    fmt_num(rx, sizeof rx, ok && x->ok && fig > 0 && !sl,
            fig > 0 ? figure(x) / fig : 0, 2);
    fmt_num(mf, sizeof mf, ok && have_mf, megaflows, 0);
    if (sl) {
        printf("%-*s %8u", w, x->scenario, x->n_flows);
    } else {
        printf("%-*s %8s", w, "", "");
    }
    printf(" %-8s %14s", who, f);
    if (repeat > 1) {
        printf(" %17s", sp);
    }
    printf(" %8s %7s %7s %9s\n", cyc, cx, rx, mf);
}

/* sluiced and the references, a row each, per measurement. */
static void
print_side_by_side(const struct bench_result *res, int n,
                   const struct bench_opts *o)
{
    int w = name_width(res, n), i, repeat = o->repeat;
    bool pvp = false;

    printf("\nside by side:\n%-*s %8s %-8s %14s", w, "scenario", "flows",
           "switch", "result");
    if (repeat > 1) {
        printf(" %17s", "min..max");
    }
    printf(" %8s %7s %7s %9s\n", "cyc/pkt", "cyc/sl", "sl/rate",
           "megaflows");
    for (i = 0; i < n; i += repeat) {
        struct bench_result m = summarize(&res[i], group_size(n, i, repeat));
        const struct bench_result *x = &m;

        if (x->figure == BENCH_FIG_SETUP) {
            continue;
        }
        pvp = pvp || x->figure == BENCH_FIG_GUEST;
        print_side_row(w, x, "sluiced", x->ok, figure(x), x->fig_min,
                       x->fig_max, x->cycles, x->ok, x->megaflows, repeat);
        if (o->ref_testpmd) {
            print_side_row(w, x, "testpmd", x->tp.ok,
                           ref_figure(x, &x->tp), x->tp.fig_min,
                           x->tp.fig_max, x->tp.cycles, false, 0, repeat);
        }
        if (o->ref_ovs) {
            print_side_row(w, x, "ovs", x->ovs.ok, ref_figure(x, &x->ovs),
                           x->ovs.fig_min, x->ovs.fig_max, x->ovs.cycles,
                           x->ovs.have_megaflows, x->ovs.megaflows, repeat);
        }
    }
    printf("\nresult = Mpps the switch received (pvp: Mpps the guest got "
           "back, both ports);\ncyc/pkt = the switch's processing cycles "
           "per packet it received (testpmd:\nits --record-core-cycles "
           "figure); cyc/sl = cyc/pkt / sluiced's (2.00: twice\nsluiced's "
           "cycles); sl/rate = sluiced's result / this one (pvp vs testpmd:"
           "\nthe share of the channel's ceiling sluiced reaches); testpmd "
           "= io forwarding in\nplace of the switch (pvp: between two "
           "net_vhost ports); ovs = Open vSwitch with\nDPDK, the same ports "
           "and OpenFlow flows%s\n",
           repeat > 1 ? "; medians, min..max = spread of the result" : "");
    if (pvp) {
        printf("pvp cores: the guest (testpmd flowgen, main and forwarding "
               "lcore) on CPU %d,\nshared with the switch's control side "
               "(sluiced's control thread; Open vSwitch's\nmain, handler "
               "and revalidator threads; testpmd's main lcore); the "
               "switch's\nPMD alone on the PMD core (mask 0x%llx)\n",
               o->control_core, (unsigned long long) o->pmd_mask);
    }
}

void
bench_report_table(const struct bench_result *res, int n,
                   const struct bench_opts *o)
{
    int repeat = o->repeat;

    print_main(res, n, repeat, o->ref_testpmd);
    printf("\nsize = frame bytes incl. 4-byte FCS; result = Mpps received "
           "(setup: megaflows\ninstalled per second between two fixed "
           "counts; pvp: Mpps the guest got back);\nsent, dropped = Mpps "
           "the PMDs forwarded, dropped (a run counts only if it\n"
           "forwarded); cyc/pkt = processing TSC cycles per packet, of "
           "which cmd applying\ncommands (- if sluiced does not count "
           "them); total = idle + processing; tp =\ndpdk-testpmd io "
           "forwarding over the same window; ratio = cyc/pkt / tp-cyc\n");
    print_datapath(res, n, repeat);
    printf("\nemc%% and mf%% = packets that hit the EMC, the megaflow "
           "classifier; subtbl = avg.\nsubtable lookups per megaflow hit; "
           "megaflows = installed at the end; lost =\nmisses whose upcall "
           "failed (ring full, rate limit)\n");
    if (repeat > 1) {
        printf("each figure is the median of %d runs; min..max = the "
               "spread of the result\n", repeat);
    }
    if (o->ref_testpmd || o->ref_ovs) {
        print_side_by_side(res, n, o);
    }
}

static void
write_csv_row(FILE *f, const struct bench_result *x)
{
    bool setup = x->figure == BENCH_FIG_SETUP;

    if (x->run) {
        fprintf(f, "%s,%d,", x->scenario, x->run);
    } else {
        fprintf(f, "%s,median,", x->scenario);
    }
    fprintf(f, "%u,%u,%d,", x->n_flows, x->frame_size, x->no_huge);
    if (x->ok && x->run) {
        fprintf(f, "%.3f,%" PRIu64 ",%" PRIu64 ",", x->seconds, x->packets,
                x->dropped);
    } else {
        fprintf(f, ",,,");
    }
    if (x->ok) {
        fprintf(f, "%.4f,%.2f,%.2f,", x->mpps, x->cycles, x->total_cycles);
    } else {
        fprintf(f, ",,,");
    }
    if (x->tp.ok) {
        fprintf(f, "%.4f,%.2f,", x->tp.mpps, x->tp.cycles);
    } else {
        fprintf(f, ",,");
    }
    if (x->ok && x->tp.ok && x->tp.cycles > 0) {
        fprintf(f, "%.3f", x->cycles / x->tp.cycles);
    }
    fprintf(f, ",%s,", setup ? "megaflows/s" : "Mpps");
    if (x->ok) {
        fprintf(f, "%.4f,", figure(x));
        if (x->run) {
            fprintf(f, "%" PRIu64, x->sent);
        }
        fprintf(f, ",%.2f,%.2f,%.3f,%.0f,%.0f,%.0f,", x->emc_pct,
                x->megaflow_pct, x->subtable_lookups, x->upcalls,
                x->lost_upcalls, x->megaflows);
        if (setup) {
            fprintf(f, "%.0f,%.1f", x->installed, x->setup_rate);
        } else {
            fprintf(f, ",");
        }
    } else {
        fprintf(f, ",,,,,,,,,");
    }
    fprintf(f, ",");
    if (x->ok) {
        fprintf(f, "%.4f,%.4f,", x->sent_mpps, x->dropped_mpps);
    } else {
        fprintf(f, ",,");
    }
    if (x->ok && x->have_cmd_cycles) {
        fprintf(f, "%.2f", x->cmd_cycles);
    }
    fprintf(f, ",");
    if (x->ok && x->have_upcall_cycles) {
        fprintf(f, "%.0f", x->upcall_cycles);
    }
    fprintf(f, ",");
    if (x->tp.ok) {
        fprintf(f, "%.4f", x->tp.sent_mpps);
    }
    fprintf(f, ",");
    if (x->ok && !x->run) {
        fprintf(f, "%.4f,%.4f", x->fig_min, x->fig_max);
    } else {
        fprintf(f, ",");
    }
    if (x->ok && x->figure == BENCH_FIG_GUEST) {
        fprintf(f, ",%.4f,%.4f", x->guest_rx_mpps, x->guest_tx_mpps);
    } else {
        fprintf(f, ",,");
    }
    fprintf(f, ",");
    if (x->tp.ok && x->figure == BENCH_FIG_GUEST) {
        fprintf(f, "%.4f", x->tp.guest_rx_mpps);
    }
    if (x->ovs.ok) {
        fprintf(f, ",%.4f,%.4f,%.2f,", x->ovs.mpps, x->ovs.sent_mpps,
                x->ovs.cycles);
        if (x->ovs.have_megaflows) {
            fprintf(f, "%.0f", x->ovs.megaflows);
        }
        fprintf(f, ",");
        if (x->figure == BENCH_FIG_GUEST) {
            fprintf(f, "%.4f", x->ovs.guest_rx_mpps);
        }
        fprintf(f, ",");
        if (x->ok && x->cycles > 0) {
            fprintf(f, "%.3f", x->ovs.cycles / x->cycles);
        }
    } else {
        fprintf(f, ",,,,,,");
    }
    fprintf(f, "\n");
}

int
bench_report_csv(const char *path, const struct bench_result *res, int n,
                 int repeat)
{
    FILE *f = fopen(path, "w");
    int i, j;

    if (!f) {
        return -errno;
    }
    fprintf(f, "scenario,run,flows,frame_size,no_huge,seconds,packets,"
            "dropped,mpps,cycles_per_pkt,total_cycles_per_pkt,testpmd_mpps,"
            "testpmd_cycles_per_pkt,ratio,figure_unit,figure,sent,"
            "emc_hit_pct,megaflow_hit_pct,subtable_lookups_per_hit,upcalls,"
            "lost_upcalls,megaflows,megaflows_installed,megaflows_per_s,"
            "sent_mpps,dropped_mpps,cmd_cycles_per_pkt,"
            "control_cycles_per_upcall,testpmd_sent_mpps,figure_min,"
            "figure_max,guest_rx_mpps,guest_tx_mpps,testpmd_guest_rx_mpps,"
            "ovs_mpps,ovs_sent_mpps,ovs_cycles_per_pkt,ovs_megaflows,"
            "ovs_guest_rx_mpps,ovs_cycles_ratio\n");
    for (i = 0; i < n; i += repeat) {
        int k = group_size(n, i, repeat);
        struct bench_result m = summarize(&res[i], k);

        for (j = 0; j < k; j++) {
            write_csv_row(f, &res[i + j]);
        }
        if (repeat > 1) {
            write_csv_row(f, &m);
        }
    }
    return fclose(f) ? -errno : 0;
}
