/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_validate_inputs.c: validate's manifest and lab-results readers on their own
 * (validate_load_manifest, validate_load_lab): what they accept, and the one-line messages of
 * what they refuse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "validate.h"

static char dir[] = "/tmp/test_validate_inputs_XXXXXX";

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (!fp) return;
    fputs(text, fp);
    fclose(fp);
}

static const char result_ok[] =
    "{\"captures\": [{\"capture\": {\"path\": \"c.sigmf-meta\"}, \"limits\": {\"id\": \"x\"},"
    " \"bands\": [{\"id\": \"han-868\", \"verdict\": \"pass\", \"measured\": -110}]}]}";

static void manifest(void)
{
    char path[256];
    size_t n = 99;
    rfn_error err = {0};
    snprintf(path, sizeof path, "%s/manifest.csv", dir);
    put("manifest.csv", "capture,DeviceID,captured_at\n"
                        "a.sigmf-meta,00-1A-2B-3C-4D-5E-6F-70,2021-06-01T10:00:00Z\n"
                        "b.wav,001A2B3C4D5E6F71,\n");
    CHECK_OK(validate_load_manifest(path, NULL, &n, &err));
    CHECK(n == 2);

    put("manifest.csv", "capture,DeviceID\na.wav,zz\n");
    CHECK(validate_load_manifest(path, NULL, &n, &err) == RFN_ERR_FORMAT);
    char want[400];
    snprintf(want, sizeof want, "%s:2: DeviceID 'zz': ", path);
    CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);

    /* An impossible date is an input error naming the file, line and field (issue 16 item 5). */
    put("manifest.csv", "capture,DeviceID,captured_at\n"
                        "a.wav,00-1A-2B-3C-4D-5E-6F-70,2023-13-45\n");
    CHECK(validate_load_manifest(path, NULL, &n, &err) == RFN_ERR_FORMAT);
    snprintf(want, sizeof want, "%s:2: captured_at '2023-13-45': not a date", path);
    CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
}

static void lab(void)
{
    size_t groups = 99, results = 99;
    rfn_error err = {0};
    put("index.csv", "result,Manufacturer,Model,Firmware\n"
                     "r.json,Acme,AM-1,1.0\nr.json,ACME,am-1,1.0\nr.json,Acme,AM-1,1.1\n");
    put("r.json", result_ok);
    CHECK_OK(validate_load_lab(dir, NULL, &groups, &results, &err));
    CHECK(groups == 2 && results == 3);

    /* A capture record that is not one: the message names the file, the element and the reason
     * (it used to be formatted from itself and lost the reason). */
    put("r.json", "{\"captures\": [3]}");
    CHECK(validate_load_lab(dir, NULL, &groups, &results, &err) == RFN_ERR_FORMAT);
    char want[400];
    snprintf(want, sizeof want, "%s/r.json: captures[0]: not an rfnoise analyse result", dir);
    CHECK_MSG(strcmp(err.msg, want) == 0, "%s", err.msg);

    put("r.json", "{\"captures\": {}}");
    CHECK(validate_load_lab(dir, NULL, &groups, &results, &err) == RFN_ERR_FORMAT);
    snprintf(want, sizeof want, "%s/r.json: not an rfnoise analyse JSON result", dir);
    CHECK_MSG(strcmp(err.msg, want) == 0, "%s", err.msg);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    manifest();
    lab();
    static const char *const names[] = {"manifest.csv", "index.csv", "r.json"};
    for (size_t i = 0; i < 3; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    return check_finish();
}
