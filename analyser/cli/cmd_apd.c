/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_apd.c: `rfnoise apd`: amplitude probability distribution (CISPR 16-1-1 APD function) of a
 * capture's envelope in a frequency band: the level exceeded for given fractions of time. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "capture.h"
#include "cli.h"
#include "cli_opts.h"
#include "cli_report.h"
#include "commands.h"
#include "emi.h"
#include "field_table.h"
#include "units.h"

#define CMD "apd"
#define MAX_PROBS 32
#define TABLE_MAX 20000

static void apd_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise apd CAPTURE --band F_LO:F_HI [options]\n"
            "\n"
            "The fraction of time the envelope in a band exceeds each level, through the\n"
            "Gaussian-RBW short-time FFT of rfnoise detect: one envelope sample per frame, the\n"
            "power in one RBW bin (a band narrower than a bin takes the nearest bin) or in the\n"
            "band (several bins). Prints the level (dBFS) exceeded with each probability.\n"
            "\n"
            "Options:\n"
            "  --band F_LO:F_HI    band in Hz (absolute when the capture's centre frequency is\n"
            "                      known, else relative to it); required\n"
            "  --probs LIST        probabilities, comma-separated (default 1e-1,1e-2,1e-3,1e-4)\n"
            "  --table             write the whole distribution (level_dbfs, probability) instead\n"
            "  --rbw HZ            6 dB resolution bandwidth (default: the band's, 120 kHz C/D)\n"
            "  --exclude-annotations  leave the SigMF annotation spans (the hub's own bursts) out\n"
            "  --exclude-bursts    find strong bursts (10 dB over the floor for 1 ms or more) in\n"
            "                      a first pass and leave them out\n"
            "  --format F          csv (default) or json\n"
            "  --output FILE       write to FILE (atomically) instead of standard output\n"
            "  --meta              with --output FILE.csv: the band, RBW and capture metadata\n"
            "                      as JSON in FILE.meta.json\n"
            "  --rate HZ           sample rate (wins over the capture's metadata and name)\n"
            "  --center HZ         centre frequency (wins over its metadata and name)\n"
            "  --datatype T        sample type of a raw capture (cu8 cs8 cs16 cf32 ...)\n"
            "  --jobs N            threads for the STFT (default: all online CPUs; the same\n"
            "                      output for any)\n"
            "  --quiet             no progress on stderr\n"
            "  --recording NAME    the recording of a .sigmf archive holding several\n"
            "  -h, --help          show this help\n"
            "\n"
            "A probability p needs at least 10/p envelope samples; fewer give an empty level.\n"
            "Exit status: 0 written, 2 usage error or a capture that cannot be read.\n");
}

static int parse_band(const char *s, double *lo, double *hi)
{
    const char *colon = strchr(s, ':');
    if (!colon || colon == s || strlen(colon + 1) == 0 || strlen(s) > 120)
        return -1;
    char a[128];
    snprintf(a, sizeof a, "%.*s", (int)(colon - s), s);
    return cli_parse_double(a, lo) || cli_parse_double(colon + 1, hi) || !(*lo < *hi) ? -1 : 0;
}

/* One row of an apd export: a probability and the level exceeded with it, from two parallel
 * arrays. */
typedef struct apd_row {
    const double *prob, *level; /* level_dbfs: NAN when too few samples */
    size_t i;
} apd_row;

FIELD_NUM_FN(row_prob, apd_row, r->prob[r->i])
FIELD_NUM_FN(row_level, apd_row, r->level[r->i])

/* The columns: the probabilities asked for (probability first), or the whole distribution of
 * --table (level first). */
static const record_field prob_cols[2] = {
    {"probability", FIELD_NUM, NULL, row_prob, -1},
    {"level_dbfs", FIELD_NUM, NULL, row_level, 3},
};
static const record_field table_cols[2] = {
    {"level_dbfs", FIELD_NUM, NULL, row_level, 3},
    {"probability", FIELD_NUM, NULL, row_prob, -1},
};

/* Nothing before the header: the band, RBW and metadata go to JSON or the --meta sidecar. An
 * empty level (too few samples for the probability) is an empty field. */
static int write_csv(FILE *f, const record_field cols[2], apd_row row, size_t n)
{
    field_csv_header(f, cols, 2);
    for (row.i = 0; row.i < n; row.i++)
        field_csv_row(f, cols, 2, &row);
    return ferror(f) ? -1 : 0;
}

/* head plus "probability" and "level_dbfs" (null where too few samples), and with --table
 * (n_table > 0) "table": {"level_dbfs": [...], "probability": [...]}. */
static int write_json(FILE *f, const json_t *head, apd_row levels, size_t n, apd_row tab,
                      size_t n_table)
{
    json_t *root = json_deep_copy(head), *t = n_table ? json_object() : NULL;
    int rc = -1;
    if (root && (t || !n_table))
        rc = field_json_columns(root, prob_cols, 2, &levels, &levels.i, n);
    if (!rc && n_table && !(rc = field_json_columns(t, table_cols, 2, &tab, &tab.i, n_table)))
        json_object_set(root, "table", t);
    if (!rc)
        rc = json_dumpf(root, f, JSON_INDENT(1) | JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(t);
    json_decref(root);
    return rc;
}

/* What the options of one run ask for. */
typedef struct apd_opts {
    emi_config ec;
    cli_capture_opts co;
    cli_out_opts oo;
    double probs[MAX_PROBS];
    size_t n_probs;
    int table, have_band, exclude_bursts;
} apd_opts;

enum { O_BAND = 256, O_PROBS, O_TABLE, O_RBW, O_EXCL, O_EXCL_BURSTS };

/* --probs LIST: up to MAX_PROBS probabilities in (0, 1). */
static int parse_probs(const char *arg, double *probs, size_t *n_probs)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", arg);
    *n_probs = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        double p;
        if (*n_probs == MAX_PROBS || cli_parse_double(t, &p) || !(p > 0 && p < 1)) {
            cli_errorf(CMD, "--probs: '%s' is not a probability in (0, 1) (at most %d)", t,
                       MAX_PROBS);
            return RFN_EXIT_USAGE;
        }
        probs[(*n_probs)++] = p;
    }
    if (*n_probs == 0) {
        cli_errorf(CMD, "--probs: no probability given");
        return RFN_EXIT_USAGE;
    }
    return 0;
}

/* One option of apd's own, or of the output: 0, or RFN_EXIT_USAGE. */
static int apd_option(int opt, const char *arg, apd_opts *o)
{
    switch (opt) {
    case O_BAND:
        if (parse_band(arg, &o->ec.apd_lo_hz, &o->ec.apd_hi_hz)) {
            cli_errorf(CMD, "--band '%s': expected F_LO:F_HI in Hz with F_LO < F_HI", arg);
            return RFN_EXIT_USAGE;
        }
        o->have_band = 1;
        return 0;
    case O_PROBS:
        return parse_probs(arg, o->probs, &o->n_probs);
    case O_TABLE:
        o->table = 1;
        return 0;
    case O_RBW:
        return cli_opt_rbw(CMD, arg, &o->ec.rbw_hz) ? RFN_EXIT_USAGE : 0;
    case O_EXCL:
        o->ec.exclude_annotations = 1;
        return 0;
    case O_EXCL_BURSTS:
        o->exclude_bursts = 1;
        return 0;
    default:
        return cli_out_opt(opt, arg, CMD, &o->oo) != CLI_OPT_HANDLED ? RFN_EXIT_USAGE : 0;
    }
}

/* The band, what it covers, the RBW and the envelope samples, for the JSON head. */
static json_t *apd_settings(const emi_config *ec, const emi_result *r)
{
    uint64_t samples = rfn_apd_samples(r->apd);
    return json_pack("{s:[f,f], s:[f,f], s:I, s:f, s:f, s:I, s:I, s:s}", "band_hz",
                     ec->apd_lo_hz, ec->apd_hi_hz, "covered_hz", r->apd_lo_hz, r->apd_hi_hz,
                     "bins", (json_int_t)r->apd_bins, "rbw_hz", r->stft.rbw_hz, "enbw_hz",
                     r->stft.enbw_hz, "envelope_samples", (json_int_t)samples,
                     "frames_excluded", (json_int_t)r->frames_excluded, "unit", "dBFS");
}

/* Measure the APD of the capture at path and write the levels (or the table). */
static int run_apd(const char *path, const apd_opts *o)
{
    int status = RFN_EXIT_USAGE;
    rfn_error err = {0};
    capture *c = NULL;
    emi_result r;
    memset(&r, 0, sizeof r);
    atomic_file *af = NULL;
    json_t *head = NULL;
    double *tl = NULL, *tp = NULL, level[MAX_PROBS];
    size_t n_table = 0;
    if (emi_run_path(path, &o->co.copt, &o->ec, o->exclude_bursts, &c, &r, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    for (size_t i = 0; i < o->n_probs; i++)
        if (rfn_apd_level_at(r.apd, o->probs[i], &level[i], NULL))
            level[i] = NAN; /* too few samples for this probability */
    if (o->table) {
        tl = malloc(TABLE_MAX * sizeof *tl);
        tp = malloc(TABLE_MAX * sizeof *tp);
        if (!tl || !tp) {
            cli_errorf(CMD, "out of memory");
            goto done;
        }
        rfn_apd_table(r.apd, tl, tp, TABLE_MAX, &n_table);
    }
    FILE *f;
    if (cli_output_open(o->oo.path, &af, &f, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    const capture_meta *m = capture_get_meta(c);
    cli_report_warnings(CMD, m);
    if (!(head = cli_report_head(CMD, m))) {
        cli_errorf(CMD, "out of memory");
        goto done;
    }
    json_object_update_new(head, apd_settings(&o->ec, &r));
    apd_row levels = {o->probs, level, 0}, tab = {tp, tl, 0};
    if (o->oo.json ? write_json(f, head, levels, o->n_probs, tab, o->table ? n_table : 0)
        : o->table ? write_csv(f, table_cols, tab, n_table)
                   : write_csv(f, prob_cols, levels, o->n_probs)) {
        cli_errorf(CMD, "cannot write the %s output", o->oo.json ? "JSON" : "CSV");
        goto done;
    }
    if (cli_report_finish(o->oo.meta, o->oo.path, head, &af, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    status = RFN_EXIT_OK;
done:
    json_decref(head);
    atomic_file_abort(af);
    free(tl);
    free(tp);
    emi_result_free(&r);
    capture_close(c);
    return status;
}

int cmd_apd(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"band", required_argument, 0, O_BAND},
        {"probs", required_argument, 0, O_PROBS},
        {"table", no_argument, 0, O_TABLE},
        {"rbw", required_argument, 0, O_RBW},
        {"exclude-annotations", no_argument, 0, O_EXCL},
        {"exclude-bursts", no_argument, 0, O_EXCL_BURSTS},
        CLI_LONGOPTS_OUTPUT,
        CLI_LONGOPTS_CAPTURE,
        CLI_LONGOPTS_QUIET, CLI_LONGOPTS_JOBS,
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    apd_opts o = {.ec = emi_config_default(),
                  .co = cli_capture_opts_default(),
                  .probs = {1e-1, 1e-2, 1e-3, 1e-4},
                  .n_probs = 4};
    o.ec.want_apd = 1;
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, CMD, &o.co, NULL)) != -1) {
        if (opt == 'h') {
            apd_usage(stdout);
            return RFN_EXIT_OK;
        }
        if (apd_option(opt, optarg, &o))
            return RFN_EXIT_USAGE;
    }
    if (cli_one_capture(argc, CMD) ||
        cli_report_meta_check(CMD, o.oo.meta, o.oo.json, o.oo.path))
        return RFN_EXIT_USAGE;
    if (!o.have_band) {
        cli_errorf(CMD, "--band F_LO:F_HI is required");
        return RFN_EXIT_USAGE;
    }
    o.ec.quiet = o.co.quiet;
    o.ec.jobs = o.co.jobs;
    return run_apd(argv[optind], &o);
}
