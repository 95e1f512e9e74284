/* smtp_reply.c - incremental reader of SMTP replies (RFC 5321 4.2)
 *
 * Bytes may arrive one at a time and a reply may be split anywhere: all
 * state lives in the caller's stc_reply_t. The reader stops at the LF that
 * ends the last line of a reply, so bytes after it (for example plaintext
 * injected after "220 Ready to start TLS") stay with the caller. Memory is
 * bounded by STC_REPLY_LINE_MAX whatever the peer sends.
 */
#include "stc_int.h"

#include <string.h>

/* is_digit - ASCII decimal digit, independent of the C locale */
static int is_digit(uint8_t ch)
{
    return ch >= '0' && ch <= '9';
}

/* to_upper - ASCII upper case, independent of the C locale */
static uint8_t to_upper(uint8_t ch)
{
    return (ch >= 'a' && ch <= 'z') ? (uint8_t)(ch - 'a' + 'A') : ch;
}

/* stc_reply_reset - forget everything and wait for the first line */
void stc_reply_reset(stc_reply_t *r, int ehlo)
{
    memset(r, 0, sizeof *r);
    r->ehlo = ehlo ? 1u : 0u;
}

/* Keywords we record; RFC 5321 4.1.1.1: "EHLO keywords ... MUST always be
 * recognized and processed in a case-insensitive manner". */
static const struct {
    const char *kw;
    uint16_t bit;
} keywords[] = {
    {"STARTTLS", STC_EXT_STARTTLS},
    {"PIPELINING", STC_EXT_PIPELINING},
    {"SIZE", STC_EXT_SIZE},
    {"8BITMIME", STC_EXT_8BITMIME},
    {"SMTPUTF8", STC_EXT_SMTPUTF8},
    {"REQUIRETLS", STC_EXT_REQUIRETLS},
    {"CHUNKING", STC_EXT_CHUNKING},
    {"DSN", STC_EXT_DSN},
    {"ENHANCEDSTATUSCODES", STC_EXT_ENHANCEDSTATUSCODES},
    {"AUTH", STC_EXT_AUTH},
};

/* stc_ehlo_keyword - STC_EXT_* bit of one EHLO line ("KEYWORD[ params]") */
uint16_t stc_ehlo_keyword(const char *text, size_t n)
{
    size_t len = 0, i, k;

    /* The keyword ends at SP (RFC 5321 4.1.1.1 ehlo-line); '=' also ends
     * it because old servers still announce "AUTH=LOGIN". */
    while (len < n && text[len] != ' ' && text[len] != '=')
        len++;
    for (k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
        const char *kw = keywords[k].kw;
        if (strlen(kw) != len)
            continue;
        for (i = 0; i < len; i++)
            if (to_upper((uint8_t)text[i]) != (uint8_t)kw[i])
                break;
        if (i == len)
            return keywords[k].bit;
    }
    return 0;
}

/* prefix_ok - check byte pos (0..3) of a line as soon as it arrives, so a
 * peer that is not speaking SMTP is caught without waiting for its LF */
static int prefix_ok(const stc_reply_t *r, size_t pos)
{
    uint8_t ch = (uint8_t)r->head[pos];

    /* RFC 5321 4.2: "Reply-code = %x32-35 %x30-35 %x30-39"; we accept any
     * second digit, as deployed servers and clients do. */
    if (pos == 0)
        return ch >= '2' && ch <= '5';
    if (pos == 1)
        return is_digit(ch);
    if (pos == 2) {
        uint16_t code;
        if (!is_digit(ch))
            return 0;
        code = (uint16_t)((r->head[0] - '0') * 100 + (r->head[1] - '0') * 10 + (ch - '0'));
        /* RFC 5321 4.2.1: continuation lines carry "the same code" */
        return r->nlines == 0 || code == r->code;
    }
    /* '\r' may start the CRLF of a bare "250" last line */
    return ch == ' ' || ch == '-' || ch == '\r';
}

/* keep_first - one byte of the first line's text, sanitized: NUL,
 * controls, DEL and non-ASCII would garble logs and reports */
static void keep_first(stc_reply_t *r, uint8_t ch)
{
    if (r->firstlen + 1u >= sizeof r->first)
        return;
    r->first[r->firstlen++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    r->first[r->firstlen] = '\0';
}

/* end_line - judge one complete line of len bytes (CR already dropped);
 * STC_OK when it was the last line of the reply, STC_EAGAIN when more
 * lines follow */
static int end_line(stc_reply_t *r, size_t len)
{
    size_t tlen;
    int last;

    /* prefix_ok has checked every byte of the first four that arrived */
    if (len < 3)
        return STC_EPROTO;
    if (len == 3) {
        last = 1; /* "250" alone: a last line without text */
    } else if (r->head[3] == ' ') {
        last = 1;
    } else if (r->head[3] == '-') {
        last = 0;
    } else {
        return STC_EPROTO; /* "250\rx": a CR that did not end the line */
    }
    if (r->nlines == 0)
        r->code = (uint16_t)((r->head[0] - '0') * 100 + (r->head[1] - '0') * 10 +
                             (r->head[2] - '0'));
    else if (r->ehlo && r->code == 250) {
        /* RFC 5321 4.1.1.1: every line after the first is an ehlo-line;
         * a refusal's text is not a list of extensions. The head holds
         * the longest keyword we know and the byte after it. */
        tlen = len > 3 ? len - 4 : 0;
        if (tlen > sizeof r->head - 4)
            tlen = sizeof r->head - 4;
        r->ext |= stc_ehlo_keyword(r->head + 4, tlen);
    }
    /* Lines beyond STC_REPLY_LINES_MAX are counted, not refused: the
     * reply is read to its end within the command's deadline and its
     * keywords still count; the caller reports the excess. */
    if (r->nlines < 0xffffu)
        r->nlines++;
    if (r->nlines > STC_REPLY_LINES_MAX)
        r->toolong = 1;
    r->linelen = 0;
    r->cr = 0;
    if (!last)
        return STC_EAGAIN;
    r->done = 1;
    return STC_OK;
}

/* stc_reply_feed - consume bytes up to the end of the reply; see stc_int.h */
int stc_reply_feed(stc_reply_t *r, const uint8_t *p, size_t n, size_t *used)
{
    size_t i;

    *used = 0;
    if (r->done)
        return STC_OK; /* the caller resets before the next reply */
    for (i = 0; i < n; i++) {
        uint8_t ch = p[i];

        if (ch == '\n') {
            size_t len = r->linelen;
            int rc;
            if (r->cr) { /* CRLF; a bare LF is accepted too */
                len--;
                if (r->nlines == 0 && len >= 4 && r->firstlen > 0 &&
                    len - 4 < sizeof r->first - 1)
                    r->first[--r->firstlen] = '\0'; /* the CR kept as text */
            }
            rc = end_line(r, len);
            if (rc != STC_EAGAIN) {
                *used = i + 1;
                return rc;
            }
            continue;
        }
        if (r->linelen >= STC_REPLY_LINE_MAX) {
            /* RFC 5321 4.5.3.1.5: "The maximum total length of a reply
             * line including the reply code and the <CRLF> is 512
             * octets." The rest of the line is dropped; a CR here may
             * still be the end of a line that just fits. */
            if (ch != '\r')
                r->overlong = 1;
            r->cr = 0;
            continue;
        }
        r->cr = ch == '\r';
        if (r->linelen < sizeof r->head)
            r->head[r->linelen] = (char)ch;
        if (r->nlines == 0 && r->linelen >= 4)
            keep_first(r, ch);
        r->linelen++;
        if (r->linelen <= 4 && !prefix_ok(r, r->linelen - 1u)) {
            *used = i + 1;
            return STC_EPROTO;
        }
    }
    *used = n;
    return STC_EAGAIN;
}
