/* test_tlsrpt.c - the TLS-RPT record (src/tlsrpt.c, src/txtrec.c)
 *
 * RFC 8460 3: "v=TLSRPTv1" first, ";"-separated fields, a required
 * rua=<URI>[,<URI>...], each URI mailto: or https:, unknown fields
 * ignored; "records that do not begin with "v=TLSRPTv1;" are discarded.
 * If the number of resulting records is not one, senders MUST assume the
 * recipient domain does not implement TLSRPT."
 */
#include "unit.h"
#include "policy.h"

static int vectors;

/* rec - parse one record and check its counts */
static void rec(const char *txt, int rc, unsigned problems, unsigned rua, unsigned mailto,
                unsigned https)
{
    stc_tlsrpt_rec_t r;

    vectors++;
    CHECK_EQ(stc_tlsrpt_parse((const uint8_t *)txt, strlen(txt), &r), rc);
    if (r.problems != problems)
        printf("  \"%s\": problems 0x%x\n", txt, r.problems);
    CHECK_EQ(r.problems, problems);
    CHECK_EQ(r.rua, rua);
    CHECK_EQ(r.mailto, mailto);
    CHECK_EQ(r.https, https);
}

/* good - records RFC 8460 accepts */
static void good(void)
{
    stc_tlsrpt_rec_t r;

    /* the RFC's two examples */
    rec("v=TLSRPTv1;rua=mailto:reports@example.com", STC_OK, 0, 1, 1, 0);
    rec("v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt", STC_OK, 0, 1, 0, 1);
    /* "the policy domain can specify a comma-separated list of URIs":
     * tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri) */
    rec("v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/x", STC_OK, 0, 2, 1, 1);
    rec("v=TLSRPTv1; rua=mailto:a@example.com \t, mailto:b@example.org ;", STC_OK, 0, 2, 2, 0);
    /* schemes are case-insensitive (RFC 3986 3.1); pct-encoding; hfields */
    rec("v=TLSRPTv1; rua=MAILTO:a@Example.COM", STC_OK, 0, 1, 1, 0);
    rec("v=TLSRPTv1; rua=mailto:tls%2Breports@example.com", STC_OK, 0, 1, 1, 0);
    rec("v=TLSRPTv1; rua=mailto:a@example.com?subject=TLS%20report", STC_OK, 0, 1, 1, 0);
    rec("v=TLSRPTv1; rua=mailto:first.last+tag@sub.example.co.uk", STC_OK, 0, 1, 1, 0);
    /* https: a host name or IP literal, a port, a path, a query */
    rec("v=TLSRPTv1; rua=https://[2001:db8::1]:8443/r", STC_OK, 0, 1, 0, 1);
    rec("v=TLSRPTv1; rua=https://192.0.2.1/r", STC_OK, 0, 1, 0, 1);
    rec("v=TLSRPTv1; rua=https://r.example.com:443", STC_OK, 0, 1, 0, 1);
    rec("v=TLSRPTv1; rua=https://r.example.com?x=1&y=2", STC_OK, 0, 1, 0, 1);
    rec("v=TLSRPTv1; rua=https://r.example.com/a/b#frag", STC_OK, 0, 1, 0, 1);
    /* "unknown fields SHALL be ignored", before or after rua */
    rec("v=TLSRPTv1; ext=1; rua=mailto:a@b.example; x.y-z_1=~!", STC_OK, 0, 1, 1, 0);
    rec("v=TLSRPTv1; ext=1; rua=mailto:a@b.example; x=a=b", STC_EPROTO, STC_TXT_P_SYNTAX, 1, 1, 0);
    /* a second rua is noted; its URIs are not counted */
    rec("v=TLSRPTv1; rua=mailto:a@b.example; rua=https://c.example/", STC_OK, STC_TXT_P_DUP_RUA, 1, 1, 0);
    /* WSP before the first ";" is ABNF-valid, and noted */
    rec("v=TLSRPTv1 ;rua=mailto:a@b.example", STC_OK, STC_TXT_P_SPACE_SEMI, 1, 1, 0);

    (void)stc_tlsrpt_parse((const uint8_t *)"v=TLSRPTv1; rua=mailto:a@b.example,https://c.example/",
                           53, &r);
    CHECK_STR(r.uri, "mailto:a@b.example");
    CHECK_EQ(r.uri_len, 18);
    CHECK_EQ(r.ext, 0);
    CHECK_EQ(r.err_off, 0);
}

/* bad - records that are not what RFC 8460 3 defines */
static void bad(void)
{
    char txt[512], uri[301];
    stc_tlsrpt_rec_t r;

    /* syntax */
    rec("v=TLSRPTv1", STC_EPROTO, STC_TXT_P_SYNTAX, 0, 0, 0);
    rec("v=TLSRPTv1;", STC_EPROTO, STC_TXT_P_SYNTAX, 0, 0, 0);
    rec("v=TLSRPTv1; rua=", STC_EPROTO, STC_TXT_P_SYNTAX, 0, 0, 0);
    rec("v=TLSRPTv1; rua=mailto:a@b.example,,mailto:c@d.example", STC_EPROTO, STC_TXT_P_SYNTAX, 1, 1, 0);
    rec("v=TLSRPTv1; rua=mailto:a@b.example, ", STC_EPROTO, STC_TXT_P_SYNTAX, 1, 1, 0);
    /* "commas (ASCII 0x2C), exclamation points (ASCII 0x21), and
     * semicolons (ASCII 0x3B) MUST be encoded" */
    rec("v=TLSRPTv1; rua=mailto:a@b.example!", STC_EPROTO, STC_TXT_P_SYNTAX, 1, 1, 0);
    rec("v=TLSRPTv1; rua=mailto:a@b.example;mailto:c@d.example", STC_EPROTO, STC_TXT_P_SYNTAX, 1, 1, 0);
    rec("v=TLSRPTv1; rua=mailto:a@b.example mailto:c@d.example", STC_EPROTO, STC_TXT_P_SYNTAX, 1, 1, 0);
    rec("v=TLSRPTv1; rua=mailto:a@b.example; x", STC_EPROTO, STC_TXT_P_SYNTAX, 1, 1, 0);
    rec("v=TLSRPTv1 rua=mailto:a@b.example", STC_EPROTO, STC_TXT_P_SYNTAX, 0, 0, 0);
    rec("v=tlsrptv1; rua=mailto:a@b.example", STC_EPROTO, STC_TXT_P_SYNTAX, 0, 0, 0);
    /* "Note that the tlsrpt-rua record is required" */
    rec("v=TLSRPTv1; x=1", STC_EPROTO, STC_TXT_P_NO_RUA, 0, 0, 0);
    rec("v=TLSRPTv1; RUA=mailto:a@b.example", STC_EPROTO, STC_TXT_P_NO_RUA, 0, 0, 0);
    /* "Two URI schemes are supported: mailto and https." */
    rec("v=TLSRPTv1; rua=http://r.example.com/", STC_EPROTO, STC_TXT_P_SCHEME | STC_TXT_P_NO_USABLE,
        1, 0, 0);
    /* URIs no report can go to */
    rec("v=TLSRPTv1; rua=reports@example.com", STC_EPROTO, STC_TXT_P_BAD_URI | STC_TXT_P_NO_USABLE,
        1, 0, 0);
    rec("v=TLSRPTv1; rua=mailto:reports", STC_EPROTO, STC_TXT_P_BAD_URI | STC_TXT_P_NO_USABLE, 1, 0, 0);
    rec("v=TLSRPTv1; rua=mailto:a, http://b.example/", STC_EPROTO,
        STC_TXT_P_BAD_URI | STC_TXT_P_SCHEME | STC_TXT_P_NO_USABLE, 2, 0, 0);
    /* beside a usable one they are reported, and the record stays usable:
     * tlsrpt-uri is any URI, and "the reporter MAY attempt to deliver to
     * each of the supported rua destinations" */
    rec("v=TLSRPTv1; rua=mailto:a@b.example,ftp://r.example.com/", STC_OK, STC_TXT_P_SCHEME, 2, 1, 0);
    rec("v=TLSRPTv1; rua=mailto:a@b.example,https:r.example.com", STC_OK, STC_TXT_P_BAD_URI, 2, 1, 0);

    /* the first URI is kept for the report, cut; its length counted */
    memset(uri, 'p', 300);
    uri[300] = '\0';
    memcpy(uri, "https://r.example/", 18);
    snprintf(txt, sizeof txt, "v=TLSRPTv1; rua=%s", uri);
    CHECK_EQ(stc_tlsrpt_parse((const uint8_t *)txt, strlen(txt), &r), STC_OK);
    CHECK_EQ(r.uri_len, 300);
    CHECK_EQ(strlen(r.uri), STC_TLSRPT_URI_MAX - 1);
    /* where the first problem is */
    (void)stc_tlsrpt_parse((const uint8_t *)"v=TLSRPTv1; rua=mailto:a@b.example,http://x/", 44, &r);
    CHECK_EQ(r.err_off, 35);
    (void)stc_tlsrpt_parse((const uint8_t *)"v=TLSRPTv1; rua=http://x/ ,", 27, &r);
    CHECK_EQ(r.err_off, 16); /* the bad URI comes before the syntax error */
}

/* uris - stc_tlsrpt_uri_check alone: 1 mailto, 2 https, 0 bad, -1 other scheme */
static void uris(void)
{
    static const struct {
        const char *uri;
        int kind;
    } v[] = {
        {"mailto:a@example.com", 1},
        {"mailto:a%40x@example.com", 1},
        {"mailto:a@localhost", 1},
        {"mailto:@example.com", 0},
        {"mailto:a@", 0},
        {"mailto:a@b@c.example", 0},
        {"mailto:a@exa_mple.com", 0},
        {"mailto:a@example.com.", 0},
        {"mailto:a@-example.com", 0},
        {"mailto:", 0},
        {"mailto:a@example.com%zz", 0},
        {"mailto:a@example.com%4", 0},
        {"https://r.example.com", 2},
        {"HTTPS://R.EXAMPLE.COM/", 2},
        {"https://[::1]/", 2},
        {"https://r.example.com:65535/", 2},
        {"https://", 0},
        {"https:/r.example.com", 0},
        {"https://user@r.example.com/", 0}, /* RFC 9110 4.2.4: no userinfo */
        {"https://r.example.com:0/", 0},
        {"https://r.example.com:65536/", 0},
        {"https://r.example.com:/", 0},
        {"https://r.example.com:12a/", 0},
        {"https://r_x.example.com/", 0},
        {"https://[zz]/", 0},
        {"https://[::1/", 0},
        {"https://r.example.com%2F", 0},
        {"https:///path", 0},
        {"http://r.example.com/", -1},
        {"ftp://r.example.com/", -1},
        {"urn:ietf:x", -1},
        {"x-y+z.1:q", -1},
        {"1http://x", 0},
        {"no-scheme", 0},
        {"", 0},
    };
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        vectors++;
        if (stc_tlsrpt_uri_check(v[i].uri, strlen(v[i].uri)) != v[i].kind)
            printf("  \"%s\"\n", v[i].uri);
        CHECK_EQ(stc_tlsrpt_uri_check(v[i].uri, strlen(v[i].uri)), v[i].kind);
    }
}

/* offer - n records through the selection */
static void offer(const char *const *recs, size_t n, int status, unsigned near, unsigned why)
{
    stc_tlsrpt_txt_t t;
    size_t i;

    vectors++;
    stc_tlsrpt_txt_init(&t);
    for (i = 0; i < n; i++)
        stc_tlsrpt_txt_offer(&t, (const uint8_t *)recs[i], strlen(recs[i]));
    CHECK_EQ(stc_tlsrpt_txt_status(&t), status);
    CHECK_EQ(t.sel.near, near);
    if (near)
        CHECK_EQ(t.sel.near_why, why);
}

/* selection - exactly one record beginning "v=TLSRPTv1;" */
static void selection(void)
{
    static const char *const one[] = {"v=spf1 -all", "v=TLSRPTv1; rua=mailto:a@b.example"};
    static const char *const two[] = {"v=TLSRPTv1; rua=mailto:a@b.example",
                                      "v=TLSRPTv1; rua=https://c.example/"};
    static const char *const lower[] = {"v=tlsrptv1; rua=mailto:a@b.example"};
    static const char *const v2[] = {"v=TLSRPTv2; rua=mailto:a@b.example",
                                     "v=TLSRPTv1;rua=mailto:a@b.example"};
    static const char *const badone[] = {"v=TLSRPTv1; rua=mailto:nobody"};
    static const char *const sts[] = {"v=STSv1; id=1"};
    stc_tlsrpt_txt_t t;

    offer(one, 2, STC_TXT_ONE_VALID, 0, 0);
    offer(two, 2, STC_TXT_MULTIPLE, 0, 0);
    offer(lower, 1, STC_TXT_NONE, 1, STC_TXT_NEAR_CASE);
    offer(v2, 2, STC_TXT_ONE_VALID, 1, STC_TXT_NEAR_VERSION);
    offer(badone, 1, STC_TXT_ONE_INVALID, 0, 0);
    offer(sts, 1, STC_TXT_NONE, 0, 0);
    stc_tlsrpt_txt_init(&t);
    CHECK_EQ(stc_tlsrpt_txt_offer(&t, (const uint8_t *)"v=TLSRPTv1;rua=mailto:x@y.example", 33),
             STC_TXT_MATCH);
    CHECK_EQ(t.rec.mailto, 1);
    CHECK_EQ(t.sel.chosen, 0);
}

int main(void)
{
    unit_name = "tlsrpt";
    RUN(good);
    RUN(bad);
    RUN(uris);
    RUN(selection);
    printf("tlsrpt: %d vectors\n", vectors);
    return unit_done();
}
