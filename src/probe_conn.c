/* probe_conn.c - one probe session: connect, greeting, EHLO, STARTTLS (or
 * implicit TLS), one hand-built ClientHello, its answer, close
 *
 * A probe session never writes into the address result (except the
 * session count and a certificate judged from its Certificate message
 * when the main handshake could not get one): its outcome (STC_PO_*) and
 * the reader's answer go to the planner (probe.c) through the task. No
 * key exchange, no crypto: the connection is dropped after the answer.
 * Every phase has its own deadline, as in smtp.c.
 */
#include "probe.h"

#include <string.h>

enum { P_CONNECT = 32, P_BANNER, P_EHLO, P_STARTTLS, P_ANSWER };

/* pdone - the probe session is over with this outcome */
static int pdone(stc_engine_t *e, stc_conn_t *k, unsigned outcome)
{
    k->pout = (uint8_t)outcome;
    stc_conn_close_done(e, k);
    return STC_OK;
}

/* phase - enter a state with its own deadline */
static void phase(stc_engine_t *e, stc_conn_t *k, uint8_t state, uint32_t ms)
{
    k->state = state;
    k->deadline = stc_now(e) + ms;
}

/* others_open - another session of ours to this address is open */
static int others_open(const stc_engine_t *e, const stc_conn_t *k)
{
    /* the server decided when we connected: count the sessions open then
     * (they may have closed before its answer arrived), and those now */
    return k->others > 0 || stc_eng_sessions_to(e, &k->s->a.ip) > 1;
}

/* send_hello - build this probe's ClientHello into tx and start reading */
static int send_hello(stc_engine_t *e, stc_conn_t *k)
{
    stc_task_t *t = &e->task[k->task];
    uint8_t rnd[64];
    stc_wbuf_t w;

    if (e->port->random(e->port->user, rnd, sizeof rnd) != STC_OK)
        return pdone(e, k, STC_PO_OURS);
    stc_wbuf_init(&w, k->tx, sizeof k->tx);
    /* an IP literal as the reference name sends no SNI (the builder) */
    if (stc_probe_hello(&t->pr, &t->s.a.probe, k->probe, k->sni, rnd, &w) != STC_OK)
        return pdone(e, k, STC_PO_OURS); /* our buffer: never the server's */
    k->txlen = (uint16_t)w.off;
    k->txoff = 0;
    k->rxlen = 0;
    stc_hello_rd_init(&k->u.hello, t->pr.want_cert ? stc_tls_capture : NULL, k);
    phase(e, k, P_ANSWER, e->opt.t_tls);
    return STC_EAGAIN;
}

/* answered - the reader is done: judge a certificate if one is wanted */
static int answered(stc_engine_t *e, stc_conn_t *k, unsigned outcome)
{
    stc_task_t *t = &e->task[k->task];
    const stc_hello_ans_t *ans = &k->u.hello.ans;

    if (t->pr.want_cert && (ans->flags & STC_HA_CERT) && ans->ncerts > 0) {
        t->pr.want_cert = 0;
        if (stc_tls_capture_judge(e, k, ans->ncerts) == STC_ENOMEM)
            stc_add_addr_finding(&k->s->a, STC_F_OUT_OF_MEMORY, 0);
    }
    return pdone(e, k, outcome);
}

/* at_end - the server closed (or reset) while we waited for the answer */
static int at_end(stc_engine_t *e, stc_conn_t *k)
{
    int rc = stc_hello_rd_eof(&k->u.hello);
    if (rc == STC_OK)
        return answered(e, k, STC_PO_ANSWER);
    if (k->u.hello.ans.flags & STC_HA_SH_DONE)
        return answered(e, k, STC_PO_LIMIT); /* cut inside: the ServerHello is whole */
    return pdone(e, k, STC_PO_CLOSED);
}

/* read_answer - send the hello, then feed whatever arrives to the reader */
static int read_answer(stc_engine_t *e, stc_conn_t *k)
{
    int guard;

    if (k->txoff < k->txlen) {
        int rc = stc_conn_send(e, k);
        if (rc == STC_EAGAIN)
            return rc;
        if (rc != STC_OK)
            return pdone(e, k, STC_PO_CLOSED);
    }
    for (guard = 0; guard < 64; guard++) {
        size_t used = 0;
        int rc;
        long n = e->port->recv(e->port->user, k->sock, k->rx, sizeof k->rx);
        if (n == STC_EAGAIN) {
            k->want = STC_WANT_READ;
            return STC_EAGAIN;
        }
        if (n == 0 || n == STC_ERESET || n == STC_ECLOSED)
            return at_end(e, k);
        if (n < 0)
            return pdone(e, k, STC_PO_CLOSED);
        rc = stc_hello_rd_feed(&k->u.hello, k->rx, (size_t)n, &used);
        if (rc == STC_EAGAIN && !k->sh_whole && (k->u.hello.ans.flags & STC_HA_SH_DONE)) {
            /* the rest of the flight comes at once from a real server: a
             * short grace, so one that stalls here is not paid t_tls */
            uint32_t grace = stc_now(e) + STC_T_FLIGHT_MS;
            k->sh_whole = 1;
            if (stc_time_reached(k->deadline, grace))
                k->deadline = grace;
        }
        if (rc == STC_EAGAIN)
            continue;
        if (rc == STC_OK)
            return answered(e, k, STC_PO_ANSWER);
        if (rc == STC_ETOOLONG)
            return answered(e, k, STC_PO_LIMIT);
        return pdone(e, k, STC_PO_GARBLED);
    }
    k->want = STC_WANT_READ; /* a fast sender: let other connections run */
    return STC_EAGAIN;
}

/* refused - a 421/554 or a drop before STARTTLS */
static int refused(stc_engine_t *e, stc_conn_t *k)
{
    /* as in smtp.c: to a second session of ours it is our doing */
    return pdone(e, k, others_open(e, k) ? STC_PO_BUSY : STC_PO_REJECTED);
}

/* step - one state's work */
static int step(stc_engine_t *e, stc_conn_t *k)
{
    const stc_port_t *p = e->port;
    stc_task_t *t = &e->task[k->task];
    int rc;

    switch (k->state) {
    case P_CONNECT:
        rc = p->tcp_finish(p->user, k->sock);
        if (rc == STC_EAGAIN) {
            k->want = STC_WANT_WRITE;
            return rc;
        }
        if (rc != STC_OK)
            return pdone(e, k, STC_PO_FAILED);
        if (k->implicit_tls)
            return send_hello(e, k);
        stc_reply_reset(&k->u.reply, 0);
        phase(e, k, P_BANNER, e->opt.t_banner);
        return STC_EAGAIN;
    case P_BANNER:
        rc = stc_conn_reply(e, k);
        if (rc == STC_EAGAIN)
            return rc;
        if (rc != STC_OK)
            return others_open(e, k) ? pdone(e, k, STC_PO_BUSY) : pdone(e, k, STC_PO_FAILED);
        {
            uint32_t ms = stc_now(e) - k->started;
            if (ms > t->pr.greet_ms)
                t->pr.greet_ms = (uint16_t)(ms > 0xffffu ? 0xffffu : ms);
        }
        if (k->u.reply.code != 220)
            return refused(e, k);
        stc_conn_queue(k, "EHLO", e->opt.ehlo, 1);
        phase(e, k, P_EHLO, e->opt.t_command);
        return STC_EAGAIN;
    case P_EHLO:
    case P_STARTTLS:
        rc = stc_conn_send(e, k);
        if (rc == STC_OK)
            rc = stc_conn_reply(e, k);
        if (rc == STC_EAGAIN)
            return rc;
        if (rc != STC_OK)
            return others_open(e, k) && k->state == P_EHLO ? pdone(e, k, STC_PO_BUSY)
                                                            : pdone(e, k, STC_PO_FAILED);
        if (k->u.reply.code == 421 || k->u.reply.code == 554)
            return refused(e, k);
        if (k->state == P_EHLO) {
            if (k->u.reply.code != 250 || !(k->u.reply.ext & STC_EXT_STARTTLS))
                return pdone(e, k, STC_PO_NO_TLS);
            stc_conn_queue(k, "STARTTLS", NULL, 0);
            phase(e, k, P_STARTTLS, e->opt.t_command);
            return STC_EAGAIN;
        }
        if (k->u.reply.code != 220)
            return pdone(e, k, STC_PO_NO_TLS);
        k->rxlen = 0; /* plaintext after "220" is not an answer (smtp.c reports it) */
        return send_hello(e, k);
    case P_ANSWER:
        return read_answer(e, k);
    default:
        return STC_OK;
    }
}

/* stc_probe_conn_step - run the probe session as far as it goes */
int stc_probe_conn_step(stc_engine_t *e, stc_conn_t *k)
{
    int guard;

    for (guard = 0; guard < 16; guard++) {
        uint8_t before = k->state;
        int rc;
        if (k->state < P_CONNECT)
            return STC_OK; /* done (or free) */
        if (stc_time_reached(stc_now(e), k->deadline)) {
            if (k->state != P_ANSWER)
                return pdone(e, k, STC_PO_FAILED);
            return k->sh_whole ? answered(e, k, STC_PO_STALLED) : pdone(e, k, STC_PO_TIMEOUT);
        }
        rc = step(e, k);
        if (k->state < P_CONNECT)
            return STC_OK;
        if (rc == STC_EAGAIN && k->state == before)
            return STC_EAGAIN;
    }
    return STC_EAGAIN;
}

/* stc_probe_conn_state - the first state of a probe session */
uint8_t stc_probe_conn_state(void)
{
    return P_CONNECT;
}
