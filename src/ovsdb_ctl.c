/* ovsdb_ctl: control-socket commands of the OVSDB server. */
#include "src/ovsdb_ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/server.h"
#include "src/util/ctl.h"
#include "src/util/dstr.h"
#include "src/util/scan.h"

static int
cmd_compact(int argc, const char *argv[], struct dstr *reply, void *srv)
{
    const char *db = argc > 1 ? argv[1] : NULL;
    int error = ovsdb_server_compact(srv, db);
    if (error == -ENOENT) {
        dstr_printf(reply, "%s: no such database\n", db);
    } else if (error == -EBUSY) {
        dstr_put(reply, "compaction already in progress\n");
    } else if (error) {
        dstr_printf(reply, "cannot compact: %s\n", strerror(-error));
    }
    return error;
}

static int
cmd_set_compact_policy(int argc, const char *argv[], struct dstr *reply,
                       void *srv)
{
    uint64_t factor, min;
    (void) argc;
    if (scan_uint(argv[1], 10, 1000, &factor) || !factor
        || scan_uint(argv[2], 10, INT64_MAX, &min)) {
        dstr_put(reply, "usage: FACTOR (1-1000) MIN-BYTES (>= 0)\n");
        return -EINVAL;
    }
    ovsdb_server_set_compact_policy(srv, (unsigned int) factor, (off_t) min);
    return 0;
}

void
ovsdb_ctl_register(struct ovsdb_server *srv)
{
    ctl_register("ovsdb-server/compact", "[DB]", 0, 1, cmd_compact, srv);
    ctl_register("ovsdb-server/set-compact-policy", "FACTOR MIN-BYTES", 2,
                 2, cmd_set_compact_policy, srv);
}
