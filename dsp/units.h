/* SPDX-License-Identifier: GPL-2.0-or-later */
/* units.h: the small conversions used at the edges, where linear power becomes dB for people. */
#ifndef RFN_UNITS_H
#define RFN_UNITS_H

#include <math.h>

/* 10 log10(x) for a linear power or density. x > 0 gives the usual value; x == 0 (and any x < 0,
 * which no estimator produces) gives -INFINITY, never NaN, so that a silent band prints as
 * "-inf" and compares below every limit. Only a NaN input gives NaN. */
static inline double rfn_db10(double x)
{
    if (isnan(x))
        return x;
    return x > 0.0 ? 10.0 * log10(x) : -INFINITY;
}

/* Like rfn_db10 but never below floor_db (for plots and text tables that need a finite value). */
static inline double rfn_db10_floor(double x, double floor_db)
{
    double db = rfn_db10(x);
    return db < floor_db ? floor_db : db;
}

/* Inverse of rfn_db10: 10^(db/10); -INFINITY gives 0. */
static inline double rfn_from_db10(double db)
{
    return pow(10.0, db / 10.0);
}

#endif
