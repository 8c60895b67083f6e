/* Unit tests for bridge_iface: Interface type and options to a device
 * plan (devargs, queues, MTU) or a patch, every error and its message,
 * the bounds of each option, and the plan comparisons. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/bridge_cfg.h"
#include "src/bridge_iface.h"
#include "src/util/dstr.h"

#define MAX_OPTS 8

/* An Interface as bridge_cfg would read it, with up to MAX_OPTS options
 * pointing at string literals. */
struct fx {
    struct cfg_iface ifc;
    char *keys[MAX_OPTS];
    char *values[MAX_OPTS];
};

/* Sets up 'fx' as interface 'name' of 'type' with the options given as
 * key, value pairs ending in NULL. */
static void
fx_init(struct fx *fx, const char *name, const char *type, ...)
{
    va_list args;

    memset(fx, 0, sizeof *fx);
    fx->ifc.name = (char *) name;
    fx->ifc.type = (char *) type;
    fx->ifc.ofport_request = -1;
    fx->ifc.ofport = -1;
    fx->ifc.options.keys = fx->keys;
    fx->ifc.options.values = fx->values;
    va_start(args, type);
    for (;;) {
        const char *k = va_arg(args, const char *);
        if (!k) {
            break;
        }
        assert_true(fx->ifc.options.n < MAX_OPTS);
        fx->keys[fx->ifc.options.n] = (char *) k;
        fx->values[fx->ifc.options.n] = (char *) va_arg(args, const char *);
        fx->ifc.options.n++;
    }
    va_end(args);
}

/* The error text of the last build(). */
static char last_err[512];

static int
build(const struct fx *fx, const uint8_t *mac, struct iface_plan *plan)
{
    struct dstr err = DSTR_INIT;
    dstr_init(&err);
    struct iface_env env = { .vhost_sock_dir = "/tmp" };
    int rc = iface_plan_build(&fx->ifc, mac, &env, plan, &err);
    snprintf(last_err, sizeof last_err, "%s", dstr_cstr(&err));
    dstr_free(&err);
    if (rc) {
        /* A failed build leaves nothing to free. */
        assert_null(plan->devargs);
        assert_null(plan->peer);
    } else {
        assert_string_equal(last_err, "");
    }
    return rc;
}

/* Builds a device plan that must succeed and checks what every device
 * plan has in common. */
static void
build_device(const struct fx *fx, const uint8_t *mac, struct iface_plan *p)
{
    assert_int_equal(build(fx, mac, p), 0);
    assert_int_equal(p->kind, IFACE_DEVICE);
    assert_non_null(p->devargs);
    assert_ptr_equal(p->pc.devargs, p->devargs);
    assert_string_equal(p->pc.name, fx->ifc.name);
    assert_null(p->peer);
}

/* Expects 'fx' to fail with 'rc' and exactly 'msg'. */
static void
expect_error(const struct fx *fx, int rc, const char *msg)
{
    struct iface_plan p;
    assert_int_equal(build(fx, NULL, &p), rc);
    assert_string_equal(last_err, msg);
    iface_plan_destroy(&p);
}

static void
test_supported_types(void **state)
{
    (void) state;
    /* "" works as well (test_system) but is not listed, as in Open
     * vSwitch. */
    static const char *const want[] = {
        "dpdk", "dpdkvhostuser", "dpdkvhostuserclient", "internal", "tap",
        "patch", "system",
    };
    size_t n = 0;
    const char *const *types = iface_supported_types(&n);
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(types[i], want[i]);
    }

    /* Each listed type does build (with the options it needs). */
    for (size_t i = 0; i < n; i++) {
        struct fx fx;
        struct iface_plan p;
        fx_init(&fx, "eth1", types[i], "dpdk-devargs", "0000:00:04.0",
                "peer", "other", "vhost-server-path", "/tmp/eth1.sock",
                NULL);
        assert_int_equal(build(&fx, NULL, &p), 0);
        iface_plan_destroy(&p);
    }
}

static void
test_dpdk(void **state)
{
    (void) state;
    struct fx fx;
    struct iface_plan p;

    fx_init(&fx, "dpdk0", "dpdk", "dpdk-devargs", "0000:00:04.0", NULL);
    build_device(&fx, NULL, &p);
    assert_string_equal(p.devargs, "0000:00:04.0");
    assert_int_equal(p.pc.tx_retries, 0);   /* vhost-user ports only. */
    assert_ptr_not_equal(p.devargs, fx.values[0]);     /* A copy. */
    /* No options: the port's defaults. */
    assert_int_equal(p.pc.n_rxq, 0);
    assert_int_equal(p.pc.n_rxq_desc, 0);
    assert_int_equal(p.pc.n_txq_desc, 0);
    assert_int_equal(p.pc.mtu, 0);
    assert_int_equal(p.pc.n_mbuf, 0);
    iface_plan_destroy(&p);
    assert_null(p.devargs);

    /* A MAC for the bridge's own interface does not touch a DPDK device;
     * queues are not in its devargs. */
    static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
    fx_init(&fx, "dpdk0", "dpdk", "dpdk-devargs", "net_null0",
            "n_rxq", "4", "n_rxq_desc", "512", "n_txq_desc", "256", NULL);
    fx.ifc.mtu_request = 9000;
    build_device(&fx, mac, &p);
    assert_string_equal(p.devargs, "net_null0");
    assert_int_equal(p.pc.n_rxq, 4);
    assert_int_equal(p.pc.n_rxq_desc, 512);
    assert_int_equal(p.pc.n_txq_desc, 256);
    assert_int_equal(p.pc.mtu, 9000);
    iface_plan_destroy(&p);

    /* Not a kernel name: longer than 15 characters and commas are fine. */
    fx_init(&fx, "dpdk-port-number-17", "dpdk", "dpdk-devargs",
            "net_ring0", NULL);
    build_device(&fx, NULL, &p);
    assert_string_equal(p.devargs, "net_ring0");
    iface_plan_destroy(&p);

    fx_init(&fx, "dpdk0", "dpdk", NULL);
    expect_error(&fx, -EINVAL, "type dpdk needs options:dpdk-devargs");
    fx_init(&fx, "dpdk0", "dpdk", "dpdk-devargs", "", NULL);
    expect_error(&fx, -EINVAL, "type dpdk needs options:dpdk-devargs");
    fx_init(&fx, "dpdk0", "dpdk", "devargs", "0000:00:04.0", NULL);
    expect_error(&fx, -EINVAL, "type dpdk needs options:dpdk-devargs");
}

static void
test_internal_and_tap(void **state)
{
    (void) state;
    static const char *const types[] = { "internal", "tap" };
    static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0xaa, 0xbb, 0x0c };

    for (size_t i = 0; i < 2; i++) {
        struct fx fx;
        struct iface_plan p;

        fx_init(&fx, "br0", types[i], NULL);
        build_device(&fx, NULL, &p);
        assert_string_equal(p.devargs, "net_tap_br0,iface=br0");
        iface_plan_destroy(&p);

        build_device(&fx, mac, &p);
        assert_string_equal(p.devargs,
                            "net_tap_br0,iface=br0,mac=02:00:5e:aa:bb:0c");
        iface_plan_destroy(&p);

        /* Queues are port settings, not tap devargs. */
        fx_init(&fx, "vm-tap1", types[i], "n_rxq", "2", NULL);
        build_device(&fx, NULL, &p);
        assert_string_equal(p.devargs, "net_tap_vm-tap1,iface=vm-tap1");
        assert_int_equal(p.pc.n_rxq, 2);
        iface_plan_destroy(&p);
    }
}

static void
test_system(void **state)
{
    (void) state;
    static const char *const types[] = { "", "system" };

    for (size_t i = 0; i < 2; i++) {
        struct fx fx;
        struct iface_plan p;

        fx_init(&fx, "eth1", types[i], NULL);
        build_device(&fx, NULL, &p);
        assert_string_equal(p.devargs, "net_af_packet_eth1,iface=eth1");
        assert_int_equal(p.pc.n_rxq, 0);
        iface_plan_destroy(&p);

        /* One queue needs no qpairs; more open that many pairs. */
        fx_init(&fx, "eth1", types[i], "n_rxq", "1", NULL);
        build_device(&fx, NULL, &p);
        assert_string_equal(p.devargs, "net_af_packet_eth1,iface=eth1");
        assert_int_equal(p.pc.n_rxq, 1);
        iface_plan_destroy(&p);

        fx_init(&fx, "eth1", types[i], "n_rxq", "4", NULL);
        build_device(&fx, NULL, &p);
        assert_string_equal(p.devargs,
                            "net_af_packet_eth1,iface=eth1,qpairs=4");
        assert_int_equal(p.pc.n_rxq, 4);
        iface_plan_destroy(&p);

        fx_init(&fx, "eth1", types[i], "n_rxq", "64", NULL);
        build_device(&fx, NULL, &p);
        assert_string_equal(p.devargs,
                            "net_af_packet_eth1,iface=eth1,qpairs=64");
        assert_int_equal(p.pc.n_rxq, 64);
        iface_plan_destroy(&p);

        /* A MAC is only for tap devices. */
        static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 9 };
        fx_init(&fx, "eth1", types[i], NULL);
        build_device(&fx, mac, &p);
        assert_string_equal(p.devargs, "net_af_packet_eth1,iface=eth1");
        iface_plan_destroy(&p);
    }
}

static void
test_kernel_names(void **state)
{
    (void) state;
    static const char *const types[] = { "", "system", "internal", "tap" };
    static const char *const bad[] = {
        "a,b", "a=b", "a/b", "a b", "a:b", "a\tb", "eth1,mac=x",
    };
    char msg[256];

    for (size_t i = 0; i < 4; i++) {
        struct fx fx;
        struct iface_plan p;

        /* 15 characters: the kernel's limit. */
        fx_init(&fx, "abcdefghijklmno", types[i], NULL);
        build_device(&fx, NULL, &p);
        assert_non_null(strstr(p.devargs, "iface=abcdefghijklmno"));
        iface_plan_destroy(&p);

        fx_init(&fx, "abcdefghijklmnop", types[i], NULL);
        expect_error(&fx, -EINVAL,
                     "'abcdefghijklmnop' cannot name a kernel interface "
                     "(1 to 15 characters, no ',', '=', '/', ':' or blanks)");

        for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
            fx_init(&fx, bad[j], types[i], NULL);
            snprintf(msg, sizeof msg, "'%s' cannot name a kernel interface "
                     "(1 to 15 characters, no ',', '=', '/', ':' or "
                     "blanks)", bad[j]);
            expect_error(&fx, -EINVAL, msg);
        }

        /* Dots, dashes and underscores are fine. */
        fx_init(&fx, "vlan.10-a_b", types[i], NULL);
        build_device(&fx, NULL, &p);
        iface_plan_destroy(&p);
    }
}

static void
test_names(void **state)
{
    (void) state;
    struct fx fx;
    struct iface_plan p;
    char name[80];

    fx_init(&fx, NULL, "dpdk", "dpdk-devargs", "net_null0", NULL);
    expect_error(&fx, -EINVAL, "interface has no name");
    fx_init(&fx, "", "dpdk", "dpdk-devargs", "net_null0", NULL);
    expect_error(&fx, -EINVAL, "interface has no name");
    fx_init(&fx, "", "patch", "peer", "x", NULL);
    expect_error(&fx, -EINVAL, "interface has no name");

    /* A datapath port name holds 63 characters. */
    memset(name, 'n', 63);
    name[63] = '\0';
    fx_init(&fx, name, "dpdk", "dpdk-devargs", "net_null0", NULL);
    build_device(&fx, NULL, &p);
    iface_plan_destroy(&p);

    name[63] = 'n';
    name[64] = '\0';
    fx_init(&fx, name, "dpdk", "dpdk-devargs", "net_null0", NULL);
    expect_error(&fx, -EINVAL, "name longer than 63 characters");
    fx_init(&fx, name, "patch", "peer", "x", NULL);
    expect_error(&fx, -EINVAL, "name longer than 63 characters");
    /* The name check comes before the type's. */
    fx_init(&fx, name, "bogus", NULL);
    expect_error(&fx, -EINVAL, "name longer than 63 characters");
}

static void
test_patch(void **state)
{
    (void) state;
    struct fx fx;
    struct iface_plan p;

    fx_init(&fx, "patch-ab", "patch", "peer", "patch-ba", NULL);
    assert_int_equal(build(&fx, NULL, &p), 0);
    assert_int_equal(p.kind, IFACE_PATCH);
    assert_string_equal(p.peer, "patch-ba");
    assert_ptr_not_equal(p.peer, fx.values[0]);         /* A copy. */
    assert_null(p.devargs);
    assert_null(p.pc.devargs);
    iface_plan_destroy(&p);
    assert_null(p.peer);

    /* A patch is no kernel interface: its name is not limited to 15. */
    fx_init(&fx, "patch-to-bridge-b", "patch", "peer", "patch-to-bridge-a",
            NULL);
    assert_int_equal(build(&fx, NULL, &p), 0);
    assert_string_equal(p.peer, "patch-to-bridge-a");
    iface_plan_destroy(&p);

    fx_init(&fx, "patch-ab", "patch", NULL);
    expect_error(&fx, -EINVAL, "patch interface needs options:peer");
    fx_init(&fx, "patch-ab", "patch", "peer", "", NULL);
    expect_error(&fx, -EINVAL, "patch interface needs options:peer");
    fx_init(&fx, "patch-ab", "patch", "peer", "patch-ab", NULL);
    expect_error(&fx, -EINVAL, "patch interface cannot be its own peer");
}

/* vhost-user: server sockets in the environment's directory, named after
 * the interface; client sockets where options:vhost-server-path says;
 * queue pairs from n_rxq, else VHOST_QUEUES_DEFAULT (the datapath uses
 * those the guest enables); tx retries from tx-retries-max (Open
 * vSwitch's name) or tx-retries; bad names, paths and directories
 * refused. */
static void
test_vhost_user(void **state)
{
    (void) state;
    struct fx fx;
    struct iface_plan p;

    fx_init(&fx, "vh0", "dpdkvhostuser", NULL);
    build_device(&fx, NULL, &p);
    assert_string_equal(p.devargs, "net_vhost_vh0,iface=/tmp/vh0,queues=8");
    assert_int_equal(p.pc.n_rxq, VHOST_QUEUES_DEFAULT);
    assert_string_equal(p.vhost_socket, "/tmp/vh0");
    assert_true(p.vhost_server);
    iface_plan_destroy(&p);

    fx_init(&fx, "vh1", "dpdkvhostuser", "n_rxq", "4", NULL);
    build_device(&fx, NULL, &p);
    assert_string_equal(p.devargs, "net_vhost_vh1,iface=/tmp/vh1,queues=4");
    assert_int_equal(p.pc.n_rxq, 4);
    assert_int_equal(p.pc.tx_retries, 8);   /* Open vSwitch's default. */
    struct iface_plan q;
    fx_init(&fx, "vh1", "dpdkvhostuser", "n_rxq", "4", "tx-retries", "0",
            NULL);
    build_device(&fx, NULL, &q);
    assert_int_equal(q.pc.tx_retries, 0);
    assert_true(iface_plan_same_device(&p, &q));
    assert_false(iface_plan_same_queues(&p, &q));
    iface_plan_destroy(&q);
    iface_plan_destroy(&p);
    fx_init(&fx, "vh1", "dpdkvhostuser", "tx-retries", "33", NULL);
    expect_error(&fx, -EINVAL, "options:tx-retries=33: not a number from 0 "
                 "to 32");
    fx_init(&fx, "vh1", "dpdkvhostuser", "tx-retries-max", "3",
            "tx-retries", "5", NULL);
    build_device(&fx, NULL, &p);
    assert_int_equal(p.pc.tx_retries, 3);
    iface_plan_destroy(&p);
    fx_init(&fx, "vh1", "dpdkvhostuser", "tx-retries-max", "-1", NULL);
    expect_error(&fx, -EINVAL, "options:tx-retries-max=-1: not a number "
                 "from 0 to 32");

    fx_init(&fx, "vc0", "dpdkvhostuserclient", "vhost-server-path",
            "/tmp/guest.sock", NULL);
    build_device(&fx, NULL, &p);
    assert_string_equal(p.devargs, "net_vhost_vc0,iface=/tmp/guest.sock,"
                        "queues=8,client=1");
    assert_false(p.vhost_server);
    iface_plan_destroy(&p);

    fx_init(&fx, "vc0", "dpdkvhostuserclient", NULL);
    expect_error(&fx, -EINVAL, "type dpdkvhostuserclient needs "
                 "options:vhost-server-path");
    fx_init(&fx, "vc0", "dpdkvhostuserclient", "vhost-server-path", "",
            NULL);
    expect_error(&fx, -EINVAL, "type dpdkvhostuserclient needs "
                 "options:vhost-server-path");
    fx_init(&fx, "vc0", "dpdkvhostuserclient", "vhost-server-path",
            "/nonexistent-dir/guest.sock", NULL);
    expect_error(&fx, -EINVAL, "vhost-user socket /nonexistent-dir/"
                 "guest.sock: directory /nonexistent-dir does not exist");
    fx_init(&fx, "vc0", "dpdkvhostuserclient", "vhost-server-path",
            "/tmp/a,b", NULL);
    expect_error(&fx, -EINVAL, "vhost-user socket /tmp/a,b: too long or "
                 "has a ','");
    fx_init(&fx, "a,b", "dpdkvhostuser", NULL);
    expect_error(&fx, -EINVAL, "'a,b' cannot name a vhost-user port (no "
                 "',', '=', '/' or blanks)");
    fx_init(&fx, "vh0", "dpdkvhostuser", "n_rxq", "65", NULL);
    expect_error(&fx, -EINVAL, "options:n_rxq=65: not a number from 1 to "
                 "64");
}

static void
test_unsupported_and_unknown(void **state)
{
    (void) state;
    static const char *const later[] = {
        "gre", "vxlan", "geneve",
        "erspan", "ip6erspan", "ip6gre", "lisp", "stt", "bareudp", "gtpu",
        "srv6", "afxdp", "afxdp-nonpmd", "dummy", "dummy-internal",
        "dummy-pmd",
    };
    struct fx fx;
    char msg[256];
    size_t n;
    const char *const *types = iface_supported_types(&n);

    for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
        fx_init(&fx, "t0", later[i], "remote_ip", "192.0.2.1", NULL);
        snprintf(msg, sizeof msg, "interface type '%s' is not supported yet",
                 later[i]);
        expect_error(&fx, -EOPNOTSUPP, msg);
        /* And not advertised. */
        for (size_t j = 0; j < n; j++) {
            assert_string_not_equal(types[j], later[i]);
        }
    }

    static const char *const unknown[] = {
        "bogus", "DPDK", "Internal", "system ", "vxlan4", "patchy",
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        fx_init(&fx, "t0", unknown[i], "peer", "x", "dpdk-devargs", "y",
                NULL);
        snprintf(msg, sizeof msg, "unknown interface type '%s'", unknown[i]);
        expect_error(&fx, -EINVAL, msg);
    }
}

/* One queue option's bounds on a dpdk and a system interface. */
static void
check_u16_option(const char *key, const char *lo, const char *hi,
                 const char *below, const char *above, size_t field)
{
    static const char *const types[] = { "dpdk", "system" };
    char msg[256];

    for (size_t t = 0; t < 2; t++) {
        struct fx fx;
        struct iface_plan p;
        const char *good[] = { lo, hi };
        for (size_t g = 0; g < 2; g++) {
            fx_init(&fx, "eth1", types[t], "dpdk-devargs", "net_null0",
                    key, good[g], NULL);
            build_device(&fx, NULL, &p);
            uint16_t v;
            memcpy(&v, (const char *) &p.pc + field, sizeof v);
            assert_int_equal(v, strtoul(good[g], NULL, 10));
            iface_plan_destroy(&p);
        }
        const char *bad[] = { below, above, "lots", "-1", "", "4x", "1.5",
                              "99999999999999999999999" };
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            fx_init(&fx, "eth1", types[t], "dpdk-devargs", "net_null0",
                    key, bad[b], NULL);
            snprintf(msg, sizeof msg,
                     "options:%s=%s: not a number from %s to %s",
                     key, bad[b], lo, hi);
            expect_error(&fx, -EINVAL, msg);
        }
    }
}

static void
test_queue_options(void **state)
{
    (void) state;
    check_u16_option("n_rxq", "1", "64", "0", "65",
                     offsetof(struct port_config, n_rxq));
    check_u16_option("n_rxq_desc", "32", "8192", "31", "8193",
                     offsetof(struct port_config, n_rxq_desc));
    check_u16_option("n_txq_desc", "32", "8192", "31", "8193",
                     offsetof(struct port_config, n_txq_desc));
    /* mbuf_size as dpctl/add-if takes it (sluice-bench's 256 fits). */
    char lo[16], below[16];
    snprintf(lo, sizeof lo, "%d", PORT_MBUF_SIZE_MIN);
    snprintf(below, sizeof below, "%d", PORT_MBUF_SIZE_MIN - 1);
    check_u16_option("mbuf_size", lo, "65535", below, "65536",
                     offsetof(struct port_config, mbuf_size));

    /* The first bad option is the one reported. */
    struct fx fx;
    fx_init(&fx, "eth1", "system", "n_txq_desc", "1", "n_rxq", "100", NULL);
    expect_error(&fx, -EINVAL,
                 "options:n_rxq=100: not a number from 1 to 64");
    /* Tap and internal interfaces check them too. */
    fx_init(&fx, "tap1", "tap", "n_rxq_desc", "8193", NULL);
    expect_error(&fx, -EINVAL,
                 "options:n_rxq_desc=8193: not a number from 32 to 8192");
    fx_init(&fx, "br0", "internal", "n_rxq", "0", NULL);
    expect_error(&fx, -EINVAL, "options:n_rxq=0: not a number from 1 to 64");
}

static void
test_mtu_request(void **state)
{
    (void) state;
    struct fx fx;
    struct iface_plan p;
    static const int64_t good[] = { 68, 1500, 9000, 9710 };
    static const int64_t bad[] = { 1, 67, 9711, 65535, 65536, -5 };
    char msg[128];

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        fx_init(&fx, "eth1", "", NULL);
        fx.ifc.mtu_request = good[i];
        build_device(&fx, NULL, &p);
        assert_int_equal(p.pc.mtu, good[i]);
        iface_plan_destroy(&p);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fx_init(&fx, "eth1", "", NULL);
        fx.ifc.mtu_request = bad[i];
        snprintf(msg, sizeof msg, "mtu_request=%lld: not from 68 to 9710",
                 (long long) bad[i]);
        expect_error(&fx, -EINVAL, msg);
    }
    fx_init(&fx, "br0", "internal", NULL);
    fx.ifc.mtu_request = 67;
    expect_error(&fx, -EINVAL, "mtu_request=67: not from 68 to 9710");

    /* 0: none requested, the device's default. */
    fx_init(&fx, "eth1", "", NULL);
    fx.ifc.mtu_request = 0;
    build_device(&fx, NULL, &p);
    assert_int_equal(p.pc.mtu, 0);
    iface_plan_destroy(&p);
}

static void
test_same_device_and_queues(void **state)
{
    (void) state;
    struct fx fa, fb;
    struct iface_plan a, b;

    /* Equal plans built separately. */
    fx_init(&fa, "dpdk0", "dpdk", "dpdk-devargs", "net_null0", NULL);
    fx_init(&fb, "dpdk0", "dpdk", "dpdk-devargs", "net_null0", NULL);
    build_device(&fa, NULL, &a);
    build_device(&fb, NULL, &b);
    assert_true(iface_plan_same_device(&a, &b));
    assert_true(iface_plan_same_queues(&a, &b));
    iface_plan_destroy(&b);

    /* Queues, descriptors and MTU of a dpdk port: same device. */
    fx_init(&fb, "dpdk0", "dpdk", "dpdk-devargs", "net_null0", "n_rxq", "2",
            NULL);
    build_device(&fb, NULL, &b);
    assert_true(iface_plan_same_device(&a, &b));
    assert_false(iface_plan_same_queues(&a, &b));
    iface_plan_destroy(&b);
    fx_init(&fb, "dpdk0", "dpdk", "dpdk-devargs", "net_null0",
            "n_rxq_desc", "256", NULL);
    build_device(&fb, NULL, &b);
    assert_true(iface_plan_same_device(&a, &b));
    assert_false(iface_plan_same_queues(&a, &b));
    iface_plan_destroy(&b);
    fx_init(&fb, "dpdk0", "dpdk", "dpdk-devargs", "net_null0",
            "n_txq_desc", "256", NULL);
    build_device(&fb, NULL, &b);
    assert_true(iface_plan_same_device(&a, &b));
    assert_false(iface_plan_same_queues(&a, &b));
    iface_plan_destroy(&b);
    fx_init(&fb, "dpdk0", "dpdk", "dpdk-devargs", "net_null0", NULL);
    fb.ifc.mtu_request = 9000;
    build_device(&fb, NULL, &b);
    assert_true(iface_plan_same_device(&a, &b));
    assert_false(iface_plan_same_queues(&a, &b));
    iface_plan_destroy(&b);

    /* Other devargs: another device. */
    fx_init(&fb, "dpdk0", "dpdk", "dpdk-devargs", "net_null1", NULL);
    build_device(&fb, NULL, &b);
    assert_false(iface_plan_same_device(&a, &b));
    assert_true(iface_plan_same_queues(&a, &b));
    iface_plan_destroy(&b);

    /* A device and a patch. */
    fx_init(&fb, "dpdk0", "patch", "peer", "net_null0", NULL);
    assert_int_equal(build(&fb, NULL, &b), 0);
    assert_false(iface_plan_same_device(&a, &b));
    assert_false(iface_plan_same_device(&b, &a));
    iface_plan_destroy(&b);
    iface_plan_destroy(&a);

    /* af_packet: queue pairs are in the devargs, so n_rxq reopens it. */
    fx_init(&fa, "eth1", "system", "n_rxq", "2", NULL);
    fx_init(&fb, "eth1", "system", "n_rxq", "4", NULL);
    build_device(&fa, NULL, &a);
    build_device(&fb, NULL, &b);
    assert_false(iface_plan_same_device(&a, &b));
    assert_false(iface_plan_same_queues(&a, &b));
    iface_plan_destroy(&b);
    /* But its descriptors do not. */
    fx_init(&fb, "eth1", "system", "n_rxq", "2", "n_rxq_desc", "64", NULL);
    build_device(&fb, NULL, &b);
    assert_true(iface_plan_same_device(&a, &b));
    assert_false(iface_plan_same_queues(&a, &b));
    iface_plan_destroy(&b);
    iface_plan_destroy(&a);

    /* A new MAC on an internal port is the same device (the MAC is set
     * in place), but other devargs differ. */
    static const uint8_t m1[6] = { 2, 0, 0, 0, 0, 1 };
    static const uint8_t m2[6] = { 2, 0, 0, 0, 0, 2 };
    fx_init(&fa, "br0", "internal", NULL);
    build_device(&fa, m1, &a);
    build_device(&fa, m2, &b);
    assert_true(iface_plan_same_device(&a, &b));
    iface_plan_destroy(&b);
    build_device(&fa, NULL, &b);
    assert_true(iface_plan_same_device(&a, &b));
    iface_plan_destroy(&b);
    fx_init(&fb, "br1", "internal", NULL);
    build_device(&fb, m1, &b);
    assert_false(iface_plan_same_device(&a, &b));
    iface_plan_destroy(&b);
    build_device(&fa, m1, &b);
    assert_true(iface_plan_same_device(&a, &b));
    iface_plan_destroy(&b);
    iface_plan_destroy(&a);

    /* Patches: the same when the peer is. */
    fx_init(&fa, "p0", "patch", "peer", "p1", NULL);
    fx_init(&fb, "p0", "patch", "peer", "p1", NULL);
    assert_int_equal(build(&fa, NULL, &a), 0);
    assert_int_equal(build(&fb, NULL, &b), 0);
    assert_true(iface_plan_same_device(&a, &b));
    iface_plan_destroy(&b);
    fx_init(&fb, "p0", "patch", "peer", "p2", NULL);
    assert_int_equal(build(&fb, NULL, &b), 0);
    assert_false(iface_plan_same_device(&a, &b));
    iface_plan_destroy(&b);
    iface_plan_destroy(&a);
}

static void
test_destroy_twice(void **state)
{
    (void) state;
    struct fx fx;
    struct iface_plan p;

    fx_init(&fx, "eth1", "", "n_rxq", "3", NULL);
    build_device(&fx, NULL, &p);
    iface_plan_destroy(&p);
    assert_null(p.devargs);
    assert_null(p.pc.devargs);
    assert_null(p.pc.name);
    assert_int_equal(p.pc.n_rxq, 0);
    iface_plan_destroy(&p);             /* Zeroed: safe again. */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_supported_types),
        cmocka_unit_test(test_dpdk),
        cmocka_unit_test(test_internal_and_tap),
        cmocka_unit_test(test_system),
        cmocka_unit_test(test_kernel_names),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_patch),
        cmocka_unit_test(test_vhost_user),
        cmocka_unit_test(test_unsupported_and_unknown),
        cmocka_unit_test(test_queue_options),
        cmocka_unit_test(test_mtu_request),
        cmocka_unit_test(test_same_device_and_queues),
        cmocka_unit_test(test_destroy_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
