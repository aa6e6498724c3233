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

/* What the options of one run ask for. */
typedef struct synth_opts {
    synth_config cfg;
    capture_writer_config wc;
    double duration_s;
    int annotate;
    cli_capture_opts co;
    const char *batch_dir;
} synth_opts;

enum { O_DURATION = 256, O_NOISE, O_SEED, O_ADD, O_CLIP, O_FORMAT,
       O_ANNOTATE, O_DATETIME, O_DEVICE, O_MPXN, O_DESC, O_BATCH };

/* The numbers of the synthesis: -1 when opt is not one of them, else 0 or RFN_EXIT_USAGE. */
static int parse_synth_number(int opt, const char *arg, synth_opts *o)
{
    rfn_error err = {0};
    unsigned long long seed;
    synth_config *cfg = &o->cfg;
    switch (opt) {
    case O_DURATION:
        if (cli_parse_double(arg, &o->duration_s) || !(o->duration_s > 0) ||
            o->duration_s > 1e5) {
            cli_errorf("synth", "--duration '%s': expected seconds in (0, 1e5]", arg);
            return RFN_EXIT_USAGE;
        }
        return 0;
    case O_NOISE:
        if (strcmp(arg, "none") == 0)
            cfg->noise_dbfs_hz = -INFINITY;
        else if (cli_parse_double(arg, &cfg->noise_dbfs_hz)) {
            cli_errorf("synth", "--noise '%s': expected dBFS/Hz or 'none'", arg);
            return RFN_EXIT_USAGE;
        }
        return 0;
    case O_SEED:
        if (cli_parse_u64(arg, &seed)) {
            cli_errorf("synth", "--seed '%s': expected a whole number", arg);
            return RFN_EXIT_USAGE;
        }
        cfg->seed = seed;
        return 0;
    case O_ADD:
        if (cfg->n_components == SYNTH_MAX_COMPONENTS) {
            cli_errorf("synth", "--add: at most %d components", SYNTH_MAX_COMPONENTS);
            return RFN_EXIT_USAGE;
        }
        if (synth_component_parse(arg, &cfg->components[cfg->n_components], &err)) {
            cli_errorf("synth", "--add %s", err.msg);
            return RFN_EXIT_USAGE;
        }
        cfg->n_components++;
        return 0;
    case O_CLIP:
        if (cli_parse_double(arg, &cfg->clip_level) || !(cfg->clip_level > 0)) {
            cli_errorf("synth", "--clip '%s': expected a level > 0", arg);
            return RFN_EXIT_USAGE;
        }
        return 0;
    default:
        return -1;
    }
}

/* The output's datatype and metadata: -1 when opt is not one of them, else 0 or
 * RFN_EXIT_USAGE. */
static int parse_synth_output(int opt, char *arg, synth_opts *o)
{
    switch (opt) {
    case O_FORMAT:
        if (cli_opt_format("synth", arg, "cf32_le", "ci16_le", NULL))
            return RFN_EXIT_USAGE;
        o->wc.datatype = arg;
        return 0;
    case O_ANNOTATE:
        o->annotate = 1;
        return 0;
    case O_DATETIME:
        o->wc.datetime = arg;
        return 0;
    case O_DEVICE:
        o->wc.device_id = arg;
        return 0;
    case O_MPXN:
        o->wc.mpxn = arg;
        return 0;
    case O_DESC:
        o->wc.description = arg;
        return 0;
    case O_BATCH:
        o->batch_dir = arg;
        return 0;
    default:
        return -1;
    }
}

/* The capture options that make sense only for reading. */
static int reject_input_opts(const cli_capture_opts *co)
{
    if (co->copt.recording) {
        cli_errorf("synth", "--recording picks a recording of an archive to read; synth writes "
                            "one (name OUT.sigmf for an archive)");
        return RFN_EXIT_USAGE;
    }
    if (co->copt.datatype) {
        cli_errorf("synth", "--datatype is the sample type of an input capture; give the sample "
                            "type synth writes with --format %s",
                   co->copt.datatype);
        return RFN_EXIT_USAGE;
    }
    return 0;
}

/* Generate n_total samples into the SigMF pair out_path. */
static int write_synth(synth_opts *o, const char *out_path, int64_t n_total)
{
    synth_config *cfg = &o->cfg;
    capture_writer_config *wc = &o->wc;
    rfn_error err = {0};
    synth *s = NULL;
    capture_writer *w = NULL;
    capture_annotation *ann = NULL;
    float complex *buf = NULL;
    int rc = RFN_EXIT_USAGE;
    if (synth_create(cfg, &s, &err))
        goto fail;
    if (o->annotate && synth_burst_annotations(cfg, n_total, &ann, &wc->n_annotations, &err))
        goto fail;
    wc->annotations = ann;
    wc->sample_rate_hz = cfg->sample_rate_hz;
    /* unknown: none */
    wc->center_freq_hz = isnan(o->co.copt.center_hz) ? NAN : cfg->center_freq_hz;
    wc->author = "rfnoise synth";
    if (capture_writer_create(out_path, wc, &w, &err))
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

int cmd_synth(int argc, char **argv)
{
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
    synth_opts o = {.cfg = synth_config_default(),
                    .wc = capture_writer_config_default(),
                    .duration_s = 1.0,
                    .co = cli_capture_opts_default()};
    rfn_error err = {0};
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, longopts, "synth", &o.co, NULL)) != -1) {
        if (opt == 'h') {
            synth_usage(stdout);
            return RFN_EXIT_OK;
        }
        int rc = parse_synth_number(opt, optarg, &o);
        if (rc < 0)
            rc = parse_synth_output(opt, optarg, &o);
        if (rc)
            return RFN_EXIT_USAGE;
    }
    if (reject_input_opts(&o.co))
        return RFN_EXIT_USAGE;
    int have_rate = o.co.copt.rate_hz > 0;
    if (have_rate)
        o.cfg.sample_rate_hz = o.co.copt.rate_hz;
    if (!isnan(o.co.copt.center_hz))
        o.cfg.center_freq_hz = o.co.copt.center_hz;
    if (o.batch_dir) {
        if (optind != argc) {
            cli_errorf("synth", "--batch takes no output path");
            return RFN_EXIT_USAGE;
        }
        if (synth_batch_write(o.batch_dir, o.cfg.seed, o.co.quiet, &err)) {
            cli_error("synth", &err);
            return RFN_EXIT_USAGE;
        }
        return RFN_EXIT_OK;
    }
    if (optind != argc - 1 || !have_rate) {
        cli_errorf("synth", "expected one output path and --rate (see rfnoise synth --help)");
        return RFN_EXIT_USAGE;
    }
    int64_t n_total = llround(o.duration_s * o.cfg.sample_rate_hz);
    if (n_total < 1) {
        cli_errorf("synth", "--duration %g s at %g Hz gives no samples", o.duration_s,
                   o.cfg.sample_rate_hz);
        return RFN_EXIT_USAGE;
    }
    return write_synth(&o, argv[optind], n_total);
}
