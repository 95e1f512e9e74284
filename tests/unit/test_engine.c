/* test_engine.c - the whole check engine over the scripted fake port
 *
 * DNS (MX, A/AAAA, CNAME, TC -> TCP, failures, spoofed answers), the SMTP
 * dialogue and its failure modes, concurrency, deadlines on a fake clock,
 * and that every socket is closed. TLS handshakes that complete are tested
 * against real servers (test_tls.c, tests/integration/); here the peer
 * answers the ClientHello with an alert.
 */
#include "unit.h"
#include "fake/fake_port.h"
#include "engine.h"

#include <string.h>

static stc_check_t chk;
static uint8_t arena[4u << 20];

#define BANNER(name) {NULL, "220 " name " ESMTP fake\r\n", 0, FAKE_NONE, 0}
#define EHLO_TLS {"EHLO", "250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n", 0, FAKE_NONE, 0}
#define TLS_ALERT {"", "\x15\x03\x03\x00\x02\x02\x28", 0, FAKE_CLOSE, 7}

static const fake_step_t script_tls_alert[] = {
    BANNER("mx.example.org"),
    EHLO_TLS,
    {"STARTTLS", "220 2.0.0 go ahead\r\n", 0, FAKE_NONE, 0},
    TLS_ALERT,
};
static const fake_step_t script_nostarttls[] = {
    BANNER("mx.example.org"),
    {"EHLO", "250-mx\r\n250 PIPELINING\r\n", 0, FAKE_NONE, 0},
};
static const fake_step_t script_421[] = {
    {NULL, "421 4.7.0 mx.example.org go away\r\n", 0, FAKE_NONE, 0},
};
static const fake_step_t script_inject[] = {
    BANNER("mx.example.org"),
    EHLO_TLS,
    {"STARTTLS", "220 2.0.0 go ahead\r\n250 injected\r\n", 0, FAKE_NONE, 0},
    TLS_ALERT,
};
static const fake_step_t script_slow_banner[] = {
    {NULL, "220 mx.example.org ESMTP a very slow tarpit greeting\r\n", 0, FAKE_NONE, 0},
};
static const fake_step_t script_ehlo_500[] = {
    BANNER("mx.example.org"),
    {"EHLO", "500 5.5.1 what\r\n", 0, FAKE_NONE, 0},
};
static const fake_step_t script_closed[] = {
    BANNER("mx.example.org"),
    {"EHLO", NULL, 0, FAKE_CLOSE, 0},
};

/* peer - register an accepting peer at ip:25 running script */
static void peer(const char *ip, const fake_step_t *s, size_t n)
{
    fake_peer_t p;
    memset(&p, 0, sizeof p);
    p.kind = FAKE_ACCEPT;
    p.script = s;
    p.nsteps = n;
    fake_tcp_peer(ip, 25, &p);
}

static int trust_ad; /* the next run()s believe every resolver's AD bit */

/* run - check domain on a fresh context; returns the result */
static const stc_domain_result_t *run(const char *domain)
{
    stc_options_t o;
    stc_options_default(&o);
    stc_strlcpy(o.ehlo, "checker.example.net", sizeof o.ehlo);
    o.trust_ad = (uint8_t)trust_ad;
    CHECK_EQ(stc_check_init(&chk, fake_port(), &o), STC_OK);
    stc_check_domain_start(&chk, domain, NULL, 0);
    CHECK_EQ(stc_check_run(&chk), STC_OK);
    stc_check_free(&chk);
    CHECK_EQ(fake_open_sockets(), 0);
    CHECK_EQ(fake_stats()->bad_calls, 0);
    CHECK_EQ(fake_stats()->wait_limit_hit, 0);
    return stc_check_result(&chk);
}

/* has - does address a carry finding code? */
static int has(const stc_addr_result_t *a, unsigned code)
{
    unsigned i;
    for (i = 0; i < a->nfindings; i++)
        if (a->findings[i].code == code)
            return 1;
    return 0;
}

/* dom_has - does the domain carry finding code? */
static int dom_has(const stc_domain_result_t *r, unsigned code)
{
    unsigned i;
    for (i = 0; i < r->nfindings; i++)
        if (r->findings[i].code == code)
            return 1;
    return 0;
}

/* base - a fresh fake with one resolver and example.org -> mx -> 192.0.2.25 */
static void base(void)
{
    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("example.org", FAKE_MX, "10 mx.example.org");
    fake_dns_add("mx.example.org", FAKE_A, "192.0.2.25");
}

static void tls_alert_after_starttls(void)
{
    const stc_domain_result_t *r;
    const stc_addr_result_t *a;
    int ci;

    base();
    peer("192.0.2.25", script_tls_alert, FAKE_NSTEPS(script_tls_alert));
    r = run("example.org");
    CHECK_EQ(r->nhosts, 1);
    CHECK_STR(r->host[0].name, "mx.example.org");
    CHECK_EQ(r->host[0].naddr, 1);
    a = &r->host[0].addr[0];
    CHECK_EQ(a->reach, STC_R_REACHED);
    CHECK(has(a, STC_F_TLS_HANDSHAKE));
    CHECK(!has(a, STC_F_NO_STARTTLS));
    CHECK_EQ(a->status[STC_CHK_CONNECT], STC_SUCCESS);
    CHECK_EQ(a->status[STC_CHK_STARTTLS], STC_FAILURE);
    CHECK_EQ(a->status[STC_CHK_CERT], STC_SKIPPED);
    CHECK(a->ehlo & STC_EXT_STARTTLS);
    CHECK(a->ehlo & STC_EXT_PIPELINING);
    CHECK_STR(stc_result_text(r, a->banner), "mx.example.org ESMTP fake");
    CHECK_EQ(r->status, STC_D_FAILURE);
    ci = fake_conn_index("192.0.2.25", 25, 0);
    CHECK(ci >= 0);
    CHECK(fake_conn_sent(ci, "EHLO checker.example.net\r\n"));
    CHECK(fake_conn_sent(ci, "STARTTLS\r\n"));
    CHECK_EQ(fake_conn(ci)->unexpected, 0);
    /* a ClientHello followed STARTTLS: a handshake record, TLS 1.x */
    {
        const fake_conn_t *fc = fake_conn(ci);
        const uint8_t *p = fc->sent;
        size_t n = fc->sent_len;
        const char *st = "STARTTLS\r\n";
        size_t i, sl = strlen(st);
        int found = 0;
        for (i = 0; i + sl + 3 <= n; i++)
            if (memcmp(p + i, st, sl) == 0) {
                found = p[i + sl] == 0x16 && p[i + sl + 1] == 0x03;
                break;
            }
        CHECK(found);
    }
    CHECK_EQ(r->mx_kind, STC_MX_RECORDS);
    CHECK(fake_dns_count("example.org", FAKE_MX) >= 1);
}

static void no_starttls(void)
{
    const stc_domain_result_t *r;
    int ci;
    base();
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls));
    r = run("example.org");
    CHECK(has(&r->host[0].addr[0], STC_F_NO_STARTTLS));
    CHECK_EQ(r->status, STC_D_NO_STARTTLS);
    ci = fake_conn_index("192.0.2.25", 25, 0);
    CHECK(fake_conn_sent(ci, "QUIT\r\n"));
    CHECK(!fake_conn_sent(ci, "STARTTLS"));
}

static void rejected_421(void)
{
    const stc_domain_result_t *r;
    base();
    peer("192.0.2.25", script_421, FAKE_NSTEPS(script_421));
    r = run("example.org");
    CHECK_EQ(r->host[0].addr[0].reach, STC_R_REJECTED);
    CHECK(has(&r->host[0].addr[0], STC_F_REJECTED));
    CHECK(!has(&r->host[0].addr[0], STC_F_NO_STARTTLS));
    CHECK_EQ(r->status, STC_D_REJECTED);
}

static void injection(void)
{
    const stc_domain_result_t *r;
    base();
    peer("192.0.2.25", script_inject, FAKE_NSTEPS(script_inject));
    r = run("example.org");
    CHECK(has(&r->host[0].addr[0], STC_F_STARTTLS_INJECTION));
}

static void ehlo_500_and_closed(void)
{
    const stc_domain_result_t *r;
    base();
    peer("192.0.2.25", script_ehlo_500, FAKE_NSTEPS(script_ehlo_500));
    r = run("example.org");
    CHECK(has(&r->host[0].addr[0], STC_F_NO_ESMTP));
    CHECK_EQ(r->status, STC_D_NO_STARTTLS);

    base();
    peer("192.0.2.25", script_closed, FAKE_NSTEPS(script_closed));
    r = run("example.org");
    CHECK(has(&r->host[0].addr[0], STC_F_CLOSED_EARLY));
}

static void deadlines(void)
{
    const stc_domain_result_t *r;
    fake_peer_t p;
    uint32_t t0;

    /* a tarpit dripping the banner: the whole greeting has 30 s */
    base();
    memset(&p, 0, sizeof p);
    p.kind = FAKE_ACCEPT;
    p.drip_ms = 1000;
    p.script = script_slow_banner;
    p.nsteps = FAKE_NSTEPS(script_slow_banner);
    fake_tcp_peer("192.0.2.25", 25, &p);
    t0 = fake_now();
    r = run("example.org");
    CHECK(has(&r->host[0].addr[0], STC_F_BANNER_TIMEOUT));
    CHECK_EQ(r->host[0].addr[0].reach, STC_R_UNREACHABLE);
    CHECK_EQ(r->status, STC_D_COULD_NOT_CONNECT);
    CHECK((uint32_t)(fake_now() - t0) <= STC_T_BANNER_MS + STC_T_DNS_MS + 1000);
    CHECK((uint32_t)(fake_now() - t0) >= STC_T_BANNER_MS);

    /* a black hole: connect gives up after its own budget */
    base();
    memset(&p, 0, sizeof p);
    p.kind = FAKE_BLACKHOLE;
    fake_tcp_peer("192.0.2.25", 25, &p);
    t0 = fake_now();
    r = run("example.org");
    CHECK(has(&r->host[0].addr[0], STC_F_CONNECT_TIMEOUT));
    CHECK((uint32_t)(fake_now() - t0) <= STC_T_CONNECT_MS + STC_T_DNS_MS + 1000);

    /* refused */
    base();
    fake_tcp_default(FAKE_REFUSE);
    r = run("example.org");
    CHECK(has(&r->host[0].addr[0], STC_F_CONNECT_REFUSED));
}

static void concurrency(void)
{
    static const char *const ips[] = {"192.0.2.31", "192.0.2.32", "192.0.2.33", "192.0.2.34"};
    const stc_domain_result_t *r;
    fake_peer_t p;
    uint32_t t0;
    unsigned i;
    char mx[64], host[32];

    fake_reset();
    fake_resolver("192.0.2.53");
    for (i = 0; i < 4; i++) {
        memcpy(host, "mxN.example.org", 16);
        host[2] = (char)('1' + i);
        memcpy(mx, "10 ", 3);
        memcpy(mx + 3, host, 16);
        fake_dns_add("four.example.org", FAKE_MX, mx);
        fake_dns_add(host, FAKE_A, ips[i]);
        memset(&p, 0, sizeof p);
        p.kind = FAKE_ACCEPT;
        p.connect_delay_ms = 2000; /* a slow path: what parallelism hides */
        p.script = script_nostarttls;
        p.nsteps = FAKE_NSTEPS(script_nostarttls);
        fake_tcp_peer(ips[i], 25, &p);
    }
    t0 = fake_now();
    r = run("four.example.org");
    CHECK_EQ(r->nhosts, 4);
    CHECK(fake_stats()->tcp_open_max >= 4);
    /* four hosts cost about one host's time, not four */
    CHECK((uint32_t)(fake_now() - t0) < 2 * 2000 + 500);
    for (i = 0; i < 4; i++)
        CHECK(has(&r->host[i].addr[0], STC_F_NO_STARTTLS));
}

static void dns_outcomes(void)
{
    const stc_domain_result_t *r;
    fake_dns_rule_t rule;

    /* null MX */
    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("nomail.example.org", FAKE_MX, "0 .");
    r = run("nomail.example.org");
    CHECK_EQ(r->status, STC_D_NO_MAIL);
    CHECK_EQ(r->mx_kind, STC_MX_NULL);
    CHECK_EQ(fake_conn_count(), 0);

    /* no MX: the implicit MX is the domain itself */
    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("implicit.example.org", FAKE_A, "192.0.2.25");
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls));
    r = run("implicit.example.org");
    CHECK_EQ(r->mx_kind, STC_MX_IMPLICIT);
    CHECK_EQ(r->nhosts, 1);
    CHECK_STR(r->host[0].name, "implicit.example.org");
    CHECK(dom_has(r, STC_F_IMPLICIT_MX));
    CHECK_EQ(r->status, STC_D_NO_STARTTLS);

    /* NXDOMAIN, SERVFAIL, no answer: three different errors */
    base();
    r = run("nx.example.org");
    CHECK_EQ(r->status, STC_D_ERROR);
    CHECK(dom_has(r, STC_F_DNS_NXDOMAIN));

    base();
    memset(&rule, 0, sizeof rule);
    rule.rcode = 2;
    fake_dns_rule("example.org", FAKE_MX, &rule);
    r = run("example.org");
    CHECK_EQ(r->status, STC_D_ERROR);
    CHECK(dom_has(r, STC_F_DNS_SERVFAIL));

    base();
    memset(&rule, 0, sizeof rule);
    rule.drop = 1;
    fake_dns_rule("example.org", FAKE_MX, &rule);
    r = run("example.org");
    CHECK_EQ(r->status, STC_D_ERROR);
    CHECK(dom_has(r, STC_F_DNS_TIMEOUT));
    CHECK(fake_dns_count("example.org", FAKE_MX) >= 2); /* it retried */

    /* MX host without addresses */
    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("example.org", FAKE_MX, "10 ghost.example.org");
    fake_dns_add("example.org", FAKE_A, "192.0.2.99");
    r = run("example.org");
    CHECK_EQ(r->host[0].nfindings, 1);
    CHECK_EQ(r->host[0].findings[0].code, STC_F_HOST_NO_ADDRESS);
    CHECK_EQ(r->status, STC_D_COULD_NOT_CONNECT);

    /* invalid input never reaches the network */
    fake_reset();
    fake_resolver("192.0.2.53");
    CHECK_EQ(stc_check_init(&chk, fake_port(), NULL), STC_OK);
    CHECK_EQ(stc_check_domain_start(&chk, "bad..name", NULL, 0), STC_EINVAL);
    CHECK_EQ(stc_check_run(&chk), STC_OK);
    CHECK_EQ(stc_check_result(&chk)->status, STC_D_ERROR);
    CHECK_EQ(fake_stats()->udp_queries, 0);
}

static void dns_transport(void)
{
    const stc_domain_result_t *r;
    fake_dns_rule_t rule;

    /* TC: the answer comes again over TCP */
    base();
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls));
    memset(&rule, 0, sizeof rule);
    rule.tc = 1;
    fake_dns_rule("example.org", FAKE_MX, &rule);
    r = run("example.org");
    CHECK_EQ(r->nhosts, 1);
    CHECK(fake_stats()->tcp_queries >= 1);
    CHECK_EQ(r->status, STC_D_NO_STARTTLS);

    /* spoofed copies (wrong ID, wrong source port) are ignored */
    base();
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls));
    memset(&rule, 0, sizeof rule);
    rule.wrong_id = 1;
    rule.other_port = 1;
    fake_dns_add("evil.example.org", FAKE_A, "192.0.2.66");
    fake_dns_rule(NULL, 0, &rule);
    r = run("example.org");
    CHECK_EQ(r->nhosts, 1);
    CHECK_EQ(r->host[0].naddr, 1);
    CHECK_EQ(r->status, STC_D_NO_STARTTLS);

    /* first resolver mute: the second answers */
    base();
    fake_resolver("192.0.2.54");
    fake_resolver_mute("192.0.2.53", 1);
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls));
    r = run("example.org");
    CHECK_EQ(r->status, STC_D_NO_STARTTLS);

    /* the AD bit of the MX answer is recorded (the resolver declared trusted) */
    trust_ad = 1;
    base();
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls));
    memset(&rule, 0, sizeof rule);
    rule.ad = 1;
    fake_dns_rule("example.org", FAKE_MX, &rule);
    r = run("example.org");
    CHECK_EQ(r->mx_secure, 1);
    CHECK_EQ(r->ad_trusted, 1);
    CHECK_EQ(r->host[0].dnssec, 0); /* its A/AAAA answers had no AD */
    CHECK(!dom_has(r, STC_F_AD_UNTRUSTED));

    /* every answer validated: the host's addresses are secure */
    base();
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls));
    fake_dns_rule(NULL, 0, &rule);
    r = run("example.org");
    CHECK_EQ(r->mx_secure, 1);
    CHECK_EQ(r->host[0].dnssec, 1);
    trust_ad = 0;

    /* the same answers from a resolver that is not on loopback, not
     * declared trusted: the AD bit is not believed, and the checker says so */
    base();
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls));
    fake_dns_rule(NULL, 0, &rule);
    r = run("example.org");
    CHECK_EQ(r->mx_secure, 0);
    CHECK_EQ(r->host[0].dnssec, 0);
    CHECK_EQ(r->ad_trusted, 0);
    CHECK_EQ(r->resolver.family, 4);
    CHECK(dom_has(r, STC_F_AD_UNTRUSTED));
    CHECK_EQ(r->status, STC_D_NO_STARTTLS); /* a note of ours: the verdict stays */

    /* a resolver on loopback is believed without being declared */
    fake_reset();
    fake_resolver("127.0.0.53");
    fake_dns_add("example.org", FAKE_MX, "10 mx.example.org");
    fake_dns_add("mx.example.org", FAKE_A, "192.0.2.25");
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls));
    fake_dns_rule(NULL, 0, &rule);
    r = run("example.org");
    CHECK_EQ(r->mx_secure, 1);
    CHECK_EQ(r->host[0].dnssec, 1);
    CHECK_EQ(r->ad_trusted, 1);
    CHECK(!dom_has(r, STC_F_AD_UNTRUSTED));
}

static void cname_and_families(void)
{
    const stc_domain_result_t *r;

    /* the MX names an alias */
    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("example.org", FAKE_MX, "10 alias.example.org");
    fake_dns_add("alias.example.org", FAKE_CNAME, "mx.example.org");
    fake_dns_add("mx.example.org", FAKE_A, "192.0.2.25");
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls));
    r = run("example.org");
    CHECK_STR(stc_result_text(r, r->host[0].cname), "mx.example.org");
    CHECK_EQ(r->host[0].naddr, 1);
    CHECK_EQ(r->host[0].findings[0].code, STC_F_MX_IS_CNAME);

    /* dual stack on a host without IPv6: v6 untested, v4 decides */
    base();
    fake_dns_add("mx.example.org", FAKE_AAAA, "2001:db8::25");
    fake_set_ipv6(0);
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls));
    r = run("example.org");
    CHECK_EQ(r->host[0].naddr, 2);
    CHECK_EQ(r->host[0].addr[0].ip.family, 4); /* IPv4 listed first */
    CHECK_EQ(r->host[0].addr[1].reach, STC_R_UNTESTED);
    CHECK(has(&r->host[0].addr[1], STC_F_FAMILY_UNTESTED));
    CHECK_EQ(r->status, STC_D_NO_STARTTLS);

    /* dual stack, IPv6 refused: a warning on the host */
    base();
    fake_dns_add("mx.example.org", FAKE_AAAA, "2001:db8::25");
    peer("192.0.2.25", script_nostarttls, FAKE_NSTEPS(script_nostarttls));
    r = run("example.org");
    CHECK(has(&r->host[0].addr[1], STC_F_CONNECT_REFUSED));
    CHECK_EQ(r->host[0].findings[0].code, STC_F_SOME_ADDRS_FAIL);
}

static void mx_order(void)
{
    const stc_domain_result_t *r;
    /* by preference, then by name, whatever order the resolver gives */
    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("example.org", FAKE_MX, "10 mxb.example.org");
    fake_dns_add("example.org", FAKE_MX, "10 mxa.example.org");
    fake_dns_add("example.org", FAKE_MX, "5 mxz.example.org");
    fake_dns_add("example.org", FAKE_MX, "20 mxa.example.org"); /* same host again */
    r = run("example.org");
    CHECK_EQ(r->nhosts, 3);
    CHECK_EQ(r->mx_total, 4);
    CHECK_STR(r->host[0].name, "mxz.example.org");
    CHECK_STR(r->host[1].name, "mxa.example.org");
    CHECK_STR(r->host[2].name, "mxb.example.org");
    CHECK_EQ(r->host[1].pref, 10);

    /* a host listed twice counts with its better preference, whatever the order */
    fake_reset();
    fake_resolver("192.0.2.53");
    fake_dns_add("example.org", FAKE_MX, "20 mxa.example.org");
    fake_dns_add("example.org", FAKE_MX, "15 mxb.example.org");
    fake_dns_add("example.org", FAKE_MX, "10 mxa.example.org");
    r = run("example.org");
    CHECK_EQ(r->nhosts, 2);
    CHECK_STR(r->host[0].name, "mxa.example.org");
    CHECK_EQ(r->host[0].pref, 10);
    CHECK_STR(r->host[1].name, "mxb.example.org");
}

static void one_byte_at_a_time(void)
{
    const stc_domain_result_t *r;
    fake_peer_t p;
    base();
    memset(&p, 0, sizeof p);
    p.kind = FAKE_ACCEPT;
    p.one_byte = 1;
    p.tx_chunk = 1;
    p.script = script_tls_alert;
    p.nsteps = FAKE_NSTEPS(script_tls_alert);
    fake_tcp_peer("192.0.2.25", 25, &p);
    r = run("example.org");
    CHECK(has(&r->host[0].addr[0], STC_F_TLS_HANDSHAKE));
    CHECK(r->host[0].addr[0].ehlo & STC_EXT_STARTTLS);
}

static void relay(void)
{
    const stc_domain_result_t *r;
    fake_peer_t p;

    fake_reset();
    fake_resolver("192.0.2.53");
    memset(&p, 0, sizeof p);
    p.kind = FAKE_ACCEPT;
    p.script = script_nostarttls;
    p.nsteps = FAKE_NSTEPS(script_nostarttls);
    fake_tcp_peer("192.0.2.25", 587, &p);
    CHECK_EQ(stc_check_init(&chk, fake_port(), NULL), STC_OK);
    CHECK_EQ(stc_check_host_start(&chk, "192.0.2.25", 587, 0), STC_OK);
    CHECK_EQ(stc_check_run(&chk), STC_OK);
    r = stc_check_result(&chk);
    CHECK_EQ(r->mx_kind, STC_MX_RELAY);
    CHECK_EQ(r->port, 587);
    CHECK(has(&r->host[0].addr[0], STC_F_NO_STARTTLS));
    CHECK_EQ(fake_stats()->udp_queries, 0); /* an IP literal needs no DNS */
    stc_check_free(&chk);
    CHECK_EQ(fake_open_sockets(), 0);
}

int main(void)
{
    unit_name = "engine";
    if (stc_init(arena, sizeof arena, fake_port()) != STC_OK) {
        printf("FAIL stc_init\n");
        return 1;
    }
    RUN(tls_alert_after_starttls);
    RUN(no_starttls);
    RUN(rejected_421);
    RUN(injection);
    RUN(ehlo_500_and_closed);
    RUN(deadlines);
    RUN(concurrency);
    RUN(dns_outcomes);
    RUN(dns_transport);
    RUN(cname_and_families);
    RUN(mx_order);
    RUN(one_byte_at_a_time);
    RUN(relay);
    stc_deinit();
    return unit_done();
}
