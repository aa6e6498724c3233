/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_report.c: Supplier names become safe, bounded file-name parts for remediation plans. */
#include <string.h>

#include "check.h"
#include "report.h"
#include "report_reasons.h"

static void check_name(const char *in, const char *want)
{
    char out[64];
    report_sanitise_name(in, out, sizeof out);
    CHECK_MSG(strcmp(out, want) == 0, "'%s' -> '%s', wanted '%s'", in, out, want);
}

/* The primary reason of a non-compliant verdict: the first of the list that applies. */
static void check_reasons(void)
{
    unsigned all;
    CHECK(nc_reason_of("exceeds-limit;model-not-derogated", "lab-model", &all) ==
          NC_MODEL_NEVER_DEROGATED);
    CHECK(all == (1u << NC_MODEL_NEVER_DEROGATED | 1u << NC_NO_EVIDENCE_BEFORE_INSTALL));
    CHECK(nc_reason_of("exceeds-limit;model-not-derogated;firmware-not-covered", "capture",
                       &all) == NC_FIRMWARE_NOT_COVERED);
    CHECK(all == 1u << NC_FIRMWARE_NOT_COVERED);
    /* several bands: the union, the earlier reason of the list is primary */
    CHECK(nc_reason_of("exceeds-limit;location-not-acceptable;installed-after-cutoff",
                       "capture+lab-model", &all) == NC_INSTALLED_AFTER_CUTOFF);
    CHECK(all == (1u << NC_INSTALLED_AFTER_CUTOFF | 1u << NC_OUTSIDE_LOCATION));
    CHECK(nc_reason_of("exceeds-derogation-limit", "capture", &all) ==
          NC_EXCEEDS_DEROGATION_LIMIT);
    /* a code inside another is not that code */
    CHECK(nc_reason_of("exceeds-limit;xmodel-not-derogated", "lab-model", &all) ==
          NC_NO_EVIDENCE_BEFORE_INSTALL);
    CHECK(nc_reason_of("exceeds-limit", "capture", &all) == NC_UNCLASSIFIED);
    CHECK(all == 1u << NC_UNCLASSIFIED);
    CHECK(strcmp(nc_reason_name(NC_OUTSIDE_LOCATION), "outside-acceptable-location") == 0);
}

int main(void)
{
    check_reasons();
    check_name("Alpha Energy", "Alpha_Energy");
    check_name("Green & Co, Ltd", "Green___Co__Ltd");
    check_name("=Gamma/\"Supply\" <b>", "_Gamma__Supply___b_");
    check_name("../etc/passwd", "_._etc_passwd"); /* no directory part, no hidden file */
    check_name("..", "_.");
    check_name("", "unnamed");
    check_name("\xc3\x89nergie", "__nergie"); /* each byte outside the set becomes '_' */
    check_name("a-b.c_D9", "a-b.c_D9");
    char longname[100];
    memset(longname, 'x', 99);
    longname[99] = '\0';
    char out[64];
    report_sanitise_name(longname, out, sizeof out);
    CHECK(strlen(out) == 60);
    return check_finish();
}
