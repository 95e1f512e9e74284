/* cert.c - judge a peer certificate chain, every problem on its own
 *
 * wolfSSL's own verification stops at the first error of a certificate (a
 * name mismatch hides expiry and an unknown CA), so the chain copied in the
 * handshake is judged here, question by question, with wolfSSL's parsers:
 *
 * - Trust, dates ignored. Each certificate is first checked against the
 *   process trust store (wc_ParseCert with VERIFY_SKIP_DATE; the anchors
 *   were loaded with WOLFSSL_LOAD_FLAG_DATE_ERR_OKAY). Then, repeatedly, a
 *   certificate not yet anchored is checked against an anchored peer CA:
 *   issuer name equal to that CA's subject (name hashes) and signature
 *   verified with its key (wc_CheckCertSigPubKey). Peer intermediates are
 *   never loaded into the shared store (loading does not verify), and no
 *   per-connection copy of the ~144-CA bundle is made: the cost is one
 *   signature check per certificate plus one per link.
 *   Measured on wolfSSL 5.5.4: a certificate manager accepts a non-CA
 *   certificate as a signer and does not enforce pathLenConstraint, so both
 *   are enforced here: an issuer must assert basicConstraints cA (and
 *   keyCertSign when it has a keyUsage), and the intermediates below it
 *   must fit its path length (RFC 5280 4.2.1.9). An anchor's own path
 *   length is not known here and is not enforced.
 * - The path: leaf, then the issuer that verified it, up to the anchor; for
 *   a chain that does not verify, the certificates linked by issuer name.
 *   Dates, key size and signature hash are judged on the path, except for a
 *   self-signed root above the leaf (its self-signature proves nothing and
 *   an anchor's dates are not the server's business).
 * - Links (for DANE-TA, RFC 7672 3.1.1): for each certificate, the one
 *   sent beside it whose subject is its issuer and whose key verifies its
 *   signature; `linked` marks the certificates reached from the leaf by
 *   such verified links, so a trust-anchor certificate merely sent beside
 *   a leaf it did not sign is never taken for the leaf's issuer.
 * - Digests (DANE, RFC 6698 2.1): SHA-256 of each certificate and of its
 *   SubjectPublicKeyInfo, and SHA-256 of their SHA-512, taken here while
 *   the DER is at hand, so no chain is kept after the handshake.
 * - The name (RFC 6125 6.4): DNS-ID subjectAltNames; the subject CN only
 *   when there is no DNS-ID; an IP literal host only against iPAddress
 *   subjectAltNames.
 * - Dates against the caller's `now`, never the system clock.
 *
 * Everything wolfSSL allocates here comes from the arena; running out is
 * STC_ENOMEM (never a finding against the peer).
 */
#include "wolf.h"

#include <wolfssl/wolfcrypt/types.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/rsa.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/wolfcrypt/sha512.h>

#include "stc_int.h"
#include "tls_hello.h" /* the grading table */
#include "buf.h"

#include <string.h>

#define DAY 86400
#define NO_LIMIT 0x7fff /* no path length constraint */

/* What is kept of one certificate once its DecodedCert is freed. */
typedef struct facts {
    int64_t nb, na;     /* validity in unix seconds, 0 = unknown */
    uint8_t subj[KEYID_SIZE], iss[KEYID_SIZE]; /* name hashes */
    uint16_t bits;      /* key size */
    uint8_t ktype;      /* stc_cert_info_t key_type */
    uint8_t hash;       /* stc_cert_info_t sig_hash */
    uint8_t ok;         /* parsed */
    uint8_t self;       /* subject name == issuer name */
    uint8_t ca;         /* may issue certificates */
    uint8_t anchored;   /* verified up to a trust anchor (dates ignored) */
    uint8_t store;      /* verified directly against the trust store */
    int16_t allow;      /* CA certificates allowed below it; < 0 none */
    int16_t pathlen;    /* its own pathLenConstraint, NO_LIMIT when absent */
    int16_t parent;     /* its verified issuer among those sent, -1 = none */
} facts_t;

/* Findings collected before any is reported (none on STC_ENOMEM). */
typedef struct found {
    unsigned n;
    struct {
        uint16_t code;
        int32_t detail;
    } f[16];
} found_t;

/* note - collect one finding */
static void note(found_t *fd, unsigned code, int32_t detail)
{
    if (fd->n < sizeof fd->f / sizeof fd->f[0]) {
        fd->f[fd->n].code = (uint16_t)code;
        fd->f[fd->n].detail = detail;
        fd->n++;
    }
}

/* failures - the arena's failed-allocation count */
static size_t failures(void)
{
    stc_arena_stats_t s;
    stc_arena_stats(&s);
    return s.failures;
}

/* parse - decode chain certificate i into dc (verify: NO_VERIFY or
 * VERIFY_SKIP_DATE against cm); the caller frees dc */
static int parse(DecodedCert *dc, const stc_der_t *ch, unsigned i, int verify, void *cm)
{
    wc_InitDecodedCert(dc, ch[i].p, (word32)ch[i].n, NULL);
    return wc_ParseCert(dc, CERT_TYPE, verify, cm);
}

/* days_from_civil - days since 1970-01-01 of a proleptic Gregorian date */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* cert_time - a certificate date (tag, length, value) as unix seconds; 0 when
 * wolfSSL cannot read it */
static int64_t cert_time(const byte *p, int len)
{
    const byte *date;
    byte format;
    int dlen;
    struct tm tm;

    if (!p || len <= 0 || wc_GetDateInfo(p, len, &date, &format, &dlen) != 0)
        return 0;
    memset(&tm, 0, sizeof tm);
    if (wc_GetDateAsCalendarTime(date, dlen, format, &tm) != 0)
        return 0;
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31)
        return 0;
    return days_from_civil((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                           (unsigned)tm.tm_mday) * DAY
        + (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 + tm.tm_sec;
}

/* sig_hash - stc_cert_info_t sig_hash code of a signature algorithm */
static uint8_t sig_hash(word32 oid)
{
    switch (oid) {
    case CTC_MD2wRSA:
    case CTC_MD5wRSA:
        return 1; /* the MD family */
    case CTC_SHAwRSA:
    case CTC_SHAwECDSA:
    case CTC_SHAwDSA:
        return 2;
    case CTC_SHA256wRSA:
    case CTC_SHA256wECDSA:
    case CTC_SHA256wDSA:
    case CTC_SHA3_256wRSA:
    case CTC_SHA3_256wECDSA:
        return 3;
    case CTC_SHA384wRSA:
    case CTC_SHA384wECDSA:
    case CTC_SHA3_384wRSA:
    case CTC_SHA3_384wECDSA:
        return 4;
    case CTC_SHA512wRSA:
    case CTC_SHA512wECDSA:
    case CTC_SHA3_512wRSA:
    case CTC_SHA3_512wECDSA:
        return 5;
    case CTC_ED25519:
    case CTC_ED448:
        return 6;
    default:
        /* SHA-224 has no code of its own; RSASSA-PSS names its hash in
         * parameters this wolfSSL does not expose. Neither is weak. */
        return 0;
    }
}

/* key_size - key type and size in bits from a decoded certificate */
static void key_size(const DecodedCert *dc, uint8_t *type, uint16_t *bits)
{
    *type = 0;
    *bits = 0;
    if (dc->keyOID == RSAk) {
        const byte *n = NULL, *e = NULL;
        word32 idx = 0, nsz = 0, esz = 0;
        *type = 1;
        if (wc_RsaPublicKeyDecode_ex(dc->publicKey, &idx, dc->pubKeySize, &n, &nsz, &e,
                                     &esz) == 0 && n) {
            uint8_t top;
            while (nsz > 0 && n[0] == 0) {
                n++;
                nsz--;
            }
            if (nsz > 0 && nsz < 8192) {
                unsigned b = nsz * 8;
                for (top = n[0]; !(top & 0x80); top = (uint8_t)(top << 1))
                    b--;
                *bits = (uint16_t)b;
            }
        }
    } else if (dc->keyOID == ECDSAk) {
        const byte *oid = NULL;
        word32 oidsz = 0;
        *type = 2;
        if (wc_ecc_get_oid(dc->pkCurveOID, &oid, &oidsz) >= 0 && oid) {
            int id = wc_ecc_get_curve_id_from_oid(oid, oidsz);
            int sz = id >= 0 ? wc_ecc_get_curve_size_from_id(id) : 0;
            if (id == ECC_SECP521R1)
                *bits = 521; /* 66 bytes carry 521 bits */
            else if (sz > 0)
                *bits = (uint16_t)(sz * 8);
        }
    } else if (dc->keyOID == ED25519k) {
        *type = 3;
        *bits = 256;
    } else if (dc->keyOID == ED448k) {
        *type = 4;
        *bits = 448;
    }
}

/* text_copy - a counted certificate string into a report field: control
 * bytes become '?' */
static void text_copy(char *dst, size_t cap, const char *s, int len)
{
    size_t i, n;

    if (cap == 0)
        return;
    n = (s && len > 0) ? (size_t)len : 0;
    if (n > cap - 1)
        n = cap - 1;
    for (i = 0; i < n; i++) {
        uint8_t ch = (uint8_t)s[i];
        dst[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    dst[n] = '\0';
}

/* dns_name - a counted SAN/CN value as a C string; 0 when it cannot be a
 * host name (empty, too long, embedded NUL) */
static int dns_name(char *out, const char *s, int len)
{
    if (!s || len <= 0 || len > STC_NAME_MAX || memchr(s, '\0', (size_t)len))
        return 0;
    memcpy(out, s, (size_t)len);
    out[len] = '\0';
    return 1;
}

/* name_ok - RFC 6125 host check of a decoded leaf */
static int name_ok(const DecodedCert *dc, const char *host)
{
    char name[STC_NAME_MAX + 1];
    const DNS_entry *e;
    stc_ip_t ip;
    int is_ip = stc_ip_parse(host, &ip), any_dns = 0;

    for (e = dc->altNames; e; e = e->next) {
        if (e->type == ASN_DNS_TYPE) {
            any_dns = 1;
            if (!is_ip && dns_name(name, e->name, e->len) && stc_name_match_cert(name, host))
                return 1;
        } else if (e->type == ASN_IP_TYPE && is_ip && e->name) {
            /* wolfSSL keeps the iPAddress octets as they are in the DER. */
            int want = ip.family == 4 ? 4 : 16;
            if (e->len == want && memcmp(e->name, ip.addr, (size_t)want) == 0)
                return 1;
        }
    }
    /* RFC 6125 6.4.4: the CN only when there is no DNS-ID; never for an
     * IP literal (an address is an iPAddress SAN or nothing). */
    if (any_dns || is_ip)
        return 0;
    return dns_name(name, dc->subjectCN, dc->subjectCNLen) && stc_name_match_cert(name, host);
}

/* issuer_text - issuer CN, else O, for the report */
static void issuer_text(const DecodedCert *dc, char *dst, size_t cap)
{
#if defined(WOLFSSL_HAVE_ISSUER_NAMES) && (defined(WOLFSSL_CERT_GEN) || defined(WOLFSSL_CERT_EXT))
    if (dc->issuerCN && dc->issuerCNLen > 0)
        text_copy(dst, cap, dc->issuerCN, dc->issuerCNLen);
    else
        text_copy(dst, cap, dc->issuerO, dc->issuerOLen);
#else
    /* Without WOLFSSL_HAVE_ISSUER_NAMES: the CN of wolfSSL's one-line
     * rendering "/C=../O=../CN=..". */
    const char *cn = strstr(dc->issuer, "/CN=");
    if (cn) {
        const char *end = strchr(cn + 4, '/');
        text_copy(dst, cap, cn + 4, (int)(end ? (size_t)(end - cn - 4) : strlen(cn + 4)));
    } else {
        const char *z = (const char *)memchr(dc->issuer, '\0', sizeof dc->issuer);
        text_copy(dst, cap, dc->issuer, (int)(z ? (size_t)(z - dc->issuer) : sizeof dc->issuer));
    }
#endif
}

/* leaf_info - the report texts taken from the leaf */
static void leaf_info(const DecodedCert *dc, stc_session_t *s)
{
    const DNS_entry *e;

    if (dc->subjectCN && dc->subjectCNLen > 0) {
        text_copy(s->subject, sizeof s->subject, dc->subjectCN, dc->subjectCNLen);
    } else {
        for (e = dc->altNames; e; e = e->next)
            if (e->type == ASN_DNS_TYPE) {
                text_copy(s->subject, sizeof s->subject, e->name, e->len);
                break;
            }
    }
    issuer_text(dc, s->issuer, sizeof s->issuer);
}

/* take_facts - keep what the judgement needs of a decoded certificate */
static void take_facts(const DecodedCert *dc, facts_t *f)
{
    f->ok = 1;
    f->nb = cert_time(dc->beforeDate, dc->beforeDateLen);
    f->na = cert_time(dc->afterDate, dc->afterDateLen);
    memcpy(f->subj, dc->subjectHash, sizeof f->subj);
    memcpy(f->iss, dc->issuerHash, sizeof f->iss);
    key_size(dc, &f->ktype, &f->bits);
    f->hash = sig_hash(dc->signatureOID);
    f->self = dc->selfSigned ? 1 : 0;
    /* RFC 5280 4.2.1.9 / 4.2.1.3: only a cA certificate may sign others,
     * and only with keyCertSign when it limits its key usage. */
    f->ca = dc->isCA && (!dc->extKeyUsageSet || (dc->extKeyUsage & KEYUSE_KEY_CERT_SIGN));
    f->pathlen = dc->pathLengthSet ? (int16_t)dc->pathLength : NO_LIMIT;
    f->parent = -1;
}

/* min16 - smaller of two path allowances */
static int16_t min16(int a, int b)
{
    return (int16_t)(a < b ? a : b);
}

/* link_to - does cert j's key verify cert i's signature (and j's subject
 * name its issuer)? 1 yes, 0 no, STC_ENOMEM */
static int link_to(DecodedCert *dc, const stc_der_t *ch, const facts_t *f, unsigned i,
                   unsigned j, size_t f0)
{
    int rc;

    if (!f[j].ok || memcmp(f[i].iss, f[j].subj, sizeof f[i].iss) != 0)
        return 0;
    rc = parse(dc, ch, j, NO_VERIFY, NULL);
    if (rc == 0)
        rc = wc_CheckCertSigPubKey(ch[i].p, (word32)ch[i].n, NULL, dc->publicKey,
                                   dc->pubKeySize, (int)dc->keyOID);
    wc_FreeDecodedCert(dc);
    if (rc == MEMORY_E || failures() != f0)
        return STC_ENOMEM;
    return rc == 0;
}

/* find_links - each certificate's verified issuer among those sent
 * (f[i].parent, -1 none), and the set reachable from the leaf */
static int find_links(DecodedCert *dc, const stc_der_t *ch, unsigned n, facts_t *f,
                      uint8_t *linked, size_t f0)
{
    unsigned i, j, cur, steps;

    for (i = 0; i < n; i++) {
        f[i].parent = -1;
        if (!f[i].ok || f[i].self)
            continue; /* a self-signed certificate has no issuer below the anchors */
        for (j = 0; j < n; j++) {
            int rc;
            if (j == i)
                continue;
            rc = link_to(dc, ch, f, i, j, f0);
            if (rc < 0)
                return rc;
            if (rc) {
                f[i].parent = (int16_t)j;
                break;
            }
        }
    }
    *linked = 0;
    if (!f[0].ok)
        return STC_OK;
    *linked = 1; /* the leaf itself */
    for (cur = 0, steps = 0; steps < n && f[cur].parent >= 0; steps++) {
        cur = (unsigned)f[cur].parent;
        *linked = (uint8_t)(*linked | (1u << cur));
    }
    return STC_OK;
}

/* anchor_chain - mark every certificate that verifies up to an anchor:
 * directly against the trust store, or through its verified issuer when
 * that issuer is anchored, may sign (cA) and its path length allows */
static int anchor_chain(DecodedCert *dc, const stc_der_t *ch, unsigned n, facts_t *f,
                        void *cm, size_t f0)
{
    unsigned i, round;

    for (i = 0; i < n; i++) {
        int rc;
        if (!f[i].ok)
            continue;
        rc = parse(dc, ch, i, VERIFY_SKIP_DATE, cm);
        wc_FreeDecodedCert(dc);
        if (rc == MEMORY_E || failures() != f0)
            return STC_ENOMEM;
        if (rc == 0) {
            f[i].anchored = 1;
            f[i].store = 1;
            f[i].allow = f[i].ca ? f[i].pathlen : -1;
        }
    }
    /* Each round anchors at least one more certificate or ends. */
    for (round = 0; round < n; round++) {
        int progress = 0;
        for (i = 0; i < n; i++) {
            const facts_t *p;
            if (!f[i].ok || f[i].anchored || f[i].parent < 0)
                continue;
            p = &f[f[i].parent];
            if (!p->anchored || !p->ca || p->allow < 0)
                continue;
            f[i].anchored = 1;
            f[i].allow = f[i].ca ? min16(p->allow - 1, f[i].pathlen) : -1;
            progress = 1;
        }
        if (!progress)
            break;
    }
    return STC_OK;
}

/* build_path - indexes of the path from the leaf up; returns its length.
 * Verified links where there are any, else certificates linked by issuer
 * name (so an unverifiable chain is still judged for dates and keys). */
static unsigned build_path(unsigned n, const facts_t *f, uint8_t *path)
{
    unsigned len = 0, cur = 0, k, j;

    path[len++] = 0;
    while (len < n && !f[cur].self) {
        int next = f[cur].parent;
        if (next < 0) {
            for (j = 0; j < n && next < 0; j++) {
                int seen = 0;
                for (k = 0; k < len; k++)
                    seen |= path[k] == j;
                if (!seen && f[j].ok && memcmp(f[j].subj, f[cur].iss, sizeof f[j].subj) == 0)
                    next = (int)j;
            }
        } else {
            for (k = 0; k < len; k++)
                if (path[k] == (unsigned)next)
                    next = -1; /* a loop of links: stop */
        }
        if (next < 0)
            break;
        cur = (unsigned)next;
        path[len++] = (uint8_t)cur;
    }
    return len;
}

/* judge_path - dates, key sizes and signature hashes along the path */
static void judge_path(const facts_t *f, const uint8_t *path, unsigned len, int64_t now,
                       unsigned warn_days, stc_cert_info_t *info, found_t *fd)
{
    int64_t expired = -1, notyet = -1, soon = -1;
    unsigned k, weak_bits = 0, weak_hash = 0, hash = 0;

    for (k = 0; k < len; k++) {
        const facts_t *c = &f[path[k]];
        if (k > 0 && c->self)
            continue; /* a root: see the file comment */
        if (c->na && now > c->na) {
            int64_t d = (now - c->na) / DAY;
            if (expired < 0 || d > expired)
                expired = d;
        } else if (c->nb && now < c->nb) {
            int64_t d = (c->nb - now + DAY - 1) / DAY;
            if (notyet < 0 || d > notyet)
                notyet = d;
        } else if (c->na && c->na - now <= (int64_t)warn_days * DAY) {
            int64_t d = (c->na - now) / DAY;
            if (soon < 0 || d < soon)
                soon = d;
        }
        /* grades from the one table (tls_classify.c): insufficient is weak */
        if ((c->ktype == 1 || c->ktype == 2) && c->bits &&
            stc_grade_cert_key(c->ktype, c->bits) == STC_GRADE_INSUFFICIENT) {
            if (c->bits && (weak_bits == 0 || c->bits < weak_bits))
                weak_bits = c->bits;
        }
        if (c->hash && (hash == 0 || c->hash < hash))
            hash = c->hash;
        if (c->hash && stc_grade_sig_hash(c->hash) == STC_GRADE_INSUFFICIENT &&
            (weak_hash == 0 || c->hash < weak_hash))
            weak_hash = c->hash;
    }
    info->sig_hash = (uint8_t)hash;
    if (expired >= 0)
        note(fd, STC_F_CERT_EXPIRED, (int32_t)(expired > 0x7fffffff ? 0x7fffffff : expired));
    if (notyet >= 0)
        note(fd, STC_F_CERT_NOT_YET_VALID, (int32_t)(notyet > 0x7fffffff ? 0x7fffffff : notyet));
    if (soon >= 0)
        note(fd, STC_F_CERT_EXPIRES_SOON, (int32_t)soon);
    if (weak_bits)
        note(fd, STC_F_CERT_WEAK_KEY, (int32_t)weak_bits);
    if (weak_hash)
        note(fd, STC_F_CERT_WEAK_SIGNATURE, (int32_t)weak_hash);
}

/* stc_cert_spki - the SubjectPublicKeyInfo TLV of a certificate: RFC 5280
 * 4.1: Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version
 * OPTIONAL, serialNumber, signature, issuer, validity, subject,
 * subjectPublicKeyInfo, ... } ... }. A bounded walk over DER TLVs. */
int stc_cert_spki(const uint8_t *der, size_t n, const uint8_t **spki, size_t *spki_len)
{
    stc_buf_t b, cert, tbs;
    unsigned k;

    stc_buf_init(&b, der, n);
    if (!stc_der_enter(&b, 0x30, &cert) || !stc_der_enter(&cert, 0x30, &tbs))
        return STC_EPROTO;
    if (stc_buf_left(&tbs) > 0 && tbs.p[tbs.off] == 0xa0 && !stc_der_skip(&tbs))
        return STC_EPROTO; /* [0] EXPLICIT version */
    for (k = 0; k < 5; k++) /* serial, signature, issuer, validity, subject */
        if (!stc_der_skip(&tbs))
            return STC_EPROTO;
    {
        size_t start = tbs.off;
        stc_buf_t body;
        if (!stc_der_enter(&tbs, 0x30, &body))
            return STC_EPROTO;
        *spki = tbs.p + start;
        *spki_len = tbs.off - start;
    }
    return STC_OK;
}

/* digest - the four DANE digests of one certificate */
static int digest(const stc_der_t *c, stc_cert_digest_t *d)
{
    const uint8_t *spki;
    size_t slen;
    int rc = 0;

    memset(d, 0, sizeof *d);
    if (stc_cert_spki(c->p, c->n, &spki, &slen) != STC_OK)
        return STC_EPROTO;
    rc |= wc_Sha256Hash(c->p, (word32)c->n, d->d[0]);
    rc |= wc_Sha256Hash(spki, (word32)slen, d->d[1]);
#ifdef WOLFSSL_SHA512
    {
        uint8_t h[64];
        rc |= wc_Sha512Hash(c->p, (word32)c->n, h);
        rc |= wc_Sha256Hash(h, sizeof h, d->d[2]);
        rc |= wc_Sha512Hash(spki, (word32)slen, h);
        rc |= wc_Sha256Hash(h, sizeof h, d->d[3]);
    }
#endif
    return rc == 0 ? STC_OK : STC_ENOMEM;
}

/* stc_cert_name_check - the RFC 6125 check of name_ok for one leaf, with
 * no chain work: 1 when the leaf is valid for host, 0 when not, STC_ENOMEM,
 * or STC_EINVAL when the leaf does not parse */
int stc_cert_name_check(const stc_der_t *leaf, const char *host)
{
    DecodedCert *dc = (DecodedCert *)XMALLOC(sizeof *dc, NULL, DYNAMIC_TYPE_DCERT);
    size_t f0 = failures();
    int prc, ok = 0;

    if (!dc)
        return STC_ENOMEM;
    prc = parse(dc, leaf, 0, NO_VERIFY, NULL);
    if (prc == 0)
        ok = name_ok(dc, host);
    wc_FreeDecodedCert(dc);
    XFREE(dc, NULL, DYNAMIC_TYPE_DCERT);
    if (prc == MEMORY_E || failures() != f0)
        return STC_ENOMEM;
    return prc == 0 ? ok : STC_EINVAL;
}

/* stc_cert_judge - every problem of a peer chain; see stc_int.h */
int stc_cert_judge(const stc_der_t *chain, unsigned n, unsigned sent, const char *host,
                   int64_t now, unsigned warn_days, stc_session_t *s,
                   stc_finding_fn add, void *ctx)
{
    return stc_cert_judge_at(chain, n, sent, host, now, warn_days, s, add, ctx, NULL);
}

/* stc_cert_judge_at - stc_cert_judge, and where among the findings it
 * reports the name check's (see stc_int.h) */
int stc_cert_judge_at(const stc_der_t *chain, unsigned n, unsigned sent, const char *host,
                      int64_t now, unsigned warn_days, stc_session_t *s,
                      stc_finding_fn add, void *ctx, int *name_at)
{
    facts_t f[STC_CHAIN_MAX];
    uint8_t path[STC_CHAIN_MAX];
    found_t fd;
    DecodedCert *dc;
    stc_cert_info_t *info = &s->a.cert;
    size_t f0 = failures();
    unsigned i, len;
    int parse_err = 0, leaf_name = 0, rc = STC_OK;
    void *cm = stc_tls_trust_store();

    if (name_at)
        *name_at = -1; /* no name check: no leaf, or it does not parse */
    memset(info, 0, sizeof *info);
    memset(f, 0, sizeof f);
    memset(&s->chain, 0, sizeof s->chain);
    s->subject[0] = s->issuer[0] = '\0';
    fd.n = 0;
    if (n > STC_CHAIN_MAX)
        n = STC_CHAIN_MAX;
    info->chain_len = (uint8_t)(sent > 255 ? 255 : sent);
    if (n == 0) {
        add(ctx, STC_F_CERT_NONE, 0);
        return STC_OK;
    }
    s->chain.cut = sent > n;
    /* ~2.5 KB: from the arena rather than a board's small stack. */
    dc = (DecodedCert *)XMALLOC(sizeof *dc, NULL, DYNAMIC_TYPE_DCERT);
    if (!dc)
        return STC_ENOMEM;

    for (i = 0; i < n; i++) {
        int prc = parse(dc, chain, i, NO_VERIFY, NULL);
        if (prc == 0) {
            take_facts(dc, &f[i]);
            if (i == 0) {
                leaf_info(dc, s);
                key_size(dc, &info->key_type, &info->key_bits);
                leaf_name = name_ok(dc, host);
            }
        }
        wc_FreeDecodedCert(dc);
        if (prc == MEMORY_E || failures() != f0) {
            rc = STC_ENOMEM;
            goto out;
        }
        if (prc != 0 && parse_err == 0)
            parse_err = prc;
        if (prc == 0) {
            rc = digest(&chain[i], &s->chain.c[i]);
            if (rc == STC_ENOMEM || failures() != f0) {
                rc = STC_ENOMEM;
                goto out;
            }
            rc = STC_OK;
            if (!(f[i].na && now > f[i].na) && !(f[i].nb && now < f[i].nb))
                s->chain.dated = (uint8_t)(s->chain.dated | (1u << i));
        }
    }
    s->chain.n = (uint8_t)n;
    if (!f[0].ok) {
        /* Nothing can be judged without the leaf. */
        note(&fd, STC_F_CERT_PARSE, parse_err);
        goto report;
    }
    info->not_before = f[0].nb;
    info->not_after = f[0].na;
    info->name_ok = (uint8_t)leaf_name;
    info->self_signed = f[0].self;

    rc = find_links(dc, chain, n, f, &s->chain.linked, f0);
    if (rc != STC_OK)
        goto out;
    if (stc_tls_have_anchors() && cm) {
        rc = anchor_chain(dc, chain, n, f, cm, f0);
        if (rc != STC_OK)
            goto out;
        info->trusted = f[0].anchored;
        if (!f[0].anchored && s->chain.cut)
            /* our limit cut the chain: no verdict on its trust */
            note(&fd, STC_F_CERT_CHAIN_TRUNCATED, (int32_t)sent);
        else if (!f[0].anchored)
            note(&fd, STC_F_CERT_UNTRUSTED, 0);
    } else {
        note(&fd, STC_F_CERT_NO_ANCHORS, 0);
    }
    /* A leaf that is its own anchor (a pinned self-signed certificate)
     * verified above and is not "self-signed" in the bad sense. */
    if (f[0].self && !f[0].anchored)
        note(&fd, STC_F_CERT_SELF_SIGNED, 0);
    if (name_at)
        *name_at = (int)fd.n;
    if (!leaf_name)
        note(&fd, STC_F_CERT_NAME_MISMATCH, 0);
    len = build_path(n, f, path);
    judge_path(f, path, len, now, warn_days, info, &fd);
    if (parse_err)
        note(&fd, STC_F_CERT_PARSE, parse_err);
report:
    for (i = 0; i < fd.n; i++)
        add(ctx, fd.f[i].code, fd.f[i].detail);
out:
    XFREE(dc, NULL, DYNAMIC_TYPE_DCERT);
    if (rc != STC_OK) { /* nothing half-judged */
        memset(info, 0, sizeof *info);
        memset(&s->chain, 0, sizeof s->chain);
        s->subject[0] = s->issuer[0] = '\0';
    }
    return rc;
}
