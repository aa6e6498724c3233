/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_store.c: the workspace store: open/init errors, schema version, snapshot idempotency and
 * date order, results before any snapshot, idempotent case opening, busy workspace, a read view
 * that does not see another handle's later import. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "hash.h"
#include "identifiers.h"
#include "register.h"
#include "store.h"
#include "workspace_results.h"

#define DATA RFN_SOURCE_DIR "/tests/data/workspace"

static int32_t day(int y, int m, int d)
{
    return date_from_ymd(y, m, d);
}

static rfn_status import(store *s, const char *name, int32_t as_of, int64_t *id, bool *already,
                         store_changes *ch, rfn_error *err)
{
    char path[512], sha[HASH_HEX_MAX];
    snprintf(path, sizeof path, "%s/%s", DATA, name);
    rfn_status r = hash_sha256_file(path, sha, err);
    if (r) return r;
    register_data *reg = NULL;
    if ((r = register_load(path, NULL, &reg, err))) return r;
    store_snapshot_info info = {.file = name, .sha256 = sha, .as_of = as_of};
    memset(ch, 0, sizeof *ch);
    r = store_import_register(s, &info, reg, id, already, ch, err);
    register_destroy(reg);
    return r;
}

typedef struct count_ctx {
    int n, open;
} count_ctx;

static int count_case(const store_case *c, void *ctx)
{
    count_ctx *k = ctx;
    k->n++;
    k->open += !strcmp(c->state, "open");
    return 0;
}

static int count_snapshot(const store_snapshot *sn, void *ctx)
{
    (void)sn;
    ++*(int *)ctx;
    return 0;
}

/* The audit trail (issue 15): history rows cannot be changed through SQL, and a row changed
 * behind the triggers' back is found by store_history_verify, which names it. */
static void test_history_chain(const char *dir)
{
    char path[700];
    snprintf(path, sizeof path, "%s/workspace.db", dir);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    char *msg = NULL;
    CHECK(sqlite3_exec(db, "UPDATE case_history SET detail = 'x' WHERE id = 1", NULL, NULL,
                       &msg) != SQLITE_OK);
    CHECK_MSG(msg && strstr(msg, "append-only"), "%s", msg ? msg : "(no message)");
    sqlite3_free(msg);
    CHECK(sqlite3_exec(db, "DELETE FROM case_history", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "DROP TRIGGER case_history_append_only_update;"
                       "UPDATE case_history SET detail = 'forged' WHERE id = 2",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    store *s = NULL;
    rfn_error err = {0};
    bool ok = true;
    char why[256];
    CHECK_OK(store_open(dir, NULL, &s, &err));
    CHECK_OK(store_history_verify(s, &ok, why, &err));
    CHECK(!ok);
    CHECK_MSG(strstr(why, "case history row 2 ") != NULL, "%s", why);
    store_close(s);
}

int main(void)
{
    char tmpl[] = "/tmp/test_store.XXXXXX";
    char *dir = mkdtemp(tmpl);
    CHECK(dir != NULL);
    if (!dir) return check_finish();
    char ws[600];
    snprintf(ws, sizeof ws, "%s/ws", dir);
    rfn_error err = {0};
    store *s = NULL;

    /* not a workspace yet */
    CHECK(store_open(ws, NULL, &s, &err) == RFN_ERR_NOTFOUND);
    CHECK(s == NULL);
    CHECK(strstr(err.msg, "not a workspace (no workspace.db; run rfnoise workspace init") != NULL);

    store_config cfg = store_config_default();
    cfg.create = true;
    CHECK_OK(store_open(ws, &cfg, &s, &err));
    if (!s) return check_finish();
    CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION);

    /* results before any snapshot */
    workspace_results_summary rs;
    CHECK(workspace_add_results(s, DATA "/results1", &rs, &err) == RFN_ERR_CONFLICT);
    CHECK(strstr(err.msg, "no register snapshot in the workspace") != NULL);

    int64_t id = 0;
    bool already = false;
    store_changes ch;
    CHECK_OK(import(s, "register1.csv", day(2026, 1, 5), &id, &already, &ch, &err));
    CHECK(id == 1 && !already);
    /* the same file and date again: not imported twice */
    CHECK_OK(import(s, "register1.csv", day(2026, 1, 5), &id, &already, &ch, &err));
    CHECK(id == 1 && already);
    /* an older extract after a newer one is refused */
    CHECK(import(s, "register2.csv", day(2025, 12, 1), &id, &already, &ch, &err) ==
          RFN_ERR_CONFLICT);
    CHECK(strcmp(err.msg, "register2.csv: extract date 2025-12-01 is before the latest "
                          "snapshot's (2026-01-05): snapshots are imported in date order") == 0);

    CHECK_OK(workspace_add_results(s, DATA "/results1", &rs, &err));
    CHECK(rs.devices == 9 && rs.by_verdict[DEVICE_NONCOMPLIANT] == 7 && rs.captures == 8 &&
          rs.captures_new == 8);
    CHECK_OK(workspace_add_results(s, DATA "/results1", &rs, &err));
    CHECK(rs.already && rs.result_set_id == 1);

    bool known = false;
    char sha[65];
    snprintf(sha, sizeof sha, "%064x", 3);
    char settings[65];
    snprintf(settings, sizeof settings, "%064x", 7);
    CHECK_OK(store_capture_known(s, sha, settings, &known, &err));
    CHECK(known);
    CHECK_OK(store_capture_known(s, sha, sha, &known, &err));
    CHECK(!known);

    /* cases: one Supplier first (B3 is decommissioned: skipped), then the others, then nothing */
    memset(&ch, 0, sizeof ch);
    CHECK_OK(store_cases_open(s, day(2026, 1, 10), "Beta Power", &ch, &err));
    CHECK(ch.opened == 1 && ch.skipped == 1);
    memset(&ch, 0, sizeof ch);
    CHECK_OK(store_cases_open(s, day(2026, 1, 10), NULL, &ch, &err));
    CHECK(ch.opened == 5 && ch.skipped == 2);
    memset(&ch, 0, sizeof ch);
    CHECK_OK(store_cases_open(s, day(2026, 1, 10), NULL, &ch, &err));
    CHECK(ch.opened == 0 && ch.skipped == 7);
    count_ctx k = {0};
    CHECK_OK(store_cases_each(s, INT32_MAX, "Beta Power", count_case, &k, &err));
    CHECK(k.n == 1 && k.open == 1);
    k = (count_ctx){0};
    CHECK_OK(store_cases_each(s, day(2026, 1, 9), NULL, count_case, &k, &err));
    CHECK(k.n == 0); /* before the notice date there are no cases */

    CHECK(store_case_note(s, 99, day(2026, 1, 11), "x", &err) == RFN_ERR_NOTFOUND);
    CHECK(strstr(err.msg, "no remediation case 99") != NULL);

    /* Busy: a second handle with a short timeout meets the first one's open write transaction. */
    store_config c2 = store_config_default();
    c2.busy_timeout_ms = 100;
    store *s2 = NULL;
    CHECK_OK(store_open(ws, &c2, &s2, &err));
    int64_t rs_id;
    bool rs_already;
    store_results_info info = {.dir = "x",
                               .devices_sha256 = "busy-test",
                               .summary_sha256 = "",
                               .tool_version = "",
                               .limit_set_id = "",
                               .limit_set_version = "",
                               .derogation_ref = ""};
    CHECK_OK(store_results_begin(s, &info, &rs_id, &rs_already, &err));
    if (s2) {
        CHECK(store_cases_open(s2, day(2026, 1, 12), NULL, &ch, &err) == RFN_ERR_BUSY);
        CHECK(strstr(err.msg, "workspace busy: another rfnoise process is using it (waited 100 "
                              "ms); try again when it has finished") != NULL);
    }
    store_results_abort(s);
    if (s2) {
        memset(&ch, 0, sizeof ch);
        CHECK_OK(store_cases_open(s2, day(2026, 1, 12), NULL, &ch, &err));
        CHECK(ch.opened == 0);
    }
    /* A read view (the report's): another handle's import is not seen until the view ends. */
    if (s2) {
        CHECK_OK(store_read_begin(s2, &err));
        CHECK_OK(import(s, "register2.csv", day(2026, 3, 1), &id, &already, &ch, &err));
        /* register2: meter 02 decommissioned; meter 01 stays beside its replacement 31 */
        CHECK(id == 2 && !already && ch.to_remediated == 1 && ch.to_missing == 0);
        int n_snap = 0;
        CHECK_OK(store_snapshots_each(s2, count_snapshot, &n_snap, &err));
        CHECK(n_snap == 1);
        store_read_end(s2);
        n_snap = 0;
        CHECK_OK(store_snapshots_each(s2, count_snapshot, &n_snap, &err));
        CHECK(n_snap == 2);
    }
    store_close(s2);

    bool ok = false;
    char msg[256];
    CHECK_OK(store_integrity_check(s, &ok, msg, &err));
    CHECK(ok && !strcmp(msg, "ok"));
    store_status st;
    CHECK_OK(store_get_status(s, &st, &err));
    CHECK(st.snapshots == 2 && st.result_sets == 1 && st.cases == 6 && st.cases_open == 5);
    CHECK(st.cases_remediated == 1 && st.latest_devices == 11);
    CHECK_OK(store_history_verify(s, &ok, msg, &err));
    CHECK_MSG(ok, "%s", msg);
    store_close(s);
    test_history_chain(ws);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    return check_finish();
}
