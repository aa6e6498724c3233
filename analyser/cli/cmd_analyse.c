/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_analyse.c: `rfnoise analyse`: per-band verdicts of captures against a limit set. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyse.h"
#include "cli.h"
#include "cli_opts.h"
#include "commands.h"
#include "compare.h"
#include "compare_out.h"
#include "data_dir.h"
#include "sigmf.h"
#include "welch_pool.h"

#define CMD "analyse"
#define MAX_LIMIT_FILES 16

static void analyse_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise analyse CAPTURE... [options]\n"
            "\n"
            "Measure each capture in every band of a limit set and give per band the measured\n"
            "level, the limit, the margin (limit - measured, dB) and pass / fail / inconclusive /\n"
            "not-applicable.\n"
            "\n"
            "Options:\n"
            "  --limits FILE      limit set (repeatable: with several, the one in force on the\n"
            "                     capture's date is used; default: the bundled illustrative set)\n"
            "  --cal FILE         calibration file (dBFS -> dBm at the reference plane)\n"
            "  --cal-db X         calibration: add X dB to dBFS to get dBm, at every frequency\n"
            "  --cal-dir DIR      where captures' calibration ids are looked up as DIR/ID.json\n"
            "                     (default: the bundled data/calibration)\n"
            "  --rx-gain DB       receiver gain, choosing the table of a per-gain calibration\n"
            "  --region R         north, central or south (bands elsewhere: not-applicable)\n"
            "  --han V            HAN variant: single or dual\n"
            "  --guard DB         guard band: pass only when margin >= DB (default 0)\n"
            "  --decision-rule R  simple, guarded-accept, guarded-reject or cispr-16-4-2\n"
            "                     (default: the limit set's decision_rule, else simple)\n"
            "  --uncertainty-db U expanded uncertainty (k = 2) of the levels in dB, instead\n"
            "                     of the calibration's uncertainty_db\n"
            "  --baseline CAP     capture of the chain alone (device off): its level in each\n"
            "                     band is the noise floor a pass must clear by 3 dB; the text\n"
            "                     output adds the rise table of rfnoise compare BASELINE CAP\n"
            "  --nfft N           FFT length, 16 ... 16777216 (default: chosen from the bands)\n"
            "  --rbw HZ           resolution bandwidth instead of --nfft\n"
            "  --window W         hann (default), flattop, blackmanharris, gaussian, rect\n"
            "  --overlap F        segment overlap as a fraction of nfft (default 0.5)\n"
            "  --detrend M        none (default) or mean\n"
            "  --min-averages N   fewer Welch averages make a band too-short (default 10)\n"
            "  --plot DIR         write DIR/<capture>.spectrum.png (its numbers in\n"
            "                     .spectrum.dat) and .spectrogram.png\n"
            "  --plot-format F    png (default) or svg\n"
            "  --format F         text (default), json or csv\n"
            "  --rate HZ          sample rate (wins over the capture's metadata and name)\n"
            "  --center HZ        centre frequency (wins over its metadata and name)\n"
            "  --datatype T       sample type of a raw capture (cu8 cs8 cs16 cf32 ...)\n"
            "  --recording NAME   the recording of a .sigmf archive holding several\n"
            "  --keep-annotations analyse the capture's SigMF annotation spans too (by default\n"
            "                     they, the hub's own bursts, are left out)\n"
            "  --exclude-bursts   find the hub's bursts in each band (6 dB over the band's own\n"
            "                     floor for 1 ms or more) and leave them out as well\n"
            "  --jobs N           threads (default: all online CPUs; the same result for any)\n"
            "  --quiet            no progress on stderr\n"
            "  -h, --help         show this help\n"
            "\n"
            "Exit status: 0 every applicable band passes, 1 a band fails, 2 usage or input\n"
            "error, 3 no failure but some band is inconclusive.\n");
}

enum { O_LIMITS = 256, O_CAL_DIR, O_REGION, O_HAN, O_GUARD, O_MIN_AVG, O_PLOT, O_PLOT_FORMAT,
       O_FORMAT, O_BASELINE, O_KEEP_ANN, O_EXCL_BURSTS };

/* The options that say how to judge and what to draw, into cfg: CLI_OPT_HANDLED, CLI_OPT_USAGE
 * (reported) or CLI_OPT_NOT_MINE. */
static int analyse_option(int opt, const char *arg, analyse_config *cfg)
{
    unsigned long long u;
    switch (opt) {
    case O_REGION:
        if (!(cfg->region = limits_region_from_name(arg))) {
            cli_errorf(CMD, "--region '%s': expected north, central or south", arg);
            return CLI_OPT_USAGE;
        }
        return CLI_OPT_HANDLED;
    case O_HAN:
        if (!(cfg->han = limits_han_from_name(arg))) {
            cli_errorf(CMD, "--han '%s': expected single or dual", arg);
            return CLI_OPT_USAGE;
        }
        return CLI_OPT_HANDLED;
    case O_GUARD:
        if (cli_parse_double(arg, &cfg->guard_db) || cfg->guard_db < 0) {
            cli_errorf(CMD, "--guard '%s': expected dB >= 0", arg);
            return CLI_OPT_USAGE;
        }
        return CLI_OPT_HANDLED;
    case O_MIN_AVG:
        if (cli_parse_u64(arg, &u) || u < 1) {
            cli_errorf(CMD, "--min-averages '%s': expected a whole number >= 1", arg);
            return CLI_OPT_USAGE;
        }
        cfg->min_segments = (size_t)u;
        return CLI_OPT_HANDLED;
    case O_PLOT:
        cfg->plot_dir = arg;
        return CLI_OPT_HANDLED;
    case O_PLOT_FORMAT:
        if (cli_opt_choice(CMD, "plot-format", arg, "png", "svg", NULL))
            return CLI_OPT_USAGE;
        cfg->plot_ext = arg;
        return CLI_OPT_HANDLED;
    case O_BASELINE:
        cfg->baseline_path = arg;
        return CLI_OPT_HANDLED;
    case O_KEEP_ANN:
        cfg->keep_annotations = 1;
        return CLI_OPT_HANDLED;
    case O_EXCL_BURSTS:
        cfg->exclude_bursts = 1;
        return CLI_OPT_HANDLED;
    default:
        return cli_decision_opt(opt, arg, CMD, &cfg->decision);
    }
}

/* The shared capture and calibration options into cfg. */
static void take_shared_options(const cli_capture_opts *co, const cli_cal_opts *calo,
                                analyse_config *cfg)
{
    /* analyse_config says "not given" with NAN where capture_options also accepts 0 */
    if (co->copt.rate_hz > 0)
        cfg->rate_hz = co->copt.rate_hz;
    cfg->center_hz = co->copt.center_hz;
    cfg->datatype = co->copt.datatype;
    cfg->recording = co->copt.recording;
    cfg->quiet = co->quiet;
    cfg->jobs = welch_pool_jobs(co->jobs);
    cfg->rx_gain_db = calo->rx_gain_db;
}

/* The limit sets (the bundled one when none was given; its path goes into default_buf) and the
 * calibration: 0, or -1 after printing why. */
static int load_limits_and_cal(const char **limit_paths, size_t *n_limit_paths, char *default_buf,
                               size_t default_size, const cli_cal_opts *calo, limits_set **sets,
                               calibration **cal)
{
    rfn_error err = {0};
    if (*n_limit_paths == 0) {
        if (data_dir_path(DATA_DIR_DEFAULT_LIMITS, default_buf, default_size, &err)) {
            cli_error(CMD, &err);
            return -1;
        }
        limit_paths[(*n_limit_paths)++] = default_buf;
    }
    for (size_t i = 0; i < *n_limit_paths; i++)
        if (limits_load(limit_paths[i], &sets[i], &err)) {
            cli_error(CMD, &err);
            return -1;
        }
    if (cli_cal_load(calo, cal, &err)) {
        cli_error(CMD, &err);
        return -1;
    }
    return 0;
}

/* --baseline with text output: after the verdicts, the rise of each capture over the baseline,
 * the table `rfnoise compare BASELINE CAPTURE` prints (issue 19). A table that cannot be made
 * (no band of the set inside the span) is reported and, like a plot, changes no verdict. */
static void write_rise_tables(char **paths, size_t n_paths, const analyse_config *cfg)
{
    compare_config cc = compare_config_default();
    cc.limits = cfg->limits;
    cc.n_limits = cfg->n_limits;
    cc.cal = cfg->cal;
    cc.spectrum = cfg->spectrum;
    cc.copt.rate_hz = isnan(cfg->rate_hz) ? 0 : cfg->rate_hz;
    cc.copt.center_hz = cfg->center_hz;
    cc.copt.datatype = cfg->datatype;
    cc.copt.recording = cfg->recording;
    cc.quiet = 1;
    for (size_t a = 0; a < n_paths; a++) {
        compare_result res;
        rfn_error err = {0};
        if (compare_captures(cfg->baseline_path, paths[a], &cc, &res, &err)) {
            cli_errorf(CMD, "rise table: %s", err.msg);
        } else {
            printf("\nRise over the baseline\n");
            compare_write_text(stdout, cfg->baseline_path, paths[a], &res);
        }
        compare_result_free(&res);
    }
}

/* Analyse every capture of paths, write the results in format to standard output, and return
 * the exit status: 2 when any capture was an input error (the others are still written). */
static int analyse_and_write(char **paths, size_t n_paths, const analyse_config *cfg,
                             const char *format)
{
    rfn_error err = {0};
    capture_analysis *res = calloc(n_paths ? n_paths : 1, sizeof *res);
    if (!res) {
        cli_errorf(CMD, "out of memory");
        return RFN_EXIT_USAGE;
    }
    size_t n_res = 0;
    int input_error = 0;
    for (size_t a = 0; a < n_paths; a++) {
        rfn_error perr;
        if (analyse_capture(paths[a], cfg, &res[n_res], &perr, &err)) {
            cli_error(CMD, &err);
            input_error = 1;
            continue;
        }
        if (perr.status != RFN_OK)
            cli_errorf(CMD, "plot: %s", perr.msg);
        /* A plot that would replace an input was refused: an input error, not a lost plot. */
        if (perr.status == RFN_ERR_CONFLICT)
            input_error = 1;
        n_res++;
    }
    if (strcmp(format, "json") == 0) {
        if (analyse_write_json(stdout, res, n_res, &err)) {
            cli_error(CMD, &err);
            input_error = 1;
        }
    } else if (strcmp(format, "csv") == 0) {
        analyse_write_csv(stdout, res, n_res);
    } else {
        analyse_write_text(stdout, res, n_res);
        if (cfg->baseline_path)
            write_rise_tables(paths, n_paths, cfg);
    }
    if (cli_output_commit(NULL, &err)) {
        cli_error(CMD, &err);
        input_error = 1;
    }
    int status = input_error ? RFN_EXIT_USAGE : analyse_exit_status(res, n_res);
    for (size_t i = 0; i < n_res; i++)
        analyse_result_free(&res[i]);
    free(res);
    return status;
}

int cmd_analyse(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"limits", required_argument, 0, O_LIMITS},
        CLI_LONGOPTS_CAL,
        {"cal-dir", required_argument, 0, O_CAL_DIR},
        {"region", required_argument, 0, O_REGION},
        {"han", required_argument, 0, O_HAN},
        {"guard", required_argument, 0, O_GUARD},
        CLI_LONGOPTS_DECISION,
        CLI_LONGOPTS_SPECTRUM,
        {"min-averages", required_argument, 0, O_MIN_AVG},
        {"plot", required_argument, 0, O_PLOT},
        {"plot-format", required_argument, 0, O_PLOT_FORMAT},
        {"format", required_argument, 0, O_FORMAT},
        CLI_LONGOPTS_CAPTURE,
        CLI_LONGOPTS_QUIET,
        CLI_LONGOPTS_JOBS,
        {"baseline", required_argument, 0, O_BASELINE},
        {"keep-annotations", no_argument, 0, O_KEEP_ANN},
        {"exclude-bursts", no_argument, 0, O_EXCL_BURSTS},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    analyse_config cfg = analyse_config_default();
    const char *limit_paths[MAX_LIMIT_FILES];
    size_t n_limit_paths = 0;
    const char *format = "text";
    cli_capture_opts co = cli_capture_opts_default();
    cli_cal_opts calo = cli_cal_opts_default();
    char cal_dir[1100];
    /* Without a data directory only captures naming a calibration id miss their table. */
    cfg.cal_dir = data_dir_path("calibration", cal_dir, sizeof cal_dir, NULL) ? NULL : cal_dir;
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, CMD, &co, &calo)) != -1) {
        switch (opt) {
        case 'h':
            analyse_usage(stdout);
            return RFN_EXIT_OK;
        case O_LIMITS:
            if (n_limit_paths == MAX_LIMIT_FILES) {
                cli_errorf(CMD, "--limits: at most %d files", MAX_LIMIT_FILES);
                return RFN_EXIT_USAGE;
            }
            limit_paths[n_limit_paths++] = optarg;
            break;
        case O_CAL_DIR:
            snprintf(cal_dir, sizeof cal_dir, "%s", optarg);
            cfg.cal_dir = cal_dir;
            break;
        case O_FORMAT:
            if (strcmp(optarg, "text") && strcmp(optarg, "json") && strcmp(optarg, "csv")) {
                sigmf_datatype dt;
                char why[200];
                int is_dt = sigmf_datatype_parse(optarg, &dt, why, sizeof why) == RFN_OK;
                cli_errorf(CMD, "--format '%s': expected text, json or csv%s%s%s", optarg,
                           is_dt ? " (--format is the output format; the input sample type is "
                                   "--datatype "
                                 : "",
                           is_dt ? optarg : "", is_dt ? ")" : "");
                return RFN_EXIT_USAGE;
            }
            format = optarg;
            break;
        default:
            if (analyse_option(opt, optarg, &cfg) != CLI_OPT_HANDLED &&
                cli_spectrum_opt(opt, optarg, CMD, &cfg.spectrum) != CLI_OPT_HANDLED)
                return RFN_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_errorf(CMD, "no capture given (see rfnoise analyse --help)");
        return RFN_EXIT_USAGE;
    }
    if (cli_cal_opts_check(&calo, CMD))
        return RFN_EXIT_USAGE;
    take_shared_options(&co, &calo, &cfg);

    int status = RFN_EXIT_USAGE;
    limits_set *sets[MAX_LIMIT_FILES] = {0};
    calibration *cal = NULL;
    char default_limits[1100];
    if (load_limits_and_cal(limit_paths, &n_limit_paths, default_limits, sizeof default_limits,
                            &calo, sets, &cal) == 0) {
        cfg.cal = cal;
        cfg.limits = sets;
        cfg.n_limits = n_limit_paths;
        if (cfg.plot_dir && mkdir(cfg.plot_dir, 0777) != 0 && errno != EEXIST)
            cli_errorf(CMD, "--plot %s: %s", cfg.plot_dir, strerror(errno));
        else
            status = analyse_and_write(argv + optind, (size_t)(argc - optind), &cfg, format);
    }
    for (size_t i = 0; i < MAX_LIMIT_FILES; i++)
        limits_free(sets[i]);
    calibration_free(cal);
    return status;
}
