/* probe.h - the TLS probes of one address: which hand-built ClientHello
 * to send next, what its answer says, and the findings at the end
 * (private to the core; issue 9)
 *
 * After the main session (a real wolfSSL handshake), a task asks the
 * questions the handshake cannot answer - every version and weak suite
 * class the server accepts, its choice from a full offer and from the
 * same offer reversed, its groups, DHE prime, renegotiation, compression,
 * fallback SCSV and EMS - one ClientHello per session (src/tls_hello.c),
 * reading the answer only as far as ServerHelloDone (src/tls_hello_rd.c).
 *
 * Economy: one offer answers several questions when the answer still
 * tells them apart (every weak class in one offer, narrowed only by what
 * the server picked; one hello capped at TLS 1.1 for SSL 3.0/TLS 1.0/1.1;
 * groups one HelloRetryRequest at a time; renegotiation, compression and
 * EMS read from answers already there), and a question an answer made
 * moot is not asked. A clean server costs 11 sessions with the main one.
 * Whatever a bound (sessions, time, a slow greeting) leaves unasked stays
 * "not tested" (its *_tested bit clear) and is reported so.
 *
 * The planner here is pure: state in, hello or facts out; smtp.c runs the
 * sessions and task.c drives the loop.
 */
#ifndef STC_PROBE_H
#define STC_PROBE_H

#include "engine.h"
#include "tls_hello.h"

/* Probe kinds (stc_probe_run_t.cur; bits of .done are 1 << (kind - 1)
 * for the one-shot ones). */
enum {
    STC_PK_NONE = 0,
    STC_PK_FWD,      /* TLS 1.2 cap: every non-weak suite, strongest first */
    STC_PK_REV,      /* the same offer (and groups) reversed */
    STC_PK_TLS13,    /* TLS 1.3 only, an x25519 share */
    STC_PK_SSL2,     /* SSLv2 CLIENT-HELLO */
    STC_PK_AEAD12,   /* TLS 1.2 cap: AEAD suites only */
    STC_PK_FALLBACK, /* highest legacy version + TLS_FALLBACK_SCSV */
    /* repeated, each narrowing the last */
    STC_PK_LEGACY,   /* cap at the highest legacy version still open */
    STC_PK_WEAK,     /* TLS 1.2 cap: the weak classes (and DHE) still open */
    STC_PK_GROUP,    /* groups still open: TLS 1.3 HRR, or TLS 1.2 ECDHE */
    STC_PK_COUNT
};

/* How a probe session ended (stc_conn_t.pout). */
enum {
    STC_PO_ANSWER = 0, /* the reader finished: an answer of some kind */
    STC_PO_CLOSED,     /* closed or reset after our hello, nothing usable */
    STC_PO_GARBLED,    /* bytes that are no answer to a ClientHello */
    STC_PO_LIMIT,      /* our reader's bound (the ServerHello may be whole) */
    STC_PO_TIMEOUT,    /* no answer to the hello in time: inconclusive */
    STC_PO_STALLED,    /* a ServerHello, then nothing within STC_T_FLIGHT_MS */
    STC_PO_NO_TLS,     /* this session offered or started no STARTTLS */
    STC_PO_BUSY,       /* a 421/reset we provoked (other sessions open) */
    STC_PO_REJECTED,   /* a 421/554 to us alone */
    STC_PO_FAILED,     /* connect, greeting or command failed */
    STC_PO_OURS        /* our side: no random bytes, a hello too big for tx */
};

/* Why probing stopped early (stc_probe_run_t.cut, finding detail). */
enum {
    STC_PCUT_NONE = 0,
    STC_PCUT_SESSIONS, /* max_sessions reached */
    STC_PCUT_TIME,     /* t_probe spent */
    STC_PCUT_REFUSED,  /* the server stopped talking to us */
    STC_PCUT_LIMIT,    /* our own limit (random source, buffer) */
    STC_PCUT_STALLED   /* the server stalled after its ServerHello twice */
};

/* Set up probing after the main session of task t (its result in
 * t->s.a). Returns 1 when probes are to run. */
int stc_probe_begin(stc_probe_run_t *r, stc_addr_result_t *a, const stc_options_t *o,
                    int main_offered_tls13);

/* The next probe, or STC_PK_NONE when nothing useful is left to ask
 * (bounds are the caller's: stc_probe_next ignores budget and time). */
unsigned stc_probe_next(const stc_probe_run_t *r, const stc_probe_facts_t *f);

/* Append the ClientHello of probe `kind` to w, recording in r what it
 * offers. rnd: 64 random bytes (client random, x25519 share). STC_OK or
 * the builder's error. */
int stc_probe_hello(stc_probe_run_t *r, const stc_probe_facts_t *f, unsigned kind,
                    const char *sni, const uint8_t rnd[64], stc_wbuf_t *w);

/* Fold the outcome of probe `kind` (ans valid with STC_PO_ANSWER, and
 * with STC_PO_LIMIT when its flags say the ServerHello was read) into
 * the facts. */
void stc_probe_answer(stc_probe_run_t *r, stc_probe_facts_t *f, unsigned kind, unsigned outcome,
                      const stc_hello_ans_t *ans);

/* Probing is over: the version and ciphers findings, the main
 * handshake's failure re-judged, the bounds reported. */
void stc_probe_finish(stc_probe_run_t *r, stc_addr_result_t *a);

/* 1 when a ServerHello with this version and suite is one our TLS library
 * (wolfSSL, as built) could not have completed: the main handshake's
 * failure is then the checker's limit, not the server's. */
int stc_probe_beyond_library(uint16_t version, uint16_t suite);

/* ---- probe_conn.c: one probe session on a connection slot ---- */

/* The state a probe session starts in (stc_conn_start sets it). */
uint8_t stc_probe_conn_state(void);
/* Advance; STC_EAGAIN while running, STC_OK when over (k->pout says how,
 * k->u.hello.ans what the server answered). */
int stc_probe_conn_step(stc_engine_t *e, stc_conn_t *k);

#endif /* STC_PROBE_H */
