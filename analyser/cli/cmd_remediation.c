/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_remediation.c: `rfnoise remediation open|note|plan-agreed|list|history|plan`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "case_fields.h"
#include "cli_opts.h"
#include "commands.h"
#include "csv_read.h"
#include "csv_util.h"
#include "identifiers.h"
#include "store.h"
#include "text_escape.h"

static void remediation_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise remediation SUBCOMMAND [options]\n"
            "\n"
            "Remediation cases in the workspace: one per non-compliant device, from the notice to\n"
            "the Supplier until a register snapshot shows it removed or replaced (remediated) or\n"
            "new evidence shows it compliant (resolved). Plan due = notice + 10 days,\n"
            "remediation due = notice + 90 days; past due and still installed = overdue.\n"
            "\n"
            "Subcommands:\n"
            "  open --notice-date DATE [--supplier S]  open a case for every non-compliant device\n"
            "                                          on the wall without one (idempotent)\n"
            "  note CASE TEXT --date DATE              add a note to a case's history\n"
            "  plan-agreed CASE|--supplier S|--batch FILE --date DATE [--due DUE]\n"
            "                                          the plan agreed on DATE for one case, a\n"
            "                                          Supplier's cases or the devices FILE\n"
            "                                          lists; DUE is the agreed removal date,\n"
            "                                          replacing notice + 90 days from then on\n"
            "  timetable-agreed --notice-date N --date DATE\n"
            "                                          the Operations Group agreed the\n"
            "                                          timetable of notice N (due N + 10 d)\n"
            "  list [--as-of DATE] [--supplier S]      cases (CSV on stdout), state at DATE\n"
            "  history [CASE] [--as-of DATE]           case history (CSV on stdout)\n"
            "  plan --supplier S [--as-of DATE]        the Supplier's plan: open and overdue\n"
            "                                          cases by due date (CSV on stdout)\n"
            "\n"
            "Options:\n"
            "  --workspace DIR     the workspace (default: $RFNOISE_WORKSPACE, else .)\n"
            "  --notice-date DATE  date of the notice to the Supplier (YYYY-MM-DD)\n"
            "  --supplier S        only this Supplier, by name or SupplierID (case and spacing\n"
            "                      ignored; an unknown one is an error)\n"
            "  --date DATE         date of a note or of the plan agreement\n"
            "  --as-of DATE        state of the cases on this date (default: all history)\n"
            "  --due DATE          plan-agreed: the agreed removal date\n"
            "  --batch FILE        plan-agreed: a CSV with a DeviceID column (e.g. a Supplier's\n"
            "                      noncompliance.csv): the active case of each listed device\n"
            "  --by WHO            who acts, kept in the case history (default: the login name)\n"
            "  -h, --help          show this help\n");
}

typedef struct list_ctx {
    bool active_only;
    int32_t as_of;
    const char *supplier; /* the plan's (retests are listed for a plan only) */
} list_ctx;

static int print_case(const store_case *c, void *ctx)
{
    const list_ctx *l = ctx;
    if (l->active_only && strcmp(c->state, "open") && strcmp(c->state, "overdue")) return 0;
    case_row row;
    case_row_init(&row, c, l->as_of);
    field_csv_row(stdout, case_fields_list, case_fields_list_count, &row);
    return 0;
}

/* The Supplier's devices whose evidence measured another model or firmware: no case (nothing is
 * proven), but a retest to arrange, listed apart in the plan with the state "retest-required". */
static int print_retest(const store_verdict *v, void *ctx)
{
    const list_ctx *l = ctx;
    if (strcmp(v->verdict, "retest-required") ||
        !store_supplier_is(v->supplier, v->supplier_id, l->supplier))
        return 0;
    /* not a case: no case id, no notice, no deadlines */
    store_case c = {
        .device_id = v->device_id, .supplier = v->supplier, .supplier_id = v->supplier_id,
        .mpxn = v->mpxn, .manufacturer = v->manufacturer, .model = v->model,
        .firmware = v->firmware, .region = v->region, .postcode = v->postcode,
        .reasons = v->reasons, .evidence = v->evidence, .worst_band = v->worst_band,
        .margin_db = v->margin_db, .install_date = v->install_date,
        .notice_date = STORE_NO_DATE, .plan_due = STORE_NO_DATE, .remediation_due = STORE_NO_DATE,
        .plan_agreed = STORE_NO_DATE, .agreed_due = STORE_NO_DATE, .state = "retest-required",
        .state_since = STORE_NO_DATE,
    };
    case_row row;
    case_row_init(&row, &c, l->as_of);
    field_csv_row(stdout, case_fields_list, case_fields_list_count, &row);
    return 0;
}

static int print_history(const store_history *h, void *ctx)
{
    (void)ctx;
    history_row row;
    history_row_init(&row, h);
    field_csv_row(stdout, history_fields, history_fields_count, &row);
    return 0;
}

static int parse_case_id(const char *s, int64_t *id)
{
    unsigned long long v;
    if (cli_parse_u64(s, &v) || v == 0 || v > INT64_MAX) {
        cli_errorf("remediation", "case '%s': expected a case number (see remediation list)", s);
        return -1;
    }
    *id = (int64_t)v;
    return 0;
}

typedef struct case_ids {
    int64_t *id;
    size_t n, cap;
    bool oom;
} case_ids;

static int take_active(const store_case *c, void *ctx)
{
    case_ids *l = ctx;
    if (strcmp(c->state, "open") && strcmp(c->state, "overdue") &&
        strcmp(c->state, "missing-from-extract"))
        return 0;
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 64;
        int64_t *n = realloc(l->id, nc * sizeof *n);
        if (!n) {
            l->oom = true;
            return 1;
        }
        l->id = n;
        l->cap = nc;
    }
    l->id[l->n++] = c->id;
    return 0;
}

/* --batch FILE: the DeviceIDs of a CSV with a DeviceID column, each with its line. */
typedef struct batch_devices {
    uint64_t *id, *line;
    size_t n, cap;
} batch_devices;

static rfn_status batch_add(batch_devices *b, uint64_t id, uint64_t line, rfn_error *err)
{
    if (b->n == b->cap) {
        size_t nc = b->cap ? 2 * b->cap : 64;
        uint64_t *ni = realloc(b->id, nc * sizeof *ni);
        if (ni) b->id = ni;
        uint64_t *nl = ni ? realloc(b->line, nc * sizeof *nl) : NULL;
        if (!ni || !nl) return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        b->line = nl;
        b->cap = nc;
    }
    b->id[b->n] = id;
    b->line[b->n++] = line;
    return RFN_OK;
}

static rfn_status batch_read(const char *path, batch_devices *b, rfn_error *err)
{
    static const char *const names[] = {"DeviceID"};
    csv_read_config cfg = csv_read_config_default();
    csv_reader *r = NULL;
    csv_record rec;
    int idx = -1;
    rfn_status st = csv_reader_open(path, &cfg, &r, err);
    if (!st && (st = csv_reader_next(r, &rec, err)) == RFN_ERR_EOF)
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: empty", path);
    if (!st && !(st = csv_header_map(&rec, path, names, 1, &idx, err)) && idx < 0)
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s:1: no DeviceID column", path);
    while (!st && !(st = csv_reader_next(r, &rec, err))) {
        const char *d = (size_t)idx < rec.n_fields ? rec.fields[idx] : "";
        uint64_t id;
        if (eui64_parse(d, strlen(d), &id) != ID_OK)
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: DeviceID '%s': not an EUI-64 "
                               "(such as 00-1B-C5-0C-00-00-00-01)", path,
                               (unsigned long long)rec.line, text_esc(d));
        else
            st = batch_add(b, id, rec.line, err);
    }
    csv_reader_destroy(r);
    if (st == RFN_ERR_EOF)
        st = b->n ? RFN_OK : rfn_error_set(err, RFN_ERR_FORMAT, "%s: no DeviceID rows", path);
    return st;
}

/* The active cases (device, case) to match a batch against. */
typedef struct active_pairs {
    uint64_t (*p)[2];
    size_t n, cap;
    bool oom;
} active_pairs;

static int take_active_pair(const store_case *c, void *ctx)
{
    active_pairs *a = ctx;
    if (strcmp(c->state, "open") && strcmp(c->state, "overdue") &&
        strcmp(c->state, "missing-from-extract"))
        return 0;
    if (a->n == a->cap) {
        size_t nc = a->cap ? 2 * a->cap : 64;
        uint64_t(*np)[2] = realloc(a->p, nc * sizeof *np);
        if (!np) {
            a->oom = true;
            return 1;
        }
        a->p = np;
        a->cap = nc;
    }
    a->p[a->n][0] = c->device_id;
    a->p[a->n++][1] = (uint64_t)c->id;
    return 0;
}

static int cmp_pair(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* The active case of every device in path, into l (all or nothing): a device listed twice or
 * without an active case is an input error naming the line. */
static rfn_status batch_cases(store *s, const char *path, int64_t **ids, size_t *n,
                              rfn_error *err)
{
    batch_devices b = {0};
    active_pairs a = {0};
    rfn_status st = batch_read(path, &b, err);
    if (!st) st = store_cases_each(s, INT32_MAX, NULL, take_active_pair, &a, err);
    if (!st && a.oom) st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    if (!st && !(*ids = malloc(b.n * sizeof **ids)))
        st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    if (!st) qsort(a.p, a.n, sizeof *a.p, cmp_pair);
    for (size_t i = 0; !st && i < b.n; i++) {
        char eui[EUI64_TEXT_LEN];
        eui64_format(b.id[i], eui);
        const uint64_t(*hit)[2] = bsearch(&b.id[i], a.p, a.n, sizeof *a.p, cmp_pair);
        for (size_t k = 0; !st && k < i; k++)
            if (b.id[k] == b.id[i])
                st = rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: DeviceID %s listed twice "
                                   "(also line %llu)", path, (unsigned long long)b.line[i],
                                   eui, (unsigned long long)b.line[k]);
        if (!st && !hit)
            st = rfn_error_set(err, RFN_ERR_NOTFOUND, "%s:%llu: DeviceID %s has no open, "
                               "overdue or missing-from-extract case", path,
                               (unsigned long long)b.line[i], eui);
        if (!st) (*ids)[i] = (int64_t)(*hit)[1];
    }
    *n = st ? 0 : b.n;
    free(b.id);
    free(b.line);
    free(a.p);
    return st;
}

/* plan-agreed for one case, or for every active case of a Supplier. */
static rfn_status plan_agreed(store *s, int64_t case_id, const char *supplier, const char *batch,
                              int32_t date, int32_t due, rfn_error *err)
{
    case_ids l = {0};
    rfn_status r;
    if (batch) {
        if (!(r = batch_cases(s, batch, &l.id, &l.n, err)) &&
            !(r = store_case_plan_agreed(s, l.id, l.n, date, due, err)))
            printf("plans_agreed=%zu\n", l.n);
        free(l.id);
        return r;
    }
    if (!supplier) return store_case_plan_agreed(s, &case_id, 1, date, due, err);
    r = store_cases_each(s, INT32_MAX, supplier, take_active, &l, err);
    if (!r && l.oom) r = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    if (!r && !l.n) r = rfn_error_set(err, RFN_ERR_NOTFOUND, "no active case of %s", supplier);
    if (!r) r = store_case_plan_agreed(s, l.id, l.n, date, due, err);
    if (!r) printf("plans_agreed=%zu\n", l.n);
    free(l.id);
    return r;
}

enum { O_WORKSPACE = 256, O_NOTICE, O_SUPPLIER, O_DATE, O_AS_OF, O_BY, O_DUE, O_BATCH };

/* The options of every subcommand; which ones a subcommand needs is remediation_check's. */
typedef struct remediation_opts {
    const char *ws, *supplier, *by, *batch;
    int32_t notice, date, as_of, due;
} remediation_opts;

/* One option into o: CLI_OPT_HANDLED, or CLI_OPT_USAGE (reported, or an unknown option getopt
 * reported). */
static int remediation_option(int opt, const char *arg, remediation_opts *o)
{
    const char *cmd = "remediation";
    int bad = 0;
    switch (opt) {
    case O_WORKSPACE: o->ws = arg; break;
    case O_NOTICE: bad = cli_opt_date(cmd, "notice-date", arg, &o->notice); break;
    case O_SUPPLIER: o->supplier = arg; break;
    case O_DATE: bad = cli_opt_date(cmd, "date", arg, &o->date); break;
    case O_AS_OF: bad = cli_opt_date(cmd, "as-of", arg, &o->as_of); break;
    case O_BY: bad = cli_opt_once(cmd, "by", arg, &o->by); break;
    case O_DUE: bad = cli_opt_date(cmd, "due", arg, &o->due); break;
    case O_BATCH: bad = cli_opt_once(cmd, "batch", arg, &o->batch); break;
    default: return CLI_OPT_USAGE;
    }
    return bad ? CLI_OPT_USAGE : CLI_OPT_HANDLED;
}

/* The subcommand's arguments and the options it needs (plan-agreed takes CASE or --supplier);
 * the case number of note, plan-agreed CASE and history CASE into *case_id. 0, or -1 after
 * printing why. */
static int remediation_check(const char *sub, int n_args, char **args, const remediation_opts *o,
                             int64_t *case_id)
{
    const char *cmd = "remediation";
    if (!strcmp(sub, "open")) {
        if (n_args || o->notice == STORE_NO_DATE) {
            cli_errorf(cmd, "open: expected --notice-date DATE and no arguments");
            return -1;
        }
    } else if (!strcmp(sub, "plan-agreed") && (o->supplier || o->batch)) {
        if (n_args || o->date == STORE_NO_DATE || (o->supplier && o->batch)) {
            cli_errorf(cmd, "plan-agreed: expected one of CASE, --supplier S or --batch FILE, "
                            "and --date");
            return -1;
        }
    } else if (!strcmp(sub, "timetable-agreed")) {
        if (n_args || o->date == STORE_NO_DATE || o->notice == STORE_NO_DATE) {
            cli_errorf(cmd, "timetable-agreed: expected --notice-date N and --date D");
            return -1;
        }
    } else if (!strcmp(sub, "note") || !strcmp(sub, "plan-agreed")) {
        int want = !strcmp(sub, "note") ? 2 : 1;
        if (n_args != want || o->date == STORE_NO_DATE) {
            cli_errorf(cmd, "%s: expected %s and --date DATE", sub,
                       want == 2 ? "CASE TEXT" : "CASE");
            return -1;
        }
        if (parse_case_id(args[0], case_id)) return -1;
    } else if (!strcmp(sub, "list")) {
        if (n_args) {
            cli_errorf(cmd, "list: unexpected argument '%s'", args[0]);
            return -1;
        }
    } else if (!strcmp(sub, "history")) {
        if (n_args > 1 || (n_args == 1 && parse_case_id(args[0], case_id))) return -1;
    } else if (!strcmp(sub, "plan")) {
        if (n_args || !o->supplier) {
            cli_errorf(cmd, "plan: expected --supplier S");
            return -1;
        }
    } else {
        cli_errorf(cmd, "unknown subcommand '%s' (see rfnoise remediation --help)", sub);
        return -1;
    }
    return 0;
}

/* The workspace, opened for o->by; a --supplier must name a Supplier of some snapshot (a typing
 * error would otherwise act on no case and say nothing). On failure nothing is left open. */
static rfn_status remediation_open_store(const remediation_opts *o, store **s, rfn_error *err)
{
    store_config scfg = store_config_default();
    scfg.actor = o->by;
    rfn_status st = store_open(o->ws, &scfg, s, err);
    if (st)
        return st;
    bool known = true;
    if (o->supplier && (st = store_supplier_known(*s, o->supplier, &known, err)) == RFN_OK &&
        !known)
        st = rfn_error_set(err, RFN_ERR_NOTFOUND, "--supplier '%s': no Supplier of that name "
                           "in any snapshot of %s (names match ignoring case and spacing)",
                           o->supplier, o->ws);
    if (st) {
        store_close(*s);
        *s = NULL;
    }
    return st;
}

/* history: the CSV of a case's (or every case's) events. */
static rfn_status write_history(store *s, int64_t case_id, int32_t as_of, rfn_error *err)
{
    field_csv_header(stdout, history_fields, history_fields_count);
    return store_history_each(s, case_id, as_of, print_history, NULL, err);
}

/* list, or plan (active cases only, then the Supplier's retests): the CSV of the cases. */
static rfn_status write_cases(store *s, bool plan, const remediation_opts *o, rfn_error *err)
{
    field_csv_header(stdout, case_fields_list, case_fields_list_count);
    list_ctx l = {.active_only = plan, .as_of = o->as_of, .supplier = o->supplier};
    rfn_status st = store_cases_each(s, o->as_of, o->supplier, print_case, &l, err);
    if (!st && l.active_only)
        st = store_verdicts_each(s, o->as_of, print_retest, &l, err);
    return st;
}

/* The subcommand, checked by remediation_check, on the open workspace. */
static rfn_status remediation_run(store *s, const char *sub, char **args, int64_t case_id,
                                  const remediation_opts *o, rfn_error *err)
{
    rfn_status st;
    if (!strcmp(sub, "open")) {
        store_changes ch = {0};
        if (!(st = store_cases_open(s, o->notice, o->supplier, &ch, err)))
            printf("opened=%llu skipped=%llu\n", (unsigned long long)ch.opened,
                   (unsigned long long)ch.skipped);
        return st;
    }
    if (!strcmp(sub, "note"))
        return store_case_note(s, case_id, o->date, args[1], err);
    if (!strcmp(sub, "plan-agreed"))
        return plan_agreed(s, case_id, o->supplier, o->batch, o->date, o->due, err);
    if (!strcmp(sub, "timetable-agreed"))
        return store_timetable_agreed(s, o->notice, o->date, err);
    if (!strcmp(sub, "history"))
        return write_history(s, case_id, o->as_of, err);
    return write_cases(s, !strcmp(sub, "plan"), o, err);
}

int cmd_remediation(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"workspace", required_argument, NULL, O_WORKSPACE},
        {"notice-date", required_argument, NULL, O_NOTICE},
        {"supplier", required_argument, NULL, O_SUPPLIER},
        {"date", required_argument, NULL, O_DATE},
        {"as-of", required_argument, NULL, O_AS_OF},
        {"by", required_argument, NULL, O_BY},
        {"due", required_argument, NULL, O_DUE},
        {"batch", required_argument, NULL, O_BATCH},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    remediation_opts o = {.notice = STORE_NO_DATE, .date = STORE_NO_DATE, .as_of = INT32_MAX,
                          .due = STORE_NO_DATE};
    o.ws = getenv("RFNOISE_WORKSPACE");
    if (!o.ws || !*o.ws) o.ws = ".";
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, "remediation", NULL, NULL)) != -1) {
        if (opt == 'h') {
            remediation_usage(stdout);
            return RFN_EXIT_OK;
        }
        if (remediation_option(opt, optarg, &o) != CLI_OPT_HANDLED)
            return RFN_EXIT_USAGE;
    }
    if (optind >= argc) {
        cli_errorf("remediation", "expected a subcommand (see rfnoise remediation --help)");
        return RFN_EXIT_USAGE;
    }
    const char *sub = argv[optind];
    char **args = argv + optind + 1;
    int64_t case_id = 0;
    if (remediation_check(sub, argc - optind - 1, args, &o, &case_id))
        return RFN_EXIT_USAGE;

    rfn_error err = {0};
    store *s = NULL;
    rfn_status st = remediation_open_store(&o, &s, &err);
    if (!st) {
        st = remediation_run(s, sub, args, case_id, &o, &err);
        store_close(s);
    }
    if (st || cli_output_commit(NULL, &err)) {
        cli_error("remediation", &err);
        return RFN_EXIT_USAGE;
    }
    return RFN_EXIT_OK;
}
