/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exit_status.h: the process exit status every command returns, and the stages that turn verdicts
 * into one (docs/architecture.md §Outputs): 0 all compliant / success, 1 non-compliance
 * found, 2 usage or input error, 3 inconclusive only (no failure, but not everything could be
 * proven). A record of the pipeline, so that a stage can say it without depending on the CLI. */
#ifndef RFN_EXIT_STATUS_H
#define RFN_EXIT_STATUS_H

enum {
    RFN_EXIT_OK = 0,
    RFN_EXIT_NONCOMPLIANT = 1,
    RFN_EXIT_USAGE = 2,
    RFN_EXIT_INCONCLUSIVE = 3,
};

#endif
