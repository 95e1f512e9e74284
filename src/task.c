/* task.c - a session task: the sessions to one (address, port, SNI)
 *
 * A task holds what its sessions learn (stc_session_t) until every job
 * waiting for it has a copy. It takes a connection slot only when one is
 * free within the engine's limits and the per-address cap (engine.c), and
 * starts a handshake only when the arena has room for one; otherwise it
 * waits (backpressure). Outcomes that are the checker's doing are retried
 * or reported as the checker's:
 * - a session refused as "busy" (421 or reset while we held another
 *   session to the address): the address drops to one session at a time
 *   (stc_eng_throttle), and after opt.t_retry the session runs once more;
 * - a handshake that ran out of arena while other handshakes were under
 *   way: run again when they are over; alone, it is out_of_memory;
 * - no socket from the port: wait while other sockets are open; with none
 *   open, checker_no_socket.
 * After the main session, the TLS probes (probe.c) run one session at a
 * time on the same task, within opt.max_sessions and opt.t_probe.
 */
#include "probe.h"

#include <string.h>

#define NOMEM_RETRIES 2 /* handshakes retried after sharing an arena */

/* stc_task_setup - a fresh task for (ip, port, sni) */
void stc_task_setup(stc_engine_t *e, stc_task_t *t, const stc_ip_t *ip, uint16_t port,
                    int implicit_tls, const char *sni)
{
    memset(t, 0, sizeof *t);
    t->state = STC_T_WAITING;
    t->ip = *ip;
    t->port = port;
    t->implicit_tls = (uint8_t)(implicit_tls == STC_HTTPS ? STC_HTTPS : implicit_tls ? 1 : 0);
    t->started = stc_now(e);
    t->not_before = t->started;
    stc_strlcpy(t->sni, sni ? sni : "", sizeof t->sni);
    t->s.a.ip = *ip;
    stc_addr_checks_reset(&t->s.a);
}

/* conns_busy - connection slots in use */
static unsigned conns_busy(const stc_engine_t *e)
{
    unsigned i, n = 0;
    for (i = 0; i < STC_MAX_CONN; i++)
        n += e->conn[i].used;
    return n;
}

/* arena_room - 1 when a handshake may start: the arena has opt.tls_reserve
 * bytes free, or nothing else runs that could free some */
static int arena_room(const stc_engine_t *e)
{
    stc_arena_stats_t st;
    stc_arena_stats(&st);
    if (st.size == 0 || st.in_use + e->opt.tls_reserve <= st.size)
        return 1;
    return conns_busy(e) == 0;
}

/* give_up - the checker cannot do this session: say so as its own */
static void give_up(stc_task_t *t, unsigned code, int32_t detail)
{
    t->s.a.reach = STC_R_UNCHECKED;
    stc_add_addr_finding(&t->s.a, code, detail);
    t->state = STC_T_DONE;
}

/* stc_task_step - start a session when the engine allows one */
int stc_task_step(stc_engine_t *e, stc_task_t *t)
{
    stc_conn_t *k;
    uint8_t others = 0;
    int rc;

    if (t->state != STC_T_WAITING)
        return 0;
    if (!stc_time_reached(stc_now(e), t->not_before))
        return 0;
    if (!t->pr.on && !arena_room(e)) /* probes hold no TLS session */
        return 0;
    k = stc_eng_conn_for(e, &t->ip, &others);
    if (k == NULL)
        return 0;
    k->others = others;
    if (t->pr.on)
        t->pr.used++;
    rc = stc_conn_start(e, k, t);
    if (rc == STC_ENOMEM) {
        /* the port's socket table is full: wait while others are open */
        if (e->sockets > 0)
            return 0;
        give_up(t, STC_F_CHECKER_NO_SOCKET, 0);
        return 1;
    }
    t->state = STC_T_RUNNING;
    if (rc == STC_OK)
        stc_task_conn_done(e, t, k);
    return 1;
}

/* next_probe - ask the planner for the next probe within the bounds, or
 * end the task */
static void next_probe(stc_engine_t *e, stc_task_t *t)
{
    unsigned kind = stc_probe_next(&t->pr, &t->s.a.probe);
    uint32_t now = stc_now(e);

    if (kind != STC_PK_NONE && t->pr.used >= t->pr.budget)
        t->pr.cut = STC_PCUT_SESSIONS;
    else if (kind != STC_PK_NONE && now - t->started >= e->opt.t_probe)
        t->pr.cut = STC_PCUT_TIME;
    if (kind == STC_PK_NONE || t->pr.cut) {
        stc_probe_finish(&t->pr, &t->s.a);
        t->pr.on = 0;
        t->state = STC_T_DONE;
        return;
    }
    t->pr.cur = (uint8_t)kind;
    t->not_before = now + e->opt.probe_pause;
    t->state = STC_T_WAITING;
}

/* probe_done - a probe session ended: its answer to the planner */
static void probe_done(stc_engine_t *e, stc_task_t *t, stc_conn_t *k)
{
    unsigned out = k->pout;

    stc_probe_answer(&t->pr, &t->s.a.probe, k->probe, out, &k->u.hello.ans);
    stc_conn_abort(e, k);
    if (out == STC_PO_BUSY) {
        /* a per-client limit we ran into: one at a time there from now */
        stc_eng_throttle(e, &t->ip);
        if (!t->pr.cut) { /* the planner allows the same question once more */
            stc_add_addr_finding(&t->s.a, STC_F_PROVOKED_RETRY, 421);
            t->pr.used--;
            t->not_before = stc_now(e) + e->opt.t_retry;
            t->state = STC_T_WAITING;
            return;
        }
    }
    next_probe(e, t);
}

/* stc_task_conn_done - a session of the task ended; free its slot */
void stc_task_conn_done(stc_engine_t *e, stc_task_t *t, stc_conn_t *k)
{
    int end;

    if (k->probe) {
        probe_done(e, t, k);
        return;
    }
    end = stc_conn_end(k);
    stc_conn_abort(e, k); /* closed already; frees the slot */
    switch (end) {
    case STC_END_BUSY:
        stc_eng_throttle(e, &t->ip);
        if (t->retries < 1) {
            t->retries++;
            stc_add_addr_finding(&t->s.a, STC_F_PROVOKED_RETRY, 421);
            t->not_before = stc_now(e) + e->opt.t_retry;
            t->state = STC_T_WAITING;
            return;
        }
        /* refused again, now alone there: that is the server's answer */
        t->s.a.reach = STC_R_REJECTED;
        stc_add_addr_finding(&t->s.a, STC_F_REJECTED, 421);
        t->state = STC_T_DONE;
        return;
    case STC_END_NOMEM:
        if (t->nomem < NOMEM_RETRIES && conns_busy(e) > 0) {
            t->nomem++;
            t->s.a.err = 0;
            t->state = STC_T_WAITING; /* arena_room() holds it back */
            return;
        }
        give_up(t, STC_F_OUT_OF_MEMORY, 0);
        return;
    default:
        if (t->implicit_tls == STC_HTTPS) { /* a policy fetch: no probes */
            t->state = STC_T_DONE;
            return;
        }
        if (stc_probe_begin(&t->pr, &t->s.a, &e->opt, stc_tls_offers_tls13())) {
            next_probe(e, t);
            return;
        }
        t->state = STC_T_DONE;
        return;
    }
}
