/* cli_agg.c - --aggregate: the statistics of a scan, as the original
 * tool's README gave them for its top-1000 scan ("20.19% of 421 unique MX
 * hostnames don't support STARTTLS", "36.01% of the servers which support
 * STARTTLS didn't present valid certificates"), plus TLS versions, DANE,
 * MTA-STS and TLS-RPT adoption.
 *
 * Counted from the JSON objects themselves (the same run's, or a JSON
 * Lines file read back), so both ways agree and results of older versions
 * count too: every member is looked up, and one that is missing is "not
 * measured", never an error.
 *
 * - domains: the results by status_text; unreadable rows (error objects)
 *   apart.
 * - MX hosts: unique host names over all results (the first result naming
 *   a host gives its facts). Reached: an SMTP dialogue took place
 *   ("reach": "reached"). Without STARTTLS: reached, no TLS session, and
 *   a finding no_starttls, starttls_refused or no_esmtp on an address.
 *   With TLS: some address has "tls"; its certificate is invalid when an
 *   address says trusted false (untrusted), name_match false (name
 *   mismatch), or has the finding cert_expired / cert_not_yet_valid. The
 *   negotiated version is the lowest over the host's addresses; accepted
 *   versions ("probe": {"versions": {"accepted": [...]}}) the union.
 * - DANE per MX host ("dane": {"status"}): TLSA published = valid,
 *   unusable, mismatch, name-mismatch or expired.
 * - MTA-STS per domain ("mta_sts": {"status", "mode"}): a policy = mode
 *   enforce or testing. TLS-RPT per domain ("tls_rpt": {"status"}): a
 *   usable record = status success or warning.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define TALLY_MAX 24
#define NAME_MAX_ 32

/* Counts per name, in order of first appearance (or seeded). */
typedef struct tally {
    size_t n;
    unsigned long other; /* names past TALLY_MAX, or too long */
    struct {
        char name[NAME_MAX_];
        unsigned long count;
    } e[TALLY_MAX];
} tally_t;

/* The TLS versions in order, oldest first (the lowest one is a host's). */
static const char *const versions[] = {"SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2",
                                       "TLSv1.3"};
#define NVERS (sizeof versions / sizeof versions[0])

static const char *const dom_status[] = {"success", "warning", "failure", "error",
                                         "no_starttls", "could_not_connect", "bad_hostname",
                                         "accepts_no_mail", "rejected"};

struct agg {
    unsigned long results, error_rows, unreadable;
    int worst;
    tally_t dom;
    /* MX hosts: a set of names (open addressing) */
    char **set;
    size_t set_n, set_cap;
    unsigned long hosts, reached, with_tls, no_starttls, tls_failed;
    unsigned long invalid, untrusted, mismatch, expired, notyet;
    tally_t negotiated;
    unsigned long acc_measured, acc_not, acc[NVERS];
    unsigned long dane_measured, dane_not, dane_published, dane_valid;
    tally_t dane;
    unsigned long sts_measured, sts_not, sts_policy, sts_enforce;
    tally_t sts_status, sts_mode;
    unsigned long rpt_measured, rpt_not, rpt_usable;
    tally_t rpt;
    jr_doc_t doc;
};

static void tally_add(tally_t *t, const char *name)
{
    size_t i;
    if (name == NULL)
        name = "(none)";
    for (i = 0; i < t->n; i++)
        if (strcmp(t->e[i].name, name) == 0) {
            t->e[i].count++;
            return;
        }
    if (t->n == TALLY_MAX || strlen(name) >= NAME_MAX_) {
        t->other++;
        return;
    }
    snprintf(t->e[t->n].name, NAME_MAX_, "%s", name);
    t->e[t->n].count = 1;
    t->n++;
}

static void tally_seed(tally_t *t, const char *const *names, size_t n)
{
    size_t i;
    for (i = 0; i < n && i < TALLY_MAX; i++) {
        snprintf(t->e[i].name, NAME_MAX_, "%s", names[i]);
        t->e[i].count = 0;
    }
    t->n = i;
}

agg_t *agg_new(void)
{
    agg_t *a = calloc(1, sizeof *a);
    if (a)
        tally_seed(&a->dom, dom_status, sizeof dom_status / sizeof dom_status[0]);
    return a;
}

/* set_add - 1 when name was new (added), 0 when seen, -1 out of memory */
static int set_add(agg_t *a, const char *name)
{
    size_t h = 5381, i, mask;
    const unsigned char *p;

    if (a->set_n * 2 >= a->set_cap) {
        size_t cap = a->set_cap ? a->set_cap * 2 : 256, j;
        char **s = calloc(cap, sizeof *s);
        if (s == NULL)
            return -1;
        for (j = 0; j < a->set_cap; j++) {
            size_t k, g = 5381;
            if (!a->set[j])
                continue;
            for (p = (const unsigned char *)a->set[j]; *p; p++)
                g = g * 33 + *p;
            for (k = g & (cap - 1); s[k]; k = (k + 1) & (cap - 1))
                ;
            s[k] = a->set[j];
        }
        free(a->set);
        a->set = s;
        a->set_cap = cap;
    }
    mask = a->set_cap - 1;
    for (p = (const unsigned char *)name; *p; p++)
        h = h * 33 + *p;
    for (i = h & mask; a->set[i]; i = (i + 1) & mask)
        if (strcmp(a->set[i], name) == 0)
            return 0;
    a->set[i] = strdup(name);
    if (a->set[i] == NULL)
        return -1;
    a->set_n++;
    return 1;
}

static int version_rank(const char *v)
{
    size_t i;
    for (i = 0; v && i < NVERS; i++)
        if (strcmp(v, versions[i]) == 0)
            return (int)i;
    return -1;
}

/* has_finding - a finding with one of the codes in a findings array */
static int has_finding(const jr_doc_t *d, int findings, const char *const *codes)
{
    int f;
    for (f = jr_first(d, findings); f >= 0; f = jr_next(d, f)) {
        const char *c = jr_str(d, jr_get(d, f, "code"));
        size_t i;
        for (i = 0; c && codes[i]; i++)
            if (strcmp(c, codes[i]) == 0)
                return 1;
    }
    return 0;
}

static const char *const no_starttls_codes[] = {"no_starttls", "starttls_refused", "no_esmtp",
                                                NULL};
static const char *const expired_codes[] = {"cert_expired", NULL};
static const char *const notyet_codes[] = {"cert_not_yet_valid", NULL};

/* one_of - s is one of the names */
static int one_of(const char *s, const char *const *names)
{
    size_t i;
    for (i = 0; s && names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return 1;
    return 0;
}

/* host - the facts of one MX host seen for the first time */
static void host(agg_t *a, const jr_doc_t *d, int h)
{
    static const char *const published[] = {"valid", "unusable", "mismatch", "name-mismatch",
                                            "expired", NULL};
    int ad, low = -1, tls = 0, nost = 0, unt = 0, mis = 0, exp = 0, nyv = 0, probed = 0;
    unsigned accepted = 0;
    const char *reach = jr_str(d, jr_get(d, h, "reach"));
    int dane = jr_get(d, h, "dane");

    a->hosts++;
    for (ad = jr_first(d, jr_get(d, h, "addresses")); ad >= 0; ad = jr_next(d, ad)) {
        int t = jr_get(d, ad, "tls"), cert = jr_get(d, ad, "certificate");
        int fs = jr_get(d, ad, "findings");
        int pv = jr_get(d, jr_get(d, jr_get(d, ad, "probe"), "versions"), "accepted");
        int v;
        if (t >= 0) {
            int r = version_rank(jr_str(d, jr_get(d, t, "version")));
            tls = 1;
            if (r >= 0 && (low < 0 || r < low))
                low = r;
            if (jr_bool(d, jr_get(d, cert, "trusted")) == 0)
                unt = 1;
            if (jr_bool(d, jr_get(d, cert, "name_match")) == 0)
                mis = 1;
            exp |= has_finding(d, fs, expired_codes);
            nyv |= has_finding(d, fs, notyet_codes);
        }
        nost |= has_finding(d, fs, no_starttls_codes);
        if (pv >= 0 && d->n[pv].type == JR_ARR) {
            probed = 1;
            for (v = jr_first(d, pv); v >= 0; v = jr_next(d, v)) {
                int r = version_rank(jr_str(d, v));
                if (r >= 0)
                    accepted |= 1u << r;
            }
        }
    }
    if (reach && strcmp(reach, "reached") == 0) {
        a->reached++;
        if (!tls && nost)
            a->no_starttls++;
        else if (!tls)
            a->tls_failed++;
    }
    if (tls) {
        a->with_tls++;
        a->untrusted += (unsigned long)unt;
        a->mismatch += (unsigned long)mis;
        a->expired += (unsigned long)exp;
        a->notyet += (unsigned long)nyv;
        if (unt || mis || exp || nyv)
            a->invalid++;
        tally_add(&a->negotiated, low >= 0 ? versions[low] : "unknown");
    }
    if (probed) {
        size_t i;
        a->acc_measured++;
        for (i = 0; i < NVERS; i++)
            if (accepted & (1u << i))
                a->acc[i]++;
    } else {
        a->acc_not++;
    }
    if (dane >= 0 && d->n[dane].type == JR_OBJ) {
        const char *s = jr_str(d, jr_get(d, dane, "status"));
        a->dane_measured++;
        tally_add(&a->dane, s);
        if (one_of(s, published))
            a->dane_published++;
        if (s && strcmp(s, "valid") == 0)
            a->dane_valid++;
    } else {
        a->dane_not++;
    }
}

int agg_add_doc(agg_t *a, const jr_doc_t *d)
{
    static const char *const usable[] = {"success", "warning", NULL};
    static const char *const policy[] = {"enforce", "testing", NULL};
    const char *st;
    int h, o;
    long s;

    if (d->len == 0 || d->n[0].type != JR_OBJ)
        return -1;
    if (jr_get(d, 0, "aggregate") >= 0)
        return 0; /* an earlier aggregate line: not a result */
    if (jr_str(d, jr_get(d, 0, "error")) != NULL && jr_str(d, jr_get(d, 0, "domain")) == NULL) {
        a->error_rows++;
        if (a->worst < 3)
            a->worst = 3;
        return 1;
    }
    if (jr_get(d, 0, "domain") < 0)
        return -1;
    a->results++;
    st = jr_str(d, jr_get(d, 0, "status_text"));
    tally_add(&a->dom, st ? st : "(none)");
    if (jr_long(d, jr_get(d, 0, "status"), &s)) {
        int code = stc_exit_code((unsigned)s);
        if (code > a->worst)
            a->worst = code;
    } else if (a->worst < 3) {
        a->worst = 3;
    }
    for (h = jr_first(d, jr_get(d, 0, "results")); h >= 0; h = jr_next(d, h)) {
        const char *name = jr_str(d, jr_get(d, h, "hostname"));
        int added;
        if (name == NULL)
            name = d->n[h].key;
        added = set_add(a, name ? name : "");
        if (added > 0)
            host(a, d, h);
    }
    o = jr_get(d, 0, "mta_sts");
    if (o >= 0 && d->n[o].type == JR_OBJ) {
        const char *mode = jr_str(d, jr_get(d, o, "mode"));
        a->sts_measured++;
        tally_add(&a->sts_status, jr_str(d, jr_get(d, o, "status")));
        if (mode)
            tally_add(&a->sts_mode, mode);
        if (one_of(mode, policy))
            a->sts_policy++;
        if (mode && strcmp(mode, "enforce") == 0)
            a->sts_enforce++;
    } else {
        a->sts_not++;
    }
    o = jr_get(d, 0, "tls_rpt");
    if (o >= 0 && d->n[o].type == JR_OBJ) {
        const char *rs = jr_str(d, jr_get(d, o, "status"));
        a->rpt_measured++;
        tally_add(&a->rpt, rs);
        if (one_of(rs, usable))
            a->rpt_usable++;
    } else {
        a->rpt_not++;
    }
    return 1;
}

int agg_add_line(agg_t *a, const char *line, size_t len)
{
    size_t i;
    int rc;
    for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' ||
                            line[i] == '\n');
         i++)
        ;
    if (i == len)
        return 0;
    if (jr_parse(&a->doc, line, len) != 0) {
        a->unreadable++;
        return -1;
    }
    rc = agg_add_doc(a, &a->doc);
    if (rc < 0)
        a->unreadable++;
    return rc;
}

int agg_worst(const agg_t *a)
{
    return a->worst;
}

unsigned long agg_unreadable(const agg_t *a)
{
    return a->unreadable;
}

/* ---- text --------------------------------------------------------------- */

/* share - PRE then "12.50% (1 of 8)", or "n/a (0 of 0)" */
static void share(sbuf_t *b, const char *pre, unsigned long n, unsigned long of)
{
    sbuf_puts(b, pre);
    if (of)
        sbuf_printf(b, "%.2f%% (%lu of %lu)", 100.0 * (double)n / (double)of, n, of);
    else
        sbuf_printf(b, "n/a (%lu of 0)", n);
}

/* tally_text - PRE then "name n, name n", or "-" for an empty tally (not
 * "none": that is a name some tallies hold, as MTA-STS's mode none) */
static void tally_text(sbuf_t *b, const char *pre, const tally_t *t)
{
    size_t i;
    sbuf_puts(b, pre);
    for (i = 0; i < t->n; i++)
        sbuf_printf(b, "%s%s %lu", i ? ", " : "", t->e[i].name, t->e[i].count);
    if (t->other)
        sbuf_printf(b, "%sother %lu", t->n ? ", " : "", t->other);
    if (t->n == 0 && t->other == 0)
        sbuf_puts(b, "-");
}

/* measured - "not measured", or "measured on N of M (K not measured); " */
static int measured(sbuf_t *b, const char *title, unsigned long yes, unsigned long no,
                    const char *what)
{
    sbuf_puts(b, title);
    if (yes == 0) {
        sbuf_puts(b, "not measured\n");
        return 0;
    }
    sbuf_printf(b, "measured on %lu of %lu %s", yes, yes + no, what);
    if (no)
        sbuf_printf(b, " (%lu not measured)", no);
    sbuf_puts(b, "; ");
    return 1;
}

void agg_text(const agg_t *a, sbuf_t *b)
{
    size_t i;
    int first = 1;

    sbuf_printf(b, "aggregate: %lu result(s), %lu unreadable row(s)", a->results, a->error_rows);
    if (a->unreadable)
        sbuf_printf(b, ", %lu line(s) that are no result", a->unreadable);
    tally_text(b, "\ndomains by status: ", &a->dom);
    sbuf_printf(b, "\nMX hosts checked: %lu unique name(s), %lu reached, %lu not reached\n",
                a->hosts, a->reached, a->hosts - a->reached);
    share(b, "  without STARTTLS: ", a->no_starttls, a->reached);
    share(b, " of those reached\n  STARTTLS but no TLS session: ", a->tls_failed, a->reached);
    share(b, " of those reached\n  invalid certificates: ", a->invalid, a->with_tls);
    sbuf_printf(b, " of those with TLS: untrusted %lu, name mismatch %lu, expired %lu, "
                   "not yet valid %lu\n  negotiated TLS version:",
                a->untrusted, a->mismatch, a->expired, a->notyet);
    for (i = 0; i < a->negotiated.n; i++) {
        sbuf_printf(b, "%s %s", i ? "," : "", a->negotiated.e[i].name);
        share(b, " ", a->negotiated.e[i].count, a->with_tls);
    }
    sbuf_puts(b, a->negotiated.n ? "\n" : " none\n");
    if (measured(b, "  accepted TLS versions: ", a->acc_measured, a->acc_not, "hosts")) {
        for (i = 0; i < NVERS; i++) {
            if (!a->acc[i])
                continue;
            sbuf_printf(b, "%s%s", first ? "" : ", ", versions[i]);
            share(b, " ", a->acc[i], a->acc_measured);
            first = 0;
        }
        sbuf_puts(b, first ? "none\n" : "\n");
    }
    if (measured(b, "DANE (MX hosts): ", a->dane_measured, a->dane_not, "hosts")) {
        share(b, "TLSA published ", a->dane_published, a->dane_measured);
        share(b, ", valid ", a->dane_valid, a->dane_measured);
        tally_text(b, "; by status: ", &a->dane);
        sbuf_puts(b, "\n");
    }
    if (measured(b, "MTA-STS (domains): ", a->sts_measured, a->sts_not, "domains")) {
        share(b, "a policy (enforce or testing) ", a->sts_policy, a->sts_measured);
        share(b, ", enforce ", a->sts_enforce, a->sts_measured);
        tally_text(b, "; by mode: ", &a->sts_mode);
        tally_text(b, "; by status: ", &a->sts_status);
        sbuf_puts(b, "\n");
    }
    if (measured(b, "TLS-RPT (domains): ", a->rpt_measured, a->rpt_not, "domains")) {
        share(b, "a usable record ", a->rpt_usable, a->rpt_measured);
        tally_text(b, "; by status: ", &a->rpt);
        sbuf_puts(b, "\n");
    }
}

/* ---- JSON ---------------------------------------------------------------- */

/* part - PRE then "NAME":{"count":n,"of":of,"percent":p|null} */
static void part(sbuf_t *b, const char *pre, const char *name, unsigned long n,
                 unsigned long of)
{
    sbuf_puts(b, pre);
    sbuf_json_str(b, name);
    sbuf_printf(b, ":{\"count\":%lu,\"of\":%lu,\"percent\":", n, of);
    if (of)
        sbuf_printf(b, "%.2f}", 100.0 * (double)n / (double)of);
    else
        sbuf_puts(b, "null}");
}

/* tally_json - PRE then "NAME":{"name":n,...} */
static void tally_json(sbuf_t *b, const char *pre, const char *name, const tally_t *t)
{
    size_t i;
    sbuf_printf(b, "%s\"%s\":{", pre, name);
    for (i = 0; i < t->n; i++) {
        sbuf_puts(b, i ? "," : "");
        sbuf_json_str(b, t->e[i].name);
        sbuf_printf(b, ":%lu", t->e[i].count);
    }
    if (t->other)
        sbuf_printf(b, "%s\"(other)\":%lu", t->n ? "," : "", t->other);
    sbuf_puts(b, "}");
}

/* measured_json - PRE then "NAME":{"measured":n,"not_measured":m, */
static void measured_json(sbuf_t *b, const char *pre, const char *name, unsigned long yes,
                          unsigned long no)
{
    sbuf_printf(b, "%s\"%s\":{\"measured\":%lu,\"not_measured\":%lu", pre, name, yes, no);
}

void agg_json(const agg_t *a, sbuf_t *b)
{
    size_t i;
    unsigned long t = a->with_tls, r = a->reached;

    sbuf_printf(b, "{\"schema_version\":%d,\"aggregate\":{\"results\":%lu,\"error_rows\":%lu,"
                   "\"unreadable_lines\":%lu",
                STC_SCHEMA_VERSION, a->results, a->error_rows, a->unreadable);
    tally_json(b, ",", "domains_by_status", &a->dom);
    sbuf_printf(b, ",\"mx_hosts\":{\"total\":%lu,\"reached\":%lu,\"not_reached\":%lu,"
                   "\"with_tls\":%lu",
                a->hosts, r, a->hosts - r, t);
    part(b, ",", "without_starttls", a->no_starttls, r);
    part(b, ",", "no_tls_session", a->tls_failed, r);
    part(b, ",", "invalid_certificate", a->invalid, t);
    part(b, ",", "untrusted", a->untrusted, t);
    part(b, ",", "name_mismatch", a->mismatch, t);
    part(b, ",", "expired", a->expired, t);
    part(b, ",", "not_yet_valid", a->notyet, t);
    sbuf_puts(b, ",\"negotiated_versions\":{");
    for (i = 0; i < a->negotiated.n; i++)
        part(b, i ? "," : "", a->negotiated.e[i].name, a->negotiated.e[i].count, t);
    measured_json(b, "}},", "accepted_versions", a->acc_measured, a->acc_not);
    sbuf_puts(b, ",\"by_version\":{");
    for (i = 0; i < NVERS; i++)
        part(b, i ? "," : "", versions[i], a->acc[i], a->acc_measured);
    measured_json(b, "}},", "dane", a->dane_measured, a->dane_not);
    part(b, ",", "published", a->dane_published, a->dane_measured);
    part(b, ",", "valid", a->dane_valid, a->dane_measured);
    tally_json(b, ",", "by_status", &a->dane);
    measured_json(b, "},", "mta_sts", a->sts_measured, a->sts_not);
    part(b, ",", "policy", a->sts_policy, a->sts_measured);
    part(b, ",", "enforce", a->sts_enforce, a->sts_measured);
    tally_json(b, ",", "by_mode", &a->sts_mode);
    tally_json(b, ",", "by_status", &a->sts_status);
    measured_json(b, "},", "tls_rpt", a->rpt_measured, a->rpt_not);
    part(b, ",", "usable", a->rpt_usable, a->rpt_measured);
    tally_json(b, ",", "by_status", &a->rpt);
    sbuf_puts(b, "}}}\n");
}

void agg_free(agg_t *a)
{
    size_t i;
    if (a == NULL)
        return;
    for (i = 0; i < a->set_cap; i++)
        free(a->set[i]);
    free(a->set);
    jr_free(&a->doc);
    free(a);
}
