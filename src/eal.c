/* eal: EAL arguments and initialisation. */
#include "src/eal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "src/options.h"
#include "src/util/dstr.h"
#include "src/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(eal);

#define EAL_MAX_ARGS 64

unsigned int
eal_free_hugepage_mb(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    unsigned long free_pages = 0, size_kb = 0;
    char line[256];

    if (!f) {
        return 0;
    }
    while (fgets(line, sizeof line, f)) {
        sscanf(line, "HugePages_Free: %lu", &free_pages);
        sscanf(line, "Hugepagesize: %lu kB", &size_kb);
    }
    fclose(f);
    return (unsigned int) (free_pages * size_kb / 1024);
}

bool
eal_hugetlbfs_mounted(void)
{
    FILE *f = fopen("/proc/mounts", "r");
    char line[512];
    bool found = false;

    if (!f) {
        return false;
    }
    while (!found && fgets(line, sizeof line, f)) {
        found = strstr(line, " hugetlbfs ") != NULL;
    }
    fclose(f);
    return found;
}

static int
push(char **argv, int argc, int max, const char *s)
{
    if (argc < max - 1) {
        argv[argc++] = strdup(s);
        argv[argc] = NULL;
    }
    return argc;
}

int
eal_build_args(const struct sluiced_options *o, bool use_huge,
               unsigned int memory_mb, char **argv, int max)
{
    char buf[64];
    int argc = 0;

    argv[0] = NULL;
    argc = push(argv, argc, max, "sluiced");
    snprintf(buf, sizeof buf, "%d", o->control_core);
    argc = push(argv, argc, max, "-l");
    argc = push(argv, argc, max, buf);
    if (use_huge) {
        argc = push(argv, argc, max, "--in-memory");
    } else {
        argc = push(argv, argc, max, "--no-huge");
        argc = push(argv, argc, max, "--no-shconf");
    }
    snprintf(buf, sizeof buf, "%u", memory_mb);
    argc = push(argv, argc, max, "-m");
    argc = push(argv, argc, max, buf);
    argc = push(argv, argc, max, "--log-level=notice");
    if (o->eal_args) {
        char **words;
        options_split_words(o->eal_args, &words);
        for (char **w = words; *w; w++) {
            argc = push(argv, argc, max, *w);
        }
        options_free_words(words);
    }
    return argc;
}

int
eal_init(const struct sluiced_options *o, struct dstr *err)
{
    char *argv[EAL_MAX_ARGS];
    bool use_huge = false;
    unsigned int memory = o->memory_mb;

    if (!o->no_huge && eal_hugetlbfs_mounted()) {
        unsigned int free_mb = eal_free_hugepage_mb();
        unsigned int want = memory ? memory : 1024;
        if (free_mb >= want) {
            use_huge = true;
            memory = want;
        } else if (!memory && free_mb >= 256) {
            use_huge = true;
            memory = free_mb;
        } else {
            VLOG_WARN("only %u MB of hugepages free (%u MB wanted): "
                      "running without hugepages", free_mb, want);
        }
    }
    if (!use_huge && !memory) {
        memory = 512;
    }

    int argc = eal_build_args(o, use_huge, memory, argv, EAL_MAX_ARGS);
    struct dstr line = DSTR_INIT;
    for (int i = 0; i < argc; i++) {
        dstr_printf(&line, "%s%s", i ? " " : "", argv[i]);
    }
    VLOG_INFO("EAL arguments: %s", dstr_cstr(&line));
    dstr_free(&line);

    /* rte_eal_init() may permute argv; keep our pointers to free them. */
    char *copy[EAL_MAX_ARGS];
    memcpy(copy, argv, sizeof(char *) * (size_t) (argc + 1));
    int ret = rte_eal_init(argc, copy);
    for (int i = 0; i < argc; i++) {
        free(argv[i]);
    }
    if (ret < 0) {
        dstr_printf(err, "cannot initialise DPDK EAL: %s",
                    rte_strerror(rte_errno));
        return -1;
    }
    return 0;
}
