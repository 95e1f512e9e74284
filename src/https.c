/* https.c - one MTA-STS policy fetch on a connection slot (RFC 8461 3.3)
 *
 * connect to port 443, TLS with SNI mta-sts.<domain> (the chain judged
 * against that name by cert.c, as an MX host's is), one GET of
 * /.well-known/mta-sts.txt, the response read by http.c as it arrives and
 * its body parsed line by line by mta_sts.c, so neither is ever buffered
 * whole. No redirect is followed. One deadline covers the whole fetch
 * (opt.t_sts). Everything learnt goes to the task's stc_sts_fetch_t; the
 * job judges it (job_sts.c).
 */
#include "engine.h"
#include "policy.h"

#include <string.h>

enum { H_CONNECT = 48, H_TLS, H_SEND, H_READ };

/* hdone - the fetch is over, ending as `end` */
static int hdone(stc_engine_t *e, stc_conn_t *k, unsigned end)
{
    stc_sts_fetch_t *f = &k->s->sts;
    f->end = (uint8_t)end;
    if (end == STC_STS_E_OURS)
        k->end = STC_END_NOMEM; /* the task retries, or reports it as ours */
    if (k->state == H_READ) {
        const stc_http_t *h = &k->u.sts.http;
        f->http_result = h->result;
        f->http_status = h->status;
        f->mtype = h->mtype;
        f->body_len = h->body_len;
        if (h->status == 200 && h->result == STC_HTTP_R_OK) {
            stc_sts_policy_t *p = &k->u.sts.pol;
            (void)stc_sts_policy_end(p); /* the last line needs no terminator */
            f->mode = p->mode;
            f->problems = p->problems;
            f->max_age = p->max_age;
            f->mx_count = (uint16_t)(p->mx_count > 0xffff ? 0xffff : p->mx_count);
            f->mx_bad = (uint16_t)(p->mx_bad > 0xffff ? 0xffff : p->mx_bad);
        }
    }
    stc_conn_close_done(e, k);
    return STC_OK;
}

/* on_mx - one mx pattern as its line ends: matched against the MX hosts
 * of the job that asked (the task is keyed by mta-sts.<domain>, so every
 * job that joins it checks the same domain, with the same MX answer), and
 * kept for the report while there is room */
static void on_mx(void *ctx, const char *pattern, size_t len, int valid)
{
    stc_conn_t *k = (stc_conn_t *)ctx;
    stc_engine_t *e = (stc_engine_t *)k->u.sts.eng;
    stc_sts_fetch_t *f = &k->s->sts;
    const stc_wait_t *w = e->task[k->task].waiters;
    uint8_t hi;

    if (!valid)
        return;
    if (f->nmx < STC_STS_MX_KEEP && len < sizeof f->mx[0])
        stc_strlcpy(f->mx[f->nmx++], pattern, sizeof f->mx[0]);
    if (!w || !w->job)
        return;
    for (hi = 0; hi < w->job->result.nhosts && hi < 32; hi++)
        if (stc_sts_mx_match(pattern, w->job->result.host[hi].name))
            f->matched |= 1u << hi;
}

/* request - the GET into tx (the Host header up to 253 + 8 bytes fits:
 * STC_TXBUF >= 512 is asserted in stc_opts.h) */
static int request(stc_conn_t *k)
{
    static const char *const part[] = {
        "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: ", NULL,
        "\r\nUser-Agent: starttls-check/" STC_VERSION_STRING
        "\r\nAccept: text/plain\r\nConnection: close\r\n\r\n"};
    size_t i, n = 0;

    for (i = 0; i < 3; i++) {
        const char *s = part[i] ? part[i] : k->sni;
        size_t m = strlen(s);
        if (n + m > sizeof k->tx)
            return STC_ETOOLONG;
        memcpy(k->tx + n, s, m);
        n += m;
    }
    k->txlen = (uint16_t)n;
    k->txoff = 0;
    return STC_OK;
}

/* handshake - TLS up: judge the certificate, queue the request */
static int handshake(stc_engine_t *e, stc_conn_t *k)
{
    stc_addr_result_t *a = &k->s->a;
    uint8_t want = STC_WANT_READ;
    int32_t lower = 0;
    int rc = stc_tls_handshake(k, &want, &lower);

    if (rc == STC_EAGAIN) {
        k->want = want;
        return STC_EAGAIN;
    }
    a->lower_err = lower;
    if (rc == STC_ENOMEM)
        return hdone(e, k, STC_STS_E_OURS);
    if (rc != STC_OK) {
        a->err = (int8_t)rc;
        stc_add_addr_finding(a, STC_F_TLS_HANDSHAKE, lower ? lower : rc);
        return hdone(e, k, STC_STS_E_TLS);
    }
    stc_tls_info(k, &a->tls_version, &a->suite, &a->group);
    if (stc_tls_judge(e, k) == STC_ENOMEM || request(k) != STC_OK)
        return hdone(e, k, STC_STS_E_OURS);
    k->state = H_SEND;
    return STC_EAGAIN;
}

/* send_request - the GET, then start the readers */
static int send_request(stc_engine_t *e, stc_conn_t *k)
{
    while (k->txoff < k->txlen) {
        uint8_t want = STC_WANT_WRITE;
        long n = stc_tls_send(k, k->tx + k->txoff, (size_t)(k->txlen - k->txoff), &want);
        if (n == STC_EAGAIN) {
            k->want = want;
            return STC_EAGAIN;
        }
        if (n == STC_ENOMEM)
            return hdone(e, k, STC_STS_E_OURS);
        if (n <= 0)
            return hdone(e, k, STC_STS_E_IO);
        k->txoff = (uint16_t)(k->txoff + n);
    }
    stc_http_init(&k->u.sts.http, STC_STS_BODY_MAX);
    stc_sts_policy_init(&k->u.sts.pol, on_mx, k);
    k->state = H_READ;
    return STC_EAGAIN;
}

/* read_response - decrypt what arrived and feed the HTTP reader */
static int read_response(stc_engine_t *e, stc_conn_t *k)
{
    int guard;

    for (guard = 0; guard < 64; guard++) {
        uint8_t want = STC_WANT_READ;
        size_t used = 0;
        long n = stc_tls_recv(k, k->rx, sizeof k->rx, &want);
        int rc;
        if (n == STC_EAGAIN) {
            k->want = want;
            return STC_EAGAIN;
        }
        if (n == STC_ENOMEM)
            return hdone(e, k, STC_STS_E_OURS);
        if (n == 0 || n == STC_ECLOSED || n == STC_ERESET) {
            (void)stc_http_eof(&k->u.sts.http); /* ends a close-framed body */
            return hdone(e, k, STC_STS_E_READ);
        }
        if (n < 0)
            return hdone(e, k, STC_STS_E_IO);
        rc = stc_http_feed(&k->u.sts.http, k->rx, (size_t)n, &used, stc_sts_policy_body,
                           &k->u.sts.pol);
        if (rc != STC_EAGAIN) /* complete, or broken: either way the answer */
            return hdone(e, k, STC_STS_E_READ);
    }
    k->want = STC_WANT_READ; /* a fast sender: let other connections run */
    return STC_EAGAIN;
}

/* stc_https_conn_state - where a fetch starts */
uint8_t stc_https_conn_state(void)
{
    return H_CONNECT;
}

/* step - one state's work; STC_EAGAIN or STC_OK (done) */
static int step(stc_engine_t *e, stc_conn_t *k)
{
    const stc_port_t *p = e->port;
    int rc;

    switch (k->state) {
    case H_CONNECT:
        rc = p->tcp_finish(p->user, k->sock);
        if (rc == STC_EAGAIN) {
            k->want = STC_WANT_WRITE;
            return STC_EAGAIN;
        }
        if (rc != STC_OK) {
            k->s->a.err = (int8_t)rc;
            k->s->a.reach = STC_R_UNREACHABLE;
            return hdone(e, k, STC_STS_E_CONNECT);
        }
        k->s->a.reach = STC_R_REACHED;
        if (stc_tls_start(k, p, k->sni) != STC_OK)
            return hdone(e, k, STC_STS_E_OURS);
        k->state = H_TLS;
        return STC_EAGAIN;
    case H_TLS:
        return handshake(e, k);
    case H_SEND:
        return send_request(e, k);
    case H_READ:
        return read_response(e, k);
    default:
        return STC_OK; /* done */
    }
}

/* stc_https_conn_step - run the fetch as far as it goes without blocking */
int stc_https_conn_step(stc_engine_t *e, stc_conn_t *k)
{
    int guard;

    k->u.sts.eng = e;
    for (guard = 0; guard < 8; guard++) {
        uint8_t before = k->state;
        int rc;
        if (before < H_CONNECT || before > H_READ)
            return STC_OK;
        if (stc_time_reached(stc_now(e), k->deadline)) {
            if (before == H_CONNECT) {
                k->s->a.err = STC_ETIMEOUT;
                k->s->a.reach = STC_R_UNREACHABLE;
            } else if (before == H_READ) { /* what was read so far is judged, cut */
                (void)stc_http_eof(&k->u.sts.http);
            }
            return hdone(e, k, STC_STS_E_TIMEOUT);
        }
        rc = step(e, k);
        if (k->state < H_CONNECT || k->state > H_READ)
            return STC_OK;
        if (rc == STC_EAGAIN && k->state == before)
            return STC_EAGAIN;
    }
    return STC_EAGAIN;
}
