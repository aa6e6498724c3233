/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plot.h: spectrum and spectrogram plots (PNG, SVG) drawn by gnuplot. This module is the only
 * place that talks to gnuplot: it runs it as a separate process (fork + execvp, no shell), hands
 * it a generated script and numeric data files in a private temporary directory, and passes every
 * text that comes from data (titles, labels, file names) as a gnuplot single-quoted string
 * literal with control characters removed, so that no label can run a command (gnuplot expands
 * `backquotes` and macros only outside single quotes, and single quotes admit no escapes other
 * than '' for '). The terminal is "noenhanced", so ^ _ @ { } in labels stay literal too.
 *
 * The gnuplot program is "gnuplot" on PATH, or the program named by the environment variable
 * RFN_GNUPLOT. It runs with -d (no user init file). Output files are written through
 * atomic_file: a failed plot never leaves a partial file. */
#ifndef RFN_PLOT_H
#define RFN_PLOT_H

#include <stddef.h>

#include "rfn_error.h"

typedef enum plot_format {
    PLOT_PNG = 0, /* pngcairo, 1200 x 700 */
    PLOT_SVG,     /* svg, 1200 x 700 */
} plot_format;

/* Format from the output file's extension (".png" or ".svg", case-insensitive);
 * RFN_ERR_INVALID otherwise. */
rfn_status plot_format_from_path(const char *path, plot_format *fmt, rfn_error *err);

/* A polyline (a limit line) over frequency. */
typedef struct plot_line {
    const char *label;      /* legend text (from data: escaped) */
    const double *freq_hz;  /* [n] non-decreasing */
    const double *level;    /* [n] in the plot's y unit */
    size_t n;
} plot_line;

/* A frequency span shaded as failing. */
typedef struct plot_span {
    double f_lo_hz, f_hi_hz;
} plot_span;

/* One limit band drawn as it was judged: its reading over the band's own frequencies in the
 * quantity and unit of its limit (power in the reference bandwidth, the detector's reading at its
 * RBW, ...), and that limit at each of the same frequencies, so that limit - level at the worst
 * point is the margin the verdict reports. */
typedef struct plot_band {
    const char *id;          /* band id, named in the data file (from data: escaped) */
    const char *label;       /* legend text of the reading (from data: escaped) */
    const char *limit_label; /* legend text of the limit (from data: escaped) */
    const char *unit;        /* unit of level and limit, e.g. "dBm/12.5kHz" (from data) */
    const double *freq_hz;   /* [n] ascending */
    const double *level;     /* [n] the reading at freq_hz[i], in unit; non-finite: not drawn */
    const double *limit;     /* [n] the limit there, in unit; NULL when the reading is in another
                                unit (uncalibrated) and the limit is not drawn */
    size_t n;                /* >= 1 */
} plot_band;

typedef struct plot_spectrum {
    const char *title;        /* first line of the title (from data: escaped) */
    const char *subtitle;     /* second line, or NULL */
    const char *y_label;      /* left axis, e.g. "PSD (dBm/Hz)" or "level (dBm/12.5kHz)" */
    const double *freq_hz;    /* [n] ascending, absolute frequency */
    const double *mean_db;    /* [n] mean trace, required; non-finite values are not drawn */
    const double *max_db;     /* [n] max-hold trace, or NULL */
    size_t n;                 /* >= 2 */
    const plot_line *limits;  /* limit lines, drawn as steps/segments between their points */
    size_t n_limits;
    /* Bands drawn as judged (n_bands > 0): they take the left axis, and the spectrum above
     * becomes context in grey on the right axis, labelled y2_label. */
    const plot_band *bands;
    size_t n_bands;
    const char *y2_label;
    const plot_span *fail;    /* failing regions, shaded */
    size_t n_fail;
    int has_worst;            /* annotate the worst margin at (worst_freq_hz, worst_level) */
    double worst_freq_hz, worst_level, worst_margin_db;
    int worst_has_limit;      /* 1: a bar from worst_limit to worst_level shows the margin */
    double worst_limit;
    const char *worst_label;  /* band named in the annotation (from data: escaped), or NULL */
    /* NULL, or where to keep the numbers drawn: the gnuplot data file itself, with a header
     * saying what each block and column is (plot_spectrum_write documents the layout). */
    const char *data_path;
} plot_spectrum;

/* Spectrogram: n_rows time slices x n_cols frequency bins, row-major level_db[row * n_cols +
 * col]; row r starts at t0_s + r * dt_s, column c is at f0_hz + c * df_hz. */
typedef struct plot_spectrogram {
    const char *title;
    const char *z_label;      /* e.g. "dBFS/Hz" */
    const double *level_db;
    size_t n_rows, n_cols;    /* each >= 2 */
    double t0_s, dt_s;
    double f0_hz, df_hz;
} plot_spectrogram;

/* Draw and write out_path (format from its extension). Errors: RFN_ERR_INVALID (bad input or
 * extension), RFN_ERR_NOTFOUND ("gnuplot not found: install gnuplot-nox or set RFN_GNUPLOT"),
 * RFN_ERR_EXTERNAL (gnuplot failed: its first error line is in the message), RFN_ERR_IO.
 *
 * The spectrum's data file (kept at p->data_path when given) is plain text that gnuplot reads:
 * '#' lines are comments, numbers are "%.10g" or NaN (not drawn), frequencies in Hz. Blocks are
 * separated by two blank lines (gnuplot's "index"): index 0 is the spectrum (freq_hz mean max),
 * index k = 1..n_bands is p->bands[k - 1] (freq_hz level limit, limit NaN where none is drawn),
 * each block opening with a comment "# index K: band ID unit UNIT: LABEL". The header's line
 * "# worst: band ID freq_hz F level L limit M margin_db D" repeats the annotated point. */
rfn_status plot_spectrum_write(const plot_spectrum *p, const char *out_path, rfn_error *err);
rfn_status plot_spectrogram_write(const plot_spectrogram *s, const char *out_path,
                                  rfn_error *err);

/* A category chart (trend over months, counts per Supplier, ageing buckets): n_x categories on
 * the x axis, labelled x_labels[i] (from data: escaped), and one or more series of values over
 * them, drawn as lines with points or as side-by-side bars. Non-finite values are not drawn. */
typedef struct plot_series {
    const char *label;  /* legend text (from data: escaped) */
    const double *y;    /* [n_x] */
    int dashed_line;    /* PLOT_CHART_LINES only: draw as a dashed line without points (a fit) */
} plot_series;

/* A vertical dashed line across a category chart, labelled: a date on a month axis (a
 * derogation's cut-off, a notice). */
typedef struct plot_marker {
    double x;          /* position in categories: i is x_labels[i], fractions lie between */
    const char *label; /* from data: escaped */
} plot_marker;

typedef enum plot_chart_kind {
    PLOT_CHART_LINES = 0,
    PLOT_CHART_BARS,
} plot_chart_kind;

typedef struct plot_chart {
    plot_chart_kind kind;
    const char *title;    /* from data: escaped */
    const char *x_label, *y_label;
    const char *const *x_labels; /* [n_x]; when n_x > 24 only every k-th is shown */
    size_t n_x;           /* >= 1 */
    const plot_series *series;
    size_t n_series;      /* 1..12 */
    int width_px, height_px; /* 0: 1000 x 420 */
    const plot_marker *markers; /* [n_markers], drawn behind the series; NULL: none */
    size_t n_markers;
} plot_chart;

/* Draw a chart to out_path (format from its extension); errors as plot_spectrum_write. */
rfn_status plot_chart_write(const plot_chart *c, const char *out_path, rfn_error *err);

/* gnuplot's own version line ("gnuplot 5.4 patchlevel 4") into buf (cap bytes), running
 * $RFN_GNUPLOT or gnuplot from PATH. RFN_ERR_NOTFOUND when it is not installed,
 * RFN_ERR_EXTERNAL when it runs but gives no version. */
rfn_status plot_gnuplot_version(char *buf, size_t cap, rfn_error *err);

/* text as a gnuplot single-quoted string literal: ' doubled, every control character (and DEL)
 * replaced by a space; NULL gives ''. Returns a malloc'd string (free()) or NULL when out of
 * memory. Exposed for tests. */
char *plot_quote(const char *text);

#endif
