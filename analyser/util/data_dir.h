/* SPDX-License-Identifier: GPL-2.0-or-later */
/* data_dir.h: where rfnoise finds its bundled data (limit sets, calibration and derogation
 * examples) at run time, with no path compiled into the binary. */
#ifndef RFN_DATA_DIR_H
#define RFN_DATA_DIR_H

#include <stddef.h>

#include "rfn_error.h"

/* The limit set used when none is given (analyse, validate, the sample batch's lab results),
 * relative to the data directory. */
#define DATA_DIR_DEFAULT_LIMITS "limits/ichis-annex-f-illustrative.json"

/* The data directory in use, found once per process:
 *   1. $RFNOISE_DATA_DIR when set and not empty;
 *   2. else ../share/rfnoise beside the executable's folder, from the real path of
 *      /proc/self/exe: PREFIX/bin/rfnoise reads PREFIX/share/rfnoise wherever the tree was
 *      installed or moved (DESTDIR included). A build tree has the same shape: CMake links
 *      BUILD/share/rfnoise to the source tree's data/, and the binaries sit one folder below
 *      BUILD (analyser/, tests/).
 * Returns NULL when the executable's path cannot be read (no /proc); *origin, when not NULL, is
 * set to "RFNOISE_DATA_DIR" or "beside the executable". Thread-safe. */
const char *data_dir(const char **origin);

/* Write "<data dir>/<rel>" into out (cap bytes). RFN_ERR_NOTFOUND when no data directory is
 * known, RFN_ERR_INVALID when the path does not fit; err says which and how to fix it. */
rfn_status data_dir_path(const char *rel, char *out, size_t cap, rfn_error *err);

#endif
