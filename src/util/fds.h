/* fds: this process's file descriptors - how many are open, the limit,
 * raising the soft limit to the hard one.  For the connection layer's
 * descriptor reserve (stream_rpc.h), memory/show and start-up. */
#ifndef SLUICE_FDS_H
#define SLUICE_FDS_H

#include <stdint.h>

/* Open file descriptors, counted in /proc/self/fd; 0 if unreadable. */
unsigned int fds_count_open(void);

/* The soft RLIMIT_NOFILE; UINT64_MAX if unlimited or unknown. */
uint64_t fds_limit(void);

/* Raises the soft limit to the hard limit.  Returns 0 (with the old and
 * new soft limits in '*old' and '*new', equal if it was at the hard limit
 * already) or a negative errno. */
int fds_raise_limit(uint64_t *old, uint64_t *new);

#endif
