/* fuzz_cert.c - libFuzzer target: a peer certificate chain as the server
 * sends it, judged by stc_cert_judge (wolfSSL's DER parser, our path
 * building, name matching, dates, key and signature checks).
 *
 * Input: up to STC_CHAIN_MAX records of [2-byte big-endian length][DER].
 * The trust anchor is the test CA (tests/vectors/certs/ca.pem, read once
 * from the working directory; without it the chain is judged anchorless).
 */
#include "stc_int.h"

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
    static stc_chain_t ch;
    stc_cert_info_t info;
    stc_arena_stats_t before, after;
    unsigned nf = 0;
    size_t off = 0;

    if (!ready)
        setup();
    memset(&ch, 0, sizeof ch);
    while (off + 2 <= size && ch.n < STC_CHAIN_MAX) {
        size_t len = ((size_t)data[off] << 8) | data[off + 1];
        size_t used = 0;
        off += 2;
        if (len > size - off)
            len = size - off;
        if (ch.n > 0)
            used = (size_t)ch.off[ch.n - 1] + ch.len[ch.n - 1];
        if (used + len > sizeof ch.buf) {
            ch.truncated = 1;
            break;
        }
        memcpy(ch.buf + used, data + off, len);
        ch.off[ch.n] = (uint16_t)used;
        ch.len[ch.n] = (uint16_t)len;
        ch.n++;
        off += len;
    }
    stc_arena_stats(&before);
    memset(&info, 0, sizeof info);
    stc_cert_judge(&ch, "mx.example.test", 1748736000, 14, &info, sink, &nf);
    stc_cert_judge(&ch, "192.0.2.25", 1748736000, 14, &info, sink, &nf);
    stc_arena_stats(&after);
    if (after.in_use != before.in_use)
        abort(); /* the judgement leaked arena memory */
    if (memchr(info.subject, 0, sizeof info.subject) == NULL ||
        memchr(info.issuer, 0, sizeof info.issuer) == NULL)
        abort(); /* unterminated text would overrun every report */
    return 0;
}
