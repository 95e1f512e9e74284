/* unit.h - the smallest test harness that says what failed
 *
 * Each tests/unit/test_<module>.c includes this, calls CHECK()/CHECK_EQ()
 * inside test functions run by RUN(), and returns unit_done() from main.
 * A case that cannot run here (no openssl, no ::1) says SKIP(why): it is
 * counted as skipped, never as passed. The last line printed is
 * "<name>: N passed, N failed[, N skipped] (assertions)".
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_pass, unit_fail, unit_skip;
static const char *unit_name = "unit";

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (cond) {                                                            \
            unit_pass++;                                                       \
        } else {                                                               \
            unit_fail++;                                                       \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);             \
        }                                                                      \
    } while (0)

#define CHECK_EQ(a, b)                                                         \
    do {                                                                       \
        long long unit_a_ = (long long)(a), unit_b_ = (long long)(b);          \
        if (unit_a_ == unit_b_) {                                              \
            unit_pass++;                                                       \
        } else {                                                               \
            unit_fail++;                                                       \
            printf("FAIL %s:%d: %s == %s (%lld != %lld)\n", __FILE__,          \
                   __LINE__, #a, #b, unit_a_, unit_b_);                        \
        }                                                                      \
    } while (0)

#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *unit_sa_ = (a), *unit_sb_ = (b);                           \
        if (unit_sa_ && unit_sb_ && strcmp(unit_sa_, unit_sb_) == 0) {         \
            unit_pass++;                                                       \
        } else {                                                               \
            unit_fail++;                                                       \
            printf("FAIL %s:%d: %s == %s (\"%s\" != \"%s\")\n", __FILE__,      \
                   __LINE__, #a, #b, unit_sa_ ? unit_sa_ : "(null)",           \
                   unit_sb_ ? unit_sb_ : "(null)");                            \
        }                                                                      \
    } while (0)

#define SKIP(why)                                                              \
    do {                                                                       \
        unit_skip++;                                                           \
        printf("skipped: %s\n", why);                                          \
    } while (0)

#define RUN(fn)                                                                \
    do {                                                                       \
        fn();                                                                  \
    } while (0)

static inline int unit_done(void)
{
    if (unit_skip)
        printf("%s: %d passed, %d failed, %d skipped (assertions)\n", unit_name, unit_pass,
               unit_fail, unit_skip);
    else
        printf("%s: %d passed, %d failed (assertions)\n", unit_name, unit_pass, unit_fail);
    return unit_fail ? 1 : 0;
}

#endif
