/* actions: the datapath action list format and its executor.
 *
 * An action list is a packed sequence of actions, each starting with a
 * struct dp_action header whose 'len' is the whole action's size in bytes
 * (header included, a multiple of 4).  An empty list drops the packet.
 * Actions so far:
 *   DP_ACTION_OUTPUT  struct dp_action_output: send to datapath port
 *                     'port_no'.  Outputs are buffered per tx port and
 *                     flushed once per PMD iteration; all but the last
 *                     output of a list share the mbuf by reference count
 *                     (no copy, since nothing rewrites packets yet).
 * The datapath issue adds set-field, VLAN push/pop, userspace and
 * recirculate; the executor is the one place that interprets the list. */
#ifndef SLUICE_ACTIONS_H
#define SLUICE_ACTIONS_H

#include <stddef.h>
#include <stdint.h>

struct rte_mbuf;
struct tx_ctx;
struct dstr;

enum dp_action_type {
    DP_ACTION_OUTPUT = 1,
};

struct dp_action {
    uint16_t type;
    uint16_t len;
};

struct dp_action_output {
    struct dp_action hdr;
    uint32_t port_no;
};

struct dp_actions {
    uint32_t size;              /* Bytes in 'data'. */
    uint8_t data[];             /* Packed actions. */
};

#define DP_ACTIONS_FOR_EACH(A, ACTS)                                        \
    for (const struct dp_action *A = (const void *) (ACTS)->data;           \
         (const uint8_t *) A < (ACTS)->data + (ACTS)->size;                 \
         A = (const void *) ((const uint8_t *) A + A->len))

/* Builds a list.  Returns NULL on allocation failure.  Free with free(). */
struct dp_actions *dp_actions_new(void);
int dp_actions_add_output(struct dp_actions **, uint32_t port_no);

/* Checks a list that came from outside the executor.  Returns 0 or
 * -EINVAL. */
int dp_actions_validate(const struct dp_actions *);

/* Does 'acts' output to 'port_no'? */
int dp_actions_outputs_to(const struct dp_actions *, uint32_t port_no);

/* Appends a text form ("output:3,output:5" or "drop").  'port_name' maps
 * a port number to a name, or returns NULL to print the number. */
void dp_actions_format(const struct dp_actions *, struct dstr *,
                       const char *(*port_name)(uint32_t, void *),
                       void *aux);

/* Executes 'acts' on the 'n' packets of 'pkts', all of which take these
 * actions, using the sending thread's tx context.  Takes ownership of the
 * mbufs.  Returns the number of packets dropped by the list itself. */
uint32_t dp_actions_execute(struct tx_ctx *, struct rte_mbuf **pkts,
                            uint32_t n, const struct dp_actions *);

#endif
