/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli_opts.h: the command-line options several subcommands share (capture: --rate, --center,
 * --quiet, and for info/convert --format FMT, --channel, --allow-truncated; calibration: --cal,
 * --cal-db, --rx-gain), parsed in one place so that every command accepts the same values and
 * answers with the same messages; the checks of option values several commands take (--rbw,
 * --format csv|json, --band, --window, dates, ...); the calibration those options ask for; and
 * the --output FILE / standard output a command writes its data to.
 *
 * Use: splice the CLI_LONGOPTS_* entries a command takes into its `struct option` array (its own
 * option ids must stay below CLI_O_FIRST), and read the options with cli_getopt, which handles
 * the shared ones itself:
 *
 *     cli_capture_opts co = cli_capture_opts_default();
 *     cli_cal_opts cal = cli_cal_opts_default();
 *     optind = 1;
 *     while ((opt = cli_getopt(argc, argv, longopts, CMD, &co, &cal)) != -1) {
 *         switch (opt) {
 *         ... 'h' and the command's own options ...
 *         default:
 *             if (opt != CLI_OPT_BAD)
 *                 usage(stderr);
 *             return RFN_EXIT_USAGE;
 *         }
 *     }
 *
 * then cli_cal_opts_check (the "not both" rule) and cli_cal_load (the calibration). Every command
 * reads its options with cli_getopt, so that all accept options anywhere on the line and report
 * option errors the same way. */
#ifndef RFN_CLI_OPTS_H
#define RFN_CLI_OPTS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "atomic_file.h"
#include "calibration.h"
#include "capture.h"
#include "csv_read.h"
#include "limits.h"
#include "rfn_error.h"
#include "spectrum.h"
#include "window.h"

/* Option ids of the shared options: above any command's own ids (which start at 256). */
enum {
    CLI_O_FIRST = 0x1000,
    CLI_O_RATE = CLI_O_FIRST,
    CLI_O_CENTER,
    CLI_O_QUIET,
    CLI_O_CAL,
    CLI_O_CAL_DB,
    CLI_O_RX_GAIN,
    CLI_O_DATATYPE,
    CLI_O_CHANNEL,
    CLI_O_TRUNC,
    CLI_O_RECORDING,
    CLI_O_ENCODING,
    CLI_O_DATE_FORMAT,
    CLI_O_NFFT,
    CLI_O_SPECTRUM_RBW,
    CLI_O_WINDOW,
    CLI_O_OVERLAP,
    CLI_O_DETREND,
    CLI_O_AVERAGE,
    CLI_O_TRACES,
    CLI_O_OUT_FORMAT,
    CLI_O_OUTPUT,
    CLI_O_META,
    CLI_O_DECISION_RULE,
    CLI_O_UNCERTAINTY,
    CLI_O_JOBS,
};

/* The data export options of the commands that write a table (detect, apd, spectrogram):
 * --format csv|json, --output FILE (else standard output), --meta (a JSON sidecar beside a CSV
 * --output). Into cli_out_opts. */
#define CLI_LONGOPTS_OUTPUT                                                                        \
    {"format", required_argument, 0, CLI_O_OUT_FORMAT},                                           \
        {"output", required_argument, 0, CLI_O_OUTPUT}, {"meta", no_argument, 0, CLI_O_META}
typedef struct cli_out_opts {
    int given;            /* --format was given */
    int json;             /* 1: json, 0: csv */
    const char *path;     /* --output FILE; NULL = standard output */
    int meta;             /* --meta */
} cli_out_opts;

/* The spectrum options (into spectrum_options, spectrum.h), declared once for every command that
 * makes a Welch spectrum: --nfft N, --rbw HZ, --window W, --overlap F, --detrend none|mean. The
 * EMI-receiver commands' --rbw is another option (a CISPR bandwidth) and not in this group. */
#define CLI_LONGOPTS_SPECTRUM                                                                      \
    {"nfft", required_argument, 0, CLI_O_NFFT}, {"rbw", required_argument, 0, CLI_O_SPECTRUM_RBW}, \
        {"window", required_argument, 0, CLI_O_WINDOW},                                           \
        {"overlap", required_argument, 0, CLI_O_OVERLAP},                                         \
        {"detrend", required_argument, 0, CLI_O_DETREND}
/* --average mean|median and --traces max,min: which traces a spectrum export carries. */
#define CLI_LONGOPTS_SPECTRUM_TRACES                                                               \
    {"average", required_argument, 0, CLI_O_AVERAGE}, {"traces", required_argument, 0, CLI_O_TRACES}

/* --rate HZ, --center HZ, --datatype T (the sample type of a raw input), --recording NAME (of a
 * multi-recording .sigmf archive; into cli_capture_opts.copt). --format is every command's
 * output format, never the input's. */
#define CLI_LONGOPTS_CAPTURE                                                                       \
    {"rate", required_argument, 0, CLI_O_RATE}, {"center", required_argument, 0, CLI_O_CENTER},   \
        {"datatype", required_argument, 0, CLI_O_DATATYPE},                                       \
        {"recording", required_argument, 0, CLI_O_RECORDING}
/* --channel N (0 ... 1023), --allow-truncated (into cli_capture_opts.copt), for the commands
 * that only read captures (info, convert). */
#define CLI_LONGOPTS_CAPTURE_INPUT                                                                 \
    {"channel", required_argument, 0, CLI_O_CHANNEL},                                             \
        {"allow-truncated", no_argument, 0, CLI_O_TRUNC}
/* --quiet (cli_capture_opts.quiet). */
#define CLI_LONGOPTS_QUIET {"quiet", no_argument, 0, CLI_O_QUIET}
/* --jobs N (cli_capture_opts.jobs): threads for one capture's spectrum or detectors. */
#define CLI_LONGOPTS_JOBS {"jobs", required_argument, 0, CLI_O_JOBS}
/* --cal FILE, --cal-db X (into cli_cal_opts), for a command without --rx-gain. */
#define CLI_LONGOPTS_CAL_NO_RX_GAIN                                                                \
    {"cal", required_argument, 0, CLI_O_CAL}, {"cal-db", required_argument, 0, CLI_O_CAL_DB}
/* --cal FILE, --cal-db X, --rx-gain DB (into cli_cal_opts). */
#define CLI_LONGOPTS_CAL                                                                           \
    CLI_LONGOPTS_CAL_NO_RX_GAIN, {"rx-gain", required_argument, 0, CLI_O_RX_GAIN}

/* --encoding utf8|cp1252|latin1, --date-format ymd|dmy|mdy: how the CSV inputs (register,
 * manifest, derogations, lab results) are written; read with cli_input_opt. */
#define CLI_LONGOPTS_CSV_INPUT                                                                     \
    {"encoding", required_argument, 0, CLI_O_ENCODING},                                           \
        {"date-format", required_argument, 0, CLI_O_DATE_FORMAT}

/* --decision-rule RULE, --uncertainty-db U: how margins become verdicts (README "Decision
 * rules"), over the limit set's rule and the calibration's uncertainty; read with
 * cli_decision_opt. */
#define CLI_LONGOPTS_DECISION                                                                      \
    {"decision-rule", required_argument, 0, CLI_O_DECISION_RULE},                                 \
        {"uncertainty-db", required_argument, 0, CLI_O_UNCERTAINTY}

/* One of CLI_LONGOPTS_DECISION into *d: CLI_OPT_HANDLED, CLI_OPT_NOT_MINE, or CLI_OPT_USAGE after
 * "--decision-rule 'x': expected simple, guarded-accept, guarded-reject or cispr-16-4-2" or
 * "--uncertainty-db 'x': expected an expanded uncertainty of 0 ... 30 dB". */
int cli_decision_opt(int opt, const char *arg, const char *cmd, decision_options *d);

/* One of CLI_LONGOPTS_CSV_INPUT into *in: CLI_OPT_HANDLED, CLI_OPT_NOT_MINE (another option), or
 * CLI_OPT_USAGE after "rfnoise: <cmd>: --encoding 'x': expected utf8, cp1252 or latin1". */
int cli_input_opt(int opt, const char *arg, const char *cmd, csv_input *in);

typedef struct cli_capture_opts {
    capture_options copt; /* rate_hz (> 0 when given, else 0), center_hz (NAN when not given) */
    int quiet;            /* 1: no progress on stderr */
    unsigned jobs;        /* --jobs: 1 ... 256 threads; 0 (default) = every online CPU */
} cli_capture_opts;

/* copt = capture_options_default(), quiet 0. */
cli_capture_opts cli_capture_opts_default(void);

typedef struct cli_cal_opts {
    const char *path;  /* --cal FILE; NULL when not given */
    double db;         /* --cal-db X: dB added to dBFS to get dBm; NAN when not given */
    double rx_gain_db; /* --rx-gain DB: receiver gain choosing a per-gain table; NAN = not given */
} cli_cal_opts;

/* path NULL, db NAN, rx_gain_db NAN. */
cli_cal_opts cli_cal_opts_default(void);

enum { CLI_OPT_NOT_MINE = 0, CLI_OPT_HANDLED = 1, CLI_OPT_USAGE = 2 };

/* Handle one option returned by getopt_long (arg = optarg). cap / cal may be NULL: their options
 * are then not this function's. CLI_OPT_HANDLED: stored; CLI_OPT_NOT_MINE: not a shared option
 * (nothing printed: the command handles it, including 'h' and '?'); CLI_OPT_USAGE: a bad value,
 * already reported as "rfnoise: <cmd>: --rate 'x': expected a sample rate > 0 in Hz" (--center:
 * "expected a frequency >= 0 in Hz", --channel: "expected a channel number 0..1023"). */
int cli_opts_handle(int opt, const char *arg, const char *cmd, cli_capture_opts *cap,
                    cli_cal_opts *cal);

/* getopt_long over longopts (an entry whose id is a letter is also that short option, "help" ->
 * -h) that passes every option to cli_opts_handle: returns the next option that is not a shared
 * one ('h', the command's own ids), -1 at the end, or CLI_OPT_BAD when an option was unknown,
 * lacked its value or had a bad one (already reported: "rfnoise: <cmd>: unknown option '--x' (see
 * rfnoise <cmd> --help)", "... missing value for option '--rate' ..."). Options may come before,
 * between or after the operands (GNU permutation: argv is reordered so that the operands start
 * at optind); "--" ends the options. Sets opterr = 0. */
#define CLI_OPT_BAD (-2)
int cli_getopt(int argc, char **argv, const struct option *longopts, const char *cmd,
               cli_capture_opts *cap, cli_cal_opts *cal);

/* After the options: 0 when exactly one operand (the capture) is left at argv[optind]; else -1
 * after printing "rfnoise: <cmd>: no capture given (see rfnoise <cmd> --help)" or "... give
 * exactly one capture". */
int cli_one_capture(int argc, const char *cmd);

/* dB to add to dBFS for dBm at each of n frequencies: *gain is a new array (free it), or NULL
 * when cal is NULL (uncalibrated). Errors: calibration_gain_db's, RFN_ERR_NOMEM "out of memory". */
rfn_status cli_cal_gains(const calibration *cal, const double *freq_hz, size_t n, double **gain,
                         rfn_error *err);

/* Values of options several commands take, checked with one message each; 0 when good, else -1
 * after printing e.g. "rfnoise: <cmd>: --rbw 'x': expected a bandwidth > 0 in Hz". */
int cli_opt_rbw(const char *cmd, const char *arg, double *rbw_hz);       /* --rbw HZ, > 0 */
int cli_opt_csv_json(const char *cmd, const char *arg, int *json);       /* --format csv|json */
/* --format FIRST|SECOND (an output format); a sample type given here is refused with the hint
 * "(--format is the output format; the input sample type is --datatype cu8)". */
int cli_opt_format(const char *cmd, const char *arg, const char *first, const char *second,
                   int *is_second);
int cli_opt_band(const char *cmd, const char *arg, int *band);           /* --band A|B|CD|E */
int cli_opt_window(const char *cmd, const char *arg, rfn_window_type *w); /* --window W */
int cli_opt_overlap(const char *cmd, const char *arg, double *overlap);  /* --overlap [0, 1) */
int cli_opt_detrend(const char *cmd, const char *arg, int *detrend_mean); /* --detrend none|mean */
/* One option of CLI_LONGOPTS_SPECTRUM(_TRACES) into so: CLI_OPT_HANDLED, CLI_OPT_NOT_MINE, or
 * CLI_OPT_USAGE after "rfnoise: <cmd>: --nfft 'x': expected 16 ... 16777216", "give --nfft or
 * --rbw, not both", "--traces: unknown trace 'x' (max, min)" and the like. */
int cli_spectrum_opt(int opt, const char *arg, const char *cmd, spectrum_options *so);
/* --<name> YYYY-MM-DD (exactly 10 characters): *days as iso_date_parse gives them;
 * "--<name> 'x': expected a date YYYY-MM-DD". */
int cli_opt_date(const char *cmd, const char *name, const char *arg, int32_t *days);
/* One option of CLI_LONGOPTS_OUTPUT into oo: CLI_OPT_HANDLED, CLI_OPT_NOT_MINE or CLI_OPT_USAGE
 * (reported as cli_opt_csv_json does). */
int cli_out_opt(int opt, const char *arg, const char *cmd, cli_out_opts *oo);

/* --<name> VALUE that names the one file or folder of its kind: a second one is refused ("--limits
 * given twice ('a' then 'b'): a run uses one limit set"), never silently the last. */
int cli_opt_once(const char *cmd, const char *name, const char *arg, const char **slot);
/* --<name> FIRST|SECOND: "--<name> 'x': expected FIRST or SECOND"; *is_second (when not NULL)
 * says which was given. */
int cli_opt_choice(const char *cmd, const char *name, const char *arg, const char *first,
                   const char *second, int *is_second);

/* Where a command writes its data: out_path (--output FILE) through atomic_file, or standard
 * output when out_path is NULL (*af NULL). *f is the stream to write. */
rfn_status cli_output_open(const char *out_path, atomic_file **af, FILE **f, rfn_error *err);

/* Finish cli_output_open's output: commit *af (and set it NULL), or, when af or *af is NULL,
 * flush standard output (RFN_ERR_IO "cannot write to standard output"). */
rfn_status cli_output_commit(atomic_file **af, rfn_error *err);

/* 0 when the calibration options agree; -1 after printing "rfnoise: <cmd>: give --cal or
 * --cal-db, not both". */
int cli_cal_opts_check(const cli_cal_opts *cal, const char *cmd);

/* The calibration the options ask for: none (*out NULL, RFN_OK) when neither --cal nor --cal-db
 * was given; else the file (calibration_load) or the constant (calibration_from_db), with the
 * --rx-gain table selected. A per-gain file without --rx-gain is RFN_ERR_INVALID
 * "<file> has tables per receiver gain: say which with --rx-gain". On failure *out is NULL.
 * The caller frees *out with calibration_free. */
rfn_status cli_cal_load(const cli_cal_opts *cal, calibration **out, rfn_error *err);

#endif
