/* fuzz_cert.c - libFuzzer target: a peer certificate chain as the server
 * sends it, judged by stc_cert_judge (wolfSSL's DER parser, our path
 * building, name matching, dates, key and signature checks).
 *
 * Input: records of [2-byte big-endian length][DER]; the first
 * STC_CHAIN_MAX are judged, the rest only counted (as the verify callback
 * does). Also the SubjectPublicKeyInfo slice (DANE selector 1).
 * The trust anchor is the test CA (tests/vectors/certs/ca.pem, read once
 * from the working directory; without it the chain is judged anchorless).
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t arena[16u << 20];
static int ready;

/* sink - findings go nowhere; the point is not crashing */
static void sink(void *ctx, unsigned code, int32_t detail)
{
    unsigned *n = (unsigned *)ctx;
    if (code >= STC_F_COUNT)
        abort(); /* a code outside the table would break every report */
    (void)detail;
    (*n)++;
}

/* setup - arena, wolfSSL and the anchor, once */
static void setup(void)
{
    static uint8_t pem[16384];
    size_t n = 0;
    FILE *f = fopen("tests/vectors/certs/ca.pem", "rb");
    if (f) {
        n = fread(pem, 1, sizeof pem, f);
        fclose(f);
    }
    if (stc_arena_init(arena, sizeof arena) != STC_OK ||
        stc_tls_global_init(n ? pem : NULL, n, STC_TA_PEM) != STC_OK)
        abort();
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static stc_session_t s;
    stc_der_t ch[STC_CHAIN_MAX];
    stc_arena_stats_t before, after;
    const uint8_t *spki;
    size_t slen;
    unsigned nf = 0, n = 0, sent = 0, i;
    size_t off = 0;

    if (!ready)
        setup();
    /* records past STC_CHAIN_MAX are counted as sent, as the verify
     * callback counts what wolfSSL received */
    while (off + 2 <= size) {
        size_t len = ((size_t)data[off] << 8) | data[off + 1];
        off += 2;
        if (len > size - off)
            len = size - off;
        if (n < STC_CHAIN_MAX) {
            ch[n].p = data + off;
            ch[n].n = len;
            n++;
        }
        sent++;
        off += len;
    }
    for (i = 0; i < n; i++) /* the DER walk stays inside its input */
        if (stc_cert_spki(ch[i].p, ch[i].n, &spki, &slen) == STC_OK &&
            (spki < ch[i].p || slen > ch[i].n || spki + slen > ch[i].p + ch[i].n))
            abort();
    stc_arena_stats(&before);
    memset(&s, 0, sizeof s);
    stc_cert_judge(ch, n, sent, "mx.example.test", 1748736000, 14, &s, sink, &nf);
    stc_cert_judge(ch, n, sent, "192.0.2.25", 1748736000, 14, &s, sink, &nf);
    stc_arena_stats(&after);
    if (after.in_use != before.in_use)
        abort(); /* the judgement leaked arena memory */
    if (memchr(s.subject, 0, sizeof s.subject) == NULL ||
        memchr(s.issuer, 0, sizeof s.issuer) == NULL)
        abort(); /* unterminated text would overrun every report */
    if (s.chain.n > STC_CHAIN_MAX || (s.chain.linked >> (s.chain.n ? s.chain.n : 1)))
        abort(); /* a link beyond the certificates judged */
    return 0;
}
