/* memory_ctl: "memory/show". */
#include "src/memory_ctl.h"

#include <dirent.h>
#include <stdint.h>
#include <sys/resource.h>

#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_mempool.h>

#include "pmd/dp.h"
#include "pmd/megaflow.h"
#include "src/util/ctl.h"
#include "src/util/dstr.h"

static void
count_memzone(const struct rte_memzone *mz, void *n)
{
    (void) mz;
    (*(unsigned int *) n)++;
}

struct pool_sums {
    unsigned int n;
    uint64_t size, in_use;
};

static void
sum_mempool(struct rte_mempool *mp, void *sums_)
{
    struct pool_sums *sums = sums_;
    sums->n++;
    sums->size += mp->size;
    sums->in_use += rte_mempool_in_use_count(mp);
}

/* Open file descriptors of this process, or -1. */
static long
count_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) {
        return -1;
    }
    long n = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        n += e->d_name[0] != '.';
    }
    closedir(dir);
    return n - 1;       /* Not the directory's own descriptor. */
}

static int
cmd_memory_show(int argc, const char *argv[], struct dstr *reply, void *dp_)
{
    struct dp *dp = dp_;
    (void) argc;
    (void) argv;

    uint64_t total = 0, allocated = 0, free_bytes = 0, allocs = 0;
    for (unsigned int i = 0; i < rte_socket_count(); i++) {
        struct rte_malloc_socket_stats st;
        if (!rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st)) {
            total += st.heap_totalsz_bytes;
            allocated += st.heap_allocsz_bytes;
            free_bytes += st.heap_freesz_bytes;
            allocs += st.alloc_count;
        }
    }
    dstr_printf(reply, "dpdk-heap-total:%llu dpdk-heap-allocated:%llu "
                "dpdk-heap-free:%llu dpdk-allocations:%llu\n",
                (unsigned long long) total, (unsigned long long) allocated,
                (unsigned long long) free_bytes, (unsigned long long) allocs);

    unsigned int n_memzones = 0;
    rte_memzone_walk(count_memzone, &n_memzones);
    struct pool_sums pools = { 0 };
    rte_mempool_walk(sum_mempool, &pools);
    dstr_printf(reply, "memzones:%u mempools:%u mbufs:%llu mbufs-in-use:%llu"
                "\n", n_memzones, pools.n, (unsigned long long) pools.size,
                (unsigned long long) pools.in_use);

    struct rlimit rl;
    long limit = getrlimit(RLIMIT_NOFILE, &rl) ? -1
                 : rl.rlim_cur == RLIM_INFINITY ? -1 : (long) rl.rlim_cur;
    dstr_printf(reply, "fds:%ld fd-limit:%ld\n", count_fds(), limit);

    unsigned long long n_flows = 0;
    for (unsigned int i = 0; i < dp_n_pmds(dp); i++) {
        n_flows += megaflow_count(dp_pmd(dp, i));
    }
    dstr_printf(reply, "megaflows:%llu\n", n_flows);
    return 0;
}

void
memory_ctl_register(struct dp *dp)
{
    ctl_register("memory/show", "", 0, 0, cmd_memory_show, dp);
}
