/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plot.c: generate gnuplot scripts and numeric data files, run gnuplot without a shell, and move
 * its output into place through atomic_file. */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"

/* ---- text ------------------------------------------------------------------------------------ */

char *plot_quote(const char *text)
{
    if (!text)
        text = "";
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\'' ? 2 : 1;
    char *out = malloc(n + 6);
    if (!out)
        return NULL;
    char *o = out;
    *o++ = '\'';
    /* gnuplot 5.4 reads ''' as an empty string and a stray quote, so a text that starts with a
     * quote ("'=HYPERLINK(...)", a neutralised CSV cell read back) gets an invisible U+200B
     * (zero-width space) in front of it. */
    if (text[0] == '\'') {
        memcpy(o, "\xE2\x80\x8B", 3);
        o += 3;
    }
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '\'') {
            *o++ = '\'';
            *o++ = '\'';
        } else if (*p < 0x20 || *p == 0x7f) {
            *o++ = ' '; /* newlines would end the command; other controls have no business here */
        } else {
            *o++ = (char)*p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

/* Write text to fp as a quoted literal. Returns 0, or -1 when out of memory. */
static int put_quoted(FILE *fp, const char *text)
{
    char *q = plot_quote(text);
    if (!q)
        return -1;
    fputs(q, fp);
    free(q);
    return 0;
}

/* A number for a data file: finite values exactly, anything else as NaN (gnuplot skips it). */
static void put_number(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, "%.10g", v);
    else
        fputs("NaN", fp);
}

rfn_status plot_format_from_path(const char *path, plot_format *fmt, rfn_error *err)
{
    const char *dot = strrchr(path, '.');
    if (dot && strcasecmp(dot, ".png") == 0) {
        *fmt = PLOT_PNG;
        return RFN_OK;
    }
    if (dot && strcasecmp(dot, ".svg") == 0) {
        *fmt = PLOT_SVG;
        return RFN_OK;
    }
    return rfn_error_set(err, RFN_ERR_INVALID, "%s: plot file name must end in .png or .svg",
                         path);
}

/* ---- the temporary workspace ----------------------------------------------------------------- */

typedef struct plot_tmp {
    char dir[512];
} plot_tmp;

static const char *const tmp_names[] = {"plot.gp", "a.dat", "b.dat", "out", "stderr", NULL};

static rfn_status tmp_create(plot_tmp *t, rfn_error *err)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    if (snprintf(t->dir, sizeof t->dir, "%s/rfnoise-plot.XXXXXX", base) >= (int)sizeof t->dir)
        return rfn_error_set(err, RFN_ERR_INVALID, "TMPDIR is too long");
    if (!mkdtemp(t->dir))
        return rfn_error_set(err, RFN_ERR_IO, "%s: cannot create a temporary directory: %s",
                             t->dir, strerror(errno));
    return RFN_OK;
}

static void tmp_path(const plot_tmp *t, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", t->dir, name);
}

static void tmp_destroy(plot_tmp *t)
{
    char p[600];
    for (size_t i = 0; tmp_names[i]; i++) {
        tmp_path(t, tmp_names[i], p, sizeof p);
        unlink(p);
    }
    rmdir(t->dir);
}

/* ---- running gnuplot ------------------------------------------------------------------------- */

/* The gnuplot to run: $RFN_GNUPLOT, else gnuplot from PATH. */
static const char *gnuplot_program(void)
{
    const char *prog = getenv("RFN_GNUPLOT");
    return prog && *prog ? prog : "gnuplot";
}

/* Run gnuplot with args (argv[1]...) and wait, with no shell: stdin from /dev/null, stdout to
 * out_fd (/dev/null when < 0), stderr to err_path (/dev/null when NULL). *status gets waitpid's
 * status. Exec failures come back through a close-on-exec pipe, so "not installed"
 * (RFN_ERR_NOTFOUND) is told apart from "ran and failed" (which the caller judges). */
static rfn_status gnuplot_run(const char *arg1, const char *arg2, int out_fd,
                              const char *err_path, int *status, rfn_error *err)
{
    const char *prog = gnuplot_program();
    int pfd[2];
    if (pipe(pfd) != 0)
        return rfn_error_set(err, RFN_ERR_IO, "pipe: %s", strerror(errno));
    fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
    fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return rfn_error_set(err, RFN_ERR_IO, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int out = out_fd >= 0 ? out_fd : open("/dev/null", O_WRONLY);
        int efd = err_path ? open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600)
                           : open("/dev/null", O_WRONLY);
        if (in >= 0)
            dup2(in, 0);
        if (out >= 0)
            dup2(out, 1);
        if (efd >= 0)
            dup2(efd, 2);
        char *const argv[] = {(char *)prog, (char *)arg1, (char *)arg2, NULL};
        execvp(prog, argv);
        int e = errno;
        ssize_t wr = write(pfd[1], &e, sizeof e);
        (void)wr;
        _exit(127);
    }
    close(pfd[1]);
    int child_errno = 0;
    ssize_t got;
    do
        got = read(pfd[0], &child_errno, sizeof child_errno);
    while (got < 0 && errno == EINTR);
    close(pfd[0]);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    if (got == (ssize_t)sizeof child_errno)
        return rfn_error_set(err, child_errno == ENOENT ? RFN_ERR_NOTFOUND : RFN_ERR_EXTERNAL,
                             "%s not found or not runnable (%s): install gnuplot-nox or set "
                             "RFN_GNUPLOT; the analysis itself does not need it",
                             prog, strerror(child_errno));
    return RFN_OK;
}

/* Run gnuplot on the script in t and wait. Data never reaches a command line. */
static rfn_status run_gnuplot(const plot_tmp *t, rfn_error *err)
{
    char script[600], errpath[600];
    tmp_path(t, "plot.gp", script, sizeof script);
    tmp_path(t, "stderr", errpath, sizeof errpath);
    int status = 0;
    rfn_status st = gnuplot_run("-d", script, -1, errpath, &status, err);
    if (st)
        return st;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        /* The first non-empty line gnuplot wrote names the problem. */
        char line[256] = "";
        FILE *ef = fopen(errpath, "r");
        if (ef) {
            while (fgets(line, sizeof line, ef)) {
                line[strcspn(line, "\r\n")] = '\0';
                if (line[strspn(line, " \t^")])
                    break;
            }
            fclose(ef);
        }
        return rfn_error_set(err, RFN_ERR_EXTERNAL, "gnuplot failed (%s %d): %s",
                             WIFEXITED(status) ? "exit status" : "signal",
                             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                             line[0] ? line : "no message");
    }
    return RFN_OK;
}

rfn_status plot_gnuplot_version(char *buf, size_t cap, rfn_error *err)
{
    int pfd[2];
    if (cap == 0)
        return rfn_error_set(err, RFN_ERR_INVALID, "no room for gnuplot's version");
    if (pipe(pfd) != 0)
        return rfn_error_set(err, RFN_ERR_IO, "pipe: %s", strerror(errno));
    fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
    fcntl(pfd[1], F_SETFD, FD_CLOEXEC); /* the child's dup2 onto stdout clears it there */
    int status = 0;
    /* "gnuplot 5.4 patchlevel 4" is far below a pipe's buffer: reading after the wait is safe. */
    rfn_status st = gnuplot_run("--version", NULL, pfd[1], NULL, &status, err);
    close(pfd[1]);
    ssize_t got = 0;
    if (!st) {
        do
            got = read(pfd[0], buf, cap - 1);
        while (got < 0 && errno == EINTR);
    }
    close(pfd[0]);
    if (st)
        return st;
    buf[got > 0 ? got : 0] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !buf[0])
        return rfn_error_set(err, RFN_ERR_EXTERNAL, "%s --version failed", gnuplot_program());
    return RFN_OK;
}

/* Copy the workspace's file `name` (gnuplot's output "out", or a data file) to out_path through
 * atomic_file. */
static rfn_status publish_file(const plot_tmp *t, const char *name, const char *out_path,
                               rfn_error *err)
{
    char src[600];
    tmp_path(t, name, src, sizeof src);
    FILE *in = fopen(src, "rb");
    if (!in)
        return rfn_error_set(err, RFN_ERR_EXTERNAL, "gnuplot wrote no output file");
    atomic_file *af = NULL;
    rfn_status st = atomic_file_open(out_path, &af, err);
    if (st) {
        fclose(in);
        return st;
    }
    char buf[65536];
    size_t n, total = 0;
    FILE *out = atomic_file_stream(af);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        fwrite(buf, 1, n, out);
        total += n;
    }
    int bad = ferror(in);
    fclose(in);
    if (bad || total == 0) {
        atomic_file_abort(af);
        return rfn_error_set(err, RFN_ERR_EXTERNAL, "%s is %s",
                             strcmp(name, "out") == 0 ? "gnuplot output" : name,
                             bad ? "unreadable" : "empty");
    }
    return atomic_file_commit(af, err);
}

static rfn_status publish(const plot_tmp *t, const char *out_path, rfn_error *err)
{
    return publish_file(t, "out", out_path, err);
}

/* Script preamble: terminal of w x h pixels, output (inside the workspace), common settings and
 * the grid line ("set grid\n"). */
static void put_preamble(FILE *fp, const plot_tmp *t, plot_format fmt, int w, int h,
                         const char *grid)
{
    char out[600];
    tmp_path(t, "out", out, sizeof out);
    if (fmt == PLOT_PNG)
        fprintf(fp, "set terminal pngcairo size %d,%d noenhanced font 'sans,10'\n", w, h);
    else
        fprintf(fp, "set terminal svg size %d,%d noenhanced font 'sans,10' background '#ffffff'\n",
                w, h);
    fputs("set output ", fp);
    put_quoted(fp, out);
    fputs("\nset encoding utf8\nset datafile missing 'NaN'\n", fp);
    fputs(grid, fp);
}

static rfn_status open_tmp(const plot_tmp *t, const char *name, FILE **fp, rfn_error *err)
{
    char p[600];
    tmp_path(t, name, p, sizeof p);
    *fp = fopen(p, "w");
    if (!*fp)
        return rfn_error_set(err, RFN_ERR_IO, "%s: %s", p, strerror(errno));
    return RFN_OK;
}

static rfn_status close_tmp(FILE *fp, rfn_error *err)
{
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad)
        return rfn_error_set(err, RFN_ERR_IO, "cannot write the plot's temporary files");
    return RFN_OK;
}

/* The first steps of every plot: the format from out_path's extension, then the caller's check of
 * its input (valid, else RFN_ERR_INVALID "why"), then the workspace and its first data file
 * "a.dat" open in *data. On failure nothing is left to clean up. */
static rfn_status begin(const char *out_path, int valid, const char *why, plot_format *fmt,
                        plot_tmp *t, FILE **data, rfn_error *err)
{
    rfn_status st = plot_format_from_path(out_path, fmt, err);
    if (st)
        return st;
    if (!valid)
        return rfn_error_set(err, RFN_ERR_INVALID, "%s", why);
    if ((st = tmp_create(t, err)))
        return st;
    if ((st = open_tmp(t, "a.dat", data, err)))
        tmp_destroy(t);
    return st;
}

/* The last steps of every plot: close the script fp, run gnuplot on it, publish its output. */
static rfn_status finish(const plot_tmp *t, FILE *script, const char *out_path, rfn_error *err)
{
    rfn_status st = close_tmp(script, err);
    if (!st)
        st = run_gnuplot(t, err);
    if (!st)
        st = publish(t, out_path, err);
    return st;
}

/* ---- frequency axis -------------------------------------------------------------------------- */

/* A frequency axis in the SI unit that suits its values (GHz, MHz, kHz or Hz), with about eight
 * ticks (6 to 16) at 1, 2 or 5 times a power of ten, labelled with only the decimals they need
 * (433.85, not 433.850000 or 4.3385e+08). */
typedef struct freq_axis {
    double scale;     /* Hz per unit */
    const char *unit; /* "MHz", ... */
    double step;      /* tick spacing in the unit */
    int decimals;     /* decimals of a tick label */
} freq_axis;

static freq_axis freq_axis_for(double lo_hz, double hi_hz)
{
    freq_axis a = {1.0, "Hz", 1.0, 0};
    double mag = fmax(fabs(lo_hz), fabs(hi_hz));
    if (mag >= 1e9)
        a.scale = 1e9, a.unit = "GHz";
    else if (mag >= 1e6)
        a.scale = 1e6, a.unit = "MHz";
    else if (mag >= 1e3)
        a.scale = 1e3, a.unit = "kHz";
    double span = (hi_hz - lo_hz) / a.scale;
    if (!(span > 0) || !isfinite(span))
        return a;
    double raw = span / 8, p10 = pow(10, floor(log10(raw))), m = raw / p10;
    a.step = (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p10; /* 6 to 16 ticks */
    a.decimals = a.step >= 1 ? 0 : (int)ceil(-log10(a.step) - 1e-9);
    return a;
}

static void put_freq_axis(FILE *fp, const freq_axis *a)
{
    fprintf(fp, "set xlabel 'Frequency (%s)'\nset xtics %.17g\nset format x '%%.%df'\n", a->unit,
            a->step, a->decimals);
}

/* ---- spectrum -------------------------------------------------------------------------------- */

/* Text from data inside a '#' comment of a data file: control characters become spaces, so that
 * no text ends the comment line. */
static void put_comment_text(FILE *fp, const char *text)
{
    for (const unsigned char *c = (const unsigned char *)(text ? text : ""); *c; c++)
        fputc(*c < 0x20 || *c == 0x7f ? ' ' : *c, fp);
}

static void put_row(FILE *fp, double a, double b, double c)
{
    put_number(fp, a);
    fputc(' ', fp);
    put_number(fp, b);
    fputc(' ', fp);
    put_number(fp, c);
    fputc('\n', fp);
}

/* The data file (its layout is documented at plot_spectrum_write in plot.h). */
static void put_spectrum_data(FILE *fp, const plot_spectrum *p)
{
    fputs("# rfnoise spectrum plot data (format 1): the numbers the plot draws\n"
          "# frequencies in Hz; blocks separated by two blank lines (gnuplot index)\n"
          "# index 0: the spectrum: freq_hz mean max (",
          fp);
    put_comment_text(fp, p->n_bands ? p->y2_label : p->y_label);
    fputs(")\n# index k >= 1: a band as judged: freq_hz level limit (in the band's unit)\n", fp);
    if (p->has_worst) {
        fputs("# worst: band ", fp);
        put_comment_text(fp, p->worst_label ? p->worst_label : "-");
        fputs(" freq_hz ", fp);
        put_number(fp, p->worst_freq_hz);
        fputs(" level ", fp);
        put_number(fp, p->worst_level);
        fputs(" limit ", fp);
        put_number(fp, p->worst_has_limit ? p->worst_limit : NAN);
        fputs(" margin_db ", fp);
        put_number(fp, p->worst_margin_db);
        fputc('\n', fp);
    }
    fputs("# index 0: spectrum\n", fp);
    for (size_t i = 0; i < p->n; i++)
        put_row(fp, p->freq_hz[i], p->mean_db[i], p->max_db ? p->max_db[i] : NAN);
    for (size_t k = 0; k < p->n_bands; k++) {
        const plot_band *b = &p->bands[k];
        fprintf(fp, "\n\n# index %zu: band ", k + 1);
        put_comment_text(fp, b->id);
        fputs(" unit ", fp);
        put_comment_text(fp, b->unit);
        fputs(": ", fp);
        put_comment_text(fp, b->label);
        fputc('\n', fp);
        for (size_t i = 0; i < b->n; i++)
            put_row(fp, b->freq_hz[i], b->level[i], b->limit ? b->limit[i] : NAN);
    }
}

static void take_range(double v, double *lo, double *hi)
{
    if (isfinite(v)) {
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
}

/* [a, b] in whole 5 dB, with a fifth of the range free above b, where the worst-point label goes
 * (so that it stays inside the frame). 0 when nothing finite was seen (gnuplot then chooses). */
static int pad_range(double a, double b, double *lo, double *hi)
{
    if (!(a <= b))
        return 0;
    double span = fmax(b - a, 10);
    *lo = 5 * floor((a - 0.05 * span) / 5);
    *hi = 5 * ceil((b + 0.25 * span) / 5);
    return 1;
}

/* The left axis's range: every level drawn there. */
static int y_range(const plot_spectrum *p, double *lo, double *hi)
{
    double a = INFINITY, b = -INFINITY;
    for (size_t k = 0; k < p->n_bands; k++)
        for (size_t i = 0; i < p->bands[k].n; i++) {
            take_range(p->bands[k].level[i], &a, &b);
            take_range(p->bands[k].limit ? p->bands[k].limit[i] : NAN, &a, &b);
        }
    for (size_t i = 0; !p->n_bands && i < p->n; i++) {
        take_range(p->mean_db[i], &a, &b);
        take_range(p->max_db ? p->max_db[i] : NAN, &a, &b);
    }
    for (size_t k = 0; k < p->n_limits; k++)
        for (size_t i = 0; i < p->limits[k].n; i++)
            take_range(p->limits[k].level[i], &a, &b);
    if (p->has_worst)
        take_range(p->worst_level, &a, &b);
    return pad_range(a, b, lo, hi);
}

/* The right axis's range (the context spectrum of a plot of bands), with the same room above. */
static int y2_range(const plot_spectrum *p, double *lo, double *hi)
{
    double a = INFINITY, b = -INFINITY;
    for (size_t i = 0; i < p->n; i++) {
        take_range(p->mean_db[i], &a, &b);
        take_range(p->max_db ? p->max_db[i] : NAN, &a, &b);
    }
    return pad_range(a, b, lo, hi);
}

static size_t longest(size_t m, const char *text)
{
    size_t l = text ? strlen(text) : 0;
    return l > m ? l : m;
}

/* Legend: one entry per line drawn, in two columns when the texts are short enough to sit side by
 * side on the canvas, else one; *rows entries high. */
static void key_shape(const plot_spectrum *p, size_t *cols, size_t *rows)
{
    size_t n = 1 + (p->max_db != NULL) + p->n_limits, len = 30;
    for (size_t k = 0; k < p->n_bands; k++) {
        n += 1 + (p->bands[k].limit != NULL);
        len = longest(longest(len, p->bands[k].label), p->bands[k].limit_label);
    }
    for (size_t k = 0; k < p->n_limits; k++)
        len = longest(len, p->limits[k].label);
    *cols = len <= 55 ? 2 : 1; /* two columns of 55 characters fit in 1200 pixels */
    *rows = (n + *cols - 1) / *cols;
}

/* Title, axes, ranges and legend. The legend sits at the foot of the canvas in two columns, below
 * a bottom margin sized for the tick labels and the axis label, so that it never covers them. */
static void put_spectrum_layout(FILE *fp, const plot_spectrum *p, const freq_axis *ax)
{
    fputs("set title ", fp);
    put_quoted(fp, p->title);
    if (p->subtitle) {
        fputs(" . \"\\n\" . ", fp);
        put_quoted(fp, p->subtitle);
    }
    fputc('\n', fp);
    put_freq_axis(fp, ax);
    fprintf(fp, "set xrange [%.17g:%.17g]\n", p->freq_hz[0] / ax->scale,
            p->freq_hz[p->n - 1] / ax->scale);
    fputs("set ylabel ", fp);
    put_quoted(fp, p->y_label ? p->y_label : "");
    fputc('\n', fp);
    double lo, hi;
    if (y_range(p, &lo, &hi))
        fprintf(fp, "set yrange [%.17g:%.17g]\n", lo, hi);
    if (p->n_bands) {
        fputs("set ytics nomirror\nset y2tics\nset y2label ", fp);
        put_quoted(fp, p->y2_label ? p->y2_label : "");
        fputs(" textcolor rgb '#808080'\n", fp);
        if (y2_range(p, &lo, &hi))
            fprintf(fp, "set y2range [%.17g:%.17g]\n", lo, hi);
    }
    size_t cols, rows;
    key_shape(p, &cols, &rows);
    fprintf(fp,
            "set bmargin at screen %.4f\n"
            "set key at screen 0.5, screen 0.01 center bottom vertical maxrows %zu "
            "samplen 3 spacing 1.1 width 2\n",
            (64.0 + 17.0 * (double)rows) / 700.0, rows);
    for (size_t k = 0; k < p->n_fail; k++) {
        fprintf(fp, "set object %zu rect from ", k + 1);
        put_number(fp, p->fail[k].f_lo_hz / ax->scale);
        fputs(", graph 0 to ", fp);
        put_number(fp, p->fail[k].f_hi_hz / ax->scale);
        fputs(", graph 1 fillcolor rgb '#ffd0d0' fillstyle solid 0.5 noborder behind\n", fp);
    }
}

/* The worst point: a dot, the margin as a bar from the limit to the reading, and the label in the
 * room y_range leaves at the top of the frame, above the dot, on its side towards the middle (so
 * that it stays inside the frame and off the traces), joined to it by a dotted line. */
static void put_worst(FILE *fp, const plot_spectrum *p, const freq_axis *ax)
{
    if (!p->has_worst || !isfinite(p->worst_freq_hz) || !isfinite(p->worst_level))
        return;
    char text[300];
    /* To the hertz, in the axis's unit. */
    snprintf(text, sizeof text, "worst margin %.2f dB%s%.100s%s at %.*f %s", p->worst_margin_db,
             p->worst_label ? " (" : "", p->worst_label ? p->worst_label : "",
             p->worst_label ? ")" : "", (int)lround(log10(ax->scale)),
             p->worst_freq_hz / ax->scale, ax->unit);
    int right = p->worst_freq_hz > (p->freq_hz[0] + p->freq_hz[p->n - 1]) / 2;
    double x = p->worst_freq_hz / ax->scale;
    fputs("set label 1 ", fp);
    put_quoted(fp, text);
    fputs(" at first ", fp);
    put_number(fp, x);
    fprintf(fp, ", graph 0.95 %s offset %d,0 front\n", right ? "right" : "left",
            right ? -1 : 1);
    fputs("set label 2 '' at ", fp);
    put_number(fp, x);
    fputc(',', fp);
    put_number(fp, p->worst_level);
    fputs(" point pointtype 7 pointsize 1.3 lc rgb '#000000' front\n", fp);
    fputs("set arrow 2 from first ", fp);
    put_number(fp, x);
    fputs(", graph 0.95 to first ", fp);
    put_number(fp, x);
    fputc(',', fp);
    put_number(fp, p->worst_level);
    fputs(" nohead dt 3 lw 1 lc rgb '#606060' front\n", fp);
    if (p->worst_has_limit && isfinite(p->worst_limit) && p->worst_limit != p->worst_level) {
        fputs("set arrow 1 from ", fp);
        put_number(fp, x);
        fputc(',', fp);
        put_number(fp, p->worst_limit);
        fputs(" to ", fp);
        put_number(fp, x);
        fputc(',', fp);
        put_number(fp, p->worst_level);
        fputs(" heads size screen 0.006,90 lw 1.5 lc rgb '#000000' front\n", fp);
    }
}

/* One "plot" clause: file a_dat, block idx, column col (x in the axis unit). */
static void put_clause(FILE *fp, const char *dat, size_t idx, int col, const freq_axis *ax,
                       const char *style, const char *title)
{
    fputs(", \\\n     ", fp);
    put_quoted(fp, dat);
    fprintf(fp, " index %zu using ($1/%.17g):%d %s title ", idx, ax->scale, col, style);
    put_quoted(fp, title);
}

static void put_spectrum_plot(FILE *fp, const plot_spectrum *p, const freq_axis *ax,
                              const char *a_dat, const char *b_dat)
{
    static const char *const colours[] = {"#1f77b4", "#2ca02c", "#9467bd", "#8c564b",
                                          "#e377c2", "#17becf"};
    /* The first clause has no comma before it: NaN keeps it from drawing anything. */
    fputs("plot NaN notitle", fp);
    if (p->n_bands) {
        put_clause(fp, a_dat, 0, 2, ax, "axes x1y2 with lines lw 1 lc rgb '#c0c0c0'",
                   "PSD, whole span (right axis)");
        if (p->max_db)
            put_clause(fp, a_dat, 0, 3, ax, "axes x1y2 with lines lw 1 lc rgb '#e0e0e0'",
                       "max-hold PSD (right axis)");
    } else {
        /* max-hold first, so that the mean is drawn on top of it */
        if (p->max_db)
            put_clause(fp, a_dat, 0, 3, ax, "with lines lw 1 lc rgb '#ff7f0e'", "max-hold");
        put_clause(fp, a_dat, 0, 2, ax, "with lines lw 1 lc rgb '#1f77b4'", "mean");
    }
    for (size_t k = 0; k < p->n_bands; k++) {
        const plot_band *b = &p->bands[k];
        char style[96];
        snprintf(style, sizeof style, "with %s lw 1.5 lc rgb '%s'",
                 b->n >= 2 ? "lines" : "points pt 7", colours[k % 6]);
        put_clause(fp, a_dat, k + 1, 2, ax, style, b->label);
        if (b->limit)
            put_clause(fp, a_dat, k + 1, 3, ax,
                       b->n >= 2 ? "with lines lw 2 dt 2 lc rgb '#d62728'"
                                 : "with points pt 6 lc rgb '#d62728'",
                       b->limit_label);
    }
    for (size_t k = 0; k < p->n_limits; k++)
        put_clause(fp, b_dat, k, 2, ax, "with lines lw 2 dt 2 lc rgb '#d62728'",
                   p->limits[k].label);
    fputc('\n', fp);
}

static int bands_valid(const plot_spectrum *p)
{
    for (size_t k = 0; k < p->n_bands; k++)
        if (!p->bands[k].freq_hz || !p->bands[k].level || p->bands[k].n < 1)
            return 0;
    return !p->n_bands || p->bands;
}

rfn_status plot_spectrum_write(const plot_spectrum *p, const char *out_path, rfn_error *err)
{
    plot_format fmt;
    plot_tmp t;
    FILE *fp;
    rfn_status st = begin(out_path, p->freq_hz && p->mean_db && p->n >= 2 && bands_valid(p),
                          "plot: a spectrum needs at least 2 points, a band at least 1", &fmt,
                          &t, &fp, err);
    if (st)
        return st;
    const freq_axis ax = freq_axis_for(p->freq_hz[0], p->freq_hz[p->n - 1]);
    put_spectrum_data(fp, p);
    if ((st = close_tmp(fp, err)))
        goto done;
    /* Limit lines: one data block each, separated by two blank lines (gnuplot "index"). */
    if ((st = open_tmp(&t, "b.dat", &fp, err)))
        goto done;
    for (size_t k = 0; k < p->n_limits; k++) {
        for (size_t i = 0; i < p->limits[k].n; i++)
            put_row(fp, p->limits[k].freq_hz[i], p->limits[k].level[i], NAN);
        fputs("\n\n", fp);
    }
    if ((st = close_tmp(fp, err)))
        goto done;
    if ((st = open_tmp(&t, "plot.gp", &fp, err)))
        goto done;
    char a_dat[600], b_dat[600];
    tmp_path(&t, "a.dat", a_dat, sizeof a_dat);
    tmp_path(&t, "b.dat", b_dat, sizeof b_dat);
    put_preamble(fp, &t, fmt, 1200, 700, "set grid\n");
    put_spectrum_layout(fp, p, &ax);
    put_worst(fp, p, &ax);
    put_spectrum_plot(fp, p, &ax, a_dat, b_dat);
    st = finish(&t, fp, out_path, err);
    if (!st && p->data_path)
        st = publish_file(&t, "a.dat", p->data_path, err);
done:
    tmp_destroy(&t);
    return st;
}

/* ---- spectrogram ----------------------------------------------------------------------------- */

rfn_status plot_spectrogram_write(const plot_spectrogram *s, const char *out_path,
                                  rfn_error *err)
{
    plot_format fmt;
    plot_tmp t;
    FILE *fp;
    rfn_status st =
        begin(out_path,
              s->level_db && s->n_rows >= 2 && s->n_cols >= 2 && s->dt_s > 0 && s->df_hz > 0,
              "plot: a spectrogram needs at least 2 x 2 cells and steps > 0", &fmt, &t, &fp, err);
    if (st)
        return st;
    /* gnuplot "nonuniform matrix": first row N x0..x(N-1), then y z0..z(N-1) per row. */
    const freq_axis ax =
        freq_axis_for(s->f0_hz, s->f0_hz + (double)(s->n_cols - 1) * s->df_hz);
    fprintf(fp, "%zu", s->n_cols);
    for (size_t c = 0; c < s->n_cols; c++) {
        fputc(' ', fp);
        put_number(fp, (s->f0_hz + (double)c * s->df_hz) / ax.scale);
    }
    fputc('\n', fp);
    for (size_t r = 0; r < s->n_rows; r++) {
        put_number(fp, s->t0_s + (double)r * s->dt_s);
        for (size_t c = 0; c < s->n_cols; c++) {
            fputc(' ', fp);
            put_number(fp, s->level_db[r * s->n_cols + c]);
        }
        fputc('\n', fp);
    }
    if ((st = close_tmp(fp, err)))
        goto done;
    if ((st = open_tmp(&t, "plot.gp", &fp, err)))
        goto done;
    char a_dat[600];
    tmp_path(&t, "a.dat", a_dat, sizeof a_dat);
    put_preamble(fp, &t, fmt, 1200, 700, "set grid\n");
    fputs("set title ", fp);
    put_quoted(fp, s->title);
    fputc('\n', fp);
    put_freq_axis(fp, &ax);
    fputs("set ylabel 'Time (s)'\nset cblabel ", fp);
    put_quoted(fp, s->z_label ? s->z_label : "");
    fputs("\nset palette defined (0 '#000004', 1 '#3b0f70', "
          "2 '#8c2981', 3 '#de4968', 4 '#fe9f6d', 5 '#fcfdbf')\n"
          "set autoscale xfix\nset autoscale yfix\nset grid noxtics noytics\n"
          "plot ",
          fp);
    put_quoted(fp, a_dat);
    fputs(" nonuniform matrix using 1:2:3 with image notitle\n", fp);
    st = finish(&t, fp, out_path, err);
done:
    tmp_destroy(&t);
    return st;
}

/* ---- category charts (trend, per-Supplier bars, ageing) -------------------------------------- */

rfn_status plot_chart_write(const plot_chart *c, const char *out_path, rfn_error *err)
{
    plot_format fmt;
    plot_tmp t;
    FILE *fp;
    rfn_status st = begin(out_path, c->n_x >= 1 && c->n_series >= 1 && c->n_series <= 12 &&
                                        c->x_labels,
                          "chart: need 1+ categories and 1-12 series", &fmt, &t, &fp, err);
    if (st)
        return st;
    /* Column 1: category index; then one column per series. Text never enters the data file. */
    for (size_t i = 0; i < c->n_x; i++) {
        fprintf(fp, "%zu", i);
        for (size_t k = 0; k < c->n_series; k++) {
            fputc(' ', fp);
            put_number(fp, c->series[k].y[i]);
        }
        fputc('\n', fp);
    }
    if ((st = close_tmp(fp, err)))
        goto done;
    if ((st = open_tmp(&t, "plot.gp", &fp, err)))
        goto done;
    char a_dat[600];
    tmp_path(&t, "a.dat", a_dat, sizeof a_dat);
    put_preamble(fp, &t, fmt, c->width_px > 0 ? c->width_px : 1000,
                 c->height_px > 0 ? c->height_px : 420, "set grid ytics\n");
    fputs("set key outside right top\nset border 3\nset tics nomirror\n", fp);
    fputs("set title ", fp);
    put_quoted(fp, c->title);
    fputs("\nset xlabel ", fp);
    put_quoted(fp, c->x_label);
    fputs("\nset ylabel ", fp);
    put_quoted(fp, c->y_label);
    fprintf(fp, "\nset xrange [-0.6:%g]\nset yrange [0:*]\n", (double)c->n_x - 0.4);
    size_t step = c->n_x > 24 ? (c->n_x + 23) / 24 : 1;
    fputs("set xtics rotate by -45 (", fp);
    for (size_t i = 0, first = 1; i < c->n_x; i += step, first = 0) {
        if (!first)
            fputs(", ", fp);
        put_quoted(fp, c->x_labels[i]);
        fprintf(fp, " %zu", i);
    }
    fputs(")\n", fp);
    static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                          "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                          "#bcbd22", "#17becf", "#393b79", "#637939"};
    double bw = 0.8 / (double)c->n_series;
    if (c->kind == PLOT_CHART_BARS)
        fprintf(fp, "set style fill solid 0.85 border -1\nset boxwidth %.6f\n", bw);
    for (size_t k = 0; k < c->n_markers; k++) {
        fprintf(fp, "set arrow from %.6f, graph 0 to %.6f, graph 1 nohead back dt 3 lw 1.5 "
                    "lc rgb '#444444'\nset label ", c->markers[k].x, c->markers[k].x);
        put_quoted(fp, c->markers[k].label);
        fprintf(fp, " at %.6f, graph 0.97 right rotate by 90 offset -0.6, 0 font ',9' "
                    "tc rgb '#444444'\n", c->markers[k].x);
    }
    fputs("plot ", fp);
    for (size_t k = 0; k < c->n_series; k++) {
        if (k)
            fputs(", \\\n     ", fp);
        put_quoted(fp, a_dat);
        if (c->kind == PLOT_CHART_BARS)
            fprintf(fp, " using ($1 + %.6f):%zu with boxes lc rgb '%s' title ",
                    ((double)k - ((double)c->n_series - 1) / 2.0) * bw, k + 2, colours[k % 12]);
        else if (c->series[k].dashed_line)
            fprintf(fp, " using 1:%zu with lines dt 2 lw 2 lc rgb '%s' title ", k + 2,
                    colours[k % 12]);
        else
            fprintf(fp, " using 1:%zu with linespoints pt 7 ps 0.6 lw 1.5 lc rgb '%s' title ",
                    k + 2, colours[k % 12]);
        put_quoted(fp, c->series[k].label);
    }
    fputc('\n', fp);
    st = finish(&t, fp, out_path, err);
done:
    tmp_destroy(&t);
    return st;
}
