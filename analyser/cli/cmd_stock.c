/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_stock.c: `rfnoise stock`: can each Supplier's declared derogation stock still go into the
 * acceptable locations before the cut-off, at its own run rate (stock.h)? */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "cli.h"
#include "hash.h"
#include "cli_opts.h"
#include "commands.h"
#include "identifiers.h"
#include "io_guard.h"
#include "cli_stock.h"
#include "stock.h"
#include "store.h"
#include "text_escape.h"

static void stock_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise stock --register R.csv|--workspace DIR --derogations D.csv "
            "--stock S.csv\n"
            "       --out DIR [options]\n"
            "\n"
            "For each line of a Supplier's stock declaration: the derogation covering the model\n"
            "and firmware (else not-installable, and why), its cut-off and acceptable locations,\n"
            "the Supplier's run rate of the model into those locations over the last N complete\n"
            "months of the register, the installs projected before the cut-off, the stock left\n"
            "then (surplus) and the rate needed to use it all, each with a 95 %% Poisson\n"
            "interval; and installs of derogated models outside their acceptable locations, by\n"
            "Supplier and month. Writes stock.csv, wrong-place.csv, stock-errors.csv and\n"
            "stock.html (the report section) into DIR.\n"
            "\n"
            "Options:\n"
            "  --register FILE     installation register CSV (DUIS Read Inventory columns)\n"
            "  --workspace DIR     instead: the workspace's latest register snapshot (on or\n"
            "                      before --as-of; the file it was imported from, refused when\n"
            "                      it changed since)\n"
            "  --derogations FILE  derogation list (CSV or JSON)\n"
            "  --stock FILE        stock declaration CSV: Supplier, DeviceManufacturer,\n"
            "                      DeviceModel, DeviceFirmwareVersion, quantity, as_of\n"
            "                      [, warehouse_region]\n"
            "  --as-of DATE        judge every line on DATE (default: each line's as_of)\n"
            "  --window-months N   run-rate window in complete months before as_of (default 3)\n"
            "  --format F          standard output: text (default, one line per declaration\n"
            "                      line) or json (every figure)\n"
            "  --installed-statuses LIST\n"
            "                      DeviceStatus values counted as installed (as for validate)\n"
            "  --encoding E        the CSV inputs are in E: utf8 (default), cp1252 or latin1\n"
            "  --date-format F     their dates: ymd (default), dmy or mdy\n"
            "  --out DIR           output directory (created when absent)\n"
            "  -h, --help          show this help\n");
}

typedef struct stock_opts {
    stock_config cfg;
    const char *out_dir, *workspace;
    int json;
} stock_opts;

static int parse_window(const char *arg, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < 1 || v > 120) {
        cli_errorf("stock", "--window-months '%s': expected a whole number of months 1..120",
                   arg);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int parse_format(const char *arg, int *json)
{
    if (strcmp(arg, "text") && strcmp(arg, "json")) {
        cli_errorf("stock", "--format '%s': expected text or json", arg);
        return -1;
    }
    *json = strcmp(arg, "json") == 0;
    return 0;
}

static int parse_statuses(const char *arg, unsigned *set)
{
    size_t bad_at = 0;
    if (device_statuses_parse(arg, set, &bad_at) == ID_OK) return 0;
    cli_errorf("stock", "--installed-statuses '%s': not a list of DUIS DeviceStatus values", arg);
    return -1;
}

/* The options into *o: 0, 1 after --help, -1 after a usage error (reported). */
static int stock_parse(int argc, char **argv, stock_opts *o)
{
    enum { O_REGISTER = 256, O_DEROG, O_STOCK, O_AS_OF, O_WINDOW, O_FORMAT, O_OUT, O_STATUSES,
           O_WORKSPACE };
    static const struct option longopts[] = {
        {"register", required_argument, NULL, O_REGISTER},
        {"derogations", required_argument, NULL, O_DEROG},
        {"stock", required_argument, NULL, O_STOCK},
        {"as-of", required_argument, NULL, O_AS_OF},
        {"window-months", required_argument, NULL, O_WINDOW},
        {"format", required_argument, NULL, O_FORMAT},
        {"out", required_argument, NULL, O_OUT},
        {"installed-statuses", required_argument, NULL, O_STATUSES},
        {"workspace", required_argument, NULL, O_WORKSPACE},
        CLI_LONGOPTS_CSV_INPUT,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt, bad = 0;
    optind = 1;
    while (!bad && (opt = cli_getopt(argc, argv, longopts, "stock", NULL, NULL)) != -1) {
        int in = cli_input_opt(opt, optarg, "stock", &o->cfg.input);
        if (in == CLI_OPT_HANDLED) continue;
        if (in == CLI_OPT_USAGE) return -1;
        switch (opt) {
        case 'h': stock_usage(stdout); return 1;
        case O_REGISTER: o->cfg.register_path = optarg; break;
        case O_DEROG: o->cfg.derogations_path = optarg; break;
        case O_STOCK: o->cfg.stock_path = optarg; break;
        case O_AS_OF: bad = cli_opt_date("stock", "as-of", optarg, &o->cfg.as_of); break;
        case O_WINDOW: bad = parse_window(optarg, &o->cfg.window_months); break;
        case O_FORMAT: bad = parse_format(optarg, &o->json); break;
        case O_OUT: o->out_dir = optarg; break;
        case O_STATUSES: bad = parse_statuses(optarg, &o->cfg.installed_statuses); break;
        case O_WORKSPACE: o->workspace = optarg; break;
        default: return -1;
        }
    }
    if (bad) return -1;
    if (optind != argc || !o->cfg.register_path == !o->workspace || !o->cfg.derogations_path ||
        !o->cfg.stock_path || !o->out_dir) {
        cli_errorf("stock", "expected --register or --workspace, --derogations, --stock and "
                            "--out (see rfnoise stock --help)");
        return -1;
    }
    return 0;
}

/* The register file of the workspace's latest snapshot on or before `limit` (latest extract
 * date, then latest import), checked unchanged since it was imported. */
typedef struct latest_snapshot {
    int64_t id;
    int32_t as_of, limit;
    char file[4096], sha256[HASH_HEX_MAX];
} latest_snapshot;

static int take_latest(const store_snapshot *sn, void *ctx)
{
    latest_snapshot *l = ctx;
    if (sn->as_of > l->limit) return 0;
    if (!l->id || sn->as_of > l->as_of || (sn->as_of == l->as_of && sn->id > l->id)) {
        l->id = sn->id;
        l->as_of = sn->as_of;
        snprintf(l->file, sizeof l->file, "%s", sn->file);
        snprintf(l->sha256, sizeof l->sha256, "%s", sn->sha256);
    }
    return 0;
}

static rfn_status snapshot_register(store *s, const char *ws, int32_t limit, latest_snapshot *l,
                                    rfn_error *err)
{
    memset(l, 0, sizeof *l);
    l->limit = limit;
    rfn_status st = store_snapshots_each(s, take_latest, l, err);
    if (st) return st;
    if (!l->id)
        return rfn_error_set(err, RFN_ERR_NOTFOUND, "%s: no register snapshot in the workspace "
                             "on or before that date (import one with rfnoise workspace "
                             "import-register)", ws);
    char hex[HASH_HEX_MAX];
    if ((st = hash_sha256_file(l->file, hex, err))) {
        rfn_error_prefix(err, "snapshot %lld: ", (long long)l->id);
        return st;
    }
    if (strcmp(hex, l->sha256))
        return rfn_error_set(err, RFN_ERR_CONFLICT, "%s changed since it was imported into %s "
                             "as snapshot %lld", l->file, ws, (long long)l->id);
    return RFN_OK;
}

static rfn_status workspace_register(const char *ws, int32_t limit, latest_snapshot *l,
                                     rfn_error *err)
{
    store *s = NULL;
    rfn_status st = store_open(ws, NULL, &s, err);
    if (!st) st = snapshot_register(s, ws, limit, l, err);
    store_close(s);
    return st;
}

typedef void (*stock_writer)(FILE *f, const stock_result *res);

static rfn_status write_file(const char *dir, const char *name, stock_writer w,
                             const stock_result *res, rfn_error *err)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: output path too long", dir);
    atomic_file *af = NULL;
    rfn_status st = atomic_file_open(path, &af, err);
    if (st) return st;
    w(atomic_file_stream(af), res);
    return atomic_file_commit(af, err);
}

static const char *const outputs[] = {"stock.csv", "wrong-place.csv", "stock-errors.csv",
                                      "stock.html"};
static const stock_writer writers[] = {stock_write_csv, stock_write_wrong_place_csv,
                                       stock_write_errors_csv, stock_write_html};

static void print_text(const stock_result *res)
{
    for (size_t i = 0; i < stock_line_count(res); i++) {
        const stock_line *l = stock_line_get(res, i);
        printf("line %llu: %s %s %s %s x%lld: %s", (unsigned long long)l->line,
               text_esc(l->supplier), text_esc(l->manufacturer), text_esc(l->model),
               text_esc(l->firmware), (long long)l->quantity, stock_status_name(l->status));
        if (l->status == STOCK_SURPLUS || l->status == STOCK_USED ||
            l->status == STOCK_UNCERTAIN)
            printf(" (rate %.2f/month [%.2f, %.2f], projected %.1f, surplus %.1f [%.1f, %.1f])",
                   l->rate, l->rate_lo, l->rate_hi, l->projected, l->surplus, l->surplus_lo,
                   l->surplus_hi);
        else if (l->why[0])
            printf(" (%s)", text_esc(l->why));
        putchar('\n');
    }
    unsigned long long wrong = 0;
    for (size_t i = 0; i < stock_wrong_place_count(res); i++)
        wrong += stock_wrong_place_get(res, i)->installs;
    printf("lines=%zu rejected=%zu wrong_place_installs=%llu\n", stock_line_count(res),
           stock_error_count(res), wrong);
}

int cmd_stock(int argc, char **argv)
{
    stock_opts o = {.cfg = stock_config_default()};
    int p = stock_parse(argc, argv, &o);
    if (p) return p > 0 ? RFN_EXIT_OK : RFN_EXIT_USAGE;
    rfn_error err = {0};
    stock_result *res = NULL;
    latest_snapshot snap;
    rfn_status st = RFN_OK;
    if (o.workspace &&
        !(st = workspace_register(o.workspace, o.cfg.as_of == INT32_MIN ? INT32_MAX : o.cfg.as_of,
                                  &snap, &err)))
        o.cfg.register_path = snap.file;
    if (!st) st = io_declare_outputs_in(o.out_dir, outputs, 4, &err);
    if (!st && mkdir(o.out_dir, 0777) != 0 && errno != EEXIST)
        st = rfn_error_set(&err, RFN_ERR_IO, "%s: cannot create directory: %s", o.out_dir,
                           strerror(errno));
    if (!st) st = stock_run(&o.cfg, &res, &err);
    for (size_t i = 0; !st && i < 4; i++)
        st = write_file(o.out_dir, outputs[i], writers[i], res, &err);
    if (!st && o.json) st = stock_write_json(stdout, res, &err);
    if (st) {
        cli_error("stock", &err);
        stock_destroy(res);
        return RFN_EXIT_USAGE;
    }
    for (size_t i = 0; i < stock_error_count(res); i++) {
        register_error e;
        stock_error_get(res, i, &e);
        fprintf(stderr, "rfnoise: stock: %s:%llu: %s\n", text_esc(e.file),
                (unsigned long long)e.line, text_esc(e.message));
    }
    if (!o.json) print_text(res);
    stock_destroy(res);
    return RFN_EXIT_OK;
}

/* ---- workspace import-stock ------------------------------------------------------------------ */

static store_stock_line stored_line(const stock_line *l, const char *file, const char *sha256)
{
    return (store_stock_line){
        .as_of = l->as_of, .file = file, .sha256 = sha256, .line = l->line,
        .supplier = l->supplier, .manufacturer = l->manufacturer, .model = l->model,
        .firmware = l->firmware, .quantity = l->quantity,
        .status = stock_status_name(l->status),
        .derogation = l->rule ? l->rule->reference : "",
        .cut_off = l->rule && l->rule->install_by != INT32_MIN ? l->rule->install_by
                                                               : STORE_NO_DATE,
        .rate = l->rate, .rate_lo = l->rate_lo, .rate_hi = l->rate_hi,
        .projected = l->projected, .surplus = l->surplus, .surplus_lo = l->surplus_lo,
        .surplus_hi = l->surplus_hi, .wrong_place = l->wrong_place};
}

int workspace_import_stock(store *s, const char *ws, const workspace_stock_args *a)
{
    rfn_error err = {0};
    latest_snapshot snap;
    stock_result *res = NULL;
    store_stock_line *rows = NULL;
    char hex[HASH_HEX_MAX];
    stock_config cfg = stock_config_default();
    cfg.derogations_path = a->derogations;
    cfg.stock_path = a->file;
    cfg.as_of = a->as_of;
    cfg.window_months = a->window_months;
    cfg.input = a->input;
    rfn_status st = snapshot_register(s, ws, a->as_of, &snap, &err);
    if (!st) cfg.register_path = snap.file;
    if (!st) st = stock_run(&cfg, &res, &err);
    if (!st) st = hash_sha256_file(a->file, hex, &err);
    size_t n = res ? stock_line_count(res) : 0;
    if (!st && !(rows = calloc(n ? n : 1, sizeof *rows)))
        st = rfn_error_set(&err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++)
        rows[i] = stored_line(stock_line_get(res, i), a->file, hex);
    if (!st) st = store_stock_import(s, rows, n, a->as_of, &err);
    if (st) {
        cli_error("workspace", &err);
    } else {
        for (size_t i = 0; i < stock_error_count(res); i++) {
            register_error e;
            stock_error_get(res, i, &e);
            fprintf(stderr, "rfnoise: workspace: %s:%llu: %s\n", text_esc(e.file),
                    (unsigned long long)e.line, text_esc(e.message));
        }
        printf("stock_lines=%zu rejected=%zu snapshot=%lld\n", n, stock_error_count(res),
               (long long)snap.id);
    }
    free(rows);
    stock_destroy(res);
    return st ? RFN_EXIT_USAGE : RFN_EXIT_OK;
}
