/* dns_client.c - non-blocking stub-resolver queries over the port
 *
 * Why our own client: lwIP's DNS module resolves A/AAAA only and cannot
 * return MX, TLSA or TXT records or the AD bit; c-ares allocates. This one
 * keeps each query in a caller-owned slot (stc_dnsq_t) and does:
 * EDNS0 with DO, a random ID per query, the answer's source and question
 * checked, retries over the resolver list within one deadline, and TCP
 * when the answer is truncated (RFC 7766 5: "the client retries over TCP").
 */
#include "engine.h"

#include <string.h>

enum { Q_FREE = 0, Q_UDP, Q_TCP_CONNECT, Q_TCP_SEND, Q_TCP_RECV, Q_DONE };

#define DNS_PORT 53

/* udp_try_ms - budget of one UDP transmission: the deadline split over
 * the tries, and over the resolvers when there are more of them, so every
 * resolver is asked in time (a late answer to an earlier try still counts:
 * the socket and ID stay) */
static uint32_t udp_try_ms(const stc_engine_t *c)
{
    unsigned tries = c->nres + 1u > STC_DNS_TRIES ? c->nres + 1u : STC_DNS_TRIES;
    uint32_t t = c->opt.t_dns / tries;
    return t < 200 ? 200 : t;
}

/* close_sock - close the slot's socket, if any */
static void close_sock(stc_engine_t *c, stc_dnsq_t *q)
{
    if (q->sock >= 0) {
        c->port->close(c->port->user, q->sock);
        stc_eng_socket_closed(c);
    }
    q->sock = -1;
}

/* finish - end the query with err (STC_OK = answer in q->msg[0..len)) */
static int finish(stc_engine_t *c, stc_dnsq_t *q, int err)
{
    close_sock(c, q);
    if (q->state != Q_DONE)
        q->state = Q_DONE;
    q->err = (int8_t)err;
    q->want = 0;
    return err;
}

/* new_id - fresh random query ID (RFC 5452 9.2: IDs must be unpredictable) */
static int new_id(stc_engine_t *c, stc_dnsq_t *q)
{
    uint8_t r[2];
    if (c->port->random(c->port->user, r, sizeof r) != STC_OK)
        return STC_EPORT;
    q->id = (uint16_t)((r[0] << 8) | r[1]);
    return STC_OK;
}

/* udp_send - send the query to the current resolver. The ID and socket
 * stay the same for every try of one query, so a slow answer to an earlier
 * transmission is still accepted (RFC 1035 7.2: retransmit the same query);
 * the socket is reopened only when the resolver's family differs. */
static int udp_send(stc_engine_t *c, stc_dnsq_t *q)
{
    const stc_ip_t *res = &c->res[q->res_idx];
    size_t n;
    int rc;

    if (q->sock >= 0 && q->sock_family != res->family)
        close_sock(c, q);
    if (q->tries == 0) {
        rc = new_id(c, q);
        if (rc != STC_OK)
            return rc;
    }
    n = stc_dns_build_query(q->msg, sizeof q->msg, q->id, q->qname, q->qtype,
                            STC_DNS_EDNS_UDP);
    if (n == 0)
        return STC_EINVAL;
    if (q->cd)
        stc_dns_set_cd(q->msg);
    if (q->sock < 0) {
        if (!stc_eng_socket_room(c))
            return STC_ENOMEM;
        rc = c->port->udp_open(c->port->user, res->family, &q->sock);
        if (rc != STC_OK) {
            q->sock = -1;
            return rc;
        }
        stc_eng_socket_opened(c);
        q->sock_family = res->family;
    }
    rc = c->port->udp_sendto(c->port->user, q->sock, res, DNS_PORT, q->msg, n);
    if (rc != STC_OK && rc != STC_EAGAIN)
        return rc;
    q->tries++;
    q->retry_at = c->port->now_ms(c->port->user) + udp_try_ms(c);
    q->state = Q_UDP;
    q->want = STC_WANT_READ;
    return STC_OK;
}

/* next_try - send again, to the next resolver; STC_EAGAIN while in time */
static int next_try(stc_engine_t *c, stc_dnsq_t *q)
{
    int rc;
    if (q->tries >= (c->nres > STC_DNS_TRIES ? c->nres : STC_DNS_TRIES) * (c->nres > 1 ? 2 : 1))
        return STC_ETIMEOUT;
    q->res_idx = (uint8_t)((q->res_idx + 1) % c->nres);
    rc = udp_send(c, q);
    return rc == STC_OK ? STC_EAGAIN : rc;
}

/* stc_dnsq_start - begin a query in slot q */
int stc_dnsq_start(stc_engine_t *c, stc_dnsq_t *q, const char *qname, uint16_t qtype, int cd)
{
    int rc;
    uint8_t i;

    q->qtype = qtype;
    q->cd = cd ? 1 : 0;
    q->tcp = 0;
    q->tries = 0;
    q->res_idx = 0;
    q->ad = q->ad_ignored = 0;
    q->rcode = 0;
    q->err = 0;
    q->len = q->off = 0;
    q->sock = -1;
    q->sock_family = 0;
    q->waiters = NULL;
    q->state = Q_FREE;
    if (stc_strlcpy(q->qname, qname, sizeof q->qname))
        return STC_ETOOLONG;
    if (c->nres == 0)
        return STC_EINVAL;
    q->deadline = c->port->now_ms(c->port->user) + c->opt.t_dns;
    rc = udp_send(c, q);
    /* a resolver of an unusable family: try the others */
    for (i = 1; i < c->nres && rc != STC_OK && rc != STC_ENOMEM; i++) {
        q->res_idx = (uint8_t)((q->res_idx + 1) % c->nres);
        rc = udp_send(c, q);
    }
    if (rc != STC_OK) {
        close_sock(c, q);
        q->state = Q_FREE;
        return rc;
    }
    return STC_EAGAIN;
}

/* stc_dns_ad_trusted - is the AD bit of resolver `ip` believed? Only from
 * loopback unless the caller declared its resolvers trusted (trust_ad) */
int stc_dns_ad_trusted(const stc_engine_t *c, const stc_ip_t *ip)
{
    static const uint8_t lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (c->opt.trust_ad)
        return 1;
    if (ip->family == 4)
        return ip->addr[0] == 127;
    return ip->family == 6 && memcmp(ip->addr, lo6, 16) == 0;
}

/* accept_answer - parse q->msg[0..n) as the answer from resolver `from`;
 * STC_OK/EAGAIN(tc)/error */
static int accept_answer(const stc_engine_t *c, stc_dnsq_t *q, size_t n, const stc_ip_t *from)
{
    stc_dns_resp_t r;
    int rc = stc_dns_parse_response(q->msg, n, q->id, q->qname, q->qtype, &r);
    int trusted = stc_dns_ad_trusted(c, from);
    if (rc != STC_OK)
        return rc;
    q->len = (uint16_t)n;
    q->rcode = r.rcode;
    q->ad = (uint8_t)(r.ad && trusted);
    q->ad_ignored = (uint8_t)(r.ad && !trusted);
    return r.tc ? STC_EAGAIN : STC_OK;
}

/* resolver_index - index of a configured resolver, c->nres when none */
static uint8_t resolver_index(const stc_engine_t *c, const stc_ip_t *ip)
{
    uint8_t i;
    for (i = 0; i < c->nres; i++)
        if (c->res[i].family == ip->family &&
            memcmp(c->res[i].addr, ip->addr, ip->family == 4 ? 4 : 16) == 0)
            return i;
    return c->nres;
}

/* is_resolver - did this datagram come from a configured resolver port 53? */
static int is_resolver(const stc_engine_t *c, const stc_ip_t *ip, uint16_t port)
{
    return port == DNS_PORT && resolver_index(c, ip) < c->nres;
}

/* start_tcp - the answer was truncated: ask the same resolver over TCP */
static int start_tcp(stc_engine_t *c, stc_dnsq_t *q)
{
    int rc;
    close_sock(c, q);
    q->tcp++;
    q->len = q->off = 0;
    rc = c->port->tcp_connect(c->port->user, &c->res[q->res_idx], DNS_PORT, &q->sock);
    if (rc == STC_OK || rc == STC_EAGAIN)
        stc_eng_socket_opened(c);
    if (rc == STC_EAGAIN) {
        q->state = Q_TCP_CONNECT;
        q->want = STC_WANT_WRITE;
        return STC_EAGAIN;
    }
    if (rc != STC_OK) {
        q->sock = -1;
        return rc;
    }
    q->state = Q_TCP_SEND;
    q->want = STC_WANT_WRITE;
    return STC_EAGAIN;
}

/* step_udp - read datagrams until ours arrives; ignore everything else */
static int step_udp(stc_engine_t *c, stc_dnsq_t *q, uint32_t now)
{
    int guard;

    for (guard = 0; guard < 16; guard++) {
        stc_ip_t from;
        uint16_t fport = 0;
        long n = c->port->udp_recvfrom(c->port->user, q->sock, q->msg, sizeof q->msg,
                                       &from, &fport);
        int rc;
        if (n == STC_EAGAIN)
            break;
        if (n == STC_ETOOLONG)
            continue; /* an oversized datagram from anyone: not our answer */
        if (n < 0)
            return next_try(c, q); /* e.g. ICMP unreachable: next resolver */
        /* RFC 5452 9.1: accept only answers from where the question went */
        if (!is_resolver(c, &from, fport))
            continue;
        rc = accept_answer(c, q, (size_t)n, &from);
        if (rc == STC_OK || rc == STC_EAGAIN)
            q->res_idx = resolver_index(c, &from); /* who answered (TCP goes there) */
        if (rc == STC_OK)
            return STC_OK;
        if (rc == STC_EAGAIN)
            return start_tcp(c, q);
        /* not our answer (wrong ID or question, damaged): keep waiting */
    }
    if (stc_time_reached(now, q->retry_at))
        return next_try(c, q);
    return STC_EAGAIN;
}

/* step_tcp - connect, send length-prefixed query, read length-prefixed answer */
static int step_tcp(stc_engine_t *c, stc_dnsq_t *q)
{
    const stc_port_t *p = c->port;
    int rc;

    if (q->state == Q_TCP_CONNECT) {
        rc = p->tcp_finish(p->user, q->sock);
        if (rc == STC_EAGAIN)
            return STC_EAGAIN;
        if (rc != STC_OK)
            return rc;
        q->state = Q_TCP_SEND;
    }
    if (q->state == Q_TCP_SEND) {
        if (q->off == 0 && q->len == 0) {
            /* RFC 1035 4.2.2: a two-byte length prefixes each message */
            size_t n = stc_dns_build_query(q->msg + 2, sizeof q->msg - 2, q->id,
                                           q->qname, q->qtype, STC_DNS_EDNS_UDP);
            if (n == 0)
                return STC_EINVAL;
            if (q->cd)
                stc_dns_set_cd(q->msg + 2);
            q->msg[0] = (uint8_t)(n >> 8);
            q->msg[1] = (uint8_t)n;
            q->len = (uint16_t)(n + 2);
        }
        while (q->off < q->len) {
            long n = p->send(p->user, q->sock, q->msg + q->off, (size_t)(q->len - q->off));
            if (n == STC_EAGAIN)
                return STC_EAGAIN;
            if (n <= 0)
                return n == 0 ? STC_ECLOSED : (int)n;
            q->off = (uint16_t)(q->off + n);
        }
        q->state = Q_TCP_RECV;
        q->want = STC_WANT_READ;
        q->off = 0;
        q->len = 0; /* becomes the expected total (2 + message) */
    }
    for (;;) {
        size_t want = q->len ? q->len : 2;
        long n;
        if (q->off >= want) {
            if (q->len == 0) {
                size_t mlen = ((size_t)q->msg[0] << 8) | q->msg[1];
                if (mlen + 2 > sizeof q->msg)
                    return STC_ETOOLONG;
                if (mlen < 12)
                    return STC_EPROTO;
                q->len = (uint16_t)(mlen + 2);
                continue;
            }
            memmove(q->msg, q->msg + 2, (size_t)q->len - 2);
            rc = accept_answer(c, q, (size_t)q->len - 2, &c->res[q->res_idx]);
            /* over TCP a TC answer or a foreign one is simply wrong */
            return rc == STC_OK ? STC_OK : STC_EPROTO;
        }
        n = p->recv(p->user, q->sock, q->msg + q->off, want - q->off);
        if (n == STC_EAGAIN)
            return STC_EAGAIN;
        if (n <= 0)
            return n == 0 ? STC_ECLOSED : (int)n;
        q->off = (uint16_t)(q->off + n);
    }
}

/* stc_dnsq_step - advance a query; STC_EAGAIN, or done (STC_OK / error) */
int stc_dnsq_step(stc_engine_t *c, stc_dnsq_t *q)
{
    uint32_t now = c->port->now_ms(c->port->user);
    int rc;

    if (q->state == Q_DONE)
        return q->err;
    if (q->state == Q_FREE)
        return STC_EINVAL;
    if (q->state == Q_UDP) {
        rc = step_udp(c, q, now);
    } else {
        rc = step_tcp(c, q);
        if (rc != STC_OK && rc != STC_EAGAIN && rc != STC_ETOOLONG && rc != STC_ENOMEM &&
            q->tcp < c->nres && !stc_time_reached(now, q->deadline)) {
            /* the TCP retry failed: ask the next resolver (over UDP, then
             * TCP again if it truncates too) rather than give up */
            close_sock(c, q);
            q->res_idx = (uint8_t)((q->res_idx + 1) % c->nres);
            q->tries = 1; /* keep the ID: any late answer still counts */
            q->len = q->off = 0;
            rc = udp_send(c, q);
            rc = rc == STC_OK ? STC_EAGAIN : rc;
        }
    }
    if (rc == STC_EAGAIN && stc_time_reached(c->port->now_ms(c->port->user), q->deadline))
        rc = STC_ETIMEOUT;
    if (rc == STC_EAGAIN)
        return rc;
    return finish(c, q, rc);
}

/* stc_dnsq_busy - 1 while the query runs */
int stc_dnsq_busy(const stc_dnsq_t *q)
{
    return q->state != Q_FREE && q->state != Q_DONE;
}

/* stc_dnsq_release - return a slot to the pool (its waiters are gone) */
void stc_dnsq_release(stc_engine_t *c, stc_dnsq_t *q)
{
    close_sock(c, q);
    q->state = Q_FREE;
    q->waiters = NULL;
}

/* stc_dnsq_deadline - earliest time the query needs a step without I/O */
uint32_t stc_dnsq_deadline(const stc_dnsq_t *q)
{
    if (q->state == Q_UDP && (int32_t)(q->retry_at - q->deadline) < 0)
        return q->retry_at;
    return q->deadline;
}
