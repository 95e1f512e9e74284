/* fuzz_tls_hello.c - libFuzzer target for the probe answer reader and the
 * ClientHello builder (src/tls_hello_rd.c, src/tls_hello.c)
 *
 * The input is a server's answer. It is read three ways: whole in one
 * call, one byte per call, and whole followed by EOF. Invariants (abort()
 * on breach): *used <= n and EAGAIN consumed everything; only the
 * documented codes come back; a finished answer has a kind and a
 * terminated, printable text; certificate bytes arrive in order, within
 * their declared length, and add up to the lengths the reader reports;
 * the byte-at-a-time reading agrees with the whole one in every result
 * field; EOF always ends the reading; results are sticky.
 * Then the first bytes pick a ClientHello spec (flags, versions, suites
 * from the table, SNI from the input) that is built into a 640-byte
 * buffer: it must fit or fail cleanly, never write past the buffer, and
 * its record and handshake lengths must agree with what was written.
 * Last, the answer goes to the probe planner (src/probe.c) as the reply to
 * every probe it asks for, again and again: an accepted bit is always a
 * tested one, every hello it asks for builds, and it ends within 64 probes
 * even when a server answers everything the same way.
 */
#include "probe.h"
#include "tls_hello.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the certificate callback saw. */
typedef struct seen {
    uint32_t next[STC_HELLO_CERTS_MAX]; /* next offset expected per index */
    uint32_t total[STC_HELLO_CERTS_MAX];
    unsigned last;                      /* highest index seen + 1 */
} seen_t;

/* on_cert - chunks of one certificate arrive in order and fit */
static void on_cert(void *ctx, unsigned index, uint32_t offset, const uint8_t *chunk, size_t n,
                    uint32_t total)
{
    seen_t *s = (seen_t *)ctx;
    volatile uint8_t sink = 0;

    if (n == 0 || total == 0 || offset + n > total || offset + n < offset)
        abort();
    if (index < s->last - (s->last ? 1 : 0))
        abort(); /* an earlier certificate again */
    if (index >= s->last)
        s->last = index + 1;
    if (index < STC_HELLO_CERTS_MAX) {
        if (offset != s->next[index] || (offset && total != s->total[index]))
            abort();
        s->next[index] = offset + (uint32_t)n;
        s->total[index] = total;
    }
    sink ^= chunk[0] ^ chunk[n - 1]; /* the chunk is readable */
    (void)sink;
}

/* check - invariants of one call's result */
static void check(const stc_hello_rd_t *r, int rc, size_t used, size_t n)
{
    size_t i;

    if (used > n || (rc == STC_EAGAIN && used != n))
        abort();
    if (rc != STC_EAGAIN && rc != STC_OK && rc != STC_EPROTO && rc != STC_ETOOLONG)
        abort();
    if (r->ans.bytes > STC_HELLO_ANSWER_MAX)
        abort();
    if (rc == STC_OK && (r->ans.kind == STC_ANS_NONE || r->ans.kind > STC_ANS_TEXT))
        abort();
    if (rc == STC_EPROTO && (r->ans.why == STC_HW_NONE || r->ans.why == STC_HW_TRUNCATED))
        abort();
    if (rc == STC_ETOOLONG && r->ans.limit == STC_HLIM_NONE)
        abort();
    for (i = 0; i < sizeof r->ans.text && r->ans.text[i]; i++)
        if ((uint8_t)r->ans.text[i] < 0x20 || (uint8_t)r->ans.text[i] >= 0x7f)
            abort();
    if (i == sizeof r->ans.text)
        abort(); /* not terminated */
    if (r->ans.kind == STC_ANS_HRR && !(r->ans.flags & STC_HA_HRR))
        abort();
    if (r->ans.flags & STC_HA_RENEG_OK && !(r->ans.flags & STC_HA_RENEG))
        abort();
}

/* certs_agree - the callback saw exactly the certificates reported */
static void certs_agree(const stc_hello_rd_t *r, const seen_t *s, int done)
{
    unsigned i;
    for (i = 0; i < STC_HELLO_CERTS_MAX && i < r->ans.ncerts; i++) {
        if (s->next[i] > r->ans.cert_len[i])
            abort();
        if (done && s->next[i] != r->ans.cert_len[i])
            abort(); /* a complete answer streamed every byte */
    }
}

/* build - a ClientHello chosen by the input; it fits or fails cleanly */
static void build(const uint8_t *data, size_t size)
{
    static uint16_t ids[400];
    static const uint16_t groups[] = {STC_GROUP_X25519, STC_GROUP_P256, STC_GROUP_FFDHE2048};
    static const uint16_t versions[] = {STC_V_TLS13, STC_V_TLS12};
    uint8_t out[640 + 32], rnd[32], share[32];
    char sni[300];
    stc_hello_spec_t s;
    stc_wbuf_t w;
    size_t n, i, k;
    int rc;

    if (size < 8)
        return;
    memset(rnd, data[0], sizeof rnd);
    memset(share, data[1], sizeof share);
    n = stc_suites_select(ids, 400, ((uint32_t)data[2] << 8 | data[3]) & 0x3fff,
                          (uint32_t)data[4] << 6 & 0x3fff);
    if (n > 400)
        n = 400;
    memset(&s, 0, sizeof s);
    s.record_version = (uint16_t)(0x0300 | (data[5] & 3));
    s.client_version = (uint16_t)(0x0300 | (data[5] >> 2 & 3));
    s.random = rnd;
    s.suites = ids;
    s.nsuites = n;
    s.groups = groups;
    s.ngroups = 1 + data[6] % 3;
    s.versions = versions;
    s.nversions = 1 + (data[6] >> 2) % 2;
    s.x25519 = (data[6] & 0x80) ? share : NULL;
    s.flags = (uint32_t)data[7] << 8 | data[6];
    k = size - 8 < sizeof sni - 1 ? size - 8 : sizeof sni - 1;
    memcpy(sni, data + 8, k);
    sni[k] = '\0';
    s.sni = sni;
    memset(out, 0xee, sizeof out);
    stc_wbuf_init(&w, out, 640);
    rc = stc_hello_build(&w, &s);
    for (i = 640; i < sizeof out; i++)
        if (out[i] != 0xee)
            abort(); /* written past the buffer */
    if (rc == STC_OK) {
        size_t rec = (size_t)out[3] << 8 | out[4];
        size_t hs = (size_t)out[6] << 16 | (size_t)out[7] << 8 | out[8];
        if (w.bad || w.off < 5 + 4 + 38 || rec != w.off - 5 || hs != rec - 4 || out[0] != 22 ||
            out[5] != 1)
            abort();
    } else if (rc != STC_ETOOLONG && rc != STC_EINVAL) {
        abort();
    } else if (rc == STC_ETOOLONG && !w.bad) {
        abort();
    }
}

/* plan - the planner under one repeated answer: bounded, consistent */
static void plan(const stc_hello_ans_t *ans, const uint8_t *data, size_t size)
{
    static const uint16_t mains[] = {0, 0x0303, 0x0304, 0x0302};
    static stc_addr_result_t a;
    stc_probe_run_t r;
    stc_options_t o;
    const stc_probe_facts_t *f = &a.probe;
    uint8_t buf[1024], rnd[64];
    unsigned k, n;

    memset(&a, 0, sizeof a);
    memset(&r, 0, sizeof r);
    memset(rnd, 7, sizeof rnd);
    stc_options_default(&o);
    o.max_sessions = 255;
    stc_addr_checks_reset(&a);
    a.sessions = 1;
    a.tls_version = mains[size ? data[0] & 3 : 0];
    a.suite = size > 1 ? (uint16_t)(data[1] << 8 | (size > 2 ? data[2] : 0)) : 0xc02f;
    a.group = 29;
    if (!a.tls_version)
        stc_add_addr_finding(&a, STC_F_TLS_HANDSHAKE, -313);
    r.greet_ms = (uint16_t)(size > 3 && (data[3] & 1) ? 5000 : 5);
    if (!stc_probe_begin(&r, &a, &o, size > 3 ? data[3] & 2 : 1))
        return;
    for (n = 0; (k = stc_probe_next(&r, f)) != STC_PK_NONE; n++) {
        stc_wbuf_t w;
        unsigned out = size > 4 ? data[4 + (n % (size - 4))] % (STC_PO_OURS + 1) : STC_PO_ANSWER;
        if (n >= 64)
            abort(); /* a planner that never ends */
        r.cur = (uint8_t)k;
        r.used++;
        stc_wbuf_init(&w, buf, sizeof buf);
        if (stc_probe_hello(&r, f, k, "mx.example.test", rnd, &w) != STC_OK || w.bad)
            abort();
        stc_probe_answer(&r, &a.probe, k, out, ans);
        if (out == STC_PO_BUSY && !r.cut)
            r.used--; /* as task.c: the same question again */
        if ((f->versions & ~f->versions_tested) || (f->classes & ~f->classes_tested) ||
            (f->groups & ~f->groups_tested) || (f->flags & ~f->flags_tested))
            abort();
    }
    stc_probe_finish(&r, &a);
    if (a.nfindings > STC_MAX_FINDINGS)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static stc_hello_rd_t a, b;
    seen_t sa, sb;
    size_t used, i, total = 0;
    int ra, rb = STC_EAGAIN, re;

    /* 1. whole */
    memset(&sa, 0, sizeof sa);
    stc_hello_rd_init(&a, on_cert, &sa);
    ra = stc_hello_rd_feed(&a, data, size, &used);
    check(&a, ra, used, size);
    certs_agree(&a, &sa, ra == STC_OK && a.ans.kind == STC_ANS_HELLO);
    if (size && ra == STC_EAGAIN && used != size)
        abort();

    /* 2. one byte at a time: the same result in every field */
    memset(&sb, 0, sizeof sb);
    stc_hello_rd_init(&b, on_cert, &sb);
    for (i = 0; i < size && rb == STC_EAGAIN; i++) {
        size_t u = 0;
        rb = stc_hello_rd_feed(&b, data + i, 1, &u);
        check(&b, rb, u, 1);
        total += u;
    }
    if (size && (rb != ra || total != used || memcmp(&a.ans, &b.ans, sizeof a.ans) != 0 ||
                 memcmp(&sa, &sb, sizeof sa) != 0))
        abort();

    /* 3. EOF: always an end; then sticky */
    re = stc_hello_rd_eof(&a);
    if (re == STC_EAGAIN)
        abort();
    if (ra != STC_EAGAIN && re != ra)
        abort();
    if (ra == STC_EAGAIN && re != STC_OK && re != STC_ECLOSED && re != STC_ERESET)
        abort();
    if (re == STC_ECLOSED && size != 0)
        abort();
    if (re == STC_ERESET && a.ans.why != STC_HW_TRUNCATED)
        abort();
    if (stc_hello_rd_feed(&a, data, size, &used) != re || used != 0 || stc_hello_rd_eof(&a) != re)
        abort();

    /* 4. the builder */
    build(data, size);

    /* 5. the planner, fed this answer for everything it asks */
    plan(&a.ans, data, size);
    return 0;
}
