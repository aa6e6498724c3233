/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_report.c: `rfnoise report`: the network operator's remediation report from a workspace. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_opts.h"
#include "commands.h"
#include "identifiers.h"
#include "report.h"
#include "store.h"

static void report_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise report --workspace DIR --as-of DATE --out DIR [options]\n"
            "\n"
            "Write the remediation report of a workspace as it stood on DATE: report.html (one\n"
            "self-contained page: headline by Supplier, trend of non-compliant installs with a\n"
            "fitted growth rate, reasons for them, timetable, ageing, breakdowns, derogations,\n"
            "provenance) and cases.csv, remediation-plan-<Supplier>.csv, trend.csv, reasons.csv\n"
            "beside it. The same workspace and DATE give byte-identical files.\n"
            "\n"
            "Options:\n"
            "  --workspace DIR   the workspace (default: $RFNOISE_WORKSPACE, else .)\n"
            "  --as-of DATE      the report date (YYYY-MM-DD), required\n"
            "  --out DIR         output directory (created if absent), required\n"
            "  --no-plots        leave the gnuplot charts out\n"
            "  --cut-off DATE    the derogations' cut-off (their latest InstallBy): marked on\n"
            "                    the trend chart, and the non-compliant installs after it\n"
            "                    followed per Supplier with their own trend (default: that\n"
            "                    of the newest result set's derogation list)\n"
            "  -h, --help        show this help\n");
}

int cmd_report(int argc, char **argv)
{
    enum { O_WORKSPACE = 256, O_AS_OF, O_OUT, O_NO_PLOTS, O_CUT_OFF };
    static const struct option longopts[] = {
        {"workspace", required_argument, NULL, O_WORKSPACE},
        {"as-of", required_argument, NULL, O_AS_OF},
        {"out", required_argument, NULL, O_OUT},
        {"no-plots", no_argument, NULL, O_NO_PLOTS},
        {"cut-off", required_argument, NULL, O_CUT_OFF},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    report_config cfg = report_config_default();
    cfg.tool_version = RFN_VERSION;
    const char *ws = getenv("RFNOISE_WORKSPACE");
    if (!ws || !*ws) ws = ".";
    bool have_as_of = false;
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, "report", NULL, NULL)) != -1) {
        switch (opt) {
        case 'h':
            report_usage(stdout);
            return RFN_EXIT_OK;
        case O_WORKSPACE:
            ws = optarg;
            break;
        case O_AS_OF:
            if (cli_opt_date("report", "as-of", optarg, &cfg.as_of))
                return RFN_EXIT_USAGE;
            have_as_of = true;
            break;
        case O_OUT:
            cfg.out_dir = optarg;
            break;
        case O_NO_PLOTS:
            cfg.plots = false;
            break;
        case O_CUT_OFF:
            if (cli_opt_date("report", "cut-off", optarg, &cfg.cut_off))
                return RFN_EXIT_USAGE;
            break;
        default:
            return RFN_EXIT_USAGE;
        }
    }
    if (optind != argc || !have_as_of || !cfg.out_dir) {
        cli_errorf("report", "expected --as-of DATE and --out DIR (see rfnoise report --help)");
        return RFN_EXIT_USAGE;
    }
    rfn_error err = {0};
    store *s = NULL;
    rfn_status st = store_open(ws, NULL, &s, &err);
    if (st) {
        cli_error("report", &err);
        return RFN_EXIT_USAGE;
    }
    report_summary sum;
    st = report_write(s, &cfg, &sum, &err);
    store_close(s);
    if (st) {
        cli_error("report", &err);
        return RFN_EXIT_USAGE;
    }
    printf("report=%s/report.html cases=%llu active=%llu suppliers=%llu plans=%llu "
           "non_compliant=%llu trend=%s plots=%s\n",
           cfg.out_dir, (unsigned long long)sum.cases, (unsigned long long)sum.active_cases,
           (unsigned long long)sum.suppliers, (unsigned long long)sum.plan_files,
           (unsigned long long)sum.noncompliant_devices, sum.trend, sum.plots_drawn ? "yes" : "no");
    return RFN_EXIT_OK;
}
