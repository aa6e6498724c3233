/* SPDX-License-Identifier: GPL-2.0-or-later */
/* synth_batch.c: the deterministic sample batch behind data/sample (see synth_batch.h). The
 * expected verdicts are derived here from the scenario each device was given (its true noise
 * level per band and the derogation rules written below), independently of classify.c. */
#include "synth_batch.h"

#include <complex.h>
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyse.h"
#include "atomic_file.h"
#include "calibration.h"
#include "capture.h"
#include "csv_util.h"
#include "data_dir.h"
#include "identifiers.h"
#include "limits.h"
#include "synth.h"

/* ---- the scenario ---------------------------------------------------------------------------- */

enum { QUIET = 0, MODERATE = 1, STRONG = 2 };
/* The WAN bands (field captures and lab) and the HAN bands (lab only; every lab result is quiet
 * there): each applicable band of the limit set needs evidence (README "Device verdicts"). */
enum { BAND_423 = 0, BAND_900 = 1, BAND_868 = 2, BAND_2400 = 3, N_BANDS = 4 };

typedef struct model {
    const char *man, *model, *fw;
    int level[2]; /* true level at 423 MHz and in 925-960 MHz */
    int has_lab;
    int weight;   /* share of the random rows */
} model;

static const model models[] = {
    {"Acme Meters", "AM-100", "1.3.0", {MODERATE, QUIET}, 1, 18},
    {"Acme Meters", "AM-100", "1.5.0", {QUIET, QUIET}, 1, 10},
    {"Kaifa", "M-101", "2.0.1", {QUIET, QUIET}, 1, 16},
    {"Landis+Gyr", "E470", "4.1", {QUIET, QUIET}, 1, 10},
    {"Landis+Gyr", "E470", "4.2", {QUIET, QUIET}, 1, 10},
    {"Secure Meters", "Liberty 100", "7.0", {QUIET, MODERATE}, 1, 12},
    {"Secure Meters", "Liberty 100", "7.1", {QUIET, QUIET}, 1, 8},
    {"EDMI", "ES-10A", "1.0", {STRONG, QUIET}, 1, 8},
    {"Aclara", "SGM1400", "3.3", {QUIET, QUIET}, 0, 4},
};
enum { M_AM13 = 0, M_AM15, M_KAIFA, M_E41, M_E42, M_LIB70, M_LIB71, M_EDMI, M_ACLARA, N_MODELS };
static const model gas_model = {"Flonidan", "G4SZV", "1.0", {QUIET, QUIET}, 0, 0};

/* The derogation list (written to derogations.csv; truth() applies the same rules). */
typedef struct rule {
    const char *ref, *man, *model, *fw_text;
    int m_index; /* the model entry it covers */
    int band;
    int region;  /* csp_region */
    const char *areas[3];
    const char *install_by;
} rule;

static const rule rules[] = {
    {"DRG-SAMPLE-001", "Acme Meters", "AM-100", "1.2.0..1.4.9", M_AM13, BAND_423,
     CSP_REGION_NORTH, {"AB", "IV", "KW"}, "2022-03-31"},
    {"DRG-SAMPLE-002", "Secure Meters", "Liberty 100", "7.0", M_LIB70, BAND_900, CSP_REGION_SOUTH,
     {NULL, NULL, NULL}, "2022-12-31"},
};

static const char *const suppliers[] = {"Northern Power Supply", "Brightwell Energy",
                                        "Coastal Gas & Electric", "Meridian Utilities",
                                        "Acorn Energy"};
static const char *const areas_by_region[4][5] = {
    {NULL},
    {"AB", "IV", "KW", "NE", "DD"},
    {"B", "CV", "LE", "NG", "DE"},
    {"SO", "BN", "PO", "EX", "TR"},
};

typedef struct row {
    char device[32], type[16], status[32], man[64], model[64], fw[32], mpxn[24], region[16];
    char han[16], postcode[16], supplier[96], date[24];
    char exp_verdict[32], exp_reasons[128], exp_evidence[24]; /* expected.csv's (judged rows) */
    int extra_field;     /* ragged row */
    int bad;             /* deliberately rejected */
    int m;               /* model index, -1 for gas */
    int region_id;
    int32_t date_days;
    int capture_kind;    /* CAP_* for scenario devices, -1 = none */
    int on_wall;
} row;

enum { CAP_QUIET = 0, CAP_MODERATE, CAP_STRONG, CAP_CLIPPED, CAP_TRUNCATED, CAP_TWO_QUIET,
       CAP_TWO_STRONG };

/* Expected verdict of a device whose applicable WAN band has true level lvl (ARCHITECTURE §6,
 * derogation rules above; the precedence model, location, date follows derogation.h). */
static void truth(const row *r, int lvl, char *verdict, size_t vs, char *reasons, size_t rs)
{
    int band = r->region_id == CSP_REGION_NORTH ? BAND_423 : BAND_900;
    reasons[0] = '\0';
    if (lvl == QUIET) {
        snprintf(verdict, vs, "compliant");
        return;
    }
    const rule *ru = NULL;
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
        if (rules[i].m_index == r->m && rules[i].band == band)
            ru = &rules[i];
    snprintf(verdict, vs, "non-compliant");
    if (!ru) {
        snprintf(reasons, rs, "exceeds-limit;model-not-derogated");
        return;
    }
    int area_ok = ru->areas[0] == NULL;
    for (int a = 0; a < 3 && ru->areas[a]; a++)
        area_ok |= postcode_in_area(r->postcode, ru->areas[a]);
    if (r->region_id != ru->region || !area_ok) {
        snprintf(reasons, rs, "exceeds-limit;location-not-acceptable");
        return;
    }
    if (strcmp(r->date, ru->install_by) > 0) {
        snprintf(reasons, rs, "exceeds-limit;installed-after-cutoff");
        return;
    }
    if (lvl == STRONG) {
        snprintf(reasons, rs, "exceeds-derogation-limit");
        return;
    }
    snprintf(verdict, vs, "derogation-compliant");
}

/* ---- register rows --------------------------------------------------------------------------- */

static void make_mpan(gsl_rng *rng, char out[14])
{
    snprintf(out, 14, "%02d", 10 + (int)gsl_rng_uniform_int(rng, 14));
    for (int i = 2; i < 12; i++)
        out[i] = (char)('0' + gsl_rng_uniform_int(rng, 10));
    out[12] = (char)('0' + mpan_check_digit(out));
    out[13] = '\0';
}

static void make_mprn(gsl_rng *rng, char out[11])
{
    for (int i = 0; i < 8; i++)
        out[i] = (char)('1' + gsl_rng_uniform_int(rng, 9));
    snprintf(out + 8, 3, "%02d", mprn_check_value(out, 8));
}

static void make_postcode(gsl_rng *rng, const char *area, char out[16])
{
    static const char inward[] = "ABDEFGHJLNPQRSTUWXYZ";
    snprintf(out, 16, "%s%d %d%c%c", area, 1 + (int)gsl_rng_uniform_int(rng, 20),
             (int)gsl_rng_uniform_int(rng, 10), inward[gsl_rng_uniform_int(rng, 20)],
             inward[gsl_rng_uniform_int(rng, 20)]);
}

static void set_date(row *r, int32_t days)
{
    r->date_days = days;
    iso_date_format(days, r->date);
}

/* A valid on-the-wall ESME row of model m in region reg with postcode area `area` (NULL =
 * random) installed on `days` (INT32_MIN = random 2019-2022). */
static void make_row(gsl_rng *rng, row *r, uint32_t serial, int m, int reg, const char *area,
                     int32_t days)
{
    memset(r, 0, sizeof *r);
    eui64_format(0x0012A5FFFE000000ull | (uint64_t)((serial * 2654435761u) & 0xFFFFFFu) |
                     ((uint64_t)(serial >> 24) << 32),
                 r->device);
    r->m = m;
    r->capture_kind = -1;
    r->on_wall = 1;
    const model *md = m >= 0 ? &models[m] : &gas_model;
    snprintf(r->man, sizeof r->man, "%s", md->man);
    snprintf(r->model, sizeof r->model, "%s", md->model);
    snprintf(r->fw, sizeof r->fw, "%s", md->fw);
    snprintf(r->type, sizeof r->type, "%s", m >= 0 ? "ESME" : "GSME");
    if (m >= 0)
        make_mpan(rng, r->mpxn);
    else
        make_mprn(rng, r->mpxn);
    r->region_id = reg;
    snprintf(r->region, sizeof r->region, "%s", csp_region_name((csp_region)reg));
    snprintf(r->han, sizeof r->han, "%s", gsl_rng_uniform(rng) < 0.6 ? "Dual Band" : "Single Band");
    make_postcode(rng, area ? area : areas_by_region[reg][gsl_rng_uniform_int(rng, 5)],
                  r->postcode);
    snprintf(r->supplier, sizeof r->supplier, "%s", suppliers[gsl_rng_uniform_int(rng, 5)]);
    if (days == INT32_MIN)
        days = date_from_ymd(2019, 1, 1) + (int32_t)gsl_rng_uniform_int(rng, 4 * 365);
    set_date(r, days);
    snprintf(r->status, sizeof r->status, "Commissioned");
}

static int pick_model(gsl_rng *rng)
{
    int total = 0;
    for (int i = 0; i < N_MODELS; i++)
        total += models[i].weight;
    int x = (int)gsl_rng_uniform_int(rng, (unsigned long)total);
    for (int i = 0; i < N_MODELS; i++) {
        if (x < models[i].weight)
            return i;
        x -= models[i].weight;
    }
    return 0;
}

/* ---- captures -------------------------------------------------------------------------------- */

typedef struct cap_spec {
    int band;     /* BAND_* */
    int level;    /* QUIET / MODERATE / STRONG */
    int clipped;
    int truncated;
    uint64_t seed;
    const char *device; /* NULL for lab captures */
    const char *datetime;
} cap_spec;

/* The synthesis of one capture of s: its band's rate, centre and duration (*dur_s), the
 * hub's own bursts (component 0), the interference of s->level, and the ADC clipping. */
static synth_config scene(const cap_spec *s, double *dur_s)
{
    synth_config sc = synth_config_default();
    sc.seed = s->seed;
    sc.noise_dbfs_hz = -130.0;
    double dur;
    synth_component *c = sc.components;
    /* Levels in dBFS; with SYNTH_BATCH_CAL_DB = -40 the limits of the illustrative set are
     * -110 / -104 (derogation) dBm per 12.5 kHz at 423 MHz and -100 / -94 dBm per 200 kHz at
     * 925-960 MHz: moderate sits 3 dB over the limit and 3 dB under the derogation limit, strong
     * 6 dB over the derogation limit. The floor (-130 dBFS/Hz) is 19 / 17 dB under the limits. */
    if (s->band == BAND_423) {
        sc.sample_rate_hz = 2.4e6;
        sc.center_freq_hz = 423e6;
        dur = 0.05;
        /* The hub's own WAN bursts (annotated: excluded from the noise statistics). */
        *c++ = (synth_component){.kind = SYNTH_BURSTS, .freq_hz = 423.6e6, .power_dbfs = -35,
                                 .bandwidth_hz = 25e3, .period_s = 0.01, .duty = 0.2,
                                 .start_s = 0.002};
        if (s->level != QUIET)
            *c++ = (synth_component){.kind = SYNTH_COMB, .freq_hz = 422.45e6,
                                     .spacing_hz = 150e3, .n_lines = 6,
                                     .power_dbfs = s->level == MODERATE ? -67 : -58};
    } else if (s->band == BAND_868) {
        /* 863-870 MHz (dual-band HAN): the hub's own 868 MHz HAN bursts, nothing else. */
        sc.sample_rate_hz = 10e6;
        sc.center_freq_hz = 866.5e6;
        dur = 0.01;
        *c++ = (synth_component){.kind = SYNTH_BURSTS, .freq_hz = 868.3e6, .power_dbfs = -35,
                                 .bandwidth_hz = 100e3, .period_s = 0.002, .duty = 0.2,
                                 .start_s = 0.0003};
    } else if (s->band == BAND_2400) {
        /* 2400-2483.5 MHz (ZigBee HAN): the hub's own ZigBee bursts, nothing else. */
        sc.sample_rate_hz = 100e6;
        sc.center_freq_hz = 2441.75e6;
        dur = 0.002;
        *c++ = (synth_component){.kind = SYNTH_BURSTS, .freq_hz = 2440e6, .power_dbfs = -30,
                                 .bandwidth_hz = 2e6, .period_s = 0.0005, .duty = 0.2,
                                 .start_s = 0.0001};
    } else {
        sc.sample_rate_hz = 40e6;
        sc.center_freq_hz = 942.5e6;
        dur = 0.008;
        *c++ = (synth_component){.kind = SYNTH_BURSTS, .freq_hz = 950e6, .power_dbfs = -30,
                                 .bandwidth_hz = 200e3, .period_s = 0.002, .duty = 0.25,
                                 .start_s = 0.0005};
        if (s->level != QUIET)
            *c++ = (synth_component){.kind = SYNTH_BROADBAND, .freq_hz = 935e6,
                                     .bandwidth_hz = 10e6,
                                     .power_dbfs = s->level == MODERATE ? -40 : -31};
    }
    if (s->clipped) {
        /* A strong nearby carrier drives the ADC to its rails (+3 dBFS, clipped at full
         * scale): the capture proves nothing either way. */
        *c++ = (synth_component){.kind = SYNTH_TONE, .freq_hz = sc.center_freq_hz + 3e5,
                                 .power_dbfs = 3};
        sc.clip_level = 1.0;
    }
    sc.n_components = (size_t)(c - sc.components);
    *dur_s = dur;
    return sc;
}

/* n samples of sc as the ci16_le SigMF pair meta_path, annotated with the bursts of its
 * component 0 (the only SYNTH_BURSTS one). */
static rfn_status write_pair(const char *meta_path, const synth_config *scp, int64_t n,
                             const cap_spec *s, rfn_error *err)
{
    const synth_config sc = *scp;
    capture_annotation *ann = NULL;
    size_t n_ann = 0;
    rfn_status st = synth_burst_annotations(&sc, n, &ann, &n_ann, err);
    if (st)
        return st;
    capture_writer_config wc = capture_writer_config_default();
    wc.datatype = "ci16_le";
    wc.sample_rate_hz = sc.sample_rate_hz;
    wc.center_freq_hz = sc.center_freq_hz;
    wc.datetime = s->datetime;
    wc.device_id = s->device;
    wc.description = "rfnoise sample batch (synthetic)";
    wc.annotations = ann;
    wc.n_annotations = n_ann;
    synth *sy = NULL;
    capture_writer *w = NULL;
    float complex *buf = malloc(65536 * sizeof *buf);
    st = buf ? synth_create(&sc, &sy, err) : rfn_error_set(err, RFN_ERR_NOMEM, "oom");
    if (!st)
        st = capture_writer_create(meta_path, &wc, &w, err);
    for (int64_t done = 0; !st && done < n;) {
        size_t k = (size_t)(n - done < 65536 ? n - done : 65536);
        synth_generate(sy, buf, k);
        st = capture_writer_write(w, buf, k, err);
        done += (int64_t)k;
    }
    if (!st) {
        st = capture_writer_commit(w, err);
        w = NULL;
    }
    capture_writer_abort(w);
    synth_destroy(sy);
    free(buf);
    free(ann);
    return st;
}

static rfn_status write_capture(const char *meta_path, const cap_spec *s, rfn_error *err)
{
    double dur;
    synth_config sc = scene(s, &dur);
    int64_t n = llround(dur * sc.sample_rate_hz);
    rfn_status st = write_pair(meta_path, &sc, n, s, err);
    if (!st && s->truncated) {
        /* Cut the data file mid-way through a frame: a recorder killed mid-write. */
        char data[4096];
        snprintf(data, sizeof data, "%.*s.sigmf-data", (int)(strlen(meta_path) - 11), meta_path);
        if (truncate(data, (off_t)(n * 4 / 2 + 1)) != 0)
            st = rfn_error_set(err, RFN_ERR_IO, "%s: %s", data, strerror(errno));
    }
    return st;
}

/* ---- files ----------------------------------------------------------------------------------- */

static rfn_status mkdirs(const char *dir, rfn_error *err)
{
    if (mkdir(dir, 0777) && errno != EEXIST)
        return rfn_error_set(err, RFN_ERR_IO, "%s: %s", dir, strerror(errno));
    return RFN_OK;
}

static void cells_no_end(FILE *f, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            csv_write_sep(f);
        csv_write_text(f, v[i]);
    }
}

static void cells(FILE *f, const char *const *v, size_t n)
{
    cells_no_end(f, v, n);
    csv_end_row(f);
}

static rfn_status write_register(const char *path, row *rows, size_t n, rfn_error *err)
{
    atomic_file *af = NULL;
    rfn_status st = atomic_file_open(path, &af, err);
    if (st)
        return st;
    FILE *f = atomic_file_stream(af);
    /* Column order differs from the DUIS list on purpose, and an extra column is kept. */
    static const char *const hdr[] = {"Supplier", "DeviceID", "DeviceType", "ImportMPxN",
                                      "DeviceManufacturer", "DeviceModel",
                                      "DeviceFirmwareVersion", "CSPRegion", "HANVariant",
                                      "PostCode", "InstallDate", "DeviceStatus", "Notes"};
    cells(f, hdr, 13);
    for (size_t i = 0; i < n; i++) {
        row *r = &rows[i];
        const char *v[14] = {r->supplier, r->device, r->type, r->mpxn, r->man, r->model, r->fw,
                             r->region, r->han, r->postcode, r->date, r->status,
                             r->bad ? "deliberately bad row" : "", "extra"};
        cells(f, v, r->extra_field ? 14 : 13);
    }
    return atomic_file_commit(af, err);
}

static rfn_status write_derogations(const char *path, rfn_error *err)
{
    atomic_file *af = NULL;
    rfn_status st = atomic_file_open(path, &af, err);
    if (st)
        return st;
    FILE *f = atomic_file_stream(af);
    fputs("Reference,Manufacturer,Model,Firmware,Bands,Limit,Regions,PostcodeAreas,HANVariant,"
          "InstallBy,Notes\n", f);
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
        const rule *r = &rules[i];
        char areas[64] = "";
        for (int a = 0; a < 3 && r->areas[a]; a++)
            snprintf(areas + strlen(areas), sizeof areas - strlen(areas), "%s%s", a ? ";" : "",
                     r->areas[a]);
        const char *v[] = {r->ref, r->man, r->model, r->fw_text,
                           r->band == BAND_423 ? "wan-north-423" : "wan-cell-900", "limit-set",
                           csp_region_id((csp_region)r->region), areas, "", r->install_by,
                           "sample batch: invented derogation"};
        cells(f, v, 11);
    }
    return atomic_file_commit(af, err);
}

static void slug(const char *in, char *out, size_t size)
{
    size_t k = 0;
    for (; *in && k + 1 < size; in++)
        out[k++] = (char)((*in >= 'a' && *in <= 'z') || (*in >= 'A' && *in <= 'Z') ||
                                  (*in >= '0' && *in <= '9') || *in == '.'
                              ? *in
                              : '-');
    out[k] = '\0';
}

/* Lab results: a capture per model + firmware + band (both WAN bands, both HAN bands, quiet in
 * the HAN bands), analysed here (what a lab would run:
 * rfnoise analyse --cal-db -40 --format json), indexed in lab/index.csv. */
static rfn_status write_lab(const char *dir, uint64_t seed, rfn_error *err)
{
    char path[4096], meta[4096], json[4096];
    snprintf(path, sizeof path, "%s/lab", dir);
    rfn_status st = mkdirs(path, err);
    snprintf(path, sizeof path, "%s/lab/captures", dir);
    if (!st)
        st = mkdirs(path, err);
    if (st)
        return st;
    limits_set *set = NULL;
    calibration *cal = NULL;
    if ((st = data_dir_path(DATA_DIR_DEFAULT_LIMITS, path, sizeof path, err)) ||
        (st = limits_load(path, &set, err)) ||
        (st = calibration_from_db(SYNTH_BATCH_CAL_DB, &cal, err))) {
        limits_free(set);
        return st;
    }
    atomic_file *idx = NULL;
    snprintf(path, sizeof path, "%s/lab/index.csv", dir);
    if ((st = atomic_file_open(path, &idx, err)))
        goto done;
    fputs("result,Manufacturer,Model,Firmware\n", atomic_file_stream(idx));
    for (int m = 0; m < N_MODELS && !st; m++) {
        if (!models[m].has_lab)
            continue;
        for (int band = 0; band < N_BANDS && !st; band++) {
            static const char *const suffix[N_BANDS] = {"423", "900", "868", "2400"};
            char s[128], name[160];
            snprintf(name, sizeof name, "%s-%s-%s", models[m].model, models[m].fw,
                     suffix[band]);
            slug(name, s, sizeof s);
            snprintf(meta, sizeof meta, "%s/lab/captures/%s.sigmf-meta", dir, s);
            /* (The WAN seeds are those of the batches made before the HAN lab results.) */
            uint64_t cseed = band < 2 ? seed * 1000 + (uint64_t)m * 2 + (uint64_t)band
                                      : seed * 1000 + 500 + (uint64_t)m * 2 + (uint64_t)band - 2;
            cap_spec cs = {band, band < 2 ? models[m].level[band] : QUIET, 0, 0, cseed, NULL,
                           "2021-06-01T10:00:00Z"};
            if ((st = write_capture(meta, &cs, err)))
                break;
            analyse_config ac = analyse_config_default();
            limits_set *sets[1] = {set};
            ac.limits = sets;
            ac.n_limits = 1;
            ac.cal = cal;
            ac.quiet = 1;
            ac.fft_estimate = 1;
            capture_analysis res;
            if ((st = analyse_capture(meta, &ac, &res, NULL, err)))
                break;
            snprintf(json, sizeof json, "%s/lab/%s.json", dir, s);
            atomic_file *jf = NULL;
            if (!(st = atomic_file_open(json, &jf, err))) {
                st = analyse_write_json(atomic_file_stream(jf), &res, 1, err);
                st = st ? (atomic_file_abort(jf), st) : atomic_file_commit(jf, err);
            }
            analyse_result_free(&res);
            char rel[200];
            snprintf(rel, sizeof rel, "%s.json", s);
            const char *v[] = {rel, models[m].man, models[m].model, models[m].fw};
            cells(atomic_file_stream(idx), v, 4);
        }
    }
    if (!st) {
        st = atomic_file_commit(idx, err);
        idx = NULL;
    }
done:
    atomic_file_abort(idx);
    limits_free(set);
    calibration_free(cal);
    return st;
}

/* ---- the stock declaration (`rfnoise stock`) ------------------------------------------------ */

/* Declared stock (stock-declared.csv). The scenarios: a Supplier whose stock cannot be used
 * before the cut-off at its own run rate (400 units against about 2 installs in 3 months), one
 * whose stock is used up in time, one uncertain, a firmware the derogation does not cover, a
 * model never derogated, a cut-off already passed, and a bad row (rejected at its line). The
 * run rates come from the register rows above; no random number is drawn here, so the rest of
 * the batch is unchanged. */
typedef struct declared {
    const char *supplier;
    int m;            /* model entry */
    const char *quantity, *as_of, *warehouse;
} declared;

static const declared declaration[] = {
    {"Northern Power Supply", M_AM13, "400", "2022-01-10", "North"},
    {"Brightwell Energy", M_AM13, "3", "2022-01-10", "AB"},
    {"Northern Power Supply", M_LIB70, "4", "2022-01-10", "South"},
    {"Coastal Gas & Electric", M_LIB70, "30", "2022-01-10", "SO"},
    {"Meridian Utilities", M_AM15, "50", "2022-01-10", ""},
    {"Acorn Energy", M_EDMI, "10", "2022-01-10", "North"},
    {"Acorn Energy", M_AM13, "20", "2022-05-02", "North"},
    {"Acorn Energy", M_KAIFA, "twelve", "2022-01-10", ""},
};
enum { N_DECLARED = sizeof declaration / sizeof *declaration, STOCK_WINDOW_MONTHS = 3 };

static rfn_status write_declaration(const char *dir, rfn_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/stock-declared.csv", dir);
    atomic_file *af = NULL;
    rfn_status st = atomic_file_open(path, &af, err);
    if (st)
        return st;
    FILE *f = atomic_file_stream(af);
    static const char *const hdr[] = {"Supplier", "DeviceManufacturer", "DeviceModel",
                                      "DeviceFirmwareVersion", "quantity", "as_of",
                                      "warehouse_region"};
    cells(f, hdr, 7);
    for (size_t i = 0; i < N_DECLARED; i++) {
        const declared *d = &declaration[i];
        const model *md = &models[d->m];
        const char *v[] = {d->supplier, md->man, md->model, md->fw, d->quantity, d->as_of,
                           d->warehouse};
        cells(f, v, 7);
    }
    return atomic_file_commit(af, err);
}

/* The sample's rule for model entry m, or NULL. */
static const rule *rule_of(int m)
{
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
        if (rules[i].m_index == m)
            return &rules[i];
    return NULL;
}

static int acceptable(const rule *ru, const row *r)
{
    int area_ok = ru->areas[0] == NULL;
    for (int a = 0; a < 3 && ru->areas[a]; a++)
        area_ok |= postcode_in_area(r->postcode, ru->areas[a]);
    return r->region_id == ru->region && area_ok;
}

/* Counts of one declared line from the rows: installs into acceptable locations in [lo, hi]
 * and wrong-place installs at any date. */
static void stock_counts(const row *rows, size_t n, const declared *d, const rule *ru,
                         int32_t lo, int32_t hi, int *window, int *wrong)
{
    *window = *wrong = 0;
    for (size_t i = 0; i < n; i++) {
        const row *r = &rows[i];
        if (r->bad || !r->on_wall || r->m != d->m || strcmp(r->supplier, d->supplier) != 0)
            continue;
        if (!acceptable(ru, r))
            (*wrong)++;
        else if (r->date_days >= lo && r->date_days <= hi)
            (*window)++;
    }
}

static void put_num(FILE *f, double v)
{
    csv_write_sep(f);
    csv_write_number(f, v, 6);
}

/* expected-stock.csv: the figures of each good line, by the sample's own arithmetic: the
 * Garwood interval from GSL's gamma quantiles (chi2(2k)/2 is Gamma(k, 1)), months of
 * 365.2425 / 12 days. */
static void expected_line(FILE *f, const row *rows, size_t n, const declared *d, size_t line)
{
    const rule *ru = rule_of(d->m);
    int y, mo, dd, window = 0, wrong = 0;
    int32_t as_of = 0;
    iso_date_parse(d->as_of, strlen(d->as_of), &as_of);
    date_to_ymd(as_of, &y, &mo, &dd);
    int32_t hi = date_from_ymd(y, mo, 1) - 1;
    int first = y * 12 + mo - 1 - STOCK_WINDOW_MONTHS;
    int32_t lo = date_from_ymd(first / 12, first % 12 + 1, 1);
    int32_t cut = 0;
    if (ru) {
        iso_date_parse(ru->install_by, strlen(ru->install_by), &cut);
        stock_counts(rows, n, d, ru, lo, hi, &window, &wrong);
    }
    const char *status = !ru ? "not-installable" : as_of > cut ? "cut-off-passed" : NULL;
    double k = window, q = atof(d->quantity), w = STOCK_WINDOW_MONTHS;
    double r_lo = k > 0 ? gsl_cdf_gamma_Pinv(0.025, k, 1.0) / w : 0.0;
    double r_hi = gsl_cdf_gamma_Pinv(0.975, k + 1, 1.0) / w;
    double months = (cut - as_of) / (365.2425 / 12), p = k / w * months;
    double p_lo = r_lo * months, p_hi = r_hi * months;
    if (!status)
        status = q > p_hi ? "surplus" : q <= p_lo ? "used-before-cut-off" : "uncertain";
    char ln[16];
    snprintf(ln, sizeof ln, "%zu", line);
    const char *v[] = {ln, d->supplier, status, ru ? ru->ref : ""};
    for (int i = 0; i < 4; i++) {
        if (i)
            csv_write_sep(f);
        csv_write_text(f, v[i]);
    }
    int proj = ru && as_of <= cut;
    double nan = NAN;
    csv_write_sep(f);
    csv_write_int(f, window);
    put_num(f, ru ? k / w : nan);
    put_num(f, ru ? r_lo : nan);
    put_num(f, ru ? r_hi : nan);
    put_num(f, proj ? p : nan);
    put_num(f, proj ? p_lo : nan);
    put_num(f, proj ? p_hi : nan);
    put_num(f, proj ? fmax(0, q - p) : ru ? q : nan);
    put_num(f, proj ? fmax(0, q - p_hi) : ru ? q : nan);
    put_num(f, proj ? fmax(0, q - p_lo) : ru ? q : nan);
    put_num(f, proj ? q / months : nan);
    csv_write_sep(f);
    csv_write_int(f, wrong);
    csv_end_row(f);
}

static rfn_status write_expected_stock(const char *dir, const row *rows, size_t n,
                                       rfn_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/expected-stock.csv", dir);
    atomic_file *af = NULL;
    rfn_status st = atomic_file_open(path, &af, err);
    if (st)
        return st;
    FILE *f = atomic_file_stream(af);
    fputs("line,Supplier,status,derogation,window_installs,rate_per_month,rate_ci95_lo,"
          "rate_ci95_hi,projected_installs,projected_ci95_lo,projected_ci95_hi,surplus,"
          "surplus_ci95_lo,surplus_ci95_hi,required_per_month,wrong_place_installs\n", f);
    for (size_t i = 0; i < N_DECLARED; i++)
        if (strcmp(declaration[i].quantity, "twelve") != 0)
            expected_line(f, rows, n, &declaration[i], i + 2);
    return atomic_file_commit(af, err);
}

/* expected-wrong-place.csv: installs of a derogated model outside its rule's locations, by
 * Supplier and install month (Supplier in byte order, then month). */
static int cmp_wrong_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static rfn_status write_expected_wrong_place(const char *dir, const row *rows, size_t n,
                                             rfn_error *err)
{
    char (*keys)[128] = calloc(n ? n : 1, sizeof *keys);
    const char **sorted = calloc(n ? n : 1, sizeof *sorted);
    size_t nk = 0;
    rfn_status st = keys && sorted ? RFN_OK : rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        const row *r = &rows[i];
        const rule *ru = r->m >= 0 ? rule_of(r->m) : NULL;
        if (r->bad || !r->on_wall || !ru || acceptable(ru, r))
            continue;
        snprintf(keys[nk], sizeof keys[nk], "%s\x1f%.7s", r->supplier, r->date);
        sorted[nk] = keys[nk];
        nk++;
    }
    atomic_file *af = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/expected-wrong-place.csv", dir);
    if (!st)
        st = atomic_file_open(path, &af, err);
    if (!st) {
        qsort(sorted, nk, sizeof *sorted, cmp_wrong_key);
        FILE *f = atomic_file_stream(af);
        fputs("Supplier,month,installs\n", f);
        for (size_t i = 0, j; i < nk; i = j) {
            for (j = i; j < nk && strcmp(sorted[j], sorted[i]) == 0; j++)
                ;
            char sup[128];
            const char *sep = strchr(sorted[i], '\x1f');
            snprintf(sup, sizeof sup, "%.*s", (int)(sep - sorted[i]), sorted[i]);
            const char *v[] = {sup, sep + 1};
            cells_no_end(f, v, 2);
            csv_write_sep(f);
            csv_write_int(f, (long long)(j - i));
            csv_end_row(f);
        }
        st = atomic_file_commit(af, err);
    }
    free(keys);
    free(sorted);
    return st;
}

/* ---- the 2023 extract (reasons for non-compliant installs) ---------------------------------- */

/* register-2023.csv: register.csv's rows and, after them, a year of 2023 installs drawn from a
 * stream of their own (seed + 2023), so that register.csv and everything made from it stay as
 * they were. Every Supplier installs each month 2 EDMI ES-10A (never derogated) and 1 AM-100
 * 1.3.0 outside DRG-SAMPLE-001's areas (NE): a steady base of non-compliant installs. Acorn
 * Energy also installs AM-100 1.3.0 in the derogation's areas after its cut-off, month i of 2023
 * i / 2 of them (0, 0, 1, 1, ... 5): its share of installed-after-cut-off rises. All in the North,
 * judged on their lab result (lab-model). */
enum { PLANT_SUPPLIER = 4 /* Acorn Energy */ };

static size_t append_2023(row *rows, size_t n, uint32_t serial, uint64_t seed)
{
    static const char *const plant_areas[] = {"AB", "IV", "KW"};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        return n;
    gsl_rng_set(rng, seed + 2023);
    for (int month = 0; month < 12; month++) {
        int32_t first = date_from_ymd(2023, month + 1, 1);
        for (int s = 0; s < 5; s++)
            for (int k = 0; k < 3 + (s == PLANT_SUPPLIER ? month / 2 : 0); k++) {
                row *r = &rows[n++];
                int32_t day = first + (int32_t)gsl_rng_uniform_int(rng, 28);
                int m = k < 2 ? M_EDMI : M_AM13;
                const char *area = k < 2 ? NULL : k == 2 ? "NE" : plant_areas[k % 3];
                make_row(rng, r, serial++, m, CSP_REGION_NORTH, area, day);
                snprintf(r->supplier, sizeof r->supplier, "%s", suppliers[s]);
                truth(r, models[m].level[BAND_423], r->exp_verdict, sizeof r->exp_verdict,
                      r->exp_reasons, sizeof r->exp_reasons);
                snprintf(r->exp_evidence, sizeof r->exp_evidence, "lab-model");
            }
    }
    gsl_rng_free(rng);
    return n;
}

/* The primary reason of an expected non-compliant verdict, and the secondary one, by the
 * precedence of README "Reasons for non-compliant installs" (the sample has no
 * firmware-not-covered device). */
static const char *const sample_reasons[] = {
    "model-never-derogated", "installed-after-cut-off", "outside-acceptable-location",
    "firmware-not-covered", "exceeds-derogation-limit", "no-evidence-before-install"};
enum { N_SAMPLE_REASONS = 6, RS_NO_EVIDENCE = 5 };

static int sample_primary(const row *r)
{
    if (strstr(r->exp_reasons, "model-not-derogated"))
        return 0;
    if (strstr(r->exp_reasons, "installed-after-cutoff"))
        return 1;
    if (strstr(r->exp_reasons, "location-not-acceptable"))
        return 2;
    if (strstr(r->exp_reasons, "exceeds-derogation-limit"))
        return 4;
    return RS_NO_EVIDENCE;
}

typedef struct reason_key {
    char supplier[100];
    int month; /* year * 12 + month - 1 */
    int reason, primary, secondary;
} reason_key;

static int cmp_reason_key(const void *a, const void *b)
{
    const reason_key *x = a, *y = b;
    int c = strcmp(x->supplier, y->supplier);
    if (c)
        return c;
    if (x->month != y->month)
        return x->month < y->month ? -1 : 1;
    return x->reason - y->reason;
}

static void add_reason(reason_key *k, size_t *nk, const row *r, int reason, int primary)
{
    int y, mo, d;
    date_to_ymd(r->date_days, &y, &mo, &d);
    for (size_t i = 0; i < *nk; i++)
        if (k[i].reason == reason && k[i].month == y * 12 + mo - 1 &&
            strcmp(k[i].supplier, r->supplier) == 0) {
            k[i].primary += primary;
            k[i].secondary += !primary;
            return;
        }
    reason_key *x = &k[(*nk)++];
    snprintf(x->supplier, sizeof x->supplier, "%s", r->supplier);
    x->month = y * 12 + mo - 1;
    x->reason = reason;
    x->primary = primary;
    x->secondary = !primary;
}

/* The reasons of every expected non-compliant device of register-2023.csv, tallied by
 * Supplier, install month and reason (sorted as reasons.csv). */
static size_t tally_reasons(const row *rows, size_t n, reason_key *k)
{
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        const row *r = &rows[i];
        if (r->bad || !r->on_wall || strcmp(r->exp_verdict, "non-compliant") != 0)
            continue;
        int p = sample_primary(r);
        add_reason(k, &nk, r, p, 1);
        if (p != RS_NO_EVIDENCE && strcmp(r->exp_evidence, "lab-model") == 0)
            add_reason(k, &nk, r, RS_NO_EVIDENCE, 0);
    }
    qsort(k, nk, sizeof *k, cmp_reason_key);
    return nk;
}

static void write_reason_rows(FILE *f, const reason_key *k, size_t nk)
{
    fputs("Supplier,month,reason,primary,secondary\n", f);
    for (size_t i = 0; i < nk; i++) {
        char month[16];
        snprintf(month, sizeof month, "%04d-%02d", k[i].month / 12, k[i].month % 12 + 1);
        const char *v[] = {k[i].supplier, month, sample_reasons[k[i].reason]};
        cells_no_end(f, v, 3);
        csv_write_sep(f);
        csv_write_int(f, k[i].primary);
        csv_write_sep(f);
        csv_write_int(f, k[i].secondary);
        csv_end_row(f);
    }
}

/* expected-reasons-summary.csv: per Supplier, the leading primary reason over the last 3
 * complete months of the 2023 extract (2023-10 to 2023-12; ties: the earlier reason), its
 * installs and all non-compliant installs then, and the reason whose share was planted rising. */
static void write_reason_summary(FILE *f, const reason_key *k, size_t nk)
{
    fputs("Supplier,leading_reason,leading_installs,installs,planted_rising\n", f);
    const int last3 = 2023 * 12 + 9;
    for (int s = 0; s < 5; s++) {
        int by[N_SAMPLE_REASONS] = {0}, all = 0, best = -1;
        for (size_t i = 0; i < nk; i++)
            if (k[i].month >= last3 && strcmp(k[i].supplier, suppliers[s]) == 0) {
                by[k[i].reason] += k[i].primary;
                all += k[i].primary;
            }
        for (int r = 0; r < N_SAMPLE_REASONS; r++)
            if (by[r] > 0 && (best < 0 || by[r] > by[best]))
                best = r;
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", best < 0 ? 0 : by[best]);
        snprintf(b, sizeof b, "%d", all);
        const char *v[] = {suppliers[s], best < 0 ? "" : sample_reasons[best], a, b,
                           s == PLANT_SUPPLIER ? "installed-after-cut-off" : ""};
        cells(f, v, 5);
    }
}

static rfn_status write_2023(const char *dir, const row *rows, size_t n, rfn_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/register-2023.csv", dir);
    rfn_status st = write_register(path, (row *)rows, n, err);
    reason_key *k = st ? NULL : calloc(2 * n + 1, sizeof *k);
    if (!st && !k)
        st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    size_t nk = st ? 0 : tally_reasons(rows, n, k);
    static const char *const names[] = {"expected-reasons.csv", "expected-reasons-summary.csv"};
    for (int i = 0; i < 2 && !st; i++) {
        atomic_file *af = NULL;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if ((st = atomic_file_open(path, &af, err)))
            break;
        if (i == 0)
            write_reason_rows(atomic_file_stream(af), k, nk);
        else
            write_reason_summary(atomic_file_stream(af), k, nk);
        st = atomic_file_commit(af, err);
    }
    free(k);
    return st;
}

/* ---- the batch ------------------------------------------------------------------------------- */

enum { N_RANDOM = 1900, MAX_ROWS = 2400 };

/* Scenario devices (own captures), appended at rows[n]: the count of rows after them. */
static size_t add_scenario_rows(gsl_rng *rng, row *rows, size_t n, uint32_t *serial)
{
    const int32_t early = date_from_ymd(2020, 5, 12), late = date_from_ymd(2022, 7, 19);
    /* {count, model, region, area, date, capture kind}. */
    static const struct {
        int count, m, region;
        const char *area;
        int late;
        int kind;
    } sc[] = {
        {7, M_KAIFA, CSP_REGION_NORTH, NULL, 0, CAP_QUIET},
        {7, M_E41, CSP_REGION_CENTRAL, NULL, 0, CAP_QUIET},
        {6, M_LIB71, CSP_REGION_SOUTH, NULL, 0, CAP_QUIET},
        {6, M_AM13, CSP_REGION_NORTH, "AB", 0, CAP_MODERATE},
        {4, M_AM13, CSP_REGION_NORTH, "NE", 0, CAP_MODERATE},
        {3, M_AM13, CSP_REGION_NORTH, "IV", 1, CAP_MODERATE},
        {4, M_EDMI, CSP_REGION_NORTH, NULL, 0, CAP_STRONG},
        {3, M_LIB70, CSP_REGION_SOUTH, NULL, 0, CAP_MODERATE},
        {3, M_LIB70, CSP_REGION_CENTRAL, NULL, 0, CAP_MODERATE},
        {2, M_AM13, CSP_REGION_NORTH, "KW", 0, CAP_STRONG},
        {3, M_E42, CSP_REGION_SOUTH, NULL, 0, CAP_CLIPPED},
        {2, M_KAIFA, CSP_REGION_CENTRAL, NULL, 0, CAP_TRUNCATED},
        {2, M_AM15, CSP_REGION_NORTH, NULL, 0, CAP_TWO_QUIET},
        {2, M_KAIFA, CSP_REGION_NORTH, NULL, 0, CAP_TWO_STRONG},
    };
    for (size_t s = 0; s < sizeof sc / sizeof *sc; s++)
        for (int k = 0; k < sc[s].count; k++) {
            row *r = &rows[n++];
            make_row(rng, r, (*serial)++, sc[s].m, sc[s].region, sc[s].area,
                     sc[s].late ? late : early);
            r->capture_kind = sc[s].kind;
        }
    return n;
}

/* N_RANDOM random rows at rows[n]: lab evidence (or none), some not on the wall, some gas
 * meters; one Supplier a spreadsheet formula. */
static size_t add_random_rows(gsl_rng *rng, row *rows, size_t n, uint32_t *serial)
{
    for (int k = 0; k < N_RANDOM; k++) {
        row *r = &rows[n++];
        int gas = gsl_rng_uniform(rng) < 0.05;
        make_row(rng, r, (*serial)++, gas ? -1 : pick_model(rng),
                 1 + (int)gsl_rng_uniform_int(rng, 3), NULL, INT32_MIN);
        double u = gsl_rng_uniform(rng);
        const char *status = u < 0.85   ? "Commissioned"
                             : u < 0.92 ? "InstalledNotCommissioned"
                             : u < 0.95 ? "Decommissioned"
                             : u < 0.97 ? "Pending"
                             : u < 0.99 ? "Withdrawn"
                                        : "Suspended";
        snprintf(r->status, sizeof r->status, "%s", status);
        r->on_wall = strcmp(status, "Decommissioned") && strcmp(status, "Pending") &&
                     strcmp(status, "Withdrawn");
    }
    /* A formula in a register value: accepted, and inert in every CSV written from it. */
    snprintf(rows[N_RANDOM / 2].supplier, sizeof rows[0].supplier,
             "=HYPERLINK(\"http://example.invalid\",\"click\")");
    return n;
}

/* Deliberately bad rows at rows[n] (each rejected; register-errors.csv names line and column). */
static size_t add_bad_rows(gsl_rng *rng, row *rows, size_t n, uint32_t *serial)
{
    for (int k = 0; k < 36; k++) {
        row *r = &rows[n++];
        make_row(rng, r, (*serial)++, pick_model(rng), 1 + (int)gsl_rng_uniform_int(rng, 3), NULL,
                 INT32_MIN);
        r->bad = 1;
        switch (k % 9) {
        case 0: r->mpxn[12] = (char)('0' + (r->mpxn[12] - '0' + 1) % 10); break;
        case 1: snprintf(r->device, sizeof r->device, "BC-33-AC-FF-FE-FA-55"); break;
        case 2: snprintf(r->date, sizeof r->date, k < 18 ? "2021-02-30" : "31/12/2021"); break;
        case 3: snprintf(r->region, sizeof r->region, "Midlands"); break;
        case 4: snprintf(r->status, sizeof r->status, "Installed"); break;
        case 5: r->han[0] = '\0'; break;
        case 6: r->extra_field = 1; break;
        case 7: snprintf(r->type, sizeof r->type, "ESME"), r->mpxn[5] = 'X'; break;
        default: /* a duplicate DeviceID: both rows are rejected */
            snprintf(r->device, sizeof r->device, "%s", rows[N_RANDOM + 10 + k].device);
            rows[N_RANDOM + 10 + k].bad = 1;
            break;
        }
    }
    return n;
}

/* What rfnoise should conclude of a device in the field. */
typedef struct expectation {
    char verdict[32], reasons[128];
    const char *evidence;
} expectation;

/* A device without captures: its lab result's verdict, else unassessed. */
static void expect_without_capture(const row *r, int band, int lab, expectation *e)
{
    if (lab) {
        /* The lab covers every band: the WAN band decides (quiet HAN bands). */
        truth(r, models[r->m].level[band], e->verdict, sizeof e->verdict, e->reasons,
              sizeof e->reasons);
        e->evidence = "lab-model";
    } else {
        snprintf(e->verdict, sizeof e->verdict, "unassessed");
        snprintf(e->reasons, sizeof e->reasons, "no-evidence");
        e->evidence = "none";
    }
}

/* The captures of r (one or two, by its capture kind) into dir/captures, numbered from *n_cap,
 * each a line of the manifest fm. */
static rfn_status write_row_captures(const char *dir, const row *r, int band, uint64_t seed,
                                     unsigned *n_cap, FILE *fm, rfn_error *err)
{
    int kind = r->capture_kind, n_this = kind >= CAP_TWO_QUIET ? 2 : 1;
    rfn_status st = RFN_OK;
    for (int c = 0; c < n_this && !st; c++) {
        int lvl = kind == CAP_MODERATE ? MODERATE
                  : kind == CAP_STRONG || (kind == CAP_TWO_STRONG && c == 1) ? STRONG
                                                                             : QUIET;
        char name[64], meta[4096], when[32];
        snprintf(name, sizeof name, "cap-%03u.sigmf-meta", *n_cap);
        snprintf(meta, sizeof meta, "%s/captures/%s", dir, name);
        snprintf(when, sizeof when, "2023-%02u-%02uT%02u:00:00Z", 1 + *n_cap % 12,
                 1 + *n_cap % 28, 8 + *n_cap % 9);
        cap_spec cs = {band, lvl, kind == CAP_CLIPPED, kind == CAP_TRUNCATED,
                       seed * 100000 + *n_cap, r->device, when};
        st = write_capture(meta, &cs, err);
        char rel[128];
        snprintf(rel, sizeof rel, "captures/%s", name);
        const char *v[] = {rel, r->device, when};
        cells(fm, v, 3);
        (*n_cap)++;
    }
    return st;
}

/* A device with its own captures of the WAN band: their verdict, the lab's for the HAN bands
 * (and the WAN band when the only capture is unreadable), when there is one. */
static void expect_from_captures(const row *r, int band, int lab, expectation *e)
{
    int kind = r->capture_kind;
    e->evidence = lab ? "capture+lab-model" : "capture";
    int lvl = kind == CAP_MODERATE ? MODERATE
              : kind == CAP_STRONG || kind == CAP_TWO_STRONG ? STRONG
                                                             : QUIET;
    if (kind == CAP_CLIPPED) {
        snprintf(e->verdict, sizeof e->verdict, "inconclusive");
        snprintf(e->reasons, sizeof e->reasons, "clipped");
    } else if (kind == CAP_TRUNCATED) {
        /* The lab's WAN result (compliant or worse) may outrank the unreadable one. */
        char lv[32] = "compliant", lr[128] = "";
        if (lab)
            truth(r, models[r->m].level[band], lv, sizeof lv, lr, sizeof lr);
        if (strcmp(lv, "non-compliant") == 0) {
            snprintf(e->verdict, sizeof e->verdict, "%s", lv);
            snprintf(e->reasons, sizeof e->reasons, "%s", lr);
        } else {
            snprintf(e->verdict, sizeof e->verdict, "inconclusive");
            snprintf(e->reasons, sizeof e->reasons, "capture-unreadable");
        }
    } else {
        truth(r, lvl, e->verdict, sizeof e->verdict, e->reasons, sizeof e->reasons);
    }
    /* No lab result: the HAN bands (2.4 GHz always, 868 MHz for dual-band HAN) and, for an
     * unreadable capture, the WAN band were not measured. Non-compliant still decides;
     * otherwise the device is inconclusive. */
    if (!lab && strcmp(e->verdict, "non-compliant") != 0) {
        const char *prev = strcmp(e->verdict, "inconclusive") == 0 ? e->reasons : "";
        char merged[sizeof e->reasons];
        snprintf(merged, sizeof merged, "%.80s%sband-not-measured", prev, *prev ? ";" : "");
        snprintf(e->verdict, sizeof e->verdict, "inconclusive");
        memcpy(e->reasons, merged, sizeof e->reasons);
    }
}

/* The field captures of the devices on the wall, their lines of the manifest fm, and every such
 * device's expected verdict: a line of fe, and into its row. */
static rfn_status write_field_rows(const char *dir, row *rows, size_t n, uint64_t seed, FILE *fm,
                                   FILE *fe, rfn_error *err)
{
    fputs("capture,DeviceID,captured_at\n", fm);
    fputs("DeviceID,verdict,reasons,evidence\n", fe);
    unsigned n_cap = 0;
    rfn_status st = RFN_OK;
    for (size_t i = 0; i < n && !st; i++) {
        row *r = &rows[i];
        if (r->bad || !r->on_wall)
            continue;
        int band = r->region_id == CSP_REGION_NORTH ? BAND_423 : BAND_900;
        int lab = r->m >= 0 && models[r->m].has_lab;
        expectation e;
        if (r->capture_kind < 0) {
            expect_without_capture(r, band, lab, &e);
        } else {
            st = write_row_captures(dir, r, band, seed, &n_cap, fm, err);
            expect_from_captures(r, band, lab, &e);
        }
        snprintf(r->exp_verdict, sizeof r->exp_verdict, "%s", e.verdict);
        snprintf(r->exp_reasons, sizeof r->exp_reasons, "%s", e.reasons);
        snprintf(r->exp_evidence, sizeof r->exp_evidence, "%s", e.evidence);
        const char *v[] = {r->device, e.verdict, e.reasons, e.evidence};
        cells(fe, v, 4);
    }
    return st;
}

/* Field captures, manifest.csv and expected.csv, committed together. */
static rfn_status write_field(const char *dir, row *rows, size_t n, uint64_t seed,
                              rfn_error *err)
{
    char path[4096];
    atomic_file *man = NULL, *exp = NULL;
    rfn_status st;
    snprintf(path, sizeof path, "%s/manifest.csv", dir);
    if ((st = atomic_file_open(path, &man, err)))
        return st;
    snprintf(path, sizeof path, "%s/expected.csv", dir);
    if ((st = atomic_file_open(path, &exp, err))) {
        atomic_file_abort(man);
        return st;
    }
    st = write_field_rows(dir, rows, n, seed, atomic_file_stream(man), atomic_file_stream(exp),
                          err);
    if (st) {
        atomic_file_abort(man);
        atomic_file_abort(exp);
        return st;
    }
    if (!(st = atomic_file_commit(man, err)))
        st = atomic_file_commit(exp, err);
    else
        atomic_file_abort(exp);
    return st;
}

rfn_status synth_batch_write(const char *dir, uint64_t seed, int quiet, rfn_error *err)
{
    (void)quiet;
    char path[4096];
    rfn_status st = mkdirs(dir, err);
    if (st)
        return st;
    snprintf(path, sizeof path, "%s/captures", dir);
    if ((st = mkdirs(path, err)))
        return st;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    row *rows = calloc(MAX_ROWS, sizeof *rows);
    if (!rng || !rows) {
        gsl_rng_free(rng);
        free(rows);
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    }
    gsl_rng_set(rng, seed);
    uint32_t serial = 1;
    size_t n = add_scenario_rows(rng, rows, 0, &serial);
    n = add_random_rows(rng, rows, n, &serial);
    n = add_bad_rows(rng, rows, n, &serial);
    /* Shuffle the file order (the scenario devices spread through the file). */
    gsl_ran_shuffle(rng, rows, n, sizeof *rows);
    snprintf(path, sizeof path, "%s/register.csv", dir);
    if ((st = write_register(path, rows, n, err)))
        goto done;
    snprintf(path, sizeof path, "%s/derogations.csv", dir);
    if ((st = write_derogations(path, err)) || (st = write_lab(dir, seed, err)) ||
        (st = write_declaration(dir, err)) || (st = write_expected_stock(dir, rows, n, err)) ||
        (st = write_expected_wrong_place(dir, rows, n, err)) ||
        (st = write_field(dir, rows, n, seed, err)))
        goto done;
    st = write_2023(dir, rows, append_2023(rows, n, serial, seed), err);
done:
    gsl_rng_free(rng);
    free(rows);
    return st;
}
