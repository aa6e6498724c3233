/* SPDX-License-Identifier: GPL-2.0-or-later */
/* text_escape.c: text from files (metadata, names, paths) made safe for a terminal: every control
 * character shown as \xNN (docs/style.md §Errors: control characters from files are escaped before
 * they reach a terminal). */
#include "text_escape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A control character: C0, DEL, or a C1 control in UTF-8 (U+0080..U+009F, 0xC2 0x80..0x9F);
 * returns how many bytes it takes, 0 for anything else. */
static size_t control_len(const unsigned char *p)
{
    if (*p < 0x20 || *p == 0x7f)
        return 1;
    return p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f ? 2 : 0;
}

size_t text_escape(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t k = control_len(p);
        for (size_t i = 0; i < (k ? k : 1); i++, p++) {
            char esc[5];
            int w = k ? snprintf(esc, sizeof esc, "\\x%02x", *p) : 1;
            if (n + (size_t)w >= cap)
                goto done;
            if (k)
                memcpy(out + n, esc, (size_t)w);
            else
                out[n] = (char)*p;
            n += (size_t)w;
        }
    }
done:
    if (cap)
        out[n] = '\0';
    return n;
}

const char *text_esc(const char *s)
{
    enum { SLOTS = 8 };
    static char *ring[SLOTS];
    static size_t caps[SLOTS], next;
    size_t i = next++ % SLOTS, need = 4 * strlen(s) + 1;
    if (need > caps[i]) {
        char *nb = realloc(ring[i], need);
        if (!nb)
            return "(out of memory)";
        ring[i] = nb;
        caps[i] = need;
    }
    text_escape(s, ring[i], caps[i]);
    return ring[i];
}

void html_escape(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
        }
    }
}
