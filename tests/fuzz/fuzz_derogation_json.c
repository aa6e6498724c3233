/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_derogation_json.c: libFuzzer target for the JSON derogation list (built with
 * -DRFN_FUZZ=ON). derogation_load_mem reads JSON when the first byte after spaces is '{': inputs
 * that do not start so are given a '{' in front, so that every input is parsed as JSON. Every
 * input is accepted with rules that match what they describe, or refused with one line
 * (fuzz_derogation.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "derogation.h"
#include "fuzz_derogation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i = 0;
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) i = 3;
    while (i < size && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    const uint8_t *text = data;
    uint8_t *copy = NULL;
    if (i == size || data[i] != '{') {
        if (!(copy = malloc(size + 1))) return 0;
        copy[0] = '{';
        if (size) memcpy(copy + 1, data, size);
        text = copy;
        size++;
    }
    rfn_error err = {0};
    derogation_list *dl = NULL;
    fuzz_check_derogations(derogation_load_mem("fuzz.json", text, size, &dl, &err), dl, &err);
    free(copy);
    return 0;
}
