/* memory_ctl: "memory/show". */
#include "src/memory_ctl.h"

#include <stdint.h>

#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_mempool.h>

#include "pmd/dp.h"
#include "pmd/megaflow.h"
#include "src/util/ctl.h"
#include "src/util/dstr.h"
#include "src/util/fds.h"
#include "src/util/stream_rpc.h"

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

/* One line per mempool: what it holds, what is free (in the ring and the
 * threads' caches) and what is out (in devices, rings, packets). */
static void
show_mempool(struct rte_mempool *mp, void *reply_)
{
    struct dstr *reply = reply_;
    unsigned int avail = rte_mempool_avail_count(mp);
    dstr_printf(reply, "mempool %s: size:%u available:%u in-use:%u\n",
                mp->name, mp->size, avail, mp->size - avail);
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

    uint64_t limit = fds_limit();
    dstr_printf(reply, "fds:%u fd-limit:%lld\n", fds_count_open(),
                limit == UINT64_MAX ? -1 : (long long) limit);

    struct stream_rpc_stats rpc;
    stream_rpc_get_stats(&rpc);
    dstr_printf(reply, "sessions:%llu sessions-dropped:%llu "
                "slow-peers-dropped:%llu connections-refused:%llu\n",
                (unsigned long long) rpc.n_sessions,
                (unsigned long long) rpc.n_dropped,
                (unsigned long long) rpc.n_dropped_slow,
                (unsigned long long) rpc.n_refused);

    unsigned long long n_flows = 0;
    for (unsigned int i = 0; i < dp_n_pmds(dp); i++) {
        n_flows += megaflow_count(dp_pmd(dp, i));
    }
    dstr_printf(reply, "megaflows:%llu\n", n_flows);
    rte_mempool_walk(show_mempool, reply);
    return 0;
}

void
memory_ctl_register(struct dp *dp)
{
    ctl_register("memory/show", "", 0, 0, cmd_memory_show, dp);
}
