/* check.c - one domain (or relay) check: the scheduler over DNS and SMTP
 *
 * Phases: MX lookup -> A/AAAA of every host (several queries in flight) ->
 * one connection per address (up to opt.max_conn at once) -> verdict.
 * stc_check_step() does whatever can be done without blocking;
 * stc_check_pollset() says what to wait for and until when.
 */
#include "engine.h"

#include <stddef.h>
#include <string.h>

enum { S_IDLE = 0, S_MX, S_HOSTS, S_DONE };

/* stc_hstate_t.need bits: lookups waiting for a query slot */
#define NEED_A 0x1u
#define NEED_AAAA 0x2u

/* stc_options_default - the defaults of stc_opts.h */
void stc_options_default(stc_options_t *o)
{
    memset(o, 0, sizeof *o);
    o->port = 25;
    o->max_conn = STC_MAX_CONN;
    o->warn_days = STC_WARN_DAYS_DEFAULT;
    o->t_dns = STC_T_DNS_MS;
    o->t_connect = STC_T_CONNECT_MS;
    o->t_banner = STC_T_BANNER_MS;
    o->t_command = STC_T_COMMAND_MS;
    o->t_tls = STC_T_TLS_MS;
}

/* ---- set-up -------------------------------------------------------------- */

/* reset - forget the previous check; keep port, options and resolvers */
static void reset(stc_check_t *c)
{
    size_t i;
    stc_check_free(c);
    memset(&c->result, 0, sizeof c->result);
    memset(c->hs, 0, sizeof c->hs);
    for (i = 0; i < STC_MAX_DNS; i++) {
        memset(&c->dns[i], 0, offsetof(stc_dnsq_t, qname));
        c->dns[i].sock = -1;
    }
    for (i = 0; i < STC_MAX_CONN; i++) {
        c->conn[i].state = 0;
        c->conn[i].used = 0;
        c->conn[i].sock = -1;
        c->conn[i].ssl = NULL;
    }
    c->state = S_IDLE;
    c->patterns = NULL;
    c->npatterns = 0;
    c->started = c->port->now_ms(c->port->user);
    c->result.port = c->opt.port;
}

/* stc_check_init - prepare a context over a port */
int stc_check_init(stc_check_t *c, const stc_port_t *port, const stc_options_t *opt)
{
    size_t i;

    if (port == NULL || port->version != STC_PORT_VERSION)
        return STC_EINVAL;
    memset(c, 0, offsetof(stc_check_t, result));
    c->port = port;
    if (opt)
        c->opt = *opt;
    else
        stc_options_default(&c->opt);
    if (c->opt.max_conn < 1 || c->opt.max_conn > STC_MAX_CONN)
        c->opt.max_conn = STC_MAX_CONN;
    if (c->opt.port == 0)
        c->opt.port = 25;
    if (c->opt.ehlo[0] == '\0')
        stc_strlcpy(c->opt.ehlo, "localhost", sizeof c->opt.ehlo);
    c->opt.ehlo[STC_EHLO_MAX] = '\0';
    c->nres = (uint8_t)port->resolvers(port->user, c->res, STC_MAX_RESOLVERS);
    if (c->nres > STC_MAX_RESOLVERS)
        c->nres = STC_MAX_RESOLVERS;
    for (i = 0; i < STC_MAX_DNS; i++) {
        c->dns[i].state = 0;
        c->dns[i].sock = -1;
    }
    for (i = 0; i < STC_MAX_CONN; i++) {
        c->conn[i].used = 0;
        c->conn[i].state = 0;
        c->conn[i].sock = -1;
        c->conn[i].ssl = NULL;
    }
    memset(&c->result, 0, sizeof c->result);
    c->state = S_IDLE;
    return STC_OK;
}

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

/* done_invalid - the input itself is unusable */
static int done_invalid(stc_check_t *c)
{
    stc_add_domain_finding(&c->result, STC_F_INVALID_DOMAIN, 0);
    stc_verdict(&c->result, NULL, 0);
    c->state = S_DONE;
    return STC_EINVAL;
}

/* new_host - append a host record; returns its index or -1 */
static int new_host(stc_check_t *c, const char *name, uint16_t pref)
{
    stc_host_result_t *h;
    if (c->result.nhosts >= STC_MAX_MX)
        return -1;
    h = &c->result.host[c->result.nhosts];
    memset(h, 0, sizeof *h);
    copy_name(h->name, name, sizeof h->name);
    h->pref = pref;
    h->status = -1;
    memset(&c->hs[c->result.nhosts], 0, sizeof c->hs[0]);
    c->hs[c->result.nhosts].need = NEED_A | NEED_AAAA;
    return c->result.nhosts++;
}

/* stc_check_domain_start - begin a domain check with its MX lookup */
int stc_check_domain_start(stc_check_t *c, const char *domain,
                           const char *const *patterns, size_t npatterns)
{
    int rc;

    reset(c);
    c->result.mx_kind = STC_MX_NONE;
    stc_strlcpy(c->result.domain, domain, sizeof c->result.domain);
    if (stc_name_check(domain) != STC_NAME_OK || domain[0] == '.')
        return done_invalid(c);
    copy_name(c->result.domain, domain, sizeof c->result.domain);
    c->patterns = patterns;
    c->npatterns = patterns ? npatterns : 0;
    c->result.port = c->opt.port;
    c->state = S_MX;
    c->running = 1;
    rc = stc_dnsq_start(c, &c->dns[0], c->result.domain, STC_DNS_MX, STC_Q_MX, 0);
    if (rc != STC_EAGAIN && rc != STC_OK)
        return STC_OK; /* the step reports the failure through the result */
    return STC_OK;
}

/* stc_check_host_start - begin a relay check of one host:port */
int stc_check_host_start(stc_check_t *c, const char *host, uint16_t port, int implicit_tls)
{
    stc_ip_t ip;
    int h;

    reset(c);
    c->opt.port = port ? port : 25;
    c->result.port = c->opt.port;
    c->result.implicit_tls = implicit_tls ? 1 : 0;
    c->result.mx_kind = STC_MX_RELAY;
    stc_strlcpy(c->result.domain, host, sizeof c->result.domain);
    if (stc_ip_parse(host, &ip)) {
        h = new_host(c, host, 0);
        c->result.host[h].addr[0].ip = ip;
        c->result.host[h].naddr = 1;
        memset(c->result.host[h].addr[0].status, -1, STC_CHK_COUNT);
        c->hs[h].need = 0;
        c->hs[h].looked = 1;
    } else {
        if (stc_name_check(host) != STC_NAME_OK || host[0] == '.')
            return done_invalid(c);
        copy_name(c->result.domain, host, sizeof c->result.domain);
        new_host(c, host, 0);
    }
    c->state = S_HOSTS;
    c->running = 1;
    return STC_OK;
}

/* ---- DNS results --------------------------------------------------------- */

/* dns_failure_code - the finding for a failed MX lookup */
static unsigned dns_failure_code(int err, uint8_t rcode)
{
    if (err == STC_ETIMEOUT)
        return STC_F_DNS_TIMEOUT;
    if (err != STC_OK)
        return STC_F_DNS_ERROR;
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
    stc_check_t *c;
    unsigned nullmx, bad;
} mx_collect_t;

/* on_mx - one MX record: insert it sorted by preference (stable) */
static int on_mx(void *ctx, const stc_dns_resp_t *resp, const stc_dns_rr_t *rr)
{
    mx_collect_t *m = (mx_collect_t *)ctx;
    stc_domain_result_t *r = &m->c->result;
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
            for (k = i; k + 1 < r->nhosts; k++) { /* drop the worse entry */
                r->host[k] = r->host[k + 1];
                m->c->hs[k] = m->c->hs[k + 1];
            }
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
    for (i = r->nhosts; i > pos; i--) {
        r->host[i] = r->host[i - 1];
        m->c->hs[i] = m->c->hs[i - 1];
    }
    r->nhosts++;
    memset(&r->host[pos], 0, sizeof r->host[pos]);
    copy_name(r->host[pos].name, name, sizeof r->host[pos].name);
    r->host[pos].pref = pref;
    r->host[pos].status = -1;
    memset(&m->c->hs[pos], 0, sizeof m->c->hs[pos]);
    m->c->hs[pos].need = NEED_A | NEED_AAAA;
    return 0;
}

/* requery - the answer ended in a CNAME without data: ask for the target */
static int requery(stc_check_t *c, stc_dnsq_t *q, const char *target)
{
    char t[STC_NAME_MAX + 1];
    uint8_t cn = (uint8_t)(q->cnames + 1);
    if (cn > STC_DNS_CNAME_MAX)
        return 0;
    stc_strlcpy(t, target, sizeof t);
    if (stc_dnsq_start(c, q, t, q->qtype, q->purpose, q->host) != STC_EAGAIN)
        return 0;
    q->cnames = cn;
    return 1;
}

/* handle_mx - the MX answer decides the host list */
static void handle_mx(stc_check_t *c, stc_dnsq_t *q, int err)
{
    stc_domain_result_t *r = &c->result;
    stc_dns_resp_t resp;
    mx_collect_t m;
    char target[STC_NAME_MAX + 1];
    int n;

    if (err == STC_OK)
        r->mx_secure = q->ad; /* a validated denial (NXDOMAIN with AD) counts too */
    if (err != STC_OK || q->rcode != STC_RCODE_NOERROR) {
        stc_add_domain_finding(r, dns_failure_code(err, q->rcode), err ? err : q->rcode);
        c->state = S_DONE;
        return;
    }
    memset(&m, 0, sizeof m);
    m.c = c;
    if (stc_dns_parse_response(q->msg, q->len, q->id, q->qname, q->qtype, &resp) != STC_OK) {
        stc_add_domain_finding(r, STC_F_DNS_ERROR, STC_EPROTO);
        c->state = S_DONE;
        return;
    }
    r->mx_secure = resp.ad;
    n = stc_dns_extract(&resp, q->qname, STC_DNS_MX, on_mx, &m, target, sizeof target);
    if (n < 0) {
        stc_add_domain_finding(r, STC_F_DNS_ERROR, n);
        c->state = S_DONE;
        return;
    }
    if (n == 0 && !stc_name_eq(target, q->qname) && requery(c, q, target))
        return;
    if (r->nhosts == 0 && m.nullmx > 0) {
        r->mx_kind = STC_MX_NULL;
        stc_add_domain_finding(r, STC_F_NULL_MX, 0);
        c->state = S_DONE;
        return;
    }
    if (r->nhosts == 0) {
        /* RFC 5321 5.1: no MX: "the domain name ... is treated as if it
         * were associated with an implicit MX RR, with a preference of 0" */
        r->mx_kind = STC_MX_IMPLICIT;
        stc_add_domain_finding(r, STC_F_IMPLICIT_MX, 0);
        new_host(c, r->domain, 0);
    } else {
        r->mx_kind = STC_MX_RECORDS;
    }
    c->state = S_HOSTS;
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
    memset(h->addr[h->naddr].status, -1, STC_CHK_COUNT);
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

/* host_looked - both lookups of a host are over */
static void host_looked(stc_check_t *c, uint8_t hi)
{
    stc_host_result_t *h = &c->result.host[hi];
    stc_hstate_t *hs = &c->hs[hi];
    uint8_t i, j;

    hs->looked = 1;
    h->dnssec = (uint8_t)!hs->insecure;
#if STC_MAX_ADDRS > 1 /* (with one slot GCC's -Warray-bounds sees addr[1]) */
    for (i = 1; i < h->naddr; i++) /* insertion sort: at most STC_MAX_ADDRS */
        for (j = i; j > 0 && ip_cmp(&h->addr[j - 1].ip, &h->addr[j].ip) > 0; j--) {
            stc_addr_result_t t = h->addr[j];
            h->addr[j] = h->addr[j - 1];
            h->addr[j - 1] = t;
        }
#else
    (void)i, (void)j, (void)ip_cmp;
#endif
    if (h->naddr > 0)
        return;
    if (hs->err != 0 || (hs->rcode != 0 && hs->rcode != STC_RCODE_NXDOMAIN))
        stc_add_host_finding(h, STC_F_HOST_DNS_ERROR, hs->err ? hs->err : hs->rcode);
    else
        stc_add_host_finding(h, STC_F_HOST_NO_ADDRESS, 0);
}

/* handle_addr - an A or AAAA answer for host q->host */
static void handle_addr(stc_check_t *c, stc_dnsq_t *q, int err)
{
    stc_host_result_t *h = &c->result.host[q->host];
    stc_hstate_t *hs = &c->hs[q->host];
    stc_dns_resp_t resp;
    addr_collect_t ac;
    char target[STC_NAME_MAX + 1];
    int n;

    /* DANE (RFC 7672 2.2.2) will need to know whether the addresses are
     * DNSSEC-validated: every answer of the host must carry AD */
    if (err != STC_OK || !q->ad)
        hs->insecure = 1;
    if (err != STC_OK) {
        hs->err = (int8_t)err;
    } else if (q->rcode != STC_RCODE_NOERROR) {
        hs->rcode = q->rcode;
    } else if (stc_dns_parse_response(q->msg, q->len, q->id, q->qname, q->qtype, &resp) != STC_OK) {
        hs->err = STC_EPROTO;
    } else {
        ac.h = h;
        ac.truncated = 0;
        n = stc_dns_extract(&resp, q->qname, q->qtype, on_addr, &ac, target, sizeof target);
        if (n < 0) {
            hs->err = (int8_t)n;
        } else {
            if (!stc_name_eq(target, q->qname)) {
                if (c->result.mx_kind == STC_MX_RECORDS && h->cname[0] == '\0') {
                    copy_name(h->cname, target, sizeof h->cname);
                    stc_add_host_finding(h, STC_F_MX_IS_CNAME, 0);
                }
                if (n == 0 && requery(c, q, target))
                    return;
            }
            if (ac.truncated)
                stc_add_host_finding(h, STC_F_ADDRS_TRUNCATED, STC_MAX_ADDRS);
        }
    }
    if (hs->inflight > 0)
        hs->inflight--;
    if (hs->need == 0 && hs->inflight == 0)
        host_looked(c, q->host);
}

/* ---- scheduling ---------------------------------------------------------- */

/* free_dns - a free query slot, or NULL */
static stc_dnsq_t *free_dns(stc_check_t *c)
{
    size_t i;
    for (i = 0; i < STC_MAX_DNS; i++)
        if (c->dns[i].state == 0)
            return &c->dns[i];
    return NULL;
}

/* start_lookups - give queued A/AAAA lookups to free slots */
static int start_lookups(stc_check_t *c)
{
    uint8_t hi;
    int progress = 0;

    for (hi = 0; hi < c->result.nhosts; hi++) {
        stc_hstate_t *hs = &c->hs[hi];
        while (!hs->looked && hs->need) {
            stc_dnsq_t *q = free_dns(c);
            uint16_t type = STC_DNS_A;
            uint8_t purpose = STC_Q_A;
            int rc;
            if (q == NULL)
                return progress;
            if (hs->need & NEED_A) {
                hs->need &= (uint8_t)~NEED_A;
            } else {
                hs->need &= (uint8_t)~NEED_AAAA;
                type = STC_DNS_AAAA;
                purpose = STC_Q_AAAA;
            }
            hs->inflight++;
            progress = 1;
            rc = stc_dnsq_start(c, q, c->result.host[hi].name, type, purpose, hi);
            if (rc != STC_EAGAIN) {
                /* failed at once: account for it like a finished query */
                stc_dnsq_release(c, q);
                hs->inflight--;
                if (rc != STC_OK)
                    hs->err = (int8_t)rc;
                if (hs->need == 0 && hs->inflight == 0)
                    host_looked(c, hi);
            }
        }
    }
    return progress;
}

/* active_conns - connections in flight */
static unsigned active_conns(const stc_check_t *c)
{
    unsigned i, n = 0;
    for (i = 0; i < STC_MAX_CONN; i++)
        n += c->conn[i].used;
    return n;
}

/* start_conns - open connections to addresses not yet tried, in order */
static int start_conns(stc_check_t *c)
{
    uint8_t hi, ai;
    int progress = 0;

    for (hi = 0; hi < c->result.nhosts; hi++) {
        stc_host_result_t *h = &c->result.host[hi];
        if (!c->hs[hi].looked)
            continue;
        for (ai = 0; ai < h->naddr; ai++) {
            unsigned k;
            if (h->addr[ai].phase != STC_P_NONE)
                continue;
            if (active_conns(c) >= c->opt.max_conn)
                return progress;
            for (k = 0; k < STC_MAX_CONN && c->conn[k].used; k++)
                ;
            if (k == STC_MAX_CONN)
                return progress;
            progress = 1;
            if (stc_conn_start(c, &c->conn[k], hi, ai) == STC_OK) {
                c->conn[k].used = 0;
                c->conn[k].state = 0;
            }
        }
    }
    return progress;
}

/* all_done - every lookup answered and every address finished */
static int all_done(const stc_check_t *c)
{
    uint8_t hi, ai;
    size_t i;

    for (i = 0; i < STC_MAX_DNS; i++)
        if (c->dns[i].state != 0)
            return 0;
    if (active_conns(c))
        return 0;
    for (hi = 0; hi < c->result.nhosts; hi++) {
        if (!c->hs[hi].looked)
            return 0;
        for (ai = 0; ai < c->result.host[hi].naddr; ai++)
            if (c->result.host[hi].addr[ai].phase == STC_P_NONE)
                return 0;
    }
    return 1;
}

/* finish_check - compute the verdict once */
static void finish_check(stc_check_t *c)
{
    c->result.elapsed_ms = c->port->now_ms(c->port->user) - c->started;
    stc_verdict(&c->result, c->patterns, c->npatterns);
    c->state = S_DONE;
    c->running = 0;
}

/* stc_check_step - advance everything that can move */
int stc_check_step(stc_check_t *c)
{
    int round;

    if (c->state == S_DONE) {
        if (c->running)
            finish_check(c);
        return STC_OK;
    }
    if (c->state == S_IDLE)
        return STC_EINVAL;
    for (round = 0; round < 8; round++) {
        int progress = 0;
        size_t i;

        for (i = 0; i < STC_MAX_DNS; i++) {
            stc_dnsq_t *q = &c->dns[i];
            int rc;
            if (q->state == 0)
                continue;
            rc = stc_dnsq_step(c, q);
            if (rc == STC_EAGAIN)
                continue;
            progress = 1;
            if (q->purpose == STC_Q_MX)
                handle_mx(c, q, rc);
            else
                handle_addr(c, q, rc);
            if (!stc_dnsq_busy(q))
                stc_dnsq_release(c, q);
        }
        if (c->state == S_DONE)
            break;
        if (c->state == S_HOSTS) {
            progress |= start_lookups(c);
            for (i = 0; i < STC_MAX_CONN; i++) {
                stc_conn_t *k = &c->conn[i];
                if (!k->used)
                    continue;
                if (stc_conn_step(c, k) == STC_OK) {
                    k->used = 0;
                    k->state = 0;
                    progress = 1;
                }
            }
            progress |= start_conns(c);
            if (all_done(c)) {
                c->state = S_DONE;
                break;
            }
        }
        if (!progress)
            break;
    }
    if (c->state == S_DONE) {
        finish_check(c);
        return STC_OK;
    }
    return STC_EAGAIN;
}

/* stc_check_pollset - sockets to wait on and the time to the next deadline */
size_t stc_check_pollset(const stc_check_t *c, stc_pollfd_t *fds, size_t max,
                         uint32_t *timeout_ms)
{
    uint32_t now = c->port->now_ms(c->port->user);
    uint32_t next = now + 60000u;
    size_t i, n = 0;

    for (i = 0; i < STC_MAX_DNS; i++) {
        const stc_dnsq_t *q = &c->dns[i];
        uint32_t d;
        if (!stc_dnsq_busy(q))
            continue;
        if (n < max && q->sock >= 0) {
            fds[n].sock = q->sock;
            fds[n].events = q->want;
            fds[n].revents = 0;
            n++;
        }
        d = stc_dnsq_deadline(q);
        if ((int32_t)(d - next) < 0)
            next = d;
    }
    for (i = 0; i < STC_MAX_CONN; i++) {
        const stc_conn_t *k = &c->conn[i];
        if (!k->used)
            continue;
        if (n < max && k->sock >= 0) {
            fds[n].sock = k->sock;
            fds[n].events = k->want ? k->want : STC_WANT_READ;
            fds[n].revents = 0;
            n++;
        }
        if ((int32_t)(k->deadline - next) < 0)
            next = k->deadline;
    }
    if (c->state == S_DONE || c->state == S_IDLE)
        next = now;
    *timeout_ms = stc_time_left(now, next);
    return n;
}

/* stc_check_run - the blocking convenience loop */
int stc_check_run(stc_check_t *c)
{
    stc_pollfd_t fds[STC_MAX_DNS + STC_MAX_CONN];

    for (;;) {
        uint32_t t;
        size_t n;
        int rc = stc_check_step(c);
        if (rc != STC_EAGAIN)
            return rc;
        n = stc_check_pollset(c, fds, sizeof fds / sizeof fds[0], &t);
        rc = c->port->wait(c->port->user, fds, n, t);
        if (rc < 0 && rc != STC_EAGAIN) {
            stc_add_domain_finding(&c->result, STC_F_INTERNAL, rc);
            stc_check_free(c);
            finish_check(c);
            return STC_OK;
        }
    }
}

/* stc_check_result - the result (complete once step returned STC_OK) */
const stc_domain_result_t *stc_check_result(const stc_check_t *c)
{
    return &c->result;
}

/* stc_check_free - close every socket and TLS session still open */
void stc_check_free(stc_check_t *c)
{
    size_t i;
    if (c->port == NULL)
        return;
    for (i = 0; i < STC_MAX_DNS; i++)
        if (c->dns[i].state != 0) {
            stc_dnsq_release(c, &c->dns[i]);
            c->dns[i].state = 0;
        }
    for (i = 0; i < STC_MAX_CONN; i++)
        if (c->conn[i].used || c->conn[i].sock >= 0 || c->conn[i].ssl)
            stc_conn_abort(c, &c->conn[i]);
}
