/* cert_cache.c - judged certificate chains kept for reuse
 *
 * A provider's MX hosts and a host's IPv4 and IPv6 addresses usually send
 * the same chain; in a bulk scan each would otherwise be parsed and its
 * signatures verified again. A judged chain is kept (STC_CACHE_CERTS
 * entries in the engine) under the SHA-256 of what decides its judgement
 * apart from the name: the warning window, how many certificates were
 * sent, and the certificates' DER. What is kept is what cert.c learnt: the
 * leaf's facts, the digests, which issuer links verified and which
 * certificates were in date, the subject and issuer texts, the findings
 * other than the name's and the place of that one. The reference name is
 * checked against the leaf for each judgement (one parse of the leaf, no
 * signature), so mx1 and mx2 of a provider share one entry. Facts, never
 * verdicts: DANE and the domain's rules are judged by each job. An entry
 * lives opt.cache_age seconds like the session cache, so dates judged at
 * the first sight are at most that old.
 */
#include "engine.h"

#include <string.h>

/* to_addr - stc_cert_judge's callback: into the session's address */
static void to_addr(void *ctx, unsigned code, int32_t detail)
{
    stc_add_addr_finding(&((stc_session_t *)ctx)->a, code, detail);
}

#if STC_CACHE_CERTS > 0
#include "wolf.h"
#include <wolfssl/wolfcrypt/sha256.h>

/* What one judgement reported, recorded on the way to the session. */
typedef struct rec {
    stc_session_t *s;
    uint8_t n, over;
    stc_cert_found_t f[STC_CERT_FOUND_MAX];
} rec_t;

/* record - stc_cert_judge's callback: to the address, and kept */
static void record(void *ctx, unsigned code, int32_t detail)
{
    rec_t *r = (rec_t *)ctx;
    stc_add_addr_finding(&r->s->a, code, detail);
    if (r->n < STC_CERT_FOUND_MAX) {
        r->f[r->n].code = (uint16_t)code;
        r->f[r->n].detail = detail;
        r->n++;
    } else {
        r->over = 1;
    }
}

/* put32 - 4 octets big-endian */
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* chain_key - SHA-256 of (warn_days, sent, n, each length + DER); 0, or
 * -1 when the hash cannot be had (then nothing is cached) */
static int chain_key(const stc_der_t *chain, unsigned n, unsigned sent, unsigned warn_days,
                     uint8_t key[32])
{
    wc_Sha256 h;
    uint8_t hdr[12];
    size_t i;
    int rc;

    if (wc_InitSha256(&h) != 0)
        return -1;
    put32(hdr, (uint32_t)warn_days);
    put32(hdr + 4, (uint32_t)sent);
    put32(hdr + 8, (uint32_t)n);
    rc = wc_Sha256Update(&h, hdr, sizeof hdr);
    for (i = 0; i < n && rc == 0; i++) {
        put32(hdr, (uint32_t)chain[i].n);
        rc |= wc_Sha256Update(&h, hdr, 4);
        rc |= wc_Sha256Update(&h, chain[i].p, (word32)chain[i].n);
    }
    rc |= wc_Sha256Final(&h, key);
    wc_Sha256Free(&h);
    return rc == 0 ? 0 : -1;
}

/* find - the live entry for key, or NULL */
static stc_cert_cache_ent_t *find(stc_engine_t *e, const uint8_t key[32], uint32_t now)
{
    size_t i;
    for (i = 0; i < STC_CACHE_CERTS; i++) {
        stc_cert_cache_ent_t *c = &e->ccache[i];
        if (c->u.used && now - c->u.at < e->opt.cache_age * 1000u &&
            memcmp(c->key, key, 32) == 0)
            return c;
    }
    return NULL;
}

/* put - keep a judgement (a dead entry, else the one cache_rule.c picks) */
static void put(stc_engine_t *e, const uint8_t key[32], const stc_session_t *s,
                const rec_t *r, int name_at, uint32_t now)
{
    stc_cert_cache_ent_t *c = NULL;
    size_t i;

    for (i = 0; i < STC_CACHE_CERTS; i++) {
        stc_cert_cache_ent_t *k = &e->ccache[i];
        if (!k->u.used || now - k->u.at >= e->opt.cache_age * 1000u) {
            c = k;
            break;
        }
        if (stc_cache_rather(&k->u, c ? &c->u : NULL))
            c = k;
    }
    stc_cache_stored(e, &c->u);
    memcpy(c->key, key, 32);
    c->info = s->a.cert;
    c->chain = s->chain;
    memcpy(c->subject, s->subject, sizeof c->subject);
    memcpy(c->issuer, s->issuer, sizeof c->issuer);
    c->name_at = (int8_t)name_at;
    c->nfound = 0;
    for (i = 0; i < r->n; i++) /* the name's finding is redone per name */
        if (!((int)i == name_at && !s->a.cert.name_ok))
            c->found[c->nfound++] = r->f[i];
}

/* from_entry - a judgement for host out of entry c: the name checked on
 * the leaf, everything else as kept; STC_ENOMEM when the leaf cannot be
 * parsed for want of memory */
static int from_entry(const stc_cert_cache_ent_t *c, const stc_der_t *leaf, const char *host,
                      stc_session_t *s)
{
    int ok = 0, i;

    if (c->name_at >= 0) {
        ok = stc_cert_name_check(leaf, host);
        if (ok == STC_ENOMEM)
            return STC_ENOMEM;
        ok = ok == 1; /* the leaf parsed when it was judged: it does again */
    }
    s->a.cert = c->info;
    s->a.cert.name_ok = (uint8_t)ok;
    s->chain = c->chain;
    memcpy(s->subject, c->subject, sizeof s->subject);
    memcpy(s->issuer, c->issuer, sizeof s->issuer);
    for (i = 0; i <= (int)c->nfound; i++) {
        if (i == c->name_at && !ok)
            stc_add_addr_finding(&s->a, STC_F_CERT_NAME_MISMATCH, 0);
        if (i < (int)c->nfound)
            stc_add_addr_finding(&s->a, c->found[i].code, c->found[i].detail);
    }
    return STC_OK;
}
#endif

/* stc_cert_judge_cached - stc_cert_judge through the engine's cache */
int stc_cert_judge_cached(stc_engine_t *e, const stc_der_t *chain, unsigned n, unsigned sent,
                          const char *host, int64_t now, unsigned warn_days, stc_session_t *s)
{
#if STC_CACHE_CERTS > 0
    uint8_t key[32];
    uint32_t t;
    rec_t r;
    int rc, keyed, name_at = -1;

    if (e == NULL || e->opt.cache_age == 0 || n == 0)
        return stc_cert_judge(chain, n, sent, host, now, warn_days, s, to_addr, s);
    t = stc_now(e);
    keyed = chain_key(chain, n, sent, warn_days, key) == 0;
    if (keyed) {
        stc_cert_cache_ent_t *c = find(e, key, t);
        if (c != NULL) {
            rc = from_entry(c, &chain[0], host, s);
            if (rc == STC_OK) {
                e->cert_hits++;
                stc_cache_hit(e, &c->u);
            }
            return rc;
        }
    }
    memset(&r, 0, sizeof r);
    r.s = s;
    rc = stc_cert_judge_at(chain, n, sent, host, now, warn_days, s, record, &r, &name_at);
    if (rc == STC_OK && keyed && !r.over) /* kept only when every finding fits */
        put(e, key, s, &r, name_at, t);
    return rc;
#else
    (void)e;
    return stc_cert_judge(chain, n, sent, host, now, warn_days, s, to_addr, s);
#endif
}
