/* http.c - HTTP/1.1 response reader for the MTA-STS policy fetch
 *
 * Reads the answer to "GET /.well-known/mta-sts.txt" (RFC 8461 3.3) as it
 * arrives, in pieces of any size: status line, header fields, then the body
 * framed by Content-Length, chunked transfer coding or the end of the
 * connection (RFC 9112 6.3), streamed to a callback under a bound. Nothing
 * is buffered whole: of the header section it keeps only what the check
 * needs (status, Content-Type's media type, Content-Length, whether the
 * coding is chunked, the start of Location), so a line costs a counter, not
 * a buffer. Every byte is read through stc_buf_t.
 *
 * Leniency, each where RFC 9112 allows a recipient it: a line may end in
 * LF alone (2.2); a folded field line is unfolded (5.2: "A user agent that
 * receives an obs-fold in a response message ... MUST replace each received
 * obs-fold with one or more SP octets"); Content-Length may repeat one value
 * (RFC 9110 8.6). Each is recorded in `notes`.
 */
#include "policy.h"

#include <string.h>

/* Parser states. */
enum {
    S_STATUS = 0,    /* "HTTP/1.x DDD", position = st->line */
    S_REASON,        /* reason-phrase */
    S_LINE_START,    /* first byte of a field line (or the empty line) */
    S_NAME,          /* field-name */
    S_VALUE,         /* field-value */
    S_CR,            /* a CR ended a line: its LF must follow (then st->after) */
    S_BODY_LENGTH,   /* Content-Length bytes to go (st->left) */
    S_BODY_CLOSE,    /* everything until the connection ends */
    S_CHUNK_SIZE,    /* chunk-size hex digits */
    S_CHUNK_EXT,     /* chunk-ext, ignored */
    S_CHUNK_DATA,    /* chunk-data (st->left) */
    S_CHUNK_END,     /* the CRLF after chunk-data */
    S_DONE,
    S_ERROR
};

/* What a line's end leads to (st->after). */
enum { A_STATUS = 0, A_FIELD, A_HEAD, A_SIZE, A_CHUNK };

/* Which field a value belongs to. */
enum { FLD_OTHER = 0, FLD_CL, FLD_CT, FLD_TE, FLD_LOC };

/* st->flags */
#define F_TRAILER 0x01u  /* reading the trailer section */
#define F_INTERIM 0x02u  /* the head being read is a 1xx response's */
#define F_FIELD 0x04u    /* a field line is open (an obs-fold may continue it) */
#define F_CT_SEEN 0x08u
#define F_LOC_SEEN 0x10u

/* st->cl_state */
enum { CL_NONE = 0, CL_OK, CL_BAD, CL_CONFLICT };

static void value_end(stc_http_t *st);
static int eol(stc_http_t *st, unsigned c, unsigned after);

/* fail - record why, make the error sticky, return it; a field cut short
 * is closed so that what was kept of it is consistent */
static int fail(stc_http_t *st, unsigned result, int err)
{
    if (st->flags & F_FIELD)
        value_end(st);
    st->result = (uint8_t)result;
    st->err = err;
    st->state = S_ERROR;
    return err;
}

/* done - the response is complete */
static int done(stc_http_t *st)
{
    st->result = STC_HTTP_R_OK;
    st->state = S_DONE;
    return STC_OK;
}

/* count - one more byte in the current line, within STC_HTTP_LINE_MAX */
static int count(stc_http_t *st)
{
    if (++st->line > STC_HTTP_LINE_MAX)
        return fail(st, STC_HTTP_R_LINE_TOO_LONG, STC_ETOOLONG);
    return STC_EAGAIN;
}

/* is_tchar - RFC 9110 5.6.2 token character */
static int is_tchar(unsigned c)
{
    return stc_c_alnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", (int)c) != NULL);
}

/* stc_http_init - see policy.h */
void stc_http_init(stc_http_t *st, uint32_t body_max)
{
    memset(st, 0, sizeof *st);
    st->body_max = body_max ? body_max : STC_STS_BODY_MAX;
}

/* ---- field values ----------------------------------------------------------- */

/* cl_element - one Content-Length list element. RFC 9110 8.6: a recipient
 * may accept "a list of identical decimal values"; differing ones make the
 * framing invalid (RFC 9112 6.3). */
static void cl_element(stc_http_t *st, uint64_t v)
{
    st->vcnt++;
    if (st->cl_state == CL_NONE) {
        st->cl_state = CL_OK;
        st->content_length = v;
    } else if (st->cl_state == CL_OK) {
        if (v == st->content_length)
            st->notes |= STC_HTTP_N_CL_REPEAT;
        else
            st->cl_state = CL_CONFLICT;
    }
}

/* cl_byte - Content-Length = 1*DIGIT, as a list (sub: 0 before an element,
 * 1 in digits, 2 after them, 3 dead) */
static void cl_byte(stc_http_t *st, unsigned c)
{
    if (st->sub == 3)
        return;
    if (stc_c_digit(c) && st->sub < 2) {
        uint64_t d = c - '0';
        if (st->sub == 0)
            st->num = 0;
        /* RFC 9110 8.6: "a recipient MUST anticipate potentially large
         * decimal numerals and prevent parsing errors due to integer
         * conversion overflows": saturate (the bound refuses it anyway) */
        st->num = st->num > (UINT64_MAX - d) / 10 ? UINT64_MAX : st->num * 10 + d;
        st->sub = 1;
    } else if (stc_c_wsp(c)) {
        if (st->sub == 1)
            st->sub = 2;
    } else if (c == ',') {
        if (st->sub != 0)
            cl_element(st, st->num);
        st->sub = 0; /* empty list elements are ignored (RFC 9110 5.6.1) */
    } else {
        st->cl_state = CL_BAD;
        st->sub = 3;
    }
}

/* te_element - one transfer-coding of Transfer-Encoding ended */
static void te_element(stc_http_t *st)
{
    if (st->te_count < 255)
        st->te_count++;
    /* "chunked" takes no parameters (RFC 9112 7) */
    st->te_last_chunked = st->sub != 3 && st->tlen == 7 && memcmp(st->tok, "chunked", 7) == 0;
}

/* te_byte - Transfer-Encoding = #transfer-coding (sub: 0 before one,
 * 1 in its name, 2 after it, 3 in parameters, 4 dead) */
static void te_byte(stc_http_t *st, unsigned c)
{
    if (st->sub == 4)
        return;
    if (c == ',') {
        if (st->sub != 0)
            te_element(st);
        st->sub = 0;
    } else if (st->sub == 3) {
        return; /* parameters: the coding is not plain "chunked" anyway */
    } else if (stc_c_wsp(c)) {
        if (st->sub == 1)
            st->sub = 2;
    } else if (c == ';' && st->sub != 0) {
        st->sub = 3;
    } else if (is_tchar(c) && st->sub < 2) {
        if (st->sub == 0)
            st->tlen = 0;
        if (st->tlen < sizeof st->tok)
            st->tok[st->tlen++] = (char)stc_c_lower(c);
        else
            st->tlen = 0xff;
        st->sub = 1;
    } else {
        st->te_bad = 1;
        st->sub = 4;
    }
}

/* keep_byte - Content-Type up to ';' and Location whole: leading OWS
 * skipped, the first cap-1 bytes kept, trailing OWS trimmed at the end */
static void keep_byte(stc_http_t *st, unsigned c, char *out, size_t cap)
{
    if (st->sub == 2)
        return;
    if (st->sub == 0 && stc_c_wsp(c))
        return;
    if (st->field == FLD_CT && c == ';') {
        st->sub = 2; /* parameters, charset included, are ignored */
        return;
    }
    st->sub = 1;
    if (st->vcnt < cap - 1)
        out[st->vcnt] = (char)((c < 0x20 || c == 0x7f) ? '?' : c);
    st->vcnt++;
    if (!stc_c_wsp(c))
        st->vend = st->vcnt;
}

/* value_byte - one byte of a field value to the field's own reader */
static void value_byte(stc_http_t *st, unsigned c)
{
    switch (st->field) {
    case FLD_CL:
        cl_byte(st, c);
        break;
    case FLD_TE:
        te_byte(st, c);
        break;
    case FLD_CT:
        keep_byte(st, c, st->mtype_text, sizeof st->mtype_text);
        break;
    case FLD_LOC:
        keep_byte(st, c, st->location, sizeof st->location);
        break;
    default:
        break;
    }
}

/* value_begin - the colon was read: which field is this? Only the final
 * response's header section is recorded (not 1xx heads, not trailers). */
static void value_begin(stc_http_t *st)
{
    const char *n = st->name;
    unsigned nl = st->nlen;

    st->field = FLD_OTHER;
    st->sub = 0;
    st->vcnt = st->vend = 0;
    st->flags |= F_FIELD;
    if ((st->flags & (F_TRAILER | F_INTERIM)) || nl == 0xff)
        return;
    if (stc_c_ieq(n, nl, "content-length")) {
        st->field = FLD_CL;
    } else if (stc_c_ieq(n, nl, "transfer-encoding")) {
        st->field = FLD_TE;
        st->te_mark = st->te_count;
    } else if (stc_c_ieq(n, nl, "content-type")) {
        /* RFC 9110 8.3: a singleton; a repeat is noted and dropped */
        if (st->flags & F_CT_SEEN)
            st->notes |= STC_HTTP_N_CT_REPEAT;
        else
            st->field = FLD_CT;
    } else if (stc_c_ieq(n, nl, "location")) {
        if (!(st->flags & F_LOC_SEEN))
            st->field = FLD_LOC;
    }
}

/* value_end - the field (with any folded continuation) is complete */
static void value_end(stc_http_t *st)
{
    size_t k;

    switch (st->field) {
    case FLD_CL:
        if (st->sub == 1 || st->sub == 2)
            cl_element(st, st->num);
        if (st->vcnt == 0 && st->cl_state != CL_CONFLICT)
            st->cl_state = CL_BAD; /* no value at all */
        break;
    case FLD_TE:
        if (st->sub >= 1 && st->sub <= 3)
            te_element(st);
        if (st->te_count == st->te_mark)
            st->te_bad = 1; /* an empty Transfer-Encoding */
        break;
    case FLD_CT:
        st->flags |= F_CT_SEEN;
        k = st->vend < sizeof st->mtype_text - 1 ? st->vend : sizeof st->mtype_text - 1;
        st->mtype_text[k] = '\0';
        /* RFC 8461 3.2: the media type "text/plain"; type and subtype are
         * case-insensitive (RFC 9110 8.3.1) */
        st->mtype = (st->vend == k && stc_c_ieq(st->mtype_text, k, "text/plain"))
                        ? STC_HTTP_MT_TEXT_PLAIN
                        : STC_HTTP_MT_OTHER;
        break;
    case FLD_LOC:
        st->flags |= F_LOC_SEEN;
        k = st->vend < sizeof st->location - 1 ? st->vend : sizeof st->location - 1;
        st->location[k] = '\0';
        st->location_len = st->vend;
        break;
    default:
        break;
    }
    st->flags &= (uint8_t)~F_FIELD;
}

/* ---- sections ----------------------------------------------------------------- */

/* status_end - the status line is read; 1xx heads are skipped */
static int status_end(stc_http_t *st)
{
    unsigned code = (unsigned)st->num;

    if (st->line < 12)
        return fail(st, STC_HTTP_R_STATUS_LINE, STC_EPROTO);
    /* RFC 9110 15: "Values outside the range 100..599 are invalid" */
    if (code < 100 || code > 599)
        return fail(st, STC_HTTP_R_STATUS_LINE, STC_EPROTO);
    /* a 101 switches protocols, which only an Upgrade request may ask for */
    if (code == 101)
        return fail(st, STC_HTTP_R_STATUS_101, STC_EPROTO);
    if (code < 200) {
        if (st->interim >= STC_HTTP_INTERIM_MAX)
            return fail(st, STC_HTTP_R_TOO_MANY_INTERIM, STC_ETOOLONG);
        st->interim++;
        st->flags |= F_INTERIM;
    } else {
        st->status = (uint16_t)code;
        st->flags &= (uint8_t)~F_INTERIM;
    }
    st->state = S_LINE_START;
    st->line = 0;
    st->fields = 0;
    return STC_EAGAIN;
}

/* status_byte - "HTTP/1.x DDD[ reason]" (RFC 9112 4); position = st->line */
static int status_byte(stc_http_t *st, unsigned c)
{
    static const char name[] = "HTTP/";
    uint32_t pos = st->line;

    if (c == '\r' || c == '\n') {
        /* "HTTP/1.1 200" with no SP: tolerated, noted (the reason-phrase
         * is to be ignored anyway) */
        if (pos != 12)
            return fail(st, STC_HTTP_R_STATUS_LINE, STC_EPROTO);
        st->notes |= STC_HTTP_N_NO_REASON;
        return eol(st, c, A_STATUS);
    }
    if (count(st) != STC_EAGAIN)
        return st->err;
    if (pos < 5) {
        /* HTTP-name = %s"HTTP": case-sensitive */
        if (c != (unsigned char)name[pos])
            return fail(st, STC_HTTP_R_STATUS_LINE, STC_EPROTO);
    } else if (pos == 5 || pos == 7) {
        if (!stc_c_digit(c))
            return fail(st, STC_HTTP_R_STATUS_LINE, STC_EPROTO);
        if (pos == 5 && c != '1')
            return fail(st, STC_HTTP_R_VERSION, STC_EPROTO);
        if (pos == 7)
            st->minor = (uint8_t)(c - '0');
    } else if (pos == 6) {
        if (c != '.')
            return fail(st, STC_HTTP_R_STATUS_LINE, STC_EPROTO);
    } else if (pos == 8 || pos == 12) {
        if (c != ' ')
            return fail(st, STC_HTTP_R_STATUS_LINE, STC_EPROTO);
        if (pos == 12)
            st->state = S_REASON;
    } else { /* 9..11: status-code = 3DIGIT */
        if (!stc_c_digit(c))
            return fail(st, STC_HTTP_R_STATUS_LINE, STC_EPROTO);
        st->num = (pos == 9 ? 0 : st->num * 10) + (c - '0');
    }
    return STC_EAGAIN;
}

/* reason_byte - reason-phrase = *( HTAB / SP / VCHAR / obs-text ) */
static int reason_byte(stc_http_t *st, unsigned c)
{
    if (c == '\r' || c == '\n')
        return eol(st, c, A_STATUS);
    if ((c < 0x20 && c != '\t') || c == 0x7f)
        return fail(st, STC_HTTP_R_STATUS_LINE, STC_EPROTO);
    return count(st);
}

/* head_end - the empty line after a header or trailer section */
static int head_end(stc_http_t *st)
{
    int chunked;

    if (st->flags & F_FIELD)
        value_end(st);
    st->line = 0;
    if (st->flags & F_TRAILER)
        return done(st);
    if (st->flags & F_INTERIM) {
        st->state = S_STATUS; /* "a 1xx ... cannot contain a message body" */
        return STC_EAGAIN;
    }
    st->head_done = 1;
    /* RFC 9112 6.3 (1): "any response with a 1xx, 204, or 304 status code
     * is always terminated by the first empty line after the header
     * fields" */
    if (st->status == 204 || st->status == 304)
        return done(st);
    if (st->te_count > 0 || st->te_bad) {
        /* 6.1: "A server or client that receives an HTTP/1.0 message
         * containing a Transfer-Encoding header field MUST treat the
         * message as if the framing is faulty" */
        if (st->minor == 0)
            return fail(st, STC_HTTP_R_BAD_TE, STC_EPROTO);
        /* We sent no TE field, so chunked is the only coding we accept
         * (RFC 9110 10.1.4), once and last (RFC 9112 6.1) */
        chunked = !st->te_bad && st->te_count == 1 && st->te_last_chunked;
        if (!chunked)
            return fail(st, STC_HTTP_R_BAD_TE, STC_EPROTO);
        /* 6.3 (3): "the Transfer-Encoding overrides the Content-Length" */
        if (st->cl_state != CL_NONE)
            st->notes |= STC_HTTP_N_TE_AND_CL;
        st->framing = STC_HTTP_FR_CHUNKED;
        st->state = S_CHUNK_SIZE;
        st->sub = 0;
        st->num = 0;
        return STC_EAGAIN;
    }
    /* 6.3 (5): "If a message is received without Transfer-Encoding and with
     * an invalid Content-Length header field, then the message framing is
     * invalid" */
    if (st->cl_state == CL_BAD)
        return fail(st, STC_HTTP_R_BAD_LENGTH, STC_EPROTO);
    if (st->cl_state == CL_CONFLICT)
        return fail(st, STC_HTTP_R_LENGTH_CONFLICT, STC_EPROTO);
    if (st->cl_state == CL_OK) {
        st->framing = STC_HTTP_FR_LENGTH;
        /* declared over the bound: said now, not 64 KB later */
        if (st->content_length > st->body_max)
            return fail(st, STC_HTTP_R_BODY_TOO_LONG, STC_ETOOLONG);
        st->left = st->content_length;
        if (st->left == 0)
            return done(st);
        st->state = S_BODY_LENGTH;
        return STC_EAGAIN;
    }
    /* 6.3 (8): "the message body length is determined by the number of
     * octets received prior to the server closing the connection" */
    st->framing = STC_HTTP_FR_CLOSE;
    st->state = S_BODY_CLOSE;
    return STC_EAGAIN;
}

/* line_start - the first byte of a field line, or of the empty line */
static int line_start(stc_http_t *st, unsigned c)
{
    if (stc_c_wsp(c)) {
        /* RFC 9112 2.2: whitespace before the first field line is refused;
         * after a field it is an obs-fold, unfolded into one SP (5.2) */
        if (!(st->flags & F_FIELD))
            return fail(st, STC_HTTP_R_BAD_FIELD, STC_EPROTO);
        st->notes |= STC_HTTP_N_OBS_FOLD;
        value_byte(st, ' ');
        st->state = S_VALUE;
        return count(st);
    }
    if (st->flags & F_FIELD)
        value_end(st);
    if (c == '\r' || c == '\n')
        return eol(st, c, A_HEAD);
    if (!is_tchar(c))
        return fail(st, STC_HTTP_R_BAD_FIELD, STC_EPROTO);
    if (st->fields >= STC_HTTP_FIELDS_MAX)
        return fail(st, STC_HTTP_R_TOO_MANY_FIELDS, STC_ETOOLONG);
    st->fields++;
    if (st->flags & F_TRAILER)
        st->notes |= STC_HTTP_N_TRAILERS;
    st->nlen = 0;
    st->state = S_NAME;
    return STC_EAGAIN; /* the name byte itself is taken by name_byte */
}

/* name_byte - field-name = token, then ":" with no whitespace before it
 * (RFC 9112 5.1: "No whitespace is allowed between the field name and
 * colon") */
static int name_byte(stc_http_t *st, unsigned c)
{
    if (count(st) != STC_EAGAIN)
        return st->err;
    if (c == ':') {
        value_begin(st);
        st->state = S_VALUE;
        return STC_EAGAIN;
    }
    if (!is_tchar(c))
        return fail(st, STC_HTTP_R_BAD_FIELD, STC_EPROTO);
    if (st->nlen < sizeof st->name)
        st->name[st->nlen++] = (char)c;
    else
        st->nlen = 0xff; /* longer than any name we look for */
    return STC_EAGAIN;
}

/* field_byte - a field-value byte, or the line's end */
static int field_byte(stc_http_t *st, unsigned c)
{
    if (c == '\r' || c == '\n')
        return eol(st, c, A_FIELD);
    /* RFC 9110 5.5: "a recipient of CR, LF, or NUL within a field value
     * MUST either reject the message or replace each of those characters
     * with SP": we reject */
    if (c == 0)
        return fail(st, STC_HTTP_R_BAD_FIELD, STC_EPROTO);
    value_byte(st, c);
    return count(st);
}

/* ---- chunked coding (RFC 9112 7.1) ----------------------------------------- */

/* size_end - the chunk-size line is read: data, or the last chunk */
static int size_end(stc_http_t *st)
{
    st->line = 0;
    if (st->num == 0) {
        /* last-chunk: the trailer section follows, read like a header
         * section whose fields are skipped */
        st->flags |= F_TRAILER;
        st->flags &= (uint8_t)~F_FIELD;
        st->fields = 0;
        st->state = S_LINE_START;
        return STC_EAGAIN;
    }
    st->left = st->num;
    st->state = S_CHUNK_DATA;
    return STC_EAGAIN;
}

/* chunk_size_byte - chunk-size = 1*HEXDIG, then [ chunk-ext ] CRLF */
static int chunk_size_byte(stc_http_t *st, unsigned c)
{
    int h = stc_c_hex(c);

    if (h >= 0) {
        /* 7.1: "Recipients MUST anticipate potentially large hexadecimal
         * numerals and prevent parsing errors due to integer conversion
         * overflows": saturate (the body bound stops it) */
        st->num = st->num > (UINT64_MAX >> 4) ? UINT64_MAX : (st->num << 4) | (unsigned)h;
        st->sub = 1;
        return count(st);
    }
    if (st->sub == 0)
        return fail(st, STC_HTTP_R_BAD_CHUNK, STC_EPROTO);
    if (c == ';' || stc_c_wsp(c)) {
        st->state = S_CHUNK_EXT; /* chunk-ext = *( BWS ";" ... ): ignored */
        return count(st);
    }
    if (c == '\r' || c == '\n')
        return eol(st, c, A_SIZE);
    return fail(st, STC_HTTP_R_BAD_CHUNK, STC_EPROTO);
}

/* chunk_ext_byte - skip chunk extensions up to the line's end */
static int chunk_ext_byte(stc_http_t *st, unsigned c)
{
    if (c == '\r' || c == '\n')
        return eol(st, c, A_SIZE);
    if (c == 0)
        return fail(st, STC_HTTP_R_BAD_CHUNK, STC_EPROTO);
    return count(st);
}

/* next_chunk - after a chunk's CRLF */
static int next_chunk(stc_http_t *st)
{
    st->state = S_CHUNK_SIZE;
    st->sub = 0;
    st->num = 0;
    st->line = 0;
    return STC_EAGAIN;
}

/* ---- the byte machine -------------------------------------------------------- */

/* ended - a line ended (LF, or CRLF): what follows */
static int ended(stc_http_t *st, unsigned after)
{
    switch (after) {
    case A_STATUS:
        return status_end(st);
    case A_FIELD:
        st->state = S_LINE_START;
        st->line = 0;
        return STC_EAGAIN;
    case A_HEAD:
        return head_end(st);
    case A_SIZE:
        return size_end(st);
    default:
        return next_chunk(st);
    }
}

/* eol - c (CR or LF) ends the line; after a CR its LF is awaited. A bare
 * LF is taken and noted: RFC 9112 2.2 "a recipient MAY recognize a single
 * LF as a line terminator and ignore any preceding CR" */
static int eol(stc_http_t *st, unsigned c, unsigned after)
{
    if (c == '\r') {
        st->after = (uint8_t)after;
        st->state = S_CR;
        return STC_EAGAIN;
    }
    st->notes |= STC_HTTP_N_BARE_LF;
    return ended(st, after);
}

/* step - one byte in a line-oriented state */
static int step(stc_http_t *st, unsigned c)
{
    /* a CR with no LF after it, by where it stood (RFC 9112 2.2: "A
     * recipient of such a bare CR MUST consider that element to be invalid
     * or replace each bare CR with SP") */
    static const uint8_t bare_cr[] = {STC_HTTP_R_STATUS_LINE, STC_HTTP_R_BAD_FIELD,
                                      STC_HTTP_R_BAD_FIELD, STC_HTTP_R_BAD_CHUNK,
                                      STC_HTTP_R_BAD_CHUNK};
    int rc;

    switch (st->state) {
    case S_STATUS:
        return status_byte(st, c);
    case S_REASON:
        return reason_byte(st, c);
    case S_LINE_START:
        st->line = 0;
        rc = line_start(st, c);
        if (rc != STC_EAGAIN || st->state != S_NAME)
            return rc;
        return name_byte(st, c); /* the name's first byte */
    case S_NAME:
        return name_byte(st, c);
    case S_VALUE:
        return field_byte(st, c);
    case S_CR:
        if (c != '\n')
            return fail(st, bare_cr[st->after], STC_EPROTO);
        return ended(st, st->after);
    case S_CHUNK_SIZE:
        return chunk_size_byte(st, c);
    case S_CHUNK_EXT:
        return chunk_ext_byte(st, c);
    case S_CHUNK_END:
        /* chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF */
        if (c == '\r' || c == '\n')
            return eol(st, c, A_CHUNK);
        return fail(st, STC_HTTP_R_BAD_CHUNK, STC_EPROTO);
    default:
        return fail(st, STC_HTTP_R_STATUS_LINE, STC_EINVAL); /* not reached */
    }
}

/* body - give q[0..k) to the callback within body_max; *took = bytes
 * consumed (one past the bound when it is crossed) */
static int body(stc_http_t *st, const uint8_t *q, size_t k, size_t *took,
                stc_http_body_fn cb, void *ctx)
{
    uint32_t room = st->body_max - st->body_len;
    size_t give = k > room ? room : k;
    int rc;

    *took = give;
    if (give > 0) {
        st->body_len += (uint32_t)give;
        if (cb && (rc = cb(ctx, q, give)) < 0)
            return fail(st, STC_HTTP_R_STOPPED, rc);
    }
    if (k > room) {
        /* the first byte past the bound: "over the bound" at once */
        *took = give + 1;
        return fail(st, STC_HTTP_R_BODY_TOO_LONG, STC_ETOOLONG);
    }
    return STC_EAGAIN;
}

/* stc_http_feed - see policy.h */
int stc_http_feed(stc_http_t *st, const uint8_t *p, size_t n, size_t *used,
                  stc_http_body_fn body_cb, void *ctx)
{
    stc_buf_t b;
    int rc = STC_EAGAIN;

    stc_buf_init(&b, p, n);
    while (rc == STC_EAGAIN && stc_buf_left(&b) > 0) {
        if (st->state == S_DONE || st->state == S_ERROR)
            break;
        if (st->state == S_BODY_LENGTH || st->state == S_CHUNK_DATA ||
            st->state == S_BODY_CLOSE) {
            size_t k = stc_buf_left(&b), took;
            const uint8_t *q = NULL;
            if (st->state != S_BODY_CLOSE && st->left < k)
                k = (size_t)st->left;
            (void)stc_buf_bytes(&b, k, &q);
            rc = body(st, q, k, &took, body_cb, ctx);
            (void)stc_buf_seek(&b, b.off - k + (took < k ? took : k));
            if (rc != STC_EAGAIN)
                break;
            if (st->state != S_BODY_CLOSE) {
                st->left -= k;
                if (st->left == 0) {
                    if (st->state == S_BODY_LENGTH)
                        rc = done(st);
                    else
                        st->state = S_CHUNK_END;
                }
            }
        } else {
            uint8_t c = 0;
            (void)stc_buf_u8(&b, &c);
            rc = step(st, c);
        }
    }
    *used = b.off;
    if (st->state == S_DONE)
        return STC_OK;
    if (st->state == S_ERROR)
        return st->err;
    return STC_EAGAIN;
}

/* stc_http_eof - see policy.h */
int stc_http_eof(stc_http_t *st)
{
    if (st->state == S_DONE)
        return STC_OK;
    if (st->state == S_ERROR)
        return st->err;
    if (st->state == S_BODY_CLOSE)
        return done(st);
    if (st->state == S_STATUS && st->line == 0 && st->interim == 0)
        return fail(st, STC_HTTP_R_EMPTY, STC_EPROTO);
    /* RFC 9112 8: "A message that uses a valid Content-Length is
     * incomplete if the size of the message body received (in octets) is
     * less than the value given by Content-Length. A response that has
     * neither chunked transfer coding nor Content-Length is terminated by
     * closure of the connection and, if its header fields were received
     * intact, is considered complete" */
    return fail(st, STC_HTTP_R_TRUNCATED, STC_EPROTO);
}

/* stc_http_result_name - see policy.h */
const char *stc_http_result_name(unsigned result)
{
    static const char *const names[] = {
        "reading", "ok", "empty", "truncated", "bad_status_line", "bad_version",
        "line_too_long", "too_many_fields", "too_many_interim", "bad_field",
        "bad_content_length", "content_length_conflict", "bad_transfer_encoding",
        "bad_chunk", "body_too_long", "switching_protocols", "stopped"};
    return result < sizeof names / sizeof names[0] ? names[result] : "unknown";
}
