/* Unit tests for bridge_flood (the flood topology and its translation)
 * and for the chain of translation providers in xlate. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include "ofproto/bridge_flood.h"
#include "ofproto/xlate.h"
#include "pmd/actions.h"
#include "pmd/dp.h"

/* The output ports of 'acts', in order; every action must be an output. */
static size_t
outputs(const struct dp_actions *acts, uint32_t *ports, size_t max)
{
    size_t n = 0;
    assert_non_null(acts);
    DP_ACTIONS_FOR_EACH (a, acts) {
        assert_int_equal(a->type, DP_ACTION_OUTPUT);
        assert_int_equal(a->len, sizeof(struct dp_action_output));
        assert_true(n < max);
        ports[n++] = ((const struct dp_action_output *) a)->port_no;
    }
    return n;
}

static int
cmp_u32(const void *a_, const void *b_)
{
    uint32_t a = *(const uint32_t *) a_, b = *(const uint32_t *) b_;
    return a < b ? -1 : a > b;
}

/* Checks that 'acts' outputs exactly once to each of the 'n' ports of
 * 'want' (in any order). */
static void
expect_outputs(const struct dp_actions *acts, const uint32_t *want, size_t n)
{
    uint32_t got[64], sorted[64];
    size_t n_got = outputs(acts, got, 64);
    assert_int_equal(n_got, n);
    memcpy(sorted, want, n * sizeof *want);
    qsort(got, n_got, sizeof *got, cmp_u32);
    qsort(sorted, n, sizeof *sorted, cmp_u32);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(got[i], sorted[i]);
        assert_true(dp_actions_outputs_to(acts, sorted[i]));
    }
}

/* Translates a packet from 'in_port' with flood_translate directly;
 * returns its result with the actions in *acts (or NULL). */
static int
flood_from(uint32_t in_port, struct xlate_out *out)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    memset(out, 0, sizeof *out);
    f.in_port = in_port;
    /* Fields flooding must not look at. */
    f.nw_src = 0x0100000a;
    f.dl_type = 0x0008;
    f.tp_dst = 0x5000;
    return flood_translate(&f, out, NULL);
}

/* Only in_port may be in the mask of a flood answer. */
static void
expect_mask_in_port_only(const struct xlate_out *out)
{
    struct flow want;
    memset(&want, 0, sizeof want);
    want.in_port = UINT32_MAX;
    assert_memory_equal(&out->mask, &want, sizeof want);
}

/* The fake providers of the chain tests (see below). */
struct fake {
    int rc;                     /* What it answers. */
    uint32_t out_port;          /* Output when it answers 0 or fails. */
    uint16_t mask_tp_dst;       /* What it sets in the mask. */
    int calls;
};

#define N_FAKES (XLATE_MAX_PROVIDERS + 1)
static struct fake fakes[N_FAKES];

static int fake_provider(const struct flow *, struct xlate_out *, void *);

/* Leaves no topology and no provider behind, even after a failure. */
static int
teardown(void **state)
{
    (void) state;
    flood_set_topo(NULL);
    for (size_t i = 0; i < N_FAKES; i++) {
        xlate_remove_provider(fake_provider, &fakes[i]);
    }
    xlate_remove_provider(flood_translate, NULL);
    memset(fakes, 0, sizeof fakes);
    return 0;
}

static void
test_one_bridge(void **state)
{
    (void) state;
    struct flood_topo *t = flood_topo_create(1);
    assert_non_null(t);
    static const uint32_t ports[] = { 1, 2, 5, 9 };
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(flood_topo_add_port(t, 0, ports[i]), 0);
    }
    flood_set_topo(t);

    for (size_t i = 0; i < 4; i++) {
        struct xlate_out out;
        uint32_t want[3];
        size_t n = 0;
        for (size_t j = 0; j < 4; j++) {
            if (j != i) {
                want[n++] = ports[j];
            }
        }
        assert_int_equal(flood_from(ports[i], &out), 0);
        expect_outputs(out.actions, want, 3);
        assert_false(dp_actions_outputs_to(out.actions, ports[i]));
        expect_mask_in_port_only(&out);
        assert_int_not_equal(out.version, 0);
        free(out.actions);
    }
}

static void
test_unknown_port(void **state)
{
    (void) state;
    struct xlate_out out;

    /* No topology at all. */
    flood_set_topo(NULL);
    assert_int_equal(flood_from(1, &out), XLATE_NO_MATCH);
    assert_null(out.actions);
    expect_mask_in_port_only(&out);

    struct flood_topo *t = flood_topo_create(2);
    assert_int_equal(flood_topo_add_port(t, 0, 1), 0);
    assert_int_equal(flood_topo_add_port(t, 1, 2), 0);
    flood_set_topo(t);

    static const uint32_t unknown[] = {
        0, 3, DP_MAX_PORTS - 1, DP_MAX_PORTS, UINT32_MAX,
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_int_equal(flood_from(unknown[i], &out), XLATE_NO_MATCH);
        assert_null(out.actions);
        /* Not answering still examined in_port. */
        expect_mask_in_port_only(&out);
    }
    /* Known ports still answer. */
    assert_int_equal(flood_from(1, &out), 0);
    free(out.actions);
}

static void
test_alone_drops(void **state)
{
    (void) state;
    struct flood_topo *t = flood_topo_create(2);
    assert_int_equal(flood_topo_add_port(t, 0, 7), 0);
    /* Bridge 1 has no ports at all. */
    flood_set_topo(t);

    struct xlate_out out;
    assert_int_equal(flood_from(7, &out), 0);
    assert_non_null(out.actions);
    assert_int_equal(out.actions->size, 0);     /* Empty: drop. */
    expect_mask_in_port_only(&out);
    free(out.actions);
}

static void
test_two_bridges_isolated(void **state)
{
    (void) state;
    struct flood_topo *t = flood_topo_create(2);
    assert_int_equal(flood_topo_add_port(t, 0, 1), 0);
    assert_int_equal(flood_topo_add_port(t, 0, 2), 0);
    assert_int_equal(flood_topo_add_port(t, 1, 3), 0);
    assert_int_equal(flood_topo_add_port(t, 1, 4), 0);
    flood_set_topo(t);

    struct xlate_out out;
    assert_int_equal(flood_from(1, &out), 0);
    expect_outputs(out.actions, (const uint32_t[]) { 2 }, 1);
    free(out.actions);
    assert_int_equal(flood_from(4, &out), 0);
    expect_outputs(out.actions, (const uint32_t[]) { 3 }, 1);
    free(out.actions);
}

static void
test_patch_chain(void **state)
{
    (void) state;
    /* br0 {1,2} <-> br1 {3} <-> br2 {4,5}; br3 {6} alone. */
    struct flood_topo *t = flood_topo_create(4);
    assert_int_equal(flood_topo_add_port(t, 0, 1), 0);
    assert_int_equal(flood_topo_add_port(t, 0, 2), 0);
    assert_int_equal(flood_topo_add_port(t, 1, 3), 0);
    assert_int_equal(flood_topo_add_port(t, 2, 4), 0);
    assert_int_equal(flood_topo_add_port(t, 2, 5), 0);
    assert_int_equal(flood_topo_add_port(t, 3, 6), 0);
    assert_int_equal(flood_topo_add_patch(t, 0, 1), 0);
    assert_int_equal(flood_topo_add_patch(t, 1, 0), 0);
    assert_int_equal(flood_topo_add_patch(t, 1, 2), 0);
    assert_int_equal(flood_topo_add_patch(t, 2, 1), 0);
    flood_set_topo(t);

    struct xlate_out out;
    assert_int_equal(flood_from(1, &out), 0);
    expect_outputs(out.actions, (const uint32_t[]) { 2, 3, 4, 5 }, 4);
    expect_mask_in_port_only(&out);
    free(out.actions);
    assert_int_equal(flood_from(3, &out), 0);
    expect_outputs(out.actions, (const uint32_t[]) { 1, 2, 4, 5 }, 4);
    free(out.actions);
    assert_int_equal(flood_from(5, &out), 0);
    expect_outputs(out.actions, (const uint32_t[]) { 1, 2, 3, 4 }, 4);
    free(out.actions);
    assert_int_equal(flood_from(6, &out), 0);
    assert_int_equal(out.actions->size, 0);
    free(out.actions);
}

static void
test_patch_one_way(void **state)
{
    (void) state;
    /* A link is directed: br0 floods into br1, not back. */
    struct flood_topo *t = flood_topo_create(2);
    assert_int_equal(flood_topo_add_port(t, 0, 1), 0);
    assert_int_equal(flood_topo_add_port(t, 1, 2), 0);
    assert_int_equal(flood_topo_add_patch(t, 0, 1), 0);
    flood_set_topo(t);

    struct xlate_out out;
    assert_int_equal(flood_from(1, &out), 0);
    expect_outputs(out.actions, (const uint32_t[]) { 2 }, 1);
    free(out.actions);
    assert_int_equal(flood_from(2, &out), 0);
    assert_int_equal(out.actions->size, 0);
    free(out.actions);
}

static void
test_patch_loops(void **state)
{
    (void) state;
    /* A triangle br0-br1-br2-br0 in both directions, a bridge patched to
     * itself and duplicate links: each bridge floods once. */
    struct flood_topo *t = flood_topo_create(3);
    assert_int_equal(flood_topo_add_port(t, 0, 10), 0);
    assert_int_equal(flood_topo_add_port(t, 0, 11), 0);
    assert_int_equal(flood_topo_add_port(t, 1, 20), 0);
    assert_int_equal(flood_topo_add_port(t, 2, 30), 0);
    assert_int_equal(flood_topo_add_port(t, 2, 31), 0);
    for (size_t a = 0; a < 3; a++) {
        for (size_t b = 0; b < 3; b++) {
            assert_int_equal(flood_topo_add_patch(t, a, b), 0);
            assert_int_equal(flood_topo_add_patch(t, a, b), 0);
        }
    }
    flood_set_topo(t);

    struct xlate_out out;
    assert_int_equal(flood_from(10, &out), 0);
    expect_outputs(out.actions, (const uint32_t[]) { 11, 20, 30, 31 }, 4);
    free(out.actions);
    assert_int_equal(flood_from(20, &out), 0);
    expect_outputs(out.actions, (const uint32_t[]) { 10, 11, 30, 31 }, 4);
    free(out.actions);
    assert_int_equal(flood_from(31, &out), 0);
    expect_outputs(out.actions, (const uint32_t[]) { 10, 11, 20, 30 }, 4);
    free(out.actions);
}

static void
test_topo_errors(void **state)
{
    (void) state;
    struct flood_topo *t = flood_topo_create(2);
    assert_non_null(t);

    assert_int_equal(flood_topo_add_port(t, 0, 1), 0);
    /* A port is in one bridge only, once. */
    assert_int_equal(flood_topo_add_port(t, 0, 1), -EINVAL);
    assert_int_equal(flood_topo_add_port(t, 1, 1), -EINVAL);
    /* Out of range. */
    assert_int_equal(flood_topo_add_port(t, 2, 3), -EINVAL);
    assert_int_equal(flood_topo_add_port(t, 0, DP_MAX_PORTS), -EINVAL);
    assert_int_equal(flood_topo_add_port(t, 0, DP_MAX_PORTS - 1), 0);
    assert_int_equal(flood_topo_add_port(t, 1, 0), 0);
    assert_int_equal(flood_topo_add_patch(t, 0, 2), -EINVAL);
    assert_int_equal(flood_topo_add_patch(t, 2, 0), -EINVAL);
    flood_set_topo(t);

    /* The refused adds changed nothing. */
    struct xlate_out out;
    assert_int_equal(flood_from(1, &out), 0);
    expect_outputs(out.actions, (const uint32_t[]) { DP_MAX_PORTS - 1 }, 1);
    free(out.actions);
    assert_int_equal(flood_from(0, &out), 0);
    assert_int_equal(out.actions->size, 0);
    free(out.actions);

    /* No bridges: every port is unknown. */
    struct flood_topo *empty = flood_topo_create(0);
    assert_non_null(empty);
    assert_int_equal(flood_topo_add_port(empty, 0, 1), -EINVAL);
    assert_int_equal(flood_topo_add_patch(empty, 0, 0), -EINVAL);
    flood_set_topo(empty);
    assert_int_equal(flood_from(1, &out), XLATE_NO_MATCH);

    flood_topo_destroy(NULL);
}

static void
test_set_topo_replaces(void **state)
{
    (void) state;
    struct xlate_out out;

    struct flood_topo *t1 = flood_topo_create(1);
    assert_int_equal(flood_topo_add_port(t1, 0, 1), 0);
    assert_int_equal(flood_topo_add_port(t1, 0, 2), 0);
    flood_set_topo(t1);
    assert_int_equal(flood_from(1, &out), 0);
    uint64_t v1 = out.version;
    expect_outputs(out.actions, (const uint32_t[]) { 2 }, 1);
    free(out.actions);

    struct flood_topo *t2 = flood_topo_create(1);
    assert_int_equal(flood_topo_add_port(t2, 0, 1), 0);
    assert_int_equal(flood_topo_add_port(t2, 0, 3), 0);
    flood_set_topo(t2);                 /* Frees t1 (ASan checks). */
    assert_int_equal(flood_from(1, &out), 0);
    expect_outputs(out.actions, (const uint32_t[]) { 3 }, 1);
    /* A new topology is a new version: megaflows from t1 are stale. */
    assert_int_not_equal(out.version, v1);
    free(out.actions);
    assert_int_equal(flood_from(2, &out), XLATE_NO_MATCH);

    flood_set_topo(NULL);
    assert_int_equal(flood_from(1, &out), XLATE_NO_MATCH);
}

static void
test_many_ports(void **state)
{
    (void) state;
    /* Every datapath port in one bridge: 255 outputs. */
    struct flood_topo *t = flood_topo_create(1);
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        assert_int_equal(flood_topo_add_port(t, 0, p), 0);
    }
    flood_set_topo(t);

    struct xlate_out out;
    assert_int_equal(flood_from(17, &out), 0);
    assert_int_equal(out.actions->size,
                     (DP_MAX_PORTS - 1) * sizeof(struct dp_action_output));
    for (uint32_t p = 0; p < DP_MAX_PORTS; p++) {
        assert_int_equal(dp_actions_outputs_to(out.actions, p), p != 17);
    }
    free(out.actions);
}

/* ---- The provider chain of xlate. */

static int
fake_provider(const struct flow *flow, struct xlate_out *out, void *aux)
{
    struct fake *f = aux;
    (void) flow;
    f->calls++;
    out->mask.tp_dst |= f->mask_tp_dst;
    if (f->rc == 0 || f->rc < 0) {
        /* Errors may leave actions behind: the chain frees them. */
        out->actions = dp_actions_new();
        assert_non_null(out->actions);
        assert_int_equal(dp_actions_add_output(&out->actions, f->out_port),
                         0);
        out->version = 100 + f->out_port;
    }
    return f->rc;
}

static void
translate(uint32_t in_port, struct xlate_out *out, int rc)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.in_port = in_port;
    memset(out, 0xa5, sizeof *out);     /* xlate_translate clears it. */
    assert_int_equal(xlate_translate(&f, NULL, out), rc);
    assert_int_equal(out->mask.in_port, UINT32_MAX);
    assert_int_equal(out->mask.recirc_id, UINT32_MAX);
}

static void
test_chain_empty(void **state)
{
    (void) state;
    struct xlate_out out;
    translate(1, &out, 0);
    assert_null(out.actions);
    assert_int_equal(out.mask.tp_dst, 0);
    assert_int_equal(out.mask.nw_src, 0);
    assert_int_equal(out.version, 0);
}

static void
test_chain_order(void **state)
{
    (void) state;
    struct fake *a = &fakes[0], *b = &fakes[1], *c = &fakes[2];
    *a = (struct fake) { XLATE_NO_MATCH, 0, 0x00ff, 0 };
    *b = (struct fake) { 0, 7, 0x0f00, 0 };
    *c = (struct fake) { 0, 9, 0xf000, 0 };
    struct xlate_out out;

    assert_int_equal(xlate_add_provider(fake_provider, a), 0);
    assert_int_equal(xlate_add_provider(fake_provider, b), 0);
    assert_int_equal(xlate_add_provider(fake_provider, c), 0);

    /* a passes, b answers, c is never asked; masks of a and b add up. */
    translate(1, &out, 0);
    expect_outputs(out.actions, (const uint32_t[]) { 7 }, 1);
    assert_int_equal(out.mask.tp_dst, 0x0fff);
    assert_int_equal(out.version, 107);
    assert_int_equal(a->calls, 1);
    assert_int_equal(b->calls, 1);
    assert_int_equal(c->calls, 0);
    free(out.actions);

    /* b passes too: c answers with all three masks. */
    b->rc = XLATE_NO_MATCH;
    translate(1, &out, 0);
    expect_outputs(out.actions, (const uint32_t[]) { 9 }, 1);
    assert_int_equal(out.mask.tp_dst, 0xffff);
    assert_int_equal(c->calls, 1);
    free(out.actions);

    /* Nobody answers: drop, masks kept. */
    c->rc = XLATE_NO_MATCH;
    translate(1, &out, 0);
    assert_null(out.actions);
    assert_int_equal(out.mask.tp_dst, 0xffff);
    assert_int_equal(a->calls, 3);
    assert_int_equal(b->calls, 3);
    assert_int_equal(c->calls, 2);

    /* Removing the first makes b first. */
    b->rc = 0;
    xlate_remove_provider(fake_provider, a);
    translate(1, &out, 0);
    expect_outputs(out.actions, (const uint32_t[]) { 7 }, 1);
    assert_int_equal(out.mask.tp_dst, 0x0f00);
    assert_int_equal(a->calls, 3);
    free(out.actions);

    /* Removing one that is not there changes nothing. */
    xlate_remove_provider(fake_provider, a);
    xlate_remove_provider(fake_provider, NULL);
    translate(1, &out, 0);
    expect_outputs(out.actions, (const uint32_t[]) { 7 }, 1);
    free(out.actions);

    xlate_remove_provider(fake_provider, b);
    xlate_remove_provider(fake_provider, c);
    translate(1, &out, 0);
    assert_null(out.actions);
    assert_int_equal(out.mask.tp_dst, 0);
}

static void
test_chain_error_drops(void **state)
{
    (void) state;
    struct fake *a = &fakes[0], *b = &fakes[1], *c = &fakes[2];
    *a = (struct fake) { XLATE_NO_MATCH, 0, 0x0001, 0 };
    *b = (struct fake) { -ENOMEM, 4, 0x0002, 0 };
    *c = (struct fake) { 0, 9, 0x0004, 0 };
    struct xlate_out out;

    assert_int_equal(xlate_add_provider(fake_provider, a), 0);
    assert_int_equal(xlate_add_provider(fake_provider, b), 0);
    assert_int_equal(xlate_add_provider(fake_provider, c), 0);
    /* The error is the answer: no fallback to c, actions freed (ASan and
     * LeakSanitizer check the free). */
    translate(1, &out, -ENOMEM);
    assert_null(out.actions);
    assert_int_equal(c->calls, 0);
    assert_int_equal(out.mask.tp_dst, 0x0003);

    xlate_remove_provider(fake_provider, a);
    xlate_remove_provider(fake_provider, b);
    xlate_remove_provider(fake_provider, c);
}

static void
test_chain_full(void **state)
{
    (void) state;
    struct fake *f = fakes;
    struct xlate_out out;

    for (size_t i = 0; i < XLATE_MAX_PROVIDERS; i++) {
        f[i] = (struct fake) { XLATE_NO_MATCH, 0, 0, 0 };
        assert_int_equal(xlate_add_provider(fake_provider, &f[i]), 0);
    }
    f[XLATE_MAX_PROVIDERS] = (struct fake) { 0, 1, 0, 0 };
    assert_int_equal(xlate_add_provider(fake_provider,
                                        &f[XLATE_MAX_PROVIDERS]), -ENOSPC);
    translate(3, &out, 0);
    assert_null(out.actions);
    assert_int_equal(f[XLATE_MAX_PROVIDERS].calls, 0);
    for (size_t i = 0; i < XLATE_MAX_PROVIDERS; i++) {
        assert_int_equal(f[i].calls, 1);
        xlate_remove_provider(fake_provider, &f[i]);
    }
    /* Room again. */
    assert_int_equal(xlate_add_provider(fake_provider,
                                        &f[XLATE_MAX_PROVIDERS]), 0);
    translate(3, &out, 0);
    expect_outputs(out.actions, (const uint32_t[]) { 1 }, 1);
    free(out.actions);
    xlate_remove_provider(fake_provider, &f[XLATE_MAX_PROVIDERS]);
}

static void
test_chain_with_flood(void **state)
{
    (void) state;
    /* The daemon's order: a rule provider first, then the flood. */
    struct fake *rules = &fakes[0];
    *rules = (struct fake) { XLATE_NO_MATCH, 0, 0, 0 };
    struct flood_topo *t = flood_topo_create(1);
    assert_int_equal(flood_topo_add_port(t, 0, 1), 0);
    assert_int_equal(flood_topo_add_port(t, 0, 2), 0);
    assert_int_equal(flood_topo_add_port(t, 0, 3), 0);
    flood_set_topo(t);
    assert_int_equal(xlate_add_provider(fake_provider, rules), 0);
    assert_int_equal(xlate_add_provider(flood_translate, NULL), 0);

    struct xlate_out out;
    translate(2, &out, 0);
    expect_outputs(out.actions, (const uint32_t[]) { 1, 3 }, 2);
    assert_int_not_equal(out.version, 0);
    free(out.actions);

    /* A port in no bridge: both pass, drop. */
    translate(8, &out, 0);
    assert_null(out.actions);

    /* A rule that answers wins over the flood. */
    rules->rc = 0;
    rules->out_port = 3;
    translate(2, &out, 0);
    expect_outputs(out.actions, (const uint32_t[]) { 3 }, 1);
    assert_int_equal(out.version, 103);
    free(out.actions);

    xlate_remove_provider(fake_provider, rules);
    xlate_remove_provider(flood_translate, NULL);
}

/* ---- VLANs and groups ------------------------------------------------- */

/* The actions as text: "out:P", "pop", "push:VID" in order. */
static void
actions_text(const struct dp_actions *acts, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    DP_ACTIONS_FOR_EACH (a, acts) {
        if (a->type == DP_ACTION_OUTPUT) {
            len += (size_t) snprintf(buf + len, size - len, "out:%u ",
                ((const struct dp_action_output *) a)->port_no);
        } else if (a->type == DP_ACTION_POP_VLAN) {
            len += (size_t) snprintf(buf + len, size - len, "pop ");
        } else if (a->type == DP_ACTION_PUSH_VLAN) {
            const struct dp_action_push_vlan *p = (const void *) a;
            len += (size_t) snprintf(buf + len, size - len, "push:%u ",
                                     ntohs(p->tci) & 0xfff);
        } else {
            len += (size_t) snprintf(buf + len, size - len, "? ");
        }
    }
}

/* Floods a frame with outer VID 'vid' (-1: untagged) from 'in_port' and
 * checks the actions' text. */
static void
expect_vlan_flood(uint32_t in_port, int vid, const char *want)
{
    struct flow f;
    struct xlate_out out;
    char got[256];
    memset(&f, 0, sizeof f);
    memset(&out, 0, sizeof out);
    f.in_port = in_port;
    if (vid >= 0) {
        f.vlans[0].tpid = htons(0x8100);
        f.vlans[0].tci = htons((uint16_t) (0x2000 | vid));   /* PCP 1. */
    }
    assert_int_equal(flood_translate(&f, &out, NULL), 0);
    /* The outer tag's presence and VID are matched, not its PCP. */
    assert_int_equal(out.mask.vlans[0].tpid, UINT16_MAX);
    assert_int_equal(out.mask.vlans[0].tci, htons(0x0fff));
    actions_text(out.actions, got, sizeof got);
    assert_string_equal(got, want);
    free(out.actions);
}

static void
test_vlans(void **state)
{
    (void) state;
    static const int64_t t10[] = { 10 };
    struct flood_topo *t = flood_topo_create(1);
    /* 1: trunk (all), 2: access 10, 3: access 20, 4: trunk of 10,
     * 5: native-untagged 10 + trunk 20, 6: native-tagged 10,
     * 7: access without a tag (VLAN 0). */
    for (uint32_t p = 1; p <= 7; p++) {
        assert_int_equal(flood_topo_add_port(t, 0, p), 0);
    }
    static const int64_t t20[] = { 20 };
    assert_int_equal(flood_topo_set_vlan(t, 2, FLOOD_VLAN_DEFAULT, 10,
                                         NULL, 0), 0);
    assert_int_equal(flood_topo_set_vlan(t, 3, FLOOD_VLAN_ACCESS, 20,
                                         NULL, 0), 0);
    assert_int_equal(flood_topo_set_vlan(t, 4, FLOOD_VLAN_DEFAULT, -1,
                                         t10, 1), 0);
    assert_int_equal(flood_topo_set_vlan(t, 5, FLOOD_VLAN_NATIVE_UNTAGGED,
                                         10, t20, 1), 0);
    assert_int_equal(flood_topo_set_vlan(t, 6, FLOOD_VLAN_NATIVE_TAGGED,
                                         10, NULL, 0), 0);
    assert_int_equal(flood_topo_set_vlan(t, 7, FLOOD_VLAN_ACCESS, -1,
                                         NULL, 0), 0);
    assert_int_equal(flood_topo_set_vlan(t, 9, FLOOD_VLAN_ACCESS, 1,
                                         NULL, 0), -EINVAL);
    flood_set_topo(t);

    /* Tagged 10 on the trunk: tagged to the trunks and native-tagged,
     * untagged to access 10 and native-untagged 10. */
    expect_vlan_flood(1, 10, "out:4 out:6 pop out:2 out:5 ");
    /* Tagged 20: tagged to native-untagged (trunk 20) and native-tagged
     * (all VLANs), untagged to access 20. */
    expect_vlan_flood(1, 20, "out:5 out:6 pop out:3 ");
    /* Untagged on the trunk: VLAN 0 - the access port without a tag and
     * the native-tagged port (all VLANs, untagged for 0). */
    expect_vlan_flood(1, -1, "out:6 out:7 ");
    /* Priority-tagged (VID 0) is untagged: its tag is dropped first. */
    expect_vlan_flood(1, 0, "pop out:6 out:7 ");
    /* Access 10: untagged in, tagged 10 out of trunks. */
    expect_vlan_flood(2, -1, "out:5 push:10 out:1 out:4 out:6 ");
    /* Access ports drop tagged frames, but not priority-tagged ones. */
    expect_vlan_flood(2, 10, "");
    expect_vlan_flood(2, 0, "pop out:5 push:10 out:1 out:4 out:6 ");
    /* Trunk of 10 refuses VLAN 20 and untagged frames. */
    expect_vlan_flood(4, 20, "");
    expect_vlan_flood(4, -1, "");
    /* Native-untagged 10: untagged in is VLAN 10. */
    expect_vlan_flood(5, -1, "out:2 push:10 out:1 out:4 out:6 ");
    flood_set_topo(NULL);
}

static void
test_groups_and_members(void **state)
{
    (void) state;
    struct flood_topo *t = flood_topo_create(1);
    struct xlate_out out;
    /* A bond (group 1): 1 floods, 2 only receives; 3 and 4 alone. */
    assert_int_equal(flood_topo_add_port(t, 0, 1), 0);
    assert_int_equal(flood_topo_add_member(t, 0, 2), 0);
    assert_int_equal(flood_topo_add_member(t, 0, 2), -EINVAL);
    assert_int_equal(flood_topo_add_port(t, 0, 3), 0);
    assert_int_equal(flood_topo_add_member(t, 0, 4), 0);   /* Link down. */
    assert_int_equal(flood_topo_set_group(t, 1, 1), 0);
    assert_int_equal(flood_topo_set_group(t, 2, 1), 0);
    assert_int_equal(flood_topo_set_group(t, 5, 1), -EINVAL);
    flood_set_topo(t);

    static const uint32_t from1[] = { 3 };
    static const uint32_t from3[] = { 1 };
    assert_int_equal(flood_from(1, &out), 0);
    expect_outputs(out.actions, from1, 1);
    free(out.actions);
    /* The other member floods, but not into its own bond. */
    assert_int_equal(flood_from(2, &out), 0);
    expect_outputs(out.actions, from1, 1);
    free(out.actions);
    assert_int_equal(flood_from(3, &out), 0);
    expect_outputs(out.actions, from3, 1);
    free(out.actions);
    /* A member whose link is down still floods what it receives. */
    static const uint32_t from4[] = { 1, 3 };
    assert_int_equal(flood_from(4, &out), 0);
    expect_outputs(out.actions, from4, 2);
    free(out.actions);
    flood_set_topo(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_one_bridge, teardown),
        cmocka_unit_test_teardown(test_unknown_port, teardown),
        cmocka_unit_test_teardown(test_alone_drops, teardown),
        cmocka_unit_test_teardown(test_two_bridges_isolated, teardown),
        cmocka_unit_test_teardown(test_patch_chain, teardown),
        cmocka_unit_test_teardown(test_patch_one_way, teardown),
        cmocka_unit_test_teardown(test_patch_loops, teardown),
        cmocka_unit_test_teardown(test_topo_errors, teardown),
        cmocka_unit_test_teardown(test_set_topo_replaces, teardown),
        cmocka_unit_test_teardown(test_many_ports, teardown),
        cmocka_unit_test_teardown(test_chain_empty, teardown),
        cmocka_unit_test_teardown(test_chain_order, teardown),
        cmocka_unit_test_teardown(test_chain_error_drops, teardown),
        cmocka_unit_test_teardown(test_chain_full, teardown),
        cmocka_unit_test_teardown(test_chain_with_flood, teardown),
        cmocka_unit_test_teardown(test_vlans, teardown),
        cmocka_unit_test_teardown(test_groups_and_members, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
