/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.h: entry points of the subcommands listed in commands.def. */
#ifndef RFN_COMMANDS_H
#define RFN_COMMANDS_H

#define RFN_COMMAND(name, summary, fn, flags) int fn(int argc, char **argv);
#include "commands.def"
#undef RFN_COMMAND

#endif
