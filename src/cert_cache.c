/* cert_cache.c - judged certificate chains kept for reuse
 *
 * A provider's MX hosts and a host's IPv4 and IPv6 addresses usually send
 * the same chain; in a bulk scan each would otherwise be parsed and its
 * signatures verified again. A judged chain is kept (STC_CACHE_CERTS
 * entries in the engine) under the SHA-256 of what decides its judgement:
 * the reference name, the warning window, how many certificates were sent,
 * and the certificates' DER. What is kept is what cert.c learnt: the leaf's
 * facts, the digests, which issuer links verified and which certificates
 * were in date, the subject and issuer texts, the findings. Facts, never
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

/* chain_key - SHA-256 of (name, warn_days, sent, n, each length + DER);
 * 0, or -1 when the hash cannot be had (then nothing is cached) */
static int chain_key(const stc_der_t *chain, unsigned n, unsigned sent, const char *host,
                     unsigned warn_days, uint8_t key[32])
{
    wc_Sha256 h;
    uint8_t hdr[12], low[STC_NAME_MAX + 1];
    size_t i, len = strlen(host);
    int rc;

    if (len >= sizeof low)
        return -1;
    for (i = 0; i < len; i++) /* the name as tasks compare it: any case */
        low[i] = (uint8_t)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] - 'A' + 'a' : host[i]);
    if (len > 0 && low[len - 1] == '.')
        len--;
    low[len] = 0;
    if (wc_InitSha256(&h) != 0)
        return -1;
    put32(hdr, (uint32_t)warn_days);
    put32(hdr + 4, (uint32_t)sent);
    put32(hdr + 8, (uint32_t)n);
    rc = wc_Sha256Update(&h, low, (word32)len + 1);
    rc |= wc_Sha256Update(&h, hdr, sizeof hdr);
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
                const rec_t *r, uint32_t now)
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
    c->nfound = r->n;
    memcpy(c->found, r->f, sizeof c->found);
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
    int rc, keyed;

    if (e == NULL || e->opt.cache_age == 0 || n == 0)
        return stc_cert_judge(chain, n, sent, host, now, warn_days, s, to_addr, s);
    t = stc_now(e);
    keyed = chain_key(chain, n, sent, host, warn_days, key) == 0;
    if (keyed) {
        const stc_cert_cache_ent_t *c = find(e, key, t);
        if (c != NULL) {
            unsigned i;
            e->cert_hits++;
            stc_cache_hit(e, &e->ccache[c - e->ccache].u);
            s->a.cert = c->info;
            s->chain = c->chain;
            memcpy(s->subject, c->subject, sizeof s->subject);
            memcpy(s->issuer, c->issuer, sizeof s->issuer);
            for (i = 0; i < c->nfound; i++)
                stc_add_addr_finding(&s->a, c->found[i].code, c->found[i].detail);
            return STC_OK;
        }
    }
    memset(&r, 0, sizeof r);
    r.s = s;
    rc = stc_cert_judge(chain, n, sent, host, now, warn_days, s, record, &r);
    if (rc == STC_OK && keyed && !r.over)
        put(e, key, s, &r, t);
    return rc;
#else
    (void)e;
    return stc_cert_judge(chain, n, sent, host, now, warn_days, s, to_addr, s);
#endif
}
