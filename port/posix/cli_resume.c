/* cli_resume.c - --resume FILE: what an earlier run of the same list left
 *
 * FILE holds JSON Lines written by this program. A line counts as a
 * finished row when it is one whole JSON object with an "input_line" and
 * either "domain" (a result) or "error" (an unreadable row). Anything else
 * is left in place and its row is done again: a line without a newline at
 * the end of the file (the process died while writing it) is cut off, so
 * the rows appended next start on a line of their own. The file is locked
 * (flock) while the run appends to it: two runs on one FILE would
 * interleave their lines.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/types.h>
#include <unistd.h>

/* resume_name_hash - FNV-1a of the name, lower case, no trailing dot, at
 * most 253 bytes (what the core keeps); 0 for a name that is not plain
 * printable ASCII (JSON gives such bytes back as U+FFFD) */
uint32_t resume_name_hash(const char *name)
{
    uint32_t h = 2166136261u;
    size_t n = strlen(name), i;
    if (n > 0 && name[n - 1] == '.')
        n--;
    if (n > 253)
        n = 253;
    if (n == 0)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch <= 0x20 || ch >= 0x7f)
            return 0;
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch + 32);
        h = (h ^ ch) * 16777619u;
    }
    return h ? h : 1;
}

static int by_line(const void *a, const void *b)
{
    unsigned long x = ((const resume_row_t *)a)->line, y = ((const resume_row_t *)b)->line;
    return x < y ? -1 : x > y;
}

/* add - one finished row */
static int add(resume_t *rs, unsigned long line, uint32_t hash)
{
    if (cli_grow(&rs->rows, &rs->cap, rs->n + 1, sizeof *rs->rows) != 0)
        return -1;
    rs->rows[rs->n].line = line;
    rs->rows[rs->n].hash = hash;
    rs->n++;
    return 0;
}

/* take - one complete line of FILE: a finished row, or not */
static int take(resume_t *rs, jr_doc_t *d, const char *p, size_t n, agg_t *agg)
{
    long line, st;
    const char *dom;
    int code;
    if (jr_parse(d, p, n) != 0 || d->n[0].type != JR_OBJ)
        return 0;
    if (!jr_long(d, jr_get(d, 0, "input_line"), &line) || line < 1)
        return 0;
    dom = jr_str(d, jr_get(d, 0, "domain"));
    if (dom == NULL && jr_str(d, jr_get(d, 0, "error")) == NULL)
        return 0;
    if (dom && jr_long(d, jr_get(d, 0, "status"), &st))
        code = stc_exit_code((unsigned)st);
    else
        code = 3; /* an unreadable row, or a result without a status */
    if (code > rs->worst)
        rs->worst = code;
    if (add(rs, (unsigned long)line, dom ? resume_name_hash(dom) : 0) != 0)
        return -1;
    if (agg)
        agg_add_doc(agg, d);
    return 1;
}

int resume_load(resume_t *rs, const char *path, struct agg *agg, char *err, size_t cap)
{
    FILE *f;
    char *line = NULL;
    size_t lcap = 0, i, k;
    ssize_t got;
    off_t good = 0, size = 0;
    jr_doc_t d;
    int fd;

    memset(rs, 0, sizeof *rs);
    memset(&d, 0, sizeof d);
    f = fopen(path, "a+"); /* created when missing; read from the start */
    if (f == NULL) {
        snprintf(err, cap, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    fd = fileno(f);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, cap, "%s is in use by another run (%s)", path,
                 errno == EWOULDBLOCK ? "locked" : strerror(errno));
        fclose(f);
        return -1;
    }
    rewind(f);
    while ((got = getline(&line, &lcap, f)) > 0) {
        size += got;
        if (line[got - 1] != '\n')
            break; /* the half-written last line */
        good = size;
        if (got == 1)
            continue;
        if (take(rs, &d, line, (size_t)got - 1, agg) == 0)
            rs->unreadable++;
    }
    free(line);
    jr_free(&d);
    if (ferror(f)) {
        snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
        fclose(f);
        return -1;
    }
    if (size > good) {
        fprintf(stderr, "starttls-check: %s: a half-written last line (%lld bytes) dropped; "
                        "its row is checked again\n",
                path, (long long)(size - good));
        if (ftruncate(fd, good) != 0) {
            snprintf(err, cap, "cannot cut the half-written line off %s: %s", path,
                     strerror(errno));
            fclose(f);
            return -1;
        }
    }
    if (rs->unreadable)
        fprintf(stderr, "starttls-check: %s: %lu line(s) that are no finished row were left "
                        "as they are; their rows are checked again\n",
                path, rs->unreadable);
    /* sorted, one entry per line (a row twice in FILE counts once) */
    if (rs->n > 1)
        qsort(rs->rows, rs->n, sizeof *rs->rows, by_line);
    for (i = k = 0; i < rs->n; i++) {
        if (k > 0 && rs->rows[k - 1].line == rs->rows[i].line) {
            rs->dups++;
            continue;
        }
        rs->rows[k++] = rs->rows[i];
    }
    rs->n = k;
    fseeko(f, 0, SEEK_END);
    rs->append = f; /* "a+": every write goes to the end */
    return 0;
}

const resume_row_t *resume_find(const resume_t *rs, unsigned long line)
{
    size_t lo = 0, hi = rs->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rs->rows[mid].line == line)
            return &rs->rows[mid];
        if (rs->rows[mid].line < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void resume_free(resume_t *rs)
{
    free(rs->rows);
    rs->rows = NULL;
    rs->n = rs->cap = 0;
}
