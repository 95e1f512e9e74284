/* test_http.c - the HTTP/1.1 response reader (src/http.c)
 *
 * Every vector is fed three ways: whole, one byte at a time, and split in
 * two at every offset (at sampled offsets for long inputs); all must give
 * the same result, fields and body bytes. Expectations come from RFC 9112
 * (message syntax, chunked coding, framing), RFC 9110 (fields, status
 * codes) and RFC 8461 3.3 (what the policy fetch needs), quoted where a
 * case pins a rule.
 */
#include "unit.h"
#include "policy.h"

#include <stdlib.h>

static int vectors;

/* What one run produced. */
typedef struct res {
    int rc;
    size_t used;
    stc_http_t st;
    size_t blen;
    uint8_t *body;
} res_t;

#define BODY_CAP (STC_STS_BODY_MAX + 64)

typedef struct sink {
    uint8_t *buf;
    size_t n;
    int stop_after; /* > 0: return STC_EINVAL once this many bytes arrived */
} sink_t;

/* sink_cb - collect body bytes */
static int sink_cb(void *ctx, const uint8_t *p, size_t n)
{
    sink_t *s = (sink_t *)ctx;

    if (s->n + n > BODY_CAP)
        abort();
    memcpy(s->buf + s->n, p, n);
    s->n += n;
    if (s->stop_after > 0 && s->n >= (size_t)s->stop_after)
        return STC_EINVAL;
    return 0;
}

/* run - feed in[0..n) in pieces of `piece` bytes (0: whole; split > 0:
 * two pieces, split there), then EOF when eof is set */
static void run(res_t *r, const uint8_t *in, size_t n, size_t piece, size_t split,
                uint32_t max, int eof, int stop_after)
{
    sink_t s;
    size_t off = 0;

    s.buf = r->body;
    s.n = 0;
    s.stop_after = stop_after;
    stc_http_init(&r->st, max);
    r->rc = STC_EAGAIN;
    r->used = 0;
    while (off < n && r->rc == STC_EAGAIN) {
        size_t k = n - off, u = 0;
        if (piece > 0 && k > piece)
            k = piece;
        if (split > 0 && off < split && k > split - off)
            k = split - off;
        r->rc = stc_http_feed(&r->st, in + off, k, &u, sink_cb, &s);
        if (u > k)
            abort();
        r->used += u;
        off += k;
        if (r->rc == STC_EAGAIN && u != k)
            abort(); /* EAGAIN consumes everything */
    }
    if (r->rc == STC_EAGAIN && eof)
        r->rc = stc_http_eof(&r->st);
    r->blen = s.n;
}

/* same - two runs agree on everything */
static int same(const res_t *a, const res_t *b)
{
    const stc_http_t *x = &a->st, *y = &b->st;

    return a->rc == b->rc && a->used == b->used && a->blen == b->blen &&
           memcmp(a->body, b->body, a->blen) == 0 && x->status == y->status &&
           x->result == y->result && x->mtype == y->mtype && x->framing == y->framing &&
           x->notes == y->notes && x->body_len == y->body_len &&
           x->content_length == y->content_length && x->location_len == y->location_len &&
           strcmp(x->location, y->location) == 0 && strcmp(x->mtype_text, y->mtype_text) == 0 &&
           x->interim == y->interim && x->head_done == y->head_done && x->minor == y->minor;
}

static res_t R, T;

/* feed_all - run whole, byte by byte and split everywhere; the whole run's
 * result stays in R; one assertion that every way agreed */
static const res_t *feed_all_n(const uint8_t *in, size_t n, uint32_t max, int eof)
{
    static uint8_t bodyR[BODY_CAP], bodyT[BODY_CAP];
    size_t k, step = n > 2048 ? 997 : 1;
    int ok = 1;

    vectors++;
    R.body = bodyR;
    T.body = bodyT;
    run(&R, in, n, 0, 0, max, eof, 0);
    run(&T, in, n, 1, 0, max, eof, 0);
    if (!same(&R, &T)) {
        printf("  one byte at a time differs\n");
        ok = 0;
    }
    for (k = 1; k < n && ok; k += step) {
        run(&T, in, n, 0, k, max, eof, 0);
        if (!same(&R, &T)) {
            printf("  split at %zu differs (rc %d/%d result %u/%u)\n", k, R.rc, T.rc,
                   R.st.result, T.st.result);
            ok = 0;
        }
    }
    CHECK(ok);
    CHECK_EQ(R.blen, R.st.body_len); /* the callback saw exactly body_len bytes */
    return &R;
}

/* feed_all - the same for a C string */
static const res_t *feed_all(const char *in, uint32_t max, int eof)
{
    return feed_all_n((const uint8_t *)in, strlen(in), max, eof);
}

/* body_is - the body delivered equals s */
static int body_is(const res_t *r, const char *s)
{
    return r->blen == strlen(s) && memcmp(r->body, s, r->blen) == 0;
}

#define POLICY "version: STSv1\r\nmode: enforce\r\nmx: mx.example.org\r\nmax_age: 86400\r\n"

/* content_length - the usual answer: 200, text/plain, Content-Length */
static void content_length(void)
{
    const res_t *r;
    char in[512];

    snprintf(in, sizeof in,
             "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain; charset=utf-8\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
             strlen(POLICY), POLICY);
    r = feed_all(in, 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->st.result, STC_HTTP_R_OK);
    CHECK_EQ(r->st.status, 200);
    CHECK_EQ(r->st.minor, 1);
    CHECK_EQ(r->st.framing, STC_HTTP_FR_LENGTH);
    CHECK_EQ(r->st.content_length, strlen(POLICY));
    /* RFC 8461 3.2: "text/plain"; "Additional "Content-Type" parameters
     * are also ignored" */
    CHECK_EQ(r->st.mtype, STC_HTTP_MT_TEXT_PLAIN);
    CHECK_STR(r->st.mtype_text, "text/plain");
    CHECK(body_is(r, POLICY));
    CHECK_EQ(r->used, strlen(in));
    CHECK_EQ(r->st.notes, 0);
    CHECK(r->st.head_done);

    /* bytes after the declared length are not ours: used stops there */
    snprintf(in, sizeof in, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcGARBAGE");
    r = feed_all(in, 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK(body_is(r, "abc"));
    CHECK_EQ(r->used, strlen(in) - strlen("GARBAGE"));

    /* RFC 9112 8: "A message that uses a valid Content-Length is incomplete
     * if the size of the message body received ... is less than the value
     * given by Content-Length" */
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, 1);
    CHECK_EQ(r->rc, STC_EPROTO);
    CHECK_EQ(r->st.result, STC_HTTP_R_TRUNCATED);
    CHECK(body_is(r, "abc"));
    /* without the EOF it is simply not finished */
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, 0);
    CHECK_EQ(r->rc, STC_EAGAIN);
    CHECK_EQ(r->st.result, STC_HTTP_R_NONE);

    /* Content-Length: 0 ends the response with its head */
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->blen, 0);
}

/* close_delimited - neither length nor chunked: the body ends with the
 * connection (RFC 9112 6.3 (8)); HTTP/1.0 answers */
static void close_delimited(void)
{
    const res_t *r;

    r = feed_all("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" POLICY, 0, 1);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->st.minor, 0);
    CHECK_EQ(r->st.framing, STC_HTTP_FR_CLOSE);
    CHECK(body_is(r, POLICY));
    r = feed_all("HTTP/1.1 200 OK\r\n\r\n" POLICY, 0, 0);
    CHECK_EQ(r->rc, STC_EAGAIN); /* until the EOF */
    CHECK_EQ(r->st.mtype, STC_HTTP_MT_NONE);
    /* an empty body is a body */
    r = feed_all("HTTP/1.1 200 OK\r\n\r\n", 0, 1);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->blen, 0);
    /* the connection ends inside the head */
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Type: te", 0, 1);
    CHECK_EQ(r->rc, STC_EPROTO);
    CHECK_EQ(r->st.result, STC_HTTP_R_TRUNCATED);
    CHECK(!r->st.head_done);
    r = feed_all("HTTP/1.1 200 OK\r\n\r", 0, 1);
    CHECK_EQ(r->st.result, STC_HTTP_R_TRUNCATED);
    r = feed_all("", 0, 1);
    CHECK_EQ(r->rc, STC_EPROTO);
    CHECK_EQ(r->st.result, STC_HTTP_R_EMPTY);
}

/* chunked - RFC 9112 7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data
 * CRLF; last-chunk = 1*("0") [ chunk-ext ] CRLF; trailer-section CRLF */
static void chunked(void)
{
    const res_t *r;

    /* sizes 1, 0x1a (lower case), 0xA (upper case), leading zeros */
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                 "Content-Type: text/plain\r\n\r\n"
                 "1\r\nv\r\n"
                 "19\r\nersion: STSv1\r\nmode: enfo\r\n"
                 "A\r\nrce\r\nmx: m\r\n"
                 "0005\r\nx.a.b\r\n"
                 "0\r\n\r\n",
                 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->st.framing, STC_HTTP_FR_CHUNKED);
    CHECK(body_is(r, "version: STSv1\r\nmode: enforce\r\nmx: mx.a.b"));
    CHECK_EQ(r->st.notes, 0);

    /* extensions ignored, trailers skipped, "Chunked" case-insensitive
     * (RFC 9112 7: "All transfer-coding names are case-insensitive") */
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
                 "4;name=value;flag\r\nabcd\r\n"
                 "3 ; q=\"a;b\"\r\nefg\r\n"
                 "000;last\r\nExpires: never\r\nX-Checksum: 1\r\n\r\nNEXT",
                 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK(body_is(r, "abcdefg"));
    CHECK_EQ(r->st.notes, STC_HTTP_N_TRAILERS);
    CHECK_EQ(r->used, strlen("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
                             "4;name=value;flag\r\nabcd\r\n"
                             "3 ; q=\"a;b\"\r\nefg\r\n"
                             "000;last\r\nExpires: never\r\nX-Checksum: 1\r\n\r\n"));

    /* the connection ends before the last chunk: truncated */
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 0, 1);
    CHECK_EQ(r->rc, STC_EPROTO);
    CHECK_EQ(r->st.result, STC_HTTP_R_TRUNCATED);
    CHECK(body_is(r, "hello"));
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 0, 1);
    CHECK_EQ(r->st.result, STC_HTTP_R_TRUNCATED);
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", 0, 1);
    CHECK_EQ(r->st.result, STC_HTTP_R_TRUNCATED); /* the trailer section's CRLF is missing */

    /* chunk-data must be followed by CRLF */
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", 0, 0);
    CHECK_EQ(r->rc, STC_EPROTO);
    CHECK_EQ(r->st.result, STC_HTTP_R_BAD_CHUNK);
    CHECK(body_is(r, "abc"));
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\rX", 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_BAD_CHUNK);
    /* chunk-size = 1*HEXDIG */
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_BAD_CHUNK);
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_BAD_CHUNK);
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\n", 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_BAD_CHUNK);
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\rhello", 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_BAD_CHUNK);
    /* "Recipients MUST anticipate potentially large hexadecimal numerals":
     * a size of 2^68 saturates and the body bound stops it */
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "100000000000000000\r\nabc", 2, 0);
    CHECK_EQ(r->rc, STC_ETOOLONG);
    CHECK_EQ(r->st.result, STC_HTTP_R_BODY_TOO_LONG);
    CHECK(body_is(r, "ab"));
    /* a chunk-size line longer than STC_HTTP_LINE_MAX */
    {
        static char in[STC_HTTP_LINE_MAX + 128];
        size_t k = (size_t)snprintf(in, sizeof in,
                                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;");
        memset(in + k, 'x', STC_HTTP_LINE_MAX);
        in[k + STC_HTTP_LINE_MAX] = '\0';
        r = feed_all(in, 0, 0);
        CHECK_EQ(r->rc, STC_ETOOLONG);
        CHECK_EQ(r->st.result, STC_HTTP_R_LINE_TOO_LONG);
    }
}

/* bounds - the body bound is said as soon as it is crossed, without a
 * buffer of its size (RFC 8461 3.3: "a suggested maximum policy size 64
 * kilobytes") */
static void bounds(void)
{
    static uint8_t big[STC_STS_BODY_MAX + 512];
    const res_t *r;
    size_t k, i;

    /* declared too long: refused with the head, no body byte delivered */
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world", 10, 0);
    CHECK_EQ(r->rc, STC_ETOOLONG);
    CHECK_EQ(r->st.result, STC_HTTP_R_BODY_TOO_LONG);
    CHECK_EQ(r->blen, 0);
    CHECK_EQ(r->used, strlen("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n"));
    /* exactly the bound is fine */
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", 10, 0);
    CHECK_EQ(r->rc, STC_OK);
    /* crossed in the middle of the second chunk: 8 + 2 bytes delivered,
     * the 11th byte is the error */
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "8\r\nabcdefgh\r\n8\r\nijklmnop\r\n0\r\n\r\n",
                 10, 0);
    CHECK_EQ(r->rc, STC_ETOOLONG);
    CHECK_EQ(r->st.result, STC_HTTP_R_BODY_TOO_LONG);
    CHECK(body_is(r, "abcdefghij"));
    CHECK_EQ(r->used, strlen("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "8\r\nabcdefgh\r\n8\r\nijk"));
    /* chunks that end exactly at the bound, then a last chunk: fine */
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "8\r\nabcdefgh\r\n2\r\nij\r\n0\r\n\r\n",
                 10, 0);
    CHECK_EQ(r->rc, STC_OK);
    /* a close-delimited body crossing the bound */
    r = feed_all("HTTP/1.0 200 OK\r\n\r\n0123456789AB", 10, 1);
    CHECK_EQ(r->rc, STC_ETOOLONG);
    CHECK(body_is(r, "0123456789"));

    /* the default bound, 65536: a body of exactly that passes, one more
     * byte does not (declared, chunked, and close-delimited) */
    k = (size_t)snprintf((char *)big, sizeof big, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n",
                         (unsigned)STC_STS_BODY_MAX);
    for (i = 0; i < STC_STS_BODY_MAX; i++)
        big[k + i] = (uint8_t)('a' + i % 26);
    r = feed_all_n(big, k + STC_STS_BODY_MAX, 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->st.body_len, STC_STS_BODY_MAX);
    k = (size_t)snprintf((char *)big, sizeof big, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n",
                         (unsigned)STC_STS_BODY_MAX + 1);
    r = feed_all_n(big, k, 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_BODY_TOO_LONG);
    k = (size_t)snprintf((char *)big, sizeof big,
                         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n",
                         (unsigned)STC_STS_BODY_MAX + 1);
    for (i = 0; i <= STC_STS_BODY_MAX; i++)
        big[k + i] = 'z';
    r = feed_all_n(big, k + STC_STS_BODY_MAX + 1, 0, 0);
    CHECK_EQ(r->rc, STC_ETOOLONG);
    CHECK_EQ(r->st.body_len, STC_STS_BODY_MAX);
    CHECK_EQ(r->used, k + STC_STS_BODY_MAX + 1);
    k = (size_t)snprintf((char *)big, sizeof big, "HTTP/1.1 200 OK\r\n\r\n");
    memset(big + k, 'y', STC_STS_BODY_MAX + 1);
    r = feed_all_n(big, k + STC_STS_BODY_MAX + 1, 0, 1);
    CHECK_EQ(r->st.result, STC_HTTP_R_BODY_TOO_LONG);
    CHECK_EQ(r->blen, STC_STS_BODY_MAX);
    r = feed_all_n(big, k + STC_STS_BODY_MAX, 0, 1);
    CHECK_EQ(r->rc, STC_OK);
}

/* redirects - RFC 8461 3.3: "HTTP 3xx redirects MUST NOT be followed": the
 * status and Location are recorded for the report */
static void redirects(void)
{
    static char in[1024];
    const res_t *r;
    char loc[301];

    r = feed_all("HTTP/1.1 301 Moved Permanently\r\nLocation: https://www.example.org/.well-known/mta-sts.txt\r\n"
                 "Content-Type: text/html\r\nContent-Length: 5\r\n\r\nmoved",
                 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->st.status, 301);
    CHECK_STR(r->st.location, "https://www.example.org/.well-known/mta-sts.txt");
    CHECK_EQ(r->st.location_len, strlen("https://www.example.org/.well-known/mta-sts.txt"));
    CHECK_EQ(r->st.mtype, STC_HTTP_MT_OTHER);
    /* a long Location: the first STC_HTTP_LOCATION_MAX - 1 bytes kept,
     * the whole length counted; trailing OWS is not part of it */
    memset(loc, 'p', 300);
    loc[300] = '\0';
    memcpy(loc, "https://", 8);
    snprintf(in, sizeof in, "HTTP/1.1 302 Found\r\nLocation:   %s  \r\nLocation: /second\r\n\r\n", loc);
    r = feed_all(in, 0, 1);
    CHECK_EQ(r->st.status, 302);
    CHECK_EQ(r->st.location_len, 300);
    CHECK_EQ(strlen(r->st.location), STC_HTTP_LOCATION_MAX - 1);
    CHECK(memcmp(r->st.location, loc, STC_HTTP_LOCATION_MAX - 1) == 0);
    /* control bytes are shown as '?' */
    r = feed_all("HTTP/1.1 307 Temporary Redirect\r\nLocation: /a\x01" "b\r\nContent-Length: 0\r\n\r\n", 0, 0);
    CHECK_STR(r->st.location, "/a?b");
    /* other statuses are reported as they are */
    r = feed_all("HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\r\nnot found", 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->st.status, 404);
    CHECK_EQ(r->st.location_len, 0);
    CHECK_STR(r->st.location, "");
}

/* media_types - RFC 8461 3.2 wants "text/plain"; type and subtype are
 * case-insensitive, parameters ignored (RFC 9110 8.3.1) */
static void media_types(void)
{
    static const struct {
        const char *field;
        int mtype;
        const char *text;
    } v[] = {
        {"Content-Type: text/plain\r\n", STC_HTTP_MT_TEXT_PLAIN, "text/plain"},
        {"Content-Type: TEXT/Plain\r\n", STC_HTTP_MT_TEXT_PLAIN, "TEXT/Plain"},
        {"Content-Type:text/plain;charset=us-ascii\r\n", STC_HTTP_MT_TEXT_PLAIN, "text/plain"},
        {"Content-Type: text/plain ; charset=\"utf-8\"\r\n", STC_HTTP_MT_TEXT_PLAIN, "text/plain"},
        {"Content-Type: text/plain; charset=iso-8859-1; format=flowed\r\n", STC_HTTP_MT_TEXT_PLAIN, "text/plain"},
        {"content-type: \t text/plain \t\r\n", STC_HTTP_MT_TEXT_PLAIN, "text/plain"},
        {"Content-Type: text/html; charset=utf-8\r\n", STC_HTTP_MT_OTHER, "text/html"},
        {"Content-Type: application/octet-stream\r\n", STC_HTTP_MT_OTHER, "application/octet-stream"},
        {"Content-Type: text/plainx\r\n", STC_HTTP_MT_OTHER, "text/plainx"},
        {"Content-Type: text/plain garbage\r\n", STC_HTTP_MT_OTHER, "text/plain garbage"},
        {"Content-Type: text / plain\r\n", STC_HTTP_MT_OTHER, "text / plain"},
        {"Content-Type:\r\n", STC_HTTP_MT_OTHER, ""},
        {"Content-Type: ; charset=utf-8\r\n", STC_HTTP_MT_OTHER, ""},
        /* a repeat is noted; the first is kept */
        {"Content-Type: text/html\r\nContent-Type: text/plain\r\n", STC_HTTP_MT_OTHER, "text/html"},
        /* longer than the kept text: cut, and never text/plain */
        {"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n",
         STC_HTTP_MT_OTHER, "application/vnd.openxmlformats-officedocument.s"},
        {"X-Content-Type: text/plain\r\n", STC_HTTP_MT_NONE, ""},
    };
    char in[512];
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        const res_t *r;
        snprintf(in, sizeof in, "HTTP/1.1 200 OK\r\n%sContent-Length: 2\r\n\r\nok", v[i].field);
        r = feed_all(in, 0, 0);
        CHECK_EQ(r->rc, STC_OK);
        CHECK_EQ(r->st.mtype, v[i].mtype);
        CHECK_STR(r->st.mtype_text, v[i].text);
    }
    CHECK_EQ(R.st.notes, 0);
    feed_all("HTTP/1.1 200 OK\r\nContent-Type: a/b\r\nContent-Type: c/d\r\n\r\n", 0, 1);
    CHECK_EQ(R.st.notes, STC_HTTP_N_CT_REPEAT);
}

/* lengths - Content-Length = 1*DIGIT; RFC 9110 8.6 lets a recipient take
 * "a list of identical decimal values"; RFC 9112 6.3 (5): otherwise
 * "the message framing is invalid" */
static void lengths(void)
{
    static const char *const bad[] = {"+5", "5a", "0x10", "4 2", "-1", "5.0", "", " ", ",", "5;x"};
    const res_t *r;
    char in[256];
    size_t i;

    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok", 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->st.notes, STC_HTTP_N_CL_REPEAT);
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 002\r\n\r\nok", 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->st.notes, STC_HTTP_N_CL_REPEAT);
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 2,,2 ,\r\n\r\nok", 0, 0);
    CHECK_EQ(r->rc, STC_OK); /* empty list elements are ignored */
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!", 0, 0);
    CHECK_EQ(r->rc, STC_EPROTO);
    CHECK_EQ(r->st.result, STC_HTTP_R_LENGTH_CONFLICT);
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok!", 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_LENGTH_CONFLICT);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(in, sizeof in, "HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\nok", bad[i]);
        r = feed_all(in, 0, 0);
        CHECK_EQ(r->rc, STC_EPROTO);
        CHECK_EQ(r->st.result, STC_HTTP_R_BAD_LENGTH);
    }
    /* overflow-safe: 25 digits saturate, and exceed any bound */
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999999999\r\n\r\nok", 0, 0);
    CHECK_EQ(r->rc, STC_ETOOLONG);
    CHECK_EQ(r->st.content_length, UINT64_MAX);
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n", 0, 0);
    CHECK_EQ(r->st.content_length, UINT64_MAX);
    CHECK_EQ(r->st.result, STC_HTTP_R_BODY_TOO_LONG);
}

/* codings - Transfer-Encoding: we sent no TE, so "chunked" alone, once
 * and last, is what we read (RFC 9112 6.1, 7; RFC 9110 10.1.4) */
static void codings(void)
{
    static const char *const bad[] = {"gzip, chunked", "chunked, chunked", "chunked;x=1",
                                      "identity", "", "chunked, gzip", "chunk", "chunkedx",
                                      "chunked/1"};
    const res_t *r;
    char in[256];
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(in, sizeof in, "HTTP/1.1 200 OK\r\nTransfer-Encoding: %s\r\n\r\n0\r\n\r\n", bad[i]);
        r = feed_all(in, 0, 0);
        CHECK_EQ(r->rc, STC_EPROTO);
        CHECK_EQ(r->st.result, STC_HTTP_R_BAD_TE);
    }
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_BAD_TE); /* the two fields are one list */
    r = feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: , chunked ,\r\n\r\n0\r\n\r\n", 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    /* 6.3 (3): "the Transfer-Encoding overrides the Content-Length" */
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "2\r\nok\r\n0\r\n\r\n",
                 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK(body_is(r, "ok"));
    CHECK_EQ(r->st.notes, STC_HTTP_N_TE_AND_CL);
    /* even an invalid Content-Length, then */
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    /* 6.1: an HTTP/1.0 message with Transfer-Encoding: "the framing is faulty" */
    r = feed_all("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_BAD_TE);
}

/* interim - RFC 9110 15.2: "A client MUST be able to parse one or more 1xx
 * responses received prior to a final response"; their fields are not the
 * final response's */
static void interim(void)
{
    static char in[2048];
    const res_t *r;
    size_t k = 0;
    int i;

    r = feed_all("HTTP/1.1 100 Continue\r\n\r\n"
                 "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n"
                 "Content-Type: text/html\r\nLocation: /x\r\n\r\n"
                 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->st.interim, 2);
    CHECK_EQ(r->st.status, 200);
    CHECK_EQ(r->st.mtype, STC_HTTP_MT_NONE);
    CHECK_EQ(r->st.location_len, 0);
    CHECK(body_is(r, "ok"));
    /* a 101 switches protocols: we asked for no upgrade */
    r = feed_all("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_STATUS_101);
    /* a flood of 1xx is bounded */
    for (i = 0; i <= (int)STC_HTTP_INTERIM_MAX; i++)
        k += (size_t)snprintf(in + k, sizeof in - k, "HTTP/1.1 100 Continue\r\n\r\n");
    r = feed_all(in, 0, 0);
    CHECK_EQ(r->rc, STC_ETOOLONG);
    CHECK_EQ(r->st.result, STC_HTTP_R_TOO_MANY_INTERIM);
    /* ended after a 1xx: truncated, not empty */
    r = feed_all("HTTP/1.1 100 Continue\r\n\r\n", 0, 1);
    CHECK_EQ(r->st.result, STC_HTTP_R_TRUNCATED);
    /* 204 and 304 end with their head, whatever the fields say (RFC 9112
     * 6.3 (1)) */
    r = feed_all("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello", 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->blen, 0);
    CHECK_EQ(r->used, strlen("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"));
    r = feed_all("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->st.framing, STC_HTTP_FR_NONE);
}

/* status_lines - status-line = HTTP-version SP status-code SP [ reason ]
 * (RFC 9112 4); HTTP-name is case-sensitive; codes 100..599 (RFC 9110 15) */
static void status_lines(void)
{
    static const struct {
        const char *line;
        int result;
    } v[] = {
        {"HTTP/1.1 20 OK\r\n", STC_HTTP_R_STATUS_LINE},
        {"HTTP/1.1 2000 OK\r\n", STC_HTTP_R_STATUS_LINE},
        {"http/1.1 200 OK\r\n", STC_HTTP_R_STATUS_LINE},
        {"HTTP/1.1  200 OK\r\n", STC_HTTP_R_STATUS_LINE},
        {"HTTP/1.1 099 Low\r\n", STC_HTTP_R_STATUS_LINE},
        {"HTTP/1.1 600 High\r\n", STC_HTTP_R_STATUS_LINE},
        {"HTTP/1.1 200 OK\rX", STC_HTTP_R_STATUS_LINE},
        {"HTTP/1.1 200 O\x01K\r\n", STC_HTTP_R_STATUS_LINE},
        {"HTTP/1.1 200 O\x7fK\r\n", STC_HTTP_R_STATUS_LINE},
        {"HTTP/1 200 OK\r\n", STC_HTTP_R_STATUS_LINE},
        {"HTTP/1.x 200 OK\r\n", STC_HTTP_R_STATUS_LINE},
        {"HTTP/2 200\r\n", STC_HTTP_R_VERSION},
        {"HTTP/2.0 200 OK\r\n", STC_HTTP_R_VERSION},
        {"HTTP/0.9 200 OK\r\n", STC_HTTP_R_VERSION},
        {"<html><body>hello</body></html>\r\n", STC_HTTP_R_STATUS_LINE},
        {"\r\nHTTP/1.1 200 OK\r\n", STC_HTTP_R_STATUS_LINE},
        {"SSH-2.0-OpenSSH_9.2\r\n", STC_HTTP_R_STATUS_LINE},
    };
    const res_t *r;
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        r = feed_all(v[i].line, 0, 0);
        CHECK_EQ(r->rc, STC_EPROTO);
        CHECK_EQ(r->st.result, v[i].result);
    }
    /* no reason-phrase, no SP: tolerated and noted; HTTP/1.9 is 1.x */
    r = feed_all("HTTP/1.9 200\r\nContent-Length: 0\r\n\r\n", 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->st.minor, 9);
    CHECK_EQ(r->st.notes, STC_HTTP_N_NO_REASON);
    /* an empty reason, obs-text and HTAB in it */
    r = feed_all("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    r = feed_all("HTTP/1.1 200 Tr\xe8s\tbien\r\nContent-Length: 0\r\n\r\n", 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    /* a status line longer than STC_HTTP_LINE_MAX */
    {
        static char in[STC_HTTP_LINE_MAX + 64];
        memcpy(in, "HTTP/1.1 200 ", 13);
        memset(in + 13, 'k', STC_HTTP_LINE_MAX);
        in[13 + STC_HTTP_LINE_MAX] = '\0';
        r = feed_all(in, 0, 0);
        CHECK_EQ(r->st.result, STC_HTTP_R_LINE_TOO_LONG);
    }
}

/* fields - field-line = field-name ":" OWS field-value OWS (RFC 9112 5) */
static void fields(void)
{
    static const char *const bad[] = {
        "Content-Length : 2\r\n",  /* 5.1: "No whitespace is allowed between the field name and colon" */
        "Content-Length\r\n",      /* no colon */
        ": 2\r\n",                 /* no name */
        "Cont(ent: 2\r\n",         /* not a token */
        "X: a\rb\r\n",            /* bare CR */
        "X: a\r\r\n",
        "\x80X: 1\r\n",
    };
    static char in[STC_HTTP_LINE_MAX + 512];
    const res_t *r;
    size_t i, k;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(in, sizeof in, "HTTP/1.1 200 OK\r\n%s\r\n", bad[i]);
        r = feed_all(in, 0, 0);
        CHECK_EQ(r->rc, STC_EPROTO);
        CHECK_EQ(r->st.result, STC_HTTP_R_BAD_FIELD);
    }
    /* RFC 9110 5.5: "a recipient of CR, LF, or NUL within a field value
     * MUST either reject the message or replace each of those characters
     * with SP": refused */
    {
        static const char nul[] = "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n";
        r = feed_all_n((const uint8_t *)nul, sizeof nul - 1, 0, 0);
        CHECK_EQ(r->st.result, STC_HTTP_R_BAD_FIELD);
        CHECK_EQ(r->used, 22);
    }
    /* RFC 9112 2.2: whitespace before the first field line is refused */
    r = feed_all("HTTP/1.1 200 OK\r\n X: 1\r\n\r\n", 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_BAD_FIELD);
    /* 5.2: "A user agent that receives an obs-fold in a response message
     * ... MUST replace each received obs-fold with one or more SP octets" */
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Type:\r\n text/plain\r\n\tX-Ignored: x\r\n\r\n", 0, 1);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_STR(r->st.mtype_text, "text/plain X-Ignored: x");
    CHECK_EQ(r->st.mtype, STC_HTTP_MT_OTHER);
    CHECK_EQ(r->st.notes, STC_HTTP_N_OBS_FOLD);
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Type:\r\n  text/plain\r\n\r\n", 0, 1);
    CHECK_EQ(r->st.mtype, STC_HTTP_MT_TEXT_PLAIN);
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 0\r\n\r\n0123456789", 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_BAD_LENGTH); /* "1 0": not 1*DIGIT */
    r = feed_all("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n ,1\r\n\r\n0", 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    /* LF alone ends lines (RFC 9112 2.2: "a recipient MAY recognize a single
     * LF as a line terminator") */
    r = feed_all("HTTP/1.1 200 OK\nContent-Length: 2\nContent-Type: text/plain\n\nok", 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->st.notes, STC_HTTP_N_BARE_LF);
    CHECK(body_is(r, "ok"));
    /* header fields we do not read can hold anything printable */
    r = feed_all("HTTP/1.1 200 OK\r\nX-Weird: \x01\x7f\xff\t:;,\r\nContent-Length: 0\r\n\r\n", 0, 0);
    CHECK_EQ(r->rc, STC_OK);

    /* a field line of exactly STC_HTTP_LINE_MAX bytes passes, one more
     * does not: "longer is an error of the response" */
    k = (size_t)snprintf(in, sizeof in, "HTTP/1.1 200 OK\r\nX-Long: ");
    memset(in + k, 'a', STC_HTTP_LINE_MAX - 8);
    k += STC_HTTP_LINE_MAX - 8;
    memcpy(in + k, "\r\nContent-Length: 0\r\n\r\n", 24);
    r = feed_all(in, 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    k = (size_t)snprintf(in, sizeof in, "HTTP/1.1 200 OK\r\nX-Long: ");
    memset(in + k, 'a', STC_HTTP_LINE_MAX - 7);
    k += STC_HTTP_LINE_MAX - 7;
    memcpy(in + k, "\r\nContent-Length: 0\r\n\r\n", 24);
    r = feed_all(in, 0, 0);
    CHECK_EQ(r->rc, STC_ETOOLONG);
    CHECK_EQ(r->st.result, STC_HTTP_R_LINE_TOO_LONG);
    /* a name alone that long */
    memcpy(in, "HTTP/1.1 200 OK\r\n", 17);
    memset(in + 17, 'N', STC_HTTP_LINE_MAX + 1);
    memcpy(in + STC_HTTP_LINE_MAX + 18, ": 1\r\n\r\n", 8);
    r = feed_all(in, 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_LINE_TOO_LONG);

    /* at most STC_HTTP_FIELDS_MAX fields */
    for (i = STC_HTTP_FIELDS_MAX; i <= STC_HTTP_FIELDS_MAX + 1; i++) {
        size_t j;
        k = (size_t)snprintf(in, sizeof in, "HTTP/1.1 200 OK\r\n");
        for (j = 0; j + 1 < i; j++)
            k += (size_t)snprintf(in + k, sizeof in - k, "X-%zu: v\r\n", j);
        k += (size_t)snprintf(in + k, sizeof in - k, "Content-Length: 0\r\n\r\n");
        r = feed_all(in, 0, 0);
        CHECK_EQ(r->rc, i == STC_HTTP_FIELDS_MAX ? STC_OK : STC_ETOOLONG);
        if (i > STC_HTTP_FIELDS_MAX)
            CHECK_EQ(r->st.result, STC_HTTP_R_TOO_MANY_FIELDS);
    }
    /* and as many trailer fields */
    k = (size_t)snprintf(in, sizeof in, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
    for (i = 0; i <= STC_HTTP_FIELDS_MAX; i++)
        k += (size_t)snprintf(in + k, sizeof in - k, "T%zu: v\r\n", i);
    snprintf(in + k, sizeof in - k, "\r\n");
    r = feed_all(in, 0, 0);
    CHECK_EQ(r->st.result, STC_HTTP_R_TOO_MANY_FIELDS);
}

/* real_world - heads as common servers send them */
static void real_world(void)
{
    const res_t *r;

    /* a static host behind a CDN: long security headers, a chunked body */
    r = feed_all("HTTP/1.1 200 OK\r\n"
                 "Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
                 "Content-Type: text/plain; charset=utf-8\r\n"
                 "Transfer-Encoding: chunked\r\n"
                 "Connection: close\r\n"
                 "Strict-Transport-Security: max-age=31536000; includeSubDomains; preload\r\n"
                 "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; "
                 "img-src data:; frame-ancestors 'none'; base-uri 'none'\r\n"
                 "Vary: Accept-Encoding\r\n"
                 "X-Content-Type-Options: nosniff\r\n"
                 "\r\n"
                 "3e\r\nversion: STSv1\nmode: testing\nmx: *.mail.example.net\nmax_age: 6\r\n"
                 "5\r\n04800\r\n"
                 "1\r\n\n\r\n"
                 "0\r\n\r\n",
                 0, 0);
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->st.mtype, STC_HTTP_MT_TEXT_PLAIN);
    CHECK(body_is(r, "version: STSv1\nmode: testing\nmx: *.mail.example.net\nmax_age: 604800\n"));
}

/* sticky - after an error nothing more is read; a stopping callback */
static void sticky(void)
{
    static uint8_t buf[BODY_CAP];
    stc_http_t st;
    size_t used = 99;

    stc_http_init(&st, 0);
    CHECK_EQ(stc_http_feed(&st, (const uint8_t *)"HTTP/9", 6, &used, NULL, NULL), STC_EPROTO);
    CHECK_EQ(used, 6);
    CHECK_EQ(stc_http_feed(&st, (const uint8_t *)"HTTP/1.1 200 OK\r\n", 17, &used, NULL, NULL),
             STC_EPROTO);
    CHECK_EQ(used, 0);
    CHECK_EQ(stc_http_eof(&st), STC_EPROTO);
    CHECK_EQ(st.result, STC_HTTP_R_VERSION);
    /* complete: further bytes are not consumed */
    stc_http_init(&st, 0);
    CHECK_EQ(stc_http_feed(&st, (const uint8_t *)"HTTP/1.1 204 x\r\n\r\n", 19, &used, NULL, NULL), STC_OK);
    CHECK_EQ(stc_http_feed(&st, (const uint8_t *)"more", 4, &used, NULL, NULL), STC_OK);
    CHECK_EQ(used, 0);
    CHECK_EQ(stc_http_eof(&st), STC_OK);
    /* a NULL callback drops the body but counts it */
    stc_http_init(&st, 0);
    {
        static const char in[] = "HTTP/1.1 200 x\r\nContent-Length: 2\r\n\r\nok";
        CHECK_EQ(stc_http_feed(&st, (const uint8_t *)in, sizeof in - 1, &used, NULL, NULL), STC_OK);
    }
    CHECK_EQ(st.body_len, 2);
    /* the callback stops the read: its error comes back, sticky (how many
     * bytes it saw depends on the pieces, so this is fed one way only) */
    R.body = buf;
    run(&R, (const uint8_t *)"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", 50, 1, 0, 0, 0, 4);
    CHECK_EQ(R.rc, STC_EINVAL);
    CHECK_EQ(R.st.result, STC_HTTP_R_STOPPED);
    CHECK_EQ(R.blen, 4);
    CHECK_EQ(R.used, 39 + 4); /* the head, and the four bytes it took */
    CHECK_EQ(stc_http_eof(&R.st), STC_EINVAL);
    CHECK_STR(stc_http_result_name(STC_HTTP_R_BODY_TOO_LONG), "body_too_long");
    CHECK_STR(stc_http_result_name(200), "unknown");
}

int main(void)
{
    unit_name = "http";
    RUN(content_length);
    RUN(close_delimited);
    RUN(chunked);
    RUN(bounds);
    RUN(redirects);
    RUN(media_types);
    RUN(lengths);
    RUN(codings);
    RUN(interim);
    RUN(status_lines);
    RUN(fields);
    RUN(real_world);
    RUN(sticky);
    printf("http: %d vectors, each whole, byte by byte and split at every offset\n", vectors);
    return unit_done();
}
