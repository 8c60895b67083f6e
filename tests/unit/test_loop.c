/* Unit tests for loop: fd callbacks and timers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/util/loop.h"

struct fd_state {
    struct loop *loop;
    int calls;
    uint32_t events;
    char buf[16];
    ssize_t n;
};

static void
fd_cb(int fd, uint32_t events, void *aux)
{
    struct fd_state *s = aux;
    s->calls++;
    s->events = events;
    if (events & EPOLLIN) {
        s->n = read(fd, s->buf, sizeof s->buf);
    }
}

static void
test_fd_callback(void **state)
{
    (void) state;
    struct loop *l = loop_create();
    assert_non_null(l);
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct fd_state s = { .loop = l };
    assert_int_equal(loop_add_fd(l, p[0], EPOLLIN, fd_cb, &s), 0);
    assert_int_equal(loop_add_fd(l, p[0], EPOLLIN, fd_cb, &s), -EEXIST);

    /* Nothing to read: no call. */
    loop_run_once(l, 0);
    assert_int_equal(s.calls, 0);

    assert_int_equal(write(p[1], "hi", 2), 2);
    loop_run_once(l, 1000);
    assert_int_equal(s.calls, 1);
    assert_true(s.events & EPOLLIN);
    assert_int_equal(s.n, 2);
    assert_memory_equal(s.buf, "hi", 2);

    /* Removed: no more calls. */
    loop_del_fd(l, p[0]);
    assert_int_equal(write(p[1], "x", 1), 1);
    loop_run_once(l, 0);
    assert_int_equal(s.calls, 1);
    close(p[0]);
    close(p[1]);
    loop_destroy(l);
}

static void
test_fd_mod(void **state)
{
    (void) state;
    struct loop *l = loop_create();
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct fd_state s = { .loop = l };
    /* The write end is always writable. */
    assert_int_equal(loop_add_fd(l, p[1], 0, fd_cb, &s), 0);
    loop_run_once(l, 0);
    assert_int_equal(s.calls, 0);
    assert_int_equal(loop_mod_fd(l, p[1], EPOLLOUT), 0);
    loop_run_once(l, 0);
    assert_int_equal(s.calls, 1);
    assert_true(s.events & EPOLLOUT);
    assert_true(loop_mod_fd(l, 12345, EPOLLIN) < 0);
    loop_del_fd(l, p[1]);
    close(p[0]);
    close(p[1]);
    loop_destroy(l);
}

struct timer_state {
    struct loop *loop;
    int calls;
    uint64_t first_ms;
    int stop_after;
    struct loop_timer *to_cancel;
};

static void
timer_cb(void *aux)
{
    struct timer_state *t = aux;
    if (!t->calls++) {
        t->first_ms = loop_now_ms();
    }
    if (t->to_cancel) {
        loop_cancel_timer(t->loop, t->to_cancel);
        t->to_cancel = NULL;
    }
    if (t->stop_after && t->calls >= t->stop_after) {
        loop_stop(t->loop);
    }
}

static void
test_timer_one_shot(void **state)
{
    (void) state;
    struct loop *l = loop_create();
    struct timer_state t = { .loop = l, .stop_after = 1 };
    uint64_t start = loop_now_ms();
    assert_non_null(loop_add_timer(l, 30, false, timer_cb, &t));
    assert_false(loop_stopped(l));
    assert_int_equal(loop_run(l), 0);
    assert_true(loop_stopped(l));
    assert_int_equal(t.calls, 1);
    assert_true(t.first_ms - start >= 30);
    assert_true(t.first_ms - start < 1000);

    /* Fired once only. */
    uint64_t until = loop_now_ms() + 80;
    while (loop_now_ms() < until) {
        loop_run_once(l, 20);
    }
    assert_int_equal(t.calls, 1);
    loop_destroy(l);
}

static void
test_timer_repeat(void **state)
{
    (void) state;
    struct loop *l = loop_create();
    struct timer_state t = { .loop = l, .stop_after = 4 };
    uint64_t start = loop_now_ms();
    struct loop_timer *timer = loop_add_timer(l, 10, true, timer_cb, &t);
    assert_non_null(timer);
    loop_run(l);
    assert_int_equal(t.calls, 4);
    assert_true(loop_now_ms() - start >= 40);
    loop_cancel_timer(l, timer);
    loop_run_once(l, 50);
    assert_int_equal(t.calls, 4);
    loop_destroy(l);
}

static void
test_timer_cancel(void **state)
{
    (void) state;
    struct loop *l = loop_create();
    struct timer_state a = { .loop = l };
    struct timer_state b = { .loop = l };
    struct loop_timer *ta = loop_add_timer(l, 20, false, timer_cb, &a);
    assert_non_null(loop_add_timer(l, 40, true, timer_cb, &b));
    loop_cancel_timer(l, ta);

    /* A timer that cancels another from its callback. */
    struct timer_state c = { .loop = l };
    struct timer_state d = { .loop = l };
    struct loop_timer *td = loop_add_timer(l, 60, false, timer_cb, &d);
    c.to_cancel = td;
    assert_non_null(loop_add_timer(l, 10, false, timer_cb, &c));

    uint64_t until = loop_now_ms() + 150;
    while (loop_now_ms() < until) {
        loop_run_once(l, 10);
    }
    assert_int_equal(a.calls, 0);
    assert_int_equal(c.calls, 1);
    assert_int_equal(d.calls, 0);
    assert_true(b.calls >= 2);
    loop_destroy(l);        /* Frees the still-armed repeating timer. */
}

static void
test_run_once_timeout(void **state)
{
    (void) state;
    struct loop *l = loop_create();
    uint64_t start = loop_now_ms();
    loop_run_once(l, 50);
    uint64_t took = loop_now_ms() - start;
    assert_true(took >= 45 && took < 1000);

    /* A pending timer shortens the wait. */
    struct timer_state t = { .loop = l };
    loop_add_timer(l, 10, false, timer_cb, &t);
    start = loop_now_ms();
    for (int i = 0; i < 3 && !t.calls; i++) {
        loop_run_once(l, 5000);
    }
    assert_true(loop_now_ms() - start < 1000);
    assert_int_equal(t.calls, 1);
    loop_destroy(l);
}

static void
slow_cb(void *aux)
{
    (void) aux;
    usleep(30000);
}

/* The longest iteration is what a callback that blocks costs everyone
 * else; time asleep in epoll_wait does not count. */
static void
test_stats(void **state)
{
    (void) state;
    struct loop *l = loop_create();
    struct loop_stats st;
    loop_get_stats(l, &st);
    assert_int_equal(st.iterations, 0);
    loop_run_once(l, 50);               /* Asleep, nothing to do. */
    loop_get_stats(l, &st);
    assert_int_equal(st.iterations, 1);
    assert_true(st.longest_ns < 20000000);
    loop_add_timer(l, 0, false, slow_cb, NULL);
    loop_run_once(l, 100);
    loop_get_stats(l, &st);
    assert_int_equal(st.iterations, 2);
    assert_true(st.longest_ns >= 30000000);
    assert_true(st.busy_ns >= st.longest_ns);
    assert_true(st.longest_at_ms > 0);
    loop_clear_longest(l);
    loop_get_stats(l, &st);
    assert_int_equal(st.longest_ns, 0);
    assert_int_equal(st.iterations, 2);
    loop_destroy(l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd_callback),
        cmocka_unit_test(test_fd_mod),
        cmocka_unit_test(test_timer_one_shot),
        cmocka_unit_test(test_timer_repeat),
        cmocka_unit_test(test_timer_cancel),
        cmocka_unit_test(test_run_once_timeout),
        cmocka_unit_test(test_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
