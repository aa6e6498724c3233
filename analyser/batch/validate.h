/* SPDX-License-Identifier: GPL-2.0-or-later */
/* validate.h: `rfnoise validate` and `rfnoise merge`: analyse a batch of field captures (in
 * parallel, cached, optionally sharded), join them with the installation register, lab results
 * and the derogation list, and write the device verdict files (README "Data formats"). */
#ifndef RFN_VALIDATE_H
#define RFN_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "csv_read.h"
#include "rfn_error.h"

typedef struct validate_config {
    const char *register_path; /* required */
    const char *derogations_path; /* NULL = no derogation list */
    const char *manifest_path;    /* CSV capture,DeviceID,captured_at; paths relative to it */
    const char *captures_dir;     /* or: every *.sigmf-meta in DIR, DeviceID from rfnoise: */
    const char *lab_dir;          /* DIR/index.csv: result,Manufacturer,Model,Firmware */
    const char *limits_path;      /* NULL = the bundled illustrative set */
    const char *cal_path;         /* calibration file, or */
    double cal_db;                /* scalar calibration (NAN = none) */
    const char *cal_dir;          /* lookup of captures' calibration ids; NULL = none */
    const char *notice_date;      /* YYYY-MM-DD or NULL */
    bool planned;                 /* pre-install mode: every accepted row, lab evidence only */
    bool strict;                  /* any rejected register row is fatal */
    bool quiet;                   /* no progress on stderr */
    unsigned jobs;                /* worker threads; 0 = online CPUs */
    unsigned shard_k, shard_n;    /* shard_n 0 = no sharding; else analyse i % n == k only */
    const char *out_dir;          /* required; created when absent */
    csv_input input;              /* --encoding, --date-format of the CSV inputs */
    const char *rejudge_of;       /* a rejudge: the results folder judged again (summary.json
                                     names it); NULL otherwise */
    unsigned installed_statuses;  /* statuses judged as installed (1u << device_status);
                                     0 = device_statuses_installed_default() */
    bool exclude_bursts;          /* analyse with the hub's bursts left out (analyse.h
                                     exclude_bursts; part of the cache key); a kept capture
                                     record measured without is judged inconclusive
                                     "measured-otherwise" */
    decision_options decision;    /* --decision-rule / --uncertainty-db; zero = the limit set's
                                     rule and the calibration's (or lab result's) uncertainty */
} validate_config;

validate_config validate_config_default(void);

/* Counts for the human summary and the exit status. */
typedef struct validate_totals {
    uint64_t by_verdict[DEVICE_VERDICT_COUNT]; /* by device_verdict_kind */
    uint64_t skipped;
    uint64_t rows_read, rows_accepted, rows_rejected;
    uint64_t lines, other_lines; /* register: physical lines; blank and continuation lines */
    char delim;                  /* the register's separator */
    bool no_evidence;            /* neither captures nor lab results were given */
    uint64_t uncalibrated;       /* inconclusive devices with the reason "uncalibrated" */
    /* The first unreadable captures, "path: why" (up to 10; captures_failed counts them all). */
    char unreadable[10][400];
    uint64_t captures, captures_analysed, captures_cached, captures_failed;
    bool shard_only;        /* a shard run: no join was made */
    char limits_id[64], limits_version[32]; /* the limit set every verdict was judged against */
    bool limits_illustrative;               /* its values are examples, not the limits in force */
} validate_totals;

/* Run a validation. Input errors (unreadable register/derogations/manifest/limits, strict
 * rejection) return their status with err set; unreadable captures do not fail the run (their
 * devices are inconclusive "capture-unreadable"). */
rfn_status validate_run(const validate_config *cfg, validate_totals *tot, rfn_error *err);

/* The join and outputs of validate alone, with the captures' records given as captures.jsonl
 * lines (the format validate writes; "index" is ignored, the order of lines counts) instead of
 * analysing captures: for benchmarks and tests. cfg's manifest/captures options must be NULL. */
rfn_status validate_join_records(const validate_config *cfg, const char *const *records,
                                 size_t n_records, validate_totals *tot, rfn_error *err);

/* Read a manifest (path) or a lab-results folder (dir: index.csv and the results it names) on
 * its own, with the checks and messages of validate_run (in NULL: UTF-8, ISO dates), and count
 * what it lists: *n_captures captures; *n_groups model + firmware groups holding *n_results
 * capture results. Nothing is kept. For the fuzz targets and tests. */
rfn_status validate_load_manifest(const char *path, const csv_input *in, size_t *n_captures,
                                  rfn_error *err);
rfn_status validate_load_lab(const char *dir, const csv_input *in, size_t *n_groups,
                             size_t *n_results, rfn_error *err);

/* Merge shard output directories (each a `validate --shard K/N` run) into out_dir. Refuses
 * (RFN_ERR_CONFLICT / RFN_ERR_FORMAT) when a shard is missing or doubled, or the shards differ in
 * settings or inputs, naming which. */
rfn_status validate_merge(const char *const *dirs, size_t n_dirs, const char *out_dir, bool quiet,
                          validate_totals *tot, rfn_error *err);

/* `rfnoise rejudge`: judge a validate or merge output folder again from its kept measurements
 * (captures.jsonl and the lab results; no capture is read) against another limit set,
 * derogation list, register extract or notice date. Writes validate's files into out_dir and
 * flips.csv: every device whose verdict changed against results_dir/devices.csv. */
typedef struct rejudge_config {
    const char *results_dir;      /* required: a validate or merge output */
    const char *register_path;    /* NULL: the results' own register, which must be unchanged */
    const char *derogations_path; /* NULL: the results' own */
    const char *limits_path;      /* NULL: the results' own */
    const char *notice_date;      /* NULL: the results' own */
    unsigned installed_statuses;  /* 0: the results' own */
    bool exclude_bursts;          /* true: verdicts must rest on measurements made with the
                                     hub's bursts left out; a rejudge cannot measure again, so a
                                     capture record made without is inconclusive
                                     "measured-otherwise" (false: the results' own setting) */
    decision_options decision;    /* rule DECISION_FROM_LIMITS: the results' own options */
    const char *out_dir;          /* required */
    bool quiet;
} rejudge_config;

rfn_status validate_rejudge(const rejudge_config *rc, validate_totals *tot, rfn_error *err);

#endif
