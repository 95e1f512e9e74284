/* job.c - one domain (or relay) check on an engine
 *
 * Phases: MX lookup -> A/AAAA of every host (several at once) -> one
 * session task per address -> verdict. A job only asks (engine.c decides
 * when there is room) and records answers; it never waits on anything but
 * its own wait nodes, so any number of jobs can share one engine. Answers
 * arrive through stc_job_dns_answer / stc_job_session_answer.
 */
#include "engine.h"

#include <stddef.h>
#include <string.h>

enum { J_IDLE = 0, J_MX_ASK, J_MX_WAIT, J_HOSTS, J_DONE };

/* stc_jhost_t.need bits: lookups still to ask */
#define NEED_A 0x1u
#define NEED_AAAA 0x2u

/* ---- set-up -------------------------------------------------------------- */

/* copy_name - store a name without its trailing dot, lower-cased */
static void copy_name(char *dst, const char *src, size_t cap)
{
    size_t n, i;
    stc_strlcpy(dst, src, cap);
    n = strlen(dst);
    if (n > 0 && dst[n - 1] == '.')
        dst[n - 1] = '\0';
    for (i = 0; dst[i]; i++)
        if (dst[i] >= 'A' && dst[i] <= 'Z')
            dst[i] = (char)(dst[i] - 'A' + 'a');
}

/* in_engine - is j in the engine's list (running, or an invalid name not
 * yet reported)? Compares pointers only: j may hold anything. */
static int in_engine(const stc_engine_t *e, const stc_job_t *j)
{
    const stc_job_t *p;
    for (p = e->jobs; p; p = p->next)
        if (p == j)
            return 1;
    return 0;
}

/* reset - a fresh job (one still in the engine is cancelled first) */
static void reset(stc_engine_t *e, stc_job_t *j)
{
    size_t i;
    if (in_engine(e, j))
        stc_job_cancel(e, j);
    memset(j, 0, offsetof(stc_job_t, result));
    memset(&j->result, 0, offsetof(stc_domain_result_t, host));
    j->result.text_used = 0;
    for (i = 0; i < STC_JOB_WAITS; i++)
        j->w[i].job = j;
    j->started = stc_now(e);
    j->port = e->opt.port;
    j->implicit_tls = e->opt.implicit_tls;
}

/* new_host - append a host record; its index or -1 */
static int new_host(stc_job_t *j, const char *name, uint16_t pref)
{
    stc_domain_result_t *r = &j->result;
    stc_host_result_t *h;
    if (r->nhosts >= STC_MAX_MX)
        return -1;
    h = &r->host[r->nhosts];
    memset(h, 0, offsetof(stc_host_result_t, addr));
    copy_name(h->name, name, sizeof h->name);
    h->pref = pref;
    h->status = STC_SKIPPED;
    memset(&j->hs[r->nhosts], 0, sizeof j->hs[0]);
    j->hs[r->nhosts].need = NEED_A | NEED_AAAA;
    return r->nhosts++;
}

/* start - the job joins the engine's list */
static int start(stc_engine_t *e, stc_job_t *j, uint8_t state)
{
    j->state = state;
    j->running = 1;
    j->result.port = j->port;
    j->result.implicit_tls = j->implicit_tls;
    stc_eng_link_job(e, j);
    return STC_OK;
}

/* done_invalid - the input itself is unusable: done at once, reported by
 * the next step (never from inside the call that started it) */
static int done_invalid(stc_engine_t *e, stc_job_t *j)
{
    j->result.port = j->port;
    j->result.implicit_tls = j->implicit_tls;
    stc_add_domain_finding(&j->result, STC_F_INVALID_DOMAIN, 0);
    stc_verdict(&j->result, NULL, 0);
    j->state = J_DONE;
    j->running = 0;
    stc_eng_link_job(e, j);
    return STC_EINVAL;
}

/* keep_name - the name as given into the result; 1 when it was cut */
static int keep_name(stc_job_t *j, const char *name)
{
    j->result.name_cut = (uint8_t)stc_strlcpy(j->result.domain, name, sizeof j->result.domain);
    return j->result.name_cut;
}

/* stc_job_domain - begin a domain check with its MX lookup */
int stc_job_domain(stc_engine_t *e, stc_job_t *j, const char *domain,
                   const char *const *patterns, size_t npatterns)
{
    reset(e, j);
    j->result.mx_kind = STC_MX_NONE;
    if (keep_name(j, domain) || stc_name_check(domain) != STC_NAME_OK || domain[0] == '.')
        return done_invalid(e, j);
    copy_name(j->result.domain, domain, sizeof j->result.domain);
    j->patterns = patterns;
    j->npatterns = patterns ? npatterns : 0;
    j->txt_need = 3; /* _mta-sts and _smtp._tls, once a host has an address */
    j->result.mta_sts.status = STC_SKIPPED;
    j->result.tls_rpt.status = STC_SKIPPED;
    return start(e, j, J_MX_ASK);
}

/* stc_job_host - begin a relay check of one host:port */
int stc_job_host(stc_engine_t *e, stc_job_t *j, const char *host, uint16_t port,
                 int implicit_tls)
{
    stc_ip_t ip;
    int h;

    reset(e, j);
    j->result.mta_sts.status = STC_SKIPPED;
    j->result.tls_rpt.status = STC_SKIPPED;
    j->port = port ? port : 25;
    j->implicit_tls = implicit_tls ? 1 : 0;
    j->result.mx_kind = STC_MX_RELAY;
    if (keep_name(j, host))
        return done_invalid(e, j);
    if (stc_ip_parse(host, &ip)) {
        stc_addr_result_t *a;
        h = new_host(j, host, 0);
        a = &j->result.host[h].addr[0];
        memset(a, 0, sizeof *a);
        a->ip = ip;
        stc_addr_checks_reset(a);
        j->result.host[h].naddr = 1;
        j->hs[h].need = 0;
        j->hs[h].looked = 1;
        j->hs[h].dane_st = 2; /* a relay check: no DANE */
    } else {
        if (stc_name_check(host) != STC_NAME_OK || host[0] == '.')
            return done_invalid(e, j);
        copy_name(j->result.domain, host, sizeof j->result.domain);
        new_host(j, host, 0);
    }
    return start(e, j, J_HOSTS);
}

/* ---- asking ------------------------------------------------------------- */

/* stc_job_free_wait - an idle wait node, or NULL when the job waits for enough */
stc_wait_t *stc_job_free_wait(stc_job_t *j)
{
    size_t i;
    for (i = 0; i < STC_JOB_WAITS; i++)
        if (j->w[i].pool == STC_POOL_NONE) {
            j->w[i].next = NULL;
            return &j->w[i];
        }
    return NULL;
}

/* local_code - the finding for a question we could not ask from here */
static unsigned local_code(int rc)
{
    return rc == STC_ENOMEM ? STC_F_CHECKER_NO_SOCKET : STC_F_CHECKER_DNS_LOCAL;
}

/* ask_mx - the MX question (or the CNAME target it was led to) */
static int ask_mx(stc_engine_t *e, stc_job_t *j)
{
    stc_wait_t *w = stc_job_free_wait(j);
    const char *name = j->mx_target ? stc_result_text(&j->result, j->mx_target)
                                    : j->result.domain;
    int rc;

    if (!w)
        return 0;
    w->kind = STC_W_MX;
    rc = stc_eng_ask_dns(e, w, name, STC_DNS_MX, 0);
    if (rc == STC_ASK_LATER)
        return 0;
    if (rc == STC_EAGAIN) {
        j->state = J_MX_WAIT;
        return 1;
    }
    stc_add_domain_finding(&j->result, local_code(rc), rc);
    j->state = J_DONE;
    return 1;
}

static void host_looked(stc_job_t *j, uint8_t hi);

/* ask_lookups - give the hosts' A/AAAA questions to the engine */
static int ask_lookups(stc_engine_t *e, stc_job_t *j)
{
    uint8_t hi;
    int progress = 0;

    for (hi = 0; hi < j->result.nhosts; hi++) {
        stc_host_result_t *h = &j->result.host[hi];
        stc_jhost_t *hs = &j->hs[hi];
        while (!hs->looked && hs->need) {
            stc_wait_t *w = stc_job_free_wait(j);
            uint8_t bit = (hs->need & NEED_A) ? NEED_A : NEED_AAAA;
            const char *name = hs->hops ? stc_result_text(&j->result, h->cname) : h->name;
            int rc;
            if (!w)
                return progress;
            w->kind = bit == NEED_A ? STC_W_A : STC_W_AAAA;
            w->host = hi;
            rc = stc_eng_ask_dns(e, w, name, bit == NEED_A ? STC_DNS_A : STC_DNS_AAAA, 0);
            if (rc == STC_ASK_LATER)
                return progress;
            progress = 1;
            hs->need &= (uint8_t)~bit;
            if (rc == STC_EAGAIN) {
                hs->inflight++;
                continue;
            }
            /* could not be asked at all: the checker's failure */
            hs->err = (int8_t)rc;
            hs->insecure = 1;
            if (hs->need == 0 && hs->inflight == 0)
                host_looked(j, hi);
        }
    }
    return progress;
}

/* ask_sessions - one session task per address of every looked-up host, in
 * order (the most preferred hosts first) */
static int ask_sessions(stc_engine_t *e, stc_job_t *j)
{
    uint8_t hi, ai;
    int progress = 0;

    for (hi = 0; hi < j->result.nhosts; hi++) {
        stc_host_result_t *h = &j->result.host[hi];
        stc_jhost_t *hs = &j->hs[hi];
        if (!hs->looked || hs->dane_st != 2)
            continue; /* RFC 7672 2.2: TLSA is known before the session starts */
        for (ai = 0; ai < h->naddr; ai++) {
            stc_wait_t *w;
            int rc;
            if (hs->asked & (1u << ai) || h->addr[ai].reach != STC_R_PENDING)
                continue;
            w = stc_job_free_wait(j);
            if (!w)
                return progress;
            w->kind = STC_W_SESSION;
            w->host = hi;
            w->addr = ai;
            rc = stc_eng_ask_session(e, w, &h->addr[ai].ip, j->port, j->implicit_tls,
                                     h->tlsa_base ? stc_result_text(&j->result, h->tlsa_base)
                                                  : h->name);
            if (rc == STC_ASK_DONE) { /* answered from the cache */
                hs->asked = (uint16_t)(hs->asked | (1u << ai));
                progress = 1;
                continue;
            }
            if (rc != STC_EAGAIN)
                return progress; /* no task free now: in order, later */
            hs->asked = (uint16_t)(hs->asked | (1u << ai));
            progress = 1;
        }
    }
    return progress;
}

/* stc_job_step - ask for what the job needs next */
int stc_job_step(stc_engine_t *e, stc_job_t *j)
{
    int progress = 0;
    if (j->state == J_MX_ASK)
        progress |= ask_mx(e, j);
    if (j->state == J_HOSTS) {
        progress |= ask_lookups(e, j);
        progress |= stc_job_ask_tlsa(e, j);
        progress |= stc_job_ask_txt(e, j);
        progress |= stc_job_ask_sts(e, j);
        progress |= ask_sessions(e, j);
    }
    return progress;
}

/* stc_job_idle - nothing is pending and nothing is left to ask */
int stc_job_idle(const stc_job_t *j)
{
    uint8_t hi, ai;
    size_t i;

    for (i = 0; i < STC_JOB_WAITS; i++)
        if (j->w[i].pool != STC_POOL_NONE)
            return 0;
    if (j->state == J_DONE)
        return 1;
    if (j->state != J_HOSTS || stc_job_sts_pending(j) || stc_job_txt_pending(j))
        return 0;
    for (hi = 0; hi < j->result.nhosts; hi++) {
        if (!j->hs[hi].looked || j->hs[hi].dane_st != 2)
            return 0;
        for (ai = 0; ai < j->result.host[hi].naddr; ai++)
            if (j->result.host[hi].addr[ai].reach == STC_R_PENDING)
                return 0;
    }
    return 1;
}

/* stc_job_finish - the verdict, once */
void stc_job_finish(stc_engine_t *e, stc_job_t *j)
{
    stc_domain_result_t *r = &j->result;
    unsigned h, a;

    if (!j->running)
        return;
    r->elapsed_ms = stc_now(e) - j->started;
    r->sessions = 0;
    for (h = 0; h < r->nhosts; h++)
        for (a = 0; a < r->host[h].naddr; a++)
            r->sessions += r->host[h].addr[a].sessions;
    stc_job_dane_finish(j);
    stc_job_sts_finish(j);
    stc_verdict(r, j->patterns, j->npatterns);
    j->state = J_DONE;
    j->running = 0;
}

/* stc_job_cancel - end the job now; shared work goes on for others */
void stc_job_cancel(stc_engine_t *e, stc_job_t *j)
{
    unsigned h, a;
    size_t i;

    if (!j->running) {
        stc_eng_unlink_job(e, j); /* an invalid name not yet reported */
        return;
    }
    for (i = 0; i < STC_JOB_WAITS; i++)
        if (j->w[i].pool != STC_POOL_NONE)
            stc_eng_unwait(e, &j->w[i]);
    for (h = 0; h < j->result.nhosts; h++)
        for (a = 0; a < j->result.host[h].naddr; a++)
            if (j->result.host[h].addr[a].reach == STC_R_PENDING)
                j->result.host[h].addr[a].reach = STC_R_UNCHECKED;
    stc_add_domain_finding(&j->result, STC_F_CANCELLED, 0);
    stc_job_finish(e, j);
    stc_eng_end_job(e, j, 0);
}

/* stc_job_done / stc_job_result - for the caller */
int stc_job_done(const stc_job_t *j)
{
    return j->state == J_DONE && !j->running;
}

const stc_domain_result_t *stc_job_result(const stc_job_t *j)
{
    return &j->result;
}

/* ---- DNS answers ----------------------------------------------------------- */

/* dns_failure_code - the finding for a failed MX lookup */
static unsigned dns_failure_code(int err, uint8_t rcode)
{
    switch (err) {
    case STC_OK:
        break;
    case STC_ETIMEOUT:
        return STC_F_DNS_TIMEOUT;
    case STC_ETOOLONG:
        return STC_F_CHECKER_DNS_LIMIT;
    case STC_EPROTO:
    case STC_ECLOSED:
    case STC_ERESET:
        return STC_F_DNS_ERROR; /* the resolver's answer or connection broke */
    default:
        return local_code(err); /* the question could not be sent from here */
    }
    if (rcode == STC_RCODE_NXDOMAIN)
        return STC_F_DNS_NXDOMAIN;
    if (rcode == STC_RCODE_SERVFAIL)
        return STC_F_DNS_SERVFAIL;
    return STC_F_DNS_ERROR;
}

/* name_after - 1 when a sorts after b (ASCII; names are lower-case) */
static int name_after(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a > (unsigned char)*b;
}

typedef struct mx_collect {
    stc_job_t *j;
    unsigned nullmx, bad;
} mx_collect_t;

/* move_host - host slot `from` into `to` (result and lookup state) */
static void move_host(stc_job_t *j, int to, int from)
{
    j->result.host[to] = j->result.host[from];
    j->hs[to] = j->hs[from];
}

/* on_mx - one MX record: insert it sorted by preference (stable) */
static int on_mx(void *ctx, const stc_dns_resp_t *resp, const stc_dns_rr_t *rr)
{
    mx_collect_t *m = (mx_collect_t *)ctx;
    stc_job_t *j = m->j;
    stc_domain_result_t *r = &j->result;
    char name[STC_NAME_MAX + 1];
    uint16_t pref;
    int i, pos;

    if (stc_dns_rdata_mx(resp, rr, &pref, name, sizeof name) != STC_OK) {
        m->bad++;
        return 0;
    }
    r->mx_total++;
    if (name[0] == '\0') { /* RFC 7505: "MX 0 ." */
        m->nullmx++;
        return 0;
    }
    for (i = 0; i < r->nhosts; i++)
        if (stc_name_eq(r->host[i].name, name)) {
            int k;
            if (r->host[i].pref <= pref)
                return 0; /* the same host twice: its best preference counts */
            for (k = i; k + 1 < r->nhosts; k++) /* drop the worse entry */
                move_host(j, k, k + 1);
            r->nhosts--;
            break;
        }
    /* by preference, then by name: resolvers rotate equal-preference
     * records, and the report should not change with them */
    pos = r->nhosts;
    while (pos > 0 && (r->host[pos - 1].pref > pref ||
                       (r->host[pos - 1].pref == pref && name_after(r->host[pos - 1].name, name))))
        pos--;
    if (pos >= STC_MAX_MX) {
        stc_add_domain_finding(r, STC_F_MX_TRUNCATED, STC_MAX_MX);
        return 0;
    }
    if (r->nhosts >= STC_MAX_MX) {
        r->nhosts--; /* drop the least preferred to make room */
        stc_add_domain_finding(r, STC_F_MX_TRUNCATED, STC_MAX_MX);
    }
    for (i = r->nhosts; i > pos; i--)
        move_host(j, i, i - 1);
    r->nhosts++;
    memset(&r->host[pos], 0, offsetof(stc_host_result_t, addr));
    copy_name(r->host[pos].name, name, sizeof r->host[pos].name);
    r->host[pos].pref = pref;
    r->host[pos].status = STC_SKIPPED;
    memset(&j->hs[pos], 0, sizeof j->hs[pos]);
    j->hs[pos].need = NEED_A | NEED_AAAA;
    return 0;
}

/* handle_mx - the MX answer decides the host list */
static void handle_mx(const stc_engine_t *e, stc_job_t *j, const stc_dns_ans_t *q, int err)
{
    stc_domain_result_t *r = &j->result;
    stc_dns_resp_t resp;
    mx_collect_t m;
    char target[STC_NAME_MAX + 1];
    int n;

    j->state = J_DONE; /* unless the answer gives hosts to look up */
    if (err == STC_OK) {
        r->mx_secure = q->ad; /* a validated denial (NXDOMAIN with AD) counts too */
        if (q->res_idx < e->nres) {
            r->resolver = e->res[q->res_idx];
            r->ad_trusted = (uint8_t)stc_dns_ad_trusted(e, &r->resolver);
        }
        if (q->ad_ignored) /* DNSSEC said yes, from where we cannot believe it */
            stc_add_domain_finding(r, STC_F_AD_UNTRUSTED, 0);
    }
    if (err != STC_OK || q->rcode != STC_RCODE_NOERROR) {
        stc_add_domain_finding(r, dns_failure_code(err, q->rcode), err ? err : q->rcode);
        return;
    }
    memset(&m, 0, sizeof m);
    m.j = j;
    if (stc_dns_parse_response(q->msg, q->len, q->id, q->qname, q->qtype, &resp) != STC_OK) {
        stc_add_domain_finding(r, STC_F_DNS_ERROR, STC_EPROTO);
        return;
    }
    n = stc_dns_extract(&resp, q->qname, STC_DNS_MX, on_mx, &m, target, sizeof target);
    if (n < 0) {
        stc_add_domain_finding(r, STC_F_DNS_ERROR, n);
        return;
    }
    if (n == 0 && !stc_name_eq(target, q->qname) && j->mx_hops < STC_DNS_CNAME_MAX) {
        /* the answer ends in a CNAME without MX data: ask its target */
        stc_text_t t = stc_text_put(r, target);
        if (t) {
            j->mx_target = t;
            j->mx_hops++;
            j->state = J_MX_ASK;
            return;
        }
    }
    if (r->nhosts == 0 && m.nullmx > 0) {
        r->mx_kind = STC_MX_NULL;
        stc_add_domain_finding(r, STC_F_NULL_MX, 0);
        return;
    }
    if (r->nhosts == 0) {
        /* RFC 5321 5.1: no MX: "the domain name ... is treated as if it
         * were associated with an implicit MX RR, with a preference of 0" */
        r->mx_kind = STC_MX_IMPLICIT;
        stc_add_domain_finding(r, STC_F_IMPLICIT_MX, 0);
        new_host(j, r->domain, 0);
    } else {
        r->mx_kind = STC_MX_RECORDS;
    }
    j->state = J_HOSTS;
}

typedef struct addr_collect {
    stc_host_result_t *h;
    unsigned truncated;
} addr_collect_t;

/* on_addr - one A/AAAA record: append unless already known */
static int on_addr(void *ctx, const stc_dns_resp_t *resp, const stc_dns_rr_t *rr)
{
    addr_collect_t *ac = (addr_collect_t *)ctx;
    stc_host_result_t *h = ac->h;
    stc_ip_t ip;
    uint8_t i;

    if (stc_dns_rdata_ip(resp, rr, &ip) != STC_OK)
        return 0;
    for (i = 0; i < h->naddr; i++)
        if (memcmp(&h->addr[i].ip, &ip, sizeof ip) == 0)
            return 0;
    if (h->naddr >= STC_MAX_ADDRS) {
        ac->truncated++;
        return 0;
    }
    memset(&h->addr[h->naddr], 0, sizeof h->addr[0]);
    h->addr[h->naddr].ip = ip;
    stc_addr_checks_reset(&h->addr[h->naddr]);
    h->naddr++;
    return 0;
}

/* ip_cmp - order addresses: IPv4 before IPv6, then by bytes (deterministic) */
static int ip_cmp(const stc_ip_t *a, const stc_ip_t *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    return memcmp(a->addr, b->addr, 16);
}

/* host_failure_code - the finding for a host whose lookups found nothing */
static unsigned host_failure_code(const stc_jhost_t *hs)
{
    switch (hs->err) {
    case STC_OK:
        break;
    case STC_ETIMEOUT:
        return STC_F_HOST_DNS_TIMEOUT;
    case STC_ETOOLONG:
        return STC_F_CHECKER_DNS_LIMIT;
    case STC_EPROTO:
    case STC_ECLOSED:
    case STC_ERESET:
        return STC_F_HOST_DNS_ERROR;
    default:
        return local_code(hs->err);
    }
    if (hs->rcode != 0 && hs->rcode != STC_RCODE_NXDOMAIN)
        return STC_F_HOST_DNS_ERROR;
    return STC_F_HOST_NO_ADDRESS;
}

/* host_looked - both lookups of a host are over */
static void host_looked(stc_job_t *j, uint8_t hi)
{
    stc_host_result_t *h = &j->result.host[hi];
    stc_jhost_t *hs = &j->hs[hi];
    uint8_t i, k;

    hs->looked = 1;
    h->dnssec = (uint8_t)!hs->insecure;
    stc_job_dane_start(j, hi);
#if STC_MAX_ADDRS > 1 /* (with one slot GCC's -Warray-bounds sees addr[1]) */
    for (i = 1; i < h->naddr; i++) /* insertion sort: at most STC_MAX_ADDRS */
        for (k = i; k > 0 && ip_cmp(&h->addr[k - 1].ip, &h->addr[k].ip) > 0; k--) {
            stc_addr_result_t t = h->addr[k];
            h->addr[k] = h->addr[k - 1];
            h->addr[k - 1] = t;
        }
#else
    (void)i, (void)k, (void)ip_cmp;
#endif
    if (h->naddr > 0) {
        /* one family's lookup failed on our side: those addresses were
         * never checked, which no verdict may hide */
        if (hs->err != STC_OK && stc_finding_info(host_failure_code(hs))->ours)
            stc_add_host_finding(h, host_failure_code(hs), hs->err);
        return;
    }
    {
        unsigned code = host_failure_code(hs);
        stc_add_host_finding(h, code, hs->err ? hs->err : hs->rcode);
    }
}

/* handle_addr - an A or AAAA answer for host w->host */
static void handle_addr(stc_job_t *j, const stc_wait_t *w, const stc_dns_ans_t *q, int err)
{
    uint8_t hi = w->host;
    stc_host_result_t *h = &j->result.host[hi];
    stc_jhost_t *hs = &j->hs[hi];
    stc_dns_resp_t resp;
    addr_collect_t ac;
    char target[STC_NAME_MAX + 1];
    int n;

    if (hs->inflight > 0)
        hs->inflight--;
    /* DANE (RFC 7672 2.2.2) needs to know whether the addresses are
     * DNSSEC-validated: every answer of the host must carry AD */
    if (err != STC_OK || !q->ad)
        hs->insecure = 1;
    if (err != STC_OK) {
        hs->err = (int8_t)err;
    } else if (q->rcode != STC_RCODE_NOERROR) {
        hs->rcode = q->rcode;
    } else if (stc_dns_parse_response(q->msg, q->len, q->id, q->qname, q->qtype, &resp) !=
               STC_OK) {
        hs->err = STC_EPROTO;
    } else {
        ac.h = h;
        ac.truncated = 0;
        n = stc_dns_extract(&resp, q->qname, q->qtype, on_addr, &ac, target, sizeof target);
        if (n < 0) {
            hs->err = (int8_t)n;
        } else {
            if (!stc_name_eq(target, q->qname)) {
                /* the name is an alias: keep where it leads (also what a
                 * further question must ask) */
                stc_text_t t = stc_text_put(&j->result, target);
                if (j->result.mx_kind == STC_MX_RECORDS && h->cname == 0)
                    stc_add_host_finding(h, STC_F_MX_IS_CNAME, 0);
                if (t)
                    h->cname = t;
                if (n == 0 && t && hs->hops < STC_DNS_CNAME_MAX) {
                    /* the answer stops at the alias: ask its target */
                    hs->hops++;
                    hs->need |= (uint8_t)(q->qtype == STC_DNS_A ? NEED_A : NEED_AAAA);
                    return;
                }
            }
            if (ac.truncated)
                stc_add_host_finding(h, STC_F_ADDRS_TRUNCATED, STC_MAX_ADDRS);
        }
    }
    if (hs->need == 0 && hs->inflight == 0)
        host_looked(j, hi);
}

/* stc_job_dns_answer - an answer (or failure) for one of the job's questions */
void stc_job_dns_answer(stc_engine_t *e, stc_wait_t *w, const stc_dns_ans_t *q, int err)
{
    stc_job_t *j = w->job;
    if (!j->running)
        return;
    if (w->kind == STC_W_MX)
        handle_mx(e, j, q, err);
    else if (w->kind == STC_W_A || w->kind == STC_W_AAAA)
        handle_addr(j, w, q, err);
    else if (w->kind == STC_W_TLSA)
        stc_job_tlsa_answer(j, w, q, err);
    else if (w->kind == STC_W_STS || w->kind == STC_W_RPT)
        stc_job_txt_answer(j, w, q, err);
    else if (w->kind == STC_W_STS_ADDR)
        stc_job_sts_addr(j, w, q, err);
}

/* stc_job_session_answer - the facts of one address's sessions */
void stc_job_session_answer(stc_engine_t *e, stc_wait_t *w, const stc_session_t *s, int cached)
{
    stc_job_t *j = w->job;
    stc_domain_result_t *r = &j->result;
    stc_addr_result_t *a;
    stc_ip_t ip;

    (void)e;
    if (j->running && w->kind == STC_W_POLICY) {
        stc_job_sts_answer(j, s);
        return;
    }
    if (!j->running || w->kind != STC_W_SESSION || w->host >= r->nhosts ||
        w->addr >= r->host[w->host].naddr)
        return;
    a = &r->host[w->host].addr[w->addr];
    ip = a->ip;
    *a = s->a;
    a->ip = ip;
    if (cached) { /* learnt by an earlier check: no session now */
        a->cached = 1;
        a->sessions = 0;
    }
    a->banner = stc_text_put(r, s->banner);
    a->cert.subject = stc_text_put(r, s->subject);
    a->cert.issuer = stc_text_put(r, s->issuer);
    if (a->reach == STC_R_PENDING) { /* cannot happen: a task always ends somewhere */
        a->reach = STC_R_UNCHECKED;
        stc_add_addr_finding(a, STC_F_CHECKER_UNCHECKED, 0);
    }
    stc_job_dane_session(j, w->host, a, s);
}
