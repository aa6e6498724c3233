/* SPDX-License-Identifier: GPL-2.0-or-later */
/* text_escape.h: control characters of outside text escaped for the terminal, and text escaped
 * for HTML. */
#ifndef RFN_TEXT_ESCAPE_H
#define RFN_TEXT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Copy s into out (cap bytes, always NUL-terminated when cap > 0) with every control character
 * (C0, DEL, and the C1 controls U+0080..U+009F) shown as \xNN, so that text from files
 * (metadata, names, paths) printed to a terminal cannot move the cursor, retitle or recolour it.
 * Returns the length written; a sequence that does not fit is cut whole. */
size_t text_escape(const char *s, char *out, size_t cap);

/* text_escape of s into one of eight buffers reused in turn (valid until the eighth next call;
 * main thread only): for printf arguments of human-readable text, e.g.
 * printf("device id: %s\n", text_esc(m->device_id)). */
const char *text_esc(const char *s);

/* s (NULL: nothing) written to f as HTML text: & < > " ' as entities, so that data can never
 * become markup in an attribute or an element, and every C0 control character and DEL as a space
 * (no control character reaches a page). */
void html_escape(FILE *f, const char *s);

#endif
