/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_convert.c: `rfnoise convert`: rewrite any readable capture as a SigMF pair, keeping its
 * metadata (sample rate, centre frequency, time, rfnoise: fields, annotations). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "cli_opts.h"
#include "cli_report.h"
#include "commands.h"
#include "progress.h"

#define READ_FRAMES 65536

static void convert_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise convert [options] IN OUT.sigmf-meta|OUT.sigmf\n"
            "\n"
            "Convert a capture (any format rfnoise info reads) into a SigMF pair OUT.sigmf-meta +\n"
            "OUT.sigmf-data, or the SigMF archive OUT.sigmf (a tar of the folder OUT/), with its\n"
            "metadata, a core:sha512 and the annotations. Files are written under temporary\n"
            "names and renamed into place.\n"
            "\n"
            "Options:\n"
            "  --format T          output datatype: cf32_le (default) or ci16_le; real captures\n"
            "                      are written as rf32_le / ri16_le\n"
            "  --rate HZ           sample rate of IN (wins over its metadata and file name)\n"
            "  --center HZ         centre frequency of IN (wins over its metadata and name)\n"
            "  --datatype T        sample type of a raw IN (cu8 cs8 cs16 cf32 ...)\n"
            "  --channel N         channel to convert from a multi-channel capture (default 0)\n"
            "  --recording NAME    the recording of a .sigmf archive holding several\n"
            "  --allow-truncated   convert the whole frames of a truncated file\n"
            "  --quiet             no progress display\n"
            "  -h, --help          show this help\n");
}

int cmd_convert(int argc, char **argv)
{
    enum { O_FORMAT = 256 };
    static const struct option longopts[] = {
        CLI_LONGOPTS_CAPTURE,
        CLI_LONGOPTS_CAPTURE_INPUT,
        CLI_LONGOPTS_QUIET,
        {"format", required_argument, NULL, O_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_capture_opts co = cli_capture_opts_default();
    const char *datatype = "cf32_le";
    co.copt.prefetch = 1; /* read the file on the second core while this one validates/writes */
    int ch;
    optind = 1;
    while ((ch = cli_getopt(argc, argv, longopts, "convert", &co, NULL)) != -1) {
        switch (ch) {
        case O_FORMAT:
            if (cli_opt_format("convert", optarg, "cf32_le", "ci16_le", NULL))
                return RFN_EXIT_USAGE;
            datatype = optarg;
            break;
        case 'h':
            convert_usage(stdout);
            return RFN_EXIT_OK;
        default:
            return RFN_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        cli_errorf("convert",
                   "need IN and OUT.sigmf-meta or OUT.sigmf (see rfnoise convert --help)");
        return RFN_EXIT_USAGE;
    }
    const char *in = argv[optind], *outp = argv[optind + 1];
    rfn_error err = {0};
    capture *c = NULL;
    capture_writer *w = NULL;
    float complex *buf = NULL;
    int rc = RFN_EXIT_USAGE;
    if (capture_open(in, &co.copt, &c, &err)) goto fail;
    const capture_meta *m = capture_get_meta(c);
    capture_writer_config cfg = capture_writer_config_default();
    capture_writer_config_from_meta(&cfg, m);
    char dt[16];
    snprintf(dt, sizeof dt, "%s", datatype);
    if (!m->is_complex) dt[0] = 'r';
    cfg.datatype = dt;
    char desc[CAPTURE_PATH_MAX + 64];
    /* The file name only: a path would carry the user's folders into a shared file. */
    const char *base = strrchr(m->path, '/');
    snprintf(desc, sizeof desc, "converted by rfnoise from %s (%s)", base ? base + 1 : m->path,
             m->format);
    cfg.description = desc;
    if (capture_writer_create(outp, &cfg, &w, &err)) goto fail;
    buf = malloc(READ_FRAMES * sizeof *buf);
    if (!buf) {
        rfn_error_set(&err, RFN_ERR_NOMEM, "out of memory");
        goto fail;
    }
    char what[128];
    snprintf(what, sizeof what, "converting %.100s", in);
    progress *pr = progress_create_samples(what, (uint64_t)m->sample_count, co.quiet);
    size_t got;
    uint64_t done = 0;
    rfn_status st;
    while ((st = capture_read(c, buf, READ_FRAMES, &got, &err)) == RFN_OK) {
        if ((st = capture_writer_write(w, buf, got, &err))) break;
        done += got;
        progress_update(pr, done);
    }
    progress_destroy(pr);
    if (st != RFN_ERR_EOF) goto fail;
    cli_report_warnings("convert", m);
    capture_writer *wc = w;
    w = NULL;
    if (capture_writer_commit(wc, &err)) goto fail;
    rc = RFN_EXIT_OK;
    goto done;
fail:
    cli_error("convert", &err);
done:
    capture_writer_abort(w);
    capture_close(c);
    free(buf);
    return rc;
}
