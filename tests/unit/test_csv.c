/* test_csv.c - the CLI's streaming CSV reader (port/posix/csv.c)
 *
 * RFC 4180: quoted fields with commas, "" and line breaks inside; CRLF
 * and LF; rows longer than the bound reported and skipped (the next row
 * still read); broken quoting said, not guessed; comments and empty lines
 * skipped; the physical line where each record starts.
 */
#include "unit.h"
#include "csv.h"

#include <stdio.h>
#include <string.h>

/* open_text - a FILE over a string */
static FILE *open_text(const char *s)
{
    return fmemopen((void *)s, strlen(s), "r");
}

/* expect_rows - read everything from text (column col, bound max); the
 * results must be want[] ("=field" for a field, "!too_long", "!quote",
 * "!nocol"), and the lines lines[] */
static void expect_rows(const char *text, long col, size_t max, const char *const *want,
                        const unsigned long *lines, size_t n, int line)
{
    char buf[256];
    csv_reader_t r;
    FILE *f = open_text(text);
    size_t i = 0;
    unsigned long at;
    int rc, ok = 1;

    csv_init(&r, f, col, buf, max);
    while ((rc = csv_next(&r, &at)) != CSV_EOF && i < n + 1) {
        char got[300];
        if (rc == CSV_FIELD)
            snprintf(got, sizeof got, "=%s", buf);
        else
            snprintf(got, sizeof got, "%s", rc == CSV_TOO_LONG ? "!too_long" :
                                            rc == CSV_BAD_QUOTE ? "!quote" :
                                            rc == CSV_NO_COLUMN ? "!nocol" : "!error");
        if (i >= n || strcmp(got, want[i]) != 0 || (lines && at != lines[i])) {
            printf("FAIL line %d: record %zu: got %s at line %lu, wanted %s at %lu\n", line, i,
                   got, at, i < n ? want[i] : "(end)", lines && i < n ? lines[i] : 0);
            ok = 0;
        }
        i++;
    }
    if (i != n) {
        printf("FAIL line %d: %zu records, wanted %zu\n", line, i, n);
        ok = 0;
    }
    CHECK(ok);
    fclose(f);
}

#define ROWS(text, col, max, ...)                                                   \
    do {                                                                            \
        static const char *const w_[] = {__VA_ARGS__};                              \
        expect_rows(text, col, max, w_, NULL, sizeof w_ / sizeof w_[0], __LINE__); \
    } while (0)

static void plain(void)
{
    ROWS("a.example\nb.example\n", 0, 253, "=a.example", "=b.example");
    ROWS("a.example\r\nb.example", 0, 253, "=a.example", "=b.example"); /* CRLF, no last LF */
    ROWS("  a.example  \n\n# a comment\nb.example\n", 0, 253, "=a.example", "=b.example");
    ROWS("1,a.example\n2,b.example,extra\n3\n", 1, 253, "=a.example", "=b.example", "!nocol");
    ROWS("rank,domain\n1,a.example\n", 1, 253, "=domain", "=a.example");
    ROWS("x,\n", 1, 253, "="); /* an empty last field is a field */
}

static void quoted(void)
{
    /* the case: the comma inside quotes belongs to the field */
    ROWS("\"Foo, Inc.\",good.example\n", 1, 253, "=good.example");
    ROWS("\"Foo, Inc.\",good.example\n", 0, 253, "=Foo, Inc.");
    ROWS("\"say \"\"hi\"\"\",x.example\n", 0, 253, "=say \"hi\"");
    /* a line break inside quotes does not split the row */
    {
        static const char *const w[] = {"=c.example", "=d.example"};
        static const unsigned long l[] = {1, 3};
        expect_rows("\"two\nlines\",c.example\nz,d.example\n", 1, 253, w, l, 2, __LINE__);
    }
    ROWS("\"  spaced  \",x\n", 0, 253, "=  spaced  "); /* quoted blanks are kept */
    ROWS("\"a.example\"\r\n", 0, 253, "=a.example");
}

static void broken(void)
{
    ROWS("ab\"c,x.example\nnext.example\n", 0, 253, "!quote", "=next.example");
    ROWS("\"ab\"c,x\nnext.example\n", 0, 253, "!quote", "=next.example");
    ROWS("\"never closed,x.example\n", 0, 253, "!quote");
    /* a field over the bound, then a good row: reported, and the next read */
    {
        char text[2000];
        memset(text, 'a', 1000);
        strcpy(text + 1000, ".example\nok.example\n");
        ROWS(text, 0, 253, "!too_long", "=ok.example");
        /* a long row in another column: the whole record is bounded too */
        text[0] = 'x';
        text[1] = ',';
        ROWS(text, 0, 253, "!too_long", "=ok.example");
    }
}

static void lines(void)
{
    static const char *const w[] = {"=a", "=b", "=c"};
    static const unsigned long l[] = {2, 4, 5};
    expect_rows("\na\n# c\nb\nc\n", 0, 253, w, l, 3, __LINE__);
}

int main(void)
{
    unit_name = "csv";
    RUN(plain);
    RUN(quoted);
    RUN(broken);
    RUN(lines);
    return unit_done();
}
