/* cli_out.c - growable strings, the output stream and the --ordered window
 *
 * Every report is rendered into a string first and written in one piece,
 * then flushed: a crash or a kill leaves whole lines behind, or at worst
 * one half-written last line (which --resume drops). With --ordered the
 * strings wait in a ring of `window` entries, indexed by sequence number,
 * until every earlier one has been written.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* cli_grow - *p (an array of *cap elements of size bytes) holds at least
 * need elements: doubled as needed; 0, or -1 out of memory (*p kept) */
int cli_grow(void *p, size_t *cap, size_t need, size_t size)
{
    void **pp = (void **)p, *m;
    size_t c = *cap ? *cap : 64;
    if (need <= *cap)
        return 0;
    while (c < need) {
        if (c > ((size_t)-1) / 2 / size)
            return -1;
        c *= 2;
    }
    m = realloc(*pp, c * size);
    if (m == NULL)
        return -1;
    *pp = m;
    *cap = c;
    return 0;
}

/* sbuf_grow - room for n more bytes and a NUL; 0 or -1 (failed set) */
static int sbuf_grow(sbuf_t *b, size_t n)
{
    size_t cap;
    char *p;
    if (b->failed)
        return -1;
    if (b->n + n + 1 <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 256;
    while (cap < b->n + n + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    p = realloc(b->p, cap);
    if (p == NULL) {
        b->failed = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

/* sbuf_write - append p[0..n) (an stc_write_fn: 0, or -1 out of memory) */
int sbuf_write(void *ctx, const char *p, size_t n)
{
    sbuf_t *b = (sbuf_t *)ctx;
    if (sbuf_grow(b, n) != 0)
        return -1;
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

/* sbuf_puts - append a C string */
void sbuf_puts(sbuf_t *b, const char *s)
{
    sbuf_write(b, s, strlen(s));
}

/* sbuf_printf - append formatted text */
void sbuf_printf(sbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    int k;
    char small[256];

    va_start(ap, fmt);
    k = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (k < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)k < sizeof small) {
        sbuf_write(b, small, (size_t)k);
        return;
    }
    if (sbuf_grow(b, (size_t)k) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* sbuf_json_str - s as a JSON string: quote, backslash, control bytes and
 * bytes beyond ASCII escaped as the core does (non-ASCII -> U+FFFD) */
void sbuf_json_str(sbuf_t *b, const char *s)
{
    char e[8];
    sbuf_write(b, "\"", 1);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            e[0] = '\\';
            e[1] = (char)ch;
            sbuf_write(b, e, 2);
        } else if (ch < 0x20 || ch >= 0x7f) {
            snprintf(e, sizeof e, "\\u%04x", ch < 0x80 ? ch : 0xfffd);
            sbuf_write(b, e, 6);
        } else {
            sbuf_write(b, (const char *)&ch, 1);
        }
    }
    sbuf_write(b, "\"", 1);
}

void sbuf_free(sbuf_t *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- the stream ----------------------------------------------------------- */

typedef struct held {
    char *p; /* NULL: not finished yet */
    size_t n;
    int ready;
} held_t;

static struct {
    FILE *f;
    FILE *tee; /* $STC_JSON_TEE */
    int json, ordered;
    int failed; /* errno of the first failed write */
    size_t window;
    unsigned long next_seq, next_write;
    held_t *ring;
} out;

/* out_init - the stream, the format and the --ordered window (>= 1) */
int out_init(FILE *f, int json, int ordered, size_t window)
{
    const char *t = getenv("STC_JSON_TEE");
    out.f = f;
    out.json = json;
    out.ordered = ordered;
    out.window = window ? window : 1;
    if (t && *t && out.tee == NULL)
        out.tee = fopen(t, "a");
    if (ordered) {
        out.ring = calloc(out.window, sizeof *out.ring);
        if (out.ring == NULL)
            return -1;
    }
    return 0;
}

int out_failed(void)
{
    return out.failed;
}

void out_set_failed(int err)
{
    if (!out.failed)
        out.failed = err ? err : EIO;
}

/* put - one whole piece to f, flushed; the JSON tee gets JSON lines too */
static void put(FILE *f, const char *p, size_t n, int json)
{
    if (json && out.tee) {
        fwrite(p, 1, n, out.tee);
        fflush(out.tee);
    }
    if (out.failed || n == 0)
        return;
    errno = 0;
    if (fwrite(p, 1, n, f) != n || fflush(f) != 0)
        out_set_failed(errno);
}

int out_room(void)
{
    return !out.ordered || out.next_seq - out.next_write < out.window;
}

unsigned long out_reserve(void)
{
    return out.next_seq++;
}

/* drain - write the held reports that are next in order */
static void drain(void)
{
    for (;;) {
        held_t *h = &out.ring[out.next_write % out.window];
        if (out.next_write == out.next_seq || !h->ready)
            return;
        put(out.f, h->p, h->n, out.json);
        free(h->p);
        memset(h, 0, sizeof *h);
        out.next_write++;
    }
}

void out_emit(unsigned long seq, sbuf_t *b)
{
    held_t *h;
    if (b->failed) {
        /* the report could not be rendered: out of memory is our failure */
        out_set_failed(ENOMEM);
        sbuf_free(b);
    }
    if (!out.ordered) {
        put(out.f, b->p ? b->p : "", b->n, out.json);
        sbuf_free(b);
        return;
    }
    h = &out.ring[seq % out.window];
    h->p = b->p;
    h->n = b->n;
    h->ready = 1;
    memset(b, 0, sizeof *b);
    drain();
}

void out_flush_held(void)
{
    if (!out.ordered)
        return;
    while (out.next_write != out.next_seq) {
        held_t *h = &out.ring[out.next_write % out.window];
        if (h->ready)
            put(out.f, h->p, h->n, out.json);
        free(h->p);
        memset(h, 0, sizeof *h);
        out.next_write++;
    }
}

void out_extra(FILE *f, sbuf_t *b, int json)
{
    if (b->failed)
        out_set_failed(ENOMEM);
    else
        put(f, b->p ? b->p : "", b->n, json);
    sbuf_free(b);
}

void out_free(void)
{
    size_t i;
    if (out.ring)
        for (i = 0; i < out.window; i++)
            free(out.ring[i].p);
    free(out.ring);
    out.ring = NULL;
    if (out.tee)
        fclose(out.tee);
    out.tee = NULL;
}
