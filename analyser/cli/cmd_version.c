/* cmd_version.c: `rfnoise version`: the tool and library versions, for provenance in reports. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fft.h"

int cmd_version(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("Usage: rfnoise version\n\nPrint the version of rfnoise and of the libraries it "
               "uses.\n");
        return RFN_EXIT_OK;
    }
    if (argc > 1) {
        cli_errorf("version", "unexpected argument '%s'", argv[1]);
        return RFN_EXIT_USAGE;
    }
    printf("rfnoise %s\n", RFN_VERSION);
    printf("%s\n", rfn_fft_library_version());
    return RFN_EXIT_OK;
}
