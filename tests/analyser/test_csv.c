/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_csv.c: CSV writing (quoting, formula neutralisation, numbers) and the streaming reader. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "csv_read.h"
#include "csv_util.h"

/* ---- writer ---------------------------------------------------------------------------------- */

/* Run one cell writer into a memory stream and return the bytes written (static buffer). */
static const char *text_cell(const char *s)
{
    static char out[512];
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    csv_write_text(f, s);
    fclose(f);
    snprintf(out, sizeof out, "%s", buf ? buf : "");
    free(buf);
    return out;
}

static const char *number_cell(double v, int precision)
{
    static char out[512];
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    csv_write_number(f, v, precision);
    fclose(f);
    snprintf(out, sizeof out, "%s", buf ? buf : "");
    free(buf);
    return out;
}

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        CHECK_MSG(strcmp(g_, w_) == 0, "got [%s] want [%s]", g_, w_);                              \
    } while (0)

static void test_write_text(void)
{
    CHECK_STR(text_cell("plain"), "plain");
    CHECK_STR(text_cell(""), "");
    CHECK_STR(text_cell(NULL), "");
    CHECK_STR(text_cell("a,b"), "\"a,b\"");
    CHECK_STR(text_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    CHECK_STR(text_cell("two\nlines"), "\"two\nlines\"");
    CHECK_STR(text_cell("cr\rlf"), "\"cr\rlf\"");
    CHECK_STR(text_cell(" padded "), "\" padded \"");
    CHECK_STR(text_cell("tab\t"), "\"tab\t\"");
    CHECK_STR(text_cell("\xEF\xBB\xBF"
                        "bom"),
              "\"\xEF\xBB\xBF"
              "bom\"");
    CHECK_STR(text_cell("Bäcker Straße 5"), "Bäcker Straße 5"); /* UTF-8 passes through */
    CHECK_STR(text_cell("BC-33-AC-FF-FE-FA-55-3D"), "BC-33-AC-FF-FE-FA-55-3D");
}

static void test_neutralise(void)
{
    /* Formula starters come out inert: a leading single quote makes the cell text. */
    CHECK_STR(text_cell("=HYPERLINK(\"http://x\",\"y\")"),
              "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    CHECK_STR(text_cell("+1"), "'+1");
    CHECK_STR(text_cell("-2"), "'-2");
    CHECK_STR(text_cell("@SUM(A1:A9)"), "'@SUM(A1:A9)");
    CHECK_STR(text_cell("\t=1+1"), "\"'\t=1+1\"");
    CHECK_STR(text_cell("\r=1+1"), "\"'\r=1+1\"");
    CHECK_STR(text_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
    CHECK_STR(text_cell("\x01x"), "'\x01x");
    CHECK_STR(text_cell("\x7f"), "'\x7f");
    /* Only the first byte matters; an inner '=' is harmless. */
    CHECK_STR(text_cell("a=b"), "a=b");
    CHECK_STR(text_cell("'quoted"), "'quoted");
    CHECK(csv_text_needs_neutralising("=1"));
    CHECK(csv_text_needs_neutralising("-"));
    CHECK(!csv_text_needs_neutralising("1-2"));
    CHECK(!csv_text_needs_neutralising(""));
    CHECK(!csv_text_needs_neutralising(NULL));

    /* Embedded NUL forces quoting and is written as is. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    csv_write_text_n(f, "a\0b", 3);
    fclose(f);
    CHECK(len == 5 && memcmp(buf, "\"a\0b\"", 5) == 0);
    free(buf);
}

static void test_write_number(void)
{
    /* Numbers are never neutralised: negative margins stay numbers. */
    CHECK_STR(number_cell(-2.0, 2), "-2.00");
    CHECK_STR(number_cell(-3.256, 1), "-3.3");
    CHECK_STR(number_cell(12.5, 0), "12");     /* round half to even */
    CHECK_STR(number_cell(-0.001, 2), "0.00"); /* no "-0.00" */
    CHECK_STR(number_cell(-0.0, 1), "0.0");
    CHECK_STR(number_cell(0.1, -1), "0.1");
    CHECK_STR(number_cell(1.0 / 3.0, -1), "0.3333333333333333");
    CHECK_STR(number_cell(423e6, -1), "423000000");
    CHECK_STR(number_cell(-1e-300, -1), "-1e-300");
    CHECK_STR(number_cell(0.0125, -1), "0.0125");
    CHECK_STR(number_cell(-97.5, -1), "-97.5");
    CHECK_STR(number_cell(1e20, -1), "1e+20");
    CHECK_STR(number_cell(0.1 + 0.2, -1), "0.30000000000000004");
    CHECK_STR(number_cell(1.5, 40), "1.50000000000000000"); /* capped at 17 */
    CHECK_STR(number_cell(NAN, 2), "");
    CHECK_STR(number_cell(INFINITY, 2), "");
    CHECK_STR(number_cell(-INFINITY, -1), "");
}

static void test_write_row(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char *hdr[] = {"Supplier", "margin_db", "note"};
    csv_write_row(f, hdr, 3);
    csv_write_text(f, "=evil()");
    csv_write_sep(f);
    csv_write_number(f, -1.25, 2);
    csv_write_sep(f);
    csv_write_int(f, -42);
    csv_end_row(f);
    fclose(f);
    CHECK_STR(buf, "Supplier,margin_db,note\n'=evil(),-1.25,-42\n");
    free(buf);
}

/* ---- reader ---------------------------------------------------------------------------------- */

/* Read all of text; returns records as "line|f1|f2..." lines joined with '\n' ('!' after the line
 * number marks bad quoting, '^' an unclosed quote, '~' ragged) into a static buffer, or
 * "ERR:<msg>" on a fatal error. */
static const char *read_all(const char *text, size_t len, const csv_read_config *cfg)
{
    static char out[8192];
    size_t o = 0;
    out[0] = '\0';
    csv_reader *r = NULL;
    rfn_error err;
    if (csv_reader_open_mem("t.csv", text, len, cfg, &r, &err)) {
        snprintf(out, sizeof out, "ERR:%s", err.msg);
        return out;
    }
    csv_record rec;
    rfn_status st;
    while ((st = csv_reader_next(r, &rec, &err)) == RFN_OK) {
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%llu%s%s%s", o ? "\n" : "",
                              (unsigned long long)rec.line, rec.bad_quotes ? "!" : "",
                              rec.unclosed ? "^" : "", rec.ragged ? "~" : "");
        for (size_t i = 0; i < rec.n_fields; i++)
            o += (size_t)snprintf(out + o, sizeof out - o, "|%s", rec.fields[i]);
    }
    if (st != RFN_ERR_EOF) snprintf(out, sizeof out, "ERR:%s", err.msg);
    /* sticky: the same status again */
    CHECK(csv_reader_next(r, &rec, NULL) == st);
    csv_reader_destroy(r);
    return out;
}

#define READS(text, want) CHECK_STR(read_all(text, sizeof(text) - 1, NULL), want)
#define READS_CFG(text, cfg, want) CHECK_STR(read_all(text, sizeof(text) - 1, cfg), want)

static void test_read_basic(void)
{
    READS("a,b,c\n1,2,3\n", "1|a|b|c\n2|1|2|3");
    READS("a,b\r\n1,2\r\n", "1|a|b\n2|1|2"); /* CRLF */
    READS("a,b\n1,2", "1|a|b\n2|1|2");       /* no final newline */
    READS("\xEF\xBB\xBF"
          "a,b\n1,2\n",
          "1|a|b\n2|1|2"); /* UTF-8 BOM dropped */
    READS("", "");
    READS("\xEF\xBB\xBF", "");
    READS("\n\n", "");
    READS("a,b\n\n\r\n1,2\n\n3,4\n", "1|a|b\n4|1|2\n6|3|4"); /* blank lines skipped, counted */
    READS("a,,c\n,,\n", "1|a||c\n2|||");
    READS("x\n\"\"\n", "1|x\n2|");     /* quoted empty field */
    READS("a\rb\rc", "1|a\n1|b\n1|c"); /* lone CR ends records */
    READS("  a , b\t\n", "1|a|b");     /* trimmed unquoted */
    READS("\" a \",b\n", "1| a |b");   /* quoted keeps spaces */
}

static void test_read_quotes(void)
{
    READS("a,\"b,c\",d\n", "1|a|b,c|d");
    READS("\"say \"\"hi\"\"\",2\n", "1|say \"hi\"|2");
    /* Embedded newlines: the record reports its first line; later lines count on. */
    READS("h1,h2\n\"two\nlines\",x\n\"three\r\nline\nfield\",y\nz,w\n",
          "1|h1|h2\n2|two\nlines|x\n4|three\r\nline\nfield|y\n7|z|w");
    /* Malformed quoting: the record comes back bad and reading resumes on the next line. */
    READS("a,b\n1,\"x\"y,3\n4,5\n", "1|a|b\n2!~|1\n3|4|5");
    READS("a,b\n1,x\"y\n4,5\n", "1|a|b\n2!~|1\n3|4|5");
    /* An unclosed quote costs its own record only: reading resumes on the line after it. */
    READS("a,b\n\"open\n4,5\n", "1|a|b\n2!^~\n3|4|5");
    READS("a,b\n1,\"open", "1|a|b\n2!^~|1"); /* on the last line, no newline */
    READS("\"a\"x\nb\n", "1!\n2~|b");          /* a bad first record with no field */
    /* Ragged rows are flagged, not dropped. */
    READS("a,b,c\n1,2\n1,2,3,4\n5,6,7\n", "1|a|b|c\n2~|1|2\n3~|1|2|3|4\n4|5|6|7");
}

/* Records spanning many lines: at most max_field_lines (8), and the cut record's later lines are
 * read again, however many stray quotes there are. */
static void test_read_unclosed(void)
{
    /* A quoted field over exactly 8 lines is one record. */
    READS("h\n\"1\n2\n3\n4\n5\n6\n7\n8\"\nz\n", "1|h\n2|1\n2\n3\n4\n5\n6\n7\n8\n10|z");
    /* Over 9 lines it is cut at its start; lines 3.. come back as records. */
    READS("h\n\"1\n2\n3\n4\n5\n6\n7\n8\n9\"\nz\n",
          "1|h\n2!^~\n3|2\n4|3\n5|4\n6|5\n7|6\n8|7\n9|8\n10!~\n11|z");
    /* Two stray quotes: each costs one record (the second is found while reading again). */
    READS("a,b\n\"x,1\n2,\"y\n3,4\n5,6\n", "1|a|b\n2!^~\n3!^~|2\n4|3|4\n5|5|6");
    /* A quote that opens in the middle of a multi-line record: cut at the record's start. */
    READS("a,b\n\"p\nq\",\"r\ns\n", "1|a|b\n2!^~|p\nq\n3!~\n4~|s");
    /* A lone CR ends a record mid-line: the next record starts on that same line. */
    csv_read_config cfg = csv_read_config_default();
    cfg.max_field_lines = 2;
    READS_CFG("h\n\"a\nb\"\rc,\"d\ne\nf\n", &cfg, "1|h\n2|a\nb\n3!^|c\n4|e\n5|f");
}

/* Where the physical lines went: lines = records + continuation lines + blank lines. */
static void test_read_stats(void)
{
    const char text[] = "h1,h2\n\n\"two\nlines\",x\n\r\n\"open,y\nz,w\n\n";
    csv_reader *r = NULL;
    rfn_error err;
    CHECK_OK(csv_reader_open_mem("t.csv", text, sizeof text - 1, NULL, &r, &err));
    csv_record rec;
    int n = 0;
    while (csv_reader_next(r, &rec, &err) == RFN_OK)
        n++;
    csv_read_stats st;
    csv_reader_stats(r, &st);
    CHECK(n == 4 && st.records == 4);
    CHECK(st.lines == 8 && st.continuation_lines == 1 && st.blank_lines == 3 && st.unclosed == 1);
    CHECK(st.lines == st.records + st.continuation_lines + st.blank_lines);
    csv_reader_destroy(r);
}

/* The separator from the header line, and encodings. */
static void test_read_delim_encoding(void)
{
    csv_read_config cfg = csv_read_config_default();
    cfg.delim = 0;
    READS_CFG("a;b;\"c,d\"\n1;2,5;3\n", &cfg, "1|a|b|c,d\n2|1|2,5|3");
    READS_CFG("a\tb\n1\t2\n", &cfg, "1|a|b\n2|1|2");
    READS_CFG("a,b;c\n", &cfg, "1|a|b;c");    /* tie: ',' */
    READS_CFG("\"x;y\",b\n", &cfg, "1|x;y|b"); /* a quoted ';' does not count */
    csv_reader *r = NULL;
    rfn_error err;
    csv_record rec;
    CHECK_OK(csv_reader_open_mem("t.csv", "a;b\n", 4, &cfg, &r, &err));
    CHECK(csv_reader_delim(r) == ',' && csv_reader_next(r, &rec, &err) == RFN_OK);
    CHECK(csv_reader_delim(r) == ';' && rec.n_fields == 2);
    csv_reader_destroy(r);

    cfg = csv_read_config_default();
    cfg.encoding = CSV_ENC_CP1252;
    READS_CFG("S\n\xA3 \xC9lan \x80\n", &cfg, "1|S\n2|\xC2\xA3 \xC3\x89lan \xE2\x82\xAC");
    READS_CFG("S\nx\x81\n", &cfg,
              "ERR:t.csv: offset 3: byte 0x81 is not a Windows-1252 character (is the file in "
              "another encoding?)");
    /* A UTF-8 BOM says UTF-8 whatever --encoding says. */
    READS_CFG("\xEF\xBB\xBFS\n\xC2\xA3\n", &cfg, "1|S\n2|\xC2\xA3");
    cfg.encoding = CSV_ENC_LATIN1;
    READS_CFG("S\n\x80\xFF\n", &cfg, "1|S\n2|\xC2\x80\xC3\xBF");
    /* UTF-16, with or without its byte order mark. */
    READS_CFG("\xFF\xFE" "a\0,\0", NULL,
              "ERR:t.csv: UTF-16 text - save it as UTF-8 (in Excel: \"CSV UTF-8\")");
    READS_CFG("\xFE\xFF\0a", NULL,
              "ERR:t.csv: UTF-16 text - save it as UTF-8 (in Excel: \"CSV UTF-8\")");
    READS_CFG("a\0,\0", NULL,
              "ERR:t.csv: UTF-16 text (a NUL byte at the start) - save it as UTF-8 (in Excel: "
              "\"CSV UTF-8\")");

    csv_encoding e;
    CHECK(csv_encoding_parse("CP1252", &e) && e == CSV_ENC_CP1252);
    CHECK(csv_encoding_parse("iso-8859-1", &e) && e == CSV_ENC_LATIN1);
    CHECK(csv_encoding_parse("utf-8", &e) && e == CSV_ENC_UTF8);
    CHECK(!csv_encoding_parse("utf16", &e));
    CHECK_STR(csv_encoding_name(CSV_ENC_CP1252), "cp1252");
    char hint[96];
    CHECK(csv_cp1252_hint("Br\xA3", 3, hint, sizeof hint));
    CHECK_STR(hint, "byte 0xA3 is '\xC2\xA3' in Windows-1252: give --encoding cp1252");
    CHECK(csv_cp1252_hint("\xC9lan", 4, hint, sizeof hint));
    CHECK_STR(hint, "byte 0xC9 is '\xC3\x89' in Windows-1252: give --encoding cp1252");
    CHECK(!csv_cp1252_hint("\xC2\xA3", 2, hint, sizeof hint) && hint[0] == '\0'); /* UTF-8 */
    CHECK(!csv_cp1252_hint("x\x81", 2, hint, sizeof hint)); /* not Windows-1252 either */
}

static void test_read_options(void)
{
    csv_read_config cfg = csv_read_config_default();
    cfg.trim_spaces = false;
    CHECK_STR(read_all(" a ,b\n", 6, &cfg), "1| a |b");
    cfg = csv_read_config_default();
    cfg.delim = ';';
    CHECK_STR(read_all("a;b,c\n", 6, &cfg), "1|a|b,c");
    cfg = csv_read_config_default();
    cfg.max_field_bytes = 4;
    CHECK_STR(read_all("h\nabcd\nabcde\n", 13, &cfg),
              "ERR:t.csv:3: field longer than 4 bytes (unclosed quote?)");
    CHECK_STR(read_all("h\n\"abcd\nabcde\n", 14, &cfg),
              "ERR:t.csv:2: field longer than 4 bytes (unclosed quote?)");
    cfg = csv_read_config_default();
    cfg.max_fields = 3;
    CHECK_STR(read_all("a,b,c\n1,2,3,4\n", 14, &cfg),
              "ERR:t.csv:2: more than 3 fields in one record");
    cfg = csv_read_config_default();
    cfg.max_record_bytes = 5;
    CHECK_STR(read_all("a,b\n123,456\n", 12, &cfg),
              "ERR:t.csv:2: record longer than 5 bytes (unclosed quote?)");
    cfg = csv_read_config_default();
    cfg.delim = '"';
    csv_reader *r = NULL;
    rfn_error err;
    CHECK(csv_reader_open_mem("t.csv", "", 0, &cfg, &r, &err) == RFN_ERR_INVALID);
    CHECK(r == NULL);
    CHECK_OK(csv_reader_open_mem("null.csv", NULL, 5, NULL, &r, &err)); /* NULL data: empty */
    csv_record rec;
    CHECK(r && csv_reader_next(r, &rec, &err) == RFN_ERR_EOF);
    csv_reader_destroy(r);
    CHECK(csv_reader_open("/nonexistent/reg.csv", NULL, &r, &err) == RFN_ERR_NOTFOUND);
    CHECK_STR(err.msg, "/nonexistent/reg.csv: no such file");
}

static void test_header_map(void)
{
    const char text[] = "\xEF\xBB\xBF deviceID ,DEVICETYPE,Extra,extra,ImportMPxN\n";
    csv_reader *r = NULL;
    rfn_error err;
    CHECK_OK(csv_reader_open_mem("h.csv", text, sizeof text - 1, NULL, &r, &err));
    csv_record hdr;
    CHECK_OK(csv_reader_next(r, &hdr, &err));
    const char *names[] = {"DeviceID", "DeviceType", "ImportMPxN", "PostCode"};
    int idx[4];
    CHECK_OK(csv_header_map(&hdr, "h.csv", names, 4, idx, &err));
    CHECK(idx[0] == 0 && idx[1] == 1 && idx[2] == 4 && idx[3] == -1);
    const char *dup[] = {"extra"};
    CHECK(csv_header_map(&hdr, "h.csv", dup, 1, idx, &err) == RFN_ERR_FORMAT);
    CHECK_STR(err.msg, "h.csv:1: column extra appears twice (columns 3 and 4)");
    CHECK(csv_header_matches("DeviceId", 8, "deviceid"));
    CHECK(!csv_header_matches("DeviceIds", 9, "deviceid"));
    CHECK(!csv_header_matches("", 0, "x"));
    csv_reader_destroy(r);
    csv_reader_destroy(NULL);
}

/* A file bigger than the reader's 64 KiB block: records, CRLF pairs and quoted newlines straddle
 * block boundaries; every record must come back whole with its physical line. */
static void test_read_file_blocks(void)
{
    char path[] = "/tmp/test_csv_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fputs("\xEF\xBB\xBFid,text,n\r\n", f);
    const int rows = 30000;
    for (int i = 0; i < rows; i++) {
        if (i % 7 == 3)
            fprintf(f, "%d,\"multi\r\nline %d\",%d\r\n", i, i, i * 3);
        else
            fprintf(f, "%d,plain %d,%d\r\n", i, i, i * 3);
    }
    fclose(f);
    csv_reader *r = NULL;
    rfn_error err;
    CHECK_OK(csv_reader_open(path, NULL, &r, &err));
    csv_record rec;
    CHECK_OK(csv_reader_next(r, &rec, &err));
    CHECK(rec.n_fields == 3 && strcmp(rec.fields[0], "id") == 0 && rec.line == 1);
    uint64_t line = 2;
    int bad = 0;
    for (int i = 0; i < rows; i++) {
        if (csv_reader_next(r, &rec, &err) != RFN_OK) {
            bad++;
            break;
        }
        char want[64];
        if (i % 7 == 3)
            snprintf(want, sizeof want, "multi\r\nline %d", i);
        else
            snprintf(want, sizeof want, "plain %d", i);
        if (rec.line != line || rec.n_fields != 3 || atoi(rec.fields[0]) != i ||
            strcmp(rec.fields[1], want) != 0 || atoi(rec.fields[2]) != 3 * i || rec.ragged) {
            if (bad++ < 3)
                fprintf(stderr, "row %d: line %llu (want %llu) [%s]\n", i,
                        (unsigned long long)rec.line, (unsigned long long)line, rec.fields[1]);
        }
        line += (i % 7 == 3) ? 2 : 1;
    }
    CHECK(bad == 0);
    CHECK(csv_reader_next(r, &rec, &err) == RFN_ERR_EOF);
    struct stat st;
    CHECK(stat(path, &st) == 0 && csv_reader_offset(r) == (uint64_t)st.st_size);
    csv_reader_destroy(r);
    remove(path);
}

/* Stray quotes all through a file of many blocks (the lines read again straddle block
 * boundaries): each costs its own row, every other row comes back whole at its line. */
static void test_read_file_stray_quotes(void)
{
    char path[] = "/tmp/test_csv_stray_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fputs("id,text,n\r\n", f);
    const int rows = 30000;
    for (int i = 0; i < rows; i++)
        fprintf(f, "%s%d,plain text %d,%d\r\n", i % 997 == 5 ? "\"" : "", i, i, i * 3);
    fclose(f);
    csv_reader *r = NULL;
    rfn_error err;
    CHECK_OK(csv_reader_open(path, NULL, &r, &err));
    csv_record rec;
    CHECK_OK(csv_reader_next(r, &rec, &err));
    int bad = 0, cut = 0;
    for (int i = 0; i < rows; i++) {
        if (csv_reader_next(r, &rec, &err) != RFN_OK) {
            bad++;
            break;
        }
        bool stray = i % 997 == 5;
        cut += rec.unclosed;
        if (rec.line != (uint64_t)i + 2 || rec.unclosed != stray ||
            (!stray && (rec.n_fields != 3 || atoi(rec.fields[0]) != i ||
                        atoi(rec.fields[2]) != 3 * i)))
            if (bad++ < 3)
                fprintf(stderr, "row %d: line %llu unclosed %d\n", i,
                        (unsigned long long)rec.line, rec.unclosed);
    }
    CHECK(bad == 0 && cut == 31);
    CHECK(csv_reader_next(r, &rec, &err) == RFN_ERR_EOF);
    csv_read_stats st;
    csv_reader_stats(r, &st);
    CHECK(st.lines == (uint64_t)rows + 1 && st.records == st.lines && st.unclosed == 31);
    csv_reader_destroy(r);
    remove(path);
}

/* CRLF split exactly across the 64 KiB read blocks, outside and inside quotes. */
static void test_read_block_edges(void)
{
    char path[] = "/tmp/test_csv_edge_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fputs("x\r\n", f); /* 3 bytes */
    for (int i = 0; i < 65532; i++)
        fputc('a', f);
    fputs("\r\n", f); /* '\r' is byte 65535, the last of block 1; '\n' opens block 2 */
    fputs("\"q", f);  /* a quoted field whose CRLF straddles the next boundary */
    for (int i = 0; i < 65532; i++) /* '"' at 65537, so this '\r' is byte 131071 */
        fputc('b', f);
    fputs("\r\nc\",d\r\ny\r\n", f);
    fclose(f);
    csv_reader *r = NULL;
    rfn_error err;
    csv_record rec;
    CHECK_OK(csv_reader_open(path, NULL, &r, &err));
    CHECK(csv_reader_next(r, &rec, &err) == RFN_OK && rec.line == 1 &&
          strcmp(rec.fields[0], "x") == 0);
    CHECK(csv_reader_next(r, &rec, &err) == RFN_OK && rec.line == 2 && rec.lens[0] == 65532);
    CHECK(csv_reader_next(r, &rec, &err) == RFN_OK && rec.line == 3 && rec.n_fields == 2);
    CHECK(rec.lens[0] == 1 + 65532 + 3 && strcmp(rec.fields[1], "d") == 0);
    CHECK(csv_reader_next(r, &rec, &err) == RFN_OK && rec.line == 5 &&
          strcmp(rec.fields[0], "y") == 0);
    CHECK(csv_reader_next(r, &rec, &err) == RFN_ERR_EOF);
    csv_reader_destroy(r);
    remove(path);
}

/* The shortest round-trip form, as the first version found it: every digit count from the
 * bottom up until the text reads back as the value (the reference for the bisection). */
static void shortest_linear(double value, char *buf, size_t size)
{
    double mag = fabs(value);
    bool fixed = mag == 0.0 || (mag >= 1e-4 && mag < 1e15);
    for (int digits = fixed ? 0 : 1; digits <= (fixed ? 20 : 17); digits++) {
        snprintf(buf, size, fixed ? "%.*f" : "%.*g", digits, value);
        if (strtod(buf, NULL) == value) break;
    }
    if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1)) memmove(buf, buf + 1,
                                                                           strlen(buf));
}

/* csv_write_number(v, -1) finds the fewest digits by bisection: the same text as the linear
 * search for 200,000 values of every magnitude, floats widened as the spectra are, and short
 * decimals (whose nearest shorter forms read back exactly). */
static void test_shortest_bisection(void)
{
    uint64_t x = 0x243F6A8885A308D3u;
    int bad = 0;
    for (int i = 0; i < 200000 && bad < 5; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v;
        switch (i % 4) {
        case 0: /* any finite double */
            memcpy(&v, &x, sizeof v);
            if (!isfinite(v)) continue;
            break;
        case 1: /* a float widened to double, dBFS-like */
            v = (double)(float)(-200.0 + (double)(x % 4000000) / 10000.0);
            break;
        case 2: /* short decimals across magnitudes, e.g. frequencies and margins */
            v = (double)(int64_t)(x % 2000001 - 1000000) * pow(10.0, (int)(x >> 40) % 24 - 12);
            break;
        default: /* values near the fixed / exponent switch-overs */
            v = ((x >> 11) * 0x1.0p-53 + 0.5) * ((x & 1) ? 1e-4 : 1e15) * ((x & 2) ? -1 : 1);
        }
        char want[400];
        shortest_linear(v, want, sizeof want);
        const char *got = number_cell(v, -1);
        if (strcmp(got, want) != 0) {
            CHECK_MSG(0, "value %.17g: got %s, want %s", v, got, want);
            bad++;
        }
    }
}

int main(void)
{
    test_write_text();
    test_neutralise();
    test_write_number();
    test_shortest_bisection();
    test_write_row();
    test_read_basic();
    test_read_quotes();
    test_read_unclosed();
    test_read_stats();
    test_read_delim_encoding();
    test_read_options();
    test_header_map();
    test_read_file_blocks();
    test_read_block_edges();
    test_read_file_stray_quotes();
    return check_finish();
}
