/* engine.h - the engine's own modules (not public)
 *
 * engine.c   pools, waits, the step loop, the per-address cap, delivery
 * job.c      one domain or relay: MX -> A/AAAA -> sessions -> verdict
 * task.c     a session task: the sessions to one (address, port, SNI)
 * smtp.c     one connection: connect, greeting, EHLO, STARTTLS, TLS, QUIT
 * dns_client.c  one DNS question in a slot (UDP, TCP on TC, retries)
 * verdict.c  host and domain status (pure function of the result)
 * result.c   findings lists, the text pool, the summary message
 *
 * Ownership: the engine owns the slots and tasks; a job owns its result
 * and its wait nodes. A wait node sits on exactly one DNS slot's or task's
 * list of waiters while the job waits; delivery takes it off the list
 * before calling the job, so a job never sees a slot after it was freed.
 */
#ifndef STC_ENGINE_H
#define STC_ENGINE_H

#include "stc_int.h"

/* stc_wait_t.pool */
enum { STC_POOL_NONE = 0, STC_POOL_DNS, STC_POOL_TASK, STC_POOL_CACHE };

/* A DNS answer as a job reads it, from a DNS slot or from the answer
 * cache: the message, the question it answers and what the engine knows
 * about it (AD believed or ignored, the resolver that gave it). */
typedef struct stc_dns_ans {
    const uint8_t *msg;
    const char *qname;
    uint16_t len, id, qtype;
    uint8_t rcode, ad, ad_ignored, cd, res_idx;
} stc_dns_ans_t;

/* stc_task_t.state */
enum { STC_T_FREE = 0, STC_T_WAITING, STC_T_RUNNING, STC_T_DONE };

/* Clock of the engine's port. */
static inline uint32_t stc_now(const stc_engine_t *e)
{
    return e->port->now_ms(e->port->user);
}

/* ---- engine.c: asking for work ------------------------------------------- */

/* An ask found no free slot (or socket) now: ask again on a later step. */
#define STC_ASK_LATER 1
/* An ask was answered at once (from the session cache): w never waited. */
#define STC_ASK_DONE 2

/* Ask for the answer to (qname, qtype) on behalf of wait node w (idle,
 * with job/kind/host/addr set). Takes a fresh answer from the DNS cache,
 * else joins a slot already asking the same question, else starts one.
 * STC_EAGAIN: w now waits (the answer comes through stc_job_dns_answer,
 * from the next step, a cached one too); STC_ASK_LATER: no slot or socket
 * free right now, or opt.max_dns questions already in flight (w stays
 * idle: ask again on a later step); STC_ENOMEM: no socket
 * although nothing else is open (the checker's limit); any other error:
 * the question cannot be asked from here (w stays idle). */
int stc_eng_ask_dns(stc_engine_t *e, stc_wait_t *w, const char *qname, uint16_t qtype, int cd);

/* Ask for the sessions to (ip, port, sni) on behalf of w; STC_EAGAIN or
 * STC_ASK_LATER as above, or STC_ASK_DONE when a fresh cached result was
 * delivered at once (stc_job_session_answer already ran). sni: the reference name (and SNI unless an IP
 * literal), "" for none. */
int stc_eng_ask_session(stc_engine_t *e, stc_wait_t *w, const stc_ip_t *ip, uint16_t port,
                        int implicit_tls, const char *sni);

/* The engine's list of jobs in flight; end_job unlinks j and, when notify,
 * calls the caller's done hook. */
void stc_eng_link_job(stc_engine_t *e, stc_job_t *j);
void stc_eng_unlink_job(stc_engine_t *e, stc_job_t *j);
void stc_eng_end_job(stc_engine_t *e, stc_job_t *j, int notify);

/* Take w off whatever list it waits on (cancellation). */
void stc_eng_unwait(stc_engine_t *e, stc_wait_t *w);

/* A free connection slot usable for a new session to ip now, honouring
 * max_conn, max_sockets, the per-address cap and any throttle; NULL when
 * none (the task waits). *others = sessions to ip already open. */
stc_conn_t *stc_eng_conn_for(stc_engine_t *e, const stc_ip_t *ip, uint8_t *others);

/* Sessions open to ip right now (every job). */
unsigned stc_eng_sessions_to(const stc_engine_t *e, const stc_ip_t *ip);

/* Remember that ip answered a session we provoked: one at a time there. */
void stc_eng_throttle(stc_engine_t *e, const stc_ip_t *ip);

/* Socket accounting for max_sockets: a socket was opened / closed. */
void stc_eng_socket_opened(stc_engine_t *e);
void stc_eng_socket_closed(stc_engine_t *e);
/* 1 when another socket may be opened now. */
int stc_eng_socket_room(const stc_engine_t *e);

/* ---- job.c, job_dane.c, job_txt.c: one domain's check ------------------------ */

/* stc_wait_t.kind of a job's wait nodes */
enum { STC_W_MX = 1, STC_W_A, STC_W_AAAA, STC_W_SESSION, STC_W_TLSA, STC_W_STS, STC_W_RPT,
       STC_W_STS_ADDR, STC_W_POLICY };

/* stc_task_t.implicit_tls of a task that fetches an MTA-STS policy over
 * HTTPS (port 443) rather than speaking SMTP */
#define STC_HTTPS 2

/* An idle wait node of j, or NULL when all are in use. */
stc_wait_t *stc_job_free_wait(stc_job_t *j);
/* DANE (job_dane.c): host hi's addresses are known: decide whether its
 * TLSA must be asked; ask the TLSA questions due; take an answer; judge
 * one address's session; the hosts' statuses and findings at the end. */
void stc_job_dane_start(stc_job_t *j, uint8_t hi);
int stc_job_ask_tlsa(stc_engine_t *e, stc_job_t *j);
void stc_job_tlsa_answer(stc_job_t *j, const stc_wait_t *w, const stc_dns_ans_t *q, int err);
void stc_job_dane_session(stc_job_t *j, uint8_t hi, stc_addr_result_t *a,
                          const stc_session_t *s);
void stc_job_dane_finish(stc_job_t *j);
/* The _mta-sts and _smtp._tls TXT records (job_txt.c). */
int stc_job_ask_txt(stc_engine_t *e, stc_job_t *j);
int stc_job_txt_pending(const stc_job_t *j);
void stc_job_txt_answer(stc_job_t *j, const stc_wait_t *w, const stc_dns_ans_t *q, int err);
/* The MTA-STS policy (job_sts.c): a valid _mta-sts record starts it; ask
 * the policy host's address, then the HTTPS fetch; take their answers;
 * judge the policy against the MX hosts at the end. */
void stc_job_sts_start(stc_job_t *j);
int stc_job_ask_sts(stc_engine_t *e, stc_job_t *j);
void stc_job_sts_addr(stc_job_t *j, const stc_wait_t *w, const stc_dns_ans_t *q, int err);
void stc_job_sts_answer(stc_job_t *j, const stc_session_t *s);
int stc_job_sts_pending(const stc_job_t *j);
void stc_job_sts_finish(stc_job_t *j);

/* ---- https.c: one MTA-STS policy fetch on a connection slot --------------- */

/* The state an HTTPS fetch starts in (stc_conn_start sets it). */
uint8_t stc_https_conn_state(void);
/* Advance; STC_EAGAIN while running, STC_OK when over (facts in k->s->sts). */
int stc_https_conn_step(stc_engine_t *e, stc_conn_t *k);

/* ---- dane.c: RFC 7672 from gathered facts ----------------------------------- */

/* Reduce one TLSA record to a key; 1 when usable for SMTP (k filled). */
int stc_dane_key(stc_tlsa_key_t *k, uint8_t usage, uint8_t selector, uint8_t mtype,
                 const uint8_t *data, size_t n);
/* The stc_dane_t of one session's chain (VALID, MISMATCH, NAME_MISMATCH,
 * EXPIRED); *usage = the usage that decided, 0 none. */
uint8_t stc_dane_match(const stc_tlsa_key_t *k, unsigned nk, const stc_chain_facts_t *c,
                       int name_ok, uint8_t *usage);
/* The worse of two per-address DANE statuses; the host finding of one. */
uint8_t stc_dane_worse(uint8_t a, uint8_t b);
unsigned stc_dane_finding(uint8_t d);

/* ---- dns_client.c ---------------------------------------------------------- */

/* Begin asking (qname, qtype) in the free slot q. STC_EAGAIN (running),
 * STC_ENOMEM (no socket now: the slot is left free), or another error
 * (the slot is left free). */
int stc_dnsq_start(stc_engine_t *e, stc_dnsq_t *q, const char *qname, uint16_t qtype, int cd);
/* Advance; STC_EAGAIN while running, else the query's outcome (STC_OK:
 * an answer is in q->msg[0..len) with q->rcode and q->ad). */
int stc_dnsq_step(stc_engine_t *e, stc_dnsq_t *q);
int stc_dnsq_busy(const stc_dnsq_t *q);
/* Close the slot's socket and free it. */
void stc_dnsq_release(stc_engine_t *e, stc_dnsq_t *q);
/* 1 when the AD bit of resolver ip is believed (loopback, or opt.trust_ad) */
int stc_dns_ad_trusted(const stc_engine_t *e, const stc_ip_t *ip);
uint32_t stc_dnsq_deadline(const stc_dnsq_t *q);

/* ---- smtp.c ------------------------------------------------------------- */

/* Open a session on slot k for task t (k->others set by the caller).
 * STC_EAGAIN while running; STC_OK when it already ended (e.g. refused);
 * STC_ENOMEM when the port had no socket (k is left free). */
int stc_conn_start(stc_engine_t *e, stc_conn_t *k, stc_task_t *t);
/* Advance; STC_EAGAIN while running, STC_OK when the session has ended. */
int stc_conn_step(stc_engine_t *e, stc_conn_t *k);
/* Drop a connection and whatever it holds. */
void stc_conn_abort(stc_engine_t *e, stc_conn_t *k);

/* How a session ended, for the task (set when stc_conn_step says STC_OK). */
enum {
    STC_END_DONE = 0,   /* the dialogue ran its course (whatever it found) */
    STC_END_BUSY,       /* 421 or reset early while other sessions were open */
    STC_END_NOMEM,      /* the arena ran out during the handshake */
    STC_END_NOSOCK      /* the port had no socket for it */
};
int stc_conn_end(const stc_conn_t *k);

/* Pieces of the dialogue probe_conn.c shares: queue one command line
 * (resets the reply reader), send the queued bytes (STC_OK when all are
 * out), read one whole reply, and close the connection as done. */
void stc_conn_queue(stc_conn_t *k, const char *verb, const char *arg, int ehlo);
int stc_conn_send(stc_engine_t *e, stc_conn_t *k);
int stc_conn_reply(stc_engine_t *e, stc_conn_t *k);
void stc_conn_close_done(stc_engine_t *e, stc_conn_t *k);

/* ---- task.c ----------------------------------------------------------------- */

/* Reset slot t for (ip, port, sni). */
void stc_task_setup(stc_engine_t *e, stc_task_t *t, const stc_ip_t *ip, uint16_t port,
                    int implicit_tls, const char *sni);
/* Start or advance the task's sessions; returns 1 when anything moved. */
int stc_task_step(stc_engine_t *e, stc_task_t *t);
/* A connection of the task ended. */
void stc_task_conn_done(stc_engine_t *e, stc_task_t *t, stc_conn_t *k);

/* ---- job.c -------------------------------------------------------------- */

/* Ask for whatever the job needs next; returns 1 when anything moved. */
int stc_job_step(stc_engine_t *e, stc_job_t *j);
/* 1 when every wait of the job is over and nothing is left to ask. */
int stc_job_idle(const stc_job_t *j);
/* Compute the verdict (once). */
void stc_job_finish(stc_engine_t *e, stc_job_t *j);
/* Deliveries: the wait w (already off the slot's list) is answered. */
void stc_job_dns_answer(stc_engine_t *e, stc_wait_t *w, const stc_dns_ans_t *q, int err);
void stc_job_session_answer(stc_engine_t *e, stc_wait_t *w, const stc_session_t *s, int cached);

/* ---- result.c ------------------------------------------------------------- */

void stc_add_domain_finding(stc_domain_result_t *r, unsigned code, int32_t detail);
void stc_add_host_finding(stc_host_result_t *h, unsigned code, int32_t detail);
void stc_add_addr_finding(stc_addr_result_t *a, unsigned code, int32_t detail);
/* Mark check id as run (status success unless a finding says otherwise). */
void stc_check_ran(stc_addr_result_t *a, unsigned id);
/* Set every check of a to "skipped". */
void stc_addr_checks_reset(stc_addr_result_t *a);
/* Store s (its first n bytes, sanitized) in r's text pool, once: an equal
 * string already there is reused. 0 when it does not fit (counted). */
stc_text_t stc_text_put(stc_domain_result_t *r, const char *s);

/* ---- verdict.c ---------------------------------------------------------- */

/* Hosts' reach/status, preferred group, domain status and message, from
 * the address results and findings. Pure function. */
void stc_verdict(stc_domain_result_t *r, const char *const *patterns, size_t npatterns);
/* Worst status of an address over the checks that ran and its own
 * findings; STC_SKIPPED when none ran. */
int stc_addr_status(const stc_addr_result_t *a);
/* The more severe of two check statuses (skipped and not_applicable rank
 * below success). */
int stc_status_worse(int a, int b);
/* 1 when some finding anywhere is the checker's own failure. */
int stc_result_has_internal_error(const stc_domain_result_t *r);

#endif
