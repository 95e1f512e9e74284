/* test_mta_sts.c - MTA-STS (src/mta_sts.c, src/txtrec.c): the TXT record,
 * the selection among a name's TXT records, the policy body and the MX
 * pattern rule of RFC 8461
 *
 * Policy bodies are fed whole, one byte at a time and split in two at every
 * offset: the results and the sequence of mx patterns handed out must be
 * the same every way. The RFC sentence behind each expectation is quoted.
 */
#include "unit.h"
#include "policy.h"

static int vectors;

/* ---- the TXT record (3.1) ---------------------------------------------- */

/* txt - parse one record; check the return, problems and id */
static void txt(const char *rec, int rc, unsigned problems, const char *id)
{
    stc_sts_rec_t r;

    vectors++;
    CHECK_EQ(stc_sts_txt_parse((const uint8_t *)rec, strlen(rec), &r), rc);
    if (r.problems != problems)
        printf("  record \"%s\": problems 0x%x\n", rec, r.problems);
    CHECK_EQ(r.problems, problems);
    CHECK_STR(r.id, id);
    CHECK_EQ(r.id_len, strlen(id));
}

/* records - sts-text-record = sts-version 1*(sts-field-delim sts-field)
 * [sts-field-delim]; sts-field-delim = *WSP ";" *WSP; sts-id = %s"id="
 * 1*32(ALPHA / DIGIT); sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT /
 * "_" / "-" / "."); sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E) */
static void records(void)
{
    stc_sts_rec_t r;

    /* the RFC's example */
    txt("v=STSv1; id=20160831085700Z;", STC_OK, 0, "20160831085700Z");
    txt("v=STSv1;id=1", STC_OK, 0, "1");
    txt("v=STSv1;\tid=abc\t;\t", STC_OK, 0, "abc");
    txt("v=STSv1; id=abc; ext=val", STC_OK, 0, "abc");
    txt("v=STSv1; ext.a-b_c=x!y:<>~; id=Z", STC_OK, 0, "Z");
    txt("v=STSv1; id=0123456789abcdefABCDEF0123456789", STC_OK, 0,
        "0123456789abcdefABCDEF0123456789"); /* 32: the most */
    txt("v=STSv1; a2345678901234567890123456789012=1; id=x", STC_OK, 0, "x"); /* 32-char name */
    /* the ABNF allows WSP before ";" but the discard rule speaks of
     * "v=STSv1;": accepted, noted */
    txt("v=STSv1 ; id=abc", STC_OK, STC_TXT_P_SPACE_SEMI, "abc");
    /* a repeated id: the first is kept, the repeat noted */
    txt("v=STSv1; id=a; id=b", STC_OK, STC_TXT_P_DUP_ID, "a");

    /* "Note that sts-id record is required" */
    txt("v=STSv1; x=1", STC_EPROTO, STC_TXT_P_NO_ID, "");
    txt("v=STSv1; ID=abc", STC_EPROTO, STC_TXT_P_NO_ID, ""); /* %s"id=": case-sensitive */
    txt("v=STSv1; id=0123456789abcdefABCDEF0123456789X", STC_EPROTO, STC_TXT_P_BAD_ID, "");
    txt("v=STSv1; id=2024-01-01", STC_EPROTO, STC_TXT_P_BAD_ID, "");
    txt("v=STSv1; id=a_b", STC_EPROTO, STC_TXT_P_BAD_ID, "");
    txt("v=STSv1; id=", STC_EPROTO, STC_TXT_P_BAD_ID | STC_TXT_P_SYNTAX, "");
    /* syntax */
    txt("v=STSv1", STC_EPROTO, STC_TXT_P_SYNTAX, "");
    txt("v=STSv1;", STC_EPROTO, STC_TXT_P_SYNTAX, "");
    txt("v=STSv1; ", STC_EPROTO, STC_TXT_P_SYNTAX, "");
    txt("v=STSv1; id=abc def", STC_EPROTO, STC_TXT_P_SYNTAX, "abc");
    txt("v=STSv1; id=abc ", STC_EPROTO, STC_TXT_P_SYNTAX, "abc");
    txt("v=STSv1; id=abc;;", STC_EPROTO, STC_TXT_P_SYNTAX, "abc");
    txt("v=STSv1;; id=abc", STC_EPROTO, STC_TXT_P_SYNTAX, "");
    txt("v=STSv1; id=a=b", STC_EPROTO, STC_TXT_P_SYNTAX, "a");
    txt("v=STSv1; _x=1; id=a", STC_EPROTO, STC_TXT_P_SYNTAX, "");
    txt("v=STSv1; a23456789012345678901234567890123=1; id=x", STC_EPROTO, STC_TXT_P_SYNTAX, "");
    txt("v=STSv1; id=abc; x=", STC_EPROTO, STC_TXT_P_SYNTAX, "abc");
    txt("v=STSv1; id=abc; x=a\x01", STC_EPROTO, STC_TXT_P_SYNTAX, "abc");
    txt("v=STSv1; id=abc; x", STC_EPROTO, STC_TXT_P_SYNTAX, "abc");
    txt("v=STSv1; id=\xc3\xa9", STC_EPROTO, STC_TXT_P_SYNTAX | STC_TXT_P_BAD_ID, "");
    txt("v=STSv1x; id=a", STC_EPROTO, STC_TXT_P_SYNTAX, "");
    txt("V=STSv1; id=a", STC_EPROTO, STC_TXT_P_SYNTAX, "");
    txt(" v=STSv1; id=a", STC_EPROTO, STC_TXT_P_SYNTAX, "");
    txt("", STC_EPROTO, STC_TXT_P_SYNTAX, "");

    /* the offset of the first syntax error */
    (void)stc_sts_txt_parse((const uint8_t *)"v=STSv1; id=abc def", 19, &r);
    CHECK_EQ(r.err_off, 16);
    /* bytes, not a C string: a NUL inside is just a bad byte */
    CHECK_EQ(stc_sts_txt_parse((const uint8_t *)"v=STSv1; id=a\0b", 15, &r), STC_EPROTO);
    CHECK_EQ(r.err_off, 13);
}

/* offer - offer n records; check the status, counts and near-miss reason */
static void offer(const char *const *recs, size_t n, int status, unsigned matched,
                  unsigned chosen, unsigned near, unsigned why)
{
    stc_sts_txt_t t;
    size_t i;

    vectors++;
    stc_sts_txt_init(&t);
    for (i = 0; i < n; i++)
        stc_sts_txt_offer(&t, (const uint8_t *)recs[i], strlen(recs[i]));
    CHECK_EQ(stc_sts_txt_status(&t), status);
    CHECK_EQ(t.sel.offered, n);
    CHECK_EQ(t.sel.matched, matched);
    if (matched > 0)
        CHECK_EQ(t.sel.chosen, chosen);
    CHECK_EQ(t.sel.near, near);
    if (near > 0)
        CHECK_EQ(t.sel.near_why, why);
}

/* selection - "If multiple TXT records for "_mta-sts" are returned by the
 * resolver, records that do not begin with "v=STSv1;" are discarded. If
 * the number of resulting records is not one, or if the resulting record
 * is syntactically invalid, senders MUST assume the recipient domain does
 * not have an available MTA-STS Policy" */
static void selection(void)
{
    static const char *const one[] = {"v=STSv1; id=1"};
    static const char *const spf[] = {"v=spf1 -all", "v=STSv1; id=1", "google-site-verification=x"};
    static const char *const two[] = {"v=STSv1; id=1", "v=STSv1; id=2"};
    static const char *const nosemi[] = {"v=STSv1", "v=STSv1; id=2"};
    static const char *const lower[] = {"v=stsv1; id=1"};
    static const char *const space[] = {" v=STSv1; id=1"};
    static const char *const v2[] = {"v=STSv2; id=1"};
    static const char *const v10[] = {"v=STSv10; id=1", "v=STSv1.1;id=2"};
    static const char *const bad[] = {"v=STSv1; id=bad-id"};
    static const char *const wsp[] = {"v=STSv1 ; id=1"};
    static const char *const stem[] = {"v=STS", "v=ST", "STSv1; id=1"};
    static const char *const two_bad[] = {"v=STSv1; id=bad-id", "v=STSv1; id=1"};
    stc_sts_txt_t t;
    uint8_t why = 0;

    offer(one, 1, STC_TXT_ONE_VALID, 1, 0, 0, 0);
    offer(spf, 3, STC_TXT_ONE_VALID, 1, 1, 0, 0);
    offer(two, 2, STC_TXT_MULTIPLE, 2, 0, 0, 0);
    offer(two_bad, 2, STC_TXT_MULTIPLE, 2, 0, 0, 0);
    offer(nosemi, 2, STC_TXT_ONE_VALID, 1, 1, 1, STC_TXT_NEAR_NO_SEMI);
    offer(lower, 1, STC_TXT_NONE, 0, 0, 1, STC_TXT_NEAR_CASE);
    offer(space, 1, STC_TXT_NONE, 0, 0, 1, STC_TXT_NEAR_SPACE);
    offer(v2, 1, STC_TXT_NONE, 0, 0, 1, STC_TXT_NEAR_VERSION);
    offer(v10, 2, STC_TXT_NONE, 0, 0, 2, STC_TXT_NEAR_VERSION);
    offer(bad, 1, STC_TXT_ONE_INVALID, 1, 0, 0, 0);
    offer(wsp, 1, STC_TXT_ONE_VALID, 1, 0, 0, 0);
    offer(stem, 3, STC_TXT_NONE, 0, 0, 1, STC_TXT_NEAR_VERSION);
    offer(NULL, 0, STC_TXT_NONE, 0, 0, 0, 0);

    /* the chosen record's parse is kept */
    stc_sts_txt_init(&t);
    CHECK_EQ(stc_sts_txt_offer(&t, (const uint8_t *)"v=STSv1 ; id=abc", 16), STC_TXT_MATCH);
    CHECK_STR(t.rec.id, "abc");
    CHECK_EQ(t.rec.problems, STC_TXT_P_SPACE_SEMI);
    CHECK_EQ(stc_sts_txt_offer(&t, (const uint8_t *)"v=STSv1;id=def", 14), STC_TXT_MATCH);
    CHECK_STR(t.rec.id, "abc"); /* the first candidate */
    /* the classifier alone */
    CHECK_EQ(stc_txtsel_class("v=STSv1", (const uint8_t *)"v=STSv1\t;id=1", 13, &why), STC_TXT_MATCH);
    CHECK_EQ(stc_txtsel_class("v=STSv1", (const uint8_t *)"v=STSv1 id=1", 12, &why), STC_TXT_NEAR);
    CHECK_EQ(why, STC_TXT_NEAR_NO_SEMI);
    CHECK_EQ(stc_txtsel_class("v=STSv1", (const uint8_t *)"", 0, NULL), STC_TXT_OTHER);
}

/* ---- MX patterns (3.2, 4.1) ------------------------------------------------- */

/* patterns - sts-policy-mx-value = ["*."] Domain (RFC 5321 4.1.2) */
static void patterns(void)
{
    static const char *const good[] = {
        "mx.example.com", "*.example.com", "localhost", "xn--bcher-kva.example",
        "123.example", "a-b.example", "*.com", "MX.EXAMPLE.COM",
        "a23456789012345678901234567890123456789012345678901234567890123.example",
    };
    static const char *const bad[] = {
        "", "mx.example.com.", "*.*.example.com", "mx*.example.com", "*", "*.", "-mx.example.com",
        "mx-.example.com", "mx_1.example.com", "mx..example.com", ".example.com", "exa mple.com",
        "*example.com", "**.example.com", "mx.example.com:25", "[192.0.2.1]", "m\xc3\xa9.example",
        "a234567890123456789012345678901234567890123456789012345678901234.example",
    };
    char longest[STC_NAME_MAX + 8];
    size_t i;

    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        vectors++;
        CHECK(stc_sts_mx_pattern_ok(good[i], strlen(good[i])));
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vectors++;
        if (stc_sts_mx_pattern_ok(bad[i], strlen(bad[i])))
            printf("  pattern \"%s\" accepted\n", bad[i]);
        CHECK(!stc_sts_mx_pattern_ok(bad[i], strlen(bad[i])));
    }
    /* 253 characters is the longest name (RFC 1035 2.3.4), with "*." in
     * front too; 254 is too long */
    for (i = 0; i < STC_NAME_MAX; i++)
        longest[i] = (i % 50 == 49) ? '.' : 'a';
    longest[STC_NAME_MAX] = '\0';
    CHECK(stc_sts_mx_pattern_ok(longest, STC_NAME_MAX));
    memmove(longest + 2, longest, STC_NAME_MAX + 1);
    longest[0] = '*';
    longest[1] = '.';
    CHECK(stc_sts_mx_pattern_ok(longest, STC_NAME_MAX + 2));
    longest[STC_NAME_MAX + 2] = 'a';
    CHECK(!stc_sts_mx_pattern_ok(longest, STC_NAME_MAX + 3));
}

/* wildcards - RFC 8461 4.1: "the wildcard character "*" may only be used
 * to match the entire left-most label in the presented identifier. Thus
 * the mx pattern "*.example.com" matches "mail.example.com" but not
 * "example.com" or "foo.bar.example.com"." */
static void wildcards(void)
{
    static const struct {
        const char *pattern, *host;
        int match;
    } v[] = {
        {"*.example.com", "mail.example.com", 1},   /* the RFC's three */
        {"*.example.com", "example.com", 0},
        {"*.example.com", "foo.bar.example.com", 0},
        {"mx.example.com", "mx.example.com", 1},
        {"mx.example.com", "MX.Example.COM", 1},    /* DNS names: case-insensitive */
        {"mx.example.com.", "mx.example.com", 1},   /* trailing dots ignored */
        {"mx.example.com", "mx.example.com.", 1},
        {"*.example.com.", "mx.example.com", 1},
        {"*.Example.Com", "MAIL.EXAMPLE.COM.", 1},
        {"mx.example.com", "mx2.example.com", 0},
        {"mx.example.com", "example.com", 0},
        {"mx.example.com", "a.mx.example.com", 0},
        {"*.example.com", "a.b.example.com", 0},
        {"*.example.com", ".example.com", 0},       /* the label must not be empty */
        {"*.example.com", "mail.example.org", 0},
        {"*.example.com", "mailexample.com", 0},
        {"*.example.com", "*.example.com", 0},      /* a host is never a wildcard */
        {"*.example.com", "mx.example.com.example.com", 0},
        {"*.com", "example.com", 1},                /* what the pattern says */
        {"mx*.example.com", "mx1.example.com", 0},  /* no partial-label wildcards */
        {"*mx.example.com", "amx.example.com", 0},
        {"*", "mx", 0},
        {"*.", "mx.", 0},
        {"", "mx.example.com", 0},
        {"mx.example.com", "", 0},
        {".", ".", 0},
        {"a.b.c", "A.B.C.", 1},
    };
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        vectors++;
        if (stc_sts_mx_match(v[i].pattern, v[i].host) != v[i].match)
            printf("  \"%s\" vs \"%s\"\n", v[i].pattern, v[i].host);
        CHECK_EQ(stc_sts_mx_match(v[i].pattern, v[i].host), v[i].match);
    }
}

/* ---- the policy body (3.2) ------------------------------------------------- */

/* What one policy run produced. */
typedef struct pres {
    int rc;
    stc_sts_policy_t p;
    char mx[1024]; /* "pattern+" (valid) or "pattern-" (not), joined by '|' */
} pres_t;

/* on_mx - record each pattern handed out */
static void on_mx(void *ctx, const char *pattern, size_t len, int valid)
{
    pres_t *r = (pres_t *)ctx;
    size_t k = strlen(r->mx);

    if (strlen(pattern) != len)
        printf("  pattern length %zu != %zu\n", len, strlen(pattern));
    snprintf(r->mx + k, sizeof r->mx - k, "%s%.*s%c", k ? "|" : "", (int)(len > 64 ? 64 : len),
             pattern, valid ? '+' : '-');
}

/* prun - feed body in pieces (0: whole; 1: byte by byte; split: two) */
static void prun(pres_t *r, const uint8_t *body, size_t n, size_t piece, size_t split)
{
    size_t off = 0;

    r->mx[0] = '\0';
    stc_sts_policy_init(&r->p, on_mx, r);
    while (off < n) {
        size_t k = n - off;
        if (piece > 0 && k > piece)
            k = piece;
        if (split > 0 && off < split && k > split - off)
            k = split - off;
        if (stc_sts_policy_feed(&r->p, body + off, k) != STC_OK)
            printf("  feed failed\n");
        off += k;
    }
    r->rc = stc_sts_policy_end(&r->p);
}

/* psame - two runs agree */
static int psame(const pres_t *a, const pres_t *b)
{
    return a->rc == b->rc && a->p.problems == b->p.problems && a->p.mode == b->p.mode &&
           a->p.max_age == b->p.max_age && a->p.lines == b->p.lines &&
           a->p.mx_count == b->p.mx_count && a->p.mx_bad == b->p.mx_bad &&
           a->p.first_bad == b->p.first_bad && a->p.unknown == b->p.unknown &&
           strcmp(a->mx, b->mx) == 0;
}

static pres_t PR, PT;

/* policy_n - every way of feeding; the whole run stays in PR */
static const pres_t *policy_n(const uint8_t *body, size_t n)
{
    size_t k, step = n > 2048 ? 331 : 1;
    int ok = 1;

    vectors++;
    prun(&PR, body, n, 0, 0);
    prun(&PT, body, n, 1, 0);
    ok = psame(&PR, &PT);
    for (k = 1; k < n && ok; k += step) {
        prun(&PT, body, n, 0, k);
        if (!psame(&PR, &PT)) {
            printf("  split at %zu differs\n", k);
            ok = 0;
        }
    }
    CHECK(ok);
    return &PR;
}

static const pres_t *policy(const char *body)
{
    return policy_n((const uint8_t *)body, strlen(body));
}

/* good_policies - the RFC's examples, CRLF and LF, and what the ABNF
 * allows around them */
static void good_policies(void)
{
    const pres_t *r;

    /* "version: STSv1 / mode: enforce / mx: mail.example.com / mx:
     * *.example.net / mx: backupmx.example.com / max_age: 604800" */
    r = policy("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
               "mx: backupmx.example.com\r\nmax_age: 604800\r\n");
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->p.problems, 0);
    CHECK_EQ(r->p.mode, STC_STS_MODE_ENFORCE);
    CHECK_EQ(r->p.max_age, 604800);
    CHECK_EQ(r->p.mx_count, 3);
    CHECK_EQ(r->p.lines, 6);
    CHECK_STR(r->mx, "mail.example.com+|*.example.net+|backupmx.example.com+");
    /* LF line ends (sts-policy-term = LF / CRLF), no final terminator, WSP
     * after the colon or none, trailing WSP */
    r = policy("version:STSv1\nmode:\ttesting \nmx: mx.example.org\t\nmax_age: 86400");
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->p.problems, 0);
    CHECK_EQ(r->p.mode, STC_STS_MODE_TESTING);
    CHECK_EQ(r->p.lines, 4);
    CHECK_STR(r->mx, "mx.example.org+");
    /* order does not matter; mixed line ends */
    r = policy("max_age: 0\r\nmx: a.example\nmode: enforce\r\nversion: STSv1");
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->p.max_age, 0);
    /* mode none needs no mx ("required at least once, except when mode is
     * "none"") and may have some */
    r = policy("version: STSv1\nmode: none\nmax_age: 31557600\n");
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->p.mode, STC_STS_MODE_NONE);
    CHECK_EQ(r->p.max_age, 31557600);
    CHECK_EQ(r->p.mx_count, 0);
    r = policy("version: STSv1\nmode: none\nmax_age: 1\nmx: mx.example.org\n");
    CHECK_EQ(r->rc, STC_OK);
    /* "unknown fields SHALL be ignored": any ext-name, any ext-value,
     * UTF-8 included */
    r = policy("version: STSv1\nmode: enforce\nmx: m.example\nmax_age: 0000086400\n"
               "foo: bar baz\nx_y.z-1: v=1;2\nMode: enforce\nnote: gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80\n"
               "a2345678901234567890123456789012: 1\n");
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->p.problems, 0);
    CHECK_EQ(r->p.max_age, 86400);
    CHECK_EQ(r->p.unknown, 5);
    /* "If any non-repeated field ... is duplicated, all entries except for
     * the first SHALL be ignored" */
    r = policy("version: STSv1\nmode: testing\nmode: enforce\nmx: m.example\nmax_age: 5\n"
               "max_age: 6\nversion: STSv2\n");
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->p.problems, STC_STS_P_DUP_KEY);
    CHECK_EQ(r->p.mode, STC_STS_MODE_TESTING);
    CHECK_EQ(r->p.max_age, 5);
    CHECK_EQ(r->p.first_bad, 0); /* a note, not a problem line */
    /* an empty line: not in the ABNF, harmless, noted */
    r = policy("version: STSv1\r\n\r\nmode: enforce\r\nmx: m.example\r\nmax_age: 86400\r\n\r\n");
    CHECK_EQ(r->rc, STC_OK);
    CHECK_EQ(r->p.problems, STC_STS_P_BLANK_LINE);
    CHECK_EQ(r->p.lines, 6);
}

/* bad_values - every key's bad values */
static void bad_values(void)
{
    static const char *const versions[] = {"STSv2", "stsv1", "STSv1 x", "STSv1;", "", "STSv"};
    static const char *const modes[] = {"Enforce", "enforce x", "", "report", "testing;", "NONE"};
    static const char *const ages[] = {"-1", "1e5", "", "31557601", "99999999999", "0x10",
                                       "86400 s", "+86400", "4294967296"};
    static const char *const ok_ages[] = {"0", "31557600", "0000000001", "86400"};
    static const char *const mxs[] = {"mx.example.com.", "*.*.example.com", "", "mx_1.example.com",
                                      "mx example.com"};
    char body[512];
    const pres_t *r;
    size_t i;

    for (i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        snprintf(body, sizeof body, "version: %s\nmode: none\nmax_age: 1\n", versions[i]);
        r = policy(body);
        CHECK_EQ(r->rc, STC_EPROTO);
        CHECK_EQ(r->p.problems, STC_STS_P_BAD_VERSION);
        CHECK_EQ(r->p.first_bad, 1);
    }
    for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        snprintf(body, sizeof body, "version: STSv1\nmx: m.example\nmode: %s\nmax_age: 1\n", modes[i]);
        r = policy(body);
        CHECK_EQ(r->rc, STC_EPROTO);
        CHECK_EQ(r->p.problems, STC_STS_P_BAD_MODE);
        CHECK_EQ(r->p.mode, STC_STS_MODE_UNSET);
        CHECK_EQ(r->p.first_bad, 3);
    }
    /* max_age: "plain-text non-negative integer seconds, maximum value of
     * 31557600"; sts-policy-max-age-value = 1*10(DIGIT) */
    for (i = 0; i < sizeof ages / sizeof ages[0]; i++) {
        snprintf(body, sizeof body, "version: STSv1\nmode: none\nmax_age: %s\n", ages[i]);
        r = policy(body);
        CHECK_EQ(r->rc, STC_EPROTO);
        CHECK_EQ(r->p.problems, STC_STS_P_BAD_MAX_AGE);
    }
    r = policy("version: STSv1\nmode: none\nmax_age: 63115200\n");
    CHECK_EQ(r->p.max_age, 63115200); /* out of range, kept for the report */
    for (i = 0; i < sizeof ok_ages / sizeof ok_ages[0]; i++) {
        snprintf(body, sizeof body, "version: STSv1\nmode: none\nmax_age: %s\n", ok_ages[i]);
        CHECK_EQ(policy(body)->rc, STC_OK);
    }
    for (i = 0; i < sizeof mxs / sizeof mxs[0]; i++) {
        snprintf(body, sizeof body, "version: STSv1\nmode: enforce\nmax_age: 1\nmx: ok.example\nmx: %s\n",
                 mxs[i]);
        r = policy(body);
        CHECK_EQ(r->rc, STC_EPROTO);
        CHECK_EQ(r->p.problems, STC_STS_P_BAD_MX);
        CHECK_EQ(r->p.mx_count, 2);
        CHECK_EQ(r->p.mx_bad, 1);
        CHECK_EQ(r->p.first_bad, 5);
    }
    CHECK_STR(r->mx, "ok.example+|mx example.com-");
    /* an mx value longer than any name: invalid, cut to what is kept */
    {
        static char big[900];
        size_t k = (size_t)snprintf(big, sizeof big, "version: STSv1\nmode: enforce\nmax_age: 1\nmx: ");
        memset(big + k, 'a', 600);
        big[k + 600] = '\0';
        r = policy(big);
        CHECK_EQ(r->p.problems, STC_STS_P_BAD_MX);
        CHECK_EQ(strlen(r->mx), 64 + 1); /* on_mx prints at most 64 */
    }
    /* a bad first value still counts as the first */
    r = policy("version: STSv1\nmode: none\nmax_age: x\nmax_age: 1\n");
    CHECK_EQ(r->p.problems, STC_STS_P_BAD_MAX_AGE | STC_STS_P_DUP_KEY);
}

/* missing - the required keys */
static void missing(void)
{
    const pres_t *r;

    r = policy("");
    CHECK_EQ(r->rc, STC_EPROTO);
    CHECK_EQ(r->p.problems,
             STC_STS_P_NO_VERSION | STC_STS_P_NO_MODE | STC_STS_P_NO_MAX_AGE | STC_STS_P_NO_MX);
    CHECK_EQ(r->p.lines, 0);
    r = policy("mode: enforce\nmx: m.example\nmax_age: 1\n");
    CHECK_EQ(r->p.problems, STC_STS_P_NO_VERSION);
    r = policy("version: STSv1\nmx: m.example\nmax_age: 1\n");
    CHECK_EQ(r->p.problems, STC_STS_P_NO_MODE); /* it has an mx */
    r = policy("version: STSv1\nmode: testing\nmx: m.example\n");
    CHECK_EQ(r->p.problems, STC_STS_P_NO_MAX_AGE);
    r = policy("version: STSv1\nmode: enforce\nmax_age: 1\n");
    CHECK_EQ(r->p.problems, STC_STS_P_NO_MX);
    r = policy("version: STSv1\nmode: testing\nmax_age: 1\n");
    CHECK_EQ(r->p.problems, STC_STS_P_NO_MX);
    /* an HTML page where the policy should be */
    r = policy("<!DOCTYPE html>\n<html><body>Not here</body></html>\n");
    CHECK(r->p.problems & STC_STS_P_MALFORMED);
    CHECK_EQ(r->p.first_bad, 1);
}

/* malformed - lines that are not "key: value" per the ABNF */
static void malformed(void)
{
    static const char *const lines[] = {
        " mode: enforce",      /* no whitespace before the key */
        "mode : enforce",      /* nor before the colon */
        "mode enforce",        /* no colon */
        ": enforce",           /* no key */
        "_x: 1",               /* ext-name starts with ALPHA / DIGIT */
        "a23456789012345678901234567890123: 1", /* 33 characters */
        "foo:",                /* ext-value needs a vchar */
        "foo: a\tb",           /* only SP inside an ext-value */
        "foo: \xff",           /* not UTF-8 */
        "foo: \xc3",           /* a sequence cut short */
        "foo: \xc0\xaf",       /* overlong */
        "foo: \xed\xa0\x80",   /* a surrogate */
        "foo: \xf4\x90\x80\x80", /* above U+10FFFF */
        "foo: a\x01",          /* a control character */
        "mode: en\x00",        /* NUL in a value (see below) */
        "mx: a.example\rb",    /* a CR that ends no line */
        "\t",
    };
    char body[256];
    const pres_t *r;
    size_t i, n;

    for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        n = (size_t)snprintf(body, sizeof body, "version: STSv1\nmode: none\nmax_age: 1\n%s\nfoo: ok\n",
                             lines[i]);
        if (i == 14) { /* "mode: en" NUL "force" */
            n = (size_t)snprintf(body, sizeof body, "version: STSv1\nmode: none\nmax_age: 1\nx: en");
            memcpy(body + n, "\0force\n", 7);
            n += 7;
        }
        r = policy_n((const uint8_t *)body, n);
        if (!(r->p.problems & STC_STS_P_MALFORMED))
            printf("  line %zu accepted\n", i);
        CHECK_EQ(r->rc, STC_EPROTO);
        CHECK_EQ(r->p.problems, STC_STS_P_MALFORMED);
        CHECK_EQ(r->p.first_bad, 4);
        CHECK_EQ(r->p.mode, STC_STS_MODE_NONE); /* the other lines still count */
    }
    /* a final CR without its LF */
    r = policy("version: STSv1\nmode: none\nmax_age: 1\r");
    CHECK_EQ(r->p.problems, STC_STS_P_MALFORMED | STC_STS_P_NO_MAX_AGE);
}

/* long_lines - a line over STC_STS_LINE_MAX is an error, found without
 * keeping the line */
static void long_lines(void)
{
    static char body[3 * STC_STS_LINE_MAX];
    const pres_t *r;
    size_t k;

    k = (size_t)snprintf(body, sizeof body, "version: STSv1\nmode: none\nmax_age: 1\nnote: ");
    memset(body + k, 'n', STC_STS_LINE_MAX - 6);
    k += STC_STS_LINE_MAX - 6;
    memcpy(body + k, "\n", 2);
    r = policy(body);
    CHECK_EQ(r->rc, STC_OK); /* exactly STC_STS_LINE_MAX */
    memcpy(body + k, "n\n", 3);
    r = policy(body);
    CHECK_EQ(r->rc, STC_EPROTO);
    CHECK_EQ(r->p.problems, STC_STS_P_LINE_TOO_LONG);
    CHECK_EQ(r->p.first_bad, 4);
    /* an mx line far longer: its pattern is never handed out */
    k = (size_t)snprintf(body, sizeof body, "version: STSv1\nmode: enforce\nmax_age: 1\nmx: ");
    memset(body + k, 'm', 2 * STC_STS_LINE_MAX);
    memcpy(body + k + 2 * STC_STS_LINE_MAX, "\nmx: ok.example\n", 17);
    r = policy(body);
    CHECK_EQ(r->p.problems, STC_STS_P_LINE_TOO_LONG);
    CHECK_STR(r->mx, "ok.example+");
    CHECK_EQ(r->p.mx_count, 1);
    CHECK_EQ(r->p.lines, 5);
}

/* streaming - the API around the parser, and the HTTP body feeding it */
static void streaming(void)
{
    static const char resp[] =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
        "10\r\nversion: STSv1\r\n\r\n" /* the chunk ends inside a line */
        "1d\r\nmode: enforce\nmx: *.example.n\r\n"
        "14\r\net\nmax_age: 1209600\n\r\n"
        "0\r\n\r\n";
    stc_sts_policy_t p;
    stc_http_t h;
    size_t used, i;
    int rc = STC_EAGAIN;

    stc_sts_policy_init(&p, NULL, NULL);
    CHECK_EQ(stc_sts_policy_feed(&p, (const uint8_t *)"version: STSv1", 14), STC_OK);
    CHECK_EQ(stc_sts_policy_end(&p), STC_EPROTO);
    CHECK_EQ(stc_sts_policy_end(&p), STC_EPROTO); /* idempotent */
    CHECK_EQ(stc_sts_policy_feed(&p, (const uint8_t *)"x", 1), STC_EINVAL);
    CHECK_EQ(p.lines, 1);

    /* byte by byte through http.c into the policy parser */
    stc_http_init(&h, 0);
    stc_sts_policy_init(&p, NULL, NULL);
    for (i = 0; i < sizeof resp - 1 && rc == STC_EAGAIN; i++)
        rc = stc_http_feed(&h, (const uint8_t *)resp + i, 1, &used, stc_sts_policy_body, &p);
    CHECK_EQ(rc, STC_OK);
    CHECK_EQ(h.mtype, STC_HTTP_MT_TEXT_PLAIN);
    CHECK_EQ(stc_sts_policy_end(&p), STC_OK);
    CHECK_EQ(p.mode, STC_STS_MODE_ENFORCE);
    CHECK_EQ(p.max_age, 1209600);
    CHECK_EQ(p.mx_count, 1);
}

int main(void)
{
    unit_name = "mta_sts";
    RUN(records);
    RUN(selection);
    RUN(patterns);
    RUN(wildcards);
    RUN(good_policies);
    RUN(bad_values);
    RUN(missing);
    RUN(malformed);
    RUN(long_lines);
    RUN(streaming);
    printf("mta_sts: %d vectors (policy bodies whole, byte by byte and split at every offset)\n",
           vectors);
    return unit_done();
}
