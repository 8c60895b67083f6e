/* xlate: the translation hook. */
#include "xlate.h"

#include <string.h>

static xlate_fn *provider;
static void *provider_aux;

void
xlate_set_provider(xlate_fn *fn, void *aux)
{
    provider = fn;
    provider_aux = aux;
}

int
xlate_translate(const struct flow *flow, struct xlate_out *out)
{
    int error = 0;

    memset(out, 0, sizeof *out);
    if (provider) {
        error = provider(flow, out, provider_aux);
    }
    /* Megaflows are always specific to their input port and pass. */
    out->mask.in_port = UINT32_MAX;
    out->mask.recirc_id = UINT32_MAX;
    return error;
}
