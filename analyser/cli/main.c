/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: the rfnoise executable; everything else lives in the rfn_analyser library. */
#include "cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
