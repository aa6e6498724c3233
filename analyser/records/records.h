/* SPDX-License-Identifier: GPL-2.0-or-later */
/* records.h: the plain structs handed from stage to stage (docs/architecture.md §Records):
 * capture metadata -> spectrum/band measurements -> band verdicts -> device verdicts -> outputs.
 * Each stage owns the section for its output; no stage reaches back into an earlier one. */
#ifndef RFN_RECORDS_H
#define RFN_RECORDS_H

#include <stddef.h>
#include <stdint.h>

/* ---- capture metadata (capture reader) ------------------------------------------------------- */
/* @capture-section: owned by capture.c */
/* Filled by capture_open() (analyser/capture/capture.h); see there for the reading API. */

/* Where a metadata value came from (docs/architecture.md §Metadata), strongest first. A stronger
 * source wins a conflict; the weaker value is named in a warning. capture_source_name() gives
 * the names. */
typedef enum capture_source {
    CAPTURE_SRC_NONE = 0,     /* "none": not known */
    CAPTURE_SRC_SIGMF,        /* "sigmf": the .sigmf-meta file */
    CAPTURE_SRC_HEADER,       /* "header": container header (WAV/RF64/W64 fmt, FLAC, CAF) */
    CAPTURE_SRC_WAV_AUXI,     /* "wav-auxi": WAV auxi chunk (SDR#, HDSDR, SDRangel) */
    CAPTURE_SRC_FILENAME,     /* "filename": file-name convention or extension */
    CAPTURE_SRC_COMMAND_LINE, /* "command-line": --rate, --center, --format, FORMAT:path */
} capture_source;

#define CAPTURE_PATH_MAX 1024    /* longest path kept in capture_meta (longer paths are refused) */
#define CAPTURE_TEXT_MAX 128     /* longest text field (labels, ids); longer values are cut */
#define CAPTURE_TIME_MAX 40      /* ISO 8601 date-time text */
#define CAPTURE_MAX_WARNINGS 8   /* further warnings are counted in n_warnings_dropped */
#define CAPTURE_WARNING_MAX 320

/* A span of the capture (SigMF annotations[]): the hub's own bursts, to exclude from noise
 * statistics (docs/architecture.md §Units). */
typedef struct capture_annotation {
    int64_t sample_start; /* first sample (frame) index, 0 = first sample of the data */
    int64_t sample_count; /* samples in the span; -1 = to the end of the capture */
    double freq_lo_hz;    /* core:freq_lower_edge as written (Hz), NAN when absent */
    double freq_hi_hz;    /* core:freq_upper_edge, NAN when absent */
    char label[CAPTURE_TEXT_MAX]; /* core:label, else core:comment, else "" */
} capture_annotation;

/* One SigMF captures[] segment: from sample_start on, the capture was tuned to center_freq_hz.
 * Non-SigMF captures have one segment at sample 0 built from the merged metadata. */
typedef struct capture_segment {
    int64_t sample_start;
    double center_freq_hz;             /* NAN when unknown */
    char datetime[CAPTURE_TIME_MAX];   /* ISO 8601, "" when unknown */
    int64_t header_bytes;              /* SigMF core:header_bytes: bytes in the data file just
                                          before this segment's samples that are not samples */
} capture_segment;

typedef struct capture_meta {
    char path[CAPTURE_PATH_MAX];       /* as given, without a FORMAT: prefix */
    char data_path[CAPTURE_PATH_MAX];  /* file holding the samples (.sigmf-data for a pair) */
    char container[16]; /* "sigmf", "sigmf-archive", "wav", "rf64", "w64", "flac", "caf", "aiff",
                           "sdriq", "raw" */
    char format[16];    /* sample datatype in SigMF notation: "cu8", "ci8", "ci16_le", "ci32_le",
                           "cf32_le", "cf64_le", "ri16_le", "rf32_be", ...
                           (WAV PCM 24-bit: "ci24_le") */
    int is_complex;     /* 1 = I/Q samples; 0 = real samples (delivered in the real part) */
    int channels;       /* channels in the file; reads deliver capture_options.channel only */
    int bits;           /* bits per component in the file: 8, 16, 24, 32 or 64 */
    int is_float;       /* components are floating point (no clipping codes) */
    double sample_rate_hz;  /* > 0, always known (open fails without it) */
    double center_freq_hz;  /* of the first segment; NAN when unknown */
    int64_t sample_count;   /* frames (complex or real samples per channel) in the capture */
    double duration_s;      /* sample_count / sample_rate_hz */
    int streamed;           /* 1: read from standard input ("-"): sample_count and duration_s
                               count what has been read so far (0 at open; all at the end) */
    char datetime[CAPTURE_TIME_MAX]; /* ISO 8601 time of the first sample, "" when unknown */
    /* rfnoise: SigMF namespace (empty when absent) */
    char device_id[CAPTURE_TEXT_MAX];      /* rfnoise:device_id, EUI-64 DeviceID */
    char mpxn[CAPTURE_TEXT_MAX];           /* rfnoise:mpxn, ImportMPxN */
    char calibration_id[CAPTURE_TEXT_MAX]; /* rfnoise:calibration_id */
    char engineer[CAPTURE_TEXT_MAX];       /* rfnoise:engineer */
    char site[CAPTURE_TEXT_MAX];           /* rfnoise:site */
    char hw[CAPTURE_TEXT_MAX];             /* core:hw: hardware the metadata names, else "" */
    char recorder[CAPTURE_TEXT_MAX];       /* software that made it: core:recorder, else the tool
                                              whose file-name convention the name follows */
    double bandwidth_hz;                   /* analogue bandwidth the file name gives (URH), NAN */
    char recording[CAPTURE_TEXT_MAX];      /* the recording's name in a .sigmf archive, or "" */
    int datetime_is_local;                 /* 1: datetime is the recording computer's local
                                              time from a file name (SDR++, URH), zone unknown */
    double latitude_deg, longitude_deg, altitude_m; /* core:geolocation (GeoJSON), NAN absent */
    /* Arrays owned by the capture, valid until capture_close(); a copied capture_meta shares
     * them. */
    const capture_segment *segments;
    size_t n_segments;
    const capture_annotation *annotations;
    size_t n_annotations;
    /* Where each value came from. */
    capture_source src_format, src_sample_rate, src_center_freq, src_datetime, src_device;
    /* Conflicts between sources and other notes, one line each naming both values. */
    size_t n_warnings, n_warnings_dropped;
    char warnings[CAPTURE_MAX_WARNINGS][CAPTURE_WARNING_MAX];
} capture_meta;

/* Validation while reading (capture_get_stats); all over the samples delivered so far. */
typedef struct capture_stats {
    int64_t samples_read;      /* frames delivered */
    int64_t clipped_samples;   /* frames with a component at or within one code of full scale
                                  (float formats: |x| >= 1.0) */
    double clipped_fraction;   /* clipped_samples / samples_read (0 when nothing read) */
    int64_t nonfinite_count;   /* NaN/Inf components, each delivered as 0.0f */
    int64_t zero_samples;      /* frames exactly 0 (+0i): silenced gaps, not a noise floor */
    double dc_i, dc_q;         /* mean of the real / imaginary part (full scale 1.0) */
    double iq_gain_imbalance_db;   /* 10·log10(var I / var Q) after DC removal; NAN for real */
    double iq_phase_imbalance_deg; /* asin(cov(I,Q)/sqrt(var I·var Q)); NAN for real or zeros */
    double mean_power;         /* mean |x|² (linear, full-scale tone = 1.0) */
    double peak_abs;           /* largest |component| seen */
    int64_t truncated_bytes;   /* bytes of a partial final frame that were not read */
} capture_stats;

/* ---- band measurements and verdicts (analyse) ------------------------------------------------ */
/* @analyse-section: owned by analyse.c */
/* Filled by analyse_capture() / analyse_classify() (analyser/measure/analyse.h). */

/* Verdict of one limit band on one capture (docs/architecture.md §Verdicts). */
typedef enum band_verdict_kind {
    VERDICT_PASS = 0,
    VERDICT_FAIL,
    VERDICT_INCONCLUSIVE,   /* not proven either way: see the reasons */
    VERDICT_NOT_APPLICABLE, /* the band does not matter for the device's region / HAN variant */
} band_verdict_kind;

/* Why a verdict is what it is (bit set); names from analyse_reason_name(). */
enum band_reason {
    REASON_BAND_NOT_COVERED = 1u << 0,  /* "band-not-covered": band not entirely in the span */
    REASON_CLIPPED = 1u << 1,           /* "clipped": capture clipped above CAPTURE_CLIP_LIMIT */
    REASON_TOO_SHORT = 1u << 2,         /* "too-short": fewer averages than asked / short capture */
    REASON_UNCALIBRATED = 1u << 3,      /* "uncalibrated": limit in dBm / dBuV/m, no calibration
                                           (or no antenna factor) */
    REASON_NOISE_FLOOR = 1u << 4,       /* "noise-floor-too-close": the chain's floor is within
                                           3 dB of the limit */
    REASON_GUARD_BAND = 1u << 5,        /* "guard-band": 0 <= margin < guard */
    REASON_CAL_RANGE = 1u << 6,         /* "calibration-out-of-range" */
    REASON_DETECTOR_BOUND = 1u << 7,    /* "detector-upper-bound": QP/CISPR-AV estimated by an
                                           upper bound that exceeds the limit */
    REASON_REGION = 1u << 8,            /* "region": band not used in this region */
    REASON_HAN = 1u << 9,               /* "han-variant": band not used by this HAN variant */
    REASON_EXCEEDS_LIMIT = 1u << 10,    /* "exceeds-limit": measured above the limit */
    REASON_NO_DATA = 1u << 11,          /* "no-data": nothing measurable (silent / all zero) */
    REASON_MEASUREMENT_INVALID = 1u << 12, /* "measurement-invalid": the reading or the margin
                                              is not a finite number */
    REASON_RBW_TOO_WIDE = 1u << 13,     /* "rbw-too-wide": the spectrum is too coarse for the
                                           band's quantity (ANALYSE_RBW_* in analyse.h) */
    REASON_MEASURED_OTHERWISE = 1u << 14, /* "measured-otherwise": the kept measurement was made
                                             for another band definition (rejudge) */
    REASON_TOO_LITTLE_AFTER_EXCLUSION = 1u << 15, /* "too-little-after-exclusion": enough
                                             capture, but too few averages left once the hub's
                                             bursts were left out (--exclude-bursts) */
    REASON_WITHIN_UNCERTAINTY = 1u << 16, /* "within-uncertainty": the decision rule's guard band
                                             (the expanded uncertainty) holds the margin */
    REASON_UNCERTAINTY_NOT_STATED = 1u << 17, /* "uncertainty-not-stated": the decision rule
                                                 needs an uncertainty nobody stated */
};

/* How a margin becomes a verdict when the measurement has an expanded uncertainty U (k = 2;
 * README "Decision rules"): ILAC-G8:09/2019 and ISO 14253-1 for the guarded rules, CISPR 16-4-2
 * clause 4 for the last. Names from judge_rule_name() (analyser/judge/judge_band.h). */
typedef enum decision_rule {
    DECISION_FROM_LIMITS = 0,  /* (an option not given) the limit set's rule */
    DECISION_SIMPLE,           /* "simple": pass when margin >= 0, fail when < 0; U not used */
    DECISION_GUARDED_ACCEPT,   /* "guarded-accept": pass only when margin > U */
    DECISION_GUARDED_REJECT,   /* "guarded-reject": fail only when margin < -U */
    DECISION_CISPR_16_4_2,     /* "cispr-16-4-2": the reading is raised by U - U_cispr where the
                                  lab's U exceeds the standard's U_cispr, then judged simply */
} decision_rule;

/* The decision asked for on the command line, over what the limit set and calibration say. */
typedef struct decision_options {
    decision_rule rule;        /* DECISION_FROM_LIMITS: the limit set's */
    int has_uncertainty;       /* 1: uncertainty_db replaces the calibration's */
    double uncertainty_db;     /* --uncertainty-db: expanded uncertainty (k = 2), dB, >= 0 */
} decision_options;

/* The band_reason bits a measurement alone decides, before any limit is looked at. */
#define BAND_MEASUREMENT_REASONS                                                               \
    (REASON_BAND_NOT_COVERED | REASON_CLIPPED | REASON_TOO_SHORT | REASON_UNCALIBRATED |       \
     REASON_CAL_RANGE | REASON_NO_DATA | REASON_MEASUREMENT_INVALID | REASON_RBW_TOO_WIDE |     \
     REASON_TOO_LITTLE_AFTER_EXCLUSION)

/* What one band of one capture measured, apart from any limit (docs/architecture.md §Records):
 * judge_band() (analyser/judge/judge_band.h) turns it into a verdict against a limit of the same
 * geometry, so verdicts can be made again from kept numbers (rfnoise rejudge). */
typedef struct band_measurement {
    char geometry[20];       /* judge_band_geometry() of the band it was measured for: a limit
                                with another key measures something else */
    char measured_unit[16];  /* the limit's unit, or its dBFS variant when uncalibrated (never
                                "dBm" for uncalibrated numbers) */
    double measured;         /* at the worst point, in measured_unit; NAN when not measured */
    double worst_freq_hz;    /* frequency of the worst point (peak / mask point); NAN for
                                whole-band quantities (channel power, mean density) */
    double floor_level;      /* the chain's noise floor in the band's unit (calibration's stated
                                floor or a baseline capture), NAN when unknown */
    double capture_floor;    /* this capture's own floor in the band, in measured_unit: ITU-R
                                SM.1753 20 % method density x the band's bandwidth term; NAN
                                when not measured (information: not used for the verdict) */
    double capture_floor_median; /* the median of the same bins' densities, same unit; NAN */
    double covered_fraction; /* 0..1 of the band inside the captured span */
    char method[24];         /* how measured: "welch" (spectrum), "emi-detector" (CISPR 16-1-1
                                detector on the Gaussian-RBW STFT, emi.h), "welch-bound" (the
                                spectrum's max-hold in the RBW, an upper bound of QP/AV) */
    unsigned flags;          /* BAND_MEASUREMENT_REASONS bits found while measuring */
    int rbw_reads_low;       /* the spectrum's bin is wider than the bandwidth the reading is in:
                                it can only read low, so it proves a fail, not a pass */
    int detector_unsettled;  /* the detector's meter had not settled (too short): reads low */
    double uncertainty_db;   /* expanded uncertainty (k = 2) of the level, dB: the calibration's
                                uncertainty_db, the largest over the band; NAN when not stated */
} band_measurement;

/* Verdict of one limit band on one capture: the band as the limit set defines it, what was
 * measured (m), and the judgement of m against the limit. */
typedef struct band_verdict {
    char band_id[64];
    char label[128];
    double f_lo_hz, f_hi_hz;
    char quantity[24];       /* limits_quantity_name() */
    char trace[8];           /* "mean", "max", "median" */
    char unit[16];           /* the limit's unit, limits_unit_name() */
    double rbw_hz;           /* detector RBW (6 dB), 0 when none */
    double ref_bw_hz;        /* reference bandwidth of a /ref_bw unit, 0 when none */
    band_measurement m;
    double limit;            /* in unit, at the worst point (masks); NAN for not-applicable */
    double margin_db;        /* limit - measured; NAN when the units differ or nothing measured */
    double derogation_limit; /* NAN when the band has none */
    band_verdict_kind verdict;
    unsigned reasons;        /* enum band_reason bits: m.flags and the judgement's */
    decision_rule rule;      /* the decision rule the verdict was made under */
    double uncertainty_db;   /* the U it used (k = 2, dB; m's or --uncertainty-db); NAN none */
    double raise_db;         /* what the rule added to the reading before judging it: U - U_cispr
                                under cispr-16-4-2 when positive, else 0 */
} band_verdict;

/* How the spectrum behind the verdicts was computed (for the report header). */
typedef struct analysis_settings {
    char window[24];
    size_t nfft;
    size_t overlap;
    double bin_hz, enbw_hz, rbw6_hz;
    uint64_t segments;
    int detrend_mean;
    int median;              /* 1: median average asked (--average median) */
    double guard_db;
    decision_options decision; /* --decision-rule / --uncertainty-db as asked */
    unsigned region, han;    /* LIMITS_REGION_* / LIMITS_HAN_* bits asked, 0 = any */
    size_t excluded_spans;   /* annotation spans left out of the spectrum (the hub's bursts) */
    uint64_t excluded_samples; /* samples left out: annotations and bursts together */
    int exclude_bursts;      /* 1: bursts found against each band's floor were left out too */
    double burst_threshold_db, burst_min_s, burst_guard_s; /* the finder's settings (bursts.h) */
    size_t n_bursts;         /* bursts left out (capture_analysis.bursts) */
    uint64_t burst_samples;  /* samples they held */
    double used_fraction;    /* samples the spectrum used / samples in the capture */
} analysis_settings;

/* One burst left out of the analysis (--exclude-bursts): the hub transmitting. */
typedef struct excluded_burst {
    uint64_t start;          /* first sample, guard included */
    uint64_t length;         /* samples, guards included */
    double level_db;         /* its largest smoothed band power over that band's floor, dB */
    char band_id[64];        /* the band where it stood highest over the floor */
} excluded_burst;

/* Everything analyse knows about one capture. */
typedef struct capture_analysis {
    capture_meta meta;       /* copy; its segments/annotations pointers are cleared */
    capture_stats stats;
    unsigned findings;       /* capture_findings() bits */
    analysis_settings settings;
    char calibration_id[128];   /* "" = uncalibrated: every level is in dBFS */
    char limits_id[64], limits_version[32], limits_source[256], limits_path[256];
    int limits_illustrative;
    decision_rule decision_rule; /* the rule in force: the option's, else the limit set's */
    int limits_in_force;     /* the set is in force on the capture's date: 1 yes, 0 no (a set
                                named explicitly is used anyway, and outputs say so), -1 the
                                capture's date is unknown */
    excluded_burst *bursts;  /* [settings.n_bursts], owned (analyse_result_free); NULL when none
                                or when read back from JSON */
    band_verdict *bands;     /* [n_bands], owned (analyse_result_free) */
    size_t n_bands;
    band_verdict_kind verdict; /* fail if any band fails, else inconclusive if any is, else pass */
} capture_analysis;

/* ---- register rows and device verdicts (register / validate) --------------------------------- */
/* @register-section: owned by register.c */

/* One accepted row of the installation register (register.h loads them). Compact on purpose (a
 * register has millions of rows): text columns are ids into the register's interned string table
 * (register_string(reg, id); id 0 is ""), code-list columns are the enums of identifiers.h. */
typedef struct register_row {
    uint64_t device_id;    /* DeviceID EUI-64, first octet in the top byte (eui64_format) */
    uint64_t mpxn_key;     /* ImportMPxN as an mpxn_parse key (mpxn_format); 0 when empty */
    uint64_t line;         /* physical line of the row in the register file (1 = header) */
    int32_t install_date;  /* InstallDate, days since 1970-01-01; REGISTER_NO_DATE when empty */
    uint32_t supplier;     /* string ids */
    uint32_t manufacturer;
    uint32_t model;
    uint32_t firmware;
    uint32_t supplier_id;  /* the optional SupplierID (market participant id) and Installer
                            * columns; 0 ("") when the file lacks them or the row leaves them
                            * empty */
    uint32_t installer;
    char postcode[9];      /* normalised ("AB10 1AA", postcode_normalise); "" when empty; kept
                            * in the row as postcodes are nearly unique (interning would not pay) */
    uint8_t type;          /* device_type */
    uint8_t status;        /* device_status */
    uint8_t region;        /* csp_region */
    uint8_t han;           /* han_variant; HAN_VARIANT_UNKNOWN when empty */
    uint8_t mpxn_kind;     /* mpxn_kind; MPXN_NONE when empty */
} register_row;

#define REGISTER_NO_DATE INT32_MIN

/* One problem found in an input table (register, derogation list): where, which column, a stable
 * kebab-case code and one line of English. Written as a row of register-errors.csv
 * (file,line,column,code,message). */
typedef struct register_error {
    const char *file;    /* as given to the loader */
    uint64_t line;       /* physical line where the row starts */
    const char *column;  /* column name as in the DUIS list ("DeviceID"); "" for a whole row */
    const char *code;    /* "bad-check-digit", "duplicate-device-id", ... (register.h) */
    const char *message; /* "ImportMPxN '1312345678906': check digit does not match" */
    const char *supplier;  /* the row's Supplier as written ("" when it gave none) */
    const char *device_id; /* the row's DeviceID as written ("" when it gave none) */
} register_error;

/* ---- device verdicts (validate) ---- */
/* Filled by classify_device() (analyser/judge/classify.h); written by validate.c. */

/* Per device (docs/architecture.md §Verdicts), in increasing order of severity for "the worst
 * decides" except unassessed, which only arises with no evidence at all. */
typedef enum device_verdict_kind {
    DEVICE_COMPLIANT = 0,        /* "compliant" */
    DEVICE_DEROGATION_COMPLIANT, /* "derogation-compliant" */
    DEVICE_INCONCLUSIVE,         /* "inconclusive" */
    DEVICE_NONCOMPLIANT,         /* "non-compliant" */
    DEVICE_RETEST_REQUIRED,      /* "retest-required": the only evidence measured another
                                    model or firmware than the register now shows */
    DEVICE_UNASSESSED,           /* "unassessed" */
    DEVICE_VERDICT_COUNT
} device_verdict_kind;

/* Reason codes of a device verdict (bit set; classify_reason_name() gives the code). */
enum device_reason {
    DREASON_EXCEEDS_LIMIT = 1u << 0,            /* "exceeds-limit" */
    DREASON_EXCEEDS_DEROGATION_LIMIT = 1u << 1, /* "exceeds-derogation-limit" */
    DREASON_LOCATION_NOT_ACCEPTABLE = 1u << 2,  /* "location-not-acceptable" */
    DREASON_INSTALLED_AFTER_CUTOFF = 1u << 3,   /* "installed-after-cutoff" */
    DREASON_MODEL_NOT_DEROGATED = 1u << 4,      /* "model-not-derogated" */
    DREASON_LOCATION_UNKNOWN = 1u << 5,         /* "location-unknown" */
    DREASON_INSTALL_DATE_UNKNOWN = 1u << 6,     /* "install-date-unknown" */
    DREASON_DEROGATION_LIMIT_UNKNOWN = 1u << 7, /* "derogation-limit-unknown" */
    DREASON_CLIPPED = 1u << 8,                  /* "clipped" (band reasons of analyse) */
    DREASON_TOO_SHORT = 1u << 9,                /* "too-short" */
    DREASON_UNCALIBRATED = 1u << 10,            /* "uncalibrated" */
    DREASON_NOISE_FLOOR = 1u << 11,             /* "noise-floor-too-close" */
    DREASON_GUARD_BAND = 1u << 12,              /* "guard-band" */
    DREASON_CAL_RANGE = 1u << 13,               /* "calibration-out-of-range" */
    DREASON_DETECTOR_BOUND = 1u << 14,          /* "detector-upper-bound" */
    DREASON_NO_DATA = 1u << 15,                 /* "no-data" */
    DREASON_BAND_NOT_COVERED = 1u << 16,        /* "band-not-covered": partly covered band */
    DREASON_CAPTURE_UNREADABLE = 1u << 17,      /* "capture-unreadable" */
    DREASON_NO_APPLICABLE_BAND = 1u << 18,      /* "no-applicable-band-measured" */
    DREASON_NO_EVIDENCE = 1u << 19,             /* "no-evidence" (unassessed) */
    DREASON_BAND_NOT_MEASURED = 1u << 20,       /* "band-not-measured": an applicable band
                                                   no own capture nor lab result covered */
    DREASON_MEASUREMENT_INVALID = 1u << 21,     /* "measurement-invalid" */
    DREASON_RBW_TOO_WIDE = 1u << 22,            /* "rbw-too-wide" */
    DREASON_MEASURED_OTHERWISE = 1u << 23,      /* "measured-otherwise": kept numbers made for
                                                   another band definition (rejudge) */
    DREASON_DEVICE_CHANGED = 1u << 24,          /* "model-or-firmware-changed": evidence set
                                                   aside, it measured another model or
                                                   firmware than the register shows */
    DREASON_TOO_LITTLE_AFTER_EXCLUSION = 1u << 25, /* "too-little-after-exclusion" */
    DREASON_WITHIN_UNCERTAINTY = 1u << 26,      /* "within-uncertainty" */
    DREASON_UNCERTAINTY_NOT_STATED = 1u << 27,  /* "uncertainty-not-stated" */
    DREASON_FIRMWARE_NOT_COVERED = 1u << 28,    /* "firmware-not-covered": with
                                                   model-not-derogated, when a rule names the
                                                   model but covers none of its firmware */
};

typedef enum device_evidence {
    EVIDENCE_NONE = 0,  /* "none" */
    EVIDENCE_CAPTURE,   /* "capture": the device's own captures */
    EVIDENCE_LAB_MODEL, /* "lab-model": a lab result of the exact model + firmware */
    EVIDENCE_CAPTURE_LAB_MODEL, /* "capture+lab-model": own captures, and lab results of the
                                   exact model + firmware for bands they did not cover */
} device_evidence;

typedef struct device_verdict {
    device_verdict_kind verdict;
    unsigned reasons;      /* enum device_reason bits */
    char worst_band[64];   /* band id that decided; "" when none */
    double measured;       /* in unit; NAN when none */
    double limit;          /* the limit that decided: the permanent limit, or the derogation
                              limit when a derogation rule matched; NAN when none */
    char unit[16];         /* measured_unit of the deciding band result as people read it,
                              naming its reference bandwidth (limits_unit_text: dBm/12.5kHz) */
    double margin_db;      /* limit - measured; NAN when none */
    device_evidence evidence;
    uint32_t n_captures;   /* own captures (all listed in captures.jsonl), or lab results used */
    const char *derogation_ref; /* matched (or closest) rule's reference; NULL when none */
    char limit_set_id[64], limit_set_version[32]; /* of the deciding result */
} device_verdict;

#endif
