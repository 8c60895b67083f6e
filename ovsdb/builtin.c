/* builtin: schemas compiled into the binary. */
#include "ovsdb/builtin.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ovsdb/log.h"

/* Generated from vswitch.ovsschema by tools/embed-file. */
extern const char ovsdb_vswitch_schema_text[];

const char *
ovsdb_builtin_vswitch_schema(void)
{
    return ovsdb_vswitch_schema_text;
}

int
ovsdb_builtin_create_vswitch(const char *path, char **errp)
{
    json_error_t jerr;
    json_t *schema = json_loads(ovsdb_vswitch_schema_text, 0, &jerr);
    if (!schema) {
        /* The build embeds a file the tests parse: cannot happen. */
        if (errp && asprintf(errp, "built-in schema: %s (line %d)",
                             jerr.text, jerr.line) < 0) {
            *errp = NULL;
        }
        return -EINVAL;
    }
    struct ovsdb_log *log;
    int error = ovsdb_log_create(path, schema, &log, errp);
    json_decref(schema);
    if (!error) {
        ovsdb_log_close(log);
    }
    return error;
}
