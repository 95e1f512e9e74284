/* fuzz_http.c - libFuzzer target for the HTTP response reader (src/http.c)
 *
 * The input is the bytes a policy host sends. It is read three ways: whole,
 * split in two at a point derived from the input (so fragmentation is
 * fuzzed too), and, for inputs up to 4 KB, one byte at a time; each run
 * ends with the EOF. The body bound is derived from the input as well
 * (the default 64 KB, or 1..300 bytes). The body streams into the MTA-STS
 * policy parser, as the engine will do.
 * Invariants (abort() on breach): every way gives the same result, fields,
 * body bytes and policy; the callback never sees more than body_max bytes
 * in all and exactly body_len; a result is OK exactly when the return is;
 * text fields are NUL-terminated within their arrays; used <= size.
 */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What one way of reading produced. */
typedef struct run {
    stc_http_t st;
    stc_sts_policy_t pol;
    int rc, prc;
    size_t used, blen;
    uint32_t bhash;
} run_t;

/* fnv - FNV-1a, continued from h */
static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* on_body - hash and count the body, then give it to the policy parser */
static int on_body(void *ctx, const uint8_t *p, size_t n)
{
    run_t *r = (run_t *)ctx;

    if (n == 0)
        abort(); /* never called empty */
    r->blen += n;
    if (r->blen > r->st.body_max)
        abort();
    r->bhash = fnv(r->bhash, p, n);
    return stc_sts_policy_feed(&r->pol, p, n);
}

/* feed - read data in pieces of `piece` (0: whole) or split at `split` */
static void feed(run_t *r, const uint8_t *data, size_t size, uint32_t max, size_t piece,
                 size_t split)
{
    size_t off = 0;

    memset(r, 0, sizeof *r);
    r->bhash = 2166136261u;
    stc_http_init(&r->st, max);
    stc_sts_policy_init(&r->pol, NULL, NULL);
    r->rc = STC_EAGAIN;
    while (off < size && r->rc == STC_EAGAIN) {
        size_t k = size - off, u = 0;
        if (piece && k > piece)
            k = piece;
        if (split && off < split && k > split - off)
            k = split - off;
        r->rc = stc_http_feed(&r->st, data + off, k, &u, on_body, r);
        if (u > k || (r->rc == STC_EAGAIN && u != k))
            abort();
        r->used += u;
        off += k;
    }
    if (r->rc == STC_EAGAIN)
        r->rc = stc_http_eof(&r->st);
    r->prc = stc_sts_policy_end(&r->pol);
}

/* check - one run's invariants */
static void check(const run_t *r, size_t size)
{
    const stc_http_t *s = &r->st;

    if (r->used > size || r->blen != s->body_len || s->body_len > s->body_max)
        abort();
    if ((r->rc == STC_OK) != (s->result == STC_HTTP_R_OK))
        abort();
    if (r->rc != STC_OK && r->rc != STC_EPROTO && r->rc != STC_ETOOLONG)
        abort();
    if (s->result == STC_HTTP_R_NONE || s->result > STC_HTTP_R_STOPPED ||
        s->result == STC_HTTP_R_STOPPED)
        abort();
    if ((s->result == STC_HTTP_R_BODY_TOO_LONG || s->result == STC_HTTP_R_LINE_TOO_LONG ||
         s->result == STC_HTTP_R_TOO_MANY_FIELDS || s->result == STC_HTTP_R_TOO_MANY_INTERIM) !=
        (r->rc == STC_ETOOLONG))
        abort();
    if (memchr(s->location, 0, sizeof s->location) == NULL ||
        memchr(s->mtype_text, 0, sizeof s->mtype_text) == NULL)
        abort();
    if (strlen(s->location) > s->location_len)
        abort();
    if (s->status != 0 && (s->status < 200 || s->status > 599))
        abort(); /* the final status; 1xx are interim */
    if (s->mtype == STC_HTTP_MT_TEXT_PLAIN && !stc_c_ieq(s->mtype_text, strlen(s->mtype_text), "text/plain"))
        abort();
    if (s->body_len > 0 && !s->head_done)
        abort();
    if (r->rc == STC_OK && s->framing == STC_HTTP_FR_LENGTH && s->body_len != s->content_length)
        abort();
    if ((r->prc == STC_OK) != !(r->pol.problems & STC_STS_P_FATAL))
        abort();
    if (r->pol.mx_bad > r->pol.mx_count)
        abort();
}

/* same - two runs agree */
static void same(const run_t *a, const run_t *b)
{
    const stc_http_t *x = &a->st, *y = &b->st;

    if (a->rc != b->rc || a->used != b->used || a->blen != b->blen || a->bhash != b->bhash ||
        x->result != y->result || x->status != y->status || x->mtype != y->mtype ||
        x->framing != y->framing || x->notes != y->notes || x->content_length != y->content_length ||
        x->location_len != y->location_len || strcmp(x->location, y->location) != 0 ||
        strcmp(x->mtype_text, y->mtype_text) != 0 || x->interim != y->interim ||
        x->minor != y->minor || x->head_done != y->head_done)
        abort();
    if (a->prc != b->prc || a->pol.problems != b->pol.problems || a->pol.mode != b->pol.mode ||
        a->pol.max_age != b->pol.max_age || a->pol.lines != b->pol.lines ||
        a->pol.mx_count != b->pol.mx_count)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static run_t whole, split, bytes;
    uint32_t h = fnv(2166136261u, data, size);
    uint32_t max = (h % 3 == 0) ? 0 : 1 + (h >> 8) % 300;
    size_t at = size ? (h >> 4) % size : 0;

    feed(&whole, data, size, max, 0, 0);
    check(&whole, size);
    feed(&split, data, size, max, 0, at);
    check(&split, size);
    same(&whole, &split);
    if (size <= 4096) {
        feed(&bytes, data, size, max, 1, 0);
        check(&bytes, size);
        same(&whole, &bytes);
    }
    return 0;
}
