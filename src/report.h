/* report.h - helpers shared by the JSON and text reports (not public) */
#ifndef STC_REPORT_H
#define STC_REPORT_H

#include "engine.h"

/* Unix seconds as ISO 8601 UTC; buf needs 21 bytes. */
const char *stc_time_text(int64_t t, char *buf, size_t cap);
/* Decimal text; buf needs 21 bytes. */
const char *stc_int_text(int64_t v, char *buf, size_t cap);

/* Writer with a sticky error, so report code need not test every call. */
typedef struct stc_out {
    stc_write_fn w;
    void *ctx;
    int err;
} stc_out_t;

void stc_out_str(stc_out_t *o, const char *s);
void stc_out_int(stc_out_t *o, int64_t v);

#endif
