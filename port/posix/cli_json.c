/* cli_json.c - a small JSON reader for the CLI's own JSON Lines
 *
 * Reads one line (RFC 8259 value) into a flat array of nodes: objects and
 * arrays link their members through child/next indices, strings are
 * decoded in place in a private copy of the line. Nesting is capped
 * (JR_DEPTH_MAX), every byte is checked, nothing is read past len; a line
 * that is not exactly one JSON value (a half-written last line, say) is
 * refused as a whole. Used by --resume and --aggregate FILE, which read
 * results written by this program or an older version of it: lookups
 * return -1 / NULL for a missing member, never fail hard.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define JR_DEPTH_MAX 64

typedef struct cur {
    jr_doc_t *d;
    char *p, *end;
    int depth;
} cur_t;

/* node_new - a fresh node of type t; its index, or -1 out of memory */
static int node_new(jr_doc_t *d, int t)
{
    jr_node_t *n;
    if (cli_grow(&d->n, &d->cap, d->len + 1, sizeof *d->n) != 0)
        return -1;
    n = &d->n[d->len];
    memset(n, 0, sizeof *n);
    n->type = t;
    n->child = n->next = -1;
    return (int)d->len++;
}

static void ws(cur_t *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* hex4 - four hex digits at c->p; -1 when not */
static long hex4(cur_t *c)
{
    long v = 0;
    int i;
    if (c->end - c->p < 4)
        return -1;
    for (i = 0; i < 4; i++) {
        char h = c->p[i];
        v <<= 4;
        if (h >= '0' && h <= '9')
            v |= h - '0';
        else if (h >= 'a' && h <= 'f')
            v |= h - 'a' + 10;
        else if (h >= 'A' && h <= 'F')
            v |= h - 'A' + 10;
        else
            return -1;
    }
    c->p += 4;
    return v;
}

/* utf8 - code point u as UTF-8 at *w (never longer than the escape it came
 * from: 6 bytes give at most 3, a 12-byte surrogate pair 4) */
static void utf8(char **w, unsigned long u)
{
    unsigned char *o = (unsigned char *)*w;
    if (u < 0x80) {
        *o++ = (unsigned char)u;
    } else if (u < 0x800) {
        *o++ = (unsigned char)(0xc0 | (u >> 6));
        *o++ = (unsigned char)(0x80 | (u & 0x3f));
    } else if (u < 0x10000) {
        *o++ = (unsigned char)(0xe0 | (u >> 12));
        *o++ = (unsigned char)(0x80 | ((u >> 6) & 0x3f));
        *o++ = (unsigned char)(0x80 | (u & 0x3f));
    } else {
        *o++ = (unsigned char)(0xf0 | (u >> 18));
        *o++ = (unsigned char)(0x80 | ((u >> 12) & 0x3f));
        *o++ = (unsigned char)(0x80 | ((u >> 6) & 0x3f));
        *o++ = (unsigned char)(0x80 | (u & 0x3f));
    }
    *w = (char *)o;
}

/* string - a string at c->p (the opening quote), decoded in place; its
 * text, or NULL when malformed */
static const char *string(cur_t *c)
{
    char *start, *w;
    if (c->p >= c->end || *c->p != '"')
        return NULL;
    start = w = ++c->p;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p;
        if (ch == '"') {
            c->p++;
            *w = '\0'; /* the decoded text never reaches the closing quote */
            return start;
        }
        if (ch < 0x20)
            return NULL;
        if (ch != '\\') {
            *w++ = *c->p++;
            continue;
        }
        if (++c->p >= c->end)
            return NULL;
        ch = (unsigned char)*c->p++;
        switch (ch) {
        case '"': case '\\': case '/': *w++ = (char)ch; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u': {
            long u = hex4(c), lo;
            if (u < 0)
                return NULL;
            if (u >= 0xd800 && u <= 0xdbff && c->end - c->p >= 6 && c->p[0] == '\\' &&
                c->p[1] == 'u') {
                char *save = c->p;
                c->p += 2;
                lo = hex4(c);
                if (lo >= 0xdc00 && lo <= 0xdfff)
                    u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                else
                    c->p = save, u = 0xfffd;
            } else if (u >= 0xd800 && u <= 0xdfff) {
                u = 0xfffd; /* a lone surrogate */
            }
            if (u == 0)
                u = 0xfffd; /* keep the text NUL-terminated */
            utf8(&w, (unsigned long)u);
            break;
        }
        default:
            return NULL;
        }
    }
    return NULL;
}

static int value(cur_t *c);

/* number - RFC 8259 number syntax, then strtod on the checked span */
static int number(cur_t *c)
{
    char *s = c->p, tmp[64];
    size_t n;
    int i;
    if (c->p < c->end && *c->p == '-')
        c->p++;
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
        return -1;
    if (*c->p == '0')
        c->p++;
    else
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
            c->p++;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return -1;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
            c->p++;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
            c->p++;
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return -1;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
            c->p++;
    }
    n = (size_t)(c->p - s);
    if (n >= sizeof tmp)
        n = sizeof tmp - 1; /* digits beyond double precision change nothing */
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    i = node_new(c->d, JR_NUM);
    if (i >= 0)
        c->d->n[i].num = strtod(tmp, NULL);
    return i;
}

/* word - true, false or null */
static int word(cur_t *c, const char *w, int t)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
        return -1;
    c->p += n;
    return node_new(c->d, t);
}

/* members - the elements of an array or the members of an object */
static int members(cur_t *c, int obj)
{
    int self, last = -1;
    char close = obj ? '}' : ']';

    if (++c->depth > JR_DEPTH_MAX)
        return -1;
    self = node_new(c->d, obj ? JR_OBJ : JR_ARR);
    if (self < 0)
        return -1;
    c->p++;
    ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        c->depth--;
        return self;
    }
    for (;;) {
        const char *key = NULL;
        int v;
        ws(c);
        if (obj) {
            key = string(c);
            if (key == NULL)
                return -1;
            ws(c);
            if (c->p >= c->end || *c->p != ':')
                return -1;
            c->p++;
        }
        v = value(c);
        if (v < 0)
            return -1;
        c->d->n[v].key = key;
        if (last < 0)
            c->d->n[self].child = v;
        else
            c->d->n[last].next = v;
        last = v;
        ws(c);
        if (c->p >= c->end)
            return -1;
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        if (*c->p != close)
            return -1;
        c->p++;
        c->depth--;
        return self;
    }
}

static int value(cur_t *c)
{
    ws(c);
    if (c->p >= c->end)
        return -1;
    switch (*c->p) {
    case '{': return members(c, 1);
    case '[': return members(c, 0);
    case '"': {
        const char *s = string(c);
        int i;
        if (s == NULL)
            return -1;
        i = node_new(c->d, JR_STR);
        if (i >= 0)
            c->d->n[i].s = s;
        return i;
    }
    case 't': return word(c, "true", JR_TRUE);
    case 'f': return word(c, "false", JR_FALSE);
    case 'n': return word(c, "null", JR_NULL);
    default: return number(c);
    }
}

int jr_parse(jr_doc_t *d, const char *p, size_t len)
{
    cur_t c;
    d->len = 0;
    if (len + 1 > d->text_cap) {
        char *t = realloc(d->text, len + 1);
        if (t == NULL)
            return -1;
        d->text = t;
        d->text_cap = len + 1;
    }
    memcpy(d->text, p, len);
    d->text[len] = '\0';
    c.d = d;
    c.p = d->text;
    c.end = d->text + len;
    c.depth = 0;
    if (value(&c) != 0)
        return -1;
    ws(&c);
    return c.p == c.end ? 0 : -1;
}

int jr_get(const jr_doc_t *d, int obj, const char *key)
{
    int i;
    if (obj < 0 || (size_t)obj >= d->len || d->n[obj].type != JR_OBJ)
        return -1;
    for (i = d->n[obj].child; i >= 0; i = d->n[i].next)
        if (strcmp(d->n[i].key, key) == 0)
            return i;
    return -1;
}

const char *jr_str(const jr_doc_t *d, int node)
{
    if (node < 0 || (size_t)node >= d->len || d->n[node].type != JR_STR)
        return NULL;
    return d->n[node].s;
}

int jr_long(const jr_doc_t *d, int node, long *v)
{
    double x;
    if (node < 0 || (size_t)node >= d->len || d->n[node].type != JR_NUM)
        return 0;
    x = d->n[node].num;
    if (!(x >= -9.0e15 && x <= 9.0e15) || x != (double)(long)x)
        return 0; /* NaN, out of range or not integral */
    *v = (long)x;
    return 1;
}

int jr_bool(const jr_doc_t *d, int node)
{
    if (node < 0 || (size_t)node >= d->len)
        return -1;
    return d->n[node].type == JR_TRUE ? 1 : d->n[node].type == JR_FALSE ? 0 : -1;
}

int jr_first(const jr_doc_t *d, int node)
{
    if (node < 0 || (size_t)node >= d->len ||
        (d->n[node].type != JR_ARR && d->n[node].type != JR_OBJ))
        return -1;
    return d->n[node].child;
}

int jr_next(const jr_doc_t *d, int node)
{
    if (node < 0 || (size_t)node >= d->len)
        return -1;
    return d->n[node].next;
}

void jr_free(jr_doc_t *d)
{
    free(d->n);
    free(d->text);
    memset(d, 0, sizeof *d);
}
