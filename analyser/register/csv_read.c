/* SPDX-License-Identifier: GPL-2.0-or-later */
/* csv_read.c: streaming CSV reader on libcsv with physical line numbers per record. */
#include "csv_read.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grow.h"
#include "io_guard.h"
#include "identifiers.h"

enum { BLOCK_BYTES = 64 * 1024 };

typedef struct queued_record {
    uint64_t line;
    size_t first; /* index of its first field in the field arrays */
    size_t n;
    bool bad_quotes, unclosed;
} queued_record;

struct csv_reader {
    char *name;
    csv_read_config cfg;
    FILE *f;                  /* NULL when reading from memory */
    const unsigned char *mem; /* memory input, or NULL */
    size_t mem_len;
    bool mem_read;          /* the memory input has been taken as the one block */
    unsigned char *raw;     /* file read buffer (BLOCK_BYTES) */
    iconv_t cd;             /* to UTF-8; (iconv_t)-1 when not converting */
    unsigned char *conv;    /* converted block */
    size_t conv_cap;
    const unsigned char *block; /* current input block: raw, mem or conv */
    size_t block_len, block_pos;
    bool input_done;        /* no more input bytes */
    bool finished;          /* csv_fini has run: nothing more will come */
    bool at_start;          /* BOM not yet checked */
    bool line_start;        /* the next byte begins a new physical line */
    bool skip_to_eol;       /* resynchronising after malformed quoting */
    uint64_t cur_line;      /* physical line of the next byte fed to the parser */
    uint64_t pending_start; /* line where the record being parsed started */
    uint64_t offset;        /* input bytes consumed */
    struct csv_parser parser;
    bool parser_ready;

    /* Lines after the first of a record that is still in a quoted field (rec_first: the line
     * number of the first of them), kept to read them again if the quote never closes; and the
     * bytes being read again (replay, from replay_pos), which come before the block's. */
    unsigned char *rec;
    size_t rec_len, rec_cap;
    uint64_t rec_first;
    bool keep_line; /* the current line is one of them */
    unsigned char *replay;
    size_t replay_len, replay_cap, replay_pos;

    /* Fields of queued and in-progress records, flattened: bytes (NUL-terminated) in data,
     * start offsets and lengths per field. Records [cur_first, n_fields) are in progress. */
    char *data;
    size_t data_len, data_cap;
    size_t *off, *len;
    size_t n_fields, fields_cap, cur_first;

    queued_record *queue;
    size_t queue_len, queue_cap, queue_head;

    const char **ptrs; /* handed out in csv_record.fields */
    size_t ptrs_cap;

    uint64_t rec_index;
    size_t n_expected;
    uint64_t max_line, continuation, unclosed; /* for csv_reader_stats */

    rfn_error fatal; /* sticky fatal error (status RFN_OK while none) */
};

csv_read_config csv_read_config_default(void)
{
    return (csv_read_config){
        .delim = ',',
        .trim_spaces = true,
        .encoding = CSV_ENC_UTF8,
        .max_field_lines = 8,
        .max_field_bytes = 1u << 20,
        .max_record_bytes = 16u << 20,
        .max_fields = 4096,
    };
}

csv_read_config csv_read_config_input(const csv_input *in)
{
    csv_read_config c = csv_read_config_default();
    c.delim = 0;
    if (in) c.encoding = in->encoding;
    return c;
}

/* ---- growth helpers ------------------------------------------------------------------------ */

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    return grow_array(p, cap, need, elem, 16);
}

/* Room for one more field in off[] and len[] (which share fields_cap). */
static bool ensure_fields(csv_reader *r)
{
    if (r->n_fields < r->fields_cap) return true;
    size_t cap = r->fields_cap ? r->fields_cap * 2 : 64;
    if (cap > SIZE_MAX / sizeof(size_t)) return false;
    size_t *o = realloc(r->off, cap * sizeof *o);
    if (!o) return false;
    r->off = o;
    size_t *l = realloc(r->len, cap * sizeof *l);
    if (!l) return false;
    r->len = l;
    r->fields_cap = cap;
    return true;
}

static void set_fatal(csv_reader *r, rfn_status st, const char *why)
{
    if (r->fatal.status == RFN_OK)
        rfn_error_set(&r->fatal, st, "%s:%llu: %s", r->name, (unsigned long long)r->pending_start,
                      why);
}

/* ---- libcsv callbacks ------------------------------------------------------------------------ */

static void on_field(void *s, size_t n, void *ctx)
{
    csv_reader *r = ctx;
    if (r->fatal.status != RFN_OK) return;
    char why[128];
    if (r->n_fields - r->cur_first >= r->cfg.max_fields) {
        snprintf(why, sizeof why, "more than %zu fields in one record", r->cfg.max_fields);
        set_fatal(r, RFN_ERR_FORMAT, why);
        return;
    }
    if (n > r->cfg.max_field_bytes) {
        snprintf(why, sizeof why, "field longer than %zu bytes (unclosed quote?)",
                 r->cfg.max_field_bytes);
        set_fatal(r, RFN_ERR_FORMAT, why);
        return;
    }
    size_t rec_start = r->cur_first < r->n_fields ? r->off[r->cur_first] : r->data_len;
    if (r->data_len - rec_start + n > r->cfg.max_record_bytes) {
        snprintf(why, sizeof why, "record longer than %zu bytes (unclosed quote?)",
                 r->cfg.max_record_bytes);
        set_fatal(r, RFN_ERR_FORMAT, why);
        return;
    }
    if (!grow((void **)&r->data, &r->data_cap, r->data_len + n + 1, 1) || !ensure_fields(r)) {
        set_fatal(r, RFN_ERR_NOMEM, "out of memory");
        return;
    }
    if (n) memcpy(r->data + r->data_len, s, n);
    r->off[r->n_fields] = r->data_len;
    r->len[r->n_fields] = n;
    r->data_len += n;
    r->data[r->data_len++] = '\0';
    r->n_fields++;
}

/* Queue the record in progress. last_line: the physical line where it ends (for the count of
 * continuation lines). */
static bool push_record(csv_reader *r, bool bad_quotes, bool unclosed, uint64_t last_line)
{
    if (!grow((void **)&r->queue, &r->queue_cap, r->queue_len + 1, sizeof *r->queue)) {
        set_fatal(r, RFN_ERR_NOMEM, "out of memory");
        return false;
    }
    r->queue[r->queue_len++] = (queued_record){
        .line = r->pending_start,
        .first = r->cur_first,
        .n = r->n_fields - r->cur_first,
        .bad_quotes = bad_quotes,
        .unclosed = unclosed,
    };
    r->cur_first = r->n_fields;
    if (last_line > r->pending_start) r->continuation += last_line - r->pending_start;
    r->unclosed += unclosed;
    return true;
}

static void on_record(int c, void *ctx)
{
    (void)c;
    csv_reader *r = ctx;
    if (r->fatal.status != RFN_OK) return;
    push_record(r, false, false, r->cur_line);
    /* A lone CR can end a record mid-line: the next one then starts on this same line. */
    r->pending_start = r->cur_line;
}

/* ---- parser set-up --------------------------------------------------------------------------- */

static int never_space(unsigned char c)
{
    (void)c;
    return 0;
}

static bool parser_start(csv_reader *r)
{
    /* CSV_STRICT: a quote inside an unquoted field or text after a closing quote is an error
     * rather than guessed at; CSV_STRICT_FINI: an unclosed quote at end of input is one too. */
    if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI) != 0) return false;
    csv_set_delim(&r->parser, r->cfg.delim ? r->cfg.delim : ',');
    if (!r->cfg.trim_spaces) csv_set_space_func(&r->parser, never_space);
    r->parser_ready = true;
    return true;
}

static rfn_status reader_new(const char *name, const csv_read_config *cfg, csv_reader **out,
                             rfn_error *err)
{
    csv_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->name = strdup(name))) {
        free(r);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
    }
    r->cd = (iconv_t)-1;
    r->cfg = cfg ? *cfg : csv_read_config_default();
    if (r->cfg.max_fields == 0 || r->cfg.max_field_bytes == 0 || r->cfg.max_record_bytes == 0 ||
        r->cfg.max_field_lines == 0 || r->cfg.delim == '"' || r->cfg.delim == '\r' ||
        r->cfg.delim == '\n' || (unsigned)r->cfg.encoding > CSV_ENC_LATIN1) {
        csv_reader_destroy(r);
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: invalid CSV reader configuration", name);
    }
    if (r->cfg.encoding != CSV_ENC_UTF8 &&
        (r->cd = iconv_open("UTF-8", r->cfg.encoding == CSV_ENC_CP1252 ? "CP1252"
                                                                        : "ISO-8859-1")) ==
            (iconv_t)-1) {
        csv_reader_destroy(r);
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: iconv cannot convert from %s: %s", name,
                             csv_encoding_name(cfg->encoding), strerror(errno));
    }
    r->at_start = true;
    r->line_start = true;
    r->cur_line = 1;
    r->pending_start = 1;
    /* Field arrays exist from the start, so a record with no fields still has valid pointers. */
    if (!parser_start(r) || !ensure_fields(r) || !grow((void **)&r->data, &r->data_cap, 64, 1) ||
        !grow((void **)&r->ptrs, &r->ptrs_cap, 1, sizeof *r->ptrs)) {
        csv_reader_destroy(r);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
    }
    *out = r;
    return RFN_OK;
}

rfn_status csv_reader_open(const char *path, const csv_read_config *cfg, csv_reader **out,
                           rfn_error *err)
{
    *out = NULL;
    csv_reader *r;
    rfn_status st = reader_new(path, cfg, &r, err);
    if (st) return st;
    r->raw = malloc(BLOCK_BYTES);
    if (!r->raw) {
        csv_reader_destroy(r);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
    }
    if ((st = io_fopen_input(path, &r->f, NULL, err))) {
        csv_reader_destroy(r);
        return st;
    }
    *out = r;
    return RFN_OK;
}

rfn_status csv_reader_open_mem(const char *name, const void *data, size_t len,
                               const csv_read_config *cfg, csv_reader **out, rfn_error *err)
{
    *out = NULL;
    csv_reader *r;
    rfn_status st = reader_new(name, cfg, &r, err);
    if (st) return st;
    r->mem = data ? data : (const void *)""; /* non-NULL marks a memory reader */
    r->mem_len = data ? len : 0;
    *out = r;
    return RFN_OK;
}

void csv_reader_destroy(csv_reader *r)
{
    if (!r) return;
    if (r->parser_ready) csv_free(&r->parser);
    if (r->f) fclose(r->f);
    if (r->cd != (iconv_t)-1) iconv_close(r->cd);
    free(r->raw);
    free(r->conv);
    free(r->rec);
    free(r->replay);
    free(r->name);
    free(r->data);
    free(r->off);
    free(r->len);
    free(r->queue);
    free(r->ptrs);
    free(r);
}

const char *csv_reader_name(const csv_reader *r)
{
    return r->name;
}

uint64_t csv_reader_offset(const csv_reader *r)
{
    return r->offset;
}

unsigned char csv_reader_delim(const csv_reader *r)
{
    return r->cfg.delim ? r->cfg.delim : ',';
}

void csv_reader_stats(const csv_reader *r, csv_read_stats *out)
{
    uint64_t used = r->rec_index + r->continuation;
    *out = (csv_read_stats){
        .lines = r->max_line,
        .records = r->rec_index,
        .continuation_lines = r->continuation,
        .blank_lines = r->max_line > used ? r->max_line - used : 0,
        .unclosed = r->unclosed,
    };
}

/* ---- feeding --------------------------------------------------------------------------------- */

/* All queued records have been handed out: drop them, keeping the fields of the record in
 * progress (moved to the front), so memory stays bounded by the largest record. */
static void compact(csv_reader *r)
{
    size_t base = r->cur_first < r->n_fields ? r->off[r->cur_first] : r->data_len;
    if (base) {
        memmove(r->data, r->data + base, r->data_len - base);
        r->data_len -= base;
    }
    for (size_t i = r->cur_first; i < r->n_fields; i++) {
        r->off[i - r->cur_first] = r->off[i] - base;
        r->len[i - r->cur_first] = r->len[i];
    }
    r->n_fields -= r->cur_first;
    r->cur_first = 0;
    r->queue_len = r->queue_head = 0;
}

/* The start of the input: drop a UTF-8 BOM (the input is then UTF-8 whatever the configured
 * encoding), refuse UTF-16. */
static bool check_start(csv_reader *r, const unsigned char **p, size_t *n)
{
    if (*n >= 3 && (*p)[0] == 0xEF && (*p)[1] == 0xBB && (*p)[2] == 0xBF) {
        *p += 3;
        *n -= 3;
        if (r->cd != (iconv_t)-1) {
            iconv_close(r->cd);
            r->cd = (iconv_t)-1;
        }
        return true;
    }
    bool bom16 = *n >= 2 && (((*p)[0] == 0xFF && (*p)[1] == 0xFE) ||
                             ((*p)[0] == 0xFE && (*p)[1] == 0xFF));
    /* Text that starts with an ASCII character in UTF-16 has a NUL in its first two bytes. */
    if (bom16 || (*n >= 2 && ((*p)[0] == 0) != ((*p)[1] == 0))) {
        rfn_error_set(&r->fatal, RFN_ERR_FORMAT,
                      "%s: UTF-16 text%s - save it as UTF-8 (in Excel: \"CSV UTF-8\")", r->name,
                      bom16 ? "" : " (a NUL byte at the start)");
        return false;
    }
    return true;
}

/* Windows-1252 / Latin-1 bytes to UTF-8 into conv (single-byte encodings: no state carries
 * across blocks). */
static bool convert(csv_reader *r, const unsigned char *in, size_t n)
{
    if (!grow((void **)&r->conv, &r->conv_cap, 3 * n + 4, 1)) {
        set_fatal(r, RFN_ERR_NOMEM, "out of memory");
        return false;
    }
    char *ip = (char *)in, *op = (char *)r->conv;
    size_t il = n, ol = r->conv_cap;
    if (iconv(r->cd, &ip, &il, &op, &ol) == (size_t)-1) {
        unsigned char bad = (unsigned char)*ip;
        rfn_error_set(&r->fatal, RFN_ERR_FORMAT,
                      "%s: offset %llu: byte 0x%02X is not a %s character (is the file in "
                      "another encoding?)",
                      r->name, (unsigned long long)(r->offset - n + (size_t)(ip - (char *)in)),
                      bad, r->cfg.encoding == CSV_ENC_CP1252 ? "Windows-1252" : "Latin-1");
        return false;
    }
    r->block = r->conv;
    r->block_len = (size_t)(op - (char *)r->conv);
    return true;
}

/* delim 0: the most frequent of ',', ';' and tab outside quotes on the first line. */
static void detect_delim(csv_reader *r)
{
    static const unsigned char cand[3] = {',', ';', '\t'};
    size_t count[3] = {0, 0, 0};
    bool quoted = false;
    for (size_t i = r->block_pos; i < r->block_len && r->block[i] != '\n'; i++) {
        unsigned char c = r->block[i];
        if (c == '"') quoted = !quoted;
        for (int k = 0; k < 3 && !quoted; k++)
            count[k] += c == cand[k];
    }
    int best = 0;
    for (int k = 1; k < 3; k++)
        if (count[k] > count[best]) best = k;
    r->cfg.delim = cand[best];
    csv_set_delim(&r->parser, r->cfg.delim);
}

static bool read_block(csv_reader *r)
{
    const unsigned char *p;
    size_t n;
    if (r->mem) {
        if (r->mem_read) return false; /* the whole input was the one block */
        r->mem_read = true;
        p = r->mem;
        n = r->mem_len;
    } else {
        n = fread(r->raw, 1, BLOCK_BYTES, r->f);
        if (n == 0 && ferror(r->f)) {
            rfn_error_set(&r->fatal, RFN_ERR_IO, "%s: offset %llu: read failed: %s", r->name,
                          (unsigned long long)r->offset, strerror(errno));
            return false;
        }
        p = r->raw;
    }
    r->offset += n;
    if (n == 0) return false;
    if (r->at_start) {
        r->at_start = false;
        if (!check_start(r, &p, &n)) return false;
    }
    r->block_pos = 0;
    if (r->cd != (iconv_t)-1) {
        if (!convert(r, p, n)) return false;
    } else {
        r->block = p;
        r->block_len = n;
    }
    if (r->cfg.delim == 0 && r->block_len) detect_delim(r);
    return true;
}

static bool parser_restart(csv_reader *r)
{
    csv_free(&r->parser);
    r->parser_ready = false;
    if (!parser_start(r)) {
        set_fatal(r, RFN_ERR_NOMEM, "out of memory");
        return false;
    }
    return true;
}

/* Malformed quoting: hand the partial record out marked bad, restart the parser and resume at
 * the next physical line. */
static void resync(csv_reader *r, bool segment_ended_line)
{
    push_record(r, true, false, r->cur_line);
    if (parser_restart(r)) r->skip_to_eol = !segment_ended_line;
}

/* A quote left open past max_field_lines or to the end of the input: hand out the record at the
 * line where it started, marked unclosed, and read again from the line after that start (the
 * kept lines, then what was still to be read again). */
static void cut_unclosed(csv_reader *r)
{
    push_record(r, true, true, r->pending_start);
    if (!parser_restart(r)) return;
    uint64_t from = r->pending_start + 1;
    size_t skip = 0;
    for (uint64_t l = r->rec_first; l < from && skip < r->rec_len; skip++)
        if (r->rec[skip] == '\n') l++;
    size_t keep = r->rec_len - skip, rest = r->replay_len - r->replay_pos;
    if (keep) {
        /* rec[skip..] + replay[replay_pos..] becomes the replay */
        if (!grow((void **)&r->rec, &r->rec_cap, keep + rest, 1)) {
            set_fatal(r, RFN_ERR_NOMEM, "out of memory");
            return;
        }
        memmove(r->rec, r->rec + skip, keep);
        if (rest) memcpy(r->rec + keep, r->replay + r->replay_pos, rest);
        unsigned char *t = r->replay;
        size_t tc = r->replay_cap;
        r->replay = r->rec;
        r->replay_cap = r->rec_cap;
        r->replay_len = keep + rest;
        r->replay_pos = 0;
        r->rec = t;
        r->rec_cap = tc;
    }
    r->rec_len = 0;
    r->keep_line = false;
    r->cur_line = r->pending_start = from;
    r->line_start = true;
    r->skip_to_eol = false;
}

/* The next bytes to parse: those to read again first, then the block. false at the end of the
 * input (or a fatal error). */
static bool next_bytes(csv_reader *r, const unsigned char **p, size_t *avail, bool *replayed)
{
    *replayed = r->replay_pos < r->replay_len;
    if (*replayed) {
        *p = r->replay + r->replay_pos;
        *avail = r->replay_len - r->replay_pos;
        return true;
    }
    if (r->block_pos == r->block_len && !r->input_done && !read_block(r)) r->input_done = true;
    if (r->input_done) return false;
    *p = r->block + r->block_pos;
    *avail = r->block_len - r->block_pos;
    return true;
}

/* A quoted field is open: libcsv's `quoted` with its state FIELD_BEGUN (2; after the closing
 * quote the state is FIELD_MIGHT_HAVE_ENDED, 3). */
static bool quote_open(const csv_reader *r)
{
    return r->parser.quoted && r->parser.pstate == 2;
}

/* The end of the input: finish the last record (an open quote cuts it). */
static void at_end(csv_reader *r)
{
    if (!r->skip_to_eol && quote_open(r)) {
        cut_unclosed(r);
        if (r->replay_pos < r->replay_len) return; /* lines to read again */
    } else if (!r->skip_to_eol && csv_fini(&r->parser, on_field, on_record, r) != 0 &&
               r->fatal.status == RFN_OK) {
        push_record(r, true, false, r->cur_line);
    }
    r->finished = true;
}

/* Start of a physical line: a new record starts unless a quoted field is still open (libcsv's
 * public `quoted` flag is cleared when a field is submitted); an open one is cut once the record
 * would span more than max_field_lines lines. Returns false when it was cut. */
static bool begin_line(csv_reader *r)
{
    r->line_start = false;
    r->keep_line = false;
    if (!quote_open(r) || r->skip_to_eol) {
        r->pending_start = r->cur_line;
        r->rec_len = 0;
        return true;
    }
    if (r->cur_line - r->pending_start >= r->cfg.max_field_lines) {
        cut_unclosed(r);
        return false;
    }
    if (r->rec_len == 0) r->rec_first = r->cur_line;
    r->keep_line = true;
    return true;
}

/* Parse one segment (a line or the part of it in this block). Returns true when the record was
 * cut (reading goes on at the line after its start). */
static bool parse_segment(csv_reader *r, const unsigned char *p, size_t seg, bool ends_line)
{
    size_t used = csv_parse(&r->parser, p, seg, on_field, on_record, r);
    if (r->fatal.status != RFN_OK) return false;
    int e = csv_error(&r->parser);
    if (used < seg || e != CSV_SUCCESS) {
        if (e == CSV_ENOMEM || e == CSV_ETOOBIG) {
            set_fatal(r, RFN_ERR_NOMEM, "out of memory");
        } else if (r->cur_line > r->pending_start) {
            /* A quote opened on an earlier line closed badly here ("x,1 / 2,"y"): the record is
             * cut at its start, as for a quote that never closes. */
            cut_unclosed(r);
            return true;
        } else {
            resync(r, ends_line);
        }
    } else if (r->parser.entry_pos > r->cfg.max_field_bytes) {
        char why[128];
        snprintf(why, sizeof why, "field longer than %zu bytes (unclosed quote?)",
                 r->cfg.max_field_bytes);
        set_fatal(r, RFN_ERR_FORMAT, why);
    }
    return false;
}

/* Feed input until at least one record is queued, input ends, or a fatal error. */
static void feed(csv_reader *r)
{
    while (r->queue_head == r->queue_len && r->fatal.status == RFN_OK && !r->finished) {
        const unsigned char *p;
        size_t avail;
        bool replayed;
        if (!next_bytes(r, &p, &avail, &replayed)) {
            if (r->fatal.status == RFN_OK) at_end(r);
            continue;
        }
        if (r->line_start && !begin_line(r)) continue;
        const unsigned char *nl = memchr(p, '\n', avail);
        size_t seg = nl ? (size_t)(nl - p) + 1 : avail;
        if (replayed)
            r->replay_pos += seg;
        else
            r->block_pos += seg;
        if (r->keep_line) {
            if (!grow((void **)&r->rec, &r->rec_cap, r->rec_len + seg, 1)) {
                set_fatal(r, RFN_ERR_NOMEM, "out of memory");
                return;
            }
            memcpy(r->rec + r->rec_len, p, seg);
            r->rec_len += seg;
        }
        if (r->cur_line > r->max_line) r->max_line = r->cur_line;
        if (r->skip_to_eol) {
            if (nl) r->skip_to_eol = false;
        } else {
            if (parse_segment(r, p, seg, nl != NULL)) continue;
            if (r->fatal.status != RFN_OK) return;
        }
        if (nl) {
            r->cur_line++;
            r->line_start = true;
        }
    }
}

rfn_status csv_reader_next(csv_reader *r, csv_record *rec, rfn_error *err)
{
    if (r->fatal.status != RFN_OK) {
        if (err) *err = r->fatal;
        return r->fatal.status;
    }
    if (r->queue_head == r->queue_len) {
        compact(r);
        feed(r);
        if (r->fatal.status != RFN_OK) {
            if (err) *err = r->fatal;
            return r->fatal.status;
        }
        if (r->queue_head == r->queue_len)
            return rfn_error_set(err, RFN_ERR_EOF, "%s: end of file", r->name);
    }
    const queued_record *q = &r->queue[r->queue_head++];
    if (!grow((void **)&r->ptrs, &r->ptrs_cap, q->n + 1, sizeof *r->ptrs)) {
        set_fatal(r, RFN_ERR_NOMEM, "out of memory");
        if (err) *err = r->fatal;
        return r->fatal.status;
    }
    for (size_t i = 0; i < q->n; i++)
        r->ptrs[i] = r->data + r->off[q->first + i];
    if (r->rec_index == 0) r->n_expected = q->n;
    *rec = (csv_record){
        .line = q->line,
        .index = r->rec_index++,
        .n_fields = q->n,
        .n_expected = r->n_expected,
        .ragged = q->n != r->n_expected,
        .bad_quotes = q->bad_quotes,
        .unclosed = q->unclosed,
        .fields = r->ptrs,
        .lens = r->len + q->first,
    };
    return RFN_OK;
}

/* ---- header mapping -------------------------------------------------------------------------- */

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

bool csv_header_matches(const char *field, size_t len, const char *name)
{
    while (len && (field[0] == ' ' || field[0] == '\t')) {
        field++;
        len--;
    }
    while (len && (field[len - 1] == ' ' || field[len - 1] == '\t'))
        len--;
    size_t n = strlen(name);
    if (n != len) return false;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower((unsigned char)field[i]) != ascii_lower((unsigned char)name[i]))
            return false;
    return true;
}

rfn_status csv_header_map(const csv_record *header, const char *file, const char *const *names,
                          size_t n_names, int *index_out, rfn_error *err)
{
    for (size_t i = 0; i < n_names; i++) {
        index_out[i] = -1;
        for (size_t c = 0; c < header->n_fields && c <= (size_t)INT32_MAX; c++) {
            if (!csv_header_matches(header->fields[c], header->lens[c], names[i])) continue;
            if (index_out[i] >= 0)
                return rfn_error_set(
                    err, RFN_ERR_FORMAT, "%s:%llu: column %s appears twice (columns %d and %zu)",
                    file, (unsigned long long)header->line, names[i], index_out[i] + 1, c + 1);
            index_out[i] = (int)c;
        }
    }
    return RFN_OK;
}

#define CSV_STR_(x) #x
#define CSV_STR(x) CSV_STR_(x)

const char *csv_library_version(void)
{
    return CSV_STR(CSV_MAJOR) "." CSV_STR(CSV_MINOR) "." CSV_STR(CSV_RELEASE);
}

/* ---- encodings ------------------------------------------------------------------------------- */

static const struct {
    const char *name, *alias;
    csv_encoding e;
} encodings[] = {
    {"utf8", "utf-8", CSV_ENC_UTF8},
    {"cp1252", "windows-1252", CSV_ENC_CP1252},
    {"latin1", "iso-8859-1", CSV_ENC_LATIN1},
};

bool csv_encoding_parse(const char *s, csv_encoding *out)
{
    for (size_t i = 0; i < sizeof encodings / sizeof encodings[0]; i++)
        if (!strcasecmp(s, encodings[i].name) || !strcasecmp(s, encodings[i].alias)) {
            *out = encodings[i].e;
            return true;
        }
    return false;
}

const char *csv_encoding_name(csv_encoding e)
{
    return (unsigned)e <= CSV_ENC_LATIN1 ? encodings[e].name : "?";
}

bool csv_cp1252_hint(const char *text, size_t len, char *out, size_t size)
{
    if (size) out[0] = '\0';
    size_t ok = utf8_valid_prefix(text, len);
    unsigned char b = ok < len ? (unsigned char)text[ok] : 0;
    if (b < 0xA0 && (b < 0x80 || b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D))
        return false; /* valid, or not a printable Windows-1252 character */
    iconv_t cd = iconv_open("UTF-8", "CP1252");
    if (cd == (iconv_t)-1) return false;
    char in[1] = {(char)b}, u8[8] = "", *ip = in, *op = u8;
    size_t il = 1, ol = sizeof u8 - 1;
    bool good = iconv(cd, &ip, &il, &op, &ol) != (size_t)-1;
    iconv_close(cd);
    if (good) {
        *op = '\0';
        snprintf(out, size, "byte 0x%02X is '%s' in Windows-1252: give --encoding cp1252", b, u8);
    }
    return good;
}
