/* probe.c - the TLS probe planner: next hello, its answer, the findings
 *
 * Pure functions over (stc_probe_run_t, stc_probe_facts_t): no I/O, no
 * clock. A fact is only ever set from an answer (or from the main
 * handshake); an unasked question keeps its *_tested bit clear.
 *
 * Reading answers (RFC 5246 7.4.1.3, RFC 8446 4.1.3/4.2.1): a server
 * picks the highest version it shares with the client's cap, so a hello
 * capped at v answered with u < v says "u yes, (u, v] no", and an alert
 * says "nothing at or below v". A server picks one suite from the offer,
 * so narrowing an offer by the class it picked finds every class in as
 * many sessions as there are classes accepted, plus one.
 */
#include "probe.h"

#include <string.h>

/* ---- small maps ---------------------------------------------------------- */

#define PV_LEGACY (STC_PV_SSL3 | STC_PV_TLS10 | STC_PV_TLS11)
#define PC_ALL 0x7fu
#define PG_ALL 0x3fu
#define PG_EC (STC_PG_X25519 | STC_PG_P256 | STC_PG_P384 | STC_PG_P521)
#define SF_WEAK                                                                  \
    (STC_SF_NULL | STC_SF_EXPORT | STC_SF_ANON | STC_SF_RC4 | STC_SF_DES | STC_SF_3DES)
#define DONE(k) (1u << (k))

/* ver_bit - STC_PV_* of a wire version, 0 for none we ask about */
static uint8_t ver_bit(uint16_t v)
{
    switch (v) {
    case STC_V_SSL2: return STC_PV_SSL2;
    case STC_V_SSL3: return STC_PV_SSL3;
    case STC_V_TLS10: return STC_PV_TLS10;
    case STC_V_TLS11: return STC_PV_TLS11;
    case STC_V_TLS12: return STC_PV_TLS12;
    case STC_V_TLS13: return STC_PV_TLS13;
    default: return 0;
    }
}

/* classes - STC_PC_* of a suite's class flags */
static uint8_t classes(uint32_t sf)
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

/* group_bit - STC_PG_* of a named group (ffdhe3072 and larger share one) */
static uint8_t group_bit(uint16_t g)
{
    switch (g) {
    case STC_GROUP_X25519: return STC_PG_X25519;
    case STC_GROUP_P256: return STC_PG_P256;
    case STC_GROUP_P384: return STC_PG_P384;
    case STC_GROUP_P521: return STC_PG_P521;
    case STC_GROUP_FFDHE2048: return STC_PG_FFDHE2048;
    case STC_GROUP_FFDHE3072: case STC_GROUP_FFDHE4096: case STC_GROUP_FFDHE6144:
    case STC_GROUP_FFDHE8192: return STC_PG_FFDHE3072;
    default: return 0;
    }
}

/* Every group we offer, our preference order. */
static const uint16_t all_groups[] = {
    STC_GROUP_X25519, STC_GROUP_P256, STC_GROUP_P384, STC_GROUP_P521,
    STC_GROUP_FFDHE2048, STC_GROUP_FFDHE3072, STC_GROUP_FFDHE4096,
    STC_GROUP_FFDHE6144, STC_GROUP_FFDHE8192};
#define NGROUPS (sizeof all_groups / sizeof all_groups[0])

/* groups_of - the groups whose bits are in mask, in our order */
static size_t groups_of(uint8_t mask, uint16_t *out, int reversed)
{
    size_t i, n = 0;
    for (i = 0; i < NGROUPS; i++) {
        uint16_t g = all_groups[reversed ? NGROUPS - 1 - i : i];
        if (group_bit(g) & mask)
            out[n++] = g;
    }
    return n;
}

/* accept / refuse - record an answer to one question */
#define ACCEPT(f, fld, bits) ((f)->fld |= (uint8_t)(bits), (f)->fld##_tested |= (uint8_t)(bits))
#define REFUSE(f, fld, bits) ((f)->fld##_tested |= (uint8_t)(bits))
#define UNTESTED(f, fld, all) ((uint8_t)((all) & ~(f)->fld##_tested))

/* ---- suite lists ---------------------------------------------------------- */

/* Which suites a probe offers. */
enum { L_FWD = 1, L_LEGACY, L_AEAD12, L_ECDHE12, L_TLS13, L_WEAK };

/* in_list - is suite s (flags sf) part of list `which`? */
static int in_list(unsigned which, const stc_suite_t *s, uint32_t sf, uint8_t open, int dhe)
{
    const uint32_t never = STC_SF_PSK | STC_SF_STATIC_DH;
    if (sf & never)
        return 0;
    switch (which) {
    case L_FWD: /* a full TLS 1.2 offer of everything that is not weak */
        return !(sf & (SF_WEAK | STC_SF_TLS13));
    case L_LEGACY: /* everything a TLS 1.1 / 1.0 / SSL 3.0 server can pick */
        return !(sf & (STC_SF_TLS12 | STC_SF_TLS13));
    case L_AEAD12:
        return (sf & STC_SF_AEAD) && !(sf & (SF_WEAK | STC_SF_TLS13));
    case L_ECDHE12:
        return s->kx == STC_KX_ECDHE && !(sf & (SF_WEAK | STC_SF_TLS13));
    case L_TLS13:
        return (sf & STC_SF_TLS13) != 0;
    case L_WEAK: /* a suite with a class still open, or a DHE suite while open */
        if (sf & STC_SF_TLS13)
            return 0;
        if (classes(sf) & open)
            return 1;
        return dhe && s->kx == STC_KX_DHE && !(sf & SF_WEAK);
    default:
        return 0;
    }
}

/* rank - offer order: better grade first, then ECDHE, DHE, the rest */
static unsigned rank(const stc_suite_t *s)
{
    unsigned k = s->kx == STC_KX_ECDHE ? 0u : s->kx == STC_KX_DHE ? 1u : 2u;
    return (unsigned)stc_grade_suite(s->id) * 4u + k;
}

/* build_list - the suites of list `which`, best first (stable within a
 * rank: the table's id order); the count. Two passes: count per rank,
 * then place. The lists are at most ~120 suites (unit-tested), and a
 * list longer than cap keeps its best cap suites. */
static size_t build_list(uint16_t *out, size_t cap, unsigned which, uint8_t open, int dhe)
{
    size_t total = 0, i, n = 0;
    const stc_suite_t *t = stc_suite_table(&total);
    size_t start[16];
    unsigned r;

    memset(start, 0, sizeof start);
    for (i = 0; i < total; i++)
        if (in_list(which, &t[i], stc_suite_flags(&t[i]), open, dhe))
            start[rank(&t[i])]++;
    for (r = 0; r < 16; r++) { /* counts -> first slot of each rank */
        size_t c = start[r];
        start[r] = n;
        n += c;
    }
    for (i = 0; i < total; i++)
        if (in_list(which, &t[i], stc_suite_flags(&t[i]), open, dhe)) {
            size_t at = start[rank(&t[i])]++;
            if (at < cap)
                out[at] = t[i].id;
        }
    return n < cap ? n : cap;
}

/* ---- what is still open ---------------------------------------------------- */

/* legacy_cap - highest of TLS 1.1 / 1.0 / SSL 3.0 not yet tested, 0 none */
static uint16_t legacy_cap(const stc_probe_facts_t *f)
{
    if (!(f->versions_tested & STC_PV_TLS11))
        return STC_V_TLS11;
    if (!(f->versions_tested & STC_PV_TLS10))
        return STC_V_TLS10;
    if (!(f->versions_tested & STC_PV_SSL3))
        return STC_V_SSL3;
    return 0;
}

/* legacy_best - highest legacy version accepted, 0 none */
static uint16_t legacy_best(const stc_probe_facts_t *f)
{
    if (f->versions & STC_PV_TLS11)
        return STC_V_TLS11;
    if (f->versions & STC_PV_TLS10)
        return STC_V_TLS10;
    if (f->versions & STC_PV_SSL3)
        return STC_V_SSL3;
    return 0;
}

/* below13_refused - every version up to TLS 1.2 is known refused */
static int below13_refused(const stc_probe_facts_t *f)
{
    const uint8_t m = PV_LEGACY | STC_PV_TLS12;
    return (f->versions_tested & m) == m && !(f->versions & m);
}

/* settle - facts that follow from others */
static void settle(stc_probe_run_t *r, stc_probe_facts_t *f)
{
    if (below13_refused(f)) {
        /* no version with weak suites, DHE suites or CBC is spoken */
        REFUSE(f, classes, PC_ALL);
        if (r->dhe == 0)
            r->dhe = 2;
    }
    if (!(f->versions & (STC_PV_TLS12 | STC_PV_TLS13)) &&
        (f->versions_tested & (STC_PV_TLS12 | STC_PV_TLS13)) == (STC_PV_TLS12 | STC_PV_TLS13))
        r->done |= DONE(STC_PK_GROUP); /* groups are asked at 1.2 or 1.3 only */
}

/* ---- stc_probe_begin --------------------------------------------------------- */

/* note_suite - classes, AEAD and DHE of a suite the server picked */
static void note_suite(stc_probe_run_t *r, stc_probe_facts_t *f, uint16_t version,
                       uint16_t suite)
{
    const stc_suite_t *s = stc_suite_find(suite);
    uint32_t sf = stc_suite_flags(s);

    if (!s || version > STC_V_TLS12)
        return;
    ACCEPT(f, classes, classes(sf));
    if (version == STC_V_TLS12 && (sf & STC_SF_AEAD))
        ACCEPT(f, flags, STC_PF_AEAD12);
    if (s->kx == STC_KX_DHE && !(sf & SF_WEAK))
        r->dhe = 1;
}

/* stc_probe_begin - seed the facts with what the main session learnt */
int stc_probe_begin(stc_probe_run_t *r, stc_addr_result_t *a, const stc_options_t *o,
                    int main_offered_tls13)
{
    stc_probe_facts_t *f = &a->probe;
    uint16_t greet = r->greet_ms;
    unsigned i, failed = 0;
    int budget;

    memset(r, 0, sizeof *r);
    memset(f, 0, sizeof *f);
    r->greet_ms = greet;
    for (i = 0; i < a->nfindings; i++)
        if (a->findings[i].code == STC_F_TLS_HANDSHAKE)
            failed = 1;
    if (!o->probe || (a->tls_version == 0 && !failed))
        return 0; /* no TLS was spoken, or --quick */
    r->on = 1;
    f->ran = 1;
    r->main_failed = (uint8_t)failed;
    r->want_cert = (uint8_t)(failed && a->status[STC_CHK_CERT] == STC_SKIPPED);
    if (a->tls_version) {
        ACCEPT(f, versions, ver_bit(a->tls_version));
        if (a->tls_version == STC_V_TLS13) {
            ACCEPT(f, groups, group_bit(a->group));
        } else {
            /* wolfSSL offered 1.3 (when built with it) and got less */
            if (main_offered_tls13)
                REFUSE(f, versions, STC_PV_TLS13);
            note_suite(r, f, a->tls_version, a->suite);
            if (a->group & 0x8000u) /* a custom DHE prime: its size */
                f->dhe_bits = (uint16_t)(a->group & 0x7fffu);
            else
                ACCEPT(f, groups, group_bit(a->group));
        }
    }
    budget = (int)o->max_sessions - (int)a->sessions;
    if (budget < 0)
        budget = 0;
    if (greet > STC_PROBE_SLOW_MS) {
        r->reduced = 1;
        if (budget > STC_PROBE_REDUCED)
            budget = STC_PROBE_REDUCED;
    }
    r->budget = (uint8_t)(budget > 255 ? 255 : budget);
    settle(r, f);
    return 1;
}

/* ---- stc_probe_next ---------------------------------------------------------- */

/* is_open - would probe k tell us something now? */
static int is_open(const stc_probe_run_t *r, const stc_probe_facts_t *f, unsigned k)
{
    if (r->done & DONE(k))
        return 0;
    switch (k) {
    case STC_PK_FWD:
        return 1;
    case STC_PK_LEGACY:
        return legacy_cap(f) != 0;
    case STC_PK_SSL2:
        return !(f->versions_tested & STC_PV_SSL2);
    case STC_PK_WEAK:
        return UNTESTED(f, classes, PC_ALL) != 0 || r->dhe == 0;
    case STC_PK_TLS13:
        return !(f->versions_tested & STC_PV_TLS13);
    case STC_PK_REV:
        return f->suite_fwd != 0;
    case STC_PK_AEAD12: /* only when our full offer got a non-AEAD suite */
        return f->suite_fwd != 0 && !(f->flags_tested & STC_PF_AEAD12);
    case STC_PK_FALLBACK:
        return legacy_best(f) != 0 && (f->versions & (STC_PV_TLS12 | STC_PV_TLS13));
    case STC_PK_GROUP:
        if (f->versions & STC_PV_TLS13)
            return UNTESTED(f, groups, PG_ALL) != 0;
        return (f->versions & STC_PV_TLS12) && UNTESTED(f, groups, PG_EC) != 0;
    default:
        return 0;
    }
}

/* stc_probe_next - the most useful probe still open */
unsigned stc_probe_next(const stc_probe_run_t *r, const stc_probe_facts_t *f)
{
    /* Most telling first, so a bound cuts the least important questions:
     * versions and weak classes grade the server; order and groups less. */
    static const uint8_t order[] = {STC_PK_FWD, STC_PK_LEGACY, STC_PK_SSL2, STC_PK_WEAK,
                                    STC_PK_TLS13, STC_PK_REV, STC_PK_AEAD12,
                                    STC_PK_FALLBACK, STC_PK_GROUP};
    static const uint8_t reduced[] = {STC_PK_FWD, STC_PK_LEGACY, STC_PK_WEAK};
    const uint8_t *list = r->reduced ? reduced : order;
    size_t i, n = r->reduced ? sizeof reduced : sizeof order;

    if (!r->on || r->cut)
        return STC_PK_NONE;
    for (i = 0; i < n; i++)
        if (is_open(r, f, list[i]))
            return list[i];
    return STC_PK_NONE;
}

/* ---- stc_probe_hello --------------------------------------------------------- */

#define HX_12 (STC_HX_SNI | STC_HX_GROUPS | STC_HX_POINT_FORMATS | STC_HX_SIG_ALGS | \
               STC_HX_RENEG_INFO | STC_HX_EMS)
#define HX_13 (STC_HX_SNI | STC_HX_GROUPS | STC_HX_SIG_ALGS | STC_HX_VERSIONS | \
               STC_HX_KEY_SHARE | STC_HX_PSK_MODES)

/* stc_probe_hello - the ClientHello of probe `kind` */
int stc_probe_hello(stc_probe_run_t *r, const stc_probe_facts_t *f, unsigned kind,
                    const char *sni, const uint8_t rnd[64], stc_wbuf_t *w)
{
    static const uint16_t v13[] = {STC_V_TLS13};
    uint16_t suites[STC_PROBE_SUITES], groups[NGROUPS];
    stc_hello_spec_t sp;
    size_t i;

    memset(&sp, 0, sizeof sp);
    sp.record_version = STC_V_TLS10;
    sp.client_version = STC_V_TLS12;
    sp.random = rnd;
    sp.sni = sni;
    sp.suites = suites;
    sp.groups = groups;
    sp.flags = HX_12 | STC_HF_DEFLATE;
    r->cur = (uint8_t)kind;
    r->o_classes = 0;
    r->o_dhe = 0;
    r->o_groups = PG_ALL;
    sp.ngroups = groups_of(PG_ALL, groups, 0);

    switch (kind) {
    case STC_PK_SSL2:
        r->o_version = STC_V_SSL2;
        return stc_hello_build_v2(w, STC_V_SSL2, stc_ssl2_specs, 7, rnd, 16);
    case STC_PK_FWD:
    case STC_PK_REV:
        sp.nsuites = build_list(suites, STC_PROBE_SUITES, L_FWD, 0, 0);
        if (kind == STC_PK_REV) {
            for (i = 0; i < sp.nsuites / 2; i++) {
                uint16_t x = suites[i];
                suites[i] = suites[sp.nsuites - 1 - i];
                suites[sp.nsuites - 1 - i] = x;
            }
            sp.ngroups = groups_of(PG_ALL, groups, 1);
        }
        break;
    case STC_PK_TLS13:
        sp.nsuites = build_list(suites, STC_PROBE_SUITES, L_TLS13, 0, 0);
        sp.versions = v13;
        sp.nversions = 1;
        sp.x25519 = rnd + 32;
        sp.flags = HX_13;
        break;
    case STC_PK_AEAD12:
        sp.nsuites = build_list(suites, STC_PROBE_SUITES, L_AEAD12, 0, 0);
        sp.flags = HX_12;
        break;
    case STC_PK_LEGACY:
    case STC_PK_FALLBACK:
        sp.client_version = kind == STC_PK_LEGACY ? legacy_cap(f) : legacy_best(f);
        if (sp.client_version < STC_V_TLS10)
            sp.record_version = sp.client_version;
        sp.nsuites = build_list(suites, STC_PROBE_SUITES, L_LEGACY, 0, 0);
        sp.flags = (HX_12 & ~STC_HX_SIG_ALGS) | STC_HF_DEFLATE;
        if (kind == STC_PK_FALLBACK)
            sp.flags |= STC_HF_FALLBACK_SCSV;
        break;
    case STC_PK_WEAK:
        r->o_classes = UNTESTED(f, classes, PC_ALL);
        r->o_dhe = r->dhe == 0;
        sp.nsuites = build_list(suites, STC_PROBE_SUITES, L_WEAK, r->o_classes, r->o_dhe);
        break;
    case STC_PK_GROUP:
        if (f->versions & STC_PV_TLS13) {
            r->o_groups = UNTESTED(f, groups, PG_ALL);
            sp.nsuites = build_list(suites, STC_PROBE_SUITES, L_TLS13, 0, 0);
            sp.versions = v13;
            sp.nversions = 1;
            sp.x25519 = NULL; /* an empty key_share: the server must name its group */
            sp.flags = HX_13;
        } else {
            r->o_groups = UNTESTED(f, groups, PG_EC);
            sp.nsuites = build_list(suites, STC_PROBE_SUITES, L_ECDHE12, 0, 0);
            sp.flags = HX_12;
        }
        sp.ngroups = groups_of(r->o_groups, groups, 0);
        break;
    default:
        return STC_EINVAL;
    }
    r->o_version = sp.nversions ? STC_V_TLS13 : sp.client_version;
    return stc_hello_build(w, &sp);
}

/* ---- stc_probe_answer -------------------------------------------------------- */

/* note_hello - what any ServerHello tells, whatever we asked */
static void note_hello(stc_probe_run_t *r, stc_probe_facts_t *f, const stc_hello_ans_t *ans,
                       uint8_t offered_flags)
{
    uint16_t v = ans->version;

    ACCEPT(f, versions, ver_bit(v));
    if (stc_probe_beyond_library(v, ans->suite))
        r->sh_beyond = 1;
    else
        r->sh_within = 1;
    if (v == STC_V_TLS13) {
        if (ans->flags & STC_HA_KEY_SHARE)
            ACCEPT(f, groups, group_bit(ans->group));
        return;
    }
    note_suite(r, f, v, ans->suite);
    if (ans->skx_kind == STC_SKX_DH && ans->skx_bits &&
        (f->dhe_bits == 0 || ans->skx_bits < f->dhe_bits))
        f->dhe_bits = (uint16_t)(ans->skx_bits > 0xffffu ? 0xffffu : ans->skx_bits);
    if (ans->skx_kind == STC_SKX_ECDH && ans->curve_type == 3)
        ACCEPT(f, groups, group_bit(ans->skx_group));
    /* what our extensions asked, any ServerHello of TLS <= 1.2 answers */
    if (offered_flags & 1) {
        REFUSE(f, flags, STC_PF_RENEG | STC_PF_EMS | STC_PF_COMPRESSION);
        if (ans->flags & STC_HA_RENEG_OK)
            f->flags |= STC_PF_RENEG;
        if (ans->flags & STC_HA_EMS)
            f->flags |= STC_PF_EMS;
        if (ans->compression != 0)
            f->flags |= STC_PF_COMPRESSION;
    }
}

/* legacy_refuse - versions in (lo, hi] are refused (lo 0: all up to hi) */
static void legacy_refuse(stc_probe_facts_t *f, uint16_t lo, uint16_t hi)
{
    static const uint16_t vs[] = {STC_V_SSL3, STC_V_TLS10, STC_V_TLS11};
    size_t i;
    for (i = 0; i < 3; i++)
        if (vs[i] > lo && vs[i] <= hi)
            REFUSE(f, versions, ver_bit(vs[i]));
}

/* stc_probe_answer - fold one probe's outcome into the facts */
void stc_probe_answer(stc_probe_run_t *r, stc_probe_facts_t *f, unsigned kind, unsigned outcome,
                      const stc_hello_ans_t *ans)
{
    int answered = outcome == STC_PO_ANSWER || outcome == STC_PO_LIMIT ||
                   outcome == STC_PO_STALLED;
    /* a whole ServerHello, even when what followed it was cut or never came */
    int sh = answered && (ans->flags & STC_HA_SH_DONE) &&
             (ans->kind == STC_ANS_HELLO || ans->kind == STC_ANS_NONE);
    int hrr = answered && ans->kind == STC_ANS_HRR;
    int alert = outcome == STC_PO_ANSWER && ans->kind == STC_ANS_ALERT;
    /* a refusal: an alert, or the server hanging up on our hello */
    int refused = alert || outcome == STC_PO_CLOSED;
    uint8_t ours = 0;
    /* what is known before: a repeated probe that learns nothing stops */
    uint32_t before = (uint32_t)f->versions_tested | (uint32_t)f->classes_tested << 8 |
                      (uint32_t)f->groups_tested << 16 | (uint32_t)r->dhe << 24;

    switch (outcome) {
    case STC_PO_BUSY:
        /* a 421 we provoked: the task asks the same again, once */
        if (r->retried++ >= 1)
            r->cut = STC_PCUT_REFUSED;
        return;
    case STC_PO_REJECTED:
    case STC_PO_FAILED:
    case STC_PO_NO_TLS:
        r->cut = STC_PCUT_REFUSED; /* the server stopped talking to us */
        return;
    case STC_PO_OURS:
        r->cut = STC_PCUT_LIMIT;
        return;
    default:
        break;
    }
    if (kind == STC_PK_FWD || kind == STC_PK_REV || kind == STC_PK_LEGACY ||
        kind == STC_PK_WEAK || kind == STC_PK_FALLBACK)
        ours = 1; /* hellos that carried renegotiation_info, EMS and DEFLATE */
    if (sh)
        note_hello(r, f, ans, ours);

    switch (kind) {
    case STC_PK_FWD:
        r->done |= DONE(kind);
        if (sh && ans->version == STC_V_TLS12)
            f->suite_fwd = ans->suite;
        else if ((sh && ans->version < STC_V_TLS12) ||
                 (alert && ans->alert_desc == STC_ALERT_PROTOCOL_VERSION))
            REFUSE(f, versions, STC_PV_TLS12);
        break;
    case STC_PK_REV:
        r->done |= DONE(kind);
        if (sh && ans->version == STC_V_TLS12) {
            f->suite_rev = ans->suite;
            REFUSE(f, flags, STC_PF_SERVER_ORDER);
            if (f->suite_rev == f->suite_fwd)
                f->flags |= STC_PF_SERVER_ORDER;
        }
        break;
    case STC_PK_TLS13:
        r->done |= DONE(kind);
        if ((sh && ans->version == STC_V_TLS13) || hrr) {
            ACCEPT(f, versions, STC_PV_TLS13);
            if (hrr)
                ACCEPT(f, groups, group_bit(ans->group));
        } else if (sh || refused) {
            REFUSE(f, versions, STC_PV_TLS13);
        }
        break;
    case STC_PK_SSL2:
        r->done |= DONE(kind);
        if (answered && ans->kind == STC_ANS_SSL2)
            ACCEPT(f, versions, STC_PV_SSL2);
        else if (refused || outcome == STC_PO_GARBLED || sh ||
                 (answered && ans->kind == STC_ANS_SSL2_ERROR))
            REFUSE(f, versions, STC_PV_SSL2);
        break;
    case STC_PK_AEAD12:
        r->done |= DONE(kind);
        if (sh && ans->version == STC_V_TLS12)
            ACCEPT(f, flags, STC_PF_AEAD12);
        else if (refused)
            REFUSE(f, flags, STC_PF_AEAD12);
        break;
    case STC_PK_FALLBACK:
        r->done |= DONE(kind);
        if (alert && ans->alert_desc == STC_ALERT_INAPPROPRIATE_FALLBACK)
            ACCEPT(f, flags, STC_PF_FALLBACK);
        else if (sh)
            REFUSE(f, flags, STC_PF_FALLBACK);
        break;
    case STC_PK_LEGACY:
        if (sh && ans->version >= STC_V_SSL3 && ans->version <= r->o_version)
            legacy_refuse(f, ans->version, r->o_version);
        else if (refused)
            legacy_refuse(f, 0, r->o_version);
        else
            r->done |= DONE(kind); /* inconclusive, or above our cap: stop */
        break;
    case STC_PK_WEAK:
        if (sh) {
            const stc_suite_t *s = stc_suite_find(ans->suite);
            uint32_t sf = stc_suite_flags(s);
            int dhe = s && s->kx == STC_KX_DHE && !(sf & SF_WEAK);
            /* progress only when it picked what we asked about */
            if (!(classes(sf) & r->o_classes) && !(dhe && r->o_dhe))
                r->done |= DONE(kind);
        } else if (refused) {
            REFUSE(f, classes, r->o_classes);
            if (r->o_dhe)
                r->dhe = 2;
        } else {
            r->done |= DONE(kind);
        }
        break;
    case STC_PK_GROUP: {
        uint8_t got = 0;
        if (hrr)
            got = group_bit(ans->group);
        else if (sh && ans->version == STC_V_TLS12 && ans->skx_kind == STC_SKX_ECDH)
            got = group_bit(ans->skx_group);
        if (got & r->o_groups)
            ACCEPT(f, groups, got);
        else if (refused)
            REFUSE(f, groups, r->o_groups);
        else
            r->done |= DONE(kind); /* no group named, or one we did not offer */
        break;
    }
    default:
        break;
    }
    if ((kind == STC_PK_LEGACY || kind == STC_PK_WEAK || kind == STC_PK_GROUP) &&
        before == ((uint32_t)f->versions_tested | (uint32_t)f->classes_tested << 8 |
                   (uint32_t)f->groups_tested << 16 | (uint32_t)r->dhe << 24))
        r->done |= DONE(kind); /* e.g. a ServerHello of a version that is no TLS */
    if (outcome == STC_PO_STALLED && ++r->stalls >= 2)
        r->cut = STC_PCUT_STALLED; /* its flights never end: stop paying for them */
    settle(r, f);
}

/* ---- stc_probe_finish -------------------------------------------------------- */

/* drop_finding - remove code from a's findings and re-derive its check */
static void drop_finding(stc_addr_result_t *a, unsigned code)
{
    const stc_finding_info_t *fi = stc_finding_info(code);
    unsigned i, j;
    int st = STC_SUCCESS;

    for (i = j = 0; i < a->nfindings; i++)
        if (a->findings[i].code != code)
            a->findings[j++] = a->findings[i];
    if (j == a->nfindings)
        return;
    a->nfindings = (uint8_t)j;
    if (fi->check >= STC_CHK_COUNT)
        return;
    for (i = 0; i < a->nfindings; i++) {
        const stc_finding_info_t *g = stc_finding_info(a->findings[i].code);
        if (g->check == fi->check)
            st = stc_status_worse(st, g->severity);
    }
    a->status[fi->check] = (int8_t)st;
}

/* weaker - 1 when suite b grades worse than suite a */
static int weaker(uint16_t a, uint16_t b)
{
    return stc_grade_suite(b) > stc_grade_suite(a);
}

/* unlisted - a suite the guidelines phase out for being unlisted (not for
 * a weak class: those have findings of their own) */
static int unlisted(uint16_t id)
{
    const stc_suite_t *s = stc_suite_find(id);
    uint32_t sf = stc_suite_flags(s);
    return s && stc_grade_suite(id) == STC_GRADE_PHASE_OUT && !classes(sf);
}

/* stc_probe_finish - findings from the facts */
void stc_probe_finish(stc_probe_run_t *r, stc_addr_result_t *a)
{
    static const struct {
        uint8_t bit;
        uint16_t code;
    } vf[] = {{STC_PV_SSL2, STC_F_TLS_SSLV2}, {STC_PV_SSL3, STC_F_TLS_SSLV3},
              {STC_PV_TLS10, STC_F_TLS_TLS10}, {STC_PV_TLS11, STC_F_TLS_TLS11}},
      cf[] = {{STC_PC_NULL, STC_F_CIPHER_NULL}, {STC_PC_EXPORT, STC_F_CIPHER_EXPORT},
              {STC_PC_ANON, STC_F_CIPHER_ANON}, {STC_PC_RC4, STC_F_CIPHER_RC4},
              {STC_PC_DES, STC_F_CIPHER_DES}, {STC_PC_3DES, STC_F_CIPHER_3DES},
              {STC_PC_STATIC_RSA, STC_F_KX_STATIC_RSA}};
    stc_probe_facts_t *f = &a->probe;
    size_t i;

    if (!r->on)
        return;
    f->probes = r->used;
    if (r->main_failed && r->sh_beyond && !r->sh_within) {
        /* the server speaks TLS, only not what our library can: ours */
        drop_finding(a, STC_F_TLS_HANDSHAKE);
        stc_add_addr_finding(a, STC_F_CHECKER_HANDSHAKE_LIMIT, a->lower_err);
    }
    if (f->versions_tested) {
        stc_check_ran(a, STC_CHK_VERSION);
        drop_finding(a, STC_F_TLS_OLD_VERSION); /* said below, per version */
        for (i = 0; i < sizeof vf / sizeof vf[0]; i++)
            if (f->versions & vf[i].bit)
                stc_add_addr_finding(a, vf[i].code, 0);
    }
    if (f->classes_tested || f->flags_tested || f->groups_tested || f->dhe_bits)
        stc_check_ran(a, STC_CHK_CIPHERS);
    for (i = 0; i < sizeof cf / sizeof cf[0]; i++)
        if (f->classes & cf[i].bit)
            stc_add_addr_finding(a, cf[i].code, 0);
    if (f->suite_fwd && (f->flags_tested & STC_PF_AEAD12) && !(f->flags & STC_PF_AEAD12))
        stc_add_addr_finding(a, STC_F_CBC_ONLY, 0);
    if (f->dhe_bits && f->dhe_bits < 2048)
        stc_add_addr_finding(a, STC_F_DHE_WEAK, f->dhe_bits);
    else if ((f->dhe_bits >= 2048 && f->dhe_bits < 3072) || (f->groups & STC_PG_FFDHE2048))
        stc_add_addr_finding(a, STC_F_DHE_2048, 2048);
    if (f->flags & STC_PF_COMPRESSION)
        stc_add_addr_finding(a, STC_F_TLS_COMPRESSION, 0);
    if ((f->flags_tested & STC_PF_RENEG) && !(f->flags & STC_PF_RENEG))
        stc_add_addr_finding(a, STC_F_NO_SECURE_RENEG, 0);
    if ((f->flags_tested & STC_PF_FALLBACK) && !(f->flags & STC_PF_FALLBACK))
        stc_add_addr_finding(a, STC_F_NO_FALLBACK_SCSV, legacy_best(f));
    if ((f->flags_tested & STC_PF_EMS) && !(f->flags & STC_PF_EMS))
        stc_add_addr_finding(a, STC_F_NO_EMS, 0);
    if ((f->flags_tested & STC_PF_SERVER_ORDER) && !(f->flags & STC_PF_SERVER_ORDER) &&
        weaker(f->suite_fwd, f->suite_rev))
        stc_add_addr_finding(a, STC_F_CLIENT_ORDER, f->suite_rev);
    if (f->suite_fwd && unlisted(f->suite_fwd))
        stc_add_addr_finding(a, STC_F_CIPHER_UNLISTED, f->suite_fwd);
    else if (f->suite_rev && unlisted(f->suite_rev))
        stc_add_addr_finding(a, STC_F_CIPHER_UNLISTED, f->suite_rev);
    if (r->reduced)
        stc_add_addr_finding(a, STC_F_PROBES_REDUCED, r->greet_ms);
    else if (r->cut)
        stc_add_addr_finding(a, STC_F_PROBES_CUT, r->cut);
}

/* stc_probe_beyond_library - could our wolfSSL have completed this? */
int stc_probe_beyond_library(uint16_t version, uint16_t suite)
{
    const stc_suite_t *s;
    uint32_t sf;

    if (version < stc_tls_min_version() || version > STC_V_TLS13)
        return 1;
    if (version == STC_V_TLS13)
        return !stc_tls_offers_tls13();
    s = stc_suite_find(suite);
    sf = stc_suite_flags(s);
    /* tls.c offers (EC)DHE with AES-GCM, ChaCha20 or AES-CBC only */
    if (!s || (s->kx != STC_KX_ECDHE && s->kx != STC_KX_DHE) || (sf & SF_WEAK))
        return 1;
    return STC_ENC_BASE(s->enc) != STC_ENC_AES_GCM && STC_ENC_BASE(s->enc) != STC_ENC_CHACHA20 &&
           STC_ENC_BASE(s->enc) != STC_ENC_AES_CBC;
}
