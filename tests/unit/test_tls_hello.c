/* test_tls_hello.c - the probe layer: suite table, ClientHello builder,
 * answer reader, classification (src/tls_*.c)
 *
 * Builder vectors are complete hellos written out byte by byte with a
 * comment per field. Reader vectors are written from the RFC structures
 * (long opaque fields filled by loops, headers by hand) plus the recorded
 * SSLv3, SSLv2 and DEFLATE server hellos of tests/fake/smtp_server.c.
 * Every reader vector is read whole, one byte per call, and split in two
 * at every position, and each way must give the same result, the same
 * consumed count and the same certificate bytes.
 */
#include "unit.h"
#include "tls_hello.h"

#include <stdlib.h>

/* The caller's 32-byte random in every builder vector: 00 01 02 .. 1f. */
#define RANDOM_BYTES                                                                       \
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,     \
        0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a,      \
        0x1b, 0x1c, 0x1d, 0x1e, 0x1f
static const uint8_t rnd[32] = {RANDOM_BYTES};

/* ---- the suite table ------------------------------------------------------- */

/* table_shape - sorted, unique, large enough, no signalling values */
static void table_shape(void)
{
    size_t n, i, cnt, all;
    const stc_suite_t *t = stc_suite_table(&n);
    uint16_t ids[400];
    int sorted = 1, found = 1;

    CHECK(n >= 200);
    for (i = 1; i < n; i++)
        if (t[i - 1].id >= t[i].id)
            sorted = 0;
    CHECK(sorted); /* strictly increasing: no duplicate ids */
    for (i = 0; i < n; i++)
        if (stc_suite_find(t[i].id) != &t[i])
            found = 0;
    CHECK(found);
    CHECK(stc_suite_find(STC_SCSV_RENEG) == NULL);
    CHECK(stc_suite_find(STC_SCSV_FALLBACK) == NULL);
    CHECK(stc_suite_find(0x0000) == NULL);
    CHECK(stc_suite_find(0xffff) == NULL);

    /* lists per question come from the table: each id has the class */
    cnt = stc_suites_select(ids, sizeof ids / sizeof ids[0], STC_SF_NULL, 0);
    CHECK(cnt >= 20);
    for (i = 0, found = 1; i < cnt; i++)
        if (!(stc_suite_flags(stc_suite_find(ids[i])) & STC_SF_NULL))
            found = 0;
    CHECK(found);
    all = stc_suites_select(NULL, 0, 0, 0);
    CHECK_EQ(all, n);
    CHECK_EQ(stc_suites_select(ids, 3, STC_SF_EXPORT, 0), 21); /* count beyond cap */
    CHECK_EQ(ids[0], 0x0003);
    CHECK_EQ(ids[1], 0x0006);
    CHECK_EQ(ids[2], 0x0008);
    /* the weak suites a TLS 1.0 server can pick leave out 1.2-only ones */
    cnt = stc_suites_select(ids, 400, STC_SF_NULL | STC_SF_RC4, STC_SF_TLS12 | STC_SF_PSK);
    for (i = 0, found = 1; i < cnt; i++)
        if (stc_suite_flags(stc_suite_find(ids[i])) & (STC_SF_TLS12 | STC_SF_PSK))
            found = 0;
    CHECK(found);
}

/* has - the suite's flags contain all of f */
static int has(uint16_t id, uint32_t f)
{
    return (stc_suite_flags(stc_suite_find(id)) & f) == f;
}

/* table_spots - flags checked against the defining RFCs */
static void table_spots(void)
{
    /* RFC 4346 A.5: TLS_RSA_EXPORT_WITH_RC4_40_MD5 = { 0x00,0x03 } */
    CHECK(has(0x0003, STC_SF_EXPORT | STC_SF_RC4 | STC_SF_STATIC_RSA));
    CHECK(!has(0x0003, STC_SF_FS));
    CHECK_EQ(stc_suite_find(0x0003)->keybytes, 5);
    /* RFC 5246 A.5: TLS_DH_anon_WITH_RC4_128_MD5 = { 0x00,0x18 } */
    CHECK(has(0x0018, STC_SF_ANON | STC_SF_RC4));
    /* TLS_RSA_WITH_3DES_EDE_CBC_SHA = { 0x00,0x0A } */
    CHECK(has(0x000A, STC_SF_3DES | STC_SF_CBC | STC_SF_STATIC_RSA));
    CHECK_EQ(stc_suite_find(0x000A)->keybytes, 21);
    /* TLS_RSA_WITH_DES_CBC_SHA = { 0x00,0x09 }: DES, not export */
    CHECK(has(0x0009, STC_SF_DES));
    CHECK(!has(0x0009, STC_SF_EXPORT));
    /* EXPORT1024 DES (56 bits) */
    CHECK(has(0x0062, STC_SF_DES | STC_SF_EXPORT));
    CHECK_EQ(stc_suite_find(0x0062)->keybytes, 7);
    /* TLS_DHE_RSA_WITH_AES_128_CBC_SHA { 0x00,0x33 }: CBC with FS, any version */
    CHECK(has(0x0033, STC_SF_CBC | STC_SF_FS));
    CHECK(!has(0x0033, STC_SF_TLS12));
    /* TLS_DH_DSS_WITH_AES_128_CBC_SHA { 0x00,0x30 }: static DH */
    CHECK(has(0x0030, STC_SF_STATIC_DH));
    CHECK(!has(0x0030, STC_SF_FS));
    /* RFC 5289: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 {0xC0,0x2F} */
    CHECK(has(0xC02F, STC_SF_AEAD | STC_SF_FS | STC_SF_TLS12));
    CHECK(!has(0xC02F, STC_SF_CBC));
    /* RFC 8422: TLS_ECDHE_RSA_WITH_NULL_SHA {0xC0,0x10} */
    CHECK(has(0xC010, STC_SF_NULL | STC_SF_FS));
    /* RFC 8446 B.4: TLS_AES_128_GCM_SHA256 {0x13,0x01} */
    CHECK(has(0x1301, STC_SF_TLS13 | STC_SF_AEAD | STC_SF_FS));
    CHECK(!has(0x1301, STC_SF_TLS12));
    /* RFC 9150: TLS_SHA256_SHA256 {0xC0,0xB4}: no encryption */
    CHECK(has(0xC0B4, STC_SF_NULL | STC_SF_TLS13));
    /* RFC 7905: TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 {0xCC,0xA9} */
    CHECK(has(0xCCA9, STC_SF_AEAD | STC_SF_FS));
    CHECK_EQ(stc_suite_find(0xCCA9)->au, STC_AU_ECDSA);
    /* RFC 4279: TLS_PSK_WITH_AES_128_CBC_SHA {0x00,0x8C} */
    CHECK(has(0x008C, STC_SF_PSK | STC_SF_CBC));
    CHECK_EQ(stc_suite_find(0xC09C)->enc, STC_ENC_AES_CCM);   /* RFC 6655 */
    CHECK_EQ(stc_suite_find(0xC061)->enc, STC_ENC_ARIA_GCM);  /* RFC 6209 */
    CHECK_EQ(stc_suite_find(0xC077)->enc, STC_ENC_CAMELLIA_CBC); /* RFC 6367 */
    CHECK_EQ(stc_suite_find(0x0096)->enc, STC_ENC_SEED);      /* RFC 4162 */
    CHECK_EQ(stc_suite_find(0x0007)->enc, STC_ENC_IDEA);
    CHECK_EQ(stc_suite_find(0xC01B)->kx, STC_KX_SRP);        /* RFC 5054 */
#if STC_LONG_TEXT
    CHECK_STR(stc_suite_name(0xC02F), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    CHECK_STR(stc_suite_name(0x0003), "TLS_RSA_EXPORT_WITH_RC4_40_MD5");
    CHECK_STR(stc_suite_name(0x1303), "TLS_CHACHA20_POLY1305_SHA256");
#endif
    CHECK_STR(stc_suite_name(0x5600), "");
}

/* ---- builder ----------------------------------------------------------------- */

/* built - run a spec into a buffer of cap bytes with a canary behind it */
static int built(const stc_hello_spec_t *s, uint8_t *out, size_t cap, size_t *len)
{
    stc_wbuf_t w;
    int rc;

    memset(out, 0xee, cap + 16);
    stc_wbuf_init(&w, out, cap);
    rc = stc_hello_build(&w, s);
    *len = w.off;
    return rc;
}

/* canary_ok - nothing written past cap */
static int canary_ok(const uint8_t *out, size_t cap)
{
    size_t i;
    for (i = cap; i < cap + 16; i++)
        if (out[i] != 0xee)
            return 0;
    return 1;
}

/* spec_init - a spec with versions, the test random and suites */
static void spec_init(stc_hello_spec_t *s, uint16_t rec, uint16_t ver, const uint16_t *suites,
                      size_t n)
{
    memset(s, 0, sizeof *s);
    s->record_version = rec;
    s->client_version = ver;
    s->random = rnd;
    s->suites = suites;
    s->nsuites = n;
}

/* build_sslv3 - the SSLv3 probe: no extensions at all */
static void build_sslv3(void)
{
    static const uint16_t suites[] = {0x000A, 0x0005};
    static const uint8_t want[] = {
        0x16, 0x03, 0x00, 0x00, 0x31, /* handshake record, SSL 3.0, 49 bytes */
        0x01, 0x00, 0x00, 0x2d,       /* ClientHello, 45 bytes */
        0x03, 0x00,                   /* client_version 3.0 */
        RANDOM_BYTES,                 /* random: 00 01 .. 1f */
        0x00,                         /* session_id: empty */
        0x00, 0x06, 0x00, 0x0a, 0x00, 0x05, /* 3 suites: 3DES, RC4-SHA, */
        0x00, 0xff,                   /* TLS_EMPTY_RENEGOTIATION_INFO_SCSV */
        0x01, 0x00,                   /* compression: null only */
    };                                /* no extensions block */
    stc_hello_spec_t s;
    uint8_t out[768 + 16];
    size_t len;

    spec_init(&s, STC_V_SSL3, STC_V_SSL3, suites, 2);
    s.flags = STC_HF_RENEG_SCSV;
    CHECK_EQ(built(&s, out, 768, &len), STC_OK);
    CHECK_EQ(len, sizeof want);
    CHECK(memcmp(out, want, sizeof want) == 0);
    CHECK(canary_ok(out, 768));
}

/* build_tls12 - a TLS 1.2 hello with SNI, groups, point formats, EMS,
 * renegotiation_info, DEFLATE and TLS_FALLBACK_SCSV */
static void build_tls12(void)
{
    static const uint16_t suites[] = {0xC02F, 0x009E};
    static const uint16_t groups[] = {STC_GROUP_X25519, STC_GROUP_P256};
    static const uint8_t want[] = {
        0x16, 0x03, 0x01, 0x00, 0x64, /* handshake record, 0x0301, 100 bytes */
        0x01, 0x00, 0x00, 0x60,       /* ClientHello, 96 bytes */
        0x03, 0x03,                   /* client_version TLS 1.2 */
        RANDOM_BYTES,                 /* random: 00 01 .. 1f */
        0x00,                         /* session_id: empty */
        0x00, 0x06, 0xc0, 0x2f, 0x00, 0x9e, /* suites, then */
        0x56, 0x00,                   /* TLS_FALLBACK_SCSV last */
        0x02, 0x01, 0x00,             /* compression: DEFLATE, null */
        0x00, 0x30,                   /* extensions: 48 bytes */
        0x00, 0x00, 0x00, 0x13,       /* server_name, 19 */
        0x00, 0x11,                   /*   server_name_list, 17 */
        0x00, 0x00, 0x0e,             /*   host_name, 14 */
        'm', 'x', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g',
        0x00, 0x0a, 0x00, 0x06,       /* supported_groups, 6 */
        0x00, 0x04, 0x00, 0x1d, 0x00, 0x17, /* x25519, secp256r1 */
        0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, /* ec_point_formats: uncompressed */
        0x00, 0x17, 0x00, 0x00,       /* extended_master_secret, empty */
        0xff, 0x01, 0x00, 0x01, 0x00, /* renegotiation_info, empty */
    };
    stc_hello_spec_t s;
    uint8_t out[768 + 16];
    size_t len;

    spec_init(&s, STC_V_TLS10, STC_V_TLS12, suites, 2);
    s.groups = groups;
    s.ngroups = 2;
    s.sni = "mx.example.org."; /* the trailing dot is not sent (RFC 6066 3) */
    s.flags = STC_HX_SNI | STC_HX_GROUPS | STC_HX_POINT_FORMATS | STC_HX_EMS |
              STC_HX_RENEG_INFO | STC_HF_DEFLATE | STC_HF_FALLBACK_SCSV;
    CHECK_EQ(built(&s, out, 768, &len), STC_OK);
    CHECK_EQ(len, sizeof want);
    CHECK(memcmp(out, want, sizeof want) == 0);
    CHECK(canary_ok(out, 768));

    /* the same, exactly as long as its buffer; one byte less fails cleanly */
    CHECK_EQ(built(&s, out, sizeof want, &len), STC_OK);
    CHECK(canary_ok(out, sizeof want));
    CHECK_EQ(built(&s, out, sizeof want - 1, &len), STC_ETOOLONG);
    CHECK(canary_ok(out, sizeof want - 1));
}

/* build_tls13 - a TLS 1.3 probe: empty key_share (the server must answer
 * HelloRetryRequest), no SNI for an IP literal */
static void build_tls13(void)
{
    static const uint16_t suites[] = {0x1301, 0x1302, 0x1303};
    static const uint16_t groups[] = {STC_GROUP_X25519, STC_GROUP_P256, STC_GROUP_FFDHE2048};
    static const uint16_t versions[] = {STC_V_TLS13};
    static const uint8_t want[] = {
        0x16, 0x03, 0x01, 0x00, 0x82, /* handshake record, 0x0301, 130 bytes */
        0x01, 0x00, 0x00, 0x7e,       /* ClientHello, 126 bytes */
        0x03, 0x03,                   /* legacy_version 0x0303 (RFC 8446 4.1.2) */
        RANDOM_BYTES,                 /* random: 00 01 .. 1f */
        0x00,                         /* legacy_session_id: empty */
        0x00, 0x06, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03, /* 3 suites */
        0x01, 0x00,                   /* legacy_compression_methods: null */
        0x00, 0x4f,                   /* extensions: 79 bytes */
        0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, /* supported_groups, 8; list 6: */
        0x00, 0x1d, 0x00, 0x17, 0x01, 0x00, /* x25519, secp256r1, ffdhe2048 */
        0x00, 0x0d, 0x00, 0x2c, 0x00, 0x2a, /* signature_algorithms, 44; list 42 */
        0x04, 0x03, 0x05, 0x03, 0x06, 0x03, /* ecdsa_secp256r1_sha256 .. 521 */
        0x08, 0x07, 0x08, 0x08,       /* ed25519, ed448 */
        0x08, 0x04, 0x08, 0x05, 0x08, 0x06, /* rsa_pss_rsae_* */
        0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, /* rsa_pss_pss_* */
        0x04, 0x01, 0x05, 0x01, 0x06, 0x01, /* rsa_pkcs1_sha256 .. 512 */
        0x03, 0x03, 0x03, 0x01, 0x04, 0x02, 0x03, 0x02, /* sha224s, dsa_sha256 */
        0x02, 0x03, 0x02, 0x01, 0x02, 0x02, /* sha1: ecdsa, rsa, dsa */
        0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04, /* supported_versions: 1.3 */
        0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, /* psk_key_exchange_modes: psk_dhe_ke */
        0x00, 0x33, 0x00, 0x02, 0x00, 0x00, /* key_share: client_shares empty */
    };
    stc_hello_spec_t s;
    uint8_t out[768 + 16], share[32];
    size_t len;

    spec_init(&s, STC_V_TLS10, STC_V_TLS12, suites, 3);
    s.groups = groups;
    s.ngroups = 3;
    s.versions = versions;
    s.nversions = 1;
    s.sni = "192.0.2.1"; /* RFC 6066 3: no IP literals in HostName */
    s.flags = STC_HX_SNI | STC_HX_GROUPS | STC_HX_SIG_ALGS | STC_HX_VERSIONS |
              STC_HX_PSK_MODES | STC_HX_KEY_SHARE;
    CHECK_EQ(built(&s, out, 640, &len), STC_OK); /* the board's buffer */
    CHECK_EQ(len, sizeof want);
    CHECK(memcmp(out, want, sizeof want) == 0);

    /* one x25519 share: 2 + 2 + 32 more bytes inside key_share */
    memset(share, 0x5a, sizeof share);
    s.x25519 = share;
    CHECK_EQ(built(&s, out, 640, &len), STC_OK);
    CHECK_EQ(len, sizeof want + 36);
    CHECK_EQ(out[sizeof want + 36 - 42], 0x00); /* key_share (last) ... */
    CHECK_EQ(out[sizeof want + 36 - 41], 0x33);
    CHECK_EQ(out[sizeof want + 36 - 39], 0x26); /* 38 bytes */
    CHECK_EQ(out[sizeof want + 36 - 37], 0x24); /* client_shares, 36 */
    CHECK_EQ(out[sizeof want + 36 - 35], 0x1d); /* group x25519 */
    CHECK_EQ(out[sizeof want + 36 - 33], 0x20); /* 32-byte key_exchange */
    CHECK_EQ(out[sizeof want + 36 - 1], 0x5a);
}

/* build_v2 - the SSLv2 CLIENT-HELLO */
static void build_v2(void)
{
    static const uint8_t want[] = {
        0x80, 0x2e,             /* 2-byte header, high bit set, 46 bytes */
        0x01,                   /* MSG-CLIENT-HELLO */
        0x00, 0x02,             /* CLIENT-VERSION: SSL 2.0 */
        0x00, 0x15,             /* CIPHER-SPECS-LENGTH: 7 x 3 */
        0x00, 0x00,             /* SESSION-ID-LENGTH */
        0x00, 0x10,             /* CHALLENGE-LENGTH: 16 */
        0x07, 0x00, 0xc0,       /* DES_192_EDE3_CBC_WITH_MD5 */
        0x05, 0x00, 0x80,       /* IDEA_128_CBC_WITH_MD5 */
        0x03, 0x00, 0x80,       /* RC2_128_CBC_WITH_MD5 */
        0x01, 0x00, 0x80,       /* RC4_128_WITH_MD5 */
        0x06, 0x00, 0x40,       /* DES_64_CBC_WITH_MD5 */
        0x04, 0x00, 0x80,       /* RC2_128_CBC_EXPORT40_WITH_MD5 */
        0x02, 0x00, 0x80,       /* RC4_128_EXPORT40_WITH_MD5 */
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, /* CHALLENGE-DATA */
        0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    };
    uint8_t out[64 + 16];
    stc_wbuf_t w;

    memset(out, 0xee, sizeof out);
    stc_wbuf_init(&w, out, 64);
    CHECK_EQ(stc_hello_build_v2(&w, STC_V_SSL2, stc_ssl2_specs, 7, rnd, 16), STC_OK);
    CHECK_EQ(w.off, sizeof want);
    CHECK(memcmp(out, want, sizeof want) == 0);
    stc_wbuf_init(&w, out, 64);
    CHECK_EQ(stc_hello_build_v2(&w, STC_V_SSL2, stc_ssl2_specs, 7, rnd, 15), STC_EINVAL);
    memset(out, 0xee, sizeof out);
    stc_wbuf_init(&w, out, 40);
    CHECK_EQ(stc_hello_build_v2(&w, STC_V_SSL2, stc_ssl2_specs, 7, rnd, 16), STC_ETOOLONG);
    CHECK(canary_ok(out, 40));
}

/* build_limits - what does not fit or is not valid is refused cleanly */
static void build_limits(void)
{
    static uint16_t many[400];
    char name[260];
    stc_hello_spec_t s;
    uint8_t out[768 + 16];
    size_t len, n, i;

    n = stc_suites_select(many, 400, 0, 0);
    spec_init(&s, STC_V_TLS10, STC_V_TLS12, many, n); /* the whole table, ~300 suites: 600+ bytes */
    s.flags = STC_HX_SIG_ALGS | STC_HX_RENEG_INFO;
    /* header 5 + 4, version, random, session id, suites, compression,
     * extensions: signature_algorithms 4 + 44, renegotiation_info 5 */
    CHECK_EQ(built(&s, out, 768, &len), STC_OK);
    CHECK_EQ(len, 5 + 4 + 2 + 32 + 1 + 2 + 2 * n + 2 + 2 + 48 + 5);
    CHECK(canary_ok(out, 768));
    CHECK_EQ(built(&s, out, 640, &len), STC_ETOOLONG); /* not on the board */
    CHECK(canary_ok(out, 640));

    /* every weak class a TLS <= 1.2 server may pick, in one offer: fits
     * the board's 640 bytes */
    n = stc_suites_select(many, 400,
                          STC_SF_NULL | STC_SF_EXPORT | STC_SF_ANON | STC_SF_RC4 | STC_SF_DES |
                              STC_SF_3DES,
                          STC_SF_TLS13 | STC_SF_PSK);
    s.nsuites = n;
    CHECK_EQ(built(&s, out, 640, &len), STC_OK);
    CHECK(len <= 640);

    /* a 253-character name fits; bad names are refused */
    memset(name, 'a', sizeof name);
    for (i = 63; i < 253; i += 64)
        name[i] = '.';
    name[253] = '\0';
    s.nsuites = 1;
    s.sni = name;
    s.flags = STC_HX_SNI;
    CHECK_EQ(built(&s, out, 768, &len), STC_OK);
    CHECK_EQ(len, 5 + 4 + 2 + 32 + 1 + 4 + 2 + 2 + 4 + 2 + 3 + 253);
    s.sni = "bad name";
    CHECK_EQ(built(&s, out, 768, &len), STC_EINVAL);
    s.sni = "::1";
    CHECK_EQ(built(&s, out, 768, &len), STC_OK);
    CHECK_EQ(len, 5 + 4 + 2 + 32 + 1 + 4 + 2 + 2); /* flag set, nothing to send */
    s.sni = NULL;
    s.flags = STC_HX_GROUPS; /* no groups given */
    CHECK_EQ(built(&s, out, 768, &len), STC_EINVAL);
    s.flags = 0;
    s.nsuites = 0;
    CHECK_EQ(built(&s, out, 768, &len), STC_EINVAL);
    s.nsuites = 1;
    s.random = NULL;
    CHECK_EQ(built(&s, out, 768, &len), STC_EINVAL);
}

/* ---- reader: feeding ------------------------------------------------------- */

/* Certificate bytes as streamed: reassembled per index, order checked. */
typedef struct cap {
    uint8_t buf[4][256];
    uint32_t got[4];
    int bad;
} cap_t;

/* on_cert - the reader's certificate callback */
static void on_cert(void *ctx, unsigned index, uint32_t offset, const uint8_t *chunk, size_t n,
                    uint32_t total)
{
    cap_t *c = (cap_t *)ctx;

    if (index >= 4 || offset != c->got[index] || offset + n > total || n == 0) {
        c->bad = 1;
        return;
    }
    if (offset + n <= sizeof c->buf[0])
        memcpy(c->buf[index] + offset, chunk, n);
    c->got[index] += (uint32_t)n;
}

typedef struct run {
    int rc;
    size_t used;
    stc_hello_rd_t r;
    cap_t cap;
} run_t;

/* feed_in - feed v[0..n) in pieces of `piece` bytes (0: one piece, or
 * first piece ends at `cut`), then EOF when asked and still running */
static void feed_in(const uint8_t *v, size_t n, size_t piece, size_t cut, int eof, run_t *o)
{
    size_t off = 0;

    memset(o, 0, sizeof *o);
    stc_hello_rd_init(&o->r, on_cert, &o->cap);
    o->rc = STC_EAGAIN;
    while (off < n && o->rc == STC_EAGAIN) {
        size_t k = piece ? piece : (cut && off == 0 ? cut : n - off), used = 0;
        if (k > n - off)
            k = n - off;
        o->rc = stc_hello_rd_feed(&o->r, v + off, k, &used);
        if (used > k || (o->rc == STC_EAGAIN && used != k))
            o->rc = 99; /* contract broken */
        off += used;
        o->used += used;
    }
    if (eof && o->rc == STC_EAGAIN)
        o->rc = stc_hello_rd_eof(&o->r);
}

/* same_run - two readings agree in everything */
static int same_run(const run_t *a, const run_t *b)
{
    return a->rc == b->rc && a->used == b->used &&
           memcmp(&a->r.ans, &b->r.ans, sizeof a->r.ans) == 0 &&
           memcmp(&a->cap, &b->cap, sizeof a->cap) == 0;
}

static run_t whole; /* the last vector's reading, for field checks */

/* save_seed - with STC_SEED_DIR set, write each vector there as a file
 * named by a hash of its bytes (adding a vector renames no other): the
 * fuzz corpus (tests/fuzz/corpus/tls_hello) is these vectors */
static void save_seed(const uint8_t *v, size_t n)
{
    const char *dir = getenv("STC_SEED_DIR");
    uint32_t h = 2166136261u; /* FNV-1a */
    char path[512];
    size_t i;
    FILE *f;

    if (!dir || n == 0)
        return;
    for (i = 0; i < n; i++)
        h = (h ^ v[i]) * 16777619u;
    snprintf(path, sizeof path, "%s/v%08x", dir, (unsigned)h);
    f = fopen(path, "wb");
    if (f) {
        fwrite(v, 1, n, f);
        fclose(f);
    }
}

/* vec - read v whole, byte by byte and split everywhere; all must agree;
 * returns the result code (and leaves the reading in `whole`) */
static int vec(const uint8_t *v, size_t n, int eof)
{
    static run_t other;
    size_t cut;
    int agree = 1;

    save_seed(v, n);

    feed_in(v, n, 0, 0, eof, &whole);
    feed_in(v, n, 1, 0, eof, &other);
    if (!same_run(&whole, &other)) {
        printf("  byte-by-byte reading differs (rc %d vs %d, used %zu vs %zu, n %zu, why %d/%d)\n", whole.rc, other.rc, whole.used, other.used, n, whole.r.ans.why, other.r.ans.why);
        agree = 0;
    }
    for (cut = 1; cut < n && agree; cut++) {
        feed_in(v, n, 0, cut, eof, &other);
        if (!same_run(&whole, &other)) {
            printf("  reading split at %zu differs (rc %d vs %d)\n", cut, whole.rc, other.rc);
            agree = 0;
        }
    }
    CHECK(agree);
    CHECK(!whole.cap.bad);
    return whole.rc;
}

/* Handshake stream -> records, cut at the given handshake offsets. */
static size_t frame(uint8_t *out, uint16_t version, const uint8_t *hs, size_t n,
                    const size_t *cuts, size_t ncuts)
{
    size_t pos = 0, o = 0, i;

    for (i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : n, len = end - pos;
        out[o++] = 22; /* handshake */
        out[o++] = (uint8_t)(version >> 8);
        out[o++] = (uint8_t)version;
        out[o++] = (uint8_t)(len >> 8);
        out[o++] = (uint8_t)len;
        memcpy(out + o, hs + pos, len);
        o += len;
        pos = end;
    }
    return o;
}

/* ---- reader vectors ---------------------------------------------------------------- */

/* TLS 1.2 ServerHello choosing TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 */
static const uint8_t sh12_dhe[] = {
    0x02, 0x00, 0x00, 0x3b,       /* ServerHello, 59 bytes */
    0x03, 0x03,                   /* server_version TLS 1.2 */
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, /* random */
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x04, 0xaa, 0xaa, 0xaa, 0xaa, /* session_id, 4 bytes */
    0x00, 0x9e,                   /* cipher_suite */
    0x00,                         /* compression_method null */
    0x00, 0x0f,                   /* extensions, 15 bytes */
    0xff, 0x01, 0x00, 0x01, 0x00, /* renegotiation_info, empty (RFC 5746) */
    0x00, 0x17, 0x00, 0x00,       /* extended_master_secret (RFC 7627) */
    0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, /* ec_point_formats: uncompressed */
};
/* Certificate with two (fake) certificates of 5 and 3 bytes */
static const uint8_t cert2[] = {
    0x0b, 0x00, 0x00, 0x11,       /* Certificate, 17 bytes */
    0x00, 0x00, 0x0e,             /* certificate_list, 14 bytes */
    0x00, 0x00, 0x05, 'L', 'E', 'A', 'F', '!', /* ASN.1Cert, 5 */
    0x00, 0x00, 0x03, 'C', 'A', '1',            /* ASN.1Cert, 3 */
};
static const uint8_t shd[] = {0x0e, 0x00, 0x00, 0x00}; /* ServerHelloDone, empty */

/* skx_dhe - ServerKeyExchange for DHE with a 1024-bit prime written with
 * one leading zero byte (RFC 5246 7.4.3 ServerDHParams + signature) */
static size_t skx_dhe(uint8_t *o)
{
    size_t n = 0;
    static const uint8_t tail[] = {
        0x00, 0x01, 0x02,             /* dh_g, 1 byte */
        0x00, 0x02, 0xab, 0xcd,       /* dh_Ys, 2 bytes */
        0x04, 0x01, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef, /* rsa_pkcs1_sha256, sig 4 */
    };
    o[n++] = 0x0c;                    /* ServerKeyExchange */
    o[n++] = 0x00;
    o[n++] = 0x00;
    o[n++] = 0x92;                    /* 146 = 2 + 129 + 15 */
    o[n++] = 0x00;
    o[n++] = 0x81;                    /* dh_p, 129 bytes: */
    o[n++] = 0x00;                    /*   a leading zero, */
    o[n++] = 0x80;                    /*   then the top bit of 1024 */
    memset(o + n, 0x5c, 127);
    n += 127;
    memcpy(o + n, tail, sizeof tail);
    return n + sizeof tail;
}

/* read_tls12_dhe - SH + Certificate + SKX(DHE 1024) + SHD over 3 records,
 * the SKX split across two */
static void read_tls12_dhe(void)
{
    static uint8_t hs[512], v[600];
    size_t n = 0, cuts[2], len;

    memcpy(hs + n, sh12_dhe, sizeof sh12_dhe);
    n += sizeof sh12_dhe;
    memcpy(hs + n, cert2, sizeof cert2);
    n += sizeof cert2;
    cuts[0] = n;
    cuts[1] = n + 50;
    n += skx_dhe(hs + n);
    memcpy(hs + n, shd, sizeof shd);
    n += sizeof shd;
    len = frame(v, STC_V_TLS12, hs, n, cuts, 2);

    CHECK_EQ(vec(v, len, 0), STC_OK);
    CHECK_EQ(whole.used, len);
    CHECK_EQ(whole.r.ans.kind, STC_ANS_HELLO);
    CHECK_EQ(whole.r.ans.version, STC_V_TLS12);
    CHECK_EQ(whole.r.ans.suite, 0x009e);
    CHECK_EQ(whole.r.ans.sid_len, 4);
    CHECK_EQ(whole.r.ans.compression, 0);
    CHECK(whole.r.ans.flags & STC_HA_RENEG);
    CHECK(whole.r.ans.flags & STC_HA_RENEG_OK);
    CHECK(whole.r.ans.flags & STC_HA_EMS);
    CHECK(whole.r.ans.flags & STC_HA_CERT);
    CHECK(whole.r.ans.flags & STC_HA_SKX);
    CHECK(whole.r.ans.flags & STC_HA_DONE);
    CHECK(!(whole.r.ans.flags & (STC_HA_HRR | STC_HA_TLS13 | STC_HA_DOWNGRADE)));
    CHECK_EQ(whole.r.ans.point_formats, 1);
    CHECK_EQ(whole.r.ans.ext_mask, STC_HE_RENEG | STC_HE_EMS | STC_HE_POINT_FORMATS);
    CHECK_EQ(whole.r.ans.ncerts, 2);
    CHECK_EQ(whole.r.ans.cert_len[0], 5);
    CHECK_EQ(whole.r.ans.cert_len[1], 3);
    CHECK(memcmp(whole.cap.buf[0], "LEAF!", 5) == 0);
    CHECK(memcmp(whole.cap.buf[1], "CA1", 3) == 0);
    CHECK_EQ(whole.r.ans.skx_kind, STC_SKX_DH);
    CHECK_EQ(whole.r.ans.skx_bits, 1024);
    CHECK_EQ(stc_grade_dh_bits(whole.r.ans.skx_bits), STC_GRADE_INSUFFICIENT);

    /* the same answer with a 5th record behind it: left to the caller */
    v[len] = 0x17;
    CHECK_EQ(vec(v, len + 1, 0), STC_OK);
    CHECK_EQ(whole.used, len);

    /* cut anywhere and closed: truncated, with the ServerHello whole or not */
    CHECK_EQ(vec(v, len - 1, 1), STC_ERESET);
    CHECK_EQ(whole.r.ans.why, STC_HW_TRUNCATED);
    CHECK(whole.r.ans.flags & STC_HA_SH_DONE);
    CHECK_EQ(vec(v, 20, 1), STC_ERESET);
    CHECK(!(whole.r.ans.flags & STC_HA_SH_DONE));
}

/* read_tls12_ecdhe - SH without extensions + Certificate + SKX(ECDHE
 * P-256) + SHD, all in one record */
static void read_tls12_ecdhe(void)
{
    static const uint8_t sh[] = {
        0x02, 0x00, 0x00, 0x26,   /* ServerHello, 38: no extensions at all */
        0x03, 0x03,               /* TLS 1.2 */
        0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00, /* random ... */
        0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00,
        0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00,
        0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01, /* ... "DOWNGRD\1" */
        0x00,                     /* session_id: empty */
        0xc0, 0x2f,               /* ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
        0x00,                     /* null compression */
    };
    static const uint8_t cert[] = {
        0x0b, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x07, /* Certificate, list of 7 */
        0x00, 0x00, 0x04, 0x30, 0x82, 0x01, 0x02, /* one ASN.1Cert of 4 */
    };
    static uint8_t hs[256], v[300];
    size_t n = 0, len;

    memcpy(hs, sh, sizeof sh);
    n += sizeof sh;
    memcpy(hs + n, cert, sizeof cert);
    n += sizeof cert;
    hs[n++] = 0x0c;               /* ServerKeyExchange, */
    hs[n++] = 0x00;
    hs[n++] = 0x00;
    hs[n++] = 0x4b;               /* 75 bytes: */
    hs[n++] = 0x03;               /* curve_type named_curve (RFC 8422 5.4) */
    hs[n++] = 0x00;
    hs[n++] = 0x17;               /* secp256r1 */
    hs[n++] = 0x41;               /* ECPoint, 65 bytes */
    hs[n++] = 0x04;               /* uncompressed */
    memset(hs + n, 0x77, 64);
    n += 64;
    hs[n++] = 0x04;               /* rsa_pkcs1_sha256 */
    hs[n++] = 0x01;
    hs[n++] = 0x00;               /* signature, 2 bytes */
    hs[n++] = 0x02;
    hs[n++] = 0xab;
    hs[n++] = 0xcd;
    memcpy(hs + n, shd, sizeof shd);
    n += sizeof shd;
    len = frame(v, STC_V_TLS12, hs, n, NULL, 0);

    CHECK_EQ(vec(v, len, 0), STC_OK);
    CHECK_EQ(whole.r.ans.kind, STC_ANS_HELLO);
    CHECK_EQ(whole.r.ans.suite, 0xc02f);
    CHECK(whole.r.ans.flags & STC_HA_DOWNGRADE); /* RFC 8446 4.1.3 sentinel */
    CHECK(!(whole.r.ans.flags & (STC_HA_RENEG | STC_HA_EMS)));
    CHECK_EQ(whole.r.ans.ext_mask, 0);
    CHECK_EQ(whole.r.ans.skx_kind, STC_SKX_ECDH);
    CHECK_EQ(whole.r.ans.curve_type, 3);
    CHECK_EQ(whole.r.ans.skx_group, STC_GROUP_P256);
    CHECK_EQ(whole.r.ans.ncerts, 1);
    CHECK_EQ(whole.cap.got[0], 4);
    CHECK_EQ(whole.cap.buf[0][0], 0x30);

    /* no callback: the certificate passes anyway */
    {
        stc_hello_rd_t r;
        size_t used;
        stc_hello_rd_init(&r, NULL, NULL);
        CHECK_EQ(stc_hello_rd_feed(&r, v, len, &used), STC_OK);
        CHECK_EQ(r.ans.ncerts, 1);
    }
}

/* sh_plain - a TLS 1.2 ServerHello without extensions choosing suite */
static size_t sh_plain(uint8_t *o, uint16_t suite)
{
    static const uint8_t head[] = {0x02, 0x00, 0x00, 0x26, 0x03, 0x03}; /* SH, 38, TLS 1.2 */
    memcpy(o, head, sizeof head);
    memset(o + 6, 0x66, 32); /* random */
    o[38] = 0x00;            /* session id: empty */
    o[39] = (uint8_t)(suite >> 8);
    o[40] = (uint8_t)suite;
    o[41] = 0x00;            /* null compression */
    return 42;
}

/* read_skx_psk - ServerKeyExchange of the PSK families: the identity hint
 * first (RFC 4279 2, RFC 5489 2), then DH or EC parameters or nothing */
static void read_skx_psk(void)
{
    static const uint8_t dhe_psk[] = {
        0x0c, 0x00, 0x00, 0x0c,       /* ServerKeyExchange, 12 */
        0x00, 0x02, 'i', 'd',         /* psk_identity_hint "id" */
        0x00, 0x02, 0x01, 0x00,       /* dh_p: 0x0100, 9 bits */
        0x00, 0x01, 0x02,             /* dh_g */
        0x00,                         /* (a stray byte of dh_Ys: passed) */
    };
    static const uint8_t ecdhe_psk[] = {
        0x0c, 0x00, 0x00, 0x09,       /* ServerKeyExchange, 9 */
        0x00, 0x00,                   /* psk_identity_hint: empty */
        0x03, 0x00, 0x18,             /* named_curve secp384r1 */
        0x03, 0x04, 0x01, 0x02,       /* ECPoint, 3 bytes (not judged) */
    };
    static const uint8_t psk[] = {
        0x0c, 0x00, 0x00, 0x04, 0x00, 0x02, 'i', 'd', /* the hint only */
    };
    static uint8_t hs[128], v[160];
    size_t n, len;

    n = sh_plain(hs, 0x00AA); /* TLS_DHE_PSK_WITH_AES_128_GCM_SHA256 */
    memcpy(hs + n, dhe_psk, sizeof dhe_psk);
    n += sizeof dhe_psk;
    memcpy(hs + n, shd, sizeof shd);
    len = frame(v, STC_V_TLS12, hs, n + sizeof shd, NULL, 0);
    CHECK_EQ(vec(v, len, 0), STC_OK);
    CHECK_EQ(whole.r.ans.skx_kind, STC_SKX_DH);
    CHECK_EQ(whole.r.ans.skx_bits, 9);

    n = sh_plain(hs, 0xC035); /* TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA */
    memcpy(hs + n, ecdhe_psk, sizeof ecdhe_psk);
    n += sizeof ecdhe_psk;
    memcpy(hs + n, shd, sizeof shd);
    len = frame(v, STC_V_TLS12, hs, n + sizeof shd, NULL, 0);
    CHECK_EQ(vec(v, len, 0), STC_OK);
    CHECK_EQ(whole.r.ans.skx_kind, STC_SKX_ECDH);
    CHECK_EQ(whole.r.ans.skx_group, STC_GROUP_P384);

    n = sh_plain(hs, 0x008C); /* TLS_PSK_WITH_AES_128_CBC_SHA */
    memcpy(hs + n, psk, sizeof psk);
    n += sizeof psk;
    memcpy(hs + n, shd, sizeof shd);
    len = frame(v, STC_V_TLS12, hs, n + sizeof shd, NULL, 0);
    CHECK_EQ(vec(v, len, 0), STC_OK);
    CHECK_EQ(whole.r.ans.skx_kind, STC_SKX_OTHER);
    CHECK(whole.r.ans.flags & STC_HA_SKX);

    /* a hint longer than its message */
    n = sh_plain(hs, 0x008C);
    memcpy(hs + n, psk, sizeof psk);
    hs[n + 5] = 0x09;
    len = frame(v, STC_V_TLS12, hs, n + sizeof psk, NULL, 0);
    CHECK_EQ(vec(v, len, 0), STC_EPROTO);
    CHECK_EQ(whole.r.ans.why, STC_HW_LENGTH);
}

/* TLS 1.3 ServerHello (RFC 8446 4.1.3), then a compatibility CCS */
static const uint8_t sh13[] = {
    0x16, 0x03, 0x03, 0x00, 0x5a, /* handshake record, 90 bytes */
    0x02, 0x00, 0x00, 0x56,       /* ServerHello, 86 */
    0x03, 0x03,                   /* legacy_version */
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, /* random */
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
    0x00,                         /* legacy_session_id_echo: empty */
    0x13, 0x01,                   /* TLS_AES_128_GCM_SHA256 */
    0x00,                         /* legacy_compression_method */
    0x00, 0x2e,                   /* extensions, 46 */
    0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, /* supported_versions: TLS 1.3 */
    0x00, 0x33, 0x00, 0x24,       /* key_share, 36: */
    0x00, 0x1d, 0x00, 0x20,       /*   x25519, 32 bytes */
    0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
    0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
    0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
    0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
    0x14, 0x03, 0x03, 0x00, 0x01, 0x01, /* ChangeCipherSpec: not ours */
};

/* read_tls13 - the answer ends with the ServerHello */
static void read_tls13(void)
{
    CHECK_EQ(vec(sh13, sizeof sh13, 0), STC_OK);
    CHECK_EQ(whole.used, sizeof sh13 - 6);
    CHECK_EQ(whole.r.ans.kind, STC_ANS_HELLO);
    CHECK_EQ(whole.r.ans.legacy_version, STC_V_TLS12);
    CHECK_EQ(whole.r.ans.version, STC_V_TLS13);
    CHECK(whole.r.ans.flags & STC_HA_TLS13);
    CHECK(whole.r.ans.flags & STC_HA_KEY_SHARE);
    CHECK(!(whole.r.ans.flags & STC_HA_HRR));
    CHECK_EQ(whole.r.ans.group, STC_GROUP_X25519);
    CHECK_EQ(whole.r.ans.suite, 0x1301);

    /* supported_versions naming TLS 1.2 breaks RFC 8446 4.2.1; the
     * answer still ends with the ServerHello, reported as it was */
    {
        uint8_t v[sizeof sh13];
        memcpy(v, sh13, sizeof sh13);
        v[54] = 0x03;
        CHECK_EQ(vec(v, sizeof v, 0), STC_OK);
        CHECK_EQ(whole.used, sizeof sh13 - 6);
        CHECK_EQ(whole.r.ans.version, STC_V_TLS12);
        CHECK(!(whole.r.ans.flags & STC_HA_TLS13));
        CHECK(whole.r.ans.flags & STC_HA_VERSIONS);
    }
}

/* read_tls13_big - an ffdhe8192 key share (1 KB) over two records */
static void read_tls13_big(void)
{
    static uint8_t hs[1200], v[1300];
    size_t n = 0, cut = 600, len;

    hs[n++] = 0x02;
    hs[n++] = 0x00;
    hs[n++] = 0x04;
    hs[n++] = 0x36;               /* ServerHello, 1078 bytes */
    hs[n++] = 0x03;
    hs[n++] = 0x03;
    memset(hs + n, 0x44, 32);     /* random */
    n += 32;
    hs[n++] = 0x00;               /* session id */
    hs[n++] = 0x13;
    hs[n++] = 0x02;               /* TLS_AES_256_GCM_SHA384 */
    hs[n++] = 0x00;
    hs[n++] = 0x04;
    hs[n++] = 0x0e;               /* extensions, 1038 */
    hs[n++] = 0x00;
    hs[n++] = 0x33;
    hs[n++] = 0x04;
    hs[n++] = 0x04;               /* key_share, 1028 */
    hs[n++] = 0x01;
    hs[n++] = 0x04;               /* ffdhe8192 */
    hs[n++] = 0x04;
    hs[n++] = 0x00;               /* key_exchange, 1024 bytes */
    memset(hs + n, 0x88, 1024);
    n += 1024;
    hs[n++] = 0x00;
    hs[n++] = 0x2b;
    hs[n++] = 0x00;
    hs[n++] = 0x02;
    hs[n++] = 0x03;
    hs[n++] = 0x04;               /* supported_versions: 1.3 */
    CHECK_EQ(n, 4 + 1078);
    len = frame(v, STC_V_TLS12, hs, n, &cut, 1);
    CHECK_EQ(vec(v, len, 0), STC_OK);
    CHECK_EQ(whole.r.ans.group, STC_GROUP_FFDHE8192);
    CHECK_EQ(whole.r.ans.version, STC_V_TLS13);
    CHECK(sizeof(stc_hello_rd_t) <= 640);
}

/* read_hrr - HelloRetryRequest naming secp256r1, with a cookie */
static void read_hrr(void)
{
    static const uint8_t hrr[] = {
        0x16, 0x03, 0x03, 0x00, 0x42, /* handshake record, 66 */
        0x02, 0x00, 0x00, 0x3e,       /* ServerHello, 62 */
        0x03, 0x03,                   /* legacy_version */
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, /* the HRR random */
        0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, /* (RFC 8446 4.1.3) */
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
        0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
        0x00,                         /* session id */
        0x13, 0x02,                   /* TLS_AES_256_GCM_SHA384 */
        0x00,                         /* compression */
        0x00, 0x16,                   /* extensions, 22 */
        0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, /* supported_versions */
        0x00, 0x33, 0x00, 0x02, 0x00, 0x17, /* key_share: selected_group P-256 */
        0x00, 0x2c, 0x00, 0x06, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef, /* cookie */
    };
    uint8_t bad[sizeof hrr];

    CHECK_EQ(vec(hrr, sizeof hrr, 0), STC_OK);
    CHECK_EQ(whole.r.ans.kind, STC_ANS_HRR);
    CHECK(whole.r.ans.flags & STC_HA_HRR);
    CHECK_EQ(whole.r.ans.group, STC_GROUP_P256);
    CHECK_EQ(whole.r.ans.suite, 0x1302);
    CHECK(whole.r.ans.ext_mask & STC_HE_COOKIE);

    /* the same with one random byte changed: a ServerHello whose
     * key_share lacks its key_exchange */
    memcpy(bad, hrr, sizeof hrr);
    bad[11 + 31] ^= 1;
    CHECK_EQ(vec(bad, sizeof bad, 0), STC_EPROTO);
    CHECK_EQ(whole.r.ans.why, STC_HW_LENGTH);
}

/* The recorded hellos of tests/fake/smtp_server.c: hello_sslv3,
 * hello_sslv2, hello_compress. */
#include "fake/recorded_hellos.h"

/* read_recorded - the fake server's SSLv3, SSLv2 and DEFLATE answers */
static void read_recorded(void)
{
    CHECK_EQ(vec(hello_sslv3, sizeof hello_sslv3, 0), STC_OK);
    CHECK_EQ(whole.r.ans.kind, STC_ANS_HELLO);
    CHECK_EQ(whole.r.ans.version, STC_V_SSL3);
    CHECK_EQ(whole.r.ans.suite, 0x000a);
    CHECK(!(whole.r.ans.flags & STC_HA_RENEG));
    CHECK_EQ(stc_grade_version(whole.r.ans.version), STC_GRADE_INSUFFICIENT);

    CHECK_EQ(vec(hello_sslv2, sizeof hello_sslv2, 0), STC_OK);
    CHECK_EQ(whole.r.ans.kind, STC_ANS_SSL2);
    CHECK_EQ(whole.r.ans.version, STC_V_SSL2);
    CHECK_EQ(whole.r.ans.v2_cert_type, 1);
    CHECK_EQ(whole.r.ans.ncerts, 0);
    CHECK_EQ(whole.r.ans.v2_nspecs, 1);
    CHECK_EQ(whole.r.ans.v2_specs[0], STC_SSL2_DES_192_EDE3_CBC_WITH_MD5);

    /* the DEFLATE hello has no ServerHelloDone: the server stalls */
    CHECK_EQ(vec(hello_compress, sizeof hello_compress, 0), STC_EAGAIN);
    CHECK_EQ(whole.r.ans.compression, 1);
    CHECK(whole.r.ans.flags & STC_HA_SH_DONE);
    CHECK_EQ(vec(hello_compress, sizeof hello_compress, 1), STC_ERESET);
    CHECK_EQ(whole.r.ans.why, STC_HW_TRUNCATED);
    CHECK_EQ(whole.r.ans.compression, 1);
}

/* read_ssl2 - a SERVER-HELLO with a certificate and two specs; an ERROR */
static void read_ssl2(void)
{
    static const uint8_t v2[] = {
        0x80, 0x27,                   /* 2-byte header, 39 bytes */
        0x04,                         /* SERVER-HELLO */
        0x00, 0x01,                   /* SESSION-ID-HIT 0, CERTIFICATE-TYPE X.509 */
        0x00, 0x02,                   /* SERVER-VERSION 2 */
        0x00, 0x06, 0x00, 0x06,       /* CERTIFICATE-LENGTH 6, CIPHER-SPECS-LENGTH 6 */
        0x00, 0x10,                   /* CONNECTION-ID-LENGTH 16 */
        'C', 'E', 'R', 'T', 'V', '2', /* CERTIFICATE-DATA */
        0x02, 0x00, 0x80, 0x06, 0x00, 0x40, /* RC4 EXPORT40, DES 64 */
        0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, /* CONNECTION-ID */
        0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
    };
    static const uint8_t err[] = {0x80, 0x03, 0x00, 0x00, 0x01}; /* ERROR: NO-CIPHER-ERROR */
    uint8_t bad[sizeof v2];

    CHECK_EQ(vec(v2, sizeof v2, 0), STC_OK);
    CHECK_EQ(whole.r.ans.kind, STC_ANS_SSL2);
    CHECK_EQ(whole.r.ans.ncerts, 1);
    CHECK_EQ(whole.r.ans.cert_len[0], 6);
    CHECK(memcmp(whole.cap.buf[0], "CERTV2", 6) == 0);
    CHECK_EQ(whole.r.ans.v2_nspecs, 2);
    CHECK_EQ(whole.r.ans.v2_specs[1], STC_SSL2_DES_64_CBC_WITH_MD5);

    CHECK_EQ(vec(err, sizeof err, 0), STC_OK);
    CHECK_EQ(whole.r.ans.kind, STC_ANS_SSL2_ERROR);
    CHECK_EQ(whole.r.ans.v2_error, 1);

    /* lengths that do not add up to the record */
    memcpy(bad, v2, sizeof v2);
    bad[8] = 0x07; /* certificate 7 */
    CHECK_EQ(vec(bad, sizeof bad, 0), STC_EPROTO);
    CHECK_EQ(whole.r.ans.why, STC_HW_LENGTH);
    bad[8] = 0x06;
    bad[10] = 0x05; /* specs not a multiple of 3 (and short) */
    CHECK_EQ(vec(bad, sizeof bad, 0), STC_EPROTO);
}

/* read_alerts - fatal, split, warning-then-hello, close_notify */
static void read_alerts(void)
{
    static const uint8_t fatal[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28}; /* handshake_failure */
    static const uint8_t split[] = {0x15, 0x03, 0x03, 0x00, 0x01, 0x02,  /* level */
                                    0x15, 0x03, 0x03, 0x00, 0x01, 0x46}; /* protocol_version */
    static const uint8_t bad_level[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x07, 0x28};
    static uint8_t v[128];
    size_t n;

    CHECK_EQ(vec(fatal, sizeof fatal, 0), STC_OK);
    CHECK_EQ(whole.r.ans.kind, STC_ANS_ALERT);
    CHECK_EQ(whole.r.ans.alert_level, 2);
    CHECK_EQ(whole.r.ans.alert_desc, STC_ALERT_HANDSHAKE_FAILURE);

    CHECK_EQ(vec(split, sizeof split, 0), STC_OK);
    CHECK_EQ(whole.r.ans.alert_desc, STC_ALERT_PROTOCOL_VERSION);

    CHECK_EQ(vec(bad_level, sizeof bad_level, 0), STC_EPROTO);
    CHECK_EQ(whole.r.ans.why, STC_HW_FIELD);

    /* warning unrecognized_name (RFC 6066 3), then the SSLv3-style answer */
    v[0] = 0x15;
    v[1] = 0x03;
    v[2] = 0x03;
    v[3] = 0x00;
    v[4] = 0x02;
    v[5] = 0x01;
    v[6] = 112;
    memcpy(v + 7, hello_sslv3, sizeof hello_sslv3);
    n = 7 + sizeof hello_sslv3;
    CHECK_EQ(vec(v, n, 0), STC_OK);
    CHECK_EQ(whole.r.ans.kind, STC_ANS_HELLO);
    CHECK(whole.r.ans.flags & STC_HA_WARNING);
    CHECK_EQ(whole.r.ans.warn_desc, 112);

    /* ServerHello, then a fatal alert instead of the rest */
    memcpy(v, hello_compress, sizeof hello_compress);
    memcpy(v + sizeof hello_compress, fatal, sizeof fatal);
    CHECK_EQ(vec(v, sizeof hello_compress + sizeof fatal, 0), STC_OK);
    CHECK_EQ(whole.r.ans.kind, STC_ANS_ALERT);
    CHECK(whole.r.ans.flags & STC_HA_SH_DONE);

    /* warning close_notify ends the answer */
    memcpy(v, fatal, sizeof fatal);
    v[5] = 1;
    v[6] = 0;
    CHECK_EQ(vec(v, sizeof fatal, 0), STC_OK);
    CHECK_EQ(whole.r.ans.kind, STC_ANS_ALERT);
    CHECK_EQ(whole.r.ans.alert_level, 1);
}

/* read_text - a plaintext SMTP reply and garbage */
static void read_text(void)
{
    static const char smtp[] = "454 4.7.0 TLS not available due to local problem\r\n250 x\r\n";
    static const char longline[] =
        "220 this line is far longer than the reader keeps of a text answer and goes on";
    static const uint8_t garbage[] = {0x00, 0x01, 0x02, 0xff, 0x41};
    static const uint8_t badrec[] = {0x16, 0x02, 0x00, 0x00, 0x04};
    static const uint8_t ctl[] = {'5', '0', '0', 0x07, 'x', 0x00, 'y'};

    CHECK_EQ(vec((const uint8_t *)smtp, sizeof smtp - 1, 0), STC_OK);
    CHECK_EQ(whole.r.ans.kind, STC_ANS_TEXT);
    CHECK_STR(whole.r.ans.text, "454 4.7.0 TLS not available due to local problem");
    CHECK_EQ(whole.used, 50); /* through the first LF */

    CHECK_EQ(vec((const uint8_t *)longline, sizeof longline - 1, 0), STC_OK);
    CHECK_EQ(strlen(whole.r.ans.text), STC_HELLO_TEXT_MAX - 1);

    CHECK_EQ(vec(ctl, sizeof ctl, 1), STC_OK); /* EOF ends a text answer */
    CHECK_STR(whole.r.ans.text, "500?x?y");

    CHECK_EQ(vec(garbage, sizeof garbage, 0), STC_EPROTO);
    CHECK_EQ(whole.r.ans.why, STC_HW_NOT_TLS);
    CHECK_STR(whole.r.ans.text, "00");
    CHECK_EQ(whole.used, 0);

    CHECK_EQ(vec(badrec, sizeof badrec, 0), STC_EPROTO); /* record version 2.0 */
    CHECK_EQ(whole.r.ans.why, STC_HW_RECORD);

    CHECK_EQ(vec(garbage, 0, 1), STC_ECLOSED); /* closed without a byte */
}

/* read_bad_lengths - oversized and inconsistent lengths, our bounds */
static void read_bad_lengths(void)
{
    static uint8_t v[2048];
    static const uint8_t overflow[] = {0x16, 0x03, 0x03, 0x40, 0x01}; /* 16385 */
    static const uint8_t empty[] = {0x16, 0x03, 0x03, 0x00, 0x00};
    static const uint8_t huge[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0xff, 0xff, 0xff};
    static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    static const uint8_t first_cert[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x0b, 0x00, 0x00, 0x00};
    size_t i, n;

    CHECK_EQ(vec(overflow, sizeof overflow, 0), STC_EPROTO);
    CHECK_EQ(whole.r.ans.why, STC_HW_OVERFLOW);
    CHECK_EQ(vec(empty, sizeof empty, 0), STC_EPROTO);
    CHECK_EQ(whole.r.ans.why, STC_HW_EMPTY);
    CHECK_EQ(vec(huge, sizeof huge, 0), STC_ETOOLONG); /* 16 MB ServerHello */
    CHECK_EQ(whole.r.ans.limit, STC_HLIM_ANSWER);
    CHECK_EQ(vec(ccs, sizeof ccs, 0), STC_EPROTO);
    CHECK_EQ(whole.r.ans.why, STC_HW_UNEXPECTED);
    CHECK_EQ(vec(first_cert, sizeof first_cert, 0), STC_EPROTO); /* no ServerHello first */
    CHECK_EQ(whole.r.ans.why, STC_HW_UNEXPECTED);

    /* session id of 33 bytes */
    memcpy(v, hello_sslv3, sizeof hello_sslv3);
    v[5 + 4 + 2 + 32] = 33;
    CHECK_EQ(vec(v, sizeof hello_sslv3, 0), STC_EPROTO);
    CHECK_EQ(whole.r.ans.why, STC_HW_FIELD);

    /* an extensions block longer than what is left of its ServerHello */
    memcpy(v, hello_compress, sizeof hello_compress);
    v[4] = 0x2c;  /* record 44 */
    v[8] = 0x28;  /* ServerHello 40 */
    v[47] = 0x00; /* extensions length... */
    v[48] = 0x05; /* ...5, but none follow */
    CHECK_EQ(vec(v, sizeof hello_compress + 2, 0), STC_EPROTO);
    CHECK_EQ(whole.r.ans.why, STC_HW_LENGTH);

    /* an extension longer than the extensions block */
    memcpy(v, sh13, sizeof sh13 - 6);
    v[51] = 0x00;
    v[52] = 0x30; /* supported_versions claims 48 bytes of the block's 46 */
    CHECK_EQ(vec(v, sizeof sh13 - 6, 0), STC_EPROTO);
    CHECK_EQ(whole.r.ans.why, STC_HW_LENGTH);

    /* supported_versions twice */
    memcpy(v, sh13, sizeof sh13 - 6);
    v[55] = 0x00; /* key_share's type -> supported_versions */
    v[56] = 0x2b;
    CHECK_EQ(vec(v, sizeof sh13 - 6, 0), STC_EPROTO);
    CHECK_EQ(whole.r.ans.why, STC_HW_DUP_EXT);

    /* a certificate list longer than its message */
    n = 0;
    memcpy(v, hello_sslv3, sizeof hello_sslv3 - 4); /* SSLv3 SH without SHD */
    n = sizeof hello_sslv3 - 4;
    v[4] = 0x2a;
    {
        static const uint8_t c[] = {0x16, 0x03, 0x00, 0x00, 0x0a, 0x0b, 0x00, 0x00, 0x06,
                                    0x00, 0x00, 0x09, 0x00, 0x00, 0x01};
        memcpy(v + n, c, sizeof c);
        n += sizeof c;
    }
    CHECK_EQ(vec(v, n, 0), STC_EPROTO);
    CHECK_EQ(whole.r.ans.why, STC_HW_LENGTH);

    /* more HelloRequests than we read: our bound, not the server's fault */
    for (i = 0; i <= STC_HELLO_MSGS_MAX; i++) {
        static const uint8_t hr[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00};
        memcpy(v + i * sizeof hr, hr, sizeof hr);
    }
    CHECK_EQ(vec(v, (STC_HELLO_MSGS_MAX + 1) * 9, 0), STC_ETOOLONG);
    CHECK_EQ(whole.r.ans.limit, STC_HLIM_MSGS);
}

/* read_answer_cap - an endless stream of warning alerts stops at our
 * bound on answer bytes, reported as our limit */
static void read_answer_cap(void)
{
    static const uint8_t warn[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 112}; /* unrecognized_name */
    stc_hello_rd_t r;
    size_t used, total = 0, i;
    int rc = STC_EAGAIN;

    stc_hello_rd_init(&r, NULL, NULL);
    for (i = 0; i < STC_HELLO_ANSWER_MAX / sizeof warn + 2 && rc == STC_EAGAIN; i++) {
        rc = stc_hello_rd_feed(&r, warn, sizeof warn, &used);
        total += used;
    }
    CHECK_EQ(rc, STC_ETOOLONG);
    CHECK_EQ(r.ans.limit, STC_HLIM_ANSWER);
    CHECK_EQ(total, STC_HELLO_ANSWER_MAX);
    CHECK_EQ(r.ans.bytes, STC_HELLO_ANSWER_MAX);
    CHECK_EQ(stc_hello_rd_eof(&r), STC_ETOOLONG);
}

/* read_sticky - a finished reader takes nothing more; a failed one stays failed */
static void read_sticky(void)
{
    stc_hello_rd_t r;
    size_t used = 9;

    stc_hello_rd_init(&r, NULL, NULL);
    CHECK_EQ(stc_hello_rd_feed(&r, hello_sslv3, sizeof hello_sslv3, &used), STC_OK);
    CHECK_EQ(stc_hello_rd_feed(&r, hello_sslv3, sizeof hello_sslv3, &used), STC_OK);
    CHECK_EQ(used, 0);
    CHECK_EQ(stc_hello_rd_eof(&r), STC_OK);
    stc_hello_rd_init(&r, NULL, NULL);
    CHECK_EQ(stc_hello_rd_feed(&r, (const uint8_t *)"\x01", 1, &used), STC_EPROTO);
    CHECK_EQ(stc_hello_rd_feed(&r, hello_sslv3, sizeof hello_sslv3, &used), STC_EPROTO);
    CHECK_EQ(stc_hello_rd_eof(&r), STC_EPROTO);
}

/* ---- classification ------------------------------------------------------------ */

/* classify - the table against the NCSC-NL levels quoted in it */
static void classify(void)
{
    CHECK_EQ(stc_grade_version(STC_V_SSL2), STC_GRADE_INSUFFICIENT);
    CHECK_EQ(stc_grade_version(STC_V_SSL3), STC_GRADE_INSUFFICIENT);
    CHECK_EQ(stc_grade_version(STC_V_TLS10), STC_GRADE_PHASE_OUT);
    CHECK_EQ(stc_grade_version(STC_V_TLS11), STC_GRADE_PHASE_OUT);
    CHECK_EQ(stc_grade_version(STC_V_TLS12), STC_GRADE_SUFFICIENT);
    CHECK_EQ(stc_grade_version(STC_V_TLS13), STC_GRADE_GOOD);
    CHECK_EQ(stc_grade_version(0x7f1c), STC_GRADE_INSUFFICIENT);

    CHECK_EQ(stc_grade_suite(0x0001), STC_GRADE_INSUFFICIENT); /* NULL */
    CHECK_EQ(stc_grade_suite(0x0003), STC_GRADE_INSUFFICIENT); /* EXPORT */
    CHECK_EQ(stc_grade_suite(0x0034), STC_GRADE_INSUFFICIENT); /* anon */
    CHECK_EQ(stc_grade_suite(0xC011), STC_GRADE_INSUFFICIENT); /* RC4 */
    CHECK_EQ(stc_grade_suite(0x0015), STC_GRADE_INSUFFICIENT); /* DES */
    CHECK_EQ(stc_grade_suite(0xC010), STC_GRADE_INSUFFICIENT); /* ECDHE NULL */
    CHECK_EQ(stc_grade_suite(0xC0B4), STC_GRADE_INSUFFICIENT); /* TLS 1.3 NULL */
    CHECK_EQ(stc_grade_suite(0xC012), STC_GRADE_PHASE_OUT);    /* 3DES */
    CHECK_EQ(stc_grade_suite(0x009C), STC_GRADE_PHASE_OUT);    /* RSA kx, GCM */
    CHECK_EQ(stc_grade_suite(0x0030), STC_GRADE_PHASE_OUT);    /* static DH */
    CHECK_EQ(stc_grade_suite(0xC013), STC_GRADE_SUFFICIENT);   /* ECDHE AES-CBC */
    CHECK_EQ(stc_grade_suite(0x0067), STC_GRADE_SUFFICIENT);   /* DHE AES-CBC */
    CHECK_EQ(stc_grade_suite(0xC02F), STC_GRADE_GOOD);
    CHECK_EQ(stc_grade_suite(0xCCA8), STC_GRADE_GOOD);
    CHECK_EQ(stc_grade_suite(0x1301), STC_GRADE_GOOD);
    CHECK_EQ(stc_grade_suite(0xC076), STC_GRADE_PHASE_OUT);    /* ECDHE Camellia */
    CHECK_EQ(stc_grade_suite(0xC061), STC_GRADE_PHASE_OUT);    /* ECDHE ARIA-GCM */
    CHECK_EQ(stc_grade_suite(0x0000), STC_GRADE_INSUFFICIENT); /* never offered */

    CHECK_EQ(stc_grade_group(STC_GROUP_X25519), STC_GRADE_GOOD);
    CHECK_EQ(stc_grade_group(STC_GROUP_X448), STC_GRADE_GOOD);
    CHECK_EQ(stc_grade_group(STC_GROUP_P256), STC_GRADE_GOOD);
    CHECK_EQ(stc_grade_group(STC_GROUP_P521), STC_GRADE_GOOD);
    CHECK_EQ(stc_grade_group(STC_GROUP_FFDHE2048), STC_GRADE_PHASE_OUT);
    CHECK_EQ(stc_grade_group(STC_GROUP_FFDHE3072), STC_GRADE_GOOD);
    CHECK_EQ(stc_grade_group(26), STC_GRADE_PHASE_OUT); /* brainpoolP256r1 */

    CHECK_EQ(stc_grade_dh_bits(1024), STC_GRADE_INSUFFICIENT);
    CHECK_EQ(stc_grade_dh_bits(2047), STC_GRADE_INSUFFICIENT);
    CHECK_EQ(stc_grade_dh_bits(2048), STC_GRADE_PHASE_OUT);
    CHECK_EQ(stc_grade_dh_bits(3072), STC_GRADE_GOOD);

    CHECK_EQ(stc_grade_cert_key(1, 1024), STC_GRADE_INSUFFICIENT);
    CHECK_EQ(stc_grade_cert_key(1, 2048), STC_GRADE_SUFFICIENT);
    CHECK_EQ(stc_grade_cert_key(1, 4096), STC_GRADE_GOOD);
    CHECK_EQ(stc_grade_cert_key(2, 224), STC_GRADE_INSUFFICIENT);
    CHECK_EQ(stc_grade_cert_key(2, 256), STC_GRADE_GOOD);
    CHECK_EQ(stc_grade_cert_key(3, 256), STC_GRADE_GOOD);
    CHECK_EQ(stc_grade_sig_hash(1), STC_GRADE_INSUFFICIENT); /* MD5 */
    CHECK_EQ(stc_grade_sig_hash(2), STC_GRADE_INSUFFICIENT); /* SHA-1 */
    CHECK_EQ(stc_grade_sig_hash(3), STC_GRADE_GOOD);

    CHECK_EQ(stc_grade_status(STC_GRADE_GOOD), STC_SUCCESS);
    CHECK_EQ(stc_grade_status(STC_GRADE_SUFFICIENT), STC_SUCCESS);
    CHECK_EQ(stc_grade_status(STC_GRADE_PHASE_OUT), STC_WARNING);
    CHECK_EQ(stc_grade_status(STC_GRADE_INSUFFICIENT), STC_FAILURE);
    CHECK_STR(stc_grade_text(STC_GRADE_PHASE_OUT), "phase_out");

    /* every suite of the table has a grade, and the broken classes fail */
    {
        size_t n, i;
        const stc_suite_t *t = stc_suite_table(&n);
        int ok = 1;
        for (i = 0; i < n; i++) {
            uint32_t f = stc_suite_flags(&t[i]);
            stc_grade_t g = stc_grade_suite(t[i].id);
            if ((f & (STC_SF_NULL | STC_SF_EXPORT | STC_SF_ANON | STC_SF_RC4 | STC_SF_DES)) &&
                g != STC_GRADE_INSUFFICIENT)
                ok = 0;
            if (g == STC_GRADE_GOOD && !(f & STC_SF_FS))
                ok = 0;
        }
        CHECK(ok);
    }
}

int main(void)
{
    unit_name = "tls_hello";
    RUN(table_shape);
    RUN(table_spots);
    RUN(build_sslv3);
    RUN(build_tls12);
    RUN(build_tls13);
    RUN(build_v2);
    RUN(build_limits);
    RUN(read_tls12_dhe);
    RUN(read_tls12_ecdhe);
    RUN(read_skx_psk);
    RUN(read_tls13);
    RUN(read_tls13_big);
    RUN(read_hrr);
    RUN(read_recorded);
    RUN(read_ssl2);
    RUN(read_alerts);
    RUN(read_text);
    RUN(read_bad_lengths);
    RUN(read_answer_cap);
    RUN(read_sticky);
    RUN(classify);
    printf("sizeof(stc_hello_rd_t) = %zu\n", sizeof(stc_hello_rd_t));
    return unit_done();
}
