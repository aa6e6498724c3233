/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_plot.c: gnuplot plots: labels from data are drawn literally and never run a command
 * (a marker file must not appear), PNG/SVG outputs are valid, a missing gnuplot is a clear error
 * and leaves no file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "plot.h"

static char dir[256];

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

static int is_png(const char *path)
{
    size_t n = 0;
    char *b = slurp(path, &n);
    int ok = b && n > 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0;
    free(b);
    return ok;
}

/* An SVG file: XML declaration or root first, an <svg root element and its closing tag. */
static int is_svg(const char *path, char **text)
{
    size_t n = 0;
    char *b = slurp(path, &n);
    int ok = b && (strncmp(b, "<?xml", 5) == 0 || strncmp(b, "<svg", 4) == 0) &&
             strstr(b, "<svg") && strstr(b, "</svg>");
    if (text)
        *text = b;
    else
        free(b);
    return ok;
}

static void test_quote(void)
{
    char *q = plot_quote("it's `x` \"y\"\nz\x7f");
    CHECK(q && strcmp(q, "'it''s `x` \"y\" z '") == 0);
    free(q);
    q = plot_quote(NULL);
    CHECK(q && strcmp(q, "''") == 0);
    free(q);
    /* a leading quote gets a zero-width space first (gnuplot 5.4 misreads ''') */
    q = plot_quote("'=X");
    CHECK(q && strcmp(q, "'\xE2\x80\x8B''=X'") == 0);
    free(q);
}

/* Category charts (report: trend lines, per-Supplier bars): hostile labels drawn literally. */
static void test_chart(void)
{
    const char *labels[] = {"2024-01", "'=HYPERLINK(\"http://x\")", "`touch pwned` @{x}"};
    double a[3] = {1, 4, NAN}, b[3] = {2, 0, 3};
    plot_series ser[2] = {{.label = "'=S1", .y = a}, {.label = "fit", .y = b, .dashed_line = 1}};
    plot_chart c = {.kind = PLOT_CHART_LINES, .title = "it's a trend", .x_label = "month",
                    .y_label = "count", .x_labels = labels, .n_x = 3, .series = ser,
                    .n_series = 2};
    char path[400], marker[400];
    snprintf(path, sizeof path, "%s/chart.svg", dir);
    snprintf(marker, sizeof marker, "%s/pwned", dir);
    rfn_error err = {0};
    CHECK_OK(plot_chart_write(&c, path, &err));
    char *text = NULL;
    CHECK(is_svg(path, &text));
    CHECK(text && strstr(text, ">\xE2\x80\x8B'=HYPERLINK(\"http://x\")<") != NULL);
    CHECK(text && strstr(text, ">it's a trend<") != NULL);
    free(text);
    c.kind = PLOT_CHART_BARS;
    snprintf(path, sizeof path, "%s/bars.svg", dir);
    CHECK_OK(plot_chart_write(&c, path, &err));
    CHECK(is_svg(path, NULL));
    CHECK(!exists(marker));
    c.n_series = 0;
    CHECK(plot_chart_write(&c, path, &err) == RFN_ERR_INVALID);
}

static void test_spectrum(void)
{
    enum { N = 400 };
    double f[N], mean[N], mx[N];
    for (int i = 0; i < N; i++) {
        f[i] = 860e6 + i * 25e3;
        mean[i] = -150 + 3 * sin(i * 0.1);
        mx[i] = mean[i] + 6;
    }
    mean[10] = -INFINITY; /* a silent bin must not break the plot */
    mean[200] = -110;
    mx[200] = -104;
    char marker[320], evil[1024];
    snprintf(marker, sizeof marker, "%s/MARKER", dir);
    snprintf(evil, sizeof evil,
             "dev \"quoted\" it's `touch %s` system(\"touch %s\") @macro\nline2 \\ {x}^_",
             marker, marker);
    double lf[4] = {863e6, 866e6, 866e6, 870e6}, ll[4] = {-130, -130, -120, -120};
    plot_line lim = {evil, lf, ll, 4};
    plot_span fail = {864.9e6, 865.1e6};
    plot_spectrum p = {
        .title = evil,
        .subtitle = evil,
        .y_label = "PSD (dBFS/Hz) `touch x`",
        .freq_hz = f,
        .mean_db = mean,
        .max_db = mx,
        .n = N,
        .limits = &lim,
        .n_limits = 1,
        .fail = &fail,
        .n_fail = 1,
        .has_worst = 1,
        .worst_freq_hz = f[200],
        .worst_level = mx[200],
        .worst_margin_db = -6.0,
    };
    char svg[320], png[320];
    snprintf(svg, sizeof svg, "%s/spectrum.svg", dir);
    snprintf(png, sizeof png, "%s/spectrum.png", dir);
    rfn_error err;
    CHECK_OK(plot_spectrum_write(&p, svg, &err));
    CHECK_OK(plot_spectrum_write(&p, png, &err));
    CHECK_MSG(!exists(marker), "a label ran a command: %s exists", marker);
    char *text = NULL;
    CHECK(is_svg(svg, &text));
    CHECK(is_png(png));
    if (text) {
        /* The label is drawn as text: its pieces appear literally (XML-escaped by gnuplot). */
        CHECK(strstr(text, "`touch ") != NULL);
        CHECK(strstr(text, "system(") != NULL);
        CHECK(strstr(text, "@macro") != NULL);
        CHECK(strstr(text, "it's") != NULL || strstr(text, "it&apos;s") != NULL ||
              strstr(text, "it&#39;s") != NULL);
        CHECK(strstr(text, "worst margin -6.00 dB at 865.000000 MHz") != NULL);
        /* 860 ... 869.975 MHz: MHz, ticks every 1 MHz labelled without decimals. */
        CHECK(strstr(text, ">Frequency (MHz)<") != NULL);
        CHECK(strstr(text, ">865<") != NULL && strstr(text, ">869<") != NULL);
        CHECK(strstr(text, ">865.5<") == NULL && strstr(text, "865.000000<") == NULL);
        free(text);
    }

    /* Wrong extension: refused before anything runs. */
    char bad[320];
    snprintf(bad, sizeof bad, "%s/spectrum.jpg", dir);
    CHECK(plot_spectrum_write(&p, bad, &err) == RFN_ERR_INVALID);
    CHECK(!exists(bad));
}

/* Bands drawn as judged: each in its own unit on the left axis, the spectrum as context on the
 * right, and the numbers kept in the documented data file. */
static void test_spectrum_bands(void)
{
    enum { N = 100 };
    double f[N], mean[N], bf[3] = {863e6, 864e6, 865e6}, lv[3] = {-90, -80, -95};
    double lim[3] = {-85, -85, -85}, cf[2] = {866e6, 867e6}, cl[2] = {-60, -60};
    for (int i = 0; i < N; i++) {
        f[i] = 862e6 + i * 60e3;
        mean[i] = -150;
    }
    plot_band bands[2] = {
        {"b1", "b1: largest power in any 12.5 kHz", "b1: limit -85 dBm/12.5kHz", "dBm/12.5kHz",
         bf, lv, lim, 3},
        {"b2\nx", "b2: channel power", "b2: limit", "dBm", cf, cl, NULL, 2},
    };
    char svg[320], dat[320];
    snprintf(svg, sizeof svg, "%s/bands.svg", dir);
    snprintf(dat, sizeof dat, "%s/bands.dat", dir);
    plot_spectrum p = {.title = "t", .y_label = "level (dBm/12.5kHz, dBm)", .freq_hz = f,
                       .mean_db = mean, .n = N, .bands = bands, .n_bands = 2,
                       .y2_label = "PSD (dBm/Hz)", .has_worst = 1, .worst_freq_hz = 864e6,
                       .worst_level = -80, .worst_margin_db = -5, .worst_has_limit = 1,
                       .worst_limit = -85, .worst_label = "b1", .data_path = dat};
    rfn_error err;
    CHECK_OK(plot_spectrum_write(&p, svg, &err));
    char *text = NULL;
    CHECK(is_svg(svg, &text));
    CHECK(text && strstr(text, ">PSD (dBm/Hz)<") && strstr(text, ">b1: limit -85 dBm/12.5kHz<") &&
          strstr(text, ">worst margin -5.00 dB (b1) at 864.000000 MHz<"));
    free(text);
    size_t n = 0;
    char *d = slurp(dat, &n);
    CHECK(d && strstr(d, "# worst: band b1 freq_hz 864000000 level -80 limit -85 margin_db -5\n"));
    CHECK(d && strstr(d, "\n\n\n# index 1: band b1 unit dBm/12.5kHz: b1: largest power in any "
                         "12.5 kHz\n863000000 -90 -85\n864000000 -80 -85\n"));
    /* A newline from data cannot end the comment; a band without a limit has NaN there. */
    CHECK(d && strstr(d, "# index 2: band b2 x unit dBm: b2: channel power\n866000000 -60 NaN\n"));
    free(d);
}

static void test_spectrogram(void)
{
    enum { R = 20, C = 64 };
    static double z[R * C];
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++)
            z[r * C + c] = -140 + (c == 32 && r > 5 && r < 12 ? 40 : 0) + (r % 3);
    z[5] = -INFINITY;
    plot_spectrogram s = {"spectrogram 'quoted' `touch nothing`", "dBFS/Hz", z, R, C,
                          0, 0.01, 860e6, 10e3};
    char svg[320], png[320];
    snprintf(svg, sizeof svg, "%s/sg.svg", dir);
    snprintf(png, sizeof png, "%s/sg.png", dir);
    rfn_error err;
    CHECK_OK(plot_spectrogram_write(&s, svg, &err));
    CHECK_OK(plot_spectrogram_write(&s, png, &err));
    char *text = NULL;
    CHECK(is_svg(svg, &text));
    CHECK(is_png(png));
    /* 860 ... 860.63 MHz: ticks every 0.1 MHz with one decimal. */
    CHECK(text && strstr(text, ">Frequency (MHz)<") && strstr(text, ">860.3<") &&
          !strstr(text, ">860.30<"));
    free(text);
    /* A long-wave capture (KiwiSDR at 77.5 kHz): kHz, ticks every 2 kHz. */
    s.f0_hz = 70e3;
    s.df_hz = 250;
    CHECK_OK(plot_spectrogram_write(&s, svg, &err));
    text = NULL;
    CHECK(is_svg(svg, &text));
    CHECK(text && strstr(text, ">Frequency (kHz)<") && strstr(text, ">74<") &&
          strstr(text, ">84<") && !strstr(text, ">75<"));
    free(text);
}

static void test_no_gnuplot(void)
{
    double f[2] = {1, 2}, m[2] = {0, 0};
    plot_spectrum p = {.title = "t", .freq_hz = f, .mean_db = m, .n = 2};
    char out[320];
    snprintf(out, sizeof out, "%s/none.png", dir);
    setenv("RFN_GNUPLOT", "/nonexistent/gnuplot", 1);
    rfn_error err;
    CHECK(plot_spectrum_write(&p, out, &err) == RFN_ERR_NOTFOUND);
    CHECK_MSG(strstr(err.msg, "/nonexistent/gnuplot not found or not runnable") != NULL, "%s",
              err.msg);
    CHECK(!exists(out));
    /* gnuplot that fails: `false` exits 1. */
    setenv("RFN_GNUPLOT", "false", 1);
    CHECK(plot_spectrum_write(&p, out, &err) == RFN_ERR_EXTERNAL);
    CHECK(!exists(out));
    unsetenv("RFN_GNUPLOT");
}

int main(void)
{
    test_quote();
    snprintf(dir, sizeof dir, "%s/test_plot.XXXXXX", RFN_BINARY_DIR);
    if (!mkdtemp(dir)) {
        perror(dir);
        return 1;
    }
    if (system("gnuplot --version >/dev/null 2>&1") != 0) {
        fprintf(stderr, "gnuplot not installed: skipping the drawing tests\n");
        test_no_gnuplot();
        check_finish();
        return CHECK_SKIP;
    }
    test_spectrum();
    test_spectrum_bands();
    test_spectrogram();
    test_chart();
    test_no_gnuplot();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (!check_failures && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_finish();
}
