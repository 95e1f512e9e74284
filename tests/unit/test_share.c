/* test_share.c - one engine, many jobs, over the scripted fake port
 *
 * What the engine promises beyond one check: a job asking for work another
 * job already waits for joins it (one DNS question, one session task);
 * pools and the socket budget make work wait rather than fail; the
 * per-address cap holds over every job; a 421 we provoke by holding
 * another session is retried once with one session at a time and never
 * makes the address "rejected"; a resource the checker lacks is the
 * checker's error; a cancelled job leaves shared work to the others.
 */
#include "unit.h"
#include "fake/fake_port.h"
#include "engine.h"
#include "fake/recorded_hellos.h"

#include <stdio.h>
#include <string.h>

static uint8_t arena[4u << 20];
static stc_engine_t eng;
static stc_job_t jobs[64];
static unsigned done_count;

#define BANNER {NULL, "220 mx ESMTP fake\r\n", 0, FAKE_NONE, 0}
static const fake_step_t script_nostarttls[] = {
    BANNER,
    {"EHLO", "250-mx\r\n250 PIPELINING\r\n", 0, FAKE_NONE, 0},
};
/* slow: the EHLO answer takes 2 s, so sessions overlap */
static const fake_step_t script_slow[] = {
    BANNER,
    {"EHLO", "250-mx\r\n250 PIPELINING\r\n", 2000, FAKE_NONE, 0},
};
static const fake_step_t script_421[] = {
    {NULL, "421 4.7.0 mx Error: too many connections from 192.0.2.1\r\n", 0, FAKE_CLOSE, 0},
};
static const fake_step_t script_reset[] = {
    {NULL, NULL, 0, FAKE_RESET, 0},
};

/* on_done - count finished jobs */
static void on_done(void *ctx, stc_job_t *j)
{
    (void)ctx;
    (void)j;
    done_count++;
}

/* setup - engine with default options except ehlo and per-address cap */
static void setup(unsigned per_address, unsigned max_sockets)
{
    stc_options_t o;
    stc_options_default(&o);
    stc_strlcpy(o.ehlo, "checker.example.net", sizeof o.ehlo);
    o.per_address = (uint8_t)per_address;
    o.max_sockets = (uint16_t)max_sockets;
    CHECK_EQ(stc_engine_init(&eng, fake_port(), &o), STC_OK);
    stc_engine_on_done(&eng, on_done, NULL);
    done_count = 0;
    memset(jobs, 0, sizeof jobs);
}

/* finish - run to the end; no socket left open, no stray call */
static void finish(void)
{
    CHECK_EQ(stc_engine_run(&eng), STC_OK);
    stc_engine_free(&eng);
    CHECK_EQ(fake_open_sockets(), 0);
    CHECK_EQ(fake_stats()->bad_calls, 0);
    CHECK_EQ(fake_stats()->wait_limit_hit, 0);
}

/* peer - a peer at ip:25 */
static void peer(const char *ip, const fake_step_t *s, size_t n, unsigned max_conns,
                 const fake_step_t *over, size_t nover)
{
    fake_peer_t p;
    memset(&p, 0, sizeof p);
    p.kind = FAKE_ACCEPT;
    p.script = s;
    p.nsteps = n;
    p.max_conns = (uint8_t)max_conns;
    p.over_script = over;
    p.over_nsteps = nover;
    fake_tcp_peer(ip, 25, &p);
}

/* has - finding code on address a */
static int has(const stc_addr_result_t *a, unsigned code)
{
    unsigned i;
    for (i = 0; i < a->nfindings; i++)
        if (a->findings[i].code == code)
            return 1;
    return 0;
}

/* joined_work - 20 jobs for one domain: one MX question, one A, one
 * AAAA, one session; every job gets the full result */
static void joined_work(void)
{
    unsigned i;

    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("example.org", FAKE_MX, "10 mx.example.org");
    fake_dns_add("mx.example.org", FAKE_A, "192.0.2.25");
    peer("192.0.2.25", script_slow, FAKE_NSTEPS(script_slow), 0, NULL, 0);
    setup(2, 0);
    for (i = 0; i < 20; i++)
        CHECK_EQ(stc_job_domain(&eng, &jobs[i], "example.org", NULL, 0), STC_OK);
    finish();
    CHECK_EQ(done_count, 20);
    CHECK_EQ(fake_dns_count("example.org", FAKE_MX), 1);
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_A), 1);
    CHECK_EQ(fake_conn_index("192.0.2.25", 25, 1), -1); /* one session in all */
    CHECK_EQ(stc_engine_sessions(&eng), 1);
    for (i = 0; i < 20; i++) {
        const stc_domain_result_t *r = stc_job_result(&jobs[i]);
        CHECK(stc_job_done(&jobs[i]));
        CHECK_EQ(r->status, STC_D_NO_STARTTLS);
        CHECK_EQ(r->host[0].addr[0].reach, STC_R_REACHED);
        CHECK_STR(stc_result_text(r, r->host[0].addr[0].banner), "mx ESMTP fake");
        CHECK_EQ(r->sessions, 1);
    }
}

/* domains - n domains d<i>.example, each with its own MX mx<i>.example,
 * all on 192.0.2.25 (distinct names: distinct SNIs, so no joining) */
static void domains(unsigned n)
{
    char dom[32], mx[32], rec[48];
    unsigned i;
    for (i = 0; i < n; i++) {
        snprintf(dom, sizeof dom, "d%u.example", i);
        snprintf(mx, sizeof mx, "mx%u.example", i);
        snprintf(rec, sizeof rec, "10 %s", mx);
        fake_dns_add(dom, FAKE_MX, rec);
        fake_dns_add(mx, FAKE_A, "192.0.2.25");
    }
}

/* start_domains - jobs 0..n-1 check d<i>.example */
static void start_domains(unsigned n)
{
    char dom[32];
    unsigned i;
    for (i = 0; i < n; i++) {
        snprintf(dom, sizeof dom, "d%u.example", i);
        CHECK_EQ(stc_job_domain(&eng, &jobs[i], dom, NULL, 0), STC_OK);
    }
}

/* per_address_cap - 8 domains whose MX hosts share one address: never
 * more than per_address sessions to it at once, over all jobs */
static void per_address_cap(void)
{
    unsigned i, cap;

    for (cap = 1; cap <= 3; cap++) {
        fake_reset();
        fake_resolver("192.0.2.53");
        domains(8);
        peer("192.0.2.25", script_slow, FAKE_NSTEPS(script_slow), 0, NULL, 0);
        setup(cap, 0);
        start_domains(8);
        finish();
        CHECK_EQ(done_count, 8);
        /* 8 distinct SNIs: 8 sessions, at most `cap` at once */
        CHECK_EQ(stc_engine_sessions(&eng), 8);
        CHECK_EQ(fake_conn_max_concurrent("192.0.2.25", 25), cap);
        for (i = 0; i < 8; i++)
            CHECK_EQ(stc_job_result(&jobs[i])->status, STC_D_NO_STARTTLS);
    }
}

/* provoked_421 - a server that allows one session per client: with a cap
 * of 2 the second session gets 421 (or a reset); it is retried alone and
 * nothing reads "rejected" */
static void provoked_421(void)
{
    unsigned i, round;

    for (round = 0; round < 2; round++) {
        fake_reset();
        fake_resolver("192.0.2.53");
        domains(4);
        if (round == 0)
            peer("192.0.2.25", script_slow, FAKE_NSTEPS(script_slow), 1, script_421,
                 FAKE_NSTEPS(script_421));
        else
            peer("192.0.2.25", script_slow, FAKE_NSTEPS(script_slow), 1, script_reset,
                 FAKE_NSTEPS(script_reset));
        setup(2, 0);
        start_domains(4);
        finish();
        CHECK_EQ(done_count, 4);
        for (i = 0; i < 4; i++) {
            const stc_domain_result_t *r = stc_job_result(&jobs[i]);
            const stc_addr_result_t *a = &r->host[0].addr[0];
            CHECK_EQ(r->status, STC_D_NO_STARTTLS);
            CHECK_EQ(a->reach, STC_R_REACHED);
            CHECK(!has(a, STC_F_REJECTED));
            CHECK(!has(a, STC_F_CLOSED_EARLY));
        }
        /* exactly one session was refused, and the address then got one
         * session at a time: 4 good sessions + 1 refused */
        CHECK_EQ(stc_engine_sessions(&eng), 5);
        CHECK_EQ(fake_conn_max_concurrent("192.0.2.25", 25), 2);
        {
            unsigned over = 0;
            size_t k;
            for (k = 0; k < fake_conn_count(); k++)
                over += fake_conn(k)->over;
            CHECK_EQ(over, 1);
        }
    }

    /* a 421 to the first and only session is the server's answer */
    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("d0.example", FAKE_MX, "10 mx0.example");
    fake_dns_add("mx0.example", FAKE_A, "192.0.2.25");
    peer("192.0.2.25", script_421, FAKE_NSTEPS(script_421), 0, NULL, 0);
    setup(2, 0);
    CHECK_EQ(stc_job_domain(&eng, &jobs[0], "d0.example", NULL, 0), STC_OK);
    finish();
    CHECK_EQ(stc_job_result(&jobs[0])->status, STC_D_REJECTED);
    CHECK_EQ(stc_engine_sessions(&eng), 1);
}

/* backpressure - a socket table of 3 for 16 domains with 2 hosts each:
 * everything waits its turn, nothing is blamed on a domain */
static void backpressure(void)
{
    unsigned i;
    char dom[32], rec[48], mx[32];

    fake_reset();
    fake_resolver("192.0.2.53");
    for (i = 0; i < 16; i++) {
        snprintf(dom, sizeof dom, "d%u.example", i);
        snprintf(mx, sizeof mx, "mxa%u.example", i);
        snprintf(rec, sizeof rec, "10 %s", mx);
        fake_dns_add(dom, FAKE_MX, rec);
        fake_dns_add(mx, FAKE_A, "192.0.2.25");
        snprintf(mx, sizeof mx, "mxb%u.example", i);
        snprintf(rec, sizeof rec, "10 %s", mx);
        fake_dns_add(dom, FAKE_MX, rec);
        fake_dns_add(mx, FAKE_A, "192.0.2.26");
    }
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls), 0, NULL, 0);
    peer("192.0.2.26", script_nostarttls, FAKE_NSTEPS(script_nostarttls), 0, NULL, 0);
    fake_set_socket_limit(3);
    setup(2, 0);
    for (i = 0; i < 16; i++) {
        snprintf(dom, sizeof dom, "d%u.example", i);
        CHECK_EQ(stc_job_domain(&eng, &jobs[i], dom, NULL, 0), STC_OK);
    }
    finish();
    CHECK_EQ(done_count, 16);
    for (i = 0; i < 16; i++) {
        const stc_domain_result_t *r = stc_job_result(&jobs[i]);
        CHECK_EQ(r->status, STC_D_NO_STARTTLS);
        CHECK_EQ(r->nhosts, 2);
        CHECK_EQ(r->host[0].addr[0].reach, STC_R_REACHED);
        CHECK_EQ(r->host[1].addr[0].reach, STC_R_REACHED);
    }
    CHECK(fake_stats()->tcp_open_max + fake_stats()->udp_open_max <= 6);

    /* the same with the engine's own budget (max_sockets) instead */
    fake_set_socket_limit(0);
    setup(2, 2);
    for (i = 0; i < 16; i++) {
        snprintf(dom, sizeof dom, "d%u.example", i);
        CHECK_EQ(stc_job_domain(&eng, &jobs[i], dom, NULL, 0), STC_OK);
    }
    finish();
    CHECK_EQ(done_count, 16);
    for (i = 0; i < 16; i++)
        CHECK_EQ(stc_job_result(&jobs[i])->status, STC_D_NO_STARTTLS);
}

/* no_socket_at_all - when the port has no socket and nothing else is
 * open, waiting would never end: the checker's error, said as such */
static void no_socket_at_all(void)
{
    const stc_domain_result_t *r;

    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("example.org", FAKE_MX, "10 mx.example.org");
    fake_set_socket_limit(1);
    {
        /* hold the one socket the port has */
        int s = -1;
        CHECK_EQ(fake_port()->udp_open(fake_port()->user, 4, &s), STC_OK);
        setup(2, 0);
        CHECK_EQ(stc_job_domain(&eng, &jobs[0], "example.org", NULL, 0), STC_OK);
        CHECK_EQ(stc_engine_run(&eng), STC_OK);
        fake_port()->close(fake_port()->user, s);
    }
    r = stc_job_result(&jobs[0]);
    CHECK_EQ(r->status, STC_D_ERROR);
    CHECK_EQ(r->nfindings, 1);
    CHECK_EQ(r->findings[0].code, STC_F_CHECKER_NO_SOCKET);
    CHECK(stc_finding_info(r->findings[0].code)->ours);
    stc_engine_free(&eng);
    CHECK_EQ(fake_open_sockets(), 0);
}

/* one_slow_mx - example.org with one MX whose EHLO answer takes 2 s */
static void one_slow_mx(void)
{
    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("example.org", FAKE_MX, "10 mx.example.org");
    fake_dns_add("mx.example.org", FAKE_A, "192.0.2.25");
    peer("192.0.2.25", script_slow, FAKE_NSTEPS(script_slow), 0, NULL, 0);
    setup(2, 0);
}

/* until_connected - step the engine until a session is under way */
static void until_connected(void)
{
    unsigned guard;
    for (guard = 0; guard < 100 && fake_conn_count() == 0; guard++) {
        stc_pollfd_t fds[32];
        uint32_t t;
        size_t n;
        stc_engine_step(&eng);
        n = stc_engine_pollset(&eng, fds, 32, &t);
        fake_port()->wait(fake_port()->user, fds, n, t);
    }
    CHECK(fake_conn_count() > 0);
}

/* cancel - a cancelled job leaves; the job it shared work with still gets
 * everything; the cancelled one says so (error, not a verdict) */
static void cancel(void)
{
    const stc_domain_result_t *r;

    one_slow_mx();
    CHECK_EQ(stc_job_domain(&eng, &jobs[0], "example.org", NULL, 0), STC_OK);
    CHECK_EQ(stc_job_domain(&eng, &jobs[1], "example.org", NULL, 0), STC_OK);
    until_connected(); /* the session is under way: cancel job 0 */
    stc_job_cancel(&eng, &jobs[0]);
    CHECK(stc_job_done(&jobs[0]));
    r = stc_job_result(&jobs[0]);
    CHECK_EQ(r->status, STC_D_ERROR);
    CHECK_EQ(r->host[0].addr[0].reach, STC_R_UNCHECKED);
    finish();
    CHECK_EQ(done_count, 1); /* only job 1 is reported through the hook */
    r = stc_job_result(&jobs[1]);
    CHECK_EQ(r->status, STC_D_NO_STARTTLS);
    CHECK_EQ(stc_engine_sessions(&eng), 1);

    /* cancelling the only job stops its work: sockets closed at once */
    one_slow_mx();
    CHECK_EQ(stc_job_domain(&eng, &jobs[0], "example.org", NULL, 0), STC_OK);
    until_connected();
    stc_job_cancel(&eng, &jobs[0]);
    CHECK_EQ(fake_open_sockets(), 0);
    CHECK_EQ(stc_engine_step(&eng), STC_OK);
    stc_engine_free(&eng);
}

/* invalid_and_reuse - an invalid name is reported through the hook on the
 * next step (never from inside the call), and a job slot can be reused
 * from inside the hook */
static int reused;
static void reuse_hook(void *ctx, stc_job_t *j)
{
    (void)ctx;
    done_count++;
    if (!reused) {
        reused = 1;
        stc_job_domain(&eng, j, "example.org", NULL, 0);
    }
}

static void invalid_and_reuse(void)
{
    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("example.org", FAKE_MX, "10 mx.example.org");
    fake_dns_add("mx.example.org", FAKE_A, "192.0.2.25");
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls), 0, NULL, 0);
    setup(2, 0);
    stc_engine_on_done(&eng, reuse_hook, NULL);
    reused = 0;
    CHECK_EQ(stc_job_domain(&eng, &jobs[0], "bad..name", NULL, 0), STC_EINVAL);
    CHECK_EQ(done_count, 0);
    CHECK(stc_job_done(&jobs[0]));
    CHECK_EQ(stc_job_result(&jobs[0])->status, STC_D_ERROR);
    finish();
    CHECK_EQ(done_count, 2);
    CHECK_EQ(stc_job_result(&jobs[0])->status, STC_D_NO_STARTTLS);
    /* a name longer than DNS allows is cut for the report, and says so */
    {
        char longname[1100];
        memset(longname, 'a', sizeof longname - 1);
        longname[sizeof longname - 1] = '\0';
        setup(2, 0);
        CHECK_EQ(stc_job_domain(&eng, &jobs[0], longname, NULL, 0), STC_EINVAL);
        CHECK_EQ(stc_job_result(&jobs[0])->name_cut, 1);
        finish();
    }
}

/* A server that answers every ClientHello with a recorded SSLv3
 * ServerHello + ServerHelloDone: the main handshake cannot complete, the
 * probes (one session each) see SSL 3.0 and nothing newer. */
static fake_step_t script_sslv3[] = {
    BANNER,
    {"EHLO", "250-mx\r\n250 STARTTLS\r\n", 0, FAKE_NONE, 0},
    {"STARTTLS", "220 go ahead\r\n", 0, FAKE_NONE, 0},
    {"", (const char *)hello_sslv3, 0, FAKE_STALL, sizeof hello_sslv3},
};

/* probes_recorded - the probes run after the main session, each a session
 * of its own, and re-judge the main handshake's failure */
static void probes_recorded(void)
{
    const stc_addr_result_t *a;

    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("example.org", FAKE_MX, "10 mx.example.org");
    fake_dns_add("mx.example.org", FAKE_A, "192.0.2.25");
    peer("192.0.2.25", script_sslv3, FAKE_NSTEPS(script_sslv3), 0, NULL, 0);
    setup(2, 0);
    CHECK_EQ(stc_job_domain(&eng, &jobs[0], "example.org", NULL, 0), STC_OK);
    CHECK_EQ(stc_engine_run(&eng), STC_OK);
    a = &stc_job_result(&jobs[0])->host[0].addr[0];
    CHECK_EQ(a->reach, STC_R_REACHED);
    CHECK(a->probe.ran);
    CHECK(a->probe.versions & STC_PV_SSL3);
    CHECK_EQ(a->probe.versions & (STC_PV_TLS10 | STC_PV_TLS11 | STC_PV_TLS12 | STC_PV_TLS13), 0);
    CHECK(has(a, STC_F_TLS_SSLV3));
    CHECK(has(a, STC_F_CHECKER_HANDSHAKE_LIMIT));
    CHECK(!has(a, STC_F_TLS_HANDSHAKE));
    CHECK_EQ(a->sessions, 1 + a->probe.probes);
    CHECK(a->probe.probes >= 2);
    CHECK_EQ(fake_stats()->tcp_connects, a->sessions);
    CHECK_EQ(stc_job_result(&jobs[0])->status, STC_D_FAILURE);
    finish();
}

/* probes_421 - two tasks on one address (two SNI names) with a server
 * that takes one session per client: a 421 during probing is ours,
 * retried one at a time, and never makes the address "rejected" */
static void probes_421(void)
{
    unsigned i;

    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("example.org", FAKE_MX, "10 mx.example.org");
    fake_dns_add("example.net", FAKE_MX, "10 mx.example.net");
    fake_dns_add("mx.example.org", FAKE_A, "192.0.2.25");
    fake_dns_add("mx.example.net", FAKE_A, "192.0.2.25");
    peer("192.0.2.25", script_sslv3, FAKE_NSTEPS(script_sslv3), 1, script_421,
         FAKE_NSTEPS(script_421));
    setup(2, 0);
    CHECK_EQ(stc_job_domain(&eng, &jobs[0], "example.org", NULL, 0), STC_OK);
    CHECK_EQ(stc_job_domain(&eng, &jobs[1], "example.net", NULL, 0), STC_OK);
    CHECK_EQ(stc_engine_run(&eng), STC_OK);
    for (i = 0; i < 2; i++) {
        const stc_addr_result_t *a = &stc_job_result(&jobs[i])->host[0].addr[0];
        unsigned q;
        printf("  job %u: reach %u sessions %u:", i, a->reach, a->sessions);
        for (q = 0; q < a->nfindings; q++)
            printf(" %s/%d", stc_finding_info(a->findings[q].code)->name, (int)a->findings[q].detail);
        printf("\n");
        CHECK_EQ(a->reach, STC_R_REACHED);
        CHECK(!has(a, STC_F_REJECTED));
        CHECK(!has(a, STC_F_PROBES_CUT));
        CHECK(has(a, STC_F_TLS_SSLV3));
        CHECK(a->probe.versions_tested == 0x3f);
    }
    CHECK(has(&stc_job_result(&jobs[0])->host[0].addr[0], STC_F_PROVOKED_RETRY) ||
          has(&stc_job_result(&jobs[1])->host[0].addr[0], STC_F_PROVOKED_RETRY));
    finish();
}

/* dns_run - job j checks domain to the end on the engine as it is */
static void dns_run(unsigned j, const char *domain)
{
    CHECK_EQ(stc_job_domain(&eng, &jobs[j], domain, NULL, 0), STC_OK);
    CHECK_EQ(stc_engine_run(&eng), STC_OK);
}

/* dns_world - a.org, b.org and x.org with MX mx.example.org (A only: its
 * AAAA question is a NODATA answer, kept by its SOA for FAKE_NEG_TTL);
 * x.org's MX answer takes 3 s; c.org's MX question the resolver fails
 * (SERVFAIL). The engine keeps answers at most `age` s and asks at most
 * max_dns questions at once. */
static void dns_world(uint32_t age, unsigned max_dns)
{
    stc_options_t o;
    fake_dns_rule_t servfail, slow;

    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("a.org", FAKE_MX, "10 mx.example.org");
    fake_dns_add("b.org", FAKE_MX, "10 mx.example.org");
    fake_dns_add("x.org", FAKE_MX, "10 mx.example.org");
    fake_dns_add("mx.example.org", FAKE_A, "192.0.2.25");
    memset(&servfail, 0, sizeof servfail);
    servfail.rcode = 2;
    fake_dns_rule("c.org", FAKE_MX, &servfail);
    memset(&slow, 0, sizeof slow);
    slow.delay_ms = 3000;
    fake_dns_rule("x.org", FAKE_MX, &slow);
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls), 0, NULL, 0);
    stc_options_default(&o);
    stc_strlcpy(o.ehlo, "checker.example.net", sizeof o.ehlo);
    o.cache_age = age;
    o.max_dns = (uint8_t)max_dns;
    CHECK_EQ(stc_engine_init(&eng, fake_port(), &o), STC_OK);
    memset(jobs, 0, sizeof jobs);
}

/* cache_run - a.org, then (after it ended) b.org, both with MX
 * mx.example.org, on one engine whose caches keep results for age s */
static void cache_run(uint32_t age)
{
    dns_world(age, 0);
    dns_run(0, "a.org");
    CHECK_EQ(stc_job_domain(&eng, &jobs[1], "b.org", NULL, 0), STC_OK);
    finish();
}

/* session_cache - a finished session's facts serve a later job for the
 * same (address, port, name) within cache_age: no second session, the
 * same verdict, and the reuse said (cached, 0 sessions); age 0: none */
static void session_cache(void)
{
    const stc_addr_result_t *a0, *a1;

    cache_run(600);
    a0 = &stc_job_result(&jobs[0])->host[0].addr[0];
    a1 = &stc_job_result(&jobs[1])->host[0].addr[0];
    CHECK_EQ(fake_conn_index("192.0.2.25", 25, 0) >= 0, 1);
    CHECK_EQ(fake_conn_index("192.0.2.25", 25, 1), -1); /* one session in all */
    CHECK_EQ(stc_engine_sessions(&eng), 1);
    CHECK_EQ(eng.cache_hits, 1);
    CHECK_EQ(stc_job_result(&jobs[1])->status, STC_D_NO_STARTTLS);
    CHECK_EQ(stc_job_result(&jobs[1])->status, stc_job_result(&jobs[0])->status);
    CHECK_EQ(a0->cached, 0);
    CHECK_EQ(a0->sessions, 1);
    CHECK_EQ(a1->cached, 1);
    CHECK_EQ(a1->sessions, 0);
    CHECK_EQ(a1->reach, STC_R_REACHED);
    CHECK_EQ(a1->status[STC_CHK_STARTTLS], a0->status[STC_CHK_STARTTLS]);
    CHECK_EQ(stc_job_result(&jobs[1])->sessions, 0);

    cache_run(0);
    CHECK_EQ(fake_conn_index("192.0.2.25", 25, 1) >= 0, 1); /* a second session */
    CHECK_EQ(stc_engine_sessions(&eng), 2);
    CHECK_EQ(eng.cache_hits, 0);
    CHECK_EQ(stc_job_result(&jobs[1])->host[0].addr[0].cached, 0);
}

/* dns_cache - a finished answer serves later questions for its TTL
 * (records: 300 s; NODATA: the SOA's 60 s), at most cache_age; failures
 * are asked again; age 0 keeps nothing. Counts are the resolver's. */
static void dns_cache(void)
{
    uint32_t t0;

    dns_world(600, 0);
    t0 = fake_now();
    dns_run(0, "a.org");
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_A), 1);
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_AAAA), 1);
    CHECK_EQ(eng.dns_hits, 0);
    dns_run(1, "b.org"); /* the MX host's answers come from the cache */
    CHECK_EQ(fake_dns_count("b.org", FAKE_MX), 1);
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_A), 1);
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_AAAA), 1);
    CHECK_EQ(eng.dns_hits, 2);
    CHECK_EQ(stc_job_result(&jobs[1])->status, STC_D_NO_STARTTLS);
    CHECK_EQ(stc_job_result(&jobs[1])->host[0].naddr, 1);
    CHECK_EQ(stc_job_result(&jobs[1])->status, stc_job_result(&jobs[0])->status);
    dns_run(2, "a.org"); /* a repeated domain: its MX answer too */
    CHECK_EQ(fake_dns_count("a.org", FAKE_MX), 1);
    CHECK_EQ(stc_job_result(&jobs[2])->status, STC_D_NO_STARTTLS);

    /* past the negative TTL: AAAA asked again, A still kept */
    fake_set_time(t0 + (FAKE_NEG_TTL + 1) * 1000u, 0);
    dns_run(3, "b.org");
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_AAAA), 2);
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_A), 1);
    CHECK_EQ(fake_dns_count("b.org", FAKE_MX), 1);
    /* past the records' TTL: asked again */
    fake_set_time(t0 + 301000u, 0);
    dns_run(4, "b.org");
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_A), 2);
    CHECK_EQ(fake_dns_count("b.org", FAKE_MX), 2);

    /* a failure is not kept: the next job asks the resolver again */
    dns_run(5, "c.org");
    dns_run(6, "c.org");
    CHECK_EQ(fake_dns_count("c.org", FAKE_MX), 2);
    CHECK_EQ(stc_job_result(&jobs[6])->status, stc_job_result(&jobs[5])->status);
    finish();

    /* cache_age bounds a longer TTL */
    dns_world(30, 0);
    t0 = fake_now();
    dns_run(0, "a.org");
    dns_run(1, "b.org");
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_A), 1);
    fake_set_time(t0 + 31000u, 0);
    dns_run(2, "b.org");
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_A), 2);
    finish();

    /* age 0: nothing kept */
    dns_world(0, 0);
    dns_run(0, "a.org");
    dns_run(1, "b.org");
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_A), 2);
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_AAAA), 2);
    CHECK_EQ(eng.dns_hits, 0);
    finish();
}

/* dns_cap - max_dns bounds the questions in flight over every job; the
 * others wait for a slot and every job still ends with its answer */
static void dns_cap(void)
{
    stc_options_t o;
    fake_dns_rule_t slow;
    static const char *const names[] = {"d1.org", "d2.org", "d3.org", "d4.org", "d5.org"};
    unsigned i, k, most = 0;

    fake_reset();
    fake_resolver("192.0.2.53");
    memset(&slow, 0, sizeof slow);
    slow.delay_ms = 200;
    fake_dns_rule(NULL, 0, &slow);
    for (i = 0; i < 5; i++)
        fake_dns_add(names[i], FAKE_MX, "10 mx.example.org");
    fake_dns_add("mx.example.org", FAKE_A, "192.0.2.25");
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls), 0, NULL, 0);
    stc_options_default(&o);
    stc_strlcpy(o.ehlo, "checker.example.net", sizeof o.ehlo);
    o.max_dns = 2;
    CHECK_EQ(stc_engine_init(&eng, fake_port(), &o), STC_OK);
    memset(jobs, 0, sizeof jobs);
    for (i = 0; i < 5; i++)
        CHECK_EQ(stc_job_domain(&eng, &jobs[i], names[i], NULL, 0), STC_OK);
    for (k = 0; k < 200000; k++) {
        stc_pollfd_t fds[STC_MAX_DNS + STC_MAX_CONN];
        uint32_t t;
        size_t n, busy = 0;
        if (stc_engine_step(&eng) != STC_EAGAIN)
            break;
        for (i = 0; i < STC_MAX_DNS; i++)
            busy += eng.dns[i].state != 0;
        if (busy > most)
            most = (unsigned)busy;
        n = stc_engine_pollset(&eng, fds, sizeof fds / sizeof fds[0], &t);
        if (fake_port()->wait(fake_port()->user, fds, n, t) < 0)
            break;
    }
    CHECK_EQ(most, 2);
    for (i = 0; i < 5; i++)
        CHECK_EQ(stc_job_result(&jobs[i])->status, STC_D_NO_STARTTLS);
    finish();
}

/* txt_waits - a job whose hosts and sessions all come from the caches
 * still asks its policy TXT questions when a DNS slot frees up, rather
 * than ending without them (found by lab_domains.sh: --jobs 8 left
 * dead.plain.test's mta_sts and tls_rpt unset) */
static void txt_waits(void)
{
    uint32_t t0;

    dns_world(600, 1);
    t0 = fake_now();
    dns_run(0, "b.org");
    CHECK_EQ(stc_job_result(&jobs[0])->mta_sts.status, STC_NOT_APPLICABLE);
    /* the TXT answers (NXDOMAIN, kept 60 s) are gone; MX, A, AAAA (300 s)
     * and the session (600 s) are not; x.org holds the only DNS slot */
    fake_set_time(t0 + (FAKE_NEG_TTL + 1) * 1000u, 0);
    CHECK_EQ(stc_job_domain(&eng, &jobs[1], "x.org", NULL, 0), STC_OK);
    CHECK_EQ(stc_engine_step(&eng), STC_EAGAIN);
    CHECK_EQ(stc_job_domain(&eng, &jobs[2], "b.org", NULL, 0), STC_OK);
    CHECK_EQ(stc_engine_run(&eng), STC_OK);
    CHECK_EQ(fake_dns_count("_mta-sts.b.org", FAKE_TXT), 2);
    CHECK_EQ(fake_dns_count("_smtp._tls.b.org", FAKE_TXT), 2);
    CHECK_EQ(stc_job_result(&jobs[2])->host[0].addr[0].cached, 1);
    CHECK_EQ(stc_job_result(&jobs[2])->mta_sts.status, STC_NOT_APPLICABLE);
    CHECK_EQ(stc_job_result(&jobs[2])->tls_rpt.status, STC_NOT_APPLICABLE);
    CHECK_EQ(stc_job_result(&jobs[1])->mta_sts.status, STC_NOT_APPLICABLE);
    finish();
}

static unsigned chain_left;

/* chain_next - the done hook of a streaming bulk run: each job that ends
 * starts the next check on the same job, while the list lasts */
static void chain_next(void *ctx, stc_job_t *j)
{
    (void)ctx;
    done_count++;
    if (chain_left > 0) {
        chain_left--;
        CHECK_EQ(stc_job_domain(&eng, j, "a.org", NULL, 0), STC_OK);
    }
}

/* no_idle_wait - work that moves without any socket (answers from the
 * caches, checks started from the done hook) is not left for the next
 * socket event: the loop does not sleep while it can go on (a bulk run
 * of cached domains once waited the 60 s idle bound between steps) */
static void no_idle_wait(void)
{
    uint32_t t0;

    dns_world(600, 0);
    dns_run(0, "a.org"); /* everything a.org needs is now cached */
    done_count = 0;
    chain_left = 40;
    stc_engine_on_done(&eng, chain_next, NULL);
    t0 = fake_now();
    dns_run(1, "a.org");
    CHECK_EQ(done_count, 41);
    CHECK_EQ(eng.sessions, 1); /* the first check's only */
    CHECK(fake_now() - t0 < 1000u);
    CHECK_EQ(stc_job_result(&jobs[1])->status, STC_D_NO_STARTTLS);
    CHECK_EQ(stc_job_result(&jobs[1])->host[0].addr[0].cached, 1);
    finish();
}

/* one_off_world - the DNS world plus n domains d<i>.org, each with its own
 * MX host h<i>.example.org: every one brings answers and a session that no
 * other domain asks for again */
static void one_off_world(unsigned n)
{
    char dom[32], host[32], mx[48];
    unsigned i;

    dns_world(600, 0);
    for (i = 0; i < n; i++) {
        snprintf(dom, sizeof dom, "d%u.org", i);
        snprintf(host, sizeof host, "h%u.example.org", i);
        snprintf(mx, sizeof mx, "10 %s", host);
        fake_dns_add(dom, FAKE_MX, mx);
        fake_dns_add(host, FAKE_A, "192.0.2.25");
    }
}

/* dns_keeps_shared - answers asked for again outlive one-off answers: after
 * more one-off answers than the cache holds, the shared host's A answer is
 * still there (plain LRU pushed it out: a bulk scan's domains each bring
 * their own MX and TXT answers between two uses of a shared MX host) */
static void dns_keeps_shared(void)
{
    char dom[32];
    unsigned i, n = STC_CACHE_DNS / 2 + 8; /* each brings 5 one-off answers */

    one_off_world(n);
    dns_run(0, "a.org");
    dns_run(1, "b.org"); /* mx.example.org's answers are asked for again */
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_A), 1);
    for (i = 0; i < n; i++) {
        snprintf(dom, sizeof dom, "d%u.org", i);
        dns_run(2, dom);
        CHECK_EQ(stc_job_result(&jobs[2])->status, STC_D_NO_STARTTLS);
    }
    CHECK(eng.dns_queries >= STC_CACHE_DNS); /* the cache was full and turned over */
    dns_run(3, "a.org");
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_A), 1);
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_AAAA), 1);
    CHECK_EQ(fake_dns_count("a.org", FAKE_MX), 2); /* asked once before: one-off */
    CHECK_EQ(fake_dns_count("d0.org", FAKE_MX), 1);
    dns_run(4, "d0.org"); /* a one-off answer did give way */
    CHECK_EQ(fake_dns_count("d0.org", FAKE_MX), 2);
    finish();
}

/* sessions_keep_shared - the session cache's rule is the same: a session
 * a second domain used outlives more one-off sessions than the cache holds
 * (each d<i>.org has its own MX name, so its own (address, port, SNI)) */
static void sessions_keep_shared(void)
{
    char dom[32];
    unsigned i, n = STC_CACHE_SESSIONS + 8;
    uint32_t hits;

    one_off_world(n);
    dns_run(0, "a.org");
    dns_run(1, "b.org"); /* mx.example.org's session serves a second domain */
    CHECK_EQ(stc_engine_sessions(&eng), 1);
    CHECK_EQ(eng.cache_hits, 1);
    for (i = 0; i < n; i++) {
        snprintf(dom, sizeof dom, "d%u.org", i);
        dns_run(2, dom);
    }
    CHECK_EQ(stc_engine_sessions(&eng), 1 + n); /* every one-off host had its session */
    hits = eng.cache_hits;
    dns_run(3, "a.org");
    CHECK_EQ(stc_engine_sessions(&eng), 1 + n); /* still cached */
    CHECK_EQ(eng.cache_hits, hits + 1);
    CHECK_EQ(stc_job_result(&jobs[3])->host[0].addr[0].cached, 1);
    dns_run(4, "d0.org"); /* a one-off session did give way */
    CHECK_EQ(stc_engine_sessions(&eng), 2 + n);
    finish();
}

/* cache_rule - the shared order itself: one-off entries give way before
 * reused ones, then the one used longest ago, by a use count that does not
 * tie within a millisecond and may wrap */
static void cache_rule(void)
{
    stc_cache_use_t a, b;

    dns_world(600, 0);
    stc_cache_stored(&eng, &a);
    stc_cache_stored(&eng, &b); /* the same ms: b is still the younger */
    CHECK_EQ(stc_cache_rather(&a, &b), 1);
    CHECK_EQ(stc_cache_rather(&b, &a), 0);
    CHECK_EQ(stc_cache_rather(&b, NULL), 1);
    stc_cache_hit(&eng, &a); /* reused now */
    CHECK_EQ(stc_cache_rather(&b, &a), 1);
    CHECK_EQ(stc_cache_rather(&a, &b), 0);
    stc_cache_stored(&eng, &a); /* a new entry in a's place: one-off again */
    CHECK_EQ(a.reused, 0);
    CHECK_EQ(stc_cache_rather(&b, &a), 1);
    eng.cache_seq = 0xfffffffeu; /* the count wraps */
    stc_cache_stored(&eng, &a);
    stc_cache_stored(&eng, &b);
    CHECK_EQ(b.last, 0);
    CHECK_EQ(stc_cache_rather(&a, &b), 1);
    CHECK_EQ(stc_cache_rather(&b, &a), 0);
    finish();
}

int main(void)
{
    unit_name = "share";
    if (stc_init(arena, sizeof arena, fake_port()) != STC_OK) {
        printf("FAIL stc_init\n");
        return 1;
    }
    RUN(joined_work);
    RUN(per_address_cap);
    RUN(provoked_421);
    RUN(backpressure);
    RUN(no_socket_at_all);
    RUN(cancel);
    RUN(invalid_and_reuse);
    RUN(probes_recorded);
    RUN(probes_421);
    RUN(session_cache);
    RUN(dns_cache);
    RUN(dns_cap);
    RUN(txt_waits);
    RUN(no_idle_wait);
    RUN(dns_keeps_shared);
    RUN(sessions_keep_shared);
    RUN(cache_rule);
    stc_deinit();
    return unit_done();
}
