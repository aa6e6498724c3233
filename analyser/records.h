/* records.h: the plain structs handed from stage to stage (ARCHITECTURE.md §2):
 * capture metadata -> spectrum/band measurements -> band verdicts -> device verdicts -> outputs.
 * Each stage owns the section for its output; no stage reaches back into an earlier one. */
#ifndef RFN_RECORDS_H
#define RFN_RECORDS_H

#include <stddef.h>
#include <stdint.h>

/* ---- capture metadata (capture reader) -------------------------------------------------------- */
/* @capture-section: owned by capture.c */

/* ---- band measurements and verdicts (analyse) ------------------------------------------------- */
/* @analyse-section: owned by analyse.c */

/* ---- register rows and device verdicts (register / validate) ---------------------------------- */
/* @register-section: owned by register.c */

#endif
