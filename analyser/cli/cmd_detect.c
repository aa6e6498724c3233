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
#include "csv_util.h"
#include "emi.h"
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
            "  --jobs N            threads for the detectors (default: all online CPUs; the same\n"
            "                      readings for any)\n"
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

/* Nothing before the header: the settings go to the JSON form or the --meta sidecar. */
static int write_csv(FILE *f, const emi_result *r, unsigned dets, const double *gain,
                     const calibration *cal)
{
    fputs("freq_hz", f);
    for (int d = 0; d < 5; d++)
        if (dets & (1u << d))
            fprintf(f, ",%s_%s", rfn_det_name((rfn_det_kind)(1u << d)), unit_name(cal));
    csv_end_row(f);
    for (size_t i = 0; i < r->n_out; i++) {
        csv_write_number(f, r->freq_hz[i], -1);
        for (int d = 0; d < 5; d++) {
            if (!(dets & (1u << d)))
                continue;
            csv_write_sep(f);
            csv_write_number(f, rfn_db10(r->reading[d][i]) + (gain ? gain[i] : 0.0), 4);
        }
        csv_end_row(f);
    }
    return 0;
}

#define num cli_json_num

/* The JSON head (cli_report_head) with the settings and the bursts: the whole JSON output but
 * the readings, and the --meta sidecar of a CSV. NULL when out of memory. */
static json_t *detect_head(const capture_meta *m, const emi_result *r, const calibration *cal)
{
    json_t *root = cli_report_head(CMD, m);
    json_t *settings = json_object();
    if (!root || !settings) {
        json_decref(root);
        json_decref(settings);
        return NULL;
    }
    json_object_set_new(settings, "band", json_string(rfn_det_band_name(r->band)));
    json_object_set_new(settings, "rbw_hz", num(r->stft.rbw_hz));
    json_object_set_new(settings, "rbw6_hz", num(r->stft.rbw6_hz));
    json_object_set_new(settings, "enbw_hz", num(r->stft.enbw_hz));
    json_object_set_new(settings, "window", json_string("gaussian"));
    json_object_set_new(settings, "win_len", json_integer((json_int_t)r->stft.win_len));
    json_object_set_new(settings, "nfft", json_integer((json_int_t)r->stft.nfft));
    json_object_set_new(settings, "hop", json_integer((json_int_t)r->stft.hop));
    json_object_set_new(settings, "hop_s", num(r->stft.hop_s));
    json_object_set_new(settings, "overlap", num(r->stft.overlap));
    json_object_set_new(settings, "bin_hz", num(r->stft.bin_hz));
    json_object_set_new(settings, "qp_charge_s", num(r->params.qp_charge_s));
    json_object_set_new(settings, "qp_discharge_s", num(r->params.qp_discharge_s));
    json_object_set_new(settings, "qp_meter_s", num(r->params.qp_meter_s));
    json_object_set_new(settings, "avg_meter_s", num(r->params.avg_meter_s));
    json_object_set_new(settings, "rms_corner_hz", num(r->params.rms_corner_hz));
    json_object_set_new(settings, "sample_rate_hz", num(r->stft.fs_hz));
    json_object_set_new(settings, "center_freq_hz",
                        r->center_known ? num(r->center_hz) : json_null());
    json_object_set_new(settings, "one_sided", json_boolean(r->real_input));
    json_object_set_new(settings, "frames", json_integer((json_int_t)r->frames));
    json_object_set_new(settings, "frames_excluded", json_integer((json_int_t)r->frames_excluded));
    json_object_set_new(settings, "settle_s", num(r->settle_s));
    json_object_set_new(settings, "settled", json_boolean(r->settled));
    json_object_set_new(settings, "unit", json_string(cal ? "dBm" : "dBFS"));
    json_object_set_new(settings, "calibration", cal ? json_string(calibration_id(cal))
                                                      : json_null());
    json_object_set_new(root, "settings", settings);
    json_t *bursts = json_pack("{s:I, s:I, s:f, s:f}", "detected",
                               (json_int_t)r->bursts.n_detected, "annotations",
                               (json_int_t)r->bursts.n_given, "excluded_s",
                               r->bursts.excluded_s, "excluded_fraction",
                               r->bursts.excluded_fraction);
    if (bursts) {
        json_object_set_new(bursts, "floor_dbfs", num(rfn_db10(r->bursts.floor_power)));
        json_object_set_new(bursts, "mean_dbfs", num(rfn_db10(r->bursts.mean_power_all)));
        json_object_set_new(root, "bursts", bursts);
    }
    return root;
}

static int write_json(FILE *f, json_t *root, const emi_result *r, unsigned dets,
                      const double *gain, const calibration *cal)
{
    json_t *fr = json_array();
    for (size_t i = 0; i < r->n_out; i++)
        json_array_append_new(fr, json_real(r->freq_hz[i]));
    json_object_set_new(root, "freq_hz", fr);
    for (int d = 0; d < 5; d++) {
        if (!(dets & (1u << d)))
            continue;
        json_t *col = json_array();
        for (size_t i = 0; i < r->n_out; i++)
            json_array_append_new(col, num(rfn_db10(r->reading[d][i]) + (gain ? gain[i] : 0)));
        char name[32];
        snprintf(name, sizeof name, "%s_%s", rfn_det_name((rfn_det_kind)(1u << d)),
                 unit_name(cal));
        json_object_set_new(root, name, col);
    }
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
    if (o->oo.json ? write_json(f, head, &r, r.detectors, gain, cal)
                   : write_csv(f, &r, r.detectors, gain, cal)) {
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
