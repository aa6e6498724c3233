/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check.h: the tiny test harness: CHECK macros print file:line and count failures; a test's main
 * returns check_finish(). Exit 77 marks a skipped test (ctest SKIP_RETURN_CODE). */
#ifndef RFN_CHECK_H
#define RFN_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check_failures;
static int check_count;

#define CHECK_SKIP 77

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        check_count++;                                                                            \
        if (!(cond)) {                                                                            \
            check_failures++;                                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);             \
        }                                                                                         \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                      \
    do {                                                                                          \
        check_count++;                                                                            \
        if (!(cond)) {                                                                            \
            check_failures++;                                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);             \
            fprintf(stderr, __VA_ARGS__);                                                         \
            fputc('\n', stderr);                                                                  \
        }                                                                                         \
    } while (0)

/* |a - b| <= tol, and neither is NaN. */
#define CHECK_NEAR(a, b, tol)                                                                     \
    do {                                                                                          \
        double check_a_ = (double)(a), check_b_ = (double)(b), check_t_ = (double)(tol);         \
        check_count++;                                                                            \
        if (!(fabs(check_a_ - check_b_) <= check_t_)) {                                           \
            check_failures++;                                                                     \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.9g, %s = %.9g, tol %.3g\n",         \
                    __FILE__, __LINE__, #a, check_a_, #b, check_b_, check_t_);                    \
        }                                                                                         \
    } while (0)

/* Two levels in dB agree within tol_db. */
#define CHECK_DB_NEAR(a_db, b_db, tol_db) CHECK_NEAR(a_db, b_db, tol_db)

/* |a - b| <= rel * |b|. */
#define CHECK_REL(a, b, rel)                                                                      \
    do {                                                                                          \
        double check_a_ = (double)(a), check_b_ = (double)(b), check_r_ = (double)(rel);         \
        check_count++;                                                                            \
        if (!(fabs(check_a_ - check_b_) <= check_r_ * fabs(check_b_))) {                          \
            check_failures++;                                                                     \
            fprintf(stderr, "%s:%d: CHECK_REL failed: %s = %.9g, %s = %.9g, rel %.3g\n",          \
                    __FILE__, __LINE__, #a, check_a_, #b, check_b_, check_r_);                    \
        }                                                                                         \
    } while (0)

/* A call returning rfn_status must succeed. */
#define CHECK_OK(expr)                                                                            \
    do {                                                                                          \
        int check_st_ = (int)(expr);                                                              \
        check_count++;                                                                            \
        if (check_st_ != 0) {                                                                     \
            check_failures++;                                                                     \
            fprintf(stderr, "%s:%d: %s returned status %d\n", __FILE__, __LINE__, #expr,         \
                    check_st_);                                                                   \
        }                                                                                         \
    } while (0)

static inline int check_finish(void)
{
    fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}

/* Path of ../shared/real-captures relative to the source tree, or NULL when absent (tests then
 * skip with a message). RFN_SOURCE_DIR is defined by tests/CMakeLists.txt. */
#ifdef RFN_SOURCE_DIR
#include <sys/stat.h>
static inline const char *check_real_captures_dir(void)
{
    static const char *dir = RFN_SOURCE_DIR "/../shared/real-captures";
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? dir : NULL;
}
#endif

#endif
