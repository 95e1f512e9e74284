/* policy.h - streaming parsers for MTA-STS (RFC 8461) and TLS-RPT (RFC 8460)
 *
 * Pure parsers, no I/O and no allocation; every state lives in a
 * caller-owned struct of fixed size, and no buffer is sized by the input:
 *
 *   http.c     an HTTP/1.1 response (status line, header fields, body framed
 *              by Content-Length, chunked coding or the end of the
 *              connection), fed with whatever bytes arrived, the body
 *              streamed to a callback under a bound.
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
#include "stc/stc_opts.h"
#include "stc/stc_port.h"

/* ---- Limits ----------------------------------------------------------------- */

/* Body bound of the policy fetch, bytes. RFC 8461 3.3: "a suggested maximum
 * policy size 64 kilobytes". Enforced while streaming: nothing buffers it. */
#ifndef STC_STS_BODY_MAX
#define STC_STS_BODY_MAX 65536u
#endif

/* Longest HTTP status line, header line, chunk-size line or trailer line,
 * bytes without CRLF. Counted, never buffered (the parser keeps only the
 * fields it needs), so it costs no RAM. RFC 9110 5.4 leaves the figure to
 * the recipient; longer is an error of the response. */
#ifndef STC_HTTP_LINE_MAX
#define STC_HTTP_LINE_MAX 8192u
#endif

/* Header fields accepted in one header section (and in the trailer
 * section), RFC 9112 5 sets no figure; more is an error of the response. */
#ifndef STC_HTTP_FIELDS_MAX
#define STC_HTTP_FIELDS_MAX 100u
#endif

/* Interim (1xx) responses skipped before the final one (RFC 9110 15.2:
 * "A client MUST be able to parse one or more 1xx responses"). */
#ifndef STC_HTTP_INTERIM_MAX
#define STC_HTTP_INTERIM_MAX 8u
#endif

/* Location field value kept for the report (RFC 9110 10.2.2), bytes with
 * the NUL; the rest is counted. The redirect is reported, never followed
 * (RFC 8461 3.3: "HTTP 3xx redirects MUST NOT be followed"). */
#ifndef STC_HTTP_LOCATION_MAX
#define STC_HTTP_LOCATION_MAX 128u
#endif

/* Media type of Content-Type kept for the report (RFC 9110 8.3.1), bytes
 * with the NUL. */
#ifndef STC_HTTP_MTYPE_MAX
#define STC_HTTP_MTYPE_MAX 48u
#endif

#if STC_STS_BODY_MAX < 1 || STC_STS_BODY_MAX > 0x7fffffffu
#error "STC_STS_BODY_MAX must be 1..2^31-1"
#endif
#if STC_HTTP_LINE_MAX < 64 || STC_HTTP_LINE_MAX > 0xffffu
#error "STC_HTTP_LINE_MAX must be 64..65535"
#endif
#if STC_HTTP_FIELDS_MAX < 8 || STC_HTTP_FIELDS_MAX > 0xffffu
#error "STC_HTTP_FIELDS_MAX must be 8..65535"
#endif
#if STC_HTTP_INTERIM_MAX > 255
#error "STC_HTTP_INTERIM_MAX must be 0..255"
#endif
#if STC_HTTP_LOCATION_MAX < 2 || STC_HTTP_MTYPE_MAX < 16 || STC_HTTP_MTYPE_MAX > 255
#error "STC_HTTP_LOCATION_MAX must be >= 2, STC_HTTP_MTYPE_MAX 16..255"
#endif
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

typedef struct stc_http {
    /* ---- results (read them at any time; final once feed/eof returned
     * anything but STC_EAGAIN) ---- */
    uint64_t content_length;  /* declared (saturates at UINT64_MAX) */
    uint32_t body_len;        /* body bytes given to the callback */
    uint32_t body_max;        /* the bound (stc_http_init), bytes */
    uint32_t location_len;    /* length of the whole Location value */
    uint16_t status;          /* final status code, 0 until read */
    uint16_t notes;           /* STC_HTTP_N_* */
    uint8_t result;           /* enum stc_http_result */
    uint8_t minor;            /* HTTP/1.<minor> of the final response */
    uint8_t mtype;            /* enum stc_http_mtype */
    uint8_t framing;          /* enum stc_http_framing */
    uint8_t interim;          /* 1xx responses skipped */
    uint8_t head_done;        /* the final response's header section is read */
    char location[STC_HTTP_LOCATION_MAX]; /* first bytes of Location, NUL-ended;
                                             control bytes shown as '?' */
    char mtype_text[STC_HTTP_MTYPE_MAX];  /* Content-Type up to ';', trimmed, cut */

    /* ---- parser state (private) ---- */
    uint64_t left;            /* body or chunk bytes still to come */
    uint64_t num;             /* number being read (Content-Length, chunk-size) */
    int err;                  /* the sticky error */
    uint32_t line;            /* bytes in the current line */
    uint32_t vcnt, vend;      /* value bytes seen; length without trailing OWS */
    uint16_t fields;          /* fields in this header or trailer section */
    uint8_t state, sub;       /* where we are, and within a field value */
    uint8_t after;            /* what the LF awaited after a CR leads to */
    uint8_t field;            /* which field the value belongs to */
    uint8_t nlen;             /* name bytes kept (0xff: longer than name[]) */
    uint8_t flags;            /* per-head facts (bits in http.c) */
    uint8_t cl_state;         /* Content-Length: none / ok / bad / conflict */
    uint8_t te_count;         /* transfer codings listed (saturating) */
    uint8_t te_mark;          /* te_count when this field began */
    uint8_t te_last_chunked;  /* the last coding listed is plain "chunked" */
    uint8_t te_bad;           /* a Transfer-Encoding value that does not parse */
    uint8_t tlen;             /* bytes of tok (0xff: longer) */
    char name[18];            /* field name as sent ("Transfer-Encoding" fits) */
    char tok[8];              /* a transfer-coding token, lower case */
} stc_http_t;

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

#endif /* STC_POLICY_H */
