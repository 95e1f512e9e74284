/* json.c - JSON string literals from untrusted bytes (RFC 8259)
 *
 * Banners, certificate names and host names come from the network: the
 * output must stay valid JSON and valid UTF-8 whatever they hold.
 */
#include "stc_int.h"

#include <string.h>

/* Output is gathered in a small buffer so the sink sees few, larger writes. */
typedef struct jbuf {
    stc_write_fn w;
    void *ctx;
    size_t n;
    int err;
    char b[128];
} jbuf_t;

/* flush - hand the gathered bytes to the sink; keeps its first non-zero */
static void flush(jbuf_t *j)
{
    if (j->err == 0 && j->n > 0)
        j->err = j->w(j->ctx, j->b, j->n);
    j->n = 0;
}

/* put - append n bytes (n < sizeof b) */
static void put(jbuf_t *j, const char *p, size_t n)
{
    if (j->n + n > sizeof j->b)
        flush(j);
    memcpy(j->b + j->n, p, n);
    j->n += n;
}

/* utf8_len - length of the valid UTF-8 sequence at p, or 0.
 * RFC 3629 4 (Syntax of UTF-8 Byte Sequences) is enforced: no overlong
 * forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF. */
static size_t utf8_len(const uint8_t *p)
{
    uint8_t c = p[0];
    size_t need, i;
    uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */

    if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        else if (c == 0xed)
            hi = 0x9f; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        else if (c == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0; /* 0x80..0xc1 (continuation or overlong lead), 0xf5.. */
    }
    /* The terminating NUL is not a continuation byte, so this stops there. */
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (i = 2; i <= need; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return need + 1;
}

/* stc_json_string - s as a quoted JSON string; see stc_int.h */
int stc_json_string(stc_write_fn w, void *ctx, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = (const uint8_t *)s;
    jbuf_t j;

    j.w = w;
    j.ctx = ctx;
    j.n = 0;
    j.err = 0;
    put(&j, "\"", 1);
    while (*p != '\0' && j.err == 0) {
        uint8_t c = *p;
        size_t len;

        /* RFC 8259 7: "All Unicode characters may be placed within the
         * quotation marks, except for the characters that MUST be escaped:
         * quotation mark, reverse solidus, and the control characters
         * (U+0000 through U+001F)." DEL (0x7f) may pass. */
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(&j, e, 2);
            p++;
        } else if (c < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
            switch (c) {
            case '\n': put(&j, "\\n", 2); break;
            case '\r': put(&j, "\\r", 2); break;
            case '\t': put(&j, "\\t", 2); break;
            case '\b': put(&j, "\\b", 2); break;
            case '\f': put(&j, "\\f", 2); break;
            default: put(&j, e, 6); break;
            }
            p++;
        } else if (c < 0x80) {
            put(&j, (const char *)p, 1);
            p++;
        } else if ((len = utf8_len(p)) > 0) {
            put(&j, (const char *)p, len);
            p += len;
        } else {
            /* One U+FFFD per byte that does not start a valid sequence;
             * the bytes after it are judged afresh. */
            put(&j, "\\ufffd", 6);
            p++;
        }
    }
    put(&j, "\"", 1);
    flush(&j);
    return j.err;
}
