/* engine.c - one engine for many jobs: pools, waits, the step loop
 *
 * The engine owns three pools sized by concurrency (stc_opts.h): DNS query
 * slots, session tasks and connection slots. Jobs ask it for answers
 * (stc_eng_ask_dns, stc_eng_ask_session); a second job asking the same
 * question joins the slot or task already asking it: its wait node goes on
 * that slot's list of waiters, and when the answer is there every waiter
 * gets it (deliveries happen in stc_engine_step, never inside an ask).
 * When no slot is free the ask says "later" and the job asks again on a
 * later step; limits are checked here in one place: max_conn, the socket
 * budget (max_sockets) and the per-address session cap with its throttle.
 */
#include "engine.h"

#include <stddef.h>
#include <string.h>

#define ROUNDS 8 /* passes over everything per step while work moves */

/* stc_options_default - the defaults of stc_opts.h */
void stc_options_default(stc_options_t *o)
{
    memset(o, 0, sizeof *o);
    o->port = 25;
    o->max_conn = STC_MAX_CONN;
    o->per_address = STC_PER_ADDRESS;
    o->warn_days = STC_WARN_DAYS_DEFAULT;
    o->tls_reserve = STC_TLS_RESERVE;
    o->t_dns = STC_T_DNS_MS;
    o->t_connect = STC_T_CONNECT_MS;
    o->t_banner = STC_T_BANNER_MS;
    o->t_command = STC_T_COMMAND_MS;
    o->t_tls = STC_T_TLS_MS;
    o->t_retry = STC_T_RETRY_MS;
    o->probe = 1;
    o->max_sessions = STC_PROBE_SESSIONS;
    o->t_probe = STC_T_PROBE_MS;
    o->t_sts = STC_T_STS_MS;
    o->cache_age = STC_CACHE_AGE_S;
}

/* stc_engine_init - an engine over a port, every pool free */
int stc_engine_init(stc_engine_t *e, const stc_port_t *port, const stc_options_t *opt)
{
    size_t i;

    if (port == NULL || port->version != STC_PORT_VERSION)
        return STC_EINVAL;
    memset(e, 0, offsetof(stc_engine_t, task));
    e->port = port;
    if (opt)
        e->opt = *opt;
    else
        stc_options_default(&e->opt);
    if (e->opt.max_conn < 1 || e->opt.max_conn > STC_MAX_CONN)
        e->opt.max_conn = STC_MAX_CONN;
    if (e->opt.max_dns < 1 || e->opt.max_dns > STC_MAX_DNS)
        e->opt.max_dns = STC_MAX_DNS;
    if (e->opt.per_address < 1)
        e->opt.per_address = 1;
    if (e->opt.port == 0)
        e->opt.port = 25;
    if (e->opt.max_sessions < 1)
        e->opt.max_sessions = 1; /* the main session is always allowed */
    if (e->opt.ehlo[0] == '\0')
        stc_strlcpy(e->opt.ehlo, "localhost", sizeof e->opt.ehlo);
    e->opt.ehlo[STC_EHLO_MAX] = '\0';
    e->nres = (uint8_t)port->resolvers(port->user, e->res, STC_MAX_RESOLVERS);
    if (e->nres > STC_MAX_RESOLVERS)
        e->nres = STC_MAX_RESOLVERS;
    for (i = 0; i < STC_MAX_TASKS; i++)
        e->task[i].state = STC_T_FREE;
    for (i = 0; i < STC_MAX_DNS; i++) {
        e->dns[i].state = 0;
        e->dns[i].sock = -1;
        e->dns[i].waiters = NULL;
    }
    for (i = 0; i < STC_MAX_CONN; i++) {
        e->conn[i].used = 0;
        e->conn[i].state = 0;
        e->conn[i].sock = -1;
        e->conn[i].ssl = NULL;
    }
    return STC_OK;
}

/* stc_engine_on_done - the caller's hook for finished jobs */
void stc_engine_on_done(stc_engine_t *e, stc_done_fn fn, void *ctx)
{
    e->done = fn;
    e->done_ctx = ctx;
}

/* stc_engine_sessions - SMTP sessions opened so far */
uint32_t stc_engine_sessions(const stc_engine_t *e)
{
    return e->sessions;
}

/* ---- sockets and the per-address cap --------------------------------------- */

void stc_eng_socket_opened(stc_engine_t *e)
{
    e->sockets++;
}

void stc_eng_socket_closed(stc_engine_t *e)
{
    if (e->sockets > 0)
        e->sockets--;
}

int stc_eng_socket_room(const stc_engine_t *e)
{
    return e->opt.max_sockets == 0 || e->sockets < e->opt.max_sockets;
}

/* same_ip - equal addresses */
static int same_ip(const stc_ip_t *a, const stc_ip_t *b)
{
    return a->family == b->family && memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

/* stc_eng_sessions_to - open sessions to ip, every task */
unsigned stc_eng_sessions_to(const stc_engine_t *e, const stc_ip_t *ip)
{
    unsigned i, n = 0;
    for (i = 0; i < STC_MAX_CONN; i++)
        if (e->conn[i].used && same_ip(&e->task[e->conn[i].task].ip, ip))
            n++;
    return n;
}

/* throttled - 1 when ip answered a session we provoked */
static int throttled(const stc_engine_t *e, const stc_ip_t *ip)
{
    unsigned i;
    for (i = 0; i < STC_MAX_THROTTLE; i++)
        if (e->thr[i].ip.family && same_ip(&e->thr[i].ip, ip))
            return 1;
    return 0;
}

/* stc_eng_throttle - one session at a time to ip from now on (the least
 * recently throttled address makes room when the table is full) */
void stc_eng_throttle(stc_engine_t *e, const stc_ip_t *ip)
{
    unsigned i, old = 0;
    uint32_t now = stc_now(e);

    for (i = 0; i < STC_MAX_THROTTLE; i++) {
        if (e->thr[i].ip.family && same_ip(&e->thr[i].ip, ip)) {
            e->thr[i].until = now;
            return;
        }
        if (!e->thr[i].ip.family) {
            old = i;
            break;
        }
        if ((int32_t)(e->thr[i].until - e->thr[old].until) < 0)
            old = i;
    }
    e->thr[old].ip = *ip;
    e->thr[old].until = now;
}

/* stc_eng_conn_for - a free connection slot for a session to ip, or NULL */
stc_conn_t *stc_eng_conn_for(stc_engine_t *e, const stc_ip_t *ip, uint8_t *others)
{
    unsigned i, used = 0, to = 0, cap;
    stc_conn_t *free_slot = NULL;

    for (i = 0; i < STC_MAX_CONN; i++) {
        if (e->conn[i].used) {
            used++;
            if (same_ip(&e->task[e->conn[i].task].ip, ip))
                to++;
        } else if (!free_slot) {
            free_slot = &e->conn[i];
        }
    }
    cap = throttled(e, ip) ? 1u : e->opt.per_address;
    if (!free_slot || used >= e->opt.max_conn || to >= cap || !stc_eng_socket_room(e))
        return NULL;
    *others = (uint8_t)(to > 255 ? 255 : to);
    return free_slot;
}

/* ---- waits ------------------------------------------------------------------ */

/* push - put w on a list of waiters (appended: deliveries keep ask order) */
static void push(stc_wait_t **head, stc_wait_t *w, uint8_t pool, size_t slot)
{
    while (*head)
        head = &(*head)->next;
    w->next = NULL;
    *head = w;
    w->pool = pool;
    w->slot = (uint16_t)slot;
}

/* unlink - take w off a list; 1 when it was there */
static int unlink_wait(stc_wait_t **head, stc_wait_t *w)
{
    for (; *head; head = &(*head)->next)
        if (*head == w) {
            *head = w->next;
            w->next = NULL;
            return 1;
        }
    return 0;
}

/* in_flight - does the engine hold anything that will end by itself? */
static int in_flight(const stc_engine_t *e)
{
    unsigned i;
    for (i = 0; i < STC_MAX_DNS; i++)
        if (stc_dnsq_busy(&e->dns[i]))
            return 1;
    for (i = 0; i < STC_MAX_CONN; i++)
        if (e->conn[i].used)
            return 1;
    return e->sockets > 0;
}

/* ---- the DNS answer cache ----------------------------------------------------
 * A finished answer is kept (a copy of the message) for the least TTL of
 * its records, at most opt.cache_age: jobs asking the same question later
 * get it without a query. A hit is not delivered inside the ask (the
 * asking job has not recorded its wait yet): the wait goes on dns_ready
 * and step_pools delivers it; the entry counts its readers and is not
 * evicted before they have it. */

/* ANS_OF - answer a of a finished slot or a cache entry (both keep the
 * answer under the same field names) */
#define ANS_OF(a, src)                                                           \
    ((a).msg = (src)->msg, (a).qname = (src)->qname, (a).len = (src)->len,     \
     (a).id = (src)->id, (a).qtype = (src)->qtype, (a).rcode = (src)->rcode,   \
     (a).ad = (src)->ad, (a).ad_ignored = (src)->ad_ignored, (a).cd = (src)->cd, \
     (a).res_idx = (src)->res_idx)

#if STC_CACHE_DNS > 0
/* fresh - is cache entry c alive at now? */
static int fresh(const stc_dns_cache_ent_t *c, uint32_t now)
{
    return c->u.used && now - c->u.at < c->keep_ms;
}

/* dcache_find - the entry answering (qname, qtype, cd) now, or -1 */
static long dcache_find(stc_engine_t *e, const char *qname, uint16_t qtype, int cd)
{
    uint32_t now = stc_now(e);
    size_t i;
    for (i = 0; i < STC_CACHE_DNS; i++) {
        stc_dns_cache_ent_t *c = &e->dcache[i];
        if (fresh(c, now) && c->qtype == qtype && c->cd == (cd ? 1 : 0) &&
            stc_name_eq(c->qname, qname)) {
            stc_cache_hit(e, &c->u);
            return (long)i;
        }
    }
    return -1;
}

/* dcache_put - keep slot q's finished answer for its lifetime. Not kept:
 * failures (the next asker tries again), answers without a TTL to go by,
 * TTL 0, answers longer than an entry. A dead entry or the one for the
 * same question is taken, else the one cache_rule.c picks (in make bench
 * plain LRU kept 2% of the answers asked for again), never one whose
 * readers are still to be served. */
static void dcache_put(stc_engine_t *e, const stc_dnsq_t *q, int err)
{
    stc_dns_cache_ent_t *c = NULL;
    stc_dns_resp_t resp;
    uint32_t ttl, now = stc_now(e);
    size_t i;

    if (e->opt.cache_age == 0 || err != STC_OK || q->len > STC_DNS_CACHE_MSG ||
        stc_dns_parse_response(q->msg, q->len, q->id, q->qname, q->qtype, &resp) != STC_OK ||
        stc_dns_keep_ttl(&resp, &ttl) != 1 || ttl == 0)
        return;
    for (i = 0; i < STC_CACHE_DNS; i++) {
        stc_dns_cache_ent_t *k = &e->dcache[i];
        if (k->readers > 0)
            continue;
        if (!fresh(k, now) || (k->qtype == q->qtype && k->cd == q->cd &&
                               stc_name_eq(k->qname, q->qname))) {
            c = k;
            break;
        }
        if (c == NULL || stc_cache_rather(&k->u, &c->u))
            c = k;
    }
    if (c == NULL)
        return; /* every entry is about to be read */
    stc_cache_stored(e, &c->u);
    c->cd = q->cd;
    c->ad = q->ad;
    c->ad_ignored = q->ad_ignored;
    c->res_idx = q->res_idx;
    c->rcode = q->rcode;
    c->qtype = q->qtype;
    c->id = q->id;
    c->len = q->len;
    c->keep_ms = (ttl < e->opt.cache_age ? ttl : e->opt.cache_age) * 1000u;
    stc_strlcpy(c->qname, q->qname, sizeof c->qname);
    memcpy(c->msg, q->msg, q->len);
}

/* deliver_cached - the waits answered from the cache get their answers */
static int deliver_cached(stc_engine_t *e)
{
    stc_wait_t *w;
    int progress = 0;

    while ((w = e->dns_ready) != NULL) {
        stc_dns_cache_ent_t *c = &e->dcache[w->slot];
        stc_dns_ans_t a;
        e->dns_ready = w->next;
        w->next = NULL;
        w->pool = STC_POOL_NONE;
        c->readers--;
        ANS_OF(a, c);
        stc_job_dns_answer(e, w, &a, STC_OK);
        progress = 1;
    }
    return progress;
}
#else
#define dcache_put(e, q, err) ((void)0)
#define deliver_cached(e) 0
#endif

/* stc_eng_ask_dns - take from the cache, join or start the question (qname, qtype) */
int stc_eng_ask_dns(stc_engine_t *e, stc_wait_t *w, const char *qname, uint16_t qtype, int cd)
{
    stc_dnsq_t *q = NULL;
    size_t i, busy = 0;
    int rc;

#if STC_CACHE_DNS > 0
    long hit;
    if (e->opt.cache_age != 0 && (hit = dcache_find(e, qname, qtype, cd)) >= 0) {
        e->dns_hits++;
        e->dcache[hit].readers++;
        push(&e->dns_ready, w, STC_POOL_CACHE, (size_t)hit);
        return STC_EAGAIN;
    }
#endif
    for (i = 0; i < STC_MAX_DNS; i++) {
        stc_dnsq_t *d = &e->dns[i];
        if (stc_dnsq_busy(d) && d->qtype == qtype && d->cd == (cd ? 1 : 0) &&
            stc_name_eq(d->qname, qname)) {
            push(&d->waiters, w, STC_POOL_DNS, i);
            return STC_EAGAIN;
        }
        if (d->state != 0)
            busy++;
        else if (!q)
            q = d;
    }
    if (!q || busy >= e->opt.max_dns || !stc_eng_socket_room(e))
        return STC_ASK_LATER;
    rc = stc_dnsq_start(e, q, qname, qtype, cd);
    if (rc == STC_EAGAIN) {
        e->dns_queries++;
        push(&q->waiters, w, STC_POOL_DNS, (size_t)(q - e->dns));
        return STC_EAGAIN;
    }
    if (rc == STC_ENOMEM && in_flight(e))
        return STC_ASK_LATER; /* sockets will free up */
    return rc;
}

/* stc_eng_ask_session - join or start the task for (ip, port, sni) */
/* cache_find - a fresh cached result for (ip, port, mode, sni), or NULL */
static const stc_session_t *cache_find(stc_engine_t *e, const stc_ip_t *ip, uint16_t port,
                                       uint8_t mode, const char *sni)
{
#if STC_CACHE_SESSIONS > 0
    uint32_t now = stc_now(e);
    size_t i;
    if (e->opt.cache_age == 0)
        return NULL;
    for (i = 0; i < STC_CACHE_SESSIONS; i++) {
        const stc_cache_ent_t *c = &e->cache[i];
        if (c->u.used && c->port == port && c->implicit_tls == mode && same_ip(&c->ip, ip) &&
            stc_name_eq(c->sni, sni) && now - c->u.at < e->opt.cache_age * 1000u) {
            stc_cache_hit(e, &e->cache[i].u);
            return &c->s;
        }
    }
#else
    (void)e, (void)ip, (void)port, (void)mode, (void)sni;
#endif
    return NULL;
}

/* cache_put - keep a finished task's facts (a dead entry or the one for
 * the same session is taken, else the one cache_rule.c picks, so MX hosts
 * many domains share stay while one-off hosts pass).
 * Not kept: policy fetches (one domain's), and sessions the checker's own
 * limits cut short (a later check must try again, not inherit that). */
static void cache_put(stc_engine_t *e, const stc_task_t *t)
{
#if STC_CACHE_SESSIONS > 0
    stc_cache_ent_t *c = NULL;
    uint32_t now = stc_now(e);
    size_t i;
    if (e->opt.cache_age == 0 || t->implicit_tls == STC_HTTPS || t->s.a.reach == STC_R_UNCHECKED)
        return;
    for (i = 0; i < t->s.a.nfindings; i++)
        if (stc_finding_info(t->s.a.findings[i].code)->ours &&
            stc_finding_info(t->s.a.findings[i].code)->severity == STC_ERROR)
            return;
    for (i = 0; i < STC_CACHE_SESSIONS; i++) {
        stc_cache_ent_t *k = &e->cache[i];
        if (!k->u.used || now - k->u.at >= e->opt.cache_age * 1000u ||
            (k->port == t->port && k->implicit_tls == t->implicit_tls &&
             same_ip(&k->ip, &t->ip) && stc_name_eq(k->sni, t->sni))) {
            c = k;
            break;
        }
        if (stc_cache_rather(&k->u, c ? &c->u : NULL))
            c = k;
    }
    stc_cache_stored(e, &c->u);
    c->implicit_tls = t->implicit_tls;
    c->port = t->port;
    c->ip = t->ip;
    stc_strlcpy(c->sni, t->sni, sizeof c->sni);
    c->s = t->s;
#else
    (void)e, (void)t;
#endif
}

int stc_eng_ask_session(stc_engine_t *e, stc_wait_t *w, const stc_ip_t *ip, uint16_t port,
                        int implicit_tls, const char *sni)
{
    stc_task_t *t = NULL;
    const stc_session_t *hit;
    uint8_t mode = (uint8_t)(implicit_tls == STC_HTTPS ? STC_HTTPS : implicit_tls ? 1 : 0);
    size_t i;

    if ((hit = cache_find(e, ip, port, mode, sni)) != NULL) {
        e->cache_hits++;
        stc_job_session_answer(e, w, hit, 1);
        return STC_ASK_DONE;
    }

    for (i = 0; i < STC_MAX_TASKS; i++) {
        stc_task_t *k = &e->task[i];
        if ((k->state == STC_T_WAITING || k->state == STC_T_RUNNING) && k->port == port &&
            k->implicit_tls == mode && same_ip(&k->ip, ip) &&
            stc_name_eq(k->sni, sni)) {
            push(&k->waiters, w, STC_POOL_TASK, i);
            return STC_EAGAIN;
        }
        if (!t && k->state == STC_T_FREE)
            t = k;
    }
    if (!t)
        return STC_ASK_LATER;
    stc_task_setup(e, t, ip, port, implicit_tls, sni);
    push(&t->waiters, w, STC_POOL_TASK, (size_t)(t - e->task));
    return STC_EAGAIN;
}

/* abort_task - stop a task nobody waits for any more */
static void abort_task(stc_engine_t *e, stc_task_t *t)
{
    size_t i;
    for (i = 0; i < STC_MAX_CONN; i++)
        if (e->conn[i].used && &e->task[e->conn[i].task] == t)
            stc_conn_abort(e, &e->conn[i]);
    t->state = STC_T_FREE;
    t->waiters = NULL;
}

/* stc_eng_unwait - w leaves its list; work nobody waits for stops */
void stc_eng_unwait(stc_engine_t *e, stc_wait_t *w)
{
    if (w->pool == STC_POOL_DNS && w->slot < STC_MAX_DNS) {
        stc_dnsq_t *q = &e->dns[w->slot];
        if (unlink_wait(&q->waiters, w) && q->waiters == NULL)
            stc_dnsq_release(e, q);
    } else if (w->pool == STC_POOL_TASK && w->slot < STC_MAX_TASKS) {
        stc_task_t *t = &e->task[w->slot];
        if (unlink_wait(&t->waiters, w) && t->waiters == NULL)
            abort_task(e, t);
    }
#if STC_CACHE_DNS > 0
    else if (w->pool == STC_POOL_CACHE && w->slot < STC_CACHE_DNS) {
        if (unlink_wait(&e->dns_ready, w))
            e->dcache[w->slot].readers--;
    }
#endif
    w->pool = STC_POOL_NONE;
    w->next = NULL;
}

/* ---- jobs ---------------------------------------------------------------------- */

/* link_job - add j to the jobs in flight (at the end: first come, first served) */
void stc_eng_link_job(stc_engine_t *e, stc_job_t *j)
{
    stc_job_t **p = &e->jobs;
    while (*p && *p != j)
        p = &(*p)->next;
    if (*p == NULL) {
        j->next = NULL;
        *p = j;
    }
}

/* unlink_job - take j out of the jobs in flight */
void stc_eng_unlink_job(stc_engine_t *e, stc_job_t *j)
{
    stc_job_t **p;
    for (p = &e->jobs; *p; p = &(*p)->next)
        if (*p == j) {
            *p = j->next;
            break;
        }
    j->next = NULL;
}

/* end_job - j has its verdict: out of the list, tell the caller */
void stc_eng_end_job(stc_engine_t *e, stc_job_t *j, int notify)
{
    stc_eng_unlink_job(e, j);
    if (notify && e->done)
        e->done(e->done_ctx, j);
}

/* ---- the step loop ------------------------------------------------------------ */

/* deliver_dns - every waiter gets the answer (kept in the cache first),
 * then the slot is free */
static void deliver_dns(stc_engine_t *e, stc_dnsq_t *q, int err)
{
    stc_dns_ans_t a;
    stc_wait_t *w;

    dcache_put(e, q, err);
    ANS_OF(a, q);
    while ((w = q->waiters) != NULL) {
        q->waiters = w->next;
        w->next = NULL;
        w->pool = STC_POOL_NONE;
        stc_job_dns_answer(e, w, &a, err);
    }
    stc_dnsq_release(e, q);
}

/* deliver_task - every waiter gets a copy of the facts, then the task is free */
static void deliver_task(stc_engine_t *e, stc_task_t *t)
{
    stc_wait_t *w;
    while ((w = t->waiters) != NULL) {
        t->waiters = w->next;
        w->next = NULL;
        w->pool = STC_POOL_NONE;
        stc_job_session_answer(e, w, &t->s, 0);
    }
    cache_put(e, t);
    t->state = STC_T_FREE;
}

/* step_pools - advance DNS slots, connections and tasks once */
static int step_pools(stc_engine_t *e)
{
    int progress = deliver_cached(e);
    size_t i;

    for (i = 0; i < STC_MAX_DNS; i++) {
        stc_dnsq_t *q = &e->dns[i];
        int rc;
        if (!stc_dnsq_busy(q))
            continue;
        rc = stc_dnsq_step(e, q);
        if (rc == STC_EAGAIN)
            continue;
        progress = 1;
        deliver_dns(e, q, rc);
    }
    for (i = 0; i < STC_MAX_CONN; i++) {
        stc_conn_t *k = &e->conn[i];
        if (!k->used)
            continue;
        if (stc_conn_step(e, k) == STC_OK) {
            stc_task_conn_done(e, &e->task[k->task], k);
            progress = 1;
        }
    }
    for (i = 0; i < STC_MAX_TASKS; i++) {
        stc_task_t *t = &e->task[i];
        if (t->state == STC_T_WAITING)
            progress |= stc_task_step(e, t);
        if (t->state == STC_T_DONE) {
            deliver_task(e, t);
            progress = 1;
        }
    }
    return progress;
}

/* step_jobs - let every job ask for what it needs; end the idle ones */
static int step_jobs(stc_engine_t *e)
{
    stc_job_t *j = e->jobs, *next;
    int progress = 0;

    while (j) {
        next = j->next;
        progress |= stc_job_step(e, j);
        if (stc_job_idle(j)) {
            stc_job_finish(e, j);
            stc_eng_end_job(e, j, 1);
            progress = 1;
        }
        j = next;
    }
    return progress;
}

/* stc_engine_step - advance everything that can move */
int stc_engine_step(stc_engine_t *e)
{
    int round;

    e->more = 0;
    for (round = 0; round < ROUNDS; round++) {
        int progress = step_jobs(e);
        progress |= step_pools(e);
        if (!progress)
            break;
    }
    /* still moving after ROUNDS passes (answers from the caches, checks
     * started by the done hook): no socket event may be coming, so the
     * pollset must not let the caller sleep */
    if (round == ROUNDS)
        e->more = 1;
    return e->jobs ? STC_EAGAIN : STC_OK;
}

/* earlier - min of two deadlines (wrap-safe) */
static uint32_t earlier(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0 ? a : b;
}

/* stc_engine_pollset - sockets to wait on and the time to the next deadline */
size_t stc_engine_pollset(const stc_engine_t *e, stc_pollfd_t *fds, size_t max,
                          uint32_t *timeout_ms)
{
    uint32_t now = stc_now(e);
    uint32_t next = now + 60000u;
    size_t i, n = 0;

    for (i = 0; i < STC_MAX_DNS; i++) {
        const stc_dnsq_t *q = &e->dns[i];
        if (!stc_dnsq_busy(q))
            continue;
        if (n < max && q->sock >= 0) {
            fds[n].sock = q->sock;
            fds[n].events = q->want;
            fds[n].revents = 0;
            n++;
        }
        next = earlier(next, stc_dnsq_deadline(q));
    }
    for (i = 0; i < STC_MAX_CONN; i++) {
        const stc_conn_t *k = &e->conn[i];
        if (!k->used)
            continue;
        if (n < max && k->sock >= 0) {
            fds[n].sock = k->sock;
            fds[n].events = k->want ? k->want : STC_WANT_READ;
            fds[n].revents = 0;
            n++;
        }
        next = earlier(next, k->deadline);
    }
    /* a task held back for a retry wakes at its time; one waiting for a
     * slot wakes when a socket event frees one */
    for (i = 0; i < STC_MAX_TASKS; i++)
        if (e->task[i].state == STC_T_WAITING && !stc_time_reached(now, e->task[i].not_before))
            next = earlier(next, e->task[i].not_before);
    if (e->jobs == NULL || e->dns_ready != NULL || e->more)
        next = now;
    *timeout_ms = stc_time_left(now, next);
    return n;
}

/* stc_engine_run - the blocking convenience loop */
int stc_engine_run(stc_engine_t *e)
{
    stc_pollfd_t fds[STC_MAX_DNS + STC_MAX_CONN];

    for (;;) {
        uint32_t t;
        size_t n;
        int rc = stc_engine_step(e);
        if (rc != STC_EAGAIN)
            return rc;
        n = stc_engine_pollset(e, fds, sizeof fds / sizeof fds[0], &t);
        rc = e->port->wait(e->port->user, fds, n, t);
        if (rc < 0 && rc != STC_EAGAIN) {
            /* the port cannot wait: every job ends as our failure */
            while (e->jobs) {
                stc_job_t *j = e->jobs;
                stc_add_domain_finding(&j->result, STC_F_INTERNAL, rc);
                stc_job_cancel(e, j);
            }
            stc_engine_free(e);
            return rc;
        }
    }
}

/* stc_engine_free - cancel every job, close everything */
void stc_engine_free(stc_engine_t *e)
{
    size_t i;
    if (e->port == NULL)
        return;
    while (e->jobs)
        stc_job_cancel(e, e->jobs);
    for (i = 0; i < STC_MAX_CONN; i++)
        if (e->conn[i].used || e->conn[i].sock >= 0 || e->conn[i].ssl)
            stc_conn_abort(e, &e->conn[i]);
    for (i = 0; i < STC_MAX_DNS; i++)
        if (e->dns[i].state != 0)
            stc_dnsq_release(e, &e->dns[i]);
    for (i = 0; i < STC_MAX_TASKS; i++) {
        e->task[i].state = STC_T_FREE;
        e->task[i].waiters = NULL;
    }
    e->dns_ready = NULL;
}
