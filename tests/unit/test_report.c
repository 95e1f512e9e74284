/* test_report.c - stc_report_json and stc_report_text over results built
 * by hand (no network, no root)
 *
 * The JSON must carry every check with its status (skipped ones included),
 * the texts from the result's pool, the suite and group named from their
 * ids, the domain's message derived from the verdict, and escape whatever
 * bytes a server sent. Every JSON line written here is also appended to
 * $STC_JSON_TEE when set, so `make check` validates it against the JSON
 * Schema (tests/schema/result.schema.json). A sink that fails stops the
 * report and says so.
 */
#include "unit.h"
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static stc_domain_result_t r;
static char out[65536];
static size_t outlen;
static FILE *tee;

/* sink - collect the report */
static int sink(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    if (outlen + n >= sizeof out)
        return -1;
    memcpy(out + outlen, p, n);
    outlen += n;
    out[outlen] = '\0';
    return 0;
}

/* json - render r as JSON into out (and the tee) */
static void json(void)
{
    outlen = 0;
    out[0] = '\0';
    CHECK_EQ(stc_report_json(&r, sink, NULL), 0);
    CHECK(outlen > 0 && out[outlen - 1] == '\n');
    CHECK(strchr(out, '\n') == out + outlen - 1); /* one line */
    if (tee)
        fwrite(out, 1, outlen, tee);
}

/* text - render r as text into out */
static void text(int verbose)
{
    outlen = 0;
    out[0] = '\0';
    CHECK_EQ(stc_report_text(&r, verbose, sink, NULL), 0);
}

#define HAS(s) CHECK(strstr(out, s) != NULL)
#define HASNT(s) CHECK(strstr(out, s) == NULL)

/* start - an empty result for domain */
static void start(const char *domain)
{
    memset(&r, 0, sizeof r);
    strcpy(r.domain, domain);
    r.mx_kind = STC_MX_RECORDS;
    r.port = 25;
}

/* host - append a host */
static stc_host_result_t *host(const char *name, uint16_t pref)
{
    stc_host_result_t *h = &r.host[r.nhosts++];
    memset(h, 0, sizeof *h);
    strcpy(h->name, name);
    h->pref = pref;
    h->status = STC_SKIPPED;
    return h;
}

/* good_addr - an address whose whole dialogue succeeded */
static stc_addr_result_t *good_addr(stc_host_result_t *h, const char *ip4)
{
    stc_addr_result_t *a = &h->addr[h->naddr++];
    memset(a, 0, sizeof *a);
    stc_ip_parse(ip4, &a->ip);
    stc_addr_checks_reset(a);
    a->reach = STC_R_REACHED;
    a->phase = STC_P_DONE;
    a->sessions = 1;
    a->last_code = 221;
    a->ehlo = STC_EXT_STARTTLS | STC_EXT_PIPELINING;
    a->ehlo_tls = STC_EXT_PIPELINING | STC_EXT_SIZE;
    a->tls_version = 0x0304;
    a->suite = 0x1301;
    a->group = 29;
    a->banner = stc_text_put(&r, "mx.example.org ESMTP");
    a->cert.subject = stc_text_put(&r, "mx.example.org");
    a->cert.issuer = stc_text_put(&r, "Example CA");
    a->cert.not_before = 1704067200;
    a->cert.not_after = 4102358400LL;
    a->cert.key_type = 1;
    a->cert.key_bits = 2048;
    a->cert.sig_hash = 3;
    a->cert.chain_len = 2;
    a->cert.trusted = 1;
    a->cert.name_ok = 1;
    stc_check_ran(a, STC_CHK_CONNECT);
    stc_check_ran(a, STC_CHK_STARTTLS);
    stc_check_ran(a, STC_CHK_CERT);
    stc_check_ran(a, STC_CHK_VERSION);
    return a;
}

static void success_domain(void)
{
    stc_host_result_t *h;
    start("example.org");
    h = host("mx.example.org", 10);
    good_addr(h, "192.0.2.25");
    r.mx_total = 1;
    r.sessions = 1;
    stc_verdict(&r, NULL, 0);
    json();
    HAS("\"schema_version\":2,");
    HAS("\"status\":0,\"status_text\":\"success\"");
    HAS("\"message\":\"every preferred MX host passed every check\"");
    HAS("\"cipher\":\"TLS_AES_128_GCM_SHA256\",\"cipher_id\":\"0x1301\",\"group\":\"X25519\"");
    HAS("\"banner\":\"mx.example.org ESMTP\"");
    HAS("\"subject\":\"mx.example.org\",\"issuer\":\"Example CA\"");
    HAS("\"not_after\":\"2099-12-31T00:00:00Z\"");
    HAS("\"connectivity\":{\"name\":\"connectivity\",\"status\":0");
    HAS("\"sessions\":1");
    HAS("\"preferred_hostnames\":[\"mx.example.org\"]");
    text(0);
    HAS("example.org: SUCCESS - every preferred MX host passed every check");
    HAS("TLSv1.3 TLS_AES_128_GCM_SHA256 X25519");
    HAS("mx.example.org, issuer Example CA, expires 2099-12-31T00:00:00Z");
    HAS("1 SMTP session)");
}

/* unreachable_host - every check present, the failed connectivity carried
 * by the host: never "checks": {} and never status 3 for "did not run" */
static void unreachable_host(void)
{
    stc_host_result_t *h;
    stc_addr_result_t *a;
    start("dead.example");
    h = host("mx.dead.example", 10);
    a = &h->addr[h->naddr++];
    memset(a, 0, sizeof *a);
    stc_ip_parse("192.0.2.99", &a->ip);
    stc_addr_checks_reset(a);
    a->reach = STC_R_UNREACHABLE;
    a->phase = STC_P_CONNECT;
    a->sessions = 1;
    a->err = STC_ECONNREFUSED;
    stc_add_addr_finding(a, STC_F_CONNECT_REFUSED, 2525);
    stc_verdict(&r, NULL, 0);
    json();
    HAS("\"status\":5,\"status_text\":\"could_not_connect\"");
    HAS("\"hostname\":\"mx.dead.example\",\"preference\":10,\"status\":2,\"status_text\":\"failure\"");
    HAS("\"checks\":{\"connectivity\":{\"name\":\"connectivity\",\"status\":2,\"status_text\":\"failure\"");
    HAS("\"starttls\":{\"name\":\"starttls\",\"status\":4,\"status_text\":\"skipped\"");
    HAS("\"certificate\":{\"name\":\"certificate\",\"status\":4,\"status_text\":\"skipped\"");
    HASNT("\"checks\":{}");
    HAS("\"code\":\"connect_refused\"");
    HAS("\"detail\":2525");
    HAS("\"error\":\"connection refused\"");
    HASNT("\"tls\":");
    HASNT("\"status_text\":\"error\"");
    text(0);
    HAS("dead.example: COULD NOT CONNECT - mx.dead.example: Connection refused");
    HAS("failure (unreachable)");
    HASNT("starttls      skipped"); /* not listed unless --verbose */
    text(1);
    HAS("starttls      skipped");
}

/* hostile_texts - bytes a server sent come out escaped, never raw */
static void hostile_texts(void)
{
    stc_host_result_t *h;
    stc_addr_result_t *a;
    start("example.org");
    h = host("mx.example.org", 10);
    a = good_addr(h, "192.0.2.25");
    a->banner = stc_text_put(&r, "quote\" back\\ \x01 \xc3\x28 end");
    a->suite = 0xfefe; /* no IANA name: the id stands in */
    a->group = 0x8000 | 1024;
    stc_verdict(&r, NULL, 0);
    json();
    HAS("\"banner\":\"quote\\\" back\\\\ \\u0001 \\ufffd( end\"");
    HAS("\"cipher\":\"0xfefe\",\"cipher_id\":\"0xfefe\"");
    HAS("\"group\":\"DHE-1024\"");
}

/* relay_and_limits - a relay's wording, our own limits, cut texts */
static void relay_and_limits(void)
{
    stc_host_result_t *h;
    stc_addr_result_t *a;
    unsigned i;

    start("smtp.example.org");
    r.mx_kind = STC_MX_RELAY;
    r.port = 465;
    r.implicit_tls = 1;
    h = host("smtp.example.org", 0);
    a = good_addr(h, "192.0.2.26");
    for (i = 0; i < STC_MAX_FINDINGS + 3; i++) /* more than fit: counted */
        stc_add_addr_finding(a, STC_F_CERT_EXPIRES_SOON, (int32_t)i);
    stc_verdict(&r, NULL, 0);
    json();
    HAS("\"mx_kind\":\"relay\"");
    HAS("\"implicit_tls\":true");
    HAS("\"findings_dropped\":3");
    HASNT("MX host");
    text(0);
    HAS("host smtp.example.org port 465 (implicit TLS)");
    HASNT("[decides]");

    /* the checker's own limit: error, and the finding says it is ours */
    start("example.org");
    h = host("mx.example.org", 10);
    a = good_addr(h, "192.0.2.25");
    stc_add_addr_finding(a, STC_F_CHECKER_TLS_LIMIT, -404);
    stc_verdict(&r, NULL, 0);
    json();
    HAS("\"status\":3,\"status_text\":\"error\"");
    HAS("\"code\":\"checker_tls_limit\"");
    HAS("\"ours\":true");
    HAS("\"reason\":");

    /* a pool too small for every text: empty texts, counted */
    start("example.org");
    h = host("mx.example.org", 10);
    a = good_addr(h, "192.0.2.25");
    {
        char big[300];
        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        for (i = 0; i < STC_TEXT_POOL / 200 + 2; i++) {
            big[0] = (char)('a' + i % 26);
            big[1] = (char)('a' + i / 26);
            stc_text_put(&r, big);
        }
    }
    CHECK(r.text_dropped > 0);
    CHECK_EQ(stc_text_put(&r, "mx.example.org ESMTP"), a->banner); /* kept once */
    stc_verdict(&r, NULL, 0);
    json();
    HAS("\"texts_dropped\":");

    /* a name longer than DNS allows: cut, and said */
    start("x");
    memset(r.domain, 'a', STC_NAME_MAX);
    r.domain[STC_NAME_MAX] = '\0';
    r.name_cut = 1;
    stc_add_domain_finding(&r, STC_F_INVALID_DOMAIN, 0);
    stc_verdict(&r, NULL, 0);
    json();
    HAS("\"name_cut\":true");
    HAS("\"code\":\"invalid_domain\"");
}

/* failing_sink - the first failed write stops the report and is returned */
static int fails_after;
static int failing(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    (void)p;
    (void)n;
    return fails_after-- > 0 ? 0 : 7;
}

static void failing_sink(void)
{
    start("example.org");
    good_addr(host("mx.example.org", 10), "192.0.2.25");
    stc_verdict(&r, NULL, 0);
    fails_after = 5;
    CHECK_EQ(stc_report_json(&r, failing, NULL), 7);
    fails_after = 5;
    CHECK_EQ(stc_report_text(&r, 1, failing, NULL), 7);
}

/* findings_table - every code has a name, a title, a sane check and
 * severity; names are unique */
static void findings_table(void)
{
    unsigned i, j;
    for (i = 1; i < STC_F_COUNT; i++) {
        const stc_finding_info_t *a = stc_finding_info(i);
        CHECK(a != stc_finding_info(STC_F_NONE));
        CHECK(a->title && a->title[0]);
        CHECK(a->severity <= STC_ERROR);
        CHECK(a->check < STC_CHK_COUNT || a->check == STC_CHK_DOMAIN || a->check == STC_CHK_HOST);
        for (j = 1; j < i; j++)
            if (strcmp(a->name, stc_finding_info(j)->name) == 0)
                CHECK(0);
    }
}

int main(void)
{
    const char *t = getenv("STC_JSON_TEE");
    unit_name = "report";
    if (t && *t)
        tee = fopen(t, "a");
    RUN(success_domain);
    RUN(unreachable_host);
    RUN(hostile_texts);
    RUN(relay_and_limits);
    RUN(failing_sink);
    RUN(findings_table);
    if (tee)
        fclose(tee);
    return unit_done();
}
