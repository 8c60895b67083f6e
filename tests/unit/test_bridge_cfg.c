/* Unit tests for bridge_cfg: the snapshot read from an in-memory
 * Open_vSwitch database (the built-in schema), what is and is not read,
 * databases it cannot read, option parsing and lookups. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ovsdb/builtin.h"
#include "ovsdb/db.h"
#include "ovsdb/schema.h"
#include "ovsdb/txn.h"
#include "ovsdb/uuid.h"
#include "src/bridge_cfg.h"

/* JSON written with single quotes, to keep the C strings readable. */
static json_t *
J(const char *text)
{
    char *s = strdup(text);
    assert_non_null(s);
    for (char *p = s; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    if (!j) {
        fail_msg("bad JSON in test: %s: %s", e.text, s);
    }
    free(s);
    return j;
}

static struct ovsdb_db *
db_from_schema(const char *text)
{
    struct ovsdb_schema *schema;
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    json_t *err = ovsdb_schema_from_json(&schema, j);
    json_decref(j);
    assert_null(err);
    struct ovsdb_db *db = ovsdb_db_create(schema);
    assert_non_null(db);
    return db;
}

static struct ovsdb_db *
vswitch_db(void)
{
    return db_from_schema(ovsdb_builtin_vswitch_schema());
}

/* Runs a transaction that must commit; returns its result array. */
static json_t *
run(struct ovsdb_db *db, const char *ops_text)
{
    json_t *ops = J(ops_text);
    json_t *result = NULL;
    json_t *err = ovsdb_txn_local(db, ops, &result);
    json_decref(ops);
    if (err) {
        char *s = json_dumps(err, 0);
        fail_msg("transaction failed: %s", s);
    }
    assert_non_null(result);
    return result;
}

/* The UUID that insert number 'i' of 'result' created. */
static struct ovsdb_uuid
uuid_of(const json_t *result, size_t i)
{
    struct ovsdb_uuid u;
    json_t *pair = json_object_get(json_array_get(result, i), "uuid");
    assert_non_null(pair);
    assert_true(ovsdb_uuid_from_string(&u,
                    json_string_value(json_array_get(pair, 1))));
    return u;
}

static void
assert_uuid_equal(const struct ovsdb_uuid *a, const struct ovsdb_uuid *b)
{
    assert_memory_equal(a->b, b->b, sizeof a->b);
}

/* Checks that 'm' holds exactly the 'n' pairs given as key, value. */
static void
expect_smap(const struct cfg_smap *m, size_t n, ...)
{
    va_list args;
    assert_int_equal(m->n, n);
    va_start(args, n);
    for (size_t i = 0; i < n; i++) {
        const char *k = va_arg(args, const char *);
        const char *v = va_arg(args, const char *);
        const char *got = cfg_smap_get(m, k);
        if (!got) {
            fail_msg("key %s missing", k);
        }
        assert_string_equal(got, v);
    }
    va_end(args);
}

static const struct cfg_bridge *
find_bridge(const struct cfg *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        if (!strcmp(cfg->bridges[i].name, name)) {
            return &cfg->bridges[i];
        }
    }
    fail_msg("no bridge %s", name);
    return NULL;
}

static const struct cfg_port *
find_port(const struct cfg_bridge *br, const char *name)
{
    for (size_t i = 0; i < br->n_ports; i++) {
        if (!strcmp(br->ports[i].name, name)) {
            return &br->ports[i];
        }
    }
    fail_msg("no port %s in %s", name, br->name);
    return NULL;
}

static const struct cfg_iface *
port_iface(const struct cfg_port *p, const char *name)
{
    for (size_t i = 0; i < p->n_ifaces; i++) {
        if (!strcmp(p->ifaces[i].name, name)) {
            return &p->ifaces[i];
        }
    }
    fail_msg("no interface %s in port %s", name, p->name);
    return NULL;
}

/* The configuration of most tests: two bridges.
 *   br0 (netdev, secure, a controller, netflow):
 *     port br0 {iface br0 internal}
 *     port eth1 {iface eth1 system-type "", tag 10}
 *     port bond0 {ifaces bond-a dpdk, bond-b dpdk; trunks 20,30,40}
 *     port patch-a {iface patch-a patch peer=patch-b}
 *   br1 (defaults, sflow, ipfix, two mirrors):
 *     port br1 {iface br1 internal}
 *     port patch-b {iface patch-b patch peer=patch-a}
 *     port tap7 {iface tap7 tap, ofport 3} */
static const char full_ops[] =
    "["
    /* 0 */ "{'op':'insert','table':'Interface','uuid-name':'i_br0',"
    "  'row':{'name':'br0','type':'internal'}},"
    /* 1 */ "{'op':'insert','table':'Interface','uuid-name':'i_eth1',"
    "  'row':{'name':'eth1','type':'','options':['map',[['n_rxq','2']]],"
    "   'other_config':['map',[['a','1'],['b','two']]],"
    "   'ofport_request':5,'mtu_request':9000,"
    "   'mac':'02:00:00:00:00:01'}},"
    /* 2 */ "{'op':'insert','table':'Interface','uuid-name':'i_ba',"
    "  'row':{'name':'bond-a','type':'dpdk','options':['map',"
    "   [['dpdk-devargs','0000:00:04.0'],['n_rxq_desc','512']]]}},"
    /* 3 */ "{'op':'insert','table':'Interface','uuid-name':'i_bb',"
    "  'row':{'name':'bond-b','type':'dpdk','options':['map',"
    "   [['dpdk-devargs','0000:00:05.0']]],'ofport_request':65279}},"
    /* 4 */ "{'op':'insert','table':'Interface','uuid-name':'i_pa',"
    "  'row':{'name':'patch-a','type':'patch',"
    "   'options':['map',[['peer','patch-b']]]}},"
    /* 5 */ "{'op':'insert','table':'Interface','uuid-name':'i_br1',"
    "  'row':{'name':'br1','type':'internal'}},"
    /* 6 */ "{'op':'insert','table':'Interface','uuid-name':'i_pb',"
    "  'row':{'name':'patch-b','type':'patch',"
    "   'options':['map',[['peer','patch-a']]]}},"
    /* 7 */ "{'op':'insert','table':'Interface','uuid-name':'i_tap7',"
    "  'row':{'name':'tap7','type':'tap','ofport':3}},"
    /* 8 */ "{'op':'insert','table':'Port','uuid-name':'p_br0',"
    "  'row':{'name':'br0','interfaces':['named-uuid','i_br0']}},"
    /* 9 */ "{'op':'insert','table':'Port','uuid-name':'p_eth1',"
    "  'row':{'name':'eth1','interfaces':['named-uuid','i_eth1'],"
    "   'tag':10,'vlan_mode':'access'}},"
    /* 10 */ "{'op':'insert','table':'Port','uuid-name':'p_bond',"
    "  'row':{'name':'bond0','interfaces':['set',[['named-uuid','i_ba'],"
    "   ['named-uuid','i_bb']]],'trunks':['set',[40,20,30]],"
    "   'vlan_mode':'trunk'}},"
    /* 11 */ "{'op':'insert','table':'Port','uuid-name':'p_pa',"
    "  'row':{'name':'patch-a','interfaces':['named-uuid','i_pa']}},"
    /* 12 */ "{'op':'insert','table':'Port','uuid-name':'p_br1',"
    "  'row':{'name':'br1','interfaces':['named-uuid','i_br1']}},"
    /* 13 */ "{'op':'insert','table':'Port','uuid-name':'p_pb',"
    "  'row':{'name':'patch-b','interfaces':['named-uuid','i_pb']}},"
    /* 14 */ "{'op':'insert','table':'Port','uuid-name':'p_tap7',"
    "  'row':{'name':'tap7','interfaces':['named-uuid','i_tap7']}},"
    /* 15 */ "{'op':'insert','table':'Controller','uuid-name':'ctl',"
    "  'row':{'target':'tcp:127.0.0.1:6653'}},"
    /* 16 */ "{'op':'insert','table':'NetFlow','uuid-name':'nf',"
    "  'row':{'targets':['set',['127.0.0.1:5566']]}},"
    /* 17 */ "{'op':'insert','table':'sFlow','uuid-name':'sf',"
    "  'row':{'targets':'127.0.0.1:6343'}},"
    /* 18 */ "{'op':'insert','table':'IPFIX','uuid-name':'ipfix',"
    "  'row':{}},"
    /* 19 */ "{'op':'insert','table':'Mirror','uuid-name':'m0',"
    "  'row':{'name':'m0'}},"
    /* 20 */ "{'op':'insert','table':'Mirror','uuid-name':'m1',"
    "  'row':{'name':'m1'}},"
    /* 21 */ "{'op':'insert','table':'Bridge','uuid-name':'br0',"
    "  'row':{'name':'br0','datapath_type':'netdev','fail_mode':'secure',"
    "   'protocols':['set',['OpenFlow13','OpenFlow15']],"
    "   'other_config':['map',[['hwaddr','02:00:00:00:00:aa']]],"
    "   'controller':['named-uuid','ctl'],'netflow':['named-uuid','nf'],"
    "   'ports':['set',[['named-uuid','p_br0'],['named-uuid','p_eth1'],"
    "    ['named-uuid','p_bond'],['named-uuid','p_pa']]]}},"
    /* 22 */ "{'op':'insert','table':'Bridge','uuid-name':'br1',"
    "  'row':{'name':'br1','sflow':['named-uuid','sf'],"
    "   'ipfix':['named-uuid','ipfix'],"
    "   'mirrors':['set',[['named-uuid','m0'],['named-uuid','m1']]],"
    "   'ports':['set',[['named-uuid','p_br1'],['named-uuid','p_pb'],"
    "    ['named-uuid','p_tap7']]]}},"
    /* 23 */ "{'op':'insert','table':'Open_vSwitch','uuid-name':'root',"
    "  'row':{'next_cfg':7,'cur_cfg':6,"
    "   'other_config':['map',[['pmd-cpu-mask','0x6'],"
    "    ['dpdk-init','true'],['n-handler-threads','1']]],"
    "   'bridges':['set',[['named-uuid','br0'],['named-uuid','br1']]]}}"
    "]";

enum {
    R_I_BR0, R_I_ETH1, R_I_BA, R_I_BB, R_I_PA, R_I_BR1, R_I_PB, R_I_TAP7,
    R_P_BR0, R_P_ETH1, R_P_BOND, R_P_PA, R_P_BR1, R_P_PB, R_P_TAP7,
    R_CTL, R_NF, R_SF, R_IPFIX, R_M0, R_M1, R_BR0, R_BR1, R_ROOT,
};

static struct ovsdb_db *
full_db(json_t **resultp)
{
    struct ovsdb_db *db = vswitch_db();
    json_t *result = run(db, full_ops);
    if (resultp) {
        *resultp = result;
    } else {
        json_decref(result);
    }
    return db;
}

/* Checks an interface that has nothing but a name and type. */
static void
expect_plain_iface(const struct cfg_iface *ifc, const char *type)
{
    assert_string_equal(ifc->type, type);
    assert_int_equal(ifc->ofport_request, -1);
    assert_int_equal(ifc->ofport, -1);
    assert_int_equal(ifc->mtu_request, 0);
    assert_null(ifc->mac);
    assert_int_equal(ifc->other_config.n, 0);
}

static void
test_read_full(void **state)
{
    (void) state;
    json_t *res;
    struct ovsdb_db *db = full_db(&res);
    struct cfg cfg;

    assert_int_equal(cfg_read(db, &cfg), 0);
    assert_true(cfg.present);
    struct ovsdb_uuid u = uuid_of(res, R_ROOT);
    assert_uuid_equal(&cfg.root, &u);
    assert_int_equal(cfg.next_cfg, 7);
    assert_int_equal(cfg.cur_cfg, 6);
    expect_smap(&cfg.other_config, 3, "pmd-cpu-mask", "0x6",
                "dpdk-init", "true", "n-handler-threads", "1");
    assert_int_equal(cfg.n_bridges, 2);

    /* br0. */
    const struct cfg_bridge *br0 = find_bridge(&cfg, "br0");
    u = uuid_of(res, R_BR0);
    assert_uuid_equal(&br0->uuid, &u);
    assert_string_equal(br0->datapath_type, "netdev");
    assert_string_equal(br0->fail_mode, "secure");
    assert_int_equal(br0->protocols, (1u << 4) | (1u << 6));
    expect_smap(&br0->other_config, 1, "hwaddr", "02:00:00:00:00:aa");
    assert_int_equal(br0->n_controllers, 1);
    assert_int_equal(br0->n_mirrors, 0);
    assert_true(br0->has_netflow);
    assert_false(br0->has_sflow);
    assert_false(br0->has_ipfix);
    assert_int_equal(br0->n_ports, 4);

    const struct cfg_port *p = find_port(br0, "br0");
    u = uuid_of(res, R_P_BR0);
    assert_uuid_equal(&p->uuid, &u);
    assert_int_equal(p->tag, -1);
    assert_int_equal(p->n_trunks, 0);
    assert_null(p->trunks);
    assert_null(p->vlan_mode);
    assert_int_equal(p->n_ifaces, 1);
    assert_string_equal(p->ifaces[0].name, "br0");
    u = uuid_of(res, R_I_BR0);
    assert_uuid_equal(&p->ifaces[0].uuid, &u);
    expect_plain_iface(&p->ifaces[0], "internal");
    assert_int_equal(p->ifaces[0].options.n, 0);

    p = find_port(br0, "eth1");
    assert_int_equal(p->tag, 10);
    assert_string_equal(p->vlan_mode, "access");
    assert_int_equal(p->n_trunks, 0);
    assert_int_equal(p->n_ifaces, 1);
    const struct cfg_iface *ifc = &p->ifaces[0];
    u = uuid_of(res, R_I_ETH1);
    assert_uuid_equal(&ifc->uuid, &u);
    assert_string_equal(ifc->name, "eth1");
    assert_string_equal(ifc->type, "");
    expect_smap(&ifc->options, 1, "n_rxq", "2");
    expect_smap(&ifc->other_config, 2, "a", "1", "b", "two");
    assert_int_equal(ifc->ofport_request, 5);
    assert_int_equal(ifc->ofport, -1);
    assert_int_equal(ifc->mtu_request, 9000);
    assert_string_equal(ifc->mac, "02:00:00:00:00:01");

    p = find_port(br0, "bond0");
    u = uuid_of(res, R_P_BOND);
    assert_uuid_equal(&p->uuid, &u);
    assert_int_equal(p->tag, -1);
    assert_string_equal(p->vlan_mode, "trunk");
    assert_int_equal(p->n_trunks, 3);
    /* A set: sorted. */
    assert_int_equal(p->trunks[0], 20);
    assert_int_equal(p->trunks[1], 30);
    assert_int_equal(p->trunks[2], 40);
    assert_int_equal(p->n_ifaces, 2);
    ifc = port_iface(p, "bond-a");
    u = uuid_of(res, R_I_BA);
    assert_uuid_equal(&ifc->uuid, &u);
    assert_string_equal(ifc->type, "dpdk");
    expect_smap(&ifc->options, 2, "dpdk-devargs", "0000:00:04.0",
                "n_rxq_desc", "512");
    assert_int_equal(ifc->ofport_request, -1);
    ifc = port_iface(p, "bond-b");
    u = uuid_of(res, R_I_BB);
    assert_uuid_equal(&ifc->uuid, &u);
    assert_string_equal(ifc->type, "dpdk");
    expect_smap(&ifc->options, 1, "dpdk-devargs", "0000:00:05.0");
    assert_int_equal(ifc->ofport_request, 65279);
    /* Interfaces in the order of their UUIDs, as the set has them. */
    assert_true(memcmp(p->ifaces[0].uuid.b, p->ifaces[1].uuid.b, 16) < 0);

    p = find_port(br0, "patch-a");
    assert_int_equal(p->n_ifaces, 1);
    expect_plain_iface(&p->ifaces[0], "patch");
    expect_smap(&p->ifaces[0].options, 1, "peer", "patch-b");

    /* br1: every default. */
    const struct cfg_bridge *br1 = find_bridge(&cfg, "br1");
    u = uuid_of(res, R_BR1);
    assert_uuid_equal(&br1->uuid, &u);
    assert_string_equal(br1->datapath_type, "");
    assert_null(br1->fail_mode);
    assert_int_equal(br1->protocols, 0);
    assert_int_equal(br1->other_config.n, 0);
    assert_int_equal(br1->n_controllers, 0);
    assert_int_equal(br1->n_mirrors, 2);
    assert_false(br1->has_netflow);
    assert_true(br1->has_sflow);
    assert_true(br1->has_ipfix);
    assert_int_equal(br1->n_ports, 3);
    expect_plain_iface(&find_port(br1, "br1")->ifaces[0], "internal");
    p = find_port(br1, "patch-b");
    u = uuid_of(res, R_P_PB);
    assert_uuid_equal(&p->uuid, &u);
    expect_smap(&p->ifaces[0].options, 1, "peer", "patch-a");
    p = find_port(br1, "tap7");
    assert_int_equal(p->n_ifaces, 1);
    assert_string_equal(p->ifaces[0].type, "tap");
    assert_int_equal(p->ifaces[0].ofport, 3);
    assert_int_equal(p->ifaces[0].ofport_request, -1);
    u = uuid_of(res, R_I_TAP7);
    assert_uuid_equal(&p->ifaces[0].uuid, &u);

    /* Bridges and ports in UUID order too. */
    assert_true(memcmp(cfg.bridges[0].uuid.b, cfg.bridges[1].uuid.b, 16)
                < 0);
    for (size_t i = 0; i + 1 < br0->n_ports; i++) {
        assert_true(memcmp(br0->ports[i].uuid.b, br0->ports[i + 1].uuid.b,
                           16) < 0);
    }

    cfg_destroy(&cfg);
    assert_false(cfg.present);
    assert_null(cfg.bridges);
    assert_int_equal(cfg.n_bridges, 0);
    assert_int_equal(cfg.other_config.n, 0);
    cfg_destroy(&cfg);                  /* Zeroed: safe again. */
    json_decref(res);
    ovsdb_db_destroy(db);
}

static void
test_snapshot_outlives_db(void **state)
{
    (void) state;
    struct ovsdb_db *db = full_db(NULL);
    struct cfg cfg;
    assert_int_equal(cfg_read(db, &cfg), 0);

    /* Change the rows the snapshot came from, then drop the database:
     * the snapshot keeps its own copies (ASan checks the reads). */
    json_decref(run(db,
        "[{'op':'update','table':'Interface','where':[['name','==','eth1']],"
        "  'row':{'options':['map',[['n_rxq','8']]],'mac':['set',[]]}},"
        " {'op':'update','table':'Bridge','where':[['name','==','br0']],"
        "  'row':{'fail_mode':'standalone',"
        "   'other_config':['map',[]]}},"
        " {'op':'delete','table':'Port','where':[['name','==','tap7']]},"
        " {'op':'update','table':'Bridge','where':[['name','==','br1']],"
        "  'row':{'ports':['set',[]]}}]"));

    const struct cfg_bridge *br;
    const struct cfg_iface *ifc = cfg_find_iface(&cfg, "eth1", &br);
    assert_non_null(ifc);
    assert_string_equal(cfg_smap_get(&ifc->options, "n_rxq"), "2");
    assert_string_equal(ifc->mac, "02:00:00:00:00:01");
    assert_string_equal(br->fail_mode, "secure");
    assert_non_null(cfg_find_iface(&cfg, "tap7", NULL));

    /* A new read sees the change. */
    struct cfg cfg2;
    assert_int_equal(cfg_read(db, &cfg2), 0);
    assert_null(cfg_find_iface(&cfg2, "tap7", NULL));
    assert_int_equal(find_bridge(&cfg2, "br1")->n_ports, 0);
    ifc = cfg_find_iface(&cfg2, "eth1", &br);
    assert_non_null(ifc);
    assert_string_equal(cfg_smap_get(&ifc->options, "n_rxq"), "8");
    assert_null(ifc->mac);
    assert_string_equal(br->fail_mode, "standalone");
    assert_int_equal(br->other_config.n, 0);
    cfg_destroy(&cfg2);

    ovsdb_db_destroy(db);
    ifc = cfg_find_iface(&cfg, "bond-b", &br);
    assert_non_null(ifc);
    assert_string_equal(cfg_smap_get(&ifc->options, "dpdk-devargs"),
                        "0000:00:05.0");
    assert_string_equal(br->name, "br0");
    cfg_destroy(&cfg);
}

static void
test_removed_bridge_not_read(void **state)
{
    (void) state;
    json_t *res;
    struct ovsdb_db *db = full_db(&res);
    struct cfg cfg;
    char op[512];
    char uuid[OVSDB_UUID_LEN + 1];
    struct ovsdb_uuid br1 = uuid_of(res, R_BR1);
    ovsdb_uuid_format(&br1, uuid);

    /* Taking br1 out of Open_vSwitch.bridges takes its ports and
     * interfaces with it. */
    snprintf(op, sizeof op,
             "[{'op':'mutate','table':'Open_vSwitch','where':[],"
             "  'mutations':[['bridges','delete',['uuid','%s']]]}]", uuid);
    json_decref(run(db, op));
    assert_int_equal(cfg_read(db, &cfg), 0);
    assert_int_equal(cfg.n_bridges, 1);
    assert_string_equal(cfg.bridges[0].name, "br0");
    assert_null(cfg_find_iface(&cfg, "tap7", NULL));
    assert_null(cfg_find_iface(&cfg, "patch-b", NULL));
    assert_non_null(cfg_find_iface(&cfg, "patch-a", NULL));
    cfg_destroy(&cfg);

    /* A port taken out of its bridge. */
    struct ovsdb_uuid eth1 = uuid_of(res, R_P_ETH1);
    ovsdb_uuid_format(&eth1, uuid);
    snprintf(op, sizeof op,
             "[{'op':'mutate','table':'Bridge','where':[],"
             "  'mutations':[['ports','delete',['uuid','%s']]]}]", uuid);
    json_decref(run(db, op));
    assert_int_equal(cfg_read(db, &cfg), 0);
    assert_int_equal(cfg.bridges[0].n_ports, 3);
    assert_null(cfg_find_iface(&cfg, "eth1", NULL));
    cfg_destroy(&cfg);

    /* No bridges at all. */
    json_decref(run(db, "[{'op':'update','table':'Open_vSwitch','where':[],"
                        "  'row':{'bridges':['set',[]]}}]"));
    assert_int_equal(cfg_read(db, &cfg), 0);
    assert_true(cfg.present);
    assert_int_equal(cfg.n_bridges, 0);
    assert_int_equal(cfg.next_cfg, 7);
    cfg_destroy(&cfg);

    json_decref(res);
    ovsdb_db_destroy(db);
}

/* A database called Open_vSwitch where every table is a root, so rows
 * nothing references stay, and where most columns are missing. */
static const char roots_schema[] =
    "{\"name\": \"Open_vSwitch\", \"version\": \"1.0.0\", \"tables\": {"
    " \"Open_vSwitch\": {\"isRoot\": true, \"columns\": {"
    "   \"bridges\": {\"type\": {\"key\": {\"type\": \"uuid\", "
    "     \"refTable\": \"Bridge\"}, \"min\": 0, \"max\": \"unlimited\"}}}},"
    " \"Bridge\": {\"isRoot\": true, \"columns\": {"
    "   \"name\": {\"type\": \"string\"},"
    "   \"ports\": {\"type\": {\"key\": {\"type\": \"uuid\", "
    "     \"refTable\": \"Port\"}, \"min\": 0, \"max\": \"unlimited\"}}}},"
    " \"Port\": {\"isRoot\": true, \"columns\": {"
    "   \"name\": {\"type\": \"string\"},"
    "   \"interfaces\": {\"type\": {\"key\": {\"type\": \"uuid\", "
    "     \"refTable\": \"Interface\"}, \"min\": 0, \"max\": \"unlimited\"}}"
    "   }},"
    " \"Interface\": {\"isRoot\": true, \"columns\": {"
    "   \"name\": {\"type\": \"string\"}}}"
    "}}";

static void
test_unreachable_rows_not_read(void **state)
{
    (void) state;
    struct ovsdb_db *db = db_from_schema(roots_schema);
    json_decref(run(db,
        "[{'op':'insert','table':'Interface','uuid-name':'i1',"
        "  'row':{'name':'in-use'}},"
        " {'op':'insert','table':'Interface','row':{'name':'stray-iface'}},"
        " {'op':'insert','table':'Interface','uuid-name':'i3',"
        "  'row':{'name':'in-stray-port'}},"
        " {'op':'insert','table':'Interface','uuid-name':'i4',"
        "  'row':{'name':'in-stray-bridge'}},"
        " {'op':'insert','table':'Port','uuid-name':'p1',"
        "  'row':{'name':'p1','interfaces':['named-uuid','i1']}},"
        " {'op':'insert','table':'Port',"
        "  'row':{'name':'stray-port','interfaces':['named-uuid','i3']}},"
        " {'op':'insert','table':'Port','uuid-name':'p4',"
        "  'row':{'name':'p4','interfaces':['named-uuid','i4']}},"
        " {'op':'insert','table':'Bridge','uuid-name':'b1',"
        "  'row':{'name':'br0','ports':['named-uuid','p1']}},"
        " {'op':'insert','table':'Bridge',"
        "  'row':{'name':'stray-br','ports':['named-uuid','p4']}},"
        " {'op':'insert','table':'Open_vSwitch',"
        "  'row':{'bridges':['named-uuid','b1']}}]"));
    assert_int_equal(ovsdb_table_n_rows(ovsdb_db_find_table(db, "Bridge")),
                     2);

    struct cfg cfg;
    assert_int_equal(cfg_read(db, &cfg), 0);
    assert_true(cfg.present);
    assert_int_equal(cfg.n_bridges, 1);
    const struct cfg_bridge *br = &cfg.bridges[0];
    assert_string_equal(br->name, "br0");
    assert_int_equal(br->n_ports, 1);
    assert_string_equal(br->ports[0].name, "p1");
    assert_int_equal(br->ports[0].n_ifaces, 1);
    assert_non_null(cfg_find_iface(&cfg, "in-use", NULL));
    assert_null(cfg_find_iface(&cfg, "stray-iface", NULL));
    assert_null(cfg_find_iface(&cfg, "in-stray-port", NULL));
    assert_null(cfg_find_iface(&cfg, "in-stray-bridge", NULL));

    /* Missing columns read as their empty values. */
    assert_int_equal(cfg.next_cfg, 0);
    assert_int_equal(cfg.cur_cfg, 0);
    assert_int_equal(cfg.other_config.n, 0);
    assert_string_equal(br->datapath_type, "");
    assert_null(br->fail_mode);
    assert_int_equal(br->other_config.n, 0);
    assert_int_equal(br->n_controllers, 0);
    assert_int_equal(br->n_mirrors, 0);
    assert_false(br->has_netflow || br->has_sflow || br->has_ipfix);
    const struct cfg_port *p = &br->ports[0];
    assert_int_equal(p->tag, -1);
    assert_int_equal(p->n_trunks, 0);
    assert_null(p->vlan_mode);
    expect_plain_iface(&p->ifaces[0], "");
    assert_int_equal(p->ifaces[0].options.n, 0);

    cfg_destroy(&cfg);
    ovsdb_db_destroy(db);
}

static void
test_no_root_row(void **state)
{
    (void) state;
    struct ovsdb_db *db = vswitch_db();
    struct cfg cfg;

    memset(&cfg, 0xa5, sizeof cfg);         /* cfg_read clears it. */
    assert_int_equal(cfg_read(db, &cfg), 0);
    assert_false(cfg.present);
    assert_int_equal(cfg.n_bridges, 0);
    assert_int_equal(cfg.other_config.n, 0);
    assert_true(ovsdb_uuid_is_zero(&cfg.root));
    cfg_destroy(&cfg);

    /* An empty Open_vSwitch row. */
    json_t *res = run(db, "[{'op':'insert','table':'Open_vSwitch',"
                          "  'row':{}}]");
    assert_int_equal(cfg_read(db, &cfg), 0);
    assert_true(cfg.present);
    struct ovsdb_uuid u = uuid_of(res, 0);
    assert_uuid_equal(&cfg.root, &u);
    assert_int_equal(cfg.n_bridges, 0);
    assert_int_equal(cfg.next_cfg, 0);
    assert_int_equal(cfg.cur_cfg, 0);
    cfg_destroy(&cfg);
    json_decref(res);
    ovsdb_db_destroy(db);
}

static void
test_other_schema(void **state)
{
    (void) state;
    static const char *const schemas[] = {
        /* Nothing alike. */
        "{\"name\": \"Other\", \"version\": \"1.0.0\", \"tables\": {"
        " \"Root\": {\"isRoot\": true, \"columns\": {"
        "   \"name\": {\"type\": \"string\"}}}}}",
        /* The root table alone. */
        "{\"name\": \"Open_vSwitch\", \"version\": \"1.0.0\", \"tables\": {"
        " \"Open_vSwitch\": {\"isRoot\": true, \"columns\": {"
        "   \"next_cfg\": {\"type\": \"integer\"}}}}}",
        /* All but Interface. */
        "{\"name\": \"Open_vSwitch\", \"version\": \"1.0.0\", \"tables\": {"
        " \"Open_vSwitch\": {\"isRoot\": true, \"columns\": {"
        "   \"next_cfg\": {\"type\": \"integer\"}}},"
        " \"Bridge\": {\"isRoot\": true, \"columns\": {"
        "   \"name\": {\"type\": \"string\"}}},"
        " \"Port\": {\"isRoot\": true, \"columns\": {"
        "   \"name\": {\"type\": \"string\"}}}}}",
        /* Every table, but a bridge's name is an integer (read as a
         * string, it crashed). */
        "{\"name\": \"Open_vSwitch\", \"version\": \"1.0.0\", \"tables\": {"
        " \"Open_vSwitch\": {\"isRoot\": true, \"columns\": {"
        "   \"next_cfg\": {\"type\": \"integer\"}}},"
        " \"Bridge\": {\"isRoot\": true, \"columns\": {"
        "   \"name\": {\"type\": \"integer\"}}},"
        " \"Port\": {\"isRoot\": true, \"columns\": {"
        "   \"name\": {\"type\": \"string\"}}},"
        " \"Interface\": {\"isRoot\": true, \"columns\": {"
        "   \"name\": {\"type\": \"string\"}}}}}",
        /* Open_vSwitch.bridges referring to another table. */
        "{\"name\": \"Open_vSwitch\", \"version\": \"1.0.0\", \"tables\": {"
        " \"Open_vSwitch\": {\"isRoot\": true, \"columns\": {"
        "   \"next_cfg\": {\"type\": \"integer\"},"
        "   \"bridges\": {\"type\": {\"key\": {\"type\": \"uuid\","
        "     \"refTable\": \"Port\"}, \"min\": 0, \"max\": \"unlimited\"}}}},"
        " \"Bridge\": {\"isRoot\": true, \"columns\": {"
        "   \"name\": {\"type\": \"string\"}}},"
        " \"Port\": {\"isRoot\": true, \"columns\": {"
        "   \"name\": {\"type\": \"string\"}}},"
        " \"Interface\": {\"isRoot\": true, \"columns\": {"
        "   \"name\": {\"type\": \"string\"}}}}}",
    };
    for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++) {
        struct ovsdb_db *db = db_from_schema(schemas[i]);
        if (i > 0) {
            json_decref(run(db, "[{'op':'insert','table':'Open_vSwitch',"
                                "  'row':{'next_cfg':3}}]"));
        }
        if (i == 3) {
            json_decref(run(db, "[{'op':'insert','table':'Bridge',"
                                "  'row':{'name':5}}]"));
        }
        struct cfg cfg;
        memset(&cfg, 0xa5, sizeof cfg);
        assert_int_equal(cfg_read(db, &cfg), -EINVAL);
        assert_false(cfg.present);
        assert_int_equal(cfg.n_bridges, 0);
        assert_null(cfg.bridges);
        cfg_destroy(&cfg);                  /* Safe after a failure. */
        ovsdb_db_destroy(db);
    }
}

static void
test_smap_get_uint(void **state)
{
    (void) state;
    char *keys[] = {
        "zero", "one", "ten", "max16", "over16", "word", "neg", "empty",
        "mixed", "dot", "huge", "u64max", "u64over", "negzero", "space",
    };
    char *values[] = {
        "0", "1", "10", "65535", "65536", "lots", "-1", "",
        "12abc", "1.0", "99999999999999999999", "18446744073709551615",
        "18446744073709551616", "-0", "5 ",
    };
    struct cfg_smap m = { sizeof keys / sizeof keys[0], keys, values };
    uint64_t v;

    /* Absent: the default, whatever the range. */
    v = 1234;
    assert_int_equal(cfg_smap_get_uint(&m, "absent", 77, 1, 10, &v), 0);
    assert_int_equal(v, 77);
    assert_int_equal(cfg_smap_get_uint(&m, "Zero", 0, 0, 10, &v), 0);
    assert_int_equal(v, 0);             /* Keys are case-sensitive. */

    assert_int_equal(cfg_smap_get_uint(&m, "zero", 5, 0, 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(cfg_smap_get_uint(&m, "one", 5, 0, 10, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(cfg_smap_get_uint(&m, "ten", 5, 0, 10, &v), 0);
    assert_int_equal(v, 10);
    assert_int_equal(cfg_smap_get_uint(&m, "max16", 5, 0, 65535, &v), 0);
    assert_int_equal(v, 65535);
    assert_int_equal(cfg_smap_get_uint(&m, "u64max", 5, 0, UINT64_MAX, &v),
                     0);
    assert_true(v == UINT64_MAX);

    /* Out of range: -EINVAL and the default. */
    v = 1234;
    assert_int_equal(cfg_smap_get_uint(&m, "zero", 5, 1, 10, &v), -EINVAL);
    assert_int_equal(v, 5);
    assert_int_equal(cfg_smap_get_uint(&m, "ten", 5, 0, 9, &v), -EINVAL);
    assert_int_equal(v, 5);
    assert_int_equal(cfg_smap_get_uint(&m, "ten", 5, 11, 20, &v), -EINVAL);
    assert_int_equal(cfg_smap_get_uint(&m, "over16", 5, 0, 65535, &v),
                     -EINVAL);
    assert_int_equal(v, 5);
    /* Bounds are inclusive. */
    assert_int_equal(cfg_smap_get_uint(&m, "ten", 5, 10, 10, &v), 0);
    assert_int_equal(v, 10);

    /* Not numbers. */
    static const char *const bad[] = {
        "word", "neg", "empty", "mixed", "dot", "huge", "u64over",
        "negzero", "space",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 1234;
        if (cfg_smap_get_uint(&m, bad[i], 3, 0, UINT64_MAX, &v) != -EINVAL) {
            fail_msg("%s=%s accepted as %llu", bad[i],
                     cfg_smap_get(&m, bad[i]), (unsigned long long) v);
        }
        assert_int_equal(v, 3);
    }
}

/* dpdk-socket-mem: decimal megabytes per node, summed.  "-1,2" was 1 MB
 * (strtoul took -1 as ULONG_MAX and the sum wrapped), "5," was 5. */
static void
test_parse_socket_mem(void **state)
{
    (void) state;
    static const struct {
        const char *s;
        unsigned int mb;        /* 0: refused. */
    } cases[] = {
        { "1024", 1024 }, { "1024,0", 1024 }, { "512,512", 1024 },
        { "0,0,64", 64 }, { "010", 10 }, { "1048576", 1048576 },
        { "-1,2", 0 }, { "+5", 0 }, { " 5", 0 }, { "5 ", 0 }, { "", 0 },
        { "0", 0 }, { "0,0", 0 }, { "5,", 0 }, { ",5", 0 }, { "5,,5", 0 },
        { "1048577", 0 }, { "1048576,1", 0 }, { "0x10", 0 },
        { "18446744073709551615,2", 0 }, { "1k", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned int mb = 7;
        bool ok = cfg_parse_socket_mem(cases[i].s, &mb);
        if (ok != (cases[i].mb != 0) || (ok && mb != cases[i].mb)) {
            fail_msg("\"%s\": %s %u, want %u", cases[i].s,
                     ok ? "took" : "refused", mb, cases[i].mb);
        }
        if (!ok) {
            assert_int_equal(mb, 7);
        }
    }
}

static void
test_smap_get_uint_decimal(void **state)
{
    (void) state;
    /* "An unsigned decimal option": no octal or hex reading. */
    char *keys[] = { "octal", "hex", "lead0" };
    char *values[] = { "010", "0x10", "08" };
    struct cfg_smap m = { 3, keys, values };
    uint64_t v;

    assert_int_equal(cfg_smap_get_uint(&m, "octal", 0, 0, 100, &v), 0);
    assert_int_equal(v, 10);
    assert_int_equal(cfg_smap_get_uint(&m, "lead0", 0, 0, 100, &v), 0);
    assert_int_equal(v, 8);
    assert_int_equal(cfg_smap_get_uint(&m, "hex", 0, 0, 100, &v), -EINVAL);
}

static void
test_smap_get(void **state)
{
    (void) state;
    char *keys[] = { "a", "b", "" };
    char *values[] = { "1", "", "empty-key" };
    struct cfg_smap m = { 3, keys, values };
    struct cfg_smap none = { 0, NULL, NULL };

    assert_string_equal(cfg_smap_get(&m, "a"), "1");
    assert_string_equal(cfg_smap_get(&m, "b"), "");
    assert_string_equal(cfg_smap_get(&m, ""), "empty-key");
    assert_null(cfg_smap_get(&m, "A"));
    assert_null(cfg_smap_get(&m, "ab"));
    assert_null(cfg_smap_get(&none, "a"));
}

static void
test_find_iface(void **state)
{
    (void) state;
    struct ovsdb_db *db = full_db(NULL);
    struct cfg cfg;
    assert_int_equal(cfg_read(db, &cfg), 0);

    static const struct { const char *iface, *bridge, *port; } want[] = {
        { "br0", "br0", "br0" },
        { "eth1", "br0", "eth1" },
        { "bond-a", "br0", "bond0" },
        { "bond-b", "br0", "bond0" },
        { "patch-a", "br0", "patch-a" },
        { "br1", "br1", "br1" },
        { "patch-b", "br1", "patch-b" },
        { "tap7", "br1", "tap7" },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct cfg_bridge *br = NULL;
        const struct cfg_iface *ifc = cfg_find_iface(&cfg, want[i].iface,
                                                     &br);
        assert_non_null(ifc);
        assert_string_equal(ifc->name, want[i].iface);
        assert_non_null(br);
        assert_string_equal(br->name, want[i].bridge);
        /* The very entry of the snapshot, not a copy. */
        const struct cfg_port *p = find_port(br, want[i].port);
        assert_ptr_equal(ifc, port_iface(p, want[i].iface));
        /* NULL for the bridge is allowed. */
        assert_ptr_equal(cfg_find_iface(&cfg, want[i].iface, NULL), ifc);
    }

    /* Absent: NULL, and the bridge pointer untouched. */
    const struct cfg_bridge *sentinel = (const void *) &cfg;
    const struct cfg_bridge *br = sentinel;
    assert_null(cfg_find_iface(&cfg, "bond0", &br));   /* A port's name. */
    assert_null(cfg_find_iface(&cfg, "eth", &br));
    assert_null(cfg_find_iface(&cfg, "ETH1", &br));
    assert_null(cfg_find_iface(&cfg, "", &br));
    assert_ptr_equal(br, sentinel);

    cfg_destroy(&cfg);
    struct cfg empty;
    memset(&empty, 0, sizeof empty);
    assert_null(cfg_find_iface(&empty, "eth1", NULL));
    ovsdb_db_destroy(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_full),
        cmocka_unit_test(test_snapshot_outlives_db),
        cmocka_unit_test(test_removed_bridge_not_read),
        cmocka_unit_test(test_unreachable_rows_not_read),
        cmocka_unit_test(test_no_root_row),
        cmocka_unit_test(test_other_schema),
        cmocka_unit_test(test_smap_get_uint),
        cmocka_unit_test(test_smap_get_uint_decimal),
        cmocka_unit_test(test_parse_socket_mem),
        cmocka_unit_test(test_smap_get),
        cmocka_unit_test(test_find_iface),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
