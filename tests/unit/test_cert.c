/* test_cert.c - certificate judgement (src/cert.c) over tests/vectors/certs
 *
 * Every vector chain gives an exact set of findings at a fixed "now"
 * (2025-06-01T00:00:00Z), with the test root as the only trust anchor.
 * The vectors are made by tests/vectors/certs/make_certs.sh (fixed dates).
 * Run from the repository root, or give the vector directory as argv[1].
 */
#include "unit.h"

#include "stc_int.h"
#include "engine.h"
#include "fake/fake_port.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1748736000LL /* 2025-06-01T00:00:00Z */
#define HOST "mx.example.test"
#define MAXF 16

static const char *dir = "tests/vectors/certs";
static uint8_t arena[4u << 20];

/* What one judgement reported. */
typedef struct got {
    unsigned n;
    unsigned code[MAXF];
    int32_t detail[MAXF];
} got_t;

/* on_finding - stc_cert_judge's callback */
static void on_finding(void *ctx, unsigned code, int32_t detail)
{
    got_t *g = (got_t *)ctx;
    if (g->n < MAXF) {
        g->code[g->n] = code;
        g->detail[g->n] = detail;
    }
    g->n++;
}

/* load - read a vector file; exits when it is missing */
static uint8_t *load(const char *name, size_t *len)
{
    char path[512];
    FILE *fp;
    long n;
    uint8_t *buf;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    fp = fopen(path, "rb");
    if (!fp) {
        printf("missing vector %s (run make_certs.sh)\n", path);
        exit(2);
    }
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, fp) != (size_t)n)
        exit(2);
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

/* A chain as the verify callback hands it over: DER pointers, and how
 * many certificates the peer sent (more than given = cut by our limit). */
typedef struct tchain {
    unsigned n, sent;
    stc_der_t c[16];
    uint8_t *own[16];
} tchain_t;

/* chain_free - release the loaded certificates */
static void chain_free(tchain_t *ch)
{
    unsigned i;
    for (i = 0; i < ch->n; i++)
        free(ch->own[i]);
    memset(ch, 0, sizeof *ch);
}

/* chain_add_der - append a copy of DER bytes */
static void chain_add_der(tchain_t *ch, const uint8_t *der, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy || ch->n >= 16)
        exit(2);
    memcpy(copy, der, len);
    ch->own[ch->n] = copy;
    ch->c[ch->n].p = copy;
    ch->c[ch->n].n = len;
    ch->n++;
    ch->sent = ch->n;
}

/* make_chain - chain from a space-separated list of vector names (no .der) */
static void make_chain(tchain_t *ch, const char *names)
{
    char buf[256], *tok, *save = NULL;

    chain_free(ch);
    snprintf(buf, sizeof buf, "%s", names);
    for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char file[64];
        size_t len;
        uint8_t *der;
        snprintf(file, sizeof file, "%s.der", tok);
        der = load(file, &len);
        chain_add_der(ch, der, len);
        free(der);
    }
}

/* judge - stc_cert_judge over at most STC_CHAIN_MAX of the chain, as the
 * verify callback calls it */
static int judge(const tchain_t *ch, const char *host, unsigned warn, stc_session_t *s,
                 got_t *g)
{
    memset(s, 0, sizeof *s);
    return stc_cert_judge(ch->c, ch->n < STC_CHAIN_MAX ? ch->n : STC_CHAIN_MAX, ch->sent, host,
                          NOW, warn, s, on_finding, g);
}

/* judge_names - judge the chain of vector names `names` for host */
static int judge_names(const char *names, const char *host, unsigned warn, stc_session_t *s,
                       got_t *g)
{
    tchain_t ch;
    int rc;

    memset(&ch, 0, sizeof ch);
    make_chain(&ch, names);
    memset(g, 0, sizeof *g);
    rc = judge(&ch, host, warn, s, g);
    chain_free(&ch);
    return rc;
}

/* at - index of code in g, or -1 when absent */
static int at(const got_t *g, unsigned code)
{
    unsigned i;
    for (i = 0; i < g->n && i < MAXF; i++)
        if (g->code[i] == code)
            return (int)i;
    return -1;
}

/* expect_impl - judge `names` for host; the findings must be exactly `want`
 * (codes; details given as code,detail pairs where -1 = any detail) */
static void expect_impl(const char *names, const char *host, unsigned warn,
                        stc_session_t *info, const int *want, unsigned nwant, int line)
{
    got_t g;
    stc_session_t tmp;
    unsigned i;
    int ok;

    if (!info)
        info = &tmp;
    CHECK_EQ(judge_names(names, host, warn, info, &g), STC_OK);
    ok = g.n == nwant / 2;
    for (i = 0; i + 1 < nwant; i += 2) {
        int k = at(&g, (unsigned)want[i]);
        if (k < 0 || (want[i + 1] != -1 && g.detail[k] != want[i + 1]))
            ok = 0;
    }
    if (!ok) {
        printf("FAIL line %d: chain \"%s\" host %s:", line, names, host);
        for (i = 0; i < g.n && i < MAXF; i++)
            printf(" %s(%d)", stc_finding_info(g.code[i]) ? stc_finding_info(g.code[i])->name : "?",
                   (int)g.detail[i]);
        printf("\n");
    }
    CHECK(ok);
}

/* EXPECT - findings of a chain: (code, detail) pairs, detail -1 = any */
#define EXPECT(names, host, warn, info, ...)                                   \
    do {                                                                       \
        static const int want_[] = {0, 0, __VA_ARGS__};                        \
        expect_impl(names, host, warn, info, want_ + 2,                        \
                    (unsigned)(sizeof want_ / sizeof want_[0]) - 2, __LINE__);  \
    } while (0)

/* expect_none - a chain without findings */
static void expect_none(const char *names, const char *host, stc_session_t *info, int line)
{
    expect_impl(names, host, 14, info, NULL, 0, line);
}
#define CLEAN(names, host, info) expect_none(names, host, info, __LINE__)

/* anchors - (re)load the trust anchors from a vector file */
static void anchors(const char *file, int format)
{
    size_t len = 0;
    uint8_t *buf = file ? load(file, &len) : NULL;
    CHECK_EQ(stc_tls_global_init(buf, len, format), STC_OK);
    free(buf);
}

/* test_good - the good chain, in every order the peer may send it */
static void test_good(void)
{
    stc_session_t info;

    CLEAN("good int", HOST, &info);
    CHECK_EQ(info.a.cert.trusted, 1);
    CHECK_EQ(info.a.cert.name_ok, 1);
    CHECK_EQ(info.a.cert.key_type, 1);
    CHECK_EQ(info.a.cert.key_bits, 2048);
    CHECK_EQ(info.a.cert.sig_hash, 3);
    CHECK_EQ(info.a.cert.chain_len, 2);
    CHECK_EQ(info.a.cert.not_before, 1704067200LL);
    CHECK_EQ(info.a.cert.not_after, 4102358400LL);
    CHECK_STR(info.subject, "mx.example.test");
    CHECK_STR(info.issuer, "STC Test Intermediate CA");
    CLEAN("good int ca", HOST, &info); /* root sent too */
    CHECK_EQ(info.a.cert.trusted, 1);
    CHECK_EQ(info.a.cert.sig_hash, 3);
    CLEAN("good ca int", HOST, NULL);          /* out of order */
    CLEAN("good rogue_ca int", HOST, NULL);    /* an unrelated extra */
    CLEAN("good int", "MX.Example.Test.", NULL);
    CLEAN("good int", "mail.example.test", NULL);
    CLEAN("good int", "192.0.2.25", &info);    /* iPAddress SAN */
    CHECK_EQ(info.a.cert.name_ok, 1);
    EXPECT("good int", "192.0.2.26", 14, &info, STC_F_CERT_NAME_MISMATCH, 0);
    CHECK_EQ(info.a.cert.name_ok, 0);
    CHECK_EQ(info.a.cert.trusted, 1);
    EXPECT("good", HOST, 14, &info, STC_F_CERT_UNTRUSTED, 0); /* no intermediate */
    CHECK_EQ(info.a.cert.trusted, 0);
    CHECK_EQ(info.a.cert.name_ok, 1);
}

/* test_names - wildcard, wrong name, CN-only */
static void test_names(void)
{
    stc_session_t info;

    CLEAN("wildcard int", HOST, &info);
    CHECK_STR(info.subject, "*.example.test");
    EXPECT("wildcard int", "a.mx.example.test", 14, NULL, STC_F_CERT_NAME_MISMATCH, 0);
    EXPECT("wildcard int", "example.test", 14, NULL, STC_F_CERT_NAME_MISMATCH, 0);
    EXPECT("wrongname int", HOST, 14, &info, STC_F_CERT_NAME_MISMATCH, 0);
    CHECK_EQ(info.a.cert.trusted, 1);
    CHECK_EQ(info.a.cert.name_ok, 0);
    CLEAN("cnonly int", HOST, &info);
    CHECK_EQ(info.a.cert.name_ok, 1);
    EXPECT("cnonly int", "mail.example.test", 14, NULL, STC_F_CERT_NAME_MISMATCH, 0);
    /* The CN is ignored when DNS SANs exist: forged's CN is
     * forged.example.test, its only SAN mx.example.test. */
    EXPECT("forged good int", "forged.example.test", 14, NULL, STC_F_CERT_UNTRUSTED, 0,
           STC_F_CERT_NAME_MISMATCH, 0);
    CLEAN("big int", HOST, &info);
    CLEAN("big int", "host-119.some-long-label-for-padding.example.test", NULL);
}

/* test_dates - expired, not yet valid, expiring soon; an expired
 * intermediate still chains (dates are judged apart) */
static void test_dates(void)
{
    stc_session_t info;

    EXPECT("expired int", HOST, 14, &info, STC_F_CERT_EXPIRED, 1612);
    CHECK_EQ(info.a.cert.trusted, 1);
    EXPECT("notyet int", HOST, 14, NULL, STC_F_CERT_NOT_YET_VALID, 23590);
    EXPECT("soon int", HOST, 14, NULL, STC_F_CERT_EXPIRES_SOON, 9);
    EXPECT("soon int", HOST, 9, NULL, STC_F_CERT_EXPIRES_SOON, 9);
    expect_impl("soon int", HOST, 8, NULL, NULL, 0, __LINE__);
    EXPECT("under_expired int_expired", HOST, 14, &info, STC_F_CERT_EXPIRED, 1612);
    CHECK_EQ(info.a.cert.trusted, 1);
}

/* test_keys_sigs - small keys, SHA-1, ECDSA */
static void test_keys_sigs(void)
{
    stc_session_t info;

    EXPECT("rsa1024 int", HOST, 14, &info, STC_F_CERT_WEAK_KEY, 1024);
    CHECK_EQ(info.a.cert.key_bits, 1024);
    EXPECT("sha1 int", HOST, 14, &info, STC_F_CERT_WEAK_SIGNATURE, 2);
    CHECK_EQ(info.a.cert.sig_hash, 2);
    CLEAN("ecdsa int", HOST, &info);
    CHECK_EQ(info.a.cert.key_type, 2);
    CHECK_EQ(info.a.cert.key_bits, 256);
    CHECK_EQ(info.a.cert.sig_hash, 3);
}

/* test_trust - what must not verify */
static void test_trust(void)
{
    stc_session_t info;

    EXPECT("selfsigned", HOST, 14, &info, STC_F_CERT_UNTRUSTED, 0, STC_F_CERT_SELF_SIGNED, 0);
    CHECK_EQ(info.a.cert.trusted, 0);
    CHECK_EQ(info.a.cert.name_ok, 1);
    EXPECT("selfsigned", "other.example.net", 14, NULL, STC_F_CERT_UNTRUSTED, 0,
           STC_F_CERT_SELF_SIGNED, 0, STC_F_CERT_NAME_MISMATCH, 0);
    EXPECT("rogue rogue_ca", HOST, 14, NULL, STC_F_CERT_UNTRUSTED, 0);
    /* int's pathlen:0 forbids subca. */
    EXPECT("under_subca subca int", HOST, 14, &info, STC_F_CERT_UNTRUSTED, 0);
    CHECK_EQ(info.a.cert.trusted, 0);
    /* Good signature by a key whose certificate is not a CA. */
    EXPECT("forged good int", HOST, 14, &info, STC_F_CERT_UNTRUSTED, 0);
    CHECK_STR(info.subject, "forged.example.test");
    /* Each problem separately. */
    EXPECT("multi rogue_ca", HOST, 14, &info, STC_F_CERT_UNTRUSTED, 0,
           STC_F_CERT_NAME_MISMATCH, 0, STC_F_CERT_EXPIRED, 1612, STC_F_CERT_WEAK_KEY, 1024,
           STC_F_CERT_WEAK_SIGNATURE, 2);
    CHECK_EQ(info.a.cert.key_bits, 1024);
    CHECK_EQ(info.a.cert.sig_hash, 2);
    CHECK_STR(info.issuer, "STC Rogue Root CA");
}

/* test_damage - empty, cut, tampered and unparsable chains */
static void test_damage(void)
{
    tchain_t ch;
    got_t g;
    stc_session_t info;
    size_t len;
    uint8_t *der;

    memset(&ch, 0, sizeof ch);
    memset(&g, 0, sizeof g);
    CHECK_EQ(judge(&ch, HOST, 14, &info, &g), STC_OK);
    CHECK_EQ(g.n, 1);
    CHECK_EQ(g.code[0], STC_F_CERT_NONE);

    /* More sent than we judge, but what we judge reaches an anchor: fine */
    make_chain(&ch, "good int");
    ch.sent = 5;
    memset(&g, 0, sizeof g);
    CHECK_EQ(judge(&ch, HOST, 14, &info, &g), STC_OK);
    CHECK_EQ(g.n, 0);
    CHECK_EQ(info.a.cert.chain_len, 5);
    CHECK_EQ(info.chain.cut, 1);

    /* A flipped bit in the leaf's signature. */
    make_chain(&ch, "good int");
    ch.own[0][ch.c[0].n - 10] ^= 0x01;
    memset(&g, 0, sizeof g);
    CHECK_EQ(judge(&ch, HOST, 14, &info, &g), STC_OK);
    CHECK_EQ(g.n, 1);
    CHECK(at(&g, STC_F_CERT_UNTRUSTED) == 0);
    CHECK_EQ(info.chain.linked, 1); /* the leaf links to nothing */

    /* Garbage leaf: only the parse error. */
    chain_free(&ch);
    chain_add_der(&ch, (const uint8_t *)"\x30\x03\x02\x01\x05", 5);
    der = load("int.der", &len);
    chain_add_der(&ch, der, len);
    memset(&g, 0, sizeof g);
    CHECK_EQ(judge(&ch, HOST, 14, &info, &g), STC_OK);
    CHECK_EQ(g.n, 1);
    CHECK(at(&g, STC_F_CERT_PARSE) == 0);
    CHECK_EQ(g.detail[0], -140); /* ASN_PARSE_E */
    CHECK_EQ(info.a.cert.trusted, 0);

    /* Garbage intermediate: judged on the rest, and the parse error. */
    make_chain(&ch, "good");
    chain_add_der(&ch, der, len / 2);
    memset(&g, 0, sizeof g);
    CHECK_EQ(judge(&ch, HOST, 14, &info, &g), STC_OK);
    CHECK_EQ(g.n, 2);
    CHECK(at(&g, STC_F_CERT_UNTRUSTED) == 0);
    CHECK(at(&g, STC_F_CERT_PARSE) == 1);
    CHECK(g.detail[1] < 0);
    free(der);

    /* Longer than STC_CHAIN_MAX and the issuer is past the cut: the
     * checker's limit, never "untrusted" */
    {
        char names[256] = "good";
        unsigned i;
        for (i = 0; i < STC_CHAIN_MAX; i++)
            strcat(names, " rogue_ca");
        strcat(names, " int");
        make_chain(&ch, names);
    }
    memset(&g, 0, sizeof g);
    CHECK_EQ(judge(&ch, HOST, 14, &info, &g), STC_OK);
    CHECK_EQ(g.n, 1);
    CHECK(at(&g, STC_F_CERT_CHAIN_TRUNCATED) == 0);
    CHECK_EQ(g.detail[0], STC_CHAIN_MAX + 2);
    CHECK(stc_finding_info(STC_F_CERT_CHAIN_TRUNCATED)->ours);
    chain_free(&ch);
}

/* hex_eq - 32 digest bytes equal to 64 hex digits */
static int hex_eq(const uint8_t *d, const char *hex)
{
    unsigned i, v;
    for (i = 0; i < 32; i++) {
        if (sscanf(hex + 2 * i, "%2x", &v) != 1 || d[i] != v)
            return 0;
    }
    return 1;
}

/* test_dane_facts - digests (expected values from openssl: sha256sum of
 * the DER; `openssl x509 -pubkey | openssl pkey -pubin -outform DER` for
 * the SPKI; sha512 then sha256 for the SHA-512 forms) and verified links */
static void test_dane_facts(void)
{
    stc_session_t s;

    CLEAN("good int", HOST, &s);
    CHECK_EQ(s.chain.n, 2);
    CHECK(hex_eq(s.chain.c[0].d[0], "95a06e227d389cda4e41ad233cbe13af2f02214030c4c82eca6f46e2603d940d"));
    CHECK(hex_eq(s.chain.c[0].d[1], "d8678429552063e4de30cfd76bd0a81f31ff8eab8390c22a89915ac466e2b841"));
    CHECK(hex_eq(s.chain.c[0].d[2], "60156271f53552ae2c00983b2237bf0a27bed302622709eef1a156d6284d5d31"));
    CHECK(hex_eq(s.chain.c[0].d[3], "65e93a338749291f8af655f4dea032b1eb7fa92bd7476d3cdb4a6f7f69e64494"));
    CHECK(hex_eq(s.chain.c[1].d[0], "31382f4faf168ccbe9085f017aa5bd0b0d45d8bf8e9def3a4393d4ebc18823df"));
    CHECK(hex_eq(s.chain.c[1].d[1], "0279239f00b1f33141a4a14d5c501c55bc5f397fdd73479eace27512a1023915"));
    CHECK(hex_eq(s.chain.c[1].d[2], "577a0674369f6f735a4ada94f81e9e58a63ab41de6c214de34e22a7174bf6554"));
    CHECK(hex_eq(s.chain.c[1].d[3], "82dd39418a38285a5e6e1771e88eed45e1c0937ec3e868987d89577d17b56922"));
    CHECK_EQ(s.chain.linked, 0x3); /* leaf -> int verified */
    CHECK_EQ(s.chain.dated, 0x3);
    CLEAN("good int ca", HOST, &s);
    CHECK_EQ(s.chain.linked, 0x7); /* up to the root sent */
    CLEAN("good rogue_ca int", HOST, &s);
    CHECK_EQ(s.chain.linked, 0x5); /* the unrelated CA is not on the path */
    /* a CA certificate sent beside a leaf it did not sign is not linked */
    EXPECT("good rogue_ca", HOST, 14, &s, STC_F_CERT_UNTRUSTED, 0);
    CHECK_EQ(s.chain.linked, 0x1);
    EXPECT("expired int", HOST, 14, &s, STC_F_CERT_EXPIRED, 1612);
    CHECK_EQ(s.chain.dated, 0x2);
    CHECK_EQ(s.chain.linked, 0x3);
}

/* test_anchors - no anchors, a pinned self-signed leaf, DER anchors */
static void test_anchors(void)
{
    stc_session_t info;

    anchors(NULL, STC_TA_PEM);
    CHECK_EQ(stc_tls_have_anchors(), 0);
    EXPECT("good int", HOST, 14, &info, STC_F_CERT_NO_ANCHORS, 0);
    CHECK_EQ(info.a.cert.trusted, 0);
    EXPECT("selfsigned", HOST, 14, NULL, STC_F_CERT_NO_ANCHORS, 0, STC_F_CERT_SELF_SIGNED, 0);
    EXPECT("expired int", HOST, 14, NULL, STC_F_CERT_NO_ANCHORS, 0, STC_F_CERT_EXPIRED, 1612);

    anchors("selfsigned.pem", STC_TA_PEM);
    CLEAN("selfsigned", HOST, &info);
    CHECK_EQ(info.a.cert.trusted, 1);
    EXPECT("good int", HOST, 14, NULL, STC_F_CERT_UNTRUSTED, 0);

    anchors("ca.der", STC_TA_DER);
    CHECK_EQ(stc_tls_have_anchors(), 1);
    CLEAN("good int", HOST, NULL);

    /* A PEM bundle of several anchors. */
    {
        size_t a, b;
        uint8_t *x = load("rogue_ca.pem", &a), *y = load("ca.pem", &b);
        uint8_t *both = malloc(a + b);
        memcpy(both, x, a);
        memcpy(both + a, y, b);
        CHECK_EQ(stc_tls_global_init(both, a + b, STC_TA_PEM), STC_OK);
        CLEAN("good int", HOST, NULL);
        CLEAN("rogue rogue_ca", HOST, NULL);
        free(x);
        free(y);
        free(both);
    }
    /* A bundle with one certificate this wolfSSL cannot read keeps the
     * others; a buffer with none is an error and leaves no anchors. */
    {
        static const char junk[] = "-----BEGIN CERTIFICATE-----\nAAAA\n"
                                   "-----END CERTIFICATE-----\n";
        size_t b;
        uint8_t *y = load("ca.pem", &b);
        uint8_t *both = malloc(sizeof junk - 1 + b);
        memcpy(both, junk, sizeof junk - 1);
        memcpy(both + sizeof junk - 1, y, b);
        CHECK_EQ(stc_tls_global_init(both, sizeof junk - 1 + b, STC_TA_PEM), STC_OK);
        CHECK_EQ(stc_tls_have_anchors(), 1);
        CLEAN("good int", HOST, NULL);
        CHECK_EQ(stc_tls_global_init((const uint8_t *)junk, sizeof junk - 1, STC_TA_PEM),
                 STC_ETLS);
        CHECK_EQ(stc_tls_have_anchors(), 0);
        EXPECT("good int", HOST, 14, NULL, STC_F_CERT_NO_ANCHORS, 0);
        free(y);
        free(both);
    }
    anchors("ca.pem", STC_TA_PEM);
}

/* test_memory - every allocation failure is STC_ENOMEM with no findings */
static void test_memory(void)
{
    tchain_t ch;
    got_t g;
    stc_session_t info;
    stc_arena_stats_t s;
    unsigned long before, used, k;
    unsigned bad = 0;
    size_t base;

    memset(&ch, 0, sizeof ch);
    make_chain(&ch, "good int ca");
    stc_arena_stats(&s);
    base = s.in_use;
    stc_arena_reset_peak();
    before = stc_arena_allocs();
    memset(&g, 0, sizeof g);
    CHECK_EQ(judge(&ch, HOST, 14, &info, &g), STC_OK);
    used = stc_arena_allocs() - before;
    stc_arena_stats(&s);
    CHECK_EQ(s.in_use, base); /* nothing left behind */
    printf("cert judge (3 certs): %lu allocations, peak %zu bytes above the anchors\n", used,
           s.peak - base);
    CHECK(used > 0);
    for (k = 1; k <= used; k++) {
        int rc;
        stc_arena_fail_after(k);
        memset(&g, 0, sizeof g);
        rc = judge(&ch, HOST, 14, &info, &g);
        stc_arena_fail_after(0);
        if (rc != STC_ENOMEM || g.n != 0)
            bad++;
        stc_arena_stats(&s);
        if (s.in_use != base)
            bad++;
    }
    CHECK_EQ(bad, 0);
    memset(&g, 0, sizeof g);
    CHECK_EQ(judge(&ch, HOST, 14, &info, &g), STC_OK);
    CHECK_EQ(g.n, 0);
    chain_free(&ch);
}

static stc_engine_t ceng;

/* cached - judge `names` for host through ceng's cache into a fresh *s */
static int cached(const char *names, const char *host, unsigned sent, stc_session_t *s)
{
    tchain_t ch;
    int rc;
    memset(&ch, 0, sizeof ch);
    make_chain(&ch, names);
    if (sent)
        ch.sent = sent;
    memset(s, 0, sizeof *s);
    rc = stc_cert_judge_cached(&ceng, ch.c, ch.n < STC_CHAIN_MAX ? ch.n : STC_CHAIN_MAX,
                               ch.sent, host, NOW, 14, s);
    chain_free(&ch);
    return rc;
}

/* same_facts - two judgements say the same (facts, texts, findings) */
static int same_facts(const stc_session_t *a, const stc_session_t *b)
{
    unsigned i;
    if (memcmp(&a->a.cert, &b->a.cert, sizeof a->a.cert) != 0 ||
        memcmp(&a->chain, &b->chain, sizeof a->chain) != 0 || strcmp(a->subject, b->subject) ||
        strcmp(a->issuer, b->issuer) || a->a.nfindings != b->a.nfindings)
        return 0;
    for (i = 0; i < a->a.nfindings; i++)
        if (a->a.findings[i].code != b->a.findings[i].code ||
            a->a.findings[i].detail != b->a.findings[i].detail)
            return 0;
    return 1;
}

/* same_fresh - the cached judgement *s says what stc_cert_judge says of
 * chain `names` for host (facts, texts, findings in their order) */
static int same_fresh(const char *names, const char *host, const stc_session_t *s)
{
    static stc_session_t f;
    got_t g;
    unsigned i;
    int same = judge_names(names, host, 14, &f, &g) == STC_OK;

    same = same && memcmp(&f.a.cert, &s->a.cert, sizeof f.a.cert) == 0 &&
           memcmp(&f.chain, &s->chain, sizeof f.chain) == 0 && !strcmp(f.subject, s->subject) &&
           !strcmp(f.issuer, s->issuer) && g.n == s->a.nfindings;
    for (i = 0; same && i < g.n; i++)
        same = g.code[i] == s->a.findings[i].code && g.detail[i] == s->a.findings[i].detail;
    return same;
}

/* test_cache - a chain judged once serves the same chain again (for any
 * name: the name is checked on the leaf each time) within cache_age with
 * the facts and findings a fresh judgement gives; another certificate
 * count sent, an older entry, cache_age 0 or no engine: judged afresh */
static void test_cache(void)
{
    static stc_session_t s1, s2, s3;
    stc_options_t o;
    got_t g;
    tchain_t ch;

    fake_reset();
    fake_resolver("192.0.2.53");
    stc_options_default(&o);
    CHECK_EQ(stc_engine_init(&ceng, fake_port(), &o), STC_OK);
    CHECK_EQ(cached("expired int", HOST, 0, &s1), STC_OK);
    CHECK_EQ(ceng.cert_hits, 0);
    CHECK_EQ(s1.a.nfindings, 1);
    CHECK_EQ(s1.a.findings[0].code, STC_F_CERT_EXPIRED);
    CHECK_EQ(s1.a.findings[0].detail, 1612);
    /* what the cache gives back is what cert.c says of the chain */
    CHECK_EQ(judge_names("expired int", HOST, 14, &s3, &g), STC_OK);
    CHECK_EQ(g.n, 1);
    CHECK(memcmp(&s3.a.cert, &s1.a.cert, sizeof s1.a.cert) == 0);
    CHECK(memcmp(&s3.chain, &s1.chain, sizeof s1.chain) == 0);

    CHECK_EQ(cached("expired int", HOST, 0, &s2), STC_OK);
    CHECK_EQ(ceng.cert_hits, 1);
    CHECK(same_facts(&s1, &s2));
    CHECK_EQ(cached("expired int", "MX.Example.Test.", 0, &s2), STC_OK);
    CHECK_EQ(ceng.cert_hits, 2);
    CHECK(same_facts(&s1, &s2));

    /* another name: the same entry (a provider's mx1 and mx2 sending one
     * chain), the name checked on the leaf; what a fresh judgement says */
    CHECK_EQ(cached("expired int", "other.example.test", 0, &s2), STC_OK);
    CHECK_EQ(ceng.cert_hits, 3);
    CHECK_EQ(s2.a.nfindings, 2);
    CHECK_EQ(s2.a.cert.name_ok, 0);
    CHECK(same_fresh("expired int", "other.example.test", &s2));
    CHECK_EQ(cached("expired int", HOST, 9, &s2), STC_OK); /* more were sent: cut by us */
    CHECK_EQ(ceng.cert_hits, 3);
    CHECK_EQ(s2.a.cert.chain_len, 9);
    CHECK_EQ(cached("good int", HOST, 0, &s2), STC_OK); /* another chain */
    CHECK_EQ(ceng.cert_hits, 3);
    CHECK_EQ(s2.a.nfindings, 0);

    fake_advance(o.cache_age * 1000u); /* the first entry is now too old */
    CHECK_EQ(cached("expired int", HOST, 0, &s2), STC_OK);
    CHECK_EQ(ceng.cert_hits, 3);
    CHECK(same_facts(&s1, &s2));
    CHECK_EQ(cached("expired int", HOST, 0, &s2), STC_OK); /* judged anew, kept anew */
    CHECK_EQ(ceng.cert_hits, 4);

    /* several problems: the name's finding in the place a fresh judgement
     * gives it, whichever name came first; a name that passes after one
     * that failed and the reverse; an IP literal (no CN fallback) */
    {
        static const char *const chains[] = {"multi rogue_ca", "selfsigned", "cnonly int",
                                             "good int"};
        static const char *const names[] = {HOST, "other.example.net", "MX.example.TEST.",
                                            "192.0.2.25", HOST};
        size_t c, k;
        uint32_t h0 = ceng.cert_hits;
        for (c = 0; c < sizeof chains / sizeof chains[0]; c++)
            for (k = 0; k < sizeof names / sizeof names[0]; k++) {
                CHECK_EQ(cached(chains[c], names[k], 0, &s2), STC_OK);
                CHECK(same_fresh(chains[c], names[k], &s2));
            }
        /* the first name of each chain judged it; the other four were hits */
        CHECK_EQ(ceng.cert_hits - h0, 4 * 4);
    }

    o.cache_age = 0;
    CHECK_EQ(stc_engine_init(&ceng, fake_port(), &o), STC_OK);
    CHECK_EQ(cached("expired int", HOST, 0, &s2), STC_OK);
    CHECK_EQ(cached("expired int", HOST, 0, &s2), STC_OK);
    CHECK_EQ(ceng.cert_hits, 0);
    CHECK(same_facts(&s1, &s2));

    memset(&ch, 0, sizeof ch); /* no engine: the judgement itself */
    make_chain(&ch, "expired int");
    memset(&s2, 0, sizeof s2);
    CHECK_EQ(stc_cert_judge_cached(NULL, ch.c, ch.n, ch.sent, HOST, NOW, 14, &s2), STC_OK);
    chain_free(&ch);
    CHECK(same_facts(&s1, &s2));
}

int main(int argc, char **argv)
{
    stc_arena_stats_t s;

    unit_name = "test_cert";
    if (argc > 1)
        dir = argv[1];
    if (stc_arena_init(arena, sizeof arena) != STC_OK) {
        printf("arena init failed\n");
        return 1;
    }
    anchors("ca.pem", STC_TA_PEM);
    CHECK_EQ(stc_tls_have_anchors(), 1);
    RUN(test_good);
    RUN(test_names);
    RUN(test_dates);
    RUN(test_keys_sigs);
    RUN(test_trust);
    RUN(test_damage);
    RUN(test_dane_facts);
    RUN(test_anchors);
    RUN(test_memory);
    RUN(test_cache);
    stc_tls_global_free();
    stc_arena_stats(&s);
    printf("arena after global free: %zu bytes in use\n", s.in_use);
    CHECK_EQ(s.in_use, 0);
    return unit_done();
}
