/* test_csv.c: CSV writing (quoting, formula neutralisation, numbers) and the streaming reader. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
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

#define CHECK_STR(got, want)                                                                      \
    do {                                                                                          \
        const char *g_ = (got), *w_ = (want);                                                     \
        CHECK_MSG(strcmp(g_, w_) == 0, "got [%s] want [%s]", g_, w_);                             \
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
    CHECK_STR(text_cell("\t=1+1"), "'\t=1+1");
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

int main(void)
{
    test_write_text();
    test_neutralise();
    test_write_number();
    test_write_row();
    return check_finish();
}
