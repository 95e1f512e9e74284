/* csv.c - a streaming RFC 4180 reader of one column (see csv.h) */
#include "csv.h"

#include <string.h>

/* csv_init - a reader over f */
void csv_init(csv_reader_t *r, FILE *f, long column, char *buf, size_t max)
{
    r->f = f;
    r->column = column;
    r->max = max;
    r->line = 1;
    r->buf = buf;
    buf[0] = '\0';
}

/* trim - drop blanks around an unquoted field kept in buf[start..*n) */
static void trim(char *buf, size_t start, size_t *n)
{
    size_t a = start, b = *n;
    while (a < b && (buf[a] == ' ' || buf[a] == '\t'))
        a++;
    while (b > a && (buf[b - 1] == ' ' || buf[b - 1] == '\t'))
        b--;
    memmove(buf + start, buf + a, b - a);
    *n = start + (b - a);
}

/* skip_record - consume up to the end of the current record; EOF-safe */
static int skip_record(csv_reader_t *r, int quoted)
{
    int ch;
    while ((ch = getc(r->f)) != EOF) {
        if (ch == '\n') {
            r->line++;
            if (!quoted)
                return 1;
        }
        if (ch == '"')
            quoted = !quoted;
    }
    return 0;
}

/* csv_next - the next non-empty record's wanted column */
int csv_next(csv_reader_t *r, unsigned long *line)
{
    for (;;) {
        enum { START, PLAIN, QUOTED, QUOTE_IN_QUOTED } st = START;
        long col = 0;
        size_t n = 0, total = 0, fstart = 0;
        int ch, any = 0, was_quoted = 0, have = 0;

        *line = r->line;
        r->buf[0] = '\0';
        ch = getc(r->f);
        if (ch == EOF)
            return ferror(r->f) ? CSV_READ_ERROR : CSV_EOF;
        if (ch == '#') { /* a comment line */
            if (!skip_record(r, 0))
                return ferror(r->f) ? CSV_READ_ERROR : CSV_EOF;
            continue;
        }
        for (;; ch = getc(r->f)) {
            int end = 0;
            if (ch == EOF) {
                if (ferror(r->f))
                    return CSV_READ_ERROR;
                if (st == QUOTED)
                    return CSV_BAD_QUOTE; /* RFC 4180 2.5: quotes must close */
                end = 1;
            } else if (++total > r->max + 64) {
                /* a record this long is no mail domain list row */
                skip_record(r, st == QUOTED);
                return CSV_TOO_LONG;
            } else if (ch == '\n' && st != QUOTED) {
                r->line++;
                end = 1;
            } else if (ch != '\r' || st == QUOTED) {
                any = 1;
            }
            if (end || (ch == ',' && st != QUOTED)) {
                if (col == r->column) {
                    if (!was_quoted)
                        trim(r->buf, fstart, &n);
                    r->buf[n] = '\0';
                    have = 1;
                }
                if (end)
                    break;
                col++;
                st = START;
                was_quoted = 0;
                continue;
            }
            if (ch == '\n') /* inside quotes: part of the field */
                r->line++;
            switch (st) {
            case START:
                if (ch == '"') {
                    st = QUOTED;
                    was_quoted = 1;
                    continue;
                }
                st = PLAIN;
                break;
            case PLAIN:
                if (ch == '"') { /* RFC 4180 2.5: quotes only around a field */
                    skip_record(r, 0); /* a stray quote opens nothing */
                    return CSV_BAD_QUOTE;
                }
                break;
            case QUOTED:
                if (ch == '"') {
                    st = QUOTE_IN_QUOTED;
                    continue;
                }
                break;
            case QUOTE_IN_QUOTED:
                if (ch == '"') { /* RFC 4180 2.7: "" is one quote */
                    st = QUOTED;
                    break;
                }
                if (ch == '\r')
                    continue; /* CR before the record's LF */
                skip_record(r, 0);
                return CSV_BAD_QUOTE;
            }
            if (ch == '\r' && st == PLAIN)
                continue; /* the CR of CRLF (or a stray one): not data */
            if (col == r->column) {
                if (n >= r->max) {
                    skip_record(r, st == QUOTED);
                    return CSV_TOO_LONG;
                }
                r->buf[n++] = (char)ch;
            }
        }
        if (!any)
            continue; /* an empty line */
        return have ? CSV_FIELD : CSV_NO_COLUMN;
    }
}
