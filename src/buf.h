/* buf.h - the one bounded reader (and writer) under every parser of network
 * input: DNS messages, TLS records and handshake messages, HTTP and policy
 * text. Header-only, no allocation, no libc beyond memcpy.
 *
 * Reading: a cursor over (p, len). Every fetch checks what is left first;
 * a fetch that does not fit returns 0, leaves the output untouched and makes
 * the cursor `bad` (sticky), so a parser may read several fields and test
 * once. No length read from the input is used before it has been compared
 * with what is left (stc_buf_sub takes a length-prefixed vector as a cursor
 * of its own, bounded by both).
 *
 * Writing: a cursor over (p, cap) with the same sticky `bad`; stc_wbuf_open
 * reserves a 1-3 byte length prefix that stc_wbuf_close fills in, for TLS
 * vectors and DNS rdata.
 */
#ifndef STC_BUF_H
#define STC_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct stc_buf {
    const uint8_t *p;
    size_t len, off; /* invariant: off <= len */
    int bad;         /* a fetch did not fit (sticky) */
} stc_buf_t;

/* stc_buf_init - a cursor over p[0..n) */
static inline void stc_buf_init(stc_buf_t *b, const uint8_t *p, size_t n)
{
    b->p = p;
    b->len = p ? n : 0;
    b->off = 0;
    b->bad = 0;
}

/* stc_buf_left - bytes not yet read */
static inline size_t stc_buf_left(const stc_buf_t *b)
{
    return b->len - b->off;
}

/* stc_buf_need - 1 when n bytes are left, else mark the cursor bad */
static inline int stc_buf_need(stc_buf_t *b, size_t n)
{
    if (b->bad || stc_buf_left(b) < n) {
        b->bad = 1;
        return 0;
    }
    return 1;
}

/* stc_buf_u8 / u16 / u24 / u32 - big-endian fields */
static inline int stc_buf_u8(stc_buf_t *b, uint8_t *v)
{
    if (!stc_buf_need(b, 1))
        return 0;
    *v = b->p[b->off++];
    return 1;
}
static inline int stc_buf_u16(stc_buf_t *b, uint16_t *v)
{
    if (!stc_buf_need(b, 2))
        return 0;
    *v = (uint16_t)(((unsigned)b->p[b->off] << 8) | b->p[b->off + 1]);
    b->off += 2;
    return 1;
}
static inline int stc_buf_u24(stc_buf_t *b, uint32_t *v)
{
    if (!stc_buf_need(b, 3))
        return 0;
    *v = ((uint32_t)b->p[b->off] << 16) | ((uint32_t)b->p[b->off + 1] << 8) | b->p[b->off + 2];
    b->off += 3;
    return 1;
}
static inline int stc_buf_u32(stc_buf_t *b, uint32_t *v)
{
    if (!stc_buf_need(b, 4))
        return 0;
    *v = ((uint32_t)b->p[b->off] << 24) | ((uint32_t)b->p[b->off + 1] << 16) |
         ((uint32_t)b->p[b->off + 2] << 8) | b->p[b->off + 3];
    b->off += 4;
    return 1;
}

/* stc_buf_skip - step over n bytes */
static inline int stc_buf_skip(stc_buf_t *b, size_t n)
{
    if (!stc_buf_need(b, n))
        return 0;
    b->off += n;
    return 1;
}

/* stc_buf_bytes - *out points at the next n bytes (not copied) */
static inline int stc_buf_bytes(stc_buf_t *b, size_t n, const uint8_t **out)
{
    if (!stc_buf_need(b, n))
        return 0;
    *out = b->p + b->off;
    b->off += n;
    return 1;
}

/* stc_buf_copy - copy the next n bytes to out */
static inline int stc_buf_copy(stc_buf_t *b, void *out, size_t n)
{
    if (!stc_buf_need(b, n))
        return 0;
    if (n)
        memcpy(out, b->p + b->off, n);
    b->off += n;
    return 1;
}

/* stc_buf_sub - a vector with a `width`-byte (1..3) length prefix: *sub is
 * a cursor over its body, which this cursor steps over */
static inline int stc_buf_sub(stc_buf_t *b, unsigned width, stc_buf_t *sub)
{
    uint32_t n = 0;
    uint8_t v8;
    uint16_t v16;
    int ok;

    if (width == 1) {
        ok = stc_buf_u8(b, &v8);
        n = v8;
    } else if (width == 2) {
        ok = stc_buf_u16(b, &v16);
        n = v16;
    } else if (width == 3) {
        ok = stc_buf_u24(b, &n);
    } else {
        b->bad = 1;
        ok = 0;
    }
    if (!ok || !stc_buf_need(b, n)) {
        stc_buf_init(sub, NULL, 0);
        sub->bad = 1;
        return 0;
    }
    stc_buf_init(sub, b->p + b->off, n);
    b->off += n;
    return 1;
}

/* stc_buf_seek - move to absolute offset off (within the cursor) */
static inline int stc_buf_seek(stc_buf_t *b, size_t off)
{
    if (b->bad || off > b->len) {
        b->bad = 1;
        return 0;
    }
    b->off = off;
    return 1;
}

/* ---- DER (X.690 8.1: tag, length, value) ------------------------------------- */

/* stc_der_tlv - the next TLV (low-tag-number form): *tag and a cursor over
 * its value, which this cursor steps over. Definite lengths of up to four
 * octets only (X.690 10.1: DER has no indefinite length). */
static inline int stc_der_tlv(stc_buf_t *b, uint8_t *tag, stc_buf_t *body)
{
    uint8_t t, l, k, v;
    uint32_t n = 0;

    if (!stc_buf_u8(b, &t) || (t & 0x1f) == 0x1f || !stc_buf_u8(b, &l))
        goto bad;
    if (l & 0x80) {
        k = (uint8_t)(l & 0x7f);
        if (k == 0 || k > 4)
            goto bad;
        while (k--) {
            if (!stc_buf_u8(b, &v))
                goto bad;
            n = (n << 8) | v;
        }
    } else {
        n = l;
    }
    if (!stc_buf_need(b, n))
        goto bad;
    *tag = t;
    stc_buf_init(body, b->p + b->off, n);
    b->off += n;
    return 1;
bad:
    b->bad = 1;
    stc_buf_init(body, NULL, 0);
    body->bad = 1;
    return 0;
}

/* stc_der_enter - the next TLV must carry `tag`: *body is its value */
static inline int stc_der_enter(stc_buf_t *b, uint8_t tag, stc_buf_t *body)
{
    uint8_t t;
    if (!stc_der_tlv(b, &t, body))
        return 0;
    if (t != tag) {
        b->bad = 1;
        return 0;
    }
    return 1;
}

/* stc_der_skip - step over the next TLV, whatever it is */
static inline int stc_der_skip(stc_buf_t *b)
{
    uint8_t t;
    stc_buf_t body;
    return stc_der_tlv(b, &t, &body);
}

/* ---- writing --------------------------------------------------------------- */

typedef struct stc_wbuf {
    uint8_t *p;
    size_t cap, off; /* invariant: off <= cap */
    int bad;         /* a put did not fit (sticky) */
} stc_wbuf_t;

/* stc_wbuf_init - a write cursor over p[0..cap) */
static inline void stc_wbuf_init(stc_wbuf_t *w, uint8_t *p, size_t cap)
{
    w->p = p;
    w->cap = p ? cap : 0;
    w->off = 0;
    w->bad = 0;
}

/* stc_wbuf_room - 1 when n more bytes fit, else mark the cursor bad */
static inline int stc_wbuf_room(stc_wbuf_t *w, size_t n)
{
    if (w->bad || w->cap - w->off < n) {
        w->bad = 1;
        return 0;
    }
    return 1;
}

static inline void stc_wbuf_u8(stc_wbuf_t *w, unsigned v)
{
    if (stc_wbuf_room(w, 1))
        w->p[w->off++] = (uint8_t)v;
}
static inline void stc_wbuf_u16(stc_wbuf_t *w, unsigned v)
{
    if (!stc_wbuf_room(w, 2))
        return;
    w->p[w->off++] = (uint8_t)(v >> 8);
    w->p[w->off++] = (uint8_t)v;
}
static inline void stc_wbuf_u24(stc_wbuf_t *w, uint32_t v)
{
    if (!stc_wbuf_room(w, 3))
        return;
    w->p[w->off++] = (uint8_t)(v >> 16);
    w->p[w->off++] = (uint8_t)(v >> 8);
    w->p[w->off++] = (uint8_t)v;
}
static inline void stc_wbuf_bytes(stc_wbuf_t *w, const void *p, size_t n)
{
    if (!stc_wbuf_room(w, n))
        return;
    if (n)
        memcpy(w->p + w->off, p, n);
    w->off += n;
}
static inline void stc_wbuf_str(stc_wbuf_t *w, const char *s)
{
    stc_wbuf_bytes(w, s, strlen(s));
}

/* stc_wbuf_open - reserve a `width`-byte (1..3) length prefix; returns the
 * mark to give stc_wbuf_close once the vector's body is written */
static inline size_t stc_wbuf_open(stc_wbuf_t *w, unsigned width)
{
    size_t mark = w->off;
    if (width < 1 || width > 3) {
        w->bad = 1;
        return mark;
    }
    while (width--)
        stc_wbuf_u8(w, 0);
    return mark;
}

/* stc_wbuf_close - fill in the prefix reserved at mark with the length of
 * what was written since; an overflowing length makes the cursor bad */
static inline void stc_wbuf_close(stc_wbuf_t *w, size_t mark, unsigned width)
{
    size_t n, i;
    if (w->bad || width < 1 || width > 3 || mark + width > w->off)
        return;
    n = w->off - mark - width;
    if (width < 3 && n >> (8 * width)) {
        w->bad = 1;
        return;
    }
    if (n > 0xffffffu) {
        w->bad = 1;
        return;
    }
    for (i = 0; i < width; i++)
        w->p[mark + i] = (uint8_t)(n >> (8 * (width - 1 - i)));
}

#endif /* STC_BUF_H */
