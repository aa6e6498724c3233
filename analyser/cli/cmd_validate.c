/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_validate.c: `rfnoise validate` (a Supplier's install batch against the register, lab
 * results and derogations), `rfnoise merge` (shard outputs into one result) and `rfnoise
 * rejudge` (a result judged again from its kept measurements). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "cli.h"
#include "cli_opts.h"
#include "commands.h"
#include "hash.h"
#include "identifiers.h"
#include "records.h"
#include "store.h"
#include "validate.h"

static void validate_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise validate --register R.csv [options] --out DIR\n"
            "\n"
            "Judge every installed device of a register extract (compliant, derogation-compliant,\n"
            "non-compliant, inconclusive, unassessed) from its own captures, else the lab result\n"
            "of its model + firmware, against the limit set and the derogation list. Writes\n"
            "devices.csv, noncompliance.csv, skipped.csv, register-errors.csv, captures.jsonl and\n"
            "summary.json into DIR (each atomically; analyses are cached in DIR/cache).\n"
            "\n"
            "Options:\n"
            "  --register FILE    installation register CSV (DUIS Read Inventory columns)\n"
            "  --derogations FILE derogation list (CSV or JSON)\n"
            "  --manifest FILE    captures CSV: capture,DeviceID,captured_at (paths relative to\n"
            "                     the manifest)\n"
            "  --captures DIR     every DIR/*.sigmf-meta, DeviceID from rfnoise:device_id\n"
            "  --lab-results DIR  DIR/index.csv: result,Manufacturer,Model,Firmware, each result\n"
            "                     an `rfnoise analyse --format json` output\n"
            "  --limits FILE      limit set (default: the bundled illustrative set)\n"
            "  --cal FILE         calibration file (dBFS -> dBm)\n"
            "  --cal-db X         calibration: add X dB to dBFS at every frequency\n"
            "  --cal-dir DIR      where captures' calibration ids are looked up (DIR/ID.json)\n"
            "  --notice-date D    notice date YYYY-MM-DD: plan due +10 d, remediation due +90 d\n"
            "  --planned          pre-install check: every row is a planned install, judged on\n"
            "                     lab results and derogations at its location and date\n"
            "  --jobs N           worker threads (default: all online CPUs)\n"
            "  --shard K/N        analyse only captures i with i mod N = K (0 <= K < N); join\n"
            "                     later with rfnoise merge\n"
            "  --strict           any rejected register row is an input error\n"
            "  --exclude-bursts   leave the hub's bursts out of each capture's analysis, as\n"
            "                     rfnoise analyse --exclude-bursts does\n"
            "  --decision-rule R  simple, guarded-accept, guarded-reject or cispr-16-4-2\n"
            "                     (default: the limit set's decision_rule, else simple)\n"
            "  --uncertainty-db U expanded uncertainty (k = 2) of every level in dB, instead\n"
            "                     of the calibration's or lab result's uncertainty_db\n"
            "  --installed-statuses LIST\n"
            "                     DeviceStatus values judged as installed, comma-separated\n"
            "                     (default: InstalledNotCommissioned,Commissioned,Whitelisted,\n"
            "                     Suspended,Recovery,Recovered)\n"
            "  --encoding E       the CSV inputs are in E: utf8 (default), cp1252 or latin1\n"
            "  --date-format F    their dates: ymd (YYYY-MM-DD, default), dmy (DD/MM/YYYY) or\n"
            "                     mdy (MM/DD/YYYY); ISO dates are read in every format\n"
            "  --quiet            no progress on stderr, no summary on stdout\n"
            "  --out DIR          output directory (created when absent)\n"
            "  -h, --help         show this help\n"
            "\n"
            "Exit status: 0 no non-compliant device, 1 some device non-compliant, 2 usage or\n"
            "input error (a rejected register row with --strict). A shard run exits 0.\n");
}

static void merge_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise merge DIR... --out DIR\n"
            "\n"
            "Join the outputs of `rfnoise validate --shard K/N` runs (all N shards, same inputs\n"
            "and settings) into one result, identical to a single run apart from timestamps.\n"
            "\n"
            "Options:\n"
            "  --out DIR          output directory (created when absent)\n"
            "  --quiet            no progress on stderr, no summary on stdout\n"
            "  -h, --help         show this help\n"
            "\n"
            "Exit status: as rfnoise validate; 2 also when a shard is missing or the shards\n"
            "differ.\n");
}

/* --installed-statuses LIST: the DUIS statuses judged as installed. */
static int opt_statuses(const char *cmd, const char *arg, unsigned *set)
{
    size_t bad_at = 0;
    if (device_statuses_parse(arg, set, &bad_at) == ID_OK) return 0;
    cli_errorf(cmd, "--installed-statuses '%s': '%.*s' is not a DUIS DeviceStatus (Pending, "
                    "Whitelisted, InstalledNotCommissioned, Commissioned, Decommissioned, "
                    "Withdrawn, Suspended, Recovery, Recovered, NotApplicable)",
               text_esc(arg), (int)strcspn(arg + bad_at, ","), text_esc(arg + bad_at));
    return -1;
}

static void rejudge_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise rejudge --results DIR|--workspace DIR [options] --out DIR\n"
            "\n"
            "Judge every device of a validate (or merge) output again from its kept\n"
            "measurements (DIR/captures.jsonl and the lab results), reading no capture: a what-if\n"
            "under another limit set or derogation list, or the same evidence against a newer\n"
            "register extract. Writes validate's files into the --out DIR, and flips.csv: every\n"
            "device whose verdict changed.\n"
            "\n"
            "Options:\n"
            "  --results DIR      the validate or merge output to judge again\n"
            "  --workspace DIR    instead: the workspace's latest result set (the folder it was\n"
            "                     added from, unchanged since)\n"
            "  --limits FILE      limit set (default: the one the results used)\n"
            "  --derogations FILE derogation list (default: the one the results used)\n"
            "  --register FILE    register extract (default: the results' own, which must be\n"
            "                     unchanged)\n"
            "  --notice-date D    notice date YYYY-MM-DD (default: the results' own)\n"
            "  --installed-statuses LIST\n"
            "                     DeviceStatus values judged as installed (default: the\n"
            "                     results' own)\n"
            "  --exclude-bursts   the verdicts must rest on measurements made with the hub's\n"
            "                     bursts left out: a capture measured without them is\n"
            "                     inconclusive, measured-otherwise (nothing is measured again)\n"
            "  --decision-rule R  simple, guarded-accept, guarded-reject or cispr-16-4-2\n"
            "                     (default: the results' own)\n"
            "  --uncertainty-db U expanded uncertainty (k = 2) of every level in dB (default:\n"
            "                     the results' own)\n"
            "  --quiet            no summary on stdout\n"
            "  --out DIR          output directory (created when absent; not the results DIR)\n"
            "  -h, --help         show this help\n"
            "\n"
            "Exit status: as rfnoise validate.\n");
}

static int finish(const char *cmd, const validate_totals *t, const char *out_dir, bool quiet)
{
    if (t->shard_only) {
        if (!quiet)
            printf("shard: %llu captures listed; records in %s/captures.jsonl (join with "
                   "rfnoise merge)\n",
                   (unsigned long long)t->captures, out_dir);
        return RFN_EXIT_OK;
    }
    /* Warnings on stderr, once each, whatever --quiet says: each explains many verdicts. */
    if (t->no_evidence)
        fprintf(stderr, "rfnoise: %s: warning: no captures and no lab results were given: every "
                        "device is unassessed (give --manifest, --captures or --lab-results)\n",
                cmd);
    if (t->uncalibrated)
        fprintf(stderr,
                "rfnoise: %s: %llu devices inconclusive: uncalibrated \u2014 give --cal FILE "
                "or --cal-db X\n",
                cmd, (unsigned long long)t->uncalibrated);
    for (uint64_t i = 0; i < t->captures_failed && i < 10; i++)
        fprintf(stderr, "rfnoise: %s: unreadable capture: %s\n", cmd, t->unreadable[i]);
    if (t->captures_failed > 10)
        fprintf(stderr, "rfnoise: %s: and %llu more in %s/captures.jsonl\n", cmd,
                (unsigned long long)(t->captures_failed - 10), out_dir);
    if (!quiet) {
        printf("register: %llu lines: header, %llu rows", (unsigned long long)t->lines,
               (unsigned long long)t->rows_read);
        if (t->other_lines)
            printf(", %llu blank or continuation lines", (unsigned long long)t->other_lines);
        if (t->delim && t->delim != ',')
            printf(" ('%s'-separated)", t->delim == '\t' ? "tab" : ";");
        printf("; %llu accepted, %llu rejected (%s/register-errors.csv)\n",
               (unsigned long long)t->rows_accepted, (unsigned long long)t->rows_rejected,
               out_dir);
        printf("captures: %llu listed, %llu analysed, %llu from cache, %llu unreadable\n",
               (unsigned long long)t->captures, (unsigned long long)t->captures_analysed,
               (unsigned long long)t->captures_cached, (unsigned long long)t->captures_failed);
        printf("limits: %s version %s%s\n", text_esc(t->limits_id), text_esc(t->limits_version),
               t->limits_illustrative ? " (ILLUSTRATIVE VALUES, not the limits in force)" : "");
        printf("devices:");
        for (int v = 0; v < DEVICE_VERDICT_COUNT; v++)
            printf(" %s %llu%s", classify_verdict_name((device_verdict_kind)v),
                   (unsigned long long)t->by_verdict[v], v + 1 < DEVICE_VERDICT_COUNT ? "," : "");
        printf("; skipped (not on the wall) %llu\n", (unsigned long long)t->skipped);
        printf("results: %s/devices.csv, %s/noncompliance.csv, %s/summary.json\n", out_dir,
               out_dir, out_dir);
    }
    rfn_error err = {0};
    if (cli_output_commit(NULL, &err)) {
        cli_error(cmd, &err);
        return RFN_EXIT_USAGE;
    }
    return t->by_verdict[DEVICE_NONCOMPLIANT] ? RFN_EXIT_NONCOMPLIANT : RFN_EXIT_OK;
}

enum { VO_REGISTER = 256, VO_DEROG, VO_MANIFEST, VO_CAPTURES, VO_LAB, VO_LIMITS, VO_CAL_DIR,
       VO_NOTICE, VO_PLANNED, VO_JOBS, VO_SHARD, VO_STRICT, VO_OUT, VO_STATUSES, VO_EXCL_BURSTS };

/* A helper's failure (already reported) as an option result. */
static int opt_result(int failed)
{
    return failed ? CLI_OPT_USAGE : CLI_OPT_HANDLED;
}

/* --shard K/N into cfg: CLI_OPT_HANDLED, or CLI_OPT_USAGE (reported). */
static int validate_shard_option(const char *cmd, const char *arg, validate_config *cfg)
{
    unsigned k, n;
    char end;
    if (sscanf(arg, "%u/%u%c", &k, &n, &end) != 2 || n < 1 || k >= n || n > 65536) {
        cli_errorf(cmd, "--shard '%s': expected K/N with 0 <= K < N", arg);
        return CLI_OPT_USAGE;
    }
    cfg->shard_k = k;
    cfg->shard_n = n;
    return CLI_OPT_HANDLED;
}

/* One of validate's own options (and the shared CSV input and decision ones) into cfg:
 * CLI_OPT_HANDLED, or CLI_OPT_USAGE (reported, or an unknown option getopt reported). */
static int validate_option(int opt, const char *arg, validate_config *cfg)
{
    const char *cmd = "validate";
    unsigned long long u;
    int32_t d;
    switch (opt) {
    case VO_REGISTER:
        return opt_result(cli_opt_once(cmd, "register", arg, &cfg->register_path));
    case VO_DEROG:
        return opt_result(cli_opt_once(cmd, "derogations", arg, &cfg->derogations_path));
    case VO_MANIFEST:
        return opt_result(cli_opt_once(cmd, "manifest", arg, &cfg->manifest_path));
    case VO_CAPTURES:
        return opt_result(cli_opt_once(cmd, "captures", arg, &cfg->captures_dir));
    case VO_LAB:
        return opt_result(cli_opt_once(cmd, "lab-results", arg, &cfg->lab_dir));
    case VO_LIMITS:
        return opt_result(cli_opt_once(cmd, "limits", arg, &cfg->limits_path));
    case VO_CAL_DIR:
        return opt_result(cli_opt_once(cmd, "cal-dir", arg, &cfg->cal_dir));
    case VO_NOTICE:
        if (cli_opt_date(cmd, "notice-date", arg, &d))
            return CLI_OPT_USAGE;
        cfg->notice_date = arg;
        return CLI_OPT_HANDLED;
    case VO_PLANNED: cfg->planned = true; return CLI_OPT_HANDLED;
    case VO_JOBS:
        if (cli_parse_u64(arg, &u) || u < 1 || u > 256) {
            cli_errorf(cmd, "--jobs '%s': expected 1 ... 256", arg);
            return CLI_OPT_USAGE;
        }
        cfg->jobs = (unsigned)u;
        return CLI_OPT_HANDLED;
    case VO_SHARD: return validate_shard_option(cmd, arg, cfg);
    case VO_STRICT: cfg->strict = true; return CLI_OPT_HANDLED;
    case VO_EXCL_BURSTS: cfg->exclude_bursts = true; return CLI_OPT_HANDLED;
    case VO_STATUSES:
        return opt_result(opt_statuses(cmd, arg, &cfg->installed_statuses));
    case VO_OUT: cfg->out_dir = arg; return CLI_OPT_HANDLED;
    case CLI_O_ENCODING:
    case CLI_O_DATE_FORMAT:
        return opt_result(cli_input_opt(opt, arg, cmd, &cfg->input) == CLI_OPT_USAGE);
    case CLI_O_DECISION_RULE:
    case CLI_O_UNCERTAINTY:
        return opt_result(cli_decision_opt(opt, arg, cmd, &cfg->decision) == CLI_OPT_USAGE);
    default:
        return CLI_OPT_USAGE;
    }
}

/* The options that only make sense together: 0, or -1 after printing why. */
static int validate_check_args(int argc, char **argv, const validate_config *cfg,
                               const cli_cal_opts *cal)
{
    const char *cmd = "validate";
    if (optind < argc) {
        cli_errorf(cmd, "unexpected argument '%s' (see rfnoise validate --help)", argv[optind]);
        return -1;
    }
    if (!cfg->register_path || !cfg->out_dir) {
        cli_errorf(cmd, "--register and --out are required (see rfnoise validate --help)");
        return -1;
    }
    if (cfg->manifest_path && cfg->captures_dir) {
        cli_errorf(cmd, "give --manifest or --captures, not both");
        return -1;
    }
    if (cli_cal_opts_check(cal, cmd))
        return -1;
    if (cfg->planned && (cfg->manifest_path || cfg->captures_dir || cfg->shard_n)) {
        cli_errorf(cmd, "--planned takes no captures (and so no --shard)");
        return -1;
    }
    return 0;
}

int cmd_validate(int argc, char **argv)
{
    const char *cmd = "validate";
    static const struct option longopts[] = {
        {"register", required_argument, 0, VO_REGISTER},
        {"derogations", required_argument, 0, VO_DEROG},
        {"manifest", required_argument, 0, VO_MANIFEST},
        {"captures", required_argument, 0, VO_CAPTURES},
        {"lab-results", required_argument, 0, VO_LAB},
        {"limits", required_argument, 0, VO_LIMITS},
        CLI_LONGOPTS_CAL_NO_RX_GAIN,
        {"cal-dir", required_argument, 0, VO_CAL_DIR},
        {"notice-date", required_argument, 0, VO_NOTICE},
        {"planned", no_argument, 0, VO_PLANNED},
        {"jobs", required_argument, 0, VO_JOBS},
        {"shard", required_argument, 0, VO_SHARD},
        {"strict", no_argument, 0, VO_STRICT},
        {"exclude-bursts", no_argument, 0, VO_EXCL_BURSTS},
        CLI_LONGOPTS_DECISION,
        {"installed-statuses", required_argument, 0, VO_STATUSES},
        CLI_LONGOPTS_QUIET,
        CLI_LONGOPTS_CSV_INPUT,
        {"out", required_argument, 0, VO_OUT},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    validate_config cfg = validate_config_default();
    cli_capture_opts co = cli_capture_opts_default(); /* only --quiet */
    cli_cal_opts cal = cli_cal_opts_default();
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, cmd, &co, &cal)) != -1) {
        if (opt == 'h') {
            validate_usage(stdout);
            return RFN_EXIT_OK;
        }
        if (validate_option(opt, optarg, &cfg) != CLI_OPT_HANDLED)
            return RFN_EXIT_USAGE;
    }
    cfg.quiet = co.quiet;
    cfg.cal_path = cal.path;
    cfg.cal_db = cal.db;
    if (validate_check_args(argc, argv, &cfg, &cal))
        return RFN_EXIT_USAGE;
    validate_totals tot;
    rfn_error err = {0};
    if (validate_run(&cfg, &tot, &err)) {
        cli_error(cmd, &err);
        return RFN_EXIT_USAGE;
    }
    return finish(cmd, &tot, cfg.out_dir, cfg.quiet);
}

int cmd_merge(int argc, char **argv)
{
    enum { O_OUT = 256 };
    static const struct option longopts[] = {
        {"out", required_argument, 0, O_OUT},
        CLI_LONGOPTS_QUIET,
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *out = NULL;
    cli_capture_opts co = cli_capture_opts_default(); /* only --quiet */
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, "merge", &co, NULL)) != -1) {
        switch (opt) {
        case 'h':
            merge_usage(stdout);
            return RFN_EXIT_OK;
        case O_OUT: out = optarg; break;
        default:
            return RFN_EXIT_USAGE;
        }
    }
    if (!out || optind >= argc) {
        cli_errorf("merge", "give the shard directories and --out DIR (see rfnoise merge --help)");
        return RFN_EXIT_USAGE;
    }
    bool quiet = co.quiet;
    validate_totals tot;
    rfn_error err = {0};
    if (validate_merge((const char *const *)&argv[optind], (size_t)(argc - optind), out, quiet,
                       &tot, &err)) {
        cli_error("merge", &err);
        return RFN_EXIT_USAGE;
    }
    return finish("merge", &tot, out, quiet);
}

/* The folder of the workspace's latest result set, checked unchanged since it was added. */
typedef struct latest_rs {
    int64_t id;
    char dir[4096], sha256[HASH_HEX_MAX];
} latest_rs;

static int take_latest(const store_result_set *rs, void *ctx)
{
    latest_rs *l = ctx;
    if (rs->id > l->id) {
        l->id = rs->id;
        snprintf(l->dir, sizeof l->dir, "%s", rs->dir);
        snprintf(l->sha256, sizeof l->sha256, "%s", rs->devices_sha256);
    }
    return 0;
}

static rfn_status workspace_results_dir(const char *ws, latest_rs *l, rfn_error *err)
{
    store *s = NULL;
    memset(l, 0, sizeof *l);
    rfn_status st = store_open(ws, NULL, &s, err);
    if (!st)
        st = store_result_sets_each(s, take_latest, l, err);
    store_close(s);
    if (st)
        return st;
    if (!l->id)
        return rfn_error_set(err, RFN_ERR_NOTFOUND, "%s: no result set in the workspace (add one "
                             "with rfnoise workspace add-results)", ws);
    char path[4200], hex[HASH_HEX_MAX];
    snprintf(path, sizeof path, "%s/devices.csv", l->dir);
    if ((st = hash_sha256_file(path, hex, err))) {
        rfn_error_prefix(err, "result set %lld: ", (long long)l->id);
        return st;
    }
    if (strcmp(hex, l->sha256))
        return rfn_error_set(err, RFN_ERR_CONFLICT, "%s changed since it was added to %s as "
                             "result set %lld", path, ws, (long long)l->id);
    return RFN_OK;
}

int cmd_rejudge(int argc, char **argv)
{
    const char *cmd = "rejudge";
    enum { O_RESULTS = 256, O_WORKSPACE, O_LIMITS, O_DEROG, O_REGISTER, O_NOTICE, O_OUT,
           O_STATUSES, O_EXCL_BURSTS };
    static const struct option longopts[] = {
        {"results", required_argument, 0, O_RESULTS},
        {"workspace", required_argument, 0, O_WORKSPACE},
        {"limits", required_argument, 0, O_LIMITS},
        {"derogations", required_argument, 0, O_DEROG},
        {"register", required_argument, 0, O_REGISTER},
        {"notice-date", required_argument, 0, O_NOTICE},
        {"installed-statuses", required_argument, 0, O_STATUSES},
        {"exclude-bursts", no_argument, 0, O_EXCL_BURSTS},
        CLI_LONGOPTS_DECISION,
        {"out", required_argument, 0, O_OUT},
        CLI_LONGOPTS_QUIET,
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    rejudge_config rc = {0};
    const char *ws = NULL;
    cli_capture_opts co = cli_capture_opts_default(); /* only --quiet */
    int opt, bad = 0;
    int32_t d;
    optind = 1;
    while (!bad && (opt = cli_getopt(argc, argv, longopts, cmd, &co, NULL)) != -1) {
        switch (opt) {
        case 'h': rejudge_usage(stdout); return RFN_EXIT_OK;
        case O_RESULTS: bad = cli_opt_once(cmd, "results", optarg, &rc.results_dir); break;
        case O_WORKSPACE: bad = cli_opt_once(cmd, "workspace", optarg, &ws); break;
        case O_LIMITS: bad = cli_opt_once(cmd, "limits", optarg, &rc.limits_path); break;
        case O_DEROG: bad = cli_opt_once(cmd, "derogations", optarg, &rc.derogations_path); break;
        case O_REGISTER: bad = cli_opt_once(cmd, "register", optarg, &rc.register_path); break;
        case O_NOTICE:
            bad = cli_opt_date(cmd, "notice-date", optarg, &d) ||
                  cli_opt_once(cmd, "notice-date", optarg, &rc.notice_date);
            break;
        case O_OUT: bad = cli_opt_once(cmd, "out", optarg, &rc.out_dir); break;
        case O_STATUSES: bad = opt_statuses(cmd, optarg, &rc.installed_statuses); break;
        case O_EXCL_BURSTS: rc.exclude_bursts = true; break;
        case CLI_O_DECISION_RULE:
        case CLI_O_UNCERTAINTY:
            bad = cli_decision_opt(opt, optarg, cmd, &rc.decision) == CLI_OPT_USAGE;
            break;
        default: return RFN_EXIT_USAGE;
        }
    }
    if (bad)
        return RFN_EXIT_USAGE;
    if (optind < argc) {
        cli_errorf(cmd, "unexpected argument '%s' (see rfnoise rejudge --help)", argv[optind]);
        return RFN_EXIT_USAGE;
    }
    if (!rc.results_dir == !ws || !rc.out_dir) {
        cli_errorf(cmd, "give --results DIR or --workspace DIR, and --out DIR (see rfnoise "
                        "rejudge --help)");
        return RFN_EXIT_USAGE;
    }
    rc.quiet = co.quiet;
    validate_totals tot;
    rfn_error err = {0};
    latest_rs latest;
    if (ws) {
        if (workspace_results_dir(ws, &latest, &err)) {
            cli_error(cmd, &err);
            return RFN_EXIT_USAGE;
        }
        rc.results_dir = latest.dir;
    }
    if (validate_rejudge(&rc, &tot, &err)) {
        cli_error(cmd, &err);
        return RFN_EXIT_USAGE;
    }
    return finish(cmd, &tot, rc.out_dir, rc.quiet);
}
