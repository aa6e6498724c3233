/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c: dispatch `rfnoise <command>` to its implementation; top-level --help and --version. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "fft.h"
#include "fft_wisdom.h"

static const cli_command commands[] = {
#define RFN_COMMAND(name, summary, fn, flags) {name, summary, fn, flags},
#include "commands.def"
#undef RFN_COMMAND
};
static const size_t n_commands = sizeof commands / sizeof commands[0];

/* One line on stderr, every control character in it escaped: messages quote names, paths and
 * metadata from files, and an ANSI escape among them must not reach the terminal. */
static void message_line(const char *cmd, const char *msg)
{
    fprintf(stderr, "rfnoise: %s: %s\n", cmd, text_esc(msg));
}

void cli_error(const char *cmd, const rfn_error *err)
{
    message_line(cmd, err && err->msg[0] ? err->msg
                                         : rfn_strerror(err ? err->status : RFN_ERR_INVALID));
}

void cli_errorf(const char *cmd, const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    message_line(cmd, msg);
}

int cli_parse_double(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int cli_parse_u64(const char *s, unsigned long long *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

static void usage(FILE *fp)
{
    fprintf(fp, "Usage: rfnoise <command> [options] [arguments]\n"
                "\n"
                "RF noise and device compliance analyser for smart-metering installs.\n"
                "\n"
                "Commands:\n");
    for (size_t i = 0; i < n_commands; i++)
        fprintf(fp, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\n"
                "Options:\n"
                "  -h, --help     show this help (and `rfnoise <command> --help` for a command)\n"
                "  -V, --version  show the version\n"
                "\n"
                "Environment:\n"
                "  RFNOISE_DATA_DIR   the bundled data (limits/, calibration/, derogations/);\n"
                "                     default: ../share/rfnoise from the executable's folder\n"
                "  RFNOISE_WORKSPACE  the workspace of workspace, remediation and report\n"
                "  RFNOISE_WISDOM     FFTW wisdom file, or off (default:\n"
                "                     $XDG_CACHE_HOME/rfnoise/fftwf-wisdom)\n"
                "  RFN_GNUPLOT        the gnuplot program (default: gnuplot from PATH)\n"
                "\n"
                "Exit status: 0 success / all compliant, 1 non-compliance found,\n"
                "2 usage or input error, 3 inconclusive results only.\n");
}

/* Commands that plan FFTs keep FFTW wisdom between runs (fft_wisdom.h), so a plan is measured once
 * per machine. Not validate: it plans with FFTW_ESTIMATE and must not pick up measured plans from
 * wisdom, so that its results are the same bits on every machine and run (its cache, shards and
 * merge rely on that; with wisdom the last bits of a level change). RFNOISE_WISDOM names another
 * wisdom file, or "off" to neither read nor write one. A wisdom file that cannot be read is a
 * warning (plans are measured afresh); one that cannot be written is silently skipped: wisdom is
 * an optimisation, never a reason to fail. */
static int run_with_wisdom(const cli_command *cmd, int argc, char **argv)
{
    const char *path = getenv("RFNOISE_WISDOM");
    if (!(cmd->flags & CLI_CMD_FFT_WISDOM) || (path && strcmp(path, "off") == 0))
        return cmd->run(argc, argv);
    if (path && !*path)
        path = NULL;
    rfn_error err = {0};
    if (fft_wisdom_load(path, &err) != RFN_OK)
        cli_errorf("warning", "FFT wisdom not used: %s", err.msg);
    char *before = rfn_fft_wisdom_export();
    int rc = cmd->run(argc, argv);
    char *after = rfn_fft_wisdom_export();
    if (after && (!before || strcmp(before, after) != 0))
        (void)fft_wisdom_save(path, &err);
    free(before);
    free(after);
    return rc;
}

/* Every command's data goes to stdout; a write that failed there (a full disk, /dev/full, a
 * closed pipe) must not exit 0, so stdout is flushed and closed here, once for all commands. */
static int finish_stdout(const char *cmd, int rc)
{
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int e = errno;
    if (fclose(stdout) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad)
        return rc;
    cli_errorf(cmd, "cannot write to standard output: %s", strerror(e));
    return RFN_EXIT_USAGE;
}

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return RFN_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return finish_stdout("help", RFN_EXIT_OK);
    }
    if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
        printf("rfnoise %s\n", RFN_VERSION);
        return finish_stdout("version", RFN_EXIT_OK);
    }
    for (size_t i = 0; i < n_commands; i++)
        if (strcmp(name, commands[i].name) == 0)
            return finish_stdout(commands[i].name,
                                 run_with_wisdom(&commands[i], argc - 1, argv + 1));
    cli_errorf("usage", "unknown command '%s' (see rfnoise --help)", name);
    return RFN_EXIT_USAGE;
}
