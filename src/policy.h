/* policy.h - streaming parsers for MTA-STS (RFC 8461) and TLS-RPT (RFC 8460)
 *
 * Pure parsers, no I/O and no allocation; every state lives in a
 * caller-owned struct of fixed size, and no buffer is sized by the input:
 *
 *   http.c     an HTTP/1.1 response (status line, header fields, body framed
 *              by Content-Length, chunked coding or the end of the
 *              connection), fed with whatever bytes arrived, the body
 *              streamed to a callback under a bound;
 *   mta_sts.c  the _mta-sts TXT record (3.1), the policy body parsed line by
 *              line as it streams (3.2), MX pattern matching (4.1);
 *   tlsrpt.c   the _smtp._tls TXT record (RFC 8460 3);
 *   txtrec.c   what the two TXT records share: the "v=...; name=value"
 *              walker and the "exactly one record" selection.
 *
 * Conventions
 * - Network bytes are read through stc_buf_t (buf.h); (p, n) arguments are
 *   never read past n and may hold any byte, NUL included.
 * - Functions that can fail return an stc_err_t (stc_port.h); what was
 *   wrong with the input is a result code or a problem bit in the struct,
 *   so a report can say which rule was broken.
 * - Problems are findings about the domain's configuration, not errors of
 *   the checker: parsing goes on after one so that the report lists all.
 * - The feed functions take any fragmentation: one byte at a time gives
 *   exactly the results of the whole input at once (the unit tests and
 *   the fuzz targets check this).
 *
 * The limits below follow the stc_opts.h pattern and move there when the
 * engine uses these parsers.
 */
#ifndef STC_POLICY_H
#define STC_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "stc/stc.h"

/* Limits (STC_STS_*, STC_HTTP_*, STC_TLSRPT_URI_MAX) are in stc/stc_opts.h. */

/* ---- ASCII classes (shared by the parsers; no <ctype.h>: locale-free) ------ */

/* stc_c_digit / alpha / alnum - RFC 5234 B.1 DIGIT, ALPHA, and either */
static inline int stc_c_digit(unsigned c)
{
    return c >= '0' && c <= '9';
}
static inline int stc_c_alpha(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline int stc_c_alnum(unsigned c)
{
    return stc_c_alpha(c) || stc_c_digit(c);
}
/* stc_c_wsp - WSP = SP / HTAB (RFC 5234 B.1) */
static inline int stc_c_wsp(unsigned c)
{
    return c == ' ' || c == '\t';
}
/* stc_c_lower - ASCII lower case */
static inline unsigned stc_c_lower(unsigned c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}
/* stc_c_hex - value of a hex digit, or -1 */
static inline int stc_c_hex(unsigned c)
{
    if (stc_c_digit(c))
        return (int)(c - '0');
    c = stc_c_lower(c);
    return (c >= 'a' && c <= 'f') ? (int)(c - 'a' + 10) : -1;
}
/* stc_c_ieqn - ASCII case-insensitive equality of a[0..n) and b[0..n) */
static inline int stc_c_ieqn(const char *a, const char *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (stc_c_lower((uint8_t)a[i]) != stc_c_lower((uint8_t)b[i]))
            return 0;
    return 1;
}
/* stc_c_ieq - ASCII case-insensitive equality of p[0..n) and the string s */
static inline int stc_c_ieq(const char *p, size_t n, const char *s)
{
    return strlen(s) == n && stc_c_ieqn(p, s, n);
}

/* stc_txt_peek - the next byte of a cursor, or -1 at its end */
static inline int stc_txt_peek(const stc_buf_t *b)
{
    return stc_buf_left(b) > 0 ? b->p[b->off] : -1;
}
/* stc_txt_wsp - step over *WSP; returns how many */
static inline size_t stc_txt_wsp(stc_buf_t *b)
{
    size_t n = 0;

    while (stc_txt_peek(b) == ' ' || stc_txt_peek(b) == '\t') {
        (void)stc_buf_skip(b, 1);
        n++;
    }
    return n;
}

/* ============================================================================
 * HTTP/1.1 response reader (src/http.c)
 * ========================================================================== */

/* Why a response was not read to its end (stc_http_t.result). */
enum stc_http_result {
    STC_HTTP_R_NONE = 0,     /* still reading */
    STC_HTTP_R_OK,           /* complete and well framed */
    STC_HTTP_R_EMPTY,        /* the connection ended before any byte */
    STC_HTTP_R_TRUNCATED,    /* it ended inside the head, before the declared
                                length or before the last chunk */
    STC_HTTP_R_STATUS_LINE,  /* not "HTTP/1.x DDD[ reason]", or code not 100..599 */
    STC_HTTP_R_VERSION,      /* HTTP/ with a major version other than 1 */
    STC_HTTP_R_LINE_TOO_LONG,  /* a line over STC_HTTP_LINE_MAX */
    STC_HTTP_R_TOO_MANY_FIELDS, /* over STC_HTTP_FIELDS_MAX header or trailer fields */
    STC_HTTP_R_TOO_MANY_INTERIM, /* over STC_HTTP_INTERIM_MAX 1xx responses */
    STC_HTTP_R_BAD_FIELD,    /* a field line that is not token ":" value, a
                                NUL or bare CR, whitespace before the colon or
                                before the first field */
    STC_HTTP_R_BAD_LENGTH,   /* Content-Length not 1*DIGIT (list) */
    STC_HTTP_R_LENGTH_CONFLICT, /* Content-Length values that differ */
    STC_HTTP_R_BAD_TE,       /* a transfer coding other than one final
                                "chunked", or Transfer-Encoding in HTTP/1.0 */
    STC_HTTP_R_BAD_CHUNK,    /* chunk-size not hex, or no CRLF after chunk data */
    STC_HTTP_R_BODY_TOO_LONG, /* the body crossed body_max */
    STC_HTTP_R_STATUS_101,   /* 101 Switching Protocols: we asked for no upgrade */
    STC_HTTP_R_STOPPED       /* the body callback asked to stop */
};

/* Media type of the final response (stc_http_t.mtype). */
enum stc_http_mtype {
    STC_HTTP_MT_NONE = 0,   /* no Content-Type field */
    STC_HTTP_MT_TEXT_PLAIN, /* text/plain, any parameters */
    STC_HTTP_MT_OTHER       /* anything else (see mtype_text) */
};

/* How the body of the final response was delimited (stc_http_t.framing). */
enum stc_http_framing {
    STC_HTTP_FR_NONE = 0, /* not known yet, or no body (204, 304) */
    STC_HTTP_FR_LENGTH,   /* Content-Length */
    STC_HTTP_FR_CHUNKED,  /* Transfer-Encoding: chunked */
    STC_HTTP_FR_CLOSE     /* neither: the body ends with the connection */
};

/* Things that are not errors but a report may mention (stc_http_t.notes). */
#define STC_HTTP_N_BARE_LF 0x01u   /* a line ended in LF alone (RFC 9112 2.2 "MAY") */
#define STC_HTTP_N_OBS_FOLD 0x02u  /* a folded field line was unfolded (RFC 9112 5.2) */
#define STC_HTTP_N_CL_REPEAT 0x04u /* Content-Length repeated with the same value */
#define STC_HTTP_N_TE_AND_CL 0x08u /* both: Transfer-Encoding wins (RFC 9112 6.3) */
#define STC_HTTP_N_CT_REPEAT 0x10u /* Content-Type repeated: the first is kept */
#define STC_HTTP_N_TRAILERS 0x20u  /* a chunked body carried trailer fields */
#define STC_HTTP_N_NO_REASON 0x40u /* no SP after the status code */

/* Receives body bytes as they are read. Returns 0 to go on, or a negative
 * stc_err_t to stop: feed then returns it (result STC_HTTP_R_STOPPED). */
typedef int (*stc_http_body_fn)(void *ctx, const uint8_t *p, size_t n);

/* stc_http_t: in stc/stc.h (a connection slot holds one). */

/* stc_http_init - start reading one response; body_max = 0 means
 * STC_STS_BODY_MAX. */
void stc_http_init(stc_http_t *st, uint32_t body_max);

/* stc_http_feed - read p[0..n). *used = bytes consumed (on STC_OK: up to
 * the end of the response; the rest is not ours; on an error: up to the
 * byte that broke a rule). Body bytes of the final response go to
 * body_cb(ctx, ...) (NULL: dropped) as they arrive, never beyond body_max.
 * Returns STC_EAGAIN (feed more), STC_OK (the response is complete),
 * STC_EPROTO (malformed: see result), STC_ETOOLONG (a bound: line, fields,
 * interim responses, body), or the callback's error. Errors are sticky. */
int stc_http_feed(stc_http_t *st, const uint8_t *p, size_t n, size_t *used,
                  stc_http_body_fn body_cb, void *ctx);

/* stc_http_eof - the peer closed the connection. STC_OK when that ends the
 * response (a body without Content-Length or chunked coding, or a response
 * already complete), else STC_EPROTO with result EMPTY or TRUNCATED (or the
 * earlier sticky error). */
int stc_http_eof(stc_http_t *st);

/* stc_http_result_name - short stable name of a result code ("ok",
 * "truncated", "body_too_long", ...) */
const char *stc_http_result_name(unsigned result);

/* ============================================================================
 * Semicolon-separated TXT records (src/txtrec.c)
 * ========================================================================== */

/* How one TXT record was classified by stc_txtsel_offer. */
enum stc_txt_class {
    STC_TXT_OTHER = 0, /* some other record (SPF, a site verification ...) */
    STC_TXT_MATCH,     /* begins with the version and ";": a candidate */
    STC_TXT_NEAR       /* discarded, but it looks meant as one (see near_why) */
};

/* Why a near miss was discarded (stc_txtsel_t.near_why). */
enum stc_txt_near {
    STC_TXT_NEAR_SPACE = 1, /* leading whitespace */
    STC_TXT_NEAR_CASE,      /* "v=stsv1;": the tags are case-sensitive (RFC 7405 %s) */
    STC_TXT_NEAR_VERSION,   /* another version ("v=STSv2;", "v=STSv10") */
    STC_TXT_NEAR_NO_SEMI    /* the version not followed by ";" ("v=STSv1" alone) */
};

/* Outcome of the selection (stc_txtsel_status). */
enum stc_txt_status {
    STC_TXT_NONE = 0,    /* no record begins with the version */
    STC_TXT_ONE_VALID,   /* exactly one, and it parses */
    STC_TXT_ONE_INVALID, /* exactly one, and it does not */
    STC_TXT_MULTIPLE     /* more than one: the RFCs say none applies */
};

/* Problems of one record (bits; *_FATAL masks those that make it unusable). */
#define STC_TXT_P_SYNTAX 0x0001u     /* not the RFC's ABNF (see err_off) */
#define STC_TXT_P_SPACE_SEMI 0x0002u /* "v=STSv1 ;": ABNF-valid, yet not "v=STSv1;" */
#define STC_TXT_P_NO_ID 0x0004u      /* MTA-STS: no id field */
#define STC_TXT_P_BAD_ID 0x0008u     /* MTA-STS: id not 1*32(ALPHA / DIGIT) */
#define STC_TXT_P_DUP_ID 0x0010u     /* MTA-STS: id twice (the first is kept) */
#define STC_TXT_P_NO_RUA 0x0020u     /* TLS-RPT: no rua field */
#define STC_TXT_P_BAD_URI 0x0040u    /* TLS-RPT: a rua URI no report can go to */
#define STC_TXT_P_SCHEME 0x0080u     /* TLS-RPT: a scheme other than mailto/https */
#define STC_TXT_P_DUP_RUA 0x0100u    /* TLS-RPT: rua twice (the first is used) */
#define STC_TXT_P_NO_USABLE 0x0200u  /* TLS-RPT: not one rua URI is usable */
/* A bad or unsupported URI beside a usable one is a problem, not a fatal
 * one: tlsrpt-uri is any URI (RFC 3986), and "the reporter MAY attempt to
 * deliver to each of the supported rua destinations" (RFC 8460 3). */
#define STC_TXT_P_FATAL                                                        \
    (STC_TXT_P_SYNTAX | STC_TXT_P_NO_ID | STC_TXT_P_BAD_ID | STC_TXT_P_NO_RUA | \
     STC_TXT_P_NO_USABLE)

/* Selection among the TXT records of one name: "records that do not begin
 * with "v=STSv1;" are discarded. If the number of resulting records is not
 * one, ..." (RFC 8461 3.1; RFC 8460 3 says the same of "v=TLSRPTv1;"). */
typedef struct stc_txtsel {
    uint16_t offered;    /* records offered */
    uint16_t matched;    /* candidates: records that begin with the version */
    uint16_t chosen;     /* offer index (0-based) of the first candidate */
    uint16_t near;       /* discarded near misses */
    uint16_t near_first; /* offer index of the first near miss */
    uint8_t near_why;    /* enum stc_txt_near of that one */
} stc_txtsel_t;

/* stc_txtsel_init - no records offered yet */
void stc_txtsel_init(stc_txtsel_t *s);
/* stc_txtsel_class - classify one record against version ("v=STSv1");
 * *why (may be NULL) gets the near-miss reason. Returns enum stc_txt_class. */
int stc_txtsel_class(const char *version, const uint8_t *txt, size_t n, uint8_t *why);
/* stc_txtsel_offer - count one record; returns its class */
int stc_txtsel_offer(stc_txtsel_t *s, const char *version, const uint8_t *txt, size_t n);
/* stc_txtsel_status - the outcome, given whether the chosen record parsed
 * without a fatal problem. Returns enum stc_txt_status. */
int stc_txtsel_status(const stc_txtsel_t *s, int chosen_valid);

/* A cursor over one record's fields (used by mta_sts.c and tlsrpt.c). */
typedef struct stc_txtrec {
    stc_buf_t b;
    uint16_t fields;   /* fields read */
    uint16_t problems; /* STC_TXT_P_SYNTAX / SPACE_SEMI found by the walker */
    uint16_t err_off;  /* offset of the first syntax error (saturating) */
} stc_txtrec_t;

/* stc_txtrec_start - check the version tag (exactly `version`, case-
 * sensitive) at the start of txt. STC_OK, or STC_EPROTO (problem SYNTAX). */
int stc_txtrec_start(stc_txtrec_t *r, const char *version, const uint8_t *txt, size_t n);
/* stc_txtrec_next - step over a field delimiter (*WSP ";" *WSP) and read
 * the next field's name and "=": the cursor is then at its value.
 * STC_OK (*name, *nlen), STC_ECLOSED at the end of a well-formed record,
 * STC_EPROTO on a syntax error (recorded). */
int stc_txtrec_next(stc_txtrec_t *r, const char **name, size_t *nlen);
/* stc_txtrec_value - read an extension value, 1*(%x21-3A / %x3C / %x3E-7E)
 * (RFC 8461 3.1 sts-ext-value, RFC 8460 3 tlsrpt-ext-value). Returns its
 * length, 0 on a syntax error (recorded); *v points at it. */
size_t stc_txtrec_value(stc_txtrec_t *r, const char **v);
/* stc_txtrec_fail - record a syntax error at the cursor; returns STC_EPROTO */
int stc_txtrec_fail(stc_txtrec_t *r);

/* ============================================================================
 * MTA-STS (src/mta_sts.c)
 * ========================================================================== */

/* One parsed _mta-sts TXT record (RFC 8461 3.1). */
typedef struct stc_sts_rec {
    uint16_t problems; /* STC_TXT_P_* */
    uint16_t err_off;  /* offset of the first syntax error */
    uint16_t ext;      /* extension fields (ignored, counted) */
    uint8_t id_len;    /* 0 when there is no valid id */
    char id[33];       /* the id, NUL-terminated */
} stc_sts_rec_t;

/* stc_sts_txt_parse - parse one record (TXT strings already concatenated,
 * RFC 8461 3.1). STC_OK when it has no fatal problem, else STC_EPROTO. */
int stc_sts_txt_parse(const uint8_t *txt, size_t n, stc_sts_rec_t *out);

/* All the _mta-sts TXT records of a domain, offered one by one. */
typedef struct stc_sts_txt {
    stc_txtsel_t sel; /* counts, chosen index, near misses */
    stc_sts_rec_t rec; /* the first candidate, parsed */
} stc_sts_txt_t;

void stc_sts_txt_init(stc_sts_txt_t *t);
/* stc_sts_txt_offer - one TXT RDATA; parses it when it is the first
 * candidate. Returns its enum stc_txt_class. */
int stc_sts_txt_offer(stc_sts_txt_t *t, const uint8_t *txt, size_t n);
/* stc_sts_txt_status - enum stc_txt_status of what was offered */
int stc_sts_txt_status(const stc_sts_txt_t *t);

/* Policy modes (stc_sts_policy_t.mode). */
enum stc_sts_mode {
    STC_STS_MODE_UNSET = 0,
    STC_STS_MODE_ENFORCE,
    STC_STS_MODE_TESTING,
    STC_STS_MODE_NONE
};

/* Problems of a policy body (bits; STC_STS_P_FATAL: the policy is invalid). */
#define STC_STS_P_NO_VERSION 0x0001u  /* no version line */
#define STC_STS_P_BAD_VERSION 0x0002u /* version other than "STSv1" */
#define STC_STS_P_NO_MODE 0x0004u     /* no mode line */
#define STC_STS_P_BAD_MODE 0x0008u    /* mode not enforce / testing / none */
#define STC_STS_P_NO_MAX_AGE 0x0010u  /* no max_age line */
#define STC_STS_P_BAD_MAX_AGE 0x0020u /* max_age not 1*10DIGIT in 0..31557600 */
#define STC_STS_P_NO_MX 0x0040u       /* no mx line while mode is not none */
#define STC_STS_P_BAD_MX 0x0080u      /* an mx value not ["*."] Domain */
#define STC_STS_P_MALFORMED 0x0100u   /* a line not "key: value" per the ABNF */
#define STC_STS_P_LINE_TOO_LONG 0x0200u /* a line over STC_STS_LINE_MAX */
#define STC_STS_P_DUP_KEY 0x0400u     /* version/mode/max_age twice (first wins) */
#define STC_STS_P_BLANK_LINE 0x0800u  /* an empty line (the ABNF has none) */
#define STC_STS_P_FATAL 0x03ffu

/* stc_sts_mx_fn, stc_sts_policy_t: in stc/stc.h (a connection slot holds one). */

/* stc_sts_policy_init - start a policy body; mx_cb may be NULL */
void stc_sts_policy_init(stc_sts_policy_t *p, stc_sts_mx_fn mx_cb, void *ctx);
/* stc_sts_policy_feed - body bytes, any fragmentation. Returns STC_OK
 * (problems are recorded, not returned); STC_EINVAL after _end. */
int stc_sts_policy_feed(stc_sts_policy_t *p, const uint8_t *data, size_t n);
/* stc_sts_policy_body - the same with stc_http_body_fn's signature
 * (ctx = the stc_sts_policy_t) */
int stc_sts_policy_body(void *ctx, const uint8_t *data, size_t n);
/* stc_sts_policy_end - the body is complete: the last line (it needs no
 * terminator) and the required keys are judged. STC_OK when no fatal
 * problem, else STC_EPROTO. */
int stc_sts_policy_end(stc_sts_policy_t *p);

/* stc_sts_mx_pattern_ok - s[0..n) is ["*."] Domain (RFC 8461 3.2
 * sts-policy-mx-value, Domain per RFC 5321 4.1.2: LDH labels of 1..63,
 * at most STC_NAME_MAX in all, no trailing dot) */
int stc_sts_mx_pattern_ok(const char *s, size_t n);

/* stc_sts_mx_match - RFC 8461 4.1: does MX host name `host` match policy
 * pattern `pattern`? Exact, or "*.suffix" with exactly one more left-most
 * label; ASCII case-insensitive, one trailing dot on either side ignored. */
int stc_sts_mx_match(const char *pattern, const char *host);

/* ============================================================================
 * TLS-RPT (src/tlsrpt.c)
 * ========================================================================== */

/* One parsed _smtp._tls TXT record (RFC 8460 3). */
typedef struct stc_tlsrpt_rec {
    uint16_t problems; /* STC_TXT_P_* */
    uint16_t err_off;  /* offset of the first syntax error or bad URI */
    uint16_t ext;      /* extension fields (ignored, counted) */
    uint16_t rua;      /* URIs in the (first) rua field */
    uint16_t mailto;   /* of which valid mailto: */
    uint16_t https;    /* of which valid https: */
    uint16_t uri_len;  /* length of the first URI (saturating) */
    char uri[STC_TLSRPT_URI_MAX]; /* first URI, NUL-terminated, cut */
} stc_tlsrpt_rec_t;

/* stc_tlsrpt_parse - parse one record. STC_OK when no fatal problem,
 * else STC_EPROTO. */
int stc_tlsrpt_parse(const uint8_t *txt, size_t n, stc_tlsrpt_rec_t *out);

/* All the _smtp._tls TXT records of a domain, offered one by one. */
typedef struct stc_tlsrpt_txt {
    stc_txtsel_t sel;
    stc_tlsrpt_rec_t rec; /* the first candidate, parsed */
} stc_tlsrpt_txt_t;

void stc_tlsrpt_txt_init(stc_tlsrpt_txt_t *t);
int stc_tlsrpt_txt_offer(stc_tlsrpt_txt_t *t, const uint8_t *txt, size_t n);
int stc_tlsrpt_txt_status(const stc_tlsrpt_txt_t *t);

/* stc_tlsrpt_uri_check - classify one rua URI u[0..n): 1 mailto (an
 * addr-spec, roughly), 2 https (a host name or IP literal, optional port
 * and path), 0 not valid, -1 valid syntax but another scheme. */
int stc_tlsrpt_uri_check(const char *u, size_t n);

#endif /* STC_POLICY_H */
