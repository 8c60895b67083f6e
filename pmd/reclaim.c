/* reclaim: deferred frees of what a PMD may still read. */
#include "pmd/reclaim.h"

#include <errno.h>
#include <stdlib.h>

struct reclaim_item {
    struct reclaim_item *next;
    uint64_t token;
    uint64_t cmd_seq;
    uint64_t since;
    size_t bytes;
    void (*fn)(void *arg);
    void *arg;
};

void
reclaim_init(struct reclaim_queue *q)
{
    *q = (struct reclaim_queue) { .head = NULL };
}

int
reclaim_defer(struct reclaim_queue *q, uint64_t token, uint64_t cmd_seq,
              uint64_t now, void (*fn)(void *arg), void *arg, size_t bytes)
{
    struct reclaim_item *it = malloc(sizeof *it);
    if (!it) {
        q->n_lost++;
        return -ENOMEM;
    }
    *it = (struct reclaim_item) {
        .token = token, .cmd_seq = cmd_seq, .since = now, .bytes = bytes,
        .fn = fn, .arg = arg,
    };
    if (q->tail) {
        q->tail->next = it;
    } else {
        q->head = it;
    }
    q->tail = it;
    q->n_pending++;
    q->bytes_pending += bytes;
    q->n_deferred++;
    return 0;
}

static void
run_head(struct reclaim_queue *q)
{
    struct reclaim_item *it = q->head;
    q->head = it->next;
    if (!q->head) {
        q->tail = NULL;
    }
    q->n_pending--;
    q->bytes_pending -= it->bytes;
    q->n_run++;
    it->fn(it->arg);
    free(it);
}

unsigned int
reclaim_run(struct reclaim_queue *q,
            bool (*due)(void *aux, uint64_t token, uint64_t cmd_seq),
            void *aux)
{
    unsigned int n = 0;
    while (q->head && due(aux, q->head->token, q->head->cmd_seq)) {
        run_head(q);
        n++;
    }
    return n;
}

unsigned int
reclaim_run_all(struct reclaim_queue *q)
{
    unsigned int n = 0;
    while (q->head) {
        run_head(q);
        n++;
    }
    return n;
}

uint64_t
reclaim_oldest(const struct reclaim_queue *q)
{
    return q->head ? q->head->since : 0;
}
