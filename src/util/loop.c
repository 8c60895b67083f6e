/* loop: epoll event loop with timers for the control thread. */
#include "src/util/loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct loop_watch {
    int fd;
    loop_fd_cb *cb;
    void *aux;
    struct loop_watch *next;
};

struct loop_timer {
    uint64_t deadline;
    uint64_t interval;
    bool repeat;
    bool cancelled;
    loop_timer_cb *cb;
    void *aux;
    struct loop_timer *next;
};

struct loop {
    int epfd;
    bool stop;
    struct loop_watch *watches;
    struct loop_timer *timers;
    struct loop_stats stats;
};

uint64_t
loop_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000 + (uint64_t) ts.tv_nsec;
}

void
loop_get_stats(const struct loop *l, struct loop_stats *st)
{
    *st = l->stats;
}

void
loop_clear_longest(struct loop *l)
{
    l->stats.longest_ns = 0;
    l->stats.longest_at_ms = 0;
}

uint64_t
loop_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

struct loop *
loop_create(void)
{
    struct loop *l = calloc(1, sizeof *l);
    if (!l) {
        return NULL;
    }
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0) {
        free(l);
        return NULL;
    }
    return l;
}

void
loop_destroy(struct loop *l)
{
    if (!l) {
        return;
    }
    while (l->watches) {
        struct loop_watch *w = l->watches;
        l->watches = w->next;
        free(w);
    }
    while (l->timers) {
        struct loop_timer *t = l->timers;
        l->timers = t->next;
        free(t);
    }
    close(l->epfd);
    free(l);
}

static struct loop_watch *
find_watch(struct loop *l, int fd)
{
    for (struct loop_watch *w = l->watches; w; w = w->next) {
        if (w->fd == fd) {
            return w;
        }
    }
    return NULL;
}

int
loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb *cb,
            void *aux)
{
    if (find_watch(l, fd)) {
        return -EEXIST;
    }
    struct loop_watch *w = calloc(1, sizeof *w);
    if (!w) {
        return -ENOMEM;
    }
    w->fd = fd;
    w->cb = cb;
    w->aux = aux;
    struct epoll_event ev = { .events = events, .data.fd = fd };
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int err = -errno;
        free(w);
        return err;
    }
    w->next = l->watches;
    l->watches = w;
    return 0;
}

int
loop_mod_fd(struct loop *l, int fd, uint32_t events)
{
    struct epoll_event ev = { .events = events, .data.fd = fd };
    return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void
loop_del_fd(struct loop *l, int fd)
{
    for (struct loop_watch **p = &l->watches; *p; p = &(*p)->next) {
        if ((*p)->fd == fd) {
            struct loop_watch *w = *p;
            *p = w->next;
            free(w);
            epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
            return;
        }
    }
}

struct loop_timer *
loop_add_timer(struct loop *l, uint64_t ms, bool repeat, loop_timer_cb *cb,
               void *aux)
{
    struct loop_timer *t = calloc(1, sizeof *t);
    if (!t) {
        return NULL;
    }
    t->deadline = loop_now_ms() + ms;
    t->interval = ms ? ms : 1;
    t->repeat = repeat;
    t->cb = cb;
    t->aux = aux;
    t->next = l->timers;
    l->timers = t;
    return t;
}

void
loop_cancel_timer(struct loop *l, struct loop_timer *t)
{
    (void) l;
    if (t) {
        t->cancelled = true;    /* Freed by the next timer pass. */
    }
}

static int
next_timeout(struct loop *l, int timeout_ms)
{
    uint64_t now = loop_now_ms();
    for (struct loop_timer *t = l->timers; t; t = t->next) {
        if (t->cancelled) {
            continue;
        }
        int left = t->deadline <= now ? 0 : (int) (t->deadline - now);
        if (timeout_ms < 0 || left < timeout_ms) {
            timeout_ms = left;
        }
    }
    return timeout_ms;
}

static void
run_timers(struct loop *l)
{
    uint64_t now = loop_now_ms();
    /* Callbacks may add timers (at the head) or cancel any timer, so walk
     * the list as it was and reap cancelled ones afterwards. */
    for (struct loop_timer *t = l->timers; t; t = t->next) {
        if (!t->cancelled && t->deadline <= now) {
            if (t->repeat) {
                t->deadline = now + t->interval;
            } else {
                t->cancelled = true;
            }
            t->cb(t->aux);
        }
    }
    for (struct loop_timer **p = &l->timers; *p;) {
        if ((*p)->cancelled) {
            struct loop_timer *t = *p;
            *p = t->next;
            free(t);
        } else {
            p = &(*p)->next;
        }
    }
}

void
loop_run_once(struct loop *l, int timeout_ms)
{
    struct epoll_event evs[32];
    int n = epoll_wait(l->epfd, evs, 32, next_timeout(l, timeout_ms));
    uint64_t start = loop_now_ns();
    for (int i = 0; i < n; i++) {
        /* Look the watch up again: an earlier callback may have removed
         * it (and the fd number may even have been reused). */
        struct loop_watch *w = find_watch(l, evs[i].data.fd);
        if (w) {
            w->cb(w->fd, evs[i].events, w->aux);
        }
    }
    run_timers(l);
    uint64_t took = loop_now_ns() - start;
    l->stats.iterations++;
    l->stats.busy_ns += took;
    if (took > l->stats.longest_ns) {
        l->stats.longest_ns = took;
        l->stats.longest_at_ms = loop_now_ms();
    }
}

int
loop_run(struct loop *l)
{
    while (!l->stop) {
        loop_run_once(l, -1);
    }
    return 0;
}

void
loop_stop(struct loop *l)
{
    l->stop = true;
}

bool
loop_stopped(const struct loop *l)
{
    return l->stop;
}

int
loop_wait_fd(int fd, short events, uint64_t deadline_ms)
{
    for (;;) {
        int timeout = -1;
        if (deadline_ms) {
            uint64_t now = loop_now_ms();
            if (now >= deadline_ms) {
                return -ETIMEDOUT;
            }
            timeout = (int) (deadline_ms - now);
        }
        struct pollfd pfd = { .fd = fd, .events = events };
        int n = poll(&pfd, 1, timeout);
        if (n > 0) {
            return 0;
        } else if (n == 0) {
            return -ETIMEDOUT;
        } else if (errno != EINTR) {
            return -errno;
        }
    }
}
