/* fds: counting and limits of file descriptors. */
#include "src/util/fds.h"

#include <dirent.h>
#include <errno.h>
#include <sys/resource.h>

unsigned int
fds_count_open(void)
{
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) {
        return 0;
    }
    unsigned int n = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        n += e->d_name[0] != '.';
    }
    closedir(dir);
    return n ? n - 1 : 0;   /* Not the directory's own descriptor. */
}

uint64_t
fds_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY) {
        return UINT64_MAX;
    }
    return rl.rlim_cur;
}

int
fds_raise_limit(uint64_t *old, uint64_t *new)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl)) {
        return -errno;
    }
    *old = *new = rl.rlim_cur;
    if (rl.rlim_cur >= rl.rlim_max) {
        return 0;
    }
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl)) {
        return -errno;
    }
    *new = rl.rlim_max;
    return 0;
}
