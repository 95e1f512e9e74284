/* job_txt.c - a domain's policy records: _mta-sts (RFC 8461 3.1) and
 * _smtp._tls (RFC 8460 3) TXT
 *
 * Asked once some MX host has an address (a domain without a mail host
 * has no use for either). A missing record is "not applicable", never a
 * verdict: neither record is required for mail to flow. The MTA-STS
 * record alone does not grade the domain: its policy does, and until the
 * policy is fetched the status stays "skipped" (JSON leaves it out).
 */
#include "engine.h"
#include "policy.h"

#include <string.h>

#define TXT_STS 0x1u
#define TXT_RPT 0x2u

/* A TXT record this long is no policy record; longer ones are offered cut,
 * which no valid record of either kind needs. */
#define TXT_MAX 512

/* has_address - some host has an address to deliver to */
static int has_address(const stc_job_t *j)
{
    uint8_t hi;
    for (hi = 0; hi < j->result.nhosts; hi++)
        if (j->hs[hi].looked && j->result.host[hi].naddr > 0)
            return 1;
    return 0;
}

/* stc_job_txt_pending - questions due and not yet asked: the job is not
 * done (a session answered from the cache must not end it first) */
int stc_job_txt_pending(const stc_job_t *j)
{
    return j->txt_need != 0 && has_address(j);
}

/* stc_job_ask_txt - ask the policy TXT questions that are due */
int stc_job_ask_txt(stc_engine_t *e, stc_job_t *j)
{
    static const char *const prefix[2] = {"_mta-sts.", "_smtp._tls."};
    char qname[STC_NAME_MAX + 1];
    int progress = 0;
    unsigned k;

    if (!j->txt_need || !has_address(j))
        return 0;
    for (k = 0; k < 2; k++) {
        stc_policy_result_t *p = k == 0 ? &j->result.mta_sts : &j->result.tls_rpt;
        stc_wait_t *w;
        size_t n = strlen(prefix[k]);
        int rc;

        if (!(j->txt_need & (1u << k)))
            continue;
        if (n + strlen(j->result.domain) >= sizeof qname) {
            j->txt_need &= (uint8_t)~(1u << k); /* no such name can exist */
            p->status = STC_NOT_APPLICABLE;
            continue;
        }
        memcpy(qname, prefix[k], n);
        stc_strlcpy(qname + n, j->result.domain, sizeof qname - n);
        w = stc_job_free_wait(j);
        if (!w)
            return progress;
        w->kind = k == 0 ? STC_W_STS : STC_W_RPT;
        rc = stc_eng_ask_dns(e, w, qname, STC_DNS_TXT, 0);
        if (rc == STC_ASK_LATER)
            return progress;
        progress = 1;
        j->txt_need &= (uint8_t)~(1u << k);
        if (rc != STC_EAGAIN) {
            p->status = STC_WARNING;
            stc_add_domain_finding(&j->result, STC_F_TXT_LOOKUP_FAILED, rc);
        }
    }
    return progress;
}

typedef struct txt_collect {
    int sts;
    stc_sts_txt_t s;
    stc_tlsrpt_txt_t r;
} txt_collect_t;

/* on_txt - one TXT record, strings concatenated (RFC 8461 3.1) */
static int on_txt(void *ctx, const stc_dns_resp_t *resp, const stc_dns_rr_t *rr)
{
    txt_collect_t *c = (txt_collect_t *)ctx;
    char txt[TXT_MAX];
    size_t n = 0;
    int rc = stc_dns_rdata_txt(resp, rr, txt, sizeof txt, &n);

    if (rc == STC_ETOOLONG)
        n = sizeof txt - 1;
    else if (rc != STC_OK)
        return 0;
    if (c->sts)
        (void)stc_sts_txt_offer(&c->s, (const uint8_t *)txt, n);
    else
        (void)stc_tlsrpt_txt_offer(&c->r, (const uint8_t *)txt, n);
    return 0;
}

/* judge - the status and finding of one record kind from its selection */
static void judge(stc_domain_result_t *r, stc_policy_result_t *p, int sts, int st)
{
    switch (st) {
    case STC_TXT_NONE:
        p->status = STC_NOT_APPLICABLE;
        break;
    case STC_TXT_MULTIPLE: /* "the sender ... MUST assume no policy" / no reports */
        p->status = sts ? STC_FAILURE : STC_WARNING;
        stc_add_domain_finding(r, sts ? STC_F_STS_TXT_MULTIPLE : STC_F_TLSRPT_MULTIPLE,
                               p->records);
        break;
    case STC_TXT_ONE_INVALID:
        p->status = sts ? STC_FAILURE : STC_WARNING;
        stc_add_domain_finding(r, sts ? STC_F_STS_TXT_INVALID : STC_F_TLSRPT_INVALID,
                               p->problems);
        break;
    default: /* one valid record: TLS-RPT is done; MTA-STS needs its policy */
        p->status = sts ? STC_SKIPPED : STC_SUCCESS;
        break;
    }
}

/* stc_job_txt_answer - a policy TXT answer (or failure) */
void stc_job_txt_answer(stc_job_t *j, const stc_wait_t *w, const stc_dns_ans_t *q, int err)
{
    stc_domain_result_t *r = &j->result;
    int sts = w->kind == STC_W_STS;
    stc_policy_result_t *p = sts ? &r->mta_sts : &r->tls_rpt;
    txt_collect_t c;
    stc_dns_resp_t resp;
    char target[STC_NAME_MAX + 1];

    memset(&c, 0, sizeof c);
    c.sts = sts;
    stc_sts_txt_init(&c.s);
    stc_tlsrpt_txt_init(&c.r);
    if (err == STC_OK && q->rcode == STC_RCODE_NXDOMAIN) {
        p->status = STC_NOT_APPLICABLE;
        return;
    }
    if (err != STC_OK || q->rcode != STC_RCODE_NOERROR ||
        stc_dns_parse_response(q->msg, q->len, q->id, q->qname, q->qtype, &resp) != STC_OK ||
        stc_dns_extract(&resp, q->qname, STC_DNS_TXT, on_txt, &c, target, sizeof target) < 0) {
        p->status = STC_WARNING;
        stc_add_domain_finding(r, STC_F_TXT_LOOKUP_FAILED, err ? err : q->rcode);
        return;
    }
    if (sts) {
        p->records = (uint8_t)(c.s.sel.matched > 255 ? 255 : c.s.sel.matched);
        p->problems = c.s.rec.problems;
        if (c.s.rec.id_len && c.s.sel.matched == 1) /* of several, none is "the" id */
            p->id = stc_text_put(r, c.s.rec.id);
        judge(r, p, 1, stc_sts_txt_status(&c.s));
        if (p->status == STC_SKIPPED) /* one valid record: its policy decides */
            stc_job_sts_start(j);
    } else {
        p->records = (uint8_t)(c.r.sel.matched > 255 ? 255 : c.r.sel.matched);
        p->problems = c.r.rec.problems;
        p->uris = c.r.rec.rua;
        if (c.r.rec.uri[0] && c.r.sel.matched == 1)
            p->id = stc_text_put(r, c.r.rec.uri);
        judge(r, p, 0, stc_tlsrpt_txt_status(&c.r));
    }
}
