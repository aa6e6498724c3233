/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_synth.c: `rfnoise synth`: write a synthetic meter-install capture as a SigMF pair. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "cli_opts.h"
#include "commands.h"
#include "synth.h"
#include "synth_batch.h"

static void synth_usage(FILE *fp)
{
    fprintf(
        fp,
        "Usage: rfnoise synth OUT.sigmf-meta|OUT.sigmf --rate HZ [options]\n"
        "       rfnoise synth --batch DIR [--seed N]\n"
        "\n"
        "Write a deterministic synthetic capture (SigMF pair) made of a thermal noise floor\n"
        "and any number of components. Frequencies are absolute, in Hz; powers in dBFS.\n"
        "\n"
        "Options:\n"
        "  --rate HZ          sample rate (required)\n"
        "  --center HZ        centre frequency written to the metadata (default: none\n"
        "                     written; component frequencies are then offsets from 0)\n"
        "  --duration S       length in seconds (default 1)\n"
        "  --noise DBFS_HZ    thermal floor density, two-sided (default -130; 'none' for none)\n"
        "  --seed N           random seed (default 1)\n"
        "  --add SPEC         add a component (repeatable, up to 16):\n"
        "                       tone:F:P  comb:F0:SPACING:N:P  broadband:F:BW:P\n"
        "                       bursts:F:BW:P:PERIOD:DUTY[:START]  impulses:RATE:P[:F:BW]\n"
        "  --clip LEVEL       clip I and Q at +-LEVEL of full scale (ADC rails)\n"
        "  --format T         output datatype: cf32_le (default) or ci16_le\n"
        "  --annotate         write each burst as a SigMF annotation labelled hub-burst\n"
        "  --datetime ISO     core:datetime of the first sample\n"
        "  --device-id ID     rfnoise:device_id (EUI-64 DeviceID)\n"
        "  --mpxn MPXN        rfnoise:mpxn\n"
        "  --description TXT  core:description\n"
        "  --batch DIR        write the sample batch (register, derogations, lab results,\n"
        "                     field captures, manifest, expected verdicts) into DIR\n"
        "  --quiet            no progress display\n"
        "  -h, --help         show this help\n");
}

int cmd_synth(int argc, char **argv)
{
    enum { O_DURATION = 256, O_NOISE, O_SEED, O_ADD, O_CLIP, O_FORMAT,
           O_ANNOTATE, O_DATETIME, O_DEVICE, O_MPXN, O_DESC, O_BATCH };
    static const struct option longopts[] = {
        CLI_LONGOPTS_CAPTURE,
        {"duration", required_argument, 0, O_DURATION},
        {"noise", required_argument, 0, O_NOISE},
        {"seed", required_argument, 0, O_SEED},
        {"add", required_argument, 0, O_ADD},
        {"clip", required_argument, 0, O_CLIP},
        {"format", required_argument, 0, O_FORMAT},
        CLI_LONGOPTS_QUIET,
        {"annotate", no_argument, 0, O_ANNOTATE},
        {"datetime", required_argument, 0, O_DATETIME},
        {"device-id", required_argument, 0, O_DEVICE},
        {"mpxn", required_argument, 0, O_MPXN},
        {"description", required_argument, 0, O_DESC},
        {"batch", required_argument, 0, O_BATCH},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    synth_config cfg = synth_config_default();
    capture_writer_config wc = capture_writer_config_default();
    double duration_s = 1.0;
    int annotate = 0;
    cli_capture_opts co = cli_capture_opts_default();
    const char *batch_dir = NULL;
    rfn_error err = {0};
    unsigned long long seed;
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, "synth", &co, NULL)) != -1) {
        switch (opt) {
        case 'h':
            synth_usage(stdout);
            return RFN_EXIT_OK;
        case O_DURATION:
            if (cli_parse_double(optarg, &duration_s) || !(duration_s > 0) || duration_s > 1e5) {
                cli_errorf("synth", "--duration '%s': expected seconds in (0, 1e5]", optarg);
                return RFN_EXIT_USAGE;
            }
            break;
        case O_NOISE:
            if (strcmp(optarg, "none") == 0)
                cfg.noise_dbfs_hz = -INFINITY;
            else if (cli_parse_double(optarg, &cfg.noise_dbfs_hz)) {
                cli_errorf("synth", "--noise '%s': expected dBFS/Hz or 'none'", optarg);
                return RFN_EXIT_USAGE;
            }
            break;
        case O_SEED:
            if (cli_parse_u64(optarg, &seed)) {
                cli_errorf("synth", "--seed '%s': expected a whole number", optarg);
                return RFN_EXIT_USAGE;
            }
            cfg.seed = seed;
            break;
        case O_ADD:
            if (cfg.n_components == SYNTH_MAX_COMPONENTS) {
                cli_errorf("synth", "--add: at most %d components", SYNTH_MAX_COMPONENTS);
                return RFN_EXIT_USAGE;
            }
            if (synth_component_parse(optarg, &cfg.components[cfg.n_components], &err)) {
                cli_errorf("synth", "--add %s", err.msg);
                return RFN_EXIT_USAGE;
            }
            cfg.n_components++;
            break;
        case O_CLIP:
            if (cli_parse_double(optarg, &cfg.clip_level) || !(cfg.clip_level > 0)) {
                cli_errorf("synth", "--clip '%s': expected a level > 0", optarg);
                return RFN_EXIT_USAGE;
            }
            break;
        case O_FORMAT:
            if (cli_opt_format("synth", optarg, "cf32_le", "ci16_le", NULL))
                return RFN_EXIT_USAGE;
            wc.datatype = optarg;
            break;
        case O_ANNOTATE:
            annotate = 1;
            break;
        case O_DATETIME:
            wc.datetime = optarg;
            break;
        case O_DEVICE:
            wc.device_id = optarg;
            break;
        case O_MPXN:
            wc.mpxn = optarg;
            break;
        case O_DESC:
            wc.description = optarg;
            break;
        case O_BATCH:
            batch_dir = optarg;
            break;
        default:
            return RFN_EXIT_USAGE;
        }
    }
    if (co.copt.recording) {
        cli_errorf("synth", "--recording picks a recording of an archive to read; synth writes "
                            "one (name OUT.sigmf for an archive)");
        return RFN_EXIT_USAGE;
    }
    if (co.copt.datatype) {
        cli_errorf("synth", "--datatype is the sample type of an input capture; give the sample "
                            "type synth writes with --format %s",
                   co.copt.datatype);
        return RFN_EXIT_USAGE;
    }
    int have_rate = co.copt.rate_hz > 0;
    if (have_rate)
        cfg.sample_rate_hz = co.copt.rate_hz;
    if (!isnan(co.copt.center_hz))
        cfg.center_freq_hz = co.copt.center_hz;
    if (batch_dir) {
        if (optind != argc) {
            cli_errorf("synth", "--batch takes no output path");
            return RFN_EXIT_USAGE;
        }
        if (synth_batch_write(batch_dir, cfg.seed, co.quiet, &err)) {
            cli_error("synth", &err);
            return RFN_EXIT_USAGE;
        }
        return RFN_EXIT_OK;
    }
    if (optind != argc - 1 || !have_rate) {
        cli_errorf("synth", "expected one output path and --rate (see rfnoise synth --help)");
        return RFN_EXIT_USAGE;
    }
    const char *out_path = argv[optind];
    int64_t n_total = llround(duration_s * cfg.sample_rate_hz);
    if (n_total < 1) {
        cli_errorf("synth", "--duration %g s at %g Hz gives no samples", duration_s,
                   cfg.sample_rate_hz);
        return RFN_EXIT_USAGE;
    }

    synth *s = NULL;
    capture_writer *w = NULL;
    capture_annotation *ann = NULL;
    float complex *buf = NULL;
    int rc = RFN_EXIT_USAGE;
    if (synth_create(&cfg, &s, &err))
        goto fail;
    if (annotate && synth_burst_annotations(&cfg, n_total, &ann, &wc.n_annotations, &err))
        goto fail;
    wc.annotations = ann;
    wc.sample_rate_hz = cfg.sample_rate_hz;
    wc.center_freq_hz = isnan(co.copt.center_hz) ? NAN : cfg.center_freq_hz; /* unknown: none */
    wc.author = "rfnoise synth";
    if (capture_writer_create(out_path, &wc, &w, &err))
        goto fail;
    enum { block = 65536 };
    buf = malloc(block * sizeof *buf);
    if (!buf) {
        rfn_error_set(&err, RFN_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (int64_t done = 0; done < n_total;) {
        size_t n = (size_t)(n_total - done < block ? n_total - done : block);
        synth_generate(s, buf, n);
        if (capture_writer_write(w, buf, n, &err))
            goto fail;
        done += (int64_t)n;
    }
    rfn_status st = capture_writer_commit(w, &err);
    w = NULL;
    if (st)
        goto fail;
    rc = RFN_EXIT_OK;
fail:
    if (rc != RFN_EXIT_OK)
        cli_error("synth", &err);
    capture_writer_abort(w);
    synth_destroy(s);
    free(ann);
    free(buf);
    return rc;
}
