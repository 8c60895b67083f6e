/* shared: the only ways data crosses between threads in the datapath
 * (the control thread and the PMDs).  Every struct that two threads touch
 * says in a "Thread-safety" comment who writes each member and which of
 * these a reader uses:
 *
 *   SHARED_COUNT(x, n)   the one writer adds to a counter: a relaxed
 *                        store of x + n, so readers never see a torn
 *                        value (no atomic read-modify-write is needed);
 *   SHARED_READ(x)       a reader's (or a second thread's) relaxed load
 *                        of a counter, a flag or a number;
 *   SHARED_SET(x, v)     a relaxed store of a flag or number others read;
 *   SHARED_PUBLISH(p, v) a release store: everything written before it
 *                        (the object 'v' points to, a port's settings) is
 *                        visible to a thread that reads 'p' with
 *                        SHARED_ACQUIRE;
 *   SHARED_ACQUIRE(p)    the acquire load that pairs with it.
 *
 * On x86-64 all of these compile to plain moves; they exist so that the
 * compiler neither tears nor caches the accesses and so that the
 * ordering each place relies on is written down. */
#ifndef SLUICE_SHARED_H
#define SLUICE_SHARED_H

#define SHARED_COUNT(X, N) \
    __atomic_store_n(&(X), (X) + (N), __ATOMIC_RELAXED)
#define SHARED_READ(X) __atomic_load_n(&(X), __ATOMIC_RELAXED)
#define SHARED_SET(X, V) __atomic_store_n(&(X), (V), __ATOMIC_RELAXED)
#define SHARED_PUBLISH(X, V) __atomic_store_n(&(X), (V), __ATOMIC_RELEASE)
#define SHARED_ACQUIRE(X) __atomic_load_n(&(X), __ATOMIC_ACQUIRE)

/* Keeps what different threads write on different cache lines. */
#define SHARED_CACHE_LINE 64

#endif
