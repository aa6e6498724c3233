/* SPDX-License-Identifier: GPL-2.0-or-later */
/* store.h: the workspace, an embedded SQLite database that remembers register snapshots, validate
 * results, capture analyses and remediation cases across runs. store.c is the only file that
 * includes sqlite3.h; everything else sees the typed records below. */
#ifndef RFN_STORE_H
#define RFN_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "register.h"
#include "rfn_error.h"

/* The database is DIR/workspace.db (plus SQLite's -wal and -shm files beside it).
 * - Schema versions are numbered from 1 (PRAGMA user_version). Opening applies the forward-only
 *   migrations up to STORE_SCHEMA_VERSION in one transaction; a database whose version is newer
 *   than this build's is refused (RFN_ERR_UNSUPPORTED, "upgrade rfnoise").
 * - WAL journal, foreign keys on, synchronous=NORMAL (a killed process never leaves a partial
 *   transaction; WAL keeps every committed one). Every write runs in one BEGIN IMMEDIATE
 *   transaction, so an import is all or nothing. Every value is a bound parameter.
 * - Another process holding the write lock longer than busy_timeout_ms gives RFN_ERR_BUSY
 *   ("workspace busy: ..."), never a partial write. */
#define STORE_SCHEMA_VERSION 5
#define STORE_DB_NAME "workspace.db"

/* Dates are days since 1970-01-01 (identifiers.h); STORE_NO_DATE is "none". */
#define STORE_NO_DATE INT32_MIN

typedef struct store store;

typedef struct store_config {
    bool create; /* create DIR and the database when absent (workspace init); default false */
    int busy_timeout_ms; /* wait this long for another writer; default 10000, or the environment
                          * variable RFN_WORKSPACE_BUSY_MS when set */
    const char *actor;   /* who acts (case history "by"); NULL: $LOGNAME, else the login name */
} store_config;

/* The actor store_open records for cfg->actor == given, into out (size bytes). */
void store_actor_default(const char *given, char *out, size_t size);

store_config store_config_default(void);

/* Open (or with cfg->create, create) the workspace in dir. Errors: RFN_ERR_NOTFOUND ("DIR: not a
 * workspace (run rfnoise workspace init DIR)"), RFN_ERR_UNSUPPORTED (newer schema), RFN_ERR_BUSY,
 * RFN_ERR_IO, RFN_ERR_FORMAT (not a database). cfg NULL = defaults. */
rfn_status store_open(const char *dir, const store_config *cfg, store **out, rfn_error *err);
void store_close(store *s); /* NULL is a no-op */

/* Schema version of the open database (after migrations: STORE_SCHEMA_VERSION). */
int store_schema_version(const store *s);

/* ---- case states and change counts --------------------------------------------------------- */

/* Remediation case states (docs/architecture.md §Domain): "open", "overdue", "remediated",
 * "resolved". remediated and resolved are final. */
typedef struct store_changes {
    uint64_t to_open, to_overdue, to_remediated, to_resolved; /* transitions made */
    uint64_t to_missing;                                      /* ... to missing-from-extract */
    uint64_t opened;                                          /* cases opened (remediation open) */
    uint64_t skipped; /* non-compliant devices not opened (already open, or not on the wall) */
} store_changes;

/* ---- register snapshots -------------------------------------------------------------------- */

typedef struct store_snapshot_info {
    const char *file;   /* as given (kept for provenance) */
    const char *sha256; /* of the file, 64 hex digits */
    int32_t as_of;      /* extract date */
    bool accept_shrink; /* import even when it has over STORE_SHRINK_MAX fewer accepted rows than
                           the latest snapshot (recorded in the snapshot) */
    unsigned installed; /* statuses counted as installed (--installed-statuses, recorded in the
                           snapshot); 0 = device_statuses_installed_default() */
} store_snapshot_info;

#define STORE_SHRINK_MAX 0.05

/* Record a loaded register as a new snapshot: its summary, error records and every accepted row,
 * in one transaction, then update every active remediation case against it
 * (docs/architecture.md §Domain):
 *   remediated - the device's status is Decommissioned or Withdrawn, or another device of its
 *                DeviceType (an ESME for an ESME; ESME when the type is not stated) is on the
 *                wall at the same ImportMPxN (replaced);
 *   resolved   - the device's latest verdict, from results added after the case opened, is
 *                compliant or derogation-compliant;
 *   overdue    - as_of is after the remediation due date and neither of the above;
 *   open       - otherwise.
 * Each change is kept in the case history with this snapshot and as_of as its date.
 * The same file (SHA-256) with the same as_of again is not imported twice: *snapshot_id is the
 * earlier one and *already is true. An as_of before the latest snapshot's is RFN_ERR_CONFLICT. */
rfn_status store_import_register(store *s, const store_snapshot_info *info,
                                 const register_data *reg, int64_t *snapshot_id, bool *already,
                                 store_changes *changes, rfn_error *err);

/* ---- validate results ------------------------------------------------------------------------ */

/* One row of a validate devices.csv (README "rfnoise validate"). Text fields may be "" but not
 * NULL; numbers NaN when empty; install_date STORE_NO_DATE when empty. */
typedef struct store_verdict {
    uint64_t device_id;
    const char *supplier, *mpxn, *device_type, *manufacturer, *model, *firmware, *region, *han,
        *postcode, *status;
    int32_t install_date;
    const char *verdict; /* compliant|derogation-compliant|non-compliant|inconclusive|unassessed */
    const char *reasons; /* ';'-separated reason codes */
    const char *worst_band;
    double measured, limit, margin_db;
    const char *unit, *evidence; /* evidence: capture|lab-model|none */
    int64_t n_captures;
    const char *derogation_ref, *limit_set_id, *limit_set_version;
    int64_t result_set_id; /* set by the store when reading back */
    /* Set by the store when reading back: the register's SupplierID and Installer for the
     * device in the snapshot the result set was judged on ("" when it gave none). */
    const char *supplier_id, *installer;
} store_verdict;

typedef struct store_results_info {
    const char *dir;
    const char *devices_sha256; /* identity of the result set: the same devices.csv twice is
                                 * added once */
    const char *summary_sha256; /* "" when there is no summary.json */
    const char *tool_version, *limit_set_id, *limit_set_version, *derogation_ref; /* "" unknown */
    bool limit_set_illustrative; /* summary.json limit_set.illustrative */
    /* summary.json derogation_list.cut_off (the list's latest InstallBy); STORE_NO_DATE or 0
     * when none */
    int32_t derogation_cut_off;
} store_results_info;

/* One capture analysis (captures.jsonl): keyed by content SHA-256 + settings hash; a key already
 * stored is kept as it is (nothing is analysed twice). */
typedef struct store_capture {
    const char *sha256, *settings_hash, *path;
    uint64_t device_id;      /* 0 when unknown */
    const char *result_json; /* the whole JSON object */
} store_capture;

/* Adding a result set: begin (opens the transaction and creates the set, tied to the latest
 * snapshot; no snapshot yet is RFN_ERR_CONFLICT), any number of verdict / capture calls, then
 * commit (which updates active cases: a compliant or derogation-compliant verdict resolves a
 * case) or abort. When the devices.csv was added before, begin sets *already and opens nothing:
 * call neither commit nor abort. */
rfn_status store_results_begin(store *s, const store_results_info *info, int64_t *result_set_id,
                               bool *already, rfn_error *err);
rfn_status store_results_verdict(store *s, const store_verdict *v, rfn_error *err);
rfn_status store_results_capture(store *s, const store_capture *c, bool *was_new, rfn_error *err);
/* One row of validate's measurements.csv (README "Data formats"), cells in the order of
 * store_measurement_cols (empty numbers are NULL). RFN_ERR_FORMAT names a bad number. */
#define STORE_MEASUREMENT_COLS 20
extern const char *const store_measurement_cols[STORE_MEASUREMENT_COLS];
rfn_status store_results_measurement(store *s, const char *const *cells, rfn_error *err);
rfn_status store_results_commit(store *s, store_changes *changes, rfn_error *err);
void store_results_abort(store *s);

/* Whether a capture analysis with this key is stored (so a caller can skip analysing it). */
rfn_status store_capture_known(store *s, const char *sha256, const char *settings_hash, bool *known,
                               rfn_error *err);

/* ---- remediation cases ----------------------------------------------------------------------- */

/* Supplier names as the market writes them: the same Supplier whatever the case and spacing
 * ("British  Gas" = "british gas"). Used wherever a Supplier is matched (--supplier, a change
 * of Supplier between snapshots). */
bool store_supplier_match(const char *a, const char *b);

/* Whether a Supplier read as name and SupplierID (id "" when none) is the one a user named in
 * query (--supplier): its name or its id, each by store_supplier_match. */
bool store_supplier_is(const char *name, const char *id, const char *query);

/* Whether any snapshot names a Supplier matching name (store_supplier_is: name or id). */
rfn_status store_supplier_known(store *s, const char *name, bool *known, rfn_error *err);

/* Open a case for every device whose latest verdict is non-compliant, that is on the wall in the
 * latest snapshot and has no active (open/overdue/missing-from-extract) case, owned by its
 * Supplier in that snapshot (name and SupplierID); supplier non-NULL restricts to that Supplier
 * (store_supplier_is). Plan due = notice + 10 days, remediation due = notice + 90 days
 * (docs/architecture.md §Domain). Idempotent: a second call opens nothing. */
rfn_status store_cases_open(store *s, int32_t notice_date, const char *supplier,
                            store_changes *changes, rfn_error *err);

/* Add a note to case_id (history event "note"), or record the date the Supplier's remediation
 * plan was agreed (event "plan-agreed"). RFN_ERR_NOTFOUND when there is no such case. */
rfn_status store_case_note(store *s, int64_t case_id, int32_t date, const char *text,
                           rfn_error *err);
/* The plans of cases case_ids[0..n-1] agreed on date, with an agreed removal date due that
 * replaces each case's remediation due date from then on (STORE_NO_DATE: none given); both must
 * lie from the case's notice to 3 years after it. All or nothing. */
rfn_status store_case_plan_agreed(store *s, const int64_t *case_ids, size_t n, int32_t date,
                                  int32_t due, rfn_error *err);

typedef struct store_timetable {
    int32_t notice_date, agreed;
    const char *by;
} store_timetable;
typedef int (*store_timetable_fn)(const store_timetable *t, void *ctx);
/* Every recorded timetable agreement, by notice date. */
rfn_status store_timetables_each(store *s, store_timetable_fn fn, void *ctx, rfn_error *err);

/* The Operations Group agreed the remediation timetable of the notice of `notice` on date (due
 * notice + 10 days); every case of that notice records it in its history. */
rfn_status store_timetable_agreed(store *s, int32_t notice, int32_t date, rfn_error *err);

typedef struct store_case {
    int64_t id;
    uint64_t device_id;
    const char *supplier, *mpxn, *manufacturer, *model, *firmware, *region, *postcode;
    const char *supplier_id; /* the owner's SupplierID; "" when no extract gave one */
    const char *reasons, *evidence, *worst_band;
    double margin_db;
    int32_t install_date, notice_date, plan_due, remediation_due;
    int32_t plan_agreed; /* STORE_NO_DATE when not agreed by as_of */
    int32_t agreed_due;  /* removal date agreed with the plan; STORE_NO_DATE when none by as_of */
    const char *state;   /* state at as_of (history up to as_of) */
    int32_t state_since; /* date of that state's history entry */
} store_case;

typedef int (*store_case_fn)(const store_case *c, void *ctx); /* non-zero stops the walk */

/* Cases whose notice date is on or before as_of (INT32_MAX: all), in the state their history
 * gives at as_of, ordered by Supplier, remediation due, DeviceID; supplier non-NULL filters. */
rfn_status store_cases_each(store *s, int32_t as_of, const char *supplier, store_case_fn fn,
                            void *ctx, rfn_error *err);

typedef struct store_history {
    int64_t case_id;
    uint64_t device_id;
    int32_t date;
    int64_t snapshot_id;               /* the snapshot that caused it; 0 none (notes) */
    int64_t result_set_id;             /* the result set that caused it; 0 none */
    const char *event;                 /* opened | state | note | plan-agreed | replacement-seen |
                                          supplier-changed */
    const char *old_state, *new_state; /* "" when not a state change */
    const char *detail;
    const char *by;                    /* who acted ("" for rows older than schema 2) */
} store_history;

typedef int (*store_history_fn)(const store_history *h, void *ctx);

/* History entries dated on or before as_of, of case_id (0: all cases), in case then entry order. */
rfn_status store_history_each(store *s, int64_t case_id, int32_t as_of, store_history_fn fn,
                              void *ctx, rfn_error *err);

/* ---- reading back ---------------------------------------------------------------------------- */

typedef int (*store_verdict_fn)(const store_verdict *v, void *ctx);

/* The latest verdict of every device (from the newest result set holding it) among result sets
 * whose snapshot's as_of is on or before as_of, ordered by DeviceID. */
rfn_status store_verdicts_each(store *s, int32_t as_of, store_verdict_fn fn, void *ctx,
                               rfn_error *err);

typedef struct store_snapshot {
    int64_t id;
    const char *file, *sha256;
    int32_t as_of;
    uint64_t rows_read, rows_accepted, rows_rejected, rows_on_wall, errors;
} store_snapshot;

typedef int (*store_snapshot_fn)(const store_snapshot *sn, void *ctx);
rfn_status store_snapshots_each(store *s, store_snapshot_fn fn, void *ctx, rfn_error *err);

typedef struct store_result_set {
    int64_t id, snapshot_id;
    const char *dir, *devices_sha256, *summary_sha256, *tool_version, *limit_set_id,
        *limit_set_version, *derogation_ref;
    uint64_t n_devices;
    bool limit_set_illustrative; /* judged under a limit set of illustrative values */
    int32_t derogation_cut_off;  /* its derogation list's cut-off; STORE_NO_DATE when none */
} store_result_set;

typedef int (*store_result_set_fn)(const store_result_set *rs, void *ctx);
rfn_status store_result_sets_each(store *s, store_result_set_fn fn, void *ctx, rfn_error *err);

/* A consistent view for a sequence of reads (the report): between begin and end every read sees
 * the workspace as it was at begin, whatever other processes commit meanwhile (WAL snapshot).
 * Writes are not allowed in between. end is a no-op without begin. */
rfn_status store_read_begin(store *s, rfn_error *err);
void store_read_end(store *s);

typedef struct store_status {
    int schema_version;
    uint64_t snapshots, result_sets, verdicts, captures, cases;
    uint64_t cases_open, cases_overdue, cases_remediated, cases_resolved, cases_missing;
    int32_t latest_as_of; /* STORE_NO_DATE when no snapshot */
    uint64_t latest_devices;
} store_status;

rfn_status store_get_status(store *s, store_status *st, rfn_error *err);

/* PRAGMA integrity_check: *ok and its first line of output in msg. */
rfn_status store_integrity_check(store *s, bool *ok, char msg[256], rfn_error *err);

/* Check the SHA-256 chain of every case's history (each row hashes its content with the row
 * before it): *ok false and msg naming the first row that does not match. */
rfn_status store_history_verify(store *s, bool *ok, char msg[256], rfn_error *err);

/* ---- stock declarations (workspace import-stock) ------------------------------------------ */

/* One declaration line with the figures `rfnoise stock` gave on its date (stock.h): status,
 * derogation ("" none), cut-off (STORE_NO_DATE none), run rate per month with its 95 %
 * interval, projected installs before the cut-off, surplus at the cut-off with its interval
 * (NAN when none) and the Supplier's wrong-place installs of the model. */
typedef struct store_stock_line {
    int32_t as_of;
    const char *file, *sha256; /* the declaration file as given, and its SHA-256 */
    uint64_t line;
    const char *supplier, *manufacturer, *model, *firmware;
    int64_t quantity;
    const char *status, *derogation;
    int32_t cut_off;
    double rate, rate_lo, rate_hi, projected, surplus, surplus_lo, surplus_hi;
    uint64_t wrong_place;
} store_stock_line;

/* Record the declaration of as_of (every line's as_of): one transaction; the lines of an earlier
 * import for the same date are replaced (a corrected declaration). */
rfn_status store_stock_import(store *s, const store_stock_line *lines, size_t n, int32_t as_of,
                              rfn_error *err);

typedef int (*store_stock_fn)(const store_stock_line *l, void *ctx);
/* Every line declared on or before as_of, by Supplier, manufacturer, model, firmware, date. */
rfn_status store_stock_each(store *s, int32_t as_of, store_stock_fn fn, void *ctx,
                            rfn_error *err);

/* SQLite's run-time version ("3.40.1"), for `rfnoise version`. */
const char *store_library_version(void);

#endif
