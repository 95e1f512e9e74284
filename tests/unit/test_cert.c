/* test_cert.c - certificate judgement (src/cert.c) over tests/vectors/certs
 *
 * Every vector chain gives an exact set of findings at a fixed "now"
 * (2025-06-01T00:00:00Z), with the test root as the only trust anchor.
 * The vectors are made by tests/vectors/certs/make_certs.sh (fixed dates).
 * Run from the repository root, or give the vector directory as argv[1].
 */
#include "unit.h"

#include "stc_int.h"

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

/* chain_add_der - append DER bytes to a chain (sets truncated when full) */
static void chain_add_der(stc_chain_t *ch, const uint8_t *der, size_t len)
{
    size_t used = ch->n ? (size_t)ch->off[ch->n - 1] + ch->len[ch->n - 1] : 0;
    if (ch->n >= STC_CHAIN_MAX || len > sizeof ch->buf - used) {
        ch->truncated = 1;
        return;
    }
    memcpy(ch->buf + used, der, len);
    ch->off[ch->n] = (uint16_t)used;
    ch->len[ch->n] = (uint16_t)len;
    ch->n++;
}

/* make_chain - chain from a space-separated list of vector names (no .der) */
static void make_chain(stc_chain_t *ch, const char *names)
{
    char buf[256], *tok, *save = NULL;

    memset(ch, 0, sizeof *ch);
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
                        stc_cert_info_t *info, const int *want, unsigned nwant, int line)
{
    stc_chain_t ch;
    got_t g;
    stc_cert_info_t tmp;
    unsigned i;
    int ok;

    make_chain(&ch, names);
    memset(&g, 0, sizeof g);
    if (!info)
        info = &tmp;
    CHECK_EQ(stc_cert_judge(&ch, host, NOW, warn, info, on_finding, &g), STC_OK);
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
static void expect_none(const char *names, const char *host, stc_cert_info_t *info, int line)
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
    stc_cert_info_t info;

    CLEAN("good int", HOST, &info);
    CHECK_EQ(info.trusted, 1);
    CHECK_EQ(info.name_ok, 1);
    CHECK_EQ(info.key_type, 1);
    CHECK_EQ(info.key_bits, 2048);
    CHECK_EQ(info.sig_hash, 3);
    CHECK_EQ(info.chain_len, 2);
    CHECK_EQ(info.not_before, 1704067200LL);
    CHECK_EQ(info.not_after, 4102358400LL);
    CHECK_STR(info.subject, "mx.example.test");
    CHECK_STR(info.issuer, "STC Test Intermediate CA");
    CLEAN("good int ca", HOST, &info); /* root sent too */
    CHECK_EQ(info.trusted, 1);
    CHECK_EQ(info.sig_hash, 3);
    CLEAN("good ca int", HOST, NULL);          /* out of order */
    CLEAN("good rogue_ca int", HOST, NULL);    /* an unrelated extra */
    CLEAN("good int", "MX.Example.Test.", NULL);
    CLEAN("good int", "mail.example.test", NULL);
    CLEAN("good int", "192.0.2.25", &info);    /* iPAddress SAN */
    CHECK_EQ(info.name_ok, 1);
    EXPECT("good int", "192.0.2.26", 14, &info, STC_F_CERT_NAME_MISMATCH, 0);
    CHECK_EQ(info.name_ok, 0);
    CHECK_EQ(info.trusted, 1);
    EXPECT("good", HOST, 14, &info, STC_F_CERT_UNTRUSTED, 0); /* no intermediate */
    CHECK_EQ(info.trusted, 0);
    CHECK_EQ(info.name_ok, 1);
}

/* test_names - wildcard, wrong name, CN-only */
static void test_names(void)
{
    stc_cert_info_t info;

    CLEAN("wildcard int", HOST, &info);
    CHECK_STR(info.subject, "*.example.test");
    EXPECT("wildcard int", "a.mx.example.test", 14, NULL, STC_F_CERT_NAME_MISMATCH, 0);
    EXPECT("wildcard int", "example.test", 14, NULL, STC_F_CERT_NAME_MISMATCH, 0);
    EXPECT("wrongname int", HOST, 14, &info, STC_F_CERT_NAME_MISMATCH, 0);
    CHECK_EQ(info.trusted, 1);
    CHECK_EQ(info.name_ok, 0);
    CLEAN("cnonly int", HOST, &info);
    CHECK_EQ(info.name_ok, 1);
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
    stc_cert_info_t info;

    EXPECT("expired int", HOST, 14, &info, STC_F_CERT_EXPIRED, 1612);
    CHECK_EQ(info.trusted, 1);
    EXPECT("notyet int", HOST, 14, NULL, STC_F_CERT_NOT_YET_VALID, 23590);
    EXPECT("soon int", HOST, 14, NULL, STC_F_CERT_EXPIRES_SOON, 9);
    EXPECT("soon int", HOST, 9, NULL, STC_F_CERT_EXPIRES_SOON, 9);
    expect_impl("soon int", HOST, 8, NULL, NULL, 0, __LINE__);
    EXPECT("under_expired int_expired", HOST, 14, &info, STC_F_CERT_EXPIRED, 1612);
    CHECK_EQ(info.trusted, 1);
}

/* test_keys_sigs - small keys, SHA-1, ECDSA */
static void test_keys_sigs(void)
{
    stc_cert_info_t info;

    EXPECT("rsa1024 int", HOST, 14, &info, STC_F_CERT_WEAK_KEY, 1024);
    CHECK_EQ(info.key_bits, 1024);
    EXPECT("sha1 int", HOST, 14, &info, STC_F_CERT_WEAK_SIGNATURE, 2);
    CHECK_EQ(info.sig_hash, 2);
    CLEAN("ecdsa int", HOST, &info);
    CHECK_EQ(info.key_type, 2);
    CHECK_EQ(info.key_bits, 256);
    CHECK_EQ(info.sig_hash, 3);
}

/* test_trust - what must not verify */
static void test_trust(void)
{
    stc_cert_info_t info;

    EXPECT("selfsigned", HOST, 14, &info, STC_F_CERT_UNTRUSTED, 0, STC_F_CERT_SELF_SIGNED, 0);
    CHECK_EQ(info.trusted, 0);
    CHECK_EQ(info.name_ok, 1);
    EXPECT("selfsigned", "other.example.net", 14, NULL, STC_F_CERT_UNTRUSTED, 0,
           STC_F_CERT_SELF_SIGNED, 0, STC_F_CERT_NAME_MISMATCH, 0);
    EXPECT("rogue rogue_ca", HOST, 14, NULL, STC_F_CERT_UNTRUSTED, 0);
    /* int's pathlen:0 forbids subca. */
    EXPECT("under_subca subca int", HOST, 14, &info, STC_F_CERT_UNTRUSTED, 0);
    CHECK_EQ(info.trusted, 0);
    /* Good signature by a key whose certificate is not a CA. */
    EXPECT("forged good int", HOST, 14, &info, STC_F_CERT_UNTRUSTED, 0);
    CHECK_STR(info.subject, "forged.example.test");
    /* Each problem separately. */
    EXPECT("multi rogue_ca", HOST, 14, &info, STC_F_CERT_UNTRUSTED, 0,
           STC_F_CERT_NAME_MISMATCH, 0, STC_F_CERT_EXPIRED, 1612, STC_F_CERT_WEAK_KEY, 1024,
           STC_F_CERT_WEAK_SIGNATURE, 2);
    CHECK_EQ(info.key_bits, 1024);
    CHECK_EQ(info.sig_hash, 2);
    CHECK_STR(info.issuer, "STC Rogue Root CA");
}

/* test_damage - empty, truncated, tampered and unparsable chains */
static void test_damage(void)
{
    stc_chain_t ch;
    got_t g;
    stc_cert_info_t info;
    size_t len;
    uint8_t *der;

    memset(&ch, 0, sizeof ch);
    memset(&g, 0, sizeof g);
    CHECK_EQ(stc_cert_judge(&ch, HOST, NOW, 14, &info, on_finding, &g), STC_OK);
    CHECK_EQ(g.n, 1);
    CHECK_EQ(g.code[0], STC_F_CERT_NONE);

    make_chain(&ch, "good int");
    ch.truncated = 1;
    memset(&g, 0, sizeof g);
    CHECK_EQ(stc_cert_judge(&ch, HOST, NOW, 14, &info, on_finding, &g), STC_OK);
    CHECK_EQ(g.n, 1);
    CHECK(at(&g, STC_F_CERT_CHAIN_TRUNCATED) == 0);

    /* A flipped bit in the leaf's signature. */
    make_chain(&ch, "good int");
    ch.buf[ch.off[0] + ch.len[0] - 10] ^= 0x01;
    memset(&g, 0, sizeof g);
    CHECK_EQ(stc_cert_judge(&ch, HOST, NOW, 14, &info, on_finding, &g), STC_OK);
    CHECK_EQ(g.n, 1);
    CHECK(at(&g, STC_F_CERT_UNTRUSTED) == 0);

    /* Garbage leaf: only the parse error. */
    memset(&ch, 0, sizeof ch);
    chain_add_der(&ch, (const uint8_t *)"\x30\x03\x02\x01\x05", 5);
    der = load("int.der", &len);
    chain_add_der(&ch, der, len);
    memset(&g, 0, sizeof g);
    CHECK_EQ(stc_cert_judge(&ch, HOST, NOW, 14, &info, on_finding, &g), STC_OK);
    CHECK_EQ(g.n, 1);
    CHECK(at(&g, STC_F_CERT_PARSE) == 0);
    CHECK_EQ(g.detail[0], -140); /* ASN_PARSE_E */
    CHECK_EQ(info.trusted, 0);

    /* Garbage intermediate: judged on the rest, and the parse error. */
    make_chain(&ch, "good");
    chain_add_der(&ch, der, len / 2);
    memset(&g, 0, sizeof g);
    CHECK_EQ(stc_cert_judge(&ch, HOST, NOW, 14, &info, on_finding, &g), STC_OK);
    CHECK_EQ(g.n, 2);
    CHECK(at(&g, STC_F_CERT_UNTRUSTED) == 0);
    CHECK(at(&g, STC_F_CERT_PARSE) == 1);
    CHECK(g.detail[1] < 0);
    free(der);

    /* Chain longer than STC_CHAIN_MAX as built by the verify callback. */
    make_chain(&ch, "good int int int int int int int");
    CHECK_EQ(ch.truncated, 1);
    memset(&g, 0, sizeof g);
    CHECK_EQ(stc_cert_judge(&ch, HOST, NOW, 14, &info, on_finding, &g), STC_OK);
    CHECK_EQ(g.n, 1);
    CHECK(at(&g, STC_F_CERT_CHAIN_TRUNCATED) == 0);
}

/* test_anchors - no anchors, a pinned self-signed leaf, DER anchors */
static void test_anchors(void)
{
    stc_cert_info_t info;

    anchors(NULL, STC_TA_PEM);
    CHECK_EQ(stc_tls_have_anchors(), 0);
    EXPECT("good int", HOST, 14, &info, STC_F_CERT_NO_ANCHORS, 0);
    CHECK_EQ(info.trusted, 0);
    EXPECT("selfsigned", HOST, 14, NULL, STC_F_CERT_NO_ANCHORS, 0, STC_F_CERT_SELF_SIGNED, 0);
    EXPECT("expired int", HOST, 14, NULL, STC_F_CERT_NO_ANCHORS, 0, STC_F_CERT_EXPIRED, 1612);

    anchors("selfsigned.pem", STC_TA_PEM);
    CLEAN("selfsigned", HOST, &info);
    CHECK_EQ(info.trusted, 1);
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
    stc_chain_t ch;
    got_t g;
    stc_cert_info_t info;
    stc_arena_stats_t s;
    unsigned long before, used, k;
    unsigned bad = 0;
    size_t base;

    make_chain(&ch, "good int ca");
    stc_arena_stats(&s);
    base = s.in_use;
    stc_arena_reset_peak();
    before = stc_arena_allocs();
    memset(&g, 0, sizeof g);
    CHECK_EQ(stc_cert_judge(&ch, HOST, NOW, 14, &info, on_finding, &g), STC_OK);
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
        rc = stc_cert_judge(&ch, HOST, NOW, 14, &info, on_finding, &g);
        stc_arena_fail_after(0);
        if (rc != STC_ENOMEM || g.n != 0)
            bad++;
        stc_arena_stats(&s);
        if (s.in_use != base)
            bad++;
    }
    CHECK_EQ(bad, 0);
    memset(&g, 0, sizeof g);
    CHECK_EQ(stc_cert_judge(&ch, HOST, NOW, 14, &info, on_finding, &g), STC_OK);
    CHECK_EQ(g.n, 0);
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
    RUN(test_anchors);
    RUN(test_memory);
    stc_tls_global_free();
    stc_arena_stats(&s);
    printf("arena after global free: %zu bytes in use\n", s.in_use);
    CHECK_EQ(s.in_use, 0);
    return unit_done();
}
