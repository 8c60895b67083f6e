/* loop: the control thread's event loop (epoll) with millisecond timers.
 * One loop per control thread; not thread-safe: only the thread that runs
 * the loop may call these functions (PMD threads never touch it). */
#ifndef SLUICE_LOOP_H
#define SLUICE_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct loop;
struct loop_timer;

/* Called with the epoll events (EPOLLIN, EPOLLOUT, EPOLLHUP, ...) of 'fd'. */
typedef void loop_fd_cb(int fd, uint32_t events, void *aux);
typedef void loop_timer_cb(void *aux);

struct loop *loop_create(void);
void loop_destroy(struct loop *);

/* Watches 'fd' for 'events'.  Returns 0 or a negative errno. */
int loop_add_fd(struct loop *, int fd, uint32_t events, loop_fd_cb *,
                void *aux);
int loop_mod_fd(struct loop *, int fd, uint32_t events);
void loop_del_fd(struct loop *, int fd);

/* Calls 'cb' after 'ms' milliseconds, and every 'ms' if 'repeat'.
 * A one-shot timer is freed after it fires; cancel it only before. */
struct loop_timer *loop_add_timer(struct loop *, uint64_t ms, bool repeat,
                                  loop_timer_cb *, void *aux);
void loop_cancel_timer(struct loop *, struct loop_timer *);

/* Runs until loop_stop().  Returns 0. */
int loop_run(struct loop *);
/* Waits at most 'timeout_ms' (-1: until the next timer or event) and
 * dispatches what is ready once.  For tests and nested waits. */
void loop_run_once(struct loop *, int timeout_ms);
void loop_stop(struct loop *);
bool loop_stopped(const struct loop *);

/* Monotonic milliseconds. */
uint64_t loop_now_ms(void);
/* Monotonic nanoseconds. */
uint64_t loop_now_ns(void);

/* How long the loop's iterations took: the time from epoll_wait()'s return
 * to the end of the callbacks and timers it ran (time asleep in epoll_wait
 * is not counted).  What a blocked loop shows as its longest iteration. */
struct loop_stats {
    uint64_t iterations;
    uint64_t busy_ns;           /* Summed. */
    uint64_t longest_ns;        /* Since the last loop_clear_longest(). */
    uint64_t longest_at_ms;     /* loop_now_ms() when it ended. */
};
void loop_get_stats(const struct loop *, struct loop_stats *);
void loop_clear_longest(struct loop *);

/* For blocking clients, outside any loop: waits until 'fd' has one of the
 * poll(2) 'events' or the monotonic time 'deadline_ms' (0: none) passes.
 * Returns 0, -ETIMEDOUT or a negative errno. */
int loop_wait_fd(int fd, short events, uint64_t deadline_ms);

#endif
