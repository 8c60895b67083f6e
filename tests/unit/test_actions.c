/* Unit tests for actions: builders, text form, validation, and execution
 * on real mbufs (EAL without hugepages).  Outputs are checked in the tx
 * context's per-port buffers before any flush; every test ends by
 * freeing them and checking that every mbuf came back to the pool, which
 * catches reference-count mistakes both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "pmd/actions.h"
#include "pmd/dp.h"
#include "pmd/dp_private.h"
#include "pmd/flow.h"
#include "pmd/flow_parse.h"
#include "pmd/packet.h"
#include "pmd/tx.h"
#include "src/util/dstr.h"

#define N_MBUFS 1023

static struct rte_mempool *pool;
static struct dp *dp;
static struct tx_ctx *tx;

/* What the hooks saw. */
struct seen {
    struct rte_mbuf *pkts[64];
    uint32_t cookies[64];
    uint32_t n;
    uint32_t recirc_id;
    uint32_t calls;
};
static struct seen seen_us, seen_rc;

static void
hook_userspace(struct dp_exec_ctx *ctx, struct rte_mbuf *m, uint32_t cookie)
{
    assert_ptr_equal(ctx->aux, &seen_us);
    seen_us.cookies[seen_us.n] = cookie;
    seen_us.pkts[seen_us.n++] = m;
    seen_us.calls++;
}

static void
hook_recirc(struct dp_exec_ctx *ctx, struct rte_mbuf **pkts, uint32_t n,
            uint32_t recirc_id)
{
    (void) ctx;
    for (uint32_t i = 0; i < n; i++) {
        seen_rc.pkts[seen_rc.n++] = pkts[i];
    }
    seen_rc.recirc_id = recirc_id;
    seen_rc.calls++;
}

static struct dp_exec_ctx
exec_ctx(void)
{
    struct dp_exec_ctx ctx = {
        .tx = tx,
        .userspace = hook_userspace,
        .recirc = hook_recirc,
        .aux = &seen_us,
    };
    return ctx;
}

static int
setup(void **state)
{
    (void) state;
    char *argv[] = {
        "test_actions", "--no-huge", "--no-shconf", "-m", "128",
        "--no-pci", "--log-level=error", "-l", "0", NULL,
    };
    if (rte_eal_init(9, argv) < 0) {
        return -1;
    }
    pool = rte_pktmbuf_pool_create("test_actions", N_MBUFS, 0,
                                   PACKET_PRIV_SIZE,
                                   RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    dp = calloc(1, sizeof *dp);
    tx = calloc(1, sizeof *tx);
    if (!pool || !dp || !tx) {
        return -1;
    }
    tx_ctx_init(tx, dp, 0);
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    free(tx);
    free(dp);
    rte_mempool_free(pool);
    rte_eal_cleanup();
    return 0;
}

/* Frees what the tx buffers and hooks hold; all mbufs must be back. */
static void
finish(void)
{
    for (uint32_t p = 0; p < 8; p++) {
        tx_forget_port(tx, p);
    }
    tx_flush(tx);
    rte_pktmbuf_free_bulk(seen_us.pkts, seen_us.n);
    rte_pktmbuf_free_bulk(seen_rc.pkts, seen_rc.n);
    memset(&seen_us, 0, sizeof seen_us);
    memset(&seen_rc, 0, sizeof seen_rc);
    assert_int_equal(rte_mempool_avail_count(pool), N_MBUFS);
}

static struct tx_buf *
txb(uint32_t port)
{
    return &tx->bufs[port];
}

static struct dp_actions *
parse(const char *s)
{
    struct dstr err = DSTR_INIT;
    struct dp_actions *acts;
    int error = dp_actions_parse(s, &acts, NULL, NULL, &err);
    if (error) {
        print_message("parse \"%s\": %s", s, dstr_cstr(&err));
    }
    assert_int_equal(error, 0);
    assert_int_equal(dp_actions_validate(acts), 0);
    dstr_free(&err);
    return acts;
}

/* An Ethernet/IPv4/TCP packet with correct checksums and its offsets in
 * the metadata; 'tag' adds an 802.1Q tag with VID 'tag'. */
static struct rte_mbuf *
make_tcp(uint32_t seed, int tag)
{
    struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
    assert_non_null(m);
    size_t l2 = tag ? 18 : 14, payload = 10 + seed % 7;
    size_t len = l2 + 20 + 20 + payload;
    uint8_t *p = (uint8_t *) rte_pktmbuf_append(m, (uint16_t) len);
    assert_non_null(p);
    for (size_t i = 0; i < len; i++) {
        p[i] = (uint8_t) (seed * 31 + i * 7);
    }
    if (tag) {
        p[12] = 0x81;
        p[13] = 0x00;
        p[14] = (uint8_t) (tag >> 8);
        p[15] = (uint8_t) tag;
    }
    p[l2 - 2] = 0x08;
    p[l2 - 1] = 0x00;
    struct rte_ipv4_hdr *ip = (void *) (p + l2);
    ip->version_ihl = 0x45;
    ip->total_length = rte_cpu_to_be_16((uint16_t) (40 + payload));
    ip->fragment_offset = 0;
    ip->next_proto_id = IPPROTO_TCP;
    ip->time_to_live = 64;
    ip->hdr_checksum = 0;
    struct rte_tcp_hdr *tcp = (void *) (ip + 1);
    tcp->data_off = 5 << 4;
    tcp->cksum = 0;
    tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
    ip->hdr_checksum = rte_ipv4_cksum(ip);

    struct packet_meta *md = packet_meta(m);
    memset(md, 0, sizeof *md);
    md->in_port = 1;
    md->hash = 0x1234;
    md->ofs.l2_5 = FLOW_OFS_NONE;
    md->ofs.l3 = (uint16_t) l2;
    md->ofs.l4 = (uint16_t) (l2 + 20);
    return m;
}

static void
make_batch(struct rte_mbuf **pkts, uint32_t n, int tag)
{
    for (uint32_t i = 0; i < n; i++) {
        pkts[i] = make_tcp(i, tag);
    }
}

static void
assert_checksums_ok(struct rte_mbuf *m)
{
    const struct packet_meta *md = packet_meta(m);
    uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
    struct rte_ipv4_hdr *ip = (void *) (p + md->ofs.l3);
    uint16_t stored = ip->hdr_checksum;
    ip->hdr_checksum = 0;
    assert_int_equal(rte_ipv4_cksum(ip), stored);
    ip->hdr_checksum = stored;
    struct rte_tcp_hdr *tcp = (void *) (p + md->ofs.l4);
    stored = tcp->cksum;
    tcp->cksum = 0;
    assert_int_equal(rte_ipv4_udptcp_cksum(ip, tcp), stored);
    tcp->cksum = stored;
}

static void
test_single_output(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[5];
    struct dp_actions *acts = parse("3");
    struct dp_exec_ctx ctx = exec_ctx();
    make_batch(pkts, 5, 0);
    assert_int_equal(dp_actions_execute(&ctx, pkts, 5, acts), 0);
    assert_int_equal(txb(3)->n, 5);
    for (int i = 0; i < 5; i++) {
        assert_ptr_equal(txb(3)->pkts[i], pkts[i]);
        assert_int_equal(rte_mbuf_refcnt_read(pkts[i]), 1);
    }
    free(acts);
    finish();
}

static void
test_multiple_outputs_share(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[4];
    struct dp_actions *acts = parse("1,2,3");
    struct dp_exec_ctx ctx = exec_ctx();
    make_batch(pkts, 4, 0);
    assert_int_equal(dp_actions_execute(&ctx, pkts, 4, acts), 0);
    for (uint32_t port = 1; port <= 3; port++) {
        assert_int_equal(txb(port)->n, 4);
        for (int i = 0; i < 4; i++) {
            assert_ptr_equal(txb(port)->pkts[i], pkts[i]);
        }
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(rte_mbuf_refcnt_read(pkts[i]), 3);
    }
    /* Hooks in the middle get copies; outputs still share. */
    free(acts);
    finish();
    acts = parse("1,userspace(pid=0,cookie=9),2");
    make_batch(pkts, 4, 0);
    assert_int_equal(dp_actions_execute(&ctx, pkts, 4, acts), 0);
    assert_int_equal(seen_us.n, 4);
    for (int i = 0; i < 4; i++) {
        assert_ptr_equal(txb(1)->pkts[i], pkts[i]);
        assert_ptr_equal(txb(2)->pkts[i], pkts[i]);
        assert_int_equal(rte_mbuf_refcnt_read(pkts[i]), 2);
        assert_ptr_not_equal(seen_us.pkts[i], pkts[i]);
        assert_int_equal(rte_mbuf_refcnt_read(seen_us.pkts[i]), 1);
        assert_int_equal(seen_us.cookies[i], 9);
        assert_int_equal(rte_pktmbuf_pkt_len(seen_us.pkts[i]),
                         rte_pktmbuf_pkt_len(pkts[i]));
        assert_memory_equal(rte_pktmbuf_mtod(seen_us.pkts[i], void *),
                            rte_pktmbuf_mtod(pkts[i], void *),
                            rte_pktmbuf_pkt_len(pkts[i]));
    }
    free(acts);
    finish();
}

static void
test_output_set_output_copies(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[6];
    uint8_t orig[6][128];
    struct dp_actions *acts =
        parse("1,set(eth(dst=02:00:00:00:00:01)),2");
    struct dp_exec_ctx ctx = exec_ctx();
    make_batch(pkts, 6, 0);
    for (int i = 0; i < 6; i++) {
        memcpy(orig[i], rte_pktmbuf_mtod(pkts[i], void *),
               rte_pktmbuf_pkt_len(pkts[i]));
    }
    assert_int_equal(dp_actions_execute(&ctx, pkts, 6, acts), 0);
    assert_int_equal(txb(1)->n, 6);
    assert_int_equal(txb(2)->n, 6);
    for (int i = 0; i < 6; i++) {
        struct rte_mbuf *c = txb(1)->pkts[i], *m = txb(2)->pkts[i];
        uint32_t len = rte_pktmbuf_pkt_len(pkts[i]);
        assert_ptr_equal(m, pkts[i]);
        assert_ptr_not_equal(c, m);
        assert_int_equal(rte_mbuf_refcnt_read(c), 1);
        assert_int_equal(rte_mbuf_refcnt_read(m), 1);
        /* The copy has the old bytes and the metadata. */
        assert_int_equal(rte_pktmbuf_pkt_len(c), len);
        assert_memory_equal(rte_pktmbuf_mtod(c, void *), orig[i], len);
        assert_int_equal(packet_meta(c)->in_port, 1);
        assert_int_equal(packet_meta(c)->ofs.l4, 34);
        assert_true(rte_pktmbuf_headroom(c) >= 4);
        /* The original was rewritten. */
        uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
        assert_memory_equal(p, "\x02\x00\x00\x00\x00\x01", 6);
        assert_memory_equal(p + 6, orig[i] + 6, len - 6);
        assert_int_equal(packet_meta(m)->hash, 0);
    }
    free(acts);
    finish();

    /* A final hook counts as a change: the output before it copies. */
    acts = parse("1,recirc(0x5)");
    make_batch(pkts, 3, 0);
    assert_int_equal(dp_actions_execute(&ctx, pkts, 3, acts), 0);
    assert_int_equal(seen_rc.calls, 1);
    assert_int_equal(seen_rc.n, 3);
    assert_int_equal(seen_rc.recirc_id, 5);
    for (int i = 0; i < 3; i++) {
        assert_ptr_equal(seen_rc.pkts[i], pkts[i]);
        assert_int_equal(packet_meta(pkts[i])->recirc_id, 5);
        assert_int_equal(rte_mbuf_refcnt_read(pkts[i]), 1);
        assert_ptr_not_equal(txb(1)->pkts[i], pkts[i]);
        assert_int_equal(packet_meta(txb(1)->pkts[i])->recirc_id, 0);
    }
    free(acts);
    finish();
}

static void
test_push_pop_vlan(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[3];
    uint8_t orig[3][128];
    struct dp_exec_ctx ctx = exec_ctx();
    struct dp_actions *acts = parse("push_vlan(vid=10,pcp=3),1");

    make_batch(pkts, 3, 0);
    for (int i = 0; i < 3; i++) {
        memcpy(orig[i], rte_pktmbuf_mtod(pkts[i], void *),
               rte_pktmbuf_pkt_len(pkts[i]));
    }
    assert_int_equal(dp_actions_execute(&ctx, pkts, 3, acts), 0);
    for (int i = 0; i < 3; i++) {
        struct rte_mbuf *m = txb(1)->pkts[i];
        uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
        uint32_t len = rte_pktmbuf_pkt_len(m);
        assert_ptr_equal(m, pkts[i]);
        assert_int_equal(m->data_len, len);
        assert_memory_equal(p, orig[i], 12);
        assert_memory_equal(p + 12, "\x81\x00\x60\x0a", 4);
        assert_memory_equal(p + 16, orig[i] + 12, len - 16);
        assert_int_equal(packet_meta(m)->ofs.l3, 18);
        assert_int_equal(packet_meta(m)->ofs.l4, 38);
        assert_int_equal(packet_meta(m)->ofs.l2_5, FLOW_OFS_NONE);
    }
    free(acts);
    tx->bufs[1].n = 0;          /* Keep them: pop the tag again. */

    acts = parse("pop_vlan,2");
    assert_int_equal(dp_actions_execute(&ctx, pkts, 3, acts), 0);
    for (int i = 0; i < 3; i++) {
        struct rte_mbuf *m = txb(2)->pkts[i];
        uint32_t len = rte_pktmbuf_pkt_len(m);
        assert_memory_equal(rte_pktmbuf_mtod(m, void *), orig[i], len);
        assert_int_equal(packet_meta(m)->ofs.l3, 14);
        assert_int_equal(packet_meta(m)->ofs.l4, 34);
    }
    free(acts);
    finish();

    /* Pop on an untagged packet changes nothing; push 802.1ad with DEI,
     * then rewrite at the moved offsets; output in between copies. */
    acts = parse("pop_vlan,push_vlan(tpid=0x88a8,vid=4095,pcp=7,cfi=1),1,"
                 "set(ipv4(src=10.1.2.3,ttl=9)),2");
    make_batch(pkts, 2, 0);
    for (int i = 0; i < 2; i++) {
        memcpy(orig[i], rte_pktmbuf_mtod(pkts[i], void *),
               rte_pktmbuf_pkt_len(pkts[i]));
    }
    assert_int_equal(dp_actions_execute(&ctx, pkts, 2, acts), 0);
    for (int i = 0; i < 2; i++) {
        struct rte_mbuf *c = txb(1)->pkts[i], *m = txb(2)->pkts[i];
        uint8_t *pc = rte_pktmbuf_mtod(c, uint8_t *);
        uint8_t *pm = rte_pktmbuf_mtod(m, uint8_t *);
        assert_memory_equal(pc + 12, "\x88\xa8\xff\xff", 4);
        assert_memory_equal(pm + 12, "\x88\xa8\xff\xff", 4);
        assert_memory_equal(pc + 16, orig[i] + 12, 14);
        assert_memory_equal(pc + 30, orig[i] + 26, 4);      /* Old src. */
        assert_memory_equal(pm + 30, "\x0a\x01\x02\x03", 4);
        assert_int_equal(pm[26], 9);
        assert_checksums_ok(m);
        assert_checksums_ok(c);
    }
    free(acts);
    finish();

    /* A tagged packet loses its tag. */
    acts = parse("pop_vlan,1");
    pkts[0] = make_tcp(7, 100);
    assert_int_equal(dp_actions_execute(&ctx, pkts, 1, acts), 0);
    struct rte_mbuf *m = txb(1)->pkts[0];
    assert_memory_equal(rte_pktmbuf_mtod_offset(m, void *, 12), "\x08\x00",
                        2);
    assert_int_equal(packet_meta(m)->ofs.l3, 14);
    assert_checksums_ok(m);
    free(acts);
    finish();
}

/* push_mpls on an IPv4 frame (untagged, then tagged), set(mpls()) on the
 * entry, pop_mpls back to the same bytes; pop_mpls on what is not MPLS
 * changes nothing. */
static void
test_push_set_pop_mpls(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[2];
    uint8_t orig[2][128];
    uint32_t olen[2];
    struct dp_exec_ctx ctx = exec_ctx();
    struct dp_actions *acts = parse(
        "push_mpls(label=1000,tc=5,ttl=64,bos=1,eth_type=0x8847),1,"
        "set(mpls(label=7,ttl=9)),2");

    make_batch(pkts, 1, 0);
    pkts[1] = make_tcp(7, 100);                 /* VLAN 7. */
    for (int i = 0; i < 2; i++) {
        olen[i] = rte_pktmbuf_pkt_len(pkts[i]);
        memcpy(orig[i], rte_pktmbuf_mtod(pkts[i], void *), olen[i]);
    }
    assert_int_equal(dp_actions_execute(&ctx, pkts, 2, acts), 0);
    for (int i = 0; i < 2; i++) {
        size_t at = i ? 18 : 14;
        struct rte_mbuf *c = txb(1)->pkts[i], *m = txb(2)->pkts[i];
        uint8_t *pc = rte_pktmbuf_mtod(c, uint8_t *);
        uint8_t *pm = rte_pktmbuf_mtod(m, uint8_t *);
        assert_int_equal(rte_pktmbuf_pkt_len(c), olen[i] + 4);
        assert_memory_equal(pc, orig[i], at - 2);
        assert_memory_equal(pc + at - 2, "\x88\x47", 2);
        /* label 1000 = 0x003e8, tc 5, bos 1, ttl 64. */
        assert_memory_equal(pc + at, "\x00\x3e\x8b\x40", 4);
        assert_memory_equal(pc + at + 4, orig[i] + at, olen[i] - at);
        assert_int_equal(packet_meta(c)->ofs.l2_5, at);
        /* label 7, tc and bos kept, ttl 9. */
        assert_memory_equal(pm + at, "\x00\x00\x7b\x09", 4);
        assert_memory_equal(pm + at + 4, orig[i] + at, olen[i] - at);
    }
    free(acts);
    /* Keep them: pop the entry again. */
    struct rte_mbuf *again[2] = { txb(2)->pkts[0], txb(2)->pkts[1] };
    tx->bufs[2].n = 0;

    acts = parse("pop_mpls(eth_type=0x800),set(ipv4(ttl=33)),3");
    assert_int_equal(dp_actions_execute(&ctx, again, 2, acts), 0);
    for (int i = 0; i < 2; i++) {
        size_t at = i ? 18 : 14;
        struct rte_mbuf *m = txb(3)->pkts[i];
        uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
        assert_int_equal(rte_pktmbuf_pkt_len(m), olen[i]);
        assert_memory_equal(p, orig[i], at + 8);
        /* The IPv4 header below was parsed again for the rewrite. */
        assert_int_equal(p[at + 8], 33);
        assert_memory_equal(p + at + 9, orig[i] + at + 9, 1);
        assert_memory_equal(p + at + 12, orig[i] + at + 12,
                            olen[i] - at - 12);
        assert_checksums_ok(m);
    }
    free(acts);
    finish();

    acts = parse("pop_mpls(eth_type=0x800),1");
    make_batch(pkts, 1, 0);
    olen[0] = rte_pktmbuf_pkt_len(pkts[0]);
    memcpy(orig[0], rte_pktmbuf_mtod(pkts[0], void *), olen[0]);
    assert_int_equal(dp_actions_execute(&ctx, pkts, 1, acts), 0);
    assert_int_equal(rte_pktmbuf_pkt_len(txb(1)->pkts[0]), olen[0]);
    assert_memory_equal(rte_pktmbuf_mtod(txb(1)->pkts[0], void *), orig[0],
                        olen[0]);
    free(acts);
    finish();
}

static void
test_set_ipv4_checksums(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[8];
    struct dp_exec_ctx ctx = exec_ctx();
    struct dp_actions *acts = parse(
        "set(ipv4(src=192.0.2.1,dst=198.51.100.0/255.255.255.0,"
        "tos=0xb8/0xfc,ttl=63)),set(tcp(src=1234,dst=0x5000/0xff00)),4");
    make_batch(pkts, 8, 0);
    assert_int_equal(dp_actions_execute(&ctx, pkts, 8, acts), 0);
    for (int i = 0; i < 8; i++) {
        struct rte_mbuf *m = txb(4)->pkts[i];
        uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
        struct rte_ipv4_hdr *ip = (void *) (p + 14);
        struct rte_tcp_hdr *tcp = (void *) (p + 34);
        assert_int_equal(rte_be_to_cpu_32(ip->src_addr), 0xc0000201);
        assert_int_equal(rte_be_to_cpu_32(ip->dst_addr) >> 8, 0xc63364);
        assert_int_equal(ip->type_of_service >> 2, 46);
        assert_int_equal(ip->time_to_live, 63);
        assert_int_equal(rte_be_to_cpu_16(tcp->src_port), 1234);
        assert_int_equal(rte_be_to_cpu_16(tcp->dst_port) >> 8, 0x50);
        assert_checksums_ok(m);
    }
    free(acts);
    finish();
}

/* Packets classified on metadata only carry FLOW_OFS_UNPARSED: the first
 * rewrite parses their headers. */
static void
test_set_on_unparsed_offsets(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[4];
    struct dp_exec_ctx ctx = exec_ctx();
    struct dp_actions *acts = parse("set(ipv4(ttl=7)),set(tcp(dst=99)),4");
    make_batch(pkts, 4, 0);
    for (int i = 0; i < 4; i++) {
        struct flow_offsets *ofs = &packet_meta(pkts[i])->ofs;
        ofs->l2_5 = FLOW_OFS_UNPARSED;
        ofs->l3 = FLOW_OFS_NONE;
        ofs->l4 = FLOW_OFS_NONE;
    }
    assert_int_equal(dp_actions_execute(&ctx, pkts, 4, acts), 0);
    for (int i = 0; i < 4; i++) {
        struct rte_mbuf *m = txb(4)->pkts[i];
        uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
        struct rte_ipv4_hdr *ip = (void *) (p + 14);
        struct rte_tcp_hdr *tcp = (void *) (p + 34);
        assert_int_equal(ip->time_to_live, 7);
        assert_int_equal(rte_be_to_cpu_16(tcp->dst_port), 99);
        assert_int_equal(packet_meta(m)->ofs.l3, 14);
        assert_checksums_ok(m);
    }
    free(acts);
    finish();
}

static void
test_hooks(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[5];
    struct dp_exec_ctx ctx = exec_ctx();

    /* Userspace alone: the hook gets the packets themselves. */
    struct dp_actions *acts = parse("userspace(pid=0,cookie=0x2a)");
    make_batch(pkts, 5, 0);
    assert_int_equal(dp_actions_execute(&ctx, pkts, 5, acts), 0);
    assert_int_equal(seen_us.n, 5);
    for (int i = 0; i < 5; i++) {
        assert_ptr_equal(seen_us.pkts[i], pkts[i]);
        assert_int_equal(seen_us.cookies[i], 42);
        assert_int_equal(rte_mbuf_refcnt_read(pkts[i]), 1);
    }
    free(acts);
    finish();

    /* Recirculate after a rewrite, with a copy to userspace first. */
    acts = parse("userspace(cookie=1),set(eth(src=02:00:00:00:00:02)),"
                 "recirc(7)");
    make_batch(pkts, 5, 0);
    assert_int_equal(dp_actions_execute(&ctx, pkts, 5, acts), 0);
    assert_int_equal(seen_us.n, 5);
    assert_int_equal(seen_rc.n, 5);
    assert_int_equal(seen_rc.calls, 1);
    assert_int_equal(seen_rc.recirc_id, 7);
    for (int i = 0; i < 5; i++) {
        assert_ptr_equal(seen_rc.pkts[i], pkts[i]);
        assert_ptr_not_equal(seen_us.pkts[i], pkts[i]);
        assert_memory_equal(rte_pktmbuf_mtod_offset(pkts[i], void *, 6),
                            "\x02\x00\x00\x00\x00\x02", 6);
        assert_memory_not_equal(
            rte_pktmbuf_mtod_offset(seen_us.pkts[i], void *, 6),
            "\x02\x00\x00\x00\x00\x02", 6);
        assert_int_equal(packet_meta(pkts[i])->recirc_id, 7);
    }
    free(acts);
    finish();

    /* No hooks: those packets are dropped and counted. */
    struct dp_exec_ctx bare = { .tx = tx };
    acts = parse("1,userspace(cookie=3)");
    make_batch(pkts, 5, 0);
    assert_int_equal(dp_actions_execute(&bare, pkts, 5, acts), 5);
    assert_int_equal(txb(1)->n, 5);
    free(acts);
    finish();
}

static void
test_drops(void **state)
{
    (void) state;
    struct rte_mbuf *pkts[40];
    struct dp_exec_ctx ctx = exec_ctx();

    make_batch(pkts, 4, 0);
    assert_int_equal(dp_actions_execute(&ctx, pkts, 4, NULL), 4);
    finish();

    struct dp_actions *acts = parse("drop");
    assert_int_equal(acts->size, 0);
    make_batch(pkts, 4, 0);
    assert_int_equal(dp_actions_execute(&ctx, pkts, 4, acts), 4);
    free(acts);
    finish();

    /* Rewrites that lead nowhere. */
    acts = parse("set(eth(src=02:00:00:00:00:02))");
    make_batch(pkts, 4, 0);
    assert_int_equal(dp_actions_execute(&ctx, pkts, 4, acts), 4);
    free(acts);
    finish();

    /* More than one batch, with a port that does not exist: full tx
     * bursts go to it and are freed. */
    acts = parse("1,set(ipv4(ttl=1)),2");
    make_batch(pkts, 40, 0);
    assert_int_equal(dp_actions_execute(&ctx, pkts, 40, acts), 0);
    assert_int_equal(txb(1)->n, 8);
    assert_int_equal(txb(2)->n, 8);
    free(acts);
    finish();
}

/* SCTP over two segments: linearized, CRC32c right; IPv6 with the UDP
 * checksum checked by DPDK's own function. */
static void
test_sctp_ipv6(void **state)
{
    (void) state;
    struct dp_exec_ctx ctx = exec_ctx();
    struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
    struct rte_mbuf *m2 = rte_pktmbuf_alloc(pool);
    uint8_t *p = (uint8_t *) rte_pktmbuf_append(m, 14 + 20 + 12 + 20);
    uint8_t *p2 = (uint8_t *) rte_pktmbuf_append(m2, 100);
    assert_non_null(p);
    assert_non_null(p2);
    memset(p, 0, 14 + 20 + 12 + 20);
    for (int i = 0; i < 100; i++) {
        p2[i] = (uint8_t) (i * 13);
    }
    p[12] = 0x08;
    struct rte_ipv4_hdr *ip = (void *) (p + 14);
    ip->version_ihl = 0x45;
    ip->total_length = rte_cpu_to_be_16(20 + 12 + 20 + 100);
    ip->time_to_live = 64;
    ip->next_proto_id = 132;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    uint32_t crc = rewrite_crc32c(rewrite_crc32c(0, p + 34, 32), p2, 100);
    for (int i = 0; i < 4; i++) {
        p[42 + i] = (uint8_t) (crc >> (8 * i));
    }
    assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
    struct packet_meta *md = packet_meta(m);
    memset(md, 0, sizeof *md);
    md->ofs = (struct flow_offsets) { FLOW_OFS_NONE, 14, 34 };

    struct dp_actions *acts = parse("set(sctp(src=5000,dst=6000)),1");
    assert_int_equal(dp_actions_execute(&ctx, &m, 1, acts), 0);
    assert_ptr_equal(txb(1)->pkts[0], m);
    assert_int_equal(m->nb_segs, 1);
    assert_int_equal(rte_pktmbuf_pkt_len(m), 14 + 20 + 12 + 20 + 100);
    p = rte_pktmbuf_mtod(m, uint8_t *);
    assert_memory_equal(p + 34, "\x13\x88\x17\x70", 4);
    uint8_t stored[4];
    memcpy(stored, p + 42, 4);
    memset(p + 42, 0, 4);
    crc = rewrite_crc32c(0, p + 34, 12 + 20 + 100);
    uint8_t want[4] = { (uint8_t) crc, (uint8_t) (crc >> 8),
                        (uint8_t) (crc >> 16), (uint8_t) (crc >> 24) };
    assert_memory_equal(stored, want, 4);
    free(acts);
    finish();

    /* IPv6/UDP: addresses, traffic class, label, hop limit. */
    m = rte_pktmbuf_alloc(pool);
    p = (uint8_t *) rte_pktmbuf_append(m, 14 + 40 + 8 + 30);
    assert_non_null(p);
    for (int i = 0; i < 14 + 40 + 8 + 30; i++) {
        p[i] = (uint8_t) (i * 5 + 1);
    }
    p[12] = 0x86;
    p[13] = 0xdd;
    struct rte_ipv6_hdr *ip6 = (void *) (p + 14);
    ip6->vtc_flow = rte_cpu_to_be_32(6u << 28 | 0x12u << 20 | 0xabcde);
    ip6->payload_len = rte_cpu_to_be_16(8 + 30);
    ip6->proto = 17;
    ip6->hop_limits = 64;
    struct rte_udp_hdr *udp = (void *) (ip6 + 1);
    udp->dgram_len = rte_cpu_to_be_16(8 + 30);
    udp->dgram_cksum = 0;
    udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, udp);
    md = packet_meta(m);
    memset(md, 0, sizeof *md);
    md->ofs = (struct flow_offsets) { FLOW_OFS_NONE, 14, 54 };
    acts = parse("set(ipv6(src=2001:db8::1,dst=2001:db8:ffff::/48,"
                 "tclass=0x2/0x3,label=0x54321,hlimit=3)),"
                 "set(udp(dst=4789)),2");
    assert_int_equal(dp_actions_execute(&ctx, &m, 1, acts), 0);
    assert_ptr_equal(txb(2)->pkts[0], m);
    assert_int_equal(rte_be_to_cpu_32(ip6->vtc_flow),
                     6u << 28 | 0x12u << 20 | 0x54321);
    assert_int_equal(ip6->hop_limits, 3);
    assert_memory_equal(ip6->src_addr,
                        "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01",
                        16);
    assert_memory_equal(ip6->dst_addr, "\x20\x01\x0d\xb8\xff\xff", 6);
    assert_int_equal(rte_be_to_cpu_16(udp->dst_port), 4789);
    uint16_t c = udp->dgram_cksum;
    udp->dgram_cksum = 0;
    assert_int_equal(rte_ipv6_udptcp_cksum(ip6, udp), c);
    free(acts);
    finish();
}

static const char *
port_name(uint32_t port_no, void *aux)
{
    (void) aux;
    return port_no == 1 ? "p1" : port_no == 2 ? "vhost-2"
           : port_no == 5 ? "0eth" : NULL;
}

static int
port_lookup(const char *name, uint32_t *port_no, void *aux)
{
    (void) aux;
    if (!strcmp(name, "p1")) {
        *port_no = 1;
    } else if (!strcmp(name, "vhost-2")) {
        *port_no = 2;
    } else if (!strcmp(name, "0eth")) {
        *port_no = 5;
    } else {
        return -ENOENT;
    }
    return 0;
}

static void
check_round_trip(const char *in, const char *want)
{
    struct dstr err = DSTR_INIT, out = DSTR_INIT;
    struct dp_actions *acts;
    int error = dp_actions_parse(in, &acts, port_lookup, NULL, &err);
    if (error) {
        print_message("parse \"%s\": %s", in, dstr_cstr(&err));
    }
    assert_int_equal(error, 0);
    assert_int_equal(dp_actions_validate(acts), 0);
    dp_actions_format(acts, &out, port_name, NULL);
    assert_string_equal(dstr_cstr(&out), want ? want : in);

    /* And back again, to the same list. */
    struct dp_actions *again;
    assert_int_equal(dp_actions_parse(dstr_cstr(&out), &again, port_lookup,
                                      NULL, &err), 0);
    assert_true(dp_actions_equal(acts, again));
    free(again);
    free(acts);
    dstr_free(&out);
    dstr_free(&err);
}

static void
test_format_parse(void **state)
{
    (void) state;
    static const char *const same[] = {
        "drop",
        "3",
        "p1,vhost-2,7,0eth",
        "set(eth(src=00:11:22:33:44:55,dst=66:77:88:99:aa:bb))",
        "set(eth(dst=01:00:00:00:00:00/01:00:00:00:00:00))",
        "set(ipv4(src=10.0.0.1,dst=192.168.0.0/255.255.0.0,tos=0xb8/0xfc,"
        "ttl=63))",
        "set(ipv4(tos=0x1/0x3))",
        "set(ipv6(src=2001:db8::1,dst=fe80::/ffff::,label=0x12345,"
        "tclass=0x1/0x3,hlimit=5))",
        "set(ipv6(label=0x1000/0xff000))",
        "set(tcp(src=80,dst=7936/0xff00))",
        "set(udp(dst=53)),set(sctp(src=1))",
        "push_vlan(vid=10,pcp=3)",
        "push_vlan(tpid=0x88a8,vid=4095,pcp=7,cfi=1),p1",
        "pop_vlan,p1",
        "push_mpls(label=0,tc=6,ttl=33,bos=1,eth_type=0x8847),p1",
        "push_mpls(label=1048575,tc=7,ttl=255,bos=0,eth_type=0x8848)",
        "pop_mpls(eth_type=0x800),p1",
        "set(mpls(label=5,tc=2,ttl=8,bos=1))",
        "set(mpls(label=5/0xff,ttl=0))",
        "userspace(pid=0,cookie=0x2a)",
        "recirc(0x1)",
        "p1,set(eth(dst=02:00:00:00:00:01)),push_vlan(vid=5,pcp=0),vhost-2,"
        "userspace(pid=0,cookie=0xffffffff),recirc(0xffffffff)",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        check_round_trip(same[i], NULL);
    }
    check_round_trip("output:3", "3");
    check_round_trip("output:p1", "p1");
    check_round_trip(" actions:1 , 2 ", "p1,vhost-2");
    check_round_trip(" drop ", "drop");
    check_round_trip("set(ipv4(src=10.0.0.0/8))",
                     "set(ipv4(src=10.0.0.0/255.0.0.0))");
    check_round_trip("set(ipv4(src=10.1.2.3/8))",
                     "set(ipv4(src=10.0.0.0/255.0.0.0))");
    check_round_trip("set(ipv6(dst=2001:db8::/32))",
                     "set(ipv6(dst=2001:db8::/ffff:ffff::))");
    check_round_trip("set( tcp( src = 80 ) )", "set(tcp(src=80))");
    check_round_trip("recirc(5)", "recirc(0x5)");
    check_round_trip("userspace(cookie=5)", "userspace(pid=0,cookie=0x5)");
    check_round_trip("push_vlan(vid=1)", "push_vlan(vid=1,pcp=0)");
    check_round_trip("set(ipv4(ttl=0x40,tos=0))",
                     "set(ipv4(tos=0,ttl=64))");

    static const char *const bad[] = {
        "", "  ", "set(eth())", "set(foo(x=1))", "set(ipv4(src=1.2.3))",
        "set(ipv4(src=1.2.3.4/33))", "set(ipv4(proto=6))",
        "set(eth(src=00:11:22:33:44))", "set(eth(src=00:11:22:33:44:55)",
        "push_vlan(vid=4096)", "push_vlan(tpid=0x800,vid=1)",
        "push_vlan(pcp=8)", "1,", ",1", "nosuchport", "drop,1", "1,drop",
        "recirc()", "recirc(0x100000000)", "set(tcp(src=65536))",
        "set(tcp(src=-1))", "set(ipv6(label=0x100000))",
        "userspace(cookie=1,cookie=2)", "userspace(foo=1)", "bogus(1)",
        "pop_vlan(", "1 2", "set(eth(src=-1:-1:-1:-1:-1:-1))",
        "set(eth(src=+1:2:3:4:5:6))", "set(eth(src=001:2:3:4:5:6))",
        "set(tcp(dst=+1))", "set(tcp(dst=08))", "set(tcp(dst=0x))",
        "set(tcp(dst=1 2))", "set(tcp(dst=70000))", "set(ipv4(ttl=-0))",
        "recirc(-1)", "push_vlan(vid=+1)",
        "push_mpls(label=1048576,eth_type=0x8847)", "push_mpls(label=1)",
        "push_mpls(eth_type=0x800)", "pop_mpls()", "pop_mpls(label=1)",
        "set(mpls())", "set(mpls(tc=8))", "set(mpls(label=1,label=2))",
        "set(mpls(exp=1))", "set(mpls(ttl=1/0))",
        /* Found by fuzz_actions_parse: every mask 0 printed as the
         * unparsable "set(ipv4())". */
        "set(ipv4(src=10.0.0.0/0))", "set(ipv4(src=10.0.0.0/\t0))",
        "set(tcp(dst=1/0))", "set(eth(src=02:00:00:00:00:01/0:0:0:0:0:0))",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct dstr err = DSTR_INIT;
        struct dp_actions *acts = (void *) 1;
        int error = dp_actions_parse(bad[i], &acts, port_lookup, NULL, &err);
        if (!error) {
            print_message("\"%s\" parsed\n", bad[i]);
        }
        assert_int_equal(error, -EINVAL);
        assert_null(acts);
        assert_true(err.len > 0);
        dstr_free(&err);
    }
}

/* Numbers and Ethernet addresses read the same in actions as in matches
 * (src/util/scan.h): set(tcp(dst=010)) once set port 8 (strtoull base 0)
 * where tcp(dst=010) matched port 10, and set(eth(src=-1:-1:-1:-1:-1:-1))
 * set ff:ff:ff:ff:ff:ff (sscanf "%x"). */
static void
test_numbers_as_in_matches(void **state)
{
    (void) state;
    static const struct {
        const char *match, *action, *formatted;
        uint16_t port;
    } cases[] = {
        { "tcp(dst=010)", "set(tcp(dst=010))", "set(tcp(dst=8))", 8 },
        { "tcp(dst=0x10)", "set(tcp(dst=0x10))", "set(tcp(dst=16))", 16 },
        { "tcp(dst=10)", "set(tcp(dst=10))", "set(tcp(dst=10))", 10 },
        { "tcp(dst=0)", "set(tcp(dst=0))", "set(tcp(dst=0))", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dstr err = DSTR_INIT, out = DSTR_INIT;
        struct flow f, m;
        char text[64];
        snprintf(text, sizeof text, "eth_type(0x0800),ipv4(),%s",
                 cases[i].match);
        assert_int_equal(flow_parse(text, &f, &m, NULL, NULL, &err), 0);
        assert_int_equal(ntohs(f.tp_dst), cases[i].port);

        struct dp_actions *acts = parse(cases[i].action);
        dp_actions_format(acts, &out, NULL, NULL);
        assert_string_equal(dstr_cstr(&out), cases[i].formatted);
        free(acts);
        dstr_free(&out);
        dstr_free(&err);
    }

    static const char *const bad_matches[] = {
        "eth(src=-1:-1:-1:-1:-1:-1)", "eth_type(0x0800),ipv4(),tcp(dst=08)",
        "eth_type(0x0800),ipv4(),tcp(dst=+1)",
        "eth_type(0x0800),ipv4(),tcp(dst=70000)",
    };
    for (size_t i = 0; i < sizeof bad_matches / sizeof bad_matches[0]; i++) {
        struct dstr err = DSTR_INIT;
        struct flow f, m;
        assert_int_equal(flow_parse(bad_matches[i], &f, &m, NULL, NULL,
                                    &err), -EINVAL);
        dstr_free(&err);
    }
}

static void
test_build_validate(void **state)
{
    (void) state;
    struct dp_actions *acts = dp_actions_new();
    struct rewrite_ipv4 k4 = { .src = 0x0100000a, .ttl = 5 };
    struct rewrite_ipv6 k6 = { .label = 0xffffffff, .hlimit = 9 };
    struct rewrite_ports kp = { .src = htons(0x5000) };
    struct rewrite_ports mp = { .src = htons(0xff00) };
    struct rewrite_eth ke = { .dst = { 2 } };
    assert_int_equal(dp_actions_add_output(&acts, 1), 0);
    assert_int_equal(dp_actions_add_set_eth(&acts, &ke, NULL), 0);
    assert_int_equal(dp_actions_add_set_ipv4(&acts, &k4, NULL), 0);
    assert_int_equal(dp_actions_add_set_ipv6(&acts, &k6, NULL), 0);
    assert_int_equal(dp_actions_add_set_tcp(&acts, &kp, &mp), 0);
    assert_int_equal(dp_actions_add_set_udp(&acts, &kp, NULL), 0);
    assert_int_equal(dp_actions_add_set_sctp(&acts, &kp, NULL), 0);
    assert_int_equal(dp_actions_add_push_vlan(&acts, 0x8100, 3 << 13 | 7),
                     0);
    assert_int_equal(dp_actions_add_pop_vlan(&acts), 0);
    assert_int_equal(dp_actions_add_userspace(&acts, 77), 0);
    assert_int_equal(dp_actions_add_recirc(&acts, 3), 0);
    assert_int_equal(dp_actions_add_push_mpls(&acts, 0x12345, 0x8848), 0);
    assert_int_equal(dp_actions_add_set_mpls(&acts, 0xffffffff, 0xff), 0);
    assert_int_equal(dp_actions_add_pop_mpls(&acts, 0x86dd), 0);
    assert_int_equal(dp_actions_add_output(&acts, 2), 0);
    assert_int_equal(dp_actions_validate(acts), 0);
    assert_int_equal(acts->size, 8 + 28 + 28 + 84 + 12 * 3 + 8 + 4 + 8 + 8
                                 + 12 + 12 + 8 + 8);
    assert_true(dp_actions_outputs_to(acts, 2));
    assert_false(dp_actions_outputs_to(acts, 3));

    struct dstr s = DSTR_INIT;
    dp_actions_format(acts, &s, NULL, NULL);
    assert_string_equal(dstr_cstr(&s),
        "1,set(eth(src=00:00:00:00:00:00,dst=02:00:00:00:00:00)),"
        "set(ipv4(src=10.0.0.1,dst=0.0.0.0,tos=0,ttl=5)),"
        "set(ipv6(src=::,dst=::,label=0xfffff,tclass=0,hlimit=9)),"
        "set(tcp(src=20480/0xff00)),set(udp(src=20480,dst=0)),"
        "set(sctp(src=20480,dst=0)),push_vlan(vid=7,pcp=3),pop_vlan,"
        "userspace(pid=0,cookie=0x4d),recirc(0x3),"
        "push_mpls(label=18,tc=1,ttl=69,bos=1,eth_type=0x8848),"
        "set(mpls(ttl=255)),pop_mpls(eth_type=0x86dd),2");
    dstr_free(&s);

    struct dp_actions *c = dp_actions_clone(acts);
    assert_true(dp_actions_equal(acts, c));
    c->data[4] ^= 1;
    assert_false(dp_actions_equal(acts, c));
    free(c);
    struct dp_actions empty = { 0 };
    assert_true(dp_actions_equal(NULL, &empty));

    /* Corruptions. */
    struct dp_action *a = (void *) acts->data;
    a->len = 12;
    assert_int_equal(dp_actions_validate(acts), -EINVAL);
    a->len = 6;
    assert_int_equal(dp_actions_validate(acts), -EINVAL);
    a->len = 8;
    a->type = 99;
    assert_int_equal(dp_actions_validate(acts), -EINVAL);
    a->type = DP_ACTION_OUTPUT;
    acts->size -= 4;
    assert_int_equal(dp_actions_validate(acts), -EINVAL);
    acts->size += 4;
    assert_int_equal(dp_actions_validate(acts), 0);

    struct dp_action_set_ipv6 *s6 =
        (void *) (acts->data + 8 + 28 + 28);
    assert_int_equal(s6->hdr.type, DP_ACTION_SET_IPV6);
    s6->mask.label = 0xffffffff;
    assert_int_equal(dp_actions_validate(acts), -EINVAL);
    free(acts);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_output),
        cmocka_unit_test(test_multiple_outputs_share),
        cmocka_unit_test(test_output_set_output_copies),
        cmocka_unit_test(test_push_pop_vlan),
        cmocka_unit_test(test_push_set_pop_mpls),
        cmocka_unit_test(test_set_ipv4_checksums),
        cmocka_unit_test(test_set_on_unparsed_offsets),
        cmocka_unit_test(test_hooks),
        cmocka_unit_test(test_drops),
        cmocka_unit_test(test_sctp_ipv6),
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test(test_numbers_as_in_matches),
        cmocka_unit_test(test_build_validate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
