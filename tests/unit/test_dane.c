/* test_dane.c - DANE for SMTP (src/dane.c): reducing TLSA records to keys,
 * and matching them against a session's chain facts (RFC 7672 3.1).
 *
 * Key vectors come from openssl over tests/vectors/certs/good.der
 * (sha256sum of the DER; `openssl dgst -sha512` of it, and the sha256 of
 * that). Chain facts are built by hand here: test_cert.c checks that
 * cert.c fills them from real chains, the lab checks the whole path.
 */
#include "unit.h"

#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dir = "tests/vectors/certs";

/* hex - decode 2n hex digits into out */
static void hex(const char *s, uint8_t *out, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned v = 0;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

/* key_is - the key holds these 32 bytes (hex) */
static int key_is(const stc_tlsa_key_t *k, const char *h)
{
    uint8_t b[32];
    hex(h, b, 32);
    return memcmp(k->key, b, 32) == 0;
}

#define GOOD_SHA256 "95a06e227d389cda4e41ad233cbe13af2f02214030c4c82eca6f46e2603d940d"
#define GOOD_SHA512                                                            \
    "9a469665f3a261b5a1d32c952248f5721e1fdc3640ae2c71a618a9f4ef37cdc2"         \
    "b1f1ce80c682794d1a3e6e5575d05fe455d8ae86dac46c2949ffc1d50860d02a"
#define GOOD_SHA256_OF_SHA512 "60156271f53552ae2c00983b2237bf0a27bed302622709eef1a156d6284d5d31"

/* test_keys - which records are usable, and what they reduce to */
static void test_keys(void)
{
    stc_tlsa_key_t k;
    uint8_t d32[32], d64[64], *der;
    size_t len = 0;
    char path[256];
    FILE *fp;

    hex(GOOD_SHA256, d32, 32);
    hex(GOOD_SHA512, d64, 64);
    /* usable: DANE-TA(2), DANE-EE(3), selector 0/1, matching 0/1/2 */
    memset(&k, 0, sizeof k);
    CHECK_EQ(stc_dane_key(&k, 3, 1, 1, d32, 32), 1);
    CHECK(key_is(&k, GOOD_SHA256));
    CHECK_EQ(k.usage, 3);
    CHECK_EQ(k.selector, 1);
    CHECK_EQ(k.mtype, 1);
    CHECK_EQ(stc_dane_key(&k, 2, 0, 1, d32, 32), 1);
    CHECK_EQ(k.usage, 2);
    /* SHA2-512 is kept as the SHA-256 of its 64 bytes */
    CHECK_EQ(stc_dane_key(&k, 3, 0, 2, d64, 64), 1);
    CHECK(key_is(&k, GOOD_SHA256_OF_SHA512));
    CHECK_EQ(k.mtype, 2);
    /* Full(0): the SHA-256 of the data, which is the DER here */
    snprintf(path, sizeof path, "%s/good.der", dir);
    fp = fopen(path, "rb");
    if (!fp) {
        SKIP("tests/vectors/certs/good.der missing (run from the repository root)");
    } else {
        der = malloc(8192);
        len = der ? fread(der, 1, 8192, fp) : 0;
        fclose(fp);
        CHECK(len > 0 && len < 8192);
        CHECK_EQ(stc_dane_key(&k, 3, 0, 0, der, len), 1);
        CHECK(key_is(&k, GOOD_SHA256));
        CHECK_EQ(k.mtype, 0);
        free(der);
    }

    /* unusable for SMTP (RFC 7672 3.1): PKIX-TA(0), PKIX-EE(1), unknown
     * usages, selectors and matching types, wrong digest lengths */
    CHECK_EQ(stc_dane_key(&k, 0, 0, 1, d32, 32), 0);
    CHECK_EQ(stc_dane_key(&k, 1, 1, 1, d32, 32), 0);
    CHECK_EQ(stc_dane_key(&k, 4, 1, 1, d32, 32), 0);
    CHECK_EQ(stc_dane_key(&k, 255, 1, 1, d32, 32), 0);
    CHECK_EQ(stc_dane_key(&k, 3, 2, 1, d32, 32), 0);
    CHECK_EQ(stc_dane_key(&k, 3, 1, 3, d32, 32), 0);
    CHECK_EQ(stc_dane_key(&k, 3, 1, 1, d32, 31), 0);
    CHECK_EQ(stc_dane_key(&k, 3, 1, 1, d64, 33), 0);
    CHECK_EQ(stc_dane_key(&k, 3, 1, 2, d64, 32), 0);
    CHECK_EQ(stc_dane_key(&k, 3, 1, 2, d64, 63), 0);
    CHECK_EQ(stc_dane_key(&k, 3, 0, 0, d64, 0), 0);
}

/* fill - a distinct digest for (cert i, form f) */
static void fill(uint8_t *d, unsigned i, unsigned f)
{
    memset(d, (int)(0x10 * (i + 1) + f), 32);
}

/* chain - n certificates with distinct digests; linked/dated bits */
static void chain(stc_chain_facts_t *c, unsigned n, uint8_t linked, uint8_t dated)
{
    unsigned i, f;
    memset(c, 0, sizeof *c);
    c->n = (uint8_t)n;
    c->linked = linked;
    c->dated = dated;
    for (i = 0; i < n; i++)
        for (f = 0; f < 4; f++)
            fill(c->c[i].d[f], i, f);
}

/* rec - a usable key matching cert i in form (selector, mtype) */
static stc_tlsa_key_t rec(uint8_t usage, uint8_t sel, uint8_t mtype, unsigned i)
{
    stc_tlsa_key_t k;
    k.usage = usage;
    k.selector = sel;
    k.mtype = mtype;
    fill(k.key, i, (mtype == 2 ? 2u : 0u) + sel);
    return k;
}

/* test_ee - DANE-EE(3): the leaf only; name and dates are ignored */
static void test_ee(void)
{
    stc_chain_facts_t c;
    stc_tlsa_key_t k[4];
    uint8_t use = 9;

    chain(&c, 2, 0x3, 0x3);
    k[0] = rec(3, 1, 1, 0); /* 3 1 1 of the leaf's SPKI */
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_VALID);
    CHECK_EQ(use, 3);
    k[0] = rec(3, 0, 1, 0);
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_VALID);
    k[0] = rec(3, 1, 2, 0);
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_VALID);
    k[0] = rec(3, 0, 2, 0);
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_VALID);
    /* the selector decides which digest: a cert digest under selector 1 fails */
    k[0] = rec(3, 0, 1, 0);
    k[0].selector = 1;
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_MISMATCH);
    CHECK_EQ(use, 0);
    /* a wrong name, an expired leaf, an unverified chain: still valid */
    chain(&c, 1, 0x1, 0x0);
    k[0] = rec(3, 1, 1, 0);
    CHECK_EQ(stc_dane_match(k, 1, &c, 0, &use), STC_DANE_VALID);
    CHECK_EQ(use, 3);
    /* DANE-EE never matches above the leaf */
    chain(&c, 2, 0x3, 0x3);
    k[0] = rec(3, 1, 1, 1);
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_MISMATCH);
    /* no certificates at all */
    chain(&c, 0, 0, 0);
    k[0] = rec(3, 1, 1, 0);
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_MISMATCH);
    CHECK_EQ(stc_dane_match(k, 0, &c, 1, &use), STC_DANE_MISMATCH);
}

/* test_ta - DANE-TA(2): a linked certificate, then the name and dates */
static void test_ta(void)
{
    stc_chain_facts_t c;
    stc_tlsa_key_t k[4];
    uint8_t use = 9;

    chain(&c, 3, 0x7, 0x7); /* leaf, intermediate, root: all verified */
    k[0] = rec(2, 0, 1, 1);
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_VALID);
    CHECK_EQ(use, 2);
    k[0] = rec(2, 1, 2, 2); /* the root's SPKI, SHA-512 */
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_VALID);
    /* the leaf's name fails the reference identifiers */
    k[0] = rec(2, 0, 1, 1);
    CHECK_EQ(stc_dane_match(k, 1, &c, 0, &use), STC_DANE_NAME_MISMATCH);
    CHECK_EQ(use, 2);
    /* dates: checked from the leaf up to the matched anchor, not above */
    chain(&c, 3, 0x7, 0x3); /* the root sent is out of date */
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_VALID);
    chain(&c, 3, 0x7, 0x5); /* the matched intermediate is out of date */
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_EXPIRED);
    chain(&c, 3, 0x7, 0x6); /* the leaf is out of date */
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_EXPIRED);
    /* a splice: the anchor was sent, but does not sign the leaf */
    chain(&c, 2, 0x1, 0x3);
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_MISMATCH);
    CHECK_EQ(use, 0);
    /* a link broken below the anchor (leaf -> int fails, int -> root ok) */
    chain(&c, 3, 0x5, 0x7);
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_MISMATCH);
    /* a DANE-TA record of the leaf's own certificate is no anchor here */
    chain(&c, 2, 0x3, 0x3);
    k[0] = rec(2, 0, 1, 0);
    CHECK_EQ(stc_dane_match(k, 1, &c, 1, &use), STC_DANE_MISMATCH);
}

/* test_sets - several records: any valid one wins, in any order */
static void test_sets(void)
{
    stc_chain_facts_t c;
    stc_tlsa_key_t k[4];
    uint8_t use = 9;

    chain(&c, 2, 0x3, 0x3);
    k[0] = rec(2, 0, 1, 1); /* a TA whose leaf name fails */
    k[1] = rec(3, 1, 1, 0); /* an EE that matches */
    CHECK_EQ(stc_dane_match(k, 2, &c, 0, &use), STC_DANE_VALID);
    CHECK_EQ(use, 3);
    /* a TA and an EE that both match: DANE-EE decides, in either order
     * (resolvers rotate RRsets; the report must not) */
    k[0] = rec(2, 0, 1, 1);
    k[1] = rec(3, 1, 1, 0);
    CHECK_EQ(stc_dane_match(k, 2, &c, 1, &use), STC_DANE_VALID);
    CHECK_EQ(use, 3);
    k[0] = rec(3, 1, 1, 0);
    k[1] = rec(2, 0, 1, 1);
    CHECK_EQ(stc_dane_match(k, 2, &c, 1, &use), STC_DANE_VALID);
    CHECK_EQ(use, 3);
    k[0] = rec(3, 1, 1, 1); /* rollover: the next key first, the current second */
    k[1] = rec(3, 1, 1, 0);
    CHECK_EQ(stc_dane_match(k, 2, &c, 1, &use), STC_DANE_VALID);
    k[0] = rec(3, 1, 1, 5); /* none of them */
    k[1] = rec(2, 0, 1, 6);
    CHECK_EQ(stc_dane_match(k, 2, &c, 1, &use), STC_DANE_MISMATCH);
    /* a TA that matches but is expired, then an EE that does not: expired */
    chain(&c, 2, 0x3, 0x1);
    k[0] = rec(2, 0, 1, 1);
    k[1] = rec(3, 1, 1, 7);
    CHECK_EQ(stc_dane_match(k, 2, &c, 1, &use), STC_DANE_EXPIRED);
    CHECK_EQ(use, 2);
}

/* test_host - the worst address decides; each status has its finding */
static void test_host(void)
{
    CHECK_EQ(stc_dane_worse(STC_DANE_VALID, STC_DANE_MISMATCH), STC_DANE_MISMATCH);
    CHECK_EQ(stc_dane_worse(STC_DANE_MISMATCH, STC_DANE_VALID), STC_DANE_MISMATCH);
    CHECK_EQ(stc_dane_worse(STC_DANE_EXPIRED, STC_DANE_NAME_MISMATCH), STC_DANE_NAME_MISMATCH);
    CHECK_EQ(stc_dane_worse(STC_DANE_MISMATCH, STC_DANE_NO_TLS), STC_DANE_NO_TLS);
    CHECK_EQ(stc_dane_worse(STC_DANE_NONE, STC_DANE_VALID), STC_DANE_VALID);
    CHECK_EQ(stc_dane_worse(STC_DANE_VALID, STC_DANE_NOT_REACHED), STC_DANE_VALID);
    CHECK_EQ(stc_dane_finding(STC_DANE_VALID), 0);
    CHECK_EQ(stc_dane_finding(STC_DANE_INSECURE), 0);
    CHECK_EQ(stc_dane_finding(STC_DANE_TLSA_ABSENT), 0);
    CHECK_EQ(stc_dane_finding(STC_DANE_MISMATCH), STC_F_DANE_MISMATCH);
    CHECK_EQ(stc_dane_finding(STC_DANE_NAME_MISMATCH), STC_F_DANE_NAME_MISMATCH);
    CHECK_EQ(stc_dane_finding(STC_DANE_EXPIRED), STC_F_DANE_EXPIRED);
    CHECK_EQ(stc_dane_finding(STC_DANE_BOGUS), STC_F_DANE_BOGUS);
    CHECK_EQ(stc_dane_finding(STC_DANE_LOOKUP_FAILED), STC_F_DANE_LOOKUP_FAILED);
    CHECK_EQ(stc_dane_finding(STC_DANE_NO_TLS), STC_F_DANE_NO_TLS);
    CHECK_EQ(stc_dane_finding(STC_DANE_UNUSABLE), STC_F_DANE_UNUSABLE);
    /* the words of text and JSON are distinct */
    CHECK_STR(stc_dane_text(STC_DANE_TLSA_ABSENT), "tlsa-absent");
    CHECK_STR(stc_dane_text(STC_DANE_NAME_MISMATCH), "name-mismatch");
    CHECK_STR(stc_dane_text(STC_DANE_LOOKUP_FAILED), "lookup-failed");
    CHECK_STR(stc_dane_text(200), "unknown");
}

int main(int argc, char **argv)
{
    unit_name = "test_dane";
    if (argc > 1)
        dir = argv[1];
    RUN(test_keys);
    RUN(test_ee);
    RUN(test_ta);
    RUN(test_sets);
    RUN(test_host);
    return unit_done();
}
