/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_compare.c: `rfnoise compare`: two captures of one installation (meter off and on, old and
 * new firmware, before and after a replacement) band by band: levels, the rise with its 95 %
 * interval, the noise excess and the APD difference (issue 19; analyser/measure/compare.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_opts.h"
#include "commands.h"
#include "compare.h"
#include "compare_out.h"
#include "data_dir.h"

#define CMD "compare"
#define MAX_BANDS 64

static void compare_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise compare BEFORE AFTER [options]\n"
            "\n"
            "Compare two captures of the same installation (meter off and on, old and new\n"
            "firmware, before and after a replacement), taken at the same rate and centre. Per\n"
            "band: the level in each (channel power), the rise in dB with a 95 %% interval from\n"
            "the segment-to-segment spread of each, the noise excess over the baseline (power\n"
            "subtraction; only a bound when the rise is under 0.5 dB) and the APD difference\n"
            "at 1e-1, 1e-2 and 1e-3.\n"
            "\n"
            "Options:\n"
            "  --band F_LO:F_HI   a band in Hz, named by its edges (repeatable; default: the\n"
            "                     bands of the limit set that lie inside the captures' span)\n"
            "  --limits FILE      limit set whose bands are compared (default: the bundled set)\n"
            "  --cal FILE         calibration file (levels in dBm instead of dBFS)\n"
            "  --cal-db X         calibration: add X dB to dBFS to get dBm, at every frequency\n"
            "  --rx-gain DB       receiver gain, choosing the table of a per-gain calibration\n"
            "  --format F         text (default), json or csv\n"
            "  --plot FILE        draw both spectra and the limit lines in FILE (.png or .svg),\n"
            "                     their difference in FILE with .diff before the extension\n"
            "  --no-apd           skip the APD differences (two EMI passes per band)\n"
            "  --nfft N           FFT length, 16 ... 16777216 (default: chosen from the bands)\n"
            "  --rbw HZ           resolution bandwidth instead of --nfft\n"
            "  --window W         hann (default), flattop, blackmanharris, gaussian, rect\n"
            "  --overlap F        segment overlap as a fraction of nfft (default 0.5)\n"
            "  --detrend M        none (default) or mean\n"
            "  --rate HZ          sample rate (wins over the captures' metadata and name)\n"
            "  --center HZ        centre frequency (wins over their metadata and name)\n"
            "  --datatype T       sample type of a raw capture (cu8 cs8 cs16 cf32 ...)\n"
            "  --recording NAME   the recording of a .sigmf archive holding several\n"
            "  --quiet            no progress on stderr\n"
            "  --jobs N           threads (default: all online CPUs): the two captures are\n"
            "                     measured side by side; the same result for any N\n"
            "  -h, --help         show this help\n"
            "\n"
            "Exit status: 0 written, 2 usage or input error.\n");
}

enum { O_BAND = 256, O_LIMITS, O_FORMAT, O_PLOT, O_NO_APD };

/* --band F_LO:F_HI into b, named by its edges as given: 0, or -1 after the message. */
static int parse_band(const char *s, compare_band *b)
{
    const char *colon = strchr(s, ':');
    char lo[128];
    if (colon && colon != s && colon[1] && strlen(s) < sizeof b->id) {
        snprintf(lo, sizeof lo, "%.*s", (int)(colon - s), s);
        if (!cli_parse_double(lo, &b->f_lo_hz) && !cli_parse_double(colon + 1, &b->f_hi_hz) &&
            b->f_lo_hz < b->f_hi_hz) {
            snprintf(b->id, sizeof b->id, "%s", s);
            b->limit_density_db = NAN;
            return 0;
        }
    }
    cli_errorf(CMD, "--band '%s': expected F_LO:F_HI in Hz with F_LO < F_HI", s);
    return -1;
}

/* Write res in format to standard output: 0, or -1 after the message. */
static int write_result(const char *format, char **argv, const compare_result *res)
{
    rfn_error err = {0};
    if (strcmp(format, "json") == 0) {
        if (compare_write_json(stdout, argv[0], argv[1], res, &err)) {
            cli_error(CMD, &err);
            return -1;
        }
    } else if (strcmp(format, "csv") == 0) {
        compare_write_csv(stdout, res);
    } else {
        compare_write_text(stdout, argv[0], argv[1], res);
    }
    if (cli_output_commit(NULL, &err)) {
        cli_error(CMD, &err);
        return -1;
    }
    return 0;
}

/* Load what cfg needs, compare, write and plot. */
static int run(char **argv, compare_config *cfg, const char *limits_path,
               const cli_cal_opts *calo, const char *format, const char *plot)
{
    rfn_error err = {0};
    char def[1100];
    limits_set *set = NULL;
    calibration *cal = NULL;
    compare_result res;
    memset(&res, 0, sizeof res);
    int status = RFN_EXIT_USAGE;
    if (!cfg->bands && !limits_path) {
        if (data_dir_path(DATA_DIR_DEFAULT_LIMITS, def, sizeof def, &err))
            goto fail;
        limits_path = def;
    }
    if ((limits_path && limits_load(limits_path, &set, &err)) || cli_cal_load(calo, &cal, &err))
        goto fail;
    cfg->limits = &set;
    cfg->n_limits = set ? 1 : 0;
    cfg->cal = cal;
    if (compare_captures(argv[0], argv[1], cfg, &res, &err))
        goto fail;
    if (write_result(format, argv, &res))
        goto done;
    if (plot && compare_plot(&res, argv[0], argv[1], plot, &err)) {
        cli_errorf(CMD, "plot: %s", err.msg);
        goto done;
    }
    status = RFN_EXIT_OK;
    goto done;
fail:
    cli_error(CMD, &err);
done:
    compare_result_free(&res);
    limits_free(set);
    calibration_free(cal);
    return status;
}

int cmd_compare(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"band", required_argument, 0, O_BAND},
        {"limits", required_argument, 0, O_LIMITS},
        CLI_LONGOPTS_CAL,
        {"format", required_argument, 0, O_FORMAT},
        {"plot", required_argument, 0, O_PLOT},
        {"no-apd", no_argument, 0, O_NO_APD},
        CLI_LONGOPTS_SPECTRUM,
        CLI_LONGOPTS_CAPTURE,
        CLI_LONGOPTS_QUIET, CLI_LONGOPTS_JOBS,
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    static compare_band bands[MAX_BANDS];
    size_t n_bands = 0;
    compare_config cfg = compare_config_default();
    cli_capture_opts co = cli_capture_opts_default();
    cli_cal_opts calo = cli_cal_opts_default();
    const char *limits_path = NULL, *format = "text", *plot = NULL;
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, CMD, &co, &calo)) != -1) {
        switch (opt) {
        case 'h':
            compare_usage(stdout);
            return RFN_EXIT_OK;
        case O_BAND:
            if (n_bands == MAX_BANDS) {
                cli_errorf(CMD, "--band: at most %d bands", MAX_BANDS);
                return RFN_EXIT_USAGE;
            }
            if (parse_band(optarg, &bands[n_bands++]))
                return RFN_EXIT_USAGE;
            break;
        case O_LIMITS:
            if (cli_opt_once(CMD, "limits", optarg, &limits_path))
                return RFN_EXIT_USAGE;
            break;
        case O_FORMAT:
            if (strcmp(optarg, "text") && strcmp(optarg, "json") && strcmp(optarg, "csv")) {
                cli_errorf(CMD, "--format '%s': expected text, json or csv", optarg);
                return RFN_EXIT_USAGE;
            }
            format = optarg;
            break;
        case O_PLOT:
            plot = optarg;
            break;
        case O_NO_APD:
            cfg.want_apd = 0;
            break;
        default:
            if (cli_spectrum_opt(opt, optarg, CMD, &cfg.spectrum) != CLI_OPT_HANDLED)
                return RFN_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        cli_errorf(CMD, "give two captures, BEFORE and AFTER (see rfnoise compare --help)");
        return RFN_EXIT_USAGE;
    }
    if (cli_cal_opts_check(&calo, CMD))
        return RFN_EXIT_USAGE;
    cfg.copt = co.copt;
    cfg.quiet = co.quiet;
    cfg.jobs = co.jobs;
    cfg.bands = n_bands ? bands : NULL;
    cfg.n_bands = n_bands;
    return run(argv + optind, &cfg, limits_path, &calo, format, plot);
}
