/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_detect.c: `rfnoise detect`: per-bin CISPR 16-1-1 detector readings (peak, quasi-peak,
 * CISPR-average, RMS-average, RMS) of a capture, as an EMI test receiver would show them. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "calibration.h"
#include "capture.h"
#include "cli.h"
#include "cli_opts.h"
#include "cli_report.h"
#include "commands.h"
#include "emi.h"
#include "field_table.h"
#include "units.h"

#define CMD "detect"

static void detect_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise detect CAPTURE [options]\n"
            "\n"
            "Run the capture through a time-domain EMI receiver: a short-time FFT whose Gaussian\n"
            "window has the 6 dB resolution bandwidth of CISPR 16-1-1, and on every bin the\n"
            "detectors asked for. One row per bin: freq_hz and one column per detector, in dBFS\n"
            "(the power of a continuous tone in the RBW that reads the same), or dBm when\n"
            "calibrated. The CSV starts with its header line; the RBW, window, hop and time\n"
            "constants are under \"settings\" in the JSON, or in the --meta sidecar.\n"
            "\n"
            "Options:\n"
            "  --rbw HZ            6 dB resolution bandwidth (default: the band's, 120 kHz C/D)\n"
            "  --band B            CISPR band for the time constants: A, B, CD or E (default:\n"
            "                      from the capture's centre frequency, CD when unknown)\n"
            "  --detectors LIST    comma-separated: peak, qp, cispr_avg, rms_avg, rms\n"
            "                      (default peak,qp,cispr_avg,rms_avg)\n"
            "  --exclude-annotations  leave the SigMF annotation spans (the hub's own bursts)\n"
            "                      out of the detectors\n"
            "  --exclude-bursts    find strong bursts (10 dB over the floor for 1 ms or more) in\n"
            "                      a first pass and leave them out of the detectors\n"
            "  --format F          csv (default) or json\n"
            "  --output FILE       write to FILE (atomically) instead of standard output\n"
            "  --meta              with --output FILE.csv: the settings and capture metadata\n"
            "                      as JSON in FILE.meta.json\n"
            "  --cal FILE          calibration file: dBm columns instead of dBFS\n"
            "  --cal-db X          calibration of X dB at every frequency (dBm = dBFS + X)\n"
            "  --rx-gain DB        receiver gain, choosing the table of a per-gain calibration\n"
            "  --rate HZ           sample rate (wins over the capture's metadata and name)\n"
            "  --center HZ         centre frequency (wins over its metadata and name)\n"
            "  --datatype T        sample type of a raw capture (cu8 cs8 cs16 cf32 ...)\n"
            "  --jobs N            threads for the STFT and detectors (default: all online CPUs;\n"
            "                      the same readings for any)\n"
            "  --quiet             no progress on stderr\n"
            "  --recording NAME    the recording of a .sigmf archive holding several\n"
            "  -h, --help          show this help\n"
            "\n"
            "Exit status: 0 written, 2 usage error or a capture that cannot be read.\n");
}

static const char *unit_name(const calibration *cal)
{
    return cal ? "dbm" : "dbfs";
}

/* One output bin of a detect export: the record that the column table's accessors read. */
typedef struct det_bin {
    const emi_result *r;
    const double *gain; /* [n_out] dB, NULL when not calibrated */
    size_t i;
} det_bin;

/* Detector d's reading of bin b, in dBFS, or dBm when calibrated. */
static double det_level(const det_bin *b, int d)
{
    return rfn_db10(b->r->reading[d][b->i]) + (b->gain ? b->gain[b->i] : 0.0);
}

FIELD_NUM_FN(bin_freq, det_bin, r->r->freq_hz[r->i])
FIELD_NUM_FN(bin_det0, det_bin, det_level(r, 0))
FIELD_NUM_FN(bin_det1, det_bin, det_level(r, 1))
FIELD_NUM_FN(bin_det2, det_bin, det_level(r, 2))
FIELD_NUM_FN(bin_det3, det_bin, det_level(r, 3))
FIELD_NUM_FN(bin_det4, det_bin, det_level(r, 4))

/* The columns of a detect export, built at run time as the detectors and the unit vary:
 * freq_hz, then one per detector asked for (index = bit position), named DET_UNIT. One table
 * that both the CSV and the JSON writer walk. */
typedef struct det_columns {
    record_field f[1 + RFN_DET_KIND_COUNT];
    char names[RFN_DET_KIND_COUNT][32];
    size_t n;
} det_columns;

static void det_columns_make(det_columns *c, unsigned dets, const calibration *cal)
{
    static double (*const level[])(const void *) = {bin_det0, bin_det1, bin_det2, bin_det3,
                                                    bin_det4};
    _Static_assert(sizeof level / sizeof level[0] == RFN_DET_KIND_COUNT,
                   "a column accessor per detector kind");
    c->f[0] = (record_field){"freq_hz", FIELD_NUM, NULL, bin_freq, -1};
    c->n = 1;
    for (int d = 0; d < RFN_DET_KIND_COUNT; d++) {
        if (!(dets & (1u << d)))
            continue;
        snprintf(c->names[d], sizeof c->names[d], "%s_%s",
                 rfn_det_name((rfn_det_kind)(1u << d)), unit_name(cal));
        c->f[c->n++] = (record_field){c->names[d], FIELD_NUM, NULL, level[d], 4};
    }
}

/* Nothing before the header: the settings go to the JSON form or the --meta sidecar. */
static int write_csv(FILE *f, const det_columns *c, det_bin bin)
{
    field_csv_header(f, c->f, c->n);
    for (bin.i = 0; bin.i < bin.r->n_out; bin.i++)
        field_csv_row(f, c->f, c->n, &bin);
    return 0;
}

/* The settings of a detect run: the record that detect_settings' accessors read. */
typedef struct detect_run {
    const emi_result *r;
    const calibration *cal; /* NULL when not calibrated */
} detect_run;

FIELD_TEXT_FN(st_band, detect_run, rfn_det_band_name(r->r->band))
FIELD_NUM_FN(st_rbw, detect_run, r->r->stft.rbw_hz)
FIELD_NUM_FN(st_rbw6, detect_run, r->r->stft.rbw6_hz)
FIELD_NUM_FN(st_enbw, detect_run, r->r->stft.enbw_hz)
FIELD_TEXT_FN(st_window, detect_run, ((void)r, "gaussian"))
FIELD_NUM_FN(st_win_len, detect_run, (double)r->r->stft.win_len)
FIELD_NUM_FN(st_nfft, detect_run, (double)r->r->stft.nfft)
FIELD_NUM_FN(st_hop, detect_run, (double)r->r->stft.hop)
FIELD_NUM_FN(st_hop_s, detect_run, r->r->stft.hop_s)
FIELD_NUM_FN(st_overlap, detect_run, r->r->stft.overlap)
FIELD_NUM_FN(st_bin, detect_run, r->r->stft.bin_hz)
FIELD_NUM_FN(st_qp_charge, detect_run, r->r->params.qp_charge_s)
FIELD_NUM_FN(st_qp_discharge, detect_run, r->r->params.qp_discharge_s)
FIELD_NUM_FN(st_qp_meter, detect_run, r->r->params.qp_meter_s)
FIELD_NUM_FN(st_avg_meter, detect_run, r->r->params.avg_meter_s)
FIELD_NUM_FN(st_rms_corner, detect_run, r->r->params.rms_corner_hz)
FIELD_NUM_FN(st_fs, detect_run, r->r->stft.fs_hz)
FIELD_NUM_FN(st_center, detect_run, r->r->center_known ? r->r->center_hz : NAN)
FIELD_NUM_FN(st_one_sided, detect_run, r->r->real_input)
FIELD_NUM_FN(st_frames, detect_run, (double)r->r->frames)
FIELD_NUM_FN(st_frames_excl, detect_run, (double)r->r->frames_excluded)
FIELD_NUM_FN(st_settle, detect_run, r->r->settle_s)
FIELD_NUM_FN(st_settled, detect_run, r->r->settled)
FIELD_TEXT_FN(st_unit, detect_run, r->cal ? "dBm" : "dBFS")
FIELD_TEXT_FN(st_cal, detect_run, r->cal ? calibration_id(r->cal) : "")

/* "settings" of the JSON output and of the --meta sidecar. */
static const record_field detect_settings[] = {
    {"band", FIELD_TEXT, st_band, NULL, 0},
    {"rbw_hz", FIELD_NUM, NULL, st_rbw, -1},
    {"rbw6_hz", FIELD_NUM, NULL, st_rbw6, -1},
    {"enbw_hz", FIELD_NUM, NULL, st_enbw, -1},
    {"window", FIELD_TEXT, st_window, NULL, 0},
    {"win_len", FIELD_INT, NULL, st_win_len, 0},
    {"nfft", FIELD_INT, NULL, st_nfft, 0},
    {"hop", FIELD_INT, NULL, st_hop, 0},
    {"hop_s", FIELD_NUM, NULL, st_hop_s, -1},
    {"overlap", FIELD_NUM, NULL, st_overlap, -1},
    {"bin_hz", FIELD_NUM, NULL, st_bin, -1},
    {"qp_charge_s", FIELD_NUM, NULL, st_qp_charge, -1},
    {"qp_discharge_s", FIELD_NUM, NULL, st_qp_discharge, -1},
    {"qp_meter_s", FIELD_NUM, NULL, st_qp_meter, -1},
    {"avg_meter_s", FIELD_NUM, NULL, st_avg_meter, -1},
    {"rms_corner_hz", FIELD_NUM, NULL, st_rms_corner, -1},
    {"sample_rate_hz", FIELD_NUM, NULL, st_fs, -1},
    {"center_freq_hz", FIELD_NUM, NULL, st_center, -1},
    {"one_sided", FIELD_BOOL, NULL, st_one_sided, 0},
    {"frames", FIELD_INT, NULL, st_frames, 0},
    {"frames_excluded", FIELD_INT, NULL, st_frames_excl, 0},
    {"settle_s", FIELD_NUM, NULL, st_settle, -1},
    {"settled", FIELD_BOOL, NULL, st_settled, 0},
    {"unit", FIELD_TEXT, st_unit, NULL, 0},
    {"calibration", FIELD_TEXT_OR_NULL, st_cal, NULL, 0},
};

FIELD_NUM_FN(burst_detected, emi_result, (double)r->bursts.n_detected)
FIELD_NUM_FN(burst_given, emi_result, (double)r->bursts.n_given)
FIELD_NUM_FN(burst_excluded_s, emi_result, r->bursts.excluded_s)
FIELD_NUM_FN(burst_excluded_fraction, emi_result, r->bursts.excluded_fraction)
FIELD_NUM_FN(burst_floor, emi_result, rfn_db10(r->bursts.floor_power))
FIELD_NUM_FN(burst_mean, emi_result, rfn_db10(r->bursts.mean_power_all))

/* "bursts": what the first pass found (and the annotations given). */
static const record_field detect_bursts[] = {
    {"detected", FIELD_INT, NULL, burst_detected, 0},
    {"annotations", FIELD_INT, NULL, burst_given, 0},
    {"excluded_s", FIELD_NUM, NULL, burst_excluded_s, -1},
    {"excluded_fraction", FIELD_NUM, NULL, burst_excluded_fraction, -1},
    {"floor_dbfs", FIELD_NUM, NULL, burst_floor, -1},
    {"mean_dbfs", FIELD_NUM, NULL, burst_mean, -1},
};

#define N_COLS(a) (sizeof(a) / sizeof *(a))

/* The JSON head (cli_report_head) with the settings and the bursts: the whole JSON output but
 * the readings, and the --meta sidecar of a CSV. NULL when out of memory. */
static json_t *detect_head(const capture_meta *m, const emi_result *r, const calibration *cal)
{
    json_t *root = cli_report_head(CMD, m);
    detect_run run = {r, cal};
    json_t *settings = field_json_object(detect_settings, N_COLS(detect_settings), &run);
    if (!root || !settings) {
        json_decref(root);
        json_decref(settings);
        return NULL;
    }
    json_object_set_new(root, "settings", settings);
    json_t *bursts = field_json_object(detect_bursts, N_COLS(detect_bursts), r);
    if (bursts)
        json_object_set_new(root, "bursts", bursts);
    return root;
}

/* The JSON form is by column: one array per field of the table, one element per bin. */
static int write_json(FILE *f, json_t *root, const det_columns *c, det_bin bin)
{
    if (field_json_columns(root, c->f, c->n, &bin, &bin.i, bin.r->n_out))
        return -1;
    int rc = json_dumpf(root, f, JSON_INDENT(1) | JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    return rc;
}

/* What the options of one run ask for. */
typedef struct detect_opts {
    emi_config ec;
    cli_capture_opts co;
    cli_cal_opts calo;
    cli_out_opts oo;
    int exclude_bursts;
} detect_opts;

enum { O_RBW = 256, O_BAND, O_DETECTORS, O_EXCL, O_EXCL_BURSTS };

/* One option of detect's own, or of the output: 0, or RFN_EXIT_USAGE. */
static int detect_option(int opt, const char *arg, detect_opts *o)
{
    rfn_error err = {0};
    emi_config *ec = &o->ec;
    switch (opt) {
    case O_RBW:
        return cli_opt_rbw(CMD, arg, &ec->rbw_hz) ? RFN_EXIT_USAGE : 0;
    case O_BAND:
        return cli_opt_band(CMD, arg, &ec->band) ? RFN_EXIT_USAGE : 0;
    case O_DETECTORS:
        if (rfn_det_parse_list(arg, &ec->detectors, &err)) {
            cli_errorf(CMD, "--%s", err.msg);
            return RFN_EXIT_USAGE;
        }
        ec->qp_optional = 0;
        return 0;
    case O_EXCL:
        ec->exclude_annotations = 1;
        return 0;
    case O_EXCL_BURSTS:
        o->exclude_bursts = 1;
        return 0;
    default:
        return cli_out_opt(opt, arg, CMD, &o->oo) != CLI_OPT_HANDLED ? RFN_EXIT_USAGE : 0;
    }
}

/* Measure the capture at path with the detectors and write their readings. */
static int run_detect(const char *path, const detect_opts *o)
{
    int status = RFN_EXIT_USAGE;
    rfn_error err = {0};
    calibration *cal = NULL;
    capture *c = NULL;
    emi_result r;
    memset(&r, 0, sizeof r);
    double *gain = NULL;
    atomic_file *af = NULL;
    json_t *head = NULL;
    if (cli_cal_load(&o->calo, &cal, &err) ||
        emi_run_path(path, &o->co.copt, &o->ec, o->exclude_bursts, &c, &r, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    if (cli_cal_gains(cal, r.freq_hz, r.n_out, &gain, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    FILE *f;
    if (cli_output_open(o->oo.path, &af, &f, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    const capture_meta *m = capture_get_meta(c);
    cli_report_warnings(CMD, m);
    if (!r.settled && !o->ec.quiet)
        cli_errorf(CMD, "%s: note: lasts %.3g s; the meters need %.3g s to settle (readings of "
                        "steady signals may be low)",
                   m->path, m->duration_s, r.settle_s);
    if (!(head = detect_head(m, &r, cal))) {
        cli_errorf(CMD, "out of memory");
        goto done;
    }
    det_columns cols;
    det_columns_make(&cols, r.detectors, cal);
    det_bin bin = {&r, gain, 0};
    if (o->oo.json ? write_json(f, head, &cols, bin) : write_csv(f, &cols, bin)) {
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
    free(gain);
    emi_result_free(&r);
    capture_close(c);
    calibration_free(cal);
    return status;
}

int cmd_detect(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"rbw", required_argument, 0, O_RBW},
        {"band", required_argument, 0, O_BAND},
        {"detectors", required_argument, 0, O_DETECTORS},
        {"exclude-annotations", no_argument, 0, O_EXCL},
        {"exclude-bursts", no_argument, 0, O_EXCL_BURSTS},
        CLI_LONGOPTS_OUTPUT,
        CLI_LONGOPTS_CAL,
        CLI_LONGOPTS_CAPTURE,
        CLI_LONGOPTS_QUIET, CLI_LONGOPTS_JOBS,
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    detect_opts o = {.ec = emi_config_default(),
                     .co = cli_capture_opts_default(),
                     .calo = cli_cal_opts_default()};
    o.ec.detectors = RFN_DET_PEAK | RFN_DET_QP | RFN_DET_CISPR_AVG | RFN_DET_RMS_AVG;
    o.ec.qp_optional = 1; /* the default set leaves QP out in Band E; an explicit list does not */
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, CMD, &o.co, &o.calo)) != -1) {
        if (opt == 'h') {
            detect_usage(stdout);
            return RFN_EXIT_OK;
        }
        if (detect_option(opt, optarg, &o))
            return RFN_EXIT_USAGE;
    }
    if (cli_one_capture(argc, CMD) ||
        cli_report_meta_check(CMD, o.oo.meta, o.oo.json, o.oo.path))
        return RFN_EXIT_USAGE;
    if (cli_cal_opts_check(&o.calo, CMD))
        return RFN_EXIT_USAGE;
    o.ec.quiet = o.co.quiet;
    o.ec.jobs = o.co.jobs;
    return run_detect(argv[optind], &o);
}
