/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_workspace.c: `rfnoise workspace init|import-register|add-results|import-stock|status`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "cli.h"
#include "cli_opts.h"
#include "cli_stock.h"
#include "commands.h"
#include "hash.h"
#include "identifiers.h"
#include "progress.h"
#include "register.h"
#include "store.h"
#include "workspace_results.h"

static void workspace_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise workspace SUBCOMMAND [options]\n"
            "\n"
            "The workspace: a database (DIR/workspace.db) that remembers register snapshots,\n"
            "validate results and remediation cases between runs.\n"
            "\n"
            "Subcommands:\n"
            "  init DIR                          create a workspace in DIR (kept if it exists)\n"
            "  import-register FILE --as-of DATE record a register extract as a snapshot and\n"
            "                                    update every open case against it\n"
            "  add-results DIR                   add a `rfnoise validate` output directory\n"
            "  import-stock FILE --as-of DATE --derogations D.csv\n"
            "                                    record a stock declaration with the figures of\n"
            "                                    rfnoise stock on DATE (the latest snapshot on or\n"
            "                                    before it); a later import for DATE replaces it\n"
            "  status [--check]                  counts; --check runs an integrity check\n"
            "\n"
            "Options:\n"
            "  --workspace DIR   the workspace (default: $RFNOISE_WORKSPACE, else .)\n"
            "  --as-of DATE      the register extract's (or stock declaration's) date\n"
            "                    (YYYY-MM-DD)\n"
            "  --derogations FILE  import-stock: the derogation list (CSV or JSON)\n"
            "  --window-months N import-stock: run-rate window in months (default 3)\n"
            "  --check           status: run PRAGMA integrity_check too\n"
            "  --installed-statuses LIST\n"
            "                    import-register: DeviceStatus values counted as installed\n"
            "                    (default InstalledNotCommissioned,Commissioned,Whitelisted,\n"
            "                    Suspended,Recovery,Recovered), kept with the snapshot\n"
            "  --accept-shrink   import-register: import an extract with over 5 %% fewer\n"
            "                    accepted rows than the latest snapshot (recorded)\n"
            "  --encoding E      import-register: the register is in E: utf8 (default),\n"
            "                    cp1252 or latin1\n"
            "  --date-format F   import-register: its dates are ymd (default), dmy or mdy\n"
            "  -q, --quiet       no progress on stderr\n"
            "  -h, --help        show this help\n");
}

static int exit_for(rfn_status st)
{
    return st == RFN_OK ? RFN_EXIT_OK : RFN_EXIT_USAGE;
}

static void print_changes(const store_changes *c)
{
    printf("cases_to_open=%llu cases_to_overdue=%llu cases_to_remediated=%llu "
           "cases_to_resolved=%llu cases_to_missing=%llu\n",
           (unsigned long long)c->to_open, (unsigned long long)c->to_overdue,
           (unsigned long long)c->to_remediated, (unsigned long long)c->to_resolved,
           (unsigned long long)c->to_missing);
}

static int do_import(store *s, const char *file, int32_t as_of, int quiet, bool accept_shrink,
                     unsigned installed, const csv_input *in)
{
    rfn_error err = {0};
    char sha[HASH_HEX_MAX];
    rfn_status st = hash_sha256_file(file, sha, &err);
    if (st) {
        cli_error("workspace", &err);
        return exit_for(st);
    }
    register_config rc = register_config_default();
    rc.input = *in;
    rc.installed = installed;
    rc.progress = progress_create("loading register", 0, quiet);
    register_data *reg = NULL;
    st = register_load(file, &rc, &reg, &err);
    progress_destroy(rc.progress);
    if (st) {
        cli_error("workspace", &err);
        return exit_for(st);
    }
    store_snapshot_info info = {
        .file = file, .sha256 = sha, .as_of = as_of, .accept_shrink = accept_shrink,
        .installed = installed};
    int64_t id = 0;
    bool already = false;
    store_changes ch = {0};
    st = store_import_register(s, &info, reg, &id, &already, &ch, &err);
    if (st) {
        register_destroy(reg);
        cli_error("workspace", &err);
        return exit_for(st);
    }
    const register_summary *sum = register_get_summary(reg);
    if (already) {
        cli_errorf("workspace", "%s was already imported as snapshot %lld", file, (long long)id);
        printf("snapshot=%lld already=1\n", (long long)id);
    } else {
        printf("snapshot=%lld rows_read=%llu rows_accepted=%llu rows_rejected=%llu "
               "rows_on_wall=%llu sha256=%s lines=%llu separator=%s\n",
               (long long)id, (unsigned long long)sum->rows_read,
               (unsigned long long)sum->rows_accepted, (unsigned long long)sum->rows_rejected,
               (unsigned long long)sum->rows_on_wall, sha, (unsigned long long)sum->lines,
               sum->delim == '\t' ? "tab" : sum->delim == ';' ? "semicolon" : "comma");
        print_changes(&ch);
    }
    register_destroy(reg);
    return RFN_EXIT_OK;
}

/* Keeps the SHA-256 of the last (latest) snapshot walked. */
static int latest_sha(const store_snapshot *sn, void *ctx)
{
    snprintf(ctx, 65, "%s", sn->sha256);
    return 0;
}

static int do_add_results(store *s, const char *dir)
{
    rfn_error err = {0};
    workspace_results_summary sum;
    rfn_status st = workspace_add_results(s, dir, &sum, &err);
    if (st) {
        cli_error("workspace", &err);
        return exit_for(st);
    }
    if (sum.already) {
        cli_errorf("workspace", "%s/devices.csv was already added as result set %lld", dir,
                   (long long)sum.result_set_id);
        printf("result_set=%lld already=1\n", (long long)sum.result_set_id);
        return RFN_EXIT_OK;
    }
    if (sum.register_sha256[0]) {
        char latest[65] = "";
        store_snapshots_each(s, latest_sha, latest, &err);
        if (latest[0] && strcmp(latest, sum.register_sha256))
            cli_errorf("workspace",
                       "warning: %s was made from the register with SHA-256 %.16s..., not the "
                       "latest snapshot's (%.16s...)",
                       dir, sum.register_sha256, latest);
    }
    printf("result_set=%lld devices=%llu compliant=%llu derogation_compliant=%llu "
           "non_compliant=%llu inconclusive=%llu retest_required=%llu unassessed=%llu "
           "captures=%llu captures_new=%llu measurements=%llu\n",
           (long long)sum.result_set_id, (unsigned long long)sum.devices,
           (unsigned long long)sum.by_verdict[DEVICE_COMPLIANT],
           (unsigned long long)sum.by_verdict[DEVICE_DEROGATION_COMPLIANT],
           (unsigned long long)sum.by_verdict[DEVICE_NONCOMPLIANT],
           (unsigned long long)sum.by_verdict[DEVICE_INCONCLUSIVE],
           (unsigned long long)sum.by_verdict[DEVICE_RETEST_REQUIRED],
           (unsigned long long)sum.by_verdict[DEVICE_UNASSESSED], (unsigned long long)sum.captures,
           (unsigned long long)sum.captures_new, (unsigned long long)sum.measurements);
    print_changes(&sum.changes);
    return RFN_EXIT_OK;
}

static int do_status(store *s, bool check)
{
    rfn_error err = {0};
    store_status stt;
    rfn_status st = store_get_status(s, &stt, &err);
    if (st) {
        cli_error("workspace", &err);
        return exit_for(st);
    }
    char d[ISO_DATE_TEXT_LEN] = "";
    if (stt.latest_as_of != STORE_NO_DATE) iso_date_format(stt.latest_as_of, d);
    printf("schema_version: %d\nsnapshots: %llu\nlatest_snapshot_as_of: %s\n"
           "latest_snapshot_devices: %llu\nresult_sets: %llu\nverdicts: %llu\ncaptures: %llu\n"
           "cases: %llu\ncases_open: %llu\ncases_overdue: %llu\ncases_remediated: %llu\n"
           "cases_resolved: %llu\ncases_missing_from_extract: %llu\n",
           stt.schema_version, (unsigned long long)stt.snapshots, d,
           (unsigned long long)stt.latest_devices, (unsigned long long)stt.result_sets,
           (unsigned long long)stt.verdicts, (unsigned long long)stt.captures,
           (unsigned long long)stt.cases, (unsigned long long)stt.cases_open,
           (unsigned long long)stt.cases_overdue, (unsigned long long)stt.cases_remediated,
           (unsigned long long)stt.cases_resolved, (unsigned long long)stt.cases_missing);
    if (check) {
        bool ok = false;
        char msg[256];
        if ((st = store_integrity_check(s, &ok, msg, &err))) {
            cli_error("workspace", &err);
            return exit_for(st);
        }
        printf("integrity: %s\n", msg);
        if (!ok) return RFN_EXIT_USAGE;
        if ((st = store_history_verify(s, &ok, msg, &err))) {
            cli_error("workspace", &err);
            return exit_for(st);
        }
        printf("history_chain: %s\n", ok ? "ok" : msg);
        if (!ok) return RFN_EXIT_USAGE;
    }
    return RFN_EXIT_OK;
}

enum { O_WORKSPACE = 256, O_AS_OF, O_CHECK, O_ACCEPT_SHRINK, O_STATUSES, O_DEROG, O_WINDOW };

/* The options of every subcommand; which ones a subcommand needs is workspace_check's. */
typedef struct workspace_opts {
    const char *ws;
    int32_t as_of;
    bool have_as_of, check, accept_shrink;
    unsigned installed;
    int quiet;
    csv_input in;
    workspace_stock_args sa; /* import-stock's --derogations and --window-months */
} workspace_opts;

/* One option into o: CLI_OPT_HANDLED, or CLI_OPT_USAGE (reported, or an unknown option getopt
 * reported). */
static int workspace_option(int opt, const char *arg, workspace_opts *o)
{
    size_t bad_at = 0;
    switch (opt) {
    case 'q': o->quiet = 1; return CLI_OPT_HANDLED;
    case O_WORKSPACE: o->ws = arg; return CLI_OPT_HANDLED;
    case O_AS_OF:
        if (cli_opt_date("workspace", "as-of", arg, &o->as_of)) return CLI_OPT_USAGE;
        o->have_as_of = true;
        return CLI_OPT_HANDLED;
    case O_CHECK: o->check = true; return CLI_OPT_HANDLED;
    case O_ACCEPT_SHRINK: o->accept_shrink = true; return CLI_OPT_HANDLED;
    case O_DEROG: o->sa.derogations = arg; return CLI_OPT_HANDLED;
    case O_WINDOW: {
        char *end = NULL;
        o->sa.window_months = (int)strtol(arg, &end, 10);
        if (*end || end == arg || o->sa.window_months < 1 || o->sa.window_months > 120) {
            cli_errorf("workspace", "--window-months '%s': expected a whole number of "
                                    "months 1..120", text_esc(arg));
            return CLI_OPT_USAGE;
        }
        return CLI_OPT_HANDLED;
    }
    case O_STATUSES:
        if (device_statuses_parse(arg, &o->installed, &bad_at) != ID_OK) {
            cli_errorf("workspace", "--installed-statuses '%s': '%s' is not a DUIS "
                       "DeviceStatus", text_esc(arg), text_esc(arg + bad_at));
            return CLI_OPT_USAGE;
        }
        return CLI_OPT_HANDLED;
    case CLI_O_ENCODING:
    case CLI_O_DATE_FORMAT:
        return cli_input_opt(opt, arg, "workspace", &o->in) == CLI_OPT_USAGE ? CLI_OPT_USAGE
                                                                            : CLI_OPT_HANDLED;
    default:
        return CLI_OPT_USAGE;
    }
}

/* A known subcommand with its one argument (status: none); import-register needs --as-of.
 * 0, or -1 after printing why. */
static int workspace_check(const char *sub, int n_args, const workspace_opts *o)
{
    int want = !strcmp(sub, "init") || !strcmp(sub, "import-register") ||
                       !strcmp(sub, "add-results") || !strcmp(sub, "import-stock")
                   ? 1
               : !strcmp(sub, "status") ? 0
                                        : -1;
    if (want < 0) {
        cli_errorf("workspace", "unknown subcommand '%s' (see rfnoise workspace --help)", sub);
        return -1;
    }
    if (n_args != want) {
        cli_errorf("workspace", "%s: expected %d argument%s (see rfnoise workspace --help)", sub,
                   want, want == 1 ? "" : "s");
        return -1;
    }
    if (!strcmp(sub, "import-register") && !o->have_as_of) {
        cli_errorf("workspace", "import-register needs --as-of DATE (the extract's date)");
        return -1;
    }
    if (!strcmp(sub, "import-stock") && (!o->have_as_of || !o->sa.derogations)) {
        cli_errorf("workspace", "import-stock needs --as-of DATE (the declaration's date) and "
                                "--derogations FILE");
        return -1;
    }
    return 0;
}

int cmd_workspace(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"installed-statuses", required_argument, NULL, O_STATUSES},
        {"accept-shrink", no_argument, NULL, O_ACCEPT_SHRINK},
        {"workspace", required_argument, NULL, O_WORKSPACE},
        {"as-of", required_argument, NULL, O_AS_OF},
        {"check", no_argument, NULL, O_CHECK},
        {"derogations", required_argument, NULL, O_DEROG},
        {"window-months", required_argument, NULL, O_WINDOW},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        CLI_LONGOPTS_CSV_INPUT,
        {NULL, 0, NULL, 0},
    };
    workspace_opts o = {.sa.window_months = 3};
    o.ws = getenv("RFNOISE_WORKSPACE");
    if (!o.ws || !*o.ws) o.ws = ".";
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, "workspace", NULL, NULL)) != -1) {
        if (opt == 'h') {
            workspace_usage(stdout);
            return RFN_EXIT_OK;
        }
        if (workspace_option(opt, optarg, &o) != CLI_OPT_HANDLED)
            return RFN_EXIT_USAGE;
    }
    if (optind >= argc) {
        cli_errorf("workspace", "expected a subcommand: init, import-register, add-results, "
                                "import-stock or status (see rfnoise workspace --help)");
        return RFN_EXIT_USAGE;
    }
    const char *sub = argv[optind];
    char **args = argv + optind + 1;
    if (workspace_check(sub, argc - optind - 1, &o))
        return RFN_EXIT_USAGE;
    store_config cfg = store_config_default();
    const char *dir = o.ws;
    if (!strcmp(sub, "init")) {
        cfg.create = true;
        dir = args[0];
    }
    rfn_error err = {0};
    store *s = NULL;
    rfn_status st = store_open(dir, &cfg, &s, &err);
    if (st) {
        cli_error("workspace", &err);
        return exit_for(st);
    }
    int rc = RFN_EXIT_OK;
    if (!strcmp(sub, "init"))
        printf("workspace=%s schema_version=%d\n", text_esc(dir), store_schema_version(s));
    else if (!strcmp(sub, "import-register"))
        rc = do_import(s, args[0], o.as_of, o.quiet, o.accept_shrink, o.installed, &o.in);
    else if (!strcmp(sub, "add-results"))
        rc = do_add_results(s, args[0]);
    else if (!strcmp(sub, "import-stock")) {
        o.sa.file = args[0];
        o.sa.as_of = o.as_of;
        o.sa.input = o.in;
        rc = workspace_import_stock(s, o.ws, &o.sa);
    } else
        rc = do_status(s, o.check);
    store_close(s);
    return rc;
}
