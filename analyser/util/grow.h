/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grow.h: making room in a heap array by doubling its capacity. */
#ifndef RFN_GROW_H
#define RFN_GROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Make *p (capacity *cap elements of elem bytes) hold at least need elements: the capacity
 * becomes first (> 0), or the old one, doubled until it suffices. false (*p and *cap unchanged)
 * when out of memory or the size would overflow. */
static inline bool grow_array(void **p, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap) return true;
    size_t n = *cap ? *cap : first;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem) return false;
        n *= 2;
    }
    void *q = realloc(*p, n * elem);
    if (!q) return false;
    *p = q;
    *cap = n;
    return true;
}

#endif
