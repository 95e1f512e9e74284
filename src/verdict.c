/* verdict.c - from address results to host and domain status
 *
 * The rule is written out in include/stc/stc.h ("Domain verdict") and
 * pinned by tests/unit/test_verdict.c. It is a pure function of the
 * result, so it can be tested without any network.
 */
#include "engine.h"

#include <string.h>

/* rank - order of severity: not applicable, skipped, then 0..3 */
static int rank(int s)
{
    switch (s) {
    case STC_NOT_APPLICABLE: return 0;
    case STC_SKIPPED: return 1;
    case STC_SUCCESS: return 2;
    case STC_WARNING: return 3;
    case STC_FAILURE: return 4;
    case STC_ERROR: return 5;
    default: return 1; /* unknown values read as "did not run" */
    }
}

/* stc_status_worse - the more severe of two check statuses */
int stc_status_worse(int a, int b)
{
    return rank(b) > rank(a) ? b : a;
}

/* stc_addr_status - worst over the checks and the address's own findings
 * that belong to no check (the checker's limits) */
int stc_addr_status(const stc_addr_result_t *a)
{
    int w = STC_SKIPPED;
    unsigned i;
    for (i = 0; i < STC_CHK_COUNT; i++)
        w = stc_status_worse(w, a->status[i]);
    for (i = 0; i < a->nfindings; i++) {
        const stc_finding_info_t *fi = stc_finding_info(a->findings[i].code);
        if (fi->check >= STC_CHK_COUNT)
            w = stc_status_worse(w, fi->severity);
    }
    return w;
}

/* host_addr_status - an address's status as its host counts it: when DANE
 * authenticates the host (RFC 7672 3.1), the certificate check is PKIX's
 * business and informational for DANE senders */
static int host_addr_status(const stc_host_result_t *h, const stc_addr_result_t *a)
{
    stc_addr_result_t t;
    unsigned i, n = 0;
    if (h->dane != STC_DANE_VALID)
        return stc_addr_status(a);
    t = *a;
    t.status[STC_CHK_CERT] = STC_SKIPPED;
    for (i = 0; i < a->nfindings; i++)
        if (stc_finding_info(a->findings[i].code)->check != STC_CHK_CERT)
            t.findings[n++] = a->findings[i];
    t.nfindings = (uint8_t)n;
    return stc_addr_status(&t);
}

/* ours_error - a finding of the checker's own that leaves a question
 * unanswered (ours notes, such as probes_cut, do not) */
static int ours_error(unsigned code)
{
    const stc_finding_info_t *fi = stc_finding_info(code);
    return fi->ours && fi->severity == STC_ERROR;
}

/* any_ours - does a finding list hold one of the checker's own errors? */
static int any_ours(const stc_finding_t *f, unsigned n)
{
    unsigned i;
    for (i = 0; i < n; i++)
        if (ours_error(f[i].code))
            return 1;
    return 0;
}

/* stc_result_has_internal_error - any finding of ours, anywhere */
int stc_result_has_internal_error(const stc_domain_result_t *r)
{
    unsigned h, a;
    if (any_ours(r->findings, r->nfindings))
        return 1;
    for (h = 0; h < r->nhosts; h++) {
        const stc_host_result_t *hr = &r->host[h];
        if (any_ours(hr->findings, hr->nfindings))
            return 1;
        for (a = 0; a < hr->naddr; a++)
            if (any_ours(hr->addr[a].findings, hr->addr[a].nfindings) ||
                hr->addr[a].reach == STC_R_UNCHECKED)
                return 1;
    }
    return 0;
}

/* first_ours - the first finding of ours in a list, 0 when none */
static unsigned first_ours(const stc_finding_t *f, unsigned n)
{
    unsigned i;
    for (i = 0; i < n; i++)
        if (ours_error(f[i].code))
            return f[i].code;
    return 0;
}

/* has_domain_finding - 1 when the domain carries code */
static int has_domain_finding(const stc_domain_result_t *r, unsigned code)
{
    unsigned i;
    for (i = 0; i < r->nfindings; i++)
        if (r->findings[i].code == code)
            return 1;
    return 0;
}

/* judge_host - a host's reach and status from its addresses */
static void judge_host(stc_host_result_t *h)
{
    unsigned i, reached = 0, rejected = 0, unreach = 0, untested = 0;
    int st = STC_SKIPPED;

    for (i = 0; i < h->naddr; i++) {
        const stc_addr_result_t *a = &h->addr[i];
        switch (a->reach) {
        case STC_R_REACHED:
            reached++;
            break;
        case STC_R_REJECTED:
            rejected++;
            break;
        case STC_R_UNTESTED:
            untested++;
            break;
        default: /* unreachable, and unchecked: their status says which */
            unreach++;
            break;
        }
    }
    if (reached) {
        h->reach = STC_R_REACHED;
        for (i = 0; i < h->naddr; i++)
            if (h->addr[i].reach == STC_R_REACHED || h->addr[i].reach == STC_R_UNCHECKED)
                st = stc_status_worse(st, host_addr_status(h, &h->addr[i]));
        if (rejected || unreach) {
            /* senders pick any address: a dead one loses or delays mail */
            stc_add_host_finding(h, STC_F_SOME_ADDRS_FAIL, (int32_t)(rejected + unreach));
            st = stc_status_worse(st, STC_WARNING);
        }
    } else {
        /* nothing reached: the host carries its failed connectivity */
        for (i = 0; i < h->naddr; i++)
            st = stc_status_worse(st, stc_addr_status(&h->addr[i]));
        if (rejected)
            h->reach = STC_R_REJECTED;
        else if (unreach || h->naddr == 0)
            h->reach = STC_R_UNREACHABLE;
        else if (untested)
            h->reach = STC_R_UNTESTED;
    }
    for (i = 0; i < h->nfindings; i++)
        st = stc_status_worse(st, stc_finding_info(h->findings[i].code)->severity);
    h->status = (int8_t)st;
}

/* no_starttls - the code of a reached address's finding that means
 * "STARTTLS is not there" (not offered, refused, no ESMTP), or 0. A failed
 * handshake is a failure of its own, not "no STARTTLS". */
static unsigned no_starttls(const stc_host_result_t *h)
{
    unsigned i, j;
    for (i = 0; i < h->naddr; i++) {
        if (h->addr[i].reach != STC_R_REACHED)
            continue;
        for (j = 0; j < h->addr[i].nfindings; j++) {
            unsigned code = h->addr[i].findings[j].code;
            if (code == STC_F_NO_STARTTLS || code == STC_F_STARTTLS_REFUSED ||
                code == STC_F_NO_ESMTP)
                return code;
        }
    }
    return 0;
}

/* worst_finding - the most severe finding of host h's reached addresses
 * and the host itself, 0 when none is worse than success */
static unsigned worst_finding(const stc_host_result_t *h)
{
    const stc_finding_info_t *best = NULL;
    unsigned i, j, code = 0;
    for (i = 0; i < h->nfindings; i++) {
        const stc_finding_info_t *fi = stc_finding_info(h->findings[i].code);
        if (!best || fi->severity > best->severity) {
            best = fi;
            code = h->findings[i].code;
        }
    }
    for (i = 0; i < h->naddr; i++) {
        if (h->addr[i].reach != STC_R_REACHED)
            continue;
        for (j = 0; j < h->addr[i].nfindings; j++) {
            const stc_finding_info_t *fi = stc_finding_info(h->addr[i].findings[j].code);
            if (h->dane == STC_DANE_VALID && fi->check == STC_CHK_CERT)
                continue; /* DANE authenticates the host (host_addr_status) */
            if (!best || fi->severity > best->severity) {
                best = fi;
                code = h->addr[i].findings[j].code;
            }
        }
    }
    return best && best->severity > STC_SUCCESS && best->severity <= STC_ERROR ? code : 0;
}

/* first_addr_code - the first finding of host h's addresses (unreached) */
static unsigned first_addr_code(const stc_host_result_t *h)
{
    unsigned i;
    for (i = 0; i < h->naddr; i++)
        if (h->addr[i].nfindings)
            return h->addr[i].findings[0].code;
    if (h->nfindings)
        return h->findings[0].code;
    return STC_F_HOST_NO_ADDRESS;
}

/* say - the message: host index (or 0xff for the domain) and a finding */
static void say(stc_domain_result_t *r, unsigned host, unsigned code)
{
    r->msg_host = (uint8_t)host;
    r->msg_code = (uint16_t)code;
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
                say(r, h + 1, STC_F_BAD_HOSTNAME);
            stc_add_domain_finding(r, STC_F_BAD_HOSTNAME, (int32_t)h);
            ok = 0;
        }
    }
    return ok;
}

/* ours_somewhere - the first finding of ours and the host it is on
 * (0xff: the domain) */
static unsigned ours_somewhere(const stc_domain_result_t *r, unsigned *host)
{
    unsigned h, a, code;
    *host = 0xff;
    if ((code = first_ours(r->findings, r->nfindings)) != 0)
        return code;
    for (h = 0; h < r->nhosts; h++) {
        const stc_host_result_t *hr = &r->host[h];
        *host = h + 1;
        if ((code = first_ours(hr->findings, hr->nfindings)) != 0)
            return code;
        for (a = 0; a < hr->naddr; a++) {
            if ((code = first_ours(hr->addr[a].findings, hr->addr[a].nfindings)) != 0)
                return code;
            if (hr->addr[a].reach == STC_R_UNCHECKED)
                return STC_F_CHECKER_UNCHECKED;
        }
    }
    return 0;
}

/* stc_verdict - set every host's and the domain's status */
void stc_verdict(stc_domain_result_t *r, const char *const *patterns, size_t npatterns)
{
    static const unsigned dns_codes[] = {STC_F_INVALID_DOMAIN, STC_F_DNS_NXDOMAIN,
                                         STC_F_DNS_SERVFAIL, STC_F_DNS_TIMEOUT,
                                         STC_F_DNS_ERROR};
    unsigned i, h, decided = 0, unreached_before = 0, unreached_in_group = 0;
    unsigned why = 0, who = 0, code;
    int st = STC_SKIPPED, nostarttls = 0;

    for (h = 0; h < r->nhosts; h++)
        judge_host(&r->host[h]);
    r->msg_host = 0;
    r->msg_code = 0;

    for (i = 0; i < sizeof dns_codes / sizeof dns_codes[0]; i++)
        if (has_domain_finding(r, dns_codes[i])) {
            r->status = STC_D_ERROR;
            say(r, 0xff, dns_codes[i]);
            return;
        }
    if ((code = ours_somewhere(r, &h)) != 0) {
        /* the checker's own limit: no verdict on the domain is honest */
        r->status = STC_D_ERROR;
        say(r, h, code);
        return;
    }
    if (r->mx_kind == STC_MX_NULL) {
        r->status = STC_D_NO_MAIL;
        say(r, 0xff, STC_F_NULL_MX);
        return;
    }
    if (r->nhosts == 0 || (r->mx_kind == STC_MX_IMPLICIT && r->host[0].naddr == 0)) {
        /* no MX and no address: RFC 5321 5.1 leaves nowhere to deliver */
        stc_add_domain_finding(r, STC_F_NO_MAIL_HOSTS, 0);
        r->status = STC_D_FAILURE;
        say(r, 0xff, STC_F_NO_MAIL_HOSTS);
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
                unsigned c;
                hr->preferred = 1;
                if (hr->reach != STC_R_REACHED) {
                    if (hr->reach != STC_R_UNTESTED)
                        unreached_in_group = k + 1;
                    continue;
                }
                if (rank(hr->status) > rank(st) || (hr->status == st && !why)) {
                    c = worst_finding(hr);
                    if (c || rank(hr->status) > rank(st)) {
                        why = c;
                        who = k + 1;
                    }
                }
                st = stc_status_worse(st, hr->status);
                if ((c = no_starttls(hr)) != 0) {
                    nostarttls = 1;
                    who = k + 1;
                    why = c;
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
            say(r, 0xff, STC_F_NOTHING_TESTABLE);
            return;
        }
        r->status = rejected ? STC_D_REJECTED : STC_D_COULD_NOT_CONNECT;
        say(r, 1, rejected ? STC_F_REJECTED : first_addr_code(&r->host[0]));
        return;
    }
    if (unreached_before) {
        stc_add_domain_finding(r, STC_F_PREFERRED_UNREACHABLE, 0);
        st = stc_status_worse(st, STC_WARNING);
        if (!why) {
            why = STC_F_PREFERRED_UNREACHABLE;
            who = 0;
        }
    }
    if (unreached_in_group) {
        /* a sender picks any host of the group: some mail waits for a
         * retry on the dead one */
        stc_add_domain_finding(r, STC_F_SOME_PREFERRED_UNREACHABLE,
                               (int32_t)(unreached_in_group - 1));
        st = stc_status_worse(st, STC_WARNING);
        if (!why) {
            why = STC_F_SOME_PREFERRED_UNREACHABLE;
            who = unreached_in_group;
        }
    }
    for (i = 0; i < r->nfindings; i++) {
        int sev = stc_finding_info(r->findings[i].code)->severity;
        if (rank(sev) > rank(st) && sev > STC_SUCCESS) {
            /* a domain finding (an MTA-STS policy, a TXT record) is worse
             * than every host: it is what the message names */
            why = r->findings[i].code;
            who = 0xff;
        }
        st = stc_status_worse(st, sev);
    }

    if (st == STC_ERROR)
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
        say(r, 0, 0);
    else
        say(r, who, why);
}
