/* SPDX-License-Identifier: GPL-2.0-or-later */
/* csv_read.c: streaming CSV reader on libcsv with physical line numbers per record. */
#include "csv_read.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

enum { BLOCK_BYTES = 64 * 1024 };

typedef struct queued_record {
    uint64_t line;
    size_t first; /* index of its first field in the field arrays */
    size_t n;
    bool bad_quotes;
} queued_record;

struct csv_reader {
    char *name;
    csv_read_config cfg;
    FILE *f;                  /* NULL when reading from memory */
    const unsigned char *mem; /* memory input, or NULL */
    size_t mem_len;
    unsigned char *block; /* current input block (file) or mem */
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

    rfn_error fatal; /* sticky fatal error (status RFN_OK while none) */
};

csv_read_config csv_read_config_default(void)
{
    return (csv_read_config){
        .delim = ',',
        .trim_spaces = true,
        .max_field_bytes = 1u << 20,
        .max_record_bytes = 16u << 20,
        .max_fields = 4096,
    };
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

static bool push_record(csv_reader *r, bool bad_quotes)
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
    };
    r->cur_first = r->n_fields;
    return true;
}

static void on_record(int c, void *ctx)
{
    (void)c;
    csv_reader *r = ctx;
    if (r->fatal.status != RFN_OK) return;
    push_record(r, false);
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
    csv_set_delim(&r->parser, r->cfg.delim);
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
    r->cfg = cfg ? *cfg : csv_read_config_default();
    if (r->cfg.max_fields == 0 || r->cfg.max_field_bytes == 0 || r->cfg.max_record_bytes == 0 ||
        r->cfg.delim == '"' || r->cfg.delim == '\r' || r->cfg.delim == '\n') {
        csv_reader_destroy(r);
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: invalid CSV reader configuration", name);
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
    r->block = malloc(BLOCK_BYTES);
    if (!r->block) {
        csv_reader_destroy(r);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
    }
    r->f = fopen(path, "rb");
    if (!r->f) {
        int e = errno;
        csv_reader_destroy(r);
        return rfn_error_set(err, e == ENOENT ? RFN_ERR_NOTFOUND : RFN_ERR_IO, "%s: %s", path,
                             strerror(e));
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
    if (!r->mem) free(r->block);
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

static bool read_block(csv_reader *r)
{
    if (r->mem) {
        if (r->block) /* the whole input was the one block */
            return false;
        r->block = (unsigned char *)r->mem;
        r->block_len = r->mem_len;
        r->block_pos = 0;
        return r->mem_len > 0;
    }
    size_t n = fread(r->block, 1, BLOCK_BYTES, r->f);
    if (n == 0 && ferror(r->f)) {
        rfn_error_set(&r->fatal, RFN_ERR_IO, "%s: offset %llu: read failed: %s", r->name,
                      (unsigned long long)r->offset, strerror(errno));
        return false;
    }
    r->block_len = n;
    r->block_pos = 0;
    return n > 0;
}

/* Malformed quoting: hand the partial record out marked bad, restart the parser and resume at
 * the next physical line. */
static void resync(csv_reader *r, bool segment_ended_line)
{
    push_record(r, true);
    csv_free(&r->parser);
    r->parser_ready = false;
    if (!parser_start(r)) {
        set_fatal(r, RFN_ERR_NOMEM, "out of memory");
        return;
    }
    r->skip_to_eol = !segment_ended_line;
}

/* Feed input until at least one record is queued, input ends, or a fatal error. */
static void feed(csv_reader *r)
{
    while (r->queue_head == r->queue_len && r->fatal.status == RFN_OK && !r->finished) {
        if (r->block_pos == r->block_len && !r->input_done && !read_block(r)) r->input_done = true;
        if (r->fatal.status != RFN_OK) return;
        if (r->input_done) {
            if (r->skip_to_eol) {
                r->finished = true;
                return;
            }
            if (csv_fini(&r->parser, on_field, on_record, r) != 0 &&
                r->fatal.status == RFN_OK) /* an unclosed quote at end of input */
                push_record(r, true);
            r->finished = true;
            return;
        }
        const unsigned char *p = r->block + r->block_pos;
        size_t avail = r->block_len - r->block_pos;
        if (r->at_start) {
            r->at_start = false;
            if (avail >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
                r->block_pos += 3;
                r->offset += 3;
                continue;
            }
        }
        if (r->line_start) {
            /* A new physical line starts a new record unless a quoted field is still open
             * (libcsv's public `quoted` flag is cleared when a field is submitted). */
            if (!r->parser.quoted) r->pending_start = r->cur_line;
            r->line_start = false;
        }
        const unsigned char *nl = memchr(p, '\n', avail);
        size_t seg = nl ? (size_t)(nl - p) + 1 : avail;
        r->block_pos += seg;
        r->offset += seg;
        if (r->skip_to_eol) {
            if (nl) r->skip_to_eol = false;
        } else {
            size_t used = csv_parse(&r->parser, p, seg, on_field, on_record, r);
            if (r->fatal.status != RFN_OK) return;
            int e = csv_error(&r->parser);
            if (used < seg || e != CSV_SUCCESS) {
                if (e == CSV_ENOMEM || e == CSV_ETOOBIG) {
                    set_fatal(r, RFN_ERR_NOMEM, "out of memory");
                    return;
                }
                resync(r, nl != NULL);
            } else if (r->parser.entry_pos > r->cfg.max_field_bytes) {
                char why[128];
                snprintf(why, sizeof why, "field longer than %zu bytes (unclosed quote?)",
                         r->cfg.max_field_bytes);
                set_fatal(r, RFN_ERR_FORMAT, why);
                return;
            }
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
