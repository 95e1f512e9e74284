/* txtrec.c - what the MTA-STS and TLS-RPT TXT records share
 *
 * Both records (RFC 8461 3.1, RFC 8460 3) are a version tag followed by
 * "name=value" fields separated by *WSP ";" *WSP, with an optional
 * trailing delimiter:
 *
 *     record      = version 1*(field-delim field) [field-delim]
 *     field-delim = *WSP ";" *WSP
 *     ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *     ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)
 *
 * and both RFCs pick the record the same way: "records that do not begin
 * with "v=STSv1;" are discarded. If the number of resulting records is not
 * one, ..." (RFC 8461 3.1; RFC 8460 3 with "v=TLSRPTv1;").
 *
 * Syntax is checked strictly, as the ABNF reads: RFC 8461 3.1 says that if
 * "the resulting record is syntactically invalid, senders MUST assume the
 * recipient domain does not have an available MTA-STS Policy".
 */
#include "policy.h"

/* ---- selection ---------------------------------------------------------- */

/* stc_txtsel_init - see policy.h */
void stc_txtsel_init(stc_txtsel_t *s)
{
    memset(s, 0, sizeof *s);
}

/* stc_txtsel_class - see policy.h. A near miss is a record that, once
 * leading whitespace is skipped, begins with the version minus its number
 * ("v=STS", "v=TLSRPT") in any case: it is discarded as the RFCs say, and
 * the report can say why. */
int stc_txtsel_class(const char *version, const uint8_t *txt, size_t n, uint8_t *why)
{
    size_t vl = strlen(version), stem = vl - 2, off;
    int lead, c;
    uint8_t w;
    stc_buf_t b;

    stc_buf_init(&b, txt, n);
    lead = stc_txt_wsp(&b) > 0;
    off = b.off;
    if (stc_buf_left(&b) < stem || !stc_c_ieqn((const char *)txt + off, version, stem))
        return STC_TXT_OTHER;
    if (lead)
        w = STC_TXT_NEAR_SPACE;
    else if (memcmp(txt + off, version, stem) != 0)
        w = STC_TXT_NEAR_CASE; /* RFC 7405 %s"v=STSv1": case-sensitive */
    else if (stc_buf_left(&b) < vl || memcmp(txt + off + stem, version + stem, vl - stem) != 0)
        w = STC_TXT_NEAR_VERSION;
    else {
        (void)stc_buf_skip(&b, vl);
        c = stc_txt_peek(&b);
        if (c >= 0 && (stc_c_alnum((unsigned)c) || c == '.'))
            w = STC_TXT_NEAR_VERSION; /* "v=STSv10", "v=STSv1.1" */
        else {
            /* "begin with "v=STSv1;"": the ABNF's own delimiter allows
             * WSP before the ";", so "v=STSv1 ;" is taken too (the record
             * parser notes it: a sender reading the sentence literally
             * discards it) */
            (void)stc_txt_wsp(&b);
            if (stc_txt_peek(&b) == ';')
                return STC_TXT_MATCH;
            w = STC_TXT_NEAR_NO_SEMI;
        }
    }
    if (why)
        *why = w;
    return STC_TXT_NEAR;
}

/* stc_txtsel_offer - see policy.h */
int stc_txtsel_offer(stc_txtsel_t *s, const char *version, const uint8_t *txt, size_t n)
{
    uint8_t why = 0;
    int cls = stc_txtsel_class(version, txt, n, &why);

    if (cls == STC_TXT_MATCH) {
        if (s->matched == 0)
            s->chosen = s->offered;
        if (s->matched < UINT16_MAX)
            s->matched++;
    } else if (cls == STC_TXT_NEAR) {
        if (s->near == 0) {
            s->near_first = s->offered;
            s->near_why = why;
        }
        if (s->near < UINT16_MAX)
            s->near++;
    }
    if (s->offered < UINT16_MAX)
        s->offered++;
    return cls;
}

/* stc_txtsel_status - see policy.h. "If the number of resulting records is
 * not one, or if the resulting record is syntactically invalid, senders
 * MUST assume the recipient domain does not have an available MTA-STS
 * Policy" (RFC 8461 3.1). */
int stc_txtsel_status(const stc_txtsel_t *s, int chosen_valid)
{
    if (s->matched == 0)
        return STC_TXT_NONE;
    if (s->matched > 1)
        return STC_TXT_MULTIPLE;
    return chosen_valid ? STC_TXT_ONE_VALID : STC_TXT_ONE_INVALID;
}

/* ---- the field walker ------------------------------------------------------ */

/* stc_txtrec_fail - see policy.h */
int stc_txtrec_fail(stc_txtrec_t *r)
{
    if (!(r->problems & STC_TXT_P_SYNTAX))
        r->err_off = r->b.off > UINT16_MAX ? UINT16_MAX : (uint16_t)r->b.off;
    r->problems |= STC_TXT_P_SYNTAX;
    return STC_EPROTO;
}

/* stc_txtrec_start - see policy.h */
int stc_txtrec_start(stc_txtrec_t *r, const char *version, const uint8_t *txt, size_t n)
{
    size_t vl = strlen(version);

    memset(r, 0, sizeof *r);
    stc_buf_init(&r->b, txt, n);
    /* "The TXT record MUST begin with sts-version field" (RFC 8461 3.1) */
    if (stc_buf_left(&r->b) < vl || memcmp(txt, version, vl) != 0)
        return stc_txtrec_fail(r);
    (void)stc_buf_skip(&r->b, vl);
    return STC_OK;
}

/* stc_txtrec_next - see policy.h */
int stc_txtrec_next(stc_txtrec_t *r, const char **name, size_t *nlen)
{
    size_t ws = stc_txt_wsp(&r->b), start;
    int c = stc_txt_peek(&r->b);

    if (c < 0) {
        /* a field may end the record; WSP alone may not (the delimiter
         * needs its ";"), and the version alone is not a record:
         * "sts-version 1*(sts-field-delim sts-field)" */
        if (ws > 0 || r->fields == 0)
            return stc_txtrec_fail(r);
        return STC_ECLOSED;
    }
    if (c != ';')
        return stc_txtrec_fail(r);
    if (ws > 0 && r->fields == 0)
        r->problems |= STC_TXT_P_SPACE_SEMI;
    (void)stc_buf_skip(&r->b, 1);
    (void)stc_txt_wsp(&r->b);
    c = stc_txt_peek(&r->b);
    if (c < 0)
        return r->fields > 0 ? STC_ECLOSED : stc_txtrec_fail(r); /* [field-delim] */
    /* ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
    if (!stc_c_alnum((unsigned)c))
        return stc_txtrec_fail(r);
    start = r->b.off;
    while ((c = stc_txt_peek(&r->b)) >= 0 && (stc_c_alnum((unsigned)c) || c == '_' || c == '-' || c == '.')) {
        if (r->b.off - start == 32)
            return stc_txtrec_fail(r);
        (void)stc_buf_skip(&r->b, 1);
    }
    if (c != '=')
        return stc_txtrec_fail(r);
    *name = (const char *)r->b.p + start;
    *nlen = r->b.off - start;
    (void)stc_buf_skip(&r->b, 1);
    if (r->fields < UINT16_MAX)
        r->fields++;
    return STC_OK;
}

/* stc_txtrec_value - see policy.h */
size_t stc_txtrec_value(stc_txtrec_t *r, const char **v)
{
    size_t start = r->b.off;
    int c;

    /* "chars excluding "=", ";", SP, and control chars" */
    while ((c = stc_txt_peek(&r->b)) > 0x20 && c < 0x7f && c != '=' && c != ';')
        (void)stc_buf_skip(&r->b, 1);
    if (r->b.off == start) {
        (void)stc_txtrec_fail(r);
        return 0;
    }
    *v = (const char *)r->b.p + start;
    return r->b.off - start;
}
