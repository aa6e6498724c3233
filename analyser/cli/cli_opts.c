/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli_opts.c: the capture and calibration options shared by the analysing subcommands. */
#include "cli_opts.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "detector.h"
#include "identifiers.h"
#include "sigmf.h"

cli_capture_opts cli_capture_opts_default(void)
{
    cli_capture_opts o;
    o.copt = capture_options_default();
    o.quiet = 0;
    o.jobs = 0;
    return o;
}

cli_cal_opts cli_cal_opts_default(void)
{
    cli_cal_opts o = {.path = NULL, .db = NAN, .rx_gain_db = NAN};
    return o;
}

static int handle_capture(int opt, const char *arg, const char *cmd, cli_capture_opts *cap)
{
    switch (opt) {
    case CLI_O_RATE:
        if (cli_parse_double(arg, &cap->copt.rate_hz) || !(cap->copt.rate_hz > 0)) {
            cli_errorf(cmd, "--rate '%s': expected a sample rate > 0 in Hz", arg);
            return CLI_OPT_USAGE;
        }
        return CLI_OPT_HANDLED;
    case CLI_O_CENTER:
        if (cli_parse_double(arg, &cap->copt.center_hz) || cap->copt.center_hz < 0) {
            cli_errorf(cmd, "--center '%s': expected a frequency >= 0 in Hz", arg);
            return CLI_OPT_USAGE;
        }
        return CLI_OPT_HANDLED;
    case CLI_O_DATATYPE:
        cap->copt.datatype = arg;
        return CLI_OPT_HANDLED;
    case CLI_O_RECORDING:
        cap->copt.recording = arg;
        return CLI_OPT_HANDLED;
    case CLI_O_CHANNEL: {
        unsigned long long u;
        if (cli_parse_u64(arg, &u) || u > 1023) {
            cli_errorf(cmd, "--channel '%s': expected a channel number 0..1023", arg);
            return CLI_OPT_USAGE;
        }
        cap->copt.channel = (int)u;
        return CLI_OPT_HANDLED;
    }
    case CLI_O_TRUNC:
        cap->copt.allow_truncated = 1;
        return CLI_OPT_HANDLED;
    case CLI_O_QUIET:
        cap->quiet = 1;
        return CLI_OPT_HANDLED;
    case CLI_O_JOBS: {
        unsigned long long u;
        if (cli_parse_u64(arg, &u) || u < 1 || u > 256) {
            cli_errorf(cmd, "--jobs '%s': expected 1 ... 256", arg);
            return CLI_OPT_USAGE;
        }
        cap->jobs = (unsigned)u;
        return CLI_OPT_HANDLED;
    }
    default:
        return CLI_OPT_NOT_MINE;
    }
}

static int handle_cal(int opt, const char *arg, const char *cmd, cli_cal_opts *cal)
{
    switch (opt) {
    case CLI_O_CAL:
        cal->path = arg;
        return CLI_OPT_HANDLED;
    case CLI_O_CAL_DB:
    case CLI_O_RX_GAIN:
        if (cli_parse_double(arg, opt == CLI_O_CAL_DB ? &cal->db : &cal->rx_gain_db) ||
            !(fabs(opt == CLI_O_CAL_DB ? cal->db : cal->rx_gain_db) <= CALIBRATION_DB_MAX)) {
            cli_errorf(cmd, "--%s '%s': expected a number of dB within +-%g",
                       opt == CLI_O_CAL_DB ? "cal-db" : "rx-gain", arg, CALIBRATION_DB_MAX);
            return CLI_OPT_USAGE;
        }
        return CLI_OPT_HANDLED;
    default:
        return CLI_OPT_NOT_MINE;
    }
}

int cli_input_opt(int opt, const char *arg, const char *cmd, csv_input *in)
{
    if (opt == CLI_O_ENCODING && !csv_encoding_parse(arg, &in->encoding)) {
        cli_errorf(cmd, "--encoding '%s': expected utf8, cp1252 or latin1", arg);
        return CLI_OPT_USAGE;
    }
    if (opt == CLI_O_DATE_FORMAT && !date_order_parse(arg, &in->dates)) {
        cli_errorf(cmd, "--date-format '%s': expected ymd (YYYY-MM-DD), dmy (DD/MM/YYYY) or mdy "
                        "(MM/DD/YYYY)", arg);
        return CLI_OPT_USAGE;
    }
    return opt == CLI_O_ENCODING || opt == CLI_O_DATE_FORMAT ? CLI_OPT_HANDLED : CLI_OPT_NOT_MINE;
}

int cli_decision_opt(int opt, const char *arg, const char *cmd, decision_options *d)
{
    if (opt == CLI_O_DECISION_RULE) {
        if (!limits_decision_rule_from_name(arg, &d->rule))
            return CLI_OPT_HANDLED;
        cli_errorf(cmd, "--decision-rule '%s': expected simple, guarded-accept, guarded-reject "
                        "or cispr-16-4-2", arg);
        return CLI_OPT_USAGE;
    }
    if (opt != CLI_O_UNCERTAINTY)
        return CLI_OPT_NOT_MINE;
    if (cli_parse_double(arg, &d->uncertainty_db) || !(d->uncertainty_db >= 0) ||
        d->uncertainty_db > LIMITS_UNCERTAINTY_MAX_DB) {
        cli_errorf(cmd, "--uncertainty-db '%s': expected an expanded uncertainty of 0 ... %g dB",
                   arg, LIMITS_UNCERTAINTY_MAX_DB);
        return CLI_OPT_USAGE;
    }
    d->has_uncertainty = 1;
    return CLI_OPT_HANDLED;
}

int cli_opts_handle(int opt, const char *arg, const char *cmd, cli_capture_opts *cap,
                    cli_cal_opts *cal)
{
    int h = cap ? handle_capture(opt, arg, cmd, cap) : CLI_OPT_NOT_MINE;
    if (h == CLI_OPT_NOT_MINE && cal)
        h = handle_cal(opt, arg, cmd, cal);
    return h;
}

/* The short options of longopts: each entry whose id is a letter ("help" -> -h, "quiet" -> -q in
 * workspace), after ':' so that getopt reports a missing value apart from an unknown option. */
static void short_options(const struct option *longopts, char *out, size_t cap)
{
    size_t n = 0;
    out[n++] = ':';
    for (const struct option *o = longopts; o->name && n + 3 < cap; o++)
        if (!o->flag && o->val > 0 && o->val < 128 && isalpha(o->val)) {
            out[n++] = (char)o->val;
            if (o->has_arg == required_argument) out[n++] = ':';
        }
    out[n] = '\0';
}

/* GNU getopt_long permutes: options may follow the operands, and "--" ends the options. Its own
 * messages would start with the command name alone, so they are off and reported here. */
int cli_getopt(int argc, char **argv, const struct option *longopts, const char *cmd,
               cli_capture_opts *cap, cli_cal_opts *cal)
{
    char shorts[64];
    short_options(longopts, shorts, sizeof shorts);
    int opt, h;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
        if (opt == '?' || opt == ':') {
            const char *arg = argv[optind - 1];
            char name[64];
            if (strncmp(arg, "--", 2) == 0)
                snprintf(name, sizeof name, "%.*s", (int)strcspn(arg, "="), arg);
            else
                snprintf(name, sizeof name, "-%c", optopt);
            cli_errorf(cmd, "%s option '%s' (see rfnoise %s --help)",
                       opt == ':' ? "missing value for" : "unknown", name, cmd);
            return CLI_OPT_BAD;
        }
        if ((h = cli_opts_handle(opt, optarg, cmd, cap, cal)) == CLI_OPT_USAGE)
            return CLI_OPT_BAD;
        if (h == CLI_OPT_NOT_MINE)
            return opt;
    }
    return -1;
}

int cli_one_capture(int argc, const char *cmd)
{
    if (optind >= argc) {
        cli_errorf(cmd, "no capture given (see rfnoise %s --help)", cmd);
        return -1;
    }
    if (optind != argc - 1) {
        cli_errorf(cmd, "give exactly one capture");
        return -1;
    }
    return 0;
}

rfn_status cli_cal_gains(const calibration *cal, const double *freq_hz, size_t n, double **gain,
                         rfn_error *err)
{
    *gain = NULL;
    if (!cal)
        return RFN_OK;
    double *g = malloc((n ? n : 1) * sizeof *g);
    if (!g)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        rfn_status st = calibration_gain_db(cal, freq_hz[i], &g[i], err);
        if (st) {
            free(g);
            return st;
        }
    }
    *gain = g;
    return RFN_OK;
}

int cli_opt_rbw(const char *cmd, const char *arg, double *rbw_hz)
{
    if (cli_parse_double(arg, rbw_hz) || !(*rbw_hz > 0)) {
        cli_errorf(cmd, "--rbw '%s': expected a bandwidth > 0 in Hz", arg);
        return -1;
    }
    return 0;
}

int cli_opt_choice(const char *cmd, const char *name, const char *arg, const char *first,
                   const char *second, int *is_second)
{
    if (strcmp(arg, first) && strcmp(arg, second)) {
        cli_errorf(cmd, "--%s '%s': expected %s or %s", name, arg, first, second);
        return -1;
    }
    if (is_second)
        *is_second = strcmp(arg, second) == 0;
    return 0;
}

int cli_opt_date(const char *cmd, const char *name, const char *arg, int32_t *days)
{
    if (strlen(arg) != 10 || iso_date_parse(arg, 10, days) != ID_OK) {
        cli_errorf(cmd, "--%s '%s': expected a date YYYY-MM-DD", name, arg);
        return -1;
    }
    return 0;
}

int cli_opt_format(const char *cmd, const char *arg, const char *first, const char *second,
                   int *is_second)
{
    sigmf_datatype dt;
    char why[200];
    if ((strcmp(arg, first) && strcmp(arg, second)) &&
        sigmf_datatype_parse(arg, &dt, why, sizeof why) == RFN_OK) {
        cli_errorf(cmd,
                   "--format '%s': expected %s or %s (--format is the output format; the input "
                   "sample type is --datatype %s)",
                   arg, first, second, arg);
        return -1;
    }
    return cli_opt_choice(cmd, "format", arg, first, second, is_second);
}

int cli_opt_csv_json(const char *cmd, const char *arg, int *json)
{
    return cli_opt_format(cmd, arg, "csv", "json", json);
}

int cli_opt_band(const char *cmd, const char *arg, int *band)
{
    rfn_det_band b;
    if (rfn_det_band_from_name(arg, &b)) {
        cli_errorf(cmd, "--band '%s': expected A, B, CD or E", arg);
        return -1;
    }
    *band = (int)b;
    return 0;
}

int cli_opt_window(const char *cmd, const char *arg, rfn_window_type *w)
{
    if (rfn_window_from_name(arg, w)) {
        cli_errorf(cmd, "--window '%s': expected hann, flattop, blackmanharris, gaussian or rect",
                   arg);
        return -1;
    }
    return 0;
}

int cli_opt_overlap(const char *cmd, const char *arg, double *overlap)
{
    if (cli_parse_double(arg, overlap) || *overlap < 0 || *overlap >= 1) {
        cli_errorf(cmd, "--overlap '%s': expected a fraction in [0, 1)", arg);
        return -1;
    }
    return 0;
}

int cli_out_opt(int opt, const char *arg, const char *cmd, cli_out_opts *oo)
{
    switch (opt) {
    case CLI_O_OUT_FORMAT:
        if (cli_opt_csv_json(cmd, arg, &oo->json))
            return CLI_OPT_USAGE;
        oo->given = 1;
        return CLI_OPT_HANDLED;
    case CLI_O_OUTPUT:
        oo->path = arg;
        return CLI_OPT_HANDLED;
    case CLI_O_META:
        oo->meta = 1;
        return CLI_OPT_HANDLED;
    default:
        return CLI_OPT_NOT_MINE;
    }
}

int cli_opt_once(const char *cmd, const char *name, const char *arg, const char **slot)
{
    if (*slot) {
        cli_errorf(cmd, "--%s given twice ('%s' then '%s'): give it once", name, *slot, arg);
        return -1;
    }
    *slot = arg;
    return 0;
}

int cli_opt_detrend(const char *cmd, const char *arg, int *detrend_mean)
{
    return cli_opt_choice(cmd, "detrend", arg, "none", "mean", detrend_mean);
}

static int spectrum_traces(const char *cmd, const char *arg, unsigned *traces)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", arg);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "max") == 0)
            *traces |= RFN_TRACE_BIT(RFN_TRACE_MAX);
        else if (strcmp(t, "min") == 0)
            *traces |= RFN_TRACE_BIT(RFN_TRACE_MIN);
        else if (strcmp(t, "mean") != 0) {
            cli_errorf(cmd, "--traces: unknown trace '%s' (max, min)", t);
            return -1;
        }
    }
    return 0;
}

int cli_spectrum_opt(int opt, const char *arg, const char *cmd, spectrum_options *so)
{
    unsigned long long u;
    int median, bad = 0;
    switch (opt) {
    case CLI_O_NFFT:
        if (cli_parse_u64(arg, &u) || u < SPECTRUM_NFFT_MIN || u > SPECTRUM_NFFT_MAX) {
            cli_errorf(cmd, "--nfft '%s': expected %d ... %d", arg, SPECTRUM_NFFT_MIN,
                       SPECTRUM_NFFT_MAX);
            return CLI_OPT_USAGE;
        }
        so->nfft = (size_t)u;
        break;
    case CLI_O_SPECTRUM_RBW:
        bad = cli_opt_rbw(cmd, arg, &so->rbw_hz);
        break;
    case CLI_O_WINDOW:
        bad = cli_opt_window(cmd, arg, &so->window);
        break;
    case CLI_O_OVERLAP:
        bad = cli_opt_overlap(cmd, arg, &so->overlap);
        break;
    case CLI_O_DETREND:
        bad = cli_opt_detrend(cmd, arg, &so->detrend_mean);
        break;
    case CLI_O_AVERAGE:
        if (!(bad = cli_opt_choice(cmd, "average", arg, "mean", "median", &median)))
            so->traces = median ? so->traces | RFN_TRACE_BIT(RFN_TRACE_MEDIAN)
                                : so->traces & ~RFN_TRACE_BIT(RFN_TRACE_MEDIAN);
        break;
    case CLI_O_TRACES:
        bad = spectrum_traces(cmd, arg, &so->traces);
        break;
    default:
        return CLI_OPT_NOT_MINE;
    }
    if (!bad && so->nfft && so->rbw_hz > 0) {
        cli_errorf(cmd, "give --nfft or --rbw, not both");
        bad = 1;
    }
    return bad ? CLI_OPT_USAGE : CLI_OPT_HANDLED;
}

rfn_status cli_output_open(const char *out_path, atomic_file **af, FILE **f, rfn_error *err)
{
    *af = NULL;
    *f = stdout;
    if (!out_path)
        return RFN_OK;
    rfn_status st = atomic_file_open(out_path, af, err);
    if (!st)
        *f = atomic_file_stream(*af);
    return st;
}

rfn_status cli_output_commit(atomic_file **af, rfn_error *err)
{
    if (af && *af) {
        rfn_status st = atomic_file_commit(*af, err);
        *af = NULL;
        return st;
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        return rfn_error_set(err, RFN_ERR_IO, "cannot write to standard output");
    return RFN_OK;
}

int cli_cal_opts_check(const cli_cal_opts *cal, const char *cmd)
{
    if (cal->path && !isnan(cal->db)) {
        cli_errorf(cmd, "give --cal or --cal-db, not both");
        return -1;
    }
    return 0;
}

rfn_status cli_cal_load(const cli_cal_opts *o, calibration **out, rfn_error *err)
{
    rfn_status st = calibration_open(o->path, o->db, o->rx_gain_db, out, err);
    if (!st && *out && calibration_needs_rx_gain(*out)) {
        calibration_free(*out);
        *out = NULL;
        st = rfn_error_set(err, RFN_ERR_INVALID,
                           "%s has tables per receiver gain: say which with --rx-gain", o->path);
    }
    return st;
}
