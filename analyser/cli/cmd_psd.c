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
#include "csv_util.h"
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

/* The columns of a psd export, in order: one table that both the CSV and the JSON writer walk,
 * so that a header and its cells cannot disagree. Levels are in dB of the trace named. */
enum { PSD_COLUMNS_MAX = 5 };
typedef struct psd_column {
    const char *name;
    double *v;  /* [n_bins], owned */
    int digits; /* csv_write_number's: -1 shortest exact, else decimals */
} psd_column;

static void psd_columns_free(psd_column *cols, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(cols[k].v);
}

/* Fill cols: freq_hz, psd_dbfs_hz (mean, or median with --average median), psd_dbm_hz when
 * calibrated (gain non-NULL), maxhold / minhold_dbfs_hz when asked. Returns how many, 0 when
 * out of memory. */
static size_t psd_columns(const rfn_spectrum *spec, unsigned traces, const double *gain,
                          psd_column cols[PSD_COLUMNS_MAX])
{
    int median = (traces & RFN_TRACE_BIT(RFN_TRACE_MEDIAN)) != 0;
    const double *psd = spec->density[median ? RFN_TRACE_MEDIAN : RFN_TRACE_MEAN];
    const struct {
        const char *name;
        int present;
        const double *density, *add; /* dB10(density) + add[i], or freq_hz when density NULL */
    } table[PSD_COLUMNS_MAX] = {
        {"freq_hz", 1, NULL, NULL},
        {"psd_dbfs_hz", 1, psd, NULL},
        {"psd_dbm_hz", gain != NULL, psd, gain},
        {"maxhold_dbfs_hz", (traces & RFN_TRACE_BIT(RFN_TRACE_MAX)) != 0,
         spec->density[RFN_TRACE_MAX], NULL},
        {"minhold_dbfs_hz", (traces & RFN_TRACE_BIT(RFN_TRACE_MIN)) != 0,
         spec->density[RFN_TRACE_MIN], NULL},
    };
    size_t n = 0;
    for (size_t k = 0; k < PSD_COLUMNS_MAX; k++) {
        if (!table[k].present)
            continue;
        double *v = malloc((spec->n_bins ? spec->n_bins : 1) * sizeof *v);
        if (!v) {
            psd_columns_free(cols, n);
            return 0;
        }
        for (size_t i = 0; i < spec->n_bins; i++)
            v[i] = !table[k].density ? spec->freq_hz[i]
                                     : rfn_db10(table[k].density[i]) +
                                           (table[k].add ? table[k].add[i] : 0);
        cols[n++] = (psd_column){table[k].name, v, table[k].density ? 6 : -1};
    }
    return n;
}

static void psd_write_csv(FILE *f, const psd_column *cols, size_t n_cols, size_t n_rows)
{
    const char *head[PSD_COLUMNS_MAX];
    for (size_t k = 0; k < n_cols; k++)
        head[k] = cols[k].name;
    csv_write_row(f, head, n_cols);
    for (size_t i = 0; i < n_rows; i++) {
        for (size_t k = 0; k < n_cols; k++) {
            if (k)
                csv_write_sep(f);
            csv_write_number(f, cols[k].v[i], cols[k].digits);
        }
        csv_end_row(f);
    }
}

static void psd_write_json_columns(json_t *root, const psd_column *cols, size_t n_cols,
                                   size_t n_rows)
{
    for (size_t k = 0; k < n_cols; k++) {
        json_t *a = json_array();
        for (size_t i = 0; i < n_rows; i++)
            json_array_append_new(a, cli_json_num(cols[k].v[i]));
        json_object_set_new(root, cols[k].name, a);
    }
}

static json_t *psd_settings_json(const rfn_spectrum *spec, const capture_meta *m,
                                 const spectrum_options *so, const calibration *cal)
{
    int median = (so->traces & RFN_TRACE_BIT(RFN_TRACE_MEDIAN)) != 0;
    return json_pack(
        "{s:s, s:I, s:I, s:f, s:o, s:f, s:f, s:I, s:s, s:s, s:b, s:o}", "window",
        rfn_window_name(spec->window), "nfft", (json_int_t)spec->nfft, "overlap",
        (json_int_t)spec->overlap, "sample_rate_hz", spec->fs_hz, "center_freq_hz",
        cli_json_num(isfinite(m->center_freq_hz) ? spec->center_hz : NAN), "bin_hz", spec->bin_hz,
        "enbw_hz", spec->enbw_hz, "averages", (json_int_t)spec->segments, "detrend",
        so->detrend_mean ? "mean" : "none", "average", median ? "median" : "mean", "one_sided",
        spec->one_sided, "calibration", cal ? json_string(calibration_id(cal)) : json_null());
}

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

    psd_column cols[PSD_COLUMNS_MAX];
    size_t n_cols = psd_columns(&spec, so.traces, gain, cols);
    if (!n_cols) {
        cli_errorf(CMD, "out of memory");
        goto done;
    }
    if (json) {
        root = cli_report_head(CMD, m);
        json_object_set_new(root, "settings", psd_settings_json(&spec, m, &so, cal));
        psd_write_json_columns(root, cols, n_cols, spec.n_bins);
        if (json_dumpf(root, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12) |
                                         JSON_PRESERVE_ORDER)) {
            cli_errorf(CMD, "cannot write JSON");
            psd_columns_free(cols, n_cols);
            goto done;
        }
        fputc('\n', stdout);
    } else {
        psd_write_csv(stdout, cols, n_cols, spec.n_bins);
    }
    psd_columns_free(cols, n_cols);
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
