/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_limits.c: libFuzzer target for the limit-set and calibration loaders (built with
 * -DRFN_FUZZ=ON). Every input must be either accepted, with a self-consistent set, or refused with
 * a one-line message: never a crash, leak or sanitizer report. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "calibration.h"
#include "limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rfn_error err;
    limits_set *s = NULL;
    if (limits_parse((const char *)data, size, "fuzz.json", &s, &err) == RFN_OK) {
        for (size_t i = 0; i < s->n_bands; i++) {
            const limits_band *b = &s->bands[i];
            if (!(b->f_lo_hz < b->f_hi_hz) || !b->regions || !b->han)
                __builtin_trap();
            double mid = (b->f_lo_hz + b->f_hi_hz) / 2;
            if (isnan(limits_band_level(b, mid)) || isnan(limits_band_level(b, b->f_lo_hz)))
                __builtin_trap();
        }
        size_t idx;
        limits_select(&s, 1, s->valid_from, &idx, &err);
        limits_free(s);
    } else if (!err.msg[0] || strchr(err.msg, '\n')) {
        __builtin_trap();
    }
    calibration *c = NULL;
    if (calibration_parse((const char *)data, size, "fuzz.json", &c, &err) == RFN_OK) {
        double db;
        calibration_gain_db(c, 1e9, &db, &err);
        calibration_free(c);
    }
    return 0;
}
