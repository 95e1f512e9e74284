/* job_dane.c - a job's DANE part: the TLSA question of each MX host and
 * the judgement of its sessions (RFC 7672)
 *
 * Order (2.2): the MX RRset and the host's A/AAAA answers must be
 * validated (AD from the resolver) before TLSA is asked at all; the TLSA
 * answer is known before the host's sessions start, because it picks the
 * SNI. The TLSA base domain (2.2.2) is the CNAME-expanded host name when
 * that has TLSA records, else the MX name itself.
 *
 * A SERVFAIL is asked again with CD=1: data that comes back then failed
 * validation (bogus), which RFC 7672 2.1.1 tells apart from a server that
 * cannot answer (lookup failed). Both make a DANE sender defer mail.
 */
#include "engine.h"

#include <string.h>

#define TLSA_PREFIX "_25._tcp." /* RFC 7672 2.2: the TLSA name of port 25 */

/* tlsa_base - the name TLSA is asked at now (the CNAME target first) */
static const char *tlsa_base(const stc_job_t *j, uint8_t hi)
{
    const stc_host_result_t *h = &j->result.host[hi];
    return j->hs[hi].tlsa_at == 0 ? stc_result_text(&j->result, h->cname) : h->name;
}

/* known - host hi's DANE is decided before any session */
static void known(stc_job_t *j, uint8_t hi, uint8_t dane)
{
    j->result.host[hi].dane = dane;
    j->hs[hi].dane_st = 2;
}

/* stc_job_dane_start - host hi's addresses are known */
void stc_job_dane_start(stc_job_t *j, uint8_t hi)
{
    const stc_domain_result_t *r = &j->result;
    const stc_host_result_t *h = &r->host[hi];
    stc_jhost_t *hs = &j->hs[hi];

    if (r->mx_kind == STC_MX_RELAY || h->naddr == 0) {
        known(j, hi, STC_DANE_NONE); /* nothing to connect to: nothing to say */
        return;
    }
    if (!r->mx_secure || hs->insecure) {
        known(j, hi, STC_DANE_INSECURE); /* 2.2: DANE needs validated MX and A/AAAA */
        return;
    }
    hs->dane_st = 0;
    hs->tlsa_at = h->cname ? 0 : 1;
}

/* stc_job_ask_tlsa - ask the TLSA questions that are due */
int stc_job_ask_tlsa(stc_engine_t *e, stc_job_t *j)
{
    char qname[STC_NAME_MAX + 1];
    uint8_t hi;
    int progress = 0;

    for (hi = 0; hi < j->result.nhosts; hi++) {
        stc_jhost_t *hs = &j->hs[hi];
        stc_wait_t *w;
        int rc, n;

        if (!hs->looked || hs->dane_st != 0)
            continue;
        n = (int)strlen(tlsa_base(j, hi));
        if ((size_t)n + sizeof TLSA_PREFIX > sizeof qname) {
            /* the name is too long for a TLSA owner: no record can exist */
            known(j, hi, STC_DANE_TLSA_ABSENT);
            progress = 1;
            continue;
        }
        memcpy(qname, TLSA_PREFIX, sizeof TLSA_PREFIX - 1);
        memcpy(qname + sizeof TLSA_PREFIX - 1, tlsa_base(j, hi), (size_t)n + 1);
        w = stc_job_free_wait(j);
        if (!w)
            return progress;
        w->kind = STC_W_TLSA;
        w->host = hi;
        rc = stc_eng_ask_dns(e, w, qname, STC_DNS_TLSA, hs->tlsa_at == 2);
        if (rc == STC_ASK_LATER)
            return progress;
        progress = 1;
        if (rc == STC_EAGAIN) {
            hs->dane_st = 1;
            continue;
        }
        known(j, hi, STC_DANE_LOOKUP_FAILED); /* could not be asked from here */
    }
    return progress;
}

typedef struct tlsa_collect {
    stc_jhost_t *hs;
    stc_host_result_t *h;
} tlsa_collect_t;

/* on_tlsa - one TLSA record: count it, keep it when usable */
static int on_tlsa(void *ctx, const stc_dns_resp_t *resp, const stc_dns_rr_t *rr)
{
    tlsa_collect_t *c = (tlsa_collect_t *)ctx;
    stc_tlsa_key_t k;
    const uint8_t *data;
    size_t dlen;
    uint8_t usage, sel, mtype;

    if (stc_dns_rdata_tlsa(resp, rr, &usage, &sel, &mtype, &data, &dlen) != STC_OK)
        return 0;
    if (c->h->tlsa_records < 255)
        c->h->tlsa_records++;
    if (!stc_dane_key(&k, usage, sel, mtype, data, dlen))
        return 0;
    if (c->h->tlsa_usable < 255)
        c->h->tlsa_usable++;
    if (c->hs->ntlsa < STC_TLSA_MAX)
        c->hs->tlsa[c->hs->ntlsa++] = k;
    return 0;
}

/* stc_job_tlsa_answer - the TLSA answer (or failure) for host w->host */
void stc_job_tlsa_answer(stc_job_t *j, const stc_wait_t *w, const stc_dns_ans_t *q, int err)
{
    uint8_t hi = w->host;
    stc_host_result_t *h = &j->result.host[hi];
    stc_jhost_t *hs = &j->hs[hi];
    stc_dns_resp_t resp;
    tlsa_collect_t c;
    char target[STC_NAME_MAX + 1];
    int n = 0;

    if (hi >= j->result.nhosts || hs->dane_st != 1)
        return;
    if (err != STC_OK) {
        known(j, hi, STC_DANE_LOOKUP_FAILED);
        return;
    }
    if (q->rcode == STC_RCODE_SERVFAIL && !q->cd) {
        hs->tlsa_at = 2; /* ask again with CD=1, at the same name */
        hs->dane_st = 0;
        return;
    }
    if (q->rcode == STC_RCODE_NOERROR) {
        if (stc_dns_parse_response(q->msg, q->len, q->id, q->qname, q->qtype, &resp) != STC_OK) {
            known(j, hi, STC_DANE_LOOKUP_FAILED);
            return;
        }
        h->tlsa_records = h->tlsa_usable = 0;
        hs->ntlsa = 0;
        c.hs = hs;
        c.h = h;
        n = stc_dns_extract(&resp, q->qname, STC_DNS_TLSA, on_tlsa, &c, target, sizeof target);
        if (n < 0) {
            known(j, hi, STC_DANE_LOOKUP_FAILED);
            return;
        }
    } else if (q->rcode != STC_RCODE_NXDOMAIN) {
        known(j, hi, STC_DANE_LOOKUP_FAILED);
        return;
    }
    if (q->cd) {
        /* data only when validation is off: the signed RRset is bogus */
        known(j, hi, h->tlsa_records > 0 ? STC_DANE_BOGUS : STC_DANE_LOOKUP_FAILED);
        h->tlsa_records = h->tlsa_usable = 0;
        hs->ntlsa = 0;
        return;
    }
    if (h->tlsa_records == 0 || !q->ad) {
        h->tlsa_records = h->tlsa_usable = 0;
        hs->ntlsa = 0;
        if (hs->tlsa_at == 0) {
            hs->tlsa_at = 1; /* 2.2.2: nothing at the CNAME target: the MX name */
            hs->dane_st = 0;
            return;
        }
        known(j, hi, q->ad ? STC_DANE_TLSA_ABSENT : STC_DANE_INSECURE);
        return;
    }
    /* a validated TLSA RRset: STARTTLS is mandatory from here on */
    h->tlsa_base = stc_text_put(&j->result, tlsa_base(j, hi));
    known(j, hi, h->tlsa_usable ? STC_DANE_NOT_REACHED : STC_DANE_UNUSABLE);
    if (h->tlsa_usable > hs->ntlsa)
        stc_add_host_finding(h, STC_F_TLSA_TRUNCATED, h->tlsa_usable);
}

/* stc_job_dane_session - judge one address's sessions against host hi's
 * TLSA records (from the main handshake's chain facts) */
void stc_job_dane_session(stc_job_t *j, uint8_t hi, stc_addr_result_t *a, const stc_session_t *s)
{
    stc_host_result_t *h = &j->result.host[hi];
    const stc_jhost_t *hs = &j->hs[hi];
    uint8_t usage = 0;

    a->dane = STC_DANE_NONE;
    if (h->tlsa_records == 0 || a->reach != STC_R_REACHED)
        return;
    if (a->tls_version == 0 || s->chain.n == 0)
        a->dane = STC_DANE_NO_TLS;
    else if (hs->ntlsa == 0)
        a->dane = STC_DANE_UNUSABLE;
    else
        a->dane = stc_dane_match(hs->tlsa, hs->ntlsa, &s->chain, a->cert.name_ok, &usage);
    if (usage)
        h->dane_usage = usage; /* the usage that decided (the last address's) */
}

/* stc_job_dane_finish - each host's DANE status and findings from its
 * addresses */
void stc_job_dane_finish(stc_job_t *j)
{
    uint8_t hi, ai;

    for (hi = 0; hi < j->result.nhosts; hi++) {
        stc_host_result_t *h = &j->result.host[hi];
        uint8_t d = STC_DANE_NONE, cert_bad = 0;
        unsigned code;

        if (h->tlsa_records > 0) {
            for (ai = 0; ai < h->naddr; ai++) {
                const stc_addr_result_t *a = &h->addr[ai];
                if (a->dane == STC_DANE_NONE)
                    continue;
                d = d == STC_DANE_NONE ? a->dane : stc_dane_worse(d, a->dane);
                if (a->status[STC_CHK_CERT] != STC_SUCCESS &&
                    a->status[STC_CHK_CERT] != STC_SKIPPED)
                    cert_bad = 1;
            }
            if (d != STC_DANE_NONE)
                h->dane = d;
        }
        code = stc_dane_finding(h->dane);
        if (code)
            stc_add_host_finding(h, code, h->tlsa_records);
        if (h->dane == STC_DANE_VALID && cert_bad)
            stc_add_host_finding(h, STC_F_DANE_OVERRIDES_PKIX, 0);
        if (h->tlsa_usable == 1) /* whatever it matched: the next key needs its record first */
            stc_add_host_finding(h, STC_F_DANE_ONE_RECORD, 0);
    }
}
