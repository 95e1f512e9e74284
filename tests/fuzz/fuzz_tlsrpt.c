/* fuzz_tlsrpt.c - libFuzzer target for the _smtp._tls TXT record
 * (src/tlsrpt.c) and the URI checks
 *
 * The input is read as one TXT record, split at a point derived from the
 * input into two records offered one after the other, and its pieces are
 * checked as rua URIs on their own.
 * Invariants (abort() on breach): the return is STC_OK exactly when no
 * fatal problem is set; the URI counts add up (mailto + https <= rua, = rua
 * when none was bad, >= 1 when the record is valid); the kept URI is
 * NUL-terminated and no longer than counted; the URI check's answer fits
 * its scheme; the selection agrees with the classes and with parsing the
 * chosen record alone.
 */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_rec - one parse's invariants */
static void check_rec(size_t n, int rc, const stc_tlsrpt_rec_t *r)
{
    if ((rc == STC_OK) != !(r->problems & STC_TXT_P_FATAL))
        abort();
    if ((uint32_t)r->mailto + r->https > r->rua)
        abort();
    if (rc == STC_OK && (r->rua == 0 || r->mailto + r->https == 0))
        abort(); /* a usable record has a usable URI */
    if ((r->problems & (STC_TXT_P_BAD_URI | STC_TXT_P_SCHEME)) == 0 && !(r->problems & STC_TXT_P_SYNTAX) &&
        !(r->problems & STC_TXT_P_DUP_RUA) && (uint32_t)r->mailto + r->https != r->rua)
        abort(); /* every URI counted was judged */
    if (memchr(r->uri, 0, sizeof r->uri) == NULL || strlen(r->uri) > r->uri_len)
        abort();
    if (r->rua == 0 && r->uri_len != 0)
        abort();
    if ((r->problems & STC_TXT_P_SYNTAX) && r->err_off > n)
        abort();
}

/* check_uri - the URI check's answer fits the text */
static void check_uri(const uint8_t *u, size_t n)
{
    int k = stc_tlsrpt_uri_check((const char *)u, n);

    if (k == 1 && !(n >= 7 && stc_c_ieqn((const char *)u, "mailto:", 7)))
        abort();
    if (k == 2 && !(n >= 8 && stc_c_ieqn((const char *)u, "https://", 8)))
        abort();
    if (k < -1 || k > 2 || (k == 1 && memchr(u, '@', n) == NULL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    stc_tlsrpt_rec_t r, r2;
    stc_tlsrpt_txt_t t;
    uint32_t h = 2166136261u;
    size_t i, at;
    int rc, c1, c2, st;

    rc = stc_tlsrpt_parse(data, size, &r);
    check_rec(size, rc, &r);
    if (rc == STC_OK && stc_txtsel_class("v=TLSRPTv1", data, size, NULL) != STC_TXT_MATCH)
        abort();
    for (i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    at = size ? h % (size + 1) : 0;
    check_uri(data, size);
    check_uri(data, at);
    check_uri(data + at, size - at);

    stc_tlsrpt_txt_init(&t);
    c1 = stc_tlsrpt_txt_offer(&t, data, at);
    c2 = stc_tlsrpt_txt_offer(&t, data + at, size - at);
    if (t.sel.matched != (c1 == STC_TXT_MATCH) + (c2 == STC_TXT_MATCH))
        abort();
    st = stc_tlsrpt_txt_status(&t);
    if (t.sel.matched == 1) {
        rc = c1 == STC_TXT_MATCH ? stc_tlsrpt_parse(data, at, &r2)
                                 : stc_tlsrpt_parse(data + at, size - at, &r2);
        if (memcmp(&r2, &t.rec, sizeof r2) != 0)
            abort();
        if ((rc == STC_OK) != (st == STC_TXT_ONE_VALID))
            abort();
    } else if (st != (t.sel.matched ? STC_TXT_MULTIPLE : STC_TXT_NONE)) {
        abort();
    }
    return 0;
}
