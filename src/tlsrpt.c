/* tlsrpt.c - the TLS-RPT policy record (RFC 8460 3)
 *
 * _smtp._tls.<domain> IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@example.com"
 *
 *     tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field)
 *                     [field-delim]
 *     tlsrpt-field  = tlsrpt-rua / tlsrpt-extension
 *     tlsrpt-version = %s"v=TLSRPTv1"
 *     tlsrpt-rua    = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
 *     tlsrpt-uri    = URI  ; commas, exclamation points and semicolons
 *                          ; MUST be encoded
 *
 * "Two URI schemes are supported: mailto and https." Each URI is checked
 * roughly: mailto an addr-spec whose domain is a host name, https a host
 * name or IP literal with an optional port and path. A record is usable
 * when at least one URI is; the others are reported. The record walker
 * and the selection are txtrec.c's.
 */
#include "policy.h"
#include "stc/stc.h"

/* uri_char - a URI character that may stand unencoded in tlsrpt-uri:
 * RFC 3986 2 (unreserved, reserved, "%") less "," "!" ";" */
static int uri_char(int c)
{
    return c > 0 && (stc_c_alnum((unsigned)c) || strchr("-._~%:/?#[]@$&'()*+=", c) != NULL);
}

/* pct_ok - every "%" in s[0..n) starts a pct-encoded octet (RFC 3986 2.1) */
static int pct_ok(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] != '%')
            continue;
        if (i + 2 >= n || stc_c_hex((uint8_t)s[i + 1]) < 0 || stc_c_hex((uint8_t)s[i + 2]) < 0)
            return 0;
        i += 2;
    }
    return 1;
}

/* host_ok - a host name (LDH labels, no wildcard, no trailing dot) */
static int host_ok(const char *s, size_t n)
{
    return n > 0 && s[0] != '*' && stc_sts_mx_pattern_ok(s, n);
}

/* mailto_ok - RFC 6068 2: "mailto:" addr-spec [ "?" hfields ]; roughly:
 * one unencoded "@", a non-empty local part, a host name after it */
static int mailto_ok(const char *s, size_t n)
{
    size_t q, at = n, i;

    for (q = 0; q < n && s[q] != '?'; q++)
        ;
    for (i = 0; i < q; i++) {
        if (s[i] != '@')
            continue;
        if (at != n)
            return 0; /* a second "@" would have to be encoded */
        at = i;
    }
    return at != n && at > 0 && host_ok(s + at + 1, q - at - 1);
}

/* https_ok - RFC 9110 4.2.2: "https:" "//" authority path-abempty
 * [ "?" query ] [ "#" fragment ], the authority a host (no userinfo:
 * 4.2.4 "A sender MUST NOT generate the userinfo subcomponent") and an
 * optional port 1..65535 */
static int https_ok(const char *s, size_t n)
{
    size_t i = 2, hs, he;
    stc_ip_t ip;
    uint32_t port = 0;

    if (n < 3 || s[0] != '/' || s[1] != '/')
        return 0;
    hs = i;
    if (s[i] == '[') {
        while (i < n && s[i] != ']')
            i++;
        if (i == n)
            return 0;
        he = ++i;
        if (!stc_ip_parse_n(s + hs, he - hs, &ip))
            return 0;
    } else {
        while (i < n && s[i] != ':' && s[i] != '/' && s[i] != '?' && s[i] != '#')
            i++;
        he = i;
        if (memchr(s + hs, '@', he - hs) != NULL)
            return 0;
        if (!host_ok(s + hs, he - hs) && !stc_ip_parse_n(s + hs, he - hs, &ip))
            return 0;
    }
    if (i < n && s[i] == ':') {
        size_t ps = ++i;
        while (i < n && stc_c_digit((uint8_t)s[i]) && i - ps < 6)
            port = port * 10 + (uint32_t)(s[i++] - '0');
        if (i == ps || port == 0 || port > 65535)
            return 0;
    }
    /* what follows the authority starts a path, a query or a fragment */
    return i == n || s[i] == '/' || s[i] == '?' || s[i] == '#';
}

/* stc_tlsrpt_uri_check - see policy.h */
int stc_tlsrpt_uri_check(const char *u, size_t n)
{
    size_t i;

    if (!pct_ok(u, n))
        return 0;
    /* schemes are case-insensitive (RFC 3986 3.1) */
    if (n >= 7 && stc_c_ieqn(u, "mailto:", 7))
        return mailto_ok(u + 7, n - 7) ? 1 : 0;
    if (n >= 6 && stc_c_ieqn(u, "https:", 6))
        return https_ok(u + 6, n - 6) ? 2 : 0;
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
    if (n == 0 || !stc_c_alpha((uint8_t)u[0]))
        return 0;
    for (i = 1; i < n && u[i] != ':'; i++)
        if (!stc_c_alnum((uint8_t)u[i]) && u[i] != '+' && u[i] != '-' && u[i] != '.')
            return 0;
    return i < n ? -1 : 0;
}

/* add_uri - count one URI of the rua list and judge it */
static void add_uri(stc_tlsrpt_rec_t *out, const char *u, size_t n, size_t off, size_t *bad_off)
{
    int kind = stc_tlsrpt_uri_check(u, n);

    if (out->rua == 0) {
        size_t k = n < sizeof out->uri - 1 ? n : sizeof out->uri - 1;
        memcpy(out->uri, u, k);
        out->uri[k] = '\0';
        out->uri_len = n > UINT16_MAX ? UINT16_MAX : (uint16_t)n;
    }
    if (out->rua < UINT16_MAX)
        out->rua++;
    if (kind == 1 && out->mailto < UINT16_MAX)
        out->mailto++;
    else if (kind == 2 && out->https < UINT16_MAX)
        out->https++;
    else if (kind <= 0) {
        out->problems |= kind < 0 ? STC_TXT_P_SCHEME : STC_TXT_P_BAD_URI;
        if (off < *bad_off)
            *bad_off = off;
    }
}

/* read_rua - tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri); out NULL: skip them */
static int read_rua(stc_txtrec_t *r, stc_tlsrpt_rec_t *out, size_t *bad_off)
{
    size_t start, mark;

    for (;;) {
        start = r->b.off;
        while (uri_char(stc_txt_peek(&r->b)))
            (void)stc_buf_skip(&r->b, 1);
        if (r->b.off == start)
            return stc_txtrec_fail(r);
        if (out)
            add_uri(out, (const char *)r->b.p + start, r->b.off - start, start, bad_off);
        mark = r->b.off;
        (void)stc_txt_wsp(&r->b);
        if (stc_txt_peek(&r->b) != ',') {
            (void)stc_buf_seek(&r->b, mark); /* that WSP is the delimiter's */
            return STC_OK;
        }
        (void)stc_buf_skip(&r->b, 1);
        (void)stc_txt_wsp(&r->b);
    }
}

/* stc_tlsrpt_parse - see policy.h */
int stc_tlsrpt_parse(const uint8_t *txt, size_t n, stc_tlsrpt_rec_t *out)
{
    stc_txtrec_t r;
    const char *name, *v;
    size_t nl, bad_off = (size_t)-1;
    int rc, seen_rua = 0;

    memset(out, 0, sizeof *out);
    rc = stc_txtrec_start(&r, "v=TLSRPTv1", txt, n);
    while (rc == STC_OK && (rc = stc_txtrec_next(&r, &name, &nl)) == STC_OK) {
        if (nl == 3 && memcmp(name, "rua", 3) == 0) {
            /* a second rua is not in the RFC: its URIs are not counted */
            if (seen_rua)
                out->problems |= STC_TXT_P_DUP_RUA;
            rc = read_rua(&r, seen_rua ? NULL : out, &bad_off);
            seen_rua = 1;
        } else if (stc_txtrec_value(&r, &v) == 0) {
            rc = STC_EPROTO;
        } else if (out->ext < UINT16_MAX) {
            out->ext++; /* "unknown fields SHALL be ignored" */
        }
    }
    /* "Note that the tlsrpt-rua record is required" */
    if (rc == STC_ECLOSED && !seen_rua)
        out->problems |= STC_TXT_P_NO_RUA;
    if (seen_rua && out->rua > 0 && out->mailto == 0 && out->https == 0)
        out->problems |= STC_TXT_P_NO_USABLE;
    out->problems |= r.problems;
    if ((r.problems & STC_TXT_P_SYNTAX) && r.err_off < bad_off)
        bad_off = r.err_off;
    out->err_off = bad_off > UINT16_MAX ? UINT16_MAX : (uint16_t)bad_off;
    if (bad_off == (size_t)-1)
        out->err_off = 0;
    return (out->problems & STC_TXT_P_FATAL) ? STC_EPROTO : STC_OK;
}

/* stc_tlsrpt_txt_init - see policy.h */
void stc_tlsrpt_txt_init(stc_tlsrpt_txt_t *t)
{
    memset(t, 0, sizeof *t);
}

/* stc_tlsrpt_txt_offer - see policy.h; "records that do not begin with
 * "v=TLSRPTv1;" are discarded" (RFC 8460 3) */
int stc_tlsrpt_txt_offer(stc_tlsrpt_txt_t *t, const uint8_t *txt, size_t n)
{
    int first = t->sel.matched == 0;
    int cls = stc_txtsel_offer(&t->sel, "v=TLSRPTv1", txt, n);

    if (cls == STC_TXT_MATCH && first)
        (void)stc_tlsrpt_parse(txt, n, &t->rec);
    return cls;
}

/* stc_tlsrpt_txt_status - see policy.h. RFC 8460 3: "If the number of
 * resulting records is not one, senders MUST assume the recipient domain
 * does not implement TLSRPT." */
int stc_tlsrpt_txt_status(const stc_tlsrpt_txt_t *t)
{
    return stc_txtsel_status(&t->sel, !(t->rec.problems & STC_TXT_P_FATAL));
}
