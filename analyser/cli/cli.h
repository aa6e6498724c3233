/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h: the rfnoise command table and the conventions every subcommand follows. */
#ifndef RFN_CLI_H
#define RFN_CLI_H

#include "exit_status.h"
#include <stddef.h>

#include "rfn_error.h"
#include "text_escape.h"

/* A subcommand: argv[0] is the subcommand's own name. Returns the process exit status. */
typedef int (*cli_command_fn)(int argc, char **argv);

typedef struct cli_command {
    const char *name;
    const char *summary; /* one line for `rfnoise --help` */
    cli_command_fn run;
    unsigned flags; /* CLI_CMD_* */
} cli_command;

/* What a command needs from cli_main, carried by its line in commands.def. */
enum {
    CLI_CMD_FFT_WISDOM = 1u << 0, /* plans FFTs with FFTW_MEASURE: load and save wisdom around it */
};

/* Print "rfnoise: <cmd>: <message>" on stderr (the one-line error format of docs/style.md
 * §Errors), with every control character in the message escaped (text_escape). */
void cli_error(const char *cmd, const rfn_error *err);
void cli_errorf(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Parse a whole option argument as a finite double / non-negative 64-bit integer; 0 on success.
 * Rejects trailing garbage ("12k"), empty strings and overflow. */
int cli_parse_double(const char *s, double *out);
int cli_parse_u64(const char *s, unsigned long long *out);

/* The dispatcher behind main(). */
int cli_main(int argc, char **argv);

#endif
