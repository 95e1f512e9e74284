/* fuzz_smtp_reply.c - libFuzzer target for the SMTP reply reader
 *
 * Input: byte 0 picks the EHLO flag (bit 0) and a split position for the
 * rest; the rest is a stream of replies. The stream is read three ways (in
 * two pieces split there, one byte per call, and whole) and every way must
 * see the same replies. Invariants: *used <= n, EAGAIN consumes all it was
 * given, linelen <= STC_REPLY_LINE_MAX, a finished reply has a code of
 * 200..599 and a terminated, printable first line.
 */
#include "stc_int.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_EVENTS 64

/* What one reading of the stream saw: a result per reply read. */
typedef struct trace {
    int n;
    struct {
        int rc;
        size_t end; /* stream offset after the reply */
        uint16_t code, nlines, ext;
        uint8_t overlong;
        char first[STC_BANNER_MAX];
    } ev[MAX_EVENTS];
} trace_t;

/* check_state - invariants that hold after every call */
static void check_state(const stc_reply_t *r, int rc, size_t used, size_t n)
{
    size_t i;

    if (used > n || r->linelen > STC_REPLY_LINE_MAX)
        abort();
    if ((r->nlines > STC_REPLY_LINES_MAX) != (r->toolong != 0))
        abort(); /* too many lines are counted and flagged, never stored */
    if (r->firstlen >= sizeof r->first || r->first[r->firstlen] != '\0')
        abort();
    if (rc == STC_EAGAIN && used != n)
        abort();
    if (rc != STC_OK && rc != STC_EAGAIN && rc != STC_EPROTO)
        abort();
    if (rc == STC_OK) {
        if (r->code < 200 || r->code > 599 || !r->done || r->nlines == 0 || used == 0)
            abort();
        for (i = 0; i < sizeof r->first && r->first[i] != '\0'; i++)
            if ((uint8_t)r->first[i] < 0x20 || (uint8_t)r->first[i] >= 0x7f)
                abort();
        if (i == sizeof r->first)
            abort(); /* not terminated */
    }
    if (!r->ehlo && r->ext != 0)
        abort();
}

/* record - note one finished reply (or error) in the trace */
static void record(trace_t *t, const stc_reply_t *r, int rc, size_t end)
{
    if (t->n >= MAX_EVENTS)
        return;
    t->ev[t->n].rc = rc;
    t->ev[t->n].end = end;
    t->ev[t->n].code = r->code;
    t->ev[t->n].nlines = r->nlines;
    t->ev[t->n].ext = r->ext;
    t->ev[t->n].overlong = r->overlong;
    memcpy(t->ev[t->n].first, r->first, sizeof r->first);
    t->n++;
}

/* run - read p[0..n) delivered in pieces ending at the given cut points
 * (step = 0: cuts at {split, n}; step = 1: one byte per call) */
static void run(trace_t *t, const uint8_t *p, size_t n, size_t split, int step, int ehlo)
{
    static stc_reply_t r;
    size_t off = 0, piece_end;

    memset(t, 0, sizeof *t);
    stc_reply_reset(&r, ehlo);
    while (off < n) {
        if (step)
            piece_end = off + 1;
        else
            piece_end = off < split ? split : n;
        /* feed this piece until it is used up or the reader stops */
        while (off < piece_end) {
            size_t used = (size_t)-1, len = piece_end - off;
            int rc = stc_reply_feed(&r, p + off, len, &used);
            check_state(&r, rc, used, len);
            off += used;
            if (rc == STC_EAGAIN)
                break;
            record(t, &r, rc, off);
            if (rc != STC_OK)
                return; /* errors end the stream, as they end a dialogue */
            stc_reply_reset(&r, ehlo);
        }
    }
}

/* same - two traces agree */
static int same(const trace_t *a, const trace_t *b)
{
    int i;

    if (a->n != b->n)
        return 0;
    for (i = 0; i < a->n; i++)
        if (a->ev[i].rc != b->ev[i].rc || a->ev[i].end != b->ev[i].end ||
            a->ev[i].code != b->ev[i].code || a->ev[i].nlines != b->ev[i].nlines ||
            a->ev[i].ext != b->ev[i].ext || a->ev[i].overlong != b->ev[i].overlong ||
            strcmp(a->ev[i].first, b->ev[i].first) != 0)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static trace_t a, b, c;
    const uint8_t *p;
    size_t n, split;
    int ehlo;

    if (size < 1)
        return 0;
    ehlo = data[0] & 1;
    p = data + 1;
    n = size - 1;
    split = n ? ((size_t)(data[0] >> 1) * n) / 127 : 0;
    if (split > n)
        split = n;
    run(&a, p, n, split, 0, ehlo);
    run(&b, p, n, 0, 1, ehlo);
    run(&c, p, n, n, 0, ehlo);
    if (!same(&a, &b) || !same(&a, &c))
        abort();
    /* the keyword mapper alone, on the raw bytes */
    if ((stc_ehlo_keyword((const char *)p, n) & ~0x03ffu) != 0)
        abort();
    return 0;
}
