/* test_json.c - JSON string literals from untrusted bytes (src/json.c) */
#include "unit.h"

#include "stc_int.h"

/* A sink that collects output and can be told to fail. */
typedef struct sink {
    char buf[16384];
    size_t n;
    int calls;
    int fail_at;  /* 1-based call that fails; 0 = never */
    int fail_rc;
} sink_t;

/* collect - the test sink */
static int collect(void *ctx, const char *p, size_t n)
{
    sink_t *s = ctx;

    s->calls++;
    if (s->fail_at != 0 && s->calls >= s->fail_at)
        return s->fail_rc;
    if (n == 0 || s->n + n >= sizeof s->buf)
        return -99; /* a zero-length write or an overflow is a test failure */
    memcpy(s->buf + s->n, p, n);
    s->n += n;
    s->buf[s->n] = '\0';
    return 0;
}

static sink_t snk;

/* enc - encode s; returns the text written */
static const char *enc(const char *s)
{
    memset(&snk, 0, sizeof snk);
    if (stc_json_string(collect, &snk, s) != 0)
        return "(sink error)";
    return snk.buf;
}

static void test_plain_and_escapes(void)
{
    static const struct {
        const char *in, *want;
    } v[] = {
        {"", "\"\""},
        {"abc", "\"abc\""},
        {"mx.example.org ESMTP", "\"mx.example.org ESMTP\""},
        {"a\"b", "\"a\\\"b\""},
        {"a\\b", "\"a\\\\b\""},
        {"\"\\\"", "\"\\\"\\\\\\\"\""},
        {"/", "\"/\""},
        {"\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\""},
        {"\x01", "\"\\u0001\""},
        {"a\x1f" "b", "\"a\\u001fb\""},
        {"\x0b\x0e\x1b", "\"\\u000b\\u000e\\u001b\""},
        {"\x7f", "\"\x7f\""}, /* DEL needs no escape in JSON */
        {" ~", "\" ~\""},
        {"<script>", "\"<script>\""},
    };
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++)
        CHECK_STR(enc(v[i].in), v[i].want);

    /* every control byte */
    {
        char in[32], want[256];
        int c;
        size_t n = 0;
        for (c = 1; c < 32; c++)
            in[c - 1] = (char)c;
        in[31] = '\0';
        want[n++] = '"';
        for (c = 1; c < 32; c++) {
            const char *e = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                          : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
            if (e) {
                memcpy(want + n, e, 2);
                n += 2;
            } else {
                n += (size_t)sprintf(want + n, "\\u%04x", c);
            }
        }
        want[n++] = '"';
        want[n] = '\0';
        CHECK_STR(enc(in), want);
    }
}

static void test_valid_utf8_kept(void)
{
    static const char *const v[] = {
        "\xc2\x80",             /* U+0080, smallest 2-byte */
        "\xc3\xa9t\xc3\xa9",    /* été */
        "\xdf\xbf",             /* U+07FF */
        "\xe0\xa0\x80",         /* U+0800, smallest 3-byte */
        "\xe2\x82\xac",         /* euro sign */
        "\xed\x9f\xbf",         /* U+D7FF, just below the surrogates */
        "\xee\x80\x80",         /* U+E000, just above */
        "\xef\xbf\xbd",         /* U+FFFD itself */
        "\xef\xbf\xbf",         /* U+FFFF */
        "\xf0\x90\x80\x80",     /* U+10000, smallest 4-byte */
        "\xf0\x9d\x84\x9e",     /* musical G clef */
        "\xf4\x8f\xbf\xbf",     /* U+10FFFF, the last code point */
        "\xe4\xbe\x8b\xe5\xad\x90.\xe6\xb5\x8b\xe8\xaf\x95",
        "mx \xe2\x9c\x89 ok",
    };
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "\"%s\"", v[i]);
        CHECK_STR(enc(v[i]), want);
    }
}

static void test_invalid_utf8_replaced(void)
{
#define R "\\ufffd"
    static const struct {
        const char *in, *want;
    } v[] = {
        {"\x80", "\"" R "\""},                        /* lone continuation */
        {"\xbf", "\"" R "\""},
        {"a\x80" "b", "\"a" R "b\""},
        {"\xff", "\"" R "\""},
        {"\xfe\xff", "\"" R R "\""},
        {"\xc0\x80", "\"" R R "\""},                  /* overlong NUL */
        {"\xc1\xbf", "\"" R R "\""},                  /* overlong 2-byte */
        {"\xe0\x80\x80", "\"" R R R "\""},            /* overlong 3-byte */
        {"\xe0\x9f\xbf", "\"" R R R "\""},
        {"\xf0\x80\x80\x80", "\"" R R R R "\""},      /* overlong 4-byte */
        {"\xf0\x8f\xbf\xbf", "\"" R R R R "\""},
        {"\xed\xa0\x80", "\"" R R R "\""},            /* surrogate U+D800 */
        {"\xed\xbf\xbf", "\"" R R R "\""},            /* surrogate U+DFFF */
        {"\xed\xa0\xbd\xed\xb2\xa9", "\"" R R R R R R "\""}, /* CESU-8 pair */
        {"\xf4\x90\x80\x80", "\"" R R R R "\""},      /* U+110000 */
        {"\xf5\x80\x80\x80", "\"" R R R R "\""},
        {"\xf8\x88\x80\x80\x80", "\"" R R R R R "\""}, /* old 5-byte form */
        {"\xc3", "\"" R "\""},                        /* truncated at the end */
        {"\xe2\x82", "\"" R R "\""},
        {"\xf0\x9d\x84", "\"" R R R "\""},
        {"\xc3" "A", "\"" R "A\""},                   /* cut by ASCII */
        {"\xe2\x82" "A", "\"" R R "A\""},
        {"\xe2\x28\xa1", "\"" R "(" R "\""},
        {"\xc3\xc3\xa9", "\"" R "\xc3\xa9\""},        /* a new lead restarts */
        {"\xe2\x82\xac\xac", "\"\xe2\x82\xac" R "\""},
        {"\xc3\n", "\"" R "\\n\""},
        {"\xc3\"", "\"" R "\\\"\""},
    };
#undef R
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        const char *got = enc(v[i].in);
        CHECK_STR(got, v[i].want);
    }
}

static void test_all_bytes(void)
{
    /* every single byte 1..255 gives valid output of a known shape */
    int c, ok = 1;

    for (c = 1; c < 256; c++) {
        char in[2] = {(char)c, 0};
        const char *got = enc(in);
        size_t n = strlen(got);
        if (c >= 0x80) {
            ok &= strcmp(got, "\"\\ufffd\"") == 0;
        } else if (c < 0x20 || c == '"' || c == '\\') {
            ok &= got[1] == '\\' && (n == 4 || n == 8);
        } else {
            ok &= n == 3 && (unsigned char)got[1] == c;
        }
    }
    CHECK(ok);
}

static void test_long_strings(void)
{
    static char in[4000], want[8000];
    size_t i, n = 0;

    /* longer than the internal buffer, escapes straddling its edge */
    for (i = 0; i + 1 < sizeof in; i++)
        in[i] = (char)(i % 7 == 0 ? '\x01' : i % 11 == 0 ? '"' : 'a' + (char)(i % 26));
    in[sizeof in - 1] = '\0';
    want[n++] = '"';
    for (i = 0; i + 1 < sizeof in; i++) {
        if (in[i] == '\x01') {
            memcpy(want + n, "\\u0001", 6);
            n += 6;
        } else if (in[i] == '"') {
            memcpy(want + n, "\\\"", 2);
            n += 2;
        } else {
            want[n++] = in[i];
        }
    }
    want[n++] = '"';
    want[n] = '\0';
    CHECK_STR(enc(in), want);
    CHECK(snk.calls > 1);

    /* all replacement characters */
    memset(in, 0xff, 1000);
    in[1000] = '\0';
    CHECK_EQ(strlen(enc(in)), 2 + 6 * 1000);
}

static void test_sink_errors(void)
{
    static char in[2000];
    int rc;

    memset(in, 'x', sizeof in - 1);

    /* a short string: one write, whose error comes back */
    memset(&snk, 0, sizeof snk);
    snk.fail_at = 1;
    snk.fail_rc = 7;
    CHECK_EQ(stc_json_string(collect, &snk, "abc"), 7);
    CHECK_EQ(snk.calls, 1);

    /* a long string: the first failing write stops it */
    memset(&snk, 0, sizeof snk);
    snk.fail_at = 1;
    snk.fail_rc = -3;
    rc = stc_json_string(collect, &snk, in);
    CHECK_EQ(rc, -3);
    CHECK_EQ(snk.calls, 1);

    memset(&snk, 0, sizeof snk);
    snk.fail_at = 2;
    snk.fail_rc = 42;
    rc = stc_json_string(collect, &snk, in);
    CHECK_EQ(rc, 42);
    CHECK_EQ(snk.calls, 2);
    CHECK(snk.n > 0 && snk.n < sizeof in);

    /* fails on the very last write (the closing quote's flush) */
    {
        int total;
        memset(&snk, 0, sizeof snk);
        CHECK_EQ(stc_json_string(collect, &snk, in), 0);
        total = snk.calls;
        memset(&snk, 0, sizeof snk);
        snk.fail_at = total;
        snk.fail_rc = 1;
        CHECK_EQ(stc_json_string(collect, &snk, in), 1);
        CHECK_EQ(snk.calls, total);
    }
}

int main(void)
{
    unit_name = "json";
    RUN(test_plain_and_escapes);
    RUN(test_valid_utf8_kept);
    RUN(test_invalid_utf8_replaced);
    RUN(test_all_bytes);
    RUN(test_long_strings);
    RUN(test_sink_errors);
    return unit_done();
}
