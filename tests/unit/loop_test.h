/* loop_test: what unit tests that run a real loop (loop.h) against real
 * sockets share: running the loop until a condition holds or for a
 * while, and a temporary directory for the group's sockets and files. */
#ifndef SLUICE_LOOP_TEST_H
#define SLUICE_LOOP_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "src/util/loop.h"

/* Runs LOOP until COND holds, for at most MS milliseconds. */
#define RUN_UNTIL(LOOP, COND, MS)                                           \
    do {                                                                    \
        uint64_t deadline_ = loop_now_ms() + (MS);                          \
        while (!(COND) && loop_now_ms() < deadline_) {                      \
            loop_run_once(LOOP, 5);                                         \
        }                                                                   \
    } while (0)

/* Runs 'loop' for 'ms' whatever happens. */
static inline void
run_for(struct loop *loop, uint64_t ms)
{
    uint64_t deadline = loop_now_ms() + ms;
    while (loop_now_ms() < deadline) {
        loop_run_once(loop, 5);
    }
}

/* The group's directory: made by tmpdir_create() (group setup), removed
 * with what it holds by tmpdir_remove() (group teardown). */
static char tmpdir[64];

/* Makes "/tmp/'prefix'.XXXXXX".  Returns 0 or -1, as a group setup does. */
static inline int
tmpdir_create(const char *prefix)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/%s.XXXXXX", prefix);
    return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int
tmpdir_remove(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) ? -1 : 0;
}

/* "TMPDIR/'name'", in one of four rotating buffers. */
static inline char *
tmp_path(const char *name)
{
    static char buf[4][128];
    static int i;
    char *p = buf[i++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
    return p;
}

#endif
