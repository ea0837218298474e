/*
 * test.h - the unit-test harness: one program per module, one function per
 * case named function__condition__expected.
 *
 * Each case prints "PASS name" or "FAIL name" (after the failed checks);
 * tests/run.sh counts those lines. A program exits 1 if any case failed.
 * Fixtures are built in code with fixed seeds; TEST_TMPDIR (set by run.sh,
 * else /tmp) is where a case may write files.
 */
#ifndef INKPIPE_TEST_H
#define INKPIPE_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int test_case_failed;
static int test_n_failed;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            printf("  check failed: %s:%d: %s\n", __FILE__, __LINE__, #cond);  \
            test_case_failed = 1;                                              \
        }                                                                      \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                  \
    do {                                                                       \
        double test_a_ = (a), test_b_ = (b);                                   \
        if (!(fabs(test_a_ - test_b_) <= (tol))) {                             \
            printf("  check failed: %s:%d: %s = %g, %s = %g (tol %g)\n",       \
                   __FILE__, __LINE__, #a, test_a_, #b, test_b_,               \
                   (double)(tol));                                             \
            test_case_failed = 1;                                              \
        }                                                                      \
    } while (0)

#define RUN(fn)                                                                \
    do {                                                                       \
        test_case_failed = 0;                                                  \
        fn();                                                                  \
        printf("%s %s\n", test_case_failed ? "FAIL" : "PASS", #fn);            \
        fflush(stdout);                                                        \
        test_n_failed += test_case_failed;                                     \
    } while (0)

#define TEST_EXIT() return test_n_failed ? 1 : 0

static inline const char *test_tmpdir(void)
{
    const char *d = getenv("TEST_TMPDIR");
    return d && *d ? d : "/tmp";
}

#endif
