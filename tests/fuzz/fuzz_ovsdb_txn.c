/* libFuzzer target for the OVSDB transaction path: any bytes as the
 * JSON a client sends, through datum parsing, conditions, mutations and
 * the transaction engine, on an in-memory database of a schema with every
 * kind of column.
 *
 * Input: JSON text.  An array of arrays is a sequence of transactions
 * ("params" of "transact" without the database name), an array of objects
 * one transaction, an object a journal record to replay.  Besides the
 * sanitizers' checks: every reply is an array, and the journal records of
 * the committed transactions, replayed in order on a fresh database, give
 * the same rows as the live one (a committed state always reads back). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ovsdb/db.h"
#include "ovsdb/error.h"
#include "ovsdb/schema.h"
#include "ovsdb/txn.h"

#define CHECK(COND) do { if (!(COND)) { abort(); } } while (0)

static const char schema_text[] =
    "{\"name\": \"F\", \"version\": \"1.0.0\", \"tables\": {"
    " \"Root\": {\"isRoot\": true, \"indexes\": [[\"name\"]], "
    "  \"maxRows\": 20, \"columns\": {"
    "   \"name\": {\"type\": {\"key\": {\"type\": \"string\", "
    "             \"minLength\": 1, \"maxLength\": 8}}},"
    "   \"n\": {\"type\": {\"key\": {\"type\": \"integer\", "
    "          \"minInteger\": -5, \"maxInteger\": 100}}},"
    "   \"r\": {\"type\": {\"key\": {\"type\": \"real\", "
    "          \"minReal\": -1.5, \"maxReal\": 1e6}, \"min\": 0, \"max\": 1}},"
    "   \"b\": {\"type\": \"boolean\"},"
    "   \"ints\": {\"type\": {\"key\": \"integer\", \"min\": 0, \"max\": 4}},"
    "   \"strs\": {\"type\": {\"key\": \"string\", \"min\": 0, "
    "             \"max\": \"unlimited\"}},"
    "   \"tags\": {\"type\": {\"key\": \"string\", \"value\": \"string\", "
    "             \"min\": 0, \"max\": \"unlimited\"}},"
    "   \"nums\": {\"type\": {\"key\": \"integer\", \"value\": {\"type\": "
    "             \"real\"}, \"min\": 1, \"max\": 3}},"
    "   \"color\": {\"type\": {\"key\": {\"type\": \"string\", \"enum\": "
    "             [\"set\", [\"red\", \"green\", \"blue\"]]}, \"min\": 0, "
    "             \"max\": 2}},"
    "   \"kids\": {\"type\": {\"key\": {\"type\": \"uuid\", \"refTable\": "
    "             \"Kid\"}, \"min\": 0, \"max\": \"unlimited\"}},"
    "   \"weak\": {\"type\": {\"key\": {\"type\": \"uuid\", \"refTable\": "
    "             \"Root\", \"refType\": \"weak\"}, \"value\": \"string\", "
    "             \"min\": 0, \"max\": \"unlimited\"}},"
    "   \"any\": {\"type\": {\"key\": \"uuid\", \"min\": 0, \"max\": 1}},"
    "   \"fixed\": {\"type\": \"string\", \"mutable\": false},"
    "   \"eph\": {\"type\": \"integer\", \"ephemeral\": true}}},"
    " \"Kid\": {\"indexes\": [[\"a\", \"b\"]], \"columns\": {"
    "   \"a\": {\"type\": \"integer\"}, \"b\": {\"type\": \"string\"},"
    "   \"sib\": {\"type\": {\"key\": {\"type\": \"uuid\", \"refTable\": "
    "            \"Kid\"}, \"min\": 0, \"max\": 1}}}}"
    "}}";

/* At most this many transactions per input (keeps runs short). */
#define MAX_TXNS 16

static struct ovsdb_db *
new_db(void)
{
    static json_t *schema_json;
    struct ovsdb_schema *s;

    if (!schema_json) {
        schema_json = json_loads(schema_text, 0, NULL);
        CHECK(schema_json);
    }
    CHECK(!ovsdb_schema_from_json(&s, schema_json));
    return ovsdb_db_create(s);
}

static bool
lock_owned(const char *name, void *aux)
{
    (void) aux;
    return !strcmp(name, "mine");
}

/* Runs one transaction; appends its journal record to 'records'. */
static void
run_txn(struct ovsdb_db *db, const json_t *ops, json_t *records)
{
    static const struct ovsdb_txn_opts opts = { lock_owned, NULL, 0, 1 };
    struct ovsdb_txn_result res;

    enum ovsdb_txn_status st = ovsdb_txn_execute(db, ops, &opts, &res);
    if (st == OVSDB_TXN_DONE) {
        CHECK(json_is_array(res.result));
        if (res.committed && res.record) {
            json_array_append(records, res.record);
        }
    }
    ovsdb_txn_result_destroy(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *) data, size,
                            JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!in) {
        return 0;
    }
    struct ovsdb_db *db = new_db();
    json_t *records = json_array();

    if (json_is_object(in)) {
        json_t *err = ovsdb_txn_apply_record(db, in);
        if (err) {
            CHECK(ovsdb_error_tag(err));
            json_decref(err);
        } else {
            json_array_append(records, in);
        }
    } else if (json_is_array(in) && json_is_array(json_array_get(in, 0))) {
        size_t i;
        json_t *ops;
        json_array_foreach(in, i, ops) {
            if (i == MAX_TXNS) {
                break;
            }
            run_txn(db, ops, records);
        }
    } else {
        run_txn(db, in, records);
    }

    /* The journal reads back to the same rows. */
    struct ovsdb_db *replica = new_db();
    size_t i;
    json_t *rec;
    json_array_foreach(records, i, rec) {
        json_t *err = ovsdb_txn_apply_record(replica, rec);
        CHECK(!err);
    }
    json_t *live = ovsdb_db_to_json(db, 0);
    json_t *again = ovsdb_db_to_json(replica, 0);
    CHECK(json_equal(live, again));
    json_decref(live);
    json_decref(again);

    ovsdb_db_destroy(replica);
    ovsdb_db_destroy(db);
    json_decref(records);
    json_decref(in);
    return 0;
}
