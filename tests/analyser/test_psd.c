/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_psd.c: `rfnoise psd` end to end: a capture built exactly as scripts/make-psd-reference
 * builds it, written as SigMF, exported with --window hann --nfft 1024 --detrend mean, must match
 * scipy.signal.welch (committed reference) within 0.01 dB in every bin; plus the column set of
 * --traces / --cal-db, JSON output and usage errors. */
#include <complex.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "capture.h"
#include "check.h"

#define N 40000
#define FS 1.0e6
#define FC 100.0e6

static char dir[300], cap[400];
static const char *rfnoise = RFN_BINARY_DIR "/analyser/rfnoise";

static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The signal of scripts/make-psd-reference: a tone at 0.1234 fs, uniform noise from Knuth's MMIX
 * LCG, a DC offset; rounded to complex float. */
static void write_signal(void)
{
    static float complex x[N];
    uint64_t s = 12345;
    for (size_t n = 0; n < N; n++) {
        double u[2];
        for (int k = 0; k < 2; k++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            u[k] = (double)(s >> 11) / 9007199254740992.0 - 0.5;
        }
        double ph = 2 * M_PI * 0.1234 * (double)n;
        double re = (0.5 * cos(ph) + 0.02 * u[0]) + 0.03;
        double im = (0.5 * sin(ph) + 0.02 * u[1]) - 0.01;
        x[n] = (float)re + I * (float)im;
    }
    capture_writer_config wc = capture_writer_config_default();
    wc.sample_rate_hz = FS;
    wc.center_freq_hz = FC;
    capture_writer *w = NULL;
    rfn_error err;
    CHECK_OK(capture_writer_create(cap, &wc, &w, &err));
    if (!w)
        return;
    CHECK_OK(capture_writer_write(w, x, N, &err));
    CHECK_OK(capture_writer_commit(w, &err));
}

static void test_scipy_match(void)
{
    char cmd[4096], out[400];
    snprintf(out, sizeof out, "%s/psd.csv", dir);
    snprintf(cmd, sizeof cmd, "'%s' psd '%s' --window hann --nfft 1024 --detrend mean --quiet "
                              "--format csv > '%s'", rfnoise, cap, out);
    CHECK(run(cmd) == 0);
    FILE *got = fopen(out, "r");
    FILE *ref = fopen(RFN_SOURCE_DIR "/tests/data/psd/welch_hann1024_detrend.csv", "r");
    CHECK(got && ref);
    if (!got || !ref) {
        if (got)
            fclose(got);
        if (ref)
            fclose(ref);
        return;
    }
    char a[256], b[256];
    CHECK(fgets(a, sizeof a, got) && strcmp(a, "freq_hz,psd_dbfs_hz\n") == 0);
    CHECK(fgets(b, sizeof b, ref) != NULL);
    size_t rows = 0, bad = 0;
    double worst = 0, prev_f = -INFINITY;
    while (fgets(b, sizeof b, ref)) {
        double fr, pr, fg, pg;
        if (!fgets(a, sizeof a, got) || sscanf(a, "%lf,%lf", &fg, &pg) != 2 ||
            sscanf(b, "%lf,%lf", &fr, &pr) != 2) {
            bad++;
            break;
        }
        rows++;
        if (fabs(fg - fr) > 1e-2 || !(fg > prev_f))
            bad++;
        prev_f = fg;
        worst = fmax(worst, fabs(pg - pr));
    }
    CHECK(!fgets(a, sizeof a, got)); /* no extra rows */
    CHECK(rows == 1024 && bad == 0);
    CHECK_MSG(worst <= 0.01, "largest difference from scipy %.6f dB", worst);
    fprintf(stderr, "psd vs scipy.signal.welch: %zu bins, max |diff| %.2e dB\n", rows, worst);
    fclose(got);
    fclose(ref);
}

static void test_columns(void)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' psd '%s' --nfft 256 --traces max,min --cal-db -30 --quiet > "
                              "'%s/t.csv' && head -1 '%s/t.csv' | grep -qx "
                              "'freq_hz,psd_dbfs_hz,psd_dbm_hz,maxhold_dbfs_hz,minhold_dbfs_hz' "
                              "&& test $(wc -l < '%s/t.csv') -eq 257",
             rfnoise, cap, dir, dir, dir);
    CHECK(run(cmd) == 0);
    /* psd_dbm_hz = psd_dbfs_hz - 30 and min <= mean <= max in every row. */
    char path[400], line[256];
    snprintf(path, sizeof path, "%s/t.csv", dir);
    FILE *fp = fopen(path, "r");
    size_t bad = 0, rows = 0;
    if (fp && fgets(line, sizeof line, fp))
        while (fgets(line, sizeof line, fp)) {
            double f, p, pm, mx, mn;
            if (sscanf(line, "%lf,%lf,%lf,%lf,%lf", &f, &p, &pm, &mx, &mn) != 5 ||
                fabs(pm - (p - 30)) > 2e-6 || !(mn <= p + 1e-9 && p <= mx + 1e-9))
                bad++;
            rows++;
        }
    if (fp)
        fclose(fp);
    CHECK(rows == 256 && bad == 0);

    snprintf(cmd, sizeof cmd, "'%s' psd '%s' --nfft 512 --average median --format json --quiet "
                              "> '%s/p.json'", rfnoise, cap, dir);
    CHECK(run(cmd) == 0);
    snprintf(path, sizeof path, "%s/p.json", dir);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    CHECK_MSG(j != NULL, "%s", je.text);
    CHECK(json_array_size(json_object_get(j, "freq_hz")) == 512);
    CHECK(json_array_size(json_object_get(j, "psd_dbfs_hz")) == 512);
    CHECK(json_object_get(j, "psd_dbm_hz") == NULL);
    json_t *s = json_object_get(j, "settings");
    CHECK(s && strcmp(json_string_value(json_object_get(s, "average")), "median") == 0);
    CHECK(s && json_integer_value(json_object_get(s, "nfft")) == 512);
    json_decref(j);

    /* Usage errors: exit 2 with one line on stderr. */
    snprintf(cmd, sizeof cmd, "'%s' psd '%s' --nfft 64 --rbw 1000 2>/dev/null", rfnoise, cap);
    CHECK(run(cmd) == 2);
    snprintf(cmd, sizeof cmd, "'%s' psd 2>/dev/null", rfnoise);
    CHECK(run(cmd) == 2);
    snprintf(cmd, sizeof cmd, "'%s' psd '%s' --window kaiser 2>/dev/null", rfnoise, cap);
    CHECK(run(cmd) == 2);
    snprintf(cmd, sizeof cmd, "'%s' psd '%s/none.cf32' --rate 1e6 2>/dev/null", rfnoise, dir);
    CHECK(run(cmd) == 2);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/test_psd.tmp", RFN_BINARY_DIR);
    snprintf(cap, sizeof cap, "%s/sig.sigmf-meta", dir);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (run(cmd) != 0)
        return 1;
    write_signal();
    test_scipy_match();
    test_columns();
    return check_finish();
}
