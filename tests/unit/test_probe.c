/* test_probe.c - the probe planner (src/probe.c) against model servers
 *
 * Each model server is a configuration (versions, suite classes, groups,
 * order, DHE prime, renegotiation, EMS, compression, fallback SCSV). The
 * planner's real ClientHello bytes are parsed here and answered as such a
 * server would (RFC 5246 7.4.1.3, RFC 8446 4.1.1-4.1.4), until the planner
 * has nothing left to ask. Then every question it marked tested must have
 * the configuration's answer, every question must be tested unless a
 * bound stopped it, the sessions must stay within the economy bounds
 * (clean server: <= 12 with the main handshake), and the findings must
 * follow from the configuration.
 */
#include "unit.h"

#include "probe.h"

/* ---- model servers ---------------------------------------------------------- */

typedef struct model {
    const char *name;
    uint8_t versions;  /* STC_PV_* */
    uint8_t classes;   /* weak classes accepted (STC_PC_*) */
    int fs_ok;         /* accepts non-weak (EC)DHE suites */
    int aead_ok, cbc_ok; /* ... with AEAD / with CBC */
    int dhe_ok;        /* DHE suites (non-weak) */
    uint16_t dhe_bits;
    uint8_t groups;    /* STC_PG_* */
    int server_order;
    int reneg, ems, compression, fallback;
    int unlisted;      /* accepts Camellia/ARIA (non-weak, FS) */
} model_t;

/* Parsed ClientHello. */
typedef struct hello {
    int v2;
    uint16_t client_version;
    uint16_t suites[400];
    size_t nsuites;
    uint16_t groups[16];
    size_t ngroups;
    uint16_t versions[8];
    size_t nversions;
    uint16_t share; /* key_share group, 0 none */
    int deflate, reneg, ems, fallback;
} hello_t;

static unsigned rd16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* parse - our own ClientHello (the builder's output is trusted here) */
static int parse(const uint8_t *b, size_t n, hello_t *h)
{
    size_t off, end, i;

    memset(h, 0, sizeof *h);
    if (n > 0 && (b[0] & 0x80)) {
        h->v2 = 1;
        return 0;
    }
    if (n < 9 + 2 + 32 + 1 || b[0] != 22 || b[5] != 1)
        return -1;
    off = 9;
    h->client_version = (uint16_t)rd16(b + off);
    off += 2 + 32;
    off += 1 + b[off]; /* session id */
    end = off + 2 + rd16(b + off);
    for (i = off + 2; i + 1 < end && h->nsuites < 400; i += 2) {
        uint16_t s = (uint16_t)rd16(b + i);
        if (s == STC_SCSV_FALLBACK)
            h->fallback = 1;
        else if (s == STC_SCSV_RENEG)
            h->reneg = 1;
        else
            h->suites[h->nsuites++] = s;
    }
    off = end;
    for (i = 0; i < b[off]; i++)
        if (b[off + 1 + i] == 1)
            h->deflate = 1;
    off += 1 + b[off];
    if (off + 2 > n)
        return 0;
    end = off + 2 + rd16(b + off);
    off += 2;
    while (off + 4 <= end) {
        unsigned type = rd16(b + off), len = rd16(b + off + 2);
        const uint8_t *x = b + off + 4;
        if (type == 10)
            for (i = 2; i + 1 < 2 + rd16(x) && h->ngroups < 16; i += 2)
                h->groups[h->ngroups++] = (uint16_t)rd16(x + i);
        if (type == 43)
            for (i = 1; i + 1 < 1u + x[0] && h->nversions < 8; i += 2)
                h->versions[h->nversions++] = (uint16_t)rd16(x + i);
        if (type == 51 && len > 2 && rd16(x) > 0)
            h->share = (uint16_t)rd16(x + 2);
        if (type == 0xff01)
            h->reneg = 1;
        if (type == 23)
            h->ems = 1;
        off += 4 + len;
    }
    return 0;
}

static uint8_t vbit(uint16_t v)
{
    switch (v) {
    case STC_V_SSL3: return STC_PV_SSL3;
    case STC_V_TLS10: return STC_PV_TLS10;
    case STC_V_TLS11: return STC_PV_TLS11;
    case STC_V_TLS12: return STC_PV_TLS12;
    case STC_V_TLS13: return STC_PV_TLS13;
    default: return 0;
    }
}

static uint8_t gbit(uint16_t g)
{
    switch (g) {
    case STC_GROUP_X25519: return STC_PG_X25519;
    case STC_GROUP_P256: return STC_PG_P256;
    case STC_GROUP_P384: return STC_PG_P384;
    case STC_GROUP_P521: return STC_PG_P521;
    case STC_GROUP_FFDHE2048: return STC_PG_FFDHE2048;
    case STC_GROUP_FFDHE3072: case STC_GROUP_FFDHE4096: return STC_PG_FFDHE3072;
    default: return 0;
    }
}

static uint8_t pclasses(uint32_t sf)
{
    uint8_t c = 0;
    if (sf & STC_SF_NULL) c |= STC_PC_NULL;
    if (sf & STC_SF_EXPORT) c |= STC_PC_EXPORT;
    if (sf & STC_SF_ANON) c |= STC_PC_ANON;
    if (sf & STC_SF_RC4) c |= STC_PC_RC4;
    if (sf & STC_SF_DES) c |= STC_PC_DES;
    if (sf & STC_SF_3DES) c |= STC_PC_3DES;
    if (sf & STC_SF_STATIC_RSA) c |= STC_PC_STATIC_RSA;
    return c;
}

/* takes - would model m pick suite id at version v? */
static int takes(const model_t *m, uint16_t id, uint16_t v)
{
    const stc_suite_t *s = stc_suite_find(id);
    uint32_t sf = stc_suite_flags(s);
    uint8_t c;

    if (!s || (sf & (STC_SF_TLS13 | STC_SF_PSK | STC_SF_STATIC_DH)))
        return 0;
    if ((sf & STC_SF_TLS12) && v < STC_V_TLS12)
        return 0;
    c = pclasses(sf);
    if (c)
        return (c & m->classes) == c; /* every class of it accepted */
    if (!m->fs_ok)
        return 0;
    if (s->kx == STC_KX_DHE && !m->dhe_ok)
        return 0;
    if (s->kx != STC_KX_ECDHE && s->kx != STC_KX_DHE)
        return 0;
    if (STC_ENC_BASE(s->enc) == STC_ENC_CAMELLIA_CBC || STC_ENC_BASE(s->enc) == STC_ENC_ARIA_CBC ||
        STC_ENC_BASE(s->enc) == STC_ENC_ARIA_GCM || STC_ENC_BASE(s->enc) == STC_ENC_CAMELLIA_GCM ||
        STC_ENC_BASE(s->enc) == STC_ENC_SEED || STC_ENC_BASE(s->enc) == STC_ENC_IDEA)
        return m->unlisted;
    if (STC_ENC_BASE(s->enc) == STC_ENC_AES_CCM)
        return 0;
    return (sf & STC_SF_AEAD) ? m->aead_ok : m->cbc_ok;
}

/* ec_group - the client's first EC group the model takes, 0 none */
static uint16_t ec_group(const model_t *m, const hello_t *h)
{
    size_t i;
    for (i = 0; i < h->ngroups; i++)
        if (h->groups[i] < 256 && (gbit(h->groups[i]) & m->groups))
            return h->groups[i];
    return 0;
}

/* answer - what model m says to hello h */
static unsigned answer(const model_t *m, const hello_t *h, stc_hello_ans_t *a)
{
    uint16_t v = 0, best = 0;
    size_t i;

    memset(a, 0, sizeof *a);
    if (h->v2) {
        if (!(m->versions & STC_PV_SSL2))
            return STC_PO_CLOSED;
        a->kind = STC_ANS_SSL2;
        a->version = STC_V_SSL2;
        return STC_PO_ANSWER;
    }
    if (h->nversions) {
        for (i = 0; i < h->nversions; i++)
            if ((vbit(h->versions[i]) & m->versions) && h->versions[i] > v)
                v = h->versions[i];
    } else {
        uint16_t c;
        for (c = STC_V_SSL3; c <= h->client_version && c <= STC_V_TLS12; c++)
            if (vbit(c) & m->versions)
                v = c;
    }
    for (best = STC_V_TLS13; best >= STC_V_SSL3 && !(vbit(best) & m->versions); best--)
        ;
    a->kind = STC_ANS_ALERT;
    a->alert_level = 2;
    if (h->fallback && m->fallback && best > h->client_version) {
        a->alert_desc = STC_ALERT_INAPPROPRIATE_FALLBACK;
        return STC_PO_ANSWER;
    }
    if (!v) {
        a->alert_desc = STC_ALERT_PROTOCOL_VERSION;
        return STC_PO_ANSWER;
    }
    a->alert_desc = STC_ALERT_HANDSHAKE_FAILURE;
    if (v == STC_V_TLS13) {
        uint16_t g = 0;
        if (h->share && (gbit(h->share) & m->groups)) {
            a->kind = STC_ANS_HELLO;
            a->flags = STC_HA_SH_DONE | STC_HA_TLS13 | STC_HA_KEY_SHARE;
            a->group = h->share;
        } else {
            for (i = 0; i < h->ngroups && !g; i++)
                if (gbit(h->groups[i]) & m->groups)
                    g = h->groups[i];
            if (!g)
                return STC_PO_ANSWER;
            a->kind = STC_ANS_HRR;
            a->flags = STC_HA_TLS13 | STC_HA_HRR | STC_HA_KEY_SHARE;
            a->group = g;
        }
        a->version = STC_V_TLS13;
        a->suite = 0x1301;
        return STC_PO_ANSWER;
    }
    {
        uint16_t pick = 0, g = ec_group(m, h);
        size_t pos = (size_t)-1;
        for (i = 0; i < h->nsuites; i++) {
            const stc_suite_t *s = stc_suite_find(h->suites[i]);
            if (!takes(m, h->suites[i], v) || (s->kx == STC_KX_ECDHE && !g) ||
                (s->kx == STC_KX_ECDH_ANON && !g))
                continue;
            /* server order: its preference is the table's grade order,
             * best first (ties: lower id) */
            if (!pick || (m->server_order &&
                          (stc_grade_suite(h->suites[i]) < stc_grade_suite(pick) ||
                           (stc_grade_suite(h->suites[i]) == stc_grade_suite(pick) &&
                            h->suites[i] < pick)))) {
                pick = h->suites[i];
                pos = i;
            }
            if (!m->server_order)
                break;
        }
        (void)pos;
        if (!pick)
            return STC_PO_ANSWER;
        a->kind = STC_ANS_HELLO;
        a->version = a->legacy_version = v;
        a->suite = pick;
        a->flags = STC_HA_SH_DONE | STC_HA_CERT | STC_HA_DONE;
        if (h->reneg && m->reneg)
            a->flags |= STC_HA_RENEG | STC_HA_RENEG_OK;
        if (h->ems && m->ems)
            a->flags |= STC_HA_EMS;
        a->compression = (uint8_t)(h->deflate && m->compression);
        {
            const stc_suite_t *s = stc_suite_find(pick);
            if (s->kx == STC_KX_DHE || s->kx == STC_KX_DH_ANON) {
                a->flags |= STC_HA_SKX;
                a->skx_kind = STC_SKX_DH;
                a->skx_bits = m->dhe_bits;
            } else if (s->kx == STC_KX_ECDHE || s->kx == STC_KX_ECDH_ANON) {
                a->flags |= STC_HA_SKX;
                a->skx_kind = STC_SKX_ECDH;
                a->curve_type = 3;
                a->skx_group = g;
            }
        }
        return STC_PO_ANSWER;
    }
}

/* ---- the loop -------------------------------------------------------------- */

typedef struct run {
    stc_addr_result_t a;
    stc_probe_run_t r;
    unsigned sessions; /* with the main one */
    unsigned kinds[64];
} run_t;

/* main_session - what a wolfSSL handshake (TLS 1.1-1.3, (EC)DHE AES) gets */
static void main_session(const model_t *m, stc_addr_result_t *a)
{
    memset(a, 0, sizeof *a);
    stc_addr_checks_reset(a);
    a->sessions = 1;
    a->reach = STC_R_REACHED;
    a->phase = STC_P_DONE;
    if ((m->versions & STC_PV_TLS13) && (m->groups & STC_PG_X25519)) {
        a->tls_version = STC_V_TLS13;
        a->suite = 0x1301;
        a->group = STC_GROUP_X25519;
    } else if ((m->versions & STC_PV_TLS12) && m->fs_ok && m->aead_ok &&
               (m->groups & STC_PG_X25519)) {
        a->tls_version = STC_V_TLS12;
        a->suite = 0xc02f;
        a->group = STC_GROUP_X25519;
    } else {
        stc_add_addr_finding(a, STC_F_TLS_HANDSHAKE, -313);
        a->phase = STC_P_TLS;
        return;
    }
    stc_check_ran(a, STC_CHK_STARTTLS);
    stc_check_ran(a, STC_CHK_CERT);
    stc_check_ran(a, STC_CHK_VERSION);
}

/* drive - probe model m until the planner stops (budget in sessions) */
static void drive(const model_t *m, run_t *x, unsigned budget, int slow)
{
    stc_options_t o;
    stc_hello_ans_t ans;
    uint8_t buf[1024], rnd[64];
    unsigned k, guard;

    stc_options_default(&o);
    o.max_sessions = (uint8_t)budget;
    memset(&x->r, 0, sizeof x->r);
    main_session(m, &x->a);
    x->sessions = 1;
    memset(rnd, 0x5a, sizeof rnd);
    x->r.greet_ms = slow ? STC_PROBE_SLOW_MS + 1 : 5;
    if (!stc_probe_begin(&x->r, &x->a, &o, 1))
        return;
    for (guard = 0; guard < 60; guard++) {
        stc_wbuf_t w;
        hello_t h;
        unsigned out;
        k = stc_probe_next(&x->r, &x->a.probe);
        if (k == STC_PK_NONE)
            break;
        if (x->r.used >= x->r.budget) {
            x->r.cut = STC_PCUT_SESSIONS;
            break;
        }
        x->r.cur = (uint8_t)k;
        x->r.used++;
        x->kinds[x->sessions < 64 ? x->sessions : 63] = k;
        x->sessions++;
        stc_wbuf_init(&w, buf, STC_TXBUF);
        CHECK_EQ(stc_probe_hello(&x->r, &x->a.probe, k, "mx.example.test", rnd, &w), STC_OK);
        CHECK(!w.bad);
        CHECK_EQ(parse(buf, w.off, &h), 0);
        out = answer(m, &h, &ans);
        stc_probe_answer(&x->r, &x->a.probe, k, out, &ans);
    }
    CHECK(guard < 60); /* the planner always ends */
    stc_probe_finish(&x->r, &x->a);
}

static int has(const stc_addr_result_t *a, unsigned code)
{
    unsigned i;
    for (i = 0; i < a->nfindings; i++)
        if (a->findings[i].code == code)
            return 1;
    return 0;
}

/* every_answer_true - each tested bit says what the model is */
static void every_answer_true(const model_t *m, const stc_probe_facts_t *f, int all_tested)
{
    CHECK_EQ(f->versions & f->versions_tested, m->versions & f->versions_tested);
    CHECK_EQ(f->classes & f->classes_tested, m->classes & f->classes_tested);
    CHECK_EQ(f->groups & f->groups_tested, m->groups & f->groups_tested);
    if (all_tested) {
        CHECK_EQ(f->versions_tested, 0x3f);
        CHECK_EQ(f->classes_tested, 0x7f);
    }
    if (f->flags_tested & STC_PF_RENEG)
        CHECK_EQ(!!(f->flags & STC_PF_RENEG), m->reneg);
    if (f->flags_tested & STC_PF_EMS)
        CHECK_EQ(!!(f->flags & STC_PF_EMS), m->ems);
    if (f->flags_tested & STC_PF_COMPRESSION)
        CHECK_EQ(!!(f->flags & STC_PF_COMPRESSION), m->compression);
    if (f->flags_tested & STC_PF_FALLBACK)
        CHECK_EQ(!!(f->flags & STC_PF_FALLBACK), m->fallback);
    if (f->dhe_bits || (all_tested && m->dhe_ok && m->fs_ok &&
                        (m->versions & (STC_PV_TLS12 | STC_PV_TLS11 | STC_PV_TLS10))))
        CHECK_EQ(f->dhe_bits, m->dhe_bits);
}

/* ---- the cases -------------------------------------------------------------- */

#define ALLG (STC_PG_X25519 | STC_PG_P256 | STC_PG_P384 | STC_PG_P521)
#define V1213 (STC_PV_TLS12 | STC_PV_TLS13)

static const model_t clean = {"clean", V1213, 0, 1, 1, 0, 0, 0, ALLG, 1, 1, 1, 0, 1, 0};

static void test_clean(void)
{
    run_t x;
    unsigned i;
    memset(&x, 0, sizeof x);
    drive(&clean, &x, 24, 0);
    every_answer_true(&clean, &x.a.probe, 1);
    CHECK_EQ(x.a.probe.groups_tested, 0x3f);
    CHECK(x.sessions <= 12); /* the economy bound, main handshake included */
    printf("  clean: %u sessions:", x.sessions);
    for (i = 1; i < x.sessions; i++)
        printf(" %u", x.kinds[i]);
    printf("\n");
    CHECK_EQ(x.a.nfindings, 0);
    CHECK_EQ(x.a.status[STC_CHK_VERSION], STC_SUCCESS);
    CHECK_EQ(x.a.status[STC_CHK_CIPHERS], STC_SUCCESS);
    CHECK(x.a.probe.flags & STC_PF_SERVER_ORDER);
    CHECK(x.a.probe.flags_tested & STC_PF_SERVER_ORDER);
    CHECK(x.a.probe.flags & STC_PF_AEAD12);
}

static void test_cases(void)
{
    static const struct {
        model_t m;
        unsigned max_sessions;
        unsigned codes[6]; /* findings that must be there */
        unsigned absent[3];
    } cases[] = {
        {{"tls13only", STC_PV_TLS13, 0, 1, 1, 0, 0, 0, ALLG, 1, 1, 1, 0, 1, 0}, 12, {0}, {STC_F_CBC_ONLY}},
        {{"legacy", STC_PV_TLS10 | STC_PV_TLS11 | V1213, 0, 1, 1, 1, 1, 3072, ALLG | STC_PG_FFDHE3072, 1, 1, 1, 0, 1, 0},
         24, {STC_F_TLS_TLS10, STC_F_TLS_TLS11}, {STC_F_NO_FALLBACK_SCSV}},
        {{"legacy-nofallback", STC_PV_TLS11 | STC_PV_TLS12, 0, 1, 1, 1, 0, 0, ALLG, 1, 1, 1, 0, 0, 0},
         24, {STC_F_TLS_TLS11, STC_F_NO_FALLBACK_SCSV}, {STC_F_TLS_TLS10}},
        {{"tls10only", STC_PV_TLS10, STC_PC_STATIC_RSA, 1, 0, 1, 0, 0, ALLG, 1, 1, 1, 0, 1, 0},
         24, {STC_F_TLS_TLS10, STC_F_KX_STATIC_RSA, STC_F_CHECKER_HANDSHAKE_LIMIT}, {STC_F_TLS_HANDSHAKE}},
        {{"anon", V1213, STC_PC_ANON | STC_PC_NULL | STC_PC_STATIC_RSA, 0, 0, 0, 0, 0, ALLG, 1, 1, 1, 0, 1, 0},
         24, {STC_F_CIPHER_ANON, STC_F_CIPHER_NULL, STC_F_KX_STATIC_RSA}, {STC_F_CBC_ONLY}},
        {{"cbconly", STC_PV_TLS12, 0, 1, 0, 1, 0, 0, ALLG, 0, 1, 1, 0, 1, 0},
         24, {STC_F_CBC_ONLY}, {STC_F_CLIENT_ORDER}},
        {{"dhe1024", STC_PV_TLS12, 0, 1, 1, 1, 1, 1024, 0, 0, 1, 1, 0, 1, 0},
         24, {STC_F_DHE_WEAK}, {0}},
        {{"dhe2048", V1213, 0, 1, 1, 0, 1, 2048, ALLG, 1, 1, 1, 0, 1, 0},
         24, {STC_F_DHE_2048}, {STC_F_DHE_WEAK}},
        {{"rsaonly", STC_PV_TLS12, STC_PC_STATIC_RSA, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0},
         24, {STC_F_KX_STATIC_RSA, STC_F_CHECKER_HANDSHAKE_LIMIT}, {STC_F_TLS_HANDSHAKE}},
        {{"3des-rc4", STC_PV_TLS12, STC_PC_3DES | STC_PC_RC4, 1, 1, 0, 0, 0, ALLG, 0, 1, 1, 0, 1, 0},
         24, {STC_F_CIPHER_3DES, STC_F_CIPHER_RC4}, {0}},
        {{"ancient", STC_PV_SSL2 | STC_PV_SSL3 | STC_PV_TLS10, 0x7f, 1, 0, 1, 1, 512, STC_PG_P256, 0, 0, 0, 1, 0, 0},
         40, {STC_F_TLS_SSLV2, STC_F_TLS_SSLV3, STC_F_CIPHER_EXPORT, STC_F_TLS_COMPRESSION, STC_F_NO_SECURE_RENEG, STC_F_DHE_WEAK}, {0}},
        {{"clientorder-weak", V1213, STC_PC_STATIC_RSA, 1, 1, 1, 0, 0, ALLG, 0, 1, 1, 0, 1, 0},
         24, {STC_F_CLIENT_ORDER, STC_F_KX_STATIC_RSA}, {0}},
        {{"unlisted", V1213, 0, 1, 1, 1, 0, 0, ALLG, 0, 1, 1, 0, 1, 1},
         24, {STC_F_CIPHER_UNLISTED}, {0}},
        {{"no-ems", V1213, 0, 1, 1, 0, 0, 0, ALLG, 1, 1, 0, 0, 1, 0},
         24, {STC_F_NO_EMS}, {0}},
    };
    size_t i, j;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_t x;
        memset(&x, 0, sizeof x);
        drive(&cases[i].m, &x, 40, 0);
        printf("  %s: %u sessions, %u findings\n", cases[i].m.name, x.sessions, x.a.nfindings);
        every_answer_true(&cases[i].m, &x.a.probe, 1);
        CHECK(x.sessions <= cases[i].max_sessions);
        CHECK_EQ(x.r.cut, STC_PCUT_NONE);
        for (j = 0; j < 6 && cases[i].codes[j]; j++)
            if (!has(&x.a, cases[i].codes[j])) {
                printf("FAIL %s: no %s\n", cases[i].m.name,
                       stc_finding_info(cases[i].codes[j])->name);
                unit_fail++;
            } else {
                unit_pass++;
            }
        for (j = 0; j < 3 && cases[i].absent[j]; j++)
            CHECK(!has(&x.a, cases[i].absent[j]));
        CHECK(!has(&x.a, STC_F_PROBES_CUT));
    }
}

/* bounds: what a bound cuts is untested (never guessed) and said */
static void test_bounds(void)
{
    static const model_t weak = {"weak", STC_PV_TLS10 | V1213, 0x7f & ~STC_PC_EXPORT, 1, 1, 1,
                                 1, 2048, ALLG, 0, 1, 1, 0, 1, 0};
    run_t x;
    unsigned n;

    for (n = 1; n <= 12; n++) {
        memset(&x, 0, sizeof x);
        drive(&weak, &x, n, 0);
        every_answer_true(&weak, &x.a.probe, 0);
        CHECK(x.sessions <= n);
        if (n < 4)
            CHECK(has(&x.a, STC_F_PROBES_CUT));
    }
    /* a slow greeting: three probes at most, said so */
    memset(&x, 0, sizeof x);
    drive(&clean, &x, 24, 1);
    CHECK(x.sessions <= 1 + STC_PROBE_REDUCED);
    CHECK(has(&x.a, STC_F_PROBES_REDUCED));
    every_answer_true(&clean, &x.a.probe, 0);
    /* --quick: no probing at all */
    {
        stc_options_t o;
        stc_probe_run_t r;
        stc_addr_result_t a;
        stc_options_default(&o);
        o.probe = 0;
        main_session(&clean, &a);
        memset(&r, 0, sizeof r);
        CHECK_EQ(stc_probe_begin(&r, &a, &o, 1), 0);
        CHECK_EQ(a.probe.ran, 0);
    }
}

/* every offer fits the board's transmit buffer and the suite array */
static void test_offers_fit(void)
{
    static const model_t nothing = {"nothing", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    stc_probe_run_t r;
    stc_probe_facts_t f;
    uint8_t buf[2048], rnd[64];
    unsigned k;
    char longname[254];

    (void)nothing;
    memset(longname, 'a', 253);
    longname[253] = '\0';
    longname[63] = longname[127] = longname[191] = '.';
    memset(rnd, 1, sizeof rnd);
    for (k = STC_PK_FWD; k < STC_PK_COUNT; k++) {
        stc_wbuf_t w;
        memset(&r, 0, sizeof r);
        memset(&f, 0, sizeof f);
        f.versions = f.versions_tested = STC_PV_TLS10 | STC_PV_TLS13; /* fallback, 1.3 groups */
        stc_wbuf_init(&w, buf, sizeof buf);
        CHECK_EQ(stc_probe_hello(&r, &f, k, longname, rnd, &w), STC_OK);
        /* 640 bytes: the Cortex-M4 board's STC_TXBUF, with a 253-byte SNI */
        if (w.off > 640)
            printf("FAIL probe %u: %zu bytes\n", k, w.off);
        CHECK(w.off <= 640);
    }
}

int main(void)
{
    unit_name = "test_probe";
    RUN(test_clean);
    RUN(test_cases);
    RUN(test_bounds);
    RUN(test_offers_fit);
    return unit_done();
}
