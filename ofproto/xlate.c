/* xlate: the translation hook and its chain of providers. */
#include "ofproto/xlate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct provider {
    xlate_fn *fn;
    void *aux;
};

static struct provider providers[XLATE_MAX_PROVIDERS];
static size_t n_providers;

int
xlate_add_provider(xlate_fn *fn, void *aux)
{
    if (n_providers >= XLATE_MAX_PROVIDERS) {
        return -ENOSPC;
    }
    providers[n_providers++] = (struct provider) { fn, aux };
    return 0;
}

void
xlate_remove_provider(xlate_fn *fn, void *aux)
{
    for (size_t i = 0; i < n_providers; i++) {
        if (providers[i].fn == fn && providers[i].aux == aux) {
            memmove(&providers[i], &providers[i + 1],
                    (n_providers - i - 1) * sizeof providers[0]);
            n_providers--;
            return;
        }
    }
}

int
xlate_translate(const struct flow *flow, const struct xlate_stats *stats,
                struct xlate_out *out)
{
    int error = 0;

    memset(out, 0, sizeof *out);
    out->stats = stats;
    for (size_t i = 0; i < n_providers; i++) {
        error = providers[i].fn(flow, out, providers[i].aux);
        if (error != XLATE_NO_MATCH) {
            break;
        }
        error = 0;
    }
    if (error) {
        free(out->actions);
        out->actions = NULL;
    }
    if (!out->tags) {
        out->tags = XLATE_TAGS_ALL;
    }
    /* Megaflows are always specific to their input port and pass. */
    out->mask.in_port = UINT32_MAX;
    out->mask.recirc_id = UINT32_MAX;
    return error;
}
