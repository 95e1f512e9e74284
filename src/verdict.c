/* verdict.c - from address results to host and domain status
 *
 * The rule is written out in include/stc/stc.h ("Domain verdict") and
 * pinned by tests/unit/test_verdict.c. It is a pure function of the
 * result, so it can be tested without any network.
 */
#include "engine.h"

#include <string.h>

/* worst - the more severe of two statuses (-1 = none) */
static int worst(int a, int b)
{
    return a > b ? a : b;
}

/* stc_addr_status - worst over the checks that ran and our own failures */
int stc_addr_status(const stc_addr_result_t *a)
{
    int w = -1;
    unsigned i;
    for (i = 0; i < STC_CHK_COUNT; i++)
        w = worst(w, a->status[i]);
    for (i = 0; i < a->nfindings; i++) {
        const stc_finding_info_t *fi = stc_finding_info(a->findings[i].code);
        if (fi->check >= STC_CHK_COUNT)
            w = worst(w, fi->severity);
    }
    return w;
}

/* is_internal - a finding that says the checker itself failed */
static int is_internal(unsigned code)
{
    return code == STC_F_OUT_OF_MEMORY || code == STC_F_INTERNAL;
}

/* stc_result_has_internal_error - any finding of ours, anywhere */
int stc_result_has_internal_error(const stc_domain_result_t *r)
{
    unsigned i, h, a;
    for (i = 0; i < r->nfindings; i++)
        if (is_internal(r->findings[i].code))
            return 1;
    for (h = 0; h < r->nhosts; h++)
        for (a = 0; a < r->host[h].naddr; a++)
            for (i = 0; i < r->host[h].addr[a].nfindings; i++)
                if (is_internal(r->host[h].addr[a].findings[i].code))
                    return 1;
    return 0;
}

/* has_domain_finding - the first domain finding with this code, or NULL */
static const stc_finding_t *has_domain_finding(const stc_domain_result_t *r, unsigned code)
{
    unsigned i;
    for (i = 0; i < r->nfindings; i++)
        if (r->findings[i].code == code)
            return &r->findings[i];
    return NULL;
}

/* judge_host - a host's reach and status from its addresses */
static void judge_host(stc_host_result_t *h)
{
    unsigned i, reached = 0, rejected = 0, unreach = 0, untested = 0;
    int st = -1;

    for (i = 0; i < h->naddr; i++) {
        const stc_addr_result_t *a = &h->addr[i];
        switch (a->reach) {
        case STC_R_REACHED:
            reached++;
            st = worst(st, stc_addr_status(a));
            break;
        case STC_R_REJECTED:
            rejected++;
            break;
        case STC_R_UNTESTED:
            untested++;
            break;
        default:
            unreach++;
            break;
        }
    }
    if (reached) {
        h->reach = STC_R_REACHED;
        if (rejected || unreach) {
            /* senders pick any address: a dead one loses or delays mail */
            stc_add_host_finding(h, STC_F_SOME_ADDRS_FAIL, (int32_t)(rejected + unreach));
            st = worst(st, STC_WARNING);
        }
        for (i = 0; i < h->nfindings; i++) {
            const stc_finding_info_t *fi = stc_finding_info(h->findings[i].code);
            st = worst(st, fi->severity);
        }
    } else if (rejected) {
        h->reach = STC_R_REJECTED;
    } else if (unreach || h->naddr == 0) {
        h->reach = STC_R_UNREACHABLE;
    } else if (untested) {
        h->reach = STC_R_UNTESTED;
    }
    h->status = (int8_t)st;
}

/* no_starttls - the title of a reached address's finding that means
 * "STARTTLS is not there" (not offered, refused, no ESMTP), or NULL. A
 * failed handshake is a failure of its own, not "no STARTTLS". */
static const char *no_starttls(const stc_host_result_t *h)
{
    unsigned i, j;
    for (i = 0; i < h->naddr; i++) {
        if (h->addr[i].reach != STC_R_REACHED)
            continue;
        for (j = 0; j < h->addr[i].nfindings; j++) {
            unsigned code = h->addr[i].findings[j].code;
            if (code == STC_F_NO_STARTTLS || code == STC_F_STARTTLS_REFUSED ||
                code == STC_F_NO_ESMTP)
                return stc_finding_info(code)->title;
        }
    }
    return NULL;
}

/* append - bounded string append for the message */
static void append(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(dst);
    if (n + 1 < cap)
        stc_strlcpy(dst + n, s, cap - n);
}

/* worst_finding - the most severe address/host finding title of host h */
static const char *worst_finding(const stc_host_result_t *h)
{
    const stc_finding_info_t *best = NULL;
    unsigned i, j;
    for (i = 0; i < h->nfindings; i++) {
        const stc_finding_info_t *fi = stc_finding_info(h->findings[i].code);
        if (!best || fi->severity > best->severity)
            best = fi;
    }
    for (i = 0; i < h->naddr; i++) {
        if (h->addr[i].reach != STC_R_REACHED)
            continue;
        for (j = 0; j < h->addr[i].nfindings; j++) {
            const stc_finding_info_t *fi = stc_finding_info(h->addr[i].findings[j].code);
            if (!best || fi->severity > best->severity)
                best = fi;
        }
    }
    return best && best->severity > STC_SUCCESS ? best->title : NULL;
}

/* first_addr_title - the first address finding title of host h (unreached) */
static const char *first_addr_title(const stc_host_result_t *h)
{
    unsigned i;
    for (i = 0; i < h->naddr; i++)
        if (h->addr[i].nfindings)
            return stc_finding_info(h->addr[i].findings[0].code)->title;
    if (h->nfindings)
        return stc_finding_info(h->findings[0].code)->title;
    return "no address";
}

/* say - message "<host>: <what>" */
static void say(stc_domain_result_t *r, const char *host, const char *what)
{
    r->message[0] = '\0';
    if (host) {
        append(r->message, sizeof r->message, host);
        append(r->message, sizeof r->message, ": ");
    }
    append(r->message, sizeof r->message, what);
}

/* policy_ok - does every MX host match one of the expected patterns? */
static int policy_ok(stc_domain_result_t *r, const char *const *patterns, size_t np)
{
    unsigned h;
    size_t i;
    int ok = 1;
    for (h = 0; h < r->nhosts; h++) {
        int m = 0;
        for (i = 0; i < np && !m; i++)
            m = stc_name_match_policy(patterns[i], r->host[h].name);
        if (!m) {
            if (ok)
                say(r, r->host[h].name, "not among the expected MX host names");
            stc_add_domain_finding(r, STC_F_BAD_HOSTNAME, (int32_t)h);
            ok = 0;
        }
    }
    return ok;
}

/* stc_verdict - set every host's and the domain's status */
void stc_verdict(stc_domain_result_t *r, const char *const *patterns, size_t npatterns)
{
    static const unsigned dns_codes[] = {STC_F_INVALID_DOMAIN, STC_F_DNS_NXDOMAIN,
                                         STC_F_DNS_SERVFAIL, STC_F_DNS_TIMEOUT,
                                         STC_F_DNS_ERROR, STC_F_INTERNAL};
    unsigned i, h, decided = 0, unreached_before = 0;
    int st = -1, nostarttls = 0;
    const char *why = NULL, *who = NULL;

    for (h = 0; h < r->nhosts; h++)
        judge_host(&r->host[h]);

    for (i = 0; i < sizeof dns_codes / sizeof dns_codes[0]; i++)
        if (has_domain_finding(r, dns_codes[i])) {
            r->status = STC_D_ERROR;
            say(r, r->domain, stc_finding_info(dns_codes[i])->title);
            return;
        }
    if (stc_result_has_internal_error(r)) {
        r->status = STC_D_ERROR;
        say(r, NULL, stc_finding_info(STC_F_OUT_OF_MEMORY)->title);
        return;
    }
    if (r->mx_kind == STC_MX_NULL) {
        r->status = STC_D_NO_MAIL;
        say(r, r->domain, stc_finding_info(STC_F_NULL_MX)->title);
        return;
    }
    if (r->nhosts == 0 || (r->mx_kind == STC_MX_IMPLICIT && r->host[0].naddr == 0)) {
        /* no MX and no address: RFC 5321 5.1 leaves nowhere to deliver */
        stc_add_domain_finding(r, STC_F_NO_MAIL_HOSTS, 0);
        r->status = STC_D_FAILURE;
        say(r, r->domain, stc_finding_info(STC_F_NO_MAIL_HOSTS)->title);
        return;
    }
    if (npatterns > 0 && !policy_ok(r, patterns, npatterns)) {
        r->status = STC_D_BAD_HOSTNAME;
        return;
    }

    /* hosts are sorted by preference: find the first group with a reached host */
    for (h = 0; h < r->nhosts && !decided;) {
        unsigned g = h, any = 0;
        while (g < r->nhosts && r->host[g].pref == r->host[h].pref) {
            if (r->host[g].reach == STC_R_REACHED)
                any = 1;
            g++;
        }
        if (any) {
            unsigned k;
            decided = 1;
            for (k = h; k < g; k++) {
                stc_host_result_t *hr = &r->host[k];
                hr->preferred = 1;
                if (hr->reach != STC_R_REACHED)
                    continue;
                if (hr->status > st || (hr->status == st && !why)) {
                    const char *t = worst_finding(hr);
                    if (t || hr->status > st) {
                        why = t;
                        who = hr->name;
                    }
                }
                st = worst(st, hr->status);
                if (no_starttls(hr)) {
                    nostarttls = 1;
                    who = hr->name;
                    why = no_starttls(hr);
                }
            }
        } else {
            unreached_before = 1;
        }
        h = g;
    }

    if (!decided) {
        int rejected = 0, untested = 1;
        for (h = 0; h < r->nhosts; h++) {
            if (r->host[h].reach == STC_R_REJECTED)
                rejected = 1;
            if (r->host[h].reach != STC_R_UNTESTED)
                untested = 0;
        }
        for (h = 0; h < r->nhosts; h++)
            if (r->host[h].pref == r->host[0].pref)
                r->host[h].preferred = 1;
        if (untested) {
            /* nothing was tried: no verdict on the domain is possible */
            stc_add_domain_finding(r, STC_F_NOTHING_TESTABLE, 0);
            r->status = STC_D_ERROR;
            say(r, r->domain, stc_finding_info(STC_F_NOTHING_TESTABLE)->title);
            return;
        }
        r->status = rejected ? STC_D_REJECTED : STC_D_COULD_NOT_CONNECT;
        say(r, r->host[0].name, rejected ? stc_finding_info(STC_F_REJECTED)->title
                                         : first_addr_title(&r->host[0]));
        return;
    }
    if (unreached_before) {
        stc_add_domain_finding(r, STC_F_PREFERRED_UNREACHABLE, 0);
        st = worst(st, STC_WARNING);
        if (!why) {
            why = stc_finding_info(STC_F_PREFERRED_UNREACHABLE)->title;
            who = NULL;
        }
    }
    for (i = 0; i < r->nfindings; i++)
        st = worst(st, stc_finding_info(r->findings[i].code)->severity);

    if (st >= STC_ERROR)
        r->status = STC_D_ERROR;
    else if (nostarttls)
        r->status = STC_D_NO_STARTTLS;
    else if (st == STC_FAILURE)
        r->status = STC_D_FAILURE;
    else if (st == STC_WARNING)
        r->status = STC_D_WARNING;
    else
        r->status = STC_D_SUCCESS;
    if (r->status == STC_D_SUCCESS)
        say(r, NULL, "every preferred MX host passed every check");
    else
        say(r, who, why ? why : "see the findings");
}
