/* cli.h - the command-line program's private interface (port/posix/cli*.c)
 *
 * The CLI may allocate (the core never does): each finished report is
 * rendered into a growable string (sbuf_t) before it is written, so that
 * --ordered can hold a bounded number of them, --aggregate can read the
 * same JSON the user gets, and every object goes out in one write.
 *
 *   cli.c           options, the run loop, main
 *   cli_out.c       strings, the output stream, the --ordered window
 *   cli_json.c      a small JSON reader (--resume, --aggregate FILE)
 *   cli_resume.c    --resume FILE: rows already done, the half-written tail
 *   cli_progress.c  the progress line on stderr
 *   cli_agg.c       --aggregate: the statistics of a scan
 *   cli_nagios.c    --format nagios: the monitoring-plugin line
 */
#ifndef STC_CLI_H
#define STC_CLI_H

#include "stc/stc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* ---- strings (cli_out.c) ------------------------------------------------- */

/* *p, an array of *cap elements of `size` bytes, grown (doubled) to hold
 * at least need elements: 0, or -1 out of memory (*p unchanged) */
int cli_grow(void *p, size_t *cap, size_t need, size_t size);

/* A growable string; failed is sticky (out of memory): the text is then
 * incomplete and must not be written. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
    int failed;
} sbuf_t;

int sbuf_write(void *ctx, const char *p, size_t n); /* an stc_write_fn */
void sbuf_puts(sbuf_t *b, const char *s);
void sbuf_printf(sbuf_t *b, const char *fmt, ...) CLI_PRINTF(2, 3);
/* s as a JSON string literal, quotes included (the core's escaping) */
void sbuf_json_str(sbuf_t *b, const char *s);
void sbuf_free(sbuf_t *b);

/* ---- the output stream (cli_out.c) -------------------------------------- */

/* Reports go to one stream (stdout, or the --resume file), each in one
 * write. With ordered = 1 they leave in the order of their sequence
 * numbers, and at most `window` numbers are handed out and not yet
 * written: out_reserve() refuses more (the caller then waits for a check
 * to end). JSON lines also go to $STC_JSON_TEE (the test suite's hook). */
int out_init(FILE *f, int json, int ordered, size_t window);
/* 1 when out_reserve() would succeed */
int out_room(void);
/* the next sequence number */
unsigned long out_reserve(void);
/* the report of sequence number seq; takes b's text (b is left empty) */
void out_emit(unsigned long seq, sbuf_t *b);
/* write what is held (after an interruption: in order, gaps skipped) */
void out_flush_held(void);
/* one JSON or text line that belongs to no row (the aggregate) */
void out_extra(FILE *f, sbuf_t *b, int json);
/* errno of the first failed write, 0 when none */
int out_failed(void);
void out_set_failed(int err);
void out_free(void);

/* ---- the JSON reader (cli_json.c) --------------------------------------- */

enum { JR_NULL, JR_FALSE, JR_TRUE, JR_NUM, JR_STR, JR_ARR, JR_OBJ };

typedef struct jr_node {
    int type;
    int child, next; /* first member / element, next sibling; -1 none */
    const char *key; /* member name inside an object, else NULL */
    const char *s;   /* JR_STR: the decoded text (UTF-8, NUL-terminated) */
    double num;      /* JR_NUM */
} jr_node_t;

typedef struct jr_doc {
    jr_node_t *n;
    size_t len, cap;
    char *text; /* a private copy of the line, decoded in place */
    size_t text_cap;
} jr_doc_t;

/* Parse one JSON value from p[0..len) (a copy is kept in d); node 0 is the
 * root. 0, or -1 for anything that is not one whole JSON value. */
int jr_parse(jr_doc_t *d, const char *p, size_t len);
/* member key of object node obj: its node, or -1 (also when obj is -1 or
 * not an object) */
int jr_get(const jr_doc_t *d, int obj, const char *key);
/* the text of a string node, NULL when node is -1 or not a string */
const char *jr_str(const jr_doc_t *d, int node);
/* 1 and *v when node is an integral number, else 0 */
int jr_long(const jr_doc_t *d, int node, long *v);
/* 1 for true, 0 for false, -1 when node is no boolean */
int jr_bool(const jr_doc_t *d, int node);
/* walk an array or object: first element, then jr_next; -1 at the end */
int jr_first(const jr_doc_t *d, int node);
int jr_next(const jr_doc_t *d, int node);
void jr_free(jr_doc_t *d);

/* ---- --resume FILE (cli_resume.c) ---------------------------------------- */

typedef struct resume_row {
    unsigned long line;
    uint32_t hash;   /* of the domain the result names; 0 = not compared */
} resume_row_t;

typedef struct resume {
    resume_row_t *rows; /* sorted by line once loaded */
    size_t n, cap;
    int worst;          /* the worst exit code among them */
    unsigned long dups, unreadable;
    FILE *append;       /* FILE opened to append the rest */
} resume_t;

struct agg;
/* Read path (a missing file is an empty one), drop a half-written last
 * line, open it for appending (and lock it). Each finished result also
 * goes to agg when agg is not NULL. 0, or -1 with err filled. */
int resume_load(resume_t *rs, const char *path, struct agg *agg, char *err, size_t cap);
/* the row of that input line, or NULL when it is still to do */
const resume_row_t *resume_find(const resume_t *rs, unsigned long line);
/* the hash resume_load keeps for a domain name (case, trailing dot and
 * everything past 253 bytes ignored); 0 when the name is not plain ASCII */
uint32_t resume_name_hash(const char *name);
void resume_free(resume_t *rs);

/* ---- progress on stderr (cli_progress.c) --------------------------------- */

/* on: stderr is a terminal, or $STC_PROGRESS=1 (0 turns it off). total is
 * the number of rows to do, or -1 when unknown (a stream). */
void progress_init(long total);
int progress_on(void);
void progress_row(void);   /* a row is done */
void progress_tick(void);  /* redraw when a second has passed */
void progress_clear(void); /* before another message on stderr */
void progress_end(void);   /* the last state, and a newline */

/* ---- --aggregate (cli_agg.c) -------------------------------------------- */

typedef struct agg agg_t;
agg_t *agg_new(void);
/* one JSON line of a result: 1 counted, 0 not a result (an aggregate
 * line, a blank line), -1 unreadable (not JSON, not an object). */
int agg_add_line(agg_t *a, const char *line, size_t len);
/* the same for a line already parsed */
int agg_add_doc(agg_t *a, const jr_doc_t *d);
/* the worst exit code of the results counted */
int agg_worst(const agg_t *a);
unsigned long agg_unreadable(const agg_t *a);
void agg_text(const agg_t *a, sbuf_t *b);
void agg_json(const agg_t *a, sbuf_t *b); /* one line, with "\n" */
void agg_free(agg_t *a);

/* ---- --format nagios (cli_nagios.c) -------------------------------------- */

/* "STARTTLS OK - <domain>: <message> | perfdata\n" for one result; now in
 * unix seconds (days until the earliest certificate expiry). */
void nagios_line(sbuf_t *b, const stc_domain_result_t *r, unsigned warn_days, int64_t now);
/* the same for an input row that could not be read */
void nagios_row_error(sbuf_t *b, unsigned long line, const char *what);

#endif
