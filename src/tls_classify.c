/* tls_classify.c - grade what a server accepts: one table after the NCSC-NL
 * "IT Security Guidelines for Transport Layer Security (TLS)" v2.1
 *
 * Levels: good, sufficient, phase_out, insufficient. Severities: good and
 * sufficient are success, phase_out a warning, insufficient a failure.
 * Policy lives in `rules` only: rows are tried in order and the first row
 * of the subject that matches decides; every subject ends with a
 * catch-all row. Changing the policy is changing rows.
 *
 * Suites are matched by their class flags (src/tls_suites.c): a row
 * matches when the suite has every flag of `all`, none of `none`, and
 * (when `enc` is set) that bulk cipher. Everything else by a value range.
 */
#include "tls_hello.h"

#define G STC_GRADE_GOOD
#define SU STC_GRADE_SUFFICIENT
#define PO STC_GRADE_PHASE_OUT
#define IN STC_GRADE_INSUFFICIENT
#define ANY 0xffffffffu

typedef struct rule {
    uint8_t what;  /* STC_CL_* */
    uint8_t grade; /* stc_grade_t */
    uint8_t enc;   /* STC_CL_SUITE: bulk cipher (STC_ENC_*), 0 = any */
    uint32_t lo;   /* range low, or STC_CL_SUITE: flags required (all) */
    uint32_t hi;   /* range high, or STC_CL_SUITE: flags excluded (none) */
} rule_t;

static const rule_t rules[] = {
    /* Versions: "TLS 1.3 good, 1.2 sufficient, 1.1 and 1.0 phase out,
     * SSL 3.0 and 2.0 insufficient". */
    {STC_CL_VERSION, IN, 0, STC_V_SSL2, STC_V_SSL2},
    {STC_CL_VERSION, IN, 0, STC_V_SSL3, STC_V_SSL3},
    {STC_CL_VERSION, PO, 0, STC_V_TLS10, STC_V_TLS11},
    {STC_CL_VERSION, SU, 0, STC_V_TLS12, STC_V_TLS12},
    {STC_CL_VERSION, G, 0, STC_V_TLS13, STC_V_TLS13},
    {STC_CL_VERSION, IN, 0, 0, ANY}, /* anything else: not a version we know */

    /* Suites, worst class first. Broken: NULL, EXPORT, anonymous, RC4,
     * single DES. Phase out: 3DES, RSA key exchange, and any other suite
     * without forward secrecy (static (EC)DH, PSK, SRP, Kerberos). */
    {STC_CL_SUITE, IN, 0, STC_SF_NULL, 0},
    {STC_CL_SUITE, IN, 0, STC_SF_EXPORT, 0},
    {STC_CL_SUITE, IN, 0, STC_SF_ANON, 0},
    {STC_CL_SUITE, IN, 0, STC_SF_RC4, 0},
    {STC_CL_SUITE, IN, 0, STC_SF_DES, 0},
    {STC_CL_SUITE, PO, 0, STC_SF_3DES, 0},
    {STC_CL_SUITE, PO, 0, STC_SF_STATIC_RSA, 0},
    {STC_CL_SUITE, PO, 0, 0, STC_SF_FS},
    /* With forward secrecy: TLS 1.3 and the listed AEAD ciphers good,
     * AES-CBC sufficient; unlisted but unbroken ciphers (Camellia, ARIA,
     * SEED, IDEA) at most a warning. */
    {STC_CL_SUITE, G, 0, STC_SF_TLS13, 0},
    {STC_CL_SUITE, G, STC_ENC_AES_GCM, STC_SF_AEAD | STC_SF_FS, 0},
    {STC_CL_SUITE, G, STC_ENC_CHACHA20, STC_SF_AEAD | STC_SF_FS, 0},
    {STC_CL_SUITE, G, STC_ENC_AES_CCM, STC_SF_AEAD | STC_SF_FS, 0},
    {STC_CL_SUITE, SU, STC_ENC_AES_CBC, STC_SF_CBC | STC_SF_FS, 0},
    {STC_CL_SUITE, PO, 0, 0, 0},

    /* Key exchange groups: the recommended curves good, ffdhe2048 phase
     * out, ffdhe3072 and larger good, any other curve at most a warning. */
    {STC_CL_GROUP, G, 0, STC_GROUP_P256, STC_GROUP_P521},
    {STC_CL_GROUP, G, 0, STC_GROUP_X25519, STC_GROUP_X448},
    {STC_CL_GROUP, PO, 0, STC_GROUP_FFDHE2048, STC_GROUP_FFDHE2048},
    {STC_CL_GROUP, G, 0, STC_GROUP_FFDHE3072, STC_GROUP_FFDHE8192},
    {STC_CL_GROUP, PO, 0, 0, ANY},

    /* Finite-field DH primes: below 2048 bits insufficient (Logjam),
     * 2048 phase out, 3072 and more good. */
    {STC_CL_DH_BITS, IN, 0, 0, 2047},
    {STC_CL_DH_BITS, PO, 0, 2048, 3071},
    {STC_CL_DH_BITS, G, 0, 3072, ANY},

    /* Certificate keys: RSA below 2048 and EC below 256 bits insufficient. */
    {STC_CL_RSA_BITS, IN, 0, 0, 2047},
    {STC_CL_RSA_BITS, SU, 0, 2048, 3071},
    {STC_CL_RSA_BITS, G, 0, 3072, ANY},
    {STC_CL_EC_BITS, IN, 0, 0, 255},
    {STC_CL_EC_BITS, G, 0, 256, ANY},
    {STC_CL_KEY_TYPE, G, 0, 3, 4},   /* Ed25519, Ed448 */
    {STC_CL_KEY_TYPE, PO, 0, 0, ANY}, /* unknown (DSA, ...): at most a warning */

    /* Signature hashes (stc_cert_info_t.sig_hash): MD5 and SHA-1 insufficient. */
    {STC_CL_SIG_HASH, IN, 0, 1, 2},
    {STC_CL_SIG_HASH, G, 0, 3, 6},
    {STC_CL_SIG_HASH, PO, 0, 0, ANY}, /* unknown */
};

/* lookup - first row of subject `what` matching v (ranges) or the suite */
static stc_grade_t lookup(uint8_t what, uint32_t v, const stc_suite_t *s)
{
    uint32_t f = stc_suite_flags(s);
    size_t i;

    for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const rule_t *r = &rules[i];
        if (r->what != what)
            continue;
        if (what == STC_CL_SUITE) {
            if ((f & r->lo) == r->lo && !(f & r->hi) &&
                (!r->enc || STC_ENC_BASE(s->enc) == r->enc))
                return (stc_grade_t)r->grade;
        } else if (v >= r->lo && v <= r->hi) {
            return (stc_grade_t)r->grade;
        }
    }
    return STC_GRADE_INSUFFICIENT; /* unreachable: every subject has a catch-all */
}

/* stc_grade_version - grade a wire version */
stc_grade_t stc_grade_version(uint16_t version)
{
    return lookup(STC_CL_VERSION, version, NULL);
}

/* stc_grade_suite - grade a suite id; an id outside our table was never
 * offered by us, so a server choosing it is broken: insufficient */
stc_grade_t stc_grade_suite(uint16_t id)
{
    const stc_suite_t *s = stc_suite_find(id);
    return s ? lookup(STC_CL_SUITE, 0, s) : STC_GRADE_INSUFFICIENT;
}

/* stc_grade_group - grade a named group */
stc_grade_t stc_grade_group(uint16_t group)
{
    return lookup(STC_CL_GROUP, group, NULL);
}

/* stc_grade_dh_bits - grade a finite-field DH prime size */
stc_grade_t stc_grade_dh_bits(unsigned bits)
{
    return lookup(STC_CL_DH_BITS, bits, NULL);
}

/* stc_grade_cert_key - grade a certificate key by type and size */
stc_grade_t stc_grade_cert_key(uint8_t key_type, unsigned bits)
{
    if (key_type == 1)
        return lookup(STC_CL_RSA_BITS, bits, NULL);
    if (key_type == 2)
        return lookup(STC_CL_EC_BITS, bits, NULL);
    return lookup(STC_CL_KEY_TYPE, key_type, NULL);
}

/* stc_grade_sig_hash - grade a certificate signature hash */
stc_grade_t stc_grade_sig_hash(uint8_t sig_hash)
{
    return lookup(STC_CL_SIG_HASH, sig_hash, NULL);
}

/* stc_grade_status - the project's severity for a grade */
stc_status_t stc_grade_status(stc_grade_t g)
{
    switch (g) {
    case STC_GRADE_GOOD:
    case STC_GRADE_SUFFICIENT:
        return STC_SUCCESS;
    case STC_GRADE_PHASE_OUT:
        return STC_WARNING;
    default:
        return STC_FAILURE;
    }
}

/* stc_grade_text - the grade's name */
const char *stc_grade_text(stc_grade_t g)
{
    static const char *const names[] = {"good", "sufficient", "phase_out", "insufficient"};
    return (unsigned)g < 4 ? names[g] : "insufficient";
}
