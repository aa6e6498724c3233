/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_spectrogram.c: `rfnoise spectrogram`: the (time, frequency) power of a capture through the
 * RBW-sized STFT, decimated to a bounded grid, drawn with gnuplot or written as data. */
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
#include "plot.h"
#include "units.h"

#define CMD "spectrogram"

static void spectrogram_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise spectrogram CAPTURE [options]\n"
            "\n"
            "Power per (time, frequency) cell through the Gaussian-RBW short-time FFT of\n"
            "rfnoise detect, decimated to at most --rows x --cols cells (memory does not grow\n"
            "with the capture). Each cell is the largest (max) or mean power of the frames and\n"
            "bins it covers, in dBFS in the RBW. Draw it with --plot, or write it with --format\n"
            "(rows time_s,freq_hz,power_dbfs).\n"
            "\n"
            "Options:\n"
            "  --plot FILE         draw the spectrogram to FILE.png or FILE.svg (gnuplot)\n"
            "  --format F          write the cells as csv or json\n"
            "  --output FILE       write the cells to FILE (atomically), not standard output\n"
            "  --meta              with --output FILE.csv: the RBW, grid and capture metadata\n"
            "                      as JSON in FILE.meta.json\n"
            "  --rbw HZ            6 dB resolution bandwidth (default: the band's, 120 kHz C/D)\n"
            "  --band B            CISPR band giving the default RBW: A, B, CD or E\n"
            "  --rows N            most time rows (even, default 1000)\n"
            "  --cols N            most frequency columns (default 1000)\n"
            "  --mode M            max (default) or mean per cell\n"
            "  --rate HZ           sample rate (wins over the capture's metadata and name)\n"
            "  --center HZ         centre frequency (wins over its metadata and name)\n"
            "  --datatype T        sample type of a raw capture (cu8 cs8 cs16 cf32 ...)\n"
            "  --jobs N            threads for the STFT (default: all online CPUs; the same\n"
            "                      output for any)\n"
            "  --quiet             no progress on stderr\n"
            "  --recording NAME    the recording of a .sigmf archive holding several\n"
            "  -h, --help          show this help\n"
            "\n"
            "Exit status: 0 written, 2 usage error, a capture that cannot be read or a failed\n"
            "plot.\n");
}

/* The spectrogram as it is written and drawn: rows x cols cells of dBFS, row r at t0 + r dt,
 * column c at f0 + c df. */
typedef struct sg_grid {
    size_t rows, cols;
    double t0_s, dt_s, f0_hz, df_hz;
    double *cells; /* [rows * cols], owned */
} sg_grid;

static rfn_status sg_grid_get(const emi_result *r, sg_grid *g, rfn_error *err)
{
    rfn_spectrogram_shape sh = rfn_spectrogram_get_shape(r->sg);
    g->rows = sh.rows;
    g->cols = sh.cols;
    size_t n = sh.rows * sh.cols;
    g->cells = malloc((n ? n : 1) * sizeof *g->cells);
    if (!g->cells)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t row = 0; row < sh.rows; row++) {
        rfn_status st = rfn_spectrogram_get_row(r->sg, row, g->cells + row * sh.cols, err);
        if (st)
            return st;
    }
    for (size_t i = 0; i < sh.rows * sh.cols; i++)
        g->cells[i] = rfn_db10(g->cells[i]);
    /* Row r starts at frame r * frames_per_row; a frame's time is its window centre. Column c
     * is centred on the middle of its bins. */
    const double fs = r->stft.fs_hz;
    g->dt_s = (double)sh.frames_per_row * (double)r->stft.hop / fs;
    g->t0_s = (double)r->stft.win_len / 2.0 / fs;
    g->df_hz = (double)sh.bins_per_col * r->stft.bin_hz;
    g->f0_hz = r->center_hz +
               ((double)(sh.bins_per_col - 1) / 2.0 - (double)(r->stft.nfft / 2)) *
                   r->stft.bin_hz;
    return RFN_OK;
}

/* The settings of a spectrogram export: the record that sg_settings' accessors read. */
typedef struct sg_run {
    const emi_result *r;
    const sg_grid *g;
    rfn_spectrogram_shape sh;
    rfn_spectrogram_mode mode;
} sg_run;

FIELD_NUM_FN(st_rbw, sg_run, r->r->stft.rbw_hz)
FIELD_NUM_FN(st_enbw, sg_run, r->r->stft.enbw_hz)
FIELD_NUM_FN(st_rows, sg_run, (double)r->g->rows)
FIELD_NUM_FN(st_cols, sg_run, (double)r->g->cols)
FIELD_NUM_FN(st_frames_per_row, sg_run, (double)r->sh.frames_per_row)
FIELD_NUM_FN(st_bins_per_col, sg_run, (double)r->sh.bins_per_col)
FIELD_TEXT_FN(st_mode, sg_run, r->mode == RFN_SPECTROGRAM_MEAN ? "mean" : "max")
FIELD_NUM_FN(st_t0, sg_run, r->g->t0_s)
FIELD_NUM_FN(st_dt, sg_run, r->g->dt_s)
FIELD_NUM_FN(st_f0, sg_run, r->g->f0_hz)
FIELD_NUM_FN(st_df, sg_run, r->g->df_hz)
FIELD_TEXT_FN(st_unit, sg_run, ((void)r, "dBFS"))

/* The settings, added to the JSON head: the RBW and the grid's shape and axes. */
enum { SG_SETTINGS = 12 };
static const record_field sg_settings[SG_SETTINGS] = {
    {"rbw_hz", FIELD_NUM, NULL, st_rbw, -1},
    {"enbw_hz", FIELD_NUM, NULL, st_enbw, -1},
    {"rows", FIELD_INT, NULL, st_rows, 0},
    {"cols", FIELD_INT, NULL, st_cols, 0},
    {"frames_per_row", FIELD_INT, NULL, st_frames_per_row, 0},
    {"bins_per_col", FIELD_INT, NULL, st_bins_per_col, 0},
    {"mode", FIELD_TEXT, st_mode, NULL, 0},
    {"t0_s", FIELD_NUM, NULL, st_t0, -1},
    {"dt_s", FIELD_NUM, NULL, st_dt, -1},
    {"f0_hz", FIELD_NUM, NULL, st_f0, -1},
    {"df_hz", FIELD_NUM, NULL, st_df, -1},
    {"unit", FIELD_TEXT, st_unit, NULL, 0},
};

/* One cell of the grid, cell i = row * cols + column: the record of the export's table. */
typedef struct sg_cell {
    const sg_grid *g;
    size_t i;
} sg_cell;

FIELD_NUM_FN(cell_time, sg_cell, r->g->t0_s + (double)(r->i / r->g->cols) * r->g->dt_s)
FIELD_NUM_FN(cell_freq, sg_cell, r->g->f0_hz + (double)(r->i % r->g->cols) * r->g->df_hz)
FIELD_NUM_FN(cell_power, sg_cell, r->g->cells[r->i])

/* The CSV has one row per cell; the JSON only the last column (the grid's shape and axes are
 * in its settings). */
enum { SG_FIELDS = 3 };
static const record_field sg_fields[SG_FIELDS] = {
    {"time_s", FIELD_NUM, NULL, cell_time, 9},
    {"freq_hz", FIELD_NUM, NULL, cell_freq, -1},
    {"power_dbfs", FIELD_NUM, NULL, cell_power, 3},
};

/* time_s,freq_hz,power_dbfs, one row per cell (a write error shows at cli_output_commit). */
static void sg_write_csv(FILE *f, const sg_grid *g)
{
    field_csv_header(f, sg_fields, SG_FIELDS);
    for (sg_cell c = {g, 0}; c.i < g->rows * g->cols; c.i++)
        field_csv_row(f, sg_fields, SG_FIELDS, &c);
}

static rfn_status sg_write_json(FILE *f, json_t *head, const sg_grid *g, rfn_error *err)
{
    sg_cell c = {g, 0};
    if (field_json_columns(head, sg_fields + SG_FIELDS - 1, 1, &c, &c.i, g->rows * g->cols))
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    int rc = json_dumpf(head, f, JSON_COMPACT | JSON_REAL_PRECISION(8) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    return rc ? rfn_error_set(err, RFN_ERR_IO, "cannot write JSON") : RFN_OK;
}

static rfn_status sg_plot(sg_grid *g, const capture_meta *m, const emi_result *r,
                          rfn_spectrogram_mode mode, const char *plot_path, rfn_error *err)
{
    if (g->rows < 2 || g->cols < 2)
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: too short for a spectrogram (%zu row(s) "
                             "of %zu)", m->path, g->rows, g->cols);
    /* gnuplot cannot colour -inf: floor silent cells 200 dB down */
    for (size_t i = 0; i < g->rows * g->cols; i++)
        if (!isfinite(g->cells[i]))
            g->cells[i] = -200.0;
    char title[256], zl[64];
    snprintf(title, sizeof title, "%.180s: spectrogram, RBW %.6g kHz, %s per cell", m->path,
             r->stft.rbw_hz / 1e3, mode == RFN_SPECTROGRAM_MEAN ? "mean" : "max");
    snprintf(zl, sizeof zl, "dBFS in %.6g kHz", r->stft.rbw_hz / 1e3);
    plot_spectrogram ps = {.title = title, .z_label = zl, .level_db = g->cells,
                           .n_rows = g->rows, .n_cols = g->cols, .t0_s = g->t0_s,
                           .dt_s = g->dt_s, .f0_hz = g->f0_hz, .df_hz = g->df_hz};
    return plot_spectrogram_write(&ps, plot_path, err);
}

/* What the options of one run ask for. */
typedef struct sg_opts {
    emi_config ec;
    cli_capture_opts co;
    const char *plot_path;
    cli_out_opts oo;
} sg_opts;

enum { O_PLOT = 256, O_RBW, O_BAND, O_ROWS, O_COLS, O_MODE };

/* One option of spectrogram's own, or of the output: 0, or RFN_EXIT_USAGE. */
static int sg_option(int opt, const char *arg, sg_opts *o)
{
    unsigned long long u;
    emi_config *ec = &o->ec;
    switch (opt) {
    case O_PLOT:
        o->plot_path = arg;
        return 0;
    case O_RBW:
        return cli_opt_rbw(CMD, arg, &ec->rbw_hz) ? RFN_EXIT_USAGE : 0;
    case O_BAND:
        return cli_opt_band(CMD, arg, &ec->band) ? RFN_EXIT_USAGE : 0;
    case O_ROWS:
        if (cli_parse_u64(arg, &u) || u < 2 || u > 100000 || u % 2) {
            cli_errorf(CMD, "--rows '%s': expected an even number 2 ... 100000", arg);
            return RFN_EXIT_USAGE;
        }
        ec->sg_rows = (size_t)u;
        return 0;
    case O_COLS:
        if (cli_parse_u64(arg, &u) || u < 2 || u > 100000) {
            cli_errorf(CMD, "--cols '%s': expected 2 ... 100000", arg);
            return RFN_EXIT_USAGE;
        }
        ec->sg_cols = (size_t)u;
        return 0;
    case O_MODE: {
        int mean;
        if (cli_opt_choice(CMD, "mode", arg, "max", "mean", &mean))
            return RFN_EXIT_USAGE;
        ec->sg_mode = mean ? RFN_SPECTROGRAM_MEAN : RFN_SPECTROGRAM_MAX;
        return 0;
    }
    default:
        return cli_out_opt(opt, arg, CMD, &o->oo) != CLI_OPT_HANDLED ? RFN_EXIT_USAGE : 0;
    }
}

/* The cells as CSV (format 1) or JSON (2) to --output, with the --meta sidecar. */
static int sg_write_cells(const sg_opts *o, int format, const capture_meta *m,
                          const emi_result *r, const sg_grid *g)
{
    rfn_error err = {0};
    atomic_file *af = NULL;
    json_t *head = NULL;
    int status = RFN_EXIT_USAGE;
    FILE *f;
    if (cli_output_open(o->oo.path, &af, &f, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    sg_run run = {r, g, rfn_spectrogram_get_shape(r->sg), o->ec.sg_mode};
    if (!(head = cli_report_head(CMD, m)) ||
        json_object_update_new(head, field_json_object(sg_settings, SG_SETTINGS, &run))) {
        cli_errorf(CMD, "out of memory");
        goto done;
    }
    if (format == 1)
        sg_write_csv(f, g);
    else if (sg_write_json(f, head, g, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    if (cli_report_finish(format == 1 && o->oo.meta, o->oo.path, head, &af, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    status = RFN_EXIT_OK;
done:
    json_decref(head);
    atomic_file_abort(af);
    return status;
}

/* Measure the spectrogram of the capture at path, write its cells and draw it as asked. */
static int run_spectrogram(const char *path, const sg_opts *o, int format)
{
    int status = RFN_EXIT_USAGE;
    rfn_error err = {0};
    capture *c = NULL;
    emi_result r;
    memset(&r, 0, sizeof r);
    sg_grid g = {0};
    if (capture_open(path, &o->co.copt, &c, &err) || emi_run(c, &o->ec, &r, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    const capture_meta *m = capture_get_meta(c);
    cli_report_warnings(CMD, m);
    if (sg_grid_get(&r, &g, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    if (format && sg_write_cells(o, format, m, &r, &g))
        goto done;
    if (o->plot_path && sg_plot(&g, m, &r, o->ec.sg_mode, o->plot_path, &err)) {
        cli_error(CMD, &err);
        goto done;
    }
    status = RFN_EXIT_OK;
done:
    free(g.cells);
    emi_result_free(&r);
    capture_close(c);
    return status;
}

int cmd_spectrogram(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"plot", required_argument, 0, O_PLOT},
        CLI_LONGOPTS_OUTPUT,
        {"rbw", required_argument, 0, O_RBW},
        {"band", required_argument, 0, O_BAND},
        {"rows", required_argument, 0, O_ROWS},
        {"cols", required_argument, 0, O_COLS},
        {"mode", required_argument, 0, O_MODE},
        CLI_LONGOPTS_CAPTURE,
        CLI_LONGOPTS_QUIET, CLI_LONGOPTS_JOBS,
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    sg_opts o = {.ec = emi_config_default(), .co = cli_capture_opts_default()};
    o.ec.want_spectrogram = 1;
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, CMD, &o.co, NULL)) != -1) {
        if (opt == 'h') {
            spectrogram_usage(stdout);
            return RFN_EXIT_OK;
        }
        if (sg_option(opt, optarg, &o))
            return RFN_EXIT_USAGE;
    }
    int format = o.oo.given ? 1 + o.oo.json : 0; /* 0 none, 1 csv, 2 json */
    if (cli_one_capture(argc, CMD) ||
        cli_report_meta_check(CMD, o.oo.meta, format == 2, o.oo.path))
        return RFN_EXIT_USAGE;
    if (!o.plot_path && !format) {
        cli_errorf(CMD, "nothing to do: give --plot FILE and/or --format csv|json");
        return RFN_EXIT_USAGE;
    }
    o.ec.quiet = o.co.quiet;
    o.ec.jobs = o.co.jobs;
    rfn_error err = {0};
    plot_format pf;
    if (o.plot_path && plot_format_from_path(o.plot_path, &pf, &err)) {
        cli_error(CMD, &err);
        return RFN_EXIT_USAGE;
    }
    return run_spectrogram(argv[optind], &o, format);
}
