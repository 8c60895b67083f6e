/* bridge_iface: Interface rows to datapath devices. */
#include "src/bridge_iface.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "src/bridge_cfg.h"
#include "src/util/dstr.h"

/* Kernel interface names (IFNAMSIZ - 1), used inside devargs. */
#define KERNEL_NAME_MAX 15

/* "" (a kernel interface) works too but is not listed, as in Open
 * vSwitch's iface_types. */
static const char *const supported[] = {
    "dpdk", "dpdkvhostuser", "dpdkvhostuserclient", "internal", "tap",
    "patch", "system",
};

/* Open vSwitch interface types that Sluice does not implement: refused
 * with -EOPNOTSUPP (types nobody knows get -EINVAL). */
static const char *const unimplemented[] = {
    "gre", "vxlan", "geneve",
    "erspan", "ip6erspan", "ip6gre", "lisp", "stt", "bareudp", "gtpu",
    "srv6", "afxdp", "afxdp-nonpmd", "dummy", "dummy-internal",
    "dummy-pmd",
};

const char *const *
iface_supported_types(size_t *n)
{
    *n = sizeof supported / sizeof supported[0];
    return supported;
}

static bool
in_list(const char *type, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(type, list[i])) {
            return true;
        }
    }
    return false;
}

static int
kernel_name_ok(const char *name, struct dstr *err)
{
    size_t len = strlen(name);
    if (!len || len > KERNEL_NAME_MAX || strpbrk(name, ",=/ \t:")) {
        dstr_printf(err, "'%s' cannot name a kernel interface (1 to %d "
                    "characters, no ',', '=', '/', ':' or blanks)", name,
                    KERNEL_NAME_MAX);
        return -EINVAL;
    }
    return 0;
}

static int
get_u16(const struct cfg_smap *opts, const char *key, uint64_t min,
        uint64_t max, uint16_t *value, struct dstr *err)
{
    uint64_t v;
    if (cfg_smap_get_uint(opts, key, 0, min, max, &v)) {
        dstr_printf(err, "options:%s=%s: not a number from %llu to %llu",
                    key, cfg_smap_get(opts, key), (unsigned long long) min,
                    (unsigned long long) max);
        return -EINVAL;
    }
    *value = (uint16_t) v;
    return 0;
}

static int
queues_from_options(const struct cfg_iface *ifc, struct port_config *pc,
                    struct dstr *err)
{
    if (get_u16(&ifc->options, "n_rxq", 1, 64, &pc->n_rxq, err)
        || get_u16(&ifc->options, "n_rxq_desc", 32, 8192, &pc->n_rxq_desc,
                   err)
        || get_u16(&ifc->options, "n_txq_desc", 32, 8192, &pc->n_txq_desc,
                   err)
        || get_u16(&ifc->options, "mbuf_size", PORT_MBUF_SIZE_MIN, 65535,
                   &pc->mbuf_size, err)) {
        return -EINVAL;
    }
    uint64_t n_mbuf;
    if (cfg_smap_get_uint(&ifc->options, "n_mbuf", 0, 1024, 1u << 26,
                          &n_mbuf)) {
        dstr_printf(err, "options:n_mbuf=%s: not a number from 1024 to %u",
                    cfg_smap_get(&ifc->options, "n_mbuf"), 1u << 26);
        return -EINVAL;
    }
    pc->n_mbuf = (uint32_t) n_mbuf;
    if (ifc->mtu_request) {
        if (ifc->mtu_request < 68 || ifc->mtu_request > 9710) {
            dstr_printf(err, "mtu_request=%lld: not from 68 to 9710",
                        (long long) ifc->mtu_request);
            return -EINVAL;
        }
        pc->mtu = (uint16_t) ifc->mtu_request;
    }
    return 0;
}

/* The directory part of 'path' exists and is a directory. */
static int
check_dir_of(const char *path, const char *what, struct dstr *err)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xasprintf("%.*s", (int) (slash - path), path)
                      : xasprintf(".");
    struct stat st;
    int rc = 0;
    if (!*dir) {
        free(dir);
        dir = xasprintf("/");
    }
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
        dstr_printf(err, "%s %s: directory %s does not exist", what, path,
                    dir);
        rc = -EINVAL;
    }
    free(dir);
    return rc;
}

/* Open vSwitch's default of options:tx-retries-max for vhost-user ports. */
#define VHOST_TX_RETRIES 8

/* net_vhost devargs for a server socket in env->vhost_sock_dir named
 * after the interface, or a client of options:vhost-server-path. */
static int
vhost_plan(const struct cfg_iface *ifc, const struct iface_env *env,
           struct iface_plan *plan, struct dstr *err)
{
    bool server = !strcmp(ifc->type, "dpdkvhostuser");
    char *path;
    if (strpbrk(ifc->name, ",=/ \t")) {
        dstr_printf(err, "'%s' cannot name a vhost-user port (no ',', '=', "
                    "'/' or blanks)", ifc->name);
        return -EINVAL;
    }
    if (server) {
        const char *dir = env && env->vhost_sock_dir ? env->vhost_sock_dir
                                                     : ".";
        path = xasprintf("%s/%s", dir, ifc->name);
    } else {
        const char *p = cfg_smap_get(&ifc->options, "vhost-server-path");
        if (!p || !*p) {
            dstr_put(err, "type dpdkvhostuserclient needs "
                     "options:vhost-server-path");
            return -EINVAL;
        }
        path = xasprintf("%s", p);
    }
    if (strchr(path, ',') || strlen(path) >= sizeof ((struct sockaddr_un *)
                                                     0)->sun_path) {
        dstr_printf(err, "vhost-user socket %s: too long or has a ','",
                    path);
        free(path);
        return -EINVAL;
    }
    if (check_dir_of(path, "vhost-user socket", err)) {
        free(path);
        return -EINVAL;
    }
    uint64_t n_rxq;
    if (cfg_smap_get_uint(&ifc->options, "n_rxq", VHOST_QUEUES_DEFAULT, 1,
                          64, &n_rxq)) {
        n_rxq = 1;      /* queues_from_options() reports it. */
    }
    /* tx-retries-max is Open vSwitch's name; tx-retries Sluice's first. */
    const char *key = cfg_smap_get(&ifc->options, "tx-retries-max")
                      ? "tx-retries-max" : "tx-retries";
    uint64_t retries;
    if (cfg_smap_get_uint(&ifc->options, key, VHOST_TX_RETRIES, 0,
                          PORT_TX_RETRIES_MAX, &retries)) {
        dstr_printf(err, "options:%s=%s: not a number from 0 to %d", key,
                    cfg_smap_get(&ifc->options, key), PORT_TX_RETRIES_MAX);
        free(path);
        return -EINVAL;
    }
    plan->pc.tx_retries = (uint16_t) retries;
    plan->devargs = xasprintf("net_vhost_%s,iface=%s,queues=%u%s",
                              ifc->name, path, (unsigned) n_rxq,
                              server ? "" : ",client=1");
    plan->vhost_socket = path;
    plan->vhost_server = server;
    plan->pc.n_rxq = (uint16_t) n_rxq;
    return 0;
}

int
iface_plan_build(const struct cfg_iface *ifc, const uint8_t *mac,
                 const struct iface_env *env, struct iface_plan *plan,
                 struct dstr *err)
{
    const char *type = ifc->type;
    memset(plan, 0, sizeof *plan);

    if (!ifc->name || !*ifc->name) {
        dstr_put(err, "interface has no name");
        return -EINVAL;
    }
    if (strlen(ifc->name) >= PORT_NAME_MAX) {
        dstr_printf(err, "name longer than %d characters", PORT_NAME_MAX - 1);
        return -EINVAL;
    }
    if (!strcmp(type, "patch")) {
        const char *peer = cfg_smap_get(&ifc->options, "peer");
        if (!peer || !*peer) {
            dstr_put(err, "patch interface needs options:peer");
            return -EINVAL;
        }
        if (!strcmp(peer, ifc->name)) {
            dstr_put(err, "patch interface cannot be its own peer");
            return -EINVAL;
        }
        plan->kind = IFACE_PATCH;
        plan->peer = xasprintf("%s", peer);
        return 0;
    }

    if (!strcmp(type, "dpdk")) {
        const char *devargs = cfg_smap_get(&ifc->options, "dpdk-devargs");
        if (!devargs || !*devargs) {
            dstr_put(err, "type dpdk needs options:dpdk-devargs");
            return -EINVAL;
        }
        plan->devargs = xasprintf("%s", devargs);
    } else if (!strcmp(type, "internal") || !strcmp(type, "tap")) {
        if (kernel_name_ok(ifc->name, err)) {
            return -EINVAL;
        }
        char macs[32] = "";
        if (mac) {
            snprintf(macs, sizeof macs, ",mac=%02x:%02x:%02x:%02x:%02x:%02x",
                     mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
        }
        plan->devargs = xasprintf("net_tap_%s,iface=%s%s", ifc->name,
                                  ifc->name, macs);
    } else if (!*type || !strcmp(type, "system")) {
        /* A kernel interface, as "ovs-vsctl add-port br0 eth1" makes. */
        if (kernel_name_ok(ifc->name, err)) {
            return -EINVAL;
        }
        plan->devargs = xasprintf("net_af_packet_%s,iface=%s", ifc->name,
                                  ifc->name);
    } else if (!strcmp(type, "dpdkvhostuser")
               || !strcmp(type, "dpdkvhostuserclient")) {
        if (vhost_plan(ifc, env, plan, err)) {
            return -EINVAL;
        }
    } else if (in_list(type, unimplemented,
                       sizeof unimplemented / sizeof unimplemented[0])) {
        dstr_printf(err, "interface type '%s' is not supported yet", type);
        return -EOPNOTSUPP;
    } else {
        dstr_printf(err, "unknown interface type '%s'", type);
        return -EINVAL;
    }
    plan->kind = IFACE_DEVICE;
    plan->pc.name = ifc->name;
    plan->pc.devargs = plan->devargs;
    uint16_t vhost_queues = plan->vhost_socket ? plan->pc.n_rxq : 0;
    if (queues_from_options(ifc, &plan->pc, err)) {
        iface_plan_destroy(plan);
        return -EINVAL;
    }
    if (vhost_queues) {
        plan->pc.n_rxq = vhost_queues;  /* As many as the device has. */
    }
    if (strstr(plan->devargs, "net_af_packet") && plan->pc.n_rxq > 1) {
        /* af_packet opens as many queue pairs as it is told. */
        char *q = xasprintf("%s,qpairs=%u", plan->devargs,
                            (unsigned) plan->pc.n_rxq);
        free(plan->devargs);
        plan->devargs = q;
        plan->pc.devargs = q;
    }
    return 0;
}

void
iface_plan_destroy(struct iface_plan *plan)
{
    free(plan->devargs);
    free(plan->peer);
    free(plan->vhost_socket);
    memset(plan, 0, sizeof *plan);
}

/* Whether devargs 'a' and 'b' are equal but for a "mac=" argument. */
static bool
same_but_mac(const char *a, const char *b)
{
    while (*a || *b) {
        if (!strncmp(a, ",mac=", 5)) {
            a += 5 + strcspn(a + 5, ",");
            continue;
        }
        if (!strncmp(b, ",mac=", 5)) {
            b += 5 + strcspn(b + 5, ",");
            continue;
        }
        if (*a != *b) {
            return false;
        }
        a++;
        b++;
    }
    return true;
}

bool
iface_plan_same_device(const struct iface_plan *a, const struct iface_plan *b)
{
    if (a->kind != b->kind) {
        return false;
    }
    if (a->kind == IFACE_PATCH) {
        return cfg_str_eq(a->peer, b->peer);
    }
    /* af_packet's queue pairs are in its devargs: a change reopens it.
     * A bridge's own port takes a new MAC in place. */
    return a->devargs && b->devargs ? same_but_mac(a->devargs, b->devargs)
                                    : cfg_str_eq(a->devargs, b->devargs);
}

bool
iface_plan_same_queues(const struct iface_plan *a, const struct iface_plan *b)
{
    return a->pc.n_rxq == b->pc.n_rxq && a->pc.n_rxq_desc == b->pc.n_rxq_desc
           && a->pc.n_txq_desc == b->pc.n_txq_desc && a->pc.mtu == b->pc.mtu
           && a->pc.n_mbuf == b->pc.n_mbuf
           && a->pc.mbuf_size == b->pc.mbuf_size
           && a->pc.tx_retries == b->pc.tx_retries;
}
