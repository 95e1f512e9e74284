/* smtp.c - one address: connect, greeting, EHLO, STARTTLS, TLS, EHLO, QUIT
 *
 * A non-blocking state machine per connection slot. Every phase has its own
 * absolute deadline covering the whole phase, so a server that drips one
 * byte at a time cannot stretch it. Nothing here blocks or allocates.
 */
#include "engine.h"

#include <string.h>

enum {
    K_FREE = 0,
    K_CONNECT,
    K_TLS,     /* handshake (after STARTTLS, or first on implicit TLS) */
    K_BANNER,
    K_EHLO,
    K_STARTTLS,
    K_EHLO_TLS,
    K_QUIT,
    K_DONE
};

#define QUIT_MS 3000u /* QUIT is politeness: don't wait long for 221 */

/* addr_of - the result record a connection fills */
static stc_addr_result_t *addr_of(stc_check_t *c, stc_conn_t *k)
{
    return &c->result.host[k->host].addr[k->addr];
}

/* now - the port's clock */
static uint32_t now(const stc_check_t *c)
{
    return c->port->now_ms(c->port->user);
}

/* sni_for - the name we send as SNI and check the certificate against.
 * One place, because DANE (RFC 7672 3.2.2: the TLSA base domain) will
 * change it. An IP literal (relay check) gets no SNI (RFC 6066 3). */
static const char *sni_for(const stc_check_t *c, const stc_conn_t *k)
{
    const char *name = c->result.host[k->host].name;
    stc_ip_t ip;
    return stc_ip_parse(name, &ip) ? NULL : name;
}

/* set_phase - enter a phase with its own deadline */
static void set_phase(stc_check_t *c, stc_conn_t *k, uint8_t state, uint8_t phase,
                      uint32_t budget_ms)
{
    k->state = state;
    addr_of(c, k)->phase = phase;
    k->deadline = now(c) + budget_ms;
}

/* queue_cmd - put one command line in the send buffer, reset the reader */
static void queue_cmd(stc_conn_t *k, const char *verb, const char *arg, int ehlo)
{
    size_t n = 0, v = strlen(verb), a = arg ? strlen(arg) : 0;

    if (v + (a ? a + 1 : 0) + 2 > sizeof k->tx)
        a = 0; /* cannot happen: the EHLO name is bounded by STC_EHLO_MAX */
    memcpy(k->tx, verb, v);
    n = v;
    if (a) {
        k->tx[n++] = ' ';
        memcpy(k->tx + n, arg, a);
        n += a;
    }
    k->tx[n++] = '\r';
    k->tx[n++] = '\n';
    k->txlen = (uint16_t)n;
    k->txoff = 0;
    stc_reply_reset(&k->reply, ehlo);
}

/* io_send - push the send buffer (plain or TLS); STC_OK when all is sent */
static int io_send(stc_check_t *c, stc_conn_t *k)
{
    while (k->txoff < k->txlen) {
        long n;
        uint8_t want = STC_WANT_WRITE;
        if (k->ssl)
            n = stc_tls_send(k, k->tx + k->txoff, (size_t)(k->txlen - k->txoff), &want);
        else
            n = c->port->send(c->port->user, k->sock, k->tx + k->txoff,
                              (size_t)(k->txlen - k->txoff));
        if (n == STC_EAGAIN) {
            k->want = want;
            return STC_EAGAIN;
        }
        if (n <= 0)
            return n == 0 ? STC_ECLOSED : (int)n;
        k->txoff = (uint16_t)(k->txoff + n);
    }
    return STC_OK;
}

/* io_reply - read until one whole reply is parsed; bytes after it stay in rx */
static int io_reply(stc_check_t *c, stc_conn_t *k)
{
    for (;;) {
        long n;
        uint8_t want = STC_WANT_READ;
        if (k->rxlen > 0) {
            size_t used = 0;
            int rc = stc_reply_feed(&k->reply, k->rx, k->rxlen, &used);
            if (used > k->rxlen)
                used = k->rxlen;
            memmove(k->rx, k->rx + used, k->rxlen - used);
            k->rxlen = (uint16_t)(k->rxlen - used);
            if (rc != STC_EAGAIN)
                return rc;
        }
        if (k->ssl)
            n = stc_tls_recv(k, k->rx + k->rxlen, sizeof k->rx - k->rxlen, &want);
        else
            n = c->port->recv(c->port->user, k->sock, k->rx + k->rxlen,
                              sizeof k->rx - k->rxlen);
        if (n == STC_EAGAIN) {
            k->want = want;
            return STC_EAGAIN;
        }
        if (n == 0)
            return STC_ECLOSED;
        if (n < 0)
            return (int)n;
        k->rxlen = (uint16_t)(k->rxlen + n);
    }
}

/* command - send the queued command, then read its reply */
static int command(stc_check_t *c, stc_conn_t *k)
{
    int rc = io_send(c, k);
    if (rc != STC_OK)
        return rc;
    return io_reply(c, k);
}

/* finish - close the connection and mark the address done */
static int finish(stc_check_t *c, stc_conn_t *k)
{
    stc_addr_result_t *a = addr_of(c, k);
    if (k->ssl)
        stc_tls_free(k);
    if (k->sock >= 0)
        c->port->close(c->port->user, k->sock);
    k->sock = -1;
    if (a->reach == STC_R_PENDING) /* no greeting: the server was not reached */
        a->reach = STC_R_UNREACHABLE;
    a->elapsed_ms = now(c) - k->started;
    if (a->phase == STC_P_QUIT)
        a->phase = STC_P_DONE;
    k->state = K_DONE;
    k->want = 0;
    return STC_OK;
}

/* go_quit - say QUIT politely, then finish */
static void go_quit(stc_check_t *c, stc_conn_t *k)
{
    queue_cmd(k, "QUIT", NULL, 0);
    set_phase(c, k, K_QUIT, STC_P_QUIT, QUIT_MS);
}

/* fail - the dialogue cannot go on: record why and close */
static int fail(stc_check_t *c, stc_conn_t *k, int err, unsigned code, int32_t detail)
{
    stc_addr_result_t *a = addr_of(c, k);
    a->err = (int8_t)err;
    if (code)
        stc_add_addr_finding(a, code, detail);
    return finish(c, k);
}

/* io_failure - map a transport error in a dialogue phase to a finding */
static int io_failure(stc_check_t *c, stc_conn_t *k, int err, unsigned timeout_code)
{
    stc_addr_result_t *a = addr_of(c, k);
    switch (err) {
    case STC_ETIMEOUT:
        return fail(c, k, err, timeout_code, 0);
    case STC_ECLOSED:
    case STC_ERESET:
        return fail(c, k, err, STC_F_CLOSED_EARLY, a->phase);
    case STC_ETOOLONG:
        stc_add_addr_finding(a, STC_F_REPLY_TOO_LONG, STC_REPLY_LINES_MAX);
        return fail(c, k, err, STC_F_SMTP_PROTOCOL, a->phase);
    case STC_EPROTO:
        return fail(c, k, err, STC_F_SMTP_PROTOCOL, a->phase);
    case STC_ENOMEM:
        return fail(c, k, err, STC_F_OUT_OF_MEMORY, 0);
    default:
        return fail(c, k, err, STC_F_CLOSED_EARLY, err);
    }
}

/* connect_failure - classify a failed connect */
static int connect_failure(stc_check_t *c, stc_conn_t *k, int err)
{
    stc_addr_result_t *a = addr_of(c, k);
    unsigned code;

    a->reach = STC_R_UNREACHABLE;
    switch (err) {
    case STC_EAFNOSUPPORT:
        /* not "failed": this network cannot reach that family at all */
        a->reach = STC_R_UNTESTED;
        a->err = (int8_t)err;
        stc_add_addr_finding(a, STC_F_FAMILY_UNTESTED, a->ip.family);
        a->status[STC_CHK_CONNECT] = -1;
        return finish(c, k);
    case STC_ECONNREFUSED:
    case STC_ERESET: /* lwIP reports a refused connect as a reset */
        code = STC_F_CONNECT_REFUSED;
        break;
    case STC_ETIMEOUT:
        code = STC_F_CONNECT_TIMEOUT;
        break;
    case STC_EUNREACH:
        code = STC_F_CONNECT_UNREACH;
        break;
    default:
        code = STC_F_CONNECT_ERROR;
        break;
    }
    return fail(c, k, err, code, 0); /* the error is in a->err */
}

/* start_tls - begin the handshake on the connected socket */
static int start_tls(stc_check_t *c, stc_conn_t *k)
{
    int rc = stc_tls_start(k, c->port, sni_for(c, k));
    set_phase(c, k, K_TLS, STC_P_TLS, c->opt.t_tls);
    stc_check_ran(addr_of(c, k), STC_CHK_STARTTLS);
    if (rc == STC_ENOMEM)
        return fail(c, k, rc, STC_F_OUT_OF_MEMORY, 0);
    if (rc != STC_OK)
        return fail(c, k, rc, STC_F_TLS_HANDSHAKE, rc);
    return STC_EAGAIN;
}

/* add_cert_finding - stc_cert_judge's callback */
static void add_cert_finding(void *ctx, unsigned code, int32_t detail)
{
    stc_add_addr_finding((stc_addr_result_t *)ctx, code, detail);
}

/* tls_done - handshake complete: record what was negotiated, judge the chain */
static int tls_done(stc_check_t *c, stc_conn_t *k)
{
    stc_addr_result_t *a = addr_of(c, k);
    const char *host = c->result.host[k->host].name;
    int rc;

    stc_tls_info(k, &a->tls_version, a->cipher, sizeof a->cipher, a->group, sizeof a->group);
    stc_check_ran(a, STC_CHK_VERSION);
    /* RFC 8996 deprecates TLS 1.0 and 1.1; the original tool warned too */
    if (a->tls_version != 0 && a->tls_version < 0x0303)
        stc_add_addr_finding(a, STC_F_TLS_OLD_VERSION, a->tls_version);
    stc_check_ran(a, STC_CHK_CERT);
    rc = stc_cert_judge(&k->chain, host, c->port->unix_time(c->port->user),
                        c->opt.warn_days, &a->cert, add_cert_finding, a);
    if (rc == STC_ENOMEM)
        return fail(c, k, rc, STC_F_OUT_OF_MEMORY, 0);
    if (k->implicit_tls) {
        stc_reply_reset(&k->reply, 0);
        set_phase(c, k, K_BANNER, STC_P_BANNER, c->opt.t_banner);
    } else {
        queue_cmd(k, "EHLO", c->opt.ehlo, 1);
        set_phase(c, k, K_EHLO_TLS, STC_P_EHLO_TLS, c->opt.t_command);
    }
    return STC_EAGAIN;
}

/* on_banner - the greeting arrived */
static int on_banner(stc_check_t *c, stc_conn_t *k)
{
    stc_addr_result_t *a = addr_of(c, k);
    uint16_t code = k->reply.code;

    a->last_code = code;
    stc_strlcpy(a->banner, k->reply.first, sizeof a->banner);
    if (k->reply.overlong)
        stc_add_addr_finding(a, STC_F_REPLY_TOO_LONG, code);
    if (code == 220) {
        a->reach = STC_R_REACHED;
        queue_cmd(k, "EHLO", c->opt.ehlo, 1);
        set_phase(c, k, K_EHLO, STC_P_EHLO, c->opt.t_command);
        return STC_EAGAIN;
    }
    if (code >= 400 && code < 600) {
        /* RFC 5321 3.1: 554 (or 421) instead of 220 means "go away": it
         * says nothing about STARTTLS, so it is never "no STARTTLS". */
        a->reach = STC_R_REJECTED;
        stc_add_addr_finding(a, STC_F_REJECTED, code);
        go_quit(c, k);
        return STC_EAGAIN;
    }
    return fail(c, k, STC_EPROTO, STC_F_SMTP_PROTOCOL, code);
}

/* on_ehlo - the first EHLO reply */
static int on_ehlo(stc_check_t *c, stc_conn_t *k)
{
    stc_addr_result_t *a = addr_of(c, k);
    uint16_t code = k->reply.code;

    a->last_code = code;
    if (k->reply.overlong)
        stc_add_addr_finding(a, STC_F_REPLY_TOO_LONG, code);
    if (code == 421 || code == 554) {
        a->reach = STC_R_REJECTED;
        stc_add_addr_finding(a, STC_F_REJECTED, code);
        go_quit(c, k);
        return STC_EAGAIN;
    }
    stc_check_ran(a, STC_CHK_STARTTLS);
    if (code != 250) {
        stc_add_addr_finding(a, code >= 500 ? STC_F_NO_ESMTP : STC_F_SMTP_PROTOCOL, code);
        go_quit(c, k);
        return STC_EAGAIN;
    }
    a->ehlo = k->reply.ext;
    if (k->implicit_tls) { /* already inside TLS (port 465): nothing to start */
        a->ehlo_tls = k->reply.ext;
        go_quit(c, k);
        return STC_EAGAIN;
    }
    if (!(a->ehlo & STC_EXT_STARTTLS)) {
        stc_add_addr_finding(a, STC_F_NO_STARTTLS, 0);
        go_quit(c, k);
        return STC_EAGAIN;
    }
    queue_cmd(k, "STARTTLS", NULL, 0);
    set_phase(c, k, K_STARTTLS, STC_P_STARTTLS, c->opt.t_command);
    return STC_EAGAIN;
}

/* on_starttls - reply to STARTTLS */
static int on_starttls(stc_check_t *c, stc_conn_t *k)
{
    stc_addr_result_t *a = addr_of(c, k);

    a->last_code = k->reply.code;
    if (k->reply.code != 220) {
        stc_add_addr_finding(a, STC_F_STARTTLS_REFUSED, k->reply.code);
        go_quit(c, k);
        return STC_EAGAIN;
    }
    /* RFC 3207 4.2 / CVE-2011-0411: nothing may follow "220" in plaintext;
     * whatever is already here would be taken as TLS data. Discard it. */
    if (k->rxlen > 0) {
        stc_add_addr_finding(a, STC_F_STARTTLS_INJECTION, k->rxlen);
        k->rxlen = 0;
    }
    return start_tls(c, k);
}

/* step_once - one state's worth of work; STC_EAGAIN or STC_OK (done) */
static int step_once(stc_check_t *c, stc_conn_t *k)
{
    const stc_port_t *p = c->port;
    stc_addr_result_t *a = addr_of(c, k);
    int rc;

    switch (k->state) {
    case K_CONNECT:
        rc = p->tcp_finish(p->user, k->sock);
        if (rc == STC_EAGAIN) {
            k->want = STC_WANT_WRITE;
            return STC_EAGAIN;
        }
        if (rc != STC_OK)
            return connect_failure(c, k, rc);
        stc_check_ran(a, STC_CHK_CONNECT);
        if (k->implicit_tls)
            return start_tls(c, k);
        stc_reply_reset(&k->reply, 0);
        set_phase(c, k, K_BANNER, STC_P_BANNER, c->opt.t_banner);
        return STC_EAGAIN;
    case K_TLS: {
        uint8_t want = STC_WANT_READ;
        int32_t lower = 0;
        rc = stc_tls_handshake(k, &want, &lower);
        if (rc == STC_EAGAIN) {
            k->want = want;
            return STC_EAGAIN;
        }
        a->lower_err = lower;
        if (rc == STC_OK)
            return tls_done(c, k);
        if (rc == STC_ENOMEM)
            return fail(c, k, rc, STC_F_OUT_OF_MEMORY, lower);
        return fail(c, k, rc, STC_F_TLS_HANDSHAKE, lower ? lower : rc);
    }
    case K_BANNER:
        rc = io_reply(c, k);
        if (rc == STC_OK)
            return on_banner(c, k);
        if (rc == STC_EAGAIN)
            return rc;
        return io_failure(c, k, rc, STC_F_BANNER_TIMEOUT);
    case K_EHLO:
        rc = command(c, k);
        if (rc == STC_OK)
            return on_ehlo(c, k);
        if (rc == STC_EAGAIN)
            return rc;
        return io_failure(c, k, rc, STC_F_COMMAND_TIMEOUT);
    case K_STARTTLS:
        rc = command(c, k);
        if (rc == STC_OK)
            return on_starttls(c, k);
        if (rc == STC_EAGAIN)
            return rc;
        return io_failure(c, k, rc, STC_F_COMMAND_TIMEOUT);
    case K_EHLO_TLS:
        rc = command(c, k);
        if (rc == STC_EAGAIN)
            return rc;
        /* wolfSSL_read/write ran out of arena: our failure, not the
         * server's (never "no EHLO after TLS") */
        if (rc == STC_ENOMEM)
            return fail(c, k, rc, STC_F_OUT_OF_MEMORY, 0);
        if (rc == STC_OK && k->reply.code == 250) {
            a->ehlo_tls = k->reply.ext;
            if (k->implicit_tls)
                a->ehlo = k->reply.ext;
            go_quit(c, k);
            return STC_EAGAIN;
        }
        stc_add_addr_finding(a, STC_F_TLS_NO_EHLO_AFTER, rc == STC_OK ? k->reply.code : rc);
        if (rc == STC_OK) {
            go_quit(c, k);
            return STC_EAGAIN;
        }
        a->phase = STC_P_DONE; /* the check itself is complete */
        return finish(c, k);
    case K_QUIT:
        rc = command(c, k);
        if (rc == STC_EAGAIN)
            return rc;
        a->phase = STC_P_DONE; /* any answer, or none, ends politely */
        return finish(c, k);
    default:
        return STC_OK;
    }
}

/* stc_conn_start - begin checking address `addr` of host `host` */
int stc_conn_start(stc_check_t *c, stc_conn_t *k, uint8_t host, uint8_t addr)
{
    stc_addr_result_t *a = &c->result.host[host].addr[addr];
    int rc;

    memset(&k->reply, 0, sizeof k->reply);
    k->chain.n = 0;
    k->chain.truncated = 0;
    k->host = host;
    k->addr = addr;
    k->used = 1;
    k->ssl = NULL;
    k->port = c->port;
    k->rxlen = k->txlen = k->txoff = 0;
    k->implicit_tls = c->result.implicit_tls;
    k->started = now(c);
    k->sock = -1;
    set_phase(c, k, K_CONNECT, STC_P_CONNECT, c->opt.t_connect);
    rc = c->port->tcp_connect(c->port->user, &a->ip, c->opt.port, &k->sock);
    if (rc == STC_EAGAIN) {
        k->want = STC_WANT_WRITE;
        return STC_EAGAIN;
    }
    if (rc != STC_OK) {
        k->sock = -1;
        return connect_failure(c, k, rc);
    }
    return stc_conn_step(c, k);
}

/* stc_conn_step - run the connection as far as it goes without blocking */
int stc_conn_step(stc_check_t *c, stc_conn_t *k)
{
    int guard;

    for (guard = 0; guard < 32; guard++) {
        uint8_t before = k->state;
        int rc;
        if (k->state == K_DONE || k->state == K_FREE)
            return STC_OK;
        if (stc_time_reached(now(c), k->deadline)) {
            /* the phase's whole budget is spent */
            stc_addr_result_t *a = addr_of(c, k);
            switch (k->state) {
            case K_CONNECT:
                return connect_failure(c, k, STC_ETIMEOUT);
            case K_TLS:
                return fail(c, k, STC_ETIMEOUT, STC_F_TLS_TIMEOUT, 0);
            case K_BANNER:
                if (k->reply.overlong) /* a line that never ends */
                    stc_add_addr_finding(a, STC_F_REPLY_TOO_LONG, 0);
                return fail(c, k, STC_ETIMEOUT, STC_F_BANNER_TIMEOUT, 0);
            case K_EHLO_TLS:
                stc_add_addr_finding(a, STC_F_TLS_NO_EHLO_AFTER, STC_ETIMEOUT);
                a->phase = STC_P_DONE;
                return finish(c, k);
            case K_QUIT:
                a->phase = STC_P_DONE;
                return finish(c, k);
            default:
                return fail(c, k, STC_ETIMEOUT, STC_F_COMMAND_TIMEOUT, 0);
            }
        }
        rc = step_once(c, k);
        if (k->state == K_DONE)
            return STC_OK;
        if (rc == STC_EAGAIN && k->state == before)
            return STC_EAGAIN;
    }
    return STC_EAGAIN;
}

/* stc_conn_abort - drop a connection (the check is being freed) */
void stc_conn_abort(stc_check_t *c, stc_conn_t *k)
{
    if (k->ssl)
        stc_tls_free(k);
    if (k->sock >= 0)
        c->port->close(c->port->user, k->sock);
    k->sock = -1;
    k->state = K_FREE;
    k->used = 0;
    k->want = 0;
}
