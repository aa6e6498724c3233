/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_report.c: Supplier names become safe, bounded file-name parts for remediation plans. */
#include <string.h>

#include "check.h"
#include "report.h"

static void check_name(const char *in, const char *want)
{
    char out[64];
    report_sanitise_name(in, out, sizeof out);
    CHECK_MSG(strcmp(out, want) == 0, "'%s' -> '%s', wanted '%s'", in, out, want);
}

int main(void)
{
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
