/* smtp.c - one session: connect, greeting, EHLO, STARTTLS, TLS, EHLO, QUIT
 *
 * A non-blocking state machine per connection slot, working for a session
 * task (task.c) and writing what it learns into the task's stc_session_t.
 * Every phase has its own absolute deadline covering the whole phase, so a
 * server that drips one byte at a time cannot stretch it. Nothing here
 * blocks or allocates.
 *
 * Whose fault: a 421 or a reset before EHLO was answered, while another
 * session of ours to the same address is open, is our doing (a per-client
 * limit): the session ends as "busy" and the task retries it; our own
 * limits (no socket, no arena, a TLS message too large for our library)
 * are findings of ours, never of the server.
 */
#include "probe.h"

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

/* set_phase - enter a phase with its own deadline */
static void set_phase(stc_engine_t *e, stc_conn_t *k, uint8_t state, uint8_t phase,
                      uint32_t budget_ms)
{
    k->state = state;
    k->s->a.phase = phase;
    k->deadline = stc_now(e) + budget_ms;
}

/* stc_conn_queue - put one command line in the send buffer, reset the reader */
void stc_conn_queue(stc_conn_t *k, const char *verb, const char *arg, int ehlo)
{
    size_t n, v = strlen(verb), a = arg ? strlen(arg) : 0;

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
    stc_reply_reset(&k->u.reply, ehlo);
}

/* stc_conn_send - push the send buffer (plain or TLS); STC_OK when all is sent */
int stc_conn_send(stc_engine_t *e, stc_conn_t *k)
{
    while (k->txoff < k->txlen) {
        long n;
        uint8_t want = STC_WANT_WRITE;
        if (k->ssl)
            n = stc_tls_send(k, k->tx + k->txoff, (size_t)(k->txlen - k->txoff), &want);
        else
            n = e->port->send(e->port->user, k->sock, k->tx + k->txoff,
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

/* stc_conn_reply - read until one whole reply is parsed; bytes after it stay in rx */
int stc_conn_reply(stc_engine_t *e, stc_conn_t *k)
{
    for (;;) {
        long n;
        uint8_t want = STC_WANT_READ;
        if (k->rxlen > 0) {
            size_t used = 0;
            int rc = stc_reply_feed(&k->u.reply, k->rx, k->rxlen, &used);
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
            n = e->port->recv(e->port->user, k->sock, k->rx + k->rxlen,
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
static int command(stc_engine_t *e, stc_conn_t *k)
{
    int rc = stc_conn_send(e, k);
    if (rc != STC_OK)
        return rc;
    return stc_conn_reply(e, k);
}

/* close_all - free the TLS session and the socket */
static void close_all(stc_engine_t *e, stc_conn_t *k)
{
    if (k->ssl)
        stc_tls_free(k);
    if (k->capture)
        stc_tls_capture_free(k);
    if (k->sock >= 0) {
        e->port->close(e->port->user, k->sock);
        stc_eng_socket_closed(e);
    }
    k->sock = -1;
    k->want = 0;
}

/* stc_conn_close_done - a probe session is over: close, mark done */
void stc_conn_close_done(stc_engine_t *e, stc_conn_t *k)
{
    close_all(e, k);
    k->s->a.elapsed_ms += stc_now(e) - k->started; /* every session to it counts */
    k->state = K_DONE;
}

/* finish - close the connection and mark the session done */
static int finish(stc_engine_t *e, stc_conn_t *k)
{
    stc_addr_result_t *a = &k->s->a;
    close_all(e, k);
    if (k->end == STC_END_DONE) {
        if (a->reach == STC_R_PENDING) /* no greeting: the server was not reached */
            a->reach = STC_R_UNREACHABLE;
        if (a->phase == STC_P_QUIT)
            a->phase = STC_P_DONE;
    }
    a->elapsed_ms += stc_now(e) - k->started;
    k->state = K_DONE;
    return STC_OK;
}

/* go_quit - say QUIT politely, then finish */
static void go_quit(stc_engine_t *e, stc_conn_t *k)
{
    stc_conn_queue(k, "QUIT", NULL, 0);
    set_phase(e, k, K_QUIT, STC_P_QUIT, QUIT_MS);
}

/* fail - the dialogue cannot go on: record why and close */
static int fail(stc_engine_t *e, stc_conn_t *k, int err, unsigned code, int32_t detail)
{
    k->s->a.err = (int8_t)err;
    if (code)
        stc_add_addr_finding(&k->s->a, code, detail);
    return finish(e, k);
}

/* others_open - another session of ours to this address was or is open */
static int others_open(const stc_engine_t *e, const stc_conn_t *k)
{
    /* the server decided when we connected: count the sessions open then
     * (they may have closed before its answer arrived), and those now */
    return k->others > 0 || stc_eng_sessions_to(e, &k->s->a.ip) > 1;
}

/* busy - the server refused a session we should not have opened (a 421
 * or a reset while we hold another one there): end it for a retry, with
 * nothing recorded against the server */
static int busy(stc_engine_t *e, stc_conn_t *k)
{
    stc_addr_result_t *a = &k->s->a;
    k->end = STC_END_BUSY;
    a->reach = STC_R_PENDING;
    a->last_code = 0;
    return finish(e, k);
}

/* io_failure - map a transport error in a dialogue phase to a finding */
static int io_failure(stc_engine_t *e, stc_conn_t *k, int err, unsigned timeout_code)
{
    stc_addr_result_t *a = &k->s->a;
    switch (err) {
    case STC_ETIMEOUT:
        return fail(e, k, err, timeout_code, 0);
    case STC_ECLOSED:
    case STC_ERESET:
        if ((k->state == K_BANNER || k->state == K_EHLO) && others_open(e, k))
            return busy(e, k);
        return fail(e, k, err, STC_F_CLOSED_EARLY, a->phase);
    case STC_EPROTO:
        return fail(e, k, err, STC_F_SMTP_PROTOCOL, a->phase);
    case STC_ENOMEM:
        return fail(e, k, err, STC_F_OUT_OF_MEMORY, 0);
    default:
        return fail(e, k, err, STC_F_CLOSED_EARLY, err);
    }
}

/* connect_failure - classify a failed connect */
static int connect_failure(stc_engine_t *e, stc_conn_t *k, int err)
{
    stc_addr_result_t *a = &k->s->a;
    unsigned code;

    a->reach = STC_R_UNREACHABLE;
    switch (err) {
    case STC_EAFNOSUPPORT:
        /* not "failed": this network cannot reach that family at all */
        a->reach = STC_R_UNTESTED;
        a->err = (int8_t)err;
        stc_add_addr_finding(a, STC_F_FAMILY_UNTESTED, a->ip.family);
        a->status[STC_CHK_CONNECT] = STC_SKIPPED;
        return finish(e, k);
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
    case STC_ENOMEM:
        /* the port ran out of sockets after all: ours, not the server's */
        a->reach = STC_R_UNCHECKED;
        code = STC_F_CHECKER_NO_SOCKET;
        break;
    default:
        code = STC_F_CONNECT_ERROR;
        break;
    }
    return fail(e, k, err, code, code == STC_F_CONNECT_ERROR ? err : e->task[k->task].port);
}

/* start_tls - begin the handshake on the connected socket */
static int start_tls(stc_engine_t *e, stc_conn_t *k)
{
    int rc = stc_tls_start(k, e->port, k->sni);
    set_phase(e, k, K_TLS, STC_P_TLS, e->opt.t_tls);
    stc_check_ran(&k->s->a, STC_CHK_STARTTLS);
    if (rc == STC_ENOMEM) {
        k->end = STC_END_NOMEM;
        return fail(e, k, rc, 0, 0);
    }
    if (rc != STC_OK) /* wolfSSL could not set up a session: ours */
        return fail(e, k, rc, STC_F_CHECKER_TLS_SETUP, rc);
    return STC_EAGAIN;
}

/* tls_done - handshake complete: record what was negotiated */
static int tls_done(stc_engine_t *e, stc_conn_t *k)
{
    stc_addr_result_t *a = &k->s->a;

    stc_tls_info(k, &a->tls_version, &a->suite, &a->group);
    stc_check_ran(a, STC_CHK_VERSION);
    /* RFC 8996 deprecates TLS 1.0 and 1.1; the original tool warned too */
    if (a->tls_version != 0 && a->tls_version < 0x0303)
        stc_add_addr_finding(a, STC_F_TLS_OLD_VERSION, a->tls_version);
    if (stc_tls_judge(e, k) == STC_ENOMEM) {
        k->end = STC_END_NOMEM;
        return fail(e, k, STC_ENOMEM, 0, 0);
    }
    if (k->implicit_tls) {
        stc_reply_reset(&k->u.reply, 0);
        set_phase(e, k, K_BANNER, STC_P_BANNER, e->opt.t_banner);
    } else {
        stc_conn_queue(k, "EHLO", e->opt.ehlo, 1);
        set_phase(e, k, K_EHLO_TLS, STC_P_EHLO_TLS, e->opt.t_command);
    }
    return STC_EAGAIN;
}

/* rejected - 421/554 instead of a greeting or to EHLO */
static int rejected(stc_engine_t *e, stc_conn_t *k, uint16_t code)
{
    stc_addr_result_t *a = &k->s->a;
    /* RFC 5321 3.8: "421 <domain> Service not available, closing
     * transmission channel" - to a second session of ours it is a
     * per-client limit we ran into, not the server's verdict */
    if (code == 421 && others_open(e, k))
        return busy(e, k);
    /* RFC 5321 3.1: 554 (or 421) instead of 220 means "go away": it says
     * nothing about STARTTLS, so it is never "no STARTTLS". */
    a->reach = STC_R_REJECTED;
    stc_add_addr_finding(a, STC_F_REJECTED, code);
    go_quit(e, k);
    return STC_EAGAIN;
}

/* on_banner - the greeting arrived */
static int on_banner(stc_engine_t *e, stc_conn_t *k)
{
    stc_addr_result_t *a = &k->s->a;
    uint16_t code = k->u.reply.code;

    a->last_code = code;
    {
        stc_task_t *t = &e->task[k->task];
        uint32_t ms = stc_now(e) - k->started;
        t->pr.greet_ms = (uint16_t)(ms > 0xffffu ? 0xffffu : ms); /* probes read it */
    }
    stc_strlcpy(k->s->banner, k->u.reply.first, sizeof k->s->banner);
    if (k->u.reply.overlong)
        stc_add_addr_finding(a, STC_F_REPLY_TOO_LONG, code);
    if (k->u.reply.toolong)
        stc_add_addr_finding(a, STC_F_REPLY_TOO_LONG, k->u.reply.nlines);
    if (code == 220) {
        a->reach = STC_R_REACHED;
        stc_conn_queue(k, "EHLO", e->opt.ehlo, 1);
        set_phase(e, k, K_EHLO, STC_P_EHLO, e->opt.t_command);
        return STC_EAGAIN;
    }
    if (code >= 400 && code < 600)
        return rejected(e, k, code);
    return fail(e, k, STC_EPROTO, STC_F_SMTP_PROTOCOL, code);
}

/* on_ehlo - the first EHLO reply */
static int on_ehlo(stc_engine_t *e, stc_conn_t *k)
{
    stc_addr_result_t *a = &k->s->a;
    uint16_t code = k->u.reply.code;

    a->last_code = code;
    if (k->u.reply.overlong)
        stc_add_addr_finding(a, STC_F_REPLY_TOO_LONG, code);
    if (k->u.reply.toolong) /* read to its end: its keywords still count */
        stc_add_addr_finding(a, STC_F_REPLY_TOO_LONG, k->u.reply.nlines);
    if (code == 421 || code == 554)
        return rejected(e, k, code);
    stc_check_ran(a, STC_CHK_STARTTLS);
    if (code != 250) {
        stc_add_addr_finding(a, code >= 500 ? STC_F_NO_ESMTP : STC_F_SMTP_PROTOCOL, code);
        go_quit(e, k);
        return STC_EAGAIN;
    }
    a->ehlo = k->u.reply.ext;
    if (k->implicit_tls) { /* already inside TLS (port 465): nothing to start */
        a->ehlo_tls = k->u.reply.ext;
        go_quit(e, k);
        return STC_EAGAIN;
    }
    if (!(a->ehlo & STC_EXT_STARTTLS)) {
        stc_add_addr_finding(a, STC_F_NO_STARTTLS, 0);
        go_quit(e, k);
        return STC_EAGAIN;
    }
    stc_conn_queue(k, "STARTTLS", NULL, 0);
    set_phase(e, k, K_STARTTLS, STC_P_STARTTLS, e->opt.t_command);
    return STC_EAGAIN;
}

/* on_starttls - reply to STARTTLS */
static int on_starttls(stc_engine_t *e, stc_conn_t *k)
{
    stc_addr_result_t *a = &k->s->a;

    a->last_code = k->u.reply.code;
    if (k->u.reply.code != 220) {
        stc_add_addr_finding(a, STC_F_STARTTLS_REFUSED, k->u.reply.code);
        go_quit(e, k);
        return STC_EAGAIN;
    }
    /* RFC 3207 4.2 / CVE-2011-0411: nothing may follow "220" in plaintext;
     * whatever is already here would be taken as TLS data. Discard it. */
    if (k->rxlen > 0) {
        stc_add_addr_finding(a, STC_F_STARTTLS_INJECTION, k->rxlen);
        k->rxlen = 0;
    }
    return start_tls(e, k);
}

/* on_handshake - the handshake ended one way or another */
static int on_handshake(stc_engine_t *e, stc_conn_t *k, int rc, int32_t lower)
{
    k->s->a.lower_err = lower;
    if (rc == STC_OK)
        return tls_done(e, k);
    if (rc == STC_ENOMEM) {
        k->end = STC_END_NOMEM; /* the task retries or reports it */
        return fail(e, k, rc, 0, lower);
    }
    if (rc == STC_ETOOLONG)
        return fail(e, k, rc, STC_F_CHECKER_TLS_LIMIT, lower);
    return fail(e, k, rc, STC_F_TLS_HANDSHAKE, lower ? lower : rc);
}

/* step_once - one state's worth of work; STC_EAGAIN or STC_OK (done) */
static int step_once(stc_engine_t *e, stc_conn_t *k)
{
    const stc_port_t *p = e->port;
    stc_addr_result_t *a = &k->s->a;
    int rc;

    switch (k->state) {
    case K_CONNECT:
        rc = p->tcp_finish(p->user, k->sock);
        if (rc == STC_EAGAIN) {
            k->want = STC_WANT_WRITE;
            return STC_EAGAIN;
        }
        if (rc != STC_OK)
            return connect_failure(e, k, rc);
        stc_check_ran(a, STC_CHK_CONNECT);
        if (k->implicit_tls)
            return start_tls(e, k);
        stc_reply_reset(&k->u.reply, 0);
        set_phase(e, k, K_BANNER, STC_P_BANNER, e->opt.t_banner);
        return STC_EAGAIN;
    case K_TLS: {
        uint8_t want = STC_WANT_READ;
        int32_t lower = 0;
        rc = stc_tls_handshake(k, &want, &lower);
        if (rc == STC_EAGAIN) {
            k->want = want;
            return STC_EAGAIN;
        }
        return on_handshake(e, k, rc, lower);
    }
    case K_BANNER:
        rc = stc_conn_reply(e, k);
        if (rc == STC_OK)
            return on_banner(e, k);
        if (rc == STC_EAGAIN)
            return rc;
        return io_failure(e, k, rc, STC_F_BANNER_TIMEOUT);
    case K_EHLO:
        rc = command(e, k);
        if (rc == STC_OK)
            return on_ehlo(e, k);
        if (rc == STC_EAGAIN)
            return rc;
        return io_failure(e, k, rc, STC_F_COMMAND_TIMEOUT);
    case K_STARTTLS:
        rc = command(e, k);
        if (rc == STC_OK)
            return on_starttls(e, k);
        if (rc == STC_EAGAIN)
            return rc;
        return io_failure(e, k, rc, STC_F_COMMAND_TIMEOUT);
    case K_EHLO_TLS:
        rc = command(e, k);
        if (rc == STC_EAGAIN)
            return rc;
        /* wolfSSL_read/write ran out of arena: our failure, not the
         * server's (never "no EHLO after TLS") */
        if (rc == STC_ENOMEM)
            return fail(e, k, rc, STC_F_OUT_OF_MEMORY, 0);
        if (rc == STC_OK && k->u.reply.code == 250) {
            a->ehlo_tls = k->u.reply.ext;
            if (k->implicit_tls)
                a->ehlo = k->u.reply.ext;
            go_quit(e, k);
            return STC_EAGAIN;
        }
        stc_add_addr_finding(a, STC_F_TLS_NO_EHLO_AFTER, rc == STC_OK ? k->u.reply.code : rc);
        if (rc == STC_OK) {
            go_quit(e, k);
            return STC_EAGAIN;
        }
        a->phase = STC_P_DONE; /* the check itself is complete */
        return finish(e, k);
    case K_QUIT:
        rc = command(e, k);
        if (rc == STC_EAGAIN)
            return rc;
        a->phase = STC_P_DONE; /* any answer, or none, ends politely */
        return finish(e, k);
    default:
        return STC_OK;
    }
}

/* stc_conn_start - open a session for task t */
int stc_conn_start(stc_engine_t *e, stc_conn_t *k, stc_task_t *t)
{
    int rc;

    memset(&k->u.reply, 0, sizeof k->u.reply);
    k->s = &t->s;
    k->sni = t->sni;
    k->task = (uint8_t)(t - e->task);
    k->used = 1;
    k->ssl = NULL;
    k->judged = 0;
    k->chain = NULL;
    k->end = STC_END_DONE;
    k->port = e->port;
    k->warn_days = e->opt.warn_days;
    k->rxlen = k->txlen = k->txoff = 0;
    k->implicit_tls = t->implicit_tls;
    k->started = stc_now(e);
    k->sock = -1;
    k->capture = 0;
    k->pout = 0;
    k->sh_whole = 0;
    k->probe = t->pr.on ? t->pr.cur : 0;
    k->state = k->probe ? stc_probe_conn_state() : K_CONNECT;
    k->deadline = k->started + e->opt.t_connect;
    if (t->implicit_tls == STC_HTTPS) { /* an MTA-STS policy fetch: one deadline */
        memset(&t->s.sts, 0, sizeof t->s.sts); /* a retry starts afresh */
        k->state = stc_https_conn_state();
        k->deadline = k->started + e->opt.t_sts;
    }
    rc = e->port->tcp_connect(e->port->user, &t->ip, t->port, &k->sock);
    if (rc == STC_ENOMEM) {
        /* our socket table is full: the task waits for one */
        k->sock = -1;
        k->used = 0;
        k->state = K_FREE;
        return STC_ENOMEM;
    }
    if (!k->probe)
        t->s.a.phase = STC_P_CONNECT;
    t->s.a.sessions++;
    if (t->implicit_tls != STC_HTTPS)
        e->sessions++; /* SMTP sessions */
    if (rc == STC_EAGAIN || rc == STC_OK)
        stc_eng_socket_opened(e);
    if (rc == STC_EAGAIN) {
        k->want = STC_WANT_WRITE;
        return STC_EAGAIN;
    }
    if (rc != STC_OK) {
        k->sock = -1;
        if (t->implicit_tls == STC_HTTPS) {
            t->s.a.err = (int8_t)rc;
            t->s.a.reach = STC_R_UNREACHABLE;
            t->s.sts.end = STC_STS_E_CONNECT;
            k->state = K_DONE;
            return STC_OK;
        }
        if (k->probe) {
            k->pout = STC_PO_FAILED;
            k->state = K_DONE;
            return STC_OK;
        }
        connect_failure(e, k, rc);
        return STC_OK;
    }
    return stc_conn_step(e, k);
}

/* stc_conn_step - run the connection as far as it goes without blocking */
int stc_conn_step(stc_engine_t *e, stc_conn_t *k)
{
    int guard;

    if (k->probe)
        return stc_probe_conn_step(e, k);
    if (k->implicit_tls == STC_HTTPS)
        return stc_https_conn_step(e, k);
    for (guard = 0; guard < 32; guard++) {
        uint8_t before = k->state;
        int rc;
        if (k->state == K_DONE || k->state == K_FREE)
            return STC_OK;
        if (stc_time_reached(stc_now(e), k->deadline)) {
            /* the phase's whole budget is spent */
            stc_addr_result_t *a = &k->s->a;
            switch (k->state) {
            case K_CONNECT:
                return connect_failure(e, k, STC_ETIMEOUT);
            case K_TLS:
                return fail(e, k, STC_ETIMEOUT, STC_F_TLS_TIMEOUT, 0);
            case K_BANNER:
                if (k->u.reply.overlong) /* a line that never ends */
                    stc_add_addr_finding(a, STC_F_REPLY_TOO_LONG, 0);
                return fail(e, k, STC_ETIMEOUT, STC_F_BANNER_TIMEOUT, 0);
            case K_EHLO_TLS:
                stc_add_addr_finding(a, STC_F_TLS_NO_EHLO_AFTER, STC_ETIMEOUT);
                a->phase = STC_P_DONE;
                return finish(e, k);
            case K_QUIT:
                a->phase = STC_P_DONE;
                return finish(e, k);
            default:
                if (k->u.reply.toolong) /* a reply that never ends */
                    stc_add_addr_finding(a, STC_F_REPLY_TOO_LONG, k->u.reply.nlines);
                return fail(e, k, STC_ETIMEOUT, STC_F_COMMAND_TIMEOUT, 0);
            }
        }
        rc = step_once(e, k);
        if (k->state == K_DONE)
            return STC_OK;
        if (rc == STC_EAGAIN && k->state == before)
            return STC_EAGAIN;
    }
    return STC_EAGAIN;
}

/* stc_conn_end - how the finished session ended */
int stc_conn_end(const stc_conn_t *k)
{
    return k->end;
}

/* stc_conn_abort - drop a connection (its task is going away) */
void stc_conn_abort(stc_engine_t *e, stc_conn_t *k)
{
    close_all(e, k);
    k->state = K_FREE;
    k->used = 0;
}
