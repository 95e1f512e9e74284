/* job_sts.c - a domain's MTA-STS policy (RFC 8461): its host's address,
 * the HTTPS fetch (an engine task, https.c), and the judgement against
 * the MX hosts once their sessions are over
 *
 * Started by exactly one valid _mta-sts TXT record (job_txt.c). The policy
 * host is mta-sts.<domain>: its A record is asked first, AAAA when there
 * is none. What goes wrong is a domain finding; the worst of them is the
 * mta_sts status (success when none). The rules (RFC 8461):
 * - 3.3: the policy comes over HTTPS with a certificate valid for the
 *   policy host, status 200, no redirect followed; a media type other
 *   than text/plain is a warning (as the original tool said);
 * - 3.2: an invalid policy is ignored by senders: a failure;
 * - 4.1, 4.2: under enforce every MX host must match an mx pattern and
 *   offer STARTTLS with a certificate valid for its name and TLS 1.2 or
 *   newer; under testing the same problems are only reported (warning);
 *   mode none is a withdrawn policy (warning; the original said failure).
 */
#include "engine.h"
#include "policy.h"

#include <string.h>

enum { S_NONE = 0, S_ASK_A, S_A, S_ASK_AAAA, S_AAAA, S_ASK_FETCH, S_FETCH, S_DONE };

#define STS_PREFIX "mta-sts."

/* add - a domain finding about the policy; the status follows the worst */
static void add(stc_domain_result_t *r, unsigned code, int32_t detail)
{
    const stc_finding_info_t *fi = stc_finding_info(code);
    stc_add_domain_finding(r, code, detail);
    if (r->mta_sts.status == STC_SKIPPED || fi->severity > r->mta_sts.status)
        r->mta_sts.status = (int8_t)fi->severity;
}

/* end_with - the fetch cannot go on: this finding, and done */
static void end_with(stc_job_t *j, unsigned code, int32_t detail)
{
    add(&j->result, code, detail);
    j->sts_st = S_DONE;
}

/* host_name - "mta-sts.<domain>" into out; 0 when it cannot be a name */
static int host_name(const stc_job_t *j, char *out, size_t cap)
{
    size_t n = sizeof STS_PREFIX - 1;
    if (n + strlen(j->result.domain) >= cap || cap > STC_NAME_MAX + 1)
        return 0;
    memcpy(out, STS_PREFIX, n);
    stc_strlcpy(out + n, j->result.domain, cap - n);
    return 1;
}

/* stc_job_sts_start - one valid _mta-sts record: fetch its policy */
void stc_job_sts_start(stc_job_t *j)
{
    if (j->sts_st == S_NONE)
        j->sts_st = S_ASK_A;
}

/* stc_job_sts_pending - something is still to be asked */
int stc_job_sts_pending(const stc_job_t *j)
{
    return j->sts_st == S_ASK_A || j->sts_st == S_ASK_AAAA || j->sts_st == S_ASK_FETCH;
}

/* stc_job_ask_sts - ask the policy host's address, or the fetch */
int stc_job_ask_sts(stc_engine_t *e, stc_job_t *j)
{
    char host[STC_NAME_MAX + 1];
    stc_wait_t *w;
    int rc;

    if (!stc_job_sts_pending(j))
        return 0;
    if (!host_name(j, host, sizeof host)) {
        end_with(j, STC_F_STS_NO_HOST, 0); /* no such name can exist */
        return 1;
    }
    w = stc_job_free_wait(j);
    if (!w)
        return 0;
    if (j->sts_st == S_ASK_FETCH) {
        w->kind = STC_W_POLICY;
        rc = stc_eng_ask_session(e, w, &j->sts_ip, 443, STC_HTTPS, host);
        if (rc == STC_ASK_LATER)
            return 0;
        j->sts_st = S_FETCH;
        return 1;
    }
    w->kind = STC_W_STS_ADDR;
    rc = stc_eng_ask_dns(e, w, host, j->sts_st == S_ASK_A ? STC_DNS_A : STC_DNS_AAAA, 0);
    if (rc == STC_ASK_LATER)
        return 0;
    if (rc != STC_EAGAIN) {
        end_with(j, STC_F_STS_CHECKER, rc); /* could not be asked from here */
        return 1;
    }
    j->sts_st++;
    return 1;
}

/* on_ip - the first address of the policy host */
static int on_ip(void *ctx, const stc_dns_resp_t *resp, const stc_dns_rr_t *rr)
{
    stc_ip_t *ip = (stc_ip_t *)ctx;
    if (ip->family == 0)
        (void)stc_dns_rdata_ip(resp, rr, ip);
    return 0;
}

/* stc_job_sts_addr - the A or AAAA answer for the policy host */
void stc_job_sts_addr(stc_job_t *j, const stc_wait_t *w, const stc_dns_ans_t *q, int err)
{
    stc_dns_resp_t resp;
    char target[STC_NAME_MAX + 1];
    stc_ip_t ip;

    (void)w;
    memset(&ip, 0, sizeof ip);
    if (err == STC_OK && q->rcode == STC_RCODE_NOERROR &&
        stc_dns_parse_response(q->msg, q->len, q->id, q->qname, q->qtype, &resp) == STC_OK)
        (void)stc_dns_extract(&resp, q->qname, q->qtype, on_ip, &ip, target, sizeof target);
    if (ip.family != 0) {
        j->sts_ip = ip;
        j->sts_st = S_ASK_FETCH;
    } else if (j->sts_st == S_A && !(err == STC_OK && q->rcode == STC_RCODE_NXDOMAIN)) {
        j->sts_st = S_ASK_AAAA;
    } else {
        end_with(j, STC_F_STS_NO_HOST, err ? err : q->rcode);
    }
}

/* cert_problem - the first certificate finding of the fetch that senders
 * would refuse (failure or worse), 0 when the certificate is valid */
static unsigned cert_problem(const stc_addr_result_t *a)
{
    unsigned i;
    for (i = 0; i < a->nfindings; i++) {
        const stc_finding_info_t *fi = stc_finding_info(a->findings[i].code);
        if (fi->check == STC_CHK_CERT && fi->severity >= STC_FAILURE)
            return a->findings[i].code;
    }
    return 0;
}

/* ours - a finding of the checker's own stopped the fetch */
static int ours(const stc_addr_result_t *a)
{
    unsigned i;
    for (i = 0; i < a->nfindings; i++)
        if (stc_finding_info(a->findings[i].code)->ours)
            return 1;
    return a->reach == STC_R_UNCHECKED;
}

/* judge_fetch - how the fetch went, as findings; 1 when the policy body
 * was read whole (its fields can then be judged) */
static int judge_fetch(stc_domain_result_t *r, const stc_session_t *s)
{
    const stc_sts_fetch_t *f = &s->sts;
    unsigned cert;

    if (f->end == STC_STS_E_OURS || ours(&s->a) ||
        (f->end == STC_STS_E_CONNECT && s->a.err == STC_EAFNOSUPPORT)) {
        add(r, STC_F_STS_CHECKER, s->a.err);
        return 0;
    }
    if (f->end == STC_STS_E_CONNECT || f->end == STC_STS_E_TLS || f->end == STC_STS_E_IO ||
        (f->end == STC_STS_E_TIMEOUT && s->a.tls_version == 0) || f->end == STC_STS_E_NONE) {
        add(r, STC_F_STS_FETCH_FAILED, s->a.lower_err ? s->a.lower_err : s->a.err);
        return 0;
    }
    cert = cert_problem(&s->a);
    if (cert) { /* senders stop here: the policy is not theirs to read */
        add(r, STC_F_STS_CERT_INVALID, (int32_t)cert);
        return 0;
    }
    if (f->http_status >= 300 && f->http_status < 400) {
        add(r, STC_F_STS_REDIRECT, f->http_status);
        return 0;
    }
    if (f->http_status != 200 && f->http_status != 0) {
        add(r, STC_F_STS_HTTP_STATUS, f->http_status);
        return 0;
    }
    if (f->http_result != STC_HTTP_R_OK || f->end == STC_STS_E_TIMEOUT) {
        add(r, STC_F_STS_HTTP_BAD, f->http_result);
        return 0;
    }
    if (f->mtype != STC_HTTP_MT_TEXT_PLAIN)
        add(r, STC_F_STS_MEDIA_TYPE, f->mtype);
    return 1;
}

/* stc_job_sts_answer - the fetch is over: its facts into the result */
void stc_job_sts_answer(stc_job_t *j, const stc_session_t *s)
{
    stc_domain_result_t *r = &j->result;
    const stc_sts_fetch_t *f = &s->sts;
    stc_sts_result_t *p = &r->sts;
    uint8_t i;

    if (j->sts_st != S_FETCH)
        return;
    j->sts_st = S_DONE;
    r->mta_sts.status = STC_SUCCESS; /* unless a finding below says otherwise */
    p->fetch = f->end;
    p->http_status = f->http_status;
    p->http_result = f->http_result;
    p->mtype = f->mtype;
    if (!judge_fetch(r, s))
        return;
    p->policy_problems = f->problems;
    p->max_age = f->max_age;
    p->mx_count = f->mx_count;
    p->matched = f->matched;
    r->mta_sts.mode = f->mode;
    for (i = 0; i < f->nmx && i < STC_STS_MX_KEEP; i++)
        p->mx[p->nmx++] = stc_text_put(r, f->mx[i]);
    if (f->problems & STC_STS_P_FATAL) {
        add(r, STC_F_STS_POLICY_INVALID, f->problems);
        r->mta_sts.mode = STC_STS_MODE_UNSET; /* senders ignore it */
    } else if (f->mode == STC_STS_MODE_TESTING) {
        add(r, STC_F_STS_TESTING, 0);
    } else if (f->mode == STC_STS_MODE_NONE) {
        add(r, STC_F_STS_MODE_NONE, 0);
    }
}

/* tls_ok - every reached address of h has STARTTLS with TLS >= 1.2 and a
 * certificate senders accept (RFC 8461 4.2); hosts not reached say nothing */
static int tls_ok(const stc_host_result_t *h)
{
    uint8_t ai;
    for (ai = 0; ai < h->naddr; ai++) {
        const stc_addr_result_t *a = &h->addr[ai];
        if (a->reach != STC_R_REACHED)
            continue;
        if (a->tls_version < 0x0303 || a->status[STC_CHK_CERT] == STC_FAILURE ||
            a->status[STC_CHK_CERT] == STC_ERROR)
            return 0;
    }
    return 1;
}

/* stc_job_sts_finish - the MX hosts against an enforced or tested policy */
void stc_job_sts_finish(stc_job_t *j)
{
    stc_domain_result_t *r = &j->result;
    stc_sts_result_t *p = &r->sts;
    unsigned uncovered = 0, violating = 0;
    uint8_t hi;

    if (r->mta_sts.mode != STC_STS_MODE_ENFORCE && r->mta_sts.mode != STC_STS_MODE_TESTING)
        return;
    for (hi = 0; hi < r->nhosts; hi++) {
        const stc_host_result_t *h = &r->host[hi];
        if (hi >= 32 || !(p->matched & (1u << hi)))
            uncovered++;
        else if (!tls_ok(h))
            violating++;
    }
    p->uncovered = (uint8_t)(uncovered > 255 ? 255 : uncovered);
    p->violating = (uint8_t)(violating > 255 ? 255 : violating);
    if (r->mta_sts.mode == STC_STS_MODE_TESTING) {
        if (uncovered + violating)
            add(r, STC_F_STS_TESTING_FAILS, (int32_t)(uncovered + violating));
        return;
    }
    if (uncovered)
        add(r, STC_F_STS_MX_UNCOVERED, (int32_t)uncovered);
    if (violating)
        add(r, STC_F_STS_MX_NO_TLS, (int32_t)violating);
}
