/* cmd_convert.c: `rfnoise convert`: rewrite any readable capture as a SigMF pair, keeping its
 * metadata (sample rate, centre frequency, time, rfnoise: fields, annotations). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "commands.h"
#include "progress.h"

#define READ_FRAMES 65536

static void convert_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise convert [options] IN OUT.sigmf-meta\n"
            "\n"
            "Convert a capture (any format rfnoise info reads) into a SigMF pair OUT.sigmf-meta +\n"
            "OUT.sigmf-data with its metadata, a core:sha512 and the annotations. Both files are\n"
            "written under temporary names and renamed into place.\n"
            "\n"
            "Options:\n"
            "  --datatype T        cf32_le (default) or ci16_le; real captures are written as\n"
            "                      rf32_le / ri16_le\n"
            "  --rate HZ           sample rate when IN does not say\n"
            "  --center HZ         centre frequency when IN does not say\n"
            "  --format FMT        datatype of a raw IN (cu8 cs8 cs16 cf32 ...)\n"
            "  --channel N         channel to convert from a multi-channel capture (default 0)\n"
            "  --allow-truncated   convert the whole frames of a truncated file\n"
            "  --quiet             no progress display\n"
            "  -h, --help          show this help\n");
}

int cmd_convert(int argc, char **argv)
{
    enum { O_RATE = 256, O_CENTER, O_FORMAT, O_CHANNEL, O_TRUNC, O_QUIET, O_DATATYPE };
    static const struct option longopts[] = {
        {"rate", required_argument, NULL, O_RATE},
        {"center", required_argument, NULL, O_CENTER},
        {"format", required_argument, NULL, O_FORMAT},
        {"channel", required_argument, NULL, O_CHANNEL},
        {"allow-truncated", no_argument, NULL, O_TRUNC},
        {"quiet", no_argument, NULL, O_QUIET},
        {"datatype", required_argument, NULL, O_DATATYPE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    capture_options opt = capture_options_default();
    const char *datatype = "cf32_le";
    opt.prefetch = 1; /* read the file on the second core while this one validates/writes */
    int quiet = 0, ch;
    unsigned long long u;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (ch) {
        case O_RATE:
            if (cli_parse_double(optarg, &opt.rate_hz) || !(opt.rate_hz > 0)) {
                cli_errorf("convert", "--rate: '%s' is not a sample rate > 0 in Hz", optarg);
                return RFN_EXIT_USAGE;
            }
            break;
        case O_CENTER:
            if (cli_parse_double(optarg, &opt.center_hz) || opt.center_hz < 0) {
                cli_errorf("convert", "--center: '%s' is not a frequency >= 0 in Hz", optarg);
                return RFN_EXIT_USAGE;
            }
            break;
        case O_FORMAT:
            opt.format = optarg;
            break;
        case O_CHANNEL:
            if (cli_parse_u64(optarg, &u) || u > 1023) {
                cli_errorf("convert", "--channel: '%s' is not a channel number 0..1023", optarg);
                return RFN_EXIT_USAGE;
            }
            opt.channel = (int)u;
            break;
        case O_TRUNC:
            opt.allow_truncated = 1;
            break;
        case O_QUIET:
            quiet = 1;
            break;
        case O_DATATYPE:
            if (strcmp(optarg, "cf32_le") != 0 && strcmp(optarg, "ci16_le") != 0) {
                cli_errorf("convert", "--datatype: '%s' is not cf32_le or ci16_le", optarg);
                return RFN_EXIT_USAGE;
            }
            datatype = optarg;
            break;
        case 'h':
            convert_usage(stdout);
            return RFN_EXIT_OK;
        default:
            cli_errorf("convert", "unknown or incomplete option '%s' (see rfnoise convert --help)",
                       argv[optind - 1]);
            return RFN_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        cli_errorf("convert", "need IN and OUT.sigmf-meta (see rfnoise convert --help)");
        return RFN_EXIT_USAGE;
    }
    const char *in = argv[optind], *outp = argv[optind + 1];
    rfn_error err = {0};
    capture *c = NULL;
    capture_writer *w = NULL;
    float complex *buf = NULL;
    int rc = RFN_EXIT_USAGE;
    if (capture_open(in, &opt, &c, &err)) goto fail;
    const capture_meta *m = capture_get_meta(c);
    capture_writer_config cfg = capture_writer_config_default();
    capture_writer_config_from_meta(&cfg, m);
    char dt[16];
    snprintf(dt, sizeof dt, "%s", datatype);
    if (!m->is_complex) dt[0] = 'r';
    cfg.datatype = dt;
    char desc[CAPTURE_PATH_MAX + 64];
    snprintf(desc, sizeof desc, "converted by rfnoise from %s (%s)", m->path, m->format);
    cfg.description = desc;
    if (capture_writer_create(outp, &cfg, &w, &err)) goto fail;
    buf = malloc(READ_FRAMES * sizeof *buf);
    if (!buf) {
        rfn_error_set(&err, RFN_ERR_NOMEM, "out of memory");
        goto fail;
    }
    char what[128];
    snprintf(what, sizeof what, "converting %.100s", in);
    progress *pr = progress_create(what, (uint64_t)m->sample_count, quiet);
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
    for (size_t i = 0; i < m->n_warnings; i++)
        cli_errorf("convert", "warning: %s", m->warnings[i]);
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
