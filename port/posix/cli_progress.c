/* cli_progress.c - one progress line on stderr, redrawn in place
 *
 *   starttls-check: 120/1000 done (12.0%), 35.2/s, ETA 0:00:25
 *   starttls-check: 120 done, 35.2/s                (total unknown: a stream)
 *
 * Only when stderr is a terminal (isatty), or forced with STC_PROGRESS=1
 * (the tests; STC_PROGRESS=0 turns it off). The line is redrawn with "\r"
 * at most once a second, padded with blanks over a longer previous one,
 * cleared before any other message, and ended with a newline at the end
 * of the run. Rows are input rows: results and unreadable rows alike.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct {
    int on;
    int shown;      /* a line is on the screen */
    long total;     /* -1: unknown */
    unsigned long done;
    double t0, last;
    size_t lastlen;
} pg;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(long total)
{
    const char *e = getenv("STC_PROGRESS");
    memset(&pg, 0, sizeof pg);
    if (e && *e)
        pg.on = strcmp(e, "0") != 0;
    else
        pg.on = isatty(STDERR_FILENO);
    pg.total = total;
    pg.t0 = pg.last = now_s();
}

int progress_on(void)
{
    return pg.on;
}

/* draw - the line as it stands now */
static void draw(double t)
{
    char line[160];
    double el = t - pg.t0, rate = el > 0 ? (double)pg.done / el : 0;
    size_t n;
    int k;

    if (pg.total >= 0) {
        double pct = pg.total ? 100.0 * (double)pg.done / (double)pg.total : 100.0;
        k = snprintf(line, sizeof line, "starttls-check: %lu/%ld done (%.1f%%), %.1f/s, ETA ",
                     pg.done, pg.total, pct, rate);
        if (k > 0 && (size_t)k < sizeof line) {
            n = (size_t)k;
            if (rate > 0 || (long)pg.done >= pg.total) {
                double left = (long)pg.done >= pg.total ? 0 : (double)(pg.total - (long)pg.done) / rate;
                unsigned long s = (unsigned long)(left + 0.5);
                snprintf(line + n, sizeof line - n, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60,
                         s % 60);
            } else {
                snprintf(line + n, sizeof line - n, "?");
            }
        }
    } else {
        snprintf(line, sizeof line, "starttls-check: %lu done, %.1f/s", pg.done, rate);
    }
    n = strlen(line);
    fputc('\r', stderr);
    fputs(line, stderr);
    if (pg.lastlen > n)
        fprintf(stderr, "%*s", (int)(pg.lastlen - n), "");
    fflush(stderr);
    pg.lastlen = n;
    pg.shown = 1;
    pg.last = t;
}

void progress_row(void)
{
    pg.done++;
    progress_tick();
}

void progress_tick(void)
{
    double t;
    if (!pg.on)
        return;
    t = now_s();
    if (!pg.shown || t - pg.last >= 1.0)
        draw(t);
}

void progress_clear(void)
{
    if (!pg.on || !pg.shown)
        return;
    fprintf(stderr, "\r%*s\r", (int)pg.lastlen, "");
    fflush(stderr);
    pg.shown = 0;
    pg.lastlen = 0;
}

void progress_end(void)
{
    if (!pg.on)
        return;
    draw(now_s());
    fputc('\n', stderr);
    fflush(stderr);
    pg.shown = 0;
    pg.lastlen = 0;
    pg.on = 0;
}
