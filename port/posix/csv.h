/* csv.h - a streaming reader of one column of a CSV file (RFC 4180)
 *
 * Records are read one at a time from a FILE (stdin included): the file is
 * never held whole. Fields may be quoted ("..."), with "" for a quote and
 * commas and line breaks inside quotes; records end at LF or CRLF outside
 * quotes. Only the wanted column is kept, in a buffer of at most `max`
 * bytes: a longer record is reported as too long and skipped to its end,
 * so no input row is lost without a word. Unquoted fields lose their
 * surrounding blanks (hand-written lists).
 */
#ifndef STC_CSV_H
#define STC_CSV_H

#include <stddef.h>
#include <stdio.h>

typedef struct csv_reader {
    FILE *f;
    long column;     /* 0-based column wanted */
    size_t max;      /* bytes kept of that field (and of a whole record) */
    unsigned long line; /* physical line where the next record starts (1-based) */
    char *buf;       /* the field, NUL-terminated (caller-provided, max + 1) */
} csv_reader_t;

/* What csv_next found. */
enum {
    CSV_EOF = 0,
    CSV_FIELD,     /* a record; buf holds the column ("" when it has none) */
    CSV_NO_COLUMN, /* a record with fewer columns */
    CSV_TOO_LONG,  /* a record over `max` bytes: skipped */
    CSV_BAD_QUOTE, /* a quote in an unquoted field, text after a closing
                      quote, or end of file inside quotes */
    CSV_READ_ERROR /* the FILE failed (errno set) */
};

/* Set up r over f; buf must hold max + 1 bytes. */
void csv_init(csv_reader_t *r, FILE *f, long column, char *buf, size_t max);

/* Read the next non-empty record. *line = the physical line it started on.
 * Lines that begin with '#' (outside quotes) are comments and skipped. */
int csv_next(csv_reader_t *r, unsigned long *line);

#endif
