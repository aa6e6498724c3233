/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_derogation.h: what the derogation fuzz targets check of one load: a refusal is one line;
 * an accepted list has complete rules with finite limits, and each rule, asked about a device
 * that it describes (its own model, firmware, first band, region, HAN variant and cut-off date),
 * derogates it, or reaches the location stage when the rule names postcode areas. */
#ifndef RFN_FUZZ_DEROGATION_H
#define RFN_FUZZ_DEROGATION_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "derogation.h"

/* The lowest value whose bit is set in mask, or unknown when mask is 0. */
static inline int fuzz_first_bit(unsigned mask, int unknown)
{
    for (int i = 0; i < 8; i++)
        if (mask & (1u << i)) return i;
    return unknown;
}

static inline void fuzz_check_rule(const derogation_list *dl, const derogation_rule *r)
{
    if (!r->reference[0] || !r->manufacturer[0] || !r->model[0] || !r->limits) __builtin_trap();
    if (r->n_bands && !r->bands) __builtin_trap();
    if (r->n_postcode_areas && !r->postcode_areas) __builtin_trap();
    for (size_t i = 0; i < (r->n_bands ? r->n_bands : 1); i++)
        if (r->limit_from_limit_set ? !isnan(r->limits[i])
                                    : !(isfinite(r->limits[i]) && fabs(r->limits[i]) <= 300))
            __builtin_trap();
    const char *fw = "1";
    if (r->firmware_kind == FIRMWARE_LIST) {
        if (!r->n_firmware) __builtin_trap();
        fw = r->firmware_list[0];
    } else if (r->firmware_kind == FIRMWARE_RANGE) {
        if (!r->firmware_lo && !r->firmware_hi) __builtin_trap();
        fw = r->firmware_lo ? r->firmware_lo : r->firmware_hi;
    }
    derogation_query q = {.manufacturer = r->manufacturer,
                          .model = r->model,
                          .firmware = fw,
                          .band_id = r->n_bands ? r->bands[0] : "any-band",
                          .region = (csp_region)fuzz_first_bit(r->region_mask, CSP_REGION_UNKNOWN),
                          .han = (han_variant)fuzz_first_bit(r->han_mask, HAN_VARIANT_UNKNOWN),
                          .postcode = NULL,
                          .install_date = r->install_by != INT32_MIN ? r->install_by : 19000};
    derogation_result res;
    derogation_outcome o = derogation_match(dl, &q, &res);
    if (o != res.outcome || !derogation_outcome_code(o)) __builtin_trap();
    if (r->n_postcode_areas ? o == DEROGATION_MODEL_NOT_DEROGATED || !res.rule
                            : o != DEROGATION_MATCH)
        __builtin_trap();
    if (o == DEROGATION_MATCH && (!res.rule || (!res.limit_from_limit_set && !isfinite(res.limit))))
        __builtin_trap();
}

/* Check the outcome of one derogation_load*() call and free the list. */
static inline void fuzz_check_derogations(rfn_status st, derogation_list *dl, const rfn_error *err)
{
    if (st != RFN_OK) {
        if (dl || !err->msg[0] || strchr(err->msg, '\n')) __builtin_trap();
        return;
    }
    for (size_t i = 0; i < derogation_count(dl); i++)
        fuzz_check_rule(dl, derogation_get(dl, i));
    derogation_destroy(dl);
}

#endif
