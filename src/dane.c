/* dane.c - DANE for SMTP (RFC 7672) from facts other modules gathered
 *
 * Nothing here touches the network: job.c hands over the TLSA records of
 * a host as they are read, and later each address's chain facts, which
 * cert.c took from the main handshake (digests, verified issuer links,
 * dates, the leaf's name), so no certificate is kept and DANE costs no
 * session of its own.
 *
 * Rules (RFC 7672):
 * - 3.1: only DANE-TA(2) and DANE-EE(3) are usable for SMTP; PKIX-TA(0)
 *   and PKIX-EE(1) are not, nor unknown selectors or matching types, nor
 *   digests of the wrong length (RFC 6698 2.1.3, RFC 7671 5.2).
 * - 3.1.1 DANE-EE: the leaf's certificate or SPKI matches; "the
 *   certificate's name and validity period ... are ignored".
 * - 3.1.2 DANE-TA: a certificate the server sent matches, the chain from
 *   the leaf up to it verifies, and the leaf's name and every date on the
 *   way are checked. `linked` only marks certificates reached from the
 *   leaf by verified signatures, so a TA certificate sent beside a leaf it
 *   did not sign matches nothing.
 */
#include "wolf.h"

#include <wolfssl/wolfcrypt/types.h>
#include <wolfssl/wolfcrypt/hash.h>

#include <string.h>

#include "engine.h"

/* stc_dane_key - reduce one TLSA record to a key; 1 when it is usable for
 * SMTP (and k filled), 0 when not */
int stc_dane_key(stc_tlsa_key_t *k, uint8_t usage, uint8_t selector, uint8_t mtype,
                 const uint8_t *data, size_t n)
{
    if ((usage != 2 && usage != 3) || selector > 1)
        return 0;
    if ((mtype == 0 && n == 0) || (mtype == 1 && n != 32) || (mtype == 2 && n != 64) ||
        mtype > 2)
        return 0;
    k->usage = usage;
    k->selector = selector;
    k->mtype = mtype;
    if (mtype == 1) {
        memcpy(k->key, data, 32);
        return 1;
    }
    /* full data and SHA-512: compared through SHA-256 (stc_cert_digest_t) */
    return wc_Sha256Hash(data, (word32)n, k->key) == 0;
}

/* matches - does key k match certificate digest d? */
static int matches(const stc_tlsa_key_t *k, const stc_cert_digest_t *d)
{
    unsigned idx = (k->mtype == 2 ? 2u : 0u) + k->selector;
    return memcmp(k->key, d->d[idx], 32) == 0;
}

/* dated_up_to - certificates 0..i all within their validity */
static int dated_up_to(const stc_chain_facts_t *c, unsigned i)
{
    unsigned mask = (2u << i) - 1u;
    return (c->dated & mask) == mask;
}

/* stc_dane_match - the DANE status of one session's chain against the
 * usable keys; *usage = the usage of the record that decided (0 none).
 * DANE-EE records are tried before DANE-TA ones, so the answer does not
 * depend on the order the resolver lists the RRset in. */
uint8_t stc_dane_match(const stc_tlsa_key_t *k, unsigned nk, const stc_chain_facts_t *c,
                       int name_ok, uint8_t *usage)
{
    uint8_t best = STC_DANE_MISMATCH;
    unsigned r, i;

    *usage = 0;
    for (r = 0; r < nk; r++)
        if (k[r].usage == 3 && c->n > 0 && matches(&k[r], &c->c[0])) {
            *usage = 3;
            return STC_DANE_VALID;
        }
    for (r = 0; r < nk; r++) {
        if (k[r].usage == 3)
            continue;
        for (i = 1; i < c->n && i < 8; i++) {
            if (!matches(&k[r], &c->c[i]) || !(c->linked & (1u << i)))
                continue;
            if (name_ok && dated_up_to(c, i)) {
                *usage = 2;
                return STC_DANE_VALID;
            }
            /* the more telling failure of a matched anchor */
            best = name_ok ? STC_DANE_EXPIRED : STC_DANE_NAME_MISMATCH;
            *usage = 2;
        }
    }
    return best;
}

/* rank - how bad a per-address DANE status is, for the host's */
static int rank(uint8_t d)
{
    switch (d) {
    case STC_DANE_VALID: return 1;
    case STC_DANE_UNUSABLE: return 2;
    case STC_DANE_EXPIRED: return 3;
    case STC_DANE_NAME_MISMATCH: return 4;
    case STC_DANE_MISMATCH: return 5;
    case STC_DANE_NO_TLS: return 6;
    default: return 0; /* not reached, not judged */
    }
}

/* stc_dane_worse - the worse of two per-address statuses */
uint8_t stc_dane_worse(uint8_t a, uint8_t b)
{
    return rank(b) > rank(a) ? b : a;
}

/* stc_dane_finding - the host finding of a DANE status, 0 for none */
unsigned stc_dane_finding(uint8_t d)
{
    switch (d) {
    case STC_DANE_MISMATCH: return STC_F_DANE_MISMATCH;
    case STC_DANE_NAME_MISMATCH: return STC_F_DANE_NAME_MISMATCH;
    case STC_DANE_EXPIRED: return STC_F_DANE_EXPIRED;
    case STC_DANE_BOGUS: return STC_F_DANE_BOGUS;
    case STC_DANE_LOOKUP_FAILED: return STC_F_DANE_LOOKUP_FAILED;
    case STC_DANE_NO_TLS: return STC_F_DANE_NO_TLS;
    case STC_DANE_UNUSABLE: return STC_F_DANE_UNUSABLE;
    default: return 0;
    }
}
