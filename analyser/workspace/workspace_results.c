/* SPDX-License-Identifier: GPL-2.0-or-later */
/* workspace_results.c: read a validate output directory into one workspace result set. */
#include "workspace_results.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "classify.h"
#include "csv_read.h"
#include "hash.h"
#include "identifiers.h"
#include "io_guard.h"

enum {
    C_DEVICE_ID,
    C_SUPPLIER,
    C_MPXN,
    C_VERDICT,
    C_TYPE,
    C_MANUFACTURER,
    C_MODEL,
    C_FIRMWARE,
    C_REGION,
    C_HAN,
    C_POSTCODE,
    C_INSTALL_DATE,
    C_STATUS,
    C_REASONS,
    C_WORST_BAND,
    C_MEASURED,
    C_LIMIT,
    C_UNIT,
    C_MARGIN,
    C_EVIDENCE,
    C_N_CAPTURES,
    C_DEROGATION_REF,
    C_LIMIT_SET_ID,
    C_LIMIT_SET_VERSION,
    C_COUNT,
    C_REQUIRED = 4 /* the first four must be present */
};

static const char *const col_names[C_COUNT] = {"DeviceID",     "Supplier",
                                               "ImportMPxN",   "verdict",
                                               "DeviceType",   "DeviceManufacturer",
                                               "DeviceModel",  "DeviceFirmwareVersion",
                                               "CSPRegion",    "HANVariant",
                                               "PostCode",     "InstallDate",
                                               "DeviceStatus", "reasons",
                                               "worst_band",   "measured",
                                               "limit",        "unit",
                                               "margin_db",    "evidence",
                                               "n_captures",   "derogation_ref",
                                               "limit_set_id", "limit_set_version"};

/* Summary fields, each from the first of several spellings found. */
static void summary_text(json_t *root, const char *key, const char *obj, const char *sub, char *out,
                         size_t cap)
{
    json_t *v = json_object_get(root, key);
    if (!json_is_string(v) && obj) {
        json_t *o = json_object_get(root, obj);
        v = json_is_object(o) ? json_object_get(o, sub) : NULL;
    }
    if (json_is_string(v))
        snprintf(out, cap, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, cap, "%lld", (long long)json_integer_value(v));
}

/* validate wrote its text cells through csv_util, which puts "'" before a cell starting with
 * = + - @ or a control character: read back, that quote is not part of the value (the register
 * snapshot holds the value without it, and cases must name the same Supplier). */
static const char *unneutralise(const char *cell)
{
    if (cell[0] == '\'' && cell[1] &&
        (strchr("=+-@", cell[1]) || (unsigned char)cell[1] < 0x20 || cell[1] == 0x7f))
        return cell + 1;
    return cell;
}

static rfn_status parse_number(const char *file, uint64_t line, const char *col, const char *s,
                               double *out, rfn_error *err)
{
    if (!*s) {
        *out = NAN;
        return RFN_OK;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v))
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: %s '%s' is not a number", file,
                             (unsigned long long)line, col, s);
    *out = v;
    return RFN_OK;
}

static rfn_status read_captures(store *s, const char *path, workspace_results_summary *out,
                                rfn_error *err)
{
    FILE *f;
    rfn_status ost = io_fopen_input(path, &f, NULL, err);
    if (ost)
        return ost == RFN_ERR_NOTFOUND ? RFN_OK : ost;
    rfn_status r = RFN_OK;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    uint64_t lineno = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0) continue;
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)len, 0, &je);
        if (!json_is_object(o)) {
            json_decref(o);
            r = rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: not a JSON object (%s)", path,
                              (unsigned long long)lineno, o ? "wrong type" : je.text);
            break;
        }
        const char *sha = json_string_value(json_object_get(o, "sha256"));
        const char *settings = json_string_value(json_object_get(o, "settings_hash"));
        if (!settings) settings = json_string_value(json_object_get(o, "settings_sha256"));
        const char *cpath = json_string_value(json_object_get(o, "path"));
        const char *dev = json_string_value(json_object_get(o, "device_id"));
        uint64_t device_id = 0;
        if (!sha || !*sha || !settings) {
            json_decref(o);
            r = rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: sha256 or settings_hash missing", path,
                              (unsigned long long)lineno);
            break;
        }
        if (dev && *dev && eui64_parse(dev, strlen(dev), &device_id) != ID_OK) device_id = 0;
        store_capture c = {.sha256 = sha,
                           .settings_hash = settings,
                           .path = cpath ? cpath : "",
                           .device_id = device_id,
                           .result_json = line};
        bool was_new = false;
        r = store_results_capture(s, &c, &was_new, err);
        json_decref(o);
        if (r) break;
        out->captures++;
        out->captures_new += was_new;
    }
    if (!r && ferror(f)) r = rfn_error_set(err, RFN_ERR_IO, "%s: read error", path);
    free(line);
    fclose(f);
    return r;
}

/* measurements.csv (validate since issue 14; older outputs have none): every kept band
 * measurement into the result set, so the workspace holds what its verdicts were made from. */
static rfn_status read_measurements(store *s, const char *dir, workspace_results_summary *out,
                                    rfn_error *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/measurements.csv", dir);
    if (access(path, F_OK) != 0)
        return RFN_OK;
    csv_read_config cfg = csv_read_config_default();
    csv_reader *rd = NULL;
    csv_record rec;
    int idx[STORE_MEASUREMENT_COLS];
    rfn_status r = csv_reader_open(path, &cfg, &rd, err);
    if (!r && (r = csv_reader_next(rd, &rec, err)) == RFN_ERR_EOF)
        r = rfn_error_set(err, RFN_ERR_FORMAT, "%s: empty file", path);
    if (!r)
        r = csv_header_map(&rec, path, store_measurement_cols, STORE_MEASUREMENT_COLS, idx, err);
    while (!r && (r = csv_reader_next(rd, &rec, err)) == RFN_OK) {
        if (rec.ragged || rec.bad_quotes) {
            r = rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: %s", path,
                              (unsigned long long)rec.line,
                              rec.bad_quotes ? "malformed quoting" : "wrong number of fields");
            break;
        }
        const char *cells[STORE_MEASUREMENT_COLS];
        for (int i = 0; i < STORE_MEASUREMENT_COLS; i++)
            cells[i] = idx[i] >= 0 ? unneutralise(rec.fields[idx[i]]) : "";
        if ((r = store_results_measurement(s, cells, err)))
            rfn_error_prefix(err, "%s:%llu: ", path, (unsigned long long)rec.line);
        else
            out->measurements++;
    }
    csv_reader_destroy(rd);
    return r == RFN_ERR_EOF ? RFN_OK : r;
}

/* Where a result set came from: summary.json's fields, else devices.csv's first row's. */
typedef struct results_provenance {
    char summary_sha[HASH_HEX_MAX];
    char tool_version[128], ls_id[128], ls_version[128], derog[256];
    bool illustrative;
    int32_t cut_off; /* derogation_list.cut_off; STORE_NO_DATE when none */
} results_provenance;

/* summary.json (optional: an older output may lack it): its hash and provenance, and the
 * register's SHA-256 into out. */
static rfn_status read_summary(const char *summary_path, results_provenance *p,
                               workspace_results_summary *out, rfn_error *err)
{
    json_error_t je;
    json_t *sum = io_json_load(summary_path, &je);
    if (!sum)
        return RFN_OK;
    rfn_status r;
    if ((r = hash_sha256_file(summary_path, p->summary_sha, err))) {
        json_decref(sum);
        return r;
    }
    summary_text(sum, "tool_version", "tool", "version", p->tool_version, sizeof p->tool_version);
    summary_text(sum, "limit_set_id", "limit_set", "id", p->ls_id, sizeof p->ls_id);
    summary_text(sum, "limit_set_version", "limit_set", "version", p->ls_version,
                 sizeof p->ls_version);
    summary_text(sum, "derogation_ref", "derogation_list", "version", p->derog, sizeof p->derog);
    p->illustrative = json_is_true(json_object_get(json_object_get(sum, "limit_set"),
                                                   "illustrative"));
    const char *cut = json_string_value(
        json_object_get(json_object_get(sum, "derogation_list"), "cut_off"));
    if (cut && iso_date_parse(cut, strlen(cut), &p->cut_off) != ID_OK)
        p->cut_off = STORE_NO_DATE;
    /* validate names the derogation list by its input file: keep path and SHA-256 */
    json_t *inputs = json_object_get(sum, "inputs");
    for (size_t i = 0; json_is_array(inputs) && i < json_array_size(inputs); i++) {
        json_t *in = json_array_get(inputs, i);
        const char *role = json_string_value(json_object_get(in, "role"));
        const char *path = json_string_value(json_object_get(in, "path"));
        const char *sha = json_string_value(json_object_get(in, "sha256"));
        if (!p->derog[0] && role && !strcmp(role, "derogations") && path && sha)
            snprintf(p->derog, sizeof p->derog, "%s sha256:%.16s", path, sha);
        if (role && !strcmp(role, "register") && sha)
            snprintf(out->register_sha256, sizeof out->register_sha256, "%s", sha);
    }
    json_decref(sum);
    return RFN_OK;
}

/* devices.csv opened and its header read: the header decides the columns (idx), the required
 * ones must be there. On failure nothing is left open. */
static rfn_status open_devices(const char *devices_path, csv_reader **rd, int idx[C_COUNT],
                               rfn_error *err)
{
    csv_read_config cfg = csv_read_config_default();
    csv_record rec;
    rfn_status r;
    *rd = NULL;
    if ((r = csv_reader_open(devices_path, &cfg, rd, err))) return r;
    if ((r = csv_reader_next(*rd, &rec, err))) {
        if (r == RFN_ERR_EOF)
            r = rfn_error_set(err, RFN_ERR_FORMAT, "%s: empty file", devices_path);
    } else if (!(r = csv_header_map(&rec, devices_path, col_names, C_COUNT, idx, err))) {
        for (int i = 0; i < C_REQUIRED && !r; i++)
            if (idx[i] < 0)
                r = rfn_error_set(err, RFN_ERR_FORMAT, "%s:1: column %s missing", devices_path,
                                  col_names[i]);
    }
    if (r) {
        csv_reader_destroy(*rd);
        *rd = NULL;
    }
    return r;
}

/* Provenance fields the summary lacks, from devices.csv's first row. */
static void provenance_from_row(results_provenance *p, const csv_record *rec, const int *idx)
{
    if (!p->ls_id[0] && idx[C_LIMIT_SET_ID] >= 0)
        snprintf(p->ls_id, sizeof p->ls_id, "%s", rec->fields[idx[C_LIMIT_SET_ID]]);
    if (!p->ls_version[0] && idx[C_LIMIT_SET_VERSION] >= 0)
        snprintf(p->ls_version, sizeof p->ls_version, "%s", rec->fields[idx[C_LIMIT_SET_VERSION]]);
    if (!p->derog[0] && idx[C_DEROGATION_REF] >= 0)
        snprintf(p->derog, sizeof p->derog, "%s", rec->fields[idx[C_DEROGATION_REF]]);
}

/* One row of devices.csv into the store's open result set: a known verdict, an EUI-64 DeviceID,
 * an ISO date and numbers where there are any, else the file and line of what is wrong. */
static rfn_status add_device_row(store *s, const char *devices_path, const csv_record *rec,
                                 const int *idx, workspace_results_summary *out, rfn_error *err)
{
    rfn_status r;
    unsigned long long line = (unsigned long long)rec->line;
    if (rec->ragged || rec->bad_quotes)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: %s", devices_path, line,
                             rec->bad_quotes ? "malformed quoting" : "wrong number of fields");
    const char *f[C_COUNT];
    for (int i = 0; i < C_COUNT; i++)
        f[i] = idx[i] >= 0 ? unneutralise(rec->fields[idx[i]]) : "";
    store_verdict v = {.supplier = f[C_SUPPLIER],
                       .mpxn = f[C_MPXN],
                       .device_type = f[C_TYPE],
                       .manufacturer = f[C_MANUFACTURER],
                       .model = f[C_MODEL],
                       .firmware = f[C_FIRMWARE],
                       .region = f[C_REGION],
                       .han = f[C_HAN],
                       .postcode = f[C_POSTCODE],
                       .status = f[C_STATUS],
                       .verdict = f[C_VERDICT],
                       .reasons = f[C_REASONS],
                       .worst_band = f[C_WORST_BAND],
                       .unit = f[C_UNIT],
                       .evidence = f[C_EVIDENCE],
                       .derogation_ref = f[C_DEROGATION_REF],
                       .limit_set_id = f[C_LIMIT_SET_ID],
                       .limit_set_version = f[C_LIMIT_SET_VERSION],
                       .install_date = STORE_NO_DATE};
    if (eui64_parse(f[C_DEVICE_ID], strlen(f[C_DEVICE_ID]), &v.device_id) != ID_OK)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: DeviceID '%s' is not an EUI-64",
                             devices_path, line, f[C_DEVICE_ID]);
    device_verdict_kind vi = classify_verdict_from_name(v.verdict);
    if (vi == DEVICE_VERDICT_COUNT)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: unknown verdict '%s'", devices_path,
                             line, v.verdict);
    if (*f[C_INSTALL_DATE] && iso_date_parse(f[C_INSTALL_DATE], strlen(f[C_INSTALL_DATE]),
                                             &v.install_date) != ID_OK)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: InstallDate '%s' is not a date",
                             devices_path, line, f[C_INSTALL_DATE]);
    double nc = NAN;
    if ((r = parse_number(devices_path, rec->line, "measured", f[C_MEASURED], &v.measured,
                          err)) ||
        (r = parse_number(devices_path, rec->line, "limit", f[C_LIMIT], &v.limit, err)) ||
        (r = parse_number(devices_path, rec->line, "margin_db", f[C_MARGIN], &v.margin_db,
                          err)) ||
        (r = parse_number(devices_path, rec->line, "n_captures", f[C_N_CAPTURES], &nc, err)))
        return r;
    v.n_captures = isfinite(nc) ? (int64_t)nc : 0;
    if ((r = store_results_verdict(s, &v, err))) {
        rfn_error_prefix(err, "%s:%llu: ", devices_path, line);
        return r;
    }
    out->devices++;
    out->by_verdict[vi]++;
    return RFN_OK;
}

rfn_status workspace_add_results(store *s, const char *dir, workspace_results_summary *out,
                                 rfn_error *err)
{
    memset(out, 0, sizeof *out);
    char devices_path[1200], summary_path[1200], captures_path[1200];
    snprintf(devices_path, sizeof devices_path, "%s/devices.csv", dir);
    snprintf(summary_path, sizeof summary_path, "%s/summary.json", dir);
    snprintf(captures_path, sizeof captures_path, "%s/captures.jsonl", dir);

    char devices_sha[HASH_HEX_MAX];
    results_provenance prov = {.summary_sha = "", .cut_off = STORE_NO_DATE};
    rfn_status r = hash_sha256_file(devices_path, devices_sha, err);
    if (r) return r;
    if ((r = read_summary(summary_path, &prov, out, err))) return r;

    /* First pass over devices.csv is the import itself; the header decides the columns. */
    csv_reader *rd = NULL;
    csv_record rec;
    int idx[C_COUNT];
    if ((r = open_devices(devices_path, &rd, idx, err))) return r;

    /* Provenance fields the summary lacks come from the first row: read it before begin. */
    store_results_info info = {.dir = dir,
                               .devices_sha256 = devices_sha,
                               .summary_sha256 = prov.summary_sha,
                               .tool_version = prov.tool_version,
                               .limit_set_id = prov.ls_id,
                               .limit_set_version = prov.ls_version,
                               .derogation_ref = prov.derog,
                               .limit_set_illustrative = prov.illustrative,
                               .derogation_cut_off = prov.cut_off};
    rfn_status rr = csv_reader_next(rd, &rec, err);
    bool have_row = rr == RFN_OK;
    if (rr && rr != RFN_ERR_EOF) {
        csv_reader_destroy(rd);
        return rr;
    }
    if (have_row && !rec.ragged)
        provenance_from_row(&prov, &rec, idx);
    if ((r = store_results_begin(s, &info, &out->result_set_id, &out->already, err))) {
        csv_reader_destroy(rd);
        return r;
    }
    if (out->already) {
        csv_reader_destroy(rd);
        return RFN_OK;
    }
    for (; have_row; have_row = (rr = csv_reader_next(rd, &rec, err)) == RFN_OK)
        if ((r = add_device_row(s, devices_path, &rec, idx, out, err)))
            goto fail;
    if (rr != RFN_ERR_EOF) {
        r = rr;
        goto fail;
    }
    csv_reader_destroy(rd);
    rd = NULL;
    if ((r = read_captures(s, captures_path, out, err))) goto fail;
    if ((r = read_measurements(s, dir, out, err))) goto fail;
    return store_results_commit(s, &out->changes, err);
fail:
    csv_reader_destroy(rd);
    store_results_abort(s);
    return r;
}
