/* SPDX-License-Identifier: GPL-2.0-or-later */
/* store.c: the workspace database (SQLite): schema and migrations, snapshots, results, cases.
 * The only file that includes sqlite3.h. Every statement is static SQL with bound parameters. */
#include "store.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "classify.h"
#include "hash.h"
#include "identifiers.h"
#include "io_guard.h"

struct store {
    sqlite3 *db;
    char dir[1024];
    int busy_ms;
    int version;
    char actor[128]; /* who acts: store_config.actor, else the login name (case history "by") */
    /* an add-results transaction in progress */
    bool in_results;
    int64_t rs_id;
    sqlite3_stmt *ins_verdict, *ins_capture, *ins_measurement;
    uint64_t rs_devices;
    uint64_t rs_stall; /* test hook (stall_rows); 0 = off */
};

/* ---- schema ---------------------------------------------------------------------------------- */

/* migrations[v] takes a database from version v to v + 1; they only ever get appended. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE snapshot("
    "  id INTEGER PRIMARY KEY,"
    "  file TEXT NOT NULL, sha256 TEXT NOT NULL, as_of INTEGER NOT NULL,"
    "  rows_read INTEGER NOT NULL, rows_accepted INTEGER NOT NULL, rows_rejected INTEGER NOT NULL,"
    "  rows_on_wall INTEGER NOT NULL, errors INTEGER NOT NULL,"
    "  UNIQUE(sha256, as_of));"
    "CREATE TABLE snapshot_error("
    "  snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),"
    "  line INTEGER NOT NULL, col TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL);"
    "CREATE INDEX snapshot_error_snapshot ON snapshot_error(snapshot_id);"
    /* One row per accepted register row; DeviceID and the MPxN key are the 64-bit values of
     * identifiers.h stored as signed integers (same bits). */
    "CREATE TABLE device("
    "  snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),"
    "  device_id INTEGER NOT NULL, mpxn INTEGER NOT NULL, type INTEGER NOT NULL,"
    "  status INTEGER NOT NULL, supplier TEXT NOT NULL, manufacturer TEXT NOT NULL,"
    "  model TEXT NOT NULL, firmware TEXT NOT NULL, region INTEGER NOT NULL, han INTEGER NOT NULL,"
    "  postcode TEXT NOT NULL, install_date INTEGER,"
    "  PRIMARY KEY(snapshot_id, device_id)) WITHOUT ROWID;"
    "CREATE INDEX device_mpxn ON device(snapshot_id, mpxn);"
    "CREATE TABLE result_set("
    "  id INTEGER PRIMARY KEY,"
    "  snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),"
    "  dir TEXT NOT NULL, devices_sha256 TEXT NOT NULL UNIQUE, summary_sha256 TEXT NOT NULL,"
    "  tool_version TEXT NOT NULL, limit_set_id TEXT NOT NULL, limit_set_version TEXT NOT NULL,"
    "  derogation_ref TEXT NOT NULL, n_devices INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE verdict("
    "  result_set_id INTEGER NOT NULL REFERENCES result_set(id),"
    "  device_id INTEGER NOT NULL, supplier TEXT NOT NULL, mpxn TEXT NOT NULL,"
    "  device_type TEXT NOT NULL, manufacturer TEXT NOT NULL, model TEXT NOT NULL,"
    "  firmware TEXT NOT NULL, region TEXT NOT NULL, han TEXT NOT NULL, postcode TEXT NOT NULL,"
    "  status TEXT NOT NULL, install_date INTEGER,"
    "  verdict TEXT NOT NULL CHECK(verdict IN ('compliant','derogation-compliant',"
    "    'non-compliant','inconclusive','unassessed')),"
    "  reasons TEXT NOT NULL, worst_band TEXT NOT NULL, measured REAL, limit_value REAL,"
    "  unit TEXT NOT NULL, margin_db REAL, evidence TEXT NOT NULL, n_captures INTEGER NOT NULL,"
    "  derogation_ref TEXT NOT NULL, limit_set_id TEXT NOT NULL, limit_set_version TEXT NOT NULL,"
    /* Keyed by device, newest result set first: "latest verdict per device" is one scan. */
    "  PRIMARY KEY(device_id, result_set_id DESC)) WITHOUT ROWID;"
    "CREATE TABLE capture("
    "  sha256 TEXT NOT NULL, settings_hash TEXT NOT NULL, path TEXT NOT NULL,"
    "  device_id INTEGER NOT NULL, result TEXT NOT NULL,"
    "  result_set_id INTEGER NOT NULL REFERENCES result_set(id),"
    "  PRIMARY KEY(sha256, settings_hash)) WITHOUT ROWID;"
    "CREATE TABLE remediation_case("
    "  id INTEGER PRIMARY KEY,"
    "  device_id INTEGER NOT NULL, mpxn TEXT NOT NULL, mpxn_key INTEGER NOT NULL,"
    "  supplier TEXT NOT NULL, device_type TEXT NOT NULL, manufacturer TEXT NOT NULL,"
    "  model TEXT NOT NULL, firmware TEXT NOT NULL, region TEXT NOT NULL,"
    "  postcode TEXT NOT NULL, install_date INTEGER, reasons TEXT NOT NULL,"
    "  evidence TEXT NOT NULL, worst_band TEXT NOT NULL, margin_db REAL,"
    "  notice_date INTEGER NOT NULL, plan_due INTEGER NOT NULL, remediation_due INTEGER NOT NULL,"
    "  plan_agreed INTEGER,"
    "  state TEXT NOT NULL CHECK(state IN ('open','overdue','remediated','resolved')),"
    "  opened_snapshot INTEGER NOT NULL REFERENCES snapshot(id),"
    "  opened_result_set INTEGER NOT NULL REFERENCES result_set(id));"
    /* At most one active case per device: opening stays idempotent even between processes. */
    "CREATE UNIQUE INDEX case_active ON remediation_case(device_id)"
    "  WHERE state IN ('open','overdue');"
    "CREATE TABLE case_history("
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER NOT NULL REFERENCES remediation_case(id),"
    "  date INTEGER NOT NULL,"
    "  snapshot_id INTEGER REFERENCES snapshot(id),"
    "  result_set_id INTEGER REFERENCES result_set(id),"
    "  event TEXT NOT NULL CHECK(event IN ('opened','state','note','plan-agreed')),"
    "  old_state TEXT NOT NULL, new_state TEXT NOT NULL, detail TEXT NOT NULL);"
    "CREATE INDEX case_history_case ON case_history(case_id);",
    /* 1 -> 2 (issue 14): the verdict "retest-required" (a CHECK is rebuilt with its table), and
     * the kept band measurements of each result set (measurements.csv), so that the workspace
     * holds what a verdict was made from. */
    "CREATE TABLE verdict_v2("
    "  result_set_id INTEGER NOT NULL REFERENCES result_set(id),"
    "  device_id INTEGER NOT NULL, supplier TEXT NOT NULL, mpxn TEXT NOT NULL,"
    "  device_type TEXT NOT NULL, manufacturer TEXT NOT NULL, model TEXT NOT NULL,"
    "  firmware TEXT NOT NULL, region TEXT NOT NULL, han TEXT NOT NULL, postcode TEXT NOT NULL,"
    "  status TEXT NOT NULL, install_date INTEGER,"
    "  verdict TEXT NOT NULL CHECK(verdict IN ('compliant','derogation-compliant',"
    "    'non-compliant','inconclusive','retest-required','unassessed')),"
    "  reasons TEXT NOT NULL, worst_band TEXT NOT NULL, measured REAL, limit_value REAL,"
    "  unit TEXT NOT NULL, margin_db REAL, evidence TEXT NOT NULL, n_captures INTEGER NOT NULL,"
    "  derogation_ref TEXT NOT NULL, limit_set_id TEXT NOT NULL, limit_set_version TEXT NOT NULL,"
    /* Keyed by device, newest result set first: "latest verdict per device" is one scan. */
    "  PRIMARY KEY(device_id, result_set_id DESC)) WITHOUT ROWID;"
    "INSERT INTO verdict_v2 SELECT * FROM verdict;"
    "DROP TABLE verdict;"
    "ALTER TABLE verdict_v2 RENAME TO verdict;"
    "CREATE TABLE measurement("
    "  result_set_id INTEGER NOT NULL REFERENCES result_set(id),"
    "  source TEXT NOT NULL, source_id TEXT NOT NULL, device_id TEXT NOT NULL,"
    "  model TEXT NOT NULL, firmware TEXT NOT NULL, measured_at TEXT NOT NULL,"
    "  band TEXT NOT NULL, quantity TEXT NOT NULL, detector TEXT NOT NULL, trace TEXT NOT NULL,"
    "  rbw_hz REAL, ref_bw_hz REAL, value REAL, unit TEXT NOT NULL, worst_freq_hz REAL,"
    "  floor REAL, coverage REAL, calibration_id TEXT NOT NULL, geometry TEXT NOT NULL,"
    "  flags TEXT NOT NULL);"
    "CREATE INDEX measurement_result_set ON measurement(result_set_id);"
    /* ... and (issue 15) whether a snapshot that shrank by more than 5 % was imported on
     * purpose (--accept-shrink). */
    "ALTER TABLE snapshot ADD COLUMN shrink_accepted INTEGER NOT NULL DEFAULT 0;"
    /* ... the DeviceStatus values the snapshot counts as installed ('' = the default set) ... */
    "ALTER TABLE snapshot ADD COLUMN installed_statuses TEXT NOT NULL DEFAULT '';"
    /* ... whether a result set was judged under an illustrative limit set (issue 14) ... */
    "ALTER TABLE result_set ADD COLUMN limit_set_illustrative INTEGER NOT NULL DEFAULT 0;"
    /* ... the case state missing-from-extract (a device absent from a newer extract is not
     * known to be gone nor still there: issue 15), active like open and overdue ... */
    "CREATE TABLE remediation_case_v2("
    "  id INTEGER PRIMARY KEY,"
    "  device_id INTEGER NOT NULL, mpxn TEXT NOT NULL, mpxn_key INTEGER NOT NULL,"
    "  supplier TEXT NOT NULL, device_type TEXT NOT NULL, manufacturer TEXT NOT NULL,"
    "  model TEXT NOT NULL, firmware TEXT NOT NULL, region TEXT NOT NULL,"
    "  postcode TEXT NOT NULL, install_date INTEGER, reasons TEXT NOT NULL,"
    "  evidence TEXT NOT NULL, worst_band TEXT NOT NULL, margin_db REAL,"
    "  notice_date INTEGER NOT NULL, plan_due INTEGER NOT NULL, remediation_due INTEGER NOT NULL,"
    "  plan_agreed INTEGER,"
    "  state TEXT NOT NULL CHECK(state IN ('open','overdue','missing-from-extract','remediated',"
    "    'resolved')),"
    "  opened_snapshot INTEGER NOT NULL REFERENCES snapshot(id),"
    "  opened_result_set INTEGER NOT NULL REFERENCES result_set(id),"
    /* the removal date agreed with the Supplier: it replaces remediation_due (issue 15) */
    "  agreed_due INTEGER);"
    "INSERT INTO remediation_case_v2 SELECT *, NULL FROM remediation_case;"
    "DROP TABLE remediation_case;"
    "ALTER TABLE remediation_case_v2 RENAME TO remediation_case;"
    "CREATE UNIQUE INDEX case_active ON remediation_case(device_id)"
    "  WHERE state IN ('open','overdue','missing-from-extract');"
    /* ... and an audit trail: who, when by the clock, and a SHA-256 chain per case (history_add);
     * rows of version 1 are chained when migrated (history_chain_all), then the table is made
     * append-only (migration_2_after). */
    "CREATE TABLE case_history_v2("
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER NOT NULL REFERENCES remediation_case(id),"
    "  date INTEGER NOT NULL,"
    "  snapshot_id INTEGER REFERENCES snapshot(id),"
    "  result_set_id INTEGER REFERENCES result_set(id),"
    "  event TEXT NOT NULL CHECK(event IN ('opened','state','note','plan-agreed',"
    "    'replacement-seen','supplier-changed','timetable-agreed')),"
    "  old_state TEXT NOT NULL, new_state TEXT NOT NULL, detail TEXT NOT NULL,"
    "  by TEXT NOT NULL DEFAULT '', recorded_at TEXT NOT NULL DEFAULT '',"
    "  hash TEXT NOT NULL DEFAULT '');"
    "INSERT INTO case_history_v2(id, case_id, date, snapshot_id, result_set_id, event, old_state,"
    "  new_state, detail) SELECT id, case_id, date, snapshot_id, result_set_id, event, old_state,"
    "  new_state, detail FROM case_history;"
    "DROP TABLE case_history;"
    "ALTER TABLE case_history_v2 RENAME TO case_history;"
    /* ... and the Operations Group's agreement of the remediation timetable of a notice, due
     * notice + 10 days (README "Remediation") */
    "CREATE TABLE timetable("
    "  notice_date INTEGER PRIMARY KEY, agreed INTEGER NOT NULL, by TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL);"
    "CREATE INDEX case_history_case ON case_history(case_id);",
    /* 2 -> 3: snapshots stored as changes (issue 15: 12 monthly 1M-row snapshots at 2 % churn in
     * at most twice the first's room). A device row is kept once per version: from the
     * snapshot where it first read so until the first one where it does not (to_snapshot NULL:
     * still so in the latest); "what did snapshot N say about device D" is the version with
     * from_snapshot <= N < to_snapshot (DEVICE_IN_SNAPSHOT). Snapshots are imported in date
     * order, so ids order them. Rows of version 2 become one version per snapshot. */
    "CREATE TABLE device_version("
    "  device_id INTEGER NOT NULL,"
    "  from_snapshot INTEGER NOT NULL REFERENCES snapshot(id),"
    "  to_snapshot INTEGER REFERENCES snapshot(id),"
    "  mpxn INTEGER NOT NULL, type INTEGER NOT NULL,"
    "  status INTEGER NOT NULL, supplier TEXT NOT NULL, manufacturer TEXT NOT NULL,"
    "  model TEXT NOT NULL, firmware TEXT NOT NULL, region INTEGER NOT NULL, han INTEGER NOT NULL,"
    "  postcode TEXT NOT NULL, install_date INTEGER,"
    "  PRIMARY KEY(device_id, from_snapshot)) WITHOUT ROWID;"
    "INSERT INTO device_version SELECT d.device_id, d.snapshot_id,"
    "  (SELECT min(n.id) FROM snapshot n WHERE n.id > d.snapshot_id), d.mpxn, d.type, d.status,"
    "  d.supplier, d.manufacturer, d.model, d.firmware, d.region, d.han, d.postcode,"
    "  d.install_date FROM device d;"
    "DROP TABLE device;"
    "CREATE INDEX device_version_mpxn ON device_version(mpxn, from_snapshot);",
    /* 3 -> 4: stock declarations over time with the figures rfnoise stock gave on their date
     * (issue 20: how each Supplier's derogated stock ran down against the projection) */
    "CREATE TABLE stock_line("
    "  id INTEGER PRIMARY KEY, as_of INTEGER NOT NULL, file TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL, line INTEGER NOT NULL, supplier TEXT NOT NULL,"
    "  manufacturer TEXT NOT NULL, model TEXT NOT NULL, firmware TEXT NOT NULL,"
    "  quantity INTEGER NOT NULL, status TEXT NOT NULL, derogation TEXT NOT NULL,"
    "  cut_off INTEGER, rate REAL, rate_lo REAL, rate_hi REAL, projected REAL, surplus REAL,"
    "  surplus_lo REAL, surplus_hi REAL, wrong_place INTEGER NOT NULL,"
    "  recorded_at TEXT NOT NULL);"
    "CREATE INDEX stock_line_key ON stock_line(supplier, manufacturer, model, firmware, as_of);",
    /* 4 -> 5: the register's optional SupplierID (market participant id) and Installer columns
     * kept with each device version, and the case's owner by id (issue 15: ownership follows the
     * meter, matched by id when the extract has one; issue 20: reasons by installer). '' where
     * the extract had none. */
    "ALTER TABLE device_version ADD COLUMN supplier_id TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE device_version ADD COLUMN installer TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE remediation_case ADD COLUMN supplier_id TEXT NOT NULL DEFAULT '';"
    /* ... and the cut-off of the derogation list a result set was judged with (summary.json
     * derogation_list.cut_off: the list's latest InstallBy), which the report marks by default */
    "ALTER TABLE result_set ADD COLUMN derogation_cut_off INTEGER;",
};

/* The device_version rows snapshot ?1 holds (migration 2 -> 3). */
#define DEVICE_IN_SNAPSHOT "from_snapshot <= ?1 AND (to_snapshot IS NULL OR to_snapshot > ?1)"

_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SCHEMA_VERSION,
               "one migration per schema version");

/* Run after migration 1 -> 2 has chained the old history rows: from then on the history only
 * grows (an UPDATE or DELETE of a history row fails). */
static const char *const migration_2_after =
    "CREATE TRIGGER case_history_append_only_update BEFORE UPDATE ON case_history"
    " BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;"
    "CREATE TRIGGER case_history_append_only_delete BEFORE DELETE ON case_history"
    " BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;";

/* ---- low-level helpers ----------------------------------------------------------------------- */

static rfn_status db_fail(store *s, int rc, const char *what, rfn_error *err)
{
    int base = rc & 0xff;
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
        return rfn_error_set(err, RFN_ERR_BUSY,
                             "%s: workspace busy: another rfnoise process is using it (waited %d "
                             "ms); try again when it has finished",
                             s->dir, s->busy_ms);
    if (base == SQLITE_NOTADB)
        return rfn_error_set(err, RFN_ERR_FORMAT,
                             "%s: not an rfnoise workspace: %s is not a workspace database (make "
                             "one with rfnoise workspace init DIR)",
                             s->dir, STORE_DB_NAME);
    if (base == SQLITE_CORRUPT)
        return rfn_error_set(err, RFN_ERR_FORMAT,
                             "%s: the workspace database %s is damaged (%s: %s); restore it from "
                             "a backup",
                             s->dir, STORE_DB_NAME, what,
                             s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    return rfn_error_set(err, RFN_ERR_IO, "%s: %s: %s", s->dir, what,
                         s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

static rfn_status db_exec(store *s, const char *sql, const char *what, rfn_error *err)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? RFN_OK : db_fail(s, rc, what, err);
}

static rfn_status db_prep(store *s, const char *sql, sqlite3_stmt **st, rfn_error *err)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? RFN_OK : db_fail(s, rc, "prepare", err);
}

static rfn_status db_begin(store *s, rfn_error *err)
{
    return db_exec(s, "BEGIN IMMEDIATE", "begin", err);
}

static rfn_status db_commit(store *s, rfn_error *err)
{
    return db_exec(s, "COMMIT", "commit", err);
}

static void db_rollback(store *s)
{
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Step a statement that returns no rows, then reset it for reuse. */
static rfn_status db_done(store *s, sqlite3_stmt *st, const char *what, rfn_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? RFN_OK : db_fail(s, rc, what, err);
}

static void bind_text(sqlite3_stmt *st, int i, const char *text)
{
    sqlite3_bind_text(st, i, text ? text : "", -1, SQLITE_TRANSIENT);
}

/* For text that stays valid until the statement has been stepped (no copy: bulk inserts). */
static void bind_text_static(sqlite3_stmt *st, int i, const char *text)
{
    sqlite3_bind_text(st, i, text ? text : "", -1, SQLITE_STATIC);
}

static void bind_date(sqlite3_stmt *st, int i, int32_t d)
{
    if (d == STORE_NO_DATE)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int(st, i, d);
}

static void bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static int32_t col_date(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? STORE_NO_DATE : sqlite3_column_int(st, i);
}

static double col_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* A single integer from a query with up to two integer parameters; *found false when no row. */
static rfn_status query_int(store *s, const char *sql, int64_t a, int64_t b, int n_params,
                            int64_t *out, bool *found, rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(s, sql, &st, err);
    if (r) return r;
    if (n_params > 0) sqlite3_bind_int64(st, 1, a);
    if (n_params > 1) sqlite3_bind_int64(st, 2, b);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        if (found) *found = sqlite3_column_type(st, 0) != SQLITE_NULL;
    } else if (rc == SQLITE_DONE) {
        if (found) *found = false;
    } else {
        r = db_fail(s, rc, "query", err);
    }
    sqlite3_finalize(st);
    return r;
}

/* The statuses snapshot snap counts as installed (its installed_statuses, else the default). */
static rfn_status snapshot_installed(store *s, int64_t snap, unsigned *set, rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(s, "SELECT installed_statuses FROM snapshot WHERE id = ?", &st, err);
    if (r) return r;
    sqlite3_bind_int64(st, 1, snap);
    int rc = sqlite3_step(st);
    const char *text = rc == SQLITE_ROW ? col_text(st, 0) : "";
    size_t bad_at;
    *set = device_statuses_installed_default();
    if (*text && device_statuses_parse(text, set, &bad_at) != ID_OK)
        r = rfn_error_set(err, RFN_ERR_FORMAT, "%s: snapshot %lld: installed_statuses '%s'",
                          s->dir, (long long)snap, text);
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        r = db_fail(s, rc, "snapshot", err);
    sqlite3_finalize(st);
    return r;
}

/* ---- open, migrate, close -------------------------------------------------------------------- */

store_config store_config_default(void)
{
    store_config c = {.create = false, .busy_timeout_ms = 10000};
    const char *e = getenv("RFN_WORKSPACE_BUSY_MS");
    if (e && *e) {
        char *end = NULL;
        long v = strtol(e, &end, 10);
        if (end && *end == '\0' && v >= 0 && v <= 3600000) c.busy_timeout_ms = (int)v;
    }
    return c;
}

static rfn_status history_chain_all(store *s, rfn_error *err);

static rfn_status migrate(store *s, rfn_error *err)
{
    int64_t v = 0;
    rfn_status r = query_int(s, "PRAGMA user_version", 0, 0, 0, &v, NULL, err);
    if (r) return r;
    if (v > STORE_SCHEMA_VERSION)
        return rfn_error_set(err, RFN_ERR_UNSUPPORTED,
                             "%s: workspace schema version %lld is newer than this rfnoise "
                             "supports (%d): upgrade rfnoise",
                             s->dir, (long long)v, STORE_SCHEMA_VERSION);
    if (v == STORE_SCHEMA_VERSION) {
        s->version = (int)v;
        return RFN_OK;
    }
    if ((r = db_begin(s, err))) return r;
    /* Read again under the write lock: another process may have migrated meanwhile. */
    if ((r = query_int(s, "PRAGMA user_version", 0, 0, 0, &v, NULL, err))) goto fail;
    for (; v < STORE_SCHEMA_VERSION; v++) {
        if ((r = db_exec(s, migrations[v], "migrate", err))) goto fail;
        if (v == 1 && ((r = history_chain_all(s, err)) ||
                       (r = db_exec(s, migration_2_after, "migrate", err))))
            goto fail;
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", (long long)(v + 1));
        if ((r = db_exec(s, sql, "migrate", err))) goto fail;
    }
    /* Tables were rebuilt with foreign keys off (SQLite's procedure): check them before commit. */
    bool broken = false;
    int64_t ignored;
    if ((r = query_int(s, "PRAGMA foreign_key_check", 0, 0, 0, &ignored, &broken, err)))
        goto fail;
    if (broken) {
        r = rfn_error_set(err, RFN_ERR_FORMAT, "%s: migration left a broken reference", s->dir);
        goto fail;
    }
    if ((r = db_commit(s, err))) goto fail;
    s->version = (int)v;
    return RFN_OK;
fail:
    db_rollback(s);
    return r;
}

void store_actor_default(const char *given, char *out, size_t size)
{
    /* Who acts on cases: --by, else the login name (getpwuid, as logname(1) falls back to). */
    const char *who = given && *given ? given : getenv("LOGNAME");
    if (!who || !*who) {
        const struct passwd *pw = getpwuid(getuid());
        who = pw && pw->pw_name ? pw->pw_name : "unknown";
    }
    snprintf(out, size, "%s", who);
}

rfn_status store_open(const char *dir, const store_config *cfg, store **out, rfn_error *err)
{
    store_config def = store_config_default();
    if (!cfg) cfg = &def;
    *out = NULL;
    store *s = calloc(1, sizeof *s);
    if (!s) return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    s->busy_ms = cfg->busy_timeout_ms;
    store_actor_default(cfg->actor, s->actor, sizeof s->actor);
    char path[1100];
    if (snprintf(path, sizeof path, "%s/%s", dir, STORE_DB_NAME) >= (int)sizeof path) {
        free(s);
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: workspace path too long", dir);
    }
    rfn_status r = RFN_OK;
    struct stat sb;
    if (cfg->create) {
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            r = rfn_error_set(err, RFN_ERR_IO, "%s: cannot create directory: %s", dir,
                              strerror(errno));
            goto fail;
        }
    } else if (stat(path, &sb) != 0) {
        r = rfn_error_set(err, RFN_ERR_NOTFOUND,
                          "%s: not a workspace (no %s; run rfnoise workspace init %s)", dir,
                          STORE_DB_NAME, dir);
        goto fail;
    }
    /* SQLite opens the file itself: make sure it is a plain file (a FIFO would block it, a device
     * would be written), and record it as an input, so that no output replaces it. */
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        r = rfn_error_set(err, RFN_ERR_INVALID,
                          "%s: not an rfnoise workspace: %s is %s, not a database file", dir,
                          STORE_DB_NAME, io_file_kind(sb.st_mode));
        goto fail;
    }
    if ((r = io_note_input(path, err)))
        goto fail;
    int flags = SQLITE_OPEN_READWRITE | (cfg->create ? SQLITE_OPEN_CREATE : 0);
    /* No global memory statistics: they take a mutex on every allocation (a tenth of the time
     * of a bulk insert). Only possible before SQLite initialises; later calls fail harmlessly. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        r = db_fail(s, rc, "open", err);
        goto fail;
    }
    sqlite3_busy_timeout(s->db, s->busy_ms);
    sqlite3_extended_result_codes(s->db, 1);
    /* WAL is persistent in the file; setting it again on an existing WAL database is a no-op. */
    if ((r = db_exec(s, "PRAGMA journal_mode=WAL", "journal_mode", err)) ||
        (r = db_exec(s,
                     "PRAGMA synchronous=NORMAL;"
                     "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY",
                     "pragma", err)) ||
        (r = migrate(s, err)) ||
        (r = db_exec(s, "PRAGMA foreign_keys=ON", "pragma", err)))
        goto fail;
    *out = s;
    return RFN_OK;
fail:
    store_close(s);
    return r;
}

void store_close(store *s)
{
    if (!s) return;
    if (s->in_results) store_results_abort(s);
    if (s->db) sqlite3_close_v2(s->db);
    free(s);
}

int store_schema_version(const store *s)
{
    return s->version;
}

/* ---- case updates ---------------------------------------------------------------------------- */

/* One history row as the chain hashes it (docs/architecture.md §Workspace): every field in a
 * fixed order, NUL-separated, after the hash of the case's previous row. */
typedef struct history_row {
    int64_t case_id, snapshot_id, result_set_id;
    int32_t date;
    const char *event, *old_state, *new_state, *detail, *by, *recorded_at;
} history_row;

static void history_hash(const char *prev, const history_row *h, char hex[HASH_HEX_MAX])
{
    char nums[128];
    int n = snprintf(nums, sizeof nums, "%lld%c%d%c%lld%c%lld", (long long)h->case_id, 0,
                     (int)h->date, 0, (long long)h->snapshot_id, 0, (long long)h->result_set_id);
    const char *texts[] = {h->event, h->old_state, h->new_state, h->detail, h->by,
                           h->recorded_at};
    hash_ctx *c = NULL;
    hex[0] = '\0';
    if (hash_create(HASH_SHA256, &c) != RFN_OK) return;
    hash_update(c, prev, strlen(prev) + 1);
    hash_update(c, nums, (size_t)n + 1);
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        hash_update(c, texts[i], strlen(texts[i]) + 1);
    hash_final_hex(c, hex);
    hash_destroy(c);
}

/* The clock of the audit trail: UTC now, or SOURCE_DATE_EPOCH when set (reproducible tests). */
static void recorded_now(char buf[32])
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    time_t t = e && *e ? (time_t)strtoll(e, NULL, 10) : time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The hash of case_id's latest history row ("" before its first). */
static rfn_status history_last_hash(store *s, int64_t case_id, char hex[HASH_HEX_MAX],
                                    rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(s, "SELECT hash FROM case_history WHERE case_id = ? ORDER BY id DESC"
                              " LIMIT 1", &st, err);
    if (r) return r;
    sqlite3_bind_int64(st, 1, case_id);
    int rc = sqlite3_step(st);
    snprintf(hex, HASH_HEX_MAX, "%s", rc == SQLITE_ROW ? col_text(st, 0) : "");
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) r = db_fail(s, rc, "history", err);
    sqlite3_finalize(st);
    return r;
}

static rfn_status history_add(store *s, int64_t case_id, int32_t date, int64_t snapshot_id,
                              int64_t result_set_id, const char *event, const char *old_state,
                              const char *new_state, const char *detail, rfn_error *err)
{
    char when[32], prev[HASH_HEX_MAX], hex[HASH_HEX_MAX];
    recorded_now(when);
    history_row h = {case_id, snapshot_id, result_set_id, date, event, old_state, new_state,
                     detail, s->actor, when};
    rfn_status r = history_last_hash(s, case_id, prev, err);
    if (r) return r;
    history_hash(prev, &h, hex);
    sqlite3_stmt *st = NULL;
    r = db_prep(s,
                "INSERT INTO case_history(case_id, date, snapshot_id, result_set_id, event,"
                " old_state, new_state, detail, by, recorded_at, hash)"
                " VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                &st, err);
    if (r) return r;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int(st, 2, date);
    if (snapshot_id) sqlite3_bind_int64(st, 3, snapshot_id);
    if (result_set_id) sqlite3_bind_int64(st, 4, result_set_id);
    const char *texts[] = {event, old_state, new_state, detail, s->actor, when, hex};
    for (int i = 0; i < 7; i++)
        bind_text(st, 5 + i, texts[i]);
    r = db_done(s, st, "history", err);
    sqlite3_finalize(st);
    return r;
}

/* Walk every history row in chain order: fn gets the row, the hash the chain says it must have,
 * and the hash it has. */
typedef rfn_status (*history_chain_fn)(store *s, int64_t row_id, const history_row *h,
                                       const char *want, const char *have, void *ctx,
                                       rfn_error *err);

static rfn_status history_walk(store *s, history_chain_fn fn, void *ctx, rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(s,
                           "SELECT id, case_id, date, coalesce(snapshot_id, 0),"
                           " coalesce(result_set_id, 0), event, old_state, new_state, detail, by,"
                           " recorded_at, hash FROM case_history ORDER BY case_id, id",
                           &st, err);
    if (r) return r;
    char prev[HASH_HEX_MAX] = "", want[HASH_HEX_MAX];
    int64_t prev_case = -1;
    int rc;
    while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        history_row h = {sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 3),
                         sqlite3_column_int64(st, 4), sqlite3_column_int(st, 2),
                         col_text(st, 5), col_text(st, 6), col_text(st, 7), col_text(st, 8),
                         col_text(st, 9), col_text(st, 10)};
        if (h.case_id != prev_case) prev[0] = '\0';
        prev_case = h.case_id;
        history_hash(prev, &h, want);
        r = fn(s, sqlite3_column_int64(st, 0), &h, want, col_text(st, 11), ctx, err);
        snprintf(prev, sizeof prev, "%s", want);
    }
    if (!r && rc != SQLITE_DONE) r = db_fail(s, rc, "history", err);
    sqlite3_finalize(st);
    return r;
}

static rfn_status chain_set(store *s, int64_t row_id, const history_row *h, const char *want,
                            const char *have, void *ctx, rfn_error *err)
{
    (void)h, (void)have;
    sqlite3_stmt *st = ctx;
    bind_text(st, 1, want);
    sqlite3_bind_int64(st, 2, row_id);
    return db_done(s, st, "history chain", err);
}

/* Migration 1 -> 2: chain the rows written before the chain existed. */
static rfn_status history_chain_all(store *s, rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(s, "UPDATE case_history SET hash = ? WHERE id = ?", &st, err);
    if (!r) r = history_walk(s, chain_set, st, err);
    sqlite3_finalize(st);
    return r;
}

typedef struct chain_check {
    bool ok;
    char msg[256];
} chain_check;

static rfn_status chain_verify(store *s, int64_t row_id, const history_row *h, const char *want,
                               const char *have, void *ctx, rfn_error *err)
{
    (void)s, (void)err;
    chain_check *c = ctx;
    if (c->ok && strcmp(want, have)) {
        c->ok = false;
        snprintf(c->msg, sizeof c->msg, "case history row %lld (case %lld, %s): its hash does not "
                 "match its content and the row before it",
                 (long long)row_id, (long long)h->case_id, h->event);
    }
    return RFN_OK;
}

rfn_status store_history_verify(store *s, bool *ok, char msg[256], rfn_error *err)
{
    chain_check c = {true, ""};
    rfn_status r = history_walk(s, chain_verify, &c, err);
    *ok = c.ok;
    snprintf(msg, 256, "%s", c.msg);
    return r;
}

typedef struct active_case {
    int64_t id, opened_rs;
    uint64_t device_id, mpxn_key;
    int32_t due;
    int type; /* device_type of the case's device: its replacement is one of the same type */
    char state[24];
    char supplier[256];
    char supplier_id[128]; /* "" when no extract gave one */
} active_case;

static void count_change(store_changes *c, const char *to)
{
    if (!c) return;
    if (!strcmp(to, "open"))
        c->to_open++;
    else if (!strcmp(to, "overdue"))
        c->to_overdue++;
    else if (!strcmp(to, "remediated"))
        c->to_remediated++;
    else if (!strcmp(to, "resolved"))
        c->to_resolved++;
    else if (!strcmp(to, "missing-from-extract"))
        c->to_missing++;
}

bool store_supplier_match(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ' || *a == '\t') a++;
        while (*b == ' ' || *b == '\t') b++;
        if (!*a || !*b) return !*a && !*b;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return false;
        a++, b++;
    }
}

bool store_supplier_is(const char *name, const char *id, const char *query)
{
    return store_supplier_match(name, query) || (id[0] && store_supplier_match(id, query));
}

/* Whether two readings of a Supplier (name, SupplierID) are the same Supplier (issue 15): by
 * the id when both have one, as a market participant id outlives a change of trading name, else
 * by the name (store_supplier_match). */
static bool same_supplier(const char *name_a, const char *id_a, const char *name_b,
                          const char *id_b)
{
    if (id_a[0] && id_b[0]) return store_supplier_match(id_a, id_b);
    return store_supplier_match(name_a, name_b);
}

/* The statements cases_update runs for every active case. */
typedef struct case_queries {
    sqlite3_stmt *dev, *repl, *ver, *upd, *seen, *owner;
    int64_t snap, rs;
    unsigned installed; /* the snapshot's installed statuses */
    int32_t as_of;
} case_queries;

static void case_queries_free(case_queries *q)
{
    sqlite3_finalize(q->dev);
    sqlite3_finalize(q->repl);
    sqlite3_finalize(q->ver);
    sqlite3_finalize(q->upd);
    sqlite3_finalize(q->seen);
    sqlite3_finalize(q->owner);
}

static rfn_status case_queries_prepare(store *s, case_queries *q, rfn_error *err)
{
    rfn_status r;
    if ((r = db_prep(s, "SELECT status, supplier, supplier_id FROM device_version WHERE"
                        " device_id = ?2 AND " DEVICE_IN_SNAPSHOT, &q->dev, err)) ||
        /* INDEXED BY: for ORDER BY device_id the planner could walk the primary key over the
         * whole table for every case, O(cases x rows) (issue 15's 12 minutes). */
        (r = db_prep(s,
                     "SELECT device_id, type, status FROM device_version INDEXED BY"
                     " device_version_mpxn WHERE mpxn = ?2 AND " DEVICE_IN_SNAPSHOT
                     " AND device_id <> ?3 ORDER BY device_id",
                     &q->repl, err)) ||
        (r = db_prep(s,
                     "SELECT verdict, result_set_id FROM verdict WHERE device_id = ? AND"
                     " result_set_id > ? ORDER BY result_set_id DESC LIMIT 1",
                     &q->ver, err)) ||
        (r = db_prep(s, "UPDATE remediation_case SET state = ? WHERE id = ?", &q->upd, err)) ||
        (r = db_prep(s, "SELECT 1 FROM case_history WHERE case_id = ? AND"
                        " event = 'replacement-seen' AND detail = ?", &q->seen, err)) ||
        (r = db_prep(s, "UPDATE remediation_case SET supplier = ?, supplier_id = ? WHERE id = ?",
                     &q->owner, err)))
        return r;
    return RFN_OK;
}

/* Load the active cases (open, overdue, missing-from-extract). */
static rfn_status active_cases(store *s, active_case **out, size_t *n_out, rfn_error *err)
{
    sqlite3_stmt *q = NULL;
    active_case *cases = NULL;
    size_t n = 0, cap = 0;
    rfn_status r = db_prep(s,
                           "SELECT id, device_id, mpxn_key, coalesce(agreed_due, remediation_due),"
                           " state,"
                           " opened_result_set, device_type, supplier, supplier_id"
                           " FROM remediation_case"
                           " WHERE state IN ('open','overdue','missing-from-extract') ORDER BY id",
                           &q, err);
    int rc = SQLITE_DONE;
    while (!r && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            active_case *nc = realloc(cases, cap * sizeof *nc);
            if (!nc) {
                r = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
                break;
            }
            cases = nc;
        }
        active_case *c = &cases[n++];
        c->id = sqlite3_column_int64(q, 0);
        c->device_id = (uint64_t)sqlite3_column_int64(q, 1);
        c->mpxn_key = (uint64_t)sqlite3_column_int64(q, 2);
        c->due = sqlite3_column_int(q, 3);
        snprintf(c->state, sizeof c->state, "%s", col_text(q, 4));
        c->opened_rs = sqlite3_column_int64(q, 5);
        const char *tname = col_text(q, 6);
        device_type t = DEVICE_TYPE_UNKNOWN;
        if (device_type_parse(tname, strlen(tname), &t) != ID_OK) t = DEVICE_TYPE_ESME;
        c->type = (int)t;
        snprintf(c->supplier, sizeof c->supplier, "%s", col_text(q, 7));
        snprintf(c->supplier_id, sizeof c->supplier_id, "%s", col_text(q, 8));
    }
    if (!r && rc != SQLITE_DONE) r = db_fail(s, rc, "cases", err);
    sqlite3_finalize(q);
    if (r) {
        free(cases);
        return r;
    }
    *out = cases;
    *n_out = n;
    return RFN_OK;
}

/* A device of the case's type on the wall at its MPxN, other than its own: the replacement is
 * seen (not proof of removal: the old meter may still be on the wall). Recorded once per
 * replacement device in the history. */
static rfn_status case_replacement(store *s, const case_queries *q, const active_case *c,
                                   rfn_error *err)
{
    char eui[EUI64_TEXT_LEN] = "";
    sqlite3_bind_int64(q->repl, 1, q->snap);
    sqlite3_bind_int64(q->repl, 2, (int64_t)c->mpxn_key);
    sqlite3_bind_int64(q->repl, 3, (int64_t)c->device_id);
    int rc;
    while ((rc = sqlite3_step(q->repl)) == SQLITE_ROW)
        if (sqlite3_column_int(q->repl, 1) == c->type &&
            device_status_in(q->installed, (device_status)sqlite3_column_int(q->repl, 2))) {
            eui64_format((uint64_t)sqlite3_column_int64(q->repl, 0), eui);
            break;
        }
    sqlite3_reset(q->repl);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_fail(s, rc, "case replacement", err);
    if (!eui[0]) return RFN_OK;
    char detail[160];
    snprintf(detail, sizeof detail, "%s %s on the wall at the same MPxN while the case's meter "
             "stays", device_type_name((device_type)c->type), eui);
    sqlite3_bind_int64(q->seen, 1, c->id);
    bind_text(q->seen, 2, detail);
    rc = sqlite3_step(q->seen);
    sqlite3_reset(q->seen);
    if (rc == SQLITE_ROW) return RFN_OK;
    if (rc != SQLITE_DONE) return db_fail(s, rc, "case replacement", err);
    return history_add(s, c->id, q->as_of, q->snap, 0, "replacement-seen", "", "", detail, err);
}

/* A Supplier as the history names it: "name" or "name (SupplierID)". */
static void supplier_text(const char *name, const char *id, char *out, size_t size)
{
    snprintf(out, size, id[0] ? "%s (%s)" : "%s", name, id);
}

/* The case follows its meter to the Supplier the latest extract names (issue 15), the same
 * Supplier judged by SupplierID when both readings have one (same_supplier): a transfer is
 * recorded as supplier-changed, and a new trading name under the same id as a note; the notice
 * date and deadlines stay. A case without an id takes the one the extract now gives. */
static rfn_status case_owner(store *s, const case_queries *q, active_case *c,
                             const char *supplier, const char *supplier_id, rfn_error *err)
{
    if (!supplier[0]) return RFN_OK;
    bool same = same_supplier(c->supplier, c->supplier_id, supplier, supplier_id);
    bool renamed = same && !store_supplier_match(c->supplier, supplier);
    if (same && !renamed && (!supplier_id[0] || !strcmp(c->supplier_id, supplier_id)))
        return RFN_OK;
    char from[300], to[300], detail[680];
    supplier_text(c->supplier, c->supplier_id, from, sizeof from);
    supplier_text(supplier, supplier_id, to, sizeof to);
    if (!same)
        snprintf(detail, sizeof detail, "transferred from %s to %s", from, to);
    else
        snprintf(detail, sizeof detail, "Supplier now named %s, was %s (same SupplierID)", to,
                 from);
    bind_text(q->owner, 1, same && !renamed ? c->supplier : supplier);
    bind_text(q->owner, 2, supplier_id[0] ? supplier_id : c->supplier_id);
    sqlite3_bind_int64(q->owner, 3, c->id);
    rfn_status r = db_done(s, q->owner, "case supplier", err);
    if (!r && (!same || renamed))
        r = history_add(s, c->id, q->as_of, q->snap, 0, same ? "note" : "supplier-changed", "",
                        "", detail, err);
    if (!same || renamed) snprintf(c->supplier, sizeof c->supplier, "%s", supplier);
    if (supplier_id[0]) snprintf(c->supplier_id, sizeof c->supplier_id, "%s", supplier_id);
    return r;
}

/* Where the register leaves the case: remediated (its own meter is off the wall), missing (the
 * extract lacks it), or still there (to = NULL), after moving it to the meter's Supplier and
 * noting a replacement seen beside it. */
static rfn_status case_register(store *s, const case_queries *q, active_case *c,
                                const char **to, char *detail, size_t size, rfn_error *err)
{
    sqlite3_bind_int64(q->dev, 1, q->snap);
    sqlite3_bind_int64(q->dev, 2, (int64_t)c->device_id);
    int rc = sqlite3_step(q->dev);
    rfn_status r = RFN_OK;
    if (rc == SQLITE_ROW) {
        device_status ds = (device_status)sqlite3_column_int(q->dev, 0);
        char supplier[256], supplier_id[128];
        snprintf(supplier, sizeof supplier, "%s", col_text(q->dev, 1));
        snprintf(supplier_id, sizeof supplier_id, "%s", col_text(q->dev, 2));
        sqlite3_reset(q->dev);
        if (ds == DEVICE_STATUS_DECOMMISSIONED || ds == DEVICE_STATUS_WITHDRAWN) {
            *to = "remediated";
            snprintf(detail, size, "DeviceStatus %s", device_status_name(ds));
        } else if (!(r = case_owner(s, q, c, supplier, supplier_id, err)) && c->mpxn_key) {
            r = case_replacement(s, q, c, err);
        }
        return r;
    }
    sqlite3_reset(q->dev);
    if (rc != SQLITE_DONE) return db_fail(s, rc, "case device", err);
    char d[ISO_DATE_TEXT_LEN];
    iso_date_format(q->as_of, d);
    *to = "missing-from-extract";
    snprintf(detail, size, "absent from the extract of %s: neither removed nor still installed "
             "as far as it shows", d);
    return RFN_OK;
}

/* resolved: newer evidence says compliant (to stays NULL otherwise). */
static rfn_status case_evidence(store *s, const case_queries *q, const active_case *c,
                                const char **to, int64_t *cause_rs, char *detail, size_t size,
                                rfn_error *err)
{
    sqlite3_bind_int64(q->ver, 1, (int64_t)c->device_id);
    sqlite3_bind_int64(q->ver, 2, c->opened_rs);
    int rc = sqlite3_step(q->ver);
    if (rc == SQLITE_ROW) {
        const char *v = col_text(q->ver, 0);
        device_verdict_kind k = classify_verdict_from_name(v);
        if (k == DEVICE_COMPLIANT || k == DEVICE_DEROGATION_COMPLIANT) {
            *to = "resolved";
            *cause_rs = sqlite3_column_int64(q->ver, 1);
            snprintf(detail, size, "re-assessed %s (result set %lld)", v, (long long)*cause_rs);
        }
    }
    sqlite3_reset(q->ver);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? RFN_OK : db_fail(s, rc, "case verdict", err);
}

/* Re-evaluate every active case against the latest snapshot and the latest verdicts (inside the
 * caller's transaction). result_set_id is the result set that triggered it (0 for an import).
 * The states and what moves a case between them: README "Remediation". */
static rfn_status cases_update(store *s, int64_t result_set_id, store_changes *changes,
                               rfn_error *err)
{
    case_queries q = {.rs = result_set_id};
    int64_t as_of64 = 0;
    bool found = false;
    rfn_status r = query_int(s, "SELECT id FROM snapshot ORDER BY as_of DESC, id DESC LIMIT 1", 0,
                             0, 0, &q.snap, &found, err);
    if (r || !found) return r;
    if ((r = query_int(s, "SELECT as_of FROM snapshot WHERE id = ?", q.snap, 0, 1, &as_of64, NULL,
                       err)))
        return r;
    q.as_of = (int32_t)as_of64;
    if ((r = snapshot_installed(s, q.snap, &q.installed, err))) return r;
    active_case *cases = NULL;
    size_t n = 0;
    if ((r = active_cases(s, &cases, &n, err)) || (r = case_queries_prepare(s, &q, err)))
        goto done;
    for (size_t i = 0; i < n; i++) {
        active_case *c = &cases[i];
        const char *to = NULL;
        char detail[200] = "";
        int64_t cause_rs = result_set_id;
        if ((r = case_register(s, &q, c, &to, detail, sizeof detail, err)) ||
            ((!to || !strcmp(to, "missing-from-extract")) &&
             (r = case_evidence(s, &q, c, &to, &cause_rs, detail, sizeof detail, err))))
            goto done;
        if (!to) {
            char due[ISO_DATE_TEXT_LEN];
            iso_date_format(c->due, due);
            to = q.as_of > c->due ? "overdue" : "open";
            snprintf(detail, sizeof detail, q.as_of > c->due ? "still installed after the "
                     "remediation due date %s" : "still installed", due);
        }
        if (!strcmp(to, c->state)) continue;
        bind_text(q.upd, 1, to);
        sqlite3_bind_int64(q.upd, 2, c->id);
        if ((r = db_done(s, q.upd, "case update", err)) ||
            (r = history_add(s, c->id, q.as_of, q.snap, cause_rs, "state", c->state, to, detail,
                             err)))
            goto done;
        count_change(changes, to);
    }
done:
    case_queries_free(&q);
    free(cases);
    return r;
}

/* ---- register snapshots ---------------------------------------------------------------------- */

/* Test hook for the crash-safety test: stall (forever) inside an import or add-results
 * transaction after this many rows, so a test can kill the process at a known point. */
static uint64_t stall_rows(void)
{
    const char *e = getenv("RFN_WORKSPACE_TEST_STALL_ROWS");
    return e && *e ? strtoull(e, NULL, 10) : 0;
}

static void test_stall_forever(void)
{
    fprintf(stderr, "rfnoise: test hook: stalled inside the transaction\n");
    for (;;)
        pause();
}

/* An extract whose accepted rows fall by more than STORE_SHRINK_MAX against the latest snapshot
 * is refused unless accepted on purpose (issue 15): a register cut short by a stray quote, or a
 * partial extract, would otherwise make every absent device look removed or missing. */
static rfn_status shrink_check(store *s, const store_snapshot_info *info, uint64_t accepted,
                               rfn_error *err)
{
    int64_t prev = 0;
    bool found = false;
    rfn_status r = query_int(s, "SELECT rows_accepted FROM snapshot ORDER BY as_of DESC, id DESC"
                             " LIMIT 1", 0, 0, 0, &prev, &found, err);
    if (r || !found || info->accept_shrink || (double)accepted >= (1 - STORE_SHRINK_MAX) * prev)
        return r;
    return rfn_error_set(err, RFN_ERR_CONFLICT,
                         "%s: %llu rows accepted against %lld in the latest snapshot (%.1f %% "
                         "fewer, more than %.0f %%): a partial or broken extract? give "
                         "--accept-shrink to import it anyway",
                         info->file, (unsigned long long)accepted, (long long)prev,
                         100.0 * (1 - (double)accepted / (double)prev), 100 * STORE_SHRINK_MAX);
}

/* The statements snapshot_devices runs per register row. */
typedef struct version_queries {
    sqlite3_stmt *open, *close, *ins;
} version_queries;

static void version_queries_free(version_queries *q)
{
    sqlite3_finalize(q->open);
    sqlite3_finalize(q->close);
    sqlite3_finalize(q->ins);
}

/* Whether the open version q->open stepped to reads as register row w does. */
static bool version_same(sqlite3_stmt *o, const register_data *reg, const register_row *w)
{
    int32_t date = w->install_date == REGISTER_NO_DATE ? STORE_NO_DATE : w->install_date;
    return sqlite3_column_int64(o, 1) == (int64_t)w->mpxn_key &&
           sqlite3_column_int(o, 2) == (int)w->type && sqlite3_column_int(o, 3) == (int)w->status &&
           !strcmp(col_text(o, 4), register_string(reg, w->supplier)) &&
           !strcmp(col_text(o, 5), register_string(reg, w->manufacturer)) &&
           !strcmp(col_text(o, 6), register_string(reg, w->model)) &&
           !strcmp(col_text(o, 7), register_string(reg, w->firmware)) &&
           sqlite3_column_int(o, 8) == (int)w->region && sqlite3_column_int(o, 9) == (int)w->han &&
           !strcmp(col_text(o, 10), w->postcode) && col_date(o, 11) == date &&
           !strcmp(col_text(o, 12), register_string(reg, w->supplier_id)) &&
           !strcmp(col_text(o, 13), register_string(reg, w->installer));
}

/* Register row w into snapshot id: nothing when its open version reads the same, else that
 * version closed at id and a new one opened (migration 2 -> 3). */
static rfn_status version_row(store *s, const version_queries *q, int64_t id,
                              const register_data *reg, const register_row *w, rfn_error *err)
{
    sqlite3_bind_int64(q->open, 1, (int64_t)w->device_id);
    int rc = sqlite3_step(q->open);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_fail(s, rc, "device", err);
    bool same = rc == SQLITE_ROW && version_same(q->open, reg, w);
    int64_t from = rc == SQLITE_ROW ? sqlite3_column_int64(q->open, 0) : 0;
    sqlite3_reset(q->open);
    if (same) return RFN_OK;
    rfn_status r;
    if (rc == SQLITE_ROW) {
        sqlite3_bind_int64(q->close, 1, id);
        sqlite3_bind_int64(q->close, 2, (int64_t)w->device_id);
        sqlite3_bind_int64(q->close, 3, from);
        if ((r = db_done(s, q->close, "device", err))) return r;
    }
    /* Interned strings live as long as reg: no copy needed (SQLITE_STATIC). */
    sqlite3_bind_int64(q->ins, 1, (int64_t)w->device_id);
    sqlite3_bind_int64(q->ins, 2, id);
    sqlite3_bind_int64(q->ins, 3, (int64_t)w->mpxn_key);
    sqlite3_bind_int(q->ins, 4, w->type);
    sqlite3_bind_int(q->ins, 5, w->status);
    bind_text_static(q->ins, 6, register_string(reg, w->supplier));
    bind_text_static(q->ins, 7, register_string(reg, w->manufacturer));
    bind_text_static(q->ins, 8, register_string(reg, w->model));
    bind_text_static(q->ins, 9, register_string(reg, w->firmware));
    sqlite3_bind_int(q->ins, 10, w->region);
    sqlite3_bind_int(q->ins, 11, w->han);
    bind_text_static(q->ins, 12, w->postcode);
    bind_date(q->ins, 13, w->install_date == REGISTER_NO_DATE ? STORE_NO_DATE : w->install_date);
    bind_text_static(q->ins, 14, register_string(reg, w->supplier_id));
    bind_text_static(q->ins, 15, register_string(reg, w->installer));
    return db_done(s, q->ins, "device", err);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Close at snapshot id every open version of an earlier snapshot whose device register reg
 * (snapshot id) lacks: the version's reading ends there. */
static rfn_status versions_absent(store *s, int64_t id, const register_data *reg,
                                  sqlite3_stmt *close, rfn_error *err)
{
    size_t n = register_count(reg), n_gone = 0, cap = 0;
    uint64_t *ids = malloc((n ? n : 1) * sizeof *ids), *gone = NULL;
    if (!ids) return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        ids[i] = register_rows(reg)[i].device_id;
    qsort(ids, n, sizeof *ids, cmp_u64);
    sqlite3_stmt *q = NULL;
    rfn_status r = db_prep(s, "SELECT device_id, from_snapshot FROM device_version WHERE"
                              " to_snapshot IS NULL AND from_snapshot < ?", &q, err);
    int rc = SQLITE_DONE;
    if (!r) sqlite3_bind_int64(q, 1, id);
    /* (device, from) pairs first, closed after the scan: no update under a running SELECT. */
    while (!r && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        uint64_t d = (uint64_t)sqlite3_column_int64(q, 0);
        if (bsearch(&d, ids, n, sizeof *ids, cmp_u64)) continue;
        if (n_gone + 2 > cap) {
            cap = cap ? 2 * cap : 1024;
            uint64_t *g = realloc(gone, cap * sizeof *g);
            if (!g) {
                r = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
                break;
            }
            gone = g;
        }
        gone[n_gone++] = d;
        gone[n_gone++] = (uint64_t)sqlite3_column_int64(q, 1);
    }
    if (!r && rc != SQLITE_DONE) r = db_fail(s, rc, "device", err);
    sqlite3_finalize(q);
    for (size_t i = 0; !r && i < n_gone; i += 2) {
        sqlite3_bind_int64(close, 1, id);
        sqlite3_bind_int64(close, 2, (int64_t)gone[i]);
        sqlite3_bind_int64(close, 3, (int64_t)gone[i + 1]);
        r = db_done(s, close, "device", err);
    }
    free(ids);
    free(gone);
    return r;
}

/* The devices of register reg as snapshot id: only what changed since the latest snapshot is
 * written (migration 2 -> 3). */
static rfn_status snapshot_devices(store *s, int64_t id, const register_data *reg,
                                   rfn_error *err)
{
    version_queries q = {0};
    rfn_status r;
    if ((r = db_prep(s,
                     "SELECT from_snapshot, mpxn, type, status, supplier, manufacturer, model,"
                     " firmware, region, han, postcode, install_date, supplier_id, installer"
                     " FROM device_version WHERE device_id = ? AND to_snapshot IS NULL",
                     &q.open, err)) ||
        (r = db_prep(s, "UPDATE device_version SET to_snapshot = ? WHERE device_id = ? AND"
                        " from_snapshot = ?", &q.close, err)) ||
        (r = db_prep(s,
                     "INSERT INTO device_version(device_id, from_snapshot, to_snapshot, mpxn,"
                     " type, status, supplier, manufacturer, model, firmware, region, han,"
                     " postcode, install_date, supplier_id, installer)"
                     " VALUES(?,?,NULL,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     &q.ins, err)) ||
        (r = versions_absent(s, id, reg, q.close, err)))
        goto done;
    const register_row *rows = register_rows(reg);
    uint64_t stall = stall_rows();
    for (size_t i = 0, nr = register_count(reg); i < nr && !r; i++) {
        r = version_row(s, &q, id, reg, &rows[i], err);
        if (stall && i + 1 == stall) test_stall_forever();
    }
done:
    version_queries_free(&q);
    return r;
}

/* The snapshot of this extract (same SHA-256 and date) if it was imported already. */
static rfn_status find_snapshot(store *s, const store_snapshot_info *info, int64_t *snapshot_id,
                                bool *already, rfn_error *err)
{
    sqlite3_stmt *q = NULL;
    rfn_status r;
    if ((r = db_prep(s, "SELECT id FROM snapshot WHERE sha256 = ? AND as_of = ?", &q, err)))
        return r;
    bind_text(q, 1, info->sha256);
    sqlite3_bind_int(q, 2, info->as_of);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *snapshot_id = sqlite3_column_int64(q, 0);
        *already = true;
    } else if (rc != SQLITE_DONE) {
        r = db_fail(s, rc, "snapshot", err);
    }
    sqlite3_finalize(q);
    return r;
}

/* Snapshots are imported in date order: cases and trends read them as a timeline. */
static rfn_status check_snapshot_order(store *s, const store_snapshot_info *info, rfn_error *err)
{
    bool found = false;
    int64_t latest = 0;
    rfn_status r = query_int(s, "SELECT max(as_of) FROM snapshot", 0, 0, 0, &latest, &found, err);
    if (r || !found || info->as_of >= latest)
        return r;
    char a[ISO_DATE_TEXT_LEN], b[ISO_DATE_TEXT_LEN];
    iso_date_format(info->as_of, a);
    iso_date_format((int32_t)latest, b);
    return rfn_error_set(err, RFN_ERR_CONFLICT,
                         "%s: extract date %s is before the latest snapshot's (%s): snapshots "
                         "are imported in date order",
                         info->file, a, b);
}

/* The snapshot row: the extract's file, hash, date and counts; its id into *id. */
static rfn_status insert_snapshot(store *s, const store_snapshot_info *info,
                                  const register_summary *sum, int64_t *id, rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r;
    if ((r = db_prep(s,
                     "INSERT INTO snapshot(file, sha256, as_of, rows_read, rows_accepted,"
                     " rows_rejected, rows_on_wall, errors, shrink_accepted, installed_statuses)"
                     " VALUES(?,?,?,?,?,?,?,?,?,?)",
                     &st, err)))
        return r;
    sqlite3_bind_int(st, 9, info->accept_shrink);
    char statuses[256] = "";
    if (info->installed)
        device_statuses_text(info->installed, statuses, sizeof statuses);
    bind_text(st, 10, statuses);
    bind_text(st, 1, info->file);
    bind_text(st, 2, info->sha256);
    sqlite3_bind_int(st, 3, info->as_of);
    sqlite3_bind_int64(st, 4, (int64_t)sum->rows_read);
    sqlite3_bind_int64(st, 5, (int64_t)sum->rows_accepted);
    sqlite3_bind_int64(st, 6, (int64_t)sum->rows_rejected);
    sqlite3_bind_int64(st, 7, (int64_t)sum->rows_on_wall);
    sqlite3_bind_int64(st, 8, (int64_t)sum->errors);
    r = db_done(s, st, "snapshot", err);
    sqlite3_finalize(st);
    if (!r)
        *id = sqlite3_last_insert_rowid(s->db);
    return r;
}

/* The register's row errors, kept with the snapshot they were found in. */
static rfn_status insert_snapshot_errors(store *s, const register_data *reg, int64_t id,
                                         rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r;
    if ((r = db_prep(s,
                     "INSERT INTO snapshot_error(snapshot_id, line, col, code, message)"
                     " VALUES(?,?,?,?,?)",
                     &st, err)))
        return r;
    for (size_t i = 0, ne = register_error_count(reg); i < ne && !r; i++) {
        register_error e;
        register_error_get(reg, i, &e);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, (int64_t)e.line);
        bind_text(st, 3, e.column);
        bind_text(st, 4, e.code);
        bind_text(st, 5, e.message);
        r = db_done(s, st, "snapshot error", err);
    }
    sqlite3_finalize(st);
    return r;
}

rfn_status store_import_register(store *s, const store_snapshot_info *info,
                                 const register_data *reg, int64_t *snapshot_id, bool *already,
                                 store_changes *changes, rfn_error *err)
{
    *already = false;
    *snapshot_id = 0;
    rfn_status r = db_begin(s, err);
    if (r) return r;
    int64_t id = 0;
    if ((r = find_snapshot(s, info, snapshot_id, already, err)))
        goto fail;
    if (*already) {
        db_rollback(s);
        return RFN_OK;
    }
    const register_summary *sum = register_get_summary(reg);
    if ((r = check_snapshot_order(s, info, err)) ||
        (r = shrink_check(s, info, sum->rows_accepted, err)) ||
        (r = insert_snapshot(s, info, sum, &id, err)) ||
        (r = insert_snapshot_errors(s, reg, id, err)) ||
        (r = snapshot_devices(s, id, reg, err)) ||
        (r = cases_update(s, 0, changes, err)) || (r = db_commit(s, err)))
        goto fail;
    *snapshot_id = id;
    return RFN_OK;
fail:
    db_rollback(s);
    return r;
}

/* ---- results --------------------------------------------------------------------------------- */

rfn_status store_results_begin(store *s, const store_results_info *info, int64_t *result_set_id,
                               bool *already, rfn_error *err)
{
    *already = false;
    if (s->in_results)
        return rfn_error_set(err, RFN_ERR_INVALID, "a result set is already being added");
    rfn_status r = db_begin(s, err);
    if (r) return r;
    sqlite3_stmt *st = NULL;
    int64_t v = 0, snap = 0;
    bool found = false;
    if ((r = db_prep(s, "SELECT id FROM result_set WHERE devices_sha256 = ?", &st, err))) goto fail;
    bind_text(st, 1, info->devices_sha256);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        v = sqlite3_column_int64(st, 0);
        found = true;
    } else if (rc != SQLITE_DONE) {
        r = db_fail(s, rc, "result set", err);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (r) goto fail;
    if (found) {
        db_rollback(s);
        *already = true;
        *result_set_id = v;
        return RFN_OK;
    }
    if ((r = query_int(s, "SELECT id FROM snapshot ORDER BY as_of DESC, id DESC LIMIT 1", 0, 0, 0,
                       &snap, &found, err)))
        goto fail;
    if (!found) {
        r = rfn_error_set(err, RFN_ERR_CONFLICT,
                          "%s: no register snapshot in the workspace: import the register the "
                          "results were made from first (rfnoise workspace import-register)",
                          s->dir);
        goto fail;
    }
    if ((r = db_prep(s,
                     "INSERT INTO result_set(snapshot_id, dir, devices_sha256, summary_sha256,"
                     " tool_version, limit_set_id, limit_set_version, derogation_ref,"
                     " limit_set_illustrative, derogation_cut_off) VALUES(?,?,?,?,?,?,?,?,?,?)",
                     &st, err)))
        goto fail;
    sqlite3_bind_int64(st, 1, snap);
    bind_text(st, 2, info->dir);
    bind_text(st, 3, info->devices_sha256);
    bind_text(st, 4, info->summary_sha256);
    bind_text(st, 5, info->tool_version);
    bind_text(st, 6, info->limit_set_id);
    bind_text(st, 7, info->limit_set_version);
    bind_text(st, 8, info->derogation_ref);
    sqlite3_bind_int(st, 9, info->limit_set_illustrative);
    /* 0 too is none: a zero-initialised info; InstallBy years are 2000..2099 */
    bind_date(st, 10, info->derogation_cut_off ? info->derogation_cut_off : STORE_NO_DATE);
    r = db_done(s, st, "result set", err);
    sqlite3_finalize(st);
    st = NULL;
    if (r) goto fail;
    s->rs_id = sqlite3_last_insert_rowid(s->db);
    if ((r = db_prep(s,
                     "INSERT INTO verdict(result_set_id, device_id, supplier, mpxn, device_type,"
                     " manufacturer, model, firmware, region, han, postcode, status, install_date,"
                     " verdict, reasons, worst_band, measured, limit_value, unit, margin_db,"
                     " evidence, n_captures, derogation_ref, limit_set_id, limit_set_version)"
                     " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     &s->ins_verdict, err)) ||
        (r = db_prep(s,
                     "INSERT OR IGNORE INTO capture(sha256, settings_hash, path, device_id, result,"
                     " result_set_id) VALUES(?,?,?,?,?,?)",
                     &s->ins_capture, err)) ||
        (r = db_prep(s,
                     "INSERT INTO measurement(result_set_id, source, source_id, device_id, model,"
                     " firmware, measured_at, band, quantity, detector, trace, rbw_hz, ref_bw_hz,"
                     " value, unit, worst_freq_hz, floor, coverage, calibration_id, geometry,"
                     " flags) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     &s->ins_measurement, err)))
        goto fail;
    s->in_results = true;
    s->rs_devices = 0;
    s->rs_stall = stall_rows();
    *result_set_id = s->rs_id;
    return RFN_OK;
fail:
    sqlite3_finalize(s->ins_verdict);
    sqlite3_finalize(s->ins_capture);
    sqlite3_finalize(s->ins_measurement);
    s->ins_verdict = s->ins_capture = s->ins_measurement = NULL;
    db_rollback(s);
    return r;
}

rfn_status store_results_verdict(store *s, const store_verdict *v, rfn_error *err)
{
    if (!s->in_results) return rfn_error_set(err, RFN_ERR_INVALID, "no result set being added");
    sqlite3_stmt *st = s->ins_verdict;
    sqlite3_bind_int64(st, 1, s->rs_id);
    sqlite3_bind_int64(st, 2, (int64_t)v->device_id);
    const char *texts[] = {v->supplier, v->mpxn,   v->device_type, v->manufacturer, v->model,
                           v->firmware, v->region, v->han,         v->postcode,     v->status};
    for (int i = 0; i < 10; i++)
        bind_text_static(st, 3 + i, texts[i]);
    bind_date(st, 13, v->install_date);
    bind_text_static(st, 14, v->verdict);
    bind_text_static(st, 15, v->reasons);
    bind_text_static(st, 16, v->worst_band);
    bind_real(st, 17, v->measured);
    bind_real(st, 18, v->limit);
    bind_text_static(st, 19, v->unit);
    bind_real(st, 20, v->margin_db);
    bind_text_static(st, 21, v->evidence);
    sqlite3_bind_int64(st, 22, v->n_captures);
    bind_text_static(st, 23, v->derogation_ref);
    bind_text_static(st, 24, v->limit_set_id);
    bind_text_static(st, 25, v->limit_set_version);
    rfn_status r = db_done(s, st, "verdict", err);
    if (r == RFN_OK) {
        s->rs_devices++;
        if (s->rs_devices == s->rs_stall) test_stall_forever();
    } else if ((sqlite3_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT) {
        char eui[EUI64_TEXT_LEN];
        eui64_format(v->device_id, eui);
        r = rfn_error_set(err, RFN_ERR_FORMAT, "DeviceID %s: %s", eui, sqlite3_errmsg(s->db));
    }
    return r;
}

rfn_status store_results_capture(store *s, const store_capture *c, bool *was_new, rfn_error *err)
{
    if (!s->in_results) return rfn_error_set(err, RFN_ERR_INVALID, "no result set being added");
    sqlite3_stmt *st = s->ins_capture;
    bind_text(st, 1, c->sha256);
    bind_text(st, 2, c->settings_hash);
    bind_text(st, 3, c->path);
    sqlite3_bind_int64(st, 4, (int64_t)c->device_id);
    bind_text(st, 5, c->result_json);
    sqlite3_bind_int64(st, 6, s->rs_id);
    rfn_status r = db_done(s, st, "capture", err);
    if (was_new) *was_new = r == RFN_OK && sqlite3_changes(s->db) > 0;
    return r;
}

const char *const store_measurement_cols[STORE_MEASUREMENT_COLS] = {
    "source", "source_id", "DeviceID", "model", "firmware", "measured_at", "band",
    "quantity", "detector", "trace", "rbw_hz", "ref_bw_hz", "value", "unit", "worst_freq_hz",
    "floor", "coverage", "calibration_id", "geometry", "flags"};

rfn_status store_results_measurement(store *s, const char *const *cells, rfn_error *err)
{
    if (!s->in_results) return rfn_error_set(err, RFN_ERR_INVALID, "no result set being added");
    sqlite3_stmt *st = s->ins_measurement;
    sqlite3_bind_int64(st, 1, s->rs_id);
    for (int i = 0; i < STORE_MEASUREMENT_COLS; i++) {
        /* The REAL columns: a number, or NULL for an empty cell (not measured). */
        int real = (i >= 10 && i <= 12) || (i >= 14 && i <= 16);
        char *end;
        double v = real && cells[i][0] ? strtod(cells[i], &end) : NAN;
        if (!real)
            bind_text(st, i + 2, cells[i]);
        else if (cells[i][0] && *end)
            return rfn_error_set(err, RFN_ERR_FORMAT, "%s '%s' is not a number",
                                 store_measurement_cols[i], cells[i]);
        else
            bind_real(st, i + 2, v);
    }
    return db_done(s, st, "measurement", err);
}

rfn_status store_results_commit(store *s, store_changes *changes, rfn_error *err)
{
    if (!s->in_results) return rfn_error_set(err, RFN_ERR_INVALID, "no result set being added");
    sqlite3_finalize(s->ins_verdict);
    sqlite3_finalize(s->ins_capture);
    sqlite3_finalize(s->ins_measurement);
    s->ins_verdict = s->ins_capture = s->ins_measurement = NULL;
    s->in_results = false;
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(s, "UPDATE result_set SET n_devices = ? WHERE id = ?", &st, err);
    if (r) goto fail;
    sqlite3_bind_int64(st, 1, (int64_t)s->rs_devices);
    sqlite3_bind_int64(st, 2, s->rs_id);
    r = db_done(s, st, "result set", err);
    sqlite3_finalize(st);
    if (r || (r = cases_update(s, s->rs_id, changes, err)) || (r = db_commit(s, err))) goto fail;
    return RFN_OK;
fail:
    db_rollback(s);
    return r;
}

void store_results_abort(store *s)
{
    sqlite3_finalize(s->ins_verdict);
    sqlite3_finalize(s->ins_capture);
    sqlite3_finalize(s->ins_measurement);
    s->ins_verdict = s->ins_capture = s->ins_measurement = NULL;
    s->in_results = false;
    db_rollback(s);
}

rfn_status store_capture_known(store *s, const char *sha256, const char *settings_hash, bool *known,
                               rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r =
        db_prep(s, "SELECT 1 FROM capture WHERE sha256 = ? AND settings_hash = ?", &st, err);
    if (r) return r;
    bind_text(st, 1, sha256);
    bind_text(st, 2, settings_hash);
    int rc = sqlite3_step(st);
    *known = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) r = db_fail(s, rc, "capture", err);
    sqlite3_finalize(st);
    return r;
}

/* ---- reading verdicts ------------------------------------------------------------------------ */

/* Verdicts of result sets up to ?1, each device's newest first (the primary key's order). Result
 * set ids grow with their snapshot's as_of (snapshots are imported in date order), so "result
 * sets of snapshots dated on or before D" is "ids up to the newest such set". */
/* The device's SupplierID and Installer come from the register snapshot the result set was
 * judged on (LEFT JOIN: "" for a device it lacks); CROSS JOIN keeps verdict the outer loop, in
 * its primary key's order. */
#define VERDICTS_SQL                                                                               \
    "SELECT v.device_id, v.supplier, v.mpxn, v.device_type, v.manufacturer, v.model, v.firmware," \
    " v.region, v.han, v.postcode, v.status, v.install_date, v.verdict, v.reasons, v.worst_band,"  \
    " v.measured, v.limit_value, v.unit, v.margin_db, v.evidence, v.n_captures, v.derogation_ref," \
    " v.limit_set_id, v.limit_set_version, v.result_set_id, coalesce(d.supplier_id, ''),"          \
    " coalesce(d.installer, '') FROM verdict v CROSS JOIN result_set r ON r.id = v.result_set_id" \
    " LEFT JOIN device_version d ON d.device_id = v.device_id"                                     \
    " AND d.from_snapshot <= r.snapshot_id"                                                        \
    " AND (d.to_snapshot IS NULL OR d.to_snapshot > r.snapshot_id)"                                \
    " WHERE v.result_set_id <= ?1 ORDER BY v.device_id, v.result_set_id DESC"

static rfn_status verdicts_prepare(store *s, int32_t as_of, sqlite3_stmt **st, rfn_error *err)
{
    int64_t max_rs = 0;
    bool found = false;
    rfn_status r = query_int(s,
                             "SELECT max(r.id) FROM result_set r JOIN snapshot s ON"
                             " s.id = r.snapshot_id WHERE s.as_of <= ?",
                             as_of, 0, 1, &max_rs, &found, err);
    if (r) return r;
    if ((r = db_prep(s, VERDICTS_SQL, st, err))) return r;
    sqlite3_bind_int64(*st, 1, found ? max_rs : 0);
    return RFN_OK;
}

static void verdict_from_row(sqlite3_stmt *st, store_verdict *v)
{
    v->device_id = (uint64_t)sqlite3_column_int64(st, 0);
    v->supplier = col_text(st, 1);
    v->mpxn = col_text(st, 2);
    v->device_type = col_text(st, 3);
    v->manufacturer = col_text(st, 4);
    v->model = col_text(st, 5);
    v->firmware = col_text(st, 6);
    v->region = col_text(st, 7);
    v->han = col_text(st, 8);
    v->postcode = col_text(st, 9);
    v->status = col_text(st, 10);
    v->install_date = col_date(st, 11);
    v->verdict = col_text(st, 12);
    v->reasons = col_text(st, 13);
    v->worst_band = col_text(st, 14);
    v->measured = col_real(st, 15);
    v->limit = col_real(st, 16);
    v->unit = col_text(st, 17);
    v->margin_db = col_real(st, 18);
    v->evidence = col_text(st, 19);
    v->n_captures = sqlite3_column_int64(st, 20);
    v->derogation_ref = col_text(st, 21);
    v->limit_set_id = col_text(st, 22);
    v->limit_set_version = col_text(st, 23);
    v->result_set_id = sqlite3_column_int64(st, 24);
    v->supplier_id = col_text(st, 25);
    v->installer = col_text(st, 26);
}

rfn_status store_verdicts_each(store *s, int32_t as_of, store_verdict_fn fn, void *ctx,
                               rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r = verdicts_prepare(s, as_of, &st, err);
    if (r) return r;
    int rc;
    bool first = true;
    uint64_t prev = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t id = (uint64_t)sqlite3_column_int64(st, 0);
        if (!first && id == prev) continue; /* an older verdict of the same device */
        first = false;
        prev = id;
        store_verdict v;
        verdict_from_row(st, &v);
        if (fn(&v, ctx)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) r = db_fail(s, rc, "verdicts", err);
    sqlite3_finalize(st);
    return r;
}

/* ---- remediation cases ----------------------------------------------------------------------- */

typedef struct pending_case {
    store_verdict v;
    char *texts; /* one block holding copies of v's strings */
} pending_case;

static char *copy_verdict_strings(store_verdict *v)
{
    const char **f[] = {&v->supplier, &v->mpxn,     &v->device_type, &v->manufacturer,
                        &v->model,    &v->firmware, &v->region,      &v->postcode,
                        &v->reasons,  &v->evidence, &v->worst_band,  &v->supplier_id,
                        &v->installer};
    size_t n = sizeof f / sizeof f[0], total = 0;
    for (size_t i = 0; i < n; i++)
        total += strlen(*f[i]) + 1;
    char *block = malloc(total), *p = block;
    if (!block) return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(*f[i]) + 1;
        memcpy(p, *f[i], len);
        *f[i] = p;
        p += len;
    }
    return block;
}

/* The devices whose latest verdict is non-compliant (of supplier, when given), their strings
 * copied (the statement's rows do not outlive the step). */
typedef struct pending_list {
    pending_case *c;
    size_t n, cap;
} pending_list;

static void pending_list_free(pending_list *pl)
{
    for (size_t i = 0; i < pl->n; i++)
        free(pl->c[i].texts);
    free(pl->c);
}

static rfn_status pending_add(pending_list *pl, sqlite3_stmt *q, rfn_error *err)
{
    if (pl->n == pl->cap) {
        pl->cap = pl->cap ? 2 * pl->cap : 64;
        pending_case *np = realloc(pl->c, pl->cap * sizeof *np);
        if (!np)
            return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        pl->c = np;
    }
    verdict_from_row(q, &pl->c[pl->n].v);
    if (!(pl->c[pl->n].texts = copy_verdict_strings(&pl->c[pl->n].v)))
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    pl->n++;
    return RFN_OK;
}

static rfn_status collect_noncompliant(store *s, pending_list *pl, rfn_error *err)
{
    sqlite3_stmt *q = NULL;
    rfn_status r;
    if ((r = verdicts_prepare(s, INT32_MAX, &q, err))) return r;
    int rc;
    bool first = true;
    uint64_t prev = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        uint64_t dev = (uint64_t)sqlite3_column_int64(q, 0);
        if (!first && dev == prev) continue; /* an older verdict of the same device */
        first = false;
        prev = dev;
        if (classify_verdict_from_name(col_text(q, 12)) != DEVICE_NONCOMPLIANT) continue;
        if ((r = pending_add(pl, q, err))) break;
    }
    if (!r && rc != SQLITE_DONE)
        r = db_fail(s, rc, "verdicts", err);
    sqlite3_finalize(q);
    return r;
}

/* The statements opening a case: is one active, is the device on the wall, insert. */
typedef struct case_stmts {
    sqlite3_stmt *q_active, *q_dev, *ins;
} case_stmts;

static rfn_status case_stmts_prepare(store *s, case_stmts *cs, rfn_error *err)
{
    rfn_status r;
    if ((r = db_prep(s,
                     "SELECT 1 FROM remediation_case WHERE device_id = ? AND state IN"
                     " ('open','overdue','missing-from-extract')",
                     &cs->q_active, err)) ||
        (r = db_prep(s, "SELECT status, supplier, supplier_id FROM device_version WHERE"
                        " device_id = ?2 AND " DEVICE_IN_SNAPSHOT, &cs->q_dev, err)) ||
        (r = db_prep(s,
                     "INSERT INTO remediation_case(device_id, mpxn, mpxn_key, supplier,"
                     " device_type, manufacturer, model, firmware, region, postcode,"
                     " install_date, reasons, evidence, worst_band, margin_db, notice_date,"
                     " plan_due, remediation_due, state, opened_snapshot, opened_result_set,"
                     " supplier_id) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'open',?,?,?)",
                     &cs->ins, err)))
        return r;
    return RFN_OK;
}

static void case_stmts_finalize(case_stmts *cs)
{
    sqlite3_finalize(cs->q_active);
    sqlite3_finalize(cs->q_dev);
    sqlite3_finalize(cs->ins);
}

/* The owner of a new case: the device's Supplier in the snapshot the case opens on. */
typedef struct case_owner_of {
    char supplier[256], supplier_id[128];
} case_owner_of;

/* Whether the device needs a new case: none active, and on the wall in snapshot snap; *owner is
 * its Supplier there ("" when the snapshot lacks it). */
static rfn_status case_wanted(store *s, const case_stmts *cs, uint64_t device_id, int64_t snap,
                              unsigned installed, bool *wanted, case_owner_of *owner,
                              rfn_error *err)
{
    *wanted = false;
    sqlite3_bind_int64(cs->q_active, 1, (int64_t)device_id);
    int rc = sqlite3_step(cs->q_active);
    sqlite3_reset(cs->q_active);
    if (rc == SQLITE_ROW)
        return RFN_OK;
    if (rc != SQLITE_DONE)
        return db_fail(s, rc, "cases", err);
    sqlite3_bind_int64(cs->q_dev, 1, snap);
    sqlite3_bind_int64(cs->q_dev, 2, (int64_t)device_id);
    rc = sqlite3_step(cs->q_dev);
    bool on_wall = rc == SQLITE_ROW &&
                   device_status_in(installed, (device_status)sqlite3_column_int(cs->q_dev, 0));
    if (rc == SQLITE_ROW) {
        snprintf(owner->supplier, sizeof owner->supplier, "%s", col_text(cs->q_dev, 1));
        snprintf(owner->supplier_id, sizeof owner->supplier_id, "%s", col_text(cs->q_dev, 2));
    }
    sqlite3_reset(cs->q_dev);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(s, rc, "device", err);
    *wanted = on_wall;
    return RFN_OK;
}

/* A new open case for v, owned by the device's Supplier in the snapshot (which the verdict's
 * may predate: ownership follows the meter, issue 15), its deadlines from the notice date, and
 * its history's first entry. */
static rfn_status insert_case(store *s, const case_stmts *cs, const store_verdict *v,
                              const case_owner_of *owner, int32_t notice_date, int64_t snap,
                              rfn_error *err)
{
    sqlite3_stmt *ins = cs->ins;
    rfn_status r;
    mpxn_kind kind = MPXN_NONE;
    uint64_t key = 0;
    if (mpxn_parse(v->mpxn, strlen(v->mpxn), &kind, &key) != ID_OK) key = 0;
    sqlite3_bind_int64(ins, 1, (int64_t)v->device_id);
    bind_text(ins, 2, v->mpxn);
    sqlite3_bind_int64(ins, 3, (int64_t)key);
    bind_text(ins, 4, owner->supplier[0] ? owner->supplier : v->supplier);
    bind_text(ins, 5, v->device_type);
    bind_text(ins, 6, v->manufacturer);
    bind_text(ins, 7, v->model);
    bind_text(ins, 8, v->firmware);
    bind_text(ins, 9, v->region);
    bind_text(ins, 10, v->postcode);
    bind_date(ins, 11, v->install_date);
    bind_text(ins, 12, v->reasons);
    bind_text(ins, 13, v->evidence);
    bind_text(ins, 14, v->worst_band);
    bind_real(ins, 15, v->margin_db);
    sqlite3_bind_int(ins, 16, notice_date);
    remediation_deadlines dl = remediation_deadlines_from_notice(notice_date);
    sqlite3_bind_int(ins, 17, dl.plan_due_day);
    sqlite3_bind_int(ins, 18, dl.removal_due_day);
    sqlite3_bind_int64(ins, 19, snap);
    sqlite3_bind_int64(ins, 20, v->result_set_id);
    bind_text(ins, 21, owner->supplier_id);
    if ((r = db_done(s, ins, "open case", err))) return r;
    int64_t case_id = sqlite3_last_insert_rowid(s->db);
    char detail[200];
    snprintf(detail, sizeof detail, "notice: %s (evidence %s)", v->reasons, v->evidence);
    return history_add(s, case_id, notice_date, snap, v->result_set_id, "opened", "", "open",
                       detail, err);
}

rfn_status store_cases_open(store *s, int32_t notice_date, const char *supplier,
                            store_changes *changes, rfn_error *err)
{
    rfn_status r = db_begin(s, err);
    if (r) return r;
    pending_list pl = {0};
    case_stmts cs = {0};
    int64_t snap = 0;
    bool found = false;
    if ((r = query_int(s, "SELECT id FROM snapshot ORDER BY as_of DESC, id DESC LIMIT 1", 0, 0, 0,
                       &snap, &found, err)))
        goto done;
    if (!found) {
        r = rfn_error_set(err, RFN_ERR_CONFLICT, "%s: no register snapshot in the workspace",
                          s->dir);
        goto done;
    }
    unsigned installed;
    if ((r = snapshot_installed(s, snap, &installed, err)) ||
        (r = collect_noncompliant(s, &pl, err)) ||
        (r = case_stmts_prepare(s, &cs, err)))
        goto done;
    for (size_t i = 0; i < pl.n; i++) {
        const store_verdict *v = &pl.c[i].v;
        bool wanted;
        case_owner_of owner = {"", ""};
        if ((r = case_wanted(s, &cs, v->device_id, snap, installed, &wanted, &owner, err)))
            goto done;
        if (supplier && !store_supplier_is(owner.supplier[0] ? owner.supplier : v->supplier,
                                           owner.supplier_id, supplier))
            continue; /* another Supplier's device */
        if (!wanted) {
            if (changes) changes->skipped++;
            continue;
        }
        if ((r = insert_case(s, &cs, v, &owner, notice_date, snap, err))) goto done;
        if (changes) changes->opened++;
    }
    r = db_commit(s, err);
done:
    if (r) db_rollback(s);
    case_stmts_finalize(&cs);
    pending_list_free(&pl);
    return r;
}

/* Dates agreed after a notice lie between the notice and 3 years after it (issue 15): a date
 * before the notice or in 2099 is a typing error, not an agreement. what names the date in the
 * message ("plan agreed on", "removal due", "timetable agreed on"); case_id 0 for none. */
enum { PLAN_MAX_DAYS = 3 * 365 + 1 };
static rfn_status plan_date_check(int64_t case_id, int32_t notice, int32_t date,
                                  const char *what, rfn_error *err)
{
    if (date >= notice && date <= notice + PLAN_MAX_DAYS)
        return RFN_OK;
    char d[ISO_DATE_TEXT_LEN], n[ISO_DATE_TEXT_LEN], who[40] = "";
    iso_date_format(date, d);
    iso_date_format(notice, n);
    if (case_id) snprintf(who, sizeof who, "case %lld: ", (long long)case_id);
    return rfn_error_set(err, RFN_ERR_INVALID, "%s%s %s is %s its notice of "
                         "%s: give a date from the notice to 3 years after it",
                         who, what, d, date < notice ? "before" : "over 3 years after", n);
}

static rfn_status case_notice(store *s, int64_t case_id, int32_t *notice, rfn_error *err)
{
    int64_t v = 0;
    bool found = false;
    rfn_status r = query_int(s, "SELECT notice_date FROM remediation_case WHERE id = ?", case_id,
                             0, 1, &v, &found, err);
    if (!r && !found)
        r = rfn_error_set(err, RFN_ERR_NOTFOUND, "%s: no remediation case %lld", s->dir,
                          (long long)case_id);
    *notice = (int32_t)v;
    return r;
}

/* A plan agreed on date with an agreed removal date due (STORE_NO_DATE: none given): both
 * checked against the notice, the due date then replaces remediation_due (inside a
 * transaction). */
static rfn_status plan_set(store *s, int64_t case_id, int32_t date, int32_t due, rfn_error *err)
{
    int32_t notice;
    rfn_status r = case_notice(s, case_id, &notice, err);
    if (r || (r = plan_date_check(case_id, notice, date, "plan agreed on", err)) ||
        (due != STORE_NO_DATE &&
         (r = plan_date_check(case_id, notice, due, "removal due", err))))
        return r;
    sqlite3_stmt *st = NULL;
    if ((r = db_prep(s, "UPDATE remediation_case SET plan_agreed = ?,"
                        " agreed_due = coalesce(?, agreed_due) WHERE id = ?", &st, err)))
        return r;
    sqlite3_bind_int(st, 1, date);
    if (due != STORE_NO_DATE) sqlite3_bind_int(st, 2, due);
    sqlite3_bind_int64(st, 3, case_id);
    r = db_done(s, st, "plan agreed", err);
    sqlite3_finalize(st);
    char text[96] = "remediation plan agreed", d[ISO_DATE_TEXT_LEN];
    if (due != STORE_NO_DATE) {
        iso_date_format(due, d);
        snprintf(text, sizeof text, "remediation plan agreed: removal due %s", d);
    }
    return r ? r : history_add(s, case_id, date, 0, 0, "plan-agreed", "", "", text, err);
}

rfn_status store_case_note(store *s, int64_t case_id, int32_t date, const char *text,
                           rfn_error *err)
{
    rfn_status r = db_begin(s, err);
    if (r) return r;
    int32_t notice;
    if ((r = case_notice(s, case_id, &notice, err)) ||
        (r = history_add(s, case_id, date, 0, 0, "note", "", "", text, err)) ||
        (r = db_commit(s, err)))
        db_rollback(s);
    return r;
}

rfn_status store_case_plan_agreed(store *s, const int64_t *case_ids, size_t n, int32_t date,
                                  int32_t due, rfn_error *err)
{
    rfn_status r = db_begin(s, err);
    for (size_t i = 0; !r && i < n; i++)
        r = plan_set(s, case_ids[i], date, due, err);
    if (!r) r = db_commit(s, err);
    if (r) db_rollback(s);
    return r;
}

rfn_status store_timetables_each(store *s, store_timetable_fn fn, void *ctx, rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(s, "SELECT notice_date, agreed, by FROM timetable ORDER BY notice_date",
                           &st, err);
    if (r) return r;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_timetable t = {sqlite3_column_int(st, 0), sqlite3_column_int(st, 1),
                             col_text(st, 2)};
        if (fn(&t, ctx)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) r = db_fail(s, rc, "timetables", err);
    sqlite3_finalize(st);
    return r;
}

rfn_status store_timetable_agreed(store *s, int32_t notice, int32_t date, rfn_error *err)
{
    rfn_status r = db_begin(s, err);
    if (r) return r;
    bool found = false;
    int64_t n = 0;
    if ((r = query_int(s, "SELECT count(*) FROM remediation_case WHERE notice_date = ?", notice,
                       0, 1, &n, &found, err)))
        goto fail;
    char d[ISO_DATE_TEXT_LEN], nd[ISO_DATE_TEXT_LEN];
    iso_date_format(notice, nd);
    if (!n) {
        r = rfn_error_set(err, RFN_ERR_NOTFOUND, "%s: no case has the notice of %s", s->dir, nd);
        goto fail;
    }
    if ((r = plan_date_check(0, notice, date, "timetable agreed on", err))) goto fail;
    char when[32];
    recorded_now(when);
    sqlite3_stmt *st = NULL;
    if ((r = db_prep(s, "INSERT OR REPLACE INTO timetable(notice_date, agreed, by, recorded_at)"
                        " VALUES(?,?,?,?)", &st, err)))
        goto fail;
    sqlite3_bind_int(st, 1, notice);
    sqlite3_bind_int(st, 2, date);
    bind_text(st, 3, s->actor);
    bind_text(st, 4, when);
    r = db_done(s, st, "timetable", err);
    sqlite3_finalize(st);
    /* every case of the notice keeps the agreement in its own history (the audit trail) */
    sqlite3_stmt *q = NULL;
    iso_date_format(date, d);
    char text[96];
    snprintf(text, sizeof text, "remediation timetable of the notice of %s agreed", nd);
    if (!r && !(r = db_prep(s, "SELECT id FROM remediation_case WHERE notice_date = ?"
                               " ORDER BY id", &q, err))) {
        sqlite3_bind_int(q, 1, notice);
        int rc;
        while (!r && (rc = sqlite3_step(q)) == SQLITE_ROW)
            r = history_add(s, sqlite3_column_int64(q, 0), date, 0, 0, "timetable-agreed", "",
                            "", text, err);
        sqlite3_finalize(q);
    }
    if (!r && !(r = db_commit(s, err))) return RFN_OK;
fail:
    db_rollback(s);
    return r;
}

rfn_status store_supplier_known(store *s, const char *name, bool *known, rfn_error *err)
{
    /* Every Supplier any snapshot named: a name the workspace has never seen is a typing error,
     * not a Supplier with nothing to do. */
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(s, "SELECT DISTINCT supplier, supplier_id FROM device_version", &st,
                           err);
    if (r) return r;
    *known = false;
    int rc;
    while (!*known && (rc = sqlite3_step(st)) == SQLITE_ROW)
        *known = store_supplier_is(col_text(st, 0), col_text(st, 1), name);
    if (!*known && rc != SQLITE_DONE) r = db_fail(s, rc, "suppliers", err);
    sqlite3_finalize(st);
    return r;
}

rfn_status store_cases_each(store *s, int32_t as_of, const char *supplier, store_case_fn fn,
                            void *ctx, rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(
        s,
        "SELECT c.id, c.device_id, c.supplier, c.mpxn, c.manufacturer, c.model, c.firmware,"
        " c.region, c.postcode, c.reasons, c.evidence, c.worst_band, c.margin_db, c.install_date,"
        " c.notice_date, c.plan_due, c.remediation_due,"
        " (SELECT h.date FROM case_history h WHERE h.case_id = c.id AND h.event = 'plan-agreed'"
        "   AND h.date <= ?1 ORDER BY h.id DESC LIMIT 1),"
        " (SELECT h.new_state FROM case_history h WHERE h.case_id = c.id AND h.new_state <> ''"
        "   AND h.date <= ?1 ORDER BY h.id DESC LIMIT 1),"
        " (SELECT h.date FROM case_history h WHERE h.case_id = c.id AND h.new_state <> ''"
        "   AND h.date <= ?1 ORDER BY h.id DESC LIMIT 1), c.agreed_due, c.supplier_id"
        " FROM remediation_case c WHERE c.notice_date <= ?1"
        " ORDER BY c.supplier, c.remediation_due, c.device_id, c.id",
        &st, err);
    if (r) return r;
    sqlite3_bind_int(st, 1, as_of);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_case c = {
            .id = sqlite3_column_int64(st, 0),
            .device_id = (uint64_t)sqlite3_column_int64(st, 1),
            .supplier = col_text(st, 2),
            .mpxn = col_text(st, 3),
            .manufacturer = col_text(st, 4),
            .model = col_text(st, 5),
            .firmware = col_text(st, 6),
            .region = col_text(st, 7),
            .postcode = col_text(st, 8),
            .reasons = col_text(st, 9),
            .evidence = col_text(st, 10),
            .worst_band = col_text(st, 11),
            .margin_db = col_real(st, 12),
            .install_date = col_date(st, 13),
            .notice_date = sqlite3_column_int(st, 14),
            .plan_due = sqlite3_column_int(st, 15),
            .remediation_due = sqlite3_column_int(st, 16),
            .plan_agreed = col_date(st, 17),
            .state = col_text(st, 18),
            .state_since = col_date(st, 19),
            .agreed_due = col_date(st, 20),
            .supplier_id = col_text(st, 21),
        };
        if (c.plan_agreed == STORE_NO_DATE) c.agreed_due = STORE_NO_DATE; /* agreed later */
        if (supplier && !store_supplier_is(c.supplier, c.supplier_id, supplier)) continue;
        if (fn(&c, ctx)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) r = db_fail(s, rc, "cases", err);
    sqlite3_finalize(st);
    return r;
}

rfn_status store_history_each(store *s, int64_t case_id, int32_t as_of, store_history_fn fn,
                              void *ctx, rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(s,
                           "SELECT h.case_id, c.device_id, h.date, h.snapshot_id, h.result_set_id,"
                           " h.event, h.old_state, h.new_state, h.detail, h.by FROM case_history h"
                           " JOIN remediation_case c ON c.id = h.case_id"
                           " WHERE (?1 = 0 OR h.case_id = ?1) AND h.date <= ?2"
                           " ORDER BY h.case_id, h.id",
                           &st, err);
    if (r) return r;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int(st, 2, as_of);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_history h = {
            .case_id = sqlite3_column_int64(st, 0),
            .device_id = (uint64_t)sqlite3_column_int64(st, 1),
            .date = sqlite3_column_int(st, 2),
            .snapshot_id = sqlite3_column_int64(st, 3),
            .result_set_id = sqlite3_column_int64(st, 4),
            .event = col_text(st, 5),
            .old_state = col_text(st, 6),
            .new_state = col_text(st, 7),
            .detail = col_text(st, 8),
            .by = col_text(st, 9),
        };
        if (fn(&h, ctx)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) r = db_fail(s, rc, "history", err);
    sqlite3_finalize(st);
    return r;
}

/* ---- provenance and status ------------------------------------------------------------------- */

rfn_status store_snapshots_each(store *s, store_snapshot_fn fn, void *ctx, rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(s,
                           "SELECT id, file, sha256, as_of, rows_read, rows_accepted,"
                           " rows_rejected, rows_on_wall, errors FROM snapshot ORDER BY id",
                           &st, err);
    if (r) return r;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_snapshot sn = {
            .id = sqlite3_column_int64(st, 0),
            .file = col_text(st, 1),
            .sha256 = col_text(st, 2),
            .as_of = sqlite3_column_int(st, 3),
            .rows_read = (uint64_t)sqlite3_column_int64(st, 4),
            .rows_accepted = (uint64_t)sqlite3_column_int64(st, 5),
            .rows_rejected = (uint64_t)sqlite3_column_int64(st, 6),
            .rows_on_wall = (uint64_t)sqlite3_column_int64(st, 7),
            .errors = (uint64_t)sqlite3_column_int64(st, 8),
        };
        if (fn(&sn, ctx)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) r = db_fail(s, rc, "snapshots", err);
    sqlite3_finalize(st);
    return r;
}

rfn_status store_result_sets_each(store *s, store_result_set_fn fn, void *ctx, rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(s,
                           "SELECT id, snapshot_id, dir, devices_sha256, summary_sha256,"
                           " tool_version, limit_set_id, limit_set_version, derogation_ref,"
                           " n_devices, limit_set_illustrative, derogation_cut_off FROM result_set"
                           " ORDER BY id",
                           &st, err);
    if (r) return r;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_result_set rs = {
            .id = sqlite3_column_int64(st, 0),
            .snapshot_id = sqlite3_column_int64(st, 1),
            .dir = col_text(st, 2),
            .devices_sha256 = col_text(st, 3),
            .summary_sha256 = col_text(st, 4),
            .tool_version = col_text(st, 5),
            .limit_set_id = col_text(st, 6),
            .limit_set_version = col_text(st, 7),
            .derogation_ref = col_text(st, 8),
            .n_devices = (uint64_t)sqlite3_column_int64(st, 9),
            .limit_set_illustrative = sqlite3_column_int(st, 10) != 0,
            .derogation_cut_off = col_date(st, 11),
        };
        if (fn(&rs, ctx)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) r = db_fail(s, rc, "result sets", err);
    sqlite3_finalize(st);
    return r;
}

rfn_status store_read_begin(store *s, rfn_error *err)
{
    rfn_status r = db_exec(s, "BEGIN", "begin", err);
    if (r) return r;
    /* A deferred transaction takes its snapshot at the first read: take it now. */
    int64_t n = 0;
    if ((r = query_int(s, "SELECT count(*) FROM snapshot", 0, 0, 0, &n, NULL, err))) db_rollback(s);
    return r;
}

void store_read_end(store *s)
{
    db_rollback(s); /* nothing was written: ending a read transaction */
}

rfn_status store_get_status(store *s, store_status *out, rfn_error *err)
{
    memset(out, 0, sizeof *out);
    out->schema_version = s->version;
    out->latest_as_of = STORE_NO_DATE;
    static const char *const counts[] = {
        "SELECT count(*) FROM snapshot",
        "SELECT count(*) FROM result_set",
        "SELECT count(*) FROM verdict",
        "SELECT count(*) FROM capture",
        "SELECT count(*) FROM remediation_case",
        "SELECT count(*) FROM remediation_case WHERE state = 'open'",
        "SELECT count(*) FROM remediation_case WHERE state = 'overdue'",
        "SELECT count(*) FROM remediation_case WHERE state = 'remediated'",
        "SELECT count(*) FROM remediation_case WHERE state = 'resolved'",
        "SELECT count(*) FROM remediation_case WHERE state = 'missing-from-extract'",
    };
    uint64_t *dst[] = {
        &out->snapshots,     &out->result_sets, &out->verdicts,      &out->captures,
        &out->cases,         &out->cases_open,  &out->cases_overdue, &out->cases_remediated,
        &out->cases_resolved, &out->cases_missing};
    /* One read transaction so the numbers agree with each other. */
    rfn_status r = db_exec(s, "BEGIN", "begin", err);
    if (r) return r;
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        int64_t v = 0;
        if ((r = query_int(s, counts[i], 0, 0, 0, &v, NULL, err))) goto done;
        *dst[i] = (uint64_t)v;
    }
    int64_t snap = 0, v = 0;
    bool found = false;
    if ((r = query_int(s, "SELECT id, as_of FROM snapshot ORDER BY as_of DESC, id DESC LIMIT 1", 0,
                       0, 0, &snap, &found, err)))
        goto done;
    if (found) {
        if ((r = query_int(s, "SELECT as_of FROM snapshot WHERE id = ?", snap, 0, 1, &v, NULL,
                           err)))
            goto done;
        out->latest_as_of = (int32_t)v;
        if ((r = query_int(s, "SELECT count(*) FROM device_version WHERE " DEVICE_IN_SNAPSHOT,
                           snap, 0, 1, &v, NULL, err)))
            goto done;
        out->latest_devices = (uint64_t)v;
    }
done:
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    return r;
}

rfn_status store_integrity_check(store *s, bool *ok, char msg[256], rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(s, "PRAGMA integrity_check", &st, err);
    if (r) return r;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(msg, 256, "%s", col_text(st, 0));
        *ok = strcmp(msg, "ok") == 0;
    } else {
        r = db_fail(s, rc, "integrity_check", err);
    }
    sqlite3_finalize(st);
    return r;
}

const char *store_library_version(void)
{
    return sqlite3_libversion();
}

/* ---- stock declarations ---------------------------------------------------------------------- */

static rfn_status stock_insert(store *s, sqlite3_stmt *st, const store_stock_line *l,
                               const char *when, rfn_error *err)
{
    sqlite3_bind_int(st, 1, l->as_of);
    bind_text(st, 2, l->file);
    bind_text(st, 3, l->sha256);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)l->line);
    bind_text(st, 5, l->supplier);
    bind_text(st, 6, l->manufacturer);
    bind_text(st, 7, l->model);
    bind_text(st, 8, l->firmware);
    sqlite3_bind_int64(st, 9, l->quantity);
    bind_text(st, 10, l->status);
    bind_text(st, 11, l->derogation);
    bind_date(st, 12, l->cut_off);
    bind_real(st, 13, l->rate);
    bind_real(st, 14, l->rate_lo);
    bind_real(st, 15, l->rate_hi);
    bind_real(st, 16, l->projected);
    bind_real(st, 17, l->surplus);
    bind_real(st, 18, l->surplus_lo);
    bind_real(st, 19, l->surplus_hi);
    sqlite3_bind_int64(st, 20, (sqlite3_int64)l->wrong_place);
    bind_text(st, 21, when);
    return db_done(s, st, "stock line", err);
}

rfn_status store_stock_import(store *s, const store_stock_line *lines, size_t n, int32_t as_of,
                              rfn_error *err)
{
    rfn_status r = db_begin(s, err);
    if (r) return r;
    sqlite3_stmt *del = NULL, *ins = NULL;
    char when[32];
    recorded_now(when);
    if (!(r = db_prep(s, "DELETE FROM stock_line WHERE as_of = ?", &del, err))) {
        sqlite3_bind_int(del, 1, as_of);
        r = db_done(s, del, "stock lines", err);
    }
    if (!r)
        r = db_prep(s, "INSERT INTO stock_line(as_of, file, sha256, line, supplier, manufacturer,"
                       " model, firmware, quantity, status, derogation, cut_off, rate, rate_lo,"
                       " rate_hi, projected, surplus, surplus_lo, surplus_hi, wrong_place,"
                       " recorded_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    &ins, err);
    for (size_t i = 0; !r && i < n; i++)
        r = stock_insert(s, ins, &lines[i], when, err);
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    if (!r && !(r = db_commit(s, err))) return RFN_OK;
    db_rollback(s);
    return r;
}

rfn_status store_stock_each(store *s, int32_t as_of, store_stock_fn fn, void *ctx,
                            rfn_error *err)
{
    sqlite3_stmt *st = NULL;
    rfn_status r = db_prep(s, "SELECT as_of, file, sha256, line, supplier, manufacturer, model,"
                              " firmware, quantity, status, derogation, cut_off, rate, rate_lo,"
                              " rate_hi, projected, surplus, surplus_lo, surplus_hi, wrong_place"
                              " FROM stock_line WHERE as_of <= ? ORDER BY supplier,"
                              " manufacturer, model, firmware, as_of, line", &st, err);
    if (r) return r;
    sqlite3_bind_int(st, 1, as_of);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_stock_line l = {
            .as_of = sqlite3_column_int(st, 0), .file = col_text(st, 1),
            .sha256 = col_text(st, 2), .line = (uint64_t)sqlite3_column_int64(st, 3),
            .supplier = col_text(st, 4), .manufacturer = col_text(st, 5),
            .model = col_text(st, 6), .firmware = col_text(st, 7),
            .quantity = sqlite3_column_int64(st, 8), .status = col_text(st, 9),
            .derogation = col_text(st, 10),
            .cut_off = sqlite3_column_type(st, 11) == SQLITE_NULL ? STORE_NO_DATE
                                                                  : sqlite3_column_int(st, 11),
            .rate = col_real(st, 12), .rate_lo = col_real(st, 13), .rate_hi = col_real(st, 14),
            .projected = col_real(st, 15), .surplus = col_real(st, 16),
            .surplus_lo = col_real(st, 17), .surplus_hi = col_real(st, 18),
            .wrong_place = (uint64_t)sqlite3_column_int64(st, 19),
        };
        if (fn(&l, ctx)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) r = db_fail(s, rc, "stock lines", err);
    sqlite3_finalize(st);
    return r;
}
