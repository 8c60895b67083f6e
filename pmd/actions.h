/* actions: the datapath action list format, its text form and executor.
 *
 * An action list (struct dp_actions) is a packed sequence of actions, each
 * starting with a struct dp_action header whose 'len' is the whole
 * action's size in bytes (header included, a multiple of 4, so every
 * action is 4-byte aligned).  Fields are in network byte order unless
 * noted.  An empty list (or a NULL one) drops the packet; so does a list
 * whose actions end without sending it anywhere.
 *
 *   type          struct                 len  text form
 *   OUTPUT        dp_action_output         8  "3" or a port name
 *   SET_ETH       dp_action_set_eth       28  set(eth(src=M,dst=M))
 *   SET_IPV4      dp_action_set_ipv4      28  set(ipv4(src=A,dst=A,tos=X,
 *                                              ttl=N))
 *   SET_IPV6      dp_action_set_ipv6      84  set(ipv6(src=A,dst=A,label=X,
 *                                              tclass=X,hlimit=N))
 *   SET_TCP       dp_action_set_ports     12  set(tcp(src=N,dst=N))
 *   SET_UDP       dp_action_set_ports     12  set(udp(src=N,dst=N))
 *   SET_SCTP      dp_action_set_ports     12  set(sctp(src=N,dst=N))
 *   PUSH_VLAN     dp_action_push_vlan      8  push_vlan([tpid=0x88a8,]vid=N,
 *                                              pcp=N[,cfi=1])
 *   POP_VLAN      dp_action                4  pop_vlan
 *   PUSH_MPLS     dp_action_push_mpls     12  push_mpls(label=N,tc=N,ttl=N,
 *                                              bos=N,eth_type=0x8847)
 *   POP_MPLS      dp_action_pop_mpls       8  pop_mpls(eth_type=0x800)
 *   SET_MPLS      dp_action_set_mpls      12  set(mpls(label=N,tc=N,ttl=N,
 *                                              bos=N))
 *   USERSPACE     dp_action_userspace      8  userspace(pid=0,cookie=0xX)
 *   RECIRC        dp_action_recirc         8  recirc(0xX)
 *
 * Set actions carry a key and a mask of the same layout (struct rewrite_*
 * of rewrite.h): only the bits set in the mask change, to the key's bits
 * (Open vSwitch's masked set).  The text form lists the fields whose mask
 * is not zero, each as "field=value" or "field=value/mask" when partly
 * masked; DSCP alone is "tos=0xb8/0xfc", ECN alone "tos=0x1/0x3".
 * Checksums are updated as rewrite.h says.  PUSH_VLAN inserts an outer
 * tag (tpid 0x8100 or 0x88a8, 'tci' as on the wire: the "cfi" bit is the
 * wire's DEI bit) after the MAC addresses; POP_VLAN removes the outer tag
 * (a packet without one is unchanged).  PUSH_MPLS inserts a label stack
 * entry ('lse' as on the wire) after the Ethernet and VLAN headers and
 * sets the Ethertype before it to 'eth_type' (0x8847 or 0x8848); POP_MPLS
 * removes the top entry of an MPLS packet and sets the Ethertype to
 * 'eth_type' (others are unchanged); SET_MPLS rewrites the bits of the
 * top entry that its mask has (the text names the label, tc, ttl and bos
 * parts, "label=5/0xff" for part of one).  USERSPACE hands the packet to the
 * control thread with a 32-bit cookie; RECIRC sends it through the
 * pipeline again with a new recirculation id.  Outputs print as the port
 * name given by a callback, or else as the number; the list as the
 * actions separated by commas, "drop" for an empty one.  The parser reads
 * that form back, and also "output:PORT", "drop", IPv4/IPv6 masks as
 * prefix lengths ("src=10.0.0.0/8") and numbers in decimal or 0x hex.
 *
 * Execution (dp_actions_execute): packets in batches; every packet of a
 * batch takes the same list.  Outputs go to the sending thread's per-port
 * tx buffers.  A list that is a single output costs one tx enqueue for the
 * batch and nothing per packet.  Rewrites are applied per packet at the
 * header offsets in the packet metadata (packet_meta()->ofs, which push
 * and pop VLAN keep right; rewrites also reset packet_meta()->hash to 0).
 * The last action that takes the packet (output, userspace, recirc) gets
 * the mbuf itself.  An earlier output shares it by reference count when
 * no rewrite (set, push/pop VLAN or MPLS) and no final userspace/recirc follows,
 * and otherwise gets a copy (rte_pktmbuf_copy into the mbuf's own pool,
 * metadata included), so it never sees a later rewrite.  An earlier
 * userspace or recirc always gets a copy: the hooks own their packets
 * exclusively (reference count 1) and may change them. */
#ifndef SLUICE_ACTIONS_H
#define SLUICE_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmd/rewrite.h"

struct rte_mbuf;
struct tx_ctx;
struct dstr;

enum dp_action_type {
    DP_ACTION_OUTPUT = 1,
    DP_ACTION_SET_ETH,
    DP_ACTION_SET_IPV4,
    DP_ACTION_SET_IPV6,
    DP_ACTION_SET_TCP,
    DP_ACTION_SET_UDP,
    DP_ACTION_SET_SCTP,
    DP_ACTION_PUSH_VLAN,
    DP_ACTION_POP_VLAN,
    DP_ACTION_USERSPACE,
    DP_ACTION_RECIRC,
    DP_ACTION_PUSH_MPLS,
    DP_ACTION_POP_MPLS,
    DP_ACTION_SET_MPLS,
};

struct dp_action {
    uint16_t type;          /* DP_ACTION_*, host order. */
    uint16_t len;           /* Bytes, header included; host order. */
};

struct dp_action_output {
    struct dp_action hdr;
    uint32_t port_no;       /* Datapath port number, host order. */
};

struct dp_action_set_eth {
    struct dp_action hdr;
    struct rewrite_eth key, mask;
};

struct dp_action_set_ipv4 {
    struct dp_action hdr;
    struct rewrite_ipv4 key, mask;
};

struct dp_action_set_ipv6 {
    struct dp_action hdr;
    struct rewrite_ipv6 key, mask;
};

/* SET_TCP, SET_UDP, SET_SCTP. */
struct dp_action_set_ports {
    struct dp_action hdr;
    struct rewrite_ports key, mask;
};

struct dp_action_push_vlan {
    struct dp_action hdr;
    uint16_t tpid;          /* Network order: 0x8100 or 0x88a8. */
    uint16_t tci;           /* Network order: PCP(3) DEI(1) VID(12). */
};

struct dp_action_push_mpls {
    struct dp_action hdr;
    uint32_t lse;           /* Network order: label(20) tc(3) bos(1) ttl(8). */
    uint16_t eth_type;      /* Network order: 0x8847 or 0x8848. */
    uint16_t pad;
};

struct dp_action_pop_mpls {
    struct dp_action hdr;
    uint16_t eth_type;      /* Network order: what is below the entry. */
    uint16_t pad;
};

struct dp_action_set_mpls {
    struct dp_action hdr;
    uint32_t key, mask;     /* Network order, a whole label stack entry. */
};

struct dp_action_userspace {
    struct dp_action hdr;
    uint32_t cookie;        /* Host order; opaque to the datapath. */
};

struct dp_action_recirc {
    struct dp_action hdr;
    uint32_t recirc_id;     /* Host order. */
};

struct dp_actions {
    uint32_t size;              /* Bytes in 'data'. */
    uint8_t data[];             /* Packed actions. */
};

/* What a list does as a whole, for the PMD's fast path: the port of a
 * list that is one output, DP_FATE_DROP for an empty list (or none),
 * DP_FATE_OTHER for anything else. */
#define DP_FATE_DROP  (-1)
#define DP_FATE_OTHER (-2)
static inline int32_t
dp_actions_fate(const struct dp_actions *acts)
{
    if (!acts || !acts->size) {
        return DP_FATE_DROP;
    }
    const struct dp_action_output *o = (const void *) acts->data;
    if (acts->size == sizeof *o && o->hdr.type == DP_ACTION_OUTPUT
        && o->port_no <= INT32_MAX) {
        return (int32_t) o->port_no;
    }
    return DP_FATE_OTHER;
}

#define DP_ACTIONS_FOR_EACH(A, ACTS)                                        \
    for (const struct dp_action *A = (const void *) (ACTS)->data;           \
         (const uint8_t *) A < (ACTS)->data + (ACTS)->size;                 \
         A = (const void *) ((const uint8_t *) A + A->len))

/* Building.  dp_actions_new() returns an empty list (NULL on allocation
 * failure); free a list with free().  The dp_actions_add_*() functions
 * append one action, reallocating *actsp, and return 0 or -ENOMEM (the
 * list is then unchanged).  A NULL mask in a set means every field of the
 * key; keys are stored ANDed with their mask. */
struct dp_actions *dp_actions_new(void);
struct dp_actions *dp_actions_clone(const struct dp_actions *);
bool dp_actions_equal(const struct dp_actions *, const struct dp_actions *);
int dp_actions_add_output(struct dp_actions **, uint32_t port_no);
int dp_actions_add_set_eth(struct dp_actions **, const struct rewrite_eth *,
                           const struct rewrite_eth *mask);
int dp_actions_add_set_ipv4(struct dp_actions **,
                            const struct rewrite_ipv4 *,
                            const struct rewrite_ipv4 *mask);
int dp_actions_add_set_ipv6(struct dp_actions **,
                            const struct rewrite_ipv6 *,
                            const struct rewrite_ipv6 *mask);
int dp_actions_add_set_tcp(struct dp_actions **, const struct rewrite_ports *,
                           const struct rewrite_ports *mask);
int dp_actions_add_set_udp(struct dp_actions **, const struct rewrite_ports *,
                           const struct rewrite_ports *mask);
int dp_actions_add_set_sctp(struct dp_actions **,
                            const struct rewrite_ports *,
                            const struct rewrite_ports *mask);
/* 'tpid' and 'tci' in host order, e.g. (0x8100, pcp << 13 | vid). */
int dp_actions_add_push_vlan(struct dp_actions **, uint16_t tpid,
                             uint16_t tci);
int dp_actions_add_pop_vlan(struct dp_actions **);
/* 'lse' and 'eth_type' in host order. */
int dp_actions_add_push_mpls(struct dp_actions **, uint32_t lse,
                             uint16_t eth_type);
int dp_actions_add_pop_mpls(struct dp_actions **, uint16_t eth_type);
int dp_actions_add_set_mpls(struct dp_actions **, uint32_t lse,
                            uint32_t mask);
int dp_actions_add_userspace(struct dp_actions **, uint32_t cookie);
int dp_actions_add_recirc(struct dp_actions **, uint32_t recirc_id);

/* Checks a list that came from outside the builders: sizes, known types,
 * set masks within their fields (flow label: 20 bits), VLAN TPIDs.
 * Returns 0 or -EINVAL. */
int dp_actions_validate(const struct dp_actions *);

/* Does 'acts' output to 'port_no'? */
int dp_actions_outputs_to(const struct dp_actions *, uint32_t port_no);

/* Appends the text form.  'port_name' maps a port number to a name, or
 * returns NULL (or is NULL) to print the number. */
void dp_actions_format(const struct dp_actions *, struct dstr *,
                       const char *(*port_name)(uint32_t, void *),
                       void *aux);

/* Maps a port name to its number: 0, or -ENOENT. */
typedef int dp_actions_port_lookup(const char *name, uint32_t *port_no,
                                   void *aux);

/* Parses the text form into a new list in '*actsp' (free() it).  Plain
 * numbers are port numbers; other port names go through 'lookup' (may be
 * NULL).  Returns 0, or -EINVAL with a message in 'err' and *actsp
 * NULL. */
int dp_actions_parse(const char *, struct dp_actions **actsp,
                     dp_actions_port_lookup *lookup, void *aux,
                     struct dstr *err);

/* What executes a list: the sending thread's tx context and the PMD's (or
 * control thread's) hooks.  The hooks take ownership of the packets they
 * are given, which they own exclusively; a NULL hook drops them.  Packets
 * given to 'recirc' already carry 'recirc_id' in their metadata. */
struct dp_exec_ctx {
    struct tx_ctx *tx;
    void (*userspace)(struct dp_exec_ctx *, struct rte_mbuf *,
                      uint32_t cookie);
    void (*recirc)(struct dp_exec_ctx *, struct rte_mbuf **, uint32_t n,
                   uint32_t recirc_id);
    void *aux;                  /* For the hooks. */
};

/* Executes 'acts' on the 'n' packets of 'pkts', all of which take these
 * actions.  Takes ownership of the mbufs (the array itself is not
 * changed).  Returns the number of packets the list dropped: all of them
 * for a list that sends nothing, plus those lost to a failed copy or
 * VLAN push (no memory or headroom) or given to a NULL hook. */
uint32_t dp_actions_execute(struct dp_exec_ctx *, struct rte_mbuf **pkts,
                            uint32_t n, const struct dp_actions *);

#endif
