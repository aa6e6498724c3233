/* SPDX-License-Identifier: GPL-2.0-or-later */
/* validate.c: the batch pipeline behind `rfnoise validate` / `rfnoise merge`: inputs -> capture
 * analysis (worker threads, result cache) -> register join -> classification -> output files. */
#define _GNU_SOURCE
#include "validate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyse.h"
#include "atomic_file.h"
#include "calibration.h"
#include "classify.h"
#include "csv_read.h"
#include "csv_util.h"
#include "data_dir.h"
#include "derogation.h"
#include "field_table.h"
#include "flips.h"
#include "hash.h"
#include "identifiers.h"
#include "io_guard.h"
#include "judge_band.h"
#include "limits.h"
#include "progress.h"
#include "records_json.h"
#include "register.h"
#include "sigmf.h"

#define JSON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17))

validate_config validate_config_default(void)
{
    validate_config c;
    memset(&c, 0, sizeof c);
    c.cal_db = NAN;
    return c;
}

/* ---- small helpers --------------------------------------------------------------------------- */

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* SHA-256 of the concatenation of the files (a SigMF pair: meta then data). */
static rfn_status hash_files(const char *const *paths, size_t n, char hex[HASH_HEX_MAX],
                             rfn_error *err)
{
    hash_ctx *h = NULL;
    if (hash_create(HASH_SHA256, &h))
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    static __thread unsigned char buf[1 << 16];
    for (size_t i = 0; i < n; i++) {
        FILE *f;
        rfn_status ost = io_fopen_input(paths[i], &f, NULL, err);
        if (ost) {
            hash_destroy(h);
            return ost;
        }
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, f)) > 0)
            hash_update(h, buf, got);
        int bad = ferror(f);
        fclose(f);
        if (bad) {
            hash_destroy(h);
            return rfn_error_set(err, RFN_ERR_IO, "%s: read error", paths[i]);
        }
    }
    hash_final_hex(h, hex);
    hash_destroy(h);
    return RFN_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Content hash of a capture: a SigMF pair hashes meta + data; anything else the file. */
static rfn_status capture_content_hash(const char *path, char hex[HASH_HEX_MAX], rfn_error *err)
{
    if (ends_with(path, ".sigmf-meta")) {
        char data[4096];
        snprintf(data, sizeof data, "%.*s.sigmf-data", (int)(strlen(path) - 11), path);
        const char *p[2] = {path, data};
        return hash_files(p, 2, hex, err);
    }
    const char *p[1] = {path};
    return hash_files(p, 1, hex, err);
}

static rfn_status mkdir_p(const char *dir, rfn_error *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) && errno != EEXIST)
            return rfn_error_set(err, RFN_ERR_IO, "%s: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0777) && errno != EEXIST)
        return rfn_error_set(err, RFN_ERR_IO, "%s: %s", tmp, strerror(errno));
    return RFN_OK;
}

/* ---- kept records judged again --------------------------------------------------------------- */

/* --exclude-bursts, and a kept record measured with the hub's bursts in: its numbers cannot be
 * measured again here, so every applicable band is judged as nothing ("measured-otherwise", as
 * judge_capture does for a record made for another band definition). */
static void measured_with_bursts(capture_analysis *r)
{
    int any = 0;
    for (size_t i = 0; i < r->n_bands; i++) {
        band_verdict *v = &r->bands[i];
        if (v->verdict == VERDICT_NOT_APPLICABLE)
            continue;
        v->verdict = VERDICT_INCONCLUSIVE;
        v->reasons = REASON_MEASURED_OTHERWISE;
        any = 1;
    }
    if (any)
        r->verdict = VERDICT_INCONCLUSIVE;
}

/* ---- inputs ---------------------------------------------------------------------------------- */

typedef struct cap_item {
    char *path;            /* resolved path */
    char device[EUI64_TEXT_LEN]; /* from the manifest ("" = take it from the capture) */
    char captured_at[64];
    char model[128], firmware[128]; /* what the manifest says the capture measured ("" = the
                                       device as the register shows it when first judged) */
    json_t *rec;           /* the captures.jsonl record (owned) */
    capture_analysis res;  /* parsed from rec["analysis"] */
    int ok;                /* res valid */
    int cached;            /* taken from the cache in this run */
} cap_item;

enum { LAB_SOURCE_MAX = 1100 };

typedef struct lab_group {
    char *manufacturer, *model, *firmware;
    capture_analysis *res;
    char (*source)[LAB_SOURCE_MAX]; /* [n]: "RESULT-FILE#captures[I]" of each result */
    size_t n;
} lab_group;

typedef struct ctx {
    validate_config cfg;
    char *opt_strings[12];  /* copies owned by the ctx (merge reads them from JSON) */
    limits_set *limits;
    char limits_path[4096];
    calibration *cal;
    register_data *reg;
    derogation_list *derog;
    lab_group *lab;
    size_t n_lab;
    cap_item *caps;
    size_t n_caps;
    json_t *inputs;         /* [{role, path, sha256}] */
    char settings_sha[HASH_HEX_MAX];
    flips_new *now;         /* a rejudge: every new verdict, for flips.csv */
    size_t n_now;
} ctx;

static void ctx_free(ctx *c)
{
    limits_free(c->limits);
    calibration_free(c->cal);
    register_destroy(c->reg);
    derogation_destroy(c->derog);
    for (size_t i = 0; i < c->n_lab; i++) {
        for (size_t k = 0; k < c->lab[i].n; k++)
            analyse_result_free(&c->lab[i].res[k]);
        free(c->lab[i].res);
        free(c->lab[i].source);
        free(c->lab[i].manufacturer);
        free(c->lab[i].model);
        free(c->lab[i].firmware);
    }
    free(c->lab);
    for (size_t i = 0; i < c->n_caps; i++) {
        free(c->caps[i].path);
        json_decref(c->caps[i].rec);
        if (c->caps[i].ok)
            analyse_result_free(&c->caps[i].res);
    }
    free(c->caps);
    free(c->now);
    json_decref(c->inputs);
    for (size_t i = 0; i < sizeof c->opt_strings / sizeof *c->opt_strings; i++)
        free(c->opt_strings[i]);
}

static rfn_status add_input(ctx *c, const char *role, const char *path, rfn_error *err)
{
    char hex[HASH_HEX_MAX];
    const char *p[1] = {path};
    rfn_status st = hash_files(p, 1, hex, err);
    if (st)
        return st;
    json_array_append_new(c->inputs,
                          json_pack("{s:s, s:s, s:s}", "role", role, "path", path, "sha256", hex));
    return RFN_OK;
}

static rfn_status add_capture(ctx *c, size_t *cap, const char *path, const char *device,
                              const char *at, rfn_error *err)
{
    if (c->n_caps == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        cap_item *n = realloc(c->caps, nc * sizeof *n);
        if (!n)
            return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        c->caps = n;
        *cap = nc;
    }
    cap_item *it = &c->caps[c->n_caps];
    memset(it, 0, sizeof *it);
    if (!(it->path = strdup(path)))
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    c->n_caps++;
    snprintf(it->device, sizeof it->device, "%s", device ? device : "");
    snprintf(it->captured_at, sizeof it->captured_at, "%s", at ? at : "");
    return RFN_OK;
}

/* Directory part of path with a trailing '/', "" for none. */
static void dir_of(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    snprintf(out, size, "%.*s", slash ? (int)(slash - path + 1) : 0, path);
}

/* A text cell of the manifest or lab index: present, UTF-8 (the Windows-1252 hint when it looks
 * like that), no control characters, at most max bytes. */
static rfn_status check_cell(const char *file, const csv_record *rec, int col, const char *name,
                             size_t max, rfn_error *err)
{
    const char *s = rec->fields[col];
    size_t len = rec->lens[col];
    unsigned long long line = (unsigned long long)rec->line;
    char hint[96];
    if (!len)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: %s is empty", file, line, name);
    if (len > max)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: %s: longer than %zu bytes", file, line,
                             name, max);
    if (utf8_valid_prefix(s, len) != len)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: %s: not UTF-8%s%s%s", file, line, name,
                             csv_cp1252_hint(s, len, hint, sizeof hint) ? " (" : "", hint,
                             hint[0] ? ")" : "");
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: %s: a control character", file,
                                 line, name);
    return RFN_OK;
}

/* A bad row of the manifest or lab index (each is fatal: a capture or result must not be lost
 * silently). */
static rfn_status bad_row(const char *file, const csv_record *rec, rfn_error *err)
{
    return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: %s", file, (unsigned long long)rec->line,
                         rec->unclosed     ? "a quote opened on this line is not closed properly "
                                             "(a stray '\"'?)"
                         : rec->bad_quotes ? "malformed quoting"
                                           : "wrong number of fields");
}

/* captured_at: empty, or a date / date-time in the --date-format order (ISO always), years
 * 2000..2099; written to captures.jsonl as given, or in ISO form when read as dmy/mdy. */
static rfn_status check_captured_at(const char *file, const csv_record *rec, int col,
                                    date_order order, char *out, size_t size, rfn_error *err)
{
    out[0] = '\0';
    if (col < 0 || !rec->lens[col]) return RFN_OK;
    const char *s = rec->fields[col];
    size_t len = rec->lens[col];
    int32_t days, sec;
    id_problem p = date_parse_order(s, len, order, &days, &sec);
    int y = 0, mo = 0, d = 0;
    if (!p) date_to_ymd(days, &y, &mo, &d);
    if (p || y < 2000 || y > 2099) {
        const char *hint = date_order_hint(s, len, order);
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: captured_at '%.40s': %s%s%s%s", file,
                             (unsigned long long)rec->line, s,
                             p ? "not a date or date-time " : "outside the years 2000 to 2099",
                             p ? date_order_pattern(order) : "",
                             hint ? ": give --date-format " : "", hint ? hint : "");
    }
    if (order == DATE_YMD || (len >= 4 && s[0] >= '0' && s[0] <= '9' && s[4] == '-'))
        snprintf(out, size, "%s", s);
    else if (sec < 0)
        snprintf(out, size, "%04d-%02d-%02d", y, mo, d);
    else
        snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, (int)(sec / 3600),
                 (int)(sec / 60 % 60), (int)(sec % 60));
    return RFN_OK;
}

/* Manifest: CSV with header capture,DeviceID,captured_at (case-insensitive, any order; extra
 * columns ignored). Capture paths are relative to the manifest's directory unless absolute. */
static rfn_status load_manifest(ctx *c, const char *path, rfn_error *err)
{
    csv_read_config rc = csv_read_config_input(&c->cfg.input);
    csv_reader *r = NULL;
    csv_record rec;
    size_t cap = 0;
    rfn_status st = csv_reader_open(path, &rc, &r, err);
    if (st)
        return st;
    static const char *const names[] = {"capture", "DeviceID", "captured_at", "DeviceModel",
                                        "DeviceFirmwareVersion"};
    int idx[5];
    if ((st = csv_reader_next(r, &rec, err)) != RFN_OK) {
        if (st == RFN_ERR_EOF)
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: empty manifest", path);
        goto done;
    }
    if ((st = csv_header_map(&rec, path, names, 5, idx, err)))
        goto done;
    if ((idx[3] < 0) != (idx[4] < 0)) {
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s:1: DeviceModel and DeviceFirmwareVersion "
                           "come together (what each capture measured)", path);
        goto done;
    }
    if (idx[0] < 0 || idx[1] < 0) {
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s:1: the header needs columns capture and "
                           "DeviceID", path);
        goto done;
    }
    char base[4096];
    dir_of(path, base, sizeof base);
    while ((st = csv_reader_next(r, &rec, err)) == RFN_OK) {
        if (rec.ragged || rec.bad_quotes) {
            st = bad_row(path, &rec, err);
            goto done;
        }
        const char *file = rec.fields[idx[0]];
        char at[64];
        if ((st = check_cell(path, &rec, idx[0], "capture", 2048, err)) ||
            (st = check_captured_at(path, &rec, idx[2], c->cfg.input.dates, at, sizeof at, err)) ||
            (idx[3] >= 0 && (st = check_cell(path, &rec, idx[3], "DeviceModel", 127, err))) ||
            (idx[4] >= 0 &&
             (st = check_cell(path, &rec, idx[4], "DeviceFirmwareVersion", 127, err))))
            goto done;
        uint64_t id;
        id_problem p = eui64_parse(rec.fields[idx[1]], rec.lens[idx[1]], &id);
        if (p != ID_OK) {
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: DeviceID '%s': %s", path,
                               (unsigned long long)rec.line, rec.fields[idx[1]],
                               id_problem_text(p));
            goto done;
        }
        char dev[EUI64_TEXT_LEN], full[4096];
        eui64_format(id, dev);
        snprintf(full, sizeof full, "%s%s", file[0] == '/' ? "" : base, file);
        /* /dev/zero or a FIFO in a manifest is a manifest error, found before any work. */
        if ((st = io_check_regular(full, err))) {
            rfn_error_prefix(err, "%s:%llu: capture ", path, (unsigned long long)rec.line);
            goto done;
        }
        if ((st = add_capture(c, &cap, full, dev, at, err)))
            goto done;
        cap_item *it = &c->caps[c->n_caps - 1];
        snprintf(it->model, sizeof it->model, "%s", idx[3] >= 0 ? rec.fields[idx[3]] : "");
        snprintf(it->firmware, sizeof it->firmware, "%s", idx[4] >= 0 ? rec.fields[idx[4]] : "");
    }
    if (st == RFN_ERR_EOF)
        st = RFN_OK;
done:
    csv_reader_destroy(r);
    return st;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.sigmf-meta in dir, sorted by name (deterministic order). */
static rfn_status scan_captures(ctx *c, const char *dir, rfn_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return rfn_error_set(err, RFN_ERR_NOTFOUND, "%s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, capn = 0, cap = 0;
    rfn_status st = RFN_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, ".sigmf-meta"))
            continue;
        if (n == capn) {
            capn = capn ? 2 * capn : 64;
            char **nn = realloc(names, capn * sizeof *nn);
            if (!nn) {
                st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
                goto done;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) {
            st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
            goto done;
        }
        n++;
    }
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && !st; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", dir, names[i]);
        st = add_capture(c, &cap, full, NULL, NULL, err);
    }
done:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return st;
}

/* Lab results: DIR/index.csv with header result,Manufacturer,Model,Firmware; each result is an
 * `rfnoise analyse --format json` output (all its captures count for that model + firmware). */
static rfn_status load_lab(ctx *c, const char *dir, rfn_error *err)
{
    char index[4096];
    snprintf(index, sizeof index, "%s/index.csv", dir);
    csv_read_config rc = csv_read_config_input(&c->cfg.input);
    csv_reader *r = NULL;
    csv_record rec;
    rfn_status st = csv_reader_open(index, &rc, &r, err);
    if (st)
        return st;
    if ((st = add_input(c, "lab-index", index, err)))
        goto done;
    static const char *const names[] = {"result", "Manufacturer", "Model", "Firmware"};
    int idx[4];
    if ((st = csv_reader_next(r, &rec, err)) != RFN_OK) {
        if (st == RFN_ERR_EOF)
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: empty", index);
        goto done;
    }
    if ((st = csv_header_map(&rec, index, names, 4, idx, err)))
        goto done;
    for (int i = 0; i < 4; i++)
        if (idx[i] < 0) {
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s:1: missing column %s", index, names[i]);
            goto done;
        }
    while ((st = csv_reader_next(r, &rec, err)) == RFN_OK) {
        if (rec.ragged || rec.bad_quotes) {
            st = bad_row(index, &rec, err);
            goto done;
        }
        static const char *const what[4] = {"result", "Manufacturer", "Model", "Firmware"};
        for (int k = 0; k < 4; k++)
            if ((st = check_cell(index, &rec, idx[k], what[k], k ? 128 : 2048, err)))
                goto done;
        char path[4096];
        const char *f = rec.fields[idx[0]];
        snprintf(path, sizeof path, "%s%s%s", f[0] == '/' ? "" : dir, f[0] == '/' ? "" : "/", f);
        if ((st = add_input(c, "lab-result", path, err)))
            goto done;
        json_error_t je;
        json_t *root = io_json_load(path, &je);
        json_t *caps = json_object_get(root, "captures");
        if (!json_is_array(caps)) {
            json_decref(root);
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: not an rfnoise analyse JSON result%s%s",
                               path, root ? "" : ": ", root ? "" : je.text);
            goto done;
        }
        lab_group *g = NULL;
        for (size_t i = 0; i < c->n_lab; i++)
            if (!strcasecmp(c->lab[i].manufacturer, rec.fields[idx[1]]) &&
                !strcasecmp(c->lab[i].model, rec.fields[idx[2]]) &&
                !strcmp(c->lab[i].firmware, rec.fields[idx[3]]))
                g = &c->lab[i];
        if (!g) {
            lab_group *nl = realloc(c->lab, (c->n_lab + 1) * sizeof *nl);
            if (!nl) {
                json_decref(root);
                st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
                goto done;
            }
            c->lab = nl;
            g = &c->lab[c->n_lab++];
            memset(g, 0, sizeof *g);
            g->manufacturer = strdup(rec.fields[idx[1]]);
            g->model = strdup(rec.fields[idx[2]]);
            g->firmware = strdup(rec.fields[idx[3]]);
        }
        size_t n = json_array_size(caps);
        capture_analysis *nr = realloc(g->res, (g->n + n + 1) * sizeof *nr);
        if (nr)
            g->res = nr;
        char(*ns)[LAB_SOURCE_MAX] = realloc(g->source, (g->n + n + 1) * sizeof *ns);
        if (ns)
            g->source = ns;
        if (!nr || !ns || !g->manufacturer || !g->model || !g->firmware) {
            json_decref(root);
            st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            if ((st = records_json_read_analysis(json_array_get(caps, i), &g->res[g->n], err))) {
                json_decref(root);
                rfn_error_prefix(err, "%s: captures[%zu]: ", path, i);
                goto done;
            }
            snprintf(g->source[g->n], LAB_SOURCE_MAX, "%.1024s#captures[%zu]", path, i);
            g->n++;
        }
        json_decref(root);
    }
    if (st == RFN_ERR_EOF)
        st = RFN_OK;
done:
    csv_reader_destroy(r);
    return st;
}

/* The statuses judged as installed: the configured set, else the default (identifiers.h). */
static unsigned installed_set(const validate_config *cfg)
{
    return cfg->installed_statuses ? cfg->installed_statuses
                                   : device_statuses_installed_default();
}

/* Load everything but the captures' analyses. */
static rfn_status ctx_load(ctx *c, rfn_error *err)
{
    const validate_config *cfg = &c->cfg;
    rfn_status st;
    c->inputs = json_array();
    if (cfg->limits_path)
        snprintf(c->limits_path, sizeof c->limits_path, "%s", cfg->limits_path);
    else if ((st = data_dir_path(DATA_DIR_DEFAULT_LIMITS, c->limits_path,
                                 sizeof c->limits_path, err)))
        return st;
    if ((st = limits_load(c->limits_path, &c->limits, err)) ||
        (st = judge_rule_check(c->limits, &cfg->decision, err)))
        return st;
    if ((st = add_input(c, "limits", c->limits_path, err)))
        return st;
    /* No --rx-gain here: a per-gain file fails where a gain is needed (calibration_gain_db). */
    if ((st = calibration_open(cfg->cal_path, cfg->cal_db, NAN, &c->cal, err)) ||
        (cfg->cal_path && (st = add_input(c, "calibration", cfg->cal_path, err))))
        return st;
    register_config rc = register_config_default();
    rc.strict = cfg->strict;
    rc.input = cfg->input;
    rc.installed = installed_set(cfg);
    if ((st = register_load(cfg->register_path, &rc, &c->reg, err)) ||
        (st = add_input(c, "register", cfg->register_path, err)))
        return st;
    if (cfg->derogations_path &&
        ((st = derogation_load_input(cfg->derogations_path, &cfg->input, &c->derog, err)) ||
         (st = derogation_check_bands(c->derog, cfg->derogations_path, c->limits, err)) ||
         (st = add_input(c, "derogations", cfg->derogations_path, err))))
        return st;
    if (cfg->lab_dir && (st = load_lab(c, cfg->lab_dir, err)))
        return st;
    if (!cfg->planned) {
        if (cfg->manifest_path) {
            if ((st = load_manifest(c, cfg->manifest_path, err)) ||
                (st = add_input(c, "manifest", cfg->manifest_path, err)))
                return st;
        } else if (cfg->captures_dir && (st = scan_captures(c, cfg->captures_dir, err))) {
            return st;
        }
    }
    /* Settings key of the result cache: everything that changes an analysis result. */
    char text[8192];
    int n = snprintf(
        text, sizeof text,
        "rfnoise-validate-settings-2\nfft=estimate\nversion=%s\nlimits=%s\ncal_db=%.17g\n"
        "cal_dir=%s\n",
        RFN_VERSION, json_string_value(json_object_get(json_array_get(c->inputs, 0), "sha256")),
        cfg->cal_db, cfg->cal_dir ? cfg->cal_dir : "");
    /* Only when on, so that the records cached by runs without it keep their key. */
    if (cfg->exclude_bursts)
        n += snprintf(text + n, sizeof text - (size_t)n, "exclude_bursts=6dB/1ms/0.5ms\n");
    for (size_t i = 0; i < json_array_size(c->inputs); i++) {
        json_t *in = json_array_get(c->inputs, i);
        if (!strcmp(json_string_value(json_object_get(in, "role")), "calibration"))
            n += snprintf(text + n, sizeof text - (size_t)n, "cal=%s\n",
                          json_string_value(json_object_get(in, "sha256")));
    }
    hash_buffer_hex(HASH_SHA256, text, strlen(text), c->settings_sha);
    return RFN_OK;
}

/* ---- capture analysis (worker threads) ------------------------------------------------------- */

typedef struct pool {
    ctx *c;
    analyse_config acfg;
    char cache_dir[4096];
    atomic_size_t next;
    size_t *todo; /* indices into c->caps */
    size_t n_todo;
    pthread_mutex_t lock;
    progress *prog;
    size_t done;
} pool;

/* The record of one capture: analyse it (or take the cached result) and build rec. */
static void process_capture(pool *p, cap_item *it, size_t index)
{
    ctx *c = p->c;
    char sha[HASH_HEX_MAX] = "", cache_path[4400] = "";
    rfn_error err = {0};
    json_t *analysis = NULL;
    const char *error = NULL;
    char errbuf[sizeof err.msg + 16];
    if (capture_content_hash(it->path, sha, &err) == RFN_OK) {
        snprintf(cache_path, sizeof cache_path, "%s/%s-%.16s.json", p->cache_dir, sha,
                 c->settings_sha);
        json_error_t je;
        analysis = json_load_file(cache_path, 0, &je);
        if (analysis && !records_json_is_analysis(analysis)) {
            json_decref(analysis); /* not a result: analyse again */
            analysis = NULL;
        }
        it->cached = analysis != NULL;
    }
    if (!analysis && sha[0]) {
        capture_analysis res;
        if (analyse_capture(it->path, &p->acfg, &res, NULL, &err) == RFN_OK) {
            analysis = records_json_analysis_as_written(&res);
            analyse_result_free(&res);
            if (analysis) {
                char *text = json_dumps(analysis, JSON_FLAGS);
                rfn_error cerr;
                if (text)
                    atomic_file_write_all(cache_path, text, strlen(text), &cerr);
                free(text);
            }
        }
    }
    if (!analysis) {
        snprintf(errbuf, sizeof errbuf, "%s", err.msg[0] ? err.msg : "cannot analyse");
        error = errbuf;
    } else {
        records_json_set_analysis_path(analysis, it->path);
    }
    char dev[EUI64_TEXT_LEN] = "";
    if (it->device[0]) {
        snprintf(dev, sizeof dev, "%s", it->device);
    } else if (analysis) {
        const char *d = records_json_analysis_device_id(analysis);
        uint64_t id;
        if (d && eui64_parse(d, strlen(d), &id) == ID_OK)
            eui64_format(id, dev);
    } else {
        /* Unreadable samples (a truncated file) may still have SigMF metadata naming the
         * device: the device is then inconclusive rather than judged on lab results. */
        char d[CAPTURE_TEXT_MAX] = "";
        if (ends_with(it->path, ".sigmf-meta"))
            sigmf_meta_device_id(it->path, d, sizeof d);
        uint64_t id;
        if (eui64_parse(d, strlen(d), &id) == ID_OK)
            eui64_format(id, dev);
    }
    capture_line line = {.index = index, .path = it->path, .sha256 = sha,
                         .settings_sha256 = c->settings_sha, .device_id = dev,
                         .captured_at = it->captured_at, .error = error,
                         .measured_model = it->model, .measured_firmware = it->firmware,
                         .analysis = analysis};
    it->rec = records_json_capture_line(&line);
    json_decref(analysis);
}

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        size_t k = atomic_fetch_add(&p->next, 1);
        if (k >= p->n_todo)
            break;
        size_t i = p->todo[k];
        process_capture(p, &p->c->caps[i], i);
        pthread_mutex_lock(&p->lock);
        p->done++;
        progress_update(p->prog, p->done);
        pthread_mutex_unlock(&p->lock);
    }
    return NULL;
}

static rfn_status analyse_all(ctx *c, validate_totals *tot, rfn_error *err)
{
    pool p;
    memset(&p, 0, sizeof p);
    p.c = c;
    p.acfg = analyse_config_default();
    limits_set *sets[1] = {c->limits};
    p.acfg.limits = sets;
    p.acfg.n_limits = 1;
    p.acfg.cal = c->cal;
    p.acfg.cal_dir = c->cfg.cal_dir;
    p.acfg.quiet = 1;
    p.acfg.fft_estimate = 1; /* same plan, same bits, whatever the run or shard */
    p.acfg.exclude_bursts = c->cfg.exclude_bursts;
    snprintf(p.cache_dir, sizeof p.cache_dir, "%s/cache", c->cfg.out_dir);
    rfn_status st = mkdir_p(p.cache_dir, err);
    if (st)
        return st;
    p.todo = malloc((c->n_caps ? c->n_caps : 1) * sizeof *p.todo);
    if (!p.todo)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < c->n_caps; i++)
        if (!c->cfg.shard_n || i % c->cfg.shard_n == c->cfg.shard_k)
            p.todo[p.n_todo++] = i;
    unsigned jobs = c->cfg.jobs;
    if (!jobs) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (unsigned)n : 1;
    }
    if (jobs > p.n_todo)
        jobs = p.n_todo ? (unsigned)p.n_todo : 1;
    pthread_mutex_init(&p.lock, NULL);
    atomic_init(&p.next, 0);
    p.prog = progress_create("captures", p.n_todo, c->cfg.quiet);
    pthread_t th[256];
    unsigned started = 0;
    if (jobs > 256)
        jobs = 256;
    for (unsigned j = 1; j < jobs; j++)
        if (pthread_create(&th[started], NULL, worker, &p) == 0)
            started++;
    worker(&p);
    for (unsigned j = 0; j < started; j++)
        pthread_join(th[j], NULL);
    progress_destroy(p.prog);
    pthread_mutex_destroy(&p.lock);
    for (size_t k = 0; k < p.n_todo; k++) {
        cap_item *it = &c->caps[p.todo[k]];
        if (!it->rec) {
            free(p.todo);
            return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        }
        tot->captures_cached += it->cached;
        tot->captures_analysed +=
            !it->cached && json_is_object(json_object_get(it->rec, "analysis"));
    }
    free(p.todo);
    return RFN_OK;
}

/* ---- join and outputs ------------------------------------------------------------------------ */

typedef struct dev_cap {
    uint64_t device_id;
    size_t index;
} dev_cap;

static int cmp_dev_cap(const void *a, const void *b)
{
    const dev_cap *x = a, *y = b;
    if (x->device_id != y->device_id)
        return x->device_id < y->device_id ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static void count_in(json_t *obj, const char *key, const char *verdict)
{
    json_t *o = json_object_get(obj, key);
    if (!o) {
        o = json_object();
        json_object_set_new(obj, key, o);
    }
    json_t *v = json_object_get(o, verdict);
    json_object_set_new(o, verdict, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static void count_key(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    json_object_set_new(obj, key, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static const char *now_iso(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

static json_t *options_json(const validate_config *cfg)
{
#define S(x) ((x) ? json_string(x) : json_null())
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b}",
                          "register",
                     S(cfg->register_path), "derogations", S(cfg->derogations_path), "manifest",
                     S(cfg->manifest_path), "captures_dir", S(cfg->captures_dir), "lab_results",
                     S(cfg->lab_dir), "limits", S(cfg->limits_path), "cal", S(cfg->cal_path),
                     "cal_db", isfinite(cfg->cal_db) ? json_real(cfg->cal_db) : json_null(),
                     "cal_dir", S(cfg->cal_dir), "notice_date", S(cfg->notice_date), "planned",
                     cfg->planned, "strict", cfg->strict);
    /* Only when given, so a default run's summary keeps its keys (merge reads them back). */
    if (cfg->exclude_bursts)
        json_object_set_new(o, "exclude_bursts", json_true());
    if (cfg->input.encoding != CSV_ENC_UTF8)
        json_object_set_new(o, "encoding", json_string(csv_encoding_name(cfg->input.encoding)));
    if (cfg->input.dates != DATE_YMD)
        json_object_set_new(o, "date_format", json_string(date_order_name(cfg->input.dates)));
    if (cfg->installed_statuses) {
        char text[256];
        device_statuses_text(cfg->installed_statuses, text, sizeof text);
        json_object_set_new(o, "installed_statuses", json_string(text));
    }
    if (cfg->decision.rule != DECISION_FROM_LIMITS)
        json_object_set_new(o, "decision_rule",
                            json_string(limits_decision_rule_name(cfg->decision.rule)));
    if (cfg->decision.has_uncertainty)
        json_object_set_new(o, "uncertainty_db", json_real(cfg->decision.uncertainty_db));
    return o;
#undef S
}

static json_t *summary_base(ctx *c)
{
    char ts[32];
    json_t *s = json_pack("{s:s, s:i, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:{s:s, s:s, s:b}}",
                     "rfnoise", "validate", "format_version", 1, "tool_version", RFN_VERSION,
                     "generated_at", now_iso(ts), "mode", c->cfg.planned ? "planned" : "field",
                     "shard",
                     c->cfg.shard_n ? json_pack("{s:i, s:i}", "k", (int)c->cfg.shard_k, "n",
                                                (int)c->cfg.shard_n)
                                    : json_null(),
                     "settings_sha256", c->settings_sha, "options", options_json(&c->cfg),
                     "inputs", json_incref(c->inputs), "limit_set", "id", c->limits->id,
                     "version", c->limits->version, "illustrative", c->limits->illustrative != 0);
    if (s && c->cfg.rejudge_of)
        json_object_set_new(s, "rejudged_from", json_string(c->cfg.rejudge_of));
    char statuses[256];
    device_statuses_text(installed_set(&c->cfg), statuses, sizeof statuses);
    if (s)
        json_object_set_new(s, "installed_statuses", json_string(statuses));
    return s;
}

static rfn_status write_json_file(const char *dir, const char *name, json_t *j, rfn_error *err)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    if (!text)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    size_t len = strlen(text);
    text[len] = '\0';
    char *t2 = realloc(text, len + 2);
    if (!t2) {
        free(text);
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    }
    t2[len] = '\n';
    t2[len + 1] = '\0';
    rfn_status st = atomic_file_write_all(path, t2, len + 1, err);
    free(t2);
    return st;
}

enum { N_OUT_FILES = 6 };

typedef struct out_files {
    atomic_file *f[N_OUT_FILES];
} out_files;

static const char *const out_names[N_OUT_FILES] = {"devices.csv", "noncompliance.csv",
                                                   "skipped.csv", "captures.jsonl",
                                                   "register-errors.csv", "measurements.csv"};

/* Every file the output folder receives, declared before any input is read (io_guard.h), so that
 * --register OUT/devices.csv or merge --out onto a shard is refused before any work is done. */
static rfn_status declare_outputs(const char *out_dir, rfn_error *err)
{
    static const char *const summary[] = {"summary.json"};
    rfn_status st = io_declare_outputs_in(out_dir, out_names, N_OUT_FILES, err);
    return st ? st : io_declare_outputs_in(out_dir, summary, 1, err);
}

static void out_abort(out_files *o)
{
    for (int i = 0; i < N_OUT_FILES; i++) {
        atomic_file_abort(o->f[i]);
        o->f[i] = NULL;
    }
}

static rfn_status out_open(out_files *o, const char *dir, int n, rfn_error *err)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < n; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, out_names[n == 1 ? 3 : i]);
        rfn_status st = atomic_file_open(path, &o->f[i], err);
        if (st) {
            out_abort(o);
            return st;
        }
    }
    return RFN_OK;
}

static void write_captures_jsonl(ctx *c, FILE *f)
{
    for (size_t i = 0; i < c->n_caps; i++) {
        if (!c->caps[i].rec)
            continue;
        char *t = json_dumps(c->caps[i].rec, JSON_FLAGS);
        if (t) {
            fputs(t, f);
            fputc('\n', f);
        }
        free(t);
    }
}

/* The SHA-256 of the input with this role, or "" when there is none. */
static const char *input_sha256(const ctx *c, const char *role)
{
    for (size_t i = 0; i < json_array_size(c->inputs); i++) {
        json_t *in = json_array_get(c->inputs, i);
        if (!strcmp(json_string_value(json_object_get(in, "role")), role))
            return json_string_value(json_object_get(in, "sha256"));
    }
    return "";
}

/* What every verdict of this run was judged against (README "Data formats"): the limit set as
 * id@version and the derogation list as sha256:<hex> ("none" without one). */
static void applied_texts(const ctx *c, char *limit_set, size_t ls_size, char *derogations,
                          size_t d_size)
{
    snprintf(limit_set, ls_size, "%s@%s", c->limits->id, c->limits->version);
    if (c->derog)
        snprintf(derogations, d_size, "sha256:%s", input_sha256(c, "derogations"));
    else
        snprintf(derogations, d_size, "none");
}

/* Evidence counts only for the model and firmware it measured (README "Device verdicts"): a
 * record that says what it measured is compared with the register (model as the lab results
 * are matched, case-insensitively; firmware exactly); one that does not is taken to have
 * measured the device as the register shows it now, and says so from now on (captures.jsonl), so
 * that a later rejudge against a newer extract can tell. */
static int measured_this_device(cap_item *it, const char *model, const char *firmware)
{
    const char *mm = json_string_value(json_object_get(it->rec, "measured_model"));
    const char *mf = json_string_value(json_object_get(it->rec, "measured_firmware"));
    if (!mm) {
        json_object_set_new(it->rec, "measured_model", json_string(model));
        json_object_set_new(it->rec, "measured_firmware", json_string(firmware));
        return 1;
    }
    return !strcasecmp(mm, model) && !strcmp(mf ? mf : "", firmware);
}

/* Evidence set aside and nothing else to decide on: the device must be measured again. */
static void retest_if_changed(size_t n_aside, device_verdict *dv)
{
    if (!n_aside || (dv->verdict != DEVICE_UNASSESSED && dv->verdict != DEVICE_INCONCLUSIVE))
        return;
    dv->reasons = (dv->verdict == DEVICE_INCONCLUSIVE ? dv->reasons : 0) | DREASON_DEVICE_CHANGED;
    dv->verdict = DEVICE_RETEST_REQUIRED;
    dv->n_captures = (uint32_t)n_aside;
}

/* ---- devices.csv, noncompliance.csv, skipped.csv (README "Validate outputs") -------------- */

/* One register row with its verdict and what it was judged against; the tables below say which
 * field each column of each file writes. */
typedef struct device_row {
    const char *supplier, *mpxn, *device, *type, *manufacturer, *model, *firmware, *region;
    const char *han, *postcode, *install_date, *status;
    const device_verdict *dv;
    const char *verdict, *reasons, *evidence;
    const char *limit_set_id, *limit_set_version, *limit_set, *derogations, *rule;
    const char *notice, *plan_due, *remediation_due;
} device_row;

#define DEV_TEXT(fn, expr) FIELD_TEXT_FN(fn, device_row, expr)
#define DEV_NUM(fn, expr) FIELD_NUM_FN(fn, device_row, expr)
DEV_TEXT(dc_supplier, r->supplier)
DEV_TEXT(dc_mpxn, r->mpxn)
DEV_TEXT(dc_device, r->device)
DEV_TEXT(dc_type, r->type)
DEV_TEXT(dc_manufacturer, r->manufacturer)
DEV_TEXT(dc_model, r->model)
DEV_TEXT(dc_firmware, r->firmware)
DEV_TEXT(dc_region, r->region)
DEV_TEXT(dc_han, r->han)
DEV_TEXT(dc_postcode, r->postcode)
DEV_TEXT(dc_install_date, r->install_date)
DEV_TEXT(dc_status, r->status)
DEV_TEXT(dc_verdict, r->verdict)
DEV_TEXT(dc_reasons, r->reasons)
DEV_TEXT(dc_worst_band, r->dv->worst_band)
DEV_NUM(dc_measured, r->dv->measured)
DEV_NUM(dc_limit, r->dv->limit)
DEV_TEXT(dc_unit, r->dv->unit)
DEV_NUM(dc_margin, r->dv->margin_db)
DEV_TEXT(dc_evidence, r->evidence)
DEV_NUM(dc_n_captures, (double)r->dv->n_captures)
DEV_TEXT(dc_derogation_ref, r->dv->derogation_ref ? r->dv->derogation_ref : "")
DEV_TEXT(dc_limit_set_id, r->limit_set_id)
DEV_TEXT(dc_limit_set_version, r->limit_set_version)
DEV_TEXT(dc_limit_set, r->limit_set)
DEV_TEXT(dc_derogations, r->derogations)
DEV_TEXT(dc_rule, r->rule)
DEV_TEXT(dc_notice, r->notice)
DEV_TEXT(dc_plan_due, r->plan_due)
DEV_TEXT(dc_remediation_due, r->remediation_due)
#undef DEV_TEXT
#undef DEV_NUM

#define DEV_COL_TEXT(name, fn) {name, FIELD_TEXT, fn, NULL, 0}
#define DEV_COL_NUM(name, fn) {name, FIELD_NUM, NULL, fn, 2}
static const record_field dev_cols[] = {
    DEV_COL_TEXT("Supplier", dc_supplier),
    DEV_COL_TEXT("ImportMPxN", dc_mpxn),
    DEV_COL_TEXT("DeviceID", dc_device),
    DEV_COL_TEXT("DeviceType", dc_type),
    DEV_COL_TEXT("DeviceManufacturer", dc_manufacturer),
    DEV_COL_TEXT("DeviceModel", dc_model),
    DEV_COL_TEXT("DeviceFirmwareVersion", dc_firmware),
    DEV_COL_TEXT("CSPRegion", dc_region),
    DEV_COL_TEXT("HANVariant", dc_han),
    DEV_COL_TEXT("PostCode", dc_postcode),
    DEV_COL_TEXT("InstallDate", dc_install_date),
    DEV_COL_TEXT("DeviceStatus", dc_status),
    DEV_COL_TEXT("verdict", dc_verdict),
    DEV_COL_TEXT("reasons", dc_reasons),
    DEV_COL_TEXT("worst_band", dc_worst_band),
    DEV_COL_NUM("measured", dc_measured),
    DEV_COL_NUM("limit", dc_limit),
    DEV_COL_TEXT("unit", dc_unit),
    DEV_COL_NUM("margin_db", dc_margin),
    DEV_COL_TEXT("evidence", dc_evidence),
    {"n_captures", FIELD_INT, NULL, dc_n_captures, 0},
    DEV_COL_TEXT("derogation_ref", dc_derogation_ref),
    DEV_COL_TEXT("limit_set_id", dc_limit_set_id),
    DEV_COL_TEXT("limit_set_version", dc_limit_set_version),
    DEV_COL_TEXT("limit_set", dc_limit_set),
    DEV_COL_TEXT("derogations", dc_derogations),
    DEV_COL_TEXT("decision_rule", dc_rule),
};

/* The non-compliant devices with their deadlines (README "Remediation"). */
static const record_field nc_cols[] = {
    DEV_COL_TEXT("Supplier", dc_supplier),
    DEV_COL_TEXT("ImportMPxN", dc_mpxn),
    DEV_COL_TEXT("DeviceID", dc_device),
    DEV_COL_TEXT("DeviceModel", dc_model),
    DEV_COL_TEXT("DeviceFirmwareVersion", dc_firmware),
    DEV_COL_TEXT("CSPRegion", dc_region),
    DEV_COL_TEXT("InstallDate", dc_install_date),
    DEV_COL_TEXT("verdict", dc_verdict),
    DEV_COL_TEXT("reasons", dc_reasons),
    DEV_COL_TEXT("worst_band", dc_worst_band),
    DEV_COL_NUM("measured", dc_measured),
    DEV_COL_NUM("limit", dc_limit),
    DEV_COL_NUM("margin_db", dc_margin),
    DEV_COL_TEXT("evidence", dc_evidence),
    DEV_COL_TEXT("notice_date", dc_notice),
    DEV_COL_TEXT("plan_due", dc_plan_due),
    DEV_COL_TEXT("remediation_due", dc_remediation_due),
    DEV_COL_TEXT("limit_set", dc_limit_set),
    DEV_COL_TEXT("derogations", dc_derogations),
    DEV_COL_TEXT("decision_rule", dc_rule),
};

/* The rows not judged: not on the wall (--installed-statuses). */
static const record_field skipped_cols[] = {
    DEV_COL_TEXT("Supplier", dc_supplier),   DEV_COL_TEXT("ImportMPxN", dc_mpxn),
    DEV_COL_TEXT("DeviceID", dc_device),     DEV_COL_TEXT("DeviceType", dc_type),
    DEV_COL_TEXT("DeviceStatus", dc_status),
};
#undef DEV_COL_TEXT
#undef DEV_COL_NUM
#define N_COLS(t) (sizeof(t) / sizeof *(t))

/* ---- measurements.csv: one row per piece of evidence x band (README "Data formats") ------- */

/* One row's values; the column table below says which field each column writes. */
typedef struct meas_row {
    const char *source, *source_id, *device, *model, *firmware, *measured_at, *calibration_id;
    const band_verdict *b;
    char flags[512];
} meas_row;

#define MEAS_TEXT(fn, expr) FIELD_TEXT_FN(fn, meas_row, expr)
#define MEAS_NUM(fn, expr) FIELD_NUM_FN(fn, meas_row, expr)
MEAS_TEXT(mc_source, r->source)
MEAS_TEXT(mc_source_id, r->source_id)
MEAS_TEXT(mc_device, r->device)
MEAS_TEXT(mc_model, r->model)
MEAS_TEXT(mc_firmware, r->firmware)
MEAS_TEXT(mc_measured_at, r->measured_at)
MEAS_TEXT(mc_band, r->b->band_id)
MEAS_TEXT(mc_quantity, r->b->quantity)
MEAS_TEXT(mc_detector, r->b->m.method)
MEAS_TEXT(mc_trace, r->b->trace)
MEAS_NUM(mc_rbw, r->b->rbw_hz > 0 ? r->b->rbw_hz : NAN)
MEAS_NUM(mc_ref_bw, r->b->ref_bw_hz > 0 ? r->b->ref_bw_hz : NAN)
MEAS_NUM(mc_value, r->b->m.measured)
MEAS_TEXT(mc_unit, r->b->m.measured_unit)
MEAS_NUM(mc_worst_freq, r->b->m.worst_freq_hz)
MEAS_NUM(mc_floor, r->b->m.floor_level)
MEAS_NUM(mc_floor_median, r->b->m.capture_floor_median)
MEAS_NUM(mc_floor_20pct, r->b->m.capture_floor)
MEAS_NUM(mc_coverage, r->b->m.covered_fraction)
MEAS_NUM(mc_uncertainty, r->b->m.uncertainty_db)
MEAS_TEXT(mc_calibration, r->calibration_id)
MEAS_TEXT(mc_geometry, r->b->m.geometry)
MEAS_TEXT(mc_flags, r->flags)
#undef MEAS_TEXT
#undef MEAS_NUM

static const record_field meas_cols[] = {
    {"source", FIELD_TEXT, mc_source, NULL, 0},
    {"source_id", FIELD_TEXT, mc_source_id, NULL, 0},
    {"DeviceID", FIELD_TEXT, mc_device, NULL, 0},
    {"model", FIELD_TEXT, mc_model, NULL, 0},
    {"firmware", FIELD_TEXT, mc_firmware, NULL, 0},
    {"measured_at", FIELD_TEXT, mc_measured_at, NULL, 0},
    {"band", FIELD_TEXT, mc_band, NULL, 0},
    {"quantity", FIELD_TEXT, mc_quantity, NULL, 0},
    {"detector", FIELD_TEXT, mc_detector, NULL, 0},
    {"trace", FIELD_TEXT, mc_trace, NULL, 0},
    {"rbw_hz", FIELD_NUM, NULL, mc_rbw, -1},
    {"ref_bw_hz", FIELD_NUM, NULL, mc_ref_bw, -1},
    {"value", FIELD_NUM, NULL, mc_value, 3},
    {"unit", FIELD_TEXT, mc_unit, NULL, 0},
    {"worst_freq_hz", FIELD_NUM, NULL, mc_worst_freq, -1},
    {"floor", FIELD_NUM, NULL, mc_floor, 3},
    {"capture_floor_median", FIELD_NUM, NULL, mc_floor_median, 3},
    {"capture_floor_20pct", FIELD_NUM, NULL, mc_floor_20pct, 3},
    {"coverage", FIELD_NUM, NULL, mc_coverage, 4},
    {"uncertainty_db", FIELD_NUM, NULL, mc_uncertainty, 3},
    {"calibration_id", FIELD_TEXT, mc_calibration, NULL, 0},
    {"geometry", FIELD_TEXT, mc_geometry, NULL, 0},
    {"flags", FIELD_TEXT, mc_flags, NULL, 0},
};
enum { N_MEAS_COLS = sizeof meas_cols / sizeof *meas_cols };

/* The measurement's flags as ';'-joined names: its band reasons, and the one-sided readings. */
static void meas_flags_text(const capture_analysis *a, const band_verdict *b, char *buf,
                            size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned bit = 1; bit; bit <<= 1)
        if ((b->m.flags & bit) && analyse_reason_name(bit))
            n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? ";" : "",
                                  analyse_reason_name(bit));
    const char *extra[] = {b->m.rbw_reads_low ? "rbw-reads-low" : NULL,
                           b->m.detector_unsettled ? "detector-unsettled" : NULL,
                           a->settings.excluded_spans ? "excluded-spans" : NULL};
    for (size_t i = 0; i < 3; i++)
        if (extra[i])
            n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? ";" : "",
                                  extra[i]);
}

/* The rows of one analysed piece of evidence: every band it measured (not-applicable bands
 * measured nothing). */
static void meas_write(FILE *f, meas_row *r, const capture_analysis *a)
{
    r->calibration_id = a->calibration_id;
    for (size_t k = 0; k < a->n_bands; k++) {
        r->b = &a->bands[k];
        if (r->b->verdict == VERDICT_NOT_APPLICABLE)
            continue;
        meas_flags_text(a, r->b, r->flags, sizeof r->flags);
        field_csv_row(f, meas_cols, N_MEAS_COLS, r);
    }
}

/* Own captures in manifest order with the model and firmware they measured (the record's, else
 * the register's), then lab results with those of their index row. */
static void write_measurements(const ctx *c, FILE *f)
{
    field_csv_header(f, meas_cols, N_MEAS_COLS);
    for (size_t i = 0; i < c->n_caps; i++) {
        const cap_item *it = &c->caps[i];
        if (!it->ok)
            continue;
        const char *d = json_string_value(json_object_get(it->rec, "device_id"));
        const char *sha = json_string_value(json_object_get(it->rec, "sha256"));
        const char *at = json_string_value(json_object_get(it->rec, "captured_at"));
        uint64_t id;
        const register_row *row = d && eui64_parse(d, strlen(d), &id) == ID_OK
                                      ? register_find_device(c->reg, id)
                                      : NULL;
        const char *mm = json_string_value(json_object_get(it->rec, "measured_model"));
        const char *mf = json_string_value(json_object_get(it->rec, "measured_firmware"));
        meas_row r = {"capture", sha ? sha : "", d ? d : "",
                      mm ? mm : row ? register_string(c->reg, row->model) : "",
                      mm ? (mf ? mf : "") : row ? register_string(c->reg, row->firmware) : "",
                      at ? at : it->res.meta.datetime, NULL, NULL, ""};
        meas_write(f, &r, &it->res);
    }
    for (size_t g = 0; g < c->n_lab; g++)
        for (size_t k = 0; k < c->lab[g].n; k++) {
            meas_row r = {"lab", c->lab[g].source[k], "", c->lab[g].model, c->lab[g].firmware,
                          c->lab[g].res[k].meta.datetime, NULL, NULL, ""};
            meas_write(f, &r, &c->lab[g].res[k]);
        }
}

/* Parse each record's analysis (judged again under this run's set and rule: a cached record
 * or a merged shard was judged when it was made, maybe under another limit set, judge_band.h)
 * and index the captures by device; *n_dc captures of register devices, the rest orphans. */
static void index_captures(ctx *c, validate_totals *tot, dev_cap *dc, size_t *n_dc,
                           size_t *orphans, size_t *unreadable)
{
    for (size_t i = 0; i < c->n_caps; i++) {
        cap_item *it = &c->caps[i];
        json_t *a = json_object_get(it->rec, "analysis");
        if (json_is_object(a)) {
            rfn_error perr;
            if (records_json_read_analysis(a, &it->res, &perr) == RFN_OK &&
                (it->res.settings.decision = c->cfg.decision,
                 judge_capture(c->limits, &it->res, &perr)) == RFN_OK) {
                it->ok = 1;
                if (c->cfg.exclude_bursts && !it->res.settings.exclude_bursts)
                    measured_with_bursts(&it->res);
            }
            else
                analyse_result_free(&it->res);
        }
        if (!it->ok && *unreadable < 10) {
            const char *why = json_string_value(json_object_get(it->rec, "error"));
            snprintf(tot->unreadable[*unreadable], sizeof tot->unreadable[0], "%s", why ? why
                     : it->path);
        }
        *unreadable += !it->ok;
        const char *d = json_string_value(json_object_get(it->rec, "device_id"));
        uint64_t id;
        if (d && eui64_parse(d, strlen(d), &id) == ID_OK && register_find_device(c->reg, id)) {
            dc[*n_dc].device_id = id;
            dc[(*n_dc)++].index = i;
        } else {
            (*orphans)++;
        }
    }
    qsort(dc, *n_dc, sizeof *dc, cmp_dev_cap);
}

/* The verdict of register row `row` (out's model and firmware) from its own captures (a binary
 * search into the sorted (device, index) list dc) and, for the bands no own capture covered,
 * the lab results of its exact model + firmware (classify.h). evid: room for every capture. */
static rfn_status judge_row(ctx *c, const register_row *row, const device_row *out,
                            const dev_cap *dc, size_t n_dc, const capture_analysis **evid,
                            device_verdict *dv, rfn_error *err)
{
    size_t lo = 0, hi = n_dc;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (dc[mid].device_id < row->device_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n_ev = 0, n_aside = 0;
    for (size_t k = lo; k < n_dc && dc[k].device_id == row->device_id; k++) {
        cap_item *it = &c->caps[dc[k].index];
        if (!measured_this_device(it, out->model, out->firmware))
            n_aside++;
        else
            evid[n_ev++] = it->ok ? &it->res : NULL;
    }
    classify_evidence ev = {evid, n_ev, EVIDENCE_CAPTURE};
    const lab_group *lg = NULL;
    for (size_t g = 0; g < c->n_lab && !lg; g++)
        if (!strcasecmp(c->lab[g].manufacturer, out->manufacturer) &&
            !strcasecmp(c->lab[g].model, out->model) && !strcmp(c->lab[g].firmware, out->firmware))
            lg = &c->lab[g];
    classify_evidence lev = {NULL, 0, EVIDENCE_LAB_MODEL};
    const capture_analysis **lp = NULL;
    if (lg) {
        if (!(lp = malloc(lg->n * sizeof *lp)))
            return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < lg->n; k++)
            lp[k] = &lg->res[k];
        lev.results = lp;
        lev.n = lg->n;
    }
    classify_device_info info = {out->manufacturer, out->model, out->firmware,
                                 (csp_region)row->region, (han_variant)row->han, row->postcode,
                                 row->install_date};
    classify_device_evidence(c->limits, c->derog, &info, &ev, &lev, dv);
    free(lp);
    retest_if_changed(n_aside, dv);
    return RFN_OK;
}

/* What every row of a run shares: the limit set, derogation list and rule it was judged
 * against, and the notice's deadlines (README "Remediation"). */
typedef struct run_texts {
    char limit_set[128], derogations[80];
    const char *rule;
    char notice[ISO_DATE_TEXT_LEN], plan[ISO_DATE_TEXT_LEN], remed[ISO_DATE_TEXT_LEN];
} run_texts;

static void run_texts_init(const ctx *c, run_texts *t)
{
    memset(t, 0, sizeof *t);
    applied_texts(c, t->limit_set, sizeof t->limit_set, t->derogations, sizeof t->derogations);
    t->rule = limits_decision_rule_name(
        judge_rule_for(c->limits, &(analysis_settings){.decision = c->cfg.decision}).rule);
    if (c->cfg.notice_date) {
        int32_t nd;
        iso_date_parse(c->cfg.notice_date, strlen(c->cfg.notice_date), &nd);
        iso_date_format(nd, t->notice);
        remediation_deadlines dl = remediation_deadlines_from_notice(nd);
        iso_date_format(dl.plan_due_day, t->plan);
        iso_date_format(dl.removal_due_day, t->remed);
    }
}

/* The counts summary.json gives of the judged and skipped rows. */
typedef struct device_counts {
    json_t *by_verdict, *by_supplier, *by_mf, *by_region, *by_evidence, *skipped;
    uint64_t judged, n_skipped;
} device_counts;

static void device_counts_init(device_counts *k)
{
    *k = (device_counts){json_object(), json_object(), json_object(), json_object(),
                         json_object(), json_object(), 0, 0};
    for (int v = 0; v < DEVICE_VERDICT_COUNT; v++)
        json_object_set_new(k->by_verdict, classify_verdict_name((device_verdict_kind)v),
                            json_integer(0));
}

static void device_counts_add(device_counts *k, const device_row *out)
{
    k->judged++;
    count_key(k->by_verdict, out->verdict);
    count_in(k->by_supplier, out->supplier, out->verdict);
    char key[512];
    snprintf(key, sizeof key, "%s|%s|%s", out->manufacturer, out->model, out->firmware);
    count_in(k->by_mf, key, out->verdict);
    count_in(k->by_region, out->region, out->verdict);
    count_key(k->by_evidence, out->evidence);
}

/* One register row into devices.csv (and noncompliance.csv), or skipped.csv when it is not on
 * the wall; counted in k and tot, and kept for flips.csv in a rejudge. */
static rfn_status write_row(ctx *c, const register_row *row, const run_texts *t,
                            const dev_cap *dc, size_t n_dc, const capture_analysis **evid,
                            FILE *const f[3], device_counts *k, validate_totals *tot,
                            rfn_error *err)
{
    const register_data *reg = c->reg;
    char dev[EUI64_TEXT_LEN], mpxn[14] = "", date[ISO_DATE_TEXT_LEN] = "";
    eui64_format(row->device_id, dev);
    if (row->mpxn_key)
        mpxn_format(row->mpxn_key, mpxn);
    if (row->install_date != REGISTER_NO_DATE)
        iso_date_format(row->install_date, date);
    device_row out = {.supplier = register_string(reg, row->supplier), .mpxn = mpxn,
                      .device = dev, .type = device_type_name((device_type)row->type),
                      .manufacturer = register_string(reg, row->manufacturer),
                      .model = register_string(reg, row->model),
                      .firmware = register_string(reg, row->firmware),
                      .region = csp_region_name((csp_region)row->region),
                      .han = han_variant_name((han_variant)row->han),
                      .postcode = row->postcode, .install_date = date,
                      .status = device_status_name((device_status)row->status)};
    if (!c->cfg.planned && !device_status_in(installed_set(&c->cfg),
                                             (device_status)row->status)) {
        field_csv_row(f[2], skipped_cols, N_COLS(skipped_cols), &out);
        count_key(k->skipped, out.status);
        k->n_skipped++;
        return RFN_OK;
    }
    device_verdict dv;
    rfn_status st = judge_row(c, row, &out, dc, n_dc, evid, &dv, err);
    if (st)
        return st;
    tot->uncalibrated += dv.verdict == DEVICE_INCONCLUSIVE && (dv.reasons & DREASON_UNCALIBRATED);
    char reasons[512];
    classify_reasons_text(dv.reasons, reasons, sizeof reasons);
    /* Every piece of evidence was judged again under this run's set (judge_capture). */
    out.dv = &dv;
    out.verdict = classify_verdict_name(dv.verdict);
    out.reasons = reasons;
    out.evidence = classify_evidence_name(dv.evidence);
    out.limit_set_id = c->limits->id;
    out.limit_set_version = c->limits->version;
    out.limit_set = t->limit_set;
    out.derogations = t->derogations;
    out.rule = t->rule;
    out.notice = t->notice;
    out.plan_due = t->plan;
    out.remediation_due = t->remed;
    field_csv_row(f[0], dev_cols, N_COLS(dev_cols), &out);
    if (dv.verdict == DEVICE_NONCOMPLIANT)
        field_csv_row(f[1], nc_cols, N_COLS(nc_cols), &out);
    if (c->now)
        c->now[c->n_now++] = (flips_new){row->device_id, out.supplier, dv.verdict, dv.margin_db,
                                         dv.reasons};
    tot->by_verdict[dv.verdict]++;
    device_counts_add(k, &out);
    return RFN_OK;
}

/* summary.json of a joined run (README "Validate outputs"); takes the counts' references. */
static json_t *summary_of_run(ctx *c, const run_texts *t, device_counts *k,
                              size_t unreadable, size_t orphans)
{
    const register_summary *rs = register_get_summary(c->reg);
    json_t *by_code = json_object();
    for (int i = 0; i < REGISTER_CODE_COUNT; i++)
        if (rs->rejected_by_code[i])
            json_object_set_new(by_code, register_code_name((register_code)i),
                                json_integer((json_int_t)rs->rejected_by_code[i]));
    json_t *summary = summary_base(c);
    json_object_set_new(summary, "notice_date",
                        c->cfg.notice_date ? json_string(t->notice) : json_null());
    /* cut_off: the list's latest InstallBy, which the workspace report marks and follows the
     * non-compliant installs after (issue 15) */
    int32_t cut = c->derog ? derogation_latest_install_by(c->derog) : INT32_MIN;
    char cut_text[ISO_DATE_TEXT_LEN] = "";
    if (cut != INT32_MIN) iso_date_format(cut, cut_text);
    json_object_set_new(
        summary, "derogation_list",
        c->derog ? json_pack("{s:s, s:I, s:s, s:o}", "path", c->cfg.derogations_path, "rules",
                             (json_int_t)derogation_count(c->derog), "applied", t->derogations,
                             "cut_off", cut_text[0] ? json_string(cut_text) : json_null())
                 : json_null());
    json_object_set_new(summary, "applied",
                        json_pack("{s:s, s:s, s:s}", "limit_set", t->limit_set, "derogations",
                                  t->derogations, "decision_rule", t->rule));
    json_object_set_new(summary, "register",
                        json_pack("{s:I, s:I, s:I, s:s#, s:I, s:I, s:I, s:I, s:I, s:o}",
                                  "lines", (json_int_t)rs->lines, "blank_lines",
                                  (json_int_t)rs->blank_lines, "continuation_lines",
                                  (json_int_t)rs->continuation_lines, "separator", &rs->delim,
                                  (size_t)1, "rows_read",
                                  (json_int_t)rs->rows_read, "rows_accepted",
                                  (json_int_t)rs->rows_accepted, "rows_rejected",
                                  (json_int_t)rs->rows_rejected, "rows_on_wall",
                                  (json_int_t)rs->rows_on_wall, "errors", (json_int_t)rs->errors,
                                  "rejected_by_code", by_code));
    json_object_set_new(summary, "captures",
                        json_pack("{s:I, s:I, s:I}", "listed", (json_int_t)c->n_caps,
                                  "unreadable", (json_int_t)unreadable,
                                  "without_register_device", (json_int_t)orphans));
    json_object_set_new(summary, "devices",
                        json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "judged",
                                  (json_int_t)k->judged, "by_verdict", k->by_verdict,
                                  "by_supplier", k->by_supplier, "by_model_firmware", k->by_mf,
                                  "by_region", k->by_region, "by_evidence", k->by_evidence));
    json_object_set_new(summary, "skipped",
                        json_pack("{s:I, s:o}", "total", (json_int_t)k->n_skipped, "by_status",
                                  k->skipped));
    *k = (device_counts){0};
    return summary;
}

/* What the command prints of the run (validate_totals). */
static void totals_of_run(const ctx *c, const device_counts *k, size_t unreadable,
                          validate_totals *tot)
{
    const register_summary *rs = register_get_summary(c->reg);
    tot->skipped = k->n_skipped;
    tot->rows_read = rs->rows_read;
    tot->lines = rs->lines;
    tot->other_lines = rs->blank_lines + rs->continuation_lines;
    tot->delim = rs->delim;
    snprintf(tot->limits_id, sizeof tot->limits_id, "%s", c->limits->id);
    snprintf(tot->limits_version, sizeof tot->limits_version, "%s", c->limits->version);
    tot->limits_illustrative = c->limits->illustrative != 0;
    tot->rows_accepted = rs->rows_accepted;
    tot->rows_rejected = rs->rows_rejected;
    tot->captures = c->n_caps;
    tot->captures_failed = unreadable;
    tot->no_evidence = c->n_caps == 0 && c->n_lab == 0;
}

/* The join (README "Validate outputs"): captures indexed by device, every register row judged
 * from them and the lab results, each output written through its field table; the data files
 * are committed first and summary.json last, so a summary always describes complete files. */
static rfn_status join_and_write(ctx *c, validate_totals *tot, rfn_error *err)
{
    rfn_status st = RFN_OK;
    dev_cap *dc = malloc((c->n_caps ? c->n_caps : 1) * sizeof *dc);
    const capture_analysis **evid = malloc((c->n_caps + 1) * sizeof *evid);
    size_t n_dc = 0, orphans = 0, unreadable = 0;
    size_t n_rows = register_count(c->reg);
    json_t *summary = NULL;
    out_files o = {{0}};
    device_counts k = {0};
    if (!dc || !evid || (c->cfg.rejudge_of &&
                         !(c->now = malloc((n_rows ? n_rows : 1) * sizeof *c->now)))) {
        st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        goto done;
    }
    index_captures(c, tot, dc, &n_dc, &orphans, &unreadable);
    /* Lab results were judged in the lab, under the limit set of the day: judge their kept
     * measurements against this run's set, like the captures' (issue 14: a what-if run). */
    for (size_t g = 0; g < c->n_lab; g++)
        for (size_t i = 0; i < c->lab[g].n; i++) {
            c->lab[g].res[i].settings.decision = c->cfg.decision;
            if ((st = judge_capture(c->limits, &c->lab[g].res[i], err)))
                goto done;
        }
    if ((st = out_open(&o, c->cfg.out_dir, N_OUT_FILES, err)))
        goto done;
    FILE *f[3] = {atomic_file_stream(o.f[0]), atomic_file_stream(o.f[1]),
                  atomic_file_stream(o.f[2])};
    field_csv_header(f[0], dev_cols, N_COLS(dev_cols));
    field_csv_header(f[1], nc_cols, N_COLS(nc_cols));
    field_csv_header(f[2], skipped_cols, N_COLS(skipped_cols));
    run_texts t;
    run_texts_init(c, &t);
    device_counts_init(&k);
    const register_row *rows = register_rows(c->reg);
    for (size_t r = 0; r < n_rows; r++)
        if ((st = write_row(c, &rows[r], &t, dc, n_dc, evid, f, &k, tot, err)))
            goto done;
    write_captures_jsonl(c, atomic_file_stream(o.f[3]));
    register_errors_write_csv(c->reg, atomic_file_stream(o.f[4]));
    write_measurements(c, atomic_file_stream(o.f[5]));
    totals_of_run(c, &k, unreadable, tot);
    summary = summary_of_run(c, &t, &k, unreadable, orphans);
    for (int i = 0; i < N_OUT_FILES; i++) {
        atomic_file *af = o.f[i];
        o.f[i] = NULL;
        if ((st = atomic_file_commit(af, err)))
            goto done;
    }
    st = write_json_file(c->cfg.out_dir, "summary.json", summary, err);
done:
    out_abort(&o);
    json_decref(summary);
    json_decref(k.by_verdict);
    json_decref(k.by_supplier);
    json_decref(k.by_mf);
    json_decref(k.by_region);
    json_decref(k.by_evidence);
    json_decref(k.skipped);
    free(dc);
    free(evid);
    return st;
}

/* A shard run: its captures' records and a summary naming the shard (merge does the join). */
static rfn_status write_shard(ctx *c, rfn_error *err)
{
    out_files o;
    rfn_status st = out_open(&o, c->cfg.out_dir, 1, err);
    if (st)
        return st;
    write_captures_jsonl(c, atomic_file_stream(o.f[0]));
    atomic_file *f = o.f[0];
    o.f[0] = NULL;
    if ((st = atomic_file_commit(f, err)))
        return st;
    json_t *s = summary_base(c);
    json_object_set_new(s, "captures", json_pack("{s:I}", "listed", (json_int_t)c->n_caps));
    st = write_json_file(c->cfg.out_dir, "summary.json", s, err);
    json_decref(s);
    return st;
}

rfn_status validate_run(const validate_config *cfg, validate_totals *tot, rfn_error *err)
{
    memset(tot, 0, sizeof *tot);
    ctx c;
    memset(&c, 0, sizeof c);
    c.cfg = *cfg;
    /* The inputs are checked before the output folder is made: a bad input leaves nothing. */
    rfn_status st = declare_outputs(cfg->out_dir, err);
    if (!st)
        st = ctx_load(&c, err);
    if (!st)
        st = mkdir_p(cfg->out_dir, err);
    if (!st)
        st = analyse_all(&c, tot, err);
    if (!st && cfg->shard_n) {
        tot->shard_only = true;
        tot->captures = c.n_caps;
        st = write_shard(&c, err);
    } else if (!st) {
        st = join_and_write(&c, tot, err);
    }
    ctx_free(&c);
    return st;
}

rfn_status validate_join_records(const validate_config *cfg, const char *const *records,
                                 size_t n_records, validate_totals *tot, rfn_error *err)
{
    memset(tot, 0, sizeof *tot);
    ctx c;
    memset(&c, 0, sizeof c);
    c.cfg = *cfg;
    c.cfg.manifest_path = c.cfg.captures_dir = NULL;
    c.cfg.shard_n = 0;
    size_t cap = 0;
    rfn_status st = declare_outputs(cfg->out_dir, err);
    if (!st)
        st = ctx_load(&c, err);
    if (!st)
        st = mkdir_p(cfg->out_dir, err);
    for (size_t i = 0; !st && i < n_records; i++) {
        json_error_t je;
        json_t *rec = json_loads(records[i], 0, &je);
        const char *path = json_string_value(json_object_get(rec, "path"));
        if (!rec || !path) {
            json_decref(rec);
            st = rfn_error_set(err, RFN_ERR_FORMAT, "record %zu: not a captures.jsonl record", i);
            break;
        }
        if ((st = add_capture(&c, &cap, path, NULL, NULL, err))) {
            json_decref(rec);
            break;
        }
        c.caps[c.n_caps - 1].rec = rec;
    }
    if (!st)
        st = join_and_write(&c, tot, err);
    ctx_free(&c);
    return st;
}

rfn_status validate_load_manifest(const char *path, const csv_input *in, size_t *n_captures,
                                  rfn_error *err)
{
    ctx c;
    memset(&c, 0, sizeof c);
    if (in)
        c.cfg.input = *in;
    rfn_status st = load_manifest(&c, path, err);
    *n_captures = c.n_caps;
    ctx_free(&c);
    return st;
}

rfn_status validate_load_lab(const char *dir, const csv_input *in, size_t *n_groups,
                             size_t *n_results, rfn_error *err)
{
    ctx c;
    memset(&c, 0, sizeof c);
    if (in)
        c.cfg.input = *in;
    if (!(c.inputs = json_array()))
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    rfn_status st = load_lab(&c, dir, err);
    *n_groups = c.n_lab;
    *n_results = 0;
    for (size_t i = 0; i < c.n_lab; i++)
        *n_results += c.lab[i].n;
    ctx_free(&c);
    return st;
}

/* ---- merge ----------------------------------------------------------------------------------- */

static const char *opt_str(ctx *c, int slot, json_t *opts, const char *key)
{
    const char *v = json_string_value(json_object_get(opts, key));
    c->opt_strings[slot] = xstrdup(v);
    return c->opt_strings[slot];
}

/* c->cfg as the run that wrote summary sum (in dir) was configured, writing to out_dir. */
static rfn_status config_from_summary(ctx *c, json_t *sum, const char *dir, const char *out_dir,
                                      bool quiet, rfn_error *err)
{
    json_t *opts = json_object_get(sum, "options");
    c->cfg = validate_config_default();
    c->cfg.register_path = opt_str(c, 0, opts, "register");
    c->cfg.derogations_path = opt_str(c, 1, opts, "derogations");
    c->cfg.manifest_path = opt_str(c, 2, opts, "manifest");
    c->cfg.captures_dir = opt_str(c, 3, opts, "captures_dir");
    c->cfg.lab_dir = opt_str(c, 4, opts, "lab_results");
    c->cfg.limits_path = opt_str(c, 5, opts, "limits");
    c->cfg.cal_path = opt_str(c, 6, opts, "cal");
    c->cfg.cal_dir = opt_str(c, 7, opts, "cal_dir");
    c->cfg.notice_date = opt_str(c, 8, opts, "notice_date");
    json_t *cd = json_object_get(opts, "cal_db");
    c->cfg.cal_db = json_is_number(cd) ? json_number_value(cd) : NAN;
    c->cfg.planned = json_is_true(json_object_get(opts, "planned"));
    c->cfg.strict = json_is_true(json_object_get(opts, "strict"));
    c->cfg.exclude_bursts = json_is_true(json_object_get(opts, "exclude_bursts"));
    const char *enc = json_string_value(json_object_get(opts, "encoding"));
    const char *dfm = json_string_value(json_object_get(opts, "date_format"));
    if (enc)
        csv_encoding_parse(enc, &c->cfg.input.encoding);
    if (dfm)
        date_order_parse(dfm, &c->cfg.input.dates);
    const char *ins = json_string_value(json_object_get(opts, "installed_statuses"));
    size_t bad_at;
    if (ins && device_statuses_parse(ins, &c->cfg.installed_statuses, &bad_at) != ID_OK)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s/summary.json: installed_statuses '%s'",
                             dir, ins);
    const char *rule = json_string_value(json_object_get(opts, "decision_rule"));
    if (rule && limits_decision_rule_from_name(rule, &c->cfg.decision.rule))
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s/summary.json: decision_rule '%s'", dir,
                             rule);
    json_t *u = json_object_get(opts, "uncertainty_db");
    c->cfg.decision.has_uncertainty = json_is_number(u);
    c->cfg.decision.uncertainty_db = json_is_number(u) ? json_number_value(u) : NAN;
    c->cfg.quiet = quiet;
    c->cfg.out_dir = out_dir;
    if (!c->cfg.register_path)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s/summary.json: no register in options", dir);
    return RFN_OK;
}

/* dirs[i]/summary.json into sums[i]: a shard K/N of the same run as dirs[0] (same N, settings,
 * options, inputs and mode), not given twice; seen (N flags) is allocated at the first. */
static rfn_status load_shard_summary(const char *const *dirs, size_t i, json_t **sums,
                                     int **seen, size_t *shard_n, rfn_error *err)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/summary.json", dirs[i]);
    json_error_t je;
    sums[i] = io_json_load(path, &je);
    json_t *sh = json_object_get(sums[i], "shard");
    if (!sums[i])
        return rfn_error_set(err, RFN_ERR_NOTFOUND, "%s: %s", path, je.text);
    if (!json_is_object(sh))
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: not a shard (run validate --shard K/N)",
                             dirs[i]);
    size_t k = (size_t)json_integer_value(json_object_get(sh, "k"));
    size_t n = (size_t)json_integer_value(json_object_get(sh, "n"));
    if (i == 0) {
        *shard_n = n;
        *seen = calloc(n ? n : 1, sizeof **seen);
        if (!*seen)
            return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    } else {
        const char *keys[] = {"settings_sha256", "options", "inputs", "mode"};
        if (n != *shard_n)
            return rfn_error_set(err, RFN_ERR_CONFLICT, "%s is shard %zu/%zu but %s is of %zu",
                                 dirs[i], k, n, dirs[0], *shard_n);
        for (size_t q = 0; q < 4; q++)
            if (!json_equal(json_object_get(sums[i], keys[q]),
                            json_object_get(sums[0], keys[q])))
                return rfn_error_set(err, RFN_ERR_CONFLICT, "%s and %s differ in %s: shards of "
                                     "different runs cannot be merged", dirs[0], dirs[i],
                                     keys[q]);
    }
    if (k >= *shard_n || (*seen)[k])
        return rfn_error_set(err, RFN_ERR_CONFLICT, "%s: shard %zu/%zu %s", dirs[i], k, *shard_n,
                             k >= *shard_n ? "out of range" : "given twice");
    (*seen)[k] = 1;
    return RFN_OK;
}

/* Every shard 0 ... N-1 given: else one error listing the missing ones. */
static rfn_status check_no_shard_missing(const int *seen, size_t shard_n, rfn_error *err)
{
    char missing[512] = "";
    size_t used = 0, n_missing = 0;
    for (size_t k = 0; k < shard_n; k++)
        if (!seen[k]) {
            n_missing++;
            int w = snprintf(missing + used, used < sizeof missing ? sizeof missing - used : 0,
                             "%s%zu/%zu", used ? ", " : "", k, shard_n);
            if (w > 0)
                used += (size_t)w;
        }
    if (n_missing)
        return rfn_error_set(err, RFN_ERR_NOTFOUND, "missing shard%s %s",
                             n_missing > 1 ? "s" : "", missing);
    return RFN_OK;
}

/* One shard's captures.jsonl: each record to its capture by index (each capture in one shard). */
static rfn_status read_shard_captures(ctx *c, const char *dir, rfn_error *err)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/captures.jsonl", dir);
    FILE *f;
    rfn_status st;
    if ((st = io_fopen_input(path, &f, NULL, err)))
        return st;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    uint64_t lineno = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        lineno++;
        json_t *rec = json_loads(line, 0, NULL);
        json_t *ix = json_object_get(rec, "index");
        size_t index = json_is_integer(ix) ? (size_t)json_integer_value(ix) : SIZE_MAX;
        if (index >= c->n_caps || c->caps[index].rec) {
            json_decref(rec);
            free(line);
            fclose(f);
            return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: %s", path,
                                 (unsigned long long)lineno,
                                 index >= c->n_caps ? "bad or missing capture index"
                                                    : "capture given by two shards");
        }
        c->caps[index].rec = rec;
    }
    free(line);
    fclose(f);
    return RFN_OK;
}

/* The shards' records, every capture of the run in one of them. */
static rfn_status read_shards_captures(ctx *c, const char *const *dirs, size_t n_dirs,
                                       rfn_error *err)
{
    rfn_status st;
    for (size_t i = 0; i < n_dirs; i++)
        if ((st = read_shard_captures(c, dirs[i], err)))
            return st;
    for (size_t i = 0; i < c->n_caps; i++)
        if (!c->caps[i].rec)
            return rfn_error_set(err, RFN_ERR_NOTFOUND, "capture %zu (%s) is in no shard's "
                                 "captures.jsonl", i, c->caps[i].path);
    return RFN_OK;
}

rfn_status validate_merge(const char *const *dirs, size_t n_dirs, const char *out_dir, bool quiet,
                          validate_totals *tot, rfn_error *err)
{
    memset(tot, 0, sizeof *tot);
    rfn_status st = RFN_OK;
    json_t **sums = calloc(n_dirs ? n_dirs : 1, sizeof *sums);
    ctx c;
    memset(&c, 0, sizeof c);
    int *seen = NULL;
    size_t shard_n = 0;
    if (!sums)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    if ((st = declare_outputs(out_dir, err)))
        goto done;
    for (size_t i = 0; i < n_dirs; i++)
        if ((st = load_shard_summary(dirs, i, sums, &seen, &shard_n, err)))
            goto done;
    if (!n_dirs) {
        st = rfn_error_set(err, RFN_ERR_INVALID, "no shard directory given");
        goto done;
    }
    if ((st = check_no_shard_missing(seen, shard_n, err)))
        goto done;
    /* Rebuild the run's configuration from the shards' options and reload its inputs. */
    if ((st = config_from_summary(&c, sums[0], dirs[0], out_dir, quiet, err)))
        goto done;
    if ((st = ctx_load(&c, err)) || (st = mkdir_p(out_dir, err)))
        goto done;
    if (!json_equal(c.inputs, json_object_get(sums[0], "inputs")) ||
        strcmp(c.settings_sha, json_string_value(json_object_get(sums[0], "settings_sha256")))) {
        st = rfn_error_set(err, RFN_ERR_CONFLICT, "the inputs or settings changed since the "
                           "shards ran (compare the inputs' sha256 in %s/summary.json)", dirs[0]);
        goto done;
    }
    if ((st = read_shards_captures(&c, dirs, n_dirs, err)))
        goto done;
    st = join_and_write(&c, tot, err);
done:
    for (size_t i = 0; i < n_dirs; i++)
        json_decref(sums ? sums[i] : NULL);
    free(sums);
    free(seen);
    ctx_free(&c);
    return st;
}

/* The records of path (captures.jsonl), in order, as the ctx's captures. */
static rfn_status load_records(ctx *c, const char *path, rfn_error *err)
{
    FILE *f;
    rfn_status st = io_fopen_input(path, &f, NULL, err);
    if (st)
        return st;
    char *line = NULL;
    size_t cap = 0, n_cap = 0;
    uint64_t lineno = 0;
    while (!st && getline(&line, &cap, f) > 0) {
        lineno++;
        json_t *rec = json_loads(line, 0, NULL);
        const char *p = json_string_value(json_object_get(rec, "path"));
        if (!p) {
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: not a captures.jsonl record", path,
                               (unsigned long long)lineno);
        } else if (!(st = add_capture(c, &n_cap, p, NULL, NULL, err))) {
            c->caps[c->n_caps - 1].rec = rec;
            rec = NULL;
        }
        json_decref(rec);
    }
    free(line);
    fclose(f);
    return st;
}

/* The SHA-256 the summary sum records for the input with this role, or "". */
static const char *summary_input_sha256(json_t *sum, const char *role)
{
    json_t *in = json_object_get(sum, "inputs");
    for (size_t i = 0; i < json_array_size(in); i++) {
        json_t *e = json_array_get(in, i);
        if (!strcmp(json_string_value(json_object_get(e, "role")), role))
            return json_string_value(json_object_get(e, "sha256"));
    }
    return "";
}

/* The configuration of a rejudge: the results' own, less everything that reads captures (the
 * kept measurements are already calibrated), with rc's overrides. */
static rfn_status rejudge_config_apply(ctx *c, json_t *sum, const rejudge_config *rc,
                                       rfn_error *err)
{
    rfn_status st = config_from_summary(c, sum, rc->results_dir, rc->out_dir, rc->quiet, err);
    if (st)
        return st;
    c->cfg.manifest_path = c->cfg.captures_dir = c->cfg.cal_path = c->cfg.cal_dir = NULL;
    c->cfg.cal_db = NAN;
    c->cfg.rejudge_of = rc->results_dir;
    if (rc->register_path)
        c->cfg.register_path = rc->register_path;
    if (rc->derogations_path)
        c->cfg.derogations_path = rc->derogations_path;
    if (rc->limits_path)
        c->cfg.limits_path = rc->limits_path;
    if (rc->notice_date)
        c->cfg.notice_date = rc->notice_date;
    if (rc->installed_statuses)
        c->cfg.installed_statuses = rc->installed_statuses;
    if (rc->exclude_bursts)
        c->cfg.exclude_bursts = true;
    if (rc->decision.rule != DECISION_FROM_LIMITS)
        c->cfg.decision.rule = rc->decision.rule;
    if (rc->decision.has_uncertainty) {
        c->cfg.decision.has_uncertainty = 1;
        c->cfg.decision.uncertainty_db = rc->decision.uncertainty_db;
    }
    return RFN_OK;
}

/* The old verdicts, read on the second core while the register loads and devices are judged
 * (they take about a quarter of a rejudge of a 1M-row register). */
typedef struct old_reader {
    const char *dir;
    flips_old *old;
    rfn_error err;
    rfn_status st;
} old_reader;

static void *read_old(void *arg)
{
    old_reader *r = arg;
    r->st = flips_old_load(r->dir, &r->old, &r->err);
    return NULL;
}

/* Everything of a rejudge after its summary was read: c configured, old verdicts read beside. */
static rfn_status rejudge_ctx(ctx *c, json_t *sum, const rejudge_config *rc,
                              validate_totals *tot, rfn_error *err)
{
    old_reader rd = {rc->results_dir, NULL, {0}, RFN_OK};
    pthread_t th;
    int threaded = pthread_create(&th, NULL, read_old, &rd) == 0;
    if (!threaded)
        read_old(&rd);
    rfn_status st = ctx_load(c, err);
    /* The register named in the results must be the one they were judged with, or a newer
     * extract given on purpose with --register. */
    if (!st && !rc->register_path &&
        strcmp(input_sha256(c, "register"), summary_input_sha256(sum, "register")))
        st = rfn_error_set(err, RFN_ERR_CONFLICT, "%s changed since %s was made (its sha256 "
                           "differs from summary.json's): give --register to judge against it",
                           c->cfg.register_path, rc->results_dir);
    char path[4400];
    snprintf(path, sizeof path, "%s/captures.jsonl", rc->results_dir);
    if (!st)
        st = mkdir_p(rc->out_dir, err);
    if (!st)
        st = load_records(c, path, err);
    if (!st)
        st = join_and_write(c, tot, err);
    if (threaded)
        pthread_join(th, NULL);
    if (!st && rd.st) {
        st = rd.st;
        *err = rd.err;
    }
    if (!st)
        st = flips_write(rd.old, c->now, c->n_now, rc->out_dir, err);
    flips_old_free(rd.old);
    return st;
}

rfn_status validate_rejudge(const rejudge_config *rc, validate_totals *tot, rfn_error *err)
{
    memset(tot, 0, sizeof *tot);
    ctx c;
    memset(&c, 0, sizeof c);
    char path[4400];
    snprintf(path, sizeof path, "%s/summary.json", rc->results_dir);
    json_error_t je;
    json_t *sum = NULL;
    static const char *const flips[] = {"flips.csv"};
    rfn_status st = declare_outputs(rc->out_dir, err);
    if (!st)
        st = io_declare_outputs_in(rc->out_dir, flips, 1, err);
    if (!st && !(sum = io_json_load(path, &je)))
        st = rfn_error_set(err, RFN_ERR_NOTFOUND, "%s: %s", path, je.text);
    if (!st && json_is_object(json_object_get(sum, "shard")))
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s is one shard of a run: rejudge the output "
                           "of rfnoise merge", rc->results_dir);
    if (!st)
        st = rejudge_config_apply(&c, sum, rc, err);
    if (!st)
        st = rejudge_ctx(&c, sum, rc, tot, err);
    json_decref(sum);
    ctx_free(&c);
    return st;
}
