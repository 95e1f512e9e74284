/* mta_sts.c - MTA-STS (RFC 8461): the TXT record, the policy body, MX patterns
 *
 * The policy body is parsed line by line as it streams from http.c: a line
 * costs a counter, and only a value that must be judged whole (an mx
 * pattern, at most "*." + 253 bytes) is kept. Each mx pattern goes to the
 * caller's callback when its line ends; the parser keeps counts and the
 * scalar fields. Problems are recorded with the line of the first one.
 *
 * How strict: the ABNF of 3.2 is applied as written (keys and values are
 * case-sensitive, RFC 7405 %s; no whitespace before a key or the colon;
 * values as the ABNF says), with one leniency: an empty line is noted but
 * harmless (the ABNF has none, and it changes no meaning). RFC 8461 3.2:
 * "If any non-repeated field--i.e., all fields excepting "mx"--is
 * duplicated, all entries except for the first SHALL be ignored": we keep
 * the first and note the repeat.
 */
#include "policy.h"

/* Line states. */
enum { P_START = 0, P_KEY, P_DELIM, P_VALUE, P_SKIP };

/* Keys. */
enum { K_EXT = 0, K_VERSION, K_MODE, K_MAX_AGE, K_MX };

/* p->have */
#define H_VERSION 0x01u
#define H_MODE 0x02u
#define H_MAX_AGE 0x04u

/* RFC 8461 3.2: max_age "maximum value of 31557600" */
#define STS_MAX_AGE_MAX 31557600u

/* ---- the TXT record (3.1) ------------------------------------------------- */

/* stc_sts_txt_parse - see policy.h. ABNF (RFC 8461 3.1):
 *     sts-text-record = sts-version 1*(sts-field-delim sts-field)
 *                       [sts-field-delim]
 *     sts-field       = sts-id / sts-extension
 *     sts-version     = %s"v=STSv1"
 *     sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
 *     sts-extension   = sts-ext-name "=" sts-ext-value */
int stc_sts_txt_parse(const uint8_t *txt, size_t n, stc_sts_rec_t *out)
{
    stc_txtrec_t r;
    const char *name, *v = NULL;
    size_t nl, vl, i;
    int rc, seen_id = 0;

    memset(out, 0, sizeof *out);
    rc = stc_txtrec_start(&r, "v=STSv1", txt, n);
    while (rc == STC_OK && (rc = stc_txtrec_next(&r, &name, &nl)) == STC_OK) {
        vl = stc_txtrec_value(&r, &v);
        if (nl == 2 && memcmp(name, "id", 2) == 0) {
            int ok = vl >= 1 && vl <= 32;
            for (i = 0; ok && i < vl; i++)
                ok = stc_c_alnum((uint8_t)v[i]);
            if (seen_id) {
                out->problems |= STC_TXT_P_DUP_ID; /* the first is kept */
            } else if (!ok) {
                out->problems |= STC_TXT_P_BAD_ID;
            } else {
                memcpy(out->id, v, vl);
                out->id[vl] = '\0';
                out->id_len = (uint8_t)vl;
            }
            seen_id = 1;
        } else if (vl > 0 && out->ext < UINT16_MAX) {
            out->ext++; /* unknown fields "SHALL be ignored" (3.2) */
        }
        if (vl == 0)
            rc = STC_EPROTO;
    }
    /* "Note that sts-id record is required": judged only when the record
     * was read to its end (a syntax error may hide it) */
    if (rc == STC_ECLOSED && !seen_id)
        out->problems |= STC_TXT_P_NO_ID;
    out->problems |= r.problems;
    out->err_off = r.err_off;
    return (out->problems & STC_TXT_P_FATAL) ? STC_EPROTO : STC_OK;
}

/* stc_sts_txt_init - see policy.h */
void stc_sts_txt_init(stc_sts_txt_t *t)
{
    memset(t, 0, sizeof *t);
}

/* stc_sts_txt_offer - see policy.h */
int stc_sts_txt_offer(stc_sts_txt_t *t, const uint8_t *txt, size_t n)
{
    int first = t->sel.matched == 0;
    int cls = stc_txtsel_offer(&t->sel, "v=STSv1", txt, n);

    if (cls == STC_TXT_MATCH && first)
        (void)stc_sts_txt_parse(txt, n, &t->rec);
    return cls;
}

/* stc_sts_txt_status - see policy.h */
int stc_sts_txt_status(const stc_sts_txt_t *t)
{
    return stc_txtsel_status(&t->sel, !(t->rec.problems & STC_TXT_P_FATAL));
}

/* ---- MX patterns (3.2, 4.1) ------------------------------------------------ */

/* stc_sts_mx_pattern_ok - see policy.h. sts-policy-mx-value = ["*."] Domain;
 * RFC 5321 4.1.2: Domain = sub-domain *("." sub-domain), sub-domain =
 * Let-dig [Ldh-str]; RFC 1035 2.3.4 bounds labels (63) and names. */
int stc_sts_mx_pattern_ok(const char *s, size_t n)
{
    size_t i, label = 0;

    if (n >= 2 && s[0] == '*' && s[1] == '.') {
        s += 2;
        n -= 2;
    }
    if (n == 0 || n > STC_NAME_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned c = (uint8_t)s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return 0;
            label = 0;
        } else if (stc_c_alnum(c) || (c == '-' && label > 0)) {
            if (++label > 63)
                return 0;
        } else {
            return 0;
        }
    }
    return label > 0 && s[n - 1] != '-';
}

/* len_nodot - length of s without one trailing dot */
static size_t len_nodot(const char *s)
{
    size_t n = strlen(s);

    return (n > 0 && s[n - 1] == '.') ? n - 1 : n;
}

/* stc_sts_mx_match - see policy.h. RFC 8461 4.1: "the wildcard character
 * "*" may only be used to match the entire left-most label in the presented
 * identifier. Thus the mx pattern "*.example.com" matches "mail.example.com"
 * but not "example.com" or "foo.bar.example.com"." */
int stc_sts_mx_match(const char *pattern, const char *host)
{
    size_t np = len_nodot(pattern), nh = len_nodot(host), dot;

    if (np == 0 || nh == 0 || memchr(host, '*', nh) != NULL)
        return 0;
    if (np >= 2 && pattern[0] == '*' && pattern[1] == '.') {
        for (dot = 0; dot < nh && host[dot] != '.'; dot++)
            ;
        /* exactly one non-empty label in front of the suffix */
        if (dot == 0 || dot == nh || np == 2)
            return 0;
        return nh - dot - 1 == np - 2 && stc_c_ieqn(host + dot + 1, pattern + 2, np - 2);
    }
    return np == nh && stc_c_ieqn(pattern, host, nh);
}

/* ---- the policy body (3.2) ---------------------------------------------------- */

/* stc_sts_policy_init - see policy.h */
void stc_sts_policy_init(stc_sts_policy_t *p, stc_sts_mx_fn mx_cb, void *ctx)
{
    memset(p, 0, sizeof *p);
    p->mx_cb = mx_cb;
    p->mx_ctx = ctx;
}

/* problem - a problem of the document as a whole */
static void problem(stc_sts_policy_t *p, unsigned bit)
{
    p->problems |= (uint16_t)bit;
}

/* problem_here - a problem of the current line (1-based: lines + 1) */
static void problem_here(stc_sts_policy_t *p, unsigned bit)
{
    if (p->first_bad == 0 && (bit & STC_STS_P_FATAL))
        p->first_bad = p->lines + 1;
    problem(p, bit);
}

/* line_bad - the line breaks a rule: noted, the rest of it skipped */
static void line_bad(stc_sts_policy_t *p, unsigned bit)
{
    problem_here(p, bit);
    p->state = P_SKIP;
}

/* key_id - which key kbuf holds (keys are case-sensitive: %s"mode") */
static unsigned key_id(const char *k, size_t n)
{
    if (n == 7 && memcmp(k, "version", 7) == 0)
        return K_VERSION;
    if (n == 4 && memcmp(k, "mode", 4) == 0)
        return K_MODE;
    if (n == 7 && memcmp(k, "max_age", 7) == 0)
        return K_MAX_AGE;
    if (n == 2 && memcmp(k, "mx", 2) == 0)
        return K_MX;
    return K_EXT;
}

/* ext_byte - sts-policy-ext-value = sts-policy-vchar [*(%x20 /
 * sts-policy-vchar) sts-policy-vchar], sts-policy-vchar = %x21-7E / UTF8-2
 * / UTF8-3 / UTF8-4 (RFC 3629 4, so no overlong forms, no surrogates) */
static void ext_byte(stc_sts_policy_t *p, unsigned c)
{
    if (p->utf8) {
        if (c < p->ulo || c > p->uhi) {
            line_bad(p, STC_STS_P_MALFORMED);
            return;
        }
        p->utf8--;
        p->ulo = 0x80;
        p->uhi = 0xbf;
        return;
    }
    if (c == ' ' || c == '\t') {
        /* SP may stand inside the value; after an HTAB only the line's
         * trailing *WSP may follow */
        if (c == '\t')
            p->tab = 1;
        return;
    }
    if (p->tab) {
        line_bad(p, STC_STS_P_MALFORMED);
        return;
    }
    p->vend = 1; /* a vchar was seen */
    p->ulo = 0x80;
    p->uhi = 0xbf;
    if (c >= 0x21 && c <= 0x7e)
        return;
    if (c >= 0xc2 && c <= 0xdf) {
        p->utf8 = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
        p->utf8 = 2;
        if (c == 0xe0)
            p->ulo = 0xa0; /* %xE0 %xA0-BF UTF8-tail */
        else if (c == 0xed)
            p->uhi = 0x9f; /* %xED %x80-9F UTF8-tail: no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        p->utf8 = 3;
        if (c == 0xf0)
            p->ulo = 0x90;
        else if (c == 0xf4)
            p->uhi = 0x8f;
    } else {
        line_bad(p, STC_STS_P_MALFORMED); /* CTL, DEL, or not UTF-8 */
    }
}

/* value_byte - a byte of a known key's value: kept (trailing WSP trimmed
 * at the end); control bytes break the line */
static void value_byte(stc_sts_policy_t *p, unsigned c)
{
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
        line_bad(p, STC_STS_P_MALFORMED);
        return;
    }
    if (p->vlen < sizeof p->vbuf - 1)
        p->vbuf[p->vlen] = (char)c;
    p->vlen++;
    if (!stc_c_wsp(c))
        p->vend = p->vlen;
}

/* parse_max_age - sts-policy-max-age-value = 1*10(DIGIT), at most 31557600 */
static int parse_max_age(const char *s, size_t n, uint32_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (n == 0 || n > 10)
        return 0;
    for (i = 0; i < n; i++) {
        if (!stc_c_digit((uint8_t)s[i]))
            return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; /* kept for the report */
    return v <= STS_MAX_AGE_MAX;
}

/* first_time - 1 when the key's bit was not set yet; else the repeat is
 * noted and ignored ("all entries except for the first SHALL be ignored") */
static int first_time(stc_sts_policy_t *p, unsigned bit)
{
    if (p->have & bit) {
        problem_here(p, STC_STS_P_DUP_KEY);
        return 0;
    }
    p->have |= (uint8_t)bit;
    return 1;
}

/* judge - a well-formed "key: value" line is complete */
static void judge(stc_sts_policy_t *p)
{
    const char *v = p->vbuf;
    size_t n = p->vend, k = n < sizeof p->vbuf ? n : sizeof p->vbuf - 1;
    int fits = n < sizeof p->vbuf, valid;

    p->vbuf[k] = '\0';
    switch (p->key) {
    case K_VERSION:
        /* "version: Currently, only "STSv1" is supported." */
        if (first_time(p, H_VERSION) && !(n == 5 && memcmp(v, "STSv1", 5) == 0))
            problem_here(p, STC_STS_P_BAD_VERSION);
        break;
    case K_MODE:
        /* sts-policy-mode-value = %s"testing" / %s"enforce" / %s"none" */
        if (!first_time(p, H_MODE))
            break;
        if (n == 7 && memcmp(v, "enforce", 7) == 0)
            p->mode = STC_STS_MODE_ENFORCE;
        else if (n == 7 && memcmp(v, "testing", 7) == 0)
            p->mode = STC_STS_MODE_TESTING;
        else if (n == 4 && memcmp(v, "none", 4) == 0)
            p->mode = STC_STS_MODE_NONE;
        else
            problem_here(p, STC_STS_P_BAD_MODE);
        break;
    case K_MAX_AGE:
        if (first_time(p, H_MAX_AGE) && !(fits && parse_max_age(v, n, &p->max_age)))
            problem_here(p, STC_STS_P_BAD_MAX_AGE);
        break;
    case K_MX:
        /* mx is repeatable: "each MX MUST have its own "mx:" key" */
        valid = fits && stc_sts_mx_pattern_ok(v, n);
        if (p->mx_count < UINT32_MAX)
            p->mx_count++;
        if (!valid) {
            problem_here(p, STC_STS_P_BAD_MX);
            if (p->mx_bad < UINT32_MAX)
                p->mx_bad++;
        }
        if (p->mx_cb)
            p->mx_cb(p->mx_ctx, p->vbuf, k, valid);
        break;
    default:
        /* "unknown fields SHALL be ignored", once they parse */
        if (p->vend == 0 || p->utf8 != 0)
            problem_here(p, STC_STS_P_MALFORMED);
        else if (p->unknown < UINT32_MAX)
            p->unknown++;
        break;
    }
}

/* line_end - LF (or CRLF) ended the line: judge it, start the next */
static void line_end(stc_sts_policy_t *p)
{
    if (p->state == P_START && p->len == 0)
        problem_here(p, STC_STS_P_BLANK_LINE);
    else if (p->state == P_START || p->state == P_KEY)
        problem_here(p, STC_STS_P_MALFORMED); /* no ":" */
    else if (p->state == P_DELIM || p->state == P_VALUE)
        judge(p);
    if (p->lines < UINT32_MAX)
        p->lines++;
    p->state = P_START;
    p->len = p->vlen = p->vend = 0;
    p->klen = p->key = p->tab = p->utf8 = 0;
}

/* policy_byte - one byte of the body */
static void policy_byte(stc_sts_policy_t *p, unsigned c)
{
    if (p->cr) {
        p->cr = 0;
        if (c == '\n') {
            line_end(p); /* sts-policy-term = LF / CRLF */
            return;
        }
        line_bad(p, STC_STS_P_MALFORMED); /* a CR that ends no line */
    }
    if (c == '\n') {
        line_end(p);
        return;
    }
    if (c == '\r') {
        p->cr = 1;
        return;
    }
    if (p->len >= STC_STS_LINE_MAX) {
        if (p->state != P_SKIP)
            line_bad(p, STC_STS_P_LINE_TOO_LONG);
        return;
    }
    p->len++;
    switch (p->state) {
    case P_START:
        /* a key starts the line: no leading whitespace */
        if (!stc_c_alnum(c)) {
            line_bad(p, STC_STS_P_MALFORMED);
            return;
        }
        p->state = P_KEY;
        /* fall through */
    case P_KEY:
        /* sts-policy-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" /
         * "-" / "."); the field-delim ":" follows at once */
        if (c == ':' && p->klen > 0) {
            p->key = (uint8_t)key_id(p->kbuf, p->klen);
            p->state = P_DELIM;
        } else if (p->klen < sizeof p->kbuf &&
                   (stc_c_alnum(c) || c == '_' || c == '-' || c == '.')) {
            p->kbuf[p->klen++] = (char)c;
        } else {
            line_bad(p, STC_STS_P_MALFORMED);
        }
        return;
    case P_DELIM:
        /* sts-policy-field-delim = ":" *WSP */
        if (stc_c_wsp(c))
            return;
        p->state = P_VALUE;
        /* fall through */
    case P_VALUE:
        if (p->key == K_EXT)
            ext_byte(p, c);
        else
            value_byte(p, c);
        return;
    default:
        return; /* P_SKIP */
    }
}

/* stc_sts_policy_feed - see policy.h */
int stc_sts_policy_feed(stc_sts_policy_t *p, const uint8_t *data, size_t n)
{
    stc_buf_t b;
    uint8_t c;

    if (p->ended)
        return STC_EINVAL;
    stc_buf_init(&b, data, n);
    while (stc_buf_u8(&b, &c))
        policy_byte(p, c);
    return STC_OK;
}

/* stc_sts_policy_body - see policy.h */
int stc_sts_policy_body(void *ctx, const uint8_t *data, size_t n)
{
    return stc_sts_policy_feed((stc_sts_policy_t *)ctx, data, n);
}

/* stc_sts_policy_end - see policy.h */
int stc_sts_policy_end(stc_sts_policy_t *p)
{
    if (!p->ended) {
        p->ended = 1;
        if (p->cr) {
            p->cr = 0;
            line_bad(p, STC_STS_P_MALFORMED); /* a final CR without its LF */
        }
        /* the last line needs no terminator: [sts-policy-term] */
        if (p->len > 0 || p->state != P_START)
            line_end(p);
        if (!(p->have & H_VERSION))
            problem(p, STC_STS_P_NO_VERSION);
        if (!(p->have & H_MODE))
            problem(p, STC_STS_P_NO_MODE);
        if (!(p->have & H_MAX_AGE))
            problem(p, STC_STS_P_NO_MAX_AGE);
        /* mx "required at least once, except when mode is "none"" */
        if (p->mx_count == 0 && p->mode != STC_STS_MODE_NONE)
            problem(p, STC_STS_P_NO_MX);
    }
    return (p->problems & STC_STS_P_FATAL) ? STC_EPROTO : STC_OK;
}
