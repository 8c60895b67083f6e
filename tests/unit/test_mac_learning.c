/* Unit tests for ofproto/mac_learning: learning and lookup per VLAN,
 * refusing multicast sources, aging (and its range), the size limit with
 * Open vSwitch's fair eviction (checked against ovs-vswitchd 3.1: the
 * least recently seen entry of the port with the most entries goes),
 * station moves, flushes, the oldest-first order and the counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofproto/mac_learning.h"

static const uint8_t *
mac(unsigned int n)
{
    static uint8_t m[8][6];
    static unsigned int next;
    uint8_t *r = m[next++ % 8];
    r[0] = 0x50;
    r[1] = 0x54;
    r[2] = 0;
    r[3] = (uint8_t) (n >> 16);
    r[4] = (uint8_t) (n >> 8);
    r[5] = (uint8_t) n;
    return r;
}

static void
test_learn_lookup(void **state)
{
    (void) state;
    struct mac_learning *ml = mac_learning_create();
    assert_non_null(ml);
    assert_int_equal(mac_learning_lookup(ml, 0, mac(1)),
                     MAC_LEARNING_NO_PORT);
    assert_int_equal(mac_learning_learn(ml, 0, mac(1), 3, 1000),
                     MAC_LEARN_NEW);
    assert_int_equal(mac_learning_lookup(ml, 0, mac(1)), 3);
    /* Another VLAN is another station. */
    assert_int_equal(mac_learning_lookup(ml, 10, mac(1)),
                     MAC_LEARNING_NO_PORT);
    assert_int_equal(mac_learning_learn(ml, 10, mac(1), 4, 1000),
                     MAC_LEARN_NEW);
    assert_int_equal(mac_learning_lookup(ml, 10, mac(1)), 4);
    assert_int_equal(mac_learning_lookup(ml, 0, mac(1)), 3);
    assert_int_equal(mac_learning_learn(ml, 0, mac(1), 3, 2000),
                     MAC_LEARN_REFRESHED);
    assert_int_equal(mac_learning_count(ml), 2);

    /* Multicast sources, bad ports and VLANs are never learned. */
    uint8_t mc[6] = { 0x01, 0, 0x5e, 0, 0, 1 };
    uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    assert_int_equal(mac_learning_learn(ml, 0, mc, 1, 1000),
                     MAC_LEARN_REFUSED);
    assert_int_equal(mac_learning_learn(ml, 0, bc, 1, 1000),
                     MAC_LEARN_REFUSED);
    assert_int_equal(mac_learning_learn(ml, 0, mac(2),
                                        MAC_LEARNING_MAX_PORTS, 1000),
                     MAC_LEARN_REFUSED);
    assert_int_equal(mac_learning_learn(ml, 4096, mac(2), 1, 1000),
                     MAC_LEARN_REFUSED);

    const struct mac_learning_stats *st = mac_learning_get_stats(ml);
    assert_int_equal(st->learned, 2);
    assert_int_equal(st->moved, 0);
    mac_learning_destroy(ml);
}

static void
test_aging(void **state)
{
    (void) state;
    struct mac_learning *ml = mac_learning_create();
    assert_int_equal(mac_learning_aging(ml), 300);
    mac_learning_learn(ml, 0, mac(1), 1, 1000);
    mac_learning_learn(ml, 0, mac(2), 2, 61000);
    assert_int_equal(mac_learning_expire(ml, 300999), 0);
    /* 300 s after it was seen. */
    assert_int_equal(mac_learning_expire(ml, 301000), 1);
    assert_int_equal(mac_learning_lookup(ml, 0, mac(1)),
                     MAC_LEARNING_NO_PORT);
    assert_int_equal(mac_learning_lookup(ml, 0, mac(2)), 2);
    /* Seen again: lives on. */
    mac_learning_learn(ml, 0, mac(2), 2, 300000);
    assert_int_equal(mac_learning_expire(ml, 361000), 0);
    assert_int_equal(mac_learning_get_stats(ml)->expired, 1);

    /* Open vSwitch's range: 15 to 3600 s. */
    mac_learning_set_aging(ml, 1, 300000);
    assert_int_equal(mac_learning_aging(ml), 15);
    mac_learning_set_aging(ml, 100000, 300000);
    assert_int_equal(mac_learning_aging(ml), 3600);
    /* A shorter time expires what is older at once. */
    assert_true(mac_learning_set_aging(ml, 20, 321000));
    assert_int_equal(mac_learning_count(ml), 0);
    assert_int_equal(mac_learning_get_stats(ml)->expired, 2);
    mac_learning_destroy(ml);
}

static void
test_eviction(void **state)
{
    (void) state;
    struct mac_learning *ml = mac_learning_create();
    assert_int_equal(mac_learning_size(ml), 8192);
    mac_learning_set_size(ml, 3);
    assert_int_equal(mac_learning_size(ml), 10);   /* At least 10. */
    mac_learning_set_size(ml, 5000000);
    assert_int_equal(mac_learning_size(ml), 1000000);
    mac_learning_set_size(ml, 10);

    /* The case run on ovs-vswitchd: 2 on port 2 first, then 8 on port 1;
     * the 11th goes in by evicting port 1's oldest, not the table's. */
    uint64_t t = 1000;
    for (unsigned int i = 0; i < 2; i++) {
        mac_learning_learn(ml, 0, mac(0x200 + i), 2, t++);
    }
    for (unsigned int i = 0; i < 8; i++) {
        mac_learning_learn(ml, 0, mac(0x100 + i), 1, t++);
    }
    assert_int_equal(mac_learning_count(ml), 10);
    assert_int_equal(mac_learning_learn(ml, 10, mac(0x300), 3, t++),
                     MAC_LEARN_NEW);
    assert_int_equal(mac_learning_count(ml), 10);
    assert_int_equal(mac_learning_lookup(ml, 0, mac(0x100)),
                     MAC_LEARNING_NO_PORT);
    assert_int_equal(mac_learning_lookup(ml, 0, mac(0x200)), 2);
    assert_int_equal(mac_learning_lookup(ml, 0, mac(0x101)), 1);
    assert_int_equal(mac_learning_get_stats(ml)->evicted, 1);

    /* Seen again, an entry is no longer its port's oldest. */
    mac_learning_learn(ml, 0, mac(0x101), 1, t++);
    mac_learning_learn(ml, 0, mac(0x400), 4, t++);
    assert_int_equal(mac_learning_lookup(ml, 0, mac(0x101)), 1);
    assert_int_equal(mac_learning_lookup(ml, 0, mac(0x102)),
                     MAC_LEARNING_NO_PORT);

    assert_int_equal(mac_learning_get_stats(ml)->evicted, 2);
    assert_int_equal(mac_learning_get_stats(ml)->learned, 12);

    /* A smaller size evicts at once. */
    assert_false(mac_learning_set_size(ml, 20));
    for (unsigned int i = 0; i < 10; i++) {
        mac_learning_learn(ml, 0, mac(0x500 + i), 5, t++);
    }
    assert_int_equal(mac_learning_count(ml), 20);
    assert_true(mac_learning_set_size(ml, 10));
    assert_int_equal(mac_learning_count(ml), 10);
    assert_int_equal(mac_learning_get_stats(ml)->evicted, 12);
    mac_learning_destroy(ml);
}

static void
test_moves_and_order(void **state)
{
    (void) state;
    struct mac_learning *ml = mac_learning_create();
    mac_learning_learn(ml, 0, mac(1), 1, 1000);
    mac_learning_learn(ml, 10, mac(3), 3, 2000);
    mac_learning_learn(ml, 0, mac(4), 4, 3000);
    /* Station 1 shows up on port 2: it moves, and is now the newest. */
    assert_int_equal(mac_learning_learn(ml, 0, mac(1), 2, 4000),
                     MAC_LEARN_MOVED);
    assert_int_equal(mac_learning_lookup(ml, 0, mac(1)), 2);
    const struct mac_learning_stats *st = mac_learning_get_stats(ml);
    assert_int_equal(st->moved, 1);
    assert_int_equal(st->learned, 3);

    static const uint32_t ports[] = { 3, 4, 2 };
    size_t i = 0;
    for (const struct mac_entry *e = mac_learning_first(ml); e;
         e = mac_learning_next(ml, e)) {
        assert_true(i < 3);
        assert_int_equal(e->port, ports[i++]);
    }
    assert_int_equal(i, 3);
    const struct mac_entry *e = mac_learning_first(ml);
    assert_int_equal(mac_entry_age(e, 9500), 7);

    /* Moved entries count on their new port: flushing the old one leaves
     * them. */
    assert_int_equal(mac_learning_flush_port(ml, 1), 0);
    assert_int_equal(mac_learning_flush_port(ml, 2), 1);
    assert_int_equal(mac_learning_lookup(ml, 0, mac(1)),
                     MAC_LEARNING_NO_PORT);
    assert_int_equal(mac_learning_count(ml), 2);
    mac_learning_destroy(ml);
}

static void
test_flush_and_stats(void **state)
{
    (void) state;
    struct mac_learning *ml = mac_learning_create();
    for (unsigned int i = 0; i < 100; i++) {
        mac_learning_learn(ml, (uint16_t) (i % 3), mac(i), i % 7, 1000);
    }
    assert_int_equal(mac_learning_count(ml), 100);
    assert_int_equal(mac_learning_flush(ml), 100);
    assert_int_equal(mac_learning_count(ml), 0);
    assert_null(mac_learning_first(ml));
    /* A flush counts as neither expiry nor eviction (as OVS). */
    const struct mac_learning_stats *st = mac_learning_get_stats(ml);
    assert_int_equal(st->learned, 100);
    assert_int_equal(st->expired + st->evicted + st->moved, 0);
    mac_learning_clear_stats(ml);
    assert_int_equal(st->learned, 0);
    /* Learning again after a flush works. */
    assert_int_equal(mac_learning_learn(ml, 0, mac(5), 5, 2000),
                     MAC_LEARN_NEW);
    mac_learning_destroy(ml);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learn_lookup),
        cmocka_unit_test(test_aging),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_moves_and_order),
        cmocka_unit_test(test_flush_and_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
