/* fuzz_sts_policy.c - libFuzzer target for the MTA-STS policy body parser
 * (src/mta_sts.c) and the MX pattern rule
 *
 * The input is a policy body. It is fed whole, split in two at a point
 * derived from the input, and (up to 4 KB) one byte at a time.
 * Invariants (abort() on breach): every way gives the same fields,
 * problems and sequence of mx patterns; the return is STC_OK exactly when
 * no fatal problem was found; a pattern handed out is NUL-terminated, as
 * long as it says, at most STC_NAME_MAX + 2 bytes, and flagged valid
 * exactly when stc_sts_mx_pattern_ok says so (unless it was cut); every valid pattern obeys
 * RFC 8461 4.1 against hosts built from it (itself in upper case and with a
 * trailing dot; for "*.suffix": one more label matches, the bare suffix and
 * two more labels do not).
 */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct run {
    stc_sts_policy_t p;
    int rc;
    uint32_t mxhash; /* the patterns handed out, in order */
    uint32_t mxn;
} run_t;

/* fnv - FNV-1a, continued from h */
static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
    const uint8_t *b = (const uint8_t *)p;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

/* match_rules - RFC 8461 4.1 against hosts made from a valid pattern */
static void match_rules(const char *pat, size_t len)
{
    char host[STC_NAME_MAX + 16];
    size_t i;

    if (pat[0] == '*') {
        const char *suf = pat + 2;
        size_t ns = len - 2;
        if (stc_sts_mx_match(pat, suf))
            abort(); /* not the bare suffix */
        memcpy(host, "mx.", 3);
        memcpy(host + 3, suf, ns + 1);
        if (!stc_sts_mx_match(pat, host))
            abort(); /* one more label */
        memcpy(host, "a.b.", 4);
        memcpy(host + 4, suf, ns + 1);
        if (stc_sts_mx_match(pat, host))
            abort(); /* but not two */
        return;
    }
    for (i = 0; i <= len; i++)
        host[i] = (pat[i] >= 'a' && pat[i] <= 'z') ? (char)(pat[i] - 'a' + 'A') : pat[i];
    if (!stc_sts_mx_match(pat, pat) || !stc_sts_mx_match(pat, host))
        abort();
    host[len] = '.';
    host[len + 1] = '\0';
    if (!stc_sts_mx_match(pat, host))
        abort();
    memcpy(host, "x.", 2);
    memcpy(host + 2, pat, len + 1);
    if (stc_sts_mx_match(pat, host))
        abort(); /* an exact pattern matches nothing longer */
}

/* on_mx - check and fingerprint each pattern */
static void on_mx(void *ctx, const char *pattern, size_t len, int valid)
{
    run_t *r = (run_t *)ctx;

    if (strlen(pattern) != len || len > STC_NAME_MAX + 2)
        abort();
    /* a value longer than what is kept arrives cut (and invalid): only a
     * shorter one must agree both ways */
    if (valid ? !stc_sts_mx_pattern_ok(pattern, len)
              : len < STC_NAME_MAX + 2 && stc_sts_mx_pattern_ok(pattern, len))
        abort();
    if (valid)
        match_rules(pattern, len);
    r->mxhash = fnv(r->mxhash, pattern, len + 1);
    r->mxhash = fnv(r->mxhash, &valid, sizeof valid);
    r->mxn++;
}

/* feed - pieces of `piece` (0: whole), or two pieces split at `split` */
static void feed(run_t *r, const uint8_t *data, size_t size, size_t piece, size_t split)
{
    size_t off = 0;

    memset(r, 0, sizeof *r);
    r->mxhash = 2166136261u;
    stc_sts_policy_init(&r->p, on_mx, r);
    while (off < size) {
        size_t k = size - off;
        if (piece && k > piece)
            k = piece;
        if (split && off < split && k > split - off)
            k = split - off;
        if (stc_sts_policy_feed(&r->p, data + off, k) != STC_OK)
            abort();
        off += k;
    }
    r->rc = stc_sts_policy_end(&r->p);
    if (stc_sts_policy_feed(&r->p, data, size) != STC_EINVAL || stc_sts_policy_end(&r->p) != r->rc)
        abort();
}

/* check - one run's invariants */
static void check(const run_t *r, const uint8_t *data, size_t size)
{
    const stc_sts_policy_t *p = &r->p;
    const uint8_t *q = data;
    size_t lf = 0;

    if ((r->rc == STC_OK) != !(p->problems & STC_STS_P_FATAL))
        abort();
    if (p->mx_bad > p->mx_count || r->mxn != p->mx_count || p->mode > STC_STS_MODE_NONE)
        abort();
    if ((p->problems & STC_STS_P_FATAL & ~(STC_STS_P_NO_VERSION | STC_STS_P_NO_MODE |
                                           STC_STS_P_NO_MAX_AGE | STC_STS_P_NO_MX)) &&
        p->first_bad == 0)
        abort(); /* a line problem says where */
    if (p->first_bad > p->lines)
        abort();
    if (!(p->problems & (STC_STS_P_BAD_MAX_AGE | STC_STS_P_NO_MAX_AGE)) && p->max_age > 31557600u)
        abort();
    if (p->mode == STC_STS_MODE_UNSET && !(p->problems & (STC_STS_P_NO_MODE | STC_STS_P_BAD_MODE)))
        abort();
    while ((q = memchr(q, '\n', size - (size_t)(q - data))) != NULL) {
        lf++;
        q++;
    }
    if (p->lines > lf + 1)
        abort(); /* a line ends at LF, or at the end */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static run_t whole, split, bytes;
    uint32_t h = fnv(2166136261u, data, size);
    size_t at = size ? h % size : 0;

    feed(&whole, data, size, 0, 0);
    check(&whole, data, size);
    feed(&split, data, size, 0, at);
    check(&split, data, size);
    if (memcmp(&whole.p, &split.p, offsetof(stc_sts_policy_t, len)) != 0 ||
        whole.rc != split.rc || whole.mxhash != split.mxhash)
        abort();
    if (size <= 4096) {
        feed(&bytes, data, size, 1, 0);
        check(&bytes, data, size);
        if (memcmp(&whole.p, &bytes.p, offsetof(stc_sts_policy_t, len)) != 0 ||
            whole.rc != bytes.rc || whole.mxhash != bytes.mxhash)
            abort();
    }
    return 0;
}
