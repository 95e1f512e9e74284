/* test_smtp_reply.c - the incremental SMTP reply reader (src/smtp_reply.c)
 *
 * Every vector is fed three ways, which must agree on everything: in one
 * call, one byte per call, and split in two at every position.
 */
#include "unit.h"

#include "stc_int.h"

#include <stdlib.h>

/* What one reading of a vector produced. */
typedef struct outcome {
    int rc;
    size_t used;
    uint16_t code, nlines, ext;
    uint8_t overlong;
    char first[STC_BANNER_MAX];
} outcome_t;

/* take - record the state of r after a reading */
static void take(outcome_t *o, const stc_reply_t *r, int rc, size_t used)
{
    o->rc = rc;
    o->used = used;
    o->code = r->code;
    o->nlines = r->nlines;
    o->ext = r->ext;
    o->overlong = r->overlong;
    memcpy(o->first, r->first, sizeof o->first);
}

/* read_chunks - feed p[0..n) in pieces of `step` bytes (0 = all at once)
 * until the reader stops asking for more */
static int read_chunks(stc_reply_t *r, const char *p, size_t n, size_t step,
                       size_t *used)
{
    size_t off = 0;
    int rc = STC_EAGAIN;

    *used = 0;
    while (off < n) {
        size_t len = (step == 0 || n - off < step) ? n - off : step, u = 99999;
        rc = stc_reply_feed(r, (const uint8_t *)p + off, len, &u);
        if (u > len)
            return -1000; /* caught by the caller's comparison */
        off += u;
        if (rc != STC_EAGAIN)
            break;
        if (u != len)
            return -1001; /* EAGAIN must consume everything */
    }
    *used = off;
    return rc;
}

/* read_split - feed p[0..k) then p[k..n) */
static int read_split(stc_reply_t *r, const char *p, size_t n, size_t k, size_t *used)
{
    size_t u1 = 0, u2 = 0;
    int rc = stc_reply_feed(r, (const uint8_t *)p, k, &u1);

    *used = u1;
    if (rc != STC_EAGAIN)
        return rc;
    if (u1 != k)
        return -1001;
    rc = stc_reply_feed(r, (const uint8_t *)p + k, n - k, &u2);
    *used = u1 + u2;
    return rc;
}

/* same - two outcomes agree in every field */
static int same(const outcome_t *a, const outcome_t *b)
{
    return a->rc == b->rc && a->used == b->used && a->code == b->code &&
           a->nlines == b->nlines && a->ext == b->ext && a->overlong == b->overlong &&
           strcmp(a->first, b->first) == 0;
}

static stc_reply_t rr;

/* read3 - read a vector every way; checks they agree; returns the result */
static outcome_t read3(const char *p, size_t n, int ehlo)
{
    outcome_t once, o;
    size_t used, k;
    int rc, agree = 1;

    stc_reply_reset(&rr, ehlo);
    rc = read_chunks(&rr, p, n, 0, &used);
    take(&once, &rr, rc, used);

    stc_reply_reset(&rr, ehlo);
    rc = read_chunks(&rr, p, n, 1, &used);
    take(&o, &rr, rc, used);
    CHECK(same(&once, &o));

    for (k = 0; k <= n; k++) {
        stc_reply_reset(&rr, ehlo);
        rc = read_split(&rr, p, n, k, &used);
        take(&o, &rr, rc, used);
        if (!same(&once, &o)) {
            agree = 0;
            printf("  split at %zu differs (rc %d vs %d)\n", k, o.rc, once.rc);
            break;
        }
    }
    CHECK(agree);
    return once;
}

#define S(lit) lit, sizeof(lit) - 1

static void test_single_line(void)
{
    outcome_t o = read3(S("220 mx.example.org ESMTP Postfix\r\n"), 0);

    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.code, 220);
    CHECK_EQ(o.nlines, 1);
    CHECK_EQ(o.used, 34);
    CHECK_STR(o.first, "mx.example.org ESMTP Postfix");
    CHECK_EQ(o.overlong, 0);
    CHECK_EQ(o.ext, 0);
    CHECK_EQ(rr.done, 1);
}

static void test_multi_line_ehlo(void)
{
    static const char v[] =
        "250-mx.example.org Hello client [192.0.2.1]\r\n"
        "250-PIPELINING\r\n"
        "250-SIZE 10240000\r\n"
        "250-VRFY\r\n"
        "250-ETRN\r\n"
        "250-starttls\r\n"
        "250-AUTH PLAIN LOGIN\r\n"
        "250-ENHANCEDSTATUSCODES\r\n"
        "250-8BITMIME\r\n"
        "250-DSN\r\n"
        "250-SmtpUtf8\r\n"
        "250-CHUNKING\r\n"
        "250 REQUIRETLS\r\n";
    outcome_t o = read3(S(v), 1);

    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.code, 250);
    CHECK_EQ(o.nlines, 13);
    CHECK_EQ(o.used, sizeof v - 1);
    CHECK_STR(o.first, "mx.example.org Hello client [192.0.2.1]");
    CHECK_EQ(o.ext, STC_EXT_PIPELINING | STC_EXT_SIZE | STC_EXT_STARTTLS | STC_EXT_AUTH |
                        STC_EXT_ENHANCEDSTATUSCODES | STC_EXT_8BITMIME | STC_EXT_DSN |
                        STC_EXT_SMTPUTF8 | STC_EXT_CHUNKING | STC_EXT_REQUIRETLS);

    /* the same reply read without ehlo collects no keywords */
    o = read3(S(v), 0);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.ext, 0);
}

static void test_ehlo_first_line_is_not_a_keyword(void)
{
    /* "250 STARTTLS": the one line is the greeting (a domain), not a list */
    outcome_t o = read3(S("250 STARTTLS\r\n"), 1);

    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.ext, 0);
    CHECK_STR(o.first, "STARTTLS");

    o = read3(S("250-STARTTLS\r\n250 SIZE\r\n"), 1);
    CHECK_EQ(o.ext, STC_EXT_SIZE);
}

static void test_ehlo_refusal_has_no_keywords(void)
{
    outcome_t o = read3(S("550-go away\r\n550 STARTTLS\r\n"), 1);

    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.code, 550);
    CHECK_EQ(o.ext, 0);
}

static void test_bare_lf_and_crlf(void)
{
    outcome_t o = read3(S("250-a\n250-STARTTLS\n250 b\n"), 1);

    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.nlines, 3);
    CHECK_EQ(o.ext, STC_EXT_STARTTLS);
    CHECK_STR(o.first, "a");

    /* mixed endings inside one reply */
    o = read3(S("250-a\r\n250-PIPELINING\n250 DSN\r\n"), 1);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.ext, STC_EXT_PIPELINING | STC_EXT_DSN);

    /* a CR inside a line is text (sanitized in first) */
    o = read3(S("220 a\rb\r\n"), 0);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_STR(o.first, "a?b");
}

static void test_bare_code_last_line(void)
{
    outcome_t o = read3(S("250-mx.example.org\r\n250\r\n"), 1);

    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.nlines, 2);
    CHECK_EQ(o.ext, 0);

    o = read3(S("220\n"), 0);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.code, 220);
    CHECK_STR(o.first, "");

    /* empty continuation text */
    o = read3(S("250-\r\n250 x\r\n"), 0);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.nlines, 2);
    CHECK_STR(o.first, "");
}

static void test_mixed_codes(void)
{
    outcome_t o = read3(S("250-a\r\n251 b\r\n"), 0);

    CHECK_EQ(o.rc, STC_EPROTO);
    CHECK_EQ(o.code, 250);
    /* detected at the third digit: used stops there */
    CHECK_EQ(o.used, 10);

    o = read3(S("250-a\r\n250-b\r\n350 c\r\n"), 0);
    CHECK_EQ(o.rc, STC_EPROTO);
    o = read3(S("220-a\r\n250 b\r\n"), 0);
    CHECK_EQ(o.rc, STC_EPROTO);
}

static void test_bad_lines(void)
{
    static const struct {
        const char *v;
        size_t used; /* where the reader stops */
    } bad[] = {
        {"SSH-2.0-OpenSSH_9.2\r\n", 1},
        {"HTTP/1.1 400 Bad Request\r\n", 1},
        {"\x16\x03\x01\x00", 1}, /* a TLS record where a banner belongs */
        {"\r\n", 1},
        {"\n", 1},
        {"25\r\n", 3},
        {"25\n", 3},
        {"2\n", 2},
        {"199 x\r\n", 1},
        {"600 x\r\n", 1},
        {"099 x\r\n", 1},
        {"2x0 x\r\n", 2},
        {"25x x\r\n", 3},
        {"250x\r\n", 4},
        {"250\t\r\n", 4},
        {"250\rX\n", 6},
        {" 250 x\r\n", 1},
        {"250-ok\r\n25\r\n", 11},
        {"250-ok\r\nfoo\r\n", 9},
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        outcome_t o = read3(bad[i].v, strlen(bad[i].v), 0);
        CHECK_EQ(o.rc, STC_EPROTO);
        CHECK_EQ(o.used, bad[i].used);
        if (o.rc != STC_EPROTO || o.used != bad[i].used)
            printf("  vector %zu\n", i);
    }
}

static void test_incomplete(void)
{
    outcome_t o = read3(S("250-"), 1);

    CHECK_EQ(o.rc, STC_EAGAIN);
    CHECK_EQ(o.used, 4);
    CHECK_EQ(rr.done, 0);

    o = read3(S("250-mx.example.org\r\n250-STARTTLS\r\n"), 1);
    CHECK_EQ(o.rc, STC_EAGAIN);
    CHECK_EQ(o.nlines, 2);
    CHECK_EQ(o.ext, STC_EXT_STARTTLS);

    o = read3(S("220 no newline yet"), 0);
    CHECK_EQ(o.rc, STC_EAGAIN);
    CHECK_EQ(o.nlines, 0);

    o = read3("", 0, 0);
    CHECK_EQ(o.rc, STC_EAGAIN);
    CHECK_EQ(o.used, 0);
}

static void test_trailing_bytes_stay(void)
{
    /* RFC 3207 5 injection: plaintext after "220 Ready to start TLS" must
     * be visible to the caller, so the reader stops at the reply's end. */
    static const char v[] = "220 2.0.0 Ready to start TLS\r\nMAIL FROM:<evil@example.org>\r\n";
    outcome_t o = read3(S(v), 0);
    size_t used;

    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.used, 30);
    CHECK_STR(o.first, "2.0.0 Ready to start TLS");

    /* two pipelined replies: read one, reset, read the next */
    stc_reply_reset(&rr, 0);
    CHECK_EQ(stc_reply_feed(&rr, (const uint8_t *)"250 a\r\n354 b\r\n", 14, &used), STC_OK);
    CHECK_EQ(used, 7);
    /* a finished reply takes nothing more until reset */
    CHECK_EQ(stc_reply_feed(&rr, (const uint8_t *)"354 b\r\n", 7, &used), STC_OK);
    CHECK_EQ(used, 0);
    CHECK_EQ(rr.code, 250);
    stc_reply_reset(&rr, 0);
    CHECK_EQ(stc_reply_feed(&rr, (const uint8_t *)"354 b\r\n", 7, &used), STC_OK);
    CHECK_EQ(used, 7);
    CHECK_EQ(rr.code, 354);
    CHECK_STR(rr.first, "b");
}

static void test_too_many_lines(void)
{
    size_t n = 0, i, lines = 10000;
    char *v = malloc(lines * 8 + 16);
    outcome_t o;

    if (!v) {
        CHECK(v != NULL);
        return;
    }
    for (i = 0; i < lines; i++) {
        memcpy(v + n, "250-x\r\n", 7);
        n += 7;
    }
    memcpy(v + n, "250 x\r\n", 7);
    n += 7;

    /* read to its last line (the caller's deadline bounds the time, no
     * buffer grows), counted and flagged: the reply is not "malformed" */
    stc_reply_reset(&rr, 1);
    o.rc = read_chunks(&rr, v, n, 0, &o.used);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.used, n);
    CHECK_EQ(rr.toolong, 1);
    CHECK_EQ(rr.nlines, lines + 1);
    stc_reply_reset(&rr, 1);
    o.rc = read_chunks(&rr, v, n, 1, &o.used);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.used, n);
    CHECK_EQ(rr.toolong, 1);
    /* a keyword on the last of 10,000 lines still counts */
    {
        size_t m = (size_t)lines * 7;
        char *w = malloc(m + 32);
        if (w) {
            memcpy(w, v, m);
            memcpy(w + m, "250 STARTTLS\r\n", 14);
            stc_reply_reset(&rr, 1);
            CHECK_EQ(read_chunks(&rr, w, m + 14, 0, &o.used), STC_OK);
            CHECK_EQ(rr.ext & STC_EXT_STARTTLS, STC_EXT_STARTTLS);
            CHECK_EQ(rr.toolong, 1);
            free(w);
        }
    }

    /* exactly STC_REPLY_LINES_MAX lines is still a reply */
    n = (size_t)(STC_REPLY_LINES_MAX - 1) * 7;
    memcpy(v + n, "250 x\r\n", 7);
    n += 7;
    o = read3(v, n, 1);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.nlines, STC_REPLY_LINES_MAX);
    free(v);
}

static void test_megabyte_line(void)
{
    size_t n = 1u << 20, off, used, total = 0;
    char *v = malloc(n);
    int rc = STC_EAGAIN;

    if (!v) {
        CHECK(v != NULL);
        return;
    }
    memcpy(v, "220 ", 4);
    memset(v + 4, 'A', n - 4);
    stc_reply_reset(&rr, 0);
    /* in pieces as a socket would deliver them */
    for (off = 0; off < n && rc == STC_EAGAIN; off += 1000) {
        size_t len = n - off < 1000 ? n - off : 1000;
        rc = stc_reply_feed(&rr, (const uint8_t *)v + off, len, &used);
        total += used;
        CHECK(rr.linelen <= STC_REPLY_LINE_MAX);
        if (rr.linelen > STC_REPLY_LINE_MAX)
            break;
    }
    CHECK_EQ(rc, STC_EAGAIN);
    CHECK_EQ(total, n);
    CHECK_EQ(rr.linelen, STC_REPLY_LINE_MAX);
    CHECK_EQ(rr.overlong, 1);
    /* and in one call */
    stc_reply_reset(&rr, 0);
    CHECK_EQ(stc_reply_feed(&rr, (const uint8_t *)v, n, &used), STC_EAGAIN);
    CHECK_EQ(used, n);
    CHECK_EQ(rr.linelen, STC_REPLY_LINE_MAX);
    /* the line ends at last; the kept text is cut to the banner size */
    CHECK_EQ(stc_reply_feed(&rr, (const uint8_t *)"\r\n", 2, &used), STC_OK);
    CHECK_EQ(used, 2);
    CHECK_EQ(rr.code, 220);
    CHECK_EQ(rr.overlong, 1);
    CHECK_EQ(strlen(rr.first), STC_BANNER_MAX - 1);
    CHECK_EQ(rr.first[0], 'A');
    free(v);
}

static void test_line_length_boundary(void)
{
    static char v[STC_REPLY_LINE_MAX + 64];
    outcome_t o;
    size_t n;

    /* exactly STC_REPLY_LINE_MAX bytes before CRLF: fits */
    memcpy(v, "250 ", 4);
    memset(v + 4, 'x', STC_REPLY_LINE_MAX - 4);
    n = STC_REPLY_LINE_MAX;
    memcpy(v + n, "\r\n", 2);
    o = read3(v, n + 2, 0);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.overlong, 0);
    /* the same with a bare LF */
    v[n] = '\n';
    o = read3(v, n + 1, 0);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.overlong, 0);
    /* one byte more: overlong, still a reply */
    v[n] = 'x';
    memcpy(v + n + 1, "\r\n", 2);
    o = read3(v, n + 3, 0);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.overlong, 1);
    /* a CR that does not end the line at the boundary is text */
    v[n] = '\r';
    v[n + 1] = 'x';
    v[n + 2] = '\n';
    o = read3(v, n + 3, 0);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.overlong, 1);
}

static void test_overlong_continuation_then_more(void)
{
    /* an overlong line in the middle does not lose the lines after it */
    static char v[2048];
    size_t n = 0;
    outcome_t o;

    memcpy(v + n, "250-mx\r\n250-", 12);
    n += 12;
    memset(v + n, 'Z', 900);
    n += 900;
    memcpy(v + n, "\r\n250-STARTTLS\r\n250 DSN\r\n", 25);
    n += 25;
    o = read3(v, n, 1);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.overlong, 1);
    CHECK_EQ(o.nlines, 4);
    CHECK_EQ(o.ext, STC_EXT_STARTTLS | STC_EXT_DSN);
}

static void test_sanitize(void)
{
    static const char v[] = "220 a\0b\tc\x01" "d\x7f" "e\xc3\xa9" "f\x1b[31m\r\n";
    outcome_t o = read3(v, sizeof v - 1, 0);
    char longtext[300];

    CHECK_EQ(o.rc, STC_OK);
    CHECK_STR(o.first, "a?b?c?d?e??f?[31m");

    /* a NUL in the code position is a protocol error, not text */
    o = read3("2\0" "0 x\r\n", 6, 0);
    CHECK_EQ(o.rc, STC_EPROTO);

    /* first is truncated to fit */
    memcpy(longtext, "220 ", 4);
    memset(longtext + 4, 'b', 200);
    memcpy(longtext + 204, "\r\n", 2);
    o = read3(longtext, 206, 0);
    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(strlen(o.first), STC_BANNER_MAX - 1);
    CHECK_EQ(o.overlong, 0);
}

static void test_keywords(void)
{
    static const struct {
        const char *t;
        uint16_t bit;
    } kw[] = {
        {"STARTTLS", STC_EXT_STARTTLS},
        {"starttls", STC_EXT_STARTTLS},
        {"StartTLS", STC_EXT_STARTTLS},
        {"STARTTLS ", STC_EXT_STARTTLS},
        {"STARTTLSX", 0},
        {"STARTTL", 0},
        {"X-STARTTLS", 0},
        {" STARTTLS", 0},
        {"STARTTLS\t", 0},
        {"PIPELINING", STC_EXT_PIPELINING},
        {"pipelining", STC_EXT_PIPELINING},
        {"SIZE", STC_EXT_SIZE},
        {"SIZE 52428800", STC_EXT_SIZE},
        {"size=1000", STC_EXT_SIZE},
        {"SIZES", 0},
        {"8BITMIME", STC_EXT_8BITMIME},
        {"8bitmime", STC_EXT_8BITMIME},
        {"SMTPUTF8", STC_EXT_SMTPUTF8},
        {"REQUIRETLS", STC_EXT_REQUIRETLS},
        {"CHUNKING", STC_EXT_CHUNKING},
        {"DSN", STC_EXT_DSN},
        {"dsn", STC_EXT_DSN},
        {"ENHANCEDSTATUSCODES", STC_EXT_ENHANCEDSTATUSCODES},
        {"AUTH", STC_EXT_AUTH},
        {"AUTH PLAIN LOGIN", STC_EXT_AUTH},
        {"AUTH=LOGIN PLAIN", STC_EXT_AUTH},
        {"auth login", STC_EXT_AUTH},
        {"AUTHX", 0},
        {"VRFY", 0},
        {"ETRN", 0},
        {"", 0},
        {"=", 0},
        {" ", 0},
    };
    size_t i;

    for (i = 0; i < sizeof kw / sizeof kw[0]; i++) {
        uint16_t got = stc_ehlo_keyword(kw[i].t, strlen(kw[i].t));
        CHECK_EQ(got, kw[i].bit);
        if (got != kw[i].bit)
            printf("  keyword \"%s\"\n", kw[i].t);
    }
    /* bounded by n, not by a NUL */
    CHECK_EQ(stc_ehlo_keyword("STARTTLS", 5), 0);
    CHECK_EQ(stc_ehlo_keyword("DSNXYZ", 3), STC_EXT_DSN);
    CHECK_EQ(stc_ehlo_keyword("STARTTLS", 0), 0);
}

static void test_keywords_in_reply(void)
{
    outcome_t o = read3(S("250-x\r\n250-sTaRtTlS\r\n250-STARTTLSX\r\n250-AUTH=PLAIN\r\n"
                          "250 size 100\r\n"),
                        1);

    CHECK_EQ(o.rc, STC_OK);
    CHECK_EQ(o.ext, STC_EXT_STARTTLS | STC_EXT_AUTH | STC_EXT_SIZE);

    o = read3(S("250-x\r\n250 STARTTLSX\r\n"), 1);
    CHECK_EQ(o.ext, 0);
}

static void test_reset(void)
{
    size_t used;

    stc_reply_reset(&rr, 1);
    CHECK_EQ(rr.ehlo, 1);
    CHECK_EQ(stc_reply_feed(&rr, (const uint8_t *)"250-a\r\n250 DSN\r\n", 16, &used), STC_OK);
    CHECK_EQ(rr.ext, STC_EXT_DSN);
    stc_reply_reset(&rr, 0);
    CHECK_EQ(rr.ehlo, 0);
    CHECK_EQ(rr.ext, 0);
    CHECK_EQ(rr.code, 0);
    CHECK_EQ(rr.nlines, 0);
    CHECK_EQ(rr.done, 0);
    CHECK_STR(rr.first, "");
    stc_reply_reset(&rr, 7);
    CHECK_EQ(rr.ehlo, 1);
}

static void test_all_codes(void)
{
    unsigned c;
    int ok = 1;

    for (c = 0; c < 1000; c++) {
        char v[16];
        size_t used;
        int rc, want = c >= 200 && c < 600;
        v[0] = (char)('0' + c / 100);
        v[1] = (char)('0' + c / 10 % 10);
        v[2] = (char)('0' + c % 10);
        memcpy(v + 3, " t\r\n", 4);
        stc_reply_reset(&rr, 0);
        rc = stc_reply_feed(&rr, (const uint8_t *)v, 7, &used);
        if (want ? (rc != STC_OK || rr.code != c) : rc != STC_EPROTO) {
            ok = 0;
            printf("  code %u: rc %d\n", c, rc);
        }
    }
    CHECK(ok);
}

int main(void)
{
    unit_name = "smtp_reply";
    RUN(test_single_line);
    RUN(test_multi_line_ehlo);
    RUN(test_ehlo_first_line_is_not_a_keyword);
    RUN(test_ehlo_refusal_has_no_keywords);
    RUN(test_bare_lf_and_crlf);
    RUN(test_bare_code_last_line);
    RUN(test_mixed_codes);
    RUN(test_bad_lines);
    RUN(test_incomplete);
    RUN(test_trailing_bytes_stay);
    RUN(test_too_many_lines);
    RUN(test_megabyte_line);
    RUN(test_line_length_boundary);
    RUN(test_overlong_continuation_then_more);
    RUN(test_sanitize);
    RUN(test_keywords);
    RUN(test_keywords_in_reply);
    RUN(test_reset);
    RUN(test_all_codes);
    return unit_done();
}
