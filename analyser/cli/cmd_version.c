/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_version.c: `rfnoise version`: the tool, its commit, the libraries it runs with, gnuplot and
 * the data directory in use, for provenance in reports and for bug reports. Each library's
 * version comes from the module that owns that library (docs/style.md §Layering: one owner per
 * dependency). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "calibration.h"
#include "capture.h"
#include "cli.h"
#include "cli_opts.h"
#include "commands.h"
#include "csv_read.h"
#include "data_dir.h"
#include "fft.h"
#include "hash.h"
#include "plot.h"
#include "rfn_git_describe.h"
#include "store.h"

#define CMD "version"

static void version_usage(FILE *f)
{
    fprintf(f, "Usage: rfnoise version [--format text|json]\n"
               "\n"
               "Print the version of rfnoise and its git describe, the run-time versions of the\n"
               "libraries it uses (FFTW, libsndfile, GSL, SQLite, jansson, libcsv, nettle),\n"
               "gnuplot's version (or \"not found\") and the data directory in use.\n"
               "\n"
               "Options:\n"
               "  --format F   text (default) or json\n"
               "  -h, --help   show this help\n");
}

typedef struct lib_version {
    const char *key;  /* JSON key */
    const char *name; /* as printed */
    const char *version;
} lib_version;

/* jansson: its run-time version where the library has the query (2.13+); cmd_version.c is a
 * jansson user itself, as the JSON output needs it. */
static const char *jansson_version(void)
{
#if JANSSON_VERSION_HEX >= 0x020d00
    return jansson_version_str();
#else
    return JANSSON_VERSION;
#endif
}

/* The data directory as text: its path, where the path came from, and whether it is there. */
static void data_dir_describe(const char **path, const char **origin, int *present)
{
    struct stat sb;
    *path = data_dir(origin);
    *present = *path && stat(*path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int print_text(const lib_version *libs, size_t n, const char *gnuplot)
{
    const char *dir, *origin;
    int present;
    data_dir_describe(&dir, &origin, &present);
    printf("rfnoise %s\n", RFN_VERSION);
    printf("git describe: %s\n", RFN_GIT_DESCRIBE);
    if (dir)
        printf("data directory: %s (%s%s)\n", dir, origin, present ? "" : "; missing");
    else
        printf("data directory: unknown (/proc/self/exe unreadable; set RFNOISE_DATA_DIR)\n");
    for (size_t i = 0; i < n; i++)
        printf("%s: %s\n", libs[i].name, libs[i].version);
    printf("gnuplot: %s\n", gnuplot ? gnuplot : "not found");
    return RFN_EXIT_OK;
}

static int print_json(const lib_version *libs, size_t n, const char *gnuplot)
{
    const char *dir, *origin;
    int present;
    data_dir_describe(&dir, &origin, &present);
    json_t *l = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(l, libs[i].key, json_string(libs[i].version));
    json_t *root = json_pack("{s:s, s:s, s:{s:s?, s:s?, s:b}, s:o, s:s?}", "rfnoise", RFN_VERSION,
                             "git_describe", RFN_GIT_DESCRIBE, "data_dir", "path", dir, "origin",
                             origin, "present", present, "libraries", l, "gnuplot", gnuplot);
    int rc = root ? json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : -1;
    json_decref(root);
    if (rc != 0) {
        cli_errorf(CMD, "cannot write the JSON output");
        return RFN_EXIT_USAGE;
    }
    putchar('\n');
    return RFN_EXIT_OK;
}

int cmd_version(int argc, char **argv)
{
    enum { O_FORMAT = 256 };
    static const struct option longopts[] = {
        {"format", required_argument, 0, O_FORMAT},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int json = 0, opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, CMD, NULL, NULL)) != -1) {
        switch (opt) {
        case 'h':
            version_usage(stdout);
            return RFN_EXIT_OK;
        case O_FORMAT:
            if (cli_opt_choice(CMD, "format", optarg, "text", "json", &json))
                return RFN_EXIT_USAGE;
            break;
        default:
            version_usage(stderr);
            return RFN_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_errorf(CMD, "unexpected argument '%s' (see rfnoise version --help)", argv[optind]);
        return RFN_EXIT_USAGE;
    }
    char nettle[32], gnuplot[128];
    hash_library_version(nettle, sizeof nettle);
    const lib_version libs[] = {
        {"fftw", "FFTW", rfn_fft_library_version()},
        {"libsndfile", "libsndfile", capture_library_version()},
        {"gsl", "GSL", calibration_library_version()},
        {"sqlite", "SQLite", store_library_version()},
        {"jansson", "jansson", jansson_version()},
        {"libcsv", "libcsv", csv_library_version()},
        {"nettle", "nettle", nettle},
    };
    size_t n = sizeof libs / sizeof libs[0];
    rfn_error err = {0};
    int have_gnuplot = plot_gnuplot_version(gnuplot, sizeof gnuplot, &err) == RFN_OK;
    return json ? print_json(libs, n, have_gnuplot ? gnuplot : NULL)
                : print_text(libs, n, have_gnuplot ? gnuplot : NULL);
}
