/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_psd.c: `rfnoise psd`: export a capture's Welch spectrum as CSV or JSON, so that anyone can
 * check our numbers against their own tools (scipy.signal.welch conventions). */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse.h"
#include "capture.h"
#include "cli.h"
#include "cli_opts.h"
#include "cli_report.h"
#include "commands.h"
#include "field_table.h"
#include "units.h"

#define CMD "psd"

static void psd_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise psd CAPTURE [options]\n"
            "\n"
            "Write the Welch power spectral density of a capture, one row per frequency bin in\n"
            "ascending order: freq_hz (absolute when the centre frequency is known, else the\n"
            "offset), psd_dbfs_hz, psd_dbm_hz when calibrated, maxhold_dbfs_hz / minhold_dbfs_hz\n"
            "when asked. Complex captures give a two-sided density, real ones a one-sided one.\n"
            "\n"
            "Options:\n"
            "  --nfft N           segment (FFT) length, 16 ... 16777216 (default 1024)\n"
            "  --rbw HZ           resolution bandwidth instead of --nfft\n"
            "  --window W         hann (default), flattop, blackmanharris, gaussian, rect\n"
            "  --overlap F        overlap as a fraction of nfft (default 0.5)\n"
            "  --detrend M        none (default) or mean (subtract each segment's mean)\n"
            "  --average A        mean (default) or median (scipy average='median')\n"
            "  --traces LIST      extra traces, comma-separated: max, min\n"
            "  --cal FILE         calibration file: adds psd_dbm_hz\n"
            "  --cal-db X         calibration of X dB at every frequency: adds psd_dbm_hz\n"
            "  --rx-gain DB       receiver gain, choosing the table of a per-gain calibration\n"
            "  --format F         csv (default) or json\n"
            "  --rate HZ          sample rate (wins over the capture's metadata and name)\n"
            "  --center HZ        centre frequency (wins over its metadata and name)\n"
            "  --datatype T       sample type of a raw capture (cu8 cs8 cs16 cf32 ...)\n"
            "  --jobs N           threads (default: all online CPUs; the same result for any)\n"
            "  --quiet            no progress on stderr\n"
            "  --recording NAME   the recording of a .sigmf archive holding several\n"
            "  -h, --help         show this help\n"
            "\n"
            "With --window hann --nfft 1024 --detrend mean the psd_dbfs_hz column equals\n"
            "10*log10 of scipy.signal.welch(x, fs, window='hann', nperseg=1024,\n"
            "return_onesided=False, scaling='density'), fftshift-ed.\n");
}

/* One frequency bin of a psd export: the record that the column table's accessors read. */
typedef struct psd_bin {
    const rfn_spectrum *spec;
    const double *psd;  /* the mean trace, or the median with --average median */
    const double *gain; /* [n_bins] dB, NULL when not calibrated */
    size_t i;
} psd_bin;

FIELD_NUM_FN(bin_freq, psd_bin, r->spec->freq_hz[r->i])
FIELD_NUM_FN(bin_dbfs, psd_bin, rfn_db10(r->psd[r->i]))
FIELD_NUM_FN(bin_dbm, psd_bin, rfn_db10(r->psd[r->i]) + r->gain[r->i])
FIELD_NUM_FN(bin_max, psd_bin, rfn_db10(r->spec->density[RFN_TRACE_MAX][r->i]))
FIELD_NUM_FN(bin_min, psd_bin, rfn_db10(r->spec->density[RFN_TRACE_MIN][r->i]))

/* The columns of a psd export, in order: one table that both the CSV and the JSON writer walk,
 * so that a header and its cells cannot disagree. Levels are in dB of the trace named. */
enum { PSD_COLUMNS_MAX = 5 };
static const record_field psd_fields[PSD_COLUMNS_MAX] = {
    {"freq_hz", FIELD_NUM, NULL, bin_freq, -1},
    {"psd_dbfs_hz", FIELD_NUM, NULL, bin_dbfs, 6},
    {"psd_dbm_hz", FIELD_NUM, NULL, bin_dbm, 6},
    {"maxhold_dbfs_hz", FIELD_NUM, NULL, bin_max, 6},
    {"minhold_dbfs_hz", FIELD_NUM, NULL, bin_min, 6},
};

/* Fill cols with the columns present: freq_hz, psd_dbfs_hz, psd_dbm_hz when calibrated (gain
 * non-NULL), maxhold / minhold_dbfs_hz when asked. Returns how many. */
static size_t psd_columns(unsigned traces, const double *gain,
                          record_field cols[PSD_COLUMNS_MAX])
{
    const int present[PSD_COLUMNS_MAX] = {1, 1, gain != NULL,
                                          (traces & RFN_TRACE_BIT(RFN_TRACE_MAX)) != 0,
                                          (traces & RFN_TRACE_BIT(RFN_TRACE_MIN)) != 0};
    size_t n = 0;
    for (size_t k = 0; k < PSD_COLUMNS_MAX; k++)
        if (present[k])
            cols[n++] = psd_fields[k];
    return n;
}

static void psd_write_csv(FILE *f, const record_field *cols, size_t n_cols, psd_bin bin)
{
    field_csv_header(f, cols, n_cols);
    for (bin.i = 0; bin.i < bin.spec->n_bins; bin.i++)
        field_csv_row(f, cols, n_cols, &bin);
}

/* The settings of a psd run: the record that psd_settings' accessors read. */
typedef struct psd_run {
    const rfn_spectrum *spec;
    const capture_meta *m;
    const spectrum_options *so;
    const calibration *cal; /* NULL when not calibrated */
} psd_run;

FIELD_TEXT_FN(st_window, psd_run, rfn_window_name(r->spec->window))
FIELD_NUM_FN(st_nfft, psd_run, (double)r->spec->nfft)
FIELD_NUM_FN(st_overlap, psd_run, (double)r->spec->overlap)
FIELD_NUM_FN(st_fs, psd_run, r->spec->fs_hz)
FIELD_NUM_FN(st_center, psd_run, isfinite(r->m->center_freq_hz) ? r->spec->center_hz : NAN)
FIELD_NUM_FN(st_bin, psd_run, r->spec->bin_hz)
FIELD_NUM_FN(st_enbw, psd_run, r->spec->enbw_hz)
FIELD_NUM_FN(st_averages, psd_run, (double)r->spec->segments)
FIELD_TEXT_FN(st_detrend, psd_run, r->so->detrend_mean ? "mean" : "none")
FIELD_TEXT_FN(st_average, psd_run,
              (r->so->traces & RFN_TRACE_BIT(RFN_TRACE_MEDIAN)) ? "median" : "mean")
FIELD_NUM_FN(st_one_sided, psd_run, r->spec->one_sided)
FIELD_TEXT_FN(st_cal, psd_run, r->cal ? calibration_id(r->cal) : "")

/* "settings" of the JSON output. */
enum { N_SETTINGS = 12 };
static const record_field psd_settings[N_SETTINGS] = {
    {"window", FIELD_TEXT, st_window, NULL, 0},
    {"nfft", FIELD_INT, NULL, st_nfft, 0},
    {"overlap", FIELD_INT, NULL, st_overlap, 0},
    {"sample_rate_hz", FIELD_NUM, NULL, st_fs, -1},
    {"center_freq_hz", FIELD_NUM, NULL, st_center, -1},
    {"bin_hz", FIELD_NUM, NULL, st_bin, -1},
    {"enbw_hz", FIELD_NUM, NULL, st_enbw, -1},
    {"averages", FIELD_INT, NULL, st_averages, 0},
    {"detrend", FIELD_TEXT, st_detrend, NULL, 0},
    {"average", FIELD_TEXT, st_average, NULL, 0},
    {"one_sided", FIELD_BOOL, NULL, st_one_sided, 0},
    {"calibration", FIELD_TEXT_OR_NULL, st_cal, NULL, 0},
};

int cmd_psd(int argc, char **argv)
{
    enum { O_FORMAT = 256 };
    static const struct option longopts[] = {
        CLI_LONGOPTS_SPECTRUM,
        CLI_LONGOPTS_SPECTRUM_TRACES,
        CLI_LONGOPTS_CAL,
        {"format", required_argument, 0, O_FORMAT},
        CLI_LONGOPTS_CAPTURE,
        CLI_LONGOPTS_QUIET, CLI_LONGOPTS_JOBS,
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    spectrum_options so = spectrum_options_default();
    int json = 0;
    cli_capture_opts co = cli_capture_opts_default();
    cli_cal_opts calo = cli_cal_opts_default();
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, CMD, &co, &calo)) != -1) {
        switch (opt) {
        case 'h':
            psd_usage(stdout);
            return RFN_EXIT_OK;
        case O_FORMAT:
            if (cli_opt_csv_json(CMD, optarg, &json))
                return RFN_EXIT_USAGE;
            break;
        default:
            if (cli_spectrum_opt(opt, optarg, CMD, &so) != CLI_OPT_HANDLED)
                return RFN_EXIT_USAGE;
        }
    }
    if (cli_one_capture(argc, CMD))
        return RFN_EXIT_USAGE;
    if (cli_cal_opts_check(&calo, CMD))
        return RFN_EXIT_USAGE;

    int status = RFN_EXIT_USAGE;
    rfn_error err = {0};
    calibration *cal = NULL;
    capture *c = NULL;
    rfn_spectrum spec;
    memset(&spec, 0, sizeof spec);
    double *gain = NULL;
    json_t *root = NULL;

    if (cli_cal_load(&calo, &cal, &err) || capture_open(argv[optind], &co.copt, &c, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    const capture_meta *m = capture_get_meta(c);
    cli_report_warnings(CMD, m);
    rfn_welch_config w;
    if (spectrum_welch_config(&so, m, 1024, &w, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    if (analyse_read_spectrum(c, &w, co.quiet, co.jobs, &spec, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    if (cli_cal_gains(cal, spec.freq_hz, spec.n_bins, &gain, &err)) {
        cli_error(CMD, &err);
        goto done;
    }

    record_field cols[PSD_COLUMNS_MAX];
    size_t n_cols = psd_columns(so.traces, gain, cols);
    int median = (so.traces & RFN_TRACE_BIT(RFN_TRACE_MEDIAN)) != 0;
    psd_bin bin = {&spec, spec.density[median ? RFN_TRACE_MEDIAN : RFN_TRACE_MEAN], gain, 0};
    if (json) {
        root = cli_report_head(CMD, m);
        psd_run run = {&spec, m, &so, cal};
        json_object_set_new(root, "settings", field_json_object(psd_settings, N_SETTINGS, &run));
        if (field_json_columns(root, cols, n_cols, &bin, &bin.i, spec.n_bins)) {
            cli_errorf(CMD, "out of memory");
            goto done;
        }
        if (json_dumpf(root, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12) |
                                         JSON_PRESERVE_ORDER)) {
            cli_errorf(CMD, "cannot write JSON");
            goto done;
        }
        fputc('\n', stdout);
    } else {
        psd_write_csv(stdout, cols, n_cols, bin);
    }
    if (cli_output_commit(NULL, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    status = RFN_EXIT_OK;
done:
    json_decref(root);
    free(gain);
    rfn_spectrum_free(&spec);
    capture_close(c);
    calibration_free(cal);
    return status;
}
