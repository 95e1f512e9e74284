/* test_verdict.c - the domain verdict rule as a truth table (no network) */
#include "unit.h"
#include "engine.h"

#include <string.h>

static stc_domain_result_t r;

/* host - append a host with preference pref */
static stc_host_result_t *host(const char *name, uint16_t pref)
{
    stc_host_result_t *h = &r.host[r.nhosts++];
    memset(h, 0, sizeof *h);
    strcpy(h->name, name);
    h->pref = pref;
    h->status = STC_SKIPPED;
    return h;
}

/* addr - add an address that got as far as `reach` with one finding (or none) */
static stc_addr_result_t *addr(stc_host_result_t *h, uint8_t family, uint8_t reach, unsigned code)
{
    stc_addr_result_t *a = &h->addr[h->naddr++];
    memset(a, 0, sizeof *a);
    stc_addr_checks_reset(a);
    a->ip.family = family;
    a->ip.addr[0] = family == 4 ? 192 : 0xfd;
    a->ip.addr[3] = (uint8_t)h->naddr;
    a->reach = reach;
    stc_check_ran(a, STC_CHK_CONNECT);
    if (reach == STC_R_REACHED) {
        stc_check_ran(a, STC_CHK_STARTTLS);
        if (code != STC_F_NO_STARTTLS) {
            stc_check_ran(a, STC_CHK_CERT);
            stc_check_ran(a, STC_CHK_VERSION);
        }
    }
    if (code)
        stc_add_addr_finding(a, code, 0);
    if (reach == STC_R_UNTESTED) /* as smtp.c: noted, not run */
        a->status[STC_CHK_CONNECT] = STC_SKIPPED;
    return a;
}

/* msg - the summary line the verdict chose */
static const char *msg(void)
{
    static char b[512];
    return stc_result_message(&r, b, sizeof b);
}

static void start(const char *domain)
{
    memset(&r, 0, sizeof r);
    strcpy(r.domain, domain);
    r.mx_kind = STC_MX_RECORDS;
}

static int has_finding(unsigned code)
{
    unsigned i;
    for (i = 0; i < r.nfindings; i++)
        if (r.findings[i].code == code)
            return 1;
    return 0;
}

static void primary_unreachable_backup_good(void)
{
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_UNREACHABLE, STC_F_CONNECT_REFUSED);
    addr(host("mx2.example.org", 20), 4, STC_R_REACHED, 0);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_WARNING);
    CHECK(has_finding(STC_F_PREFERRED_UNREACHABLE));
    CHECK_EQ(r.host[0].preferred, 0);
    CHECK_EQ(r.host[1].preferred, 1);
    CHECK_EQ(r.host[0].reach, STC_R_UNREACHABLE);
}

static void primary_rejected(void)
{
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REJECTED, STC_F_REJECTED);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_REJECTED);
    CHECK_EQ(r.host[0].preferred, 1);

    /* a 421 primary with a good backup: the backup decides, with a warning */
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REJECTED, STC_F_REJECTED);
    addr(host("mx2.example.org", 20), 4, STC_R_REACHED, 0);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_WARNING);
    CHECK(has_finding(STC_F_PREFERRED_UNREACHABLE));
}

static void primary_good_backup_bad(void)
{
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, 0);
    addr(host("mx2.example.org", 20), 4, STC_R_REACHED, STC_F_NO_STARTTLS);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_SUCCESS);
    CHECK_EQ(r.host[1].preferred, 0);
    CHECK_EQ(r.host[1].status, STC_FAILURE);
}

static void primary_bad_backup_good(void)
{
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, STC_F_NO_STARTTLS);
    addr(host("mx2.example.org", 20), 4, STC_R_REACHED, 0);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_NO_STARTTLS);
    CHECK(strstr(msg(), "mx1.example.org") != NULL);

    /* a failed handshake is a failure of its own, not "no STARTTLS" */
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, STC_F_TLS_HANDSHAKE);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_FAILURE);
    CHECK(strstr(msg(), "handshake") != NULL);

    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, STC_F_STARTTLS_REFUSED);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_NO_STARTTLS);

    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, STC_F_CERT_EXPIRED);
    addr(host("mx2.example.org", 20), 4, STC_R_REACHED, 0);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_FAILURE);
}

static void one_family_fails(void)
{
    stc_host_result_t *h;
    /* IPv4 fine, IPv6 refused: the host works for some senders only */
    start("example.org");
    h = host("mx.example.org", 10);
    addr(h, 4, STC_R_REACHED, 0);
    addr(h, 6, STC_R_UNREACHABLE, STC_F_CONNECT_REFUSED);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_WARNING);
    CHECK_EQ(h->status, STC_WARNING);
    CHECK_EQ(h->nfindings, 1);
    CHECK_EQ(h->findings[0].code, STC_F_SOME_ADDRS_FAIL);

    /* IPv6 not usable from here: not tested, not failed */
    start("example.org");
    h = host("mx.example.org", 10);
    addr(h, 4, STC_R_REACHED, 0);
    addr(h, 6, STC_R_UNTESTED, STC_F_FAMILY_UNTESTED);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_SUCCESS);

    /* only IPv6 and it cannot be tested from here: no verdict (error) */
    start("example.org");
    h = host("mx.example.org", 10);
    addr(h, 6, STC_R_UNTESTED, STC_F_FAMILY_UNTESTED);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_ERROR);
    CHECK(has_finding(STC_F_NOTHING_TESTABLE));
    CHECK_EQ(h->reach, STC_R_UNTESTED);

    /* ... but one untestable host beside a dead one: could not connect */
    start("example.org");
    addr(host("mx1.example.org", 10), 6, STC_R_UNTESTED, STC_F_FAMILY_UNTESTED);
    addr(host("mx2.example.org", 20), 4, STC_R_UNREACHABLE, STC_F_CONNECT_REFUSED);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_COULD_NOT_CONNECT);
}

static void nothing_reached(void)
{
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_UNREACHABLE, STC_F_CONNECT_TIMEOUT);
    addr(host("mx2.example.org", 20), 4, STC_R_UNREACHABLE, STC_F_BANNER_TIMEOUT);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_COULD_NOT_CONNECT);
    CHECK(strstr(msg(), "mx1.example.org") != NULL);

    /* a host without addresses is unreachable too */
    start("example.org");
    host("mx1.example.org", 10);
    stc_add_host_finding(&r.host[0], STC_F_HOST_NO_ADDRESS, 0);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_COULD_NOT_CONNECT);
}

static void same_preference(void)
{
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, 0);
    addr(host("mx2.example.org", 10), 4, STC_R_REACHED, STC_F_CERT_NAME_MISMATCH);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_FAILURE);
    CHECK_EQ(r.host[0].preferred, 1);
    CHECK_EQ(r.host[1].preferred, 1);
    CHECK(strstr(msg(), "mx2.example.org") != NULL);

    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, STC_F_CERT_EXPIRES_SOON);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_WARNING);

    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, STC_F_TLS_OLD_VERSION);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_WARNING);
}

static void domain_level(void)
{
    start("example.org");
    r.mx_kind = STC_MX_NULL;
    stc_add_domain_finding(&r, STC_F_NULL_MX, 0);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_NO_MAIL);

    start("nx.example.org");
    stc_add_domain_finding(&r, STC_F_DNS_NXDOMAIN, 3);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_ERROR);

    start("sf.example.org");
    stc_add_domain_finding(&r, STC_F_DNS_SERVFAIL, 2);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_ERROR);
    CHECK(strstr(msg(), "SERVFAIL") != NULL);

    start("empty.example.org");
    r.mx_kind = STC_MX_IMPLICIT;
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_FAILURE);
    CHECK(has_finding(STC_F_NO_MAIL_HOSTS));

    /* no MX, and the implicit MX (the domain) has no address either */
    start("nomail.example.org");
    r.mx_kind = STC_MX_IMPLICIT;
    host("nomail.example.org", 0);
    stc_add_host_finding(&r.host[0], STC_F_HOST_NO_ADDRESS, 0);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_FAILURE);
    CHECK(has_finding(STC_F_NO_MAIL_HOSTS));

    /* our own memory limit is never the server's fault */
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, STC_F_OUT_OF_MEMORY);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_ERROR);
}

/* dane_host - one preferred host, its address reached with `code` (0 none),
 * DANE status d with the host finding job_dane.c adds for it */
static void dane_host(uint8_t d, unsigned code)
{
    stc_host_result_t *h;
    unsigned f = stc_dane_finding(d);
    start("example.org");
    h = host("mx1.example.org", 10);
    addr(h, 4, STC_R_REACHED, code);
    h->dane = d;
    if (f)
        stc_add_host_finding(h, f, 1);
    stc_verdict(&r, NULL, 0);
}

/* dane_table - the DANE part of the rule (README "The domain verdict" 6) */
static void dane_table(void)
{
    static const struct {
        uint8_t dane;
        unsigned cert; /* the certificate finding of the address, 0 none */
        uint8_t want;  /* the domain's status */
    } t[] = {
        {STC_DANE_VALID, 0, STC_D_SUCCESS},
        /* DANE authenticates: PKIX problems do not move the verdict */
        {STC_DANE_VALID, STC_F_CERT_SELF_SIGNED, STC_D_SUCCESS},
        {STC_DANE_VALID, STC_F_CERT_EXPIRED, STC_D_SUCCESS},
        {STC_DANE_VALID, STC_F_CERT_NAME_MISMATCH, STC_D_SUCCESS},
        /* ... yet a failure outside the certificate check still does */
        {STC_DANE_VALID, STC_F_TLS_HANDSHAKE, STC_D_FAILURE},
        /* not applicable: the certificate decides as without DANE */
        {STC_DANE_INSECURE, 0, STC_D_SUCCESS},
        {STC_DANE_INSECURE, STC_F_CERT_EXPIRED, STC_D_FAILURE},
        {STC_DANE_TLSA_ABSENT, 0, STC_D_SUCCESS},
        {STC_DANE_TLSA_ABSENT, STC_F_CERT_SELF_SIGNED, STC_D_FAILURE},
        /* failures of DANE fail the domain, whatever PKIX says */
        {STC_DANE_MISMATCH, 0, STC_D_FAILURE},
        {STC_DANE_NAME_MISMATCH, 0, STC_D_FAILURE},
        {STC_DANE_EXPIRED, 0, STC_D_FAILURE},
        {STC_DANE_BOGUS, 0, STC_D_FAILURE},
        {STC_DANE_LOOKUP_FAILED, 0, STC_D_FAILURE},
        {STC_DANE_NO_TLS, STC_F_NO_STARTTLS, STC_D_NO_STARTTLS},
        /* unusable records: TLS still mandatory, nothing authenticated */
        {STC_DANE_UNUSABLE, 0, STC_D_WARNING},
        {STC_DANE_UNUSABLE, STC_F_CERT_EXPIRED, STC_D_FAILURE},
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        dane_host(t[i].dane, t[i].cert);
        if (r.status != t[i].want)
            printf("dane row %zu: %s with %s -> %s\n", i, stc_dane_text(t[i].dane),
                   t[i].cert ? stc_finding_info(t[i].cert)->name : "-",
                   stc_domain_status_text(r.status));
        CHECK_EQ(r.status, t[i].want);
    }
}

/* policy_records - the domain's _mta-sts and _smtp._tls findings */
static void policy_records(void)
{
    static const struct {
        unsigned code;
        uint8_t want;
    } t[] = {
        {STC_F_STS_TXT_INVALID, STC_D_FAILURE},
        {STC_F_STS_TXT_MULTIPLE, STC_D_FAILURE},
        {STC_F_TLSRPT_INVALID, STC_D_WARNING},
        {STC_F_TLSRPT_MULTIPLE, STC_D_WARNING},
        {STC_F_TXT_LOOKUP_FAILED, STC_D_WARNING},
        {STC_F_AD_UNTRUSTED, STC_D_SUCCESS}, /* a note of ours */
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        start("example.org");
        addr(host("mx1.example.org", 10), 4, STC_R_REACHED, 0);
        stc_add_domain_finding(&r, t[i].code, 0);
        stc_verdict(&r, NULL, 0);
        CHECK_EQ(r.status, t[i].want);
    }
    /* no record at all is not applicable: nothing is added, success stays */
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, 0);
    r.mta_sts.status = r.tls_rpt.status = STC_NOT_APPLICABLE;
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_SUCCESS);
}

/* statuses_of_unreached - a host nothing reached carries its failed
 * connectivity (never "skipped"); checks that did not run say so */
static void statuses_of_unreached(void)
{
    stc_addr_result_t *a;

    start("example.org");
    a = addr(host("mx1.example.org", 10), 4, STC_R_UNREACHABLE, STC_F_CONNECT_REFUSED);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.host[0].status, STC_FAILURE);
    CHECK_EQ(a->status[STC_CHK_CONNECT], STC_FAILURE);
    CHECK_EQ(a->status[STC_CHK_STARTTLS], STC_SKIPPED);
    CHECK_EQ(a->status[STC_CHK_CERT], STC_SKIPPED);
    CHECK_EQ(stc_addr_status(a), STC_FAILURE);

    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REJECTED, STC_F_REJECTED);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.host[0].status, STC_ERROR); /* rejected: nothing to judge */

    start("example.org");
    addr(host("mx1.example.org", 10), 6, STC_R_UNTESTED, STC_F_FAMILY_UNTESTED);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.host[0].status, STC_SKIPPED);

    /* the order of statuses: not applicable and skipped below success */
    CHECK_EQ(stc_status_worse(STC_SKIPPED, STC_SUCCESS), STC_SUCCESS);
    CHECK_EQ(stc_status_worse(STC_NOT_APPLICABLE, STC_SKIPPED), STC_SKIPPED);
    CHECK_EQ(stc_status_worse(STC_ERROR, STC_FAILURE), STC_ERROR);
    CHECK_EQ(stc_status_worse(STC_WARNING, STC_NOT_APPLICABLE), STC_WARNING);
}

/* same_group_unreachable - a dead host beside a good one of the same
 * preference: the domain is not "every preferred host passed" */
static void same_group_unreachable(void)
{
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, 0);
    addr(host("mx2.example.org", 10), 4, STC_R_UNREACHABLE, STC_F_CONNECT_TIMEOUT);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_WARNING);
    CHECK(has_finding(STC_F_SOME_PREFERRED_UNREACHABLE));
    CHECK(strstr(msg(), "mx2.example.org") != NULL);
    CHECK(strstr(msg(), "passed") == NULL);

    /* an untestable family is not "unreachable" */
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, 0);
    addr(host("mx2.example.org", 10), 6, STC_R_UNTESTED, STC_F_FAMILY_UNTESTED);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_SUCCESS);
    CHECK(strstr(msg(), "every preferred MX host passed") != NULL);
}

/* checker_limits - our own limits are never a verdict on the domain */
static void checker_limits(void)
{
    stc_addr_result_t *a;
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, 0);
    a = addr(host("mx2.example.org", 10), 4, STC_R_UNCHECKED, STC_F_CHECKER_NO_SOCKET);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_ERROR);
    CHECK(strstr(msg(), "mx2.example.org") != NULL);
    CHECK(strstr(msg(), "socket") != NULL);
    CHECK_EQ(stc_addr_status(a), STC_ERROR);

    /* an unchecked backup is still unchecked: no "success" */
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, 0);
    addr(host("mx2.example.org", 20), 4, STC_R_UNCHECKED, 0);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_ERROR);

    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, STC_F_CHECKER_TLS_LIMIT);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_ERROR);

    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, 0);
    stc_add_host_finding(&r.host[0], STC_F_CHECKER_DNS_LOCAL, -8);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_ERROR);

    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, 0);
    stc_add_domain_finding(&r, STC_F_CANCELLED, 0);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_ERROR);

    /* a retried 421 we provoked is information, not a problem */
    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, STC_F_PROVOKED_RETRY);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_SUCCESS);

    /* a relay passes as a host, not as "MX hosts" */
    start("smtp.example.org");
    r.mx_kind = STC_MX_RELAY;
    addr(host("smtp.example.org", 0), 4, STC_R_REACHED, 0);
    stc_verdict(&r, NULL, 0);
    CHECK_EQ(r.status, STC_D_SUCCESS);
    CHECK(strstr(msg(), "MX") == NULL);
}

static void expected_patterns(void)
{
    const char *good[] = {"*.example.org"};
    const char *bad[] = {"mx.other.net", ".example.net"};

    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, 0);
    addr(host("mx2.example.org", 20), 4, STC_R_REACHED, 0);
    stc_verdict(&r, good, 1);
    CHECK_EQ(r.status, STC_D_SUCCESS);

    start("example.org");
    addr(host("mx1.example.org", 10), 4, STC_R_REACHED, 0);
    stc_verdict(&r, bad, 2);
    CHECK_EQ(r.status, STC_D_BAD_HOSTNAME);
    CHECK(has_finding(STC_F_BAD_HOSTNAME));
}

int main(void)
{
    unit_name = "verdict";
    RUN(primary_unreachable_backup_good);
    RUN(primary_rejected);
    RUN(primary_good_backup_bad);
    RUN(primary_bad_backup_good);
    RUN(one_family_fails);
    RUN(nothing_reached);
    RUN(same_preference);
    RUN(domain_level);
    RUN(expected_patterns);
    RUN(statuses_of_unreached);
    RUN(same_group_unreachable);
    RUN(checker_limits);
    RUN(dane_table);
    RUN(policy_records);
    return unit_done();
}
